"""The clause reference (docs/clauses.md): the catalog as a document a person reads.

Made from the catalog itself, so that the reference never says what the code does not do;
`python docs/make_clauses.py` writes it and a test fails when it is out of date.
"""

from __future__ import annotations

from decimal import Decimal

from govscore.report.shapes import EFFECT_NAMES, clause_notes, usage_hint
from govscore.rules.catalog import Catalog
from govscore.rules.config import Weights

INTRO = """\
# The clause catalog

Generated from `govscore/data/clauses.toml` by `python docs/make_clauses.py`; do not edit
by hand. `govscore clauses` and `govscore clause ID` show the same, for a root's own
catalog too (a root's `clauses.toml` replaces the shipped one).

The catalog numbers every scoring rule of section 三 of the 2023 measures
(烟台市市级政务服务工作监督管理办法, 烟政管办〔2023〕2号) once, so that entries, reports and
people name a rule the same way. Ids are `C.I.K`: C the category (三（一）..（四） → 1..4),
I the numbered item inside it, K the rule's order inside that item. Ledgers name clauses
by these ids.

Columns:

- **类型** (effect): 扣分 a deduction, 加分 a bonus, 否决 a veto (一票否决: no points; the
  department ranks below every department not vetoed).
- **分值** (points) per unit: a number is fixed; `1–2` a range (the entry states its
  points, steps of 0.1); `市级 2 · 省级 5` levels (the entry names the level);
  `每少1% 0.1` a rate: `(100 − rate) × 0.1` below 100%, nothing at 100%, and a
  denominator of 0 exempts the month (零办件不计此项考核); `视情 ≤10` discretionary (the
  entry states its points, at most `[limits] discretionary` in weights.toml).
- **单位** (unit): what an entry's count counts.
- **说明** (notes): 加分上限组 (a cap group: a department's bonuses in one group are capped
  each month), 每月扣分，直至终止计分（govscore close） (recurring by the measures' words,
  自应完成之月起每月扣分: an entry is recorded with `--recurring`, and `add` at a terminal
  offers 是), 可逐月计分 (recurring allowed: an entry may stand every month until closed,
  with `--recurring`), 须引用 (a follow-up:
  the entry names an earlier entry of that clause), 同一事项最高层级计分 (exclusive: a
  matter counts once a year, at its highest level), 仅 TAG (only departments with that tag
  in departments.toml), 计入年度 (annual: counts in the year, not a month), 移送 (a
  referral: the report lists the case).
- **录入** (record): the `govscore add` flags the clause needs.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _weight(value: Decimal) -> str:
    return format((value * 100).normalize(), "f")


def clause_reference(catalog: Catalog, weights: Weights) -> str:
    """docs/clauses.md: the introduction, the cap groups, then one table per category."""
    out = [INTRO, "## Cap groups\n", "| group | limit per month | what |", "|---|---|---|"]
    for name, cap in catalog.caps.items():
        out.append(f"| {name} | {format(cap.limit.normalize(), 'f')} | {_cell(cap.text)} |")
    for category in sorted({c.category for c in catalog}):
        named = weights.category(category)
        title = f"{category} {named.name}" if named else category
        weight = f" (weight {_weight(named.weight)}%)" if named else ""
        out += [
            "",
            f"## {title}{weight}\n",
            "| 条款 | 内容 | 类型 | 分值 | 单位 | 说明 | 录入 |",
            "|---|---|---|---|---|---|---|",
        ]
        for clause in catalog:
            if clause.category != category:
                continue
            cells = [
                clause.id,
                clause.text,
                EFFECT_NAMES[clause.effect],
                clause.describe_points(),
                clause.unit or "—",
                clause_notes(clause, catalog) or "",
                f"`{usage_hint(clause)}`",
            ]
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(out) + "\n"
