"""Reports that stand alone: what they left out, the period they cover, exports for Excel."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SMALL_DEPARTMENTS, run_process
from govscore.cli.commands import cli
from govscore.report.shapes import floor_how
from govscore.rules.scoring import FloorUse


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def add(root: Path, *args: str) -> None:
    result = run(root, "add", *args)
    assert result.exit_code == 0, result.output


@pytest.fixture
def small(root: Path) -> Path:
    (root / "departments.toml").write_text(SMALL_DEPARTMENTS, encoding="utf-8")
    return root


# -- what a report left out -------------------------------------------------------------


def test_month_and_year_json_list_the_entries_left_out(small: Path):
    # 市民政局 2.4.13 (−5 in C2) counts; a hand-written entry with a typo in its clause
    # does not: C2 = 95 → 25 + 38 + 20 + 15 = 98.00 for 市民政局, 100 for the others.
    add(small, "-d", "市民政局", "-c", "2.4.13", "--month", "2023-05")
    with (small / "ledger" / "2023-05.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            '\n[[entry]]\nid = "2023-05-0002"\ndepartment = "市公安局"\nclause = "2.4.33"\n'
        )
    problem = {
        "file": "ledger/2023-05.toml",
        "line": 10,
        "entry": "2023-05-0002",
        "field": "clause",
        # JSON gives the message in Chinese in both languages (issue 13)
        "message": "未知条款 '2.4.33'；是否指 2.4.3 或 2.4.13 或 4.4.3？（运行 `govscore clauses` 查看列表）",
    }
    month = run(small, "month", "2023-05", "--format", "json")
    assert month.exit_code == 1  # a report over a ledger with problems still prints
    payload = json.loads(month.stdout)
    assert list(payload) == [
        "month",
        "revision",
        "uncommitted",
        "rules",
        "departments",
        "problems",
        "referrals",
    ]
    assert payload["rules"] == [{"effective": "2023-03-27", "number": "烟政管办〔2023〕2号"}]
    assert payload["problems"] == [problem]
    assert [(d["department"], d["total"]) for d in payload["departments"]] == [
        ("市公安局", 100.0),
        ("市体育局", 100.0),
        ("市民政局", 98.0),
    ]
    # A referral names its department, in the department's row and in the list of all.
    referral = {
        "entry": "2023-05-0001",
        "department": "市民政局",
        "clause": "2.4.13",
        "month": "2023-05",
        "to": "纪检组织（人事）部门",
    }
    assert payload["referrals"] == [referral]
    assert payload["departments"][2]["referrals"] == [referral]
    year = run(small, "year", "2023", "--format", "json")
    assert year.exit_code == 1
    assert json.loads(year.stdout)["problems"] == [problem]


def test_a_month_with_nothing_in_it_says_so(small: Path):
    add(small, "-d", "市民政局", "-c", "1.2.2", "--month", "2023-05")
    empty = run_process("--root", str(small), "month", "2023-08")
    assert empty.returncode == 0
    assert empty.stderr == (
        "warning: 2023-08 is empty: ledger/ has no 2023-08 file and no recurring entry "
        "stands in it, so every department is at the base score\n"
    )
    assert "市民政局  100.00" in empty.stdout
    # A month with a ledger file is not empty, nor one in which a recurring entry stands.
    assert run(small, "month", "2023-05").stderr == ""
    add(small, "-d", "体育", "-c", "3.1.3", "--recurring", "--month", "2023-06")
    standing = run(small, "month", "2023-08", "--format", "json")
    assert standing.stderr == ""
    # 3.1.3 stands from June: −2 in C3 → 25 + 40 + 19.6 + 15 = 99.60 in August.
    totals = {d["department"]: d["total"] for d in json.loads(standing.stdout)["departments"]}
    assert totals["市体育局"] == 99.6


# -- exports that stand alone -----------------------------------------------------------


def record_floor(root: Path) -> None:
    """May: 市公安局 2.4.3 ×3 (−3 in C2); 市民政局 2.4.13 ×21 (−105 in C2: below the floor,
    and referred); 市体育局 3.3.1 ×4 (+1.2 in C3, capped at 1). June: 市民政局 1.2.2 ×2."""
    add(root, "-d", "公安局", "-c", "2.4.3", "-n", "3", "--month", "2023-05", "--note", "超期")
    add(root, "-d", "市民政局", "-c", "2.4.13", "-n", "21", "--month", "2023-05")
    add(root, "-d", "体育", "-c", "3.3.1", "-n", "4", "--month", "2023-05")
    add(root, "-d", "市民政局", "-c", "1.2.2", "-n", "2", "--month", "2023-06")


# 市体育局: C3 100 + min(1.2, 1) = 101 → 25 + 40 + 20.2 + 15 = 100.20
# 市公安局: C2 97 → 25 + 38.8 + 20 + 15 = 98.80
# 市民政局: C2 100 − 21 × 5 = −5, raised to the floor 0 (+5) → 25 + 0 + 20 + 15 = 60.00
MAY_DETAIL_CSV = """\
period,部门,编号,月份,条款,类别,计算,分值,说明
2023-05,市体育局,,,总分,,标准化 100.00，规范化 100.00，便利化 101.00，改革创新 100.00,100.20,加分封顶 A
2023-05,市体育局,2023-05-0003,2023-05,3.3.1,便利化,4 件次 × 0.3,+1.20,加分上限组 A
2023-05,市体育局,,2023-05,封顶 A,便利化,加分 1.2 超过上限 1,-0.20,
2023-05,市公安局,,,总分,,标准化 100.00，规范化 97.00，便利化 100.00，改革创新 100.00,98.80,
2023-05,市公安局,2023-05-0001,2023-05,2.4.3,规范化,3 件次 × 1,-3.00,超期
2023-05,市民政局,,,总分,,标准化 100.00，规范化 0.00，便利化 100.00，改革创新 100.00,60.00,移送纪检组织（人事）部门（2023-05-0002）
2023-05,市民政局,2023-05-0002,2023-05,2.4.13,规范化,21 件次 × 5,-105.00,移送纪检组织（人事）部门
2023-05,市民政局,,2023-05,保底,规范化,得分 -5.00，低于保底 0 分，按 0 分计,+5.00,
"""


def test_detail_export_is_one_table_with_the_period_floor_and_referrals(small: Path):
    record_floor(small)
    result = run(small, "month", "2023-05", "--detail", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == MAY_DETAIL_CSV
    markdown = run(small, "month", "2023-05", "--detail", "--format", "markdown").stdout
    lines = markdown.splitlines()
    assert (
        lines[0]
        == "# 2023-05 月度政务服务工作考评（3 个部门） · 考评依据 2023-03-27 烟政管办〔2023〕2号 · 台账尚无提交"
    )
    assert lines[2].split("|")[1:4] == [" 部门     ", " 编号         ", " 月份    "]
    assert len([line for line in lines if line.startswith("| 部门")]) == 1  # one table
    payload = json.loads(run(small, "month", "2023-05", "--detail", "--format", "json").stdout)
    civil = payload["departments"][2]
    assert civil["floors"] == [{"category": "2", "month": "2023-05", "raw": -5.0, "floor": 0.0}]
    assert [line["referral"] for line in civil["lines"]] == ["纪检组织（人事）部门"]


def test_the_table_detail_view_shows_the_floor_and_the_referral(small: Path):
    record_floor(small)
    result = run(small, "month", "2023-05", "--detail", "-d", "民政局")
    assert result.stdout.splitlines()[3:] == [
        "2023-05-0002  2023-05  2.4.13  规范化  21 件次 × 5                           -105.00  "
        "移送纪检组织（人事）部门",
        "              2023-05  保底    规范化  得分 -5.00，低于保底 0 分，按 0 分计  +5.00",
        "",
    ]


# 市民政局, May–June: C1 (100 + 99)/2 = 99.5, C2 (0 + 100)/2 = 50
# → 24.875 + 20 + 20 + 15 = 79.875 → 79.88; May 60.00, June 25×0.99 + 75 = 99.75.
YEAR_DETAIL = """\
2023 年度政务服务工作考评（2023-05 至 2023-06，2 个月） · 考评依据 2023-03-27 烟政管办〔2023〕2号 · 台账尚无提交 · 市民政局：标准化 99.50，规范化 50.00，便利化 100.00，改革创新 100.00；总分 79.88
编号    月份     条款      类别    计算                                  分值    说明
------  -------  --------  ------  ------------------------------------  ------  ------
        2023-05  月度总分                                                60.00
        2023-06  月度总分                                                99.75
        2023-05  保底      规范化  得分 -5.00，低于保底 0 分，按 0 分计  +5.00

"""


def test_year_detail_lists_monthly_totals(small: Path):
    record_floor(small)
    result = run(small, "year", "2023", "--detail", "-d", "市民政局")
    assert result.exit_code == 0
    assert result.stdout == YEAR_DETAIL
    csv_out = run(small, "year", "2023", "--detail", "--format", "csv").stdout.splitlines()
    assert csv_out[0] == "period,部门,编号,月份,条款,类别,计算,分值,说明"
    # Every department has its total and its two monthly totals.
    assert [row for row in csv_out if ",月度总分," in row] == [
        "2023,市体育局,,2023-05,月度总分,,,100.20,",
        "2023,市体育局,,2023-06,月度总分,,,100.00,",
        "2023,市公安局,,2023-05,月度总分,,,98.80,",
        "2023,市公安局,,2023-06,月度总分,,,100.00,",
        "2023,市民政局,,2023-05,月度总分,,,60.00,",
        "2023,市民政局,,2023-06,月度总分,,,99.75,",
    ]


def test_bom_for_excel(small: Path):
    record_floor(small)
    result = run_process("--root", str(small), "month", "2023-05", "--format", "csv", "--bom")
    assert result.returncode == 0
    assert result.stdout.startswith("\ufeffperiod,排名,部门,")
    plain = run_process("--root", str(small), "month", "2023-05", "--format", "csv")
    assert result.stdout == "\ufeff" + plain.stdout
    assert run(small, "log", "--format", "csv", "--bom").stdout.startswith("\ufeff编号,")
    wrong = run(small, "year", "2023", "--bom")
    assert wrong.exit_code == 2 and "--bom is for CSV" in wrong.stderr and wrong.stdout == ""


# -- detail lines that add up -----------------------------------------------------------


def record_rates(root: Path) -> None:
    """June, 市公安局: three rate entries whose amounts have more than 2 decimals."""
    add(
        root,
        "-d",
        "公安局",
        "-c",
        "2.5.1",
        "--numerator",
        "1997",
        "--denominator",
        "2003",
        "--month",
        "2023-06",
    )
    add(
        root,
        "-d",
        "公安局",
        "-c",
        "2.5.2",
        "--numerator",
        "998",
        "--denominator",
        "1003",
        "--month",
        "2023-06",
    )
    add(root, "-d", "公安局", "-c", "2.5.3", "--value", "99.95", "--month", "2023-06")


# 市公安局, June (each clause (100 − rate) × 0.1):
#   2.5.1 1997/2003 = 99.70044…%: −0.2995506… × 0.1 = −0.02995506…
#   2.5.2 998/1003 = 99.50149…%: −0.4985044… × 0.1 = −0.04985044…
#   2.5.3 99.95%: −0.05 × 0.1 = −0.005
# C2 = 100 − 0.0848055… = 99.9151944… → 99.92; total 25 + 0.4 × 99.915… + 20 + 15 = 99.97.
# Rounded one by one the lines would read −0.03 − 0.05 − 0.01 = −0.09: 99.91, not 99.92.
RATE_DETAIL = [
    "编号          月份     条款    类别    计算                                      分值        说明",
    "------------  -------  ------  ------  ----------------------------------------  ----------  ------",
    "2023-06-0001  2023-06  2.5.1   规范化  1997/2003 = 99.7004…%：少 0.2995…% × 0.1  -0.029955…",
    "2023-06-0002  2023-06  2.5.2   规范化  998/1003 = 99.5014…%：少 0.4985…% × 0.1   -0.049850…",
    "2023-06-0003  2023-06  2.5.3   规范化  99.95%：少 0.05% × 0.1                    -0.005",
    "",
]


def test_detail_lines_with_more_than_two_decimals_add_up_to_the_category(small: Path):
    record_rates(small)
    table = run(small, "month", "2023-06", "--detail", "-d", "公安局")
    assert table.exit_code == 0, table.output
    head, *rows = table.stdout.splitlines()
    assert head.endswith(
        "市公安局：标准化 100.00，规范化 99.92，便利化 100.00，改革创新 100.00；总分 99.97"
    )
    assert rows == RATE_DETAIL
    # CSV: every decimal, for a spreadsheet to add up (Decimal's 28 digits).
    csv_rows = run(small, "month", "2023-06", "--detail", "--format", "csv").stdout.splitlines()
    assert [row.rsplit(",", 2)[1] for row in csv_rows[2:]] == [
        "-0.02995506739890164752870694",
        "-0.049850448654037886340977069",
        "-0.005",
    ]
    markdown = run(small, "month", "2023-06", "--detail", "--format", "markdown").stdout
    assert "| -0.029955… |" in markdown and "| -0.005     |" in markdown
    # JSON: the same keys; a line's amount unrounded (as a float holds it), the
    # category rounded as before.
    payload = json.loads(run(small, "month", "2023-06", "--detail", "--format", "json").stdout)
    police = {d["department"]: d for d in payload["departments"]}["市公安局"]
    assert police["categories"]["2"] == 99.92
    shortfall = [100 - Decimal(1997) * 100 / 2003, 100 - Decimal(998) * 100 / 1003]
    assert [line["amount"] for line in police["lines"]] == [
        *(float(-s * Decimal("0.1")) for s in shortfall),
        -0.005,
    ]
    assert round(100 + sum(line["amount"] for line in police["lines"]), 2) == 99.92


def test_a_whole_numerator_and_denominator_are_written_whole(small: Path, tmp_path: Path):
    """A numerator and denominator count cases: written 1997, not 1997.0 (review AC F6),
    by add (typed 2003.0 too) and by import (an Excel cell 998.0). A ledger written with
    1997.0 before reads the same: RATE_DETAIL's rows either way."""
    record_rates(small)  # 2.5.1 1997/2003 and 2.5.2 998/1003 by add, 2.5.3 99.95%
    add(small, "-d", "公安局", "-c", "2.5.1", "--numerator", "5", "--denominator", "3.0",
        "--month", "2023-07")  # fmt: skip
    rows = tmp_path / "rates.csv"
    rows.write_text("部门,条款,分子,分母,月份\n市民政局,2.5.2,998.0,1003.00,2023-07\n", "utf-8")
    assert run(small, "import", str(rows)).exit_code == 0
    june, july = ((small / "ledger" / f"2023-0{n}.toml").read_text("utf-8") for n in (6, 7))
    figures = [
        line for line in (june + july).splitlines() if line.startswith(("num", "den", "val"))
    ]
    assert figures == [
        "numerator = 1997",
        "denominator = 2003",
        "numerator = 998",
        "denominator = 1003",
        "value = 99.95",
        "numerator = 5",
        "denominator = 3",
        "numerator = 998",
        "denominator = 1003",
    ]
    # June as an older govscore wrote it (hand-written: no batch frame to break).
    old = "".join(
        f'\n[[entry]]\nid = "2023-06-000{n}"\ndepartment = "市公安局"\nclause = "2.5.{n}"\n{rate}\n'
        for n, rate in (
            (1, "numerator = 1997.0\ndenominator = 2003.0"),
            (2, "numerator = 998.0\ndenominator = 1003.0"),
            (3, "value = 99.95"),
        )
    )
    (small / "ledger" / "2023-06.toml").write_text(old, encoding="utf-8")
    table = run(small, "--no-cache", "month", "2023-06", "--detail", "-d", "公安局")
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines()[1:] == RATE_DETAIL  # C2 99.92 as worked above


# 市公安局, June, rates a hair below 100% (each (100 − rate) × 0.1):
#   2.5.1 typed 99.99999999: shown cut at 6 decimals (99.999999…%); short 0.00000001%,
#         −0.000000001
#   2.5.2 typed 99.999999: shown as typed; short 0.000001%, −0.0000001
#   2.5.3 29999999/30000000 = 99.9999966…%: short 100/30000000 = 0.0000033…%, −0.00000033…
# Cut at 4 (shortfall) and 6 (amount) decimals they read 少 0.0000…% and −0.000000…, as if
# nothing; each is cut at its first digit that is not 0 instead.
# C2 = 100 − 0.000000434… = 99.99999956… → 100.00; total 100.00. JSON keeps the amounts.
TINY_DETAIL = [
    "编号          月份     条款    类别    计算                                                "
    "分值          说明",
    "------------  -------  ------  ------  --------------------------------------------------  "
    "------------  ------",
    "2023-06-0001  2023-06  2.5.1   规范化  99.999999…%：少 0.00000001% × 0.1                   "
    "-0.000000001",
    "2023-06-0002  2023-06  2.5.2   规范化  99.999999%：少 0.000001% × 0.1                      "
    "-0.0000001",
    "2023-06-0003  2023-06  2.5.3   规范化  29999999/30000000 = 99.9999…%：少 0.000003…% × 0.1  "
    "-0.0000003…",
    "",
]


def test_a_rate_typed_with_many_decimals_reads_as_typed_and_a_tiny_amount_as_its_digits(
    small: Path,
):
    june = ("-d", "公安局", "--month", "2023-06")
    add(small, "-c", "2.5.1", "--value", "99.99999999", *june)
    add(small, "-c", "2.5.2", "--value", "99.999999", *june)
    add(small, "-c", "2.5.3", "--numerator", "29999999", "--denominator", "30000000", *june)
    table = run(small, "month", "2023-06", "--detail", "-d", "公安局")
    assert table.exit_code == 0, table.output
    head, *rows = table.stdout.splitlines()
    assert head.endswith(
        "市公安局：标准化 100.00，规范化 100.00，便利化 100.00，改革创新 100.00；总分 100.00"
    )
    assert rows == TINY_DETAIL
    shown = run(small, "show", "2023-06-0002").stdout
    assert "计分 2023-06  -0.0000001（99.999999%：少 0.000001% × 0.1）\n" in shown
    payload = json.loads(run(small, "month", "2023-06", "--detail", "--format", "json").stdout)
    police = {d["department"]: d for d in payload["departments"]}["市公安局"]
    assert (police["categories"]["2"], police["total"]) == (100, 100)
    third = 100 - Decimal(2999999900) / 30000000
    assert [line["amount"] for line in police["lines"]] == [
        -1e-09,
        -1e-07,
        float(-third * Decimal("0.1")),
    ]


def test_an_exact_figure_is_cut_at_its_places_or_at_its_first_digit_not_0():
    from govscore.figures import exact

    assert [
        exact(Decimal(text), places, least)
        for text, places, least in (
            ("-3", 6, 2),  # exact, with 2 decimals
            ("-0.005", 6, 2),  # every decimal it has
            ("-0.02995506739890164752870694", 6, 2),  # cut at 6
            ("-0.000001", 6, 2),  # 6 decimals: exact
            ("-0.0000001", 6, 2),  # below 10⁻⁶: its digit, not -0.000000…
            ("0.00000033333", 6, 2),  # cut at its first digit that is not 0
            ("0.0000033333", 4, 0),  # a shortfall in percent, places 4
            ("0.0000033333", None, 2),  # every decimal (CSV)
        )
    ] == [
        "-3.00",
        "-0.005",
        "-0.029955…",
        "-0.000001",
        "-0.0000001",
        "0.0000003…",
        "0.000003…",
        "0.0000033333",
    ]


def test_a_years_floor_that_is_a_mean_of_months_floors_is_shown_cut():
    """Review AD F4: a year's floor is the mean of its months' (0 in one month, 60 in
    six: 360 / 7); it was shown with 28 digits (51.42857142857142857142857143)."""
    year = FloorUse("2", Decimal("40"), Decimal(360) / 7)
    assert floor_how(year) == "得分 40.00，低于保底 51.428571… 分，按 51.428571… 分计"
    month = FloorUse("2", Decimal("-50"), Decimal(60), "2023-07")
    assert floor_how(month) == "得分 -50.00，低于保底 60 分，按 60 分计"
