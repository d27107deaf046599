"""``govscore items``: check service-item records against attachment 2's 13 rules.

The command reads, checks and renders; the rules themselves live in
:mod:`govscore.items.rules` and never touch a file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import click

from govscore.cli.language import TranslatedGroup
from govscore.cli.options import MONTH, commit_option, format_option
from govscore.errors import ConfigError, DataError
from govscore.i18n import _, listing, ngettext
from govscore.items.booking import plan_booking
from govscore.items.checking import CheckResult, Tally, check_parts, run_check
from govscore.items.rules import RULE_NUMBERS, RULES, Finding, failing_items_by_department
from govscore.items.typos import load_typos
from govscore.ledger.gitops import clone_tag, recorder
from govscore.ledger.loader import ROOT_ENV, find_root, load_departments, load_root
from govscore.ledger.recording import Committer, record
from govscore.model import Entry
from govscore.report.render import json_array_pieces, json_text, table_pieces, table_text
from govscore.rules.door import when_problems

__all__ = ["CheckResult", "failing_items_by_department", "items", "run_check"]

FINDING_HEADERS = ("实施编码", "事项名称", "实施主体", "规则", "字段", "说明")
SUMMARY_HEADERS = ("分组", "名称", "检查事项数", "有问题事项数", "问题数")
RULE_HEADERS = ("规则", "标题", "说明")
NO_DEPARTMENT = "（未填写实施主体）"


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


def _root_for(ctx: click.Context) -> Path | None:
    """The root, if there is one: items check also works where there is none."""
    option = getattr(ctx.obj, "root_option", None)
    try:
        return find_root(option)
    except ConfigError as exc:
        if option or os.environ.get(ROOT_ENV):
            # A root that was asked for but is not one: say so, then use the defaults.
            message = _("note: {message}; using the default typo list only")
            click.echo(message.format(message=exc.message), err=True)
        return None


def _department_of(root: Path | None) -> Callable[[str], str]:
    """A department as written in an export, by the name the root's departments.toml
    knows it by (住建局 → 市住房和城乡建设局); a name it does not know, as written."""
    if root is None:
        return str.strip
    try:
        departments = load_departments(root)
    except ConfigError:
        return str.strip  # the configuration's problems are check's and add's to name
    return lambda written: departments.full_name(written) or written.strip()


@click.group("items", cls=TranslatedGroup)
def items() -> None:
    """Check 政务服务事项 records against the 13 national data-quality rules (附件2)."""


@items.command("check")
@click.argument(
    "paths",
    nargs=-1,
    required=True,
    # Not exists=True: a file named that is missing, or a link to nothing (an export that
    # failed, under cron), is said as in a folder (文件不存在, 链接指向的文件不存在), and
    # the run goes on to the others and exits 1: a data problem, not a usage error.
    type=click.Path(path_type=Path),
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
@click.option(
    "--force",
    is_flag=True,
    help="Book a --record month the door refuses only as doubtful: before the measures "
    "took effect (2023-03-27), or after next month.",
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
    force: bool,
    commit: bool,
    fmt: str,
) -> None:
    """Check item exports (.json arrays, .jsonl, or folders of them) against the rules.

    Exit code 1 when any item breaks a rule or a record cannot be read, 0 when all pass,
    3 when --record wrote entries that could not be committed to git.
    """
    if commit and record_month is None:
        raise click.UsageError(_("--commit commits what --record books: give --record MONTH"))
    if force and record_month is None:
        raise click.UsageError(
            _("--force lets --record book a doubtful month: give --record MONTH")
        )
    if record_month is not None and not force:
        # A month the door would refuse is said before anything is checked, not only on
        # the first day something is to be booked.
        refused = when_problems(Entry("", record_month), date.today())
        if refused:
            message = _("--record {month}: {reason}")
            raise DataError(message.format(month=record_month, reason=refused[0].message))
    chosen = sorted(set(rules)) if rules else list(RULE_NUMBERS)
    found_root = _root_for(ctx)
    typos, typo_problems = load_typos(found_root)
    for problem in typo_problems:
        click.echo(str(problem), err=True)
    # Findings stream out as they are found and are not kept: a million records hold half
    # a million findings. The root --record books into is looked for first, so a run
    # that cannot book stops before it prints anything.
    root_dir = None if record_month is None else find_root(getattr(ctx.obj, "root_option", None))
    tally = Tally(detail=show_summary or record_month is not None)
    parts = check_parts(paths, typos, None if not rules else chosen)
    found = _findings(parts, tally, bool(typo_problems), ctx.obj)
    if show_summary:
        for _finding in found:
            pass
        counts = tally.summary(chosen, _department_of(found_root))
        if fmt == "json":
            click.echo(json_text(counts))
        else:
            click.echo(table_text(SUMMARY_HEADERS, _summary_rows(counts), fmt))
    elif fmt == "json":
        for piece in json_array_pieces(finding.as_dict() for finding in found):
            click.echo(piece, nl=False)
    else:
        rows = ((f.item, f.name, f.department, f.rule, f.field, f.message) for f in found)
        for piece in table_pieces(FINDING_HEADERS, rows, fmt):
            click.echo(piece, nl=False)

    committer = Committer(commit)
    if root_dir is not None and record_month is not None:
        book_findings(root_dir, tally.failing_by_department(), record_month, committer, force)
    checked = _("checked {items}: {failing} with findings, {findings}, {unreadable}").format(
        items=_items(tally.checked),
        failing=tally.failing,
        findings=ngettext("{count} finding", "{count} findings", tally.findings).format(
            count=tally.findings
        ),
        unreadable=ngettext(
            "{count} unreadable record", "{count} unreadable records", tally.unreadable
        ).format(count=tally.unreadable),
    )
    click.echo(checked, err=True)
    if tally.broken_files:
        message = _("files not read to their end: {count}")
        click.echo(message.format(count=tally.broken_files), err=True)
    committer.check()  # entries booked but not committed: exit 3, whatever was found
    # Bad lines in the root's typos.tsv also fail the run: the office must fix its list.
    if tally.failed or typo_problems:
        # SystemExit, not ctx.exit: it ends the process with 1 whether click runs in
        # standalone mode or not (outside it, click returns ctx.exit's code instead).
        sys.exit(1)


def _findings(
    parts: Iterator[CheckResult], tally: Tally, failed: bool, app: Any
) -> Iterator[Finding]:
    """The findings of every part, counted as they pass; unreadable records go to stderr.

    The run's exit code is known once something failed (`failed`: the typo list), else
    only after the last part: it is kept in `app.verdict` (None: not known yet), so that
    a reader that goes away early (`| head -1`) still ends the run with 1 over findings,
    and with 1, not 0, while nothing yet says the items pass (see commands._output_lost).
    """
    for part in parts:
        tally.add(part)
        _verdict(app, 1 if failed or tally.failed else None)
        for problem in part.problems:
            click.echo(str(problem), err=True)
        yield from part.findings
    _verdict(app, 1 if failed or tally.failed else 0)


def _verdict(app: Any, code: int | None) -> None:
    """Keep the run's exit code as far as it is known in govscore's AppContext (ctx.obj;
    None when the items group is run on its own, as a test may)."""
    if app is not None:
        app.verdict = code


def _items(count: int) -> str:
    """A number of items, as the summaries say it: 1 item, 3 items (3 个事项)."""
    return ngettext("{count} item", "{count} items", count).format(count=count)


def book_findings(
    root_dir: Path,
    failing: Mapping[str, Sequence[str]],
    month: str,
    committer: Committer | None = None,
    force: bool = False,
) -> None:
    """Append 1.2.1 entries for the failing items, through the same path as `govscore add`."""
    root = load_root(root_dir)
    book = root.review()
    plan = plan_booking(
        failing,
        root.departments,
        list(root.entries()),
        book.voided,
        month,
        recorder(root_dir),
    )
    blank = sorted(code for written, codes in plan.unknown if not written.strip() for code in codes)
    for written, codes in plan.unknown:
        if written.strip():
            message = ngettext(
                "not booked: “{name}” is not in departments.toml ({count} item: {codes})",
                "not booked: “{name}” is not in departments.toml ({count} items: {codes})",
                len(codes),
            )
            click.echo(
                message.format(name=written, count=len(codes), codes="、".join(codes)), err=True
            )
    if blank:  # missing, null, "" or spaces alike: one line
        message = ngettext(
            "not booked: 实施主体 is empty ({count} item: {codes})",
            "not booked: 实施主体 is empty ({count} items: {codes})",
            len(blank),
        )
        click.echo(message.format(count=len(blank), codes="、".join(blank)), err=True)
    for department, codes in plan.out_of_span:
        message = ngettext(
            "not booked: {name} is not assessed in {month} (departments.toml lists it "
            "{span}) ({count} item: {codes})",
            "not booked: {name} is not assessed in {month} (departments.toml lists it "
            "{span}) ({count} items: {codes})",
            len(codes),
        )
        said = message.format(
            name=department.name,
            month=month,
            span=department.span(),
            count=len(codes),
            codes="、".join(codes),
        )
        click.echo(said, err=True)
    done = record(
        root_dir,
        list(plan.drafts),
        date.today(),
        after_append=committer,
        id_tag=clone_tag(root_dir),
        force=force,
    )
    for entry in done.added:
        message = _("booked {id}: {department} {clause} × {count}")
        click.echo(
            message.format(
                id=entry.id, department=entry.department, clause=entry.clause, count=entry.count
            ),
            err=True,
        )
    booked = sum(e.count for e in done.added)
    message = _("booked {items} in {entries} for {month}; {already}").format(
        items=_items(booked),
        entries=ngettext("{count} entry", "{count} entries", len(done.added)).format(
            count=len(done.added)
        ),
        month=month,
        already=ngettext(
            "{count} item was booked already", "{count} items were booked already", plan.already
        ).format(count=plan.already),
    )
    click.echo(message, err=True)
    if plan.voided:
        message = ngettext(
            "{count} item of bookings voided for {month} is not booked again "
            "(a void is the office's word on it; `govscore add` books it by hand)",
            "{count} items of bookings voided for {month} are not booked again "
            "(a void is the office's word on them; `govscore add` books one by hand)",
            plan.voided,
        )
        click.echo(message.format(count=plan.voided, month=month), err=True)
    if plan.holders and committer is not None:
        # A re-run after its commit failed (exit 3): the bookings it finds are committed
        # now if they are not in HEAD, or it exits 3 again (see Committer.catch_up).
        before = committer.written
        committer.catch_up(root_dir, plan.holders)
        if committer.written is not before and committer.failure is None:
            message = _("committed {ids}: booked by an earlier run that could not commit")
            click.echo(message.format(ids=listing(committer.written)), err=True)


@items.command("rules")
@format_option
def rules_command(fmt: str) -> None:
    """List the 13 rules of attachment 2, each explained as govscore applies it."""
    if fmt == "json":
        payload = [
            # Program-read: the same in either language. The explanation is the Chinese
            # one; the English gloss has a key of its own (it was glued onto it).
            {
                "rule": rule.number,
                "title": rule.title,
                "explanation": rule.explanation,
                "gloss": rule.gloss,
            }
            for rule in RULES
        ]
        click.echo(json_text(payload))
        return
    rows = [(rule.number, rule.title, rule.explained()) for rule in RULES]
    click.echo(table_text(RULE_HEADERS, rows, fmt))
