"""What govscore asks of git: who records, what a revision held, commits.

Git history is the ledger's audit trail: every entry appended and committed stays
visible; govscore.ledger.audit finds any commit that did not keep what was there.
"""

from __future__ import annotations

import errno
import getpass
import hashlib
import os
import re
import secrets
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govscore.errors import DataError
from govscore.i18n import N_, _, os_reason

# A root's folder of notices: loader reads it, and a revision's state names it apart.
AMENDMENTS_DIR = "amendments"


# Every commit govscore makes starts so, in every language: `git log --grep "^govscore: "`.
COMMIT_PREFIX = "govscore: "


class GitError(Exception):
    """Git could not do what was asked, said in the reader's words (git's own line quoted)."""


class GitMissing(GitError, DataError):
    """The git program could not be run: not on PATH, not executable, not a program for
    this system. A DataError too, so that where nothing expects git to fail the clerk
    still reads why (exit 1), never a traceback."""


class GitRefused(GitMissing):
    """Git ran but would not read the repository a .git marks (another user's, which git
    calls dubious ownership; a stub git that only says it is not installed): only git
    could tell what the root holds, so it goes wherever a git that cannot run goes."""


# A path no file can be at (a folder below the null device): git reads no graft file there.
_NO_GRAFTS = os.path.join(os.devnull, "govscore-no-grafts")


def git_env() -> dict[str, str]:
    """The environment every git govscore runs gets: objects and parents as they were
    committed. A replace ref (refs/replace/*, which a push can carry) makes git show
    one object for another, and a graft file (.git/info/grafts) gives a commit other
    parents: either would let the audit or --at read a ledger that was never committed.
    git speaks English (LANGUAGE, which gettext reads before LC_ALL): govscore knows git's
    common refusals by their words, and quotes the others after its own sentence."""
    return {
        **os.environ,
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_GRAFT_FILE": _NO_GRAFTS,
        "LANGUAGE": "en",
    }


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return _run(root, args, text=True, check=check)


def _git_bytes(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return _run(root, args, check=False)


def _run(root: Path, args: Sequence[str], **options: bool) -> subprocess.CompletedProcess[Any]:
    """Run git in a folder; a git that cannot be started is GitMissing (a folder that
    cannot be entered stays the OSError it is: it names the folder, not git)."""
    try:
        return subprocess.run(
            ["git", *args],
            cwd=root,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            env=git_env(),
            **options,
        )
    except OSError as exc:
        if exc.filename != "git":
            raise
        raise _git_missing(exc) from None


# Why a file named git on PATH could not be started, in the reader's words.
_NOT_ALLOWED = N_("it is not marked as a program (chmod +x), or the system does not let it run")
_NOT_RUN = {
    errno.EACCES: _NOT_ALLOWED,
    errno.EPERM: _NOT_ALLOWED,
    errno.ENOEXEC: N_("it is not a program for this system"),
    errno.ENOENT: N_("a program it needs to start is missing"),
}


def _git_missing(error: OSError) -> GitMissing:
    """What to tell the clerk when the git program could not be started: that there is
    none on PATH, or which one was found and why it does not run."""
    program = shutil.which("git", mode=os.F_OK)  # the first file named git on PATH
    if program is None:
        return GitMissing(
            _("the git program is not found: install git, or add the folder that holds it to PATH")
        )
    known = _NOT_RUN.get(error.errno or 0)
    reason = _(known) if known is not None else os_reason(error)
    message = _(
        "{program}: the git program cannot be run: {reason}; install git again, or put a "
        "working git first on PATH"
    )
    return GitMissing(message.format(program=program, reason=reason))


def repository_prefix(root: Path) -> str:
    """The root's folder inside its repository, as git names it ("office/", or "" at the
    top). A folder named in another encoding than UTF-8 keeps its bytes (as surrogates,
    like Python's own paths), so the audit finds it in git's trees."""
    shown = _git_bytes(root, "rev-parse", "--show-prefix")
    if shown.returncode != 0:
        raise GitError(shown.stderr.decode("utf-8", "replace").strip())
    return shown.stdout.strip().decode("utf-8", "surrogateescape")


def repository_top(folder: Path) -> str:
    """The top folder of the git work tree a folder lies in."""
    return git(folder, "rev-parse", "--show-toplevel", check=False).stdout.strip()


# What git says where it looks and finds no repository (a .git that is none, such as an
# empty folder; one beyond GIT_CEILING_DIRECTORIES): its own word that the folder is outside.
_NO_REPOSITORY = "fatal: not a git repository"


def in_repository(folder: Path) -> bool:
    """Whether a folder lies in a git work tree. Where git cannot be run, or will not
    answer, a folder with no .git in or above it is outside git (govscore works without
    git there); in one with .git only git could tell, and "not in git" would be false:
    GitMissing, or GitRefused quoting git (another user's repository, a stub git)."""
    try:
        asked = git(folder, "rev-parse", "--is-inside-work-tree", check=False)
    except GitMissing:
        if _git_marked(folder):
            raise
        return False
    refused = _NO_REPOSITORY not in asked.stderr or _points_nowhere(folder)
    if asked.returncode != 0 and refused and _git_marked(folder):
        said = _first_line(asked.stderr or asked.stdout)
        raise GitRefused(_("git refused to read the repository: “{said}”").format(said=said))
    return asked.returncode == 0


def _points_nowhere(folder: Path) -> bool:
    """Whether the .git nearest the folder is a file (a worktree's or a submodule's pointer
    to its repository): git finding no repository there means the pointer is broken (the
    repository moved), not that the folder is outside git (review BL J3). An empty .git
    folder is no repository: git says so, and it is believed."""
    marker = _nearest_git(folder)
    return marker is not None and marker.is_file()


def _git_marked(folder: Path) -> bool:
    """Whether git would look for a repository here without being asked: a .git (folder
    or file) in the folder or above it, or GIT_DIR set."""
    return "GIT_DIR" in os.environ or _nearest_git(folder) is not None


def _nearest_git(folder: Path) -> Path | None:
    """The .git (folder or file) in the folder or nearest above it, if any."""
    above = folder.absolute()
    return next((f / ".git" for f in (above, *above.parents) if (f / ".git").exists()), None)


def recorder(root: Path) -> str:
    """Who is recording: git's user.name, else the login name (git or not)."""
    try:
        name = git(root, "config", "user.name", check=False).stdout.strip()
    except GitMissing:
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
_TAG_HOME_FILE = "govscore-clone-tag-home"


def clone_tag(root: Path) -> str | None:
    """This clone's short tag, when the ledger is shared through a git remote; else None.

    Two clerks appending on different clones of a shared ledger would both take the next
    number of the month; the tag (random, made once per clone, kept inside .git with the
    folder it was made in, never committed) keeps their ids apart, so git's union merge
    joins their entries cleanly.
    """
    if not in_repository(root):
        return None
    if not git(root, "remote", check=False).stdout.strip():
        return None
    where = Path(root, git(root, "rev-parse", "--git-path", _TAG_FILE).stdout.strip())
    # The tag goes with the folder it was made in, kept in a file of its own (the tag's
    # file holds the tag alone, as every govscore reads it): a clone copied as a folder
    # (cp -a, a backup restored on a second PC) would number the same tagged ids.
    home = where.with_name(_TAG_HOME_FILE)
    here = str(where.parent.resolve())
    tag, made_in = _read_text(where), _read_text(home)
    if not tag or (made_in and made_in != here):
        tag = "".join(secrets.choice(_TAG_ALPHABET) for _ in range(4))
        where.write_text(tag + "\n", encoding="ascii")
    if made_in != here:
        home.write_text(here + "\n", encoding="utf-8")
    return tag


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return ""


# -- reading a revision ----------------------------------------------------------------


def resolve_revision(root: Path, revision: str) -> str:
    """The full commit id a revision names (a branch, a tag, HEAD~2, a short id)."""
    if not in_repository(root):
        raise GitError(_("{root} is not in a git repository").format(root=root))
    found = git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", check=False)
    if found.returncode != 0:
        raise GitError(_("no commit named {rev!r} in this repository").format(rev=revision))
    return found.stdout.strip()


def show_file(root: Path, commit: str, relative: str) -> bytes | None:
    """A file's bytes at a commit (path relative to the root), or None if it was not there."""
    shown = _git_bytes(root, "show", f"{commit}:./{relative}")
    return shown.stdout if shown.returncode == 0 else None


def staged_file(root: Path, relative: str) -> bytes | None:
    """A file's bytes in git's index, as a commit of the index would take it (path
    relative to the root), or None if the index does not hold it."""
    shown = _git_bytes(root, "show", f":./{relative}")
    return shown.stdout if shown.returncode == 0 else None


def renames(root: Path, parent: str, commit: str) -> list[tuple[str, str]]:
    """The files git finds moved between two commits, each (old path, new path) as the
    repository names them: git's rename detection, which `git log --follow` uses."""
    listed = _git_bytes(
        root, "diff-tree", "-r", "-M", "--diff-filter=R", "--name-status", "-z", parent, commit
    )
    # Each rename is three fields: its status (R100), its old path, its new path.
    fields = listed.stdout.decode("utf-8", "surrogateescape").split("\0")
    return [(fields[n + 1], fields[n + 2]) for n in range(0, len(fields) - 2, 3)]


def removed_files(root: Path, parent: str, commit: str) -> list[str]:
    """The files a commit no longer holds where its parent held them, as the repository
    names them: rename detection off, so a file moved away is removed from its old place."""
    listed = _git_bytes(
        root,
        "diff-tree",
        "-r",
        "--no-renames",
        "--diff-filter=D",
        "--name-only",
        "-z",
        parent,
        commit,
    )
    return [path for path in listed.stdout.decode("utf-8", "surrogateescape").split("\0") if path]


def tree_mode(root: Path, commit: str, path: str) -> str | None:
    """The mode git keeps a path under at a commit (040000 a folder, 100644 a file, 120000
    a link), or None where the commit holds nothing there."""
    listed = git(root, "ls-tree", commit, "--", path.rstrip("/"), check=False)
    if listed.returncode != 0 or not listed.stdout.strip():
        return None
    return listed.stdout.split(None, 1)[0]


def list_tree(root: Path, commit: str, folder: str) -> list[str] | None:
    """The files directly in a folder at a commit, or None if the folder was not there."""
    listed = git(root, "ls-tree", "--name-only", commit, "--", f"{folder}/", check=False)
    if listed.returncode != 0 or not listed.stdout.strip():
        return None
    return [Path(line).name for line in listed.stdout.splitlines()]


@dataclass(frozen=True)
class LedgerState:
    """Which revision a report was computed from, and whether what it read was committed:
    the ledger's entries, and the root's configuration (a notice left uncommitted in
    amendments/ changes every figure the revision would give, review AP F5)."""

    revision: str | None  # the commit; None outside git or before the first commit
    entries: bool  # uncommitted entries counted
    in_git: bool
    # The configuration files and folders (as the root names them) not as the revision
    # holds them: weights.toml, amendments …
    configuration: tuple[str, ...] = ()
    # False: the root has a .git, but the git program could not be run (revision unknown).
    git_runs: bool = True

    @property
    def uncommitted(self) -> bool:
        """Whether anything the figures were read from is not as the revision holds it."""
        return self.entries or bool(self.configuration)

    def unsaved(self, say: Callable[[str], str] = _) -> str:
        """What is uncommitted, by kind of file: 记录、补充通知 amendments/、weights.toml."""
        kinds = [say(N_("entries"))] if self.entries else []
        for name in self.configuration:
            kinds.append(say(N_("notices in amendments/")) if name == AMENDMENTS_DIR else name)
        return say(N_(", ")).join(kinds)

    def describe(self, say: Callable[[str], str] = _) -> str:
        """The ledger's state in words: `say` is `_`, or `chinese` in a report's title."""
        if not self.git_runs:
            return say(N_("git cannot be run: ledger revision unknown"))
        if not self.in_git:
            return say(N_("ledger not in git"))
        if self.revision is None:
            return say(N_("ledger has no commits yet"))
        if self.configuration:
            return say(N_("ledger git {revision} (with uncommitted {files})")).format(
                revision=self.revision[:10], files=self.unsaved(say)
            )
        if self.entries:
            return say(N_("ledger git {revision} (with uncommitted entries)")).format(
                revision=self.revision[:10]
            )
        return say(N_("ledger git {revision}")).format(revision=self.revision[:10])


def ledger_state(
    root: Path, ledger_dir: str, at: str | None = None, configuration: Sequence[str] = ()
) -> LedgerState:
    """Outside git every ledger file counted is uncommitted; in git, a ledger file git
    ignores is as uncommitted as one it has not been told of, and so is each of the
    `configuration` files and folders (departments.toml, weights.toml, clauses.toml,
    amendments/) that is not as the revision holds it; a file git was told to pass over
    (assume-unchanged, skip-worktree) is uncommitted when its bytes differ."""
    try:
        inside = in_repository(root)
    except GitMissing:
        return LedgerState(None, _holds_months(root / ledger_dir), True, git_runs=False)
    if not inside:
        return LedgerState(None, _holds_months(root / ledger_dir), False)
    if at is not None:
        return LedgerState(at, False, True)
    head = git(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False)
    revision = head.stdout.strip() if head.returncode == 0 else None
    names = [ledger_dir, *configuration]
    status = _git_bytes(
        root,
        "status",
        "--porcelain",
        "-z",
        "--untracked-files=all",
        "--ignored=matching",
        "--",
        *names,
    )
    found = _changed(status.stdout, repository_prefix(root) if status.stdout else "", names)
    unseen = [name for name in names if name not in found]
    if unseen and revision is not None:
        for path in hidden_changes(root, *unseen):
            found.add(next(n for n in unseen if path == n or path.startswith(f"{n}/")))
    others = tuple(name for name in configuration if name in found)
    return LedgerState(revision, ledger_dir in found, True, others)


def _holds_months(folder: Path) -> bool:
    """Whether a ledger folder holds a month file (with no revision to hold them, they
    are uncommitted)."""
    return folder.is_dir() and any(p.suffix in (".toml", ".csv") for p in folder.iterdir())


def _changed(listed: bytes, prefix: str, names: Sequence[str]) -> set[str]:
    """Which of `names` (files and folders of the root) `git status --porcelain -z` lists
    a path under: its paths are the repository's, so the root's `prefix` comes off. A
    folder's hidden files (ledger/.gitkeep) are not read, so do not count."""
    found: set[str] = set()
    records = listed.decode("utf-8", "surrogateescape").split("\0")
    skip = False
    for record in records:
        if skip or len(record) < 4:  # a rename's old path, or the end
            skip = False
            continue
        skip = any(mark in "RC" for mark in record[:2])  # the old path follows
        path = record[3:].removeprefix(prefix)
        name = next((n for n in names if path == n or path.startswith(f"{n}/")), None)
        if name is not None and not (path != name and path.rpartition("/")[2].startswith(".")):
            found.add(name)
    return found


def hidden_changes(root: Path, *paths: str) -> list[str]:
    """The files under `paths` (relative to the root, as git names them from there) that
    git was told to pass over (`git update-index --assume-unchanged` or `--skip-worktree`)
    and whose bytes in the working tree are not HEAD's.

    git status and git diff trust those flags and never look at such a file, so an edit
    there would be read by every report while git, and so the report's revision, says
    nothing changed. Only flagged files are read and hashed: where none is flagged (an
    ordinary checkout) this costs one `git ls-files`."""
    listed = _git_bytes(root, "ls-files", "-v", "-z", "--", *paths)
    flagged = [
        item[2:].decode("utf-8", "surrogateescape")
        for item in listed.stdout.split(b"\0")
        # ls-files -v: a lower-case tag is assume-unchanged, S skip-worktree.
        if item[1:2] == b" " and (item[:1].islower() or item[:1] == b"S")
    ]
    if not flagged:
        return []
    tree = _git_bytes(root, "ls-tree", "-z", "HEAD", "--", *flagged)
    held: dict[str, tuple[bytes, str]] = {}
    for item in tree.stdout.split(b"\0"):
        meta, tab, name = item.partition(b"\t")
        if tab:
            mode, _kind, blob = meta.split()
            held[name.decode("utf-8", "surrogateescape")] = (mode, blob.decode("ascii"))
    return [name for name in flagged if not _holds_blob(root / name, *held.get(name, (b"", "")))]


def _holds_blob(path: Path, mode: bytes, blob: str) -> bool:
    """Whether a working-tree file's bytes, unfiltered, are the blob's (a plain file only)."""
    if mode not in (b"100644", b"100755") or path.is_symlink() or not path.is_file():
        return False
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return blob_id(data, blob) == blob


def blob_id(data: bytes, like: str) -> str:
    """The id git gives these bytes as a blob, in the hash of the id `like` (SHA-256 in a
    repository made so, else SHA-1)."""
    digest = hashlib.sha256 if len(like) == 64 else hashlib.sha1
    return digest(b"blob %d\0" % len(data) + data).hexdigest()


# -- committing -------------------------------------------------------------------------


def committed_entry(root: Path, ledger_dir: str, entry_id: str) -> bool:
    """Whether HEAD's month file holds the entry's id line (outside git: never). Its id
    line as govscore writes it, with a clone's tag after it or not."""
    if not in_repository(root):
        return False
    text = show_file(root, "HEAD", f"{ledger_dir}/{entry_id[:7]}.toml")
    return text is not None and holds_id(text, entry_id)


def holds_id(text: bytes, entry_id: str) -> bool:
    """Whether a month file's bytes hold the entry's id line as govscore writes it, with
    a clone's tag after it or not."""
    line = f'\nid = "{entry_id}"'.encode()
    return line + b"\n" in text or line + b"  #" in text


def uncommitted_files(root: Path, ledger_dir: str) -> list[tuple[Path, bytes | None]]:
    """The month files (.toml) whose bytes are not HEAD's, each with HEAD's bytes (None:
    not in HEAD). One `git status` first: a ledger git holds as it stands asks no more.
    Outside git every month file is uncommitted."""
    folder = root / ledger_dir
    if not folder.is_dir():
        return []
    inside = in_repository(root)
    if inside:
        status = git(
            root, "status", "--porcelain", "--untracked-files=all", "--", ledger_dir, check=False
        )
        if status.returncode == 0 and not status.stdout.strip():
            return []
    found: list[tuple[Path, bytes | None]] = []
    for path in sorted(folder.glob("*.toml")):
        held = show_file(root, "HEAD", f"{ledger_dir}/{path.name}") if inside else None
        if held is None or held != path.read_bytes():
            found.append((path, held))
    return found


def commit_files(root: Path, paths: Sequence[Path], message: str, author: str) -> str:
    """Commit exactly these files, authored by the recorder; return the new commit id."""
    if not in_repository(root):  # no .git: outside git, git or not; with one, git answers
        raise GitError(
            _("{root} is not in a git repository (run git init there)").format(root=root)
        )
    names = [str(p) for p in paths]
    added = git(root, "add", "--", *names, check=False)
    if added.returncode != 0:
        raise _refused(added.stderr, author)
    email = git(root, "config", "user.email", check=False).stdout.strip()
    name = git(root, "config", "user.name", check=False).stdout.strip()
    # git commits only as someone: a machine set up with a name but no email (or neither)
    # commits as the recorder, at a local address.
    address = email or "govscore@localhost"
    identity: list[str] = [] if name else ["-c", f"user.name={author}"]
    if not (name and email):
        identity += ["-c", f"user.email={address}"]
    done = git(
        root,
        *identity,
        "commit",
        "--quiet",
        "--no-verify",
        f"--author={author} <{address}>",
        "-m",
        message,
        "--",
        *names,
        check=False,
    )
    if done.returncode != 0:
        raise _refused(done.stderr or done.stdout, author)
    return git(root, "rev-parse", "HEAD").stdout.strip()


# What git says when another git holds the index, or left its lock behind.
_LOCKED = re.compile(r"Unable to create '(.+\.lock)': File exists")
# What git says of a name it will not commit as.
_NO_NAME = ("empty ident name", "name consists only of disallowed characters", "tell me who")


def _refused(said: str, author: str) -> GitError:
    """Why git would not add or commit, in the reader's words: a common cause a sentence
    of its own, anything else git's first line quoted after a sentence that git refused."""
    locked = _LOCKED.search(said)
    if locked:
        message = _(
            "another git is working in this repository, or one stopped halfway and left its "
            "lock file {file}: once no git is running, remove that file and commit again"
        )
        return GitError(message.format(file=locked.group(1)))
    if any(words in said for words in _NO_NAME):
        message = _(
            "git will not commit as “{author}”, which is no name to git: set one with "
            "git config user.name NAME (or give --by NAME)"
        )
        return GitError(message.format(author=author))
    return GitError(_("git refused to commit: “{said}”").format(said=_first_line(said)))


def _first_line(said: str) -> str:
    """The first line git wrote that says anything (the rest is its advice, or blank)."""
    return next((line.strip() for line in said.splitlines() if line.strip()), "")
