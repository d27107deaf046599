"""Scores for every kind of clause, each worked out by hand from the measures.

Weights 0.25 · 0.40 · 0.20 · 0.15, base 100, floor 0. A department with no entries
scores 100 in every category and 100 in total. In the working, "total" is
0.25×C1 + 0.40×C2 + 0.20×C3 + 0.15×C4.
"""

from __future__ import annotations

import json
from decimal import Decimal

from conftest import DATA, scorer_from
from ledgertext import entry, toml

D = Decimal
POLICE = "市公安局"  # tagged one_window in the tests
EDUCATION = "市教育局"  # tagged hall


def month_score(months: dict[str, str], department: str, month: str):
    return scorer_from(months).department_month(department, month)


def cats(score) -> list[Decimal]:
    return [score.categories[c] for c in "1234"]


def test_no_entries_scores_base_everywhere():
    score = month_score({}, POLICE, "2023-05")
    assert cats(score) == [100, 100, 100, 100]
    assert score.total == 100


def test_fixed_clause_per_occurrence():
    # 2.4.3: 1 point per 件次, 3 件次 → C2 = 100 − 3 = 97.
    # total = 25 + 0.40×97 + 20 + 15 = 25 + 38.8 + 35 = 98.8
    led = {"2023-05": toml(entry(POLICE, "2.4.3", count=3))}
    score = month_score(led, POLICE, "2023-05")
    assert cats(score) == [100, 97, 100, 100]
    assert score.total == D("98.8")


def test_range_clause_uses_stated_points():
    # 2.3.11 (hall departments): 1–2 points, 1.5 stated → C2 = 98.5
    # total = 25 + 0.40×98.5 + 35 = 25 + 39.4 + 35 = 99.4
    led = {"2023-05": toml(entry(EDUCATION, "2.3.11", points=1.5))}
    score = month_score(led, EDUCATION, "2023-05")
    assert cats(score) == [100, D("98.5"), 100, 100]
    assert score.total == D("99.4")


def test_range_points_times_count_is_exact_decimal():
    # 2.4.10: 1–3 points per 件次; 1.1 × 3 = 3.3 exactly → C2 = 96.7
    # total = 25 + 0.40×96.7 + 35 = 25 + 38.68 + 35 = 98.68
    led = {"2023-05": toml(entry(POLICE, "2.4.10", points=1.1, count=3))}
    score = month_score(led, POLICE, "2023-05")
    assert score.categories["2"] == D("96.7")
    assert score.total == D("98.68")


def test_levels_clause():
    # 4.4.3 通报批评 by 省委省政府: 5 points → C4 = 95; 市委市政府 ×2 elsewhere: 4 → C4 = 96
    # total = 25 + 40 + 20 + 0.15×95 = 99.25
    led = {
        "2023-05": toml(
            entry(POLICE, "4.4.3", level="省委省政府"),
            entry("市民政局", "4.4.3", level="市委市政府", count=2),
        )
    }
    scorer = scorer_from(led)
    police = scorer.department_month(POLICE, "2023-05")
    civil = scorer.department_month("市民政局", "2023-05")
    assert police.categories["4"] == 95 and police.total == D("99.25")
    # 0.15 × 96 = 14.4 → total 99.4
    assert civil.categories["4"] == 96 and civil.total == D("99.4")


def test_rate_value_shortfall_per_point():
    # 2.5.2 主动评价率 93.5%: short 6.5 points × 0.1 = 0.65 → C2 = 99.35
    # total = 25 + 0.40×99.35 + 35 = 25 + 39.74 + 35 = 99.74
    led = {"2023-05": toml(entry(POLICE, "2.5.2", value=93.5))}
    score = month_score(led, POLICE, "2023-05")
    assert score.categories["2"] == D("99.35")
    assert score.total == D("99.74")


def test_rate_from_numerator_and_denominator_and_per_point_one():
    # 2.5.2 with 180/200 = 90%: short 10 × 0.1 = 1 → C2 = 99
    # 2.5.4 质检通过率 97.5%, per_point 1: short 2.5 × 1 = 2.5 → C2 = 99 − 2.5 = 96.5
    # total = 25 + 0.40×96.5 + 35 = 25 + 38.6 + 35 = 98.6
    led = {
        "2023-05": toml(
            entry(POLICE, "2.5.2", numerator=180, denominator=200),
            entry(POLICE, "2.5.4", value=97.5),
        )
    }
    score = month_score(led, POLICE, "2023-05")
    assert score.categories["2"] == D("96.5")
    assert score.total == D("98.6")


def test_rate_zero_cases_are_exempt_and_full_rate_costs_nothing():
    # 2.5.3 with 0/0 (零办件不计此项考核) → no deduction; 2.5.2 at 100% → none either.
    led = {
        "2023-05": toml(
            entry(POLICE, "2.5.3", numerator=0, denominator=0),
            entry(POLICE, "2.5.2", value=100),
        )
    }
    score = month_score(led, POLICE, "2023-05")
    assert cats(score) == [100, 100, 100, 100]
    assert [line.amount for line in score.lines] == [0, 0]


def test_rate_with_a_repeating_fraction_rounds_only_at_display():
    # 1.3.1 with 1/3 = 33.333…%: short 66.666…% × 0.1 = 6.666… → C1 = 93.333…
    # total = 0.25 × 93.333… + 75 = 23.333… + 75 = 98.333… → shown 98.33
    from govscore.figures import figure

    led = {"2023-05": toml(entry(POLICE, "1.3.1", numerator=1, denominator=3))}
    score = month_score(led, POLICE, "2023-05")
    assert figure(score.categories["1"]) == "93.33"
    assert figure(score.total) == "98.33"


def test_discretionary_clause():
    # 1.3.2 数据造假: the office states 2 points → C1 = 98; total = 24.5 + 75 = 99.5
    led = {"2023-05": toml(entry(POLICE, "1.3.2", points=2))}
    score = month_score(led, POLICE, "2023-05")
    assert score.categories["1"] == 98
    assert score.total == D("99.5")


def test_cap_groups_limit_bonuses_per_month():
    # Cap A (3.3.1–3.3.4, ≤ 1): 5 × 0.3 + 2 × 0.1 = 1.7 → 1.
    # Cap B (3.3.5–3.3.7, ≤ 1): 2 × 0.3 = 0.6, under the cap.
    # C3 = 100 + 1 + 0.6 = 101.6; total = 25 + 40 + 0.20×101.6 + 15 = 100.32
    led = {
        "2023-05": toml(
            entry(POLICE, "3.3.1", count=5),
            entry(POLICE, "3.3.4", count=2),
            entry(POLICE, "3.3.7", count=2),
        )
    }
    score = month_score(led, POLICE, "2023-05")
    assert score.categories["3"] == D("101.6")
    assert score.total == D("100.32")
    [cap] = score.caps
    assert (cap.group, cap.earned, cap.limit) == ("A", D("1.7"), 1)


def test_caps_c_and_d_are_three_tenths():
    # Cap C (4.2.1 ≤ 0.3): 4 × 0.1 = 0.4 → 0.3. Cap D (4.2.3 ≤ 0.3): 0.2 × 2 = 0.4 → 0.3.
    # C4 = 100.6; total = 85 + 0.15 × 100.6 = 85 + 15.09 = 100.09
    led = {
        "2023-05": toml(
            entry(POLICE, "4.2.1", count=4),
            entry(POLICE, "4.2.3", points=0.2, count=2),
        )
    }
    score = month_score(led, POLICE, "2023-05")
    assert score.categories["4"] == D("100.6")
    assert score.total == D("100.09")


def test_caps_are_per_month():
    # 3.3.1 × 4 = 1.2 in May and again in June: each month capped at 1 separately.
    led = {
        "2023-05": toml(entry(POLICE, "3.3.1", count=4)),
        "2023-06": toml(entry(POLICE, "3.3.1", count=4)),
    }
    scorer = scorer_from(led)
    for month in ("2023-05", "2023-06"):
        assert scorer.department_month(POLICE, month).categories["3"] == 101


def test_recurring_entry_stands_until_closed():
    # 3.1.3 牵头部门未按时完成: 2 points a month from March; closed through May.
    # March, April, May: C3 = 98 → total = 25 + 40 + 19.6 + 15 = 99.6; June: 100.
    led = {
        "2023-03": toml(
            entry(POLICE, "3.1.3", recurring=True, id="r1"),
            entry(close="r1", through="2023-05", id="c1"),
        ),
        "2023-06": toml(entry("市民政局", "2.4.3")),
    }
    scorer = scorer_from(led)
    totals = {
        m: scorer.department_month(POLICE, m).total for m in ("2023-03", "2023-04", "2023-05")
    }
    assert totals == {"2023-03": D("99.6"), "2023-04": D("99.6"), "2023-05": D("99.6")}
    assert scorer.department_month(POLICE, "2023-06").total == 100
    assert scorer.department_month(POLICE, "2023-02").total == 100
    # Year over March–June: C3 mean = (98 × 3 + 100) / 4 = 98.5
    # total = 25 + 40 + 0.20×98.5 + 15 = 99.7
    year = scorer.department_year(POLICE, 2023, ["2023-03", "2023-04", "2023-05", "2023-06"])
    assert year.categories["3"] == D("98.5")
    assert year.total == D("99.7")


def test_open_recurring_entry_stands_in_every_later_month_with_its_points():
    # 3.1.5 配合部门不配合: 0.5–1 a month, stated 0.8, open since 2022-11 → still in 2023-02.
    # C3 = 99.2 → total = 25 + 40 + 19.84 + 15 = 99.84
    led = {"2022-11": toml(entry(POLICE, "3.1.5", points=0.8, recurring=True))}
    score = month_score(led, POLICE, "2023-02")
    assert score.categories["3"] == D("99.2")
    assert score.total == D("99.84")


def test_exclusive_matter_counts_its_highest_level_once_a_year():
    # 4.2.2: 市级 (2) in May, 省级 (5) in July, 市级 again in August, same matter:
    # May +2, July +3 (rise from 2 to 5), August +0. Another matter in August: +2.
    # A new year starts afresh: 市级 in 2024-01: +2.
    matter = "企业开办一件事"
    led = {
        "2023-05": toml(entry(POLICE, "4.2.2", level="市级", matter=matter)),
        "2023-07": toml(entry(POLICE, "4.2.2", level="省级", matter=matter)),
        "2023-08": toml(
            entry(POLICE, "4.2.2", level="市级", matter=matter),
            entry(POLICE, "4.2.2", level="市级", matter="工程建设审批"),
        ),
        "2024-01": toml(entry(POLICE, "4.2.2", level="市级", matter=matter)),
    }
    scorer = scorer_from(led)
    c4 = {m: scorer.department_month(POLICE, m).categories["4"] for m in led}
    assert c4 == {"2023-05": 102, "2023-07": 103, "2023-08": 102, "2024-01": 102}


def test_exclusive_within_one_month_earns_the_highest_level():
    # 省级 then 市级 in the same month, same matter: 5 + 0 = 5 → C4 = 105
    led = {
        "2023-05": toml(
            entry(POLICE, "4.2.2", level="省级", matter="m"),
            entry(POLICE, "4.2.2", level="市级", matter="m"),
        )
    }
    assert month_score(led, POLICE, "2023-05").categories["4"] == 105


def test_annual_clause_counts_in_the_year_not_the_month():
    # 4.2.4 省级表彰: 0.5 in the year's C4, nothing in May's.
    # Year over May–June: C4 = mean(100, 100) + 0.5 = 100.5
    # total = 25 + 40 + 20 + 0.15×100.5 = 100.075 → shown 100.08 (half-up)
    from govscore.figures import figure

    led = {
        "2023-05": toml(entry(POLICE, "4.2.4", level="省级")),
        "2023-06": toml(entry("市民政局", "2.4.3")),
    }
    scorer = scorer_from(led)
    assert scorer.department_month(POLICE, "2023-05").total == 100
    year = scorer.department_year(POLICE, 2023, ["2023-05", "2023-06"])
    assert year.categories["4"] == D("100.5")
    assert year.total == D("100.075")
    assert figure(year.total) == "100.08"


def test_follow_ups_add_to_the_original():
    # 4.3.1 有效投诉 1, 4.3.2 拒不整改 加扣 2, 4.3.3 仍不满意 加扣 1 → C4 = 96
    # total = 85 + 0.15×96 = 85 + 14.4 = 99.4
    led = {
        "2023-05": toml(
            entry(POLICE, "4.3.1", id="complaint"),
            entry(POLICE, "4.3.2", ref="complaint"),
            entry(POLICE, "4.3.3", ref="complaint"),
        )
    }
    score = month_score(led, POLICE, "2023-05")
    assert score.categories["4"] == 96
    assert score.total == D("99.4")


def test_one_window_follow_up_is_discretionary():
    # 2.3.1 (1) then 2.3.10 追加扣分 0.5 with ref → C2 = 98.5; total = 25 + 39.4 + 35 = 99.4
    led = {
        "2023-05": toml(
            entry(POLICE, "2.3.1", id="late"),
            entry(POLICE, "2.3.10", points=0.5, ref="late"),
        )
    }
    score = month_score(led, POLICE, "2023-05")
    assert score.categories["2"] == D("98.5")
    assert score.total == D("99.4")


def test_veto_keeps_scores_but_ranks_last_and_names_the_entry():
    # 4.4.4 较大失误 5 → C4 = 95, total = 99.25; 4.4.5 情节严重 vetoes (no points).
    # 市民政局 has 2.4.3 × 3: 98.8. The vetoed department ranks 36th of 36 even though
    # 98.8 < 99.25; everyone else ranks by total.
    led = {
        "2023-05": toml(
            entry(POLICE, "4.4.4", id="slip"),
            entry(POLICE, "4.4.5", ref="slip", id="veto"),
            entry("市民政局", "2.4.3", count=3),
        )
    }
    ranking = scorer_from(led).month("2023-05")
    rank, police = ranking.find(POLICE)
    assert (rank, police.total, police.vetoes) == (36, D("99.25"), ("veto",))
    rank, civil = ranking.find("市民政局")
    assert (rank, civil.total) == (35, D("98.8"))
    assert ranking.rows[0][0] == 1 and ranking.rows[33][0] == 1  # 34 departments at 100


def test_a_ranking_finds_each_department_at_its_row_and_no_other():
    # Found by name (an index built once, for a province's 10,000): each of the 36 at
    # the very row it stands at, a name not ranked nowhere.
    ranking = scorer_from({"2023-05": toml(entry("市民政局", "2.4.3"))}).month("2023-05")
    assert len(ranking.rows) == 36
    for row in ranking.rows:
        assert ranking.find(row[1].department) is row
    assert ranking.find("市不存在局") is None


def test_veto_4_4_1_marks_the_year_too():
    led = {
        "2023-05": toml(entry(POLICE, "4.4.1", id="v")),
        "2023-06": toml(entry("市民政局", "2.4.3")),
    }
    year = scorer_from(led).year(2023, ["2023-05", "2023-06"])
    rank, police = year.find(POLICE)
    assert rank == 36 and police.vetoes == ("v",) and police.total == 100


def test_referral_deducts_and_is_listed():
    # 2.4.13 廉政: 5 per 件次 → C2 = 95; total = 25 + 38 + 35 = 98; referred to 纪检组织（人事）部门
    led = {"2023-05": toml(entry(POLICE, "2.4.13", id="bribe"))}
    score = month_score(led, POLICE, "2023-05")
    assert score.total == 98
    [referral] = score.referrals
    assert (referral.entry, referral.clause, referral.to) == (
        "bribe",
        "2.4.13",
        "纪检组织（人事）部门",
    )


def test_void_removes_the_entry_from_every_report():
    led = {
        "2023-05": toml(
            entry(POLICE, "2.4.3", count=3, id="late"),
            entry(void="late", reason="申诉成立", id="v"),
        )
    }
    score = month_score(led, POLICE, "2023-05")
    assert score.total == 100 and score.lines == ()


def test_category_never_falls_below_floor():
    # 2.4.13 × 25 = 125 points off C2 → floor 0; total = 25 + 0 + 20 + 15 = 60
    led = {"2023-05": toml(entry(POLICE, "2.4.13", count=25))}
    score = month_score(led, POLICE, "2023-05")
    assert score.categories["2"] == 0
    assert score.total == 60


def test_bonuses_lift_above_base():
    # 4.1.1 揭榜挂帅 +5 and 4.1.2 验收 +5 (ref) → C4 = 110; total = 85 + 16.5 = 101.5
    led = {
        "2023-05": toml(
            entry(POLICE, "4.1.1", id="project"),
            entry(POLICE, "4.1.2", ref="project"),
        )
    }
    assert month_score(led, POLICE, "2023-05").total == D("101.5")


def test_equal_totals_share_a_rank_and_the_next_rank_skips():
    # Two departments at 98.8 (2.4.3 × 3), one at 99 (1.2.1 × 4: C1 = 96 → 24 + 75 = 99).
    led = {
        "2023-05": toml(
            entry(POLICE, "2.4.3", count=3),
            entry("市民政局", "2.4.3", count=3),
            entry("市司法局", "1.2.1", count=4),
        )
    }
    ranking = scorer_from(led).month("2023-05")
    ranks = {s.department: r for r, s in ranking.rows if s.total != 100}
    assert ranks == {"市司法局": 34, POLICE: 35, "市民政局": 35}


def test_year_means_each_category_over_assessed_months():
    # May: 2.4.3 × 2 → C2 98. June: nothing. July: 1.2.2 × 2 (0.5 each) → C1 99.
    # Year May–July: C1 = (100+100+99)/3 = 99.666…, C2 = (98+100+100)/3 = 99.333…
    # total = 0.25×99.666… + 0.40×99.333… + 20 + 15 = 24.91666… + 39.73333… + 35 = 99.65
    led = {
        "2023-05": toml(entry(POLICE, "2.4.3", count=2)),
        "2023-07": toml(entry(POLICE, "1.2.2", count=2)),
    }
    year = scorer_from(led).department_year(POLICE, 2023, ["2023-05", "2023-06", "2023-07"])
    assert year.total.quantize(D("0.0000001")) == D("99.6500000")
    assert year.months == {"2023-05": D("99.2"), "2023-06": 100, "2023-07": D("99.75")}


def test_totals_equal_at_two_decimals_share_a_rank_though_not_exactly_equal():
    # 1.3.1 is a rate clause in category 1 at 0.1 per point short of 100%.
    # 市公安局 99.9%: short 0.1 × 0.1 = 0.01 → C1 = 99.99 → total = 0.25×99.99 + 75 = 99.9975,
    #   shown as 100.00: it shares rank 1 with the 34 departments at exactly 100.
    # 市民政局 99.7%: short 0.3 × 0.1 = 0.03 → C1 = 99.97 → total = 99.9925, shown as 99.99:
    #   below them all, rank 36.
    led = {
        "2023-05": toml(
            entry(POLICE, "1.3.1", value=99.9),
            entry("市民政局", "1.3.1", value=99.7),
        )
    }
    ranking = scorer_from(led).month("2023-05")
    rank, police = ranking.find(POLICE)
    assert police.total == D("99.9975")  # not exactly 100: the tie is at 2 decimals only
    assert rank == 1
    assert ranking.find("市民政局")[0] == 36
    assert [r for r, _ in ranking.rows].count(1) == 35


# -- what a score says besides its figures (detail views, referrals, caps, floors) ----------


def test_a_cap_is_reported_only_when_bonuses_go_over_it():
    # Cap A ≤ 1: 3.3.1 × 3 = 0.9 and 3.3.4 × 1 = 0.1 → exactly 1: counted whole, no cut.
    # June: 3.3.1 × 4 = 1.2 → cut to 1 (cut 0.2), in category 3.
    led = {
        "2023-05": toml(entry(POLICE, "3.3.1", count=3), entry(POLICE, "3.3.4")),
        "2023-06": toml(entry(POLICE, "3.3.1", count=4)),
    }
    scorer = scorer_from(led)
    may = scorer.department_month(POLICE, "2023-05")
    assert (may.categories["3"], may.caps) == (101, ())
    june = scorer.department_month(POLICE, "2023-06")
    [cap] = june.caps
    assert (cap.group, cap.category, cap.earned, cap.limit, cap.cut) == (
        "A",
        "3",
        D("1.2"),
        1,
        D("0.2"),
    )
    year = scorer.department_year(POLICE, 2023, ["2023-05", "2023-06"])
    assert year.caps == (cap,)


def test_a_floor_is_reported_only_below_it_and_names_the_month():
    # 2.4.13 × 20 = 100 off C2 → exactly 0, the floor: nothing raised.
    # June: × 21 = 105 off → raw −5, raised to 0 (lift 5); 25 + 0 + 35 = 60 both months.
    led = {
        "2023-05": toml(entry(POLICE, "2.4.13", count=20)),
        "2023-06": toml(entry(POLICE, "2.4.13", count=21)),
    }
    scorer = scorer_from(led)
    may = scorer.department_month(POLICE, "2023-05")
    assert (may.categories["2"], may.total, may.floors) == (0, 60, ())
    june = scorer.department_month(POLICE, "2023-06")
    [floor] = june.floors
    assert (floor.category, floor.raw, floor.floor, floor.month, floor.lift) == (
        "2",
        D(-5),
        0,
        "2023-06",
        D(5),
    )
    year = scorer.department_year(POLICE, 2023, ["2023-05", "2023-06"])
    assert year.floors == (floor,)  # the year's mean (0) is not below the floor itself


def test_referrals_name_department_and_month_in_months_and_years():
    led = {
        "2023-05": toml(entry(POLICE, "2.4.13", id="may")),
        "2023-06": toml(entry(POLICE, "2.4.13", id="june")),
    }
    scorer = scorer_from(led)
    year = scorer.department_year(POLICE, 2023, ["2023-05", "2023-06"])
    assert [(r.entry, r.clause, r.department, r.month) for r in year.referrals] == [
        ("may", "2.4.13", POLICE, "2023-05"),
        ("june", "2.4.13", POLICE, "2023-06"),
    ]


def test_lines_show_each_entry_once_with_its_signed_amount():
    # May: 2.4.3 × 2 (−2) and a recurring 3.1.3 recorded in May (−2 each month it stands).
    # July: 4.2.2 city level in May (+2) rises to province (5) in July: July's line is +3.
    # Year lines hold only the annual clauses: 4.2.4 province +0.5.
    led = {
        "2023-05": toml(
            entry(POLICE, "2.4.3", count=2, id="late"),
            entry(POLICE, "3.1.3", recurring=True, id="standing"),
            entry(POLICE, "4.2.2", level="市级", matter="企业开办", id="city"),
            entry(POLICE, "4.2.4", level="省级", id="award"),
        ),
        "2023-07": toml(entry(POLICE, "4.2.2", level="省级", matter="企业开办", id="province")),
    }
    scorer = scorer_from(led)
    may = scorer.department_month(POLICE, "2023-05")
    assert sorted((line.entry.id, line.amount) for line in may.lines) == [
        ("city", D(2)),
        ("late", D(-2)),
        ("standing", D(-2)),
    ]
    july = scorer.department_month(POLICE, "2023-07")
    assert sorted((line.entry.id, line.amount) for line in july.lines) == [
        ("province", D(3)),
        ("standing", D(-2)),
    ]
    year = scorer.department_year(POLICE, 2023, ["2023-05", "2023-06", "2023-07"])
    assert [(line.entry.id, line.amount) for line in year.lines] == [("award", D("0.5"))]


def test_a_year_with_no_months_assessed_is_at_base_plus_its_annual_clauses():
    led = {"2023-05": toml(entry(POLICE, "4.2.4", level="省级"))}
    year = scorer_from(led).department_year(POLICE, 2023, [])
    assert year.categories == {"1": 100, "2": 100, "3": 100, "4": D("100.5")}


def test_find_names_a_department_or_nothing():
    ranking = scorer_from({}).month("2023-05")
    assert ranking.find(POLICE) == (1, ranking.find(POLICE)[1])  # type: ignore[index]
    assert ranking.find("市不存在局") is None


# An office's own catalog may add an annual deduction: only such a clause can take a
# year's category below the floor (the shipped annual clause, 4.2.4, is a bonus).
ANNUAL_DEDUCTION = """
[[clause]]
id = "4.4.9"
text = "年度综合评议发现的突出问题（本办公室增补）"
effect = "-"
kind = "fixed"
points = 25
unit = "次"
annual = true
"""


def test_an_annual_deduction_below_the_floor_is_lifted_to_it_in_the_year(root, gs):
    # The root's own clauses.toml: the shipped catalog plus 4.4.9, −25 a time, annual.
    # Year 2023 is assessed over May and June (the months with ledger files).
    # 市公安局: May 4.4.4 × 1 → May C4 = 95; June none → 100. Year C4 = mean(95, 100)
    #   + 4 × (−25) = 97.5 − 100 = −2.5, below the floor 0 → 0, and the floor is reported
    #   for the year (no month), raw −2.5. total = 25 + 40 + 20 + 0.15×0 = 85.
    # 市民政局: June 2.4.3 × 1 → June C2 = 99. Year C2 = mean(100, 99) = 99.5; C4 = 100
    #   − 100 = 0: exactly the floor, not below it, so no floor is reported.
    #   total = 25 + 0.40×99.5 + 20 + 0 = 25 + 39.8 + 20 = 84.8.
    # 市体育局: 4.4.9 × 1 → C4 = 100 − 25 = 75; total = 85 + 0.15×75 = 85 + 11.25 = 96.25.
    shipped = (DATA / "clauses.toml").read_text(encoding="utf-8")
    (root / "clauses.toml").write_text(shipped + ANNUAL_DEDUCTION, encoding="utf-8")

    def add(department: str, clause: str, month: str, count: int = 1) -> None:
        result = gs("add", "-d", department, "-c", clause, "--month", month, "--count", str(count))
        assert result.exit_code == 0, result.output

    add(POLICE, "4.4.4", "2023-05")
    add(POLICE, "4.4.9", "2023-05", 4)
    add("市民政局", "2.4.3", "2023-06")
    add("市民政局", "4.4.9", "2023-06", 4)
    add("市体育局", "4.4.9", "2023-06")
    result = gs("year", "2023", "--detail", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {row["department"]: row for row in json.loads(result.stdout)["departments"]}
    police, civil, sport = rows[POLICE], rows["市民政局"], rows["市体育局"]
    assert police["categories"]["4"] == 0
    assert police["total"] == 85
    assert police["floors"] == [{"category": "4", "month": None, "raw": -2.5, "floor": 0}]
    assert (civil["categories"]["2"], civil["categories"]["4"]) == (99.5, 0)
    assert (civil["total"], civil["floors"]) == (84.8, [])
    assert (sport["categories"]["4"], sport["total"], sport["floors"]) == (75, 96.25, [])
    # The months themselves are untouched: an annual clause counts in the year only.
    may = json.loads(gs("month", "2023-05", "--format", "json").stdout)["departments"]
    assert {r["department"]: r["total"] for r in may}[POLICE] == 99.25  # 85 + 0.15×95


def test_each_line_says_how_its_amount_was_reached_as_a_clerk_checks_it():
    # The working a detail view prints beside each line (Line.how), one per kind:
    # 2.4.3 fixed, 1 a 件次: 3 件次 → "3 件次 × 1"; 2.4.10 range, 1.1 stated, × 3 →
    # "3 件次 × 1.1"; 1.3.2 discretionary, 2 stated → "1 次 × 2"; 4.4.3 通报批评 by
    # 省委省政府, 5 → "省委省政府 1 次 × 5"; 4.4.4 较大失误, 5 → "1 次 × 5"; its 4.4.5
    # (情节严重) vetoes → "一票否决".
    # Rates at 0.1 a point short of 100%: 2.5.2 93.5% → short 6.5 → "93.5%：少 6.5% × 0.1";
    # 180/200 = 90% → short 10 → "180/200 = 90%：少 10% × 0.1"; 2.5.4 at exactly 100% costs
    # nothing → "100%，不扣分"; 2.5.3 with 0/0 → "零办件，不计此项考核" (exempt);
    # 1.3.1 1/3 = 33.333…%, short 66.666…%: cut at 4 decimals with … (rounded, a
    # shortfall of 0.2996…% would read 0.3%, and × 0.1 not the amount shown beside it).
    # 4.2.2 (exclusive, same matter): 市级 2 in May counts 2; 省级 5 in July counts the
    # rise, 3.
    led = {
        "2023-05": toml(
            entry(POLICE, "2.4.3", count=3, id="fixed"),
            entry(POLICE, "2.4.10", points=1.1, count=3, id="range"),
            entry(POLICE, "1.3.2", points=2, id="discretionary"),
            entry(POLICE, "4.4.3", level="省委省政府", id="levels"),
            entry(POLICE, "4.4.4", id="slip"),
            entry(POLICE, "4.4.5", ref="slip", id="veto"),
            entry(POLICE, "2.5.2", value=93.5, id="value"),
            entry("市民政局", "2.5.2", numerator=180, denominator=200, id="fraction"),
            entry(POLICE, "2.5.4", value=100, id="full"),
            entry(POLICE, "2.5.3", numerator=0, denominator=0, id="none"),
            entry(POLICE, "1.3.1", numerator=1, denominator=3, id="third"),
            entry(POLICE, "4.2.2", level="市级", matter="m", id="city"),
        ),
        "2023-07": toml(entry(POLICE, "4.2.2", level="省级", matter="m", id="province")),
    }
    scorer = scorer_from(led)
    may = [
        *scorer.department_month(POLICE, "2023-05").lines,
        *scorer.department_month("市民政局", "2023-05").lines,
        *scorer.department_month(POLICE, "2023-07").lines,
    ]
    assert {line.entry.id: line.how for line in may} == {
        "fixed": "3 件次 × 1",
        "range": "3 件次 × 1.1",
        "discretionary": "1 次 × 2",
        "levels": "省委省政府 1 次 × 5",
        "slip": "1 次 × 5",
        "veto": "一票否决",
        "value": "93.5%：少 6.5% × 0.1",
        "fraction": "180/200 = 90%：少 10% × 0.1",
        "full": "100%，不扣分",
        "none": "零办件，不计此项考核",
        "third": "1/3 = 33.3333…%：少 66.6666…% × 0.1",
        "city": "市级 2，同一事项最高层级计分：计 2",
        "province": "省级 5，同一事项最高层级计分：计 3",
    }


def test_a_recurring_entry_of_a_monthly_clause_reads_as_items_each_month():
    # 2.4.9 (1 a month, C2) and 3.1.5 (0.5–1 a month, C3) recurring from September with
    # -n 2: two matters outstanding, each deducting every month. October, as September:
    # C2 = 100 − 2 × 1 = 98; C3 = 100 − 2 × 0.7 = 98.6;
    # total = 25 + 0.40×98 + 0.20×98.6 + 15 = 25 + 39.2 + 19.72 + 15 = 98.92.
    # Its working reads per month, not "2 个月 × 1" (two months) in each month. 市民政局's
    # 2.4.9 -n 2 not recurring books two months at once: "2 个月 × 1", −2 in September
    # only (C2 98, total 99.2); October at base.
    led = {
        "2023-09": toml(
            entry(POLICE, "2.4.9", count=2, recurring=True, id="staff"),
            entry(POLICE, "3.1.5", count=2, points=0.7, recurring=True, id="task"),
            entry("市民政局", "2.4.9", count=2, id="once"),
        ),
        "2023-10": "",
    }
    scorer = scorer_from(led)
    for month in ("2023-09", "2023-10"):
        score = scorer.department_month(POLICE, month)
        assert (cats(score), score.total) == ([100, 98, D("98.6"), 100], D("98.92"))
        assert {line.entry.id: (line.how, line.amount) for line in score.lines} == {
            "staff": ("每月 2 项 × 1", -2),
            "task": ("每月 2 项 × 0.7", D("-1.4")),
        }
    september = scorer.department_month("市民政局", "2023-09")
    assert (cats(september), september.total) == ([100, 98, 100, 100], D("99.2"))
    assert [(line.how, line.amount) for line in september.lines] == [("2 个月 × 1", -2)]
    assert scorer.department_month("市民政局", "2023-10").total == 100


def test_a_clause_of_an_offices_own_catalog_without_a_unit_counts_times():
    # A root's clauses.toml may leave out unit: its entries count 次 (times).
    # 9.9.9, fixed, 0.5 a time, × 2 → "2 次 × 0.5".
    from govscore.model import Entry
    from govscore.rules.catalog import Clause
    from govscore.rules.scoring import explain

    clause = Clause(id="9.9.9", text="本办公室增补", effect="-", kind="fixed", points=D("0.5"))
    made = Entry(id="a", month="2023-05", department=POLICE, clause="9.9.9", count=2)
    assert explain(made, clause, D(1)) == "2 次 × 0.5"


def test_an_exclusive_matter_counts_by_month_whatever_its_ids_say():
    # Ids written by hand need not follow the months: 市级 (2) in May as "z-city", 省级
    # (5) in July as "a-province", the same matter. The rise follows the months: May +2
    # (C4 102), July 5 − 2 = +3 (C4 103); not July +5 and May nothing.
    led = {
        "2023-05": toml(entry(POLICE, "4.2.2", level="市级", matter="m", id="z-city")),
        "2023-07": toml(entry(POLICE, "4.2.2", level="省级", matter="m", id="a-province")),
    }
    scorer = scorer_from(led)
    assert scorer.department_month(POLICE, "2023-05").categories["4"] == 102
    assert scorer.department_month(POLICE, "2023-07").categories["4"] == 103


def test_what_each_clause_did_sums_over_the_months_and_the_years_annual_lines():
    # DepartmentScore.clauses (reports by clause): each clause's signed sum, before caps.
    # May: 2.4.3 × 2 → −2; 3.3.1 × 4 → +1.2 (cap A cuts C3's share to 1, not the clause's
    # sum). June: 2.4.3 × 1 → −1. Annual 4.2.4 市级 +0.3 and 省级 +0.5 in May: none in
    # the month, +0.8 in the year. Year: 2.4.3 −3, 3.3.1 +1.2, 4.2.4 +0.8.
    led = {
        "2023-05": toml(
            entry(POLICE, "2.4.3", count=2),
            entry(POLICE, "3.3.1", count=4),
            entry(POLICE, "4.2.4", level="市级"),
            entry(POLICE, "4.2.4", level="省级"),
        ),
        "2023-06": toml(entry(POLICE, "2.4.3")),
    }
    scorer = scorer_from(led)
    may = scorer.department_month(POLICE, "2023-05")
    assert may.clauses == {"2.4.3": D(-2), "3.3.1": D("1.2")}
    assert scorer.department_month(POLICE, "2023-06").clauses == {"2.4.3": D(-1)}
    year = scorer.department_year(POLICE, 2023, ["2023-05", "2023-06"])
    assert year.clauses == {"2.4.3": D(-3), "3.3.1": D("1.2"), "4.2.4": D("0.8")}


def test_a_scorer_from_sums_alone_scores_alike_and_shows_no_lines():
    # The cache scores from a Summary without the entries: the same figures, no lines.
    from conftest import book_from, catalog, departments
    from govscore.ledger.loader import read_toml
    from govscore.rules.config import parse_weights
    from govscore.rules.scoring import Scorer, summarize

    led = {
        "2023-05": toml(
            entry(POLICE, "2.4.3", count=3),
            entry(POLICE, "3.1.3", recurring=True),
            entry(POLICE, "4.2.2", level="市级", matter="m"),
        )
    }
    book = book_from(led)
    weights = parse_weights(read_toml(DATA / "weights.toml"), "weights.toml")
    sums = Scorer(None, catalog(), weights, departments(), summarize(book, catalog()))
    whole = Scorer(book, catalog(), weights, departments())
    alone, shown = (s.department_month(POLICE, "2023-05") for s in (sums, whole))
    # C2 = 100 − 3 = 97, C3 = 100 − 2 = 98, C4 = 100 + 2 = 102
    assert cats(alone) == [100, 97, 98, 102] == cats(shown)
    assert alone.total == shown.total
    assert (alone.lines, len(shown.lines)) == ((), 3)


def test_a_category_the_weights_lack_is_scored_and_weighed_nowhere():
    # weights.toml without [category.4], its 15% given to 规范化 (0.25 · 0.55 · 0.20; a
    # problem `check` names, tests/test_check.py). Category 4's entries still score in it:
    # 市公安局 4.4.3 省委省政府 −5 → C4 = 95; 市教育局 4.2.1 × 2 (+0.2, cap group C, its
    # only entry) → C4 = 100.2. Neither weighs: both totals are 25 + 55 + 20 = 100.
    from tomllib import loads

    from conftest import book_from, catalog, departments, without_category_4
    from govscore.rules.config import parse_weights
    from govscore.rules.scoring import Scorer

    lacking = without_category_4((DATA / "weights.toml").read_text(encoding="utf-8"))
    weights = parse_weights(loads(lacking), "weights.toml")
    led = {
        "2023-05": toml(
            entry(POLICE, "4.4.3", level="省委省政府"),
            entry(EDUCATION, "4.2.1", count=2),
        )
    }
    scorer = Scorer(book_from(led), catalog(), weights, departments())
    police, education = (scorer.department_month(d, "2023-05") for d in (POLICE, EDUCATION))
    assert police.categories == {"1": 100, "2": 100, "3": 100, "4": 95}
    assert education.categories == {"1": 100, "2": 100, "3": 100, "4": D("100.2")}
    assert police.total == education.total == 100


# 0.25 · 0.40 · 0.15 · 0.20 from July (category 4 weighs more, category 3 less).
JULY_WEIGHTS = """\
[notice]
number = "烟政管办〔2023〕7号"
title = "关于调整考评权重的补充通知"

[category.3]
weight = 0.15

[category.4]
weight = 0.20
"""


def test_a_year_total_of_exactly_half_a_cent_rounds_up_and_shares_its_rank(root, gs):
    """A mean of 7 months is no finite decimal; the total of such means, each cut at 28
    digits, fell just short of a half cent: 99.98499…, shown 99.98 (review T F1).

    Assessed months 2023-04 … 2023-10 (7, the months with ledger files).
    市档案局: April 1.3.2 0.6 → C1 99.4; October 4.2.3 0.3 → C4 100.3.
      C1 mean 699.4/7, C4 mean 700.3/7; total = 0.25×699.4/7 + 40 + 20 + 0.15×700.3/7
      = (174.85 + 105.045)/7 + 60 = 279.895/7 + 60 = 39.985 + 60 = 99.985 → 99.99.
      (The mean of its monthly totals agrees: (99.85 + 100.045 + 5×100)/7 = 99.985.)
    市民族宗教局: June 1.3.1 at 97.2% → −(100 − 97.2)×0.1 = −0.28 → C1 99.72;
      C1 mean 699.72/7 = 99.96; total = 24.99 + 60 + 15 = 99.99.
    Both 99.99: they share a rank."""
    for args in (
        ("-d", "市档案局", "-c", "1.3.2", "--points", "0.6", "--month", "2023-04"),
        ("-d", "市档案局", "-c", "4.2.3", "--points", "0.3", "--month", "2023-10"),
        ("-d", "市民族宗教局", "-c", "1.3.1", "--value", "97.2", "--month", "2023-06"),
    ):
        result = gs("add", *args)
        assert result.exit_code == 0, result.output
    for fresh in ((), ("--no-cache",)):
        result = gs(*fresh, "year", "2023", "--format", "json")
        assert result.exit_code == 0, result.output
        rows = {row["department"]: row for row in json.loads(result.stdout)["departments"]}
        archives, religion = rows["市档案局"], rows["市民族宗教局"]
        assert (archives["total"], religion["total"]) == (99.99, 99.99)
        assert archives["rank"] == religion["rank"]


def test_a_years_annual_clauses_weigh_by_the_weights_of_its_last_month(small, gs):
    # 市公安局: 4.2.4 省级 in May, +0.5 in the year's C4 (annual); every month 100.
    # Weights 0.25 · 0.40 · 0.20 · 0.15, amended to 0.25 · 0.40 · 0.15 · 0.20 from July.
    # Year over May–June (both under the first weights, June the last month):
    #   25 + 40 + 20 + 0.15 × 100.5 = 100.075 (not weighed by December's 0.20: 100.1).
    # Year over May–July (July the last month, under the new weights): the mean of the
    #   monthly totals, 100, and what the annual clause adds by July's weights:
    #   100 + 0.20 × 0.5 = 100.1 (not by June's 0.15: 100.075).
    from govscore.ledger.loader import load_root
    from govscore.rules.scoring import Scorer

    (small / "amendments").mkdir()
    (small / "amendments" / "2023-07-01.toml").write_text(JULY_WEIGHTS, encoding="utf-8")
    result = gs("add", "-d", POLICE, "-c", "4.2.4", "--level", "省级", "--month", "2023-05")
    assert result.exit_code == 0, result.output
    root = load_root(small)
    book = root.review()
    assert not book.problems
    scorer = Scorer(book, root.catalog, root.weights, root.departments)
    two = scorer.department_year(POLICE, 2023, ["2023-05", "2023-06"])
    three = scorer.department_year(POLICE, 2023, ["2023-05", "2023-06", "2023-07"])
    assert two.categories["4"] == three.categories["4"] == D("100.5")
    assert (two.total, three.total) == (D("100.075"), D("100.1"))


# An office's own clauses (a root's clauses.toml may add them): matters counted once a
# year without levels, and a monthly deduction whose cases are referred.
OWN_CLAUSES = """
[[clause]]
id = "4.2.8"
text = "经验做法被市级刊物刊发（本办公室增补）"
effect = "+"
kind = "fixed"
points = 1
unit = "项"
exclusive = true

[[clause]]
id = "4.2.9"
text = "创新案例被采纳（本办公室增补）"
effect = "+"
kind = "range"
min = 1
max = 3
unit = "项"
exclusive = true

[[clause]]
id = "3.1.9"
text = "督办事项逾期未办结（本办公室增补）"
effect = "-"
kind = "fixed"
points = 1
unit = "月"
recurring = true
referral = "纪检组织（人事）部门"
"""


def test_an_offices_own_exclusive_and_referred_recurring_clauses_score_as_written():
    # 4.2.8 (fixed 1, once a matter a year), matter a: May +1, July again +0.
    # 4.2.9 (range 1–3, once a matter a year), matter b: May 1.5 stated → +1.5; July 2.5
    #   → the rise, 2.5 − 1.5 = +1.
    # 3.1.9 (1 a month, recurring, referred) from May: −1 in C3 each month, and the case
    #   listed for referral in each month it stands, by its entry.
    # May: C3 = 99, C4 = 100 + 1 + 1.5 = 102.5; July: C3 = 99, C4 = 100 + 0 + 1 = 101.
    from tomllib import loads

    from conftest import departments
    from govscore.ledger.loader import read_toml
    from govscore.ledger.text import parse_toml_ledger
    from govscore.rules.catalog import parse_catalog
    from govscore.rules.config import parse_weights
    from govscore.rules.scoring import Scorer
    from govscore.rules.validate import review

    shipped = (DATA / "clauses.toml").read_text(encoding="utf-8")
    own = parse_catalog(loads(shipped + OWN_CLAUSES), "clauses.toml")
    led = {
        "2023-05": toml(
            entry(POLICE, "4.2.8", matter="a", id="fixed-may"),
            entry(POLICE, "4.2.9", points=1.5, matter="b", id="range-may"),
            entry(POLICE, "3.1.9", recurring=True, id="standing"),
        ),
        "2023-07": toml(
            entry(POLICE, "4.2.8", matter="a", id="fixed-july"),
            entry(POLICE, "4.2.9", points=2.5, matter="b", id="range-july"),
        ),
    }
    entries = [
        e for month, text in led.items() for e in parse_toml_ledger(text, month, month).entries
    ]
    book = review(entries, own, departments())
    assert not book.problems, [str(p) for p in book.problems]
    weights = parse_weights(read_toml(DATA / "weights.toml"), "weights.toml")
    scorer = Scorer(book, own, weights, departments())
    may = scorer.department_month(POLICE, "2023-05")
    july = scorer.department_month(POLICE, "2023-07")
    assert (may.categories["3"], may.categories["4"]) == (99, D("102.5"))
    assert (july.categories["3"], july.categories["4"]) == (99, 101)
    assert [(r.entry, r.clause, r.month, r.to) for r in july.referrals] == [
        ("standing", "3.1.9", "2023-07", "纪检组织（人事）部门")
    ]
    # The working shown: the matter's worth (what was stated, or the clause's points)
    # and what it counted.
    assert {line.entry.id: line.how for line in (*may.lines, *july.lines)} == {
        "fixed-may": "1，同一事项最高层级计分：计 1",
        "range-may": "1.5，同一事项最高层级计分：计 1.5",
        "standing": "每月 1 项 × 1",
        "fixed-july": "1，同一事项最高层级计分：计 0",
        "range-july": "2.5，同一事项最高层级计分：计 1",
    }


def test_cells_summed_apart_join_a_months_own_and_copies_stay_apart():
    # A cold read sums a month's plain entries in helper processes and joins them to the
    # month's cells (Cells.add_month); the cache keeps a month as the text it wrote until
    # a cell of it is asked for. Points: 2.4.3 −1 a case, 2.4.13 −5 (referred), 3.3.1
    # +0.3 (cap A, category 3), 4.4.5 vetoes (0 points).
    from conftest import catalog
    from govscore.ledger.cachefile import cell_text, month_cells, month_text, stored_cells
    from govscore.model import Entry
    from govscore.rules.scoring import Cell, Cells

    clauses = catalog().clauses
    late, bribe, train, veto = (clauses[c] for c in ("2.4.3", "2.4.13", "3.3.1", "4.4.5"))
    referred = "纪检组织（人事）部门"

    def cell(*counted: tuple[str, object, Decimal]) -> Cell:
        made = Cell()
        for entry_id, clause, amount in counted:
            made.add(Entry(entry_id, "2023-05"), clause, amount)  # type: ignore[arg-type]
        return made

    own = cell(("a", late, D(-1)), ("b", bribe, D(-5)))
    cells = Cells({(POLICE, "2023-05"): own})
    cells.written("2023-05", "as written")
    assert cells.raw("2023-05") == "as written"
    # Joined: 市公安局's own −6 in C2 (−1, −5) and the helper's −7 (−2, −5) → −13; the
    # helper's bonus, veto and referral kept beside the month's own; 市民政局 had no
    # cell of its own.
    helper = cell(("c", late, D(-2)), ("d", train, D("0.6")), ("v", veto, D(0)))
    helper.add(Entry("e", "2023-05"), bribe, D(-5))  # type: ignore[arg-type]
    cells.add_month("2023-05", {POLICE: helper, "市民政局": cell(("f", late, D(-3)))})
    assert cells.raw("2023-05") is None  # the text written before no longer holds
    police = cells[(POLICE, "2023-05")]
    assert (police.sums, police.capped, police.cap_category) == (
        {"2": D(-13)},
        {"A": D("0.6")},
        {"A": "3"},
    )
    assert police.clauses == {"2.4.3": D(-3), "2.4.13": D(-10), "3.3.1": D("0.6")}
    assert police.vetoes == ["v"]
    assert police.referrals == [("b", "2.4.13", referred), ("e", "2.4.13", referred)]
    assert cells[("市民政局", "2023-05")].sums == {"2": D(-3)}
    # A month with no cells yet takes those summed elsewhere as they are stored.
    cells.add_month("2023-06", stored_cells({POLICE: cell_text(cell(("g", late, D(-1))))}))
    assert cells.get((POLICE, "2023-06")).sums == {"2": D(-1)}  # type: ignore[union-attr]
    # Handed over as a plain mapping, the mapping stays the caller's: a cell set in the
    # month later is not added to it.
    handed = {POLICE: cell(("i", late, D(-1)))}
    cells.add_month("2023-08", handed)
    cells.written("2023-08", "as written")
    cells[("市民政局", "2023-08")] = cell(("j", late, D(-1)))
    assert list(handed) == [POLICE]
    assert cells.raw("2023-08") is None  # a cell set: the text written no longer holds
    # A month kept as text reads as it was written until a cell of it is asked for.
    july = Cells({("市民政局", "2023-07"): cell(("h", late, D(-4)))})
    text = month_text(july, "2023-07")
    cells.keep_raw("2023-07", text, month_cells)
    assert cells.raw("2023-07") == text
    # A cell set in a month kept as text joins the month's others.
    cells[(POLICE, "2023-07")] = cell(("k", late, D(-2)))
    assert ("市民政局", "2023-07") in cells and ("市体育局", "2023-07") not in cells
    assert ("市民政局", "2023-07", "") not in cells and "2023-07" not in cells
    assert cells[("市民政局", "2023-07")].sums == {"2": D(-4)}
    assert cells[(POLICE, "2023-07")].sums == {"2": D(-2)}
    assert list(cells) == [
        (POLICE, "2023-05"),
        ("市民政局", "2023-05"),
        (POLICE, "2023-06"),
        ("市民政局", "2023-07"),
        (POLICE, "2023-07"),
        (POLICE, "2023-08"),
        ("市民政局", "2023-08"),
    ]
    assert len(cells) == 7
    # A copy holds the same cells; changing a cell of the copy leaves these as they were,
    # whether the cell was decoded from text or summed here.
    copied = cells.copy()
    assert copied == cells and cells == dict(cells.items()) and cells != list(cells)
    copied[(POLICE, "2023-05")].add_amount(late, D(-1))
    copied[(POLICE, "2023-06")].add_amount(late, D(-1))
    assert copied != cells
    assert cells[(POLICE, "2023-05")].sums == {"2": D(-13)}
    assert cells[(POLICE, "2023-06")].sums == {"2": D(-1)}


def test_the_months_a_recurring_entry_stands_in_are_known():
    # A recurring entry from March closed through May stands in March to May only (a
    # month with no ledger file of its own is still assessed while one stands).
    led = {
        "2023-03": toml(
            entry(POLICE, "3.1.3", recurring=True, id="r1"),
            entry(close="r1", through="2023-05", id="c1"),
        )
    }
    scorer = scorer_from(led)
    months = ("2023-02", "2023-03", "2023-05", "2023-06")
    assert [scorer.stands_in(m) for m in months] == [False, True, True, False]
