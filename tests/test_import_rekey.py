"""A key-less row is known by what identifies it, not by its note or recorder.

A sheet imported, its 说明 or 记录人 tidied in Excel and imported again, books nothing
the second time: its rows are taken for the entries they made, and each row whose note
or recorder differ is named (govscore does not change a recorded entry). Entries
recorded under the keys an earlier govscore made (of every field) stay recorded.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import run_process
from govscore.cli.commands import cli
from govscore.figures import plain as _plain
from govscore.ledger.identity import digest as _digest
from govscore.ledger.importing import MADE_KEY, read_file, row_draft
from govscore.ledger.recording import Draft

# Two incidents of 市公安局 alike but for their notes (lines 2 and 3), one of 市民政局.
SHEET = """\
部门,条款,次数,月份,说明,记录人
市公安局,2.4.3,1,2023-05,{first},张敏
市公安局,2.4.3,1,2023-05,{second},张敏
市民政局,2.4.3,2,2023-05,超时两天,{by}
"""


def gs(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def sheet(first: str = "迟办", second: str = "漏登", by: str = "李强") -> Path:
    path = Path("十一月.csv")
    path.write_text(SHEET.format(first=first, second=second, by=by), encoding="utf-8")
    return path


def entries(root: Path) -> list[str]:
    """Every entry header of the May ledger (one a booking)."""
    text = (root / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line == "[[entry]]"]


def imported(root: Path, *flags: str) -> None:
    first = gs(root, *flags, "import", str(sheet()))
    assert first.exit_code == 0, first.output
    assert first.stdout.split() == ["2023-05-0001", "2023-05-0002", "2023-05-0003"]


NOTE = (
    "十一月.csv:2: skipped as 2023-05-0001, already recorded: the same but for its {field}, "
    "which govscore does not change in a recorded entry; to change it, `govscore void "
    "2023-05-0001 --reason …`, then give the row a 去重键 of its own and import it again; "
    "if the row is another incident, give it a 去重键 of its own\n"
)
NOTHING = "imported 0 entries, skipped 3 already recorded (by key)\n"


@pytest.mark.parametrize("cached", [True, False])
def test_a_note_tidied_books_nothing_again_and_is_named(small: Path, cached: bool):
    """F2 of review R: a 说明 corrected in the sheet booked its row a second time."""
    flags = [] if cached else ["--no-cache"]
    imported(small, *flags)
    sheet(first="迟办（已整改）")
    dry = gs(small, *flags, "import", "十一月.csv", "--dry-run")
    assert (dry.exit_code, dry.stdout) == (0, ""), dry.output
    assert dry.stderr == NOTE.format(field="说明") + (
        "would import 0 entries, skip 3 already recorded (by key); nothing written (--dry-run)\n"
    )
    again = gs(small, *flags, "import", "十一月.csv")
    assert (again.exit_code, again.stdout) == (0, ""), again.output
    assert again.stderr == NOTE.format(field="说明") + NOTHING
    assert len(entries(small)) == 3
    # The kept import answers a third run alike, the notice included.
    third = gs(small, *flags, "import", "十一月.csv")
    assert (third.exit_code, third.stdout, third.stderr) == (0, "", again.stderr)


def test_a_recorder_tidied_books_nothing_again_and_is_named(small: Path):
    imported(small)
    sheet(by="李强强")
    again = gs(small, "import", "十一月.csv")
    assert (again.exit_code, again.stdout) == (0, ""), again.output
    named = NOTE.replace("十一月.csv:2", "十一月.csv:4").replace("2023-05-0001", "2023-05-0003")
    assert again.stderr == named.format(field="记录人") + NOTHING
    assert len(entries(small)) == 3


def test_rows_alike_but_for_their_notes_are_two_entries_on_every_run(small: Path):
    """Lines 2 and 3 differ only in their notes: two incidents, booked once each."""
    imported(small)
    again = gs(small, "import", "十一月.csv")
    assert (again.exit_code, again.stdout, again.stderr) == (0, "", NOTHING)
    # Both notes tidied, the two rows swapped: still the same two entries, each named.
    Path("十一月.csv").write_text(
        SHEET.format(first="漏登记", second="迟办理", by="李强"), encoding="utf-8"
    )
    swapped = gs(small, "import", "十一月.csv")
    assert (swapped.exit_code, swapped.stdout) == (0, ""), swapped.output
    assert swapped.stderr.count("skipped as 2023-05-000") == 2
    # A third incident alike but for its note is the one row booked.
    with Path("十一月.csv").open("a", encoding="utf-8") as out:
        out.write("市公安局,2.4.3,1,2023-05,又一件,张敏\n")
    third = gs(small, "import", "十一月.csv")
    assert third.stdout.split() == ["2023-05-0004"], third.output
    assert len(entries(small)) == 4


def test_rows_whose_notes_were_tidied_are_named_with_the_entries_of_their_notes(small: Path):
    """Review X F8: with both notes tidied and the rows swapped, each row was named with
    the other's entry (ledger order), and voiding the entry named would void the wrong
    incident. Each row is paired with the entry whose note is closest to its own."""
    imported(small)  # 2023-05-0001 迟办 (line 2), 2023-05-0002 漏登 (line 3)
    Path("十一月.csv").write_text(
        SHEET.format(first="漏登（核）", second="迟办（核）", by="李强"), encoding="utf-8"
    )
    swapped = gs(small, "import", "十一月.csv")
    assert (swapped.exit_code, swapped.stdout) == (0, ""), swapped.output
    line2 = NOTE.format(field="说明").replace("2023-05-0001", "2023-05-0002")
    line3 = NOTE.format(field="说明").replace("十一月.csv:2", "十一月.csv:3")
    assert swapped.stderr == line2 + line3 + NOTHING
    # A third row alike but for its note, listed first: the two tidied rows still take
    # their own entries, and the row least like any recorded note is the one booked.
    header, *rows = SHEET.format(first="漏登（核）", second="迟办（核）", by="李强").splitlines()
    new_row = "市公安局,2.4.3,1,2023-05,窗口无人,张敏"
    Path("十一月.csv").write_text("\n".join([header, new_row, *rows, ""]), encoding="utf-8")
    third = gs(small, "import", "十一月.csv")
    assert third.stdout.split() == ["2023-05-0004"], third.output
    assert third.stderr.count("skipped as") == 2
    assert "十一月.csv:3: skipped as 2023-05-0002" in third.stderr
    assert "十一月.csv:4: skipped as 2023-05-0001" in third.stderr
    log = gs(small, "log", "--format", "json")
    assert [e["note"] for e in json.loads(log.stdout)][-1] == "窗口无人"


def earlier_row_content(draft: Draft) -> str:
    """The digest earlier govscore made a row's key of: every field as read, note and
    recorder too, and its month (as it stood before 96ec91a)."""
    parts = [f"month={draft.month}"]
    for name in sorted(draft.fields):
        value = draft.fields[name]
        text = _plain(value) if isinstance(value, Decimal) else str(value)
        parts.append(f"{name}={text}")
    return _digest(parts)


def old_keys(path: Path) -> list[str]:
    """The keys an earlier govscore made of a sheet's rows: of every field, note and
    recorder too (its departments are written as the ledger keeps them)."""
    table = read_file(path, path.name)
    seen: dict[str, int] = {}
    keys = []
    for line, cells in table.rows:
        draft, problems = row_draft(table.header, cells, path.name, line, None, {})
        assert draft is not None, problems
        content = earlier_row_content(draft)
        seen[content] = seen.get(content, 0) + 1
        keys.append(f"{MADE_KEY}{content}-{seen[content]}")
    return keys


@pytest.mark.parametrize("cached", [True, False])
def test_a_ledger_of_keys_made_of_every_field_stays_recorded(small: Path, cached: bool):
    """Entries booked by an earlier govscore carry keys made of every field: the same
    sheet re-imported books nothing, nor does it with a note tidied (then named)."""
    flags = [] if cached else ["--no-cache"]
    path = sheet()
    lines = path.read_text(encoding="utf-8").splitlines()
    booked = Path("booked.csv")
    rows = [f"{row},{key}" for row, key in zip(lines[1:], old_keys(path), strict=True)]
    booked.write_text("\n".join([lines[0] + ",去重键", *rows]) + "\n", encoding="utf-8")
    first = gs(small, "import", "booked.csv")
    assert first.stdout.split() == ["2023-05-0001", "2023-05-0002", "2023-05-0003"]
    same = gs(small, *flags, "import", "十一月.csv")
    assert (same.exit_code, same.stdout, same.stderr) == (0, "", NOTHING)
    sheet(first="迟办（已整改）")
    tidied = gs(small, *flags, "import", "十一月.csv")
    assert (tidied.exit_code, tidied.stdout) == (0, ""), tidied.output
    assert tidied.stderr == NOTE.format(field="说明") + NOTHING
    assert len(entries(small)) == 3


def test_a_cron_job_rerunning_a_tidied_sheet_books_nothing(small: Path):
    """The same as a real process, as cron runs it."""
    imported(small)
    sheet(first="迟办（已整改）")
    done = run_process("--root", str(small), "import", "十一月.csv")
    assert (done.returncode, done.stdout) == (0, ""), done.stderr
    assert done.stderr == NOTE.format(field="说明") + NOTHING
    assert len(entries(small)) == 3


def test_a_later_export_listing_a_new_row_first_books_the_new_row(small: Path):
    """案件甲 is recorded; the next day's export lists 案件乙 (new, alike but for its note)
    above 案件甲. Rows were taken by their place among rows alike: 乙 was skipped as 甲's
    entry and 甲 booked again, so the ledger held 甲 twice and 乙 nowhere (review V F1).
    A row is first matched to an entry with its own note: 甲 to 0001, 乙 booked."""
    day = "部门,条款,日期,说明\n"
    first = Path("d1.csv")
    first.write_text(day + "市公安局,2.4.3,2023/5/5,案件甲\n", encoding="utf-8")
    assert gs(small, "import", str(first)).stdout == "2023-05-0001\n"
    second = Path("d2.csv")
    second.write_text(
        day + "市公安局,2.4.3,2023/5/5,案件乙\n市公安局,2.4.3,2023/5/5,案件甲\n", encoding="utf-8"
    )
    again = gs(small, "import", str(second))
    assert (again.exit_code, again.stdout) == (0, "2023-05-0002\n"), again.output
    assert again.stderr == "imported 1 entry, skipped 1 already recorded (by key)\n"
    ledger = (small / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    assert ledger.count('note = "案件甲"') == 1 and ledger.count('note = "案件乙"') == 1
    # Either order again: nothing booked, nothing said.
    third = Path("d3.csv")
    third.write_text(
        day + "市公安局,2.4.3,2023/5/5,案件甲\n市公安局,2.4.3,2023/5/5,案件乙\n", encoding="utf-8"
    )
    for path in (second, third):
        rerun = gs(small, "import", str(path))
        assert (rerun.stdout, rerun.stderr) == (
            "",
            "imported 0 entries, skipped 2 already recorded (by key)\n",
        )


def test_rows_booked_past_the_ledgers_keys_are_never_repeats(small: Path):
    """Cumulative exports of one identity: A; then X above A; then A, X and two new rows.
    The first new row was booked under a key past the ledger's, which the next row's
    made key then took: that row was skipped as a repeat of it (review X F1)."""
    day = "部门,条款,日期,说明\n"
    rows = {name: f"市公安局,2.4.3,2023/5/5,{name}\n" for name in ("A", "X", "N", "M")}
    for number, names in enumerate((("A",), ("X", "A"), ("A", "X", "N", "M")), 1):
        path = Path(f"p{number}.csv")
        path.write_text(day + "".join(rows[name] for name in names), encoding="utf-8")
        done = gs(small, "import", str(path))
        assert done.exit_code == 0, done.output
        assert "repeats" not in done.stderr
    ledger = (small / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    assert [ledger.count(f'note = "{name}"') for name in "AXNM"] == [1, 1, 1, 1]
    # The same sheet again (the kept import answers it): nothing booked.
    again = gs(small, "import", str(path))
    assert (again.stdout, again.exit_code) == ("", 0)


def test_a_renamed_department_keeps_its_rows_recorded(small: Path):
    """A department renamed in departments.toml, its old name kept as an alias: its rows,
    imported under the old name, were all booked again (the entries' identities took the
    name as stored; review X F2)."""
    imported(small)
    departments = small / "departments.toml"
    text = departments.read_text(encoding="utf-8")
    renamed = text.replace('name = "市公安局"', 'name = "市公安局（新）"\naliases = ["市公安局"]')
    assert renamed != text
    departments.write_text(renamed, encoding="utf-8")
    (small / ".govscore-cache" / "import.cache").unlink()  # a real read, not the kept one
    again = gs(small, "import", str(sheet()))
    assert (again.exit_code, again.stdout) == (0, ""), again.output


def test_a_re_run_says_what_a_reading_says_after_rows_were_booked(small: Path):
    """An import that took rows for entries alike but for their notes kept its notices
    for the next run, which answered from them: after it booked rows too, or after the
    ledger gained an entry, a reading pairs rows and entries otherwise, and the kept
    notices named another line or entry (review X F3). Such a file is always read."""
    day = "部门,条款,日期,说明\n"
    Path("f0.csv").write_text(day + "市公安局,2.4.3,2023/5/5,A\n", encoding="utf-8")
    assert gs(small, "import", "f0.csv").exit_code == 0
    Path("f1.csv").write_text(day + "市公安局,2.4.3,2023/5/5,B\n" * 2, encoding="utf-8")
    first = gs(small, "import", "f1.csv")  # one B taken for A (a notice), one booked
    assert first.stdout == "2023-05-0002\n" and "skipped as 2023-05-0001" in first.stderr
    again = gs(small, "import", "f1.csv")
    (small / ".govscore-cache" / "import.cache").unlink(missing_ok=True)
    read = gs(small, "import", "f1.csv")
    assert (again.stdout, again.stderr) == (read.stdout, read.stderr)
    assert "f1.csv:3: skipped as 2023-05-0001" in read.stderr  # the B without an entry


def test_a_row_alike_but_for_its_note_is_not_taken_for_a_voided_entry(small: Path):
    """A new incident alike but for its note to a voided entry was taken for it: it
    counted nothing, and the notice said to void the entry, void already (review X F4).
    It is booked; the voided row itself, as it was, stays voided."""
    day = "部门,条款,日期,说明\n"
    Path("w1.csv").write_text(day + "市公安局,2.4.3,2023/5/5,申请号001超时\n", encoding="utf-8")
    assert gs(small, "import", "w1.csv").stdout == "2023-05-0001\n"
    assert gs(small, "void", "2023-05-0001", "--reason", "重复").exit_code == 0
    Path("w2.csv").write_text(day + "市公安局,2.4.3,2023/5/5,申请号002超时\n", encoding="utf-8")
    other = gs(small, "import", "w2.csv")
    assert (other.exit_code, other.stdout) == (0, "2023-05-0003\n"), other.output
    assert other.stderr == "imported 1 entry, skipped 0 already recorded (by key)\n"
    again = gs(small, "import", "w1.csv")
    assert (again.stdout, again.exit_code) == ("", 0)


def test_a_row_taken_for_a_voided_entry_is_not_told_to_void_it(small: Path):
    """The voided row again, its recorder tidied: it is taken for the voided entry (it
    stays voided), and the notice said to void that entry, void already (review V F7 b)."""
    day = "部门,条款,日期,说明,记录人\n"
    Path("w1.csv").write_text(day + "市公安局,2.4.3,2023/5/5,迟办,张敏\n", encoding="utf-8")
    assert gs(small, "import", "w1.csv").stdout == "2023-05-0001\n"
    assert gs(small, "void", "2023-05-0001", "--reason", "重复").exit_code == 0
    Path("w2.csv").write_text(day + "市公安局,2.4.3,2023/5/5,迟办,李强\n", encoding="utf-8")
    notice = (
        "w2.csv:2: skipped as 2023-05-0001, recorded and voided since: the same but for its "
        "记录人; a voided row stays voided; if the row is another incident, give it a 去重键 "
        "of its own\n"
    )
    dry = gs(small, "import", "--dry-run", "w2.csv")
    assert (dry.exit_code, dry.stdout, dry.stderr) == (
        0,
        "",
        notice
        + "would import 0 entries, skip 1 already recorded (by key); nothing written (--dry-run)\n",
    )
    done = gs(small, "import", "w2.csv")
    assert (done.exit_code, done.stdout, done.stderr) == (
        0,
        "",
        notice + "imported 0 entries, skipped 1 already recorded (by key)\n",
    )


def fresh(small: Path, place: Path) -> Path:
    """A copy of the test root with nothing recorded."""
    shutil.copytree(small, place, ignore=shutil.ignore_patterns(".govscore-cache", "ledger"))
    (place / "ledger").mkdir()
    return place


def made_key(small: Path, place: Path) -> str:
    """The key govscore makes of one.csv's row (市公安局 2.4.3 超期A), as a root that
    imported it holds it: the 去重键 a clerk copies from that ledger."""
    Path("one.csv").write_text(
        "部门,条款,日期,说明\n市公安局,2.4.3,2023/5/10,超期A\n", encoding="utf-8"
    )
    elsewhere = fresh(small, place)
    assert gs(elsewhere, "import", "one.csv").exit_code == 0
    text = (elsewhere / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    made = next(line for line in text.splitlines() if line.startswith("key = ")).split('"')[1]
    assert made.startswith(MADE_KEY) and made.endswith("-1")
    return made


def keys(root: Path) -> list[tuple[str, str]]:
    """Each entry of the May ledger as (department, key), in ledger order."""
    text = (root / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    found = [
        line.split('"')[1] for line in text.splitlines() if line.startswith(("department", "key"))
    ]
    return list(zip(found[::2], found[1::2], strict=True))


@pytest.mark.parametrize("flags", [[], ["--no-cache"]])
def test_a_row_whose_made_key_another_entry_holds_is_booked_under_the_next(
    small: Path, tmp_path: Path, flags: list[str]
):
    """A 去重键 copied from the ledger onto another incident (`row-…-1`) held the made key
    of a row like no recorded entry: that row was skipped as recorded, the incident lost
    (review Z F1). It is booked under the next number, by the full review too (--no-cache,
    or a file with a matter; review AA F2)."""
    made = made_key(small, tmp_path / "elsewhere")
    Path("k1.csv").write_text(
        f"部门,条款,日期,说明,去重键\n市民政局,2.4.3,2023/5/12,别的事,{made}\n", encoding="utf-8"
    )
    assert gs(small, "import", "k1.csv").stdout == "2023-05-0001\n"
    booked = gs(small, *flags, "import", "one.csv")
    assert (booked.exit_code, booked.stdout) == (0, "2023-05-0002\n"), booked.output
    ledger = (small / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    assert f'key = "{made[:-2]}-2"' in ledger


KEYLESS = "市公安局,2.4.3,2023/5/10,超期A,\n"  # one.csv's row: its made key is made_key's


@pytest.mark.parametrize("keyless_first", [True, False])
def test_a_written_key_wins_over_a_made_one_in_either_order(
    small: Path, tmp_path: Path, keyless_first: bool
):
    """A row whose 去重键 (copied from another ledger) is the made key of a key-less row
    above it was skipped as a repeat of that row, whose key the clerk never wrote: the
    incident was lost, and only when the key-less row came first (review Z F2). The made
    key gives way, whatever the order: both rows are booked, the key-less one under the
    next number (-2), and the dry run, the kept re-run and a fresh reading agree."""
    made = made_key(small, tmp_path / "elsewhere")
    keyed = f"市体育局,2.4.3,2023/5/12,别的事,{made}\n"
    rows = [KEYLESS, keyed] if keyless_first else [keyed, KEYLESS]
    Path("mix.csv").write_text("部门,条款,日期,说明,去重键\n" + "".join(rows), encoding="utf-8")
    root = fresh(small, tmp_path / "mixed")
    dry = gs(root, "import", "--dry-run", "mix.csv")
    assert (dry.exit_code, dry.stdout, dry.stderr) == (
        0,
        "",
        "would import 2 entries, skip 0 already recorded (by key); nothing written (--dry-run)\n",
    )
    done = gs(root, "import", "mix.csv")
    assert (done.exit_code, done.stdout, done.stderr) == (
        0,
        "2023-05-0001\n2023-05-0002\n",
        "imported 2 entries, skipped 0 already recorded (by key)\n",
    )
    booked = [("市公安局", f"{made[:-2]}-2"), ("市体育局", made)]
    assert keys(root) == (booked if keyless_first else booked[::-1])
    nothing = (0, "", "imported 0 entries, skipped 2 already recorded (by key)\n")
    again = gs(root, "import", "mix.csv")  # the kept import answers
    assert (again.exit_code, again.stdout, again.stderr) == nothing
    (root / ".govscore-cache" / "import.cache").unlink()
    read = gs(root, "import", "mix.csv")
    assert (read.exit_code, read.stdout, read.stderr) == nothing


def test_a_row_booked_past_the_ledgers_keys_gives_way_to_a_written_key(small: Path, tmp_path: Path):
    """A key-less row like a recorded entry but taken for none is booked past the
    ledger's keys (see the test above the last): past the file's written keys too, or the
    row whose 去重键 it took would be skipped as a repeat of it."""
    made = made_key(small, tmp_path / "elsewhere")
    stem = made[:-2]
    assert gs(small, "import", "one.csv").stdout == "2023-05-0001\n"  # 超期A as -1
    Path("y.csv").write_text(
        f"部门,条款,日期,说明,去重键\n市民政局,2.4.3,2023/5/11,另一事,{stem}-2\n",
        encoding="utf-8",
    )
    assert gs(small, "import", "y.csv").stdout == "2023-05-0002\n"  # -2 held by 民政局
    # 超期A is recorded (taken for 0001); 超期B is like it but taken for nothing: its
    # made key -2 is the ledger's, -3 the file's 体育局 row's, so it is booked as -4.
    Path("mix.csv").write_text(
        "部门,条款,日期,说明,去重键\n"
        + KEYLESS
        + "市公安局,2.4.3,2023/5/10,超期B,\n"
        + f"市体育局,2.4.3,2023/5/12,别的事,{stem}-3\n",
        encoding="utf-8",
    )
    done = gs(small, "import", "mix.csv")
    assert (done.exit_code, done.stdout, done.stderr) == (
        0,
        "2023-05-0003\n2023-05-0004\n",
        "imported 2 entries, skipped 1 already recorded (by key)\n",
    )
    assert keys(small) == [
        ("市公安局", made),
        ("市民政局", f"{stem}-2"),
        ("市公安局", f"{stem}-4"),
        ("市体育局", f"{stem}-3"),
    ]


def test_a_matter_written_another_way_in_a_later_export_is_recorded(small: Path):
    """Review AA F3: a re-export writing the matter 安全生产“一件事” for the recorded
    安全生产一件事 (the same matter, README) was not known as recorded: the door refused it
    as the same matter counted again, and the import, all or nothing, booked none of the
    file's new rows, every day."""
    head = "部门,条款,层级,事项,日期,说明,记录人\n"
    rows = (
        "市民政局,4.2.2,市级,{matter},2023-05-11,创新,张敏\n市公安局,2.4.3,,,2023-05-12,超时,张敏\n"
    )
    Path("mt1.csv").write_text(head + rows.format(matter="安全生产一件事"), encoding="utf-8")
    assert gs(small, "import", "mt1.csv").stdout.split() == ["2023-05-0001", "2023-05-0002"]
    for day, matter in enumerate(("安全生产“一件事”", "安全生产 一件事", "安全生产一件事"), 13):
        new = f"市公安局,2.4.3,,,2023-05-{day},新的超时,张敏\n"
        Path("mt2.csv").write_text(head + rows.format(matter=matter) + new, encoding="utf-8")
        again = gs(small, "import", "mt2.csv")
        assert again.exit_code == 0, again.output
        assert again.stderr.endswith("skipped 2 already recorded (by key)\n"), again.output
    assert len(entries(small)) == 5  # the two rows, and each export's new row


def test_a_row_voided_on_appeal_stays_voided_when_the_notes_are_added_to(small: Path):
    """Review AA F1: A and B imported, A voided on appeal, then the sheet exported again
    with both notes added to (A（已核）, B（已核）): the first row was taken for B's
    entry and the second booked, B counted twice and the notice said to void B. Each row
    is taken for its own entry, A's voided one too (its note holds A's): nothing is
    booked; as is the appealed row marked 申诉成立 in a later export."""
    day = "部门,条款,日期,说明\n"
    row = "市公安局,2.4.3,2023/5/5,{}\n"
    Path("v1.csv").write_text(day + row.format("A") + row.format("B"), encoding="utf-8")
    assert gs(small, "import", "v1.csv").stdout.split() == ["2023-05-0001", "2023-05-0002"]
    assert gs(small, "void", "2023-05-0001", "--reason", "申诉成立").exit_code == 0
    Path("v2.csv").write_text(day + row.format("A（已核）") + row.format("B（已核）"), "utf-8")
    again = gs(small, "import", "v2.csv")
    assert (again.exit_code, again.stdout) == (0, ""), again.output
    assert again.stderr.splitlines()[0] == (
        "v2.csv:2: skipped as 2023-05-0001, recorded and voided since: the same but for "
        "its 说明; a voided row stays voided; if the row is another incident, give it a "
        "去重键 of its own"
    )
    assert again.stderr.splitlines()[1].startswith("v2.csv:3: skipped as 2023-05-0002,")
    Path("v3.csv").write_text(day + row.format("A（申诉成立）") + row.format("B"), "utf-8")
    third = gs(small, "import", "v3.csv")
    assert (third.exit_code, third.stdout) == (0, ""), third.output
    # 市公安局, May: only B counts: C2 = 100 − 1 = 99 → 25 + 0.40×99 + 20 + 15 = 99.6.
    month = json.loads(gs(small, "month", "2023-05", "--format", "json").stdout)
    [police] = [d for d in month["departments"] if d["department"] == "市公安局"]
    assert police["total"] == 99.6


def test_a_date_filled_in_or_left_out_since_books_nothing_again(small: Path):
    """Review AA F4: a month-only sheet imported, then exported again with its dates
    filled in, booked every row a second time without a word (README: a row's identity is
    what `add --key` compares, and that takes a date one side lacks for the same entry).
    Each row is taken for its entry and named; a row new in the export is booked; and
    the month-only sheet again, after, books nothing."""

    def sheet(name: str, dated: bool, extra: tuple[str, ...] = ()) -> None:
        rows = [("市公安局", "1", "2023-05-10", "超时A"), ("市民政局", "2", "2023-05-11", "超时B")]
        lines = ["月份,部门,条款,次数," + ("日期," if dated else "") + "说明,记录人"]
        for department, count, day, note in [*rows, *([extra] if extra else [])]:
            cells = ["2023-05", department, "2.4.3", count, *([day] if dated else []), note, "张敏"]
            lines.append(",".join(cells))
        Path(name).write_text("\n".join([*lines, ""]), encoding="utf-8")

    sheet("nd1.csv", dated=False)
    assert gs(small, "import", "nd1.csv").stdout.split() == ["2023-05-0001", "2023-05-0002"]
    sheet("nd2.csv", dated=True, extra=("市民政局", "2", "2023-05-12", "超时C"))
    dated = gs(small, "import", "nd2.csv")
    assert (dated.exit_code, dated.stdout) == (0, "2023-05-0003\n"), dated.output
    said = dated.stderr.splitlines()
    assert said[0].startswith(
        "nd2.csv:2: skipped as 2023-05-0001, already recorded: the same but for its 日期,"
    )
    assert said[1].startswith(
        "nd2.csv:3: skipped as 2023-05-0002, already recorded: the same but for its 日期,"
    )
    assert said[2] == "imported 1 entry, skipped 2 already recorded (by key)"
    again = gs(small, "import", "nd1.csv")
    assert (again.exit_code, again.stdout) == (0, ""), again.output
    # 市民政局, May: 超时B × 2 and 超时C × 2: C2 = 100 − 4 = 96 → 25 + 38.4 + 20 + 15 = 98.4.
    month = json.loads(gs(small, "month", "2023-05", "--format", "json").stdout)
    assert {d["department"]: d["total"] for d in month["departments"]}["市民政局"] == 98.4


@pytest.mark.parametrize("flags", [[], ["--no-cache"]])
@pytest.mark.parametrize("keyed_first", [True, False])
def test_a_row_with_a_copied_key_takes_its_entry_from_rows_alike_but_for_the_note(
    small: Path, flags: list[str], keyed_first: bool
):
    """Review AD F1: the ledger holds 张三's incident; a file gives that row with its
    去重键 copied from the ledger, and 李四's, alike but for its note, without one. Both
    were taken for the one entry (the keyed row by its key, the other as its note tidied),
    李四's incident lost. The keyed row is that entry; 李四's row is booked."""
    Path("one.csv").write_text("部门,条款,月份,说明\n市公安局,2.4.3,2023-05,张三\n", "utf-8")
    assert gs(small, "import", "one.csv").stdout == "2023-05-0001\n"
    text = (small / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    key = next(line for line in text.splitlines() if line.startswith("key = ")).split('"')[1]
    rows = [f"市公安局,2.4.3,2023-05,张三,{key}", "市公安局,2.4.3,2023-05,李四,"]
    if not keyed_first:
        rows.reverse()
    Path("two.csv").write_text("\n".join(["部门,条款,月份,说明,去重键", *rows, ""]), "utf-8")
    result = gs(small, *flags, "import", "two.csv")
    assert (result.exit_code, result.stdout) == (0, "2023-05-0002\n"), result.output
    assert result.stderr == "imported 1 entry, skipped 1 already recorded (by key)\n"


def test_a_row_voided_on_appeal_stays_voided_when_its_date_is_filled_in(small: Path):
    """Review AE F3 / AF F1: A and B imported without dates, A voided on appeal, then the
    sheet exported with its dates filled in: A's row was taken for B's entry and B's row
    booked, so B counted twice (the voided incident's points came back). Each row is
    taken for its own entry, A's voided one too; with notes tidied as well, each is named
    with its own entry."""
    head = "月份,部门,条款,{date}说明\n"

    def sheet(name: str, dated: bool, a: str = "A", b: str = "B") -> None:
        rows = [("2023-05-05", a), ("2023-05-06", b)]
        text = head.format(date="日期," if dated else "")
        for day, note in rows:
            text += f"2023-05,市公安局,2.4.3,{day + ',' if dated else ''}{note}\n"
        Path(name).write_text(text, encoding="utf-8")

    sheet("s1.csv", dated=False)
    assert gs(small, "import", "s1.csv").stdout.split() == ["2023-05-0001", "2023-05-0002"]
    assert gs(small, "void", "2023-05-0001", "--reason", "申诉成立").exit_code == 0
    for name, notes in (("s2.csv", ("A", "B")), ("s3.csv", ("B（已核）", "A（已核）"))):
        sheet(name, dated=True, a=notes[0], b=notes[1])
        again = gs(small, "import", name)
        assert (again.exit_code, again.stdout) == (0, ""), again.output
        said = again.stderr.splitlines()
        first = "2023-05-0001" if notes[0].startswith("A") else "2023-05-0002"
        second = "2023-05-0002" if first == "2023-05-0001" else "2023-05-0001"
        assert said[0].startswith(f"{name}:2: skipped as {first}"), again.stderr
        assert said[1].startswith(f"{name}:3: skipped as {second}"), again.stderr
    # 市公安局, May: B alone counts: C2 = 100 − 1 = 99 → 25 + 0.40×99 + 20 + 15 = 99.6.
    month = json.loads(gs(small, "month", "2023-05", "--format", "json").stdout)
    assert {d["department"]: d["total"] for d in month["departments"]}["市公安局"] == 99.6


@pytest.mark.parametrize("keyed_first", [True, False])
def test_a_copied_key_below_a_row_alike_reserves_its_entry(small: Path, keyed_first: bool):
    """Review AE F4: the ledger holds 张三's incident; a file gives a key-less row alike
    to it (the same note too) above the row carrying its copied 去重键: the key-less row
    took the entry, the keyed row was skipped by its key, nothing booked; in the other
    order one row was booked. The keyed row's entry is its own whatever the order: the
    key-less row is another incident, booked."""
    Path("one.csv").write_text("部门,条款,月份,说明\n市公安局,2.4.3,2023-05,张三\n", "utf-8")
    assert gs(small, "import", "one.csv").stdout == "2023-05-0001\n"
    text = (small / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    key = next(line for line in text.splitlines() if line.startswith("key = ")).split('"')[1]
    rows = [f"市公安局,2.4.3,2023-05,张三,{key}", "市公安局,2.4.3,2023-05,张三,"]
    if not keyed_first:
        rows.reverse()
    Path("two.csv").write_text("\n".join(["部门,条款,月份,说明,去重键", *rows, ""]), "utf-8")
    result = gs(small, "import", "two.csv")
    assert (result.exit_code, result.stdout) == (0, "2023-05-0002\n"), result.output


def test_a_date_filled_in_beside_a_row_of_that_date_is_still_its_own_entry(small: Path):
    """Review AH F1, F2: 001 recorded without a date, 002 (alike but for its note) on
    5/10; the export then gives 001 the date 5/10: its dated identity is 002's entry's,
    taken by 002's row, and 001's row was booked again, never compared with its own entry
    without a date. So too a row voided on appeal (乙, annotated) whose date is filled in
    beside a live one of that date: it came back."""
    head = "部门,条款,月份,日期,说明\n"
    Path("d1.csv").write_text(
        head
        + "市公安局,2.4.3,2023-05,,申请号001超时\n市公安局,2.4.3,2023-05,2023/5/10,申请号002超时\n",
        encoding="utf-8",
    )
    assert gs(small, "import", "d1.csv").stdout.split() == ["2023-05-0001", "2023-05-0002"]
    Path("d2.csv").write_text(
        head
        + "市公安局,2.4.3,2023-05,2023/5/10,申请号001超时\n市公安局,2.4.3,2023-05,2023/5/10,申请号002超时\n",
        encoding="utf-8",
    )
    filled = gs(small, "import", "d2.csv")
    assert (filled.exit_code, filled.stdout) == (0, ""), filled.output
    assert filled.stderr.startswith(
        "d2.csv:2: skipped as 2023-05-0001, already recorded: the same but for its 日期,"
    )
    # 乙 without a date, voided on appeal; 丙 on 5/2. Annotated, then dated 5/2: voided still.
    Path("v1.csv").write_text(
        head + "市民政局,2.4.3,2023-05,,乙件超期\n市民政局,2.4.3,2023-05,2023/5/2,丙件超期\n",
        encoding="utf-8",
    )
    assert gs(small, "import", "v1.csv").stdout.split() == ["2023-05-0003", "2023-05-0004"]
    assert gs(small, "void", "2023-05-0003", "--reason", "申诉成立").exit_code == 0
    Path("v2.csv").write_text(
        head
        + "市民政局,2.4.3,2023-05,2023/5/2,乙件超期（申诉成立）\n市民政局,2.4.3,2023-05,2023/5/2,丙件超期\n",
        encoding="utf-8",
    )
    dated = gs(small, "import", "v2.csv")
    assert (dated.exit_code, dated.stdout) == (0, ""), dated.output
    assert dated.stderr.startswith("v2.csv:2: skipped as 2023-05-0003, recorded and voided since")
    # May: 市公安局 −2 → C2 98 → 99.2; 市民政局 丙 alone −1 → C2 99 → 99.6.
    month = json.loads(gs(small, "month", "2023-05", "--format", "json").stdout)
    found = {d["department"]: d["total"] for d in month["departments"]}
    assert (found["市公安局"], found["市民政局"]) == (99.2, 99.6)


def test_a_row_with_its_own_note_across_a_missing_date_is_matched_first(small: Path):
    """Review AI F2, F1: 甲 recorded without a date; the next export gives 甲 a date and
    adds 丙 without one: 丙 (alike but for its note) took 甲's entry and 甲 was booked
    again, 丙 lost. And 乙 (dated, voided on appeal) annotated with its date cleared, beside
    甲 given 乙's date: 乙's row took 甲's live entry, 甲 booked again. A row is its own
    entry across a missing date, its note the same, before rows are paired by note."""
    head = "部门,条款,月份,日期,说明\n"
    Path("a1.csv").write_text(head + "市公安局,2.4.3,2023-05,,甲件超期\n", encoding="utf-8")
    assert gs(small, "import", "a1.csv").stdout == "2023-05-0001\n"
    Path("a2.csv").write_text(
        head + "市公安局,2.4.3,2023-05,2023/5/10,甲件超期\n市公安局,2.4.3,2023-05,,丙件超期\n",
        encoding="utf-8",
    )
    second = gs(small, "import", "a2.csv")
    assert (second.exit_code, second.stdout) == (0, "2023-05-0002\n"), second.output
    notes = [e["note"] for e in json.loads(gs(small, "log", "--format", "json").stdout)]
    assert notes == ["甲件超期", "丙件超期"]
    Path("b1.csv").write_text(
        head + "市民政局,2.4.3,2023-05,,甲件超期\n市民政局,2.4.3,2023-05,2023/5/10,乙件超期\n",
        encoding="utf-8",
    )
    assert gs(small, "import", "b1.csv").stdout.split() == ["2023-05-0003", "2023-05-0004"]
    assert gs(small, "void", "2023-05-0004", "--reason", "申诉成立").exit_code == 0
    Path("b2.csv").write_text(
        head
        + "市民政局,2.4.3,2023-05,2023/5/10,甲件超期\n市民政局,2.4.3,2023-05,,乙件超期（申诉成立）\n",
        encoding="utf-8",
    )
    third = gs(small, "import", "b2.csv")
    assert (third.exit_code, third.stdout) == (0, ""), third.output
    said = third.stderr.splitlines()
    assert said[0].startswith("b2.csv:2: skipped as 2023-05-0003, already recorded")
    assert said[1].startswith("b2.csv:3: skipped as 2023-05-0004, recorded and voided since")


def test_a_live_entry_is_taken_before_a_voided_one_noted_alike(small: Path):
    """Review AJ F1: two month-only rows noted alike (0001, 0002), 0001 voided on appeal;
    the next export annotates the voided row, dates the other and adds 乙: the dated row
    took the voided 0001 (first in the ledger), 乙 the live 0002, the annotated row was
    booked: the voided incident back, 乙 lost. A live entry is taken first."""
    head = "部门,条款,月份,日期,说明\n"
    row = "市公安局,2.4.3,2023-05,{},{}\n"
    Path("d1.csv").write_text(head + row.format("", "甲件超期") * 2, encoding="utf-8")
    assert gs(small, "import", "d1.csv").stdout.split() == ["2023-05-0001", "2023-05-0002"]
    assert gs(small, "void", "2023-05-0001", "--reason", "申诉成立").exit_code == 0
    Path("d2.csv").write_text(
        head
        + row.format("", "甲件超期（申诉成立）")
        + row.format("2023/5/10", "甲件超期")
        + row.format("", "乙件超期"),
        encoding="utf-8",
    )
    day2 = gs(small, "import", "d2.csv")
    assert (day2.exit_code, day2.stdout) == (0, "2023-05-0004\n"), day2.output
    said = day2.stderr.splitlines()
    assert said[0].startswith("d2.csv:2: skipped as 2023-05-0001, recorded and voided since")
    assert said[1].startswith("d2.csv:3: skipped as 2023-05-0002, already recorded")
    notes = [e["note"] for e in json.loads(gs(small, "log", "--format", "json").stdout)]
    assert notes[-2:] == [None, "乙件超期"]  # the void (no note), then 乙


def test_a_voided_row_stays_voided_in_a_group_past_the_pairing_limit(small: Path):
    """Review AJ F2: 65 incidents alike but for their notes (65 × 65 pairs, past the
    limit on comparing notes), one voided on appeal; every note tidied, the voided one
    annotated: past the limit rows were paired with live entries in order, the voided
    row took a live one and the last row was booked, one deduction counted twice."""
    head = "部门,条款,月份,说明\n"
    notes = [f"申请{n:03d}超时" for n in range(65)]
    Path("g1.csv").write_text(
        head + "".join(f"市公安局,2.4.3,2023-05,{note}\n" for note in notes), encoding="utf-8"
    )
    assert len(gs(small, "import", "g1.csv").stdout.split()) == 65
    assert gs(small, "void", "2023-05-0001", "--reason", "申诉成立").exit_code == 0
    tidied = [f"{notes[0]}（申诉成立）", *(f"{note}（核）" for note in notes[1:])]
    Path("g2.csv").write_text(
        head + "".join(f"市公安局,2.4.3,2023-05,{note}\n" for note in tidied), encoding="utf-8"
    )
    again = gs(small, "import", "g2.csv")
    assert (again.exit_code, again.stdout) == (0, ""), again.output
    assert again.stderr.splitlines()[0].startswith(
        "g2.csv:2: skipped as 2023-05-0001, recorded and voided since"
    )


def test_a_new_row_noted_otherwise_takes_no_entry_of_a_row_whose_date_was_cleared(small: Path):
    """Review AK F1: 甲 and 乙 recorded on 5/10; the next export clears 甲's date and tidies
    its note (甲件超期（核）), keeps 乙, and adds a new 5/10 row noted otherwise: the new
    row took 甲's entry (alike but for its note) before 甲's row was compared across its
    missing date, 甲 booked again, the new incident lost. Pairs are taken best first
    across both: a note that holds the entry's before notes merely alike."""
    head = "部门,条款,月份,日期,说明\n"
    row = "市公安局,2.4.3,2023-05,{},{}\n"
    Path("d1.csv").write_text(
        head + row.format("2023/5/10", "甲件超期") + row.format("2023/5/10", "乙件超期"), "utf-8"
    )
    assert gs(small, "import", "d1.csv").stdout.split() == ["2023-05-0001", "2023-05-0002"]
    Path("d2.csv").write_text(
        head
        + row.format("", "甲件超期（核）")
        + row.format("2023/5/10", "乙件超期")
        + row.format("2023/5/10", "丙件超期"),
        encoding="utf-8",
    )
    day2 = gs(small, "import", "d2.csv")
    assert (day2.exit_code, day2.stdout) == (0, "2023-05-0003\n"), day2.output
    assert day2.stderr.startswith(
        "d2.csv:2: skipped as 2023-05-0001, already recorded: the same but for its 说明 and 日期,"
    )
    notes = [e["note"] for e in json.loads(gs(small, "log", "--format", "json").stdout)]
    assert notes == ["甲件超期", "乙件超期", "丙件超期"]


def test_the_row_annotated_since_is_the_voided_entrys_before_one_noted_the_same(small: Path):
    """Review AK F2: 超期 recorded and voided on appeal; the next export lists it annotated
    (超期（申诉成立）) and a new incident noted 超期: the new row took the voided entry
    (its very note) and the annotated row was booked, the appeal undone."""
    head = "部门,条款,月份,说明\n"
    Path("v1.csv").write_text(head + "市公安局,2.4.3,2023-05,超期\n", encoding="utf-8")
    assert gs(small, "import", "v1.csv").stdout == "2023-05-0001\n"
    assert gs(small, "void", "2023-05-0001", "--reason", "申诉成立").exit_code == 0
    Path("v2.csv").write_text(
        head + "市公安局,2.4.3,2023-05,超期（申诉成立）\n市公安局,2.4.3,2023-05,超期\n", "utf-8"
    )
    day2 = gs(small, "import", "v2.csv")
    assert (day2.exit_code, day2.stdout) == (0, "2023-05-0003\n"), day2.output
    assert day2.stderr.startswith("v2.csv:2: skipped as 2023-05-0001, recorded and voided since")
    entries_now = json.loads(gs(small, "log", "--format", "json").stdout)
    assert [(e["id"], e["note"]) for e in entries_now][-1] == ("2023-05-0003", "超期")


def test_of_two_entries_noted_alike_a_row_takes_the_live_one_first(small: Path):
    """Review AL F1: 甲 recorded twice (0001, 0002), 0001 voided on appeal; the export then
    lists 甲（申诉成立） and 甲（核）: each row was named with the other's entry, the tidied
    row told it stays voided. Of two entries alike to a row, the live one first: the
    closer row (甲（核）) takes the live 0002, the annotated one the voided 0001."""
    head = "部门,条款,月份,日期,说明\n"
    row = "市公安局,2.4.3,2023-05,2023/5/10,{}\n"
    Path("d1.csv").write_text(head + row.format("甲件超期") * 2, encoding="utf-8")
    assert gs(small, "import", "d1.csv").stdout.split() == ["2023-05-0001", "2023-05-0002"]
    assert gs(small, "void", "2023-05-0001", "--reason", "申诉成立").exit_code == 0
    Path("d2.csv").write_text(
        head + row.format("甲件超期（申诉成立）") + row.format("甲件超期（核）"), encoding="utf-8"
    )
    day2 = gs(small, "import", "d2.csv")
    assert (day2.exit_code, day2.stdout) == (0, ""), day2.output
    said = day2.stderr.splitlines()
    assert said[0].startswith("d2.csv:2: skipped as 2023-05-0001, recorded and voided since")
    assert said[1].startswith("d2.csv:3: skipped as 2023-05-0002, already recorded")


def test_as_many_rows_are_paired_as_can_be(small: Path):
    """Review AM F1: 张三件超期 (5/10, voided on appeal) and 张三件超期未办结 (5/12); the next
    export annotates the first (张三件超期（申诉成立）, 5/10) and clears the second's date,
    tidying it to 张三件超期，未办结. The second row, whose note holds 张三件超期, took
    the voided entry first (its closest), leaving the annotated row, whose only entry
    that was, to be booked: the appeal undone. As many rows are paired as can be, each
    keeping its best entry where the count allows; a remark in brackets marks a row
    annotated since."""
    head = "部门,条款,月份,日期,说明\n"
    row = "市公安局,2.4.3,2023-05,{},{}\n"
    Path("d1.csv").write_text(
        head + row.format("2023/5/10", "张三件超期") + row.format("2023/5/12", "张三件超期未办结"),
        encoding="utf-8",
    )
    assert gs(small, "import", "d1.csv").stdout.split() == ["2023-05-0001", "2023-05-0002"]
    assert gs(small, "void", "2023-05-0001", "--reason", "申诉成立").exit_code == 0
    Path("d2.csv").write_text(
        head
        + row.format("2023/5/10", "张三件超期（申诉成立）")
        + row.format("", "张三件超期，未办结"),
        encoding="utf-8",
    )
    day2 = gs(small, "import", "d2.csv")
    assert (day2.exit_code, day2.stdout) == (0, ""), day2.output
    said = day2.stderr.splitlines()
    assert said[0].startswith("d2.csv:2: skipped as 2023-05-0001, recorded and voided since")
    assert said[1].startswith("d2.csv:3: skipped as 2023-05-0002, already recorded")


def test_past_the_pairing_limit_as_many_rows_are_paired_as_can_be(small: Path):
    """Review AN F1: 70 incidents of one department, clause and month, 件001–件069 on 5/10
    and 件070 on 5/12; the next export lists 件070 first with its date cleared and tidies
    every note: past the limit on comparing notes rows took entries in file order, the
    undated first row 件001's, and 件069's row was booked, one deduction counted twice."""
    head = "部门,条款,月份,日期,说明\n"
    rows = [("2023/5/10", f"件{n:03d}") for n in range(1, 70)] + [("2023/5/12", "件070")]
    line = "市公安局,2.4.3,2023-05,{},{}\n"
    Path("n1.csv").write_text(head + "".join(line.format(*r) for r in rows), "utf-8")
    assert len(gs(small, "import", "n1.csv").stdout.split()) == 70
    tidied = [("", "件070（核）"), *((day, f"{note}（核）") for day, note in rows[:-1])]
    Path("n2.csv").write_text(head + "".join(line.format(*r) for r in tidied), "utf-8")
    again = gs(small, "import", "n2.csv")
    assert (again.exit_code, again.stdout) == (0, ""), again.output
    said = again.stderr.splitlines()
    assert said[0].startswith("n2.csv:2: skipped as 2023-05-0070, already recorded")
    assert said[1].startswith("n2.csv:3: skipped as 2023-05-0001, already recorded")


@pytest.mark.parametrize(
    "day2",
    [
        ",\n市民政局,2.4.3,1,2023-05-15,\n",  # the same row, a new row below it
        ",\n",  # …alone, with an empty cell more: a file not byte-identical
        "（申诉成立）\n",  # annotated on appeal
    ],
)
def test_a_voided_row_without_a_note_stays_voided(small: Path, day2: str):
    """Review AO F1: a row without a 说明, voided on appeal, came back as a live deduction
    in the next export that was not byte-identical (one more row; an annotation): one
    note holding the other was asked of the voided entry, and an empty note holds
    nothing. Two empty notes are the same note; a remark alone is one added to none."""
    head = "部门,条款,次数,日期,说明\n"
    Path("d1.csv").write_text(head + "市公安局,2.4.3,1,2023-05-12,\n", encoding="utf-8")
    assert gs(small, "import", "d1.csv").stdout == "2023-05-0001\n"
    assert gs(small, "void", "2023-05-0001", "--reason", "申诉成立").exit_code == 0
    Path("d2.csv").write_text(head + "市公安局,2.4.3,1,2023-05-12," + day2, encoding="utf-8")
    again = gs(small, "import", "d2.csv")
    new = ["2023-05-0003"] if "市民政局" in day2 else []
    assert (again.exit_code, again.stdout.split()) == (0, new), again.output
    if "申诉" in day2:  # the unchanged row is the entry as recorded: nothing to say
        assert again.stderr.startswith("d2.csv:2: skipped as 2023-05-0001, recorded and voided")
    else:
        assert (
            again.stderr
            == f"imported {len(new)} entr{'y' if new else 'ies'}, skipped 1 already recorded (by key)\n"
        )


def test_a_row_taking_its_own_note_leaves_no_other_row_booked(small: Path):
    """Review AO F2 a: three rows noted 超期 (two on 5/12, one month-only), the first
    voided on appeal; the next export fills in the month-only row's date (5/20). Each
    row took the first entry of its own note in file order (line 2 the live 0002, line
    3 the month-only 0003 across its missing date), and line 4 was booked: three live
    deductions for two incidents. A row takes an entry of its own note unless another
    row would then have none: 2 → 0002, 3 → the voided 0001 (noted the same), 4 → 0003."""
    head = "部门,条款,次数,日期,说明,月份\n"
    row = "市公安局,2.4.3,1,{},超期,2023-05\n"
    Path("d1.csv").write_text(head + row.format("2023-05-12") * 2 + row.format(""), "utf-8")
    assert len(gs(small, "import", "d1.csv").stdout.split()) == 3
    assert gs(small, "void", "2023-05-0001", "--reason", "申诉成立").exit_code == 0
    Path("d2.csv").write_text(
        head + row.format("2023-05-12") * 2 + row.format("2023-05-20"), encoding="utf-8"
    )
    again = gs(small, "import", "d2.csv")
    assert (again.exit_code, again.stdout) == (0, ""), again.output
    # Lines 2 and 3 are the entries as recorded (nothing to say); line 4 differs by its date.
    said = again.stderr.splitlines()
    assert said[0].startswith("d2.csv:4: skipped as 2023-05-0003, already recorded: the same but")
    assert said[1:] == ["imported 0 entries, skipped 3 already recorded (by key)"]
    assert gs(small, "import", "d2.csv").stdout == ""


@pytest.mark.parametrize("cleared_first", [True, False])
def test_a_date_cleared_on_one_row_and_filled_in_on_another_books_nothing(
    small: Path, cleared_first: bool
):
    """Review AO F2 b: 超期 on 5/12 and 超期 month-only recorded; the next export clears
    the first's date and fills in the second's (5/20). The cleared row took the
    month-only entry (its own note, its own identity) and the dated row, whose only
    entry that was, was booked. The cleared row takes the 5/12 entry across its
    missing date instead, and the row of 5/20 the month-only one."""
    head = "部门,条款,次数,日期,说明,月份\n"
    row = "市公安局,2.4.3,1,{},超期,2023-05\n"
    Path("d1.csv").write_text(head + row.format("2023-05-12") + row.format(""), "utf-8")
    assert gs(small, "import", "d1.csv").stdout.split() == ["2023-05-0001", "2023-05-0002"]
    rows = [row.format(""), row.format("2023-05-20")]
    Path("d2.csv").write_text(head + "".join(rows if cleared_first else rows[::-1]), "utf-8")
    again = gs(small, "import", "d2.csv")
    assert (again.exit_code, again.stdout) == (0, ""), again.output
    cleared, filled = (2, 3) if cleared_first else (3, 2)
    said = sorted(again.stderr.splitlines()[:2])
    assert said[0].startswith(f"d2.csv:{min(cleared, filled)}: skipped as ")
    assert f"d2.csv:{cleared}: skipped as 2023-05-0001" in again.stderr
    assert f"d2.csv:{filled}: skipped as 2023-05-0002" in again.stderr


def test_a_reworded_row_beside_its_voided_twin_books_nothing(small: Path):
    """Review AO F2 c: two rows noted 超期, the second voided on appeal; the next export
    rewords the live one 逾期: the unchanged row took the live entry (its own note) and
    逾期, which may not take a voided entry it does not hold, was booked: one incident
    counted twice. The unchanged row takes the voided entry, noted the same, so that
    逾期 keeps the live one."""
    head = "部门,条款,次数,月份,说明\n"
    row = "市公安局,2.4.3,1,2023-05,{}\n"
    Path("d1.csv").write_text(head + row.format("超期") * 2, "utf-8")
    assert gs(small, "import", "d1.csv").stdout.split() == ["2023-05-0001", "2023-05-0002"]
    assert gs(small, "void", "2023-05-0002", "--reason", "申诉成立").exit_code == 0
    Path("d2.csv").write_text(head + row.format("逾期") + row.format("超期"), "utf-8")
    again = gs(small, "import", "d2.csv")
    assert (again.exit_code, again.stdout) == (0, ""), again.output
    # Line 3 is the voided entry as recorded (nothing to say); line 2 differs by its note.
    said = again.stderr.splitlines()
    assert said[0].startswith("d2.csv:2: skipped as 2023-05-0001, already recorded")
    assert said[1:] == ["imported 0 entries, skipped 2 already recorded (by key)"]


@pytest.mark.parametrize("both", [True, False])
def test_a_note_opening_with_brackets_is_no_remark_on_a_voided_row_without_a_note(
    small: Path, both: bool
):
    """Review AS F1: a row without a 说明, voided on appeal; the next export adds a new
    incident of the same day noted 【12345热线】群众投诉办件超期. A note that opened with a
    bracket was taken for a remark added to none: the new incident took the voided
    entry, and the voided row was booked again (or, alone, the new incident was lost).
    A remark is one group in brackets and nothing more."""
    head = "部门,条款,次数,日期,说明\n"
    row = "市公安局,2.4.3,1,2023-05-12,{}\n"
    Path("d1.csv").write_text(head + row.format(""), encoding="utf-8")
    assert gs(small, "import", "d1.csv").stdout == "2023-05-0001\n"
    assert gs(small, "void", "2023-05-0001", "--reason", "申诉成立").exit_code == 0
    new = row.format("【12345热线】群众投诉办件超期")
    Path("d2.csv").write_text(head + (row.format("") if both else "") + new, encoding="utf-8")
    again = gs(small, "import", "d2.csv")
    assert (again.exit_code, again.stdout) == (0, "2023-05-0003\n"), again.output
    assert again.stderr == f"imported 1 entry, skipped {int(both)} already recorded (by key)\n"
    notes = [e["note"] for e in json.loads(gs(small, "log", "--format", "json").stdout)]
    assert notes[-1] == "【12345热线】群众投诉办件超期"


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cached", "ledger"])
def test_a_row_booked_twice_is_the_live_copys_once_the_first_is_voided(
    small: Path, cache: list[str]
):
    """Two clones each imported the row and a merge kept both; the first copy is voided
    as the duplicate (review AT F4): the second counts, and the row again, its note
    tidied, is taken for the second, not said to be voided."""
    day = "部门,条款,日期,说明\n"
    Path("w1.csv").write_text(day + "市公安局,2.4.3,2023/5/5,迟办\n", encoding="utf-8")
    assert gs(small, "import", "w1.csv").stdout == "2023-05-0001\n"
    path = small / "ledger" / "2023-05.toml"
    text = path.read_text(encoding="utf-8")
    key = next(line for line in text.splitlines() if line.startswith("key = "))
    copy = (
        '\n[[entry]]\nid = "2023-05-0001-b2"\ndepartment = "市公安局"\nclause = "2.4.3"\n'
        f'date = 2023-05-05\nnote = "迟办"\n{key.split("  #")[0]}\n'
    )
    path.write_text(text + copy, encoding="utf-8")
    assert gs(small, "void", "2023-05-0001", "--reason", "重复导入").exit_code == 0
    assert gs(small, *cache, "check").exit_code == 0
    Path("w2.csv").write_text(day + "市公安局,2.4.3,2023/5/5,迟办（核）\n", encoding="utf-8")
    again = gs(small, *cache, "import", "--dry-run", "w2.csv")
    assert (again.exit_code, again.stdout) == (0, "")
    assert again.stderr.startswith(
        "w2.csv:2: skipped as 2023-05-0001-b2, already recorded: the same but for its 说明"
    ), again.stderr
    assert gs(small, *cache, "import", "w1.csv").stdout == ""  # booked once, still


@pytest.mark.parametrize(
    "remark", ["(申诉成立）", "（申诉成立)", "（申诉成立）。", "（经复核（二次）成立）"]
)
def test_a_remark_typed_in_mixed_brackets_keeps_a_row_without_a_note_voided(
    small: Path, remark: str
):
    """Review AV F2: a row without a 说明, voided on appeal, annotated in the next export
    with brackets of two widths as an input method types them, (申诉成立）, or with a full
    stop after them, or brackets inside: none was a remark any more, and the voided row
    was booked again."""
    head = "部门,条款,次数,月份,说明\n"
    Path("d1.csv").write_text(head + "市公安局,2.4.3,1,2023-05,\n", encoding="utf-8")
    assert gs(small, "import", "d1.csv").stdout == "2023-05-0001\n"
    assert gs(small, "void", "2023-05-0001", "--reason", "申诉成立").exit_code == 0
    Path("d2.csv").write_text(head + f"市公安局,2.4.3,1,2023-05,{remark}\n", encoding="utf-8")
    again = gs(small, "import", "d2.csv")
    assert (again.exit_code, again.stdout) == (0, ""), again.output
    assert again.stderr.startswith("d2.csv:2: skipped as 2023-05-0001, recorded and voided since")
