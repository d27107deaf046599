"""The fast ledger reader gives exactly what tomllib gives, entry for entry, problem for problem."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from govscore.ledger.text import fields_toml, parse_toml_ledger

FILE, MONTH = "ledger/2023-05.toml", "2023-05"

TEXT = st.text(max_size=40)
FIELDS = st.fixed_dictionaries(
    {"id": st.text(min_size=1, max_size=12)},
    optional={
        "department": TEXT,
        "clause": st.sampled_from(["2.4.3", "4.2.2", " 2.4.3", "x"]),
        "count": st.integers(-3, 10**6),
        "points": st.decimals(allow_nan=False, allow_infinity=False, places=2),
        "value": st.decimals(min_value=0, max_value=100, places=1),
        "level": TEXT,
        "recurring": st.booleans(),
        "date": st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
        "note": TEXT,
        "key": TEXT,
        "through": st.sampled_from(["2023-07", "2023-13", "x"]),
    },
)


def both(text: str):
    return parse_toml_ledger(text, FILE, MONTH), parse_toml_ledger(text, FILE, MONTH, fast=False)


@settings(max_examples=300, deadline=None)
@given(entries=st.lists(FIELDS, max_size=5), tag=st.sampled_from([None, "k7q2"]))
def test_fast_and_careful_readers_agree_on_what_govscore_writes(entries, tag):
    text = "# govscore ledger for 2023-05: append only\n" + "".join(
        fields_toml(fields, tag) for fields in entries
    )
    fast, careful = both(text)
    assert fast == careful


HAND_WRITTEN = [
    '[[entry]]\nid = "a"\nclause = "2.4.3"\ndepartment = "市公安局"\ncount = 007\n',  # bad int
    '[[entry]]\nid = "a"\ncount = 1\ncount = 2\n',  # duplicate key
    '[[entry]]\nid = "a"\ndate = 2023-02-30\n',  # no such day
    "[[entry]]\nid = \"a\"\npoints = 1e1\nnote = 'literal'\n",
    '[[entry]]\nid = "a"\nnote = "tab\there"\n[sub]\nx = 1\n',
    '[[entry]]\n  id = "a"  # indented, commented\nvalue = +93.5\n',
    '[[entry]]\nid = "a"\nnote = """two\n[[entry]]\nlines"""\n',
    'stray = 1\n[[entry]]\nid = "a"\n',
    '[[entry]]\nid = "a"\nnote = "unterminated\n',
    '[[entry]]\nid = "a"\ndate = 2023-05-01T10:00:00\nrecorded = 2023-05-01\n',
    '[[entry]]\nid = "a"\ncount = true\npoints = 3\n',
]


def test_fast_and_careful_readers_agree_on_hand_written_oddities():
    for text in HAND_WRITTEN:
        fast, careful = both(text)
        assert fast == careful, text


def test_fast_reader_really_reads_plain_entries():
    text = fields_toml(
        {"id": "a", "department": "市公安局", "clause": "2.4.3", "points": Decimal("1.5")}
    )
    [entry] = parse_toml_ledger(text, FILE, MONTH).entries
    assert (entry.id, entry.points, entry.line) == ("a", Decimal("1.5"), 2)
