"""Reports: scores and ledger facts shaped for people (tables) and programs (JSON).

Each function returns (headers, rows) for table/CSV/Markdown, or a plain dict for JSON;
the CLI hands them to `render`. Numbers are rounded half-up to 2 decimals only here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, Protocol

from govscore.errors import Problem
from govscore.figures import SHOWN_PLACES, exact, exact_number, figure, number, plain
from govscore.model import FIELD_WORDS, FIELDS, Entry, next_month
from govscore.report.render import Encoded, row_text
from govscore.rules.catalog import Catalog, Clause
from govscore.rules.config import Department, Departments, Weights, tag_name
from govscore.rules.lookup import Counted, History, Lookup, Mention
from govscore.rules.scoring import CapUse, DepartmentScore, FloorUse, Line, Ranking, Referral

Table = tuple[list[str], list[list[Any]]]


def remarks(score: DepartmentScore, period_months: int = 0) -> str:
    """The 备注 column: vetoes and referrals, each naming its entries, caps used, and a
    year's months where the department was assessed in fewer than the year's
    `period_months` (since/until): its total is the mean of those months alone."""
    parts = []
    if score.vetoes:
        parts.append(f"一票否决（{'、'.join(score.vetoes)}）")
    by_body: dict[str, list[str]] = {}
    for referral in score.referrals:
        by_body.setdefault(referral.to, []).append(referral.entry)
    for body, ids in by_body.items():
        parts.append(f"移送{body}（{'、'.join(ids)}）")
    if score.caps:
        parts.append("加分封顶 " + "、".join(sorted({c.group for c in score.caps})))
    if score.months and len(score.months) < period_months:
        months = list(score.months)
        span = months[0] if len(months) == 1 else f"{months[0]} 至 {months[-1]}"
        parts.append(f"考评 {len(months)} 个月（{span}）")
    return "；".join(parts)


def period_months(ranking: Ranking) -> int:
    """How many months a year's ranking covers: those any department was assessed in."""
    return len({month for _rank, score in ranking.rows for month in score.months})


def ranking_table(ranking: Ranking, weights: Weights, only: Sequence[str] = ()) -> Table:
    headers = ["排名", "部门", *(c.short for c in weights.categories), "总分", "备注"]
    rows = []
    months = period_months(ranking)
    for rank, score in ranking.rows:
        if only and score.department not in only:
            continue
        rows.append(
            [
                rank,
                score.department,
                *(figure(score.categories[c.id]) for c in weights.categories),
                figure(score.total),
                remarks(score, months),
            ]
        )
    return headers, rows


def score_json(rank: int, score: DepartmentScore, detail: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rank": rank,
        "department": score.department,
        "total": number(score.total),
        "vetoed": score.vetoed,
        "categories": {cid: number(value) for cid, value in score.categories.items()},
        "vetoes": list(score.vetoes),
        "referrals": [referral_json(r) for r in score.referrals],
    }
    if score.months:
        out["monthly"] = {month: number(total) for month, total in score.months.items()}
    if detail:
        out["lines"] = [line_json(line) for line in score.lines]
        out["floors"] = [
            {
                "category": f.category,
                "month": f.month or None,
                "raw": exact_number(f.raw),
                "floor": exact_number(f.floor),
            }
            for f in score.floors
        ]
        out["caps"] = [
            {
                "group": c.group,
                "category": c.category,
                "earned": exact_number(c.earned),
                "limit": exact_number(c.limit),
                "month": c.month or None,
            }
            for c in score.caps
        ]
    return out


def referral_json(r: Referral) -> dict[str, Any]:
    return {
        "entry": r.entry,
        "department": r.department,
        "clause": r.clause,
        "month": r.month,
        "to": r.to,
    }


def line_json(line: Line) -> dict[str, Any]:
    return {
        "entry": line.entry.id,
        "month": line.entry.month,
        "clause": line.clause.id,
        "category": line.category,
        "amount": exact_number(line.amount),
        "how": line.how,
        "cap": line.clause.cap,
        "recurring": line.entry.recurring,
        "referral": line.clause.referral,
        "note": line.entry.note,
    }


class Printed(Protocol):
    """Rows kept as a report printed them (govscore.ledger.scores.Memo): a province's
    10,000 rows need not be rounded and written again while their scores stand."""

    def shown(self, score: DepartmentScore) -> str | None: ...

    def show(self, score: DepartmentScore, text: str) -> None: ...


def shown_text(score: DepartmentScore) -> str:
    """A department's row of ranking_json as rows_text writes it, its rank left out."""
    row = score_json(0, score, False)
    del row["rank"]
    return row_text(row)


def _printed_row(rank: int, score: DepartmentScore, kept: Printed) -> Encoded:
    """score_json(rank, score) as rows_text writes it, from the row kept as printed."""
    text = kept.shown(score)
    if text is None:
        text = shown_text(score)
        kept.show(score, text)
    return Encoded(f'{{"rank": {rank}, {text[1:]}')


def ranking_json(
    ranking: Ranking,
    head: dict[str, Any],
    only: Sequence[str] = (),
    detail: bool = False,
    problems: Sequence[Problem] = (),
    kept: Printed | None = None,
) -> dict[str, Any]:
    """A ranking for programs; `problems` lists what was left out, as `check` finds it.

    With `kept`, each department's row is the text kept as it was printed (Encoded, for
    rows_text), or printed now and kept."""
    rows = [(rank, score) for rank, score in ranking.rows if not only or score.department in only]
    departments: list[Any]
    if kept is None or detail:
        departments = [score_json(rank, score, detail) for rank, score in rows]
    else:
        departments = [_printed_row(rank, score, kept) for rank, score in rows]
    referrals = [referral_json(r) for _, score in rows for r in score.referrals]
    return {
        **head,
        "departments": departments,
        "problems": [p.as_dict() for p in problems],
        "referrals": referrals,
    }


def detail_table(
    score: DepartmentScore, weights: Weights, places: int | None = SHOWN_PLACES
) -> Table:
    """Which entries made a department's score, then caps and the floor where they applied.

    A year lists its monthly totals first, then the annual entries. Amounts are exact
    (figures.exact, cut at `places` decimals with …), so that they add up to the
    categories, which alone are rounded.
    """
    headers = list(DETAIL_HEADERS)
    rows: list[list[Any]] = [
        ["", month, "月度总分", "", "", figure(total), ""] for month, total in score.months.items()
    ]
    for line in sorted(score.lines, key=lambda li: (li.category, li.clause.id, li.entry.id)):
        category = weights.category(line.category)
        notes = [line.entry.note or ""]
        if line.entry.recurring:
            notes.insert(0, "逐月计分")
        if line.clause.cap:
            notes.insert(0, f"加分上限组 {line.clause.cap}")
        if line.clause.referral:
            notes.insert(0, f"移送{line.clause.referral}")
        rows.append(
            [
                line.entry.id,
                line.entry.month,
                line.clause.id,
                category.short if category else line.category,
                line.how,
                _signed_amount(line.amount, places),
                "；".join(n for n in notes if n),
            ]
        )
    for cap in score.caps:
        category = weights.category(cap.category)
        rows.append(
            [
                "",
                cap.month,
                f"封顶 {cap.group}",
                category.short if category else cap.category,
                cap_how(cap),
                f"-{exact(cap.cut, places)}",
                "",
            ]
        )
    for floor in score.floors:
        category = weights.category(floor.category)
        rows.append(
            [
                "",
                floor.month,
                "保底",
                category.short if category else floor.category,
                floor_how(floor),
                f"+{exact(floor.lift, places)}",
                "",
            ]
        )
    return headers, rows


def cap_how(cap: CapUse) -> str:
    """How a cap cut a group's bonuses, as the detail views say it."""
    return f"加分 {plain(cap.earned)} 超过上限 {plain(cap.limit)}"


def floor_how(floor: FloorUse) -> str:
    """How the floor lifted a category, as the detail views say it."""
    return (
        f"得分 {exact(floor.raw)}，低于保底 {exact(floor.floor, least=0)} 分，"
        f"按 {exact(floor.floor, least=0)} 分计"
    )


DETAIL_HEADERS = ("编号", "月份", "条款", "类别", "计算", "分值", "说明")


def detailed(ranking: Ranking, only: Sequence[str] = ()) -> list[DepartmentScore]:
    """The departments a detail view shows: those asked for, else those with something
    to show (entries, a veto, the floor, a year's monthly totals)."""
    if only:
        return [score for _, score in ranking.rows if score.department in only]
    return [s for _, s in ranking.rows if s.lines or s.vetoes or s.floors or s.months]


def detail_export(
    scores: Iterable[DepartmentScore], weights: Weights, places: int | None = SHOWN_PLACES
) -> Table:
    """Detail views for a spreadsheet: one table, a department column, a total row each.
    A CSV's amounts have every decimal (`places` None), for the spreadsheet to add up."""
    rows: list[list[Any]] = []
    for score in scores:
        categories = "，".join(
            f"{c.short} {figure(score.categories[c.id])}" for c in weights.categories
        )
        rows.append(
            [score.department, "", "", "总分", "", categories, figure(score.total), remarks(score)]
        )
        rows.extend([score.department, *row] for row in detail_table(score, weights, places)[1])
    return ["部门", *DETAIL_HEADERS], rows


def with_period(table: Table, period: str) -> Table:
    """A CSV export names its period in every row, so a sheet of it stands alone."""
    headers, rows = table
    return ["period", *headers], [[period, *row] for row in rows]


def detail_summary(score: DepartmentScore, weights: Weights) -> str:
    parts = [f"{c.short} {figure(score.categories[c.id])}" for c in weights.categories]
    text = f"{score.department}：" + "，".join(parts) + f"；总分 {figure(score.total)}"
    if score.vetoes:
        text += f"；一票否决（{'、'.join(score.vetoes)}）"
    return text


def problems_table(problems: Iterable[Problem]) -> Table:
    headers = ["file", "line", "entry", "field", "message"]
    return headers, [[p.file, p.line, p.entry, p.field, p.message] for p in problems]


def clause_notes(clause: Clause, catalog: Catalog) -> str:
    notes = []
    if clause.cap:
        notes.append(f"加分上限组 {clause.cap} ≤ {plain(catalog.caps[clause.cap].limit)}/月")
    if clause.until_closed:
        # The measures' 自应完成之月起每月扣分: every month, not one, unless closed.
        every = "每月扣分" if clause.effect == "-" else "每月加分"
        notes.append(f"{every}，直至终止计分（govscore close）")
    elif clause.recurring:
        notes.append("可逐月计分")
    if clause.ref:
        notes.append(f"须引用 {'/'.join(clause.ref)}")
    if clause.exclusive:
        notes.append("同一事项最高层级计分")
    if clause.applies_to:
        notes.append(f"仅 {tag_name(clause.applies_to)}")
    if clause.annual:
        notes.append("计入年度")
    if clause.referral:
        notes.append(f"移送{clause.referral}")
    return "；".join(notes)


EFFECT_NAMES = {"-": "扣分", "+": "加分", "veto": "否决"}


def clauses_table(clauses: Iterable[Clause], catalog: Catalog) -> Table:
    headers = ["条款", "内容", "类型", "分值", "单位", "说明"]
    rows = [
        [
            c.id,
            c.text,
            EFFECT_NAMES[c.effect],
            c.describe_points(),
            c.unit,
            clause_notes(c, catalog),
        ]
        for c in clauses
    ]
    return headers, rows


def clause_json(clause: Clause, catalog: Catalog) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": clause.id,
        "category": clause.category,
        "text": clause.text,
        "effect": clause.effect,
        "kind": clause.kind,
        "unit": clause.unit,
        "points": clause.describe_points(),
    }
    for name in ("points", "min", "max", "per_point"):
        value = getattr(clause, name)
        if value is not None:
            out[name] = float(value)
    if clause.levels:
        out["levels"] = {name: float(points) for name, points in clause.levels}
    out.update(
        cap=clause.cap,
        cap_limit=float(catalog.caps[clause.cap].limit) if clause.cap else None,
        recurring=clause.recurring,
        until_closed=clause.until_closed,
        ref=list(clause.ref),
        exclusive=clause.exclusive,
        applies_to=clause.applies_to,
        annual=clause.annual,
        referral=clause.referral,
    )
    return out


def clause_text(clause: Clause, catalog: Catalog, weights: Weights) -> str:
    category = weights.category(clause.category)
    rows = [
        ("条款", clause.id),
        ("类别", f"{clause.category} {category.name if category else ''}".strip()),
        ("内容", clause.text),
        ("类型", EFFECT_NAMES[clause.effect]),
        ("分值", clause.describe_points()),
        ("单位", clause.unit or "—"),
        ("说明", clause_notes(clause, catalog) or "—"),
        ("录入", usage_hint(clause)),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def usage_hint(clause: Clause) -> str:
    """How to record an entry of this clause: the flags it needs."""
    parts = [f"govscore add -d 部门 -c {clause.id}"]
    if clause.kind in ("fixed", "levels", "range", "discretionary") and not clause.exclusive:
        parts.append("-n 次数")
    if clause.kind == "range":
        parts.append(f"--points {plain(clause.min)}–{plain(clause.max)}")  # type: ignore[arg-type]
    elif clause.kind == "discretionary":
        parts.append("--points 分值")
    elif clause.kind == "levels":
        parts.append(f"--level {'|'.join(n for n, _ in clause.levels)}")
    elif clause.kind == "rate":
        parts.append("--value 百分比 (或 --numerator N --denominator D)")
    if clause.exclusive:
        parts.append("--matter 事项")
    if clause.ref:
        parts.append("--ref 编号")
    if clause.until_closed:
        parts.append("--recurring")
    elif clause.recurring:
        parts.append("[--recurring]")
    return " ".join(parts)


def departments_table(departments: Departments, say: Callable[[str], str]) -> Table:
    """The list; with a 考评月份 column when some department has a span (since/until),
    worded by `say` (Department.span): `chinese` for CSV and markdown, which programs read."""
    headers = ["部门", "别名", "标签"]
    rows = [
        [d.name, "、".join(d.aliases), "、".join(tag_name(t) for t in sorted(d.tags))]
        for d in departments
    ]
    if any(d.dated for d in departments):
        headers.append("考评月份")
        for row, department in zip(rows, departments, strict=True):
            row.append(department.span(say))
    return headers, rows


def department_json(department: Department) -> dict[str, Any]:
    """A department as programs read it: tags by code; since and until (YYYY-MM) only
    where departments.toml gives them."""
    out: dict[str, Any] = {
        "name": department.name,
        "aliases": list(department.aliases),
        "tags": sorted(department.tags),
    }
    for key in ("since", "until"):
        if getattr(department, key) is not None:
            out[key] = getattr(department, key)
    return out


# -- entries: show and log ----------------------------------------------------------


def _exact(value: Any) -> Any:
    """A recorded figure for JSON as written (93.456 stays 93.456), never rounded."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def entry_json(entry: Entry) -> dict[str, Any]:
    """An entry's fields as recorded (every field, null when unset), and where it stands."""
    out = {name: _exact(getattr(entry, name)) for name in FIELDS}
    if entry.kind != "score":  # a void or close records no department, clause or count
        out.update(department=None, clause=None, count=None)
    out.update(month=entry.month, file=entry.file, line=entry.line)
    return out


def _recorded(entry: Entry, name: str) -> str:
    value = getattr(entry, name)
    if value is None or value == "" or value is False:
        return ""
    if value is True:
        return "是"
    if isinstance(value, Decimal):
        return plain(value)
    return str(value)


def entry_what(entry: Entry) -> str:
    """An entry's figures in a few characters: ×3, 1.5 分, 省级, 93.5%, 187/200 …"""
    if entry.kind == "void":
        return f"作废 {entry.void}：{entry.reason or ''}"
    if entry.kind == "close":
        return f"终止计分 {entry.close}（截至 {entry.through}）"
    parts = []
    if entry.count != 1:
        parts.append(f"×{entry.count}")
    if entry.points is not None:
        parts.append(f"{plain(entry.points)} 分")
    if entry.level:
        parts.append(entry.level)
    if entry.value is not None:
        parts.append(f"{plain(entry.value)}%")
    if entry.numerator is not None or entry.denominator is not None:
        parts.append(f"{_recorded(entry, 'numerator')}/{_recorded(entry, 'denominator')}")
    if entry.matter:
        parts.append(f"事项：{entry.matter}")
    if entry.ref:
        parts.append(f"关联 {entry.ref}")
    if entry.recurring:
        parts.append("逐月计分")
    return " ".join(parts)


def entry_status(lookup: Lookup, entry: Entry) -> str:
    """Whether the entry counts: voided (by which, why), left out for problems, or in force."""
    void = lookup.voids.get(entry.id)
    if void is not None:
        return f"已作废（{void.id}：{void.reason or ''}）"
    problems = lookup.problems.get(entry.id)
    if problems:
        # Added, not formatted: the message stays Worded, so `log` JSON gives it in Chinese
        # in either language, as it gives `problems` (i18n.in_chinese).
        return "不计分：" + problems[0].message
    close = lookup.closes.get(entry.id)
    # A notice that stops a recurring entry before its close (or while open), or its
    # department's last month assessed: it counted until then, not until the close.
    counted = entry.recurring and entry.id in lookup.counted
    stop = lookup.stop(entry) if counted else None
    ended = lookup.ended(entry) if counted else None
    stopped = ""
    if stop is not None:
        stopped = f"计分至 {stop[1]}（{stop[0]['number']}）"
    elif ended is not None:
        stopped = f"计分至 {ended}（{_span_words(ended)}）"
    gaps = "".join(f"；{_gap_text(gap)}" for gap in lookup.gaps(entry)) if counted else ""
    if close is not None:
        if stopped:
            return f"{stopped}{gaps}；终止计分至 {close.through}（{close.id}）"
        return f"计分至 {close.through}（{close.id}）{gaps}"
    if stopped:
        return f"{stopped}{gaps}"
    return ("计分" if entry.kind == "score" else "有效") + gaps


def _span_words(until: str) -> str:
    """The department's span as the reason a recurring entry stops, as `departments`
    lists it: departments.toml：考评月份至 2023-09."""
    return f"departments.toml：考评月份至 {until}"


def _months(first: str, last: str) -> str:
    """A run of months as read: 2023-08 alone, or 2023-08 至 2023-10."""
    return first if first == last else f"{first} 至 {last}"


def _gap_text(gap: dict[str, Any]) -> str:
    """A run of months a notice stopped a recurring entry in, and the notice it counts
    again from: 2023-08 至 2023-10 不计分（烟政管办〔2023〕8号），自 2023-11（…11号）起恢复计分."""
    resumed = gap["resumed"]
    return (
        f"{_months(gap['from'], gap['through'])} 不计分（{gap['number']}），"
        f"自 {next_month(gap['through'])}（{resumed['number']}）起恢复计分"
    )


LOG_HEADERS = ["编号", "月份", "部门", "条款", "记录", "日期", "说明", "记录人", "状态", "位置"]


def log_rows(lookup: Lookup, entries: Iterable[Entry]) -> Iterator[list[Any]]:
    """The log's rows under LOG_HEADERS, made as read (a province logs a million)."""
    for e in entries:
        yield [
            e.id,
            e.month,
            lookup.department(e),
            lookup.clause(e),
            entry_what(e),
            _recorded(e, "date"),
            e.note or "",
            e.by or "",
            entry_status(lookup, e),
            e.where,
        ]


def _void_json(void: Entry | None) -> dict[str, Any] | None:
    return None if void is None else {"id": void.id, "reason": void.reason}


def log_json(lookup: Lookup, entries: Iterable[Entry]) -> Iterator[dict[str, Any]]:
    """The log's JSON items, made as read: `status` as the table's 状态, and
    `department_until` as `show` has it (review AW F3: a program read neither)."""
    for entry in entries:
        row = entry_json(entry)
        if entry.kind != "score":  # listed under the entry it names, as in every format
            row.update(
                department=lookup.department(entry) or None, clause=lookup.clause(entry) or None
            )
        row["voided"] = _void_json(lookup.voids.get(entry.id))
        row["problems"] = [p.as_dict() for p in lookup.problems.get(entry.id, ())]
        row["status"] = entry_status(lookup, entry)
        row["department_until"] = lookup.ended(entry)
        yield row


MENTION_NAMES = {"void": "作废", "close": "终止计分", "ref": "追加扣分"}


def _mention_text(mention: Mention) -> str:
    entry = mention.entry
    if mention.kind == "void":
        text = entry.reason or ""
    elif mention.kind == "close":
        text = f"截至 {entry.through}" + (f"；{entry.note}" if entry.note else "")
    else:
        text = f"{entry.clause}" + (f"：{entry.note}" if entry.note else "")
    state = "" if mention.in_force else "（已作废，不计）" if mention.voided else "（无效，不计）"
    return f"{text}{state} · {entry.where}"


def _counted_text(counted: Counted) -> str:
    text = f"{_signed_amount(counted.amount)}（{counted.how}）"
    if counted.cap is not None:
        text += (
            f"；加分上限组 {counted.cap.group} 当月加分 {plain(counted.cap.earned)} "
            f"超过上限 {plain(counted.cap.limit)}"
        )
    return text


def _signed_amount(amount: Decimal, places: int | None = SHOWN_PLACES) -> str:
    """An entry's amount, exact (figures.exact): the lines add up to the category."""
    return f"+{exact(amount, places)}" if amount > 0 else exact(amount, places)


def history_table(history: History, catalog: Catalog) -> Table:
    """`show`: the entry as recorded, where, whether and where it counts, what names it."""
    entry = history.entry
    rows: list[list[Any]] = [["编号", entry.id], ["位置", entry.where], ["月份", entry.month]]
    for name in FIELDS[1:]:
        if name == "count" and entry.kind != "score":
            continue  # a void or close counts nothing: its count is the default, 1
        shown = _recorded(entry, name)
        if name == "department" and not shown:
            shown = history.department  # a void's or close's: that of the entry it names
        elif name == "department" and shown != history.department:
            shown = f"{history.department}（记为 {shown}）"
        elif name == "clause" and (clause := catalog.get(shown)) is not None:
            shown = f"{shown} {clause.text}"
        if shown:
            rows.append([FIELD_WORDS[name], shown])
    rows.append(["状态", _history_status(history)])
    gaps = list(history.gaps)
    for counted in history.counts:
        # A gap a notice made, then a later one ended, between the months it counts in.
        while gaps and gaps[0]["from"] < counted.period:
            rows.append(_gap_row(history, gaps.pop(0)))
        rows.append([f"计分 {counted.period}", _counted_text(counted)])
    rows.extend(_gap_row(history, gap) for gap in gaps)
    if history.open:
        rows.append(["以后各月", "逐月计分，直至终止计分"])
    elif history.department_until is not None:
        until = history.department_until
        rows.append(
            [
                "以后各月",
                f"{history.department} {next_month(until)} 起不参加考评（{_span_words(until)}），"
                "本记录不再计分",
            ]
        )
    elif history.retired is not None:
        rows.append(["以后各月", _stop_words(history, history.retired)])
    for mention in history.mentions:
        name = MENTION_NAMES[mention.kind]
        follow = catalog.get(mention.entry.clause) if mention.kind == "ref" else None
        if follow is not None and follow.sign > 0:
            name = "追加加分"  # 4.1.2 adds points to what it follows up
        elif follow is not None and follow.kind == "veto":
            name = "一票否决"  # 4.4.5: the mistake it follows up was serious
        rows.append([f"{name} {mention.entry.id}", _mention_text(mention)])
    for problem in history.problems:
        rows.append(["问题", str(problem)])
    return ["项目", "内容"], rows


def _stop_words(history: History, stopped: dict[str, Any], then: str = "不再计分") -> str:
    """Why a notice stopped a recurring entry, in the office's words (History.retired, or
    a gap's stop: `then` 不计分, as a later notice let it count again)."""
    notice = f"自 {stopped['effective']}（{stopped['number']}）"
    why = stopped.get("why")
    clause_id = history.clause
    if why == "applies_to":  # the tag of the notice that stopped it (a later one may differ)
        tag = tag_name(stopped["tag"])
        return f"条款 {clause_id} {notice}只适用于标签为“{tag}”的部门，本部门{then}"
    if why == "figures":
        return f"条款 {clause_id} {notice}改变计分方式，本记录{then}"
    if why == "veto":
        # A standing deduction never becomes a veto: the office books the veto itself.
        return f"条款 {clause_id} {notice}改为一票否决，本记录{then}（一票否决须另行登记）"
    if why == "once":
        return f"条款 {clause_id} {notice}不再逐月计分，本记录{then}"
    if why == "range":
        points = f"{plain(history.entry.points)} 分"  # type: ignore[arg-type]
        return (
            f"条款 {clause_id} {notice}分值改为 {stopped['points']}，"
            f"本记录的 {points}不在其内，{then}"
        )
    return f"条款 {clause_id} {notice}废止，{then}"


def _gap_row(history: History, gap: dict[str, Any]) -> list[str]:
    """`show`'s row for a gap: the months, the notice that stopped the entry and why, and
    the one it counts again from."""
    resumed = gap["resumed"]
    return [
        f"不计分 {_months(gap['from'], gap['through'])}",
        f"{_stop_words(history, gap, '不计分')}；自 {resumed['effective']}"
        f"（{resumed['number']}）起恢复计分",
    ]


def _history_status(history: History) -> str:
    if history.voided is not None:
        return f"已作废（{history.voided.id}：{history.voided.reason or ''}），不计分"
    if history.problems:
        return "有问题，不计分（见下）"
    if history.entry.kind == "void":
        return "有效：所作废的记录不再计分"
    if history.entry.kind == "close":
        return "有效"
    # Stopped by a notice before its close (or while open): counted until the month before
    # (the notice is named under 以后各月).
    counted = "计分" if history.until is None else f"计分至 {history.until}"
    if history.until is not None and history.until == history.department_until:
        counted += f"（{_span_words(history.until)}）"  # the department's last month
    if history.closed is not None:
        return f"{counted}，终止计分至 {history.closed.through}（{history.closed.id}）"
    return counted


def history_json(history: History) -> dict[str, Any]:
    closed = history.closed
    return {
        "entry": entry_json(history.entry),
        "department": history.department,
        "clause": history.clause,
        "counted": history.counted,
        "voided": _void_json(history.voided),
        "closed": None
        if closed is None
        else {"id": closed.id, "through": closed.through, "note": closed.note},
        "counts": [
            {
                "period": c.period,
                "amount": exact_number(c.amount),
                "how": c.how,
                "cap": None
                if c.cap is None
                else {
                    "group": c.cap.group,
                    "earned": number(c.cap.earned),
                    "limit": number(c.cap.limit),
                },
            }
            for c in history.counts
        ],
        "open": history.open,
        "retired": history.retired,
        "department_until": history.department_until,
        "gaps": list(history.gaps),
        "mentions": [
            {
                "id": m.entry.id,
                "kind": m.kind,
                "in_force": m.in_force,
                "reason": m.entry.reason,
                "through": m.entry.through,
                "clause": m.entry.clause or None,
                "note": m.entry.note,
                "file": m.entry.file,
                "line": m.entry.line,
            }
            for m in history.mentions
        ],
        "problems": [p.as_dict() for p in history.problems],
    }
