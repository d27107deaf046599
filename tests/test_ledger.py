"""Ledger files as text: TOML and CSV parsed into entries that know their file and line.

Every problem is a record naming the file and line (and the field when there is one);
a broken entry costs only itself, and a file that cannot be appended to safely is
flagged broken.
"""

from __future__ import annotations

import json
import sys
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from govscore.errors import Problem
from govscore.ledger.text import (
    _open_quote,
    build_entry,
    entry_fields,
    entry_toml,
    fields_toml,
    ledger_text,
    parse_csv_ledger,
    parse_toml_ledger,
    split_entries,
)
from govscore.ledger.tomlfast import PlainTables
from govscore.model import FIELDS, Entry

TOML_FILE = "ledger/2023-05.toml"
CSV_FILE = "ledger/2023-06.csv"
ALLOWED = f"(allowed: {', '.join(FIELDS)})"


def parse(text: str):
    return parse_toml_ledger(text, TOML_FILE, "2023-05")


def parse_csv(text: str):
    return parse_csv_ledger(text, CSV_FILE, "2023-06")


def placed(parsed) -> list[tuple[str, int]]:
    return [(e.id, e.line) for e in parsed.entries]


# -- TOML: where each entry stands ------------------------------------------------------

LAID_OUT = '''\
# govscore ledger for 2023-05: append only

[[entry]]
id = "a"
department = "市公安局"
clause = "2.4.3"

# a comment from the clerk, with a """ in it

[[entry]]   # and a comment after the header
id = "b"
note = """
[[entry]]
id = "forged"
"""
clause = "2.4.3"

  [[ entry ]]
id = "c"
matter = \'\'\'
[[entry]]
\'\'\'
reason = 'said """ once'

[[entry]]
id = "d"
'''


def test_entries_keep_the_line_of_their_header_past_comments_blanks_and_strings():
    parsed = parse(LAID_OUT)
    assert parsed.problems == ()
    assert placed(parsed) == [("a", 3), ("b", 10), ("c", 18), ("d", 25)]
    b, c = parsed.entries[1], parsed.entries[2]
    assert b.note == '[[entry]]\nid = "forged"\n' and b.clause == "2.4.3"
    assert c.matter == "[[entry]]\n" and c.reason == 'said """ once'
    assert all(e.file == TOML_FILE and e.month == "2023-05" for e in parsed.entries)
    assert parsed.newlines == 26 and not parsed.broken


def test_windows_line_ends_and_a_bom_change_no_entry_and_no_line():
    windows = "\ufeff" + LAID_OUT.replace("\n", "\r\n")
    parsed = parse(windows)
    assert parsed.problems == ()
    assert parsed.entries == parse(LAID_OUT).entries
    assert parsed.newlines == 26


# Where a multi-line string is still open at a line's end: the careful reader and the
# audit split a file into entries by it (a header inside a string is no header).
@pytest.mark.parametrize(
    ("line", "before", "after"),
    [
        ('note = """', None, '"""'),
        ("matter = '''", None, "'''"),
        ('note = """first line', None, '"""'),
        ('"""', None, '"""'),  # an array's string, opened at the start of its line
        ('"""', '"""', None),
        ('X = """', None, '"""'),
        ('x = """"""', None, None),  # an empty one, opened and closed
        ('note = """one line"""', None, None),
        ('id = "a" # """ in a comment', None, None),
        ('id = "a"# """', None, None),
        ('# """', None, None),
        ("x = \"a \\\" ''' b\"", None, None),  # an escaped quote does not end the string
        ('x = ["a\\\\", """', None, '"""'),  # an escaped backslash escapes no quote
        ('x = ["", """', None, '"""'),
        ('x = ["abc", """', None, '"""'),
        ('dirs = [\'C:\\\', """', None, '"""'),  # no escapes in a literal string
        ('note = "no end', None, None),
        ('a"""', '"""', None),
        ('a \\""" b', '"""', '"""'),
        ('C:\\\\"""', '"""', None),
        ("C:\\dir\\'''", "'''", None),  # nor in a literal multi-line string
        ('end"""# """', '"""', None),
        ('end""""# """', '"""', None),  # up to two quotes more belong to the string
        ('said """", """', '"""', '"""'),
        ("still inside", "'''", "'''"),
    ],
)
def test_a_multi_line_string_is_followed_from_line_to_line(line, before, after):
    assert _open_quote(line, before) == after


def test_headers_are_found_outside_strings_and_with_windows_line_ends():
    preamble, chunks = split_entries(LAID_OUT)
    assert preamble == "# govscore ledger for 2023-05: append only\n"
    assert [line for line, _chunk in chunks] == [3, 10, 18, 25]
    assert chunks[1][1].startswith('[[entry]]   # and a comment after the header\nid = "b"')
    # The audit splits committed text as it stands: a header may end in \r.
    windows = split_entries('[[entry]]\r\nid = "a"\r\n\r\n[[entry]]\r\nid = "b"\r\n')
    assert windows == ("", [(1, '[[entry]]\r\nid = "a"\r\n\r'), (4, '[[entry]]\r\nid = "b"\r\n')])


@pytest.mark.parametrize("after", ["\u3000", "X"])
def test_a_header_with_anything_but_spaces_after_it_is_no_header(after: str):
    """A full-width space (a Chinese editor's) or a letter after [[entry]] is not TOML:
    both readers refuse the table it stands in, and read no entry out of it."""
    text = f'[[entry]]\nid = "a"\n\n[[entry]]{after}\nid = "b"\n'
    assert split_entries(text) == ("", [(1, text)])
    for fast in (True, False):
        parsed = parse_toml_ledger(text, TOML_FILE, "2023-05", fast=fast)
        assert parsed.entries == ()
        assert [(p.line, p.message[:15]) for p in parsed.problems] == [(4, "not valid TOML:")]


BROKEN_MIDDLE = """\
# govscore ledger for 2023-05: append only

[[entry]]
id = "a"
clause = "2.4.3"

[[entry]]
id = "b"
count =
note = "x"

[[entry]]
id = "c"
clause = "2.4.3"
"""


def test_a_toml_syntax_error_names_its_absolute_line_and_the_rest_still_loads():
    parsed = parse(BROKEN_MIDDLE)
    error = Problem(TOML_FILE, 9, "not valid TOML: Invalid value")
    assert parsed.problems == (error,)
    assert placed(parsed) == [("a", 3), ("c", 12)]
    assert parsed.broken and parsed.broken_by == error


def test_an_entry_cut_off_at_the_very_end_of_the_file_is_left_out_and_named_there():
    """An entry cut inside a string at the end of the file (no final newline): left out
    whole, named at the last line; the entry before it counts."""
    text = '[[entry]]\nid = "a"\n\n[[entry]]\nid = "b'
    for fast in (True, False):
        parsed = parse_toml_ledger(text, TOML_FILE, "2023-05", fast=fast)
        assert [e.id for e in parsed.entries] == ["a"]
        assert [(p.line, p.message[:34]) for p in parsed.problems] == [
            (5, "the file does not end with a newli"),
        ]
        assert parsed.broken_by == parsed.problems[0]


def test_a_syntax_error_before_the_first_entry_is_counted_from_line_1():
    parsed = parse('# head\n\nnote = \n\n[[entry]]\nid = "a"\n')
    assert parsed.problems == (Problem(TOML_FILE, 3, "not valid TOML: Invalid value"),)
    assert placed(parsed) == [("a", 5)] and parsed.broken


def test_a_bare_invalid_date_is_a_syntax_error_of_its_line():
    parsed = parse('[[entry]]\nid = "a"\ndate = 2023-13-01\n')
    assert parsed.problems == (
        Problem(
            TOML_FILE, 3, "not valid TOML: Expected newline or end of document after a statement"
        ),
    )
    assert parsed.entries == () and parsed.broken


def test_a_file_without_a_final_newline_is_broken_and_named_at_its_last_line():
    """Its last entry may be cut off (`count = 45` cut to `count = 4` reads as whole): it
    is left out, its id kept taken; the entries before it count."""
    for fast in (True, False):
        parsed = parse_toml_ledger(
            '# head\n\n[[entry]]\nid = "z"\n\n[[entry]]\nid = "a"\nclause = "2.4.3"\ncount = 4',
            TOML_FILE,
            "2023-05",
            fast=fast,
        )
        assert placed(parsed) == [("z", 3)]
        assert parsed.problems == (
            Problem(
                TOML_FILE,
                9,
                "the file does not end with a newline: its last entry may be cut off "
                "(power loss or an editor), and it is left out; repair the last entry and "
                "end the file with a newline",
                "",
                "a",
            ),
        )
        assert parsed.broken and parsed.broken_by == parsed.problems[0]
    # Comments alone after the last newline: nothing to leave out, still broken.
    parsed = parse('[[entry]]\nid = "z"\n# note')
    assert placed(parsed) == [] and parsed.problems[0].entry == "z"


def test_an_empty_file_or_only_comments_hold_no_entries_and_no_problems():
    for text in ("", "# the office's own comment\n"):
        parsed = parse(text)
        assert (parsed.entries, parsed.problems, parsed.broken) == ((), (), False)


def test_a_file_with_only_govscores_head_line_is_a_cut_off_write():
    """govscore writes a new file's head line with its first batch, never alone: a file
    that holds only it is a write cut right after it (issue 11, item 3), not a month
    with no entries (which would change the year's assessed months)."""
    parsed = parse("# govscore ledger for 2023-05: append only\n")
    assert parsed.entries == () and parsed.broken
    assert [(p.line, p.message.split(" (")[0]) for p in parsed.problems] == [
        (1, "a line govscore was writing is cut off")
    ]


def test_a_cut_off_write_is_named_whole_with_its_file_and_month():
    parsed = parse("# govscore ledger for 2023-05: append only\n")
    cut = Problem(
        TOML_FILE,
        1,
        "a line govscore was writing is cut off (the write was interrupted); "
        "`govscore repair 2023-05` cuts it back",
    )
    assert parsed.problems == (cut,) and parsed.broken_by == cut


def test_a_table_under_a_quoted_header_is_an_entry_like_any_other():
    """[["entry"]] (and [[ 'entry' ]]) is TOML for [[entry]]: a header to the splitter
    too, so the table it opens is an entry of its own, fast reader or not (review BL F2:
    it was refused with the entry before it)."""
    for quoted in ('[["entry"]]', "[[ 'entry' ]]"):
        text = f'[[entry]]\nid = "a"\nclause = "2.4.3"\n\n{quoted}\nid = "b"\nclause = "2.4.3"\n'
        for fast in (True, False):
            parsed = parse_toml_ledger(text, TOML_FILE, "2023-05", fast=fast)
            assert [(e.id, e.line) for e in parsed.entries] == [("a", 1), ("b", 5)]
            assert parsed.problems == ()


def test_a_table_with_more_than_key_value_lines_and_no_text_id_names_no_entry():
    for head in ("id = 7\n", ""):
        parsed = parse(f'[[entry]]\n{head}clause = "2.4.3"\n[other]\nx = 1\n')
        assert parsed.problems == (
            Problem(TOML_FILE, 1, "an [[entry]] table may hold only key = value lines", "", ""),
        )


def test_after_an_ill_formed_table_the_next_entries_are_read_and_problems_keep_field_order():
    """An entry's problems stand in the order of its fields (all at its header's line),
    and a refused table costs only itself."""
    text = (
        '[[entry]]\nid = "a"\n[other]\nx = 1\n\n'
        '[[entry]]\nid = "b"\nzzz = 1\ncount = "x"\n\n'
        '[[entry]]\nid = "c"\nclause = "2.4.3"\n'
    )
    parsed = parse(text)
    assert [e.id for e in parsed.entries] == ["c"]
    assert [(p.line, p.field, p.entry) for p in parsed.problems] == [
        (1, "", "a"),
        (6, "zzz", "b"),
        (6, "count", "b"),
    ]


def test_the_tables_govscore_writes_are_read_without_tomllib():
    """The fast reader, not tomllib, makes the entries of what govscore writes (an import
    writes a million): tomllib is asked about the preamble alone."""
    text = "".join(
        fields_toml({"id": i, "department": "市公安局", "clause": "2.4.3", "note": "a\\b"})
        for i in "abc"
    )
    calls: list[str] = []

    def profile(frame, event, arg) -> None:
        if event == "call" and frame.f_code is tomllib.loads.__code__:
            calls.append(frame.f_locals["s"])

    sys.setprofile(profile)
    try:
        parsed = parse(text)
    finally:
        sys.setprofile(None)
    assert [e.id for e in parsed.entries] == ["a", "b", "c"]
    assert calls == [""]


def test_only_entry_tables_may_stand_in_a_ledger_file():
    parsed = parse('title = "五月"\n\n[[entry]]\nid = "a"\n\n[[entry]]\nid = "b"\n[other]\nx = 1\n')
    assert parsed.problems == (
        Problem(TOML_FILE, 1, "only [[entry]] tables may stand in a ledger file (and comments)"),
        Problem(TOML_FILE, 6, "an [[entry]] table may hold only key = value lines", "", "b"),
    )
    assert placed(parsed) == [("a", 3)] and not parsed.broken


# -- TOML: fields -----------------------------------------------------------------------


def test_an_unknown_field_suggests_the_field_meant_and_lists_the_allowed():
    parsed = parse(
        '[[entry]]\nid = "a"\ncluase = "2.4.3"\n\n[[entry]]\nid = "b"\nclause = "2.4.3"\n'
    )
    assert parsed.problems == (
        Problem(
            TOML_FILE, 1, f"unknown field 'cluase'; did you mean 'clause'? {ALLOWED}", "cluase", "a"
        ),
    )
    assert placed(parsed) == [("b", 5)]


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ('count = "abc"', "count", "count: 'abc' is not a whole number"),
        ("count = 1.5", "count", "count: 1.5 is not a whole number"),
        ("count = true", "count", "count: true is not a whole number"),
        ('date = "2023-13-01"', "date", "date: '2023-13-01' is not a day: a year has no month 13"),
        ('date = "2023-02-29"', "date", "date: '2023-02-29' is not a day: 2023-02 has no day 29"),
        ('points = "一分"', "points", "points: '一分' is not a number"),
        ("points = nan", "points", "points: NaN is not a number"),
        ("value = inf", "value", "value: Infinity is not a number"),
        ('recurring = "maybe"', "recurring", "recurring: 'maybe' is not true or false"),
        ('through = "2023-5"', "through", "through: '2023-5' is not a month (YYYY-MM)"),
        (
            'department = ["市公安局"]',
            "department",
            "department: expected text, got a table or list",
        ),
    ],
)
def test_a_value_of_the_wrong_type_names_the_field_and_what_it_must_be(
    line: str, field: str, message: str
):
    parsed = parse(f'# head\n\n[[entry]]\nid = "a"\n{line}\n')
    assert parsed.problems == (Problem(TOML_FILE, 3, message, field, "a"),)
    assert parsed.entries == () and not parsed.broken


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ("points = true", "points", "points: true is not a number"),
        ("points = [1]", "points", "points: [1] is not a number"),
        ("count = [1]", "count", "count: [1] is not a whole number"),
        ("recurring = 1", "recurring", "recurring: 1 is not true or false"),
        ("date = 5", "date", "date: 5 is not a date (YYYY-MM-DD)"),
        # Shown as TOML writes it, not as Python's {'a': 1} or datetime.time(7, 32)
        # (review BH F11).
        ("count = {a=1}", "count", "count: {a = 1} is not a whole number"),
        ('points = {"名 称" = [true]}', "points", 'points: {"名 称" = [true]} is not a number'),
        ("date = 07:32:00", "date", "date: 07:32:00 is not a date (YYYY-MM-DD)"),
        ("count = 2023-05-01", "count", "count: 2023-05-01 is not a whole number"),
    ],
)
def test_a_value_of_another_kind_names_the_field_and_what_it_must_be(
    line: str, field: str, message: str
):
    parsed = parse(f'[[entry]]\nid = "a"\n{line}\n')
    assert parsed.problems == (Problem(TOML_FILE, 1, message, field, "a"),)


def test_an_entry_without_an_id_is_refused():
    parsed = parse('[[entry]]\ndepartment = "市公安局"\n')
    assert parsed.problems == (
        Problem(TOML_FILE, 1, "the entry has no id (every entry needs a unique id)", "id", ""),
    )


def test_values_convert_to_their_types():
    parsed = parse(
        '[[entry]]\nid = 7\ncount = 3\npoints = 1.5\nvalue = "93.5"\nrecurring = "是"\n'
        'date = "2023-05-02"\nthrough = "2023-07"\nrecorded = 2023-05-02T10:00:00+08:00\n'
    )
    assert parsed.problems == ()
    (entry,) = parsed.entries
    assert (entry.id, entry.count, entry.points, entry.value) == (
        "7",
        3,
        Decimal("1.5"),
        Decimal("93.5"),
    )
    assert entry.recurring is True and entry.date == date(2023, 5, 2)
    assert (entry.through, entry.recorded) == ("2023-07", "2023-05-02T10:00:00+08:00")


def test_a_count_written_as_text_or_as_a_whole_decimal_is_a_whole_number():
    parsed = parse(
        '[[entry]]\nid = "a"\ncount = 4.0\n\n[[entry]]\nid = "b"\ncount = " +3 "\n\n'
        '[[entry]]\nid = "c"\ncount = 4.5\n'
    )
    assert [(e.id, e.count) for e in parsed.entries] == [("a", 4), ("b", 3)]
    assert [(p.line, p.message) for p in parsed.problems] == [
        (9, "count: 4.5 is not a whole number")
    ]


@pytest.mark.parametrize(
    ("written", "read"),
    [
        *[("Yes", True), (" TRUE ", True), ("Y", True), ("是", True), ("1", True)],
        *[("No", False), ("FALSE", False), ("n", False), ("否", False), ("0", False)],
    ],
)
def test_a_flag_written_as_text_reads_in_any_case(written: str, read: bool):
    [entry] = parse_csv(f"id,clause,recurring\n2023-06-0001,3.1.3,{written}\n").entries
    assert entry.recurring is read


def test_text_holding_bytes_that_are_not_utf8_is_refused_by_its_field():
    """Undecodable bytes in a command's arguments arrive as lone surrogates."""
    entry, problems = build_entry({"id": "a", "note": "a\udcffb"}, "2023-05", TOML_FILE, 3)
    assert entry is None
    assert problems == [
        Problem(
            TOML_FILE,
            3,
            "note: holds bytes that are not valid UTF-8 text (type it again, "
            "or save the file it came from as UTF-8)",
            "note",
            "a",
        )
    ]


# -- CSV --------------------------------------------------------------------------------

CSV_TEXT = """\
id,department,clause,count,points,note
2023-06-0001,市公安局,2.4.3,2,,

2023-06-0002,教育局,2.3.11,,1.5,"两行
说明"
2023-06-0003,市民政局,2.4.3, , ,
"""


def test_csv_rows_know_their_lines_and_empty_cells_are_unset():
    parsed = parse_csv(CSV_TEXT)
    assert parsed.problems == () and not parsed.broken
    assert [(e.id, e.line, e.file, e.month) for e in parsed.entries] == [
        ("2023-06-0001", 2, CSV_FILE, "2023-06"),
        ("2023-06-0002", 4, CSV_FILE, "2023-06"),
        ("2023-06-0003", 6, CSV_FILE, "2023-06"),
    ]
    first, second, third = parsed.entries
    assert (first.count, first.points, first.note) == (2, None, None)
    assert (second.count, second.points, second.note) == (1, Decimal("1.5"), "两行\n说明")
    assert (third.count, third.points) == (1, None)


def test_csv_with_a_bom_and_windows_line_ends_reads_the_same():
    windows = "\ufeff" + CSV_TEXT.replace("\n", "\r\n")
    parsed = parse_csv(windows)
    assert parsed.problems == ()
    assert [(e.id, e.line) for e in parsed.entries] == [
        ("2023-06-0001", 2),
        ("2023-06-0002", 4),
        ("2023-06-0003", 6),
    ]
    assert parsed.entries[1].note == "两行\r\n说明"


def test_an_unknown_csv_column_suggests_the_column_meant_and_reads_no_row():
    parsed = parse_csv("id,departmnet,clause\n2023-06-0001,市公安局,2.4.3\n")
    assert parsed.problems == (
        Problem(
            CSV_FILE,
            1,
            f"unknown column 'departmnet'; did you mean 'department'? {ALLOWED}",
            "departmnet",
        ),
    )
    assert parsed.entries == () and parsed.broken


def test_a_csv_column_named_twice_is_refused():
    parsed = parse_csv("id,clause,clause\n2023-06-0001,2.4.3,1.1.1\n")
    assert parsed.problems == (
        Problem(CSV_FILE, 1, "column 'clause' appears twice; keep one of them", "clause"),
    )
    assert parsed.entries == () and parsed.broken


def test_a_csv_row_with_cells_beyond_the_header_is_refused_but_empty_ones_pass():
    parsed = parse_csv("id,clause\n2023-06-0001,2.4.3,,\n2023-06-0002,2.4.3,x\n")
    assert parsed.problems == (
        Problem(
            CSV_FILE,
            3,
            "3 cells, but the header names 2 columns "
            "(a comma too many, or a cell with a comma that is not in quotes?)",
        ),
    )
    assert [e.id for e in parsed.entries] == ["2023-06-0001"]


def test_a_header_of_one_column_is_said_as_one():
    """Review BH J5: English says a count's noun as the count asks (1 column, 2 columns)."""
    parsed = parse_csv("id\n2023-06-0001,2.4.3\n")
    assert [p.message for p in parsed.problems] == [
        "2 cells, but the header names 1 column "
        "(a comma too many, or a cell with a comma that is not in quotes?)"
    ]


def test_a_csv_cell_of_the_wrong_type_names_row_line_and_field():
    parsed = parse_csv("id,clause,count,date\n2023-06-0001,2.4.3,abc,2023-13-01\n")
    assert parsed.problems == (
        Problem(CSV_FILE, 2, "count: 'abc' is not a whole number", "count", "2023-06-0001"),
        Problem(
            CSV_FILE,
            2,
            "date: '2023-13-01' is not a day: a year has no month 13",
            "date",
            "2023-06-0001",
        ),
    )


def test_an_unknown_csv_column_like_no_field_lists_the_allowed_and_names_the_first_problem():
    parsed = parse_csv("id,zzz,clause,clause\n2023-06-0001,x,2.4.3,2.4.3\n")
    unknown = Problem(CSV_FILE, 1, f"unknown column 'zzz' {ALLOWED}", "zzz")
    twice = Problem(CSV_FILE, 1, "column 'clause' appears twice; keep one of them", "clause")
    assert parsed.problems == (unknown, twice)
    assert parsed.entries == () and parsed.broken and parsed.broken_by == unknown


def test_a_csv_header_whose_quote_never_closes_is_named_at_line_1():
    parsed = parse_csv('id,"note\n2023-06-0001,x\n')
    assert [(p.line, p.message) for p in parsed.problems] == [
        (
            1,
            "not valid CSV: a quote opened in this row is never closed: the file ends inside "
            "it; the rows from here on are not read",
        )
    ]
    assert parsed.entries == () and parsed.broken_by == parsed.problems[0]


def test_a_quoted_csv_cell_keeps_its_line_breaks_as_written():
    """A note of several lines in quotes, as a Windows spreadsheet writes it (rows end in
    \\r\\n, a break typed inside a cell is \\n): each break is kept as it stands, and
    the next row knows its line."""
    text = 'id,note\r\n2023-06-0001,"第一行\r\n第二行\n第三行"\r\n2023-06-0002,x\r\n'
    parsed = parse_csv(text)
    assert parsed.problems == ()
    assert [(e.id, e.line, e.note) for e in parsed.entries] == [
        ("2023-06-0001", 2, "第一行\r\n第二行\n第三行"),
        ("2023-06-0002", 5, "x"),
    ]


def test_a_csv_with_old_mac_line_ends_reads_row_by_row():
    """Excel's "CSV (Macintosh)" ends each row with a bare \\r."""
    parsed = parse_csv('id,note\r2023-06-0001,x\r2023-06-0002,"a\rb"\r')
    assert parsed.problems == ()
    assert [(e.id, e.line, e.note) for e in parsed.entries] == [
        ("2023-06-0001", 2, "x"),
        ("2023-06-0002", 3, "a\rb"),
    ]


def test_a_csv_file_without_its_last_newline_leaves_its_last_row_out():
    """As in a TOML file: a row cut by power loss or an editor reads as whole (count 45
    cut to 4), so a file that does not end with a newline has its last row left out,
    named where it begins; the rows before it count."""
    text = 'id,clause,count,note\n2023-06-0001,2.4.3,2,x\n2023-06-0002,2.4.3,4,"a\nb'
    parsed = parse_csv(text + '"')
    assert [e.id for e in parsed.entries] == ["2023-06-0001"]
    assert parsed.problems == (
        Problem(
            CSV_FILE,
            3,
            "the file does not end with a newline: its last row may be cut off (power loss "
            "or an editor), and it is left out; repair the last row and end the file with "
            "a newline",
            "",
            "2023-06-0002",
        ),
    )
    # Ended with a newline (or a bare \r, as old Macs end rows), the row counts; a blank
    # last line without one is nothing cut.
    for ended in ('"\n', '"\r\n', '"\n  ,  '):
        whole = parse_csv(text + ended)
        assert whole.problems == () and len(whole.entries) == 2, ended
    assert parse_csv("id,note\r2023-06-0001,x\r").problems == ()


def test_git_conflict_markers_are_named_as_such():
    """A merge without the union driver (a GUI git, a clone made before .gitattributes)
    leaves marker lines: named as a merge left unresolved, not "invalid statement"."""
    text = (
        "# govscore ledger for 2023-06: append only\n<<<<<<< HEAD\n\n[[entry]]\n"
        'id = "2023-06-0001-aaaa"\ndepartment = "市公安局"\nclause = "2.4.3"\n=======\n\n'
        '[[entry]]\nid = "2023-06-0001-bbbb"\ndepartment = "市民政局"\nclause = "2.4.3"\n'
        ">>>>>>> 1a2b3c4 (a colleague's entries)\n"
    )
    parsed = parse_toml_ledger(text, "ledger/2023-06.toml", "2023-06")
    said = (
        "a git conflict marker ({}): a merge left this file unresolved; keep the entries of "
        "both sides, delete the lines <<<<<<<, ======= and >>>>>>> (and the common version "
        "from ||||||| to =======, where git shows one), then commit"
    )
    assert [(p.line, p.message) for p in parsed.problems] == [
        (2, said.format("<<<<<<<")),
        (8, said.format("=======")),
        (14, said.format(">>>>>>>")),
    ]
    assert parsed.broken
    # Resolved as the message says, both entries read.
    resolved = "\n".join(
        line for line in text.splitlines() if line[:7] not in ("<" * 7, "=" * 7, ">" * 7)
    )
    assert [e.id for e in parse_toml_ledger(resolved + "\n", "x", "2023-06").entries] == [
        "2023-06-0001-aaaa",
        "2023-06-0001-bbbb",
    ]


def test_git_conflict_markers_in_a_csv_ledger_are_named_as_such():
    text = (
        "id,department,clause\n2023-06-0001,市公安局,2.4.3\n<<<<<<< HEAD\n"
        "2023-06-0002-aaaa,市公安局,2.4.3\n=======\n2023-06-0002-bbbb,市民政局,2.4.3\n"
        ">>>>>>> 1a2b3c4\n"
    )
    parsed = parse_csv(text)
    assert [(p.line, p.message.split(":")[0]) for p in parsed.problems] == [
        (3, "a git conflict marker (<<<<<<<)"),
        (5, "a git conflict marker (=======)"),
        (7, "a git conflict marker (>>>>>>>)"),
    ]
    assert parsed.broken


def test_a_header_two_lines_into_a_multi_line_string_is_no_header():
    text = '[[entry]]\nid = "a"\nnote = """\nfirst\n[[entry]]\nid = "forged"\n"""\n'
    assert split_entries(text) == ("", [(1, text)])


def test_a_csv_quote_that_never_closes_is_named_and_the_file_is_broken():
    parsed = parse_csv('id,note\n2023-06-0001,ok\n2023-06-0002,"说明\n2023-06-0003,x\n')
    assert [e.id for e in parsed.entries] == ["2023-06-0001"]
    assert parsed.problems == (
        Problem(
            CSV_FILE,
            3,
            "not valid CSV: a quote opened in this row is never closed: the file ends inside "
            "it; the rows from here on are not read",
        ),
    )
    assert parsed.broken and parsed.broken_by == parsed.problems[0]


def test_an_empty_csv_or_a_header_alone_holds_nothing():
    for text in ("", "id,department,clause\n", "\ufeffid,department,clause\r\n"):
        parsed = parse_csv(text)
        assert (parsed.entries, parsed.problems, parsed.broken) == ((), (), False)


def test_bytes_cut_inside_a_character_at_the_end_are_dropped_elsewhere_refused():
    """A write cut off inside a character leaves a cut-off last line, not an unreadable
    file; bytes that are not UTF-8 anywhere else are refused."""
    whole = 'id = "台账"\n'.encode()
    assert ledger_text(whole[:-2]) == 'id = "台账'  # the quote and the newline cut off
    assert ledger_text(whole[:-3]) == 'id = "台'  # and the last of the three bytes of 账
    with pytest.raises(UnicodeDecodeError):
        ledger_text(whole[:8] + whole[10:])


def test_a_table_taken_while_reading_is_not_an_entry_and_the_rest_are():
    """A cold cache build sums plain entries as they are read (`take`); the others, and
    every entry when nothing is taken, are returned as entries."""
    text = "".join(
        fields_toml({"id": i, "department": "市公安局", "clause": "2.4.3"}) for i in "ab"
    )
    offered: list[str] = []

    def take(tables: PlainTables) -> list[int]:
        ids = tables.column(1)
        offered.extend(ids)
        return [index for index, entry_id in enumerate(ids) if entry_id != "a"]

    parsed = parse_toml_ledger(text, TOML_FILE, "2023-05", take=take)
    assert offered == ["a", "b"]
    # b's header is on line 7: a blank line, a's four lines, a blank line before it.
    assert [(e.id, e.line) for e in parsed.entries] == [("b", 7)] and parsed.problems == ()
    assert [e.id for e in parse(text).entries] == ["a", "b"]
    # The careful reader reads every table itself: nothing is offered.
    careful = parse_toml_ledger(text, TOML_FILE, "2023-05", fast=False, take=take)
    assert offered == ["a", "b"] and [e.id for e in careful.entries] == ["a", "b"]


# -- round trip -------------------------------------------------------------------------

ROUND_TRIP = [
    Entry(
        id="2023-05-0001",
        month="2023-05",
        department="市教育局",
        clause="2.3.11",
        count=3,
        points=Decimal("1.5"),
        matter='事项 "一件事"',
        date=date(2023, 5, 12),
        note='两行\n[[entry]]\nid = "forged"\n"""\\ 结束',
        by="王敏",
        recorded="2023-05-12T09:30:00+08:00",
        key="cron-1",
    ),
    Entry(
        id="2023-05-0002",
        month="2023-05",
        department="市公安局",
        clause="2.5.3",
        numerator=Decimal("0"),
        denominator=Decimal("0"),
    ),
    Entry(
        id="2023-05-0003",
        month="2023-05",
        department="市公安局",
        clause="2.5.2",
        value=Decimal("93.5"),
    ),
    Entry(
        id="2023-05-0004",
        month="2023-05",
        department="市公安局",
        clause="4.2.2",
        level="省级",
        matter="m",
    ),
    Entry(
        id="2023-05-0005", month="2023-05", department="市公安局", clause="3.1.3", recurring=True
    ),
    Entry(
        id="2023-05-0006",
        month="2023-05",
        department="市公安局",
        clause="4.3.2",
        ref="2023-05-0001",
    ),
    Entry(
        id="2023-05-0007",
        month="2023-05",
        void="2023-05-0001",
        reason="申诉成立",
        date=date(2023, 6, 1),
    ),
    Entry(id="2023-05-0008", month="2023-05", close="2023-05-0005", through="2023-07", note="完成"),
]


@pytest.mark.parametrize("entry", ROUND_TRIP, ids=[e.id for e in ROUND_TRIP])
def test_an_entry_written_by_entry_toml_parses_back_equal(entry: Entry):
    text = "# govscore ledger for 2023-05: append only\n" + entry_toml(entry)
    parsed = parse(text)
    assert parsed.problems == ()
    assert parsed.entries == (entry._replace(file=TOML_FILE, line=3),)


def test_entries_written_one_after_another_parse_back_in_order_and_place():
    text = "# govscore ledger for 2023-05: append only\n"
    lines = []
    for entry in ROUND_TRIP:
        lines.append(text.count("\n") + 2)
        text += entry_toml(entry)
    parsed = parse(text)
    assert parsed.problems == ()
    assert placed(parsed) == [(e.id, line) for e, line in zip(ROUND_TRIP, lines, strict=True)]
    assert parsed.newlines == text.count("\n")


def test_hidden_characters_are_written_as_escapes_of_their_own_width():
    """A format character inside the Basic Multilingual Plane is written \\uXXXX, one
    beyond it (a tag character, U+E0001) \\UXXXXXXXX; a letter beyond it stays as it is."""
    written = fields_toml({"note": "a\u200eb\U000e0001c\U00010000"})
    assert written == '\n[[entry]]\nnote = "a\\u200eb\\U000e0001c\U00010000"\n'
    assert tomllib.loads(written)["entry"][0]["note"] == "a\u200eb\U000e0001c\U00010000"


def test_a_backslash_or_a_quote_is_escaped_and_reads_back():
    written = fields_toml({"note": "C:\\台账\\2023", "matter": 'say "yes"'})
    assert written == ('\n[[entry]]\nnote = "C:\\\\台账\\\\2023"\nmatter = "say \\"yes\\""\n')
    assert tomllib.loads(written)["entry"][0] == {"note": "C:\\台账\\2023", "matter": 'say "yes"'}


def test_void_and_close_entries_are_written_without_empty_department_or_clause():
    text = entry_toml(ROUND_TRIP[6]) + entry_toml(ROUND_TRIP[7])
    assert "department" not in text and "clause" not in text and "count" not in text


def test_a_void_or_a_close_never_carries_a_count_even_one_written_by_hand():
    void = Entry(id="a", month="2023-05", void="2023-05-0001", count=3)
    close = Entry(id="b", month="2023-05", close="2023-05-0001", through="2023-06", count=2)
    assert entry_fields(void) == {"id": "a", "void": "2023-05-0001"}
    assert entry_fields(close) == {"id": "b", "close": "2023-05-0001", "through": "2023-06"}
    score = Entry(id="c", month="2023-05", clause="2.4.3", count=2)
    assert entry_fields(score) == {"id": "c", "clause": "2.4.3", "count": 2}


# -- by hand or by govscore: the same ----------------------------------------------------


def totals(gs) -> dict[str, float]:
    result = gs("month", "2023-05", "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    return {d["department"]: d["total"] for d in payload["departments"] if d["total"] != 100}


HAND_WRITTEN = """
# 手工补录（王敏）：keys in another order, a short name, a comment after a value
[[entry]]
clause = "2.4.3"
id = "2023-05-0002"
count = 2   # 两件
department = "民政局"
date = 2023-05-10
"""


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_a_hand_appended_entry_counts_exactly_like_one_govscore_wrote(root: Path, gs, newline: str):
    added = gs("add", "-d", "市公安局", "-c", "2.4.3", "-n", "2", "--date", "2023-05-10")
    assert added.stdout == "2023-05-0001\n", added.output
    path = root / "ledger" / "2023-05.toml"
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(HAND_WRITTEN.replace("\n", newline))

    checked = gs("check")
    assert (checked.exit_code, checked.stdout) == (0, ""), checked.output
    # 2.4.3 × 2 → C2 98: 25 + 0.40 × 98 + 20 + 15 = 99.2, for both departments alike.
    assert totals(gs) == {"市公安局": 99.2, "市民政局": 99.2}
    following = gs("add", "-d", "公安局", "-c", "2.4.3", "--month", "2023-05")
    assert following.stdout == "2023-05-0003\n", following.output
    assert totals(gs) == {"市公安局": 98.8, "市民政局": 99.2}


def test_a_month_file_written_wholly_by_hand_in_a_windows_editor_counts(root: Path, gs):
    path = root / "ledger" / "2023-05.toml"
    # The month's first entry: numbered 0001, or check would report 0001 missing.
    first = HAND_WRITTEN.replace("2023-05-0002", "2023-05-0001")
    path.write_bytes(("\ufeff# 五月" + first).replace("\n", "\r\n").encode("utf-8"))
    assert gs("check").exit_code == 0
    added = gs("add", "-d", "市公安局", "-c", "2.4.3", "-n", "2", "--month", "2023-05")
    assert added.stdout == "2023-05-0002\n", added.output
    assert gs("check").exit_code == 0
    assert totals(gs) == {"市公安局": 99.2, "市民政局": 99.2}


def test_spaces_around_names_and_ids_are_not_part_of_them():
    parsed = parse_csv(
        "id, department, clause, level, ref, note\n"
        "2023-06-0001, 市公安局 , 4.4.3 , 省委省政府 , 2023-05-0001 ,  照原样  \n"
    )
    assert parsed.problems == ()
    (entry,) = parsed.entries
    assert (entry.department, entry.clause, entry.level, entry.ref) == (
        "市公安局",
        "4.4.3",
        "省委省政府",
        "2023-05-0001",
    )
    assert entry.note == "  照原样  "
