"""Amendments shaped for people and programs: the versions of the rules, a clause's
history, and the versions a report used (see govscore.rules.amendments)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from govscore.i18n import _
from govscore.rules.amendments import RuleBook, Version, came_text, gone_text
from govscore.rules.catalog import Clause

Table = tuple[list[str], list[list[Any]]]


def amendments_table(book: RuleBook) -> Table:
    headers = ["生效日期", "文号", "标题", "变更"]
    rows = [
        [
            version.effective.isoformat(),
            version.number,
            version.title,
            "；".join(c.describe() for c in version.changes) or _unchanged(version, number),
        ]
        for number, version in enumerate(book.versions)
    ]
    return headers, rows


def _unchanged(version: Version, number: int) -> str:
    """What a version that changed nothing says: the first, how many clauses it holds."""
    return f"首版：{len(version.catalog)} 条条款" if number == 0 else "（未改变考评指标）"


def amendments_json(book: RuleBook) -> list[dict[str, Any]]:
    return [
        {
            "effective": version.effective.isoformat(),
            "number": version.number,
            "title": version.title,
            "issued": version.issued.isoformat() if version.issued else None,
            "file": version.source,
            "first_month": version.first_month,
            "changes": [change.as_dict() for change in version.changes],
        }
        for version in book.versions
    ]


def clause_history_table(book: RuleBook, clause_id: str) -> Table:
    """Each version where the clause came, changed or was retired: its points and text."""
    headers = ["生效日期", "文号", "分值", "内容"]
    rows: list[list[Any]] = []
    for version, clause in book.history(clause_id):
        if clause is None:
            rows.append([version.effective.isoformat(), version.number, "—", "（废止）"])
        else:
            rows.append(
                [version.effective.isoformat(), version.number, _points(clause), clause.text]
            )
    return headers, rows


def clause_span_lines(book: RuleBook, clause_id: str) -> list[str]:
    """What heads `clause ID` when the clause is not in force in every month: the notice
    that brought it in, the one that retired it, and for a retired clause that what
    follows (its points, how to record it) is its last version, for the months before."""
    came, gone = book.span(clause_id)
    lines = [came_text(clause_id, came)] if came is not None else []
    if gone is not None:
        lines.append(gone_text(clause_id, gone))
        lines.append(
            _(
                "below: the clause as last in force, by which an entry of a month before "
                "{first} is recorded"
            ).format(first=gone.first_month)
        )
    return lines


def clause_span_json(book: RuleBook, clause_id: str) -> dict[str, Any]:
    """`added` and `retired` of `clause ID --format json`: the version that brought the
    clause in after the first rules and the one that retired it (each `effective`,
    `number`, `first_month`), or null."""
    came, gone = book.span(clause_id)
    return {
        "added": _version_json(came) if came is not None else None,
        "retired": _version_json(gone) if gone is not None else None,
    }


def _version_json(version: Version) -> dict[str, str]:
    return {**version.as_dict(), "first_month": version.first_month}


def clause_history_json(book: RuleBook, clause_id: str) -> list[dict[str, Any]]:
    return [
        {
            **version.as_dict(),
            "retired": clause is None,
            "points": _points(clause) if clause is not None else None,
            "text": clause.text if clause is not None else None,
        }
        for version, clause in book.history(clause_id)
    ]


def _points(clause: Clause) -> str:
    return clause.describe_points()


def rules_json(versions: Sequence[Version]) -> list[dict[str, str]]:
    """The versions a report used, for its JSON `rules`."""
    return [version.as_dict() for version in versions]


def rules_label(versions: Sequence[Version]) -> str:
    """The versions a report used, for its title: 考评依据 2023-03-27 烟政管办〔2023〕2号."""
    return "考评依据 " + "、".join(version.label() for version in versions)
