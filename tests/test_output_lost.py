"""Output that cannot be written: a reader that went away (`| head -1`), a full disk
under a cron log. What a command wrote to the ledger stands, so its exit code is never
1 ("nothing written": a retry without a key would book it twice); the ids go to stderr.

Each test runs govscore as a real process with its stdout a pipe whose reader has
closed (EPIPE) or /dev/full (ENOSPC), as cron does it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import process_env

FULL = Path("/dev/full")


def run(root: Path, stdout: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    """govscore with its stdout gone: "pipe" (the reader closed it) or "full" (a disk
    that takes nothing)."""
    if stdout == "pipe":
        reader, target = os.pipe()
        os.close(reader)
    else:
        target = os.open(FULL, os.O_WRONLY)
    try:
        return subprocess.run(
            [sys.executable, "-m", "govscore", "--root", str(root), *args],
            stdout=target,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=process_env(),
            timeout=120,
        )
    finally:
        os.close(target)


def entries(root: Path) -> str:
    path = root / "ledger" / "2023-05.toml"
    return path.read_text(encoding="utf-8") if path.exists() else ""


@pytest.mark.parametrize("stdout", ["pipe", "full"])
def test_an_entry_written_stands_when_its_id_cannot_be_printed(root: Path, stdout: str):
    if stdout == "full" and not FULL.exists():
        pytest.skip("no /dev/full here")
    done = run(root, stdout, "add", "-d", "市公安局", "-c", "2.4.3", "--month", "2023-05")
    said = done.stderr.decode("utf-8")
    assert done.returncode == 0, said
    assert entries(root).count('clause = "2.4.3"') == 1
    reason = {"pipe": "the program reading it has stopped", "full": "the disk is full"}[stdout]
    assert said == (
        "written to the ledger: 2023-05-0001 (1 entry), but the output could not be written: "
        f"{reason}\n"
    )
    assert "Traceback" not in said


def test_a_void_and_an_import_say_what_they_wrote(root: Path, tmp_path: Path):
    assert (
        run(root, "pipe", "add", "-d", "市公安局", "-c", "2.4.3", "--month", "2023-05").returncode
        == 0
    )
    void = run(root, "pipe", "void", "2023-05-0001", "--reason", "申诉成立")
    assert void.returncode == 0 and b"2023-05-0002 (1 entry)" in void.stderr
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "department,clause,month\n市民政局,2.4.3,2023-05\n市民政局,2.4.3,2023-05\n",
        encoding="utf-8",
    )
    done = run(root, "pipe", "import", str(rows))
    said = done.stderr.decode("utf-8")
    assert done.returncode == 0, said
    assert "written to the ledger: 2023-05-0003 … 2023-05-0004 (2 entries)" in said
    assert entries(root).count('clause = "2.4.3"') == 3


def test_an_entry_written_but_not_committed_still_exits_3(root: Path):
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "the root"], cwd=root, check=True)
    (root / ".git" / "index.lock").write_text("", encoding="utf-8")  # another git at work
    done = run(
        root, "pipe", "add", "-d", "市公安局", "-c", "2.4.3", "--month", "2023-05", "--commit"
    )
    said = done.stderr.decode("utf-8")
    assert done.returncode == 3, said
    assert "written to the ledger: 2023-05-0001 (1 entry)" in said
    assert "written to the ledger but not committed to git" in said


def test_a_report_whose_reader_went_away_exits_0_and_one_on_a_full_disk_exits_1(root: Path):
    assert (
        run(root, "pipe", "add", "-d", "市公安局", "-c", "2.4.3", "--month", "2023-05").returncode
        == 0
    )
    piped = run(root, "pipe", "month", "2023-05")  # `govscore month 2023-05 | head -0`
    assert (piped.returncode, piped.stderr) == (0, b"")
    if FULL.exists():
        full = run(root, "full", "month", "2023-05")
        assert full.returncode == 1
        assert full.stderr.decode("utf-8") == "the output could not be written: the disk is full\n"


def test_a_report_over_problems_keeps_its_exit_1_when_its_reader_goes_away(root: Path):
    """`check | head -1` over a ledger with problems exited 0 once a closed pipe was taken
    for a reader that had what it wanted: the verdict stands, 1 (review W F1)."""
    assert (
        run(root, "pipe", "add", "-d", "市公安局", "-c", "2.4.3", "--month", "2023-05").returncode
        == 0
    )
    with (root / "ledger" / "2023-05.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            '\n[[entry]]\nid = "2023-05-0002"\ndepartment = "市公安局"\nclause = "9.9.9"\n'
        )
    # log lists the entry with its problem (no line is left unparsed): it exits 0 there.
    for command in (("check",), ("month", "2023-05"), ("year", "2023"), ("log",)):
        done = run(root, "pipe", *command)
        assert (done.returncode, done.stderr) == (1 if command != ("log",) else 0, b""), command


# The item records the checks are tested on. With PYTHONUNBUFFERED=1 (as some CI sets
# it) Python drops the rest of a write a pipe takes only part of, with no error: the
# tests below run govscore buffered, as a cron job does, so the reader going away is an
# error govscore meets.
CORPUS = Path(__file__).parent / "items" / "corpus"


def shell(folder: Path, line: str) -> tuple[str, str]:
    """A bash line as a cron job runs it, with pipefail; its stdout and stderr."""
    env = process_env({"GOVSCORE": f"{sys.executable} -m govscore"})
    env.pop("PYTHONUNBUFFERED", None)  # see CORPUS
    done = subprocess.run(
        ["bash", "-c", "set -o pipefail; " + line],
        cwd=folder,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        env=env,
        timeout=120,
    )
    return done.stdout.decode("utf-8"), done.stderr.decode("utf-8")


def test_an_items_check_cut_short_by_head_keeps_its_exit_1(tmp_path: Path):
    """`items check FILE | head -3` exited 0 where the whole check exits 1: a cron job with
    pipefail took a file of findings for a clean one (review J4)."""
    item = json.loads((CORPUS / "r02-special.json").read_text(encoding="utf-8"))[0]
    lines = (
        json.dumps({**item, "实施编码": f"11370600MB2853052T302{n:010d}"}, ensure_ascii=False)
        for n in range(1500)
    )
    (tmp_path / "many.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert os.path.getsize(tmp_path / "many.jsonl") > 1_000_000  # findings: ~280 KB, > a pipe
    for fmt in ("table", "csv", "json"):
        said, errors = shell(
            tmp_path,
            f"$GOVSCORE items check many.jsonl --format {fmt} 2>errors | head -3 >/dev/null; "
            'echo "${PIPESTATUS[*]}"; cat errors',
        )
        assert said == "1 0\n", (fmt, said, errors)
        assert errors == "", fmt  # quiet: no traceback, no message, no closing count
    # A check that ended clean before its reader went away keeps its 0.
    said, errors = shell(
        tmp_path,
        f"$GOVSCORE items check {CORPUS / 'clean.json'} | head -0; echo ${{PIPESTATUS[0]}}",
    )
    assert (said, errors) == ("0\n", "")


def test_a_closed_stdout_is_said_and_is_exit_1(root: Path):
    """`govscore month 2023-05 >&-` exited 0 having written nothing: with no stdout Python
    had none to fail on (review J4). What was written stands, as on a full disk."""
    said, errors = shell(root, "$GOVSCORE add -d 市公安局 -c 2.4.3 --month 2023-05 >&-; echo $?")
    assert said == "0\n"
    assert errors == (
        "written to the ledger: 2023-05-0001 (1 entry), but the output could not be "
        "written: stdout is closed\n"
    )
    assert entries(root).count('clause = "2.4.3"') == 1
    for command in ("month 2023-05", "--help"):
        said, errors = shell(root, f"$GOVSCORE {command} >&-; echo $?")
        assert said == "1\n", command
        assert errors == "the output could not be written: stdout is closed\n", command
