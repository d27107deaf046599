"""`items check --record`: book 1.2.1 per department, once per failing item."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from govscore.cli.commands import cli

CLEAN = json.loads((Path(__file__).parent / "corpus" / "clean.json").read_text(encoding="utf-8"))[0]


def item(code_tail: str, department: str, broken: bool) -> dict:
    """A copy of the clean record; broken ones promise 无 (rule 3)."""
    record = {**CLEAN, "实施编码": CLEAN["实施编码"][:-4] + code_tail, "实施主体": department}
    if broken:
        record["承诺办结时限"] = "无"
    return record


def write(path: Path, records: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    return path


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def test_record_books_each_department_once_and_is_idempotent(root: Path, tmp_path: Path):
    records = [
        item("0001", "市住房和城乡建设局", True),
        item("0002", "住建局", True),  # an alias of the same department
        item("0003", "市住房和城乡建设局", False),
        item("0004", "市公安局", True),
        item("0005", "市不存在局", True),
    ]
    export = write(tmp_path / "items.jsonl", records)
    first = run(root, "items", "check", str(export), "--record", "2023-05", "--format", "json")
    assert first.exit_code == 1  # there are findings
    assert "not booked: “市不存在局” is not in departments.toml (1 item: " in first.stderr
    blank = write(tmp_path / "blank.jsonl", [item("0009", " ", True), item("0010", "", True)])
    said = run(root, "items", "check", str(blank), "--record", "2023-05").stderr
    stem = CLEAN["实施编码"][:-4]
    empty = [line for line in said.splitlines() if "实施主体 is empty" in line]
    assert empty == [f"not booked: 实施主体 is empty (2 items: {stem}0009、{stem}0010)"]
    ledger = root / "ledger" / "2023-05.toml"
    text = ledger.read_bytes()
    month = json.loads(run(root, "month", "2023-05", "--format", "json").stdout)
    totals = {d["department"]: (d["categories"]["1"], d["total"]) for d in month["departments"]}
    # 住建局: 2 failing items → C1 = 98 → 24.5 + 75 = 99.5; 公安局: 1 → C1 = 99 → 99.75
    assert totals["市住房和城乡建设局"] == (98.0, 99.5)
    assert totals["市公安局"] == (99.0, 99.75)
    code = CLEAN["实施编码"][:-4]
    assert f'note = "附件2质检未通过事项 2 项：{code}0001、{code}0002"' in text.decode()

    second = run(root, "items", "check", str(export), "--record", "2023-05")
    assert second.exit_code == 1
    assert ledger.read_bytes() == text
    assert "booked 0 items in 0 entries for 2023-05; 3 items were booked already" in second.stderr

    records.append(item("0006", "市住房和城乡建设局", True))
    third = run(root, "items", "check", str(write(export, records)), "--record", "2023-05")
    assert "booked 1 item in 1 entry" in third.stderr
    added = ledger.read_text(encoding="utf-8")[len(text.decode()) :]
    assert added.count("[[entry]]") == 1 and f"{code}0006" in added and f"{code}0001" not in added


def test_a_voided_booking_is_not_booked_again_that_month(root: Path, tmp_path: Path):
    """A void is the office's word on the items it booked (an appeal upheld, the record
    put right and verified): the next routine run, whose export still shows them, books
    them no more that month; a new failing item is booked, and another month books all."""
    export = write(tmp_path / "items.jsonl", [item("0001", "市公安局", True)])
    run(root, "items", "check", str(export), "--record", "2023-05")
    assert run(root, "void", "2023-05-0001", "--reason", "申诉成立").exit_code == 0
    ledger = root / "ledger" / "2023-05.toml"
    before = ledger.read_bytes()
    again = run(root, "items", "check", str(export), "--record", "2023-05")
    assert "booked 0 items in 0 entries for 2023-05" in again.stderr
    assert "1 item of bookings voided for 2023-05 is not booked again" in again.stderr
    assert ledger.read_bytes() == before
    more = write(export, [item("0001", "市公安局", True), item("0002", "市公安局", True)])
    third = run(root, "items", "check", str(more), "--record", "2023-05")
    assert "booked 1 item in 1 entry for 2023-05" in third.stderr
    code = CLEAN["实施编码"][:-4]
    added = ledger.read_text(encoding="utf-8")[len(before.decode()) :]
    assert f"{code}0002" in added and f"{code}0001" not in added
    june = run(root, "items", "check", str(more), "--record", "2023-06")
    assert "booked 2 items in 1 entry for 2023-06" in june.stderr


def test_clean_items_book_nothing_and_exit_0(root: Path, tmp_path: Path):
    export = write(tmp_path / "items.jsonl", [item("0001", "市公安局", False)])
    result = run(root, "items", "check", str(export), "--record", "2023-05")
    assert result.exit_code == 0
    assert not (root / "ledger" / "2023-05.toml").exists()


def test_codes_holding_the_separator_are_booked_once(root: Path, tmp_path: Path):
    """Issue 11 item 10: a code with "、" was read back from the note as two codes."""
    code = CLEAN["实施编码"][:-4]
    records = [
        {**item("0001", "市公安局", True), "实施编码": f"{code}、0001"},
        {**item("0002", "市公安局", True), "实施编码": f"[{code}]"},
        item("0003", "市公安局", True),
    ]
    export = write(tmp_path / "items.jsonl", records)
    first = run(root, "items", "check", str(export), "--record", "2023-05")
    assert "booked 3 items in 1 entry" in first.stderr
    ledger = root / "ledger" / "2023-05.toml"
    text = ledger.read_bytes()
    second = run(root, "items", "check", str(export), "--record", "2023-05")
    assert "booked 0 items in 0 entries for 2023-05; 3 items were booked already" in (second.stderr)
    assert ledger.read_bytes() == text
    # Both halves of the first code, as items of their own, are not booked yet.
    halves = [
        {**item("0004", "市公安局", True), "实施编码": code},
        {**item("0005", "市公安局", True), "实施编码": "0001"},
    ]
    third = run(root, "items", "check", str(write(export, records + halves)), "--record", "2023-05")
    assert "booked 2 items in 1 entry for 2023-05; 3 items were booked already" in (third.stderr)
    # 5 items → 1.2.1 × 5 → C1 95 → 23.75 + 40 + 20 + 15 = 98.75
    month = json.loads(run(root, "month", "2023-05", "--format", "json").stdout)
    police = next(d for d in month["departments"] if d["department"] == "市公安局")
    assert (police["categories"]["1"], police["total"]) == (95.0, 98.75)


def test_notes_written_by_earlier_versions_are_still_read():
    from govscore.items.booking import codes_in
    from govscore.model import Entry

    old = Entry(
        id="2023-05-0001",
        month="2023-05",
        clause="1.2.1",
        key="items:2023-05:市公安局:abc",
        note="附件2质检未通过事项 2 项：A0001、A0002",
    )
    assert codes_in(old) == {"A0001", "A0002"}
    hand = old._replace(note="附件2质检未通过事项 1 项：[[[[[[" + "[" * 5000)
    assert codes_in(hand) == {"[[[[[[" + "[" * 5000}


def test_a_record_month_the_door_refuses_is_said_before_anything_is_checked(
    root: Path, tmp_path: Path, monkeypatch
):
    """A month after next is a typo in the year, with findings or without: said at once
    (a cron line's slip shows on its first run), and --force books it when it is meant."""
    from govscore.cli import items as items_cli

    class Today(items_cli.date):  # type: ignore[name-defined]
        @classmethod
        def today(cls):
            return items_cli.date(2023, 5, 10)

    monkeypatch.setattr(items_cli, "date", Today)
    clean = write(tmp_path / "clean.jsonl", [item("0001", "市公安局", False)])
    broken = write(tmp_path / "broken.jsonl", [item("0002", "市公安局", True)])
    for export in (clean, broken):
        result = run(root, "items", "check", str(export), "--record", "2024-04")
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == (
            "error: --record 2024-04: month 2024-04 is more than a month ahead (this month is "
            "2023-05); did you mean 2023-04? --force records it anyway\n"
        )
    assert not (root / "ledger" / "2024-04.toml").exists()
    forced = run(root, "items", "check", str(broken), "--record", "2024-04", "--force")
    assert forced.exit_code == 1  # the findings
    assert "booked 1 item in 1 entry for 2024-04" in forced.stderr
    assert (root / "ledger" / "2024-04.toml").exists()
    usage = run(root, "items", "check", str(clean), "--force")
    assert usage.exit_code == 2
    assert "--force lets --record book a doubtful month: give --record MONTH" in usage.stderr


def test_summary_names_each_department_once_by_the_name_the_root_knows(root: Path, tmp_path: Path):
    """住建局 and 烟台市住建局 are aliases of 市住房和城乡建设局 (as --record books them):
    one row; a name the root does not know stays as written."""
    records = [
        item("0001", "住建局", True),
        item("0002", "烟台市住建局", True),
        item("0003", "市住房和城乡建设局", False),
        item("0004", "市不存在局", True),
    ]
    export = write(tmp_path / "items.jsonl", records)
    result = run(root, "items", "check", str(export), "--summary", "--format", "json")
    assert result.exit_code == 1
    rows = json.loads(result.stdout)["by_department"]
    # Each broken record breaks rule 3 once (承诺办结时限 无): one finding an item.
    assert rows == [
        {"department": "市不存在局", "checked": 1, "items": 1, "findings": 1},
        {"department": "市住房和城乡建设局", "checked": 3, "items": 2, "findings": 2},
    ]


def test_more_failing_items_than_an_entry_counts_book_several_entries(root: Path):
    """An entry counts at most 10,000 (MOST_COUNT): a department's 10,001 failing items
    are two entries, 10,000 and 1, not a refusal of every department's booking."""
    from govscore.cli.items import book_findings
    from govscore.ledger.text import parse_toml_ledger

    codes = [f"11370600MB2853052T3{n:012d}" for n in range(10_001)]
    book_findings(root, {"市公安局": codes, "市民政局": codes[:1]}, "2023-05")
    path = root / "ledger" / "2023-05.toml"
    parsed = parse_toml_ledger(path.read_text(encoding="utf-8"), path.name, "2023-05")
    assert parsed.problems == ()
    assert sorted((e.department, e.count) for e in parsed.entries) == [
        ("市公安局", 1),
        ("市公安局", 10_000),
        ("市民政局", 1),
    ]
    before = path.read_bytes()
    book_findings(root, {"市公安局": codes}, "2023-05")  # booked already: nothing again
    assert path.read_bytes() == before


def test_a_re_run_after_a_failed_commit_commits_the_bookings_it_finds(root: Path, tmp_path: Path):
    """--record --commit while another git holds index.lock: booked, not committed (exit
    3). The re-run found the items booked already, booked nothing, exited 1 (findings)
    and left the bookings out of git without a word (review U F2). It commits them now,
    and says so; while git still refuses it exits 3 again."""
    import subprocess

    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "the root"], cwd=root, check=True)
    export = write(tmp_path / "items.jsonl", [item("0001", "市公安局", True)])
    args = ("items", "check", str(export), "--record", "2023-05", "--commit")
    lock = root / ".git" / "index.lock"
    lock.write_text("", encoding="utf-8")  # another git at work
    first = run(root, *args)
    assert first.exit_code == 3, first.output
    again = run(root, *args)
    assert again.exit_code == 3 and "2023-05-0001" in again.stderr
    lock.unlink()
    done = run(root, *args)
    assert done.exit_code == 1  # the finding is still there
    assert "committed 2023-05-0001: booked by an earlier run that could not commit" in done.stderr
    status = subprocess.run(
        ["git", "status", "--porcelain", "ledger"], cwd=root, capture_output=True, text=True
    )
    assert status.stdout == ""
    quiet = run(root, *args)
    assert "committed" not in quiet.stderr


def test_a_department_outside_its_span_is_left_out_and_the_others_booked(
    root: Path, tmp_path: Path
):
    """Review AX F1: after 机构改革 an export keeps a department set up later (or dissolved)
    as 实施主体. Its items are not booked in a month it is not assessed, named with its span,
    as an unknown name's are; every other department is booked (one refusal booked none)."""
    (root / "departments.toml").write_text(
        'city = "烟台市"\n\n[[department]]\nname = "市公安局"\n\n'
        '[[department]]\nname = "市大数据局"\nsince = "2023-08"\n',
        encoding="utf-8",
    )
    records = [
        item("0001", "市公安局", True),
        item("0002", "市公安局", True),
        item("0003", "大数据局", True),
    ]
    export = write(tmp_path / "items.jsonl", records)
    result = run(root, "items", "check", str(export), "--record", "2023-07")
    assert result.exit_code == 1  # the findings
    code = CLEAN["实施编码"][:-4]
    said = [line for line in result.stderr.splitlines() if "booked" in line]
    assert said == [
        f"not booked: 市大数据局 is not assessed in 2023-07 (departments.toml lists it from "
        f"2023-08) (1 item: {code}0003)",
        "booked 2023-07-0001: 市公安局 1.2.1 × 2",
        "booked 2 items in 1 entry for 2023-07; 0 items were booked already",
    ]
    # 市公安局: 2 failing items → C1 98 → 24.5 + 40 + 20 + 15 = 99.50; 市大数据局 not listed.
    month = json.loads(run(root, "month", "2023-07", "--format", "json").stdout)
    assert [(d["department"], d["total"]) for d in month["departments"]] == [("市公安局", 99.5)]
    # In August it is assessed: its item is booked then.
    august = run(root, "items", "check", str(export), "--record", "2023-08")
    assert "booked 3 items in 2 entries for 2023-08" in august.stderr
