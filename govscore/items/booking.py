"""Book clause 1.2.1 from item findings: one entry per department, each failing item once.

Attachment 2 costs a department 1 point for every item that breaks any rule. Booking is
idempotent: an entry's note lists the item codes it books, so a second run for the same
month books only items no live entry books yet. Codes are listed joined by "、", as a
clerk reads them; when a code holds "、" itself (or starts with "["), the list is
written as a JSON array instead, so that every code reads back exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from govscore.i18n import _
from govscore.ledger.recording import Draft
from govscore.model import Entry
from govscore.rules.config import Department, Departments
from govscore.rules.validate import MOST_COUNT

CLAUSE = "1.2.1"
KEY_PREFIX = "items:"
NOTE_HEAD = "附件2质检未通过事项"


@dataclass(frozen=True)
class Booking:
    """What --record will append, and what it cannot book."""

    drafts: tuple[Draft, ...]
    unknown: tuple[tuple[str, tuple[str, ...]], ...]  # department as written, its item codes
    already: int  # failing items already booked for that month
    voided: int = 0  # failing items whose booking that month was voided: not booked again
    # The entries that booked them already: a re-run after a commit failed commits them.
    holders: tuple[str, ...] = ()
    # Departments not assessed in the month (since/until), with their item codes: not
    # booked, like an unknown name, so that the others still are (review AX F1).
    out_of_span: tuple[tuple[Department, tuple[str, ...]], ...] = ()


SEPARATOR = "、"


def note_for(codes: Sequence[str]) -> str:
    if any(SEPARATOR in code for code in codes) or (codes and codes[0].startswith("[")):
        listed = json.dumps(list(codes), ensure_ascii=False)
    else:
        listed = SEPARATOR.join(codes)
    return f"{NOTE_HEAD} {len(codes)} 项：{listed}"


def codes_in(entry: Entry) -> set[str]:
    """The item codes a booking entry books (read back from its note).

    A JSON array is what note_for writes when a code holds the separator; a plain list
    never starts with "[", so the two cannot be confused. Notes of earlier versions were
    always the plain list.
    """
    if entry.clause != CLAUSE or not (entry.key or "").startswith(KEY_PREFIX) or not entry.note:
        return set()
    _, _, listed = entry.note.partition("：")
    if listed.startswith("["):
        try:
            codes = json.loads(listed)
        except (ValueError, RecursionError):  # a hand-written note: read it the plain way
            codes = None
        if isinstance(codes, list) and all(isinstance(code, str) for code in codes):
            return {code for code in codes if code}
    return {code for code in listed.split(SEPARATOR) if code}


def plan_booking(
    failing: Mapping[str, Sequence[str]],
    departments: Departments,
    entries: Iterable[Entry],
    voided: Collection[str],
    month: str,
    by: str,
) -> Booking:
    """Drafts of 1.2.1 entries for the failing items not yet booked in `month`.

    A voided booking is the office's word on its items that month (an appeal upheld, the
    record put right and verified): they are not booked again that month, however often
    the export still shows them. Booked in another month, or by hand, they count.
    """
    booked: dict[str, set[str]] = {}
    set_aside: dict[str, set[str]] = {}
    bookings: dict[str, list[tuple[str, set[str]]]] = {}
    for entry in entries:
        codes = codes_in(entry) if entry.month == month else set()
        if not codes:
            continue
        department = departments.resolve(entry.department)
        name = department.name if department else entry.department
        into = set_aside if entry.id in voided else booked
        into.setdefault(name, set()).update(codes)
        if entry.id not in voided:
            bookings.setdefault(name, []).append((entry.id, codes))
    wanted: dict[str, set[str]] = {}
    unknown = []
    outside: dict[Department, set[str]] = {}
    for written, codes in failing.items():
        department = departments.resolve(written)
        if department is None:
            unknown.append((written, tuple(codes)))
        elif not department.assessed_in(month):
            # An export keeps a dissolved or renamed department as 实施主体 for months
            # after 机构改革: its items are left out, not the whole month's booking.
            outside.setdefault(department, set()).update(codes)
        else:
            wanted.setdefault(department.name, set()).update(codes)
    drafts = []
    holders: list[str] = []
    already = left = 0
    for name in sorted(wanted):
        done = booked.get(name, set())
        aside = set_aside.get(name, set()) - done
        new = sorted(wanted[name] - done - aside)
        already += len(wanted[name] & done)
        holders += [held for held, codes in bookings.get(name, ()) if codes & wanted[name]]
        left += len(wanted[name] & aside)
        if not new:
            continue
        # An entry counts at most MOST_COUNT: a department's many more failing items are
        # several entries, never a refusal of the whole booking.
        for start in range(0, len(new), MOST_COUNT):
            part = new[start : start + MOST_COUNT]
            digest = hashlib.sha1("\n".join(part).encode()).hexdigest()[:12]
            fields = {
                "department": name,
                "clause": CLAUSE,
                "count": len(part),
                "note": note_for(part),
                "by": by,
                "key": f"{KEY_PREFIX}{month}:{name}:{digest}",
            }
            drafts.append(Draft(fields, month, source=_("items for {name}").format(name=name)))
    out_of_span = tuple(
        (d, tuple(sorted(codes))) for d, codes in sorted(outside.items(), key=lambda o: o[0].name)
    )
    return Booking(tuple(drafts), tuple(unknown), already, left, tuple(holders), out_of_span)
