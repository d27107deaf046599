"""Reports that stand alone: what they left out, the period they cover, exports for Excel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SMALL_DEPARTMENTS, run_process
from govscore.cli.commands import cli


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def add(root: Path, *args: str) -> None:
    result = run(root, "add", *args)
    assert result.exit_code == 0, result.output


@pytest.fixture
def small(root: Path) -> Path:
    (root / "departments.toml").write_text(SMALL_DEPARTMENTS, encoding="utf-8")
    return root


# -- what a report left out -------------------------------------------------------------


def test_month_and_year_json_list_the_entries_left_out(small: Path):
    # 市民政局 2.4.13 (−5 in C2) counts; a hand-written entry with a typo in its clause
    # does not: C2 = 95 → 25 + 38 + 20 + 15 = 98.00 for 市民政局, 100 for the others.
    add(small, "-d", "市民政局", "-c", "2.4.13", "--month", "2023-05")
    with (small / "ledger" / "2023-05.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            '\n[[entry]]\nid = "2023-05-0002"\ndepartment = "市公安局"\nclause = "2.4.33"\n'
        )
    problem = {
        "file": "ledger/2023-05.toml",
        "line": 10,
        "entry": "2023-05-0002",
        "field": "clause",
        "message": "unknown clause '2.4.33'; did you mean 2.4.3 or 2.4.13 or 4.4.3? (run `govscore clauses` for the list)",
    }
    month = run(small, "month", "2023-05", "--format", "json")
    assert month.exit_code == 1  # a report over a ledger with problems still prints
    payload = json.loads(month.stdout)
    assert list(payload) == [
        "month",
        "revision",
        "uncommitted",
        "departments",
        "problems",
        "referrals",
    ]
    assert payload["problems"] == [problem]
    assert [(d["department"], d["total"]) for d in payload["departments"]] == [
        ("市公安局", 100.0),
        ("市体育局", 100.0),
        ("市民政局", 98.0),
    ]
    # A referral names its department, in the department's row and in the list of all.
    referral = {
        "entry": "2023-05-0001",
        "department": "市民政局",
        "clause": "2.4.13",
        "month": "2023-05",
        "to": "纪检组织（人事）部门",
    }
    assert payload["referrals"] == [referral]
    assert payload["departments"][2]["referrals"] == [referral]
    year = run(small, "year", "2023", "--format", "json")
    assert year.exit_code == 1
    assert json.loads(year.stdout)["problems"] == [problem]


def test_a_month_with_nothing_in_it_says_so(small: Path):
    add(small, "-d", "市民政局", "-c", "1.2.2", "--month", "2023-05")
    empty = run_process("--root", str(small), "month", "2023-08")
    assert empty.returncode == 0
    assert empty.stderr == (
        "warning: 2023-08 is empty: ledger/ has no 2023-08 file and no recurring entry "
        "stands in it, so every department is at the base score\n"
    )
    assert "市民政局  100.00" in empty.stdout
    # A month with a ledger file is not empty, nor one in which a recurring entry stands.
    assert run(small, "month", "2023-05").stderr == ""
    add(small, "-d", "体育", "-c", "3.1.3", "--recurring", "--month", "2023-06")
    standing = run(small, "month", "2023-08", "--format", "json")
    assert standing.stderr == ""
    # 3.1.3 stands from June: −2 in C3 → 25 + 40 + 19.6 + 15 = 99.60 in August.
    totals = {d["department"]: d["total"] for d in json.loads(standing.stdout)["departments"]}
    assert totals["市体育局"] == 99.6
