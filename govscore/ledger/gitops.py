"""What govscore asks of git: who records, what a revision held, commits, the audit trail.

Git history is the ledger's audit trail: every entry appended and committed stays
visible, and `audit` finds any commit that changed or removed a line already there.
"""

from __future__ import annotations

import difflib
import getpass
import secrets
import subprocess
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class GitError(Exception):
    """Git could not do what was asked; the message is git's own, shortened."""


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=check,
        stdin=subprocess.DEVNULL,
    )


def _git_bytes(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, stdin=subprocess.DEVNULL, check=False
    )


def in_repository(folder: Path) -> bool:
    try:
        return git(folder, "rev-parse", "--is-inside-work-tree", check=False).returncode == 0
    except FileNotFoundError:
        return False


def recorder(root: Path) -> str:
    """Who is recording: git's user.name, else the login name."""
    try:
        name = git(root, "config", "user.name", check=False).stdout.strip()
    except FileNotFoundError:
        name = ""
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def init_repository(folder: Path) -> None:
    git(folder, "init", "-q")


_TAG_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_TAG_FILE = "govscore-clone-tag"


def clone_tag(root: Path) -> str | None:
    """This clone's short tag, when the ledger is shared through a git remote; else None.

    Two clerks appending on different clones of a shared ledger would both take the next
    number of the month; the tag (random, made once per clone, kept inside .git, never
    committed) keeps their ids apart, so git's union merge joins their entries cleanly.
    """
    if not in_repository(root):
        return None
    if not git(root, "remote", check=False).stdout.strip():
        return None
    where = Path(root, git(root, "rev-parse", "--git-path", _TAG_FILE).stdout.strip())
    try:
        tag = where.read_text(encoding="ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        tag = ""
    if not tag:
        tag = "".join(secrets.choice(_TAG_ALPHABET) for _ in range(4))
        where.write_text(tag + "\n", encoding="ascii")
    return tag


# -- reading a revision ----------------------------------------------------------------


def resolve_revision(root: Path, revision: str) -> str:
    """The full commit id a revision names (a branch, a tag, HEAD~2, a short id)."""
    if not in_repository(root):
        raise GitError(f"{root} is not in a git repository")
    found = git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", check=False)
    if found.returncode != 0:
        raise GitError(f"no commit named {revision!r} in this repository")
    return found.stdout.strip()


def show_file(root: Path, commit: str, relative: str) -> bytes | None:
    """A file's bytes at a commit (path relative to the root), or None if it was not there."""
    shown = _git_bytes(root, "show", f"{commit}:./{relative}")
    return shown.stdout if shown.returncode == 0 else None


def list_tree(root: Path, commit: str, folder: str) -> list[str] | None:
    """The files directly in a folder at a commit, or None if the folder was not there."""
    listed = git(root, "ls-tree", "--name-only", commit, "--", f"{folder}/", check=False)
    if listed.returncode != 0 or not listed.stdout.strip():
        return None
    return [Path(line).name for line in listed.stdout.splitlines()]


@dataclass(frozen=True)
class LedgerState:
    """Which revision a report was computed from, and whether uncommitted entries counted."""

    revision: str | None  # the commit; None outside git or before the first commit
    uncommitted: bool
    in_git: bool

    def describe(self) -> str:
        if not self.in_git:
            return "账本未纳入 git"
        if self.revision is None:
            return "账本尚无提交"
        text = f"账本 git {self.revision[:10]}"
        return text + "（含未提交条目）" if self.uncommitted else text


def ledger_state(root: Path, ledger_dir: str, at: str | None = None) -> LedgerState:
    if not in_repository(root):
        return LedgerState(None, False, False)
    if at is not None:
        return LedgerState(at, False, True)
    head = git(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False)
    revision = head.stdout.strip() if head.returncode == 0 else None
    status = git(
        root, "status", "--porcelain", "--untracked-files=all", "--", ledger_dir, check=False
    )
    changed = [line for line in status.stdout.splitlines() if not line.endswith("/.gitkeep")]
    return LedgerState(revision, bool(changed), True)


# -- committing -------------------------------------------------------------------------


def commit_files(root: Path, paths: Sequence[Path], message: str, author: str) -> str:
    """Commit exactly these files, authored by the recorder; return the new commit id."""
    if not in_repository(root):
        raise GitError(f"{root} is not in a git repository (run git init there)")
    names = [str(p) for p in paths]
    added = git(root, "add", "--", *names, check=False)
    if added.returncode != 0:
        raise GitError(added.stderr.strip())
    email = git(root, "config", "user.email", check=False).stdout.strip()
    identity: list[str] = []
    if not git(root, "config", "user.name", check=False).stdout.strip():
        identity = [
            "-c",
            f"user.name={author}",
            "-c",
            f"user.email={email or 'govscore@localhost'}",
        ]
    done = git(
        root,
        *identity,
        "commit",
        "--quiet",
        "--no-verify",
        f"--author={author} <{email}>",
        "-m",
        message,
        "--",
        *names,
        check=False,
    )
    if done.returncode != 0:
        raise GitError((done.stderr or done.stdout).strip())
    return git(root, "rev-parse", "HEAD").stdout.strip()


# -- the audit trail --------------------------------------------------------------------


@dataclass(frozen=True)
class Rewrite:
    """A commit that changed, removed or inserted lines in a ledger file instead of appending."""

    commit: str
    author: str
    date: str
    subject: str
    file: str
    lines: tuple[str, ...]  # "-12: old text" removed or changed, "+12: new text" inserted


def audit_history(root: Path, ledger_dir: str) -> list[Rewrite]:
    """Walk the git history of the ledger and report every commit that was not a pure append.

    An ordinary commit must leave each ledger file's old content as the exact start of its
    new content. A merge (such as git's union merge of two clerks' appends) must keep
    every line each parent had.
    """
    if not in_repository(root):
        raise GitError(f"{root} is not in a git repository: there is no history to audit")
    if git(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode != 0:
        return []
    log = git(
        root,
        "log",
        "--reverse",
        "--format=%H%x1f%P%x1f%an%x1f%aI%x1f%s",
        "--",
        f"{ledger_dir}/",
    )
    rewrites: list[Rewrite] = []
    for record in log.stdout.splitlines():
        commit, parents, author, date, subject = record.split("\x1f")
        for parent in parents.split() or [""]:
            for file, lines in _file_rewrites(
                root, ledger_dir, commit, parent, len(parents.split()) > 1
            ):
                rewrites.append(Rewrite(commit, author, date, subject, file, tuple(lines)))
    return _unique(rewrites)


def _unique(rewrites: list[Rewrite]) -> list[Rewrite]:
    seen: set[tuple[str, str]] = set()
    out = []
    for rewrite in rewrites:
        if (rewrite.commit, rewrite.file) not in seen:
            seen.add((rewrite.commit, rewrite.file))
            out.append(rewrite)
    return out


def _file_rewrites(
    root: Path, ledger_dir: str, commit: str, parent: str, merge: bool
) -> list[tuple[str, list[str]]]:
    if not parent:
        return []
    changed = git(
        root,
        "diff-tree",
        "-r",
        "--no-renames",
        "--name-status",
        parent,
        commit,
        "--",
        f"{ledger_dir}/",
    )
    prefix = git(root, "rev-parse", "--show-prefix").stdout.strip()
    found = []
    for line in changed.stdout.splitlines():
        status, path = line.split("\t", 1)
        relative = path.removeprefix(prefix)
        if status == "A":
            continue
        old = (show_file(root, parent, relative) or b"").decode("utf-8", "replace")
        if status == "D":
            found.append(
                (relative, [f"-{n}: {text}" for n, text in enumerate(old.split("\n"), 1) if text])
            )
            continue
        new = (show_file(root, commit, relative) or b"").decode("utf-8", "replace")
        lines = _lost_lines(old, new) if merge else _non_append(old, new)
        if lines:
            found.append((relative, lines))
    return found


def _non_append(old: str, new: str) -> list[str]:
    """Nothing, if new is old with lines added at the end; else what was changed."""
    if new.startswith(old) and (not old or old.endswith("\n")):
        return []
    before, after = old.split("\n"), new.split("\n")
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            out += [f"-{n + 1}: {before[n]}" for n in range(i1, i2)]
        if tag == "replace" or (tag == "insert" and i1 < len(before) - 1):
            out += [f"+{n + 1}: {after[n]}" for n in range(j1, j2)]
    return out or ["(the file's last line was changed)"]


def _lost_lines(old: str, new: str) -> list[str]:
    """For a merge: every line a parent had must still be there."""
    have = Counter(new.split("\n"))
    lost = []
    for number, text in enumerate(old.split("\n"), 1):
        if have[text] > 0:
            have[text] -= 1
        elif text:
            lost.append(f"-{number}: {text}")
    return lost
