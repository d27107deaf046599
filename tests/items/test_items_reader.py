"""Reading item exports: records with their lines, unreadable records as problems."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

from govscore.errors import Problem
from govscore.i18n import os_reason
from govscore.items.reader import (
    BrokenFile,
    ItemRecord,
    Notice,
    item_files,
    parse_json_text,
    read_items,
)

A = "11370600MB2853052T3000000000001"
B = "11370600MB2853052T3000000000002"
C = "11370600MB2853052T3000000000003"


def _entries(*paths: Path) -> list[tuple[str, str, int, str]]:
    """(kind, file, line, code or message) for every entry, in order."""
    out = []
    for entry in read_items(paths):
        if isinstance(entry, ItemRecord):
            out.append(("item", entry.file, entry.line, entry.data["实施编码"]))
        elif isinstance(entry, Notice):
            out.append(("note", entry.file, entry.line, entry.message))
        elif isinstance(entry, BrokenFile):
            out.append(("broken file", entry.file, entry.line, entry.message))
        else:
            out.append(("problem", entry.file, entry.line, entry.message))
    return out


def test_json_array_gives_each_object_the_line_it_starts_on(tmp_path: Path) -> None:
    path = tmp_path / "items.json"
    path.write_text(
        f'\n[\n  {{"实施编码": "{A}",\n   "事项名称": "甲"}},\n'
        f'  {{"实施编码": "{B}"}}, {{"实施编码": "{C}"}}\n]\n',
        encoding="utf-8",
    )
    assert _entries(path) == [
        ("item", str(path), 3, A),
        ("item", str(path), 5, B),
        ("item", str(path), 5, C),
    ]


def test_pretty_printed_export_lines(tmp_path: Path) -> None:
    records = [{"实施编码": A, "申请材料": [{"材料名称": "表"}]}, {"实施编码": B}]
    path = tmp_path / "items.json"
    path.write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    starts = [number for number, line in enumerate(lines, start=1) if line == "  {"]
    assert [line for _, _, line, _ in _entries(path)] == starts == [2, 10]


def test_jsonl_lines_and_unreadable_records(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text(
        f'{{"实施编码": "{A}"}}\n'
        "\n"
        '{"实施编码": "broken"\n'
        "[1, 2]\n"
        '{"事项名称": "没有编码"}\n'
        '{"实施编码": ""}\n'
        f'{{"实施编码": "{B}"}}\n'
        '{"实施编码": 37060000000000000000000000000000}\n',
        encoding="utf-8",
    )
    name = str(path)
    assert _entries(path) == [
        ("item", name, 1, A),
        ("problem", name, 3, "bad JSON: Expecting ',' delimiter (column 18)"),
        ("problem", name, 4, "not an item object but an array"),
        ("problem", name, 5, "item has no 实施编码"),
        ("problem", name, 6, "item has no 实施编码"),
        ("item", name, 7, B),
        # A code written as a number is said to be one (its leading zeros would be lost).
        (
            "problem",
            name,
            8,
            "实施编码 is a number, not text: write it in quotes, as the code reads",
        ),
    ]


def test_problem_prints_as_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text("nope\n", encoding="utf-8")
    (problem,) = list(read_items([path]))
    assert isinstance(problem, Problem)
    assert str(problem) == f"{path}:1: bad JSON: Expecting value (column 1)"


def test_json_array_element_errors_and_syntax_errors(tmp_path: Path) -> None:
    path = tmp_path / "items.json"
    path.write_text(
        f'[\n  {{"实施编码": "{A}"}},\n  "text",\n  {{"名称": 1}},\n'
        f'  {{"实施编码": "{B}",,}},\n  {{"实施编码": "{C}"}}\n]\n',
        encoding="utf-8",
    )
    name = str(path)
    assert _entries(path) == [
        ("item", name, 2, A),
        ("problem", name, 3, "not an item object but a string"),
        ("problem", name, 4, "item has no 实施编码"),
        (
            "broken file",
            name,
            5,
            "not a readable JSON array: Expecting property name enclosed in double quotes"
            " (column 46); no item from there on is checked",
        ),
    ]


def test_missing_comma_between_elements(tmp_path: Path) -> None:
    path = tmp_path / "items.json"
    path.write_text(f'[{{"实施编码": "{A}"}}\n {{"实施编码": "{B}"}}]', encoding="utf-8")
    assert _entries(path) == [
        ("item", str(path), 1, A),
        (
            "broken file",
            str(path),
            2,
            "not a readable JSON array: expected ',' or ']' but found “{” (column 2); no item"
            " from there on is checked",
        ),
    ]


def test_other_documents(tmp_path: Path) -> None:
    single = tmp_path / "single.json"
    single.write_text(f'\ufeff{{"实施编码": "{A}"}}', encoding="utf-8")
    empty = tmp_path / "empty.json"
    empty.write_text("  \n", encoding="utf-8")
    trailing = tmp_path / "trailing.json"
    trailing.write_text(f'[{{"实施编码": "{A}"}}]\nx', encoding="utf-8")
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'[\n{"\xff": 1}]')
    blank = tmp_path / "blank.json"
    blank.write_text("[ ]", encoding="utf-8")
    assert _entries(single, empty, trailing, latin, blank) == [
        ("item", str(single), 1, A),
        ("problem", str(empty), 1, "empty file: expected a JSON array of items"),
        ("item", str(trailing), 1, A),
        ("problem", str(trailing), 2, "bad JSON: extra data after the array"),
        ("problem", str(latin), 2, "not UTF-8 text (save it as UTF-8); the file is skipped"),
    ]


def test_an_empty_jsonl_and_a_table_are_named_not_passed(tmp_path: Path) -> None:
    """A nightly export cut to nothing is no clean export (as an empty .json is not), and
    a CSV or workbook given by name is said to be one, not misread as broken JSON."""
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.jsonl"
    blank.write_text("  \n\n", encoding="utf-8")
    table = tmp_path / "items.csv"
    table.write_text("实施编码,事项名称\n1,甲\n", encoding="utf-8")
    book = tmp_path / "items.XLSX"
    book.write_bytes(b"PK\x03\x04")
    said = (
        "file: item exports are read as JSON (.json, a JSON array of items, or .jsonl, "
        "one item a line); export the items as JSON"
    )
    assert _entries(empty, blank, table, book) == [
        ("problem", str(empty), 1, "empty file: expected one JSON item a line"),
        ("problem", str(blank), 1, "empty file: expected one JSON item a line"),
        ("problem", str(table), 0, f"a .csv {said}"),
        ("problem", str(book), 0, f"a .xlsx {said}"),
    ]


def test_folder_is_read_recursively_sorted_json_and_jsonl_only(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.jsonl").write_text(f'{{"实施编码": "{C}"}}\n', encoding="utf-8")
    (tmp_path / "a.json").write_text(f'[{{"实施编码": "{A}"}}]', encoding="utf-8")
    (tmp_path / "b" / "1.json").write_text(f'[{{"实施编码": "{B}"}}]', encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not items", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.json").write_text("broken", encoding="utf-8")
    assert item_files(tmp_path) == [
        tmp_path / "a.json",
        tmp_path / "b" / "1.json",
        tmp_path / "b" / "2.jsonl",
    ]
    assert [code for _, _, _, code in _entries(tmp_path)] == [A, B, C]


def test_empty_folder_is_a_problem(tmp_path: Path) -> None:
    assert _entries(tmp_path) == [
        ("problem", str(tmp_path), 0, "folder holds no .json or .jsonl files")
    ]


def test_parse_json_text_needs_no_file() -> None:
    (entry,) = list(parse_json_text(f'[{{"实施编码": "{A}"}}]', "<text>"))
    assert entry == ItemRecord({"实施编码": A}, "<text>", 1)


def test_large_jsonl_streams(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for number in range(5000):
            out.write(json.dumps({"实施编码": f"{number:031d}"}) + "\n")
    entries = read_items([path])
    first = next(entries)
    assert isinstance(first, ItemRecord) and first.line == 1
    assert sum(1 for _ in entries) == 4999


def test_absurd_nesting_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    lines = tmp_path / "deep.jsonl"
    lines.write_text(f'{{"实施编码": "{A}"}}\n{deep}\n', encoding="utf-8")
    array = tmp_path / "deep.json"
    array.write_text(f"[\n{deep}]", encoding="utf-8")
    assert [(kind, line) for kind, _, line, _ in _entries(lines, array)] == [
        ("item", 1),
        ("problem", 2),
        ("problem", 2),
    ]


LINES_NOTE = (
    "note: named .json but holds one item a line (JSON Lines): read as JSON Lines; name it .jsonl"
)
ARRAY_NOTE = (
    "note: named .jsonl but holds a JSON array of items: read as a JSON array; name it .json"
)


def test_json_lines_named_json_are_read_line_by_line_with_a_note(tmp_path: Path) -> None:
    """An export renamed by hand: every record is read (only the first was, the rest one
    "extra data" problem), a bad line is its own problem, and the note says so."""
    path = tmp_path / "lines.json"
    path.write_text(
        f'\ufeff{{"实施编码": "{A}"}}\r\n{{"实施编码": "{B}"}}\r\n\r\n{{"实施编码": 1\n'
        f'{{"实施编码": "{C}"}}\n',
        encoding="utf-8",
    )
    name = str(path)
    assert _entries(path) == [
        ("note", name, 0, LINES_NOTE),
        ("item", name, 1, A),
        ("item", name, 2, B),
        ("problem", name, 4, "bad JSON: Expecting ',' delimiter (column 11)"),
        ("item", name, 5, C),
    ]


def test_a_json_array_named_jsonl_is_read_as_an_array_with_a_note(tmp_path: Path) -> None:
    """A pretty-printed array named .jsonl: its records, each at the line it starts on,
    not a problem for every line of the file (7 records were "520 unreadable")."""
    pretty = tmp_path / "pretty.jsonl"
    records = [{"实施编码": code, "事项名称": "甲"} for code in (A, B)]
    pretty.write_text("\n\n" + json.dumps(records, ensure_ascii=False, indent=1), "utf-8")
    one_line = tmp_path / "one.JSONL"
    one_line.write_text(f'\ufeff  [{{"实施编码": "{C}"}}]\n', encoding="utf-8")
    assert _entries(pretty, one_line) == [
        ("note", str(pretty), 0, ARRAY_NOTE),
        ("item", str(pretty), 4, A),
        ("item", str(pretty), 8, B),
        ("note", str(one_line), 0, ARRAY_NOTE),
        ("item", str(one_line), 1, C),
    ]


def test_what_is_not_json_lines_after_a_document_stays_extra_data(tmp_path: Path) -> None:
    """Only one object a line reads as JSON Lines: a pretty-printed object followed by
    another, or a line of text after one, is a document with extra data, as before."""
    pretty = tmp_path / "pretty.json"
    pretty.write_text(f'{{\n "实施编码": "{A}"\n}}\n{{"实施编码": "{B}"}}\n', "utf-8")
    text = tmp_path / "text.json"
    text.write_text(f'{{"实施编码": "{A}"}}\n完\n', encoding="utf-8")
    same_line = tmp_path / "same.json"
    same_line.write_text(f'{{"实施编码": "{A}"}} {{"实施编码": "{B}"}}\n', "utf-8")
    extra = "bad JSON: extra data after the document"
    assert _entries(pretty, text, same_line) == [
        ("item", str(pretty), 1, A),
        ("problem", str(pretty), 4, extra),
        ("item", str(text), 1, A),
        ("problem", str(text), 2, extra),
        ("item", str(same_line), 1, A),
        ("problem", str(same_line), 1, extra),
    ]


def test_a_file_that_cannot_be_opened_is_said_in_words(tmp_path: Path) -> None:
    """Why a file cannot be read is said in the catalog's words, not the C library's
    English (strerror: "No such file or directory")."""
    (tmp_path / "a.jsonl").write_text(f'{{"实施编码": "{A}"}}\n', encoding="utf-8")
    (tmp_path / "b.jsonl").symlink_to(tmp_path / "gone.jsonl")  # left by an export share
    missing = tmp_path / "missing.json"
    assert _entries(tmp_path, missing) == [
        ("item", str(tmp_path / "a.jsonl"), 1, A),
        (
            "problem",
            str(tmp_path / "b.jsonl"),
            0,
            "cannot read: a link to a file that does not exist",
        ),
        ("problem", str(missing), 0, "cannot read: no such file"),
    ]


def test_os_reasons_are_worded_never_the_c_library_s() -> None:
    said = [
        os_reason(OSError(number, os.strerror(number)))
        for number in (errno.ENOENT, errno.EACCES, errno.EISDIR, errno.EXDEV)
    ]
    assert said == [
        "no such file",
        "no permission to read it",
        "it is a folder",
        "the system refused (EXDEV)",  # one not worded here: its code, not its English
    ]
    in_use = OSError(errno.EACCES, "The process cannot access the file")
    in_use.winerror = 32  # Windows: Excel holds the export open
    assert os_reason(in_use) == "it is open in another program (close it there and run again)"
    assert os_reason(OSError("no errno")) == "the system refused"


def test_os_reasons_of_a_write_say_write() -> None:
    """The ledger writer and repair say why a write failed in words too: permission and
    the disk as a write meets them, the rest as a read does."""
    said = [
        os_reason(OSError(number, os.strerror(number)), writing=True)
        for number in (errno.EACCES, errno.EIO, errno.ENOSPC, errno.EFBIG, errno.EROFS)
    ]
    assert said == [
        "no permission to write it",
        "the disk could not be written (input/output error)",
        "the disk is full",
        "the file would be larger than the system allows",
        "the disk is read-only",
    ]
    assert os_reason(OSError(errno.EISDIR, "Is a directory"), writing=True) == "it is a folder"
