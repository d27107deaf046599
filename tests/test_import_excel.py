"""Importing what Excel really exports: Chinese headers, Excel's dates and counts,
full-width digits, .xlsx workbooks read directly, the template, and re-runs of files
without keys that must never double the points. Scores worked by hand.
"""

from __future__ import annotations

import json
import shutil
import struct
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from conftest import REPO, run_process
from govscore.ledger.text import parse_toml_ledger
from test_import import gs, ledger_bytes


def entries(root: Path, month: str) -> list:
    path = root / "ledger" / f"{month}.toml"
    parsed = parse_toml_ledger(path.read_text(encoding="utf-8"), path.name, month)
    assert parsed.problems == ()
    return list(parsed.entries)


def totals(root: Path, month: str) -> list[tuple[int, str, float]]:
    payload = json.loads(gs(root, "month", month, "--format", "json").stdout)
    return [(d["rank"], d["department"], d["total"]) for d in payload["departments"]]


# What Chinese Excel saves as "CSV": GB18030, CRLF, Chinese headers, dates as it shows
# them, a count it holds as a number written 2.0, digits typed full-width.
CHINESE_CSV = (
    "部门,条款,次数,日期,说明\r\n"
    "公安局,２.４.３,2.0,2023/5/3,甲\r\n"
    "市民政局,2.4.3,１,2023-5-4,乙\r\n"
    "体育,2.4.3,3,2023年5月5日,丙\r\n"
    "体育,2.4.3,1,2023.5.6 0:00,丁\r\n"
)


def test_chinese_headers_excel_dates_and_full_width_digits(small: Path):
    Path("may.csv").write_bytes(CHINESE_CSV.encode("gb18030"))
    result = gs(small, "import", "may.csv", "--by", "cron")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2023-05-0001\n2023-05-0002\n2023-05-0003\n2023-05-0004\n"
    got = [(e.department, e.clause, e.count, e.date, e.note) for e in entries(small, "2023-05")]
    assert got == [
        ("市公安局", "2.4.3", 2, date(2023, 5, 3), "甲"),
        ("市民政局", "2.4.3", 1, date(2023, 5, 4), "乙"),
        ("市体育局", "2.4.3", 3, date(2023, 5, 5), "丙"),
        ("市体育局", "2.4.3", 1, date(2023, 5, 6), "丁"),
    ]
    # 2.4.3 costs 1 a case in category 2 (weight 0.40):
    # 市民政局 1 → C2 99 → 25 + 39.6 + 20 + 15 = 99.60
    # 市公安局 2 → C2 98 → 25 + 39.2 + 20 + 15 = 99.20
    # 市体育局 3 + 1 → C2 96 → 25 + 38.4 + 20 + 15 = 98.40
    assert totals(small, "2023-05") == [
        (1, "市民政局", 99.6),
        (2, "市公安局", 99.2),
        (3, "市体育局", 98.4),
    ]


def test_month_column_as_excel_writes_it(small: Path):
    Path("rows.csv").write_text(
        "部门,条款,月份\n公安局,2.4.3,2023/6\n公安局,2.4.3,2023年7月\n公安局,2.4.3,2023/8/1\n",
        encoding="utf-8",
    )
    result = gs(small, "import", "rows.csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2023-06-0001\n2023-07-0001\n2023-08-0001\n"


def test_a_count_that_is_not_whole_is_named(small: Path):
    Path("rows.csv").write_text("部门,条款,次数,月份\n公安局,2.4.3,2.5,2023-05\n", encoding="utf-8")
    result = gs(small, "import", "rows.csv")
    assert result.exit_code == 1
    assert result.stderr.startswith("rows.csv:2: 次数: '2.5' is not a whole number\n")
    # The column is named as the file heads it, in the reader's words around it.
    chinese = run_process("--root", str(small), "import", "rows.csv", env={"GOVSCORE_LANG": "zh"})
    assert chinese.stderr.startswith("rows.csv:2: 次数：'2.5' 不是整数")


def test_english_and_chinese_names_of_one_column_are_refused(small: Path):
    Path("rows.csv").write_text("部门,department,条款\n公安局,公安局,2.4.3\n", encoding="utf-8")
    result = gs(small, "import", "rows.csv")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "rows.csv:1: columns '部门' and 'department' both give department; keep one of them"
    )


def test_an_unknown_chinese_column_gets_a_suggestion(small: Path):
    Path("rows.csv").write_text("部门,条款号\n公安局,2.4.3\n", encoding="utf-8")
    result = gs(small, "import", "rows.csv")
    assert result.exit_code == 1
    assert result.stderr.startswith("rows.csv:1: unknown column '条款号'; did you mean '条款'?")


# -- .xlsx workbooks, read directly ---------------------------------------------------


def workbook(path: Path, rows: list[list[object]], formats: dict[str, str] | None = None) -> Path:
    """A real .xlsx file written by openpyxl, with number formats on some cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for where, number_format in (formats or {}).items():
        sheet[where].number_format = number_format
    other = book.create_sheet("说明")  # only the first sheet is read
    other.append(["部门", "条款"])
    other.append(["无名局", "9.9.9"])
    book.save(path)
    return path


def test_an_xlsx_workbook_imports_with_its_date_cells_and_percentages(small: Path):
    workbook(
        Path("may.xlsx"),
        [
            ["部门", "条款", "比率", "日期", "次数", "说明"],
            ["公安局", "2.5.2", 0.935, datetime(2023, 5, 10, 9, 30), None, "评价率"],
            [None, None, None, None, None, None],  # an empty row: skipped, rows keep numbers
            ["# 注释行", "2.4.3", None, None, None, None],  # a comment row
            ["民政局", "2.4.3", None, 45061, 2.0, None],  # a date held as Excel's day number
            ["体育", 2.4, None, date(2023, 5, 20), 1, "数字格式的条款"],
        ],
        {"C2": "0.0%", "D5": "General"},
    )
    result = gs(small, "import", "may.xlsx")
    assert result.exit_code == 1  # 2.4 is not a clause: the whole file is refused
    assert result.stderr.splitlines()[0].startswith(
        "may.xlsx:6: 条款: '2.4' is a part of the catalog, not a clause: give one of 2.4.1, "
    )
    assert ledger_bytes(small) == {".gitkeep": b""}

    workbook(
        Path("may.xlsx").with_name("fixed.xlsx"),
        [
            ["部门", "条款", "比率", "日期", "次数", "说明"],
            ["公安局", "2.5.2", 0.935, datetime(2023, 5, 10, 9, 30), None, "评价率"],
            [None, None, None, None, None, None],
            ["# 注释行", "2.4.3", None, None, None, None],
            ["民政局", "2.4.3", None, 45061, 2.0, None],
            ["体育", "2.4.3", None, date(2023, 5, 20), 1, None],
        ],
        {"C2": "0.0%"},
    )
    result = gs(small, "import", "fixed.xlsx")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2023-05-0001\n2023-05-0002\n2023-05-0003\n"
    got = [(e.department, e.clause, e.value, e.count, e.date) for e in entries(small, "2023-05")]
    assert got == [
        ("市公安局", "2.5.2", 93.5, 1, date(2023, 5, 10)),  # the cell shows 93.5%
        ("市民政局", "2.4.3", None, 2, date(2023, 5, 15)),  # day 45061 from 1899-12-30
        ("市体育局", "2.4.3", None, 1, date(2023, 5, 20)),
    ]
    # 市公安局: 2.5.2 at 93.5% → (100 − 93.5) × 0.1 = 0.65 → C2 99.35
    #           → 25 + 39.74 + 20 + 15 = 99.74
    # 市体育局: 2.4.3 × 1 → C2 99 → 99.60; 市民政局: 2.4.3 × 2 → C2 98 → 99.20
    assert totals(small, "2023-05") == [
        (1, "市公安局", 99.74),
        (2, "市体育局", 99.6),
        (3, "市民政局", 99.2),
    ]
    # The same workbook again, as a real process: every row already recorded.
    again = run_process("--root", str(small), "import", "fixed.xlsx")
    assert (again.returncode, again.stdout) == (0, "")
    assert again.stderr == (
        "warning: fixed.xlsx: only the first sheet is imported; not read: '说明'\n"
        "imported 0 entries, skipped 3 already recorded (by key)\n"
    )


def test_broken_and_old_workbooks_are_named(small: Path):
    Path("broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    broken = gs(small, "import", "broken.xlsx")
    assert broken.exit_code == 1
    assert broken.stderr.startswith("error: broken.xlsx: not an Excel workbook that can be read")
    Path("old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    old = gs(small, "import", "old.xls")
    assert old.exit_code == 1
    assert old.stderr == (
        "error: old.xls: an old Excel workbook (.xls); save it as .xlsx (Excel workbook) "
        "or as CSV UTF-8\n"
    )


def test_a_workbook_saved_with_a_password_is_said_to_be_one_not_an_xls(small: Path):
    """Review BH F14: Excel saves a workbook with a password as an OLE container, which
    was told to be an old .xls: the clerk has an .xlsx, and must remove the password.
    tests/files/password-123456.xlsx is such a workbook (its password 123456), encrypted
    as Excel does (msoffcrypto-tool's agile encryption)."""
    shutil.copy(REPO / "tests" / "files" / "password-123456.xlsx", "名单.xlsx")
    said = {
        lang: run_process("--root", str(small), "import", "名单.xlsx", env={"GOVSCORE_LANG": lang})
        for lang in ("zh", "en")
    }
    assert {lang: (r.returncode, r.stdout, r.stderr) for lang, r in said.items()} == {
        "zh": (
            1,
            "",
            "错误：名单.xlsx: 工作簿设有密码（已加密）；请在 Excel 或 WPS 中打开，去掉密码"
            "（或另存一份不设密码的副本），再导入该文件\n",
        ),
        "en": (
            1,
            "",
            "error: 名单.xlsx: the workbook is protected by a password (encrypted); open it in "
            "Excel or WPS, remove the password (or save a copy without one), and import that\n",
        ),
    }
    assert ledger_bytes(small) == {".gitkeep": b""}


# -- the template ---------------------------------------------------------------------

HEADER = "部门,条款,次数,分值,层级,比率,分子,分母,事项,关联,逐月计分,日期,月份,说明,记录人,去重键"


def test_the_csv_template_has_a_bom_the_chinese_headers_and_imports_nothing(small: Path):
    result = gs(small, "import", "--template", "模板.csv")
    assert result.exit_code == 0, result.output
    assert result.stderr == "wrote an empty import template to 模板.csv\n"
    data = Path("模板.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + HEADER.encode("utf-8") + b"\r\n")
    lines = data.decode("utf-8-sig").splitlines()
    assert len(lines) == 3 and all(line.startswith("#") for line in lines[1:])
    # The example's count and note tell of the same three cases.
    assert lines[2] == "#市公安局,2.4.3,3,,,,,,,,,2023/5/23,,3件超期办结,张敏,"
    imported = gs(small, "import", "模板.csv")
    assert imported.exit_code == 0, imported.output
    assert (imported.stdout, imported.stderr) == (
        "",
        "imported 0 entries, skipped 0 already recorded (by key)\n",
    )
    # The example row, its # taken away, is one entry as the clerk would expect.
    Path("filled.csv").write_text(
        "\n".join([lines[0], lines[2].removeprefix("#")]) + "\n", encoding="utf-8"
    )
    filled = gs(small, "import", "filled.csv")
    assert (filled.exit_code, filled.stdout) == (0, "2023-05-0001\n"), filled.output
    [entry] = entries(small, "2023-05")
    assert (entry.department, entry.count, entry.date, entry.note, entry.by) == (
        "市公安局",
        3,
        date(2023, 5, 23),
        "3件超期办结",
        "张敏",
    )


def test_the_xlsx_template_imports_nothing_and_shows_the_example_on_a_second_sheet(small: Path):
    result = gs(small, "import", "--template", "模板.xlsx")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook("模板.xlsx")
    first, second = book.worksheets
    assert [c.value for c in first[1]] == HEADER.split(",")
    assert first.max_row == 1
    assert [c.value for c in second[1]] == HEADER.split(",")
    example = [c.value for c in second[2]]
    assert example[:4] == ["市公安局", "2.4.3", 3, None]  # 3, as its note 3件超期办结 says
    assert example[13] == "3件超期办结"
    assert second["L2"].value == datetime(2023, 5, 23)
    imported = run_process("--root", str(small), "import", "模板.xlsx")
    assert imported.returncode == 0, imported.stderr
    assert (imported.stdout, imported.stderr) == (
        "",
        "imported 0 entries, skipped 0 already recorded (by key)\n",
    )
    assert ledger_bytes(small) == {".gitkeep": b""}


def test_the_template_overwrites_nothing_and_needs_a_known_suffix(small: Path):
    Path("taken.csv").write_text("mine\n", encoding="utf-8")
    taken = gs(small, "import", "--template", "taken.csv")
    assert taken.exit_code == 2
    assert "already exists" in taken.stderr
    assert Path("taken.csv").read_text(encoding="utf-8") == "mine\n"
    odd = gs(small, "import", "--template", "t.ods")
    assert odd.exit_code == 2 and "name a .csv or an .xlsx file" in odd.stderr
    assert not Path("t.ods").exists()
    neither = gs(small, "import")
    assert neither.exit_code == 2 and "missing FILE" in neither.stderr


# -- re-runs never double the points --------------------------------------------------

NO_KEYS = "部门,条款,次数,日期\n公安局,2.4.3,2,2023-05-03\n民政局,2.4.3,1,2023-05-04\n"


def test_a_file_without_keys_imported_twice_adds_nothing_the_second_time(small: Path):
    Path("rows.csv").write_text(NO_KEYS, encoding="utf-8")
    first = gs(small, "import", "rows.csv")
    assert (first.exit_code, first.stdout) == (0, "2023-05-0001\n2023-05-0002\n")
    keys = [e.key for e in entries(small, "2023-05")]
    assert all(k.startswith("row-") and k.endswith("-1") for k in keys) and len(set(keys)) == 2
    before = ledger_bytes(small)
    second = gs(small, "import", "rows.csv")
    assert (second.exit_code, second.stdout) == (0, "")
    assert second.stderr == "imported 0 entries, skipped 2 already recorded (by key)\n"
    assert ledger_bytes(small) == before
    # 市公安局 2.4.3 × 2 → C2 98 → 99.20, once, however often the file is imported.
    assert totals(small, "2023-05")[-1] == (3, "市公安局", 99.2)


def test_a_later_export_repeating_earlier_rows_adds_only_the_new_ones(small: Path):
    Path("monday.csv").write_text(NO_KEYS, encoding="utf-8")
    assert gs(small, "import", "monday.csv").exit_code == 0
    # Tuesday's export: the columns in another order, the count as 2.0, the date as Excel
    # shows it, in GB18030, and one new row.
    tuesday = "日期,次数,条款,部门\n2023/5/3,2.0,2.4.3,公安局\n2023/5/4,1,2.4.3,民政局\n"
    tuesday += "2023/5/9,1,2.4.3,体育\n"
    Path("tuesday.csv").write_bytes(tuesday.encode("gb18030"))
    result = gs(small, "import", "tuesday.csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2023-05-0003\n"
    assert result.stderr == "imported 1 entry, skipped 2 already recorded (by key)\n"


def test_identical_rows_are_each_an_entry_and_a_third_one_later_adds_one(small: Path):
    # Two equal incidents on one day are two entries: rows are counted among equals.
    two = "部门,条款,日期\n公安局,2.4.3,2023-05-03\n公安局,2.4.3,2023-05-03\n"
    Path("two.csv").write_text(two, encoding="utf-8")
    first = gs(small, "import", "two.csv")
    assert first.stdout == "2023-05-0001\n2023-05-0002\n"
    Path("three.csv").write_text(two + "公安局,2.4.3,2023-05-03\n", encoding="utf-8")
    later = gs(small, "import", "three.csv")
    assert later.stdout == "2023-05-0003\n"
    assert later.stderr == "imported 1 entry, skipped 2 already recorded (by key)\n"
    assert [e.key.rsplit("-", 1)[1] for e in entries(small, "2023-05")] == ["1", "2", "3"]
    # 2.4.3 × 3 → C2 97 → 25 + 38.8 + 20 + 15 = 98.80
    assert totals(small, "2023-05")[-1] == (3, "市公安局", 98.8)


def test_a_voided_row_does_not_come_back_with_the_next_export(small: Path):
    Path("rows.csv").write_text(NO_KEYS, encoding="utf-8")
    assert gs(small, "import", "rows.csv").exit_code == 0
    assert gs(small, "void", "2023-05-0001", "--reason", "申诉成立").exit_code == 0
    again = gs(small, "import", "rows.csv")
    assert (again.exit_code, again.stdout) == (0, "")
    # Only 市民政局's 2.4.3 stands: C2 99 → 99.60; 市公安局 back at 100.
    assert totals(small, "2023-05") == [
        (1, "市公安局", 100.0),
        (1, "市体育局", 100.0),
        (3, "市民政局", 99.6),
    ]


def test_a_formula_the_workbook_holds_no_value_for_is_refused_not_read_as_empty(small: Path):
    """A program other than Excel or WPS may write a formula without its value (openpyxl
    does): read as an empty cell, a count would be booked as 1. Refused by its row."""
    header = ["部门", "条款", "次数", "月份"]
    rows = [header, ["公安局", "2.4.3", "=1+2", "2023-05"], ["民政局", "2.4.3", 2, "2023-05"]]
    workbook(Path("sums.xlsx"), rows)
    before = ledger_bytes(small)
    result = gs(small, "import", "sums.xlsx")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "sums.xlsx:2: count: a formula the workbook holds no value for (=1+2): open the "
        "workbook in Excel or WPS and save it, so that it holds the formula's value\n"
    )
    assert ledger_bytes(small) == before


def test_a_damaged_workbook_is_a_message_never_a_traceback(small: Path):
    import io
    import zipfile

    good = workbook(Path("good.xlsx"), [["部门", "条款"], ["公安局", "2.4.3"]]).read_bytes()
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}

    def damaged(name: str, change: dict[str, bytes | None]) -> str:
        changed = {**parts, **change}
        with zipfile.ZipFile(name, "w") as archive:
            for part, data in changed.items():
                if data is not None:
                    archive.writestr(part, data)
        result = run_process("--root", str(small), "import", name)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        return result.stderr

    sheet = "xl/worksheets/sheet1.xml"
    cut = damaged("cut.xlsx", {sheet: parts[sheet][: len(parts[sheet]) // 2]})
    assert cut.startswith(
        "error: cut.xlsx: not an Excel workbook that can be read: a part of it is damaged "
        "(its XML is cut short or broken); save it again as .xlsx or as CSV UTF-8"
    )
    missing = damaged("missing.xlsx", {"[Content_Types].xml": None})
    assert "not an Excel workbook that can be read: a part every workbook holds is missing" in (
        missing
    )
    styles = damaged("styles.xlsx", {"xl/styles.xml": b"<styleSheet"})
    assert "not an Excel workbook that can be read: " in styles


def _zip_headers(data: bytes) -> dict[str, tuple[int, int]]:
    """Each part's local and central header offsets in a zip archive, by name."""
    end = data.rindex(b"PK\x05\x06")
    (count,) = struct.unpack_from("<H", data, end + 10)
    (at,) = struct.unpack_from("<I", data, end + 16)
    found = {}
    for _ in range(count):
        sizes = struct.unpack_from("<HHH", data, at + 28)
        name = data[at + 46 : at + 46 + sizes[0]].decode()
        (local,) = struct.unpack_from("<I", data, at + 42)
        found[name] = (local, at)
        at += 46 + sum(sizes)
    return found


def _zip_field(data: bytes, name: str, field: str, value: int) -> bytes:
    """A part's general-purpose flags, compression method, checksum or unpacked size set,
    as a zip tool writes it."""
    local, central = _zip_headers(data)[name]
    at_local, at_central, width = {
        "flags": (6, 8, "<H"),
        "method": (8, 10, "<H"),
        "crc": (14, 16, "<I"),
        "size": (22, 24, "<I"),
    }[field]
    changed = bytearray(data)
    struct.pack_into(width, changed, local + at_local, value)
    struct.pack_into(width, changed, central + at_central, value)
    return bytes(changed)


def _deflate_damaged(data: bytes, name: str) -> bytes:
    """A part whose compressed data is damaged: its first block's type is one deflate
    does not have (what a bad USB stick or a cut download leaves)."""
    local, _central = _zip_headers(data)[name]
    name_length, extra_length = struct.unpack_from("<HH", data, local + 26)
    changed = bytearray(data)
    changed[local + 30 + name_length + extra_length] = 0xFF
    return bytes(changed)


def test_a_workbook_a_zip_tool_repacked_or_damaged_is_a_message_never_a_traceback(small: Path):
    """Review BH F4: a damaged deflate stream (zlib.error), a zip password (RuntimeError)
    and Deflate64 (NotImplementedError) each crashed with a traceback."""
    good = workbook(Path("good.xlsx"), [["部门", "条款"], ["公安局", "2.4.3"]]).read_bytes()
    files = {
        "locked.xlsx": _zip_field(good, "[Content_Types].xml", "flags", 0x1),
        "deflate64.xlsx": _zip_field(good, "xl/worksheets/sheet1.xml", "method", 9),
        "aes.xlsx": _zip_field(good, "xl/workbook.xml", "method", 99),
        "damaged.xlsx": _deflate_damaged(good, "xl/worksheets/sheet1.xml"),
    }
    said = {}
    for name, data in files.items():
        Path(name).write_bytes(data)
        for lang in ("zh", "en"):
            result = run_process(
                "--root", str(small), "import", "--dry-run", name, env={"GOVSCORE_LANG": lang}
            )
            said[name, lang] = (result.returncode, result.stdout, result.stderr)
    en = "error: {}: not an Excel workbook that can be read: {}; save it again as .xlsx or as CSV UTF-8\n"
    zh = "错误：{}: 不是可读取的 Excel 工作簿：{}；请重新另存为 .xlsx 或 CSV UTF-8\n"
    packed = "a zip tool packed it in a way that cannot be unpacked (Deflate64 or AES)"
    packed_zh = "它被压缩软件以无法解压的方式重新打包（Deflate64 或 AES）"
    damaged = "a part of it is damaged (its compressed data does not unpack)"
    assert said == {
        ("locked.xlsx", "en"): (
            1,
            "",
            en.format("locked.xlsx", "a zip tool locked it with a password"),
        ),
        ("locked.xlsx", "zh"): (1, "", zh.format("locked.xlsx", "它被压缩软件加了密码")),
        ("deflate64.xlsx", "en"): (1, "", en.format("deflate64.xlsx", packed)),
        ("deflate64.xlsx", "zh"): (1, "", zh.format("deflate64.xlsx", packed_zh)),
        ("aes.xlsx", "en"): (1, "", en.format("aes.xlsx", packed)),
        ("aes.xlsx", "zh"): (1, "", zh.format("aes.xlsx", packed_zh)),
        ("damaged.xlsx", "en"): (1, "", en.format("damaged.xlsx", damaged)),
        ("damaged.xlsx", "zh"): (
            1,
            "",
            zh.format("damaged.xlsx", "其中一部分已损坏（压缩的数据无法解压）"),
        ),
    }


_SHEET = "xl/worksheets/sheet1.xml"
_BLANK = b" " * 2**20


def _bomb(name: str, blank_mb: int) -> Path:
    """A real zip bomb: a workbook openpyxl reads, its sheet's XML a run of blanks."""
    import io
    import zipfile

    good = workbook(Path("good.xlsx"), [["部门", "条款"], ["公安局", "2.4.3"]]).read_bytes()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as archive,
        zipfile.ZipFile(name, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for part in archive.namelist():
            if part != _SHEET:
                bomb.writestr(part, archive.read(part))
                continue
            with bomb.open(part, "w") as sheet:
                sheet.write(archive.read(part).split(b"<sheetData")[0] + b"<sheetData>")
                for _ in range(blank_mb):
                    sheet.write(_BLANK)
                sheet.write(b"</sheetData></worksheet>")
    return Path(name)


def _big_bomb(name: str, blank_mb: int) -> Path:
    """A zip bomb too big to pack in a test's time: the deflate of a megabyte of blanks
    (which refers to nothing before it) repeated, then set as the sheet's packed data
    with its true size and checksum."""
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(_BLANK) + packer.flush(zlib.Z_FULL_FLUSH)
    packed = block * blank_mb + packer.flush()
    crc = 0
    for _ in range(blank_mb):
        crc = zlib.crc32(_BLANK, crc)
    stored = {**_parts(_bomb("small.xlsx", 0)), _SHEET: packed}
    data = _written(stored)  # every part stored; the sheet's bytes are deflate's
    for field, value in (("method", 8), ("crc", crc), ("size", blank_mb * 2**20)):
        data = _zip_field(data, _SHEET, field, value)
    Path(name).write_bytes(data)
    return Path(name)


def _parts(path: Path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return {part: archive.read(part) for part in archive.namelist()}


def _written(parts: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(small: Path):
    """Review J6: 300 MB of blanks packed in 310 KB took 34 s and 1.3 GB of memory to be
    found to have no header. Refused by the sizes the zip declares, at once: a real bomb
    of 96 MB (said in Chinese), and one of 2.1 GB whose blanks would take minutes to
    unpack (in English)."""
    import zipfile

    before = ledger_bytes(small)
    with zipfile.ZipFile(_bomb("bomb.xlsx", 96)) as archive:
        sheet = archive.getinfo(_SHEET)
    ratio = f"{sheet.file_size // sheet.compress_size:,}"  # blanks pack ~1,000 times
    result = run_process("--root", str(small), "import", "bomb.xlsx", env={"GOVSCORE_LANG": "zh"})
    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "",
        "错误：bomb.xlsx: 不是可读取的 Excel 工作簿：其中的 xl/worksheets/sheet1.xml "
        f"解压后将有 96 MB，是压缩后大小的 {ratio} 倍：工作簿的任何部分解压后都不会超过"
        "压缩后的 100 倍（工作表约 10 倍），只有“压缩炸弹”才会这样；请重新另存为 .xlsx 或 "
        "CSV UTF-8\n",
    )
    _big_bomb("big.xlsx", 2100)
    result = run_process("--root", str(small), "import", "big.xlsx")
    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "",
        "error: big.xlsx: not an Excel workbook that can be read: it would unpack to "
        "2,100 MB, more than the 2,048 MB a workbook is read to (a million rows unpack "
        "to about 600 MB); save it again as .xlsx or as CSV UTF-8\n",
    )
    assert ledger_bytes(small) == before


def test_a_bomb_of_many_small_parts_is_refused_by_their_sum(small: Path):
    """Review BL F1: parts under a megabyte were never measured, so 200 sheets of blank
    cells, each just under one (577 KB in all, 210 MB unpacked), were read through for
    100 s. The workbook's parts are measured together too: refused at once."""
    parts = _parts(_bomb("one.xlsx", 0))
    blank = b"<worksheet><sheetData>" + b" " * (2**20 - 100) + b"</sheetData></worksheet>"
    parts.update({f"xl/worksheets/extra{n}.xml": blank for n in range(40)})
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    Path("many.xlsx").write_bytes(out.getvalue())
    with zipfile.ZipFile("many.xlsx") as archive:
        listed = archive.infolist()
    total = sum(part.file_size for part in listed)
    ratio = total // sum(part.compress_size for part in listed)
    assert ratio > 100 and all(part.file_size < 2**20 for part in listed)
    before = ledger_bytes(small)
    result = run_process("--root", str(small), "import", "many.xlsx")
    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "",
        "error: many.xlsx: not an Excel workbook that can be read: its parts would unpack "
        f"to {total / 2**20:,.0f} MB in all, {ratio:,} times their packed size: no workbook "
        "unpacks to more than 100 times (a sheet, about 10 times), only a zip bomb; save it "
        "again as .xlsx or as CSV UTF-8\n",
    )
    assert ledger_bytes(small) == before


def test_sheets_after_the_first_are_looked_at_up_to_a_bound(
    small: Path, monkeypatch: pytest.MonkeyPatch
):
    """Other sheets are looked at for anything filled in (a clerk should hear that only
    the first is imported), up to MOST_OTHER_CELLS cells in all: past it, the sheets left
    are named unread without being read (a workbook of hundreds of blank sheets)."""
    from govscore.ledger import importing

    book = openpyxl.Workbook()
    book.active.append(["部门", "条款"])
    book.active.append(["公安局", "2.4.3"])
    notes = book.create_sheet("notes")
    for n in range(20):
        notes.append([f"note {n}"])
    book.create_sheet("empty")
    book.create_sheet("late").append(["x"])
    book.save("sheets.xlsx")
    said = "warning: sheets.xlsx: only the first sheet is imported; not read: {}\n"
    args = ("import", "sheets.xlsx", "--month", "2023-05", "--dry-run")
    assert gs(small, *args).stderr.startswith(said.format("'notes', 'late'"))
    monkeypatch.setattr(importing, "MOST_OTHER_CELLS", 10)
    bounded = gs(small, *args).stderr
    assert bounded.startswith(said.format("'notes', 'empty', 'late'"))


def test_a_bomb_whose_zip_understates_its_size_is_never_unpacked_beyond_it(small: Path):
    """A zip directory may lie: a part declared at 1,000 bytes that holds 96 MB of blanks
    is unpacked to its 1,000 bytes only (zipfile stops there, and its checksum fails):
    refused as damaged, at once."""
    lying = _zip_field(_bomb("bomb.xlsx", 96).read_bytes(), _SHEET, "size", 1000)
    Path("lying.xlsx").write_bytes(lying)
    result = run_process("--root", str(small), "import", "lying.xlsx")
    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "",
        "error: lying.xlsx: not an Excel workbook that can be read: it is not a whole .xlsx "
        "file (a zip archive); save it again as .xlsx or as CSV UTF-8\n",
    )


# Excel 2010's drop-down list drawn from another sheet (the template's second sheet lists
# the departments), and a conditional format of its own: extensions openpyxl drops.
_EXTENSIONS = (
    '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1"><x14:formula1><xm:f>说明!$A$2:$A$3</xm:f>'
    "</x14:formula1><xm:sqref>A2:A100</xm:sqref></x14:dataValidation></x14:dataValidations>"
    '</ext><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    "<x14:conditionalFormattings/></ext></extLst>"
).encode()


def test_openpyxl_s_own_warnings_never_reach_the_clerk(small: Path):
    """Review BH F5: a sheet with a drop-down list from another sheet printed openpyxl's
    `UserWarning: Data Validation extension is not supported and will be removed`."""
    import io
    import zipfile

    rows = [["部门", "条款", "月份"], ["公安局", "2.4.3", "2023-05"]]
    plain = workbook(Path("plain.xlsx"), rows).read_bytes()
    sheet = "xl/worksheets/sheet1.xml"
    with (
        zipfile.ZipFile(io.BytesIO(plain)) as archive,
        zipfile.ZipFile("listed.xlsx", "w", zipfile.ZIP_DEFLATED) as listed,
    ):
        for part in archive.namelist():
            data = archive.read(part)
            if part == sheet:
                data = data.replace(b"</worksheet>", _EXTENSIONS + b"</worksheet>")
            listed.writestr(part, data)
    for lang in ("zh", "en"):
        said = [
            run_process(
                "--root", str(small), "import", "--dry-run", name, env={"GOVSCORE_LANG": lang}
            )
            for name in ("listed.xlsx", "plain.xlsx")
        ]
        outputs = [
            (r.returncode, r.stdout, r.stderr.replace(n, "FILE"))
            for r, n in zip(said, ("listed.xlsx", "plain.xlsx"), strict=True)
        ]
        assert outputs[0] == outputs[1], said[0].stderr
        assert "Warning" not in said[0].stderr and outputs[0][0] == 0


def test_a_row_hidden_in_excel_is_refused_not_imported_unseen(small: Path):
    """A clerk who hides rows (or filters them out) in Excel sees only the others: the
    hidden ones would be booked unseen. Refused by their rows; a hidden empty row is
    nothing."""
    header = ["部门", "条款", "次数", "月份"]
    rows = [
        header,
        ["公安局", "2.4.3", 1, "2023-05"],
        ["民政局", "2.4.3", 2, "2023-05"],
        [],
        ["体育局", "2.4.3", 3, "2023-05"],
    ]
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    for number in (3, 4, 5):
        book.active.row_dimensions[number].hidden = True
    book.save("hidden.xlsx")
    before = ledger_bytes(small)
    result = gs(small, "import", "hidden.xlsx")
    assert result.exit_code == 1
    message = (
        "the row is hidden in the workbook (hidden, or filtered out, in Excel): show it to "
        "import it, or delete it"
    )
    assert result.stderr.splitlines()[:2] == [
        f"hidden.xlsx:3: {message}",
        f"hidden.xlsx:5: {message}",
    ]
    assert ledger_bytes(small) == before
    # Shown again, the rows import: 1 + 2 + 3 entries' rows.
    book.active.row_dimensions[3].hidden = False
    book.active.row_dimensions[5].hidden = False
    book.save("hidden.xlsx")
    result = gs(small, "import", "hidden.xlsx")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2023-05-0001\n2023-05-0002\n2023-05-0003\n"


def test_a_hidden_first_sheet_is_refused(small: Path):
    book = openpyxl.Workbook()
    book.active.append(["部门", "条款", "月份"])
    book.active.append(["公安局", "2.4.3", "2023-05"])
    book.active.sheet_state = "hidden"
    book.create_sheet("看得见的")
    book.save("secret.xlsx")
    before = ledger_bytes(small)
    result = run_process("--root", str(small), "import", "secret.xlsx")
    assert result.returncode == 1
    assert result.stderr == (
        "error: secret.xlsx: its first sheet 'Sheet', the one imported, is hidden in "
        "Excel: show it (取消隐藏) if its rows are meant, or move the sheet to import first\n"
    )
    assert ledger_bytes(small) == before


def test_sheets_after_the_first_are_named_as_not_read(small: Path):
    """Only the first sheet is imported: a clerk who filled in a second one hears so
    (the template's example sheet, and empty sheets, are nothing to hear of)."""
    rows = [["部门", "条款", "月份"], ["公安局", "2.4.3", "2023-05"]]
    workbook(Path("two.xlsx"), rows)  # its second sheet 说明 holds a row
    result = run_process("--root", str(small), "import", "two.xlsx")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "2023-05-0001\n"
    assert result.stderr == (
        "warning: two.xlsx: only the first sheet is imported; not read: '说明'\n"
        "imported 1 entry, skipped 0 already recorded (by key)\n"
    )


def test_rows_typed_into_the_templates_example_sheet_are_said_to_be_unread(small: Path):
    """A clerk who typed the month's rows below the example on the template's 示例 sheet
    imported nothing, without a word: that sheet is passed over only as it came."""
    assert gs(small, "import", "--template", "模板.xlsx").exit_code == 0
    book = openpyxl.load_workbook("模板.xlsx")
    book.worksheets[1].append(["市公安局", "2.4.3", 1])
    book.save("模板.xlsx")
    imported = run_process("--root", str(small), "import", "模板.xlsx")
    assert imported.returncode == 0, imported.stderr
    assert imported.stderr.startswith(
        "warning: 模板.xlsx: only the first sheet is imported; not read: 'example'\n"
    ), imported.stderr


def test_the_headers_of_an_earlier_template_still_read(small: Path):
    """The template now heads its columns with the office's words (层级, 逐月计分, 去重键);
    a file made from the earlier one (等级, 持续, 键) imports the same."""
    Path("old.csv").write_text(
        "部门,条款,等级,事项,持续,键,月份\n体育,4.2.2,省级,企业开办一件事,,k-1,2023-05\n"
        "体育,3.1.3,,,是,k-2,2023-05\n",
        encoding="utf-8",
    )
    result = gs(small, "import", "old.csv")
    assert result.exit_code == 0, result.output
    got = [(e.clause, e.level, e.matter, e.recurring, e.key) for e in entries(small, "2023-05")]
    assert got == [
        ("4.2.2", "省级", "企业开办一件事", False, "k-1"),
        ("3.1.3", None, None, True, "k-2"),
    ]


# An office's sheet as it is printed: a title above the header (merged across it in
# Excel, so a CSV export writes it with empty cells after it), a blank row, and a 序号
# column numbering the rows.
TITLED_CSV = (
    "2023年5月政务服务考评扣分记录,,,,,\r\n"
    ",,,,,\r\n"
    "序号,部门,条款,次数,日期,说明\r\n"
    "1,公安局,2.4.3,2,2023/5/3,甲\r\n"
    "2,市民政局,2.4.3,1,2023/5/4,乙\r\n"
)


def test_a_title_row_and_a_row_number_column_are_passed_over(small: Path):
    Path("titled.csv").write_bytes(TITLED_CSV.encode("gb18030"))
    result = gs(small, "import", "titled.csv", "--by", "cron")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2023-05-0001\n2023-05-0002\n"
    assert result.stderr == "imported 2 entries, skipped 0 already recorded (by key)\n"
    got = [(e.department, e.clause, e.count, e.date, e.note) for e in entries(small, "2023-05")]
    assert got == [
        ("市公安局", "2.4.3", 2, date(2023, 5, 3), "甲"),
        ("市民政局", "2.4.3", 1, date(2023, 5, 4), "乙"),
    ]
    # 2.4.3 costs 1 a case in category 2 (weight 0.40); 序号 decides nothing:
    # 市体育局 nothing → 100.00
    # 市民政局 1 → C2 99 → 25 + 39.6 + 20 + 15 = 99.60
    # 市公安局 2 → C2 98 → 25 + 39.2 + 20 + 15 = 99.20
    assert totals(small, "2023-05") == [
        (1, "市体育局", 100.0),
        (2, "市民政局", 99.6),
        (3, "市公安局", 99.2),
    ]
    # The same sheet exported again with its rows numbered otherwise adds nothing: a
    # row's made key is made from what it says, never from its number.
    renumbered = TITLED_CSV.replace("\r\n1,", "\r\n7,").replace("\r\n2,", "\r\n8,")
    Path("again.csv").write_bytes(renumbered.encode("gb18030"))
    again = gs(small, "import", "again.csv")
    assert (again.exit_code, again.stdout) == (0, ""), again.output
    assert again.stderr == "imported 0 entries, skipped 2 already recorded (by key)\n"


def test_a_row_withdrawn_by_a_hash_in_its_number_cell_is_a_comment(small: Path):
    """Review BB F1: a clerk withdraws a numbered row by writing # in its 序号 cell, the
    row's first filled cell; the 序号 column was left out before the comment was looked
    for, and the row was booked (5 points). So too a # in a blank column before the
    header's first name, which was refused as a stray cell. CSV and .xlsx alike."""
    withdrawn = TITLED_CSV + "#3,市民政局,2.4.3,5,2023/5/5,已撤回\r\n"
    Path("titled.csv").write_bytes(withdrawn.encode("gb18030"))
    result = gs(small, "import", "titled.csv", "--by", "cron")
    assert (result.exit_code, result.stdout) == (0, "2023-05-0001\n2023-05-0002\n")
    assert result.stderr == "imported 2 entries, skipped 0 already recorded (by key)\n"
    # As in the sheet without it: 市民政局 1 → 99.60, 市公安局 2 → 99.20.
    assert totals(small, "2023-05")[1:] == [(2, "市民政局", 99.6), (3, "市公安局", 99.2)]
    lead = ",部门,条款,次数\r\n,市公安局,2.4.3,1\r\n#注释,市公安局,2.4.3,9\r\n"
    Path("lead.csv").write_text(lead, encoding="utf-8")
    led = gs(small, "import", "lead.csv", "--month", "2023-06", "--dry-run")
    assert (led.exit_code, led.stderr) == (
        0,
        "would import 1 entry, skip 0 already recorded (by key); nothing written (--dry-run)\n",
    )
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "部门", "条款", "次数", "日期", "说明"])
    sheet.append([1, "公安局", "2.4.3", 2, datetime(2023, 7, 3), "甲"])
    sheet.append(["#2", "市民政局", "2.4.3", 5, datetime(2023, 7, 4), "已撤回"])
    book.save("withdrawn.xlsx")
    booked = gs(small, "import", "withdrawn.xlsx", "--dry-run")
    assert (booked.exit_code, booked.stderr) == (
        0,
        "would import 1 entry, skip 0 already recorded (by key); nothing written (--dry-run)\n",
    )


@pytest.mark.parametrize("error", ["#N/A", "#REF!", "#name?"])
def test_a_row_led_by_an_excel_error_is_read_and_refused_never_dropped(small: Path, error: str):
    """Review BF F4: a department looked up with VLOOKUP and not found shows #N/A, the
    row's first filled cell; it starts with # but is no comment a clerk wrote: the row
    is read and its department refused, nothing imported (it was dropped unseen, exit 0).
    An .xlsx error cell, and the text Excel's CSV export writes for it, alike."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["部门", "条款", "次数", "日期"])
    sheet.append(["市公安局", "2.4.3", 2, datetime(2023, 7, 3)])
    sheet.append([error, "2.4.3", 5, datetime(2023, 7, 4)])
    book.save("looked-up.xlsx")
    Path("looked-up.csv").write_text(
        f"部门,条款,次数,日期\n市公安局,2.4.3,2,2023-07-03\n{error},2.4.3,5,2023-07-04\n",
        encoding="utf-8",
    )
    before = ledger_bytes(small)
    for name in ("looked-up.xlsx", "looked-up.csv"):
        result = gs(small, "import", name)
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith(
            f"{name}:3: 部门: {error} is an error value of Excel or WPS (a formula that found "
            "nothing or failed), not what the row says: correct the cell in the workbook and "
            "export again\n"
        )
        assert result.stderr.endswith(
            f"error: rejected {name}: 1 problem; nothing imported, the ledger is unchanged\n"
        )
    assert ledger_bytes(small) == before


def test_an_excel_error_in_a_key_or_a_note_is_refused_not_booked(small: Path):
    """Review BI F6: #N/A in 去重键 (a key looked up and not found) was booked as a key, so
    the next row whose lookup failed was skipped as a repeat, exit 0; in 记录人 it was
    booked as a name. A cell holding an error value is a problem of its row, any column."""
    Path("keys.csv").write_text(
        "部门,条款,次数,日期,说明,记录人,去重键\n"
        "市公安局,2.4.3,2,2023-05-11,超期二,王敏,#N/A\n"
        "市民政局,2.4.3,3,2023-05-12,超期三,#NAME?,K3\n",
        encoding="utf-8",
    )
    before = ledger_bytes(small)
    result = gs(small, "import", "keys.csv")
    assert result.exit_code == 1, result.output
    said = (
        "is an error value of Excel or WPS (a formula that found nothing or failed), not what "
        "the row says: correct the cell in the workbook and export again"
    )
    assert result.stderr == (
        f"keys.csv:2: 去重键: #N/A {said}\n"
        f"keys.csv:3: 记录人: #NAME? {said}\n"
        "error: rejected keys.csv: 2 problems; nothing imported, the ledger is unchanged\n"
    )
    assert ledger_bytes(small) == before


def test_below_a_title_a_bad_row_is_named_by_its_own_line(small: Path):
    Path("titled.csv").write_bytes(TITLED_CSV.replace(",2,2023/5/3", ",x,2023/5/3").encode())
    result = gs(small, "import", "titled.csv")
    assert result.exit_code == 1
    assert result.stderr == (
        "titled.csv:4: 次数: 'x' is not a whole number\n"
        "error: rejected titled.csv: 1 problem; nothing imported, the ledger is unchanged\n"
    )


def test_an_unknown_column_below_a_title_is_still_refused_by_name(small: Path):
    text = TITLED_CSV.replace("日期,说明", "日期,备注")
    Path("titled.csv").write_bytes(text.encode("gb18030"))
    before = ledger_bytes(small)
    result = gs(small, "import", "titled.csv")
    assert result.exit_code == 1
    problems = result.stderr.splitlines()
    assert problems[0].startswith("titled.csv:3: unknown column '备注' (allowed: ")
    assert len(problems) == 2  # the one column; 序号 is no problem
    assert ledger_bytes(small) == before


def test_a_workbook_with_a_merged_title_and_a_row_number_column(small: Path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2023年5月政务服务考评扣分记录"])
    sheet.merge_cells("A1:F1")
    sheet.append([])
    sheet.append(["序 号", "部门", "条款", "次数", "日期", "说明"])
    sheet.append([1, "公安局", "2.4.3", 2, datetime(2023, 5, 3), "甲"])
    sheet.append([2, "市民政局", "2.4.3", 1, datetime(2023, 5, 4), "乙"])
    book.save("titled.xlsx")
    result = gs(small, "import", "titled.xlsx", "--by", "cron")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2023-05-0001\n2023-05-0002\n"
    got = [(e.department, e.clause, e.count, e.date, e.note) for e in entries(small, "2023-05")]
    assert got == [
        ("市公安局", "2.4.3", 2, date(2023, 5, 3), "甲"),
        ("市民政局", "2.4.3", 1, date(2023, 5, 4), "乙"),
    ]
    # A bad cell is named by its row number in the workbook, the title counted.
    sheet.append([3, "市体育局", "9.9.9", 1, datetime(2023, 5, 5), "丙"])
    sheet["F2"] = None
    book.save("worse.xlsx")
    worse = gs(small, "import", "worse.xlsx")
    assert worse.exit_code == 1
    assert worse.stderr.startswith("worse.xlsx:6: 条款: ")


def test_a_workbook_with_another_unknown_column_is_refused_by_name(small: Path):
    book = openpyxl.Workbook()
    book.active.append(["2023年5月政务服务考评扣分记录"])
    book.active.append(["序号", "部门", "条款", "备注"])
    book.active.append([1, "公安局", "2.4.3", "甲"])
    book.save("titled.xlsx")
    result = gs(small, "import", "titled.xlsx")
    assert result.exit_code == 1
    assert result.stderr.startswith("titled.xlsx:2: unknown column '备注' (allowed: ")
    assert "序号" not in result.stderr


def test_broken_quoting_below_a_title_is_named_by_its_line(small: Path):
    """Nothing like a header above the broken row: the title is not read as one."""
    Path("titled.csv").write_text('2023年5月扣分记录\n"序号,部门\n', encoding="utf-8")
    result = gs(small, "import", "titled.csv")
    assert result.exit_code == 1
    assert result.stderr.startswith("titled.csv:2: not valid CSV: ")


def test_a_sheet_starting_in_column_c_below_a_title_imports(small: Path):
    """A printed sheet laid out from column C, its header in row 3 (review V F7 a): it was
    refused as "column 1 has no name". Blank columns before the first name and after the
    last are no columns; a cell filled in one is named, as it would be lost."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "2023年5月政务服务考评扣分记录"
    for column, header, first, second in (
        ("C", "部门", "公安局", "市民政局"),
        ("D", "条款", "2.4.3", "2.4.3"),
        ("E", "月份", "2023-05", "2023-05"),
    ):
        sheet[f"{column}3"], sheet[f"{column}4"], sheet[f"{column}5"] = header, first, second
    book.save("offset.xlsx")
    result = gs(small, "import", "offset.xlsx", "--by", "cron")
    assert (result.exit_code, result.stdout) == (0, "2023-05-0001\n2023-05-0002\n"), result.output
    got = [(e.department, e.clause, e.count) for e in entries(small, "2023-05")]
    assert got == [("市公安局", "2.4.3", 1), ("市民政局", "2.4.3", 1)]
    sheet["A6"], sheet["C6"], sheet["D6"], sheet["E6"], sheet["G6"] = (
        "备注",
        "市体育局",
        "2.4.3",
        "2023-05",
        2,
    )
    book.save("stray.xlsx")
    before = ledger_bytes(small)
    stray = gs(small, "import", "stray.xlsx")
    assert (stray.exit_code, stray.stdout) == (1, "")
    assert stray.stderr == (
        "stray.xlsx:6: cell A6 holds '备注', but its column has no name in the header: "
        "name the column, or clear the cell\n"
        "stray.xlsx:6: cell G6 holds '2', but its column has no name in the header: "
        "name the column, or clear the cell\n"
        "error: rejected stray.xlsx: 2 problems; nothing imported, the ledger is unchanged\n"
    )
    assert ledger_bytes(small) == before


def test_a_csv_with_leading_empty_cells_imports(small: Path):
    """The same sheet saved as CSV: each line starts with two empty cells."""
    Path("offset.csv").write_text(
        "2023年5月扣分记录,,,,\n,,部门,条款,月份\n,,公安局,2.4.3,2023-05\n,,# 注释\n",
        encoding="utf-8",
    )
    result = gs(small, "import", "offset.csv")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "2023-05-0001\n",
        "imported 1 entry, skipped 0 already recorded (by key)\n",
    )
    # A cell filled before the header's first name is named with the row's other problems.
    Path("stray.csv").write_text(
        ",,部门,条款,月份\n,,市民政局,2.4.3,2023-05\n备注,,市民政局,9.9.9,2023-05\n",
        encoding="utf-8",
    )
    stray = gs(small, "import", "stray.csv")
    assert (stray.exit_code, stray.stdout) == (1, "")
    assert stray.stderr == (
        "stray.csv:3: 条款: unknown clause '9.9.9' (run `govscore clauses` for the list)\n"
        "stray.csv:3: column 1 holds '备注', but it has no name in the header: "
        "name the column, or clear the cell\n"
        "error: rejected stray.csv: 2 problems; nothing imported, the ledger is unchanged\n"
    )


def test_a_blank_column_between_names_is_numbered_as_the_file_counts(small: Path):
    """A blank column between two names is still refused, numbered as in the file (the
    序号 column left out was not counted: the third column was said to be the second)."""
    Path("gap.csv").write_text("序号,部门,,条款\n1,公安局,,2.4.3\n", encoding="utf-8")
    result = gs(small, "import", "gap.csv")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "gap.csv:1: column 3 has no name (the header names every column between its first "
        "and its last)\n"
        "error: rejected gap.csv: 1 problem; nothing imported, the ledger is unchanged\n",
    )


def test_a_department_merged_over_its_rows_is_read_in_each(small: Path):
    """Review AA F6: a department (and a recorder) merged over the rows below it, as
    Chinese office sheets lay them out, was read in its first row only: the others were
    refused as having no department, though the clerk sees it beside each. A merged
    cell's value stands in each of its rows; the merged title above stays a title, and a
    note merged across columns to be wider fills no column to its right."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2023年5月扣分记录"])
    sheet.merge_cells("A1:F1")
    sheet.append(["部门", "条款", "次数", "日期", "记录人", "说明"])
    sheet.append(["市公安局", "2.4.3", 1, date(2023, 5, 5), "张敏", "超时A"])
    sheet.append([None, "2.4.3", 2, date(2023, 5, 6), None, "超时B"])
    sheet.append([None, "2.4.4", 1, date(2023, 5, 7), None, "超时C"])
    sheet.append(["市民政局", "2.4.3", 1, date(2023, 5, 8), "李强", "超时D"])
    sheet.merge_cells("A3:A5")
    sheet.merge_cells("E3:E5")
    sheet.merge_cells("F6:H6")  # a note made wider, past the header (review AE F1)
    book.save("merged.xlsx")
    result = gs(small, "import", "merged.xlsx")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == [f"2023-05-000{n}" for n in range(1, 5)]
    got = [(e.department, e.clause, e.count, e.by) for e in entries(small, "2023-05")]
    assert got == [
        ("市公安局", "2.4.3", 1, "张敏"),
        ("市公安局", "2.4.3", 2, "张敏"),
        ("市公安局", "2.4.4", 1, "张敏"),
        ("市民政局", "2.4.3", 1, "李强"),
    ]
    # 市公安局: 2.4.3 × 3 at 1 and 2.4.4 × 1 at 2 (category 2) → C2 = 100 − 5 = 95 →
    # 25 + 0.40×95 + 20 + 15 = 98; 市民政局: 2.4.3 × 1 → C2 99 → 99.6.
    assert totals(small, "2023-05")[1:] == [(2, "市民政局", 99.6), (3, "市公安局", 98.0)]
