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


class _Rounded(dict[Decimal, float]):
    """Each figure rounded once: a province's JSON rounds 170,000 figures, a few hundred
    of them different (equal Decimals round to the same float, so they share a key)."""

    def __missing__(self, value: Decimal) -> float:
        rounded = float(round2(value))
        if len(self) < 65536:
            self[value] = rounded
        return rounded


_ROUNDED = _Rounded()


def number(value: Decimal) -> float:
    """A figure for JSON: rounded half-up to 2 decimals."""
    return _ROUNDED[value]


def figure(value: Decimal) -> str:
    """A figure for text: rounded half-up, always 2 decimals."""
    return f"{round2(value):.2f}"


def plain(value: Decimal) -> str:
    """A clause figure as written in the measures: 1, 0.5, 1.5 (no trailing zeros)."""
    text = format(value.normalize(), "f")
    return text
