"""Turn rows into text: an aligned table, CSV, Markdown or JSON.

Every report goes through here, so every report speaks the same four formats and
Chinese columns line up (tabulate measures width with wcwidth).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any

from govscore.figures import number
from govscore.i18n import english, in_chinese

FORMATS = ("table", "json", "csv", "markdown")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FIGURE = re.compile(r"^[+-]?\d+(\.\d+)?$")


def csv_safe(cell: Any) -> Any:
    """Keep a spreadsheet from running a text cell as a formula (=, +, -, @).

    Signed figures (-3.00, +1.20) stay numbers: a spreadsheet must still add them up.
    """
    if isinstance(cell, str) and cell.startswith(_FORMULA_START) and not _FIGURE.match(cell):
        return "'" + cell
    return cell


def table_text(headers: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str) -> str:
    """Render rows as an aligned table, CSV or Markdown (JSON is the caller's own shape)."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(headers)
        for row in rows:
            writer.writerow([csv_safe(cell) for cell in row])
        return out.getvalue().rstrip("\n")
    if fmt == "table":
        text = _simple_table(headers, rows)
        if text is not None:
            return text
    import tabulate  # here, not above: JSON and CSV runs (cron jobs) start without it

    tabulate.WIDE_CHARS_MODE = True
    tabulate.PRESERVE_WHITESPACE = False
    tablefmt = "github" if fmt == "markdown" else "simple"
    table = [list(row) for row in rows]
    if fmt == "markdown":
        table = [[_markdown_cell(cell) for cell in row] for row in table]
    return tabulate.tabulate(
        table,
        headers=list(headers),
        tablefmt=tablefmt,
        disable_numparse=True,
    )


def _markdown_cell(cell: Any) -> Any:
    """A cell's text kept in its cell: a | ends none, a line break ends no row (<br>)."""
    if not isinstance(cell, str):
        return cell
    return (
        cell.replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>")
    )


def _simple_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str | None:
    """tabulate's "simple" table of text and whole-number cells, as table_text asks for it
    (numbers not parsed, cells stripped, a wide character two columns), set here in one
    pass: tabulate judges each cell's type several ways, most of a second for a
    province's 80,000 cells. None where a cell is anything else (a line break, a control
    or escape character, nothing at all), for tabulate to set; a test holds the two equal.
    """
    if not rows or not all(type(h) is str and h.isprintable() for h in headers):
        return None
    from wcwidth import wcswidth  # as tabulate measures (WIDE_CHARS_MODE)

    widths: dict[str, int] = {}  # each distinct text measured once

    def width(text: str) -> int:
        found = widths.get(text)
        if found is None:
            found = widths[text] = len(text) if text.isascii() else wcswidth(text)
        return found

    texts: list[list[str]] = []
    for row in rows:
        if len(row) != len(headers):
            return None
        cells = []
        for cell in row:
            if type(cell) is int:
                cells.append(str(cell))
            elif type(cell) is str and cell.isprintable():
                cells.append(cell.strip())
            else:
                return None
        texts.append(cells)
    columns = [width(header) + 2 for header in headers]  # tabulate's MIN_PADDING
    for cells in texts:
        for place, text in enumerate(cells):
            measured = width(text)
            if measured < 0:  # wcwidth knows no width for it
                return None
            if measured > columns[place]:
                columns[place] = measured
    if min(columns) < 2:
        return None

    def line(cells: Sequence[str]) -> str:
        padded = zip(cells, columns, strict=True)
        return "  ".join([text + " " * (room - width(text)) for text, room in padded]).rstrip()

    dashes = "  ".join("-" * room for room in columns).rstrip()
    return "\n".join([line(headers), dashes, *map(line, texts)])


# Rows of one aligned table when rows stream: a table per so many, each with its header.
ROWS_PER_TABLE = 10_000


def table_pieces(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: str,
    per_table: int | None = None,
) -> Iterator[str]:
    """table_text for rows too many to hold, in pieces that end in a newline.

    CSV is one header and every row, the same text as table_text. An aligned table or
    Markdown needs every row to know its column widths, so rows are set per_table at a
    time, each page with its header and a blank line between pages, like a printed
    listing; up to per_table rows the text is table_text's.
    """
    per_table = per_table or ROWS_PER_TABLE
    stream = iter(rows)
    page = list(islice(stream, per_table))
    yield table_text(headers, page, fmt) + "\n"
    while page:
        page = list(islice(stream, per_table))
        if not page:
            return
        text = table_text(headers, page, fmt)
        yield text.partition("\n")[2] + "\n" if fmt == "csv" else "\n" + text + "\n"


def json_array_pieces(items: Iterable[Any], per_piece: int = 1_000) -> Iterator[str]:
    """json_text of a list, for a list too long to hold: the same text in pieces, and a
    newline after it."""
    stream = iter(items)
    first = True
    while True:
        chunk = list(islice(stream, per_piece))
        if not chunk:
            break
        text = ",\n".join("  " + json_text(item).replace("\n", "\n  ") for item in chunk)
        yield ("[\n" if first else ",\n") + text
        first = False
    yield "[]\n" if first else "\n]\n"


def json_text(payload: Any) -> str:
    return json.dumps(_as_read(payload), ensure_ascii=False, indent=2, default=_json_default)


def _as_read(payload: Any) -> Any:
    """What programs read is the same in both languages: messages in their Chinese."""
    return in_chinese(payload) if english() else payload


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return number(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


_ROW = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), default=_json_default)


class Encoded(str):
    """A row already written as JSON (by row_text): rows_text puts it as it is."""


def row_text(item: Any) -> str:
    """One row as rows_text writes it."""
    return _ROW.encode(_as_read(item))


def rows_text(payload: dict[str, Any]) -> str:
    """A report of many rows as JSON, one row a line: the same value json_text writes.

    json_text's indented layout is written by Python's pure encoder, about 0.7 s for a
    province's 10,000 departments; one line a row is written by the C encoder, and a
    ranking read by eye or by grep is read a department at a time anyway.
    """
    lines = ["{"]
    payload = {k: v if isinstance(v, list) else _as_read(v) for k, v in payload.items()}
    for position, (key, value) in enumerate(payload.items()):
        comma = "," if position < len(payload) - 1 else ""
        name = _ROW.encode(key)
        if isinstance(value, list) and value:
            items = ",\n".join(
                f"    {item if isinstance(item, Encoded) else row_text(item)}" for item in value
            )
            lines.append(f"  {name}: [\n{items}\n  ]{comma}")
        else:
            lines.append(f"  {name}: {_ROW.encode(value)}{comma}")
    lines.append("}")
    return "\n".join(lines)
