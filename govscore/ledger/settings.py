"""Editing a root's departments.toml in place: tags added and removed, nothing else touched.

The file is the office's own: comments, order, spacing and aliases stay as they are. The
edit works on lines; the result is parsed again and must differ from the original in
the one department's tags only, or nothing is written.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from govscore.errors import ConfigError, UsageError, did_you_mean
from govscore.i18n import _
from govscore.ledger.loader import DEPARTMENTS_FILE, Root, cannot_read, parse_toml_file
from govscore.model import Entry
from govscore.rules.catalog import Catalog, Clause
from govscore.rules.config import (
    TAG_NAMES,
    Department,
    Departments,
    parse_departments,
    tag_code,
    tag_name,
)
from govscore.rules.scoring import stands_under

_TABLE = re.compile(r"^\s*\[")
_DEPARTMENT = re.compile(r"^\s*\[\[\s*department\s*\]\]\s*(#.*)?$")
_KEY = re.compile(r"^\s*(name|aliases|tags)\s*=")
_MOST_LINES = 50  # an assignment spread over more lines than this is not ours to edit


@dataclass(frozen=True)
class Retagged:
    """What an edit did: the department, its tags before and after."""

    department: str
    before: tuple[str, ...]
    after: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return self.before != self.after


def read_departments(root: Path) -> tuple[str, Departments]:
    """The file's text and what it says."""
    path = root / DEPARTMENTS_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = None
    except OSError as exc:
        raise cannot_read(DEPARTMENTS_FILE, exc) from None
    departments = parse_departments(parse_toml_file(data, DEPARTMENTS_FILE), DEPARTMENTS_FILE)
    assert data is not None
    return data.decode("utf-8"), departments


def retag(text: str, department: Department, tags: tuple[str, ...]) -> str:
    """departments.toml with one department's tags set to `tags` (no tags line when empty)."""
    lines = text.splitlines(keepends=True)
    start, end = _block(lines, department.name)
    new_line = f"tags = {_array(tags)}" if tags else None
    ending = _ending(lines[start])
    found = _assignment(lines, start, end, "tags")
    if found is not None:
        first, last = found
        comment = _trailing_comment(lines[first:last])
        replacement = [] if new_line is None else [new_line + comment + ending]
        lines[first:last] = replacement
    elif new_line is not None:
        after = _assignment(lines, start, end, "aliases") or _assignment(lines, start, end, "name")
        assert after is not None, "a department block has a name"
        if not lines[after[1] - 1].endswith(("\n", "\r")):
            lines[after[1] - 1] += ending
        lines.insert(after[1], new_line + ending)
    return "".join(lines)


def set_tags(
    root: Path,
    written: str,
    add: tuple[str, ...] = (),
    remove: tuple[str, ...] = (),
    known: Collection[str] = TAG_NAMES,
) -> Retagged:
    """Add and remove tags of one department in the root's departments.toml.

    Tags may be written as codes (one_window) or in Chinese (一窗受理专区); `known` are the
    codes allowed (the catalog's applies_to tags and the usual ones).
    """
    add, remove = _codes(add, known), _codes(remove, known)
    text, departments = read_departments(root)
    department = departments.resolve(written)
    if department is None:
        message = _("unknown department {name}{hint} (see `govscore departments`)")
        hint = did_you_mean(departments.suggest(written))
        raise UsageError(message.format(name=repr(written), hint=hint))
    before = _current_tags(text, department)
    after = tuple(t for t in before if t not in remove)
    after += tuple(t for t in dict.fromkeys(add) if t not in after)
    result = Retagged(department.name, before, after)
    if not result.changed:
        return result
    edited = retag(text, department, after)
    _verify(text, edited, department.name, after)
    _write(root / DEPARTMENTS_FILE, edited)
    return result


def entries_needing(root: Root, department: str, tags: Collection[str]) -> list[tuple[Entry, str]]:
    """The department's counted entries of clauses that apply only to departments with
    one of these tags, each with the tag it needs: taking the tag off would leave them
    out of every score, past months' included (departments.toml has no dates). Only the
    months an entry counts in are weighed (see _counting_clauses)."""
    wanted = set(tags)
    needing = []
    book = root.review()
    found = root.departments.by_name.get(department)
    for entry in book.entries:
        if entry.kind != "score" or entry.department != department:
            continue
        through = book.through.get(entry.id)
        for clause in _counting_clauses(root.catalog, entry, found, through):
            if clause.applies_to in wanted:
                needing.append((entry, clause.applies_to))
                break
    return needing


def _counting_clauses(
    catalog: Catalog, entry: Entry, department: Department | None, through: str | None
) -> list[Clause]:
    """The versions of an entry's clause it counts under: its own month's, and for a
    recurring entry each later one in force before its close (`through`) and its
    department's last month assessed (until), under which it stands (stands_under, the
    tag aside). A notice restricting the clause after the department left, or one under
    which the entry stands in no month anyway, asks nothing of the department's tags."""
    since, until = (department.since, department.until) if department else (None, None)
    last = until if until is not None and (through is None or until < through) else through
    booked = catalog.at(entry.month).get(entry.clause)
    assessed = department is None or department.assessed_in(entry.month)
    found = [booked] if booked is not None and assessed else []
    if not entry.recurring or (last is not None and last <= entry.month):
        return found
    first = max(entry.month, since) if since is not None else entry.month
    later = catalog.in_force(first, last)
    for version in later if first > entry.month else later[1:]:
        clause = version.get(entry.clause)
        if clause is not None and stands_under(entry, clause, None, booked):
            found.append(clause)
    return found


def _codes(written: tuple[str, ...], known: Collection[str]) -> tuple[str, ...]:
    codes = []
    for tag in written:
        code = tag_code(tag, known)
        if code is None:
            allowed = "、".join(tag_name(k) for k in known)
            raise UsageError(
                _("unknown tag {tag}; the tags clauses ask for are: {allowed}").format(
                    tag=repr(tag), allowed=allowed
                )
            )
        codes.append(code)
    return tuple(codes)


def _current_tags(text: str, department: Department) -> tuple[str, ...]:
    """The tags as the file lists them, in its order (a Department keeps a set)."""
    for spec in tomllib.loads(text).get("department") or []:
        if str(spec.get("name", "")).strip() == department.name:
            return tuple(str(t) for t in spec.get("tags", []))
    return ()


def _block(lines: list[str], name: str) -> tuple[int, int]:
    """The lines of the [[department]] table whose name is `name`: [start, end)."""
    starts = [i for i, line in enumerate(lines) if _DEPARTMENT.match(line)]
    tables = [i for i, line in enumerate(lines) if _TABLE.match(line)]
    for start in starts:
        end = next((i for i in tables if i > start), len(lines))
        span = _assignment(lines, start, end, "name")
        if span is None:
            continue
        value = tomllib.loads("".join(lines[span[0] : span[1]])).get("name")
        if str(value).strip() == name:
            return start, end
    raise ConfigError(
        _("{file}: cannot find the [[department]] table of {name}; edit the file by hand").format(
            file=DEPARTMENTS_FILE, name=name
        )
    )


def _assignment(lines: list[str], start: int, end: int, key: str) -> tuple[int, int] | None:
    """The lines [first, last) of `key = ...` in a table, however many lines its value takes."""
    for first in range(start + 1, end):
        found = _KEY.match(lines[first])
        if not found or found.group(1) != key:
            continue
        for last in range(first + 1, min(end, first + _MOST_LINES) + 1):
            try:
                tomllib.loads("".join(lines[first:last]))
            except tomllib.TOMLDecodeError:
                continue
            return first, last
    return None


def _trailing_comment(lines: list[str]) -> str:
    """A comment after a one-line value stays with it (`tags = [...]  # why`)."""
    if len(lines) != 1:
        return ""
    found = re.search(r"\]\s*(#.*?)\s*$", lines[0])
    return f"  {found.group(1)}" if found else ""


def _array(tags: tuple[str, ...]) -> str:
    return "[" + ", ".join(f'"{tag}"' for tag in tags) + "]"


def _ending(line: str) -> str:
    return "\r\n" if line.endswith("\r\n") else "\n"


def _verify(before: str, after: str, name: str, tags: tuple[str, ...]) -> None:
    """The edit must change that department's tags and nothing else, or it is not written."""
    old = tomllib.loads(before)
    try:
        new = tomllib.loads(after)
    except tomllib.TOMLDecodeError:
        new = None
    expected = [
        _with_tags(spec, tags) if str(spec.get("name", "")).strip() == name else spec
        for spec in old.get("department") or []
    ]
    if new is None or new.get("department") != expected or set(new) != set(old):
        raise ConfigError(
            _(
                "{file}: could not change the tags of {name} safely (the file is laid out in "
                "a way this edit does not know); add tags = {tags} to its table by hand"
            ).format(file=DEPARTMENTS_FILE, name=name, tags=_array(tags))
        )


def _with_tags(spec: dict[str, object], tags: tuple[str, ...]) -> dict[str, object]:
    out = {k: v for k, v in spec.items() if k != "tags"}
    if tags:
        out["tags"] = list(tags)
    return out


def _write(path: Path, text: str) -> None:
    """Write the whole file at once: a reader sees the old file or the new, never half."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=".departments-", delete=False, newline=""
    ) as handle:
        handle.write(text)
    os.chmod(handle.name, path.stat().st_mode & 0o7777)
    os.replace(handle.name, path)
