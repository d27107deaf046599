"""Files no clerk meant to write: TOML nested hundreds of levels deep, a ledger file saved
in GBK, a CSV cell longer than Python's csv reads by default. Each is a problem named at
its file and line, in govscore's words; none takes a command down with a traceback.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import govscore.ledger.text
from conftest import run_process
from govscore.cli.commands import cli
from govscore.errors import Problem
from govscore.ledger.text import CSV_CELL_MOST, parse_toml_ledger

# An array 500 deep: tomllib recurses once per level and runs out of stack near 330.
DEEP = "x = " + "[" * 500 + "]" * 500
DEEP_REASON = (
    "not valid TOML: arrays or tables are nested too deeply: a ledger or configuration file "
    "needs only a few levels, and nesting that deep is not allowed"
)


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def record(root: Path, department: str, count: str) -> None:
    args = ("add", "-d", department, "-c", "2.4.3", "-n", count, "--month", "2023-05")
    assert run(root, *args).exit_code == 0


def totals(root: Path, month: str = "2023-05", code: int = 0) -> dict[str, float]:
    result = run(root, "month", month, "--format", "json")
    assert result.exit_code == code, result.output
    return {d["department"]: d["total"] for d in json.loads(result.stdout)["departments"]}


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


def test_a_ledger_entry_nested_too_deep_is_a_problem_of_its_line(small: Path):
    """市公安局 2.4.3 ×2: 规范化 (weight 0.4) 100 − 2 = 98, total 100 − 2 × 0.4 = 99.2.
    The deep entry (市民政局) is left out, as any entry that is not valid TOML."""
    record(small, "市公安局", "2")
    ledger = small / "ledger" / "2023-05.toml"
    lines = ledger.read_text(encoding="utf-8").count("\n")
    deep_line = lines + 6  # after a blank line, [[entry]], id, department and clause
    append(
        ledger,
        '\n[[entry]]\nid = "2023-05-0002"\ndepartment = "市民政局"\nclause = "2.4.3"\n'
        + DEEP
        + "\n",
    )
    # Another file's problem is still listed beside it.
    (small / "ledger" / "2023-06.toml").write_text("[[entry]\n", encoding="utf-8")
    result = run(small, "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        f"ledger/2023-05.toml:{deep_line}: {DEEP_REASON}",
        "ledger/2023-06.toml:1: not valid TOML: Expected ']]' at the end of an array declaration",
    ]
    assert totals(small, code=1) == {"市公安局": 99.2, "市民政局": 100.0, "市体育局": 100.0}
    logged = run(small, "log")
    assert logged.exit_code == 1 and "2023-05-0001" in logged.stdout
    assert f"ledger/2023-05.toml:{deep_line}: {DEEP_REASON}" in logged.stderr
    added = run(small, "add", "-d", "市公安局", "-c", "2.4.3", "--month", "2023-05")
    assert added.exit_code == 1
    assert f"ledger/2023-05.toml:{deep_line}: {DEEP_REASON}" in added.stderr
    assert "2023-05-0002" not in ledger.read_text(encoding="utf-8").split(DEEP)[1]


@pytest.mark.parametrize("name", ["departments.toml", "weights.toml", "clauses.toml"])
def test_a_configuration_file_nested_too_deep_is_named_not_a_traceback(small: Path, name: str):
    path = small / name
    if not path.exists():  # a root's own catalog: the shipped one, copied
        (small / "clauses.toml").write_text("", encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    path.write_text(text + DEEP + "\n", encoding="utf-8")
    for args in (("check",), ("month", "2023-05"), ("log",)):
        result = run(small, *args)
        assert (result.exit_code, result.stdout) == (1, ""), args
        # The column of the deepest bracket: after `x = ` and 499 more.
        assert result.stderr == f"error: {name}: {DEEP_REASON} (at line {line}, column 504)\n"


DIGITS = "1" * 5000  # Python turns no more than 4300 digits into an int
DIGITS_REASON = (
    "not valid TOML: a whole number of more than 4300 digits: no figure of the measures is "
    "near that long"
)


@pytest.mark.parametrize("cache", [[], ["--no-cache"]])
def test_a_ledger_number_too_long_for_python_is_a_problem_of_its_line(small: Path, cache):
    """Review BH (follow-up of F2): a count of 5,000 digits written out is a ValueError of
    Python's int, not a TOML error: it took every command down with a traceback. It is
    the line's problem now, the entry left out (市公安局 2.4.3 ×2: 99.2 as above)."""
    record(small, "市公安局", "2")
    ledger = small / "ledger" / "2023-05.toml"
    line = ledger.read_text(encoding="utf-8").count("\n") + 6
    append(
        ledger,
        f'\n[[entry]]\nid = "2023-05-0002"\ndepartment = "市民政局"\nclause = "2.4.3"\n'
        f"count = {DIGITS}\n",
    )
    result = run(small, *cache, "check")
    assert (result.exit_code, result.stdout.splitlines()[0]) == (
        1,
        f"ledger/2023-05.toml:{line}: {DIGITS_REASON}",
    )
    assert totals(small, code=1) == {"市公安局": 99.2, "市民政局": 100.0, "市体育局": 100.0}


def test_a_configuration_number_too_long_for_python_is_named_not_a_traceback(small: Path):
    path = small / "weights.toml"
    text = path.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    path.write_text(f"{text}x = {DIGITS}\n", encoding="utf-8")
    result = run(small, "check")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"error: weights.toml: {DIGITS_REASON} (at line {line}, column 5)\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_in_a_files_place_is_refused_at_once_never_waited_on(small: Path):
    """Review BI F5: `add` into a month whose file is a named pipe opened it and waited for
    ever (a cron job never ends, holding the ledger's lock); so did every command with a
    pipe for departments.toml (BH J7). Refused at once, as a real process, in its words."""
    os.mkfifo(small / "ledger" / "2023-06.toml")
    env = {"GOVSCORE_LANG": "en"}
    added = run_process(
        "--root", str(small), "add", "-d", "市公安局", "-c", "2.4.3", "--month", "2023-06", env=env
    )
    reason = "cannot read it: it is not a regular file but a named pipe, a socket or a device"
    assert (added.returncode, added.stdout) == (1, "")
    assert added.stderr == f"error: ledger/2023-06.toml: {reason}\n"
    (small / "ledger" / "2023-06.toml").unlink()
    (small / "departments.toml").unlink()
    os.mkfifo(small / "departments.toml")
    checked = run_process("--root", str(small), "check", env=env)
    assert (checked.returncode, checked.stderr) == (1, f"error: departments.toml: {reason}\n")


def test_an_amendment_nested_too_deep_is_a_problem_and_left_out(small: Path):
    """The amendment would double 2.4.3's points; left out, 市公安局's one 2.4.3 costs 1
    point in 规范化 (weight 0.4): 100 − 0.4 = 99.6 in September as in May."""
    args = ("add", "-d", "市公安局", "-c", "2.4.3", "--month", "2023-09")
    assert run(small, *args).exit_code == 0
    (small / "amendments").mkdir()
    (small / "amendments" / "2023-09-01.toml").write_text(
        '[notice]\nnumber = "9号"\n[[clause]]\nid = "2.4.3"\npoints = 2\n' + DEEP + "\n",
        encoding="utf-8",
    )
    result = run(small, "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"amendments/2023-09-01.toml: {DEEP_REASON} (at line 6, column 504)"
    )
    assert totals(small, "2023-09", code=1)["市公安局"] == 99.6


def test_brackets_in_strings_and_comments_do_not_move_the_line_named():
    """The line named is where the nesting is deepest, not a note full of brackets."""
    text = (
        '[[entry]]\nid = "2023-05-0001"\nnote = "' + "[" * 900 + '"  # ' + "{" * 900 + "\n"
        "matter = '''\n" + "[" * 900 + "\n'''\n" + DEEP + "\n"
    )
    parsed = parse_toml_ledger(text, "ledger/2023-05.toml", "2023-05")
    assert parsed.entries == ()
    assert parsed.problems == (Problem("ledger/2023-05.toml", 7, DEEP_REASON),)


GBK_NOTE = "迟到".encode("gbk")


def month_output(root: Path, *options: str) -> tuple[int, str]:
    result = run(root, *options, "month", "2023-05", "--format", "json")
    return result.exit_code, result.stdout


def test_an_entry_appended_in_gbk_leaves_out_only_itself_and_what_follows(small: Path):
    """The review's case: a clerk appends 市民政局's entry in an editor that saves GBK.
    The entries above still count: 市公安局 2.4.3 ×2, 100 − 2 × 0.4 = 99.2; 市体育局
    2.4.3 ×1, 100 − 0.4 = 99.6. 市民政局's, and a later one for 市体育局, do not."""
    record(small, "市公安局", "2")
    record(small, "市体育局", "1")
    ledger = small / "ledger" / "2023-05.toml"
    lines = ledger.read_bytes().count(b"\n")
    with ledger.open("ab") as file:
        file.write(
            b'\n[[entry]]\nid = "2023-05-0003"\ndepartment = "\xca\xd0\xc3\xf1\xd5\xfe\xbe\xd6"'
            b'\nclause = "2.4.3"\n'
            b'\n[[entry]]\nid = "2023-05-0004"\ndepartment = "\xe5\xb8\x82\xe4\xbd\x93\xe8\x82'
            b'\xb2\xe5\xb1\x80"\nclause = "2.4.3"\ncount = 5\n'
        )
    header = lines + 2  # after the blank line
    result = run(small, "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"ledger/2023-05.toml:{header + 2}: not UTF-8 text (was this entry written in an "
        "editor that saves GBK or another encoding?): the entries from line "
        f"{header} on are left out, those above it count; write this entry's text again in "
        "UTF-8 (the lines above are UTF-8: converting the whole file from GBK would garble "
        "them)"
    )
    assert totals(small, code=1) == {"市民政局": 100.0, "市体育局": 99.6, "市公安局": 99.2}
    # The cache, once written, and no cache at all count the same entries.
    assert month_output(small) == month_output(small) == month_output(small, "--no-cache")
    added = run(small, "add", "-d", "市公安局", "-c", "2.4.3", "--month", "2023-05")
    assert added.exit_code == 1 and "write this entry's text again in UTF-8" in added.stderr


def test_a_gbk_note_inside_a_batch_leaves_out_the_whole_batch(small: Path):
    """A batch counts whole or not at all: a note re-saved in GBK in the second entry of
    an import's batch leaves out both of its entries (市民政局 ×3 and 市体育局 ×4), not
    a torn batch; the add before it counts: 市公安局 ×2, 100 − 2 × 0.4 = 99.2."""
    record(small, "市公安局", "2")
    ledger = small / "ledger" / "2023-05.toml"
    begin = ledger.read_bytes().count(b"\n") + 1  # the batch's begin line
    Path("rows.csv").write_text(
        "department,clause,count,month,note\n市民政局,2.4.3,3,2023-05,甲\n市体育局,2.4.3,4,2023-05,乙\n",
        encoding="utf-8",
    )
    assert run(small, "import", "rows.csv").exit_code == 0
    data = ledger.read_bytes()
    assert data.count(b"# govscore batch of 2 entries") == 1
    ledger.write_bytes(data.replace('note = "乙"'.encode(), b'note = "' + GBK_NOTE + b'"'))
    bad = data.split(b'note = "\xe4\xb9\x99"')[0].count(b"\n") + 1
    result = run(small, "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"ledger/2023-05.toml:{bad}: not UTF-8 text (was this entry written in an editor "
        "that saves GBK or another encoding?): the entries from line "
        f"{begin} on are left out, those above it count; write this entry's text again in "
        "UTF-8 (the lines above are UTF-8: converting the whole file from GBK would garble "
        "them)"
    )
    assert totals(small, code=1) == {"市民政局": 100.0, "市体育局": 100.0, "市公安局": 99.2}
    assert month_output(small) == month_output(small, "--no-cache")


def test_a_gbk_byte_before_any_entry_leaves_out_the_whole_file(small: Path):
    ledger = small / "ledger" / "2023-05.toml"
    record(small, "市公安局", "2")
    ledger.write_bytes(b"# " + GBK_NOTE + b"\n" + ledger.read_bytes())
    result = run(small, "check")
    assert result.stdout.splitlines()[0] == (
        "ledger/2023-05.toml:1: not UTF-8 text (was the file saved as GBK or another "
        "encoding?): the whole file is left out, none of its entries count; save the file "
        "as UTF-8"
    )
    assert totals(small, code=1)["市公安局"] == 100.0


def test_a_gbk_row_of_a_csv_ledger_leaves_out_it_and_the_rows_after(small: Path):
    """Row 2 counts (市公安局 ×2: 99.2); rows 3 and 4 do not."""
    (small / "ledger" / "2023-05.csv").write_bytes(
        "id,department,clause,count,note\n2023-05-0001,市公安局,2.4.3,2,a\n".encode()
        + "2023-05-0002,市民政局,2.4.3,1,".encode()
        + GBK_NOTE
        + "\n2023-05-0003,市体育局,2.4.3,1,b\n".encode()
    )
    result = run(small, "check")
    assert result.stdout.splitlines()[0] == (
        "ledger/2023-05.csv:3: not UTF-8 text (was this entry written in an editor that "
        "saves GBK or another encoding?): the entries from line 3 on are left out, those "
        "above it count; write this entry's text again in UTF-8 (the lines above are UTF-8: "
        "converting the whole file from GBK would garble them)"
    )
    assert totals(small, code=1) == {"市民政局": 100.0, "市体育局": 100.0, "市公安局": 99.2}


LONG = "长" * 200_000  # over Python csv's own limit of 131,072 characters a cell


def test_a_csv_ledger_cell_longer_than_128_kib_is_read(small: Path):
    """A long note counts as in TOML: 市公安局 ×2 in 2.4.3, 100 − 2 × 0.4 = 99.2."""
    (small / "ledger" / "2023-05.csv").write_text(
        f'id,department,clause,count,note\n2023-05-0001,市公安局,2.4.3,2,"{LONG}"\n',
        encoding="utf-8",
    )
    assert run(small, "check").exit_code == 0
    assert totals(small)["市公安局"] == 99.2
    shown = run(small, "show", "2023-05-0001", "--format", "json")
    assert json.loads(shown.stdout)["entry"]["note"] == LONG


def test_an_imported_csv_cell_longer_than_128_kib_is_read(small: Path):
    Path("rows.csv").write_text(
        f"department,clause,count,month,note\n市公安局,2.4.3,2,2023-05,{LONG}\n", encoding="utf-8"
    )
    result = run(small, "import", "rows.csv")
    assert result.exit_code == 0, result.output
    assert totals(small)["市公安局"] == 99.2


@pytest.fixture
def short_cells(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A bound of 1,000 characters a CSV cell: a cell past the real one (2**26) takes
    seconds to write and read."""
    monkeypatch.setattr(govscore.ledger.text, "CSV_CELL_MOST", 1000)
    csv.field_size_limit(1000)
    yield
    csv.field_size_limit(CSV_CELL_MOST)


@pytest.mark.parametrize(
    ("cells", "line", "reason"),
    [
        (
            '2023-05-0001,市公安局,2.4.3,2,"open\n2023-05-0002,市公安局,2.4.3,1,x\n',
            2,
            "a quote opened in this row is never closed: the file ends inside it",
        ),
        (
            '2023-05-0001,市公安局,2.4.3,2,x\n2023-05-0002,市公安局,2.4.3,1,"a"b\n',
            3,
            "a cell in quotes goes on after its closing quote (a quote inside a cell is "
            'written as two, "")',
        ),
        (
            "2023-05-0001,市公安局,2.4.3,2,x\n2023-05-0002,市公安局,2.4.3,1," + "x" * 1001 + "\n",
            3,
            "a cell holds more than 1000 characters",
        ),
    ],
    ids=["open quote", "text after a closing quote", "cell too long"],
)
def test_csv_that_does_not_read_is_named_in_govscores_words(
    small: Path, short_cells: None, cells: str, line: int, reason: str
):
    """In a ledger file and in an import alike; no English from Python's csv. The rows
    above count: 市公安局 ×2, 99.2 (or nothing, when the first row is the one)."""
    header = "id,department,clause,count,note\n"
    (small / "ledger" / "2023-05.csv").write_text(header + cells, encoding="utf-8")
    result = run(small, "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"ledger/2023-05.csv:{line}: not valid CSV: {reason}; the rows from here on are not read"
    )
    assert totals(small, code=1)["市公安局"] == (99.2 if line > 2 else 100.0)
    (small / "ledger" / "2023-05.csv").unlink()
    Path("rows.csv").write_text(
        header.replace("id,", "month,") + re.sub("2023-05-000.", "2023-05", cells),
        encoding="utf-8",
    )
    imported = run(small, "import", "rows.csv")
    assert imported.exit_code == 1
    assert imported.stderr.splitlines()[0] == f"rows.csv:{line}: not valid CSV: {reason}"
