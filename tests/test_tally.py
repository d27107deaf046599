"""Summing plain entries as they are read never changes an answer.

A cold cache build takes plain score entries straight from the text (govscore.ledger.tally)
instead of making an Entry of each. Whatever the ledger holds (canonical tables,
hand edits, duplicates, voids of taken entries, bad dates, odd spacing), the snapshot
it builds must equal the one built the ordinary way, in one process or two.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import catalog, departments, tagged_departments_toml
from govscore.ledger.batches import frame
from govscore.ledger.cache import Snapshot
from govscore.ledger.loader import CACHE_DIR, Detailed, load_detailed, load_root, read_cached
from govscore.ledger.tally import Marking, PlainTally, Tallied, named_elsewhere, named_ids
from govscore.ledger.text import fields_toml, parse_toml_ledger
from govscore.model import FIELDS
from govscore.report.page import voided_entries
from govscore.report.shapes import log_json
from govscore.rules.lookup import Lookup
from govscore.rules.scoring import Scorer
from ledgertext import entry, toml

MONTHS = ["2023-05", "2023-06", "2023-07"]
# Mostly departments written right; now and then one that is not.
DEPARTMENTS = [
    *["市公安局", "公安局", "市民政局", "市教育局"] * 4,
    *["市不存在局", " 市民政局", "市民政局\u3000"],
]
CLAUSES = [
    "2.4.3",  # fixed deduction
    "1.1.1",
    "2.3.1",  # one_window only; a follow-up may name it (never tallied)
    "2.3.11",  # range 1–2, hall only (市教育局)
    "2.3.11",
    "2.4.10",  # range 1–3
    "3.3.1",  # capped bonus, group A
    "3.3.5",  # capped bonus, group B
    "4.2.3",  # range bonus, group D
    "4.4.3",  # levels
    "1.3.2",  # discretionary
    "4.3.1",  # a follow-up may name it
    "2.4.13",  # referral
    "2.5.2",  # a rate: one a department a month (a second is a problem)
    "9.9.9",  # unknown
]
# Ids an entry may name (and, now and then, take again: a duplicate).
NAMED = st.one_of(
    st.builds(lambda m, n: f"{m}-{n:04d}", st.sampled_from(MONTHS), st.integers(1, 15)),
    st.sampled_from(["x y", "２０２３-05-0001", "a\u3000", "2023-05-0003-ab12"]),
)


def examples(count: int) -> Any:
    """Hypothesis settings for these tests: `count` ledgers, each a root on disk."""
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def fitting(clause_id: str) -> dict[str, Any]:
    """Figures the clause takes (most entries have them right)."""
    clause = catalog().get(clause_id)
    if clause is None or clause.kind == "fixed":
        return {}
    if clause.kind == "range":
        return {"points": clause.max}
    if clause.kind == "levels":
        return {"level": clause.levels[-1][0]}
    if clause.kind == "rate":
        return {"value": Decimal("96.5")}
    return {"points": Decimal("0.5")}


@st.composite
def score_entry(draw: st.DrawFn, month: str, number: int) -> dict[str, Any]:
    clause = draw(st.sampled_from(CLAUSES))
    fields: dict[str, Any] = {
        "id": f"{month}-{number:04d}" if draw(st.integers(0, 9)) < 9 else draw(NAMED),
        "department": draw(st.sampled_from(DEPARTMENTS)),
        "clause": clause,
    }
    if draw(st.integers(0, 3)) < 3:
        fields.update(fitting(clause))
    year, number = int(month[:4]), int(month[5:])
    days = [None, *[date(year, number, 3)] * 3, date(2023, 6, 25), date(year, number + 1, 2), "x"]
    optional = {
        "count": st.sampled_from([1, 2, 3, 1, 2, 3, 0]),
        "points": st.sampled_from([Decimal("1.5"), Decimal("0.2"), Decimal(2), Decimal("0.25")]),
        "level": st.sampled_from(["市委市政府", "省委省政府", "省级"]),
        "date": st.sampled_from(days),
        "note": st.sampled_from([*["超期办结", "窗口投诉", ""] * 3, '含"引号', "tab\there"]),
        "by": st.sampled_from(["张伟", "李强"]),
        "recorded": st.just("2023-06-01T09:00:00+08:00"),
        # a key, now and then one another entry holds already (two clones merged)
        "key": st.sampled_from(["import-1", "import-2", "row-ab-1"]),
    }
    for name, values in optional.items():
        # Figures seldom beyond what fits the clause; other fields most of the time.
        if draw(st.integers(0, 5 if name in ("points", "level", "key") else 1)) == 1:
            value = draw(values)
            if value is not None:
                fields[name] = value
    return fields


def other_entry(ids: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.builds(lambda i: entry(void=i, reason="申诉成立"), ids),
        st.builds(lambda i, m: entry(close=i, through=m), ids, st.sampled_from(MONTHS)),
        st.builds(lambda i: entry("市公安局", "4.3.2", ref=i), ids),
        st.builds(lambda i: entry("市公安局", "2.3.10", ref=i), ids),
        st.builds(lambda v: entry("市民政局", "2.5.2", value=v), st.sampled_from([93.5, 100])),
        st.builds(lambda: entry("市民政局", "3.1.3", recurring=True)),
        st.builds(lambda: entry("市民政局", "4.2.2", level="市级", matter="甲")),
        st.builds(lambda: entry("市公安局", "4.2.4", level="省级")),  # annual: its year's
        st.builds(lambda: entry("市公安局", "2.4.3", key="import-1")),
        st.builds(lambda: entry("市公安局", "4.3.1", key="import-1")),  # a follow-up's target
    )


# How a clerk's hand may change a table govscore wrote. (Hypothesis draws the first
# choice, and small integers, most: they are the usual case throughout.)
EDITS = [
    *["none"] * 15,
    "tag",  # written in a clone with a remote: every line ends in a tag comment
    "tight",  # no blank line before the table
    "comment",  # a comment line inside the table
    "swap",  # department and clause lines swapped
    "spaces",  # `clause  =  "…"`
    "escape",  # the id written with a \u escape
    "bad-date",  # 2023-02-30
    "points-first",  # points written before count (tomllib reads either order alike)
    "control",  # a raw control character in the id (tomllib refuses it)
]


def table(fields: dict[str, Any], edit: str) -> str:
    if edit == "bad-date":
        fields = {**fields, "date": date(2023, 2, 27)}
        fields = {name: fields[name] for name in FIELDS if name in fields}
    text = fields_toml(fields, "ab12" if edit == "tag" else None)
    if edit == "tight":
        return text.removeprefix("\n")
    if edit == "comment":
        return text.replace("\nclause", "\n# 备注\nclause", 1)
    if edit == "swap":
        lines = text.split("\n")
        lines[3], lines[4] = lines[4], lines[3]
        return "\n".join(lines)
    if edit == "spaces":
        return text.replace("\nclause = ", "\nclause  =  ", 1)
    if edit == "escape":
        return text.replace('id = "2023-', 'id = "\\u0032023-', 1)
    if edit == "bad-date":
        return text.replace("2023-02-27", "2023-02-30")
    if edit == "control":
        return text.replace('id = "', 'id = "\x01', 1)
    if edit == "points-first":
        lines = text.split("\n")
        counts = [n for n, line in enumerate(lines) if line.startswith("count = ")]
        points = [n for n, line in enumerate(lines) if line.startswith("points = ")]
        if counts and points:
            lines[counts[0]], lines[points[0]] = lines[points[0]], lines[counts[0]]
        return "\n".join(lines)
    return text


@st.composite
def month_file(draw: st.DrawFn, month: str) -> str:
    pieces = ["# govscore ledger: append only\n"]
    for number in range(1, draw(st.integers(4, 16))):
        if draw(st.integers(0, 4)) < 4:
            made = draw(score_entry(month, number))
            pieces.append(table(made, draw(st.sampled_from(EDITS))))
        else:
            made = draw(other_entry(NAMED))
            pieces.append(table(made, "none"))
        if "key" in made:  # now and then voided (either copy of one booked twice may be),
            # or followed up (one naming a second entry under a key counts no more than it)
            after = draw(st.sampled_from(["none", "none", "void", "follow-up"]))
            if after == "void":
                pieces.append(table(entry(void=made["id"], reason="重复登记"), "none"))
            elif after == "follow-up":
                pieces.append(table(entry("市公安局", "4.3.2", ref=made["id"]), "none"))
    text = pieces[0] + framed(draw, pieces[1:])
    ending = draw(st.sampled_from(["as is"] * 5 + ["no newline", "crlf", "triple quotes"]))
    if ending == "no newline":
        text = text.rstrip("\n")
    elif ending == "crlf":
        text = text.replace("\n", "\r\n")
    elif ending == "triple quotes":
        text += '\n[[entry]]\nid = "m-1"\nnote = """两行\n说明"""\n'
    return text


def framed(draw: st.DrawFn, tables: list[str]) -> str:
    """The tables as govscore appends them: in framed batches (govscore.ledger.batches),
    the last now and then cut off at any character, as a killed writer leaves it; or bare,
    as a person appends them."""
    framing = draw(st.sampled_from(["bare", "batches", "batches", "torn"]))
    if framing == "bare":
        return "".join(tables)
    batches: list[list[str]] = [[]]
    for text in tables:
        if batches[-1] and draw(st.integers(0, 2)) == 0:
            batches.append([])
        batches[-1].append(text)
    whole = [
        frame("".join(batch), len(batch), draw(st.sampled_from([None, "ab12"])))
        for batch in batches
    ]
    if framing == "torn":
        whole[-1] = whole[-1][: draw(st.integers(0, len(whole[-1]) - 1))]
    return "".join(whole)


def snapshot(root: Path, **options: Any) -> Snapshot:
    return read_cached(root, use_cache=False, **options).snapshot


def comparable(found: Snapshot) -> tuple[Any, ...]:
    """Everything a snapshot says, with the ids as a sorted list (their order is free)."""
    context = found.context
    return (
        found.files,
        found.problems,
        found.summary,
        found.entries,
        sorted(context.ids.text.split("\n")),
        context.targets,
        context.target_bad,
        context.voided,
        context.rates,
        context.wanted,
        context.keys,
        context.sequences,
    )


def taken_ids(month: str, text: str) -> list[str]:
    tally = PlainTally(month, catalog(), departments(), named_ids(text.encode()))
    parse_toml_ledger(text.replace("\r\n", "\n"), f"ledger/{month}.toml", month, take=tally)
    return tally.ids


def taken_keys(month: str, text: str, marks: Marking = False) -> dict[str, str]:
    tally = PlainTally(month, catalog(), departments(), named_ids(text.encode()), marks=marks)
    parse_toml_ledger(text.replace("\r\n", "\n"), f"ledger/{month}.toml", month, take=tally)
    return tally.keys


def write_ledger(root: Path, files: dict[str, str]) -> None:
    for child in (root / "ledger").iterdir():
        if child.name != ".gitkeep":
            child.unlink()
    for name, text in files.items():
        (root / "ledger" / name).write_bytes(text.encode("utf-8"))


# 市教育局's span in departments.toml (since/until): its entries outside it are problems,
# which a tally must leave to the review as it leaves an unknown department's.
SPANS = ["", 'since = "2023-06"\n', 'until = "2023-05"\n', 'since = "2023-06"\nuntil = "2023-06"\n']


def with_span(root: Path, span: str) -> None:
    line = 'name = "市教育局"\n'
    text = tagged_departments_toml()
    assert line in text
    (root / "departments.toml").write_text(text.replace(line, line + span), encoding="utf-8")


@examples(100)
@given(
    texts=st.tuples(*(st.one_of(month_file(month), st.none()) for month in MONTHS)),
    span=st.sampled_from(SPANS),
)
def test_tallied_snapshots_equal_ordinary_ones(
    root: Path, texts: tuple[str | None, ...], span: str
):
    files = {
        f"{month}.toml": text for month, text in zip(MONTHS, texts, strict=True) if text is not None
    }
    write_ledger(root, files)
    with_span(root, span)
    read = snapshot(root, tally=False)
    ordinary = comparable(read)
    tallied = snapshot(root, workers=1)
    taken = sum(
        len(taken_ids(month, text)) for month, text in zip(MONTHS, texts, strict=True) if text
    )
    event(f"taken: {'none' if not taken else 'some' if taken < 5 else 'many'}")
    keyed = sum(
        len(taken_keys(month, text)) for month, text in zip(MONTHS, texts, strict=True) if text
    )
    event(f"keyed entries taken: {'none' if not keyed else 'some'}")
    assert comparable(tallied) == ordinary
    assert comparable(snapshot(root, workers=2)) == ordinary
    # Built for an import, every entry of a written key is marked as the ordinary way
    # marks it; built for a report, what marks it holds are right.
    marked = snapshot(root, workers=2, marks=True)
    assert comparable(marked) == ordinary
    assert marked.context.marks == read.context.marks
    assert tallied.context.marks.items() <= read.context.marks.items()
    # Built for `check`, the entries of the keys asked for are marked as the ordinary
    # way marks them (every other one of those the ordinary way marks, and one no entry has).
    asked = frozenset([*list(read.context.marks)[::2], "no-such-key"])
    some = snapshot(root, workers=2, marks=asked)
    assert comparable(some) == ordinary
    assert some.context.marks.items() <= read.context.marks.items()
    assert asked & set(read.context.marks) <= set(some.context.marks)


@examples(60)
@given(
    text=month_file("2023-05"),
    other=st.one_of(month_file("2023-06"), st.none()),
    where=st.floats(0, 1),
)
def test_a_byte_that_is_not_utf8_leaves_out_the_same_entries_however_read(
    root: Path, text: str, other: str | None, where: float
):
    """A byte 0xFF (never UTF-8) anywhere in a month file: the entries above the one (or
    the batch) holding it count, the same ones whether the file is tallied or not."""
    data = text.encode("utf-8")
    at = int(len(data) * where)
    write_ledger(root, {} if other is None else {"2023-06.toml": other})
    (root / "ledger" / "2023-05.toml").write_bytes(data[:at] + b"\xff" + data[at:])
    ordinary = comparable(snapshot(root, tally=False))
    assert any("not UTF-8" in p.message for p in ordinary[1])
    assert comparable(snapshot(root, workers=1)) == ordinary
    assert comparable(snapshot(root, workers=2)) == ordinary


def test_a_gap_is_named_in_the_first_file_to_hold_its_sequence_however_it_was_read(
    root: Path,
):
    """Found by the property test above: June holds 2023-05-0003-ab12 as a plain entry
    (tallied), July the same id with a date that does not read (an entry with a problem,
    never tallied). The gap before it (0001-ab12, 0002-ab12) is named in June, the first
    file in ledger order to hold the sequence, whether June's ids were tallied or not."""
    june = toml(
        entry("市公安局", "2.4.3", id="2023-06-0001"),
        entry("市公安局", "2.4.3", id="2023-05-0003-ab12"),
    )
    july = toml(entry("市公安局", "2.4.3", id="2023-07-0001"))
    july += '\n[[entry]]\nid = "2023-05-0003-ab12"\ndepartment = "市公安局"\nclause = "2.4.3"\n'
    july += 'date = "x"\n'
    write_ledger(root, {"2023-06.toml": june, "2023-07.toml": july})
    ordinary = snapshot(root, tally=False)
    gaps = [p for p in ordinary.problems if "2023-05-0001-ab12" in p.message]
    assert [(p.file, p.line) for p in gaps] == [("ledger/2023-06.toml", 0)]
    assert "2023-05-0003-ab12" in taken_ids("2023-06", june)  # June's was tallied
    for workers in (1, 2):
        assert comparable(snapshot(root, workers=workers)) == comparable(ordinary)


def test_plain_entries_are_summed_and_the_rest_reviewed(root: Path):
    """What is taken: plain score entries and rates no other entry names; nothing else."""
    plain = [entry("市民政局", "2.4.3", id=f"2023-05-{n:04d}", count=2) for n in range(1, 5)]
    others = [
        entry("市民政局", "4.3.1", id="2023-05-0005"),  # a follow-up may name it
        entry("市民政局", "2.5.2", id="2023-05-0006", value=95),  # a rate
        entry(id="2023-05-0007", void="2023-05-0004", reason="申诉成立"),  # names a plain one
        entry("市不存在局", "2.4.3", id="2023-05-0008"),  # has a problem
    ]
    text = "# hand\n" + toml(*plain, *others)
    tally = PlainTally("2023-05", catalog(), departments(), named_ids(text.encode()))
    parsed = parse_toml_ledger(text, "ledger/2023-05.toml", "2023-05", take=tally)
    taken = tally.result()
    # 0004 is voided by 0007: it stays an Entry, so the review can void it.
    assert taken.ids == ["2023-05-0001", "2023-05-0002", "2023-05-0003", "2023-05-0006"]
    assert [e.id for e in parsed.entries] == [f"2023-05-{n:04d}" for n in (4, 5, 7, 8)]
    # 3 entries × 2 × 1 point = −6 by 2.4.3; the rate 95%: 5 × 0.1 = −0.5 by 2.5.2.
    assert taken.cells["市民政局"].clauses == {"2.4.3": Decimal(-6), "2.5.2": Decimal("-0.5")}
    assert taken.rates == [("2.5.2", "市民政局")]

    write_ledger(root, {"2023-05.toml": text})
    state = read_cached(root, use_cache=False)
    ordinary = read_cached(root, use_cache=False, tally=False)
    assert comparable(state.snapshot) == comparable(ordinary.snapshot)
    # 市民政局 in May: 2.4.3 × 2 × 3 live entries = −6 and 2.5.2 at 95% = 5 × 0.1 = −0.5,
    # both in category 2; 4.3.1 (fixed, 1 point) = −1 in category 4.
    cell = state.snapshot.summary.cells[("市民政局", "2023-05")]
    assert cell.sums == {"2": Decimal("-6.5"), "4": Decimal(-1)}
    assert [p.entry for p in state.snapshot.problems] == ["2023-05-0008"]


def test_an_entry_named_in_a_way_the_quick_look_misses_is_still_voided(root: Path):
    """A void written with an escape names the entry; the check afterwards sees it."""
    target = entry("市民政局", "2.4.3", id="2023-05-0001", count=4)
    void = toml(entry(id="2023-05-0002", void="2023-05-0001", reason="申诉成立"))
    void = void.replace('void = "2023-05-0001"', 'void = "\\u0032023-05-0001"')
    text = "# hand\n" + toml(target) + void
    assert named_ids(text.encode()) == frozenset()  # the quick look does not see it
    write_ledger(root, {"2023-05.toml": text})
    state = read_cached(root, use_cache=False)
    assert state.snapshot.summary.cells == {}  # voided: nothing counts
    assert not state.snapshot.problems


def test_a_void_filed_in_another_month_still_voids_a_taken_entry(root: Path):
    """Its file's tally took the entry; the check afterwards has that file read again."""
    may = entry("市民政局", "2.4.3", id="2023-05-0001", count=4)
    other = entry("市民政局", "2.4.3", id="2023-05-0002")
    void = entry(id="2023-06-0001", void="2023-05-0001", reason="申诉成立")
    write_ledger(root, {"2023-05.toml": toml(may, other), "2023-06.toml": toml(void)})
    state = read_cached(root, use_cache=False)
    # Only 0002 counts: 2.4.3 × 1 = −1 in category 2.
    assert state.snapshot.summary.cells[("市民政局", "2023-05")].sums == {"2": Decimal(-1)}
    assert state.snapshot.context.voided == frozenset({"2023-05-0001"})
    assert comparable(state.snapshot) == comparable(
        read_cached(root, use_cache=False, tally=False).snapshot
    )


def test_a_duplicate_of_a_taken_id_is_reported_where_it_stands(root: Path):
    first = entry("市民政局", "2.4.3", id="2023-05-0001")
    again = entry("市公安局", "2.4.3", id="2023-05-0001")
    write_ledger(root, {"2023-05.toml": "# hand\n" + toml(first), "2023-06.toml": toml(again)})
    state = read_cached(root, use_cache=False)
    [problem] = state.snapshot.problems
    assert str(problem) == (
        "ledger/2023-06.toml:2: duplicate id 2023-05-0001 (first at ledger/2023-05.toml:3)"
    )
    assert comparable(state.snapshot) == comparable(
        read_cached(root, use_cache=False, tally=False).snapshot
    )


def test_an_id_taken_in_one_month_and_used_again_in_another_is_a_duplicate(root: Path):
    """Each file's tally is checked alone where it was read (its ids its own month's, none
    twice); the main process gathers every id taken only when an entry the review sees
    has an id of another tallied month, as this void has."""
    first = entry("市民政局", "2.4.3", id="2023-05-0001")
    again = entry(id="2023-05-0001", void="2023-06-0001", reason="申诉成立")
    voided = entry("市公安局", "2.4.3", id="2023-06-0001")
    june = toml(again, voided)
    write_ledger(root, {"2023-05.toml": "# hand\n" + toml(first), "2023-06.toml": june})
    state = read_cached(root, use_cache=False)
    assert [str(p) for p in state.snapshot.problems] == [
        "ledger/2023-06.toml:2: duplicate id 2023-05-0001 (first at ledger/2023-05.toml:3)"
    ]
    assert comparable(state.snapshot) == comparable(
        read_cached(root, use_cache=False, tally=False).snapshot
    )


def test_a_taken_id_used_again_by_an_entry_of_its_own_file_is_a_duplicate(root: Path):
    """The tally sees the ids of its file's other entries: one of them taken is not alone."""
    first = entry("市民政局", "2.4.3", id="2023-05-0001")
    again = entry(id="2023-05-0001", void="2023-05-0002", reason="申诉成立")
    voided = entry("市公安局", "2.4.3", id="2023-05-0002")
    text = "# hand\n" + toml(first, again, voided)
    tally = PlainTally("2023-05", catalog(), departments(), named_ids(text.encode()))
    parsed = parse_toml_ledger(text, "ledger/2023-05.toml", "2023-05", take=tally)
    assert tally.ids == ["2023-05-0001"]
    assert not tally.result(e.id for e in parsed.entries).alone
    assert tally.result().alone  # without the others, nothing tells
    write_ledger(root, {"2023-05.toml": text})
    state = read_cached(root, use_cache=False)
    assert ["duplicate id 2023-05-0001" in str(p) for p in state.snapshot.problems] == [True]
    assert comparable(state.snapshot) == comparable(
        read_cached(root, use_cache=False, tally=False).snapshot
    )


def test_keyed_entries_are_tallied_and_marked_where_their_marks_are_wanted(root: Path):
    """Every imported row holds a key (去重键): a made one (`row-…`) or the source's own.
    Every build tallies keyed plain entries and keeps their keys; an import's marks each
    entry of a written key as it is read (its identity, for a row under that key to be
    compared with: the mark the review makes of the entry), `check`'s those of the keys
    its cache marks, a report's none. A made key is never marked."""
    made = entry("市民政局", "2.4.3", id="2023-05-0001", key="row-ab12-1")
    written = entry(
        "公安局", "2.4.3", id="2023-05-0002", count=2, date=date(2023, 5, 12), key="SRC-7"
    )
    noted = entry(  # a range clause's points as a hand writes them (1.50 is 1.5)
        "市教育局",
        "2.3.11",
        id="2023-05-0003",
        points=Decimal("1.50"),
        note="核实 有效",
        by="张三",
        key="K9",
    )
    text = toml(made, written, noted)
    every = {"row-ab12-1": "2023-05-0001", "SRC-7": "2023-05-0002", "K9": "2023-05-0003"}
    for marks in (False, True, frozenset({"SRC-7"}), frozenset({"SRC-8"})):
        assert taken_keys("2023-05", text, marks=marks) == every
    write_ledger(root, {"2023-05.toml": text})
    ordinary = read_cached(root, use_cache=False, tally=False).snapshot
    assert list(ordinary.context.marks) == ["SRC-7", "K9"]
    for marks, wanted in (
        (False, set()),
        (True, {"SRC-7", "K9"}),
        (frozenset({"SRC-7"}), {"SRC-7"}),
        (frozenset({"SRC-8"}), set()),
    ):
        found = read_cached(root, use_cache=False, marks=marks).snapshot
        assert comparable(found) == comparable(ordinary)
        assert found.context.keys == every
        assert found.context.marks == {k: ordinary.context.marks[k] for k in wanted}


def test_a_key_held_twice_is_reported_where_it_stands_however_the_entries_were_read(
    root: Path,
):
    """A key stands for its first live entry; a second live one under it is the same
    incident booked twice, a problem of its own line. Taken entries whose key another
    entry holds (in another month, in the same file, or an entry the review sees, such as
    a voided copy) are left to the review, which says so as the ordinary reading does."""
    first = entry("市民政局", "2.4.3", id="2023-05-0001", key="SRC-1")
    copy = entry("市民政局", "2.4.3", id="2023-06-0001", key="SRC-1")
    third = entry("市公安局", "2.4.3", id="2023-06-0002", key="SRC-1")
    void = entry(id="2023-06-0002", void="2023-05-0001", reason="重复登记")
    cases = [
        ({"2023-05.toml": toml(first), "2023-06.toml": toml(copy)}, ["2023-06-0001"]),
        ({"2023-06.toml": toml(copy, third)}, ["2023-06-0002"]),
        ({"2023-05.toml": toml(first), "2023-06.toml": toml(copy, void)}, []),
    ]
    for files, seconds in cases:
        write_ledger(root, files)
        ordinary = read_cached(root, use_cache=False, tally=False).snapshot
        for options in ({"workers": 1}, {"workers": 2}, {"marks": True}):
            found = read_cached(root, use_cache=False, **options).snapshot
            assert comparable(found) == comparable(ordinary)
        assert [p.entry for p in ordinary.problems] == seconds
        assert all("SRC-1" in str(p) for p in ordinary.problems)
    # With the first voided, the key stands for the copy, which counts: −1 in June.
    assert ordinary.context.keys == {"SRC-1": "2023-06-0001"}
    assert ordinary.summary.cells[("市民政局", "2023-06")].sums == {"2": Decimal(-1)}


def test_entries_a_follow_up_may_name_are_noted_with_whether_they_have_problems(root: Path):
    """The snapshot keeps each target's first entry, and whether that one has problems of
    its own, so that a follow-up added later is judged as the full review judges it."""
    bad = entry("市不存在局", "4.3.1", id="2023-05-0001")  # no such department
    good = entry("市民政局", "4.3.1", id="2023-05-0002")
    again = entry("市不存在局", "4.3.1", id="2023-05-0002")  # a duplicate: the first counts
    write_ledger(root, {"2023-05.toml": toml(bad, good, again)})
    context = read_cached(root, use_cache=False).snapshot.context
    assert list(context.targets) == ["2023-05-0001", "2023-05-0002"]
    assert context.targets["2023-05-0002"][1] == "市民政局"  # clause, department, …
    assert context.target_bad == {"2023-05-0001"}


def test_named_elsewhere_trusts_a_tally_only_for_the_names_it_left_alone():
    """The quick look's names reach each worker with its file; a tally that did not leave
    one of them alone (whatever the reason) is checked the long way."""

    def tally(numbers: list[int], left: frozenset[str]) -> Tallied:
        ids = [f"2023-05-{n:04d}" for n in numbers]
        return Tallied("2023-05", ids, {}, {("2023-05", ""): numbers}, [], True, left)

    june = toml(entry(id="2023-06-0001", void="2023-05-0001", reason="申诉成立"))
    void = parse_toml_ledger(june, "ledger/2023-06.toml", "2023-06").entries
    files = {"ledger/2023-05.toml": (), "ledger/2023-06.toml": void}
    looked = frozenset({"2023-05-0001"})
    # 0001 left alone, as the tally says: not taken, and nothing more to look at.
    left = {"ledger/2023-05.toml": tally([2], looked)}
    assert named_elsewhere(left, files, looked) == frozenset()
    # 0001 taken, the look's names not left alone: found the long way (its file read again).
    taken = {"ledger/2023-05.toml": tally([1, 2], frozenset())}
    assert named_elsewhere(taken, files, looked) == {"2023-05-0001"}


def test_a_tally_is_alone_only_with_ids_of_its_own_month_each_once():
    def alone(*ids: str) -> bool:
        text = "# hand\n" + toml(*(entry("市民政局", "2.4.3", id=i) for i in ids))
        tally = PlainTally("2023-05", catalog(), departments())
        parse_toml_ledger(text, "ledger/2023-05.toml", "2023-05", take=tally)
        assert tally.ids == list(ids)  # all taken
        return tally.result().alone

    assert alone("2023-05-0001", "2023-05-0002")
    assert alone()
    assert not alone("2023-05-0001", "2023-05-0001")  # twice
    assert not alone("2023-05-0001", "2023-06-0001")  # another month's
    assert not alone("2023-05-0001", "2023-05-0002-ab12")  # a clone's sequence
    assert not alone("2023-05-0001", "hand-1")  # no sequence


def test_a_gap_among_taken_ids_is_reported_as_the_ordinary_review_reports_it(root: Path):
    """Taken ids are numbered in the worker that read them; the review finds the same gaps
    in them (a clone's own sequence too) as among entries."""
    numbers = (1, 2, 5)  # 0003 and 0004 are missing
    plain = [entry("市民政局", "2.4.3", id=f"2023-05-{n:04d}") for n in numbers]
    tagged = [entry("市公安局", "2.4.3", id=f"2023-05-{n:04d}-ab12") for n in (1, 3)]
    write_ledger(root, {"2023-05.toml": "# hand\n" + toml(*plain, *tagged)})
    for workers in (1, 2):
        state = read_cached(root, use_cache=False, workers=workers)
        removed = (
            "an entry was removed from the ledger or from its git history (`govscore audit "
            "--since TAG` compares the ledger with a published tag)"
        )
        assert [str(p) for p in state.snapshot.problems] == [
            "ledger/2023-05.toml: ids 2023-05-0003 … 2023-05-0004 (2 ids) are missing: "
            "govscore numbers the ids of 2023-05 in sequence, and 2023-05-0005 follows "
            f"2023-05-0002; {removed}",
            "ledger/2023-05.toml: id 2023-05-0002-ab12 is missing: govscore numbers the ids "
            f"of 2023-05-ab12 in sequence, and 2023-05-0003-ab12 follows 2023-05-0001-ab12; "
            f"{removed}",
        ]
        assert state.snapshot.summary.cells[("市民政局", "2023-05")].clauses  # taken
        ordinary = read_cached(root, use_cache=False, tally=False).snapshot
        assert comparable(state.snapshot) == comparable(ordinary)
        assert state.snapshot.context.sequences == {"2023-05": 5, "2023-05-ab12": 3}


def test_a_tallied_build_keeps_id_sequences_and_reads_back_the_same(root: Path):
    """ids continue the sequence of taken entries; a warm run reads the same snapshot."""
    plain = [entry("市民政局", "2.4.3", id=f"2023-05-{n:04d}") for n in (1, 2, 9)]
    write_ledger(root, {"2023-05.toml": "# hand\n" + toml(*plain)})
    cold = read_cached(root)
    assert cold.snapshot.context.sequences == {"2023-05": 9}
    assert (root / CACHE_DIR).is_dir()
    assert comparable(read_cached(root).snapshot) == comparable(cold.snapshot)


# From June (a notice effective 2023-06-01): 2.4.3 costs 2 a case, 2.4.10 takes 2–4
# points, 1.1.1 is retired and cap A rises to 1.5. Each month file is tallied by its own
# month's rules; the ordinary review judges each entry by its month's rules too.
AMENDMENT = """\
retire = ["1.1.1"]

[notice]
number = "烟政管办〔2023〕9号"

[[clause]]
id = "2.4.3"
points = 2

[[clause]]
id = "2.4.10"
min = 2
max = 4

[caps]
A = { limit = 1.5 }
"""


def amend(root: Path) -> None:
    (root / "amendments").mkdir(exist_ok=True)
    (root / "amendments" / "2023-06-01.toml").write_text(AMENDMENT, encoding="utf-8")


@examples(40)
@given(texts=st.tuples(*(st.one_of(month_file(month), st.none()) for month in MONTHS)))
def test_tallied_snapshots_equal_ordinary_ones_under_amended_rules(
    root: Path, texts: tuple[str | None, ...]
):
    amend(root)
    files = {
        f"{month}.toml": text for month, text in zip(MONTHS, texts, strict=True) if text is not None
    }
    write_ledger(root, files)
    ordinary = comparable(snapshot(root, tally=False))
    assert comparable(snapshot(root, workers=1)) == ordinary
    assert comparable(snapshot(root, workers=2)) == ordinary


def test_each_month_file_is_tallied_by_its_own_months_rules(root: Path):
    amend(root)
    may = toml(
        entry("市民政局", "2.4.3", id="2023-05-0001", count=3),
        entry("市民政局", "1.1.1", id="2023-05-0002"),
    )
    june = toml(
        entry("市民政局", "2.4.3", id="2023-06-0001", count=3),
        entry("市民政局", "1.1.1", id="2023-06-0002"),  # retired from June: a problem
        entry("市民政局", "2.4.10", id="2023-06-0003", points=1.5),  # below June's 2–4
    )
    write_ledger(root, {"2023-05.toml": may, "2023-06.toml": june})
    state = read_cached(root, use_cache=False)
    ordinary = read_cached(root, use_cache=False, tally=False)
    assert comparable(state.snapshot) == comparable(ordinary.snapshot)
    cells = state.snapshot.summary.cells
    # May (first rules): 2.4.3 × 3 × 1 = −3 in C2; 1.1.1 × 1 = −1 in C1.
    assert cells[("市民政局", "2023-05")].sums == {"1": Decimal(-1), "2": Decimal(-3)}
    # June: 2.4.3 × 3 × 2 = −6; 1.1.1 and the 1.5-point 2.4.10 do not count.
    assert cells[("市民政局", "2023-06")].sums == {"2": Decimal(-6)}
    assert [p.entry for p in state.snapshot.problems] == ["2023-06-0002", "2023-06-0003"]


def test_a_second_rate_is_reported_wherever_it_stands(root: Path):
    """A rate is one a department a month. The tally takes a rate only when no other entry
    the review sees gives the same one: a second in the same file, a hand-written one, or
    one in the month's CSV file sends the first back to the review, which reports the
    second where it stands, as the ordinary reading does."""
    first = entry("市民政局", "2.5.2", id="2023-05-0001", value=95)
    second = entry("民政局", "2.5.2", id="2023-05-0003", value=90)  # the same department
    other = entry("市公安局", "2.5.2", id="2023-05-0002", value=98)
    hand = toml(second).replace("value = 90", "value  =  90")  # not as govscore writes it
    csv = "id,department,clause,value\n2023-05-0003,市公安局,2.5.2,97\n"
    cases = [
        ({"2023-05.toml": "# hand\n" + toml(first, second, other)}, "ledger/2023-05.toml:9"),
        ({"2023-05.toml": "# hand\n" + toml(first, other) + hand}, "ledger/2023-05.toml:15"),
        (
            {"2023-05.toml": "# hand\n" + toml(first, other), "2023-05.csv": csv},
            "ledger/2023-05.csv:2",
        ),
    ]
    for files, where in cases:
        write_ledger(root, files)
        state = read_cached(root, use_cache=False)
        ordinary = read_cached(root, use_cache=False, tally=False)
        assert comparable(state.snapshot) == comparable(ordinary.snapshot)
        assert comparable(snapshot(root, workers=2)) == comparable(ordinary.snapshot)
        [problem] = state.snapshot.problems
        assert str(problem).startswith(f"{where}: a second 2.5.2 rate for ")
        # The first rate counts: 95% is 5 × 0.1 = −0.5 for 市民政局; 98% is −0.2 for
        # 市公安局 (the CSV's 97% is the second of its month, and does not count).
        cells = state.snapshot.summary.cells
        assert cells[("市民政局", "2023-05")].clauses == {"2.5.2": Decimal("-0.5")}
        assert cells[("市公安局", "2023-05")].clauses == {"2.5.2": Decimal("-0.2")}
        assert ("2.5.2", "市民政局", "2023-05") in state.snapshot.context.rates


def _as_shown(read: Detailed, month: str) -> tuple[Any, ...]:
    """What a report that lists the month's entries shows: the month ranked with its lines,
    its voided entries, and what it says of the whole ledger."""
    root = read.root
    scorer = Scorer(read.book, root.catalog, root.weights, root.departments, read.summary)
    voids = voided_entries(root.entries(), read.book.voided, root.departments, read.book.problems)
    in_month = [v for v in voids if v.entry.month == month]
    return scorer.month(month), in_month, read.book, read.summary, read.entries


@examples(60)
@given(
    texts=st.tuples(*(st.one_of(month_file(month), st.none()) for month in MONTHS)),
    month=st.sampled_from(MONTHS),
)
def test_a_month_shown_entry_by_entry_is_the_month_of_the_whole_ledger(
    root: Path, texts: tuple[str | None, ...], month: str
):
    """`month --detail` and a workbook read the month's own file entry by entry and only
    sum the plain entries of the others (load_detailed): the lines, voids, problems and
    scores are those of reading every entry, in one process or two, and those of the
    whole ledger reviewed as `--at` reads it."""
    files = {f"{m}.toml": text for m, text in zip(MONTHS, texts, strict=True) if text is not None}
    write_ledger(root, files)
    ordinary = _as_shown(load_detailed(root, [month], tally=False), month)
    assert _as_shown(load_detailed(root, [month], workers=1), month) == ordinary
    assert _as_shown(load_detailed(root, [month], workers=2), month) == ordinary
    whole = load_root(root)
    book = whole.review()
    scorer = Scorer(book, whole.catalog, whole.weights, whole.departments)
    voids = voided_entries(whole.entries(), book.voided, whole.departments, book.problems)
    ranking, in_month, shown_book, summary, entries = ordinary
    assert ranking == scorer.month(month)
    assert in_month == [v for v in voids if v.entry.month == month]
    assert shown_book.entries == tuple(e for e in book.entries if e.month == month)
    assert (shown_book.problems, shown_book.voided, shown_book.through) == (
        book.problems,
        book.voided,
        book.through,
    )
    assert summary == scorer.summary
    assert entries == sum(1 for _ in whole.entries())
    # `year --detail` reads no month entry by entry: a year's lines are its annual ones.
    year = load_detailed(root, [])
    annual = Scorer(year.book, whole.catalog, whole.weights, whole.departments, year.summary)
    assert annual.year(2023, MONTHS) == scorer.year(2023, MONTHS)


def _lookup(read: Detailed) -> Lookup:
    root = read.root
    scorer = Scorer(read.book, root.catalog, root.weights, root.departments, read.summary)
    return Lookup(list(root.entries()), scorer, root.months)


@examples(40)
@given(texts=st.tuples(*(st.one_of(month_file(month), st.none()) for month in MONTHS)))
def test_an_entry_shown_or_a_month_logged_is_that_of_the_whole_ledger(
    root: Path, texts: tuple[str | None, ...]
):
    """`show ID` makes an entry only of the entry asked for among the plain entries, which
    are summed as read (load_detailed's leave), and `log --month` of that month's: each
    entry of the ledger is found so, with the history the whole ledger gives it, and a
    month's log is the same, as is the log of every month."""
    files = {f"{m}.toml": text for m, text in zip(MONTHS, texts, strict=True) if text is not None}
    write_ledger(root, files)
    whole = load_root(root)
    book = whole.review()
    full = Lookup(
        list(whole.entries()),
        Scorer(book, whole.catalog, whole.weights, whole.departments),
        whole.months,
    )
    for recorded in whole.entries():
        lookup = _lookup(load_detailed(root, [], leave=[recorded.id]))
        found = lookup.get(recorded.id)
        assert found == full.get(recorded.id)
        assert lookup.history(found) == full.history(found)
    by_month = {m: _lookup(load_detailed(root, [m])) for m in MONTHS}
    for month in MONTHS:
        assert list(log_json(by_month[month], by_month[month].select(first=month, last=month))) == (
            list(log_json(full, full.select(first=month, last=month)))
        )
    # `log` of every month: each file read entry by entry (load_detailed with months=None).
    every = _lookup(load_detailed(root, None))
    assert list(log_json(every, every.select())) == list(log_json(full, full.select()))


def test_a_years_detail_read_with_no_month_entry_by_entry_keeps_its_annual_lines(root: Path):
    """`year --detail` reads no month's file entry by entry (load_detailed with no
    months): its lines are its annual entries', which are never summed as read."""
    # 4.2.4 省级表彰 (annual, levels): 0.5 in the year's category 4 of 市公安局, its only
    # line; May's 2.4.3 (−1, plain, summed as read) is no line of the year's. C4 =
    # mean(100, 100) + 0.5 = 100.5.
    may = toml(
        entry("市公安局", "2.4.3", id="2023-05-0001"),
        entry("市公安局", "4.2.4", id="2023-05-0002", level="省级"),
    )
    june = toml(entry("市民政局", "2.4.3", id="2023-06-0001"))
    write_ledger(root, {"2023-05.toml": may, "2023-06.toml": june})
    read = load_detailed(root, [])
    assert read.book.entries == ()
    scorer = Scorer(
        read.book, read.root.catalog, read.root.weights, read.root.departments, read.summary
    )
    found = scorer.year(2023, ["2023-05", "2023-06"]).find("市公安局")
    assert found is not None
    year = found[1]
    assert [(line.entry.id, line.amount) for line in year.lines] == [
        ("2023-05-0002", Decimal("0.5"))
    ]
    assert year.categories["4"] == Decimal("100.5")
