"""Scores from a validated ledger: pure functions, no files, exact decimals.

A department's category starts each month at base, loses deductions, gains bonuses
(each cap group's bonuses capped per month) and never falls below floor. The month's
total is the weighted sum of its categories. A year averages each category over the
assessed months and adds that category's annual clauses. Vetoes do not change scores;
they rank a department below every department that was not vetoed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from typing import Protocol

from govscore.figures import RATE_PLACES, TYPED_PLACES, exact, plain, round2
from govscore.model import Entry, matter_key
from govscore.rules.amendments import RuleBook, Version
from govscore.rules.catalog import Catalog, Clause
from govscore.rules.config import Department, Departments, Weights
from govscore.rules.validate import HUNDRED, Book, applies, rate_of

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
    month: str = ""  # the month it happened in (a year lists its months')

    @property
    def cut(self) -> Decimal:
        return self.earned - self.limit


@dataclass(frozen=True)
class FloorUse:
    """A category whose score went below the floor and was raised to it (保底)."""

    category: str
    raw: Decimal  # what the sums made of it
    floor: Decimal
    month: str = ""  # in a year, the month it happened in ("" for the year's own score)

    @property
    def lift(self) -> Decimal:
        return self.floor - self.raw


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
    floors: tuple[FloorUse, ...] = ()
    # What each clause added or took away, before caps and floor (for reports by clause).
    clauses: dict[str, Decimal] = field(default_factory=dict)

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoes)


@dataclass(frozen=True)
class Ranking:
    """Departments in rank order: (rank, score) pairs."""

    rows: tuple[tuple[int, DepartmentScore], ...]

    def find(self, department: str) -> tuple[int, DepartmentScore] | None:
        return self._by_department.get(department)

    @cached_property
    def _by_department(self) -> dict[str, tuple[int, DepartmentScore]]:
        """Each department's row, looked up by name: a report finds each of a province's
        10,000 departments in the month before (a search through the rows each time
        took 100 million comparisons). A name ranked twice is found at its first row."""
        found: dict[str, tuple[int, DepartmentScore]] = {}
        for row in self.rows:
            found.setdefault(row[1].department, row)
        return found


@dataclass
class Cell:
    """One department's month, summed: what its entries add to each category and cap group."""

    sums: dict[str, Decimal] = field(default_factory=dict)
    capped: dict[str, Decimal] = field(default_factory=dict)
    cap_category: dict[str, str] = field(default_factory=dict)
    vetoes: list[str] = field(default_factory=list)
    referrals: list[tuple[str, str, str]] = field(default_factory=list)  # entry, clause, to
    clauses: dict[str, Decimal] = field(default_factory=dict)  # the same sums, by clause

    def add(self, entry: Entry, clause: Clause, amount: Decimal) -> None:
        """Count one entry's signed amount, and note a veto or referral it makes."""
        self.add_amount(clause, amount)
        if clause.kind == "veto":
            self.vetoes.append(entry.id)
        if clause.referral:
            self.referrals.append((entry.id, clause.id, clause.referral))

    def add_amount(self, clause: Clause, amount: Decimal) -> None:
        """A capped bonus goes to its group, the rest to its category."""
        if amount:
            self.clauses[clause.id] = self.clauses.get(clause.id, ZERO) + amount
            self.add_to_category(clause, amount)

    def add_to_category(self, clause: Clause, amount: Decimal) -> None:
        """add_amount but for the sum by clause (a tally's sums hold each clause once); the
        amount is not 0."""
        # Not mutated (equivalent): the amount is never 0, so > 0 and >= 0 agree.
        if clause.cap and amount > 0:  # pragma: no mutate
            self.capped[clause.cap] = self.capped.get(clause.cap, ZERO) + amount
            self.cap_category[clause.cap] = clause.category
        else:
            self.sums[clause.category] = self.sums.get(clause.category, ZERO) + amount

    def merge(self, other: Cell) -> None:
        """Add what another cell of the same department and month holds (summed elsewhere)."""
        for mine, theirs in (
            (self.sums, other.sums),
            (self.capped, other.capped),
            (self.clauses, other.clauses),
        ):
            for name, amount in theirs.items():
                mine[name] = mine.get(name, ZERO) + amount
        self.cap_category.update(other.cap_category)
        self.vetoes.extend(other.vetoes)
        self.referrals.extend(other.referrals)

    def copy(self) -> Cell:
        return Cell(
            dict(self.sums),
            dict(self.capped),
            dict(self.cap_category),
            list(self.vetoes),
            list(self.referrals),
            dict(self.clauses),
        )


CellKey = tuple[str, str]  # department, month


class MonthCells(MutableMapping[str, Cell]):
    """A month's cells by department, each decoded from the form the cache stored it in
    when first read: `add` changes one department's cell of a province's 10,000, and
    the month is written again from the stored forms of the others, as they were."""

    def __init__(self, stored: dict[str, object], decode: Callable[[object], Cell]):
        self._items: dict[str, object] = dict(stored)  # a Cell once decoded or set
        self._decode = decode

    def __getitem__(self, department: str) -> Cell:
        found = self._items[department]
        if not isinstance(found, Cell):
            found = self._items[department] = self._decode(found)
        return found

    def __setitem__(self, department: str, cell: Cell) -> None:
        self._items[department] = cell

    def __delitem__(self, department: str) -> None:
        del self._items[department]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def forms(self) -> Iterator[tuple[str, object]]:
        """Each department's cell: a Cell where decoded, else as the cache stored it."""
        return iter(self._items.items())

    def copy(self) -> MonthCells:
        """A copy whose cells can change without changing these (stored forms are shared:
        decoding makes new cells)."""
        other = MonthCells({}, self._decode)
        other._items = {
            department: found.copy() if isinstance(found, Cell) else found
            for department, found in self._items.items()
        }
        return other


class Cells:
    """A Summary's cells by (department, month), each month's kept as the cache stored it
    (text) until something asks for one of its cells.

    A warm report whose month scores are known (see Scorer's memo) then never decodes a
    province's 120,000 cells, and `add` decodes only the month it adds to.
    """

    def __init__(self, cells: dict[CellKey, Cell] | None = None) -> None:
        self._months: dict[str, MutableMapping[str, Cell]] = {}
        self._raw: dict[str, tuple[str, Callable[[str], MutableMapping[str, Cell]]]] = {}
        self._written: dict[str, str] = {}  # decoded months' text, as last written
        for key, cell in (cells or {}).items():
            self[key] = cell

    def keep_raw(
        self, month: str, text: str, decode: Callable[[str], MutableMapping[str, Cell]]
    ) -> None:
        """Hold a month's cells as text, decoded by `decode` when first asked for."""
        self._months.pop(month, None)  # pragma: no mutate (equivalent: month() decodes it again)
        self._raw[month] = (text, decode)

    def raw(self, month: str) -> str | None:
        """The month's text as stored or last written, while no cell of it changed."""
        held = self._raw.get(month)
        return held[0] if held is not None else self._written.get(month)

    def written(self, month: str, text: str) -> None:
        """The text a month was just written as: raw() gives it until a cell changes."""
        self._written[month] = text

    def changed(self, month: str) -> None:
        """A cell of the month is about to change (Summary.add): its text no longer holds."""
        self._written.pop(month, None)

    def months(self) -> list[str]:
        return sorted({*self._months, *self._raw})

    def add_month(self, month: str, cells: MutableMapping[str, Cell]) -> None:
        """Cells summed elsewhere (a worker's plain entries), joined to the month's own;
        they become this month's (not copied; MonthCells stay undecoded)."""
        held = self.month(month)
        self.changed(month)
        if not held:
            # pragma: no mutate start (equivalent: a dict of the same cells, decoded sooner)
            self._months[month] = cells if isinstance(cells, MonthCells) else dict(cells)
            # pragma: no mutate end
            return
        for department, cell in cells.items():
            mine = held.get(department)
            if mine is None:
                held[department] = cell
            else:
                mine.merge(cell)

    def month(self, month: str) -> MutableMapping[str, Cell]:
        """The month's cells by department (decoded now if they were text)."""
        held = self._raw.pop(month, None)
        if held is not None:
            self._months[month] = held[1](held[0])
        return self._months.get(month, {})

    def get(self, key: CellKey) -> Cell | None:
        return self.month(key[1]).get(key[0])

    def __getitem__(self, key: CellKey) -> Cell:
        return self.month(key[1])[key[0]]

    def __setitem__(self, key: CellKey, cell: Cell) -> None:
        self.month(key[1])
        self.changed(key[1])
        self._months.setdefault(key[1], {})[key[0]] = cell

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and len(key) == 2 and self.get(key) is not None  # type: ignore[arg-type]

    def items(self) -> Iterator[tuple[CellKey, Cell]]:
        for month in self.months():
            for department, cell in self.month(month).items():
                yield (department, month), cell

    def keys(self) -> Iterator[CellKey]:
        return (key for key, _ in self.items())

    def __iter__(self) -> Iterator[CellKey]:
        return self.keys()

    def __len__(self) -> int:
        return sum(len(self.month(month)) for month in self.months())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Cells):
            other = dict(other.items())
        return isinstance(other, dict) and dict(self.items()) == other

    __hash__ = None  # type: ignore[assignment]

    def copy(self) -> Cells:
        """A copy whose cells can change without changing these; text is shared as it is."""
        other = Cells()
        other._raw = dict(self._raw)
        other._written = dict(self._written)
        other._months = {
            month: (
                cells.copy()
                # Not mutated (equivalent): a dict of the same cells.
                if isinstance(cells, MonthCells)  # pragma: no mutate
                else {department: cell.copy() for department, cell in cells.items()}
            )
            for month, cells in self._months.items()
        }
        return other


class ScoreMemo(Protocol):
    """Scores already worked out (kept by the cache, govscore.ledger.scores): a warm report
    reads them instead of scoring 120,000 department-months again.

    `month` and `year` return what Scorer would work out itself (without lines), or None
    when it does not know; `keep_*` hand it what the scorer worked out.
    """

    def month(self, scorer: Scorer, department: str, month: str) -> DepartmentScore | None: ...

    def year(
        self, scorer: Scorer, department: str, year: int, months: Sequence[str]
    ) -> DepartmentScore | None: ...


@dataclass
class Summary:
    """A ledger reduced to what scores need: sums per department and month, and the few
    entries whose effect depends on other months (recurring, exclusive, annual).

    Adding an entry is all it takes to keep it current, so a cache can hold a Summary
    and fold in appended entries without reading the ledger again.
    """

    cells: Cells = field(default_factory=Cells)
    standing: list[Entry] = field(default_factory=list)
    exclusive: list[Entry] = field(default_factory=list)
    annual: list[Entry] = field(default_factory=list)
    through: dict[str, str] = field(default_factory=dict)

    def add(self, entry: Entry, clause: Clause) -> None:
        if clause.annual:
            self.annual.append(entry)
        elif entry.recurring:
            self.standing.append(entry)
        elif clause.exclusive:
            self.exclusive.append(entry)
        else:
            key = (entry.department, entry.month)
            self.cells.changed(entry.month)
            cell = self.cells.get(key)
            if cell is None:
                cell = self.cells[key] = Cell()
            cell.add(entry, clause, signed_amount(entry, clause))


def summarize(book: Book, catalog: Catalog, summary: Summary | None = None) -> Summary:
    """Each entry summed under its own month's rules (see govscore.rules.amendments),
    into `summary` when given (one holding sums made elsewhere)."""
    if summary is None:
        summary = Summary(through=dict(book.through))
    for entry in book.entries:
        summary.add(entry, catalog.at(entry.month).clauses[entry.clause])
    return summary


def signed_amount(entry: Entry, clause: Clause, rises: dict[str, Decimal] | None = None) -> Decimal:
    """The points an entry adds (above zero) or takes away (below zero)."""
    amount = entry_amount(entry, clause, rises or {})
    # Not mutated (equivalent): sign is 1 or -1, and 0 × sign is 0.
    return amount * clause.sign if amount else ZERO  # pragma: no mutate


def fits(entry: Entry, clause: Clause) -> bool:
    """Whether an entry's figures give an amount under a clause: a notice may change a
    clause's kind under a recurring entry (fixed 1 a month becomes a range, levels or a
    rate), and the entry then states no points, level or rate to count by; or narrow a
    range past the points it states (0.7 under 0.8–1.5), which the door refuses that
    month, as it would refuse the entry. A range made fixed needs no figures: the entry
    counts the fixed points, as a fixed clause counts each month's own points."""
    kind = clause.kind
    if kind in ("range", "discretionary"):
        return entry.points is not None and within(entry.points, clause)
    if kind == "levels":
        return entry.level is not None and clause.level_points(entry.level) is not None
    if kind == "rate":
        return entry.value is not None or None not in (entry.numerator, entry.denominator)
    return True


def within(points: Decimal, clause: Clause) -> bool:
    """Whether points lie in a range clause's min–max, or under a discretionary one's ceiling."""
    if clause.kind == "range":
        return clause.min <= points <= clause.max  # type: ignore[operator]
    return clause.max is None or points <= clause.max


def stands_under(
    entry: Entry, clause: Clause, department: Department | None, booked: Clause | None
) -> bool:
    """Whether a recurring entry still counts under a month's version of its clause: the
    clause still recurs (a notice may make it count once a month it happened: the door
    then refuses --recurring, so a standing entry stops too); it has not become a veto
    since `booked` (the clause in the entry's own month): a veto is booked by the office
    itself, never earned by a standing per-month deduction; its figures give an amount
    (fits); and the clause still applies to its department (a notice may restrict it to
    a tag the department lacks, as a new booking is refused)."""
    return (
        clause.recurring
        and (clause.kind != "veto" or (booked is not None and booked.kind == "veto"))
        and fits(entry, clause)
        and (department is None or applies(clause, department))
    )


def why_stopped(
    entry: Entry, clause: Clause | None, department: Department | None, booked: Clause | None
) -> str:
    """Why a recurring entry no longer counts under a version of its clause (see
    stands_under): "retired", "veto", "once" (no longer recurring), "applies_to",
    "range" (its points outside a new range) or "figures" (a kind its figures cannot
    score); `booked`: the clause in the entry's own month."""
    if clause is None:
        return "retired"
    if clause.kind == "veto" and (booked is None or booked.kind != "veto"):
        return "veto"
    if not clause.recurring:
        return "once"
    if fits(entry, clause):
        return "applies_to"
    if entry.points is not None and clause.kind in ("range", "discretionary"):
        return "range"
    return "figures"


def stand_changes(
    entry: Entry, catalog: Catalog, department: Department | None, through: str | None = None
) -> list[tuple[Version, str | None]]:
    """Each version after a recurring entry's month (none after `through`, the last month
    a close lets it stand) from which it stops counting, with why (why_stopped), or counts
    again (None: a range widened back, the clause recurring again): as the Scorer has it
    month by month (stands_under). For `show`, `log` and the door's warning.

    Notices that first apply in the same month are weighed together: the last of them is
    in force (RuleBook.in_force), so only it says whether the entry stands that month
    (one effective 09-20 stopping it and one 10-01 resuming it leave no gap). A change is
    named by the notice of that month that made it: the last to turn the entry's stand."""
    versions: Sequence[Version] = getattr(catalog, "versions", ())
    booked = catalog.at(entry.month).clauses.get(entry.clause)
    changes: list[tuple[Version, str | None]] = []
    standing = walked = True
    turned: tuple[Version, str | None] | None = None
    for number, version in enumerate(versions):
        if version.first_month <= entry.month:
            continue
        if through is not None and version.first_month > through:
            break  # closed before this version: nothing it says matters
        clause = version.catalog.clauses.get(entry.clause)
        stands = clause is not None and stands_under(entry, clause, department, booked)
        if stands != walked:
            turned = (version, None if stands else why_stopped(entry, clause, department, booked))
            walked = stands
        following = versions[number + 1] if number + 1 < len(versions) else None
        if following is not None and following.first_month == version.first_month:
            continue  # a later notice of the same first month replaces this one
        if walked != standing and turned is not None:
            changes.append(turned)
            standing = walked
    return changes


def entry_amount(entry: Entry, clause: Clause, rises: dict[str, Decimal]) -> Decimal:
    """The points an entry is worth (unsigned); exclusive clauses earn their rise."""
    kind = clause.kind
    if kind == "fixed" and not clause.exclusive:
        return clause.points * entry.count  # type: ignore[operator]
    if kind in ("range", "discretionary") and not clause.exclusive:
        return entry.points * entry.count  # type: ignore[operator]
    if kind == "veto":
        return ZERO
    if kind == "rate":
        rate = rate_of(entry)
        if rate is None:
            return ZERO
        if rate >= HUNDRED:  # pragma: no mutate (equivalent: at 100% the shortfall is 0)
            return ZERO
        return (HUNDRED - rate) * clause.per_point  # type: ignore[operator]
    if clause.exclusive:
        # Not mutated (equivalent): every exclusive entry has a rise.
        return rises.get(entry.id, ZERO)  # pragma: no mutate
    return clause.level_points(entry.level) * entry.count  # type: ignore[arg-type,operator]


class Scorer:
    """Scores one ledger under one catalog and one set of weights, or under a RuleBook:
    then each month is scored by the catalog and weights in force that month.

    Works from a Summary (sums per department and month), so scoring every month of a
    year costs little however many entries there are. Built from a Book, it also keeps
    the entries, to show which lines made each score (--detail).
    """

    def __init__(
        self,
        book: Book | None,
        catalog: Catalog,
        weights: Weights,
        departments: Departments,
        summary: Summary | None = None,
        memo: ScoreMemo | None = None,
    ):
        self.book = book
        # With entries, lines are shown. Not mutated (equivalent): the memo only saves work.
        self.memo = memo if book is None else None  # pragma: no mutate
        self.catalog = catalog
        self.weights = weights
        self.departments = departments
        self._rules: dict[str, tuple[Catalog, Weights, dict[str, Decimal]]] = {}
        if summary is None:
            assert book is not None
            summary = summarize(book, catalog)
        self.summary = summary
        # Each recurring entry with its clause in its own month (stands_under's `booked`):
        # the same whatever month is scored, so found once, not in each month it stands.
        self.standing: dict[str, list[tuple[Entry, Clause | None]]] = defaultdict(list)
        for entry in summary.standing:
            booked = catalog.at(entry.month).get(entry.clause)
            self.standing[entry.department].append((entry, booked))
        self.exclusive: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        for entry in summary.exclusive:
            self.exclusive[(entry.department, entry.month)].append(entry)
        self.annual: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        for entry in summary.annual:
            self.annual[(entry.department, entry.month[:4])].append(entry)
        self.rises = exclusive_rises(summary.exclusive, catalog)
        self.by_cell: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        if book is not None:
            for entry in book.entries:
                if not (entry.recurring or catalog.at(entry.month).clauses[entry.clause].annual):
                    self.by_cell[(entry.department, entry.month)].append(entry)

    def _month_rules(self, month: str) -> tuple[Catalog, Weights, dict[str, Decimal]]:
        """The month's catalog and weights, and each of its categories at zero: looked up
        once a month, not once for each of a province's 120,000 department-months."""
        # Not mutated (equivalent): the lookup only saves work.
        found = self._rules.get(month)  # pragma: no mutate
        if found is None:
            if isinstance(self.catalog, RuleBook):
                catalog, weights = self.catalog.at(month), self.catalog.weights_at(month)
            else:
                catalog, weights = self.catalog, self.weights
            zeros = {category.id: ZERO for category in weights.categories}
            found = self._rules[month] = (catalog, weights, zeros)
        return found

    def weights_at(self, months: Sequence[str]) -> Weights:
        """The weights a period (its months, never none) is shown by: those in force in
        its last month, as score_year weighs a year (an amendment may add or drop a
        category)."""
        return self._month_rules(months[-1])[1]

    def base_of(self, department: str, months: Sequence[str]) -> Decimal:
        """The base a department's scores over `months` are measured from: a month's own,
        a year's the mean of its assessed months' bases, as its floor is the mean of their
        floors (a notice lowering the base to 90 in October leaves June at 100)."""
        assessed = self.assessed_months(department, months)
        if not assessed:
            return self.weights_at(months).base
        return sum([self._month_rules(m)[1].base for m in assessed]) / len(assessed)

    def annual_of(self, department: str, month: str) -> list[Entry]:
        """The department's entries of annual clauses recorded in the month (4.2.4): they
        count in the year, not in the month, whose detail would else not name them."""
        return [e for e in self.annual.get((department, month[:4]), ()) if e.month == month]

    # -- months -------------------------------------------------------------------------

    def applies(self, entry: Entry, month: str) -> bool:
        """Does this entry count in this month? Recurring ones stand until closed."""
        if entry.recurring:
            through = self.summary.through.get(entry.id)
            return entry.month <= month and (through is None or month <= through)
        # Not mutated (equivalent): only recurring entries are asked.
        return entry.month == month  # pragma: no mutate

    def stands_in(self, month: str) -> bool:
        """Whether any recurring entry stands in a month (one with no ledger file of its
        own): in a month its department is assessed in (since/until), as score_year weighs
        a department's months; one after its department's last month is scored nowhere."""
        clauses = self._month_rules(month)[0].clauses
        return any(
            self.counts_standing(entry, booked, department, month, clauses)
            and self.assessed_months(department, (month,))
            for department, standing in self.standing.items()
            for entry, booked in standing
        )

    def counts_standing(
        self,
        entry: Entry,
        booked: Clause | None,
        department: str,
        month: str,
        clauses: Mapping[str, Clause],
    ) -> bool:
        """Whether a recurring entry counts in a month: standing then (not closed), and
        not once its clause retired, nor once a notice made it a clause its figures cannot
        score, one that no longer applies to the department (applies_to a tag it lacks),
        one that no longer recurs, or a veto. `clauses`: the month's."""
        return (
            self.applies(entry, month)
            and entry.clause in clauses
            and stands_under(
                entry, clauses[entry.clause], self.departments.by_name.get(department), booked
            )
        )

    def department_month(self, department: str, month: str) -> DepartmentScore:
        if self.memo is not None:
            # Not mutated (equivalent): the memo only saves work; a score it does not
            # know (None) the scorer works out.
            known = self.memo.month(self, department, month)  # pragma: no mutate
            if known is not None:  # pragma: no mutate
                return known
        return self.score_month(department, month)

    def score_month(self, department: str, month: str) -> DepartmentScore:
        """A department's month worked out from the summary (department_month asks the
        memo first)."""
        cell = self.summary.cells.get((department, month))
        clauses = self._month_rules(month)[0].clauses
        # A recurring entry counts under each month's own points (see counts_standing).
        standing = [
            e
            for e, booked in self.standing.get(department, ())
            if self.counts_standing(e, booked, department, month, clauses)
        ]
        extra = [*self.exclusive.get((department, month), ()), *standing]
        work = cell if cell is not None else Cell()
        if extra:  # the summary's cell is never changed: a copy takes the extra entries
            work = work.copy()
        for entry in extra:
            clause = clauses[entry.clause]
            work.add(entry, clause, signed_amount(entry, clause, self.rises))
        categories, caps, floors = self.categories(work, month)
        lines: tuple[Line, ...] = ()
        if self.book is not None:
            shown = [*self.by_cell.get((department, month), ()), *standing]
            lines = tuple(self.line(entry, clauses[entry.clause]) for entry in shown)
        # Most of a province's 120,000 department-months have no veto, referral or floor:
        # their empty parts are not built one generator at a time.
        return DepartmentScore(
            department=department,
            categories=categories,
            total=self.weighted(categories, month),
            vetoes=tuple(sorted(work.vetoes)) if work.vetoes else (),
            referrals=tuple(
                Referral(entry, clause, department, month, to)
                for entry, clause, to in sorted(work.referrals)
            )
            if work.referrals
            else (),
            lines=lines,
            caps=tuple(caps),
            floors=tuple(replace(f, month=month) for f in floors) if floors else (),
            # In clause order, as caps in group order: a cell summed in another order (a
            # cold build sums plain entries apart) scores alike, and kept rows compare.
            clauses=dict(sorted(work.clauses.items())),
        )

    def line(self, entry: Entry, clause: Clause) -> Line:
        return Line(entry, clause, signed_amount(entry, clause, self.rises))

    def categories(
        self, cell: Cell, month: str
    ) -> tuple[dict[str, Decimal], list[CapUse], list[FloorUse]]:
        """Category scores from a month's sums: caps on bonus groups, then the floor."""
        catalog, weights, zeros = self._month_rules(month)
        base, floor = weights.base, weights.floor
        # A category the weights lack (a problem `check` names) is scored, weighed nowhere.
        sums = {**zeros, **cell.sums}
        uses = []
        for group, earned in sorted(cell.capped.items()):
            limit = catalog.caps[group].limit
            category = cell.cap_category[group]
            if earned > limit:
                uses.append(CapUse(group, category, earned, limit, month))
            kept = min(earned, limit)
            sums[category] = sums.get(category, ZERO) + kept
        raised = {cid: base + delta for cid, delta in sums.items()}
        floors = [FloorUse(cid, value, floor) for cid, value in raised.items() if value < floor]
        # max(floor, value), written out: a province scores 120,000 months.
        return (
            {cid: value if value > floor else floor for cid, value in raised.items()},
            uses,
            floors,
        )

    def weighted(self, categories: dict[str, Decimal], month: str) -> Decimal:
        """The weighted total, by the weights in force in the month."""
        weights = self._month_rules(month)[1]
        return sum([c.weight * categories[c.id] for c in weights.categories])

    def month(self, month: str) -> Ranking:
        """The month's ranking of the departments assessed in it (since/until): one not
        on the list that month is not listed, and the others' ranks close up."""
        return rank(
            self.department_month(d.name, month) for d in self.departments if d.assessed_in(month)
        )

    # -- years --------------------------------------------------------------------------

    def department_year(self, department: str, year: int, months: Sequence[str]) -> DepartmentScore:
        if self.memo is not None:
            # Not mutated (equivalent): the memo only saves work; a score it does not
            # know (None) the scorer works out.
            known = self.memo.year(self, department, year, months)  # pragma: no mutate
            if known is not None:  # pragma: no mutate
                return known
        return self.score_year(department, year, months)

    def score_year(self, department: str, year: int, months: Sequence[str]) -> DepartmentScore:
        """A department's year from its months (department_year asks the memo first): the
        year's assessed months within its span (since/until), so one that joined in
        August is the mean of August on, not of months it was not assessed in."""
        end = months[-1] if months else f"{year:04d}-12"
        weights = self._month_rules(end)[1]  # the weights in force at the year's end
        months = self.assessed_months(department, months)
        monthly = [self.department_month(department, month) for month in months]
        annual: list[Line] = [
            self.line(entry, self.catalog.at(entry.month).clauses[entry.clause])
            for entry in self.annual.get((department, f"{year:04d}"), ())
        ]
        categories = {}
        # Each category's score times the number of months, exactly: a mean of 3, 6, 7 …
        # months is not a finite decimal, and the total of several means, each cut at 28
        # digits, may fall just short of a half cent (99.98499…, shown 99.98, for 99.985):
        # the total is divided once, at the end, and is exact wherever it can be.
        times: dict[str, Decimal] = {}
        sums: dict[str, Decimal] = {}
        count = len(monthly)
        floors = [f for m in monthly for f in m.floors]
        # The year's floor is the mean of its months' floors: a floor a notice raised in
        # July (0 → 60) lifts July on, not a year whose June stood at 0 by its own rules.
        floor_times = sum([self._month_rules(m)[1].floor for m in months])
        floor = floor_times / count if count else weights.floor
        for category in weights.categories:
            # A category added during the year counts at base in the months before it.
            scores = [m.categories.get(category.id, weights.base) for m in monthly]
            summed = sums[category.id] = sum(scores)
            mean = summed / count if scores else weights.base
            extra = sum(line.amount for line in annual if line.category == category.id)
            categories[category.id] = max(floor, mean + extra)
            times[category.id] = summed + count * extra
            if mean + extra < floor:
                floors.append(FloorUse(category.id, mean + extra, floor))
                times[category.id] = floor_times
        # Not mutated (equivalent): the other branch gives the same sum, reordered (below).
        # Every month weighed as the year's end (a notice's own `source` aside): the sum of
        # its categories' times, weighted once.
        weighing = weights.weighing
        if all(self._month_rules(m)[1].weighing == weighing for m in months):  # pragma: no mutate
            total = (
                sum([c.weight * times[c.id] for c in weights.categories]) / count
                if count
                else self.weighted(categories, end)
            )
        else:
            # Each month weighted by its own weights: the mean of the monthly totals, and
            # what the annual clauses (and the floor) add, by the weights at the year's end.
            added = sum(c.weight * (times[c.id] - sums[c.id]) for c in weights.categories)
            total = (sum(m.total for m in monthly) + added) / count
        clauses: dict[str, Decimal] = {}
        for score in monthly:
            for clause, amount in score.clauses.items():
                clauses[clause] = clauses.get(clause, ZERO) + amount
        for line in annual:
            if line.amount:
                clauses[line.clause.id] = clauses.get(line.clause.id, ZERO) + line.amount
        # Not mutated (equivalent): strict or not, monthly is made from months.
        totals = dict(zip(months, (m.total for m in monthly), strict=True))  # pragma: no mutate
        return DepartmentScore(
            department=department,
            categories=categories,
            total=total,
            # Each vetoing entry once, in the order of its first month: a standing veto (a
            # recurring entry of a veto clause) vetoes every month it stands in, one entry.
            vetoes=tuple(dict.fromkeys(v for m in monthly for v in m.vetoes)),
            referrals=tuple(r for m in monthly for r in m.referrals),
            lines=tuple(annual),
            caps=tuple(c for m in monthly for c in m.caps),
            months=totals,
            floors=tuple(floors),
            clauses=clauses,
        )

    def assessed_months(self, department: str, months: Sequence[str]) -> Sequence[str]:
        """The months (of a year's assessed months) the department is assessed in: all of
        them unless departments.toml gives it since or until."""
        found = self.departments.by_name.get(department)
        if found is None or not found.dated:
            return months
        return [month for month in months if found.assessed_in(month)]

    def year(self, year: int, months: Sequence[str]) -> Ranking:
        """The year's ranking of the departments assessed in at least one of its months."""
        return rank(
            self.department_year(d.name, year, months)
            for d in self.departments
            if not d.dated or any(d.assessed_in(month) for month in months)
        )


def exclusive_rises(entries: Iterable[Entry], catalog: Catalog) -> dict[str, Decimal]:
    """For exclusive clauses: what each entry adds over what its matter earned before that year.

    City 2 in May then province 5 in July earn 2 in May and 3 in July. Within a month the
    order does not change the month's sum, so ledger order breaks ties. The same level
    again (or a lower one) earns nothing, even after a notice changes the levels' points
    (市级 2 in June, 市级 at 3 in October: +0): 同一事项按最高层级计分 counts a matter by its
    level, and booking the same achievement twice must not score what booking it once does
    not. A higher level earns its points in its month less what the matter earned (+4 for
    省级 6 in October after 市级 2 in June). The door refuses what earns 0 (door.py).
    """
    earned: dict[tuple[str, str, str, str], Decimal] = {}
    before: dict[tuple[str, str, str, str], list[Entry]] = defaultdict(list)
    rises: dict[str, Decimal] = {}
    # pragma: no mutate start (equivalent: only exclusive entries are passed)
    chosen = [e for e in entries if (c := catalog.at(e.month).get(e.clause)) and c.exclusive]
    # pragma: no mutate end
    for entry in sorted(chosen, key=lambda e: e.month):
        clause = catalog.at(entry.month).clauses[entry.clause]
        worth = matter_worth(entry, clause)
        key = exclusive_matter(entry)
        higher = all(matter_worth(e, clause, catalog) < worth for e in before[key])
        got = earned.get(key, ZERO)
        rises[entry.id] = max(ZERO, worth - got) if higher else ZERO
        earned[key] = got + rises[entry.id]
        before[key].append(entry)
    return rises


def exclusive_matter(entry: Entry) -> tuple[str, str, str, str]:
    """The matter an exclusive entry counts for: once a year, a department, a clause and
    the matter as written any way (model.matter_key)."""
    # pragma: no mutate start (equivalent: [:5] keeps years apart too; a matter is named)
    return (entry.month[:4], entry.department, entry.clause, matter_key(entry.matter))
    # pragma: no mutate end


def reached_first(
    entry: Entry,
    others: Iterable[Entry],
    order: Mapping[str, int],
    clause: Clause,
    catalog: Catalog,
) -> Entry | None:
    """Which of `others` reached the entry's exclusive matter before it: the highest (by
    `clause`, the entry's month's version) of those in its matter before it in month, then
    `order` (ledger order), as exclusive_rises weighs them; None where none did."""
    matter = exclusive_matter(entry)
    place = (entry.month, order[entry.id])
    earlier = [
        other
        for other in others
        if exclusive_matter(other) == matter and (other.month, order[other.id]) < place
    ]
    return max(earlier, key=lambda other: matter_worth(other, clause, catalog), default=None)


def matter_worth(entry: Entry, clause: Clause, catalog: Catalog | None = None) -> Decimal:
    """An exclusive entry's level (or points stated) as worth under `clause`, a month's
    version: so a later month compares an earlier entry's level by its own rules. A level
    the version lacks (a notice renamed it) keeps its worth in the entry's own month."""
    if entry.level:
        found = clause.level_points(entry.level)
        if found is None and catalog is not None:
            own = catalog.at(entry.month).get(entry.clause)
            found = own.level_points(entry.level) if own is not None else None
        return found or ZERO
    return entry.points or clause.points or ZERO


def explain(entry: Entry, clause: Clause, amount: Decimal) -> str:
    """How an entry's points were reached: 3 件次 × 1, 93.5%: 少 6.5% × 0.1, 省级 5 …"""
    counted = f"{entry.count} {clause.unit or '次'}"
    if clause.unit == "月":
        # A recurring entry stands once in each month, so its count is the matters
        # outstanding (两项未整改, each deducting every month): 每月 2 项 × 1, where
        # "2 个月 × 1" in October would read as two months. Otherwise the count is months
        # booked at once: 2 个月 × 1 ("2 月" would read as February).
        counted = f"每月 {entry.count} 项" if entry.recurring else f"{entry.count} 个月"
    if clause.kind == "veto":
        return "一票否决"
    if clause.kind == "rate":
        rate = rate_of(entry)
        if rate is None:
            return "零办件，不计此项考核"
        # Exact, or cut with …: a shortfall rounded (1997/2003 "少 0.3%" for 0.2995…%)
        # would not give the amount shown beside it. A rate typed is shown as typed
        # (99.999999%, not 99.9999…%), and so is its shortfall (少 0.000001%).
        places = RATE_PLACES if entry.value is None else TYPED_PLACES
        shown = f"{exact(rate, places, 0)}%"
        if entry.value is None:
            shown = f"{plain(entry.numerator)}/{plain(entry.denominator)} = {shown}"  # type: ignore[arg-type]
        if rate >= HUNDRED:
            return f"{shown}，不扣分"
        short = exact(HUNDRED - rate, places, 0)
        return f"{shown}：少 {short}% × {plain(clause.per_point)}"  # type: ignore[arg-type]
    if clause.exclusive:
        # The matter's worth as exclusive_rises counts it: its level, or the points stated.
        worth = matter_worth(entry, clause)
        return (
            f"{entry.level or ''} {plain(worth)}，同一事项最高层级计分：计 {plain(amount)}".strip()
        )
    if clause.kind == "levels":
        each = clause.level_points(entry.level)  # type: ignore[arg-type]
        return f"{entry.level} {counted} × {plain(each)}"  # type: ignore[arg-type]
    each = clause.points if clause.kind == "fixed" else entry.points
    return f"{counted} × {plain(each)}"  # type: ignore[arg-type]


def rank(scores: Iterable[DepartmentScore]) -> Ranking:
    """Highest total first; equal totals (at 2 decimals) share a rank; vetoed ones come last."""
    listed = list(scores)
    keys = [(s.vetoed, -round2(s.total)) for s in listed]  # each total rounded once
    rows: list[tuple[int, DepartmentScore]] = []
    # Not mutated (equivalent): "" is no key either.
    previous: tuple[bool, Decimal] | None = None  # pragma: no mutate
    for position, place in enumerate(sorted(range(len(listed)), key=keys.__getitem__), 1):
        if keys[place] == previous:
            rows.append((rows[-1][0], listed[place]))
        else:
            rows.append((position, listed[place]))
        previous = keys[place]
    return Ranking(tuple(rows))
