"""Ledger files as text: parse a month's TOML or CSV into entries, and write one entry.

Pure functions over strings; the loader hands them file contents. Each entry keeps its
file and line, and every problem is returned as a record, never raised, so a broken
entry costs only itself and `check` can list everything at once.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import itertools
import operator
import re
import tomllib
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import tomli_w

from govscore.errors import Problem
from govscore.i18n import (
    TOML_NUMBER_TOO_LONG,
    TOML_TOO_DEEP,
    _,
    listing,
    ngettext,
    parser_reason,
    toml_value,
)
from govscore.ledger.batches import (
    BEGIN,
    END,
    Ended,
    Stray,
    Torn,
    blank,
    ends_whole_batch,
    scan,
)
from govscore.ledger.tomlfast import ENTRY_NAME, Chunk, PlainTables, quick_entry, read_chunks
from govscore.model import FIELDS, Entry, field_word, is_month
from govscore.rules.validate import MOST_CASES, count_refusal, too_many
from govscore.written import missing_day

_HEADER = re.compile(rf"^[ \t]*\[\[[ \t]*{ENTRY_NAME}[ \t]*\]\][ \t]*(#.*)?$")
_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Controls, format characters (bidi, zero-width, BOM), line and paragraph separators.
_ESCAPED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}

_INT_FIELDS = {"count"}
_DECIMAL_FIELDS = {"points", "value", "numerator", "denominator"}
_BOOL_FIELDS = {"recurring"}
# Fields that name something (a clause, an entry): a stray space is never meant.
_NAME_FIELDS = {"department", "clause", "level", "ref", "void", "close"}
_TRUE = {"true", "1", "yes", "y", "是"}
_FALSE = {"false", "0", "no", "n", "否", ""}


@dataclass(frozen=True)
class ParsedFile:
    """What one ledger file holds: its entries in file order, and what is wrong with it."""

    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]
    broken: bool = False  # the file cannot be appended to safely until it is repaired
    newlines: int = 0  # how many lines the file holds: where the next entry will start
    broken_by: Problem | None = None  # the problem that makes it broken, when known


def ledger_text(data: bytes) -> str:
    """A ledger file's bytes as text. A write cut off inside a character leaves its first
    bytes at the very end: they are dropped, so the cut shows as a cut-off last line
    (see govscore.ledger.batches), not as a file that cannot be read at all.

    Raises UnicodeDecodeError for bytes that are not UTF-8 anywhere else.
    """
    # (text, bytes used); final is False by default, so a character cut off at the end
    # is left unused.
    return codecs.utf_8_decode(data)[0]


def as_read(text: str) -> str:
    """A TOML ledger file's text as the ledger reads it: Windows editors may add a BOM and
    CRLF line ends, which are taken away (neither changes a line number)."""
    text = text.removeprefix("\ufeff")
    # (a search for one character is quicker than a replace that finds none)
    return text.replace("\r\n", "\n") if "\r" in text else text


def line_offset(text: str | bytes, line: int) -> int:
    """Where a line (counted from 1) starts in a file's text or bytes."""
    newline: Any = b"\n" if isinstance(text, bytes) else "\n"
    offset = 0
    for _line in range(line - 1):
        offset = text.index(newline, offset) + 1
    return offset


# Where a table or a batch of govscore's begins (and a batch ends), in a file's bytes.
_HEADER_BYTES = re.compile(
    rf"^[ \t]*\[\[[ \t]*{ENTRY_NAME}[ \t]*\]\][ \t]*(#[^\r\n]*)?\r?$".encode(), re.MULTILINE
)
_BEGIN_BYTES = re.compile(b"^" + re.escape(BEGIN.encode()), re.MULTILINE)
_END_BYTES = re.compile(re.escape(END.encode()))


def readable_part(data: bytes, bad: int, csv_file: bool = False) -> int:
    """Where to stop reading a ledger file whose byte at `bad` is not UTF-8 (an entry
    appended in an editor that saves GBK, say): at the start of the entry that holds it,
    or of the govscore batch that does (a batch counts whole or not at all), so the
    entries above count and none counts in part (`count = 4`, its note and key lost).
    A CSV file stops at the row's line. 0 when the bad byte comes before any entry."""
    line_start = data.rfind(b"\n", 0, bad) + 1
    if csv_file:
        return line_start
    line_end = data.find(b"\n", bad)
    line_end = len(data) if line_end < 0 else line_end
    header = max((f.start() for f in _HEADER_BYTES.finditer(data, 0, line_end)), default=-1)
    begin = max((f.start() for f in _BEGIN_BYTES.finditer(data, 0, line_end)), default=-1)
    if header < 0 and begin < 0:
        return 0  # before any entry
    if begin > header:
        return begin  # on a batch's begin line
    if begin >= 0 and _END_BYTES.search(data, begin, header) is None:
        return begin  # in a batch that has not ended before the entry's header
    return header


def split_entries(text: str) -> tuple[str, list[tuple[int, str]]]:
    """Split TOML text at top-level [[entry]] headers: (preamble, [(line, chunk), ...]).

    Tracks multi-line strings so that a header-like line inside one is not a header.
    """
    lines = text.split("\n")
    starts: list[int] = []
    open_quote: str | None = None
    for number, line in enumerate(lines):
        if open_quote is None and _HEADER.match(line.rstrip("\r")):
            starts.append(number)
            continue
        open_quote = _open_quote(line, open_quote)
    preamble = "\n".join(lines[: starts[0]] if starts else lines)
    chunks = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(lines)
        chunks.append((start + 1, "\n".join(lines[start:end])))
    return preamble, chunks


_QUIET = re.compile(r"[ \t\r]*(#.*)?")  # a blank line or a comment: it says nothing


def stray_lines(text: str, start: int) -> tuple[int, int] | None:
    """Where the lines from `start` (a line's start, outside any string) up to the next
    [[entry]] header or batch begin line hold more than blank lines and comments: TOML
    reads them as part of the table above `start` (`count = 40` appended after an entry
    changes that entry). (The offset of the first such line, the offset where they end);
    None when they hold nothing else."""
    first: int | None = None
    quote: str | None = None
    for at, end, line in _lines_from(text, start):
        # A begin line ends them only where an [[entry]] header opens its batch: a "batch"
        # of `count = 40` alone, its end mark written to match, is stray lines all the same
        # (review BI F1: anyone can write a mark).
        if quote is None and (
            _HEADER.match(line) or (line.startswith(BEGIN) and _opens_entry(text, end))
        ):
            break
        if first is None and not _QUIET.fullmatch(line):
            first = at
        if first is not None:
            quote = _open_quote(line, quote)
    else:
        at = len(text)
    return None if first is None else (first, at)


def appended_stray_lines(text: str, start: int) -> tuple[int, int] | None:
    """stray_lines of the lines appended at `start` to a text that may end inside a
    multi-line string (a hand-written entry's note left open): the appended lines up to
    the one that closes it are that string's, so of the table above (review BJ F6)."""
    quote = quote_open_at(text, start)
    if quote is None:
        return stray_lines(text, start)
    stop = len(text)  # the string runs on to the end: every appended line is its
    for _at, end, line in _lines_from(text, start):
        quote = _open_quote(line, quote)
        if quote is None:
            stop = end
            break
    more = stray_lines(text, stop) if quote is None else None
    return start, more[1] if more else stop


def quote_open_at(text: str, start: int) -> str | None:
    """The multi-line string delimiter open at `start` (a line's start), if any. Walked
    from the line of the first triple quote: no string is open before it (govscore writes
    every string on one line, so most ledgers have none)."""
    found = [at for at in (text.find('"""', 0, start), text.find("'''", 0, start)) if at >= 0]
    if not found:
        return None
    quote: str | None = None
    for _at, _end, line in _lines_from(text[:start], text.rfind("\n", 0, min(found)) + 1):
        quote = _open_quote(line, quote)
    return quote


def _opens_entry(text: str, at: int) -> bool:
    """Whether the batch whose begin line ends at `at` may be one govscore wrote: its first
    line that is more than blank or a comment is an [[entry]] header (or one cut off at
    the text's end: a torn batch, named as one), or there is none (cut after its begin
    line). A key line first, or another table (`[entry.x]` is a table of the entry above;
    `[meta]`), is no batch govscore wrote (review BJ F1)."""
    for _start, end, line in _lines_from(text, at):
        if not _QUIET.fullmatch(line):
            cut = end == len(text) and not text.endswith("\n")
            return bool(_HEADER.match(line)) or (cut and "[[entry]]".startswith(line.strip()))
    return True


def _lines_from(text: str, at: int) -> Iterator[tuple[int, int, str]]:
    """Each line from offset `at` on: where it starts, where the next begins, its text
    (without its line end)."""
    while at < len(text):
        newline = text.find("\n", at)
        end = len(text) if newline < 0 else newline + 1
        yield at, end, text[at : end - 1 if newline >= 0 else end].rstrip("\r")
        at = end


def strays(text: str, ended: Iterable[Ended]) -> list[Stray]:
    """The stray lines after each batch's end mark, with the last table they change: a
    whole batch's last entry no longer reads as its end mark vouched for it (see
    batches.Stray). `ended`: the batches whose end marks end a line (batches.scan).

    Lines that hold another batch's end mark and with which the table no longer reads as
    TOML are two entries' lines a merge interleaved (two branches of one clone number the
    same id): left out as TOML that does not read, in words that say so (a key written
    twice)."""
    found: list[Stray] = []
    for batch in ended:
        lines = stray_lines(text, batch.stop)
        if lines is None:
            continue
        first, stop = lines
        start = first
        entry = ""
        if batch.whole:  # govscore wrote its tables: each header begins a line
            header = text.rfind("\n[[entry]]", batch.body - 1, batch.stop)
            if header >= 0:
                start = header + 1
                if END in text[first:stop] and not _reads(text[start:stop]):
                    continue
                named = _ID_LINE.search(text, start, batch.stop)
                entry = named[1] if named else ""
        line = text.count("\n", 0, first) + 1
        found.append(Stray(start, stop, line, entry, stray_table(text, first, stop)))
    return found


# A table header within an entry: [[entry]], [entry.x], [[ "entry".x ]] …
_ENTRY_TABLE = re.compile(rf"^[ \t]*\[\[?[ \t]*{ENTRY_NAME}[ \t]*[.\]]", re.M)


def stray_table(text: str, first: int, stop: int) -> str:
    """The header of the table that stray lines (stray_lines) open, `[meta]`: they begin
    with a table header, and none of theirs is within an entry (`[entry.x]` belongs to the
    last entry). "" when they change the table above them (`count = 40`)."""
    line = next(_lines_from(text, first))[2]
    if not line.lstrip(" \t").startswith("[") or _ENTRY_TABLE.search(text, first, stop):
        return ""
    return line.strip(" \t")


def _reads(text: str) -> bool:
    """Whether the text reads as TOML."""
    try:
        load_toml(text)
    except tomllib.TOMLDecodeError:
        return False
    return True


def string_lines(text: str) -> set[int]:
    """The offsets of the lines that start inside a multi-line string (only a hand-written
    entry has one: govscore writes every string on one line)."""
    if '"""' not in text and "'''" not in text:
        return set()
    lines = text.split("\n")
    inside = inside_strings(lines)
    starts = itertools.accumulate((len(line) + 1 for line in lines), initial=0)
    return {start for number, start in enumerate(starts) if number in inside}


def inside_strings(lines: Sequence[str]) -> set[int]:
    """The indexes of the lines that start inside a multi-line string (the first line
    outside one): a `#` or `id = "…"` line there is a note's text (reviews BM F4, BN F1).
    Only a hand-written entry has such a string: most texts are passed at once."""
    if not any('"""' in line or "'''" in line for line in lines):
        return set()
    inside: set[int] = set()
    quote: str | None = None
    for number, line in enumerate(lines):
        if quote is not None:
            inside.add(number)
        quote = _open_quote(line, quote)
    return inside


def _open_quote(line: str, quote: str | None) -> str | None:
    """The multi-line string delimiter still open at the end of a line, if any.

    `quote` is the one open at its start. Single-line strings and comments are skipped,
    so a triple quote inside them (a note about quotes, say) opens nothing.
    """
    i = 0
    while i < len(line):
        if quote is not None:
            if quote == '"""' and line[i] == "\\":
                i += 2  # pragma: no mutate (i = 2, i -= 2 loop)
            elif line.startswith(quote, i):
                i += 3  # pragma: no mutate (i = 3 loops)
                # Up to two more quotes still belong to the string.
                while line.startswith(quote[0], i):  # pragma: no mutate (quote[1] is the same)
                    i += 1
                quote = None
            else:
                i += 1  # pragma: no mutate (i = 1 loops)
            continue
        char = line[i]
        if char == "#":
            break  # pragma: no mutate (return: no quote is open here)
        if line.startswith(('"""', "'''"), i):
            quote = line[i : i + 3]
            i += 3  # pragma: no mutate (i = 3 loops once i is past 3)
        elif char in "\"'":
            i += 1  # pragma: no mutate (i = 1 loops)
            while i < len(line) and line[i] != char:
                step = 2 if char == '"' and line[i] == "\\" else 1  # an escape takes two
                i += step  # pragma: no mutate (i = step loops)
            i += 1  # pragma: no mutate (i = 1 loops)
        else:
            i += 1  # pragma: no mutate (i = 1 loops)
    return quote


# Strings and comments (whose brackets are text) and brackets, for finding deep nesting.
_NESTING = re.compile(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[\[{]|[\]}]',
    re.DOTALL,
)


class NestedTooDeep(tomllib.TOMLDecodeError):
    """TOML nested deeper than tomllib can read (it recurses, and Python's stack ends
    some 300 levels down): a syntax error like any other, at the line where the nesting
    is deepest, so every reader of TOML names it as it names the others."""

    def __init__(self, text: str):
        depth = deepest = at = 0
        for found in _NESTING.finditer(text):
            mark = found.group()
            if mark in ("[", "{"):
                depth += 1
                if depth > deepest:
                    deepest, at = depth, found.start()
            elif mark in ("]", "}"):
                depth -= 1
        line = text.count("\n", 0, at) + 1
        column = at - text.rfind("\n", 0, at)
        # ValueError's own: tomllib's newer TOMLDecodeError wants the document as well.
        ValueError.__init__(self, f"{TOML_TOO_DEEP} (at line {line}, column {column})")


class NumberTooLong(tomllib.TOMLDecodeError):
    """A whole number of more digits than Python turns into an int (4300): tomllib raises
    a plain ValueError for it; here a syntax error at its line, as every reader names one."""

    def __init__(self, text: str):
        found = _LONG_NUMBER.search(text)
        at = found.start() if found is not None else 0
        line = text.count("\n", 0, at) + 1
        column = at - text.rfind("\n", 0, at)
        ValueError.__init__(self, f"{TOML_NUMBER_TOO_LONG} (at line {line}, column {column})")


_LONG_NUMBER = re.compile(r"[0-9_]{4301,}")


def load_toml(text: str, **options: Any) -> dict[str, Any]:
    """tomllib.loads, with nesting too deep for it a TOMLDecodeError (NestedTooDeep), not
    a RecursionError that would take every command down, and so a number too long."""
    try:
        return tomllib.loads(text, **options)
    except RecursionError:
        raise NestedTooDeep(text) from None
    except tomllib.TOMLDecodeError:
        raise
    except ValueError as exc:
        if "integer string conversion" not in str(exc):
            raise
        raise NumberTooLong(text) from None


def parse_toml_ledger(
    text: str,
    file: str,
    month: str,
    fast: bool = True,
    take: Callable[[PlainTables], Collection[int]] | None = None,
    controls: bool | None = None,
) -> ParsedFile:
    """Parse a month's TOML ledger, one [[entry]] table at a time.

    `fast` reads the tables govscore writes with tomlfast; fast=False reads every table
    with tomllib (the tests compare the two). `take` may claim plain tables before they
    become entries (see tomlfast.read_chunks); those are not in the result. `controls`:
    whether the text may hold a control character (see tomlfast.read_chunks).
    """
    problems: list[Problem] = []
    entries: list[Entry] = []
    breaks: list[Problem] = []
    text = as_read(text)
    newlines = text.count("\n")
    torn, found_strays, read = _blanked(text)
    for batch in torn:
        breaks.append(Problem(file, batch.line, batch.message(month)))
        problems.append(breaks[-1])
    for stray in found_strays:
        problems.append(Problem(file, stray.line, stray.message(), "", stray.entry))
    # A stray last line without its newline leaves the file unended, blank or not.
    stray_end = bool(found_strays) and found_strays[-1].stop == len(text)
    unended = stray_end and not text.endswith("\n")
    text = read
    cut = found_strays[-1].entry if unended else ""  # the id of a last entry left out
    unended = unended or (bool(text) and not text.endswith("\n"))
    # A last batch whose end mark matches holds every byte it announced: nothing of it was
    # cut, though an editor took away the newline after it (a torn or changed one is
    # blank lines by now, its mark with it).
    whole_last = unended and ends_whole_batch(text)
    if unended and not whole_last and not text.endswith("\n"):
        text, cut = _leave_out_last(text)
    quick = (
        read_chunks(
            text,
            take,
            controls=controls,  # pragma: no mutate (equivalent: None, and read_chunks looks)
        )
        if fast
        else None
    )
    if quick is None:
        preamble, split = split_entries(text)
        chunks = [Chunk.of_text(line, chunk) for line, chunk in split]
    else:
        preamble, chunks = quick
    try:
        if load_toml(preamble):
            problems.append(
                Problem(
                    file, 1, _("only [[entry]] tables may stand in a ledger file (and comments)")
                )
            )
    except tomllib.TOMLDecodeError as exc:
        breaks.append(Problem(file, _error_line(exc, 1), _not_toml(exc)))
        problems.append(breaks[-1])
    for found_chunk in chunks:
        line, fields = found_chunk.line, found_chunk.fields
        if fields is not None:
            made = quick_entry(fields, month, file, line)
            if made is not None:
                entries.append(made)
                continue
        try:
            data = load_toml(found_chunk.text, parse_float=Decimal)
        except tomllib.TOMLDecodeError as exc:
            said = _twice(exc, found_chunk.text, file) or _not_toml(exc)
            breaks.append(Problem(file, _error_line(exc, line), said))
            problems.append(breaks[-1])
            continue
        tables = data.get("entry")
        if set(data) != {"entry"} or not isinstance(tables, list) or len(tables) != 1:
            # A chunk begins with an [[entry]] header: `entry` is a non-empty list of tables.
            entry_id = tables[0].get("id")
            problems.append(
                Problem(
                    file,
                    line,
                    _("an [[entry]] table may hold only key = value lines"),
                    "",
                    entry_id if isinstance(entry_id, str) else "",
                )
            )
            continue
        entry, found = build_entry(tables[0], month, file, line)
        problems.extend(found)
        if entry is not None:
            entries.append(entry)
    if unended:
        message = (
            _(
                "the file does not end with a newline, though its last batch is whole (an "
                "editor took the newline away?): its entries count; end the file with a "
                "newline, and govscore appends to it again"
            )
            if whole_last
            else _(
                "the file does not end with a newline: its last entry may be cut off "
                "(power loss or an editor), and it is left out; repair the last entry "
                "and end the file with a newline"
            )
        )
        breaks.append(Problem(file, newlines + 1, message, "", cut))
        problems.append(breaks[-1])
    if "\n<<<<<<< " in text or text.startswith("<<<<<<< "):
        breaks, problems = _conflicts(text, file, breaks, problems)
    broken_by = breaks[0] if breaks else None
    problems.sort(key=lambda p: p.line)  # a torn batch is named where it stands
    return ParsedFile(tuple(entries), tuple(problems), bool(breaks), newlines, broken_by)


_CONFLICT = re.compile(r"^(<{7}|\|{7}|={7}|>{7})(?: [^\n]*)?$", re.MULTILINE)


def _conflicts(
    text: str, file: str, breaks: list[Problem], problems: list[Problem]
) -> tuple[list[Problem], list[Problem]]:
    """The marker lines a merge git could not resolve leaves (<<<<<<<, =======, >>>>>>>),
    each named as such in place of what the TOML reader says of it ("invalid statement"
    tells a clerk nothing)."""
    marks: dict[int, str] = {}
    for found in _CONFLICT.finditer(text):
        marks[text.count("\n", 0, found.start()) + 1] = found.group(1)
    if not marks:
        return breaks, problems
    message = _(
        "a git conflict marker ({marker}): a merge left this file unresolved; keep the "
        "entries of both sides, delete the lines <<<<<<<, ======= and >>>>>>> (and the "
        "common version from ||||||| to =======, where git shows one), then commit"
    )
    named = [Problem(file, line, message.format(marker=mark)) for line, mark in marks.items()]
    breaks = [*named, *(p for p in breaks if p.line not in marks)]
    problems = [*named, *(p for p in problems if p.line not in marks)]
    return breaks, problems


_HEADERS = re.compile(_HEADER.pattern, re.MULTILINE)  # every header line of a text
_ID_LINE = re.compile(r'^[ \t]*id[ \t]*=[ \t]*"([^"\\\n]*)"', re.MULTILINE)


def _blanked(text: str) -> tuple[list[Torn], list[Stray], str]:
    """The text's torn batches and stray lines (batches.scan, strays), and the text with
    their lines made blank: their entries never count, the readers see blank lines."""
    torn, ended = scan(text, string_lines(text))
    found_strays = strays(text, ended)
    if torn or found_strays:
        text = blank(text, sorted((*torn, *found_strays), key=operator.attrgetter("start")))
    return torn, found_strays, text


def left_out_last(text: str) -> int | None:
    """Where the last [[entry]] table of a TOML month file (as read: BOM and CRs taken
    away) begins that parse_toml_ledger leaves out for want of the file's last newline
    (it may be cut off: `count = 45` cut to `count = 4`); None where none is. The audit
    takes that table for text that never counted, as a torn batch (review BO F5)."""
    read = _blanked(text)[2]
    if not read or read.endswith("\n") or ends_whole_batch(read):
        return None
    start = _last_header(read)
    if start is None:
        return None
    return line_offset(text, read.count("\n", 0, start) + 1)  # the same line of the text


def _last_header(text: str) -> int | None:
    """Where the text's last [[entry]] header line begins (None: it has none)."""
    start = None
    for header in _HEADERS.finditer(text):
        start = header.start()
    return start


def _leave_out_last(text: str) -> tuple[str, str]:
    """A text that does not end with a newline, its last [[entry]] table made blank lines
    (it may be cut off: `count = 45` cut to `count = 4` would read as whole), every line
    keeping its number; and that table's id, if it has one, which stays taken. (Scanned
    whole: only a file without its last newline is.)"""
    start = _last_header(text)
    if start is None:
        return text, ""
    found = _ID_LINE.search(text, start)
    return text[:start] + "\n" * text.count("\n", start), found[1] if found else ""


def _error_line(exc: tomllib.TOMLDecodeError, first_line: int) -> int:
    found = _TOML_AT.search(str(exc))
    return first_line + int(found.group(1)) - 1 if found else first_line


_OVERWRITE = "Cannot overwrite a value"


def _twice(exc: tomllib.TOMLDecodeError, table: str, file: str) -> str | None:
    """A field written twice in one [[entry]] table, said as what probably happened: a
    merge interleaved two entries' lines (two branches of one clone number the same ids,
    and git's union merge keeps the lines of both; review aq F9). None for another error."""
    if not str(exc).startswith(_OVERWRITE):
        return None
    found = _TOML_AT.search(str(exc))
    lines = table.split("\n")
    at = int(found.group(1)) - 1 if found else len(lines) - 1
    while at > 0 and not lines[at].strip():  # at the end of the text: its last line
        at -= 1
    name = lines[at].partition("=")[0].strip() if at < len(lines) else ""
    message = _(
        "not valid TOML: {field} is written twice in one [[entry]] table: probably two "
        "entries' lines were interleaved by a merge (the same id numbered on two branches "
        "of one clone); `git log --merges -- {file}` finds the merge M, and `git show "
        "M^1:{file}` and `git show M^2:{file}` each side's entries: write the two entries "
        "apart, each under its own [[entry]] header (the second under an id of its own), "
        "then run `govscore check`"
    )
    return message.format(field=name or "?", file=file)


def _not_toml(exc: tomllib.TOMLDecodeError) -> str:
    reason = _TOML_AT.sub("", str(exc)).strip()
    return _("not valid TOML: {reason}").format(reason=parser_reason(reason))


# The most characters one CSV cell may hold. Python's csv stops at 128 KiB, which a long
# note pasted in passes, where a TOML ledger reads a 20 MB one; set once, here, for every
# CSV file govscore reads (a month's ledger, an import, which reads through this module).
CSV_CELL_MOST = 2**26
csv.field_size_limit(CSV_CELL_MOST)
_CSV_TOO_LONG = re.compile(r"field larger than field limit \(\d+\)")
_CSV_AFTER_QUOTE = re.compile(r"'.' expected after '.'")


def csv_reason(exc: csv.Error) -> str:
    """What is wrong, in govscore's words: csv's own are English, whatever the language."""
    said = str(exc)
    if said == "unexpected end of data":
        return _("a quote opened in this row is never closed: the file ends inside it")
    if _CSV_TOO_LONG.fullmatch(said):
        return _("a cell holds more than {most} characters").format(most=CSV_CELL_MOST)
    if _CSV_AFTER_QUOTE.fullmatch(said):
        return _(
            "a cell in quotes goes on after its closing quote (a quote inside a cell is "
            'written as two, "")'
        )
    if "NUL" in said:
        return _("a NUL character (a byte 0), which a CSV file cannot hold")
    return _("the text does not read as CSV rows")


def csv_records(text: str) -> list[tuple[int, list[str], list[str] | None]]:
    """A CSV file's records as parse_csv_ledger reads them: (first line, its lines without
    their ends, its cells). A quoted cell's line breaks stay inside its record. From a
    record that does not read as CSV on (where the reader stops), each line stands alone,
    without cells (None: the ledger reads none of them)."""
    lines = io.StringIO(text, newline="").readlines()
    read = io.StringIO(text.removeprefix("\ufeff"), newline="")
    reader = csv.reader(read, strict=True)
    records: list[tuple[int, list[str], list[str] | None]] = []
    done = 0
    try:
        for cells in reader:
            held = [line.rstrip("\r\n") for line in lines[done : reader.line_num]]
            records.append((done + 1, held, cells))
            done = reader.line_num
    except csv.Error:
        records += [
            (n, [line.rstrip("\r\n")], None) for n, line in enumerate(lines[done:], done + 1)
        ]
    return records


def open_csv_row(text: str) -> int | None:
    """The line where a CSV text's last row begins, if it ends inside a quoted cell (a
    quote never closed: the text ends before the row does); None otherwise. An append to
    such a text continues that row (review BJ J4)."""
    if '"' not in text:
        return None
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    done = 0
    try:
        for _cells in reader:
            done = reader.line_num
    except csv.Error as exc:
        # The reader stops at the text's end inside a quoted cell with these words; at any
        # other fault (a quote in an unquoted cell) the row is broken, not open.
        return done + 1 if "unexpected end of data" in str(exc) else None
    return None


def parse_csv_ledger(text: str, file: str, month: str) -> ParsedFile:
    """Parse a month's CSV ledger: a header row naming entry fields, one entry a row."""
    problems: list[Problem] = []
    entries: list[Entry] = []
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    line = 1
    try:
        header = next(reader, None)
        if header is None:
            return ParsedFile((), ())
        header = [h.strip() for h in header]
        for number, name in enumerate(header):
            if name not in FIELDS:
                message = _("unknown column {name!r}{hint}").format(
                    name=name, hint=_did_you_mean(name)
                )
                problems.append(Problem(file, 1, message, name))
            elif name in header[:number]:
                message = _("column {name!r} appears twice; keep one of them").format(name=name)
                problems.append(Problem(file, 1, message, name))
        if problems:
            return ParsedFile((), tuple(problems), broken=True, broken_by=problems[0])
        line = reader.line_num + 1
        last: tuple[int, list[str], int, int] | None = None  # the last row, where it began
        for row in reader:
            last = (line, row, len(entries), len(problems))
            _csv_row(row, header, month, file, line, entries, problems)
            line = reader.line_num + 1
        if last is not None and any(cell.strip() for cell in last[1]) and text[-1:] not in "\r\n":
            # As in a TOML file: a cut row reads as whole (45 cut to 4), so it is left out.
            first, row, before, found = last
            cut = dict(zip(header, row, strict=False)).get("id", "").strip()
            del entries[before:], problems[found:]
            message = _(
                "the file does not end with a newline: its last row may be cut off "
                "(power loss or an editor), and it is left out; repair the last row "
                "and end the file with a newline"
            )
            problems.append(Problem(file, first, message, "", cut))
    except csv.Error as exc:
        broken_by = Problem(
            file,
            line,
            _("not valid CSV: {reason}; the rows from here on are not read").format(
                reason=csv_reason(exc)
            ),
        )
        return ParsedFile(tuple(entries), (*problems, broken_by), True, broken_by=broken_by)
    if "\n<<<<<<< " in text:
        breaks, problems = _conflicts(text.removeprefix("\ufeff"), file, [], problems)
        if breaks:
            ordered = tuple(sorted(problems, key=lambda p: p.line))
            return ParsedFile(tuple(entries), ordered, True, broken_by=breaks[0])
    return ParsedFile(tuple(entries), tuple(problems))


def _csv_row(
    row: list[str],
    header: list[str],
    month: str,
    file: str,
    line: int,
    entries: list[Entry],
    problems: list[Problem],
) -> None:
    if not any(cell.strip() for cell in row):
        return
    if any(cell.strip() for cell in row[len(header) :]):
        problems.append(Problem(file, line, too_many_cells(len(row), len(header))))
        return
    # A row shorter than the header: its missing cells are blank (zip stops at its end).
    raw = {k: v for k, v in zip(header, row) if v.strip() != ""}  # noqa: B905
    entry, found = build_entry(raw, month, file, line)
    problems.extend(found)
    if entry is not None:
        entries.append(entry)


def too_many_cells(cells: int, columns: int) -> str:
    """What a CSV row with a filled cell past its header's last column is told (a ledger's
    CSV month, an import file): more cells than the header names, 1 column or 3."""
    return ngettext(
        "{cells} cells, but the header names {columns} column "
        "(a comma too many, or a cell with a comma that is not in quotes?)",
        "{cells} cells, but the header names {columns} columns "
        "(a comma too many, or a cell with a comma that is not in quotes?)",
        columns,
    ).format(cells=cells, columns=columns)


def _did_you_mean(name: str, choices: Iterable[str] = FIELDS) -> str:
    close = difflib.get_close_matches(name, list(choices))
    suggestion = _("; did you mean {close!r}?").format(close=close[0]) if close else ""
    return _("{hint} (allowed: {fields})").format(hint=suggestion, fields=listing(FIELDS))


def build_entry(
    raw: dict[str, Any], month: str, file: str, line: int
) -> tuple[Entry | None, list[Problem]]:
    """Turn one entry's raw fields (from TOML or CSV) into an Entry, or say what is wrong."""
    problems: list[Problem] = []
    entry_id = raw.get("id")
    if isinstance(entry_id, int) and not isinstance(entry_id, bool):
        entry_id = str(entry_id)
    entry_id = entry_id.strip() if isinstance(entry_id, str) else ""

    def problem(field: str, message: str) -> None:
        problems.append(Problem(file, line, message, field, entry_id))

    if not entry_id:
        problem("id", _("the entry has no id (every entry needs a unique id)"))
    elif not entry_id.isascii() and (hidden := _hidden_in(entry_id)):
        message = _(
            "id {id} holds characters that cannot be seen ({codes}): it would read as "
            "another id; write it without them"
        )
        shown = "".join(_code_of(c) if c in hidden else c for c in entry_id)
        codes = listing(f"U+{ord(c):04X}" for c in sorted(hidden))
        problem("id", message.format(id=shown, codes=codes))
    # The entry as a list by place, its defaults first (a million are made on an import:
    # made from a list, an Entry skips its keyword arguments).
    values = [entry_id, month, file, line, *_DEFAULTS]
    for name, value in raw.items():
        place = _PLACE.get(name)
        if place is None:
            problem(
                name, _("unknown field {name!r}{hint}").format(name=name, hint=_did_you_mean(name))
            )
            continue
        if name == "id":
            continue
        # The memo only saves work: its mutants that turn it off or fill it more are the same.
        kind = value.__class__  # pragma: no mutate (memo)
        kept = kind in _KEPT and name not in _UNKEPT  # pragma: no mutate (memo)
        known = _CONVERTED.get((name, kind, value)) if kept else None  # pragma: no mutate (memo)
        if known is not None:
            values[place] = known
            continue
        try:
            converted = _convert(name, value)
        except Refused as exc:
            problem(name, str(exc))
            continue
        except ValueError as exc:
            problem(name, _("{field}: {reason}").format(field=field_word(name), reason=exc))
            continue
        if converted is None:
            continue  # unset: the default stands
        values[place] = converted
        if kept and len(_CONVERTED) < _KEEP:  # pragma: no mutate (memo)
            _CONVERTED[(name, kind, value)] = converted  # pragma: no mutate (memo)
    if problems:
        return None, problems
    return Entry._make(values), []


# Where each stored field stands in an Entry (a tuple: read by place, not by name), its
# values in that order (in C), and the defaults of the places after `line`.
_PLACES = tuple((name, Entry._fields.index(name)) for name in FIELDS)
_PLACE = dict(_PLACES)
_STORED = operator.itemgetter(*_PLACE.values())
_DEFAULTS = tuple(Entry._field_defaults[name] for name in Entry._fields[4:])


# Values read once by _convert (an import's million rows repeat their departments,
# clauses, counts and dates): of these exact types only, so that 1, True and
# Decimal("1.0"), which are equal, are never taken for each other.
_KEPT = frozenset({str, int, date})
_UNKEPT = frozenset({"key", "note"})  # different in (nearly) every entry
_CONVERTED: dict[tuple[str, type, Any], Any] = {}
_KEEP = 200_000


def _shown(value: Any) -> str:
    """A raw value as the clerk wrote it: a CSV cell's text (or a TOML string) in quotes,
    anything else as TOML writes it (07:32:00, {a = 1}, true)."""
    if isinstance(value, str):
        return repr(value)
    return toml_value(value)


class Refused(ValueError):
    """A value refused in the door's own words, which name the field already."""


def _convert(name: str, value: Any) -> Any:
    if name in _INT_FIELDS:
        if isinstance(value, str):
            value = value.strip()
            refused = too_many(value)  # 1e5000, or 5000 digits: never made an int
            if refused is not None:
                raise Refused(refused)
            if not re.fullmatch(r"[+-]?\d+", value):
                raise ValueError(_("{value} is not a whole number").format(value=_shown(value)))
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, Decimal) and value == value.to_integral_value():
            refused = count_refusal(value)  # count = 1e5000: never made an int
            if refused is not None:
                raise Refused(refused)
            return int(value)
        raise ValueError(_("{value} is not a whole number").format(value=_shown(value)))
    if name in _DECIMAL_FIELDS:
        if isinstance(value, bool):
            raise ValueError(_("{value} is not a number").format(value=_shown(value)))
        if isinstance(value, int | Decimal):
            number = Decimal(value)
        elif isinstance(value, str):
            try:
                number = Decimal(value.strip())
            except InvalidOperation:
                raise ValueError(_("{value} is not a number").format(value=_shown(value))) from None
        else:
            raise ValueError(_("{value} is not a number").format(value=_shown(value)))
        if not number.is_finite():  # nan and inf parse as TOML floats
            raise ValueError(_("{value} is not a number").format(value=_shown(value)))
        return number
    if name in _BOOL_FIELDS:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ValueError(_("{value} is not true or false").format(value=_shown(value)))
    if name == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(
                    missing_day(value)
                    or _("{value} is not a date (YYYY-MM-DD)").format(value=_shown(value))
                ) from None
        raise ValueError(_("{value} is not a date (YYYY-MM-DD)").format(value=_shown(value)))
    if name == "through":
        text = str(value).strip()
        if not is_month(text):
            raise ValueError(_("{value} is not a month (YYYY-MM)").format(value=_shown(value)))
        return text
    if name == "recorded" and isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        raise ValueError(_("expected text, got a table or list"))
    text = str(value)
    if _SURROGATE.search(text):  # undecodable bytes in argv arrive as lone surrogates
        raise ValueError(
            _(
                "holds bytes that are not valid UTF-8 text (type it again, "
                "or save the file it came from as UTF-8)"
            )
        )
    return text.strip() if name in _NAME_FIELDS else text


# A rate's numerator and denominator count cases: whole, they are written as TOML integers
# (read back as the same Decimal, so a ledger written 5.0 before scores the same).
_CASE_FIELDS = frozenset({"numerator", "denominator"})


def entry_fields(entry: Entry) -> dict[str, Any]:
    """An entry's stored fields, in FIELDS order, leaving out what is unset or default."""
    out: dict[str, Any] = {}
    score = entry.void is None and entry.close is None  # entry.kind == "score"
    for name, place in _PLACES:
        value = entry[place]
        if value is None or value == "" or (name == "recurring" and not value):
            continue
        if name == "count" and (not score or value == 1):
            continue
        if name in _CASE_FIELDS and _whole(value) and value <= MOST_CASES:
            # A number of cases, read by people and git diff: 5, not 5.0. One past the
            # bound is refused before it is written, and never made an int (1e5000000000).
            value = int(value)
        out[name] = value
    return out


def _whole(value: Any) -> bool:
    return isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value()


def entry_toml(entry: Entry, tag: str | None = None) -> str:
    """The text appended for one entry: a blank line, then one [[entry]] table.

    Each value is escaped by tomli-w, one key per line, so no text (quotes, newlines,
    a line reading [[entry]]) can break out of its string or forge a second entry.
    """
    return fields_toml(entry_fields(entry), tag)


def fields_toml(fields: dict[str, Any], tag: str | None = None) -> str:
    """One [[entry]] table. With a clone's tag, every line ends in `# tag`.

    git's union merge refines a conflict by the lines both sides share: two clones'
    entries that share a line (`[[entry]]`, `clause = "2.4.3"`) would be interleaved
    line by line. Lines that end in different clone tags share nothing, so the merge
    keeps each clone's entries whole.
    """
    mark = f"  # {tag}" if tag else ""
    lines = [f"[[entry]]{mark}"]
    for key, value in fields.items():
        # The plain kinds are written directly (an import writes a million entries, and
        # tomli-w takes most of the time), as tomli-w would: isprintable() is false for
        # every character either writer escapes; quotes and backslashes are looked for.
        kind = value.__class__  # pragma: no mutate (None: all through tomli-w, the same)
        if kind is str and value.isprintable() and '"' not in value and "\\" not in value:
            lines.append(f'{key} = "{value}"{mark}')
        elif kind is int:
            lines.append(f"{key} = {value}{mark}")
        elif kind is date:
            lines.append(f"{key} = {value.isoformat()}{mark}")
        else:
            lines.append(_toml_line(key, value) + mark)
    return "\n" + "\n".join(lines) + "\n"


def entry_lines(entry: Entry) -> int:
    """How many lines entry_toml(entry) takes, without writing it: its blank line, its
    header, and one line per field entry_fields keeps (every string is written on one
    line). Counted in C where it can be: an import counts a million entries."""
    values = _STORED(entry)
    lines = len(values) + 2 - values.count(None) - values.count("")
    if _set(entry.recurring) and not entry.recurring:
        lines -= 1
    count = entry.count
    if _set(count) and (entry.void is not None or entry.close is not None or count == 1):
        lines -= 1
    return lines


def _set(value: object) -> bool:
    return value is not None and value != ""


def _toml_line(key: str, value: Any) -> str:
    """`key = value` as tomli-w and _escaped write it (one line: tomli-w writes no
    multi-line strings unless asked)."""
    return _escaped(tomli_w.dumps({key: value})).removesuffix("\n")


def _escaped(line: str) -> str:
    """Escape what tomli-w leaves raw but editors and tools treat as a line break or hide.

    tomli-w escapes C0 controls and DEL only. NEL (\\x85), U+2028 and U+2029 end a line
    for str.splitlines, many editors and some diff viewers; bidi overrides and zero-width
    characters make a line read differently from what it holds. Written as \\u escapes
    (only ever inside a string: keys are ASCII), they parse back to the same text.
    """
    if line.isascii():
        return line
    return "".join(_escape_char(char) for char in line)


def _hidden_in(text: str) -> set[str]:
    """The characters of a text that print as nothing or as a plain space: format and
    control characters (U+200B, U+202E), line separators, spaces other than ASCII's, and
    letters and marks that show as blank (U+3164 Hangul filler, U+2800, U+034F, variation
    selectors)."""
    return {
        c
        for c in text
        if not c.isascii()
        and (unicodedata.category(c) in _HIDDEN_CATEGORIES or c in _BLANK or _selector(c))
    }


_HIDDEN_CATEGORIES = {*_ESCAPED_CATEGORIES, "Zs"}
_BLANK = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180e\u2800\u3164\uffa0")


def _selector(char: str) -> bool:
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def _code_of(char: str) -> str:
    """A character as a TOML (and Python) escape: \\u and 4 digits, \\U and 8 beyond."""
    code = ord(char)
    return f"\\U{code:08x}" if code > 0xFFFF else f"\\u{code:04x}"


def _escape_char(char: str) -> str:
    if char.isascii() or unicodedata.category(char) not in _ESCAPED_CATEGORIES:
        return char
    code = ord(char)
    wide = code > 0xFFFF  # pragma: no mutate (U+FFFF and U+10000 are never escaped)
    return f"\\U{code:08x}" if wide else f"\\u{code:04x}"
