"""Chart geometry for the page: where each bar, point and tick goes, in SVG user units.

The templates draw the SVG from these numbers; labels are the exact figures rounded
half-up (figures.figure), never the float positions. Axes that cannot start at zero
(totals near 100 differ by tenths) say where they start.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from govscore.figures import figure

STEPS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 25, 50, 100)


@dataclass(frozen=True)
class Axis:
    """A value range mapped onto [0, length]: lo and hi, and the ticks between."""

    lo: float
    hi: float
    length: float
    ticks: tuple[tuple[float, str], ...]  # (position, label)

    def at(self, value: float) -> float:
        if self.hi == self.lo:
            return 0.0
        return round((value - self.lo) / (self.hi - self.lo) * self.length, 1)


def axis(values: Sequence[Decimal], length: float, most: int = 6, zero: bool = False) -> Axis:
    """A readable range around the values: round ticks, at most `most` steps."""
    numbers = [float(v) for v in values] or [0.0]
    low, high = min(numbers), max(numbers)
    if zero:
        low = min(low, 0.0)
    span = high - low
    low_raw = low if zero else low - max(0.2, span * 0.1)
    high_raw = high + max(0.1, span * 0.05)
    step = next((s for s in STEPS if (high_raw - low_raw) / s <= most), STEPS[-1])
    lo = math.floor(low_raw / step) * step
    if not zero and low >= 0:
        lo = max(0.0, lo)
    hi = math.ceil(high_raw / step) * step
    count = round((hi - lo) / step)
    probe = Axis(lo, hi, length, ())
    ticks = tuple((probe.at(lo + i * step), _tick(lo + i * step, step)) for i in range(count + 1))
    return Axis(lo, hi, length, ticks)


def _tick(value: float, step: float) -> str:
    return f"{value:.0f}" if step >= 1 else f"{value:.1f}"


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: its row, its length, its label and whether it is set apart."""

    y: float
    width: float
    label: str
    value: str
    vetoed: bool = False


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    axis: Axis
    height: float
    row: float
    left: float  # where bars start (names to the left)


# Names are drawn at 11 px to the left of the bars, right-aligned: a CJK character takes
# about the font's size, any other about 0.6 of it. The bars start where the longest name
# ends (190 at least), so a long name is never cut off at the edge (review BD F2:
# 烟台市地方金融监督管理综合行政执法支队 lost its 烟台市, and read as another department).
FONT_SIZE = 11.0
NAMES_LEFT = 190.0


def names_left(names: Iterable[str]) -> float:
    """Where bars start: past the widest name, with a margin, and never before 190."""
    widest = max((_text_width(name) for name in names), default=0.0)
    return max(NAMES_LEFT, round(widest + 12, 1))


def _text_width(text: str) -> float:
    wide = sum(1 for c in text if unicodedata.east_asian_width(c) in "WF")
    return wide * FONT_SIZE + (len(text) - wide) * FONT_SIZE * 0.6


def total_bars(rows: Sequence[tuple[str, Decimal, bool]], width: float = 560) -> BarChart:
    """Totals in rank order, (name, total, vetoed) each; vetoed ones are drawn apart."""
    row, top = 18.0, 8.0
    scale = axis([total for _, total, _ in rows], width)
    bars = tuple(
        Bar(top + i * row, max(1.0, scale.at(float(total))), name, figure(total), vetoed)
        for i, (name, total, vetoed) in enumerate(rows)
    )
    left = names_left(name for name, _, _ in rows)
    return BarChart(bars, scale, top + len(rows) * row + 28, row, left)


@dataclass(frozen=True)
class Cell:
    """A category score drawn as a bar from the base: left a loss, right a gain."""

    x: float
    width: float
    gain: bool
    value: str


@dataclass(frozen=True)
class Matrix:
    """Each department's categories, one column per category, bars around the base."""

    names: tuple[str, ...]
    columns: tuple[tuple[str, float, float], ...]  # (category, left edge, centre)
    cells: tuple[tuple[Cell, ...], ...]
    width: float
    height: float
    row: float
    left: float


def category_matrix(
    rows: Sequence[tuple[str, Sequence[Decimal], Decimal]],
    categories: Sequence[str],
    column: float = 150,
) -> Matrix:
    """(name, category scores, base) per department; each column scaled to its largest
    change. Each row has its own base: a year's is the mean of its months' bases, which a
    notice may have changed, and a department's months are its own (since/until)."""
    row, top, half = 18.0, 22.0, column / 2 - 42
    left = names_left(name for name, _, _ in rows)
    largest = [
        max((abs(float(scores[i] - base)) for _, scores, base in rows), default=0.0) or 1.0
        for i in range(len(categories))
    ]
    columns = tuple(
        (name, left + i * column, left + i * column + column / 2)
        for i, name in enumerate(categories)
    )
    cells = []
    for _, scores, base in rows:
        line = []
        for i, score in enumerate(scores):
            delta = float(score - base)
            length = round(abs(delta) / largest[i] * half, 1)
            centre = columns[i][2]
            x = centre if delta >= 0 else centre - length
            line.append(Cell(round(x, 1), length, delta > 0, figure(score)))
        cells.append(tuple(line))
    return Matrix(
        tuple(name for name, _, _ in rows),
        columns,
        tuple(cells),
        left + column * len(categories),
        top + row * len(rows) + 6,
        row,
        left,
    )


@dataclass(frozen=True)
class Spark:
    """A small line of monthly totals: its points, the last one marked."""

    points: str  # "x,y x,y …" for <polyline>
    last: tuple[float, float]
    title: str
    width: float
    height: float


def sparkline(
    values: Sequence[tuple[str, Decimal]], width: float = 120, height: float = 26
) -> Spark:
    """Monthly totals as a line, scaled to their own range (the figures are in the title)."""
    numbers = [float(v) for _, v in values] or [0.0]
    low, high = min(numbers), max(numbers)
    pad = 3.0
    step = (width - 2 * pad) / max(1, len(numbers) - 1)

    def y(value: float) -> float:
        if high == low:
            return height / 2
        return round(pad + (high - value) / (high - low) * (height - 2 * pad), 1)

    xy = [(round(pad + i * step, 1), y(v)) for i, v in enumerate(numbers)]
    title = "，".join(f"{month} {figure(total)}" for month, total in values)
    return Spark(" ".join(f"{x},{v}" for x, v in xy), xy[-1], title, width, height)


@dataclass(frozen=True)
class Trend:
    """A department's monthly totals as a line chart with an axis and a label per point."""

    points: tuple[tuple[float, float, str, str], ...]  # x, y, month, figure
    axis: Axis
    width: float
    height: float
    left: float
    top: float


INSET = 20.0


def trend(values: Sequence[tuple[str, Decimal]], width: float = 640, height: float = 180) -> Trend:
    left, top, bottom = 44.0, 14.0, 30.0
    scale = axis([v for _, v in values], height - top - bottom, most=5)
    # The first point stands INSET past the axis: its label (a figure 10 px high, centred
    # on it, about 28 px wide) would else sit on the axis's own figures (review BD F3).
    first = left + INSET
    inner = width - first - 20
    step = inner / max(1, len(values) - 1)
    points = tuple(
        (
            round(first + (i * step if len(values) > 1 else inner / 2), 1),
            round(top + scale.length - scale.at(float(total)), 1),
            month,
            figure(total),
        )
        for i, (month, total) in enumerate(values)
    )
    return Trend(points, scale, width, height, left, top)


def share(amount: Decimal, largest: Decimal, length: float = 160) -> float:
    """A bar's length for an amount, against the largest one shown beside it."""
    if not largest:
        return 0.0
    return max(1.0, round(float(abs(amount) / abs(largest)) * length, 1))
