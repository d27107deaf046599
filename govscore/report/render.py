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
