"""Read item exports: a JSON array, JSON Lines, or a folder of such files.

Every record comes with its file and line, so a finding or an unreadable record can be
traced back to the export. A record that cannot be read becomes a :class:`Problem` and the
run goes on: one broken line must not hide the other 99,999 items. Exports come from
elsewhere and may be hostile: only regular files of at most MAX_FILE_BYTES are read (a
FIFO, a device, or a link to one is named, never opened for a blocking read), a number
too long for Python to convert and a string holding half a UTF-16 pair (``"\\ud800"``)
make their record unreadable, not the run.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from govscore.errors import Problem
from govscore.i18n import N_, _, os_reason, parser_reason

CODE_FIELD = "实施编码"
ITEM_SUFFIXES = (".json", ".jsonl")

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_TOO_DEEP = N_("bad JSON: nested too deeply to be an item")
# The most one item file may hold: far above any real export (100,000 items are ~200 MB).
MAX_FILE_BYTES = 2**30
# "\\ud800"…"\\udfff" escapes: only where one appears can a string hold half a pair.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """One item object as read, and where it starts (1-based line)."""

    data: dict[str, Any]
    file: str
    line: int


class Notice(Problem):
    """A remark on a file that is read all the same (an export named for the other
    format): said where problems are said, but no record is unreadable for it."""


class BrokenFile(Problem):
    """A JSON array broken part-way: the items before the break are read, the rest cannot
    be told apart. The run fails for it, but it is no record: how many records the rest
    held is not known, so none is counted unreadable."""


Entry = ItemRecord | Problem


def item_files(folder: Path) -> list[Path]:
    """The .json/.jsonl files under folder, recursively, in sorted order.

    Hidden files and folders (a leading dot, such as .git) are skipped.
    """
    found: list[Path] = []
    for current, dirs, files in os.walk(folder):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        for name in files:
            if not name.startswith(".") and name.lower().endswith(ITEM_SUFFIXES):
                found.append(Path(current, name))
    return sorted(found)


def read_items(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Entry]:
    """Records and problems from files and folders, in the order given (folders sorted)."""
    return read_sources(item_sources(paths))


def read_sources(sources: Iterable[Path | Problem]) -> Iterator[Entry]:
    """Records and problems from files listed by :func:`item_sources` (its problems pass)."""
    for source in sources:
        if isinstance(source, Problem):
            yield source
        else:
            yield from read_file(source)


def item_sources(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | Problem]:
    """The files read_items reads, in its order, and a problem for a folder without any.

    Shared with the checker's worker processes, which must read the same files in the same
    order as one process would.
    """
    for given in paths:
        path = Path(given)
        # os.path's: a name the system refuses (too long) is no folder, and is read as a
        # file, whose reading names the reason (Path.is_dir raises it on Python 3.11).
        if os.path.isdir(path):
            files = item_files(path)
            if not files:
                yield Problem(str(path), 0, _("folder holds no .json or .jsonl files"))
            yield from files
        else:
            yield path


class Refused(Exception):
    """A file govscore will not read; the message says why."""


def open_item_file(path: Path) -> BinaryIO:
    """Open a regular file of at most MAX_FILE_BYTES, following links only to such a file.

    Opened without blocking, so a FIFO cannot stall the run before it is seen to be one.
    Raises Refused (or OSError when the file cannot be opened at all).
    """
    nonblocking = getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, os.O_RDONLY | nonblocking | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(
                _("not a regular file but {kind}; only regular files are read").format(
                    kind=_kind_of_file(info.st_mode)
                )
            )
        if info.st_size > MAX_FILE_BYTES:
            raise Refused(_too_big())
        if nonblocking:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _kind_of_file(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return _("a FIFO (named pipe)")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    if stat.S_ISDIR(mode):
        return _("a folder")
    return _("something else")


def _too_deep_rest() -> str:
    return _("{reason}; the rest is skipped").format(reason=_(_TOO_DEEP))


def _too_big() -> str:
    limit = MAX_FILE_BYTES
    size = f"{limit // 2**30} GiB" if limit % 2**30 == 0 else f"{limit:,} bytes"
    return _("larger than {size}; item files over that size are not read").format(size=size)


def _cannot_read(name: str, exc: OSError | Refused) -> Problem:
    if isinstance(exc, Refused):
        return Problem(name, 0, str(exc))
    return Problem(name, 0, _("cannot read: {reason}").format(reason=os_reason(exc, name)))


def read_file(path: Path) -> Iterator[Entry]:
    """One file: ``.jsonl`` as JSON Lines (streamed), anything else as one JSON document.

    An export renamed by hand is read as what it holds, with a note: a ``.jsonl`` file that
    starts with ``[`` as a JSON array, a ``.json`` file of one object a line as JSON Lines.
    """
    name = str(path)
    suffix = path.suffix.lower()
    if suffix in NOT_ITEM_FILES:
        try:  # missing, or a link to nothing (an export that failed): the system's reason
            path.stat()
        except OSError as exc:
            yield _cannot_read(name, exc)
            return
        message = _(
            "a {suffix} file: item exports are read as JSON (.json, a JSON array of items, "
            "or .jsonl, one item a line); export the items as JSON"
        )
        yield Problem(name, 0, message.format(suffix=suffix))
        return
    try:
        with open_item_file(path) as stream:
            if suffix == ".jsonl" and not _starts_as_array(stream):
                read = False
                for entry in parse_jsonl(_bounded(stream, name), name):
                    read = True
                    yield entry
                if not read:  # an export that failed, or was cut to nothing
                    yield Problem(name, 1, _("empty file: expected one JSON item a line"))
                return
            raw = stream.read(MAX_FILE_BYTES + 1)
    except (OSError, Refused) as exc:
        yield _cannot_read(name, exc)
        return
    if suffix == ".jsonl":  # a JSON array, named .jsonl by hand: read as what it is
        message = _(
            "note: named .jsonl but holds a JSON array of items: read as a JSON array; "
            "name it .json"
        )
        yield Notice(name, 0, message)
    if len(raw) > MAX_FILE_BYTES:  # it grew after it was opened
        yield Problem(name, 0, _too_big())
        return
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        yield Problem(name, line, _("not UTF-8 text (save it as UTF-8); the file is skipped"))
        return
    yield from parse_json_text(text, name)


def _starts_as_array(stream: BinaryIO) -> bool:
    """Whether a file's first character other than a BOM or blanks is ``[``: a JSON array,
    whatever its name says. The stream, at the file's start, is left there."""
    start = stream.tell()
    try:
        head = stream.read(4096).removeprefix(codecs.BOM_UTF8).lstrip(_JSON_BLANKS)
        while not head and (chunk := stream.read(4096)):  # blank lines first
            head = chunk.lstrip(_JSON_BLANKS)
    finally:
        stream.seek(start)
    return head.startswith(b"[")


_JSON_BLANKS = b" \t\r\n"


def starts_as_array(path: Path) -> bool:
    """Whether a file's first character other than a BOM or blanks is ``[`` (see
    :func:`_starts_as_array`): a .jsonl file that is one is read whole, never in pieces."""
    with open_item_file(path) as stream:
        return _starts_as_array(stream)


# What Excel and other tables write: not item exports, whatever they hold.
NOT_ITEM_FILES = frozenset({".csv", ".tsv", ".xlsx", ".xlsm", ".xls"})


def _bounded(stream: BinaryIO, name: str) -> Iterator[bytes]:
    """The lines of a stream, until more than MAX_FILE_BYTES have come (a file still growing)."""
    total = 0
    for raw in stream:
        total += len(raw)
        if total > MAX_FILE_BYTES:
            raise Refused(_too_big())
        yield raw


def read_jsonl_piece(path: Path, start: int, end: int, first: int) -> Iterator[Entry]:
    """The lines of a .jsonl file from byte start to end (a line boundary), the first of
    them being line first: one worker's share of a big file, numbered as in the whole."""
    try:
        with open_item_file(path) as stream:
            stream.seek(start)
            piece = stream.read(end - start)
    except (OSError, Refused) as exc:
        yield _cannot_read(str(path), exc)
        return
    yield from parse_jsonl(io.BytesIO(piece), str(path), first)


def jsonl_pieces(path: Path, size: int) -> Iterator[tuple[int, int, int]]:
    """(start, end, first line) of consecutive pieces of about size bytes, each ending
    after a line break (or at the end of the file), so no line is cut in two.

    Line numbers count b"\\n" as parse_jsonl does; reading the file in pieces of this size
    keeps memory flat whatever the file's size.
    """
    start, line = 0, 1
    buffer = bytearray(size)  # one buffer, read into: no copy per piece
    with open_item_file(path) as stream:
        while True:
            got = stream.readinto(buffer)
            if not got:
                return
            tail = stream.readline()  # to the end of the line the block stopped in
            end = start + got + len(tail)
            yield start, end, line
            line += buffer.count(b"\n", 0, got) + tail.count(b"\n")
            start = end


def parse_jsonl(lines: Iterable[bytes | str], file: str, first: int = 1) -> Iterator[Entry]:
    """JSON Lines, one record per non-blank line; a bad line is a problem, the rest is read.

    first is the number of the first line given (a piece of a file starts further on); a
    byte-order mark is only looked for on line 1.
    """
    scan = _DECODER.scan_once
    for number, raw in enumerate(lines, start=first):
        if isinstance(raw, bytes):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                yield Problem(file, number, _("not UTF-8 text"))
                continue
        else:
            line = raw.removeprefix("\ufeff") if number == 1 else raw
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        # The scanner json.loads ends in, without its wrappers: a line that is exactly one
        # object is the common case. Anything else (a failure, leading or trailing space)
        # goes through json.loads itself, so what is accepted and every message stay its own.
        try:
            value, end = scan(line, 0)
        except (StopIteration, ValueError, RecursionError):
            end = -1
        if end != len(line):
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                message = _("bad JSON: {reason} (column {column})")
                reason = parser_reason(exc.msg)
                yield Problem(file, number, message.format(reason=reason, column=exc.colno))
                continue
            except RecursionError:
                yield Problem(file, number, _(_TOO_DEEP))
                continue
            except ValueError:  # json's only other complaint: an integer too long to convert
                yield Problem(file, number, _too_long())
                continue
        if _SURROGATE_ESCAPE.search(line) and _half_pair(value):
            yield Problem(file, number, _half_pair_message())
            continue
        yield _record(value, file, number)


def parse_json_text(text: str, file: str) -> Iterator[Entry]:
    """A JSON document: an array of records (each with the line it starts on) or one record.

    The array is scanned element by element with ``raw_decode`` so each element's offset,
    hence its line, is known without parsing twice. A syntax error stops the file (what
    follows cannot be told apart reliably) and is reported with its line; a record with
    a number too long to convert or half a UTF-16 pair is reported and skipped.
    """
    text = text.removeprefix("\ufeff")
    surrogates = bool(_SURROGATE_ESCAPE.search(text))
    pos = _skip_space(text, 0)
    if pos == len(text):
        yield Problem(file, 1, _("empty file: expected a JSON array of items"))
        return
    if text[pos] != "[":
        try:
            value, end = _decode(text, pos)
        except json.JSONDecodeError as exc:
            yield _bad_json(file, exc)
            return
        except RecursionError:
            line_of = text.count("\n", 0, pos) + 1
            yield Problem(file, line_of, _too_deep_rest())
            return
        tail = _skip_space(text, end)
        if tail != len(text) and _one_a_line(text, pos, end, tail):
            # JSON Lines named .json by hand: every line is read, none dropped unsaid.
            message = _(
                "note: named .json but holds one item a line (JSON Lines): read as JSON "
                "Lines; name it .jsonl"
            )
            yield Notice(file, 0, message)
            yield from parse_jsonl(text.split("\n"), file)
            return
        yield _checked(value, file, text.count("\n", 0, pos) + 1, surrogates)
        if tail != len(text):
            line = text.count("\n", 0, tail) + 1
            yield Problem(file, line, _("bad JSON: extra data after the document"))
        return
    line = text.count("\n", 0, pos) + 1
    counted = pos
    pos = _skip_space(text, pos + 1)
    if text.startswith("]", pos):
        return
    while True:
        try:
            value, end = _decode(text, pos)
        except json.JSONDecodeError as exc:
            message = _(
                "not a readable JSON array: {reason} (column {column}); no item from "
                "there on is checked"
            )
            reason = parser_reason(exc.msg)
            yield BrokenFile(file, exc.lineno, message.format(reason=reason, column=exc.colno))
            return
        except RecursionError:
            line_of = text.count("\n", 0, pos) + 1
            yield Problem(file, line_of, _too_deep_rest())
            return
        line += text.count("\n", counted, pos)
        counted = pos
        yield _checked(value, file, line, surrogates)
        pos = _skip_space(text, end)
        if text.startswith(",", pos):
            pos = _skip_space(text, pos + 1)
            continue
        if text.startswith("]", pos):
            tail = _skip_space(text, pos + 1)
            if tail != len(text):
                where = text.count("\n", 0, tail) + 1
                yield Problem(file, where, _("bad JSON: extra data after the array"))
            return
        where = text.count("\n", 0, pos) + 1
        column = pos - text.rfind("\n", 0, pos)
        found = _("the end of the file") if pos >= len(text) else f"“{text[pos]}”"
        message = _(
            "not a readable JSON array: expected ',' or ']' but found {found} (column "
            "{column}); no item from there on is checked"
        )
        yield BrokenFile(file, where, message.format(found=found, column=column))
        return


def _one_a_line(text: str, start: int, end: int, tail: int) -> bool:
    """Whether a document that is followed by more text looks like JSON Lines: an object
    on one line of its own, and what follows starts an object on a later line."""
    return (
        text.startswith("{", start)
        and "\n" not in text[start:end]
        and "\n" in text[end:tail]
        and text.startswith("{", tail)
    )


class _TooLong:
    """Stands for a record that held an integer too long to convert (see _decode)."""


_TOO_LONG = _TooLong()


def _decode(text: str, pos: int) -> tuple[Any, int]:
    """One JSON value from pos, and where it ends; _TOO_LONG for one with a huge integer.

    The fast decoder refuses an integer of more digits than Python converts (4,300);
    the value is then read again with such integers left unconverted, to find its end.
    """
    try:
        return _DECODER.raw_decode(text, pos)
    except json.JSONDecodeError:
        raise
    except ValueError:
        _, end = _LENIENT.raw_decode(text, pos)
        return _TOO_LONG, end


def _unconverted(digits: str) -> int:
    return int(digits) if len(digits) <= _max_digits() else 0


_LENIENT = json.JSONDecoder(parse_int=_unconverted)


def _max_digits() -> int:
    return sys.get_int_max_str_digits() or sys.maxsize


def _too_long() -> str:
    return _(
        "bad JSON: a number of more than {digits} digits, longer than any item field "
        "holds; the record is skipped"
    ).format(digits=f"{_max_digits():,}")


def _half_pair(value: Any) -> bool:
    """Whether a decoded value holds a lone surrogate (in a string or a key)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    except RecursionError:
        return True  # too deep to look through: not an item either
    return False


def _half_pair_message() -> str:
    return _(
        "bad JSON: a \\uD800–\\uDFFF escape without its other half is no character; "
        "the record is skipped"
    )


def _checked(value: Any, file: str, line: int, surrogates: bool) -> Entry:
    """A decoded array element or document as a record, or the problem it has."""
    if value is _TOO_LONG:
        return Problem(file, line, _too_long())
    if surrogates and _half_pair(value):
        return Problem(file, line, _half_pair_message())
    return _record(value, file, line)


def _skip_space(text: str, pos: int) -> int:
    """The position of the first non-whitespace character (in JSON's sense) from pos."""
    match = _WHITESPACE.match(text, pos)
    return match.end() if match else pos


def _bad_json(file: str, exc: json.JSONDecodeError) -> Problem:
    return Problem(
        file,
        exc.lineno,
        _("bad JSON: {reason} (column {column}); the rest is skipped").format(
            reason=parser_reason(exc.msg), column=exc.colno
        ),
    )


def _record(value: Any, file: str, line: int) -> Entry:
    if not isinstance(value, dict):
        message = _("not an item object but {kind}").format(kind=_kind(value))
        return Problem(file, line, message)
    code = value.get(CODE_FIELD)
    # A number or blank is no code (leading zeros lost, nothing to name the item by).
    if code is not None and not isinstance(code, str):
        message = _("{field} is {kind}, not text: write it in quotes, as the code reads")
        return Problem(file, line, message.format(field=CODE_FIELD, kind=_kind(code)), CODE_FIELD)
    if not isinstance(code, str) or not code.strip():
        message = _("item has no {field}").format(field=CODE_FIELD)
        return Problem(file, line, message, field=CODE_FIELD)
    return ItemRecord(value, file, line)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return _("an array")
    if isinstance(value, str):
        return _("a string")
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    return _("a number")
