"""The clause catalog: every scoring rule of the measures, by its fixed id (C.I.K)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from typing import Any

from govscore.errors import ConfigError
from govscore.i18n import _, both, listing, toml_value

KINDS = ("fixed", "range", "levels", "rate", "discretionary", "veto")
EFFECTS = ("-", "+", "veto")
STEP = Decimal("0.1")


@dataclass(frozen=True)
class CapGroup:
    """Bonuses of a group's clauses for one department in one month add up to at most `limit`."""

    name: str
    limit: Decimal
    text: str = ""


@dataclass(frozen=True)
class Clause:
    """One scoring rule of the measures."""

    id: str
    text: str
    effect: str
    kind: str
    unit: str = ""
    points: Decimal | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    levels: tuple[tuple[str, Decimal], ...] = ()
    per_point: Decimal | None = None
    cap: str | None = None
    recurring: bool = False
    # Recurring by the measures' own words (自应完成之月起每月扣分: 3.1.3, 3.1.5), not
    # merely allowed to recur (每月扣1分 for a month it happened: 2.4.9): an entry is
    # recorded recurring unless the clerk says otherwise. It implies `recurring`.
    until_closed: bool = False
    ref: tuple[str, ...] = ()
    exclusive: bool = False
    applies_to: str | None = None
    annual: bool = False
    referral: str | None = None
    notes: str = ""
    # The notice (文号, file) whose [limits] set a discretionary clause's ceiling (its
    # max), for a refusal to name; None: weights.toml's (or the default).
    ceiling_by: tuple[str, str] | None = field(default=None, compare=False)

    @cached_property
    def category(self) -> str:
        # Asked for each entry summed and each score worked out: a province's millions.
        return self.id.split(".", 1)[0]

    @property
    def sign(self) -> int:
        """+1 for a bonus, -1 for a deduction, 0 for a veto (no points)."""
        return {"+": 1, "-": -1}.get(self.effect, 0)

    def level_points(self, level: str) -> Decimal | None:
        return dict(self.levels).get(level)

    def describe_points(self) -> str:
        """The points rule in a few characters, as a clerk reads it: 1, 1–2, 市级 2 · 省级 5."""
        if self.kind == "fixed":
            return _plain(self.points)
        if self.kind == "range":
            return f"{_plain(self.min)}–{_plain(self.max)}"
        if self.kind == "levels":
            return " · ".join(f"{name} {_plain(points)}" for name, points in self.levels)
        if self.kind == "rate":
            return f"每少1% {_plain(self.per_point)}"
        if self.kind == "discretionary":
            return "视情" if self.max is None else f"视情 ≤{_plain(self.max)}"
        return "一票否决"


def clause_matches(clause_id: str, wanted: str) -> bool:
    """Whether a clause id is `wanted` or lies in that part of the catalog (2.4 takes 2.4.3,
    not 2.40.1; 2.4. is 2.4): one rule for `log --clause`, its check, and a part given as a clause."""
    return clause_id == wanted or clause_id.startswith(wanted.rstrip(".") + ".")


def _plain(value: Decimal | None) -> str:
    # No mutants (equivalent): a parsed clause always has the figure its kind shows, so
    # None never comes; "F" prints a finite decimal as "f" does, and figures are finite.
    return "" if value is None else format(value.normalize(), "f")  # pragma: no mutate (see above)


@dataclass(frozen=True)
class Catalog:
    """All clauses by id, with the cap groups they name."""

    clauses: dict[str, Clause]
    caps: dict[str, CapGroup] = field(default_factory=dict)
    source: str = ""

    def get(self, clause_id: str) -> Clause | None:
        return self.clauses.get(clause_id)

    def suggest(self, clause_id: str) -> list[str]:
        """Ids close to a mistyped one, for did-you-mean (difflib's defaults: at most 3,
        each at least 60% alike)."""
        return difflib.get_close_matches(clause_id, list(self.clauses))

    def __iter__(self):
        return iter(self.clauses.values())

    def __len__(self) -> int:
        return len(self.clauses)

    def at(self, month: str) -> Catalog:
        """The catalog that scores and validates a month: this one, unless the catalog
        keeps its amendments (govscore.rules.amendments.RuleBook)."""
        return self

    def every_version(self) -> tuple[Catalog, ...]:
        """Every catalog this one has been (one, unless it keeps its amendments)."""
        return (self,)

    def in_force(self, first: str, last: str | None = None) -> list[Catalog]:
        """The catalogs that score the months first..last (None: every month after)."""
        return [self]

    def absent_reason(self, clause_id: str, month: str) -> str | None:
        """Why a clause that is known is not in force in a month: never, for one catalog."""
        return None

    def once_reason(self, clause_id: str, month: str) -> str | None:
        """Why a clause that recurred under earlier rules does not in a month: never, for
        one catalog."""
        return None

    def with_ceiling(self, ceiling: Decimal, by: tuple[str, str] | None = None) -> Catalog:
        """The catalog with each discretionary clause capped at `ceiling` points an entry.

        The ceiling is a root's setting (weights.toml, or the notice `by`: 文号 and file),
        so it joins the catalog once, where the root is read: every validator, the cold
        tally and the cache then judge alike.
        """
        clauses = {
            cid: replace(clause, max=ceiling, ceiling_by=by)
            if clause.kind == "discretionary"
            else clause
            for cid, clause in self.clauses.items()
        }
        return replace(self, clauses=clauses)


def _decimal(value: Any, where: str) -> Decimal:
    if value is None:
        raise ConfigError(_("{where}: missing: give a number").format(where=where))
    if (
        isinstance(value, bool)  # pragma: no mutate (with `and`: Decimal("True") fails alike)
        or not isinstance(value, int | float | Decimal | str)
    ):
        raise ConfigError(
            _("{where}: expected a number, got {value}").format(
                where=where, value=toml_value(value)
            )
        )
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise ConfigError(
            _("{where}: expected a number, got {value}").format(
                where=where, value=toml_value(value)
            )
        ) from None


def _points(value: Any, where: str, field: str) -> Decimal:
    return _more_than_0(_decimal(value, f"{where}: {field}"), where, field)


def _more_than_0(value: Decimal, where: str, field: str) -> Decimal:
    """Points and limits are sizes: a clause's effect (deduction, bonus) gives the sign,
    so a 0 or a minus would quietly turn a deduction into a bonus or a cap into a cost."""
    if value <= 0:
        message = _(
            "{where}: {field} must be more than 0, got {value} (a deduction or bonus is "
            "said by the clause's effect, not by a sign)"
        )
        raise ConfigError(message.format(where=where, field=field, value=value))
    return value


def parse_catalog(data: dict[str, Any], source: str) -> Catalog:
    """Build a catalog from parsed clauses.toml; any mistake names the file and the clause."""
    caps: dict[str, CapGroup] = {}
    for name, spec in (data.get("caps") or {}).items():
        where = _("{file}: [caps] {name}").format(file=source, name=name)
        if not isinstance(spec, dict) or "limit" not in spec:
            message = _("{where}: needs a limit, e.g. {name} = {{ limit = 1 }}")
            raise ConfigError(message.format(where=where, name=name))
        limit = _more_than_0(_decimal(spec["limit"], where), where, "limit")
        caps[name] = CapGroup(name, limit, str(spec.get("text", "")))
    clauses: dict[str, Clause] = {}
    for index, spec in enumerate(data.get("clause") or []):
        where = _("{file}: clause #{number}").format(file=source, number=index + 1)
        clause = _parse_clause(spec, where, caps, source)
        if clause.id in clauses:
            message = _("{file}: clause {id} is defined twice")
            raise ConfigError(message.format(file=source, id=clause.id))
        clauses[clause.id] = clause
    if not clauses:
        message = _("{file}: no [[clause]] tables; a catalog lists every clause it scores")
        raise ConfigError(message.format(file=source))
    for clause in clauses.values():
        for target in clause.ref:
            if target not in clauses:
                message = _("{file}: clause {id} refers to unknown clause {target}")
                raise ConfigError(message.format(file=source, id=clause.id, target=target))
    _check_cap_groups(clauses, source)
    _check_annual(clauses, source)
    return Catalog(clauses, caps, source)


def _check_annual(clauses: dict[str, Clause], source: str) -> None:
    """Ways of counting that exclude each other, refused where a notice (or a root's
    clauses.toml) pairs them, rather than scored as neither. An annual clause counts once,
    in the year's score; a recurring one every month it stands. A clause both (a notice
    making 3.1.3 annual) would score its standing entries every month and new ones once a
    year (review AY F6). An exclusive one counts a matter once a year at its highest level,
    among a year's months: neither once in the year's score nor every month (review BK F1,
    F3: it scored 0). A veto marks a month, and a referral is a month's case: neither
    counts in the year's score alone (BK F2: an annual veto vetoed nothing)."""
    for clause in clauses.values():
        if clause.annual and clause.recurring:
            message = _(
                "{file}: clause {id} is annual (counts once, in the year's score) and "
                "recurring (counts every month until closed), which contradict each other; "
                "write one of them (recurring = false, or annual = false)"
            )
            raise ConfigError(message.format(file=source, id=clause.id))
        if clause.exclusive and (clause.annual or clause.recurring):
            message = _(
                "{file}: clause {id} is exclusive (a matter counts once a year, at its "
                "highest level, among the months) and {other}, which govscore cannot score "
                "together; write exclusive = false, or {fix}"
            )
            other, fix = (
                (_("annual (counts once, in the year's score)"), "annual = false")
                if clause.annual
                else (_("recurring (counts every month until closed)"), "recurring = false")
            )
            raise ConfigError(message.format(file=source, id=clause.id, other=other, fix=fix))
        if clause.annual and (clause.kind == "veto" or clause.referral):
            message = _(
                "{file}: clause {id} is annual (counts once, in the year's score), but {what} "
                "belongs to the month it happened in; write annual = false"
            )
            what = _("a veto") if clause.kind == "veto" else _("a referral")
            raise ConfigError(message.format(file=source, id=clause.id, what=what))


def _check_cap_groups(clauses: dict[str, Clause], source: str) -> None:
    """A cap group's clauses lie in one category and none is annual, as in the measures: a
    cap cuts its group's bonuses from one category's score, and a group over two would
    cut from whichever category the month's last entry named (review AZ F1); it caps a
    month's bonuses, and an annual clause's never pass through a month (AZ F2)."""
    groups: dict[str, dict[str, list[str]]] = {}
    for clause in clauses.values():
        if clause.cap is not None and clause.annual:
            message = _(
                "{file}: cap group {cap} holds clause {id}, which is annual (annual = true): "
                "a cap limits a group's bonuses in a month, and an annual clause counts in "
                'the year\'s score only, so its cap would never apply; take cap = "{cap}" '
                "out of clause {id}"
            )
            raise ConfigError(message.format(file=source, cap=clause.cap, id=clause.id))
        if clause.cap is not None:
            groups.setdefault(clause.cap, {}).setdefault(clause.category, []).append(clause.id)
    for group, by_category in groups.items():
        if len(by_category) > 1:
            message = _(
                "{file}: cap group {cap} holds clauses of {categories}: a cap cuts its "
                "group's bonuses from one category's score, so a group's clauses lie in one "
                "category, as every group of the measures does; give the clauses of each "
                "category a cap group of their own"
            )
            categories = both(
                _("category {category} ({clauses})").format(category=category, clauses=listing(ids))
                for category, ids in sorted(by_category.items())
            )
            raise ConfigError(message.format(file=source, cap=group, categories=categories))


def _parse_clause(
    spec: dict[str, Any], where: str, caps: dict[str, CapGroup], source: str
) -> Clause:
    clause_id = str(spec.get("id", ""))
    parts = clause_id.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        message = _("{where}: id {id!r} is not of the form C.I.K (e.g. 2.4.3)")
        raise ConfigError(message.format(where=where, id=clause_id))
    where = _("{file}: clause {id}").format(file=source, id=clause_id)
    effect = spec.get("effect")
    kind = spec.get("kind")
    if effect not in EFFECTS:
        message = _("{where}: effect {effect!r} is not one of {allowed}")
        raise ConfigError(message.format(where=where, effect=effect, allowed=listing(EFFECTS)))
    if kind not in KINDS:
        message = _("{where}: kind {kind!r} is not one of {allowed}")
        raise ConfigError(message.format(where=where, kind=kind, allowed=listing(KINDS)))
    if (kind == "veto") != (effect == "veto"):
        message = _("{where}: a veto clause has effect 'veto' and kind 'veto'")
        raise ConfigError(message.format(where=where))
    values: dict[str, Any] = {}
    if kind == "fixed":
        values["points"] = _points(spec.get("points"), where, "points")
    elif kind == "range":
        values["min"] = _points(spec.get("min"), where, "min")
        values["max"] = _points(spec.get("max"), where, "max")
        if values["min"] > values["max"]:
            raise ConfigError(_("{where}: min is above max").format(where=where))
    elif kind == "levels":
        levels = spec.get("levels") or []
        if not levels:
            raise ConfigError(_("{where}: a levels clause lists its levels").format(where=where))
        values["levels"] = tuple(
            (str(level["name"]), _points(level.get("points"), where, "level points"))
            for level in levels
        )
    elif kind == "rate":
        values["per_point"] = _points(spec.get("per_point"), where, "per_point")
    cap = spec.get("cap")
    if cap is not None and cap not in caps:
        message = _("{where}: cap group {cap!r} is not defined under [caps]")
        raise ConfigError(message.format(where=where, cap=cap))
    return Clause(
        id=clause_id,
        text=str(spec.get("text", "")),
        effect=effect,
        kind=kind,
        unit=str(spec.get("unit", "")),
        cap=cap,
        recurring=bool(spec.get("recurring") or spec.get("until_closed")),
        until_closed=bool(spec.get("until_closed")),
        ref=tuple(str(r) for r in spec.get("ref", ())),
        exclusive=bool(spec.get("exclusive")),
        applies_to=spec.get("applies_to"),
        annual=bool(spec.get("annual")),
        referral=spec.get("referral"),
        notes=str(spec.get("notes", "")),
        **values,
    )
