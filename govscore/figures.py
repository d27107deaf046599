"""Figures: exact decimals rounded half-up at display, the one rounding govscore does.

Below rules/ and report/ alike: scoring names amounts with `plain`, reports print them
with `figure` and `number`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_CENT = Decimal("0.01")


def round2(value: Decimal) -> Decimal:
    """Round half-up to 2 decimals: the only rounding govscore does, at display."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def number(value: Decimal) -> float:
    """A figure for JSON: rounded half-up to 2 decimals."""
    return float(round2(value))


def figure(value: Decimal) -> str:
    """A figure for text: rounded half-up, always 2 decimals."""
    return f"{round2(value):.2f}"


def plain(value: Decimal) -> str:
    """A clause figure as written in the measures: 1, 0.5, 1.5 (no trailing zeros)."""
    text = format(value.normalize(), "f")
    return text
