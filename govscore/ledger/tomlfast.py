"""A fast reader for the TOML that govscore itself writes, with tomllib behind it.

A ledger of a million entries is mostly lines like `clause = "2.4.3"`. Reading those
with a regular expression per line is several times faster than tomllib; any line it
does not fully understand (escapes, multi-line strings, inline tables, exponents,
odd spacing) sends its whole [[entry]] table to tomllib, so results never differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from json.decoder import scanstring  # type: ignore[attr-defined]
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
    r"|([0-9]{4})-([0-9]{2})-([0-9]{2})(?![0-9T:]| [0-9])"  # a local date, not a date-time
    r")[ \t]*(?:#[^\x00-\x08\x0a-\x1f\x7f]*)?"
)


class Chunk:
    """One [[entry]] table: the line of its header, its fields (None: tomllib must read
    it), and its text, joined only when asked for."""

    __slots__ = ("fields", "hi", "line", "lines", "lo")

    def __init__(
        self, line: int, fields: dict[str, Any] | None, lines: list[str], lo: int, hi: int
    ):
        self.line, self.fields, self.lines, self.lo, self.hi = line, fields, lines, lo, hi

    @property
    def text(self) -> str:
        return "\n".join(self.lines[self.lo : self.hi])

    @classmethod
    def of_text(cls, line: int, text: str) -> Chunk:
        return cls(line, None, [text], 0, 1)


# After a string with escapes: perhaps a clone's tag or a comment.
_AFTER_STRING = re.compile(r"[ \t]*(?:#[^\x00-\x08\x0a-\x1f\x7f]*)?")
# An escape JSON reads and TOML refuses (\/, a lone surrogate's \uD800–\uDFFF, a \U
# without eight hex digits): a backslash after an even run of them, so that an escaped
# backslash followed by a slash (a note ending in "\\/") is not taken for one.
_TOML_ONLY_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\(?:/|u[dD][89a-fA-F]|U(?![0-9a-fA-F]{8}))")
# TOML's \UXXXXXXXX (govscore writes format characters such as U+E0020 so), which JSON
# lacks: rewritten as JSON's \uXXXX (a surrogate pair beyond the BMP) before scanning.
_LONG_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\U([0-9a-fA-F]{8})")
_KNOWN_KEYS = frozenset(FIELDS)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Every byte but those of _CONTROL's characters: in UTF-8 no other character has one of
# them among its bytes (those of a character beyond ASCII are all 0x80 or above).
_NOT_CONTROL = bytes(b for b in range(256) if not _CONTROL.match(chr(b)))


def holds_controls(data: bytes) -> bool:
    """Whether UTF-8 bytes hold a control character that _CONTROL finds in their text: in
    a tenth of the time the expression takes over a month file's text."""
    return bool(data.translate(None, _NOT_CONTROL))


_PLAIN_NUMBER = re.compile(r"[+-]?(?:0|[1-9][0-9]*)\.[0-9]+")
_MISSING = object()
_SHARED = frozenset({"department", "clause", "level", "matter", "note", "by"})


# A whole [[entry]] table exactly as govscore writes a plain score entry: id, department
# and clause, then perhaps count, points, level, a rate's value, date, note, by and
# recorded, in that order, each line perhaps ending in a clone's tag; followed by blank lines and the next
# header or the end. Texts hold no quote, backslash or control character; id, department,
# clause and level no surrounding space (so they read exactly as tomllib reads them).
# Groups: 1 id, 2 department, 3 clause, 4 count, 5 points, 6 points and 7 count (written
# the other way round), 8 level, 9 value, 10 date.
# A clone's tag, and on the last line of a batch its end mark (govscore.ledger.batches).
_TAG = r"(?:  # [0-9a-z]+)?(?:  # govscore batch end, sha256 [0-9a-f]{16})?"
_WORD = r'"([^\s"\\\x00-\x1f\x7f](?:[^"\\\x00-\x1f\x7f]*[^\s"\\\x00-\x1f\x7f])?)"'
_TEXT = r'"[^"\\\x00-\x1f\x7f]*"'
_COUNT = r"([1-9][0-9]{0,8})"
_POINTS = r"((?:0|[1-9][0-9]{0,8})(?:\.[0-9]{1,9})?)"
# The lines that frame each batch govscore appends (see govscore.ledger.batches).
_BATCH = r"# govscore batch [^\n]*"
_ONLY_BATCH_LINES = re.compile(rf"(?:\n|{_BATCH}\n)*")
PLAIN_TABLE = re.compile(
    rf"^\[\[entry\]\]{_TAG}\n"
    rf"id = {_WORD}{_TAG}\n"
    rf"department = {_WORD}{_TAG}\n"
    rf"clause = {_WORD}{_TAG}\n"
    rf"(?:(?:count = {_COUNT}{_TAG}\n)?(?:points = {_POINTS}{_TAG}\n)?"
    rf"|points = {_POINTS}{_TAG}\ncount = {_COUNT}{_TAG}\n)"  # as a hand (or a tool) may
    rf"(?:level = {_WORD}{_TAG}\n)?"
    rf"(?:value = {_POINTS}{_TAG}\n)?"
    rf"(?:date = ([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}){_TAG}\n)?"
    rf"(?:note = {_TEXT}{_TAG}\n)?"
    rf"(?:by = {_TEXT}{_TAG}\n)?"
    rf"(?:recorded = {_TEXT}{_TAG}\n)?"
    rf"(?=\n*(?:{_BATCH}\n+)*(?:\[\[entry\]\]{_TAG}(?:\n|\Z)|\Z))",
    re.MULTILINE,
)


def read_chunks(
    text: str,
    take: Callable[[re.Match[str]], bool] | None = None,
    *,
    controls: bool | None,
) -> tuple[str, list[Chunk]] | None:
    """Split a ledger at [[entry]] headers and read each table; None if the file needs tomllib.

    With `take`, each table that PLAIN_TABLE matches is offered to it first; a table it
    takes (a cold cache build sums plain entries as they are read) is left out of the
    chunks, and everything between such tables is read line by line as usual.
    A file with a multi-line string is left to the careful reader, since a line inside
    one may look like a header. `controls`: whether the text may hold a control character
    (holds_controls of the bytes it was read from; None: look), for then every string is
    checked for them.
    """
    if '"""' in text or "'''" in text:
        return None
    if controls is None:
        controls = _CONTROL.search(text) is not None
    if take is None:
        return _read_lines(text, 0, controls)
    preamble: str | None = None
    chunks: list[Chunk] = []
    position = 0  # the start of what is not yet read
    line, counted = 1, 0  # the line number at `counted`
    for found in _plain_tables(text):
        if not take(found):
            continue
        start = found.start()
        # Between two plain tables there is usually one blank line and nothing else, or
        # the lines that end one batch and begin the next.
        if (
            start - position > 1
            and text[position:start].strip("\n")
            and not _ONLY_BATCH_LINES.fullmatch(text, position, start)
        ):
            line += text.count("\n", counted, position)
            counted = position
            before, read = _read_lines(text[position:start], line - 1, controls)
            chunks += read
            preamble = before if preamble is None else preamble
        elif preamble is None:
            preamble = ""
        position = found.end()
    line += text.count("\n", counted, position)
    before, read = _read_lines(text[position:], line - 1, controls)
    return (before if preamble is None else preamble), chunks + read


# PLAIN_TABLE without its ^: an expression that begins with plain text is searched for
# that text (as str.find searches), where ^ first would try every character (a second
# for a note of 100 MB), and each match's line start is checked after.
_PLAIN_FROM_HEADER = re.compile(PLAIN_TABLE.pattern.removeprefix("^"), re.MULTILINE)


def _plain_tables(text: str) -> Iterator[re.Match[str]]:
    """PLAIN_TABLE.finditer(text), searched from each [[entry]] and kept where a line
    starts with it.

    A match from an [[entry]] inside a line (a comment's) is dropped: it holds only the
    lines of one table, none of them a header, so no table that starts a line is lost.
    """
    for found in _PLAIN_FROM_HEADER.finditer(text):
        start = found.start()
        if not start or text[start - 1] == "\n":
            yield found


def _read_lines(text: str, offset: int, controls: bool) -> tuple[str, list[Chunk]]:
    """read_chunks for a stretch of a file whose first line is line offset + 1.

    Most lines are `key = "text"`, `key = 3` or `key = 2023-05-12` exactly as govscore
    writes them: those are taken apart with str methods; any other line goes through a
    full regular expression, and a line that fails it sends its table to tomllib.
    """
    lines = text.split("\n")
    chunks: list[Chunk] = []
    preamble_end = len(lines)
    start = -1
    fields: dict[str, Any] | None = None
    header = _HEADER.fullmatch
    line_match = _LINE.fullmatch
    comment = _COMMENT.fullmatch
    known = _KNOWN_KEYS
    shared: dict[str, str] = {}
    for number, line in enumerate(lines):
        if line == "[[entry]]" or (line[:1] in ("[", " ", "\t") and header(line)):
            if start >= 0:
                chunks.append(Chunk(start + 1 + offset, fields, lines, start, number))
            else:
                preamble_end = number
            start, fields = number, {}
            continue
        if start < 0 or fields is None:
            continue
        key, sep, raw = line.partition(" = ")
        value: Any = _MISSING
        if sep and key in known:
            first = raw[:1]
            if first == '"':
                inner = raw[1:-1]
                if (
                    raw[-1:] == '"'
                    and len(raw) > 1
                    and '"' not in inner
                    and "\\" not in inner
                    and not (controls and _CONTROL.search(inner))
                ):
                    # The same department, clause or clerk recurs thousands of times:
                    # keep one copy of each text, not one per entry.
                    value = shared.setdefault(inner, inner) if key in _SHARED else inner
                elif "\\" in raw:
                    value = _unescaped(raw, controls)
            elif raw.isascii() and raw.isdigit() and (raw == "0" or first != "0"):
                value = int(raw)
            elif raw == "true" or raw == "false":
                value = raw == "true"
            elif len(raw) == 10 and raw[4] == "-" and raw[7] == "-" and raw.isascii():
                value = _date(raw)
            elif _PLAIN_NUMBER.fullmatch(raw):
                value = Decimal(raw)
        if value is _MISSING:
            found = line_match(line)
            if found is None:
                if not comment(line):
                    fields = None  # something only tomllib reads (or rejects) properly
                continue
            key, value = found.group(1), _value(found)
        if key in fields:
            fields = None  # a duplicate key is an error: let tomllib say so
            continue
        fields[key] = value
    if start >= 0:
        chunks.append(Chunk(start + 1 + offset, fields, lines, start, len(lines)))
    return "\n".join(lines[:preamble_end]), chunks


def _unescaped(raw: str, controls: bool) -> Any:
    """A basic string with escapes (a note of many lines), read by json's C scanner.

    tomllib reads a string one character at a time in Python: seconds for a note of many
    megabytes. TOML's escapes are JSON's but for \\U and \\/ (and TOML refuses a lone
    surrogate, which JSON reads), so a string holding any of those, a raw control
    character (JSON's lenient mode would take one), or anything json refuses is left to
    tomllib, which reads or rejects it as always.
    """
    if ("\\/" in raw or "\\U" in raw or "\\u" in raw) and _TOML_ONLY_ESCAPE.search(raw):
        return _MISSING
    if controls and _CONTROL.search(raw):
        return _MISSING
    try:
        if "\\U" in raw:
            raw = _LONG_ESCAPE.sub(_json_escape, raw)
        text, end = scanstring(raw, 1, False)
    except ValueError:
        return _MISSING
    return text if _AFTER_STRING.fullmatch(raw, end) else _MISSING


def _json_escape(found: re.Match[str]) -> str:
    """\\UXXXXXXXX as JSON writes the same character; ValueError where TOML refuses it."""
    point = int(found.group(2), 16)
    if point > 0x10FFFF or 0xD800 <= point <= 0xDFFF:
        raise ValueError("not a Unicode scalar value")
    if point > 0xFFFF:
        point -= 0x10000
        return f"{found.group(1)}\\u{0xD800 + (point >> 10):04x}\\u{0xDC00 + (point & 0x3FF):04x}"
    return f"{found.group(1)}\\u{point:04x}"


def _date(raw: str) -> Any:
    year, month, day = raw[:4], raw[5:7], raw[8:]
    if not (year.isdigit() and month.isdigit() and day.isdigit()):
        return _BadDate(raw)
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return _BadDate(raw)


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


_STRIPPED = frozenset({"id", "department", "clause", "level", "ref", "void", "close"})
# The type each field has when govscore wrote it; anything else goes the careful way.
_TEXT_FIELDS = (
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
)
_TYPES: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(_TEXT_FIELDS, (str,)),
    "count": (int,),
    **dict.fromkeys(("points", "value", "numerator", "denominator"), (Decimal, int)),
    "recurring": (bool,),
    "date": (date,),
}
_NUMBERS = ("points", "value", "numerator", "denominator")


def quick_entry(raw: dict[str, Any], month: str, file: str, line: int) -> Entry | None:
    """An Entry straight from fields read by read_chunks, when every field is plainly right.

    None sends the fields through ledger.build_entry, which explains whatever is wrong.
    """
    types = _TYPES
    for name, value in raw.items():
        allowed = types.get(name)
        if allowed is None or type(value) not in allowed:
            return None  # an unknown field, a month in `through`, a value of another type
    entry_id = raw.get("id")
    if not entry_id:
        return None
    for name in _STRIPPED.intersection(raw):
        if raw[name] != raw[name].strip():
            return None
    for name in _NUMBERS:
        if type(raw.get(name)) is int:
            raw = {**raw, name: Decimal(raw[name])}
    return Entry(month=month, file=file, line=line, **raw)
