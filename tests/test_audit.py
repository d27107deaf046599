"""`govscore audit` against the attacks of issue 11: real repositories, real merges and amends.

Two clerks work on clones of one shared ledger (so their ids carry clone tags, as in the
office); the attacks are made with git itself, as a hostile or careless clerk would.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import process_env, run_process
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
    assert f"entry {veto} (line 3) was removed" in rewrite["message"]
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
    assert "was removed" in rewrite["message"]


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
    assert f"entry {education} (line {at_education - 2}) was changed" in changed[0]["message"]


def test_a_merge_that_moves_an_entry_is_caught(clerks: tuple[Path, Path]):
    alice, bob = clerks
    first = add(bob, "市公安局", "2.4.3")
    second = add(bob, "市民政局", "2.4.3")
    add(alice, "市体育局", "2.4.7")
    git(alice, "push", "-q", "origin", "HEAD")
    git(bob, "pull", "-q", "--no-rebase", "--no-edit", "origin")
    ledger = bob / "ledger" / "2023-05.toml"
    head, *entries = re.split(r"\n(?=\[\[entry\]\])", ledger.read_text(encoding="utf-8"))
    by_id = {re.search(r'id = "([^"]+)"', entry).group(1): entry.strip() for entry in entries}
    order = [second, first, *(i for i in by_id if i not in (first, second))]
    ledger.write_text(
        "\n\n".join([head.strip(), *(by_id[i] for i in order)]) + "\n", encoding="utf-8"
    )
    git(bob, "commit", "-q", "-a", "--amend", "--no-edit")
    assert "does not match its end" in run(bob, "check").output  # as above

    code, found = audit_json(bob)
    assert code == 1
    assert any("moved to line" in r["message"] for r in found), found
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
    assert problem["message"].startswith(
        "id 2023-05-0002 is missing: govscore numbers the ids of 2023-05 in sequence, "
        "and 2023-05-0003 follows 2023-05-0001"
    )
    assert run(root, "check", "--at", "v2023-05").exit_code == 0  # what was published

    since = run_process("--root", str(root), "audit", "--since", "v2023-05", "--format", "json")
    assert since.returncode == 1
    rewritten, lost = json.loads(since.stdout)
    assert rewritten["parent"] == published
    assert (
        rewritten["message"].startswith("v2023-05 (")
        and "not an ancestor of HEAD" in rewritten["message"]
    )
    assert lost["file"] == "ledger/2023-05.toml" and lost["entries"] == ["2023-05-0002"]
    assert "entry 2023-05-0002 (line 10) was removed" in lost["message"]
    assert "not everything in v2023-05's ledger is still at HEAD" in lost["message"]


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
