"""The cache's bytes: data only, signed with a key kept outside the root.

A snapshot decides published figures, so the file that holds it must neither run code
when read (a pickle can) nor be changed unseen. It is JSON and one plain list of ids,
behind a header that names the format and an HMAC-SHA256 of everything after it. The
key lives in the user's configuration folder, not in the root: someone who can write
the root but not the key cannot make a cache that verifies, and a cache that does not
verify (changed, cut short, written by another user or another version) is ignored and
rebuilt from the ledger. `govscore check` also compares a verified cache with a full
read, for whoever holds the key.

Layout:  MAGIC "\\n" hex-MAC "\\n" JSON-length "\\n" JSON ids-text
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from json.decoder import scanstring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

from govscore.errors import DataError, Problem
from govscore.figures import Remembered
from govscore.i18n import Worded, _
from govscore.ledger import cache
from govscore.model import Entry
from govscore.rules.config import Department, Departments
from govscore.rules.scoring import Cell, Cells, MonthCells, Summary

MAGIC = f"govscore ledger cache {cache.FORMAT}".encode()
KEY_ENV = "GOVSCORE_KEY_FILE"
KEY_NAME = "cache.key"
KEY_BYTES = 32
# A cache is a fraction of its ledger; anything this big is not one of ours.
MAX_CACHE_BYTES = 2**30

_DECIMAL_FIELDS = frozenset({"points", "value", "numerator", "denominator"})
_DECIMALS = tuple(i for i, name in enumerate(Entry._fields) if name in _DECIMAL_FIELDS)
_DATE = Entry._fields.index("date")


# -- the key ------------------------------------------------------------------------------


def key_path() -> Path:
    """$GOVSCORE_KEY_FILE, else $XDG_CONFIG_HOME/govscore/cache.key, else ~/.config/…"""
    chosen = os.environ.get(KEY_ENV)
    if chosen:
        return Path(chosen).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME") or ""
    base = Path(config) if os.path.isabs(config) else Path.home() / ".config"
    return base / "govscore" / KEY_NAME


def signing_key() -> bytes | None:
    """This user's cache key, made (0600) on first use; None where there can be none.

    Without a key there is no cache: reports read the whole ledger.
    """
    try:
        path = key_path()
    except RuntimeError:  # no home folder to put it in
        return None
    key = _read_key(path)
    if key is None and not path.exists():
        _create_key(path)
        key = _read_key(path)
    return key


def _read_key(path: Path) -> bytes | None:
    """The key, only from a regular file no one else may write."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        others_write = os.name != "nt" and info.st_mode & 0o022  # Windows has no such bits
        if not stat.S_ISREG(info.st_mode) or others_write or info.st_size > 4096:
            return None
        if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
            return None
        text = os.read(fd, 4096)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        key = bytes.fromhex(text.decode("ascii").strip())
    except ValueError:
        return None
    return key if len(key) >= 16 else None


def _create_key(path: Path) -> None:
    """Write a new key whole, then link it into place: two first runs agree on one key."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=".key-", delete=False) as f:
            temporary = Path(f.name)  # created 0600
            f.write(secrets.token_hex(KEY_BYTES) + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made one first: use theirs
        finally:
            temporary.unlink()
    except OSError:
        return


# -- signing --------------------------------------------------------------------------------


def seal(snapshot: cache.Snapshot, key: bytes) -> bytes:
    """The bytes of a cache file holding snapshot, signed with key."""
    texts = _Texts()
    data = _to_data(snapshot, texts)
    parts = [text.encode() if isinstance(text, str) else text for text in texts.parts]
    data["texts"] = [len(part) for part in parts]
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    rest = [b"%d\n" % len(body), body, *parts]
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in rest:
        mac.update(part)
    return b"".join([MAGIC, b"\n", mac.hexdigest().encode(), b"\n", *rest])


def unseal(data: bytes, key: bytes) -> cache.Snapshot | None:
    """The snapshot in a cache file, or None unless it is ours, whole and of this format."""
    view = memoryview(data)
    rest = _signed(MAGIC, data, key)
    if rest is None:
        return None
    try:
        newline = data.index(b"\n", rest)
        start = newline + 1
        end = start + int(data[rest:newline])
        body = json.loads(data[start:end])
        return _from_data(body, _cut(view, end, body["texts"]))
    except Exception:  # signed by us yet not what this version reads: rebuild it
        return None


def _signed(magic: bytes, data: bytes, key: bytes) -> int | None:
    """Where the signed part of a cache file starts, if it starts with magic and its MAC
    (of everything after it) is right; else None."""
    head = len(magic) + 1
    rest = head + 2 * hashlib.sha256().digest_size + 1
    if data[:head] != magic + b"\n" or data[rest - 1 : rest] != b"\n":
        return None
    mac = hmac.new(key, memoryview(data)[rest:], hashlib.sha256).hexdigest().encode()
    return rest if hmac.compare_digest(data[head : rest - 1], mac) else None


def seal_texts(magic: bytes, texts: Sequence[str | bytes | memoryview], key: bytes) -> bytes:
    """Plain texts in one signed file: MAGIC, the MAC, their lengths (JSON), the texts
    (given as text, or as the bytes a file held)."""
    parts = [text.encode() if isinstance(text, str) else text for text in texts]
    rest = [json.dumps([len(part) for part in parts]).encode(), b"\n", *parts]
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in rest:
        mac.update(part)
    return b"".join([magic, b"\n", mac.hexdigest().encode(), b"\n", *rest])


def unseal_texts(magic: bytes, data: bytes, key: bytes) -> Parts | None:
    """The texts seal_texts signed, or None unless the file is whole, ours and of `magic`."""
    rest = _signed(magic, data, key)
    newline = data.find(b"\n", rest or 0)
    if rest is None or newline < 0:
        return None
    try:
        return _cut(memoryview(data), newline + 1, json.loads(data[rest:newline]))
    except (ValueError, TypeError):
        return None


class Parts(Sequence[str]):
    """The texts of a verified cache file, each decoded when first read: a warm report
    reads a few of them (a province's million ids are for validating new entries)."""

    def __init__(self, view: memoryview, start: int, lengths: list[int]):
        self._view = view
        self._bounds: list[tuple[int, int]] = []
        for length in lengths:
            self._bounds.append((start, start + int(length)))
            start += int(length)
        if start != len(view):
            raise ValueError("bytes after the last text")
        self._decoded: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._bounds)

    def __getitem__(self, number: int) -> str:  # type: ignore[override]
        found = self._decoded.get(number)
        if found is None:
            start, end = self._bounds[number]
            found = self._decoded[number] = str(self._view[start:end], "utf-8")
        return found

    def raw(self, number: int) -> memoryview:
        """A text's bytes as the file holds them (written again as they are)."""
        start, end = self._bounds[number]
        return self._view[start:end]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


def _cut(view: memoryview, start: int, lengths: list[int]) -> Parts:
    """The texts of these lengths from start on, which must end where the file ends."""
    return Parts(view, start, lengths)


class _Texts:
    """Long lists of strings kept as plain lines after the JSON: quick to write and read."""

    def __init__(self) -> None:
        # Texts, or the bytes a cache file held them as (written again as they are).
        self.parts: list[str | memoryview] = []

    def add(self, text: str | memoryview) -> int:
        self.parts.append(text)
        return len(self.parts) - 1

    def column(self, strings: Iterable[str]) -> list[Any]:
        """[number of the text, count], or the strings themselves if one holds a newline."""
        kept = list(strings)
        joined = "\n".join(kept)
        if joined.count("\n") != max(len(kept) - 1, 0):
            return [None, kept]
        return [self.add(joined), len(kept)]

    def reuse(self, context: cache.Context, name: str, now: object = None) -> list[Any] | None:
        """A context's columns as they were read, while what they hold is unchanged
        (a province's 120,000 rates need not be joined again for one more entry).
        `now`: what was kept to tell, if not the part itself (see cache.Context.stored)."""
        held = context.stored.get(name)
        if held is None or held[0] != (getattr(context, name) if now is None else now):
            return None
        return [
            [self.add(text), count] if kind == "text" else [None, count]
            for kind, text, count in held[1]
        ]


def _as_read(parts: Sequence[str], columns: list[list[Any]]) -> list[Any]:
    """Columns as the file holds them, for _Texts.reuse: (kind, text, count); the text as
    the file's bytes where they are at hand (a province's million keys are neither
    decoded nor encoded again for one more entry)."""
    raw = parts.raw if isinstance(parts, Parts) else parts.__getitem__
    return [
        ("text", raw(number), count) if number is not None else ("list", "", count)
        for number, count in columns
    ]


def _key_columns(texts: _Texts, keys: cache.KeyIndex) -> list[Any]:
    """The keys and their ids as two columns, joined again only where no dict was built."""
    lines = keys.lines()
    if lines is None:
        return [texts.column(keys), texts.column(keys.values())]
    joined, ids, count = lines
    return [[texts.add(joined), count], [texts.add(ids), count]]


def _key_index(parts: Sequence[str], stored: list[Any]) -> cache.KeyIndex:
    """The keys as the file holds them, split into a dict only when asked often."""
    (keys, count), (ids, id_count) = stored
    if keys is None or ids is None:  # a key or id holding a newline: kept as lists
        return cache.KeyIndex(zip(*(_column(parts, part) for part in stored), strict=True))
    if count != id_count:
        raise ValueError("columns of different lengths")
    return cache.KeyIndex.joined(parts[keys], parts[ids], int(count))


def _column(parts: Sequence[str], stored: list[Any]) -> list[str]:
    number, count = stored
    if number is None:
        return [str(text) for text in count]
    found = parts[number].split("\n") if count else []
    if len(found) != count:
        raise ValueError("a column of the wrong length")
    return found


# -- departments ⇄ text ----------------------------------------------------------------------

DEPARTMENTS_MAGIC = f"govscore departments cache {cache.FORMAT}".encode()
# The last import whole (see loader.kept_import): its file's fingerprint and its rows' keys.
IMPORT_MAGIC = f"govscore import cache {cache.FORMAT}".encode()


def departments_text(departments: Departments) -> str:
    """Parsed departments and their look-alike check, as the cache keeps them: a
    province's departments.toml takes tomllib longer than a warm report may."""
    items = list(departments.items)
    place = {id(department): number for number, department in enumerate(items)}
    return json.dumps(
        {
            "source": departments.source,
            "city": departments.city,
            "items": [[d.name, list(d.aliases), sorted(d.tags), d.since, d.until] for d in items],
            "forms": list(departments.by_name),
            "owners": [place[id(d)] for d in departments.by_name.values()],
            "looks": [_problem(p) for p in departments.looks or ()],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def departments_from(text: str) -> Departments | None:
    """The departments departments_text wrote (from a verified file); None if it does
    not read as this version writes it (then departments.toml is parsed)."""
    try:
        data = json.loads(text)
        items = tuple(
            Department(
                str(name),
                tuple(map(str, aliases)),
                frozenset(map(str, tags)),
                None if since is None else str(since),
                None if until is None else str(until),
            )
            for name, aliases, tags, since, until in data["items"]
        )
        by_name = dict(
            zip(map(str, data["forms"]), (items[int(n)] for n in data["owners"]), strict=True)
        )
        looks = tuple(_as_problem(row) for row in data["looks"])
        return Departments(items, by_name, str(data["source"]), str(data["city"]), looks)
    except (ValueError, TypeError, KeyError, IndexError):
        return None


# -- snapshot ⇄ plain data --------------------------------------------------------------------


def _problem(p: Problem) -> list[Any]:
    # An English message keeps its Chinese wording (what JSON gives): [English, Chinese].
    message = [str(p.message), p.message.zh] if isinstance(p.message, Worded) else p.message
    return [p.file, p.line, message, p.field, p.entry]


def _as_problem(row: list[Any]) -> Problem:
    file, line, message, field_name, entry = row
    said = Worded(*map(str, message)) if isinstance(message, list) else str(message)
    return Problem(str(file), int(line), said, str(field_name), str(entry))


def entry_row(entry: Entry) -> list[Any]:
    row: list[Any] = list(entry)
    for index in _DECIMALS:
        if row[index] is not None:
            row[index] = str(row[index])
    if row[_DATE] is not None:
        row[_DATE] = row[_DATE].isoformat()
    return row


def _as_entry(row: list[Any]) -> Entry:
    if len(row) != len(Entry._fields):
        raise ValueError("not an entry of this version")
    for index in _DECIMALS:
        if row[index] is not None:
            row[index] = Decimal(row[index])
    if row[_DATE] is not None:
        row[_DATE] = date.fromisoformat(row[_DATE])
    return Entry._make(row)


def _decimals(values: dict[str, Decimal]) -> dict[str, str]:
    return {name: str(value) for name, value in values.items()}


# A province's 120,000 cells hold a few hundred distinct sums: each made a Decimal once
# (immutable, so one may be shared).
_DECIMAL = Remembered(Decimal)


def _as_decimals(values: dict[str, str]) -> dict[str, Decimal]:
    return {name: _DECIMAL[value] for name, value in values.items()}


# JSON as the cache files write it: compact, and not escaped to ASCII.
as_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
# Names written again and again (a province's 10,000 departments in every month's text,
# the categories and clauses of each kept score): each encoded as a JSON string once.
quoted = Remembered(as_json)


def month_text(cells: Cells, month: str) -> str:
    """A month's cells as the cache keeps them: the text they were read from, if unchanged;
    else written again, each cell not decoded since as it was read.

    A JSON object, one department a line: JSON writes no line break inside a string, so
    each department's cell can be found, digested and decoded on its own."""
    kept = cells.raw(month)
    return kept if kept is not None else _written(cells, month)[1]


def month_forms(cells: Cells, month: str) -> dict[str, str]:
    """Each department's cell in a month as month_text writes it; the month's text is then
    kept as written, so that a snapshot written next does not write each cell again (a
    cold year sends a province's cells to its workers as text, then writes the snapshot)."""
    return _written(cells, month)[0]


def _written(cells: Cells, month: str) -> tuple[dict[str, str], str]:
    kept = cells.raw(month)
    found = cells.month(month)
    forms = found.forms() if isinstance(found, MonthCells) else iter(found.items())
    texts = {department: cell_text(cell) for department, cell in forms}
    text = kept if kept is not None else _month_of(texts)
    cells.written(month, text)
    return texts, text


def _month_of(texts: dict[str, str]) -> str:
    return "{" + ",\n".join([f"{quoted[name]}:{text}" for name, text in texts.items()]) + "}"


def cell_text(cell: object) -> str:
    """A department's cell as month_text writes it (a Cell, or the text it was read from):
    as_json(cell_row(cell)), written directly for a cell with no veto or referral, as
    almost every one of a province's 120,000 is (a test holds the two together)."""
    if not isinstance(cell, Cell):
        return str(cell)
    if cell.vetoes or cell.referrals:
        return as_json(cell_row(cell))
    return (
        f"[{_figures(cell.sums)},{_figures(cell.capped)},{_names(cell.cap_category)},"
        f"[],[],{_figures(cell.clauses)}]"
    )


def _figures(values: dict[str, Decimal]) -> str:
    """as_json(_decimals(values)): a Decimal's text needs no escape (`!s`: str() is
    quicker than format())."""
    return "{" + ",".join([f'{quoted[name]}:"{value!s}"' for name, value in values.items()]) + "}"


def _names(values: dict[str, str]) -> str:
    return (
        "{" + ",".join([f"{quoted[name]}:{quoted[value]}" for name, value in values.items()]) + "}"
    )


def stored_cells(forms: dict[str, object]) -> MonthCells:
    """A month's cells from each department's as month_text writes it, decoded when read."""
    return MonthCells(forms, _as_cell)


def cell_row(cell: Cell) -> list[Any]:
    return [
        _decimals(cell.sums),
        _decimals(cell.capped),
        cell.cap_category,
        cell.vetoes,
        cell.referrals,
        _decimals(cell.clauses),
    ]


def month_cells(text: str) -> MonthCells:
    """A month's cells from the text month_text wrote (signed with the rest of the file),
    each decoded when first read.

    Read only when asked for, after the file was verified: a text that does not read
    (possible only for whoever holds the key) stops the report with a message, not a
    traceback; `check` rebuilds the cache.
    """
    stored: dict[str, object] = {}
    try:
        if not (text.startswith("{") and text.endswith("}")):
            raise ValueError("not a month of cells")
        for line in text[1:-1].split(",\n") if text != "{}" else ():
            if not line.startswith('"'):
                raise ValueError("not a department's cell")
            department, end = scanstring(line, 1)
            if line[end : end + 1] != ":":
                raise ValueError("not a department's cell")
            stored[department] = line[end + 1 :]
    except ValueError as error:
        raise _unreadable(error) from error
    return MonthCells(stored, _as_cell)


# A cell's text is read by the decoder's scanner itself: json.loads would first look for
# white space at each end, 120,000 times in a province's cold year.
_SCAN = json.JSONDecoder().raw_decode


def _as_cell(stored: object) -> Cell:
    try:
        text = str(stored)
        row, end = _SCAN(text)
        if end != len(text):
            raise ValueError("more than a cell")
        sums, capped, cap_category, vetoes, referrals, by_clause = row
        return Cell(
            _as_decimals(sums),
            _as_decimals(capped),
            {str(k): str(v) for k, v in cap_category.items()},
            [str(v) for v in vetoes],
            [(str(a), str(b), str(c)) for a, b, c in referrals],
            _as_decimals(by_clause),
        )
    except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError) as error:
        raise _unreadable(error) from error


def _unreadable(error: Exception) -> DataError:
    return DataError(
        _(
            "{file}: the cache cannot be read ({reason}); run `govscore check`, "
            "which rebuilds it, or use --no-cache"
        ).format(file=".govscore-cache/ledger.cache", reason=type(error).__name__)
    )


def _to_data(snapshot: cache.Snapshot, texts: _Texts) -> dict[str, Any]:
    summary, context = snapshot.summary, snapshot.context
    targets = context.targets.values()
    cells = summary.cells.months()
    rates = list(context.rates)  # a set: any order reads back the same
    return {
        "key": snapshot.key.hex(),
        "files": {
            label: [
                mark.size,
                mark.digest.hex(),
                mark.newlines,
                mark.broken,
                _problem(mark.broken_by) if mark.broken_by else None,
            ]
            for label, mark in snapshot.files.items()
        },
        "problems": [_problem(p) for p in snapshot.problems],
        "entries": snapshot.entries,
        # Each month's cells are a text of their own, read only when a report needs them.
        "cells": [[month, texts.add(month_text(summary.cells, month))] for month in cells],
        "standing": [entry_row(e) for e in summary.standing],
        "exclusive": [entry_row(e) for e in summary.exclusive],
        "annual": [entry_row(e) for e in summary.annual],
        "through": summary.through,
        "ids": texts.add(context.ids.stored()),
        "targets": texts.reuse(context, "targets")
        or [
            texts.column(context.targets),
            *(texts.column(t[part] for t in targets) for part in range(4)),
            texts.column(str(t[4]) for t in targets),
        ],
        "target_bad": texts.column(context.target_bad),
        "voided": texts.column(context.voided),
        "rates": texts.reuse(context, "rates")
        or [texts.column(rate[part] for rate in rates) for part in range(3)],
        "wanted": texts.column(context.wanted),
        "keys": texts.reuse(context, "keys", len(context.keys))
        or _key_columns(texts, context.keys),
        # Few keys are marked but where an import built the snapshot (cache.Context.marks).
        "marks": [texts.column(context.marks), texts.column(context.marks.values())],
        "sequences": context.sequences,
        "target_counts": context.target_counts,
        "follows": context.follows,
    }


def _from_data(data: dict[str, Any], parts: Sequence[str]) -> cache.Snapshot:
    files = {
        str(label): cache.FileMark(
            int(size),
            bytes.fromhex(digest),
            int(newlines),
            bool(broken),
            _as_problem(broken_by) if broken_by is not None else None,
        )
        for label, (size, digest, newlines, broken, broken_by) in data["files"].items()
    }
    cells = Cells()
    for month, number in data["cells"]:
        cells.keep_raw(str(month), parts[number], month_cells)
    summary = Summary(
        cells=cells,
        standing=[_as_entry(row) for row in data["standing"]],
        exclusive=[_as_entry(row) for row in data["exclusive"]],
        annual=[_as_entry(row) for row in data["annual"]],
        through={str(k): str(v) for k, v in data["through"].items()},
    )
    return _Read(
        lambda: _context(data, parts),
        key=bytes.fromhex(data["key"]),
        files=files,
        problems=[_as_problem(row) for row in data["problems"]],
        summary=summary,
        entries=int(data["entries"]),
    )


class _Read(cache.Snapshot):
    """A snapshot read from the cache file. Its Context (what validating appended entries
    needs: a province's million ids, 120,000 rates, …) is built when first asked for: a
    warm report never asks, `add` and an appended tail do."""

    def __init__(self, build: Callable[[], cache.Context], **fields: Any):
        self._build: Callable[[], cache.Context] | None = build
        super().__init__(context=None, **fields)  # type: ignore[arg-type]

    @property  # type: ignore[override]
    def context(self) -> cache.Context:
        if self._context is None:
            try:
                self._context = self._build()  # type: ignore[misc]
            except (ValueError, TypeError, KeyError, IndexError) as error:
                raise _unreadable(error) from error
        return self._context

    @context.setter
    def context(self, value: cache.Context | None) -> None:
        self._context = value


def _context(data: dict[str, Any], parts: Sequence[str]) -> cache.Context:
    ids = cache.IdSet()
    ids.text = parts[data["ids"]]
    named, clauses, departments, months, labels, lines = (
        _column(parts, stored) for stored in data["targets"]
    )
    targets: dict[str, cache.Target] = {
        entry_id: (clause, department, month, label, int(line))
        for entry_id, clause, department, month, label, line in zip(
            named, clauses, departments, months, labels, lines, strict=True
        )
    }
    keys = _key_index(parts, data["keys"])
    rates = set(zip(*(_column(parts, stored) for stored in data["rates"]), strict=True))
    return cache.Context(
        ids=ids,
        targets=targets,
        target_bad=set(_column(parts, data["target_bad"])),
        voided=frozenset(_column(parts, data["voided"])),
        rates=rates,
        wanted=set(_column(parts, data["wanted"])),
        keys=keys,
        marks=dict(zip(*(_column(parts, stored) for stored in data["marks"]), strict=True)),
        sequences={str(k): int(v) for k, v in data["sequences"].items()},
        target_counts={str(k): int(v) for k, v in data["target_counts"].items()},
        follows={str(k): int(v) for k, v in data["follows"].items()},
        stored={
            "targets": (dict(targets), _as_read(parts, data["targets"])),
            "rates": (frozenset(rates), _as_read(parts, data["rates"])),
            # Keys are only ever added to a context: the same number, the same keys.
            "keys": (len(keys), _as_read(parts, data["keys"])),
        },
    )
