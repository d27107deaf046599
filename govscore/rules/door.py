"""The door: what a new entry must pass before it is written, beyond what the ledger allows.

The ledger counts whatever is valid, hand-written or not; at the door govscore also stops
what is almost certainly a slip (a rate written as a fraction, a date before the
measures or after today, a month or a close's last month after next, a matter booked
again at no higher level) and says what was probably meant. The ledger itself never judges time: an entry in it
counts whatever day a report is asked, so whether a date is "in the future" is decided
once, here, on the day it is recorded.
`add`, `close` and `import` come through here; `--force` lets a meant one through where noted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal

from govscore.errors import Problem
from govscore.figures import plain, round2
from govscore.i18n import _
from govscore.model import Entry, month_of, next_month, previous_month
from govscore.rules.amendments import Version
from govscore.rules.catalog import Catalog, Clause
from govscore.rules.config import Department, tag_name
from govscore.rules.scoring import (
    exclusive_matter,
    exclusive_rises,
    matter_worth,
    reached_first,
    stand_changes,
)
from govscore.rules.validate import MOST_CASES

HUNDRED = Decimal(100)
ZERO = Decimal(0)
# The measures (烟政管办〔2023〕2号) took effect on this day; nothing before it is scored.
EFFECTIVE = date(2023, 3, 27)


def _problem(entry: Entry, field_name: str, message: str) -> Problem:
    return Problem(entry.file, entry.line, message, field_name, entry.id)


def door_problems(
    entry: Entry, clause: Clause | None, today: date, force: bool
) -> tuple[list[Problem], list[Problem]]:
    """(refusals, warnings) for one new score entry; `force` lets the doubtful ones pass."""
    refusals: list[Problem] = []
    warnings: list[Problem] = []
    if entry.kind == "close" and not force:
        refusals.extend(through_problems(entry, today))
    if entry.kind != "score":
        return refusals, warnings
    if clause is not None and clause.kind == "rate":
        meant = fraction_meant(entry.value)
        if meant is not None and not force:
            refusals.append(
                _problem(
                    entry,
                    "value",
                    _(
                        "value {value} looks like a fraction, but rates are written in "
                        "percent: did you mean {percent}? (give --force if {value}% is meant)"
                    ).format(value=plain(entry.value), percent=plain(meant)),
                )
            )
        above = above_denominator(entry)
        if above is not None:
            warnings.append(above)
    if clause is not None and clause.until_closed and not entry.recurring:
        # Recorded, as the contract has it (an entry is recurring only when it says so),
        # but said: a cron job's entry of 3.1.3 would else count in one month, silently.
        warnings.append(
            _problem(
                entry,
                "recurring",
                _(
                    "clause {clause} counts every month from the month it was due until "
                    "closed, but this entry is not recurring: it counts in {month} only. To "
                    "count it every month, record it as recurring (--recurring), voiding it "
                    "first once written"
                ).format(clause=clause.id, month=entry.month),
            )
        )
    if entry.date is not None and month_of(entry.date) < entry.month:
        refusals.append(
            _problem(
                entry,
                "date",
                _(
                    "date {date} is not in the entry's month {month}: an entry is recorded in "
                    "the month it happened; did you mean month {meant}?"
                ).format(date=entry.date, month=entry.month, meant=month_of(entry.date)),
            )
        )
    if not force:
        refusals.extend(when_problems(entry, today))
    return refusals, warnings


def above_denominator(entry: Entry) -> Problem | None:
    """A numerator above its denominator: recorded (some ratios, 1.3.1's, may pass 100%),
    but said, the rate deducting nothing; `add`'s prompt asks before it is confirmed."""
    numerator, denominator = entry.numerator, entry.denominator
    cases = [n for n in (numerator, denominator) if n is not None]
    if (
        numerator is None
        or not denominator
        or numerator <= denominator
        # other cases than whole numbers up to MOST_CASES validation refuses
        or not all(n <= MOST_CASES and n == n.to_integral_value() for n in cases)
    ):
        return None
    message = _(
        "numerator {numerator} is above denominator {denominator}: the rate is "
        "{rate}%, over 100%, so it deducts nothing"
    )
    rate = plain(round2(numerator * HUNDRED / denominator))
    said = message.format(numerator=plain(numerator), denominator=plain(denominator), rate=rate)
    return _problem(entry, "numerator", said)


def fraction_meant(value: Decimal | None) -> Decimal | None:
    """The percentage a rate written as a fraction almost certainly meant (0.935: 93.5),
    or None: rates are written in percent, and one below 1% is rare enough to confirm."""
    if value is not None and 0 < value < 1:
        return value * HUNDRED
    return None


def when_problems(entry: Entry, today: date, at_prompt: bool = False) -> list[Problem]:
    """A date or month almost certainly mistyped: before the measures, or ahead of time.

    This month and the next may be recorded (an entry prepared ahead); a date after
    today, or a month after next, is refused with the same month (and day) a year back
    offered, the usual slip being the year. `at_prompt`: said of an answer at `add`'s
    prompt, which is typed again; an option cannot be added to an answer, so a meant one
    takes running the command again with --force (review Y F10 b).
    """
    this_month = month_of(today)
    if entry.date is not None and entry.date < EFFECTIVE:
        if at_prompt:
            message = _(
                "date {date} is before the measures took effect on {effective}: a typo in "
                "the year? Type it again (if it is meant, run the command again with --force)"
            )
        else:
            message = _(
                "date {date} is before the measures took effect on {effective}: "
                "a typo in the year? (give --force if it is meant)"
            )
        return [_problem(entry, "date", message.format(date=entry.date, effective=EFFECTIVE))]
    if entry.month < month_of(EFFECTIVE):
        if at_prompt:
            message = _(
                "month {month} is before the measures took effect on {effective}: a typo in "
                "the year? Type it again (if it is meant, run the command again with --force)"
            )
        else:
            message = _(
                "month {month} is before the measures took effect on {effective}: "
                "a typo in the year? (give --force if it is meant)"
            )
        return [_problem(entry, "month", message.format(month=entry.month, effective=EFFECTIVE))]
    if entry.date is not None and entry.date > today:
        written = entry.date.isoformat()
        # Later this month the slip is in the day, not the year: nothing to offer.
        later = month_of(entry.date) == this_month
        meant = None if later else _year_back(written, today.isoformat())
        if meant is None and at_prompt:
            message = _(
                "date {date} is after today ({today}); type it again (if it is meant, run "
                "the command again with --force)"
            )
        elif meant is None:
            message = _("date {date} is after today ({today}); --force records it anyway")
        elif at_prompt:
            message = _(
                "date {date} is after today ({today}); did you mean {meant}? Type it again "
                "(if it is meant, run the command again with --force)"
            )
        else:
            message = _(
                "date {date} is after today ({today}); did you mean {meant}? "
                "--force records it anyway"
            )
        return [_problem(entry, "date", message.format(date=written, today=today, meant=meant))]
    if entry.month > next_month(this_month):
        meant = _year_back(entry.month, this_month)
        if meant is None and at_prompt:
            message = _(
                "month {month} is more than a month ahead (this month is {now}); type it "
                "again (if it is meant, run the command again with --force)"
            )
        elif meant is None:
            message = _(
                "month {month} is more than a month ahead (this month is {now}); "
                "--force records it anyway"
            )
        elif at_prompt:
            message = _(
                "month {month} is more than a month ahead (this month is {now}); did you "
                "mean {meant}? Type it again (if it is meant, run the command again with "
                "--force)"
            )
        else:
            message = _(
                "month {month} is more than a month ahead (this month is {now}); "
                "did you mean {meant}? --force records it anyway"
            )
        return [
            _problem(entry, "month", message.format(month=entry.month, now=this_month, meant=meant))
        ]
    return []


def through_problems(entry: Entry, today: date) -> list[Problem]:
    """A close's last month more than a month ahead, almost certainly a slip in the year:
    the entry would go on deducting every month until then. Refused as a month is."""
    this_month = month_of(today)
    if entry.through is None or entry.through <= next_month(this_month):
        return []
    meant = _year_back(entry.through, this_month)
    if meant is not None and meant < (entry.close or "")[:7]:
        meant = None  # before the closed entry's own month: no close could take it
        message = _(
            "through {through} is more than a month ahead (this month is {now}); "
            "--force records it anyway"
        )
    else:
        message = _(
            "through {through} is more than a month ahead (this month is {now}); "
            "did you mean {meant}? --force records it anyway"
        )
    found = message.format(through=entry.through, now=this_month, meant=meant)
    return [_problem(entry, "through", found)]


def _year_back(written: str, latest: str) -> str | None:
    """The same month (YYYY-MM) or day (YYYY-MM-DD) in the latest year not after `latest`,
    if that is a real day on or after the measures took effect."""
    year = int(latest[:4])
    meant = f"{year:04d}{written[4:]}"
    if meant > latest:
        meant = f"{year - 1:04d}{written[4:]}"
    if meant < EFFECTIVE.isoformat()[: len(written)]:
        return None
    try:
        date.fromisoformat(meant if len(meant) > 7 else f"{meant}-01")
    except ValueError:
        return None  # 29 February in a year without it
    return meant


def _no_more(entry: Entry, best: Entry, clause: Clause, name: Callable[[Entry], str] | None) -> str:
    return _(
        "matter {matter!r} counts for {department} in {year} at {level} ({id}); {higher} is "
        "worth {points} in {month}, no more than the matter earned, so this entry would add 0"
    ).format(
        matter=entry.matter,
        department=entry.department,
        year=entry.month[:4],
        level=best.level,
        id=name(best) if name is not None else best.id,
        higher=entry.level,
        points=plain(clause.level_points(entry.level or "") or 0),
        month=entry.month,
    )


def _counted_later(entry: Entry, later: Entry, name: Callable[[Entry], str] | None) -> str:
    return _(
        "matter {matter!r} counts for {department} in {year} at {level} in {month} ({id}): "
        "recorded in {earlier}, this entry would take that count and lessen the year; if "
        "the matter was reached in {earlier}, void {id} first"
    ).format(
        matter=entry.matter,
        department=entry.department,
        year=entry.month[:4],
        level=later.level or plain(later.points or 0),
        month=later.month,
        id=name(later) if name is not None else later.id,
        earlier=entry.month,
    )


def exclusive_problems(
    new: Iterable[Entry],
    counted: Sequence[Entry],
    catalog: Catalog,
    name: Callable[[Entry], str] | None = None,
) -> list[Problem]:
    """A matter counts once a year at its highest level: a new entry that adds 0 is refused.

    `counted` is the ledger as it counts with the new entries in it, in ledger order; an
    entry adds 0 as the scorer counts it (scoring.exclusive_rises: the same or a lower
    level than one before it in month order, whatever a notice made the points since).
    The highest of those before it is named (by `name`, else by its id).
    """
    position = {entry.id: number for number, entry in enumerate(counted)}
    new = list(new)
    fresh = {entry.id for entry in new}
    problems: list[Problem] = []
    for entry in new:
        clause = catalog.at(entry.month).get(entry.clause)
        if clause is None or not clause.exclusive or entry.id not in position:
            continue
        key = exclusive_matter(entry)
        matter = [o for o in counted if o.id != entry.id and exclusive_matter(o) == key]
        place = (entry.month, position[entry.id])
        before = [other for other in matter if (other.month, position[other.id]) < place]
        # Recorded before this one, in a later month (booked back-dated): it may take
        # their count and lessen the year (the same level in June as in September's
        # entry: September's +3 at its new points becomes June's +2).
        # The year weighed with every entry of the matter, the file's other new ones too
        # (June 市级 with July 省级 beside it lessens nothing: review AG F1).
        after = [o for o in matter if (o.month, position[o.id]) > place]
        later = [o for o in after if o.id not in fresh]
        if later:
            ordered = sorted([*before, entry, *after], key=lambda e: (e.month, position[e.id]))
            with_it = sum(exclusive_rises(ordered, catalog).values())
            without = sum(exclusive_rises([e for e in ordered if e is not entry], catalog).values())
            if with_it < without:  # a lower level back-dated moves points, takes none
                best = max(later, key=lambda other: matter_worth(other, clause, catalog))
                problems.append(_problem(entry, "level", _counted_later(entry, best, name)))
                continue
        # Only the matter's earlier entries bear on what this one earns; in month order,
        # ledger order within a month, this one last, as the scorer takes them.
        if not before or exclusive_rises([*before, entry], catalog)[entry.id]:
            continue
        best = max(before, key=lambda earlier: matter_worth(earlier, clause, catalog))
        ranks = {level: rank for rank, (level, _points) in enumerate(clause.levels)}
        if ranks.get(entry.level or "", -1) > ranks.get(best.level or "", len(ranks)):
            # A higher level, worth no more than the matter earned (a notice lowered its
            # points): "record it only at a higher level" would be no help.
            problems.append(_problem(entry, "level", _no_more(entry, best, clause, name)))
            continue
        problems.append(
            _problem(
                entry,
                "level",
                _(
                    "matter {matter!r} already counts for {department} in {year} at "
                    "{level} ({id}); a matter counts once a year at its highest level, "
                    "so this entry would add 0: record it only at a higher level"
                ).format(
                    matter=entry.matter,
                    department=entry.department,
                    year=entry.month[:4],
                    level=best.level or plain(matter_worth(best, clause, catalog)),
                    id=name(best) if name is not None else best.id,
                ),
            )
        )
    return problems


def taken_matters(
    new: Sequence[Entry], counted: Sequence[Entry], catalog: Catalog
) -> list[Problem]:
    """A warning for each entry already recorded whose count a new exclusive entry of an
    earlier month takes (a higher level back-dated: 省级 in June after 市级 in October,
    October's +3 becomes 0). The year does not lessen, so the door lets it in; but the
    later month, perhaps sent upward already, changes, and nothing else would say so.

    `counted` is the ledger as it counts with the new entries in it, in ledger order."""
    fresh = {entry.id for entry in new}

    def matter(entry: Entry) -> tuple[str, str, str, str] | None:
        clause = catalog.at(entry.month).get(entry.clause)
        if entry.kind != "score" or clause is None or not clause.exclusive:
            return None
        return exclusive_matter(entry)

    wanted = {key for entry in new if (key := matter(entry)) is not None}
    if not wanted:
        return []
    position = {entry.id: number for number, entry in enumerate(counted)}
    alike = [entry for entry in counted if matter(entry) in wanted]
    now = exclusive_rises(alike, catalog)
    before = exclusive_rises([e for e in alike if e.id not in fresh], catalog)
    warnings = []
    for entry in alike:
        if entry.id in fresh or now.get(entry.id, ZERO) >= before.get(entry.id, ZERO):
            continue
        clause = catalog.at(entry.month).clauses[entry.clause]
        takers = [e for e in alike if e.id in fresh]
        taker = reached_first(entry, takers, position, clause, catalog)
        assert taker is not None, "only a new entry before it in its matter lessens it"
        message = _(
            "{id} ({level}, {month}) counted {was} for matter {matter!r} and now counts "
            "{now}: this entry at {taker_level} in {taker_month} reaches the matter first, "
            "and a matter counts once a year at its highest level"
        ).format(
            id=entry.id,
            level=entry.level or plain(matter_worth(entry, clause)),
            month=entry.month,
            was=_signed(before[entry.id] * clause.sign),
            matter=entry.matter,
            now=_signed(now.get(entry.id, ZERO) * clause.sign),
            taker_level=taker.level or plain(matter_worth(taker, clause)),
            taker_month=taker.month,
        )
        warnings.append(_problem(taker, "level", message))
    return warnings


def _signed(amount: Decimal) -> str:
    return f"+{plain(amount)}" if amount > 0 else plain(amount)


def stop_warnings(entry: Entry, catalog: Catalog, department: Department | None) -> list[Problem]:
    """Warnings for a new recurring entry that a later notice stops (retires its clause,
    makes it a veto or no longer recurring, sets a range its points fall outside …) or its
    department's last month assessed (until, departments.toml) ends: it is recorded, as it
    stands in its own month, but counts only until then, which a clerk booking it for
    every month to come would not else learn (scoring.stand_changes)."""
    if not entry.recurring or entry.kind != "score":
        return []
    until = department.until if department is not None else None
    if until is not None and until < entry.month:
        return []  # not assessed in its own month: refused as such
    changes = stand_changes(entry, catalog, department, until)
    # Every stop, each with the notice it counts again from (none for the last, if it
    # stops for good), as `show` rows them: a notice stopping it after a resume is said.
    again: list[Version | None] = [version for version, _why in changes[1::2]]
    found = [
        _notice_stop(entry, stop, why, resumed)
        for (stop, why), resumed in zip(changes[::2], [*again, None], strict=False)
    ]
    if department is not None and until is not None and (not changes or changes[-1][1] is None):
        found.append(_until_problem(entry, department, until, "department"))
    return found


def close_warnings(
    close: Entry, target: Entry | None, department: Department | None
) -> list[Problem]:
    """A close whose last month runs past the closed entry's department's last month
    assessed (until): the entry counts only through until, whatever the close says. Said
    as `add --recurring` says it of a new entry (review AX F6); recorded all the same."""
    until = department.until if department is not None else None
    if department is None or until is None or target is None or close.through is None:
        return []
    if close.through <= until or until < target.month:
        return []  # within its span; or one out of span already, the review's problem
    return [_until_problem(close, department, until, "through")]


def _until_problem(entry: Entry, department: Department, until: str, field_name: str) -> Problem:
    message = _(
        "{name} is assessed through {until} (departments.toml): this recurring entry "
        "counts through {until} only, in no month from {first} on"
    ).format(name=department.name, until=until, first=next_month(until))
    return _problem(entry, field_name, message)


def _notice_stop(entry: Entry, stopped: Version, why: str | None, again: Version | None) -> Problem:
    """The warning for a notice that stops a new recurring entry (and the one that lets it
    count again, if any)."""
    clause = stopped.catalog.get(entry.clause)
    said = _stop_reason(entry, stopped, why, clause)
    first = stopped.first_month
    if again is None:
        message = _(
            "{why}: this recurring entry counts through {last} only, in no month from {first} on"
        ).format(why=said, last=previous_month(first), first=first)
    else:
        message = _(
            "{why}: this recurring entry does not count from {first} through {until}; from "
            "{again} ({number}) it counts again"
        ).format(
            why=said,
            first=first,
            until=previous_month(again.first_month),
            again=again.first_month,
            number=again.number,
        )
    return _problem(entry, "clause", message)


def _stop_reason(entry: Entry, version: Version, why: str | None, clause: Clause | None) -> str:
    """Why a notice stops a recurring entry, in a clause's words (see scoring.why_stopped)."""
    named = {"clause": entry.clause, "effective": version.effective, "number": version.number}
    if why == "veto":
        message = _(
            "clause {clause} becomes a veto from {effective} ({number}), which is recorded "
            "on its own"
        )
    elif why == "once":
        message = _("clause {clause} no longer counts every month from {effective} ({number})")
    elif why == "figures":
        message = _("clause {clause} is scored another way from {effective} ({number})")
    elif why == "range" and clause is not None:
        message = _(
            "clause {clause} is worth {points} from {effective} ({number}), not this entry's {own}"
        )
        named.update(points=clause.describe_points(), own=plain(entry.points or ZERO))
    elif why == "applies_to" and clause is not None and clause.applies_to:
        message = _(
            "clause {clause} applies only to departments tagged {tag} from {effective} ({number})"
        )
        named["tag"] = tag_name(clause.applies_to)
    else:
        message = _("clause {clause} is retired from {effective} ({number})")
    return message.format(**named)


def follow_up_problems(
    new: Iterable[Entry],
    counted: Sequence[Entry],
    catalog: Catalog,
    name: Callable[[Entry], str] | None = None,
) -> list[Problem]:
    """A follow-up (4.1.2 追加, 4.3.2 加扣 …) answers its original item by item: one more
    than the original's count would book the same item twice (a project accepted twice,
    a complaint's refusal deducted twice). `counted`: the ledger as it counts with the
    new entries in it; the follow-ups of the same clause naming the same entry are
    counted before the new one, in ledger order. `--force` records it anyway.
    """
    new = [entry for entry in new if entry.ref]
    if not new:
        return []
    by_id = {entry.id: entry for entry in counted}
    position = {entry.id: number for number, entry in enumerate(counted)}
    follows: dict[tuple[str, str], list[Entry]] = {}
    for entry in counted:
        if entry.ref:
            follows.setdefault((entry.ref, entry.clause), []).append(entry)
    problems: list[Problem] = []
    for entry in new:
        clause = catalog.at(entry.month).get(entry.clause)
        original = by_id.get(entry.ref or "")
        if clause is None or not clause.ref or original is None or entry.id not in position:
            continue
        earlier = [
            other
            for other in follows.get((entry.ref or "", entry.clause), ())
            if position[other.id] < position[entry.id]
        ]
        if sum(e.count for e in earlier) + entry.count <= original.count:
            continue
        shown = name or (lambda e: e.id)
        if earlier:
            message = _(
                "{ref} ({clause_of} × {count}) is followed up by {clause} already ({ids}): "
                "a follow-up answers its entry item by item, so this one would book an item "
                "twice; give --force if it is meant"
            )
        else:
            message = _(
                "{clause} × {follow} follows up {ref} ({clause_of} × {count}): more items "
                "than it has; give --force if it is meant"
            )
        found = message.format(
            ref=original.id,
            clause_of=original.clause,
            count=original.count,
            clause=entry.clause,
            follow=entry.count,
            ids=", ".join(shown(e) for e in earlier),
        )
        problems.append(_problem(entry, "ref", found))
    return problems
