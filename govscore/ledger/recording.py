"""Recording entries: validate new entries against the whole ledger, then append them.

`add`, `void`, `close`, `import` and `items check --record` all come through `record`,
so every entry is checked the same way, whoever or whatever wrote it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Iterator, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from govscore.errors import DataError, NotCommitted, Problem
from govscore.i18n import _, both, listing, ngettext
from govscore.ledger import cache
from govscore.ledger.batches import file_head, frame
from govscore.ledger.gitops import (
    COMMIT_PREFIX,
    GitError,
    commit_files,
    committed_entry,
    holds_id,
    recorder,
    uncommitted_files,
)
from govscore.ledger.identity import identity_text
from govscore.ledger.keeping import Answer, Back, Keeper
from govscore.ledger.loader import (
    LEDGER_DIR,
    CachedLedger,
    Root,
    file_mark,
    keep_import,
    kept_import,
    load_root,
    load_rules,
    parse_ledger_bytes,
    read_cached,
    read_ledger_file,
    write_snapshot,
)
from govscore.ledger.text import (
    ParsedFile,
    build_entry,
    entry_lines,
    entry_toml,
    parse_toml_ledger,
)
from govscore.ledger.workers import cycles_left
from govscore.ledger.writer import append_all, ledger_lock
from govscore.model import (
    FIELDS,
    Entry,
    field_word,
    is_month,
    note_sequences,
    sequence_name,
)
from govscore.rules.amendments import RuleBook
from govscore.rules.catalog import Catalog
from govscore.rules.config import Departments
from govscore.rules.door import (
    close_warnings,
    door_problems,
    exclusive_problems,
    follow_up_problems,
    stop_warnings,
    taken_matters,
)
from govscore.rules.validate import (
    Book,
    department_problems,
    review,
    score_entry_problems,
)
from govscore.written import canonical_fields

# YYYY-MM-NNNN, and in a clone of a shared ledger YYYY-MM-NNNN-tag (see gitops.clone_tag).


@dataclass(frozen=True)
class Draft:
    """An entry not yet in the ledger: its raw fields, and where it came from (for errors)."""

    fields: dict[str, Any]
    month: str | None = None
    source: str = ""  # e.g. "import.csv:7"; empty for the command line
    canonical: bool = False  # fields already read by written.canonical_fields (an import)
    # Fields govscore filled in, not the writer (`add`'s date of today): a retry of a
    # keyed entry on another day assumes another, and is still the same entry.
    assumed: tuple[str, ...] = ()
    # What is already known wrong with an import's row (it has no month): such a draft
    # is never recorded, only judged, so that every problem of the row is named at once;
    # `month` is then the month its figures are judged by (None: only its department).
    problems: tuple[Problem, ...] = ()
    # Fields the writer chose at `add`'s prompt, told what they mean (3.1.3 answered 否,
    # not recurring; a rate over 100% kept): the door's warning of them is not said again.
    chosen: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recorded:
    """What a call to `record` did."""

    added: tuple[Entry, ...]
    skipped: tuple[tuple[Draft, str], ...]  # drafts whose key is already in the ledger, with its id
    warnings: tuple[Problem, ...] = ()  # accepted, but worth a look (labelled like problems)


def record(
    root_path: Path,
    drafts: Sequence[Draft],
    today: date,
    dry_run: bool = False,
    after_append: AfterAppend | None = None,
    id_tag: str | None = None,
    use_cache: bool = True,
    force: bool = False,
    same_keys: bool = False,
) -> Recorded:
    """Validate drafts against the ledger and append them all, or nothing.

    Raises DataError listing every problem if any draft is rejected. `after_append` runs
    still under the lock, with the files written (a git commit goes there, so that two
    committing writers do not race for git's index). `force` lets through what the door
    refuses only as doubtful (a rate below 1, a date before the measures or after `today`,
    a month after next). `same_keys`: a draft whose key names an entry that says
    something else is rejected, not skipped (see key_conflicts).
    """
    options = Writing(dry_run, after_append, id_tag, use_cache, force, same_keys)
    with ledger_lock(root_path / LEDGER_DIR), cycles_left():
        return _record_locked(root_path, drafts, today, options)


# What decides an entry's score, and when it happened: a key reused for an entry that
# differs in any of these is a mistake (a different entry, or a correction that a void
# and a new entry make), not a retry. The note, who recorded it and when may differ.
_KEYED_FIELDS = ("month", *FIELDS[1 : FIELDS.index("void")], "date")


def key_conflicts(
    skipped: Sequence[tuple[Draft, str]],
    departments: Departments | None,
    find: Callable[[str], Entry | None],
    tidied: Tidied | None = None,
    voided: Container[str] = (),
) -> list[Problem]:
    """Drafts skipped for their key whose entry says something else than they do.

    A retry (a cron job run twice) repeats its entry: it is skipped, as a key promises.
    The same key for another entry would be skipped without a word, and the entry meant
    never recorded: it is named instead, with the fields that differ, each compared as
    an identity compares it (identity.identity_text: a matter written another way is the
    same matter; a department by its name as the ledger keeps it). `find` gives the
    entry of an id, from a ledger already read or from its month's files; `departments`
    the names as the ledger keeps them (None: compared as written). A department not in
    it is told unknown, with a did-you-mean, as a draft without a key is (review BF J3),
    never as differing from the entry's. A draft that differs from its entry only
    in its note or its recorder (one it wrote, not one filled in) is given to `tidied`,
    with whether the entry is in `voided`: govscore keeps the entry as recorded.
    """
    problems: list[Problem] = []
    for draft, entry_id in skipped:
        recorded = find(entry_id)
        if recorded is None:
            continue  # a hand-edited id the ledger's review names; nothing to compare
        raw = {**draft.fields, "id": entry_id}
        wanted, found = build_entry(raw, draft.month or recorded.month, recorded.file, 0)
        if wanted is None:  # a cell that does not read (#VALUE!) is not the entry's either
            problems.extend(_relabel(found, draft))
            continue
        known = None
        if departments is not None:
            resolve = departments.full_name
            known = resolve(wanted.department) if wanted.department else None
            if known is not None:
                wanted = wanted._replace(department=known)
            department = resolve(recorded.department) if recorded.department else None
            if department is not None:
                recorded = recorded._replace(department=department)
        apart = [
            name
            for name in _KEYED_FIELDS
            if name not in draft.assumed
            and _compared(name, getattr(recorded, name)) != _compared(name, getattr(wanted, name))
            # A date stated on one side only (add filled one in, or was given a month
            # alone) says nothing against the other.
            and not (name == "date" and None in (recorded.date, wanted.date))
        ]
        # A department the list does not know is a typo to correct, not another entry's
        # (the entry's own name, since taken off the list, is its retry).
        unknown: list[Problem] = []
        if departments is not None and known is None and "department" in apart:
            unknown = department_problems(wanted, departments)
            problems.extend(_relabel(unknown, draft))
            apart.remove("department")
        changed = [
            _("{field} {recorded} there, {wanted} here").format(
                field=field_word(name),
                recorded=_shown(getattr(recorded, name)),
                wanted=_shown(getattr(wanted, name)),
            )
            for name in apart
        ]
        if changed:
            message = _(
                "key {key!r} is already recorded as {id} ({where}), for another entry: "
                "{changes}; a key stays with its entry, voided or not: to change that entry, "
                "void {id} and record the corrected one under a new key; for a new entry, "
                "give it a key of its own"
            )
            text = message.format(
                key=draft.fields.get("key"),
                id=entry_id,
                where=recorded.where,
                changes=listing(changed),
            )
            problems.extend(_relabel([Problem("", 0, text, "key")], draft))
            continue
        if tidied is None or unknown:
            continue
        fields = draft.fields
        differ = tuple(
            name
            for name in ("note", "by")
            if (name == "note" or (name in fields and name not in draft.assumed))
            and (fields.get(name) or None) != (getattr(recorded, name) or None)
        )
        if differ:
            tidied(draft, recorded, differ, recorded.id in voided)
    return problems


# What is told of a keyed draft skipped as an entry that differs from it only in its note
# or recorder: the draft, the entry, those fields, and whether the entry is voided.
Tidied = Callable[[Draft, Entry, tuple[str, ...], bool], None]


def _compared(name: str, value: Any) -> Any:
    """A field as key_conflicts compares it: the month as it is, the rest as identity."""
    return value if name == "month" else identity_text(name, value)


def entry_finder(read: Callable[[str], Iterable[Entry]]) -> Callable[[str], Entry | None]:
    """The entry of an id, each month's entries (`read`) read once (an import compares
    many rows with the entries their keys stand for)."""
    months: dict[str, dict[str, Entry]] = {}

    def find(entry_id: str) -> Entry | None:
        month = entry_id[:7]
        found = months.get(month)
        if found is None:
            found = months[month] = {e.id: e for e in read(month)}
        return found.get(entry_id)

    return find


def month_entries(root_path: Path, month: str) -> list[Entry]:
    """The entries of a ledger month, read from its files alone."""
    entries: list[Entry] = []
    for suffix in (".toml", ".csv"):
        label = f"{LEDGER_DIR}/{month}{suffix}"
        data = read_ledger_file(root_path, label)
        if data:
            entries.extend(parse_ledger_bytes(data, label, month).entries)
    return entries


def _shown(value: Any) -> str:
    """A field's value as a clerk wrote it: none for a field left out."""
    if value is None or value is False:
        return _("none")
    if value is True:
        return _("yes")
    return str(value)


@dataclass(frozen=True)
class Writing:
    """How `record` and `record_import` write (see `record`)."""

    dry_run: bool = False
    after_append: AfterAppend | None = None
    id_tag: str | None = None
    use_cache: bool = True
    force: bool = False
    same_keys: bool = False
    tidied: Tidied | None = None  # told of a draft skipped as its key's entry (key_conflicts)


def _record_locked(
    root_path: Path, drafts: Sequence[Draft], today: date, options: Writing
) -> Recorded:
    """`record`, its caller holding the lock."""
    dry_run, after_append, id_tag, force = (
        options.dry_run,
        options.after_append,
        options.id_tag,
        options.force,
    )
    # Voids, closes and exclusive matters (which name a matter) need the whole ledger.
    if options.use_cache and not any(_needs_ledger(d) for d in drafts):
        done = _record_cached(root_path, drafts, today, options)
        if done is not None:
            return done
    root = load_root(root_path, lock=False)
    made = prepare(root, drafts, today, id_tag, force)
    if options.same_keys and made.skipped:
        entries_by_id = {entry.id: entry for entry in root.entries()}
        found = key_conflicts(
            made.skipped, root.departments, entries_by_id.get, options.tidied, made.voided
        )
        made.problems.extend(found)
    if made.problems:
        raise DataError(_rejected(len(drafts), len(made.problems)), made.problems)
    entries = made.entries
    if not dry_run and entries:
        appends = _appends(root.path, entries, id_tag)
        append_all(appends)
        if after_append is not None:
            after_append(root, [path for path, _ in appends], Added.of(entries))
    return Recorded(tuple(entries), tuple(made.skipped), tuple(made.warnings))


def _needs_ledger(draft: Draft) -> bool:
    fields = draft.fields
    return bool(fields.get("void") or fields.get("close") or fields.get("matter"))


def _record_cached(
    root_path: Path, drafts: Sequence[Draft], today: date, options: Writing
) -> Recorded | None:
    """Record plain entries against the cache, as the next report would read them.

    The new entries are checked exactly as appended tails are (cache.extend), so an entry
    accepted here is one the next report counts. None: only the full review can decide
    (a void or close, a duplicate, a second rate …), and the caller does that instead.
    """
    state = read_cached(root_path)
    snapshot = state.snapshot
    try:
        context = snapshot.context
    except DataError:  # signed, yet it does not read: the full review decides
        return None
    dry_run, after_append, id_tag = options.dry_run, options.after_append, options.id_tag
    known = _cached_known(state, context, context.keys.copy(), today)
    made = draft_entries(drafts, known, id_tag, options.force)
    entries, problems, drafted = made.entries, made.problems, made.drafted
    if options.same_keys and made.skipped:
        find = entry_finder(lambda month: month_entries(root_path, month))
        voided = context.voided
        problems.extend(
            key_conflicts(made.skipped, state.departments, find, options.tidied, voided)
        )
    appends = _appends(root_path, entries, id_tag)
    tails = []
    for path, text in appends:
        label = f"{LEDGER_DIR}/{path.name}"
        content = read_ledger_file(root_path, label) + text.encode("utf-8")
        appended = tuple(e for e in entries if e.file == label)
        parsed = ParsedFile(appended, (), False, content.count(b"\n"))
        tails.append((label, parsed, file_mark(content, parsed)))
    tails.sort(key=lambda t: t[0])
    extended = cache.extend(
        snapshot,
        [(parsed, mark) for _, parsed, mark in tails],
        [label for label, _, _ in tails],
        state.catalog,
        state.departments,
    )
    if extended is None:
        return None
    for problem in extended.problems[len(snapshot.problems) :]:
        problems.extend(_relabel([problem], drafted.get(problem.entry)))
    if problems:
        raise DataError(_rejected(len(drafts), len(problems)), problems)
    if not dry_run and entries:
        append_all(appends)
        paths = [path for path, _ in appends]
        # A commit (git hashes and compresses the whole month file: a province's is 16 MB)
        # runs while the snapshot is written: each waits on the other's process or disk.
        with ThreadPoolExecutor(1) as beside:
            committing = (
                beside.submit(after_append, state, paths, Added.of(entries))
                if after_append is not None
                else None
            )
            write_snapshot(root_path, extended)
        if committing is not None:
            committing.result()  # what it raised, raised here
    return Recorded(tuple(entries), tuple(made.skipped), tuple(made.warnings))


def _cached_known(
    state: CachedLedger, context: cache.Context, keys: MutableMapping[str, str], today: date
) -> Known:
    """What giving drafts ids and lines needs, as the cache knows the ledger."""
    snapshot = state.snapshot
    return Known(
        keys=keys,
        sequence=defaultdict(int, context.sequences),
        departments=state.departments,
        catalog=state.catalog,
        today=today,
        first_line=lambda month: _first_line(snapshot.files.get(f"{LEDGER_DIR}/{month}.toml")),
        broken=lambda month: _broken_mark(snapshot, month),
    )


@dataclass(frozen=True)
class Imported:
    """What `record_import` did: the new ids in order, how many rows were skipped as
    recorded already, and what is wrong (then nothing was written) or worth a look."""

    ids: Sequence[str]
    skipped: int
    problems: list[Problem]
    warnings: list[Problem]


def import_fingerprint(fingerprint: str, departments: Departments) -> str:
    """An import file's fingerprint with the departments' names and aliases and the city:
    a row's department is read by the name the ledger keeps, and an alias moved to
    another department, or the city no longer named (烟台市民政局), makes the same bytes
    other rows."""
    names = "\x1e".join("\x1f".join(d.names()) for d in departments)
    said = f"{fingerprint}\x1d{departments.city}\x1d{names}".encode("utf-8", "backslashreplace")
    return hashlib.sha256(said).hexdigest()


class Rerun(Protocol):
    """An import file known by its bytes (an importing.Planner): what a successful import
    of it keeps, so that a re-run of the same bytes whose every row the ledger holds
    need not read its rows."""

    def fingerprint(self) -> str:
        """The file's bytes, how they are read and the month given; "" when unknown."""
        ...

    def kept(self) -> list[str]:
        """What to keep after the rows were read and the import succeeded ([]: nothing)."""
        ...

    def recall(self, kept: Sequence[str], recorded: Container[str]) -> bool:
        """Take the counts the rows would give from `kept`, only if every row's key is in
        `recorded`: whether it did."""
        ...


# Drafts given ids and checked together: enough to judge combinations once, few enough
# to let go of before the next part.
IMPORT_PART = 5000


def record_import(
    root_path: Path,
    rows: Callable[[Container[str] | None], Iterable[Draft | Problem]],
    today: date,
    options: Writing,
    rerun: Rerun | None = None,
    workers: int | None = None,
) -> Imported:
    """Record an import's drafts all or none, checking them as they come.

    `rows(recorded)` gives the drafts in file order, and a Problem for each row that is
    no draft, leaving out the rows whose key is in `recorded` (when it is not None: the
    ledger's keys before the import, which would be skipped anyway; the caller counts
    them). It is called again, with None, when the full review must decide (then every
    draft is held at once, as `record` does). Nothing is written if any row has a
    problem.
    Against the cache (the usual case) no more than a part of the rows is held at a
    time: the new entries are written to spools and appended once every row is checked.
    With `rerun`, a file imported whole before (its fingerprint and every row's key kept
    in the signed cache) whose every key the ledger holds is answered without its rows.
    `workers`: whether a big import keeps the cache on a second core (keeping.Keeper).
    """
    with ledger_lock(root_path / LEDGER_DIR), cycles_left():
        if options.use_cache:
            done = _import_cached(root_path, rows, today, options, rerun, workers)
            if done is not None:
                return done
        drafts: list[Draft] = []
        problems: list[Problem] = []
        for row in rows(None):
            (problems if isinstance(row, Problem) else drafts).append(row)
        try:
            checking = replace(options, dry_run=options.dry_run or bool(problems))
            written = _record_locked(root_path, drafts, today, checking)
        except DataError as exc:
            if not exc.problems:
                raise
            return Imported((), 0, _refused_once([*problems, *exc.problems]), [])
        ids = [] if problems else [entry.id for entry in written.added]
        return Imported(ids, len(written.skipped), problems, list(written.warnings))


def _import_cached(
    root_path: Path,
    rows: Callable[[Container[str] | None], Iterable[Draft | Problem]],
    today: date,
    options: Writing,
    rerun: Rerun | None = None,
    workers: int | None = None,
) -> Imported | None:
    """`record_import` against the cache, a part at a time; None: only the full review
    can decide (as for `_record_cached`). `workers`: see Keeper.split."""
    id_tag = options.id_tag
    state = read_cached(root_path, marks=True)
    # The state is let go after the import: its snapshot's context need not be copied.
    try:
        growing = cache.Extension(state.snapshot, state.catalog, state.departments, copy=False)
    except DataError:  # a snapshot whose context does not read: the full review decides
        return None
    known = _cached_known(state, growing.context, growing.context.keys, today)
    # Rows whose key the ledger holds need no draft. The keys of this import's rows come
    # in only as their own rows are drafted, and a later row with one of them is a
    # repeat, which the reading skips first: so the keys as they grow say the same.
    context = growing.context
    recorded = cache.Held(context.keys, context.marks, context.voided)
    fingerprint = rerun.fingerprint() if rerun is not None else ""
    if fingerprint:  # and the names rows are read by (an alias moved: review BA F2)
        fingerprint = import_fingerprint(fingerprint, state.departments)
    if rerun is not None and fingerprint:
        # The keys were kept signed, and are checked against the ledger's as it is now
        # (the snapshot matches the ledger files byte for byte): a key the ledger lost,
        # or an entry changed, and the rows are read after all.
        kept = kept_import(root_path, fingerprint)
        if kept is not None and rerun.recall(kept, recorded):
            return Imported([], 0, [], [])
    ids: list[str] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    skipped = 0
    first: Entry | None = None
    keeper: Keeper[dict[str, Draft]] = Keeper(Back(growing, root_path, id_tag))
    try:
        for number, part in enumerate(_parts(rows(recorded), IMPORT_PART)):
            if number == 0 and len(part) >= IMPORT_PART:  # a big import: a second core
                keeper.split(workers)
            drafts: list[Draft] = []
            for row in part:
                if isinstance(row, Problem):
                    problems.append(row)
                elif _needs_ledger(row):
                    return None
                else:
                    drafts.append(row)
            # The reading left out repeated keys: drafting need not note a million new
            # ones to find repeats. Where a second process keeps the cache, the new keys'
            # entries are noted here too, for a re-run (see Planner.kept).
            made = draft_entries(drafts, known, id_tag, options.force, distinct_keys=True)
            if keeper.apart:
                cache.note_keys(context, made.entries, state.departments)
            skipped += len(made.skipped)
            problems += made.problems
            warnings += made.warnings
            # Spooled while nothing is wrong: once something is, nothing will be written.
            spool = not (problems or options.dry_run)
            if not _answered(keeper.add(made.entries, made.drafted, spool), problems):
                return None
            ids += [entry.id for entry in made.entries]
            if spool and made.entries:
                first = first or made.entries[0]
        if not _answered(keeper.rest(), problems):
            return None
        if problems or options.dry_run or first is None:
            if not (problems or options.dry_run):  # every row was recorded already
                _keep(root_path, fingerprint, rerun)
            return Imported(ids, skipped, _refused_once(problems), warnings)
        paths = keeper.book()
        _keep(root_path, fingerprint, rerun)
        if options.after_append is not None:
            added = Added(ids, first, _commit_message(len(ids), first, ids[-1]))
            options.after_append(state, paths, added)
    finally:
        keeper.close()
    return Imported(ids, skipped, problems, warnings)


def _refused_once(problems: list[Problem]) -> list[Problem]:
    """Each refusal of a month once, where its first row stood, saying how many rows of
    the month it kept out: a torn batch refused 3000 rows with 3000 identical lines and
    counted 3000 problems (review aq F6). Nothing is written either way."""
    counts: dict[Problem, int] = {}
    for problem in problems:
        if isinstance(problem, Refusal):
            counts[problem] = counts.get(problem, 0) + 1
    if not counts:
        return problems
    said: list[Problem] = []
    for problem in problems:
        if not isinstance(problem, Refusal):
            said.append(problem)
            continue
        rows = counts.pop(problem, 0)
        if rows:  # its first row: the refusal, with the rows it kept out
            text = ngettext(
                "{message}; {count} row of the file is for {month} and was not imported",
                "{message}; {count} rows of the file are for {month} and were not imported",
                rows,
            )
            message = text.format(message=problem.message, count=rows, month=problem.month)
            said.append(replace(problem, message=message))
    return said


def _answered(answers: Iterable[Answer[dict[str, Draft]]], problems: list[Problem]) -> bool:
    """Take the keeper's answers into `problems`, each naming its row; False where only
    the full review can say."""
    for found, drafted in answers:
        if found is None:
            return False
        for problem in found:
            problems.extend(_relabel([problem], drafted.get(problem.entry)))
    return True


def _keep(root_path: Path, fingerprint: str, rerun: Rerun | None) -> None:
    """Keep what a re-run of a file imported whole needs (see Rerun), if it can say."""
    kept = rerun.kept() if rerun is not None and fingerprint else []
    if kept:
        keep_import(root_path, fingerprint, kept)


def _parts(rows: Iterable[Draft | Problem], size: int) -> Iterator[list[Draft | Problem]]:
    part: list[Draft | Problem] = []
    for row in rows:
        part.append(row)
        if len(part) >= size:
            yield part
            part = []
    if part:
        yield part


@dataclass(frozen=True)
class Added:
    """What an append wrote, as the step after it needs it (see Committer)."""

    ids: Sequence[str]
    first: Entry
    message: str  # for a commit

    @classmethod
    def of(cls, entries: Sequence[Entry]) -> Added:
        ids = [entry.id for entry in entries]
        return cls(ids, entries[0], _commit_message(len(entries), entries[0], ids[-1]))


AfterAppend = Callable[[Any, list[Path], Added], None]


def commit_message(entries: Sequence[Entry]) -> str:
    """One line naming what was recorded: department, clause and id."""
    return _commit_message(len(entries), entries[0], entries[-1].id)


def _commit_message(count: int, entry: Entry, last: str) -> str:
    """In the clerk's language: the git log is read by the clerks who keep the ledger."""
    if count > 1:
        said = _("{count} entries, {first} … {last}").format(count=count, first=entry.id, last=last)
    elif entry.kind == "void":
        said = _("void {target} ({reason}) as {id}").format(
            target=entry.void, reason=entry.reason, id=entry.id
        )
    elif entry.kind == "close":
        said = _("close {target} through {through} as {id}").format(
            target=entry.close, through=entry.through, id=entry.id
        )
    else:
        times = f" ×{entry.count}" if entry.count != 1 else ""
        said = _("{department} {clause}{times} ({id})").format(
            department=entry.department, clause=entry.clause, times=times, id=entry.id
        )
    return COMMIT_PREFIX + said


def _caught_up_message(ids: Sequence[str]) -> str:
    """The commit of entries an earlier run wrote but could not commit."""
    if len(ids) > 3:
        said = _("{count} entries, {first} … {last} (recorded before, committed now)")
        return COMMIT_PREFIX + said.format(count=len(ids), first=ids[0], last=ids[-1])
    said = _("{ids} (recorded before, committed now)")
    return COMMIT_PREFIX + said.format(ids=listing(ids))


@dataclass
class Committer:
    """The after-append step: commit the new entries when asked, or when weights.toml says so.

    A commit that fails (another git's index.lock, nothing to commit, no repository)
    does not undo the append: the entries are written and stay. The failure is kept,
    so the caller can print the ids first and then say they are not committed (exit 3).
    """

    wanted: bool
    failure: str | None = None
    written: tuple[str, ...] = ()

    def __call__(self, root: Any, paths: list[Path], added: Added) -> None:
        if not (self.wanted or root.weights.commit):
            return
        self.written = tuple(added.ids)
        self._commit(root.path, paths, added.message, added.first.by or recorder(root.path))

    def _commit(self, root_path: Path, paths: Sequence[Path], message: str, author: str) -> bool:
        """Commit the files; a failure is kept (git's first line says what), not raised."""
        try:
            commit_files(root_path, paths, message, author)
        except (GitError, OSError) as exc:
            said = [line for line in str(exc).splitlines() if line.strip()]
            self.failure = said[0] if said else repr(exc)
            return False
        return True

    def catch_up(self, root_path: Path, ids: Sequence[str]) -> None:
        """A keyed retry that writes nothing commits the entries its keys found when an
        earlier run wrote them and its commit failed (exit 3), so they are not in HEAD:
        else the retry would exit 0 while they stand only in the working tree. Entries
        in HEAD already need nothing (the usual retry), whatever else the files hold."""
        if not (self.wanted or load_rules(root_path)[1].commit):
            return
        missing = [i for i in ids if not committed_entry(root_path, LEDGER_DIR, i)]
        files = {root_path / LEDGER_DIR / f"{entry_id[:7]}.toml" for entry_id in missing}
        paths = sorted(p for p in files if p.is_file())
        if not paths:
            return
        self.written = tuple(missing)
        self._commit(root_path, paths, _caught_up_message(missing), recorder(root_path))

    def catch_up_keys(self, root_path: Path, imported: Callable[[str], bool]) -> tuple[str, ...]:
        """An import's catch_up: commit the entries whose keys are `imported` that an earlier
        run wrote but could not commit (exit 3), so a re-run that skips their rows does
        not exit 0 while they stand only in the working tree. Only the month files that
        hold them are committed: other uncommitted entries are someone else's business.
        The ids committed, or () (nothing to commit, or the commit failed: see check)."""
        if self.failure is not None or not (self.wanted or load_rules(root_path)[1].commit):
            return ()
        missing: list[str] = []
        paths: list[Path] = []
        for path, held in uncommitted_files(root_path, LEDGER_DIR):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            parsed = parse_toml_ledger(text, path.name, path.stem)
            ids = [
                entry.id
                for entry in parsed.entries
                if entry.key is not None
                and imported(entry.key)
                and not (held is not None and holds_id(held, entry.id))
            ]
            if ids:
                missing += ids
                paths.append(path)
        if not missing:
            return ()
        self.written = tuple(missing)
        message = _caught_up_message(missing)
        return self.written if self._commit(root_path, paths, message, recorder(root_path)) else ()

    def check(self) -> None:
        """Raise NotCommitted if the commit failed (after the caller printed the ids)."""
        if self.failure is None:
            return
        raise NotCommitted(
            _(
                "{ids}: written to the ledger but not committed to git: {reason} — do not "
                "record them again; commit the ledger once that is mended "
                "(git add ledger && git commit)"
            ).format(ids=listing(self.written), reason=self.failure)
        )


def _rejected(count: int, problems: int) -> str:
    what = ngettext("the entry", "{count} entries", count).format(count=count)
    return ngettext(
        "rejected: {count} problem; {what} not written, the ledger is unchanged",
        "rejected: {count} problems; {what} not written, the ledger is unchanged",
        problems,
    ).format(count=problems, what=what)


def rejected_entry(problems: Sequence[Problem]) -> DataError:
    """One entry refused before the door is asked (what `add`'s prompt knows the door, or
    the ledger, would refuse), said as the door says it: each problem, then that nothing
    was written (review W F4)."""
    return DataError(_rejected(1, len(problems)), _relabel(problems, None))


@dataclass
class Known:
    """What giving drafts ids and lines needs to know of the ledger (full or cached)."""

    keys: MutableMapping[str, str]  # idempotency key → id of the entry that has it
    sequence: dict[str, int]  # sequence (month, and clone tag) → highest number used
    departments: Departments
    catalog: Catalog
    today: date  # the door refuses dates after it, and months after the next one
    first_line: Callable[[str], int]  # where the next entry of a month's TOML file starts
    broken: Callable[[str], Problem | None]  # why a month cannot take an entry, if it cannot
    target_month: Callable[[Draft], str | None] = lambda draft: None  # a void's or close's
    lines: dict[str, int] = field(default_factory=dict)  # month → line of its next entry


@dataclass
class Drafted:
    """Drafts given ids and lines: the entries, the drafts skipped, what is wrong, warnings."""

    entries: list[Entry] = field(default_factory=list)
    skipped: list[tuple[Draft, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    drafted: dict[str, Draft] = field(default_factory=dict)  # entry id → its draft
    warnings: list[Problem] = field(default_factory=list)
    # The entries the ledger's voids void, as its review (and the cache) has them: a void
    # that is a problem of its own line voids nothing.
    voided: Container[str] = frozenset()


def draft_entries(
    drafts: Sequence[Draft],
    known: Known,
    id_tag: str | None,
    force: bool = False,
    distinct_keys: bool = False,
) -> Drafted:
    """Give drafts ids and lines; skip known keys; say what is wrong with each on its own.

    Ids continue the month's sequence; `id_tag` (a clone's tag) keeps two clones of a
    shared ledger from ever making the same id before they merge, and each clone
    numbers its own sequence, so that a gap in it always means an entry was removed.
    Each draft's fields are read as written first (`４.３.１`, `2.0`, `2023/5/23`,
    `95.5%`), and each entry passes the door (rules/door.py). With `distinct_keys` (an
    import's reading has left out every repeated key), the new keys are not noted in
    `known.keys`: no later draft can have one of them.
    """
    keys, sequence, lines = known.keys, known.sequence, known.lines
    broken_months: dict[str, Problem | None] = {}
    said: set[str] = set()  # the amendments left out that were named (see _left_out)
    made = Drafted()
    problems, drafted, entries, skipped = made.problems, made.drafted, made.entries, made.skipped
    for draft in drafts:
        if not draft.canonical:
            draft = replace(draft, fields=canonical_fields(draft.fields))
        if draft.problems:
            problems.extend(draft.problems)
            skip = {p.field for p in draft.problems} | {"date", "month"}
            problems.extend(_relabel(_refused(draft, draft.month, known, force, skip), draft))
            continue
        key = draft.fields.get("key")
        if key and key in keys:
            skipped.append((draft, keys[key]))
            continue
        month = draft.month or known.target_month(draft)
        if month is None or not is_month(month):
            label = draft.source or "govscore"
            problems.append(Problem(label, 0, _month_problem(draft, month), _month_field(draft)))
            continue
        if month not in broken_months:
            broken_months[month] = known.broken(month)
        broken = broken_months[month]
        if broken is not None:
            problems.append(broken)
            continue
        if month not in lines:
            lines[month] = known.first_line(month)
        series = sequence_name(month, id_tag)
        sequence[series] = sequence.get(series, 0) + 1
        entry_id = f"{month}-{sequence[series]:04d}" + (f"-{id_tag}" if id_tag else "")
        raw = {**draft.fields, "id": entry_id}
        entry, found = build_entry(raw, month, f"{LEDGER_DIR}/{month}.toml", lines[month])
        if entry is None:
            skip = {p.field for p in found}
            judged = _refused(draft, month, known, force, skip)
            problems.extend(_relabel([*found, *judged], draft))
            continue
        entry = _full_name(entry, known.departments)
        if entry.kind == "score" and isinstance(known.catalog, RuleBook):
            left_out = known.catalog.left_out(month)
            (made.warnings if force else problems).extend(_left_out(left_out, month, force, said))
            if left_out and not force:
                continue
        refusals, warnings = door_problems(
            entry, known.catalog.at(entry.month).get(entry.clause), known.today, force
        )
        if not refusals:  # one a later notice stops counts only until then: said
            warnings += stop_warnings(
                entry, known.catalog, known.departments.by_name.get(entry.department)
            )
        warnings = [w for w in warnings if w.field not in draft.chosen]
        if warnings:
            made.warnings.extend(_relabel(warnings, draft))
        if refusals:
            skip = {p.field for p in refusals}
            judged = _judged(entry, known, force, skip, door=False)
            problems.extend(_relabel([*refusals, *judged], draft))
            continue
        lines[month] += entry_lines(entry)
        if key and not distinct_keys:
            keys[key] = entry_id
        entries.append(entry)
        drafted[entry_id] = draft
    return made


def _left_out(files: Sequence[str], month: str, force: bool, said: set[str]) -> list[Problem]:
    """An amendment left out for a problem, in force in the month, would have the entry
    judged and scored by the rules before it, and the entry become a problem (or score
    otherwise) once the notice is fixed: the entry is refused, as a broken weights.toml
    stops every entry, and with --force warned of. Each file is named once (`said`)."""
    named = [file for file in files if file not in said]
    if not named:  # (asked for each of an import's million entries: worded only here)
        return []
    if force:
        message = _(
            "{file} has a problem and is left out: entries of {month} are judged by "
            "the rules without it (run `govscore check`)"
        )
    else:
        message = _(
            "has a problem and is left out, so an entry of {month} would be judged by "
            "the rules without it: fix it first (`govscore check` names the problem), "
            "or record anyway with --force"
        )
    said.update(named)
    return [Problem(file, 0, message.format(file=file, month=month)) for file in named]


# A rate is given as value or as numerator and denominator: one of them unread, and
# the others would be asked for in its place.
_RATE_FIELDS = frozenset({"value", "numerator", "denominator"})


def _refused(
    draft: Draft, month: str | None, known: Known, force: bool, skip: set[str]
) -> list[Problem]:
    """What else is wrong with a refused draft, beside the problems of its fields in
    `skip`: each other field that does not read, and then (`_judged`) what the rest
    would be refused for. An import's row is mended in one run, not one per problem."""
    if skip & _RATE_FIELDS:
        skip = skip | _RATE_FIELDS
    raw = {name: value for name, value in draft.fields.items() if name not in skip}
    entry, found = build_entry({**raw, "id": "-"}, month or "", draft.source, 0)
    if entry is None:  # fields that do not read: named, and the rest judged without them
        unread = {p.field for p in found}
        raw = {name: value for name, value in raw.items() if name not in unread}
        entry, _found = build_entry({**raw, "id": "-"}, month or "", draft.source, 0)
        skip = skip | unread | (_RATE_FIELDS if unread & _RATE_FIELDS else set())
        if entry is None:
            return found
    if entry.kind != "score":
        return found
    entry = _full_name(entry, known.departments)
    if month is None:  # no month's rules to judge its clause by
        judged = department_problems(entry, known.departments)
        return [*found, *(p for p in judged if p.field not in skip)]
    return [*found, *_judged(entry, known, force, skip)]


def _judged(
    entry: Entry, known: Known, force: bool, skip: set[str], door: bool = True
) -> list[Problem]:
    """A refused entry's problems at the door (`door`) and by its month's rules (on its
    own: what other entries say of it waits until it is whole), leaving out the fields
    in `skip` (named already) and naming each field once."""
    named = set(skip)
    out: list[Problem] = []
    if door:
        clause = known.catalog.at(entry.month).get(entry.clause)
        refusals, _warnings = door_problems(entry, clause, known.today, force)
        out += [p for p in refusals if p.field not in named]
        named |= {p.field for p in out}
    if entry.kind != "score":  # a void or close: the door alone judges it here
        return out
    for problem in score_entry_problems(entry, known.catalog, known.departments):
        if problem.field not in named:
            out.append(problem)
    return out


def _full_name(entry: Entry, departments: Departments) -> Entry:
    """The entry with its department's full name: the ledger stores full names."""
    department = departments.resolve(entry.department) if entry.department else None
    if department is not None and department.name != entry.department:
        return entry._replace(department=department.name)
    return entry


def _first_line(mark: cache.FileMark | None) -> int:
    return _header_line(None if mark is None else mark.newlines)


def _header_line(newlines: int | None) -> int:
    """The line of the first [[entry]] header of a batch appended to a file of so many
    lines (None: a new file, which starts with its head line): after the batch's begin
    line, which stands where an entry's blank line would (govscore.ledger.batches)."""
    return 3 if newlines is None else newlines + 2


def _broken_mark(snapshot: cache.Snapshot, month: str) -> Problem | None:
    for suffix in (".toml", ".csv"):
        mark = snapshot.files.get(f"{LEDGER_DIR}/{month}{suffix}")
        if mark is not None and mark.broken and mark.broken_by is not None:
            return _refusal(mark.broken_by, month)
    return None


def prepare(
    root: Root,
    drafts: Sequence[Draft],
    today: date,
    id_tag: str | None = None,
    force: bool = False,
) -> Drafted:
    """Give drafts ids and lines, skip known keys, and find every problem with them."""
    existing = {e.id: e for e in root.entries()}
    # Entries that do not parse still hold their ids: a new entry must not take one.
    unparsed = {p.entry for f in root.files.values() for p in f.problems if p.entry}
    # A key stands for its first live entry (a second is the review's problem), else its
    # first: the review's own choice, so a retry names the entry that counts.
    reviewed = _review(root, [])  # the ledger as it stands (its problems, below)
    keys = {key: entry.id for key, entry in reviewed.keys.items()}
    known = Known(
        keys=keys,
        sequence=_sequences([*existing, *unparsed]),
        departments=root.departments,
        catalog=root.catalog,
        today=today,
        first_line=lambda month: _next_line(root, month),
        broken=lambda month: _broken_file(root, month),
        target_month=lambda draft: _target_month(draft, existing),
    )
    made = draft_entries(drafts, known, id_tag, force)
    made.voided = reviewed.voided
    entries, problems, drafted = made.entries, made.problems, made.drafted
    for entry in entries:
        if entry.kind == "close":  # one past the department's until: said, as add says it
            target = existing.get(entry.close)  # type: ignore[arg-type]
            department = None if target is None else root.departments.resolve(target.department)
            found = close_warnings(entry, target, department)
            made.warnings.extend(_relabel(found, drafted[entry.id]))
    clashes = _clashing_rows(entries, drafted, root.catalog)
    problems.extend(clashes.values())
    entries = [entry for entry in entries if entry.id not in clashes]
    if entries:  # even when some drafts failed: an import lists every bad row at once
        before = set(reviewed.problems)
        book = _review(root, entries)
        # The new entries come after every entry already recorded, whichever file of
        # their month holds them: appended to the .toml, they would stand before the
        # month's .csv rows, and the door would not see those as earlier.
        fresh = {entry.id: entry.month for entry in entries}
        counted = [
            *(entry for entry in book.entries if entry.id not in fresh),
            *(entry for entry in book.entries if entry.id in fresh),
        ]
        found = [*book.problems, *exclusive_problems(entries, counted, root.catalog)]
        # A higher level back-dated takes a later month's count: written, but said.
        for taken in taken_matters(entries, counted, root.catalog):
            made.warnings.extend(_relabel([taken], drafted.get(taken.entry)))
        if not force:

            def row(entry: Entry) -> str:
                return (drafted[entry.id].source or entry.id) if entry.id in drafted else entry.id

            found += follow_up_problems(entries, counted, root.catalog, name=row)
        for problem in found:
            if problem.entry in drafted:
                problems.extend(_relabel([problem], drafted[problem.entry]))
            elif problem not in before and not _filed_before(existing.get(problem.entry), fresh):
                problems.append(_caused(problem, entries))
    return made


def _filed_before(entry: Entry | None, months: dict[str, str]) -> bool:
    """Whether an entry already recorded is a void or close written by hand into a month
    before a new entry it names (`months`: the new entries' months). It was a problem
    already, naming an unknown entry; the new entry changes only its words, and it voids
    or closes nothing: the new entry is recorded all the same."""
    if entry is None:
        return False
    named = entry.void or entry.close
    return named is not None and months.get(named, "") > entry.month


def _clashing_rows(
    entries: Sequence[Entry], drafted: dict[str, Draft], catalog: Catalog
) -> dict[str, Problem]:
    """Rows of one import that would count against each other (a second rate of a
    department's month, a matter again at no higher level): named by their rows, as
    neither is in any file yet (their ids and lines would name nothing to void)."""
    if len(entries) < 2:
        return {}

    def row(entry: Entry) -> str:
        return drafted[entry.id].source or entry.id

    found: dict[str, Problem] = {}
    rates: dict[tuple[str, str, str], Entry] = {}
    for entry in entries:
        clause = catalog.at(entry.month).get(entry.clause)
        if entry.kind != "score" or clause is None or clause.kind != "rate":
            continue
        first = rates.setdefault((clause.id, entry.department, entry.month), entry)
        if first is not entry:
            message = _(
                "a second {clause} rate for {name} in {month}: {row} gives one already; "
                "keep one of the two rows"
            ).format(clause=clause.id, name=entry.department, month=entry.month, row=row(first))
            found[entry.id] = Problem(row(entry), 0, message, "value")
    ordered = sorted((e for e in entries if e.id not in found), key=_ledger_position)
    for problem in exclusive_problems(ordered, ordered, catalog, name=row):
        found[problem.entry] = _relabel([problem], drafted[problem.entry])[0]
    return found


def _review(root: Root, new: Sequence[Entry]) -> Book:
    """The ledger's rules over its entries as they will stand once the new ones are appended.

    Each new entry goes to the end of its month's TOML file, which comes before that
    month's CSV file: where it stands decides which of two entries is "already" there.
    """
    ordered = sorted([*root.entries(), *new], key=_ledger_position)
    return review(ordered, root.catalog, root.departments)


def _ledger_position(entry: Entry) -> tuple[str, bool, int]:
    return (entry.month, not entry.file.endswith(".toml"), entry.line)


def _broken_file(root: Root, month: str) -> Problem | None:
    """Why the month cannot take a new entry: one of its files is broken (ids unknown)."""
    for suffix in (".toml", ".csv"):
        parsed = root.files.get(f"{LEDGER_DIR}/{month}{suffix}")
        if parsed is None or not parsed.broken:
            continue
        return _refusal(parsed.broken_by or parsed.problems[0], month)
    return None


@dataclass(frozen=True, order=True)
class Refusal(Problem):
    """A month's file govscore will not append to: the same for every draft of the month,
    so an import names it once (see _refused_once), with the month it refuses."""

    month: str = field(kw_only=True)


def _refusal(where: Problem, month: str) -> Problem:
    return Refusal(
        where.file,
        where.line,
        _(
            "{message} — govscore will not append to the {month} ledger until {file} is "
            "repaired (fix or remove the broken lines; `git diff` shows what changed)"
        ).format(message=where.message, month=month, file=where.file),
        month=month,
    )


def _caused(problem: Problem, entries: Sequence[Entry]) -> Problem:
    """A problem the new entries would cause in an entry already in the ledger."""
    doing = both(_doing(e) for e in entries)
    target = problem.entry or _("an entry already in the ledger")
    message = _(
        "{message} — {doing} would cause this problem in {target}; "
        "void {target} first if it no longer stands"
    )
    return replace(
        problem, message=message.format(message=problem.message, doing=doing, target=target)
    )


def _doing(entry: Entry) -> str:
    if entry.kind == "void":
        return _("voiding {id}").format(id=entry.void)
    if entry.kind == "close":
        return _("closing {id}").format(id=entry.close)
    return _("the new {clause} entry").format(clause=entry.clause)


def _relabel(problems: Sequence[Problem], draft: Draft | None) -> list[Problem]:
    """A rejected draft is not in any file yet: name its source (import row) instead."""
    label = draft.source if draft is not None and draft.source else "govscore"
    return [Problem(label, 0, p.message, p.field, "") for p in problems]


def _month_field(draft: Draft) -> str:
    return next((n for n in ("void", "close") if draft.fields.get(n)), "month")


def _month_problem(draft: Draft, month: str | None) -> str:
    target = draft.fields.get("void") or draft.fields.get("close")
    if target and month is None:
        message = _("{field} of unknown entry {id!r}: no entry in the ledger has that id")
        return message.format(field=field_word(_month_field(draft)), id=target)
    return _("month {month!r} is not of the form YYYY-MM").format(month=month)


def _target_month(draft: Draft, existing: dict[str, Entry]) -> str | None:
    """Voids and closes are filed in the month of the entry they name."""
    target = existing.get(str(draft.fields.get("void") or draft.fields.get("close") or ""))
    return target.month if target is not None else None


def _sequences(ids: Sequence[str]) -> dict[str, int]:
    return note_sequences(ids, defaultdict(int))


def _next_line(root: Root, month: str) -> int:
    """The line the next [[entry]] header appended to a month's TOML file will stand on."""
    parsed = root.files.get(f"{LEDGER_DIR}/{month}.toml")
    return _header_line(None if parsed is None else parsed.newlines)


def _appends(root_path: Path, entries: Sequence[Entry], tag: str | None) -> list[tuple[Path, str]]:
    """Each month's new entries as one framed batch (see govscore.ledger.batches)."""
    texts: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        texts[entry.month].append(entry_toml(entry, tag))
    appends = []
    for month, parts in texts.items():
        path = root_path / LEDGER_DIR / f"{month}.toml"
        head = file_head(month, path.exists())
        appends.append((path, head + frame("".join(parts), len(parts), tag)))
    return appends
