"""Write ledger text for tests the way a clerk would: one [[entry]] table per entry."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from govscore.ledger.text import fields_toml

_counter = iter(range(1, 10**9))


def entry(department: str = "", clause: str = "", **fields: Any) -> dict[str, Any]:
    """An entry's fields; the id is made unique unless given."""
    made: dict[str, Any] = {"id": fields.pop("id", f"t-{next(_counter):05d}")}
    if department:
        made["department"] = department
    if clause:
        made["clause"] = clause
    for name, value in fields.items():
        made[name] = Decimal(str(value)) if isinstance(value, float) else value
    return made


def toml(*entries: dict[str, Any]) -> str:
    return "".join(fields_toml(e) for e in entries)
