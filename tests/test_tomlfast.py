"""The fast ledger reader gives exactly what tomllib gives, entry for entry, problem for problem."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import tomli_w
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from govscore.ledger.loader import load_root, parse_ledger_bytes
from govscore.ledger.text import (
    _escaped,
    entry_fields,
    entry_lines,
    entry_toml,
    fields_toml,
    parse_toml_ledger,
)
from govscore.ledger.tomlfast import (
    _CONTROL,
    _ONLY_BATCH_LINES,
    FIGURES,
    PLAIN_TABLE,
    PlainTables,
    holds_controls,
    quick_entry,
    read_chunks,
)
from govscore.model import Entry

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
    '[[entry]]\nid = "a"\ndate = 2023-05-01 10:00:00\n',  # a date-time with a space
    '[[entry]]\nid = "a"\ndate = 2023-05-01  # tagged\n',
    '[[entry]]\nid = "a"\ncount = true\npoints = 3\n',
]


def test_fast_and_careful_readers_agree_on_hand_written_oddities():
    for text in HAND_WRITTEN + ESCAPED:
        fast, careful = both(text)
        assert fast == careful, text


# Lines a ledger may hold, and some that only look like a header: a comment's [[entry]],
# one after a value, a header with a clone's tag or spaces, a batch's frame.
HEADS = [
    "[[entry]]",
    "[[entry]]  # k7q2",
    "[[entry]] # 备注",
    " [[entry]]",
    "# [[entry]]",
    "x = 1 # [[entry]]",
]
LINES = st.sampled_from(
    [
        *HEADS,
        'note = "见 [[entry]]"',
        'id = "2023-05-0001"',
        'department = "市民政局"',
        "count = 2",
        "points = 1.5",
        'note = "迟到"',
        "",
        "# govscore batch of 2 entries, 120 bytes",
        'by = "王"  # govscore batch end, sha256 3f2a9c0e51b7d842',
        'key = "row-1f2e-1"',
        'key = " K2"',
    ]
)
# A table as govscore writes a plain one, under any of those heads.
TABLES = st.builds(
    lambda head, rest: "\n".join([head, 'id = "2023-05-0002"', 'department = "市民政局"', *rest]),
    st.sampled_from(HEADS),
    st.lists(
        st.sampled_from(
            ['clause = "2.4.3"', "count = 2", "value = 95", "date = 2023-05-01", 'key = "K1"', ""]
        ),
        max_size=5,
    ),
)


TABLE = '[[entry]]\nid = "a"\ndepartment = "b"\nclause = "c"'
QUESTION_MARKS = re.compile(PLAIN_TABLE.pattern.replace("|)", ")?"), re.MULTILINE)


@settings(max_examples=500, deadline=None)
@given(
    parts=st.lists(st.one_of(TABLES, LINES), max_size=12),
    end=st.sampled_from(["", "\n"]),
    leave=st.sets(st.integers(0, 11)),
    block=st.sampled_from([1, 40, 2**20]),
)
@example(parts=[f"{TABLE}\n"] * 3, end="", leave={1}, block=1)
@example(  # no cut before a header that is not one a plain table may be followed by
    parts=[TABLE, "", "[[entry]] # 备注", 'id = "b"'], end="\n", leave=set(), block=1
)
@example(  # a block cut after a batch's frame, and a table left after the cut
    parts=[TABLE, "# govscore batch of 1 entry", "", TABLE, "", TABLE], end="\n", leave={1}, block=1
)
def test_take_is_offered_the_tables_the_expression_finds_and_the_rest_is_read(
    parts, end, leave, block
):
    """read_chunks offers `take` every table PLAIN_TABLE finds from a line start (the first
    at the very start too), with its groups, however the text is cut into blocks; what it
    leaves, and whatever lies between the tables it takes, is read as without `take`, at
    the same lines."""
    text = "\n".join(parts) + end
    offered: list[tuple[str | None, ...]] = []

    def take(tables: PlainTables) -> set[int]:
        first = len(offered)  # the index in the file of the block's first table
        offered.extend(zip(*map(tables.column, range(7)), strict=True))
        return {index - first for index in leave if first <= index < len(offered)}

    read = read_chunks(text, take, controls=None, block=block)
    found = list(PLAIN_TABLE.finditer(text))
    event(f"tables: {min(len(found), 3)}, left: {min(len(leave & set(range(len(found)))), 2)}")
    assert offered == [(m.group().removesuffix("\n"), *m.groups()) for m in found]
    # Its optional parts are written (?:X|) for speed: it matches what (?:X)? would.
    assert [(m.span(), m.groups()) for m in found] == [
        (m.span(), m.groups()) for m in QUESTION_MARKS.finditer(text)
    ]
    whole = read_chunks(text, controls=None)
    assert read is not None and whole is not None
    # FIGURES takes each table's figures apart as the reader reads its fields.
    fields = {chunk.line: chunk.fields for chunk in whole[1]}
    for match in found:
        read_fields = fields[text.count("\n", 0, match.start()) + 1] or {}
        figures = FIGURES.fullmatch(match.group(3))
        assert figures is not None
        clause, count, points, points_first, count_after, level, value, day = figures.groups()
        given = {
            "clause": clause,
            "count": count or count_after,
            "points": points or points_first,
            "level": level,
            "value": value,
            "date": day,
        }
        for name, figure in given.items():
            if name in read_fields:
                as_read = read_fields[name]
                assert figure == (as_read.isoformat() if name == "date" else str(as_read))
            else:
                assert figure is None
    taken = {text.count("\n", 0, m.start()) + 1 for i, m in enumerate(found) if i not in leave}
    # (A table read up to the next one taken keeps the newline before it: nothing to tomllib.)
    assert [(c.line, c.fields, c.text.rstrip("\n")) for c in read[1]] == [
        (c.line, c.fields, c.text.rstrip("\n")) for c in whole[1] if c.line not in taken
    ]
    # The text before the first table: the same, or nothing where only blank lines or a
    # batch's frame stand before the first table taken (nothing for tomllib either way).
    assert read[0].rstrip("\n") == whole[0].rstrip("\n") or (
        read[0] == "" and _ONLY_BATCH_LINES.fullmatch(whole[0] + "\n")
    )


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40))
@example(text="台账\x7f")
@example(text="\x85\u2028\t\n")  # C1 and line separators are not _CONTROL's; tab, LF neither
def test_the_bytes_hold_a_control_character_where_their_text_does(text):
    assert holds_controls(text.encode()) == (_CONTROL.search(text) is not None)


def test_a_file_read_from_its_bytes_reads_as_the_careful_reader_reads_its_text():
    """parse_ledger_bytes tells the fast reader from the bytes whether the text may hold a
    control character: a raw one in a string is refused as tomllib refuses it, with or
    without an escape beside it, CRLF line ends and all."""
    raw = [
        '[[entry]]\r\nid = "a"\r\nclause = "2.4.3"\r\nnote = "x\x01y"\r\n',
        '[[entry]]\nid = "a"\nclause = "2.4.3"\nnote = "x\x1fy\\n"\n',
        '[[entry]]\r\nid = "a"\r\nclause = "2.4.3"\r\nnote = "x"\r\n',  # CR only before LF
    ]
    for text in HAND_WRITTEN + ESCAPED + raw:
        careful = parse_toml_ledger(text, FILE, MONTH, fast=False)
        assert parse_ledger_bytes(text.encode(), FILE, MONTH) == careful, text
    assert parse_ledger_bytes(raw[0].encode(), FILE, MONTH).problems  # refused, not read


def test_fast_reader_really_reads_plain_entries():
    text = fields_toml(
        {"id": "a", "department": "市公安局", "clause": "2.4.3", "points": Decimal("1.5")}
    )
    [entry] = parse_toml_ledger(text, FILE, MONTH).entries
    assert (entry.id, entry.points, entry.line) == ("a", Decimal("1.5"), 2)


# What add, void, close and a follow-up write: every kind of field govscore itself writes.
WRITTEN = [
    {
        "id": "2023-05-0001",
        "department": "市公安局",
        "clause": "2.4.3",
        "count": 3,
        "date": date(2023, 5, 12),
        "note": "3件超期办结",
        "by": "张三",
        "recorded": "2023-05-12T09:00:00+08:00",
    },
    {
        "id": "2023-05-0002",
        "department": "市教育局",
        "clause": "2.3.11",
        "points": Decimal("1.5"),
        "by": "张三",
    },
    {"id": "2023-05-0003", "department": "市公安局", "clause": "2.5.2", "value": Decimal("93.5")},
    {
        "id": "2023-05-0004",
        "department": "市公安局",
        "clause": "2.5.3",
        "numerator": Decimal("0"),
        "denominator": Decimal("0"),
    },
    {
        "id": "2023-05-0005",
        "department": "市公安局",
        "clause": "4.2.2",
        "level": "市级",
        "matter": "企业开办一件事",
        "key": "k-1",
    },
    {"id": "2023-05-0006", "department": "市公安局", "clause": "4.3.2", "ref": "2023-05-0003"},
    {"id": "2023-05-0007", "department": "市公安局", "clause": "3.1.3", "recurring": True},
    {"id": "2023-05-0008", "void": "2023-05-0001", "reason": "申诉成立"},
]


def test_fast_reader_makes_the_entries_itself_for_what_govscore_writes():
    """quick_entry, not tomllib, reads every table govscore writes: the fast path is used."""
    for tag in (None, "k7q2"):
        text = "# govscore ledger for 2023-05: append only\n" + "".join(
            fields_toml(fields, tag) for fields in WRITTEN
        )
        read = read_chunks(text, controls=None)
        assert read is not None, "the fast reader gave the whole file to tomllib"
        _, chunks = read
        quick = []
        for chunk in chunks:
            assert chunk.fields is not None, chunk.text
            made = quick_entry(chunk.fields, MONTH, FILE, chunk.line)
            assert made is not None, chunk.fields
            quick.append(made)
        careful = parse_toml_ledger(text, FILE, MONTH, fast=False)
        assert tuple(quick) == careful.entries
        assert parse_toml_ledger(text, FILE, MONTH).entries == careful.entries


def test_a_files_entries_share_each_date_and_figure_read():
    """A month's entries repeat a few dozen dates and a few hundred figures: each text is
    made one date or Decimal (immutable), however many entries hold it (a province's
    million entries read one by one keep 57 MiB less)."""
    same = {"department": "市公安局", "clause": "2.5.2", "value": Decimal("93.5")}
    tables = [{"id": f"2023-05-{n:04d}", **same, "date": date(2023, 5, 12)} for n in range(3)]
    text = "".join(fields_toml(fields) for fields in tables)
    entries = parse_toml_ledger(text, FILE, MONTH).entries
    assert [(e.value, e.date) for e in entries] == [(Decimal("93.5"), date(2023, 5, 12))] * 3
    assert len({id(e.value) for e in entries}) == len({id(e.date) for e in entries}) == 1


# Strings with escapes are read by json's scanner (a note of 100 MB took tomllib 20 s);
# whatever TOML reads differently from JSON goes to tomllib, and the two readers agree.
ESCAPED = [
    '[[entry]]\nid = "a"\nnote = "two\\nlines \\"quoted\\" \\\\ back\\tslash"\n',
    '[[entry]]\nid = "a"\nnote = "a\\/b"\n',  # JSON reads \/, TOML refuses it
    '[[entry]]\nid = "a"\nnote = "a\\\\/b \\\\U \\\\ud800"\n',  # escaped backslashes, then text
    '[[entry]]\nid = "a"\nnote = "a\\\\\\/b"\n',  # an escaped backslash, then \/
    '[[entry]]\nid = "a"\nnote = "\\U000e0020 \\U0000005c \\U00000022 \\\\\\U0001F600"\n',
    '[[entry]]\nid = "a"\nnote = "\\U00110000"\n',  # beyond Unicode: TOML refuses it
    '[[entry]]\nid = "a"\nnote = "\\U0000D800"\n',  # a surrogate: TOML refuses it
    '[[entry]]\nid = "a"\nnote = "\\U1F600"\n',  # too few digits: TOML refuses it
    '[[entry]]\nid = "a"\nnote = "\\uD800"\n',  # a lone surrogate: JSON reads it
    '[[entry]]\nid = "a"\nnote = "\\ud83d\\ude00"\n',  # a pair: JSON joins it, TOML refuses
    '[[entry]]\nid = "a"\nnote = "\\U0001F600 \\u00e9"\n',
    '[[entry]]\nid = "a"\nnote = "\\u0000 nul"\n',
    '[[entry]]\nid = "a"\nnote = "a\\qb"\n',
    '[[entry]]\nid = "a"\nnote = "a\\x41"\n',
    '[[entry]]\nid = "a"\nnote = "end\\\\"  # k7q2\n',
    '[[entry]]\nid = "a"\nnote = "a\\nb" trailing\n',
    '[[entry]]\nid = "a"\nnote = "a\\nb\n',
    '[[entry]]\nid = "a"\nnote = "tab\there\\n"\n',
    '[[entry]]\nid = "a"\nnote = "del\x7f\\n"\n',
    '[[entry]]\nid = "a"\nnote = "a\\nb"\nnote = "c\\nd"\n',
]


MULTI_LINE = st.lists(
    st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from('"\\\t\n/'), max_size=30),
    min_size=2,
    max_size=6,
).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(note=MULTI_LINE, tag=st.sampled_from([None, "k7q2"]))
@example(note="\n\\/", tag=None)  # a backslash before a slash is no \/ escape: read quickly
@example(note="\\U\n\\ud83d", tag=None)
@example(note="'''\n", tag=None)
@example(note="\n\U000e0020", tag=None)  # a format character, written \U000e0020
def test_multi_line_notes_read_exactly_and_quickly(note, tag):
    text = fields_toml({"id": "2023-05-0001", "department": "市公安局", "note": note}, tag)
    fast, careful = both(text)
    assert fast == careful
    if fast.entries:
        assert fast.entries[0].note == note
    if "'''" in note:
        # A file holding ''' anywhere may hold a multi-line literal string, in which a line
        # can look like a header: the fast reader leaves such a file to tomllib (read
        # exactly, as asserted above, only slower).
        assert read_chunks(text, controls=None) is None
        return
    read = read_chunks(text, controls=None)
    assert read is not None and read[1][0].fields is not None, "left to tomllib"


def test_a_month_with_a_note_of_megabytes_reads_the_note_exactly(gs, root):
    """A 9 MiB note of many lines (over the size read by two worker processes): `month`
    scores it, cold and warm, and the entry read back holds the note character for
    character."""
    line = '窗口"排队"超时，群众反映\\等候时间长\t第{}行 \u2028 a/b \x7f'
    note = "\n".join(line.format(number) for number in range(200_000))
    assert len(note.encode()) > 9 * 2**20
    added = gs("add", "-d", "市公安局", "-c", "2.4.3", "--month", MONTH, "--note", note)
    assert added.exit_code == 0, added.output
    for _ in ("cold", "warm"):
        month = gs("month", MONTH, "--format", "json")
        assert month.exit_code == 0, month.output
        rows = json.loads(month.stdout)["departments"]
        [police] = [row for row in rows if row["department"] == "市公安局"]
        # 2.4.3 costs 1 point in category 2 (规范化, weight 0.40): 100 - 0.40 × 1 = 99.6.
        assert (police["categories"]["2"], police["total"]) == (99.0, 99.6)
    [entry] = [e for e in load_root(root).entries() if e.clause == "2.4.3"]
    assert entry.note == note


@settings(max_examples=300, deadline=None)
@given(fields=FIELDS, tag=st.sampled_from([None, "k7q2"]))
def test_entries_are_written_as_tomli_w_writes_them(fields, tag):
    """fields_toml writes plain values itself (an import writes a million entries);
    the text is what tomli-w and the escaping of format characters make of them."""
    mark = f"  # {tag}" if tag else ""
    lines = [f"[[entry]]{mark}"]
    lines += [_escaped(tomli_w.dumps({k: v})).rstrip("\n") + mark for k, v in fields.items()]
    assert fields_toml(fields, tag) == "\n" + "\n".join(lines) + "\n"
    for entry in parse_toml_ledger(fields_toml(fields), FILE, MONTH).entries:
        assert entry_lines(entry) == entry_toml(entry, tag).count("\n")


UNSET = st.sampled_from([None, ""])


@settings(max_examples=500, deadline=None)
@given(
    entry=st.builds(
        Entry,
        id=st.text(max_size=3),
        month=st.just(MONTH),
        department=st.one_of(UNSET, st.text(max_size=3)),
        count=st.one_of(UNSET, st.integers(-2, 3)),
        points=st.one_of(UNSET, st.decimals(allow_nan=False, places=1)),
        recurring=st.one_of(UNSET, st.booleans()),
        date=st.one_of(st.none(), st.dates()),
        note=st.one_of(UNSET, st.text(max_size=3)),
        key=st.one_of(UNSET, st.text(max_size=3)),
        void=st.one_of(st.none(), st.just(""), st.text(min_size=1, max_size=3)),
        close=st.one_of(st.none(), st.text(min_size=1, max_size=3)),
        through=st.one_of(UNSET, st.just("2023-07")),
    )
)
def test_entry_lines_counts_the_fields_entry_fields_keeps(entry):
    """entry_lines counts without making the fields (an import counts a million)."""
    assert entry_lines(entry) == len(entry_fields(entry)) + 2
