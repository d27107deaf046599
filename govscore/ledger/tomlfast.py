"""A fast reader for the TOML that govscore itself writes, with tomllib behind it.

A ledger of a million entries is mostly lines like `clause = "2.4.3"`. Reading those
with a regular expression per line is several times faster than tomllib; any line it
does not fully understand (escapes, multi-line strings, inline tables, exponents,
odd spacing) sends its whole [[entry]] table to tomllib, so results never differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Set
from datetime import date
from decimal import Decimal
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from govscore.model import FIELDS, Entry

# The name of an [[entry]] header as TOML reads it: bare or quoted ([["entry"]] is the
# same table to TOML, and a hand-written one is an entry like any other: review BL F2).
ENTRY_NAME = r"""(?:entry|"entry"|'entry')"""
_HEADER = re.compile(
    rf"[ \t]*\[\[[ \t]*{ENTRY_NAME}[ \t]*\]\][ \t]*(?:#[^\x00-\x08\x0a-\x1f\x7f]*)?"
)
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
_INT_DIGITS = 4300  # the most digits Python turns into an int (sys.get_int_max_str_digits)
_SHARED = frozenset({"department", "clause", "level", "matter", "note", "by"})


# A whole [[entry]] table exactly as govscore writes a plain score entry: id, department
# and clause, then perhaps count, points, level, a rate's value, date, note, by and
# recorded, in that order, each line perhaps ending in a clone's tag; followed by blank
# lines (and the lines that frame a batch) and the next header or the end. Texts hold no
# quote, backslash or control character; id, department, clause and level no
# surrounding space (so they read exactly as tomllib reads them).
# Groups: 1 id, 2 department, 3 the figures: the lines from clause to date, as one text
# (a province's month file holds a few thousand distinct ones in 80,000 tables: each is
# taken apart by FIGURES once, and judged once), 4 the note and 5 the recorder (what a
# keyed entry's mark sums), or None, 6 the key (去重键), last as govscore writes it, or
# None: every imported row holds one.
# An optional part is written (?:X|), not (?:X)?: the same match, but the engine tries a
# branch with little bookkeeping where ? after a group takes its general repeat (that
# was 40% of the work of searching a province's month file).
# A clone's tag, and on the last line of a batch its end mark (govscore.ledger.batches).
_TAG = r"(?:  # [0-9a-z]+|)(?:  # govscore batch end, sha256 [0-9a-f]{16}|)"
_TEXT = r'"[^"\\\x00-\x1f\x7f]*"'
_TEXT_GROUP = r'"([^"\\\x00-\x1f\x7f]*)"'  # the same, its text taken (no escape to read)
# The lines that frame each batch govscore appends (see govscore.ledger.batches).
_BATCH = r"# govscore batch [^\n]*"
_ONLY_BATCH_LINES = re.compile(rf"(?:\n|{_BATCH}\n)*")
# A header line as a plain table may be followed by (a clone's tag allowed).
_HEADER_LINE = rf"\[\[entry\]\]{_TAG}(?:\n|\Z)"
# What may follow a plain table's last line and its newline: most often a blank line and
# the next header, tried first.
_NEXT = rf"\n\[\[entry\]\]\n|\n*(?:{_BATCH}\n+)*(?:{_HEADER_LINE}|\Z)"


def _word(group: str = "(") -> str:
    """A text with no surrounding space, in quotes; `group` opens the group around it."""
    return rf'"{group}[^\s"\\\x00-\x1f\x7f](?:[^"\\\x00-\x1f\x7f]*[^\s"\\\x00-\x1f\x7f]|))"'


def _figures(group: str) -> str:
    """A plain table's lines from clause to date (each after the first after a newline),
    each figure in a group that `group` opens: "(" to take them, "(?:" to match them."""
    count = rf"{group}[1-9][0-9]{{0,8}})"
    points = rf"{group}(?:0|[1-9][0-9]{{0,8}})(?:\.[0-9]{{1,9}}|))"
    return (
        rf"clause = {_word(group)}{_TAG}"
        rf"(?:(?:\ncount = {count}{_TAG}|)(?:\npoints = {points}{_TAG}|)"
        # points before count, as a hand (or a tool) may write them
        rf"|\npoints = {points}{_TAG}\ncount = {count}{_TAG})"
        rf"(?:\nlevel = {_word(group)}{_TAG}|)"
        rf"(?:\nvalue = {points}{_TAG}|)"
        rf"(?:\ndate = {group}[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}){_TAG}|)"
    )


# An id as govscore numbers them: printable ASCII (any other goes the careful way, which
# names an id holding a character that cannot be seen).
_ID = r'"([!#-\[\]-~]+)"'
# The table but for its last newline.
_TABLE = (
    rf"\[\[entry\]\]{_TAG}\nid = {_ID}{_TAG}\ndepartment = {_word()}{_TAG}"
    rf"\n({_figures('(?:')})"
    rf"(?:\nnote = {_TEXT_GROUP}{_TAG}|)(?:\nby = {_TEXT_GROUP}{_TAG}|)"
    rf"(?:\nrecorded = {_TEXT}{_TAG}|)"
    rf"(?:\nkey = {_word()}{_TAG}|)"
)
PLAIN_TABLE = re.compile(rf"^{_TABLE}\n(?={_NEXT})", re.MULTILINE)
# The figures of a plain table taken apart. Groups: 1 clause, 2 count, 3 points, 4 points
# and 5 count (written the other way round), 6 level, 7 value, 8 date.
FIGURES = re.compile(_figures("("))
# The same tables found by str.split's way: each from the newline before its header, which
# is searched for as plain text (a ^ first would try every character: a second for a note
# of 100 MB). The whole table, but for its last newline, is the first group; the newline
# is left to the next table's search (tables need not have a blank line between them).
_SPLIT_TABLES = re.compile(rf"\n({_TABLE})(?=\n(?:{_NEXT}))")
# What split gives for each table: its text, its 3 groups, and the text after it.
_STRIDE = _SPLIT_TABLES.groups + 1


class PlainTables:
    """Every table of a text that PLAIN_TABLE matches, group by group, for a caller to
    take at once (a cold cache build sums plain entries as they are read)."""

    __slots__ = ("count", "pieces")

    def __init__(self, pieces: list[str | None]):
        self.pieces = pieces  # as _SPLIT_TABLES.split gives them
        self.count = len(pieces) // _STRIDE

    def column(self, group: int) -> list[Any]:
        """Group `group` of PLAIN_TABLE (1 id, 2 department, 3 figures, 4 note, 5
        recorder, 6 key, each perhaps None; 0 the whole table but for its last newline)
        of every table, in file order."""
        return self.pieces[1 + group :: _STRIDE]


# The plain tables of a month file are split off a block of about this many characters at
# a time: a province's month files, each split whole, raised a cold year's peak memory by
# some 50-70 MB.
_BLOCK = 2**20


def read_chunks(
    text: str,
    take: Callable[[PlainTables], Collection[int]] | None = None,
    *,
    controls: bool | None,
    block: int = _BLOCK,
) -> tuple[str, list[Chunk]] | None:
    """Split a ledger at [[entry]] headers and read each table; None if the file needs tomllib.

    With `take`, the tables that PLAIN_TABLE matches are offered to it first, a block of
    them at a time; it answers with the indexes of those it leaves. A table it takes (a
    cold cache build sums plain entries as they are read) is left out of the chunks, and
    everything between such tables is read line by line as usual.
    A file with a multi-line string is left to the careful reader, since a line inside
    one may look like a header. `controls`: whether the text may hold a control character
    (holds_controls of the bytes it was read from; None: look), for then every string is
    checked for them; with `take`, only in the text read line by line.
    """
    if '"""' in text or "'''" in text:
        return None
    if take is None:
        return _read_lines(
            text, 0, _CONTROL.search(text) is not None if controls is None else controls
        )
    # A table at the very start has no newline before it: one is put there for the search.
    lead = int(text.startswith("[[entry]]"))
    lengths, gaps, left = _offer("\n" + text if lead else text, take, block)
    count = len(lengths)
    # Where each table's header starts in the text, worked out up to the tables asked for.
    at, header = 0, gaps[0] + 1 - lead

    def start(table: int) -> int:
        nonlocal at, header
        header += sum(lengths[at:table]) + sum(gaps[at + 1 : table + 1]) + table - at
        at = table
        return header

    preamble: str | None = None
    chunks: list[Chunk] = []
    line, counted = 1, 0  # the line number at `counted`
    for after, before in _stretches(gaps, left, count):
        position = 0 if after < 0 else start(after) + lengths[after] + 1
        end = len(text) if before == count else start(before)
        if before < count and not (
            end - position > 1
            and text[position:end].strip("\n")
            and not _ONLY_BATCH_LINES.fullmatch(text, position, end)
        ):
            # Between two plain tables there is usually one blank line and nothing else,
            # or the lines that end one batch and begin the next.
            if preamble is None:
                preamble = ""
            continue
        line += text.count("\n", counted, position)
        counted = position
        # No plain table holds a control character: only the stretches read here may.
        held = controls is not False and _CONTROL.search(text, position, end) is not None
        first, read = _read_lines(text[position:end], line - 1, held)
        chunks += read
        preamble = first if preamble is None else preamble
    return preamble or "", chunks


def _offer(
    text: str, take: Callable[[PlainTables], Collection[int]], block: int
) -> tuple[list[int], list[int], set[int]]:
    """Every plain table of a text offered to `take`: the length of each (but for its last
    newline), the length of the text before each and after the last, and the indexes of
    those left (what lies between the tables is read from the text itself: a note of
    100 MB is not held twice).

    The text is split a block at a time, each cut before a header that follows a blank
    line (the newline before the header starting the next block): no table, and no
    look past one, crosses such a cut, so the tables are those of the whole text.
    """
    lengths: list[int] = []
    gaps = [0]
    left: set[int] = set()
    start = 0
    while True:
        cut = _cut(text, start + block)
        end = len(text) if cut < 0 else cut + 1
        # (A file that is one block, as one with a note of 100 MB, is not copied.)
        pieces = _SPLIT_TABLES.split(text if end - start == len(text) else text[start:end])
        tables = PlainTables(pieces)
        if tables.count:
            left.update(len(lengths) + index for index in take(tables))
        lengths += map(len, pieces[1::_STRIDE])
        gaps[-1] += len(pieces[0])  # type: ignore[arg-type]
        gaps += map(len, pieces[_STRIDE::_STRIDE])  # type: ignore[arg-type]
        if cut < 0:
            return lengths, gaps, left
        start = end


_AT_HEADER_LINE = re.compile(_HEADER_LINE)


def _cut(text: str, at: int) -> int:
    """Where to end a block, at or after `at`: the newline of a blank line before a header
    line (-1: nowhere, the block runs to the end)."""
    cut = text.find("\n\n[[entry]]", at) if at < len(text) else -1
    while cut >= 0 and not _AT_HEADER_LINE.match(text, cut + 2):
        cut = text.find("\n\n[[entry]]", cut + 1)
    return cut


def _stretches(gaps: list[int], left: Set[int], count: int) -> list[tuple[int, int]]:
    """The stretches of text to read line by line, each (the table taken before it, or -1;
    the table taken after it, or count), in order: the text before the first table taken
    and after the last, and wherever a table is left or more than a newline lies between
    two tables (`gaps`: the length of the text before each table and after the last).

    Most of a province's month file is plain tables one blank line apart, all taken: for
    each table there is one test of a length, and a stretch only where one is needed.
    """

    # Each run of tables left, as the tables taken either side of it: a province's
    # month file may leave all its 80,000 tables (walking a run for each of its tables
    # took hours).
    around: dict[int, tuple[int, int]] = {}
    run: list[int] = []
    for table in sorted(left):
        if run and table != run[-1] + 1:
            around.update(dict.fromkeys(run, (run[0] - 1, run[-1] + 1)))
            run = []
        run.append(table)
    if run:
        around.update(dict.fromkeys(run, (run[0] - 1, run[-1] + 1)))

    def before(table: int) -> int:
        return around[table][0] if table in around else table

    def after(table: int) -> int:
        return around[table][1] if table in around else table

    marks = set(around.values())
    marks.update((before(t - 1), after(t)) for t in range(1, count) if gaps[t] > 1)
    marks.add((before(count - 1), count))  # the end of the text, read always
    first = after(0)
    if first < count:
        marks.add((-1, first))
    return sorted(marks)


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
    # A month's entries share a few dozen dates and a few hundred figures: each text is
    # made a date or a Decimal once (both immutable), not once an entry.
    dates: dict[str, Any] = {}
    numbers: dict[str, Decimal] = {}
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
                if len(raw) > _INT_DIGITS:  # Python will not read it: tomllib's reader says why
                    fields = None
                    continue
                value = int(raw)
            elif raw == "true" or raw == "false":
                value = raw == "true"
            elif len(raw) == 10 and raw[4] == "-" and raw[7] == "-" and raw.isascii():
                value = dates.get(raw)
                if value is None:
                    value = dates[raw] = _date(raw)
            elif raw in numbers:
                value = numbers[raw]
            elif _PLAIN_NUMBER.fullmatch(raw):
                value = numbers[raw] = Decimal(raw)
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
    if not entry_id or not entry_id.isascii():
        return None
    for name in _STRIPPED.intersection(raw):
        if raw[name] != raw[name].strip():
            return None
    for name in _NUMBERS:
        if type(raw.get(name)) is int:
            raw = {**raw, name: Decimal(raw[name])}
    return Entry(month=month, file=file, line=line, **raw)
