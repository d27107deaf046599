"""A clear message, never a traceback, when the machine says no (issue 11, items 11, 12):
a read-only ledger, a full disk under `init` and under the cache, an --encoding that is
not a text encoding. Each names the file and what went wrong, exits 1, writes nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest
from test_safety import file_size_limit

from conftest import process_env, run_process

ADD = ("add", "-d", "市公安局", "-c", "2.4.3", "--month")


def govscore(*args: str, prefix: tuple[str, ...] = (), **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "govscore", *args],
        env=process_env(),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        **kwargs,
    )


def assert_refused(result: subprocess.CompletedProcess, file: Path, reason: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{file}: cannot write it: {reason}; nothing was written" in result.stderr
    assert result.stdout == ""


def can(command: list[str]) -> bool:
    if shutil.which(command[0]) is None:
        return False
    return subprocess.run(command, capture_output=True).returncode == 0


@pytest.mark.skipif(
    not can(["unshare", "-rm", "true"]),
    reason="a read-only bind mount needs a user and mount namespace (unshare -rm)",
)
def test_add_on_a_read_only_ledger_says_so(root: Path):
    assert run_process("--root", str(root), *ADD, "2023-05").returncode == 0
    before = (root / "ledger" / "2023-05.toml").read_bytes()
    script = f'mount --bind "{root}" "{root}" && mount -o remount,bind,ro "{root}" && exec "$@"'
    for month in ("2023-05", "2023-06"):  # an existing file, and one add would create
        result = govscore(
            "--root", str(root), *ADD, month, prefix=("unshare", "-rm", "sh", "-c", script, "sh")
        )
        assert_refused(result, root / "ledger" / f"{month}.toml", "the disk is read-only")
    assert (root / "ledger" / "2023-05.toml").read_bytes() == before
    assert not (root / "ledger" / "2023-06.toml").exists()


def _not_allowed_to_write() -> tuple[str, ...]:
    """How to run a process that file permissions bind: as root, root without the
    capabilities that override them (setpriv); as another user, nothing."""
    if os.geteuid() != 0:
        return ()
    caps = "-dac_override,-dac_read_search,-fowner"
    return ("setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}")


@pytest.mark.skipif(
    os.geteuid() == 0 and not can(["setpriv", "--bounding-set=-dac_override", "true"]),
    reason="as root, only setpriv can drop the capability that overrides file permissions",
)
def test_add_to_a_ledger_another_user_owns_says_so(root: Path):
    assert run_process("--root", str(root), *ADD, "2023-05").returncode == 0
    path = root / "ledger" / "2023-05.toml"
    before = path.read_bytes()
    path.chmod(0o444)
    (root / "ledger").chmod(0o555)
    try:
        for month in ("2023-05", "2023-06"):
            result = govscore("--root", str(root), *ADD, month, prefix=_not_allowed_to_write())
            assert_refused(result, root / "ledger" / f"{month}.toml", "no permission to write it")
    finally:
        (root / "ledger").chmod(0o755)
        path.chmod(0o644)
    assert path.read_bytes() == before
    assert not (root / "ledger" / "2023-06.toml").exists()


@pytest.mark.parametrize("limit", [0, 100, 2_000])
def test_init_on_a_full_disk_says_so_and_leaves_nothing(tmp_path: Path, limit: int):
    target = tmp_path / "new" / "office"
    result = govscore("init", str(target), preexec_fn=file_size_limit(limit))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert ": cannot write it: " in result.stderr and "nothing was created" in result.stderr
    assert str(target) in result.stderr
    assert not (tmp_path / "new").exists()


def test_a_cache_write_on_a_full_disk_leaves_no_temporary_file(root: Path):
    for n in range(30):
        assert (
            run_process("--root", str(root), *ADD, "2023-05", "--note", f"第{n}件").returncode == 0
        )
    shutil.rmtree(root / ".govscore-cache", ignore_errors=True)
    result = govscore("--root", str(root), "month", "2023-05", preexec_fn=file_size_limit(512))
    assert result.returncode == 0, result.stderr
    leftovers = [p.name for p in (root / ".govscore-cache").glob(".ledger-*")]
    assert leftovers == []


@pytest.mark.parametrize("encoding", ["rot13", "hex", "base64", "zlib", "undefined"])
def test_import_with_an_encoding_that_is_not_a_text_encoding(root: Path, encoding: str):
    csv = root.parent / "rows.csv"
    csv.write_text("department,clause\n市公安局,2.4.3\n", encoding="utf-8")
    result = run_process(
        "--root", str(root), "import", str(csv), "--month", "2023-05", "--encoding", encoding
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{csv}: cannot be read with --encoding {encoding}: " in result.stderr
    assert "utf-8, utf-8-sig or gb18030" in result.stderr
    assert not (root / "ledger" / "2023-05.toml").exists()


def test_a_configuration_file_the_system_will_not_read_is_named_in_chinese(root: Path):
    """A departments.toml that is a folder (a sync tool's conflict copy, a slip in a file
    manager): the reason in the reader's words, never the C library's English."""
    (root / "departments.toml").unlink()
    (root / "departments.toml").mkdir()
    result = run_process("--root", str(root), "month", "2023-05", env={"GOVSCORE_LANG": "zh"})
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "错误：departments.toml: 无法读取：这是文件夹\n"


def test_an_encoding_that_reads_no_text_is_said_in_chinese(root: Path):
    """Review BB F2: `--encoding undefined` put Python's English reason ("decoding with
    'undefined' codec failed (UnicodeError: undefined encoding)") inside the Chinese
    message; it is said in govscore's words."""
    csv = root.parent / "rows.csv"
    csv.write_text("department,clause\n市公安局,2.4.3\n", encoding="utf-8")
    result = run_process(
        "--root",
        str(root),
        "import",
        str(csv),
        "--month",
        "2023-05",
        "--encoding",
        "undefined",
        env={"GOVSCORE_LANG": "zh"},
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"错误：{csv}: 无法以 --encoding undefined 读取：该编码读不出文本；请指明文件文字的存储编码："
        "utf-8、utf-8-sig 或 gb18030\n"
    )


def test_a_ledger_that_is_a_file_is_said_to_be_one(root: Path):
    """Review BH F12: `add` said 无法打开台账文件夹：系统拒绝读取（EEXIST）, an errno's
    English name, and a read refused where nothing was: ledger is a file."""
    shutil.rmtree(root / "ledger")
    (root / "ledger").write_text("x\n", encoding="utf-8")
    csv = root.parent / "rows.csv"
    csv.write_text("部门,条款,月份\n市公安局,2.4.3,2023-05\n", encoding="utf-8")
    folder = root / "ledger"
    said = {
        "zh": f"错误：{folder}: 是文件，不是文件夹：工作目录的月度台账文件存放在 ledger/ 文件夹中"
        "（请移走该文件后重新运行）\n",
        "en": f"error: {folder}: a file, not a folder: a root keeps its month files in the "
        "ledger/ folder (move the file away, and run again)\n",
    }
    for lang, message in said.items():
        for args in ((*ADD, "2023-05"), ("import", str(csv))):
            result = run_process("--root", str(root), *args, env={"GOVSCORE_LANG": lang})
            assert (result.returncode, result.stdout, result.stderr) == (1, "", message), args
    assert (root / "ledger").read_text(encoding="utf-8") == "x\n"


def test_check_and_repair_say_a_ledger_that_is_a_file_is_one(root: Path):
    """Review BI J3: with ledger a file, `add` named it, but `check` said `ledger: 缺失`
    and `repair` 没有写断的批次, exit 0. Both name it as `add` does: check as a problem
    (exit 1), repair as what stops it (exit 1)."""
    shutil.rmtree(root / "ledger")
    (root / "ledger").write_text("x\n", encoding="utf-8")
    folder = root / "ledger"
    runs = {
        (args, lang): run_process("--root", str(root), *args, env={"GOVSCORE_LANG": lang})
        for args in (("check",), ("repair",), ("repair", "--yes"))
        for lang in ("zh", "en")
    }
    said = {key: (r.returncode, r.stdout, r.stderr) for key, r in runs.items()}
    zh = "是文件，不是文件夹：工作目录的月度台账文件存放在 ledger/ 文件夹中（请移走该文件后重新运行）"
    en = (
        "a file, not a folder: a root keeps its month files in the ledger/ folder (move the "
        "file away, and run again)"
    )
    assert said == {
        (("check",), "zh"): (
            1,
            f"ledger: {zh}\n",
            "0 个月度台账文件，0 条记录（台账尚无提交）：1 个问题\n",
        ),
        (("check",), "en"): (
            1,
            f"ledger: {en}\n",
            "0 entries in 0 ledger files (ledger has no commits yet): 1 problem\n",
        ),
        (("repair",), "zh"): (1, "", f"错误：{folder}: {zh}\n"),
        (("repair",), "en"): (1, "", f"error: {folder}: {en}\n"),
        (("repair", "--yes"), "zh"): (1, "", f"错误：{folder}: {zh}\n"),
        (("repair", "--yes"), "en"): (1, "", f"error: {folder}: {en}\n"),
    }
    assert (root / "ledger").read_text(encoding="utf-8") == "x\n"


def test_a_ledger_committed_as_a_file_is_named_as_one_at_that_revision(tmp_path: Path):
    """Review BL F3: `check --at REV` of a revision holding a file in ledger/'s place said
    `ledger: 缺失`; it names the file as the work tree's check does. A revision holding the
    folder reads as ever."""
    root = tmp_path / "office"
    assert run_process("init", str(root)).returncode == 0
    git = partial(subprocess.run, cwd=root, check=True, capture_output=True)
    git(["git", "tag", "before"])
    shutil.rmtree(root / "ledger")
    (root / "ledger").write_text("x\n", encoding="utf-8")
    git(["git", "add", "-A"])
    git(["git", "commit", "-qm", "a file"])
    checked = run_process("--root", str(root), "check", "--at", "HEAD")
    assert (checked.returncode, checked.stdout) == (
        1,
        "ledger: a file, not a folder: a root keeps its month files in the ledger/ folder "
        "(move the file away, and run again)\n",
    )
    assert run_process("--root", str(root), "check", "--at", "before").returncode == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_or_a_folder_in_ledger_or_amendments_is_named_as_what_it_is(root: Path):
    """Review BH F13: a named pipe in ledger/ was called a folder (`ledger/2023-06.toml/:
    是文件夹`), and a folder in amendments/ named as a notice was said to be misnamed."""
    os.mkfifo(root / "ledger" / "2023-06.toml")
    (root / "amendments" / "2023-07-15.toml").mkdir(parents=True)
    os.mkfifo(root / "amendments" / "2023-08-01.toml")
    said = {
        lang: run_process("--root", str(root), "check", env={"GOVSCORE_LANG": lang})
        for lang in ("zh", "en")
    }
    assert {lang: (r.returncode, r.stdout) for lang, r in said.items()} == {
        "zh": (
            1,
            "amendments/2023-07-15.toml: 是文件夹，不是补充通知文件：amendments/ 中每份补充通知一个文件\n"
            "amendments/2023-08-01.toml: 不是普通文件，而是命名管道、套接字或设备：amendments/ "
            "中只能存放普通文件\n"
            "ledger/2023-06.toml: 不是普通文件，而是命名管道、套接字或设备：ledger/ 中只能存放普通文件\n",
        ),
        "en": (
            1,
            "amendments/2023-07-15.toml: a folder, not an amendment file: amendments/ holds one "
            "file per notice\n"
            "amendments/2023-08-01.toml: not a regular file but a named pipe, a socket or a "
            "device: amendments/ holds only regular files\n"
            "ledger/2023-06.toml: not a regular file but a named pipe, a socket or a device: "
            "ledger/ holds only regular files\n",
        ),
    }


def test_a_regular_file_whose_name_ends_in_a_kind_mark_is_named_as_it_is(root: Path):
    """Review BI F4: a file's kind was marked at the end of its name (`ls -F`'s "|", "@",
    "/"), so a regular file named `2023-06.toml|` was named `ledger/2023-06.toml`, the
    healthy month file beside it, and said to be a named pipe; `2023-09-01.toml@` a link.
    Each is named by its own name, as a misnamed regular file."""
    assert run_process("--root", str(root), *ADD, "2023-06").returncode == 0
    (root / "ledger" / "2023-06.toml|").write_text("x\n", encoding="utf-8")
    (root / "amendments").mkdir()
    (root / "amendments" / "2023-09-01.toml@").write_text("y\n", encoding="utf-8")
    (root / "amendments" / "2023-10-01.toml").mkdir()  # a folder stays one
    said = {
        lang: run_process("--root", str(root), "check", env={"GOVSCORE_LANG": lang})
        for lang in ("zh", "en")
    }
    assert {lang: (r.returncode, r.stdout) for lang, r in said.items()} == {
        "zh": (
            1,
            "amendments/2023-09-01.toml@: 不是补充通知文件：补充通知以生效日期命名，YYYY-MM-DD.toml"
            "（如 2023-09-01.toml）\n"
            "amendments/2023-10-01.toml: 是文件夹，不是补充通知文件：amendments/ 中每份补充通知一个文件\n"
            "ledger/2023-06.toml|: 不是台账文件：月度台账文件名为 YYYY-MM.toml 或 YYYY-MM.csv\n",
        ),
        "en": (
            1,
            "amendments/2023-09-01.toml@: not an amendment file: amendments are named by their "
            "effective date, YYYY-MM-DD.toml (e.g. 2023-09-01.toml)\n"
            "amendments/2023-10-01.toml: a folder, not an amendment file: amendments/ holds one "
            "file per notice\n"
            "ledger/2023-06.toml|: not a ledger file: month files are named YYYY-MM.toml or "
            "YYYY-MM.csv\n",
        ),
    }


# 88 Chinese characters: 264 bytes in UTF-8, past the 255 a file name may have.
LONG = "政务服务" * 22


def test_a_name_too_long_is_said_in_words_never_a_traceback(root: Path, tmp_path: Path):
    """Review BH F9: Python 3.11's is_dir(), is_file() and exists() raise ENAMETOOLONG,
    and `items check`, `import --template`, `--root`, `init` and `report -o` into a folder
    of such a name crashed with tracebacks."""
    work = tmp_path / "work"
    work.mkdir()
    runs = {
        "items": ("--root", str(root), "items", "check", f"{LONG}.json"),
        "template": ("--root", str(root), "import", "--template", f"{LONG}.xlsx"),
        "root": ("--root", LONG, "check"),
        "init": ("init", LONG),
        "report": ("--root", str(root), "report", "2023-05", "-o", f"{LONG}/x.html"),
    }
    said = {
        (name, lang): run_process(*args, cwd=work, env={"GOVSCORE_LANG": lang})
        for name, args in runs.items()
        for lang in ("zh", "en")
    }
    assert {key: (r.returncode, r.stderr) for key, r in said.items()} == {
        ("items", "zh"): (
            1,
            f"{LONG}.json: 无法读取：文件名过长\n"
            "已检查 0 个事项：0 个事项有问题，共 0 个问题，1 条记录无法读取\n",
        ),
        ("items", "en"): (
            1,
            f"{LONG}.json: cannot read: its name is too long\n"
            "checked 0 items: 0 with findings, 0 findings, 1 unreadable record\n",
        ),
        ("template", "zh"): (1, f"错误：{LONG}.xlsx: 无法写入：文件名过长\n"),
        ("template", "en"): (1, f"error: {LONG}.xlsx: cannot write: its name is too long\n"),
        ("root", "zh"): (1, f"错误：--root {LONG}: 无法读取：文件名过长\n"),
        ("root", "en"): (1, f"error: --root {LONG}: cannot be read: its name is too long\n"),
        ("init", "zh"): (2, f"错误：{LONG}: 无法在此建立工作目录：文件名过长\n"),
        ("init", "en"): (2, f"error: {LONG}: cannot make a root there: its name is too long\n"),
        ("report", "zh"): (2, f"错误：{LONG}/x.html: 没有可写入的文件夹 {LONG}；未写入任何内容\n"),
        ("report", "en"): (
            2,
            f"error: {LONG}/x.html: no folder {LONG} to write it in; nothing written\n",
        ),
    }
    assert list(work.iterdir()) == []


def test_init_where_no_folder_can_be_says_why(tmp_path: Path):
    """Review BH F9: `init a-file/sub` and `init /dev/null` crashed (NotADirectoryError,
    running git in them); each is a usage error naming the reason, nothing made."""
    (tmp_path / "afile").write_text("x\n", encoding="utf-8")
    said = {
        (where, lang): run_process("init", where, env={"GOVSCORE_LANG": lang})
        for where in (str(tmp_path / "afile" / "sub"), os.devnull)
        for lang in ("zh", "en")
    }
    sub = tmp_path / "afile" / "sub"
    assert {key: (r.returncode, r.stdout, r.stderr) for key, r in said.items()} == {
        (str(sub), "zh"): (
            2,
            "",
            f"错误：{sub}: 无法在此建立工作目录：路径中有一级是文件而不是文件夹\n",
        ),
        (str(sub), "en"): (
            2,
            "",
            f"error: {sub}: cannot make a root there: a part of its path is a file, not a folder\n",
        ),
        (os.devnull, "zh"): (
            2,
            "",
            f"错误：{os.devnull}: 不是文件夹；govscore init 只在文件夹中建立工作目录（新文件夹或空文件夹）\n",
        ),
        (os.devnull, "en"): (
            2,
            "",
            f"error: {os.devnull}: not a folder; govscore init makes a root in a folder (a new "
            "one, or an empty one)\n",
        ),
    }
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "x\n"
