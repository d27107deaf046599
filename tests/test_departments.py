"""`govscore departments tag/untag`: tags edited in departments.toml, nothing else touched."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DATA, run_process
from govscore.cli.commands import cli
from govscore.ledger.settings import set_tags
from govscore.rules.amendments import Change

SHIPPED = (DATA / "departments.toml").read_text(encoding="utf-8")


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A root exactly as `govscore init` makes it: the shipped list, no tags, comments."""
    folder = tmp_path / "office"
    assert CliRunner().invoke(cli, ["init", str(folder)]).exit_code == 0
    return folder


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def test_tag_adds_one_line_and_untag_takes_it_away(shipped: Path):
    path = shipped / "departments.toml"
    tagged = run(shipped, "departments", "tag", "公安局", "one_window")
    assert tagged.exit_code == 0, tagged.output
    assert tagged.stdout == ""
    assert tagged.stderr == "市公安局: tags 一窗受理专区\n"
    assert path.read_text(encoding="utf-8") == SHIPPED.replace(
        'name = "市公安局"\n', 'name = "市公安局"\ntags = ["one_window"]\n'
    )
    # A second tag joins the first; a Chinese name is the same tag as its code.
    assert run(shipped, "departments", "tag", "市公安局", "大厅").exit_code == 0
    assert 'name = "市公安局"\ntags = ["one_window", "hall"]\n' in path.read_text(encoding="utf-8")
    assert run(shipped, "departments", "untag", "市公安局", "hall", "一窗受理专区").exit_code == 0
    assert path.read_text(encoding="utf-8") == SHIPPED  # byte for byte, comments and all


def test_a_tag_makes_the_clause_apply(shipped: Path):
    # 2.3.1 applies only to departments in the one-window zone.
    args = ["add", "-d", "市民政局", "-c", "2.3.1", "--month", "2023-05"]
    refused = run(shipped, *args)
    assert refused.exit_code == 1
    assert refused.stderr == (
        "govscore: clause 2.3.1 applies only to departments tagged 一窗受理专区; 市民政局 is "
        "not (if it should be: `govscore departments tag 市民政局 一窗受理专区`)\n"
        "error: rejected: 1 problem; the entry not written, the ledger is unchanged\n"
    )
    # The command the refusal names is the one that makes the clause apply.
    assert run(shipped, "departments", "tag", "市民政局", "一窗受理专区").exit_code == 0
    assert run(shipped, *args).stdout == "2023-05-0001\n"


def test_a_tag_is_shown_by_the_office_s_one_name_everywhere(shipped: Path):
    """The glossary's names (一窗受理专区, 政务服务中心大厅), never the code beside them
    or a shorter name: a refusal, a tag's change, the list, a clause and a notice's change.
    The code stays what departments.toml and JSON hold; 大厅 is still read."""
    assert run(shipped, "departments", "tag", "市教育局", "大厅").stderr == (
        "市教育局: tags 政务服务中心大厅\n"
    )
    assert 'name = "市教育局"\ntags = ["hall"]\n' in (shipped / "departments.toml").read_text(
        encoding="utf-8"
    )
    refused = run(
        shipped, "add", "-d", "市公安局", "-c", "2.3.11", "--points", "1", "--month", "2023-05"
    )
    assert refused.stderr.splitlines()[0] == (
        "govscore: clause 2.3.11 applies only to departments tagged 政务服务中心大厅; 市公安局 is "
        "not (if it should be: `govscore departments tag 市公安局 政务服务中心大厅`)"
    )
    listed = run(shipped, "departments").stdout.splitlines()
    assert [line.split() for line in listed if line.startswith("市教育局")] == [
        ["市教育局", "政务服务中心大厅"]
    ]
    assert json.loads(run(shipped, "departments", "--format", "json").stdout)[5] == {
        "name": "市教育局",
        "aliases": [],
        "tags": ["hall"],
    }
    notes = [
        line for line in run(shipped, "clause", "2.3.11").stdout.splitlines() if "说明" in line
    ]
    assert notes == ["说明  仅 政务服务中心大厅"]
    change = Change("clause", "2.3.11", "applies_to", "", "hall")
    assert change.describe() == "条款 2.3.11 适用标签：— → 政务服务中心大厅"


def test_a_tag_already_there_or_not_there_changes_nothing(shipped: Path):
    path = shipped / "departments.toml"
    run(shipped, "departments", "tag", "市公安局", "one_window")
    before = path.read_bytes()
    again = run(shipped, "departments", "tag", "市公安局", "one_window")
    assert again.exit_code == 0
    assert again.stderr == "市公安局 already has tags 一窗受理专区; nothing changed\n"
    absent = run(shipped, "departments", "untag", "市民政局", "hall")
    assert absent.exit_code == 0 and "nothing changed" in absent.stderr
    assert path.read_bytes() == before


def test_unknown_names_and_tags_are_usage_errors(shipped: Path):
    path = shipped / "departments.toml"
    nobody = run(shipped, "departments", "tag", "市公按局", "hall")
    assert nobody.exit_code == 2
    assert "unknown department '市公按局'; did you mean 市公安局 or " in nobody.stderr
    wrong = run(shipped, "departments", "tag", "市公安局", "window")
    assert wrong.exit_code == 2
    assert wrong.stderr == (
        "error: unknown tag 'window'; the tags clauses ask for are: "
        "一窗受理专区、政务服务中心大厅\n"
    )
    assert path.read_text(encoding="utf-8") == SHIPPED


HAND_MADE = """\
# 部门名单（本办维护）

[[department]]
name = "市公安局"   # 户籍、出入境
aliases = [
    "公安",
    "市公安",
]

[[department]]
name = "市教育局"
tags = ["hall"]  # 大厅东侧 3 号窗口
aliases = ["教育局"]

[[department]]
name = "市民政局"
tags = [
    "one_window",
]
"""


def test_hand_laid_out_files_keep_their_comments_and_order(tmp_path: Path):
    (tmp_path / "departments.toml").write_text(HAND_MADE, encoding="utf-8")
    set_tags(tmp_path, "公安", add=("hall",))
    set_tags(tmp_path, "市教育局", add=("one_window",))
    set_tags(tmp_path, "市民政局", remove=("one_window",))
    assert (
        (tmp_path / "departments.toml").read_text(encoding="utf-8")
        == """\
# 部门名单（本办维护）

[[department]]
name = "市公安局"   # 户籍、出入境
aliases = [
    "公安",
    "市公安",
]
tags = ["hall"]

[[department]]
name = "市教育局"
tags = ["hall", "one_window"]  # 大厅东侧 3 号窗口
aliases = ["教育局"]

[[department]]
name = "市民政局"
"""
    )


def test_windows_line_ends_stay(tmp_path: Path):
    path = tmp_path / "departments.toml"
    path.write_bytes(
        b'[[department]]\r\nname = "\xe5\xb8\x82\xe5\x85\xac\xe5\xae\x89\xe5\xb1\x80"\r\n'
    )
    set_tags(tmp_path, "市公安局", add=("one_window",))
    assert path.read_bytes().endswith(b'\r\ntags = ["one_window"]\r\n')
    assert b"\n" not in path.read_bytes().replace(b"\r\n", b"")


def test_lists_show_tags_in_chinese_and_bare_departments_still_lists(shipped: Path):
    run(shipped, "departments", "tag", "市教育局", "hall")
    run(shipped, "departments", "tag", "市公安局", "one_window")
    table = run_process("--root", str(shipped), "departments")
    assert table.returncode == 0
    rows = {line.split()[0]: line.split()[1:] for line in table.stdout.splitlines()[2:]}
    assert rows["市教育局"] == ["政务服务中心大厅"]
    assert rows["市公安局"] == ["一窗受理专区"]
    assert rows["市民族宗教局"] == ["市民宗局"]  # aliases still listed, no tag
    # Programs read the codes.
    payload = json.loads(run(shipped, "departments", "--format", "json").stdout)
    police = next(d for d in payload if d["name"] == "市公安局")
    assert police == {"name": "市公安局", "aliases": [], "tags": ["one_window"]}
    process = run_process("--root", str(shipped), "departments", "untag", "市公安局", "one_window")
    assert process.returncode == 0 and process.stderr == "市公安局: no tags\n"


def test_departments_has_its_own_commands_only(shipped: Path):
    """`items` is a command of govscore's, not of `departments` (whose group once listed
    and ran it too): its help lists tag and untag alone."""
    helped = run(shipped, "departments", "--help")
    commands = helped.stdout.split("Commands:")[1].split()
    assert [word for word in commands if word in {"tag", "untag", "items"}] == ["tag", "untag"]
    wrong = run(shipped, "departments", "items", "rules")
    assert wrong.exit_code == 2 and "No such command 'items'" in wrong.stderr
    assert run(shipped, "items", "rules").exit_code == 0
    errors = run(shipped, "departments", "tag", "市公安句", "hall")  # still caught at the top
    assert errors.exit_code == 2 and "did you mean 市公安局" in errors.stderr


def test_commit_commits_the_file_and_a_failed_commit_exits_3(shipped: Path):
    assert run(shipped, "departments", "tag", "市公安局", "hall", "--commit").exit_code == 0
    log = subprocess.run(
        ["git", "log", "--format=%s", "--", "departments.toml"],
        cwd=shipped,
        capture_output=True,
        text=True,
        check=True,
    )
    # init's first commit holds the shipped list; the tag is the next one.
    assert log.stdout.splitlines() == [
        "govscore: tags of 市公安局: 政务服务中心大厅",  # a tag by its office name
        "govscore: init (departments, weights, ledger)",
    ]
    shutil.rmtree(shipped / ".git")  # git can no longer commit here
    failed = run(shipped, "departments", "untag", "市公安局", "hall", "--commit")
    assert failed.exit_code == 3  # changed, not committed: not "nothing written" (1)
    assert "changed departments.toml but could not commit it to git" in failed.stderr
    assert (shipped / "departments.toml").read_text(encoding="utf-8") == SHIPPED


def test_untag_is_refused_while_counted_entries_need_the_tag(shipped: Path):
    """2.3.3 applies only to one_window departments: untagged, 市城市管理局's entries
    would stop counting in February after the fact. Refused, nothing written; voided
    entries need nothing; --force takes the tag off anyway."""
    path = shipped / "departments.toml"
    assert run(shipped, "departments", "tag", "市城市管理局", "one_window").exit_code == 0
    month = ["add", "-d", "市城市管理局", "-c", "2.3.3", "--month", "2025-02"]
    first = run(shipped, *month).stdout.strip()
    second = run(shipped, *month).stdout.strip()
    before = path.read_bytes()
    refused = run(shipped, "departments", "untag", "市城市管理局", "一窗受理专区")
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"error: 市城市管理局 has 2 counted entries ({first}, {second}) of clauses only for "
        "departments tagged 一窗受理专区: untagged, they would stop counting, in "
        "past months too; void them first, or give --force\n"
    )
    assert path.read_bytes() == before
    for entry in (first, second):
        assert run(shipped, "void", entry, "--reason", "误登").exit_code == 0
    assert run(shipped, "departments", "untag", "市城市管理局", "one_window").exit_code == 0
    assert path.read_text(encoding="utf-8") == SHIPPED
    # Only the tag the entries need is named; a tag none needs goes with it on --force.
    assert run(shipped, "departments", "tag", "市城市管理局", "one_window", "hall").exit_code == 0
    assert run(shipped, *month).exit_code == 0
    both = run(shipped, "departments", "untag", "市城市管理局", "one_window", "hall")
    assert both.exit_code == 1
    assert "departments tagged 一窗受理专区:" in both.stderr
    assert "hall" not in both.stderr
    # A configuration that does not read: the check cannot be made, and says --force.
    weights = shipped / "weights.toml"
    kept = weights.read_bytes()
    weights.write_text("base = \n", encoding="utf-8")
    broken = run(shipped, "departments", "untag", "市城市管理局", "hall")
    assert broken.exit_code == 1 and "give --force" in broken.stderr
    weights.write_bytes(kept)
    assert run(shipped, "departments", "untag", "市城市管理局", "hall", "--force").exit_code == 0
    # Tagged again with a counted entry: --force takes the tag off, as asked.
    assert run(shipped, "departments", "tag", "市城市管理局", "one_window").exit_code == 0
    assert run(shipped, *month).exit_code == 0
    forced = run(shipped, "departments", "untag", "市城市管理局", "one_window", "--force")
    assert forced.exit_code == 0
    assert path.read_text(encoding="utf-8") == SHIPPED


HALL_FROM_AUGUST = '[notice]\nnumber = "40号"\n\n[[clause]]\nid = "2.4.9"\napplies_to = "hall"\n'


def test_untag_is_refused_while_a_recurring_entry_needs_the_tag_under_a_later_notice(
    shipped: Path,
):
    """Review AB F3: a notice from August makes 2.4.9 (1 a month, recurring) apply to hall
    departments only. 市教育局's entry from June counts in August on only through its hall
    tag: the untag was let through, and five months' deductions went without a word."""
    (shipped / "amendments").mkdir()
    (shipped / "amendments" / "2023-08-01.toml").write_text(HALL_FROM_AUGUST, encoding="utf-8")
    assert run(shipped, "departments", "tag", "市教育局", "hall").exit_code == 0
    added = run(
        shipped, "add", "-d", "市教育局", "-c", "2.4.9", "--recurring", "--month", "2023-06"
    )
    entry = added.stdout.strip()
    assert (added.exit_code, entry) == (0, "2023-06-0001"), added.output
    path = shipped / "departments.toml"
    before = path.read_bytes()
    refused = run(shipped, "departments", "untag", "市教育局", "hall")
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"error: 市教育局 has 1 counted entry ({entry}) of a clause only for departments "
        "tagged 政务服务中心大厅: untagged, it would stop counting, in past months too; "
        "void it first, or give --force\n"
    )
    assert path.read_bytes() == before
    # Closed through July, it never stood under the notice: the tag may go.
    closed = run(shipped, "close", entry, "--through", "2023-07", "--note", "已整改")
    assert closed.exit_code == 0, closed.output
    assert run(shipped, "departments", "untag", "市教育局", "hall").exit_code == 0
    assert path.read_text(encoding="utf-8") == SHIPPED


def test_untag_weighs_only_the_months_a_recurring_entry_counts_in(shipped: Path):
    """Review AY F4: 市教育局 is assessed through July (until), and a notice restricts 2.4.9
    to hall departments from August. Its recurring entry from June counts in June and July
    only, under the rules before the notice, yet the untag was refused. Likewise where the
    notice makes 2.4.9 count once too: the entry stands in no month under it. A notice
    from July, inside the department's span, still refuses it."""
    path = shipped / "departments.toml"
    line = 'name = "市教育局"\n'
    path.write_text(SHIPPED.replace(line, line + 'until = "2023-07"\n'), encoding="utf-8")
    (shipped / "amendments").mkdir()
    notice = shipped / "amendments" / "2023-08-01.toml"
    notice.write_text(HALL_FROM_AUGUST, encoding="utf-8")
    assert run(shipped, "departments", "tag", "市教育局", "hall").exit_code == 0
    added = run(
        shipped, "add", "-d", "市教育局", "-c", "2.4.9", "--recurring", "--month", "2023-06"
    )
    assert (added.exit_code, added.stdout) == (0, "2023-06-0001\n"), added.output
    untagged = run(shipped, "departments", "untag", "市教育局", "hall")
    assert untagged.exit_code == 0, untagged.output
    path.write_text(SHIPPED, encoding="utf-8")  # no until: it stands from August on
    assert run(shipped, "departments", "tag", "市教育局", "hall").exit_code == 0
    refused = run(shipped, "departments", "untag", "市教育局", "hall")
    assert refused.exit_code == 1, refused.output
    notice.write_text(HALL_FROM_AUGUST + "recurring = false\n", encoding="utf-8")
    untagged = run(shipped, "departments", "untag", "市教育局", "hall")
    assert untagged.exit_code == 0, untagged.output
    assert path.read_text(encoding="utf-8") == SHIPPED
    path.write_text(SHIPPED.replace(line, line + 'until = "2023-07"\n'), encoding="utf-8")
    assert run(shipped, "departments", "tag", "市教育局", "hall").exit_code == 0
    (shipped / "amendments" / "2023-07-01.toml").write_text(
        HALL_FROM_AUGUST.replace("40号", "39号"), encoding="utf-8"
    )
    refused = run(shipped, "departments", "untag", "市教育局", "hall")
    assert refused.exit_code == 1, refused.output


ENTERPRISE_ZONE = """\
[notice]
number = "烟政管办〔2023〕12号"
title = "新专区"

[[clause]]
id = "2.4.15"
text = "企业服务专区未落实首问负责"
effect = "-"
kind = "fixed"
points = 1
unit = "件次"
applies_to = "enterprise_zone"
"""


def test_a_tag_only_a_notices_clause_asks_for_can_be_set(shipped: Path):
    """Review AB F2: a notice adds 2.4.15 for an enterprise_zone tag; add named the
    command that tags the department, and the command said the tag was unknown."""
    (shipped / "amendments").mkdir()
    (shipped / "amendments" / "2023-11-01.toml").write_text(ENTERPRISE_ZONE, encoding="utf-8")
    month = ["add", "-d", "市商务局", "-c", "2.4.15", "--month", "2023-11"]
    refused = run(shipped, *month)
    assert refused.exit_code == 1
    assert "`govscore departments tag 市商务局 enterprise_zone`" in refused.stderr
    tagged = run(shipped, "departments", "tag", "市商务局", "enterprise_zone")
    assert (tagged.exit_code, tagged.stderr) == (0, "市商务局: tags enterprise_zone\n")
    assert run(shipped, *month).stdout.strip() == "2023-11-0001"


def test_a_department_listed_twice_is_an_error_naming_both_tables(shipped: Path):
    """A [[department]] pasted a second time (to give it a span, say) was taken as a
    second department of the same name: listed and ranked twice, and `check` said only
    that 市公安局 looks like 市公安局. It is an error naming both tables."""
    (shipped / "departments.toml").write_text(
        '[[department]]\nname = "市公安局"\n\n[[department]]\nname = "市民政局"\n\n'
        '[[department]]\nname = "市公安局"\nsince = "2023-08"\n',
        encoding="utf-8",
    )
    for command in (("check",), ("departments",), ("month", "2023-05")):
        result = run(shipped, *command)
        assert (result.exit_code, result.stdout) == (1, ""), command
        assert result.stderr == (
            "error: departments.toml: 市公安局 is listed twice ([[department]] #1 and #3); "
            "list each department once (a new name or a span goes in its one table)\n"
        )
