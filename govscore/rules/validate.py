"""Validators: plain functions that look at entries and return problems, never raise.

`review` runs them all over a whole ledger and returns a Book: the entries that count
(valid, not voided, departments written in full), when each recurring entry was closed,
and every problem found. An entry with a problem does not count: a report never scores
evidence that `check` rejects.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from govscore.errors import Problem
from govscore.i18n import _
from govscore.model import ID_SEQUENCE, Entry, month_end, month_of, sequence_name
from govscore.rules.catalog import Catalog, Clause
from govscore.rules.config import Department, Departments

HUNDRED = Decimal(100)
# Bounds on what one entry may state. Beyond them a figure is a typo, not evidence, and
# would let one entry outweigh a year (or overflow the arithmetic of every report).
MOST_COUNT = 10_000  # occurrences in one entry; a month with more is several entries
MOST_CASES = 10**9  # a rate's numerator or denominator: cases handled in a month


@dataclass(frozen=True)
class Book:
    """The ledger as it counts: valid score entries, closes, voids, and the problems found."""

    entries: tuple[Entry, ...]
    through: dict[str, str] = field(default_factory=dict)
    voided: frozenset[str] = frozenset()
    problems: tuple[Problem, ...] = ()


def _problem(entry: Entry, field_name: str, message: str) -> Problem:
    return Problem(entry.file, entry.line, message, field_name, entry.id)


def _did_you_mean(choices: Sequence[str]) -> str:
    return f"; did you mean {' or '.join(choices)}?" if choices else ""


def score_entry_problems(
    entry: Entry, catalog: Catalog, departments: Departments, today: date
) -> list[Problem]:
    """What is wrong with one score entry on its own (without looking at other entries)."""
    return [*static_problems(entry, catalog, departments), *date_problems(entry, today)]


def static_problems(entry: Entry, catalog: Catalog, departments: Departments) -> list[Problem]:
    """What is wrong with a score entry's department, clause and figures (not its date)."""
    problems: list[Problem] = []

    def bad(field_name: str, message: str) -> None:
        problems.append(_problem(entry, field_name, message))

    for name in ("reason", "through"):
        if getattr(entry, name) is not None:
            bad(name, f"{name} belongs to a void or close entry, not to a clause entry")
    department = departments.resolve(entry.department) if entry.department else None
    if not entry.department:
        bad("department", "no department (every entry names one from departments.toml)")
    elif department is None:
        bad(
            "department",
            f"unknown department {entry.department!r}"
            f"{_did_you_mean(departments.suggest(entry.department))}"
            " (run `govscore departments` for the list)",
        )
    clause = catalog.get(entry.clause) if entry.clause else None
    if not entry.clause:
        bad("clause", "no clause (every entry names a clause id such as 2.4.3)")
    elif clause is None:
        bad(
            "clause",
            f"unknown clause {entry.clause!r}{_did_you_mean(catalog.suggest(entry.clause))}"
            " (run `govscore clauses` for the list)",
        )
    if clause is not None:
        problems.extend(clause_problems(entry, clause))
        if department is not None and not applies(clause, department):
            bad(
                "department",
                f"clause {clause.id} applies only to departments tagged {clause.applies_to!r}; "
                f"{department.name} is not (tag it in departments.toml if it should be)",
            )
    return problems


def applies(clause: Clause, department: Department) -> bool:
    """Whether a clause may be recorded against a department (its applies_to tag)."""
    return not clause.applies_to or clause.applies_to in department.tags


def own_problems(
    entries: Iterable[Entry], catalog: Catalog, departments: Departments, today: date
) -> dict[str, list[Problem]]:
    """score_entry_problems for many entries, each distinct combination judged once;
    entries without problems are left out of the result.

    A ledger repeats the same department, clause and figures thousands of times; the
    verdict on them is the same, only the place it is reported differs.
    """
    memo: dict[tuple[object, ...], list[tuple[str, str]]] = {}
    out: dict[str, list[Problem]] = {}
    for entry in entries:
        key = (
            entry.department,
            entry.clause,
            entry.count,
            *(None if n is None else str(n) for n in (entry.points, entry.value)),
            *(None if n is None else str(n) for n in (entry.numerator, entry.denominator)),
            entry.level,
            bool(entry.matter),
            bool(entry.ref),
            entry.recurring,
            entry.reason,
            entry.through,
        )
        verdict = memo.get(key)
        if verdict is None:
            found = static_problems(entry, catalog, departments)
            verdict = memo[key] = [(p.field, p.message) for p in found]
        problems = [_problem(entry, field_name, message) for field_name, message in verdict]
        problems += date_problems(entry, today)
        if problems:  # most entries have none: keep only those that do
            out[entry.id] = problems
    return out


def clause_problems(entry: Entry, clause: Clause) -> list[Problem]:
    """The fields a clause needs, and only those, with values it allows."""
    problems: list[Problem] = []

    def bad(field_name: str, message: str) -> None:
        problems.append(_problem(entry, field_name, message))

    cid = clause.id
    if entry.count < 1:
        bad("count", f"count must be 1 or more, not {entry.count}")
    elif entry.count > MOST_COUNT:
        bad(
            "count",
            _("count {count} is more than {most}, the most one entry may state").format(
                count=_shown(entry.count), most=MOST_COUNT
            ),
        )
    if entry.points is not None and clause.kind not in ("range", "discretionary"):
        hint = {
            "fixed": f"it is fixed at {clause.describe_points()} per {clause.unit or 'unit'}",
            "levels": f"name a level instead: {' / '.join(n for n, _ in clause.levels)}",
            "rate": "give the rate with value, or numerator and denominator",
            "veto": "a veto has no points",
        }[clause.kind]
        bad("points", f"clause {cid} takes no points: {hint}")
    if clause.kind == "range":
        if entry.points is None:
            bad("points", f"clause {cid} needs points between {clause.min} and {clause.max}")
        elif not clause.min <= entry.points <= clause.max:
            bad(
                "points",
                f"points {entry.points} outside {clause.min}–{clause.max} for clause {cid}",
            )
    if clause.kind == "discretionary":
        if entry.points is None:
            bad("points", f"clause {cid} is discretionary: state the points (more than 0)")
        elif entry.points <= 0:
            bad("points", f"points must be more than 0, not {entry.points}")
        elif clause.max is not None and entry.points > clause.max:
            bad(
                "points",
                _(
                    "points {points} are above the ceiling of {ceiling} for discretionary "
                    "clause {clause} ([limits] discretionary in weights.toml)"
                ).format(points=_shown(entry.points), ceiling=clause.max, clause=cid),
            )
    if entry.points is not None and not in_tenths(entry.points):
        bad("points", f"points {entry.points} are not in steps of 0.1")
    if clause.kind == "levels":
        names = [name for name, _ in clause.levels]
        if entry.level is None:
            bad("level", f"clause {cid} needs a level: {' / '.join(names)}")
        elif clause.level_points(entry.level) is None:
            bad(
                "level",
                f"unknown level {entry.level!r} for clause {cid}; allowed: {' / '.join(names)}",
            )
    elif entry.level is not None:
        bad("level", f"clause {cid} has no levels")
    problems.extend(_rate_problems(entry, clause))
    if entry.recurring and not clause.recurring:
        bad("recurring", f"clause {cid} cannot recur; only {_RECURRING_HINT} stand monthly")
    if clause.ref and not entry.ref:
        bad(
            "ref",
            f"clause {cid} is a follow-up: give ref, the id of the {'/'.join(clause.ref)} entry",
        )
    elif entry.ref and not clause.ref:
        bad("ref", f"clause {cid} is not a follow-up and takes no ref")
    if clause.exclusive:
        if not entry.matter:
            bad("matter", f"clause {cid} counts each matter once: name it with matter")
        if entry.count != 1:
            bad("count", f"clause {cid} counts one matter per entry: count must be 1")
    return problems


def in_tenths(points: Decimal) -> bool:
    """Whether points are a whole number of tenths, exactly, however large or long.

    (`points % STEP` raises for numbers past the context's precision, such as 1e30.)
    """
    _, digits, exponent = points.as_tuple()
    assert isinstance(exponent, int), "points are finite"
    below_tenths = -1 - exponent  # how many of the last digits stand below 0.1
    return below_tenths <= 0 or not any(digits[-below_tenths:])


_RECURRING_HINT = "clauses marked recurring in `govscore clauses`"


def _rate_problems(entry: Entry, clause: Clause) -> list[Problem]:
    problems: list[Problem] = []

    def bad(field_name: str, message: str) -> None:
        problems.append(_problem(entry, field_name, message))

    given = [n for n in ("value", "numerator", "denominator") if getattr(entry, n) is not None]
    if clause.kind != "rate":
        for name in given:
            bad(name, f"clause {clause.id} is not a rate and takes no {name}")
        return problems
    if entry.count != 1:
        bad("count", f"clause {clause.id} is a rate: one value a month, no count")
    if entry.value is not None:
        if entry.numerator is not None or entry.denominator is not None:
            bad("value", "give the rate either as value or as numerator and denominator, not both")
        elif not 0 <= entry.value <= HUNDRED:
            bad("value", f"rate {entry.value} is not a percentage from 0 to 100")
    elif entry.numerator is None or entry.denominator is None:
        bad(
            "value",
            f"clause {clause.id} is a rate: give value (a percentage) or numerator and denominator",
        )
    else:
        if entry.numerator < 0 or entry.denominator < 0:
            bad("denominator", "numerator and denominator cannot be negative")
        elif not all(_whole_cases(n) for n in (entry.numerator, entry.denominator)):
            bad(
                "denominator",
                _(
                    "numerator and denominator count cases: whole numbers up to {most}, "
                    "not {numerator} and {denominator}"
                ).format(
                    most=MOST_CASES,
                    numerator=_shown(entry.numerator),
                    denominator=_shown(entry.denominator),
                ),
            )
        elif entry.denominator == 0 and entry.numerator != 0:
            bad(
                "denominator",
                "a denominator of 0 needs a numerator of 0 (零办件: no cases that month)",
            )
    return problems


def _whole_cases(number: Decimal) -> bool:
    return number <= MOST_CASES and number == number.to_integral_value()


def _shown(number: Decimal | int) -> str:
    """A figure as a person reads it: 1E+999 rather than a thousand digits."""
    if isinstance(number, int) and len(str(number)) > 20:
        return str(Decimal(number).normalize())
    return str(number)


def date_problems(entry: Entry, today: date) -> list[Problem]:
    """An entry records what has happened: no date or month after today's."""
    problems = []
    if entry.date is not None and entry.date > today:
        problems.append(
            _problem(
                entry,
                "date",
                f"date {entry.date} is in the future; the latest allowed is today, {today}",
            )
        )
    elif entry.month > month_of(today):
        problems.append(
            _problem(
                entry,
                "month",
                f"month {entry.month} is in the future; the latest allowed is this month, "
                f"{month_of(today)}",
            )
        )
    elif entry.date is not None and entry.kind == "score" and entry.date > month_end(entry.month):
        problems.append(
            _problem(
                entry,
                "date",
                f"date {entry.date} is after the end of the entry's month {entry.month} "
                f"({month_end(entry.month)}); record it in the month it happened",
            )
        )
    return problems


def rate_of(entry: Entry) -> Decimal | None:
    """The entry's rate in percent, or None for a month with no cases (exempt)."""
    if entry.value is not None:
        return entry.value
    assert entry.numerator is not None and entry.denominator is not None
    if entry.denominator == 0:
        return None
    return entry.numerator * HUNDRED / entry.denominator


def review(
    entries: Iterable[Entry], catalog: Catalog, departments: Departments, today: date
) -> Book:
    """Validate a whole ledger (entries in ledger order) and keep what counts."""
    problems: list[Problem] = []
    by_id: dict[str, Entry] = {}
    ordered: list[Entry] = []
    for entry in entries:
        if entry.id in by_id:
            first = by_id[entry.id]
            problems.append(
                _problem(entry, "id", f"duplicate id {entry.id} (first at {first.where})")
            )
            continue
        by_id[entry.id] = entry
        ordered.append(entry)

    bad_ids: set[str] = set()
    voids: dict[str, Entry] = {}
    for entry in ordered:
        if entry.kind != "void":
            continue
        found = _void_problems(entry, by_id, voids, today)
        if found:
            problems.extend(found)
            bad_ids.add(entry.id)
        else:
            voids[entry.void] = entry  # type: ignore[index]
    voided = frozenset(voids)

    through: dict[str, str] = {}
    closes: dict[str, Entry] = {}
    order = {entry.id: number for number, entry in enumerate(ordered)}
    for entry in ordered:
        if entry.kind != "close" or entry.id in voided:
            continue
        # A close recorded before its entry was voided is moot, not wrong.
        voided_first = {
            target for target, void in voids.items() if order[void.id] < order[entry.id]
        }
        found = _close_problems(entry, by_id, voided_first, closes, catalog, today)
        if found:
            problems.extend(found)
            bad_ids.add(entry.id)
        else:
            closes[entry.close] = entry  # type: ignore[index]
            through[entry.close] = entry.through  # type: ignore[index,assignment]

    counted: list[Entry] = []
    rates: dict[tuple[str, str, str], Entry] = {}
    # A voided entry is out of every report, whatever was wrong with it.
    live = [e for e in ordered if e.kind == "score" and e.id not in voided]
    own = own_problems(live, catalog, departments, today)
    for entry in live:
        found = own.get(entry.id, [])
        department = departments.resolve(entry.department)
        clause = catalog.get(entry.clause)
        if not found and entry.ref:
            found = _ref_problems(entry, clause, by_id, voided, departments, own)  # type: ignore[arg-type]
        if not found and clause is not None and clause.kind == "rate":
            key = (clause.id, department.name, entry.month)  # type: ignore[union-attr]
            if key in rates:
                found = [
                    _problem(
                        entry,
                        "value",
                        f"a second {clause.id} rate for {key[1]} in {entry.month} "
                        f"(the first is {rates[key].id} at {rates[key].where}); void one of them",
                    )
                ]
            else:
                rates[key] = entry
        if found:
            problems.extend(found)
            bad_ids.add(entry.id)
            continue
        if department is not None and department.name != entry.department:
            entry = entry._replace(department=department.name)
        counted.append(entry)
    return Book(tuple(counted), through, voided, tuple(problems))


def sequence_gaps(
    files: Iterable[tuple[str, Sequence[str]]], unreadable: Collection[str] = ()
) -> list[Problem]:
    """A problem for each gap in a sequence of ids govscore numbered; `files`: (file, ids).

    govscore numbers each month's entries 0001, 0002 … (each clone of a shared ledger its
    own, ids ending in its tag), so a number missing from a sequence means an entry was
    removed, perhaps from every commit by an amend, a filter-branch or a force-push that
    `audit` cannot see. Hand-chosen ids that do not follow the pattern are left aside, and
    so are those of CSV files, which people write: govscore numbers past them, so a jump
    to the number after one is no gap. The problem names the file of the id after the gap.
    Months in `unreadable` (a file of theirs does not parse whole, so some ids are
    unknown) are left aside.
    """
    written: dict[tuple[str, str], dict[int, str]] = {}
    by_hand: dict[tuple[str, str], set[int]] = {}
    for file, ids in files:
        found = _numbered(file, ids)
        for (month, tag), numbers in found.items():
            if month in unreadable:
                continue
            if file.endswith(".toml"):  # the first file that has a number keeps it
                written[month, tag] = {
                    **dict.fromkeys(numbers, file),
                    **written.get((month, tag), {}),
                }
            else:
                by_hand.setdefault((month, tag), set()).update(numbers)
    problems = []
    for (month, tag), taken in sorted(written.items()):
        if len(taken) - (0 in taken) == max(taken):
            continue  # 1 … n, all there
        hand = by_hand.get((month, tag), set())
        previous = 0
        for number in sorted(taken):
            inside = sum(1 for n in hand if previous < n < number)
            count = number - previous - 1 - inside
            if count > 0 and number - 1 not in hand:
                first = previous + 1
                while first in hand:
                    first += 1
                missing = (first, number - 1, count)
                problems.append(_gap(month, tag, missing, previous, number, taken[number]))
            previous = max(previous, number)
    return problems


def _numbered(file: str, ids: Sequence[str]) -> dict[tuple[str, str], list[int]]:
    """The numbers of a file's numbered ids, by sequence (month, tag).

    A month file of a million entries holds a million ids of its own month: those are
    found by one regular expression over all of them, the rest one by one.
    """
    found: dict[tuple[str, str], list[int]] = {}
    text = "\n".join(ids)
    month = file.rsplit("/", 1)[-1][:7]
    if ids and text.count("\n") == len(ids) - 1 and re.fullmatch(r"\d{4}-\d{2}", month):
        plain = re.findall(rf"^{month}-(\d+)$", text, re.MULTILINE)
        if len(plain) == len(ids):
            return {(month, ""): list(map(int, plain))}
    for entry_id in ids:
        match = ID_SEQUENCE.match(entry_id)
        if match is not None:
            found.setdefault((match.group(1), match.group(3) or ""), []).append(int(match.group(2)))
    return found


def _gap(
    month: str, tag: str, missing: tuple[int, int, int], previous: int, number: int, file: str
) -> Problem:
    """`missing`: the first and last number missing, and how many are."""

    def named(n: int) -> str:
        return f"{month}-{n:04d}" + (f"-{tag}" if tag else "")

    first, last, count = missing
    if count == 1:
        what = _("id {id} is missing").format(id=named(first))
    else:
        what = _("ids {first} … {last} ({count} ids) are missing").format(
            first=named(first), last=named(last), count=count
        )
    if previous:
        where = _("{after} follows {before}").format(after=named(number), before=named(previous))
    else:
        where = _("the first id is {after}").format(after=named(number))
    message = _(
        "{missing}: govscore numbers the ids of {sequence} in sequence, and {where}; an entry "
        "was removed from the ledger or from its git history (`govscore audit --since TAG` "
        "compares the ledger with a published tag)"
    ).format(missing=what, sequence=sequence_name(month, tag or None), where=where)
    return Problem(file, 0, message, "id")


def _void_problems(
    entry: Entry, by_id: dict[str, Entry], voids: dict[str, Entry], today: date
) -> list[Problem]:
    problems = date_problems(entry, today)
    target = by_id.get(entry.void)  # type: ignore[arg-type]
    extra = [n for n in ("clause", "close", "through") if getattr(entry, n)]
    for name in extra:
        problems.append(_problem(entry, name, f"a void entry takes no {name}"))
    if target is None:
        problems.append(_problem(entry, "void", f"void of unknown entry {entry.void!r}"))
    elif target.kind == "void":
        problems.append(
            _problem(
                entry,
                "void",
                f"{entry.void} is itself a void; to restore an entry, record it again",
            )
        )
    elif entry.void in voids:
        first = voids[entry.void]  # type: ignore[index]
        problems.append(
            _problem(
                entry, "void", f"{entry.void} is already voided (by {first.id} at {first.where})"
            )
        )
    return problems


def _close_problems(
    entry: Entry,
    by_id: dict[str, Entry],
    voided: set[str],
    closes: dict[str, Entry],
    catalog: Catalog,
    today: date,
) -> list[Problem]:
    problems = date_problems(entry, today)
    target = by_id.get(entry.close)  # type: ignore[arg-type]
    if entry.through is None:
        problems.append(
            _problem(
                entry, "through", "a close entry needs through, the last month the entry stands"
            )
        )
    if target is None:
        problems.append(_problem(entry, "close", f"close of unknown entry {entry.close!r}"))
    elif entry.close in voided:
        problems.append(_problem(entry, "close", f"close of {entry.close}, which is voided"))
    elif target.kind != "score" or not target.recurring:
        problems.append(
            _problem(
                entry, "close", f"{entry.close} is not a recurring entry; only those are closed"
            )
        )
    elif entry.close in closes:
        first = closes[entry.close]  # type: ignore[index]
        problems.append(
            _problem(
                entry, "close", f"{entry.close} is already closed (by {first.id} at {first.where})"
            )
        )
    elif entry.through is not None and entry.through < target.month:
        problems.append(
            _problem(
                entry,
                "through",
                f"through {entry.through} is before {entry.close}'s month {target.month}",
            )
        )
    return problems


def _ref_problems(
    entry: Entry,
    clause: Clause,
    by_id: dict[str, Entry],
    voided: frozenset[str],
    departments: Departments,
    own: dict[str, list[Problem]],
) -> list[Problem]:
    """A follow-up must name an earlier, live entry of the same department and a clause it follows."""
    target = by_id.get(entry.ref)  # type: ignore[arg-type]
    msg = None
    if target is None:
        msg = f"ref {entry.ref!r} names no entry in the ledger"
    elif entry.ref in voided:
        msg = f"ref {entry.ref} names a voided entry"
    elif target.kind != "score":
        msg = f"ref {entry.ref} names a {target.kind} entry, not an incident"
    elif target.clause not in clause.ref:
        msg = (
            f"ref {entry.ref} is a {target.clause} entry; "
            f"clause {clause.id} follows up {'/'.join(clause.ref)}"
        )
    else:
        mine = departments.resolve(entry.department)
        theirs = departments.resolve(target.department)
        if mine is None or theirs is None or mine.name != theirs.name:
            msg = f"ref {entry.ref} is an entry of {target.department}, not of {entry.department}"
        elif target.month > entry.month:
            msg = f"ref {entry.ref} is of a later month ({target.month}) than this follow-up"
        elif own.get(target.id):
            msg = (
                f"ref {entry.ref} names an entry that does not count for problems of its own "
                f"(at {target.where}); mend that entry first"
            )
    if msg is None:
        return []
    return [_problem(entry, "ref", msg)]
