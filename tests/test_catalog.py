"""The clause catalog: what the shipped one holds, and every mistake in a root's own
clauses.toml named with the file and the clause."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from govscore.errors import ConfigError
from govscore.ledger.loader import load_rules
from govscore.rules.catalog import CapGroup, Clause, parse_catalog

D = Decimal
SOURCE = "clauses.toml"


def fixed(clause_id: str = "2.4.3", **more: Any) -> dict[str, Any]:
    return {"id": clause_id, "effect": "-", "kind": "fixed", "points": 1, **more}


def refused(data: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_catalog(data, SOURCE)
    return caught.value.message


def test_the_shipped_catalog_reads_as_the_measures_say():
    catalog, _ = load_rules(None)
    assert len(catalog) == 77
    assert catalog.source == "govscore:clauses.toml"
    assert {n: c.limit for n, c in catalog.caps.items()} == {
        "A": 1,
        "B": 1,
        "C": D("0.3"),
        "D": D("0.3"),
    }
    exclusive = catalog.get("4.2.2")
    assert exclusive is not None
    assert (exclusive.kind, exclusive.effect, exclusive.exclusive, exclusive.sign) == (
        "levels",
        "+",
        True,
        1,
    )
    assert exclusive.levels == (("市级", D(2)), ("省级", D(5)), ("国家级", D(10)))
    assert exclusive.level_points("省级") == 5 and exclusive.level_points("县级") is None
    assert catalog.get("2.4.3") == Clause(
        id="2.4.3",
        text="受理事项未在承诺时限内办结（服务对象个人原因除外）",
        effect="-",
        kind="fixed",
        unit="件次",
        points=D(1),
    )
    follow_up = catalog.get("4.3.2")
    assert follow_up is not None and follow_up.ref == ("4.3.1",)
    hall = catalog.get("2.3.11")
    assert hall is not None
    assert (hall.min, hall.max, hall.applies_to, hall.category) == (D(1), D(2), "hall", "2")
    rate = catalog.get("2.5.2")
    assert rate is not None and (rate.kind, rate.per_point) == ("rate", D("0.1"))
    veto = catalog.get("4.4.1")
    assert veto is not None and (veto.kind, veto.effect, veto.sign) == ("veto", "veto", 0)
    assert catalog.get("9.9.9") is None
    assert catalog.suggest("2.4.33") == ["2.4.3", "2.4.13", "4.4.3"]  # closest first, 3 at most


def test_every_kind_of_clause_is_read_with_its_fields():
    data = {
        "caps": {"A": {"limit": 1, "text": "帮办代办"}, "B": {"limit": "0.3"}},
        "clause": [
            fixed("1.1.1", text="t", unit="项", notes="n"),
            # Annual here: exclusive and annual together are refused (review BK F1).
            {
                "id": "2.3.11",
                "effect": "-",
                "kind": "range",
                "min": 1,
                "max": "2.5",
                "annual": True,
            },
            {
                "id": "4.2.2",
                "effect": "+",
                "kind": "levels",
                "levels": [{"name": "市级", "points": 2}, {"name": "省级", "points": 5.5}],
                "exclusive": True,
            },
            {"id": "2.5.2", "effect": "-", "kind": "rate", "per_point": 0.1},
            {"id": "4.2.5", "effect": "+", "kind": "discretionary", "cap": "A"},
            {"id": "4.4.1", "effect": "veto", "kind": "veto", "referral": "纪检"},
            fixed("3.1.3", recurring=True, applies_to="one_window"),
            fixed("4.3.2", ref=["1.1.1"]),
        ],
    }
    catalog = parse_catalog(data, SOURCE)
    assert list(catalog.clauses) == [
        "1.1.1",
        "2.3.11",
        "4.2.2",
        "2.5.2",
        "4.2.5",
        "4.4.1",
        "3.1.3",
        "4.3.2",
    ]
    first = catalog.get("1.1.1")
    assert first == Clause("1.1.1", "t", "-", "fixed", "项", points=D(1), notes="n")
    ranged = Clause("2.3.11", "", "-", "range", min=D(1), max=D("2.5"), annual=True)
    assert catalog.get("2.3.11") == ranged
    assert catalog.get("4.2.2").levels == (("市级", D(2)), ("省级", D("5.5")))  # type: ignore[union-attr]
    assert catalog.get("4.2.2").exclusive  # type: ignore[union-attr]
    assert catalog.get("2.5.2").per_point == D("0.1")  # type: ignore[union-attr]
    discretionary = catalog.get("4.2.5")
    assert discretionary == Clause("4.2.5", "", "+", "discretionary", cap="A")
    assert catalog.get("4.4.1").referral == "纪检"  # type: ignore[union-attr]
    recurring = catalog.get("3.1.3")
    assert recurring is not None
    assert (recurring.recurring, recurring.applies_to, recurring.exclusive) == (
        True,
        "one_window",
        False,
    )
    assert catalog.get("4.3.2").ref == ("1.1.1",)  # type: ignore[union-attr]
    # Each cap group whole (its text is shown in docs/clauses.md): one without text has none.
    assert catalog.caps == {
        "A": CapGroup("A", D(1), "帮办代办"),
        "B": CapGroup("B", D("0.3"), ""),
    }
    assert len(catalog) == 8 and catalog.source == SOURCE


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"caps": {"A": 1}, "clause": [fixed()]},
            "clauses.toml: [caps] A: needs a limit, e.g. A = { limit = 1 }",
        ),
        (
            {"caps": {"A": {"text": "x"}}, "clause": [fixed()]},
            "clauses.toml: [caps] A: needs a limit, e.g. A = { limit = 1 }",
        ),
        (
            {"caps": {"A": {"limit": "x"}}, "clause": [fixed()]},
            'clauses.toml: [caps] A: expected a number, got "x"',  # as TOML writes it
        ),
        (
            {"caps": {"A": {"limit": True}}, "clause": [fixed()]},
            "clauses.toml: [caps] A: expected a number, got true",  # not True (review BH F11)
        ),
        ({}, "clauses.toml: no [[clause]] tables; a catalog lists every clause it scores"),
        ({"clause": [fixed(), fixed()]}, "clauses.toml: clause 2.4.3 is defined twice"),
        (
            {"clause": [fixed(ref=["9.9.9"])]},
            "clauses.toml: clause 2.4.3 refers to unknown clause 9.9.9",
        ),
        (
            {"clause": [fixed("2.4")]},
            "clauses.toml: clause #1: id '2.4' is not of the form C.I.K (e.g. 2.4.3)",
        ),
        (
            {"clause": [fixed(), fixed("2.x.1")]},
            "clauses.toml: clause #2: id '2.x.1' is not of the form C.I.K (e.g. 2.4.3)",
        ),
        (
            {"clause": [fixed(effect="~")]},
            "clauses.toml: clause 2.4.3: effect '~' is not one of -, +, veto",
        ),
        (
            {"clause": [fixed(kind="bonus")]},
            "clauses.toml: clause 2.4.3: kind 'bonus' is not one of fixed, range, levels, rate, discretionary, veto",
        ),
        (
            {"clause": [fixed(kind="veto")]},
            "clauses.toml: clause 2.4.3: a veto clause has effect 'veto' and kind 'veto'",
        ),
        (
            {"clause": [fixed(effect="veto")]},
            "clauses.toml: clause 2.4.3: a veto clause has effect 'veto' and kind 'veto'",
        ),
        (
            {"clause": [fixed(points=None)]},
            "clauses.toml: clause 2.4.3: points: missing: give a number",
        ),
        (
            {"clause": [fixed(kind="range", min=2, max=1)]},
            "clauses.toml: clause 2.4.3: min is above max",
        ),
        (
            {"clause": [fixed(kind="range", min=1)]},
            "clauses.toml: clause 2.4.3: max: missing: give a number",
        ),
        (
            {"clause": [fixed(kind="range", max=1)]},
            "clauses.toml: clause 2.4.3: min: missing: give a number",
        ),
        (
            {"clause": [fixed(kind="levels")]},
            "clauses.toml: clause 2.4.3: a levels clause lists its levels",
        ),
        (
            {"clause": [fixed(kind="levels", levels=[{"name": "市级"}])]},
            "clauses.toml: clause 2.4.3: level points: missing: give a number",
        ),
        (
            {"clause": [fixed(kind="rate")]},
            "clauses.toml: clause 2.4.3: per_point: missing: give a number",
        ),
        (
            {"clause": [fixed(cap="Z")]},
            "clauses.toml: clause 2.4.3: cap group 'Z' is not defined under [caps]",
        ),
        (
            {
                "caps": {"A": {"limit": 1}},
                "clause": [
                    fixed("3.3.1", effect="+", cap="A"),
                    fixed("4.2.5", effect="+", cap="A"),
                    fixed("3.3.2", effect="+", cap="A"),
                ],
            },
            "clauses.toml: cap group A holds clauses of category 3 (3.3.1, 3.3.2) and category "
            "4 (4.2.5): a cap cuts its group's bonuses from one category's score, so a group's "
            "clauses lie in one category, as every group of the measures does; give the clauses "
            "of each category a cap group of their own",
        ),
        (
            {
                "caps": {"F": {"limit": 1}},
                "clause": [fixed("4.2.4", effect="+", cap="F", annual=True)],
            },
            "clauses.toml: cap group F holds clause 4.2.4, which is annual (annual = true): a "
            "cap limits a group's bonuses in a month, and an annual clause counts in the year's "
            'score only, so its cap would never apply; take cap = "F" out of clause 4.2.4',
        ),
        # Sizes, never signs: a minus would turn a deduction into a bonus, a cap into a cost.
        (
            {"clause": [fixed(points=-2)]},
            "clauses.toml: clause 2.4.3: points must be more than 0, got -2 (a deduction or "
            "bonus is said by the clause's effect, not by a sign)",
        ),
        (
            {"clause": [fixed(points=0)]},
            "clauses.toml: clause 2.4.3: points must be more than 0, got 0 (a deduction or "
            "bonus is said by the clause's effect, not by a sign)",
        ),
        (
            {"clause": [fixed(kind="range", min=-1, max=1)]},
            "clauses.toml: clause 2.4.3: min must be more than 0, got -1 (a deduction or bonus "
            "is said by the clause's effect, not by a sign)",
        ),
        (
            {"clause": [fixed(kind="levels", levels=[{"name": "市级", "points": -2}])]},
            "clauses.toml: clause 2.4.3: level points must be more than 0, got -2 (a deduction "
            "or bonus is said by the clause's effect, not by a sign)",
        ),
        (
            {"clause": [fixed(kind="rate", per_point="-0.1")]},
            "clauses.toml: clause 2.4.3: per_point must be more than 0, got -0.1 (a deduction "
            "or bonus is said by the clause's effect, not by a sign)",
        ),
        (
            {"caps": {"A": {"limit": -5}}, "clause": [fixed()]},
            "clauses.toml: [caps] A: limit must be more than 0, got -5 (a deduction or bonus "
            "is said by the clause's effect, not by a sign)",
        ),
    ],
)
def test_a_broken_catalog_names_the_file_the_clause_and_what_is_allowed(data, message):
    assert refused(data) == message


def test_a_range_may_be_a_single_value():
    catalog = parse_catalog({"clause": [fixed(kind="range", min=1, max=1)]}, SOURCE)
    assert catalog.get("2.4.3").min == catalog.get("2.4.3").max == 1  # type: ignore[union-attr]


def test_points_are_described_as_a_clerk_reads_them():
    """Shown by `clause`, `clauses` and docs/clauses.md: plain figures, no trailing zeros."""
    data = {
        "clause": [
            fixed("1.1.1", points="0.50"),
            fixed("1.1.2", points=10),
            {"id": "2.3.11", "effect": "-", "kind": "range", "min": "1.0", "max": 2},
            {
                "id": "4.2.2",
                "effect": "+",
                "kind": "levels",
                "levels": [{"name": "市级", "points": 2}, {"name": "省级", "points": "5.0"}],
            },
            {"id": "2.5.2", "effect": "-", "kind": "rate", "per_point": "0.10"},
            {"id": "4.2.5", "effect": "+", "kind": "discretionary"},
            {"id": "4.4.1", "effect": "veto", "kind": "veto"},
        ]
    }
    catalog = parse_catalog(data, SOURCE)
    described = {c.id: c.describe_points() for c in catalog}
    assert described == {
        "1.1.1": "0.5",
        "1.1.2": "10",
        "2.3.11": "1–2",
        "4.2.2": "市级 2 · 省级 5",
        "2.5.2": "每少1% 0.1",
        "4.2.5": "视情",
        "4.4.1": "一票否决",
    }
    capped = catalog.with_ceiling(D("7.50"))
    assert capped.get("4.2.5").describe_points() == "视情 ≤7.5"  # type: ignore[union-attr]
    assert capped.get("1.1.1") == catalog.get("1.1.1")  # only discretionary clauses change


def test_a_clause_without_an_id_and_a_source_with_colons_are_named_whole():
    """The clause's place replaces only its own part of the message: a Windows path or the
    shipped catalog's `govscore:` prefix keeps its colons."""
    assert refused({"clause": [{"effect": "-"}]}) == (
        "clauses.toml: clause #1: id '' is not of the form C.I.K (e.g. 2.4.3)"
    )
    source = "C:/office/clauses.toml"
    with pytest.raises(ConfigError) as caught:
        parse_catalog({"clause": [fixed(effect="~")]}, source)
    assert caught.value.message == (
        "C:/office/clauses.toml: clause 2.4.3: effect '~' is not one of -, +, veto"
    )
