"""Validators: plain functions that look at entries and return problems, never raise.

`review` runs them all over a whole ledger and returns a Book: the entries that count
(valid, not voided, departments written in full), when each recurring entry was closed,
and every problem found. An entry with a problem does not count: a report never scores
evidence that `check` rejects.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence, Set
from dataclasses import dataclass, field
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal

from govscore.errors import Problem, did_you_mean
from govscore.i18n import _, listing
from govscore.model import (
    ID_SEQUENCE,
    MONTH_RE,
    MOST_CASES,
    MOST_COUNT,
    Entry,
    field_word,
    month_end,
    sequence_name,
)
from govscore.rules.catalog import Catalog, Clause, clause_matches
from govscore.rules.config import Department, Departments, tag_name
from govscore.written import read_whole

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Book:
    """The ledger as it counts: valid score entries, closes, voids, and the problems found."""

    entries: tuple[Entry, ...]
    through: dict[str, str] = field(default_factory=dict)
    voided: frozenset[str] = frozenset()
    problems: tuple[Problem, ...] = ()
    # Each idempotency key with the entry it stands for (see _holders): the one an
    # import or `add --key` skips on and names; the cache keeps it.
    keys: dict[str, Entry] = field(default_factory=dict)


def _problem(entry: Entry, field_name: str, message: str) -> Problem:
    return Problem(entry.file, entry.line, message, field_name, entry.id)


def score_entry_problems(entry: Entry, catalog: Catalog, departments: Departments) -> list[Problem]:
    """What is wrong with one score entry on its own (without looking at other entries)."""
    return [*static_problems(entry, catalog, departments), *date_problems(entry)]


def static_problems(entry: Entry, catalog: Catalog, departments: Departments) -> list[Problem]:
    """What is wrong with a score entry's department, clause and figures (not its date)."""
    department, named = _department_part(entry, departments)
    clause, figures = _clause_part(entry, catalog)
    named = [*named, *_span_part(entry, department)]
    return _problems(entry, figures, named, _applies_part(clause, department))


def _problems(entry: Entry, figures: Verdict, named: Verdict, both: Verdict) -> list[Problem]:
    """The parts' problems in the order static_problems has always reported them."""
    verdict = [*figures[:2], *named, *figures[2:], *both]
    return [_problem(entry, item[0], item[1]) for item in verdict if item is not None]


Verdict = list[tuple[str, str] | None]  # (field, message) of each problem in order; None: none


def department_problems(entry: Entry, departments: Departments) -> list[Problem]:
    """What is wrong with an entry's department alone (it needs no month's rules)."""
    _department, named = _department_part(entry, departments)
    return [_problem(entry, item[0], item[1]) for item in named if item is not None]


def _department_part(entry: Entry, departments: Departments) -> tuple[Department | None, Verdict]:
    if not entry.department:
        return None, [
            ("department", _("no department (every entry names one from departments.toml)"))
        ]
    department = departments.resolve(entry.department)
    if department is None:
        message = _("unknown department {name!r}{hint} (run `govscore departments` for the list)")
        hint = did_you_mean(departments.suggest(entry.department))
        return None, [("department", message.format(name=entry.department, hint=hint))]
    return department, []


def _span_part(entry: Entry, department: Department | None) -> Verdict:
    """A month outside the department's span (since/until in departments.toml): it is not
    assessed then, so an entry there scores nothing and is named, like an unknown name's."""
    refusal = None if department is None else out_of_span(department, entry.month)
    return [] if refusal is None else [("department", refusal)]


def out_of_span(department: Department, month: str) -> str | None:
    """What the door says of an entry of the department in a month outside its span, if
    the month is; `add`'s prompt says it before the rest is asked."""
    if department.assessed_in(month):
        return None
    message = _(
        "{name} is not assessed in {month}: departments.toml lists it {span} (since/until); "
        "record it in a month it is assessed, or correct its span"
    )
    return message.format(name=department.name, month=month, span=department.span())


def _clause_part(entry: Entry, catalog: Catalog) -> tuple[Clause | None, Verdict]:
    """The problems of everything but the department: reason/through first (always two
    places, None where fine), then the clause and its figures, by the month's own rules."""
    verdict: list[tuple[str, str] | None] = []
    for name in ("reason", "through"):
        if getattr(entry, name) is None:
            verdict.append(None)
            continue
        message = _("{field} belongs to a void or close entry, not to a clause entry")
        verdict.append((name, message.format(field=field_word(name))))
    if not entry.clause:
        verdict.append(("clause", _("no clause (every entry names a clause id such as 2.4.3)")))
        return None, verdict
    in_force = catalog.at(entry.month)  # the month's own rules (amendments)
    clause = in_force.get(entry.clause)
    if clause is None:
        absent = catalog.absent_reason(entry.clause, entry.month)
        under = [c.id for c in in_force if clause_matches(c.id, entry.clause)]
        if absent is None and under:  # 2.3: a part of the catalog, not one clause
            message = _("{id!r} is a part of the catalog, not a clause: give one of {ids}")
            absent = message.format(id=entry.clause, ids=listing(under))
        message = _("unknown clause {id!r}{hint} (run `govscore clauses` for the list)")
        hint = did_you_mean(in_force.suggest(entry.clause))
        verdict.append(("clause", absent or message.format(id=entry.clause, hint=hint)))
    else:
        found = [(p.field, p.message) for p in clause_problems(entry, clause)]
        if entry.recurring and not clause.recurring:  # a notice may have made it count once
            once = catalog.once_reason(entry.clause, entry.month)
            if once is not None:
                found = [(f, once if f == "recurring" else m) for f, m in found]
        verdict.extend(found)
    return clause, verdict


def _applies_part(clause: Clause | None, department: Department | None) -> Verdict:
    if clause is None or department is None or applies(clause, department):
        return []
    message = _(
        "clause {clause} applies only to departments tagged {tag}; {name} is not "
        "(if it should be: `govscore departments tag {name} {tag}`)"
    )
    tag, name = tag_name(clause.applies_to or ""), department.name
    return [("department", message.format(clause=clause.id, tag=tag, name=name))]


def applies(clause: Clause, department: Department) -> bool:
    """Whether a clause may be recorded against a department (its applies_to tag)."""
    return not clause.applies_to or clause.applies_to in department.tags


def own_problems(
    entries: Iterable[Entry], catalog: Catalog, departments: Departments
) -> dict[str, list[Problem]]:
    """score_entry_problems for many entries, each distinct combination judged once;
    entries without problems are left out of the result.

    A ledger repeats the same department, clause and figures thousands of times; the
    verdict on them is the same, only the place it is reported differs.
    """
    # Judged apart, so that 10,000 departments × their figures are not 10,000 × as many
    # verdicts: the department, the clause with its figures, and whether the two go together.
    named: dict[str, tuple[Department | None, Verdict]] = {}
    figured: dict[tuple[object, ...], tuple[Clause | None, Verdict]] = {}
    together: dict[tuple[int, str], Verdict] = {}
    out: dict[str, list[Problem]] = {}
    for entry in entries:
        key = (
            entry.clause,
            entry.count,
            # As written (1.0 and 1.00 are equal but shown apart); no figure is "None".
            str(entry.points),
            str(entry.value),
            str(entry.numerator),
            str(entry.denominator),
            entry.level,
            bool(entry.matter),
            bool(entry.ref),
            entry.recurring,
            entry.reason,
            entry.through,
            id(catalog.at(entry.month)),  # a month judged by other rules has its own verdict
        )
        # The memos' lookups are kept out of mutmut's run: turned off, each part is judged
        # afresh, with the same verdict.
        part = named.get(entry.department)  # pragma: no mutate (memo only)
        if part is None:
            part = named[entry.department] = _department_part(entry, departments)
        department, by_name = part
        if department is not None and department.dated:  # most are never dated: no list made
            by_name = [*by_name, *_span_part(entry, department)]
        found = figured.get(key)  # pragma: no mutate (memo only)
        if found is None:
            found = figured[key] = _clause_part(entry, catalog)
        clause, figures = found
        both: Verdict = []
        if clause is not None and department is not None:
            pair = (id(clause), department.name)  # the clause as the month's rules have it
            both = together.get(pair)  # type: ignore[assignment]  # pragma: no mutate (memo only)
            if both is None:
                both = together[pair] = _applies_part(clause, department)
        problems = _problems(entry, figures, by_name, both)
        problems += date_problems(entry)
        if problems:  # most entries have none: keep only those that do
            out[entry.id] = problems
    return out


def clause_problems(entry: Entry, clause: Clause) -> list[Problem]:
    """The fields a clause needs, and only those, with values it allows."""
    problems: list[Problem] = []

    def bad(field_name: str, message: str) -> None:
        problems.append(_problem(entry, field_name, message))

    cid = clause.id
    too_many = count_refusal(entry.count)
    if entry.count < 1:
        bad("count", _("count must be 1 or more, not {count}").format(count=entry.count))
    elif too_many is not None:
        bad("count", too_many)
    if entry.points is not None and clause.kind not in ("range", "discretionary"):
        levels = " / ".join(name for name, _points in clause.levels)
        hint = {
            "fixed": _("it is fixed at {points} per {unit}").format(
                points=clause.describe_points(), unit=clause.unit or _("unit")
            ),
            "levels": _("name a level instead: {levels}").format(levels=levels),
            "rate": _("give the rate with value, or numerator and denominator"),
            "veto": _("a veto has no points"),
        }[clause.kind]
        bad("points", _("clause {clause} takes no points: {hint}").format(clause=cid, hint=hint))
    if clause.kind == "range":
        if entry.points is None:
            message = _("clause {clause} needs points between {min} and {max}")
            bad("points", message.format(clause=cid, min=clause.min, max=clause.max))
        elif not clause.min <= entry.points <= clause.max:
            message = _("points {points} outside {min}–{max} for clause {clause}")
            bad(
                "points",
                message.format(points=entry.points, min=clause.min, max=clause.max, clause=cid),
            )
    if clause.kind == "discretionary":
        if entry.points is None:
            message = _("clause {clause} is discretionary: state the points (more than 0)")
            bad("points", message.format(clause=cid))
        elif entry.points <= 0:
            bad("points", _("points must be more than 0, not {points}").format(points=entry.points))
        elif clause.max is not None and entry.points > clause.max:
            # Named where it was set: a notice's [limits], else weights.toml (AZ F5).
            where = _("[limits] discretionary in weights.toml")
            if clause.ceiling_by is not None:
                number, source = clause.ceiling_by
                where = _("[limits] discretionary of notice {number}, {file}").format(
                    number=number, file=source
                )
            bad(
                "points",
                _(
                    "points {points} are above the ceiling of {ceiling} for discretionary "
                    "clause {clause} ({where})"
                ).format(points=_shown(entry.points), ceiling=clause.max, clause=cid, where=where),
            )
    if entry.points is not None and not in_tenths(entry.points):
        bad("points", _("points {points} are not in steps of 0.1").format(points=entry.points))
    if clause.kind == "levels":
        names = " / ".join(name for name, _points in clause.levels)
        if entry.level is None:
            message = _("clause {clause} needs a level: {levels}")
            bad("level", message.format(clause=cid, levels=names))
        elif clause.level_points(entry.level) is None:
            message = _("unknown level {level!r} for clause {clause}; allowed: {levels}")
            bad("level", message.format(level=entry.level, clause=cid, levels=names))
    elif entry.level is not None:
        bad("level", _("clause {clause} has no levels").format(clause=cid))
    problems.extend(_rate_problems(entry, clause))
    if entry.recurring and not clause.recurring:
        message = _(
            "clause {clause} cannot recur; only clauses marked recurring in "
            "`govscore clauses` stand monthly"
        )
        bad("recurring", message.format(clause=cid))
    if clause.ref and not entry.ref:
        message = _("clause {clause} is a {follow_up}: give ref, the id of the {clauses} entry")
        follow_up = {1: _("follow-up bonus"), 0: _("follow-up veto")}.get(
            clause.sign, _("follow-up")
        )
        bad("ref", message.format(clause=cid, follow_up=follow_up, clauses="/".join(clause.ref)))
    elif entry.ref and not clause.ref:
        bad("ref", _("clause {clause} is not a follow-up and takes no ref").format(clause=cid))
    if clause.exclusive:
        if not entry.matter:
            message = _("clause {clause} counts each matter once: name it with matter")
            bad("matter", message.format(clause=cid))
        if entry.count != 1:
            message = _("clause {clause} counts one matter per entry: count must be 1")
            bad("count", message.format(clause=cid))
    return problems


def in_tenths(points: Decimal) -> bool:
    """Whether points are a whole number of tenths, exactly, however large or long.

    (`points % STEP` raises for numbers past the context's precision, such as 1e30.)
    """
    _, digits, exponent = points.as_tuple()
    assert isinstance(exponent, int)  # points are finite: the reader refuses inf and nan
    below_tenths = -1 - exponent  # how many of the last digits stand below 0.1
    return below_tenths <= 0 or not any(digits[-below_tenths:])


def _rate_problems(entry: Entry, clause: Clause) -> list[Problem]:
    problems: list[Problem] = []

    def bad(field_name: str, message: str) -> None:
        problems.append(_problem(entry, field_name, message))

    given = [n for n in ("value", "numerator", "denominator") if getattr(entry, n) is not None]
    if clause.kind != "rate":
        for name in given:
            message = _("clause {clause} is not a rate and takes no {field}")
            bad(name, message.format(clause=clause.id, field=field_word(name)))
        return problems
    if entry.count != 1:
        message = _("clause {clause} is a rate: one value a month, no count")
        bad("count", message.format(clause=clause.id))
    if entry.value is not None:
        if entry.numerator is not None or entry.denominator is not None:
            message = _("give the rate either as value or as numerator and denominator, not both")
            bad("value", message)
        elif not 0 <= entry.value <= HUNDRED:
            message = _("rate {value} is not a percentage from 0 to 100")
            bad("value", message.format(value=entry.value))
    elif entry.numerator is None or entry.denominator is None:
        message = _(
            "clause {clause} is a rate: give value (a percentage) or numerator and denominator"
        )
        bad("value", message.format(clause=clause.id))
    else:
        if entry.numerator < 0 or entry.denominator < 0:
            bad("denominator", _("numerator and denominator cannot be negative"))
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
                _("a denominator of 0 needs a numerator of 0 (零办件: no cases that month)"),
            )
    return problems


def _whole_cases(number: Decimal) -> bool:
    return number <= MOST_CASES and number == number.to_integral_value()


def count_refusal(count: int | Decimal) -> str | None:
    """What the door says of a whole count above MOST_COUNT; None if it is not above.

    Said wherever a count is read too (`-n`, `add`'s prompt, an import's cell, a ledger's
    `count = 1e5000`), before a count past the bound is made an int: 1e5000000000 written
    out would take minutes and gigabytes, 1e5000 is past what Python writes as digits.
    """
    if count <= MOST_COUNT:
        return None
    if isinstance(count, Decimal):  # shown as an int count is: 20000, not 2E+4
        count = int(count) if count.adjusted() < _SHORT else count.normalize(_ANY_EXPONENT)
    message = _("count {count} is more than {most}, the most one entry may state")
    return message.format(count=_shown(count), most=MOST_COUNT)


def too_many(text: str) -> str | None:
    """Why a whole number written past the most one entry may state (10001, 1e5000) is no
    count, in the door's words; None if the text is no such number. Told from the number
    as read, never from its digits written out (see count_refusal)."""
    number = read_whole(text)
    return None if number is None else count_refusal(number)


_SHORT = 20  # digits of a whole figure shown whole; longer ones are shown as 1E+29
_ANY_EXPONENT = Context(Emax=MAX_EMAX, Emin=MIN_EMIN)  # 1E+5000000000 normalized, not Overflow


def _shown(number: Decimal | int) -> str:
    """A figure as a person reads it: 1E+999 rather than a thousand digits."""
    if isinstance(number, int) and abs(number) >= 10**_SHORT:
        return str(Decimal(number).normalize())
    return str(number)


def date_problems(entry: Entry) -> list[Problem]:
    """A score entry's date falls by the end of its own month (it does not depend on today:
    an entry in the ledger counts whatever day a report is asked; the door, rules/door.py,
    stops a date or month in the future when it is recorded)."""
    if entry.kind != "score" or entry.date is None or entry.date <= month_end(entry.month):
        return []
    return [
        _problem(
            entry,
            "date",
            _(
                "date {date} is after the end of the entry's month {month} ({end}); "
                "record it in the month it happened"
            ).format(date=entry.date, month=entry.month, end=month_end(entry.month)),
        )
    ]


def rate_of(entry: Entry) -> Decimal | None:
    """The entry's rate in percent, or None for a month with no cases (exempt)."""
    if entry.value is not None:
        return entry.value
    assert entry.numerator is not None  # a rate without both never passes validation
    assert entry.denominator is not None
    if entry.denominator == 0:
        return None
    return entry.numerator * HUNDRED / entry.denominator


def review(entries: Iterable[Entry], catalog: Catalog, departments: Departments) -> Book:
    """Validate a whole ledger (entries in ledger order) and keep what counts."""
    by_id, ordered, problems, firsts = _unique(entries)
    voids, void_problems = _voids(ordered, by_id)
    problems += void_problems
    voided = frozenset(voids)

    through: dict[str, str] = {}
    closes: dict[str, Entry] = {}
    order = {entry.id: number for number, entry in enumerate(ordered)}
    for entry in ordered:
        if entry.kind != "close" or entry.id in voided:
            continue
        # A close recorded before its entry was voided is moot, not wrong. (Only the
        # close's own target matters: asked of every void, a province's thousands of
        # closes and voids took seconds.)
        void = voids.get(entry.close)  # type: ignore[arg-type]
        voided_first = (
            {entry.close}
            if void is not None
            and order[void.id] < order[entry.id]  # pragma: no mutate (or <=: never one place)
            else set()
        )
        found = _close_problems(entry, by_id, voided_first, closes)
        if found:
            problems.extend(found)
        else:
            closes[entry.close] = entry  # type: ignore[index]
            through[entry.close] = entry.through  # type: ignore[index,assignment]

    counted: list[Entry] = []
    rates: dict[tuple[str, str, str], Entry] = {}
    # A voided entry is out of every report, whatever was wrong with it.
    live = [e for e in ordered if e.kind == "score" and e.id not in voided]
    keys = _holders(firsts, live)
    own = own_problems(live, catalog, departments)
    # A second live entry under a key is a problem of its own line, known before any
    # follow-up is judged: one naming it follows an entry that does not count.
    seconds = {e.id: keys[e.key] for e in live if e.key is not None and keys[e.key] is not e}
    for entry in live:
        if entry.id in seconds and entry.id not in own:
            own[entry.id] = [_key_used(entry, seconds[entry.id])]
    for entry in live:
        found = own.get(entry.id)
        department = departments.resolve(entry.department)
        clause = catalog.at(entry.month).get(entry.clause)
        if not found and entry.ref:
            found = _ref_problems(entry, clause, by_id, voided, departments, own, seconds)  # type: ignore[arg-type]
        if not found and clause is not None and clause.kind == "rate":
            key = (clause.id, department.name, entry.month)  # type: ignore[union-attr]
            if key in rates:
                found = [
                    _problem(
                        entry,
                        "value",
                        _(
                            "a second {clause} rate for {name} in {month} "
                            "(the first is {id} at {where}); void one of them"
                        ).format(
                            clause=clause.id,
                            name=key[1],
                            month=entry.month,
                            id=rates[key].id,
                            where=rates[key].where,
                        ),
                    )
                ]
            else:
                rates[key] = entry
        if found:
            problems.extend(found)
            continue
        # An entry without problems has a known department.
        if department.name != entry.department:  # type: ignore[union-attr]
            entry = entry._replace(department=department.name)  # type: ignore[union-attr]
        counted.append(entry)
    return Book(tuple(counted), through, voided, tuple(problems), keys)


def _unique(
    entries: Iterable[Entry],
) -> tuple[dict[str, Entry], list[Entry], list[Problem], dict[str, Entry]]:
    """Each id's first entry, those entries in ledger order, a problem for each later
    entry that takes an id again, and each key's first entry (whatever its id)."""
    problems: list[Problem] = []
    by_id: dict[str, Entry] = {}
    ordered: list[Entry] = []
    firsts: dict[str, Entry] = {}
    for entry in entries:
        if entry.key is not None and entry.key not in firsts:
            firsts[entry.key] = entry
        if entry.id in by_id:
            first = by_id[entry.id]
            message = _("duplicate id {id} (first at {where})")
            problems.append(_problem(entry, "id", message.format(id=entry.id, where=first.where)))
            continue
        by_id[entry.id] = entry
        ordered.append(entry)
    return by_id, ordered, problems, firsts


def _voids(
    ordered: Sequence[Entry], by_id: dict[str, Entry]
) -> tuple[dict[str, Entry], list[Problem]]:
    """The entries voided (id → the void that does it), and the voids that do nothing.

    A void that does nothing (one filed in the wrong month, or naming no entry) stays in
    the ledger once committed, a problem in every report: a void of it retires it, its
    problems with it; two clerks who each retired it did no harm (review BP F5). A void
    that names a void itself is never retired (so no chain of voids restores anything)."""
    voids, found = _void_pass(ordered, by_id, frozenset())

    def names_a_void(entry: Entry) -> bool:
        target = by_id.get(entry.void)  # type: ignore[arg-type]
        return target is not None and target.kind == "void"

    idle = {void_id for void_id in found if not names_a_void(by_id[void_id])}
    if any(e.kind == "void" and e.void in idle for e in ordered):
        voids, found = _void_pass(ordered, by_id, idle)
    return voids, [p for void_id, own in found.items() if void_id not in voids for p in own]


def _void_pass(
    ordered: Sequence[Entry], by_id: dict[str, Entry], idle: Set[str]
) -> tuple[dict[str, Entry], dict[str, list[Problem]]]:
    """The entries voided, and each void that does nothing with its problems."""
    found: dict[str, list[Problem]] = {}
    voids: dict[str, Entry] = {}
    for entry in ordered:
        if entry.kind != "void":
            continue
        problems = _void_problems(entry, by_id, voids, idle)
        if problems:
            found[entry.id] = problems
        else:  # (the first void stands: only a void retired twice is voided twice)
            voids.setdefault(entry.void, entry)  # type: ignore[arg-type]
    return voids, found


def _holders(firsts: dict[str, Entry], live: Iterable[Entry]) -> dict[str, Entry]:
    """A key stands for its first live entry (ledger order), a later live one being a
    problem: a clerk who voids the first of two entries booked twice (either copy)
    keeps the incident counted once, by the second. A key none of whose entries is
    live stays with its first entry, voided or not: it is not booked again."""
    keys: dict[str, Entry] = {}
    for entry in live:
        if entry.key is not None and entry.key not in keys:
            keys[entry.key] = entry
    for key, entry in firsts.items():
        keys.setdefault(key, entry)
    return keys


def _key_used(entry: Entry, first: Entry) -> Problem:
    """A second entry under a key: the same incident booked twice (two clones each ran the
    same keyed import, and git's union merge kept both), which the key exists to prevent.
    The first live one counts; voiding the second settles it. A follow-up naming the
    second does not count either, and holds off its void (it would name a voided entry):
    it is voided first, and recorded again naming the first. (The message does not name
    the follow-ups: voiding one would change it, and `void` refuses a change it causes.)"""
    message = _(
        "key {key!r} is already used by {id} ({where}): the same entry booked twice "
        "(a keyed import or `add --key` run in two clones, then merged?); it does not "
        "count, nor does a follow-up naming it; void {this} if it is the same incident, "
        "or void it and record it again under a key of its own; void a follow-up naming "
        "it first, and record that again naming {id} (or the entry recorded again)"
    )
    text = message.format(key=entry.key, id=first.id, where=first.where, this=entry.id)
    return _problem(entry, "key", text)


# The numbers of a file's numbered ids, by sequence: (month, clone tag or "") → numbers.
Numbers = dict[tuple[str, str], list[int]]


def sequence_gaps(
    files: Iterable[tuple[str, Sequence[str]]],
    unreadable: Collection[str] = (),
    numbered: Iterable[tuple[str, Numbers]] = (),
) -> list[Problem]:
    """A problem for each gap in a sequence of ids govscore numbered; `files`: (file, ids).

    govscore numbers each month's entries 0001, 0002 … (each clone of a shared ledger its
    own, ids ending in its tag), so a number missing from a sequence means an entry was
    removed, perhaps from every commit by an amend, a filter-branch or a force-push that
    `audit` cannot see. Hand-chosen ids that do not follow the pattern are left aside, and
    so are those of CSV files, which people write: govscore numbers past them, so a jump
    to the number after one is no gap. The problem names the file of the id after the gap.
    Months in `unreadable` (a file of theirs does not parse whole, so some ids are
    unknown) are left aside. `numbered`: (file, numbers) of files whose ids were numbered
    where they were read (numbered_ids, in a worker), each taken with its file in
    `files`, so the file named is the first in ledger order however its ids were read.
    """
    written: dict[tuple[str, str], dict[int, str]] = {}
    by_hand: dict[tuple[str, str], set[int]] = {}
    # In ledger order, each file's numbered ids right after its others: which file is
    # first to hold a number must not depend on how its entries were read.
    later: dict[str, list[Numbers]] = {}
    for file, numbers in numbered:
        later.setdefault(file, []).append(numbers)
    found_in: list[tuple[str, Numbers]] = []
    for file, ids in files:
        month = file.rsplit("/", 1)[-1][:7]  # pragma: no mutate (the quick way only)
        found_in.append((file, numbered_ids(ids, month)))
        found_in += [(file, numbers) for numbers in later.pop(file, [])]
    found_in += [(file, numbers) for file, each in later.items() for numbers in each]
    for file, found in found_in:
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
                first = next(n for n in range(previous + 1, number) if n not in hand)
                missing = (first, number - 1, count)
                problems.append(_gap(month, tag, missing, previous, number, taken[number]))
            previous = max(previous, number)
    return problems


def numbered_ids(ids: Sequence[str], month: str) -> Numbers:
    """The numbers of a file's numbered ids, by sequence (month, tag); `month` is the
    file's (a name that is no month only turns the quick way off).

    A month file of a million entries holds a million ids of its own month: those are
    found by one regular expression over all of them, the rest one by one.
    """
    found: Numbers = {}
    # The joined text is kept out of mutmut's run: changed, it only turns the fast path
    # off, and the one-by-one path finds the same numbers.
    text = "\n".join(ids)  # pragma: no mutate (fast path only)
    # Fewer newlines than ids: there are ids, and none holds one (n joined hold n - 1).
    if text.count("\n") < len(ids) and MONTH_RE.match(month):
        plain = re.findall(
            rf"^{month}-(\d+)$",
            text,
            re.MULTILINE,  # pragma: no mutate (fast path only)
        )
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
        "was removed from the ledger or from its git history"
    ).format(missing=what, sequence=sequence_name(month, tag or None), where=where)
    return Problem(file, 0, message + audit_hint(), "id")


def audit_hint() -> str:
    """What a gap's message tells the clerk to run; a report sent upward leaves it out
    (govscore.report.page.reported)."""
    return _(" (`govscore audit --since TAG` compares the ledger with a published tag)")


def _void_problems(
    entry: Entry,
    by_id: dict[str, Entry],
    voids: dict[str, Entry],
    idle: Set[str] = frozenset(),
) -> list[Problem]:
    """`idle`: voids that void nothing, which a void may retire (see _voids)."""
    problems: list[Problem] = []
    target = by_id.get(entry.void)  # type: ignore[arg-type]
    extra = [n for n in ("clause", "close", "through") if getattr(entry, n)]
    for name in extra:
        message = _("a void entry takes no {field}").format(field=field_word(name))
        problems.append(_problem(entry, name, message))
    if target is None:
        message = _("void of unknown entry {id!r}").format(id=entry.void)
        problems.append(_problem(entry, "void", message))
    elif target.month > entry.month:
        problems.append(_problem(entry, "void", _named_later(entry, target)))
    elif target.kind == "void" and target.id not in idle:
        message = _("{id} is itself a void; to restore an entry, record it again")
        problems.append(_problem(entry, "void", message.format(id=entry.void)))
    elif entry.void in voids and entry.void not in idle:  # retired twice: no harm
        first = voids[entry.void]  # type: ignore[index]
        message = _("{id} is already voided (by {by} at {where})")
        problems.append(
            _problem(entry, "void", message.format(id=entry.void, by=first.id, where=first.where))
        )
    return problems


def _named_later(entry: Entry, target: Entry) -> str:
    """A void or close filed in a month before the entry it names: it cannot have been
    recorded before that entry was (`void` and `close` file it in the entry's month)."""
    if entry.kind == "void":
        message = _(
            "void of {id}, an entry of a later month ({month}, at {where}): a void cannot "
            "come before the entry it names, and voids nothing; it is written in the month "
            "file of that entry or a later one"
        )
    else:
        message = _(
            "close of {id}, an entry of a later month ({month}, at {where}): a close "
            "cannot come before the entry it names, and closes nothing; it is written in the "
            "month file of that entry or a later one"
        )
    return message.format(id=target.id, month=target.month, where=target.where)


def _close_problems(
    entry: Entry,
    by_id: dict[str, Entry],
    voided: set[str],
    closes: dict[str, Entry],
) -> list[Problem]:
    problems: list[Problem] = []
    target = by_id.get(entry.close)  # type: ignore[arg-type]
    if entry.through is None:
        message = _("a close entry needs through, the last month the entry stands")
        problems.append(_problem(entry, "through", message))
    if target is None:
        message = _("close of unknown entry {id!r}").format(id=entry.close)
        problems.append(_problem(entry, "close", message))
    elif target.month > entry.month:
        problems.append(_problem(entry, "close", _named_later(entry, target)))
    elif entry.close in voided:
        message = _("close of {id}, which is voided").format(id=entry.close)
        problems.append(_problem(entry, "close", message))
    elif target.kind != "score" or not target.recurring:
        message = _("{id} is not a recurring entry; only those are closed").format(id=entry.close)
        problems.append(_problem(entry, "close", message))
    elif entry.close in closes:
        first = closes[entry.close]  # type: ignore[index]
        message = _("{id} is already closed (by {by} at {where})")
        problems.append(
            _problem(entry, "close", message.format(id=entry.close, by=first.id, where=first.where))
        )
    elif entry.through is not None and entry.through < target.month:
        message = _("through {through} is before {id}'s month {month}").format(
            through=entry.through, id=entry.close, month=target.month
        )
        problems.append(_problem(entry, "through", message))
    return problems


def _ref_problems(
    entry: Entry,
    clause: Clause,
    by_id: dict[str, Entry],
    voided: frozenset[str],
    departments: Departments,
    own: dict[str, list[Problem]],
    seconds: dict[str, Entry] | None = None,
) -> list[Problem]:
    """A follow-up must name an earlier, live entry of the same department and a clause it
    follows, one that counts. `seconds`: second entries under a key, with the key's entry."""
    target = by_id.get(entry.ref)  # type: ignore[arg-type]
    msg = None
    if target is None:
        msg = _("ref {ref!r} names no entry in the ledger").format(ref=entry.ref)
    elif entry.ref in voided:
        msg = _("ref {ref} names a voided entry").format(ref=entry.ref)
    elif target.kind != "score":
        kind = _("a void") if target.kind == "void" else _("a close")
        msg = _("ref {ref} names {kind} entry, not an incident").format(ref=entry.ref, kind=kind)
    elif target.clause not in clause.ref:
        msg = _("ref {ref} is a {target} entry; clause {clause} follows up {clauses}").format(
            ref=entry.ref, target=target.clause, clause=clause.id, clauses="/".join(clause.ref)
        )
    else:
        mine = departments.resolve(entry.department)
        theirs = departments.resolve(target.department)
        if mine is None or theirs is None or mine.name != theirs.name:
            msg = _("ref {ref} is an entry of {theirs}, not of {mine}").format(
                ref=entry.ref, theirs=target.department, mine=entry.department
            )
        elif target.month > entry.month:
            msg = _("ref {ref} is of a later month ({month}) than this follow-up").format(
                ref=entry.ref, month=target.month
            )
        elif seconds and target.id in seconds:
            first = seconds[target.id]
            msg = _(
                "ref {ref} names an entry that does not count: a second entry under key "
                "{key!r}, which stands for {id} ({where}); name {id} instead (a follow-up "
                "already recorded: void it and record it again with ref {id})"
            ).format(ref=entry.ref, key=target.key, id=first.id, where=first.where)
        elif own.get(target.id):
            msg = _(
                "ref {ref} names an entry that does not count for problems of its own "
                "(at {where}); mend that entry first"
            ).format(ref=entry.ref, where=target.where)
    if msg is None:
        return []
    return [_problem(entry, "ref", msg)]
