"""Figures: exact decimals rounded half-up at display, the one rounding govscore does.

Below rules/ and report/ alike: scoring names amounts with `plain`, reports print them
with `figure` and `number`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_CENT = Decimal("0.01")


def round2(value: Decimal) -> Decimal:
    """Round half-up to 2 decimals: the only rounding govscore does, at display."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


class Remembered(dict[K, V], Generic[K, V]):
    """work(key), worked out once for each distinct key (up to `limit` of them).

    A province's reports hold a few hundred distinct figures a hundred thousand times
    over: looking one up costs no Python call. Only for work whose answer is immutable.
    """

    def __init__(self, work: Callable[[K], V], limit: int = 65536):
        super().__init__()
        self.work = work
        self.limit = limit

    def __missing__(self, key: K) -> V:
        value = self.work(key)
        if len(self) < self.limit:
            self[key] = value
        return value


# Equal Decimals (1.0, 1.00) round to the same float, so they may share a key.
_ROUNDED: Remembered[Decimal, float] = Remembered(lambda value: float(round2(value)))


def number(value: Decimal) -> float:
    """A figure for JSON: rounded half-up to 2 decimals."""
    return _ROUNDED[value]


def figure(value: Decimal) -> str:
    """A figure for text: rounded half-up, always 2 decimals."""
    return f"{round2(value):.2f}"


SHOWN_PLACES = 6  # a detail line's amount: decimals shown before … (see `exact`)
RATE_PLACES = 4  # a rate worked out (1997/2003) and its shortfall, in percent
TYPED_PLACES = 6  # a rate as typed (99.999999) and its shortfall: as typed, within reason


def exact(value: Decimal, places: int | None = SHOWN_PLACES, least: int = 2) -> str:
    """A figure a reader adds up (a detail line's amount, a rate's shortfall): exact.

    With `least` decimals where that is exact (-2.00, 99.5), else every decimal it has
    (-0.005, 93.456); one with more than `places` (1997/2003) shows its first `places`
    and … (cut, not rounded: each digit shown is the figure's own); `places` None shows
    every decimal, for a spreadsheet to add (a CSV export). Lines shown so add
    up to the category, which alone is rounded: −0.03, −0.05, −0.01 rounded from
    −0.02995…, −0.04985…, −0.005 add up to −0.09, while the category loses 0.0848.
    One too small for `places` is cut at its first digit that is not 0 (−0.0000001,
    0.000003…), not at −0.000000…, which reads as nothing.
    """
    decimals = max(0, -int(value.normalize().as_tuple().exponent))
    if places is not None and decimals > places and abs(value) < Decimal(1).scaleb(-places):
        places = -value.adjusted()  # the place of its first digit that is not 0
    if places is None or decimals <= places:
        return format(value.quantize(Decimal(1).scaleb(-max(decimals, least))), "f")
    cut = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
    return format(cut, "f") + "…"


def exact_number(value: Decimal) -> float:
    """A detail line's amount for JSON and a workbook's cell: unrounded (as near as a
    float holds it), so that a program's or Excel's sum of the lines is the category's."""
    return float(value)


def plain(value: Decimal) -> str:
    """A clause figure as written in the measures: 1, 0.5, 1.5 (no trailing zeros).

    One far past every bound (1e5000000000 typed or imported, which the door refuses) is
    written as read, 1E+5000000000: its digits written out would take minutes and
    gigabytes, and past 1e999999 Python cannot even normalize it.
    """
    if not value.is_zero() and abs(value.adjusted()) > PLAIN_DIGITS:
        return str(value)
    text = format(value.normalize(), "f")
    return text


PLAIN_DIGITS = 1000  # a figure written plainly has at most this many digits (see plain)
