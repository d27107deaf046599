"""What people write, read the one way: full-width forms, Excel's dates, percent signs.

A clerk on a Chinese input method types `４.３.１` or `２．５`; Excel writes a date as
`2023/5/23` or `2023年5月23日` and a whole count as `2.0`. Every command reads numbers,
ids, dates and months through these functions (options, import, the prompts), so the
same text means the same thing wherever it is typed.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from govscore.i18n import _
from govscore.model import MOST_COUNT

# NFKC turns full-width digits, letters and punctuation (．－／％：) into ASCII; the
# ideographic full stop typed for a decimal point is not among them.
_AFTER_NFKC = str.maketrans({"。": "."})

_DAY = re.compile(
    r"(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?)"
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"  # Excel adds a time: 2023/5/23 0:00
)
_MONTH = re.compile(r"(\d{4})\s*(?:[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*(?:月份?)?)")
# What an English Excel shows for a month: Jun-23 (its mmm-yy), June 2023, Jun 2023.
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ENGLISH_MONTH = re.compile(
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?[\s/-]*(\d{4}|\d{2})",
    re.IGNORECASE,
)

# Fields that hold an id or a name of the catalog: folded, never otherwise changed.
ID_FIELDS = ("clause", "ref", "void", "close")
NUMBER_FIELDS = ("points", "value", "numerator", "denominator")


def decode_text(data: bytes) -> tuple[str, str]:
    """Text as a Chinese office saves it, and the encoding it was read in: UTF-8 with a BOM
    ("CSV UTF-8", Notepad's "UTF-8 with BOM"), UTF-8, else GB18030 (Excel's plain "CSV",
    Notepad's "ANSI"), so the clerk need not know which one was chosen.

    Raises UnicodeDecodeError when it is none of them: with a BOM, UTF-8's; else GB18030's
    (its ``object`` is the bytes read, without the BOM, and ``start`` the bad byte in them).
    """
    if data.startswith(codecs.BOM_UTF8):
        return data.decode("utf-8-sig"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"


def fold(text: str) -> str:
    """Full-width and other compatibility forms as plain ASCII, surrounding space removed.

    `４.３.１` → `4.3.1`, `２．５` → `2.5`, `９５％` → `95%`. For ids and figures only:
    a note or a name keeps what was written.
    """
    return unicodedata.normalize("NFKC", text).translate(_AFTER_NFKC).strip()


def read_number(text: str, percent: bool = False) -> Decimal | None:
    """A finite number as written, or None. With `percent`, `95.5%` is 95.5 (a rate)."""
    folded = fold(text)
    if percent and folded.endswith("%"):
        folded = folded[:-1].rstrip()
    try:
        number = Decimal(folded)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def read_count(text: str) -> int | None:
    """A whole number as written, `2.0` (how Excel exports a count) included, up to the
    most one entry may state; else None (one past it: see validate.too_many)."""
    number = read_whole(text)
    return None if number is None or number > MOST_COUNT else int(number)


def read_whole(text: str) -> Decimal | None:
    """A whole number as written, `2.0` included, however large, or None. A Decimal: one
    far past every bound (1e5000000000) is never written out as an int's digits."""
    number = read_number(text)
    if number is None or number != number.to_integral_value():
        return None
    return number


def read_date(text: str) -> date | None:
    """A day as Excel and clerks write it, or None.

    2023-05-23, 2023-5-23, 2023/5/23, 2023.5.23, 2023年5月23日, full-width or not,
    with or without a time of day after it.
    """
    parts = _day_parts(text)
    if parts is None:
        return None
    try:
        return date(*parts)
    except ValueError:
        return None


def missing_day(text: str) -> str | None:
    """Why a text written as a day names none (2023-02-30, 2023/13/1); None when it does,
    or is not written as a day at all (then its form is what is wrong)."""
    parts = _day_parts(text)
    if parts is None:
        return None
    year, month, day = parts
    if not 1 <= month <= 12:
        return _("{value!r} is not a day: a year has no month {month}").format(
            value=text, month=month
        )
    try:
        date(year, month, day)
    except ValueError:
        return _("{value!r} is not a day: {year}-{month:02d} has no day {day}").format(
            value=text, year=year, month=month, day=day
        )
    return None


def _day_parts(text: str) -> tuple[int, int, int] | None:
    """Year, month and day as a text written as a day has them (not yet a date: its
    month or day may not exist), or None if it is not written as a day."""
    found = _DAY.fullmatch(fold(text))
    if found is None:
        return None
    return (
        int(found.group(1)),
        int(found.group(2) or found.group(4)),
        int(found.group(3) or found.group(5)),
    )


def read_month(text: str) -> str | None:
    """A month as YYYY-MM: 2023-05, 2023-5, 2023/5, 2023.5, 2023年5月(份), Jun-23 or June
    2023 (as an English Excel shows it), or a day in it."""
    folded = fold(text)
    found = _MONTH.fullmatch(folded)
    if found is not None:
        number = int(found.group(2) or found.group(3))
        return f"{found.group(1)}-{number:02d}" if 1 <= number <= 12 else None
    english = _ENGLISH_MONTH.fullmatch(folded)
    if english is not None:
        year = english.group(2)
        number = _MONTH_NAMES.index(english.group(1).lower()[:3]) + 1
        return f"{'20' + year if len(year) == 2 else year}-{number:02d}"
    day = read_date(folded)
    return None if day is None else f"{day.year:04d}-{day.month:02d}"


# A month or day written without its year: 11月, 11月份, 11月12日, 11-12, 11/12.
_YEARLESS = re.compile(r"(\d{1,2})\s*(?:月份?\s*(?:(\d{1,2})\s*[日号]?)?|[-/.]\s*(\d{1,2}))")


def yearless(text: str) -> tuple[int, int | None] | None:
    """The month and day (None when only a month) of a text written as a month or day
    without its year, or None when it is not: a prompt then asks for the year, not
    for another form."""
    found = _YEARLESS.fullmatch(fold(text).strip())
    if found is None:
        return None
    month = int(found.group(1))
    day = found.group(2) or found.group(3)
    if not 1 <= month <= 12:
        return None
    return month, None if day is None else int(day)


def canonical_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """An entry's raw fields with ids, figures, dates and months read as written.

    Text that does not read is left as it was, for validation to name what is wrong
    with it; values that are not text (from options, from a spreadsheet) pass as they are.
    """
    out = dict(fields)
    for name, value in fields.items():
        if not isinstance(value, str):
            continue
        if name in ID_FIELDS:
            out[name] = fold(value)
        elif name == "count":
            count = read_count(value)
            out[name] = value if count is None else count
        elif name in NUMBER_FIELDS:
            number = read_number(value, percent=name == "value")
            out[name] = value if number is None else number
        elif name == "date":
            day = read_date(value)
            out[name] = value if day is None else day
        elif name == "through":
            month = read_month(value)
            out[name] = value if month is None else month
    return out
