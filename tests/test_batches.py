"""Interrupted writes (issue 11, item 3): a batch govscore wrote and that was cut at any
byte never reads as entries; `check` names it, reports leave it out, `add` refuses its
month, and `govscore repair` cuts it back so that the same keyed import books it once.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Run, catalog, departments, process_env, run_process
from govscore.ledger import batches
from govscore.ledger.batches import frame, torn_batches
from govscore.ledger.loader import load_view, parse_ledger_bytes
from govscore.ledger.tally import PlainTally, named_ids
from govscore.ledger.text import ledger_text, parse_toml_ledger

MONTH = "2023-05"
LEDGER = f"ledger/{MONTH}.toml"
ROWS = (
    "department,clause,count,note,key\n"
    "市公安局,2.4.3,7,七件超期办结,batch-1\n"
    "市民政局,2.4.3,1,一件,batch-2\n"
    "市教育局,2.4.3,3,三件,batch-3\n"
)


def imported(gs: Run, csv: Path) -> list[str]:
    result = gs("import", str(csv), "--month", MONTH)
    assert result.exit_code == 0, result.output
    return result.stdout.split()


@pytest.fixture
def batch(gs: Run, root: Path, tmp_path: Path) -> tuple[bytes, bytes, Path]:
    """The month file before and after a keyed import of three entries, and the CSV."""
    assert gs("add", "-d", "市公安局", "-c", "2.4.3", "--month", MONTH).exit_code == 0
    before = (root / LEDGER).read_bytes()
    csv = tmp_path / "rows.csv"
    csv.write_text(ROWS, encoding="utf-8")
    assert imported(gs, csv) == ["2023-05-0002", "2023-05-0003", "2023-05-0004"]
    return before, (root / LEDGER).read_bytes(), csv


def read_every_way(data: bytes) -> list[tuple[list[str], int]]:
    """The ids each reader finds in a file, and how many problems it reports: the loader
    (fast reader), the cold tally (plain entries summed as read), the careful reader."""
    ways = []
    parsed = parse_ledger_bytes(data, LEDGER, MONTH)
    ways.append(([e.id for e in parsed.entries], len(parsed.problems), parsed.broken))
    tally = PlainTally(MONTH, catalog(), departments(), named_ids(data))
    parsed = parse_ledger_bytes(data, LEDGER, MONTH, tally)
    ids = [*tally.ids, *(e.id for e in parsed.entries)]
    ways.append((sorted(ids), len(parsed.problems), parsed.broken))
    text = ledger_text(data)
    parsed = parse_toml_ledger(text, LEDGER, MONTH, fast=False)
    ways.append(([e.id for e in parsed.entries], len(parsed.problems), parsed.broken))
    return ways


def test_a_batch_cut_at_any_byte_never_reads_as_entries(batch):
    before, after, _ = batch
    assert after.startswith(before)
    kept = ["2023-05-0001"]
    for way in read_every_way(before):
        assert way == (kept, 0, False)
    for way in read_every_way(after):
        assert way == ([*kept, "2023-05-0002", "2023-05-0003", "2023-05-0004"], 0, False)
    for cut in range(len(before) + 1, len(after) - 1):
        for ids, problems, broken in read_every_way(after[:cut]):
            # Even a cut just after `count = 7` (the entry would read as valid, count 7,
            # but without its note, clerk and key) leaves the whole batch out.
            assert (ids, problems, broken) == (kept, 1, True), cut
    # Cut before its last byte alone (the newline after its end mark, which an editor may
    # also take away), the batch holds every byte it announced, its digest says so: its
    # entries count; the file is named (and not appended to) until it ends with a newline.
    for ids, problems, broken in read_every_way(after[:-1]):
        assert (ids, problems, broken) == (
            [*kept, "2023-05-0002", "2023-05-0003", "2023-05-0004"],
            1,
            True,
        )


def test_the_cut_is_named_where_the_batch_begins(batch):
    before, after, _ = batch
    begin = before.count(b"\n") + 1
    cut = after.index(b"count = 7\n") + len(b"count = 7\n")  # ends after a whole line
    parsed = parse_ledger_bytes(after[:cut], LEDGER, MONTH)
    [problem] = parsed.problems
    assert (problem.file, problem.line) == (LEDGER, begin)
    body = after.index(b"\n", len(before)) + 1  # after the begin line
    end = after.rindex(b"  # govscore batch end")
    assert problem.message.startswith(
        f"a batch of 3 entries govscore was writing is cut off after {cut - body} "
        f"of {end - body} bytes (the write was interrupted)"
    )
    assert f"`govscore repair {MONTH}` cuts it back" in problem.message
    assert parsed.broken_by == problem


def test_cached_and_uncached_reports_agree_on_a_cut_batch(batch, root: Path):
    """The cache extends a snapshot by appended tails: a torn tail must not slip in."""
    before, after, _ = batch
    path = root / LEDGER
    path.write_bytes(before)
    load_view(root)  # the cache now describes `before`; what follows is a tail
    cuts = sorted({*range(len(before) + 1, len(after), 7), len(after) - 1, len(after) - 2})
    for cut in cuts:
        path.write_bytes(after[:cut])
        cached = load_view(root)
        ordinary = load_view(root, use_cache=False)
        assert (cached.summary, cached.problems) == (ordinary.summary, ordinary.problems), cut
        # Named where the batch begins; cut of its last newline alone, where the file ends.
        named = after.count(b"\n") if cut == len(after) - 1 else before.count(b"\n") + 1
        assert [p.line for p in cached.problems] == [named], cut
        path.write_bytes(before)
        load_view(root)


def test_check_reports_add_and_repair_on_a_cut_batch(batch, gs: Run, root: Path):
    before, after, csv = batch
    path = root / LEDGER
    cut = after.index(b"count = 7\n") + len(b"count = 7\n")
    path.write_bytes(after[:cut])
    begin = before.count(b"\n") + 1

    checked = run_process("--root", str(root), "check", "--format", "json")
    assert checked.returncode == 1
    problems = json.loads(checked.stdout)["problems"]
    assert [(p["file"], p["line"]) for p in problems] == [(LEDGER, begin)]

    report = run_process("--root", str(root), "month", MONTH, "--format", "json")
    assert report.returncode == 1
    police = next(
        d for d in json.loads(report.stdout)["departments"] if d["department"] == "市公安局"
    )
    # Only 2023-05-0001 counts (2.4.3 × 1 = −1 in category 2: 99); never the cut count 7:
    # 0.25·100 + 0.40·99 + 0.20·100 + 0.15·100 = 99.6.
    assert police["total"] == 99.6
    assert f"{LEDGER}:{begin}: a batch of 3 entries" in report.stderr

    refused = gs("add", "-d", "市公安局", "-c", "2.4.3", "--month", MONTH)
    assert refused.exit_code == 1 and refused.stdout == ""
    assert "will not append to the 2023-05 ledger" in refused.stderr
    assert path.read_bytes() == after[:cut]

    shown = run_process("--root", str(root), "repair", MONTH)  # no terminal: never asks
    assert shown.returncode == 1
    assert f"{LEDGER}:{begin}: a batch of 3 entries" in shown.stdout
    last = after[:cut].count(b"\n")
    assert f"would cut lines {begin}–{last} ({cut - len(before)} bytes)" in shown.stdout
    assert "1 entry in it: 2023-05-0002" in shown.stdout
    assert "`govscore repair 2023-05 --yes` cuts them back" in shown.stderr
    assert path.read_bytes() == after[:cut]

    repaired = run_process("--root", str(root), "repair", MONTH, "--yes")
    assert repaired.returncode == 0, repaired.stderr
    assert path.read_bytes() == before
    assert run_process("--root", str(root), "check").returncode == 0
    assert run_process("--root", str(root), "repair").returncode == 0

    # The same keyed import again books the whole batch, once.
    assert imported(gs, csv) == ["2023-05-0002", "2023-05-0003", "2023-05-0004"]
    again = gs("import", str(csv), "--month", MONTH)
    assert (again.exit_code, again.stdout) == (0, "")
    assert "imported 0 entries, skipped 3 already recorded" in again.stderr
    assert path.read_bytes().count(b'key = "batch-1"') == 1


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cached", "ledger"])
def test_an_import_into_a_month_with_a_cut_batch_names_it_once(
    batch, gs: Run, root: Path, tmp_path: Path, cache: list[str]
):
    """Every row of the month is refused for the one cut batch: it is named once, with
    how many rows it kept out, and counted once (review aq F6: 3000 identical lines,
    "3000 problems"). More rows than one part of an import (IMPORT_PART), and a row of
    another month, which is refused with them: nothing is written."""
    before, after, _ = batch
    path = root / LEDGER
    cut = after.index(b"count = 7\n") + len(b"count = 7\n")
    path.write_bytes(after[:cut])
    begin = before.count(b"\n") + 1
    rows = [f"市民政局,2.4.3,1,{MONTH},r{n}" for n in range(6001)]
    csv = tmp_path / "many.csv"
    text = (
        "department,clause,count,month,key\n" + "\n".join(rows) + "\n市民政局,2.4.3,1,2023-06,j\n"
    )
    csv.write_text(text, encoding="utf-8")
    ledger = {q.name: q.read_bytes() for q in (root / "ledger").iterdir()}
    result = gs(*cache, "import", str(csv))
    assert (result.exit_code, result.stdout) == (1, "")
    cut_off = parse_ledger_bytes(after[:cut], LEDGER, MONTH).problems[0].message
    assert result.stderr.splitlines() == [
        f"{LEDGER}:{begin}: {cut_off} — govscore will not append to the {MONTH} ledger until "
        f"{LEDGER} is repaired (fix or remove the broken lines; `git diff` shows what "
        f"changed); 6001 rows of the file are for {MONTH} and were not imported",
        f"error: rejected {csv}: 1 problem; nothing imported, the ledger is unchanged",
    ]
    assert {q.name: q.read_bytes() for q in (root / "ledger").iterdir()} == ledger


def test_repair_json_names_each_torn_batch_and_what_was_cut(batch, gs: Run, root: Path):
    """A cron job reads repair's findings as JSON: the same exit codes, never a question."""
    before, after, _ = batch
    path = root / LEDGER
    cut = after.index(b"count = 7\n") + len(b"count = 7\n")
    path.write_bytes(after[:cut])
    begin, last = before.count(b"\n") + 1, after[:cut].count(b"\n")
    shown = run_process("--root", str(root), "repair", "--format", "json")
    assert shown.returncode == 1
    [torn] = json.loads(shown.stdout)["torn"]
    assert torn == {
        "file": LEDGER,
        "month": MONTH,
        "line": begin,
        "last_line": last,
        "message": torn["message"],
        "entries": ["2023-05-0002"],
        "cuttable": True,
        "committed": False,
        "bytes": cut - len(before),
    }
    # JSON gives messages in Chinese in both languages (issue 13)
    assert torn["message"].startswith("govscore 正在写入的 3 条一批在 ")
    assert "被截断（写入被中断）" in torn["message"]
    assert json.loads(shown.stdout)["cut"] == [] and path.read_bytes() == after[:cut]
    done = run_process("--root", str(root), "repair", MONTH, "--yes", "--format", "json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["cut"] == [{"file": LEDGER, "kept_bytes": len(before), "removed": False}]
    assert payload["changed"] is True and path.read_bytes() == before
    nothing = run_process("--root", str(root), "repair", "--format", "json")
    assert (nothing.returncode, json.loads(nothing.stdout)) == (
        0,
        {"torn": [], "cut": [], "changed": False},
    )
    # An edited batch is shown, never cut, --yes or not: exit 1.
    path.write_bytes(after.replace(b"count = 7", b"count = 1"))
    edited = run_process("--root", str(root), "repair", "--yes", "--format", "json")
    assert edited.returncode == 1
    payload = json.loads(edited.stdout)
    assert [t["cuttable"] for t in payload["torn"]] == [False] and payload["changed"] is False


def test_repair_removes_a_file_the_cut_write_created(gs: Run, root: Path, tmp_path: Path):
    csv = tmp_path / "rows.csv"
    csv.write_text(ROWS, encoding="utf-8")
    assert imported(gs, csv)
    path = root / LEDGER
    whole = path.read_bytes()
    for cut in (1, 20, whole.index(b"\n") + 1, whole.index(b"\n") + 5, len(whole) - 2):
        path.write_bytes(whole[:cut])
        assert gs("check").exit_code == 1, cut
        repaired = gs("repair", "--yes")
        assert repaired.exit_code == 0, (cut, repaired.output)
        assert not path.exists(), cut
        assert gs("check").exit_code == 0
    # Cut of its last newline alone, every entry is whole (its digest says so): nothing
    # is cut, the entries count, and the file wants only its newline.
    path.write_bytes(whole[:-1])
    checked = gs("check")
    assert checked.exit_code == 1 and "its last batch is whole" in checked.stdout
    assert gs("repair", "--yes").exit_code == 0 and path.read_bytes() == whole[:-1]
    path.write_bytes(whole)
    assert gs("check").exit_code == 0


def test_a_changed_batch_is_left_out_and_not_cut(batch, gs: Run, root: Path):
    """Lines after a batch that does not match its end line: not an interrupted write."""
    before, after, _ = batch
    path = root / LEDGER
    edited = after.replace(b"count = 7", b"count = 1")
    hand = b'\n[[entry]]\nid = "hand-1"\ndepartment = "\xe5\xb8\x82\xe6\xb0\x91\xe6\x94\xbf\xe5\xb1\x80"\nclause = "2.4.3"\n'
    path.write_bytes(edited + hand)
    checked = gs("check", "--format", "json")
    assert checked.exit_code == 1
    [problem] = json.loads(checked.stdout)["problems"]
    assert problem["line"] == before.count(b"\n") + 1
    assert "与其结束标记不符：govscore 写入后被改动" in problem["message"]  # in Chinese: JSON
    # The hand-appended entry after it counts; the batch does not.
    assert json.loads(checked.stdout)["entries"] == 2
    repaired = gs("repair", "--yes")
    assert repaired.exit_code == 1
    assert "not cut: its end line is whole, so it was changed after govscore wrote it" in (
        repaired.stdout
    )
    assert path.read_bytes() == edited + hand


def test_a_changed_batch_at_the_end_of_its_file_is_not_cut_either(batch, gs: Run, root: Path):
    """A batch's one write ends with the newline after its end mark: a write cut off
    never leaves that, so a last batch whose end line is whole and yet does not match was
    changed by hand (one byte, its size unchanged), and repair never cuts it (its entries
    may be committed evidence)."""
    before, after, _ = batch
    path = root / LEDGER
    edited = after.replace(b"count = 7", b"count = 1")
    path.write_bytes(edited)
    checked = gs("check", "--format", "json")
    assert checked.exit_code == 1
    [problem] = json.loads(checked.stdout)["problems"]
    assert problem["line"] == before.count(b"\n") + 1
    assert "与其结束标记不符：govscore 写入后被改动" in problem["message"]  # in Chinese: JSON
    assert "写入被中断" not in problem["message"]
    for args in (("repair",), ("repair", MONTH, "--yes")):
        repaired = gs(*args)
        assert repaired.exit_code == 1
        assert "not cut: its end line is whole" in repaired.stdout
        assert "would cut" not in repaired.stdout
    assert path.read_bytes() == edited
    # Cut inside that end line, it is an interrupted write again.
    path.write_bytes(edited[:-1])
    assert "the write was interrupted" in gs("check").stdout


HAND = '\n\n[[entry]]\nid = "2023-05-h1"\ndepartment = "市民政局"\nclause = "2.4.3"\n'


@pytest.mark.parametrize(
    "cut_at",
    [
        "mid-line",  # a line cut off, then the clerk's Enter: a line the write never ended
        "in-end-mark",  # more bytes than the batch announced, and a newline after them
        "line-end",  # after a whole line of the last entry: one [[entry]] more than announced
    ],
)
def test_lines_appended_after_a_torn_batch_are_named_and_never_cut(
    batch, gs: Run, root: Path, cut_at: str
):
    """Review BO F3: a write was killed, then a clerk appended an entry by hand. The torn
    batch ran to the end of the file: check named only the batch, and `repair --yes` cut
    the hand entry away with it (never committed: lost). The lines the write did not write
    are told apart; check names them as left out with the batch, repair never cuts them,
    and removing the batch's lines as check says leaves the hand entry counting."""
    before, after, _ = batch
    path = root / LEDGER
    cut = {
        "mid-line": after.index("七件".encode()) + 3,
        "in-end-mark": len(after) - 30,
        "line-end": after.rindex(b'key = "batch-3"'),
    }[cut_at]
    text = after[:cut] + HAND.encode()
    path.write_bytes(text)
    first = before.count(b"\n") + 1
    torn_last = after[:cut].count(b"\n") + 1  # the line the write was cut off in
    if cut_at == "line-end":  # no line cut off: told apart at its header, a fourth entry
        torn_last = text[: text.rindex(b"[[entry]]")].count(b"\n")
    last = text.count(b"\n")
    said = (
        f"{LEDGER}:{first}: a batch of 3 entries govscore was writing (lines {first}–"
        f"{torn_last}) is cut off (the write was interrupted), and lines {torn_last + 1}–{last} "
        "after it are no part of that write (appended by hand?): all are left out, and repair "
        f"does not cut them; remove lines {first}–{torn_last} by hand, keep the lines after "
        "them, then record the batch again"
    )
    checked = gs("check")
    assert (checked.exit_code, checked.stdout) == (1, said + "\n")
    assert checked.stderr.startswith("1 entry in 1 ledger file")
    for way in read_every_way(text):
        assert way == (["2023-05-0001"], 1, True)
    ids = re.findall(r'^id = "([^"]+)"', text[len(before) :].decode(), re.MULTILINE)
    for args in (("repair",), ("repair", MONTH, "--yes")):
        repaired = gs(*args)
        assert (repaired.exit_code, repaired.stdout) == (
            1,
            f"{said}\n"
            "  not cut: the lines after it are no part of the interrupted write, and a cut "
            "back would lose them; mend it by hand\n"
            f"  {len(ids)} entries in it: {', '.join(ids)}\n",
        )
        assert path.read_bytes() == text
    # Mended as check says: the batch's lines go, the hand entry counts.
    lines = text.decode().splitlines(keepends=True)
    path.write_text("".join(lines[: first - 1] + lines[torn_last:]), encoding="utf-8")
    checked = gs("check", "--format", "json")
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["entries"] == 2


def test_a_batch_cut_off_at_any_byte_is_still_cut_back_whole(batch):
    """What tells a person's lines apart never takes a write's own bytes for them."""
    before, after, _ = batch
    text = after.decode()
    for cut in range(len(before) + 1, len(text) - 1):
        [torn] = batches.torn_batches(text[:cut])
        assert (torn.at_end, torn.follows) == (True, 0), cut
        assert batches.cut_off(text[:cut]) == [(len(before.decode()), cut)], cut


STRAY = (
    "a line after a batch's end mark changes the batch's last entry (2023-05-0004): TOML "
    "reads it as part of that table, which the end mark does not vouch for; the entry is "
    "left out (compare with git: `git log -p`; a new entry needs an [[entry]] header of its "
    "own)"
)


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cached", "ledger"])
@pytest.mark.parametrize(
    "line",
    [
        "count = 40",
        "recurring = true",
        # An end mark of no batch's (a merge's interleaved lines hold one) hides nothing.
        "recurring = true  # govscore batch end, sha256 0123456789abcdef",
    ],
)
def test_a_line_appended_after_a_batchs_end_mark_is_named_and_its_entry_left_out(
    batch, gs: Run, root: Path, cache: list[str], line: str
):
    """Review BG F1: a line appended with no [[entry]] header is a key of the batch's last
    table. It made 2023-05-0004 (市教育局, count 3) recurring, though the end mark no
    longer vouches for it, and check stayed clean (a count written twice was named as
    a merge's interleaved lines). Named as warm as with --no-cache."""
    _, after, _ = batch
    path = root / LEDGER
    assert gs(*cache, "month", MONTH).exit_code == 0  # the snapshot holds every entry
    path.write_bytes(after + f"{line}\n".encode())
    last = after.count(b"\n") + 1
    named = f"{LEDGER}:{last}: {STRAY}\n"
    for _ in range(2):  # the second run reads the snapshot the first one wrote
        month = gs(*cache, "month", MONTH, "--format", "csv")
        assert month.exit_code == 1
        assert f"{MONTH},1,市教育局,100.00,100.00,100.00,100.00,100.00," in month.stdout
        checked = gs(*cache, "check")
        assert (checked.exit_code, checked.stdout) == (1, named)
    kept = ["2023-05-0001", "2023-05-0002", "2023-05-0003"]
    for way in read_every_way(after + f"{line}\n".encode()):
        assert way == (kept, 1, False)
    # Not broken: a new batch's begin line ends the stray lines, and they are named still.
    assert gs(*cache, "add", "-d", "市公安局", "-c", "2.4.3", "--month", MONTH).exit_code == 0
    checked = gs(*cache, "check")
    assert (checked.exit_code, checked.stdout) == (1, named)
    assert checked.stderr.startswith("4 entries in 1 ledger file")


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cached", "ledger"])
def test_a_table_of_its_own_after_a_batchs_end_mark_is_named_as_one(
    batch, gs: Run, root: Path, cache: list[str]
):
    """Review BI J1: `[meta]` appended after a batch opens a table of its own; it changes
    no entry, yet check said TOML read it as part of the batch's last entry. It is named
    as what it is; the entry is left out as before. A table within an entry
    (`[entry.x]`) changes the entry, and is named so still."""
    _, after, _ = batch
    path = root / LEDGER
    last = after.count(b"\n") + 1
    table = (
        f"{LEDGER}:{last}: a line after a batch's end mark: [meta] opens a table of its own, "
        "outside every entry, and a ledger file holds only [[entry]] tables; the batch's last "
        "entry (2023-05-0004) is left out with it (remove the lines; compare with git: "
        "`git log -p`)\n"
    )
    zh = (
        f"{LEDGER}:{last}: 批次结束标记之后的行：[meta] 开启了一个独立的表，不属于任何记录，"
        "而台账文件中只能有 [[entry]] 表；该批次的最后一条记录（2023-05-0004）随之不计分"
        "（请删除这些行；可用 `git log -p` 与 git 中的版本对照）\n"
    )
    kept = ["2023-05-0001", "2023-05-0002", "2023-05-0003"]
    for lines, said in (
        ('[meta]\nnote = "x"\n', table),
        ("[entry.x]\nnote = 'x'\n", f"{LEDGER}:{last}: {STRAY}\n"),
        ("# a note\n\n[meta]\n[entry.x]\n", f"{LEDGER}:{last + 2}: {STRAY}\n"),
    ):
        path.write_bytes(after + lines.encode())
        for _ in range(2):  # the second run reads the snapshot the first one wrote
            checked = gs(*cache, "check")
            assert (checked.exit_code, checked.stdout) == (1, said)
        for way in read_every_way(after + lines.encode()):
            assert way == (kept, 1, False)
    path.write_bytes(after + b'[meta]\nnote = "x"\n')
    checked = run_process("--root", str(root), *cache, "check", env={"GOVSCORE_LANG": "zh"})
    assert (checked.returncode, checked.stdout) == (1, zh)


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cached", "ledger"])
def test_a_batch_of_no_entry_whose_mark_matches_is_stray_lines_too(
    batch, gs: Run, root: Path, cache: list[str]
):
    """Review BI F1: a "batch" of `count = 40` alone, framed with a begin line and an end
    mark that matches (a plain sha256 anyone can write), was taken for a batch: its line
    changed 2023-05-0004 (count 3 → 40) and check and audit stayed clean. A batch
    govscore writes opens with an [[entry]] header; without one its lines are stray."""
    _, after, _ = batch
    path = root / LEDGER
    line = after.count(b"\n") + 2  # the line after the begin line
    forged = (
        # The count written twice in the table reads as a merge's interleaved lines.
        ("recurring = true", STRAY),
        ("count = 40", "not valid TOML: count is"),
        # Review BJ F1: a "batch" opening with another table is no batch govscore wrote
        # either: `[entry.x]` is a table of the entry above (it changes it), `[meta]` one
        # of its own.
        ("[entry.x]\ny = 1", STRAY),
        ('[meta]\nnote = "x"', "a line after a batch's end mark: [meta] opens a table"),
    )
    for body, said in forged:
        path.write_bytes(after + frame(f"{body}\n", 1).encode())
        for _ in range(2):
            checked = gs(*cache, "check")
            assert checked.exit_code == 1
            assert checked.stdout.startswith(f"{LEDGER}:{line}: {said}"), checked.stdout
            month = gs(*cache, "month", MONTH, "--format", "csv")
            assert f"{MONTH},1,市教育局,100.00,100.00,100.00,100.00,100.00," in month.stdout


def test_a_stray_last_line_without_its_newline_leaves_the_file_unended(batch, gs: Run, root: Path):
    """A stray line cut off (no newline after it) is named, and so is the missing newline:
    govscore does not append to the file (its begin line would join the stray line)."""
    _, after, _ = batch
    path = root / LEDGER
    path.write_bytes(after + b"count = 40")
    last = after.count(b"\n") + 1
    checked = gs("check")
    assert checked.stdout.splitlines() == [
        f"{LEDGER}:{last}: {STRAY}",
        f"{LEDGER}:{last}: the file does not end with a newline: its last entry may be cut off "
        "(power loss or an editor), and it is left out; repair the last entry and end the "
        "file with a newline",
    ]
    assert checked.stderr.startswith("3 entries in 1 ledger file")
    assert gs("add", "-d", "市公安局", "-c", "2.4.3", "--month", MONTH).exit_code == 1
    assert path.read_bytes() == after + b"count = 40"


def test_entries_appended_by_hand_without_frames_read_as_always(batch, gs: Run, root: Path):
    _, after, _ = batch
    path = root / LEDGER
    path.write_bytes(
        after + '\n[[entry]]\nid = "hand-1"\ndepartment = "市民政局"\nclause = "2.4.3"\n'.encode()
    )
    checked = gs("check", "--format", "json")
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["entries"] == 5
    assert gs("add", "-d", "市公安局", "-c", "2.4.3", "--month", MONTH).exit_code == 0


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cached", "ledger"])
@pytest.mark.parametrize("header", ['[["entry"]]', "[[ 'entry' ]]"])
def test_an_entry_appended_by_hand_under_a_quoted_header_is_an_entry(
    batch, gs: Run, root: Path, header: str, cache: list[str]
):
    """Review BL F2: `[["entry"]]` is TOML's [[entry]] too. Appended by hand, it was
    taken for stray lines changing the batch's last entry, and both entries were left
    out. It is an entry, read as any hand-appended entry is; govscore appends after it."""
    _, after, _ = batch
    path = root / LEDGER
    path.write_bytes(
        after + f'\n{header}\nid = "hand-1"\ndepartment = "市民政局"\nclause = "2.4.3"\n'.encode()
    )
    for _ in range(2):  # the second run reads the snapshot the first one wrote
        checked = gs(*cache, "check", "--format", "json")
        assert checked.exit_code == 0, checked.output
        assert json.loads(checked.stdout)["entries"] == 5
    assert gs(*cache, "add", "-d", "市公安局", "-c", "2.4.3", "--month", MONTH).exit_code == 0
    assert json.loads(gs(*cache, "check", "--format", "json").stdout)["entries"] == 6


def test_a_begin_line_inside_a_hand_written_note_is_no_batch(batch, gs: Run, root: Path):
    """A note of several lines may hold a line that reads like a begin line. Taken for
    one, it made the rest of the file a torn batch, and `repair --yes` cut two hand
    entries away. govscore's begin line always stands before an [[entry]] header."""
    _, after, _ = batch
    path = root / LEDGER
    hand = (
        '\n[[entry]]\nid = "2023-05-0005"\ndepartment = "市教育局"\nclause = "2.4.3"\n'
        'count = 5\nnote = """说明：\n# govscore batch of 2 entries, 400 bytes\n见附件"""\n'
        '\n[[entry]]\nid = "2023-05-0006"\ndepartment = "市民政局"\nclause = "2.4.3"\n'
        "count = 7\n"
    )
    path.write_bytes(after + hand.encode())
    checked = gs("check", "--format", "json")
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["entries"] == 6
    repaired = gs("repair", "--yes")
    assert repaired.exit_code == 0, repaired.output
    assert path.read_bytes() == after + hand.encode()
    # 市教育局: 3 (import) + 5 → C2 92 → 25 + 36.8 + 20 + 15 = 96.8
    month = json.loads(gs("month", MONTH, "--format", "json").stdout)
    assert {r["department"]: r["total"] for r in month["departments"]}["市教育局"] == 96.8


def test_an_edit_that_moves_the_header_off_the_begin_line_is_still_named(
    batch, gs: Run, root: Path
):
    """Whatever an edit puts after a begin line (a comment, a header respaced), the batch
    is the one govscore framed, and its end mark names the edit: only a line inside a
    multi-line string is no mark."""
    _, after, _ = batch
    path = root / LEDGER
    for edited in (
        after.replace(b"count = 7", b"count = 9").replace(
            b"bytes\n[[entry]]", b"bytes\n# checked\n[[entry]]", 1
        ),
        after.replace(b"bytes\n[[entry]]", b"bytes\n[[ entry ]]"),
    ):
        assert edited != after
        path.write_bytes(edited)
        checked = gs("check")
        assert checked.exit_code == 1, edited
        assert "does not match its end line" in checked.stdout


def test_frames_keep_every_line_where_it_was_and_carry_a_clones_tag():
    """The begin line stands in for the first blank line, the end mark ends the last line:
    line numbers are those of unframed entries; the tag keeps union merges whole."""
    entries = '\n[[entry]]  # k7q2\nid = "x"  # k7q2\n\n[[entry]]  # k7q2\nid = "y"  # k7q2\n'
    text = frame(entries, 2, "k7q2")
    lines = text.splitlines()
    assert len(lines) == len(entries.splitlines())
    assert lines[0] == "# govscore batch of 2 entries, 70 bytes  # k7q2"
    assert lines[-1].startswith('id = "y"  # k7q2  # govscore batch end, sha256 ')
    assert torn_batches(text) == []
    assert torn_batches(text + text) == []
    second = frame(entries.replace('"x"', '"z"').replace('"y"', '"w"'), 2, "k7q2")
    parsed = parse_toml_ledger(text + second, LEDGER, MONTH)
    unframed = parse_toml_ledger(entries + second.replace("# govscore", "#"), LEDGER, MONTH)
    assert [(e.id, e.line) for e in parsed.entries] == [("x", 2), ("y", 5), ("z", 8), ("w", 11)]
    assert [e.line for e in unframed.entries] == [2, 5, 8, 11]


# -- a real SIGKILL ------------------------------------------------------------------

ROWS_KILLED = 2_500


def test_a_large_import_killed_mid_write_is_detected_repaired_and_booked_once(
    root: Path, tmp_path: Path
):
    """SIGKILL lands inside the one big write: Linux stops it at a page boundary.

    The test watches the file and kills the importer the moment it starts to grow, so
    the kill lands within the write of a few MB; should the write have finished first
    (the machine busy), that attempt must still be whole and the import is tried again.
    """
    # Long notes make the one write about 25 MB: the kernel copies it in 2 MiB steps,
    # and the kill lands between two of them.
    rows = ["department,clause,count,note,key"]
    note = "overdue " * 1250
    rows += [f"市公安局,2.4.3,{n % 7 + 1},row {n} {note},k{n}" for n in range(ROWS_KILLED)]
    csv = tmp_path / "big.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    path = root / LEDGER
    seed = run_process(
        "--root", str(root), "add", "-d", "市民政局", "-c", "2.4.3", "--month", MONTH
    )
    assert seed.returncode == 0, seed.stderr
    before = path.read_bytes()
    command = [sys.executable, "-m", "govscore", "--root", str(root), "import", str(csv)]
    for attempt in range(8):
        process = subprocess.Popen(
            [*command, "--month", MONTH],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=process_env(),
        )
        while process.poll() is None and os.stat(path).st_size == len(before):
            pass
        process.send_signal(signal.SIGKILL)
        out, _err = process.communicate(timeout=120)
        assert out == b""  # killed before it could print an id
        checked = run_process("--root", str(root), "check", "--format", "json")
        if checked.returncode == 0:  # the write was whole before the kill: all of it stands
            assert json.loads(checked.stdout)["entries"] == ROWS_KILLED + 1
            assert attempt < 7, "the kill came after the write every time"
            path.write_bytes(before)  # try again from the start
            continue
        [problem] = json.loads(checked.stdout)["problems"]
        assert problem["line"] == before.count(b"\n") + 1, problem
        assert (
            f"govscore 正在写入的 {ROWS_KILLED} 条一批在" in problem["message"]  # JSON: Chinese
        )
        assert json.loads(checked.stdout)["entries"] == 1
        break
    repaired = run_process("--root", str(root), "repair", "--yes")
    assert repaired.returncode == 0, repaired.stderr
    assert path.read_bytes() == before
    rerun = run_process("--root", str(root), "import", str(csv), "--month", MONTH)
    assert rerun.returncode == 0, rerun.stderr
    assert len(rerun.stdout.split()) == ROWS_KILLED
    checked = run_process("--root", str(root), "check", "--format", "json")
    assert checked.returncode == 0
    assert json.loads(checked.stdout)["entries"] == ROWS_KILLED + 1
    again = run_process("--root", str(root), "import", str(csv), "--month", MONTH)
    assert again.stdout == "" and f"skipped {ROWS_KILLED} already recorded" in again.stderr


# A real process whose K-th fsync is its last act: SIGKILL right after it returns (in
# whichever process makes it: the import appends in a second process). No handler runs.
KILLED_AT_FSYNC = """
import os, runpy, signal, sys
fsync, calls, at = os.fsync, [0], int(sys.argv.pop(1))
def fsync_then_die(fd):
    fsync(fd)
    calls[0] += 1
    if calls[0] == at:
        os.kill(os.getpid(), signal.SIGKILL)
os.fsync = fsync_then_die
sys.argv[0] = "govscore"
runpy.run_module("govscore", run_name="__main__")
"""


def test_an_import_of_two_months_killed_between_them_never_counts_one_alone(
    root: Path, tmp_path: Path
):
    """An import writes each month's file in turn. Killed after the first file's batch
    was written and before the second's, the first month's entries must not count
    while the second's are missing unseen: whatever fsync the kill follows, `check`
    either finds the whole import or names a torn batch, and repair then a re-run books
    every row once."""
    csv = tmp_path / "two.csv"
    csv.write_text(
        "department,clause,count,date,key\n"
        "市公安局,2.4.3,2,2023-05-10,a1\n"
        "市教育局,2.4.3,3,2023-06-10,a2\n",
        encoding="utf-8",
    )
    seen = []  # what each kill left: 0 or 2 entries whole, or "torn"
    for at in range(1, 30):
        office = tmp_path / f"office-{at}"
        shutil.copytree(root, office)
        run = subprocess.run(
            [
                sys.executable,
                "-c",
                KILLED_AT_FSYNC,
                str(at),
                "--root",
                str(office),
                "import",
                str(csv),
            ],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            env=process_env(),
        )
        checked = run_process("--root", str(office), "check", "--format", "json")
        report = json.loads(checked.stdout)
        if run.returncode == 0:  # no kill: the import ran to its end
            assert (checked.returncode, report["entries"]) == (0, 2), checked.stdout
            break
        if checked.returncode == 0:  # killed before the first write or after the last
            assert report["entries"] in (0, 2), (at, run.stderr, checked.stdout)
            seen.append(report["entries"])
        else:
            assert all("govscore 正在写入的" in p["message"] for p in report["problems"]), (
                at,
                checked.stdout,
            )
            assert run_process("--root", str(office), "repair", "--yes").returncode == 0
            seen.append("torn")
        rerun = run_process("--root", str(office), "import", str(csv))
        assert rerun.returncode == 0, rerun.stderr
        checked = run_process("--root", str(office), "check", "--format", "json")
        assert (checked.returncode, json.loads(checked.stdout)["entries"]) == (0, 2), at
    else:
        raise AssertionError("the import never ran to its end")
    # Killed after the first file's entries, after the second's, and after the first end
    # mark: each time something torn, named.
    assert seen.count("torn") >= 3, seen


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "\n",
                "# govscore batch of 1 entry, 160 bytes",
                "  # govscore batch end, sha256 8133fbd91cd48c69",
                "# govscore batch ",
                " # govscore batch end, sha256 0",
                "x",
                'note = "a"',
                "# govscore ledger for 2023-05: append only",
                "[[entry]]",
                "[[ent",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_marks_are_found_where_the_expression_finds_them(text):
    """The batch marks are found by str.find (quick over a note of 100 MB), exactly where
    the expression that defines them finds them."""
    expected = [(found.start(), found.group()) for found in batches._MARKS.finditer(text)]
    assert list(batches._marks(text)) == expected


def test_a_batch_whose_end_mark_alone_is_cut_says_so(root: Path, gs: Run):
    """Every byte the batch announced is there and only its end mark is cut: the message
    says the last line lost its end, not "cut after 146 of 146 bytes"."""
    assert gs("add", "-d", "市公安局", "-c", "2.4.3", "--month", MONTH).exit_code == 0
    path = root / LEDGER
    path.write_bytes(path.read_bytes()[:-10])
    [problem] = json.loads(gs("check", "--format", "json").stdout)["problems"]
    assert problem["message"].startswith("govscore 正在写入的 1 条一批丢失了最后一行的末尾")
    said = gs("check").stdout
    assert "a batch of 1 entry govscore was writing lost the end of its last line" in said
