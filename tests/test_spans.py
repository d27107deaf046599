"""A department's span (since/until in departments.toml): a department that joins the list
mid-year (机构改革: a new 市大数据局) has no months before it joined, one dissolved none after.
Outside its span it is not scored, listed or ranked, and takes no entries; its year is the
mean of the assessed months within its span (review AR F1). Figures worked by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from govscore.cli.commands import cli
from ledgertext import entry, toml

# 市档案局 is dissolved after June, 市大数据局 set up in August (the reviewer's example).
DEPARTMENTS = """\
city = "烟台市"

[[department]]
name = "市公安局"

[[department]]
name = "市民政局"

[[department]]
name = "市档案局"
until = "2023-06"

[[department]]
name = "市大数据局"
since = "2023-08"
"""

# One entry each, every one a deduction of 1 from 规范化 (C2, weight 0.4): 2.4.3 and 2.2.1
# are fixed at 1 a time. Ledger files in April and December: the year is assessed over
# 2023-04 … 2023-12, 9 months.
ENTRIES = {
    "2023-04": [entry("市公安局", "2.4.3", id="2023-04-0001", date="2023-04-10")],
    "2023-05": [entry("市档案局", "2.4.3", id="2023-05-0001", date="2023-05-10")],
    "2023-08": [entry("市大数据局", "2.2.1", id="2023-08-0001", date="2023-08-09")],
    "2023-12": [entry("市民政局", "2.4.3", id="2023-12-0001", date="2023-12-01")],
}


def gs(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--root", str(root), *args])


@pytest.fixture
def spans(root: Path) -> Path:
    (root / "departments.toml").write_text(DEPARTMENTS, encoding="utf-8")
    for month, entries in ENTRIES.items():
        (root / "ledger" / f"{month}.toml").write_text(toml(*entries), encoding="utf-8")
    return root


def rows(result: Result) -> list[tuple[int, str, float]]:
    assert result.exit_code == 0, result.output
    return [
        (r["rank"], r["department"], r["total"]) for r in json.loads(result.stdout)["departments"]
    ]


def test_a_month_lists_only_the_departments_assessed_in_it(spans: Path):
    # April: 市大数据局 not yet on the list. 市公安局 C2 100 − 1 = 99:
    # 25 + 0.4 × 99 + 20 + 15 = 99.60; the others 100. Three departments, ranks 1, 1, 3.
    april = gs(spans, "month", "2023-04")
    assert april.exit_code == 0, april.output
    assert april.stdout.splitlines()[0].startswith("2023-04 月度政务服务工作考评（3 个部门）")
    assert april.stdout.splitlines()[3:] == [
        "1       市民政局  100.00    100.00    100.00    100.00      100.00",
        "1       市档案局  100.00    100.00    100.00    100.00      100.00",
        "3       市公安局  100.00    99.00     100.00    100.00      99.60",
    ]
    # August: 市档案局 gone (until 2023-06), 市大数据局 there: C2 99, total 99.60.
    assert rows(gs(spans, "month", "2023-08", "--format", "json")) == [
        (1, "市公安局", 100.0),
        (1, "市民政局", 100.0),
        (3, "市大数据局", 99.6),
    ]
    # CSV too: the same three rows.
    assert gs(spans, "month", "2023-08", "--format", "csv").stdout.splitlines()[1:] == [
        "2023-08,1,市公安局,100.00,100.00,100.00,100.00,100.00,",
        "2023-08,1,市民政局,100.00,100.00,100.00,100.00,100.00,",
        "2023-08,3,市大数据局,100.00,99.00,100.00,100.00,99.60,",
    ]


def test_a_year_is_the_mean_of_the_months_within_the_span(spans: Path):
    # Over the 9 months 2023-04 … 2023-12 (base 100; weights 0.25, 0.4, 0.2, 0.15):
    # 市公安局, 市民政局: C2 (99 + 8 × 100) / 9 = 899/9 = 99.888… → 99.89;
    #   total 25 + 0.4 × 899/9 + 20 + 15 = 60 + 359.6/9 = 99.9555… → 99.96.
    # 市大数据局, August on (5 months): C2 (99 + 4 × 100) / 5 = 499/5 = 99.80;
    #   total 60 + 0.4 × 99.8 = 99.92 (not 99.96, the mean over 9 months it was not all in).
    # 市档案局, through June (3 months): C2 (100 + 99 + 100) / 3 = 299/3 = 99.666… → 99.67;
    #   total 60 + 0.4 × 299/3 = 60 + 119.6/3 = 99.8666… → 99.87.
    result = gs(spans, "year", "2023")
    assert result.exit_code == 0, result.output
    # 备注 names the months of a department assessed in fewer than the year's 9 (review
    # AX F7: its total, the mean of fewer months, stood unexplained beside the others).
    assert result.stdout.splitlines()[3:] == [
        "1       市公安局    100.00    99.89     100.00    100.00      99.96",
        "1       市民政局    100.00    99.89     100.00    100.00      99.96",
        "3       市大数据局  100.00    99.80     100.00    100.00      99.92   "
        "考评 5 个月（2023-08 至 2023-12）",
        "4       市档案局    100.00    99.67     100.00    100.00      99.87   "
        "考评 3 个月（2023-04 至 2023-06）",
    ]
    assert gs(spans, "year", "2023", "--format", "csv").stdout.splitlines()[3:] == [
        "2023,3,市大数据局,100.00,99.80,100.00,100.00,99.92,考评 5 个月（2023-08 至 2023-12）",
        "2023,4,市档案局,100.00,99.67,100.00,100.00,99.87,考评 3 个月（2023-04 至 2023-06）",
    ]
    found = json.loads(gs(spans, "year", "2023", "--format", "json").stdout)["departments"]
    monthly = {row["department"]: list(row.get("monthly", {})) for row in found}
    assert monthly["市大数据局"] == ["2023-08", "2023-09", "2023-10", "2023-11", "2023-12"]
    assert monthly["市档案局"] == ["2023-04", "2023-05", "2023-06"]
    # The cached year is the uncached one.
    assert gs(spans, "--no-cache", "year", "2023").stdout == result.stdout
    assert gs(spans, "year", "2023").stdout == result.stdout


def test_a_department_with_no_month_in_a_year_is_not_listed(spans: Path):
    # 2024-01: 市档案局 (through 2023-06) is in no month of 2024.
    (spans / "ledger" / "2024-01.toml").write_text(
        toml(entry("市公安局", "2.4.3", id="2024-01-0001", date="2024-01-05")), encoding="utf-8"
    )
    assert rows(gs(spans, "year", "2024", "--format", "json")) == [
        (1, "市民政局", 100.0),
        (1, "市大数据局", 100.0),
        (3, "市公安局", 99.6),
    ]


def test_add_and_import_refuse_a_month_outside_the_span(spans: Path, tmp_path: Path):
    before = {p.name: p.read_bytes() for p in (spans / "ledger").iterdir()}
    message = (
        "govscore: 市大数据局 is not assessed in 2023-07: departments.toml lists it from "
        "2023-08 (since/until); record it in a month it is assessed, or correct its span\n"
        "error: rejected: 1 problem; the entry not written, the ledger is unchanged\n"
    )
    args = ["add", "-d", "大数据局", "-c", "2.2.1", "--month", "2023-07"]
    refused = gs(spans, *args)
    assert (refused.exit_code, refused.stderr) == (1, message)
    # --force lets through what the door only doubts; this is no entry the ledger counts
    # (as an unknown department is not), so it is refused still.
    assert (gs(spans, *args, "--force").exit_code, gs(spans, *args, "--force").stderr) == (
        1,
        message,
    )
    rows_file = tmp_path / "rows.csv"
    rows_file.write_text(
        "department,clause,count,date\n市档案局,2.4.3,1,2023-07-03\n", encoding="utf-8"
    )
    imported = gs(spans, "import", str(rows_file))
    assert imported.exit_code == 1
    assert (
        "市档案局 is not assessed in 2023-07: departments.toml lists it through 2023-06"
        in imported.stderr
    )
    assert {p.name: p.read_bytes() for p in (spans / "ledger").iterdir()} == before
    # Within the span it is recorded.
    assert gs(spans, "add", "-d", "大数据局", "-c", "2.2.1", "--month", "2023-09").exit_code == 0


def test_an_entry_booked_before_the_span_was_set_is_a_problem_left_out(spans: Path):
    # 市大数据局's August entry, once departments.toml says it was set up in September.
    path = spans / "departments.toml"
    path.write_text(DEPARTMENTS.replace('"2023-08"', '"2023-09"'), encoding="utf-8")
    problem = (
        "ledger/2023-08.toml:2: 市大数据局 is not assessed in 2023-08: departments.toml lists "
        "it from 2023-09 (since/until); record it in a month it is assessed, or correct its span"
    )
    checked = gs(spans, "check")
    assert checked.exit_code == 1
    assert problem in checked.stdout.splitlines()
    month = gs(spans, "month", "2023-08", "--format", "json")
    assert month.exit_code == 1
    found = json.loads(month.stdout)
    assert [r["department"] for r in found["departments"]] == ["市公安局", "市民政局"]
    assert [(p["file"], p["line"]) for p in found["problems"]] == [("ledger/2023-08.toml", 2)]
    # The year: 市大数据局 September on, 4 months at base: 100.00.
    year = json.loads(gs(spans, "year", "2023", "--format", "json").stdout)["departments"]
    assert {r["department"]: r["total"] for r in year}["市大数据局"] == 100.0


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            'since = "2023-8"',
            'departments.toml: department #1 (市公安局): since = "2023-8" is not a month; write '
            'it YYYY-MM in quotes, e.g. since = "2023-08" (the first month it is assessed)',
        ),
        (
            # A TOML date (review AT F7): said as written, not as Python's datetime.date.
            "since = 2023-08-01",
            "departments.toml: department #1 (市公安局): since = 2023-08-01 is not a month; "
            'write it YYYY-MM in quotes, e.g. since = "2023-08" (the first month it is assessed)',
        ),
        (
            "until = 2024-06-30T00:00:00",
            "departments.toml: department #1 (市公安局): until = 2024-06-30T00:00:00 is not a "
            'month; write it YYYY-MM in quotes, e.g. until = "2024-06" (the last month it is '
            "assessed)",
        ),
        (
            "until = 202306",
            "departments.toml: department #1 (市公安局): until = 202306 is not a month; write "
            'it YYYY-MM in quotes, e.g. until = "2023-08" (the last month it is assessed)',
        ),
        (
            'since = "2023-08"\nuntil = "2023-06"',
            'departments.toml: department #1 (市公安局): until = "2023-06" is before since = '
            '"2023-08"; until is the last month it is assessed, since the first',
        ),
        (  # review AW F2: a misspelt key left the department assessed every month, unsaid
            'untill = "2023-08"',
            "departments.toml: department #1 (市公安局): unknown key 'untill'; did you mean "
            "until? (a department has name, aliases, tags, since, until)",
        ),
        (
            'Since = "2023-08"',
            "departments.toml: department #1 (市公安局): unknown key 'Since'; did you mean "
            "since? (a department has name, aliases, tags, since, until)",
        ),
    ],
)
def test_a_bad_span_is_a_configuration_error(spans: Path, written: str, message: str):
    path = spans / "departments.toml"
    path.write_text(
        DEPARTMENTS.replace('name = "市公安局"\n', f'name = "市公安局"\n{written}\n'),
        encoding="utf-8",
    )
    result = gs(spans, "month", "2023-04")
    assert (result.exit_code, result.stderr) == (1, f"error: {message}\n")


def test_the_departments_list_shows_each_span(spans: Path, monkeypatch: pytest.MonkeyPatch):
    # The CSV's 考评月份 is in Chinese whatever GOVSCORE_LANG says, as every other cell
    # of it: a script's output does not change with the language. (This asserted
    # "through 2023-06" and "from 2023-08", an English run's words, until the CSV was
    # made language-independent.)
    listed = gs(spans, "departments", "--format", "csv")
    assert listed.stdout.splitlines() == [
        "部门,别名,标签,考评月份",
        "市公安局,,,",
        "市民政局,,,",
        "市档案局,,,至 2023-06",
        "市大数据局,,,2023-08 起",
    ]
    markdown = gs(spans, "departments", "--format", "markdown").stdout
    # The table people read follows the language.
    table = gs(spans, "departments").stdout.splitlines()
    assert [" ".join(row.split()) for row in table[2:]] == [
        "市公安局",
        "市民政局",
        "市档案局 through 2023-06",
        "市大数据局 from 2023-08",
    ]
    monkeypatch.setenv("GOVSCORE_LANG", "zh")
    assert gs(spans, "departments", "--format", "csv").stdout == listed.stdout
    assert gs(spans, "departments", "--format", "markdown").stdout == markdown
    assert "2023-08 起" in markdown
    # Programs read since and until as written, where they are given.
    assert json.loads(gs(spans, "departments", "--format", "json").stdout) == [
        {"name": "市公安局", "aliases": [], "tags": []},
        {"name": "市民政局", "aliases": [], "tags": []},
        {"name": "市档案局", "aliases": [], "tags": [], "until": "2023-06"},
        {"name": "市大数据局", "aliases": [], "tags": [], "since": "2023-08"},
    ]


def test_a_report_leaves_a_department_out_of_the_months_outside_its_span(
    spans: Path, tmp_path: Path
):
    """The year's workbook: a blank in 月度 where a department was not assessed; a card
    lists only its own months (the cards asserted every department ranked every month)."""
    from openpyxl import load_workbook

    book = tmp_path / "y.xlsx"
    made = gs(spans, "report", "2023", "-o", str(book), "-d", "大数据局", "-d", "档案局")
    assert made.exit_code == 0, made.output
    sheet = load_workbook(book)["月度"]
    found = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row[0]}
    # 2023-04 … 2023-12, then the year's total and rank.
    assert found["市大数据局"] == (None,) * 4 + (99.6, 100, 100, 100, 100, 99.92, 3)
    assert found["市档案局"] == (100, 99.6, 100) + (None,) * 6 + (99.87, 4)
    # The ranking's 备注 names each one's months, as `year` does.
    ranked = {row[2]: row[-1] for row in load_workbook(book)["排名"].iter_rows(values_only=True)}
    assert ranked["市大数据局"] == "考评 5 个月（2023-08 至 2023-12）"
    assert ranked["市档案局"] == "考评 3 个月（2023-04 至 2023-06）"
    html = tmp_path / "y.html"
    assert gs(spans, "report", "2023", "-o", str(html)).exit_code == 0
    assert html.read_text("utf-8").count("考评 5 个月（2023-08 至 2023-12）") == 1
    page = tmp_path / "m.html"
    assert gs(spans, "report", "2023-09", "-o", str(page), "-d", "大数据局").exit_code == 0


def test_show_counts_a_recurring_entry_only_through_its_departments_last_month(spans: Path):
    """Review AT F2: 市档案局 is assessed through 2023-06; a recurring 3.1.3 of its from May
    (2 a month) stands May and June only, as month and year have it, but `show` listed
    every month of the ledger to December (also after a close through November) and said
    it stood in every month to come. `add` now warns that it ends with the span."""
    added = gs(spans, "add", "-d", "档案局", "-c", "3.1.3", "--recurring", "--month", "2023-05")
    assert (added.exit_code, added.stdout, added.stderr) == (
        0,
        "2023-05-0002\n",
        "warning: 市档案局 is assessed through 2023-06 (departments.toml): this recurring "
        "entry counts through 2023-06 only, in no month from 2023-07 on\n",
    )
    shown = json.loads(gs(spans, "show", "2023-05-0002", "--format", "json").stdout)
    assert [(c["period"], c["amount"]) for c in shown["counts"]] == [
        ("2023-05", -2.0),
        ("2023-06", -2.0),
    ]
    assert (shown["open"], shown["retired"], shown["department_until"], shown["gaps"]) == (
        False,
        None,
        "2023-06",
        [],
    )
    table = gs(spans, "show", "2023-05-0002").stdout.splitlines()
    assert [" ".join(row.split()) for row in table[11:15]] == [
        "状态 计分至 2023-06（departments.toml：考评月份至 2023-06）",
        "计分 2023-05 -2.00（每月 1 项 × 2）",
        "计分 2023-06 -2.00（每月 1 项 × 2）",
        "以后各月 市档案局 2023-07 起不参加考评（departments.toml：考评月份至 2023-06），"
        "本记录不再计分",
    ]
    # A close through November is recorded, with the warning add gives (review AX F6).
    closed = gs(spans, "close", "2023-05-0002", "--through", "2023-11", "--note", "完成")
    assert (closed.exit_code, closed.stdout, closed.stderr) == (
        0,
        "2023-05-0003\n",
        "warning: 市档案局 is assessed through 2023-06 (departments.toml): this recurring "
        "entry counts through 2023-06 only, in no month from 2023-07 on\n",
    )
    shown = json.loads(gs(spans, "show", "2023-05-0002", "--format", "json").stdout)
    assert [c["period"] for c in shown["counts"]] == ["2023-05", "2023-06"]
    assert shown["department_until"] == "2023-06"
    logged = gs(spans, "log", "-d", "档案局", "--format", "csv").stdout.splitlines()
    assert [row.split(",")[8] for row in logged[1:]] == [
        "计分",
        "计分至 2023-06（departments.toml：考评月份至 2023-06）；终止计分至 2023-11（2023-05-0003）",
        "有效",
    ]
    # A close within the span: nothing to say.
    again = gs(spans, "add", "-d", "档案局", "-c", "3.1.3", "--recurring", "--month", "2023-06")
    assert again.stdout == "2023-06-0001\n"
    within = gs(spans, "close", "2023-06-0001", "--through", "2023-06")
    assert (within.exit_code, within.stdout, within.stderr) == (0, "2023-06-0002\n", "")


def test_d_for_a_department_not_assessed_in_the_period_says_so(spans: Path, tmp_path: Path):
    """Review AT F6: `month -d`, `year -d` and `report -d` of a department outside its
    span printed an empty table, or no card, without a word. A note on stderr says it is
    not assessed then, with its span; not an error (exit 0, as a cron job runs it)."""
    note = (
        "note: 市大数据局 is not assessed in 2023-05 (departments.toml lists it from "
        "2023-08): it has no scores there\n"
    )
    month = gs(spans, "month", "2023-05", "-d", "大数据局", "--format", "json")
    assert (month.exit_code, month.stderr) == (0, note)
    assert json.loads(month.stdout)["departments"] == []
    page = tmp_path / "m.html"
    made = gs(spans, "report", "2023-05", "-o", str(page), "-d", "大数据局", "-d", "公安局")
    assert (made.exit_code, made.stdout, made.stderr) == (0, f"{page}\n", note)
    # Within its span, or a department with none: nothing said.
    within = gs(spans, "month", "2023-08", "-d", "大数据局", "-d", "公安局")
    assert (within.exit_code, within.stderr) == (0, "")
    # A year it has no month in: 市档案局 (through 2023-06) in 2024.
    (spans / "ledger" / "2024-01.toml").write_text(
        toml(entry("市公安局", "2.4.3", id="2024-01-0001", date="2024-01-05")), encoding="utf-8"
    )
    said = (
        "note: 市档案局 is not assessed in 2024 (departments.toml lists it through 2023-06): "
        "it has no scores there\n"
    )
    year = gs(spans, "year", "2024", "-d", "档案局", "--format", "json")
    assert (year.exit_code, year.stderr, json.loads(year.stdout)["departments"]) == (0, said, [])
    book = tmp_path / "y.xlsx"
    made = gs(spans, "report", "2024", "-o", str(book), "-d", "档案局")
    assert (made.exit_code, made.stderr) == (0, said)
    # In a year it is assessed in some months of, it is listed: nothing said.
    assert gs(spans, "year", "2023", "-d", "档案局").stderr == ""


def test_a_month_after_the_last_standing_entrys_department_is_gone_is_empty(spans: Path):
    """Review AW F1: `month` warns of a month with no ledger file where no recurring entry
    stands; an open recurring entry of 市档案局 (assessed through 2023-06) stands in no
    month after June, so July, scored with every department at base, is warned about as
    any empty month is. June, where it stands, is not."""
    (spans / "ledger" / "2023-05.toml").write_text(
        toml(
            *ENTRIES["2023-05"],
            entry("市档案局", "3.1.3", recurring=True, id="2023-05-0002", date="2023-05-12"),
        ),
        encoding="utf-8",
    )
    july = gs(spans, "month", "2023-07", "--format", "json")
    assert (july.exit_code, july.stderr) == (
        0,
        "warning: 2023-07 is empty: ledger/ has no 2023-07 file and no recurring entry "
        "stands in it, so every department is at the base score\n",
    )
    # June: 市档案局's entry stands (3.1.3, 2 a month off C3, weight 0.2: 98, total
    # 25 + 40 + 0.2 × 98 + 15 = 99.60); nothing said.
    june = gs(spans, "month", "2023-06", "--format", "json")
    assert (june.exit_code, june.stderr) == (0, "")
    assert rows(june) == [(1, "市公安局", 100.0), (1, "市民政局", 100.0), (3, "市档案局", 99.6)]


def test_a_month_after_a_notice_stopped_the_last_standing_entry_is_empty(spans: Path):
    """Review AY F7: as with a department's until, a month where a notice has stopped the
    one recurring entry (3.1.3 no longer recurring from July) has every department at the
    base score, and is warned about as any empty month is; June, where it stands, is not."""
    (spans / "ledger" / "2023-05.toml").write_text(
        toml(
            *ENTRIES["2023-05"],
            entry("市公安局", "3.1.3", recurring=True, id="2023-05-0002", date="2023-05-12"),
        ),
        encoding="utf-8",
    )
    (spans / "amendments").mkdir()
    (spans / "amendments" / "2023-07-01.toml").write_text(
        '[notice]\nnumber = "X"\n\n[[clause]]\nid = "3.1.3"\nrecurring = false\n',
        encoding="utf-8",
    )
    july = gs(spans, "month", "2023-07", "--format", "json")
    assert (july.exit_code, july.stderr) == (
        0,
        "warning: 2023-07 is empty: ledger/ has no 2023-07 file and no recurring entry "
        "stands in it, so every department is at the base score\n",
    )
    # June: the entry stands (3.1.3, 2 a month off C3, weight 0.2: 98, total
    # 25 + 40 + 0.2 × 98 + 15 = 99.60); nothing said.
    june = gs(spans, "month", "2023-06", "--format", "json")
    assert (june.exit_code, june.stderr) == (0, "")
    assert rows(june) == [(1, "市民政局", 100.0), (1, "市档案局", 100.0), (3, "市公安局", 99.6)]


def test_log_json_says_status_and_department_until_as_show_does(spans: Path):
    """Review AW F3: `log --format json` carried neither the 状态 its table and CSV show
    nor `department_until`, which `show --format json` gives: a program reading the log
    could not tell a recurring entry its department's `until` ended from one standing.
    Each row now has both, as the table's 状态 and `show` give them."""
    (spans / "ledger" / "2023-05.toml").write_text(
        toml(
            *ENTRIES["2023-05"],
            # 市档案局 is assessed through 2023-06: this one counts May and June only.
            entry("市档案局", "3.1.3", recurring=True, id="2023-05-0002", date="2023-05-12"),
            entry(close="2023-05-0002", through="2023-11", id="2023-05-0003", date="2023-05-20"),
            # Voided: it counts nowhere, so its department's until ends nothing.
            entry("市档案局", "3.1.3", recurring=True, id="2023-05-0004", date="2023-05-13"),
            entry(void="2023-05-0004", reason="重复", id="2023-05-0005", date="2023-05-21"),
        ),
        encoding="utf-8",
    )
    unset = dict.fromkeys(
        [
            "id",
            "department",
            "clause",
            "count",
            "points",
            "level",
            "value",
            "numerator",
            "denominator",
            "matter",
            "ref",
            "recurring",
            "void",
            "reason",
            "close",
            "through",
            "date",
            "note",
            "by",
            "recorded",
            "key",
        ]
    )
    where = {"month": "2023-05", "file": "ledger/2023-05.toml", "voided": None, "problems": []}
    recurring = {**unset, **where, "department": "市档案局", "clause": "3.1.3", "count": 1}
    assert json.loads(gs(spans, "log", "-d", "档案局", "--format", "json").stdout) == [
        {
            **unset,
            **where,
            "id": "2023-05-0001",
            "department": "市档案局",
            "clause": "2.4.3",
            "count": 1,
            "recurring": False,
            "date": "2023-05-10",
            "line": 2,
            "status": "计分",
            "department_until": None,
        },
        {
            **recurring,
            "id": "2023-05-0002",
            "recurring": True,
            "date": "2023-05-12",
            "line": 8,
            "status": "计分至 2023-06（departments.toml：考评月份至 2023-06）；"
            "终止计分至 2023-11（2023-05-0003）",
            "department_until": "2023-06",
        },
        {
            **recurring,
            "id": "2023-05-0003",
            "count": None,
            "recurring": False,
            "close": "2023-05-0002",
            "through": "2023-11",
            "date": "2023-05-20",
            "line": 15,
            "status": "有效",
            "department_until": None,
        },
        {
            **recurring,
            "id": "2023-05-0004",
            "recurring": True,
            "date": "2023-05-13",
            "line": 21,
            "voided": {"id": "2023-05-0005", "reason": "重复"},
            "status": "已作废（2023-05-0005：重复）",
            "department_until": None,
        },
        {
            **recurring,
            "id": "2023-05-0005",
            "count": None,
            "recurring": False,
            "void": "2023-05-0004",
            "reason": "重复",
            "date": "2023-05-21",
            "line": 28,
            "status": "有效",
            "department_until": None,
        },
    ]
    # department_until is show's, entry by entry.
    for entry_id, until in (("2023-05-0002", "2023-06"), ("2023-05-0004", None)):
        shown = json.loads(gs(spans, "show", entry_id, "--format", "json").stdout)
        assert shown["department_until"] == until


def test_a_month_no_department_is_assessed_in_says_so(spans: Path, tmp_path: Path):
    """Review AX F3: a month the spans leave every department out of was warned about as
    "empty, every department at the base score" over a table of none; and where its file
    held only entries of departments outside their spans, nothing was said. It is said
    as it is, on stderr and on the page, and nothing is ranked."""
    (spans / "departments.toml").write_text(
        '[[department]]\nname = "市民政局"\nuntil = "2023-06"\n\n'
        '[[department]]\nname = "市大数据局"\nsince = "2023-09"\n',
        encoding="utf-8",
    )
    for name in ("2023-04.toml", "2023-05.toml", "2023-08.toml", "2023-12.toml"):
        (spans / "ledger" / name).unlink()
    said = (
        "warning: no department is assessed in 2023-08: the months departments.toml gives "
        "each department (since/until) leave every one out of it; `govscore departments` "
        "lists them\n"
    )
    august = gs(spans, "month", "2023-08", "--format", "json")
    assert (august.exit_code, august.stderr) == (0, said)
    assert json.loads(august.stdout)["departments"] == []
    page = tmp_path / "m.html"
    made = gs(spans, "report", "2023-08", "-o", str(page))
    assert (made.exit_code, made.stderr) == (0, said)
    text = page.read_text(encoding="utf-8")
    assert "注意：2023-08 没有参加考评的部门" in text and "均按基础分计" not in text
    # A file holding only an entry of a department outside its span: the entry is a
    # problem (exit 1), and the month is still said to have no department assessed.
    (spans / "ledger" / "2023-07.toml").write_text(
        toml(entry("市民政局", "2.4.3", id="2023-07-0001", date="2023-07-03")), encoding="utf-8"
    )
    july = gs(spans, "month", "2023-07", "--format", "json")
    assert july.exit_code == 1
    assert july.stderr.startswith(said.replace("2023-08", "2023-07"))
    # A month someone is assessed in, with no file: the usual empty warning.
    june = gs(spans, "month", "2023-06")
    assert june.stderr.startswith("warning: 2023-06 is empty")


def test_d_for_a_department_joining_after_the_ledgers_last_month_says_so_truly(
    spans: Path, tmp_path: Path
):
    """Review AX F5: 市数据局 joins in 2024-03; the ledger of 2024 has January only. `year
    2024 -d` said it "is not assessed in 2024", which `month 2024-03` contradicts: it is,
    from March. The note names the year's months so far and the span."""
    (spans / "departments.toml").write_text(
        DEPARTMENTS + '\n[[department]]\nname = "市数据局"\nsince = "2024-03"\n', encoding="utf-8"
    )
    (spans / "ledger" / "2024-01.toml").write_text(
        toml(entry("市公安局", "2.4.3", id="2024-01-0001", date="2024-01-05")), encoding="utf-8"
    )
    said = (
        "note: 市数据局 is assessed in none of 2024's months so far (2024-01; departments.toml "
        "lists it from 2024-03): it has no scores there\n"
    )
    year = gs(spans, "year", "2024", "-d", "数据局", "--format", "json")
    assert (year.exit_code, year.stderr, json.loads(year.stdout)["departments"]) == (0, said, [])
    book = tmp_path / "y.xlsx"
    made = gs(spans, "report", "2024", "-o", str(book), "-d", "数据局")
    assert (made.exit_code, made.stderr) == (0, said)
    # In March it is listed: a base month, 100.00.
    march = gs(spans, "month", "2024-03", "-d", "数据局", "--format", "json")
    assert [(d["department"], d["total"]) for d in json.loads(march.stdout)["departments"]] == [
        ("市数据局", 100.0)
    ]
    # With February in the ledger: the months from first to last.
    (spans / "ledger" / "2024-02.toml").write_text("", encoding="utf-8")
    two = gs(spans, "year", "2024", "-d", "数据局")
    assert two.stderr == said.replace("(2024-01;", "(2024-01 to 2024-02;")
    # A year its span does not meet is still "not assessed in" it.
    before = gs(spans, "year", "2023", "-d", "数据局", "--format", "json")
    assert before.stderr == (
        "note: 市数据局 is not assessed in 2023 (departments.toml lists it from 2024-03): "
        "it has no scores there\n"
    )


def test_the_departments_toml_init_writes_shows_since_and_until(tmp_path: Path):
    """Review AX F8: the file `init` writes named name, aliases, tags and city in its
    header, not since/until. Its commented example, followed, gives each department its
    span, as `govscore departments` lists it."""
    folder = tmp_path / "office"
    assert CliRunner().invoke(cli, ["init", str(folder)]).exit_code == 0
    written = (folder / "departments.toml").read_text(encoding="utf-8")
    lines = written.splitlines()
    start = lines.index("#          [[department]]")
    example = [line.removeprefix("#").strip() for line in lines[start : start + 5]]
    assert example == [
        "[[department]]",
        'name = "市数据局"',
        'since = "2024-03"',
        "",
        '并在下面 name = "市大数据局" 处加上：until = "2024-02"',
    ]
    followed = written.replace(
        '\nname = "市大数据局"\n', '\nname = "市大数据局"\nuntil = "2024-02"\n'
    )
    followed += "\n" + "\n".join(example[:3]) + "\n"
    (folder / "departments.toml").write_text(followed, encoding="utf-8")
    listed = gs(folder, "departments", "--format", "json")
    assert listed.exit_code == 0, listed.output
    spans = [(d["name"], d.get("since"), d.get("until")) for d in json.loads(listed.stdout)]
    assert [span for span in spans if span[1] or span[2]] == [
        ("市大数据局", None, "2024-02"),
        ("市数据局", "2024-03", None),
    ]


def test_check_warns_of_a_since_years_ahead(spans: Path):
    """Review AX F4: since = "2032-08" (meant 2023-08) passed `check` without a word, and
    the department dropped out of every month and ranking. A since in a year after the one
    following the ledger's last month (2023-12 here: 2025 or later) is warned of as a
    likely typo in the year; the verdict stands (exit 0). 2024 is not warned of."""
    quiet = gs(spans, "check")
    assert (quiet.exit_code, quiet.stdout) == (0, "")
    (spans / "departments.toml").write_text(
        DEPARTMENTS
        + '\n[[department]]\nname = "市统计局"\nsince = "2032-08"\n'
        + '\n[[department]]\nname = "市数据局"\nsince = "2024-12"\n',
        encoding="utf-8",
    )
    typo = gs(spans, "check")
    assert (typo.exit_code, typo.stdout) == (0, "")
    assert typo.stderr == (
        "warning: 市统计局 is assessed from 2032-08 (since in departments.toml), more than a "
        "year after 2023-12: a typo in the year? Until then it is listed and ranked in no "
        "month\n" + quiet.stderr
    )
