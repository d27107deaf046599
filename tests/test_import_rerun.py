"""A re-run of an import file imported whole, answered from what the import kept.

A successful import keeps, signed in .govscore-cache/import.cache, its file's
fingerprint (bytes, --encoding, --month, govscore's version), the rows read, the repeats
and every row's key. A later import of the same bytes whose every key the ledger holds
(as the cache, checked against the ledger files, knows it) says what reading the rows
would say without reading them. These tests prove the two answers the same, and that a
ledger that lost or changed an entry, or a kept file not signed with the user's key,
makes the rows be read.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_process
from govscore.cli.commands import cli
from govscore.ledger import cachefile, recording
from govscore.ledger.importing import Planner, Table, read_file
from govscore.ledger.loader import CACHE_DIR, IMPORT_CACHE, load_departments
from govscore.ledger.recording import Writing, import_fingerprint, record_import

# Rows without a key (known by their content and their place among identical rows:
# lines 2 and 3 are the same row twice), a comment, rows with a key, and a key repeated
# (line 8 repeats line 6, and is named as skipped).
ROWS = """\
department,clause,count,date,note,key
公安局,2.4.3,2,2023-05-03,迟办,
公安局,2.4.3,2,2023-05-03,迟办,
# 示例,2.4.3,1,2023-05-03,,
市民政局,2.4.3,1,2023-06-20,"超时, 两天",
体育,1.1.1,1,2023-05-09,,wx-1
市民政局,2.4.3,3,2023-06-21,,wx-2
体育,2.4.3,5,2023-05-28,same key,wx-1
"""
RERUN = "imported 0 entries, skipped 6 already recorded (by key)\n"
REPEAT = "rows.csv:8: key 'wx-1' repeats line 6; skipped\n"


def gs(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def ledger_bytes(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "ledger").iterdir())}


def kept_file(root: Path) -> Path:
    return root / CACHE_DIR / IMPORT_CACHE


def answer(result: Result) -> tuple[int, str, str]:
    return result.exit_code, result.stdout, result.stderr


def imported(small: Path) -> dict[str, bytes]:
    Path("rows.csv").write_text(ROWS, encoding="utf-8")
    first = gs(small, "import", "rows.csv", "--by", "cron")
    assert first.exit_code == 0, first.output
    assert first.stdout.split() == [
        "2023-05-0001",
        "2023-05-0002",
        "2023-06-0001",
        "2023-05-0003",
        "2023-06-0002",
    ]
    assert first.stderr == REPEAT + "imported 5 entries, skipped 1 already recorded (by key)\n"
    assert kept_file(small).is_file()
    return ledger_bytes(small)


def unframed(path: Path) -> str:
    """A ledger file as a clerk edits it by hand: without the batch marks govscore
    writes (a marked batch that changed is a broken write, which import refuses)."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^# govscore batch of .*\n", "", text, flags=re.M)
    return re.sub(r"  # govscore batch end, sha256 [0-9a-f]+", "", text)


class CountedRows:
    """A table's rows, counting how often they are read from the start."""

    def __init__(self, table: Table):
        self.table, self.reads = table, 0

    def __iter__(self):
        self.reads += 1
        return iter(self.table.rows)


def planner(
    path: Path, encoding: str | None = None, root: Path | None = None
) -> tuple[Planner, CountedRows]:
    """A file's planner, as `govscore import` makes it (with `root`, its departments read
    as the ledger keeps them, for made keys: as the file was imported by the command)."""
    table = read_file(path, path.name, encoding)
    rows = CountedRows(table)
    counted = replace(table, rows=rows)
    departments = load_departments(root) if root is not None else None
    return Planner(counted, path.name, None, {"by": "cron"}, departments=departments), rows


def test_a_rerun_says_what_reading_every_row_says(small: Path, tmp_path: Path):
    before = imported(small)
    # The same root twice: one keeps what the import kept, the other has lost it.
    full = shutil.copytree(small, tmp_path / "full")
    kept_file(full).unlink()
    for args in ((), ("--dry-run",)):
        short = gs(small, "import", "rows.csv", *args)
        read = gs(full, "import", "rows.csv", *args)
        assert answer(short) == answer(read)
        assert short.exit_code == 0 and short.stdout == ""
        summary = RERUN
        if args:
            summary = "would import 0 entries, skip 6 already recorded (by key); "
            summary += "nothing written (--dry-run)\n"
        assert short.stderr == REPEAT + summary
        assert ledger_bytes(small) == ledger_bytes(full) == before
    # The full reading kept the file in turn; a real process, as cron runs it, says the same.
    assert kept_file(full).is_file()
    process = run_process("--root", str(small), "import", "rows.csv", "--by", "cron")
    assert (process.returncode, process.stdout, process.stderr) == (0, "", REPEAT + RERUN)


def test_the_rerun_reads_no_row(small: Path):
    imported(small)
    rows, counted = planner(Path("rows.csv"), root=small)
    done = record_import(small, rows.read, date(2024, 1, 1), Writing(), rows)
    assert counted.reads == 0
    assert (done.ids, done.skipped, done.problems, done.warnings) == ([], 0, [], [])
    assert (rows.rows, rows.skipped, [r.line for r in rows.repeats]) == (
        6,
        5,
        [8],
    )  # the comment is no row
    # Read another way (--encoding) it is another file: its rows are read, and skipped.
    other, counted = planner(Path("rows.csv"), "utf-8", small)
    done = record_import(small, other.read, date(2024, 1, 1), Writing(), other)
    assert counted.reads == 1 and done.ids == [] and other.skipped == 5


@pytest.mark.parametrize("workers", [1, 2], ids=["one process", "kept on a second"])
def test_a_big_import_is_kept_for_its_rerun_wherever_the_cache_was_kept(
    small: Path, monkeypatch: pytest.MonkeyPatch, workers: int
):
    # An import of more rows than a part keeps the cache in a second process (Keeper.
    # split). Its rows' entries, made keys among them, must still be known here, where
    # what a re-run needs is kept: once they were not, and a re-run of a province's
    # million rows read them all again (48 s, not 2).
    monkeypatch.setattr(recording, "IMPORT_PART", 2)
    Path("rows.csv").write_text(ROWS, encoding="utf-8")
    rows, _counted = planner(Path("rows.csv"), root=small)
    done = record_import(small, rows.read, date(2024, 1, 1), Writing(), rows, workers)
    assert (len(done.ids), done.problems) == (5, [])
    assert kept_file(small).is_file()
    again, counted = planner(Path("rows.csv"), root=small)
    done = record_import(small, again.read, date(2024, 1, 1), Writing(), again, workers)
    assert counted.reads == 0
    assert (done.ids, done.skipped, again.skipped, again.rows) == ([], 0, 5, 6)


def test_a_ledger_that_lost_an_entry_has_the_rows_read(small: Path):
    imported(small)
    june = small / "ledger" / "2023-06.toml"
    text = unframed(june)
    cut = text.rindex('[[entry]]\nid = "2023-06-0002"')  # wx-2, the last entry of June
    june.write_text(text[:cut], encoding="utf-8")
    again = gs(small, "import", "rows.csv", "--by", "cron")
    assert again.exit_code == 0, again.output
    assert again.stdout == "2023-06-0002\n"
    assert again.stderr == REPEAT + "imported 1 entry, skipped 5 already recorded (by key)\n"
    assert 'key = "wx-2"' in june.read_text(encoding="utf-8")


def test_a_ledger_whose_entry_changed_has_the_rows_read(small: Path):
    imported(small)
    may = small / "ledger" / "2023-05.toml"
    text = unframed(may)
    assert text.count('key = "wx-1"') == 1
    may.write_text(text.replace('key = "wx-1"', 'key = "wx-9"'), encoding="utf-8")
    again = gs(small, "import", "rows.csv", "--by", "cron")
    assert again.exit_code == 0, again.output
    assert again.stdout == "2023-05-0004\n"
    assert again.stderr == REPEAT + "imported 1 entry, skipped 5 already recorded (by key)\n"


def test_a_kept_file_not_signed_with_the_users_key_skips_nothing(small: Path, tmp_path: Path):
    # wx-1 and wx-2 are recorded; a kept file forged for a file with a new row wx-3
    # (the same keys, so every one is in the ledger) must not make wx-3 be skipped.
    Path("rows.csv").write_text(ROWS, encoding="utf-8")
    assert gs(small, "import", "rows.csv").exit_code == 0
    kept = kept_file(small).read_bytes()
    Path("later.csv").write_text(ROWS.replace("wx-2", "wx-3"), encoding="utf-8")
    # As the import keeps it: the file's, with the departments' names (review BA F2).
    departments = load_departments(small)
    fingerprint = import_fingerprint(planner(Path("later.csv"))[0].fingerprint(), departments)
    old = import_fingerprint(planner(Path("rows.csv"))[0].fingerprint(), departments)
    texts = cachefile.unseal_texts(cachefile.IMPORT_MAGIC, kept, key_of())
    assert texts is not None and texts[0] == old
    forged = [fingerprint, *(texts[n] for n in range(1, len(texts)))]
    ledger = ledger_bytes(small)

    def rerun_with(data: bytes) -> Result:
        kept_file(small).write_bytes(data)
        return gs(small, "import", "later.csv", "--dry-run")

    for data in (
        cachefile.seal_texts(cachefile.IMPORT_MAGIC, forged, b"another user's key, 32 bytes.."),
        kept.replace(old.encode(), fingerprint.encode()),  # the right MAC of other bytes
    ):
        result = rerun_with(data)
        assert result.exit_code == 0
        assert result.stderr.endswith(
            "would import 1 entry, skip 5 already recorded (by key); nothing written (--dry-run)\n"
        )
    # The same forgery signed with the user's key would be believed: the key is the guard.
    signed = rerun_with(cachefile.seal_texts(cachefile.IMPORT_MAGIC, forged, key_of()))
    assert "would import 0 entries, skip 6" in signed.stderr
    assert ledger_bytes(small) == ledger


def key_of() -> bytes:
    key = cachefile.signing_key()
    assert key is not None
    return key


def test_a_key_with_a_line_break_keeps_nothing(small: Path):
    Path("rows.csv").write_text(ROWS + '体育,2.4.3,1,2023-05-11,,"a\nb"\n', encoding="utf-8")
    first = gs(small, "import", "rows.csv")
    assert first.exit_code == 0 and len(first.stdout.split()) == 6
    assert not kept_file(small).exists()
    again = gs(small, "import", "rows.csv")
    assert answer(again) == (0, "", REPEAT + RERUN.replace("6 already", "7 already"))


# Rows a property test draws from: identical rows, keys given twice, two months, a comment.
POOL = [line for line in ROWS.splitlines()[1:]] + ["体育,2.4.3,1,2023-06-02,,wx-3"]


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(POOL), max_size=9), st.sampled_from([None, "utf-8"]))
def test_a_rerun_answers_as_a_reading_would_whatever_the_rows(
    small: Path, tmp_path_factory, lines: list[str], encoding: str | None
):
    """Any file imported whole, imported again: answered from what was kept without
    reading a row, exactly as reading the rows answers (counts, repeats, nothing new)."""
    root = shutil.copytree(small, tmp_path_factory.mktemp("rerun") / "root")
    path = root.parent / "rows.csv"
    path.write_text("\n".join([ROWS.splitlines()[0], *lines]) + "\n", encoding="utf-8")
    first, _counted = planner(path, encoding)
    done = record_import(root, first.read, date(2024, 1, 1), Writing(), first)
    assert done.problems == []
    kept, counted = planner(path, encoding)
    shortcut = record_import(root, kept.read, date(2024, 1, 1), Writing(), kept)
    table = read_file(path, path.name, encoding)
    unknown = Planner(Table(table.header, table.rows, table.problems), path.name, None, {})
    assert unknown.fingerprint() == ""  # no file's bytes: the rows are read
    read = record_import(root, unknown.read, date(2024, 1, 1), Writing(), unknown)
    assert counted.reads == 0
    assert shortcut == read
    assert (kept.rows, kept.skipped, kept.repeats) == (
        unknown.rows,
        unknown.skipped,
        unknown.repeats,
    )
    assert kept.skipped + len(kept.repeats) == first.skipped + len(done.ids) + len(first.repeats)


SPELLED = "部门,条款,次数,月份\n{police},2.4.3,2,2023-05\n{civil},2.4.3,1,2023-05\n"


@pytest.mark.parametrize("cached", [True, False])
def test_a_later_export_naming_a_department_another_way_adds_nothing(small: Path, cached: bool):
    """A row's made key takes its department as the ledger keeps it (its full name): an
    export that names it by an alias, without 市 or with the city in front is the same
    row, and books nothing twice (issue 14, item 4)."""
    flags = [] if cached else ["--no-cache"]
    Path("a.csv").write_text(SPELLED.format(police="市公安局", civil="民政局"), "utf-8")
    first = gs(small, *flags, "import", "a.csv")
    assert first.stdout.split() == ["2023-05-0001", "2023-05-0002"], first.output
    again = SPELLED.format(police="公安局", civil="市民政局") + "市体育局,2.4.3,1,2023-05\n"
    Path("b.csv").write_text(again, "utf-8")
    second = gs(small, *flags, "import", "b.csv")
    assert second.exit_code == 0, second.output
    assert second.stdout.split() == ["2023-05-0003"]  # only the new row
    assert second.stderr.endswith("imported 1 entry, skipped 2 already recorded (by key)\n")


@pytest.mark.parametrize("cached", [True, False])
def test_rows_recorded_under_an_earlier_govscores_key_stay_recorded(small: Path, cached: bool):
    """Before, a made key took the department as written (民政局): a file booked then and
    read again now still books nothing, its rows known by that key too."""
    flags = [] if cached else ["--no-cache"]
    written = SPELLED.format(police="公安局", civil="民政局")
    Path("old.csv").write_text(written, "utf-8")
    table = read_file(Path("old.csv"), "old.csv", None)
    as_before = Planner(table, "old.csv", None, {})  # no resolver: the keys made before
    keys = [draft.fields["key"] for draft in as_before]  # type: ignore[union-attr]
    keyed = "部门,条款,次数,月份,键\n" + "".join(
        f"{line},{key}\n" for line, key in zip(written.splitlines()[1:], keys, strict=True)
    )
    Path("booked.csv").write_text(keyed, "utf-8")
    assert gs(small, "import", "booked.csv").stdout.split() == ["2023-05-0001", "2023-05-0002"]
    rerun = gs(small, *flags, "import", "old.csv")
    assert (rerun.exit_code, rerun.stdout) == (0, ""), rerun.output
    assert rerun.stderr.endswith("imported 0 entries, skipped 2 already recorded (by key)\n")
