"""An aligned table is tabulate's "simple" table, whichever of the two sets it."""

from __future__ import annotations

import re
from pathlib import Path

import tabulate
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from govscore.ledger.loader import load_view
from govscore.report import render
from govscore.report.shapes import ranking_table
from govscore.rules.scoring import Scorer

# Letters, figures and spaces of every width: Chinese (two columns), full-width forms,
# combining marks (none), and what tabulate reads its own way (line breaks, tabs, an
# escape, a control character, the ideographic space, which str.strip removes).
PLAIN = [*"aZ09 .-+%（）、", "市", "公安局", "Ａ", "\u0301", "😀", "True"]
# What tabulate reads its own way: line breaks, a tab, an escape, a control character,
# the ideographic space (not printable, and stripped).
ODD = ["\n", "\t", "\x1b[31m", "\x01", "\u3000"]
PLAIN_TEXT = st.lists(st.sampled_from(PLAIN), max_size=6).map("".join)
ANY_TEXT = st.lists(st.sampled_from(PLAIN + ODD), max_size=6).map("".join)
PLAIN_CELL = st.one_of(PLAIN_TEXT, st.integers(-(10**6), 10**6))
ANY_CELL = st.one_of(ANY_TEXT, st.integers(-(10**6), 10**6), st.none(), st.booleans())


def tabulated(headers: list[str], rows: list[list[object]]) -> str:
    """table_text's aligned table as tabulate sets it."""
    tabulate.WIDE_CHARS_MODE = True
    tabulate.PRESERVE_WHITESPACE = False
    return tabulate.tabulate(
        [list(row) for row in rows], headers=headers, tablefmt="simple", disable_numparse=True
    )


def tables(text: st.SearchStrategy[str], cell: st.SearchStrategy[object]) -> st.SearchStrategy:
    """Headers and rows of the same width (1 to 5 columns, 1 to 6 rows)."""
    return st.integers(1, 5).flatmap(
        lambda width: st.tuples(
            st.lists(text, min_size=width, max_size=width),
            st.lists(st.lists(cell, min_size=width, max_size=width), min_size=1, max_size=6),
        )
    )


@settings(max_examples=300, deadline=None)
@given(table=tables(PLAIN_TEXT, PLAIN_CELL))
@example(table=(["排名", "部门", "总分"], [[1, " 市公安局 ", "99.20"], [2, "Ａ", "-1"]]))
@example(table=(["a"], [["\u0301"], [""]]))  # a combining mark alone: no columns
def test_a_table_of_text_and_numbers_is_set_here_as_tabulate_sets_it(table):
    headers, rows = table
    fast = render._simple_table(headers, rows)
    event("set here" if fast is not None else "set by tabulate")
    assert render.table_text(headers, rows, "table") == tabulated(headers, rows)
    if not any(render._simple_table([h], [[""]]) is None for h in headers):
        assert fast is not None  # text and whole numbers are set here (headers allowing)
    if fast is not None:
        assert fast == tabulated(headers, rows)


@settings(max_examples=300, deadline=None)
@given(
    table=tables(ANY_TEXT, ANY_CELL),
    ragged=st.lists(st.lists(ANY_CELL, min_size=1, max_size=6), max_size=3),
)
def test_any_table_is_tabulates_simple_table(table, ragged):
    """Whatever the cells (None, True, line breaks, escapes, rows of other widths, none
    at all), table_text's aligned table is tabulate's: set here or left to it."""
    headers, rows = table
    for cells in (rows, rows + ragged, []):
        fast = render._simple_table(headers, cells)
        event("set here" if fast is not None else "set by tabulate")
        assert render.table_text(headers, cells, "table") == tabulated(headers, cells)


def test_a_ranking_is_set_here(root: Path):
    """The tables reports print (a ranking: rank, names, figures, remarks) take the
    quick way, and come out as tabulate would set them."""
    view = load_view(root)
    scorer = Scorer(None, view.catalog, view.weights, view.departments, view.summary)
    headers, rows = ranking_table(scorer.month("2023-05"), view.weights)
    assert len(rows) > 10
    fast = render._simple_table(headers, rows)
    assert fast is not None
    assert fast == tabulated(headers, rows)


CELL = st.lists(st.sampled_from([*PLAIN, "|", "\n", "\r\n", "a|b", "\\"]), max_size=4).map("".join)


@given(st.lists(st.lists(CELL, min_size=2, max_size=2), min_size=1, max_size=4))
@settings(max_examples=200, deadline=None)
def test_a_markdown_table_keeps_every_cell_in_its_row_and_column(rows):
    """A | or a line break in a cell (a note, a value quoted back) ends no cell and no
    row: every line of the table has as many unescaped bars as the header's."""
    text = render.table_text(["甲", "乙"], rows, "markdown")
    lines = text.split("\n")
    assert len(lines) == 2 + len(rows)
    bars = [len(re.findall(r"(?<!\\)\|", line)) for line in lines]
    assert bars == [3] * len(lines)
