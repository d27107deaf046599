"""A git program that is not there, cannot be run, or runs and refuses the repository:
said so, never a traceback, and never taken for a root outside git.

Each test runs govscore as a real process with a PATH of one folder: empty (no git), or
holding a file named git that the system will not run (not executable; not a program
for this system) or that runs and fails (macOS's stub without the command-line tools).
govscore itself is started by the interpreter's full path. A repository git will not
read as another user's is made with git's own test switch, under no git configuration
of the machine's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import run_process

NOT_FOUND = "the git program is not found: install git, or add the folder that holds it to PATH"
CANNOT_RUN = (
    "{program}: the git program cannot be run: {reason}; install git again, or put a working "
    "git first on PATH"
)
NOT_EXECUTABLE = "it is not marked as a program (chmod +x), or the system does not let it run"
NOT_A_PROGRAM = "it is not a program for this system"
UNKNOWN = "git cannot be run: ledger revision unknown"
REFUSED = "git refused to read the repository: “{said}”"
XCRUN = (
    "xcrun: error: invalid active developer path (/Library/Developer/CommandLineTools), "
    "missing xcrun at: /Library/Developer/CommandLineTools/usr/bin/xcrun"
)
ADD = ("add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def no_git(tmp_path: Path) -> Path:
    """A PATH folder without git."""
    folder = tmp_path / "bin"
    folder.mkdir()
    return folder


def unrunnable_git(tmp_path: Path, kind: str) -> tuple[Path, str]:
    """A PATH folder whose git the system refuses to start, and the reason govscore gives."""
    folder = no_git(tmp_path)
    program = folder / "git"
    if kind == "not executable":  # a script copied without its mode
        program.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
        program.chmod(0o644)
        return folder, NOT_EXECUTABLE
    program.write_bytes(b"MZ\x90\x00 a git.exe copied from Windows")
    program.chmod(0o755)
    return folder, NOT_A_PROGRAM


def failing_git(tmp_path: Path) -> Path:
    """A PATH folder whose git runs and fails whatever it is asked, as macOS's /usr/bin/git
    does where the command-line tools are not installed."""
    folder = no_git(tmp_path)
    program = folder / "git"
    program.write_text(f'#!/bin/sh\necho "{XCRUN}" >&2\nexit 1\n', encoding="utf-8")
    program.chmod(0o755)
    return folder


def gs(folder: Path, root: Path, *args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(folder), "GOVSCORE_LANG": lang}
    return run_process("--root", str(root), *args, env=env)


@pytest.fixture
def office(root: Path) -> Path:
    """The test root in its repository, committed, with one entry."""
    assert run_process("--root", str(root), *ADD).returncode == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the office's root")
    return root


def test_without_git_reports_say_git_cannot_be_run_not_that_the_ledger_is_outside_git(
    office: Path, tmp_path: Path
):
    folder = no_git(tmp_path)
    checked = gs(folder, office, "check")
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr == f"1 entry in 1 ledger file ({UNKNOWN}): no problems\n"
    month = gs(folder, office, "month", "2023-05", lang="zh")
    assert month.returncode == 0, month.stderr
    assert month.stdout.splitlines()[0].endswith(" · git 无法运行，台账版本未知")
    assert gs(folder, office, "check", lang="zh").stderr == (
        "1 个月度台账文件，1 条记录（git 无法运行，台账版本未知）：未发现问题\n"
    )
    page = tmp_path / "通报.html"
    assert gs(folder, office, "report", "2023-05", "-o", str(page)).returncode == 0
    text = page.read_text(encoding="utf-8")
    assert "<span>git 无法运行，台账版本未知</span>" in text
    assert "台账未纳入 git" not in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_without_git_what_needs_git_says_the_program_is_not_found(
    office: Path, tmp_path: Path, lang: str
):
    folder = no_git(tmp_path)
    said = {"en": NOT_FOUND, "zh": "找不到 git 程序：请安装 git，或将其所在文件夹加入 PATH"}[lang]
    error = {"en": "error: ", "zh": "错误："}[lang]
    before = (office / "ledger" / "2023-05.toml").read_bytes()
    for args in [ADD, (*ADD, "--commit"), ("audit",)]:
        result = gs(folder, office, *args, lang=lang)
        assert (result.returncode, result.stdout, result.stderr) == (1, "", f"{error}{said}\n")
    # A clone's tag is git's to tell: nothing is written without it.
    assert (office / "ledger" / "2023-05.toml").read_bytes() == before
    # Nothing is wrong with the command line: exit 1, as the README says (review BI F3:
    # --at and --since were usage errors, exit 2).
    for args in [("month", "2023-05", "--at", "HEAD"), ("check", "--at", "HEAD")]:
        at = gs(folder, office, *args, lang=lang)
        assert (at.returncode, at.stderr) == (1, f"{error}{said}\n"), args
    since = gs(folder, office, "audit", "--since", "HEAD", lang=lang)
    assert (since.returncode, since.stderr) == (1, f"{error}{said}\n")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_init_without_git_says_git_is_missing_and_leaves_nothing(tmp_path: Path, lang: str):
    target = tmp_path / "new" / "office"
    result = gs(no_git(tmp_path), target, "init", str(target), lang=lang)
    expected = {
        "en": f"error: {target}: cannot make its git repository: {NOT_FOUND}; nothing was created",
        "zh": f"错误：{target}: 无法建立其 git 仓库：找不到 git 程序：请安装 git，或将其所在文件夹"
        "加入 PATH；未创建任何内容",
    }[lang]
    assert (result.returncode, result.stderr) == (1, expected + "\n")
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("kind", ["no git", "not executable", "runs and fails"])
def test_outside_git_without_git_the_ledger_is_still_said_to_be_outside_git(
    root: Path, tmp_path: Path, kind: str
):
    shutil.rmtree(root / ".git")
    folder = root
    if kind == "no git":
        path = no_git(tmp_path)
    elif kind == "runs and fails":
        path = failing_git(tmp_path)
    else:
        path = unrunnable_git(tmp_path, kind)[0]
    added = gs(path, folder, *ADD)
    assert (added.returncode, added.stdout) == (0, "2023-05-0001\n"), added.stderr
    checked = gs(path, folder, "check")
    assert checked.stderr == "1 entry in 1 ledger file (ledger not in git): no problems\n"
    # Written, not committed (exit 3): there is no repository, git or not, so the words
    # say so and how to make one, never that git is missing (review BI J4).
    committed = gs(path, folder, *ADD, "--commit")
    assert (committed.returncode, committed.stdout) == (3, "2023-05-0002\n")
    assert committed.stderr == (
        f"error: 2023-05-0002: written to the ledger but not committed to git: {folder} is not "
        "in a git repository (run git init there) — do not record them again; commit the "
        "ledger once that is mended (git add ledger && git commit)\n"
    )
    said = gs(path, folder, *ADD, "--commit", lang="zh")
    assert (said.returncode, said.stderr) == (
        3,
        f"错误：2023-05-0003：已写入台账，但未提交到 git：{folder} 不在 git 仓库中（请在该处运行 "
        "git init）——请勿重复登记；问题解决后再提交台账（git add ledger && git commit）\n",
    )


@pytest.mark.parametrize("kind", ["not executable", "not a program"])
def test_a_git_the_system_will_not_run_is_named_with_the_reason(
    office: Path, tmp_path: Path, kind: str
):
    folder, reason = unrunnable_git(tmp_path, kind)
    said = CANNOT_RUN.format(program=folder / "git", reason=reason)
    checked = gs(folder, office, "check")
    assert (checked.returncode, checked.stderr) == (
        0,
        f"1 entry in 1 ledger file ({UNKNOWN}): no problems\n",
    )
    month = gs(folder, office, "month", "2023-05")
    assert month.returncode == 0, month.stderr
    for args in [(*ADD, "--commit"), ("audit",)]:
        result = gs(folder, office, *args)
        assert (result.returncode, result.stderr) == (1, f"error: {said}\n")
    target = tmp_path / "other"
    made = gs(folder, target, "init", str(target))
    assert (made.returncode, made.stderr) == (
        1,
        f"error: {target}: cannot make its git repository: {said}; nothing was created\n",
    )


def test_a_git_that_is_no_program_is_said_in_chinese(office: Path, tmp_path: Path):
    folder, _reason = unrunnable_git(tmp_path, "not executable")
    result = gs(folder, office, "audit", lang="zh")
    assert (result.returncode, result.stderr) == (
        1,
        f"错误：{folder / 'git'}: git 程序无法运行：它没有可执行权限（chmod +x），或系统不允许运行它；"
        "请重新安装 git，或在 PATH 中把可用的 git 放在最前\n",
    )


def test_a_git_that_runs_and_fails_in_a_root_with_git_is_quoted_never_taken_for_outside_git(
    office: Path, tmp_path: Path
):
    """Review BI F8: reports said 台账未纳入 git, add went on without the clone's tag (two
    clones of a shared ledger could number the same ids) and advised git init."""
    folder = failing_git(tmp_path)
    said = REFUSED.format(said=XCRUN)
    checked = gs(folder, office, "check")
    assert (checked.returncode, checked.stderr) == (
        0,
        f"1 entry in 1 ledger file ({UNKNOWN}): no problems\n",
    )
    month = gs(folder, office, "month", "2023-05", lang="zh")
    assert month.returncode == 0, month.stderr
    assert month.stdout.splitlines()[0].endswith(" · git 无法运行，台账版本未知")
    before = (office / "ledger" / "2023-05.toml").read_bytes()
    for args in [
        ADD,
        (*ADD, "--commit"),
        ("audit",),
        ("audit", "--since", "HEAD"),
        ("month", "2023-05", "--at", "HEAD"),
    ]:
        result = gs(folder, office, *args)
        assert (result.returncode, result.stdout, result.stderr) == (1, "", f"error: {said}\n")
    assert (office / "ledger" / "2023-05.toml").read_bytes() == before
    result = gs(folder, office, *ADD, lang="zh")
    assert (result.returncode, result.stderr) == (1, f"错误：git 拒绝读取仓库：“{XCRUN}”\n")


def test_a_repository_git_will_not_read_as_another_users_is_quoted(office: Path):
    """git refuses a repository another user owns (a shared drive, a copied folder):
    "dubious ownership". Made here with git's own test switch, under no configuration
    of the machine's (whose safe.directory could let it through)."""
    env = {
        "GIT_TEST_ASSUME_DIFFERENT_OWNER": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    refused = subprocess.run(
        ["git", "status"], cwd=office, env={**os.environ, **env}, capture_output=True, text=True
    )
    if refused.returncode == 0:
        pytest.skip("this git does not check who owns a repository")
    first = refused.stderr.splitlines()[0]
    assert first.startswith("fatal: detected dubious ownership in repository at ")
    checked = run_process("--root", str(office), "check", env=env)
    assert (checked.returncode, checked.stderr) == (
        0,
        f"1 entry in 1 ledger file ({UNKNOWN}): no problems\n",
    )
    before = (office / "ledger" / "2023-05.toml").read_bytes()
    for args in [(*ADD, "--commit"), ("audit",)]:
        result = run_process("--root", str(office), *args, env=env)
        assert (result.returncode, result.stdout, result.stderr) == (
            1,
            "",
            f"error: {REFUSED.format(said=first)}\n",
        )
    assert (office / "ledger" / "2023-05.toml").read_bytes() == before


def test_a_git_file_pointing_nowhere_is_a_broken_repository_not_outside_git(office: Path):
    """Review BL J3: a .git file (a worktree's or a submodule's pointer) whose repository
    moved: git says "not a git repository: /nonexistent/x", which was taken for a root
    outside git, and `add` booked without the clone's tag. It is a repository git will
    not read: quoted, and what needs git stops. An empty .git folder is still no
    repository (tests/test_not_committed.py)."""
    shutil.rmtree(office / ".git")
    (office / ".git").write_text("gitdir: /nonexistent/x\n", encoding="utf-8")
    said = "fatal: not a git repository: /nonexistent/x"
    checked = run_process("--root", str(office), "check")
    assert (checked.returncode, checked.stderr) == (
        0,
        f"1 entry in 1 ledger file ({UNKNOWN}): no problems\n",
    )
    before = (office / "ledger" / "2023-05.toml").read_bytes()
    added = run_process("--root", str(office), *ADD)
    assert (added.returncode, added.stdout, added.stderr) == (
        1,
        "",
        f"error: {REFUSED.format(said=said)}\n",
    )
    assert (office / "ledger" / "2023-05.toml").read_bytes() == before
