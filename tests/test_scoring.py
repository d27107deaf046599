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
