"""Issue 16: `items check` streams its findings (a million records hold half a million);
what it prints is what it printed when it kept them all."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from items_expect import CORPUS

from govscore.cli.commands import cli
from govscore.items import checking
from govscore.items.checking import Tally, run_check
from govscore.items.rules import RULES, failing_items_by_department
from govscore.items.typos import default_typos
from govscore.report import render
from govscore.report.render import json_array_pieces, json_text, table_text

HEADERS = ("实施编码", "事项名称", "实施主体", "规则", "字段", "说明")


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every corpus record 30 times over (each copy its own codes, the first copy's codes
    twice), in one .jsonl file, read in parts of 7 records: thousands of findings."""
    monkeypatch.delenv("GOVSCORE_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(checking, "PART_RECORDS", 7)
    records = []
    for path in sorted(CORPUS.glob("*.json")):
        found = json.loads(path.read_text(encoding="utf-8"))
        records += found if isinstance(found, list) else [found]
    lines = []
    for copy in range(30):
        for record in records:
            code = record.get("实施编码")
            if copy and isinstance(code, str) and len(code) > 4:
                record = {**record, "实施编码": code[:-4] + f"{copy:04d}"}
            lines.append(json.dumps(record, ensure_ascii=False))
    lines += lines[: len(records)]  # the same items again: counted once
    path = tmp_path / "sample.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def check(*args: str):
    return CliRunner().invoke(cli, ["items", "check", *args])


def test_streamed_json_is_the_document_it_was(sample: Path) -> None:
    findings = run_check([sample], default_typos()).findings
    assert len(findings) > 2_000  # more than one piece of 1,000
    result = check(str(sample), "--format", "json")
    assert result.exit_code == 1
    # Byte for byte what json_text of the whole list printed before.
    assert result.stdout == json_text([finding.as_dict() for finding in findings]) + "\n"
    assert json.loads(result.stdout) == [finding.as_dict() for finding in findings]


def test_streamed_tables_list_every_finding(sample: Path, monkeypatch: pytest.MonkeyPatch):
    findings = run_check([sample], default_typos()).findings
    rows = [(f.item, f.name, f.department, f.rule, f.field, f.message) for f in findings]
    csv = check(str(sample), "--format", "csv")
    assert csv.stdout == table_text(HEADERS, rows, "csv") + "\n"  # one header, every row

    monkeypatch.setattr(render, "ROWS_PER_TABLE", 500)
    table = check(str(sample)).stdout
    pages = table.removesuffix("\n").split("\n\n")
    assert len(pages) == -(-len(rows) // 500)  # a page per 500 findings, the last shorter
    for number, page in enumerate(pages):
        # Each page is an aligned table of its own findings, with the header on top.
        assert page == table_text(HEADERS, rows[number * 500 : (number + 1) * 500], "table")
    markdown = check(str(sample), "--format", "markdown").stdout.removesuffix("\n")
    body = [
        line
        for line in markdown.split("\n")
        if line and not line.startswith(("| 实施编码", "|---"))
    ]
    assert [line.split("|")[1].strip() for line in body] == [row[0] for row in rows]


def test_small_outputs_are_unchanged(sample: Path) -> None:
    """Up to a page of findings, the table is the one table_text makes of them all."""
    findings = run_check([sample], default_typos()).findings
    rows = [(f.item, f.name, f.department, f.rule, f.field, f.message) for f in findings]
    assert len(rows) < render.ROWS_PER_TABLE
    assert check(str(sample)).stdout == table_text(HEADERS, rows, "table") + "\n"
    assert check(str(CORPUS / "clean.json")).stdout == table_text(HEADERS, [], "table") + "\n"


def test_counts_are_those_of_all_the_findings(sample: Path) -> None:
    result = run_check([sample], default_typos())
    summary = json.loads(check(str(sample), "--summary", "--format", "json").stdout)
    items = {finding.item for finding in result.findings}
    assert summary["checked"] == result.checked
    assert summary["findings"] == len(result.findings)
    assert summary["items_with_findings"] == len(items)
    assert summary["unreadable"] == len(result.problems)
    per_rule = Counter(finding.rule for finding in result.findings)
    assert [(row["rule"], row["findings"]) for row in summary["by_rule"]] == [
        (rule.number, per_rule[rule.number]) for rule in RULES
    ]
    assert [row["items"] for row in summary["by_rule"]] == [
        len({f.item for f in result.findings if f.rule == rule.number}) for rule in RULES
    ]
    by_department = {
        row["department"]: (row["checked"], row["items"], row["findings"])
        for row in summary["by_department"]
    }
    for department, checked in result.checked_by_department.items():
        mine = [f for f in result.findings if f.department == department]
        expected = (checked, len({f.item for f in mine}), len(mine))
        assert by_department[department] == expected
    line = check(str(sample)).stderr.splitlines()[-1]
    assert line == (
        f"checked {result.checked} items: {len(items)} with findings, "
        f"{len(result.findings)} findings, 0 unreadable records"
    )


def test_tally_books_what_all_the_findings_book(sample: Path) -> None:
    tally = Tally()
    for part in checking.check_parts([sample], default_typos()):
        tally.add(part)
    findings = run_check([sample], default_typos()).findings
    assert tally.failing_by_department() == failing_items_by_department(findings)


@pytest.mark.parametrize("count", [0, 1, 999, 1000, 1001, 2500])
def test_json_in_pieces_is_json_text(count: int) -> None:
    items = [{"item": f"码{n}", "rule": n % 13, "message": 'say "a"\nb'} for n in range(count)]
    assert "".join(json_array_pieces(items)) == json_text(items) + "\n"
