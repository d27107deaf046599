"""Read item exports: a JSON array, JSON Lines, or a folder of such files.

Every record comes with its file and line, so a finding or an unreadable record can be
traced back to the export. A record that cannot be read becomes a :class:`Problem` and the
run goes on: one broken line must not hide the other 99,999 items.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govscore.errors import Problem

CODE_FIELD = "实施编码"
ITEM_SUFFIXES = (".json", ".jsonl")

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_TOO_DEEP = "bad JSON: nested too deeply to be an item"


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """One item object as read, and where it starts (1-based line)."""

    data: dict[str, Any]
    file: str
    line: int


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
        if path.is_dir():
            files = item_files(path)
            if not files:
                yield Problem(str(path), 0, "folder holds no .json or .jsonl files")
            yield from files
        else:
            yield path


def read_file(path: Path) -> Iterator[Entry]:
    """One file: ``.jsonl`` as JSON Lines (streamed), anything else as one JSON document."""
    name = str(path)
    try:
        if path.suffix.lower() == ".jsonl":
            with path.open("rb") as stream:
                yield from parse_jsonl(stream, name)
            return
        raw = path.read_bytes()
    except OSError as exc:
        yield Problem(name, 0, f"cannot read: {exc.strerror or exc}")
        return
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        yield Problem(name, line, "not UTF-8 text; the file is skipped")
        return
    yield from parse_json_text(text, name)


def read_jsonl_piece(path: Path, start: int, end: int, first: int) -> Iterator[Entry]:
    """The lines of a .jsonl file from byte start to end (a line boundary), the first of
    them being line first: one worker's share of a big file, numbered as in the whole."""
    try:
        with path.open("rb") as stream:
            stream.seek(start)
            piece = stream.read(end - start)
    except OSError as exc:
        yield Problem(str(path), 0, f"cannot read: {exc.strerror or exc}")
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
    with path.open("rb") as stream:
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
                yield Problem(file, number, "not UTF-8 text")
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
                yield Problem(file, number, f"bad JSON: {exc.msg} (column {exc.colno})")
                continue
            except RecursionError:
                yield Problem(file, number, _TOO_DEEP)
                continue
        yield _record(value, file, number)


def parse_json_text(text: str, file: str) -> Iterator[Entry]:
    """A JSON document: an array of records (each with the line it starts on) or one record.

    The array is scanned element by element with ``raw_decode`` so each element's offset,
    hence its line, is known without parsing twice. A syntax error stops the file (what
    follows cannot be told apart reliably) and is reported with its line.
    """
    text = text.removeprefix("\ufeff")
    pos = _skip_space(text, 0)
    if pos == len(text):
        yield Problem(file, 1, "empty file: expected a JSON array of items")
        return
    if text[pos] != "[":
        try:
            value, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield _bad_json(file, exc)
            return
        except RecursionError:
            line_of = text.count("\n", 0, pos) + 1
            yield Problem(file, line_of, f"{_TOO_DEEP}; the rest is skipped")
            return
        yield _record(value, file, text.count("\n", 0, pos) + 1)
        tail = _skip_space(text, end)
        if tail != len(text):
            line = text.count("\n", 0, tail) + 1
            yield Problem(file, line, "bad JSON: extra data after the document")
        return
    line = text.count("\n", 0, pos) + 1
    counted = pos
    pos = _skip_space(text, pos + 1)
    if text.startswith("]", pos):
        return
    while True:
        try:
            value, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield _bad_json(file, exc)
            return
        except RecursionError:
            line_of = text.count("\n", 0, pos) + 1
            yield Problem(file, line_of, f"{_TOO_DEEP}; the rest is skipped")
            return
        line += text.count("\n", counted, pos)
        counted = pos
        yield _record(value, file, line)
        pos = _skip_space(text, end)
        if text.startswith(",", pos):
            pos = _skip_space(text, pos + 1)
            continue
        if text.startswith("]", pos):
            tail = _skip_space(text, pos + 1)
            if tail != len(text):
                where = text.count("\n", 0, tail) + 1
                yield Problem(file, where, "bad JSON: extra data after the array")
            return
        where = text.count("\n", 0, pos) + 1
        found = "the end of the file" if pos >= len(text) else repr(text[pos])
        yield Problem(
            file, where, f"bad JSON: expected ',' or ']' but found {found}; the rest is skipped"
        )
        return


def _skip_space(text: str, pos: int) -> int:
    """The position of the first non-whitespace character (in JSON's sense) from pos."""
    match = _WHITESPACE.match(text, pos)
    return match.end() if match else pos


def _bad_json(file: str, exc: json.JSONDecodeError) -> Problem:
    return Problem(
        file, exc.lineno, f"bad JSON: {exc.msg} (column {exc.colno}); the rest is skipped"
    )


def _record(value: Any, file: str, line: int) -> Entry:
    if not isinstance(value, dict):
        return Problem(file, line, f"not an item object but {_kind(value)}")
    code = value.get(CODE_FIELD)
    # A number or blank is no code (leading zeros lost, nothing to name the item by).
    if not isinstance(code, str) or not code.strip():
        return Problem(file, line, f"item has no {CODE_FIELD}", field=CODE_FIELD)
    return ItemRecord(value, file, line)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    return "a number"
