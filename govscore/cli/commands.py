"""The command line: each command parses, calls the core, renders.

govscore errors are caught once, in GovscoreGroup, and become a message on stderr and
an exit code: 0 ok, 1 a data problem, 2 usage, 3 written but not committed.
"""

from __future__ import annotations

import codecs
import contextlib
import importlib
import os
import shlex
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from functools import partial
from importlib.resources import files
from pathlib import Path
from typing import Any, ClassVar

import click

from govscore import __version__
from govscore.cli.asking import ask_missing, confirm
from govscore.cli.language import TranslatedGroup
from govscore.cli.options import (
    DATE,
    ID,
    MONTH,
    NUMBER,
    PERCENT,
    PERIOD,
    WHOLE,
    at_option,
    bom_option,
    commit_option,
    force_option,
    format_option,
)
from govscore.errors import (
    ConfigError,
    DataError,
    GovscoreError,
    NotCommitted,
    Problem,
    UsageError,
    did_you_mean,
)
from govscore.figures import SHOWN_PLACES
from govscore.i18n import _, both, chinese, either, listing, ngettext, os_reason
from govscore.ledger import importing
from govscore.ledger.audit import CutOff, audit_history, printable
from govscore.ledger.gitops import (
    COMMIT_PREFIX,
    GitError,
    GitMissing,
    LedgerState,
    clone_tag,
    commit_files,
    in_repository,
    init_repository,
    ledger_state,
    recorder,
    repository_top,
    resolve_revision,
)
from govscore.ledger.loader import (
    CONFIGURATION,
    DEPARTMENTS_FILE,
    LEDGER_DIR,
    ROOT_ENV,
    WEIGHTS_FILE,
    Root,
    View,
    find_root,
    keep_scores,
    load_catalog,
    load_departments,
    load_detailed,
    load_root,
    load_rules,
    load_view,
)
from govscore.ledger.recording import (
    Committer,
    Draft,
    Writing,
    month_entries,
    record,
    record_import,
    rejected_entry,
)
from govscore.ledger.repair import Cut, cut_back, find_cuts, in_repair_words, repair_json
from govscore.ledger.settings import entries_needing, set_tags
from govscore.ledger.writer import LOCK_WAIT, create_files, write_whole
from govscore.model import month_of, months_between
from govscore.report import page
from govscore.report.amended import (
    amendments_json,
    amendments_table,
    clause_history_json,
    clause_history_table,
    clause_span_json,
    clause_span_lines,
    rules_json,
    rules_label,
)
from govscore.report.page import year_months
from govscore.report.render import (
    json_array_pieces,
    json_text,
    rows_text,
    table_pieces,
    table_text,
)
from govscore.report.shapes import (
    LOG_HEADERS,
    clause_json,
    clause_text,
    clauses_table,
    department_json,
    departments_table,
    detail_export,
    detail_summary,
    detail_table,
    detailed,
    history_json,
    history_table,
    log_json,
    log_rows,
    problems_table,
    ranking_json,
    ranking_table,
    shown_text,
    with_period,
)
from govscore.rules.amendments import RuleBook, Version
from govscore.rules.catalog import Catalog, clause_matches
from govscore.rules.config import TAG_NAMES, Department, Weights, tag_code, tag_name
from govscore.rules.lookup import Lookup
from govscore.rules.scoring import Scorer
from govscore.rules.validate import count_refusal

MAX_PROBLEMS_SHOWN = 20


class GovscoreGroup(TranslatedGroup):
    """A click group that turns govscore errors into messages and exit codes, in one place.

    `govscore items` (the item records' checks, a package of their own) is imported only
    when it is asked for, or listed: every other command starts 30 ms sooner."""

    LAZY: ClassVar[dict[str, str]] = {"items": "govscore.cli.items"}
    # Its subgroups (`departments`) are plain translated groups: `items` is govscore's
    # own command, not one of theirs; errors are still caught here, at the top.
    group_class = TranslatedGroup

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = self.LAZY.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            self.add_command(getattr(importlib.import_module(module), cmd_name))
        return super().get_command(ctx, cmd_name)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Output lost before any command runs (`--help` to a closed stdout) is said and
        ends as a command's would, never a traceback."""
        try:
            return super().main(*args, **kwargs)
        except OSError as exc:
            if not _from_echo(exc):
                raise
            sys.exit(_output_lost(None, exc))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            _lock_waits()
            return super().invoke(ctx)
        except GovscoreError as exc:
            _say_error(exc)
            ctx.exit(exc.exit_code)
        except OSError as exc:
            if not _from_echo(exc):
                raise
            ctx.exit(_output_lost(ctx.find_object(AppContext), exc))


def _lock_waits() -> None:
    """While another govscore holds the ledger, say so on stderr, and give up after
    GOVSCORE_LOCK_TIMEOUT seconds (600 unless set; 0: do not wait; "none": wait on)."""

    def said(folder: Path) -> None:
        message = _("waiting: another govscore is using {folder} …")
        click.echo(message.format(folder=folder), err=True)

    written = os.environ.get("GOVSCORE_LOCK_TIMEOUT", "").strip()
    seconds: float | None = 600.0
    unreadable = None
    if written.lower() == "none":
        seconds = None
    elif written:
        try:
            seconds = float(written)
        except ValueError:
            seconds = -1.0
        if not 0 <= seconds < float("inf"):
            message = _("GOVSCORE_LOCK_TIMEOUT={value}: give seconds (600), 0 or none")
            seconds, unreadable = 600.0, message.format(value=written)
    LOCK_WAIT.said, LOCK_WAIT.seconds, LOCK_WAIT.unreadable = said, seconds, unreadable


def _say_error(exc: GovscoreError) -> None:
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    click.echo(_("error: {message}").format(message=exc.message), err=True)


def _from_echo(exc: BaseException) -> bool:
    """Whether an error was raised writing output (every line govscore prints goes
    through click.echo): a reader that went away (`| head -1`), a full disk under a
    cron log, not a file of the ledger or a report."""
    trace = exc.__traceback__
    while trace is not None:
        code = trace.tb_frame.f_code
        if code.co_name == "echo" and Path(code.co_filename).parent.name == "click":
            return True
        trace = trace.tb_next
    return False


def _output_lost(app: AppContext | None, exc: OSError) -> int:
    """The exit code when output could not be written. What a command wrote to the
    ledger stands: its exit code says so (0, or 3 where the commit failed), never 1,
    which tells a cron job that nothing was written (a retry without a key would book
    it twice); the ids are named on stderr. A read-only command whose reader went away
    (`| head -1`) ends quietly with the exit code it knows it has (0, or 1 over problems),
    1 where it does not know it yet: a cron job with pipefail never reads 0 for a check
    that did not end. One whose output was lost otherwise (a full disk, a stdout closed
    with `>&-`) says so: 1."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        # Nothing more to stdout (the interpreter's last flush would fail again).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    written = app.written if app is not None else ()
    gone = isinstance(exc, BrokenPipeError)
    try:
        if written:
            ids = written[0] if len(written) == 1 else f"{written[0]} … {written[-1]}"
            message = ngettext(
                "written to the ledger: {ids} ({count} entry), but the output could not be "
                "written: {reason}",
                "written to the ledger: {ids} ({count} entries), but the output could not be "
                "written: {reason}",
                len(written),
            )
            click.echo(
                message.format(ids=ids, count=len(written), reason=os_reason(exc, writing=True)),
                err=True,
            )
            if app is not None and app.committer is not None:
                try:
                    app.committer.check()
                except GovscoreError as failed:
                    _say_error(failed)
                    return failed.exit_code
            return 0
        if gone:  # the reader had what it wanted: the command's own verdict stands
            verdict = app.verdict if app is not None else 0
            return 1 if verdict is None else verdict
        message = _("the output could not be written: {reason}")
        click.echo(message.format(reason=os_reason(exc, writing=True)), err=True)
    except OSError:
        pass  # stderr is gone too
    return 1


@dataclass
class AppContext:
    """What every command shares: where the root is, resolved only when a command needs it."""

    root_option: str | None = None
    use_cache: bool = True
    # What a command wrote to the ledger, and how it commits: said if its output is lost.
    written: Sequence[str] = ()
    committer: Committer | None = None
    # The exit code a command will end with, once it knows (1: a report over problems):
    # kept if its output's reader goes away before the end. None: not known until the
    # end (`items check` while no finding is yet printed); a reader gone then is 1.
    verdict: int | None = 0

    def root_dir(self) -> Path:
        return find_root(self.root_option)

    def root(self, at: str | None = None) -> Root:
        return load_root(self.root_dir(), at)

    def view(
        self,
        at: str | None = None,
        detail: bool = False,
        verify: bool = False,
        year: bool = False,
        months: Iterable[str] | None = None,
        leave: Iterable[str] = (),
    ) -> Report:
        """What a report needs: from the cache, or (for --at and --detail) a ledger read
        entry by entry.

        verify=True (check) compares a cache that was used with a full read. year=True:
        a year is scored next (its scores, if none are kept, are worked out in the
        processes that read the ledger). With detail, `months` are the only months whose
        lines are shown (None: every month): the other months' plain entries are only
        summed, but for those whose ids are in `leave` (load_detailed).
        """
        if at is None and detail:
            read = load_detailed(self.root_dir(), months, self.use_cache, leave=leave)
            root = read.root
            scorer = Scorer(read.book, root.catalog, root.weights, root.departments, read.summary)
            files = len(root.files)
            return Report(root, read.book.problems, scorer, read.entries, files, read.taken)
        if at is None and not detail:
            view = load_view(self.root_dir(), self.use_cache, verify, shown_text, helpers=year)
            scorer = Scorer(
                None, view.catalog, view.weights, view.departments, view.summary, view.memo
            )
            return Report(view, view.problems, scorer, view.entries, view.files)
        root = self.root(at)
        book = root.review()
        scorer = Scorer(book, root.catalog, root.weights, root.departments)
        entries = sum(len(f.entries) for f in root.files.values())
        return Report(root, book.problems, scorer, entries, len(root.files))


@dataclass(frozen=True)
class Report:
    """A root read for a report: its configuration and months, problems, and a scorer."""

    root: Root | View
    problems: Sequence[Problem]
    scorer: Scorer
    entries: int
    files: int
    # With detail for some months (load_detailed): the ids of the entries only summed.
    taken: Sequence[Sequence[str]] = ()

    def keep(self) -> None:
        """Keep the scores worked out for the next run (a warm one reads them)."""
        if isinstance(self.root, View):
            keep_scores(self.root)


def today() -> date:
    return date.today()


def interactive() -> bool:
    """Ask for missing input only when a person is at a terminal; cron jobs never block.

    A terminal to read answers from (stdin) and to ask on (stderr, where every prompt
    goes): stdout may be captured, `id=$(govscore add …)`, which only takes the id
    (review Y F9: it booked today's date unasked). Cron gives no terminal on stdin; a
    closed one (`<&-`) gives no stdin at all (None).
    """
    return all(stream is not None and stream.isatty() for stream in (sys.stdin, sys.stderr))


def show(headers: list[str], rows: list[list[Any]], fmt: str, bom: bool = False) -> None:
    """Print a table; `bom` starts a CSV with a byte-order mark, so Excel reads it as UTF-8."""
    check_bom(fmt, bom)
    click.echo(("\ufeff" if bom else "") + table_text(headers, rows, fmt))


def check_bom(fmt: str, bom: bool) -> None:
    if bom and fmt != "csv":
        raise UsageError(_("--bom is for CSV: add --format csv"))


def report_problems(problems: Sequence[Problem]) -> None:
    """A report over a ledger with problems still prints, but says so, and exits 1."""
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        click.echo(str(problem), err=True)
    more = len(problems) - MAX_PROBLEMS_SHOWN
    if more > 0:
        click.echo(_("… and {count} more").format(count=more), err=True)
    if all(problem.file.startswith(f"{LEDGER_DIR}/") for problem in problems):
        warning = ngettext(
            "warning: {count} problem in the ledger; entries with problems are not counted "
            "(run `govscore check`)",
            "warning: {count} problems in the ledger; entries with problems are not counted "
            "(run `govscore check`)",
            len(problems),
        )
    else:
        warning = ngettext(
            "warning: {count} problem in the ledger or its configuration; entries with "
            "problems are not counted, nor an amendment with one (run `govscore check`)",
            "warning: {count} problems in the ledger or its configuration; entries with "
            "problems are not counted, nor an amendment with one (run `govscore check`)",
            len(problems),
        )
    click.echo(warning.format(count=len(problems)), err=True)


@click.group(cls=GovscoreGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    type=click.Path(file_okay=False),
    default=None,
    help="The working root (else $GOVSCORE_ROOT, else the nearest folder with weights.toml).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Read and review the whole ledger, ignoring (and rewriting) .govscore-cache/.",
)
@click.version_option(
    __version__,
    prog_name="govscore",
    message="%(prog)s %(version)s",
    help="Show the version and exit.",  # given here, so that it is translated when shown
)
@click.pass_context
def cli(ctx: click.Context, root: str | None, no_cache: bool) -> None:
    """Score government-service work under the 2023 Yantai supervision measures.

    Entries go into ledger/YYYY-MM.toml (append only, kept in git); reports tally
    months and years per department: category scores, weighted total, rank, vetoes.
    """
    ctx.obj = AppContext(root_option=root, use_cache=not no_cache)


pass_app = click.make_pass_decorator(AppContext)


# -- setting up -----------------------------------------------------------------------


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a working root in DIRECTORY: departments, weights, an empty ledger, git.

    Refuses to overwrite anything that exists. A repository of its own starts with the
    root's files committed: every clone has them, and the history starts from them.
    """
    data = files("govscore") / "data"
    planned = {
        DEPARTMENTS_FILE: (data / DEPARTMENTS_FILE).read_text(encoding="utf-8"),
        WEIGHTS_FILE: (data / WEIGHTS_FILE).read_text(encoding="utf-8"),
        ".gitattributes": GITATTRIBUTES,
        ".gitignore": GITIGNORE,
        f"{LEDGER_DIR}/.gitkeep": "",
    }
    _refuse_no_folder(directory)
    existing = [name for name in planned if (directory / name).exists()]
    if existing:
        raise UsageError(
            _(
                "{directory}: already holds {files}; govscore init overwrites nothing "
                "(choose an empty folder, or edit the files that are there)"
            ).format(directory=directory, files=listing(existing))
        )
    inside = _inside_repository(directory)
    create_files(directory, planned, lambda: _git_init(directory, list(planned)))
    click.echo(_("created a govscore root in {directory}").format(directory=directory), err=True)
    if inside:
        top = repository_top(directory)
        message = _(
            "note: {directory} lies inside the git repository at {top}: no repository of its "
            "own was made; commit its files in that one"
        )
        click.echo(message.format(directory=directory, top=top), err=True)


def _refuse_no_folder(directory: Path) -> None:
    """Refuse a DIRECTORY that is no folder and cannot be made one: a file or a device
    (/dev/null), below a file (a file/sub), a name too long. Made yet or not, a folder."""
    try:
        mode = directory.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        message = _("{directory}: cannot make a root there: {reason}")
        raise UsageError(message.format(directory=directory, reason=os_reason(exc))) from None
    if not stat.S_ISDIR(mode):
        message = _(
            "{directory}: not a folder; govscore init makes a root in a folder (a new one, or "
            "an empty one)"
        )
        raise UsageError(message.format(directory=directory))


def _inside_repository(directory: Path) -> bool:
    """Whether a folder (made yet or not) lies inside a git repository."""
    folder = directory.absolute()
    while not folder.exists():
        folder = folder.parent
    return in_repository(folder)


def _git_init(directory: Path, names: list[str]) -> None:
    """A repository of its own, its first commit the root's files (inside another
    repository: nothing, those files are that repository's to commit)."""
    if in_repository(directory):
        return
    init_repository(directory)
    paths = [directory.absolute() / name for name in names]  # git runs inside the folder
    message = COMMIT_PREFIX + _("init (departments, weights, ledger)")
    commit_files(directory, paths, message, recorder(directory))


GITATTRIBUTES = """\
# 台账文件只在末尾追加：两名工作人员在各自的克隆上追加记录，合并时不会冲突。
ledger/*.toml merge=union
ledger/*.csv merge=union
"""

GITIGNORE = """\
.govscore-cache/
"""


# -- recording ------------------------------------------------------------------------


def _stamp(app: AppContext, fields: dict[str, Any], by: str | None) -> dict[str, Any]:
    fields["by"] = by or recorder(app.root_dir())
    fields["recorded"] = datetime.now().astimezone().isoformat(timespec="seconds")
    return {k: v for k, v in fields.items() if v is not None and v is not False}


def _record(
    app: AppContext, drafts: list[Draft], commit: bool = False, force: bool = False
) -> None:
    root_dir = app.root_dir()
    committer = Committer(commit)
    result = record(
        root_dir,
        drafts,
        today(),
        after_append=committer,
        id_tag=clone_tag(root_dir),
        use_cache=app.use_cache,
        force=force,
        same_keys=True,
    )
    app.written, app.committer = [entry.id for entry in result.added], committer
    for entry in result.added:
        click.echo(entry.id)
    for draft, existing in result.skipped:
        click.echo(existing)
        message = _("key {key!r} is already recorded as {id}")
        click.echo(message.format(key=draft.fields["key"], id=existing), err=True)
    for warning in result.warnings:
        click.echo(_("warning: {message}").format(message=warning.message), err=True)
    if result.skipped and not result.added:
        committer.catch_up(root_dir, [existing for _draft, existing in result.skipped])
    committer.check()


@cli.command()
@click.option("-d", "--department", help="The department (full name, alias, or without 市).")
@click.option("-c", "--clause", type=ID, help="The clause id, e.g. 2.4.3 (see `govscore clauses`).")
@click.option(
    "-n", "--count", type=WHOLE, default=None, help="How many (items, cases, months…); default 1."
)
@click.option("--points", type=NUMBER, help="Points per unit, for range and discretionary clauses.")
@click.option("--level", help="The level, for clauses scored by level (e.g. 省级).")
@click.option(
    "--value", type=PERCENT, help="The rate in percent (93.5 or 93.5%), for rate clauses."
)
@click.option("--numerator", type=NUMBER, help="A rate's numerator (with --denominator).")
@click.option("--denominator", type=NUMBER, help="A rate's denominator; 0 means no cases (exempt).")
@click.option("--matter", help="The matter (事项), for clauses that count a matter once a year.")
@click.option("--ref", type=ID, help="The id of the entry a follow-up clause refers to.")
@click.option("--recurring", is_flag=True, help="Stands every month until closed.")
@click.option(
    "--date",
    "day",
    type=DATE,
    help="When it happened (default today; with --month and no --date, no date is stored).",
)
@click.option(
    "--month", type=MONTH, help="The ledger month (default the month of --date, else today's)."
)
@click.option("--note", help="What happened, in a few words.")
@click.option("--by", help="Who records it (default git's user.name, else the login name).")
@click.option("--key", help="An idempotency key: an entry with a key already recorded is skipped.")
@force_option
@commit_option
@pass_app
def add(
    app: AppContext,
    day: date | None,
    month: str | None,
    by: str | None,
    force: bool,
    commit: bool,
    **given: Any,
) -> None:
    """Record one entry in the month's ledger and print its id.

    At a terminal, asks for what is missing; otherwise never prompts.
    """
    count = given["count"]
    if count is not None:  # past the bound: refused before anything is asked, never an int
        refused = count_refusal(count)
        if refused is not None:
            raise rejected_entry([Problem("", 0, refused, "count")])
        given["count"] = int(count)
    fields = dict(given)
    chosen: tuple[str, ...] = ()
    if interactive():

        def refused(asked: dict[str, Any], on: date | None, filed: str | None) -> None:
            """The whole door, nothing written: what it refuses is not offered to confirm
            (a follow-up of a ref given, a key used for another entry …; review Y)."""
            draft = _add_draft(app, dict(asked), on, filed, by)
            record(app.root_dir(), [draft], today(), dry_run=True, use_cache=app.use_cache,
                   force=force, same_keys=True, id_tag=clone_tag(app.root_dir()))  # fmt: skip

        try:
            day, month, chosen = ask_missing(
                app.root(), fields, day, month, today(), lambda: _lookup(app, None)[1], force,
                refused,
            )  # fmt: skip
        except DataError as exc:
            # The options given: not those left out (they are keys of `fields` too).
            given_now = {name: value for name, value in fields.items() if value is not None}
            raise DataError(exc.message, _naming_options(exc.problems, given_now)) from None
    missing = [f"-{n[0]}/--{n}" for n in ("department", "clause") if not fields.get(n)]
    if missing:
        raise click.UsageError(
            _("missing {options} (no terminal to ask at)").format(options=both(missing))
        )
    draft = replace(_add_draft(app, fields, day, month, by), chosen=chosen)
    try:
        _record(app, [draft], commit, force)
    except DataError as exc:
        raise DataError(exc.message, _naming_options(exc.problems, draft.fields)) from None


def _add_draft(
    app: AppContext, fields: dict[str, Any], day: date | None, month: str | None, by: str | None
) -> Draft:
    """The entry `add` records: dated today when neither date nor month is given."""
    assumed: tuple[str, ...] = ()
    if day is None and month is None:
        day, assumed = today(), ("date", "month")
    fields["date"] = day
    if fields.get("count") is None:
        fields.pop("count", None)
    return Draft(_stamp(app, fields, by), month or month_of(day), assumed=assumed)  # type: ignore[arg-type]


# The options that give a field a clause asks for: what the clerk types, not the field.
# Each is one way to give it, every option of the way needed: a rate is its value, or
# its numerator and denominator (a numerator alone gives no rate).
_GIVEN_WITH: dict[str, tuple[tuple[str, ...], ...]] = {
    "points": (("--points",),),
    "level": (("--level",),),
    "value": (("--value",), ("--numerator", "--denominator")),
    "matter": (("--matter",),),
    "ref": (("--ref",),),
}


def _naming_options(problems: Sequence[Problem], given: dict[str, Any]) -> list[Problem]:
    """Refusals of `add` that ask for a field not given, each ending with its option.

    The messages name fields as the ledger and an import do (事项, matter): `add` reads
    no column, so the option to type is said too (--matter).
    """
    named: list[Problem] = []
    for problem in problems:
        ways = _GIVEN_WITH.get(problem.field)
        if ways is not None and not any(all(o[2:] in given for o in way) for way in ways):
            said = either(both(way) for way in ways)
            message = _("{message} ({options})").format(message=problem.message, options=said)
            problem = replace(problem, message=message)
        named.append(problem)
    return named


@cli.command()
@click.argument("entry_id", metavar="ID", type=ID)
@click.option("--reason", required=True, help="Why it is voided (e.g. 申诉成立).")
@click.option("--by", help="Who voids it (default git's user.name, else the login name).")
@commit_option
@pass_app
def void(app: AppContext, entry_id: str, reason: str, by: str | None, commit: bool) -> None:
    """Void an entry: it stops counting in every report. Nothing is deleted."""
    fields = {"void": entry_id, "reason": reason, "date": today()}
    _record(app, [Draft(_stamp(app, fields, by))], commit)


@cli.command()
@click.argument("entry_id", metavar="ID", type=ID)
@click.option("--through", required=True, type=MONTH, help="The last month the entry stands.")
@click.option("--note", "--reason", "note", help="Why it ends (e.g. 任务已完成).")
@click.option("--by", help="Who closes it (default git's user.name, else the login name).")
@click.option(
    "--force",
    is_flag=True,
    help="Record a last month after next month (refused as a slip in the year, else).",
)
@commit_option
@pass_app
def close(
    app: AppContext,
    entry_id: str,
    through: str,
    note: str | None,
    by: str | None,
    force: bool,
    commit: bool,
) -> None:
    """Close a recurring entry: it stands through the month given, and no later."""
    fields = {"close": entry_id, "through": through, "note": note, "date": today()}
    _record(app, [Draft(_stamp(app, fields, by))], commit, force)


@cli.command()
@click.argument("month", type=MONTH, required=False)
@click.option("--yes", is_flag=True, help="Cut the torn batches back (else only show them).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format: text for people, json for programs (which never asks).",
)
@pass_app
def repair(app: AppContext, month: str | None, yes: bool, fmt: str) -> None:
    """Show the batches an interrupted write left torn (of MONTH, or every month), and
    with --yes cut each file back to where the batch began.

    A torn batch never counts, and govscore does not append to its month until it is
    cut back; after that, the same keyed import books the whole batch once. One that a
    commit took in (a backup's `git commit -a`) is cut back too, if it never counted:
    then commit the cut. Without --yes nothing changes: at a terminal it asks,
    otherwise it never does.
    Exit 0 nothing torn (or all cut back), 1 something torn is left.
    """
    root_dir = app.root_dir()
    cuts = find_cuts(root_dir, None if month is None else [month])
    cuttable = [cut for cut in cuts if cut.cuttable]
    if fmt == "json":
        done = cut_back(root_dir, cuttable) if yes and cuttable else []
        click.echo(json_text(repair_json(root_dir, cuts, done)))
        if len(done) < len(cuts):
            sys.exit(1)
        return
    where = month or _("the ledger")
    if not cuts:
        click.echo(_("{where}: no torn batch, nothing to repair").format(where=where), err=True)
        return
    for cut in cuts:
        _show_cut(cut, root_dir)
    if cuttable and not yes and interactive() and sys.stdout.isatty():
        # The torn batches are listed on stdout: asked only where the clerk has read them.
        yes = confirm(_("cut them back?"))
    if not yes or not cuttable:
        if cuttable:
            command = " ".join(["govscore", "repair", *([month] if month else []), "--yes"])
            click.echo(
                _("nothing was changed; `{command}` cuts them back").format(command=command),
                err=True,
            )
        sys.exit(1)
    for cut in cut_back(root_dir, cuttable):
        click.echo(
            ngettext(
                "{file}: cut back to {keep} byte", "{file}: cut back to {keep} bytes", cut.keep
            ).format(file=cut.file, keep=cut.keep)
            if not cut.created
            else _("{file}: removed (the interrupted write had created it)").format(file=cut.file)
        )
        if cut.committed:
            message = _(
                "{file}: HEAD held the lines cut, committed: commit the cut "
                "(`git -C {root} commit -m {message} -- {file}`)"
            )
            said = shlex.quote(f"govscore repair {cut.month}")
            click.echo(message.format(file=cut.file, root=shlex.quote(str(root_dir)), message=said))
    if len(cuttable) < len(cuts):
        sys.exit(1)


def _show_cut(cut: Cut, root: Path) -> None:
    torn = cut.torn
    click.echo(f"{cut.file}:{torn.line}: {cut.message(root)}")
    if cut.cuttable:
        click.echo(
            "  "
            + ngettext(
                "would cut lines {first}–{last} ({size} byte) of {file}",
                "would cut lines {first}–{last} ({size} bytes) of {file}",
                cut.size - cut.keep,
            ).format(first=torn.line, last=torn.last_line, size=cut.size - cut.keep, file=cut.file)
        )
        if cut.committed:
            message = _(
                "HEAD holds them committed (a commit, such as a backup's `git commit -a`, "
                "took in the interrupted write), but they never counted: the cut keeps the "
                "ledger, and is to be committed"
            )
            click.echo("  " + message)
    elif torn.follows:
        message = _(
            "not cut: the lines after it are no part of the interrupted write, and a cut "
            "back would lose them; mend it by hand"
        )
        click.echo("  " + message)
    elif torn.edited:
        message = _(
            "not cut: its end line is whole, so it was changed after govscore wrote it, not "
            "cut off by an interrupted write; mend it with git (`git log -p {file}`)"
        )
        click.echo("  " + message.format(file=cut.file))
    elif not cut.counted:  # one that may have counted says why in its message
        click.echo(
            "  " + _("not cut: lines follow it, so it is not an interrupted write; mend it by hand")
        )
    if cut.ids:
        shown = ", ".join(cut.ids[:5]) + (" …" if len(cut.ids) > 5 else "")
        click.echo(
            "  "
            + ngettext(
                "{count} entry in it: {ids}", "{count} entries in it: {ids}", len(cut.ids)
            ).format(count=len(cut.ids), ids=shown)
        )


# -- checking and reporting -----------------------------------------------------------


@cli.command()
@at_option
@format_option
@pass_app
def check(app: AppContext, at: str | None, fmt: str) -> None:
    """Check the whole ledger and configuration; report every problem at once.

    The cache is checked too: a cache that does not agree with a full read is a problem.
    """
    report = app.view(at, verify=True)
    # Torn batches as repair sees them: it cuts the working tree's files only.
    problems = report.problems if at else in_repair_words(app.root_dir(), report.problems)
    app.verdict = 1 if problems else 0
    state = _ledger_state(report.root)
    if fmt == "json":
        payload = {
            "ok": not problems,
            "files": report.files,
            "entries": report.entries,
            "revision": state.revision,
            "uncommitted": state.uncommitted,
            "problems": [p.as_dict() for p in problems],
        }
        click.echo(json_text(payload))
    elif fmt == "table":
        for problem in problems:
            click.echo(str(problem))
    else:
        show(*problems_table(problems), fmt)
    found = ngettext("{count} problem", "{count} problems", len(problems))
    summary = _("{entries} in {files} ({state}): {problems}").format(
        entries=ngettext("{count} entry", "{count} entries", report.entries).format(
            count=report.entries
        ),
        files=ngettext("{count} ledger file", "{count} ledger files", report.files).format(
            count=report.files
        ),
        state=state.describe(_),
        problems=found.format(count=len(problems)) if problems else _("no problems"),
    )
    _warn_far_since(report.root)
    click.echo(summary, err=True)
    if problems:
        sys.exit(1)


def _warn_far_since(root: Root | View) -> None:
    """A department whose since is in a year after the one following the ledger's last
    month (or this month, with no ledger yet) is likely a typo in the year (2032-08 for
    2023-08): it drops out of every month and ranking without a word, so `check` says so,
    as `add` says a month after next is one (review AX F4). A warning: the verdict stands."""
    latest = root.months[-1] if root.months else month_of(today())
    for department in root.departments:
        if department.since is None or int(department.since[:4]) <= int(latest[:4]) + 1:
            continue
        message = _(
            "warning: {name} is assessed from {since} (since in departments.toml), more than "
            "a year after {latest}: a typo in the year? Until then it is listed and ranked "
            "in no month"
        )
        said = message.format(name=department.name, since=department.since, latest=latest)
        click.echo(said, err=True)


def _ledger_state(root: Root | View) -> LedgerState:
    """Which revision a report read, and whether its entries or the configuration it was
    scored by (a notice in amendments/, weights.toml …) are uncommitted."""
    return ledger_state(root.path, LEDGER_DIR, root.revision, CONFIGURATION)


def _departments_option(f: Any) -> Any:
    return click.option(
        "-d",
        "--department",
        "departments",
        multiple=True,
        help="Only this department (repeat for more).",
    )(f)


def _resolve_departments(root: Root | View, written: tuple[str, ...]) -> list[str]:
    names = []
    for name in written:
        department = root.departments.resolve(name)
        if department is None:
            message = _("unknown department {name!r}{hint} (see `govscore departments`)")
            hint = did_you_mean(root.departments.suggest(name))
            raise UsageError(message.format(name=name, hint=hint))
        names.append(department.name)
    return names


def _note_not_assessed(
    root: Root | View, names: Sequence[str], months: Sequence[str], period: str
) -> None:
    """A department asked for with -d that is assessed in none of the period's months
    (since/until) has no row or card there: said on stderr, so that an empty table is not
    read as a fault or a department forgotten. Not an error: the command's verdict stands."""
    for name in names:
        department = root.departments.by_name.get(name)
        if department is None or any(department.assessed_in(m) for m in months):
            continue
        span = department.span()
        if len(period) == 4 and _assessed_in_year(department, period):
            # Its span meets the year, outside the months the ledger has so far (from
            # November, the ledger through September): not "not assessed in 2023", which
            # `month 2023-11` would contradict (review AX F5).
            message = _(
                "note: {name} is assessed in none of {period}'s months so far ({months}; "
                "departments.toml lists it {span}): it has no scores there"
            )
            first, last = months[0], months[-1]
            shown = (
                first if first == last else _("{first} to {last}").format(first=first, last=last)
            )
            click.echo(message.format(name=name, period=period, months=shown, span=span), err=True)
            continue
        message = _(
            "note: {name} is not assessed in {period} (departments.toml lists it {span}): "
            "it has no scores there"
        )
        click.echo(message.format(name=name, period=period, span=span), err=True)


def _assessed_in_year(department: Department, year: str) -> bool:
    """Whether the department's span (since/until) meets any month of the calendar year."""
    return any(department.assessed_in(f"{year}-{month:02d}") for month in range(1, 13))


def _ranking_output(
    report: Report,
    ranking: Any,
    months: Sequence[str],
    head: dict[str, Any],
    title: str,
    only: list[str],
    detail: bool,
    fmt: str,
    bom: bool,
) -> None:
    root = report.root
    weights = report.scorer.weights_at(months)
    state = _ledger_state(root)
    rules = head.pop("rules", [])  # the versions of the rules: just before the departments
    head = {**head, "revision": state.revision, "uncommitted": state.uncommitted, "rules": rules}
    title = f"{title} · {state.describe(chinese)}"
    if fmt == "json":
        kept = report.root.memo if isinstance(report.root, View) else None
        click.echo(rows_text(ranking_json(ranking, head, only, detail, report.problems, kept)))
    elif fmt == "table" and detail:
        for score in detailed(ranking, only):
            click.echo(f"{title} · {detail_summary(score, weights)}")
            show(*detail_table(score, weights), fmt)
            month = head.get("month")  # a month's annual entries count in its year
            for entry in report.scorer.annual_of(score.department, month) if month else ():
                said = _("{id} {clause}: counts in the {year} annual assessment, not the month")
                click.echo(said.format(id=entry.id, clause=entry.clause, year=entry.month[:4]))
            click.echo()
    elif fmt == "table":
        click.echo(title)
        show(*ranking_table(ranking, weights, only), fmt)
    else:  # an export: one table that names its period
        if detail:
            # A CSV's amounts have every decimal, for a spreadsheet to add up.
            places = None if fmt == "csv" else SHOWN_PLACES
            table = detail_export(detailed(ranking, only), weights, places)
        else:
            table = ranking_table(ranking, weights, only)
        if fmt == "csv":
            click.echo(title, err=True)
            show(*with_period(table, str(head.get("month") or head.get("year"))), fmt, bom)
        else:
            click.echo(f"# {title}\n")
            show(*table, fmt)
    report.keep()  # the scores worked out, and the rows as printed (JSON)
    if report.problems:
        report_problems(report.problems)
        sys.exit(1)


@cli.command()
@click.argument("month", type=MONTH)
@click.option("--detail", is_flag=True, help="List the entries that made each score, caps applied.")
@_departments_option
@at_option
@format_option
@bom_option
@pass_app
def month(
    app: AppContext,
    month: str,
    detail: bool,
    departments: tuple[str, ...],
    at: str | None,
    fmt: str,
    bom: bool,
) -> None:
    """The month's scores: categories, weighted total, rank, vetoes, referrals."""
    check_bom(fmt, bom)
    report = app.view(at, detail, months=[month])
    root = report.root
    only = _resolve_departments(root, departments)
    used = _rules_used(root, [month])
    ranking = report.scorer.month(month)
    _note_not_assessed(root, only, [month], month)
    # The departments assessed that month (since/until), not every one listed.
    title = f"{month} 月度政务服务工作考评（{len(ranking.rows)} 个部门） · {rules_label(used)}"
    if not ranking.rows:
        _warn_nobody(month)
    elif month not in root.months and not report.scorer.stands_in(month):
        _warn_empty(month)
    head = {"month": month, "rules": rules_json(used)}
    app.verdict = 1 if report.problems else 0
    _ranking_output(report, ranking, [month], head, title, only, detail, fmt, bom)


@cli.command()
@click.argument("year", type=click.IntRange(1900, 9999))
@click.option("--detail", is_flag=True, help="List the annual entries and monthly totals.")
@_departments_option
@at_option
@format_option
@bom_option
@pass_app
def year(
    app: AppContext,
    year: int,
    detail: bool,
    departments: tuple[str, ...],
    at: str | None,
    fmt: str,
    bom: bool,
) -> None:
    """The year's scores: each category's monthly mean plus annual clauses; rank; vetoes."""
    check_bom(fmt, bom)
    # A year's lines are its annual entries' (summed apart, never tallied): no month's
    # file need be read entry by entry.
    report = app.view(at, detail, year=True, months=[])
    root = report.root
    only = _resolve_departments(root, departments)
    months = assessed_months(root, year)
    _note_not_assessed(root, only, months, str(year))
    ranking = report.scorer.year(year, months)
    used = _rules_used(root, months)
    title = (
        f"{year} 年度政务服务工作考评（{months[0]} 至 {months[-1]}，{len(months)} 个月）"
        f" · {rules_label(used)}"
    )
    head = {"year": year, "months": months, "rules": rules_json(used)}
    app.verdict = 1 if report.problems else 0
    _ranking_output(report, ranking, months, head, title, only, detail, fmt, bom)


def _warn_nobody(month: str) -> None:
    """A month that departments.toml's spans leave every department out of: nothing is
    ranked, and the warning says why (a typo in the month, or in a since/until)."""
    click.echo(
        _(
            "warning: no department is assessed in {month}: the months departments.toml "
            "gives each department (since/until) leave every one out of it; `govscore "
            "departments` lists them"
        ).format(month=month),
        err=True,
    )


def _warn_empty(month: str) -> None:
    """A month with nothing in it is scored (every department at base), with a warning:
    it may be a typo for the month meant."""
    click.echo(
        _(
            "warning: {month} is empty: ledger/ has no {month} file and no recurring entry "
            "stands in it, so every department is at the base score"
        ).format(month=month),
        err=True,
    )


def _rules_used(root: Root | View, months: Sequence[str]) -> list[Version]:
    """The versions of the rules a period was scored by (see govscore.rules.amendments)."""
    catalog = root.catalog
    return catalog.named_for(months) if isinstance(catalog, RuleBook) else []


def assessed_months(root: Root | View, year: int) -> list[str]:
    """From the year's first to its last month that has a ledger file."""
    months = year_months(root.months, year)
    unreadable = [p for p in root.problems if p.file == LEDGER_DIR and not p.line]
    if not months and unreadable:
        # ledger/ itself is a link or missing: say so, not that the year has no months.
        raise DataError(_("no ledger months in {year} can be read").format(year=year), unreadable)
    if not months:
        raise UsageError(
            _("no ledger months in {year}: ledger/ has no {year}-MM.toml or .csv file").format(
                year=year
            )
        )
    return months


REPORT_KINDS = {".html": "html", ".xlsx": "xlsx"}


@cli.command("report")
@click.argument("period", type=PERIOD)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write: .html a web page, .xlsx an Excel workbook "
    "(default govscore-PERIOD.html here).",
)
@click.option(
    "-d",
    "--department",
    "departments",
    multiple=True,
    help="Add this department's card: every entry, voids, monthly totals (repeat for more).",
)
@at_option
@pass_app
def report_(
    app: AppContext, period: str, output: Path | None, departments: tuple[str, ...], at: str | None
) -> None:
    """Write the month's (YYYY-MM) or year's (YYYY) report to send upward, as a file.

    A self-contained web page (charts, printable on A4, opens offline) or an Excel
    workbook, with the very figures of `month` and `year`. stdout: the path written.
    """
    target = output if output is not None else Path(f"govscore-{period}.html")
    kind = REPORT_KINDS.get(target.suffix.lower())
    if kind is None and not target.suffix:  # not "not ''": the name wants its ending
        # `-o .html` is an ending without a name (review BB F7: it was told .html.html).
        bare = target.name.lower() in REPORT_KINDS
        named = f"govscore-{period}{target.name}" if bare else f"{target.name}.html"
        raise UsageError(
            _(
                "{file}: -o takes a file name ending in .html (a web page) or .xlsx "
                "(a workbook), such as {example}; nothing written"
            ).format(file=target, example=target.with_name(named))
        )
    if kind is None:
        raise UsageError(
            _(
                "{file}: a report is written as .html (a web page) or .xlsx (a workbook), "
                "not {suffix!r}; nothing written"
            ).format(file=target, suffix=target.suffix)
        )
    folder = target.parent
    if not os.path.isdir(folder):  # a name too long is no folder (Path.is_dir raises)
        raise UsageError(
            _("{file}: no folder {folder} to write it in; nothing written").format(
                file=target, folder=folder
            )
        )
    whole = kind == "xlsx" or bool(departments)
    shown = [period] if len(period) == 7 else months_between(f"{period}-01", f"{period}-12")
    loaded = app.view(at, detail=whole, months=shown)
    root = loaded.root
    cards = _resolve_departments(root, departments)
    if len(period) == 4:
        _note_not_assessed(root, cards, assessed_months(root, int(period)), period)
    else:
        _note_not_assessed(root, cards, [period], period)
    state = _ledger_state(root)
    head = page.Head(
        root.weights.office,
        state.revision,
        state.uncommitted,
        state.in_git,
        today(),
        __version__,
        state.unsaved(chinese),
        state.git_runs,
    )
    voids: list[page.Voided] = []
    book = loaded.scorer.book
    if isinstance(root, Root) and book is not None:
        voids = page.voided_entries(root.entries(), book.voided, root.departments, loaded.problems)
    built = page.build(
        loaded.scorer,
        period,
        root.months,
        head,
        loaded.problems,
        cards=cards,
        voids=voids,
        detail=kind == "xlsx",
    )
    if built.nobody:
        _warn_nobody(period)
    elif built.empty:
        _warn_empty(period)
    if kind == "xlsx":
        from govscore.report import workbook

        data = workbook.write(built)
    else:
        from govscore.report import html

        data = html.render(built).encode("utf-8")
    write_whole(target, data)
    click.echo(str(target))
    if loaded.problems:
        report_problems(loaded.problems)
        sys.exit(1)


@cli.command()
@click.option(
    "--since",
    metavar="REV",
    default=None,
    help="Only commits after this published revision (a tag), and check that everything "
    "in its ledger is still at HEAD, in order.",
)
@format_option
@pass_app
def audit(app: AppContext, since: str | None, fmt: str) -> None:
    """Check every commit reachable from HEAD, merges against each parent: the ledger only grows.

    Exit 1 if any commit changed, removed, inserted or moved lines of a ledger file, or
    a merge left out entries of one of its parents, or the working tree changed lines
    HEAD holds (the next commit would not keep them); also if a committed notice in
    amendments/ was edited, removed or renamed, or a new one rules a month the ledger
    held entries of, or weights.toml or clauses.toml changed once the ledger held an
    entry.
    """
    root_dir = app.root_dir()
    if since is not None:
        try:
            resolve_revision(root_dir, since)
        except GitMissing:
            raise  # no git to run: a data problem (exit 1), not a usage one
        except GitError as exc:
            raise UsageError(_("--since {rev}: {reason}").format(rev=since, reason=exc)) from None
    try:
        audited = audit_history(root_dir, LEDGER_DIR, since)
    except GitError as exc:
        raise DataError(str(exc)) from None
    rewrites = audited.rewrites
    app.verdict = 1 if rewrites or audited.cut else 0
    if fmt == "json":
        click.echo(json_text([asdict(r) for r in rewrites]))
    elif fmt == "table":
        for r in rewrites:
            if not r.commit:
                click.echo(
                    _("working tree (not committed), against HEAD {head}").format(
                        head=r.parent[:10]
                    )
                )
            else:
                click.echo(printable(f"{r.commit[:10]} {r.date} {r.author}: {r.subject}"))
            click.echo(printable(f"    {r.file or '-'}: {r.message}"))
            for line in r.lines:
                click.echo(printable(f"    {line}"))
    else:
        # `change`, as JSON has it: what befell a file of the rules ("" for a ledger file).
        rows = [
            [r.commit, r.parent, r.author, r.date, r.file, r.message, line, r.change]
            for r in rewrites
            for line in r.lines or [""]
        ]
        header = ["commit", "parent", "author", "date", "file", "message", "line", "change"]
        show(header, rows, fmt)
    if rewrites:
        commits = len({r.commit for r in rewrites if r.commit and not r.change})
        if commits:
            click.echo(
                ngettext(
                    "{count} commit did not keep the ledger: it is append-only",
                    "{count} commits did not keep the ledger: it is append-only",
                    commits,
                ).format(count=commits),
                err=True,
            )
        ruled = len({r.commit for r in rewrites if r.commit and r.change})
        if ruled:
            click.echo(
                ngettext(
                    "{count} commit changed the rules months already recorded were scored "
                    "by: a change of the rules is a new notice in amendments/, taking "
                    "effect after those months",
                    "{count} commits changed the rules months already recorded were scored "
                    "by: a change of the rules is a new notice in amendments/, taking "
                    "effect after those months",
                    ruled,
                ).format(count=ruled),
                err=True,
            )
        if any(not r.commit and not r.change for r in rewrites):
            click.echo(
                _(
                    "the working tree changed lines already committed: the ledger is "
                    "append-only, and the next commit would not keep it"
                ),
                err=True,
            )
        if any(not r.commit and r.change for r in rewrites):
            click.echo(
                _(
                    "the working tree changes the rules months already recorded were scored "
                    "by, and the next commit would take that in: a change of the rules is a "
                    "new notice in amendments/, taking effect after those months"
                ),
                err=True,
            )
    if audited.cut:
        _say_cut(root_dir, audited.cut)
    if rewrites or audited.cut:
        sys.exit(1)
    if since is None:
        click.echo(
            _("the ledger's git history is append-only: no line was changed or removed"),
            err=True,
        )
    elif not audited.published:
        click.echo(
            _(
                "the ledger's git history since {rev} is append-only; {rev} held no ledger "
                "of this root (it began after it), so there was none to compare with HEAD's"
            ).format(rev=since),
            err=True,
        )
    else:
        click.echo(
            _(
                "the ledger's git history since {rev} is append-only, and everything in "
                "{rev}'s ledger is still at HEAD, in order"
            ).format(rev=since),
            err=True,
        )


def _say_cut(root_dir: Path, cut: Sequence[CutOff]) -> None:
    """Where the history audited stops (a shallow clone): no verdict can cover what
    came before, so the audit says so instead of calling the history append-only."""
    for commit in cut:
        click.echo(
            printable(
                ngettext(
                    "the history stops at {commit} ({date} {author}: {subject}): git does "
                    "not have its parent {parents}",
                    "the history stops at {commit} ({date} {author}: {subject}): git does "
                    "not have its parents {parents}",
                    len(commit.parents),
                ).format(
                    commit=commit.commit[:10],
                    date=commit.date,
                    author=commit.author,
                    subject=commit.subject,
                    parents=listing([p[:10] for p in commit.parents]),
                )
            ),
            err=True,
        )
    click.echo(
        ngettext(
            "the commits before it were not audited (a shallow clone): "
            "`git -C {root} fetch --unshallow` fetches them, then run audit again",
            "the commits before them were not audited (a shallow clone): "
            "`git -C {root} fetch --unshallow` fetches them, then run audit again",
            len(cut),
        ).format(root=shlex.quote(str(root_dir))),
        err=True,
    )


# -- looking things up ----------------------------------------------------------------


def _catalog_and_weights(app: AppContext) -> tuple[RuleBook, Weights]:
    """The root's catalog and weights; the shipped ones only when no root was named or found.

    A root that is found is read as it is: a broken file there is an error, never the
    shipped catalog in its place (the office may have amended its own).
    """
    try:
        root_dir: Path | None = app.root_dir()
    except ConfigError:
        if app.root_option or os.environ.get(ROOT_ENV):
            raise
        root_dir = None
    return load_rules(root_dir)


@cli.command()
@click.option("--category", type=click.Choice(["1", "2", "3", "4"]), help="Only one category.")
@click.option("--month", type=MONTH, help="The catalog in force that month (default: the newest).")
@format_option
@pass_app
def clauses(app: AppContext, category: str | None, month: str | None, fmt: str) -> None:
    """List the clause catalog: every scoring rule of the measures, by id."""
    book, _weights = _catalog_and_weights(app)
    catalog = book.at(month) if month else book.latest.catalog
    if month and fmt == "table":
        version = book.version_for(month)
        click.echo(
            _("{month}: the catalog in force from {effective} ({number})").format(
                month=month, effective=version.effective, number=version.number
            )
        )
    chosen = [c for c in catalog if category is None or c.category == category]
    if fmt == "json":
        click.echo(json_text([clause_json(c, catalog) for c in chosen]))
    else:
        show(*clauses_table(chosen, catalog), fmt)


@cli.command()
@click.argument("clause_id", metavar="ID", type=ID)
@format_option
@pass_app
def clause(app: AppContext, clause_id: str, fmt: str) -> None:
    """Show one clause: its rule, points, unit, caps, and how to record it."""
    catalog, weights = _catalog_and_weights(app)
    found = catalog.get(clause_id)
    if found is None:
        message = _("unknown clause {id!r}{hint} (see `govscore clauses`)")
        raise UsageError(
            message.format(id=clause_id, hint=did_you_mean(catalog.suggest(clause_id)))
        )
    if fmt == "json":
        history = clause_history_json(catalog, clause_id)
        span = clause_span_json(catalog, clause_id)
        click.echo(json_text({**clause_json(found, catalog), **span, "history": history}))
    elif fmt == "table":
        # A clause not in force every month says so first: its recipe is not for them all.
        for line in clause_span_lines(catalog, clause_id):
            click.echo(line)
        click.echo(clause_text(found, catalog, weights))
        click.echo()
        click.echo(_("History (each version where the clause came, changed or was retired):"))
        show(*clause_history_table(catalog, clause_id), fmt)
    else:
        show(*clauses_table([found], catalog), fmt)


@cli.command()
@format_option
@pass_app
def amendments(app: AppContext, fmt: str) -> None:
    """List every version of the rules: the measures, then each supplementary notice.

    A root keeps each amendment as amendments/YYYY-MM-DD.toml, named by its effective
    date; a month is scored by the rules in force on its first day.
    """
    book, _weights = _catalog_and_weights(app)
    if fmt == "json":
        click.echo(json_text(amendments_json(book)))
    else:
        show(*amendments_table(book), fmt)
    for problem in book.problems:
        click.echo(str(problem), err=True)
    if book.problems:
        sys.exit(1)


@cli.group(invoke_without_command=True)
@format_option
@click.pass_context
def departments(ctx: click.Context, fmt: str) -> None:
    """List the departments assessed, with their aliases and tags.

    `govscore departments tag NAME TAG` and `untag` edit departments.toml.
    """
    if ctx.invoked_subcommand is not None:
        return
    root = ctx.find_object(AppContext).root()  # type: ignore[union-attr]
    if fmt == "json":
        payload = [department_json(d) for d in root.departments]
        click.echo(json_text(payload))
    else:
        # What a program reads (CSV, markdown) is the same whatever GOVSCORE_LANG says.
        show(*departments_table(root.departments, _ if fmt == "table" else chinese), fmt)


def _tags_option(f: Any) -> Any:
    f = click.argument("tags", nargs=-1, required=True)(f)
    return click.argument("department")(f)


_commit_tags = click.option(
    "--commit", is_flag=True, help="Commit the changed departments.toml to git."
)


@departments.command()
@_tags_option
@_commit_tags
@pass_app
def tag(app: AppContext, department: str, tags: tuple[str, ...], commit: bool) -> None:
    """Tag a department (one_window: 一窗受理专区, hall: 政务服务中心大厅) in departments.toml.

    Clauses 2.3.1–2.3.10 apply only to departments tagged one_window, 2.3.11 to hall.
    The file keeps its comments and order.
    """
    _retag(app, department, tags, (), commit)


@departments.command()
@_tags_option
@_commit_tags
@click.option(
    "--force",
    is_flag=True,
    help="Take the tags off even though entries of the department need them "
    "(they stop counting, in past months too).",
)
@pass_app
def untag(
    app: AppContext, department: str, tags: tuple[str, ...], commit: bool, force: bool
) -> None:
    """Take tags off a department in departments.toml.

    Refused while counted entries of the department are of clauses that apply only to
    departments with the tag (void them first, or give --force).
    """
    _retag(app, department, (), tags, commit, force)


def _refuse_needed_tags(root_dir: Path, department: str, tags: list[str]) -> None:
    """A tag that counted entries need is not taken off without --force: their months'
    scores would change after the fact, with nothing in the ledger to say why."""
    try:
        root = load_root(root_dir)
    except GovscoreError as exc:
        message = _(
            "cannot tell whether counted entries need the tags: {reason}; give --force to "
            "take them off without this check"
        )
        raise DataError(message.format(reason=exc.message)) from None
    found = root.departments.resolve(department)
    if found is None:
        return  # set_tags says what is wrong with the name
    needing = entries_needing(root, found.name, tags)
    if needing:
        ids = [entry.id for entry, _tag in needing]
        tags = sorted({tag for _entry, tag in needing})
        shown = listing(ids[:5]) + (" …" if len(ids) > 5 else "")
        message = ngettext(
            "{name} has {count} counted entry ({ids}) of a clause only for departments "
            "tagged {tags}: untagged, it would stop counting, in past months too; void it "
            "first, or give --force",
            "{name} has {count} counted entries ({ids}) of clauses only for departments "
            "tagged {tags}: untagged, they would stop counting, in past months too; void "
            "them first, or give --force",
            len(ids),
        )
        raise DataError(
            message.format(name=found.name, count=len(ids), ids=shown, tags=_tag_list(tags))
        )


def _retag(
    app: AppContext,
    department: str,
    add: tuple[str, ...],
    remove: tuple[str, ...],
    commit: bool,
    force: bool = False,
) -> None:
    root_dir = app.root_dir()
    # The tags of every version's clauses: a notice may add a clause for a tag of its own.
    # Rules that do not read (a broken weights.toml) leave the catalog's own tags.
    try:
        book: Catalog = load_rules(root_dir)[0]
    except GovscoreError:
        book = load_catalog(root_dir)
    asked = {c.applies_to for catalog in book.every_version() for c in catalog if c.applies_to}
    known = [*TAG_NAMES, *sorted(asked - set(TAG_NAMES))]
    if remove and not force:
        _refuse_needed_tags(root_dir, department, [tag_code(t, known) or t for t in remove])
    done = set_tags(root_dir, department, add, remove, known)
    if not done.changed:
        asked = _tag_list(tag_code(t, known) or t for t in add or remove)
        message = (
            _("{name} already has tags {tags}; nothing changed")
            if add
            else _("{name} has no tags {tags}; nothing changed")
        )
        click.echo(message.format(name=done.department, tags=asked), err=True)
        return
    if done.after:
        click.echo(
            _("{name}: tags {tags}").format(name=done.department, tags=_tag_list(done.after)),
            err=True,
        )
    else:
        click.echo(_("{name}: no tags").format(name=done.department), err=True)
    if commit:
        tags = _tag_list(done.after) or "-"
        message = COMMIT_PREFIX + _("tags of {name}: {tags}").format(
            name=done.department, tags=tags
        )
        try:
            commit_files(root_dir, [root_dir / DEPARTMENTS_FILE], message, recorder(root_dir))
        except (GitError, OSError) as exc:
            said = [line for line in str(exc).splitlines() if line.strip()]
            raise NotCommitted(
                _("changed {file} but could not commit it to git: {reason}").format(
                    file=DEPARTMENTS_FILE, reason=said[0] if said else repr(exc)
                )
            ) from None


def _tag_list(tags: Iterable[str]) -> str:
    """Tags by the office's names only: the code beside them was a second name."""
    return listing(tag_name(t) for t in tags)


# -- entries: show and log -----------------------------------------------------------


def _lookup(
    app: AppContext, at: str | None, months: Iterable[str] | None = None, leave: Iterable[str] = ()
) -> tuple[Root, Lookup, Sequence[Problem]]:
    """The whole ledger, reviewed and scored, indexed by id, and its problems. With `months`, only those
    months' files and the entries with the ids in `leave` are read entry by entry (see
    load_detailed): the lookup then holds those, and every void, close, follow-up and
    entry one of them names, which is all that `log` of those months, or `show` of one
    of those entries, uses."""
    report = app.view(at, detail=True, months=months, leave=leave)
    root = report.root
    assert isinstance(root, Root)
    lookup = Lookup(list(root.entries()), report.scorer, root.months, report.taken)
    return root, lookup, report.problems


@cli.command("show")
@click.argument("entry_id", metavar="ID", type=ID)
@at_option
@format_option
@pass_app
def show_entry(app: AppContext, entry_id: str, at: str | None, fmt: str) -> None:
    """Show one entry: as recorded, its file:line, the months it counts in and the amount
    in each, and every void, close or follow-up that names it. Exit 1 for an unknown id.
    """
    # The entry is left alone by the sums wherever it stands, as is everything that names
    # it: nothing else need be read entry by entry. For an unknown id, did-you-mean looks
    # among the ids of the entries summed too.
    root, lookup, _problems = _lookup(app, at, [], [entry_id.strip()])
    entry = lookup.get(entry_id)
    if entry is None:
        message = _("no entry {id} in the ledger{hint} (`govscore log` lists the entries)")
        hint = did_you_mean(lookup.suggest(entry_id))
        raise DataError(message.format(id=repr(entry_id), hint=hint))
    history = lookup.history(entry)
    # Which revision it was read from, as every report says it (review AC F3): in the
    # JSON object as month's, a last row of the table.
    state = _ledger_state(root)
    if fmt == "json":
        read = {"revision": state.revision, "uncommitted": state.uncommitted}
        click.echo(json_text({**history_json(history), **read}))
    else:
        headers, rows = history_table(history, root.catalog)
        show(headers, [*rows, ["来源", state.describe(chinese)]], fmt)


@cli.command()
@_departments_option
@click.option(
    "-c",
    "--clause",
    "clauses",
    multiple=True,
    type=ID,
    help="Only this clause, or every clause under a prefix such as 2.4 (repeat for more).",
)
@click.option("--month", type=MONTH, help="Only entries filed in this ledger month.")
@click.option("--from", "first", type=MONTH, help="Only entries filed in this month or later.")
@click.option("--to", "last", type=MONTH, help="Only entries filed in this month or earlier.")
@click.option("--voided", is_flag=True, help="Only entries that were voided (with the reason).")
@at_option
@format_option
@bom_option
@pass_app
def log(
    app: AppContext,
    departments: tuple[str, ...],
    clauses: tuple[str, ...],
    month: str | None,
    first: str | None,
    last: str | None,
    voided: bool,
    at: str | None,
    fmt: str,
    bom: bool,
) -> None:
    """List entries in ledger order: what was recorded, voided or closed, and where.

    A void or close is listed with the department and clause of the entry it names.
    """
    check_bom(fmt, bom)
    if month is not None and (first is not None or last is not None):
        raise UsageError(_("give --month, or --from and --to, not both"))
    if first is not None and last is not None and first > last:
        message = _("--from {first} is after --to {last}: did you mean --from {last} --to {first}?")
        raise UsageError(message.format(first=first, last=last))
    if month is not None:
        first = last = month
    months = months_between(first, last) if first is not None and last is not None else None
    root, lookup, problems = _lookup(app, at, months)
    only = _resolve_departments(root, departments)
    for wanted in clauses:
        _check_clause_filter(root, wanted)
    entries = lookup.select(only, clauses, first, last, voided)
    # An entry with a problem is listed with it; what is in no list (a line that does not
    # parse, a broken configuration) is said, as a report says it, and exits 1.
    unseen = [p for p in problems if not p.entry or lookup.get(p.entry) is None]
    app.verdict = 1 if unseen else 0
    # Written as made (a province logs a million entries): the same text as whole, but
    # that an aligned table of more than ROWS_PER_TABLE rows is set a page at a time.
    if fmt == "json":
        pieces = json_array_pieces(log_json(lookup, entries))
    else:
        pieces = table_pieces(LOG_HEADERS, log_rows(lookup, entries), fmt)
        if bom:
            click.echo("\ufeff", nl=False)
    for piece in pieces:
        click.echo(piece, nl=False)
    # Which revision it was read from, as every report says it (review AC F3): on stderr,
    # as a CSV report's title is, so that stdout stays the list (JSON: a list of entries).
    state = _ledger_state(root).describe(_)
    if entries:
        listed = ngettext(
            "{count} entry listed ({state})", "{count} entries listed ({state})", len(entries)
        )
        click.echo(listed.format(count=len(entries), state=state), err=True)
    else:
        click.echo(_("no entries match ({state})").format(state=state), err=True)
    if unseen:
        report_problems(unseen)
        sys.exit(1)


def _check_clause_filter(root: Root, wanted: str) -> None:
    """A clause filter names a clause, or a prefix of some (2, 2.4)."""
    if any(clause_matches(c.id, wanted) for c in root.catalog):
        return
    close = root.catalog.suggest(wanted)
    hint = did_you_mean(close)
    raise UsageError(
        _("unknown clause {clause}{hint} (see `govscore clauses`)").format(
            clause=repr(wanted), hint=hint
        )
    )


# -- importing ------------------------------------------------------------------------

IMPORT_PROGRESS_ROWS = 500  # files this long show a progress bar, at a terminal only


@cli.command("import")
# Not exists=True: a day's export a cron job names that failed to appear is a data problem
# (exit 1, said in govscore's words, as `items check` says it), not a usage error (BB F3).
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--month", type=MONTH, help="The ledger month of every row (else month, else date).")
@click.option("--encoding", help="A CSV file's encoding (default: UTF-8 or GB18030, detected).")
@click.option("--dry-run", is_flag=True, help="Check every row and say what would happen.")
@click.option("--by", help="Who records rows without a by cell (default git's user.name).")
@click.option(
    "--template",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write an empty import file (.csv or .xlsx) with the Chinese headers, and stop.",
)
@force_option
@commit_option
@pass_app
def import_(
    app: AppContext,
    file: Path | None,
    month: str | None,
    encoding: str | None,
    dry_run: bool,
    by: str | None,
    template: Path | None,
    force: bool,
    commit: bool,
) -> None:
    """Record every row of a CSV or Excel (.xlsx) file as an entry, or none of them.

    The header names entry fields (department, clause, count, points, level, value,
    numerator, denominator, matter, ref, recurring, date, note, by, key) and month, in
    English or Chinese (部门, 条款, 次数, 分值, 层级, 比率, 分子, 分母, 事项,
    关联, 逐月计分, 日期, 月份, 说明, 记录人, 去重键). A row's month is --month (a month
    cell that says another is refused), else its month cell, else the month of its date. Rows already
    recorded (by key; a row without one is known by its content) are skipped, so an
    import may safely run twice. Rows whose first cell starts with # are comments.
    A 序号 column is left out, and a title or blank rows above the header are passed over.
    With --commit, a re-run commits the entries of its rows that an earlier run wrote but
    could not commit.
    stdout: the new ids, one a line. stderr: problems, then a summary. Exit 0 done, 1 a
    bad row (nothing written), 2 usage, 3 written but not committed.
    """
    if template is not None:
        if file is not None:
            raise click.UsageError(_("give FILE to import, or --template FILE to write, not both"))
        importing.write_template(template)
        click.echo(_("wrote an empty import template to {file}").format(file=template), err=True)
        return
    if file is None:
        raise click.UsageError(_("missing FILE (the CSV or .xlsx file to import)"))
    label = str(file)
    table = importing.read_file(file, label, encoding)
    root_dir = app.root_dir()
    defaults = {
        "by": by or recorder(root_dir),
        "recorded": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    committer = Committer(commit)
    with contextlib.ExitStack() as stack:
        progress = None
        if table.size >= IMPORT_PROGRESS_ROWS and sys.stderr.isatty():
            reading = _("reading {file}").format(file=label)
            bar = click.progressbar(length=table.size, label=reading, file=sys.stderr)
            progress = partial(stack.enter_context(bar).update, 1)
        departments = load_departments(root_dir)
        ledger = partial(month_entries, root_dir)
        plan = importing.Planner(table, label, month, defaults, progress, departments, ledger)
        try:
            # A keyed row whose key's entry says otherwise is refused, as `add --key` is;
            # one whose note or recorder differ is named (plan.tidied).
            writing = Writing(
                dry_run,
                committer,
                clone_tag(root_dir),
                app.use_cache,
                force,
                same_keys=True,
                tidied=plan.tidied,
            )
            done = record_import(root_dir, plan.read, today(), writing, plan)
            found = done.problems
        except importing.Unreadable as exc:
            found = [exc.problem]
    problems = importing.locate(found, label, table.column, table.place)
    if problems:
        message = ngettext(
            "rejected {file}: {count} problem; nothing imported, the ledger is unchanged",
            "rejected {file}: {count} problems; nothing imported, the ledger is unchanged",
            len(problems),
        )
        raise DataError(message.format(file=label, count=len(problems)), problems)
    for repeat in plan.repeats:
        message = _("{file}:{line}: key {key!r} repeats line {first}; skipped")
        click.echo(
            message.format(file=label, line=repeat.line, key=repeat.key, first=repeat.first),
            err=True,
        )
    for notice in plan.said():
        click.echo(_taken_for(label, notice, table.column), err=True)
    for warning in importing.locate([*table.notes, *done.warnings], label, table.column):
        click.echo(_("warning: {problem}").format(problem=warning), err=True)
    if not dry_run:
        app.written, app.committer = done.ids, committer
        for start in range(0, len(done.ids), 10_000):  # a million ids: not one write each
            click.echo("\n".join(done.ids[start : start + 10_000]))
    added = len(done.ids)
    skipped = done.skipped + plan.skipped + len(plan.repeats)
    if dry_run:
        summary = ngettext(
            "would import {added} entry, skip {skipped} already recorded (by key); "
            "nothing written (--dry-run)",
            "would import {added} entries, skip {skipped} already recorded (by key); "
            "nothing written (--dry-run)",
            added,
        )
    else:
        summary = ngettext(
            "imported {added} entry, skipped {skipped} already recorded (by key)",
            "imported {added} entries, skipped {skipped} already recorded (by key)",
            added,
        )
    click.echo(summary.format(added=added, skipped=skipped), err=True)
    if not dry_run:  # a re-run after exit 3: what the earlier run wrote is committed now
        caught = committer.catch_up_keys(root_dir, plan.has_key)
        if caught:
            message = _("committed {ids}: recorded by an earlier import that could not commit")
            click.echo(message.format(ids=listing(caught)), err=True)
    committer.check()


def _taken_for(file: str, notice: importing.Notice, column: Callable[[str], str]) -> str:
    """A row skipped as a recorded entry whose note or recorder differ: the clerk is told,
    as govscore keeps the entry as recorded, and how to change it or book the row (an
    entry voided stays so: it is not to be voided again)."""
    if notice.voided:
        message = _(
            "{file}:{line}: skipped as {id}, recorded and voided since: the same but for its "
            "{fields}; a voided row stays voided; if the row is another incident, give it a "
            "{key} of its own"
        )
    else:
        message = _(
            "{file}:{line}: skipped as {id}, already recorded: the same but for its {fields}, "
            "which govscore does not change in a recorded entry; to change it, `govscore void "
            "{id} --reason …`, then give the row a {key} of its own and import it again; if the "
            "row is another incident, give it a {key} of its own"
        )
    return message.format(
        file=file,
        line=notice.line,
        id=notice.entry,
        fields=both(column(name) for name in notice.fields),
        key=column("key"),
    )


def utf8_console() -> None:
    """Write stdout and stderr in UTF-8, whatever the console's code page.

    A Windows desktop's code page (GBK, cp936) cannot hold every character a report or
    a note may carry (an en dash, a rare name): printing one would end the command with
    a UnicodeEncodeError after the ledger was written. Anything UTF-8 cannot hold (a lone
    surrogate from a mistyped argument) is written as a backslash escape.
    """
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "ascii"
        if codecs.lookup(encoding).name != "utf-8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")


def utf8_arguments() -> None:
    """Run again in Python's UTF-8 mode where the locale is not UTF-8 (a server set to
    en_US.ISO-8859-1 or zh_CN.GBK, or PYTHONUTF8=0 with LC_ALL=C): Python would read
    `-d 公安局` as escaped bytes, an unknown department, and the names of files on a
    disk that writes them in UTF-8 likewise. In UTF-8 mode both read as typed."""
    if os.name != "posix" or sys.flags.utf8_mode:
        return
    if codecs.lookup(sys.getfilesystemencoding()).name == "utf-8":
        return
    with contextlib.suppress(OSError):
        os.execv(sys.executable, [sys.executable, "-X", "utf8", *sys.orig_argv[1:]])


def main() -> None:
    utf8_arguments()
    utf8_console()
    cli(prog_name="govscore")
