"""The page's charts: geometry worked out by hand."""

from __future__ import annotations

from decimal import Decimal

from govscore.report.charts import category_matrix, names_left, total_bars, trend

LONG = "烟台市地方金融监督管理综合行政执法支队84"  # 19 CJK characters and 2 digits


def test_bars_start_past_the_longest_name():
    """Review BD F2: names are drawn right-aligned 6 px left of where the bars start, at
    11 px: a CJK character about 11 px wide, a digit about 6.6. Bars started at 190
    whatever the names, so a name wider than 184 px ran off the chart's left edge and
    lost its first characters (烟台市…). 19 × 11 + 2 × 6.6 = 222.2, and 12 px margin:
    bars from 234.2. Short names keep 190."""
    assert names_left(["市公安局", "市民政局"]) == 190.0
    assert names_left(["市公安局", LONG]) == 234.2
    rows = [("市公安局", Decimal("99.5"), False), (LONG, Decimal("98"), False)]
    assert total_bars(rows).left == 234.2
    matrix = category_matrix(
        [(name, [total, total], Decimal(100)) for name, total, _ in rows], ["1", "2"]
    )
    assert matrix.left == 234.2
    # The columns follow: the first from 234.2, each 150 wide, the chart as wide as both.
    assert [left for _, left, _ in matrix.columns] == [234.2, 384.2]
    assert matrix.width == 534.2


def test_a_trends_first_point_stands_clear_of_the_axis_figures():
    """Review BD F3: the first month's figure, centred on its point at the axis (x 44),
    ran into the axis's own figures (right-aligned at 38). Points start 20 px in: at 64,
    the last at 640 − 20 = 620, 4 months 556 / 3 = 185.33 apart."""
    chart = trend(
        [(f"2023-0{m}", Decimal(v)) for m, v in ((4, "100"), (5, "99"), (6, "98.8"), (7, "99"))]
    )
    assert [x for x, _, _, _ in chart.points] == [64.0, 249.3, 434.7, 620.0]
    # A figure of 5 characters at 10 px, about 28 px wide: it starts at 64 − 14 = 50,
    # clear of 38, where the axis figures end.
    assert chart.points[0][0] - 14 > chart.left - 6
