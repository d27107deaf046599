"""Every validation rule, twice: the validator on ledger text, and `govscore add` refusing.

Unit tests review ledger text with `book_from` and assert each problem whole where it
is stable: its file, line, field and entry exactly, and the words of its message that
say what was wrong and what is allowed. CLI tests assert exit 1, the message on stderr,
nothing on stdout, and a ledger folder that is byte for byte what it was.

Departments tagged in conftest: 市公安局 and 市民政局 one_window, 市教育局 hall.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import book_from
from govscore.cli.commands import cli
from govscore.errors import Problem
from govscore.rules.validate import Book
from ledgertext import toml

POLICE = "市公安局"
CIVIL = "市民政局"
EDUCATION = "市教育局"
FOLLOWS = "2.3.1/2.3.2/2.3.3/2.3.4/2.3.5/2.3.6/2.3.7/2.3.8/2.3.9"


# -- a ledger written entry by entry, remembering where each entry stands -----------------


class Ledger:
    """Ledger text per month, built entry by entry, knowing each entry's header line."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self.where: dict[str, tuple[str, int]] = {}
        self.count = 0

    def add(self, month: str = "2023-05", **fields: Any) -> str:
        self.count += 1
        entry_id = fields.pop("id", f"{month}-{self.count:04d}")
        text = self.texts.get(month, f"# govscore ledger for {month}: append only\n")
        self.where[entry_id] = (f"ledger/{month}.toml", text.count("\n") + 2)
        self.texts[month] = text + toml({"id": entry_id, **fields})
        return entry_id

    def book(self) -> Book:
        return book_from(self.texts)


@dataclass
class Expect:
    """One expected problem: the entry it is about, its field, and words of its message."""

    entry: str
    field: str
    words: tuple[str, ...]


def expect(entry: str, field: str, *words: str) -> Expect:
    return Expect(entry, field, words)


def assert_problems(ledger: Ledger, *expected: Expect) -> Book:
    """The book holds exactly these problems, in this order; their entries do not count."""
    book = ledger.book()
    shown = [str(p) for p in book.problems]
    assert len(book.problems) == len(expected), shown
    for problem, want in zip(book.problems, expected, strict=True):
        file, line = ledger.where[want.entry]
        assert (problem.file, problem.line, problem.field, problem.entry) == (
            file,
            line,
            want.field,
            want.entry,
        ), shown
        if len(want.words) == 1:  # one text: the whole message
            assert problem.message == want.words[0], shown
        for word in want.words:
            assert word in problem.message, (word, problem.message)
    counted = {e.id for e in book.entries}
    assert not counted & {want.entry for want in expected}
    return book


def assert_clean(ledger: Ledger) -> Book:
    book = ledger.book()
    assert book.problems == (), [str(p) for p in book.problems]
    return book


# -- departments and clauses -----------------------------------------------------------


def test_unknown_department_suggests_the_full_name():
    led = Ledger()
    bad = led.add(department="公按局", clause="2.4.3")
    (problem,) = assert_problems(led, expect(bad, "department")).problems
    assert problem.message == (
        "unknown department '公按局'; did you mean 市公安局? "
        "(run `govscore departments` for the list)"
    )


def test_a_department_with_no_name_at_all_is_named_missing():
    led = Ledger()
    bad = led.add(clause="2.4.3")
    assert_problems(
        led,
        expect(bad, "department", "no department (every entry names one from departments.toml)"),
    )


def test_unknown_clause_suggests_the_near_ids():
    led = Ledger()
    bad = led.add(department=POLICE, clause="2.4.33")
    (problem,) = assert_problems(led, expect(bad, "clause")).problems
    assert problem.message == (
        "unknown clause '2.4.33'; did you mean 2.4.3 or 2.4.13 or 4.4.3? "
        "(run `govscore clauses` for the list)"
    )


def test_an_entry_without_a_clause_is_named_missing():
    led = Ledger()
    bad = led.add(department=POLICE)
    assert_problems(
        led, expect(bad, "clause", "no clause (every entry names a clause id such as 2.4.3)")
    )


def test_aliases_and_the_name_without_shi_count_under_the_full_name():
    led = Ledger()
    led.add(department="公安局", clause="2.4.3")
    led.add(department="市发改委", clause="2.4.3")
    led.add(department="发改委", clause="2.4.3")
    led.add(department=" 市民政局 ", clause="2.4.3")
    book = assert_clean(led)
    assert [e.department for e in book.entries] == [
        POLICE,
        "市发展和改革委员会",
        "市发展和改革委员会",
        CIVIL,
    ]


def test_a_clause_for_tagged_departments_refuses_the_others():
    led = Ledger()
    ok = led.add(department=POLICE, clause="2.3.1")
    window = led.add(department=EDUCATION, clause="2.3.1")
    hall = led.add(department=POLICE, clause="2.3.11", points=1)
    led.add(department=EDUCATION, clause="2.3.11", points=1)
    book = assert_problems(
        led,
        expect(
            window,
            "department",
            "clause 2.3.1 applies only to departments tagged 一窗受理专区; 市教育局 is not "
            "(if it should be: `govscore departments tag 市教育局 一窗受理专区`)",
        ),
        expect(
            hall,
            "department",
            "clause 2.3.11 applies only to departments tagged 政务服务中心大厅; 市公安局 is not "
            "(if it should be: `govscore departments tag 市公安局 政务服务中心大厅`)",
        ),
    )
    assert ok in {e.id for e in book.entries}


# -- count and points ----------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, -2])
def test_count_below_one_is_refused(count: int):
    led = Ledger()
    bad = led.add(department=POLICE, clause="2.4.3", count=count)
    assert_problems(led, expect(bad, "count", f"count must be 1 or more, not {count}"))


def test_a_count_of_ten_thousand_is_allowed_and_one_more_refused():
    led = Ledger()
    led.add(department=POLICE, clause="2.4.3", count=10_000)
    over = led.add(department=POLICE, clause="2.4.3", count=10_001)
    assert_problems(
        led, expect(over, "count", "count 10001 is more than 10000, the most one entry may state")
    )


def test_points_on_a_fixed_clause_are_refused_saying_what_it_is_fixed_at():
    led = Ledger()
    bad = led.add(department=POLICE, clause="2.4.3", points=2)
    (problem,) = assert_problems(led, expect(bad, "points")).problems
    assert problem.message == "clause 2.4.3 takes no points: it is fixed at 1 per 件次"


def test_points_on_a_fixed_clause_of_a_roots_catalog_without_a_unit_say_per_unit():
    """A root's own clauses.toml may leave a fixed clause's unit out (the shipped one
    names every unit): the hint then reads "per unit", not an empty or made-up word."""
    from conftest import departments
    from govscore.ledger.text import parse_toml_ledger
    from govscore.rules.catalog import parse_catalog
    from govscore.rules.validate import review

    own = parse_catalog(
        {"clause": [{"id": "9.1.1", "effect": "-", "kind": "fixed", "points": 1}]}, "clauses.toml"
    )
    led = Ledger()
    bad = led.add(department=POLICE, clause="9.1.1", points=2)
    parsed = parse_toml_ledger(led.texts["2023-05"], "ledger/2023-05.toml", "2023-05")
    assert messages(review(parsed.entries, own, departments())) == [
        (bad, "clause 9.1.1 takes no points: it is fixed at 1 per unit")
    ]


@pytest.mark.parametrize(
    ("clause", "hint"),
    [
        ("4.2.2", "name a level instead: 市级 / 省级 / 国家级"),
        ("2.5.2", "give the rate with value, or numerator and denominator"),
        ("4.4.1", "a veto has no points"),
    ],
)
def test_points_on_levels_rate_and_veto_clauses_say_what_to_give_instead(clause: str, hint: str):
    led = Ledger()
    fields: dict[str, Any] = {"level": "市级", "matter": "m"} if clause == "4.2.2" else {}
    if clause == "2.5.2":
        fields["value"] = 90
    bad = led.add(department=POLICE, clause=clause, points=1, **fields)
    assert_problems(led, expect(bad, "points", f"clause {clause} takes no points: {hint}"))


@pytest.mark.parametrize("points", [1.9, 5.1, 6])
def test_points_outside_a_range_are_refused_naming_the_range(points: float):
    led = Ledger()
    bad = led.add(department=POLICE, clause="2.4.1", points=points)
    assert_problems(led, expect(bad, "points", f"points {points} outside 2–5 for clause 2.4.1"))


def test_range_bounds_are_inclusive():
    led = Ledger()
    led.add(department=POLICE, clause="2.4.1", points=2)
    led.add(department=POLICE, clause="2.4.1", points=5)
    led.add(department=POLICE, clause="3.1.4", points=0.2)
    assert len(assert_clean(led).entries) == 3


def test_a_range_clause_without_points_asks_for_them():
    led = Ledger()
    bad = led.add(department=POLICE, clause="2.4.1")
    assert_problems(led, expect(bad, "points", "clause 2.4.1 needs points between 2 and 5"))


def test_points_not_in_steps_of_a_tenth_are_refused():
    led = Ledger()
    bad = led.add(department=EDUCATION, clause="2.3.11", points=1.55)
    assert_problems(led, expect(bad, "points", "points 1.55 are not in steps of 0.1"))


@pytest.mark.parametrize(
    ("points", "ok"),
    [
        ("1E+30", True),
        ("12345678901234567890123456789012.3", True),
        ("2.50", True),
        ("0.1000000000000000000000000000001", False),
        ("12345678901234567890123456789012.35", False),
    ],
)
def test_steps_of_a_tenth_are_exact_for_any_length_of_number(points: str, ok: bool):
    # Past 28 digits, Decimal's % raises: the check must neither crash nor round.
    led = Ledger()
    entry_id = led.add(department=POLICE, clause="4.2.5", points=Decimal(points))
    if ok:
        assert_clean(led)
    else:
        message = f"points {Decimal(points)} are not in steps of 0.1"
        assert_problems(led, expect(entry_id, "points", message))


def test_discretionary_points_must_be_positive_tenths():
    led = Ledger()
    zero = led.add(department=POLICE, clause="4.2.5", points=0)
    fine = led.add(department=POLICE, clause="4.2.5", points=0.25)
    missing = led.add(department=POLICE, clause="4.2.5")
    led.add(department=POLICE, clause="4.2.5", points=12.5)
    assert_problems(
        led,
        expect(zero, "points", "points must be more than 0, not 0"),
        expect(fine, "points", "points 0.25 are not in steps of 0.1"),
        expect(missing, "points", "clause 4.2.5 is discretionary: state the points (more than 0)"),
    )


# -- levels ---------------------------------------------------------------------------------


def test_a_levels_clause_without_a_level_lists_the_levels():
    led = Ledger()
    bad = led.add(department=POLICE, clause="4.2.2", matter="一件事")
    assert_problems(led, expect(bad, "level", "clause 4.2.2 needs a level: 市级 / 省级 / 国家级"))


def test_an_unknown_level_is_refused_listing_the_levels():
    led = Ledger()
    bad = led.add(department=POLICE, clause="4.4.3", level="省委")
    (problem,) = assert_problems(led, expect(bad, "level")).problems
    assert problem.message == (
        "unknown level '省委' for clause 4.4.3; allowed: 省委省政府 / 市委市政府 / 上级行业主管部门"
    )


def test_a_level_on_a_clause_without_levels_is_refused():
    led = Ledger()
    bad = led.add(department=POLICE, clause="2.4.3", level="省级")
    assert_problems(led, expect(bad, "level", "clause 2.4.3 has no levels"))


def test_an_exclusive_clause_needs_its_matter_and_one_count():
    led = Ledger()
    no_matter = led.add(department=POLICE, clause="4.2.2", level="省级")
    counted = led.add(department=POLICE, clause="4.2.2", level="省级", matter="m", count=2)
    assert_problems(
        led,
        expect(no_matter, "matter", "clause 4.2.2 counts each matter once: name it with matter"),
        expect(counted, "count", "clause 4.2.2 counts one matter per entry: count must be 1"),
    )


# -- rates ----------------------------------------------------------------------------------


def test_a_rate_without_a_value_asks_for_one():
    led = Ledger()
    bad = led.add(department=POLICE, clause="2.5.2")
    only_numerator = led.add(department=CIVIL, clause="2.5.2", numerator=5)
    message = "clause 2.5.2 is a rate: give value (a percentage) or numerator and denominator"
    assert_problems(led, expect(bad, "value", message), expect(only_numerator, "value", message))


@pytest.mark.parametrize("value", [101, -1, 100.5])
def test_a_rate_outside_0_to_100_is_refused(value: float):
    led = Ledger()
    bad = led.add(department=POLICE, clause="2.5.2", value=value)
    assert_problems(led, expect(bad, "value", f"rate {value} is not a percentage from 0 to 100"))


def test_rate_bounds_0_and_100_are_accepted():
    led = Ledger()
    led.add(department=POLICE, clause="2.5.2", value=0)
    led.add(department=POLICE, clause="2.5.3", value=100)
    assert len(assert_clean(led).entries) == 2


def test_a_denominator_of_0_exempts_only_with_a_numerator_of_0():
    led = Ledger()
    exempt = led.add(department=POLICE, clause="2.5.3", numerator=0, denominator=0)
    bad = led.add(department=CIVIL, clause="2.5.3", numerator=5, denominator=0)
    negative = led.add(department=EDUCATION, clause="2.5.3", numerator=-1, denominator=4)
    book = assert_problems(
        led,
        expect(
            bad,
            "denominator",
            "a denominator of 0 needs a numerator of 0 (零办件: no cases that month)",
        ),
        expect(negative, "denominator", "numerator and denominator cannot be negative"),
    )
    assert [e.id for e in book.entries] == [exempt]


def test_a_rate_given_both_ways_is_refused():
    led = Ledger()
    bad = led.add(department=POLICE, clause="2.5.2", value=90, numerator=9, denominator=10)
    # Half of the other way given beside a value is both ways too (the value would count
    # and the half be silently dropped).
    numerator = led.add(department=CIVIL, clause="2.5.2", value=90, numerator=9)
    denominator = led.add(department=EDUCATION, clause="2.5.2", value=90, denominator=10)
    message = "give the rate either as value or as numerator and denominator, not both"
    assert_problems(
        led,
        *(expect(entry, "value", message) for entry in (bad, numerator, denominator)),
    )


def test_a_rate_has_no_count_and_a_rate_value_belongs_to_rate_clauses():
    led = Ledger()
    counted = led.add(department=POLICE, clause="2.5.2", value=90, count=2)
    not_rate = led.add(department=POLICE, clause="2.4.3", value=90)
    assert_problems(
        led,
        expect(counted, "count", "clause 2.5.2 is a rate: one value a month, no count"),
        expect(not_rate, "value", "clause 2.4.3 is not a rate and takes no value"),
    )


def test_a_second_rate_for_the_same_clause_department_and_month_is_refused():
    led = Ledger()
    first = led.add(department=POLICE, clause="2.5.2", value=90)
    second = led.add(department="公安局", clause="2.5.2", numerator=1, denominator=2)
    led.add(department=CIVIL, clause="2.5.2", value=90)  # another department
    led.add(department=POLICE, clause="2.5.1", value=90)  # another clause
    led.add("2023-06", department=POLICE, clause="2.5.2", value=90)  # another month
    file, line = led.where[first]
    (problem,) = assert_problems(led, expect(second, "value")).problems
    assert problem.message == (
        f"a second 2.5.2 rate for 市公安局 in 2023-05 (the first is {first} at {file}:{line}); "
        "void one of them"
    )


def test_a_voided_rate_leaves_room_for_its_replacement():
    led = Ledger()
    first = led.add(department=POLICE, clause="2.5.2", value=90)
    led.add(void=first, reason="录错")
    second = led.add(department=POLICE, clause="2.5.2", value=95)
    book = assert_clean(led)
    assert [e.id for e in book.entries] == [second]


# -- recurring ------------------------------------------------------------------------------


def test_recurring_on_a_clause_that_cannot_recur_is_refused():
    led = Ledger()
    bad = led.add(department=POLICE, clause="2.4.3", recurring=True)
    led.add(department=POLICE, clause="3.1.3", recurring=True)
    led.add(department=POLICE, clause="2.3.3", recurring=True)
    message = (
        "clause 2.4.3 cannot recur; only clauses marked recurring in `govscore clauses` "
        "stand monthly"
    )
    assert_problems(led, expect(bad, "recurring", message))


# -- follow-ups -----------------------------------------------------------------------------


def test_a_follow_up_without_ref_names_the_clauses_it_follows():
    led = Ledger()
    bad = led.add(department=POLICE, clause="2.3.10", points=1)
    (problem,) = assert_problems(led, expect(bad, "ref")).problems
    assert (
        problem.message == f"clause 2.3.10 is a follow-up: give ref, the id of the {FOLLOWS} entry"
    )


def test_a_follow_up_ref_must_name_a_live_entry_of_the_same_department_and_clause():
    led = Ledger()
    late = led.add(department=POLICE, clause="2.4.3")
    theirs = led.add(department=CIVIL, clause="2.3.1")
    gone = led.add(department=POLICE, clause="2.3.1")
    led.add(void=gone, reason="申诉成立")
    mine = led.add(department=POLICE, clause="2.3.1")
    missing = led.add(department=POLICE, clause="2.3.10", points=1, ref="2023-05-9999")
    wrong_clause = led.add(department=POLICE, clause="2.3.10", points=1, ref=late)
    wrong_department = led.add(department=POLICE, clause="2.3.10", points=1, ref=theirs)
    voided = led.add(department=POLICE, clause="2.3.10", points=1, ref=gone)
    good = led.add(department="公安局", clause="2.3.10", points=1, ref=mine)
    book = assert_problems(
        led,
        expect(missing, "ref", "ref '2023-05-9999' names no entry in the ledger"),
        expect(
            wrong_clause, "ref", f"ref {late} is a 2.4.3 entry; clause 2.3.10 follows up {FOLLOWS}"
        ),
        expect(wrong_department, "ref", f"ref {theirs} is an entry of 市民政局, not of 市公安局"),
        expect(voided, "ref", f"ref {gone} names a voided entry"),
    )
    assert good in {e.id for e in book.entries}


def test_a_follow_up_of_a_later_month_or_a_void_is_refused():
    led = Ledger()
    complaint = led.add("2023-06", department=POLICE, clause="4.3.1")
    void = led.add("2023-06", void=complaint, reason="x")
    early = led.add("2023-05", department=POLICE, clause="4.3.2", ref="2023-06-0003")
    led.add("2023-06", id="2023-06-0003", department=POLICE, clause="4.3.1")
    of_void = led.add("2023-06", department=POLICE, clause="4.3.3", ref=void)
    assert_problems(
        led,
        expect(early, "ref", "ref 2023-06-0003 is of a later month (2023-06) than this follow-up"),
        expect(of_void, "ref", f"ref {void} names a void entry, not an incident"),
    )


def test_a_follow_up_of_an_entry_that_does_not_count_does_not_count_either():
    led = Ledger()
    follow = led.add(department=POLICE, clause="2.3.10", points=1, ref="2023-05-0002")
    base = led.add(department=POLICE, clause="2.3.1", date=date(2023, 6, 1))  # after May
    file, line = led.where[base]
    assert_problems(  # in ledger order: the follow-up stands first, and still sees it
        led,
        expect(
            follow,
            "ref",
            f"ref {base} names an entry that does not count for problems of its own "
            f"(at {file}:{line}); mend that entry first",
        ),
        expect(
            base,
            "date",
            "date 2023-06-01 is after the end of the entry's month 2023-05 (2023-05-31); "
            "record it in the month it happened",
        ),
    )


def test_a_ref_on_a_clause_that_is_not_a_follow_up_is_refused():
    led = Ledger()
    first = led.add(department=POLICE, clause="2.4.3")
    bad = led.add(department=POLICE, clause="2.4.3", ref=first)
    assert_problems(led, expect(bad, "ref", "clause 2.4.3 is not a follow-up and takes no ref"))


# -- dates ----------------------------------------------------------------------------------


def test_a_date_or_month_in_the_future_counts_whatever_today_is():
    """The ledger does not judge time: an entry written in it (a --force'd one, or by hand)
    counts whatever day a report is asked; the door stops the slips (test_door.py)."""
    led = Ledger()
    dated = led.add("2999-01", department=POLICE, clause="2.4.3", date=date(2999, 1, 2))
    filed = led.add("2999-02", department=POLICE, clause="2.4.3")
    book = assert_clean(led)
    assert {e.id for e in book.entries} == {dated, filed}


def test_a_date_after_the_end_of_the_entrys_month_is_refused():
    led = Ledger()
    bad = led.add(department=POLICE, clause="2.4.3", date=date(2023, 6, 1))
    led.add(department=POLICE, clause="2.4.3", date=date(2023, 5, 31))
    led.add(department=POLICE, clause="2.4.3", date=date(2023, 4, 30))  # found late: fine
    (problem,) = assert_problems(led, expect(bad, "date")).problems
    assert problem.message == (
        "date 2023-06-01 is after the end of the entry's month 2023-05 (2023-05-31); "
        "record it in the month it happened"
    )


def test_void_and_close_may_be_dated_after_their_month_whenever():
    led = Ledger()
    task = led.add(department=POLICE, clause="3.1.3", recurring=True)
    led.add(close=task, through="2023-07", date=date(2023, 8, 2))
    other = led.add(department=POLICE, clause="2.4.3")
    led.add(void=other, reason="x", date=date(2999, 2, 1))
    book = assert_clean(led)
    assert book.voided == {other} and book.through == {task: "2023-07"}


def test_fields_of_voids_and_closes_on_a_clause_entry_are_refused():
    led = Ledger()
    bad = led.add(department=POLICE, clause="2.4.3", reason="x")
    void = led.add(void=bad, reason="x", clause="2.4.3", through="2023-06")
    assert_problems(  # voids are judged first, then the entries they may void
        led,
        expect(void, "clause", "a void entry takes no clause"),
        expect(void, "through", "a void entry takes no through"),
        expect(bad, "reason", "reason belongs to a void or close entry, not to a clause entry"),
    )


# -- voids and closes -----------------------------------------------------------------------


def test_voids_of_unknown_voided_and_void_entries_are_refused():
    led = Ledger()
    target = led.add(department=POLICE, clause="2.4.3")
    first = led.add(void=target, reason="申诉成立")
    twice = led.add(void=target, reason="再次")
    unknown = led.add(void="2023-05-0404", reason="x")
    of_void = led.add(void=first, reason="恢复")
    file, line = led.where[first]
    book = assert_problems(
        led,
        expect(twice, "void", f"{target} is already voided (by {first} at {file}:{line})"),
        expect(unknown, "void", "void of unknown entry '2023-05-0404'"),
        expect(of_void, "void", f"{first} is itself a void; to restore an entry, record it again"),
    )
    assert book.entries == () and book.voided == {target}


def test_closes_of_unknown_plain_closed_and_voided_entries_are_refused():
    led = Ledger()
    task = led.add(department=POLICE, clause="3.1.3", recurring=True)
    plain = led.add(department=POLICE, clause="2.4.3")
    gone = led.add(department=CIVIL, clause="3.1.3", recurring=True)
    led.add(void=gone, reason="x")
    first = led.add(close=task, through="2023-06")
    twice = led.add(close=task, through="2023-08")
    not_recurring = led.add(close=plain, through="2023-06")
    unknown = led.add(close="2023-05-0404", through="2023-06")
    of_voided = led.add(close=gone, through="2023-06")
    file, line = led.where[first]
    book = assert_problems(
        led,
        expect(twice, "close", f"{task} is already closed (by {first} at {file}:{line})"),
        expect(not_recurring, "close", f"{plain} is not a recurring entry; only those are closed"),
        expect(unknown, "close", "close of unknown entry '2023-05-0404'"),
        expect(of_voided, "close", f"close of {gone}, which is voided"),
    )
    assert book.through == {task: "2023-06"}


def test_a_close_needs_a_through_month_not_before_the_entrys_month():
    led = Ledger()
    task = led.add("2023-05", department=POLICE, clause="3.1.3", recurring=True)
    other = led.add("2023-05", department=CIVIL, clause="3.1.3", recurring=True)
    early = led.add("2023-05", close=task, through="2023-04")
    missing = led.add("2023-05", close=other)
    assert_problems(
        led,
        expect(early, "through", f"through 2023-04 is before {task}'s month 2023-05"),
        expect(missing, "through", "a close entry needs through, the last month the entry stands"),
    )


def test_a_void_or_close_in_a_month_file_before_its_entry_voids_and_closes_nothing():
    """Written by hand into an earlier month file, a void or close would come before the
    entry it names: it is a problem of its line, and the entry counts as if it were not
    there; in the same or a later month file it is fine."""
    led = Ledger()
    early_void = led.add("2023-04", void="2023-05-0003", reason="申诉成立")
    early_close = led.add("2023-04", close="2023-05-0004", through="2023-05")
    target = led.add("2023-05", id="2023-05-0003", department=POLICE, clause="2.4.3")
    task = led.add("2023-05", id="2023-05-0004", department=POLICE, clause="3.1.3", recurring=True)
    of_close = led.add("2023-05", close=task, through="2023-06")
    early_void_of_close = led.add("2023-04", void=of_close, reason="录错")
    same = led.add("2023-05", department=CIVIL, clause="2.4.3")
    later = led.add("2023-05", department=CIVIL, clause="2.4.3")
    led.add("2023-05", void=same, reason="申诉成立")
    led.add("2023-07", void=later, reason="申诉成立")
    other = led.add("2023-05", department=CIVIL, clause="3.1.3", recurring=True)
    led.add("2023-07", close=other, through="2023-06")
    file, line = led.where[target]
    task_file, task_line = led.where[task]
    close_file, close_line = led.where[of_close]
    book = assert_problems(
        led,
        expect(
            early_void,
            "void",
            f"void of {target}, an entry of a later month (2023-05, at {file}:{line}): a void "
            "cannot come before the entry it names, and voids nothing; it is written in the "
            "month file of that entry or a later one",
        ),
        expect(
            early_void_of_close,
            "void",
            f"void of {of_close}, an entry of a later month (2023-05, at "
            f"{close_file}:{close_line}): a void cannot come before the entry it names, and "
            "voids nothing; it is written in the month file of that entry or a later one",
        ),
        expect(
            early_close,
            "close",
            f"close of {task}, an entry of a later month (2023-05, at {task_file}:{task_line}): "
            "a close cannot come before the entry it names, and closes nothing; it is written "
            "in the month file of that entry or a later one",
        ),
    )
    # A void or close in the month file of its entry, or a later one, has its effect.
    assert book.voided == {same, later}
    assert book.through == {task: "2023-06", other: "2023-06"}
    assert {e.id for e in book.entries} == {target, task, other}


def test_a_void_that_voids_nothing_is_retired_by_a_void_of_it():
    """A void filed in an earlier month file than its entry, naming no entry, or of an
    entry voided already does nothing and, once committed, stays in the ledger: a void
    of it retires it, its problem gone (review BO J7). A void of a void that does void
    an entry is still refused, and so is a void of a void of a void (no chain of voids
    restores anything, nor brings a retired one back). Two clerks may each retire the
    same void (review BP F5)."""
    led = Ledger()
    misfiled = led.add("2023-04", void="2023-05-0100", reason="申诉成立")
    target = led.add("2023-05", id="2023-05-0100", department=POLICE, clause="2.4.3")
    unknown = led.add("2023-05", void="2023-05-0404", reason="x")
    first = led.add("2023-05", void=target, reason="申诉成立")
    twice = led.add("2023-05", void=target, reason="再次")
    retirements = [led.add("2023-05", void=v, reason="误录") for v in (misfiled, unknown, twice)]
    led.add("2023-05", void=misfiled, reason="另一位科员也作废了")  # retired twice: no harm
    of_void = led.add("2023-05", void=first, reason="恢复")
    of_retirement = led.add("2023-05", void=retirements[0], reason="恢复")
    book = assert_problems(
        led,
        expect(of_void, "void", f"{first} is itself a void; to restore an entry, record it again"),
        expect(
            of_retirement,
            "void",
            f"{retirements[0]} is itself a void; to restore an entry, record it again",
        ),
    )
    # Each void does what it did: the entry stays voided (by its first void), counted nowhere.
    assert book.entries == () and book.voided == {target, misfiled, unknown, twice}
    # Not retired, each of them is a problem (as before).
    alone = Ledger()
    alone.add("2023-04", void="2023-05-0100", reason="申诉成立")
    alone.add("2023-05", id="2023-05-0100", department=POLICE, clause="2.4.3")
    alone_book = alone.book()
    assert [e.id for e in alone_book.entries] == ["2023-05-0100"]
    assert len(alone_book.problems) == 1


def test_a_close_recorded_before_its_entry_was_voided_is_not_a_problem():
    # Appeal upheld after the task was closed: the void ends the entry; the close is moot.
    led = Ledger()
    task = led.add(department=POLICE, clause="3.1.3", recurring=True)
    led.add(close=task, through="2023-06")
    led.add(void=task, reason="申诉成立")
    book = assert_clean(led)
    assert book.entries == () and book.voided == {task}


def test_a_voided_entry_is_not_checked_any_more():
    # An append-only ledger mends a wrong entry by voiding it; check must then be clean.
    led = Ledger()
    wrong = led.add(department="公按局", clause="2.4.33", count=0)
    led.add(void=wrong, reason="录错，已重录")
    fixed = led.add(department=POLICE, clause="2.4.3")
    book = assert_clean(led)
    assert [e.id for e in book.entries] == [fixed]


# -- ids ------------------------------------------------------------------------------------


def test_a_duplicate_id_is_refused_and_the_first_entry_stands():
    led = Ledger()
    led.add("2023-04", id="2023-05-0001", department=POLICE, clause="2.4.3")
    led.add("2023-05", id="2023-05-0001", department=CIVIL, clause="2.4.3")
    led.add("2023-05", id="2023-05-0002", department=EDUCATION, clause="2.4.3")  # read on
    book = led.book()
    assert book.problems == (
        Problem(
            "ledger/2023-05.toml",
            3,
            "duplicate id 2023-05-0001 (first at ledger/2023-04.toml:3)",
            "id",
            "2023-05-0001",
        ),
    )
    assert [(e.id, e.department) for e in book.entries] == [
        ("2023-05-0001", POLICE),
        ("2023-05-0002", EDUCATION),
    ]


def test_every_problem_of_one_entry_is_reported_at_once():
    led = Ledger()
    bad = led.add(
        department=POLICE,
        clause="2.3.11",
        points=1.55,
        recurring=True,
        date=date(2023, 6, 3),
    )
    book = led.book()
    assert [(p.entry, p.field) for p in book.problems] == [
        (bad, "points"),
        (bad, "recurring"),
        (bad, "department"),
        (bad, "date"),
    ]


def test_entries_that_differ_in_one_figure_are_each_judged_on_their_own():
    """The review judges each combination of clause and figures once and reuses the verdict
    (a ledger repeats them thousands of times): a figure left out of that key would hand
    a wrong entry the verdict of a right one."""
    led = Ledger()
    led.add(department=POLICE, clause="2.5.2", value=90)
    value = led.add(department=CIVIL, clause="2.5.2", value=101)
    led.add(department=POLICE, clause="2.5.3", numerator=1, denominator=2)
    numerator = led.add(department=CIVIL, clause="2.5.3", numerator=1.5, denominator=2)
    denominator = led.add(department=EDUCATION, clause="2.5.3", numerator=1, denominator=2.5)
    led.add(department=POLICE, clause="2.4.1", points=3)  # a range of 2 to 5
    points = led.add(department=POLICE, clause="2.4.1", points=6)
    cases = "numerator and denominator count cases: whole numbers up to 1000000000, not {}"
    assert_problems(
        led,
        expect(value, "value", "rate 101 is not a percentage from 0 to 100"),
        expect(numerator, "denominator", cases.format("1.5 and 2")),
        expect(denominator, "denominator", cases.format("1 and 2.5")),
        expect(points, "points", "points 6 outside 2–5 for clause 2.4.1"),
    )


def test_entries_that_differ_in_one_other_field_are_each_judged_on_their_own():
    """The same for every other field the verdict depends on: the first of each pair is
    right, the second differs from it in one field and is wrong."""
    led = Ledger()
    led.add(department=POLICE, clause="4.2.2", level="省级", matter="a")
    matter = led.add(department=POLICE, clause="4.2.2", level="省级")
    level = led.add(department=POLICE, clause="4.2.2", level="省", matter="b")
    led.add(department=POLICE, clause="2.4.3", count=2)
    count = led.add(department=POLICE, clause="2.4.3", count=0)
    recurring = led.add(department=POLICE, clause="2.4.3", count=2, recurring=True)
    reason = led.add(department=POLICE, clause="2.4.3", count=2, reason="typo")
    through = led.add(department=POLICE, clause="2.4.3", count=2, through="2023-06")
    incident = led.add(department=POLICE, clause="2.3.1")
    led.add(department=POLICE, clause="2.3.10", points=1, ref=incident)
    ref = led.add(department=POLICE, clause="2.3.10", points=1)
    stray = "{} belongs to a void or close entry, not to a clause entry"
    assert_problems(
        led,
        expect(matter, "matter", "clause 4.2.2 counts each matter once: name it with matter"),
        expect(
            level, "level", "unknown level '省' for clause 4.2.2; allowed: 市级 / 省级 / 国家级"
        ),
        expect(count, "count", "count must be 1 or more, not 0"),
        expect(
            recurring,
            "recurring",
            "clause 2.4.3 cannot recur; only clauses marked recurring in `govscore clauses` "
            "stand monthly",
        ),
        expect(reason, "reason", stray.format("reason")),
        expect(through, "through", stray.format("through")),
        expect(
            ref, "ref", f"clause 2.3.10 is a follow-up: give ref, the id of the {FOLLOWS} entry"
        ),
    )


def test_the_same_figures_in_months_under_other_rules_are_judged_by_each_months_rules(
    tmp_path: Path,
):
    """An amendment from September widens 2.4.1's range to 8 points: 6 points are refused in
    August and allowed in September (the verdict kept for a combination of figures is
    kept per version of the rules)."""
    from conftest import DATA, departments
    from govscore.ledger.loader import load_rules
    from govscore.ledger.text import parse_toml_ledger
    from govscore.rules.validate import review

    (tmp_path / "weights.toml").write_bytes((DATA / "weights.toml").read_bytes())
    (tmp_path / "amendments").mkdir()
    (tmp_path / "amendments" / "2023-09-01.toml").write_text(
        '[notice]\nnumber = "烟政管办〔2023〕9号"\n\n[[clause]]\nid = "2.4.1"\nmax = 8\n',
        encoding="utf-8",
    )
    rules, _weights = load_rules(tmp_path)
    led = Ledger()
    august = led.add("2023-08", department=POLICE, clause="2.4.1", points=6)
    september = led.add("2023-09", department=POLICE, clause="2.4.1", points=6)
    entries = [
        entry
        for month in ("2023-08", "2023-09")
        for entry in parse_toml_ledger(led.texts[month], f"ledger/{month}.toml", month).entries
    ]
    book = review(entries, rules, departments())
    assert messages(book) == [(august, "points 6 outside 2–5 for clause 2.4.1")]
    assert [e.id for e in book.entries] == [september]


def test_an_entry_judged_alone_has_the_problems_the_review_finds():
    """score_entry_problems (the cache judges a follow-up's target with it, one entry at a
    time) finds what the review finds, whole, in order and located: mutation testing found
    a clause judged without its department's tags there, and a problem without its entry."""
    from conftest import catalog, departments
    from govscore.ledger.text import parse_toml_ledger
    from govscore.rules.validate import review, score_entry_problems

    led = Ledger()
    led.add(department=EDUCATION, clause="2.3.1")  # one_window only; education is in the hall
    led.add(department="公按局", clause="2.4.3")
    led.add(department=POLICE, clause="2.3.11", points=1.55, recurring=True, date=date(2023, 6, 3))
    led.add(department=POLICE, clause="2.4.3")  # nothing wrong
    led.add(department=POLICE, clause="2.4.33")  # no such clause: nothing to tag
    led.add(department="公按局", clause="2.3.1")  # a tagged clause, no such department
    entries = parse_toml_ledger(led.texts["2023-05"], "ledger/2023-05.toml", "2023-05").entries
    alone = [p for e in entries for p in score_entry_problems(e, catalog(), departments())]
    assert alone == list(review(entries, catalog(), departments()).problems)
    assert [(p.entry, p.field) for p in alone] == [
        ("2023-05-0001", "department"),
        ("2023-05-0002", "department"),
        *[("2023-05-0003", name) for name in ("points", "recurring", "department", "date")],
        ("2023-05-0005", "clause"),
        ("2023-05-0006", "department"),
    ]
    assert [(p.file, p.line) for p in alone[:2]] == [
        led.where["2023-05-0001"],
        led.where["2023-05-0002"],
    ]


# -- messages whole, figures as a clerk reads them (mutation testing found the words
#    above checked only in part: a message that gained or lost words still passed) -----


def messages(book: Book) -> list[tuple[str, str]]:
    return [(p.entry, p.message) for p in book.problems]


def test_figures_past_twenty_digits_are_shown_short_and_the_rest_whole():
    from conftest import catalog, departments
    from govscore.ledger.text import parse_toml_ledger
    from govscore.rules.validate import review

    led = Ledger()
    twenty = led.add(department=POLICE, clause="2.4.3", count=10**19)  # 20 digits
    past = led.add(department=POLICE, clause="2.4.3", count=10**20)  # 21 digits
    assert messages(led.book()) == [
        (twenty, "count 10000000000000000000 is more than 10000, the most one entry may state"),
        (past, "count 1E+20 is more than 10000, the most one entry may state"),
    ]
    # Points are decimals: shown as the ledger holds them (tomli-w writes a float, .0),
    # however long; only whole counts are cut short.
    led = Ledger()
    huge = led.add(department=POLICE, clause="4.2.5", points=Decimal("123456789012345678901234"))
    parsed = parse_toml_ledger(led.texts["2023-05"], "ledger/2023-05.toml", "2023-05")
    book = review(parsed.entries, catalog().with_ceiling(Decimal(10)), departments())
    assert messages(book) == [
        (
            huge,
            "points 123456789012345678901234.0 are above the ceiling of 10 for discretionary "
            "clause 4.2.5 ([limits] discretionary in weights.toml)",
        )
    ]


def test_a_rate_may_count_up_to_a_billion_cases_and_no_more():
    led = Ledger()
    led.add(department=POLICE, clause="2.5.3", numerator=10**9, denominator=10**9)
    over = led.add(department=CIVIL, clause="2.5.3", numerator=10**9 + 1, denominator=10**9 + 1)
    assert_problems(
        led,
        expect(
            over,
            "denominator",
            "numerator and denominator count cases: whole numbers up to 1000000000, "
            "not 1000000001 and 1000000001",
        ),
    )


def test_close_and_follow_up_messages_are_whole():
    led = Ledger()
    task = led.add("2023-05", department=POLICE, clause="3.1.3", recurring=True)
    led.add("2023-05", close=task, through="2023-05")  # through its own month: allowed
    other = led.add("2023-05", department=CIVIL, clause="3.1.3", recurring=True)
    no_through = led.add("2023-05", close=other)
    unknown = led.add("2023-05", close="2023-05-0404", through="2023-06")
    complaint = led.add("2023-06", department=POLICE, clause="4.3.1")
    closing = led.add("2023-06", close=task, through="2023-06")
    of_close = led.add("2023-06", department=POLICE, clause="4.3.2", ref=closing)
    early = led.add("2023-05", department=POLICE, clause="4.3.2", ref=complaint)
    stranger = led.add("2023-06", department="市不存在局", clause="4.3.1")
    of_stranger = led.add("2023-06", department=POLICE, clause="4.3.2", ref=stranger)
    book = led.book()
    assert sorted(messages(book)) == sorted(
        [
            (no_through, "a close entry needs through, the last month the entry stands"),
            (unknown, "close of unknown entry '2023-05-0404'"),
            (closing, f"{task} is already closed (by 2023-05-0002 at ledger/2023-05.toml:9)"),
            (of_close, f"ref {closing} names a close entry, not an incident"),
            (early, f"ref {complaint} is of a later month (2023-06) than this follow-up"),
            (
                stranger,
                "unknown department '市不存在局' (run `govscore departments` for the list)",
            ),
            # An entry of a department that is not in departments.toml is not this one's.
            (of_stranger, f"ref {stranger} is an entry of 市不存在局, not of 市公安局"),
        ]
    )
    assert book.through == {task: "2023-05"}


def test_a_gap_in_a_sequence_is_named_whole():
    from govscore.rules.validate import sequence_gaps

    tail = (
        "an entry was removed from the ledger or from its git history "
        "(`govscore audit --since TAG` compares the ledger with a published tag)"
    )
    one = sequence_gaps([("ledger/2023-05.toml", ["2023-05-0001", "2023-05-0003"])])
    assert [(p.file, p.line, p.field, p.message) for p in one] == [
        (
            "ledger/2023-05.toml",
            0,
            "id",
            "id 2023-05-0002 is missing: govscore numbers the ids of 2023-05 in sequence, "
            f"and 2023-05-0003 follows 2023-05-0001; {tail}",
        )
    ]
    [two] = sequence_gaps([("ledger/2023-05.toml", ["2023-05-0001", "2023-05-0004"])])
    assert two.message == (
        "ids 2023-05-0002 … 2023-05-0003 (2 ids) are missing: govscore numbers the ids of "
        f"2023-05 in sequence, and 2023-05-0004 follows 2023-05-0001; {tail}"
    )
    [first] = sequence_gaps([("ledger/2023-05.toml", ["2023-05-0002-ab"])])
    assert first.message == (
        "id 2023-05-0001-ab is missing: govscore numbers the ids of 2023-05-ab in sequence, "
        f"and the first id is 2023-05-0002-ab; {tail}"
    )


def test_a_file_without_numbered_ids_or_with_an_id_holding_a_newline_has_no_gap():
    from govscore.rules.validate import sequence_gaps

    # A month file with no entry (comments only, or nothing that parses) has no sequence.
    assert sequence_gaps([("ledger/2023-05.toml", [])]) == []
    # An id is one line: one that holds a newline is hand-made, not two numbered ids
    # (0001 and 0003, which would leave 0002 missing).
    odd = ["2023-05-0001\n2023-05-0003", "x"]
    assert sequence_gaps([("ledger/2023-05.toml", odd)]) == []
    odder = ["2023-05-0001\n2023-05-0003\nzz", "yy"]
    assert sequence_gaps([("ledger/2023-05.toml", odder)]) == []


def test_gaps_around_id_zero_hand_written_numbers_and_unreadable_months():
    from govscore.rules.validate import sequence_gaps

    def gaps(*files: tuple[str, list[str]], unreadable: tuple[str, ...] = ()) -> list[str]:
        found = sequence_gaps(files, unreadable)
        return [p.message.split(": govscore numbers")[0] for p in found]

    # An id numbered 0 is no gap of its own, and does not hide one: 1 … n all there is
    # the only case passed over without looking.
    assert gaps(("ledger/2023-05.toml", ["2023-05-0000", "2023-05-0001"])) == []
    assert gaps(("ledger/2023-05.toml", ["2023-05-0000", "2023-05-0002"])) == [
        "id 2023-05-0001 is missing"
    ]
    assert gaps(("ledger/2023-05.toml", ["2023-05-0000", "2023-05-0001", "2023-05-0003"])) == [
        "id 2023-05-0002 is missing"
    ]
    assert gaps(("ledger/2023-05.toml", ["2023-05-0000", "2023-05-0003"])) == [
        "ids 2023-05-0001 … 2023-05-0002 (2 ids) are missing"
    ]
    # Numbers a person wrote in the month's CSV (1, 2 and 4) fill the sequence of the
    # TOML file's 1 and 4: between 1 and 4 only 2 is theirs, so 3 alone is missing.
    assert gaps(
        ("ledger/2023-05.toml", ["2023-05-0001", "2023-05-0004"]),
        ("ledger/2023-05.csv", ["2023-05-0001", "2023-05-0002", "2023-05-0004"]),
    ) == ["id 2023-05-0003 is missing"]
    # A sequence with no gap is passed over, and the sequences after it are still looked at.
    assert gaps(("ledger/2023-05.toml", ["2023-05-0001", "2023-05-0003-zz"])) == [
        "ids 2023-05-0001-zz … 2023-05-0002-zz (2 ids) are missing"
    ]
    # A month that cannot be read whole is left aside; the file's other months are not.
    assert gaps(
        ("ledger/2023-06.toml", ["2023-05-0002", "2023-06-0002"]), unreadable=("2023-05",)
    ) == ["id 2023-06-0001 is missing"]


# == the same rules through `govscore add`, `void` and `close` ================================

SEEDS = [
    ("-d", "市公安局", "-c", "2.4.3"),  # 0001
    ("-d", "市民政局", "-c", "2.3.1"),  # 0002
    ("-d", "市公安局", "-c", "2.3.3", "--recurring"),  # 0003
    ("-d", "市公安局", "-c", "2.5.2", "--value", "90"),  # 0004
    ("-d", "市公安局", "-c", "2.3.1"),  # 0005, voided by 0006
]
REJECTED = "error: rejected: 1 problem; the entry not written, the ledger is unchanged\n"


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "ledger").iterdir())}


def line_of(root: Path, entry_id: str, month: str = "2023-05") -> int:
    """The line of an entry's [[entry]] header: the line before its id."""
    lines = (root / "ledger" / f"{month}.toml").read_text(encoding="utf-8").splitlines()
    return lines.index(f'id = "{entry_id}"')  # 0-based index of id = 1-based line of header


@pytest.fixture
def seeded(root: Path, gs) -> Path:
    for args in SEEDS:
        result = gs("add", *args, "--month", "2023-05")
        assert result.exit_code == 0, result.output
    result = gs("void", "2023-05-0005", "--reason", "申诉成立")
    assert result.stdout == "2023-05-0006\n", result.output
    return root


def refused(gs, root: Path, *args: str) -> str:
    """Run a command that must be rejected; return its stderr."""
    before = snapshot(root)
    result = gs(*args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert snapshot(root) == before
    return result.stderr


ADD_REJECTIONS = {
    "unknown-department": (
        ["-d", "公按局", "-c", "2.4.3"],
        "unknown department '公按局'; did you mean 市公安局? (run `govscore departments` for the list)",
    ),
    "unknown-clause": (
        ["-d", "公安局", "-c", "2.4.33"],
        "unknown clause '2.4.33'; did you mean 2.4.3 or 2.4.13 or 4.4.3? "
        "(run `govscore clauses` for the list)",
    ),
    "count-0": (["-d", "公安局", "-c", "2.4.3", "-n", "0"], "count must be 1 or more, not 0"),
    "points-on-fixed": (
        ["-d", "公安局", "-c", "2.4.3", "--points", "2"],
        "clause 2.4.3 takes no points: it is fixed at 1 per 件次",
    ),
    "points-outside-range": (
        ["-d", "教育局", "-c", "2.3.11", "--points", "2.5"],
        "points 2.5 outside 1–2 for clause 2.3.11",
    ),
    "range-without-points": (
        ["-d", "公安局", "-c", "2.4.1"],
        "clause 2.4.1 needs points between 2 and 5 (--points)",
    ),
    "points-step": (
        ["-d", "教育局", "-c", "2.3.11", "--points", "1.55"],
        "points 1.55 are not in steps of 0.1",
    ),
    "level-missing": (
        ["-d", "公安局", "-c", "4.2.2", "--matter", "一件事"],
        "clause 4.2.2 needs a level: 市级 / 省级 / 国家级 (--level)",
    ),
    "level-unknown": (
        ["-d", "公安局", "-c", "4.2.2", "--matter", "一件事", "--level", "省"],
        "unknown level '省' for clause 4.2.2; allowed: 市级 / 省级 / 国家级",
    ),
    "matter-missing": (
        ["-d", "公安局", "-c", "4.2.2", "--level", "省级"],
        "clause 4.2.2 counts each matter once: name it with matter (--matter)",
    ),
    "rate-without-value": (
        ["-d", "公安局", "-c", "2.5.1"],
        "clause 2.5.1 is a rate: give value (a percentage) or numerator and denominator "
        "(--value or --numerator and --denominator)",
    ),
    # A numerator alone (or a denominator alone) gives no rate: the same hint.
    "rate-numerator-alone": (
        ["-d", "公安局", "-c", "2.5.2", "--numerator", "3"],
        "clause 2.5.2 is a rate: give value (a percentage) or numerator and denominator "
        "(--value or --numerator and --denominator)",
    ),
    "rate-denominator-alone": (
        ["-d", "公安局", "-c", "2.5.2", "--denominator", "3"],
        "clause 2.5.2 is a rate: give value (a percentage) or numerator and denominator "
        "(--value or --numerator and --denominator)",
    ),
    "rate-101": (
        ["-d", "公安局", "-c", "2.5.1", "--value", "101"],
        "rate 101 is not a percentage from 0 to 100",
    ),
    "denominator-0-numerator-5": (
        ["-d", "公安局", "-c", "2.5.3", "--numerator", "5", "--denominator", "0"],
        "a denominator of 0 needs a numerator of 0 (零办件: no cases that month)",
    ),
    "applies-to": (
        ["-d", "教育局", "-c", "2.3.1"],
        "clause 2.3.1 applies only to departments tagged 一窗受理专区; 市教育局 is not "
        "(if it should be: `govscore departments tag 市教育局 一窗受理专区`)",
    ),
    "recurring-not-allowed": (
        ["-d", "公安局", "-c", "2.4.3", "--recurring"],
        "clause 2.4.3 cannot recur; only clauses marked recurring in `govscore clauses` "
        "stand monthly",
    ),
    "follow-up-without-ref": (
        ["-d", "公安局", "-c", "2.3.10", "--points", "1"],
        f"clause 2.3.10 is a follow-up: give ref, the id of the {FOLLOWS} entry (--ref)",
    ),
    "ref-to-another-clause": (
        ["-d", "公安局", "-c", "2.3.10", "--points", "1", "--ref", "2023-05-0001"],
        f"ref 2023-05-0001 is a 2.4.3 entry; clause 2.3.10 follows up {FOLLOWS}",
    ),
    "ref-to-another-department": (
        ["-d", "公安局", "-c", "2.3.10", "--points", "1", "--ref", "2023-05-0002"],
        "ref 2023-05-0002 is an entry of 市民政局, not of 市公安局",
    ),
    "ref-to-a-voided-entry": (
        ["-d", "公安局", "-c", "2.3.10", "--points", "1", "--ref", "2023-05-0005"],
        "ref 2023-05-0005 names a voided entry",
    ),
    "ref-to-nothing": (
        ["-d", "公安局", "-c", "2.3.10", "--points", "1", "--ref", "2023-05-0999"],
        "ref '2023-05-0999' names no entry in the ledger",
    ),
    "date-after-its-month": (
        ["-d", "公安局", "-c", "2.4.3", "--date", "2023-06-02"],
        "date 2023-06-02 is after the end of the entry's month 2023-05 (2023-05-31); "
        "record it in the month it happened",
    ),
}


@pytest.mark.parametrize(("args", "message"), ADD_REJECTIONS.values(), ids=ADD_REJECTIONS)
def test_add_rejects_and_writes_nothing(seeded: Path, gs, args: list[str], message: str):
    stderr = refused(gs, seeded, "add", *args, "--month", "2023-05")
    assert stderr == f"govscore: {message}\n{REJECTED}"


def test_add_rejects_a_second_rate_naming_the_first(seeded: Path, gs):
    stderr = refused(
        gs, seeded, "add", "-d", "公安局", "-c", "2.5.2", "--value", "95", "--month", "2023-05"
    )
    assert stderr == (
        "govscore: a second 2.5.2 rate for 市公安局 in 2023-05 (the first is 2023-05-0004 at "
        f"ledger/2023-05.toml:{line_of(seeded, '2023-05-0004')}); void one of them\n" + REJECTED
    )


def test_add_refuses_huge_discretionary_points_without_a_traceback(seeded: Path, gs):
    stderr = refused(
        gs, seeded, "add", "-d", "公安局", "-c", "4.2.5", "--points", "1e30", "--month", "2023-05"
    )
    assert stderr == (
        "govscore: points 1E+30 are above the ceiling of 10 for discretionary clause 4.2.5 "
        "([limits] discretionary in weights.toml)\n" + REJECTED
    )


def test_add_lists_every_problem_of_the_entry(seeded: Path, gs):
    stderr = refused(
        gs, seeded, "add", "-d", "公安局", "-c", "2.3.11", "--points", "1.55", "--month", "2023-05"
    )
    assert stderr == (
        "govscore: points 1.55 are not in steps of 0.1\n"
        "govscore: clause 2.3.11 applies only to departments tagged 政务服务中心大厅; 市公安局 is not "
        "(if it should be: `govscore departments tag 市公安局 政务服务中心大厅`)\n"
        "error: rejected: 2 problems; the entry not written, the ledger is unchanged\n"
    )


def test_add_into_a_new_month_that_is_rejected_creates_no_file(root: Path, gs):
    stderr = refused(gs, root, "add", "-d", "公按局", "-c", "2.4.3", "--month", "2023-05")
    assert "did you mean 市公安局?" in stderr
    assert snapshot(root) == {".gitkeep": b""}


@pytest.mark.parametrize(
    ("written", "stored"),
    [("公安局", "市公安局"), ("市发改委", "市发展和改革委员会"), ("发改委", "市发展和改革委员会")],
)
def test_add_accepts_aliases_and_stores_the_full_name(root: Path, gs, written: str, stored: str):
    result = gs("add", "-d", written, "-c", "2.4.3", "--month", "2023-05")
    assert (result.exit_code, result.stdout) == (0, "2023-05-0001\n"), result.output
    text = (root / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    assert f'\ndepartment = "{stored}"\n' in text
    assert written == stored or f'"{written}"' not in text


def test_add_accepts_a_rate_with_no_cases_as_exempt(seeded: Path, gs):
    result = gs(
        "add",
        "-d",
        "公安局",
        "-c",
        "2.5.3",
        "--numerator",
        "0",
        "--denominator",
        "0",
        "--month",
        "2023-05",
    )
    assert (result.exit_code, result.stdout) == (0, "2023-05-0007\n"), result.output
    checked = gs("check", "--format", "json")
    assert checked.exit_code == 0, checked.output


def test_void_and_close_print_the_new_id(seeded: Path, gs):
    voided = gs("void", "2023-05-0001", "--reason", "申诉成立")
    assert (voided.exit_code, voided.stdout) == (0, "2023-05-0007\n"), voided.output
    closed = gs("close", "2023-05-0003", "--through", "2023-06")
    assert (closed.exit_code, closed.stdout) == (0, "2023-05-0008\n"), closed.output
    text = (seeded / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    assert '\nvoid = "2023-05-0001"\nreason = "申诉成立"\n' in text
    assert '\nclose = "2023-05-0003"\nthrough = "2023-06"\n' in text
    assert 'department = ""' not in text and 'clause = ""' not in text


def test_void_of_an_unknown_entry_is_refused(seeded: Path, gs):
    stderr = refused(gs, seeded, "void", "2023-05-0404", "--reason", "x")
    assert stderr == (
        "govscore: void of unknown entry '2023-05-0404': no entry in the ledger has that id\n"
        + REJECTED
    )


def test_void_twice_is_refused_naming_the_first_void(seeded: Path, gs):
    stderr = refused(gs, seeded, "void", "2023-05-0005", "--reason", "again")
    line = line_of(seeded, "2023-05-0006")
    assert stderr == (
        f"govscore: 2023-05-0005 is already voided (by 2023-05-0006 at ledger/2023-05.toml:{line})\n"
        + REJECTED
    )


def test_close_of_an_unknown_or_plain_entry_is_refused(seeded: Path, gs):
    stderr = refused(gs, seeded, "close", "2023-05-0404", "--through", "2023-06")
    assert stderr == (
        "govscore: close of unknown entry '2023-05-0404': no entry in the ledger has that id\n"
        + REJECTED
    )
    stderr = refused(gs, seeded, "close", "2023-05-0001", "--through", "2023-06")
    assert stderr == (
        "govscore: 2023-05-0001 is not a recurring entry; only those are closed\n" + REJECTED
    )


def test_close_twice_or_through_before_its_month_is_refused(seeded: Path, gs):
    stderr = refused(gs, seeded, "close", "2023-05-0003", "--through", "2023-04")
    assert stderr == (
        "govscore: through 2023-04 is before 2023-05-0003's month 2023-05\n" + REJECTED
    )
    assert gs("close", "2023-05-0003", "--through", "2023-06").stdout == "2023-05-0007\n"
    stderr = refused(gs, seeded, "close", "2023-05-0003", "--through", "2023-07")
    line = line_of(seeded, "2023-05-0007")
    assert stderr == (
        f"govscore: 2023-05-0003 is already closed (by 2023-05-0007 at ledger/2023-05.toml:{line})\n"
        + REJECTED
    )


def test_a_void_that_would_leave_a_follow_up_dangling_is_refused(seeded: Path, gs):
    follow = gs(
        "add",
        "-d",
        "公安局",
        "-c",
        "2.3.10",
        "--points",
        "1",
        "--ref",
        "2023-05-0003",
        "--month",
        "2023-05",
    )
    assert follow.stdout == "2023-05-0007\n", follow.output
    stderr = refused(gs, seeded, "void", "2023-05-0003", "--reason", "申诉成立")
    line = line_of(seeded, "2023-05-0007")
    assert stderr == (
        f"ledger/2023-05.toml:{line}: ref 2023-05-0003 names a voided entry — voiding "
        "2023-05-0003 would cause this problem in 2023-05-0007; void 2023-05-0007 first if it "
        f"no longer stands\n{REJECTED}"
    )
    # The same in Chinese: the entry that would be hurt named after what hurts it.
    chinese = CliRunner(env={"GOVSCORE_LANG": "zh"}).invoke(
        cli, ["--root", str(seeded), "void", "2023-05-0003", "--reason", "申诉成立"]
    )
    assert chinese.exit_code == 1
    assert (
        "——若作废 2023-05-0003，2023-05-0007 将出现这一问题；如 2023-05-0007 已不成立，"
        "请先将其作废\n" in chinese.stderr
    )
    # Voiding the follow-up first, as the message says, lets the void through.
    assert gs("void", "2023-05-0007", "--reason", "申诉成立").exit_code == 0
    assert gs("void", "2023-05-0003", "--reason", "申诉成立").exit_code == 0
    assert gs("check").exit_code == 0


def test_voiding_a_closed_recurring_entry_is_accepted(seeded: Path, gs):
    assert gs("close", "2023-05-0003", "--through", "2023-06").exit_code == 0
    voided = gs("void", "2023-05-0003", "--reason", "申诉成立")
    assert voided.exit_code == 0, voided.output
    assert gs("check").exit_code == 0


def test_a_new_id_never_reuses_the_id_of_an_entry_that_does_not_parse(seeded: Path, gs):
    path = seeded / "ledger" / "2023-05.toml"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(
            '\n[[entry]]\nid = "2023-05-0007"\ndepartment = "市公安局"\n'
            'clause = "2.4.3"\ncount = "abc"\n'
        )
    result = gs("add", "-d", "公安局", "-c", "2.4.3", "--month", "2023-05")
    assert (result.exit_code, result.stdout) == (0, "2023-05-0008\n"), result.output


def test_a_void_or_close_written_before_its_entry_holds_off_neither_add_nor_void(seeded: Path, gs):
    """April's hand-written void and close name May's entries: one recorded already, and
    one `add` records next, which they neither void nor close; `void` and `close` of
    those entries, written in May, do."""
    (seeded / "ledger" / "2023-04.toml").write_text(
        toml(
            {"id": "2023-04-0001", "void": "2023-05-0007", "reason": "申诉成立"},
            {"id": "2023-04-0002", "close": "2023-05-0003", "through": "2023-05"},
        ),
        encoding="utf-8",
    )
    added = gs("add", "-d", "公安局", "-c", "2.4.3", "--month", "2023-05")
    assert (added.exit_code, added.stdout) == (0, "2023-05-0007\n"), added.output
    problems = (
        "ledger/2023-04.toml:2: void of 2023-05-0007, an entry of a later month (2023-05, at "
        f"ledger/2023-05.toml:{line_of(seeded, '2023-05-0007')}): a void cannot come before "
        "the entry it names, and voids nothing; it is written in the month file of that "
        "entry or a later one\n"
        "ledger/2023-04.toml:7: close of 2023-05-0003, an entry of a later month (2023-05, at "
        f"ledger/2023-05.toml:{line_of(seeded, '2023-05-0003')}): a close cannot come before "
        "the entry it names, and closes nothing; it is written in the month file of that "
        "entry or a later one\n"
    )
    check = gs("check")
    assert (check.exit_code, check.stdout) == (1, problems)
    assert gs("void", "2023-05-0007", "--reason", "申诉成立").stdout == "2023-05-0008\n"
    assert gs("close", "2023-05-0003", "--through", "2023-06").stdout == "2023-05-0009\n"
    assert gs("check").stdout == problems


def test_add_refuses_a_month_whose_file_does_not_parse(seeded: Path, gs):
    path = seeded / "ledger" / "2023-05.toml"
    with path.open("a", encoding="utf-8") as handle:
        handle.write('\n[[entry]]\nid = "2023-05-0007"\nnote = "unterminated\n')
    line = path.read_text(encoding="utf-8").count("\n")
    stderr = refused(gs, seeded, "add", "-d", "公安局", "-c", "2.4.3", "--month", "2023-05")
    assert stderr.startswith(f"ledger/2023-05.toml:{line}: not valid TOML: ")
    assert (
        "govscore will not append to the 2023-05 ledger until ledger/2023-05.toml is repaired"
        in stderr
    )
    other = gs("add", "-d", "公安局", "-c", "2.4.3", "--month", "2023-06")
    assert (other.exit_code, other.stdout) == (0, "2023-06-0001\n"), other.output


def test_add_refuses_a_month_whose_csv_file_is_broken(seeded: Path, gs):
    # Rows after an unclosed quote are not read: their ids are unknown, so none is given.
    (seeded / "ledger" / "2023-06.csv").write_text(
        'id,department,clause,note\n2023-06-0001,市公安局,2.4.3,"未闭合\n', encoding="utf-8"
    )
    stderr = refused(gs, seeded, "add", "-d", "公安局", "-c", "2.4.3", "--month", "2023-06")
    assert stderr == (
        "ledger/2023-06.csv:2: not valid CSV: a quote opened in this row is never closed: the "
        "file ends inside it; the rows from here on are not read — govscore will "
        "not append to the 2023-06 ledger until ledger/2023-06.csv is repaired (fix or remove "
        f"the broken lines; `git diff` shows what changed)\n{REJECTED}"
    )


def test_a_new_entry_is_judged_where_it_will_stand_before_the_months_csv(seeded: Path, gs):
    # The void goes to the end of 2023-05.toml, which comes before 2023-05.csv: there the
    # close would follow the void of the entry it closes, so check would fail afterwards.
    (seeded / "ledger" / "2023-05.csv").write_text(
        "id,close,through\n2023-05-0100,2023-05-0003,2023-06\n", encoding="utf-8"
    )
    assert gs("check").exit_code == 0
    stderr = refused(gs, seeded, "void", "2023-05-0003", "--reason", "申诉成立")
    assert stderr == (
        "ledger/2023-05.csv:2: close of 2023-05-0003, which is voided — voiding 2023-05-0003 "
        "would cause this problem in 2023-05-0100; void 2023-05-0100 first if it no longer "
        f"stands\n{REJECTED}"
    )
    assert gs("void", "2023-05-0100", "--reason", "随原条目作废").exit_code == 0
    assert gs("void", "2023-05-0003", "--reason", "申诉成立").exit_code == 0
    assert gs("check").exit_code == 0
