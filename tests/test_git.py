"""Git as the audit trail, with real repositories in temp folders."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner

from conftest import REPO, run_process
from govscore.cli.commands import GITATTRIBUTES, GITIGNORE, cli


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)
    return git(root, "rev-parse", "HEAD")


def test_init_gives_ledger_files_union_merge(root: Path):
    attributes = (root / ".gitattributes").read_text(encoding="utf-8")
    assert "ledger/*.toml merge=union" in attributes
    assert (
        git(root, "check-attr", "merge", "ledger/2023-05.toml")
        == "ledger/2023-05.toml: merge: union"
    )


def test_the_office_root_and_the_demo_root_are_set_up_as_init_sets_one_up():
    """The repository is the office's working root, and examples/ a demo root to copy:
    both give their ledger files git's union merge and keep the cache out of git, as a
    root `govscore init` makes does."""
    for folder in ("", "examples/"):
        assert (REPO / folder / ".gitattributes").read_text(encoding="utf-8") == GITATTRIBUTES
        for name in ("2023-05.toml", "2023-05.csv"):
            found = git(REPO, "check-attr", "merge", f"{folder}ledger/{name}")
            assert found == f"{folder}ledger/{name}: merge: union"
        ignored = git(REPO, "check-ignore", "-v", f"{folder}.govscore-cache/ledger.cache")
        assert ".govscore-cache/" in ignored
    assert (REPO / "examples" / ".gitignore").read_text(encoding="utf-8") == GITIGNORE


def test_add_commit_names_department_clause_and_id_authored_by_the_recorder(root: Path):
    commit_all(root, "a new root")
    result = run(
        root,
        "add",
        "-d",
        "公安局",
        "-c",
        "2.4.3",
        "-n",
        "3",
        "--month",
        "2023-05",
        "--by",
        "王敏",
        "--commit",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "2023-05-0001\n"
    log = git(root, "log", "-1", "--format=%an|%s")
    assert log == "王敏|govscore: 市公安局 2.4.3 ×3 (2023-05-0001)"
    assert git(root, "status", "--porcelain") == ""
    voided = run(root, "void", "2023-05-0001", "--reason", "申诉成立", "--by", "李强", "--commit")
    assert voided.exit_code == 0
    assert (
        git(root, "log", "-1", "--format=%an|%s")
        == "李强|govscore: void 2023-05-0001 (申诉成立) as 2023-05-0002"
    )


def test_commit_setting_in_weights_commits_every_add(root: Path):
    weights = root / "weights.toml"
    weights.write_text(
        weights.read_text(encoding="utf-8").replace("commit = false", "commit = true"),
        encoding="utf-8",
    )
    commit_all(root, "always commit")
    before = git(root, "rev-list", "--count", "HEAD")
    assert run(root, "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05").exit_code == 0
    assert int(git(root, "rev-list", "--count", "HEAD")) == int(before) + 1
    assert git(root, "show", "--name-only", "--format=", "HEAD") == "ledger/2023-05.toml"


def test_audit_passes_a_history_of_pure_appends(root: Path):
    commit_all(root, "root")
    for clause in ("2.4.3", "2.4.7", "1.2.2"):
        assert (
            run(
                root, "add", "-d", "市民政局", "-c", clause, "--month", "2023-05", "--commit"
            ).exit_code
            == 0
        )
    result = run_process("--root", str(root), "audit")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "append-only" in result.stderr


def test_audit_reports_a_commit_that_changed_a_line(root: Path):
    commit_all(root, "root")
    assert (
        run(
            root,
            "add",
            "-d",
            "市民政局",
            "-c",
            "2.4.3",
            "-n",
            "3",
            "--month",
            "2023-05",
            "--commit",
        ).exit_code
        == 0
    )
    assert (
        run(
            root, "add", "-d", "市公安局", "-c", "2.4.7", "--month", "2023-05", "--commit"
        ).exit_code
        == 0
    )
    ledger = root / "ledger" / "2023-05.toml"
    text = ledger.read_text(encoding="utf-8")
    ledger.write_text(text.replace("count = 3\n", "count = 1\n"), encoding="utf-8")
    subprocess.run(
        ["git", "commit", "-qam", "fix a count"],
        cwd=root,
        check=True,
        env={**__import__("os").environ, "GIT_AUTHOR_NAME": "Mallory"},
    )
    changed_at = text.split("\n").index("count = 3") + 1
    sha = git(root, "rev-parse", "HEAD")
    result = run(root, "audit", "--format", "json")
    assert result.exit_code == 1
    [rewrite] = json.loads(result.stdout)
    assert rewrite["commit"] == sha
    assert rewrite["author"] == "Mallory"
    assert rewrite["subject"] == "fix a count"
    assert rewrite["file"] == "ledger/2023-05.toml"
    assert rewrite["lines"] == [f"-{changed_at}: count = 3", f"+{changed_at}: count = 1"]
    table = run(root, "audit")
    assert table.stdout.splitlines()[0].startswith(f"{sha[:10]} ")
    assert table.stdout.splitlines()[1:] == [
        "    ledger/2023-05.toml: a commit may only append to a ledger file; this one changed, "
        "removed or inserted lines already committed (entry 2023-05-0001)",
        f"    -{changed_at}: count = 3",
        f"    +{changed_at}: count = 1",
    ]


def two_clerks_merge(root: Path, *merge_args: str) -> str:
    """Alice and Bob append on two branches of one clone; Alice merges Bob's branch."""
    commit_all(root, "root")
    base = git(root, "rev-parse", "--abbrev-ref", "HEAD")
    git(root, "checkout", "-qb", "bob")
    bob = ("add", "-d", "市公安局", "-c", "2.4.7", "--month", "2023-05", "--note", "鲍勃的记录")
    assert run(root, *bob, "--commit").exit_code == 0
    git(root, "checkout", "-q", base)
    alice = ("add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05", "--note", "爱丽丝")
    assert run(root, *alice, "--commit").exit_code == 0
    git(root, "merge", "-q", *merge_args, "bob")
    return git(root, "rev-parse", "HEAD")


def test_audit_reports_a_merge_that_dropped_a_parents_line(root: Path):
    """A merge must keep every line of each parent: here it drops one of Bob's."""
    two_clerks_merge(root, "--no-commit")
    ledger = root / "ledger" / "2023-05.toml"
    text = ledger.read_text(encoding="utf-8")
    ledger.write_text(text.replace('note = "鲍勃的记录"\n', ""), encoding="utf-8")
    merge = commit_all(root, "merge bob, losing a line")
    result = run_process("--root", str(root), "audit")
    assert result.returncode == 1, result.stderr
    assert merge[:10] in result.stdout
    assert 'note = "鲍勃的记录"' in result.stdout  # the lost line is named


def test_audit_reports_a_merge_that_kept_only_one_side(root: Path):
    """`git merge -s ours` leaves ledger/ as it was on one side: the other side's lines are lost,
    though the merge changed nothing there compared with its first parent."""
    merge = two_clerks_merge(root, "-s", "ours", "-m", "merge bob, keeping only ours")
    assert "鲍勃的记录" not in (root / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    result = run_process("--root", str(root), "audit")
    assert result.returncode == 1, result.stderr
    assert merge[:10] in result.stdout
    assert 'note = "鲍勃的记录"' in result.stdout


def test_audit_reports_a_removed_ledger_file(root: Path):
    assert run(root, "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05").exit_code == 0
    commit_all(root, "May")
    git(root, "rm", "-q", "ledger/2023-05.toml")
    git(root, "commit", "-qm", "drop May")
    result = run(root, "audit", "--format", "json")
    assert result.exit_code == 1
    [rewrite] = json.loads(result.stdout)
    assert rewrite["subject"] == "drop May"
    assert rewrite["lines"][0] == "-1: # govscore ledger for 2023-05: append only"


def test_two_clerks_on_clones_merge_cleanly(tmp_path: Path, root: Path):
    commit_all(root, "the office's root")
    shared = tmp_path / "shared.git"
    git(tmp_path, "clone", "-q", "--bare", str(root), str(shared))
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    git(tmp_path, "clone", "-q", str(shared), str(alice))
    git(tmp_path, "clone", "-q", str(shared), str(bob))
    a = run(
        alice,
        "add",
        "-d",
        "市民政局",
        "-c",
        "2.4.3",
        "--month",
        "2023-05",
        "--by",
        "Alice",
        "--commit",
    )
    b = run(
        bob,
        "add",
        "-d",
        "市公安局",
        "-c",
        "2.4.7",
        "-n",
        "2",
        "--month",
        "2023-05",
        "--by",
        "Bob",
        "--commit",
    )
    assert a.exit_code == 0 and b.exit_code == 0
    # Each clone tags its ids, so the two clerks' first May entries differ.
    assert a.stdout.startswith("2023-05-0001-") and b.stdout.startswith("2023-05-0001-")
    assert a.stdout != b.stdout
    git(alice, "push", "-q", "origin", "HEAD")
    merged = subprocess.run(
        ["git", "pull", "-q", "--no-rebase", "--no-edit", "origin"],
        cwd=bob,
        capture_output=True,
        text=True,
    )
    assert merged.returncode == 0, merged.stderr
    text = (bob / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    assert a.stdout.strip() in text and b.stdout.strip() in text
    assert run(bob, "check").exit_code == 0
    assert run(bob, "audit").exit_code == 0
    # 市民政局 2.4.3: C2 99 → 25 + 39.6 + 35 = 99.6; 市公安局 2.4.7 × 2: C2 98 → 99.2
    payload = json.loads(run(bob, "month", "2023-05", "--format", "json").stdout)
    totals = {d["department"]: d["total"] for d in payload["departments"] if d["total"] != 100}
    assert totals == {"市民政局": 99.6, "市公安局": 99.2}


def test_two_branches_numbering_the_same_id_are_told_how_to_mend_the_merge(root: Path):
    """Two branches of one clone number the same id, and git's union merge interleaves
    the two entries' lines (review aq F9): the field written twice is named with what
    probably happened and how to mend it, not only tomllib's "cannot overwrite a value"."""
    commit_all(root, "the office's root")
    git(root, "checkout", "-qb", "side")
    side = ["-d", "市民政局", "-c", "2.4.3", "-n", "2", "--month", "2023-05", "--commit"]
    assert run(root, "add", *side).stdout == "2023-05-0001\n"
    git(root, "checkout", "-q", "-")
    main = ["-d", "市公安局", "-c", "2.4.7", "-n", "3", "--month", "2023-05", "--commit"]
    assert run(root, "add", *main).stdout == "2023-05-0001\n"
    git(root, "merge", "-q", "--no-edit", "side")
    lines = (root / "ledger" / "2023-05.toml").read_text(encoding="utf-8").splitlines()
    line = lines.index('department = "市民政局"') + 1  # the second department line
    file = "ledger/2023-05.toml"
    checked = run(root, "check")
    assert (checked.exit_code, checked.stdout) == (
        1,
        f"{file}:{line}: not valid TOML: department is written twice in one [[entry]] "
        "table: probably two entries' lines were interleaved by a merge (the same id "
        f"numbered on two branches of one clone); `git log --merges -- {file}` finds the "
        f"merge M, and `git show M^1:{file}` and `git show M^2:{file}` each side's "
        "entries: write the two entries apart, each under its own [[entry]] header (the "
        "second under an id of its own), then run `govscore check`\n",
    )


def test_month_at_a_revision_reproduces_the_published_ranking(root: Path):
    assert run(root, "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05").exit_code == 0
    published = commit_all(root, "May published")
    report = run(root, "month", "2023-05", "--format", "json")
    assert (
        run(root, "add", "-d", "市民政局", "-c", "2.4.3", "-n", "4", "--month", "2023-05").exit_code
        == 0
    )
    now = json.loads(run(root, "month", "2023-05", "--format", "json").stdout)
    assert (now["revision"], now["uncommitted"]) == (published, True)
    # 市民政局: 2.4.3 × 5 now → C2 95 → 98; at the published revision, × 1 → 99.6
    civil = next(d for d in now["departments"] if d["department"] == "市民政局")
    assert civil["total"] == 98.0
    then = run(root, "month", "2023-05", "--at", published[:8], "--format", "json")
    assert then.exit_code == 0
    assert then.stdout == report.stdout  # the published report, byte for byte
    assert json.loads(then.stdout)["revision"] == published
    table = run(root, "month", "2023-05", "--at", "HEAD")
    assert table.stdout.splitlines()[0].endswith(f"台账 git {published[:10]}")
    uncommitted = run(root, "month", "2023-05")
    assert uncommitted.stdout.splitlines()[0].endswith("（含未提交的记录）")


def test_entries_outside_any_commit_are_said_to_be_uncommitted(root: Path, tmp_path: Path):
    """A report says whether entries no commit holds counted: outside git, every entry;
    in git, those of a ledger git ignores too (its revision holds none of them)."""
    assert run(root, "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05").exit_code == 0
    commit_all(root, "May")
    committed = json.loads(run(root, "month", "2023-05", "--format", "json").stdout)
    assert committed["uncommitted"] is False
    (root / ".git" / "info" / "exclude").write_text("ledger/2023-06.toml\n", encoding="utf-8")
    assert run(root, "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-06").exit_code == 0
    assert "2023-06" not in git(root, "status", "--porcelain")  # ignored: git says nothing
    ignored = json.loads(run(root, "month", "2023-06", "--format", "json").stdout)
    assert ignored["uncommitted"] is True
    plain = tmp_path / "plain"
    shutil.copytree(root, plain, ignore=shutil.ignore_patterns(".git"))
    outside = json.loads(run(plain, "month", "2023-05", "--format", "json").stdout)
    assert (outside["revision"], outside["uncommitted"]) == (None, True)
    empty = tmp_path / "empty"
    shutil.copytree(plain, empty, ignore=shutil.ignore_patterns("*.toml", "*.csv"))
    shutil.copy(plain / "weights.toml", empty)
    shutil.copy(plain / "departments.toml", empty)
    nothing = run(empty, "month", "2023-05", "--format", "json")
    assert (json.loads(nothing.stdout)["revision"], json.loads(nothing.stdout)["uncommitted"]) == (
        None,
        False,
    )


NOTICE = """\
[notice]
number = "烟政管办〔2023〕9号"
title = "关于调整政务服务工作考评指标的补充通知"

[[clause]]
id = "2.4.3"
points = 2
"""


def test_uncommitted_configuration_is_said_as_uncommitted_entries_are(root: Path, tmp_path: Path):
    """Review AP F5: only ledger files were weighed, so a notice left uncommitted in
    amendments/ changed every figure while the report said uncommitted: false, and its
    revision under --at gave other figures. Every file the figures are read from counts:
    the ledger, departments.toml, weights.toml, clauses.toml and amendments/."""
    assert run(root, "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-10").exit_code == 0
    published = commit_all(root, "October")

    def state(*args: str) -> tuple[object, object, float, str]:
        done = run(root, "month", "2023-10", *args, "--format", "json")
        payload = json.loads(done.stdout)
        civil = next(d for d in payload["departments"] if d["department"] == "市民政局")
        said = run(root, "check", *args).stderr.strip()
        return payload["revision"], payload["uncommitted"], civil["total"], said

    # 2.4.3 × 1 at 1 point: C2 99 → 25 + 0.40×99 + 35 = 99.6
    plain = f"1 entry in 1 ledger file (ledger git {published[:10]}): no problems"
    assert state() == (published, False, 99.6, plain)
    (root / "amendments").mkdir()
    (root / "amendments" / "2023-10-01.toml").write_text(NOTICE, encoding="utf-8")
    # At 2 points from October: C2 98 → 25 + 39.2 + 35 = 99.2, which the revision does
    # not give (--at: 99.6, and nothing there is uncommitted).
    notice = f"1 entry in 1 ledger file (ledger git {published[:10]} (with uncommitted {{}})): no problems"
    assert state() == (published, True, 99.2, notice.format("notices in amendments/"))
    assert state("--at", published) == (published, False, 99.6, plain)
    # A hidden file there is not read (nor counted); a notice git ignores is counted.
    (root / "amendments" / ".notes").write_text("draft", encoding="utf-8")
    second = commit_all(root, "the notice")
    assert state()[1:3] == (False, 99.2)
    (root / ".git" / "info" / "exclude").write_text("amendments/2023-11-01.toml\n")
    (root / "amendments" / "2023-11-01.toml").write_text(
        NOTICE.replace("9号", "10号"), encoding="utf-8"
    )
    assert "amendments" not in git(root, "status", "--porcelain")  # ignored: git says nothing
    said = notice.replace(published[:10], second[:10]).format("notices in amendments/")
    assert state() == (second, True, 99.2, said)
    (root / "amendments" / "2023-11-01.toml").unlink()
    # weights.toml changed (a weight moved from 3 to 2: C2 weighs 0.45) with an entry
    # not committed: both named. 市民政局 2.4.3 × 2 at the notice's 2 points: C2 96 →
    # 25 + 0.45×96 + 0.15×100 + 15 = 98.2 (by the committed weights: 25 + 38.4 + 35 = 98.4)
    weights = (root / "weights.toml").read_text(encoding="utf-8")
    changed = weights.replace("weight = 0.40", "weight = 0.45").replace(
        "weight = 0.20", "weight = 0.15"
    )
    assert changed != weights
    (root / "weights.toml").write_text(changed, encoding="utf-8")
    assert run(root, "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-10").exit_code == 0
    entries = notice.replace(published[:10], second[:10]).replace("1 entry", "2 entries")
    assert state() == (second, True, 98.2, entries.format("entries, weights.toml"))
    page = tmp_path / "october.html"
    assert run(root, "report", "2023-10", "-o", str(page)).exit_code == 0
    assert "<strong>含未提交的记录、weights.toml</strong>" in page.read_text(encoding="utf-8")
    # A root in a folder of its repository: git names its files from the top.
    outer = tmp_path / "outer"
    shutil.copytree(root, outer / "office", ignore=shutil.ignore_patterns(".git"))
    git(outer, "init", "-q")
    git(outer, "add", "-A")
    git(outer, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "all")
    assert (
        json.loads(run(outer / "office", "month", "2023-10", "--format", "json").stdout)[
            "uncommitted"
        ]
        is False
    )
    (outer / "office" / "departments.toml").write_text(
        (outer / "office" / "departments.toml").read_text(encoding="utf-8") + "\n",
        encoding="utf-8",
    )
    nested = run(outer / "office", "check").stderr
    assert nested.endswith("(with uncommitted departments.toml)): no problems\n")


def test_year_and_check_at_a_revision(root: Path):
    assert run(root, "add", "-d", "市民政局", "-c", "9.9.9", "--month", "2023-05").exit_code == 1
    assert run(root, "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05").exit_code == 0
    first = commit_all(root, "clean")
    with (root / "ledger" / "2023-05.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[[entry]]\nid = "hand-1"\ndepartment = "市民政局"\nclause = "9.9.9"\n')
    assert run(root, "check").exit_code == 1
    assert run(root, "check", "--at", first).exit_code == 0
    year = json.loads(run(root, "year", "2023", "--at", first, "--format", "json").stdout)
    assert year["revision"] == first and year["months"] == ["2023-05"]


def test_log_and_show_say_the_revision_they_read_as_every_report_does(root: Path):
    """`log` and `show` named no revision, even with --at (review AC F3). `show` says it
    as `month` does, JSON `revision` and `uncommitted`, the table a last 来源 row; `log`
    on stderr in every format, as a CSV report's title is: its JSON stays a list."""
    add = ["add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05"]
    assert run(root, *add).exit_code == 0  # 2023-05-0001
    published = commit_all(root, "May published")
    git(root, "tag", "v2023-05")
    assert run(root, *add, "-n", "2").exit_code == 0  # 2023-05-0002, not committed
    then = run(root, "log", "--at", "v2023-05", "--format", "json")
    assert [entry["id"] for entry in json.loads(then.stdout)] == ["2023-05-0001"]
    assert then.stderr == f"1 entry listed (ledger git {published[:10]})\n"
    now = run(root, "log", "--format", "markdown")
    assert now.stdout.startswith("| 编号")  # the list alone, as before
    assert now.stderr == (
        f"2 entries listed (ledger git {published[:10]} (with uncommitted entries))\n"
    )
    nothing = run(root, "log", "--at", "v2023-05", "--month", "2023-06")
    assert nothing.stderr == f"no entries match (ledger git {published[:10]})\n"
    at = run(root, "show", "2023-05-0001", "--at", "v2023-05", "--format", "json")
    shown = json.loads(at.stdout)
    assert (shown["revision"], shown["uncommitted"]) == (published, False)
    shown = json.loads(run(root, "show", "2023-05-0001", "--format", "json").stdout)
    assert (shown["revision"], shown["uncommitted"]) == (published, True)
    table = run(root, "show", "2023-05-0002").stdout.splitlines()
    assert table[-1].split(maxsplit=1) == ["来源", f"台账 git {published[:10]}（含未提交的记录）"]
    csv = run(root, "show", "2023-05-0001", "--at", "v2023-05", "--format", "csv").stdout
    assert csv.splitlines()[-1] == f"来源,台账 git {published[:10]}"


def test_unknown_revision_is_a_usage_error(root: Path):
    commit_all(root, "root")
    result = run(root, "month", "2023-05", "--at", "no-such-branch")
    assert result.exit_code == 2
    assert "no commit named 'no-such-branch'" in result.stderr


def test_a_clone_copied_as_a_folder_takes_a_tag_of_its_own(tmp_path: Path, root: Path):
    """The tag lives in .git: a clone copied with cp -a (a backup restored on a second
    PC) had its original's tag, so both numbered the same tagged ids, and after a merge
    one entry was a duplicate that counted nowhere. The copy now takes a new tag; the
    original keeps its own, as does a clone whose tag file came from an older govscore."""
    commit_all(root, "the office's root")
    shared = tmp_path / "shared.git"
    git(tmp_path, "clone", "-q", "--bare", str(root), str(shared))
    alice = tmp_path / "alice"
    git(tmp_path, "clone", "-q", str(shared), str(alice))
    add = ("add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05", "--commit")
    first = run(alice, *add).stdout.strip()
    tag = first.rsplit("-", 1)[1]
    copy = tmp_path / "copy"
    shutil.copytree(alice, copy, symlinks=True)
    copied = run(copy, *add).stdout.strip()
    assert copied.startswith("2023-05-") and not copied.endswith(f"-{tag}"), copied
    assert run(alice, *add).stdout.strip() == f"2023-05-0002-{tag}"
    # The tag's file holds the tag alone, as an older govscore in the same clone reads it
    # (a path in it became part of that one's ids); the folder is kept beside it. A clone
    # whose tag an older govscore made keeps its tag, and the folder is noted.
    tag_file = alice / ".git" / "govscore-clone-tag"
    assert tag_file.read_text(encoding="ascii") == f"{tag}\n"
    (alice / ".git" / "govscore-clone-tag-home").unlink()
    assert run(alice, *add).stdout.strip() == f"2023-05-0003-{tag}"
    home = (alice / ".git" / "govscore-clone-tag-home").read_text(encoding="utf-8")
    assert home == f"{(alice / '.git').resolve()}\n"
