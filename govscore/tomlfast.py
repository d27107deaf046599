"""A fast reader for the TOML that govscore itself writes, with tomllib behind it.

A ledger of a million entries is mostly lines like `clause = "2.4.3"`. Reading those
with a regular expression per line is several times faster than tomllib; any line it
does not fully understand (escapes, multi-line strings, inline tables, exponents,
odd spacing) sends its whole [[entry]] table to tomllib, so results never differ.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from govscore.model import FIELDS, Entry

_HEADER = re.compile(r"[ \t]*\[\[[ \t]*entry[ \t]*\]\][ \t]*(?:#[^\x00-\x08\x0a-\x1f\x7f]*)?")
_COMMENT = re.compile(r"[ \t]*(?:#[^\x00-\x08\x0a-\x1f\x7f]*)?")
_LINE = re.compile(
    r"([A-Za-z_][A-Za-z0-9_]*) = "
    r'(?:"([^"\\\x00-\x08\x0a-\x1f\x7f]*)"'  # a basic string without escapes
    r"|(true|false)"
    r"|([+-]?(?:0|[1-9][0-9]*))(?![.0-9eE:-])"  # an integer
    r"|([+-]?(?:0|[1-9][0-9]*)\.[0-9]+)(?![0-9eE])"  # a plain decimal number
    r"|([0-9]{4})-([0-9]{2})-([0-9]{2})(?![0-9T :])"  # a local date
    r")[ \t]*(?:#[^\x00-\x08\x0a-\x1f\x7f]*)?"
)

# Chunk = (line of its [[entry]] header, parsed fields or None for tomllib, its text)
Chunk = tuple[int, dict[str, Any] | None, str]


def read_chunks(text: str) -> tuple[str, list[Chunk]] | None:
    """Split a ledger at [[entry]] headers and read each table; None if the file needs tomllib.

    A file with a multi-line string is left to the careful reader, since a line inside
    one may look like a header.
    """
    if '"""' in text or "'''" in text:
        return None
    lines = text.split("\n")
    chunks: list[Chunk] = []
    preamble_end = len(lines)
    start = -1
    fields: dict[str, Any] | None = None
    header = _HEADER.fullmatch
    line_match = _LINE.fullmatch
    comment = _COMMENT.fullmatch
    for number, line in enumerate(lines):
        if line[:1] in ("[", " ", "\t") and header(line):
            if start >= 0:
                chunks.append((start + 1, fields, "\n".join(lines[start:number])))
            else:
                preamble_end = number
            start, fields = number, {}
            continue
        if start < 0 or fields is None:
            continue
        found = line_match(line)
        if found is None:
            if not comment(line):
                fields = None  # something only tomllib reads (or rejects) properly
            continue
        key = found.group(1)
        if key in fields:
            fields = None  # a duplicate key is an error: let tomllib say so
            continue
        fields[key] = _value(found)
    if start >= 0:
        chunks.append((start + 1, fields, "\n".join(lines[start:])))
    return "\n".join(lines[:preamble_end]), chunks


def _value(found: re.Match[str]) -> Any:
    text, boolean, integer, number, year = found.group(2, 3, 4, 5, 6)
    if text is not None:
        return text
    if boolean is not None:
        return boolean == "true"
    if integer is not None:
        return int(integer)
    if number is not None:
        return Decimal(number)
    try:
        return date(int(year), int(found.group(7)), int(found.group(8)))
    except ValueError:
        return _BadDate(found.group(0))


class _BadDate(str):
    """A date TOML would reject (2023-02-30): the slow reader reports it."""


_TEXT = {
    "id",
    "department",
    "clause",
    "level",
    "matter",
    "ref",
    "note",
    "by",
    "recorded",
    "key",
    "void",
    "reason",
    "close",
}
_STRIPPED = {"id", "department", "clause", "level", "ref", "void", "close"}
_KNOWN = frozenset(FIELDS)


def quick_entry(raw: dict[str, Any], month: str, file: str, line: int) -> Entry | None:
    """An Entry straight from fields read by read_chunks, when every field is plainly right.

    None sends the fields through ledger.build_entry, which explains whatever is wrong.
    """
    if not raw.keys() <= _KNOWN or "id" not in raw:
        return None
    for name, value in raw.items():
        kind = type(value)
        if name in _TEXT:
            if kind is not str or (name in _STRIPPED and value != value.strip()):
                return None
            if name == "id" and not value:
                return None
        elif name == "count":
            if kind is not int:
                return None
        elif name in ("points", "value", "numerator", "denominator"):
            if kind is not Decimal and kind is not int:
                return None
        elif name == "recurring":
            if kind is not bool:
                return None
        elif name == "date":
            if kind is not date:
                return None
        else:  # through: a month, checked by the careful path
            return None
    values = dict(raw)
    for name in ("points", "value", "numerator", "denominator"):
        if type(values.get(name)) is int:
            values[name] = Decimal(values[name])
    return Entry(month=month, file=file, line=line, **values)
