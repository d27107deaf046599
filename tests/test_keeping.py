"""A big import keeps the cache on a second core (govscore.ledger.keeping, issue 16).

The second process must answer as the extension kept in the importing process does:
the same ids, the same files byte for byte, the same problems naming the same rows, the
same cache, and the full review where only it can say. Parts are made tiny (two rows),
so that the answers come back parts behind, as they do for a million rows.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import run_process
from govscore.errors import DataError
from govscore.ledger import cache, recording
from govscore.ledger.cache import differences
from govscore.ledger.importing import Planner, plan, read_table
from govscore.ledger.keeping import Back, Keeper
from govscore.ledger.loader import CACHE_DIR, CACHE_FILE, read_cached
from govscore.ledger.recording import Writing, record, record_import
from govscore.model import Entry

TODAY = date(2026, 12, 1)
DEFAULTS = {"by": "cron", "recorded": "2026-12-01T12:00:00+00:00"}
HEADER = "department,clause,count,value,points,date,note\n"

GOOD = HEADER + (
    "市公安局,2.4.3,2,,,2023-05-03,迟办\n"
    "市民政局,2.4.3,1,,,2023-05-04,\n"
    "市体育局,1.1.1,,,,2023-06-02,\n"
    "市公安局,1.3.1,,95,,2023-05-05,抓取\n"  # a rate: one a department and month
    "市公安局,2.4.3,2,,,2023-05-03,迟办\n"  # the same row again: a second entry
    "市民政局,1.3.1,,99.5,,2023-06-20,\n"
    "市体育局,2.4.3,3,,,2023-07-01,窗口\n"
)

# Rows only the cache's extension judges (the door lets them by), in the second, third
# and fourth parts: a rate without its figure, points on a clause of fixed points, a
# rate over 100.
BAD = GOOD + (
    "市公安局,1.3.1,,,,2023-07-05,\n"  # line 9
    "市民政局,2.4.3,1,,1.5,2023-07-06,\n"  # line 10
    "市民政局,2.4.3,1,,,2023-07-07,\n"
    "市体育局,1.3.1,,120,,2023-07-08,\n"  # line 12
)

# A second rate of one department and month, two parts after the first: the extension
# sends the import to the full review, which says what is wrong.
SECOND_RATE = GOOD + "市体育局,2.4.3,1,,,2023-07-02,\n" + "市公安局,1.3.1,,90,,2023-05-28,\n"


def rows_of(text: str) -> Planner:
    return Planner(read_table(text, "rows.csv"), "rows.csv", None, DEFAULTS)


def ledger_bytes(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "ledger").iterdir())}


@pytest.mark.parametrize("text", [GOOD, BAD, SECOND_RATE], ids=["good", "bad", "second rate"])
def test_the_second_core_answers_as_the_importing_process_does(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
):
    monkeypatch.setattr(recording, "IMPORT_PART", 2)
    here = shutil.copytree(small, tmp_path / "here")
    kept_here = record_import(here, rows_of(text).read, TODAY, Writing(), workers=1)
    there = record_import(small, rows_of(text).read, TODAY, Writing(), workers=2)
    assert there == kept_here
    assert ledger_bytes(small) == ledger_bytes(here)
    if text is GOOD:
        assert len(there.ids) == 7 and there.problems == []
        # The cache the second process wrote says what a full read of the ledger says.
        kept = read_cached(small, save=False)
        assert kept.cached
        full = read_cached(small, use_cache=False, marks=True).snapshot  # as check reads it
        assert differences(kept.snapshot, full) == []
    elif text is BAD:
        # Each named by its row, though answered parts after the row was drafted.
        assert [(p.file, p.field) for p in there.problems] == [
            ("rows.csv:9", "value"),
            ("rows.csv:10", "points"),
            ("rows.csv:12", "value"),
        ]
    else:
        assert [p.file for p in there.problems] == ["rows.csv:10"]


# Rows for months GOOD has written to already: appended after its batches.
MORE = HEADER + "市民政局,2.4.3,1,,,2023-05-30,又一次\n" + "市体育局,1.1.1,,,,2023-06-03,\n"


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("tag", [None, "c1"])
def test_the_files_written_are_those_the_ordinary_path_writes(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int, tag: str | None
):
    """Against `record`, which writes each entry itself: a clone's tag on every line, and
    a second import appended after the first's batches (no second head line)."""
    monkeypatch.setattr(recording, "IMPORT_PART", 2)
    ordinary = shutil.copytree(small, tmp_path / "ordinary")
    for text in (GOOD, MORE):
        planned = plan(read_table(text, "rows.csv"), "rows.csv", None, DEFAULTS)
        record(ordinary, planned.drafts, TODAY, id_tag=tag, use_cache=False)
        done = record_import(small, rows_of(text).read, TODAY, Writing(id_tag=tag), workers=workers)
        assert done.problems == []
    assert ledger_bytes(small) == ledger_bytes(ordinary)
    if tag:
        assert "2023-05-0001-c1" in ledger_bytes(small)["2023-05.toml"].decode()


def entry(number: int, **fields: object) -> Entry:
    return Entry(
        id=f"2023-05-{number:04d}",
        month="2023-05",
        file="ledger/2023-05.toml",
        line=3 + 5 * number,
        department="市公安局",
        clause="2.4.3",
        **fields,  # type: ignore[arg-type]
    )


def back(root: Path) -> Back:
    state = read_cached(root)
    return Back(cache.Extension(state.snapshot, state.catalog, state.departments), root, None)


def test_answers_come_back_in_the_order_the_parts_were_given(small: Path):
    parts = [
        [entry(1), entry(2)],
        [entry(3, points=Decimal(2))],
        [entry(4), entry(5, value=Decimal(50))],
    ]
    here: Keeper[int] = Keeper(back(small))
    there: Keeper[int] = Keeper(back(small), ahead=1)
    there.split(2)
    assert there.pool is not None
    try:
        answered_here = [
            answer for n, part in enumerate(parts) for answer in here.add(part, n, False)
        ]
        answered = [answer for n, part in enumerate(parts) for answer in there.add(part, n, False)]
        answered += there.rest()
    finally:
        there.close()
    assert [tag for _, tag in answered] == [0, 1, 2]
    assert answered == answered_here
    assert [[p.field for p in found or ()] for found, _ in answered] == [[], ["points"], ["value"]]


def test_one_core_keeps_the_extension_where_it_is(small: Path):
    keeper: Keeper[str] = Keeper(back(small))
    keeper.split(1)
    assert keeper.pool is None
    assert keeper.add([entry(1)], "a", True) == [([], "a")]  # answered at once


def killed(keeper: Keeper[int]) -> None:
    """Kill the keeper's second process, as the kernel's out-of-memory killer would."""
    assert keeper.pool is not None
    pid = keeper.pool.submit(os.getpid).result()
    assert pid != os.getpid()
    os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("known", [False, True], ids=["just died", "known dead"])
def test_a_second_process_that_died_sends_the_import_to_the_full_review(small: Path, known: bool):
    """Its extension is lost: the answers say only the full review can decide, whether
    the pool has yet noticed the death when the next part is handed over (the part's
    answer fails) or already has (handing it over fails)."""
    keeper: Keeper[int] = Keeper(back(small))
    keeper.split(2)
    try:
        killed(keeper)
        if known:
            assert keeper.pool is not None
            while True:  # until the pool has seen its process end (it refuses work then)
                try:
                    keeper.pool.submit(int).result()
                except BrokenProcessPool:
                    break
        assert keeper.add([entry(1)], 1, True) + keeper.rest() == [(None, 1)]
    finally:
        keeper.close()


def test_a_second_process_that_died_before_appending_is_an_error_naming_what_to_do(
    small: Path,
):
    """Nothing is appended, the cache is left as it was, and the clerk is told to repair
    the ledger and import again (the error cannot know how far the appending got)."""
    read_cached(small)  # the cache file as the ledger stands
    cache_file = small / CACHE_DIR / CACHE_FILE
    before = (ledger_bytes(small), cache_file.read_bytes())
    keeper: Keeper[int] = Keeper(back(small))
    keeper.split(2)
    try:
        assert keeper.add([entry(1)], 1, True) + keeper.rest() == [([], 1)]
        killed(keeper)
        with pytest.raises(DataError) as raised:
            keeper.book()
        assert raised.value.message == (
            "the import stopped while its entries were being appended to the ledger (the "
            "process appending them ended): `govscore repair` shows a batch it left torn and "
            "cuts it back; then import the file again (rows already recorded are skipped)"
        )
    finally:
        keeper.close()
    assert (ledger_bytes(small), cache_file.read_bytes()) == before


def test_the_second_process_appends_what_it_spooled(small: Path, tmp_path: Path):
    copy = shutil.copytree(small, tmp_path / "copy")
    here: Keeper[int] = Keeper(back(copy))
    there: Keeper[int] = Keeper(back(small))
    there.split(2)
    try:
        assert there.add([entry(1), entry(2)], 1, True) + there.rest() == [([], 1)]
        assert there.book() == [small / "ledger" / "2023-05.toml"]
    finally:
        there.close()
    assert here.add([entry(1), entry(2)], 1, True) == [([], 1)]
    assert here.book() == [copy / "ledger" / "2023-05.toml"]
    here.close()
    assert ledger_bytes(small) == ledger_bytes(copy)
    assert "2023-05-0002" in ledger_bytes(small)["2023-05.toml"].decode()
    # And the cache it wrote is the ledger's as a full read makes it.
    kept = read_cached(small, save=False)
    assert kept.cached
    full = read_cached(small, use_cache=False, marks=True).snapshot  # as check reads it
    assert differences(kept.snapshot, full) == []


def test_the_ledger_is_unlocked_when_a_big_import_returns(
    small: Path, monkeypatch: pytest.MonkeyPatch
):
    """The second process was forked holding the ledger's lock: it has ended by then."""
    monkeypatch.setattr(recording, "IMPORT_PART", 2)
    done = record_import(small, rows_of(GOOD).read, TODAY, Writing(), workers=2)
    assert len(done.ids) == 7
    fd = os.open(small / "ledger", os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises BlockingIOError if held
    finally:
        os.close(fd)


def test_a_big_import_as_a_real_process_prints_each_id_once(root: Path, tmp_path: Path):
    """A cron job's import of more rows than a part, so the second process is forked:
    each id printed once (nothing the importing process held is written twice), the
    summary once, and `check` finds the ledger and the cache it wrote in agreement."""
    rows = 6_000  # more than IMPORT_PART: the back half goes to a second process
    assert rows > recording.IMPORT_PART
    lines = ["department,clause,count,note"]
    lines += [f"市公安局,2.4.3,{n % 3 + 1},第{n}件" for n in range(rows)]
    csv = tmp_path / "big.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    imported = run_process("--root", str(root), "import", str(csv), "--month", "2023-05")
    assert imported.returncode == 0, imported.stderr
    ids = imported.stdout.split()
    assert len(ids) == len(set(ids)) == rows
    assert imported.stderr.count(f"imported {rows} entries") == 1
    checked = run_process("--root", str(root), "check", "--format", "json")
    assert checked.returncode == 0, checked.stdout
    assert json.loads(checked.stdout)["entries"] >= rows
