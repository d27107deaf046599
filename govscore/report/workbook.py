"""The report as an Excel workbook (XlsxWriter): what a clerk used to copy by hand.

Sheets 排名 (the title over the ranking, a column chart of totals below), 明细 (every
counted entry, in the ranking's order), 作废
(entries voided on appeal), for a year 月度 (departments × months, a line chart of the
top and bottom few), and 问题 when problems can reach the period. Figures are numbers (the
`month --format json` figures: exact, rounded half-up to 2 decimals), shown with 2
decimals; 明细's amounts are unrounded (shown with 2 decimals), so that Excel's sum of
a department's rows is its category score. Dates are Excel dates. Text is always
written as text, so a note that starts with = stays a note.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, islice
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Format, Workbook
from xlsxwriter.worksheet import Worksheet

from govscore.figures import exact, exact_number, number, plain
from govscore.model import FIELD_WORDS
from govscore.report import charts
from govscore.report.page import Adjustment, Counted, Report, reported
from govscore.report.shapes import cap_how, floor_how
from govscore.rules.scoring import CapUse

MAX_ROWS = 1_048_576  # Excel's rows per sheet, the header row included
MAX_TEXT = 32_767  # Excel's characters per cell
BIG = 20_000  # above this many entries, rows go to disk as written (constant memory)
SAMPLE = 2_000  # rows measured for column widths
WIDEST = 60  # columns wider than this wrap their text
LINES = 3  # the trend chart shows the top and the bottom few


def text_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: Chinese (wide) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[float]:
    """Widths that fit the header and the cells (measured by East Asian width), capped."""
    widths = [text_width(h) for h in headers]
    for row in rows[:SAMPLE]:
        for i, cell in enumerate(row):
            shown = f"{cell:.2f}" if isinstance(cell, float) else "" if cell is None else str(cell)
            widths[i] = max(widths[i], text_width(shown))
    return [min(w, WIDEST) + 2.5 for w in widths]


class Styles:
    """The workbook's cell formats, plain and for a vetoed row."""

    def __init__(self, book: Workbook):
        font = {"font_name": "Microsoft YaHei", "font_size": 10, "valign": "top"}
        border = {"border": 1, "border_color": "#C4C4C4"}

        def make(**extra: Any) -> Format:
            return book.add_format({**font, **border, **extra})

        veto = {"bg_color": "#FDECEC"}
        self.header = make(bold=True, bg_color="#EEF3FA", align="center", text_wrap=True)
        self.text = make()
        self.wrap = make(text_wrap=True)
        self.figure = make(num_format="0.00")
        self.change = make(num_format="+0.00;-0.00;0.00")
        self.integer = make(num_format="0")
        self.places = make(num_format="+0;-0;0")
        self.date = make(num_format="yyyy-mm-dd")
        self.veto_text = make(**veto, font_color="#B91C1C")
        self.veto_wrap = make(**veto, text_wrap=True)
        self.veto_figure = make(**veto, num_format="0.00")
        self.veto_change = make(**veto, num_format="+0.00;-0.00;0.00")
        self.veto_integer = make(**veto, num_format="0")
        self.veto_places = make(**veto, num_format="+0;-0;0")
        self.veto_date = make(**veto, num_format="yyyy-mm-dd")
        self.title = book.add_format({**font, "bold": True, "font_size": 14})
        self.info = book.add_format({**font})
        self.warning = book.add_format({**font, "bold": True, "font_color": "#B91C1C"})


Cell = tuple[Any, str]  # (value, kind): kind names the Styles format (text, figure, …)


def _put(sheet: Worksheet, row: int, col: int, cell: Cell, styles: Styles, veto: bool) -> None:
    value, kind = cell
    style = getattr(styles, f"veto_{kind}" if veto else kind)
    if value is None or value == "":
        sheet.write_blank(row, col, None, style)
    elif kind in ("text", "wrap"):
        sheet.write_string(row, col, str(value)[:MAX_TEXT], style)
    elif kind == "date":
        sheet.write_datetime(row, col, value, style)
    else:
        sheet.write_number(row, col, value, style)


def _table(
    book: Workbook,
    styles: Styles,
    name: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    vetoed: Callable[[int], bool] = lambda _: False,
    title: str = "",
    above: Sequence[tuple[str, Format]] = (),
) -> Worksheet:
    """A sheet holding one table: header row frozen and filtered, printed A4 landscape.

    `above` are lines of text over the table (its title first), a blank row between
    them and its header, as a 通报 prints: written first, since a big workbook keeps no
    row once the next is written. The rows are taken one at a time (a province's year
    has a million in 明细): the columns are as wide as the first SAMPLE of them need.
    The print area is the lines and the table, fitted to one page's width.
    """
    sheet = book.add_worksheet(name)
    rows = iter(rows)
    first = list(islice(rows, SAMPLE))
    widths = column_widths(headers, [[v for v, _ in row] for row in first])
    for i, width in enumerate(widths):
        wraps = width > WIDEST
        sheet.set_column(i, i, width, styles.wrap if wraps else None)
    top = _header_row(above)
    for r, (text, style) in enumerate(above):
        if r == 0:
            sheet.set_row(0, 24)  # the title's larger font
        sheet.write_string(r, 0, text, style)
    for col, header in enumerate(headers):
        sheet.write_string(top, col, header, styles.header)
    count = 0
    for count, row in enumerate(chain(first, rows), start=1):
        veto = vetoed(count - 1)
        for col, cell in enumerate(row):
            if cell[0] is not None and cell[1] == "text" and widths[col] > WIDEST:
                cell = (cell[0], "wrap")
            _put(sheet, top + count, col, cell, styles, veto)
    sheet.freeze_panes(top + 1, 0)
    sheet.autofilter(top, 0, top + max(1, count), len(headers) - 1)
    _print_setup(sheet, title or name, top)
    sheet.print_area(0, 0, top + max(1, count), len(headers) - 1)
    return sheet


def _header_row(above: Sequence[object]) -> int:
    """The row of a table's header: below the lines over it and a blank row, if any."""
    return len(above) + 1 if above else 0


def _pixels(widths: Sequence[float]) -> int:
    """What columns of these widths (in characters) take on screen, as Excel draws them."""
    return sum(int(width * 7 + 0.5) + 5 for width in widths)


def _print_setup(sheet: Worksheet, title: str, header: int = 0) -> None:
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.repeat_rows(header)
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_header("&C" + title.replace("&", "&&"))
    sheet.set_footer("&C&P / &N")


def _title(report: Report) -> str:
    if report.kind == "year":
        return f"{report.period}年度政务服务工作年度考评结果"
    return f"{report.period[:4]}年{int(report.period[5:])}月政务服务工作月度考评结果"


def _source(report: Report) -> str:
    head = report.head
    if not head.git_runs:
        text = "git 无法运行，台账版本未知"
    elif not head.in_git:
        text = "台账未纳入 git"
    elif head.revision is None:
        text = "台账尚无提交"
    else:
        text = f"台账 git 修订 {head.revision[:10]}"
        text += f"，含未提交的{head.unsaved}" if head.uncommitted else "，不含未提交的记录"
    return f"{head.office} · {text} · 生成于 {head.made.isoformat()}"


def _rank_rows(report: Report) -> tuple[list[str], list[list[Cell]]]:
    categories = report.weights.categories
    headers = [
        "排名",
        "排名升降",
        "部门（单位）",
        *(c.short for c in categories),
        "总分",
        "总分变化",
        "一票否决",
        "备注",
    ]
    rows = []
    for row in report.rows:
        score = row.score
        change = row.total_change
        rows.append(
            [
                (row.rank, "integer"),
                (row.rank_change, "places"),
                (row.department, "text"),
                *((number(score.categories[c.id]), "figure") for c in categories),
                (number(score.total), "figure"),
                (number(change) if change is not None else None, "change"),
                ("、".join(score.vetoes), "text"),
                (row.remarks, "text"),
            ]
        )
    return headers, rows


def _ranking(book: Workbook, styles: Styles, report: Report) -> None:
    headers, rows = _rank_rows(report)
    vetoed = [row.score.vetoed for row in report.rows]
    above = [(_title(report), styles.title), (_source(report), styles.info)]
    if report.rules_label:
        above.append((report.rules_label, styles.info))
    if report.rules_change:
        above.append((report.rules_change, styles.info))
    if report.weights_note:
        above.append((report.weights_note, styles.info))
    if report.before:
        above.append((f"排名升降、总分变化与 {report.before} 相比（+ 为上升）", styles.info))
    else:
        above.append(("台账中没有上一期的记录，不作比较", styles.info))
    if report.empty:
        above.append((report.empty_note, styles.warning))
    if report.problems:
        count = len(report.problems)
        warning = f"台账中有 {count} 个问题，相关记录未计入考评：见“问题”工作表"
        above.append((warning, styles.warning))
    if report.others:
        above.append((report.others_note, styles.info))
    title = _title(report)
    sheet = _table(book, styles, "排名", headers, rows, vetoed.__getitem__, title, above)
    if not rows:
        return
    # The chart goes below the table, on a page of its own and as wide as the table, so
    # that fitting the print to one page's width fits the table's columns, not the chart.
    top = _header_row(above)
    widths = column_widths(headers, [[v for v, _ in row] for row in rows])
    total_col = 3 + len(report.weights.categories)
    chart = book.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": "总分",
            "categories": ["排名", top + 1, 2, top + len(rows), 2],
            "values": ["排名", top + 1, total_col, top + len(rows), total_col],
            "fill": {"color": "#2F6DB5"},
            "points": [
                {"fill": {"color": "#C0392B"}} if v else {"fill": {"color": "#2F6DB5"}}
                for v in vetoed
            ],
            "data_labels": {"value": True, "num_format": "0.00", "font": {"size": 7}},
        }
    )
    scale = charts.axis([row.score.total for row in report.rows], 1)
    chart.set_title({"name": "总分（按排名；红色为一票否决，排在最后）"})
    chart.set_y_axis({"min": scale.lo, "max": scale.hi, "num_format": "0.0"})
    chart.set_x_axis({"num_font": {"rotation": -45, "size": 8}})
    chart.set_legend({"none": True})
    _chart_below(sheet, chart, widths, top + len(rows) + 2, 420)


def _chart_below(
    sheet: Worksheet, chart: Any, widths: Sequence[float], row: int, height: int
) -> None:
    """A chart below a table, from `row`, on a page of its own and as wide as the table's
    columns: the print area takes it in, and fitting the print to one page's width still
    fits the table, not a chart that reaches past its last column."""
    chart.set_size({"width": _pixels(widths), "height": height})
    sheet.insert_chart(row, 0, chart)
    sheet.set_h_pagebreaks([row])
    sheet.print_area(0, 0, row + -(-height // 20), len(widths) - 1)  # rows of 20 px


def _counted_rows(report: Report, counted: Iterable[Counted | Adjustment]) -> Iterator[list[Cell]]:
    """明细's rows, one at a time."""
    weights = report.weights
    for item in counted:
        if isinstance(item, Adjustment):
            yield _adjustment_row(report, item)
            continue
        line = item.line
        entry, clause = line.entry, line.clause
        category = weights.category(clause.category)
        flags = [
            text
            for text, on in (
                (f"移送{clause.referral}", bool(clause.referral)),  # as the detail views
                ("逐月计分", entry.recurring),
                (
                    {1: "年度考评加分", -1: "年度考评扣分"}.get(clause.sign, "年度考评"),
                    clause.annual,
                ),
                (f"加分上限组 {clause.cap}", bool(clause.cap) and line.amount > 0),
            )
            if on
        ]
        yield [
            (item.month, "text"),
            (item.department, "text"),
            (clause.id, "text"),
            (clause.text, "text"),
            (category.short if category else clause.category, "text"),
            (entry.count, "integer"),
            (line.how, "text"),
            (exact_number(line.amount), "figure"),
            ("；".join(flags), "text"),
            (entry.note or "", "text"),
            (entry.id, "text"),
            (entry.by or "", "text"),
        ]


def _adjustment_row(report: Report, item: Adjustment) -> list[Cell]:
    """A cap's cut or the floor's lift, as 明细 lists it beside the entries."""
    use = item.use
    category = report.weights.category(use.category)
    if isinstance(use, CapUse):
        clause = f"封顶 {use.group}"
        what = f"加分上限组 {use.group}：同组加分每月最多计 {plain(use.limit)} 分，超出部分不计"
        how = cap_how(use)
        amount, kind = -use.cut, "加分封顶"
    else:
        clause = "保底"
        # A year's floor is the mean of its months' (51.428571… for 0, 60, 60, … 60).
        floor = exact(use.floor, least=0)
        what = f"类别得分低于 {floor} 分的，按 {floor} 分计"
        how = floor_how(use)
        amount, kind = use.lift, "保底"
    return [
        (item.month or report.period, "text"),
        (item.department, "text"),
        (clause, "text"),
        (what, "text"),
        (category.short if category else use.category, "text"),
        (None, "integer"),
        (how, "text"),
        (exact_number(amount), "figure"),
        (kind, "text"),
        ("", "text"),
        ("", "text"),
        ("", "text"),
    ]


COUNTED_HEADERS = (
    "月份",
    "部门（单位）",
    "条款",
    "考评内容",
    "考评类别",
    "次数",
    "计算",
    "分值",
    "计分方式",
    "说明",
    "记录编号",
    "记录人",
)


def _details(
    book: Workbook, styles: Styles, report: Report, counted: Iterable[Counted | Adjustment]
) -> None:
    """明细, and 明细2, 明细3 … for what one sheet cannot hold, written as made."""
    rows = _counted_rows(report, counted)
    per_sheet = MAX_ROWS - 1
    sheets = 0
    while (following := next(rows, None)) is not None or not sheets:
        sheets += 1
        name = "明细" if sheets == 1 else f"明细{sheets}"
        part = islice(chain([following] if following is not None else [], rows), per_sheet)
        _table(book, styles, name, COUNTED_HEADERS, part, title=f"{_title(report)} · 计分明细")


def _voids(book: Workbook, styles: Styles, report: Report) -> None:
    headers = [
        "记录编号",
        "月份",
        "部门（单位）",
        "条款",
        "考评内容",
        "说明",
        "作废记录",
        "作废理由",
        "作废人",
        "作废日期",
    ]
    clauses = report.catalog.clauses
    rows = [
        [
            (v.entry.id, "text"),
            (v.entry.month, "text"),
            (v.entry.department, "text"),
            (v.entry.clause, "text"),
            (clauses[v.entry.clause].text if v.entry.clause in clauses else "", "text"),
            (v.said, "text"),
            (v.void.id, "text"),
            (v.void.reason or "", "text"),
            (v.void.by or "", "text"),
            (v.void.date, "date"),
        ]
        for v in report.voids
    ]
    _table(book, styles, "作废", headers, rows, title=f"{_title(report)} · 作废的记录")


def _months(book: Workbook, styles: Styles, report: Report) -> None:
    headers = ["部门（单位）", *report.months, "年度总分", "排名"]
    rows: list[list[Cell]] = [
        [
            (row.department, "text"),
            # Blank where the department was not assessed (outside its since/until).
            *(
                (number(row.score.months[m]), "figure") if m in row.score.months else ("", "text")
                for m in report.months
            ),
            (number(row.score.total), "figure"),
            (row.rank, "integer"),
        ]
        for row in report.rows
    ]
    vetoed = [row.score.vetoed for row in report.rows]
    sheet = _table(
        book, styles, "月度", headers, rows, vetoed.__getitem__, f"{_title(report)} · 逐月总分"
    )
    if not rows or not report.months:
        return
    count = len(report.rows)
    shown = sorted({*range(min(LINES, count)), *range(max(0, count - LINES), count)})
    chart = book.add_chart({"type": "line"})
    last = len(report.months)
    for index in shown:
        chart.add_series(
            {
                "name": ["月度", index + 1, 0],
                "categories": ["月度", 0, 1, 0, last],
                "values": ["月度", index + 1, 1, index + 1, last],
                "marker": {"type": "circle", "size": 5},
            }
        )
    values = [v for i in shown for v in report.rows[i].score.months.values()]
    scale = charts.axis(values, 1)
    chart.set_title({"name": f"逐月总分：排名前 {LINES} 与后 {LINES} 的部门"})
    chart.set_y_axis({"min": scale.lo, "max": scale.hi, "num_format": "0.0"})
    chart.set_legend({"position": "bottom"})
    widths = column_widths(headers, [[v for v, _ in row] for row in rows])
    _chart_below(sheet, chart, widths, len(rows) + 3, 400)


def _problems(book: Workbook, styles: Styles, report: Report) -> None:
    headers = ["文件", "行", "记录", "字段", "说明"]
    rows = [
        [
            (p.file, "text"),
            (p.line or None, "integer"),
            (p.entry, "text"),
            (FIELD_WORDS.get(p.field, p.field), "text"),
            (reported(p), "text"),
        ]
        for p in report.problems
    ]
    _table(
        book, styles, "问题", headers, rows, title=f"{_title(report)} · 台账问题（相关记录未计入）"
    )


def write(report: Report) -> bytes:
    """The workbook's bytes: 排名, 明细, 作废, (月度), (问题)."""
    out = io.BytesIO()
    # The counted entries are worked out as read (a year's, a month at a time): the first
    # BIG + 1 are read once, to choose how the workbook is written, and written after.
    counted = iter(report.counted)
    head = list(islice(counted, BIG + 1))
    big = len(head) > BIG
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": not big,
            "constant_memory": big,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    book.set_properties(
        {
            "title": _title(report),
            "author": report.head.office,
            "company": report.head.office,
            "comments": _source(report),
            "subject": report.rules_label,
        }
    )
    styles = Styles(book)
    _ranking(book, styles, report)
    _details(book, styles, report, chain(head, counted))
    _voids(book, styles, report)
    if report.kind == "year":
        _months(book, styles, report)
    if report.problems:
        _problems(book, styles, report)
    book.close()
    return out.getvalue()
