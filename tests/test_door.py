"""Wrong scores stopped at the door, in `add` and in `import`: each refusal says what was
probably meant and writes nothing (the ledger stays byte-identical); `--force` lets
through what is only doubtful. Scores worked by hand.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from conftest import run_process
from govscore.cli import commands as cli_module
from govscore.model import Entry
from govscore.rules.door import door_problems
from test_import import gs, ledger_bytes

A = ("-d", "公安局")


def total(root: Path, month: str, department: str = "市公安局") -> tuple[float, dict]:
    payload = json.loads(gs(root, "month", month, "--format", "json").stdout)
    row = next(d for d in payload["departments"] if d["department"] == department)
    return row["total"], row["categories"]


def refused(root: Path, *args: str) -> str:
    """Run a command that must be refused; the ledger must not change by one byte."""
    before = ledger_bytes(root)
    result = gs(root, *args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert ledger_bytes(root) == before
    return result.stderr


# -- a rate written as a fraction -----------------------------------------------------


def test_a_rate_between_0_and_1_is_refused_unless_forced(small: Path):
    stderr = refused(small, "add", *A, "-c", "2.5.2", "--value", "0.935", "--month", "2023-05")
    assert stderr.startswith(
        "govscore: value 0.935 looks like a fraction, but rates are written in percent: "
        "did you mean 93.5? (give --force if 0.935% is meant)\n"
    )
    # The same refusal when the whole ledger is read (no cache), as when it is cached.
    uncached = ("--no-cache", "add", *A, "-c", "2.5.2", "--value", "0.935", "--month", "2023-05")
    assert "did you mean 93.5?" in refused(small, *uncached)
    meant = gs(small, "add", *A, "-c", "2.5.2", "--value", "93.5%", "--month", "2023-05")
    assert (meant.exit_code, meant.stdout) == (0, "2023-05-0001\n"), meant.output
    # 2.5.2 at 93.5%: (100 − 93.5) × 0.1 = 0.65 → C2 99.35 → 25 + 39.74 + 20 + 15 = 99.74
    assert total(small, "2023-05")[0] == 99.74
    forced = gs(
        small, "add", *A, "-c", "2.5.2", "--value", "0.935", "--month", "2023-06", "--force"
    )
    assert forced.exit_code == 0, forced.output
    # Forced, 0.935% it is: (100 − 0.935) × 0.1 = 9.9065 → C2 90.0935
    # → 25 + 36.0374 + 20 + 15 = 96.0374 → 96.04
    assert total(small, "2023-06")[0] == 96.04


def test_an_imported_fraction_is_refused_with_its_row(small: Path):
    Path("rows.csv").write_text(
        "部门,条款,比率,月份\n体育,2.5.2,95,2023-05\n公安局,2.5.2,0.935,2023-05\n", encoding="utf-8"
    )
    stderr = refused(small, "import", "rows.csv")
    assert stderr.splitlines()[0] == (
        "rows.csv:3: 比率: value 0.935 looks like a fraction, but rates are written in "
        "percent: did you mean 93.5? (give --force if 0.935% is meant)"
    )
    forced = gs(small, "import", "rows.csv", "--force")
    assert (forced.exit_code, forced.stdout) == (0, "2023-05-0001\n2023-05-0002\n")


def test_a_numerator_above_its_denominator_is_recorded_with_a_warning(small: Path):
    result = gs(
        small, "add", *A, "-c", "2.5.2", "--numerator", "13", "--denominator", "10",
        "--month", "2023-05",
    )  # fmt: skip
    assert (result.exit_code, result.stdout) == (0, "2023-05-0001\n")
    assert result.stderr == (
        "warning: numerator 13 is above denominator 10: the rate is 130%, over 100%, "
        "so it deducts nothing\n"
    )
    # 130% is not below 100%: nothing deducted, C2 stays 100, total 100.
    assert total(small, "2023-05") == (100.0, {"1": 100.0, "2": 100.0, "3": 100.0, "4": 100.0})
    Path("rows.csv").write_text(
        "部门,条款,分子,分母,月份\n体育,2.5.2,7,4,2023-05\n", encoding="utf-8"
    )
    imported = gs(small, "import", "rows.csv")
    assert imported.exit_code == 0
    assert imported.stderr.splitlines()[0] == (
        "warning: rows.csv:2: 分子: numerator 7 is above denominator 4: the rate is "
        "175%, over 100%, so it deducts nothing"
    )


# -- dates and months -----------------------------------------------------------------


def test_a_date_outside_its_month_is_refused_even_forced(small: Path):
    args = ("add", *A, "-c", "2.4.3", "--date", "2023-04-30", "--month", "2023-05")
    stderr = refused(small, *args)
    assert stderr.startswith(
        "govscore: date 2023-04-30 is not in the entry's month 2023-05: an entry is recorded "
        "in the month it happened; did you mean month 2023-04?\n"
    )
    assert "did you mean month 2023-04?" in refused(small, *args, "--force")
    Path("rows.csv").write_text(
        "部门,条款,日期,月份\n公安局,2.4.3,2023/4/30,2023-05\n", encoding="utf-8"
    )
    assert refused(small, "import", "rows.csv").startswith(
        "rows.csv:2: 日期: date 2023-04-30 is not in the entry's month 2023-05"
    )


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (
            ("--date", "2022-05-12"),
            "govscore: date 2022-05-12 is before the measures took effect on 2023-03-27: "
            "a typo in the year? (give --force if it is meant)\n",
        ),
        (
            ("--date", "2023-03-26"),
            "govscore: date 2023-03-26 is before the measures took effect on 2023-03-27: "
            "a typo in the year? (give --force if it is meant)\n",
        ),
        (
            ("--month", "2023-02"),
            "govscore: month 2023-02 is before the measures took effect on 2023-03-27: "
            "a typo in the year? (give --force if it is meant)\n",
        ),
    ],
)
def test_before_the_measures_is_refused_unless_forced(small: Path, when: tuple, message: str):
    assert refused(small, "add", *A, "-c", "2.4.3", *when).startswith(message)
    forced = gs(small, "add", *A, "-c", "2.4.3", *when, "--force")
    assert forced.exit_code == 0, forced.output


def test_the_day_the_measures_took_effect_and_its_month_are_fine(small: Path):
    assert gs(small, "add", *A, "-c", "2.4.3", "--date", "2023-03-27").exit_code == 0
    assert gs(small, "add", *A, "-c", "2.4.3", "--month", "2023-03").exit_code == 0


def test_a_refusal_in_a_real_process_writes_nothing(small: Path):
    assert gs(small, "add", *A, "-c", "2.4.3", "--month", "2023-05").exit_code == 0
    before = ledger_bytes(small)
    result = run_process(
        "--root", str(small), "add", *A, "-c", "2.5.2", "--value", "0.5", "--month", "2023-05"
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert "did you mean 50?" in result.stderr and "Traceback" not in result.stderr
    assert ledger_bytes(small) == before


# -- ahead of time: a date after today, a month after next ------------------------------

# The day the tests below record on, whatever the real date: next month is 2025-01, a
# month after next 2025-02.
TODAY = date(2024, 12, 20)


@pytest.fixture
def on_today(monkeypatch: pytest.MonkeyPatch) -> date:
    """The CLI's today fixed (in-process runs): the door's answer depends on the day."""
    monkeypatch.setattr(cli_module, "today", lambda: TODAY)
    return TODAY


def test_next_month_is_recorded_without_force(small: Path, on_today: date):
    ahead = gs(small, "add", *A, "-c", "2.4.3", "--month", "2025-01")
    assert (ahead.exit_code, ahead.stdout, ahead.stderr) == (0, "2025-01-0001\n", "")
    # 2.4.3 × 1 → C2 99 → 25 + 39.6 + 20 + 15 = 99.6
    assert total(small, "2025-01")[0] == 99.6


def test_a_month_after_next_is_refused_unless_forced_and_then_counts(small: Path, on_today):
    args = ("add", *A, "-c", "2.4.3", "-n", "3", "--month", "2025-02")
    assert refused(small, *args) == (
        "govscore: month 2025-02 is more than a month ahead (this month is 2024-12); "
        "did you mean 2024-02? --force records it anyway\n"
        "error: rejected: 1 problem; the entry not written, the ledger is unchanged\n"
    )
    assert not (small / "ledger" / "2025-02.toml").exists()
    # The same refusal when the whole ledger is read (no cache).
    assert "did you mean 2024-02?" in refused(small, "--no-cache", *args)
    forced = gs(small, *args, "--force")
    assert (forced.exit_code, forced.stdout) == (0, "2025-02-0001\n"), forced.output
    # It counts in its month: 2.4.3 × 3 → C2 97 → 25 + 38.8 + 20 + 15 = 98.8
    assert total(small, "2025-02")[0] == 98.8
    # … and `check` finds nothing wrong with it.
    checked = gs(small, "check")
    assert checked.exit_code == 0, checked.output
    assert checked.stderr.endswith(": no problems\n")
    assert gs(small, "--no-cache", "check").exit_code == 0


def test_a_date_after_today_is_refused_unless_forced(small: Path, on_today: date):
    assert refused(small, "add", *A, "-c", "2.4.3", "--date", "2025-01-05") == (
        "govscore: date 2025-01-05 is after today (2024-12-20); did you mean 2024-01-05? "
        "--force records it anyway\n"
        "error: rejected: 1 problem; the entry not written, the ledger is unchanged\n"
    )
    # Later this month the slip is in the day: nothing a year back is offered.
    assert refused(small, "add", *A, "-c", "2.4.3", "--date", "2024-12-28").startswith(
        "govscore: date 2024-12-28 is after today (2024-12-20); --force records it anyway\n"
    )
    today = gs(small, "add", *A, "-c", "2.4.3", "--date", "2024-12-20")
    assert (today.exit_code, today.stdout) == (0, "2024-12-0001\n"), today.output
    forced = gs(small, "add", *A, "-c", "2.4.3", "--date", "2024-12-28", "--force")
    assert (forced.exit_code, forced.stdout) == (0, "2024-12-0002\n"), forced.output
    # Both count: 2.4.3 × 2 → C2 98 → 25 + 39.2 + 20 + 15 = 99.2
    assert total(small, "2024-12")[0] == 99.2


def test_an_import_ahead_of_time_is_refused_with_its_rows(small: Path, on_today: date):
    Path("rows.csv").write_text(
        "部门,条款,日期,月份\n"
        "公安局,2.4.3,,2025-01\n"  # next month: fine
        "公安局,2.4.3,,2025-02\n"
        "体育,2.4.3,2025/1/5,\n",
        encoding="utf-8",
    )
    stderr = refused(small, "import", "rows.csv")
    assert stderr.splitlines()[:2] == [
        "rows.csv:3: 月份: month 2025-02 is more than a month ahead (this month is 2024-12); "
        "did you mean 2024-02? --force records it anyway",
        "rows.csv:4: 日期: date 2025-01-05 is after today (2024-12-20); did you mean "
        "2024-01-05? --force records it anyway",
    ]
    forced = gs(small, "import", "rows.csv", "--force")
    assert (forced.exit_code, forced.stdout) == (
        0,
        "2025-01-0001\n2025-02-0001\n2025-01-0002\n",
    ), forced.output
    # 2025-01: 市公安局 and 市体育局 each 2.4.3 × 1 → C2 99 → 99.6
    assert total(small, "2025-01")[0] == total(small, "2025-01", "市体育局")[0] == 99.6
    assert gs(small, "check").exit_code == 0


def test_a_close_through_a_month_after_next_is_refused_unless_forced(small: Path, on_today):
    """A close's last month is refused as a month is: 2025-07 in December 2024 would
    deduct every month until then (2024-07, a year back, is before the entry's month:
    not offered)."""
    made = gs(small, "add", *A, "-c", "3.1.3", "--recurring", "--month", "2024-11")
    assert (made.exit_code, made.stdout) == (0, "2024-11-0001\n"), made.output
    before = ledger_bytes(small)
    assert refused(small, "close", "2024-11-0001", "--through", "2025-07") == (
        "govscore: through 2025-07 is more than a month ahead (this month is 2024-12); "
        "--force records it anyway\n"
        "error: rejected: 1 problem; the entry not written, the ledger is unchanged\n"
    )
    assert ledger_bytes(small) == before
    # Next month is fine without --force; a later month with it.
    # --reason, as void names it, is --note here: a clerk types either.
    closed = gs(
        small, "--no-cache", "close", "2024-11-0001", "--through", "2025-01", "--reason", "完成"
    )
    assert (closed.exit_code, closed.stdout) == (0, "2024-11-0002\n"), closed.output
    made = gs(small, "add", *A, "-c", "3.1.3", "--recurring", "--month", "2024-12")
    assert (made.exit_code, made.stdout) == (0, "2024-12-0001\n"), made.output
    forced = gs(small, "close", "2024-12-0001", "--through", "2025-03", "--force")
    assert (forced.exit_code, forced.stdout) == (0, "2024-12-0002\n"), forced.output
    # 3.1.3 deducts 2 a month from C3 (20%): both stand in 2025-01 (2024-11-0001 through
    # it) → C3 96 → 25 + 40 + 19.2 + 15 = 99.2; 2025-03 has the second alone → C3 98 →
    # 99.6; 2025-04 neither → 100.
    assert [total(small, m)[0] for m in ("2025-01", "2025-03", "2025-04")] == [99.2, 99.6, 100]


def test_a_close_is_offered_no_month_before_its_entrys_own():
    """In December 2026, --through 2027-05 for an entry of 2026-11: 2026-05 a year back is
    before the entry's month, which no close can take, so nothing is offered."""
    entry = Entry(id="x", month="2026-11", close="2026-11-0001", through="2027-05")
    refusals, _ = door_problems(entry, None, date(2026, 12, 20), force=False)
    assert [p.message for p in refusals] == [
        "through 2027-05 is more than a month ahead (this month is 2026-12); "
        "--force records it anyway"
    ]
    earlier = entry._replace(close="2026-03-0001")
    refusals, _ = door_problems(earlier, None, date(2026, 12, 20), force=False)
    assert "did you mean 2026-05?" in refusals[0].message


def test_a_follow_up_answers_its_entry_item_by_item(small: Path):
    """One project adopted (4.1.1 × 1) is accepted once (4.1.2 追加): a second 4.1.2
    naming it, or one of count 3, would book the same item again. Refused, nothing
    written; a voided follow-up leaves room for another; --force records one meant."""
    assert gs(small, "add", *A, "-c", "4.1.1", "--month", "2023-05").stdout == "2023-05-0001\n"
    follow = ("add", *A, "-c", "4.1.2", "--ref", "2023-05-0001")
    assert gs(small, *follow, "--month", "2023-06").stdout == "2023-06-0001\n"
    before = ledger_bytes(small)
    assert refused(small, *follow, "--month", "2023-07") == (
        "govscore: 2023-05-0001 (4.1.1 × 1) is followed up by 4.1.2 already (2023-06-0001): "
        "a follow-up answers its entry item by item, so this one would book an item twice; "
        "give --force if it is meant\n"
        "error: rejected: 1 problem; the entry not written, the ledger is unchanged\n"
    )
    assert gs(small, "add", *A, "-c", "4.3.1", "--month", "2023-05").stdout == "2023-05-0002\n"
    three = ("-c", "4.3.2", "-n", "3", "--ref", "2023-05-0002", "--month", "2023-06")
    assert refused(small, "add", *A, *three) == (
        "govscore: 4.3.2 × 3 follows up 2023-05-0002 (4.3.1 × 1): more items than it has; "
        "give --force if it is meant\n"
        "error: rejected: 1 problem; the entry not written, the ledger is unchanged\n"
    )
    voided = gs(small, "void", "2023-06-0001", "--reason", "验收未通过")
    assert voided.exit_code == 0, voided.output
    again = gs(small, *follow, "--month", "2023-07")
    assert (again.exit_code, again.stdout) == (0, "2023-07-0001\n"), again.output
    forced = gs(small, *follow, "--month", "2023-08", "--force")
    assert (forced.exit_code, forced.stdout) == (0, "2023-08-0001\n"), forced.output
    assert ledger_bytes(small) != before


def problems_on(today: date, month: str, day: date | None = None) -> list[str]:
    entry = Entry(id="x", month=month, department="市公安局", clause="2.4.3", date=day)
    refusals, warnings = door_problems(entry, None, today, force=False)
    assert door_problems(entry, None, today, force=True) == ([], warnings)
    return [p.message for p in refusals]


def test_what_was_meant_is_the_same_month_a_year_back():
    # January, and November typed with this year: last November was meant.
    assert problems_on(date(2026, 1, 10), "2026-11") == [
        "month 2026-11 is more than a month ahead (this month is 2026-01); did you mean "
        "2025-11? --force records it anyway"
    ]
    # December, and next year's February: this year's.
    assert "did you mean 2026-02?" in problems_on(date(2026, 12, 1), "2027-02")[0]
    # A year back is before the measures: nothing is offered.
    assert problems_on(date(2023, 4, 10), "2023-06") == [
        "month 2023-06 is more than a month ahead (this month is 2023-04); "
        "--force records it anyway"
    ]
    # 29 February a year back does not exist: nothing is offered.
    assert problems_on(date(2025, 3, 1), "2028-02", date(2028, 2, 29)) == [
        "date 2028-02-29 is after today (2025-03-01); --force records it anyway"
    ]
    # The last day of this month and of the next: today's month and the next are fine.
    assert problems_on(date(2026, 12, 31), "2027-01") == []
    assert problems_on(date(2026, 12, 31), "2026-12", date(2026, 12, 31)) == []
    assert problems_on(date(2026, 12, 31), "2027-02") != []


def test_a_refusal_ahead_of_time_in_a_real_process_writes_nothing(small: Path):
    """Whatever the real date (before 2998-12), 2999-01 is more than a month ahead."""
    assert gs(small, "add", *A, "-c", "2.4.3", "--month", "2023-05").exit_code == 0
    before = ledger_bytes(small)
    result = run_process("--root", str(small), "add", *A, "-c", "2.4.3", "--month", "2999-01")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("govscore: month 2999-01 is more than a month ahead")
    assert "--force records it anyway" in result.stderr and "Traceback" not in result.stderr
    assert ledger_bytes(small) == before


def test_a_day_the_calendar_lacks_is_named_so(small: Path):
    """2023-02-30 is written as a day should be: what is wrong is that February has no
    30th, wherever it is typed (an option: a usage error, exit 2; an import row)."""
    told = {
        "2023/2/30": "'2023/2/30' is not a day: 2023-02 has no day 30",
        "2023-13-01": "'2023-13-01' is not a day: a year has no month 13",
        "5月3日": "'5月3日' is not a date of the form YYYY-MM-DD",
    }
    before = ledger_bytes(small)
    for day, message in told.items():
        result = gs(small, "add", *A, "-c", "2.4.3", "--date", day)
        assert result.exit_code == 2 and message in result.stderr, result.output
    assert ledger_bytes(small) == before
    stderr = import_refused(small, "部门,条款,日期,月份", "公安局,2.4.3,2023年2月29日,2023-02")
    assert stderr.startswith(
        "rows.csv:2: 日期: '2023年2月29日' is not a day: 2023-02 has no day 29\n"
    )


# -- the same exclusive matter again --------------------------------------------------

MATTER = ("-c", "4.2.2", "--matter", "企业开办一件事")


def test_an_exclusive_matter_again_at_no_higher_level_is_refused(small: Path):
    city = gs(small, "add", *A, *MATTER, "--level", "市级", "--month", "2023-05")
    assert (city.exit_code, city.stdout) == (0, "2023-05-0001\n"), city.output
    stderr = refused(small, "add", *A, *MATTER, "--level", "市级", "--month", "2023-07")
    assert stderr.startswith(
        "govscore: matter '企业开办一件事' already counts for 市公安局 in 2023 at 市级 "
        "(2023-05-0001); a matter counts once a year at its highest level, so this entry "
        "would add 0: record it only at a higher level\n"
    )
    province = gs(small, "add", *A, *MATTER, "--level", "省级", "--month", "2023-07")
    assert province.exit_code == 0, province.output
    # Refused again in August, the matter named at the highest level it counts at (省级
    # in July), not at the first it was recorded at.
    assert refused(small, "add", *A, *MATTER, "--level", "市级", "--month", "2023-08").startswith(
        "govscore: matter '企业开办一件事' already counts for 市公安局 in 2023 at 省级 "
        "(2023-07-0001);"
    )
    # Another year starts afresh.
    assert gs(small, "add", *A, *MATTER, "--level", "市级", "--month", "2024-05").exit_code == 0
    # May: 市级 +2 → C4 102 → 25 + 40 + 20 + 15.3 = 100.30
    # July: 省级 5, over the 2 earned: +3 → C4 103 → 25 + 40 + 20 + 15.45 = 100.45
    assert total(small, "2023-05")[0] == 100.3
    assert total(small, "2023-07")[0] == 100.45


def test_a_lower_level_in_an_earlier_month_is_still_recorded(small: Path):
    # 省级 in June first; 市级 in May (recorded later, happened earlier) is not refused:
    # May +2, and June's 省级 then adds 5 − 2 = 3.
    assert gs(small, "add", *A, *MATTER, "--level", "省级", "--month", "2023-06").exit_code == 0
    may = gs(small, "add", *A, *MATTER, "--level", "市级", "--month", "2023-05")
    assert may.exit_code == 0, may.output
    assert total(small, "2023-05")[0] == 100.3  # C4 102
    assert total(small, "2023-06")[0] == 100.45  # C4 103


def import_refused(root: Path, header: str, *rows: str) -> str:
    """Import rows.csv of these rows (under `header`), which must be refused."""
    Path("rows.csv").write_text("\n".join([header, *rows, ""]), encoding="utf-8")
    return refused(root, "import", "rows.csv")


MATTERS = "部门,条款,等级,事项,月份"


def test_an_imported_exclusive_matter_again_is_refused(small: Path):
    """Two rows of one file: the other is named by its row (its id would name nothing:
    nothing was written). Against the ledger, by the entry's id."""
    stderr = import_refused(
        small, MATTERS, "公安局,4.2.2,省级,甲,2023-05", "公安局,4.2.2,省级,甲,2023-06"
    )
    assert stderr.startswith(
        "rows.csv:3: 等级: matter '甲' already counts for 市公安局 in 2023 at 省级 (rows.csv:2);"
    )
    # 市级 in May, 省级 in June, 市级 again in July: the July row adds 0 (named against
    # June's row, the highest), while May's and June's count (2, then 5 − 2).
    july, june, may = (
        f"公安局,4.2.2,{level},乙,2023-{m}"
        for level, m in (("市级", "07"), ("省级", "06"), ("市级", "05"))
    )
    stderr = import_refused(small, MATTERS, july, june, may)
    assert stderr.startswith(
        "rows.csv:2: 等级: matter '乙' already counts for 市公安局 in 2023 at 省级 (rows.csv:3);"
    )
    assert "rows.csv:3" not in stderr.split("\n", 1)[1] and "rows.csv:4" not in stderr
    assert gs(small, "add", *A, *MATTER, "--level", "省级", "--month", "2023-05").exit_code == 0
    assert import_refused(small, MATTERS, "公安局,4.2.2,市级,企业开办一件事,2023-06").startswith(
        "rows.csv:2: 等级: matter '企业开办一件事' already counts for 市公安局 in 2023 at 省级 "
        "(2023-05-0001);"
    )


def test_two_imported_rates_of_one_department_month_name_each_other_by_row(small: Path):
    rates = ("公安局,2.5.2,95,2023-05", "民政局,2.5.2,97,2023-05", "公安局,2.5.2,96,2023-05")
    stderr = import_refused(small, "部门,条款,比率,月份", *rates, "公安局,2.5.2,96,2023-06")
    assert stderr.startswith(
        "rows.csv:4: 比率: a second 2.5.2 rate for 市公安局 in 2023-05: rows.csv:2 gives "
        "one already; keep one of the two rows\n"
    )
    assert "2023-05-000" not in stderr  # no id of an entry that was never written


# -- full-width and Chinese forms, the same in every command --------------------------


def test_full_width_forms_are_read_alike_everywhere(small: Path):
    added = gs(
        small, "add", *A, "-c", "２.４.３", "-n", "２", "--date", "２０２３/５/３",
    )  # fmt: skip
    assert (added.exit_code, added.stdout) == (0, "2023-05-0001\n"), added.output
    rate = gs(
        small,
        "add",
        "-d",
        "体育",
        "-c",
        "2.5.2",
        "--value",
        "９５．５％",
        "--month",
        "２０２３-０５",
    )
    assert (rate.exit_code, rate.stdout) == (0, "2023-05-0002\n"), rate.output
    points = gs(
        small, "add", "-d", "民政局", "-c", "2.4.10", "--points", "２．５", "--month", "2023-05"
    )
    assert (points.exit_code, points.stdout) == (0, "2023-05-0003\n"), points.output
    clause = gs(small, "clause", "４.３.１")
    assert clause.exit_code == 0 and "4.3.1" in clause.stdout
    # 市公安局: 2.4.3 × 2 → C2 98 → 99.20; 市体育局: 95.5% → (100 − 95.5) × 0.1 = 0.45
    # → C2 99.55 → 25 + 39.82 + 20 + 15 = 99.82
    assert total(small, "2023-05")[0] == 99.2
    assert total(small, "2023-05", "市体育局")[0] == 99.82
    # 市民政局: 2.4.10 at 2.5 points → C2 97.5 → 25 + 39 + 20 + 15 = 99.00
    assert total(small, "2023-05", "市民政局")[0] == 99.0
    shown = gs(small, "show", "２０２３-０５-０００１", "--format", "json")
    assert shown.exit_code == 0 and "2023-05-0001" in shown.stdout
    logged = gs(small, "log", "-c", "２.５", "--format", "json")  # the prefix 2.5, full-width
    assert [e["id"] for e in json.loads(logged.stdout)] == ["2023-05-0002"]
    voided = gs(small, "void", "２０２３-０５-０００１", "--reason", "申诉成立")
    assert voided.exit_code == 0, voided.output
    assert total(small, "2023-05")[0] == 100.0


def test_a_matter_written_another_way_is_the_same_matter(small: Path):
    """A clerk types the 事项 freely: 安全生产一件事, 安全生产 一件事 and 安全生产“一件事”
    name one matter (同一事项按最高层级计分，不累加), so a higher level earns its rise only,
    and the same level again is refused."""
    exclusive = ("add", *A, "-c", "4.2.2")
    first = gs(
        small, *exclusive, "--level", "省级", "--matter", "安全生产一件事", "--month", "2023-05"
    )
    assert first.exit_code == 0, first.output
    assert "already counts" in refused(
        small, *exclusive, "--level", "省级", "--matter", "安全生产“一件事”", "--month", "2023-06"
    )
    higher = ("--level", "国家级", "--matter", "安全生产 一件事", "--month", "2023-06")
    assert gs(small, *exclusive, *higher).exit_code == 0
    # May: 省级 5 → C4 105 → 25 + 40 + 20 + 15.75 = 100.75. June: 国家级 10 rises 10 − 5 =
    # 5 over May's 省级 (one matter) → C4 105 → 100.75 (not 110 → 101.5).
    assert [total(small, m)[0] for m in ("2023-05", "2023-06")] == [100.75, 100.75]


@pytest.mark.parametrize("cache", [(), ("--no-cache",)])
def test_the_months_csv_rows_stand_before_a_new_entry_at_the_door(small: Path, cache):
    """A new entry is appended to its month's .toml, which is read before the month's
    .csv: the door took it for earlier than the CSV rows recorded before it, and let
    through a second 4.3.2 for one complaint and a matter again at a lower level
    (review T F2). Both are refused, as they are a month later.

    June: 4.3.1 × 1 (a complaint, −1), and in the CSV 4.3.2 × 1 (加扣 −2) following it
    up: C4 97. A second 4.3.2 would make it 95, where the measures allow one 加扣.
    May: 4.2.2 国家级 for 企业开办一件事 in the CSV; 省级 for it adds nothing."""
    assert gs(small, "add", *A, "-c", "4.3.1", "--month", "2023-06").exit_code == 0
    (small / "ledger" / "2023-06.csv").write_text(
        "id,department,clause,count,ref\n2023-06-c001,市公安局,4.3.2,1,2023-06-0001\n",
        encoding="utf-8",
    )
    (small / "ledger" / "2023-05.csv").write_text(
        "id,department,clause,level,matter\n2023-05-c001,市公安局,4.2.2,国家级,企业开办一件事\n",
        encoding="utf-8",
    )
    follow = ("add", *A, "-c", "4.3.2", "--ref", "2023-06-0001", "--month", "2023-06")
    assert "is followed up by 4.3.2 already (2023-06-c001)" in refused(small, *cache, *follow)
    lower = ("add", *A, *MATTER, "--level", "省级", "--month", "2023-05")
    assert "at 国家级 (2023-05-c001)" in refused(small, *cache, *lower)
    assert total(small, "2023-06")[1]["4"] == 97


def test_a_part_of_the_catalog_given_for_a_clause_names_its_clauses(small: Path):
    """Review AE F6: `add -c 2.3` from a script was 'unknown clause 2.3; did you mean
    4.2.3 …', where at the prompt 2.3 lists its clauses."""
    result = gs(small, "add", "-d", "市体育局", "-c", "2.3", "--month", "2023-05")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "govscore: '2.3' is a part of the catalog, not a clause: give one of 2.3.1, 2.3.2, "
        "2.3.3, 2.3.4, 2.3.5, 2.3.6, 2.3.7, 2.3.8, 2.3.9, 2.3.10, 2.3.11"
    )
