"""A keyed row whose key the ledger holds is compared with the entry the key stands for.

Before, such a row was skipped without a look (review AQ F7 / AO F3): a daily export
in which the source system corrected a row (count 5 → 9) under the same 去重键 was
dropped, the ledger kept 5 and the clerk was told "skipped 1". Now it is compared as
`add --key` compares a retry: a row that differs in what decides its score is refused
(nothing written, exit 1, each field named); one that differs only in its note or its
recorder is skipped and named; a date one side lacks is no difference. The same with
the cache warm, with --no-cache, and for a re-run of bytes imported before (the kept
import is answered only while the entries its rows matched are unchanged).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from conftest import run_process
from govscore.cli.commands import cli
from govscore.ledger.identity import (
    IDENTITY,
    entry_identity,
    entry_mark,
    identity,
    mark_matches,
    marked,
)
from govscore.ledger.importing import COLUMNS
from govscore.ledger.loader import read_cached
from govscore.model import Entry

HEADER = "部门,条款,次数,日期,说明,记录人,去重键\n"
FIRST = HEADER + "市公安局,2.4.3,5,2023-05-23,超期,张敏,K1\n市民政局,2.4.3,1,2023-05-24,,张敏,K2\n"

# Where K1's entry stands: after the file's header line and its batch's first mark.
REFUSED_K1 = (
    "rows.csv:2: 去重键: key 'K1' is already recorded as 2023-05-0001 "
    "(ledger/2023-05.toml:3), for another entry: {changes}; a key stays with its entry, "
    "voided or not: to change that entry, void 2023-05-0001 and record the corrected one "
    "under a new key; for a new entry, give it a key of its own\n"
)
SKIPPED_2 = "imported 0 entries, skipped 2 already recorded (by key)\n"

# warm: the snapshot the import kept, its entries marked; rebuilt: one a report built
# afresh, which tallies keyed entries and marks none (a row is compared with its entry).
MODES = ["warm", "rebuilt", "no-cache"]


def gs(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def ledger_bytes(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "ledger").iterdir())}


def first_import(small: Path, mode: str) -> dict[str, bytes]:
    """FIRST imported, then settled; the ledger's bytes."""
    Path("first.csv").write_text(FIRST, encoding="utf-8")
    done = gs(small, "import", "first.csv")
    assert done.exit_code == 0, done.output
    assert done.stdout.split() == ["2023-05-0001", "2023-05-0002"]
    settle(small, mode)
    return ledger_bytes(small)


def settle(small: Path, mode: str) -> None:
    """After an import: with `mode` warm, a report reads the snapshot the import kept;
    rebuilt, a report builds it afresh, which tallies keyed entries and marks none."""
    if mode == "rebuilt":
        shutil.rmtree(small / ".govscore-cache")
    if mode != "no-cache":
        assert gs(small, "month", "2023-05").exit_code == 0
    if mode == "rebuilt":
        assert read_cached(small).snapshot.context.marks == {}


def reimport(small: Path, mode: str, text: str, *options: str) -> Result:
    Path("rows.csv").write_text(text, encoding="utf-8")
    cache = ["--no-cache"] if mode == "no-cache" else []
    return gs(small, *cache, "import", "rows.csv", *options)


@pytest.mark.parametrize("mode", MODES)
def test_a_count_corrected_under_its_key_is_refused_and_nothing_written(
    small: Path, mode: str
) -> None:
    before = first_import(small, mode)
    corrected = FIRST.replace(",5,", ",9,")
    result = reimport(small, mode, corrected)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        REFUSED_K1.format(changes="count 5 there, 9 here")
        + "error: rejected rows.csv: 1 problem; nothing imported, the ledger is unchanged\n"
    )
    assert ledger_bytes(small) == before
    dry = reimport(small, mode, corrected, "--dry-run")
    assert (dry.exit_code, dry.stderr) == (1, result.stderr)


@pytest.mark.parametrize("mode", MODES)
def test_every_row_that_differs_is_named_with_every_field(small: Path, mode: str) -> None:
    before = first_import(small, mode)
    # K1: another clause and date; K2: another department and count (its note too, which
    # a refusal does not name).
    rows = HEADER + "市公安局,2.4.4,5,2023-05-25,超期,张敏,K1\n体育,2.4.3,2,2023-05-24,改,张敏,K2\n"
    result = reimport(small, mode, rows)
    assert result.exit_code == 1
    assert result.stderr == (
        REFUSED_K1.format(
            changes="clause 2.4.3 there, 2.4.4 here, date 2023-05-23 there, 2023-05-25 here"
        )
        + "rows.csv:3: 去重键: key 'K2' is already recorded as 2023-05-0002 "
        "(ledger/2023-05.toml:14), for another entry: department 市民政局 there, 市体育局 "
        "here, count 1 there, 2 here; a key stays with its entry, voided or not: to change "
        "that entry, void 2023-05-0002 and record the corrected one under a new key; for a "
        "new entry, give it a key of its own\n"
        "error: rejected rows.csv: 2 problems; nothing imported, the ledger is unchanged\n"
    )
    assert ledger_bytes(small) == before


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("cells", "said"),
    [
        (",abc,2023-05-23,", "rows.csv:2: 次数: 'abc' is not a whole number"),
        (",5.5,2023-05-23,", "rows.csv:2: 次数: '5.5' is not a whole number"),
        (
            ",#VALUE!,2023-05-23,",
            "rows.csv:2: 次数: #VALUE! is an error value of Excel or WPS (a formula that found "
            "nothing or failed), not what the row says: correct the cell in the workbook and "
            "export again",
        ),
        (",5,2023-05-32,", "rows.csv:2: 日期: '2023-05-32' is not a day: 2023-05 has no day 32"),
    ],
)
def test_a_recorded_key_s_row_that_does_not_read_is_refused(
    small: Path, mode: str, cells: str, said: str
) -> None:
    """A row under a recorded key whose cell does not read (Excel's #VALUE! after a
    re-export) is not its entry: a problem of its row, as under a new key, never skipped
    without a word (review BF F3: it was skipped, exit 0)."""
    before = first_import(small, mode)
    result = reimport(small, mode, FIRST.replace(",5,2023-05-23,", cells), "--month", "2023-05")
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"{said}\nerror: rejected rows.csv: 1 problem; nothing imported, the ledger is unchanged\n"
    )
    assert ledger_bytes(small) == before
    # … as the row says under a key of its own.
    fresh = FIRST.replace(",5,2023-05-23,", cells).replace(",K1\n", ",K9\n")
    assert reimport(small, mode, fresh, "--month", "2023-05").stderr == result.stderr


UNKNOWN_POLICE = (
    "rows.csv:2: 部门: unknown department '公按局'; did you mean 市公安局? "
    "(run `govscore departments` for the list)\n"
)


@pytest.mark.parametrize("mode", MODES)
def test_a_recorded_key_s_row_naming_an_unknown_department_is_told_it_is_unknown(
    small: Path, mode: str
) -> None:
    """Review BF J3: a row under a recorded key whose department is a typo (公按局) was told
    its department differs from the entry's (市公安局 there, 公按局 here), as if it were
    another entry: it is unknown, with the did-you-mean a row under a new key, a row
    without one and `add` are given; what else differs is still named. Nothing written."""
    before = first_import(small, mode)
    rejected = (
        "error: rejected rows.csv: {n} problem{s}; nothing imported, the ledger is unchanged\n"
    )
    typo = FIRST.replace("市公安局,", "公按局,")
    result = reimport(small, mode, typo)
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        UNKNOWN_POLICE + rejected.format(n=1, s=""),
    )
    # … as under a key of its own, and without one.
    for key in ("K9", ""):
        fresh = reimport(small, mode, typo.replace(",K1\n", f",{key}\n"))
        assert (fresh.exit_code, fresh.stdout, fresh.stderr) == (1, "", result.stderr)
    # Another count under the key too: both are told.
    counted = reimport(small, mode, typo.replace(",5,", ",9,"))
    assert (counted.exit_code, counted.stdout, counted.stderr) == (
        1,
        "",
        UNKNOWN_POLICE
        + REFUSED_K1.format(changes="count 5 there, 9 here")
        + rejected.format(n=2, s="s"),
    )
    assert ledger_bytes(small) == before
    cache = ["--no-cache"] if mode == "no-cache" else []
    add = gs(small, *cache, "add", "-d", "公按局", "-c", "2.4.3", "-n", "5", "--date", "2023-05-23")
    added = gs(
        small,
        *cache,
        "add",
        "-d",
        "公按局",
        "-c",
        "2.4.3",
        "-n",
        "5",
        "--date",
        "2023-05-23",
        "--note",
        "超期",
        "--by",
        "张敏",
        "--key",
        "K1",
    )
    told = UNKNOWN_POLICE.removeprefix("rows.csv:2: 部门: ")
    refused = "error: rejected: 1 problem; the entry not written, the ledger is unchanged\n"
    assert (add.exit_code, add.stdout, add.stderr) == (1, "", f"govscore: {told}{refused}")
    assert (added.exit_code, added.stdout, added.stderr) == (1, "", add.stderr)
    assert ledger_bytes(small) == before


@pytest.mark.parametrize("mode", MODES)
def test_a_date_one_side_lacks_is_no_difference(small: Path, mode: str) -> None:
    before = first_import(small, mode)
    result = reimport(small, mode, FIRST.replace("2023-05-23", ""), "--month", "2023-05")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", SKIPPED_2)
    assert ledger_bytes(small) == before


@pytest.mark.parametrize("mode", MODES)
def test_a_note_or_recorder_that_differs_is_skipped_and_named(small: Path, mode: str) -> None:
    before = first_import(small, mode)
    rows = FIRST.replace("超期,张敏", "超期办结,张敏").replace(",,张敏,K2", ",,李华,K2")
    result = reimport(small, mode, rows)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "rows.csv:2: skipped as 2023-05-0001, already recorded: the same but for its 说明, "
        "which govscore does not change in a recorded entry; to change it, `govscore void "
        "2023-05-0001 --reason …`, then give the row a 去重键 of its own and import it "
        "again; if the row is another incident, give it a 去重键 of its own\n"
        "rows.csv:3: skipped as 2023-05-0002, already recorded: the same but for its 记录人, "
        "which govscore does not change in a recorded entry; to change it, `govscore void "
        "2023-05-0002 --reason …`, then give the row a 去重键 of its own and import it "
        "again; if the row is another incident, give it a 去重键 of its own\n" + SKIPPED_2
    )
    assert ledger_bytes(small) == before


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("file", "void"),
    [
        ("2023-04.toml", ""),  # filed in a month before its entry's
        ("2023-05.toml", 'clause = "2.4.3"\n'),  # a field a void takes none of
    ],
    ids=["earlier-month", "with-a-clause"],
)
def test_a_void_that_voids_nothing_leaves_its_entry_recorded(
    small: Path, mode: str, file: str, void: str
) -> None:
    """A void that is a problem of its own line voids nothing (check names it): a row
    whose note differs from the entry of its key is named as skipped as an entry still
    recorded, as the cache says it. --no-cache said "recorded and voided since", counting
    the void as the ledger does not."""
    first_import(small, mode)
    ledger = small / "ledger" / file
    held = ledger.read_text(encoding="utf-8") if ledger.exists() else ""
    ledger.write_text(
        f'{held}\n[[entry]]\nid = "{file[:7]}-0009"\nvoid = "2023-05-0001"\n'
        f'reason = "申诉成立"\n{void}',
        encoding="utf-8",
    )
    assert gs(small, "check").exit_code == 1
    result = reimport(small, mode, FIRST.replace("超期,张敏", "超期办结,张敏"))
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        "rows.csv:2: skipped as 2023-05-0001, already recorded: the same but for its 说明, "
        "which govscore does not change in a recorded entry; to change it, `govscore void "
        "2023-05-0001 --reason …`, then give the row a 去重键 of its own and import it "
        "again; if the row is another incident, give it a 去重键 of its own\n" + SKIPPED_2
    )


@pytest.mark.parametrize("mode", MODES)
def test_a_recorder_filled_in_is_not_the_rows(small: Path, mode: str) -> None:
    """Rows without a 记录人 re-run by another clerk (--by): the entries' recorder is not
    the row's, and nothing is named."""
    first_import(small, mode)
    rows = FIRST.replace("说明,记录人,去重键", "说明,去重键").replace(",张敏,", ",")
    result = reimport(small, mode, rows, "--by", "李华")
    assert (result.exit_code, result.stderr) == (0, SKIPPED_2)


def test_a_kept_import_is_answered_only_while_its_entries_are_unchanged(small: Path) -> None:
    """The same bytes again after K1's entry was voided and a copy under K1 with another
    count appended by hand (as git's union merge of two clones would): the key stands for
    the copy now, and the row is compared with it, not answered from the kept import."""
    first_import(small, "warm")
    again = gs(small, "import", "first.csv")
    assert (again.exit_code, again.stderr) == (0, SKIPPED_2)
    assert gs(small, "void", "2023-05-0001", "--reason", "重复").exit_code == 0
    with (small / "ledger" / "2023-05.toml").open("a", encoding="utf-8") as ledger:
        ledger.write(
            '\n[[entry]]\nid = "2023-05-0004"\ndepartment = "市公安局"\nclause = "2.4.3"\n'
            'count = 9\ndate = 2023-05-23\nnote = "超期"\nby = "张敏"\nkey = "K1"\n'
        )
    before = ledger_bytes(small)
    result = gs(small, "import", "first.csv")
    assert result.exit_code == 1
    assert result.stderr == (
        "first.csv:2: 去重键: key 'K1' is already recorded as 2023-05-0004 "
        "(ledger/2023-05.toml:31), for another entry: count 9 there, 5 here; a key stays "
        "with its entry, voided or not: to change that entry, void 2023-05-0004 and record "
        "the corrected one under a new key; for a new entry, give it a key of its own\n"
        "error: rejected first.csv: 1 problem; nothing imported, the ledger is unchanged\n"
    )
    assert ledger_bytes(small) == before


def test_a_cron_job_is_told_as_a_real_process(small: Path) -> None:
    before = first_import(small, "warm")
    Path("rows.csv").write_text(FIRST.replace(",5,", ",9,"), encoding="utf-8")
    process = run_process("--root", str(small), "import", "rows.csv")
    assert process.returncode == 1
    assert process.stdout == ""
    assert process.stderr == (
        REFUSED_K1.format(changes="count 5 there, 9 here")
        + "error: rejected rows.csv: 1 problem; nothing imported, the ledger is unchanged\n"
    )
    assert ledger_bytes(small) == before


def test_identity_is_what_an_import_leaves_out_of_its_columns() -> None:
    assert tuple(n for n in COLUMNS if n not in ("note", "by", "key", "month")) == IDENTITY


def test_a_mark_says_what_an_entry_is() -> None:
    entry = Entry(
        id="2023-05-0001",
        month="2023-05",
        file="ledger/2023-05.toml",
        line=3,
        department="市公安局",
        clause="2.4.3",
        count=5,
        note="超期",
        by="张敏",
    )
    mark = entry_mark(entry, "市公安局")
    same = identity("2023-05", {"department": "市公安局", "clause": "2.4.3", "count": 5})
    other = identity("2023-05", {"department": "市公安局", "clause": "2.4.3", "count": 9})

    def row(digest: str) -> Callable[[], str]:
        return lambda: digest

    assert mark_matches(mark, row(same), None, "超期", "张敏") is True
    assert mark_matches(mark, row(same), None, "超期", None) is True  # no recorder written
    assert mark_matches(mark, row(other), None, "超期", None) is False
    assert mark_matches(mark, row(same), None, "超期办结", None) is False
    # An undated entry, a dated row: compared without the row's date.
    assert mark_matches(mark, row("0" * 16), row(same), "超期", None) is True
    # A dated entry, an undated row: the mark cannot say (the entry is read).
    dated = entry_mark(entry._replace(date=date(2023, 5, 23)), "市公安局")
    assert mark_matches(dated, row(same), None, "超期", None) is None


_TEXT = st.sampled_from(["", "市公安局", "2.4.3", "一级", " 安全生产“一件事” ", "２"])
_FIGURE = st.none() | st.decimals(-1000, 1000, places=2, allow_nan=False)


@given(
    department=_TEXT,
    clause=_TEXT,
    count=st.integers(0, 3),
    points=_FIGURE,
    level=st.none() | _TEXT,
    value=_FIGURE,
    numerator=_FIGURE,
    denominator=_FIGURE,
    matter=st.none() | _TEXT,
    ref=st.none() | _TEXT,
    recurring=st.booleans(),
    day=st.none() | st.dates(date(2023, 1, 1), date(2023, 12, 31)),
    kept=st.none() | st.just("市民政局"),
)
def test_an_entry_has_the_identity_of_the_fields_it_holds(
    kept: str | None, day: date | None, **fields: object
) -> None:
    """The snapshot marks an entry by place (entry_identity, its hot path), a row is
    compared by name (identity): for any fields, the two are one identity."""
    entry = Entry(id="2023-05-0001", month="2023-05", date=day, **fields)  # type: ignore[arg-type]
    held = {**fields, "date": day}
    assert entry_identity(entry, kept) == identity("2023-05", held, kept)


@pytest.mark.parametrize("mode", MODES)
def test_a_made_key_copied_into_its_column_is_compared_too(small: Path, mode: str) -> None:
    """Key-less rows are given made keys (row-IDENTITY-N), which the snapshot does not
    mark (the key holds the identity: a ledger of imported rows costs nothing to mark).
    A sheet that copies them into its 去重键 column is compared all the same: unchanged,
    skipped; a count corrected, refused with the field named."""
    Path("first.csv").write_text(FIRST.replace(",去重键", "").replace(",K1", "").replace(",K2", ""))
    assert gs(small, "import", "first.csv").exit_code == 0
    settle(small, mode)
    before = ledger_bytes(small)
    text = before["2023-05.toml"].decode()
    keys = [line.split('"')[1] for line in text.splitlines() if line.startswith("key = ")]
    assert len(keys) == 2 and all(key.startswith("row-") for key in keys)
    rows = FIRST.replace("K1", keys[0]).replace("K2", keys[1])
    same = reimport(small, mode, rows)
    assert (same.exit_code, same.stderr) == (0, SKIPPED_2)
    result = reimport(small, mode, rows.replace(",5,", ",9,"))
    assert result.exit_code == 1
    assert result.stderr == (
        REFUSED_K1.replace("'K1'", f"'{keys[0]}'").format(changes="count 5 there, 9 here")
        + "error: rejected rows.csv: 1 problem; nothing imported, the ledger is unchanged\n"
    )
    assert ledger_bytes(small) == before


def test_only_a_written_key_is_marked() -> None:
    assert marked("K1") and marked("办件-2023-001")
    assert not marked("row-0123456789abcdef-2")


KEYLESS = "部门,条款,次数,日期,说明,记录人\n市民政局,2.4.3,2,2023-05-15,超期甲,张三\n"


def made_key(root: Path) -> str:
    text = (root / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    (key,) = [line.split('"')[1] for line in text.splitlines() if line.startswith("key = ")]
    return key


@pytest.mark.parametrize("mode", MODES)
def test_a_made_key_copied_below_a_keyless_row_is_compared(small: Path, mode: str) -> None:
    """Review BA F1: with --no-cache, after a key-less row of the file, a row copying a
    made key into its 去重键 was skipped uncompared (a count corrected 2 → 3 dropped,
    exit 0), where the same rows the other way round were refused."""
    Path("first.csv").write_text(KEYLESS, encoding="utf-8")
    assert gs(small, "import", "first.csv", "--month", "2023-05").exit_code == 0
    key = made_key(small)
    settle(small, mode)
    before = ledger_bytes(small)
    rows = (
        "部门,条款,次数,日期,说明,记录人,去重键\n市公安局,2.4.5,1,2023-05-20,新的一件,张三,\n"
        f"民政局,2.4.3,3,2023-05-15,超期甲,张三,{key}\n"
    )
    result = reimport(small, mode, rows, "--month", "2023-05")
    assert result.exit_code == 1
    assert result.stderr == (
        f"rows.csv:3: 去重键: key '{key}' is already recorded as 2023-05-0001 "
        "(ledger/2023-05.toml:3), for another entry: count 2 there, 3 here; a key stays with "
        "its entry, voided or not: to change that entry, void 2023-05-0001 and record the "
        "corrected one under a new key; for a new entry, give it a key of its own\n"
        "error: rejected rows.csv: 1 problem; nothing imported, the ledger is unchanged\n"
    )
    assert ledger_bytes(small) == before


@pytest.mark.parametrize("mode", MODES)
def test_a_made_key_copied_with_its_note_changed_is_named(small: Path, mode: str) -> None:
    """Review BA F3: warm, a row copying a made key whose 说明 and 记录人 differ was skipped
    without the notice --no-cache gave."""
    Path("first.csv").write_text(KEYLESS, encoding="utf-8")
    assert gs(small, "import", "first.csv", "--month", "2023-05").exit_code == 0
    key = made_key(small)
    settle(small, mode)
    rows = f"部门,条款,次数,日期,说明,记录人,去重键\n民政局,2.4.3,2,2023-05-15,超期甲（已核）,李四,{key}\n"
    result = reimport(small, mode, rows, "--month", "2023-05")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        "rows.csv:2: skipped as 2023-05-0001, already recorded: the same but for its 说明 and "
        "记录人, which govscore does not change in a recorded entry; to change it, `govscore "
        "void 2023-05-0001 --reason …`, then give the row a 去重键 of its own and import it "
        "again; if the row is another incident, give it a 去重键 of its own\n"
        "imported 0 entries, skipped 1 already recorded (by key)\n"
    )


def test_a_note_made_to_match_a_short_sum_is_still_named(small: Path) -> None:
    """Review BA F5: the snapshot compared a keyed entry's note by a 16-bit sum, and a note
    found to match it (超期（核17910） for 超期) was skipped unnamed, warm only."""
    Path("first.csv").write_text(
        "部门,条款,次数,日期,说明,记录人,去重键\n市公安局,2.4.3,1,2023-05-11,超期,王五,C1\n",
        encoding="utf-8",
    )
    assert gs(small, "import", "first.csv").exit_code == 0
    assert gs(small, "month", "2023-05").exit_code == 0
    rows = "部门,条款,次数,日期,说明,记录人,去重键\n市公安局,2.4.3,1,2023-05-11,超期（核17910）,王五,C1\n"
    result = reimport(small, "warm", rows)
    assert result.exit_code == 0
    assert result.stderr.startswith(
        "rows.csv:2: skipped as 2023-05-0001, already recorded: the same but for its 说明,"
    )


def test_a_kept_import_is_read_again_once_the_city_is_no_longer_named(small: Path) -> None:
    """Review BF F1: the city decides how a row's department reads (烟台市民政局 is
    市民政局 only while departments.toml names 烟台市), so the kept import is answered
    only under the city it was kept under: without it, the same bytes are read and
    refused (exit 1), as they are with the kept import deleted."""
    departments = small / "departments.toml"
    departments.write_text('city = "烟台市"\n' + departments.read_text("utf-8"), "utf-8")
    Path("c.csv").write_text(HEADER + "烟台市民政局,2.4.3,2,2023-05-03,超期,张三,C1\n", "utf-8")
    assert gs(small, "import", "c.csv").exit_code == 0
    again = gs(small, "import", "c.csv")
    assert (again.exit_code, again.stderr) == (
        0,
        "imported 0 entries, skipped 1 already recorded (by key)\n",
    )
    departments.write_text(departments.read_text("utf-8").replace('city = "烟台市"\n', ""), "utf-8")
    gone = gs(small, "import", "c.csv", "--dry-run")
    assert gone.exit_code == 1, gone.output
    assert gone.stderr == (
        "c.csv:2: 部门: unknown department '烟台市民政局'; did you mean 市民政局? "
        "(run `govscore departments` for the list)\n"
        "error: rejected c.csv: 1 problem; nothing imported, the ledger is unchanged\n"
    )


def test_a_kept_import_is_read_again_once_an_alias_moved(small: Path) -> None:
    """Review BA F2: a keyed row's department is compared by the name the ledger keeps; an
    alias moved to another department made the same bytes another row, but the kept
    import answered them "skipped" where a read refuses them."""
    Path("h.csv").write_text(
        "部门,条款,次数,日期,说明,记录人,去重键\n体育,2.4.3,2,2023-05-03,超期两件,张三,H1\n",
        encoding="utf-8",
    )
    assert gs(small, "import", "h.csv", "--month", "2023-05").exit_code == 0
    again = gs(small, "import", "h.csv", "--month", "2023-05")
    assert (again.exit_code, again.stderr) == (
        0,
        "imported 0 entries, skipped 1 already recorded (by key)\n",
    )
    # The alias 体育 moved from 市体育局 to 市民政局.
    departments = small / "departments.toml"
    text = departments.read_text(encoding="utf-8").replace('aliases = ["体育"]\n', "")
    text = text.replace('name = "市民政局"\n', 'name = "市民政局"\naliases = ["体育"]\n')
    departments.write_text(text, encoding="utf-8")
    moved = gs(small, "import", "h.csv", "--month", "2023-05", "--dry-run")
    assert moved.exit_code == 1
    assert "department 市体育局 there, 市民政局 here" in moved.stderr
