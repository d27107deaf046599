"""What identifies an entry: its month and the fields that decide its score and when.

An import's key-less row is given a key made of it (importing), and a keyed row is
compared by it with the entry its key stands for: the ledger's snapshot keeps a short
mark of each keyed entry's identity beside its key (cache), so that a re-run of a
million rows need not read the entries to find the few that changed. It lives here,
below both, for the snapshot to make what an import compares.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from govscore.figures import plain
from govscore.ledger.text import _FALSE, _TRUE
from govscore.model import FIELDS, Entry, matter_key

# What identifies an incident and decides its score: the fields `add --key` compares
# beside the month. Not the note (说明) nor the recorder (记录人): a sheet whose notes were
# tidied is the same sheet, and its rows must not be booked twice.
IDENTITY = tuple(
    name
    for name in FIELDS
    if name not in ("id", "void", "reason", "close", "through", "note", "by", "recorded", "key")
)

# Made keys start with this, so a reader of the ledger sees the key was not written. A made
# key holds its row's identity (importing: `row-IDENTITY-N`): its entry is not marked, and a
# row copying it is compared with the entry itself (a rare sheet: a ledger's export).
MADE_KEY = "row-"


def marked(key: str) -> bool:
    """Whether the snapshot marks a key's entry: a key written (a made one holds its
    identity), so that a ledger of imported key-less rows costs nothing to mark."""
    return not key.startswith(MADE_KEY)


# In the order of a row's parts (by name).
IDENTITY_ORDER = tuple(sorted(IDENTITY))


def identity(month: str | None, fields: Mapping[str, Any], department: Any = None) -> str:
    """A digest of a row's month and IDENTITY fields, each as an entry holds it: a count
    of 1 and a recurring of 否 are the defaults left out, a number is written plainly;
    by name, as importing._RowReader makes it of a row's cells. `department`: the
    department as the ledger keeps it, in place of the row's."""
    parts = [f"month={month}"]
    for name in IDENTITY_ORDER:
        value = department if name == "department" and department is not None else fields.get(name)
        text = identity_text(name, value)
        if text is not None:
            parts.append(f"{name}={text}")
    return digest(parts)


def identity_text(name: str, value: Any) -> str | None:
    """A field's part of an identity as text; None: no part (empty, or the default)."""
    if value is None or value == "" or value is False:
        return None
    return _TEXTS.get(name, _text)(value)


def _text(value: Any) -> str | None:
    if value is True:
        return "true"
    if isinstance(value, Decimal):
        return plain(value)
    return str(value) or None


def _matter_text(value: Any) -> str | None:
    """A matter written another way is the same matter (model.matter_key)."""
    return matter_key(str(value)) or None


def _count_text(value: Any) -> str | None:
    return None if value == 1 and value is not True else _text(value)


def _recurring_text(value: Any) -> str | None:
    if isinstance(value, str):  # a row's 是/否 (an entry holds a bool)
        word = value.strip().lower()
        value = True if word in _TRUE else False if word in _FALSE else value
    return None if value is False else _text(value)


_TEXTS: dict[str, Callable[[Any], str | None]] = {
    "matter": _matter_text,
    "count": _count_text,
    "recurring": _recurring_text,
}
# Each identity field's place in an Entry, and how it is written: looked up once, for
# the snapshot marks every keyed entry of a ledger (cache.key_mark).
_ENTRY_PARTS = tuple(
    (f"{name}=", Entry._fields.index(name), _TEXTS.get(name, _text)) for name in IDENTITY_ORDER
)
_DEPARTMENT = Entry._fields.index("department")


def entry_identity(entry: Entry, department: str | None = None) -> str:
    """A recorded entry's identity, as `identity` gives it for the row it was made of;
    `department`: its department as the ledger keeps it now, if known."""
    before, after = identity_parts(entry)
    name = department if department is not None else entry.department
    return department_identity(entry.month, before, name, after)


def identity_parts(entry: Entry) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An entry's identity parts but its month's and department's: those that come
    before the department's, and after. A tally marks a province's keyed entries by
    them, worked out once for each figures written (department_identity)."""
    before: list[str] = []
    after: list[str] = []
    parts = before
    for prefix, place, text in _ENTRY_PARTS:
        if place == _DEPARTMENT:
            parts = after
            continue
        value = entry[place]
        if value is None or value is False:  # (an empty text has no part either: _text)
            continue
        written = text(value)
        if written is not None:
            parts.append(prefix + written)
    return tuple(before), tuple(after)


def department_identity(
    month: str, before: Sequence[str], department: str | None, after: Sequence[str]
) -> str:
    """entry_identity of an entry of the month, department and identity_parts."""
    named = _text(department) if department is not None else None
    return digest([f"month={month}", *before, f"department={named}" if named else None, *after])


def digest(parts: Sequence[str | None]) -> str:
    """The parts (None left out) as 16 hexadecimal digits."""
    return hashlib.sha256("\x1f".join(filter(None, parts)).encode("utf-8")).hexdigest()[:16]


# A mark: the identity's first digits, whether the entry has a date, then a short sum of
# its note and of its recorder (a row whose note differs is named, not skipped silently):
# 48 bits each, which a note written to match cannot be found for (16 could: review BA F5).
_IDENTITY_DIGITS = 14
_SUM_DIGITS = 12
DATED, UNDATED = "d", "u"


def entry_mark(entry: Entry, department: str | None = None) -> str:
    """What the snapshot keeps of a keyed entry for an import to compare a row with: its
    identity (of it as dated, or not), whether it is dated, and sums of note and recorder."""
    return mark_of(entry_identity(entry, department), entry.date is not None, entry.note, entry.by)


def mark_of(identity: str, dated: bool, note: str | None, by: str | None) -> str:
    """entry_mark of an entry of this identity, dated or not, note and recorder."""
    flag = DATED if dated else UNDATED
    summed = text_sum(note) if note else _NO_SUM
    return f"{identity[:_IDENTITY_DIGITS]}{flag}{summed}{_recorder_sum(by or '')}"


def text_sum(text: str | None) -> str:
    """A short sum of a note or a recorder (none and empty alike)."""
    data = (text or "").encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=_SUM_DIGITS // 2).hexdigest()


_NO_SUM = text_sum(None)
# A ledger's recorders are a few clerks and systems: each one's sum is worked out once.
_recorder_sum = functools.lru_cache(maxsize=4096)(text_sum)


def mark_matches(
    mark: str,
    dated: Callable[[], str],
    undated: Callable[[], str] | None,
    note: Any,
    by: Any,
) -> bool | None:
    """Whether a row is its entry as `mark` keeps it: True, False (it differs in its
    identity, note or recorder: read the entry to say how), or None where the mark cannot
    say (an entry dated, a row not). `dated` gives the row's identity, `undated` it
    without its date (None: the row has no date): each made only where it is compared.
    `by`: None where the row has no recorder."""
    flag = mark[_IDENTITY_DIGITS : _IDENTITY_DIGITS + 1]
    if flag == DATED and undated is None:
        return None
    wanted = undated() if flag == UNDATED and undated is not None else dated()
    if mark[:_IDENTITY_DIGITS] != wanted[:_IDENTITY_DIGITS]:
        return False
    sums = mark[_IDENTITY_DIGITS + 1 :]
    if sums[:_SUM_DIGITS] != text_sum(None if note is None else str(note)):
        return False
    return by is None or sums[_SUM_DIGITS:] == text_sum(str(by))
