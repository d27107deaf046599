"""Symbolic links (issue 11, item 4): a month file or ledger/ that is a link would put
entries outside the root, counted in reports but never in git. govscore refuses them:
`check` and reports name them and leave them out, `add` and `import` write nothing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import DATA, Run, run_process

ADD = ("add", "-d", "市公安局", "-c", "2.4.3", "--month", "2023-05")
OUTSIDE = '[[entry]]\nid = "o1"\ndepartment = "市公安局"\nclause = "2.4.3"\ncount = 5\n'


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "2023-05.toml").write_text(OUTSIDE, encoding="utf-8")
    return folder


def test_a_linked_month_file_is_left_out_and_never_written(gs: Run, root: Path, outside: Path):
    (root / "ledger" / "2023-05.toml").symlink_to(outside / "2023-05.toml")
    before = (outside / "2023-05.toml").read_bytes()

    added = gs(*ADD)
    assert added.exit_code == 1 and added.stdout == ""
    assert "ledger/2023-05.toml: a symbolic link: govscore writes only regular files" in (
        added.stderr
    )
    assert (outside / "2023-05.toml").read_bytes() == before

    checked = run_process("--root", str(root), "check", "--format", "json")
    assert checked.returncode == 1
    [problem] = json.loads(checked.stdout)["problems"]
    assert problem["file"] == "ledger/2023-05.toml"
    assert problem["message"].startswith("是符号链接：govscore 只读写")  # JSON: in Chinese

    report = run_process("--root", str(root), "month", "2023-05", "--format", "json")
    assert report.returncode == 1
    police = next(
        d for d in json.loads(report.stdout)["departments"] if d["department"] == "市公安局"
    )
    assert police["total"] == 100.0  # the 5 linked deductions do not count
    assert "ledger/2023-05.toml: a symbolic link" in report.stderr


def test_a_dangling_link_is_not_followed_to_create_a_file(gs: Run, root: Path, tmp_path: Path):
    target = tmp_path / "made-by-add.toml"
    (root / "ledger" / "2023-05.toml").symlink_to(target)
    assert gs(*ADD).exit_code == 1
    assert not target.exists()


def test_a_linked_ledger_folder_is_refused(gs: Run, root: Path, outside: Path, tmp_path: Path):
    (root / "ledger").rename(tmp_path / "ledger.real")
    (root / "ledger").symlink_to(outside)
    before = sorted(p.name for p in outside.iterdir())

    added = gs(*ADD)
    assert added.exit_code == 1 and added.stdout == ""
    assert "ledger: a symbolic link, not a folder" in added.stderr
    assert sorted(p.name for p in outside.iterdir()) == before
    assert (outside / "2023-05.toml").read_text(encoding="utf-8") == OUTSIDE

    for args in (["check"], ["month", "2023-05"], ["year", "2023"]):
        result = run_process("--root", str(root), *args)
        assert result.returncode == 1, args
        assert "ledger: a symbolic link, not a folder" in result.stdout + result.stderr
        assert "Traceback" not in result.stderr


def test_a_ledger_folder_that_is_a_link_loop_is_a_message_not_a_traceback(
    gs: Run, root: Path, tmp_path: Path
):
    """Issue 11, item 11: ledger -> ledger."""
    (root / "ledger").rename(tmp_path / "ledger.real")
    (root / "ledger").symlink_to("ledger")
    csv = tmp_path / "rows.csv"
    csv.write_text("department,clause\n市公安局,2.4.3\n", encoding="utf-8")
    for args in (ADD, ("import", str(csv), "--month", "2023-05"), ("check",), ("month", "2023-05")):
        result = run_process("--root", str(root), *args)
        assert result.returncode == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr
        assert "ledger: a symbolic link, not a folder" in result.stdout + result.stderr, args


def test_a_hard_linked_month_file_is_never_written(gs: Run, root: Path, tmp_path: Path):
    """`ln /elsewhere/x.toml ledger/2023-05.toml`: a write through it would change the file
    elsewhere too, so add refuses it as it refuses a symbolic link, and says what to do."""
    assert gs(*ADD).exit_code == 0
    month = root / "ledger" / "2023-05.toml"
    elsewhere = tmp_path / "elsewhere.toml"
    month.rename(elsewhere)
    month.hardlink_to(elsewhere)
    before = elsewhere.read_bytes()

    added = gs(*ADD)
    assert (added.exit_code, added.stdout) == (1, "")
    assert added.stderr == (
        f"error: {month}: a hard link, one of 2 names of one file: govscore writes only "
        "ledger files of the root's own, so that an entry changes no file elsewhere (put a "
        "copy of it in its place, and the file has one name); nothing was written\n"
    )
    assert elsewhere.read_bytes() == before

    # A copy of its own in its place: add writes again.
    month.unlink()
    month.write_bytes(before)
    assert gs(*ADD).exit_code == 0
    assert elsewhere.read_bytes() == before


@pytest.mark.parametrize("name", ["weights.toml", "clauses.toml"])
def test_linked_rules_are_refused_where_they_are_read(root: Path, tmp_path: Path, name: str):
    """Review BO F8: roots that shared one weights.toml through a link read it, yet the
    audit never saw the target change: an edit re-scored recorded months unnamed. The
    rules are read only from a regular file in the root, as ledger files and amendments/
    are, committed (`--at`) or not; the message names the file and what to do."""
    shared = tmp_path / "shared"
    shared.mkdir()
    if name == "weights.toml":
        (root / name).rename(shared / name)
    else:
        (shared / name).write_text((DATA / name).read_text(encoding="utf-8"), encoding="utf-8")
    (root / name).symlink_to(shared / name)
    said = (
        f"error: {name}: a symbolic link: govscore reads the rules only from a regular file in "
        "the root, so that git keeps them (replace the link with the file itself)\n"
    )
    for args in (["check"], ["month", "2023-05"], ["clauses"], [*ADD]):
        result = run_process("--root", str(root), *args)
        assert (result.returncode, result.stdout, result.stderr) == (1, "", said), args
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-qm", "linked"], check=True)
    at = run_process("--root", str(root), "month", "2023-05", "--at", "HEAD")
    assert (at.returncode, at.stdout, at.stderr) == (1, "", said)
