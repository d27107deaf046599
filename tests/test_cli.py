"""The CLI end to end: add → ledger → reports, compared as whole outputs.

A small root with three departments keeps whole outputs short enough to read.
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
from click.testing import CliRunner

from conftest import REPO, SMALL_DEPARTMENTS, copy_root, process_env, run_process
from govscore.cli import commands
from govscore.cli.commands import cli
from ledgertext import entry, toml


@pytest.fixture
def small(root: Path) -> Path:
    (root / "departments.toml").write_text(SMALL_DEPARTMENTS, encoding="utf-8")
    return root


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def record_may(root: Path) -> None:
    """市公安局: 2.4.3 × 3 (−3 in C2) and 3.3.1 × 4 (+1.2, capped at 1 in C3);
    市民政局: 2.4.13 (−5 in C2, referral); 市体育局: 4.4.1 (veto)."""
    for args in (
        ["-d", "公安局", "-c", "2.4.3", "-n", "3", "--month", "2023-05"],
        ["-d", "市民政局", "-c", "2.4.13", "--month", "2023-05"],
        ["-d", "体育", "-c", "4.4.1", "--month", "2023-05"],
        ["-d", "市公安局", "-c", "3.3.1", "-n", "4", "--month", "2023-05"],
    ):
        result = run(root, "add", *args)
        assert result.exit_code == 0, result.output


# 市公安局: C2 = 97, C3 = 101 → 25 + 38.8 + 20.2 + 15 = 99.00
# 市民政局: C2 = 95 → 25 + 38 + 20 + 15 = 98.00
# 市体育局: 100.00 but vetoed, so last.
MAY_TABLE = """\
2023-05 月度政务服务工作考评（3 个部门） · 考评依据 2023-03-27 烟政管办〔2023〕2号 · 台账尚无提交
排名    部门      标准化    规范化    便利化    改革创新    总分    备注
------  --------  --------  --------  --------  ----------  ------  ----------------------------------------
1       市公安局  100.00    97.00     101.00    100.00      99.00   加分封顶 A
2       市民政局  100.00    95.00     100.00    100.00      98.00   移送纪检组织（人事）部门（2023-05-0002）
3       市体育局  100.00    100.00    100.00    100.00      100.00  一票否决（2023-05-0003）
"""


def test_add_prints_ids_and_month_table_is_whole(small: Path):
    record_may(small)
    result = run(small, "month", "2023-05")
    assert result.exit_code == 0
    assert result.stdout == MAY_TABLE


def test_month_json_contract(small: Path):
    record_may(small)
    result = run(small, "month", "2023-05", "--format", "json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload == {
        "month": "2023-05",
        "revision": None,  # a new repository: nothing committed yet
        "uncommitted": True,
        # The version of the rules that scored the month (govscore amendments).
        "rules": [{"effective": "2023-03-27", "number": "烟政管办〔2023〕2号"}],
        "departments": [
            {
                "rank": 1,
                "department": "市公安局",
                "total": 99.0,
                "vetoed": False,
                "categories": {"1": 100.0, "2": 97.0, "3": 101.0, "4": 100.0},
                "vetoes": [],
                "referrals": [],
            },
            {
                "rank": 2,
                "department": "市民政局",
                "total": 98.0,
                "vetoed": False,
                "categories": {"1": 100.0, "2": 95.0, "3": 100.0, "4": 100.0},
                "vetoes": [],
                "referrals": [
                    {
                        "entry": "2023-05-0002",
                        "department": "市民政局",
                        "clause": "2.4.13",
                        "month": "2023-05",
                        "to": "纪检组织（人事）部门",
                    }
                ],
            },
            {
                "rank": 3,
                "department": "市体育局",
                "total": 100.0,
                "vetoed": True,
                "categories": {"1": 100.0, "2": 100.0, "3": 100.0, "4": 100.0},
                "vetoes": ["2023-05-0003"],
                "referrals": [],
            },
        ],
        "problems": [],
        "referrals": [
            {
                "entry": "2023-05-0002",
                "department": "市民政局",
                "clause": "2.4.13",
                "month": "2023-05",
                "to": "纪检组织（人事）部门",
            }
        ],
    }


def test_month_csv_and_markdown(small: Path):
    record_may(small)
    csv_out = run(small, "month", "2023-05", "--format", "csv").stdout
    assert csv_out == (
        "period,排名,部门,标准化,规范化,便利化,改革创新,总分,备注\n"
        "2023-05,1,市公安局,100.00,97.00,101.00,100.00,99.00,加分封顶 A\n"
        "2023-05,2,市民政局,100.00,95.00,100.00,100.00,98.00,移送纪检组织（人事）部门（2023-05-0002）\n"
        "2023-05,3,市体育局,100.00,100.00,100.00,100.00,100.00,一票否决（2023-05-0003）\n"
    )
    markdown = run(small, "month", "2023-05", "--format", "markdown").stdout
    assert markdown.splitlines()[:2] == [
        "# 2023-05 月度政务服务工作考评（3 个部门） · 考评依据 2023-03-27 烟政管办〔2023〕2号 · 台账尚无提交",
        "",
    ]
    assert markdown.splitlines()[2].startswith("| 排名")
    assert markdown.splitlines()[4].startswith("| 1      | 市公安局 |")


def test_month_detail_names_entries_and_caps(small: Path):
    record_may(small)
    result = run(small, "month", "2023-05", "--detail", "-d", "公安局")
    assert result.exit_code == 0
    assert result.stdout == (
        "2023-05 月度政务服务工作考评（3 个部门） · 考评依据 2023-03-27 烟政管办〔2023〕2号 · 台账尚无提交 · 市公安局：标准化 100.00，规范化 97.00，"
        "便利化 101.00，改革创新 100.00；总分 99.00\n"
        "编号          月份     条款    类别    计算                 分值    说明\n"
        "------------  -------  ------  ------  -------------------  ------  ------------\n"
        "2023-05-0001  2023-05  2.4.3   规范化  3 件次 × 1           -3.00\n"
        "2023-05-0004  2023-05  3.3.1   便利化  4 件次 × 0.3         +1.20   加分上限组 A\n"
        "              2023-05  封顶 A  便利化  加分 1.2 超过上限 1  -0.20\n"
        "\n"
    )


def test_month_detail_json_lists_lines(small: Path):
    record_may(small)
    result = run(small, "month", "2023-05", "--detail", "-d", "市公安局", "--format", "json")
    [police] = json.loads(result.stdout)["departments"]
    assert [(li["entry"], li["clause"], li["amount"]) for li in police["lines"]] == [
        ("2023-05-0001", "2.4.3", -3.0),
        ("2023-05-0004", "3.3.1", 1.2),
    ]
    assert police["caps"] == [
        {"group": "A", "category": "3", "earned": 1.2, "limit": 1.0, "month": "2023-05"}
    ]


def test_year_detail_names_the_month_of_each_cap(small: Path):
    """A year lists the caps of its months, each with its month: two A caps apart. 3.3.1
    is +0.3 a case, cap A 1 a month: May 4 cases (+1.2, cut 0.2), July 5 (+1.5, cut 0.5)."""
    for month, count in (("2023-05", "4"), ("2023-07", "5")):
        add = run(small, "add", "-d", "公安局", "-c", "3.3.1", "-n", count, "--month", month)
        assert add.exit_code == 0, add.output
    result = run(small, "year", "2023", "--detail", "-d", "市公安局", "--format", "json")
    [police] = json.loads(result.stdout)["departments"]
    assert police["caps"] == [
        {"group": "A", "category": "3", "earned": 1.2, "limit": 1.0, "month": "2023-05"},
        {"group": "A", "category": "3", "earned": 1.5, "limit": 1.0, "month": "2023-07"},
    ]
    table = run(small, "year", "2023", "--detail", "-d", "市公安局", "--format", "csv").stdout
    rows = [line.split(",") for line in table.splitlines()]
    assert [cells[3:8] for cells in rows if cells[4] == "封顶 A"] == [
        ["2023-05", "封顶 A", "便利化", "加分 1.2 超过上限 1", "-0.20"],
        ["2023-07", "封顶 A", "便利化", "加分 1.5 超过上限 1", "-0.50"],
    ]


def test_year_json_has_months_and_monthly_totals(small: Path):
    record_may(small)
    # June: 市民政局 1.2.2 × 2 → C1 99 → 99.75 in June. April has no file, so the year
    # runs May–June: 市民政局 C1 = (100 + 99)/2 = 99.5, C2 = (95 + 100)/2 = 97.5
    # total = 0.25×99.5 + 0.40×97.5 + 20 + 15 = 24.875 + 39 + 35 = 98.875 → 98.88
    assert (
        run(
            small, "add", "-d", "市民政局", "-c", "1.2.2", "-n", "2", "--month", "2023-06"
        ).exit_code
        == 0
    )
    payload = json.loads(run(small, "year", "2023", "--format", "json").stdout)
    assert payload["year"] == 2023
    assert payload["months"] == ["2023-05", "2023-06"]
    civil = next(d for d in payload["departments"] if d["department"] == "市民政局")
    assert civil["total"] == 98.88
    assert civil["categories"] == {"1": 99.5, "2": 97.5, "3": 100.0, "4": 100.0}
    assert civil["monthly"] == {"2023-05": 98.0, "2023-06": 99.75}
    sports = next(d for d in payload["departments"] if d["department"] == "市体育局")
    assert sports["vetoed"] is True and sports["rank"] == 3


def test_a_month_with_no_file_between_two_that_have_one_counts_at_base(small: Path):
    """Assessed months run from the first to the last month with a file: a gap counts."""
    for month in ("2023-03", "2023-05"):
        args = ("add", "-d", "市民政局", "-c", "2.4.3", "-n", "3", "--month", month)
        assert run(small, *args).exit_code == 0
    assert not (small / "ledger" / "2023-04.toml").exists()
    # 市民政局: March C2 97, April (no file) C2 100, May C2 97.
    # C2 = (97 + 100 + 97)/3 = 98 → total = 25 + 0.40×98 + 35 = 99.2
    # (counting only March and May would give C2 97 → 98.8)
    payload = json.loads(run(small, "year", "2023", "--format", "json").stdout)
    assert payload["months"] == ["2023-03", "2023-04", "2023-05"]
    civil = next(d for d in payload["departments"] if d["department"] == "市民政局")
    assert civil["categories"]["2"] == 98.0
    assert civil["total"] == 99.2
    assert civil["monthly"] == {"2023-03": 98.8, "2023-04": 100.0, "2023-05": 98.8}
    table = run(small, "year", "2023")
    assert "（2023-03 至 2023-05，3 个月）" in table.stdout.splitlines()[0]


def test_year_without_ledger_months_is_a_usage_error(small: Path):
    result = run(small, "year", "2023")
    assert result.exit_code == 2
    assert "no ledger months in 2023" in result.stderr


def test_void_and_close_print_new_ids_and_change_scores(small: Path):
    record_may(small)
    voided = run(small, "void", "2023-05-0001", "--reason", "申诉成立")
    assert voided.exit_code == 0 and voided.stdout == "2023-05-0005\n"
    # Without 2.4.3, 市公安局 is C3 101 only: 25 + 40 + 20.2 + 15 = 100.20
    payload = json.loads(run(small, "month", "2023-05", "--format", "json").stdout)
    police = next(d for d in payload["departments"] if d["department"] == "市公安局")
    assert police["total"] == 100.2
    assert (
        run(small, "add", "-d", "体育", "-c", "3.1.3", "--recurring", "--month", "2023-06").stdout
        == "2023-06-0001\n"
    )
    closed = run(small, "close", "2023-06-0001", "--through", "2023-07")
    assert closed.exit_code == 0 and closed.stdout == "2023-06-0002\n"
    tail = (small / "ledger" / "2023-06.toml").read_text(encoding="utf-8").split("[[entry]]")[-1]
    assert 'close = "2023-06-0001"\nthrough = "2023-07"\n' in tail


def test_add_stores_the_full_name_and_the_fields_given(small: Path):
    result = run(
        small,
        "add",
        "-d",
        "体育",
        "-c",
        "2.4.10",
        "--points",
        "1.5",
        "--date",
        "2023-05-12",
        "--note",
        "迟到",
        "--by",
        "王敏",
        "--key",
        "k-1",
    )
    assert result.exit_code == 0
    text = (small / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    head, begin, body = text.split("\n", 2)
    assert head == "# govscore ledger for 2023-05: append only"
    assert begin.startswith("# govscore batch of 1 entry, ")  # see test_batches.py
    lines = body.removeprefix("[[entry]]\n").splitlines()
    assert lines[:7] == [
        'id = "2023-05-0001"',
        'department = "市体育局"',
        'clause = "2.4.10"',
        "points = 1.5",
        "date = 2023-05-12",
        'note = "迟到"',
        'by = "王敏"',
    ]
    assert lines[7].startswith('recorded = "')
    assert lines[8].startswith('key = "k-1"  # govscore batch end, sha256 ')


def test_add_with_a_known_key_adds_nothing(small: Path):
    args = ["add", "-d", "体育", "-c", "2.4.3", "--month", "2023-05", "--key", "cron-1"]
    first = run(small, *args)
    before = (small / "ledger" / "2023-05.toml").read_bytes()
    second = run(small, *args)
    assert first.stdout == second.stdout == "2023-05-0001\n"
    assert "already recorded" in second.stderr
    assert (small / "ledger" / "2023-05.toml").read_bytes() == before


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cached", "ledger"])
def test_a_key_reused_for_another_entry_is_refused(small: Path, cache: list[str]):
    """A key promises a retry adds nothing; the same key for another entry would leave
    the entry meant unrecorded without a word: it is refused, naming what differs."""
    first = ["add", "-d", "体育", "-c", "2.4.3", "-n", "2", "--month", "2023-05", "--key", "k"]
    assert run(small, *first).exit_code == 0
    before = (small / "ledger" / "2023-05.toml").read_bytes()
    other = ["add", "-d", "市民政局", "-c", "2.4.3", "-n", "3", "--month", "2023-05"]
    result = run(small, *cache, *other, "--key", "k", "--note", "x")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        "govscore: key 'k' is already recorded as 2023-05-0001 (ledger/2023-05.toml:3), "
        "for another entry: department 市体育局 there, 市民政局 here, count 2 there, 3 here; "
        "a key stays with its entry, voided or not: to change that entry, void 2023-05-0001 "
        "and record the corrected one under a new key; for a new entry, give it a key of its own"
    )
    assert (small / "ledger" / "2023-05.toml").read_bytes() == before
    # Voided, the key stays with its entry: the other entry is still refused (a void is
    # no licence to reuse a key), and a retry of the voided one adds nothing.
    assert run(small, "void", "2023-05-0001", "--reason", "误登").exit_code == 0
    assert run(small, *cache, *other, "--key", "k").exit_code == 1
    before = (small / "ledger" / "2023-05.toml").read_bytes()
    # The same entry again, with another note and the department by its alias: a retry.
    again = run(small, *cache, *first[:2], "市体育局", *first[3:], "--note", "retry")
    assert (again.exit_code, again.stdout) == (0, "2023-05-0001\n")
    assert (small / "ledger" / "2023-05.toml").read_bytes() == before


def test_a_keyed_retry_on_another_day_is_the_same_entry(small: Path, monkeypatch):
    """Without --date or --month, `add` dates an entry today: a cron job's retry the
    next day (or the next month) assumes another date, and is still the same entry."""
    args = ["add", "-d", "体育", "-c", "2.4.3", "--key", "cron-7"]
    for day in (date(2023, 5, 31), date(2023, 6, 1)):
        monkeypatch.setattr(commands, "today", lambda day=day: day)
        result = run(small, *args)
        assert (result.exit_code, result.stdout) == (0, "2023-05-0001\n")
    assert not (small / "ledger" / "2023-06.toml").exists()
    # A month alone, without a date, says nothing against the date recorded: a retry.
    same = run(small, *args, "--month", "2023-05")
    assert (same.exit_code, same.stdout) == (0, "2023-05-0001\n")
    # A date given is the writer's: another one is another entry.
    result = run(small, *args, "--date", "2023-06-01")
    assert result.exit_code == 1
    assert "date 2023-05-31 there, 2023-06-01 here" in result.stderr


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cached", "ledger"])
def test_a_key_booked_twice_counts_once_and_check_names_the_second(small: Path, cache: list[str]):
    """Two clones each run the same keyed import and git's union merge keeps both entries
    (review aq F1); here the second is appended as the merge leaves it. The key stands
    for its first entry: the second is a problem of its own line and does not count."""
    args = ["add", "-d", "体育", "-c", "2.4.3", "-n", "3", "--month", "2023-05", "--key", "d-1"]
    assert run(small, *args).stdout == "2023-05-0001\n"
    assert run(small, "month", "2023-05").exit_code == 0  # the cache knows the file
    path = small / "ledger" / "2023-05.toml"
    before = path.read_text(encoding="utf-8")
    second = entry("市体育局", "2.4.3", id="2023-05-0001-b2", count=3, key="d-1")
    path.write_text(before + toml(second), encoding="utf-8")
    line = before.count("\n") + 2  # the second entry's [[entry]] line (a blank line first)
    problem = (
        f"ledger/2023-05.toml:{line}: key 'd-1' is already used by 2023-05-0001 "
        "(ledger/2023-05.toml:3): the same entry booked twice (a keyed import or "
        "`add --key` run in two clones, then merged?); it does not count, nor does a "
        "follow-up naming it; void 2023-05-0001-b2 if it is the same incident, or void it "
        "and record it again under a key of its own; void a follow-up naming it first, and "
        "record that again naming 2023-05-0001 (or the entry recorded again)"
    )
    checked = run(small, *cache, "check")
    assert (checked.exit_code, checked.stdout) == (1, problem + "\n")
    # 2.4.3 × 3 once, not twice: C2 100 − 3 = 97 → 25 + 0.40 × 97 + 35 = 98.8 (counted
    # twice it was C2 94 → 97.6)
    month = run(small, *cache, "month", "2023-05", "--format", "json")
    payload = json.loads(month.stdout)
    sport = next(d for d in payload["departments"] if d["department"] == "市体育局")
    assert sport["total"] == 98.8
    # JSON says a problem in Chinese whatever the language of the run (i18n.Worded).
    assert [p["message"] for p in payload["problems"]] == [
        "去重键 'd-1' 已用于 2023-05-0001（ledger/2023-05.toml:3）：同一记录登记了两次（同一带"
        "去重键的导入或 `add --key` 在两个克隆中各运行了一次，随后合并？）；本条不计分，关联"
        "本条的追加扣分也不计分；如为同一事件，请作废 2023-05-0001-b2；如为另一事件，请作废后"
        "以新的去重键重新登记；关联本条的追加扣分须先作废，再关联 2023-05-0001（或重新登记的"
        "记录）重新登记"
    ]
    # The key is the first entry's: a retry names it, and adds nothing.
    again = run(small, *cache, *args)
    assert (again.exit_code, again.stdout) == (0, "2023-05-0001\n")
    # Voiding the second settles it.
    assert run(small, "void", "2023-05-0001-b2", "--reason", "重复登记").exit_code == 0
    assert run(small, *cache, "check").exit_code == 0


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cached", "ledger"])
def test_a_key_booked_twice_counts_by_the_second_once_the_first_is_voided(
    small: Path, cache: list[str]
):
    """Either copy of an entry booked twice may be voided (review AT F4): the key stands
    for its first live entry, so with the first voided the second counts, no problem is
    named, and a retry names the second; with both voided the key stays with the first."""
    args = ["add", "-d", "体育", "-c", "2.4.3", "-n", "3", "--month", "2023-05", "--key", "d-1"]
    assert run(small, *args).stdout == "2023-05-0001\n"
    assert run(small, "month", "2023-05").exit_code == 0  # the cache knows the file
    path = small / "ledger" / "2023-05.toml"
    second = entry("市体育局", "2.4.3", id="2023-05-0001-b2", count=3, key="d-1")
    path.write_text(path.read_text(encoding="utf-8") + toml(second), encoding="utf-8")
    assert run(small, "void", "2023-05-0001", "--reason", "重复登记").exit_code == 0
    checked = run(small, *cache, "check")
    assert (checked.exit_code, checked.stdout) == (0, "")
    # The second 2.4.3 × 3 counts: C2 100 − 3 = 97 → 0.25 × 100 + 0.40 × 97 + 0.20 × 100
    # + 0.15 × 100 = 25 + 38.8 + 20 + 15 = 98.8 (before, neither counted: 100)
    month = run(small, *cache, "month", "2023-05", "--format", "json")
    sport = next(
        d for d in json.loads(month.stdout)["departments"] if d["department"] == "市体育局"
    )
    assert sport["total"] == 98.8
    # A retry names the entry that counts, and one for another entry is compared with it.
    again = run(small, *cache, *args)
    assert (again.exit_code, again.stdout) == (0, "2023-05-0001-b2\n")
    other = run(small, *cache, *args[:6], "2", *args[7:])
    assert other.exit_code == 1
    assert "key 'd-1' is already recorded as 2023-05-0001-b2 (ledger/2023-05.toml:" in other.stderr
    assert "count 3 there, 2 here" in other.stderr
    # Both voided: the key stays with its first entry, and the retry books nothing.
    assert run(small, "void", "2023-05-0001-b2", "--reason", "重复登记").exit_code == 0
    last = run(small, *cache, *args)
    assert (last.exit_code, last.stdout) == (0, "2023-05-0001\n")
    assert "[[entry]]" not in path.read_text(encoding="utf-8").split('void = "2023-05-0001-b2"')[1]


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cached", "ledger"])
def test_a_follow_up_of_a_second_entry_under_a_key_does_not_count(small: Path, cache: list[str]):
    """A follow-up naming the copy of an entry booked twice follows an entry that does not
    count (review AT F5): it is a problem too, whichever way the ledger is read, the door
    refuses a new one, and what check advises can be done in its order."""
    add = ["add", "-d", "民政局", "--month", "2023-05"]
    assert run(small, *add, "-c", "4.3.1", "--key", "c-1").stdout == "2023-05-0001\n"
    assert run(small, "month", "2023-05").exit_code == 0  # the cache knows the file
    # The other clone's copy and its follow-up, as a union merge leaves them.
    path = small / "ledger" / "2023-05.toml"
    before = path.read_text(encoding="utf-8")
    copy = toml(entry("市民政局", "4.3.1", id="2023-05-0001-b2", key="c-1"))
    follow = toml(entry("市民政局", "4.3.2", id="2023-05-0002-b2", ref="2023-05-0001-b2"))
    path.write_text(before + copy + follow, encoding="utf-8")
    line = before.count("\n") + 2  # the copy's [[entry]] line (a blank line first)
    after = line + copy.count("\n")  # the follow-up's
    problems = (
        f"ledger/2023-05.toml:{line}: key 'c-1' is already used by 2023-05-0001 "
        "(ledger/2023-05.toml:3): the same entry booked twice (a keyed import or "
        "`add --key` run in two clones, then merged?); it does not count, nor does a "
        "follow-up naming it; void 2023-05-0001-b2 if it is the same incident, or void it "
        "and record it again under a key of its own; void a follow-up naming it first, and "
        "record that again naming 2023-05-0001 (or the entry recorded again)\n"
        f"ledger/2023-05.toml:{after}: ref 2023-05-0001-b2 names an entry that does not "
        "count: a second entry under key 'c-1', which stands for 2023-05-0001 "
        "(ledger/2023-05.toml:3); name 2023-05-0001 instead (a follow-up already recorded: "
        "void it and record it again with ref 2023-05-0001)\n"
    )
    checked = run(small, *cache, "check")
    assert (checked.exit_code, checked.stdout) == (1, problems)

    def civil() -> float:
        month = run(small, *cache, "month", "2023-05", "--format", "json")
        found = json.loads(month.stdout)["departments"]
        return next(d["total"] for d in found if d["department"] == "市民政局")

    # 4.3.1 once, no follow-up: C4 100 − 1 = 99 → 25 + 40 + 20 + 0.15 × 99 = 99.85
    # (before, the follow-up counted: C4 100 − 1 − 2 = 97 → 99.55)
    assert civil() == 99.85
    refused = run(small, *cache, *add, "-c", "4.3.2", "--ref", "2023-05-0001-b2")
    assert refused.exit_code == 1
    assert "ref 2023-05-0001-b2 names an entry that does not count" in refused.stderr
    # As check says: the copy's void waits for its follow-up's …
    assert run(small, "void", "2023-05-0001-b2", "--reason", "重复登记").exit_code == 1
    assert run(small, "void", "2023-05-0002-b2", "--reason", "改关联").exit_code == 0
    again = run(small, *cache, *add, "-c", "4.3.2", "--ref", "2023-05-0001")
    assert (again.exit_code, again.stdout) == (0, "2023-05-0003\n")  # 0002: the void
    assert run(small, "void", "2023-05-0001-b2", "--reason", "重复登记").exit_code == 0
    checked = run(small, *cache, "check")
    assert (checked.exit_code, checked.stdout) == (0, "")
    # 4.3.1 and its 4.3.2 once: C4 100 − 1 − 2 = 97 → 25 + 40 + 20 + 14.55 = 99.55
    assert civil() == 99.55


def test_missing_department_without_a_terminal_is_usage_and_never_prompts(small: Path):
    # A real process with no terminal: it must not wait for input.
    started = time.monotonic()
    result = run_process("--root", str(small), "add", "-c", "2.4.3", "--month", "2023-05")
    assert result.returncode == 2
    assert "missing -d/--department" in result.stderr
    assert time.monotonic() - started < 60
    assert not (small / "ledger" / "2023-05.toml").exists()


def test_add_at_a_terminal_asks_for_what_is_missing(small: Path):
    """Run `govscore add` on a real pseudo-terminal and answer its prompts."""
    main_fd, child_fd = pty.openpty()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "govscore",
            "--root",
            str(small),
            "add",
            "-c",
            "2.4.10",
            "--month",
            "2023-05",
        ],
        stdin=child_fd,
        stdout=child_fd,
        stderr=child_fd,
        env=process_env({"COLUMNS": "200"}),
    )
    os.close(child_fd)
    seen = b""

    def expect(text: str) -> None:
        nonlocal seen
        deadline = time.monotonic() + 30
        while text.encode() not in seen:
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            ready, _, _ = select.select([main_fd], [], [], 1)
            if ready:
                seen += os.read(main_fd, 4096)

    expect("department (-d)")
    os.write(main_fd, "市民政局\n".encode())
    expect("date (YYYY-MM-DD, optional)")
    os.write(main_fd, b"\n")
    expect("count [1]")
    os.write(main_fd, b"\n")
    expect("points (1–3)")
    os.write(main_fd, b"2\n")
    expect("note (optional)")
    os.write(main_fd, b"\n")
    expect("? [Y/n]")  # record it? Enter: yes
    os.write(main_fd, b"\n")
    expect("2023-05-0001")
    assert process.wait(timeout=30) == 0
    os.close(main_fd)
    text = (small / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    assert 'department = "市民政局"' in text and "points = 2" in text


def test_real_process_month_matches_cli_runner(small: Path):
    record_may(small)
    result = run_process("--root", str(small), "month", "2023-05")
    assert result.returncode == 0
    assert result.stdout == MAY_TABLE


def test_root_is_found_from_the_environment_and_from_the_folder(small: Path, tmp_path: Path):
    record_may(small)
    from_env = run_process("month", "2023-05", cwd=tmp_path, env={"GOVSCORE_ROOT": str(small)})
    assert from_env.stdout == MAY_TABLE
    (small / "ledger" / "sub").mkdir()
    from_folder = run_process("month", "2023-05", cwd=small / "ledger" / "sub")
    assert from_folder.stdout == MAY_TABLE
    nowhere = run_process("month", "2023-05", cwd=tmp_path)
    assert nowhere.returncode == 1
    assert "no govscore root at or above" in nowhere.stderr
    assert "govscore init DIR" in nowhere.stderr


def test_bad_month_and_format_are_usage_errors(small: Path):
    assert run(small, "month", "2023-13").exit_code == 2
    assert run(small, "month", "2023-05", "--format", "xml").exit_code == 2
    assert run(small, "add", "-d", "体育", "-c", "2.4.3", "--date", "12/05/2023").exit_code == 2
    assert run(small, "month", "2023-05", "-d", "市公按局").exit_code == 2


def test_init_writes_a_root_and_refuses_to_overwrite(tmp_path: Path):
    target = tmp_path / "new"
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 0
    names = sorted(
        p.relative_to(target).as_posix()
        for p in target.rglob("*")
        if ".git/" not in p.as_posix() + "/" or p.name == ".git"
    )
    assert {"departments.toml", "weights.toml", "ledger", ".gitattributes", ".git"} <= set(names)
    shipped = Path(__file__).resolve().parent.parent / "govscore" / "data" / "departments.toml"
    assert (target / "departments.toml").read_text(encoding="utf-8") == shipped.read_text(
        encoding="utf-8"
    )
    weights = (target / "weights.toml").read_bytes()
    again = CliRunner().invoke(cli, ["init", str(target)])
    assert again.exit_code == 2
    assert "overwrites nothing" in again.stderr
    assert (target / "weights.toml").read_bytes() == weights
    assert "note:" not in result.stderr  # a repository of its own


def test_init_commits_the_roots_files_in_a_repository_of_its_own(tmp_path: Path):
    """The history starts from the configuration: a clone has departments.toml and
    weights.toml, and nothing is left for the clerk to commit."""
    target = tmp_path / "office"
    result = run_process("init", "office", cwd=tmp_path)  # a folder named as a clerk types it
    assert result.returncode == 0, result.stderr

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=target, capture_output=True, text=True)
        return done.stdout

    assert git("log", "--format=%s").splitlines() == [
        "govscore: init (departments, weights, ledger)"
    ]
    assert git("ls-tree", "-r", "--name-only", "HEAD").split() == [
        ".gitattributes",
        ".gitignore",
        "departments.toml",
        "ledger/.gitkeep",
        "weights.toml",
    ]
    assert git("status", "--porcelain") == ""


@pytest.mark.parametrize("config", ["", "[user]\n\tname = 王敏\n"])
def test_init_commits_where_git_knows_no_one_or_a_name_without_an_email(
    tmp_path: Path, config: str, monkeypatch: pytest.MonkeyPatch
):
    """A fresh office PC: git has no identity, or a name and no email. git then refuses
    to commit ("Committer identity unknown"), and init, which now commits, created
    nothing. It commits as the recorder, at a local address."""
    for role in ("AUTHOR", "COMMITTER"):  # as the tests set them: here, as a PC has none
        monkeypatch.delenv(f"GIT_{role}_NAME")
        monkeypatch.delenv(f"GIT_{role}_EMAIL")
    (tmp_path / "gitconfig").write_text(config, encoding="utf-8")
    env = {"GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"}
    env |= {"HOME": str(tmp_path), "EMAIL": ""}
    result = run_process("init", str(tmp_path / "office"), env=env)
    assert result.returncode == 0, result.stderr
    log = subprocess.run(
        ["git", "log", "--format=%an <%ae>|%cn <%ce>"],
        cwd=tmp_path / "office",
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    name = "王敏" if config else log.stdout.split(" <")[0]
    # The author too (it was `王敏 <>`: review U F8).
    assert log.stdout == f"{name} <govscore@localhost>|{name} <govscore@localhost>\n"


def test_init_inside_a_repository_says_so(tmp_path: Path):
    """Inside a git work tree, init makes no repository (the files belong to the one
    around them) and says so: the README's next step commits into that repository."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    target = tmp_path / "deep" / "office"
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 0
    assert not (target / ".git").exists()
    # … nor a commit in the repository around it: its files are that one's to commit.
    log = subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=tmp_path)
    assert log.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"note: {target} lies inside the git repository at {tmp_path.resolve()}: no "
        "repository of its own was made; commit its files in that one"
    )


def test_repository_root_is_a_working_root_matching_the_templates(tmp_path: Path):
    data = REPO / "govscore" / "data"
    for name in ("departments.toml", "weights.toml"):
        assert (REPO / name).read_bytes() == (data / name).read_bytes()
    result = run_process("--root", str(copy_root(REPO, tmp_path / "office")), "check")
    assert result.returncode == 0, result.stderr


def test_departments_and_clause_lookups(small: Path):
    departments = run(small, "departments", "--format", "json")
    assert json.loads(departments.stdout) == [
        {"name": "市公安局", "aliases": [], "tags": ["one_window"]},
        {"name": "市民政局", "aliases": [], "tags": []},
        {"name": "市体育局", "aliases": ["体育"], "tags": []},
    ]
    clause = json.loads(run(small, "clause", "4.2.2", "--format", "json").stdout)
    assert clause["levels"] == {"市级": 2.0, "省级": 5.0, "国家级": 10.0}
    assert clause["exclusive"] is True
    unknown = run(small, "clause", "2.4.33")
    assert unknown.exit_code == 2 and "did you mean 2.4.3" in unknown.stderr
    listed = json.loads(run(small, "clauses", "--format", "json").stdout)
    assert len(listed) == 77


def test_a_clause_that_deducts_every_month_until_closed_says_so(small: Path):
    """3.1.3 (自应完成之月起每月扣2分) stands every month until closed: said plainly, and
    --recurring is part of how it is recorded; 2.4.9 may recur (每月扣1分), not must."""
    lead = run(small, "clause", "3.1.3")
    assert lead.stdout.split("\n\n")[0] == (
        "条款  3.1.3\n"
        "类别  3 政务服务便利化\n"
        '内容  牵头部门未按时完成"一件事"改革任务\n'
        "类型  扣分\n"
        "分值  2\n"
        "单位  月\n"
        "说明  每月扣分，直至终止计分（govscore close）\n"
        "录入  govscore add -d 部门 -c 3.1.3 -n 次数 --recurring"
    )
    allowed = run(small, "clause", "2.4.9")
    assert "说明  可逐月计分\n" in allowed.stdout
    assert "录入  govscore add -d 部门 -c 2.4.9 -n 次数 [--recurring]\n" in allowed.stdout
    shown = [
        json.loads(run(small, "clause", c, "--format", "json").stdout) for c in ("3.1.5", "2.4.9")
    ]
    assert [(c["recurring"], c["until_closed"]) for c in shown] == [(True, True), (True, False)]


def test_example_root_is_clean_and_its_quick_start_month_reads(tmp_path: Path):
    # A copy, committed as the checkout's examples/ are: reports write a cache into the root.
    examples = copy_root(REPO / "examples", tmp_path / "examples")
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-qm", "examples")):
        subprocess.run(["git", *args], cwd=examples, check=True)
    check = run_process("--root", str(examples), "check")
    assert check.returncode == 0, check.stdout + check.stderr
    month = run_process("--root", str(examples), "month", "2023-03")
    assert month.returncode == 0
    assert month.stdout.splitlines()[0].startswith(
        "2023-03 月度政务服务工作考评（36 个部门） · 考评依据 2023-03-27 烟政管办〔2023〕2号 · 台账 git "
    )


def test_a_root_clauses_toml_replaces_the_shipped_catalog(small: Path):
    """The office amends its catalog: here 2.4.3 costs 2 per case instead of 1."""
    shipped = (
        Path(__file__).resolve().parent.parent / "govscore" / "data" / "clauses.toml"
    ).read_text(encoding="utf-8")
    marker = 'id = "2.4.3"'
    head, tail = shipped.split(marker)
    amended = head + marker + tail.replace("points = 1\n", "points = 2\n", 1)
    (small / "clauses.toml").write_text(amended, encoding="utf-8")
    assert run(small, "clause", "2.4.3", "--format", "json").stdout.count('"points": 2.0') == 1
    assert (
        run(
            small, "add", "-d", "市民政局", "-c", "2.4.3", "-n", "3", "--month", "2023-05"
        ).exit_code
        == 0
    )
    # 3 × 2 = 6 off C2 → 94 → 25 + 37.6 + 35 = 97.6
    payload = json.loads(run(small, "month", "2023-05", "--format", "json").stdout)
    civil = next(d for d in payload["departments"] if d["department"] == "市民政局")
    assert civil["total"] == 97.6
    (small / "clauses.toml").write_text('[[clause]]\nid = "x"\n', encoding="utf-8")
    broken = run(small, "month", "2023-05")
    assert broken.exit_code == 1
    assert "clauses.toml" in broken.stderr and "C.I.K" in broken.stderr


def amended_catalog() -> str:
    """The shipped catalog with 2.4.3 at 2 points per case instead of 1."""
    shipped = (REPO / "govscore" / "data" / "clauses.toml").read_text(encoding="utf-8")
    head, tail = shipped.split('id = "2.4.3"')
    return head + 'id = "2.4.3"' + tail.replace("points = 1\n", "points = 2\n", 1)


def test_lookups_in_a_root_with_broken_departments_show_the_roots_own_catalog(small: Path):
    (small / "clauses.toml").write_text(amended_catalog(), encoding="utf-8")
    (small / "departments.toml").write_text("[[department]\n", encoding="utf-8")
    shown = run(small, "clause", "2.4.3", "--format", "json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["points"] == 2.0  # the root's, not the shipped 1.0
    listed = json.loads(run(small, "clauses", "--format", "json").stdout)
    assert next(c for c in listed if c["id"] == "2.4.3")["points"] == 2.0


def test_lookups_in_a_root_with_a_broken_catalog_fail_naming_it(small: Path):
    (small / "clauses.toml").write_text("[[clause]\n", encoding="utf-8")
    for args in (("clause", "2.4.3"), ("clauses",)):
        result = run(small, *args)
        assert result.exit_code == 1, result.output
        assert result.stdout == ""
        assert "clauses.toml: not valid TOML" in result.stderr
    (small / "clauses.toml").unlink()
    (small / "weights.toml").write_text("base = \n", encoding="utf-8")
    result = run(small, "clause", "2.4.3")
    assert (result.exit_code, result.stdout) == (1, "")
    assert "weights.toml: not valid TOML" in result.stderr


def test_lookups_without_a_root_use_the_shipped_catalog(tmp_path: Path):
    """No root named and none above the working folder: the catalog govscore ships."""
    shown = run_process("clause", "2.4.3", "--format", "json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["points"] == 1.0
    named = run_process("--root", str(tmp_path), "clause", "2.4.3", cwd=tmp_path)
    assert named.returncode == 1 and "not a govscore root" in named.stderr


def test_add_with_month_alone_stores_no_date_as_its_help_says(small: Path):
    helped = " ".join(run(small, "add", "--help").stdout.split())
    assert "with --month and no --date, no date is stored" in helped
    args = ("add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05")
    assert run(small, *args).exit_code == 0
    text = (small / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    assert 'clause = "2.4.3"' in text and "\ndate = " not in text
    assert run(small, *args, "--date", "2023-05-12").exit_code == 0
    text = (small / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    assert "\ndate = 2023-05-12\n" in text
