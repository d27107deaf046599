"""Plain entries summed as a ledger is read, so a cold cache build keeps up with a province.

Most of a big ledger is plain score entries: a department, a per-occurrence clause, a
count or points, a date. Making a million Entry objects only to add them up is most of
the cost of a cold report. A PlainTally is offered the tables that
tomlfast.PLAIN_TABLE matches, a block of them at a time, and takes each only when the
full review would count it as it stands, on its own:

- its clause needs nothing from other entries: no veto, follow-up, exclusive, annual or
  referral clause, and no clause a follow-up may name;
- its department and figures pass the same validators (judged once per combination);
- its date falls in its month (judged once per date);
- no entry of its file names its id in ref, void or close (a quick look at the text);
- a rate (one a department a month) is the only one of its clause and department the
  file holds: two are both left to the review, which reports the second.

Everything else becomes an Entry as usual. The tally sums what it takes into each
department's Cell of the month, in the worker that read the file. What a tally cannot
see from one table the caller checks afterwards with `named_elsewhere` and
`rate_clashes`: an entry named from another file (or in a way the quick look missed),
or a rate that an entry the review sees also gives, has its file read again, leaving
it alone; an id used twice has the whole ledger read the ordinary way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, MutableMapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from govscore.ledger.identity import department_identity, identity_parts, mark_of, marked
from govscore.ledger.tomlfast import FIGURES, PlainTables
from govscore.model import Entry, sequence_name
from govscore.rules.catalog import Catalog, Clause
from govscore.rules.config import Departments
from govscore.rules.scoring import ZERO, Cell, Summary, signed_amount
from govscore.rules.validate import Numbers, applies, clause_problems, date_problems, numbered_ids

PLAIN_KINDS = frozenset({"fixed", "range", "levels", "discretionary", "rate"})
RateKey = tuple[str, str]  # a rate's clause and department (its month is the file's)
# ref, void or close naming an id, as govscore writes them (a hint; see named_elsewhere).
_NAMED = re.compile(rb'\n(?:ref|void|close) = "([^"\\\n]*)"')


def named_ids(data: bytes) -> frozenset[str]:
    """The ids a file's ref, void and close lines name: those entries are not tallied."""
    return frozenset(raw.decode("utf-8", "replace") for raw in _NAMED.findall(data))


def plain_clauses(catalog: Catalog) -> frozenset[str]:
    """Clauses whose entries count on their own, in their own month's cell: in every
    version of an amended catalog (a follow-up's target in any version is not plain)."""
    versions = catalog.every_version()
    targets = {target for version in versions for clause in version for target in clause.ref}
    every = {clause.id for version in versions for clause in version}
    other = {clause.id for version in versions for clause in version if not _plain(clause)}
    return frozenset(every - other - targets)


def _plain(clause: Clause) -> bool:
    return clause.kind in PLAIN_KINDS and not (
        clause.ref or clause.exclusive or clause.annual or clause.referral
    )


_UNSEEN = object()

# Which entries of a written key are marked as they are read: all (an import compares
# every keyed row by them), none (a report: a million marks cost the cache file 30 MB),
# or those of these keys (what `check` compares with the marks a cache holds).
Marking = bool | frozenset[str]


class PlainTally:
    """The plain entries of one month file: their ids, and their sums per department and
    clause (each department, and each clause with its figures, judged once)."""

    def __init__(
        self,
        month: str,
        catalog: Catalog,
        departments: Departments,
        named: Set[str] = frozenset(),
        plain: Set[str] | None = None,
        refused: Set[RateKey] = frozenset(),
        marks: Marking = False,
    ):
        self.month = month
        self.catalog = catalog.at(month)  # the month's own rules: one verdict per combination
        self.departments = departments
        self.named = named
        self.plain = plain_clauses(catalog) if plain is None else plain
        self.refused = refused  # rates left to the review (another entry gives one too)
        # Entries of a written key are marked where their marks are wanted (cache.Context
        # .marks: an import compares a keyed row by them): see Marking.
        self.marks = marks
        self.ids: list[str] = []
        self.keys: dict[str, str] = {}  # key → id of the keyed entries taken
        self.twice: set[str] = set()  # ids of entries taken under a key taken before
        self.marked: dict[str, str] = {}  # key → mark of the keyed entries taken, where wanted
        self.rates: set[RateKey] = set()
        self.clashes: set[RateKey] = set()  # rates taken twice: the file is read again
        self._names: dict[str, Any] = {}  # as written → Department, or None
        self._verdicts: dict[str, Any] = {}  # figures as written → (Clause, signed points)
        self._figures: dict[tuple[str | None, ...], Any] = {}  # figures → the same
        self._days: dict[str | None, bool] = {}
        self._parts: dict[str, tuple[tuple[str, ...], tuple[str, ...], bool]] = {}
        self._sums: dict[tuple[str, str], Decimal] = {}  # (department, clause) → points

    def __call__(self, tables: PlainTables) -> list[int]:
        """Take the plain tables the review would count as they stand: the indexes of
        those left.

        Each distinct figures (with their date) and department is judged once, column by
        column; only what joins them is done table by table."""
        written, names = tables.column(3), tables.column(2)
        verdicts, departments = self._verdicts, self._names
        for figures in set(written).difference(verdicts):
            verdicts[figures] = self._judge(figures)
        for name in set(names).difference(departments):
            found = self.departments.resolve(name)
            # A department not assessed this month (since/until): left to the review,
            # which names the entry.
            in_span = found is not None and found.assessed_in(self.month)
            departments[name] = found if in_span else None
        named, refused, rates, sums = self.named, self.refused, self.rates, self._sums
        ids, keys, marks = self.ids, self.keys, self.marks
        left: list[int] = []
        rows = zip(
            map(verdicts.__getitem__, written),
            map(departments.__getitem__, names),
            tables.column(1),
            tables.column(6),
            strict=True,
        )
        notes, recorders = tables.column(4), tables.column(5)
        for index, (judged, department, entry_id, key) in enumerate(rows):
            if judged is None or department is None or entry_id in named:
                left.append(index)
                continue
            clause, amount = judged
            if not applies(clause, department):
                left.append(index)
                continue
            if clause.kind == "rate":
                rate = (clause.id, department.name)
                if rate in refused:
                    left.append(index)
                    continue
                if rate in rates:
                    self.clashes.add(rate)
                    left.append(index)
                    continue
                rates.add(rate)
            if key is not None:
                first = keys.setdefault(key, entry_id)
                if first != entry_id:  # the caller leaves both to the review
                    self.twice.update((first, entry_id))
                elif marks and marked(key) and (marks is True or key in marks):
                    self.marked[key] = self._mark(
                        written[index], department.name, notes[index], recorders[index]
                    )
            pair = (department.name, clause.id)
            sums[pair] = sums.get(pair, ZERO) + amount
            ids.append(entry_id)
        return left

    def _mark(self, written: str, department: str, note: str | None, by: str | None) -> str:
        """What cache.key_mark makes of the entry of these figures, department (as the
        ledger keeps it), note and recorder: its identity's parts worked out once for
        each figures written, a digest for each entry."""
        parts = self._parts.get(written)
        if parts is None:
            found = FIGURES.fullmatch(written)
            assert found is not None  # judged already: _judge matched it
            clause, count, points, points_first, count_after, level, value, day = found.groups()
            if points_first is not None:
                count, points = count_after, points_first
            entry = self._entry(
                (clause, count, points, level, value), date.fromisoformat(day) if day else None
            )
            parts = self._parts[written] = (*identity_parts(entry), day is not None)
        before, after, dated = parts
        return mark_of(department_identity(self.month, before, department, after), dated, note, by)

    def _judge(self, written: str) -> tuple[Clause, Decimal] | None:
        """The clause and what an entry adds, if its figures and date (the lines from clause
        to date, as written) pass the validators: each judged once."""
        found = FIGURES.fullmatch(written)
        if found is None:  # not as PLAIN_TABLE matched them: cannot be, but the review explains
            return None
        *taken_apart, day = found.groups()
        figures = tuple(taken_apart)
        verdict = self._figures.get(figures, _UNSEEN)
        if verdict is _UNSEEN:
            verdict = self._figures[figures] = self._worth(figures)
        fine = self._days.get(day)
        if fine is None:
            fine = self._days[day] = self._judge_day(day)
        return verdict if fine else None

    def _entry(self, figures: Sequence[str | None], day: date | None = None) -> Entry:
        clause, count, points, level, value = figures
        return Entry(
            id="",
            month=self.month,
            clause=clause or "",
            count=int(count) if count else 1,
            points=Decimal(points) if points is not None else None,
            level=level,
            value=Decimal(value) if value is not None else None,
            date=day,
        )

    def _worth(self, figures: tuple[str | None, ...]) -> tuple[Clause, Decimal] | None:
        """The clause and what an entry with these figures (FIGURES' groups but the date)
        adds, if static_problems would find nothing wrong with them (the department is
        judged apart)."""
        clause_id, count, points, points_first, count_after, level, value = figures
        if points_first is not None:
            count, points = count_after, points_first
        if clause_id not in self.plain:
            return None
        clause = self.catalog.clauses.get(clause_id or "")
        if clause is None:
            return None  # not in force this month: the review explains
        entry = self._entry((clause_id, count, points, level, value))
        return None if clause_problems(entry, clause) else (clause, signed_amount(entry, clause))

    def _judge_day(self, text: str | None) -> bool:
        try:
            day = date.fromisoformat(text) if text is not None else None
        except ValueError:
            return False  # 2023-02-30: the ordinary reader explains it
        return not date_problems(self._entry(("", None, None, None, None), day))

    def result(self, others: Iterable[str] = ()) -> Tallied:
        """What was taken, summed into each department's Cell of the month: small enough to
        send back from a worker process, and summed there rather than in the main one.
        `others`: the ids of the file's entries not taken (see Tallied.alone)."""
        clauses = self.catalog.clauses
        cells: dict[str, Cell] = {}
        for (department, clause), amount in self._sums.items():
            cell = cells.get(department)
            if cell is None:
                cell = cells[department] = Cell()
            if amount:  # Cell.add_amount, knowing that each clause comes once
                cell.clauses[clause] = amount
                cell.add_to_category(clauses[clause], amount)
        numbers = numbered_ids(self.ids, self.month)
        own = set(self.ids)
        alone = (
            len(own) == len(self.ids)
            and all(sequence == (self.month, "") for sequence in numbers)
            and sum(map(len, numbers.values())) == len(self.ids)
            and own.isdisjoint(others)
        )
        left = frozenset(self.named)
        return Tallied(
            self.month,
            self.ids,
            cells,
            numbers,
            sorted(self.rates),
            alone,
            left,
            self.keys,
            frozenset(self.twice),
            self.marked,
        )


@dataclass(frozen=True)
class Tallied:
    """The plain entries taken from one month file: their ids and what they add up to."""

    month: str
    ids: list[str]
    # department → what its taken entries add to the month (from a worker, MonthCells of
    # the cells as the cache writes them)
    cells: MutableMapping[str, Cell]
    # The numbers of the ids taken, found where they were read: the review checks them
    # for gaps (see validate.sequence_gaps), and their highest number each sequence's.
    numbers: Numbers
    rates: list[RateKey] = field(default_factory=list)  # the rates taken
    # Each id taken is of the file's own month (2023-05-000123), none twice, none also an
    # id of the file's other entries: checked where the file was read, so that the main
    # process need not gather a province's million ids to look for duplicates.
    alone: bool = False
    left: frozenset[str] = frozenset()  # the ids it left alone, as something names them
    keys: dict[str, str] = field(default_factory=dict)  # key → id of the keyed entries taken
    twice: frozenset[str] = frozenset()  # ids taken under a key the file holds twice
    marks: dict[str, str] = field(default_factory=dict)  # key → mark, where wanted (Marking)

    @property
    def sequences(self) -> dict[str, int]:
        """Each sequence's highest number taken (as model.note_sequences keeps them)."""
        highest = {sequence_name(m, tag): max(found) for (m, tag), found in self.numbers.items()}
        return {name: number for name, number in highest.items() if number}

    def add_to(self, summary: Summary) -> None:
        """Fold the taken entries' sums into a ledger's Summary."""
        summary.cells.add_month(self.month, self.cells)


def named_elsewhere(
    tallies: Mapping[str, Tallied],
    files: Mapping[str, Sequence[Entry]],
    looked: Set[str] = frozenset(),
) -> frozenset[str] | None:
    """Taken ids that an entry names (in ref, void or close), which the review must see as
    entries; None when an id is taken twice, or taken and also an entry's: then the
    review must see every entry, to report the duplicate where it stands.

    `tallies` and `files` (the entries not taken) by file; `looked`: the ids the quick
    look (named_ids) found named. When every tally is alone and left those alone, no
    entry of one file has an id of another tallied month, and the quick look found
    every name, the answer is plain without gathering every id taken.
    """
    own = {label: f"{tally.month}-" for label, tally in tallies.items()}
    prefixes = frozenset(own.values())
    alone = all(tally.alone and looked <= tally.left for tally in tallies.values())
    if alone and not any(
        entry.id[:8] in prefixes and entry.id[:8] != own.get(label)
        for label, entries in files.items()
        for entry in entries
    ):
        names = {n for f in files.values() for e in f for n in (e.ref, e.void, e.close) if n}
        if names <= looked:
            return frozenset()
    return _named_elsewhere(tallies.values(), [e for f in files.values() for e in f])


def _named_elsewhere(tallies: Iterable[Tallied], entries: list[Entry]) -> frozenset[str] | None:
    taken: set[str] = set()
    count = 0
    for tally in tallies:
        taken.update(tally.ids)
        count += len(tally.ids)
    if len(taken) != count:
        return None
    if any(entry.id in taken for entry in entries):
        return None
    names = {n for entry in entries for n in (entry.ref, entry.void, entry.close) if n}
    return frozenset(names & taken)


def keys_twice(tallies: Sequence[Tallied], entries: Iterable[Entry]) -> frozenset[str]:
    """Taken ids whose key (去重键) another entry also holds, taken or not: the review must
    see both, to say which one the key stands for and name the other where it stands."""
    taken: dict[str, str] = {}
    count = 0
    for tally in tallies:
        taken.update(tally.keys)
        count += len(tally.keys)
    twice = {entry_id for tally in tallies for entry_id in tally.twice}
    if len(taken) != count:  # a key taken in two files
        firsts: dict[str, str] = {}
        for tally in tallies:
            for key, entry_id in tally.keys.items():
                first = firsts.setdefault(key, entry_id)
                if first != entry_id:
                    twice.update((first, entry_id))
    twice.update(taken[e.key] for e in entries if e.key is not None and e.key in taken)
    return frozenset(twice)


def rate_clashes(
    tallies: Iterable[Tallied],
    entries: Iterable[Entry],
    catalog: Catalog,
    departments: Departments,
) -> dict[str, set[RateKey]]:
    """Rates taken that an entry the review sees also gives (same clause, department and
    month), by month: those months' files are read again leaving them to the review,
    which reports the second of two rates where it stands."""
    taken: dict[str, set[RateKey]] = {}
    for tally in tallies:
        if tally.rates:
            taken.setdefault(tally.month, set()).update(tally.rates)
    clashes: dict[str, set[RateKey]] = {}
    if not taken:
        return clashes
    rated = {c.id for version in catalog.every_version() for c in version if c.kind == "rate"}
    for entry in entries:
        month_rates = taken.get(entry.month)
        if month_rates is None or entry.clause not in rated:
            continue
        clause = catalog.at(entry.month).get(entry.clause)
        department = departments.resolve(entry.department) if entry.department else None
        if clause is None or clause.kind != "rate" or department is None:
            continue
        key = (clause.id, department.name)
        if key in month_rates:
            clashes.setdefault(entry.month, set()).add(key)
    return clashes
