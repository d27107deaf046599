"""Hostile text: whatever a clerk (or a script) types into a note, a matter or a key comes
back exactly, and can never forge a second entry in the ledger file.

Also: CSV reports defuse cells a spreadsheet would run as a formula, but leave numbers be.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import process_env
from govscore.cli.commands import cli
from govscore.ledger.text import fields_toml, parse_toml_ledger, split_entries
from govscore.model import Entry
from govscore.report.render import csv_safe, table_text
from ledgertext import entry, toml

LEDGER = "ledger/2023-05.toml"

HOSTILE = [
    'say "hi"',
    "back\\slash \\n \\u0041 \\",
    "line one\nline two",
    "carriage\rreturn\r\n",
    "\n[[entry]]\n",
    '"\nid = "x"\n[[entry]]',
    '"""\n[[entry]]\nid = "forged"\ndepartment = "市公安局"\nclause = "4.4.1"\n"""',
    "'''\n[[entry]]\n'''",
    "# not a comment\n[entry]\nx = 1",
    "".join(chr(c) for c in range(32)) + "\x7f",
    "C1 controls \x80\x85\x9f",
    "separators \u2028 and \u2029 and \x85 NEL",
    "bidi \u202e txt.exe \u202c and \u2066isolate\u2069",
    "zero\u200bwidth \ufeff bom",
    "tab\there",
    "   spaces around   ",
    "emoji 🎉 and 𠀀 (astral)",
    "x" * 100_000,
]

_keys = itertools.count(1)


def add(root: Path, note: str, matter: str, key: str):
    """`govscore add` in-process, each value passed as --opt=VALUE so a leading '-' is text."""
    return CliRunner().invoke(
        cli,
        [
            "--root",
            str(root),
            "add",
            "-d",
            "公安局",
            "-c",
            "2.4.3",
            "--month",
            "2023-05",
            f"--note={note}",
            f"--matter={matter}",
            f"--key={key}",
        ],
    )


def ledger_entries(root: Path) -> tuple[list[Entry], int]:
    """The month file's entries as govscore parses them, and its [[entry]] header count."""
    path = root / LEDGER
    text = path.read_bytes().decode("utf-8") if path.exists() else ""
    parsed = parse_toml_ledger(text, LEDGER, "2023-05")
    assert parsed.problems == (), parsed.problems
    return list(parsed.entries), len(split_entries(text)[1])


def assert_round_trip(root: Path, note: str, matter: str, key: str) -> None:
    before, headers = ledger_entries(root)
    result = add(root, note, matter, key)
    assert result.exit_code == 0, result.output
    new_id = result.stdout.strip()
    after, headers_after = ledger_entries(root)
    # Exactly one more entry, one more header, and it is the one whose id was printed.
    assert len(after) == len(before) + 1
    assert headers_after == headers + 1
    assert after[:-1] == before
    added = after[-1]
    assert added.id == new_id
    assert (added.note, added.matter, added.key) == (note, matter, key)
    assert (added.department, added.clause, added.count) == ("市公安局", "2.4.3", 1)


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:20]))
def test_hostile_text_round_trips_through_add(root: Path, text: str):
    assert_round_trip(root, text, text, f"{next(_keys)}:{text}")


def test_every_hostile_text_in_one_file_stays_one_entry_each(root: Path):
    for text in HOSTILE:
        assert_round_trip(root, text, text[::-1], f"{next(_keys)}:{text}")
    entries, headers = ledger_entries(root)
    assert len(entries) == headers == len(HOSTILE)
    assert [e.id for e in entries] == [f"2023-05-{n:04d}" for n in range(1, len(HOSTILE) + 1)]
    check = CliRunner().invoke(cli, ["--root", str(root), "check"])
    assert check.exit_code == 0, check.output


def test_a_forged_entry_in_a_note_stays_a_note(root: Path):
    forged = '"\nid = "2023-05-0099"\n[[entry]]\nid = "2023-05-0100"\nclause = "4.4.1"\n'
    assert_round_trip(root, forged, "m", "k-forged")
    text = (root / LEDGER).read_text(encoding="utf-8")
    assert text.count("[[entry]]\n") == 1
    assert "\n[[entry]]\nid" not in text.split("[[entry]]", 1)[1]
    month = CliRunner().invoke(cli, ["--root", str(root), "month", "2023-05", "--format", "json"])
    assert "一票否决" not in month.stdout and "4.4.1" not in month.stdout


# Any text a TOML string can hold: every code point but the surrogates (st.text's default).
# Each example appends one entry to the same root, so the file grows as hypothesis explores.
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(note=st.text(min_size=1), matter=st.text(min_size=1), key=st.text())
def test_any_text_round_trips_and_forges_nothing(root: Path, note: str, matter: str, key: str):
    assert_round_trip(root, note, matter, f"{next(_keys)}:{key}")


@given(text=st.text(min_size=1))
def test_fields_toml_keeps_every_line_a_toml_line(text: str):
    """What tomli-w leaves raw and other tools read as a line break is escaped too."""
    written = fields_toml({"id": "x", "note": text})
    assert written.count("\n") == 4  # blank line, header, id, note: nothing else breaks
    assert written.splitlines() == written.split("\n")[:-1]
    parsed = parse_toml_ledger(written.lstrip("\n"), LEDGER, "2023-05")
    assert parsed.problems == () and parsed.entries[0].note == text


def test_line_breaking_and_invisible_characters_are_escaped():
    written = fields_toml({"note": "a\u2028b\x85c\u202ed\u200be\t"})
    assert written == '\n[[entry]]\nnote = "a\\u2028b\\u0085c\\u202ed\\u200be\t"\n'


def test_text_that_is_not_unicode_is_refused_not_a_traceback(root: Path):
    """A lone surrogate (undecodable bytes in argv, say) cannot be written as UTF-8."""
    result = add(root, "bad \udcff byte", "m", "k")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr == (
        "govscore: note: holds bytes that are not valid UTF-8 text (type it again, or save the "
        "file it came from as UTF-8)\n"
        "error: rejected: 1 problem; the entry not written, the ledger is unchanged\n"
    )
    assert not (root / LEDGER).exists()


def test_undecodable_argv_bytes_in_a_real_process(root: Path):
    command: list[str | bytes] = [sys.executable, "-m", "govscore", "--root", str(root)]
    command += ["add", "-d", "公安局", "-c", "2.4.3", "--month", "2023-05"]
    command += ["--note", b"bad \xff byte"]  # argv bytes that are not UTF-8
    process = subprocess.run(
        command,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        env=process_env(),
        timeout=120,
    )
    assert process.returncode == 1
    assert b"Traceback" not in process.stderr
    assert b"note: holds bytes that are not valid UTF-8 text" in process.stderr
    assert not (root / LEDGER).exists()


# -- CSV output cannot smuggle a formula into a spreadsheet ---------------------------


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (3, 3),
    ],
)
def test_csv_safe_defuses_formula_cells(cell: object, shown: object):
    assert csv_safe(cell) == shown


@pytest.mark.parametrize("figure", ["-3.00", "+0.30", "-0.5", "-10"])
def test_csv_leaves_signed_numbers_alone(figure: str):
    assert table_text(["分值"], [[figure]], "csv") == f"分值\n{figure}"


def test_csv_leaves_unsigned_numbers_alone():
    assert table_text(["总分", "n"], [["100.00", 3]], "csv") == "总分,n\n100.00,3"


def test_month_detail_csv_shows_deductions_as_numbers(root: Path):
    # 2.4.3 × 3 → −3 in C2: the detail line's 分值 cell is -3.00, a number.
    gs = CliRunner().invoke(
        cli,
        ["--root", str(root), "add", "-d", "公安局", "-c", "2.4.3", "-n", "3", "--month=2023-05"],
    )
    assert gs.exit_code == 0
    result = CliRunner().invoke(
        cli,
        ["--root", str(root), "month", "2023-05", "--detail", "-d", "公安局", "--format", "csv"],
    )
    assert result.exit_code == 0
    # C2 97 → 25 + 38.8 + 20 + 15 = 98.80
    assert result.stdout.splitlines() == [
        "period,部门,编号,月份,条款,类别,计算,分值,说明",
        "2023-05,市公安局,,,总分,,标准化 100.00，规范化 97.00，便利化 100.00，改革创新 100.00,98.80,",
        "2023-05,市公安局,2023-05-0001,2023-05,2.4.3,规范化,3 件次 × 1,-3.00,",
    ]


def test_check_csv_defuses_a_hand_written_formula(root: Path):
    """A hand-edited entry whose id and department are formulas: the cells stay text."""
    (root / LEDGER).write_text(
        toml(entry('=HYPERLINK("http://x")', "2.4.3", id="=1+2")), encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["--root", str(root), "check", "--format", "csv"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "file,line,entry,field,message"
    assert lines[1] == (
        "ledger/2023-05.toml,2,'=1+2,department,"
        '"unknown department \'=HYPERLINK(""http://x"")\' (run `govscore departments` '
        'for the list)"'
    )
    assert len(lines) == 2


@pytest.mark.parametrize("flags", [[], ["--no-cache"]])
def test_an_id_holding_a_character_that_cannot_be_seen_is_a_problem(root: Path, flags: list):
    """2023-05-0001 followed by U+200B printed as 2023-05-0001 in every list: it counted
    beside the real one, and `void 2023-05-0001` voided only the real one. Such an id is
    a problem of its line, and the entry counts nowhere, on the fast path and the careful
    one alike (a space other than ASCII's too; around an id, Python's strip takes any)."""
    text = toml(
        entry("市公安局", "2.4.3", id="2023-05-0001"),
        entry("市公安局", "2.4.3", id="2023-05-0001\u200b", count=4),
        entry("市公安局", "2.4.3", id="2023-05-\u00a00002", count=2, note="x"),
    )
    (root / LEDGER).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(root), *flags, "check"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "ledger/2023-05.toml:7: id 2023-05-0001\\u200b holds characters that cannot be seen "
        "(U+200B): it would read as another id; write it without them",
        "ledger/2023-05.toml:13: id 2023-05-\\u00a00002 holds characters that cannot be seen "
        "(U+00A0): it would read as another id; write it without them",
    ]
    # Only the first entry counts: 2.4.3 × 1 → C2 99 → 25 + 39.6 + 20 + 15 = 99.6
    month = CliRunner().invoke(
        cli, ["--root", str(root), *flags, "month", "2023-05", "-d", "市公安局", "--format", "csv"]
    )
    assert month.stdout.splitlines()[1].split(",")[-2:] == ["99.60", ""], month.stdout


def test_an_id_with_a_letter_or_mark_that_shows_as_blank_is_a_problem():
    """Some characters are letters or marks, yet print as nothing or a blank: a Hangul
    filler (U+3164), a blank braille cell (U+2800), a variation selector, a tag character
    beyond U+FFFF, written \\U and eight digits."""
    text = toml(
        entry("市公安局", "2.4.3", id="2023-05-0001\u3164"),
        entry("市公安局", "2.4.3", id="2023-05-0002\U000e0041"),
        entry("市公安局", "2.4.3", id="2023-05-0003\ufe0f"),
        entry("市公安局", "2.4.3", id="2023-05-0004"),
    )
    parsed = parse_toml_ledger(text, LEDGER, "2023-05")
    assert [e.id for e in parsed.entries] == ["2023-05-0004"]
    assert [p.message.split(" holds")[0] for p in parsed.problems] == [
        "id 2023-05-0001\\u3164",
        "id 2023-05-0002\\U000e0041",
        "id 2023-05-0003\\ufe0f",
    ]
