"""Scores already worked out, kept beside the snapshot: a warm `year` reads 10,000 rows.

A province's year is 120,000 department-months. The snapshot keeps their sums; scoring
them again on every run costs more than a warm report may take. This memo keeps, in
`.govscore-cache/scores.cache` (signed like the snapshot, data only), each month's
scores and each year's, one row a department, and hands them to the Scorer
(govscore.rules.scoring.ScoreMemo) instead of working them out.

What decides a month's scores is in its key: govscore's version and the cache format,
the configuration the root reads (the snapshot's key: departments, weights, catalog and
any other rule file it digests), that month's cells as the snapshot keeps them, and
every entry that reaches across months (recurring entries, their closes, exclusive and
annual entries). An `add` changes one month's cells: that month alone is scored again.
A year row is kept with a digest of its department's month rows: a department whose
months scored the same keeps its year row, the others are worked out again. A key
that does not match is never read, so a memo can be missing but never stale.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, MutableMapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import fields
from decimal import Decimal
from functools import partial
from typing import Any

from govscore.errors import DataError
from govscore.figures import Remembered
from govscore.i18n import _
from govscore.ledger import cache, cachefile
from govscore.ledger.workers import stop
from govscore.model import months_between
from govscore.rules.scoring import (
    CapUse,
    Cell,
    DepartmentScore,
    FloorUse,
    MonthCells,
    Referral,
    Scorer,
    Summary,
)

# 2: figures as two lists, names and values; 3: each row led by its total and flags, and
# the rows as a report printed them kept beside (see Kept, Memo.show); 4: a month's rows
# kept with each department's digest of its sums (see Memo._kept_rows); 5: a month's
# clauses and caps in their order (rows agree however the cells were summed); 6: a year's
# digest of a department is of its months' cell digests (see _Year), not of its month rows;
# 8: a year's vetoes each once (a standing veto was kept once a month)
MAGIC = f"govscore scores cache {cache.FORMAT}.8".encode()


def _digest(*parts: str | bytes) -> str:
    hashed = hashlib.sha256()
    for part in parts:
        hashed.update(part.encode() if isinstance(part, str) else part)
        hashed.update(b"\0")
    return hashed.hexdigest()


# Kept rows repeat a few hundred figures ("100", "-0.5", …): each text is made a
# Decimal once (immutable, so one may be shared).
_decimal = Remembered(Decimal).__getitem__


def _as_decimals(stored: list[list[str]]) -> dict[str, Decimal]:
    names, values = stored
    return dict(zip(names, map(_decimal, values), strict=True))


def encode(score: DepartmentScore) -> str:
    """One department's scores as a line (its name is its place in the departments):
    its total, "v" if vetoed and "r" if referred, then every figure, tab-separated (JSON
    writes a tab inside a string as \\t), so a ranking reads a row only as far as it needs."""
    flags = ("v" if score.vetoes else "") + ("r" if score.referrals else "")
    return f"{score.total!s}\t{flags}\t{_figures(score)}"


_ENCODE = cachefile.as_json


def _figures(score: DepartmentScore) -> str:
    """The JSON of every figure, as _ENCODE writes it (a test holds the two together):
    the lists of names and figures written directly, the rarer parts by the encoder."""
    return ",".join(
        (
            "[" + _pairs(score.categories),
            f'"{score.total!s}"',
            _ENCODE(list(score.vetoes)) if score.vetoes else "[]",
            _ENCODE([[r.entry, r.clause, r.department, r.month, r.to] for r in score.referrals])
            if score.referrals
            else "[]",
            _caps(score.caps),
            _pairs(score.months),
            _ENCODE([[f.category, str(f.raw), str(f.floor), f.month] for f in score.floors])
            if score.floors
            else "[]",
            _pairs(score.clauses) + "]",
        )
    )


def _caps(caps: tuple[CapUse, ...]) -> str:
    """The caps used, as _ENCODE writes [[group, category, earned, limit, month], …]: a
    province's month has a few, its year a few dozen."""
    if not caps:
        return "[]"
    quoted = cachefile.quoted
    return (
        "["
        + ",".join(
            [
                f'[{quoted[c.group]},{quoted[c.category]},"{c.earned!s}","{c.limit!s}",'
                f"{quoted[c.month]}]"
                for c in caps
            ]
        )
        + "]"
    )


def _pairs(values: dict[str, Decimal]) -> str:
    """The names, then the figures as text, two JSON lists: a Decimal's text (digits,
    point, sign, exponent) needs no escape; each name is quoted once (cachefile.quoted)."""
    if not values:
        return "[[],[]]"
    quoted = cachefile.quoted
    names = ",".join([quoted[name] for name in values])
    figures = '","'.join(map(str, values.values()))
    return f'[[{names}],["{figures}"]]'


# Each part of a row's figures (as _figures writes them), where it stands and what makes
# it: a report reads only some (a table the categories and caps, not each clause's sum).
_PARTS: dict[str, tuple[int, Callable[[Any], Any]]] = {
    "categories": (0, _as_decimals),
    "vetoes": (2, tuple),
    "referrals": (3, lambda rows: tuple(Referral(*r) for r in rows) if rows else ()),
    "caps": (
        4,
        lambda caps: tuple(
            CapUse(g, c, _decimal(e), _decimal(cap), month) for g, c, e, cap, month in caps
        ),
    ),
    "months": (5, _as_decimals),
    "floors": (
        6,
        lambda rows: tuple(FloorUse(c, _decimal(r), _decimal(f), m) for c, r, f, m in rows),
    ),
    "clauses": (7, _as_decimals),
}


def _parsed(line: str) -> list[Any]:
    """A row's figures as JSON reads them (ValueError unless all eight parts are there)."""
    figures = json.loads(line.split("\t", 2)[2])
    if type(figures) is not list or len(figures) != 8:
        raise ValueError("not a row of scores")
    return figures


def decode(department: str, line: str) -> DepartmentScore:
    """A row encode wrote (the file was verified: its strings are ours as written)."""
    figures = _parsed(line)
    made = {name: make(figures[at]) for name, (at, make) in _PARTS.items()}
    return DepartmentScore(department=department, total=_decimal(figures[1]), **made)


# JSON's own scanner, one value at a time: a kept row's parts are read only as far as a
# report asks (a table of a year reads the categories and caps, never the months and
# each clause's sum, most of a year row's text).
_SCAN_ONE = json.JSONDecoder().scan_once


def _lazy(name: str) -> property:
    return property(lambda self: self._part(name), doc=f"{name}, decoded when first read")


class Kept(DepartmentScore):
    """A kept row, read only as far as it is asked: a ranking needs each department's
    total and whether it is vetoed, a report kept as printed (Memo.shown) nothing more;
    each other part of the figures is decoded from the row when first read (a province's
    table of 10,000 rows reads the categories and caps, not each clause's sum)."""

    categories = _lazy("categories")  # type: ignore[assignment]
    caps = _lazy("caps")  # type: ignore[assignment]
    months = _lazy("months")  # type: ignore[assignment]
    floors = _lazy("floors")  # type: ignore[assignment]
    clauses = _lazy("clauses")  # type: ignore[assignment]
    lines = property(lambda self: (), doc="none: a row with lines is never kept")  # type: ignore[assignment]

    def __init__(self, department: str, line: str, where: tuple[str, int]):
        total, flags, _figures = line.split("\t", 2)
        put = object.__setattr__
        put(self, "department", department)
        put(self, "total", _decimal(total))
        put(self, "_flags", flags)
        put(self, "_line", line)
        put(self, "where", where)  # (the key of its rows, its place among them)
        put(self, "_read", [])  # the figures' parts as JSON reads them, as far as read
        put(self, "_next", len(total) + len(flags) + 2)  # where the next part begins
        put(self, "_parts", {})  # each part decoded so far

    @property  # type: ignore[override]
    def vetoes(self) -> tuple[str, ...]:
        return self._part("vetoes") if "v" in self._flags else ()

    @property  # type: ignore[override]
    def referrals(self) -> tuple[Referral, ...]:
        return self._part("referrals") if "r" in self._flags else ()

    def _part(self, name: str) -> Any:
        """One part of the figures (decoded once)."""
        parts = self._parts
        if name not in parts:
            try:
                at, make = _PARTS[name]
                parts[name] = make(self._raw(at))
            except (ValueError, TypeError, ArithmeticError) as error:
                raise DataError(
                    _(
                        "{file}: the kept scores cannot be read ({reason}); run `govscore "
                        "check`, which removes them, or use --no-cache"
                    ).format(file=".govscore-cache/scores.cache", reason=type(error).__name__)
                ) from error
        return parts[name]

    def _raw(self, at: int) -> Any:
        """Part `at` of the figures as JSON reads it, the row read as far as that. A row
        not as encode writes it (signed by whoever holds the key) is read whole."""
        read, line = self._read, self._line
        while len(read) <= at:
            start = self._next
            try:
                if line[start : start + 1] != ("," if read else "["):
                    raise StopIteration(start)
                value, end = _SCAN_ONE(line, start + 1)
            except StopIteration:
                read[:] = _parsed(line)  # ValueError if it does not read as a row
                break
            read.append(value)
            object.__setattr__(self, "_next", end)
        return read[at]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DepartmentScore):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(other))

    __hash__ = None  # type: ignore[assignment]


def _kept(department: str, line: str, where: tuple[str, int]) -> DepartmentScore | None:
    """A kept row, or None for one this version cannot read (then it is worked out)."""
    try:
        return Kept(department, line, where)
    except (ValueError, TypeError, ArithmeticError):
        return None


def _across(summary: Summary) -> str:
    """What reaches across months: a change here scores every month again."""
    rows = [
        [cachefile.entry_row(e) for e in getattr(summary, name)]
        for name in ("standing", "exclusive", "annual")
    ]
    return json.dumps([rows, sorted(summary.through.items())], ensure_ascii=False, default=str)


# A share of the departments worked out in a worker process (see Memo.helpers): each
# month's rows and cell digests, then the year's rows, digests of the month rows, the
# year's rows as a report prints them ("" where not printed there), and each month's
# rows as printed where asked for (`check` compares them; otherwise none).
Share = tuple[list[list[str]], list[list[str]], list[str], list[str], list[str], list[list[str]]]
# The departments of a cold year go to the helpers in this many shares, taken as each
# helper is free: while the main process writes the snapshot, one of two helpers shares
# a core with it, and given half the departments it finished a second after the other.
# Each share costs about 20 ms more (what reaches across months, sent again).
SHARES = 8


class Helpers:
    """Worker processes (a pool whose workers hold the configuration): each given a share
    of the departments (their names), with their cells each month as the cache writes
    them and what reaches across months, works out their months and year (`task` calls
    work_out); the shares come back in order. Closed after, or when not needed."""

    def __init__(
        self,
        pool: ProcessPoolExecutor | None,
        task: Callable[..., Share],
        meanwhile: Callable[[], None] | None = None,
        show: Callable[[DepartmentScore], str] | None = None,
        start: Callable[[], ProcessPoolExecutor | None] | None = None,
    ):
        self.pool, self.task = pool, task
        self.meanwhile = meanwhile  # done while they work (writing the snapshot), once
        self.show = show  # prints a year's row as the report will (see Memo.show)
        self.start = start  # starts the pool when first needed (a warm run's)

    def ready(self) -> bool:
        """Whether there are worker processes to help, starting them if they are not yet
        (there are none where they cannot be started)."""
        if self.pool is None and self.start is not None:
            self.pool, self.start = self.start(), None
        return self.pool is not None

    def __call__(
        self,
        forms: list[dict[str, dict[str, object]]],
        across: tuple[object, ...],
        year: int | None,
        months: list[str],
        shares: list[list[str]],
        printed: Collection[str] = (),
    ) -> list[Share]:
        assert self.pool is not None, "asked when ready()"
        tasks = zip(forms, shares, strict=True)
        asked = frozenset(printed)
        try:
            futures = [
                self.pool.submit(self.task, f, across, year, months, n, self.show, asked)
                for f, n in tasks
            ]
            self._meanwhile()
            return [future.result() for future in futures]
        except BaseException:
            stop(self.pool)
            raise

    def _meanwhile(self) -> None:
        work, self.meanwhile = self.meanwhile, None
        if work is not None:
            work()

    def close(self) -> None:
        """Shut the workers down (what was to be done meanwhile is done now, if not yet)."""
        self._meanwhile()
        if self.pool is not None:
            self.pool.shutdown()


class _Given:
    """The month scores a worker has just worked out, for the year it works out next."""

    def __init__(self) -> None:
        self.scores: dict[str, DepartmentScore] = {}

    def month(self, scorer: Scorer, department: str, month: str) -> DepartmentScore | None:
        return self.scores.get(month)

    def year(
        self, scorer: Scorer, department: str, year: int, months: Sequence[str]
    ) -> DepartmentScore | None:
        return None


def _forms(cells: MutableMapping[str, Cell]) -> Iterable[tuple[str, object]]:
    """A month's cells by department: each a Cell, or the text the cache stored it as."""
    return cells.forms() if isinstance(cells, MonthCells) else cells.items()


def work_out(
    scorer: Scorer,
    names: Sequence[str],
    year: int | None,
    months: Sequence[str],
    show: Callable[[DepartmentScore], str] | None = None,
    printed: Collection[str] = (),
) -> Share:
    """The rows of some departments for each month and for the year (year=None: the
    months alone), exactly as Memo works them out itself, and with `show` the year's rows
    as printed (as Memo.show keeps them), and those of the `printed` months: run in a
    worker process (a cold year, see Memo.helpers; `check`, see disagreements)."""
    given = _Given()
    scorer.memo = given
    forms = [dict(_forms(scorer.summary.cells.month(month))) for month in months]
    month_rows: list[list[str]] = [[] for _ in months]
    month_sigs: list[list[str]] = [[] for _ in months]
    year_rows: list[str] = []
    year_sigs: list[str] = []
    year_shown: list[str] = []
    month_shown: list[list[str]] = [[] for _ in months]
    wanted = [show is not None and month in printed for month in months]
    for name in names:
        sigs = []
        for number, month in enumerate(months):
            score = given.scores[month] = scorer.score_month(name, month)
            month_rows[number].append(encode(score))
            if wanted[number]:
                month_shown[number].append(show(score))  # type: ignore[misc]
            sigs.append(_cell_digest(forms[number].get(name)))
            month_sigs[number].append(sigs[-1])
        if year is None:
            continue
        year_sigs.append(_line_digest(sigs))
        score = scorer.score_year(name, year, months)
        year_rows.append("" if score.lines else encode(score))  # as Memo.year keeps it
        shown = show(score) if show is not None and year_rows[-1] else ""
        year_shown.append("" if "\n" in shown else shown)
    return month_rows, month_sigs, year_rows, year_sigs, year_shown, month_shown


def _shared_out(
    helpers: Helpers,
    summary: Summary,
    names: Sequence[str],
    year: int | None,
    months: Sequence[str],
    printed: Collection[str] = (),
) -> list[Share]:
    """The departments' months and year worked out by helpers, a share of the names each
    (in order), and the rows of the `printed` months as a report prints them."""
    across = (summary.standing, summary.exclusive, summary.annual, summary.through)
    size = max(1, -(-len(names) // SHARES))
    shares = [list(names[start : start + size]) for start in range(0, len(names), size)]
    # Each share is sent its own departments' cells, as the cache writes them (most
    # are that text still, as the workers that read the ledger sent them).
    forms: list[dict[str, dict[str, object]]] = [{m: {} for m in months} for _ in shares]
    for month in months:
        found = cachefile.month_forms(summary.cells, month)
        for share, by_month in zip(shares, forms, strict=True):
            mine = by_month[month]
            for name in share:
                form = found.pop(name, None)
                if form is not None:
                    mine[name] = form
        # A cell of a department not in the list (the review leaves none) goes too.
        forms[0][month].update(found)
    return helpers(forms, across, year, list(months), shares, printed)


class Memo:
    """The ScoreMemo a warm report reads: rows from the file, worked out where missing."""

    def __init__(
        self,
        rules: bytes,
        summary: Summary,
        departments: Sequence[str],
        months: Sequence[str],
        texts: Sequence[str] | None = None,
    ):
        self.summary = summary
        self.months = list(months)  # the ledger's months
        self.names = list(departments)
        self.place = {name: number for number, name in enumerate(self.names)}
        self.base = _digest(rules, "\n".join(self.names), _across(summary))
        # key → (kind, its rows: the number of the file's text until they are asked for)
        self.stored: dict[str, tuple[str, int | list[str]]] = {}
        self._texts: Sequence[str] = texts or []
        if texts:
            head = json.loads(texts[0])
            if head["base"] == self.base:
                for name, (number, kind) in head["rows"].items():
                    self.stored[str(name)] = (str(kind), int(number))
        self.used: dict[str, tuple[str, list[str]]] = {}  # what this run read or worked out
        self.fresh = False
        self._lines: dict[str, list[str]] = {}  # month → its rows
        self._sigs: dict[str, list[str]] = {}  # month → each department's cell digest
        self._decoded: dict[str, list[DepartmentScore | None]] = {}
        self._years: dict[str, _Year] = {}
        self._keys: dict[str, str] = {}  # month → its key
        self._slots: dict[str, str] = {}  # month → where its rows are kept
        self._year_keys: dict[tuple[int, tuple[str, ...]], str] = {}  # one digest a year
        self._shown: dict[str, list[str]] = {}  # key → its rows as printed ("": not yet)
        # Rows worked out by this run, by their score's id (the scores are held here, so
        # no id is taken again): where each is kept, to keep it as printed too.
        self._worked: dict[int, tuple[str, int]] = {}
        self._held: list[DepartmentScore] = []
        # Worker processes for a year none of whose rows are kept, nor most of its months'
        # (a cold run, or a warm one after a cold `month`): each works out a share of the
        # departments' months and year (see work_out).
        self.helpers: Helpers | None = None

    def _rows(self, key: str, kind: str) -> list[str]:
        """The rows kept under a key, if they are of this kind; else none."""
        found, rows = self.stored.get(key, (kind, []))
        if found != kind:
            return []
        if isinstance(rows, int):
            try:
                rows = self._texts[rows].split("\n")
            except (ValueError, IndexError):  # signed, yet not text: worked out again
                rows = []
            self.stored[key] = (kind, rows)
        return rows

    # -- rows as printed -----------------------------------------------------------------

    def shown(self, score: DepartmentScore) -> str | None:
        """A kept row as a report printed it before (see govscore.report.shapes), if it did."""
        if not isinstance(score, Kept):
            return None
        key, place = score.where
        texts = self._printed(key)
        return (texts[place] or None) if place < len(texts) else None

    def show(self, score: DepartmentScore, text: str) -> None:
        """Keep a kept row as a report printed it: the next report prints it as it is."""
        where = score.where if isinstance(score, Kept) else self._worked.get(id(score))
        if where is None or "\n" in text:
            return
        key, place = where
        texts = self._printed(key)
        if len(texts) != len(self.names):
            texts = self._shown[key] = [""] * len(self.names)
        texts[place] = text
        self.fresh = True

    def _printed(self, key: str) -> list[str]:
        texts = self._shown.get(key)
        if texts is None:
            texts = self._shown[key] = self._rows(f"{key}/shown", "shown")
        return texts

    # -- months --------------------------------------------------------------------------

    def month_key(self, month: str) -> str:
        """What decides a month's scores: the rules and entries across months (base) and
        the month's sums."""
        text = cachefile.month_text(self.summary.cells, month)
        return _digest(self.base, "month", month, text)

    def _slot(self, month: str) -> str:
        """Where a month's rows are kept: [its key, each department's cell digest, rows]."""
        return _digest(self.base, "slot", month)

    def _kept_rows(self, month: str) -> tuple[str, list[str], list[str]]:
        """A month's key, its departments' cell digests, and the rows kept for it that
        still hold ("" where a department's sums changed since, or none were kept).

        One `add` changes one department's sums: the others' rows stand."""
        key = self.month_key(month)
        count = len(self.names)
        stored = self._rows(self._slot(month), "month")
        if not self._laid_out(stored):
            return key, self._cell_sigs(month), [""] * count
        if stored[0] == key:
            return key, stored[1 : count + 1], stored[count + 1 :]
        sigs = self._cell_sigs(month)
        pairs = zip(stored[1 : count + 1], sigs, stored[count + 1 :], strict=True)
        return key, sigs, [row if old == new else "" for old, new, row in pairs]

    def _laid_out(self, stored: Sequence[str]) -> bool:
        """Whether kept rows are laid out as a month's or a year's are: a key, then a
        digest and a row for each department."""
        return len(stored) == 2 * len(self.names) + 1

    def _cell_sigs(self, month: str) -> list[str]:
        """Each department's digest of its month's sums, as the cache keeps them."""
        forms = dict(_forms(self.summary.cells.month(month)))
        return [_cell_digest(forms.get(name)) for name in self.names]

    def _month(self, scorer: Scorer, month: str) -> list[str]:
        lines = self._lines.get(month)
        if lines is not None:
            return lines
        slot = self._slot(month)
        key, sigs, rows = self._kept_rows(month)
        stored = self._rows(slot, "month")
        if "" in rows or stored[:1] != [key]:  # sums changed: their rows are worked out again
            shown = self._rows(f"{slot}/shown", "shown")
            self._shown[slot] = (
                [text if row else "" for text, row in zip(shown, rows, strict=True)]
                if len(shown) == len(rows)
                else []
            )
            decoded: list[DepartmentScore | None] = [None] * len(rows)
            for place, row in enumerate(rows):
                if not row:
                    score = decoded[place] = scorer.score_month(self.names[place], month)
                    rows[place] = encode(score)
                    self._hold(score, slot, place)
            self._decoded[month] = decoded
            self.fresh = True
        self.used[slot] = ("month", [key, *sigs, *rows])
        self._keys[month] = key
        self._slots[month] = slot
        self._lines[month] = rows
        self._sigs[month] = sigs
        return rows

    def month(self, scorer: Scorer, department: str, month: str) -> DepartmentScore | None:
        place = self.place.get(department)
        if place is None:
            return None
        lines = self._month(scorer, month)
        decoded = self._decoded.get(month)
        if decoded is None:  # (not setdefault: that made a list of 10,000 each call)
            decoded = self._decoded[month] = [None] * len(lines)
        score = decoded[place]
        if score is None:
            where = (self._slots[month], place)
            score = decoded[place] = _kept(department, lines[place], where)
        return score  # None: the scorer works it out

    # -- years ---------------------------------------------------------------------------

    def year(
        self, scorer: Scorer, department: str, year: int, months: Sequence[str]
    ) -> DepartmentScore | None:
        place = self.place.get(department)
        if place is None or not months:
            return None
        span = (year, tuple(months))
        key = self._year_keys.get(span)
        if key is None:  # the same for every department: hashed once, not 10,000 times
            key = self._year_keys[span] = _digest(self.base, "year", str(year), *months)
        kept = self._years.get(key)
        helpers = self.helpers
        if kept is None and helpers is not None and self._unkept(key, months) and helpers.ready():
            kept = self._years[key] = self._helped(helpers, scorer.summary, key, year, months)
        self.release()
        if kept is None:
            kept = self._years[key] = self._year(scorer, key, months)
        line = kept.rows[place]
        known = _kept(department, line, (key, place)) if line else None
        if known is not None:
            return known
        score = scorer.score_year(department, year, months)
        if not score.lines:  # annual entries' lines are not kept: worked out each time
            kept.rows[place] = encode(score)
            self._hold(score, key, place)
            self.fresh = True
        return score

    def _unkept(self, key: str, months: Sequence[str]) -> bool:
        """Whether the year's rows and most of its months' are to be worked out: in a cold
        run, or in a warm one whose kept scores hold no such year (after a cold `month`).
        Then helpers work them all out (see helpers)."""
        if self._lines:  # this run has worked out or read a month already
            return False
        if not self.stored:
            return True
        if self._rows(key, "year"):
            return False
        unkept = [m for m in months if not self._laid_out(self._rows(self._slot(m), "month"))]
        return 2 * len(unkept) > len(months)

    def release(self) -> None:
        """Let the helpers go (their work is done, or there is none for them)."""
        if self.helpers is not None:
            self.helpers.close()
            self.helpers = None

    def _helped(
        self, helpers: Helpers, summary: Summary, key: str, year: int, months: Sequence[str]
    ) -> _Year:
        """A year and its months worked out by helpers, each a share of the departments,
        and taken as if worked out here."""
        try:
            done = _shared_out(helpers, summary, self.names, year, months)
        finally:
            self.release()
        for number, month in enumerate(months):
            rows = [row for share in done for row in share[0][number]]
            sigs = [sig for share in done for sig in share[1][number]]
            slot = self._slot(month)
            self._keys[month] = self.month_key(month)
            self._slots[month] = slot
            self._lines[month] = rows
            self._sigs[month] = sigs
            self._shown[slot] = []
            self.used[slot] = ("month", [self._keys[month], *sigs, *rows])
        shown = [text for share in done for text in share[4]]
        self._shown[key] = shown if any(shown) else []
        self.fresh = True
        whole = _digest(*(self._keys[month] for month in months))
        year_sigs = [sig for share in done for sig in share[3]]
        return _Year(whole, year_sigs, [row for share in done for row in share[2]])

    def _hold(self, score: DepartmentScore, key: str, place: int) -> None:
        self._worked[id(score)] = (key, place)
        self._held.append(score)

    def _year(self, scorer: Scorer, key: str, months: Sequence[str]) -> _Year:
        for month in months:
            self._month(scorer, month)
        whole = _digest(*(self._keys[month] for month in months))
        sigs, rows, unchanged = self._year_rows(key, whole, [self._sigs[m] for m in months])
        if not unchanged:
            shown = self._rows(f"{key}/shown", "shown")
            # A row worked out again is printed afresh.
            self._shown[key] = (
                [text if row else "" for text, row in zip(shown, rows, strict=True)]
                if len(shown) == len(self.names)
                else []
            )
        return _Year(whole, sigs, rows)

    def _year_rows(
        self, key: str, whole: str, by_month: Sequence[Sequence[str]]
    ) -> tuple[list[str], list[str], bool]:
        """A year's department digests, its kept rows that still hold ("" where a
        department's months changed since: `by_month`, each month's cell digests), and
        whether no month changed (`whole`, the digest of the months' keys, as kept)."""
        stored = self._rows(key, "year")
        count = len(self.names)
        if self._laid_out(stored) and stored[0] == whole:
            return stored[1 : count + 1], stored[count + 1 :], True
        sigs = [_line_digest(column) for column in zip(*by_month, strict=True)]
        old_sigs, old_rows = stored[1 : count + 1], stored[count + 1 :]
        rows = [""] * count
        if len(old_rows) == count == len(old_sigs):
            rows = [
                row if old == new else ""
                for old, new, row in zip(old_sigs, sigs, old_rows, strict=True)
            ]
        return sigs, rows, False

    # -- the file ------------------------------------------------------------------------

    def texts(self) -> list[str | bytes | memoryview] | None:
        """What the file should hold now, or None when it holds that already: what this
        run read or worked out, and what it holds still current (other months, years),
        and the rows of these as printed."""
        if not self.fresh:
            return None
        for key, kept in self._years.items():
            self.used[key] = ("year", kept.lines())
        current = {self._slot(month) for month in self.months}
        keep: dict[str, tuple[str, int | list[str]]] = {
            key: value
            for key, value in self.stored.items()
            if (key in current or value[0] == "year") and key not in self.used
        }
        keep.update(self.used)
        for key in list(keep):
            shown = self._shown.get(key)
            if shown is None:
                kind, stored = self.stored.get(f"{key}/shown", ("", []))
                shown = stored if kind == "shown" else None
            elif not any(shown):
                shown = None
            if shown is not None:
                keep[f"{key}/shown"] = ("shown", shown)
        names = list(keep)
        rows = {name: [number, keep[name][0]] for number, name in enumerate(names, start=1)}
        head = json.dumps({"base": self.base, "rows": rows})
        self.fresh = False
        return [head, *(self._text(value) for _, value in keep.values())]

    def _text(self, rows: int | list[str]) -> str | bytes | memoryview:
        """Rows as the file keeps them: a text read and never split is written as read."""
        if not isinstance(rows, int):
            return "\n".join(rows)
        raw = getattr(self._texts, "raw", None)
        return raw(rows) if raw is not None else self._texts[rows]


class _Year:
    """A year's rows as kept: a digest of its months' keys, each department's digest of
    its months' cell digests, and its row ("" while it must be worked out).

    Under one year key (the rules and what reaches across months: see Memo.base) a
    department's month rows follow from its cells, so the digests of its cells say
    whether its year row still holds; digesting its twelve rows over again cost a
    province's `year` after one `add` a tenth of a second."""

    def __init__(self, whole: str, sigs: list[str], rows: list[str]):
        self.whole, self.sigs, self.rows = whole, sigs, rows

    def lines(self) -> list[str]:
        return [self.whole, *self.sigs, *self.rows]


def _line_digest(rows: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()[:32]


def memo(
    rules: bytes,
    summary: Summary,
    departments: Sequence[str],
    months: Sequence[str],
    texts: Sequence[str] | None,
) -> Memo:
    """The memo for a snapshot from the file's texts; an empty one if they do not fit."""
    try:
        return Memo(rules, summary, departments, months, texts)
    except (ValueError, TypeError, IndexError, KeyError, AttributeError):
        return Memo(rules, summary, departments, months)  # signed, yet not this layout


def disagreements(
    kept: Memo,
    scorer: Scorer,
    show: Callable[[DepartmentScore], str] | None = None,
    helpers: Helpers | None = None,
) -> list[str]:
    """The months and years whose kept rows, or the rows as printed, say what scoring
    afresh does not (`check` compares them, as it compares the snapshot: only a key
    holder can change them). `show` prints a row as a report does; without it, a row kept
    as printed cannot be checked, and counts as a disagreement.

    With helpers (the workers that read the ledger afresh), each works out a share of
    the departments' rows as a cold `year` does, and the rows are compared here; else a
    department at a time here: its months scored once, its year worked out from them."""
    months: dict[str, _KeptRows] = {}
    keyed: dict[str, tuple[str, list[str], list[str]]] = {}  # month → its key, digests, rows
    for month in kept.months:
        keyed[month] = kept._kept_rows(month)  # the rows a report would read
        months[month] = _KeptRows(keyed[month][2], kept._slot(month), kept)
    years: dict[int, tuple[list[str], _KeptRows]] = {}
    for year in sorted({int(month[:4]) for month in kept.months}):
        present = [month for month in kept.months if month.startswith(f"{year:04d}-")]
        span = months_between(present[0], present[-1])
        key = _digest(kept.base, "year", str(year), *span)
        for month in span:
            if month not in keyed:  # a month of the year with no ledger file
                keyed[month] = kept._kept_rows(month)
        whole = _digest(*(keyed[month][0] for month in span))
        # As a report reads them: a row whose department's months changed is not read.
        _, rows, _ = kept._year_rows(key, whole, [keyed[month][1] for month in span])
        years[year] = (span, _KeptRows(rows, key, kept))
    if helpers is not None and helpers.ready():
        wrong = _compared(kept, scorer.summary, months, years, helpers)
    else:
        wrong = _scored_here(kept, scorer, months, years, show)
    return [m for m in kept.months if m in wrong] + [str(y) for y in years if str(y) in wrong]


def _compared(
    kept: Memo,
    summary: Summary,
    months: dict[str, _KeptRows],
    years: dict[int, tuple[list[str], _KeptRows]],
    helpers: Helpers,
) -> set[str]:
    """disagreements, the rows worked out by helpers: the kept rows compared with them."""
    wrong: set[str] = set()
    try:
        for year, (span, year_rows) in years.items():
            # The year's months, if its rows are kept; else only the months whose are.
            whole = any(year_rows.rows)
            wanted = [m for m in span if whole or (m in months and any(months[m].rows))]
            if not wanted:
                continue
            printed = [month for month in wanted if month in months and any(months[month].shown)]
            done = _shared_out(
                helpers, summary, kept.names, year if whole else None, wanted, printed
            )
            for number, month in enumerate(wanted):
                rows = months.get(month)
                fresh = [row for share in done for row in share[0][number]]
                shown = [text for share in done for text in share[5][number]]
                if rows is not None and not rows.same(fresh, shown):
                    wrong.add(month)
            if whole:
                fresh = [row for share in done for row in share[2]]
                if not year_rows.same(fresh, [text for share in done for text in share[4]]):
                    wrong.add(str(year))
    finally:
        helpers.close()
    return wrong


def _scored_here(
    kept: Memo,
    scorer: Scorer,
    months: dict[str, _KeptRows],
    years: dict[int, tuple[list[str], _KeptRows]],
    show: Callable[[DepartmentScore], str] | None,
) -> set[str]:
    """disagreements in this process, the scorer lent a memo of a department's months."""
    wrong: set[str] = set()
    given, lent = _Given(), scorer.memo
    scorer.memo = given
    try:
        for place, name in enumerate(kept.names):
            given.scores = {}
            for month, rows in months.items():
                if rows.row(place):
                    score = given.scores[month] = scorer.score_month(name, month)
                    if not rows.agrees(place, score, show):
                        wrong.add(month)
            for year, (span, rows) in years.items():
                if rows.row(place) and not rows.agrees(
                    place, scorer.score_year(name, year, span), show
                ):
                    wrong.add(str(year))
    finally:
        scorer.memo = lent
    return wrong


class _KeptRows:
    """The rows kept under one key (a month's or a year's), and as printed."""

    def __init__(self, rows: list[str], key: str, kept: Memo):
        self.rows = rows
        self.shown = kept._rows(f"{key}/shown", "shown")

    def row(self, place: int) -> str:
        return self.rows[place] if place < len(self.rows) else ""

    def same(self, rows: Sequence[str], shown: Sequence[str]) -> bool:
        """Whether each kept row holds (see _holds) against the rows worked out afresh and
        printed afresh (`shown`: none where not printed)."""
        # One fresh row a department: kept rows past them (none, as laid out) are not read.
        return all(
            self._holds(place, fresh, partial(_printed_at, shown, place))
            for place, fresh in enumerate(rows[: len(self.rows)])
            if self.rows[place]
        )

    def agrees(
        self, place: int, score: DepartmentScore, show: Callable[[DepartmentScore], str] | None
    ) -> bool:
        """Whether the department's kept row holds against its fresh score."""
        return self._holds(place, encode(score), lambda: show(score) if show else None)

    def _holds(self, place: int, fresh: str, printed: Callable[[], str | None]) -> bool:
        """Whether the kept row at `place` is `fresh`, and its row as printed, if one is
        kept, is what `printed` gives (None: it cannot be printed, so cannot agree)."""
        if self.row(place) != fresh:
            return False
        text = self.shown[place] if place < len(self.shown) else ""
        return not text or text == printed()


def _printed_at(shown: Sequence[str], place: int) -> str | None:
    return shown[place] if place < len(shown) else None


def _cell_digest(cell: object) -> str:
    """A department's month of sums as a digest: a Cell, or the text the cache stored it as
    (both written as the cache writes them), or None for no entries."""
    if cell is None:
        return "-"
    return hashlib.sha256(cachefile.cell_text(cell).encode()).hexdigest()[:32]
