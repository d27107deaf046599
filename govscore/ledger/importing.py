"""Bulk import: a CSV file's bytes become one Draft per row, each knowing its line.

Pure: it takes bytes and returns drafts and problems; the CLI prints, and `record`
validates the drafts against the whole ledger and appends them all or none. A draft's
source is "FILE:LINE", so a problem `record` finds still names the row it came from.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from govscore.errors import DataError, Problem, UsageError
from govscore.ledger.recording import Draft
from govscore.model import FIELDS, is_month, month_of

# Fields of an entry an import may not set, and why: said by name, not as "unknown".
REFUSED = {
    "id": "govscore assigns ids; leave the id column out (use key to make a row idempotent)",
    "recorded": "govscore stamps the time of recording; leave the recorded column out",
    "void": "voids are recorded one at a time with `govscore void ID --reason …`",
    "reason": "reasons belong to voids, recorded with `govscore void ID --reason …`",
    "close": "closes are recorded one at a time with `govscore close ID --through YYYY-MM`",
    "through": "through belongs to closes, recorded with `govscore close ID --through …`",
}

# The columns an import may have: an entry's own fields, plus the ledger month of the row.
COLUMNS = (*(name for name in FIELDS if name not in REFUSED), "month")

# Cells kept exactly as written; every other cell is stripped of surrounding spaces, so a
# key or a clause id pasted with a trailing space still matches.
_VERBATIM = {"note"}

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True)
class Table:
    """A CSV file read as text: its header, and its non-empty rows with their first lines."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    problems: tuple[Problem, ...]


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
            name = codecs.lookup(encoding).name
        except LookupError:
            raise UsageError(
                f"--encoding {encoding!r}: unknown encoding (try utf-8, utf-8-sig or gb18030)"
            ) from None
        return _decode_as(data, file, name), name
    if data.startswith(codecs.BOM_UTF8):
        return _decode_as(data, file, "utf-8-sig"), "utf-8-sig"
    if data.startswith(_UTF16_BOMS):
        raise DataError(
            f"{file}: UTF-16 text (Excel's “Unicode text”), not CSV; save it as “CSV UTF-8” "
            "or pass --encoding utf-16"
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(
            f"{file}:{line}: neither UTF-8 nor GB18030 text (byte {exc.object[exc.start]:#04x} "
            "cannot be read); save it as “CSV UTF-8”, or name its encoding with --encoding"
        ) from None


def _decode_as(data: bytes, file: str, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(
            f"{file}:{line}: not {encoding} text (byte {exc.object[exc.start]:#04x} cannot be "
            "read); check --encoding",
        ) from None
    return text.removeprefix("\ufeff")


def read_table(text: str, file: str) -> Table:
    """Read the header and rows; a bad header or broken quoting stops the reading there."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    rows: list[tuple[int, tuple[str, ...]]] = []
    try:
        first = next(reader, None)
        if first is None or not any(cell.strip() for cell in first):
            problem = Problem(
                file, 1, "no header: the first line must name the columns (department,clause,…)"
            )
            return Table((), (), (problem,))
        header = tuple(cell.strip() for cell in first)
        while header and not header[-1]:  # Excel may leave empty cells after the last column
            header = header[:-1]
        problems = header_problems(header, file)
        if problems:
            return Table(header, (), tuple(problems))
        line = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((line, tuple(row)))
            line = reader.line_num + 1
    except csv.Error as exc:
        problem = Problem(
            file,
            line,
            f"not valid CSV: {exc} (a quote opened in this row is not closed as CSV expects)",
        )
        return Table((), (), (problem,))
    return Table(header, tuple(rows), ())


def header_problems(header: Sequence[str], file: str) -> list[Problem]:
    """Every column named by mistake, each by name, with a did-you-mean where one is close."""
    problems: list[Problem] = []
    for number, name in enumerate(header, 1):
        if not name:
            message = f"column {number} has no name (the first line names every column)"
        elif name in REFUSED:
            message = f"column {name!r} is not allowed: {REFUSED[name]}"
        elif name not in COLUMNS:
            close = difflib.get_close_matches(name, COLUMNS, n=1)
            if not close:
                close = [c for c in COLUMNS if c == name.lower()]
            hint = f"; did you mean {close[0]!r}?" if close else ""
            message = f"unknown column {name!r}{hint} (allowed: {', '.join(COLUMNS)})"
        elif name in header[: number - 1]:
            message = f"column {name!r} appears twice; keep one of them"
        else:
            continue
        problems.append(Problem(file, 1, message))
    return problems


def plan(
    table: Table,
    file: str,
    month: str | None,
    defaults: dict[str, Any],
    rows: Iterable[tuple[int, tuple[str, ...]]] | None = None,
) -> Plan:
    """One Draft per row, in file order, or the problems that keep a row from being one.

    `month` (from --month) wins over a row's month column, which wins over its date.
    `defaults` fill fields a row leaves empty (by, recorded). `rows` is table.rows,
    possibly wrapped in a progress bar by the caller.
    """
    drafts: list[Draft] = []
    repeats: list[Repeat] = []
    problems: list[Problem] = list(table.problems)
    first_line: dict[str, int] = {}
    count = 0
    for line, cells in table.rows if rows is None else rows:
        count += 1
        draft, found = row_draft(table.header, cells, file, line, month, defaults)
        problems.extend(found)
        if draft is None:
            continue
        key = draft.fields.get("key")
        if key is not None and key in first_line:
            # The second row with a key is skipped, as if the first had been recorded by
            # an earlier run: a cron job concatenating exports must not double-count.
            repeats.append(Repeat(line, key, first_line[key]))
            continue
        if key is not None:
            first_line[key] = line
        drafts.append(draft)
    return Plan(tuple(drafts), tuple(repeats), tuple(problems), count)


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
        return None, [
            Problem(
                file,
                line,
                f"{len(cells)} cells, but the header names {len(header)} columns "
                "(a comma too many, or a cell with a comma that is not in quotes?)",
            )
        ]
    fields: dict[str, Any] = {}
    for name, cell in zip(header, cells, strict=False):
        value = cell if name in _VERBATIM else cell.strip()
        if cell.strip():
            fields[name] = value
    written_month = fields.pop("month", None)
    row_month, problem = _row_month(month, written_month, fields.get("date"))
    if problem is not None:
        field, message = problem
        return None, [Problem(file, line, f"{field}: {message}", field)]
    for name, value in defaults.items():
        fields.setdefault(name, value)
    return Draft(fields, row_month, f"{file}:{line}"), []


def _row_month(
    option: str | None, written: str | None, day: str | None
) -> tuple[str | None, tuple[str, str] | None]:
    """The row's ledger month, or (field, message) saying why it has none."""
    if option is not None:
        return option, None
    if written is not None:
        if not is_month(written):
            return None, ("month", f"{written!r} is not a month (YYYY-MM)")
        return written, None
    if day is not None:
        try:
            return month_of(date.fromisoformat(day)), None
        except ValueError:
            return None, (
                "date",
                f"{day!r} is not a date (YYYY-MM-DD), so the row has no month "
                "(add a month column or pass --month)",
            )
    return None, (
        "month",
        "the row has no month: give it a date or a month column (YYYY-MM), or pass --month",
    )


def locate(problems: Iterable[Problem], drafts: Sequence[Draft], file: str) -> list[Problem]:
    """Problems of rows as FILE:LINE: FIELD: MESSAGE, in row order; other problems after.

    `record` labels a rejected draft's problems with its source ("FILE:LINE", line 0);
    this splits that back into file and line and puts the field in front of the message.
    """
    lines = {draft.source: int(draft.source.rpartition(":")[2]) for draft in drafts}
    rows: list[Problem] = []
    others: list[Problem] = []
    for problem in problems:
        line = lines.get(problem.file) if problem.line == 0 else None
        if line is not None:
            problem = Problem(file, line, problem.message, problem.field, problem.entry)
        if problem.file != file:
            others.append(problem)
            continue
        message = problem.message
        if problem.field and not message.startswith(f"{problem.field}:"):
            message = f"{problem.field}: {message}"
        rows.append(Problem(file, problem.line, message, problem.field, problem.entry))
    rows.sort(key=lambda p: p.line)  # stable: a row's problems keep their order
    return [*rows, *others]
