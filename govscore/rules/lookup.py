"""Looking entries up: what one entry is, where it counts and what names it; the log.

Pure: it works on the entries a loader read (in ledger order) and the Book the review
made of them. What an entry counts for comes from the Scorer's own lines, so `show`
can never disagree with `month` and `year`.
"""

from __future__ import annotations

import difflib
import re
import string
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from govscore.errors import Problem
from govscore.figures import plain
from govscore.model import Entry, months_between, previous_month
from govscore.rules.amendments import Version
from govscore.rules.catalog import Clause, clause_matches
from govscore.rules.scoring import CapUse, Scorer, matter_worth, reached_first, stand_changes

_PADDED = re.compile(r"^(\d{4}-\d{2})-(\d{1,4})$")
# Up to this many ids, did-you-mean weighs each (difflib: about 25 µs an id); past it, a
# province's million would take half a minute, and only ids one keystroke away (a
# character left out, added, changed or two swapped) are weighed.
WEIGHED_IDS = 20_000
_KEYS = string.digits + string.ascii_lowercase + "-"


def close_ids(written: str, ids: Collection[str], weighed: int = WEIGHED_IDS) -> list[str]:
    """Up to 3 ids close to a mistyped one, closest first (difflib's measure, at least 60%
    alike); `written` as typed, already stripped. Past `weighed` ids, only those one
    keystroke away."""
    if len(ids) <= weighed:
        return difflib.get_close_matches(written, list(ids), n=3, cutoff=0.6)
    known = ids if isinstance(ids, (set, frozenset, dict)) else set(ids)
    near = [candidate for candidate in _one_key_away(written) if candidate in known]
    return difflib.get_close_matches(written, near, n=3, cutoff=0.6)


def _one_key_away(written: str) -> dict[str, None]:
    """Every text one keystroke from `written` (in a stable order, each once)."""
    cuts = [(written[:at], written[at:]) for at in range(len(written) + 1)]
    found: dict[str, None] = {}
    for head, tail in cuts:
        if tail:
            found[head + tail[1:]] = None
            if len(tail) > 1:
                found[head + tail[1] + tail[0] + tail[2:]] = None
            for key in _KEYS:
                found[head + key + tail[1:]] = None
        for key in _KEYS:
            found[head + key + tail] = None
    found.pop(written, None)
    return found


@dataclass(frozen=True)
class Counted:
    """What an entry does to one month's score (or, for annual clauses, to a year's)."""

    period: str  # YYYY-MM, or YYYY for an annual clause
    amount: Decimal  # signed, before caps
    how: str
    cap: CapUse | None = None  # the cap that cut its group's bonuses that month, if any


@dataclass(frozen=True)
class Mention:
    """A void, close or follow-up that names an entry; `in_force` unless it is itself out."""

    entry: Entry
    kind: str  # "void", "close" or "ref"
    in_force: bool
    voided: bool = False  # out because a void names it (else: a problem of its own)


@dataclass(frozen=True)
class History:
    """One entry as recorded, whether and where it counts, and everything that names it."""

    entry: Entry
    department: str  # the full name (a void's or close's: its target's)
    clause: str  # a void's or close's: its target's
    voided: Entry | None
    closed: Entry | None
    counts: tuple[Counted, ...]
    open: bool  # a recurring entry not closed: it also stands in every later month
    mentions: tuple[Mention, ...]
    problems: tuple[Problem, ...]
    # A recurring entry that a later version stops before its last month (its close's, or
    # none while open): it stands in no month from that version's first on (its effective
    # date, notice and why; see Lookup.stop). `until`: the last month it counts.
    retired: dict[str, str] | None = None
    until: str | None = None
    # A recurring entry its department's last month assessed (until, departments.toml)
    # ends before its last month, no notice having stopped it first: that month.
    department_until: str | None = None
    # Where a notice stopped a recurring entry and a later one let it count again, each
    # such gap: the stop (as `retired`), its last month without a count (`through`) and
    # the notice it counts again from (`resumed`: effective, number).
    gaps: tuple[dict[str, Any], ...] = ()

    @property
    def counted(self) -> bool:
        return bool(self.counts)


class Lookup:
    """The ledger indexed by id, for `show` and `log`."""

    def __init__(
        self,
        entries: Sequence[Entry],
        scorer: Scorer,
        months: Sequence[str],
        others: Sequence[Sequence[str]] = (),
    ):
        """`others`: the ids of entries only summed as read, none of them looked up (see
        govscore.ledger.loader.load_detailed), for did-you-mean."""
        assert scorer.book is not None, "lookups need the whole ledger, not a summary"
        self.entries = tuple(entries)
        self.others = others
        self.scorer = scorer
        self.book = scorer.book
        self.months = tuple(months)
        self.by_id: dict[str, Entry] = {}
        for entry in self.entries:
            self.by_id.setdefault(entry.id, entry)
        self.counted = {e.id: e for e in self.book.entries}
        self.problems: dict[str, list[Problem]] = defaultdict(list)
        for problem in self.book.problems:
            if problem.entry:
                self.problems[problem.entry].append(problem)
        self.mentions: dict[str, list[Entry]] = defaultdict(list)
        self._stands: dict[tuple[str, str], list[tuple[Version, str | None]]] = {}
        self.voids: dict[str, Entry] = {}
        self.closes: dict[str, Entry] = {}
        for entry in self.entries:
            target = entry.void or entry.close or entry.ref
            if target is None:
                continue
            self.mentions[target].append(entry)
            if self.in_force(entry):
                if entry.void is not None and entry.void in self.book.voided:
                    self.voids.setdefault(entry.void, entry)
                elif entry.close is not None and entry.close in self.book.through:
                    self.closes.setdefault(entry.close, entry)

    def in_force(self, entry: Entry) -> bool:
        """Whether an entry has its effect: no problem of its own and not voided."""
        return not self.problems.get(entry.id) and entry.id not in self.book.voided

    def get(self, entry_id: str) -> Entry | None:
        return self.by_id.get(entry_id.strip())

    def suggest(self, entry_id: str) -> list[str]:
        """Ids close to a mistyped one, for did-you-mean; 2023-05-1 means 2023-05-0001 first."""
        written = entry_id.strip()
        padded = _PADDED.sub(lambda m: f"{m.group(1)}-{int(m.group(2)):04d}", written)
        ids: Collection[str] = self.by_id
        if self.others:
            ids = dict.fromkeys(self.by_id)
            for more in self.others:
                ids.update(dict.fromkeys(more))
        close = close_ids(written, ids)
        first = [i for i in ids if i == padded or i.startswith(padded + "-")][:1]
        return [*first, *(i for i in close if i not in first)][:3]

    def about(self, entry: Entry) -> Entry:
        """The entry a void or close is about: the one it names, followed on to the entry
        a named void or close is about (a void of a close is about what the close closed,
        and changes that department's scores); the entry itself if it names none known."""
        seen = {entry.id}
        while (named := entry.void or entry.close) and named not in seen:
            target = self.by_id.get(named)
            if target is None:
                break
            seen.add(named)
            entry = target
        return entry

    def department(self, entry: Entry) -> str:
        """The department an entry is about, by its full name when it resolves."""
        written = self.about(entry).department
        found = self.scorer.departments.resolve(written) if written else None
        return found.name if found is not None else written

    def clause(self, entry: Entry) -> str:
        return self.about(entry).clause

    def history(self, entry: Entry) -> History:
        counts: tuple[Counted, ...] = ()
        is_open = False
        stop = None
        ended = None
        gaps: tuple[dict[str, Any], ...] = ()
        if entry.id in self.counted and self.in_force(entry):
            counts, is_open = self._counts(self.counted[entry.id])
            stop = self.stop(entry)
            ended = self.ended(entry)
            gaps = self.gaps(entry)
            is_open = is_open and stop is None and ended is None
        mentions = tuple(
            Mention(
                m,
                m.kind if m.kind != "score" else "ref",
                self.in_force(m),
                m.id in self.book.voided,
            )
            for m in self.mentions.get(entry.id, ())
        )
        return History(
            entry=entry,
            department=self.department(entry),
            clause=self.clause(entry),
            voided=self.voids.get(entry.id),
            closed=self.closes.get(entry.id),
            counts=counts,
            open=is_open,
            mentions=mentions,
            problems=tuple(self.problems.get(entry.id, ())),
            retired=None if stop is None else stop[0],
            until=ended if stop is None else stop[1],
            department_until=ended,
            gaps=gaps,
        )

    def stop(self, entry: Entry) -> tuple[dict[str, str], str] | None:
        """Where a notice stops a recurring entry before its last month (its close's, or
        none while it is open): the version (see _retired) and the last month it counts.
        A close through a month past the stop does not hide it: the entry counted only
        until the stop, and `show` and `log` say why."""
        if not entry.recurring:
            return None
        changes = self._changes(entry)
        if not changes or changes[-1][1] is None:
            return None
        version, why = changes[-1]
        return _stopped(entry, version, why), previous_month(version.first_month)

    def ended(self, entry: Entry) -> str | None:
        """The department's last month assessed (until, departments.toml) where it ends a
        recurring entry before its last month (its close's, or none while open) and no
        notice stopped the entry first: it stands in no month after (scores of months
        outside the span are not kept), and `show` and `log` say why. None for an entry
        that does not count (voided, or left out for a problem): `show` and `log` JSON
        give it as `department_until`, the same for both."""
        if not entry.recurring or entry.id not in self.counted or not self.in_force(entry):
            return None
        department = self.scorer.departments.resolve(entry.department)
        until = department.until if department is not None else None
        through = self.book.through.get(entry.id)
        if until is None or (through is not None and through <= until):
            return None
        return until if self.stop(entry) is None else None

    def gaps(self, entry: Entry) -> tuple[dict[str, Any], ...]:
        """Each run of months a notice stopped a recurring entry in and a later notice let
        it count again from, before its last month: the stop (as `stop` gives it), the
        gap's last month (`through`) and the notice it counts again from (`resumed`)."""
        if not entry.recurring:
            return ()
        changes = self._changes(entry)
        return tuple(
            {
                **_stopped(entry, version, why),
                "from": version.first_month,
                "through": previous_month(again.first_month),
                "resumed": again.as_dict(),
            }
            for (version, why), (again, _none) in zip(changes[::2], changes[1::2], strict=False)
        )

    def _changes(self, entry: Entry) -> list[tuple[Version, str | None]]:
        """The versions that stop a recurring entry or let it count again (see
        scoring.stand_changes), none after its last month: its close's or its department's
        last month assessed, the earlier. Kept: `log` asks for each entry's stop, end
        and gaps."""
        found = self._stands.get((entry.id, entry.where))
        if found is None:
            department = self.scorer.departments.resolve(entry.department)
            through = self.book.through.get(entry.id)
            until = department.until if department is not None else None
            if until is not None and (through is None or until < through):
                through = until
            found = stand_changes(entry, self.scorer.catalog, department, through)
            self._stands[(entry.id, entry.where)] = found
        return found

    def _counts(self, entry: Entry) -> tuple[tuple[Counted, ...], bool]:
        """Each period the entry counts in, with the amount the Scorer's lines give it."""
        scorer = self.scorer
        clause = (
            scorer.catalog.at(entry.month).clauses.get(entry.clause)
            or scorer.catalog.clauses[entry.clause]
        )
        if clause.annual:
            line = scorer.line(entry, clause)
            return (Counted(entry.month[:4], line.amount, line.how),), False
        through = scorer.summary.through.get(entry.id)
        months = [entry.month]
        if entry.recurring:
            last = through or max([entry.month, *self.months])
            months = months_between(entry.month, last)
        # Outside its span a department is not assessed: no month there is a count.
        department = scorer.departments.resolve(entry.department)
        if department is not None:
            months = [month for month in months if department.assessed_in(month)]
        counts = []
        for month in months:
            score = scorer.department_month(entry.department, month)
            for line in score.lines:
                if line.entry.id == entry.id:
                    cap = next((c for c in score.caps if c.group == clause.cap), None)
                    cap = cap if line.amount > 0 else None
                    how = line.how
                    if clause.exclusive and abs(line.amount) < matter_worth(entry, clause):
                        how += self._taken_text(entry, clause)
                    counts.append(Counted(month, line.amount, how, cap))
        return tuple(counts), entry.recurring and through is None

    def _taken_text(self, entry: Entry, clause: Clause) -> str:
        """Who reached an exclusive matter first, when the entry counts less than its
        level is worth: the highest of the matter's entries before it (month, then ledger
        order), as the Scorer counts them (scoring.exclusive_rises). A higher level booked
        back-dated takes a later month's count: `show` of the later entry names it."""
        # Every exclusive entry, in the order the Scorer weighs them (a `show` reads the
        # entry alone: the book holds no other).
        exclusive = self.scorer.summary.exclusive
        order = {e.id: n for n, e in enumerate(exclusive)}
        if entry.id not in order:  # every exclusive entry counted is there: a safeguard
            return ""
        taker = reached_first(entry, exclusive, order, clause, self.scorer.catalog)
        if taker is None:
            return ""
        level = taker.level or f" {plain(matter_worth(taker, clause, self.scorer.catalog))} 分"
        return f"；该事项已由 {taker.id} 按{level}计分"

    def select(
        self,
        departments: Sequence[str] = (),
        clauses: Sequence[str] = (),
        first: str | None = None,
        last: str | None = None,
        voided: bool = False,
    ) -> list[Entry]:
        """Entries in ledger order, filtered. A void or close goes with what it names:
        it is about that entry's department and clause. A clause filter may be a prefix
        (2.4 takes 2.4.x). `voided`: only entries voided by a void in force.
        """
        chosen = []
        for entry in self.entries:
            if first is not None and entry.month < first:
                continue
            if last is not None and entry.month > last:
                continue
            if departments and self.department(entry) not in departments:
                continue
            if clauses and not any(clause_matches(self.clause(entry), c) for c in clauses):
                continue
            if voided and entry.id not in self.voids:
                continue
            chosen.append(entry)
        return chosen


def _stopped(entry: Entry, version: Version, why: str | None) -> dict[str, str]:
    """A version that stops a recurring entry, for `show` and its JSON: its effective date,
    notice, "why" (retired, veto, once, figures, range or applies_to) and, for a range,
    the clause's new "points" (0.8–1.5), for applies_to the "tag" (as departments.toml
    writes it): the stopping version's, not the clause as a later notice left it."""
    stopped = {**version.as_dict(), "why": why or ""}
    if why == "range":
        stopped["points"] = version.catalog.clauses[entry.clause].describe_points()
    elif why == "applies_to":
        stopped["tag"] = version.catalog.clauses[entry.clause].applies_to or ""
    return stopped
