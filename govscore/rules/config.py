"""A root's own configuration: its departments and its weights."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import cached_property, partial
from typing import Any

from govscore.errors import ConfigError, Problem, did_you_mean
from govscore.i18n import N_, _, listing, toml_value
from govscore.model import is_month

CITY_PREFIX = "市"
DISCRETIONARY_CEILING = Decimal(10)
# What a weights.toml (or the settings before a notice) means without these keys: a notice
# changing one changes it from these, not from nothing ("10 → 5", not "— → 5": AZ F5).
DEFAULTS = {
    "base": Decimal(100),
    "floor": Decimal(0),
    "limits.discretionary": DISCRETIONARY_CEILING,
}
# Weights' figures beyond this are not a setting but a typo, and would break the arithmetic.
LARGEST_SETTING = Decimal(10**6)

# The tags clauses ask for (applies_to), and what the office calls them (its glossary):
# every message, list and report shows a tag by this one name; JSON keeps the code.
TAG_NAMES = {"one_window": "一窗受理专区", "hall": "政务服务中心大厅"}
# Shorter names a clerk may type, accepted but never shown.
_TAG_ALIASES = {"大厅": "hall", "一窗受理": "one_window"}


def tag_name(tag: str) -> str:
    """A tag as people read it (one_window → 一窗受理专区), so that the code in
    departments.toml is never shown beside a second name; an unknown tag as it is."""
    return TAG_NAMES.get(tag, tag)


def tag_code(written: str, known: Iterable[str] = TAG_NAMES) -> str | None:
    """The tag meant by a code or its Chinese name, among the known ones; None if none."""
    written = written.strip()
    for code in known:
        if written in (code, TAG_NAMES.get(code)) or _TAG_ALIASES.get(written) == code:
            return code
    return None


@dataclass(frozen=True)
class Department:
    """A department as the ledger stores it (its full name), with the other names it goes by."""

    name: str
    aliases: tuple[str, ...] = ()
    tags: frozenset[str] = frozenset()
    # The first and last month it is assessed (YYYY-MM; None: no bound): a department that
    # joins the list mid-year (机构改革) has no months before it joined, one dissolved none after.
    since: str | None = None
    until: str | None = None

    def assessed_in(self, month: str) -> bool:
        """Whether the department is on the list in a month (YYYY-MM): outside its span it
        is not scored, ranked or listed, and takes no entries."""
        # YYYY-MM compares as text in the order of the months.
        return (self.since is None or self.since <= month) and (
            self.until is None or month <= self.until
        )

    @property
    def dated(self) -> bool:
        """Whether departments.toml gives it a first or last month."""
        return self.since is not None or self.until is not None

    def span(self, say: Callable[[str], str] = _) -> str:
        """Its months as people read them: from 2023-08, through 2024-06, 2023-08 to
        2024-06; "" when it has no bounds. `say` is `_`, or `chinese` where a program
        reads it (`departments --format csv`: the same in every language)."""
        if self.since and self.until:
            return say(N_("{since} to {until}")).format(since=self.since, until=self.until)
        if self.since:
            return say(N_("from {since}")).format(since=self.since)
        if self.until:
            return say(N_("through {until}")).format(until=self.until)
        return ""

    def names(self) -> tuple[str, ...]:
        """Every way a clerk may write this department: name, aliases, each without 市."""
        found: list[str] = []
        for candidate in (self.name, *self.aliases):
            for form in (candidate, candidate.removeprefix(CITY_PREFIX)):
                if form and form not in found:
                    found.append(form)
        return tuple(found)


@dataclass(frozen=True)
class Departments:
    """The departments assessed, in the order of departments.toml."""

    items: tuple[Department, ...]
    by_name: dict[str, Department] = field(default_factory=dict)
    source: str = ""
    city: str = ""  # e.g. 烟台市: other systems write 烟台市住房和城乡建设局
    # The look-alike check of these names, when already known (a province's 10,000
    # names are checked once and the answer kept with them; see lookalike_problems).
    looks: tuple[Problem, ...] | None = field(default=None, compare=False, repr=False)

    def resolve(self, written: str) -> Department | None:
        """The department a name stands for: its name, an alias, without 市, or with the city."""
        written = written.strip()
        found = self.by_name.get(written)
        if found is None and self.city:
            rest = self.without_city(written)
            found = self.by_name.get(rest) if rest != written else None
        return found

    def full_name(self, written: str) -> str | None:
        """The name the ledger keeps for the department a name stands for (None: none)."""
        found = self.resolve(written)
        return found.name if found is not None else None

    def without_city(self, written: str) -> str:
        """The name with the city in front taken off (烟台市 or 烟台), if it has it."""
        stem = self.city.removesuffix(CITY_PREFIX)
        for prefix in (self.city, stem):
            if prefix and written.startswith(prefix) and len(written) > len(prefix):
                return written[len(prefix) :].strip()
        return written

    def suggest(self, written: str) -> list[str]:
        """Full names whose name or alias is close to what was written, for did-you-mean."""
        written = self.without_city(written.strip()) if self.city else written.strip()
        close = difflib.get_close_matches(written, list(self.by_name), n=5, cutoff=0.5)
        if not close:
            close = [n for n in self.by_name if written and (written in n or n in written)]
        names: list[str] = []
        for candidate in close:
            full = self.by_name[candidate].name
            if full not in names:
                names.append(full)
        return names[:3]

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def parse_departments(data: dict[str, Any], source: str) -> Departments:
    """Build the department list; two departments may not share a name or alias."""
    items: list[Department] = []
    by_name: dict[str, Department] = {}

    def where(index: int) -> str:
        """Worded only for a bad entry (a province lists 10,000 good ones)."""
        return _("{file}: department #{number}").format(file=source, number=index + 1)

    for index, spec in enumerate(data.get("department") or []):
        # A number is no name (an item number pasted into the wrong column): `name = 1`
        # would be ranked as a department, and `add -d 1` booked against it.
        name = spec.get("name") if isinstance(spec, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(
                _('{where}: every [[department]] needs a name = "..."').format(where=where(index))
            )
        # untill = "2023-08" would leave it assessed every month, unsaid. (The words are
        # made only for a bad table: a province's 10,000 good ones took 0.15 s to word.)
        if not _DEPARTMENT_KEY_SET.issuperset(spec):
            _refuse_unknown(
                spec,
                DEPARTMENT_KEYS,
                _("{where} ({name})").format(where=where(index), name=name.strip()),
                _("a department has {keys}").format(keys=listing(DEPARTMENT_KEYS)),
            )
        aliases = spec.get("aliases", [])
        tags = spec.get("tags", [])
        written = (aliases, tags)
        if not all(isinstance(x, list) and all(isinstance(i, str) for i in x) for x in written):
            raise ConfigError(
                _("{where}: aliases and tags are lists of strings").format(where=where(index))
            )
        since, until = (_month_bound(spec, key, partial(where, index), name) for key in SPAN_KEYS)
        if since is not None and until is not None and until < since:
            raise ConfigError(
                _(
                    "{where} ({name}): until = {until} is before since = {since}; until is "
                    "the last month it is assessed, since the first"
                ).format(
                    where=where(index),
                    name=name.strip(),
                    until=toml_value(until),
                    since=toml_value(since),
                )
            )
        department = Department(
            name=name.strip(),
            aliases=tuple(str(a).strip() for a in aliases),
            tags=frozenset(str(t) for t in tags),
            since=since,
            until=until,
        )
        for form in department.names():
            other = by_name.get(form)
            if other is not None and other is not department and other.name == department.name:
                raise ConfigError(
                    _(
                        "{file}: {name} is listed twice ([[department]] #{first} and #{second}); "
                        "list each department once (a new name or a span goes in its one table)"
                    ).format(
                        file=source,
                        name=department.name,
                        first=items.index(other) + 1,
                        second=index + 1,
                    )
                )
            if other is not None and other.name != department.name:
                raise ConfigError(
                    _(
                        "{file}: {form!r} names both {one} and {other}; "
                        "remove it from one of their aliases"
                    ).format(file=source, form=form, one=other.name, other=department.name)
                )
            by_name[form] = department
        items.append(department)
    if not items:
        message = _("{file}: no [[department]] tables; list the departments assessed")
        raise ConfigError(message.format(file=source))
    city = data.get("city", "")
    if not isinstance(city, str):
        raise ConfigError(
            _('{source}: city is the name of the city, e.g. city = "烟台市"').format(source=source)
        )
    return Departments(tuple(items), by_name, source, city.strip())


# The keys of a department's span: its first and last month assessed.
SPAN_KEYS = ("since", "until")
# Every key a [[department]] table may have.
DEPARTMENT_KEYS = ("name", "aliases", "tags", *SPAN_KEYS)
_DEPARTMENT_KEY_SET = frozenset(DEPARTMENT_KEYS)


def _month_bound(spec: dict[str, Any], key: str, where: Callable[[], str], name: str) -> str | None:
    """A department's since or until: a month written YYYY-MM, or None when not given.
    `where` words the department's place, for an error."""
    value = spec.get(key)
    if value is None:
        return None
    if isinstance(value, str) and is_month(value.strip()):
        return value.strip()
    example = "2023-08"
    if isinstance(value, date):  # since = 2023-08-01, a TOML date: its month, in quotes
        example = value.isoformat()[:7]
    raise ConfigError(
        _(
            "{where} ({name}): {key} = {value} is not a month; write it YYYY-MM in quotes, "
            'e.g. {key} = "{example}" ({meaning})'
        ).format(
            where=where(),
            name=name.strip(),
            key=key,
            value=toml_value(value),
            example=example,
            meaning=_("the first month it is assessed")
            if key == "since"
            else _("the last month it is assessed"),
        )
    )


@dataclass(frozen=True)
class Category:
    """One of the four weighted categories of 三、考评内容."""

    id: str
    name: str
    short: str
    weight: Decimal


OFFICE = "烟台市政务服务管理办公室"


@dataclass(frozen=True)
class Weights:
    """How a score is made: base, floor and the weighted categories."""

    base: Decimal
    floor: Decimal
    categories: tuple[Category, ...]
    commit: bool = False
    source: str = ""
    # The most points one discretionary entry may state ([limits] discretionary): the
    # largest fixed amount in the measures is 10, and an absurd figure must not rank first.
    discretionary: Decimal = DISCRETIONARY_CEILING
    office: str = OFFICE  # who assesses: the title of the reports sent upward

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    @cached_property  # read for every department's year
    def weighing(self) -> tuple[tuple[str, Decimal], ...]:
        """Each category's id and weight: what weighs a month's total. Two versions weigh
        alike when these match, whatever their `source` (every notice is its own file) or
        names; a floor or base of their own does not change how a month is weighed."""
        return tuple((c.id, c.weight) for c in self.categories)

    def scoring(self) -> Weights:
        """What of the weights scores a month, to compare two weights.toml by: their
        defaults filled in, without display-only names (`short`), the [ledger] switch or
        the file they were read from."""
        shorn = tuple(replace(c, short="") for c in self.categories)
        return replace(self, categories=shorn, commit=False, source="")


# Every key weights.toml has, at its top and in each of its tables (an amendment's
# weights are merged into it and read the same way).
WEIGHTS_KEYS = ("base", "floor", "office", "category", "ledger", "limits")
CATEGORY_KEYS = ("name", "short", "weight")
LEDGER_KEYS = ("commit",)
LIMITS_KEYS = ("discretionary",)


def _refuse_unknown(table: dict[str, Any], keys: tuple[str, ...], where: str, has: str) -> None:
    """A key the table does not have is an error with a did-you-mean, as in
    departments.toml: `bse = 1` would leave the base at 100, `wieght` a category unweighted,
    without a word. `has`: the keys it may have, said."""
    unknown = [key for key in table if key not in keys]
    if unknown:
        key = unknown[0]
        raise ConfigError(
            _("{where}: unknown key {key!r}{hint} ({has})").format(
                where=where,
                key=key,
                hint=did_you_mean(difflib.get_close_matches(key.lower(), keys)),
                has=has,
            )
        )


def _table(source: str, name: str) -> str:
    """Where in weights.toml, as a message's head: `weights.toml: [category.4]`. Worded
    by the catalog, as departments.toml's `department #N` is, not pasted together."""
    return _("{file}: [{table}]").format(file=source, table=name)


def parse_weights(data: dict[str, Any], source: str) -> Weights:
    """Read weights.toml; a wrong sum is left for `check` to report (see weight_problems).
    A key it does not read is refused (_refuse_unknown)."""

    def number(value: Any, what: str) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            message = _("{file}: {what} must be a number, got {value}")
            raise ConfigError(message.format(file=source, what=what, value=toml_value(value)))
        found = Decimal(str(value))
        if not found.is_finite() or abs(found) > LARGEST_SETTING:
            raise ConfigError(
                _("{file}: {what} must be a finite number of at most {most}, got {value}").format(
                    file=source, what=what, most=LARGEST_SETTING, value=value
                )
            )
        return found

    def text(value: Any, what: str) -> str:
        # `name = 1979-05-27` or `short = [1]` was shown as a column header "[1]".
        if not isinstance(value, str):
            message = _("{file}: {what} must be text in quotes, got {value}")
            raise ConfigError(message.format(file=source, what=what, value=toml_value(value)))
        # A blank name heads its column with nothing; a line break splits the header row
        # (review BL J2).
        if not value.strip() or not value.isprintable():
            message = _(
                "{file}: {what} must be a name on one line, got {value}: it heads a "
                "column of every report"
            )
            raise ConfigError(message.format(file=source, what=what, value=toml_value(value)))
        return value

    _refuse_unknown(
        data, WEIGHTS_KEYS, source, _("weights.toml has {keys}").format(keys=listing(WEIGHTS_KEYS))
    )
    categories = []
    raw = data.get("category") or {}
    if not isinstance(raw, dict) or not raw:
        message = _("{file}: no [category.N] tables; each category needs name and weight, e.g.")
        example = '  [category.1]\n  name = "政务服务标准化"\n  weight = 0.25'
        raise ConfigError(message.format(file=source) + "\n" + example)
    for cid, spec in raw.items():
        if isinstance(spec, dict):  # first: `wieght = 0.15` is a misspelt weight, not none
            _refuse_unknown(
                spec,
                CATEGORY_KEYS,
                _table(source, f"category.{cid}"),
                _("a category has {keys}").format(keys=listing(CATEGORY_KEYS)),
            )
        if not isinstance(spec, dict) or "weight" not in spec:
            message = _("{file}: [category.{id}] needs a weight")
            raise ConfigError(message.format(file=source, id=cid))
        name = text(spec.get("name", cid), f"category.{cid}.name")
        categories.append(
            Category(
                id=str(cid),
                name=name,
                short=text(spec.get("short", name), f"category.{cid}.short"),
                weight=number(spec["weight"], f"category.{cid}.weight"),
            )
        )
    # Only a table left out means the defaults: `ledger = false` or `limits = 0` is no
    # table either, and was read as none without a word (ledger = true was a crash).
    ledger = data.get("ledger", {})
    limits = data.get("limits", {})
    if not isinstance(limits, dict):
        raise ConfigError(_("{file}: [limits] must be a table").format(file=source))
    if not isinstance(ledger, dict):
        raise ConfigError(_("{file}: [ledger] must be a table").format(file=source))
    for name, table, keys in (("ledger", ledger, LEDGER_KEYS), ("limits", limits, LIMITS_KEYS)):
        has = _("[{table}] has {keys}").format(table=name, keys=listing(keys))
        _refuse_unknown(table, keys, _table(source, name), has)
    commit = ledger.get("commit", False)
    if not isinstance(commit, bool):  # commit = "false" is text, and any text was true
        raise ConfigError(
            _("{file}: [ledger] commit must be true or false, got {value}").format(
                file=source, value=toml_value(commit)
            )
        )
    ceiling = number(
        limits.get("discretionary", DEFAULTS["limits.discretionary"]), "limits.discretionary"
    )
    if ceiling <= 0:
        raise ConfigError(
            _("{file}: limits.discretionary must be more than 0, got {value}").format(
                file=source, value=ceiling
            )
        )
    base = number(data.get("base", DEFAULTS["base"]), "base")
    floor = number(data.get("floor", DEFAULTS["floor"]), "floor")
    if not 0 <= floor < base:
        # A floor above the base would raise every department to it, whatever it lost.
        raise ConfigError(
            _(
                "{file}: floor {floor} and base {base}: the floor must be 0 or more and below "
                "the base (the measures: base 100, floor 0)"
            ).format(file=source, floor=floor, base=base)
        )
    for category in categories:
        if category.weight < 0:
            raise ConfigError(
                _("{file}: [category.{id}] weight {weight} must be 0 or more").format(
                    file=source, id=category.id, weight=category.weight
                )
            )
    office = data.get("office", OFFICE)
    if not isinstance(office, str) or not office.strip():
        # `office = 1` would title every report "1"; `office = false`, the default unsaid.
        raise ConfigError(
            _(
                '{file}: office is the name of the office the reports are from, e.g. office = "{office}"'
            ).format(file=source, office=OFFICE)
        )
    return Weights(
        base=base,
        floor=floor,
        categories=tuple(sorted(categories, key=lambda c: c.id)),
        commit=commit,
        source=source,
        discretionary=ceiling,
        office=office.strip(),
    )


def weight_problems(weights: Weights, category_ids: set[str]) -> list[Problem]:
    """Weights must sum to 1, and every category the catalog scores must have one."""
    problems = []
    total = sum((c.weight for c in weights.categories), Decimal(0))
    if total != 1:
        shown = " + ".join(format(c.weight, "f") for c in weights.categories)
        problems.append(
            Problem(
                weights.source,
                0,
                _("category weights sum to {total} ({shown}); they must sum to 1").format(
                    total=total, shown=shown
                ),
            )
        )
    missing = sorted(category_ids - {c.id for c in weights.categories})
    for cid in missing:
        problems.append(
            Problem(
                weights.source,
                0,
                _("the catalog scores category {id}, which has no [category.{id}]").format(id=cid),
            )
        )
    return problems


def skeleton(name: str, lookalikes: Mapping[str, str]) -> str:
    """A name as it looks: compatibility forms folded (NFKC: full-width letters, Kangxi
    radicals) and each look-alike character replaced by the one it looks like."""
    folded = unicodedata.normalize("NFKC", name)
    return unicodedata.normalize("NFKC", "".join(lookalikes.get(c, c) for c in folded))


def lookalike_problems(departments: Departments, lookalikes: Mapping[str, str]) -> list[Problem]:
    """Two departments whose names (or aliases) look the same but are different text:
    the ledger would keep them apart, and a clerk could never tell which is which."""
    seen: dict[str, tuple[str, Department]] = {}
    problems: list[Problem] = []
    named: set[tuple[str, str]] = set()
    for department in departments:
        for written in (department.name, *department.aliases):
            look = skeleton(written, lookalikes)
            first = seen.setdefault(look, (written, department))
            other, owner = first
            if owner is department or (other, written) in named:
                continue
            named.add((other, written))
            problems.append(
                Problem(
                    departments.source,
                    0,
                    _(
                        "{one} looks like {other} ({chars}): the ledger keeps them apart as "
                        "two departments; rename one, or make it an alias of the other"
                    ).format(one=written, other=other, chars=_differences(written, other)),
                    "department",
                )
            )
    return problems


def _differences(one: str, other: str) -> str:
    """The characters that differ, with their code points: 巿 U+5DFF for 市 U+5E02."""
    pairs = [(a, b) for a, b in zip(one, other, strict=False) if a != b]
    if len(one) != len(other) or not pairs:
        return f"{one!r} / {other!r}"
    return listing([f"{a} U+{ord(a):04X} / {b} U+{ord(b):04X}" for a, b in pairs])
