"""`govscore import FILE.csv`: encodings, all-or-nothing, idempotency, months, exit codes,
and scores computed from imported rows, worked by hand.

A small root with three departments keeps whole outputs short enough to read. Each test
runs in its own folder, so file names in messages are short and exact.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import process_env, run_process
from govscore.cli.commands import cli
from govscore.ledger.importing import decode, plan, read_table
from govscore.ledger.text import parse_toml_ledger


def gs(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def write(name: str, text: str, encoding: str = "utf-8") -> Path:
    path = Path(name)
    path.write_bytes(text.encode(encoding))
    return path


def ledger(root: Path, month: str) -> list[dict[str, object]]:
    """A month's entries as govscore reads them back, without the recorded stamp."""
    path = root / "ledger" / f"{month}.toml"
    parsed = parse_toml_ledger(path.read_text(encoding="utf-8"), path.name, month)
    assert parsed.problems == ()
    rows = []
    for entry in parsed.entries:
        fields = {
            k: v
            for k, v in entry._asdict().items()
            if v not in (None, False) and k not in ("file", "line", "recorded")
        }
        assert entry.recorded  # stamped at import
        rows.append(fields)
    return rows


def ledger_bytes(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "ledger").iterdir())}


ROWS = """\
department,clause,count,date,note,key
公安局,2.4.3,2,2023-05-03,迟办（窗口）,wx-1
市民政局,2.4.3,1,2023-05-20,"超时, 两天",wx-2
"""


def test_utf8_file_imports_every_row_and_prints_the_ids(small: Path):
    write("rows.csv", ROWS)
    result = gs(small, "import", "rows.csv", "--by", "cron")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2023-05-0001\n2023-05-0002\n"
    assert result.stderr == "imported 2 entries, skipped 0 already recorded (by key)\n"
    assert ledger(small, "2023-05") == [
        {
            "id": "2023-05-0001",
            "month": "2023-05",
            "department": "市公安局",  # the alias is stored as the full name
            "clause": "2.4.3",
            "count": 2,
            "date": date(2023, 5, 3),
            "note": "迟办（窗口）",
            "by": "cron",
            "key": "wx-1",
        },
        {
            "id": "2023-05-0002",
            "month": "2023-05",
            "department": "市民政局",
            "clause": "2.4.3",
            "count": 1,
            "date": date(2023, 5, 20),
            "note": "超时, 两天",
            "by": "cron",
            "key": "wx-2",
        },
    ]


@pytest.mark.parametrize(
    ("encoding", "read_as"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")],
)
def test_excel_encodings_are_detected(small: Path, encoding: str, read_as: str):
    """UTF-8, Excel's "CSV UTF-8" (with a BOM) and Chinese Excel's plain "CSV" (GB18030)."""
    path = write("rows.csv", ROWS.replace("\n", "\r\n"), encoding)  # Excel ends lines CRLF
    assert decode(path.read_bytes(), "rows.csv")[1] == read_as
    result = gs(small, "import", "rows.csv", "--by", "cron")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2023-05-0001\n2023-05-0002\n"
    entries = ledger(small, "2023-05")
    assert [(e["department"], e["note"], e["key"]) for e in entries] == [
        ("市公安局", "迟办（窗口）", "wx-1"),
        ("市民政局", "超时, 两天", "wx-2"),
    ]


def test_gb18030_bytes_are_not_utf8(small: Path):
    # The point of detection: these bytes would be mojibake (or an error) read as UTF-8.
    data = ROWS.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode(data, "rows.csv") == (ROWS, "gb18030")


def test_encoding_option_forces_the_reading(small: Path):
    write("rows.csv", ROWS, "gb18030")
    forced = gs(small, "import", "rows.csv", "--encoding", "GB18030", "--by", "cron")
    assert forced.exit_code == 0 and forced.stdout == "2023-05-0001\n2023-05-0002\n"
    write("other.csv", ROWS.replace("wx-", "wy-"), "gb18030")
    wrong = gs(small, "import", "other.csv", "--encoding", "utf-8")
    assert wrong.exit_code == 1
    assert wrong.stderr == (
        "error: other.csv:2: not utf-8 text (byte 0xb9 cannot be read); check --encoding\n"
    )
    unknown = gs(small, "import", "other.csv", "--encoding", "klingon")
    assert unknown.exit_code == 2
    assert "unknown encoding" in unknown.stderr


def test_an_undecodable_file_is_a_clear_error(small: Path):
    Path("bad.csv").write_bytes(b"department,clause\n\xff\xfe\xfa,2.4.3\n")
    result = gs(small, "import", "bad.csv")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: bad.csv:2: neither UTF-8 nor GB18030 text (byte 0xff cannot be read); "
        "save it as “CSV UTF-8”, or name its encoding with --encoding\n"
    )
    Path("u16.csv").write_bytes("department,clause\n".encode("utf-16"))
    utf16 = gs(small, "import", "u16.csv")
    assert utf16.exit_code == 1 and "UTF-16 text" in utf16.stderr
    assert not (small / "ledger" / "2023-05.toml").exists()


BAD_ROWS = """\
department,clause,count,points,date,month,note
公安局,2.4.3,1,,2023-05-03,,fine
公安局,2.4.3,x,,2023-05-03,,count is not a number
市民政局,2.4.3,1,,2023-05-04,,fine
无名局,2.4.3,1,,2023-05-05,,unknown department
体育,2.4.10,1,,2023-05-06,,"a range clause
without points, its note on two lines"
体育,2.4.3,1,,,,no date and no month
体育,2.4.3,1,,2023/05/32,,no such day
体育,2.4.3,1,,,5月,a month without its year
体育,2.4.3,1,,2023-05-09,,too many cells,x
体育,2.4.3,1,,2023-07-09,2023-05,date after its month
"""


def test_one_bad_row_writes_nothing_and_every_bad_row_is_named(small: Path):
    assert gs(small, "add", "-d", "体育", "-c", "2.4.3", "--month", "2023-05").exit_code == 0
    before = ledger_bytes(small)
    write("rows.csv", BAD_ROWS)
    result = gs(small, "import", "rows.csv")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "rows.csv:3: count: 'x' is not a whole number\n"
        "rows.csv:5: department: unknown department '无名局' "
        "(run `govscore departments` for the list)\n"
        "rows.csv:6: points: clause 2.4.10 needs points between 1 and 3\n"
        "rows.csv:8: month: the row has no month: give it a date or a month column (YYYY-MM), "
        "or pass --month\n"
        "rows.csv:9: date: '2023/05/32' is not a date (2023-05-23, 2023/5/23 or 2023年5月23日), "
        "so the row has no month (add a month column or pass --month)\n"
        "rows.csv:10: month: '5月' is not a month (2023-05, 2023/5 or 2023年5月)\n"
        "rows.csv:11: 8 cells, but the header names 7 columns "
        "(a comma too many, or a cell with a comma that is not in quotes?)\n"
        "rows.csv:12: date: date 2023-07-09 is after the end of the entry's month 2023-05 "
        "(2023-05-31); record it in the month it happened\n"
        "error: rejected rows.csv: 8 problems; nothing imported, the ledger is unchanged\n"
    )
    assert ledger_bytes(small) == before


def test_every_problem_of_a_row_is_named_in_one_run(small: Path):
    """A row with a misspelt department, a count that is no number and a day its month
    lacks is told of all three at once, each with its column, left to right: one run to
    mend it, not three. A row the door refuses (a rate written as a fraction) is told of
    its department too. Nothing is written."""
    before = ledger_bytes(small)
    write(
        "rows.csv",
        "department,clause,count,value,date,note\n"
        "市公按局,2.4.3,abc,,2023/6/31,three problems\n"
        "市公按局,2.5.2,,0.935,2023/6/30,two problems\n"
        "公安局,2.4.3,1,,2023/6/30,fine\n",
    )
    result = gs(small, "import", "rows.csv")
    assert result.exit_code == 1
    assert result.stdout == ""
    unknown = (
        "department: unknown department '市公按局'; did you mean 市公安局 or 市民政局 or 市体育局? "
        "(run `govscore departments` for the list)"
    )
    assert result.stderr == (
        f"rows.csv:2: {unknown}\n"
        "rows.csv:2: count: 'abc' is not a whole number\n"
        "rows.csv:2: date: '2023/6/31' is not a date (2023-05-23, 2023/5/23 or 2023年5月23日), "
        "so the row has no month (add a month column or pass --month)\n"
        f"rows.csv:3: {unknown}\n"
        "rows.csv:3: value: value 0.935 looks like a fraction, but rates are written in "
        "percent: did you mean 93.5? (give --force if 0.935% is meant)\n"
        "error: rejected rows.csv: 5 problems; nothing imported, the ledger is unchanged\n"
    )
    assert ledger_bytes(small) == before


def test_unknown_columns_are_named_with_a_suggestion(small: Path):
    write("rows.csv", "departmnet,Clause,id,void,count,count\n公安局,2.4.3,x,y,1,1\n")
    result = gs(small, "import", "rows.csv")
    assert result.exit_code == 1
    allowed = (
        "(allowed: department, clause, count, points, level, value, numerator, denominator, "
        "matter, ref, recurring, date, note, by, key, month; or in Chinese: 部门, 条款, 次数, "
        "分值, 层级, 比率, 分子, 分母, 事项, 关联, 逐月计分, 日期, 月份, 说明, 记录人, 去重键)"
    )
    assert result.stderr == (
        f"rows.csv:1: unknown column 'departmnet'; did you mean 'department'? {allowed}\n"
        f"rows.csv:1: unknown column 'Clause'; did you mean 'clause'? {allowed}\n"
        "rows.csv:1: column 'id' is not allowed: govscore assigns ids; leave the id column "
        "out (use key to make a row idempotent)\n"
        "rows.csv:1: column 'void' is not allowed: voids are recorded one at a time with "
        "`govscore void ID --reason …`\n"
        "rows.csv:1: column 'count' appears twice; keep one of them\n"
        "error: rejected rows.csv: 5 problems; nothing imported, the ledger is unchanged\n"
    )
    assert not (small / "ledger" / "2023-05.toml").exists()


def test_the_same_import_twice_adds_nothing_the_second_time(small: Path):
    write("rows.csv", ROWS)
    first = gs(small, "import", "rows.csv")
    assert first.exit_code == 0 and first.stdout == "2023-05-0001\n2023-05-0002\n"
    before = ledger_bytes(small)
    second = gs(small, "import", "rows.csv")
    assert second.exit_code == 0
    assert second.stdout == ""
    assert second.stderr == "imported 0 entries, skipped 2 already recorded (by key)\n"
    assert ledger_bytes(small) == before
    # A later export holding the old rows and one new one adds only the new one.
    write("later.csv", ROWS + "体育,2.4.3,1,2023-05-28,new,wx-3\n")
    third = gs(small, "import", "later.csv")
    assert third.exit_code == 0 and third.stdout == "2023-05-0003\n"
    assert third.stderr == "imported 1 entry, skipped 2 already recorded (by key)\n"


def test_a_key_repeated_in_one_file_is_recorded_once(small: Path):
    # The second row with a key is skipped like a row recorded by an earlier run, and
    # named, since two rows with one key in one export may be a mistake worth a look.
    write("rows.csv", ROWS + "体育,2.4.3,5,2023-05-28,same key,wx-1\n")
    result = gs(small, "import", "rows.csv")
    assert result.exit_code == 0
    assert result.stdout == "2023-05-0001\n2023-05-0002\n"
    assert result.stderr == (
        "rows.csv:4: key 'wx-1' repeats line 2; skipped\n"
        "imported 2 entries, skipped 1 already recorded (by key)\n"
    )
    assert [e["key"] for e in ledger(small, "2023-05")] == ["wx-1", "wx-2"]


def test_dry_run_checks_everything_and_writes_nothing(small: Path):
    write("rows.csv", ROWS)
    result = gs(small, "import", "rows.csv", "--dry-run")
    assert result.exit_code == 0
    assert result.stdout == ""  # no ids: none exist, and a script must not think they do
    assert result.stderr == (
        "would import 2 entries, skip 0 already recorded (by key); nothing written (--dry-run)\n"
    )
    assert ledger_bytes(small) == {".gitkeep": b""}
    write("bad.csv", ROWS + "无名局,2.4.3,1,2023-05-28,,k\n")
    bad = gs(small, "import", "bad.csv", "--dry-run")
    assert bad.exit_code == 1 and bad.stderr.startswith("bad.csv:4: department: unknown")


def test_rows_go_to_their_own_months(small: Path):
    write(
        "rows.csv",
        "department,clause,date,month,key\n"
        "公安局,2.4.3,2023-05-03,,a\n"  # month of its date
        "公安局,2.4.3,,2023-06,b\n"  # its month column
        "公安局,2.4.3,2023-06-30,2023-06,c\n"  # date and month column agree
        "公安局,2.4.3,2023-05-31,,d\n",
    )
    result = gs(small, "import", "rows.csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2023-05-0001\n2023-06-0001\n2023-06-0002\n2023-05-0002\n"
    assert [e["key"] for e in ledger(small, "2023-05")] == ["a", "d"]
    assert [e["key"] for e in ledger(small, "2023-06")] == ["b", "c"]


def test_month_option_puts_rows_in_its_month(small: Path):
    # A row's month cell written another way (2023/7) is the same month: no conflict.
    write("rows.csv", "department,clause,month,key\n公安局,2.4.3,2023/7,a\n公安局,2.4.3,,b\n")
    result = gs(small, "import", "rows.csv", "--month", "2023-07")
    assert result.exit_code == 0
    assert result.stdout == "2023-07-0001\n2023-07-0002\n"


def test_a_month_cell_as_an_english_excel_writes_it_is_that_month(small: Path):
    """An English Excel shows a month as May-23 (mmm-yy) or June 2023: that month, so
    with --month 2023-05, May-23 is no conflict and Jun-23 is one; a cell that names no
    year (6月) is no month govscore reads: refused, never moved to --month unseen."""
    write("rows.csv", "department,clause,month,key\n公安局,2.4.3,May-23,a\n")
    result = gs(small, "import", "rows.csv", "--month", "2023-05")
    assert (result.exit_code, result.stdout) == (0, "2023-05-0001\n")
    write("rows.csv", "department,clause,month,key\n公安局,2.4.3,Jun-23,b\n")
    refused = gs(small, "import", "rows.csv", "--month", "2023-05")
    assert refused.exit_code == 1
    assert "the row is of 2023-06, but --month 2023-05" in refused.stderr
    write("rows.csv", "department,clause,month,key\n公安局,2.4.3,6月,c\n")
    for option in ([], ["--month", "2023-06"]):
        unread = gs(small, "import", "rows.csv", *option)
        assert unread.exit_code == 1
        assert "'6月' is not a month" in unread.stderr


def test_a_row_of_another_month_than_the_option_is_refused(small: Path):
    """--month would move the row to another month without a word: which was meant only
    the clerk knows, so the import is refused (as a date outside --month is)."""
    write("rows.csv", "department,clause,month,key\n公安局,2.4.3,2023-06,a\n公安局,2.4.3,,b\n")
    result = gs(small, "import", "rows.csv", "--month", "2023-07")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        "rows.csv:2: month: the row is of 2023-06, but --month 2023-07 puts every row in "
        "2023-07: correct the cell, or import without --month to take each row's own month"
    )
    assert list((small / "ledger").glob("2023-*")) == []


def test_a_row_by_cell_wins_over_the_by_option(small: Path):
    write(
        "rows.csv", "department,clause,month,by\n公安局,2.4.3,2023-05,王敏\n公安局,2.4.3,2023-05,\n"
    )
    assert gs(small, "import", "rows.csv", "--by", "cron").exit_code == 0
    assert [e["by"] for e in ledger(small, "2023-05")] == ["王敏", "cron"]


def test_quoted_cells_over_several_lines_keep_row_numbers(small: Path):
    # Excel quotes a cell with line breaks; the row after it starts two lines later.
    write(
        "rows.csv",
        'department,clause,month,note\n公安局,2.4.3,2023-05,"one\r\ntwo\nthree"\n'
        "无名局,2.4.3,2023-05,\n",
    )
    result = gs(small, "import", "rows.csv")
    assert result.exit_code == 1
    assert result.stderr.startswith("rows.csv:5: department: unknown department '无名局'")


def test_broken_quoting_names_its_line(small: Path):
    write("rows.csv", 'department,clause,month,note\n公安局,2.4.3,2023-05,"a"b\n')
    result = gs(small, "import", "rows.csv")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "rows.csv:2: not valid CSV: a cell in quotes goes on after its closing quote (a quote "
        'inside a cell is written as two, "")\n'
    )


def test_empty_files_and_blank_rows(small: Path):
    write("empty.csv", "")
    empty = gs(small, "import", "empty.csv")
    assert empty.exit_code == 1
    assert empty.stderr.startswith("empty.csv:1: no header: the first line must name the columns")
    # Excel leaves empty rows and empty trailing columns: both are ignored.
    write("blank.csv", "department,clause,month,,\n,,,,\n公安局,2.4.3,2023-05,,\n\n")
    blank = gs(small, "import", "blank.csv")
    assert blank.exit_code == 0 and blank.stdout == "2023-05-0001\n"
    write("header.csv", "department,clause\n")
    header = gs(small, "import", "header.csv")
    assert header.exit_code == 0 and header.stdout == ""
    assert header.stderr == "imported 0 entries, skipped 0 already recorded (by key)\n"


def test_plan_is_pure_and_keeps_row_numbers():
    table = read_table(
        "department,clause,month,key\n公安局,2.4.3,2023-05,k\n\n体育,1.1.1,,\n", "f.csv"
    )
    made = plan(table, "f.csv", None, {"by": "x"})
    assert made.rows == 2
    assert [(d.source, d.month, d.fields) for d in made.drafts] == [
        ("f.csv:2", "2023-05", {"department": "公安局", "clause": "2.4.3", "key": "k", "by": "x"})
    ]
    assert [str(p) for p in made.problems] == [
        "f.csv:4: month: the row has no month: give it a date or a month column (YYYY-MM), "
        "or pass --month"
    ]


# -- a real process, the way cron runs it ---------------------------------------------


def test_real_process_exit_codes(small: Path):
    write("rows.csv", ROWS)
    ok = run_process("--root", str(small), "import", "rows.csv")
    assert ok.returncode == 0
    assert ok.stdout == "2023-05-0001\n2023-05-0002\n"
    assert ok.stderr == "imported 2 entries, skipped 0 already recorded (by key)\n"
    again = run_process("--root", str(small), "import", "rows.csv")
    assert (again.returncode, again.stdout) == (0, "")
    write("bad.csv", "department,clause,month\n无名局,2.4.3,2023-05\n")
    bad = run_process("--root", str(small), "import", "bad.csv")
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.splitlines()[-1] == (
        "error: rejected bad.csv: 1 problem; nothing imported, the ledger is unchanged"
    )
    # A day's export that failed to appear is a data problem, as `items check` says it
    # (review BB F3: it was a usage error, exit 2, in click's words).
    missing = run_process("--root", str(small), "import", "missing.csv")
    assert (missing.returncode, missing.stdout) == (1, "")
    assert missing.stderr == "error: missing.csv: cannot read: no such file\n"
    month = run_process("--root", str(small), "import", "rows.csv", "--month", "2023-13")
    assert month.returncode == 2 and "not a month" in month.stderr


def many_rows(count: int) -> str:
    lines = ["department,clause,month,key"]
    lines += [f"公安局,2.4.3,2023-05,k{n}" for n in range(count)]
    return "\n".join(lines) + "\n"


def test_no_progress_bar_without_a_terminal(small: Path):
    write("big.csv", many_rows(600))
    result = run_process("--root", str(small), "import", "big.csv")
    assert result.returncode == 0
    assert result.stderr == "imported 600 entries, skipped 0 already recorded (by key)\n"
    assert result.stdout.splitlines()[-1] == "2023-05-0600"


@pytest.mark.parametrize(("rows", "bar"), [(600, True), (10, False)])
def test_progress_bar_at_a_terminal_for_large_files_only(small: Path, rows: int, bar: bool):
    """stderr on a real pseudo-terminal, stdout a pipe: ids stay clean, the bar is on stderr."""
    write("big.csv", many_rows(rows))
    main_fd, child_fd = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "govscore", "--root", str(small), "import", "big.csv"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=child_fd,
        env=process_env({"COLUMNS": "100"}),
    )
    os.close(child_fd)
    seen = b""
    deadline = time.monotonic() + 60
    while b"(by key)" not in seen:
        assert time.monotonic() < deadline, seen.decode(errors="replace")
        ready, _, _ = select.select([main_fd], [], [], 1)
        if ready:
            seen += os.read(main_fd, 4096)
    stdout, _ = process.communicate(timeout=60)
    os.close(main_fd)
    assert process.returncode == 0
    assert stdout.decode().splitlines() == [f"2023-05-{n:04d}" for n in range(1, rows + 1)]
    assert (b"reading big.csv" in seen) is bar
    assert seen.rstrip().endswith(
        f"imported {rows} entries, skipped 0 already recorded (by key)".encode()
    )


# -- scores from imported rows, worked by hand ----------------------------------------


def test_imported_rows_score_as_worked_by_hand(small: Path):
    write(
        "may.csv",
        "department,clause,count,points,value,date,month,key\n"
        "公安局,2.4.3,2,,,2023-05-10,,p1\n"
        "市民政局,2.4.10,,1.5,,2023-05-11,,m1\n"
        "体育,3.3.1,4,,,2023-05-12,,s1\n"
        "体育,1.3.1,,,90,,2023-05,s2\n"
        "公安局,2.4.13,,,,2023-06-02,,p2\n",
    )
    result = gs(small, "import", "may.csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "2023-05-0001\n2023-05-0002\n2023-05-0003\n2023-05-0004\n2023-06-0001\n"
    )
    # 市体育局: 1.3.1 rate 90 → (100 − 90) × 0.1 = −1 → C1 = 99;
    #           3.3.1 × 4 → +1.2, capped at 1 (cap A) → C3 = 101;
    #           total = 24.75 + 40 + 20.2 + 15 = 99.95
    # 市民政局: 2.4.10 at 1.5 points → C2 = 98.5 → total = 25 + 39.4 + 20 + 15 = 99.40
    # 市公安局: 2.4.3 × 2 → C2 = 98 → total = 25 + 39.2 + 20 + 15 = 99.20
    may = json.loads(gs(small, "month", "2023-05", "--format", "json").stdout)
    assert [
        (d["rank"], d["department"], d["total"], d["categories"]) for d in may["departments"]
    ] == [
        (1, "市体育局", 99.95, {"1": 99.0, "2": 100.0, "3": 101.0, "4": 100.0}),
        (2, "市民政局", 99.4, {"1": 100.0, "2": 98.5, "3": 100.0, "4": 100.0}),
        (3, "市公安局", 99.2, {"1": 100.0, "2": 98.0, "3": 100.0, "4": 100.0}),
    ]
    # June, from the row's date: 市公安局 2.4.13 → C2 = 95 → 25 + 38 + 20 + 15 = 98.00,
    # referred to 纪检组织（人事）部门; the other two stand at base, 100, sharing rank 1.
    june = json.loads(gs(small, "month", "2023-06", "--format", "json").stdout)
    assert [(d["rank"], d["department"], d["total"]) for d in june["departments"]] == [
        (1, "市民政局", 100.0),
        (1, "市体育局", 100.0),
        (3, "市公安局", 98.0),
    ]
    assert june["referrals"] == [
        {
            "entry": "2023-06-0001",
            "department": "市公安局",
            "clause": "2.4.13",
            "month": "2023-06",
            "to": "纪检组织（人事）部门",
        }
    ]
    # Importing the same file again changes no score.
    again = gs(small, "import", "may.csv")
    assert again.stdout == "" and "skipped 5 already recorded" in again.stderr
    assert json.loads(gs(small, "month", "2023-05", "--format", "json").stdout) == may


def test_an_import_and_the_same_entries_added_one_by_one_score_alike(small: Path):
    # 2.4.3 × 3 and 2.4.12 for 市民政局: C2 = 100 − 3 − 3 = 94 → 25 + 37.6 + 20 + 15 = 97.60
    write(
        "rows.csv",
        "department,clause,count,month\n民政局,2.4.3,3,2023-05\n民政局,2.4.12,,2023-05\n",
    )
    assert gs(small, "import", "rows.csv").exit_code == 0
    payload = json.loads(gs(small, "month", "2023-05", "-d", "市民政局", "--format", "json").stdout)
    assert [(d["department"], d["total"]) for d in payload["departments"]] == [("市民政局", 97.6)]


def test_hostile_cells_round_trip_through_an_import(small: Path):
    """A CSV cell may hold anything a note can: it lands as one entry, exactly as written."""
    note = '"\nid = "2023-05-0099"\n[[entry]]\r\n\x00\x1f\x7f\x85\u2028 tab\t \\ end '
    quoted = note.replace('"', '""')
    write("rows.csv", f'department,clause,month,note,key\n公安局,2.4.3,2023-05,"{quoted}",k"1\n')
    result = gs(small, "import", "rows.csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2023-05-0001\n"
    entries = ledger(small, "2023-05")
    assert len(entries) == 1
    assert (entries[0]["note"], entries[0]["key"]) == (note, 'k"1')
    text = (small / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    headers = [line for line in text.split("\n") if line == "[[entry]]"]
    assert len(headers) == 1 and len(text.splitlines()) == text.count("\n")


def test_commit_records_the_whole_import_as_one_commit(small: Path):
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=small, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    git("add", "-A")
    git("commit", "-qm", "a new root")
    write("rows.csv", ROWS.replace("wx-2\n", "wx-2\n体育,2.4.3,1,2023-06-01,,wx-3\n"))
    result = gs(small, "import", "rows.csv", "--by", "cron", "--commit")
    assert result.exit_code == 0, result.output
    assert git("log", "-1", "--format=%an|%s") == (
        "cron|govscore: 3 entries, 2023-05-0001 … 2023-06-0001"
    )
    assert git("status", "--porcelain") == ""
    again = gs(small, "import", "rows.csv", "--commit")  # nothing new: no empty commit
    assert again.exit_code == 0 and git("rev-list", "--count", "HEAD") == "2"


def test_a_big_export_without_keys_books_once_and_then_only_its_new_rows(small: Path):
    """Issue 16: rows without a key, written as an import writes a million (each row
    known by its content and its place among identical rows). Twice books once; an
    export that grew books only what it gained, identical rows included."""
    notes = ["超期办结", '说"明"', "两行\n说明", "反斜杠\\", "全角 ２.４.３", ""]
    lines = ["部门,条款,次数,日期,说明"]
    for number in range(3_000):
        department = ("公安局", "市民政局", "体育")[number % 3]
        count = ("1", "2", "2.0")[number % 7 % 3]  # 2.0, as Excel exports a count, is 2
        day = f"2023-{5 + number % 2:02d}-{1 + number % 28:02d}"
        note = notes[number % len(notes)].replace('"', '""')
        lines.append(f'{department},２.４.３,{count},{day},"{note}"')
    write("big.csv", "\n".join(lines) + "\n")
    first = gs(small, "import", "big.csv")
    assert first.exit_code == 0, first.output
    assert len(first.stdout.split()) == 3_000
    books = ledger(small, "2023-05") + ledger(small, "2023-06")
    assert len(books) == 3_000
    assert {e["note"] for e in books if "note" in e} == set(notes) - {""}
    assert {e["count"] for e in books} == {1, 2}
    before = ledger_bytes(small)
    again = gs(small, "import", "big.csv")
    assert again.exit_code == 0 and again.stdout == ""
    assert again.stderr == "imported 0 entries, skipped 3000 already recorded (by key)\n"
    assert ledger_bytes(small) == before
    # The export grows: its first 100 rows once more (identical rows, so new occurrences)
    # and one new row. Exactly those 101 are booked.
    write("big.csv", "\n".join([*lines, *lines[1:101], "体育,2.4.3,9,2023-06-30,新"]) + "\n")
    grown = gs(small, "import", "big.csv")
    assert grown.exit_code == 0, grown.output
    assert len(grown.stdout.split()) == 101
    assert grown.stderr == "imported 101 entries, skipped 3000 already recorded (by key)\n"
    assert len(ledger(small, "2023-05") + ledger(small, "2023-06")) == 3_101


def test_a_column_without_a_name_below_a_title_is_named_at_the_header(small: Path):
    """Below a title row, the header is not the first line: a column without a name is
    said to be the header's, at the header's line (it said 'the first line'; review V)."""
    Path("t.csv").write_text("五月扣分记录\n部门,,条款\n市公安局,x,2.4.3\n", encoding="utf-8")
    result = gs(small, "import", "t.csv")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "t.csv:2: column 2 has no name (the header names every column between its first "
        "and its last)\n"
    ), result.stderr
