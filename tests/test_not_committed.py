"""Written but not committed: a commit that fails after the append exits 3, naming the ids.

Exit 1 means "nothing written": a cron job that retries on it would book the same entry
twice. Each test makes git refuse for real (another git's index.lock, a path git will
not stage, no repository at all) and runs govscore as a real process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import run_process
from govscore.ledger.cachefile import signing_key
from govscore.ledger.loader import _read_snapshot


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def gs(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_process("--root", str(root), *args)


@pytest.fixture
def office(root: Path) -> Path:
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the office's root")
    return root


def ledger(root: Path) -> str:
    return (root / "ledger" / "2023-05.toml").read_text(encoding="utf-8")


def lock_the_index(root: Path) -> Path:
    """What another git (an editor's, a crashed one's) leaves while it works on the index."""
    lock = root / ".git" / "index.lock"
    lock.write_text("", encoding="utf-8")
    return lock


def assert_written_not_committed(result: subprocess.CompletedProcess[str], ids: list[str]):
    assert result.returncode == 3, result.stderr
    assert result.stdout.split() == ids
    assert "written to the ledger but not committed to git" in result.stderr
    assert ", ".join(ids) in result.stderr
    assert "Traceback" not in result.stderr


def test_add_with_a_locked_index_prints_the_id_and_exits_3(office: Path):
    before = git(office, "rev-parse", "HEAD")
    lock_the_index(office)
    result = gs(office, "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05", "--commit")
    assert_written_not_committed(result, ["2023-05-0001"])
    assert "index.lock" in result.stderr
    assert 'id = "2023-05-0001"' in ledger(office)
    assert git(office, "rev-parse", "HEAD") == before
    # The snapshot was written while git tried: it holds the file as it stands now.
    kept = _read_snapshot(office, signing_key())
    assert kept is not None and kept.entries == 1
    assert kept.files["ledger/2023-05.toml"].size == len(ledger(office).encode())


def test_a_keyed_retry_after_exit_3_commits_what_the_first_run_wrote(office: Path):
    """A cron job retries on exit 3. Its keyed add finds the entry recorded and writes
    nothing; it must still commit what the first run wrote, or say again that it is not
    committed: it exited 0 with the entry only in the working tree."""
    args = ("add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05", "--commit")
    lock = lock_the_index(office)
    assert_written_not_committed(gs(office, *args, "--key", "k1"), ["2023-05-0001"])
    again = gs(office, *args, "--key", "k1")  # git still locked: exit 3 again
    assert_written_not_committed(again, ["2023-05-0001"])
    assert "key 'k1' is already recorded as 2023-05-0001" in again.stderr
    lock.unlink()
    done = gs(office, *args, "--key", "k1")
    assert (done.returncode, done.stdout) == (0, "2023-05-0001\n"), done.stderr
    assert git(office, "status", "--porcelain", "ledger") == ""
    assert git(office, "log", "-1", "--format=%s") == (
        "govscore: 2023-05-0001 (recorded before, committed now)"
    )
    assert 'id = "2023-05-0001"' in git(office, "show", "HEAD:ledger/2023-05.toml")
    # Once committed, a retry has nothing to commit and makes no commit.
    head = git(office, "rev-parse", "HEAD")
    assert gs(office, *args, "--key", "k1").returncode == 0
    assert git(office, "rev-parse", "HEAD") == head


def test_a_keyed_retry_of_a_committed_entry_commits_nothing_else(office: Path):
    """The usual retry: the keyed entry is in HEAD. Another entry left uncommitted in the
    same month file is no business of the retry: no commit is made under the keyed
    entry's name, and a locked index is no failure (exit 0, as before the catch-up)."""
    args = ("add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05", "--commit")
    assert gs(office, *args, "--key", "k1").stdout == "2023-05-0001\n"
    other = gs(office, "add", "-d", "市公安局", "-c", "2.4.3", "--month", "2023-05")
    assert other.stdout == "2023-05-0002\n"
    head = git(office, "rev-parse", "HEAD")
    again = gs(office, *args, "--key", "k1")
    assert (again.returncode, again.stdout) == (0, "2023-05-0001\n"), again.stderr
    assert git(office, "rev-parse", "HEAD") == head
    lock_the_index(office)
    locked = gs(office, *args, "--key", "k1")
    assert (locked.returncode, locked.stdout) == (0, "2023-05-0001\n"), locked.stderr


def test_void_and_close_with_a_locked_index_exit_3(office: Path):
    recurring = gs(
        office, "add", "-d", "市民政局", "-c", "3.1.3", "--recurring", "--month", "2023-05"
    )
    plain = gs(office, "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05")
    assert (recurring.returncode, plain.returncode) == (0, 0)
    lock = lock_the_index(office)
    voided = gs(office, "void", "2023-05-0002", "--reason", "申诉成立", "--commit")
    assert_written_not_committed(voided, ["2023-05-0003"])
    closed = gs(office, "close", "2023-05-0001", "--through", "2023-06", "--commit")
    assert_written_not_committed(closed, ["2023-05-0004"])
    lock.unlink()
    assert gs(office, "check").returncode == 0


def test_commit_setting_with_a_locked_index_exits_3_without_the_flag(office: Path):
    weights = office / "weights.toml"
    weights.write_text(
        weights.read_text(encoding="utf-8").replace("commit = false", "commit = true"),
        encoding="utf-8",
    )
    git(office, "commit", "-qam", "always commit")
    lock_the_index(office)
    result = gs(office, "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05")
    assert_written_not_committed(result, ["2023-05-0001"])


def test_import_with_a_locked_index_prints_every_id_and_exits_3(office: Path, tmp_path: Path):
    rows = tmp_path / "daily.csv"
    rows.write_text(
        "department,clause,count,key\n市民政局,2.4.3,2,k1\n市公安局,2.4.7,1,k2\n", encoding="utf-8"
    )
    lock_the_index(office)
    result = gs(office, "import", str(rows), "--month", "2023-05", "--commit")
    assert_written_not_committed(result, ["2023-05-0001", "2023-05-0002"])
    assert "imported 2 entries" in result.stderr


def test_items_record_with_a_locked_index_exits_3(office: Path, tmp_path: Path):
    corpus = Path(__file__).parent / "items" / "corpus" / "clean.json"
    record = json.loads(corpus.read_text(encoding="utf-8"))[0]
    failing = {**record, "实施主体": "市公安局", "承诺办结时限": "无"}  # rule 3
    export = tmp_path / "items.jsonl"
    export.write_text(json.dumps(failing, ensure_ascii=False) + "\n", encoding="utf-8")
    lock_the_index(office)
    result = gs(office, "items", "check", str(export), "--record", "2023-05", "--commit")
    # stdout keeps the findings it always carries; the ids are named on stderr.
    assert result.returncode == 3, result.stderr
    assert "2023-05-0001: written to the ledger but not committed to git" in result.stderr
    assert "booked 2023-05-0001" in result.stderr
    assert 'id = "2023-05-0001"' in ledger(office)


def test_items_commit_without_record_is_a_usage_error(office: Path, tmp_path: Path):
    export = tmp_path / "items.jsonl"
    export.write_text("", encoding="utf-8")
    result = gs(office, "items", "check", str(export), "--commit")
    assert result.returncode == 2
    assert "--commit commits what --record books" in result.stderr


def test_a_path_git_will_not_stage_exits_3(office: Path):
    first = gs(office, "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05", "--commit")
    assert first.returncode == 0, first.stderr
    git(office, "update-index", "--skip-worktree", "ledger/2023-05.toml")
    result = gs(office, "add", "-d", "市公安局", "-c", "2.4.7", "--month", "2023-05", "--commit")
    assert_written_not_committed(result, ["2023-05-0002"])


def test_outside_git_the_entry_is_written_and_the_exit_is_3(tmp_path: Path):
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / ".git").mkdir()  # init sees a repository and does not make one …
    assert run_process("init", str(folder)).returncode == 0
    shutil.rmtree(folder / ".git")  # … and then there is none
    result = gs(folder, "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05", "--commit")
    assert_written_not_committed(result, ["2023-05-0001"])
    assert "not in a git repository" in result.stderr
    assert 'id = "2023-05-0001"' in ledger(folder)


def test_an_import_rerun_after_exit_3_commits_what_the_first_run_wrote(
    office: Path, tmp_path: Path
):
    """A cron job retries its import on exit 3. The re-run skips every row (their keys
    are recorded); it must still commit what the first run wrote, or say again that it
    is not committed: it exited 0 with the entries only in the working tree."""
    rows = tmp_path / "daily.csv"
    rows.write_text(
        "department,clause,count,key\n市民政局,2.4.3,2,k1\n市公安局,2.4.7,1,k2\n", encoding="utf-8"
    )
    args = ("import", str(rows), "--month", "2023-05", "--commit")
    lock = lock_the_index(office)
    assert_written_not_committed(gs(office, *args), ["2023-05-0001", "2023-05-0002"])
    again = gs(office, *args)  # git still locked: exit 3 again, naming the same ids
    assert (again.returncode, again.stdout) == (3, ""), again.stderr
    assert again.stderr.splitlines() == [
        "imported 0 entries, skipped 2 already recorded (by key)",
        "error: 2023-05-0001, 2023-05-0002: written to the ledger but not committed to git: "
        + again.stderr.split("not committed to git: ")[1].split(" — ")[0]
        + " — do not record them again; commit the ledger once that is mended "
        "(git add ledger && git commit)",
    ]
    assert "index.lock" in again.stderr
    lock.unlink()
    # Meanwhile a clerk added an entry of June by hand, not committed: none of the
    # import's business, so its file stays out of the import's commit.
    other = gs(office, "add", "-d", "市公安局", "-c", "2.4.3", "--month", "2023-06")
    assert other.stdout == "2023-06-0001\n", other.stderr
    done = gs(office, *args)
    assert (done.returncode, done.stdout) == (0, ""), done.stderr
    assert done.stderr == (
        "imported 0 entries, skipped 2 already recorded (by key)\n"
        "committed 2023-05-0001, 2023-05-0002: recorded by an earlier import that could "
        "not commit\n"
    )
    assert git(office, "log", "-1", "--format=%s") == (
        "govscore: 2023-05-0001, 2023-05-0002 (recorded before, committed now)"
    )
    assert git(office, "show", "--name-only", "--format=", "HEAD") == "ledger/2023-05.toml"
    assert git(office, "status", "--porcelain", "ledger") == "?? ledger/2023-06.toml"
    # Once committed, a re-run has nothing to commit and makes no commit, even with
    # git locked (exit 0, as before the catch-up).
    head = git(office, "rev-parse", "HEAD")
    lock_the_index(office)
    last = gs(office, *args)
    assert (last.returncode, last.stdout) == (0, ""), last.stderr
    assert last.stderr == "imported 0 entries, skipped 2 already recorded (by key)\n"
    assert git(office, "rev-parse", "HEAD") == head


def test_an_import_rerun_under_the_commit_setting_commits_only_its_own_entries(
    office: Path, tmp_path: Path
):
    """commit = true in weights.toml asks what --commit asks. Entries of another
    import (keys this file does not have) stay uncommitted; a failing commit is exit 3
    again, naming only this import's entries."""
    rows = tmp_path / "daily.csv"
    rows.write_text("department,clause,key\n市民政局,2.4.3,k1\n", encoding="utf-8")
    assert gs(office, "import", str(rows), "--month", "2023-05").stdout == "2023-05-0001\n"
    elsewhere = tmp_path / "other.csv"
    elsewhere.write_text("department,clause,key\n市公安局,2.4.3,z9\n", encoding="utf-8")
    assert gs(office, "import", str(elsewhere), "--month", "2023-06").returncode == 0
    weights = office / "weights.toml"
    weights.write_text(
        weights.read_text(encoding="utf-8").replace("commit = false", "commit = true"),
        encoding="utf-8",
    )
    git(office, "commit", "-qm", "always commit", "weights.toml")
    args = ("import", str(rows), "--month", "2023-05")
    lock = lock_the_index(office)
    refused = gs(office, *args)
    assert (refused.returncode, refused.stdout) == (3, ""), refused.stderr
    assert "error: 2023-05-0001: written to the ledger but not committed" in refused.stderr
    lock.unlink()
    done = gs(office, *args)
    assert done.returncode == 0, done.stderr
    assert done.stderr.endswith(
        "committed 2023-05-0001: recorded by an earlier import that could not commit\n"
    )
    assert git(office, "show", "--name-only", "--format=", "HEAD") == "ledger/2023-05.toml"
    assert git(office, "status", "--porcelain", "ledger") == "?? ledger/2023-06.toml"


def test_an_import_rerun_that_adds_rows_commits_the_earlier_ones_too(office: Path, tmp_path: Path):
    """The next export repeats the rows of a run that exited 3 and brings a new one of
    another month: the new entry is committed as always, and the earlier run's entries,
    in their own month file, are committed as well."""
    rows = tmp_path / "daily.csv"
    rows.write_text("department,clause,month,key\n市民政局,2.4.3,2023-05,k1\n", encoding="utf-8")
    lock = lock_the_index(office)
    assert_written_not_committed(gs(office, "import", str(rows), "--commit"), ["2023-05-0001"])
    lock.unlink()
    with rows.open("a", encoding="utf-8") as more:
        more.write("市公安局,2.4.3,2023-06,k2\n")
    done = gs(office, "import", str(rows), "--commit")
    assert (done.returncode, done.stdout) == (0, "2023-06-0001\n"), done.stderr
    assert done.stderr == (
        "imported 1 entry, skipped 1 already recorded (by key)\n"
        "committed 2023-05-0001: recorded by an earlier import that could not commit\n"
    )
    assert git(office, "log", "-2", "--format=%s").splitlines() == [
        "govscore: 2023-05-0001 (recorded before, committed now)",
        "govscore: 市公安局 2.4.3 (2023-06-0001)",
    ]
    assert git(office, "status", "--porcelain", "ledger") == ""


RECORD_AGAIN = {
    "en": " — do not record them again; commit the ledger once that is mended "
    "(git add ledger && git commit)\n",
    "zh": "——请勿重复登记；问题解决后再提交台账（git add ledger && git commit）\n",
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_left_over_index_lock_is_said_in_the_readers_words_naming_the_file(
    office: Path, lang: str
):
    lock = lock_the_index(office)
    add = ("add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05", "--commit")
    result = run_process("--root", str(office), *add, env={"GOVSCORE_LANG": lang})
    said = {
        "en": "error: 2023-05-0001: written to the ledger but not committed to git: another git "
        "is working in this repository, or one stopped halfway and left its lock file "
        f"{lock}: once no git is running, remove that file and commit again",
        "zh": "错误：2023-05-0001：已写入台账，但未提交到 git：另一个 git 正在此仓库中工作，或有 git "
        f"中途退出、留下了锁文件 {lock}：确认没有 git 在运行后，删除该文件并重新提交",
    }[lang]
    assert (result.returncode, result.stdout, result.stderr) == (
        3,
        "2023-05-0001\n",
        said + RECORD_AGAIN[lang],
    )
    tagged = run_process(
        "--root", str(office), "departments", "tag", "市体育局", "hall", "--commit"
    )
    assert tagged.returncode == 3
    assert tagged.stderr.splitlines()[-1] == (
        "error: changed departments.toml but could not commit it to git: another git is working "
        f"in this repository, or one stopped halfway and left its lock file {lock}: once no git "
        "is running, remove that file and commit again"
    )


def _chinese_locale(folder: Path) -> Path | None:
    """A zh_CN.UTF-8 locale built for this run (LOCPATH), or None where none can be built."""
    if shutil.which("localedef") is None:
        return None
    made = subprocess.run(
        ["localedef", "-i", "zh_CN", "-f", "UTF-8", str(folder / "zh_CN.UTF-8")],
        capture_output=True,
    )
    return folder if made.returncode == 0 else None


def test_a_lock_is_known_when_git_itself_speaks_chinese(office: Path, tmp_path: Path):
    locales = _chinese_locale(tmp_path)
    if locales is None:
        pytest.skip("no zh_CN.UTF-8 locale can be built here (localedef)")
    env = {"LOCPATH": str(locales), "LC_ALL": "zh_CN.UTF-8"}
    lock = lock_the_index(office)
    spoken = subprocess.run(
        ["git", "add", "-A"], cwd=office, env={**os.environ, **env}, capture_output=True, text=True
    )
    if "Unable to create" in spoken.stderr:
        pytest.skip("git has no Chinese messages here")
    add = ("add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05", "--commit")
    result = run_process("--root", str(office), *add, env=env)
    assert result.returncode == 3
    assert f"left its lock file {lock}: once no git is running" in result.stderr


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_name_git_will_not_commit_as_is_said_so(office: Path, lang: str):
    add = ("add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05", "--by", ".", "--commit")
    result = run_process("--root", str(office), *add, env={"GOVSCORE_LANG": lang})
    said = {
        "en": "error: 2023-05-0001: written to the ledger but not committed to git: git will not "
        "commit as “.”, which is no name to git: set one with git config user.name NAME (or "
        "give --by NAME)",
        "zh": "错误：2023-05-0001：已写入台账，但未提交到 git：git 不接受以“.”的名义提交（在 git 看来"
        "这不是姓名）：请用 git config user.name 姓名 设置（或用 --by 姓名 指定）",
    }[lang]
    assert (result.returncode, result.stderr) == (3, said + RECORD_AGAIN[lang])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_any_other_refusal_says_git_refused_and_quotes_git(office: Path, lang: str):
    add = ("add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05", "--commit")
    assert gs(office, *add).returncode == 0
    git(office, "update-index", "--skip-worktree", "ledger/2023-05.toml")
    result = run_process("--root", str(office), *add, env={"GOVSCORE_LANG": lang})
    quoted = "“The following paths and/or pathspecs matched paths that exist”"
    said = {
        "en": "error: 2023-05-0002: written to the ledger but not committed to git: git refused "
        f"to commit: {quoted}",
        "zh": f"错误：2023-05-0002：已写入台账，但未提交到 git：git 拒绝提交：{quoted}",
    }[lang]
    assert (result.returncode, result.stderr) == (3, said + RECORD_AGAIN[lang])
