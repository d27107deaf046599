"""Amendments: the catalog and weights as supplementary notices (补充通知) change them.

The measures end: 因上级要求或工作需要指标内容进行调整的……补充通知各相关部门. The office
amends clauses and weights in the middle of a year, and each month must be scored by
the rules in force that month, so that a month already sent upward never changes after
the fact. A root keeps each amendment as its own file, amendments/YYYY-MM-DD.toml, named
by its effective date, holding its notice and only what changes.

Pure: the loader reads the files and hands their parsed TOML here.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from govscore.errors import ConfigError, Problem, did_you_mean
from govscore.figures import plain
from govscore.i18n import _, listing, toml_value
from govscore.model import month_of, next_month
from govscore.rules.catalog import CapGroup, Catalog, Clause, parse_catalog
from govscore.rules.config import (
    DEFAULTS,
    LARGEST_SETTING,
    Weights,
    parse_weights,
    tag_name,
    weight_problems,
)

# Every field a clause may have (govscore/data/clauses.toml explains them).
CLAUSE_FIELDS = (
    "id",
    "text",
    "effect",
    "kind",
    "unit",
    "points",
    "min",
    "max",
    "levels",
    "per_point",
    "cap",
    "recurring",
    "until_closed",
    "ref",
    "exclusive",
    "applies_to",
    "annual",
    "referral",
    "notes",
)
# What a new clause must state (the rest have defaults, as in the catalog).
NEW_CLAUSE_FIELDS = ("text", "effect", "kind")
# What an amendment may change of weights.toml.
WEIGHT_FIELDS = ("base", "floor", "category", "limits")
AMENDMENT_FIELDS = ("notice", "retire", "clause", "caps", *WEIGHT_FIELDS)
NOTICE_FIELDS = ("number", "title", "issued")
AMENDMENT_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# What each clause field holds, so that a hostile amendment is a message, never a crash.
_TEXT_FIELDS = ("id", "text", "effect", "kind", "unit", "cap", "applies_to", "referral", "notes")
_NUMBER_FIELDS = ("points", "min", "max", "per_point")
_FLAG_FIELDS = ("recurring", "until_closed", "exclusive", "annual")


@dataclass(frozen=True)
class Amendment:
    """One supplementary notice: from when it applies, and what it changes."""

    effective: date
    number: str
    title: str
    source: str  # amendments/2023-09-01.toml
    issued: date | None = None
    retire: tuple[str, ...] = ()
    clauses: tuple[dict[str, Any], ...] = ()
    caps: dict[str, Any] = field(default_factory=dict)
    weights: dict[str, Any] = field(default_factory=dict)
    whole: dict[str, Any] | None = None  # a whole catalog (a root's clauses.toml)
    # Fields no clause has were found: the rest is still checked, but it is never applied.
    broken: bool = False


@dataclass(frozen=True)
class Change:
    """One thing a version changed: a clause's field, a new or retired clause, a weight."""

    kind: str  # "catalog" (whole file), "new", "retire", "clause", "cap", "weights"
    id: str = ""
    field: str = ""
    before: str | Levels = ""  # a clause's levels: (name, points) pairs, else text
    after: str | Levels = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON: each value as text; levels as a list of {name, points} (points as text)."""
        found: dict[str, Any] = {"kind": self.kind, "id": self.id, "field": self.field}
        if self.kind in ("clause", "cap", "weights"):
            found.update({"from": _json_value(self.before), "to": _json_value(self.after)})
        return {key: value for key, value in found.items() if value or key == "kind"}

    def describe(self) -> str:
        """The change as the office writes it in a list (reports are in its words)."""
        if self.kind == "catalog":
            return f"条款目录整体替换（{self.id}）"
        if self.kind == "new":
            return f"新增条款 {self.id}"
        if self.kind == "retire":
            return f"废止条款 {self.id}"
        before, after = self.before, self.after
        if self.field == "applies_to":  # a tag by the office's name, as everywhere
            before, after = tag_name(before) if before else "", tag_name(after) if after else ""
        if isinstance(before, tuple) or isinstance(after, tuple):  # as the catalog says them
            before, after = _levels_text(before), _levels_text(after)
        words = VALUE_WORDS.get(self.field or "", _YES_NO if self.field in _FLAGS else {})
        before, after = words.get(before, before), words.get(after, after)
        shown = f"{before or '—'} → {after or '—'}"
        if self.kind == "clause":
            return f"条款 {self.id} {FIELD_NAMES.get(self.field, self.field)}：{shown}"
        if self.kind == "cap":
            return f"加分上限 {self.id} {FIELD_NAMES.get(self.field, self.field)}：{shown}"
        return f"{_weights_field(self.field)}：{shown}"


Levels = tuple[tuple[str, str], ...]


def _json_value(value: str | Levels) -> str | list[dict[str, str]]:
    if isinstance(value, tuple):
        return [{"name": name, "points": points} for name, points in value]
    return value


def _levels_text(value: str | Levels) -> str:
    """市级 2 · 省级 5 · 国家级 10, as the catalog says a clause's levels."""
    if isinstance(value, tuple):
        return " · ".join(f"{name} {points}" for name, points in value)
    return value


def _value(key: str, value: Any) -> str | Levels:
    """A clause field's value in a Change: levels as (name, points) pairs, else text."""
    if key == "levels" and isinstance(value, list | tuple):
        pairs = [level for level in value if isinstance(level, dict)]
        return tuple((_text(level.get("name")), _text(level.get("points"))) for level in pairs)
    return _text(value)


# The fields each kind of clause scores by: a change of kind drops those of the old kind.
KIND_FIELDS = {
    "fixed": ("points",),
    "range": ("min", "max"),
    "levels": ("levels",),
    "rate": ("per_point",),
    "discretionary": (),
    "veto": (),
}

# What the office calls a field's values, in a list of changes (JSON keeps the values).
VALUE_WORDS = {
    "kind": {
        "fixed": "固定分值",
        "range": "分值区间",
        "levels": "按层级计分",
        "rate": "按比率计分",
        "discretionary": "视情计分",
        "veto": "一票否决",
    },
}
_YES_NO = {"true": "是", "false": "否"}
_FLAGS = frozenset({"recurring", "until_closed", "exclusive", "annual"})

# What the office calls each field, in a list of changes.
FIELD_NAMES = {
    "text": "内容",
    "effect": "扣分/加分",
    "kind": "计分方式",
    "unit": "单位",
    "points": "分值",
    "min": "最低分值",
    "max": "最高分值",
    "levels": "层级",
    "per_point": "每少1%扣分",
    "cap": "加分上限组",
    "recurring": "逐月计分",
    "until_closed": "每月扣分，直至终止计分",
    "ref": "关联条款",
    "exclusive": "同一事项按最高层级计分",
    "applies_to": "适用标签",
    "annual": "年度考评",
    "referral": "移送",
    "notes": "说明",
    "limit": "上限",
    "base": "基础分",
    "floor": "保底分",
    "weight": "权重",
    "name": "名称",
    "short": "简称",
    "discretionary": "视情加扣分上限",
}


def _weights_field(where: str) -> str:
    """category.2.weight → 考评类别 2 权重; base → 基础分."""
    parts = where.split(".")
    if parts[0] == "category" and len(parts) == 3:
        return f"考评类别 {parts[1]} {FIELD_NAMES.get(parts[2], parts[2])}"
    return FIELD_NAMES.get(parts[-1], where)


@dataclass(frozen=True)
class Version:
    """The catalog and weights in force from one effective date until the next."""

    effective: date
    number: str
    title: str
    source: str
    catalog: Catalog
    weights: Weights
    changes: tuple[Change, ...] = ()
    issued: date | None = None

    @property
    def first_month(self) -> str:
        """The first month scored by this version (see first_month_of)."""
        return first_month_of(self.effective)

    def label(self) -> str:
        """How a report names the version: its effective date and notice number."""
        return f"{self.effective.isoformat()} {self.number}"

    def as_dict(self) -> dict[str, str]:
        return {"effective": self.effective.isoformat(), "number": self.number}


class RuleBook(Catalog):
    """A catalog with its history: every version, each with its own weights.

    As a Catalog it holds every clause ever in force (each as last defined), so that an
    old entry of a retired clause can still be named; `at(month)` is the catalog that
    scores and validates that month.
    """

    def __init__(self, versions: Sequence[Version], problems: Sequence[Problem] = ()):
        clauses: dict[str, Clause] = {}
        caps: dict[str, CapGroup] = {}
        for version in versions:
            clauses.update(version.catalog.clauses)
            caps.update(version.catalog.caps)
        super().__init__(clauses, caps, versions[-1].catalog.source)
        object.__setattr__(self, "versions", tuple(versions))
        object.__setattr__(self, "problems", tuple(problems))
        object.__setattr__(self, "_by_month", {})

    versions: tuple[Version, ...]
    problems: tuple[Problem, ...]

    def __reduce__(self) -> Any:
        return (RuleBook, (self.versions, self.problems))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RuleBook) and self.versions == other.versions

    def __hash__(self) -> int:
        return hash(tuple(v.source for v in self.versions))

    @property
    def latest(self) -> Version:
        return self.versions[-1]

    def version_for(self, month: str) -> Version:
        """The version in force on the month's first day (the first one before it began)."""
        cache: dict[str, Version] = self._by_month  # type: ignore[attr-defined]
        found = cache.get(month)
        if found is None:
            # Before the first date, the versions of that date (the measures, and a root's
            # own clauses.toml in their place) score every earlier month too.
            first = self.versions[0].effective
            found = self.versions[0]
            for version in self.versions:
                if version.first_month <= month or version.effective == first:
                    found = version
            cache[month] = found
        return found

    def at(self, month: str) -> Catalog:
        return self.version_for(month).catalog

    def weights_at(self, month: str) -> Weights:
        return self.version_for(month).weights

    def versions_for(self, months: Iterable[str]) -> list[Version]:
        """The versions in force in a period's months, in order (their weights weighed them)."""
        used = {id(self.version_for(m)): self.version_for(m) for m in sorted(months)}
        return list(used.values())

    def named_for(self, months: Iterable[str]) -> list[Version]:
        """The versions a report names: those in force, each with the notices that first
        applied in the same month before it (one effective 09-20 and one 10-01 both apply
        from October: the later is in force, the earlier's changes are in it, and the
        report must name both). A root's own clauses.toml, of the first version's date,
        replaces the measures whole: the measures are not named beside it."""
        named: dict[int, Version] = {}
        for version in self.versions_for(months):
            for earlier in self.versions[: self.versions.index(version)]:
                if (
                    earlier.first_month == version.first_month
                    and earlier.effective != version.effective
                ):
                    named.setdefault(id(earlier), earlier)
            named.setdefault(id(version), version)
        return list(named.values())

    def every_version(self) -> tuple[Catalog, ...]:
        return tuple(v.catalog for v in self.versions)

    def in_force(self, first: str, last: str | None = None) -> list[Catalog]:
        found = [self.at(first)]
        for version in self.versions:
            starts = version.first_month
            # Not one a later notice of the same first month replaced.
            later = first < starts and (last is None or starts <= last)
            if later and self.version_for(starts) is version:
                found.append(version.catalog)
        return found

    def left_out(self, month: str) -> list[str]:
        """The amendment files left out for a problem that would be in force in `month`:
        an entry of that month would be judged by the rules before them. One whose name
        gives no date might be in force in any month."""
        found: list[str] = []
        for problem in self.problems:
            folder, _slash, name = problem.file.partition("/")
            if folder != "amendments" or problem.file in found:
                continue
            effective = amendment_date(name.removesuffix(".toml"))
            if effective is None or first_month_of(effective) <= month:
                found.append(problem.file)
        return found

    def absent_reason(self, clause_id: str, month: str) -> str | None:
        """Why a clause known to the book is not in force in a month (retired, or not yet).

        The same for every month under one version (validators judge once per version)."""
        if clause_id not in self.clauses or clause_id in self.at(month).clauses:
            return None
        versions = self.versions
        now = versions.index(self.version_for(month))
        having = [i for i, v in enumerate(versions) if clause_id in v.catalog.clauses]
        if having[0] > now:
            return came_text(clause_id, versions[having[0]])
        return gone_text(clause_id, versions[max(i for i in having if i <= now) + 1])

    def once_reason(self, clause_id: str, month: str) -> str | None:
        """Why a clause that recurred under earlier rules does not in a month: the notice
        that made it count once (`add --recurring` is refused naming it: review AV F7)."""
        versions = self.versions
        for place in range(versions.index(self.version_for(month)), 0, -1):
            before = versions[place - 1].catalog.clauses.get(clause_id)
            after = versions[place].catalog.clauses.get(clause_id)
            if before is None or after is None or after.recurring:
                return None
            if before.recurring:
                version = versions[place]
                return _(
                    "clause {clause} no longer counts every month from {effective} ({number}): "
                    "an entry of {month} cannot recur (`govscore clauses --month {month}` lists "
                    "the clauses that can)"
                ).format(
                    clause=clause_id,
                    effective=version.effective.isoformat(),
                    number=version.number,
                    month=month,
                )
        return None

    def span(self, clause_id: str) -> tuple[Version | None, Version | None]:
        """The version that brought a clause in (None: the first rules, which score every
        month before them too) and the one that retired it (None: in force still), so
        `clause` can say which months it may be recorded for. Ids are never reused: a
        clause is in force in one run of versions."""
        versions = self.versions
        having = [i for i, v in enumerate(versions) if clause_id in v.catalog.clauses]
        if not having:
            return None, None
        came = versions[having[0]]
        after = having[-1] + 1
        return (
            None if came.effective == versions[0].effective else came,
            versions[after] if after < len(versions) else None,
        )

    def with_ceiling(self, ceiling: Any, by: Any = None) -> RuleBook:
        return self  # each version is capped by its own weights when it is built

    def history(self, clause_id: str) -> list[tuple[Version, Clause | None]]:
        """Each version where the clause came, changed or went: (version, clause or None)."""
        found: list[tuple[Version, Clause | None]] = []
        before: Clause | None = None
        for version in self.versions:
            now = version.catalog.get(clause_id)
            if now != before:
                found.append((version, now))
            before = now
        return found


def came_text(clause_id: str, came: Version) -> str:
    """That a clause is in force only from a notice: earlier months cannot record it."""
    return _(
        "clause {id} is in force from {effective} ({number}): it can be recorded only "
        "for {first} or later"
    ).format(id=clause_id, effective=came.effective, number=came.number, first=came.first_month)


def gone_text(clause_id: str, gone: Version) -> str:
    """That a notice retired a clause: its months on cannot record it."""
    return _(
        "clause {id} was retired from {effective} ({number}): it cannot be recorded "
        "for {first} or later"
    ).format(id=clause_id, effective=gone.effective, number=gone.number, first=gone.first_month)


def first_month_of(effective: date) -> str:
    """The first month a notice effective on `effective` scores: a month is scored by the
    rules in force on its first day, so one effective 2023-09-15 applies from October."""
    month = month_of(effective)
    return month if effective.day == 1 else next_month(month)


def amendment_date(name: str) -> date | None:
    """The effective date an amendment file's name (without .toml) gives, or None."""
    if not AMENDMENT_NAME.match(name):
        return None
    try:
        return date.fromisoformat(name)
    except ValueError:
        return None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | Decimal):
        return _number(value)
    if isinstance(value, list | tuple):
        return ", ".join(
            _text(v) if not isinstance(v, dict) else _text(list(v.values())) for v in value
        )
    return "" if value is None else str(value)


def _number(value: float | Decimal) -> str:
    """A number as the notice wrote it: the decimal a clause scores by (Decimal(str(value)),
    as the catalog reads it), in full and never in exponent form (format "g" kept six
    digits, 0.1234567 → 0.123457, and wrote 0.00001 as 1e-05)."""
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    return plain(exact) if exact.is_finite() else str(value)


def parse_amendment(
    data: dict[str, Any], source: str, effective: date
) -> tuple[Amendment | None, list[Problem]]:
    """An amendment from its parsed TOML; what is wrong with it, as problems of its file."""
    problems: list[Problem] = []

    def bad(message: str) -> None:
        problems.append(Problem(source, 0, message))

    def only(table: dict[str, Any], allowed: Sequence[str], message: str) -> None:
        for key in table:
            if key not in allowed:
                bad(message.format(key=key, allowed=listing(allowed)))

    only(data, AMENDMENT_FIELDS, _("{key}: an amendment holds only {allowed}"))
    notice = data.get("notice")
    if not isinstance(notice, dict) or not str(notice.get("number") or "").strip():
        bad(_('[notice] needs the notice\'s number (文号), e.g. number = "烟政管办〔2023〕9号"'))
        notice = notice if isinstance(notice, dict) else {}
    only(notice, NOTICE_FIELDS, _("[notice] {key}: a notice has only {allowed}"))
    issued = notice.get("issued")
    if issued is not None and not isinstance(issued, date):
        bad(_("[notice] issued is a date, e.g. issued = 2023-08-25"))
        issued = None
    retire = data.get("retire", [])
    if not isinstance(retire, list) or not all(isinstance(r, str) for r in retire):
        bad(_('retire is a list of clause ids, e.g. retire = ["2.2.5"]'))
        retire = []
    clauses = data.get("clause", [])
    if not isinstance(clauses, list) or not all(isinstance(c, dict) for c in clauses):
        bad(_("[[clause]] tables name a clause's id and the fields that change"))
        clauses = []
    tables = {name: data.get(name) for name in ("caps", "category", "limits")}
    for name, value in tables.items():
        if value is not None and not isinstance(value, dict):
            bad(_("[{name}] must be a table, as in the catalog or weights.toml").format(name=name))
    if problems:
        return None, problems
    for index, spec in enumerate(clauses, start=1):
        if not str(spec.get("id") or ""):
            bad(_("clause #{number}: no id (the clause it changes or adds)").format(number=index))
        for key in spec:
            if key not in CLAUSE_FIELDS:
                bad(
                    _("clause {id}: {key} is a field no clause has (fields: {allowed})").format(
                        id=spec.get("id", f"#{index}"), key=key, allowed=listing(CLAUSE_FIELDS)
                    )
                )
        for key, value in spec.items():
            wrong = _wrong_value(key, value)
            if wrong:
                bad(
                    _("clause {id}: {key} = {value}: {wrong}").format(
                        id=spec.get("id", f"#{index}"),
                        key=key,
                        value=toml_value(value),
                        wrong=wrong,
                    )
                )
    for name, spec in (data.get("caps") or {}).items():
        limit = spec.get("limit") if isinstance(spec, dict) else None
        if limit is not None and _wrong_value("points", limit):
            message = _("[caps] {name}: limit = {value}: {wrong}")
            wrong = _wrong_value("points", limit)
            bad(message.format(name=name, value=toml_value(limit), wrong=wrong))
    # A broken amendment is still tried (for its other problems), without its wrong values.
    kept = tuple(
        {k: v for k, v in spec.items() if k in CLAUSE_FIELDS and not _wrong_value(k, v)}
        for spec in clauses
    )
    caps = {
        name: spec
        for name, spec in (data.get("caps") or {}).items()
        if not (isinstance(spec, dict) and _wrong_value("points", spec.get("limit", 0)))
    }
    weights = {key: data[key] for key in WEIGHT_FIELDS if key in data}
    return (
        Amendment(
            effective=effective,
            number=str(notice["number"]).strip(),
            title=str(notice.get("title") or "").strip(),
            source=source,
            issued=issued,
            retire=tuple(retire),
            clauses=tuple(spec for spec in kept if spec.get("id")),
            caps=caps,
            weights=weights,
            broken=bool(problems),
        ),
        problems,
    )


def _wrong_value(key: str, value: Any) -> str | None:
    """What is wrong with a clause field's value, in words; None when it is of its kind."""
    if key in _TEXT_FIELDS and not isinstance(value, str):
        return _("expected text")
    if key in _NUMBER_FIELDS and not _finite(value):
        return _("expected a finite number")
    if key in _FLAG_FIELDS and not isinstance(value, bool):
        return _("expected true or false")
    if key == "ref" and not (isinstance(value, list) and all(isinstance(r, str) for r in value)):
        return _('expected a list of clause ids, e.g. ["4.3.1"]')
    if key == "levels" and not (
        isinstance(value, list)
        and all(
            isinstance(level, dict)
            and isinstance(level.get("name"), str)
            and _finite(level.get("points"))
            for level in value
        )
    ):
        return _('expected a list of levels, e.g. [{ name = "市级", points = 2 }]')
    return None


def _finite(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and value == value  # not NaN
        and abs(value) <= LARGEST_SETTING
    )


@dataclass
class _State:
    """The raw catalog and weights as amended so far."""

    catalog: dict[str, Any]
    weights: dict[str, Any]


def build_rulebook(
    first: Amendment,
    weights_data: dict[str, Any],
    weights_source: str,
    amendments: Sequence[Amendment],
) -> RuleBook:
    """Every version: the first one (the shipped catalog and weights.toml), then each
    amendment in order of effective date. An amendment that cannot apply is a problem of
    its file and is left out: the rules stay as they were before it.

    `first.whole` is the first version's catalog (parsed TOML). Raises ConfigError when
    the first version itself is broken (as a broken weights.toml or clauses.toml is).
    """
    assert first.whole is not None
    state = _State(copy.deepcopy(first.whole), copy.deepcopy(weights_data))
    weights = parse_weights(state.weights, weights_source)
    catalog = parse_catalog(state.catalog, first.source).with_ceiling(weights.discretionary)
    versions = [
        Version(
            first.effective,
            first.number,
            first.title,
            first.source,
            catalog,
            weights,
            (),
            first.issued,
        )
    ]
    problems = weight_problems(weights, {c.category for c in catalog})
    retired: dict[str, Version] = {}
    ceiling_by: tuple[str, str] | None = None  # the notice whose [limits] stand, if any
    for amendment in sorted(amendments, key=lambda a: (a.effective, a.source)):
        if amendment.effective < first.effective:
            # It would change months scored (and sent upward) under the first version.
            message = _(
                "takes effect on {date}, before the measures themselves ({first}): an "
                "amendment changes the rules from their start on; is the year in the file "
                "name right?"
            )
            problems.append(
                Problem(
                    amendment.source,
                    0,
                    message.format(
                        date=amendment.effective.isoformat(), first=first.effective.isoformat()
                    ),
                )
            )
            continue
        before = versions[-1]
        trial = _State(copy.deepcopy(state.catalog), copy.deepcopy(state.weights))
        changes, found = _apply(amendment, trial, before, retired)
        sets = any(c.kind == "weights" and c.field == "limits.discretionary" for c in changes)
        by = (amendment.number, amendment.source) if sets else ceiling_by
        version: Version | None = None
        try:
            new_weights = parse_weights(trial.weights, amendment.source)
            new_catalog = parse_catalog(trial.catalog, amendment.source).with_ceiling(
                new_weights.discretionary, by
            )
        except ConfigError as exc:
            found.append(Problem(amendment.source, 0, _strip(exc.message, amendment.source)))
        else:
            found.extend(weight_problems(new_weights, {c.category for c in new_catalog}))
            version = Version(
                amendment.effective,
                amendment.number,
                amendment.title,
                amendment.source,
                new_catalog,
                new_weights,
                tuple(changes),
                amendment.issued,
            )
        problems.extend(found)
        # One that contradicts itself or the rules before it is left out: they stand.
        if version is None or found or amendment.broken:
            continue
        for change in changes:
            if change.kind == "retire":
                retired[change.id] = version
        state = trial
        ceiling_by = by
        versions.append(version)
    return RuleBook(versions, problems)


def _strip(message: str, source: str) -> str:
    """A configuration error's message without its file's name, which the problem names
    (in English `file: …`, in Chinese `file：…`)."""
    return message.removeprefix(f"{source}: ").removeprefix(f"{source}：")


def _apply(
    amendment: Amendment, state: _State, before: Version, retired: dict[str, Version]
) -> tuple[list[Change], list[Problem]]:
    """Apply one amendment to the raw catalog and weights; its changes, or its problems."""
    if amendment.whole is not None:
        state.catalog = copy.deepcopy(amendment.whole)
        return [Change("catalog", amendment.source)], []
    problems: list[Problem] = []
    changes: list[Change] = []

    def bad(message: str) -> None:
        problems.append(Problem(amendment.source, 0, message))

    specs: list[dict[str, Any]] = state.catalog.setdefault("clause", [])
    index = {str(spec.get("id")): spec for spec in specs}
    _retire(amendment, specs, index, changes, bad)
    _amend_clauses(amendment, specs, index, before, retired, changes, bad)
    _amend_caps(amendment, state.catalog.setdefault("caps", {}), specs, changes, bad)
    _merge(state.weights, amendment.weights, "", changes)
    return changes, problems


def _retire(
    amendment: Amendment,
    specs: list[dict[str, Any]],
    index: dict[str, dict[str, Any]],
    changes: list[Change],
    bad: Callable[[str], None],
) -> None:
    """Take the retired clauses out of the raw catalog."""
    for clause_id in amendment.retire:
        if clause_id not in index:
            bad(
                _("retires clause {id}, which is not in force on {date}").format(
                    id=clause_id, date=amendment.effective.isoformat()
                )
            )
            continue
        specs.remove(index.pop(clause_id))
        changes.append(Change("retire", clause_id))


def _amend_clauses(
    amendment: Amendment,
    specs: list[dict[str, Any]],
    index: dict[str, dict[str, Any]],
    before: Version,
    retired: dict[str, Version],
    changes: list[Change],
    bad: Callable[[str], None],
) -> None:
    """Change clauses in force field by field; add new ones, which state every field."""
    for spec in amendment.clauses:
        clause_id = str(spec["id"])
        current = index.get(clause_id)
        if spec.get("recurring") is False:
            if spec.get("until_closed"):
                bad(
                    _(
                        "clause {id}: recurring = false with until_closed = true, which "
                        "contradict each other (a clause deducted every month until closed "
                        "recurs); write one of them"
                    ).format(id=clause_id)
                )
                continue
            # until_closed implies recurring (3.1.3, 3.1.5): a notice saying a clause no
            # longer recurs means it, so it clears until_closed too, listed as a change,
            # rather than leaving the clause recurring as if the notice said nothing.
            if current is not None and current.get("until_closed"):
                spec = {**spec, "until_closed": False}
        if current is None:
            if clause_id in retired:
                gone = retired[clause_id]
                bad(
                    _(
                        "clause {id} was retired from {effective} ({number}); ids are never "
                        "reused: a new clause takes a new id"
                    ).format(id=clause_id, effective=gone.effective, number=gone.number)
                )
            elif all(key in spec for key in NEW_CLAUSE_FIELDS):
                fresh = copy.deepcopy(spec)
                specs.append(fresh)
                index[clause_id] = fresh
                changes.append(Change("new", clause_id))
            else:
                missing = [key for key in NEW_CLAUSE_FIELDS if key not in spec]
                bad(
                    _(
                        "changes clause {id}, which is not in force on {date}{hint}; a new "
                        "clause states every field ({missing} missing)"
                    ).format(
                        id=clause_id,
                        date=amendment.effective.isoformat(),
                        hint=did_you_mean(before.catalog.suggest(clause_id)),
                        missing=listing(missing),
                    )
                )
            continue
        kind = current.get("kind")
        for key, value in spec.items():
            if key == "id" or current.get(key) == value:
                continue
            before_value, after_value = _value(key, current.get(key)), _value(key, value)
            changes.append(Change("clause", clause_id, key, before_value, after_value))
            current[key] = copy.deepcopy(value)
        if current.get("kind") != kind:
            # A change of kind leaves what the old kind scored by unused (a range made
            # fixed has no min or max): listed, so the change reads whole on both sides.
            # The clause keeps them, as it did: a later notice making it a range again
            # without restating them scores by them, as before (review AE F2).
            now = KIND_FIELDS.get(str(current.get("kind")), ())
            for key in KIND_FIELDS.get(str(kind), ()):
                if key in current and key not in now and key not in spec:
                    changes.append(Change("clause", clause_id, key, _value(key, current[key])))


def _amend_caps(
    amendment: Amendment,
    caps: dict[str, Any],
    specs: list[dict[str, Any]],
    changes: list[Change],
    bad: Callable[[str], None],
) -> None:
    """Merge the amendment's caps into the raw catalog's, noting each value changed. A new
    group that no clause uses is most likely a group's name mistyped: refused."""
    for name, spec in amendment.caps.items():
        old = caps.get(name)
        if old is None and not any(clause.get("cap") == name for clause in specs):
            message = _(
                "[caps] {name}: a new cap group that no clause uses (a clause names its group "
                'with cap = "{name}"); the groups in force: {groups}'
            )
            bad(message.format(name=name, groups=listing(sorted(caps))))
            continue
        if not isinstance(spec, dict):
            bad(
                _("[caps] {name}: a cap is a table, e.g. {name} = {{ limit = 1.5 }}").format(
                    name=name
                )
            )
            continue
        merged = {**(old or {}), **spec}
        for key, value in spec.items():
            before_value = (old or {}).get(key)
            if before_value != value:
                changes.append(Change("cap", name, key, _text(before_value), _text(value)))
        caps[name] = merged


def _merge(table: dict[str, Any], spec: dict[str, Any], where: str, changes: list[Change]) -> None:
    """Merge an amendment's weights into the raw weights.toml, noting each value changed."""
    for key, value in spec.items():
        path = f"{where}.{key}" if where else key
        if isinstance(value, dict) and isinstance(table.get(key, {}), dict):
            _merge(table.setdefault(key, {}), value, path, changes)
            continue
        before = table.get(key, DEFAULTS.get(path))
        if before != value:
            changes.append(Change("weights", "", path, _text(before), _text(value)))
        table[key] = value
