"""Properties that hold for any ledger: order does not matter, voids restore, caps hold."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import scorer_from
from ledgertext import entry, toml

DEPARTMENTS = ["市公安局", "市民政局", "市司法局"]
MONTHS = ["2023-01", "2023-02", "2023-03"]

# (clause, extra fields) drawn from every kind that scores points.
KINDS = st.sampled_from(
    [
        ("2.4.3", {}),
        ("1.2.2", {}),
        ("2.4.10", {"points": 1.5}),
        ("4.2.5", {"points": 0.7}),
        ("4.4.3", {"level": "市委市政府"}),
        ("3.3.1", {}),
        ("3.3.2", {}),
        ("3.3.7", {}),
        ("4.2.1", {}),
        ("4.2.3", {"points": 0.3}),
        ("3.1.3", {"recurring": True}),
        ("4.2.2", {"level": "市级", "matter": "甲"}),
        ("4.2.2", {"level": "省级", "matter": "甲"}),
        ("4.2.4", {"level": "国家级"}),
        ("2.5.2", {"value": 91.5}),
        ("4.4.1", {}),
    ]
)


@st.composite
def ledgers(draw):
    """A list of (month, entry) pairs; at most one rate value per clause, department, month."""
    rows = []
    seen_rates = set()
    for n in range(draw(st.integers(0, 25))):
        clause, extra = draw(KINDS)
        department = draw(st.sampled_from(DEPARTMENTS))
        month = draw(st.sampled_from(MONTHS))
        count = {} if clause in ("2.5.2", "4.2.2") else {"count": draw(st.integers(1, 4))}
        if clause == "2.5.2":
            if (department, month) in seen_rates:
                continue
            seen_rates.add((department, month))
        rows.append((month, entry(department, clause, id=f"e{n}", **extra, **count)))
    return rows


def as_months(rows) -> dict[str, str]:
    months: dict[str, list] = {m: [] for m in MONTHS}
    for month, fields in rows:
        months[month].append(fields)
    return {m: toml(*entries) for m, entries in months.items()}


def everything(rows) -> list:
    """Every department's month and year scores: what a reordering must not change."""
    scorer = scorer_from(as_months(rows))
    out = []
    for department in DEPARTMENTS:
        for month in MONTHS:
            s = scorer.department_month(department, month)
            out.append((department, month, s.categories, s.total, s.vetoes))
        y = scorer.department_year(department, 2023, MONTHS)
        out.append((department, "year", y.categories, y.total, y.vetoes))
    return out


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(rows=ledgers(), data=st.data())
def test_reordering_entries_changes_no_score(rows, data):
    shuffled = data.draw(st.permutations(rows))
    assert everything(shuffled) == everything(rows)


@SETTINGS
@given(rows=ledgers(), data=st.data())
def test_void_of_an_entry_restores_the_scores_from_before_it(rows, data):
    clause, extra = data.draw(KINDS)
    month = data.draw(st.sampled_from(MONTHS))
    department = data.draw(st.sampled_from(DEPARTMENTS))
    if clause == "2.5.2" and any(
        f.get("clause") == "2.5.2" and f["department"] == department and m == month for m, f in rows
    ):
        return  # a second rate value would be rejected, not counted
    added = entry(department, clause, id="extra", **extra)
    voided = [*rows, (month, added), (month, entry(void="extra", reason="申诉成立", id="v"))]
    assert everything(voided) == everything(rows)


CAP_KINDS = st.sampled_from(
    [("3.3.1", "0.3"), ("3.3.2", "0.2"), ("3.3.4", "0.1"), ("3.3.6", "0.2"), ("4.2.1", "0.1")]
)


@SETTINGS
@given(
    picks=st.lists(st.tuples(CAP_KINDS, st.integers(1, 6)), max_size=12),
    deductions=st.integers(0, 5),
)
def test_caps_are_never_exceeded(picks, deductions):
    rows = [entry("市公安局", clause, count=count) for (clause, _), count in picks]
    rows.append(entry("市公安局", "3.1.1", count=deductions)) if deductions else None
    score = scorer_from({"2023-05": toml(*rows)}).department_month("市公安局", "2023-05")
    earned = {"A": Decimal(0), "B": Decimal(0), "C": Decimal(0)}
    group = {"3.3.1": "A", "3.3.2": "A", "3.3.4": "A", "3.3.6": "B", "4.2.1": "C"}
    for (clause, each), count in picks:
        earned[group[clause]] += Decimal(each) * count
    limits = {"A": Decimal(1), "B": Decimal(1), "C": Decimal("0.3")}
    capped = {g: min(v, limits[g]) for g, v in earned.items()}
    assert score.categories["3"] == 100 - deductions + capped["A"] + capped["B"]
    assert score.categories["4"] == 100 + capped["C"]
    assert score.categories["3"] <= 100 + 2 and score.categories["4"] <= Decimal("100.3")
