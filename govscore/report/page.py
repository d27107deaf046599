"""A month's or a year's report as data: what the web page and the workbook show.

Built from the very Scorer and Ranking that `month` and `year` print, so every figure
on the page and in the workbook is theirs, rounded the same way at display. Nothing
here reads a file: the CLI hands over the scorer, the ledger's months, its problems
and (for cards and the workbook) the entries voided on appeal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from govscore.errors import Problem
from govscore.figures import round2
from govscore.i18n import chinese_of
from govscore.model import Entry, months_between, previous_month
from govscore.report.amended import rules_label
from govscore.report.shapes import entry_what, period_months, remarks
from govscore.rules.amendments import RuleBook, Version
from govscore.rules.catalog import Catalog, Clause
from govscore.rules.config import Departments, Weights
from govscore.rules.scoring import (
    ZERO,
    CapUse,
    DepartmentScore,
    FloorUse,
    Line,
    Ranking,
    Referral,
    Scorer,
)
from govscore.rules.validate import audit_hint

TOP_CLAUSES = 10  # the clauses that cost (and earned) the most, each list this long


def reported(problem: Problem) -> str:
    """A problem's message as a report sent upward says it: without the commands it tells
    the clerk to run (`govscore audit --since TAG`, `govscore departments`), which mean
    nothing to its readers. In Chinese in either language, as the rest of the report is
    (review BD F1: an English run listed `unknown clause '9.9.9'`)."""
    message = str(chinese_of(problem.message))
    return _COMMAND_HINT.sub("", message.removesuffix(str(chinese_of(audit_hint()))))


# A hint in brackets that names a command: （运行 `govscore departments` 查看列表）.
_COMMAND_HINT = re.compile(r"\s*[（(][^（()）]*`govscore [^`]*`[^（()）]*[）)]")

# A month's ledger file as problems name it: ledger/2023-05.toml or ledger/2023-05.csv.
_MONTH_FILE = re.compile(r"ledger/(\d{4}-(?:0[1-9]|1[0-2]))\.(?:toml|csv)")


def may_reach(problem: Problem, last: str) -> bool:
    """Whether a problem can have left something out of a period ending in month `last`.

    An entry counts in its own month or later (a recurring one), and a void or close is
    filed in the month of the entry it names: a month file after `last` cannot touch the
    period, and a report sent upward must not say its entries were left out of it (review
    AR F2). Anything else (the configuration, an amendment, the ledger folder, a file in
    it not named as a month) can.
    """
    found = _MONTH_FILE.fullmatch(problem.file)
    return found is None or found.group(1) <= last


def year_months(ledger_months: Sequence[str], year: int) -> list[str]:
    """A year's assessed months: its first to its last month with a ledger file (or none)."""
    present = [m for m in ledger_months if m.startswith(f"{year:04d}-")]
    return months_between(present[0], present[-1]) if present else []


@dataclass(frozen=True)
class Head:
    """Where the figures come from: which office, which git revision, what was counted."""

    office: str
    revision: str | None  # None: outside git, or no commit yet
    uncommitted: bool
    in_git: bool
    made: date
    version: str
    unsaved: str = "记录"  # what is uncommitted: 记录、补充通知 amendments/、weights.toml
    git_runs: bool = True  # False: a .git is there, but git could not be run


@dataclass(frozen=True)
class Row:
    """A department's line in the ranking, with its place in the period before."""

    rank: int
    score: DepartmentScore
    before: tuple[int, DepartmentScore] | None = None
    period_months: int = 0  # a year's months (remarks names a department's fewer)

    @property
    def department(self) -> str:
        return self.score.department

    @property
    def rank_change(self) -> int | None:
        """Places moved up since the period before (a negative number: moved down)."""
        return None if self.before is None else self.before[0] - self.rank

    @property
    def total_change(self) -> Decimal | None:
        return None if self.before is None else change(self.score.total, self.before[1].total)

    @property
    def remarks(self) -> str:
        return remarks(self.score, self.period_months)


@dataclass(frozen=True)
class ClauseSum:
    """What one clause added or took away across all departments in the period."""

    clause: Clause
    amount: Decimal
    departments: int


@dataclass(frozen=True)
class Voided:
    """An entry voided on appeal, and the void entry that says why. A voided close is
    shown with the department and clause of the entry it closed: voiding it changed
    that department's months."""

    entry: Entry
    void: Entry

    @property
    def said(self) -> str:
        """The 说明 column: a close's what it closed (终止计分 … 截至 …), then the note."""
        parts = [entry_what(self.entry)] if self.entry.kind == "close" else []
        return "；".join([*parts, *([self.entry.note] if self.entry.note else [])])


@dataclass(frozen=True)
class Counted:
    """One entry as it counted in one month (a recurring entry counts in several)."""

    month: str
    department: str
    line: Line


@dataclass(frozen=True)
class Adjustment:
    """A cap's cut or the floor's lift in a department's month (or year, month ""): the
    workbook's 明细 lists it after the entries it applied to, so that a department's
    rows there add up to its category scores."""

    month: str
    department: str
    use: CapUse | FloorUse


def change(total: Decimal, before: Decimal) -> Decimal:
    """A total's change as the two totals are shown (each rounded half-up): 100.00 then
    99.99 is −0.01, never the exact −0.015 rounded to −0.02, nor a −0.00."""
    return round2(total) - round2(before)


@dataclass(frozen=True)
class MonthPoint:
    """A department's total and rank in one month, and the change from the month before."""

    month: str
    rank: int
    total: Decimal
    total_change: Decimal | None
    rank_change: int | None


@dataclass(frozen=True)
class Card:
    """Everything about one department in the period, for the office's director."""

    row: Row
    months: tuple[MonthPoint, ...]
    lines: tuple[Counted, ...]
    caps: tuple[tuple[str, CapUse], ...]  # (month, cap group cut)
    floors: tuple[FloorUse, ...]  # categories the floor lifted, each month's and the year's
    voids: tuple[Voided, ...]

    @property
    def floor(self) -> Decimal | None:
        """The floor every one of its floor lines names, for their heading; None where a
        notice changed the floor within the year (June at 0, the year at 12): each line
        names its own, and a heading naming one would contradict the others (AZ F3)."""
        floors = {use.floor for use in self.floors}
        return next(iter(floors)) if len(floors) == 1 else None


@dataclass(frozen=True)
class Report:
    """A month or a year, everything the page and the workbook show, figures exact."""

    period: str  # 2023-05 or 2023
    kind: str  # month or year
    head: Head
    scorer: Scorer
    months: tuple[str, ...]  # the assessed months (a month: itself)
    rows: tuple[Row, ...]
    before: str | None  # the period compared with, if the ledger reaches back to it
    costs: tuple[ClauseSum, ...]
    gains: tuple[ClauseSum, ...]
    annual: tuple[tuple[str, Line], ...]  # (department, line) of annual clauses (years)
    cards: tuple[Card, ...]
    problems: tuple[Problem, ...]  # those that can have left entries out of the period
    # Every counted entry, with caps and floors where they applied (for the workbook).
    counted: Sequence[Counted | Adjustment] | CountedLines = ()
    voids: tuple[Voided, ...] = ()
    # A month with no ledger file in which no recurring entry stands: every department
    # at base. Said on the page and in the workbook, as `month` says it on stderr: a
    # typo in the period would otherwise send upward a report that ranks all first.
    empty: bool = False
    # A month in which departments.toml's spans (since/until) leave no department assessed:
    # said instead of `empty` (there is no department at base to speak of).
    nobody: bool = False
    # The ledger's other problems, in month files after the period: counted, not listed.
    others: int = 0

    @property
    def weights(self) -> Weights:
        """The weights of the period's last month: its columns (an amendment may add or
        drop a category, and a year is weighed by the weights at its end)."""
        return self.scorer.weights_at(self.months)

    def base_of(self, department: str) -> Decimal:
        """The base a department's category scores are measured from in the period: a
        year's is the mean of its months' (a notice lowering it in October leaves a year
        of months at 100 and at 90 at 98, not 90: review AZ F3)."""
        return self.scorer.base_of(department, self.months)

    @property
    def catalog(self) -> Catalog:
        return self.scorer.catalog

    @property
    def rules(self) -> tuple[Version, ...]:
        """The versions of the rules the period was scored by (govscore amendments)."""
        catalog = self.scorer.catalog
        return tuple(catalog.named_for(self.months)) if isinstance(catalog, RuleBook) else ()

    @property
    def rules_label(self) -> str:
        """考评依据 2023-03-27 烟政管办〔2023〕2号: in the page's and the workbook's title."""
        return rules_label(self.rules) if self.rules else ""

    @property
    def weights_changed(self) -> bool:
        """Whether the period's months were weighted differently (an amendment changed the
        weights mid-year): a year's total is then the mean of its monthly totals, each
        weighted as its month was, not the year-end weights over the category means."""
        catalog = self.scorer.catalog
        if not isinstance(catalog, RuleBook):
            return False
        # By the weights alone: every notice is a version with its own `source`, and one
        # changing a clause (or the floor) leaves the months weighed alike.
        return len({v.weights.weighing for v in catalog.versions_for(self.months)}) > 1

    @property
    def weights_note(self) -> str:
        """Where weights changed within a year, how its total is made: its categories'
        weighted sum is then not its total, and a clerk checking the workbook by hand
        would find a difference (review AZ F6). The page and the 排名 sheet say it."""
        if self.kind != "year" or not self.weights_changed:
            return ""
        weighing = "，".join(f"{c.short}×{c.weight}" for c in self.weights.categories)
        return (
            "年内权重经补充通知调整：年度总分 = 各考评月份总分（各按当月权重）的平均分，"
            f"另加年度考评加分（按年末权重：{weighing}）。"
        )

    @property
    def rules_change(self) -> str:
        """A note when the rules changed within the period (a year amended mid-way)."""
        steps: dict[str, list[Version]] = {}
        for version in self.rules:
            steps.setdefault(version.first_month, []).append(version)
        if len(steps) < 2:
            return ""
        # Notices first applying in one month are one step (the later holds the earlier's).
        parts = [
            f"{first} 起按 "
            + "、".join(f"{v.number}（{v.effective.isoformat()} 生效）" for v in versions)
            + "计分"
            for first, versions in list(steps.items())[1:]
        ]
        return "本期考评指标经补充通知调整：" + "；".join(parts)

    @property
    def empty_note(self) -> str:
        """What the page and the workbook say of an empty month (see `empty`), or of one
        no department is assessed in (`nobody`)."""
        month = self.period
        if self.nobody:
            return (
                f"注意：{month} 没有参加考评的部门：departments.toml 中各部门的考评月份"
                "（since/until）都不含该月。请核对考评月份（govscore departments 列出各部门的"
                "考评月份）。"
            )
        return (
            f"注意：台账中没有 {month} 的记录：ledger/ 中没有 {month} 的文件，也没有延续到该月"
            "的逐月计分记录，各部门均按基础分计。请核对考评月份。"
        )

    @property
    def others_note(self) -> str:
        """The one line on the ledger's problems that cannot touch the period (`others`):
        the clerk still has them to fix, and `govscore check` lists them."""
        if self.kind == "year":
            where, what = f"{self.period} 年", "本年度"
        else:
            where, what = f"{self.period} ", "本月"
        return (
            f"台账中另有 {self.others} 个问题，在晚于 {where}的月度台账文件中，"
            f"不涉及{what}考评（运行 govscore check 查看）"
        )

    @property
    def vetoed(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if row.score.vetoed)

    @property
    def referrals(self) -> tuple[Referral, ...]:
        return tuple(r for row in self.rows for r in row.score.referrals)


def build(
    scorer: Scorer,
    period: str,
    ledger_months: Sequence[str],
    head: Head,
    problems: Sequence[Problem] = (),
    cards: Sequence[str] = (),
    voids: Sequence[Voided] = (),
    detail: bool = False,
) -> Report:
    """The report of a month (YYYY-MM) or a year (YYYY): the scorer's own figures.

    `cards` names the departments that get a card; `detail` lists every counted entry
    (the scorer must then hold the ledger's entries, as `month --detail` needs too).
    `problems` are the whole ledger's: those of month files after the period are only
    counted (see `may_reach`).
    """
    if len(period) == 7:
        kind, months = "month", [period]
        ranking = scorer.month(period)
        earlier = previous_month(period)
        reaches = bool(ledger_months) and ledger_months[0] <= earlier
        before = earlier if reaches else None
        previous = scorer.month(earlier) if before else None
        year = int(period[:4])
        so_far = [m for m in year_months(ledger_months, year) if m <= period] or [period]
        trend_months = months_between(so_far[0], period)
    else:
        kind, year = "year", int(period)
        months = year_months(ledger_months, year)
        ranking = scorer.year(year, months)
        last_year = year_months(ledger_months, year - 1)
        before = str(year - 1) if last_year else None
        previous = scorer.year(year - 1, last_year) if last_year else None
        trend_months = months
    covered = period_months(ranking)
    rows = tuple(
        Row(rank, score, previous.find(score.department) if previous else None, covered)
        for rank, score in ranking.rows
    )
    wanted = set(cards)
    month_ranks = {m: scorer.month(m) for m in (trend_months if wanted else [])}
    if kind == "month" and period in month_ranks:
        month_ranks[period] = ranking
    in_period = [v for v in voids if v.entry.month[: len(period)] == period]
    report_cards = tuple(
        _card(row, kind, months, trend_months, month_ranks, in_period)
        for row in rows
        if row.department in wanted
    )
    order = {name: number for number, name in enumerate(cards)}
    report_cards = tuple(sorted(report_cards, key=lambda c: order[c.row.department]))
    costs, gains = clause_sums(scorer, [row.score for row in rows])
    annual = tuple(
        (row.department, line)
        for row in rows
        for line in (row.score.lines if kind == "year" else ())
        if line.clause.annual
    )
    counted: CountedLines | tuple[()] = ()
    if detail:
        known = {**month_ranks, period: ranking} if kind == "month" else month_ranks
        # A year's own floor (its month ""): what the months' means and annual entries made.
        lifted = tuple(
            Adjustment("", row.department, floor)
            for row in rows
            for floor in (row.score.floors if kind == "year" else ())
            if not floor.month
        )
        order = tuple(row.department for row in rows)
        counted = CountedLines(scorer, tuple(months), annual, known, lifted, order)
    nobody = kind == "month" and not ranking.rows
    empty = (
        kind == "month"
        and not nobody
        and period not in ledger_months
        and not scorer.stands_in(period)
    )
    last = period if kind == "month" else f"{period}-12"
    reaching = tuple(p for p in problems if may_reach(p, last))
    return Report(
        period=period,
        kind=kind,
        head=head,
        scorer=scorer,
        months=tuple(months),
        rows=rows,
        before=before,
        costs=costs,
        gains=gains,
        annual=annual,
        cards=report_cards,
        problems=reaching,
        counted=counted,
        voids=tuple(in_period),
        empty=empty or nobody,
        nobody=nobody,
        others=len(problems) - len(reaching),
    )


def clause_sums(
    scorer: Scorer, scores: Iterable[DepartmentScore]
) -> tuple[tuple[ClauseSum, ...], tuple[ClauseSum, ...]]:
    """The clauses that cost the most points across departments, and those that earned most.

    Amounts are as entered, before caps and floor (a cap cut shows on the department).
    """
    amounts: dict[str, Decimal] = {}
    touched: dict[str, int] = {}
    for score in scores:
        for clause, amount in score.clauses.items():
            amounts[clause] = amounts.get(clause, ZERO) + amount
            touched[clause] = touched.get(clause, 0) + 1
    clauses = scorer.catalog.clauses
    sums = [
        ClauseSum(clauses[c], amount, touched[c])
        for c, amount in amounts.items()
        if c in clauses and amount
    ]
    costs = sorted((s for s in sums if s.amount < 0), key=lambda s: (s.amount, s.clause.id))
    gains = sorted((s for s in sums if s.amount > 0), key=lambda s: (-s.amount, s.clause.id))
    return tuple(costs[:TOP_CLAUSES]), tuple(gains[:TOP_CLAUSES])


def _card(
    row: Row,
    kind: str,
    months: Sequence[str],
    trend_months: Sequence[str],
    month_ranks: dict[str, Ranking],
    voids: Sequence[Voided],
) -> Card:
    name = row.department
    points: list[MonthPoint] = []
    for month in trend_months:
        found = month_ranks[month].find(name)
        if found is None:  # a month outside its span (since/until): not ranked then
            continue
        rank, score = found
        last = points[-1] if points else None
        points.append(
            MonthPoint(
                month,
                rank,
                score.total,
                change(score.total, last.total) if last else None,
                last.rank - rank if last else None,
            )
        )
    lines: list[Counted] = []
    caps: list[tuple[str, CapUse]] = []
    for month in months:
        found = month_ranks[month].find(name)
        if found is None:  # outside its span
            continue
        score = found[1]
        lines.extend(Counted(month, name, line) for line in _ordered(score.lines))
        caps.extend((month, cap) for cap in score.caps)
    if kind == "year":
        lines.extend(Counted(line.entry.month, name, line) for line in _ordered(row.score.lines))
    own = tuple(v for v in voids if v.entry.department == name)
    return Card(row, tuple(points), tuple(lines), tuple(caps), row.score.floors, own)


def _ordered(lines: Iterable[Line]) -> list[Line]:
    return sorted(lines, key=lambda li: (li.category, li.clause.id, li.entry.id))


@dataclass(frozen=True)
class CountedLines:
    """Every entry that counted in the period: by month, department, entry.

    Departments come in `order`, the report's ranking (of the period: a year's every
    month in the year's order), so that 明细 reads down as 排名 and `month --detail` do:
    its readers, up the line, find a department where the ranking put it, not in the
    order of a departments.toml they never see. Worked out a month at a time each time
    it is read, and not kept: a province's year counts a million entries, and the
    workbook writes them as they come."""

    scorer: Scorer
    months: tuple[str, ...]
    annual: Sequence[tuple[str, Line]]
    known: Mapping[str, Ranking]  # months already ranked (for the cards)
    lifted: Sequence[Adjustment] = ()  # the floor of a year's own scores, after its months
    order: Sequence[str] = ()  # department names as ranked; () for departments.toml's

    def __iter__(self) -> Iterator[Counted | Adjustment]:
        order = self.order or [d.name for d in self.scorer.departments]
        for month in self.months:
            ranking = self.known.get(month)
            if ranking is None:
                ranking = self.scorer.month(month)
            for name in order:
                found = ranking.find(name)
                if found is None:
                    continue
                score = found[1]
                lines = sorted(score.lines, key=lambda li: (li.entry.month, li.entry.line))
                yield from (Counted(month, name, line) for line in lines)
                yield from (Adjustment(month, name, use) for use in (*score.caps, *score.floors))
        yield from (Counted(line.entry.month, name, line) for name, line in self.annual)
        yield from self.lifted


def voided_entries(
    entries: Iterable[Entry],
    voided: Iterable[str],
    departments: Departments,
    problems: Iterable[Problem] = (),
) -> list[Voided]:
    """The score and close entries voided on appeal, each with the void that counts.

    That is the first void naming it that has no problem of its own, as the review
    decides. A voided close took no points of its own, but voiding it changed the
    months after it (review AB F8): it is listed as of its entry's department and clause.
    """
    wanted = set(voided)
    bad = {p.entry for p in problems if p.entry}
    listed: dict[str, Entry] = {}
    voids: dict[str, Entry] = {}
    scores: dict[str, Entry] = {}  # every score entry, for the department a close names
    for entry in entries:
        if entry.kind == "score":
            scores.setdefault(entry.id, entry)
        if entry.kind in ("score", "close") and entry.id in wanted and entry.id not in listed:
            listed[entry.id] = entry
        elif (
            entry.kind == "void"
            and entry.void in wanted
            and entry.void not in voids
            and entry.id not in bad
        ):
            voids[entry.void] = entry  # type: ignore[index]
    out = []
    for entry_id, entry in listed.items():
        closed = scores.get(entry.close) if entry.close else None
        if closed is not None:
            entry = entry._replace(department=closed.department, clause=closed.clause)
        department = departments.resolve(entry.department)
        if department is not None and department.name != entry.department:
            entry = entry._replace(department=department.name)
        if entry_id in voids:
            out.append(Voided(entry, voids[entry_id]))
    return sorted(out, key=lambda v: (v.entry.month, v.entry.id))
