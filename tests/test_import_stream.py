"""An import read a part at a time (issue 16: a million rows in under 1 GiB) does what
holding every row did: the same files byte for byte, the same ids, the same problems.

Parts are made tiny here (two rows), so that every way a part can end is crossed:
spooled entries, a bad row after good ones, a row that needs the whole ledger after
parts were written to spools.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from govscore.cli.commands import cli
from govscore.errors import Problem
from govscore.ledger import recording
from govscore.ledger.batches import frame
from govscore.ledger.cache import differences
from govscore.ledger.importing import MADE_KEY, Planner, plan, read_table, row_content, row_draft
from govscore.ledger.loader import read_cached
from govscore.ledger.recording import Writing, record, record_import
from govscore.ledger.text import entry_toml
from govscore.ledger.writer import Spool
from govscore.model import Entry

TODAY = date(2026, 12, 1)
DEFAULTS = {"by": "cron", "recorded": "2026-12-01T12:00:00+00:00"}

# Three months, rows written the ways Excel and clerks write them: full-width digits, a
# date with slashes, a count of 2.0, an alias, two identical rows (two entries), a key
# given twice (the second skipped), a recurring row (it counts across months).
PLAIN = """\
department,clause,count,date,note,key,recurring
公安局,2.4.3,2,2023-05-03,迟办,,
市民政局,２．４．３,2.0,2023/6/20,"超时, 两天",,
体育,2.4.3,1,2023-07-01,窗口,,
公安局,2.4.3,2,2023-05-03,迟办,,
市民政局,2.4.3,1,2023-05-09,,k-1,
市民政局,2.4.3,3,2023-05-10,,k-1,
体育,1.1.1,,2023-06-02,,,
公安局,2.4.9,1,2023-07-04,持续,,true
公安局,2.4.3,2,2023-05-03,迟办,,
"""

# The same, and last a row naming an exclusive matter: only the whole ledger can judge
# it, so the import goes the full way after parts were already spooled.
MATTER = (
    PLAIN.replace("key,recurring\n", "key,recurring,matter,level\n")
    + "公安局,4.2.2,,2023-07-05,推广,,,企业开办一件事,市级\n"
)


def rows_of(text: str) -> Planner:
    return Planner(read_table(text, "rows.csv"), "rows.csv", None, DEFAULTS)


def ledger_bytes(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "ledger").iterdir())}


@pytest.mark.parametrize("text", [PLAIN, MATTER], ids=["plain", "matter last"])
def test_streamed_import_writes_what_the_full_review_writes(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
):
    monkeypatch.setattr(recording, "IMPORT_PART", 2)
    held = shutil.copytree(small, tmp_path / "held")
    planned = plan(read_table(text, "rows.csv"), "rows.csv", None, DEFAULTS)
    assert planned.problems == ()
    whole = record(held, planned.drafts, TODAY, use_cache=False)

    planner = rows_of(text)
    streamed = record_import(small, planner.read, TODAY, Writing())
    assert streamed.problems == [] and streamed.warnings == []
    assert list(streamed.ids) == [entry.id for entry in whole.added]
    assert streamed.skipped == len(whole.skipped) == 0
    assert [(r.line, r.key, r.first) for r in planner.repeats] == [(7, "k-1", 6)]
    assert ledger_bytes(small) == ledger_bytes(held)
    # The two identical rows are two entries, known by their place among identical rows.
    keys = [line for line in ledger_bytes(small)["2023-05.toml"].decode().splitlines()]
    made = [line for line in keys if line.startswith(f'key = "{MADE_KEY}')]
    assert [line.split("-")[-1][:1] for line in made] == ["1", "2", "3"]
    # The cache the streamed import left says what a full read of the ledger says.
    kept = read_cached(small, save=False)
    assert kept.cached
    full = read_cached(small, use_cache=False, save=False, marks=True)
    assert differences(kept.snapshot, full.snapshot) == []

    rerun = rows_of(text)
    again = record_import(small, rerun.read, TODAY, Writing())
    assert (list(again.ids), again.skipped, again.problems) == ([], 0, [])
    assert rerun.skipped == len(whole.added)  # no draft made of a recorded row
    assert ledger_bytes(small) == ledger_bytes(held)


def refused(root: Path, rows: str) -> list[str]:
    """Import rows.csv in parts of two rows: refused (exit 1), nothing written; stderr."""
    Path("rows.csv").write_text("department,clause,month\n" + rows, encoding="utf-8")
    before = ledger_bytes(root)
    result = CliRunner().invoke(cli, ["--root", str(root), "import", "rows.csv"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert ledger_bytes(root) == before
    return result.stderr.splitlines()


def test_every_bad_row_is_reported_whatever_part_it_is_in(
    small: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(recording, "IMPORT_PART", 2)
    lines = refused(
        small,
        "公安局,2.4.3,2023-05\n"
        "无名局,2.4.3,2023-05\n"  # line 3, part 1: no such department
        "公安局,2.4.3,2023-05\n"
        "公安局,2.4.3,2023-05\n"
        "公安局,2.4.3,\n"  # line 6, part 3: no month
        "公安局,2.4.3,2023-06\n"
        "公安局,9.9.9,2023-06\n",  # line 8, part 4: no such clause
    )
    assert [line.split(":")[:2] for line in lines[:3]] == [
        ["rows.csv", "3"],
        ["rows.csv", "6"],
        ["rows.csv", "8"],
    ]
    assert lines[1].startswith("rows.csv:6: month: the row has no month")
    assert lines[-1] == (
        "error: rejected rows.csv: 3 problems; nothing imported, the ledger is unchanged"
    )


def test_broken_quoting_late_in_the_file_is_the_only_problem(
    small: Path, monkeypatch: pytest.MonkeyPatch
):
    """As when the whole file was read first: rows before it are not judged."""
    monkeypatch.setattr(recording, "IMPORT_PART", 2)
    rows = "无名局,2.4.3,2023-05\n" + "公安局,2.4.3,2023-05\n" * 3 + '公安局,2.4.3,"2023-05"x\n'
    lines = refused(small, rows)
    assert lines[0].startswith("rows.csv:6: not valid CSV: ")
    assert lines[1:] == [
        "error: rejected rows.csv: 1 problem; nothing imported, the ledger is unchanged"
    ]


@pytest.mark.parametrize("tag", [None, "c1"])
@pytest.mark.parametrize("head", ["", "# govscore ledger for 2023-05: append only\n"])
def test_a_spooled_batch_is_framed_as_frame_frames_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tag: str | None, head: str
):
    monkeypatch.setattr(Spool, "FLUSH", 3)  # several writes, and one left over
    entries = [
        Entry(
            id=f"2023-05-{n:04d}",
            month="2023-05",
            department="市公安局",
            clause="2.4.3",
            note="超时" * n,
            count=n,
        )
        for n in range(1, 8)
    ]
    texts = [entry_toml(entry, tag) for entry in entries]
    spool = Spool(tmp_path)
    for text in texts:
        spool.add(text)
    written = b"".join(spool.pieces(head, tag))
    spool.close()
    assert written == (head + frame("".join(texts), len(texts), tag)).encode("utf-8")


# Cells as exports hold them: empty, spaced, full-width, Excel's dates and counts, bad ones.
CELLS = {
    "department": ["", "公安局", " 市民政局 ", "无名局"],
    "clause": ["", "2.4.3", "２．４．３", " 1.1.1", "2.4"],
    "count": ["", "1", "2.0", "２", "x", "1.5"],
    "points": ["", "1.50", "１.５", "-0"],
    "date": ["", "2023-05-03", "2023/5/3", "2023年5月3日", "2023-5-3 0:00", "soon"],
    "month": ["", "2023-05", "2023/6", "2023年7月", "2023-13"],
    "note": ["", " 迟办 ", "a\tb"],
    "key": ["", "k", " k2 "],
}


@settings(max_examples=150, deadline=None)
@given(
    st.permutations(list(CELLS)).flatmap(
        lambda names: st.tuples(
            st.just(names[: 4 + len(names) // 2]),
            st.lists(
                st.tuples(*(st.sampled_from(CELLS[n]) for n in names[: 4 + len(names) // 2])),
                min_size=1,
                max_size=8,
            ),
            st.sampled_from([None, "2023-08"]),
        )
    )
)
def test_rows_read_one_at_a_time_are_what_row_draft_makes_of_them(given_rows) -> None:
    """The planner reads each distinct cell once; it must make of every row exactly the
    draft and made key that row_draft and row_content make of it."""
    header, rows, month = given_rows
    lines = [",".join(header)] + [",".join(f'"{cell}"' for cell in row) for row in rows]
    table = read_table("\n".join(lines) + "\n", "f.csv")
    expected: list[object] = []
    seen: dict[str, int] = {}
    first: dict[str, int] = {}
    for line, cells in table.rows:  # importing.plan as it was, row by row
        draft, problems = row_draft(table.header, cells, "f.csv", line, month, {})
        if draft is None:
            expected += [str(p) for p in problems]
            continue
        if draft.fields.get("key") is None:
            content = row_content(draft)
            seen[content] = seen.get(content, 0) + 1
            draft.fields["key"] = f"{MADE_KEY}{content}-{seen[content]}"
        if draft.fields["key"] in first:
            expected.append(("repeat", line, first[draft.fields["key"]]))
            continue
        first[draft.fields["key"]] = line
        expected.append((draft.source, draft.month, draft.fields))
    planner = Planner(table, "f.csv", month, {})
    got: list[object] = []
    for row in planner:
        if isinstance(row, Problem):
            got.append(str(row))
        elif row.problems:  # a row without a month: its draft carries why, to be judged on
            got += [str(p) for p in row.problems]
        else:
            got.append((row.source, row.month, row.fields))
    for repeat in planner.repeats:  # in file order among the rows
        at = next((n for n, row in enumerate(got) if _line(row) > repeat.line), len(got))
        got.insert(at, ("repeat", repeat.line, repeat.first))
    assert got == expected


def _line(row: object) -> int:
    if isinstance(row, str):
        return int(row.split(":")[1])
    source = row[0]  # type: ignore[index]
    return int(source.rpartition(":")[2]) if isinstance(source, str) and ":" in source else row[1]  # type: ignore[index]
