"""The ledger cache: what reports need of a ledger, kept beside it and refreshed by appends.

A report over a million entries should not read a million entries when nothing, or
one entry, has changed. A Snapshot holds each ledger file's size and digest, the
ledger's Summary (sums per department and month) and its problems. When files have
only grown, the appended tails are read and folded in; any other change (an edit, a
removal, a void or close appended, anything the tail validation cannot decide alone)
rebuilds the snapshot from the whole ledger. So a snapshot can never be stale: it
either matches the files byte for byte, or it is not used.

Pure functions only; the loader reads and writes the files.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import (
    Callable,
    Container,
    ItemsView,
    Iterable,
    Iterator,
    KeysView,
    Mapping,
    MutableMapping,
    Sequence,
    ValuesView,
)
from dataclasses import dataclass, field
from typing import Any

from govscore import __version__
from govscore.errors import DataError, Problem
from govscore.i18n import N_, _, language
from govscore.ledger.identity import entry_mark, marked
from govscore.ledger.tally import Tallied
from govscore.ledger.text import ParsedFile
from govscore.model import Entry, note_sequences, sequence_of
from govscore.rules.catalog import Catalog, Clause
from govscore.rules.config import Departments
from govscore.rules.scoring import Cells, Summary, summarize
from govscore.rules.validate import Book, _ref_problems, own_problems

# 4: signed JSON (3 and before: a pickle, ledger.pickle); 5: cells keep sums by clause too;
# 6: id sequences per month and clone tag; 7: cells kept per month as text (read when asked);
# 8: no today or time_sensitive (the review no longer judges time); 9: a month's cells one
# department a line (read and digested a department at a time); 10: an English problem
# keeps its Chinese wording ([English, Chinese]: what JSON gives in both languages); 11: a
# CSV ledger file without its last newline leaves its last row out; an id holding a
# character that cannot be seen (U+200B) is a problem; git conflict markers are named; 12:
# the context keeps follow-ups' counts (target_counts, follows); 13: a matter written
# another way is the same matter (kept scores worked out before are not reused); 14: a
# recurring entry stops where a notice restricts its clause to a tag its department lacks,
# and a year's total is divided once (exact at a half cent); 15: a year's floor is the mean
# of its months' floors; 16: an exclusive matter again at its level earns 0 after a notice
# raises the level's points (it earned the rise before); 17: a recurring entry stops where
# a notice sets a range its points fall outside; 18: a department's since/until (kept
# departments carry them; an entry outside the span is a problem, and a year is the mean
# of the months the department is assessed in); 19: a second entry under a key is a
# problem, and a key stands for its first entry (before, its last); a field written twice
# in an [[entry]] table is said as a merge that interleaved two entries; 20: a recurring
# entry stops where a notice makes its clause a veto or no longer recurring; 21: a key
# stands for its first live entry (the first voided, the second counts), and a follow-up
# naming a second entry under a key is a problem; 22: a notice's `recurring = false`
# clears until_closed (3.1.3 and 3.1.5 stop); 23: a recurring entry of a clause a notice
# made count once is named with the notice (the snapshot keeps problems' words); 24: a key
# a [[department]] does not have is an error (kept departments read before are not reused);
# 25: each key's entry's identity marked beside it (an import compares a keyed row by it)
# 26: a key weights.toml does not have is an error, and an amendment whose weights have one
# is left out (scores kept with it applied are not reused); 27: a notice putting clauses of
# two categories in one cap group is left out; 28: so is one putting an annual clause in a
# cap group; 29: a discretionary entry above a notice's ceiling names the notice (the
# snapshot keeps problems' words); 30: a notice making a recurring clause annual is left out;
# 31: a department listed twice is an error (kept departments read before are not reused);
# 32: a keyed entry's mark sums its note and recorder in 48 bits each (16 could be matched)
# 33: a line after a batch's end mark (`count = 40`) leaves the batch's last entry out,
# named (a snapshot read before counted the entry as that line changed it); 34: lines
# there that open a table of their own ([meta]) are said to (the snapshot keeps problems'
# words); 35: keys of tallied entries, marks kept apart from keys (only some are marked);
# 36: a void or close in a month file before the entry it names is a problem (a snapshot
# read before voided or closed the entry); 37: a void of a void that voids nothing retires
# it (a snapshot read before kept the retired void's problem); 38: a void retired twice
# (two clerks) is no problem
FORMAT = 38


def digest(data: bytes) -> bytes:
    return hasher(data).digest()


def hasher(data: bytes = b"") -> hashlib._Hash:
    """What digests a ledger file (fed in pieces, the same digest)."""
    return hashlib.sha256(data)


class IdSet:
    """A million ids, cheap to keep and to load: one string, searched until asked often.

    Loading a set of a million strings costs more than a warm report may take; one
    newline-joined string loads at once. Many lookups build the set after all.
    """

    def __init__(self, ids: Iterable[str] = ()):
        self.text = "\n" + "\n".join(ids) + "\n"
        self.extra: set[str] = set()
        self._set: set[str] | None = None

    def __contains__(self, entry_id: object) -> bool:
        if not isinstance(entry_id, str) or "\n" in entry_id:
            return False
        if entry_id in self.extra:
            return True
        if self._set is not None:
            return entry_id in self._set
        return f"\n{entry_id}\n" in self.text

    def add(self, entry_id: str) -> None:
        self.extra.add(entry_id)

    def prepare(self, lookups: int) -> None:
        """Build the set when many lookups are coming (a large import)."""
        if self._set is None and lookups > 50:
            self._set = set(self.text.split("\n"))

    def copy(self) -> IdSet:
        other = IdSet()
        other.text, other.extra, other._set = self.text, set(self.extra), self._set
        return other

    def stored(self) -> str:
        """Every id, one a line, as the cache file keeps them."""
        return self.text + "".join(f"{i}\n" for i in self.extra if "\n" not in i)

    def all(self) -> set[str]:
        return {*self.text.split("\n"), *self.extra} - {""}


class KeyIndex(MutableMapping[str, str]):
    """A million keys and their entries' ids, cheap to load: two newline-joined strings
    as the cache file holds them, searched for a few keys and made a dict when asked more.

    A warm `add` without a 去重键 asks nothing of them, one with a key asks only whether it
    is held; splitting a million keys into a dict costs more than the whole `add` may
    take. Keys are only ever added (see Context.stored): those added stay apart.
    """

    # Lookups in the joined text before the dict is built: each reads the whole text.
    SEARCHES = 8

    def __init__(self, keys: Iterable[tuple[str, str]] | Mapping[str, str] = ()):
        self._dict: dict[str, str] | None = dict(keys)
        self._text = self._ids = ""
        self._count = 0
        self.extra: dict[str, str] = {}
        self._searches = 0

    @classmethod
    def joined(cls, keys: str, ids: str, count: int) -> KeyIndex:
        """count keys, one a line, and their ids in the same order (neither holds a
        newline of its own); ValueError where the lines are not count each."""
        lines = max(count - 1, 0)
        if keys.count("\n") != lines or ids.count("\n") != lines or (count == 0 and keys + ids):
            raise ValueError("a column of the wrong length")
        index = cls()
        index._dict, index._text, index._ids, index._count = None, keys, ids, count
        return index

    def _built(self) -> dict[str, str]:
        if self._dict is None:
            found = self._text.split("\n") if self._count else []
            ids = self._ids.split("\n") if self._count else []
            self._dict = dict(zip(found, ids, strict=True))
            self._dict.update(self.extra)
            self._text = self._ids = ""
            self.extra = {}
        return self._dict

    def _held_apart(self, key: str) -> bool:
        """Whether the joined text holds key; after SEARCHES searches, the dict is built
        and asked instead."""
        self._searches += 1
        if self._searches > self.SEARCHES:
            return key in self._built()
        text = self._text
        if "\n" in key or not self._count:
            return False
        return (
            text == key
            or text.startswith(f"{key}\n")
            or text.endswith(f"\n{key}")
            or f"\n{key}\n" in text
        )

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        if self._dict is not None:
            return key in self._dict
        return key in self.extra or self._held_apart(key)

    def __getitem__(self, key: str) -> str:
        if self._dict is None and key in self.extra:
            return self.extra[key]
        return self._built()[key]

    def __setitem__(self, key: str, entry_id: str) -> None:
        held = self._dict is None and self._held_apart(key)
        if self._dict is None and not held:
            self.extra[key] = entry_id  # a new key: the joined text stays as it is
        else:
            self._built()[key] = entry_id

    def __delitem__(self, key: str) -> None:
        del self._built()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._built())

    # The dict's own views: the mixins' ask __getitem__ once a key, in Python (writing a
    # province's million keys and ids took 0.9 s of a cold year so).
    def keys(self) -> KeysView[str]:
        return self._built().keys()

    def values(self) -> ValuesView[str]:
        return self._built().values()

    def items(self) -> ItemsView[str, str]:
        return self._built().items()

    def __len__(self) -> int:
        if self._dict is not None:
            return len(self._dict)
        return self._count + len(self.extra)

    def update(self, other: Any = (), /, **more: str) -> None:  # dict's speed, not one by one
        self._built().update(other, **more)

    def copy(self) -> KeyIndex:
        other = KeyIndex()
        if self._dict is not None:
            other._dict = dict(self._dict)
        else:
            other._dict, other._text, other._ids = None, self._text, self._ids
            other._count, other.extra = self._count, dict(self.extra)
        return other

    def lines(self) -> tuple[str, str, int] | None:
        """The keys and ids, each one a line, as the cache file keeps them, without
        building the dict; None once it is built (or a key added holds a newline)."""
        if self._dict is not None or any("\n" in k + i for k, i in self.extra.items()):
            return None
        keys, ids = [self._text] if self._count else [], [self._ids] if self._count else []
        return (
            "\n".join([*keys, *self.extra]),
            "\n".join([*ids, *self.extra.values()]),
            len(self),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        return self._built() == dict(other)

    __hash__ = None  # type: ignore[assignment]


# A follow-up's target, kept small: clause, department, month, file, line.
Target = tuple[str, str, str, str, int]


def target_entry(entry_id: str, target: Target) -> Entry:
    clause, department, month, file, line = target
    return Entry(
        id=entry_id, month=month, file=file, line=line, department=department, clause=clause
    )


@dataclass(frozen=True)
class FileMark:
    """A ledger file as the snapshot saw it."""

    size: int
    digest: bytes
    newlines: int
    broken: bool
    broken_by: Problem | None = None  # why govscore will not append to it


@dataclass
class Context:
    """What validating appended entries needs to know of the rest of the ledger."""

    ids: IdSet = field(default_factory=IdSet)
    targets: dict[str, Target] = field(default_factory=dict)  # entries a follow-up may name
    target_bad: set[str] = field(default_factory=set)  # … that have problems of their own
    voided: frozenset[str] = frozenset()
    rates: set[tuple[str, str, str]] = field(default_factory=set)  # clause, department, month
    wanted: set[str] = field(default_factory=set)  # ids named by ref/void/close, not yet there
    keys: KeyIndex = field(default_factory=KeyIndex)  # idempotency key → entry id
    # idempotency key → its entry's identity.entry_mark: an import's keyed row is compared
    # by it, and its entry read only where they differ or it has none. Only a snapshot
    # built for an import marks every entry of a written key (a report needs no marks:
    # a million of them cost the cache file 30 MB); those appended are marked.
    marks: dict[str, str] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)  # sequence → highest number used
    # What the door needs of follow-ups (rules.door.follow_up_problems): the count of each
    # target whose count is not 1, and the counts its counted follow-ups of each clause
    # used (keyed "target id\x1fclause").
    target_counts: dict[str, int] = field(default_factory=dict)
    follows: dict[str, int] = field(default_factory=dict)
    # Large columns as the cache file held them, with (a frozen copy of) what they were
    # read into: written again as they are while that is unchanged (see cachefile); for
    # keys, their number: a context's keys are only ever added to (a key already held
    # sends an appended tail to the full review), never changed nor taken out.
    stored: dict[str, tuple[object, list[Any]]] = field(
        default_factory=dict, compare=False, repr=False
    )


@dataclass
class Snapshot:
    """A ledger reduced for reports, with the marks that say which bytes it describes."""

    key: bytes  # govscore's version, the cache format and the configuration's bytes
    files: dict[str, FileMark]
    problems: list[Problem]  # the ledger's problems (configuration problems are not kept)
    summary: Summary
    context: Context
    entries: int


def snapshot_key(config: Sequence[bytes]) -> bytes:
    # The language too: the snapshot keeps the ledger's problems, worded in it.
    parts = [__version__.encode(), str(FORMAT).encode(), language().encode(), *config]
    return digest(b"\0".join(parts))


def _targetable(catalog: Catalog) -> set[str]:
    return {target for version in catalog.every_version() for c in version for target in c.ref}


def build(
    key: bytes,
    marks: dict[str, FileMark],
    entries: Sequence[Entry],
    ledger_problems: Sequence[Problem],
    book: Book,
    catalog: Catalog,
    departments: Departments,
    unparsed: Sequence[str] = (),
    tallies: Sequence[Tallied] = (),
) -> Snapshot:
    """A snapshot of a whole ledger, from a full review of it.

    `unparsed` are the ids of entries that did not parse: new entries must not take them.
    `tallies` hold the plain entries that were summed as they were read, not reviewed
    as entries (see govscore.ledger.tally).
    """
    targetable = _targetable(catalog)
    taken = [entry_id for tally in tallies for entry_id in tally.ids]
    context = Context(voided=book.voided, ids=IdSet([*(e.id for e in entries), *taken]))
    note_ids(context, unparsed)
    for tally in tallies:
        for name, number in tally.sequences.items():
            context.sequences[name] = max(number, context.sequences.get(name, 0))
    firsts: dict[str, Entry] = {}  # each id's first entry a follow-up may name
    for entry in entries:
        if entry.kind == "score" and entry.clause in targetable:
            firsts.setdefault(entry.id, entry)
    # Each key's entry, as the review found it (a second live one is a problem there),
    # and the keys of entries tallied, which no other entry holds (tally.keys_twice).
    for tally in tallies:
        context.keys.update(tally.keys)
        context.marks.update(tally.marks)  # where marks were wanted (tally.Marking)
    context.keys.update((key, entry.id) for key, entry in book.keys.items())
    context.marks.update(
        (key, key_mark(entry, departments)) for key, entry in book.keys.items() if marked(key)
    )
    for entry_id, entry in firsts.items():
        context.targets[entry_id] = _target(entry)
        if entry.count != 1:
            context.target_counts[entry_id] = entry.count
    follows = context.follows
    for entry in book.entries:
        if entry.ref:
            pair = follow_key(entry.ref, entry.clause)
            follows[pair] = follows.get(pair, 0) + entry.count
    # Each distinct department, clause and figures judged once (a province's 18,000).
    context.target_bad.update(own_problems(firsts.values(), catalog, departments))
    # … and a second live entry under a key, which does not count either.
    context.target_bad.update(
        entry_id
        for entry_id, entry in firsts.items()
        if entry.key is not None
        and entry_id not in book.voided
        and book.keys[entry.key].id != entry_id
    )
    note_ids(context, [e.id for e in entries])
    named = {n for e in entries for n in (e.ref, e.void, e.close) if n}
    # Only an entry's own id can be one named: the tally takes no entry that any entry
    # names (see govscore.ledger.tally), so a province's million ids need no set here.
    own = {e.id for e in entries}
    context.wanted = {n for n in named if n not in own}
    for entry in book.entries:
        if catalog.at(entry.month).clauses[entry.clause].kind == "rate":
            context.rates.add((entry.clause, entry.department, entry.month))
    for tally in tallies:
        context.rates.update((clause, name, tally.month) for clause, name in tally.rates)
    return Snapshot(
        key=key,
        files=marks,
        problems=list(ledger_problems),
        summary=summarized(book, catalog, tallies),
        context=context,
        entries=len(entries) + len(taken),
    )


def summarized(book: Book, catalog: Catalog, tallies: Sequence[Tallied] = ()) -> Summary:
    """What scores need of a ledger reviewed with the plain entries of `tallies` summed
    as they were read (not in the book)."""
    summary = Summary(through=dict(book.through))
    for tally in tallies:
        tally.add_to(summary)
    return summarize(book, catalog, summary)


def key_mark(entry: Entry, departments: Departments) -> str:
    """A keyed entry's identity.entry_mark, its department as the ledger keeps it now."""
    department = departments.resolve(entry.department) if entry.department else None
    return entry_mark(entry, department.name if department is not None else None)


def note_key(context: Context, entry: Entry, departments: Departments) -> None:
    """Note a keyed entry taken in: its key's entry, and its mark (see Context.marks)."""
    if entry.key:
        context.keys[entry.key] = entry.id
        if marked(entry.key):
            context.marks[entry.key] = key_mark(entry, departments)


def note_keys(context: Context, entries: Iterable[Entry], departments: Departments) -> None:
    """Note the keyed entries an import books while a second process keeps the cache
    (keeping.Keeper.apart), as Extension notes them where the cache is kept here. A re-run
    of the import is known by them (a made key's entry by its id: importing.Planner.kept)."""
    for entry in entries:
        note_key(context, entry, departments)


@dataclass(frozen=True)
class Held:
    """The ledger's keys as an import's rows are read against them: each key's entry's
    id and mark (see Context.marks), and the ids of the entries voided."""

    ids: Mapping[str, str]
    marks: Mapping[str, str]
    voided: Container[str] = frozenset()

    def __contains__(self, key: object) -> bool:
        return key in self.ids


def note_ids(context: Context, ids: Sequence[str]) -> None:
    """Keep each sequence's highest number, so the next id continues the sequence."""
    note_sequences(ids, context.sequences)


def extend(
    snapshot: Snapshot,
    tails: Sequence[tuple[ParsedFile, FileMark]],
    label_of: Sequence[str],
    catalog: Catalog,
    departments: Departments,
) -> Snapshot | None:
    """Fold appended tails into a snapshot, or None when only a full review can say.

    Each tail is the parsed text appended to one file (lines already absolute). Only
    plain score entries are folded in; a void, a close, a duplicate id, a second rate,
    a parse problem or an id some entry was waiting for sends the caller back to the
    full review, which is always right.
    """
    if any(parsed.problems for parsed, _ in tails):
        return None
    growing = Extension(snapshot, catalog, departments)
    if growing.add([entry for parsed, _ in tails for entry in parsed.entries]) is None:
        return None
    return growing.snapshot(dict(zip(label_of, (mark for _, mark in tails), strict=True)))


class Extension:
    """A snapshot extended by appended entries fed a part at a time, in the order they stand.

    An import of a million rows feeds them as it reads them, so that they need not all
    be held at once; `extend` feeds all of a tail at once. The snapshot given stays as
    it was (the extension works on copies), so after a None it can still be used;
    with copy=False its context changes too (a caller that lets the snapshot go spares
    copying a million keys).
    """

    def __init__(
        self, snapshot: Snapshot, catalog: Catalog, departments: Departments, copy: bool = True
    ):
        self.base = snapshot
        self.catalog = catalog
        self.departments = departments
        context = snapshot.context
        self.context = context
        if copy:
            self.context = dataclasses.replace(
                context,
                ids=context.ids.copy(),
                targets=dict(context.targets),
                target_bad=set(context.target_bad),
                rates=set(context.rates),
                wanted=set(context.wanted),
                keys=context.keys.copy(),
                marks=dict(context.marks),
                sequences=dict(context.sequences),
                target_counts=dict(context.target_counts),
                follows=dict(context.follows),
            )
        self.summary = _copy_summary(snapshot.summary)
        self.problems: list[Problem] = []
        self.count = 0
        # Entries that count across months, added in ledger order when the snapshot is made.
        self.held: list[tuple[Entry, Clause]] = []
        self.targetable = _targetable(catalog)

    def add(self, fresh: Sequence[Entry]) -> list[Problem] | None:
        """Fold in the next entries; their problems, or None when only a full review can say.

        After a None the extension is of no further use.
        """
        context, catalog, departments = self.context, self.catalog, self.departments
        context.ids.prepare(2 * len(fresh))
        if any(e.kind != "score" or e.id in context.ids or e.id in context.wanted for e in fresh):
            return None
        if any("\n" in e.id for e in fresh):
            return None  # an id no line-joined index can hold: the full review decides
        tail_ids = {e.id for e in fresh}
        if len(tail_ids) != len(fresh):
            return None
        # A key already held, or held twice here: the review names the second entry.
        tail_keys = [e.key for e in fresh if e.key is not None]
        if len(set(tail_keys)) != len(tail_keys) or any(k in context.keys for k in tail_keys):
            return None
        if not _continue(context.sequences, [e.id for e in fresh]):
            return None  # a gap opened or filled: the full review says which
        targetable = self.targetable
        counted: list[tuple[Entry, Clause]] = []
        problems: list[Problem] = []
        # An import appends a million entries: each combination of figures is judged once.
        judged = own_problems(fresh, catalog, departments)
        for entry in fresh:
            found = list(judged.get(entry.id, ()))
            clause = catalog.at(entry.month).get(entry.clause)
            department = departments.resolve(entry.department)
            if not found and entry.ref:
                if entry.ref in tail_ids and entry.ref not in context.ids:
                    return None  # names an entry further down the tail
                kept = context.targets.get(entry.ref)
                if kept is None and entry.ref in context.ids:
                    return None  # names an entry no follow-up may name: the review explains
                if entry.ref in context.target_bad and entry.ref not in context.voided:
                    # An entry that does not count: why (its own problem, or a second
                    # under a key, whose problem then names this follow-up) the review says.
                    return None
                target = target_entry(entry.ref, kept) if kept is not None else None
                by_id = {entry.ref: target} if target is not None else {}
                found = _ref_problems(entry, clause, by_id, context.voided, departments, {})  # type: ignore[arg-type]
                if target is None:
                    context.wanted.add(entry.ref)
                elif not found:
                    key = follow_key(entry.ref, entry.clause)
                    used = context.follows.get(key, 0) + entry.count
                    items = context.target_counts.get(entry.ref, 1)
                    if clause is not None and clause.ref and used > items:
                        return None  # more than its entry's items: the door says so
                    context.follows[key] = used
            if not found and clause is not None and clause.kind == "rate":
                rate = (clause.id, department.name, entry.month)  # type: ignore[union-attr]
                if rate in context.rates:
                    return None
                context.rates.add(rate)
            context.ids.add(entry.id)
            note_key(context, entry, departments)
            if entry.clause in targetable:
                context.targets[entry.id] = _target(entry)
                if entry.count != 1:
                    context.target_counts[entry.id] = entry.count
                if entry.id in judged:
                    context.target_bad.add(entry.id)
            if found:
                problems.extend(found)
                continue
            if department is not None and department.name != entry.department:
                entry = entry._replace(department=department.name)
            counted.append((entry, clause))  # type: ignore[arg-type]
        summary = self.summary
        for entry, clause in counted:
            if clause.annual or entry.recurring or clause.exclusive:
                self.held.append((entry, clause))
            else:
                summary.add(entry, clause)
        self.problems += problems
        self.count += len(fresh)
        return problems

    def snapshot(self, marks: dict[str, FileMark]) -> Snapshot:
        """The extended snapshot, with the marks of the files as they now stand."""
        for entry, clause in sorted(self.held, key=lambda held: (held[0].file, held[0].line)):
            self.summary.add(entry, clause)
        self.held = []
        base = self.base
        return Snapshot(
            key=base.key,
            files={**base.files, **marks},
            problems=[*base.problems, *self.problems],
            summary=self.summary,
            context=self.context,
            entries=base.entries + self.count,
        )


def _continue(sequences: dict[str, int], ids: Sequence[str]) -> bool:
    """Number each sequence on by these ids (as note_ids does); False, leaving it part
    way, where an id does not take the next number of its sequence."""
    for entry_id in ids:
        found = sequence_of(entry_id)
        if found is None:
            continue
        name, number = found
        if number != sequences.get(name, 0) + 1:
            return False
        sequences[name] = number
    return True


def follow_key(target: str, clause: str) -> str:
    return f"{target}\x1f{clause}"


def _target(entry: Entry) -> Target:
    return (entry.clause, entry.department, entry.month, entry.file, entry.line)


def _copy_summary(summary: Summary) -> Summary:
    return Summary(
        cells=summary.cells.copy(),
        standing=list(summary.standing),
        exclusive=list(summary.exclusive),
        annual=list(summary.annual),
        through=dict(summary.through),
    )


def mismatch(
    cached: Snapshot, full: Snapshot, label: str, texts: MonthText | None = None
) -> list[Problem]:
    """A problem naming the cache file when it does not agree with a full read."""
    found = differences(cached, full, texts)
    if not found:
        return []
    message = _(
        "the cache does not agree with a full read of the ledger ({what}): it was changed "
        "or is faulty, and reports read from it may have shown wrong figures; it has been "
        "rebuilt from the ledger"
    ).format(what=_("; ").join(found))
    return [Problem(label, 0, message)]


# A month's cells as the cache writes them (govscore.ledger.cachefile.month_text).
MonthText = Callable[[Cells, str], str]


def differences(cached: Snapshot, full: Snapshot, texts: MonthText | None = None) -> list[str]:
    """What a snapshot from the cache says that a full read of the same ledger does not.

    Compared as reports and `add` use them: sums per department and month, the entries
    that count across months, problems, the number of entries, and what validating new
    entries relies on. Order is left aside where the two ways of building may differ in it.
    With `texts`, a month whose cells the two write alike is not decoded to be compared
    (a province's 120,000 cells, twice over, were most of `check`'s time and memory).
    """
    found = []
    alike = _alike_months(cached.summary, full.summary, texts) if texts else set()
    try:
        cells = _cells(cached.summary, alike)
    except DataError:  # a month of it does not read (govscore.ledger.cachefile.month_cells)
        cells = {}
        found.append(_("sums"))
    full_cells = _cells(full.summary, alike)
    for key in sorted(set(cells) | set(full_cells)):
        if cells.get(key) != full_cells.get(key):
            found.append(
                _("sums of {department} in {month}").format(department=key[0], month=key[1])
            )
    for name in ("standing", "exclusive", "annual"):
        if _entries(getattr(cached.summary, name)) != _entries(getattr(full.summary, name)):
            found.append(_(PARTS_SAID[name]))
    if cached.summary.through != full.summary.through:
        found.append(_("closed entries"))
    if sorted(cached.problems) != sorted(full.problems):
        found.append(_("problems"))
    if cached.entries != full.entries:
        message = _("entries: {cached} against {full}")
        found.append(message.format(cached=cached.entries, full=full.entries))
    try:
        mine = cached.context
    except DataError:  # it does not read (govscore.ledger.cachefile builds it when asked)
        return [*found, _("what validating new entries needs")]
    theirs = full.context
    for name in ("targets", "target_bad", "voided", "rates", "keys", "marks", "sequences"):
        if name == "marks":  # a snapshot may lack marks (see Context.marks), never hold wrong ones
            wrong = any(theirs.marks.get(key) != mark for key, mark in mine.marks.items())
        else:
            wrong = getattr(mine, name) != getattr(theirs, name)
        if wrong:
            found.append(_(PARTS_SAID[name]))
    same_ids = (mine.ids.text, mine.ids.extra) == (theirs.ids.text, theirs.ids.extra)
    if not same_ids and mine.ids.all() != theirs.ids.all():
        found.append(_("ids"))
    return found


# The parts of a snapshot `check` may find differing, in the reader's words.
PARTS_SAID = {
    "standing": N_("standing entries"),
    "exclusive": N_("exclusive entries"),
    "annual": N_("annual entries"),
    "targets": N_("targets"),
    "target_bad": N_("target bad"),
    "voided": N_("voided"),
    "rates": N_("rates"),
    "keys": N_("keys"),
    "marks": N_("what each key's entry is"),
    "sequences": N_("sequences"),
}


def _alike_months(cached: Summary, full: Summary, texts: MonthText) -> set[str]:
    """The months whose cells both write as the same text (and so hold the same)."""
    both = set(cached.cells.months()) & set(full.cells.months())
    return {month for month in both if texts(cached.cells, month) == texts(full.cells, month)}


def _cells(summary: Summary, alike: set[str]) -> dict[tuple[str, str], tuple[object, ...]]:
    """Cells as reports read them: no zero sums, no empty cells, lists in any order; but
    for the months `alike`."""
    kept = {}
    for month in summary.cells.months():
        if month in alike:
            continue
        for department, cell in summary.cells.month(month).items():
            sums = {name: value for name, value in cell.sums.items() if value}
            capped = {name: value for name, value in cell.capped.items() if value}
            groups = {name: cell.cap_category.get(name) for name in capped}
            by_clause = {name: value for name, value in cell.clauses.items() if value}
            vetoes, referrals = sorted(cell.vetoes), sorted(cell.referrals)
            if sums or capped or vetoes or referrals:
                kept[(department, month)] = (sums, capped, groups, vetoes, referrals, by_clause)
    return kept


def _entries(entries: Sequence[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: (e.file, e.line, e.id))
