"""Figures: exact decimals rounded half-up at display, the one rounding govscore does.

Below rules/ and report/ alike: scoring names amounts with `plain`, reports print them
with `figure` and `number`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from decimal import ROUND_HALF_UP, Decimal
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


def plain(value: Decimal) -> str:
    """A clause figure as written in the measures: 1, 0.5, 1.5 (no trailing zeros)."""
    text = format(value.normalize(), "f")
    return text
