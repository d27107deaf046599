"""Bulk import: a CSV or Excel file becomes one Draft per row, each knowing its line.

`read_file` reads a file as Excel wrote it (CSV in UTF-8 or GB18030, or an .xlsx
workbook's first sheet) into a Table; the rest is pure: it takes the table and returns
drafts and problems; the CLI prints, and `record` validates the drafts against the whole
ledger and appends them all or none. A draft's source is "FILE:LINE", so a problem
`record` finds still names the row it came from.

Columns are named in English or in Chinese (部门, 条款, …). A row without a key is given
one made from what identifies it (every field but its note and recorder) and its place
among such rows of the file, so a re-run, or a later export repeating earlier rows with
their notes tidied, adds nothing (see Planner.read).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
import itertools
import json
import os
import re
import warnings
import zipfile
import zlib
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple
from xml.etree import ElementTree

from govscore import __version__
from govscore.errors import DataError, Problem, UsageError
from govscore.figures import plain
from govscore.i18n import N_, _, chinese, listing, os_reason
from govscore.ledger import cache
from govscore.ledger.identity import (
    IDENTITY,
    MADE_KEY,
    entry_identity,
    identity,
    identity_text,
    mark_matches,
    marked,
)
from govscore.ledger.identity import (
    digest as parts_digest,
)
from govscore.ledger.recording import Draft, entry_finder, key_conflicts
from govscore.ledger.text import csv_reason, too_many_cells
from govscore.model import FIELD_WORDS, FIELDS, Entry, field_word, month_of
from govscore.rules.config import Departments
from govscore.written import (
    ID_FIELDS,
    NUMBER_FIELDS,
    canonical_fields,
    decode_text,
    fold,
    read_month,
)

# Fields of an entry an import may not set, and why: said by name, not as "unknown".
REFUSED = {
    "id": N_("govscore assigns ids; leave the id column out (use key to make a row idempotent)"),
    "recorded": N_("govscore stamps the time of recording; leave the recorded column out"),
    "void": N_("voids are recorded one at a time with `govscore void ID --reason …`"),
    "reason": N_("reasons belong to voids, recorded with `govscore void ID --reason …`"),
    "close": N_("closes are recorded one at a time with `govscore close ID --through YYYY-MM`"),
    "through": N_("through belongs to closes, recorded with `govscore close ID --through …`"),
}

# The columns an import may have: an entry's own fields, plus the ledger month of the row.
COLUMNS = (*(name for name in FIELDS if name not in REFUSED), "month")

# The same columns in Chinese, as the office's spreadsheets head them (the template's
# order); 层级 and 去重键 are the glossary's words for level and key.
CHINESE = {
    "部门": "department",
    "条款": "clause",
    "次数": "count",
    "分值": "points",
    "层级": "level",
    "比率": "value",
    "分子": "numerator",
    "分母": "denominator",
    "事项": "matter",
    "关联": "ref",
    "逐月计分": "recurring",
    "日期": "date",
    "月份": "month",
    "说明": "note",
    "记录人": "by",
    "去重键": "key",
}
# The office's words (GLOSSARY) head the template; the words of earlier templates
# (等级, 持续, 键) still read.
HEADERS = {
    **{name: name for name in COLUMNS},
    **CHINESE,
    "等级": "level",
    "持续": "recurring",
    "键": "key",
}

# A row whose first filled cell starts with this is a comment (the template's example).
COMMENT = "#"
# … unless the cell is an error value of Excel or WPS (a department looked up with VLOOKUP
# and not found: #N/A), which a CSV export writes as this text too: such a row is read,
# and its cell is a problem, never a row dropped unseen (review BF F4).
CELL_ERRORS = frozenset(
    {
        "#N/A",
        "#VALUE!",
        "#REF!",
        "#DIV/0!",
        "#NUM!",
        "#NAME?",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#GETTING_DATA",
    }
)

# Columns an office's sheet numbers its rows with (序号, or 序 号 as a merged cell is often
# typed): read and left out, for they decide nothing. 编号 is no such column: it is the
# word for an entry's id, which an import may not set.
LEFT_OUT = frozenset({"序号"})

# The header is looked for among this many rows at the top: a sheet's title (a merged
# "2026年11月政务服务考评扣分记录"), a date line or blank rows may stand above it.
HEADER_SEARCH = 10


# The identity fields read as words.
_WORDED = frozenset({"recurring", "matter"})
_PLAIN = "plain"  # a column whose identity part is its part as written

# Said in an import's fingerprint: how made keys are made (a kept import of keys made
# otherwise is not taken for this one). "identity-2": a made key gives way to a key the
# file writes (before, a written row-… key below a key-less row was taken for a repeat);
# "identity-3": a matter is part of it as compared (安全生产“一件事” is 安全生产一件事).
KEY_SCHEME = "identity-3"

# Cells kept exactly as written; every other cell is stripped of surrounding spaces, so a
# key or a clause id pasted with a trailing space still matches.
_VERBATIM = {"note"}

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True)
class Table:
    """A file read: its header, and its non-empty rows with their first lines.

    `rows` may be read more than once; a CSV file's rows are read from its text each
    time (a million rows' cells need not all be held), and a row that breaks the CSV
    quoting raises Unreadable when it is come to. `size` says about how many rows there
    are (its lines), for a progress bar. `digest` is of the file's bytes and the
    encoding asked for, when it was read from a file (see Planner.fingerprint).
    """

    header: tuple[str, ...]
    rows: Iterable[tuple[int, Sequence[str]]]
    problems: tuple[Problem, ...]
    size: int = 0
    digest: str = ""
    notes: tuple[Problem, ...] = ()  # worth a look, never a refusal (a sheet not read)
    written: tuple[str, ...] = ()  # the header as the file writes it (部门, 次数 …)
    # A CSV file's text, which its rows are read from: a look for a string in any cell
    # needs no reading of them (None: a workbook's, or a table not read from a file).
    text: str | None = None

    def column(self, field_name: str) -> str:
        """A field by the name its column has in the file: a clerk's 部门, not department.

        A field the file has no column for is named as the clerk would head it: in
        Chinese (事项) in a file headed in Chinese, else by its English name (matter).
        """
        for name, written in zip(self.header, self.written, strict=False):
            if name == field_name and written:
                return written
        if any(not written.isascii() for written in self.written):
            return FIELD_WORDS.get(field_name, field_name)
        return field_name

    def place(self, field_name: str) -> int:
        """Where a field's column stands in the file (after the last, when it has none)."""
        try:
            return self.header.index(field_name)
        except ValueError:
            return len(self.header)


class Unreadable(Exception):
    """Rows past this point cannot be read (broken CSV quoting): the import is only this."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class Repeat:
    """A row whose key an earlier row of the same file already has: it is skipped."""

    line: int
    key: str
    first: int  # the line of the row that has the key first


@dataclass(frozen=True)
class Plan:
    """What an import file asks for: drafts to record, rows skipped, rows that are wrong."""

    drafts: tuple[Draft, ...]
    repeats: tuple[Repeat, ...]
    problems: tuple[Problem, ...]
    rows: int  # non-empty data rows read


def decode(data: bytes, file: str, encoding: str | None = None) -> tuple[str, str]:
    """The file's text and the encoding read: forced, else BOM, else UTF-8, else GB18030.

    Chinese Excel saves "CSV" as GB18030 and "CSV UTF-8" with a BOM; both must import
    without the clerk knowing which one they chose.
    """
    if encoding is not None:
        try:
            info = codecs.lookup(encoding)
        except LookupError:
            message = _(
                "--encoding {encoding!r}: unknown encoding (try utf-8, utf-8-sig or gb18030)"
            )
            raise UsageError(message.format(encoding=encoding)) from None
        if not getattr(info, "_is_text_encoding", True):  # rot13, hex, base64, zlib …
            raise DataError(
                _(
                    "{file}: cannot be read with --encoding {encoding}: it is not a text "
                    "encoding (it turns bytes into bytes, or text into text); name how the "
                    "file's text is stored: utf-8, utf-8-sig or gb18030"
                ).format(file=file, encoding=encoding)
            )
        return _decode_as(data, file, info.name), info.name
    if data.startswith(_UTF16_BOMS):
        raise DataError(
            _(
                "{file}: UTF-16 text (Excel's “Unicode text”), not CSV; save it as “CSV UTF-8” "
                "or pass --encoding utf-16"
            ).format(file=file)
        )
    try:
        text, found = decode_text(data)
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        byte = f"{exc.object[exc.start]:#04x}"
        if data.startswith(codecs.BOM_UTF8):
            message = _(
                "{file}:{line}: not {encoding} text (byte {byte} cannot be read); check --encoding"
            )
            raise DataError(
                message.format(file=file, line=line, encoding="utf-8-sig", byte=byte)
            ) from None
        raise DataError(
            _(
                "{file}:{line}: neither UTF-8 nor GB18030 text (byte {byte} cannot be read); "
                "save it as “CSV UTF-8”, or name its encoding with --encoding"
            ).format(file=file, line=line, byte=byte)
        ) from None
    return text.removeprefix("\ufeff"), found


def _decode_as(data: bytes, file: str, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(
            _(
                "{file}:{line}: not {encoding} text (byte {byte} cannot be read); check --encoding"
            ).format(file=file, line=line, encoding=encoding, byte=f"{exc.object[exc.start]:#04x}")
        ) from None
    except (UnicodeError, LookupError):  # the codec "undefined", or one that refuses
        # Said in govscore's words: the codec's own reason is Python's, in English.
        raise DataError(
            _(
                "{file}: cannot be read with --encoding {encoding}: that encoding reads no "
                "text; name how the file's text is stored: utf-8, utf-8-sig or gb18030"
            ).format(file=file, encoding=encoding)
        ) from None
    return text.removeprefix("\ufeff")


def read_file(path: Path, label: str, encoding: str | None = None) -> Table:
    """An import file as a Table: an Excel workbook (.xlsx) or CSV text in any encoding
    Excel writes."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(
            _("{file}: cannot read: {reason}").format(file=label, reason=os_reason(exc, path))
        ) from None
    if data.startswith(_XLS_MAGIC) and _ENCRYPTED in data:
        raise DataError(
            _(
                "{file}: the workbook is protected by a password (encrypted); open it in Excel "
                "or WPS, remove the password (or save a copy without one), and import that"
            ).format(file=label)
        )
    if data.startswith(_XLS_MAGIC):
        raise DataError(
            _(
                "{file}: an old Excel workbook (.xls); save it as .xlsx (Excel workbook) "
                "or as CSV UTF-8"
            ).format(file=label)
        )
    digest = hashlib.sha256(f"{encoding or ''}\n".encode("utf-8", "backslashreplace"))
    digest.update(data)
    if path.suffix.lower() in (".xlsx", ".xlsm") or data.startswith(b"PK\x03\x04"):
        return replace(read_workbook(data, label), digest=digest.hexdigest())
    text, _encoding = decode(data, label, encoding)
    return replace(read_table(text, label), digest=digest.hexdigest())


_XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # an OLE container: an .xls, or an encrypted .xlsx
# A workbook saved with a password is no zip but an OLE container holding the encrypted
# .xlsx as a stream of this name (MS-OFFCRYPTO), beside EncryptionInfo; the directory
# writes names in UTF-16.
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def read_workbook(data: bytes, file: str) -> Table:
    """The first sheet of an .xlsx workbook as a Table; a row's line is its row number.

    Date cells become days, whole numbers lose Excel's `.0`, and a cell shown as a
    percentage (0.935 shown as 93.5%, or as 94% under `0%`) is read as the percentage it
    holds (93.5). A formula the workbook holds no value for (a program other than Excel
    or WPS wrote it) is a problem of its row, never an empty cell (a count left empty
    would be read as 1). A damaged workbook is a message, never a traceback.
    """
    with warnings.catch_warnings():
        # openpyxl warns, in English, of what it drops from its own copy of a workbook (a
        # drop-down list drawn from another sheet, conditional formatting it does not
        # know, a header it cannot read): nothing of the cells read, nothing to act on.
        warnings.simplefilter("ignore")
        return _read_workbook(data, file)


def _read_workbook(data: bytes, file: str) -> Table:
    import openpyxl  # only imports pay for it
    from openpyxl.utils.datetime import from_excel

    try:
        _refuse_packing(data, file)
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except _DAMAGED as exc:
        raise _unreadable_workbook(file, exc) from None
    try:
        sheet, written_sheet = book.worksheets[0], formulas.worksheets[0]
        if sheet.sheet_state != "visible":
            raise DataError(_hidden_sheet(file, sheet.title))
        hidden, merged = _sheet_marks(data, getattr(sheet, "_worksheet_path", None))
        notes = _sheets_not_read(file, book.worksheets[1:])
        pairs = zip(sheet.iter_rows(), written_sheet.iter_rows(), strict=False)
        top = list(itertools.islice(pairs, HEADER_SEARCH))
        at = _header_place(
            [
                tuple(_cell_text(c.value, None, from_excel, book.epoch) for c in cells)
                for cells, _ in top
            ]
        )
        first = top[at][0] if top else ()
        written = tuple(_cell_text(cell.value, None, from_excel, book.epoch) for cell in first)
        read = _read_header(written, file, at + 1)
        header, written, dropped = read.fields, read.written, read.dropped
        if read.problems:
            return Table(header, (), tuple(read.problems))
        found: list[tuple[int, tuple[str, ...]]] = []
        refused: list[Problem] = []
        lead = sorted(read.unnamed)
        rest = itertools.chain(top[at + 1 :], pairs)
        merges = _Merges(merged, at + 2) if merged else None
        for line, (whole, as_written) in enumerate(rest, start=at + 2):
            if merges is not None and merges.into:
                whole = merges.fill(whole, line)
            if dropped and _commented(
                _cell_text(cell.value, None, from_excel, book.epoch) for cell in whole
            ):
                continue  # a comment, its # in a 序号 or blank leading column
            # Cells of columns the header leaves blank, before its first name or after
            # its last: none may be filled.
            for place in (*lead, *range(read.width, len(whole))):
                text = _cell_text(whole[place].value, None, from_excel, book.epoch).strip()
                if text:
                    refused.append(_stray(file, line, place, text, workbook=True))
            cells = _drop(whole, dropped)
            columns = (*header, *[""] * len(cells))
            row = tuple(
                _cell_text(cell.value, cell.number_format, from_excel, book.epoch, column)
                for cell, column in zip(cells, columns, strict=False)
            )
            as_written = _drop(as_written, dropped)
            for cell, text, column in zip(cells, as_written, columns, strict=False):
                formula = text.value
                if cell.value is None and isinstance(formula, str) and formula.startswith("="):
                    refused.append(_unworked(file, line, column, formula))
            if _counts(row):
                if line in hidden:
                    refused.append(_hidden_row(file, line))
                found.append((line, row))
    except _DAMAGED as exc:
        raise _unreadable_workbook(file, exc) from None
    finally:
        book.close()
        formulas.close()
    if refused:
        return Table(header, (), tuple(refused))
    return Table(header, tuple(found), (), len(found), notes=notes, written=written)


def _hidden_sheet(file: str, title: str) -> str:
    return _(
        "{file}: its first sheet {sheet!r}, the one imported, is hidden in Excel: show it "
        "(取消隐藏) if its rows are meant, or move the sheet to import first"
    ).format(file=file, sheet=title)


def _hidden_row(file: str, line: int) -> Problem:
    """A row hidden in Excel (or filtered out): the clerk would import it unseen."""
    message = _(
        "the row is hidden in the workbook (hidden, or filtered out, in Excel): show it "
        "to import it, or delete it"
    )
    return Problem(file, line, message)


# A row's start tag in a sheet's XML (any namespace prefix), and its attributes read.
_ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row\b([^>]*)>")
_ROW_HIDDEN = re.compile(rb"""\bhidden\s*=\s*["'](?:1|true)["']""")
_ROW_NUMBER = re.compile(rb"""\br\s*=\s*["'](\d+)["']""")
_MERGE_TAG = re.compile(
    rb"""<(?:[\w.-]+:)?mergeCell\b[^>]*\bref\s*=\s*["']\$?([A-Z]+)\$?(\d+):\$?([A-Z]+)\$?(\d+)["']"""
)


def _sheet_marks(data: bytes, part: str | None) -> tuple[frozenset[int], list[_Merge]]:
    """The numbers of the rows a sheet's XML marks hidden, and its merged cells.

    openpyxl's read-only sheets say neither (their rows' dimensions and merged cells are
    not read): the tags are found in the sheet's XML, a megabyte at a time.
    """
    if part is None:
        return frozenset(), []
    hidden: set[int] = set()
    merged: list[_Merge] = []
    number = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(part) as xml:
        rest = b""
        while chunk := xml.read(1 << 20):
            text = rest + chunk
            end = text.rfind(b"<")  # a tag the next chunk may finish
            text, rest = text[:end], text[end:]
            for tag in _ROW_TAG.finditer(text):
                attributes = tag.group(1)
                given = _ROW_NUMBER.search(attributes)
                number = int(given.group(1)) if given else number + 1
                if _ROW_HIDDEN.search(attributes):
                    hidden.add(number)
            for ref in _MERGE_TAG.finditer(text):
                first, top, last, bottom = ref.groups()
                merged.append(_Merge(_column(first), int(top), _column(last), int(bottom)))
    return frozenset(hidden), merged


class _Merge(NamedTuple):
    """A merged range of cells: its first and last column (1 is A) and row."""

    first: int
    top: int
    last: int
    bottom: int


# Merged cells filled past this many are left as Excel keeps them (blank but the first).
_MERGE_FILLED = 100_000


def _merged_into(merged: Sequence[_Merge], start: int) -> dict[tuple[int, int], tuple[int, int]]:
    """The cells below the first of merged ranges at or below row `start`, in the range's
    first column, each (row, column) with the (row, column) of its range's first cell: a
    clerk sees its value beside each of those rows (a department merged over its rows),
    where the workbook keeps it in the first only. A range merged across columns (a note
    made wider) fills no column to its right: the value stands in its own."""
    into: dict[tuple[int, int], tuple[int, int]] = {}
    for merge in merged:
        size = merge.bottom - merge.top
        if merge.top < start or not size or len(into) + size > _MERGE_FILLED:
            continue
        for row in range(merge.top + 1, merge.bottom + 1):
            into[(row, merge.first)] = (merge.top, merge.first)
    return into


def _column(letters: bytes) -> int:
    """A column's number from its letters (A is 1, AA is 27)."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


class _Merges:
    """A sheet's merged cells below its header, filled as a clerk sees them (see
    _merged_into): each row's cells with every merged cell taking its range's first."""

    def __init__(self, merged: Sequence[_Merge], start: int):
        self.into = _merged_into(merged, start)
        self.firsts: dict[tuple[int, int], Any] = dict.fromkeys(self.into.values())
        self.reach: dict[int, int] = {}  # a row → its last merged column
        for row, column in self.into:
            self.reach[row] = max(self.reach.get(row, 0), column)

    def fill(self, cells: tuple[Any, ...], line: int) -> tuple[Any, ...]:
        row = list(cells)
        for place, cell in enumerate(cells):
            if (line, place + 1) in self.firsts:
                self.firsts[(line, place + 1)] = cell
        for place in range(max(len(row), self.reach.get(line, 0))):
            first = self.into.get((line, place + 1))
            if first is not None and self.firsts.get(first) is not None:
                if place >= len(row):
                    row.extend([_EMPTY] * (place + 1 - len(row)))
                row[place] = self.firsts[first]
        return tuple(row)


class _Empty(NamedTuple):
    """A cell a row of a read-only sheet leaves out, where a merged range reaches."""

    value: Any = None
    number_format: str = "General"


_EMPTY = _Empty()


_EXAMPLE_ROWS = 3  # the template's example sheet: header, example row, note


# Cells of the sheets after the first looked at for anything filled in, in all: a clerk's
# other sheet (notes, a second list) holds a few thousand; a workbook of hundreds of
# sheets of blank styled cells (review BL F1: 200 sheets, 100 s) is not read through.
MOST_OTHER_CELLS = 1_000_000


def _sheets_not_read(file: str, others: Sequence[Any]) -> tuple[Problem, ...]:
    """Sheets after the first that hold anything: only the first is imported, and a
    clerk who filled in another should hear so (the template's example sheet is known).
    Past MOST_OTHER_CELLS cells looked at, the sheets left are named unread unlooked."""
    examples = {"example", chinese("example")}
    left = []
    budget = MOST_OTHER_CELLS
    for sheet in others:
        if budget <= 0:
            left.append(sheet.title)
            continue
        rows = 0
        for row in sheet.iter_rows(values_only=True):
            budget -= len(row) or 1
            rows += any(v is not None for v in row)
            if budget <= 0:
                break
        # The template's example sheet holds its header, the example row and a note: rows
        # a clerk typed below them are not read either.
        if rows > (_EXAMPLE_ROWS if sheet.title in examples else 0) or budget <= 0:
            left.append(sheet.title)
    if not left:
        return ()
    message = _("only the first sheet is imported; not read: {sheets}")
    return (Problem(file, 0, message.format(sheets=listing(repr(t) for t in left))),)


# What a damaged workbook raises as it is read: a zip that is not one, a part missing
# from it, XML cut short, a compressed part that does not unpack (a bad USB stick).
_DAMAGED = (
    zipfile.BadZipFile,
    KeyError,
    ValueError,
    OSError,
    EOFError,
    ElementTree.ParseError,
    zlib.error,
)
# How Excel, WPS and every zip tool's plain setting pack a part (bzip2 and LZMA Python reads
# too); Deflate64 (Windows' compressed folders, for a large file) and AES it cannot.
_PACKINGS = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)


# What a workbook's parts may unpack to, in all: 2 GiB. A million rows of the template's
# columns (a 25-character note, a key) are 0.4 GB of sheet XML as Excel writes them
# (shared strings, 392 bytes a row) and 0.6 GB as openpyxl or WPS do (inline strings, 592
# bytes a row; measured): the limit leaves three times that (2 KB a row, every column
# filled), and keeps what a clerk's mistake or a hostile file can make openpyxl read
# (a run of blanks it holds whole: 4 bytes of memory a byte) in bounds.
MAX_UNPACKED = 2 * 2**30
# How many times its packed size a part may unpack to. A sheet's XML packs 7 to 14 times
# (its cell references differ row by row; measured on Excel's and openpyxl's), a zip bomb's
# run of one byte 1,000 times: its 300 MB of blanks, 310 KB packed, took openpyxl 34 s
# and 1.3 GB of memory to read as no header (review J6). Parts under a megabyte unpack
# to nothing that matters, however they pack.
MAX_UNPACK_RATIO = 100
_SMALL_PART = 2**20


def _refuse_packing(data: bytes, file: str) -> None:
    """Refuse a workbook re-packed by a zip tool in a way Python cannot unpack: with a
    zip password, or compressed otherwise than Excel does. Said before openpyxl meets it
    (as a RuntimeError or NotImplementedError, which a program's own mistake raises too).

    Refuse too a workbook whose parts would unpack to more than is ever read (a zip bomb),
    by the sizes its zip's directory declares, before anything is unpacked: Python's
    zipfile, which openpyxl reads through, hands on no more of a part than its declared
    size (a part that holds more is cut there, and fails its checksum: a damaged
    workbook), so a directory that understates a size cannot make more be read."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = archive.infolist()
    swollen = max(parts, key=_unpack_ratio, default=None)
    total = sum(part.file_size for part in parts)
    packed = sum(part.compress_size for part in parts)
    if any(part.flag_bits & 0x1 for part in parts):
        why = _("a zip tool locked it with a password")
    elif any(part.compress_type not in _PACKINGS for part in parts):
        why = _("a zip tool packed it in a way that cannot be unpacked (Deflate64 or AES)")
    elif total > MAX_UNPACKED:
        why = _(
            "it would unpack to {size}, more than the {most} a workbook is read to (a "
            "million rows unpack to about 600 MB)"
        ).format(size=_megabytes(total), most=_megabytes(MAX_UNPACKED))
    elif swollen is not None and _unpack_ratio(swollen) > MAX_UNPACK_RATIO:
        why = _(
            "its part {part} would unpack to {size}, {ratio:,} times its packed size: no "
            "workbook's part unpacks to more than {most} times (a sheet, about 10 times), "
            "only a zip bomb's"
        ).format(
            part=swollen.filename,
            size=_megabytes(swollen.file_size),
            ratio=_unpack_ratio(swollen),
            most=MAX_UNPACK_RATIO,
        )
    elif total >= _SMALL_PART and total // max(packed, 1) > MAX_UNPACK_RATIO:
        # Many parts each under a megabyte, together a bomb (review BL F1: 200 sheets).
        why = _(
            "its parts would unpack to {size} in all, {ratio:,} times their packed size: no "
            "workbook unpacks to more than {most} times (a sheet, about 10 times), only a "
            "zip bomb"
        ).format(size=_megabytes(total), ratio=total // max(packed, 1), most=MAX_UNPACK_RATIO)
    else:
        return
    raise DataError(_not_a_workbook(file, why))


def _unpack_ratio(part: zipfile.ZipInfo) -> int:
    """How many times its packed size a part unpacks to (0 for a small part)."""
    if part.file_size < _SMALL_PART:
        return 0
    return part.file_size // max(part.compress_size, 1)


def _megabytes(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"


def _unreadable_workbook(file: str, exc: BaseException) -> DataError:
    if isinstance(exc, zipfile.BadZipFile | EOFError):
        why = _("it is not a whole .xlsx file (a zip archive)")
    elif isinstance(exc, KeyError):
        why = _("a part every workbook holds is missing from it")
    elif isinstance(exc, ElementTree.ParseError):
        why = _("a part of it is damaged (its XML is cut short or broken)")
    elif isinstance(exc, zlib.error):
        why = _("a part of it is damaged (its compressed data does not unpack)")
    else:
        why = _("it does not read as a workbook")
    return DataError(_not_a_workbook(file, why))


def _not_a_workbook(file: str, why: str) -> str:
    return _(
        "{file}: not an Excel workbook that can be read: {why}; save it again as .xlsx or "
        "as CSV UTF-8"
    ).format(file=file, why=why)


def _unworked(file: str, line: int, column: str, formula: str) -> Problem:
    message = _(
        "a formula the workbook holds no value for ({formula}): open the workbook in Excel "
        "or WPS and save it, so that it holds the formula's value"
    )
    return Problem(file, line, message.format(formula=formula[:40]), column)


def _cell_text(
    value: Any, number_format: str | None, from_excel: Any, epoch: Any, column: str = ""
) -> str:
    """A cell's value as the text a CSV export of it would hold, read back the same way."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, int | float):
        if column == "date" and not (number_format and "%" in number_format):
            try:  # a date cell formatted as a number: Excel's day count
                return from_excel(value, epoch).date().isoformat()
            except (ValueError, OverflowError, TypeError):
                pass
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if number_format and "%" in number_format:
            return f"{plain(number * 100)}%"
        return plain(number)
    return str(value)


def _first_filled(row: Iterable[str]) -> str | None:
    for cell in row:
        filled = cell.strip()
        if filled:
            return filled
    return None


def _counts(row: Sequence[str]) -> bool:
    """Whether a row is read: not empty, and not a comment (first filled cell starts #)."""
    first = _first_filled(row)
    return first is not None and not _comment(first)


def _commented(row: Iterable[str]) -> bool:
    """Whether a row as written, every column (a 序号 or a blank leading one too), is a
    comment: a clerk withdraws a numbered row by writing # in its 序号 cell (review BB F1)."""
    first = _first_filled(row)
    return first is not None and _comment(first)


def _comment(first: str) -> bool:
    return first.startswith(COMMENT) and first.upper() not in CELL_ERRORS


def _cell_error(file: str, line: int, name: str, value: str) -> Problem:
    """A cell holding a formula's error value (#N/A of a VLOOKUP that found nothing): the
    row says nothing there, in a key (every such row would share it), a note or a count."""
    message = _(
        "{field}: {value} is an error value of Excel or WPS (a formula that found nothing "
        "or failed), not what the row says: correct the cell in the workbook and export "
        "again"
    )
    return Problem(file, line, message.format(field=field_word(name), value=value), name)


def read_table(text: str, file: str) -> Table:
    """Read the header; the rows are read as they are asked for (see Table).

    A bad header stops the reading there, as does broken quoting in it or above it.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    top: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for row in reader:
            top.append((line, row))
            line = reader.line_num + 1
            if len(top) >= HEADER_SEARCH:
                break
    except csv.Error as exc:  # above anything like a header it stops the reading there
        if not any(_names_a_column(row) or _filled(row) >= 2 for _line, row in top):
            return Table((), (), (_unreadable(file, line, exc),))
    at = _header_place([row for _line, row in top])
    line, first = top[at] if top else (1, [])
    read = _read_header(first, file, line)
    if read.problems:
        return Table(read.fields, (), tuple(read.problems))
    # A sheet saved from column C on: its rows are read once more here, for a cell filled
    # before the header's first name (told with every problem of the rows).
    rows = _CsvRows(text, file, at + 1, read.dropped)
    stray = rows.strays(read.unnamed) if read.unnamed else []
    size = text.count("\n")
    return Table(read.fields, rows, tuple(stray), size, written=read.written, text=text)


@dataclass(frozen=True)
class _CsvRows:
    """A CSV text's rows after its header (the first `skip` records: the header and any
    title above it), read again each time they are asked for, without the columns left
    out (`dropped`, see LEFT_OUT)."""

    text: str
    file: str
    skip: int = 1
    dropped: frozenset[int] = frozenset()

    def __iter__(self) -> Iterator[tuple[int, Sequence[str]]]:
        reader = csv.reader(io.StringIO(self.text, newline=""), strict=True)
        line = 1
        dropped = self.dropped
        try:
            for _row in itertools.islice(reader, self.skip):
                line = reader.line_num + 1
            for row in reader:
                if dropped:  # a # in a column left out still makes the row a comment
                    row = () if _commented(row) else _drop(row, dropped)
                if _counts(row):
                    yield line, row
                line = reader.line_num + 1
        except csv.Error as exc:
            raise Unreadable(_unreadable(self.file, line, exc)) from None

    def strays(self, unnamed: frozenset[int]) -> list[Problem]:
        """Each filled cell, in a row read, of a column the header leaves blank before
        its first name (one of `dropped`, so its rows are read here as they are)."""
        reader = csv.reader(io.StringIO(self.text, newline=""), strict=True)
        found: list[Problem] = []
        places = sorted(unnamed)
        line = 1
        try:
            for _row in itertools.islice(reader, self.skip):
                line = reader.line_num + 1
            for row in reader:
                if not _commented(row) and _counts(_drop(row, self.dropped)):
                    found += [
                        _stray(self.file, line, place, row[place].strip(), workbook=False)
                        for place in places
                        if place < len(row) and row[place].strip()
                    ]
                line = reader.line_num + 1
        except csv.Error:  # the reading of the rows says so when it comes to it
            pass
        return found


def _unreadable(file: str, line: int, exc: csv.Error) -> Problem:
    return Problem(
        file,
        line,
        _("not valid CSV: {reason}").format(reason=csv_reason(exc)),
    )


def _header_place(top: Sequence[Sequence[Any]]) -> int:
    """Which of the rows at the top of a file is its header: the first that names a
    column govscore knows; else (every name misspelt) the first with two cells filled,
    else the first with any. A title, a date line or a blank row above it is passed over,
    so an office's sheet as it is printed imports as it stands."""
    for place, row in enumerate(top):
        if _names_a_column(row):
            return place
    for least in (2, 1):
        for place, row in enumerate(top):
            if _filled(row) >= least:
                return place
    return 0


def _filled(row: Sequence[Any]) -> int:
    """How many cells of a row hold anything but spaces."""
    return sum(1 for cell in row if fold(str(cell)))


def _names_a_column(row: Sequence[Any]) -> bool:
    """Whether a row names a column govscore knows (or refuses, or leaves out)."""
    names = (fold(str(cell)) for cell in row)
    return any(name in HEADERS or name in REFUSED or _left_out(name) for name in names if name)


def _left_out(name: str) -> bool:
    """Whether a column is one an office numbers its rows with (LEFT_OUT), spaced or not."""
    return "".join(name.split()) in LEFT_OUT


@dataclass(frozen=True)
class _Header:
    """A header row read: its column names as entry fields, the names as written, the
    places of the columns left out (序号, and those without a name before the first
    named one), and how many columns it spans (from the first, blank ones included)."""

    fields: tuple[str, ...]
    problems: list[Problem]
    written: tuple[str, ...]
    dropped: frozenset[int]
    unnamed: frozenset[int]  # the blank columns before the first named one
    width: int


def _read_header(first: Sequence[str], file: str, line: int) -> _Header:
    """The header row's column names as entry fields, or what is wrong with them.

    Blank columns before the first name and after the last are no columns of the
    table (a printed sheet may start in column C): their cells below must be blank too
    (see _stray). A blank one between names is refused, numbered as the file counts."""
    written = tuple(fold(cell) for cell in first)
    while written and not written[-1]:  # Excel may leave empty cells after the last column
        written = written[:-1]
    if not written:
        problem = Problem(
            file,
            line,
            _(
                "no header: the first line must name the columns (department,clause,… or 部门,条款,…)"
            ),
        )
        return _Header((), [problem], (), frozenset(), frozenset(), 0)
    lead = next(place for place, name in enumerate(written) if name)
    unnamed = frozenset(range(lead))
    left_out = (place for place, name in enumerate(written) if _left_out(name))
    dropped = unnamed.union(left_out)
    numbers = [place + 1 for place in range(len(written)) if place not in dropped]
    names = _drop(written, dropped)
    header = tuple(HEADERS.get(name, name) for name in names)
    problems = header_problems(names, file, line, numbers)
    return _Header(header, problems, names, dropped, unnamed, len(written))


def _stray(file: str, line: int, place: int, value: str, workbook: bool) -> Problem:
    """A filled cell in a column the header leaves blank (before its first name, or
    after its last in a workbook), named: it is in no column, so it would be lost."""
    if workbook:
        from openpyxl.utils import get_column_letter

        message = _(
            "cell {cell} holds {value!r}, but its column has no name in the header: "
            "name the column, or clear the cell"
        ).format(cell=f"{get_column_letter(place + 1)}{line}", value=value)
    else:
        message = _(
            "column {number} holds {value!r}, but it has no name in the header: "
            "name the column, or clear the cell"
        ).format(number=place + 1, value=value)
    return Problem(file, line, message)


def _drop(row: Sequence[Any], dropped: frozenset[int]) -> tuple[Any, ...]:
    """A row without the cells of the columns left out."""
    if not dropped:
        return tuple(row)
    return tuple(cell for place, cell in enumerate(row) if place not in dropped)


def header_problems(
    header: Sequence[str], file: str, line: int = 1, numbers: Sequence[int] | None = None
) -> list[Problem]:
    """Every column named by mistake, each by name, with a did-you-mean where one is close.
    `line`: the header's line (a title may stand above it); `numbers`: each column's
    number in the file (columns left out are counted there), else its place."""
    problems: list[Problem] = []
    fields = [HEADERS.get(name) for name in header]
    allowed = _("{english}; or in Chinese: {chinese}").format(
        english=listing(COLUMNS), chinese=listing(CHINESE)
    )
    for number, name in enumerate(header, 1):
        field = fields[number - 1]
        if not name:
            message = _(
                "column {number} has no name (the header names every column between its "
                "first and its last)"
            ).format(number=numbers[number - 1] if numbers is not None else number)
        elif name in REFUSED:
            message = _("column {name!r} is not allowed: {why}").format(
                name=name, why=_(REFUSED[name])
            )
        elif field is None:
            close = difflib.get_close_matches(name, list(HEADERS), n=1)
            if not close:
                close = [c for c in COLUMNS if c == name.lower()]
            hint = _("; did you mean {close!r}?").format(close=close[0]) if close else ""
            message = _("unknown column {name!r}{hint} (allowed: {allowed})").format(
                name=name, hint=hint, allowed=allowed
            )
        elif field in fields[: number - 1]:
            other = header[fields.index(field)]
            if other == name:
                message = _("column {name!r} appears twice; keep one of them").format(name=name)
            else:
                message = _("columns {other!r} and {name!r} both give {field}; keep one of them")
                message = message.format(other=other, name=name, field=field)
        else:
            continue
        problems.append(Problem(file, line, message))
    return problems


def plan(table: Table, file: str, month: str | None, defaults: dict[str, Any]) -> Plan:
    """One Draft per row, in file order, or the problems that keep a row from being one.

    `month` (from --month) wins over a row's month column, which wins over its date.
    `defaults` fill fields a row leaves empty (by, recorded). Every draft is held: an
    import reads its rows through a Planner instead.
    """
    planner = Planner(table, file, month, defaults)
    drafts: list[Draft] = []
    problems: list[Problem] = []
    try:
        for row in planner:
            if isinstance(row, Problem):
                problems.append(row)
            elif row.problems:
                problems.extend(row.problems)
            else:
                drafts.append(row)
    except Unreadable as exc:
        return Plan((), (), (exc.problem,), 0)
    return Plan(tuple(drafts), tuple(planner.repeats), tuple(problems), planner.rows)


class Planner:
    """An import file's rows as drafts, one at a time: each time it is iterated it reads
    the table again and gives, in file order, a Draft for each row or a Problem for each
    thing wrong with one.

    A row without a key is given one made from what identifies it (row_content) and its
    number among such rows (see `read`). A second row with a key is skipped (in
    `repeats`), as if the first had been recorded by an earlier run: a cron job
    concatenating exports must not double-count. `progress` is called once per row read.
    `ledger` gives the entries of a ledger month, read when a key-less row's keys name
    no recorded entry (see `read`).
    """

    def __init__(
        self,
        table: Table,
        file: str,
        month: str | None,
        defaults: dict[str, Any],
        progress: Callable[[], None] | None = None,
        departments: Departments | None = None,
        ledger: Callable[[str], Iterable[Entry]] | None = None,
    ):
        self.table, self.file, self.month, self.defaults = table, file, month, defaults
        self.progress = progress
        # A department's name as the ledger keeps it (its full name), for a row's made key:
        # a later export that names it by an alias is the same row.
        self.departments = departments
        self.resolve = departments.full_name if departments is not None else None
        self.ledger = ledger
        self.repeats: list[Repeat] = []
        self.rows = 0  # non-empty data rows read
        self.skipped = 0  # rows left out because their key is recorded (see `read`)
        self.keys: dict[str, int] = {}  # every row's key, with the line that has it first
        # A skipped key-less row's key → the recorded key it was taken for, where they differ.
        self.proof: dict[str, str] = {}
        # Rows taken for a recorded entry whose note or recorder differ: line → Notice.
        self.notices: dict[int, Notice] = {}
        self._recorded = _Recorded(ledger, self.resolve)
        self._keys: Container[str] | None = None
        self._proved: frozenset[str] | None = None  # the keys in `proof`, for has_key
        self._written: frozenset[str] | None = None  # see _written_keys
        self._entry = self._finder()  # a recorded entry by its id (see _differs)

    def __iter__(self) -> Iterator[Draft | Problem]:
        return self.read(None)

    def read(self, recorded: Container[str] | None) -> Iterator[Draft | Problem]:
        """Drafts and problems, leaving out (and counting in `skipped`) the rows whose
        key is in `recorded`: the keys of the ledger before the import, which `record`
        would skip. A re-run of a million rows then makes no draft of them at all.

        A key-less row's made key is `row-IDENTITY-N`: IDENTITY a digest of its month
        and every field but its note and recorder (`identity`), N the next number past
        the rows of the file and the entries of the ledger with that identity, and past
        every key of that form a row of the file writes, above or below it (a written
        key wins, whatever the order of the rows). A row is
        matched by identity, not by its key: it is recorded as
        - the first recorded entry of its identity and its note that no earlier row of
          the file took (the row as it was imported), given up only where another row
          would have no entry but it (see `_paired`); else, once every row is read,
        - an entry with its note the same but for a date one side lacks (dates filled in
          since, or left out: `add --key` takes them for one entry), named in `notices`;
        - an entry of its identity, or of it but for a date one side lacks, no row took,
          whatever its note (a note tidied since), paired best first across the rows
          (`_paired`: a note that holds the entry's first, then the closest; one voided
          in its month only where one note holds the other): named in `notices`, as
          govscore does not change a recorded entry; a row so taken waits for the rows
          below it, so that a later export listing a new row first does not take the
          entry of a row below it.
        An entry whose key a row of the file writes (a 去重键 copied) is that row's.
        So the Nth row of an identity is recorded while the ledger holds N entries of
        it, under whichever key they were made (earlier govscore made keys of every
        field): a sheet re-imported after its notes were tidied books nothing, and rows
        alike but for their notes are as many entries, on every re-run. Another sheet
        holding another incident alike but for its note is taken for the first too, and
        named there: the clerk gives it a key of its own. Rows taken for no entry are
        booked; those that waited, after the rows read before them, in file order.
        """
        self.repeats = []
        self.rows = self.skipped = 0
        self.proof, self.notices, self._proved = {}, {}, None
        self._recorded = _Recorded(self.ledger, self.resolve)
        self._entry = self._finder()
        self._keys = recorded  # the ledger's keys, where known
        yield from self.table.problems
        first_line: dict[str, int] = {}
        self.keys = first_line
        seen: dict[str, int] = {}
        waiting: list[_Row] = []  # rows alike but for their notes to recorded entries
        # The file's written keys of the form row-…, read at its first key-less row.
        written_keys = self._written
        if written_keys is not None:
            self._recorded.reserved = written_keys
        held_months = self._recorded.held  # the months holding made-key entries
        # The ledger's keys, as a dict where known (asked for each keyed row).
        held = recorded.ids if isinstance(recorded, cache.Held) else recorded
        reader = _RowReader(self.table.header, self.file, self.month, self.resolve)
        read = reader.read
        apart: list[_Row] = []  # rows alike to an entry but for a date one side lacks
        left: list[_Row] = []  # rows of an identity the ledger holds, no entry of it free
        defaults = self.defaults.items()
        keyed = "key" in self.defaults  # else a row's key is known before its defaults
        progress = self.progress
        source = f"{self.file}:"
        for line, cells in self.table.rows:
            self.rows += 1
            if progress is not None:
                progress()
            fields, month, found, made = read(cells, line)
            if fields is None:
                yield from found
                continue
            if found:  # no month: never recorded, only judged, to name all that is wrong
                yield Draft(fields, month, f"{source}{line}", canonical=True, problems=tuple(found))
                continue
            if made is not None:
                # Its number among the rows of its identity, past any key the ledger holds:
                # the number only keeps made keys apart (rows are matched by identity).
                # Without the ledger's entries to match, the key alone says (as it did).
                number = seen.get(made, 0) + 1
                if written_keys is None:
                    written_keys = self._written_keys()
                    # Entries a row's written key names are that row's, above or below.
                    self._recorded.reserved = written_keys
                # Past any key a row above has (a row booked past the ledger's keys) and
                # any written key that looks like a made one, above or below: a made key
                # is never a repeat, and never takes a written key's place.
                key = f"{MADE_KEY}{made}-{number}"
                while key in first_line or key in written_keys:
                    number += 1
                    key = f"{MADE_KEY}{made}-{number}"
                seen[made] = number
                fields["key"] = key
            if keyed:
                _fill(fields, defaults)
            key = fields.get("key")
            if key is not None:
                if key in first_line:
                    self.repeats.append(Repeat(line, key, first_line[key]))
                    continue
                first_line[key] = line
                matched = made is not None and self.ledger is not None
                if not matched and held is not None and key in held:
                    differs = self._differs(recorded, key, fields, month, line, reader)
                    if differs:
                        yield from differs
                    else:
                        self.skipped += 1
                    continue
            if made is None:
                # A recorder filled in is not the row's: a re-run by another clerk is the
                # same row (see recording.key_conflicts).
                assumed = _BY if key is not None and "by" not in fields else ()
                if not keyed:
                    _fill(fields, defaults)
                yield Draft(fields, month, f"{source}{line}", canonical=True, assumed=assumed)
                continue
            assert month is not None and key is not None  # a made key: the row has a month
            alike = self._recorded.alike(month, made)
            dated = fields.get("date") is not None
            # Not alike, but the same as an entry but for a date one side lacks (a sheet's
            # dates filled in since, or left out): `add --key` takes them for one entry.
            undated = (
                not alike
                and month in held_months  # a month with no made-key entry: nothing to match
                and self._recorded.apart(month, made, dated, reader.undated, fields.get("note"))
            )
            written = {name: fields.get(name) for name in _COMPARED} if alike or undated else {}
            if not keyed:  # its note and recorder are kept as written, before --by
                _fill(fields, defaults)
            draft = Draft(fields, month, f"{source}{line}", canonical=True)
            if undated:
                apart.append(_Row(line, key, made, month, written, draft, bare=undated))
                continue
            if not alike:  # most rows of a big import: nothing recorded is like them
                # A 去重键 written as row-… holds its key: the ledger's keys where known,
                # else (the full review reads the rows) the month's entries'.
                # (Its own name: `held`, the ledger's keys a keyed row is compared by, must
                # not become a month's made keys for the rows below: review BA F1.)
                taken = self._recorded.month(month)[0] if recorded is None else recorded
                if key in taken:
                    draft = self._booked(_Row(line, key, made, month, written, draft), first_line)
                yield draft
                continue
            entry = self._recorded.free(month, made, written.get("note"))
            if entry is not None:  # recorded with its note: this row, unless another needs it
                row = _Row(line, key, made, month, written, draft)
                self._taken_for(row, entry)
                self.skipped += 1
                bare = self._recorded.alternatives(month, made, entry, reader.undated)
                if bare:  # the row may give the entry up for another (see _paired)
                    note, by = written.get("note"), written.get("by")
                    claim = _Claim(line, key, made, month, note, by, written.get("date"), bare)
                    self._recorded.movable[str(entry.key)] = claim
                continue
            # Its identity without its date: an entry of its identity may be another's,
            # and its own one the same but for a date one side lacks (see below).
            bare = reader.undated() if dated else made
            row = _Row(line, key, made, month, written, draft, bare=bare)
            if self._recorded.alike_open(month, made) or self._recorded.voided_like(
                month, made, written.get("note")
            ):
                waiting.append(row)  # an entry alike but for its note: once all are read
            elif self._recorded.apart_of(month, bare, dated, written.get("note")):
                left.append(row)  # perhaps an entry but for its date: once all are read
            else:
                yield self._booked(row, first_line)
        # Then every row left is paired with an entry of its own note but for a date one
        # side lacks, or alike but for its note, or its note and a date one side lacks,
        # once every row is read (a later export listing a new row first takes no entry
        # of a row below it), and as many rows as can be: a row that took an entry of its
        # own note above gives it up for another where a row left has none but it (see
        # `_paired`).
        rest = sorted([*waiting, *left, *apart], key=lambda row: row.line)
        paired, moved = self._paired(rest)
        moved_lines = {row.line for row in moved}
        for row in sorted([*rest, *moved], key=lambda row: row.line):
            entry = paired.get(row.line)
            was = self.proof.get(row.key) if row.line in moved_lines else None
            if was is not None:  # a row that took its own note's entry above
                if entry is not None and entry.key == was:
                    continue
                self._recorded.taken.discard(was)
                self.notices.pop(row.line, None)
                del self.proof[row.key]
                self.skipped -= 1
            if entry is None:
                yield self._booked(row, first_line)
                continue
            self._taken_for(row, entry)
            self.skipped += 1

    def _differs(
        self,
        recorded: Container[str],
        key: str,
        fields: dict[str, Any],
        month: str | None,
        line: int,
        reader: _RowReader,
    ) -> list[Problem]:
        """A row whose written key the ledger holds, compared with the entry the key stands
        for as `add --key` compares them: what differs in its identity, said (a problem:
        the key is another entry's); a note or recorder that differs, named in `notices`;
        nothing, where it is that entry. The entry is read only where its mark in the
        snapshot (see cache.Context.marks) differs from the row's, or cannot say."""
        if not isinstance(recorded, cache.Held):  # the keys alone: nothing to compare with
            return []
        # A made key copied into 去重键 has no mark (its key holds its identity, not its
        # note nor its recorder): its entry is read, its month once (review BA F3).
        mark = recorded.marks.get(key)
        if mark is not None:
            undated = reader.undated if fields.get("date") is not None else None
            note, by = fields.get("note"), fields.get("by")
            if mark_matches(mark, reader.identity, undated, note, by):
                return []
        entry_id = recorded.ids[key]
        draft = Draft(dict(fields), month, f"{self.file}:{line}", canonical=True)
        return key_conflicts(
            [(draft, entry_id)], self.departments, self._entry, self.tidied, recorded.voided
        )

    def _finder(self) -> Callable[[str], Entry | None]:
        """A recorded entry by its id, each month's entries read once a read."""
        ledger = self.ledger
        return entry_finder(ledger if ledger is not None else lambda month: ())

    def tidied(self, draft: Draft, entry: Entry, fields: tuple[str, ...], voided: bool) -> None:
        """A keyed row skipped as the entry its key stands for, which differs from it only
        in its note or recorder (recording.key_conflicts): named in `notices`."""
        line = _source_line(draft.source, self.file)
        if line is not None:
            self.notices[line] = Notice(line, entry.id, fields, voided)

    def _paired(self, rows: Sequence[_Row]) -> tuple[dict[int, Entry], list[_Row]]:
        """Rows (in file order) each paired with a free entry alike but for its note, or
        its note and a date one side lacks: a line → its entry; rows left over are
        another incident. The pairs are taken best first across all the rows, and as
        many rows paired as can be, so that no row takes the entry that is another's:
        - the entry's own note, live (a row the same but for a date one side lacks),
          then the entry's note or it with a remark in brackets after it (a note tidied:
          `A（核）` is `A`'s), then a note that holds the entry's or is held by it, before
          notes merely alike; then the closest note (difflib's ratio), a live entry
          before a voided one, ties in file and ledger order;
        - an entry voided in its month only with a row whose note holds its own or is
          held by it, one annotated since (`超期（申诉成立）`) before one noted the same (a
          new incident noted alike): the row voided on appeal stays voided.
        Past PAIRING_LIMIT pairs (hundreds of rows alike), notes are not compared by
        difflib: by a remark, holding, and date, as many rows paired as can be.
        A row left over whose kind (identity but for the date) the ledger holds an entry
        of that no row has is paired again with the rows of that kind that took an entry
        of their own note as they were read (`_Recorded.movable`): each keeps its own
        unless giving it up for another seats one more row (review AO F2: of three rows
        noted 超期, one voided, the first took the second's entry and the third was
        booked). Those rows are the list returned beside the pairs."""
        paired = self._pairing(rows, [])
        left = [row for row in rows if row.line not in paired]
        pulled = self._pulled(left, paired) if left and self._recorded.movable else []
        if pulled:
            paired = self._pairing(rows, pulled)
        return paired, pulled

    def _pulled(self, left: Sequence[_Row], paired: Mapping[int, Entry]) -> list[_Row]:
        """The rows that took an entry of their own note as they were read, of the kinds
        of the rows `left` unpaired where an entry of the kind is had by no row (only
        then can one of them give its entry up for another: review AS F2, a new row
        beside hundreds alike pulled them all in for nothing)."""
        recorded = self._recorded
        used = {entry.key for entry in paired.values()}
        found: dict[int, _Row] = {}
        for row in left:
            kind = recorded.kind(row.month, row.bare)
            if not any(recorded.spare(entry) and entry.key not in used for entry in kind):
                continue
            for entry in kind:
                claim = recorded.movable.get(str(entry.key))
                if claim is not None and entry.key in recorded.taken:
                    found.setdefault(claim.line, claim.row())
        return [found[line] for line in sorted(found)]

    def _pairing(self, rows: Sequence[_Row], pulled: Sequence[_Row]) -> dict[int, Entry]:
        """The pairs of `_paired`: the `pulled` rows hold their own entries to begin with
        (a search may move each to another, never leave it without one)."""
        recorded = self._recorded
        voided, taken = recorded.voided, recorded.taken
        own = {str(self.proof[row.key]): row.line for row in pulled}
        pairs: list[tuple[_Row, Entry]] = []
        every = sorted([*rows, *pulled], key=lambda row: row.line)
        for row in every:
            seen: set[str | None] = set()
            found = _standing(
                [
                    *recorded.unclaimed(row.month, row.identity),
                    *recorded.undated_unclaimed(row.month, row.bare, row.dated),
                ],
                voided,
            )
            note = row.written.get("note")
            for entry in found:
                if entry.key in seen:
                    continue
                seen.add(entry.key)
                if entry.key in taken and entry.key not in own:
                    continue
                if entry.id in voided and not _holds(note, entry.note):
                    continue
                pairs.append((row, entry))
        paired: dict[int, Entry] = {}
        place = {row.line: number for number, row in enumerate(every)}
        alike = len(pairs) <= PAIRING_LIMIT  # notes compared by difflib: few enough pairs

        def rank(pair: tuple[_Row, Entry]) -> tuple[int, float, bool, bool, int, str, int]:
            row, entry = pair
            note = row.written.get("note")
            close = _closeness(note, entry.note)
            lost = entry.id in voided
            # A voided entry: a row annotated since (0) before one noted the same (1).
            same = str(note or "") == (entry.note or "")
            kind = (1 if same else close * 2) if lost else -1 if same else close
            likeness = _likeness(note, entry.note) if alike else 0.0
            # Of two entries alike to a row, the live one: a voided one noted as the live
            # one is left to a row less like them (甲（核） takes the live 甲, 甲（申诉成立）
            # the voided one); then one of the row's own date.
            other_date = entry.date != row.draft.fields.get("date")
            return (kind, -likeness, lost, other_date, place[row.line], entry.file, entry.line)

        # The pairs best first, as many rows paired as can be (review AM F1: a row taking
        # its best entry must not leave another row, whose only entry that is, booked):
        # each row in the order of its best pair takes its best entry still free, or one
        # another row holds that can move to its next best (an augmenting path).
        ranked = sorted(pairs, key=rank)
        choices: dict[int, list[Entry]] = {}
        for row, entry in ranked:
            choices.setdefault(row.line, []).append(entry)
        holder: dict[str | None, int] = {}
        for row in pulled:
            key = self.proof[row.key]
            entry = next(entry for entry in choices.get(row.line, ()) if entry.key == key)
            holder[key], paired[row.line] = row.line, entry

        def seat(line: int, seen: set[str | None]) -> bool:
            # Its best free entry; else one whose row can move (the rows before keep
            # their better entries where the count allows).
            for entry in choices[line]:
                if entry.key not in holder and entry.key not in seen:
                    seen.add(entry.key)
                    holder[entry.key], paired[line] = line, entry
                    return True
            if len(seen) > _MOST_MOVED:  # a chain of moves this long: leave it booked
                return False
            for entry in choices[line]:
                if entry.key in seen:
                    continue
                seen.add(entry.key)
                if seat(holder[entry.key], seen):
                    holder[entry.key], paired[line] = line, entry
                    return True
            return False

        for line in choices:  # in the order of each row's best pair
            if line not in paired:
                seat(line, set())
        return paired

    def _booked(self, row: _Row, first_line: dict[str, int]) -> Draft:
        """A row of an identity the ledger holds, booked: its made key numbered past the
        keys of the ledger's entries of it, and the file's, written or made (its number
        keeps keys apart; rows are matched by identity, so earlier rows may have taken
        other entries)."""
        owned, ledger = self._recorded.month(row.month)[0], self._keys or ()
        written = self._written or ()
        key, number = row.key, 0
        while (
            key in owned
            or key in ledger
            or first_line.get(key, row.line) != row.line
            or key in written
        ):
            number += 1
            key = f"{MADE_KEY}{row.identity}-{number}"
        if key != row.key:
            first_line.pop(row.key, None)
            first_line[key] = row.line
            row.draft.fields["key"] = key
        return row.draft

    def _written_keys(self) -> frozenset[str]:
        """The keys of the form row-… the file's rows write (a 去重键 copied from the
        ledger): a made key gives way to them wherever their rows stand, for a written
        key wins. Read through the rows once, and only in a file with a key column whose
        text (where known) holds such a key anywhere."""
        place = self.table.place("key")
        found: set[str] = set()
        text = self.table.text
        if place < len(self.table.header) and (text is None or MADE_KEY in text):
            try:
                for _line, cells in self.table.rows:
                    if len(cells) > place:
                        key = cells[place].strip()
                        if key.startswith(MADE_KEY):
                            found.add(key)
            except Unreadable:  # the reading stops there, and says so when it comes to it
                pass
        self._written = frozenset(found)
        return self._written

    def _taken_for(self, row: _Row, entry: Entry) -> None:
        """The row is taken for a recorded entry of its identity (see `read`)."""
        self._recorded.taken.add(str(entry.key))
        self.proof[row.key] = str(entry.key)
        self._notice(row, entry)

    def _notice(self, row: _Row, entry: Entry) -> None:
        differ = [
            name
            for name, value in row.written.items()
            if (value is not None or name in ("note", "date")) and value != getattr(entry, name)
        ]
        if differ:
            voided = entry.id in self._recorded.voided
            self.notices[row.line] = Notice(row.line, entry.id, tuple(differ), voided)

    def fingerprint(self) -> str:
        """The file's bytes, the encoding asked for, --month, govscore's version and how
        made keys are made: what decides every row's key and whether a row is wrong. ""
        for a table not read from a file."""
        if not self.table.digest:
            return ""
        said = f"{__version__}\x1f{KEY_SCHEME}\x1f{self.table.digest}\x1f{self.month or ''}"
        return hashlib.sha256(said.encode("utf-8", "backslashreplace")).hexdigest()

    def kept(self) -> list[str]:
        """After a read that found nothing wrong: the rows read, the repeats (JSON), every
        key, one a line (a row taken for a recorded entry: that entry's key), the
        notices (JSON) and a sum of the marks of the keys' entries (see _marks_sum); []
        when a key holds a line break, or an entry is not marked (nothing is kept)."""
        held = [self.proof.get(key, key) for key in self.keys]
        keys = "\n".join(held)
        if keys.count("\n") != max(len(self.keys) - 1, 0):
            return []
        marks = _marks_sum(self._keys, held)
        if marks is None:  # an entry not marked: the rows are read next time
            return []
        if self.notices:
            # Rows taken for entries alike but for their notes: a read of the ledger as it
            # stands next time may pair them otherwise (with rows booked now, or entries
            # recorded since), so such a file is always read.
            return []
        repeats = [[repeat.line, repeat.key, repeat.first] for repeat in self.repeats]
        notices = [[n.line, n.entry, list(n.fields)] for n in self.notices.values()]
        return [
            str(self.rows),
            json.dumps(repeats, ensure_ascii=False),
            keys,
            json.dumps(notices, ensure_ascii=False),
            marks,
        ]

    def recall(self, kept: Sequence[str], recorded: Container[str]) -> bool:
        """Take the counts a read of this file would give, from what `kept` said of it
        (after a read that found nothing wrong), if every row's key is in `recorded`: then
        a read would skip every row. Whether it did."""
        if len(kept) != 5:
            return False
        try:
            rows = int(kept[0])
            repeats = [
                Repeat(int(line), str(key), int(first)) for line, key, first in json.loads(kept[1])
            ]
            notices = [
                Notice(int(line), str(entry), tuple(str(name) for name in names))
                for line, entry, names in json.loads(kept[3])
            ]
        except (ValueError, TypeError):
            return False
        keys = kept[2].split("\n") if kept[2] else []
        if rows != len(keys) + len(repeats) or not all(key in recorded for key in keys):
            return False
        if not all(repeat.key in recorded for repeat in repeats):
            return False
        # Each key's entry as it was when the rows matched them: a key that stands for
        # another entry since, or an entry edited, and the rows are read and compared.
        if _marks_sum(recorded, keys) != kept[4]:
            return False
        self.rows, self.skipped, self.repeats = rows, len(keys), repeats
        self.notices = {notice.line: notice for notice in notices}
        # The keys kept are those of the entries the rows were found recorded as.
        self.keys, self.proof = dict.fromkeys(keys, 0), {}
        self._proved = None
        return True

    def has_key(self, key: str) -> bool:
        """Whether a recorded entry's key is one of a row of the file (as last read or
        recalled): its made key, or the key of the entry it was found recorded as (one an
        earlier govscore made of it, or one of its identity)."""
        if key in self.keys:
            return True
        if self._proved is None:  # asked once `read` or `recall` is done
            self._proved = frozenset(self.proof.values())
        return key in self._proved

    def said(self) -> list[Notice]:
        """The notices, in row order."""
        return [self.notices[line] for line in sorted(self.notices)]


def _marks_sum(recorded: Container[str] | None, keys: Sequence[str]) -> str | None:
    """A digest of the marks of the entries the keys stand for (cache.Context.marks):
    a kept import is answered again only while they are the entries its rows matched.
    A made key's entry is not marked (its key holds its identity): its id stands in.
    None: the keys alone are known, or an entry is not marked."""
    if not isinstance(recorded, cache.Held):
        return None
    marks, ids = recorded.marks, recorded.ids
    found = hashlib.sha256()
    for start in range(0, len(keys), 10_000):
        part = [
            marks.get(key) or (None if marked(key) else ids.get(key))
            for key in keys[start : start + 10_000]
        ]
        if None in part:
            return None
        found.update("\n".join(part).encode("ascii") + b"\n")  # type: ignore[arg-type]
    return found.hexdigest()


_ANY = object()  # _Recorded.free: whatever the note
_BY = ("by",)

# Rows × entries past which rows alike but for their notes are paired without comparing
# their notes by difflib (each pair costs a comparison): by a remark, holding, and date.
PAIRING_LIMIT = 4_096
# Entries one row's search may move others from (Planner._paired), within Python's depth.
_MOST_MOVED = 400


# What a clerk puts after a note to remark on it: A（核）, A (已核), A【申诉成立】, in
# brackets of either width, mixed as typed: (申诉成立）.
_OPENS, _CLOSES = frozenset("（(【[〔"), frozenset("）)】]〕")
# What may end a remark after its brackets: （申诉成立）。
_STOPS = "。.，,；;"


def _remark(text: str) -> bool:
    """Whether the text is one remark in brackets and nothing more: （申诉成立）, (申诉成立）,
    （申诉成立（复核））。 — not 【12345热线】群众投诉 (a note that begins with brackets:
    review AS F1): the bracket that opens it closes at its end."""
    text = text.strip().rstrip(_STOPS).rstrip()
    if text[:1] not in _OPENS:
        return False
    depth = 0
    for place, char in enumerate(text):
        if char in _OPENS:
            depth += 1
        elif char in _CLOSES:
            depth -= 1
            if depth == 0:
                return place == len(text) - 1
    return False


def _closeness(note: Any, recorded: str | None) -> int:
    """0: the same note, or one the other with a remark after it (A（申诉成立）); 1: one
    holds the other otherwise (件10 holds 件1); 2: neither."""
    written, kept = str(note or ""), recorded or ""
    if written == kept:
        return 0
    if not _holds(written, kept):
        return 2
    longer, shorter = (written, kept) if len(written) > len(kept) else (kept, written)
    return 0 if longer.startswith(shorter) and _remark(longer[len(shorter) :]) else 1


def _holds(note: Any, recorded: str | None) -> bool:
    """Whether one note holds the other (a note added to: 超期 → 超期（申诉成立）). No note
    holds no note, and is held by a remark alone (（申诉成立） added to a row noted nothing:
    review AO F1); a note of words is not held by none (another incident, or one noted
    since: a voided entry without a note is not taken for it)."""
    written, kept = str(note or ""), recorded or ""
    if written == kept:
        return True
    if not written or not kept:
        return _remark(written or kept)
    return written in kept or kept in written


def _likeness(note: Any, recorded: str | None) -> float:
    """How alike a row's note is to a recorded entry's, 0 to 1."""
    return difflib.SequenceMatcher(None, str(note or ""), recorded or "").ratio()


# A row's fields that do not decide whether it is recorded, and are compared with the
# entry it is taken for, to tell the clerk that govscore kept the entry as recorded.
_TIDIED = ("note", "by")
# …and the date, which a row matched across a date one side lacks differs in too.
_COMPARED = (*_TIDIED, "date")


@dataclass(frozen=True)
class Notice:
    """A row skipped as a recorded entry whose note or recorder (`fields`) differ."""

    line: int
    entry: str  # the recorded entry's id
    fields: tuple[str, ...]
    voided: bool = False  # the entry is voided (by a void in its month's files)


@dataclass(frozen=True)
class _Row:
    """A key-less row with a month, as matching it to recorded entries needs it."""

    line: int
    key: str  # its made key
    identity: str
    month: str
    written: dict[str, Any]  # its note and recorder as written (None: no cell)
    draft: Draft
    bare: str = ""  # its identity without its date

    @property
    def dated(self) -> bool:
        return self.draft.fields.get("date") is not None


class _Claim(NamedTuple):
    """A row that took an entry of its own note as it was read, kept in few fields (a
    re-export of many rows alike keeps one a row): what `_paired` needs to move it."""

    line: int
    key: str  # its made key
    identity: str
    month: str
    note: Any  # as written, with its recorder and date (see _COMPARED)
    by: Any
    date: Any
    bare: str  # its identity without its date

    def row(self) -> _Row:
        """The row, as `_paired` pairs it (it holds its entry to begin with, and is never
        left without one: it is never booked)."""
        written = {"note": self.note, "by": self.by, "date": self.date}
        draft = Draft({"date": self.date, "note": self.note, "key": self.key}, self.month)
        return _Row(self.line, self.key, self.identity, self.month, written, draft, self.bare)


class _Recorded:
    """The ledger's entries with made keys, a month at a time, as rows are taken for
    them (see Planner.read)."""

    def __init__(
        self,
        ledger: Callable[[str], Iterable[Entry]] | None,
        resolve: Callable[[str], str | None] | None = None,
    ):
        self.ledger = ledger
        # An entry's department as the ledger keeps it now (renamed since, the old name
        # an alias), as a row's is taken: the same incident has the same identity.
        self.resolve = resolve
        self.months: dict[str, tuple[dict[str, Entry], dict[str, list[Entry]]]] = {}
        # By month, the entries by identity without their dates (see `apart`), and
        # whether any holds no date.
        self.undated: dict[str, dict[str, list[Entry]]] = {}
        self.dateless: dict[str, bool] = {}
        self.taken: set[str] = set()  # keys of the entries rows were taken for
        # Entries a row took as its own note's (in file order, as it was read) that it may
        # give up for another entry of its identity, or of it but for a date one side
        # lacks, where another row has none but them: by key, the row (see Planner._paired).
        self.movable: dict[str, _Claim] = {}
        self.held: set[str] = set()  # the months read that hold entries with made keys
        # Keys a row of the file writes in its 去重键 (row-…): their entries are those
        # rows', above or below, never taken for a key-less row.
        self.reserved: Container[str] = ()
        # Entries voided by a void of their own month's files (the usual case: a row
        # voided soon after its import): no row alike but for its note is taken for one.
        self.voided: set[str] = set()

    def month(self, month: str) -> tuple[dict[str, Entry], dict[str, list[Entry]]]:
        """The month's entries with made keys: by key, and by identity in ledger order."""
        found = self.months.get(month)
        if found is None:
            by_key: dict[str, Entry] = {}
            by_identity: dict[str, list[Entry]] = {}
            for entry in self.ledger(month) if self.ledger is not None else ():
                if entry.void:
                    self.voided.add(entry.void)
                if entry.kind == "score" and entry.key and entry.key.startswith(MADE_KEY):
                    by_key[entry.key] = entry
                    known = self.resolve(entry.department) if self.resolve else None
                    by_identity.setdefault(entry_identity(entry, known), []).append(entry)
            found = self.months[month] = (by_key, by_identity)
            if by_key:
                self.held.add(month)
        return found

    def alike(self, month: str, identity: str) -> bool:
        """Whether the month holds an entry of this identity (taken or not)."""
        return identity in self.month(month)[1]

    def _undated(self, month: str) -> dict[str, list[Entry]]:
        found = self.undated.get(month)
        if found is None:
            found = self.undated[month] = {}
            for entry in self.month(month)[0].values():  # in ledger order
                known = self.resolve(entry.department) if self.resolve else None
                undated = entry_identity(entry._replace(date=None), known)
                found.setdefault(undated, []).append(entry)
        return found

    def _dateless(self, month: str) -> bool:
        """Whether the month holds an entry without a date (a digest of each entry
        without its date is made only then, for a dated row: see `apart`)."""
        found = self.dateless.get(month)
        if found is None:
            entries = self.month(month)[0].values()
            found = self.dateless[month] = any(entry.date is None for entry in entries)
        return found

    def apart(
        self, month: str, identity: str, dated: bool, undated: Callable[[], str], note: Any
    ) -> str:
        """A row's identity without its date (as `undated` gives it) where the month holds
        an entry no row took that is the same but for a date one side lacks (one voided
        in its month: with a note the row's holds or that holds it, as in `_paired`);
        else "". An undated row's identity is that already; a dated row's is made only
        where the month holds an entry without a date."""
        if not self.month(month)[0]:
            return ""
        if dated and not self._dateless(month):
            return ""
        key = undated() if dated else identity
        return key if self.apart_of(month, key, dated, note) else ""

    def apart_of(self, month: str, bare: str, dated: bool, note: Any) -> bool:
        """Whether the month holds an entry no row took, of the identity without its date
        `bare`, whose date the row's lacks (see `apart`)."""
        if dated and not self._dateless(month):
            return False
        for entry in self.undated_unclaimed(month, bare, dated):
            if entry.id not in self.voided or _holds(note, entry.note):
                return True
        return False

    def undated_unclaimed(self, month: str, undated: str, dated: bool) -> list[Entry]:
        """The entries of the identity without date no row took whose date the row's
        lacks (a dated row: entries without one; an undated row: entries with one), in
        ledger order."""
        return [
            e
            for e in self._undated(month).get(undated, ())
            if self._open(e) and (e.date is None) == dated
        ]

    def unclaimed(self, month: str, identity: str) -> list[Entry]:
        """The entries of the identity no row was taken for, in ledger order: those a row
        alike but for its note may be taken for (see Planner._paired)."""
        return [e for e in self.month(month)[1].get(identity, ()) if self._open(e)]

    def _open(self, entry: Entry) -> bool:
        """Whether a row may yet be taken for the entry: no row's written key holds it, and
        no row took it, or one that may give it up (see `movable`)."""
        key = entry.key
        return key not in self.reserved and (key not in self.taken or key in self.movable)

    def alternatives(self, month: str, identity: str, entry: Entry, bare: Callable[[], str]) -> str:
        """Where a row of `identity` takes `entry`, its identity without its date if the
        month holds another entry it could be taken for (one more of its identity, or of
        it but for a date one side lacks); else "". `bare` gives the row's identity
        without its date (made only where the month holds an entry without one)."""
        dated = entry.date is not None
        more = len(self.month(month)[1].get(identity, ())) > 1
        if dated and not self._dateless(month):  # no entry it could be taken for undated
            return bare() if more else ""
        undated = bare() if dated else identity
        return undated if more or len(self._undated(month).get(undated, ())) > 1 else ""

    def kind(self, month: str, bare: str) -> Sequence[Entry]:
        """The month's entries of an identity without its date (any date or none)."""
        return self._undated(month).get(bare, ())

    def spare(self, entry: Entry) -> bool:
        """Whether no row took the entry and no row's written key holds it."""
        return entry.key not in self.taken and entry.key not in self.reserved

    def alike_open(self, month: str, identity: str) -> bool:
        """Whether the month holds a live entry of the identity a row may yet be taken for."""
        return any(entry.id not in self.voided for entry in self.unclaimed(month, identity))

    def voided_like(self, month: str, identity: str, note: Any) -> bool:
        """Whether an entry of the identity voided in its month, no row taken for it, has
        a note the row's holds or that holds the row's (see Planner._paired)."""
        return any(
            entry.id in self.voided and _holds(note, entry.note)
            for entry in self.unclaimed(month, identity)
        )

    def free(self, month: str, identity: str, note: Any = _ANY) -> Entry | None:
        """The first entry of the identity (with that note, if one is given: None for a
        row without one) no row was taken for yet and not voided in its month (one voided
        is paired once every row is read: a row annotated since may be its; see
        Planner._paired)."""
        for entry in self.month(month)[1].get(identity, ()):
            if entry.key in self.taken or entry.key in self.reserved:
                continue
            if note is _ANY:
                if entry.id not in self.voided:
                    return entry
            elif entry.note == note and entry.id not in self.voided:
                return entry
        return None


def _standing(entries: Sequence[Entry], voided: Container[str]) -> list[Entry]:
    """Each key's entry once: its first not voided, else its first. Two entries share a key
    where two clones each imported the row and a merge kept both; with one copy voided as
    the duplicate, the row is the live one's (the entry the key stands for), not taken for
    the voided copy and said to be voided."""
    chosen: dict[str | None, Entry] = {}
    for entry in entries:
        kept = chosen.get(entry.key)
        if kept is None or (kept.id in voided and entry.id not in voided):
            chosen[entry.key] = entry
    return [entry for entry in entries if chosen[entry.key] is entry]


def _fill(fields: dict[str, Any], defaults: Iterable[tuple[str, Any]]) -> None:
    """Fields a row leaves empty, filled from the defaults (by, recorded)."""
    for name, value in defaults:
        if name not in fields:
            fields[name] = value


# Fields whose cells written.canonical_fields reads (the rest it keeps as written).
_READ = frozenset({*ID_FIELDS, "count", *NUMBER_FIELDS, "date", "through"})
# Distinct cells remembered as read (dates, counts, clause ids repeat a million times).
_REMEMBERED = 100_000


class _RowReader:
    """row_draft and row_content for many rows of one table, each distinct cell read once.

    row_content hashes `name=text` parts sorted by name: each column's part has its
    place in that order, and a read cell's part is remembered with what it reads as.
    """

    def __init__(
        self,
        header: Sequence[str],
        file: str,
        month: str | None,
        resolve: Callable[[str], str | None] | None = None,
    ):
        self.header, self.file, self.month = header, file, month
        self.resolve = resolve
        self.names: dict[str, str] = {}  # a department as written → as the ledger keeps it
        self.width = len(header)
        places = {name: place for place, name in enumerate(sorted(header), 1)}
        self.department = places.get("department", 0)  # the department's part's place
        self.date = places.get("date", 0)  # the date's part's place
        self.parts: list[str | None] = []  # the last row's identity parts (see `undated`)
        self.row: tuple[str | None, Any] = (None, None)  # its month and department
        # Per column: its field, its part's place (0: month, not a field), what was
        # read of each cell (None: kept as written) and whether it is kept unstripped.
        self.columns = [
            (
                name,
                0 if name == "month" else places[name],
                {} if name in _READ else None,
                name in _VERBATIM,
                _PLAIN if name in IDENTITY and name not in _WORDED else name in IDENTITY,
            )
            for name in header
        ]
        self.months: dict[tuple[str | None, Any], tuple[str | None, Any]] = {}

    def read(
        self, cells: Sequence[str], line: int
    ) -> tuple[dict[str, Any] | None, str | None, list[Problem], str | None]:
        """What row_draft makes of the row (its fields and month, or its problems), and
        when it has no key its identity (a digest: see `identity`)."""
        if len(cells) > self.width and any(cell.strip() for cell in cells[self.width :]):
            _draft, problems = row_draft(self.header, cells, self.file, line, self.month, {})
            return None, None, problems, None
        fields: dict[str, Any] = {}
        # The parts of its identity (see `identity`), each in its column's place by name.
        own: list[str | None] = [None] * (self.width + 1)
        written_month = None
        for (name, place, known, verbatim, ident), cell in zip(self.columns, cells, strict=False):
            value = cell.strip()
            if not value:
                continue
            if value[0] == "#" and value.upper() in CELL_ERRORS:
                return None, None, [_cell_error(self.file, line, name, value)], None
            if not place:
                written_month = value
            elif known is not None:
                read = known.get(value)
                if read is None:
                    got = canonical_fields({name: value})[name]
                    text = identity_text(name, got) if ident else None
                    read = (got, None if text is None else f"{name}={text}")
                    if len(known) < _REMEMBERED:
                        known[value] = read
                fields[name], own[place] = read
            else:
                if verbatim:
                    value = cell
                fields[name] = value
                if ident is _PLAIN:
                    own[place] = f"{name}={value}"
                elif ident:
                    text = identity_text(name, value)
                    own[place] = None if text is None else f"{name}={text}"
        day = fields.get("date")
        found = self.months.get((written_month, day))
        if found is None:
            found = _row_month(self.month, written_month, day)
            if len(self.months) < _REMEMBERED:
                self.months[(written_month, day)] = found
        month, problem = found
        if problem is not None:  # the row's other fields are still judged (Draft.problems)
            field, message = problem
            reason = _("{field}: {reason}").format(field=field, reason=message)
            judged_by = _judging_month(written_month, day)
            return fields, judged_by, [Problem(self.file, line, reason, field)], None
        self.parts, self.row = own, (month, fields.get("department"))
        if "key" in fields:  # its identity is made only where its key is recorded
            return fields, month, [], None
        return fields, month, [], self.identity()

    def identity(self) -> str:
        """The last row's identity: its month, and its department as the ledger keeps it
        (a later export naming it by an alias is the same row)."""
        own = self.parts
        month, name = self.row
        own[0] = f"month={month}"
        if self.resolve is not None and isinstance(name, str):
            known = self.names.get(name)
            if known is None:
                known = self.names[name] = self.resolve(name) or name
            if known != name:
                own[self.department] = f"department={known}"
        return parts_digest(own)

    def undated(self) -> str:
        """The last row's identity without its date (see _Recorded.apart): its month and
        department as `identity` makes them."""
        if self.parts[0] is None:  # a keyed row's, `identity` not made yet
            self.identity()
        parts = list(self.parts)
        if self.date:
            parts[self.date] = None
        return parts_digest(parts)


def row_draft(
    header: Sequence[str],
    cells: Sequence[str],
    file: str,
    line: int,
    month: str | None,
    defaults: dict[str, Any],
) -> tuple[Draft | None, list[Problem]]:
    """One row as a Draft for `record`, or why it cannot be one (its month, its shape)."""
    if any(cell.strip() for cell in cells[len(header) :]):
        return None, [Problem(file, line, too_many_cells(len(cells), len(header)))]
    written: dict[str, Any] = {}
    for name, cell in zip(header, cells, strict=False):
        value = cell if name in _VERBATIM else cell.strip()
        if cell.strip():
            written[name] = value
    fields = canonical_fields(written)
    written_month = fields.pop("month", None)
    row_month, problem = _row_month(month, written_month, fields.get("date"))
    if problem is not None:
        field, message = problem
        return None, [
            Problem(file, line, _("{field}: {reason}").format(field=field, reason=message), field)
        ]
    for name, value in defaults.items():
        fields.setdefault(name, value)
    return Draft(fields, row_month, f"{file}:{line}", canonical=True), []


def _row_month(
    option: str | None, written: str | None, day: date | str | None
) -> tuple[str | None, tuple[str, str] | None]:
    """The row's ledger month, or (field, message) saying why it has none.

    --month puts every row in its month; a row whose own month cell says another is
    refused rather than moved: which of the two was meant only the clerk knows.
    """
    if written is not None:
        month = read_month(written)
        if month is None:
            return None, (
                "month",
                _("{written!r} is not a month (2023-05, 2023/5 or 2023年5月)").format(
                    written=written
                ),
            )
        if option is not None and month != option:
            return None, (
                "month",
                _(
                    "the row is of {month}, but --month {option} puts every row in "
                    "{option}: correct the cell, or import without --month to take "
                    "each row's own month"
                ).format(month=month, option=option),
            )
        return month, None
    if option is not None:
        return option, None
    if isinstance(day, date):
        return month_of(day), None
    if day is not None:
        return None, (
            "date",
            _(
                "{day!r} is not a date (2023-05-23, 2023/5/23 or 2023年5月23日), so the row "
                "has no month (add a month column or pass --month)"
            ).format(day=day),
        )
    return None, (
        "month",
        _("the row has no month: give it a date or a month column (YYYY-MM), or pass --month"),
    )


# A date as Excel or a clerk writes it, read as far as its year and month (2023/6/31).
_YEAR_MONTH = re.compile(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})(?!\d)")


def _judging_month(written: str | None, day: date | str | None) -> str | None:
    """The month a row without one is judged by, for its other problems to be named:
    its month cell read, else its date read as far as its year and month, else None."""
    if written is not None:
        return read_month(written)
    if isinstance(day, date):
        return month_of(day)
    found = _YEAR_MONTH.match(day or "")
    if found is None:
        return None
    return read_month(f"{found[1]}-{int(found[2]):02d}")


def row_content(draft: Draft) -> str:
    """A digest of what identifies a row (its month and IDENTITY fields as read), for its
    made key: not its note nor its recorder, which a clerk tidies in a sheet re-imported.

    Fields are read first (a count of `2.0` is 2, 2023/5/23 is 2023-05-23), so a later
    export that writes the same row another way still makes the same key.
    """
    return identity(draft.month, draft.fields)


def locate(
    problems: Iterable[Problem],
    file: str,
    column: Callable[[str], str] = str,
    place: Callable[[str], int] | None = None,
) -> list[Problem]:
    """Problems of rows as FILE:LINE: FIELD: MESSAGE, in row order; other problems after.

    `record` labels a rejected draft's problems with its source ("FILE:LINE", line 0);
    this splits that back into file and line and puts the field in front of the message,
    named as the file's column is (`column`: 部门 in a file headed in Chinese). A row's
    problems stand in the order of their columns in the file (`place`), so the clerk
    mends the row from left to right.
    """
    rows: list[Problem] = []
    others: list[Problem] = []
    for problem in problems:
        line = _source_line(problem.file, file) if problem.line == 0 else None
        if line is not None:
            problem = Problem(file, line, problem.message, problem.field, problem.entry)
        if problem.file != file:
            others.append(problem)
            continue
        message = problem.message
        prefixed = _("{field}: {reason}").format(field=problem.field, reason="")
        worded = _("{field}: {reason}").format(field=field_word(problem.field), reason="")
        if problem.field:
            for start in (prefixed, worded, f"{problem.field}:"):
                if message.startswith(start):
                    message = message[len(start) :].lstrip()
                    break
            named = column(problem.field)
            message = _("{field}: {reason}").format(field=named, reason=message)
        rows.append(Problem(file, problem.line, message, problem.field, problem.entry))
    # Stable: a row's problems of one column keep their order.
    rows.sort(key=lambda p: (p.line, place(p.field) if place is not None else 0))
    return [*rows, *others]


def _source_line(source: str, file: str) -> int | None:
    """The line of a draft's source, "FILE:LINE", when it names a row of the file."""
    head, colon, line = source.rpartition(":")
    if colon and head == file and line.isdigit() and line.isascii():
        return int(line)
    return None


# The template's example row: a plain 2.4.3 entry as a clerk would fill it in; its count
# and its note tell of the same cases (3 件次, 3件超期办结), or the clerk copying it
# cannot tell which one the count is meant to follow.
EXAMPLE = {
    "部门": "市公安局",
    "条款": "2.4.3",
    "次数": "3",
    "日期": "2023/5/23",
    "说明": "3件超期办结",
    "记录人": "张敏",
}


def write_template(path: Path) -> None:
    """An empty import file with the Chinese headers, for a clerk to fill in Excel.

    CSV: with a BOM (so Excel reads it as UTF-8) and the example as a comment row.
    XLSX: an empty first sheet, which is the one imported, and the example on a second.
    Importing the template as written adds nothing and fails nothing.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise UsageError(_("--template {file}: name a .csv or an .xlsx file").format(file=path))
    if os.path.exists(path):  # a name too long is none: writing it names the reason
        raise UsageError(
            _("{file}: already exists; govscore writes a template only to a new file").format(
                file=path
            )
        )
    header = list(CHINESE)
    example = [EXAMPLE.get(name, "") for name in header]
    note = _("rows starting with # are not imported; the example below shows one entry")
    if suffix == ".csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerow([f"{COMMENT} {note}"])
        writer.writerow([COMMENT + example[0], *example[1:]])
        data = out.getvalue().encode("utf-8-sig")
    else:
        data = _template_workbook(header, example)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise DataError(
            _("{file}: cannot write: {reason}").format(
                file=path, reason=os_reason(exc, path, writing=True)
            )
        ) from None


def _template_workbook(header: list[str], example: list[str]) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    entries = book.active
    entries.title = _("entries")
    sample = book.create_sheet(_("example"))
    for sheet in (entries, sample):
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    row: list[Any] = list(example)
    day = header.index("日期")
    row[day] = date(2023, 5, 23)
    row[header.index("次数")] = int(EXAMPLE["次数"])
    sample.append(row)
    sample.cell(row=2, column=day + 1).number_format = "yyyy/m/d"
    sample.append([_("Only the first sheet is imported: fill in the rows there.")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
