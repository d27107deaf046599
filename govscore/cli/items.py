"""``govscore items``: check service-item records against attachment 2's 13 rules.

The command reads, checks and renders; the rules themselves live in
:mod:`govscore.items.rules` and never touch a file.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import click

from govscore.cli.language import TranslatedGroup
from govscore.cli.options import MONTH, commit_option, format_option
from govscore.errors import ConfigError, Problem
from govscore.i18n import _, ngettext
from govscore.items.booking import plan_booking
from govscore.items.reader import (
    Entry,
    ItemRecord,
    Refused,
    item_sources,
    jsonl_pieces,
    read_file,
    read_jsonl_piece,
    read_sources,
)
from govscore.items.rules import (
    RULE_NUMBERS,
    RULES,
    Finding,
    check_item,
    failing_items_by_department,
)
from govscore.items.typos import TypoList, load_typos
from govscore.ledger.gitops import clone_tag, recorder
from govscore.ledger.loader import ROOT_ENV, find_root, load_root
from govscore.ledger.recording import Committer, record
from govscore.ledger.workers import cpus, in_order, start_pool
from govscore.report.render import json_text, table_text

__all__ = ["CheckResult", "failing_items_by_department", "items", "run_check"]

FINDING_HEADERS = ("实施编码", "事项名称", "实施主体", "规则", "字段", "说明")
SUMMARY_HEADERS = ("分组", "名称", "检查事项数", "有问题事项数", "问题数")
RULE_HEADERS = ("规则", "标题", "说明")
NO_DEPARTMENT = "（未填写实施主体）"


@dataclass
class CheckResult:
    """What one run found: findings, unreadable records, and how many items were checked."""

    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    checked: int = 0
    checked_by_department: Counter[str] = field(default_factory=Counter)


# Below this much input one process is quicker than starting a second (about 4,000 items).
PARALLEL_MIN_BYTES = 8 * 2**20
# What one worker task reads: big .jsonl files are cut into pieces of about this size, so
# two workers share even a single file evenly.
PIECE_BYTES = 8 * 2**20

# A worker's share: a problem found while listing, a whole file, or a piece of a .jsonl file
# (path, start byte, end byte, first line).
Unit = Problem | Path | tuple[Path, int, int, int]


def run_check(
    paths: Iterable[str | os.PathLike[str]],
    typos: TypoList,
    rules: Collection[int] | None = None,
    *,
    workers: int | None = None,
) -> CheckResult:
    """Read every record under paths and check it; records stream, findings are kept.

    Reading and checking cost about the same and both are CPU-bound, so a large input is
    split over worker processes (by default two, when the machine has two cores), by file
    and by pieces of big .jsonl files. Results are put back in reading order, so findings,
    problems and their file:line are exactly those of one process; a small input, or
    ``workers=1``, is read in this process.
    """
    sources = list(item_sources(paths))
    if workers is None:
        workers = _default_workers(sources)
    pool = start_pool(workers, _start_worker, (typos, rules)) if workers >= 2 else None
    if pool is None:
        return _check_entries(read_sources(sources), typos, rules)
    result = CheckResult()
    for part in in_order(pool, _check_unit, ((unit,) for unit in _units(sources))):
        result.findings.extend(part.findings)
        result.problems.extend(part.problems)
        result.checked += part.checked
        result.checked_by_department.update(part.checked_by_department)
    return result


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
                if source.stat().st_size > PIECE_BYTES:
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


def summary(result: CheckResult, rules: Collection[int]) -> dict[str, Any]:
    """Counts per rule and per department: items with findings, and findings."""
    rule_items: dict[int, set[str]] = {number: set() for number in rules}
    rule_findings: Counter[int] = Counter()
    department_items: dict[str, set[str]] = {}
    department_findings: Counter[str] = Counter()
    for finding in result.findings:
        rule_items.setdefault(finding.rule, set()).add(finding.item)
        rule_findings[finding.rule] += 1
        department_items.setdefault(finding.department, set()).add(finding.item)
        department_findings[finding.department] += 1
    titles = {rule.number: rule.title for rule in RULES}
    # Every department with a checked item is listed, clean ones too (with zeros);
    # items are counted by distinct 实施编码, so a duplicated record is one item.
    departments = sorted(set(result.checked_by_department) | set(department_items))
    return {
        "checked": result.checked,
        "unreadable": len(result.problems),
        "items_with_findings": len({finding.item for finding in result.findings}),
        "findings": len(result.findings),
        "by_rule": [
            {
                "rule": number,
                "title": titles[number],
                "items": len(rule_items[number]),
                "findings": rule_findings[number],
            }
            for number in sorted(rule_items)
        ],
        "by_department": [
            {
                "department": department,
                "checked": result.checked_by_department[department],
                "items": len(department_items.get(department, ())),
                "findings": department_findings[department],
            }
            for department in departments
        ],
    }


def _summary_rows(counts: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["规则", f"{row['rule']} {row['title']}", counts["checked"], row["items"], row["findings"]]
        for row in counts["by_rule"]
    ]
    rows += [
        [
            "部门",
            row["department"] or NO_DEPARTMENT,
            row["checked"],
            row["items"],
            row["findings"],
        ]
        for row in counts["by_department"]
    ]
    rows.append(["合计", "", counts["checked"], counts["items_with_findings"], counts["findings"]])
    return rows


def _typos_for(ctx: click.Context) -> tuple[TypoList, list[Problem]]:
    """Defaults plus the root's typos.tsv; items check also works where there is no root."""
    option = getattr(ctx.obj, "root_option", None)
    try:
        root: Path | None = find_root(option)
    except ConfigError as exc:
        root = None
        if option or os.environ.get(ROOT_ENV):
            # A root that was asked for but is not one: say so, then use the defaults.
            message = _("note: {message}; using the default typo list only")
            click.echo(message.format(message=exc.message), err=True)
    return load_typos(root)


@click.group("items", cls=TranslatedGroup)
def items() -> None:
    """Check 政务服务事项 records against the 13 national data-quality rules (附件2)."""


@items.command("check")
@click.argument(
    "paths",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, path_type=Path),
)
@click.option(
    "--rule",
    "rules",
    multiple=True,
    type=click.IntRange(1, len(RULES)),
    metavar="N",
    help="Check only this rule (1-13); repeat for several. Default: all 13.",
)
@click.option(
    "--summary",
    "show_summary",
    is_flag=True,
    help="Print counts per rule and per department instead of the findings.",
)
@click.option(
    "--record",
    "record_month",
    type=MONTH,
    default=None,
    help="Book clause 1.2.1 in this month's ledger: one entry per department, "
    "1 point per failing item; items already booked that month are not booked again.",
)
@commit_option
@format_option
@click.pass_context
def check(
    ctx: click.Context,
    paths: tuple[Path, ...],
    rules: tuple[int, ...],
    show_summary: bool,
    record_month: str | None,
    commit: bool,
    fmt: str,
) -> None:
    """Check item exports (.json arrays, .jsonl, or folders of them) against the rules.

    Exit code 1 when any item breaks a rule or a record cannot be read, 0 when all pass,
    3 when --record wrote entries that could not be committed to git.
    """
    if commit and record_month is None:
        raise click.UsageError(_("--commit commits what --record books: give --record MONTH"))
    chosen = sorted(set(rules)) if rules else list(RULE_NUMBERS)
    typos, typo_problems = _typos_for(ctx)
    result = run_check(paths, typos, None if not rules else chosen)
    for problem in (*typo_problems, *result.problems):
        click.echo(str(problem), err=True)

    committer = Committer(commit)
    if record_month is not None:
        book_findings(ctx, result.findings, record_month, committer)

    if show_summary:
        counts = summary(result, chosen)
        if fmt == "json":
            click.echo(json_text(counts))
        else:
            click.echo(table_text(SUMMARY_HEADERS, _summary_rows(counts), fmt))
    elif fmt == "json":
        click.echo(json_text([finding.as_dict() for finding in result.findings]))
    else:
        rows = [(f.item, f.name, f.department, f.rule, f.field, f.message) for f in result.findings]
        click.echo(table_text(FINDING_HEADERS, rows, fmt))
    failing = len({finding.item for finding in result.findings})
    checked = ngettext(
        "checked {checked} item: {failing} with findings, {findings} findings, "
        "{unreadable} unreadable records",
        "checked {checked} items: {failing} with findings, {findings} findings, "
        "{unreadable} unreadable records",
        result.checked,
    )
    counts = {"findings": len(result.findings), "unreadable": len(result.problems)}
    click.echo(checked.format(checked=result.checked, failing=failing, **counts), err=True)
    committer.check()  # entries booked but not committed: exit 3, whatever was found
    # Bad lines in the root's typos.tsv also fail the run: the office must fix its list.
    if result.findings or result.problems or typo_problems:
        # SystemExit, not ctx.exit: it ends the process with 1 whether click runs in
        # standalone mode or not (outside it, click returns ctx.exit's code instead).
        sys.exit(1)


def book_findings(
    ctx: click.Context, findings: list[Finding], month: str, committer: Committer | None = None
) -> None:
    """Append 1.2.1 entries for the failing items, through the same path as `govscore add`."""
    root_dir = find_root(getattr(ctx.obj, "root_option", None))
    root = load_root(root_dir)
    book = root.review()
    plan = plan_booking(
        failing_items_by_department(findings),
        root.departments,
        list(root.entries()),
        book.voided,
        month,
        recorder(root_dir),
    )
    for written, codes in plan.unknown:
        message = _("not booked: {name!r} is not in departments.toml ({count} item(s): {codes})")
        click.echo(message.format(name=written, count=len(codes), codes="、".join(codes)), err=True)
    done = record(
        root_dir,
        list(plan.drafts),
        date.today(),
        after_append=committer,
        id_tag=clone_tag(root_dir),
    )
    for entry in done.added:
        message = _("booked {id}: {department} {clause} × {count}")
        click.echo(
            message.format(
                id=entry.id, department=entry.department, clause=entry.clause, count=entry.count
            ),
            err=True,
        )
    message = _(
        "booked {items} item(s) in {entries} entries for {month}; "
        "{already} item(s) were booked already"
    )
    booked = sum(e.count for e in done.added)
    click.echo(
        message.format(items=booked, entries=len(done.added), month=month, already=plan.already),
        err=True,
    )


@items.command("rules")
@format_option
def rules_command(fmt: str) -> None:
    """List the 13 rules of attachment 2, each explained as govscore applies it."""
    if fmt == "json":
        payload = [
            # Program-read: the same in either language, the gloss included.
            {"rule": rule.number, "title": rule.title, "explanation": rule.explanation + rule.gloss}
            for rule in RULES
        ]
        click.echo(json_text(payload))
        return
    rows = [(rule.number, rule.title, rule.explained()) for rule in RULES]
    click.echo(table_text(RULE_HEADERS, rows, fmt))
