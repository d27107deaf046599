"""Check item records as a stream: findings come out in parts, in reading order.

A province's export holds a million records and half a million findings; keeping them all
took 1.3 GiB. The checker hands them on part by part (a file, a piece of a big .jsonl
file, or a few thousand records) and :class:`Tally` keeps only what the counts need.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govscore.errors import Problem
from govscore.items.reader import (
    BrokenFile,
    Entry,
    ItemRecord,
    Notice,
    Refused,
    item_sources,
    jsonl_pieces,
    read_file,
    read_jsonl_piece,
    read_sources,
    starts_as_array,
)
from govscore.items.rules import RULE_NUMBERS, RULES, Finding, check_item
from govscore.items.typos import TypoList
from govscore.ledger.workers import cpus, in_order, start_pool


@dataclass
class CheckResult:
    """What one part (or a whole run) found: findings, unreadable records, items checked."""

    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    checked: int = 0
    checked_by_department: Counter[str] = field(default_factory=Counter)

    @property
    def unreadable(self) -> int:
        """Records that could not be read: the problems, less the notes on files read and
        the arrays broken part-way (no record: what the rest held is not known)."""
        return sum(1 for p in self.problems if not isinstance(p, Notice | BrokenFile))

    @property
    def broken_files(self) -> int:
        """JSON arrays broken part-way, whose items after the break are not checked."""
        return sum(1 for problem in self.problems if isinstance(problem, BrokenFile))


# Below this much input one process is quicker than starting a second (about 4,000 items).
PARALLEL_MIN_BYTES = 8 * 2**20
# What one worker task reads: big .jsonl files are cut into pieces of about this size, so
# two workers share even a single file evenly. A worker holds a piece and its findings
# at once: 2 MiB pieces keep each worker about 15 MiB smaller than 8 MiB pieces did.
PIECE_BYTES = 2 * 2**20
# Records checked in one part when one process reads: a part's findings are held at once.
PART_RECORDS = 2_000

# A worker's share: a problem found while listing, a whole file, or a piece of a .jsonl file
# (path, start byte, end byte, first line).
Unit = Problem | Path | tuple[Path, int, int, int]


def check_parts(
    paths: Iterable[str | os.PathLike[str]],
    typos: TypoList,
    rules: Collection[int] | None = None,
    *,
    workers: int | None = None,
) -> Iterator[CheckResult]:
    """Read every record under paths and check it, yielding the results part by part.

    Reading and checking cost about the same and both are CPU-bound, so a large input is
    split over worker processes (by default two, when the machine has two cores), by file
    and by pieces of big .jsonl files. Parts come in reading order, so findings, problems
    and their file:line are exactly those of one process; a small input, or
    ``workers=1``, is read in this process. Only a few parts are ever held at once.
    """
    sources = list(item_sources(paths))
    if workers is None:
        workers = _default_workers(sources)
    pool = start_pool(workers, _start_worker, (typos, rules)) if workers >= 2 else None
    if pool is None:
        entries = read_sources(sources)
        while True:
            part = _check_entries(_take(entries, PART_RECORDS), typos, rules)
            if not part.checked and not part.problems:
                return
            yield part
    yield from in_order(pool, _check_unit, ((unit,) for unit in _units(sources)), ahead=4)


def run_check(
    paths: Iterable[str | os.PathLike[str]],
    typos: TypoList,
    rules: Collection[int] | None = None,
    *,
    workers: int | None = None,
) -> CheckResult:
    """Every finding and problem of a run in one result (for a small input, and tests)."""
    result = CheckResult()
    for part in check_parts(paths, typos, rules, workers=workers):
        result.findings.extend(part.findings)
        result.problems.extend(part.problems)
        result.checked += part.checked
        result.checked_by_department.update(part.checked_by_department)
    return result


def _take(entries: Iterator[Entry], count: int) -> Iterator[Entry]:
    """The next count entries (records and problems alike), or fewer at the end."""
    for _, entry in zip(range(count), entries, strict=False):
        yield entry


def _check_entries(
    entries: Iterable[Entry], typos: TypoList, rules: Collection[int] | None
) -> CheckResult:
    result = CheckResult()
    findings = result.findings
    by_department = result.checked_by_department
    for entry in entries:
        if isinstance(entry, ItemRecord):
            data = entry.data
            department = data.get("实施主体")
            by_department[department if isinstance(department, str) else ""] += 1
            found = check_item(data, typos, rules)
            if found:
                findings.extend(found)
        else:
            result.problems.append(entry)
    result.checked = by_department.total()
    return result


def _default_workers(sources: list[Path | Problem]) -> int:
    """Two workers for a large input on a machine with two cores or more, else one."""
    if cpus() < 2:
        return 1
    total = 0
    for source in sources:
        if isinstance(source, Path):
            try:
                total += source.stat().st_size
            except OSError:
                continue  # reported when read
    return 2 if total >= PARALLEL_MIN_BYTES else 1


def _units(sources: Iterable[Path | Problem]) -> Iterator[Unit]:
    """The sources in order, with every big .jsonl file cut into pieces."""
    for source in sources:
        if isinstance(source, Path) and source.suffix.lower() == ".jsonl":
            try:
                # A JSON array named .jsonl is read whole, as a .json file is.
                if source.stat().st_size > PIECE_BYTES and not starts_as_array(source):
                    for start, end, first in jsonl_pieces(source, PIECE_BYTES):
                        yield source, start, end, first
                    continue
            except (OSError, Refused):
                pass  # read whole: the worker reports why it cannot be read, as one process does
        yield source


_worker_typos: TypoList | None = None
_worker_rules: Collection[int] | None = None


def _start_worker(typos: TypoList, rules: Collection[int] | None) -> None:
    """Keep the typo list and rules in the worker: sent once, not with every unit."""
    global _worker_typos, _worker_rules
    _worker_typos, _worker_rules = typos, rules


def _check_unit(unit: Unit) -> CheckResult:
    """One worker task: the entries of one unit, read and checked."""
    assert _worker_typos is not None
    entries: Iterable[Entry]
    if isinstance(unit, Problem):
        entries = (unit,)
    elif isinstance(unit, Path):
        entries = read_file(unit)
    else:
        entries = read_jsonl_piece(*unit)
    return _check_entries(entries, _worker_typos, _worker_rules)


@dataclass
class Tally:
    """The counts of a run, kept as its parts go by: the findings themselves are not kept.

    What grows with the input is one entry per failing item: items are counted by
    distinct 实施编码, so a duplicated record is one item, and --record books each code
    once. With detail (for --summary and --record) that is its code, the rules it breaks
    and its department, about 200 bytes; without, its code alone, about 110 bytes.
    """

    detail: bool = True

    checked: int = 0
    unreadable: int = 0
    broken_files: int = 0
    findings: int = 0
    checked_by_department: Counter[str] = field(default_factory=Counter)
    rule_findings: Counter[int] = field(default_factory=Counter)
    department_findings: Counter[str] = field(default_factory=Counter)
    item_rules: dict[str, int] = field(default_factory=dict)  # code → bit per rule broken
    department_items: dict[str, set[str]] = field(default_factory=dict)
    items: set[str] = field(default_factory=set)  # without detail: the codes alone

    def add(self, part: CheckResult) -> None:
        self.checked += part.checked
        self.unreadable += part.unreadable
        self.broken_files += part.broken_files
        self.findings += len(part.findings)
        self.checked_by_department.update(part.checked_by_department)
        if not self.detail:
            self.items.update(finding.item for finding in part.findings)
            return
        item_rules = self.item_rules
        for finding in part.findings:
            item = finding.item
            item_rules[item] = item_rules.get(item, 0) | 1 << finding.rule
            self.rule_findings[finding.rule] += 1
            self.department_findings[finding.department] += 1
            self.department_items.setdefault(finding.department, set()).add(item)

    @property
    def failed(self) -> bool:
        """Whether the run fails so far (exit 1): a finding, an unreadable record, a file
        not read to its end."""
        return bool(self.findings or self.unreadable or self.broken_files)

    @property
    def failing(self) -> int:
        """Items with findings, each code once."""
        return len(self.item_rules) if self.detail else len(self.items)

    def failing_by_department(self) -> dict[str, list[str]]:
        """As rules.failing_items_by_department gives it for all the findings (with detail)."""
        return {
            department: sorted(items) for department, items in sorted(self.department_items.items())
        }

    def summary(
        self, rules: Collection[int], department_of: Callable[[str], str] = str.strip
    ) -> dict[str, Any]:
        """Counts per rule and per department: items with findings, and findings (with
        detail). `department_of` names a department as written (住建局, 烟台市住建局) by
        the name it is known by, so that each department is one row."""
        rule_items = dict.fromkeys(rules, 0)
        for bits in self.item_rules.values():
            for number in RULE_NUMBERS:
                if bits >> number & 1:
                    rule_items[number] = rule_items.get(number, 0) + 1
        titles = {rule.number: rule.title for rule in RULES}
        # Every department with a checked item is listed, clean ones too (with zeros).
        checked: Counter[str] = Counter()
        findings: Counter[str] = Counter()
        items: dict[str, set[str]] = {}
        for written in set(self.checked_by_department) | set(self.department_items):
            name = department_of(written)
            checked[name] += self.checked_by_department[written]
            findings[name] += self.department_findings[written]
            items.setdefault(name, set()).update(self.department_items.get(written, ()))
        return {
            "checked": self.checked,
            "unreadable": self.unreadable,
            "items_with_findings": self.failing,
            "findings": self.findings,
            "by_rule": [
                {
                    "rule": number,
                    "title": titles[number],
                    "items": rule_items[number],
                    "findings": self.rule_findings[number],
                }
                for number in sorted(rule_items)
            ],
            "by_department": [
                {
                    "department": department,
                    "checked": checked[department],
                    "items": len(items[department]),
                    "findings": findings[department],
                }
                for department in sorted(items)
            ],
        }
