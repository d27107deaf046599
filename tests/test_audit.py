"""`govscore audit` against the attacks of issue 11: real repositories, real merges and amends.

Two clerks work on clones of one shared ledger (so their ids carry clone tags, as in the
office); the attacks are made with git itself, as a hostile or careless clerk would.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DATA, process_env, run_process
from govscore.cli.commands import cli


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def add(root: Path, department: str, clause: str, *more: str) -> str:
    result = run(root, "add", "-d", department, "-c", clause, "--month", "2023-05", *more)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


@pytest.fixture
def clerks(tmp_path: Path, root: Path) -> tuple[Path, Path]:
    """Alice's and Bob's clones of the office's shared ledger, each committing every entry."""
    weights = root / "weights.toml"
    weights.write_text(
        weights.read_text(encoding="utf-8").replace("commit = false", "commit = true"),
        encoding="utf-8",
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the office's root")
    shared = tmp_path / "shared.git"
    git(tmp_path, "clone", "-q", "--bare", str(root), str(shared))
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    git(tmp_path, "clone", "-q", str(shared), str(alice))
    git(tmp_path, "clone", "-q", str(shared), str(bob))
    return alice, bob


def audit_json(root: Path, *args: str) -> tuple[int, list[dict]]:
    result = run(root, "audit", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def test_merge_s_ours_dropping_the_other_clerks_veto_is_caught(clerks: tuple[Path, Path]):
    alice, bob = clerks
    ours = add(bob, "市公安局", "2.4.3")
    veto = add(alice, "市民政局", "4.4.1", "--note", "窗口工作人员受党纪处分")
    git(alice, "push", "-q", "origin", "HEAD")
    git(bob, "fetch", "-q", "origin")
    theirs = git(bob, "rev-parse", "FETCH_HEAD")
    # The merge's tree is Bob's alone: git log -- ledger/ never shows such a merge.
    git(bob, "merge", "-q", "-s", "ours", "--no-edit", "FETCH_HEAD")
    merge = git(bob, "rev-parse", "HEAD")
    assert git(bob, "diff", "HEAD^1", "HEAD") == ""
    assert veto not in (bob / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    assert run(bob, "check").exit_code == 0  # the ledger that is left reads clean

    code, found = audit_json(bob)
    assert code == 1
    [rewrite] = found
    assert (rewrite["commit"], rewrite["parent"]) == (merge, theirs)
    assert rewrite["file"] == "ledger/2023-05.toml"
    assert rewrite["entries"] == [veto]
    assert f"记录 {veto}（第 3 行）被删除" in rewrite["message"]  # JSON: in Chinese
    assert f'-6: clause = "4.4.1"  # {veto.rsplit("-", 1)[1]}' in rewrite["lines"]
    assert ours not in json.dumps(found)  # Bob's own entry is kept

    process = run_process("--root", str(bob), "audit")
    assert process.returncode == 1
    assert process.stdout.splitlines()[0].startswith(f"{merge[:10]} ")
    assert f"entry {veto} (line 3) was removed" in process.stdout
    assert "1 commit did not keep the ledger" in process.stderr


def test_merge_then_checkout_of_the_other_side_amended_in_is_caught(clerks: tuple[Path, Path]):
    alice, bob = clerks
    ours = add(bob, "市公安局", "2.4.3", "-n", "3")
    add(alice, "市民政局", "2.4.7")
    git(alice, "push", "-q", "origin", "HEAD")
    git(bob, "fetch", "-q", "origin")
    before = git(bob, "rev-parse", "HEAD")
    git(bob, "merge", "-q", "--no-edit", "FETCH_HEAD")  # the union merge keeps both
    assert run(bob, "audit").exit_code == 0
    git(bob, "checkout", "FETCH_HEAD", "--", "ledger")
    git(bob, "commit", "-q", "--amend", "--no-edit")
    assert git(bob, "rev-list", "--count", "HEAD^@") != "0"  # still a merge

    code, found = audit_json(bob)
    assert code == 1
    [rewrite] = found
    assert rewrite["parent"] == before  # the first parent lost Bob's entry
    assert rewrite["entries"] == [ours]
    assert "被删除" in rewrite["message"]


def test_an_evil_merge_that_swaps_department_lines_is_caught(clerks: tuple[Path, Path]):
    alice, bob = clerks
    education = add(bob, "市教育局", "2.4.3", "-n", "5")
    police = add(bob, "市公安局", "2.4.3", "-n", "2")
    git(bob, "push", "-q", "origin", "HEAD")
    git(alice, "pull", "-q", "--no-rebase", "origin")
    add(alice, "市民政局", "2.4.7")
    git(alice, "push", "-q", "origin", "HEAD")
    add(bob, "市体育局", "2.4.7")
    git(bob, "pull", "-q", "--no-rebase", "--no-edit", "origin")
    assert run(bob, "audit").exit_code == 0
    ledger = bob / "ledger" / "2023-05.toml"
    text = ledger.read_text(encoding="utf-8")
    tag = education.rsplit("-", 1)[1]
    first, second = f'department = "市教育局"  # {tag}', f'department = "市公安局"  # {tag}'
    swapped = text.replace(first, "@").replace(second, first).replace("@", second)
    ledger.write_text(swapped, encoding="utf-8")
    git(bob, "commit", "-q", "-a", "--amend", "--no-edit")
    # The same lines, each still somewhere: a check of lines as a multiset saw nothing.
    assert sorted(swapped.split("\n")) == sorted(text.split("\n"))
    # Lines moved inside batches govscore wrote no longer match their end marks: check
    # sees it too (tests/test_batches.py); audit names the merge that did it.
    assert "does not match its end" in run(bob, "check").output

    code, found = audit_json(bob)
    assert code == 1
    lines = text.split("\n")
    at_education, at_police = lines.index(first) + 1, lines.index(second) + 1
    changed = [r for r in found if r["entries"] == [education, police]]
    assert changed, found
    assert changed[0]["lines"] == [
        f"-{at_education}: {first}",
        f"+{at_education}: {second}",
        f"-{at_police}: {second}",
        f"+{at_police}: {first}",
    ]
    assert f"记录 {education}（第 {at_education - 2} 行）被改动" in changed[0]["message"]


def test_a_merge_that_moves_an_entry_is_caught(clerks: tuple[Path, Path]):
    alice, bob = clerks
    first = add(bob, "市公安局", "2.4.3")
    second = add(bob, "市民政局", "2.4.3")
    add(alice, "市体育局", "2.4.7")
    git(alice, "push", "-q", "origin", "HEAD")
    git(bob, "pull", "-q", "--no-rebase", "--no-edit", "origin")
    ledger = bob / "ledger" / "2023-05.toml"
    # Each entry moves with its batch's begin line above it, which frames it.
    head, *entries = re.split(r"\n(?=# govscore batch of )", ledger.read_text(encoding="utf-8"))
    by_id = {re.search(r'id = "([^"]+)"', entry).group(1): entry.strip() for entry in entries}
    order = [second, first, *(i for i in by_id if i not in (first, second))]
    ledger.write_text(
        "\n\n".join([head.strip(), *(by_id[i] for i in order)]) + "\n", encoding="utf-8"
    )
    git(bob, "commit", "-q", "-a", "--amend", "--no-edit")
    assert run(bob, "check").exit_code == 0  # whole batches, moved: only the audit sees it

    code, found = audit_json(bob)
    assert code == 1
    assert any("被移到第" in r["message"] for r in found), found
    assert {e for r in found for e in r["entries"]} & {first, second}


@pytest.mark.parametrize("mark", ["\x1f", "\x1e", "\x85", "\u2028"])
def test_audit_reads_commit_text_holding_separators(root: Path, mark: str):
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    entry = add(root, "市民政局", "2.4.3", "--commit")
    voided = run(
        root, "void", entry, "--reason", f"申诉成立{mark}x", "--by", f"王{mark}敏", "--commit"
    )
    assert voided.exit_code == 0, voided.output
    assert mark in git(root, "log", "-1", "--format=%s%an")
    assert run_process("--root", str(root), "audit").returncode == 0

    ledger = root / "ledger" / "2023-05.toml"
    ledger.write_text(
        ledger.read_text(encoding="utf-8").replace('"2.4.3"', '"2.4.7"'), encoding="utf-8"
    )
    git(root, "commit", "-qam", f"fix{mark}it\n\nmore{mark}text")
    result = run_process("--root", str(root), "audit", "--format", "json")
    assert result.returncode == 1, result.stderr
    [rewrite] = json.loads(result.stdout)
    assert rewrite["subject"] == f"fix{mark}it"
    table = run_process("--root", str(root), "audit")
    assert table.returncode == 1
    # A control or line separator is written as an escape: one record, one line.
    assert f"fix\\u{ord(mark):04x}it" in table.stdout.splitlines()[0]


# -- rewritten history (item 13): the ids give it away ----------------------------------

DROP_ENTRY = r"""
import pathlib, re, sys
path = pathlib.Path("ledger/2023-05.toml")
if path.exists():
    # The whole batch the entry was written in (its begin line too): left behind, that
    # line would show the cut to check (tests/test_batches.py), and a careful forger
    # leaves nothing behind.
    chunks = re.split(r"(?<=\n)(?=# govscore batch of )", path.read_text(encoding="utf-8"))
    kept = [chunk for chunk in chunks if f'id = "{sys.argv[1]}"' not in chunk]
    path.write_text("".join(kept), encoding="utf-8")
"""


def drop_from_every_commit(repo: Path, entry_id: str) -> None:
    """What a filter-branch (or a rebase and force-push) does: the entry was never there."""
    script = repo.parent / "drop_entry.py"
    script.write_text(DROP_ENTRY, encoding="utf-8")
    subprocess.run(
        [
            "git",
            "filter-branch",
            "-f",
            "--tree-filter",
            f"{sys.executable} {script} {entry_id}",
            "HEAD",
        ],
        cwd=repo,
        capture_output=True,
        check=True,
        env=process_env({"FILTER_BRANCH_SQUELCH_WARNING": "1"}),
    )


def test_an_entry_removed_from_every_commit_is_a_gap_and_audit_since_finds_it(root: Path):
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    ids = [add(root, "市公安局", "2.4.3", "--commit"), add(root, "市民政局", "4.4.1", "--commit")]
    ids.append(add(root, "市体育局", "2.4.7", "--commit"))
    git(root, "tag", "v2023-05")
    published = git(root, "rev-parse", "v2023-05")
    drop_from_every_commit(root, "2023-05-0002")  # the veto
    assert "2023-05-0002" not in (root / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    assert run(root, "audit").exit_code == 0  # every commit of the new history only appends

    check = run_process("--root", str(root), "check", "--format", "json")
    assert check.returncode == 1
    [problem] = json.loads(check.stdout)["problems"]
    assert problem["file"] == "ledger/2023-05.toml"
    # JSON gives the message in Chinese in both languages (issue 13)
    assert problem["message"].startswith(
        "编号 2023-05-0002 缺失：govscore 按顺序为 2023-05 的记录编号，"
        "而 2023-05-0001 之后是 2023-05-0003"
    )
    assert run(root, "check", "--at", "v2023-05").exit_code == 0  # what was published

    since = run_process("--root", str(root), "audit", "--since", "v2023-05", "--format", "json")
    assert since.returncode == 1
    rewritten, lost = json.loads(since.stdout)
    assert rewritten["parent"] == published
    assert (
        rewritten["message"].startswith("v2023-05（") and "不是 HEAD 的祖先" in rewritten["message"]
    )
    assert lost["file"] == "ledger/2023-05.toml" and lost["entries"] == ["2023-05-0002"]
    assert "记录 2023-05-0002（第 10 行）被删除" in lost["message"]
    assert lost["message"].startswith(
        f"v2023-05（{published[:10]}）时台账中的记录未全部完整、按原顺序保留在 HEAD 中："
    )
    assert "合并" not in lost["message"]  # no merge was made: none is named


def test_the_newest_entry_removed_leaves_no_gap_and_only_audit_since_a_tag_finds_it(
    root: Path,
):
    """What the README says of rewritten history (review AQ F10): removing the newest entry
    of a month leaves no gap in the ids, so check and a plain audit are clean; a tag
    published after it is what shows it."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    add(root, "市公安局", "2.4.3", "--commit")
    add(root, "市民政局", "4.4.1", "--commit")
    veto = add(root, "市体育局", "4.4.1", "--commit")
    git(root, "tag", "v2023-05")
    git(root, "reset", "-q", "--hard", "HEAD~1")
    assert veto not in (root / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    assert (run(root, "check").exit_code, run(root, "audit").exit_code) == (0, 0)
    code, found = audit_json(root, "--since", "v2023-05")
    assert code == 1 and found[-1]["entries"] == [veto]


def test_audit_since_a_kept_tag_passes_and_an_unknown_one_is_a_usage_error(root: Path):
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    add(root, "市公安局", "2.4.3", "--commit")
    git(root, "tag", "v2023-05")
    add(root, "市民政局", "2.4.3", "--commit")
    kept = run_process("--root", str(root), "audit", "--since", "v2023-05")
    assert kept.returncode == 0, kept.stderr
    assert "everything in v2023-05's ledger is still at HEAD, in order" in kept.stderr
    unknown = run(root, "audit", "--since", "v2023-13")
    assert unknown.exit_code == 2
    assert "--since v2023-13: no commit named 'v2023-13'" in unknown.stderr


def test_audit_since_in_process_names_the_rewrite_and_what_the_published_ledger_lost(
    root: Path,
):
    """`audit --since` in process (mutmut sees only in-process calls): a published entry
    removed by a later commit is named twice, as a rewrite and as lost since the tag."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    first = add(root, "市公安局", "2.4.3", "--commit")
    add(root, "市民政局", "2.4.3", "--commit")
    git(root, "tag", "v2023-05")
    assert audit_json(root, "--since", "v2023-05") == (0, [])
    ledger = root / "ledger" / "2023-05.toml"
    text = ledger.read_text(encoding="utf-8")
    ledger.write_text(text.replace(f'id = "{first}"', 'id = "2023-05-0009"'), encoding="utf-8")
    git(root, "commit", "-qam", "renumbered")
    published = git(root, "rev-parse", "v2023-05")
    code, found = audit_json(root, "--since", "v2023-05")
    assert code == 1
    rewrite, lost = found
    assert (rewrite["parent"], rewrite["subject"], rewrite["entries"]) == (
        published,
        "renumbered",
        [first],
    )
    # As of HEAD (the renumbering commit), against the published revision.
    assert (lost["parent"], lost["subject"], lost["file"]) == (
        published,
        "renumbered",
        "ledger/2023-05.toml",
    )
    assert lost["message"].startswith(
        f"v2023-05（{published[:10]}）时台账中的记录未全部完整、按原顺序保留在 HEAD 中："
        f"记录 {first}（第 "
    )
    assert lost["entries"] == [first] and lost["lines"]


def test_audit_since_a_revision_the_history_no_longer_holds_names_the_rewrite_whole(
    root: Path,
):
    """`audit --since` in process, the published revision rewritten away (amended): the
    first finding says so, whole; the second what the published ledger lost, whole."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    add(root, "市公安局", "2.4.3", "--commit")
    second = add(root, "市民政局", "2.4.3", "--commit")
    git(root, "tag", "v2023-05")
    published = git(root, "rev-parse", "v2023-05")
    ledger = root / "ledger" / "2023-05.toml"
    text = ledger.read_text(encoding="utf-8")
    start = text.index("[[entry]]", text.index(f'id = "{second}"') - 40)
    ledger.write_text(text[:start], encoding="utf-8")  # the second entry taken out
    git(root, "commit", "-q", "--amend", "-am", "amended")
    head = git(root, "rev-parse", "HEAD")
    author, date = git(root, "log", "-1", "--format=%an%n%aI").split("\n")
    code, found = audit_json(root, "--since", "v2023-05")
    assert code == 1
    assert found[0] == {
        "commit": head,
        "parent": published,
        "author": author,
        "date": date,
        "subject": "amended",
        "file": "",
        "message": f"v2023-05（{published[:10]}）不是 HEAD 的祖先：已发布的历史被改写过"
        "（amend、rebase、filter-branch 或 force-push）；"
        "`git diff v2023-05 HEAD -- ledger/` 可显示差异",
        "entries": [],
        "lines": [],
        "change": "",
    }
    lost = found[-1]
    # The entry's lines, its batch's begin line above them first: it frames the entry.
    removed = text[text.rindex("\n# govscore batch of ", 0, start) + 1 :].rstrip("\n").split("\n")
    first_line = text[:start].count("\n") + 1
    assert lost == {
        "commit": head,
        "parent": published,
        "author": author,
        "date": date,
        "subject": "amended",
        "file": "ledger/2023-05.toml",
        "message": f"v2023-05（{published[:10]}）时台账中的记录未全部完整、按原顺序保留在 "
        f"HEAD 中：记录 {second}（第 {first_line} 行）被删除",
        "entries": [second],
        "lines": [f"-{first_line - 1 + n}: {line}" for n, line in enumerate(removed)],
        "change": "",
    }


def test_each_clone_numbers_its_own_sequence_and_a_gap_in_one_is_named(clerks: tuple[Path, Path]):
    alice, bob = clerks
    bob_ids = [add(bob, "市公安局", "2.4.3"), add(bob, "市民政局", "2.4.3")]
    git(bob, "push", "-q", "origin", "HEAD")
    git(alice, "pull", "-q", "--no-rebase", "origin")
    alice_ids = [add(alice, "市体育局", "2.4.7"), add(alice, "市体育局", "2.4.7", "-n", "2")]
    tag = alice_ids[0].rsplit("-", 1)[1]
    # Alice's clone numbers its own ids from 1, whatever Bob's clone has taken.
    assert alice_ids == [f"2023-05-0001-{tag}", f"2023-05-0002-{tag}"]
    git(alice, "push", "-q", "origin", "HEAD")
    git(bob, "pull", "-q", "--no-rebase", "--no-edit", "origin")
    bob_ids.append(add(bob, "市公安局", "2.4.7"))
    assert bob_ids[2].startswith("2023-05-0003-")
    assert run(bob, "check").exit_code == 0  # merged sequences, no gap

    drop_from_every_commit(bob, alice_ids[0])
    check = run(bob, "check")
    assert check.exit_code == 1
    assert (
        f"ledger/2023-05.toml: id {alice_ids[0]} is missing: govscore numbers the ids of "
        f"2023-05-{tag} in sequence, and the first id is {alice_ids[1]}"
    ) in check.stdout


def test_a_gap_opened_by_a_hand_append_is_reported_warm_and_cold(root: Path):
    add(root, "市公安局", "2.4.3")
    add(root, "市民政局", "2.4.3")
    assert run(root, "check").exit_code == 0  # the cache now holds the ledger
    with (root / "ledger" / "2023-05.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            '\n[[entry]]\nid = "2023-05-0005"\ndepartment = "市体育局"\nclause = "2.4.3"\n'
        )
        handle.write('\n[[entry]]\nid = "手工-1"\ndepartment = "市体育局"\nclause = "2.4.3"\n')
    gap = "ledger/2023-05.toml: ids 2023-05-0003 … 2023-05-0004 (2 ids) are missing"
    warm = run(root, "check")
    assert warm.exit_code == 1 and warm.stdout.startswith(gap)
    assert len(warm.stdout.splitlines()) == 1  # the hand-chosen id is left aside
    assert add(root, "市公安局", "2.4.7") == "2023-05-0006"
    for args in ([], ["--no-cache"]):
        again = run(root, *args, "check")
        assert again.exit_code == 1 and again.stdout.startswith(gap), args


# -- the audit's judgement on text alone: no repository, milliseconds each ---------------
# (what each commit is compared by; the tests above drive the same code through git)

LEDGER = """\
# 2023-05
[[entry]]
id = "a"
clause = "2.4.3"

[[entry]]
id = "b"
clause = "2.4.4"
"""
#  1  # 2023-05        5  (blank)
#  2  [[entry]]        6  [[entry]]
#  3  id = "a"         7  id = "b"
#  4  clause = "2.4.3" 8  clause = "2.4.4"


def test_appending_is_keeping_and_anything_else_names_its_lines():
    from govscore.ledger.audit import _non_append

    assert _non_append("a\nb\n", "a\nb\nc\n") == []
    assert _non_append("", "a\n") == []
    # Line 2 changed: its old and new text, by line number.
    assert _non_append("a\nb\nc\n", "a\nX\nc\n") == ["-2: b", "+2: X"]
    # A line inserted before the end is a change; one removed too.
    assert _non_append("a\nc\n", "a\nb\nc\n") == ["+2: b"]
    assert _non_append("a\nb\nc\n", "a\nc\n") == ["-2: b"]
    # Two lines changed apart, with kept lines between and after them.
    assert _non_append("a\nb\nc\nd\ne\n", "a\nB\nc\nD\ne\n") == [
        "-2: b",
        "+2: B",
        "-4: d",
        "+4: D",
    ]
    # The old file's last line had no newline: text after it changed that line …
    assert _non_append("a\nb", "a\nbc\n") == ["-2: b", "+2: bc", "+3: "]
    assert _non_append("a\nb", "a\nbc") == ["-2: b", "+2: bc"]
    # … but a newline given to it (what check asks for), lines after it or not, is an
    # append: the line is as it was (review BJ J3).
    assert _non_append("a\nb", "a\nb\n") == []
    assert _non_append("a\nb", "a\nb\nc") == []
    assert _non_append("a\nb", "a\nb\r\nc\r\n") == []
    # A line inserted before a last line that has no newline is named like any other.
    assert _non_append("a\nb", "a\nX\nb") == ["+2: X"]
    assert _non_append("a\nb", "X\na\nb") == ["+1: X"]
    # Lines that repeat, or match lines at the other end, are not taken for kept ones:
    # one of two equal last lines deleted; lines 2-3 changed into X and a copy of line 1;
    # a changed last line after a blank one; a line changed between two equal ones.
    assert _non_append("x\na\na\n", "x\na\n") == ["-3: a"]
    assert _non_append("a\nb\nc\n", "a\nX\na\n") == ["-2: b", "-3: c", "+2: X", "+3: a"]
    assert _non_append("a\n\nb\n", "a\n\na\n") == ["-3: b", "+3: a"]
    assert _non_append("b\na\nb\n", "b\nX\nb\n") == ["-2: a", "+2: X"]
    # The same the other way round (what was removed looks like what stays).
    assert _non_append("a\nX\na\n", "a\nb\nc\n") == ["-2: X", "-3: a", "+2: b", "+3: c"]
    assert _non_append("a\n\na\n", "a\n\nb\n") == ["-3: a", "+3: b"]
    # A newline given to a last line that had none is an append: only line 2 is named.
    assert _non_append("a\nX\nc", "a\nb\nc\n") == ["-2: X", "+2: b"]
    # The last newline taken away: the empty line after it (line 4) is what was lost.
    assert _non_append("a\nb\nc\n", "a\nX\nc") == ["-2: b", "+2: X", "-4: "]
    # A line inserted inside and lines appended at the end in one commit: only the insert.
    assert _non_append("a\nb\n", "a\nX\nb\nc\n") == ["+2: X"]
    # Two lines replaced, the first by a blank line (the same as the last): both named.
    assert _non_append("b\na\n", "\nac\n") == ["-1: b", "-2: a", "+1: ", "+2: ac"]
    # 229 equal rows, one changed near the start, another near the end: those two alone
    # (difflib's shortcut for lines that repeat, autojunk, named every row between).
    old_rows, new_rows = ["r"] * 229, ["r"] * 229
    old_rows[219], new_rows[7] = "y", "x"
    old, new = ("\n".join(rows) + "\n" for rows in (old_rows, new_rows))
    assert _non_append(old, new) == ["+8: x", "-220: y"]


def test_a_commit_that_changes_an_entry_names_it_and_a_deleted_file_lists_every_line():
    from govscore.ledger.audit import _check

    changed = LEDGER.replace('clause = "2.4.4"', 'clause = "2.4.5"')
    message, entries, lines = _check(LEDGER, changed, "ledger/2023-05.toml", False, "p")  # type: ignore[misc]
    assert entries == ("b",)
    assert lines == ('-8: clause = "2.4.4"', '+8: clause = "2.4.5"')
    assert message == (
        "a commit may only append to a ledger file; this one changed, removed or inserted "
        "lines already committed (entry b)"
    )
    # Lines of two entries changed, one holding a colon: both entries named.
    noted = LEDGER.replace('clause = "2.4.3"', 'note = "at 10:30"')
    changed = noted.replace("10:30", "11:30").replace('clause = "2.4.4"', 'clause = "2.4.5"')
    message, entries, lines = _check(noted, changed, "x.toml", False, "p")  # type: ignore[misc]
    assert entries == ("a", "b")
    assert lines == (
        '-4: note = "at 10:30"',
        '+4: note = "at 11:30"',
        '-8: clause = "2.4.4"',
        '+8: clause = "2.4.5"',
    )
    assert message.endswith("lines already committed (entries a, b)")
    # A changed preamble names no entry.
    message, entries, lines = _check(LEDGER, "#\n" + LEDGER[10:], "x.toml", False, "p")  # type: ignore[misc]
    assert (entries, lines) == ((), ("-1: # 2023-05", "+1: #"))
    assert message.endswith("lines already committed")
    assert _check(LEDGER, LEDGER + "\n", "x.toml", False, "p") is None
    message, entries, lines = _check(LEDGER, None, "x.toml", False, "p")  # type: ignore[misc]
    assert message == "the file was deleted: its 7 lines already committed are gone"
    assert entries == ("a", "b")
    assert lines[0] == "-1: # 2023-05" and lines[-1] == '-8: clause = "2.4.4"'
    assert len(lines) == 7  # the blank line 5 is not listed
    message, _entries, _lines = _check("one\n", None, "x.csv", False, "p")  # type: ignore[misc]
    assert message == "the file was deleted: its 1 line already committed is gone"


def test_blocks_are_entries_with_their_ids_and_csv_records_one_by_one():
    from govscore.ledger.audit import _blocks

    blocks = _blocks(LEDGER, "ledger/2023-05.toml")
    assert [(b.line, b.lines, b.entry) for b in blocks] == [
        (1, ("# 2023-05",), ""),
        (2, ("[[entry]]", 'id = "a"', 'clause = "2.4.3"'), "a"),
        (6, ("[[entry]]", 'id = "b"', 'clause = "2.4.4"'), "b"),
    ]
    assert [list(b.numbers()) for b in blocks] == [[1], [2, 3, 4], [6, 7, 8]]
    assert [b.where() for b in blocks] == ["line 1", "entry a (line 2)", "entry b (line 6)"]
    # A CSV file is read record by record, each with its id; blank lines say nothing.
    assert [(b.line, b.lines, b.entry) for b in _blocks("id,clause\n\nx,2.4.3\n", "x.csv")] == [
        (1, ("id,clause",), ""),
        (3, ("x,2.4.3",), "x"),
    ]
    # A quoted cell's line breaks stay in its record, as the ledger reads it (review BG F2:
    # a row inside one is text, no row); from a record that does not read on, lines.
    quoted = '\ufeffclause,id\r\n2.4.3,"a\r\nb,c"\r\n2.4.4,d\r\n"open,e\nf\n'
    assert [(b.line, b.lines, b.entry) for b in _blocks(quoted, "x.csv")] == [
        (1, ("\ufeffclause,id",), ""),
        (2, ('2.4.3,"a', 'b,c"'), "a\r\nb,c"),
        (4, ("2.4.4,d",), "d"),
        (5, ('"open,e',), ""),
        (6, ("f",), ""),
    ]
    # Any other file's lines, one by one.
    assert [b.lines for b in _blocks('"a\nb"\n', "notes.txt")] == [('"a',), ('b"',)]
    # A batch's begin line frames the table after it (review BJ F4), or, no table after
    # it, stands alone.
    begin = "# govscore batch of 1 entry, 9 bytes"
    framed = f'# 2023-05\n{begin}\n[[entry]]\nid = "a"\n\n{begin}\n\n'
    assert [(b.line, b.begin, b.lines, list(b.numbers())) for b in _blocks(framed, "x.toml")] == [
        (1, (), ("# 2023-05",), [1]),
        (3, (begin,), ("[[entry]]", 'id = "a"'), [2, 3, 4]),
        (6, (), (begin,), [6]),
    ]


def test_a_merge_keeps_a_parent_only_with_every_entry_whole_and_in_order():
    from govscore.ledger.audit import _Block, _kept_in_order

    a, b, c = (_Block(n, (name,), name) for n, name in enumerate("abc", 1))
    assert _kept_in_order([a, b], [a, c, b])
    assert _kept_in_order([a, a], [a, c, a])
    assert _kept_in_order([], [a])
    assert not _kept_in_order([a, b], [b, a])
    assert not _kept_in_order([a, b], [a, c])
    assert not _kept_in_order([a, a], [a])
    assert not _kept_in_order([a, b], [b])


def test_a_merge_that_loses_says_what_moved_changed_or_was_removed():
    from govscore.ledger.audit import _merge_losses

    first, second = LEDGER.split("\n\n")
    kept = first + "\n\n" + second.replace('"b"', '"c"') + "\n" + second  # c came between
    assert _merge_losses(LEDGER, kept, "x.toml", "0123456789abcdef") is None
    swapped = "# 2023-05\n" + second + "\n" + first[10:] + "\n"
    message, entries, lines = _merge_losses(LEDGER, swapped, "x.toml", "0123456789abcdef")  # type: ignore[misc]
    # b now stands at lines 2–4 and a at 5–7: difflib keeps the preamble and a (the
    # earliest of equally long matches), so b is the one that moved, from line 6 to 2.
    assert message == (
        "a merge must keep every entry of each parent, whole and in order; "
        "against parent 0123456789: entry b (line 6) moved to line 2"
    )
    assert (entries, lines) == (("b",), ("-6: [[entry]]", "+2: [[entry]]"))
    # b twice before a (lines 2 and 6; a at 10): the move names where b first stands.
    twice = "# 2023-05\n" + second + "\n" + second + "\n" + first[10:] + "\n"
    message, entries, lines = _merge_losses(LEDGER, twice, "x.toml", "p")  # type: ignore[misc]
    assert message.endswith("against parent p: entry b (line 6) moved to line 2")
    changed = LEDGER.replace('clause = "2.4.3"', 'clause = "9.9.9"')
    message, entries, lines = _merge_losses(LEDGER, changed, "x.toml", "p")  # type: ignore[misc]
    assert message.endswith("against parent p: entry a (line 2) was changed")
    assert (entries, lines) == (("a",), ('-4: clause = "2.4.3"', '+4: clause = "9.9.9"'))
    removed = first + "\n"
    message, entries, lines = _merge_losses(LEDGER, removed, "x.toml", "p")  # type: ignore[misc]
    assert message.endswith("against parent p: entry b (line 6) was removed")
    assert (entries, lines) == (
        ("b",),
        ("-6: [[entry]]", '-7: id = "b"', '-8: clause = "2.4.4"'),
    )
    # The preamble lost: a block without an entry, named by its line.
    message, entries, _lines = _merge_losses(LEDGER, LEDGER[10:], "x.toml", "p")  # type: ignore[misc]
    assert (message.endswith("line 1 was removed"), entries) == (True, ())


def test_a_merge_that_loses_two_entries_names_both_and_all_their_lines():
    from govscore.ledger.audit import _merge_losses

    message, entries, lines = _merge_losses(LEDGER, "# 2023-05\n", "x.toml", "p")  # type: ignore[misc]
    assert message.endswith(
        "against parent p: entry a (line 2) was removed; entry b (line 6) was removed"
    )
    assert entries == ("a", "b")
    assert lines == (
        "-2: [[entry]]",
        '-3: id = "a"',
        '-4: clause = "2.4.3"',
        "-6: [[entry]]",
        '-7: id = "b"',
        '-8: clause = "2.4.4"',
    )


def test_changed_lines_number_each_side_from_its_own_block():
    from govscore.ledger.audit import _Block, _changed_lines

    old = _Block(3, ("[[entry]]", 'id = "a"', "count = 1"), "a")
    new = _Block(10, ("[[entry]]", 'id = "a"', "count = 2", "note = 'x'"), "a")
    assert _changed_lines(old, new) == ["-5: count = 1", "+12: count = 2", "+13: note = 'x'"]
    shorter = _Block(20, ("[[entry]]", 'id = "a"'), "a")
    assert _changed_lines(old, shorter) == ["-5: count = 1"]


def test_changed_lines_name_every_change_inserts_and_long_blocks_of_repeated_lines():
    from govscore.ledger.audit import _Block, _changed_lines

    # A line inserted inside an entry, nothing removed.
    old = _Block(1, ("[[entry]]", 'id = "a"', "count = 1"), "a")
    new = _Block(1, ("[[entry]]", 'id = "a"', "note = 'x'", "count = 1"), "a")
    assert _changed_lines(old, new) == ["+3: note = 'x'"]
    # Two changes apart in one entry: both named, in order.
    old = _Block(1, ("[[entry]]", 'id = "a"', "count = 1", 'clause = "2.4.3"', "x = 1"), "a")
    new = _Block(1, ("[[entry]]", 'id = "a"', "count = 2", 'clause = "2.4.3"', "x = 2"), "a")
    assert _changed_lines(old, new) == ["-3: count = 1", "+3: count = 2", "-5: x = 1", "+5: x = 2"]
    # A note of 250 equal lines and a changed last line: only that line is named.
    old = _Block(1, ("x",) * 250 + ("a",), "a")
    new = _Block(1, ("x",) * 250 + ("b",), "a")
    assert _changed_lines(old, new) == ["-251: a", "+251: b"]
    # 229 equal lines, one changed near the start, another near the end: both named, with
    # few unchanged lines (difflib's shortcut for repeated lines, autojunk, listed all 229
    # as removed and again as added).
    old_rows, new_rows = ["r"] * 229, ["r"] * 229
    old_rows[219], new_rows[7] = "y", "x"
    named = _changed_lines(_Block(1, tuple(old_rows), "a"), _Block(1, tuple(new_rows), "a"))
    assert "+8: x" in named and "-220: y" in named and len(named) <= 16


def test_a_merge_that_moves_two_entries_names_both_moves():
    from govscore.ledger.audit import _merge_losses

    def entry(id_: str, clause: str) -> str:
        return f'[[entry]]\nid = "{id_}"\nclause = "{clause}"\n'

    pairs = [("a", "2.4.3"), ("b", "2.4.4"), ("c", "2.4.5"), ("d", "2.4.6")]
    old = "# 2023-05\n\n" + "\n".join(entry(*p) for p in pairs)
    new = "# 2023-05\n\n" + "\n".join(entry(*p) for p in pairs[2:] + pairs[:2])
    # Old: a at line 3, b 7, c 11, d 15; new: c 3, d 7, a 11, b 15. a and b are kept in
    # order; c and d are the ones that moved.
    message, entries, lines = _merge_losses(old, new, "x.toml", "p")  # type: ignore[misc]
    assert message.endswith(
        "against parent p: entry c (line 11) moved to line 3; entry d (line 15) moved to line 7"
    )
    assert entries == ("c", "d")
    assert lines == ("-11: [[entry]]", "+3: [[entry]]", "-15: [[entry]]", "+7: [[entry]]")
    # A month's CSV of 250 equal rows and one more, removed in the merge: that row alone.
    rows = "h\n" + "r\n" * 250
    message, entries, lines = _merge_losses(rows + "a\nz\n", rows + "z\n", "x.csv", "p")  # type: ignore[misc]
    assert message.endswith("against parent p: line 252 was removed")
    assert lines == ("-252: a",)


def test_a_merge_among_equal_rows_names_only_what_it_lost(monkeypatch: pytest.MonkeyPatch):
    """A month's CSV of 229 equal rows. difflib's matching blocks are not a longest
    common subsequence: they let kept rows go (named as moved to line 2) and missed the
    rows the merge lost. The audit names exactly as many rows as were lost, and none as
    moved: of equal rows, the parent's earlier ones are the ones kept."""
    from govscore.ledger import audit
    from govscore.ledger.audit import _merge_losses

    rows = ["r"] * 229
    old = "h\n" + "\n".join(rows) + "\na\n"
    # One of the equal rows lost: one row named, the last of them (line 230).
    message, entries, lines = _merge_losses(
        old, "h\n" + "\n".join(rows[1:]) + "\na\n", "x.csv", "p"
    )  # type: ignore[misc]
    assert (message, entries, lines) == (
        "a merge must keep every entry of each parent, whole and in order; "
        "against parent p: line 230 was removed",
        (),
        ("-230: r",),
    )
    # Two rows changed (lines 5 and 227 made x and y): two r rows lost, none moved.
    new = rows[:]
    new[3], new[225] = "x", "y"
    message, entries, lines = _merge_losses(old, "h\n" + "\n".join(new) + "\na\n", "x.csv", "p")  # type: ignore[misc]
    assert message.endswith("against parent p: line 229 was removed; line 230 was removed")
    assert lines == ("-229: r", "-230: r")
    # Nothing in common at all: every block named, the text before the entries as
    # changed (the merge's own stands in its place), the entries as removed.
    message, entries, lines = _merge_losses(LEDGER, "# other\n", "x.toml", "p")  # type: ignore[misc]
    assert message.endswith(
        "against parent p: line 1 was changed; entry a (line 2) was removed; "
        "entry b (line 6) was removed"
    )
    assert lines[:2] == ("-1: # 2023-05", "+1: # other")
    # Two entries changed: the lines of both.
    changed = LEDGER.replace("2.4.3", "9.9.9").replace("2.4.4", "8.8.8")
    message, entries, lines = _merge_losses(LEDGER, changed, "x.toml", "p")  # type: ignore[misc]
    assert lines == (
        '-4: clause = "2.4.3"',
        '+4: clause = "9.9.9"',
        '-8: clause = "2.4.4"',
        '+8: clause = "8.8.8"',
    )
    # Up to _PAIRS pairs of equal blocks (h, 229 × 228 r, a) the subsequence is found;
    # beyond, difflib's blocks stand in (the cost bound), and still name what a merge of
    # 250 equal rows and one more lost (without autojunk, which would give up on rows
    # that repeat and name them all).
    two_changed = "h\n" + "\n".join(new) + "\na\n"
    monkeypatch.setattr(audit, "_PAIRS", 1 + 229 * 227 + 1)  # h, the r rows, a
    message, _entries, lines = _merge_losses(old, two_changed, "x.csv", "p")  # type: ignore[misc]
    assert lines == ("-229: r", "-230: r")
    monkeypatch.setattr(audit, "_PAIRS", 0)
    # A row lost whose text the merge keeps elsewhere, matched: removed, not moved.
    message, _entries, lines = _merge_losses("p\na\nb\na\n", "p\na\nb\n", "x.csv", "p")  # type: ignore[misc]
    assert (message.endswith("against parent p: line 4 was removed"), lines) == (
        True,
        ("-4: a",),
    )
    message, entries, lines = _merge_losses(LEDGER, "# 2023-05\n", "x.toml", "p")  # type: ignore[misc]
    assert message.endswith(
        "against parent p: entry a (line 2) was removed; entry b (line 6) was removed"
    )
    many = "h\n" + "r\n" * 250
    message, entries, lines = _merge_losses(many + "a\nz\n", many + "z\n", "x.csv", "p")  # type: ignore[misc]
    assert (message.endswith("against parent p: line 252 was removed"), lines) == (
        True,
        ("-252: a",),
    )


def test_a_commit_object_gives_its_parents_author_date_and_subject():
    from govscore.ledger.audit import _parse_commit

    data = (
        b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
        b"parent 1111111111111111111111111111111111111111\n"
        b"parent 2222222222222222222222222222222222222222\n"
        b"author \xe5\xbc\xa0\xe4\xb8\x89 <zhang@example.org> 1700000000 +0800\n"
        b"committer Other <other@example.org> 1800000000 -0500\n"
        b"\n"
        b"Record May\n  second line of the subject\n\nThe body, not the subject.\n"
    )
    commit = _parse_commit("c0ffee", data)
    assert commit.id == "c0ffee"
    assert commit.tree == "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    assert commit.parents == ("1" * 40, "2" * 40)
    # 1700000000 is 2023-11-14 22:13:20 UTC; at +08:00 the next morning.
    assert (commit.author, commit.date) == ("张三", "2023-11-15T06:13:20+08:00")
    assert commit.subject == "Record May second line of the subject"
    root = _parse_commit("r", b"tree t\nauthor A <a@b> 1700000000 -0530\n\n\nFirst\n")
    assert (root.parents, root.date, root.subject) == ((), "2023-11-14T16:43:20-05:30", "First")
    # As git's %s: blank lines (white space only too) before the subject are skipped, one
    # of white space ends it, spaces inside a line stay; a body of two paragraphs is no part
    # of it; bytes that are not UTF-8 are shown as U+FFFD.
    for message, subject in [
        (b" \n\t\nFirst  of May\nsecond\n \nBody", "First  of May second"),
        (b"Subject\n\nBody one\n\nBody two\n", "Subject"),
        (b"Caf\xe9 X\n", "Caf\ufffd X"),
    ]:
        assert _parse_commit("c", b"tree t\n\n" + message).subject == subject


def test_an_author_line_git_did_not_write_is_kept_whole_without_a_date():
    from govscore.ledger.audit import _person

    assert _person(b"Nobody") == ("Nobody", "")
    assert _person(b"No\xffbody") == ("No\ufffdbody", "")
    assert _person(b"\xe5\xbc\xa0\xff <a@b> 1700000000 +0800") == (
        "张\ufffd",
        "2023-11-15T06:13:20+08:00",
    )
    assert _person(b"A <a@b> 1700000000 +0815") == ("A", "2023-11-15T06:28:20+08:15")
    # A zone or a time no date can hold (review BG F3: a traceback): the date as written.
    assert _person(b"M <m@x> 1700000000 -2500") == ("M", "1700000000 -2500")
    assert _person(b"M <m@x> 9999999999999999999 +0000") == ("M", "9999999999999999999 +0000")


def test_a_pushed_commit_with_a_date_no_clock_holds_is_audited(tmp_path: Path):
    """Review BG F3: a commit object written without git, its author's zone -2500 (git log
    shows it), stopped every later audit with a traceback; it is audited, its date shown
    as written."""
    from govscore.ledger.audit import audit_history

    repo = repository(tmp_path / "repo")
    first = commit(repo, "first", {MAY: "a\n"})
    (repo / MAY).write_text("b\n", encoding="utf-8")
    git(repo, "add", MAY)
    text = (
        f"tree {git(repo, 'write-tree')}\nparent {first}\n"
        "author Mallory <m@x> 1700000000 -2500\ncommitter M <m@x> 9999999999999999999 +0000\n"
        "\nforged\n"
    )
    forged = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin", "--literally"],
        cwd=repo,
        input=text,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    git(repo, "reset", "-q", "--hard", forged)
    found = audit_history(repo, "ledger").rewrites
    assert [(r.commit, r.author, r.date, r.subject, r.message, r.lines) for r in found] == [
        (forged, "Mallory", "1700000000 -2500", "forged", APPEND_ONLY, ("-1: a", "+1: b"))
    ]


def test_a_tree_object_lists_mode_name_and_object_id():
    from govscore.ledger.audit import _tree_entries

    one, two = bytes(range(20)), bytes(range(20, 40))
    data = b"100644 2023-05.toml\0" + one + b"40000 sub\0" + two
    assert list(_tree_entries(data, 20)) == [
        (b"100644", b"2023-05.toml", one.hex()),
        (b"40000", b"sub", two.hex()),
    ]
    assert list(_tree_entries(b"", 20)) == []


def test_text_is_shown_printable_on_one_line():
    from govscore.ledger.audit import _shown, printable

    assert printable("台账 a\u2028b\x1fc\td\u200e") == "台账 a\\u2028b\\u001fc\\u0009d\\u200e"
    assert _shown("a\udcffb") == "a\ufffdb"
    assert _shown("台账") == "台账"


# -- the audit through small repositories: git's objects as the audit reads them --------
# (a few commits made with git itself, no govscore root: a second or less each)


def repository(folder: Path) -> Path:
    folder.mkdir(parents=True)
    git(folder, "init", "-q")
    return folder


def commit(repo: Path, message: str, files: dict[str, str | None]) -> str:
    """Write the files (None: delete it) and commit them all; the new commit's id."""
    for name, text in files.items():
        path = repo / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


MAY = "ledger/2023-05.toml"
LEDGER_HEADER = "# govscore ledger for 2023-05: append only\n"
HAND_ENTRY = '[[entry]]\nid = "2023-05-{n:04}"\ndepartment = "{department}"\nclause = "2.4.3"\ncount = {count}\n'
APPEND_ONLY = (
    "a commit may only append to a ledger file; this one changed, removed or inserted "
    "lines already committed"
)
WEIGHTS_EDITED = (
    "the file was edited after entries were recorded: the months recorded would score "
    "otherwise; a change of the rules is a new notice in amendments/"
)


def test_audit_needs_a_repository_and_an_empty_one_has_no_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The root is asked, never the working folder (here a repository with commits)."""
    from govscore.ledger.audit import Audit, audit_history
    from govscore.ledger.gitops import GitError

    elsewhere = repository(tmp_path / "elsewhere")
    commit(elsewhere, "first", {MAY: "a\n"})
    monkeypatch.chdir(elsewhere)
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(GitError) as raised:
        audit_history(plain, "ledger")
    assert str(raised.value) == f"{plain} is not in a git repository: there is no history to audit"
    # A repository with no commit yet has nothing to audit (and nothing to fail), even
    # with a file named HEAD in the root: `git rev-parse HEAD` without --verify would take
    # it for a path and succeed, and the walk would then stop on git's error.
    empty = repository(tmp_path / "empty")
    assert audit_history(empty, "ledger") == Audit([], ())
    (empty / "HEAD").write_text("not a revision\n")
    assert audit_history(empty, "ledger") == Audit([], ())


def test_audit_of_a_root_inside_a_repository_reads_its_own_ledger_oldest_commit_first(
    tmp_path: Path,
):
    """The root is a folder of the repository: its ledger is found below the folder and
    named from the root; the repository's own ledger/ beside it is not the root's."""
    from govscore.ledger.audit import audit_history

    repo = repository(tmp_path / "repo")
    office, archive = "city/office/" + MAY, "city/office/archive/2023-05.toml"
    first = commit(repo, "first", {office: "a\nb\nc\n", MAY: "x\n", archive: "old\n"})
    # The repository's ledger/ and the office's archive/ (a folder before ledger/) change too.
    second = commit(repo, "b changed", {office: "a\nB\nc\n", MAY: "y\n", archive: "new\n"})
    third = commit(repo, "c changed", {office: "a\nB\nC\n"})
    found = audit_history(repo / "city" / "office", "ledger").rewrites
    dates = [git(repo, "log", "-1", "--format=%aI", c) for c in (second, third)]
    assert [(r.commit, r.parent, r.author, r.date, r.subject, r.file, r.lines) for r in found] == [
        (second, first, "Test Clerk", dates[0], "b changed", MAY, ("-2: b", "+2: B")),
        (third, second, "Test Clerk", dates[1], "c changed", MAY, ("-3: c", "+3: C")),
    ]
    assert {r.message for r in found} == {APPEND_ONLY}  # judged as commits, not merges


def test_audit_since_walks_only_the_commits_after_the_revision(tmp_path: Path):
    from govscore.ledger.audit import Audit, audit_history

    a, b, c = (f'[[entry]]\nid = "{n}"\nclause = "2.4.3"\n' for n in "abc")
    repo = repository(tmp_path / "repo")
    commit(repo, "first", {MAY: a + "\n" + b})
    rewrite = commit(repo, "b changed", {MAY: a + "\n" + b.replace("2.4.3", "2.4.4")})
    git(repo, "tag", "v1")
    commit(repo, "appended", {MAY: a + "\n" + b.replace("2.4.3", "2.4.4") + "\n" + c})
    assert [r.commit for r in audit_history(repo, "ledger").rewrites] == [rewrite]
    assert audit_history(repo, "ledger", since="v1") == Audit([], ())  # published with the change


def test_a_commit_git_does_not_have_and_an_object_git_cannot_read_are_named(tmp_path: Path):
    import zlib

    from govscore.ledger.audit import _History, _Objects, audit_history
    from govscore.ledger.gitops import GitError

    repo = repository(tmp_path / "repo")
    first = commit(repo, "first", {MAY: "a\n"})
    commit(repo, "appended", {MAY: "a\nb\n"})
    unknown = "0" * 40
    with _Objects(repo) as objects:
        assert objects.read(unknown) is None  # what a shallow clone's cut-off parent reads
        with pytest.raises(GitError) as raised:
            _History(objects, ["ledger"], "").commit(unknown)
    assert str(raised.value) == f"git has no commit {unknown}"
    # The first commit's ledger file damaged: git stops on it, and the audit says so.
    blob = git(repo, "rev-parse", f"{first}:{MAY}")
    damaged = repo / ".git" / "objects" / blob[:2] / blob[2:]
    damaged.chmod(0o644)
    damaged.write_bytes(zlib.compress(b"bogus 2\0ab"))
    with pytest.raises(GitError) as raised:
        audit_history(repo, "ledger")
    assert str(raised.value) == f"git cat-file stopped while reading {blob}"
    # Damaged so that git reads it as missing: never taken for an empty file.
    damaged.write_bytes(b"not an object")
    with pytest.raises(GitError) as raised:
        audit_history(repo, "ledger")
    assert str(raised.value) == (
        f"git cannot read {blob}, a ledger file's text: the repository is damaged or incomplete"
    )


def test_a_root_under_a_folder_named_in_another_encoding_is_audited(tmp_path: Path):
    """A folder whose name is not UTF-8 (written by a tool in GBK, say) above the root:
    git names the root's place in those bytes, which once stopped the audit with a
    traceback; its rewrite is found like any other."""
    import os

    from govscore.ledger.audit import audit_history

    repo = repository(tmp_path / "repo")
    office = os.fsdecode("办公室".encode("gbk"))  # not UTF-8: kept as surrogates
    ledger = f"{office}/{MAY}"
    commit(repo, "first", {ledger: "a\n"})
    commit(repo, "appended", {ledger: "a\nb\n"})
    rewrite = commit(repo, "changed", {ledger: "a\nc\n"})
    found = audit_history(repo / office, "ledger").rewrites
    assert [(r.commit, r.file) for r in found] == [(rewrite, MAY)]


def damageable(root: Path) -> tuple[str, Path]:
    """A repository whose first version of MAY the audit must read: that blob's id and
    its object file, made writable for the test to damage."""
    git(root, "init", "-q")
    commit(root, "init", {})
    first = commit(root, "first", {MAY: "# 一\n"})
    commit(root, "appended", {MAY: "# 一\n# 二\n"})
    blob = git(root, "rev-parse", f"{first}:{MAY}")
    damaged = root / ".git" / "objects" / blob[:2] / blob[2:]
    damaged.chmod(0o644)
    return blob, damaged


def test_a_damaged_repository_is_named_in_the_clerks_words_and_gits_own_are_kept_back(
    root: Path,
):
    """git's own complaints about a damaged object ("fatal: invalid object type", "error:
    inflate: …") are English that a clerk cannot read and that says nothing the audit's
    message does not: `govscore audit`, run as a cron job runs it, prints its own line
    (in the office's language) and nothing of git's."""

    blob, damaged = damageable(root)
    chinese = {"GOVSCORE_LANG": "zh"}
    for content, message in (
        (zlib.compress(b"bogus 2\0ab"), f"错误：git cat-file 在读取 {blob} 时中断\n"),
        (
            b"not an object",
            f"错误：git 无法读取 {blob}（台账文件的内容）：仓库已损坏或不完整\n",
        ),
    ):
        damaged.write_bytes(content)
        done = run_process("--root", str(root), "audit", env=chinese)
        assert (done.returncode, done.stdout, done.stderr) == (1, "", message)


def test_gits_own_complaints_about_a_damaged_object_never_reach_the_terminal(
    root: Path, capfd: pytest.CaptureFixture[str]
):
    """The same damaged blob, audited in process: the audit raises its own error, and
    nothing of git's reaches file descriptor 2 (capfd sees what child processes write)."""
    from govscore.ledger.audit import audit_history
    from govscore.ledger.gitops import GitError

    blob, damaged = damageable(root)
    capfd.readouterr()
    for content in (zlib.compress(b"bogus 2\0ab"), b"not an object"):
        damaged.write_bytes(content)
        with pytest.raises(GitError, match=blob):
            audit_history(root, "ledger")
        assert capfd.readouterr() == ("", "")


def test_audit_reads_every_file_of_the_ledger_folder_and_only_the_files_that_changed(
    tmp_path: Path,
):
    """Files in subfolders, names and text that are not UTF-8, a deleted file, a file left
    alone without a final newline, many files appended at once (more than the audit keeps
    texts of), and a submodule, which has no text to keep."""
    import os

    from govscore.ledger.audit import audit_history

    repo = repository(tmp_path / "repo")
    appended = {f"ledger/2022-{month:02}.csv": f"h\n{month}\n" for month in range(1, 13)}
    first = commit(
        repo,
        "first",
        {
            **appended,
            MAY: "a\n",
            "ledger/2023-06.toml": "x\n",
            "ledger/2023-08.toml": "z\n",
            "ledger/notes.csv": "h\nr",
            "ledger/sub/2023-07.toml": "s\n",
        },
    )
    latin = os.path.join(os.fsencode(repo), b"ledger", b"caf\xe9.csv")
    with open(latin, "wb") as handle:
        handle.write(b"h\n\xe9t\xe9\n")
    first = commit(repo, "a file named in Latin-1", {})
    with open(latin, "wb") as handle:
        handle.write(b"h\n\xe9T\n")
    second = commit(
        repo,
        "second",
        {
            **{name: text + "r\n" for name, text in appended.items()},
            MAY: "a\nb\n",
            "ledger/2023-06.toml": "X\n",
            "ledger/2023-08.toml": None,
            "ledger/sub/2023-07.toml": "S\n",
        },
    )
    found = audit_history(repo, "ledger").rewrites
    assert {r.commit for r in found} == {second}
    assert [(r.file, r.lines) for r in found] == [
        ("ledger/2023-06.toml", ("-1: x", "+1: X")),
        ("ledger/2023-08.toml", ("-1: z",)),
        ("ledger/caf\ufffd.csv", ("-2: \ufffdt\ufffd", "+2: \ufffdT")),
        ("ledger/sub/2023-07.toml", ("-1: s", "+1: S")),
    ]
    assert found[1].message == "the file was deleted: its 1 line already committed is gone"
    # A submodule in the ledger folder, then moved to another commit: no text, no finding.
    for target in (first, second):
        git(repo, "update-index", "--add", "--cacheinfo", f"160000,{target},ledger/module")
        git(repo, "commit", "-q", "-m", f"module at {target[:7]}")
    assert git(repo, "ls-tree", "HEAD", "ledger/module").startswith("160000 commit ")
    assert [r.commit for r in audit_history(repo, "ledger").rewrites] == [second] * 4


def test_a_commit_before_the_ledger_folder_keeps_nothing_and_a_shallow_clone_is_cut_off(
    tmp_path: Path,
):
    """A shallow clone (`git clone --depth N`, what CI checks out) lacks the parents of
    its oldest commits: the audit compares what it has, and names each commit where the
    history stops instead of passing what it never saw (review AQ F2)."""
    from govscore.ledger.audit import Audit, CutOff, audit_history

    repo = repository(tmp_path / "repo")
    commit(repo, "before the ledger", {"README": "the office's ledger\n"})
    commit(repo, "first", {MAY: "a\n"})
    commit(repo, "appended", {MAY: "a\nb\n"})
    rewrite = commit(repo, "a changed", {MAY: "A\nb\n"})
    git(repo, "tag", "v1")
    last = commit(repo, "appended again", {MAY: "A\nb\nc\n"})
    found = audit_history(repo, "ledger")
    assert ([r.commit for r in found.rewrites], found.cut) == ([rewrite], ())

    def clone(depth: int) -> Path:
        shallow = tmp_path / f"depth{depth}"
        git(tmp_path, "clone", "-q", "--depth", str(depth), f"file://{repo}", str(shallow))
        assert git(shallow, "rev-parse", "--is-shallow-repository") == "true"
        return shallow

    def stop(commit_id: str) -> CutOff:
        """The commit's cut as the audit names it: git's own account of it."""
        shown = git(repo, "log", "-1", "--format=%H%x00%an%x00%aI%x00%s%x00%P", commit_id)
        full, author, date, subject, parents = shown.split("\0")
        return CutOff(full, author, date, subject, tuple(parents.split()))

    # Depth 1: the rewrite is before the cut, unseen; depth 2: it is the cut-off commit,
    # compared with nothing; depth 3: it is found, and the history still stops.
    assert audit_history(clone(1), "ledger") == Audit([], (stop(last),))
    assert audit_history(clone(2), "ledger") == Audit([], (stop(rewrite),))
    three = clone(3)
    deeper = audit_history(three, "ledger")
    assert ([r.commit for r in deeper.rewrites], deeper.cut) == ([rewrite], (stop(rewrite + "^"),))
    # Since a revision the clone holds: the cut lies before it, and nothing is lacking.
    assert audit_history(three, "ledger", since="v1").cut == ()


def test_a_commit_missing_from_a_clone_that_is_not_shallow_is_named(tmp_path: Path):
    """Without a shallow clone's record of where it stops, git cannot walk past a missing
    commit: the audit says so (no traceback, no verdict)."""
    from govscore.ledger.audit import audit_history
    from govscore.ledger.gitops import GitError

    repo = repository(tmp_path / "repo")
    commit(repo, "first", {MAY: "a\n"})
    middle = commit(repo, "appended", {MAY: "a\nb\n"})
    commit(repo, "appended again", {MAY: "a\nb\nc\n"})
    (repo / ".git" / "objects" / middle[:2] / middle[2:]).unlink()
    with pytest.raises(GitError) as raised:
        audit_history(repo, "ledger")
    assert str(raised.value) == (
        "git cannot walk the history from HEAD: a commit is missing (the repository is "
        "damaged or incomplete; `git fsck` names it)"
    )


def test_audit_of_a_shallow_clone_says_where_the_history_stops_and_exits_1(
    tmp_path: Path, root: Path
):
    repo = root
    police = LEDGER_HEADER + HAND_ENTRY.format(n=1, department="市公安局", count=3)
    commit(repo, "first", {MAY: police})
    police = police.replace("count = 3", "count = 1")
    commit(repo, "edit", {MAY: police})
    git(repo, "tag", "v1")
    education = HAND_ENTRY.format(n=2, department="市教育局", count=1)
    last = commit(repo, "appended", {MAY: police + "\n" + education})
    parent = git(repo, "rev-parse", "HEAD^")
    date = git(repo, "log", "-1", "--format=%aI")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    done = run_process("--root", str(shallow), "audit")
    assert (done.returncode, done.stdout, done.stderr) == (
        1,
        "",
        f"the history stops at {last[:10]} ({date} Test Clerk: appended): git does not "
        f"have its parent {parent[:10]}\n"
        "the commits before it were not audited (a shallow clone): "
        f"`git -C {shlex.quote(str(shallow))} fetch --unshallow` fetches them, then run "
        "audit again\n",
    )
    assert audit_json(shallow) == (1, [])  # no commit found rewriting, none passed either
    # The clone deepened to the start: the edit is found, and nothing is left unaudited.
    git(shallow, "fetch", "-q", "--unshallow")
    code, found = audit_json(shallow)
    assert (code, [r["commit"] for r in found]) == (1, [parent])
    assert run_process("--root", str(shallow), "audit").stderr == (
        "1 commit did not keep the ledger: it is append-only\n"
    )
    # Since a tag the clone holds (the edit, its cut-off commit): the commits after it
    # lie wholly inside the history present.
    tagged = tmp_path / "tagged"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{repo}", str(tagged))
    assert git(tagged, "rev-parse", "v1") == parent
    assert run_process("--root", str(tagged), "audit").returncode == 1  # cut off at v1
    since = run_process("--root", str(tagged), "audit", "--since", "v1")
    assert (since.returncode, since.stdout) == (0, "")
    assert "since v1 is append-only" in since.stderr


def test_an_uncommitted_edit_of_committed_lines_is_caught(clerks: tuple[Path, Path]):
    """The next commit would not keep the ledger: audit says so before it is made, as the
    working tree against HEAD (an empty commit), and appending alone is no problem."""
    alice, _ = clerks
    first = add(alice, "市公安局", "2.4.3", "-n", "3")
    head = git(alice, "rev-parse", "HEAD")
    ledger = alice / "ledger" / "2023-05.toml"
    committed = ledger.read_text(encoding="utf-8")
    # Appended and not yet committed: the history stays append-only.
    ledger.write_text(committed + '\n[[entry]]\nid = "2023-05-0099"\n', encoding="utf-8")
    assert audit_json(alice) == (0, [])
    ledger.write_text(committed.replace("count = 3", "count = 1"), encoding="utf-8")
    code, found = audit_json(alice)
    assert code == 1
    [rewrite] = found
    assert (rewrite["commit"], rewrite["parent"], rewrite["author"]) == ("", head, "")
    assert rewrite["file"] == "ledger/2023-05.toml"
    assert rewrite["entries"] == [first]
    place = shlex.quote(str(alice))  # run from anywhere, the commands name the root
    assert rewrite["message"] == (
        f"尚未提交：HEAD 中已有的行被改动、删除或插入（在工作区或 git 暂存区）（记录 {first}）；"
        f"`git -C {place} diff HEAD -- ledger/2023-05.toml` 可查看，"
        f"`git -C {place} checkout HEAD -- ledger/2023-05.toml` 可还原"
    )
    tag = first.rsplit("-", 1)[1]  # the clone's tag ends each line it wrote
    assert rewrite["lines"] == [f"-7: count = 3  # {tag}", f"+7: count = 1  # {tag}"]
    process = run_process("--root", str(alice), "audit")
    assert process.returncode == 1
    assert (
        process.stdout.splitlines()[0] == f"working tree (not committed), against HEAD {head[:10]}"
    )
    assert process.stderr == (
        "the working tree changed lines already committed: the ledger is append-only, "
        "and the next commit would not keep it\n"
    )
    # A committed file removed from the working tree is named too; put back, all is well.
    ledger.unlink()
    code, found = audit_json(alice)
    assert code == 1 and found[0]["message"].startswith("尚未提交：文件被删除")
    git(alice, "checkout", "--", "ledger/2023-05.toml")
    assert audit_json(alice) == (0, [])
    # Gone from git's index only (git rm --cached), a folder or a link in its place: the
    # next commit would drop its lines all the same.
    git(alice, "rm", "-q", "--cached", "ledger/2023-05.toml")
    code, found = audit_json(alice)
    assert code == 1 and found[0]["message"].startswith("尚未提交：该文件已不在 git 暂存区中")
    git(alice, "reset", "-q")
    # A change staged, the working tree put back: `git commit` would take the index.
    ledger.write_text(committed.replace("count = 3", "count = 2"), encoding="utf-8")
    git(alice, "add", "ledger/2023-05.toml")
    ledger.write_text(committed, encoding="utf-8")
    code, found = audit_json(alice)
    assert code == 1 and found[0]["lines"] == [f"-7: count = 3  # {tag}", f"+7: count = 2  # {tag}"]
    git(alice, "reset", "-q")
    ledger.unlink()
    ledger.mkdir()
    assert audit_json(alice)[0] == 1
    ledger.rmdir()
    ledger.symlink_to(alice / "weights.toml")
    code, found = audit_json(alice)
    assert code == 1 and found[0]["message"].startswith("尚未提交：该文件已不是普通文件")
    ledger.unlink()
    git(alice, "checkout", "--", "ledger/2023-05.toml")
    assert audit_json(alice) == (0, [])


def test_line_ends_git_converts_are_no_change(clerks: tuple[Path, Path]):
    """With core.autocrlf (Git for Windows' default) a checkout's lines end in CRLF and
    git commits them as they were: no change; an edit among them still is one."""
    alice, _ = clerks
    add(alice, "市公安局", "2.4.3", "-n", "3")
    git(alice, "config", "core.autocrlf", "true")
    ledger = alice / "ledger" / "2023-05.toml"
    crlf = ledger.read_bytes().replace(b"\n", b"\r\n")
    ledger.write_bytes(crlf)
    assert git(alice, "diff", "--stat", "HEAD") == ""  # nothing a commit would change
    assert audit_json(alice) == (0, [])
    ledger.write_bytes(crlf.replace(b"count = 3", b"count = 1"))
    code, found = audit_json(alice)
    assert code == 1
    assert [line[0] for line in found[0]["lines"]] == ["-", "+"]  # that line alone


def test_line_ends_git_converts_are_no_change_in_a_sha256_repository(tmp_path: Path):
    """A repository may name its objects by SHA-256: the blob git would write is found
    by that hash, not by SHA-1."""
    root = tmp_path / "office256"
    root.mkdir()
    made = subprocess.run(
        ["git", "init", "-q", "--object-format=sha256"], cwd=root, capture_output=True
    )
    if made.returncode != 0:
        pytest.skip("this git makes no SHA-256 repositories")
    assert CliRunner().invoke(cli, ["init", str(root)]).exit_code == 0
    git(root, "config", "user.name", "Test Clerk")
    git(root, "config", "user.email", "clerk@example.org")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    add(root, "市公安局", "2.4.3", "-n", "3", "--commit")
    git(root, "config", "core.autocrlf", "true")
    ledger = root / "ledger" / "2023-05.toml"
    ledger.write_bytes(ledger.read_bytes().replace(b"\n", b"\r\n") + b"\r\n# appended\r\n")
    assert audit_json(root) == (0, [])


def test_a_replace_ref_or_a_graft_file_hides_no_rewrite_from_audit_or_at(root: Path):
    """`git replace` makes git show one object for another wherever it reads it, and a
    replace ref can be pushed; a graft file gives a commit other parents. The audit and
    --at read the objects as they were committed (review AQ F4)."""
    ledger = root / "ledger" / "2023-05.toml"
    police = HAND_ENTRY.format(n=1, department="市公安局", count=3)
    ledger.write_text(LEDGER_HEADER + police, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the office's root, one entry")
    ledger.write_text(LEDGER_HEADER + police.replace("count = 3", "count = 1"), encoding="utf-8")
    git(root, "commit", "-qam", "edit")
    edit = git(root, "rev-parse", "HEAD")
    education = HAND_ENTRY.format(n=2, department="市教育局", count=1)
    with ledger.open("a", encoding="utf-8") as appending:
        appending.write("\n" + education)
    git(root, "commit", "-qam", "appended")
    code, found = audit_json(root)
    assert (code, [r["commit"] for r in found]) == (1, [edit])
    before = run(root, "month", "2023-05", "--at", "HEAD~2", "--format", "json").stdout
    # Count 3 at 2.4.3 (1 point each): 规范化 100 − 3 = 97, total 100 − 0.40 × 3 = 98.8.
    assert '"department": "市公安局", "total": 98.8,' in before

    # The blob before the edit replaced by one that already says count = 1.
    old = git(root, "rev-parse", f"{edit}^:ledger/2023-05.toml")
    forged = git(root, "show", f"{edit}:ledger/2023-05.toml")
    made = subprocess.run(
        ["git", "hash-object", "-w", "--stdin"],
        cwd=root,
        input=forged + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    git(root, "replace", old, made.stdout.strip())
    assert "count = 1" in git(root, "show", f"{edit}^:ledger/2023-05.toml")  # git is fooled
    assert audit_json(root) == (code, found)
    assert run(root, "month", "2023-05", "--at", "HEAD~2", "--format", "json").stdout == before
    git(root, "replace", "-d", old)

    # HEAD grafted as a commit without parents: git walks nothing before it.
    (root / ".git" / "info" / "grafts").write_text(git(root, "rev-parse", "HEAD") + "\n")
    assert git(root, "rev-list", "HEAD").count("\n") == 0  # git is fooled
    assert audit_json(root) == (code, found)
    assert run(root, "month", "2023-05", "--at", "HEAD~2", "--format", "json").stdout == before
    process = run_process("--root", str(root), "audit")
    assert (process.returncode, process.stderr) == (
        1,
        "1 commit did not keep the ledger: it is append-only\n",
    )


@pytest.mark.parametrize("flag", ["--assume-unchanged", "--skip-worktree"])
def test_an_edit_git_was_told_to_pass_over_is_uncommitted_and_named(root: Path, flag: str):
    """`git update-index --assume-unchanged` (or --skip-worktree) makes git status and git
    diff trust the index: an edit of a committed entry then counted in every report that
    claimed HEAD's revision with no uncommitted entries, and audit passed it (review AQ F3)."""
    ledger = root / "ledger" / "2023-05.toml"
    police = HAND_ENTRY.format(n=1, department="市公安局", count=5)
    education = HAND_ENTRY.format(n=2, department="市教育局", count=3)
    ledger.write_text(LEDGER_HEADER + police + "\n" + education, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "two entries")
    head = git(root, "rev-parse", "HEAD")
    git(root, "update-index", flag, "ledger/2023-05.toml")

    def month() -> dict:
        return json.loads(run(root, "month", "2023-05", "--format", "json").stdout)

    # Flagged, not edited: as committed.
    assert (month()["revision"], month()["uncommitted"]) == (head, False)
    assert audit_json(root) == (0, [])
    ledger.write_text(
        LEDGER_HEADER + police + "\n" + education.replace("count = 3", "count = 9"),
        encoding="utf-8",
    )
    assert git(root, "status", "--porcelain") == ""  # git sees nothing
    report = month()
    # 市教育局 counts 9 at 2.4.3 (1 point each): 规范化 100 − 9 = 91, total 100 − 0.40 × 9.
    education_row = next(d for d in report["departments"] if d["department"] == "市教育局")
    assert (education_row["total"], education_row["categories"]["2"]) == (96.4, 91.0)
    assert (report["revision"], report["uncommitted"]) == (head, True)
    checked = json.loads(run(root, "check", "--format", "json").stdout)
    assert (checked["revision"], checked["uncommitted"]) == (head, True)

    code, found = audit_json(root)
    assert code == 1
    [rewrite] = found
    assert (rewrite["commit"], rewrite["parent"], rewrite["file"]) == ("", head, MAY)
    assert rewrite["entries"] == ["2023-05-0002"]
    assert rewrite["lines"] == ["-12: count = 3", "+12: count = 9"]
    done = run_process("--root", str(root), "audit")
    place = shlex.quote(str(root))
    assert (done.returncode, done.stdout) == (
        1,
        f"working tree (not committed), against HEAD {head[:10]}\n"
        f"    {MAY}: not committed: lines HEAD holds were changed, removed or inserted in "
        "the working tree (entry 2023-05-0002), in a file git was told to pass over "
        "(`git update-index --assume-unchanged` or `--skip-worktree`), so `git status` and "
        f"`git diff` do not show them; `git -C {place} update-index --no-assume-unchanged "
        f"--no-skip-worktree -- {MAY}` shows them to git again\n"
        "    -12: count = 3\n"
        "    +12: count = 9\n",
    )
    # Removed from the working tree: the committed lines are gone just the same.
    ledger.unlink()
    assert month()["uncommitted"] is True
    code, found = audit_json(root)
    assert code == 1 and found[0]["message"].startswith("尚未提交：文件被删除")


def test_a_merge_committed_with_conflict_markers_names_only_the_lines_it_inserted(
    tmp_path: Path,
):
    """Two branches that each began the month's file, merged without union merge and
    committed with git's conflict markers: the header still stands at line 1, so the
    audit names the marker after it, not the header as removed (review AQ F11)."""
    from govscore.ledger.audit import audit_history

    def entry(tag: str, department: str) -> str:
        lines = ["[[entry]]", f'id = "2023-05-0001-{tag}"', f'department = "{department}"']
        return "".join(f"{line}  # {tag}\n" for line in lines)

    repo = repository(tmp_path / "repo")
    commit(repo, "before the month", {"README": "the office's ledger\n"})
    git(repo, "checkout", "-qb", "bob")
    bob = commit(repo, "bob's entry", {MAY: LEDGER_HEADER + entry("bbbb", "市教育局")})
    git(repo, "checkout", "-q", "-")
    alice = commit(repo, "alice's entry", {MAY: LEDGER_HEADER + entry("aaaa", "市公安局")})
    merging = subprocess.run(["git", "merge", "-q", "bob"], cwd=repo, capture_output=True)
    assert merging.returncode == 1  # add/add conflict: the markers stay in the file
    merge = commit(repo, "merged", {})
    assert (repo / MAY).read_text(encoding="utf-8") == (
        LEDGER_HEADER
        + "<<<<<<< HEAD\n"
        + entry("aaaa", "市公安局")
        + "=======\n"
        + entry("bbbb", "市教育局")
        + ">>>>>>> bob\n"
    )
    found = audit_history(repo, "ledger").rewrites
    assert [(r.commit, r.parent, r.message, r.entries, r.lines) for r in found] == [
        (
            merge,
            alice,
            "a merge must keep every entry of each parent, whole and in order; against "
            f"parent {alice[:10]}: line 1 was changed; entry 2023-05-0001-aaaa (line 2) "
            "was changed",
            ("2023-05-0001-aaaa",),
            ("+2: <<<<<<< HEAD", "+6: ======="),
        ),
        (
            merge,
            bob,
            "a merge must keep every entry of each parent, whole and in order; against "
            f"parent {bob[:10]}: line 1 was changed; entry 2023-05-0001-bbbb (line 2) "
            "was changed",
            ("2023-05-0001-bbbb",),
            ("+2: <<<<<<< HEAD", "+10: >>>>>>> bob"),
        ),
    ]


def test_a_line_appended_with_no_entry_header_is_a_change_of_the_entry_above_it(tmp_path: Path):
    """Review BG F1: `count = 40` appended after the last entry is a key of its table. An
    append by text, it changed a committed entry (a count of 1 to 40) whoever wrote it:
    named as a change of that entry, committed or in the working tree. Blank lines and
    comments before an [[entry]] header are appends like any other."""
    from govscore.ledger.audit import audit_history

    repo = repository(tmp_path / "repo")
    hand = HAND_ENTRY.format(n=1, department="市公安局", count=1)
    commit(repo, "first", {MAY: LEDGER_HEADER + hand})
    kept = HAND_ENTRY.format(n=2, department="市教育局", count=2)
    commit(repo, "second", {MAY: LEDGER_HEADER + hand + "\n# checked\n\n" + kept})
    parent = git(repo, "rev-parse", "HEAD")
    before = (repo / MAY).read_text(encoding="utf-8")
    stray = commit(repo, "count", {MAY: before + "count = 40\n\n[[entry]]\nid = 'x'\n"})
    found = audit_history(repo, "ledger").rewrites
    assert [(r.commit, r.parent, r.message, r.entries, r.lines) for r in found] == [
        (
            stray,
            parent,
            "a commit may only append entries to a ledger file; this one appended lines "
            "before any [[entry]] header, which TOML reads as part of the last entry already "
            "committed (entry 2023-05-0002)",
            ("2023-05-0002",),
            ("+15: count = 40",),
        )
    ]
    # In the working tree: named before the commit takes it in.
    git(repo, "reset", "-q", "--hard", parent)
    (repo / MAY).write_text(before + "# a note\nrecurring = true\n", encoding="utf-8")
    [rewrite] = audit_history(repo, "ledger").rewrites
    place, file = shlex.quote(str(repo)), shlex.quote(MAY)
    assert (rewrite.commit, rewrite.message, rewrite.entries, rewrite.lines) == (
        "",
        "not committed: lines appended (in the working tree or in git's index) before any "
        "[[entry]] header, which TOML reads as part of the last entry HEAD holds (entry "
        f"2023-05-0002); `git -C {place} diff HEAD -- {file}` shows them: remove them, or "
        "begin a new entry with an [[entry]] header above them",
        ("2023-05-0002",),
        ("+16: recurring = true",),
    )


def test_a_table_of_its_own_appended_is_named_as_one_not_as_a_change_of_an_entry(
    tmp_path: Path,
):
    """Review BI J1: `[meta]` appended after the last entry opens a table of its own; it
    changes no entry, yet audit said TOML read it as part of the last entry. Named as
    what it is, in check's words, committed or in the working tree; the append and its
    entries are named as before."""
    from govscore.ledger.audit import audit_history

    repo = repository(tmp_path / "repo")
    hand = HAND_ENTRY.format(n=1, department="市公安局", count=1)
    commit(repo, "first", {MAY: LEDGER_HEADER + hand})
    parent = git(repo, "rev-parse", "HEAD")
    before = (repo / MAY).read_text(encoding="utf-8")
    table = commit(repo, "meta", {MAY: before + '[meta]\nnote = "x"\n'})
    why = (
        "[meta] opens a table of its own, outside every entry, and a ledger file holds only "
        "[[entry]] tables"
    )
    number = before.count("\n") + 1
    lines = (f"+{number}: [meta]", f'+{number + 1}: note = "x"')
    found = audit_history(repo, "ledger").rewrites
    assert [(r.commit, r.parent, r.message, r.entries, r.lines) for r in found] == [
        (
            table,
            parent,
            "a commit may only append entries to a ledger file; in the lines this one "
            f"appended, {why}; `govscore check` leaves out the last entry already committed "
            "(entry 2023-05-0001)",
            ("2023-05-0001",),
            lines,
        )
    ]
    git(repo, "reset", "-q", "--hard", parent)
    (repo / MAY).write_text(before + '[meta]\nnote = "x"\n', encoding="utf-8")
    [rewrite] = audit_history(repo, "ledger").rewrites
    place, file = shlex.quote(str(repo)), shlex.quote(MAY)
    assert (rewrite.commit, rewrite.message, rewrite.entries, rewrite.lines) == (
        "",
        f"not committed: in lines appended (in the working tree or in git's index), {why}; "
        "`govscore check` leaves out the last entry HEAD holds (entry 2023-05-0001); "
        f"`git -C {place} diff HEAD -- {file}` shows them: remove them",
        ("2023-05-0001",),
        lines,
    )


def test_an_evil_merge_hiding_a_csv_row_in_a_quoted_cell_names_the_row_removed(tmp_path: Path):
    """Review BG F2: every line of each parent still stood, in order, but the veto row c2
    was text inside c5's quoted note, and no row of the month. Records are compared, as
    the ledger reads them: c2 is named as removed, by the merge and by --since."""
    from govscore.ledger.audit import audit_history

    july = "ledger/2023-07.csv"
    base = "id,department,clause,count,note\nc1,市教育局,2.4.3,1,a\nc2,市公安局,4.4.1,,veto\n"
    repo = repository(tmp_path / "repo")
    published = commit(repo, "base", {july: base})
    git(repo, "checkout", "-qb", "side")
    side = commit(repo, "side", {july: base + "c3,市财政局,2.4.3,1,s\n"})
    git(repo, "checkout", "-q", "-")
    main = commit(repo, "main", {july: base + "c4,市财政局,2.4.3,2,m\n"})
    git(repo, "merge", "-q", "--no-commit", "-s", "ours", "side")
    hidden = base.replace("c2,", 'c5,市教育局,2.4.3,1,"see\nc2,') + '"\n'
    merge = commit(
        repo, "merge side", {july: hidden + "c4,市财政局,2.4.3,2,m\nc3,市财政局,2.4.3,1,s\n"}
    )
    lost = (
        "a merge must keep every entry of each parent, whole and in order; against parent "
        "{parent}: entry c2 (line 3) was removed"
    )
    found = audit_history(repo, "ledger").rewrites
    assert [(r.commit, r.parent, r.message, r.entries, r.lines) for r in found] == [
        (merge, parent, lost.format(parent=parent[:10]), ("c2",), ("-3: c2,市公安局,4.4.1,,veto",))
        for parent in (main, side)
    ]
    since = audit_history(repo, "ledger", since=published).rewrites
    assert [(r.commit, r.parent, r.message) for r in since[2:]] == [
        (
            merge,
            published,
            f"not everything in {published}'s ledger ({published[:10]}) is still at HEAD, "
            "whole and in order: entry c2 (line 3) was removed",
        )
    ]


def test_an_evil_merge_putting_a_new_csv_header_above_the_committed_one_is_caught(
    tmp_path: Path,
):
    """Review BJ F2: every committed record still stood, in order, below a new header row
    with numerator and denominator swapped, which every row is then read under (90/100
    became 100/90). The header must stay the file's first record: by a merge, and at HEAD
    against a published revision."""
    from govscore.ledger.audit import audit_history

    june = "ledger/2023-06.csv"
    header = "id,department,clause,numerator,denominator,note\n"
    base = header + "c1,市公安局,2.5.2,90,100,ok\n"
    repo = repository(tmp_path / "repo")
    published = commit(repo, "base", {june: base})
    git(repo, "checkout", "-qb", "side")
    side = commit(repo, "side", {"ledger/2023-07.csv": header})
    git(repo, "checkout", "-q", "-")
    main = commit(repo, "main", {"ledger/2023-08.csv": header})
    git(repo, "merge", "-q", "--no-commit", "side")
    swapped = "id,department,clause,denominator,numerator,note\n"
    merge = commit(repo, "merge side", {june: swapped + base})
    said = (
        "the header row (line 1) is no longer the file's first row, which every row is read under"
    )
    lines = ("-1: " + header.strip(), "+1: " + swapped.strip())
    lost = "a merge must keep every entry of each parent, whole and in order; against parent "
    found = audit_history(repo, "ledger").rewrites
    assert [(r.commit, r.parent, r.file, r.message, r.entries, r.lines) for r in found] == [
        (merge, parent, june, f"{lost}{parent[:10]}: {said}", (), lines) for parent in (main, side)
    ]
    since = audit_history(repo, "ledger", since=published).rewrites
    assert [(r.parent, r.message, r.lines) for r in since[2:]] == [
        (
            published,
            f"not everything in {published}'s ledger ({published[:10]}) is still at HEAD, "
            f"whole and in order: {said}",
            lines,
        )
    ]
    # The header left first, the other side's rows between the parent's, keeps the file;
    # a blank line above it (the header then reads as no columns) does not.
    from govscore.ledger.audit import _merge_losses

    other = "c2,市民政局,2.5.2,95,100,ok\n"
    assert (
        _merge_losses(
            base + "c3,x\n", header + other + "c1,市公安局,2.5.2,90,100,ok\nc3,x\n", june, "p"
        )
        is None
    )
    blank = _merge_losses(base, "\n" + base, june, "p")
    assert blank is not None and blank[2] == ("-1: " + header.strip(),)


def test_a_merge_putting_a_begin_line_above_committed_entries_is_named_and_never_cut(
    root: Path,
):
    """Review BJ F4: a merge put only a batch's begin line above two committed hand-written
    entries. Every line of theirs still stood, but they then read as a torn batch that
    counts nowhere, audit was clean, and `repair --yes` cut them out. A begin line frames
    the table after it: the entry is named as changed, and repair cuts no line HEAD holds;
    check, which sent the clerk to `govscore repair` for it, says so in repair's words."""
    from govscore.ledger.audit import audit_history

    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    add(root, "市公安局", "2.4.3", "--commit")
    ledger = root / MAY
    hand = '\n[[entry]]\nid = "H-3"\ndepartment = "市公安局"\nclause = "2.4.3"\n'
    with ledger.open("a", encoding="utf-8") as out:
        out.write(hand + hand.replace("H-3", "H-4"))
    git(root, "commit", "-qam", "hand entries")
    main = git(root, "rev-parse", "HEAD")
    git(root, "checkout", "-qb", "side")
    side = commit(root, "side", {"ledger/2023-07.toml": hand.replace("H-3", "S-1")})
    git(root, "checkout", "-q", "-")
    git(root, "merge", "-q", "--no-ff", "--no-commit", "side")
    text = ledger.read_text(encoding="utf-8")
    at = text.index('[[entry]]\nid = "H-3"')
    begin = "# govscore batch of 2 entries, 999 bytes"
    merge = commit(root, "merge", {MAY: f"{text[:at]}{begin}\n{text[at:]}"})
    line = text[:at].count("\n") + 1
    lost = (
        "a merge must keep every entry of each parent, whole and in order; against parent "
        f"{{parent}}: entry H-3 (line {line}) was changed"
    )
    found = audit_history(root, "ledger").rewrites
    assert [(r.commit, r.parent, r.message, r.entries, r.lines) for r in found] == [
        (merge, parent, lost.format(parent=parent[:10]), ("H-3",), (f"+{line}: {begin}",))
        for parent in (main, side)
    ]
    # The ledger reads a torn batch; check does not send the clerk to repair, which
    # refuses it, and says so in repair's words.
    said = (
        f"ledger/2023-05.toml:{line}: a batch of 2 entries at the end of the file is cut off "
        "after 133 of 999 bytes: they are left out; `govscore repair` does not cut it: HEAD "
        "holds its lines committed, and they may have counted (committed lines a commit or a "
        "merge framed so, or a whole batch changed since; `govscore audit` names that commit); "
        "`git log -p ledger/2023-05.toml` shows which\n"
    )
    checked = run(root, "check")
    assert (checked.exit_code, checked.stdout) == (1, said)
    [problem] = json.loads(run(root, "check", "--format", "json").stdout)["problems"]
    assert problem["message"] == (  # JSON speaks the office's language
        "文件末尾的 2 条一批在 999 字节中的第 133 字节后被截断：整批不计；`govscore repair` 不会"
        "截掉它：这些行已提交在 HEAD 中，而且可能计过分（可能是某次提交或合并把已提交的行框成了"
        "一批，也可能是完整的一批后来被改动；`govscore audit` 会指出是哪次提交）；"
        "`git log -p ledger/2023-05.toml` 可以看出是哪一种"
    )
    committed = ledger.read_bytes()
    repaired = run(root, "repair", "--yes")
    assert (repaired.exit_code, repaired.stdout) == (1, f"{said}  2 entries in it: H-3, H-4\n")
    assert ledger.read_bytes() == committed
    # The same batch torn in the working tree only, nothing of it committed, is cut back.
    git(root, "reset", "-q", "--hard", main)
    with ledger.open("a", encoding="utf-8") as out:
        out.write(f"{begin}\n[[entry]]\n")
    assert run(root, "repair", "--yes").exit_code == 0
    assert ledger.read_text(encoding="utf-8") == text


BACKED_UP = (  # a batch's first bytes, as a write killed after them leaves it
    '# govscore batch of 1 entry, 200 bytes\n[[entry]]\nid = "2023-05-0002"\n'
    'department = "市公安局"\ncla'
)


def test_a_torn_batch_a_backup_committed_is_cut_by_repair_and_the_cut_kept_by_audit(
    root: Path,
):
    """Review BM F3: a nightly backup's `git commit -a` took in a write cut off. Repair
    refused it (HEAD held its lines), audit was clean, add refused the month, check sent
    the clerk to repair, and a cut made by hand failed the audit for ever. The batch never
    counted: repair cuts it and says to commit the cut, audit takes the cut in (uncommitted,
    committed and since a revision that held the batch), and add appends again."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    add(root, "市公安局", "2.4.3", "--commit")
    ledger = root / MAY
    before = ledger.read_bytes()
    with ledger.open("a", encoding="utf-8") as out:
        out.write(BACKED_UP)
    git(root, "commit", "-qam", "nightly backup")
    backup = git(root, "rev-parse", "HEAD")
    line = before.count(b"\n") + 1
    written = len(BACKED_UP.partition("\n")[2].encode())
    said = (
        f"{MAY}:{line}: a batch of 1 entry govscore was writing is cut off after {written} of "
        "200 bytes (the write was interrupted): it is left out; `govscore repair 2023-05` "
        "cuts it back, then record it again\n"
        f"  would cut lines {line}–{line + 4} ({len(BACKED_UP.encode())} bytes) of {MAY}\n"
        "  HEAD holds them committed (a commit, such as a backup's `git commit -a`, took in "
        "the interrupted write), but they never counted: the cut keeps the ledger, and is to "
        "be committed\n"
        "  1 entry in it: 2023-05-0002\n"
    )
    assert "`govscore repair 2023-05` cuts it back" in run(root, "check").output
    shown = run(root, "repair")
    assert (shown.exit_code, shown.stdout) == (1, said)
    [torn] = json.loads(run(root, "repair", "--format", "json").stdout)["torn"]
    assert (torn["cuttable"], torn["committed"]) == (True, True)
    repaired = run(root, "repair", "--yes")
    advice = f"git -C {shlex.quote(str(root))} commit -m 'govscore repair 2023-05' -- {MAY}"
    assert (repaired.exit_code, repaired.stdout) == (
        0,
        f"{said}{MAY}: cut back to {len(before)} bytes\n"
        f"{MAY}: HEAD held the lines cut, committed: commit the cut (`{advice}`)\n",
    )
    assert ledger.read_bytes() == before
    assert audit_json(root) == (0, [])  # the cut, not committed yet
    subprocess.run(shlex.split(advice), check=True, capture_output=True)
    assert git(root, "show", "--format=%s", "-s", "HEAD") == "govscore repair 2023-05"
    assert audit_json(root) == (0, [])
    assert add(root, "市公安局", "2.4.3") == "2023-05-0002"
    assert audit_json(root) == (0, [])  # appended after the cut, not committed yet
    git(root, "commit", "-qam", "the entry again")
    assert audit_json(root) == (0, [])
    assert audit_json(root, "--since", backup) == (0, [])
    assert run(root, "check").exit_code == 0


@pytest.mark.parametrize(
    ("ends", "torn"),
    [
        ("\r\n", BACKED_UP.encode()),  # a clerk's file saved with Windows line ends
        ("\n", BACKED_UP.partition("cla")[0].encode()[:-3]),  # cut inside 局, a character
    ],
    ids=["crlf", "character"],
)
def test_a_committed_torn_batch_the_ledger_reads_another_way_is_cut_and_kept(
    root: Path, ends: str, torn: bytes
):
    """A backup committed a write cut off in a month file saved with CRLF line ends, or cut
    off inside a character. It never counted, yet repair refused it as one that may have
    (the audit measured such texts as stored, not as the ledger reads them, and found no
    torn batch). It is cut as in an LF file, and audit takes the cut in."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    ledger = root / MAY
    hand = LEDGER_HEADER + HAND_ENTRY.format(n=1, department="市公安局", count=1)
    before = hand.replace("\n", ends).encode()
    ledger.write_bytes(before)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "entered by hand")
    ledger.write_bytes(before + torn)
    git(root, "commit", "-qam", "nightly backup")
    backup = git(root, "rev-parse", "HEAD")
    [cut] = json.loads(run(root, "repair", "--format", "json").stdout)["torn"]
    assert (cut["cuttable"], cut["committed"], cut["bytes"]) == (True, True, len(torn))
    repaired = run(root, "repair", "--yes")
    assert repaired.exit_code == 0, repaired.output
    assert f"{MAY}: cut back to {len(before)} bytes\n" in repaired.stdout
    assert ledger.read_bytes() == before
    assert audit_json(root) == (0, [])  # the cut, not committed yet
    git(root, "commit", "-qam", "govscore repair 2023-05")
    assert audit_json(root) == (0, [])
    assert audit_json(root, "--since", backup) == (0, [])
    assert add(root, "市公安局", "2.4.3") == "2023-05-0002"
    assert run(root, "check").exit_code == 0


def test_a_committed_torn_batch_in_a_clone_with_autocrlf_is_cut_and_kept(root: Path):
    """Review BP F9: a clone with core.autocrlf (Git for Windows' default) checks the month
    file out with CRLF line ends where HEAD holds LF; a write cut off there, committed by a
    backup, never counted. Repair asked the audit about the cut file's bytes as they stand
    (CRLF), not as git would commit them (LF), and refused it as one that may have counted."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    add(root, "市公安局", "2.4.3", "--commit")
    git(root, "config", "core.autocrlf", "true")
    ledger = root / MAY
    ledger.unlink()
    git(root, "checkout", "-q", "--", MAY)
    before = ledger.read_bytes()
    assert b"\r\n" in before  # checked out as Windows has it
    add(root, "市民政局", "2.4.3")
    ledger.write_bytes(ledger.read_bytes()[:-30])  # the write was killed
    git(root, "commit", "-qam", "nightly backup")
    [cut] = json.loads(run(root, "repair", "--format", "json").stdout)["torn"]
    assert (cut["cuttable"], cut["committed"]) == (True, True)
    repaired = run(root, "repair", "--yes")
    assert repaired.exit_code == 0, repaired.output
    assert ledger.read_bytes() == before
    assert audit_json(root) == (0, [])
    git(root, "commit", "-qam", "govscore repair 2023-05")
    assert audit_json(root) == (0, [])
    assert run(root, "check").exit_code == 0


def test_a_committed_torn_batch_that_never_counted_may_be_cut_by_a_commit_or_a_merge(
    tmp_path: Path,
):
    """Review BM F3, as git commits it: a batch torn in two backups (it grew between them)
    cut back by a commit that appends an entry after it on a branch, which a merge takes
    in, and a month file the torn write made removed: no change of the ledger, also since
    a revision that held the batch."""
    from govscore.ledger.audit import Audit, audit_history

    repo = repository(tmp_path / "repo")
    kept = LEDGER_HEADER + HAND_ENTRY.format(n=1, department="市公安局", count=1)
    june = "ledger/2023-06.toml"
    made = LEDGER_HEADER.replace("2023-05", "2023-06") + BACKED_UP.replace("2023-05", "2023-06")
    commit(repo, "first", {MAY: kept})
    commit(repo, "backup", {MAY: kept + BACKED_UP[:-8], june: made[:-9]})
    backup = commit(repo, "backup again", {MAY: kept + BACKED_UP, june: made})
    git(repo, "tag", "v1")
    git(repo, "checkout", "-qb", "side")
    more = "\n" + HAND_ENTRY.format(n=2, department="市民政局", count=2)
    commit(repo, "cut and append", {MAY: kept + more})
    git(repo, "checkout", "-q", "-")
    commit(repo, "the file the torn write made goes", {june: None})
    git(repo, "merge", "-q", "--no-ff", "--no-edit", "side")
    assert (repo / MAY).read_text(encoding="utf-8") == kept + more
    assert audit_history(repo, "ledger") == Audit([], ())
    assert audit_history(repo, "ledger", since="v1") == Audit([], ())
    assert audit_history(repo, "ledger", since=backup) == Audit([], ())


def test_repair_in_a_shallow_clone_says_the_history_stops_as_audit_does(root: Path, tmp_path: Path):
    """Review BO J6: in a clone whose history stops at the backup that committed a torn
    batch, repair refused as "these may have counted … (`govscore audit` names that
    commit)", while audit named nothing and said the history stops. Repair says so too,
    with the command that fetches the rest, and check in repair's words; once fetched,
    repair cuts the batch."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    add(root, "市公安局", "2.4.3", "--commit")
    before = (root / MAY).read_text(encoding="utf-8")
    with (root / MAY).open("a", encoding="utf-8") as out:
        out.write(BACKED_UP)
    git(root, "commit", "-qam", "nightly backup")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{root}", str(shallow))
    line = before.count("\n") + 1
    said = (
        f"{MAY}:{line}: a batch of 1 entry at the end of the file is cut off after 61 of 200 "
        "bytes: it is left out; `govscore repair` does not cut it: HEAD holds its lines "
        "committed, and whether they ever counted cannot be told: the history in this clone "
        "stops before a commit that held them (a shallow clone); "
        f"`git -C {shlex.quote(str(shallow))} fetch --unshallow` fetches it, then run repair "
        "again\n"
    )
    repaired = run(shallow, "repair", "--yes")
    assert (repaired.exit_code, repaired.stdout) == (1, f"{said}  1 entry in it: 2023-05-0002\n")
    checked = run(shallow, "check")
    assert (checked.exit_code, checked.stdout) == (1, said)
    [problem] = json.loads(run(shallow, "check", "--format", "json").stdout)["problems"]
    assert problem["message"] == (  # JSON speaks the office's language
        "文件末尾的 1 条一批在 200 字节中的第 61 字节后被截断：整批不计；`govscore repair` "
        "不会截掉它：这些行已提交在 HEAD 中，但无法判断它们是否计过分：本克隆的历史在曾含这些行"
        "的提交之前中断"
        f"（浅克隆）；`git -C {shlex.quote(str(shallow))} fetch --unshallow` 可取回完整历史，"
        "然后再运行 govscore repair"
    )
    assert (shallow / MAY).read_text(encoding="utf-8") == before + BACKED_UP
    assert "fetch --unshallow" in run(shallow, "audit").stderr
    git(shallow, "fetch", "-q", "--unshallow")
    assert run(shallow, "repair", "--yes").exit_code == 0
    assert (shallow / MAY).read_text(encoding="utf-8") == before


def test_a_whole_batch_changed_to_look_torn_and_then_cut_is_named_and_not_cut(root: Path):
    """Review BM F3, hostile: a committed whole batch (it counted) whose end mark a commit
    then cut short, so that it reads as a write cut off at the file's end. Repair refuses
    it, and a cut made by hand is named with the entry, as is the edit: the batch counted
    at the commit before the edit."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    add(root, "市公安局", "2.4.3", "--commit")
    ledger = root / MAY
    before = ledger.read_bytes()
    add(root, "市民政局", "2.4.3", "--commit")
    whole = git(root, "rev-parse", "HEAD")
    after = ledger.read_bytes()
    ledger.write_bytes(after[:-3])  # into the end mark's digest: as a killed write leaves it
    edit = commit(root, "edit", {})
    line = before.count(b"\n") + 1
    repaired = run(root, "repair", "--yes")
    said = (
        f"{MAY}:{line}: a batch of 1 entry at the end of the file lost the end of its last "
        "line: it is left out; `govscore repair` does not cut it: HEAD holds its lines "
        "committed, and they may have counted (committed lines a commit or a merge framed so, "
        "or a whole batch changed since; `govscore audit` names that commit); "
        f"`git log -p {MAY}` shows which\n"
    )
    assert (repaired.exit_code, repaired.stdout) == (1, f"{said}  1 entry in it: 2023-05-0002\n")
    assert run(root, "check").stdout == said
    assert ledger.read_bytes() == after[:-3]
    ledger.write_bytes(before)
    cut = commit(root, "cut", {})
    code, found = audit_json(root)
    last = after.decode().split("\n")[-2]  # the end mark's line
    lines = after[:-3].decode().split("\n")
    named = "提交只能在台账文件末尾追加；这次提交改动、删除或插入了已提交的行（记录 2023-05-0002）"
    assert (code, [(r["commit"], r["parent"], r["message"], r["lines"]) for r in found]) == (
        1,
        [
            (
                edit,
                whole,
                named,
                [f"-{line + 6}: {last}", f"-{line + 7}: ", f"+{line + 6}: {last[:-2]}"],
            ),
            (
                cut,
                edit,
                named,
                [
                    *(f"-{n}: {text}" for n, text in enumerate(lines[line - 1 :], line)),
                    f"+{line}: ",
                ],
            ),
        ],
    )
    code, found = audit_json(root, "--since", whole)  # published with the whole batch
    assert code == 1 and {tuple(r["entries"]) for r in found} == {("2023-05-0002",)}


def test_a_committed_torn_batch_with_a_hand_entry_after_it_is_not_cut_and_its_mend_kept(
    root: Path,
):
    """Review BO F3, committed: a write cut off, an entry appended by hand after it, and a
    backup committing both. Repair cut the hand entry away with the batch as "never
    counted". It is shown, not cut; removing the batch's lines as check says, keeping the
    hand entry, is no change of the ledger (none of those lines ever counted)."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    add(root, "市公安局", "2.4.3", "--commit")
    ledger = root / MAY
    before = ledger.read_text(encoding="utf-8")
    hand = "\n\n" + HAND_ENTRY.format(n=9, department="市民政局", count=2).replace("0009", "h1")
    ledger.write_text(before + BACKED_UP + hand, encoding="utf-8")
    git(root, "commit", "-qam", "nightly backup")
    line = before.count("\n") + 1
    said = run(root, "check").stdout
    assert said.startswith(
        f"{MAY}:{line}: a batch of 1 entry govscore was writing (lines {line}–{line + 4}) is "
        f"cut off (the write was interrupted), and lines {line + 5}–{line + 10} after it"
    )
    repaired = run(root, "repair", "--yes")
    assert repaired.exit_code == 1
    assert "  not cut: the lines after it are no part of the interrupted write" in repaired.stdout
    assert ledger.read_text(encoding="utf-8") == before + BACKED_UP + hand
    ledger.write_text(before + hand[1:], encoding="utf-8")  # lines 9–13 removed by hand
    assert audit_json(root) == (0, [])
    git(root, "commit", "-qam", "the torn batch's lines removed, as check says")
    assert audit_json(root) == (0, [])
    checked = run(root, "check", "--format", "json")
    assert (checked.exit_code, json.loads(checked.stdout)["entries"]) == (0, 2), checked.stdout


def pulled_over_a_backup(tmp_path: Path, root: Path) -> tuple[Path, Path]:
    """Review BO F4, the office's flow: Alice's write was killed and her nightly backup
    (`git commit -a`) committed and pushed it torn; Bob, who recorded an entry of the same
    month on his clone, runs an ordinary `git pull` (a merge, init's union driver).
    Alice's clone and Bob's."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    add(root, "市公安局", "2.4.3", "--commit")
    shared = tmp_path / "shared.git"
    git(tmp_path, "clone", "-q", "--bare", str(root), str(shared))
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    for clone in (alice, bob):
        git(tmp_path, "clone", "-q", str(shared), str(clone))
    add(alice, "市民政局", "2.4.3")
    data = (alice / MAY).read_bytes()
    (alice / MAY).write_bytes(data[:-30])  # the write was killed
    git(alice, "commit", "-qam", "nightly backup")
    git(alice, "push", "-q", "origin", "HEAD")
    add(bob, "市公安局", "2.4.3", "--commit")
    return alice, bob


def test_a_torn_batch_a_backup_committed_and_a_union_merge_took_in_is_cut(
    tmp_path: Path, root: Path
):
    """Review BO F4: after the pull, repair refused the torn batch ("may have counted …
    `govscore audit` names that commit", and audit named nothing), and a cut made by hand,
    leaving what repair would leave, was named for good: the merge holds Bob's entry
    before the batch, which the backup did not, and "never counted" asked that the backup
    hold the same text before the cut. Its lines stood torn in every commit that held
    them: repair cuts it, and the audit takes the cut in, by repair or by hand."""
    _alice, bob = pulled_over_a_backup(tmp_path, root)
    git(bob, "pull", "-q", "--no-rebase", "--no-edit")
    ledger = bob / MAY
    merged = ledger.read_text(encoding="utf-8")
    kept = merged[: merged.rindex("# govscore batch of")]
    assert "市民政局" not in kept and kept.count("# govscore batch of") == 2
    assert audit_json(bob) == (0, [])
    ledger.write_text(kept, encoding="utf-8")  # by hand
    assert audit_json(bob) == (0, [])
    git(bob, "commit", "-qam", "the torn batch cut by hand")
    assert audit_json(bob) == (0, [])
    assert run(bob, "check").exit_code == 0
    git(bob, "reset", "-q", "--hard", "HEAD^")
    repaired = run(bob, "repair", "--yes")
    assert repaired.exit_code == 0, repaired.output
    assert "HEAD held the lines cut, committed: commit the cut" in repaired.stdout
    assert ledger.read_text(encoding="utf-8") == kept
    git(bob, "commit", "-qam", "govscore repair 2023-05")
    assert audit_json(bob) == (0, [])
    add(bob, "市民政局", "2.4.3", "--commit")
    assert audit_json(bob) == (0, [])
    assert run(bob, "check").exit_code == 0


def test_a_torn_batch_a_merge_put_another_clerks_batch_after_may_be_taken_out(
    tmp_path: Path, root: Path
):
    """Review BO F4, the other way: Alice pulls Bob's entry over her backup, and the union
    merge puts Bob's batch after her torn lines. Repair cannot cut the file back (Bob's
    batch would go with it); taking the torn lines out by hand, Bob's batch kept, was
    named. They stood torn in every commit that held them: no change. Lines that counted
    put into a torn batch before another's (a begin line put above a hand entry) are
    named, as is taking them out."""
    alice, _bob = pulled_over_a_backup(tmp_path, root)
    git(alice, "pull", "-q", "--no-rebase", "--no-edit", str(tmp_path / "bob"), "HEAD")
    ledger = alice / MAY
    merged = ledger.read_text(encoding="utf-8")
    _first, torn, other = (m.start() for m in re.finditer("^# govscore batch of", merged, re.M))
    assert "市民政局" in merged[torn:other] and "市公安局" in merged[other:]
    assert audit_json(alice) == (0, [])
    repaired = run(alice, "repair", "--yes")
    assert repaired.exit_code == 1 and "not cut" in repaired.stdout
    assert ledger.read_text(encoding="utf-8") == merged
    ledger.write_text(merged[:torn] + merged[other:], encoding="utf-8")
    assert audit_json(alice) == (0, [])
    git(alice, "commit", "-qam", "the torn lines taken out by hand")
    assert audit_json(alice) == (0, [])
    checked = run(alice, "check", "--format", "json")
    assert (checked.exit_code, json.loads(checked.stdout)["entries"]) == (0, 2)
    # Hostile: a hand entry that counted, a begin line then put above it.
    hand = "\n" + HAND_ENTRY.format(n=1, department="市民政局", count=4).replace("0001", "h1")
    ledger.write_text(ledger.read_text(encoding="utf-8") + hand, encoding="utf-8")
    git(alice, "commit", "-qam", "a hand entry")
    add(alice, "市公安局", "2.4.3", "--commit")
    text = ledger.read_text(encoding="utf-8")
    at = text.index(hand)
    framed = text[:at] + "# govscore batch of 1 entry, 90 bytes" + text[at:]
    ledger.write_text(framed, encoding="utf-8")
    git(alice, "commit", "-qam", "a begin line above the hand entry")
    ledger.write_text(text[:at] + text[at + len(hand) :], encoding="utf-8")
    git(alice, "commit", "-qam", "the torn lines taken out")
    code, found = audit_json(alice)
    assert code == 1
    assert [r["subject"] for r in found] == [
        "a begin line above the hand entry",
        "the torn lines taken out",
    ]
    assert found[1]["entries"] == ["2023-05-h1"]


@pytest.mark.parametrize("ends", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_a_torn_batch_before_another_in_a_file_saved_with_crlf_may_be_taken_out(
    root: Path, ends: str
):
    """Review BO F4, the other way, in a month file saved with CRLF line ends: the torn
    batch is found in the text as the ledger reads it, and its lines, up to the next
    batch's begin line, are the same lines of the file as git holds it. Taking them out,
    the batch after them kept, is no change, as in an LF file."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    ledger = root / MAY
    add(root, "市公安局", "2.4.3")
    first = ledger.read_text(encoding="utf-8")
    add(root, "市民政局", "2.4.3")
    second = ledger.read_text(encoding="utf-8")
    torn = second[len(first) : second.rindex("\n", 0, -1) + 1]  # its end mark's line lost
    ledger.write_text(first, encoding="utf-8")
    assert add(root, "市公安局", "2.4.3") == "2023-05-0002"
    third = ledger.read_text(encoding="utf-8")[len(first) :]
    ledger.write_bytes((first + torn + third).replace("\n", ends).encode())
    git(root, "add", "-A")
    git(root, "commit", "-qm", "a torn batch before another")
    assert audit_json(root) == (0, [])
    ledger.write_bytes((first + third).replace("\n", ends).encode())
    assert audit_json(root) == (0, [])
    git(root, "commit", "-qam", "the torn lines taken out by hand")
    assert audit_json(root) == (0, [])
    checked = run(root, "check", "--format", "json")
    assert (checked.exit_code, json.loads(checked.stdout)["entries"]) == (0, 2)


def test_a_merge_putting_a_row_that_does_not_read_above_committed_csv_rows_is_named(
    tmp_path: Path,
):
    """Review BJ F4, CSV: a merge put a row that does not read as CSV above committed rows.
    Each later line still stood, but the ledger reads no row from there on; a committed
    row no longer read is named as such."""
    from govscore.ledger.audit import audit_history

    june = "ledger/2023-06.csv"
    base = "id,department,clause,count,note\nc1,市民政局,2.4.3,1,ok\nc2,市公安局,2.4.3,5,ok\n"
    repo = repository(tmp_path / "repo")
    main = commit(repo, "base", {june: base})
    git(repo, "checkout", "-qb", "side")
    side = commit(repo, "side", {"ledger/2023-07.csv": base})
    git(repo, "checkout", "-q", "-")
    git(repo, "merge", "-q", "--no-ff", "--no-commit", "side")
    bad = 'c9,市档案局,2.4.3,1,"late"x'
    merge = commit(repo, "merge", {june: base.replace("c2,", f"{bad}\nc2,")})
    said = (
        "a merge must keep every entry of each parent, whole and in order; against parent "
        "{parent}: entry c2 (line 3) is no longer read: from line 3 on the file does not "
        "read as CSV"
    )
    found = audit_history(repo, "ledger").rewrites
    assert [(r.commit, r.parent, r.message, r.entries, r.lines) for r in found] == [
        (merge, parent, said.format(parent=parent[:10]), ("c2",), (f"+3: {bad}",))
        for parent in (main, side)
    ]


def test_an_entry_added_before_a_committed_one_under_its_id_is_named(tmp_path: Path):
    """Review BJ F3: the first entry of an id (or a key) in ledger order counts, so one
    added later in an earlier month's new file, or by a merge above the committed one,
    took its place, and the committed entry counted nowhere; audit was clean. The commit
    (or the working tree) that adds it is named, with both places. An entry added after
    the committed one changes nothing it counts (check names it), nor does a merge that
    keeps two parents' entries of one key (each was committed on its side)."""
    from govscore.ledger.audit import audit_history

    def table(entry: str, *more: str) -> str:
        return "\n".join(["[[entry]]", f'id = "{entry}"', 'clause = "2.4.3"', *more, ""])

    def found() -> list[tuple[str, str, str, tuple[str, ...], tuple[str, ...]]]:
        rewrites = audit_history(repo, "ledger").rewrites
        return [(r.commit, r.file, r.message, r.entries, r.lines) for r in rewrites]

    repo = repository(tmp_path / "repo")
    commit(repo, "may", {MAY: table("a") + "\n" + table("b", 'key = "K-1"')})
    commit(repo, "after it", {MAY: table("a") + "\n" + table("b", 'key = "K-1"') + table("a")})
    git(repo, "checkout", "-qb", "side")
    commit(repo, "side", {"ledger/2023-06.toml": table("c", 'key = "K-2"')})
    git(repo, "checkout", "-q", "-")
    commit(repo, "main", {"ledger/2023-07.toml": table("d", 'key = "K-2"')})
    git(repo, "merge", "-q", "--no-edit", "side")
    assert found() == []
    # A new file for an earlier month, under a committed id, and another under a key.
    april = "ledger/2023-04.toml"
    (repo / "ledger").joinpath("2023-04.toml").write_text(table("a"), encoding="utf-8")
    lines = ("+1: [[entry]]", '+2: id = "a"', '+3: clause = "2.4.3"')
    said = (
        "entry a added at ledger/2023-04.toml:1 takes the id of the entry committed at "
        "ledger/2023-05.toml:1, before it in the ledger: the committed entry no longer counts"
    )
    assert found() == [("", april, f"not committed: {said}", ("a",), lines)]
    taken = commit(repo, "april", {})
    assert found() == [(taken, april, said, ("a",), lines)]
    # Under a committed key: not named (review BM F2: two clones booking one source row,
    # then `git pull --rebase`, is honest work); check names the key held twice.
    commit(repo, "march", {"ledger/2023-03.toml": table("x", 'key = "K-1"')})
    assert found()[1:] == []


def test_a_hidden_file_in_the_ledger_folder_is_no_ledger_file_to_keep(root: Path):
    """Review BG F4: `git rm ledger/.gitkeep` (the empty placeholder init commits) was a
    rewrite of the ledger in every later audit, and "not committed" before it. The ledger
    reads no hidden file: removing or changing one loses no entry."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    add(root, "市公安局", "2.4.3", "--commit")
    (root / "ledger" / ".notes").write_text("a\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "notes")
    (root / "ledger" / ".notes").write_text("b\n", encoding="utf-8")
    git(root, "rm", "-q", "ledger/.gitkeep")
    assert audit_json(root) == (0, [])  # not committed: no problem either
    git(root, "commit", "-qam", "drop the placeholder")
    assert audit_json(root) == (0, [])
    done = run(root, "audit")
    assert (done.exit_code, done.stdout) == (0, "")


def test_an_unresolved_merge_conflict_is_named_as_one_with_no_advice_that_drops_it(
    root: Path,
):
    """Review BG F6: during a merge left in conflict (git status UU) audit said the file
    was no longer in git's index and advised `git reset -- FILE`, which drops the merge's
    state of the file. It is named as an unresolved conflict, to be resolved and committed."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    add(root, "市公安局", "2.4.3", "--commit")
    git(root, "checkout", "-qb", "side")
    add(root, "市教育局", "2.4.3", "--commit")
    git(root, "checkout", "-q", "-")
    add(root, "市民政局", "2.4.3", "--commit")
    head = git(root, "rev-parse", "HEAD")
    (root / ".git" / "info" / "attributes").write_text("ledger/*.toml merge=text\n")
    merging = subprocess.run(["git", "merge", "-q", "side"], cwd=root, capture_output=True)
    assert merging.returncode == 1
    assert git(root, "status", "--porcelain", "ledger") == "UU ledger/2023-05.toml"
    done = run(root, "audit")
    place = shlex.quote(str(root))
    assert (done.exit_code, done.stdout) == (
        1,
        f"working tree (not committed), against HEAD {head[:10]}\n"
        "    ledger/2023-05.toml: not committed: a merge left the file with an unresolved "
        "conflict; resolve it keeping every entry of both sides whole, then "
        f"`git -C {place} add -- ledger/2023-05.toml` and commit the merge\n"
        "    +12: <<<<<<< HEAD\n",
    )


def test_a_root_moved_inside_its_repository_keeps_its_audit_trail(tmp_path: Path):
    """Review BG F5: a root inside a larger work tree, moved there (`git mv office moved`),
    lost its audit trail: the commits before the move had no ledger at the root's new
    place, so an edit audit named before the move vanished, and one made in the move
    commit itself passed. The ledger is followed across each move, as `git log --follow`
    follows a file."""
    repo = repository(tmp_path / "city")
    commit(repo, "root", {"README": "the city's files\n"})
    assert CliRunner().invoke(cli, ["init", str(repo / "office")]).exit_code == 0
    commit(repo, "init", {})
    office = repo / "office"
    add(office, "市公安局", "2.4.3", "--commit")
    add(office, "市公安局", "2.4.3", "-n", "2", "--commit")
    may = office / MAY
    may.write_text(may.read_text(encoding="utf-8").replace("count = 2\n", "count = 1\n"))
    edit = commit(repo, "edit", {})
    before = run(office, "audit")
    assert before.exit_code == 1
    assert before.stdout.splitlines()[0].startswith(f"{edit[:10]} ")
    # A clean move: the same trail, word for word.
    git(repo, "mv", "office", "moved")
    moved = commit(repo, "reorganise folders", {})
    after = run(repo / "moved", "audit")
    assert (after.exit_code, after.stdout) == (1, before.stdout)
    # A move that edits an entry on the way: named too, against the folder it left.
    git(repo, "mv", "moved", "kept")
    kept = repo / "kept" / MAY
    kept.write_text(kept.read_text(encoding="utf-8").replace("count = 1\n", "count = 9\n"))
    again = commit(repo, "reorganise again", {})
    code, found = audit_json(repo / "kept")
    assert code == 1
    assert [(r["commit"], r["parent"], r["file"], r["entries"], r["lines"]) for r in found] == [
        (
            edit,
            git(repo, "rev-parse", f"{edit}^"),
            MAY,
            ["2023-05-0002"],
            ["-14: count = 2", "+14: count = 1"],
        ),
        (again, moved, MAY, ["2023-05-0002"], ["-14: count = 1", "+14: count = 9"]),
    ]


def test_a_root_moved_twice_and_then_to_the_top_is_followed_through_each_move(tmp_path: Path):
    """Two moves in a row, the second to the repository's top (the root's files moved out
    of office/): each commit is compared where it held the ledger, and named as the file
    is named now; a month file the move left out is named as deleted."""
    from govscore.ledger.audit import Audit, audit_history

    police, education = (
        HAND_ENTRY.format(n=n, department=name, count=1)
        for n, name in ((1, "市公安局"), (2, "市教育局"))
    )
    june = "ledger/2023-06.toml"
    repo = repository(tmp_path / "repo")
    first = commit(
        repo,
        "first",
        {
            "city/office/" + MAY: police,
            "city/office/" + june: education,
            "city/office/weights.toml": "[ledger]\n",
        },
    )
    edit = commit(repo, "edit", {"city/office/" + MAY: police.replace("count = 1", "count = 2")})
    git(repo, "mv", "city/office", "office")
    once = commit(repo, "moved once", {})
    git(repo, "mv", "office/ledger", "office/weights.toml", ".")
    twice = commit(
        repo,
        "moved to the top",
        {MAY: police.replace("count = 1", "count = 3"), june: None},
    )
    found = audit_history(repo, "ledger")
    assert [(r.commit, r.parent, r.file, r.lines) for r in found.rewrites] == [
        (edit, first, MAY, ("-5: count = 1", "+5: count = 2")),
        (twice, once, MAY, ("-5: count = 2", "+5: count = 3")),
        (
            twice,
            once,
            june,
            tuple(f"-{n}: {line}" for n, line in enumerate(education.split("\n"), 1) if line),
        ),
    ]
    assert found.cut == ()
    # Before the second move, from the root as it stood then: the same first finding.
    git(repo, "checkout", "-q", once)
    assert audit_history(repo / "office", "ledger") == Audit(found.rewrites[:1], ())


def test_a_ledger_first_committed_with_data_keeps_nothing_and_a_clean_move_is_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A root that began outside git, its ledger committed with its data (and, in the
    same commit, a file moved into it from a folder with no ledger): nothing was there
    before, so nothing is lost. git is asked for renames only where the ledger folder
    appears or fills, not once per commit."""
    import govscore.ledger.audit
    from govscore.ledger.audit import Audit, audit_history

    police = HAND_ENTRY.format(n=1, department="市公安局", count=1)
    repo = repository(tmp_path / "repo")
    commit(repo, "before", {"docs/notes.md": "the office's notes\n"})
    commit(repo, "more before", {"README": "the city's files\n"})
    begun = commit(
        repo,
        "the office's root",
        {
            "office/" + MAY: police,
            "office/weights.toml": "[ledger]\n",
            "office/notes.md": "the office's notes\n",
            "docs/notes.md": None,
        },
    )
    assert git(repo, "diff-tree", "-r", "-M", "--name-status", begun).splitlines()[1:] == [
        "A\toffice/ledger/2023-05.toml",
        "R100\tdocs/notes.md\toffice/notes.md",
        "A\toffice/weights.toml",
    ]
    police += "\n" + police.replace("0001", "0002")
    commit(repo, "appended", {"office/" + MAY: police})
    commit(repo, "appended again", {"office/" + MAY: police + "# checked\n"})
    asked: list[tuple[str, str]] = []
    real = govscore.ledger.audit.renames

    def renames(root: Path, parent: str, child: str) -> list[tuple[str, str]]:
        asked.append((parent, child))
        return real(root, parent, child)

    monkeypatch.setattr(govscore.ledger.audit, "renames", renames)
    assert audit_history(repo / "office", "ledger") == Audit([], ())
    assert asked == [(git(repo, "rev-parse", f"{begun}^"), begun)]
    git(repo, "mv", "office", "moved")
    commit(repo, "moved", {})
    assert audit_history(repo / "moved", "ledger") == Audit([], ())
    done = run(repo / "moved", "audit")
    assert (done.exit_code, done.stdout, done.stderr) == (
        0,
        "",
        "the ledger's git history is append-only: no line was changed or removed\n",
    )


def test_audit_since_and_a_merge_reach_across_a_move(tmp_path: Path):
    """`audit --since` a tag published before the move: the published ledger is found
    where it stood then, and must still be at HEAD. A merge of a branch made before the
    move (its ledger still in office/) is measured against that branch where it held it."""
    from govscore.ledger.audit import Audit, audit_history

    entries = [HAND_ENTRY.format(n=n, department="市公安局", count=n) for n in (1, 2, 3, 4)]
    repo = repository(tmp_path / "repo")
    published = commit(repo, "published", {"office/" + MAY: "\n".join(entries[:2])})
    git(repo, "tag", "v1")
    git(repo, "checkout", "-qb", "side")
    side = commit(repo, "side", {"office/" + MAY: "\n".join(entries[:3])})
    git(repo, "checkout", "-q", "-")
    git(repo, "mv", "office", "moved")
    moved = commit(repo, "moved", {})
    git(repo, "merge", "-q", "--no-edit", "side")
    assert (repo / "moved" / MAY).read_text(encoding="utf-8") == "\n".join(entries[:3])
    commit(repo, "appended", {"moved/" + MAY: "\n".join(entries)})
    assert audit_history(repo / "moved", "ledger") == Audit([], ())
    assert audit_history(repo / "moved", "ledger", since="v1") == Audit([], ())
    # A merge that drops the side's entry: named against the side, where it held it.
    git(repo, "reset", "-q", "--hard", moved)
    git(repo, "merge", "-q", "--no-commit", "-s", "ours", "side")
    merge = commit(repo, "merged", {})
    lost = (
        f"a merge must keep every entry of each parent, whole and in order; against parent "
        f"{side[:10]}: entry 2023-05-0003 (line 13) was removed"
    )
    found = audit_history(repo / "moved", "ledger").rewrites
    assert [(r.commit, r.parent, r.file, r.message) for r in found] == [(merge, side, MAY, lost)]
    # An entry published in v1 changed after the move: named by the commit and as lost.
    changed = commit(repo, "changed", {"moved/" + MAY: entries[0]})
    found = audit_history(repo / "moved", "ledger", since="v1").rewrites
    assert [(r.commit, r.parent, r.entries) for r in found] == [
        (merge, side, ("2023-05-0003",)),
        (changed, merge, ("2023-05-0002",)),
        (changed, published, ("2023-05-0002",)),
    ]
    assert found[-1].message == (
        f"not everything in v1's ledger ({published[:10]}) is still at HEAD, whole and in "
        "order: entry 2023-05-0002 (line 7) was removed"
    )


@pytest.mark.parametrize("rides", ["first entry", "init"])
def test_a_file_moved_from_last_years_root_into_a_new_root_moves_no_ledger(
    tmp_path: Path, rides: str
):
    """Review BI F7: one root per year in one repository, the notes moved from y2023/ into
    y2024/ in the commit that begins y2024's ledger (or with `init` itself). y2023/ keeps
    its ledger, so it is no earlier place of y2024's: its month files are not deleted."""
    repo = repository(tmp_path / "city")
    commit(repo, "root", {})
    old, new = repo / "y2023", repo / "y2024"
    assert CliRunner().invoke(cli, ["init", str(old)]).exit_code == 0
    notes = "notes for the office, long enough text to be detected as a rename by git\n"
    commit(repo, "init2023", {"y2023/README.md": notes})
    for month, department in (("2023-05", "市公安局"), ("2023-06", "市教育局")):
        done = run(old, "add", "-d", department, "-c", "2.4.3", "--month", month, "--commit")
        assert done.exit_code == 0, done.output
    assert CliRunner().invoke(cli, ["init", str(new)]).exit_code == 0
    if rides == "init":
        git(repo, "mv", "y2023/README.md", "y2024/README.md")
    started = commit(repo, "init2024", {})
    done = run(new, "add", "-d", "市公安局", "-c", "2.4.3", "--month", "2024-01")
    assert done.exit_code == 0, done.output
    if rides == "first entry":
        git(repo, "mv", "y2023/README.md", "y2024/README.md")
    begun = commit(repo, "first 2024 entry; notes move along", {})
    carrier = started if rides == "init" else begun
    assert "R100\ty2023/README.md\ty2024/README.md" in git(
        repo, "diff-tree", "-r", "-M", "--name-status", carrier
    )
    assert git(repo, "ls-tree", "-r", "--name-only", begun, "y2023/ledger").splitlines() == [
        "y2023/ledger/.gitkeep",
        "y2023/ledger/2023-05.toml",
        "y2023/ledger/2023-06.toml",
    ]
    for root in (new, old):
        done = run(root, "audit")
        assert (done.exit_code, done.stdout, done.stderr) == (
            0,
            "",
            "the ledger's git history is append-only: no line was changed or removed\n",
        )


def test_a_root_moved_with_a_month_left_behind_is_followed_by_its_ledger_files(tmp_path: Path):
    """Ledger files renamed into the root's ledger say where it stood, even where the old
    folder still holds a month file: the move left that month out, and it is named as
    deleted, as a month left out of any move is."""
    from govscore.ledger.audit import audit_history

    police, education = (
        HAND_ENTRY.format(n=n, department=name, count=1)
        for n, name in ((1, "市公安局"), (2, "市教育局"))
    )
    june = "ledger/2023-06.toml"
    repo = repository(tmp_path / "repo")
    commit(repo, "first", {"office/" + MAY: police, "office/" + june: education})
    edit = commit(repo, "edit", {"office/" + MAY: police.replace("count = 1", "count = 2")})
    (repo / "moved" / "ledger").mkdir(parents=True)
    git(repo, "mv", "office/" + MAY, "moved/" + MAY)
    moved = commit(repo, "moved May only", {})
    found = audit_history(repo / "moved", "ledger").rewrites
    assert [(r.commit, r.file, r.lines) for r in found] == [
        (edit, MAY, ("-5: count = 1", "+5: count = 2")),
        (
            moved,
            june,
            tuple(f"-{n}: {line}" for n, line in enumerate(education.split("\n"), 1) if line),
        ),
    ]


def test_a_final_newline_put_back_as_check_asks_is_no_change(tmp_path: Path):
    """Review BJ J3: a month file whose final newline an editor dropped is named (a change
    of its last line); check asks for the newline back, so that govscore appends again.
    The commit that puts it back, with entries after it or not, is an append."""
    from govscore.ledger.audit import audit_history

    repo = repository(tmp_path / "repo")
    hand = HAND_ENTRY.format(n=1, department="市公安局", count=1)
    commit(repo, "first", {MAY: LEDGER_HEADER + hand})
    first = git(repo, "rev-parse", "HEAD")
    cut = commit(repo, "lost", {MAY: (LEDGER_HEADER + hand).rstrip("\n")})
    after = LEDGER_HEADER + hand + "\n" + HAND_ENTRY.format(n=2, department="市教育局", count=2)
    commit(repo, "newline back, and an entry", {MAY: after})
    found = audit_history(repo, "ledger").rewrites
    assert [(r.commit, r.parent) for r in found] == [(cut, first)]  # the loss alone


def test_a_last_entry_cut_off_before_its_newline_may_be_completed(root: Path, tmp_path: Path):
    """Review BO F5: a hand append cut off by a power loss (`count = 45` to `count = 4`,
    no newline) and committed by a backup. Check leaves the entry out and asks to repair
    it and end the file with a newline; completing it so was named by audit (adding only
    the newline, the wrong count kept, was not). It never counted (the file lacked its
    newline in every commit that held it): completing it is no change, in the working
    tree and committed. An entry that counted, its newline then taken away, is named
    when changed, as is the loss of the newline."""
    from govscore.ledger.audit import audit_history

    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    add(root, "市公安局", "2.4.3", "--commit")
    ledger = root / MAY
    hand = "\n" + HAND_ENTRY.format(n=1, department="市民政局", count=45).replace("0001", "h1")
    cut = ledger.read_text(encoding="utf-8") + hand[:-2]  # `count = 4`
    ledger.write_text(cut, encoding="utf-8")
    git(root, "commit", "-qam", "nightly backup")
    checked = run(root, "check")
    assert checked.exit_code == 1 and "repair the last entry" in checked.stdout
    ledger.write_text(cut + "5\n", encoding="utf-8")  # as check asks
    assert run(root, "check").exit_code == 0
    assert audit_json(root) == (0, [])
    git(root, "commit", "-qam", "the cut-off entry completed, as check asks")
    assert audit_json(root) == (0, [])

    repo = repository(tmp_path / "repo")
    whole = LEDGER_HEADER + HAND_ENTRY.format(n=1, department="市公安局", count=45)
    first = commit(repo, "first", {MAY: whole})
    lost = commit(repo, "lost", {MAY: whole[:-1]})
    changed = commit(repo, "changed", {MAY: whole.replace("45", "4")})
    found = audit_history(repo, "ledger").rewrites
    assert [(r.commit, r.parent) for r in found] == [(lost, first), (changed, lost)]


@pytest.mark.parametrize(("ends", "bom"), [("\r\n", ""), ("\n", "\ufeff")], ids=["crlf", "bom"])
def test_a_last_entry_cut_off_in_a_file_saved_on_windows_may_be_completed(
    root: Path, ends: str, bom: str
):
    """Review BO F5 in a month file saved with CRLF line ends, or a BOM: the entry the
    ledger leaves out is found in the text as the ledger reads it, and completing it as
    check asks is no change, as in an LF file."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    ledger = root / MAY
    kept = LEDGER_HEADER + HAND_ENTRY.format(n=1, department="市公安局", count=1)
    ledger.write_bytes((bom + kept.replace("\n", ends)).encode())
    git(root, "add", "-A")
    git(root, "commit", "-qm", "entered by hand")
    hand = "\n" + HAND_ENTRY.format(n=2, department="市民政局", count=45)
    cut = bom + (kept + hand[:-2]).replace("\n", ends)  # `count = 4`
    ledger.write_bytes(cut.encode())
    git(root, "commit", "-qam", "nightly backup")
    checked = run(root, "check")
    assert checked.exit_code == 1 and "repair the last entry" in checked.stdout
    ledger.write_bytes((cut + "5" + ends).encode())  # as check asks
    assert run(root, "check").exit_code == 0
    assert audit_json(root) == (0, [])
    git(root, "commit", "-qam", "the cut-off entry completed, as check asks")
    assert audit_json(root) == (0, [])


@pytest.mark.parametrize("body", ["count = 40\n", "[entry.x]\ny = 1\n", '[meta]\nnote = "x"\n'])
def test_a_framed_batch_opening_with_no_entry_header_is_named_by_audit(tmp_path: Path, body: str):
    """Reviews BI F1, BJ F1: a "batch" whose first line is a key or another table, framed
    with a begin line and an end mark written to match (a plain sha256), is no batch
    govscore wrote: audit names the commit as a change of the entry above it, as it
    names the same lines appended with no frame."""
    from govscore.ledger.audit import audit_history
    from govscore.ledger.batches import frame

    repo = repository(tmp_path / "repo")
    hand = HAND_ENTRY.format(n=1, department="市公安局", count=1)
    commit(repo, "first", {MAY: LEDGER_HEADER + hand})
    parent = git(repo, "rev-parse", "HEAD")
    forged = commit(repo, "forged", {MAY: LEDGER_HEADER + hand + frame(body, 1)})
    found = audit_history(repo, "ledger").rewrites
    assert [(r.commit, r.parent, r.entries) for r in found] == [(forged, parent, ("2023-05-0001",))]


def test_an_append_closing_a_string_the_committed_text_left_open_is_a_change(tmp_path: Path):
    """Review BJ F6: a committed hand-written entry whose multi-line note was never closed
    (check named the file, but check is no commit hook) is completed by a later append
    whose first line is an [[entry]] header inside that string: TOML then reads
    `count = 40` as the committed entry's. Named as a change of that entry."""
    from govscore.ledger.audit import audit_history

    repo = repository(tmp_path / "repo")
    hand = HAND_ENTRY.format(n=1, department="市公安局", count=1)
    open_note = LEDGER_HEADER + hand + 'note = """abc\n'
    commit(repo, "first", {MAY: open_note})
    parent = git(repo, "rev-parse", "HEAD")
    closed = commit(repo, "closed", {MAY: open_note + '[[entry]]\n"""\ncount = 40\n'})
    lines = open_note.count("\n")
    [rewrite] = audit_history(repo, "ledger").rewrites
    assert (rewrite.commit, rewrite.parent, rewrite.message, rewrite.entries, rewrite.lines) == (
        closed,
        parent,
        "a commit may only append entries to a ledger file; this one appended lines inside a "
        "multi-line string the last entry already committed left open, which TOML reads as "
        "part of that entry (entry 2023-05-0001)",
        ("2023-05-0001",),
        (f"+{lines + 1}: [[entry]]", f'+{lines + 2}: """', f"+{lines + 3}: count = 40"),
    )
    # In the working tree: named in the same words before a commit takes it in (BL J7).
    git(repo, "reset", "-q", "--hard", parent)
    (repo / MAY).write_text(open_note + '[[entry]]\n"""\ncount = 40\n', encoding="utf-8")
    [working] = audit_history(repo, "ledger").rewrites
    assert (working.commit, working.entries) == ("", ("2023-05-0001",))
    assert working.message.startswith(
        "not committed: a commit may only append entries to a ledger file; this one "
        "appended lines inside a multi-line string"
    )
    # A string closed in the committed text opens nothing: entries appended after it are.
    kept = LEDGER_HEADER + hand + 'note = """abc\ndef"""\n'
    repo2 = repository(tmp_path / "repo2")
    commit(repo2, "first", {MAY: kept})
    commit(
        repo2, "more", {MAY: kept + "\n" + HAND_ENTRY.format(n=2, department="市教育局", count=2)}
    )
    assert audit_history(repo2, "ledger").rewrites == []


# Comment lines enough to change any small file past git's rename threshold (50%).
PADDING = "".join(f"# note {n}: the office's files were reorganised\n" for n in range(60))


def test_a_root_moved_with_every_file_changed_past_git_rename_threshold_is_still_followed(
    tmp_path: Path,
):
    """Review BJ F5: the root moved in a commit that also changed each of its files enough
    that git finds no rename, an entry edited on the way: the ledger was taken as begun
    there, so audit and `audit --since` a tag before the move passed the edit. The ledger
    folder the commit emptied is the one the ledger left."""
    from govscore.ledger.audit import audit_history

    police = HAND_ENTRY.format(n=1, department="市公安局", count=1)
    repo = repository(tmp_path / "repo")
    commit(repo, "root", {"README": "the city's files\n"})
    published = commit(
        repo, "office", {"office/" + MAY: police, "office/weights.toml": "[ledger]\n"}
    )
    git(repo, "tag", "v1")
    moved = commit(
        repo,
        "moved",
        {
            "office/" + MAY: None,
            "office/weights.toml": None,
            "moved/" + MAY: police.replace("count = 1", "count = 3") + PADDING,
            "moved/weights.toml": "[ledger]\n" + PADDING,
        },
    )
    assert git(repo, "diff-tree", "-r", "-M", "--name-status", moved).splitlines()[1:] == [
        "A\tmoved/ledger/2023-05.toml",
        "A\tmoved/weights.toml",
        "D\toffice/ledger/2023-05.toml",
        "D\toffice/weights.toml",
    ]
    # The commit's lines after the edit are named by line; --since compares entries, and
    # comment lines after the last table are no part of it (review BM F5).
    padded = (f"+{n}: {line}" for n, line in enumerate(PADDING.splitlines(), 6))
    lines = ("-5: count = 1", "+5: count = 3", *padded)
    found = audit_history(repo / "moved", "ledger", since="v1").rewrites
    assert [(r.commit, r.parent, r.file, r.entries, r.lines) for r in found] == [
        (moved, published, MAY, ("2023-05-0001",), lines),
        (moved, published, MAY, ("2023-05-0001",), lines[:2]),
    ]
    assert found[1].message == (
        f"not everything in v1's ledger ({published[:10]}) is still at HEAD, whole and in "
        "order: entry 2023-05-0001 (line 1) was changed"
    )
    done = run(repo / "moved", "audit")
    assert (done.exit_code, done.stdout) == (
        1,
        f"{moved[:10]} {found[0].date} Test Clerk: moved\n"
        f"    {MAY}: {APPEND_ONLY} (entry 2023-05-0001)\n"
        + "".join(f"    {line}\n" for line in lines),
    )


def test_a_ledger_appearing_where_several_ledger_folders_were_emptied_is_named_unsure(
    tmp_path: Path,
):
    """Two roots' ledgers emptied in the commit where the root's ledger first appears, and
    no rename to say which it came from: the audit names the commit and both folders, and
    `--since` a tag before it says the tag's ledger was compared with nothing (exit 1),
    never that everything in it is still at HEAD."""
    police, education = (
        HAND_ENTRY.format(n=n, department=name, count=1)
        for n, name in ((1, "市公安局"), (2, "市教育局"))
    )
    repo = repository(tmp_path / "repo")
    published = commit(repo, "two roots", {"a/" + MAY: police, "b/" + MAY: education})
    git(repo, "tag", "v1")
    joined = commit(
        repo,
        "joined",
        {
            "a/" + MAY: None,
            "b/" + MAY: None,
            "moved/" + MAY: police + education + PADDING,
            "moved/weights.toml": "[ledger]\n",
        },
    )
    after = commit(repo, "appended", {"moved/" + MAY: police + education + PADDING + "\n"})
    unsure = (
        f"{joined[:10]} {{date}} Test Clerk: joined\n"
        "    -: the ledger folder moved/ledger first appears in this commit, which took every "
        "ledger file out of several folders (a/ledger, b/ledger), and git finds no file "
        "renamed from one of them: which one it was moved from cannot be told, so the "
        "entries they held were compared with nothing\n"
    )
    code, found = audit_json(repo / "moved")
    assert (code, [(r["commit"], r["parent"], r["file"]) for r in found]) == (
        1,
        [(joined, published, "")],
    )
    done = run(repo / "moved", "audit")
    assert (done.exit_code, done.stdout) == (1, unsure.format(date=found[0]["date"]))
    code, found = audit_json(repo / "moved", "--since", "v1")
    assert (code, [(r["commit"], r["parent"], r["file"]) for r in found]) == (
        1,
        [(joined, published, ""), (after, published, "")],
    )
    done = run(repo / "moved", "audit", "--since", "v1")
    assert (done.exit_code, done.stdout) == (
        1,
        unsure.format(date=found[0]["date"])
        + f"{after[:10]} {found[1]['date']} Test Clerk: appended\n"
        f"    -: v1 ({published[:10]}) held no ledger at moved/ledger, and the history cannot "
        "be followed to where it held this root's ledger: it held ledger files in folders "
        "HEAD no longer holds (a/ledger, b/ledger); nothing of v1's ledger was compared "
        "with HEAD's\n",
    )


def test_audit_since_a_tag_before_the_roots_ledger_began_says_there_was_none_to_compare(
    tmp_path: Path,
):
    """One root per year: `audit --since` last year's tag from the new year's root finds
    no ledger of it there, and last year's still stands. Nothing was compared, and the
    audit says so rather than that everything in the tag's ledger is still at HEAD."""
    repo = repository(tmp_path / "repo")
    police = HAND_ENTRY.format(n=1, department="市公安局", count=1)
    commit(repo, "2023", {"y2023/" + MAY: police, "y2023/weights.toml": "[ledger]\n"})
    git(repo, "tag", "v2023")
    commit(
        repo,
        "2024",
        {"y2024/ledger/2024-01.toml": "# the new year's ledger\n", "y2024/weights.toml": ""},
    )
    done = run(repo / "y2024", "audit", "--since", "v2023")
    assert (done.exit_code, done.stdout, done.stderr) == (
        0,
        "",
        "the ledger's git history since v2023 is append-only; v2023 held no ledger of this "
        "root (it began after it), so there was none to compare with HEAD's\n",
    )
    done = run(repo / "y2023", "audit", "--since", "v2023")
    assert (done.exit_code, done.stderr) == (
        0,
        "the ledger's git history since v2023 is append-only, and everything in v2023's "
        "ledger is still at HEAD, in order\n",
    )


def test_an_append_completing_a_csv_row_left_open_is_a_change_of_that_row(tmp_path: Path):
    """Review BJ J4: a committed CSV row whose quoted cell was never closed (check: the
    rows from there on are not read) was completed by a later append (`"` and a newline):
    the row then counted, and audit said nothing. Named as a change of that row; a CSV
    file whose rows are whole takes appends as ever."""
    from govscore.ledger.audit import audit_history

    csv_may = "ledger/2023-05.csv"
    head = "id,department,clause,count,note\n"
    whole = head + "C-1,市民政局,2.4.3,1,ok\n"
    repo = repository(tmp_path / "repo")
    commit(repo, "whole", {csv_may: whole})
    opened = whole + 'C-2,市公安局,2.4.3,5,"late\n'
    commit(repo, "open", {csv_may: opened})
    parent = git(repo, "rev-parse", "HEAD")
    closed = commit(repo, "closed", {csv_may: opened + '"\nC-3,市教育局,2.4.3,1,x\n'})
    [rewrite] = audit_history(repo, "ledger").rewrites
    assert (rewrite.commit, rewrite.parent, rewrite.message, rewrite.entries, rewrite.lines) == (
        closed,
        parent,
        "a commit may only append entries to a ledger file; this one appended lines to a "
        "quoted cell the last row already committed left open, which CSV reads as part of "
        "that row (entry C-2)",
        ("C-2",),
        ('+4: "', "+5: C-3,市教育局,2.4.3,1,x"),
    )


def test_a_root_begun_in_the_commit_that_moves_another_is_no_move_of_it(tmp_path: Path):
    """Review BM F1: year end in one commit, `git mv office y2026` and a new root y2027
    begun (or a second office's first month file): git finds office's files renamed into
    y2026, yet y2027's audit took office/ledger for its own earlier place and named every
    month file as deleted, for good. A folder whose files went elsewhere, or whose month
    files share no name with the root's, is another root's."""
    repo = repository(tmp_path / "repo")
    may = LEDGER_HEADER + HAND_ENTRY.format(n=1, department="市公安局", count=1)
    commit(repo, "office", {"office/ledger/2023-05.toml": may, "office2/ledger/.gitkeep": ""})
    git(repo, "tag", "v2023-05")
    git(repo, "mv", "office", "y2026")
    june = LEDGER_HEADER.replace("2023-05", "2023-06")
    june += HAND_ENTRY.format(n=1, department="市教育局", count=1).replace("2023-05", "2023-06")
    commit(repo, "year end", {"y2027/ledger/.gitkeep": "", "office2/ledger/2023-06.toml": june})
    from govscore.ledger.audit import audit_history

    for root in ("y2026", "y2027", "office2"):
        assert audit_history(repo / root, "ledger").rewrites == [], root
        assert audit_history(repo / root, "ledger", "v2023-05").rewrites == [], root


def test_an_id_line_inside_a_hand_written_note_is_the_notes_text_not_the_entrys_id(
    tmp_path: Path,
):
    """Review BM F4: a hand-written entry whose multi-line note quotes another entry's
    `id = "…"` line (before its own id line) was taken by audit for an entry under that
    committed id, named as shadowing it; TOML, check and every report read the line as
    the note's text."""
    from govscore.ledger.audit import audit_history

    repo = repository(tmp_path / "repo")
    commit(
        repo, "may", {MAY: LEDGER_HEADER + HAND_ENTRY.format(n=1, department="市公安局", count=1)}
    )
    april = (
        '[[entry]]\nnote = """补录，原登记见\nid = "2023-05-0001"\nkey = "K1"\n"""\n'
        'id = "2023-04-0001"\ndepartment = "市教育局"\nclause = "2.4.3"\n'
    )
    commit(repo, "hand entry, note first", {"ledger/2023-04.toml": april})
    assert audit_history(repo, "ledger").rewrites == []


def test_a_union_merge_of_hand_appends_one_opened_by_a_comment_changes_no_entry(
    tmp_path: Path,
):
    """Review BM F5: two clones each hand-append an entry to one month file, one opened by
    a comment line (`# 以下为手工补录`); the union merge keeps every line, yet audit named
    the entry above them as changed: the comment was counted into that entry's block. A
    comment above a header opens the next table, as a batch's begin line does."""
    from govscore.ledger.audit import audit_history

    repo = repository(tmp_path / "repo")
    first = LEDGER_HEADER + HAND_ENTRY.format(n=1, department="市公安局", count=1)
    commit(repo, "first", {MAY: first})
    git(repo, "checkout", "-qb", "side")
    b = "\n# 以下为王敏手工补录\n" + HAND_ENTRY.format(n=3, department="市教育局", count=1)
    commit(repo, "b", {MAY: first + b})
    git(repo, "checkout", "-q", "-")
    a = "\n" + HAND_ENTRY.format(n=2, department="市民政局", count=1)
    commit(repo, "a", {MAY: first + a})
    commit(repo, "merge", {MAY: first + b + a})  # the lines a union merge keeps
    git(repo, "reset", "-q", "--soft", "HEAD~1")
    tree = git(repo, "write-tree")
    merged = git(repo, "commit-tree", tree, "-p", "HEAD", "-p", "side", "-m", "merge")
    git(repo, "reset", "-q", "--hard", merged)
    assert audit_history(repo, "ledger").rewrites == []


def _merged(repo: Path, first: str, ours: str, theirs: str, merged: str) -> None:
    """A merge commit of two branches' appends to MAY, its text as given."""
    commit(repo, "first", {MAY: first})
    git(repo, "checkout", "-qb", "side")
    commit(repo, "theirs", {MAY: theirs})
    git(repo, "checkout", "-q", "-")
    commit(repo, "ours", {MAY: ours})
    (repo / MAY).write_text(merged, encoding="utf-8")
    git(repo, "add", "-A")
    tree = git(repo, "write-tree")
    done = git(repo, "commit-tree", tree, "-p", "HEAD", "-p", "side", "-m", "merge")
    git(repo, "reset", "-q", "--hard", done)


def test_comment_lines_in_a_merge_say_nothing_but_a_note_line_beginning_with_hash_does(
    tmp_path: Path,
):
    """Review BN F3: a clone's hand append ending in a comment below its entry (`# 以上为
    王敏手工补录`), merged before another clone's entry, was named as removed and as a
    change of that entry: comment lines say nothing TOML reads. BN F1: but a note's
    last line beginning with `#` is the note's text: a merge that rewrites it, putting
    the old line in a new entry below, changed the entry, and is named."""
    from govscore.ledger.audit import audit_history

    first = HAND_ENTRY.format(n=1, department="市公安局", count=1)
    a = "\n" + HAND_ENTRY.format(n=2, department="市民政局", count=2) + "# 以上为王敏手工补录\n"
    b = "\n" + HAND_ENTRY.format(n=3, department="市教育局", count=3)
    repo = repository(tmp_path / "clean")
    _merged(repo, first, first + a, first + b, first + a + b)
    assert audit_history(repo, "ledger").rewrites == []

    noted = first + 'note = """\n窗口未一次告知\n# 整改期限：6月30日"""\n'
    forged = noted.replace("# 整改期限：6月30日", "# 已整改，不予扣分") + (
        "\n"
        + HAND_ENTRY.format(n=4, department="市民政局", count=1)
        + 'note = """\n# 整改期限：6月30日"""\n'
    )
    repo = repository(tmp_path / "forged")
    _merged(repo, noted, noted, noted + b, forged + b)
    found = audit_history(repo, "ledger").rewrites
    assert found and {r.entries for r in found} >= {("2023-05-0001",)}


def test_one_file_renamed_away_does_not_make_a_moved_roots_edit_a_new_roots(tmp_path: Path):
    """Review BN F2: a root moved (its month file rewritten past git's rename threshold,
    an entry edited on the way) while one other month file was renamed into a decoy
    folder: one file renamed away was taken to say the whole folder went there, and the
    edit was never compared. A folder counts as gone elsewhere only if all its files did."""
    from govscore.ledger.audit import audit_history

    repo = repository(tmp_path / "repo")
    may = LEDGER_HEADER + HAND_ENTRY.format(n=1, department="市公安局", count=1)
    # (An entry in it: a file of nothing but its head line counts nothing, and may go.)
    june = may.replace("2023-05", "2023-06")
    commit(repo, "office", {f"office/{MAY}": may, "office/ledger/2023-06.toml": june})
    git(repo, "tag", "v1")
    (repo / "decoy" / "ledger").mkdir(parents=True)
    git(repo, "mv", "office/ledger/2023-06.toml", "decoy/ledger/2023-06.toml")
    edited = may.replace("count = 1", "count = 5") + "".join(f"# {n}\n" for n in range(80))
    commit(repo, "move", {f"office/{MAY}": None, f"moved/{MAY}": edited})
    found = audit_history(repo / "moved", "ledger").rewrites
    # The edit, and the month file that left the root (for the decoy) as deleted.
    assert [(r.file, r.entries) for r in found] == [
        (MAY, ("2023-05-0001",)),
        ("ledger/2023-06.toml", ("2023-06-0001",)),
    ]
    assert audit_history(repo / "moved", "ledger", "v1").rewrites


# -- the rules the months were scored by (review BJ, J1) ------------------------------------

NOTICE = """\
[notice]
number = "烟政管办〔2023〕9号"
title = "补充通知"
issued = 2023-04-10

[[clause]]
id = "2.4.3"
points = 2
"""
NOTICE_EDITED = (
    "the notice, once committed, was edited: the months it rules would score otherwise; "
    "a change of the rules is a new notice"
)
RULES_KEPT = (
    "commit changed the rules months already recorded were scored by: a change of the "
    "rules is a new notice in amendments/, taking effect after those months"
)


def committed(repo: Path, rev: str = "HEAD") -> tuple[str, str, str]:
    """A commit's id, author and date, as audit names it."""
    return tuple(git(repo, "log", "-1", "--format=%H%n%an%n%aI", rev).split("\n"))  # type: ignore[return-value]


def test_a_committed_notice_edited_renamed_or_removed_is_named_and_a_new_one_is_not(
    root: Path,
):
    """Review BJ: a notice's points halved after May was published changed May's score,
    and audit said the history was append-only. A notice, once committed, stays as it is:
    each commit that edits, renames or removes one is named; a new notice is no change."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    notices = root / "amendments"
    notices.mkdir()
    (notices / "2023-05-01.toml").write_text(NOTICE, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "notice 9")
    add(root, "市公安局", "2.4.3", "-n", "2", "--commit")
    (notices / "2023-06-01.toml").write_text(NOTICE.replace("9号", "10号"), encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "notice 10")
    assert audit_json(root) == (0, [])  # a new notice is no change
    june = run(root, "add", "-d", "市公安局", "-c", "2.4.3", "--month", "2023-06", "--commit")
    assert june.exit_code == 0, june.output  # June recorded: notice 10 rules it now

    (notices / "2023-05-01.toml").write_text(
        NOTICE.replace("points = 2", "points = 0.5"), encoding="utf-8"
    )
    git(root, "commit", "-qam", "halved")
    edited, before = committed(root), committed(root, "HEAD^")[0]
    git(root, "mv", "amendments/2023-06-01.toml", "amendments/2023-06-02.toml")
    git(root, "commit", "-qm", "renamed")
    renamed = committed(root)
    git(root, "rm", "-q", "amendments/2023-05-01.toml")
    git(root, "commit", "-qm", "removed")
    removed = committed(root)

    code, found = audit_json(root)
    assert code == 1
    assert found == [
        {
            "commit": edited[0],
            "parent": before,
            "author": edited[1],
            "date": edited[2],
            "subject": "halved",
            "file": "amendments/2023-05-01.toml",
            "message": "已提交的补充通知被改动：其适用月份的得分将随之改变；"
            "考评规则调整应另发新的补充通知",
            "entries": [],
            "lines": ["-8: points = 2", "+8: points = 0.5"],
            "change": "edited",
        },
        {
            "commit": renamed[0],
            "parent": edited[0],
            "author": renamed[1],
            "date": renamed[2],
            "subject": "renamed",
            "file": "amendments/2023-06-01.toml",
            "message": "已提交的补充通知被改名为 amendments/2023-06-02.toml：补充通知以生效日期"
            "命名，改名会使其适用月份的得分改变；考评规则调整应另发新的补充通知",
            "entries": [],
            "lines": [],
            "change": "renamed",
        },
        {
            "commit": removed[0],
            "parent": renamed[0],
            "author": removed[1],
            "date": removed[2],
            "subject": "removed",
            "file": "amendments/2023-05-01.toml",
            "message": "已提交的补充通知被删除：其适用月份的得分将随之改变；"
            "考评规则调整应另发新的补充通知",
            "entries": [],
            "lines": [
                f"-{n}: {line}"
                for n, line in enumerate(NOTICE.replace("2\n", "0.5\n").split("\n"), 1)
                if line
            ],
            "change": "removed",
        },
    ]
    table = run_process("--root", str(root), "audit")
    assert (table.returncode, table.stdout, table.stderr) == (
        1,
        f"{edited[0][:10]} {edited[2]} {edited[1]}: halved\n"
        f"    amendments/2023-05-01.toml: {NOTICE_EDITED}\n"
        "    -8: points = 2\n"
        "    +8: points = 0.5\n"
        f"{renamed[0][:10]} {renamed[2]} {renamed[1]}: renamed\n"
        "    amendments/2023-06-01.toml: the notice, once committed, was renamed to "
        "amendments/2023-06-02.toml: its name is its effective date, so the months it rules "
        "would score otherwise; a change of the rules is a new notice\n"
        f"{removed[0][:10]} {removed[2]} {removed[1]}: removed\n"
        "    amendments/2023-05-01.toml: the notice, once committed, was removed: the months "
        "it rules would score otherwise; a change of the rules is a new notice\n"
        + "".join(f"    {line}\n" for line in found[2]["lines"]),
        f"3 {RULES_KEPT.replace('commit ', 'commits ', 1)}\n",
    )


def test_a_notice_ruling_no_recorded_month_may_be_put_right_renamed_or_removed(root: Path):
    """Review BP F3, J1: a notice for July, committed while the ledger holds May, rules
    no month recorded: two clerks who committed it with different titles, a notice
    saved under its issue date and renamed to its effective date, one taken back by
    `git revert`: none changes a recorded score, and was named for good. Once a July
    entry is recorded, an edit is named again; and a new name that rules recorded months
    is named as a notice added."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    add(root, "市公安局", "2.4.3", "--commit")
    notices = root / "amendments"
    notices.mkdir()
    july = notices / "2023-07-01.toml"
    july.write_text(NOTICE, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "notice 9, for July")
    july.write_text(NOTICE.replace('title = "补充通知"', 'title = "关于调整的补充通知"'), "utf-8")
    git(root, "commit", "-qam", "its title as issued")
    git(root, "mv", "amendments/2023-07-01.toml", "amendments/2023-08-01.toml")
    git(root, "commit", "-qm", "renamed to its effective date")
    git(root, "revert", "--no-edit", "HEAD")  # taken back: July after all
    assert audit_json(root) == (0, [])
    recorded = run(root, "add", "-d", "市公安局", "-c", "2.4.3", "--month", "2023-07", "--commit")
    assert recorded.exit_code == 0, recorded.output
    july.write_text(NOTICE.replace("points = 2", "points = 0.5"), encoding="utf-8")
    git(root, "commit", "-qam", "halved after July was recorded")
    git(root, "mv", "amendments/2023-07-01.toml", "amendments/2023-05-01.toml")
    git(root, "commit", "-qm", "moved to May")
    code, found = audit_json(root)
    assert (code, [(r["subject"], r["file"], r["change"]) for r in found]) == (
        1,
        [
            ("halved after July was recorded", "amendments/2023-07-01.toml", "edited"),
            ("moved to May", "amendments/2023-07-01.toml", "renamed"),
        ],
    )


def test_a_notice_never_in_force_may_be_fixed_renamed_or_removed(root: Path):
    """Review BO F1: a notice `check` leaves out (weights that sum to 1.05, a name that is
    no date, text that is not UTF-8) ruled no month; fixing it as `check` says, renaming
    or removing it was named for good. What the loader put in force at the parent is
    kept; so is a weights.toml that did not read there."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    add(root, "市公安局", "2.4.3", "--commit")
    notices = root / "amendments"
    notices.mkdir()
    weighed = NOTICE.replace("[[clause]]", "[category.2]\nweight = 0.45\n\n[[clause]]")
    (notices / "2023-10-01.toml").write_text(weighed, encoding="utf-8")
    (notices / "2023-11-1.toml").write_text(NOTICE.replace("9号", "15号"), encoding="utf-8")
    (notices / "2023-12-01.toml").write_bytes(NOTICE.replace("补充通知", "通知").encode("gbk"))
    (notices / "2024-01-01.toml").write_text(NOTICE.replace("9号", "16号"), encoding="utf-8")
    weights = root / "weights.toml"
    text = weights.read_text(encoding="utf-8")
    weights.write_bytes(text.encode("gbk"))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "notices, weights.toml saved in GBK")
    code, [named] = audit_json(root)  # weights.toml that read before, read no more
    assert (code, named["file"], named["change"]) == (1, "weights.toml", "edited")
    checked = run(root, "check")
    assert checked.exit_code == 1
    assert "weights.toml: not UTF-8 text; save it as UTF-8" in checked.output
    weights.write_text(text, encoding="utf-8")
    git(root, "commit", "-qam", "weights.toml saved as UTF-8")
    problems = run(root, "check", "--format", "json")
    assert sorted(p["file"] for p in json.loads(problems.stdout)["problems"]) == [
        "amendments/2023-10-01.toml",
        "amendments/2023-11-1.toml",
        "amendments/2023-12-01.toml",
    ]

    (notices / "2023-10-01.toml").write_text(
        weighed + "[category.3]\nweight = 0.15\n", encoding="utf-8"
    )
    git(root, "mv", "amendments/2023-11-1.toml", "amendments/2023-11-01.toml")
    (notices / "2023-12-01.toml").write_text(NOTICE.replace("补充通知", "通知"), encoding="utf-8")
    assert audit_json(root) == (1, [named])  # not committed: no change either
    git(root, "commit", "-qam", "notices fixed as check says")
    assert run(root, "check").exit_code == 0
    assert audit_json(root) == (1, [named])
    # A notice in force for 2024, which rules no month recorded yet, may be taken back
    # too (review BP J1); one ruling a recorded month is named (the test above).
    git(root, "rm", "-q", "amendments/2024-01-01.toml")
    code, found = audit_json(root)
    assert (code, [(r["file"], r["change"]) for r in found]) == (1, [("weights.toml", "edited")])


NOTICE_EARLY = (
    "the notice rules months already recorded (from 2023-04; the ledger held entries up to "
    "2023-05): they would score otherwise; a notice should take effect after them"
)


def test_a_new_notice_that_rules_months_already_recorded_is_named(root: Path):
    """Review BO F2: a notice committed in December, effective 2023-04-01, re-scored April
    and May, already recorded (and published), and nothing named it. A new notice whose
    first month is at or before the last month the parent's ledger held an entry of is
    named, in the working tree, as a commit and since a tag; one effective after those
    months is no change."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    add(root, "市公安局", "2.4.3", "-n", "2", "--commit")
    git(root, "tag", "v")
    published = committed(root)[0]
    notices = root / "amendments"
    notices.mkdir()
    (notices / "2023-06-01.toml").write_text(NOTICE.replace("9号", "10号"), encoding="utf-8")
    (notices / "2023-04-01.toml").write_text(NOTICE, encoding="utf-8")
    lines = [f"+{n}: {line}" for n, line in enumerate(NOTICE.split("\n"), 1) if line]
    head = committed(root)[0]
    assert audit_json(root) == (
        1,
        [
            {
                "commit": "",
                "parent": head,
                "author": "",
                "date": "",
                "subject": "",
                "file": "amendments/2023-04-01.toml",
                "message": "尚未提交：该补充通知适用于已登记的月份（自 2023-04 起；台账已有截至 "
                "2023-05 的记录）：这些月份的得分将随之改变；补充通知应在已登记月份之后生效",
                "entries": [],
                "lines": lines,
                "change": "added",
            }
        ],
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "notices 9 and 10")
    added = committed(root)
    table = run_process("--root", str(root), "audit", "--since", "v")
    assert (table.returncode, table.stdout) == (
        1,
        f"{added[0][:10]} {added[2]} {added[1]}: notices 9 and 10\n"
        f"    amendments/2023-04-01.toml: {NOTICE_EARLY}\n"
        + "".join(f"    {line}\n" for line in lines)
        + f"{added[0][:10]} {added[2]} {added[1]}: notices 9 and 10\n"
        f"    amendments/2023-04-01.toml: since v ({published[:10]}): {NOTICE_EARLY}\n"
        + "".join(f"    {line}\n" for line in lines),
    )
    # Left out at first (a name that is no date), then put right: it comes into force.
    git(root, "rm", "-q", "amendments/2023-04-01.toml")
    (notices / "2023-4-1.toml").write_text(NOTICE, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "misnamed")
    assert [r["subject"] for r in audit_json(root)[1]] == ["notices 9 and 10", "misnamed"]
    git(root, "mv", "amendments/2023-4-1.toml", "amendments/2023-04-01.toml")
    git(root, "commit", "-qm", "named as check says")
    code, found = audit_json(root)
    assert (code, [(r["subject"], r["file"], r["change"]) for r in found]) == (
        1,
        [
            ("notices 9 and 10", "amendments/2023-04-01.toml", "added"),
            ("misnamed", "amendments/2023-04-01.toml", "renamed"),
            ("named as check says", "amendments/2023-04-01.toml", "added"),
        ],
    )


def test_audit_since_names_a_published_notice_edited_after_the_tag(root: Path):
    """Review BJ, as it was found: May recorded and its notice published under a tag,
    then the notice's points edited. `audit --since` names the commit, and the notice
    the tag held that HEAD no longer holds byte for byte; a plain audit names the commit."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    (root / "amendments").mkdir()
    (root / "amendments" / "2023-05-01.toml").write_text(NOTICE, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "n")
    add(root, "市公安局", "2.4.3", "-n", "2", "--commit")
    git(root, "tag", "v")
    published = committed(root)[0]
    assert audit_json(root, "--since", "v") == (0, [])
    notice = root / "amendments" / "2023-05-01.toml"
    notice.write_text(NOTICE.replace("points = 2", "points = 0.5"), encoding="utf-8")
    git(root, "commit", "-qam", "t")
    head = committed(root)

    code, found = audit_json(root, "--since", "v")
    assert code == 1
    walked = {
        "commit": head[0],
        "parent": published,
        "author": head[1],
        "date": head[2],
        "subject": "t",
        "file": "amendments/2023-05-01.toml",
        "message": "已提交的补充通知被改动：其适用月份的得分将随之改变；"
        "考评规则调整应另发新的补充通知",
        "entries": [],
        "lines": ["-8: points = 2", "+8: points = 0.5"],
        "change": "edited",
    }
    since = dict(walked, message=f"自 v（{published[:10]}）以来：{walked['message']}")
    assert found == [walked, since]
    assert audit_json(root) == (1, [walked])
    done = run_process("--root", str(root), "audit", "--since", "v")
    assert done.returncode == 1
    assert f"    amendments/2023-05-01.toml: since v ({published[:10]}): {NOTICE_EDITED}\n" in (
        done.stdout
    )
    assert done.stderr == f"1 {RULES_KEPT}\n"


def test_weights_and_clauses_change_freely_before_the_first_entry_and_are_named_after(
    root: Path,
):
    """weights.toml and a root's own clauses.toml are the first version of the rules: an
    office sets them up freely until an entry is recorded; after that a commit that
    changes, adds or removes one is named (and `--since` a tag that held an entry).
    departments.toml is no rule of scoring: a tag given after months are recorded is
    no change."""
    weights = root / "weights.toml"
    clauses = root / "clauses.toml"
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    weights.write_text(weights.read_text(encoding="utf-8") + "# 本局权重\n", encoding="utf-8")
    catalog = (DATA / "clauses.toml").read_text(encoding="utf-8")
    # The office's own points for 1.1.1 (its removal would score by the shipped ones).
    clauses.write_text(
        "# 本局条款目录\n" + catalog.replace("points = 1\n", "points = 2\n", 1), encoding="utf-8"
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "set up")
    add(root, "市公安局", "2.4.3", "--commit")
    git(root, "tag", "v1")
    published = committed(root)[0]
    tagged = run(root, "departments", "tag", "市民政局", "hall", "--commit")
    assert tagged.exit_code == 0, tagged.output
    assert audit_json(root) == (0, [])
    assert audit_json(root, "--since", "v1") == (0, [])
    # Committing entries switched on, a comment put right: no score changes, no finding.
    text = weights.read_text(encoding="utf-8")
    assert "commit = false" in text and "# 本局权重\n" in text
    text = text.replace("commit = false", "commit = true").replace(
        "# 本局权重\n", "# 本局权重（2023）\n"
    )
    weights.write_text(text, encoding="utf-8")
    git(root, "commit", "-qam", "commit on")
    assert audit_json(root) == (0, [])
    assert audit_json(root, "--since", "v1") == (0, [])

    text = weights.read_text(encoding="utf-8")
    weights.write_text(text.replace("base = 100", "base = 90"), encoding="utf-8")
    git(root, "commit", "-qam", "base")
    base = committed(root)
    git(root, "rm", "-q", "clauses.toml")
    git(root, "commit", "-qm", "catalog")
    removed = committed(root)
    number = text.split("\n").index("base = 100") + 1
    code, found = audit_json(root)
    assert code == 1
    assert [(r["commit"], r["file"], r["change"], r["lines"]) for r in found] == [
        (base[0], "weights.toml", "edited", [f"-{number}: base = 100", f"+{number}: base = 90"]),
        (removed[0], "clauses.toml", "removed", found[1]["lines"]),
    ]
    assert found[1]["lines"][:2] == ["-1: # 本局条款目录", f"-2: {catalog.split(chr(10))[0]}"]
    assert found[0]["message"] == (
        "台账已有记录后改动了该文件：已登记月份的得分将随之改变；"
        "考评规则调整应在 amendments/ 中另发新的补充通知"
    )
    code, since = audit_json(root, "--since", "v1")
    assert code == 1
    assert [(r["commit"], r["parent"], r["file"], r["change"]) for r in since[2:]] == [
        (removed[0], published, "clauses.toml", "removed"),
        (removed[0], published, "weights.toml", "edited"),
    ]
    assert since[3]["message"] == f"自 v1（{published[:10]}）以来：{found[0]['message']}"
    table = run(root, "audit")
    assert f"    weights.toml: {WEIGHTS_EDITED}\n    -{number}: base = 100\n" in table.stdout


def test_weights_are_compared_by_what_they_score_by_their_defaults_filled_in(root: Path):
    """Review BO J2: `[limits] discretionary = 10` written out, an empty `[limits]`,
    `base = 100` left out (the defaults) and a category's display-only `short` changed
    were each named as re-scoring the months recorded. weights.toml is compared as the
    loader reads it; a weight changed still is named."""
    weights = root / "weights.toml"
    text = weights.read_text(encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    add(root, "市公安局", "2.4.3", "--commit")
    for said in (
        text + "\n[limits]\ndiscretionary = 10\n",
        text + "\n[limits]\n",
        text.replace('short = "改革创新"', 'short = "创新"'),
        text.replace("base = 100\n", ""),
    ):
        weights.write_text(said, encoding="utf-8")
        assert audit_json(root) == (0, []), said
        git(root, "commit", "-qam", "the same rules")
    assert audit_json(root) == (0, [])
    weights.write_text(text.replace("weight = 0.15", "weight = 0.150"), encoding="utf-8")
    assert audit_json(root) == (0, [])
    weights.write_text(text.replace('name = "政务服务便利化"', 'name = "便利化"'), encoding="utf-8")
    code, found = audit_json(root)
    assert (code, [(r["file"], r["change"]) for r in found]) == (1, [("weights.toml", "edited")])


def test_rules_files_first_committed_after_entries_are_compared_with_the_defaults(
    tmp_path: Path,
):
    """Review BO F7: a root that `init` made inside a larger repository commits nothing;
    the first `add --commit` commits only its month file, and committing the root's
    files after it, as init says, was named for good as weights.toml "added after entries
    were recorded". The months were scored by the defaults govscore ships: a file that
    says the same is no change; one that says otherwise is named."""
    repo = repository(tmp_path / "city")
    commit(repo, "root", {"README": "the city's files\n"})
    office = repo / "office"
    assert CliRunner().invoke(cli, ["init", str(office)]).exit_code == 0
    add(office, "市公安局", "2.4.3", "--commit")
    assert git(repo, "ls-files", "office") == "office/ledger/2023-05.toml"
    catalog = (DATA / "clauses.toml").read_text(encoding="utf-8")
    (office / "clauses.toml").write_text("# 本局条款目录\n" + catalog, encoding="utf-8")
    assert audit_json(office) == (0, [])
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "the root's files")
    assert audit_json(office) == (0, [])

    git(repo, "rm", "-q", "--cached", "office/weights.toml", "office/clauses.toml")
    git(repo, "commit", "-qm", "untracked again")
    weights = office / "weights.toml"
    weights.write_text(
        weights.read_text(encoding="utf-8").replace("base = 100", "base = 90"), encoding="utf-8"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "the root's files, base 90")
    code, found = audit_json(office)
    assert (code, [(r["file"], r["change"], r["subject"]) for r in found]) == (
        1,
        [
            ("weights.toml", "removed", "untracked again"),
            ("weights.toml", "added", "the root's files, base 90"),
        ],
    )
    assert found[1]["lines"][:2] == [
        "+1: # 分数怎样计算（2023 年办法“四、结果运用”）。",
        found[1]["lines"][1],
    ]


def test_audit_csv_and_markdown_say_what_befell_a_rules_file(root: Path):
    """Review BO J5: CSV and Markdown had no `change` column, so a renamed notice's row (no
    lines) could not be told from a removed one but by its words; and the summary of a
    weights.toml commit said "a notice, once committed, stays as it is"."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    add(root, "市公安局", "2.4.3", "--commit")
    weights = root / "weights.toml"
    text = weights.read_text(encoding="utf-8")
    weights.write_text(text.replace("base = 100", "base = 90"), encoding="utf-8")
    git(root, "commit", "-qam", "base")
    base = committed(root)
    number = text.split("\n").index("base = 100") + 1
    done = run_process("--root", str(root), "audit", "--format", "csv")
    parent = committed(root, "HEAD^")[0]
    said = f"{base[0]},{parent},{base[1]},{base[2]},weights.toml,{WEIGHTS_EDITED}"
    # (A cell that begins with - or + is kept from being read as a formula: '-6.)
    assert (done.returncode, done.stdout, done.stderr) == (
        1,
        "commit,parent,author,date,file,message,line,change\n"
        f"{said},'-{number}: base = 100,edited\n"
        f"{said},'+{number}: base = 90,edited\n",
        f"1 {RULES_KEPT}\n",
    )
    table = run_process("--root", str(root), "audit", "--format", "markdown")
    cells = [[cell.strip() for cell in row.split("|")[1:-1]] for row in table.stdout.splitlines()]
    assert cells[0] == ["commit", "parent", "author", "date", "file", "message", "line", "change"]
    assert [row[6:] for row in cells[2:]] == [
        [f"-{number}: base = 100", "edited"],
        [f"+{number}: base = 90", "edited"],
    ]


def test_rules_changed_in_the_working_tree_are_named_before_they_are_committed(root: Path):
    """An edit of a committed notice, a notice taken out of git's index, and weights.toml
    edited once the ledger holds an entry are named as the working tree's, against HEAD,
    as committed ledger lines changed there are; a new notice is none."""
    (root / "amendments").mkdir()
    (root / "amendments" / "2023-05-01.toml").write_text(NOTICE, encoding="utf-8")
    (root / "amendments" / "2023-06-01.toml").write_text(NOTICE, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    add(root, "市公安局", "2.4.3", "--commit")
    june = run(root, "add", "-d", "市公安局", "-c", "2.4.3", "--month", "2023-06", "--commit")
    assert june.exit_code == 0, june.output  # both notices rule a recorded month
    head = committed(root)[0]
    (root / "amendments" / "2023-05-01.toml").write_text(
        NOTICE.replace("points = 2", "points = 1"), encoding="utf-8"
    )
    git(root, "rm", "-q", "--cached", "amendments/2023-06-01.toml")
    (root / "amendments" / "2023-07-01.toml").write_text(NOTICE, encoding="utf-8")
    weights = root / "weights.toml"
    text = weights.read_text(encoding="utf-8")
    weights.write_text(text.replace("base = 100", "base = 90"), encoding="utf-8")
    number = text.split("\n").index("base = 100") + 1

    code, found = audit_json(root)
    assert code == 1
    assert [(r["commit"], r["parent"], r["file"], r["change"], r["lines"]) for r in found] == [
        ("", head, "amendments/2023-06-01.toml", "removed", found[0]["lines"]),
        ("", head, "amendments/2023-05-01.toml", "edited", ["-8: points = 2", "+8: points = 1"]),
        ("", head, "weights.toml", "edited", [f"-{number}: base = 100", f"+{number}: base = 90"]),
    ]
    assert found[1]["message"] == (
        "尚未提交：已提交的补充通知被改动：其适用月份的得分将随之改变；"
        "考评规则调整应另发新的补充通知"
    )
    table = run_process("--root", str(root), "audit")
    assert table.returncode == 1
    assert table.stdout.startswith(
        f"working tree (not committed), against HEAD {head[:10]}\n"
        "    amendments/2023-06-01.toml: not committed: the notice, once committed, was "
        "removed: "
    )
    assert table.stderr == (
        "the working tree changes the rules months already recorded were scored by, and the "
        "next commit would take that in: a change of the rules is a new notice in "
        "amendments/, taking effect after those months\n"
    )


def test_a_notice_renamed_with_mv_is_named_as_one_renamed_with_git_mv(root: Path):
    """A committed notice renamed in the working tree with `mv`, not yet staged, was named
    as removed (its new name is untracked), and renamed with `git mv`: the same move is
    named the same, renamed, staged or not, in the table and in JSON."""
    notices = root / "amendments"
    notices.mkdir()
    (notices / "2023-05-01.toml").write_text(NOTICE, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    add(root, "市公安局", "2.4.3", "--commit")  # May recorded under the notice
    head = git(root, "rev-parse", "HEAD")
    (notices / "2023-05-01.toml").rename(notices / "2023-05-02.toml")
    renamed = {
        "commit": "",
        "parent": head,
        "author": "",
        "date": "",
        "subject": "",
        "file": "amendments/2023-05-01.toml",
        "message": "尚未提交：已提交的补充通知被改名为 amendments/2023-05-02.toml：补充通知以生效"
        "日期命名，改名会使其适用月份的得分改变；考评规则调整应另发新的补充通知",
        "entries": [],
        "lines": [],
        "change": "renamed",
    }
    table = (
        f"working tree (not committed), against HEAD {head[:10]}\n"
        "    amendments/2023-05-01.toml: not committed: the notice, once committed, was "
        "renamed to amendments/2023-05-02.toml: its name is its effective date, so the months "
        "it rules would score otherwise; a change of the rules is a new notice\n"
    )
    unstaged = (audit_json(root), run(root, "audit").stdout)
    git(root, "add", "-A")
    staged = (audit_json(root), run(root, "audit").stdout)
    assert unstaged == staged == ((1, [renamed]), table)


def test_rules_left_in_a_merge_conflict_are_named_as_such(root: Path):
    """Review BO F6: two clerks each commented the same line of weights.toml (a comment
    changes no rule); `git merge` stopped with `UU weights.toml`, and the audit said the
    file was removed, every line of it. A rules file in conflict is named as an
    unresolved conflict to resolve and commit, as a ledger file is."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "root")
    add(root, "市公安局", "2.4.3", "--commit")
    weights = root / "weights.toml"
    text = weights.read_text(encoding="utf-8")
    git(root, "checkout", "-qb", "other")
    weights.write_text(text.replace("weight = 0.25\n", "weight = 0.25  # 标准化\n"), "utf-8")
    git(root, "commit", "-qam", "comment (other clerk)")
    git(root, "checkout", "-q", "-")
    weights.write_text(text.replace("weight = 0.25\n", "weight = 0.25  # 一类\n"), "utf-8")
    git(root, "commit", "-qam", "comment")
    head = committed(root)[0]
    merged = subprocess.run(["git", "merge", "other"], cwd=root, capture_output=True)
    assert merged.returncode == 1 and git(root, "status", "--short") == "UU weights.toml"
    line = text.split("\n").index("weight = 0.25") + 1
    table = run_process("--root", str(root), "audit")
    assert (table.returncode, table.stdout) == (
        1,
        f"working tree (not committed), against HEAD {head[:10]}\n"
        "    weights.toml: not committed: a merge left the file with an unresolved "
        "conflict; resolve it keeping the rules the months were scored by, then "
        f"`git -C {root} add -- weights.toml` and commit the merge\n"
        f"    +{line}: <<<<<<< HEAD\n"
        f"    +{line + 2}: =======\n"
        f"    +{line + 3}: weight = 0.25  # 标准化\n"
        f"    +{line + 4}: >>>>>>> other\n",
    )
    assert [r["change"] for r in audit_json(root)[1]] == ["conflict"]


def test_a_merge_that_drops_the_other_clerks_notice_is_named(clerks: tuple[Path, Path]):
    """A notice is compared in a merge against each parent, as ledger files are: `git
    merge -s ours` that leaves out the notice the other clerk committed (and the May
    entry recorded under it) removes it."""
    alice, bob = clerks
    (alice / "amendments").mkdir()
    (alice / "amendments" / "2023-05-01.toml").write_text(NOTICE, encoding="utf-8")
    git(alice, "add", "-A")
    git(alice, "commit", "-qm", "notice")
    add(alice, "市民政局", "2.4.3", "--commit")  # May recorded under it
    git(alice, "push", "-q", "origin", "HEAD")
    add(bob, "市公安局", "2.4.3")
    git(bob, "pull", "-q", "--no-rebase", "--no-edit", "origin")
    assert audit_json(bob) == (0, [])  # the notice merged in is a new one
    git(bob, "reset", "-q", "--hard", "HEAD^")
    git(bob, "merge", "-q", "-s", "ours", "--no-edit", "FETCH_HEAD")
    code, found = audit_json(bob)
    assert code == 1
    merge, theirs = git(bob, "rev-parse", "HEAD"), git(bob, "rev-parse", "FETCH_HEAD")
    assert [(r["commit"], r["parent"], r["file"], r["change"]) for r in found] == [
        (merge, theirs, "ledger/2023-05.toml", ""),  # Alice's May entry dropped too
        (merge, theirs, "amendments/2023-05-01.toml", "removed"),
    ]


def test_a_root_moved_takes_its_notices_and_weights_along(tmp_path: Path):
    """A root moved inside its repository (`git mv office moved`) moves its amendments/
    and weights.toml with its ledger: no notice is removed, no weights changed; an edit
    of a notice before the move is still named, as the file is named now."""
    repo = repository(tmp_path / "city")
    commit(repo, "root", {"README": "the city's files\n"})
    assert CliRunner().invoke(cli, ["init", str(repo / "office")]).exit_code == 0
    commit(repo, "init", {"office/amendments/2023-05-01.toml": NOTICE})
    office = repo / "office"
    add(office, "市公安局", "2.4.3", "--commit")
    assert audit_json(office) == (0, [])
    git(repo, "mv", "office", "moved")
    commit(repo, "reorganise folders", {})
    assert audit_json(repo / "moved") == (0, [])
    edited = commit(
        repo,
        "edit",
        {"moved/amendments/2023-05-01.toml": NOTICE.replace("points = 2", "points = 3")},
    )
    git(repo, "mv", "moved", "kept")
    commit(repo, "reorganise again", {})
    code, found = audit_json(repo / "kept")
    assert code == 1
    assert [(r["commit"], r["file"], r["change"]) for r in found] == [
        (edited, "amendments/2023-05-01.toml", "edited")
    ]
