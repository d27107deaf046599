"""Turn rows into text: an aligned table, CSV, Markdown or JSON.

Every report goes through here, so every report speaks the same four formats and
Chinese columns line up (tabulate measures width with wcwidth).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from govscore.figures import number

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
    import tabulate  # here, not above: JSON and CSV runs (cron jobs) start without it

    tabulate.WIDE_CHARS_MODE = True
    tabulate.PRESERVE_WHITESPACE = False
    tablefmt = "github" if fmt == "markdown" else "simple"
    return tabulate.tabulate(
        [list(row) for row in rows],
        headers=list(headers),
        tablefmt=tablefmt,
        disable_numparse=True,
    )


def json_text(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return number(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


_ROW = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), default=_json_default)


def rows_text(payload: dict[str, Any]) -> str:
    """A report of many rows as JSON, one row a line: the same value json_text writes.

    json_text's indented layout is written by Python's pure encoder, about 0.7 s for a
    province's 10,000 departments; one line a row is written by the C encoder, and a
    ranking read by eye or by grep is read a department at a time anyway.
    """
    lines = ["{"]
    for position, (key, value) in enumerate(payload.items()):
        comma = "," if position < len(payload) - 1 else ""
        name = _ROW.encode(key)
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {_ROW.encode(item)}" for item in value)
            lines.append(f"  {name}: [\n{items}\n  ]{comma}")
        else:
            lines.append(f"  {name}: {_ROW.encode(value)}{comma}")
    lines.append("}")
    return "\n".join(lines)
