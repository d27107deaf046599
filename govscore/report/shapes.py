"""Reports: scores and ledger facts shaped for people (tables) and programs (JSON).

Each function returns (headers, rows) for table/CSV/Markdown, or a plain dict for JSON;
the CLI hands them to `render`. Numbers are rounded half-up to 2 decimals only here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from govscore.errors import Problem
from govscore.figures import figure, number, plain
from govscore.rules.catalog import Catalog, Clause
from govscore.rules.config import Departments, Weights
from govscore.rules.scoring import DepartmentScore, Line, Ranking

Table = tuple[list[str], list[list[Any]]]


def remarks(score: DepartmentScore) -> str:
    """The 备注 column: vetoes and referrals, each naming its entries."""
    parts = []
    if score.vetoes:
        parts.append(f"一票否决（{'、'.join(score.vetoes)}）")
    by_body: dict[str, list[str]] = {}
    for referral in score.referrals:
        by_body.setdefault(referral.to, []).append(referral.entry)
    for body, ids in by_body.items():
        parts.append(f"移送{body}（{'、'.join(ids)}）")
    if score.caps:
        parts.append("加分封顶 " + "、".join(sorted({c.group for c in score.caps})))
    return "；".join(parts)


def ranking_table(ranking: Ranking, weights: Weights, only: Sequence[str] = ()) -> Table:
    headers = ["排名", "部门", *(c.short for c in weights.categories), "总分", "备注"]
    rows = []
    for rank, score in ranking.rows:
        if only and score.department not in only:
            continue
        rows.append(
            [
                rank,
                score.department,
                *(figure(score.categories[c.id]) for c in weights.categories),
                figure(score.total),
                remarks(score),
            ]
        )
    return headers, rows


def score_json(rank: int, score: DepartmentScore, detail: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rank": rank,
        "department": score.department,
        "total": number(score.total),
        "vetoed": score.vetoed,
        "categories": {cid: number(value) for cid, value in score.categories.items()},
        "vetoes": list(score.vetoes),
        "referrals": [
            {"entry": r.entry, "clause": r.clause, "month": r.month, "to": r.to}
            for r in score.referrals
        ],
    }
    if score.months:
        out["monthly"] = {month: number(total) for month, total in score.months.items()}
    if detail:
        out["lines"] = [line_json(line) for line in score.lines]
        out["caps"] = [
            {
                "group": c.group,
                "category": c.category,
                "earned": number(c.earned),
                "limit": number(c.limit),
            }
            for c in score.caps
        ]
    return out


def line_json(line: Line) -> dict[str, Any]:
    return {
        "entry": line.entry.id,
        "month": line.entry.month,
        "clause": line.clause.id,
        "category": line.category,
        "amount": number(line.amount),
        "how": line.how,
        "cap": line.clause.cap,
        "recurring": line.entry.recurring,
        "note": line.entry.note,
    }


def ranking_json(
    ranking: Ranking, head: dict[str, Any], only: Sequence[str] = (), detail: bool = False
) -> dict[str, Any]:
    departments = [
        score_json(rank, score, detail)
        for rank, score in ranking.rows
        if not only or score.department in only
    ]
    referrals = [r for row in departments for r in row["referrals"]]
    return {**head, "departments": departments, "referrals": referrals}


def detail_table(score: DepartmentScore, weights: Weights) -> Table:
    """Which entries made a department's score, then each category's sum, caps applied."""
    headers = ["条目", "月份", "条款", "类别", "计算", "分值", "说明"]
    rows: list[list[Any]] = []
    for line in sorted(score.lines, key=lambda li: (li.category, li.clause.id, li.entry.id)):
        category = weights.category(line.category)
        note = line.entry.note or ""
        if line.entry.recurring:
            note = f"按月持续；{note}" if note else "按月持续"
        if line.clause.cap:
            note = f"封顶组 {line.clause.cap}；{note}" if note else f"封顶组 {line.clause.cap}"
        rows.append(
            [
                line.entry.id,
                line.entry.month,
                line.clause.id,
                category.short if category else line.category,
                line.how,
                _signed(line),
                note,
            ]
        )
    for cap in score.caps:
        category = weights.category(cap.category)
        rows.append(
            [
                "",
                "",
                f"封顶 {cap.group}",
                category.short if category else cap.category,
                f"加分 {plain(cap.earned)} 超过上限 {plain(cap.limit)}",
                f"-{figure(cap.cut)}",
                "",
            ]
        )
    return headers, rows


def _signed(line: Line) -> str:
    if line.amount > 0:
        return f"+{figure(line.amount)}"
    return figure(line.amount)


def detail_summary(score: DepartmentScore, weights: Weights) -> str:
    parts = [f"{c.short} {figure(score.categories[c.id])}" for c in weights.categories]
    text = f"{score.department}：" + "，".join(parts) + f"；总分 {figure(score.total)}"
    if score.vetoes:
        text += f"；一票否决（{'、'.join(score.vetoes)}）"
    return text


def problems_table(problems: Iterable[Problem]) -> Table:
    headers = ["file", "line", "entry", "field", "message"]
    return headers, [[p.file, p.line, p.entry, p.field, p.message] for p in problems]


def clause_notes(clause: Clause, catalog: Catalog) -> str:
    notes = []
    if clause.cap:
        notes.append(f"封顶组 {clause.cap} ≤ {plain(catalog.caps[clause.cap].limit)}/月")
    if clause.recurring:
        notes.append("可按月持续")
    if clause.ref:
        notes.append(f"须引用 {'/'.join(clause.ref)}")
    if clause.exclusive:
        notes.append("同一事项最高层级计分")
    if clause.applies_to:
        notes.append(f"仅 {clause.applies_to}")
    if clause.annual:
        notes.append("计入年度")
    if clause.referral:
        notes.append(f"移送{clause.referral}")
    return "；".join(notes)


EFFECT_NAMES = {"-": "扣分", "+": "加分", "veto": "否决"}


def clauses_table(clauses: Iterable[Clause], catalog: Catalog) -> Table:
    headers = ["条款", "内容", "类型", "分值", "单位", "说明"]
    rows = [
        [
            c.id,
            c.text,
            EFFECT_NAMES[c.effect],
            c.describe_points(),
            c.unit,
            clause_notes(c, catalog),
        ]
        for c in clauses
    ]
    return headers, rows


def clause_json(clause: Clause, catalog: Catalog) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": clause.id,
        "category": clause.category,
        "text": clause.text,
        "effect": clause.effect,
        "kind": clause.kind,
        "unit": clause.unit,
        "points": clause.describe_points(),
    }
    for name in ("points", "min", "max", "per_point"):
        value = getattr(clause, name)
        if value is not None:
            out[name] = float(value)
    if clause.levels:
        out["levels"] = {name: float(points) for name, points in clause.levels}
    out.update(
        cap=clause.cap,
        cap_limit=float(catalog.caps[clause.cap].limit) if clause.cap else None,
        recurring=clause.recurring,
        ref=list(clause.ref),
        exclusive=clause.exclusive,
        applies_to=clause.applies_to,
        annual=clause.annual,
        referral=clause.referral,
    )
    return out


def clause_text(clause: Clause, catalog: Catalog, weights: Weights) -> str:
    category = weights.category(clause.category)
    rows = [
        ("条款", clause.id),
        ("类别", f"{clause.category} {category.name if category else ''}".strip()),
        ("内容", clause.text),
        ("类型", EFFECT_NAMES[clause.effect]),
        ("分值", clause.describe_points()),
        ("单位", clause.unit or "—"),
        ("说明", clause_notes(clause, catalog) or "—"),
        ("录入", usage_hint(clause)),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def usage_hint(clause: Clause) -> str:
    """How to record an entry of this clause: the flags it needs."""
    parts = [f"govscore add -d 部门 -c {clause.id}"]
    if clause.kind in ("fixed", "levels", "range", "discretionary") and not clause.exclusive:
        parts.append("-n 次数")
    if clause.kind == "range":
        parts.append(f"--points {plain(clause.min)}–{plain(clause.max)}")  # type: ignore[arg-type]
    elif clause.kind == "discretionary":
        parts.append("--points 分值")
    elif clause.kind == "levels":
        parts.append(f"--level {'|'.join(n for n, _ in clause.levels)}")
    elif clause.kind == "rate":
        parts.append("--value 百分比 (或 --numerator N --denominator D)")
    if clause.exclusive:
        parts.append("--matter 事项")
    if clause.ref:
        parts.append("--ref 条目")
    if clause.recurring:
        parts.append("[--recurring]")
    return " ".join(parts)


def departments_table(departments: Departments) -> Table:
    headers = ["部门", "别名", "标签"]
    rows = [[d.name, "、".join(d.aliases), ", ".join(sorted(d.tags))] for d in departments]
    return headers, rows
