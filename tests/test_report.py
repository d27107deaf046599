"""`govscore report`: the month and the year as a web page and a workbook (issue 9).

The figures on the page and in the workbook must be those of `month`/`year --format
json`, so most tests read both and compare. Expected scores are worked out by hand.
Browser tests (a real headless Chromium) live in test_report_browser.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from conftest import run_process
from govscore.errors import Problem
from govscore.report.html import places, signed
from govscore.report.page import may_reach
from govscore.report.workbook import text_width
from reportpage import (
    FORMULA_NOTE,
    MINUS,
    SCRIPT_NOTE,
    add,
    month_json,
    ranking_rows,
    record,
    run,
    tables,
    written,
)


def test_month_page_shows_the_json_figures_worked_by_hand(small: Path, tmp_path: Path):
    record(small)
    out = tmp_path / "may.html"
    written(small, out, "2023-05")
    html = out.read_text(encoding="utf-8")
    rows = ranking_rows(html)
    # rank, rank change, department, 4 categories, total, total change, remarks
    assert [r[:9] for r in rows] == [
        ["1", "+2", "市公安局", "100.00", "97.00", "101.00", "100.00", "99.00", f"{MINUS}0.60"],
        [
            "2",
            f"{MINUS}1",
            "市体育局",
            "0.00",
            "100.00",
            "100.00",
            "100.00",
            "75.00",
            f"{MINUS}25.00",
        ],
        [
            "3",
            f"{MINUS}2",
            "市民政局一票否决",
            "100.00",
            "100.00",
            "100.00",
            "100.00",
            "100.00",
            "0.00",
        ],
    ]
    assert rows[0][9] == "加分封顶 A"
    assert rows[2][9] == "一票否决（2023-05-0004）"
    expected = month_json(small, "month", "2023-05")
    shown = {r[2].removesuffix("一票否决"): (int(r[0]), r[7]) for r in rows}
    assert shown == {
        d["department"]: (d["rank"], f"{d['total']:.2f}") for d in expected["departments"]
    }
    assert "2023年5月政务服务工作月度考评结果" in html
    assert "与2023年4月相比" in html


def test_every_ledger_text_is_escaped(small: Path, tmp_path: Path):
    record(small)
    out = tmp_path / "may.html"
    written(small, out, "2023-05", "-d", "市公安局")
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;三件超期" in html
    notes = [cell for _, rows in tables(html) for row in rows for cell in row]
    assert SCRIPT_NOTE in notes  # a reader sees the note as written


def test_a_department_name_with_markup_is_text_everywhere(tmp_path: Path, root: Path):
    """Configuration text is escaped too: in tables, in SVG labels, in attributes."""
    name = '市<b onmouseover="x()">局'
    (root / "departments.toml").write_text(
        f'[[department]]\nname = "{name.replace(chr(34), chr(92) + chr(34))}"\n', encoding="utf-8"
    )
    add(root, "-d", name, "-c", "2.4.3", "--month", "2023-05")
    out = tmp_path / "p.html"
    written(root, out, "2023-05", "-d", name)
    html = out.read_text(encoding="utf-8")
    assert "<b " not in html and "<b>" not in html
    assert "市&lt;b onmouseover=&#34;x()&#34;&gt;局" in html
    assert ranking_rows(html)[0][2] == name


def test_no_request_to_any_other_host(small: Path, tmp_path: Path):
    record(small)
    out = tmp_path / "may.html"
    written(small, out, "2023-05", "-d", "市公安局")
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href|action|xlink:href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", html, re.I)
    assert "@import" not in html and "<script" not in html.lower() and "<link" not in html
    # The note that holds a URL is shown as text, not linked.
    assert "=HYPERLINK(&#34;http://example.org&#34;,&#34;点我&#34;)" in html


def test_page_prints_on_a4_with_headers_repeated_and_rows_whole(small: Path, tmp_path: Path):
    record(small)
    out = tmp_path / "may.html"
    written(small, out, "2023-05")
    html = out.read_text(encoding="utf-8")
    assert re.search(r"@page\s*\{\s*size:\s*A4", html)
    assert "thead { display: table-header-group; }" in html
    assert re.search(r"tr, figure, \.keep \{ break-inside: avoid;", html)
    fonts = re.search(r"html \{ font-family: ([^;]+);", html).group(1)
    for font in ('"Microsoft YaHei"', "SimSun", '"PingFang SC"', '"Noto Sans CJK SC"'):
        assert font in fonts
    assert html.count("<svg") >= 3  # totals, categories, clause bars: vector charts


def test_printed_remarks_never_break_an_entry_id(small: Path, tmp_path: Path):
    """A narrow 备注 column printed 一票否决（2023- / 05- / 0003）: each id in a remark is
    kept on one line, and the column keeps a width of its own."""
    record(small)
    out = tmp_path / "may.html"
    written(small, out, "2023-05")
    html = out.read_text(encoding="utf-8")
    assert ".id { white-space: nowrap; }" in html and "td.remarks { min-width:" in html
    remarks = re.findall(r'<td class="remarks">(.*?)</td>', html)
    assert remarks and any("一票否决" in r for r in remarks)
    for remark in remarks:
        bare = re.sub(r'<span class="id">\d{4}-\d{2}-\d{4}</span>', "", remark)
        assert not re.search(r"\d{4}-\d{2}-\d{4}", bare), remark


def test_charts_set_vetoes_apart_with_a_legend(small: Path, tmp_path: Path):
    record(small)
    out = tmp_path / "may.html"
    written(small, out, "2023-05")
    html = out.read_text(encoding="utf-8")
    chart = html[html.index('id="totals-chart"') : html.index('id="categories-chart"')]
    bars = re.findall(r'<g class="(bar(?: veto)?)">\s*<text[^>]*>([^<]+)</text>', chart)
    assert bars == [("bar", "市公安局"), ("bar", "市体育局"), ("bar veto", "市民政局")]
    assert chart.count('fill="#c0392b"') >= 2  # the vetoed bar and its legend swatch
    assert "一票否决（排在所有未被否决的部门之后）" in chart


def test_clauses_that_cost_and_earned_most(small: Path, tmp_path: Path):
    """Amounts as entered, before caps and floor: 1.1.1 −101, 2.4.3 −3, 3.3.1 +1.5."""
    record(small)
    out = tmp_path / "may.html"
    written(small, out, "2023-05")
    found = [rows for _, rows in tables(out.read_text(encoding="utf-8"))]
    costs = next(rows for rows in found if rows[1][0] == "1.1.1")
    assert [(r[0], r[3], r[4]) for r in costs[1:]] == [
        ("1.1.1", "1", f"{MINUS}101.00"),
        ("2.4.3", "1", f"{MINUS}3.00"),
    ]
    gains = next(rows for rows in found if rows[1][0] == "3.3.1")
    assert [(r[0], r[4]) for r in gains[1:]] == [("3.3.1", "+1.50")]


def test_department_card_lists_entries_caps_floor_voids_and_months(small: Path, tmp_path: Path):
    record(small)
    out = tmp_path / "may.html"
    written(small, out, "2023-05", "-d", "公安局", "-d", "体育")
    html = out.read_text(encoding="utf-8")
    cards = re.findall(r'<section class="card" id="card-\d+" data-department="([^"]+)">', html)
    assert cards == ["市公安局", "市体育局"]
    police = html[
        html.index('data-department="市公安局">') : html.index('data-department="市体育局">')
    ]
    rows = [row for _, table in tables(police) for row in table]
    assert [
        "1 / 3",
        "+2",
        "100.00",
        "97.00",
        "101.00",
        "100.00",
        "99.00",
        f"{MINUS}0.60",
        "加分封顶 A",
    ] in rows
    entry = next(r for r in rows if r[2] == "2.4.3")
    assert entry[3] == "受理事项未在承诺时限内办结（服务对象个人原因除外）"
    assert entry[5:8] == ["3 件次 × 1", f"{MINUS}3.00", SCRIPT_NOTE]
    # the cap: 5 × 0.3 = 1.5 earned, 1 allowed, 0.5 not counted
    assert ["2023-05", "A", "便利化", "1.50", "1.00", f"{MINUS}0.50"] in rows
    void = next(r for r in rows if r[0] == "2023-05-0003")
    assert void[6] == "申诉成立：系误登"
    # Voids are for appeals and clerical slips alike: the heading says neither.
    assert "<h3>作废的记录</h3>" in police and "申诉作废" not in html
    # monthly totals so far this year: April 99.60 (rank 3), May 99.00 (rank 1)
    assert ["2023年4月", "99.60", "—", "3", "—"] in rows
    assert ["2023年5月", "99.00", f"{MINUS}0.60", "1", "+2"] in rows
    sport = html[html.index('data-department="市体育局">') :]
    assert "2023年5月：政务服务标准化计得 \u22121.00 分，按保底 0.00 分计" in sport


def test_a_card_marks_a_referral_line_as_the_detail_views_do(small: Path, tmp_path: Path):
    record(small)
    add(small, "-d", "市公安局", "-c", "2.4.13", "--month", "2023-05")
    out = tmp_path / "may.html"
    written(small, out, "2023-05", "-d", "公安局")
    card = out.read_text(encoding="utf-8").split('data-department="市公安局">')[1]
    rows = [row for _, table in tables(card) for row in table]
    referred = [r for r in rows if len(r) > 5 and r[2] == "2.4.13"]
    assert referred and referred[0][5].startswith("移送纪检组织（人事）部门；"), referred


def test_a_recurring_entry_with_a_count_reads_as_items_each_month_on_the_page_and_workbook(
    small: Path, tmp_path: Path
):
    """2.4.9 (每月扣 1 分) recurring from September with -n 2: two matters outstanding,
    −2 in October, read "每月 2 项 × 1", not "2 个月 × 1" (two months), as `month
    --detail` reads it. C2 = 98, total = 25 + 0.40×98 + 20 + 15 = 99.20."""
    add(small, "-d", "市公安局", "-c", "2.4.9", "--recurring", "-n", "2", "--month", "2023-09")
    add(small, "-d", "市体育局", "-c", "2.4.3", "--month", "2023-10")  # October has a file
    page, book = tmp_path / "october.html", tmp_path / "october.xlsx"
    written(small, page, "2023-10", "-d", "公安局")
    card = page.read_text(encoding="utf-8").split('data-department="市公安局">')[1]
    rows = [row for _, table in tables(card) for row in table]
    [line] = [r for r in rows if len(r) > 6 and r[2] == "2.4.9"]
    assert line[:7] == [
        "2023-10",
        "2023-09-0001",
        "2.4.9",
        "未按《进驻人员管理办法》选派工作人员",
        "规范化",
        "每月 2 项 × 1（逐月计分）",
        f"{MINUS}2.00",
    ]
    assert ["2023年10月", "99.20"] in [r[:2] for r in rows]  # the card's monthly totals
    written(small, book, "2023-10")
    details = [[c.value for c in row] for row in openpyxl.load_workbook(book)["明细"].iter_rows()]
    assert [(r[1], r[2], r[5], r[6], r[7], r[8]) for r in details[1:]] == [
        ("市体育局", "2.4.3", 1, "1 件次 × 1", -1, None),  # 99.60 ranks first
        ("市公安局", "2.4.9", 2, "每月 2 项 × 1", -2, "逐月计分"),
    ]


def test_a_card_shows_a_typed_rate_as_typed_and_a_tiny_amount_as_its_digits(
    small: Path, tmp_path: Path
):
    """2.5.2 typed 99.999999: short 0.000001% × 0.1 = −0.0000001 (C2 99.9999999 → 100.00).
    Cut at 4 and 6 decimals it read 99.9999…%：少 0.0000…% and −0.000000…, as if nothing."""
    add(small, "-d", "市公安局", "-c", "2.5.2", "--value", "99.999999", "--month", "2023-06")
    page, book = tmp_path / "june.html", tmp_path / "june.xlsx"
    written(small, page, "2023-06", "-d", "公安局")
    card = page.read_text(encoding="utf-8").split('data-department="市公安局">')[1]
    rows = [row for _, table in tables(card) for row in table]
    [line] = [r for r in rows if len(r) > 6 and r[2] == "2.5.2"]
    assert line[5:7] == ["99.999999%：少 0.000001% × 0.1", f"{MINUS}0.0000001"]
    written(small, book, "2023-06")
    details = [[c.value for c in row] for row in openpyxl.load_workbook(book)["明细"].iter_rows()]
    assert [(r[2], r[6], r[7]) for r in details[1:]] == [
        ("2.5.2", "99.999999%：少 0.000001% × 0.1", -1e-07)
    ]


def test_year_page_matches_year_json(small: Path, tmp_path: Path):
    """Means over April–May: 市公安局 C2 (99+97)/2 = 98, C3 100.5 → 25 + 39.2 + 20.1 + 15
    = 99.30; 市体育局 C1 (100+0)/2 = 50 → 12.5 + 40 + 20 + 15 = 87.50; 市民政局 vetoed."""
    record(small)
    out = tmp_path / "2023.html"
    written(small, out, "2023", "-d", "市公安局")
    html = out.read_text(encoding="utf-8")
    rows = ranking_rows(html)
    assert [(r[0], r[2], r[7]) for r in rows] == [
        ("1", "市公安局", "99.30"),
        ("2", "市体育局", "87.50"),
        ("3", "市民政局一票否决", "100.00"),
    ]
    expected = month_json(small, "year", "2023")
    assert {r[2].removesuffix("一票否决"): r[7] for r in rows} == {
        d["department"]: f"{d['total']:.2f}" for d in expected["departments"]
    }
    assert html.count('class="spark"') == 3  # a trend line per department
    assert "考评月份 2023年4月至2023年5月（2 个月）" in html
    assert "台账中没有上一年度的记录，不作比较。" in html


def test_default_file_name_and_stdout_is_the_path_only(small: Path, tmp_path: Path):
    record(small)
    work = tmp_path / "out"
    work.mkdir()
    done = run_process("--root", str(small), "report", "2023-05", cwd=work)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "govscore-2023-05.html\n"
    assert [p.name for p in work.iterdir()] == ["govscore-2023-05.html"]


@pytest.mark.parametrize("name", ["report.pdf", "report.csv", "report", "report.xls"])
def test_another_suffix_is_a_usage_error_and_writes_nothing(small: Path, tmp_path: Path, name: str):
    record(small)
    work = tmp_path / "out"
    work.mkdir()
    done = run_process("--root", str(small), "report", "2023-05", "-o", name, cwd=work)
    assert done.returncode == 2
    assert done.stdout == ""
    assert ".html" in done.stderr and ".xlsx" in done.stderr
    assert list(work.iterdir()) == []


def test_a_name_without_a_suffix_is_told_what_o_takes(small: Path, tmp_path: Path):
    """Not "not ''": the clerk who typed -o 月报 is told the name wants .html or .xlsx."""
    done = run(small, "report", "2023-05", "-o", str(tmp_path / "月报"))
    assert done.exit_code == 2
    assert done.stderr == (
        f"error: {tmp_path / '月报'}: -o takes a file name ending in .html (a web page) or "
        f".xlsx (a workbook), such as {tmp_path / '月报.html'}; nothing written\n"
    )
    assert not (tmp_path / "月报").exists() and not (tmp_path / "月报.html").exists()


def test_an_ending_without_a_name_is_given_one(small: Path, tmp_path: Path):
    """Review BB F7: `-o .html` (an ending, no name) was told to write .html.html."""
    done = run(small, "report", "2023-05", "-o", str(tmp_path / ".html"))
    assert done.exit_code == 2
    assert done.stderr == (
        f"error: {tmp_path / '.html'}: -o takes a file name ending in .html (a web page) or "
        f".xlsx (a workbook), such as {tmp_path / 'govscore-2023-05.html'}; nothing written\n"
    )
    assert not (tmp_path / ".html").exists()


def test_usage_errors_write_nothing(small: Path, tmp_path: Path):
    record(small)
    for args in (
        ["report", "2023-13"],
        ["report", "23"],
        ["report", "2023-05", "-d", "市公按局"],
        ["report", "2031"],
        ["report", "2023-05", "-o", str(tmp_path / "no" / "such" / "x.html")],
        ["report", "2023-05", "--at", "no-such-revision"],
    ):
        result = run(small, *args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stdout == "" or "Usage" in result.output
    assert not list(tmp_path.glob("**/*.html")) and not list(Path.cwd().glob("govscore-*"))
    assert "did you mean 市公安局" in run(small, "report", "2023-05", "-d", "市公按局").output


def test_a_ledger_with_problems_still_writes_the_report_and_says_which(small: Path, tmp_path: Path):
    record(small)
    with (small / "ledger" / "2023-05.toml").open("a", encoding="utf-8") as handle:
        # a hand-chosen id: one in govscore's pattern (2023-05-0099) would also be a gap
        handle.write(
            '\n[[entry]]\nid = "2023-05-h099"\ndepartment = "市公安局"\nclause = "9.9.9"\n'
        )
    for suffix in ("html", "xlsx"):
        out = tmp_path / f"may.{suffix}"
        done = run_process("--root", str(small), "report", "2023-05", "-o", str(out))
        assert done.returncode == 1, done.stderr
        assert done.stdout == f"{out}\n"
        assert "ledger/2023-05.toml:" in done.stderr and "9.9.9" in done.stderr
        assert out.exists()
    html = (tmp_path / "may.html").read_text(encoding="utf-8")
    banner = html[html.index('id="problems"') : html.index('id="ranking"')]
    assert "台账中有 1 个问题（有问题的记录未计入本月考评）" in banner
    assert "ledger/2023-05.toml:" in banner and "2023-05-h099" in banner and "9.9.9" in banner
    # the figures are still those of `month`, which leaves the same entry out
    rows = ranking_rows(html)
    assert rows[0][2] == "市公安局" and rows[0][7] == "99.00"
    book = openpyxl.load_workbook(tmp_path / "may.xlsx")
    assert book.sheetnames == ["排名", "明细", "作废", "问题"]
    problem = [c.value for c in book["问题"][2]]
    assert problem[0] == "ledger/2023-05.toml" and problem[2] == "2023-05-h099"
    warning = [c.value for row in book["排名"].iter_rows() for c in row if c.value]
    assert "台账中有 1 个问题，相关记录未计入考评：见“问题”工作表" in warning


def _unknown_department(root: Path, month: str, entry_id: str) -> None:
    """Append to `month`'s file an entry of a department no list holds: a problem there."""
    with (root / "ledger" / f"{month}.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            f'\n[[entry]]\nid = "{entry_id}"\ndepartment = "市不存在局"\nclause = "2.4.3"\n'
        )


def test_a_report_names_only_the_problems_that_can_reach_its_period(small: Path, tmp_path: Path):
    """Review AR F2: a May report said a problem of a later month's file left entries out
    of May. It lists the problems of May's file and earlier ones (April's, whose entry
    could be recurring) and says in one line how many others the ledger has. stderr, the
    exit code and `month`'s JSON still name every problem, for the clerk and a cron job."""
    record(small)
    _unknown_department(small, "2023-04", "2023-04-h001")
    _unknown_department(small, "2023-06", "2023-06-h001")
    _unknown_department(small, "2024-01", "2024-01-h001")
    for suffix in ("html", "xlsx"):
        out = tmp_path / f"may.{suffix}"
        done = run_process("--root", str(small), "report", "2023-05", "-o", str(out))
        assert done.returncode == 1, done.stderr
        for where in ("ledger/2023-04.toml:", "ledger/2023-06.toml:", "ledger/2024-01.toml:"):
            assert where in done.stderr
    listed = (
        "<li><code>ledger/2023-04.toml:10</code>（记录 2023-04-h001）："
        "未知部门 &#39;市不存在局&#39;</li>"  # Chinese in an English run too (BD F1)
    )
    others = (
        "台账中另有 2 个问题，在晚于 2023-05 的月度台账文件中，不涉及本月考评"
        "（运行 govscore check 查看）"
    )
    html = (tmp_path / "may.html").read_text(encoding="utf-8")
    top = html[html.index('<section class="problems"') : html.index('<section id="ranking">')]
    assert top == (
        '<section class="problems" id="problems">\n'
        "<h2>台账中有 1 个问题（有问题的记录未计入本月考评）</h2>\n"
        f"<ol>\n{listed}\n</ol>\n</section>\n\n"
        f'<p class="note" id="other-problems">{others}</p>\n\n'
    )
    book = openpyxl.load_workbook(tmp_path / "may.xlsx")
    sheet = [[c.value for c in row] for row in book["问题"].iter_rows()]
    assert sheet == [
        ["文件", "行", "记录", "字段", "说明"],
        ["ledger/2023-04.toml", 10, "2023-04-h001", "部门", "未知部门 '市不存在局'"],
    ]
    said = [row[0].value for row in book["排名"].iter_rows(max_row=7)]
    assert said[3:] == [
        "排名升降、总分变化与 2023-04 相比（+ 为上升）",
        "台账中有 1 个问题，相关记录未计入考评：见“问题”工作表",
        others,
        None,
    ]
    # `month` keeps its contract: every problem in its JSON, and exit 1.
    month = run(small, "month", "2023-05", "--format", "json")
    assert month.exit_code == 1
    files = [p["file"] for p in json.loads(month.stdout)["problems"]]
    assert files == ["ledger/2023-04.toml", "ledger/2023-06.toml", "ledger/2024-01.toml"]


def test_a_month_with_only_later_problems_says_so_in_one_line(small: Path, tmp_path: Path):
    """The review's case: a problem only in a later month's file. The page and the
    workbook list nothing as left out of the month, and have no 问题 sheet."""
    record(small)
    _unknown_department(small, "2023-09", "2023-09-h001")
    others = (
        "台账中另有 1 个问题，在晚于 2023-04 的月度台账文件中，不涉及本月考评"
        "（运行 govscore check 查看）"
    )
    for suffix in ("html", "xlsx"):
        out = tmp_path / f"april.{suffix}"
        done = run_process("--root", str(small), "report", "2023-04", "-o", str(out))
        assert done.returncode == 1 and "ledger/2023-09.toml:" in done.stderr
    html = (tmp_path / "april.html").read_text(encoding="utf-8")
    assert 'id="problems"' not in html and "未计入" not in html
    assert f'<p class="note" id="other-problems">{others}</p>' in html
    book = openpyxl.load_workbook(tmp_path / "april.xlsx")
    assert book.sheetnames == ["排名", "明细", "作废"]
    said = [row[0].value for row in book["排名"].iter_rows(max_row=6)]
    assert said[3:] == ["台账中没有上一期的记录，不作比较", others, None]


def test_a_year_report_names_the_problems_of_its_year_and_earlier(small: Path, tmp_path: Path):
    """A year's report lists the problems of its own and earlier years' files; a later
    year's file cannot reach it (the review's May report listed one of 2024)."""
    record(small)
    _unknown_department(small, "2022-12", "2022-12-h001")
    _unknown_department(small, "2023-05", "2023-05-h001")
    _unknown_department(small, "2024-01", "2024-01-h001")
    out = tmp_path / "2023.html"
    done = run_process("--root", str(small), "report", "2023", "-o", str(out))
    assert done.returncode == 1 and "ledger/2024-01.toml:" in done.stderr
    html = out.read_text(encoding="utf-8")
    top = html[html.index('<section class="problems"') : html.index('<section id="ranking">')]
    assert "<h2>台账中有 2 个问题（有问题的记录未计入本年度考评）</h2>" in top
    assert re.findall(r"<code>(ledger/[^<:]*)", top) == [
        "ledger/2022-12.toml",
        "ledger/2023-05.toml",
    ]
    assert (
        '<p class="note" id="other-problems">台账中另有 1 个问题，在晚于 2023 年的月度台账'
        "文件中，不涉及本年度考评（运行 govscore check 查看）</p>"
    ) in top


def test_only_a_later_month_file_cannot_reach_a_period():
    """A problem of configuration, an amendment, the ledger folder or a file in it not
    named as a month can touch any period; a month file only its month and later."""
    files = [
        "ledger/2023-04.toml",
        "ledger/2023-05.csv",
        "ledger/2023-06.toml",
        "ledger/2023-6.toml",
        "ledger",
        "departments.toml",
        "amendments/2023-11-01.toml",
        ".govscore-cache/scores.cache",
    ]
    reach = [f for f in files if may_reach(Problem(f, 1, "x"), "2023-05")]
    assert reach == [f for f in files if f != "ledger/2023-06.toml"]


def test_a_report_of_an_empty_month_says_so_on_stderr_the_page_and_the_workbook(
    small: Path, tmp_path: Path
):
    # May has a file; February (a typo for the month meant) has none and no recurring
    # entry stands in it: every department at base, as `month 2023-02` warns.
    add(small, "-d", "市公安局", "-c", "2.4.3", "--month", "2023-05")
    note = (
        "注意：台账中没有 2023-02 的记录：ledger/ 中没有 2023-02 的文件，也没有延续到该月"
        "的逐月计分记录，各部门均按基础分计。请核对考评月份。"
    )
    warning = (
        "warning: 2023-02 is empty: ledger/ has no 2023-02 file and no recurring entry "
        "stands in it, so every department is at the base score\n"
    )
    for suffix in ("html", "xlsx"):
        out = tmp_path / f"february.{suffix}"
        done = run_process("--root", str(small), "report", "2023-02", "-o", str(out))
        assert (done.returncode, done.stdout, done.stderr) == (0, f"{out}\n", warning)
    html = (tmp_path / "february.html").read_text(encoding="utf-8")
    banner = html[html.index('id="empty"') : html.index('id="ranking"')]
    assert f"<h2>{note}</h2>" in banner
    said = [
        c.value
        for row in openpyxl.load_workbook(tmp_path / "february.xlsx")["排名"].iter_rows()
        for c in row
    ]
    assert note in said
    # A month with a file says nothing of the kind.
    may = run_process("--root", str(small), "report", "2023-05", "-o", str(tmp_path / "may.html"))
    assert may.stderr == "" and 'id="empty"' not in (tmp_path / "may.html").read_text("utf-8")


def test_workbook_dates_are_dates_and_problems_read_as_the_office_writes(
    small: Path, tmp_path: Path
):
    record(small)  # its void of 2023-05-0003 is dated the day it was recorded
    with (small / "ledger" / "2023-05.toml").open("a", encoding="utf-8") as handle:
        # 2023-05-0099 after 2023-05-0007: a gap (id), and an unknown clause (clause)
        handle.write(
            '\n[[entry]]\nid = "2023-05-0099"\ndepartment = "市公安局"\nclause = "9.9.9"\n'
        )
    voided = [e for e in json.loads(run(small, "log", "--format", "json").stdout) if e["void"]]
    for suffix in ("html", "xlsx"):
        out = tmp_path / f"may.{suffix}"
        done = run_process("--root", str(small), "report", "2023-05", "-o", str(out))
        assert done.returncode == 1
        assert "(`govscore audit --since TAG` compares" in done.stderr  # the clerk's hint
    book = openpyxl.load_workbook(tmp_path / "may.xlsx")
    when = book["作废"]["J2"]
    assert when.value == datetime.fromisoformat(voided[0]["date"])
    assert when.number_format == "yyyy-mm-dd"
    problems = [[c.value for c in row] for row in book["问题"].iter_rows(min_row=2)]
    assert [(p[2], p[3]) for p in problems] == [(None, "编号"), ("2023-05-0099", "条款")]
    # The report sent upward says what is wrong, not which command the clerk runs; in
    # Chinese, as the rest of it, though this run's language is English (review BD F1).
    assert problems[0][4].endswith("有记录从台账或其 git 历史中被删除")
    html = (tmp_path / "may.html").read_text(encoding="utf-8")
    assert "govscore audit" not in html
    assert "有记录从台账或其 git 历史中被删除</li>" in html
    assert "unknown clause" not in html and "未知条款" in html


def test_a_report_sent_upward_names_no_command_for_the_clerk(small: Path, tmp_path: Path):
    """An unknown department's problem tells the clerk to run `govscore departments`: a
    report sent upward keeps what is wrong and leaves the command out (stderr keeps it)."""
    record(small)
    with (small / "ledger" / "2023-05.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            '\n[[entry]]\nid = "2023-05-0008"\ndepartment = "市不存在局"\nclause = "2.4.3"\n'
        )
    for suffix in ("html", "xlsx"):
        done = run_process(
            "--root", str(small), "report", "2023-05", "-o", str(tmp_path / f"m.{suffix}")
        )
        assert done.returncode == 1 and "`govscore departments`" in done.stderr
    html = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert "未知部门 &#39;市不存在局&#39;" in html and "govscore departments" not in html
    book = openpyxl.load_workbook(tmp_path / "m.xlsx")
    said = [str(c.value) for row in book["问题"].iter_rows(min_row=2) for c in row]
    assert any("未知部门 '市不存在局'" in s for s in said)
    assert not any("govscore departments" in s for s in said)


def test_cached_and_uncached_reports_are_the_same_page(small: Path, tmp_path: Path):
    """Clause sums come from the cache's snapshot (extended by appends) on warm runs."""
    record(small)
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    assert run(small, "month", "2023-05").exit_code == 0  # builds the cache
    add(small, "-d", "市公安局", "-c", "2.4.3", "--month", "2023-05")  # extends it
    written(small, first, "2023-05")
    assert run(small, "--no-cache", "report", "2023-05", "-o", str(second)).exit_code == 0
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")
    assert f"{MINUS}4.00" in first.read_text(encoding="utf-8")  # 2.4.3: 3 + 1 across May


# -- the workbook -----------------------------------------------------------------------


def test_workbook_ranking_sheet_holds_the_json_figures(small: Path, tmp_path: Path):
    record(small)
    out = tmp_path / "may.xlsx"
    written(small, out, "2023-05")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["排名", "明细", "作废"]
    sheet = book["排名"]
    # The title and the lines on the figures stand above the table, a blank row between.
    above = [[c.value for c in row] for row in sheet.iter_rows(max_row=5, max_col=11)]
    assert [row[0] for row in above] == [
        "2023年5月政务服务工作月度考评结果",
        above[1][0],
        "考评依据 2023-03-27 烟政管办〔2023〕2号",
        "排名升降、总分变化与 2023-04 相比（+ 为上升）",
        None,
    ]
    assert above[1][0].startswith("烟台市政务服务管理办公室 · 台账")
    assert all(value is None for row in above for value in row[1:])
    header = [c.value for c in sheet[6]][:11]
    assert header == [
        "排名", "排名升降", "部门（单位）", "标准化", "规范化", "便利化", "改革创新",
        "总分", "总分变化", "一票否决", "备注",
    ]  # fmt: skip
    assert sheet.max_column == 11  # nothing beside the table
    rows = [[c.value for c in row][:11] for row in sheet.iter_rows(min_row=7, max_row=9)]
    assert rows == [
        [1, 2, "市公安局", 100, 97, 101, 100, 99, -0.6, None, "加分封顶 A"],
        [2, -1, "市体育局", 0, 100, 100, 100, 75, -25, None, None],
        [3, -2, "市民政局", 100, 100, 100, 100, 100, 0, "2023-05-0004", "一票否决（2023-05-0004）"],
    ]
    expected = month_json(small, "month", "2023-05")["departments"]
    assert [(r[0], r[2], r[7]) for r in rows] == [
        (d["rank"], d["department"], d["total"]) for d in expected
    ]
    assert [r[3:7] for r in rows] == [list(d["categories"].values()) for d in expected]
    assert sheet["H7"].number_format == "0.00" and sheet["D7"].number_format == "0.00"
    assert sheet["I7"].number_format == "+0.00;-0.00;0.00"
    assert sheet.freeze_panes == "A7"  # the lines and the header stay in view
    assert sheet.auto_filter.ref == "A6:K9"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.print_title_rows == "$6:$6"
    # Printed, the table's columns fit one page's width: the print area is the lines, the
    # table (rows 1–9) and the chart below it (from row 11, 420 px = 21 rows of 20 px),
    # columns A–K only; the chart starts a page of its own.
    assert sheet.print_area == "'排名'!$A$1:$K$32"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    # one page wide (1, Excel's default, left unwritten), as many pages high as it takes
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (None, 0)
    assert [brk.id for brk in sheet.row_breaks.brk] == [10]


def test_workbook_columns_fit_chinese_text(small: Path, tmp_path: Path):
    record(small)
    out = tmp_path / "may.xlsx"
    written(small, out, "2023-05")
    sheet = openpyxl.load_workbook(out)["明细"]
    widths = {col: sheet.column_dimensions[col].width for col in "ABCDEFGHIJKL"}
    # 考评内容 of 2.4.3: 26 wide characters count 52 columns (XlsxWriter's autofit says ~30)
    text = "受理事项未在承诺时限内办结（服务对象个人原因除外）"
    assert text_width(text) == 50
    assert widths["D"] >= 50
    assert widths["B"] >= text_width("部门（单位）")


def test_workbook_details_and_voids(small: Path, tmp_path: Path):
    record(small)
    out = tmp_path / "may.xlsx"
    written(small, out, "2023-05")
    book = openpyxl.load_workbook(out)
    details = [[c.value for c in row] for row in book["明细"].iter_rows(min_row=2)]
    # departments in the order of 排名 (公安, 体育, then 民政, vetoed, last; departments.toml
    # has 公安, 民政, 体育), then ledger order, each department's cap cut and floor lift
    # after its entries (see `record`): 市公安局's 3.3.1 × 5 = +1.5, capped at 1: −0.5;
    # 市体育局's C1 100 − 101 = −1, lifted to the floor 0: +1.
    ranked = [r[2].value for r in book["排名"].iter_rows(min_row=2)]
    assert [name for name in ranked if name in ("市公安局", "市民政局", "市体育局")] == [
        "市公安局",
        "市体育局",
        "市民政局",
    ]
    assert [(r[0], r[1], r[2], r[4], r[5], r[7], r[8], r[10]) for r in details] == [
        ("2023-05", "市公安局", "2.4.3", "规范化", 3, -3, None, "2023-05-0001"),
        ("2023-05", "市公安局", "3.3.1", "便利化", 5, 1.5, "加分上限组 A", "2023-05-0002"),
        ("2023-05", "市公安局", "封顶 A", "便利化", None, -0.5, "加分封顶", None),
        ("2023-05", "市体育局", "1.1.1", "标准化", 101, -101, None, "2023-05-0005"),
        ("2023-05", "市体育局", "保底", "标准化", None, 1, "保底", None),
        ("2023-05", "市民政局", "4.4.1", "改革创新", 1, 0, None, "2023-05-0004"),
    ]
    assert details[2][6] == "加分 1.5 超过上限 1"
    assert details[4][6] == "得分 -1.00，低于保底 0 分，按 0 分计"
    # So a department's rows add up to its category scores: 100 + 1.5 − 0.5 = 101 (C3),
    # 100 − 101 + 1 = 0 (C1), as the ranking says.
    ranking = {r[2].value: r for r in book["排名"].iter_rows(min_row=2)}
    for name, column, category in (("市公安局", 5, "便利化"), ("市体育局", 3, "标准化")):
        rows = [r for r in details if r[1] == name and r[4] == category]
        assert 100 + sum(Decimal(str(r[7])) for r in rows) == Decimal(
            str(ranking[name][column].value)
        )
    assert details[0][9] == SCRIPT_NOTE
    formula = book["明细"]["J3"]
    assert formula.value == FORMULA_NOTE and formula.data_type == "s"  # text, never run
    assert book["明细"]["H2"].number_format == "0.00"
    assert book["明细"].freeze_panes == "A2"
    voids = [[c.value for c in row] for row in book["作废"].iter_rows(min_row=2)]
    assert [(v[0], v[2], v[3], v[7]) for v in voids] == [
        ("2023-05-0003", "市公安局", "2.4.3", "申诉成立：系误登")
    ]


def test_workbook_details_hold_exact_amounts(small: Path, tmp_path: Path):
    # 市公安局, June: 2.5.1 at 1997/2003 = 99.70044…%: −(100 − 99.70044…) × 0.1 = −0.0299550…;
    # 2.5.3 at 99.95%: −0.05 × 0.1 = −0.005. C2 = 100 − 0.0349550… = 99.965… → 99.97, which
    # the cells rounded one by one (−0.03, −0.01: 99.96) would not add up to.
    june = ("--month", "2023-06")
    add(small, "-d", "公安局", "-c", "2.5.1", "--numerator", "1997", "--denominator", "2003", *june)
    add(small, "-d", "公安局", "-c", "2.5.3", "--value", "99.95", *june)
    out = tmp_path / "june.xlsx"
    written(small, out, "2023-06")
    book = openpyxl.load_workbook(out)
    details = [[c.value for c in row] for row in book["明细"].iter_rows(min_row=2)]
    shortfall = 100 - Decimal(1997) * 100 / 2003
    assert [(r[1], r[2], r[7]) for r in details] == [
        # XlsxWriter writes 16 significant digits (Excel keeps 15)
        ("市公安局", "2.5.1", pytest.approx(float(-shortfall * Decimal("0.1")), rel=1e-15)),
        ("市公安局", "2.5.3", -0.005),
    ]
    assert details[0][6] == "1997/2003 = 99.7004…%：少 0.2995…% × 0.1"
    assert book["明细"]["H2"].number_format == "0.00"  # shown with 2 decimals
    ranking = {r[2].value: r for r in book["排名"].iter_rows(min_row=2)}
    police = sum(Decimal(str(r[7])) for r in details)
    assert round(100 + police, 2) == Decimal(str(ranking["市公安局"][4].value)) == Decimal("99.97")


def test_workbook_details_mark_a_referral(small: Path, tmp_path: Path):
    # 市民政局 2.4.13 × 1: −5 in C2, referred to 纪检组织（人事）部门, as `month --detail` says.
    add(small, "-d", "市民政局", "-c", "2.4.13", "--month", "2023-06", "--note", "推诿")
    out = tmp_path / "june.xlsx"
    written(small, out, "2023-06")
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(out)["明细"].iter_rows()]
    assert [(r[2], r[7], r[8], r[9]) for r in rows] == [
        ("条款", "分值", "计分方式", "说明"),
        ("2.4.13", -5, "移送纪检组织（人事）部门", "推诿"),
    ]


def test_workbook_charts_are_native(small: Path, tmp_path: Path):
    record(small)
    month_file, year_file = tmp_path / "may.xlsx", tmp_path / "2023.xlsx"
    written(small, month_file, "2023-05")
    written(small, year_file, "2023")
    with zipfile.ZipFile(month_file) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        column = archive.read(charts[0]).decode("utf-8")
    assert "<c:barChart>" in column and '<c:barDir val="col"/>' in column
    assert "<c:f>排名!$C$7:$C$9</c:f>" in column and "<c:f>排名!$H$7:$H$9</c:f>" in column
    assert "C0392B" in column  # the vetoed department's column set apart
    with zipfile.ZipFile(month_file) as archive:
        [drawing] = [n for n in archive.namelist() if n.startswith("xl/drawings/drawing")]
        anchor = archive.read(drawing).decode("utf-8")
    # Below the table (row 11, column A), as wide as its columns A–K and no wider.
    start, end = re.findall(
        r"<xdr:col>(\d+)</xdr:col><xdr:colOff>\d+</xdr:colOff><xdr:row>(\d+)", anchor
    )
    assert start == ("0", "10") and int(end[0]) <= 11
    with zipfile.ZipFile(year_file) as archive:
        kinds = [archive.read(n).decode("utf-8") for n in archive.namelist() if "charts/chart" in n]
    assert any("<c:lineChart>" in text and "月度!$B$1:$C$1" in text for text in kinds)


def test_year_workbook_has_months_sheet(small: Path, tmp_path: Path):
    record(small)
    out = tmp_path / "2023.xlsx"
    written(small, out, "2023")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["排名", "明细", "作废", "月度"]
    months = [[c.value for c in row] for row in book["月度"].iter_rows()]
    assert months[0] == ["部门（单位）", "2023-04", "2023-05", "年度总分", "排名"]
    year = month_json(small, "year", "2023")["departments"]
    assert months[1:] == [
        [d["department"], d["monthly"]["2023-04"], d["monthly"]["2023-05"], d["total"], d["rank"]]
        for d in year
    ]
    assert months[1] == ["市公安局", 99.6, 99, 99.3, 1]
    # Its line chart prints below the table on a page of its own (from row 7, 400 px =
    # 20 rows of 20 px), within the table's columns A–E.
    sheet = book["月度"]
    assert sheet.print_area == "'月度'!$A$1:$E$27"
    assert [brk.id for brk in sheet.row_breaks.brk] == [6]
    # April and May entries, each in the month it counted, and May's cap and floor; every
    # month's departments in the year's 排名 order (市民政局, vetoed in May, last)
    details = [(r[0].value, r[2].value) for r in book["明细"].iter_rows(min_row=2)]
    assert details[0] == ("2023-04", "2.4.3") and len(details) == 7
    assert ("2023-05", "封顶 A") in details and details[-1] == ("2023-05", "4.4.1")


def test_at_revision_reports_what_was_committed(small: Path, tmp_path: Path):
    record(small)
    subprocess.run(["git", "add", "-A"], cwd=small, check=True, capture_output=True)
    subprocess.run(["git", "commit", "-qm", "ledger"], cwd=small, check=True)
    add(small, "-d", "市公安局", "-c", "2.4.3", "-n", "10", "--month", "2023-05")
    committed, now = tmp_path / "at.html", tmp_path / "now.html"
    written(small, committed, "2023-05", "--at", "HEAD")
    written(small, now, "2023-05")
    assert ranking_rows(committed.read_text(encoding="utf-8"))[0][7] == "99.00"
    assert "含未提交的记录" in now.read_text(encoding="utf-8")
    assert "不含未提交的记录" in committed.read_text(encoding="utf-8")


def test_a_total_change_is_the_change_between_the_totals_shown():
    """The change beside two totals is their difference as shown (each rounded half-up),
    so the page never contradicts itself: 100.00 then 99.985 (shown 99.99) is −0.01, not
    the exact −0.015 rounded to −0.02; two totals shown alike change by 0.00, never −0.00."""
    from govscore.report.page import change

    assert signed(change(Decimal("99.985"), Decimal("100"))) == f"{MINUS}0.01"
    assert signed(change(Decimal("99.996"), Decimal("100.004"))) == "0.00"
    assert signed(change(Decimal("100.004"), Decimal("99.995"))) == "0.00"
    assert signed(change(Decimal("98.8"), Decimal("99.6"))) == f"{MINUS}0.80"
    assert signed(change(Decimal("100.005"), Decimal("99.994"))) == "+0.02"  # 100.01 − 99.99


def test_signed_changes_use_a_real_minus_sign():
    assert signed(Decimal("0.445")) == "+0.45"  # half-up
    assert signed(Decimal("-2")) == f"{MINUS}2.00"
    assert signed(Decimal("0")) == "0.00"
    assert signed(None) == "—"
    assert (places(2), places(-3), places(0), places(None)) == ("+2", f"{MINUS}3", "0", "—")
    assert text_width("市公安局 A1") == 11


def test_a_period_reads_as_people_write_it(small: Path, tmp_path: Path):
    """2023年5月 is the month 2023-05; ２０２３ (full-width) the year 2023."""
    record(small)
    work = tmp_path / "out"
    work.mkdir()
    for written_as, name in (
        ("2023年5月", "govscore-2023-05.html"),
        ("２０２３", "govscore-2023.html"),
    ):
        done = run_process("--root", str(small), "report", written_as, cwd=work)
        assert done.returncode == 0, done.stderr
        assert done.stdout == f"{name}\n"
    assert sorted(p.name for p in work.iterdir()) == ["govscore-2023-05.html", "govscore-2023.html"]


def sheet_values(path: Path) -> dict[str, list[list[object]]]:
    book = openpyxl.load_workbook(path)
    return {s.title: [[c.value for c in row] for row in s.iter_rows()] for s in book}


def test_a_big_workbook_written_row_by_row_holds_the_same_cells(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Above BIG entries XlsxWriter keeps no row once the next is begun (constant memory):
    the text above the ranking must still be there, and every cell the same."""
    from govscore.report import workbook

    record(small)
    plain, big = tmp_path / "plain.xlsx", tmp_path / "big.xlsx"
    written(small, plain, "2023")
    monkeypatch.setattr(workbook, "BIG", 1)
    written(small, big, "2023")
    assert sheet_values(big) == sheet_values(plain)
    assert "2023年度政务服务工作年度考评结果" in sheet_values(big)["排名"][0]


def test_details_beyond_excel_rows_go_on_to_another_sheet(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from govscore.report import workbook

    record(small)
    out = tmp_path / "2023.xlsx"
    monkeypatch.setattr(workbook, "MAX_ROWS", 5)  # a header and 4 rows a sheet
    written(small, out, "2023")
    sheets = sheet_values(out)
    assert [name for name in sheets if name.startswith("明细")] == ["明细", "明细2"]
    # Five entries, and May's cap (after 市公安局's) and floor (after 市体育局's), in the
    # order of 排名: 市民政局, vetoed, last.
    rows = [row[10] or row[2] for row in sheets["明细"][1:] + sheets["明细2"][1:]]
    assert rows == [
        "2023-04-0001",
        "2023-05-0001",
        "2023-05-0002",
        "封顶 A",
        "2023-05-0005",
        "保底",
        "2023-05-0004",
    ]
    # Rows that just fill a sheet leave no empty one after it.
    monkeypatch.setattr(workbook, "MAX_ROWS", 8)
    written(small, out, "2023")
    filled = sheet_values(out)
    assert [name for name in filled if name.startswith("明细")] == ["明细"]
    assert [row[10] or row[2] for row in filled["明细"][1:]] == rows


def test_a_voided_close_is_listed_in_the_workbook_and_on_its_departments_card(
    small: Path, tmp_path: Path
):
    """A close voided as 误关 changed 市民政局's months (3.1.3 deducts again after it), yet
    the workbook's 作废 sheet and the card listed only voided score entries; `log
    --voided` lists it (review AB F8). It is listed under the department and clause of
    the entry it closed, 说明 saying what it closed.

    3.1.3 from May, closed through May, the close voided: −2 in May and June, C3 98 →
    25 + 40 + 19.6 + 15 = 99.6 in June."""
    recurring = add(small, "-d", "市民政局", "-c", "3.1.3", "--recurring", "--month", "2023-05")
    closed = run(small, "close", recurring, "--through", "2023-05", "--note", "完成").stdout
    closed = closed.strip()
    void = run(small, "void", closed, "--reason", "误关").stdout.strip()
    add(small, "-d", "市公安局", "-c", "2.4.3", "--month", "2023-06")  # the ledger reaches June
    june = month_json(small, "month", "2023-06")["departments"]
    assert next(d for d in june if d["department"] == "市民政局")["total"] == 99.6
    said = f"终止计分 {recurring}（截至 2023-05）；完成"
    out = tmp_path / "may.xlsx"
    written(small, out, "2023-05")
    book = openpyxl.load_workbook(out)
    voids = [[c.value for c in row][:8] for row in book["作废"].iter_rows(min_row=2)]
    text = '牵头部门未按时完成"一件事"改革任务'
    assert voids == [[closed, "2023-05", "市民政局", "3.1.3", text, said, void, "误关"]]
    html = written(small, tmp_path / "may.html", "2023-05", "-d", "民政局")
    card = html[html.index('data-department="市民政局">') :]
    rows = [row for _, table in tables(card) for row in table]
    assert next(r for r in rows if r[0] == closed)[:7] == [
        closed, "2023-05", "3.1.3", text, said, void, "误关"
    ]  # fmt: skip


ANNUAL_DEDUCTION = """\
[notice]
number = "烟政管办〔2023〕7号"

[[clause]]
id = "4.4.6"
text = "年度考评发现重大问题"
effect = "-"
kind = "fixed"
points = 30
unit = "项"
annual = true
"""


def test_an_annual_deduction_is_called_one_in_the_workbook_and_on_the_card(
    small: Path, tmp_path: Path
):
    """Review AF F3: a notice's annual deduction clause was flagged 年度考评加分 (an
    annual bonus) in the year workbook's 明细 and on the page's cards."""
    (small / "amendments").mkdir()
    (small / "amendments" / "2023-07-01.toml").write_text(ANNUAL_DEDUCTION, encoding="utf-8")
    add(small, "-d", "市公安局", "-c", "4.4.6", "--month", "2023-10")
    book, page = tmp_path / "year.xlsx", tmp_path / "year.html"
    written(small, book, "2023")
    details = [[c.value for c in row] for row in openpyxl.load_workbook(book)["明细"].iter_rows()]
    [row] = [r for r in details[1:] if r[2] == "4.4.6"]
    assert (row[7], row[8]) == (-30, "年度考评扣分")
    written(small, page, "2023", "-d", "公安局")
    assert "（年度考评扣分）" in page.read_text(encoding="utf-8")
    assert "（年度考评加分）" not in page.read_text(encoding="utf-8")
