"""At a terminal, `add` asks for whatever decides the score and was not given.

Each answer is checked as it is typed: a department name at once (offering the nearest
names), a clause id against the catalog (a prefix such as 2.4 lists the clauses under
it), a date against the month. What was typed is shown on one line and confirmed before
it goes into the append-only ledger. Prompts go to stderr, so stdout still carries only
the new id. Without a terminal nothing here runs: cron jobs never wait for input.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import click

from govscore.cli.options import COUNT, DATE, MONTH, NUMBER
from govscore.errors import DataError, Problem, did_you_mean
from govscore.figures import plain
from govscore.i18n import Worded, _, either, english, listing
from govscore.ledger.loader import Root
from govscore.ledger.recording import rejected_entry
from govscore.model import FIELD_WORDS, Entry, month_of
from govscore.rules.amendments import RuleBook
from govscore.rules.catalog import Catalog, Clause
from govscore.rules.config import Department, tag_name
from govscore.rules.door import (
    above_denominator,
    door_problems,
    exclusive_problems,
    fraction_meant,
    when_problems,
)
from govscore.rules.lookup import Lookup
from govscore.rules.validate import applies, clause_problems, out_of_span
from govscore.written import fold, read_number, yearless

SHORT_TEXT = 28  # characters of a clause's text shown in the list


def ask_missing(
    root: Root,
    fields: dict[str, Any],
    day: date | None,
    month: str | None,
    today: date,
    lookup: Callable[[], Lookup],
    force: bool,
    refused: Callable[[dict[str, Any], date | None, str], None],
) -> tuple[date | None, str | None, tuple[str, ...]]:
    """Fill in `fields` by asking; returns the date and month, asked for when missing, and
    the fields the clerk chose told what they mean (Draft.chosen: not warned of again).
    `refused` raises what the whole door would say of the entry (nothing written), just
    before the confirmation.

    The month comes before the clause: the clauses offered, and the points shown beside
    them, are those in force that month (an amendment may change them from a later date).
    A month or date the door would refuse (before the measures, ahead of time) is asked
    again at once, unless `force`: the clerk hears it before typing the rest; a month
    outside the department's span (since/until) too, `force` or not. So is what
    the ledger would refuse of the entry beside the others (a second rate of the month, a
    matter counted already at that level): the clerk never confirms an entry that is
    then refused.
    """
    asked_before = _ASKED[0]
    lookup = cache(lookup)  # the whole ledger, read once, and only if it is needed
    known = None if month is None and day is None else month or month_of(day)  # type: ignore[arg-type]
    if known is not None:
        # A month or date given that the door refuses stops here, before any question
        # (before the measures, ahead of time, a date outside its month; review Y F1).
        given = Entry(id="", month=known, date=day)
        refusals = door_problems(given, None, today, force)[0]
        if refusals:
            raise rejected_entry(refusals)
    department = _department(root, fields, known)
    if month is None and day is None:
        month = _month(today, force, department)
    given = fields.get("clause")
    if given and month is not None:
        # What the clause given decides stops before the date is asked, not after another
        # answer (review W F4, Y F10 d).
        found = root.catalog.at(month).get(fold(given))
        _given_clause(found, department, month, lookup)
        if found is not None:
            _given_whole(root.catalog, found, fields, department, month, lookup)
    if day is None:
        day = _date(month, today, force)  # type: ignore[arg-type]
    month = month or month_of(day)  # type: ignore[arg-type]
    clause = _clause(root, fields, department, month, lookup)
    # A follow-up with nothing to follow up stops here, not after every other answer.
    originals = _originals(clause, department, month, lookup()) if _asks_ref(clause, fields) else []
    unasked = {name for name in ("level", "points", "matter") if not fields.get(name)}
    chosen: set[str] = set()
    _figures(clause, fields, force, chosen)
    if clause.exclusive:
        _matter(root.catalog, clause, fields, department, month, lookup, unasked, force)
    if _asks_ref(clause, fields):
        fields["ref"] = _ref(clause, department, originals)
    if clause.recurring and not fields.get("recurring"):
        # 3.1.3 deducts every month from the month it was due (until_closed): 是 offered.
        # 否 is the clerk's choice at the question, not warned of after (review Y F10 f).
        question = _("does it stand every month until closed (recurring)?")
        fields["recurring"] = confirm(question, default=clause.until_closed)
        chosen.add("recurring")
    if fields.get("note") is None:
        fields["note"] = _ask(_("note (optional)"), default="", show_default=False) or None
    if _ASKED[0] > asked_before:
        refused(fields, day, month)
    if _ASKED[0] > asked_before and not confirm(
        _("record {summary}?").format(summary=_summary(fields, department, clause, month, day)),
        default=True,
    ):
        raise DataError(_("not recorded; nothing was written"))
    return day, month, tuple(sorted(chosen))


# Prompts shown so far: `add` confirms what was typed at its prompts before writing it to
# the append-only ledger, but not an entry typed whole on the command line.
_ASKED = [0]


def _ask(
    label: str,
    kind: click.ParamType | None = None,
    hint: Callable[[str], str | None] | None = None,
    **options: Any,
) -> Any:
    """The answer, read by `kind`. One it does not read is said as every refusal at these
    prompts is, the reason alone (click would put 错误：or 值无效：before some), or as
    `hint` says of it, and asked again."""
    _ASKED[0] += 1
    while True:
        # After the question, its language's colon (问题：, question: ), click's default
        # suffix being the ASCII one (review BH J1).
        suffix = _(": ")
        written = click.prompt(label, type=click.STRING, err=True, prompt_suffix=suffix, **options)
        if kind is None:
            return written
        try:
            return kind.convert(written, None, None)
        except click.BadParameter as exc:
            click.echo((hint(written) if hint else None) or exc.message, err=True)


def _summary(
    fields: dict[str, Any],
    department: Department | None,
    clause: Clause,
    month: str,
    day: date | None,
) -> str:
    """The entry on one line, each field in the reader's words; the clause with its points
    that month."""
    shown = {**fields, "month": month, "date": day}
    if department is not None:
        shown["department"] = department.name  # as the ledger keeps it, not as typed
    shown["clause"] = f"{clause.id}{_points_worth(clause, shown.get('level'))}"
    shown["recurring"] = _("yes") if shown.get("recurring") else None
    if shown.get("value") is not None:  # a rate is in percent (95.5%, not 95.5)
        shown["value"] = f"{plain(shown['value'])}%"
    parts = [
        f"{name if english() else FIELD_WORDS[name]} {_plain(shown[name])}"
        for name in SUMMARY
        if shown.get(name) is not None
    ]
    return listing(parts)


SUMMARY = (
    "department",
    "clause",
    "month",
    "date",
    "count",
    "points",
    "level",
    "value",
    "numerator",
    "denominator",
    "matter",
    "ref",
    "recurring",
    "note",
)


# The catalog's units in English, for an English confirmation line (2 per month, not
# 2 per 月); one not here (an amendment's own) is shown as the catalog writes it.
UNITS = {
    "件次": "occurrence",
    "次": "instance",
    "项": "item",
    "月": "month",
    "篇": "article",
    "个": "unit",
}


def _points_worth(clause: Clause, level: str | None = None) -> str:
    """The clause's points as the confirmation shows them, with what they count (每件次
    1 分), so that a bare figure beside the clause does not read as the count; of a
    levels clause, the chosen level's points (国家级: 每项 10 分; review Y F10 h)."""
    points = clause.describe_points()
    chosen = None if level is None else clause.level_points(level)
    if chosen is not None:
        points = plain(chosen)
    if clause.kind in ("fixed", "range") or (chosen is not None and clause.unit):
        text = _(" (points: {points} per {unit})").format(points=points, unit=_unit(clause))
    elif clause.kind in ("levels", "rate", "discretionary"):
        text = _(" (points: {points})").format(points=points)
    else:
        text = _(" ({points})").format(points=points)
    return text


def _unit(clause: Clause) -> str:
    """What the clause counts, in the reader's words (件次; occurrence in English)."""
    if not clause.unit:
        return _("unit")
    if english():
        return Worded(UNITS.get(clause.unit, clause.unit), clause.unit)
    return clause.unit


def _plain(value: Any) -> str:
    return plain(value) if isinstance(value, Decimal) else str(value)


class YesNo(click.ParamType):
    """An answer of yes or no, as a Chinese clerk types it (是, 否) or an English one (y, n)."""

    name = "yes/no"
    YES = frozenset({"y", "yes", "是", "是的", "对", "要"})
    NO = frozenset({"n", "no", "否", "不", "不是", "不要"})

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> bool:
        if isinstance(value, bool):
            return value
        answer = fold(str(value)).strip().lower()
        if not answer:
            return None  # Enter: the question's default
        if answer in self.YES:
            return True
        if answer in self.NO:
            return False
        self.fail(_("{value!r}: answer 是 or 否 (y or n)").format(value=value), param, ctx)


def confirm(question: str, default: bool = False) -> bool:
    """click.confirm, answered in Chinese or English: the choices shown in the reader's words."""
    choices = _("[y/N]") if not default else _("[Y/n]")
    answer = _ask(f"{question} {choices}", YesNo(), default="", show_default=False)
    return default if answer is None else bool(answer)


def _department(root: Root, fields: dict[str, Any], month: str | None) -> Department | None:
    """The department given, else asked for; a name that does not resolve is asked again.
    With the month given, a department not assessed in it (since/until) is refused too:
    one given stops here, before any question; one typed is asked again (review AX F2)."""
    written = fields.get("department")
    if written:
        found = root.departments.resolve(written)
        refusal = None if found is None or month is None else out_of_span(found, month)
        if refusal is not None:
            raise _stop(refusal, "department")
        if found is not None:
            return found
        _unknown_department(root, written)
    names = [_with_span(d) for d in root.departments]
    click.echo(_("departments: {names}").format(names="、".join(names)), err=True)
    while True:
        written = _ask(_("department (-d)"))
        found = root.departments.resolve(written)
        if found is not None and month is not None and not found.assessed_in(month):
            message = _(
                "{name} is not assessed in {month}: departments.toml lists it {span} "
                "(since/until); choose a department assessed in {month}"
            )
            click.echo(message.format(name=found.name, month=month, span=found.span()), err=True)
            continue
        if found is not None:
            fields["department"] = found.name
            return found
        _unknown_department(root, written)


def _with_span(department: Department) -> str:
    """A department as the prompt lists it: with its months when departments.toml gives
    them (市大数据局（2023-08 起）), so that the clerk sees them before choosing."""
    span = department.span()
    return _("{name} ({span})").format(name=department.name, span=span) if span else department.name


def _unknown_department(root: Root, written: str) -> None:
    close = root.departments.suggest(written)
    if close:
        message = _("unknown department {name}; did you mean {names}?")
    else:
        message = _("unknown department {name}; choose one of those listed")
    click.echo(message.format(name=repr(written), names=either(close)), err=True)


def _clause(
    root: Root,
    fields: dict[str, Any],
    department: Department | None,
    month: str,
    lookup: Callable[[], Lookup],
) -> Clause:
    """The clause given, else asked for: the list of the month's clauses first; a prefix
    (2.4) narrows it, given with -c too (review Y F10 e). A clause not in force that month
    is said why and asked again, and so is a rate the department has that month already
    (a given one stops here)."""
    catalog = root.catalog.at(month)
    choices = [c for c in catalog if department is None or applies(c, department)]
    given = fold(fields.get("clause") or "").rstrip(".")
    narrowed = [c for c in choices if given and c.id.startswith(given + ".")]
    if given:
        found = catalog.get(given)
        if found is not None:
            _given_clause(found, department, month, lookup)
            return found
        if not narrowed:
            _unknown_clause(root, given, month, department)
    _list_clauses(root, month, narrowed or choices)
    while True:
        written = _ask(_("clause (-c; an id, or a prefix such as 2.4 to narrow the list)"))
        written = fold(written).rstrip(".")  # ２．４．３ is 2.4.3
        found = catalog.get(written)
        if found is not None and department is not None and not applies(found, department):
            click.echo(_not_tagged(found, department), err=True)
            continue
        booked = None if found is None else _rate_booked(found, department, month, lookup)
        if booked is not None:
            click.echo(booked, err=True)
            continue
        if found is not None:
            fields["clause"] = found.id
            return found
        narrowed = [c for c in choices if c.id.startswith(written + ".")]
        if narrowed:
            _list_clauses(root, month, narrowed)
            continue
        _unknown_clause(root, written, month, department)


def _given_clause(
    clause: Clause | None,
    department: Department | None,
    month: str,
    lookup: Callable[[], Lookup],
) -> None:
    """A clause given on the command line that the door refuses stops `add` (nothing to
    ask again): one for a tag the department lacks (review Y F2), a month's second rate."""
    if clause is None:
        return
    if department is not None and not applies(clause, department):
        raise _stop(_not_tagged(clause, department), "clause")
    booked = _rate_booked(clause, department, month, lookup)
    if booked is not None:
        raise _stop(booked, "clause")


def _given_whole(
    catalog: Catalog,
    clause: Clause,
    fields: dict[str, Any],
    department: Department | None,
    month: str,
    lookup: Callable[[], Lookup],
) -> None:
    """What the command line decides of a clause's entry before the date is asked: a
    follow-up with nothing to follow up, a matter given with its level (or points) that
    counts already, stop `add` there ("stops as soon as the clause is known")."""
    if _asks_ref(clause, fields):
        _originals(clause, department, month, lookup())
    if clause.exclusive and fields.get("matter"):
        # None while the level or points are still to be asked: their answer decides.
        refusal = _adds_nothing(catalog, clause, fields, department, month, lookup)
        if refusal is not None:
            raise _stop(refusal, "matter")


def _stop(message: str, field: str) -> DataError:
    """What stops `add` at the prompt, nothing written: said as the door says it."""
    return rejected_entry([Problem("", 0, message, field)])


def _not_tagged(clause: Clause, department: Department) -> str:
    """As the door says it, with the command that tags the department."""
    message = _(
        "clause {clause} applies only to departments tagged {tag}; {name} is not "
        "(if it should be: `govscore departments tag {name} {tag}`)"
    )
    tag = tag_name(clause.applies_to or "")
    return message.format(clause=clause.id, tag=tag, name=department.name)


def _rate_booked(
    clause: Clause, department: Department | None, month: str, lookup: Callable[[], Lookup]
) -> str | None:
    """Why a rate clause cannot be recorded for the department in the month: it has that
    rate already (one a month: the ledger refuses a second). None when it can."""
    if clause.kind != "rate" or department is None:
        return None
    for entry in lookup().book.entries:  # the ledger as it counts: voided ones are out
        if (entry.month, entry.clause, entry.department) == (month, clause.id, department.name):
            message = _(
                "{name} has a {clause} rate in {month} already ({id}): a department has one "
                "rate of a clause a month, so another would be refused. To correct it, void "
                "{id} first (`govscore void {id} --reason …`); else choose another clause"
            )
            return message.format(name=department.name, clause=clause.id, month=month, id=entry.id)
    return None


def _unknown_clause(
    root: Root, written: str, month: str, department: Department | None = None
) -> None:
    """Why the clause cannot be recorded in the month: retired or not yet in force, a
    prefix whose clauses are all for a tag the department lacks (2.3), else unknown
    (with the month's nearest ids)."""
    absent = root.catalog.absent_reason(written, month)
    if absent is not None:
        click.echo(absent, err=True)
        return
    tagged = [c for c in root.catalog.at(month) if c.id.startswith(written + ".")]
    if tagged and department is not None:
        message = _(
            "clauses {clauses} apply only to departments tagged {tag}; {name} is not "
            "(if it should be: `govscore departments tag {name} {tag}`)"
        )
        for tag in dict.fromkeys(c.applies_to for c in tagged if c.applies_to):
            ids = listing([c.id for c in tagged if c.applies_to == tag])
            said = message.format(clauses=ids, tag=tag_name(tag), name=department.name)
            click.echo(said, err=True)
        return
    hint = did_you_mean(root.catalog.at(month).suggest(written))
    click.echo(_("unknown clause {clause}{hint}").format(clause=repr(written), hint=hint), err=True)


def _list_clauses(root: Root, month: str, clauses: list[Clause]) -> None:
    """The clauses, id and short text, with their points that month; which version of
    the rules is in force is said first where the root has amendments."""
    book = root.catalog
    if isinstance(book, RuleBook) and len(book.versions) > 1:
        version = book.version_for(month)
        click.echo(
            _("{month}: the catalog in force from {effective} ({number})").format(
                month=month, effective=version.effective, number=version.number
            ),
            err=True,
        )
    for clause in clauses:
        text = clause.text
        if len(text) > SHORT_TEXT:
            text = text[: SHORT_TEXT - 1] + "…"
        click.echo(f"  {clause.id:<7} {text}  ({clause.describe_points()})", err=True)


def _month(today: date, force: bool, department: Department | None) -> str:
    """The month; one the door refuses (before the measures, ahead of time, outside the
    department's span) is said and asked again. --force lets only the first two through:
    outside its span the department is not assessed at all."""
    while True:
        month = _ask(
            _("month (YYYY-MM)"),
            MONTH,
            lambda text: _yearless_month(text, today),
            default=month_of(today),
        )
        refusal = None if force else _refused(Entry(id="", month=month), today)
        if refusal is None and department is not None and not department.assessed_in(month):
            message = _(
                "{name} is not assessed in {month}: departments.toml lists it {span} "
                "(since/until); type a month it is assessed in"
            )
            refusal = message.format(name=department.name, month=month, span=department.span())
        if refusal is None:
            return month
        click.echo(refusal, err=True)


def _refused(entry: Entry, today: date) -> str | None:
    """What the door would say of the entry's month or date (rules/door.py), if anything,
    in words for a prompt: type it again, or run the command again with --force."""
    found = when_problems(entry, today, at_prompt=True)
    return found[0].message if found else None


def _yearless_month(text: str, today: date) -> str | None:
    """What to say of a month typed without its year (11月): the latest such month up to
    this one, written whole."""
    found = yearless(text)
    if found is None:
        return None
    year = today.year if found[0] <= today.month else today.year - 1
    return _yearless(text, f"{year}-{found[0]:02d}")


def _yearless_date(text: str, month: str, today: date, force: bool) -> str | None:
    """What to say of a date typed without its year (11月12日): the day in the year of
    the month answered, written whole, when there is one. A day of another month is
    said not to be in the month, and a day the door refuses (after today, before the
    measures) is said so: written whole, it would be refused (review Y F10 c, AD F3)."""
    found = yearless(text)
    if found is None or found[1] is None:
        return None
    try:
        day = date(int(month[:4]), found[0], found[1])
    except ValueError:
        return None
    if month_of(day) != month:
        return _not_in_month(repr(text), month)
    refusal = None if force else _refused(Entry(id="", month=month, date=day), today)
    return refusal or _yearless(text, day.isoformat())


def _not_in_month(day: str, month: str) -> str:
    return _("{day} is not in {month}; give a date in {month}, or leave it empty").format(
        day=day, month=month
    )


def _yearless(text: str, whole: str) -> str:
    return _("{value!r} has no year; write the year: {whole}").format(value=text, whole=whole)


# A date prompt's answer that leaves the date out where Enter would take today.
NO_DATE = frozenset({"-", "—", "无"})


def _date(month: str, today: date, force: bool) -> date | None:
    """The date, optional; it must fall in the month. In this month Enter takes today,
    as the prompt says, and "-" leaves the date out; in another month Enter leaves it out
    (there is no day to offer)."""
    this_month = month == month_of(today)
    while True:
        if this_month:
            written = _ask(_("date (YYYY-MM-DD; Enter: today, -: none)"), default=str(today))
        else:
            written = _ask(_("date (YYYY-MM-DD, optional)"), default="", show_default=False)
        if not written.strip() or fold(written).strip() in NO_DATE:
            return None
        try:
            day = DATE.convert(written, None, None)
        except click.BadParameter as exc:
            click.echo(_yearless_date(written, month, today, force) or exc.message, err=True)
            continue
        if month_of(day) != month:
            click.echo(_not_in_month(str(day), month), err=True)
            continue
        refusal = None if force else _refused(Entry(id="", month=month, date=day), today)
        if refusal is not None:
            click.echo(refusal, err=True)
            continue
        return day


def _figures(
    clause: Clause, fields: dict[str, Any], force: bool, chosen: set[str] | None = None
) -> None:
    """The count, points, level or rate the clause is scored by; a rate over 100% kept
    is noted in `chosen`."""
    kind = clause.kind
    counted = kind in ("fixed", "levels", "range", "discretionary") and not clause.exclusive
    while counted and fields.get("count") is None:
        # One past the most an entry may state is said as COUNT reads it, and asked
        # again, not refused after the rest (Y F5).
        count = _ask(_("count"), COUNT, default=1)
        if count < 1:
            click.echo(_("count must be 1 or more"), err=True)
        else:
            fields["count"] = count
    if kind == "range" and fields.get("points") is None:
        label = _("points ({low}–{high})").format(low=plain(clause.min), high=plain(clause.max))  # type: ignore[arg-type]
        fields["points"] = _points(clause, label)
    elif kind == "discretionary" and fields.get("points") is None:
        fields["points"] = _points(clause, _("points (more than 0)"))
    elif kind == "levels" and fields.get("level") is None:
        levels = [name for name, _points in clause.levels]
        label = _("level ({levels})").format(levels=listing(levels))
        fields["level"] = _ask(label, Level(levels))
    elif kind == "rate" and fields.get("value") is None and fields.get("denominator") is None:
        _rate(clause, fields, force, chosen if chosen is not None else set())


class Level(click.ParamType):
    """A level of a clause (4.2.2: 市级, 省级, 国家级), as typed: one that is not is said
    in govscore's words, naming the levels, and the nearest offered (市 → 市级)."""

    name = "level"

    def __init__(self, levels: list[str]) -> None:
        self.levels = levels

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        written = fold(str(value)).strip()
        if written in self.levels:
            return written
        close = [n for n in self.levels if written and written in n]
        close = close or difflib.get_close_matches(written, self.levels, cutoff=0.5)
        message = _("{value!r} is not a level: choose one of {levels}{hint}")
        self.fail(
            message.format(value=value, levels=listing(self.levels), hint=did_you_mean(close)),
            param,
            ctx,
        )


def _matter(
    catalog: Catalog,
    clause: Clause,
    fields: dict[str, Any],
    department: Department | None,
    month: str,
    lookup: Callable[[], Lookup],
    unasked: set[str],
    force: bool,
) -> None:
    """The matter of an exclusive clause (4.2.2). One the door would refuse, counted this
    year already at the level given or higher (it would add 0), is said at once, and what
    was asked of it (the level, the matter) is asked again; when all of it was given on
    the command line there is nothing to ask: it stops here, nothing written."""
    if not fields.get("matter"):
        fields["matter"] = _ask(_("matter (the 事项 this entry is about)"))
    asked = {name for name in unasked if fields.get(name)}  # not what the clause never takes
    while True:
        refusal = _adds_nothing(catalog, clause, fields, department, month, lookup)
        if refusal is None:
            return
        if not asked or _no_level_adds(catalog, clause, fields, department, month, lookup, asked):
            raise _stop(refusal, "matter")
        click.echo(refusal, err=True)
        for name in asked:
            fields.pop(name, None)
        _figures(clause, fields, force)
        if not fields.get("matter"):
            fields["matter"] = _ask(_("matter (the 事项 this entry is about)"))


def _no_level_adds(
    catalog: Catalog,
    clause: Clause,
    fields: dict[str, Any],
    department: Department | None,
    month: str,
    lookup: Callable[[], Lookup],
    asked: set[str],
) -> bool:
    """Whether asking the level again is no use: the matter is given, and it counts
    already at a level no other level of the clause is above (国家级), so every answer
    would be refused again (the prompt asked for ever; review V F3)."""
    if clause.kind != "levels" or "matter" in asked:
        return False
    return all(
        _adds_nothing(catalog, clause, {**fields, "level": name}, department, month, lookup)
        for name, _points in clause.levels
    )


def _adds_nothing(
    catalog: Catalog,
    clause: Clause,
    fields: dict[str, Any],
    department: Department | None,
    month: str,
    lookup: Callable[[], Lookup],
) -> str | None:
    """What the door says of an exclusive entry that would add 0 (rules/door.py), if it
    would: the department's entries of the clause this year up to the month, the new
    one after them. A level or points the clause does not take is left to the door."""
    if department is None:
        return None
    level, points = fields.get("level"), fields.get("points")
    if clause.kind == "levels" and (level is None or clause.level_points(level) is None):
        return None
    if clause.kind in ("range", "discretionary") and points is None:
        return None
    new = Entry(
        id="-",  # no ledger id is "-"
        month=month,
        department=department.name,
        clause=clause.id,
        level=level,
        points=points,
        matter=fields.get("matter"),
    )
    year = month[:4]
    counted = [
        e
        for e in lookup().book.entries  # the ledger as it counts: voided ones are out
        if (e.department, e.clause) == (new.department, new.clause) and e.month[:4] == year
    ]
    # Later months' entries too: one booked back-dated may take a later entry's count.
    found = exclusive_problems([new], [*counted, new], catalog)
    return found[0].message if found else None


def _points(clause: Clause, label: str) -> Any:
    """Points the clause takes, asked again at once when they are not (0.75 is not in
    steps of 0.1; 5 is beyond 1–3), not refused with the whole entry at the end."""
    while True:
        points = _ask(label, NUMBER)
        wrong = [
            p.message
            for p in clause_problems(Entry("", "", clause=clause.id, points=points), clause)
            if p.field == "points"
        ]
        if not wrong:
            return points
        click.echo(wrong[0], err=True)


def _rate(clause: Clause, fields: dict[str, Any], force: bool, chosen: set[str]) -> None:
    """A rate as a percentage (93.5) or as cases, numerator/denominator (187/200; 0/0: none).

    One the door would refuse (0.935, a fraction; 101; 1.5/2) is said and asked again at
    once, unless `force` lets a fraction through, as it does on the command line. A
    numerator above its denominator (5/3, likely 3/5) is said at once too, and kept only
    when the clerk says so (some ratios pass 100%): not warned of after the writing
    (review Y F10 g)."""
    while True:
        written = fold(_ask(_("rate in percent, or cases as numerator/denominator (0/0: none)")))
        figures = _rate_figures(written)
        if figures is None:
            click.echo(
                _("{value!r} is neither a percentage nor N/D").format(value=written), err=True
            )
            continue
        entry = Entry("", "", clause=clause.id, **figures)
        wrong = [
            p.message
            for p in clause_problems(entry, clause)
            if p.field in ("value", "numerator", "denominator")
        ]
        meant = None if force else fraction_meant(entry.value)
        if meant is not None:
            message = _(
                "rate {value} looks like a fraction, but rates are typed in percent: did you "
                "mean {percent}? Type the rate again (if {value}% is meant, record it with "
                "`govscore add … --value {value} --force`)"
            )
            wrong.append(message.format(value=plain(entry.value), percent=plain(meant)))  # type: ignore[arg-type]
        if wrong:
            click.echo(wrong[0], err=True)
            continue
        above = above_denominator(entry)
        if above is not None:
            click.echo(above.message, err=True)
            question = _("keep {numerator}/{denominator}, a rate over 100%?").format(
                numerator=plain(figures["numerator"]), denominator=plain(figures["denominator"])
            )
            if not confirm(question, default=False):
                continue
            chosen.add("numerator")
        fields.update(figures)
        return


def _rate_figures(written: str) -> dict[str, Any] | None:
    """{value} or {numerator, denominator} as typed, or None when it is neither."""
    if "/" in written:
        numerator, denominator = (read_number(part) for part in written.split("/", 1))
        if numerator is None or denominator is None:
            return None
        return {"numerator": numerator, "denominator": denominator}
    value = read_number(written, percent=True)
    return None if value is None else {"value": value}


def _asks_ref(clause: Clause, fields: dict[str, Any]) -> bool:
    return bool(clause.ref) and not fields.get("ref")


def _originals(
    clause: Clause, department: Department | None, month: str, lookup: Lookup
) -> list[Entry]:
    """The entries a follow-up may name: the department's live entries, up to the month,
    of the clauses it follows. Without one there is nothing to follow up: stop before the
    rest is asked, refused as the door refuses (exit 1, nothing written)."""
    name = department.name if department is not None else ""
    live = [
        e
        for e in lookup.select([name], clause.ref, last=month)
        if e.kind == "score" and lookup.in_force(e) and e.clause in clause.ref
    ]
    if not live:
        message = _(
            "{name} has no live {clauses} entry up to {month}: {clause} has nothing to follow "
            "up. Record the {clauses} entry first, then {clause} naming its id; if it is "
            "recorded, `govscore log -d {name}` shows in which month and whether it was voided"
        )
        said = message.format(
            name=name, clauses="/".join(clause.ref), month=month, clause=clause.id
        )
        raise _stop(said, "clause")
    # An entry answered item by item already has nothing left to follow up (see the
    # door's follow_up_problems): it is neither listed nor offered.
    open_ones = [e for e in live if _followed(e, clause, lookup) < e.count]
    if not open_ones:
        message = _(
            "{name}'s {clauses} entries up to {month} are each followed up by {clause} "
            "already ({ids}): nothing is left to follow up"
        )
        ids = ", ".join(e.id for e in live)
        said = message.format(
            name=name, clauses="/".join(clause.ref), month=month, clause=clause.id, ids=ids
        )
        raise _stop(said, "clause")
    return open_ones


def _followed(entry: Entry, clause: Clause, lookup: Lookup) -> int:
    """How many of an entry's items the follow-ups of a clause in force answer already."""
    return sum(
        m.count
        for m in lookup.mentions.get(entry.id, ())
        if m.ref == entry.id and m.clause == clause.id and lookup.in_force(m)
    )


def _ref(clause: Clause, department: Department | None, live: list[Entry]) -> str:
    """A follow-up names an entry: one of those listed, the department's live entries of
    the clauses it follows."""
    name = department.name if department is not None else ""
    click.echo(
        _("{name}'s {clauses} entries:").format(name=name, clauses="/".join(clause.ref)), err=True
    )
    for entry in live:
        click.echo(
            f"  {entry.id}  {entry.month}  {entry.clause}  {entry.note or ''}".rstrip(), err=True
        )
    ids = [e.id for e in live]
    while True:
        written = fold(_ask(_("ref"), default=ids[0] if len(ids) == 1 else None))
        if written in ids:
            return written
        click.echo(_("{id} is not one of those listed").format(id=repr(written)), err=True)
