"""Amendments (补充通知): each month scored by the clauses and weights in force that month.

The measures end: 因上级要求或工作需要指标内容进行调整的……补充通知各相关部门. Here the
office amends the rules twice in 2023:

- 烟政管办〔2023〕9号, effective 2023-08-20: 2.4.3 costs 2 points per case instead of 1, and
  2.4.9 (a recurring 1 point a month) costs 2. Effective in the middle of August, it
  applies from September: a month is scored by the rules in force on its first day.
- 烟政管办〔2023〕11号, effective 2023-10-01: weights 0.25 · 0.45 · 0.15 · 0.15 instead of
  0.25 · 0.40 · 0.20 · 0.15.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import run_process
from govscore.cli.commands import cli
from ledgertext import entry, toml

POINTS = """\
[notice]
number = "烟政管办〔2023〕9号"
title = "关于调整政务服务工作考评指标的补充通知"
issued = 2023-08-15

[[clause]]
id = "2.4.3"
points = 2

[[clause]]
id = "2.4.9"
points = 2
"""

WEIGHTS = """\
[notice]
number = "烟政管办〔2023〕11号"
title = "关于调整考评权重的补充通知"

[category.2]
weight = 0.45

[category.3]
weight = 0.15
"""

FIRST = {"effective": "2023-03-27", "number": "烟政管办〔2023〕2号"}
SEPTEMBER = {"effective": "2023-08-20", "number": "烟政管办〔2023〕9号"}
OCTOBER = {"effective": "2023-10-01", "number": "烟政管办〔2023〕11号"}


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def amend(root: Path, name: str, text: str) -> None:
    (root / "amendments").mkdir(exist_ok=True)
    (root / "amendments" / f"{name}.toml").write_text(text, encoding="utf-8")


def add(root: Path, *args: str) -> None:
    result = run(root, "add", *args)
    assert result.exit_code == 0, result.output


def totals(root: Path, *period: str, code: int = 0) -> dict[str, object]:
    result = run(root, *period, "--format", "json")
    assert result.exit_code == code, result.output
    payload = json.loads(result.stdout)
    return {d["department"]: d for d in payload["departments"]} | {"rules": payload["rules"]}


def add_recurring_315(root: Path, department: str, points: str) -> None:
    """3.1.5 (0.5–1 a month, recurring) at `points` from July 2023."""
    add(
        root,
        "-d",
        department,
        "-c",
        "3.1.5",
        "--points",
        points,
        "--recurring",
        "--month",
        "2023-07",
    )


def record_year(root: Path) -> None:
    """市民政局: 2.4.3 × 3 in August, × 3 in September, × 1 in October;
    市体育局: 2.4.9 recurring from August (1 point a month, 2 from September);
    市公安局: 4.2.4 市级 in October (annual: +0.3 in the year's C4)."""
    for month, count in (("2023-08", "3"), ("2023-09", "3"), ("2023-10", "1")):
        add(root, "-d", "市民政局", "-c", "2.4.3", "-n", count, "--month", month)
    add(root, "-d", "市体育局", "-c", "2.4.9", "--recurring", "--month", "2023-08")
    add(root, "-d", "市公安局", "-c", "4.2.4", "--level", "市级", "--month", "2023-10")


def test_each_month_is_scored_by_its_own_rules_and_the_year_by_each_months(small: Path):
    amend(small, "2023-08-20", POINTS)
    amend(small, "2023-10-01", WEIGHTS)
    record_year(small)
    # 市民政局, August (first rules: 2.4.3 at 1, the 2023-08-20 notice is not yet in force
    # on August 1): C2 = 100 − 3 = 97 → 25 + 0.40×97 + 20 + 15 = 98.8
    august = totals(small, "month", "2023-08")
    assert august["市民政局"]["categories"]["2"] == 97
    assert august["市民政局"]["total"] == 98.8
    # 市体育局, August: 2.4.9 at 1 → C2 = 99 → 25 + 39.6 + 35 = 99.6
    assert august["市体育局"]["total"] == 99.6
    assert august["rules"] == [FIRST]
    # September (2.4.3 at 2): C2 = 100 − 6 = 94 → 25 + 0.40×94 + 20 + 15 = 97.6;
    # the recurring 2.4.9 counts under September's own points: C2 = 98 → 25 + 39.2 + 35 = 99.2
    september = totals(small, "month", "2023-09")
    assert september["市民政局"]["categories"]["2"] == 94
    assert september["市民政局"]["total"] == 97.6
    assert september["市体育局"]["total"] == 99.2
    assert september["rules"] == [SEPTEMBER]
    # October (2.4.3 at 2, weights 0.25 · 0.45 · 0.15 · 0.15): 市民政局 C2 = 98 →
    # 25 + 0.45×98 + 0.15×100 + 15 = 25 + 44.1 + 15 + 15 = 99.1; 市体育局 the same (2.4.9
    # at 2 → C2 = 98) = 99.1; 市公安局's 4.2.4 is annual: 100 in October.
    october = totals(small, "month", "2023-10")
    assert october["市民政局"]["total"] == 99.1
    assert october["市体育局"]["total"] == 99.1
    assert october["市公安局"]["total"] == 100
    assert october["rules"] == [OCTOBER]
    # The year (August to October, three months): each category the mean of its months'
    # scores, the total the mean of the months' totals.
    # 市民政局: C2 = (97 + 94 + 98) / 3 = 96.333…; total = (98.8 + 97.6 + 99.1) / 3 = 98.5
    # (not 25 + 0.45×96.33 + 30 = 98.35: September is not weighted by October's weights).
    # 市体育局: total = (99.6 + 99.2 + 99.1) / 3 = 297.9 / 3 = 99.3
    # 市公安局: 100 every month, plus 4.2.4 市级 0.3 in C4 weighted by the weights at the
    # year's end: 100 + 0.15 × 0.3 = 100.045 → 100.05 (half up); C4 = 100.3.
    year = totals(small, "year", "2023")
    assert year["市民政局"]["categories"]["2"] == 96.33
    assert year["市民政局"]["total"] == 98.5
    assert year["市体育局"]["total"] == 99.3
    assert year["市公安局"]["categories"]["4"] == 100.3
    assert year["市公安局"]["total"] == 100.05
    assert year["rules"] == [FIRST, SEPTEMBER, OCTOBER]
    assert [d["rank"] for d in (year["市公安局"], year["市体育局"], year["市民政局"])] == [1, 2, 3]


FLOOR = """\
floor = 60

[notice]
number = "烟政管办〔2023〕6号"
title = "关于设定类别保底分的补充通知"
"""


def test_a_floor_raised_in_july_lifts_july_on_not_the_whole_year(small: Path):
    """Review AB F1: a notice raising the floor from 0 to 60 in July lifted the year's
    mean to 60, as if June had been scored by it too."""
    amend(small, "2023-07-01", FLOOR)
    for month in ("2023-06", "2023-07"):
        add(small, "-d", "市民政局", "-c", "2.4.3", "-n", "150", "--month", month)
    # June (floor 0): C2 = 100 − 150 × 1 = −50 → 0; total = 25 + 0.40×0 + 20 + 15 = 60.
    # July (floor 60): C2 = −50 → 60; total = 25 + 0.40×60 + 20 + 15 = 84.
    assert totals(small, "month", "2023-06")["市民政局"]["total"] == 60
    assert totals(small, "month", "2023-07")["市民政局"]["total"] == 84
    # The year (June and July): C2 = (0 + 60) / 2 = 30, at the year's floor, the mean of
    # its months' floors (0 + 60) / 2 = 30, so nothing more is lifted; the total is the
    # mean of the months' totals (60 + 84) / 2 = 72 = 25 + 0.40×30 + 20 + 15.
    year = totals(small, "year", "2023", "--detail")["市民政局"]
    assert year["categories"]["2"] == 30
    assert year["total"] == 72
    assert [(f["month"], f["floor"]) for f in year["floors"]] == [("2023-06", 0), ("2023-07", 60)]


def test_the_scorer_holds_exact_decimals_for_the_year(small: Path):
    """The same year through the core: totals are exact (98.5, not 98.50000…1)."""

    from govscore.ledger.loader import load_root
    from govscore.rules.scoring import Scorer

    amend(small, "2023-08-20", POINTS)
    amend(small, "2023-10-01", WEIGHTS)
    record_year(small)
    root = load_root(small)
    book = root.review()
    assert not book.problems
    scorer = Scorer(book, root.catalog, root.weights, root.departments)
    months = ["2023-08", "2023-09", "2023-10"]
    assert scorer.department_year("市民政局", 2023, months).total == Decimal("98.5")
    assert scorer.department_year("市公安局", 2023, months).total == Decimal("100.045")


def test_a_month_sent_upward_scores_the_same_after_an_amendment(small: Path):
    """August was reported before the notice of 2023-08-20; adding the notice (without --at)
    leaves August as it was sent, and changes only the months from September."""
    add(small, "-d", "市民政局", "-c", "2.4.3", "-n", "3", "--month", "2023-08")
    add(small, "-d", "市民政局", "-c", "2.4.3", "-n", "3", "--month", "2023-09")
    sent = run(small, "month", "2023-08", "--format", "json")
    september_before = totals(small, "month", "2023-09")["市民政局"]["total"]
    amend(small, "2023-08-20", POINTS)
    again = run(small, "month", "2023-08", "--format", "json")
    assert json.loads(again.stdout)["departments"] == json.loads(sent.stdout)["departments"]
    # September: 3 × 1 → 98.8 before the notice, 3 × 2 → C2 = 94 → 97.6 after it.
    assert september_before == 98.8
    assert totals(small, "month", "2023-09")["市民政局"]["total"] == 97.6
    # The same from a cold read (no cache): the cache is keyed on the amendments too.
    cold = CliRunner().invoke(cli, ["--root", str(small), "--no-cache", "month", "2023-09"])
    assert "97.60" in cold.stdout


def test_an_amendment_effective_on_the_first_applies_from_that_month(small: Path):
    # Effective 2023-09-01: September is scored by it (3 × 2 = 6 → C2 94 → 97.6).
    amend(small, "2023-09-01", POINTS)
    add(small, "-d", "市民政局", "-c", "2.4.3", "-n", "3", "--month", "2023-09")
    assert totals(small, "month", "2023-09")["市民政局"]["total"] == 97.6
    assert totals(small, "month", "2023-09")["rules"] == [
        {"effective": "2023-09-01", "number": "烟政管办〔2023〕9号"}
    ]


def test_amendments_lists_every_version_as_a_table_and_as_json(small: Path):
    amend(small, "2023-08-20", POINTS)
    amend(small, "2023-10-01", WEIGHTS)
    table = run(small, "amendments")
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["生效日期", "文号", "标题", "变更"]
    assert lines[2].split()[:2] == ["2023-03-27", "烟政管办〔2023〕2号"]
    assert "首版：77 条条款" in lines[2]
    assert "条款 2.4.3 分值：1 → 2；条款 2.4.9 分值：1 → 2" in lines[3]
    assert "考评类别 2 权重：0.4 → 0.45；考评类别 3 权重：0.2 → 0.15" in lines[4]
    listed = json.loads(run(small, "amendments", "--format", "json").stdout)
    assert [(v["effective"], v["number"]) for v in listed] == [
        tuple(FIRST.values()),
        tuple(SEPTEMBER.values()),
        tuple(OCTOBER.values()),
    ]
    assert listed[0]["changes"] == []
    assert listed[1]["title"] == "关于调整政务服务工作考评指标的补充通知"
    assert listed[1]["changes"][0] == {
        "kind": "clause",
        "id": "2.4.3",
        "field": "points",
        "from": "1",
        "to": "2",
    }
    assert {"kind": "weights", "field": "category.2.weight", "from": "0.4", "to": "0.45"} in (
        listed[2]["changes"]
    )


FINE_RATES = """\
[notice]
number = "烟政管办〔2023〕30号"
title = "关于调整比率扣分的补充通知"

[[clause]]
id = "2.5.2"
per_point = 0.1234567

[[clause]]
id = "1.3.1"
per_point = 1e-5

[caps]
A = { limit = 1.25 }
"""


def test_amendments_lists_numbers_as_the_notice_wrote_them(small: Path):
    """Review AP F6: numbers were written with format "g", six digits at most and an
    exponent for a small one: 0.1234567 showed 0.123457 and 0.00001 1e-05, which is not
    what the notice says (nor what scores: the catalog keeps 0.1234567)."""
    amend(small, "2023-11-01", FINE_RATES)
    listed = json.loads(run(small, "amendments", "--format", "json").stdout)
    rate = {"kind": "clause", "field": "per_point", "from": "0.1"}
    assert listed[1]["changes"] == [
        {**rate, "id": "2.5.2", "to": "0.1234567"},
        {**rate, "id": "1.3.1", "to": "0.00001"},
        {"kind": "cap", "id": "A", "field": "limit", "from": "1", "to": "1.25"},
    ]
    table = run(small, "amendments").stdout.splitlines()
    assert table[3].split(maxsplit=3)[3] == (
        "条款 2.5.2 每少1%扣分：0.1 → 0.1234567；条款 1.3.1 每少1%扣分：0.1 → 0.00001；"
        "加分上限 A 上限：1 → 1.25"
    )
    shown = json.loads(run(small, "clause", "2.5.2", "--format", "json").stdout)
    assert shown["history"][-1]["points"] == "每少1% 0.1234567"  # as the catalog keeps it


def test_amendments_as_a_real_process(small: Path):
    amend(small, "2023-08-20", POINTS)
    done = run_process("--root", str(small), "amendments", "--format", "json")
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert [set(v) >= {"effective", "number", "title", "changes"} for v in listed] == [True] * 2
    assert listed[1]["number"] == "烟政管办〔2023〕9号"


RETIRE_AND_ADD = """\
retire = ["2.2.5"]

[notice]
number = "烟政管办〔2023〕9号"
title = "关于调整政务服务工作考评指标的补充通知"

[[clause]]
id = "2.4.14"
text = "未按要求落实“高效办成一件事”"
effect = "-"
kind = "fixed"
points = 1
unit = "件次"
"""


def test_clauses_in_force_in_a_month_and_a_clauses_history(small: Path):
    amend(small, "2023-09-01", RETIRE_AND_ADD + '\n[[clause]]\nid = "2.4.3"\npoints = 2\n')
    august = {
        c["id"]
        for c in json.loads(run(small, "clauses", "--month", "2023-08", "--format", "json").stdout)
    }
    september = {
        c["id"]
        for c in json.loads(run(small, "clauses", "--month", "2023-09", "--format", "json").stdout)
    }
    assert "2.2.5" in august and "2.4.14" not in august and len(august) == 77
    assert "2.2.5" not in september and "2.4.14" in september and len(september) == 77
    shown = run(small, "clauses", "--month", "2023-09")
    assert shown.stdout.splitlines()[0] == (
        "2023-09: the catalog in force from 2023-09-01 (烟政管办〔2023〕9号)"
    )
    history = run(small, "clause", "2.4.3")
    rows = history.stdout.split("History")[1].splitlines()[3:]
    assert [row.split()[:3] for row in rows] == [
        ["2023-03-27", "烟政管办〔2023〕2号", "1"],
        ["2023-09-01", "烟政管办〔2023〕9号", "2"],
    ]
    retired = json.loads(run(small, "clause", "2.2.5", "--format", "json").stdout)["history"]
    assert [(h["effective"], h["retired"]) for h in retired] == [
        ("2023-03-27", False),
        ("2023-09-01", True),
    ]


def test_clause_heads_with_the_months_a_notice_keeps_it_from(small: Path):
    """Review AP F7: `clause ID` of a retired clause headed with its last points and an
    `add` recipe, as if it could still be recorded; only its history, at the end, said
    （废止）. It now says first which months it cannot be recorded for, and why."""
    amend(small, "2023-09-01", RETIRE_AND_ADD)
    retired = run(small, "clause", "2.2.5").stdout.splitlines()
    assert retired[:3] == [
        "clause 2.2.5 was retired from 2023-09-01 (烟政管办〔2023〕9号): it cannot be recorded "
        "for 2023-09 or later",
        "below: the clause as last in force, by which an entry of a month before 2023-09 is "
        "recorded",
        "条款  2.2.5",
    ]
    new = run(small, "clause", "2.4.14").stdout.splitlines()
    assert new[:2] == [
        "clause 2.4.14 is in force from 2023-09-01 (烟政管办〔2023〕9号): it can be recorded "
        "only for 2023-09 or later",
        "条款  2.4.14",
    ]
    assert run(small, "clause", "2.4.3").stdout.splitlines()[0] == "条款  2.4.3"
    notice = {"effective": "2023-09-01", "number": "烟政管办〔2023〕9号", "first_month": "2023-09"}
    shown = {
        clause: json.loads(run(small, "clause", clause, "--format", "json").stdout)
        for clause in ("2.2.5", "2.4.14", "2.4.3")
    }
    assert [(s["added"], s["retired"]) for s in shown.values()] == [
        (None, notice),
        (notice, None),
        (None, None),
    ]


def test_a_retired_clause_and_a_new_one_are_booked_only_while_in_force(small: Path):
    amend(small, "2023-09-01", RETIRE_AND_ADD)
    before = sorted(p.name for p in (small / "ledger").iterdir())
    late = run(small, "add", "-d", "市民政局", "-c", "2.2.5", "--month", "2023-09")
    assert late.exit_code == 1
    assert (
        "clause 2.2.5 was retired from 2023-09-01 (烟政管办〔2023〕9号): it cannot be recorded "
        "for 2023-09 or later"
    ) in late.output
    early = run(small, "add", "-d", "市民政局", "-c", "2.4.14", "--month", "2023-08")
    assert early.exit_code == 1
    assert (
        "clause 2.4.14 is in force from 2023-09-01 (烟政管办〔2023〕9号): it can be recorded "
        "only for 2023-09 or later"
    ) in early.output
    assert sorted(p.name for p in (small / "ledger").iterdir()) == before  # nothing written
    add(small, "-d", "市民政局", "-c", "2.2.5", "--month", "2023-08")
    add(small, "-d", "市民政局", "-c", "2.4.14", "--month", "2023-09")
    # 2.4.14: 1 point → C2 = 99 → 25 + 39.6 + 35 = 99.6
    assert totals(small, "month", "2023-09")["市民政局"]["total"] == 99.6


def test_check_names_an_entry_of_a_retired_clause_after_its_retirement(small: Path):
    add(small, "-d", "市民政局", "-c", "2.2.5", "--month", "2023-09")
    add(small, "-d", "市民政局", "-c", "2.2.5", "--month", "2023-10")
    assert run(small, "check").exit_code == 0
    amend(small, "2023-09-01", RETIRE_AND_ADD)
    checked = run(small, "check")
    assert checked.exit_code == 1
    lines = (small / "ledger" / "2023-09.toml").read_text(encoding="utf-8").splitlines()
    line = lines.index("[[entry]]") + 1  # the problem names the entry's line
    assert (
        f"ledger/2023-09.toml:{line}: clause 2.2.5 was retired from 2023-09-01 (烟政管办〔2023〕9号)"
    ) in checked.stdout
    # October's entry too, in the same words (one verdict for every month of a version).
    assert checked.stdout.count("it cannot be recorded for 2023-09 or later") == 2
    # Left out of September's scores (the report warns, exit 1): 市民政局 stays at 100.
    assert totals(small, "month", "2023-09", code=1)["市民政局"]["total"] == 100


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "2023-10-01",
            WEIGHTS.replace("0.15\n", "0.20\n", 1),
            "amendments/2023-10-01.toml: category weights sum to 1.05",
        ),
        (
            "2023-09-01",
            '[notice]\nnumber = "9号"\n[[clause]]\nid = "2.4.99"\npoints = 2\n',
            "amendments/2023-09-01.toml: changes clause 2.4.99, which is not in force on "
            "2023-09-01",
        ),
        (
            "2023-09-01",
            '[notice]\nnumber = "9号"\n[[clause]]\nid = "2.4.3"\npointz = 2\n',
            "amendments/2023-09-01.toml: clause 2.4.3: pointz is a field no clause has",
        ),
        (
            "2023-9-1",
            '[notice]\nnumber = "9号"\n',
            "amendments/2023-9-1.toml: not an amendment file: amendments are named by their "
            "effective date, YYYY-MM-DD.toml",
        ),
        (
            "2023-02-30",
            '[notice]\nnumber = "9号"\n',
            "amendments/2023-02-30.toml: not an amendment file",
        ),
        (
            "2023-09-01",
            'retire = ["2.2.99"]\n[notice]\nnumber = "9号"\n',
            "amendments/2023-09-01.toml: retires clause 2.2.99, which is not in force",
        ),
        (
            "2023-09-01",
            '[[clause]]\nid = "2.4.3"\npoints = 2\n',
            "amendments/2023-09-01.toml: [notice] needs the notice's number",
        ),
        ("2023-09-01", "[notice\n", "amendments/2023-09-01.toml: not valid TOML"),
        # Before the measures took effect: it would rescore months already sent upward.
        (
            "2023-02-01",
            '[notice]\nnumber = "1号"\n[[clause]]\nid = "2.4.3"\npoints = 5\n',
            "amendments/2023-02-01.toml: takes effect on 2023-02-01, before the measures "
            "themselves (2023-03-27)",
        ),
        # A sign would turn a deduction into a bonus, a cap into a cost.
        (
            "2023-09-01",
            '[notice]\nnumber = "9号"\n[[clause]]\nid = "2.4.3"\npoints = -2\n',
            "amendments/2023-09-01.toml: clause 2.4.3: points must be more than 0, got -2",
        ),
        (
            "2023-09-01",
            '[notice]\nnumber = "9号"\n[caps]\nA = { limit = -5 }\n',
            "amendments/2023-09-01.toml: [caps] A: limit must be more than 0, got -5",
        ),
        (
            "2023-09-01",
            '[notice]\nnumber = "9号"\n[caps]\nZ = { limit = 2 }\n',
            "amendments/2023-09-01.toml: [caps] Z: a new cap group that no clause uses",
        ),
        (
            "2023-09-01",
            'base = 50\nfloor = 60\n[notice]\nnumber = "9号"\n',
            "amendments/2023-09-01.toml: floor 60 and base 50: the floor must be 0 or more and "
            "below the base",
        ),
    ],
)
def test_check_refuses_an_amendment_that_contradicts_itself_or_the_base(
    small: Path, name: str, text: str, message: str
):
    add(small, "-d", "市民政局", "-c", "2.4.3", "-n", "3", "--month", "2023-10")
    amend(small, name, text)
    checked = run(small, "check")
    assert checked.exit_code == 1
    assert message in checked.stdout
    # The broken amendment is left out: October is scored by the first rules
    # (3 × 1 → C2 97 → 98.8), and the report says there is a problem.
    month = run(small, "month", "2023-10", "--format", "json")
    assert month.exit_code == 1
    assert [
        d["total"] for d in json.loads(month.stdout)["departments"] if d["department"] == "市民政局"
    ] == [98.8]


def test_an_amendment_too_large_is_not_read(small: Path):
    text = '[notice]\nnumber = "9号"\n' + "#" * (2**20)
    amend(small, "2023-09-01", text)
    checked = run(small, "check")
    assert checked.exit_code == 1
    size = len(text.encode("utf-8"))  # 2**20 + 25
    assert f"amendments/2023-09-01.toml: {size} bytes: an amendment lists a few changes" in (
        checked.stdout
    )


def test_a_whole_file_clauses_toml_is_a_version_from_the_first_date(small: Path):
    """A root's own clauses.toml keeps replacing the shipped catalog, for every month."""
    shipped = (Path(__file__).resolve().parent.parent / "govscore/data/clauses.toml").read_text(
        encoding="utf-8"
    )
    head, tail = shipped.split('id = "2.4.3"')
    (small / "clauses.toml").write_text(
        head + 'id = "2.4.3"' + tail.replace("points = 1\n", "points = 2\n", 1), encoding="utf-8"
    )
    add(small, "-d", "市民政局", "-c", "2.4.3", "-n", "3", "--month", "2023-03")
    # 3 × 2 = 6 → C2 94 → 25 + 37.6 + 35 = 97.6, even in March, before 2023-03-27.
    march = totals(small, "month", "2023-03")
    assert march["市民政局"]["total"] == 97.6
    assert march["rules"] == [{"effective": "2023-03-27", "number": "clauses.toml"}]
    listed = json.loads(run(small, "amendments", "--format", "json").stdout)
    assert [v["number"] for v in listed] == ["烟政管办〔2023〕2号", "clauses.toml"]
    assert listed[1]["changes"] == [{"kind": "catalog", "id": "clauses.toml"}]


def test_report_names_its_versions_and_notes_a_change_of_rules(small: Path, tmp_path: Path):
    from openpyxl import load_workbook

    amend(small, "2023-08-20", POINTS)
    amend(small, "2023-10-01", WEIGHTS)
    record_year(small)
    page = tmp_path / "year.html"
    assert run(small, "report", "2023", "-o", str(page)).exit_code == 0
    html = page.read_text(encoding="utf-8")
    label = (
        "考评依据 2023-03-27 烟政管办〔2023〕2号、2023-08-20 烟政管办〔2023〕9号、"
        "2023-10-01 烟政管办〔2023〕11号"
    )
    assert f"<title>2023年政务服务工作年度考评结果 · {label} · " in html
    assert f'<span class="rules">{label}</span>' in html
    change = (
        "本期考评指标经补充通知调整：2023-09 起按 烟政管办〔2023〕9号（2023-08-20 生效）计分；"
        "2023-10 起按 烟政管办〔2023〕11号（2023-10-01 生效）计分"
    )
    assert change in html
    # Weights changed in October: the year's total is the mean of monthly totals, each
    # weighted as its month was, and the page says so (not year-end weights × means).
    assert (
        "年内权重经补充通知调整：年度总分 = 各考评月份总分（各按当月权重）的平均分，另加年度考评加分"
        "（按年末权重：标准化×0.25，规范化×0.45，便利化×0.15，改革创新×0.15）。" in html
    )
    assert "各类别取考评月份平均分" not in html
    august = tmp_path / "august.html"
    assert run(small, "report", "2023-08", "-o", str(august)).exit_code == 0
    text = august.read_text(encoding="utf-8")
    assert "考评依据 2023-03-27 烟政管办〔2023〕2号 · " in text  # August: the first rules
    assert "本期考评指标经补充通知调整" not in text  # one version: no change to note
    assert "总分 = 标准化×0.25 + 规范化×0.4 + 便利化×0.2 + 改革创新×0.15。" in text
    book = tmp_path / "year.xlsx"
    assert run(small, "report", "2023", "-o", str(book)).exit_code == 0
    cells = [c.value for row in load_workbook(book)["排名"].iter_rows() for c in row if c.value]
    assert label in cells and change in cells
    # Review AZ F6: the 排名 sheet says it too, where a clerk checks the sums by hand.
    assert (
        "年内权重经补充通知调整：年度总分 = 各考评月份总分（各按当月权重）的平均分，另加年度考评加分"
        "（按年末权重：标准化×0.25，规范化×0.45，便利化×0.15，改革创新×0.15）。" in cells
    )


def test_a_year_amended_only_in_its_clauses_and_floor_says_nothing_of_its_weights(
    small: Path, tmp_path: Path
):
    """Review AP F2: every notice is a version with its own file, and the page counted
    versions, not weights: a notice changing 2.4.3's points (or the floor) made the year's
    page say the weights had been changed by a notice. The weights stand all year here, so
    the page gives the one formula (and 11号, which changes them, is the test above)."""
    amend(small, "2023-07-01", FLOOR)
    amend(small, "2023-08-20", POINTS)
    record_year(small)
    page = tmp_path / "year.html"
    assert run(small, "report", "2023", "-o", str(page)).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert "本期考评指标经补充通知调整：2023-09 起按 烟政管办〔2023〕9号" in html
    assert "年内权重经补充通知调整" not in html
    assert (
        "总分 = 标准化×0.25 + 规范化×0.4 + 便利化×0.2 + 改革创新×0.15"
        "（各类别取考评月份平均分，另加年度考评加分）。" in html
    )
    # 市民政局: C2 (97 + 94 + 98) / 3 = 96.333…, total 25 + 0.40 × 96.333… + 35 = 98.5333…
    # → 98.53 (by either formula: the months are weighed alike).
    assert totals(small, "year", "2023")["市民政局"]["total"] == 98.53


STANDING_VETO = """\
[notice]
number = "烟政管办〔2023〕9号"
title = "关于处分案件逐月计分的补充通知"

[[clause]]
id = "4.4.1"
recurring = true
"""


def test_a_standing_veto_is_named_once_in_its_year(small: Path, tmp_path: Path):
    """Review AP F3: a year's vetoes were its months' put end to end, so an entry that
    vetoes every month it stands in (a recurring entry of a veto clause, which only a
    notice can make) was named once a month, in the table, the JSON and the page."""
    amend(small, "2023-08-01", STANDING_VETO)
    add(small, "-d", "市民政局", "-c", "4.4.1", "--recurring", "--month", "2023-08")
    add(small, "-d", "市民政局", "-c", "4.4.1", "--month", "2023-09")
    add(small, "-d", "市公安局", "-c", "2.4.3", "--month", "2023-10")
    # 市民政局 stands at 100 every month (a veto costs no points) and is vetoed: last.
    # 市公安局: October C2 99 → 25 + 39.6 + 35 = 99.6; the year (100 + 100 + 99.6) / 3
    # = 99.8666… → 99.87, C2 (100 + 100 + 99) / 3 = 99.666… → 99.67.
    year = totals(small, "year", "2023")
    assert year["市民政局"] == {
        "rank": 3,
        "department": "市民政局",
        "total": 100.0,
        "vetoed": True,
        "categories": {"1": 100.0, "2": 100.0, "3": 100.0, "4": 100.0},
        "vetoes": ["2023-08-0001", "2023-09-0001"],
        "referrals": [],
        "monthly": {"2023-08": 100.0, "2023-09": 100.0, "2023-10": 100.0},
    }
    assert year["市公安局"]["total"] == 99.87
    # A month names what vetoes it: October the standing entry alone.
    assert totals(small, "month", "2023-10")["市民政局"]["vetoes"] == ["2023-08-0001"]
    table = run(small, "year", "2023").stdout.splitlines()
    assert table[-1].split() == [
        "3",
        "市民政局",
        *["100.00"] * 5,
        "一票否决（2023-08-0001、2023-09-0001）",
    ]
    page = tmp_path / "year.html"
    assert run(small, "report", "2023", "-o", str(page)).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert html.count("2023-08-0001") == html.count("2023-09-0001")
    assert "2023-08-0001、2023-09-0001" in html
    assert "2023-08-0001、2023-08-0001" not in html


def test_two_notices_first_applying_in_one_month_are_both_named(small: Path, tmp_path: Path):
    """9号 effective 2023-09-20 and 11号 effective 2023-10-01 both first apply in October:
    11号 is in force there and holds 9号's changes, so every report of October names both
    (the 2.4.3 point of 2 that scores October is 9号's; review S F6: 9号 was named nowhere).

    市民政局's October: 2.4.3 × 1 at 9号's 2 points → 规范化 98 (in September, still at 2号's
    1 point, × 3 → 97)."""
    amend(small, "2023-09-20", POINTS)
    amend(small, "2023-10-01", WEIGHTS)
    record_year(small)
    notice = {"effective": "2023-09-20", "number": "烟政管办〔2023〕9号"}
    october = totals(small, "month", "2023-10")
    assert october["rules"] == [notice, OCTOBER]
    assert october["市民政局"]["categories"]["2"] == 98
    september = totals(small, "month", "2023-09")
    assert september["rules"] == [FIRST]
    assert september["市民政局"]["categories"]["2"] == 97
    year = totals(small, "year", "2023")
    assert year["rules"] == [FIRST, notice, OCTOBER]
    title = run(small, "year", "2023").output.splitlines()[0]
    assert "2023-09-20 烟政管办〔2023〕9号、2023-10-01 烟政管办〔2023〕11号" in title
    page = tmp_path / "year.html"
    assert run(small, "report", "2023", "-o", str(page)).exit_code == 0
    assert (
        "本期考评指标经补充通知调整：2023-10 起按 烟政管办〔2023〕9号（2023-09-20 生效）、"
        "烟政管办〔2023〕11号（2023-10-01 生效）计分" in page.read_text(encoding="utf-8")
    )
    month_page = tmp_path / "october.html"
    assert run(small, "report", "2023-10", "-o", str(month_page)).exit_code == 0
    text = month_page.read_text(encoding="utf-8")
    assert "考评依据 2023-09-20 烟政管办〔2023〕9号、2023-10-01 烟政管办〔2023〕11号 · " in text
    assert "本期考评指标经补充通知调整" not in text  # one step of the rules: no change within


def test_import_judges_each_row_by_its_months_rules(small: Path, tmp_path: Path):
    amend(small, "2023-09-01", RETIRE_AND_ADD)
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "department,clause,count,month\n市民政局,2.2.5,1,2023-09\n市民政局,2.4.3,1,2023-09\n",
        encoding="utf-8",
    )
    refused = run(small, "import", str(rows))
    assert refused.exit_code == 1
    assert (
        f"{rows}:2: clause: clause 2.2.5 was retired from 2023-09-01 (烟政管办〔2023〕9号)"
    ) in refused.output
    assert not (small / "ledger" / "2023-09.toml").exists()  # nothing imported
    rows.write_text("department,clause,count,month\n市民政局,2.2.5,1,2023-08\n", encoding="utf-8")
    assert run(small, "import", str(rows)).exit_code == 0


def test_show_gives_a_recurring_entry_each_months_own_points(small: Path):
    amend(small, "2023-08-20", POINTS)
    add(small, "-d", "市体育局", "-c", "2.4.9", "--recurring", "--month", "2023-08")
    add(
        small, "-d", "市民政局", "-c", "2.4.3", "--month", "2023-09"
    )  # the ledger reaches September
    shown = json.loads(run(small, "show", "2023-08-0001", "--format", "json").stdout)
    # 2.4.9: 1 point a month in August, 2 from September (the notice of 2023-08-20).
    assert [(c["period"], c["amount"]) for c in shown["counts"]] == [
        ("2023-08", -1.0),
        ("2023-09", -2.0),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[clause]]\nid = "4.2.2"\nlevels = [1]', "clause 4.2.2: levels = [1]: expected a list"),
        ('[[clause]]\nid = "2.4.3"\nref = 5', "clause 2.4.3: ref = 5: expected a list of clause"),
        (
            '[[clause]]\nid = "2.4.3"\npoints = nan',
            "clause 2.4.3: points = nan: expected a finite number",
        ),
        (
            '[[clause]]\nid = "2.4.3"\npoints = 1e400',
            "clause 2.4.3: points = inf: expected a finite number",
        ),
        ('[[clause]]\nid = "2.4.3"\napplies_to = 5', "clause 2.4.3: applies_to = 5: expected text"),
        ("[caps]\nA = { limit = inf }", "[caps] A: limit = inf: expected a finite number"),
        (
            '[[clause]]\nid = "2.4.3"\nref = ["9.9.9"]',
            "clause 2.4.3 refers to unknown clause 9.9.9",
        ),
        ('retire = ["4.3.1"]', "clause 4.3.2 refers to unknown clause 4.3.1"),
        ("[category]\n2 = 5", "[category.2] needs a weight"),
        (  # merged into weights.toml, read as it is: a key it does not have is refused
            "[category.2]\nwieght = 0.5",
            "[category.2]: unknown key 'wieght'; did you mean weight? (a category has name, "
            "short, weight)",
        ),
    ],
)
def test_a_hostile_amendment_is_a_problem_of_its_file_never_a_crash(
    small: Path, body: str, message: str
):
    # A top-level key (retire) comes before the [notice] table; tables after it.
    notice = '[notice]\nnumber = "X"\n'
    top = body.startswith("retire")
    amend(small, "2023-11-01", f"{body}\n{notice}" if top else f"{notice}\n{body}\n")
    checked = run(small, "check")
    assert checked.exit_code == 1, checked.output
    assert f"amendments/2023-11-01.toml: {message}" in checked.stdout
    assert run(small, "amendments").exit_code == 1  # the versions, and the problem on stderr


def test_amendment_messages_read_in_chinese(small: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GOVSCORE_LANG", "zh")
    amend(small, "2023-09-01", RETIRE_AND_ADD)
    late = run(small, "add", "-d", "市民政局", "-c", "2.2.5", "--month", "2023-09")
    assert late.exit_code == 1
    assert (
        "条款 2.2.5 已自 2023-09-01（烟政管办〔2023〕9号）起废止：不能登记到 2023-09 及以后的月份"
    ) in late.output
    amend(small, "notes", "")
    checked = run(small, "check")
    assert "amendments/notes.toml: 不是补充通知文件：补充通知以生效日期命名" in checked.stdout
    # A broken clause in an amendment: its file named once, no Python word in the message.
    amend(
        small, "2023-11-01", '[notice]\nnumber = "13号"\n[[clause]]\nid = "2.4.3"\nkind = "rate"\n'
    )
    checked = run(small, "check")
    line = next(x for x in checked.stdout.splitlines() if "2023-11-01" in x)
    assert line == "amendments/2023-11-01.toml: 条款 2.4.3: per_point：缺少，请填写数字", line


def test_an_amendment_that_changes_nothing_is_not_called_the_first_version(small: Path):
    amend(small, "2023-09-01", '[notice]\nnumber = "9号"\n')
    lines = run(small, "amendments").stdout.splitlines()
    assert "首版：77 条条款" in lines[2]
    assert lines[3].split()[:2] == ["2023-09-01", "9号"] and "（未改变考评指标）" in lines[3]


def test_entries_appended_to_a_warm_cache_count_under_their_months_rules(small: Path):
    amend(small, "2023-08-20", POINTS)
    add(small, "-d", "市民政局", "-c", "2.4.3", "-n", "3", "--month", "2023-08")
    assert totals(small, "month", "2023-08")["市民政局"]["total"] == 98.8  # the cache is written
    assert (small / ".govscore-cache").is_dir()
    add(small, "-d", "市民政局", "-c", "2.4.3", "-n", "3", "--month", "2023-09")
    # Folded into the cached snapshot: 3 × 2 in September → C2 94 → 97.6; August unchanged.
    assert totals(small, "month", "2023-09")["市民政局"]["total"] == 97.6
    assert totals(small, "month", "2023-08")["市民政局"]["total"] == 98.8
    # check reads the whole ledger too and finds the cache agrees.
    assert run(small, "check").exit_code == 0


def test_the_examples_amendment_lists_and_leaves_the_example_months_as_they_were(
    tmp_path: Path,
):
    from conftest import REPO, copy_root

    example = copy_root(REPO / "examples", tmp_path / "examples")
    listed = json.loads(run(example, "amendments", "--format", "json").stdout)
    assert [(v["effective"], v["first_month"]) for v in listed] == [
        ("2023-03-27", "2023-04"),
        ("2023-07-15", "2023-08"),
    ]
    year = json.loads(run(example, "year", "2023", "--format", "json").stdout)
    assert year["rules"] == [FIRST]  # 2023-03 to 2023-06: the measures as published
    assert run(example, "check").exit_code == 0


def test_at_a_revision_reads_the_amendments_committed_there(small: Path):
    import subprocess

    amend(small, "2023-09-01", POINTS)
    add(small, "-d", "市民政局", "-c", "2.4.3", "-n", "3", "--month", "2023-09")
    subprocess.run(["git", "add", "-A"], cwd=small, check=True)
    subprocess.run(["git", "commit", "-qm", "notice 9"], cwd=small, check=True)
    (small / "amendments" / "2023-09-01.toml").unlink()
    # At HEAD the notice stands (3 × 2 → C2 94 → 97.6); the working tree no longer has it.
    at_head = totals(small, "month", "2023-09", "--at", "HEAD")
    assert at_head["市民政局"]["total"] == 97.6
    assert at_head["rules"] == [{"effective": "2023-09-01", "number": "烟政管办〔2023〕9号"}]
    now = totals(small, "month", "2023-09")
    assert (now["市民政局"]["total"], now["rules"]) == (98.8, [FIRST])


NEW_CATEGORY = """\
[notice]
number = "烟政管办〔2023〕5号"
title = "关于增设考评类别的补充通知"

[category.2]
weight = 0.35

[category.5]
name = "数据共享"
short = "共享"
weight = 0.05

[[clause]]
id = "5.1.1"
text = "未按要求共享政务数据"
effect = "-"
kind = "fixed"
points = 1
unit = "件次"
"""


def test_a_category_added_by_an_amendment_is_shown_from_its_first_month(
    small: Path, tmp_path: Path
):
    """A notice effective 2023-06-01 adds category 5 (共享, 5%, from 规范化's 40%) and its
    clause 5.1.1 (1 point per 件次). Each period is shown in the categories of its last
    month: May in four, June and the year in five."""
    from openpyxl import load_workbook

    amend(small, "2023-06-01", NEW_CATEGORY)
    add(small, "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05")
    add(small, "-d", "市民政局", "-c", "5.1.1", "-n", "2", "--month", "2023-06")
    # May, the first rules: C2 = 100 − 1 = 99 → 25 + 0.40×99 + 20 + 15 = 99.6
    may = totals(small, "month", "2023-05")["市民政局"]
    assert may["categories"] == {"1": 100, "2": 99, "3": 100, "4": 100}
    assert may["total"] == 99.6
    # June, the notice's rules: C5 = 100 − 2 = 98 →
    # 25 + 0.35×100 + 20 + 15 + 0.05×98 = 25 + 35 + 20 + 15 + 4.9 = 99.9
    june = totals(small, "month", "2023-06")["市民政局"]
    assert june["categories"] == {"1": 100, "2": 100, "3": 100, "4": 100, "5": 98}
    assert june["total"] == 99.9
    # The year (May and June): C5's mean counts May at base, (100 + 98) / 2 = 99;
    # C2 (99 + 100) / 2 = 99.5; the months are weighed by their own weights, so the
    # total is the mean of their totals, (99.6 + 99.9) / 2 = 99.75.
    year = totals(small, "year", "2023")["市民政局"]
    assert year["categories"] == {"1": 100, "2": 99.5, "3": 100, "4": 100, "5": 99}
    assert year["total"] == 99.75
    headers = {
        period: run(small, *period.split()).stdout.splitlines()[1].split()
        for period in ("month 2023-05", "month 2023-06", "year 2023")
    }
    four = ["排名", "部门", "标准化", "规范化", "便利化", "改革创新", "总分", "备注"]
    assert headers["month 2023-05"] == four
    assert headers["month 2023-06"] == headers["year 2023"] == [*four[:6], "共享", *four[6:]]
    detail = run(small, "month", "2023-05", "--detail", "-d", "市民政局")
    assert detail.exit_code == 0, detail.output
    assert (
        "市民政局：标准化 100.00，规范化 99.00，便利化 100.00，改革创新 100.00；" in detail.stdout
    )
    page = tmp_path / "may.html"
    assert run(small, "report", "2023-05", "-o", str(page)).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert ">改革创新</th>" in html and "共享" not in html
    # The page's formula is May's: 规范化 at 40%, not June's 35%.
    assert "总分 = 标准化×0.25 + 规范化×0.4 + 便利化×0.2 + 改革创新×0.15。" in html
    book = tmp_path / "may.xlsx"
    assert run(small, "report", "2023-05", "-o", str(book)).exit_code == 0
    rows = [[c.value for c in row] for row in load_workbook(book)["排名"].iter_rows()]
    header = next(row for row in rows if "部门（单位）" in row)
    assert "改革创新" in header and "共享" not in header


def test_a_report_names_an_amendment_s_problem_as_one_of_the_configuration(small: Path):
    """A notice whose weights do not sum to 1 is left out; the report's warning speaks of
    the configuration, not of ledger entries alone."""
    add(small, "-d", "市公安局", "-c", "2.4.3", "--month", "2023-09")  # (refused after it)
    amend(small, "2023-08-15", "[category.2]\nweight = 0.45\n")  # 1.05 with the others
    result = run(small, "month", "2023-09")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "warning: 1 problem in the ledger or its configuration; entries with problems are "
        "not counted, nor an amendment with one (run `govscore check`)"
    )


def test_show_says_a_recurring_entry_stops_where_its_clause_is_retired(small: Path):
    """A recurring entry never closed stands monthly, until a notice retires its clause:
    `show` said it went on in every later month, while the months scored it no more."""
    amend(small, "2023-10-01", RETIRE_AND_ADD.replace("2.2.5", "2.4.9"))
    add(small, "-d", "市民政局", "-c", "2.4.9", "--recurring", "--month", "2023-08")
    add(small, "-d", "市体育局", "-c", "2.4.3", "--month", "2023-11")  # the ledger reaches Nov.
    shown = json.loads(run(small, "show", "2023-08-0001", "--format", "json").stdout)
    # 2.4.9: 1 point a month in August and September; retired from October.
    assert [(c["period"], c["amount"]) for c in shown["counts"]] == [
        ("2023-08", -1.0),
        ("2023-09", -1.0),
    ]
    assert (shown["open"], shown["retired"]) == (
        False,
        {"effective": "2023-10-01", "number": "烟政管办〔2023〕9号", "why": "retired"},
    )
    table = run(small, "show", "2023-08-0001").stdout.splitlines()
    assert table[-1].split() == ["来源", "台账尚无提交"]  # the last row: what it was read from
    assert table[-2].split() == [
        "以后各月",
        "条款",
        "2.4.9",
        "自",
        "2023-10-01（烟政管办〔2023〕9号）废止，不再计分",
    ]
    # 市民政局 in October: at base (C2 100 → 100).
    assert totals(small, "month", "2023-10")["市民政局"]["total"] == 100
    # Without the notice, the entry is open.
    (small / "amendments" / "2023-10-01.toml").unlink()
    shown = json.loads(run(small, "show", "2023-08-0001", "--format", "json").stdout)
    assert (shown["open"], shown["retired"]) == (True, None)


@pytest.mark.parametrize(
    "kind",
    [
        'kind = "range"\nmin = 1\nmax = 3',
        'kind = "levels"\nlevels = [{ name = "市级", points = 1 }, { name = "省级", points = 2 }]',
        'kind = "rate"\nper_point = 0.1',
    ],
)
def test_a_notice_that_changes_a_clauses_kind_stops_a_recurring_entry_of_it(small: Path, kind: str):
    """2.4.9 deducts 1 a month, fixed; a notice from September makes it a range (or levels,
    a rate). The open recurring entry states no points, level or rate to count by: it
    stopped every report with a traceback. It stands until August, as under a retirement."""
    add(small, "-d", "市体育局", "-c", "2.4.9", "--recurring", "--month", "2023-07")
    add(small, "-d", "市民政局", "-c", "2.4.3", "--month", "2023-09")
    amend(small, "2023-09-01", f'[notice]\nnumber = "X"\n\n[[clause]]\nid = "2.4.9"\n{kind}\n')
    # July and August: 2.4.9 × 1 → C2 99 → 25 + 39.6 + 35 = 99.6; September: at base.
    assert totals(small, "month", "2023-08")["市体育局"]["total"] == 99.6
    assert totals(small, "month", "2023-09")["市体育局"]["total"] == 100
    year = run(small, "year", "2023", "--format", "json")
    assert year.exit_code == 0 and "Traceback" not in year.output, year.output
    shown = json.loads(run(small, "show", "2023-07-0001", "--format", "json").stdout)
    assert (shown["open"], shown["retired"]) == (
        False,
        {"effective": "2023-09-01", "number": "X", "why": "figures"},
    )
    assert run(small, "show", "2023-07-0001").stdout.splitlines()[-2].split() == [
        "以后各月",
        "条款",
        "2.4.9",
        "自",
        "2023-09-01（X）改变计分方式，本记录不再计分",
    ]


def test_a_notice_that_restricts_a_clause_to_a_tag_stops_a_recurring_entry_of_it(small: Path):
    """A notice from September makes 2.4.9 apply to hall departments only: a new booking
    against 市体育局 (no tags) is refused, so its open recurring entry stops there too, as
    under a retirement (it went on deducting, `check` silent; review S F4).

    市体育局, July and August: 2.4.9 × 1 → C2 99 → 25 + 0.40×99 + 20 + 15 = 99.6;
    September: nothing counts → 100."""
    add(small, "-d", "市体育局", "-c", "2.4.9", "--recurring", "--month", "2023-07")
    add(small, "-d", "市民政局", "-c", "2.4.3", "--month", "2023-09")
    amend(
        small,
        "2023-09-01",
        '[notice]\nnumber = "40号"\n\n[[clause]]\nid = "2.4.9"\napplies_to = "hall"\n',
    )
    assert totals(small, "month", "2023-08")["市体育局"]["total"] == 99.6
    assert totals(small, "month", "2023-09")["市体育局"]["total"] == 100
    refused = run(small, "add", "-d", "市体育局", "-c", "2.4.9", "--month", "2023-09")
    assert refused.exit_code == 1, refused.output
    shown = json.loads(run(small, "show", "2023-07-0001", "--format", "json").stdout)
    assert [(c["period"], c["amount"]) for c in shown["counts"]] == [
        ("2023-07", -1.0),
        ("2023-08", -1.0),
    ]
    assert (shown["open"], shown["retired"]) == (
        False,
        {"effective": "2023-09-01", "number": "40号", "why": "applies_to", "tag": "hall"},
    )
    assert run(small, "show", "2023-07-0001").stdout.splitlines()[-2].split() == [
        "以后各月",
        "条款",
        "2.4.9",
        "自",
        "2023-09-01（40号）只适用于标签为“政务服务中心大厅”的部门，本部门不再计分",
    ]
    # The cached path agrees with a fresh read (the year from the snapshot, then cold).
    warm = totals(small, "year", "2023")["市体育局"]["total"]
    shutil.rmtree(small / ".govscore-cache")
    assert totals(small, "year", "2023")["市体育局"]["total"] == warm


def test_show_names_the_tag_of_the_notice_that_stopped_an_entry_not_a_later_ones(small: Path):
    """Review AY F2: a notice from August restricts 2.4.9 to hall departments (X), one
    from October to one-window departments (Y). 市体育局 (no tags) stops in August by X,
    yet `show` named Y's tag, the clause as last defined; and once Y lifted the
    restriction (applies_to = ""), an empty tag “”. It names X's tag, and JSON says it."""
    add(small, "-d", "市体育局", "-c", "2.4.9", "--recurring", "--month", "2023-07")
    add(small, "-d", "市公安局", "-c", "2.4.3", "--month", "2023-11")  # the ledger reaches Nov.
    only = '[notice]\nnumber = "{}"\n\n[[clause]]\nid = "2.4.9"\napplies_to = "{}"\n'
    amend(small, "2023-08-01", only.format("X", "hall"))
    amend(small, "2023-10-01", only.format("Y", "one_window"))
    shown = json.loads(run(small, "show", "2023-07-0001", "--format", "json").stdout)
    stop = {"effective": "2023-08-01", "number": "X", "why": "applies_to", "tag": "hall"}
    assert (shown["retired"], shown["gaps"]) == (stop, [])
    words = "条款 2.4.9 自 2023-08-01（X）只适用于标签为“政务服务中心大厅”的部门，本部门"
    table = [
        " ".join(row.split()) for row in run(small, "show", "2023-07-0001").stdout.splitlines()
    ]
    assert table[-2] == f"以后各月 {words}不再计分"
    amend(small, "2023-10-01", only.format("Y", ""))
    shown = json.loads(run(small, "show", "2023-07-0001", "--format", "json").stdout)
    gap = {**stop, "from": "2023-08", "through": "2023-09"}
    resumed = {"effective": "2023-10-01", "number": "Y"}
    assert (shown["retired"], shown["gaps"]) == (None, [gap | {"resumed": resumed}])
    table = [
        " ".join(row.split()) for row in run(small, "show", "2023-07-0001").stdout.splitlines()
    ]
    assert f"不计分 2023-08 至 2023-09 {words}不计分；自 2023-10-01（Y）起恢复计分" in table


def test_a_recurring_deduction_stops_where_a_notice_makes_its_clause_a_veto(small: Path):
    """Review AP F4: a notice from September makes 3.1.5 a veto. A recurring 0.7 booked in
    July vetoed 市体育局 every month from then on: a veto is booked by the office itself,
    never earned by a standing deduction. It stops there, `show` says why, and it counts
    again from November, where another notice makes 3.1.5 a deduction (0.5–1) again.

    市体育局: July, August C3 = 100 − 0.7 = 99.3 → 25 + 40 + 0.20×99.3 + 15 = 99.86;
    September, October at base, 100, no veto; November 99.86 again. The year (July to
    November, five months): (3×99.86 + 2×100)/5 = 499.58/5 = 99.916 → 99.92."""
    add_recurring_315(small, "市体育局", "0.7")
    add(small, "-d", "市公安局", "-c", "2.4.3", "--month", "2023-11")  # the ledger reaches Nov.
    veto = '[notice]\nnumber = "X"\n\n[[clause]]\nid = "3.1.5"\nkind = "veto"\neffect = "veto"\n'
    amend(small, "2023-09-01", veto)
    shown = json.loads(run(small, "show", "2023-07-0001", "--format", "json").stdout)
    assert (shown["open"], shown["retired"]) == (
        False,
        {"effective": "2023-09-01", "number": "X", "why": "veto"},
    )
    assert " ".join(run(small, "show", "2023-07-0001").stdout.splitlines()[-2].split()) == (
        "以后各月 条款 3.1.5 自 2023-09-01（X）改为一票否决，本记录不再计分（一票否决须另行登记）"
    )
    again = (
        '[notice]\nnumber = "Y"\n\n[[clause]]\nid = "3.1.5"\nkind = "range"\neffect = "-"\n'
        "min = 0.5\nmax = 1\n"
    )
    amend(small, "2023-11-01", again)
    months = ("2023-07", "2023-08", "2023-09", "2023-10", "2023-11")
    found = [totals(small, "month", month)["市体育局"] for month in months]
    assert [(f["total"], f["vetoes"]) for f in found] == [
        (99.86, []),
        (99.86, []),
        (100, []),
        (100, []),
        (99.86, []),
    ]
    year = totals(small, "year", "2023")["市体育局"]
    assert (year["total"], year["vetoes"]) == (99.92, [])
    shutil.rmtree(small / ".govscore-cache")  # a fresh read agrees
    assert totals(small, "year", "2023")["市体育局"]["total"] == 99.92
    shown = json.loads(run(small, "show", "2023-07-0001", "--format", "json").stdout)
    assert [c["period"] for c in shown["counts"]] == ["2023-07", "2023-08", "2023-11"]
    assert (shown["open"], shown["retired"]) == (True, None)


def test_a_recurring_entry_stops_where_a_notice_makes_its_clause_count_once(small: Path):
    """Review AP F4: a notice from September makes 2.4.9 no longer recurring: `add
    --recurring` is refused for September, yet a recurring 2.4.9 booked in July went on
    deducting. It stops there, as the door has it, and counts again from November, where
    another notice makes 2.4.9 recurring again.

    市体育局: July, August C2 = 100 − 1 = 99 → 25 + 0.40×99 + 20 + 15 = 99.6; September,
    October 100; November 99.6."""
    add(small, "-d", "市体育局", "-c", "2.4.9", "--recurring", "--month", "2023-07")
    add(small, "-d", "市公安局", "-c", "2.4.3", "--month", "2023-11")  # the ledger reaches Nov.
    once = '[notice]\nnumber = "X"\n\n[[clause]]\nid = "2.4.9"\nrecurring = false\n'
    amend(small, "2023-09-01", once)
    refused = run(
        small, "add", "-d", "市民政局", "-c", "2.4.9", "--recurring", "--month", "2023-09"
    )
    assert refused.exit_code == 1, refused.output
    shown = json.loads(run(small, "show", "2023-07-0001", "--format", "json").stdout)
    assert (shown["open"], shown["retired"]) == (
        False,
        {"effective": "2023-09-01", "number": "X", "why": "once"},
    )
    table = run(small, "show", "2023-07-0001").stdout.splitlines()
    assert [" ".join(row.split()) for row in table[11:15]] == [
        "状态 计分至 2023-08",
        "计分 2023-07 -1.00（每月 1 项 × 1）",
        "计分 2023-08 -1.00（每月 1 项 × 1）",
        "以后各月 条款 2.4.9 自 2023-09-01（X）不再逐月计分，本记录不再计分",
    ]
    amend(small, "2023-11-01", once.replace("X", "Y").replace("false", "true"))
    months = ("2023-07", "2023-08", "2023-09", "2023-10", "2023-11")
    assert [totals(small, "month", month)["市体育局"]["total"] for month in months] == [
        99.6,
        99.6,
        100,
        100,
        99.6,
    ]
    shown = json.loads(run(small, "show", "2023-07-0001", "--format", "json").stdout)
    assert [c["period"] for c in shown["counts"]] == ["2023-07", "2023-08", "2023-11"]
    assert (shown["open"], shown["retired"]) == (True, None)


def test_a_notice_that_makes_an_until_closed_clause_count_once_stops_its_entries(small: Path):
    """Review AT F1: 3.1.3 deducts every month until closed (the catalog: recurring and
    until_closed); a notice from September writing `recurring = false` did nothing, as
    until_closed still made the clause recurring, while `amendments` listed 逐月计分 是 → 否.
    A notice's `recurring = false` now clears until_closed too: the entry stops from
    September, `add --recurring` is refused there and the list says both fields changed.

    市体育局 (3.1.3, 2 a month from July): July, August C3 = 100 − 2 = 98 →
    25 + 0.40×100 + 0.20×98 + 0.15×100 = 25 + 40 + 19.6 + 15 = 99.6; September on 100."""
    add(small, "-d", "市体育局", "-c", "3.1.3", "--recurring", "--month", "2023-07")
    add(small, "-d", "市公安局", "-c", "2.4.3", "--month", "2023-11")  # the ledger reaches Nov.
    amend(
        small,
        "2023-09-01",
        '[notice]\nnumber = "X"\n\n[[clause]]\nid = "3.1.3"\nrecurring = false\n',
    )
    months = ("2023-07", "2023-08", "2023-09", "2023-10", "2023-11")
    assert [totals(small, "month", month)["市体育局"]["total"] for month in months] == [
        99.6,
        99.6,
        100,
        100,
        100,
    ]
    refused = run(
        small, "add", "-d", "市民政局", "-c", "3.1.3", "--recurring", "--month", "2023-09"
    )
    assert refused.exit_code == 1, refused.output
    shown = json.loads(run(small, "show", "2023-07-0001", "--format", "json").stdout)
    assert [c["period"] for c in shown["counts"]] == ["2023-07", "2023-08"]
    assert (shown["open"], shown["retired"]) == (
        False,
        {"effective": "2023-09-01", "number": "X", "why": "once"},
    )
    listed = json.loads(run(small, "amendments", "--format", "json").stdout)
    assert listed[1]["changes"] == [
        {"kind": "clause", "id": "3.1.3", "field": "recurring", "from": "true", "to": "false"},
        {"kind": "clause", "id": "3.1.3", "field": "until_closed", "from": "true", "to": "false"},
    ]
    assert "条款 3.1.3 逐月计分：是 → 否；条款 3.1.3 每月扣分，直至终止计分：是 → 否" in (
        run(small, "amendments").stdout
    )


def test_recurring_false_lists_until_closed_only_where_the_clause_had_it(small: Path):
    """Review AV F2, F3: `recurring = false` on 2.4.9, which never had until_closed, listed
    a change that did not happen (每月扣分，直至终止计分：— → 否); and a notice writing
    `recurring = false` with `until_closed = true` had the latter dropped without a word,
    though such a clause recurs: it contradicts itself, and is left out, named."""
    amend(
        small,
        "2023-09-01",
        '[notice]\nnumber = "X"\n\n[[clause]]\nid = "2.4.9"\nrecurring = false\n',
    )
    listed = json.loads(run(small, "amendments", "--format", "json").stdout)
    assert listed[1]["changes"] == [
        {"kind": "clause", "id": "2.4.9", "field": "recurring", "from": "true", "to": "false"},
    ]
    amend(
        small,
        "2023-10-01",
        '[notice]\nnumber = "Y"\n\n[[clause]]\nid = "3.1.3"\nrecurring = false\n'
        "until_closed = true\n",
    )
    checked = run(small, "check")
    assert checked.exit_code == 1
    assert checked.stdout == (
        "amendments/2023-10-01.toml: clause 3.1.3: recurring = false with until_closed = "
        "true, which contradict each other (a clause deducted every month until closed "
        "recurs); write one of them\n"
    )


SPLIT_CAP = (
    "cap group A holds clauses of category 3 (3.3.1, 3.3.2, 3.3.3, 3.3.4) and category 4 "
    "(4.2.5): a cap cuts its group's bonuses from one category's score, so a group's clauses "
    "lie in one category, as every group of the measures does; give the clauses of each "
    "category a cap group of their own"
)


def test_a_notice_putting_a_clause_of_another_category_in_a_cap_group_is_left_out(small: Path):
    """Review AZ F1: a notice putting 4.2.5 (category 4) into cap A (3.3.1–3.3.4, category 3)
    was accepted, and the kept amount went to the category of the group's last entry in
    ledger order: two departments with the same bonuses got 100.20 and 100.15. It is left
    out, named, as a notice that contradicts itself is; the rules before it stand."""
    for department, order in (("市公安局", ("3.3.1", "4.2.5")), ("市民政局", ("4.2.5", "3.3.1"))):
        for clause in order:
            how = ("-n", "2") if clause == "3.3.1" else ("--points", "1")
            add(small, "-d", department, "-c", clause, *how, "--month", "2023-07")
    amend(small, "2023-07-01", '[notice]\nnumber = "H1"\n\n[[clause]]\nid = "4.2.5"\ncap = "A"\n')
    checked = run(small, "check")
    assert checked.exit_code == 1
    assert checked.stdout == f"amendments/2023-07-01.toml: {SPLIT_CAP}\n"
    # By the measures: 3.3.1 2 × 0.3 = +0.6 (cap A ≤ 1 not reached), 4.2.5 +1 uncapped:
    # 25 + 40 + 0.2 × 100.6 + 0.15 × 101 = 25 + 40 + 20.12 + 15.15 = 100.27, both alike.
    july = totals(small, "month", "2023-07", code=1)
    assert [july[d]["total"] for d in ("市公安局", "市民政局")] == [100.27, 100.27]
    assert july["rules"] == [FIRST]


def test_a_root_clauses_toml_with_a_cap_group_over_two_categories_is_an_error(small: Path):
    """Review AZ F1, the same for a root's own clauses.toml: an error, as any other mistake
    in it is (the root cannot be scored without its catalog)."""
    shipped = (Path(__file__).resolve().parent.parent / "govscore/data/clauses.toml").read_text(
        encoding="utf-8"
    )
    (small / "clauses.toml").write_text(
        shipped.replace('id = "4.2.5"\n', 'id = "4.2.5"\ncap = "A"\n'), encoding="utf-8"
    )
    checked = run(small, "check")
    assert checked.exit_code == 1
    assert checked.stderr == f"error: clauses.toml: {SPLIT_CAP}\n"


def test_a_notice_capping_an_annual_clause_is_left_out(small: Path):
    """Review AZ F2: a notice putting 4.2.4 (annual) into a new cap group F was accepted,
    and F never applied (annual bonuses never pass through a month's caps) while every
    line said 加分上限组 F. It is left out, named: the measures cap no annual clause."""
    for level, month in (("国家级", "2023-10"), ("国家级", "2023-10"), ("省级", "2023-11")):
        add(small, "-d", "市公安局", "-c", "4.2.4", "--level", level, "--month", month)
    amend(
        small,
        "2023-09-01",
        '[notice]\nnumber = "E2"\n\n[[clause]]\nid = "4.2.4"\ncap = "F"\n\n'
        '[caps]\nF = { limit = 1, text = "表彰加分上限 1 分" }\n',
    )
    checked = run(small, "check")
    assert checked.exit_code == 1
    assert checked.stdout == (
        "amendments/2023-09-01.toml: cap group F holds clause 4.2.4, which is annual (annual = "
        "true): a cap limits a group's bonuses in a month, and an annual clause counts in the "
        'year\'s score only, so its cap would never apply; take cap = "F" out of clause 4.2.4\n'
    )
    # By the measures, uncapped: 1 + 1 + 0.5 = 2.5 to C4 in the year; October and November
    # are 100 each: 100 + 0.15 × 2.5 = 100.375, shown 100.38; C4 100 + 2.5 = 102.5.
    year = totals(small, "year", "2023", code=1)
    police = year["市公安局"]
    assert (police["total"], police["categories"]["4"]) == (100.38, 102.5)
    assert year["rules"] == [FIRST]


@pytest.mark.parametrize(
    ("clause", "made", "said"),
    [
        # Review BK F1: 4.2.2 made annual scored 0 in the year (a matter's rise is worked
        # out among a year's months, and annual entries pass through no month).
        (
            "4.2.2",
            "annual = true",
            "clause 4.2.2 is exclusive (a matter counts once a year, at its highest level, "
            "among the months) and annual (counts once, in the year's score), which govscore "
            "cannot score together; write exclusive = false, or annual = false",
        ),
        (
            "4.2.4",
            "exclusive = true",
            "clause 4.2.4 is exclusive (a matter counts once a year, at its highest level, "
            "among the months) and annual (counts once, in the year's score), which govscore "
            "cannot score together; write exclusive = false, or annual = false",
        ),
        # BK F3: made recurring, a 4.2.2 entry counted 0 every month.
        (
            "4.2.2",
            "recurring = true",
            "clause 4.2.2 is exclusive (a matter counts once a year, at its highest level, "
            "among the months) and recurring (counts every month until closed), which "
            "govscore cannot score together; write exclusive = false, or recurring = false",
        ),
        # BK F2: an annual veto vetoed neither the month nor the year; an annual referral
        # deducted but was listed nowhere.
        (
            "4.4.1",
            "annual = true",
            "clause 4.4.1 is annual (counts once, in the year's score), but a veto belongs "
            "to the month it happened in; write annual = false",
        ),
        (
            "2.4.13",
            "annual = true",
            "clause 2.4.13 is annual (counts once, in the year's score), but a referral "
            "belongs to the month it happened in; write annual = false",
        ),
    ],
)
def test_a_notice_pairing_ways_of_counting_that_exclude_each_other_is_left_out(
    small: Path, clause: str, made: str, said: str
):
    """A notice may not make a clause count in two ways govscore cannot score together:
    each such pair was accepted and the clause's entries then counted as neither. Named,
    the notice left out, the rules before it standing."""
    amend(
        small,
        "2023-08-01",
        f'[notice]\nnumber = "A7"\n\n[[clause]]\nid = "{clause}"\n{made}\n',
    )
    checked = run(small, "check")
    assert checked.exit_code == 1
    assert checked.stdout == f"amendments/2023-08-01.toml: {said}\n"


def test_a_notice_making_a_recurring_clause_annual_is_left_out(small: Path):
    """Review AY F6: a notice making 3.1.3 (deducted every month until closed) annual was
    accepted without a word: a standing 3.1.3 entry went on deducting every month while a
    new one counted once in the year, under the same clause. It contradicts itself, and
    is left out, named; the rules before it stand."""
    add(small, "-d", "市公安局", "-c", "3.1.3", "--recurring", "--month", "2023-06")
    amend(
        small, "2023-08-01", '[notice]\nnumber = "A6"\n\n[[clause]]\nid = "3.1.3"\nannual = true\n'
    )
    checked = run(small, "check")
    assert checked.exit_code == 1
    assert checked.stdout == (
        "amendments/2023-08-01.toml: clause 3.1.3 is annual (counts once, in the year's score) "
        "and recurring (counts every month until closed), which contradict each other; write "
        "one of them (recurring = false, or annual = false)\n"
    )
    # By the rules before it: 3.1.3 is 2 a month off C3 (weight 0.2), standing in August:
    # 25 + 40 + 0.2 × 98 + 15 = 99.60.
    august = totals(small, "month", "2023-08", code=1)
    assert august["市公安局"]["total"] == 99.6
    assert august["rules"] == [FIRST]


class _ChartBars(HTMLParser):
    """The bars of the page's category chart, as (colour, width), row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.bars: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "svg" and found.get("aria-label") == "各考评类别得分":
            self.inside = True
        elif tag == "rect" and self.inside:
            self.bars.append((str(found["fill"]), str(found["width"])))

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.inside = False


def test_a_year_page_measures_categories_from_the_years_own_base_and_floor(
    small: Path, tmp_path: Path
):
    """Review AZ F3: with a notice lowering the base to 90 from October, the year page drew
    each category from 90 (市公安局's 98.00, with no entry at all, as a green bonus of
    +8) and headed every card's floor lines with the year-end floor 20 above the lines
    “2023年6月：…按保底 0.00 分计”. The year's base is the mean of its months' bases,
    as its floor is the mean of their floors; the heading names the floor of its lines."""
    amend(small, "2023-08-01", 'floor = 20\n[notice]\nnumber = "F20"\n')
    amend(small, "2023-10-01", 'base = 90\n[notice]\nnumber = "B90"\n')
    add(small, "-d", "市体育局", "-c", "1.1.1", "-n", "120", "--month", "2023-06")
    add(small, "-d", "市民政局", "-c", "1.1.1", "-n", "120", "--month", "2023-06")
    add(small, "-d", "市民政局", "-c", "1.1.1", "-n", "120", "--month", "2023-10")
    # Months June–October: bases 100 ×4 and 90, the year's (400 + 90) / 5 = 98; floors
    # 0, 0, 20, 20, 20 (the notice of 2023-08-01 rules from August), the year's 12.
    # 市公安局: every category (4 × 100 + 90) / 5 = 98, total 98.
    # 市体育局: C1 June 100 − 120 → floor 0; (0 + 300 + 90) / 5 = 78; total
    #   0.25 × 78 + 0.75 × 98 = 19.5 + 73.5 = 93.
    # 市民政局: C1 June 0, October 90 − 120 = −30 → floor 20; (0 + 300 + 20) / 5 = 64;
    #   total 16 + 73.5 = 89.5.
    year = totals(small, "year", "2023")
    assert [
        (year[d]["total"], year[d]["categories"]["1"]) for d in ("市公安局", "市体育局", "市民政局")
    ] == [
        (98, 98),
        (93, 78),
        (89.5, 64),
    ]
    out = tmp_path / "2023.html"
    result = run(small, "report", "2023", "-o", str(out), "-d", "市体育局", "-d", "市民政局")
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert (
        "各考评类别得分：条形自本年度基础分 98.00（各考评月份基础分的平均分）起，向左为扣分，"
        "向右为加分（每列按本列最大变化缩放）"
    ) in html
    # From 98: 市公安局 no bar; C1 −20 and −34, the column scaled to 34 over 150 / 2 − 42 = 33
    # units: 20 / 34 × 33 = 19.4 and 33.0, both deductions (red); no other bar.
    bars = _ChartBars()
    bars.feed(html)
    assert bars.bars == [("#c0392b", "19.4"), ("#c0392b", "33.0")]
    sport = html[
        html.index('data-department="市体育局">') : html.index('data-department="市民政局">')
    ]
    assert "<h3>保底（不低于 0.00 分）</h3>" in sport
    assert "<li>2023年6月：政务服务标准化计得 \u221220.00 分，按保底 0.00 分计</li>" in sport
    civil = html[html.index('data-department="市民政局">') :]
    assert "<h3>保底（各月及年度保底分不同，见各行）</h3>" in civil
    assert "<li>2023年10月：政务服务标准化计得 \u221230.00 分，按保底 20.00 分计</li>" in civil


def test_a_floor_line_says_the_score_a_category_came_to_unsigned(small: Path, tmp_path: Path):
    """Review BD F4: once a notice raised the floor above 0, a card's floor line read
    `计得 +84.00 分`, a score written as a change. 1.1.1 costs 1 an item: 16 items take
    C1 to 100 − 16 = 84, under the floor of 90, so C1 counts 90: total 0.25 × 90 + 75
    = 97.50."""
    amend(small, "2023-06-01", 'floor = 90\n[notice]\nnumber = "F90"\n')
    add(small, "-d", "市体育局", "-c", "1.1.1", "-n", "16", "--month", "2023-06")
    assert totals(small, "month", "2023-06")["市体育局"]["total"] == 97.5
    out = tmp_path / "june.html"
    assert run(small, "report", "2023-06", "-o", str(out), "-d", "市体育局").exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "<li>2023年6月：政务服务标准化计得 84.00 分，按保底 90.00 分计</li>" in html


def test_a_notices_ceiling_reads_from_the_default_and_its_refusal_names_the_notice(
    small: Path,
):
    """Review AZ F5: with no [limits] in weights.toml (the ceiling the default 10), a notice
    setting `discretionary = 5` was listed as "— → 5", and `add --points 8` was refused
    naming weights.toml for a ceiling the notice set. Listed from 10, and named by its
    notice's 文号 and file, in months after it too (a later notice not touching it)."""
    amend(small, "2023-07-01", '[notice]\nnumber = "B1"\n\n[limits]\ndiscretionary = 5\n')
    amend(small, "2023-10-01", '[notice]\nnumber = "B2"\n\n[[clause]]\nid = "2.4.3"\npoints = 2\n')
    listed = json.loads(run(small, "amendments", "--format", "json").stdout)
    assert listed[1]["changes"] == [
        {"kind": "weights", "field": "limits.discretionary", "from": "10", "to": "5"}
    ]
    assert "视情加扣分上限：10 → 5" in run(small, "amendments").stdout
    ceiling = "points {} are above the ceiling of {} for discretionary clause 4.2.5 ({})"
    notice = "[limits] discretionary of notice B1, amendments/2023-07-01.toml"
    for month, points, said in (
        ("2023-06", "12", ceiling.format(12, 10, "[limits] discretionary in weights.toml")),
        ("2023-07", "8", ceiling.format(8, 5, notice)),
        ("2023-11", "8", ceiling.format(8, 5, notice)),
    ):
        refused = run(
            small, "add", "-d", "市民政局", "-c", "4.2.5", "--points", points, "--month", month
        )
        assert refused.exit_code == 1
        assert refused.stderr == (
            f"govscore: {said}\nerror: rejected: 1 problem; the entry not written, the ledger "
            "is unchanged\n"
        )


def test_show_and_log_name_the_notices_of_a_gap_in_a_recurring_entry(small: Path):
    """Review AT F3: 2.4.9 recurring from July; a notice from September makes it count
    once (X), another from November recurring again (Y). `show` listed July, August,
    November and December with no word on the months between (JSON `retired` null) and
    `log` said 计分, naming neither notice, while `add` warned of both. Both name them now:
    show a row for the gap, JSON `gaps`, log the gap after the status."""
    add(small, "-d", "市体育局", "-c", "2.4.9", "--recurring", "--month", "2023-07")
    add(small, "-d", "市公安局", "-c", "2.4.3", "--month", "2023-12")  # the ledger reaches Dec.
    once = '[notice]\nnumber = "X"\n\n[[clause]]\nid = "2.4.9"\nrecurring = false\n'
    amend(small, "2023-09-01", once)
    amend(small, "2023-11-01", once.replace("X", "Y").replace("false", "true"))
    shown = json.loads(run(small, "show", "2023-07-0001", "--format", "json").stdout)
    assert [c["period"] for c in shown["counts"]] == ["2023-07", "2023-08", "2023-11", "2023-12"]
    assert (shown["open"], shown["retired"], shown["gaps"]) == (
        True,
        None,
        [
            {
                "effective": "2023-09-01",
                "number": "X",
                "why": "once",
                "from": "2023-09",
                "through": "2023-10",
                "resumed": {"effective": "2023-11-01", "number": "Y"},
            }
        ],
    )
    table = run(small, "show", "2023-07-0001").stdout.splitlines()
    assert [" ".join(row.split()) for row in table[11:18]] == [
        "状态 计分",
        "计分 2023-07 -1.00（每月 1 项 × 1）",
        "计分 2023-08 -1.00（每月 1 项 × 1）",
        "不计分 2023-09 至 2023-10 条款 2.4.9 自 2023-09-01（X）不再逐月计分，本记录不计分；"
        "自 2023-11-01（Y）起恢复计分",
        "计分 2023-11 -1.00（每月 1 项 × 1）",
        "计分 2023-12 -1.00（每月 1 项 × 1）",
        "以后各月 逐月计分，直至终止计分",
    ]
    gap = "2023-09 至 2023-10 不计分（X），自 2023-11（Y）起恢复计分"
    logged = run(small, "log", "-d", "市体育局", "--format", "csv").stdout.splitlines()
    assert [row.split(",")[8] for row in logged[1:]] == [f"计分；{gap}"]
    closed = run(small, "close", "2023-07-0001", "--through", "2023-11", "--note", "完成")
    assert closed.exit_code == 0, closed.output
    logged = run(small, "log", "-d", "市体育局", "--format", "csv").stdout.splitlines()
    assert [row.split(",")[8] for row in logged[1:]] == [
        f"计分至 2023-11（2023-07-0002）；{gap}",
        "有效",
    ]


def test_a_gap_of_one_month_is_said_as_that_month(small: Path):
    """Review AV F6: a notice from September stops 2.4.9, one from October lets it count
    again: the one month between was said as a range, 2023-09 至 2023-09."""
    add(small, "-d", "市体育局", "-c", "2.4.9", "--recurring", "--month", "2023-08")
    add(small, "-d", "市公安局", "-c", "2.4.3", "--month", "2023-10")  # the ledger reaches Oct.
    once = '[notice]\nnumber = "X"\n\n[[clause]]\nid = "2.4.9"\nrecurring = false\n'
    amend(small, "2023-09-01", once)
    amend(small, "2023-10-01", once.replace("X", "Y").replace("false", "true"))
    table = [
        " ".join(row.split()) for row in run(small, "show", "2023-08-0001").stdout.splitlines()
    ]
    assert (
        "不计分 2023-09 条款 2.4.9 自 2023-09-01（X）不再逐月计分，本记录不计分；"
        "自 2023-10-01（Y）起恢复计分"
    ) in table
    logged = run(small, "log", "-d", "市体育局", "--format", "csv").stdout.splitlines()
    assert [row.split(",")[8] for row in logged[1:]] == [
        "计分；2023-09 不计分（X），自 2023-10（Y）起恢复计分"
    ]


def test_notices_first_applying_in_the_same_month_are_weighed_as_the_one_in_force(small: Path):
    """Review AY F1: a notice effective 09-20 makes 2.4.9 count once (X), one effective
    10-01 recurring again (Y). Both first apply in October, where Y is in force: the entry
    counts every month, yet `show`, `log`, JSON `gaps` and `add` said it did not count
    "2023-10 至 2023-09". No gap now. With Y changing another clause instead, X stops the
    entry from October and is named, as the notice that stopped it.

    市体育局, every month August–November: 2.4.9 × 1 → C2 99 → 25 + 0.40×99 + 20 + 15 = 99.6."""
    add(small, "-d", "市体育局", "-c", "2.4.9", "--recurring", "--month", "2023-08")
    add(small, "-d", "市公安局", "-c", "2.4.3", "--month", "2023-11")  # the ledger reaches Nov.
    once = '[notice]\nnumber = "X"\n\n[[clause]]\nid = "2.4.9"\nrecurring = false\n'
    amend(small, "2023-09-20", once)
    amend(small, "2023-10-01", once.replace("X", "Y").replace("false", "true"))
    assert totals(small, "month", "2023-10")["市体育局"]["total"] == 99.6
    shown = json.loads(run(small, "show", "2023-08-0001", "--format", "json").stdout)
    assert [c["period"] for c in shown["counts"]] == ["2023-08", "2023-09", "2023-10", "2023-11"]
    assert (shown["open"], shown["retired"], shown["gaps"]) == (True, None, [])
    logged = run(small, "log", "-d", "市体育局", "--format", "csv").stdout.splitlines()
    assert [row.split(",")[8] for row in logged[1:]] == ["计分"]
    args = ("-c", "2.4.9", "--recurring", "--month", "2023-08")
    fine = run(small, "add", "-d", "市民政局", *args)
    assert (fine.exit_code, fine.stdout, fine.stderr) == (0, "2023-08-0002\n", "")
    amend(small, "2023-10-01", '[notice]\nnumber = "Y"\n\n[[clause]]\nid = "2.4.3"\npoints = 2\n')
    assert totals(small, "month", "2023-10")["市体育局"]["total"] == 100
    shown = json.loads(run(small, "show", "2023-08-0001", "--format", "json").stdout)
    assert [c["period"] for c in shown["counts"]] == ["2023-08", "2023-09"]
    assert (shown["open"], shown["retired"], shown["gaps"]) == (
        False,
        {"effective": "2023-09-20", "number": "X", "why": "once"},
        [],
    )
    stopped = run(small, "add", "-d", "市公安局", *args)
    assert (stopped.exit_code, stopped.stderr) == (
        0,
        "warning: clause 2.4.9 no longer counts every month from 2023-09-20 (X): this "
        "recurring entry counts through 2023-09 only, in no month from 2023-10 on\n",
    )


def test_a_recurring_entry_refused_by_a_notice_names_it(small: Path):
    """Review AV F7: `add --recurring` in a month a notice made the clause count once said
    only that the clause cannot recur, as if it never could: it names the notice."""
    amend(
        small,
        "2023-09-01",
        '[notice]\nnumber = "X"\n\n[[clause]]\nid = "2.4.9"\nrecurring = false\n',
    )
    args = ["add", "-d", "市体育局", "-c", "2.4.9", "--recurring", "--month", "2023-09"]
    refused = run(small, *args)
    assert refused.exit_code == 1
    assert refused.stderr == (
        "govscore: clause 2.4.9 no longer counts every month from 2023-09-01 (X): an entry "
        "of 2023-09 cannot recur (`govscore clauses --month 2023-09` lists the clauses that "
        "can)\nerror: rejected: 1 problem; the entry not written, the ledger is unchanged\n"
    )
    assert run(small, *args[:-1], "2023-08").exit_code == 0  # before the notice: it recurs


def test_a_change_of_kind_is_listed_in_the_offices_words(small: Path):
    """`amendments` said 条款 2.4.12 计分方式：fixed → range in Chinese (review Y F10 k);
    JSON keeps the values."""
    amend(
        small,
        "2023-09-01",
        '[notice]\nnumber = "X"\n\n[[clause]]\nid = "2.4.9"\nkind = "range"\nmin = 1\nmax = 3\n',
    )
    table = run(small, "amendments").stdout
    assert "条款 2.4.9 计分方式：固定分值 → 分值区间" in table
    listed = json.loads(run(small, "amendments", "--format", "json").stdout)
    change = next(c for c in listed[-1]["changes"] if c.get("field") == "kind")
    assert (change["from"], change["to"]) == ("fixed", "range")


LEVELS = """\
[notice]
number = "烟政管办〔2023〕12号"

[[clause]]
id = "4.2.2"
levels = [{ name = "市级", points = 3 }, { name = "省级", points = 6 }, { name = "国家级", points = 12 }]
"""


def test_a_matter_again_at_its_level_earns_nothing_after_a_notice_raises_the_levels_points(
    small: Path,
):
    """4.2.2 市级 2 · 省级 5 · 国家级 10; a notice from September makes them 3 · 6 · 12.
    同一事项按最高层级计分，不累加 counts a matter by its level: 市级 again in October adds
    nothing, though 市级 is now worth 3. The door refused it (adds 0) while the same entry
    written by hand scored +1 (3 − 2; review AB F4): both now give 0. A higher level earns
    its points in its month less what the matter earned.

    市体育局: 市级 in June +2 → C4 102 → 25 + 40 + 20 + 0.15×102 = 100.3; 市级 again in
    October +0 → 100. 市民政局: 市级 in June +2; 省级 in October 6 − 2 = +4 → C4 104 →
    25 + 40 + 20 + 15.6 = 100.6."""
    amend(small, "2023-09-01", LEVELS)
    matter = ("-c", "4.2.2", "--matter", "一件事B", "--level")
    for department in ("市体育局", "市民政局"):
        add(small, "-d", department, *matter, "市级", "--month", "2023-06")
    refused = run(small, "add", "-d", "市体育局", *matter, "市级", "--month", "2023-10")
    assert refused.exit_code == 1
    assert "would add 0" in refused.output
    add(small, "-d", "市民政局", *matter, "省级", "--month", "2023-10")
    # The refused entry written by hand, as a clerk may: the scorer agrees with the door.
    october = small / "ledger" / "2023-10.toml"
    october.write_text(
        october.read_text(encoding="utf-8")
        + toml(entry("市体育局", "4.2.2", id="2023-10-0002", level="市级", matter="一件事B")),
        encoding="utf-8",
    )
    assert totals(small, "month", "2023-06")["市体育局"]["total"] == 100.3
    month = totals(small, "month", "2023-10")
    assert (month["市体育局"]["categories"]["4"], month["市体育局"]["total"]) == (100, 100)
    assert (month["市民政局"]["categories"]["4"], month["市民政局"]["total"]) == (104, 100.6)
    detail = run(small, "month", "2023-10", "--detail", "-d", "体育局").stdout
    assert "市级 3，同一事项最高层级计分：计 0" in detail


def test_a_matter_booked_back_dated_at_a_later_entrys_level_is_refused(small: Path):
    """Review AE F5: 市级 for a matter in October (+3 under the notice from September);
    the same matter at 市级 then booked for June was let through: June's +2 took the
    count, October's became 0, and the year lost 1 without a word. Refused; June at a
    higher level, which adds, is recorded (a lower one back-dated moves points and is
    recorded too: test_door)."""
    amend(small, "2023-09-01", LEVELS)
    matter = ("-c", "4.2.2", "--matter", "一件事C", "--level")
    october = run(small, "add", "-d", "市民政局", *matter, "市级", "--month", "2023-10")
    assert october.exit_code == 0, october.output
    refused = run(small, "add", "-d", "市民政局", *matter, "市级", "--month", "2023-06")
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[0] == (
        f"govscore: matter '一件事C' counts for 市民政局 in 2023 at 市级 in 2023-10 "
        f"({october.stdout.strip()}): recorded in 2023-06, this entry would take that count "
        f"and lessen the year; if the matter was reached in 2023-06, void "
        f"{october.stdout.strip()} first"
    )
    # 省级 in June adds: June +5, October's 市级 then adds 0 (a lower level after it):
    # the matter earns 5 in the year, not 3.
    assert run(small, "add", "-d", "市民政局", *matter, "省级", "--month", "2023-06").exit_code == 0
    june = totals(small, "month", "2023-06")["市民政局"]
    assert june["categories"]["4"] == 105  # C4 100 + 5
    assert totals(small, "month", "2023-10")["市民政局"]["categories"]["4"] == 100


def test_add_refuses_an_entry_of_a_month_a_broken_notice_would_rule(small: Path):
    """A notice with a problem is left out, and `add` recorded against the rules before it
    without a word: the entry became a problem once the notice was fixed (review AB F5).
    It is refused now for the months the notice would rule, and recorded with --force,
    with a warning; a month before the notice is not concerned."""
    amend(small, "2023-09-15", '[notice]\nnumber = "9号"\n[[clause]]\nid = "2.4.99"\npoints = 2\n')
    refused = run(small, "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-10")
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        "amendments/2023-09-15.toml: has a problem and is left out, so an entry of 2023-10 "
        "would be judged by the rules without it: fix it first (`govscore check` names the "
        "problem), or record anyway with --force",
        "error: rejected: 1 problem; the entry not written, the ledger is unchanged",
    ]
    assert not (small / "ledger" / "2023-10.toml").exists()
    forced = run(small, "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-10", "--force")
    assert (forced.exit_code, forced.stdout) == (0, "2023-10-0001\n")
    assert forced.stderr == (
        "warning: amendments/2023-09-15.toml has a problem and is left out: entries of "
        "2023-10 are judged by the rules without it (run `govscore check`)\n"
    )
    # September is scored by the rules before the notice (effective mid-month): no word.
    before = run(small, "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-09")
    assert (before.exit_code, before.stdout, before.stderr) == (0, "2023-09-0001\n", "")


def test_a_recurring_entry_stops_where_a_notice_sets_a_range_its_points_fall_outside(
    small: Path,
):
    """3.1.5 is 0.5–1 a month; a notice from September makes it 0.8–1.5. 0.7 is refused
    at the door from September, yet a recurring 0.7 went on deducting (review AB F6): it
    stops there now, as under a change of kind, and `show` says why. A 0.9 still counts.

    市体育局 (0.7): July, August C3 99.3 → 25 + 40 + 0.20×99.3 + 15 = 99.86; September
    and October at base, 100. 市民政局 (0.9): C3 99.1 → 25 + 40 + 19.82 + 15 = 99.82
    every month."""
    for department, points in (("市体育局", "0.7"), ("市民政局", "0.9")):
        add_recurring_315(small, department, points)
    add(small, "-d", "市公安局", "-c", "2.4.3", "--month", "2023-10")  # the ledger reaches Oct.
    amend(
        small,
        "2023-09-01",
        '[notice]\nnumber = "X"\n\n[[clause]]\nid = "3.1.5"\nmin = 0.8\nmax = 1.5\n',
    )
    totals_by_month = {
        month: (found["市体育局"]["total"], found["市民政局"]["total"])
        for month in ("2023-07", "2023-08", "2023-09", "2023-10")
        for found in [totals(small, "month", month)]
    }
    assert totals_by_month == {
        "2023-07": (99.86, 99.82),
        "2023-08": (99.86, 99.82),
        "2023-09": (100, 99.82),
        "2023-10": (100, 99.82),
    }
    shown = json.loads(run(small, "show", "2023-07-0001", "--format", "json").stdout)
    assert [(c["period"], c["amount"]) for c in shown["counts"]] == [
        ("2023-07", -0.7),
        ("2023-08", -0.7),
    ]
    assert (shown["open"], shown["retired"]) == (
        False,
        {"effective": "2023-09-01", "number": "X", "why": "range", "points": "0.8–1.5"},
    )
    assert run(small, "show", "2023-07-0001").stdout.splitlines()[-2].split() == [
        "以后各月",
        "条款",
        "3.1.5",
        "自",
        "2023-09-01（X）分值改为",
        "0.8–1.5，本记录的",
        "0.7",
        "分不在其内，不再计分",
    ]


def test_show_and_log_name_the_notice_that_stopped_an_entry_closed_after_it(small: Path):
    """Review AP F1: 3.1.5 at 0.7 stops from September (a notice: 0.8–1.5); closed later
    through November, `show` said it counted until November, named no notice (JSON
    `retired` null) and `log` said 计分至 2023-11, while it counted July and August only.
    A close before the stop (市民政局's, through August) names nothing: the notice came
    after the entry's last month."""
    for department in ("市体育局", "市民政局"):
        add_recurring_315(small, department, "0.7")
    add(small, "-d", "市公安局", "-c", "2.4.3", "--month", "2023-12")  # the ledger reaches Dec.
    amend(
        small,
        "2023-09-01",
        '[notice]\nnumber = "X"\n\n[[clause]]\nid = "3.1.5"\nmin = 0.8\nmax = 1.5\n',
    )
    for entry_id, through in (("2023-07-0001", "2023-11"), ("2023-07-0002", "2023-08")):
        closed = run(small, "close", entry_id, "--through", through, "--note", "完成")
        assert closed.exit_code == 0, closed.output
    shown = json.loads(run(small, "show", "2023-07-0001", "--format", "json").stdout)
    assert [(c["period"], c["amount"]) for c in shown["counts"]] == [
        ("2023-07", -0.7),
        ("2023-08", -0.7),
    ]
    assert (shown["open"], shown["closed"]["through"], shown["retired"]) == (
        False,
        "2023-11",
        {"effective": "2023-09-01", "number": "X", "why": "range", "points": "0.8–1.5"},
    )
    table = run(small, "show", "2023-07-0001").stdout.splitlines()
    assert [" ".join(row.split()) for row in table[12:17]] == [
        "状态 计分至 2023-08，终止计分至 2023-11（2023-07-0003）",
        "计分 2023-07 -0.70（每月 1 项 × 0.7）",
        "计分 2023-08 -0.70（每月 1 项 × 0.7）",
        "以后各月 条款 3.1.5 自 2023-09-01（X）分值改为 0.8–1.5，本记录的 0.7 分不在其内，不再计分",
        "终止计分 2023-07-0003 截至 2023-11；完成 · ledger/2023-07.toml:21",
    ]
    before = json.loads(run(small, "show", "2023-07-0002", "--format", "json").stdout)
    assert (before["closed"]["through"], before["retired"]) == ("2023-08", None)
    logged = run(small, "log", "-c", "3.1.5", "--format", "csv").stdout.splitlines()
    assert [row.split(",")[8] for row in logged[1:]] == [
        "计分至 2023-08（X）；终止计分至 2023-11（2023-07-0003）",
        "计分至 2023-08（2023-07-0004）",
        "有效",
        "有效",
    ]


def test_a_recurring_range_entry_counts_the_fixed_points_a_notice_sets(small: Path):
    """A notice from September makes 3.1.5 fixed at 1 a month: a recurring entry stated
    at 0.7 needs no figures there, and counts 1, as a fixed clause counts each month's
    own points (the matter stands; the notice set what it costs).

    市体育局: July, August C3 99.3 → 99.86; September C3 99 → 25 + 40 + 19.8 + 15 = 99.8."""
    add_recurring_315(small, "市体育局", "0.7")
    add(small, "-d", "市公安局", "-c", "2.4.3", "--month", "2023-09")  # the ledger reaches Sep.
    amend(
        small,
        "2023-09-01",
        '[notice]\nnumber = "X"\n\n[[clause]]\nid = "3.1.5"\nkind = "fixed"\npoints = 1\n',
    )
    shown = json.loads(run(small, "show", "2023-07-0001", "--format", "json").stdout)
    assert [(c["period"], c["amount"], c["how"]) for c in shown["counts"]] == [
        ("2023-07", -0.7, "每月 1 项 × 0.7"),
        ("2023-08", -0.7, "每月 1 项 × 0.7"),
        ("2023-09", -1.0, "每月 1 项 × 1"),
    ]
    assert (shown["open"], shown["retired"]) == (True, None)
    assert totals(small, "month", "2023-09")["市体育局"]["total"] == 99.8


def test_a_change_of_levels_or_of_kind_reads_whole(small: Path):
    """`amendments` listed a change of levels as a flat list (层级：市级, 2, 省级, 5 …, in
    JSON too) and a change of kind on one side only: range → fixed showed 分值 — → 1 but
    not the min and max it drops (review AB F9). Levels read as the catalog says them,
    JSON gives them as {name, points}; a change of kind lists what it drops."""
    amend(small, "2023-09-01", LEVELS)
    amend(
        small,
        "2023-10-01",
        '[notice]\nnumber = "Y"\n\n[[clause]]\nid = "3.1.5"\nkind = "fixed"\npoints = 1\n\n'
        '[[clause]]\nid = "2.4.9"\nkind = "range"\nmin = 1\nmax = 3\n',
    )
    lines = run(small, "amendments").stdout.splitlines()
    assert lines[-2].endswith(
        "条款 4.2.2 层级：市级 2 · 省级 5 · 国家级 10 → 市级 3 · 省级 6 · 国家级 12"
    )
    assert lines[-1].endswith(
        "条款 3.1.5 计分方式：分值区间 → 固定分值；条款 3.1.5 分值：— → 1；"
        "条款 3.1.5 最低分值：0.5 → —；条款 3.1.5 最高分值：1 → —；"
        "条款 2.4.9 计分方式：固定分值 → 分值区间；条款 2.4.9 最低分值：— → 1；"
        "条款 2.4.9 最高分值：— → 3；条款 2.4.9 分值：1 → —"
    )
    listed = json.loads(run(small, "amendments", "--format", "json").stdout)
    assert listed[-2]["changes"] == [
        {
            "kind": "clause",
            "id": "4.2.2",
            "field": "levels",
            "from": [
                {"name": "市级", "points": "2"},
                {"name": "省级", "points": "5"},
                {"name": "国家级", "points": "10"},
            ],
            "to": [
                {"name": "市级", "points": "3"},
                {"name": "省级", "points": "6"},
                {"name": "国家级", "points": "12"},
            ],
        }
    ]
    assert [(c["id"], c["field"], c.get("from"), c.get("to")) for c in listed[-1]["changes"]] == [
        ("3.1.5", "kind", "range", "fixed"),
        ("3.1.5", "points", None, "1"),
        ("3.1.5", "min", "0.5", None),
        ("3.1.5", "max", "1", None),
        ("2.4.9", "kind", "fixed", "range"),
        ("2.4.9", "min", None, "1"),
        ("2.4.9", "max", None, "3"),
        ("2.4.9", "points", "1", None),
    ]


def test_a_clause_made_fixed_again_keeps_the_points_it_had(small: Path):
    """Review AE F2: 2.4.3 made a range 1–3 in August, fixed again in October without
    restating its points: the listing of a change of kind also took the old points out of
    the rules, the October notice was left out as broken and October scored without it.
    October: 2.4.3 × 2 at its 1 point → C2 98 → 25 + 0.40×98 + 20 + 15 = 99.2."""
    amend(
        small,
        "2023-08-01",
        '[notice]\nnumber = "1号"\n\n[[clause]]\nid = "2.4.3"\nkind = "range"\nmin = 1\nmax = 3\n',
    )
    amend(
        small,
        "2023-10-01",
        '[notice]\nnumber = "2号"\n\n[[clause]]\nid = "2.4.3"\nkind = "fixed"\n',
    )
    add(small, "-d", "市民政局", "-c", "2.4.3", "-n", "2", "--month", "2023-10")
    assert run(small, "check").exit_code == 0
    assert totals(small, "month", "2023-10")["市民政局"]["total"] == 99.2


def test_a_higher_level_worth_less_since_a_notice_is_refused_in_words_that_fit(small: Path):
    """Review AF F5: a notice from September lowers 4.2.2 to 市级 2 · 省级 3 · 国家级 4; a
    matter that earned 省级 5 in June, booked 国家级 in October, adds max(0, 4 − 5) = 0 and
    is refused, rightly, but told "record it only at a higher level", which it was."""
    amend(
        small,
        "2023-09-01",
        LEVELS.replace("3 }", "2 }", 1).replace("6 }", "3 }").replace("12 }", "4 }"),
    )
    matter = ("-c", "4.2.2", "--matter", "一件事D", "--level")
    june = run(small, "add", "-d", "市民政局", *matter, "省级", "--month", "2023-06")
    refused = run(small, "add", "-d", "市民政局", *matter, "国家级", "--month", "2023-10")
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[0] == (
        f"govscore: matter '一件事D' counts for 市民政局 in 2023 at 省级 ({june.stdout.strip()}); "
        "国家级 is worth 4 in 2023-10, no more than the matter earned, so this entry would add 0"
    )


def test_a_recurring_entry_counts_again_where_a_later_notice_widens_the_range(small: Path):
    """Review AF F2: 3.1.5 at 0.7 stops from September (a notice: 0.8–1.5) and counts again
    from December (another: 0.5–1.5), as the scorer has it; `show` said it no longer
    counted. 市体育局: C3 = 100 − 0.7 = 99.3 → 25 + 40 + 0.20×99.3 + 15 = 99.86 in July,
    August and December; 100 in September to November."""
    add_recurring_315(small, "市体育局", "0.7")
    add(small, "-d", "市公安局", "-c", "2.4.3", "--month", "2023-12")  # the ledger reaches Dec.
    narrow = '[notice]\nnumber = "{}"\n\n[[clause]]\nid = "3.1.5"\nmin = {}\nmax = 1.5\n'
    amend(small, "2023-09-01", narrow.format("X", "0.8"))
    amend(small, "2023-12-01", narrow.format("Y", "0.5"))
    assert [
        totals(small, "month", month)["市体育局"]["total"]
        for month in ("2023-07", "2023-08", "2023-09", "2023-11", "2023-12")
    ] == [99.86, 99.86, 100, 100, 99.86]
    shown = json.loads(run(small, "show", "2023-07-0001", "--format", "json").stdout)
    assert [c["period"] for c in shown["counts"]] == ["2023-07", "2023-08", "2023-12"]
    assert (shown["open"], shown["retired"]) == (True, None)


def test_a_higher_level_back_dated_says_which_later_count_it_takes(small: Path):
    """Review AP F8: 市级 for a matter in October (+3 under the notice from September); 省级
    booked back-dated for June is recorded (June +5, the year 5 > 3), but October's +3
    became 0 without a word, and `show` of it said 计 0 naming nothing. `add` now warns,
    naming October's entry and what it counts now, and `show` names the June entry.
    Likewise `import`: 市公安局's 省级 in October (+6), then 市级 for July (+2 under the
    first rules): October counts 6 − 2 = +4.

    C4: 市民政局 June 100 + 5 = 105, October 100; 市公安局 July 100 + 2 = 102, October
    100 + 4 = 104."""
    amend(small, "2023-09-01", LEVELS)
    matter = ("-c", "4.2.2", "--matter", "事B", "--level")
    october = run(small, "add", "-d", "市民政局", *matter, "市级", "--month", "2023-10")
    assert (october.exit_code, october.stdout, october.stderr) == (0, "2023-10-0001\n", "")
    june = run(small, "add", "-d", "市民政局", *matter, "省级", "--month", "2023-06")
    assert (june.exit_code, june.stdout, june.stderr) == (
        0,
        "2023-06-0001\n",
        "warning: 2023-10-0001 (市级, 2023-10) counted +3 for matter '事B' and now counts 0: "
        "this entry at 省级 in 2023-06 reaches the matter first, and a matter counts once a "
        "year at its highest level\n",
    )
    shown = json.loads(run(small, "show", "2023-10-0001", "--format", "json").stdout)
    assert [(c["period"], c["amount"], c["how"]) for c in shown["counts"]] == [
        ("2023-10", 0, "市级 3，同一事项最高层级计分：计 0；该事项已由 2023-06-0001 按省级计分"),
    ]
    add(
        small,
        "-d",
        "市公安局",
        "-c",
        "4.2.2",
        "--matter",
        "事C",
        "--level",
        "省级",
        "--month",
        "2023-10",
    )
    Path("c.csv").write_text(
        "部门,条款,事项,层级,月份\n市公安局,4.2.2,事C,市级,2023-07\n", encoding="utf-8"
    )
    imported = run(small, "import", "c.csv")
    assert (imported.exit_code, imported.stdout.split()) == (0, ["2023-07-0001"])
    assert imported.stderr.splitlines()[0] == (
        "warning: c.csv:2: 层级: 2023-10-0002 (省级, 2023-10) counted +6 for matter '事C' and now "
        "counts +4: this entry at 市级 in 2023-07 reaches the matter first, and a matter counts "
        "once a year at its highest level"
    )
    fourth = {
        month: (found["市民政局"]["categories"]["4"], found["市公安局"]["categories"]["4"])
        for month in ("2023-06", "2023-07", "2023-10")
        for found in [totals(small, "month", month)]
    }
    assert fourth == {"2023-06": (105, 100), "2023-07": (100, 102), "2023-10": (100, 104)}


def test_add_warns_of_a_recurring_entry_a_later_notice_stops(small: Path):
    """Review AP F8: 3.1.5 at 0.7 from August is allowed (0.5–1), but a notice from
    September makes it 0.8–1.5: the entry stands in August only, and `add` said nothing.
    It is recorded with a warning naming the notice and the month it stops; with another
    notice widening the range from December, the warning says where it counts again.
    0.9 stands under both: no warning."""
    add(small, "-d", "市公安局", "-c", "2.4.3", "--month", "2023-07")
    narrow = '[notice]\nnumber = "{}"\n\n[[clause]]\nid = "3.1.5"\nmin = {}\nmax = 1.5\n'
    amend(small, "2023-09-01", narrow.format("X", "0.8"))
    booking = ("-c", "3.1.5", "--recurring", "--month", "2023-08", "--points")
    stopped = run(small, "add", "-d", "市体育局", *booking, "0.7")
    assert (stopped.exit_code, stopped.stdout, stopped.stderr) == (
        0,
        "2023-08-0001\n",
        "warning: clause 3.1.5 is worth 0.8–1.5 from 2023-09-01 (X), not this entry's 0.7: "
        "this recurring entry counts through 2023-08 only, in no month from 2023-09 on\n",
    )
    fine = run(small, "add", "-d", "市民政局", *booking, "0.9")
    assert (fine.exit_code, fine.stdout, fine.stderr) == (0, "2023-08-0002\n", "")
    amend(small, "2023-12-01", narrow.format("Y", "0.5"))
    again = run(small, "add", "-d", "市公安局", *booking, "0.7")
    assert (again.exit_code, again.stderr) == (
        0,
        "warning: clause 3.1.5 is worth 0.8–1.5 from 2023-09-01 (X), not this entry's 0.7: "
        "this recurring entry does not count from 2023-09 through 2023-11; from 2023-12 (Y) "
        "it counts again\n",
    )


def test_add_warns_of_every_notice_that_stops_a_recurring_entry(small: Path):
    """Review AY F3: 2.4.9 recurring from July; a notice from August makes it count once
    (X), one from October recurring again (Y), one from December retires it (Z). `add`
    warned of the gap only, not that the entry counts through November alone, which `show`
    says. Each stop is warned of, as `show` rows them."""
    once = '[notice]\nnumber = "{}"\n\n[[clause]]\nid = "2.4.9"\nrecurring = {}\n'
    amend(small, "2023-08-01", once.format("X", "false"))
    amend(small, "2023-10-01", once.format("Y", "true"))
    amend(small, "2023-12-01", 'retire = ["2.4.9"]\n\n[notice]\nnumber = "Z"\n')
    added = run(small, "add", "-d", "市体育局", "-c", "2.4.9", "--recurring", "--month", "2023-07")
    assert (added.exit_code, added.stdout, added.stderr) == (
        0,
        "2023-07-0001\n",
        "warning: clause 2.4.9 no longer counts every month from 2023-08-01 (X): this "
        "recurring entry does not count from 2023-08 through 2023-09; from 2023-10 (Y) it "
        "counts again\n"
        "warning: clause 2.4.9 is retired from 2023-12-01 (Z): this recurring entry counts "
        "through 2023-11 only, in no month from 2023-12 on\n",
    )


def test_a_back_dated_matter_weighed_with_the_files_other_rows(small: Path):
    """Review AG F1: October's 市级 for a matter (+3 under the notice); a file of June 市级
    and July 省级 for it was refused whole, June weighed without July: with both, June +2,
    July 5 − 2 = +3, October 0: 5, as without June (July +5). Recorded, as `add` one at a
    time records them."""
    amend(small, "2023-09-01", LEVELS)
    add(
        small,
        "-d",
        "市民政局",
        "-c",
        "4.2.2",
        "--matter",
        "事A",
        "--level",
        "市级",
        "--month",
        "2023-10",
    )
    Path("d.csv").write_text(
        "部门,条款,事项,层级,月份\n市民政局,4.2.2,事A,市级,2023-06\n市民政局,4.2.2,事A,省级,2023-07\n",
        encoding="utf-8",
    )
    imported = run(small, "import", "d.csv")
    assert (imported.exit_code, imported.stdout.split()) == (0, ["2023-06-0001", "2023-07-0001"])
    # C4: June 100 + 2 = 102; July 100 + 3 = 103; October 100 (市级 after 省级 adds 0).
    assert [
        totals(small, "month", month)["市民政局"]["categories"]["4"]
        for month in ("2023-06", "2023-07", "2023-10")
    ] == [102, 103, 100]
