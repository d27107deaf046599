"""Scores from a validated ledger: pure functions, no files, exact decimals.

A department's category starts each month at base, loses deductions, gains bonuses
(each cap group's bonuses capped per month) and never falls below floor. The month's
total is the weighted sum of its categories. A year averages each category over the
assessed months and adds that category's annual clauses. Vetoes do not change scores;
they rank a department below every department that was not vetoed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from govscore.catalog import Catalog, Clause
from govscore.config import Departments, Weights
from govscore.model import Entry
from govscore.render import plain, round2
from govscore.validate import HUNDRED, Book, rate_of

ZERO = Decimal(0)


@dataclass(frozen=True)
class Line:
    """What one entry did to one department's month (or year, for annual clauses)."""

    entry: Entry
    clause: Clause
    amount: Decimal  # signed: below zero a deduction, above zero a bonus

    @property
    def category(self) -> str:
        return self.clause.category

    @property
    def how(self) -> str:
        """How the amount was reached, as a clerk would check it (only for detail views)."""
        return explain(self.entry, self.clause, abs(self.amount))


@dataclass(frozen=True)
class CapUse:
    """A cap group whose bonuses went over its limit in one month."""

    group: str
    category: str
    earned: Decimal
    limit: Decimal

    @property
    def cut(self) -> Decimal:
        return self.earned - self.limit


@dataclass(frozen=True)
class Referral:
    """A case the report must list for referral to another body (2.4.13)."""

    entry: str
    clause: str
    department: str
    month: str
    to: str


@dataclass(frozen=True)
class DepartmentScore:
    """One department's scores for a month or a year."""

    department: str
    categories: dict[str, Decimal]
    total: Decimal
    vetoes: tuple[str, ...] = ()
    referrals: tuple[Referral, ...] = ()
    lines: tuple[Line, ...] = ()
    caps: tuple[CapUse, ...] = ()
    months: dict[str, Decimal] = field(default_factory=dict)  # a year's monthly totals

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoes)


@dataclass(frozen=True)
class Ranking:
    """Departments in rank order: (rank, score) pairs."""

    rows: tuple[tuple[int, DepartmentScore], ...]

    def find(self, department: str) -> tuple[int, DepartmentScore] | None:
        return next((row for row in self.rows if row[1].department == department), None)


class Scorer:
    """Scores one ledger under one catalog and one set of weights.

    Builds its indexes once (entries by department and month, recurring and annual ones
    apart, exclusive rises), so scoring every month of a year touches each entry about
    once, not once per month.
    """

    def __init__(self, book: Book, catalog: Catalog, weights: Weights, departments: Departments):
        self.book = book
        self.catalog = catalog
        self.weights = weights
        self.departments = departments
        self.by_cell: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        self.recurring: dict[str, list[Entry]] = defaultdict(list)
        self.annual: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        clauses = catalog.clauses
        for entry in book.entries:
            if clauses[entry.clause].annual:
                self.annual[(entry.department, entry.month[:4])].append(entry)
            elif entry.recurring:
                self.recurring[entry.department].append(entry)
            else:
                self.by_cell[(entry.department, entry.month)].append(entry)
        self.rises = exclusive_rises(book.entries, catalog)

    # -- months -------------------------------------------------------------------------

    def applies(self, entry: Entry, month: str) -> bool:
        """Does this entry count in this month? Recurring ones stand until closed."""
        if entry.recurring:
            through = self.book.through.get(entry.id)
            return entry.month <= month and (through is None or month <= through)
        return entry.month == month

    def department_month(self, department: str, month: str) -> DepartmentScore:
        lines: list[Line] = []
        vetoes: list[str] = []
        referrals: list[Referral] = []
        standing = [e for e in self.recurring.get(department, ()) if self.applies(e, month)]
        for entry in (*self.by_cell.get((department, month), ()), *standing):
            clause = self.catalog.clauses[entry.clause]
            if clause.kind == "veto":
                vetoes.append(entry.id)
            if clause.referral:
                referrals.append(Referral(entry.id, clause.id, department, month, clause.referral))
            lines.append(self.line(entry, clause))
        categories, caps = self.categories(lines)
        return DepartmentScore(
            department=department,
            categories=categories,
            total=self.weighted(categories),
            vetoes=tuple(sorted(vetoes)),
            referrals=tuple(referrals),
            lines=tuple(lines),
            caps=tuple(caps),
        )

    def line(self, entry: Entry, clause: Clause) -> Line:
        amount = self.amount(entry, clause)
        return Line(entry, clause, amount * clause.sign if amount else ZERO)

    def amount(self, entry: Entry, clause: Clause) -> Decimal:
        """The points an entry is worth (unsigned)."""
        kind = clause.kind
        if kind == "fixed" and not clause.exclusive:
            return clause.points * entry.count  # type: ignore[operator]
        if kind in ("range", "discretionary"):
            return entry.points * entry.count  # type: ignore[operator]
        if kind == "veto":
            return ZERO
        if kind == "rate":
            rate = rate_of(entry)
            if rate is None or rate >= HUNDRED:
                return ZERO
            return (HUNDRED - rate) * clause.per_point  # type: ignore[operator]
        if clause.exclusive:
            return self.rises.get(entry.id, ZERO)
        return clause.level_points(entry.level) * entry.count  # type: ignore[arg-type,operator]

    def categories(self, lines: Sequence[Line]) -> tuple[dict[str, Decimal], list[CapUse]]:
        """Category scores from a month's lines: caps on bonus groups, then the floor."""
        base, floor = self.weights.base, self.weights.floor
        sums = {c.id: ZERO for c in self.weights.categories}
        capped: dict[str, Decimal] = defaultdict(lambda: ZERO)
        cap_category: dict[str, str] = {}
        for line in lines:
            if line.clause.cap and line.amount > 0:
                capped[line.clause.cap] += line.amount
                cap_category[line.clause.cap] = line.category
            else:
                sums[line.category] = sums.get(line.category, ZERO) + line.amount
        uses = []
        for group, earned in capped.items():
            limit = self.catalog.caps[group].limit
            if earned > limit:
                uses.append(CapUse(group, cap_category[group], earned, limit))
            sums[cap_category[group]] += min(earned, limit)
        return {cid: max(floor, base + delta) for cid, delta in sums.items()}, uses

    def weighted(self, categories: dict[str, Decimal]) -> Decimal:
        return sum(
            (c.weight * categories.get(c.id, self.weights.base) for c in self.weights.categories),
            ZERO,
        )

    def month(self, month: str) -> Ranking:
        return rank(self.department_month(d.name, month) for d in self.departments)

    # -- years --------------------------------------------------------------------------

    def department_year(self, department: str, year: int, months: Sequence[str]) -> DepartmentScore:
        monthly = [self.department_month(department, month) for month in months]
        annual: list[Line] = [
            self.line(entry, self.catalog.clauses[entry.clause])
            for entry in self.annual.get((department, f"{year:04d}"), ())
        ]
        categories = {}
        for category in self.weights.categories:
            scores = [m.categories[category.id] for m in monthly]
            mean = sum(scores, ZERO) / len(scores) if scores else self.weights.base
            extra = sum((line.amount for line in annual if line.category == category.id), ZERO)
            categories[category.id] = max(self.weights.floor, mean + extra)
        return DepartmentScore(
            department=department,
            categories=categories,
            total=self.weighted(categories),
            vetoes=tuple(v for m in monthly for v in m.vetoes),
            referrals=tuple(r for m in monthly for r in m.referrals),
            lines=tuple(annual),
            caps=tuple(c for m in monthly for c in m.caps),
            months={month: m.total for month, m in zip(months, monthly, strict=True)},
        )

    def year(self, year: int, months: Sequence[str]) -> Ranking:
        return rank(self.department_year(d.name, year, months) for d in self.departments)


def exclusive_rises(entries: Iterable[Entry], catalog: Catalog) -> dict[str, Decimal]:
    """For exclusive clauses: what each entry adds over the matter's earlier best that year.

    City 2 in May then province 5 in July earn 2 in May and 3 in July. Within a month the
    order does not change the month's sum, so ledger order breaks ties.
    """
    best: dict[tuple[str, str, str, str], Decimal] = {}
    rises: dict[str, Decimal] = {}
    chosen = [e for e in entries if (c := catalog.clauses.get(e.clause)) and c.exclusive]
    for entry in sorted(chosen, key=lambda e: e.month):
        clause = catalog.clauses[entry.clause]
        worth = clause.level_points(entry.level) if entry.level else (entry.points or clause.points)  # type: ignore[arg-type]
        key = (entry.month[:4], entry.department, clause.id, entry.matter or "")
        before = best.get(key, ZERO)
        rises[entry.id] = max(ZERO, (worth or ZERO) - before)
        best[key] = max(before, worth or ZERO)
    return rises


def explain(entry: Entry, clause: Clause, amount: Decimal) -> str:
    """How an entry's points were reached: 3 件次 × 1, 93.5%: 少 6.5% × 0.1, 省级 5 …"""
    unit = clause.unit or "次"
    if clause.kind == "veto":
        return "一票否决"
    if clause.kind == "rate":
        rate = rate_of(entry)
        if rate is None:
            return "零办件，不计此项考核"
        shown = f"{plain(round2(rate))}%"
        if entry.value is None:
            shown = f"{plain(entry.numerator)}/{plain(entry.denominator)} = {shown}"  # type: ignore[arg-type]
        if rate >= HUNDRED:
            return f"{shown}，不扣分"
        return f"{shown}: 少 {plain(round2(HUNDRED - rate))}% × {plain(clause.per_point)}"  # type: ignore[arg-type]
    if clause.exclusive:
        worth = clause.level_points(entry.level) if entry.level else clause.points  # type: ignore[arg-type]
        return f"{entry.level or ''} {plain(worth or ZERO)}，同一事项最高层级计分：计 {plain(amount)}".strip()
    if clause.kind == "levels":
        each = clause.level_points(entry.level)  # type: ignore[arg-type]
        return f"{entry.level} {entry.count} {unit} × {plain(each)}"  # type: ignore[arg-type]
    each = clause.points if clause.kind == "fixed" else entry.points
    return f"{entry.count} {unit} × {plain(each)}"  # type: ignore[arg-type]


def rank(scores: Iterable[DepartmentScore]) -> Ranking:
    """Highest total first; equal totals (at 2 decimals) share a rank; vetoed ones come last."""
    ordered = sorted(scores, key=lambda s: (s.vetoed, -round2(s.total)))
    rows: list[tuple[int, DepartmentScore]] = []
    for position, score in enumerate(ordered, start=1):
        if rows and (rows[-1][1].vetoed, round2(rows[-1][1].total)) == (
            score.vetoed,
            round2(score.total),
        ):
            rows.append((rows[-1][0], score))
        else:
            rows.append((position, score))
    return Ranking(tuple(rows))
