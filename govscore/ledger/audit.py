"""The audit trail: every commit reachable from HEAD must keep what the ledger already held.

An ordinary commit must leave each ledger file's old content as the exact start of its
new content; a torn batch at a file's end that no commit read as entries is no part of
it, and a commit may cut it back as repair does (review BM F3). A merge must keep each
parent's ledger text, entry by entry and in order: every entry of every parent must
still stand in the merged file, its lines together, in the order the parent had them
(other entries may come between, as git's union merge puts them). `git log -- ledger/`
is not used: it simplifies history and never shows a merge whose tree equals one
parent, which is exactly what `git merge -s ours` makes.

Git objects are read through one `git cat-file --batch` process: commits, trees and
blobs arrive length-prefixed, so no text in a commit (NUL aside, which git refuses)
can be mistaken for a separator.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import dataclasses
import difflib
import io
import itertools
import os
import re
import shlex
import subprocess
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache, partial
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from govscore.errors import ConfigError
from govscore.i18n import _, listing, ngettext
from govscore.ledger.batches import BEGIN, cut_off, table_outside
from govscore.ledger.gitops import (
    AMENDMENTS_DIR,
    GitError,
    blob_id,
    git,
    git_env,
    hidden_changes,
    in_repository,
    removed_files,
    renames,
    repository_prefix,
    resolve_revision,
    staged_file,
)
from govscore.ledger.loader import (
    CLAUSES_FILE,
    WEIGHTS_FILE,
    Kind,
    Listed,
    bundled,
    in_force,
    said_of_scores,
)
from govscore.ledger.text import (
    appended_stray_lines,
    as_read,
    csv_records,
    inside_strings,
    ledger_text,
    left_out_last,
    line_offset,
    open_csv_row,
    quote_open_at,
    split_entries,
    stray_table,
    string_lines,
)
from govscore.model import is_month
from govscore.rules.amendments import amendment_date, first_month_of

_T = TypeVar("_T")


@dataclass(frozen=True)
class Rewrite:
    """One commit that did not keep a ledger file's text, measured against one parent
    (the working tree against HEAD: commit "", parent HEAD)."""

    commit: str
    parent: str  # the parent (or, for --since, the published revision) it was compared with
    author: str
    date: str
    subject: str
    file: str
    message: str  # what was lost, changed or moved, naming entries and lines
    entries: tuple[str, ...]  # ids of the entries lost, changed or moved
    lines: tuple[str, ...]  # "-12: old text" (line in the parent), "+12: new text" (in the commit)
    # A file of the rules (a notice, weights.toml, clauses.toml): edited, removed, renamed
    # or added; "" for a ledger file.
    change: str = ""


@dataclass(frozen=True)
class CutOff:
    """A commit where the history in the repository stops: git does not have its parents
    (a shallow clone, `git clone --depth N`), so nothing before it was audited."""

    commit: str
    author: str
    date: str
    subject: str
    parents: tuple[str, ...]  # the parents the audit could not read past


@dataclass(frozen=True)
class Audit:
    """What an audit found: the commits that did not keep the ledger, and where the
    history it could read stops (empty: it read every commit it was asked to)."""

    rewrites: list[Rewrite]
    cut: tuple[CutOff, ...]
    # False: the published revision (--since) held no ledger of this root, where its
    # ledger stood then or anywhere HEAD no longer holds one: it began after it, and
    # there was nothing to compare.
    published: bool = True


def audit_history(root: Path, ledger_dir: str, since: str | None = None) -> Audit:
    """Every commit reachable from HEAD that did not keep the ledger, each against each parent.

    With `since` (a published revision), only commits after it are walked, and the
    ledger at HEAD must still hold everything the ledger at `since` held, in order.
    A commit whose parents git does not have is audited against nothing and named as
    a cut: the history before it is unknown, so no verdict on it may be given.
    """
    if not in_repository(root):
        raise GitError(
            _("{root} is not in a git repository: there is no history to audit").format(root=root)
        )
    base = resolve_revision(root, since) if since is not None else None
    head = _head(root)
    if head is None:
        return Audit([], ())
    walk = _walk(root, base)
    found: list[Rewrite] = []
    cut: list[CutOff] = []
    published = True
    with _Objects(root) as objects:
        history = _followed(objects, root, ledger_dir, walk)
        shadows = _Shadows(history)
        for commit_id, *walked in walk:
            commit = history.commit(commit_id)
            merge = len(commit.parents) > 1
            for parent in commit.parents:
                found.extend(history.compare(commit, parent, merge))
                found.extend(history.rules_changed(commit, parent, merge))
            found.extend(shadows.commit(commit))
            unread = tuple(p for p in commit.parents if p not in walked or not history.has(p))
            if unread:
                cut.append(CutOff(commit.id, commit.author, commit.date, commit.subject, unread))
        if base is not None and since is not None:  # pragma: no mutate (equivalent: or)
            lost, published = _since(root, history, base, since)
            found.extend(lost)
        worked = _differing(root, ledger_dir)  # asked of git once, for both
        found.extend(_uncommitted(root, history, head, ledger_dir, dict(worked)))
        found.extend(_uncommitted_rules(root, history, head))
        files, read = _worktree(root, history, head, ledger_dir, worked)
        found.extend(shadows.worktree(head, files, read))
    return Audit(found, tuple(cut), published)


def keeps_head(root: Path, ledger_dir: str, label: str, new: str | None) -> bool | None:
    """Whether a commit that leaves the ledger file `label` as `new` (None: removed) keeps
    what HEAD holds of it, as the audit measures the working tree. Repair cuts lines HEAD
    holds only where this says so (a torn batch at the file's end that never counted), so
    that repair, check's advice and the audit agree (review BM F3). None: it cannot be
    told, the history stopping (a shallow clone) before a commit that held the file, as
    the audit says of it (review BO J6)."""
    head = _head(root)
    if head is None:
        return True
    with _Objects(root) as objects:
        history = _followed(objects, root, ledger_dir, _walk(root))
        path = f"{history.prefix}{label}"
        blob = (history.files(head) or {}).get(path)
        if blob is None:
            return True
        check = partial(_check, new=new, path=path, merge=False, parent=head)
        if history.measure(head, path, blob, new, check) is None:
            return True
        return None if (head, path, blob) in history.stopped else False


def _head(root: Path) -> str | None:
    """HEAD's commit; None in a repository with no commit yet."""
    head = git(
        root,
        "rev-parse",
        "--verify",
        "HEAD",
        check=False,  # pragma: no mutate (equivalent: None is as false as False)
    )
    return head.stdout.strip() if head.returncode == 0 else None


def _walk(root: Path, base: str | None = None) -> list[list[str]]:
    """Each commit from HEAD back (to `base`, not included) with its parents as git walks
    them, parents first: a shallow clone's cut-off commit is walked as if it had none,
    though its object names them."""
    excluded = [f"^{base}"] if base else []
    listed = git(root, "rev-list", "--reverse", "--parents", "HEAD", *excluded, check=False)
    if listed.returncode != 0:
        raise GitError(
            _(
                "git cannot walk the history from HEAD: a commit is missing (the repository "
                "is damaged or incomplete; `git fsck` names it)"
            )
        )
    return [line.split() for line in listed.stdout.splitlines()]


def _followed(objects: _Objects, root: Path, ledger_dir: str, walk: list[list[str]]) -> _History:
    """The history of the root's ledger folder, followed from HEAD back (each commit after
    a child of it) across every commit that moved it, before any commit is compared with
    its parents."""
    prefix = repository_prefix(root)
    folder = [part for part in f"{prefix}{ledger_dir}".split("/") if part]
    history = _History(objects, folder, prefix)
    for commit_id, *_walked in reversed(walk):
        commit = history.commit(commit_id)
        for parent in commit.parents:
            history.follow(commit, parent)
    return history


def _uncommitted(
    root: Path, history: _History, head: str, ledger_dir: str, worked: dict[str, str]
) -> list[Rewrite]:
    """Lines HEAD holds that the next commit would not keep: changed, removed or moved in
    the working tree or in git's index (staged), the file gone from either (git rm
    --cached), a folder or a link in its place. Named with an empty commit, against HEAD.

    git says which files differ, as it would commit them (a checkout whose line ends git
    converts, core.autocrlf, differs in nothing); those files' texts are compared.
    `worked`: the files git finds changed in the working tree (_differing).
    """
    files = history.files(head) or {}
    staged = _differing(root, ledger_dir, cached=True)
    # Files git was told to pass over (assume-unchanged, skip-worktree): git names none of
    # them, so their bytes are compared with HEAD's here.
    hidden = {label for label in hidden_changes(root, ledger_dir) if label not in worked}
    for label in hidden:
        worked[label] = "M" if os.path.lexists(root / label) else "D"
    found = []
    for label in sorted({*staged, *worked}):
        blob = files.get(f"{history.prefix}{label}")
        if blob is None:
            continue  # not in HEAD: nothing committed to keep
        old = history.text(blob)
        if "U" in (staged.get(label, "")[:1], worked.get(label, "")[:1]):
            found.append(_unmerged(root, label, old, history.prefix, head))
            continue
        # What a commit of the index would take, then what `commit -a` would; a text
        # is read (a git process) only for a file git names as modified there.
        for status, read, passed_over in (
            (staged.get(label), _staged_text, False),
            (worked.get(label), _as_committed, label in hidden),
        ):
            if status is None:
                continue
            new = read(root, label) if status.startswith("M") else None
            if status.startswith("M") and (new is None or new == old):
                continue  # deleted, or no longer a plain file (new None): the commit drops it
            check = partial(
                _uncommitted_rewrite,
                root,
                label,
                status,
                new=new,
                prefix=history.prefix,
                head=head,
                passed_over=passed_over,
            )
            rewrite = history.measure(head, f"{history.prefix}{label}", blob, new, check)
            if rewrite is not None:
                found.append(rewrite)
                break
    return found


def _uncommitted_rules(root: Path, history: _History, head: str) -> list[Rewrite]:
    """The rules HEAD holds that the next commit would not keep (a notice edited, removed
    or renamed; weights.toml or clauses.toml changed once HEAD's ledger holds an entry; a
    new notice, untracked too, that rules a month HEAD's ledger holds entries of): in
    git's index first, then in the working tree, as git would commit them, each file
    named once; one a merge left in conflict, as such. Named with an empty commit,
    against HEAD."""
    names = (AMENDMENTS_DIR, WEIGHTS_FILE, CLAUSES_FILE)
    old = history.rules(head, history.folder)
    worked = _differing(root, *names)
    for label in hidden_changes(root, *names):
        worked.setdefault(label, "M" if os.path.lexists(root / label) else "D")
    # A notice not yet added to git is in the next `git add -A`: one renamed with `mv`
    # (not `git mv`) is named renamed, as `git mv` has it, not removed; a new one may
    # rule months already recorded.
    for label in _untracked(root, *names):
        worked.setdefault(label, "?")
    texts: dict[str, str] = {}
    found: dict[str, Rewrite] = {}
    staged = _differing(root, *names, cached=True)
    # A merge left in conflict (git status U): the file stands, its markers in it.
    unmerged = {label for label, status in (*staged.items(), *worked.items()) if status == "U"}
    for changed, read in ((staged, _staged_text), (worked, _as_committed)):
        new = dict(old)
        for label, status in changed.items():
            reader = _as_committed if label in unmerged else read
            text = reader(root, label) if status[:1] in ("M", "A", "?", "U") else None
            if text is None:
                new.pop(label, None)
            elif _rule_file(label):
                texts[key := f"{read.__name__}:{label}"] = text
                new[label] = key
        for file, message, *rest in _rules_changed(
            old,
            new,
            lambda: history.recorded(head, history.folder),
            lambda name: texts[name] if name in texts else history.text(name),
        ):
            said = _("not committed: {message}").format(message=message)
            if file in unmerged:
                said = _(
                    "not committed: a merge left the file with an unresolved conflict; "
                    "resolve it keeping the rules the months were scored by, then "
                    "`git -C {root} add -- {file}` and commit the merge"
                ).format(root=shlex.quote(str(root)), file=shlex.quote(file))
                rest[-1] = "conflict"
            found.setdefault(file, Rewrite("", head, "", "", "", file, said, *rest))
    return list(found.values())


def _worktree(
    root: Path, history: _History, head: str, ledger_dir: str, changed: dict[str, str]
) -> tuple[dict[str, str], Callable[[str], str]]:
    """The ledger's files as the working tree holds them (path → a name `read` reads):
    HEAD's blobs, and the files git finds changed (`changed`: _differing) or does not
    track, as git would commit them."""
    files = dict(history.files(head) or {})
    texts: dict[str, str] = {}
    changed.update(dict.fromkeys(_untracked(root, ledger_dir), "?"))
    for label, status in changed.items():
        path = f"{history.prefix}{label}"
        text = _as_committed(root, label) if status[:1] in ("M", "A", "?") else None
        if text is None:
            files.pop(path, None)
        else:
            texts[f"working tree:{label}"] = text
            files[path] = f"working tree:{label}"
    return files, lambda name: texts[name] if name in texts else history.text(name)


def _untracked(root: Path, *paths: str) -> list[str]:
    """The files under `paths` git does not track nor ignore: what `git add -A` would add."""
    listed = git(root, "ls-files", "--others", "--exclude-standard", "-z", "--", *paths)
    return list(filter(None, listed.stdout.split("\0")))


def _differing(root: Path, *paths: str, cached: bool = False) -> dict[str, str]:
    """The files under `paths` git finds changed against HEAD (path → status M, D, T …):
    in the working tree, or (`cached`) in the index."""
    listed = git(
        root,
        "diff",
        *(["--cached"] if cached else []),
        "--name-status",
        "--no-renames",
        "-z",
        "--relative",
        "HEAD",
        "--",
        *paths,
    )
    fields = listed.stdout.split("\0")
    return dict(zip(fields[1::2], fields[0::2], strict=False))


def _uncommitted_rewrite(
    root: Path,
    label: str,
    status: str,
    old: str,
    new: str | None,
    prefix: str,
    head: str,
    passed_over: bool = False,
) -> Rewrite | None:
    """`passed_over`: git was told not to look at the file (assume-unchanged or
    skip-worktree), so git diff shows nothing and git checkout may leave it alone."""
    checked = _check(old, new, f"{prefix}{label}", False, head)
    if checked is None:
        return None
    message, entries, lines = checked
    place, file = shlex.quote(str(root)), shlex.quote(label)
    named = _named(entries)
    if new is not None and passed_over:
        message = _(
            "not committed: lines HEAD holds were changed, removed or inserted in the "
            "working tree{entries}, in a file git was told to pass over (`git update-index "
            "--assume-unchanged` or `--skip-worktree`), so `git status` and `git diff` do "
            "not show them; `git -C {root} update-index --no-assume-unchanged "
            "--no-skip-worktree -- {file}` shows them to git again"
        ).format(entries=named, file=file, root=place)
    elif (
        new is not None
        and new.startswith(old)
        and (label.endswith(".csv") or quote_open_at(new, len(old)))
    ):  # lines that continue a string or a quoted cell left open: said as a commit's are
        message = _("not committed: {message}").format(message=message)
    elif new is not None and new.startswith(old) and (table := _appended_table(old, new)):
        message = _(
            "not committed: in lines appended (in the working tree or in git's index), "
            "{why}; `govscore check` leaves out the last entry HEAD holds{entries}; "
            "`git -C {root} diff HEAD -- {file}` shows them: remove them"
        ).format(why=table_outside(table), entries=named, file=file, root=place)
    elif new is not None and new.startswith(old):
        message = _(
            "not committed: lines appended (in the working tree or in git's index) before "
            "any [[entry]] header, which TOML reads as part of the last entry HEAD "
            "holds{entries}; `git -C {root} diff HEAD -- {file}` shows them: remove them, "
            "or begin a new entry with an [[entry]] header above them"
        ).format(entries=named, file=file, root=place)
    elif new is not None:
        message = _(
            "not committed: lines HEAD holds were changed, removed or inserted (in the "
            "working tree or in git's index){entries}; `git -C {root} diff HEAD -- {file}` "
            "shows them, `git -C {root} checkout HEAD -- {file}` puts them back"
        ).format(entries=named, file=file, root=place)
    elif status.startswith("T"):
        message = ngettext(
            "not committed: the file is no longer a plain file (a link in its place?), "
            "and the next commit would drop its {count} committed line; "
            "`git -C {root} checkout -- {file}` puts it back",
            "not committed: the file is no longer a plain file (a link in its place?), "
            "and the next commit would drop its {count} committed lines; "
            "`git -C {root} checkout -- {file}` puts it back",
            len(lines),
        ).format(count=len(lines), file=file, root=place)
    elif (root / label).is_file():
        message = ngettext(
            "not committed: the file is no longer in git's index (git rm --cached?), and "
            "the next commit would drop its {count} committed line; "
            "`git -C {root} reset -- {file}` puts it back",
            "not committed: the file is no longer in git's index (git rm --cached?), and "
            "the next commit would drop its {count} committed lines; "
            "`git -C {root} reset -- {file}` puts it back",
            len(lines),
        ).format(count=len(lines), file=file, root=place)
    else:
        message = _("not committed: {message}").format(message=message)
    lines = tuple(_shown(line) for line in lines)
    return Rewrite("", head, "", "", "", _shown(label), message, entries, lines)


def _unmerged(root: Path, label: str, old: str, prefix: str, head: str) -> Rewrite:
    """A file a merge left in conflict (git status UU): the merge is not finished, and git
    commits nothing until it is. Named as such, with what the working tree holds against
    HEAD; never with advice that drops the merge's state (`git reset`, `git checkout`)."""
    checked = _check(old, _as_committed(root, label), f"{prefix}{label}", False, head)
    _message, entries, lines = checked if checked is not None else ("", (), ())
    named = _named(entries)
    message = _(
        "not committed: a merge left the file with an unresolved conflict{entries}; resolve "
        "it keeping every entry of both sides whole, then `git -C {root} add -- {file}` and "
        "commit the merge"
    ).format(entries=named, root=shlex.quote(str(root)), file=shlex.quote(label))
    shown = tuple(_shown(line) for line in lines)
    return Rewrite("", head, "", "", "", _shown(label), message, entries, shown)


def _staged_text(root: Path, label: str) -> str | None:
    """A ledger file's text in git's index, as a commit of the index would take it."""
    shown = staged_file(root, label)
    return shown.decode(errors="surrogateescape") if shown is not None else None


def _as_committed(root: Path, label: str) -> str | None:
    """A working-tree file's text as git would commit it (as_committed)."""
    try:
        data = (root / label).read_bytes()
    except OSError:
        return None
    return as_committed(root, label, data, label)


def as_committed(root: Path, label: str, data: bytes, held: str | None = None) -> str:
    """Bytes for a working-tree file, as git would commit them: with their line ends
    converted when git converts them (core.autocrlf, a text attribute: the blob it would
    write is the one whose id git gives, in the repository's own hash: SHA-1, or
    SHA-256). `held`: a file holding them already; else they are written to one apart
    (repair asks so of a file's bytes as a cut would leave them)."""
    with contextlib.ExitStack() as stack:
        if held is None:
            spare = stack.enter_context(tempfile.NamedTemporaryFile(prefix="govscore-"))
            spare.write(data)
            spare.flush()
            held = spare.name
        named = git(root, "hash-object", "--path", label, "--", held, check=False)
    wanted = named.stdout.strip()
    for form in (data, data.replace(b"\r\n", b"\n")):
        if blob_id(form, wanted) == wanted:
            return form.decode(errors="surrogateescape")
    return data.decode(errors="surrogateescape")


def _since(root: Path, history: _History, base: str, since: str) -> tuple[list[Rewrite], bool]:
    """What HEAD no longer holds of the published revision's ledger, and whether that
    revision held this root's ledger at all (False: it began after it)."""
    head = history.commit(git(root, "rev-parse", "HEAD").stdout.strip())
    found = []
    ancestor = git(
        root,
        "merge-base",
        "--is-ancestor",
        base,
        head.id,
        check=False,  # pragma: no mutate (equivalent: None is as false as False)
    )
    if ancestor.returncode != 0:
        message = _(
            "{rev} ({commit}) is not an ancestor of HEAD: the history published there was "
            "rewritten (amend, rebase, filter-branch or force-push); "
            "`git diff {rev} HEAD -- ledger/` shows what differs"
        ).format(rev=since, commit=base[:10])
        found.append(
            Rewrite(head.id, base, head.author, head.date, head.subject, "", message, (), ())
        )

    def lost(parent: str, what: str) -> str:
        return _(
            "not everything in {rev}'s ledger ({commit}) is still at HEAD, whole and in "
            "order: {what}"
        ).format(rev=since, commit=parent[:10], what=what)

    # HEAD must hold the published ledger as a merge holds a parent's: every entry whole
    # and in order, whatever was added between them. Named as of HEAD.
    history.published(head, base)
    # And the rules it was scored by, byte for byte: each notice, and once it held an
    # entry, weights.toml and clauses.toml.
    said = _("since {rev} ({commit}): {message}")
    ruled = [
        dataclasses.replace(r, message=said.format(rev=since, commit=base[:10], message=r.message))
        for r in history.rules_changed(head, base)
    ]
    if history.held(head, base):
        found.extend(history.compare(head, base, True, lost))
        return found + ruled, True
    # The ledger was not followed to where the revision held it: a ledger folder it held
    # that HEAD no longer holds may have been this root's, and would be compared with nothing.
    gone = history.emptied(base, head.id, history.folders.get(head.id, history.folder))
    if gone:
        message = _(
            "{rev} ({commit}) held no ledger at {folder}, and the history cannot be followed "
            "to where it held this root's ledger: it held ledger files in folders HEAD no "
            "longer holds ({folders}); nothing of {rev}'s ledger was compared with HEAD's"
        ).format(
            rev=since,
            commit=base[:10],
            folder=_folder(history.where(head, base)),
            folders=listing([_folder(place) for place in gone]),
        )
        found.append(
            Rewrite(head.id, base, head.author, head.date, head.subject, "", message, (), ())
        )
    return found + ruled, bool(gone)


# -- reading git objects ------------------------------------------------------------------


class _Objects:
    """Git objects by id, through one long-lived `git cat-file --batch`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.process = subprocess.Popen(
            ["git", "cat-file", "--batch"],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=git_env(),
        )

    def __enter__(self) -> _Objects:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.kill()
        self.process.wait()

    def read(self, object_id: str) -> bytes | None:
        """The object's content, or None when the repository does not have it."""
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None
        assert stdout is not None
        stdin.write(object_id.encode() + b"\n")
        stdin.flush()
        header = stdout.readline()
        parts = header.split()
        if len(parts) != 3:
            if not header:
                raise GitError(_("git cat-file stopped while reading {id}").format(id=object_id))
            return None  # "<id> missing": a shallow clone's cut-off parent
        data = stdout.read(int(parts[2]))  # pragma: no mutate (read(None) waits for git to end)
        stdout.read(1)  # pragma: no mutate (the newline after it; read(2) or read(None) waits)
        return data


@dataclass(frozen=True)
class _Commit:
    id: str
    tree: str
    parents: tuple[str, ...]
    author: str
    date: str
    subject: str


def _parse_commit(commit_id: str, data: bytes) -> _Commit:
    head, _sep, message = data.partition(b"\n\n")
    tree, parents, author, date = "", [], "", ""  # pragma: no mutate (git writes all three)
    for line in head.split(b"\n"):
        key, _space, value = line.partition(b" ")
        if key == b"tree":
            tree = value.decode("ascii")  # pragma: no mutate (equivalent: "ASCII")
        elif key == b"parent":
            parents.append(value.decode("ascii"))  # pragma: no mutate (equivalent: "ASCII")
        elif key == b"author":
            author, date = _person(value)
    # The subject is the first paragraph, as git's %s finds it: blank lines before it are
    # skipped and a line of nothing but white space ends it; its lines are joined by a space.
    lines = itertools.dropwhile(_blank, message.decode(errors="replace").split("\n"))
    subject = " ".join(line.strip() for line in itertools.takewhile(str.strip, lines))
    return _Commit(commit_id, tree, tuple(parents), author, date, subject)


def _blank(line: str) -> bool:
    return not line.strip()


_PERSON = re.compile(rb"^(.*?) <[^>]*> (\d+) ([+-])(\d\d)(\d\d)$")


def _person(value: bytes) -> tuple[str, str]:
    """An author line's name and its date, as git's %an and %aI give them."""
    found = _PERSON.match(value)
    if found is None:
        return value.decode(errors="replace"), ""
    name, stamp, sign, hours, minutes = found.groups()
    offset = timedelta(hours=int(hours), minutes=int(minutes))
    if sign == b"-":
        offset = -offset
    try:
        when = datetime.fromtimestamp(int(stamp), timezone(offset)).isoformat()
    except (ValueError, OverflowError, OSError):
        # A zone of 24 hours or more, a time past the platform's (a commit written without
        # git, which a push carries): the date as written, never an audit stopped by it.
        when = value[found.start(2) :].decode("ascii")
    return name.decode(errors="replace"), when


def _tree_entries(data: bytes, width: int) -> Iterator[tuple[bytes, bytes, str]]:
    """A tree object's (mode, name, object id) entries."""
    at = 0
    while at < len(data):
        space = data.index(b" ", at)  # pragma: no mutate (index(b" ") never moves on: a loop)
        nul = data.index(b"\0", space)  # pragma: no mutate (index(b"\0") never moves on: a loop)
        yield data[at:space], data[space + 1 : nul], data[nul + 1 : nul + 1 + width].hex()
        at = nul + 1 + width  # pragma: no mutate (nul + 1 - width moves back: a loop)


Folder = tuple[bytes, ...]  # a folder's path in the repository, name by name
Spans = tuple[tuple[int, int], ...]  # (start, stop) offsets in a text, in order


class _History:
    """Commits and their ledger folders, each read once.

    A root can be moved inside its repository (`git mv office moved`), and with it its
    ledger folder: before that commit the ledger stood elsewhere. Each commit's folder is
    followed from HEAD back, as `git log --follow` follows a file, and its files are
    named as they are named now (from the root), wherever they stood then.
    """

    def __init__(self, objects: _Objects, folder: list[str], prefix: str) -> None:
        self.objects = objects
        self.folder: Folder = tuple(part.encode(errors="surrogateescape") for part in folder)
        self.named = "/".join(folder)
        self.prefix = prefix
        self.commits: dict[str, _Commit | None] = {}
        # Where each commit's ledger folder stood (HEAD's and those not followed: `folder`).
        self.folders: dict[str, Folder] = {}
        # (commit, parent) → where the parent held the ledger folder the commit moved.
        self.moved: dict[tuple[str, str], Folder] = {}
        # (commit, parent) → the parent's ledger folders the commit emptied, where its own
        # ledger folder first appears and git finds no rename to tell which it came from.
        self.unsure: dict[tuple[str, str], list[Folder]] = {}
        # The ledger folder's own names below the root (`ledger`): what another root's
        # ledger folder, or this one where it stood before a move, is called too.
        self.ledger = self.folder[len([part for part in prefix.split("/") if part]) :]
        self.ledgers: dict[tuple[str, Folder], dict[str, str] | None] = {}
        self.absent: set[tuple[str, Folder]] = set()  # no such folder in the commit's tree
        self.texts: dict[str, str] = {}
        # (commit, path, blob) → the spans of that file's torn batches (batches.cut_off), if
        # no commit ever read them as entries (None: they may have, or there are none).
        self.fresh: dict[tuple[str, str, str], Spans | None] = {}
        # Those of them told None only because the history stops (a shallow clone) before
        # a commit that held the file: with it, they may well have never counted.
        self.stopped: set[tuple[str, str, str]] = set()
        self.rule_files: dict[tuple[str, Folder], _Files] = {}  # the root's rules, as ledgers
        # The last month the ledger held an entry of (None: none).
        self.entries: dict[tuple[str, Folder], str | None] = {}

    def has(self, commit_id: str) -> bool:
        """Whether git has the commit (a shallow clone lacks its cut-off commits' parents)."""
        return self._commit(commit_id) is not None

    def commit(self, commit_id: str) -> _Commit:
        found = self._commit(commit_id)
        if found is None:
            raise GitError(_("git has no commit {id}").format(id=commit_id))
        return found

    def _commit(self, commit_id: str) -> _Commit | None:
        if commit_id not in self.commits:
            data = self.objects.read(commit_id)
            self.commits[commit_id] = None if data is None else _parse_commit(commit_id, data)
        return self.commits[commit_id]

    def files(self, commit_id: str, folder: Folder | None = None) -> dict[str, str] | None:
        """The ledger folder's files at a commit (path, as named now → blob id), hidden ones
        left out as the ledger reads none; None: not readable there. The folder: where the
        commit held it (`folder`, to look elsewhere)."""
        where = self.folders.get(commit_id, self.folder) if folder is None else folder
        key = (commit_id, where)
        if key not in self.ledgers:
            commit = self._commit(commit_id)
            found = None if commit is None else self._ledger(commit.tree, where)
            if commit is not None and found is None:
                self.absent.add(key)
                found = {}
            self.ledgers[key] = found
        return self.ledgers[key]

    def holds(self, commit_id: str, folder: Folder) -> bool:
        """Whether the commit's tree has the folder, ledger files in it or not."""
        return self.files(commit_id, folder) is not None and (commit_id, folder) not in self.absent

    def follow(self, commit: _Commit, parent: str) -> None:
        """Where the parent held the commit's ledger folder: where the commit holds it, unless
        the commit moved it there. A parent takes the first folder a child gives it (HEAD's
        side first, as git walks); the folder each of its children moved is kept apart.

        Only a commit whose folder holds what the parent's, at the same place, does not (no
        ledger file; no folder, where the commit has one) is asked of git: a root moved, or
        a ledger begun. One that git finds no folder moved into is a ledger begun, and its
        files are new: they keep nothing, and nothing is asked of them."""
        folder = self.folders.get(commit.id, self.folder)
        if self.files(parent, folder) == {} and (
            self.files(commit.id, folder)
            or (not self.holds(parent, folder) and self.holds(commit.id, folder))
        ):
            moved = self._moved_from(parent, commit.id, folder)
            if moved is not None:
                self.moved[(commit.id, parent)] = folder = moved
        self.folders.setdefault(parent, folder)

    def where(self, commit: _Commit, parent: str) -> Folder:
        """Where the parent held the commit's ledger folder, as the history was followed."""
        return self.moved.get((commit.id, parent), self.folders.get(commit.id, self.folder))

    def held(self, head: _Commit, base: str) -> bool:
        """Whether a published revision held the ledger folder where HEAD's was followed to."""
        return self.holds(base, self.where(head, base))

    def published(self, head: _Commit, base: str) -> None:
        """Where a published revision held HEAD's ledger folder: where the walk followed it
        there (its child after it moved it, if one did), else where HEAD's own moves find it
        (a revision the history no longer holds)."""
        if base in self.folders:
            self.moved[(head.id, base)] = self.folders[base]
        else:
            self.follow(head, base)

    def _moved_from(self, parent: str, commit: str, folder: Folder) -> Folder | None:
        """The parent's folder the commit moved `folder` from, if git finds files renamed
        from there: the folder's own files, or the root's around it (`office/weights.toml`
        to `moved/weights.toml` says `office/ledger` became `moved/ledger`). Of folders the
        parent holds, the one most renames point to, if the commit truly moved it: its
        ledger files left it, or some of them are among the renames. A file moved from a
        root that keeps its ledger (`y2023/README.md` to `y2024/README.md`, as a new year's
        root begins) moves no ledger.

        Where git finds no rename to say it (each file changed past its similarity
        threshold in the move), the ledger folder the commit emptied is the one it came
        from, if there is one; of several, none is guessed (`unsure`, named as such)."""
        votes: Counter[Folder] = Counter()
        carried: set[Folder] = set()  # places ledger files themselves were renamed from
        sources: list[Folder] = []  # every file git finds renamed, where it was
        for old, new in renames(self.objects.root, parent, commit):
            before, after = _parts(old), _parts(new)
            sources.append(before)
            same = 0  # the names both paths end with: what the move kept
            while same < min(len(before), len(after)) and before[-1 - same] == after[-1 - same]:
                same += 1
            above = after[: len(after) - same]  # the folder moved, as named now
            if same and folder[: len(above)] == above:
                place = before[: len(before) - same] + folder[len(above) :]
                votes[place] += 1
                if after[: len(folder)] == folder and before[: len(place)] == place:
                    carried.add(place)
        held = (
            place
            for place, _count in sorted(votes.items(), key=lambda vote: (-vote[1], vote[0]))
            if self.holds(parent, place) and (place in carried or self._left(parent, commit, place))
        )
        found = next(held, None)
        if found is not None:
            return found
        gone = self.emptied(parent, commit, folder, sources)
        if len(gone) > 1:
            self.unsure[(commit, parent)] = gone
        return gone[0] if len(gone) == 1 else None

    def emptied(
        self, parent: str, commit: str, folder: Folder, sources: list[Folder] | None = None
    ) -> list[Folder]:
        """The ledger folders the commit emptied that may have been `folder`'s earlier
        place. Not one whose every file git finds renamed elsewhere (`sources`: where
        renamed files were): they went there, a root moved beside a new one begun in the
        same commit (review BM F1) — one file renamed away proves nothing of the others
        (review BN F2: a decoy); nor one whose month files share no name with the
        folder's: another root's ledger."""
        if sources is None:
            sources = [_parts(old) for old, _new in renames(self.objects.root, parent, commit)]
        names = set(self.files(commit, folder) or ())

        def went_elsewhere(place: Folder) -> bool:
            away = {s[-1] for s in sources if len(s) == len(place) + 1 and s[:-1] == place}
            held = self.files(parent, place) or {}
            return bool(held) and all(
                path.rsplit("/", 1)[-1].encode(errors="surrogateescape") in away for path in held
            )

        return [
            place
            for place in self.removed_ledgers(parent, commit)
            if not went_elsewhere(place) and names & set(self.files(parent, place) or ())
        ]

    def removed_ledgers(self, parent: str, commit: str) -> list[Folder]:
        """The ledger folders (named as this root's is: `ledger`) whose files the parent
        held and the commit holds none of, wherever they stood: found among the files git
        says the commit removed, so only the folders the commit changed are read."""
        depth = len(self.ledger)
        places = {
            parts[:end]
            for parts in map(_parts, removed_files(self.objects.root, parent, commit))
            for end in range(depth, len(parts))
            if parts[end - depth : end] == self.ledger
        }
        return sorted(
            place
            for place in places
            if self.files(parent, place) and self._left(parent, commit, place)
        )

    def _left(self, parent: str, commit: str, place: Folder) -> bool:
        """Whether the commit no longer holds the parent's ledger folder at `place`: the
        folder is gone, or the ledger files the parent held there are."""
        return not self.holds(commit, place) or (
            bool(self.files(parent, place)) and not self.files(commit, place)
        )

    def _ledger(self, tree: str, folder: Folder) -> dict[str, str] | None:
        """The files below `folder` in a tree; None: the tree has no such folder."""
        found = self._subtree(tree, folder)
        if found is None:
            return None
        files: dict[str, str] = {}
        if found:
            self._walk(found, self.named, files)
        return files

    def _subtree(self, tree: str, folder: Folder) -> str | None:
        """The tree of `folder` below `tree`; None: no such folder; "": git lacks a tree
        on the way there."""
        width = len(tree) // 2
        for part in folder:
            data = self.objects.read(tree)
            if data is None:
                return ""
            tree = next(
                (
                    oid
                    for mode, name, oid in _tree_entries(data, width)
                    if name == part and mode == b"40000"
                ),
                "",  # pragma: no mutate (equivalent: None or "XXXX" also end in None)
            )
            if not tree:
                return None
        return tree

    def rules(self, commit_id: str, folder: Folder) -> _Files:
        """The rules of the root whose ledger folder stood at `folder` in the commit: its
        weights.toml, clauses.toml and amendments/*.toml (as the root names them → blob
        id), which a root moved takes with its ledger."""
        key = (commit_id, folder)
        if key not in self.rule_files:
            commit = self._commit(commit_id)
            root = folder[: len(folder) - len(self.ledger)]
            tree = self._subtree(commit.tree, root) if commit is not None else None
            data = self.objects.read(tree) if tree else None
            found: _Files = {}
            for mode, name, oid in _tree_entries(data or b"", len(tree or "") // 2):
                label = name.decode(errors="surrogateescape")
                if label == AMENDMENTS_DIR and mode == b"40000":
                    for kind, notice, blob in _tree_entries(
                        self.objects.read(oid) or b"", len(oid) // 2
                    ):
                        path = f"{label}/{notice.decode(errors='surrogateescape')}"
                        if kind.startswith(b"100") and _rule_file(path):
                            found[path] = blob
                elif mode.startswith(b"100") and _rule_file(label):
                    found[label] = oid
            self.rule_files[key] = found
        return self.rule_files[key]

    def recorded(self, commit_id: str, folder: Folder) -> str | None:
        """The last month the commit's ledger (at `folder`) held an entry of; None: none
        yet, and until one is recorded an office sets up its weights and catalog freely."""
        key = (commit_id, folder)
        if key not in self.entries:
            files = self.files(commit_id, folder) or {}
            months = sorted(
                ((order[0], path) for path in files if (order := self.order(path)) is not None),
                reverse=True,
            )
            held = (month for month, path in months if _entries(self.text(files[path]), path))
            self.entries[key] = next(held, None)
        return self.entries[key]

    def order(self, path: str) -> tuple[str, bool] | None:
        """A month file's place in ledger order; None for a file the ledger does not read."""
        folder, _slash, name = path.rpartition("/")
        stem, _dot, suffix = name.rpartition(".")
        if folder != self.named or suffix not in ("toml", "csv") or not is_month(stem):
            return None
        return stem, suffix != "toml"

    def rules_changed(self, commit: _Commit, parent_id: str, merge: bool = False) -> list[Rewrite]:
        """The rules the commit did not keep of the parent's, where the parent held them
        (a root moved takes them along): nothing where the ledger's earlier place is unsure.
        A merge adds no notice one of its other parents held: that parent's commits did."""
        if (commit.id, parent_id) in self.unsure:
            return []
        place = self.where(commit, parent_id)
        old = self.rules(parent_id, place)
        new = self.rules(commit.id, self.folders.get(commit.id, self.folder))
        merged: _Files = {}
        for other in commit.parents if merge else ():
            if other != parent_id:
                merged.update(self.rules(other, self.where(commit, other)))
        recorded = partial(self.recorded, parent_id, place)
        changed = _rules_changed(old, new, recorded, self.text, merged)
        return [
            Rewrite(commit.id, parent_id, commit.author, commit.date, commit.subject, *said)
            for said in changed
        ]

    def _walk(self, tree: str, path: str, files: dict[str, str]) -> None:
        data = self.objects.read(tree)
        if data is None:
            return
        for mode, name, oid in _tree_entries(data, len(tree) // 2):
            if name.startswith(b"."):
                continue  # hidden (ledger/.gitkeep, which init commits): govscore reads none
            where = f"{path}/{name.decode(errors='surrogateescape')}"
            if mode == b"40000":
                self._walk(oid, where, files)
            elif mode != b"160000":  # a submodule has no text here
                files[where] = oid

    def text(self, blob: str) -> str:
        """A blob's text; the last few are kept, as a commit's file is its child's parent file."""
        if blob not in self.texts:
            if len(self.texts) >= 16:  # pragma: no mutate (equivalent: the cache only saves reads)
                del self.texts[next(iter(self.texts))]
            data = self.objects.read(blob)
            if data is None:  # a tree names it: the repository is damaged or partial
                raise GitError(
                    _(
                        "git cannot read {id}, a ledger file's text: "
                        "the repository is damaged or incomplete"
                    ).format(id=blob)
                )
            self.texts[blob] = data.decode(errors="surrogateescape")
        return self.texts[blob]

    def parent_files(self, commit: _Commit, parent_id: str) -> dict[str, str] | None:
        """The parent's ledger files, from where it held the folder the commit holds."""
        return self.files(parent_id, self.where(commit, parent_id))

    def compare(
        self, commit: _Commit, parent_id: str, merge: bool, lost: Explain | None = None
    ) -> list[Rewrite]:
        """How the commit failed to keep the parent's ledger files (nothing if it kept them);
        `lost` says what a merge (or HEAD against a published revision) did not keep."""
        unsure = self.unsure.get((commit.id, parent_id))
        if unsure is not None:
            return [self._unsure(commit, parent_id, unsure)]
        old_files = self.parent_files(commit, parent_id)
        new_files = self.files(commit.id)
        if old_files is None or new_files is None:
            return []
        found = []
        for path, blob in sorted(old_files.items()):
            if new_files.get(path) == blob:
                continue
            new = self.text(new_files[path]) if path in new_files else None
            check = partial(
                _check, new=new, path=path, merge=merge, parent=parent_id, lost=lost or _merge_lost
            )
            checked = self.measure(parent_id, path, blob, new, check)
            if checked is None:
                continue
            message, entries, lines = checked
            label = path.removeprefix(self.prefix)
            found.append(
                Rewrite(
                    commit.id,
                    parent_id,
                    commit.author,
                    commit.date,
                    commit.subject,
                    _shown(label),
                    message,
                    entries,
                    tuple(_shown(line) for line in lines),
                )
            )
        return found

    def measure(
        self, holder: str, path: str, blob: str, new: str | None, check: Callable[[str], _T]
    ) -> _T | None:
        """What `check` finds a commit leaving the file as `new` (None: removed) did not keep
        of the file the commit `holder` held (its `blob`): measured against the whole text,
        and where that finds something, against what of it ever counted (counted): a torn
        batch that no commit read as entries is no part of the ledger, and a commit may
        cut it back (review BM F3: a backup's `git commit -a` took in an interrupted
        write), or take it out from before another's batch a merge put after it (review BO
        F4). A file that held no more than such a batch and its head line may go."""
        old = self.text(blob)
        found = check(old)
        if found is None:
            return None
        kept = self.counted(holder, path, blob)
        if kept == old:
            return found
        return None if new is None and not kept else check(kept)

    def counted(self, commit_id: str, path: str, blob: str) -> str:
        """The file's text at the commit (its `blob`) as far as any commit read it: all of
        it, but the torn batches no commit read as entries ("" where nothing but the head
        line stands before such a batch at its end: the torn write made the file)."""
        text = self.text(blob)
        if not path.endswith(".toml"):
            return text  # batches frame TOML files only
        spans = self._never_counted(commit_id, path, blob)
        return text if spans is None else _without(text, spans)

    def _never_counted(self, commit_id: str, path: str, blob: str) -> Spans | None:
        """The spans of the torn batches of the commit's file (batches.cut_off), if they
        never counted: their lines stood torn in every commit that held them. Each
        parent's file (none is fine) must hold what counted of it (all of it but its own
        torn batches that never counted) among the lines the commit's file holds outside
        the spans, in order: nothing that counted there went into a torn batch here. A
        union merge puts another clerk's entries before a torn batch, or its batch after
        one, and that is fine (review BO F4: a parent holding the same text before the
        batch was asked for). A parent whose lines that counted went into a torn batch
        (a batch's lines whole before its end mark was changed, entries a begin line was
        then put above, review BJ F4), or that git does not have, and they may have
        counted: None.

        Walked back, without recursion, only as far as the file holds part of a batch."""
        stack = [(commit_id, blob)]
        while stack:
            at, held = stack[-1]
            if (at, path, held) in self.fresh:
                stack.pop()
                continue
            text = self.text(held)
            spans = _cut_off(text)
            kept = "" if spans is None else _without(text, spans)
            commit = self._commit(at)
            waiting: list[tuple[str, str]] = []
            stopped = False
            for parent in commit.parents if spans is not None and commit is not None else ():
                if not self.has(parent):
                    spans = None  # git does not have the parent: what it held is unknown
                    stopped = True
                    break
                if parent not in self.folders:  # before `audit --since`'s revision
                    self.follow(commit, parent)
                before = (self.parent_files(commit, parent) or {}).get(path)
                earlier = self.text(before) if before not in (None, held) else text
                if before is None or (before != held and _lines_within(earlier, kept)):
                    continue  # no such file, or its lines all stand outside the batches
                if (parent, path, before) not in self.fresh:
                    waiting.append((parent, before))
                    continue
                own = self.fresh[(parent, path, before)]
                if not _lines_within(earlier if own is None else _without(earlier, own), kept):
                    spans = None
                    stopped = (parent, path, before) in self.stopped
                    break
            if spans is not None and waiting:
                stack.extend(waiting)
                continue
            self.fresh[(at, path, held)] = None if commit is None else spans
            if stopped:
                self.stopped.add((at, path, held))
            stack.pop()
        return self.fresh[(commit_id, path, blob)]

    def _unsure(self, commit: _Commit, parent: str, places: list[Folder]) -> Rewrite:
        """A commit where the ledger folder first appears, having emptied several ledger
        folders of its parent with no rename to tell which one it was moved from."""
        message = _(
            "the ledger folder {folder} first appears in this commit, which took every "
            "ledger file out of several folders ({folders}), and git finds no file renamed "
            "from one of them: which one it was moved from cannot be told, so the entries "
            "they held were compared with nothing"
        ).format(
            folder=_folder(self.folders.get(commit.id, self.folder)),
            folders=listing([_folder(place) for place in places]),
        )
        return Rewrite(
            commit.id, parent, commit.author, commit.date, commit.subject, "", message, (), ()
        )


def _without(text: str, spans: Spans) -> str:
    """The text without the spans (in order, apart)."""
    parts: list[str] = []
    at = 0
    for start, stop in spans:
        parts.append(text[at:start])
        at = stop
    parts.append(text[at:])
    return "".join(parts)


def _lines_within(old: str, new: str) -> bool:
    """Whether every line of `old` stands in `new`, in the same order (others may stand
    between them, as a union merge puts them)."""
    if new.startswith(old):
        return True
    lines = iter(new.splitlines(keepends=True))
    return all(any(line == other for other in lines) for line in old.splitlines(keepends=True))


def _cut_off(text: str) -> Spans | None:
    """The spans of a file's text, as git holds it, that no reader takes as entries and
    that a write cut off may leave (None: there are none): its torn batches
    (batches.cut_off), and the last table of a file without its last newline
    (text.left_out_last). They are found in the text as the ledger reads it (a character
    cut off at its end dropped, a BOM and CRLF line ends taken away), and each span, which
    starts a line and stops at one or at the end, is the same lines here: a Windows
    editor's file is cut back as repair cuts it. None for a text the ledger does not read
    (not UTF-8)."""
    try:
        read = as_read(ledger_text(text.encode(errors="surrogateescape")))
    except UnicodeDecodeError:
        return None
    spans = cut_off(read, string_lines(read))
    last = left_out_last(read)
    # A table before a torn batch at the end is kept: the spans stay in order, apart.
    if last is not None and (not spans or last >= spans[-1][1]):
        spans.append((last, len(read)))
    if not spans:
        return None
    if read == text:
        return tuple(spans)
    # A line's start here, by its number; the end of the text as read is the end here.
    here = {len(read): len(text)}
    for offset in {at for span in spans for at in span} - here.keys():
        here[offset] = line_offset(text, read.count("\n", 0, offset) + 1)
    return tuple((here[start], here[stop]) for start, stop in spans)


def _folder(place: Folder) -> str:
    """A folder as the repository names it, to be printed."""
    return _shown(b"/".join(place).decode(errors="surrogateescape"))


# -- the rules the months were scored by ----------------------------------------------

# What a rules file's finding says: file, message, entries, lines, change.
_Said = tuple[str, str, tuple[str, ...], tuple[str, ...], str]


def _rule_file(label: str) -> bool:
    """Whether a root's file (as the root names it) is one of the rules the audit keeps:
    weights.toml, clauses.toml, or a notice directly in amendments/ (departments.toml is
    not: a tag is given after months are recorded, by design)."""
    folder, _slash, name = label.rpartition("/")
    if folder == AMENDMENTS_DIR:
        return name.endswith(".toml") and not name.startswith(".")
    return not folder and name in (WEIGHTS_FILE, CLAUSES_FILE)


def _rules_kept(label: str, was: list[str], now: list[str] | None) -> bool:
    """Whether weights.toml or clauses.toml, once `was`, left as `now` (None: removed)
    keeps what the months were scored by: it says the same of every score, as the loader
    reads it (said_of_scores: a comment, spacing, a default written out or left out, a
    display-only name (`short`) or weights.toml's [ledger], whether entries are committed
    to git, changes nothing); or it did not read at all, and scored no month."""
    try:
        before = said_of_scores(label, _bytes(was))
    except ConfigError:
        return True
    try:
        return now is not None and said_of_scores(label, _bytes(now)) == before
    except ConfigError:
        return False


def _shipped(label: str) -> str:
    """weights.toml or clauses.toml as govscore ships it (what `init` writes)."""
    return (bundled(label) or b"").decode()


def _bytes(lines: list[str]) -> bytes:
    """A file's bytes, from its lines as the audit reads them."""
    return "\n".join(lines).encode(errors="surrogateescape")


@dataclass(frozen=True)
class _Held:
    """The rules one commit (or the working tree) holds, read as the loader reads a root
    (loader.Source): `files` maps each file to a name `text` reads."""

    files: _Files
    text: Callable[[str], str]

    def read(self, relative: str) -> bytes | None:
        name = self.files.get(relative)
        if name is None:  # weights.toml not committed scored by the defaults init writes
            return bundled(relative) if relative == WEIGHTS_FILE else None
        return self.text(name).encode(errors="surrogateescape")

    def names(self, folder: str) -> list[Listed] | None:
        inside = f"{folder}/"
        held = [
            Listed(label.removeprefix(inside)) for label in self.files if label.startswith(inside)
        ]
        return held or None

    def kind(self, relative: str) -> Kind | None:
        return Kind.FILE if relative in self.files else None


def _rules_changed(
    old: _Files,
    new: _Files,
    recorded: Callable[[], str | None],
    read: Callable[[str], str],
    merged: _Files | None = None,
) -> list[_Said]:
    """What a commit (or the working tree) did not keep of its parent's rules: a notice
    in force there edited, removed or renamed; weights.toml or clauses.toml edited,
    removed or added once the parent's ledger held an entry; a new notice (or one the
    parent left out, now in force) that rules a month the parent's ledger held entries
    of (`recorded`: the last such month, asked only then). `read` reads a text by the
    names the files map to; `merged`: the rules a merge's other parents held."""
    notices = f"{AMENDMENTS_DIR}/"
    added = sorted(label for label in new if label not in old and label.startswith(notices))
    ruled = cache(lambda: in_force(_Held(old, read)))  # asked only where a notice changed
    found: list[_Said] = []
    renamed_to: set[str] = set()
    for label in sorted({*old, *(new.keys() & {WEIGHTS_FILE, CLAUSES_FILE})}):
        before, after = old.get(label), new.get(label)
        notice = label.startswith(notices)
        if before == after or not (notice or recorded()):
            continue
        was = read(before).split("\n") if before is not None else []
        now = read(after).split("\n") if after is not None else []
        if was == now:
            continue
        if notice and ruled() is not None and label not in ruled():
            continue  # left out at the parent (a problem of `check`): it ruled no month
        if notice and ruled() is not None and _rules_none(ruled()[label], recorded()):
            continue  # no month it rules is recorded yet: put right freely (review BP F3)
        # One the parent lacks scored by the defaults govscore ships, as init writes them;
        # without clauses.toml the loader reads the shipped catalog.
        kept = was if before is not None else _shipped(label).split("\n")
        made = now if after is not None else None
        if made is None and label == CLAUSES_FILE:
            made = _shipped(label).split("\n")
        if not notice and _rules_kept(label, kept, made):
            continue
        if before is None:
            change, lines = "added", [f"+{n}: {text}" for n, text in enumerate(now, 1) if text]
        elif after is None:
            change, lines = "removed", [f"-{n}: {text}" for n, text in enumerate(was, 1) if text]
        else:
            kept_lines, made_lines = (*was[: _framed(was)],), (*now[: _framed(now)],)
            change, lines = (
                "edited",
                _changed_lines(_Block(1, kept_lines, ""), _Block(1, made_lines, "")),
            )
        # Renamed: a notice gone, and a new one holding its text.
        held = (name for name in added if read(new[name]).split("\n") == was)
        renamed = next(held, None) if notice and after is None else None
        if renamed is not None:
            renamed_to.add(renamed)
            change, lines = "renamed", []
            message = _(
                "the notice, once committed, was renamed to {file}: its name is its "
                "effective date, so the months it rules would score otherwise; a change of "
                "the rules is a new notice"
            ).format(file=_shown(renamed))
        elif notice:
            message = {
                "edited": _(
                    "the notice, once committed, was edited: the months it rules would "
                    "score otherwise; a change of the rules is a new notice"
                ),
                "removed": _(
                    "the notice, once committed, was removed: the months it rules would "
                    "score otherwise; a change of the rules is a new notice"
                ),
            }[change]
        else:
            message = {
                "added": _(
                    "the file was added after entries were recorded: the months recorded "
                    "would score otherwise; a change of the rules is a new notice in "
                    "amendments/"
                ),
                "edited": _(
                    "the file was edited after entries were recorded: the months recorded "
                    "would score otherwise; a change of the rules is a new notice in "
                    "amendments/"
                ),
                "removed": _(
                    "the file was removed after entries were recorded: the months recorded "
                    "would score otherwise; a change of the rules is a new notice in "
                    "amendments/"
                ),
            }[change]
        shown = tuple(_shown(line) for line in lines)
        found.append((_shown(label), message, (), shown, change))
    # New in force: added, or left out at the parent and put right (not one a merge took
    # from a parent that held it already).
    merged = merged or {}
    coming = [
        label
        for label in sorted(new)
        if label.startswith(notices)
        and label not in renamed_to
        and new[label] not in (old.get(label), merged.get(label))
        and (label not in old or (ruled() is not None and label not in ruled()))
    ]
    last = recorded() if coming else None
    starts = _first_months(new, read) if last is not None else {}
    for label in coming:
        first = starts.get(label)
        if first is None or last is None or first > last:
            continue  # in force after the months recorded, or not at all: no change
        message = _(
            "the notice rules months already recorded (from {first}; the ledger held "
            "entries up to {last}): they would score otherwise; a notice should take "
            "effect after them"
        ).format(first=first, last=last)
        text = read(new[label]).split("\n")
        shown = tuple(_shown(f"+{n}: {line}") for n, line in enumerate(text, 1) if line)
        found.append((_shown(label), message, (), shown, "added"))
    return found


def _rules_none(first: str, last: str | None) -> bool:
    """Whether a notice first ruling month `first` rules no month the ledger recorded
    (`last`: the last month it held an entry of; None: none yet). Until then it may be put
    right, renamed or taken back (its new name, if any, is judged as a notice added)."""
    return last is None or first > last


def _first_months(files: _Files, read: Callable[[str], str]) -> dict[str, str]:
    """The first month each version in force rules (a notice by its file), as the loader
    reads the rules; where they do not load at all, each notice's by its name."""
    ruled = in_force(_Held(files, read))
    if ruled is not None:
        return ruled
    days = {
        label: amendment_date(label.rpartition("/")[2].removesuffix(".toml")) for label in files
    }
    return {label: first_month_of(day) for label, day in days.items() if day is not None}


# -- entries added under a committed entry's id ---------------------------------------

_ID_LINES = re.compile(r'^[ \t]*id[ \t]*=[ \t]*"([^"\\\n]*)"', re.MULTILINE)
_Files = dict[str, str]  # path (as named now) → blob id


@dataclass(frozen=True)
class _Added:
    """What a commit added to one month file: its text, and the entries it added: those
    after line `after` (an append from offset `start`; a new file: 0), or else those at
    `lines` (a merge's or a rewrite's entries no parent holds whole)."""

    text: str
    after: int | None
    start: int = 0
    lines: frozenset[int] = frozenset()

    def holds(self, block: _Block) -> bool:
        return block.line > self.after if self.after is not None else block.line in self.lines


class _Shadows:
    """Entries a commit added under an id its parent's ledger already holds, put
    before the committed entry (a new file for an earlier month, or a merge's insert above
    it): the first entry of an id in ledger order is the one that counts, so the
    committed entry would no longer count, and check would blame it (review BJ F3).

    Worked out as the walk goes, never from a commit's whole ledger: what each commit adds
    is matched against the ids every commit walked before it added (on any
    branch), and only a match is looked at closely, in the few files that hold it. An
    entry the parents already hold (a union merge of two clones' entries) is no addition.
    """

    def __init__(self, history: _History) -> None:
        self.history = history
        self.where: dict[str, str] = {}  # each id added so far: a file it was in
        self.more: dict[str, set[str]] = defaultdict(set)  # the other files it was in
        self.done: set[str] = set()  # the commits whose additions are known
        self.held: dict[str, dict[str, list[_Block]]] = {}  # the last few files' entries

    def commit(self, commit: _Commit) -> list[Rewrite]:
        """The commit's entries that take a committed id before its entry; then what
        it added is known. A parent not walked before it (`audit --since` walks none before
        the revision) is learnt whole."""
        history = self.history
        olds: dict[str, _Files] = {}
        for parent in commit.parents:
            files = history.parent_files(commit, parent)
            if files is not None:
                olds[parent] = files
                if parent not in self.done:
                    self.done.add(parent)
                    self._learn(self._added(files, [], history.text))
        self.done.add(commit.id)
        new = history.files(commit.id) or {}
        added = self._added(new, list(olds.values()), history.text)
        found = [
            Rewrite(commit.id, parent, commit.author, commit.date, commit.subject, *shadow)
            for parent, files in olds.items()
            for shadow in self._shadowing(added, files, new, history.text)
        ]
        self._learn(added)
        return found

    def worktree(self, head: str, new: _Files, read: Callable[[str], str]) -> list[Rewrite]:
        """The same for the working tree against HEAD: `new` names its changed files by
        keys `read` reads (HEAD's blobs for the others)."""
        old = self.history.files(head) or {}
        added = self._added(new, [old], read)
        found = self._shadowing(added, old, new, read)
        return [
            Rewrite(
                "",
                head,
                "",
                "",
                "",
                file,
                _("not committed: {message}").format(message=said),
                *rest,
            )
            for file, said, *rest in found
        ]

    def _added(
        self, files: _Files, parents: Sequence[_Files], read: Callable[[str], str]
    ) -> dict[str, _Added]:
        """What the files (of `new`) hold that no parent held: an append's lines, a new
        file's, or (a merge, a rewrite) the entries no parent holds whole."""
        added: dict[str, _Added] = {}
        for path, blob in files.items():
            if self.history.order(path) is None or any(old.get(path) == blob for old in parents):
                continue
            text = read(blob)
            olds = [self.history.text(old[path]) for old in parents if path in old]
            if not olds:
                added[path] = _Added(text, 0)
            elif len(olds) == 1 and text.startswith(olds[0]) and olds[0].endswith("\n"):
                added[path] = _Added(text, olds[0].count("\n"), len(olds[0]))
            else:
                forms = {b.form for old in olds for b in _blocks(old, path)}
                lines = frozenset(b.line for b in _entries(text, path) if b.form not in forms)
                added[path] = _Added(text, None, lines=lines)
        return added

    def _ids(self, path: str, added: _Added) -> set[str]:
        """The ids of the entries added: of a TOML file's appended lines, a quick
        look at every id line (more than its entries', never fewer)."""
        if path.endswith(".toml") and added.after is not None:
            return set(_ID_LINES.findall(added.text[added.start :]))
        return {b.entry for b in _entries(added.text, path) if added.holds(b)}

    def _learn(self, added: dict[str, _Added]) -> None:
        for path, what in added.items():
            for entry_id in self._ids(path, what):
                if self.where.setdefault(entry_id, path) != path:
                    self.more[entry_id].add(path)

    def _holders(self, name: str, text: str, path: str) -> dict[str, list[_Block]]:
        """A file's entries by id, in file order (the last few files kept)."""
        if name not in self.held:
            if len(self.held) >= 8:  # pragma: no mutate (equivalent: the cache only saves work)
                del self.held[next(iter(self.held))]
            by: dict[str, list[_Block]] = defaultdict(list)
            for block in _entries(text, path):
                by[block.entry].append(block)
            self.held[name] = by
        return self.held[name]

    def _shadowing(
        self, added: dict[str, _Added], old: _Files, new: _Files, read: Callable[[str], str]
    ) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
        """Each added entry that is the first of an id the parent held: (file,
        message, entries, lines)."""
        found = []
        order = self.history.order
        for path, what in sorted(added.items()):
            for entry_id in sorted(self._ids(path, what)):
                if entry_id not in self.where:
                    continue  # no commit walked so far added it: the parent holds none
                places = {path, self.where[entry_id], *self.more.get(entry_id, ())}
                ordered = sorted((p for p in places if order(p)), key=order)
                if not any(
                    entry_id in self._holders(old[p], self.history.text(old[p]), p)
                    for p in ordered
                    if p in old
                ):
                    continue
                holders = [
                    (p, block)
                    for p in ordered
                    if p in new
                    for block in self._holders(
                        new[p], added[p].text if p in added else read(new[p]), p
                    ).get(entry_id, [])
                ]
                is_added = [p in added and added[p].holds(b) for p, b in holders]
                if not holders or not is_added[0] or all(is_added):
                    continue
                (first, block), (kept, committed) = holders[0], holders[is_added.index(False)]
                found.append(_shadow(first, block, kept, committed, self.history.prefix))
        return found


def _shadow(
    file: str, block: _Block, kept: str, committed: _Block, prefix: str
) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    label, held = _shown(file.removeprefix(prefix)), _shown(kept.removeprefix(prefix))
    at, there = f"{label}:{block.line}", f"{held}:{committed.line}"
    said = _(
        "entry {id} added at {added} takes the id of the entry committed at {committed}, "
        "before it in the ledger: the committed entry no longer counts"
    ).format(id=block.entry, added=at, committed=there)
    entries = tuple(dict.fromkeys(e for e in (block.entry, committed.entry) if e))
    return label, said, entries, tuple(_shown(f"+{n}: {text}") for n, text in block.numbered())


def _entries(text: str, path: str) -> list[_Block]:
    """A month file's entries with an id: its TOML tables, or its CSV rows (not the
    header). By id alone, not by key: two clones that book one source row (one 去重键)
    each commit it honestly, and a rebase (`git pull --rebase`) of one after the other
    puts the second before the first for good (review BM F2); check names a key held
    twice, and which entry counts."""
    return [
        b
        for b in _blocks(text, path)
        if b.entry
        and not b.header
        and (path.endswith(".csv") or b.lines[0].lstrip().startswith("[["))
    ]


def _named(entries: Sequence[str]) -> str:
    """The entries a verdict is about, as its message names them (nothing if none)."""
    if not entries:
        return ""
    said = ngettext(" (entry {ids})", " (entries {ids})", len(entries))
    return said.format(ids=listing(entries))


def _parts(path: str) -> Folder:
    """A path git names, name by name, as the history's folders are kept."""
    return tuple(part.encode(errors="surrogateescape") for part in path.split("/"))


# -- what a commit must keep ----------------------------------------------------------------

Checked = tuple[str, tuple[str, ...], tuple[str, ...]]  # message, entries, lines
Explain = Callable[[str, str], str]  # (parent, what was not kept) → the message


def _merge_lost(parent: str, what: str) -> str:
    return _(
        "a merge must keep every entry of each parent, whole and in order; "
        "against parent {parent}: {what}"
    ).format(parent=parent[:10], what=what)


def _check(
    old: str, new: str | None, path: str, merge: bool, parent: str, lost: Explain = _merge_lost
) -> Checked | None:
    if new is None:
        blocks = _blocks(old, path)
        lines = tuple(f"-{n}: {text}" for n, text in enumerate(old.split("\n"), 1) if text)
        message = ngettext(
            "the file was deleted: its {count} line already committed is gone",
            "the file was deleted: its {count} lines already committed are gone",
            len(lines),
        ).format(count=len(lines))
        return message, tuple(b.entry for b in blocks if b.entry), lines
    if merge:
        return _merge_losses(old, new, path, parent, lost)
    lines = _non_append(old, new)
    if not lines:
        if path.endswith(".toml"):
            return _stray_append(old, new, path)
        return _open_row_append(old, new) if path.endswith(".csv") else None
    touched = {int(line[1:].partition(":")[0]) for line in lines if line.startswith("-")}
    entries = tuple(b.entry for b in _blocks(old, path) if b.entry and touched & set(b.numbers()))
    named = _named(entries)
    message = _(
        "a commit may only append to a ledger file; this one changed, removed or inserted "
        "lines already committed{entries}"
    ).format(entries=named)
    return message, entries, tuple(lines)


def _open_row_append(old: str, new: str) -> Checked | None:
    """A CSV append to a file whose last row left a quoted cell open (check names the file
    as not read from that row on): its first lines are that cell's, so they change the
    committed row, whoever wrote them (review BJ J4: `"` then a newline completed it)."""
    start = open_csv_row(old)
    if start is None:
        return None
    open_row = "\n".join(old.split("\n")[start - 1 :])
    cells = next(csv.reader(io.StringIO(open_row.removeprefix("\ufeff"), newline="")), [])
    records = csv_records(old)
    header = [cell.strip() for cell in (records[0][2] or [])] if start > 1 else []
    column = header.index("id") if "id" in header else -1
    entries = (cells[column].strip(),) if 0 <= column < len(cells) and cells[column] else ()
    number = old.count("\n") + 1
    lines = tuple(
        f"+{n}: {text}" for n, text in enumerate(new[len(old) :].split("\n"), number) if text
    )
    message = _(
        "a commit may only append entries to a ledger file; this one appended lines to a "
        "quoted cell the last row already committed left open, which CSV reads as part of "
        "that row{entries}"
    ).format(entries=_named(entries))
    return message, entries, lines


def _stray_append(old: str, new: str, path: str) -> Checked | None:
    """An append whose first lines, before any [[entry]] header or batch begin line, are
    more than blank lines and comments (`count = 40`): TOML reads them as part of the last
    table already committed, so they change that entry, whoever wrote it."""
    found = appended_stray_lines(new, len(old)) if old else None
    if found is None:
        return None
    _preamble, tables = split_entries(old)
    if not tables:
        return None  # no table above them: they stand before every entry (check names them)
    entries = tuple(b.entry for b in _blocks(tables[-1][1], path) if b.entry)
    first, stop = found
    number = old.count("\n") + new.count("\n", len(old), first) + 1
    lines = tuple(
        f"+{n}: {text}" for n, text in enumerate(new[first:stop].split("\n"), number) if text
    )
    named = _named(entries)
    if quote_open_at(new, len(old)):
        message = _(
            "a commit may only append entries to a ledger file; this one appended lines "
            "inside a multi-line string the last entry already committed left open, which "
            "TOML reads as part of that entry{entries}"
        ).format(entries=named)
    elif table := stray_table(new, first, stop):
        message = _(
            "a commit may only append entries to a ledger file; in the lines this one "
            "appended, {why}; `govscore check` leaves out the last entry already "
            "committed{entries}"
        ).format(why=table_outside(table), entries=named)
    else:
        message = _(
            "a commit may only append entries to a ledger file; this one appended lines "
            "before any [[entry]] header, which TOML reads as part of the last entry already "
            "committed{entries}"
        ).format(entries=named)
    return message, entries, lines


def _appended_table(old: str, new: str) -> str:
    """The header of the table that lines appended to `old` open before any [[entry]]
    header (`[meta]`), or "" (see text.stray_table)."""
    found = appended_stray_lines(new, len(old)) if old else None
    return stray_table(new, *found) if found else ""


def _non_append(old: str, new: str) -> list[str]:
    """Nothing, if new is old with lines added at the end; else what was changed.

    A last line without a newline given one (what check asks for, so that govscore
    appends to the file again), lines after it or not, is no change of that line."""
    if new.startswith(old) and (not old or old.endswith("\n") or new[len(old) :][:1] in "\r\n"):
        return []
    before, after = old.split("\n"), new.split("\n")
    # Compare only what lies between the common start and end: difflib is quadratic.
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1  # pragma: no mutate (start = 1: a loop)
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1  # pragma: no mutate (end = 1: a loop)
    # Lines added after the last line are an append, not a change: after a final newline
    # the last line is the empty text that split() leaves, and lines go in before it.
    last = len(before) - 1 if old.endswith("\n") else len(before)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(
        a=before[start : len(before) - end],
        b=after[start : len(after) - end],
        autojunk=False,  # pragma: no mutate (equivalent: None is as false to difflib)
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            out += [f"-{n + 1}: {before[n]}" for n in range(start + i1, start + i2)]
        if tag == "replace" or (tag == "insert" and start + i1 < last):
            out += [f"+{n + 1}: {after[n]}" for n in range(start + j1, start + j2)]
    return out or [_("(the file's last line was changed)")]


@dataclass(frozen=True)
class _Block:
    """An entry (or the text before the first entry) as its lines stand in a file."""

    line: int  # its first line's number
    lines: tuple[str, ...]  # trailing blank lines left out: they separate, they say nothing
    entry: str  # the entry's id; "" when it has none
    header: bool = False  # a CSV file's first record: the header every row is read under
    # A TOML table's batch begin line just above it (and any blank lines between): it
    # frames that table, and a begin line put above a committed table changes how it reads.
    begin: tuple[str, ...] = ()
    read: bool = True  # False: a CSV line after a record that does not read (none is read)

    @property
    def form(self) -> _Form:
        """What must stand again, unchanged, for the block to be kept: its lines, and the
        batch begin lines that frame it. Comment lines above its header say nothing TOML
        reads: a union merge may put another clone's comment there (review BN F3)."""
        return tuple(line for line in self.begin if line.startswith(BEGIN)), self.lines, self.read

    def numbers(self) -> range:
        return range(self.line - len(self.begin), self.line + len(self.lines))

    def numbered(self) -> Iterator[tuple[int, str]]:
        """Each of its lines, begin line first, with its number."""
        return zip(self.numbers(), (*self.begin, *self.lines), strict=True)

    def where(self) -> str:
        if self.entry:
            return _("entry {id} (line {line})").format(id=self.entry, line=self.line)
        return _("line {line}").format(line=self.line)


_Form = tuple[tuple[str, ...], tuple[str, ...], bool]
_ID_LINE = re.compile(r'^[ \t]*id[ \t]*=[ \t]*"([^"\\]*)"')


def _blocks(text: str, path: str) -> list[_Block]:
    """A TOML ledger's preamble and [[entry]] tables; a CSV file's records, as the ledger
    reads them (a quoted cell may hold line breaks: a row inside one is no row); any other
    file's lines, one by one."""
    if path.endswith(".csv"):
        return _csv_blocks(text)
    if not path.endswith(".toml"):
        return [
            _Block(n, (line,), "") for n, line in enumerate(text.split("\n"), 1) if line.strip()
        ]
    preamble, chunks = split_entries(text)
    blocks = []
    begin: tuple[str, ...] = ()
    for index, (first, chunk) in enumerate([(1, preamble), *chunks]):
        lines = chunk.split("\n")
        # A batch's begin line stands before the table it begins (govscore.ledger.batches):
        # it belongs to that table, not to the one above (review BJ F4: one put above
        # committed tables made them a torn batch, while each of their lines still stood).
        inside = inside_strings(lines)  # a note's lines: no comment, no id of the table's
        at = _framing(lines, comments=index > 0, inside=inside)
        framing, lines = tuple(lines[at:]), lines[: _framed(lines[:at])]
        if lines:
            own = (line for number, line in enumerate(lines) if number not in inside)
            ids = (m.group(1) for m in map(_ID_LINE.match, own) if m)
            blocks.append(_Block(first, tuple(lines), next(ids, ""), begin=begin))
        begin = framing
        line = first + at
    if any(line.startswith(BEGIN) for line in begin):  # a begin line no table follows
        blocks.append(_Block(line, begin[: _framed(begin)], ""))
    return blocks


def _framing(lines: Sequence[str], comments: bool = True, inside: Collection[int] = ()) -> int:
    """Where a table's last lines that frame the next one begin: that table's batch begin
    line or (`comments`: after a table, not in the preamble, whose comments are the
    file's) the comment lines a person wrote above its header (`# 以下为手工补录`), and the
    blank lines (or other such lines) between them and its header. A comment opening an
    append is the next table's: a union merge that puts another clone's entry between
    them changed no entry (review BM F5). `inside`: the lines that start inside a
    multi-line string, a note's text however they begin (review BN F1)."""

    def framing(number: int) -> bool:
        line = lines[number]
        if number in inside:
            return False
        return line.startswith(BEGIN) or (comments and line.lstrip().startswith("#"))

    at = len(lines)
    while at and ((at - 1 not in inside and not lines[at - 1].strip()) or framing(at - 1)):
        at -= 1
    while at < len(lines) and not framing(at):
        at += 1
    return at


def _framed(lines: Sequence[str]) -> int:
    """How many of the lines stand before the blank lines that end them."""
    at = len(lines)
    while at and not lines[at - 1].strip():
        at -= 1
    return at


def _csv_blocks(text: str) -> list[_Block]:
    """A CSV file's records, each with its id where the header names an id column; from a
    record that does not read as CSV on, lines that are no record (none is read)."""
    records = csv_records(text)
    header = [cell.strip() for cell in records[0][2] or ()] if records else []
    column = header.index("id") if "id" in header else -1
    blocks = []
    for number, (first, lines, cells) in enumerate(records):
        lines = lines[: _framed(lines)]
        if lines:
            row = cells if cells is not None and number else []
            entry = row[column].strip() if 0 <= column < len(row) else ""
            blocks.append(_Block(first, tuple(lines), entry, not number, (), cells is not None))
    return blocks


def _kept_in_order(old: Sequence[_Block], new: Sequence[_Block]) -> bool:
    """Whether old's blocks all stand in new, in order (others may come between)."""
    where: dict[_Form, list[int]] = defaultdict(list)
    for index, block in enumerate(new):
        where[block.form].append(index)
    at = 0
    for block in old:
        places = where.get(block.form, [])
        found = bisect.bisect_left(places, at)
        if found == len(places):
            return False
        at = places[found] + 1
    return True


def _merge_losses(
    old: str, new: str, path: str, parent: str, lost: Explain = _merge_lost
) -> Checked | None:
    """For a merge: each entry of the parent, whole and in order; else what was lost."""
    before, after = _blocks(old, path), _blocks(new, path)
    header = _header_moved(before, after)
    if header is None and _kept_in_order(before, after):
        return None
    kept, matched = _common([b.form for b in before], [b.form for b in after])
    # What was not kept may stand elsewhere in the merge: each of its other blocks
    # explains one block of the parent, the first first.
    elsewhere: dict[_Form, list[_Block]] = defaultdict(list)
    for index, block in enumerate(after):
        if index not in matched:
            elsewhere[block.form].append(block)
    by_id = {b.entry: b for b in reversed(after) if b.entry}
    # A CSV row that does not read, and the committed rows after it that no longer do.
    unread = {b.lines: b for b in reversed(after) if not b.read}
    stops = next((b for b in after if not b.read), None)
    # A TOML file's text before its first entry, in the merge, when no parent block kept it.
    first = after[0] if after else None
    preamble = (
        first
        if path.endswith(".toml")
        and first
        and first.line == 1
        and not first.entry
        and 0 not in matched
        else None
    )
    what: list[str] = []
    entries: list[str] = []
    lines: list[str] = []
    if header is not None:
        what.append(header[0])
        lines += header[1]
    for index, block in enumerate(before):
        if index in kept:
            continue
        if block.entry:
            entries.append(block.entry)
        if elsewhere.get(block.form):
            moved = elsewhere[block.form].pop(0)
            what.append(
                _("{what} moved to line {line}").format(what=block.where(), line=moved.line)
            )
            lines += [f"-{block.line}: {block.lines[0]}", f"+{moved.line}: {moved.lines[0]}"]
        elif block.entry in by_id:
            what.append(_("{what} was changed").format(what=block.where()))
            lines += _changed_lines(block, by_id[block.entry])
        elif block.read and stops is not None and block.lines in unread:
            what.append(
                _(
                    "{what} is no longer read: from line {line} on the file does not read as CSV"
                ).format(what=block.where(), line=stops.line)
            )
            shown = f"+{stops.line}: {stops.lines[0]}"
            lines += [] if shown in lines else [shown]
        elif preamble is not None and block.line == 1 and not block.entry:
            # The text before the first entry, and the merge's own in its place: only
            # the lines that differ are named (a conflict's first marker after the
            # header), not the header, which still stands.
            what.append(_("{what} was changed").format(what=block.where()))
            lines += _changed_lines(block, preamble)
        else:
            what.append(_("{what} was removed").format(what=block.where()))
            lines += [f"-{n}: {text}" for n, text in block.numbered()]
    return lost(parent, _("; ").join(what)), tuple(entries), tuple(lines)


def _header_moved(
    before: Sequence[_Block], after: Sequence[_Block]
) -> tuple[str, list[str]] | None:
    """A CSV file's header record that no longer comes first (review BJ F2): every row
    is read under the first record, so a row put above it (`…,denominator,numerator,…`)
    re-reads each committed row though every line still stands. (What, and its lines.)"""
    old = before[0] if before and before[0].header else None
    new = after[0] if after and after[0].header else None
    if old is None or (new is not None and new.lines == old.lines):
        return None
    first = new.line if new is not None else 1
    said = _(
        "the header row (line {line}) is no longer the file's first row, which every row "
        "is read under"
    ).format(line=old.line)
    lines = [f"-{n}: {text}" for n, text in enumerate(old.lines, old.line)]
    return said, lines + [f"+{n}: {text}" for n, text in enumerate(new.lines if new else (), first)]


# Beyond this many pairs of equal blocks (a file of thousands of equal rows) a longest
# common subsequence costs too much: difflib's matching blocks stand in for it, with its
# shortcut for items that repeat (autojunk), without which it costs as much again
# (3,000 equal rows: 1 s instead of 1 ms).
_PAIRS = 2_000_000


def _common(old: Sequence[_Form], new: Sequence[_Form]) -> tuple[set[int], set[int]]:
    """The places in old and in new of a longest run of old's blocks that new keeps in
    order (a longest common subsequence), so that only what the merge lost is named.

    difflib's matching blocks are not one: among rows that repeat (a month's CSV of
    equal rows) it let kept rows go and named them as moved, and missed the ones
    changed. Found as a longest increasing run of places (Hunt and Szymanski), worked
    on both sequences reversed, so that of equally long runs the one keeping the
    parent's earlier blocks is found (a swap names the later block as moved).
    """
    places: dict[_Form, list[int]] = defaultdict(list)
    for index, lines in enumerate(reversed(new)):
        places[lines].append(index)
    if sum(len(places.get(lines, ())) for lines in old) > _PAIRS:
        blocks = difflib.SequenceMatcher(a=old, b=new).get_matching_blocks()
        return (
            {i + k for i, _j, size in blocks for k in range(size)},
            {j + k for _i, j, size in blocks for k in range(size)},
        )
    ends: list[int] = []  # ends[n]: the least place in new that ends a run of n + 1
    links: list[tuple[int, int, object]] = []  # the run ending there: (old, new, before)
    for index, lines in enumerate(reversed(old)):
        for place in reversed(places.get(lines, ())):
            at = bisect.bisect_left(ends, place)
            link = (index, place, links[at - 1] if at else None)
            if at == len(ends):
                ends.append(place)
                links.append(link)
            else:
                ends[at], links[at] = place, link
    last_old, last_new = len(old) - 1, len(new) - 1
    kept: set[int] = set()
    matched: set[int] = set()
    node: object = links[-1] if links else None
    while isinstance(node, tuple):
        index, place, node = node
        kept.add(last_old - index)
        matched.add(last_new - place)
    return kept, matched


def _changed_lines(old: _Block, new: _Block) -> list[str]:
    before, after = list(old.numbered()), list(new.numbered())
    out = []
    matcher = difflib.SequenceMatcher(
        a=[text for _n, text in before],
        b=[text for _n, text in after],
        autojunk=False,  # pragma: no mutate (equivalent: None is as false to difflib)
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            out += [f"-{n}: {text}" for n, text in before[i1:i2]]
        if tag in ("replace", "insert"):
            out += [f"+{n}: {text}" for n, text in after[j1:j2]]
    return out


def _shown(text: str) -> str:
    """Text as it can be printed: bytes that were not UTF-8 become U+FFFD."""
    return text.encode(errors="surrogateescape").decode(errors="replace")


_HIDDEN = {"Cc", "Cf", "Zl", "Zp"}


def printable(text: str) -> str:
    """One line for a terminal: controls and line separators written as escapes."""
    return "".join(
        char if unicodedata.category(char) not in _HIDDEN else f"\\u{ord(char):04x}"
        for char in text
    )
