"""The report as one self-contained web page: HTML, CSS and inline SVG, no script.

Jinja2 templates shipped in govscore/report/templates, autoescaped: every name, note
and reason from the ledger or the configuration is text on the page, never markup.
The page asks nothing of any other host: fonts are the reader's own, charts are SVG.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from govscore.figures import exact, figure
from govscore.report import charts
from govscore.report.page import Report, reported

MINUS = "\u2212"  # a real minus sign: −2, not a hyphen


def signed(value: Decimal | None) -> str:
    """A change in points: +0.45, −2.00, 0.00; — when there is nothing to compare with."""
    if value is None:
        return "—"
    text = figure(value)
    if text.startswith("-"):
        return MINUS + text[1:]
    return text if text == "0.00" else "+" + text


def amount(value: Decimal) -> str:
    """An entry's amount in a card: exact (figures.exact), so that a card's lines add up
    to its categories, which alone are rounded: −0.029955…, −0.005, +1.00."""
    text = exact(value)
    if text.startswith("-"):
        return MINUS + text[1:]
    return "+" + text if value > 0 else text


def score(value: Decimal) -> str:
    """A category's score as worked out, exact and unsigned where it is not below 0: a
    floor's line says what the score came to, not a change (review BD F4: `+84.00`)."""
    text = exact(value)
    return MINUS + text[1:] if text.startswith("-") else text


def places(value: int | None) -> str:
    """A change in rank, in places moved up: +2, −3, 0; — when there is nothing to compare."""
    if value is None:
        return "—"
    if value < 0:
        return f"{MINUS}{-value}"
    return f"+{value}" if value else "0"


def month_name(month: str) -> str:
    """2023-05 → 2023年5月; 2023 → 2023年."""
    if len(month) == 7:
        return f"{month[:4]}年{int(month[5:7])}月"
    return f"{month}年"


# An entry id (2023-05-0003, a clone's 2023-05-0003-k7q2): a printed page must never
# break one at its hyphens (2023- / 05- / 0003 reads as three things on paper).
_ENTRY_ID = re.compile(r"\d{4}-\d{2}-\d{4,}(?:-[0-9a-z]+)?")


def whole_ids(text: str) -> Markup:
    """Text, escaped, with each entry id kept on one line."""
    escaped = str(escape(text))
    return Markup(_ENTRY_ID.sub(lambda found: f'<span class="id">{found[0]}</span>', escaped))


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("govscore.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        figure=figure,
        signed=signed,
        amount=amount,
        score=score,
        places=places,
        month_name=month_name,
        reported=reported,
        whole_ids=whole_ids,
    )
    env.globals.update(charts=charts)
    return env


def render(report: Report) -> str:
    """The whole page: title, ranking, charts, clauses, vetoes, referrals, cards."""
    weights = report.weights
    categories = weights.categories
    total_chart = charts.total_bars(
        [(row.department, row.score.total, row.score.vetoed) for row in report.rows]
    )
    bases = {row.department: report.base_of(row.department) for row in report.rows}
    matrix = charts.category_matrix(
        [
            (
                row.department,
                [row.score.categories[c.id] for c in categories],
                bases[row.department],
            )
            for row in report.rows
        ],
        [c.short for c in categories],
    )
    # The caption names the base the bars start from, or, where a notice changed the base
    # within the year and the departments' months differ, says each starts from its own.
    base = next(iter(set(bases.values()))) if len(set(bases.values())) == 1 else None
    sparks = {
        row.department: charts.sparkline(list(row.score.months.items()))
        for row in report.rows
        if report.kind == "year"
    }
    trends = {
        card.row.department: charts.trend([(p.month, p.total) for p in card.months])
        for card in report.cards
    }
    largest = max((abs(s.amount) for s in (*report.costs, *report.gains)), default=Decimal(0))
    template = environment().get_template("report.html")
    return template.render(
        r=report,
        categories=categories,
        total_chart=total_chart,
        matrix=matrix,
        base=base if bases else weights.base,
        sparks=sparks,
        trends=trends,
        largest=largest,
    )
