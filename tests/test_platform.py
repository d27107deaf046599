"""Where clerks work: Windows and domestic desktops, exercised here as real processes.

Windows has no `fcntl`: govscore must run without it (the ledger lock then goes through
filelock). A Chinese Windows console writes GBK: no character govscore prints may end a
command with a UnicodeEncodeError.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

from conftest import REPO, SMALL_DEPARTMENTS, process_env, run_process

# govscore with fcntl made unimportable before anything of it is imported, as on Windows;
# the assert proves the writer took the path without flock.
NO_FCNTL = (
    "import sys; sys.modules['fcntl'] = None; "
    "import govscore.ledger.writer as w; assert w.fcntl is None, 'fcntl imported'; "
    "from govscore.cli import main; main()"
)


def without_fcntl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", NO_FCNTL, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        stdin=subprocess.DEVNULL,
        cwd=REPO,
        env=process_env(),
        timeout=120,
    )


def small_root(root: Path) -> Path:
    (root / "departments.toml").write_text(SMALL_DEPARTMENTS, encoding="utf-8")
    return root


def test_add_import_and_month_run_without_fcntl(root: Path, tmp_path: Path):
    small_root(root)
    at = ("--root", str(root))
    added = without_fcntl(
        *at, "add", "-d", "公安局", "-c", "2.4.3", "-n", "2", "--month", "2023-05"
    )
    assert (added.returncode, added.stdout) == (0, "2023-05-0001\n"), added.stderr
    rows = tmp_path / "rows.csv"
    rows.write_text("部门,条款,月份\n市民政局,2.4.12,2023-05\n", encoding="utf-8")
    imported = without_fcntl(*at, "import", str(rows))
    assert (imported.returncode, imported.stdout) == (0, "2023-05-0002\n"), imported.stderr
    month = without_fcntl(*at, "month", "2023-05", "--format", "json")
    assert month.returncode == 0, month.stderr
    # 市体育局: nothing → 100. 市民政局: 2.4.12 −3 → C2 = 97 → 25 + 38.8 + 20 + 15 = 98.80.
    # 市公安局: 2.4.3 × 2 → C2 = 98 → 25 + 39.2 + 20 + 15 = 99.20.
    ranking = json.loads(month.stdout)["departments"]
    assert [(d["rank"], d["department"], d["total"]) for d in ranking] == [
        (1, "市体育局", 100.0),
        (2, "市公安局", 99.2),
        (3, "市民政局", 98.8),
    ]
    # The lock file sits in the cache folder, which git ignores, not among the month files.
    assert (root / ".govscore-cache" / "ledger.lock").parent.is_dir()
    assert sorted(p.name for p in (root / "ledger").iterdir()) == [".gitkeep", "2023-05.toml"]


def test_concurrent_writers_without_fcntl_each_land_once(root: Path):
    """4 recorder processes × 10 record() calls with the filelock lock: ids 1–40, each once."""
    worker = REPO / "tests" / "workers" / "recorder.py"
    env = process_env({"NO_FCNTL": "1"})
    processes = [
        subprocess.Popen(
            [sys.executable, str(worker), str(root), f"w{n}", "10", "2023-05"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            cwd=REPO,
            env=env,
        )
        for n in range(4)
    ]
    printed = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        printed += [line.split()[0] for line in out.splitlines()]
    assert sorted(printed) == [f"2023-05-{n:04d}" for n in range(1, 41)]
    entries = tomllib.loads((root / "ledger" / "2023-05.toml").read_text(encoding="utf-8"))
    assert [e["id"] for e in entries["entry"]] == [f"2023-05-{n:04d}" for n in range(1, 41)]


def test_a_gbk_console_gets_utf8_and_no_traceback(root: Path):
    small_root(root)
    gbk = {"PYTHONIOENCODING": "gbk"}
    # 𠮷 (U+20BB7, a name character) is not in GBK: echoed in the refusal, it must not
    # raise UnicodeEncodeError; the message is written in UTF-8.
    refused = subprocess.run(
        [sys.executable, "-m", "govscore", "--root", str(root), "add", "-d", "𠮷局", "-c", "2.4.3"],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        env=process_env(gbk),
        timeout=120,
    )
    assert refused.returncode == 1
    stderr = refused.stderr.decode("utf-8")
    assert "unknown department '𠮷局'" in stderr and "Traceback" not in stderr
    assert not (root / "ledger" / "2023-05.toml").exists()
    ok = run_process("--root", str(root), "add", "-d", "体育", "-c", "2.4.3", "--month", "2023-05")
    assert ok.returncode == 0
    month = subprocess.run(
        [sys.executable, "-m", "govscore", "--root", str(root), "month", "2023-05"],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        env=process_env(gbk),
        timeout=120,
    )
    assert month.returncode == 0, month.stderr
    text = month.stdout.decode("utf-8")  # UTF-8, not GBK: these bytes are not GBK's
    assert "2023-05 月度政务服务工作考评（3 个部门）" in text
    assert "市体育局" in text


def test_a_server_whose_locale_is_not_utf8_reads_chinese_arguments_as_typed(
    root: Path, tmp_path: Path
):
    """A server set to a locale that is not UTF-8 (here LC_ALL=C with UTF-8 mode off, as
    en_US.ISO-8859-1 or zh_CN.GBK would be): Python read `-d 公安局` as escaped bytes, an
    unknown department, and add said the bytes were not UTF-8 (review U F7). A file named
    in Chinese is found too."""
    env = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}
    added = run_process(
        "--root", str(root), "add", "-d", "公安局", "-c", "2.4.3", "--month", "2023-07", env=env
    )
    assert (added.returncode, added.stdout) == (0, "2023-07-0001\n"), added.stderr
    rows = tmp_path / "六月.csv"
    rows.write_text("部门,条款,月份\n市民政局,2.4.3,2023-06\n", encoding="utf-8")
    imported = run_process("--root", str(root), "import", str(rows), env=env)
    assert (imported.returncode, imported.stdout) == (0, "2023-06-0001\n"), imported.stderr
    shown = run_process(
        "--root", str(root), "month", "2023-07", "-d", "公安局", "--format", "json", env=env
    )
    assert json.loads(shown.stdout)["departments"][0]["department"] == "市公安局"
