"""Recording entries: validate new entries against the whole ledger, then append them.

`add`, `void`, `close`, `import` and `items check --record` all come through `record`,
so every entry is checked the same way, whoever or whatever wrote it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from govscore.errors import DataError, Problem
from govscore.ledger import build_entry, entry_toml
from govscore.loader import LEDGER_DIR, Root, load_root
from govscore.model import Entry, is_month
from govscore.writer import append_all, ledger_lock

_SEQUENCE = re.compile(r"^(\d{4}-\d{2})-(\d+)$")


@dataclass(frozen=True)
class Draft:
    """An entry not yet in the ledger: its raw fields, and where it came from (for errors)."""

    fields: dict[str, Any]
    month: str | None = None
    source: str = ""  # e.g. "import.csv:7"; empty for the command line


@dataclass(frozen=True)
class Recorded:
    """What a call to `record` did."""

    added: tuple[Entry, ...]
    skipped: tuple[tuple[Draft, str], ...]  # drafts whose key is already in the ledger, with its id


def record(
    root_path: Path,
    drafts: Sequence[Draft],
    today: date,
    dry_run: bool = False,
) -> Recorded:
    """Validate drafts against the ledger and append them all, or nothing.

    Raises DataError listing every problem if any draft is rejected.
    """
    with ledger_lock(root_path / LEDGER_DIR):
        root = load_root(root_path)
        entries, skipped, problems = prepare(root, drafts, today)
        if problems:
            raise DataError(_rejected(len(drafts), len(problems)), problems)
        if not dry_run and entries:
            append_all(_appends(root, entries))
    return Recorded(tuple(entries), tuple(skipped))


def _rejected(count: int, problems: int) -> str:
    what = "the entry" if count == 1 else f"{count} entries"
    return f"rejected: {problems} problem{'s' if problems != 1 else ''}; {what} not written, the ledger is unchanged"


def prepare(
    root: Root, drafts: Sequence[Draft], today: date
) -> tuple[list[Entry], list[tuple[Draft, str]], list[Problem]]:
    """Give drafts ids and lines, skip known keys, and find every problem with them."""
    existing = {e.id: e for e in root.entries()}
    keys = {e.key: e.id for e in root.entries() if e.key}
    sequence = _sequences(existing)
    lines = {month: _next_line(root, month) for month in root.months}
    problems: list[Problem] = []
    drafted: dict[str, Draft] = {}
    entries: list[Entry] = []
    skipped: list[tuple[Draft, str]] = []
    for draft in drafts:
        key = draft.fields.get("key")
        if key and key in keys:
            skipped.append((draft, keys[key]))
            continue
        month = draft.month or _target_month(draft, existing)
        label = draft.source or "govscore"
        if month is None or not is_month(month):
            problems.append(Problem(label, 0, _month_problem(draft, month), "month"))
            continue
        broken = root.files.get(f"{LEDGER_DIR}/{month}.toml")
        if broken is not None and broken.broken:
            where = next(p for p in broken.problems)
            problems.append(
                Problem(
                    where.file,
                    where.line,
                    f"{where.message} — govscore will not append to {where.file} until it is "
                    "repaired (fix or remove the broken lines; `git diff` shows what changed)",
                )
            )
            continue
        sequence[month] += 1
        entry_id = f"{month}-{sequence[month]:04d}"
        line = lines.get(month, 3)
        raw = {**draft.fields, "id": entry_id}
        entry, found = build_entry(raw, month, f"{LEDGER_DIR}/{month}.toml", line)
        if entry is None:
            problems.extend(_relabel(found, draft))
            continue
        department = root.departments.resolve(entry.department) if entry.department else None
        if department is not None:
            entry = replace(entry, department=department.name)  # the ledger stores full names
        lines[month] = line + entry_toml(entry).count("\n")
        if key:
            keys[key] = entry_id
        entries.append(entry)
        drafted[entry_id] = draft
    if entries and not problems:
        book = root.review(today, extra=entries)
        for problem in book.problems:
            if problem.entry in drafted:
                problems.extend(_relabel([problem], drafted[problem.entry]))
    return entries, skipped, problems


def _relabel(problems: Sequence[Problem], draft: Draft | None) -> list[Problem]:
    """A rejected draft is not in any file yet: name its source (import row) instead."""
    label = draft.source if draft is not None and draft.source else "govscore"
    return [Problem(label, 0, p.message, p.field, "") for p in problems]


def _month_problem(draft: Draft, month: str | None) -> str:
    target = draft.fields.get("void") or draft.fields.get("close")
    if target and month is None:
        return f"no entry with id {target!r} in the ledger"
    return f"month {month!r} is not of the form YYYY-MM"


def _target_month(draft: Draft, existing: dict[str, Entry]) -> str | None:
    """Voids and closes are filed in the month of the entry they name."""
    target = existing.get(str(draft.fields.get("void") or draft.fields.get("close") or ""))
    return target.month if target is not None else None


def _sequences(existing: dict[str, Entry]) -> dict[str, int]:
    highest: dict[str, int] = defaultdict(int)
    for entry_id in existing:
        match = _SEQUENCE.match(entry_id)
        if match:
            month, number = match.group(1), int(match.group(2))
            highest[month] = max(highest[month], number)
    return highest


def _next_line(root: Root, month: str) -> int:
    """The line the next [[entry]] header appended to a month's TOML file will stand on."""
    parsed = root.files.get(f"{LEDGER_DIR}/{month}.toml")
    return 3 if parsed is None else parsed.newlines + 2


def _appends(root: Root, entries: Sequence[Entry]) -> list[tuple[Path, str]]:
    texts: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        texts[entry.month].append(entry_toml(entry))
    appends = []
    for month, parts in texts.items():
        path = root.ledger_path(month)
        head = "" if path.exists() else f"# govscore ledger for {month}: append only\n"
        appends.append((path, head + "".join(parts)))
    return appends
