"""The one place that reads a root's files: from the working tree, or from a git revision.

Everything else works on text or parsed data handed over from here: scoring never
opens a file, parsers take strings, so tests feed them strings.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import os
import stat
import tempfile
import tomllib
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence, Set
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache, partial
from importlib.resources import files
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from govscore.errors import ConfigError, DataError, Problem, UsageError
from govscore.i18n import _, os_reason, parser_reason
from govscore.ledger import cache, cachefile, scores
from govscore.ledger.gitops import (
    AMENDMENTS_DIR,
    GitError,
    GitMissing,
    list_tree,
    resolve_revision,
    show_file,
    tree_mode,
)
from govscore.ledger.tally import (
    Marking,
    PlainTally,
    RateKey,
    Tallied,
    keys_twice,
    named_elsewhere,
    named_ids,
    plain_clauses,
    rate_clashes,
)
from govscore.ledger.text import (
    ParsedFile,
    ledger_text,
    load_toml,
    parse_csv_ledger,
    parse_toml_ledger,
    readable_part,
)
from govscore.ledger.tomlfast import holds_controls
from govscore.ledger.workers import cpus, cycles_left, in_order, start_pool
from govscore.ledger.writer import fcntl, ledger_a_file, ledger_lock
from govscore.model import Entry, is_month
from govscore.rules.amendments import (
    Amendment,
    RuleBook,
    amendment_date,
    build_rulebook,
    parse_amendment,
)
from govscore.rules.catalog import Catalog, parse_catalog
from govscore.rules.config import (
    Departments,
    Weights,
    lookalike_problems,
    parse_departments,
    parse_weights,
    weight_problems,
)
from govscore.rules.scoring import Cells, DepartmentScore, Scorer, Summary
from govscore.rules.validate import Book, Numbers, review, sequence_gaps

ROOT_MARKER = "weights.toml"
ROOT_ENV = "GOVSCORE_ROOT"


def find_root(option: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Path:
    """The working root: --root, else $GOVSCORE_ROOT, else the nearest folder with weights.toml."""
    chosen = option or os.environ.get(ROOT_ENV) or None
    if chosen:
        root = Path(chosen).expanduser()
        source = "--root" if option else f"${ROOT_ENV}"
        try:
            marked = (root / ROOT_MARKER).is_file()
        except OSError as exc:  # a name too long (Python 3.11's is_file raises it)
            message = _("{source} {root}: cannot be read: {reason}")
            reason = os_reason(exc, root)
            raise ConfigError(message.format(source=source, root=root, reason=reason)) from None
        if not marked:
            raise ConfigError(
                _(
                    "{root}: not a govscore root ({source} names a folder without {marker}); "
                    "create one with: govscore init {root}"
                ).format(root=root, source=source, marker=ROOT_MARKER)
            )
        return root.resolve()
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if os.path.isfile(folder / ROOT_MARKER):  # one the system refuses holds none
            return folder
    raise ConfigError(
        _(
            "no govscore root at or above {start} (no {marker} found); "
            "pass --root DIR, set $GOVSCORE_ROOT, or create one with: govscore init DIR"
        ).format(start=start, marker=ROOT_MARKER)
    )


LEDGER_DIR = "ledger"
DEPARTMENTS_FILE = "departments.toml"
WEIGHTS_FILE = "weights.toml"
CLAUSES_FILE = "clauses.toml"
# The folder of notices is gitops.AMENDMENTS_DIR (a revision's state names it apart).
# What a root's figures are read from besides its ledger: a report says whether each is
# as its git revision holds it (gitops.ledger_state).
CONFIGURATION = (DEPARTMENTS_FILE, WEIGHTS_FILE, CLAUSES_FILE, AMENDMENTS_DIR)
# An amendment lists a few changes; a file this large is not one (and is not read).
MAX_AMENDMENT_BYTES = 2**20
LOOKALIKES_FILE = "lookalikes.tsv"


@dataclass(frozen=True)
class Root:
    """Everything a working root holds, read and parsed, ready for review and scoring."""

    path: Path
    departments: Departments
    weights: Weights
    catalog: Catalog
    files: dict[str, ParsedFile]
    months: tuple[str, ...]
    problems: tuple[Problem, ...]
    revision: str | None = None  # the git commit read from, with --at; None: the working tree

    def entries(self) -> Iterator[Entry]:
        """All entries in ledger order: by month, the TOML file before the CSV file."""
        for parsed in self.files.values():
            yield from parsed.entries

    def review(self, taken: Sequence[tuple[str, Numbers]] = ()) -> Book:
        """Validate the whole ledger and keep what counts.

        `taken` are (file, the numbers of their ids) of entries summed as they were read,
        not made entries (govscore.ledger.tally): they count in the sequences checked for
        gaps.
        """
        book = review(self.entries(), self.catalog, self.departments)
        config = configuration_problems(self.weights, self.catalog, self.departments)
        ids = [
            (label, [*(e.id for e in f.entries), *(p.entry for p in f.problems if p.entry)])
            for label, f in self.files.items()
        ]
        unreadable = {label.rsplit("/", 1)[-1][:7] for label, f in self.files.items() if f.broken}
        gaps = sequence_gaps(ids, unreadable, numbered=taken)
        # Problems read in ledger order: by file (months in order), then by line.
        ranks = {label: rank for rank, label in enumerate(self.files)}
        problems = sorted(
            (*self.problems, *gaps, *book.problems), key=lambda p: (ranks.get(p.file, -1), p.line)
        )
        return replace(book, problems=(*config, *problems))


class Kind(StrEnum):
    """What a name in a root's folder is: only a regular file is read."""

    FILE = "file"
    FOLDER = "folder"
    LINK = "link"  # a symbolic link, whatever it points to
    OTHER = "other"  # a named pipe, a socket or a device


class Listed(NamedTuple):
    """A name in a folder, and its kind kept apart from it: a regular file's name may end
    in any character, "|" or "@" too (review BI F4)."""

    name: str
    kind: Kind = Kind.FILE


class Source(Protocol):
    """Where a root's files are read from."""

    def read(self, relative: str) -> bytes | None:
        """A file's bytes, or None when it does not exist."""

    def names(self, folder: str) -> list[Listed] | None:
        """The names directly in a folder, each with its kind, or None when there is no
        such folder."""

    def kind(self, relative: str) -> Kind | None:
        """What stands at the path: None when nothing does, or when the source cannot
        tell (what a git revision holds is read through names and read alone)."""


def cannot_read(file: str, error: OSError) -> ConfigError:
    """The error for a root's file (or folder) the system will not read, with its reason."""
    message = _("{file}: cannot read it: {reason}")
    return ConfigError(message.format(file=file, reason=os_reason(error)))


# A root's file is opened not to wait (a named pipe answers at once) and not to be
# inherited by git or a worker.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True)
class WorkTree:
    """The root's files as they are on disk now."""

    path: Path

    def read(self, relative: str) -> bytes | None:
        """A file's bytes (None: no such file). Opened without waiting, and only a regular
        file read: a named pipe put in a file's place would hold `add` or a cron job's
        `check` for ever (review BI F5)."""
        try:
            fd = os.open(self.path / relative, _READ_FLAGS)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise cannot_read(relative, exc) from None
        try:
            mode = os.fstat(fd).st_mode
            if stat.S_ISDIR(mode):
                raise IsADirectoryError(errno.EISDIR, "a folder")
            if not stat.S_ISREG(mode):
                reason = _("it is not a regular file but a named pipe, a socket or a device")
                message = _("{file}: cannot read it: {reason}")
                raise ConfigError(message.format(file=relative, reason=reason))
            with open(fd, "rb", closefd=False) as file:
                return file.read()
        except OSError as exc:
            raise cannot_read(relative, exc) from None
        finally:
            os.close(fd)

    def size(self, relative: str) -> int:
        """A file's size in bytes (0 if it does not exist)."""
        try:
            return (self.path / relative).stat().st_size
        except FileNotFoundError:
            return 0
        except OSError as exc:
            raise cannot_read(relative, exc) from None

    def measure(self, relative: str) -> tuple[int, bytes] | None:
        """A file's size and digest (cache.digest), read through one small buffer: a
        warm run hashes a province's 180 MB of ledger without holding any of it."""
        hashed = cache.hasher()
        size = 0
        buffer = bytearray(1 << 20)
        view = memoryview(buffer)
        try:
            with open(self.path / relative, "rb", buffering=0) as handle:
                while count := handle.readinto(buffer):
                    hashed.update(view[:count])
                    size += count
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise cannot_read(relative, exc) from None
        return size, hashed.digest()

    def names(self, folder: str) -> list[Listed] | None:
        where = self.path / folder
        if not where.is_dir():
            return None
        try:
            listed = [(p.name, _kind(p)) for p in where.iterdir()]
        except OSError as exc:
            raise cannot_read(folder, exc) from None
        return [Listed(name, kind) for name, kind in listed if kind is not None]

    def kind(self, relative: str) -> Kind | None:
        try:
            return _kind(self.path / relative)
        except OSError as exc:
            raise cannot_read(relative, exc) from None


def _kind(path: Path) -> Kind | None:
    """What stands at a path, the path itself if it is a link (None: nothing, or no more)."""
    try:
        mode = path.lstat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    if stat.S_ISLNK(mode):
        return Kind.LINK
    if stat.S_ISREG(mode):
        return Kind.FILE
    return Kind.FOLDER if stat.S_ISDIR(mode) else Kind.OTHER


@dataclass(frozen=True)
class GitRevision:
    """The root's files as they were committed at one git revision (for --at)."""

    path: Path
    commit: str

    def read(self, relative: str) -> bytes | None:
        return show_file(self.path, self.commit, relative)

    def names(self, folder: str) -> list[Listed] | None:
        listed = list_tree(self.path, self.commit, folder)
        return None if listed is None else [Listed(name) for name in listed]

    def kind(self, relative: str) -> Kind | None:
        """As the revision holds it: a file in ledger/'s place is one there too (review
        BL F3: it was said to be missing)."""
        mode = tree_mode(self.path, self.commit, relative)
        if mode is None:
            return None
        return {"040000": Kind.FOLDER, "120000": Kind.LINK}.get(mode, Kind.FILE)


def source_at(path: Path, at: str | None) -> Source:
    if at is None:
        return WorkTree(path)
    try:
        return GitRevision(path, resolve_revision(path, at))
    except GitMissing:
        raise  # no git to run: a data problem (exit 1), not a usage one
    except GitError as exc:
        raise UsageError(_("--at {rev}: {reason}").format(rev=at, reason=exc)) from None


def parse_toml_file(data: bytes | None, label: str) -> dict[str, Any]:
    """Parse a configuration file; a syntax error names the file and line."""
    if data is None:
        message = _("{file}: missing; create a root with: govscore init DIR")
        raise ConfigError(message.format(file=label))
    try:
        return load_toml(data.decode("utf-8"))
    except UnicodeDecodeError:
        message = _("{file}: not UTF-8 text; save it as UTF-8")
        raise ConfigError(message.format(file=label)) from None
    except tomllib.TOMLDecodeError as exc:
        message = _("{file}: not valid TOML: {reason}")
        raise ConfigError(message.format(file=label, reason=parser_reason(str(exc)))) from None


def read_toml(path: Path, label: str | None = None) -> dict[str, Any]:
    """Read a configuration file from disk."""
    return parse_toml_file(WorkTree(path.parent).read(path.name), label or str(path))


def configuration_problems(
    weights: Weights, catalog: Catalog, departments: Departments
) -> list[Problem]:
    """What is wrong with a root's configuration: weights that do not add up, and two
    departments whose names look alike (巿档案局 beside 市档案局)."""
    if isinstance(catalog, RuleBook):  # the weights of every version, and its amendments
        found = list(catalog.problems)
    else:
        found = weight_problems(weights, {c.category for c in catalog})
    looks = departments.looks
    if looks is None:
        looks = tuple(lookalike_problems(departments, lookalikes()))
    return [*found, *looks]


@lru_cache(maxsize=1)
def lookalikes() -> dict[str, str]:
    """Characters that look like others (Unicode's confusables, and look-alike Han
    characters), each with the one it looks like: govscore/data/lookalikes.tsv."""
    text = (files("govscore") / "data" / LOOKALIKES_FILE).read_text(encoding="utf-8")
    pairs = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {source: target for source, target in pairs}


SHIPPED_CLAUSES = "govscore:clauses.toml"


@lru_cache(maxsize=1)
def _shipped_data() -> dict[str, Any]:
    text = (files("govscore") / "data" / CLAUSES_FILE).read_text(encoding="utf-8")
    return tomllib.loads(text)


def shipped_catalog() -> Catalog:
    return parse_catalog(_shipped_data(), SHIPPED_CLAUSES)


def load_catalog(root: Path | None = None, source: Source | None = None) -> Catalog:
    """The root's own clauses.toml when it has one, else the catalog shipped with govscore."""
    if source is None and root is not None:
        source = WorkTree(root)
    data = rules_file(source, CLAUSES_FILE) if source is not None else None
    if data is None:
        return shipped_catalog()
    return parse_catalog(parse_toml_file(data, CLAUSES_FILE), CLAUSES_FILE)


def load_rules(root: Path | None) -> tuple[Catalog, Weights]:
    """A root's catalog and weights, read without its departments or ledger (for lookups);
    the shipped ones when there is no root. A root's broken file is an error, never
    quietly replaced by the shipped one."""
    return _rules(root, WorkTree(root) if root is not None else _Shipped())


def bundled(name: str) -> bytes | None:
    """A file of the configuration govscore ships (govscore/data): what `init` writes."""
    data = files("govscore") / "data" / name
    return data.read_bytes() if data.is_file() else None


def rules_file(source: Source, name: str) -> bytes | None:
    """weights.toml's or clauses.toml's bytes (None: no such file). A symbolic link is
    refused, as a linked ledger file or amendments/ is: the rules it reads would lie
    outside the root, where git never keeps them, and the audit never sees them change."""
    if source.kind(name) == Kind.LINK:
        message = _(
            "{file}: a symbolic link: govscore reads the rules only from a regular file in "
            "the root, so that git keeps them (replace the link with the file itself)"
        )
        raise ConfigError(message.format(file=name))
    return source.read(name)


def said_of_scores(name: str, data: bytes) -> Weights | dict[str, Any]:
    """What weights.toml or clauses.toml (its bytes) says of every score, read as the
    loader reads it (ConfigError: it does not read): the weights parsed (Weights.scoring),
    the catalog as its TOML says it."""
    parsed = parse_toml_file(data, name)
    if name == WEIGHTS_FILE:
        return parse_weights(parsed, name).scoring()
    parse_catalog(parsed, name)
    return parsed


class _Shipped:
    """The configuration govscore ships (govscore/data), read as a root's would be."""

    def read(self, relative: str) -> bytes | None:
        if relative == CLAUSES_FILE:
            return None  # load_catalog then takes the shipped catalog
        return bundled(relative)

    def names(self, folder: str) -> list[Listed] | None:
        return None

    def kind(self, relative: str) -> Kind | None:
        return None


def parse_ledger_bytes(
    data: bytes, label: str, month: str, tally: PlainTally | None = None
) -> ParsedFile:
    """Parse one ledger file; bytes that are not UTF-8 are a problem of that file.

    A tally takes the plain entries of a TOML file as they are read (see govscore.ledger.tally).
    """
    try:
        text = ledger_text(data)
    except UnicodeDecodeError as exc:
        return _read_before(data, exc.start, label, month, tally)
    if label.endswith(".csv"):
        return replace(parse_csv_ledger(text, label, month), newlines=data.count(b"\n"))
    # Whether the text holds a control character, from its bytes: what the text drops of
    # them (a CR before LF, a torn batch) only makes the reading more careful than needed.
    return parse_toml_ledger(text, label, month, take=tally, controls=holds_controls(data))


def _read_before(
    data: bytes, bad: int, label: str, month: str, tally: PlainTally | None
) -> ParsedFile:
    """A ledger file with a byte that is not UTF-8 at `bad` (a clerk appended in an editor
    that saves GBK): the entries above the entry (or batch) holding it count, read as the
    file would be were it to end there; that entry and those after it do not, and the
    file is broken until it is saved as UTF-8. Every reader of the file (cached, tallied,
    plain) comes here, so all count the same entries."""
    cut = readable_part(data, bad, csv_file=label.endswith(".csv"))
    line = data.count(b"\n", 0, bad) + 1
    if cut:
        message = _(
            "not UTF-8 text (was this entry written in an editor that saves GBK or another "
            "encoding?): the entries from line {line} on are left out, those above it count; "
            "write this entry's text again in UTF-8 (the lines above are UTF-8: converting the "
            "whole file from GBK would garble them)"
        ).format(line=data.count(b"\n", 0, cut) + 1)
    else:
        message = _(
            "not UTF-8 text (was the file saved as GBK or another encoding?): the whole "
            "file is left out, none of its entries count; save the file as UTF-8"
        )
    problem = Problem(label, line, message)
    # Every line after the cut a blank one, so each line above keeps its number.
    read = parse_ledger_bytes(data[:cut] + b"\n" * data.count(b"\n", cut), label, month, tally)
    problems = tuple(sorted((*read.problems, problem), key=lambda p: p.line))
    return replace(read, problems=problems, broken=True, broken_by=read.broken_by or problem)


def ledger_file_in_place(source: Source) -> bool:
    """Whether a file (or a pipe, a socket, a device) stands where ledger/ belongs: what
    `add` and `import` refuse to write into (writer.ledger_lock), never a missing folder."""
    return source.kind(LEDGER_DIR) in _NO_FOLDER


_NO_FOLDER = (Kind.FILE, Kind.OTHER)  # what stands in a folder's place, not a link


def ledger_names(source: Source) -> tuple[list[tuple[str, str]], list[Problem]]:
    """The month files under ledger/, in ledger order, and names that are not month files."""
    kind = source.kind(LEDGER_DIR)
    if kind == Kind.LINK:
        message = _(
            "a symbolic link, not a folder: govscore reads and writes only a real ledger/ "
            "folder inside the root, so that git keeps every entry; its files are left out "
            "(replace the link with the folder itself)"
        )
        return [], [Problem(LEDGER_DIR, 0, message)]
    if kind in _NO_FOLDER:  # as ledger_file_in_place, the kind asked once (a git run at --at)
        return [], [Problem(LEDGER_DIR, 0, ledger_a_file())]
    names = source.names(LEDGER_DIR)
    if names is None:
        missing = _("missing: a root keeps its month files in ledger/")
        return [], [Problem(LEDGER_DIR, 0, missing)]
    found: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for name, kind in sorted(
        names, key=lambda n: (n.name.rsplit(".", 1)[0], not n.name.endswith(".toml"))
    ):
        if name.startswith("."):
            continue
        stem, _dot, suffix = name.rpartition(".")
        label = f"{LEDGER_DIR}/{name}"
        if kind == Kind.LINK:
            message = _(
                "a symbolic link: govscore reads and writes only regular files in ledger/, "
                "so that git keeps every entry; it is left out (replace the link with the "
                "file itself)"
            )
            problems.append(Problem(label, 0, message))
        elif kind == Kind.FOLDER:
            message = _("a folder, not a ledger file: ledger/ holds month files")
            problems.append(Problem(label, 0, message))
        elif kind == Kind.OTHER:
            problems.append(Problem(label, 0, _not_regular(LEDGER_DIR)))
        elif suffix in ("toml", "csv") and is_month(stem):
            found.append((stem, label))
        else:
            message = _("not a ledger file: month files are named YYYY-MM.toml or YYYY-MM.csv")
            problems.append(Problem(label, 0, message))
    return found, problems


def load_root(path: Path, at: str | None = None, lock: bool = True) -> Root:
    """Read a root: its configuration, its catalog and every ledger file (at a revision).

    The working tree is read under the ledger's shared lock, so no writer is half way
    through an append; a writer that holds the lock already passes lock=False.
    """
    if lock and at is None:
        with ledger_lock(path / LEDGER_DIR, shared=True):
            return load_root(path, at, lock=False)
    source = source_at(path, at)
    departments, weights, catalog = _configuration(path, source)
    found, problems = ledger_names(source)
    revision = source.commit if isinstance(source, GitRevision) else None
    parsed = _parse_files(found, lambda label: source.read(label) or b"")
    return _root(path, departments, weights, catalog, found, problems, parsed, revision)


def _configuration(
    path: Path, source: Source, signing: bytes | None = None
) -> tuple[Departments, Weights, Catalog]:
    """A root's departments, weights and rules; with a cache key, the departments are
    read from the cache kept for exactly these bytes of departments.toml, if there is one."""
    data = source.read(DEPARTMENTS_FILE)
    departments = _read_departments(path, data, signing)
    if signing and data and departments.looks is None:
        looks = tuple(lookalike_problems(departments, lookalikes()))
        departments = replace(departments, looks=looks)
        text = cachefile.departments_text(departments)
        sealed = cachefile.seal_texts(
            cachefile.DEPARTMENTS_MAGIC, [_departments_key(data), text], signing
        )
        _write_cache_file(path, DEPARTMENTS_CACHE, sealed)
    catalog, weights = _rules(path, source)
    return departments, weights, catalog


def load_departments(path: Path) -> Departments:
    """A root's departments alone: an import's rows name departments as Excel wrote them."""
    data = WorkTree(path).read(DEPARTMENTS_FILE)
    return _read_departments(path, data, cachefile.signing_key())


def _read_departments(path: Path, data: bytes | None, signing: bytes | None) -> Departments:
    """departments.toml parsed, or read from the cache kept for exactly these bytes of it
    (with a cache key), if there is one."""
    departments = _kept_departments(path, data, signing) if signing and data else None
    if departments is None:
        departments = parse_departments(parse_toml_file(data, DEPARTMENTS_FILE), DEPARTMENTS_FILE)
    return departments


def _departments_key(data: bytes) -> str:
    # govscore's version, the cache format, the language (the look-alike check is worded
    # in it) and the file's bytes: a changed departments.toml never reads a kept one.
    return cache.snapshot_key([data]).hex()


def _kept_departments(path: Path, data: bytes, signing: bytes) -> Departments | None:
    """The departments kept for these bytes of departments.toml, from a signed file."""
    kept = _read_cache_file(path, DEPARTMENTS_CACHE)
    texts = cachefile.unseal_texts(cachefile.DEPARTMENTS_MAGIC, kept, signing) if kept else None
    try:
        if texts is None or len(texts) != 2 or texts[0] != _departments_key(data):
            return None
        return cachefile.departments_from(texts[1])
    except ValueError:  # signed, yet not text: parsed afresh
        return None


def _rules(path: Path | None, source: Source) -> tuple[RuleBook, Weights]:
    """A root's rules: the catalog with every amendment (its discretionary clauses capped
    by each version's weights), and the weights of the newest version.

    The first version is the shipped catalog and weights.toml, in force from the
    measures' effective date; a root's own clauses.toml replaces the catalog from that
    same date; then each amendments/YYYY-MM-DD.toml from its date. A broken weights.toml
    or clauses.toml is an error; a broken amendment is a problem of its file (`check`
    names it) and is left out.
    """
    weights_data = parse_toml_file(rules_file(source, WEIGHTS_FILE), WEIGHTS_FILE)
    parse_weights(weights_data, WEIGHTS_FILE)  # a broken weights.toml stops here
    shipped = _shipped_data()
    notice = shipped["notice"]
    first = Amendment(
        notice["effective"],
        notice["number"],
        notice["title"],
        SHIPPED_CLAUSES,
        notice.get("issued"),
        whole=shipped,
    )
    amendments, problems = read_amendments(source)
    own = rules_file(source, CLAUSES_FILE)
    if own is not None:
        data = parse_toml_file(own, CLAUSES_FILE)
        parse_catalog(data, CLAUSES_FILE)  # a broken clauses.toml stops here, as ever
        # Named by its file: a copy of the shipped catalog still carries its [notice].
        whole = Amendment(first.effective, CLAUSES_FILE, "", CLAUSES_FILE, whole=data)
        amendments.insert(0, whole)
    book = build_rulebook(first, weights_data, WEIGHTS_FILE, amendments)
    book = RuleBook(book.versions, (*problems, *book.problems))
    return book, book.latest.weights


def in_force(source: Source) -> dict[str, str] | None:
    """The versions the loader puts in force (a notice by its file, a root's own
    clauses.toml), each with the first month it rules; a notice left out (a problem of
    `check`) is none. None: the rules do not load at all (a broken weights.toml or
    clauses.toml), and no version can be told in force."""
    try:
        book, _weights = _rules(None, source)
    except ConfigError:
        return None
    return {version.source: version.first_month for version in book.versions}


def amendment_files(source: Source) -> tuple[list[tuple[str, bytes]], list[Problem]]:
    """The amendment files in amendments/ (label, bytes), in order of their names, and
    what is wrong with the folder's other names and with files too large to read."""
    names = source.names(AMENDMENTS_DIR)
    if source.kind(AMENDMENTS_DIR) == Kind.LINK:
        message = _("a symbolic link, not a folder: amendments are read only from a real folder")
        return [], [Problem(AMENDMENTS_DIR, 0, message)]
    if names is None:
        return [], []
    found: list[tuple[str, bytes]] = []
    problems: list[Problem] = []
    for name, kind in sorted(names):
        if name.startswith("."):
            continue
        label = f"{AMENDMENTS_DIR}/{name}"
        stem, _dot, suffix = name.rpartition(".")
        if kind != Kind.FILE or suffix != "toml" or amendment_date(stem) is None:
            problems.append(Problem(label, 0, _not_an_amendment(kind)))
            continue
        data = source.read(label) or b""
        if len(data) > MAX_AMENDMENT_BYTES:
            message = _("{size} bytes: an amendment lists a few changes, at most {most} bytes")
            problems.append(
                Problem(label, 0, message.format(size=len(data), most=MAX_AMENDMENT_BYTES))
            )
            continue
        found.append((label, data))
    return found, problems


def _not_an_amendment(kind: Kind) -> str:
    """What is wrong with a name in amendments/, by its kind: a folder or a link named as
    a notice is named as what it is, not as misnamed."""
    if kind == Kind.FOLDER:
        return _("a folder, not an amendment file: amendments/ holds one file per notice")
    if kind == Kind.LINK:
        return _(
            "a symbolic link: amendments are read only from regular files in amendments/ "
            "(replace the link with the file itself)"
        )
    if kind == Kind.OTHER:
        return _not_regular(AMENDMENTS_DIR)
    return _(
        "not an amendment file: amendments are named by their effective date, "
        "YYYY-MM-DD.toml (e.g. 2023-09-01.toml)"
    )


def _not_regular(folder: str) -> str:
    return _(
        "not a regular file but a named pipe, a socket or a device: {folder}/ holds only "
        "regular files"
    ).format(folder=folder)


def read_amendments(source: Source) -> tuple[list[Amendment], list[Problem]]:
    """Every readable amendment, by effective date, and the problems of the others."""
    files_found, problems = amendment_files(source)
    amendments: list[Amendment] = []
    for label, data in files_found:
        effective = amendment_date(label.rsplit("/", 1)[-1].removesuffix(".toml"))
        assert effective is not None
        try:
            parsed = parse_toml_file(data, label)
        except ConfigError as exc:
            # The problem names the file: its message need not (`file: …`, `file：…`).
            said = exc.message.removeprefix(f"{label}: ").removeprefix(f"{label}：")
            problems.append(Problem(label, 0, said))
            continue
        amendment, found = parse_amendment(parsed, label, effective)
        problems.extend(found)
        if amendment is not None:
            amendments.append(amendment)
    return amendments, problems


def _parse_files(
    found: Sequence[tuple[str, str]], read: Callable[[str], bytes]
) -> dict[str, ParsedFile]:
    """Every ledger file parsed, in ledger order (each read when its turn comes)."""
    return {label: parse_ledger_bytes(read(label), label, month) for month, label in found}


def _root(
    path: Path,
    departments: Departments,
    weights: Weights,
    catalog: Catalog,
    found: Sequence[tuple[str, str]],
    name_problems: Sequence[Problem],
    parsed: dict[str, ParsedFile],
    revision: str | None = None,
) -> Root:
    problems = [*name_problems, *(p for result in parsed.values() for p in result.problems)]
    months = tuple(dict.fromkeys(month for month, _ in found))
    return Root(path, departments, weights, catalog, parsed, months, tuple(problems), revision)


CACHE_DIR = ".govscore-cache"
CACHE_FILE = "ledger.cache"
SCORES_FILE = "scores.cache"  # scores worked out from the snapshot (govscore.ledger.scores)
IMPORT_CACHE = "import.cache"  # the last import whole: its file's fingerprint, its rows' keys
DEPARTMENTS_CACHE = "departments.cache"  # departments.toml parsed (a province's is large)
OLD_CACHE_FILE = "ledger.pickle"  # earlier versions' pickle: never opened, removed on rewrite


@dataclass(frozen=True)
class View:
    """A root as reports see it: configuration, months, problems and the ledger's Summary."""

    path: Path
    departments: Departments
    weights: Weights
    catalog: Catalog
    months: tuple[str, ...]
    problems: tuple[Problem, ...]
    summary: Summary
    entries: int
    files: int
    revision: str | None = None
    memo: scores.Memo | None = None  # scores already worked out; None without a cache


def load_view(
    path: Path,
    use_cache: bool = True,
    verify: bool = False,
    show: Callable[[DepartmentScore], str] | None = None,
    helpers: bool = False,
    workers: int | None = None,
) -> View:
    """What month, year and check need, from the cache when the ledger only grew.

    Reads every ledger file (to know it is unchanged), but parses only appended tails;
    see govscore.ledger.cache. With use_cache=False, or when the cache cannot be used, the
    whole ledger is read and reviewed, and the cache is written anew. verify=True (for
    `check`) also reads the whole ledger when the cache was used, and adds a problem if
    the two disagree: a cache signed with the user's key can still have been changed by
    whoever holds the key, and no figure may come from it unnoticed. `show` prints a
    department's row as reports do, to check the rows kept as printed. helpers=True (for
    `year`) keeps the worker processes that read a whole ledger, to work out the year's
    scores in them when none are kept (see scores.Memo.helpers); `workers` says how many
    read it (by default, by its size). `check`'s workers, kept, work out the scores it
    compares the kept ones with.
    """
    with ledger_lock(path / LEDGER_DIR, shared=True), cycles_left():
        if not verify:
            state = read_cached(path, use_cache, workers, helpers=helpers)
            return _view(state, use_cache=use_cache, show=show, workers=workers if helpers else 1)
        # The workers that read the ledger afresh then work out the scores to compare.
        state = read_cached(path, use_cache, workers, save=False, helpers=use_cache)
        mismatch = _check_departments(state)
        if state.cached or mismatch:
            if state.pool is not None:
                state.pool.shutdown()
            # Marks the cache holds are checked against marks worked out afresh (for
            # those keys alone: every keyed entry of a province reviewed took minutes).
            try:
                marks: Marking = frozenset(state.snapshot.context.marks)
            except DataError:  # it does not read: cache.mismatch says so
                marks = False
            full = read_cached(
                path, use_cache=False, workers=workers, helpers=use_cache, marks=marks
            )
            if state.cached:
                label = f"{CACHE_DIR}/{CACHE_FILE}"
                texts = cachefile.month_text
                mismatch += cache.mismatch(state.snapshot, full.snapshot, label, texts)
            state = full
        if use_cache:
            mismatch += _check_scores(state, show, partial(write_snapshot, path, state.snapshot))
        return _view(state, mismatch)


@dataclass(frozen=True)
class Detailed:
    """A ledger read to show the entries behind some months' scores (see load_detailed)."""

    root: Root  # the files of other months hold only the entries not tallied
    book: Book  # as the review keeps it, but its entries and keys: the months asked for
    summary: Summary  # the whole ledger's sums
    entries: int  # in the whole ledger
    taken: tuple[Sequence[str], ...] = ()  # the ids of the entries only summed, by file


def load_detailed(
    path: Path,
    months: Iterable[str] | None,
    use_cache: bool = True,
    workers: int | None = None,
    tally: bool = True,
    leave: Iterable[str] = (),
) -> Detailed:
    """The ledger as a report that lists the entries behind some months' scores needs it
    (`month --detail`, a workbook, a department's card): those months' files read entry
    by entry, the plain entries of the others summed as they are read, as a cold `year`
    reads them (govscore.ledger.tally: in worker processes, for a province). The review
    and the scores are the same as with every entry made one; only the lines of other
    months are not there to show, so the book keeps the entries of `months` alone, and
    no month is shown with half its lines. The entries with the ids in `leave` are made
    entries too, wherever they stand, and kept in the book (`show` of one). months=None:
    every month entry by entry (`log` of the whole ledger), still in the workers.
    tally=False makes an entry of every entry (the tests compare the two).
    """
    alone = frozenset(leave)
    with ledger_lock(path / LEDGER_DIR, shared=True), cycles_left():
        source = WorkTree(path)
        signing = cachefile.signing_key() if use_cache else None
        departments, weights, catalog = _configuration(path, source, signing)
        found, name_problems = ledger_names(source)
        wanted = frozenset(month for month, _ in found) if months is None else frozenset(months)
        root, tallies, _sizes, _pool = _read_tallied(
            path, departments, weights, catalog, found, workers, tally, whole=wanted, leave=alone
        )
        root = replace(root, problems=(*name_problems, *root.problems))
        book = root.review([(f"{LEDGER_DIR}/{t.month}.toml", t.numbers) for t in tallies])
        summary = cache.summarized(book, catalog, tallies)
    kept = tuple(e for e in book.entries if e.month in wanted or e.id in alone)
    # The keys of those entries alone: the other months' keyed entries may be tallied.
    keys = {
        key: entry for key, entry in book.keys.items() if entry.month in wanted or entry.id in alone
    }
    shown = replace(book, entries=kept, keys=keys)
    entries = sum(len(f.entries) for f in root.files.values()) + sum(len(t.ids) for t in tallies)
    return Detailed(root, shown, summary, entries, tuple(t.ids for t in tallies))


def _check_departments(state: CachedLedger) -> list[Problem]:
    """A problem naming departments.cache when the departments it gave differ from
    departments.toml read afresh (possible only for whoever holds the key, as with the
    snapshot); then it is removed, and the ledger is read with the file's departments."""
    kept = state.departments
    if kept.looks is None:  # parsed from departments.toml by this run
        return []
    fresh = parse_departments(
        read_toml(state.path / DEPARTMENTS_FILE, DEPARTMENTS_FILE), DEPARTMENTS_FILE
    )
    if kept == fresh and kept.looks == tuple(lookalike_problems(fresh, lookalikes())):
        return []
    message = _(
        "the kept departments do not agree with {file} read afresh: they were changed, and "
        "reports read from them may have been wrong; they have been removed"
    ).format(file=DEPARTMENTS_FILE)
    return _removed(state.path, DEPARTMENTS_CACHE, message)


def _removed(path: Path, name: str, message: str) -> list[Problem]:
    """A kept file that disagrees with reading afresh: removed, and named as the problem."""
    with contextlib.suppress(OSError):
        (path / CACHE_DIR / name).unlink()
    return [Problem(f"{CACHE_DIR}/{name}", 0, message)]


def _check_scores(
    state: CachedLedger, show: Callable[[DepartmentScore], str] | None, save: Callable[[], None]
) -> list[Problem]:
    """A problem naming scores.cache when its rows disagree with scoring afresh; then it
    is removed (the next report works them out again). The workers that read the ledger,
    if kept, work the scores out (and are let go), while this process does `save`."""
    months = tuple(dict.fromkeys(month for month, _label in state.found))
    kept = _open_memo(state.path, state.snapshot, state.departments, months)
    if kept is None or not kept.stored:
        save()
        return []
    summary = state.snapshot.summary
    scorer = Scorer(None, state.catalog, state.weights, state.departments, summary)
    helpers = None
    if state.pool is None:
        save()
    else:
        helpers = scores.Helpers(state.pool, _run_scores, meanwhile=save, show=show)
    wrong = scores.disagreements(kept, scorer, show, helpers)
    if not wrong:
        return []
    message = _(
        "the kept scores do not agree with scoring the ledger afresh ({what}): they were "
        "changed, and reports read from them may have shown wrong figures; they have been "
        "removed"
    ).format(what=", ".join(wrong))
    return _removed(state.path, SCORES_FILE, message)


@dataclass
class CachedLedger:
    """A root's configuration, its ledger files' bytes, and the snapshot that matches them."""

    path: Path
    departments: Departments
    weights: Weights
    catalog: Catalog
    found: list[tuple[str, str]]  # (month, label) in ledger order
    name_problems: list[Problem]
    snapshot: cache.Snapshot
    cached: bool = False  # the snapshot came from a verified cache file (perhaps extended)
    pool: ProcessPoolExecutor | None = None  # the workers that read it, kept (helpers=True)
    unsaved: bool = False  # the snapshot is to be written while the kept workers score


def read_cached(
    path: Path,
    use_cache: bool = True,
    workers: int | None = None,
    tally: bool = True,
    save: bool = True,
    helpers: bool = False,
    marks: Marking = False,
) -> CachedLedger:
    """Read a root and bring its cache up to date (the caller holds the ledger lock).

    When the ledger must be read whole, `workers` says how many processes parse it (by
    default, by its size) and `tally` whether plain entries are summed as they are read
    (tally=False makes an Entry of each: the tests compare the two). save=False leaves
    the cache file as it is. marks=True (for an import): a snapshot built here marks
    every entry of a written key (see cache.Context.marks); a set of keys: those keys'
    entries (tally.Marking).
    """
    source = WorkTree(path)
    config = [source.read(name) or b"" for name in (DEPARTMENTS_FILE, WEIGHTS_FILE, CLAUSES_FILE)]
    # Each month is judged by its own rules: every amendment is part of the configuration.
    config += [
        part for label, data in amendment_files(source)[0] for part in (label.encode(), data)
    ]
    signing = cachefile.signing_key() if use_cache else None
    departments, weights, catalog = _configuration(path, source, signing)
    found, name_problems = ledger_names(source)
    key = cache.snapshot_key(config)
    # Every file is read and hashed (that is what makes the cache safe): begun while the
    # snapshot is read, two files at a time (see Measuring). Only the bytes of files that
    # changed since the snapshot are kept.
    sizes: dict[str, tuple[int, bytes]] = {}
    data: dict[str, bytes] = {}
    warm = signing is not None and (path / CACHE_DIR / CACHE_FILE).is_file()
    with Measuring(source, [label for _month, label in found] if warm else []) as measure:
        snapshot = _read_snapshot(path, signing) if signing is not None else None
        if snapshot is not None and snapshot.key != key:
            snapshot = None
        for _month, label in found if snapshot is not None else ():
            old = snapshot.files.get(label)  # type: ignore[union-attr]
            if old is not None:
                measured = measure(label) or (0, cache.digest(b""))
                if (old.size, old.digest) == measured:
                    sizes[label] = measured
                    continue
            content = data[label] = source.read(label) or b""
            sizes[label] = (len(content), cache.digest(content))
    cached = snapshot is not None
    if snapshot is not None:
        try:
            fresh = _refresh(snapshot, found, data, catalog, departments)
        except DataError:  # signed, yet a part of it does not read: rebuild it
            fresh = None
        if fresh is not None and fresh is not snapshot and save:
            write_snapshot(path, fresh)
        snapshot = fresh
    if snapshot is None:
        # The whole ledger is read afresh by whoever parses each file (a worker process,
        # for a province), and marked by the bytes it parsed: the main process never
        # holds a province's 180 MB of text, nor do the workers it starts.
        data.clear()
        root, tallies, sizes, pool = _read_tallied(
            path, departments, weights, catalog, found, workers, tally, helpers, marks=marks
        )
        root = replace(root, problems=(*name_problems, *root.problems))
        taken = [(f"{LEDGER_DIR}/{t.month}.toml", t.numbers) for t in tallies]
        book = root.review(taken)
        marks = {
            label: _mark(*sizes[label], root.files[label].newlines, root.files[label])
            for _, label in found
        }
        config_count = len(configuration_problems(root.weights, root.catalog, root.departments))
        ledger_problems = [p for p in book.problems[config_count:] if p not in name_problems]
        unparsed = [p.entry for f in root.files.values() for p in f.problems if p.entry]
        snapshot = cache.build(
            key,
            marks,
            list(root.entries()),
            ledger_problems,
            book,
            catalog,
            departments,
            unparsed,
            tallies,
        )
        cached = False
        # Kept workers will score a year: the snapshot is written while they do.
        unsaved = use_cache and save and pool is not None
        if use_cache and save and not unsaved:
            write_snapshot(path, snapshot)
    else:
        pool, unsaved = None, False
    return CachedLedger(
        path, departments, weights, catalog, found, name_problems, snapshot, cached, pool, unsaved
    )


# Below this much ledger one process is quicker than starting a second (about 50,000 entries).
PARALLEL_MIN_BYTES = 8 * 2**20
PARALLEL_MIN_ENTRIES = 50_000


def _read_tallied(
    path: Path,
    departments: Departments,
    weights: Weights,
    catalog: Catalog,
    found: Sequence[tuple[str, str]],
    workers: int | None = None,
    tally: bool = True,
    keep: bool = False,
    whole: frozenset[str] = frozenset(),
    leave: frozenset[str] = frozenset(),
    marks: Marking = False,
) -> tuple[Root, list[Tallied], dict[str, tuple[int, bytes]], ProcessPoolExecutor | None]:
    """The whole ledger read and parsed, its plain entries summed as they are read
    (govscore.ledger.tally); with each file's size and digest, of the bytes parsed.

    Month files are parsed in two worker processes when the ledger is large and the
    machine has two cores (or `workers` says how many); each reads its files itself.
    Each file's tally leaves alone the entries that any file's voids, closes and refs
    name (a quick look at every file's text first, one file in memory at a time: a
    province voids entries of earlier months every month); a file with an entry named
    in a way the quick look missed, with a rate another entry also gives, or under a key
    (去重键) another entry also holds, is parsed again, leaving those alone too. An id
    taken twice sends the whole ledger the ordinary way, so the review reports the
    duplicate where it stands. marks=True marks every entry of a written key, tallied
    or reviewed (cache.Context.marks: an import compares keyed rows by them; a report
    needs none; a set of keys: those keys' entries, tally.Marking). keep=True returns
    the worker processes, for more work (the caller shuts them down); else None. The
    files of the months in `whole` are parsed entry by entry, none tallied, and the
    entries with the ids in `leave` are left alone wherever they are.
    """
    source = WorkTree(path)
    if not tally:
        sizes: dict[str, tuple[int, bytes]] = {}

        def read(label: str) -> bytes:
            content = source.read(label) or b""
            sizes[label] = (len(content), cache.digest(content))
            return content

        parsed = _parse_files(found, read)
        return _root(path, departments, weights, catalog, found, (), parsed), [], sizes, None
    total = sum(source.size(label) for _month, label in found)
    job = _TallyJob(
        path, catalog, departments, weights, plain_clauses(catalog), whole=whole, marks=marks
    )
    if workers is None:
        workers = min(2, cpus()) if total >= PARALLEL_MIN_BYTES else 1
    pool = start_pool(workers, _start_job, (job,)) if workers > 1 and len(found) > 1 else None
    # The quick look at every file first, by the workers too: one file in memory at a time.
    tomls = [(label,) for _month, label in found if label.endswith(".toml")]
    looks = in_order(pool, _run_look, tomls, keep=True) if pool else (job.look(*t) for t in tomls)
    job = replace(job, named=leave.union(*looks))
    results = (
        in_order(pool, _run_job, [(*task, job.named) for task in found], keep=keep)
        if pool
        else (job.run(*task) for task in found)
    )
    parsed: dict[str, ParsedFile] = {}
    tallies: dict[str, Tallied] = {}
    sizes = {}
    for (_month, label), (result, taken, mark) in zip(found, results, strict=True):
        parsed[label], sizes[label] = result, mark
        if taken is not None:
            tallies[label] = taken
    root = _root(path, departments, weights, catalog, found, (), parsed)
    files = {label: root.files[label].entries for _month, label in found}
    again = named_elsewhere(tallies, files, job.named)
    if again is None:
        if pool is not None and keep:
            pool.shutdown()
        return _read_tallied(path, departments, weights, catalog, found, tally=False)
    again |= keys_twice(list(tallies.values()), root.entries())
    clashes = rate_clashes(tallies.values(), root.entries(), catalog, departments)
    if again or clashes:
        for month, label in found:
            if label not in tallies:
                continue
            refused = clashes.get(month, set())
            if refused or not again.isdisjoint(tallies[label].ids):
                parsed[label], taken, sizes[label] = job.run(month, label, again, refused)
                tallies[label] = taken  # type: ignore[assignment]
        root = _root(path, departments, weights, catalog, found, (), parsed)
    return root, list(tallies.values()), sizes, pool if keep else None


@dataclass(frozen=True)
class _TallyJob:
    """What parsing every month file shares when plain entries are tallied as read."""

    path: Path
    catalog: Catalog
    departments: Departments
    weights: Weights
    plain: frozenset[str]
    named: frozenset[str] = frozenset()  # what every file's voids, closes and refs name
    whole: frozenset[str] = frozenset()  # months whose every entry is made an Entry
    marks: Marking = False  # entries of a written key made Entries, to be marked (PlainTally)

    def look(self, label: str) -> frozenset[str]:
        """The ids a file's voids, closes and refs name, at a quick look (named_ids)."""
        return named_ids(read_ledger_file(self.path, label))

    def run(
        self,
        month: str,
        label: str,
        also: frozenset[str] = frozenset(),
        refused: set[RateKey] | frozenset[RateKey] = frozenset(),
    ) -> tuple[ParsedFile, Tallied | None, tuple[int, bytes]]:
        """Read and parse one file, leaving alone the entries it names itself and those in
        `also`, and the rates of `refused` (and any the file gives twice)."""
        content = read_ledger_file(self.path, label)
        mark = (len(content), cache.digest(content))
        if not label.endswith(".toml") or month in self.whole:
            return parse_ledger_bytes(content, label, month), None, mark
        named = (self.named or named_ids(content)) | also
        tally = self._tally(month, named, refused)
        parsed = parse_ledger_bytes(content, label, month, tally)
        if tally.clashes:  # two rates of one department: the review reports the second
            tally = self._tally(month, named, {*refused, *tally.clashes})
            parsed = parse_ledger_bytes(content, label, month, tally)
        return parsed, tally.result(e.id for e in parsed.entries), mark

    def _tally(self, month: str, named: Set[str], refused: Set[RateKey]) -> PlainTally:
        catalog, departments = self.catalog, self.departments
        return PlainTally(month, catalog, departments, named, self.plain, refused, self.marks)


_job: _TallyJob | None = None


def _start_job(job: _TallyJob) -> None:
    """A worker keeps the shared part (fork copies it; it is not sent with each task).

    It lives for one command, reading and scoring: without the collector of reference
    cycles, which would walk its millions of objects again and again (see cycles_left)."""
    global _job
    _job = job
    gc.disable()


def _run_look(label: str) -> frozenset[str]:
    """One file's quick look in a worker (see _TallyJob.look)."""
    assert _job is not None, "started by _start_job"
    return _job.look(label)


def _run_job(
    month: str, label: str, named: frozenset[str]
) -> tuple[ParsedFile, Tallied | None, tuple[int, bytes]]:
    """One file in a worker, leaving alone the entries that any file `named`: its tally's
    cells go back as the cache writes them, written here while the other worker parses,
    and kept as text by the main process (see MonthCells) until an entry the review
    counts changes one of them. The cells of departments that the file's other entries
    name go back as they are: the review will most likely add to them, and would
    otherwise decode them again."""
    global _job
    assert _job is not None, "started by _start_job"
    if _job.named != named:  # known once the quick look at every file is done
        _job = replace(_job, named=named)
    parsed, taken, mark = _job.run(month, label)
    if taken is not None:
        resolve = _job.departments.resolve
        named = {resolve(e.department) for e in parsed.entries if e.department}
        touched = {department.name for department in named if department is not None}
        forms: dict[str, object] = {
            name: cell if name in touched else cachefile.cell_text(cell)
            for name, cell in taken.cells.items()
        }
        taken = replace(taken, cells=cachefile.stored_cells(forms))
    return parsed, taken, mark


def _run_scores(
    forms: dict[str, dict[str, object]],
    across: tuple[Any, ...],
    year: int | None,
    months: list[str],
    names: list[str],
    show: Callable[[DepartmentScore], str] | None = None,
    printed: Collection[str] = (),
) -> scores.Share:
    """A share of the departments' months and year, worked out in a worker that read the
    ledger (it holds the configuration already): see scores.Memo.helpers. `forms`: each
    month's cells of these departments, as the cache writes them (decoded here); `show`
    prints a year row as a report does, and the rows of the `printed` months."""
    assert _job is not None, "started by _start_job"
    cells = Cells()
    for month, stored in forms.items():
        cells.add_month(month, cachefile.stored_cells(stored))
    standing, exclusive, annual, through = across
    summary = Summary(cells, standing, exclusive, annual, through)
    scorer = Scorer(None, _job.catalog, _job.weights, _job.departments, summary)
    return scores.work_out(scorer, names, year, months, show, printed)


class Measuring:
    """Files' sizes and digests (WorkTree.measure), begun at once in two threads: hashing
    lets go of the interpreter, so a province's 180 MB of ledger are hashed on two cores
    while the snapshot is read and checked. Calling it with a label gives that file's
    (measured now if it was not begun); what is not asked for by the end is let go."""

    def __init__(self, source: WorkTree, labels: Sequence[str]):
        self.source = source
        self.pool = ThreadPoolExecutor(2) if len(labels) > 1 else None
        self.begun = (
            {label: self.pool.submit(source.measure, label) for label in labels}
            if self.pool
            else {}
        )

    def __call__(self, label: str) -> tuple[int, bytes] | None:
        begun = self.begun.get(label)
        return begun.result() if begun is not None else self.source.measure(label)

    def __enter__(self) -> Measuring:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def read_ledger_file(path: Path, label: str) -> bytes:
    """One ledger file's bytes (empty if it does not exist yet)."""
    return WorkTree(path).read(label) or b""


def _mark(size: int, content_digest: bytes, newlines: int, parsed: ParsedFile) -> cache.FileMark:
    broken_by = parsed.broken_by or (
        parsed.problems[0] if parsed.broken and parsed.problems else None
    )
    return cache.FileMark(size, content_digest, newlines, parsed.broken, broken_by)


def file_mark(content: bytes, parsed: ParsedFile) -> cache.FileMark:
    return _mark(len(content), cache.digest(content), content.count(b"\n"), parsed)


def appended_mark(path: Path, label: str) -> cache.FileMark:
    """The mark of a ledger file govscore just appended whole batches to, read in pieces
    (a large import's file need not be held): not broken, as the append left it."""
    hashing = hashlib.sha256()
    size = newlines = 0
    try:
        with (path / label).open("rb") as handle:
            while chunk := handle.read(2**22):
                hashing.update(chunk)
                size += len(chunk)
                newlines += chunk.count(b"\n")
    except OSError as exc:
        raise cannot_read(label, exc) from None
    return cache.FileMark(size, hashing.digest(), newlines, False)


def _view(
    state: CachedLedger,
    extra: Sequence[Problem] = (),
    use_cache: bool = False,
    show: Callable[[DepartmentScore], str] | None = None,
    workers: int | None = 1,
) -> View:
    """The view of a ledger read. A cold read's workers, kept (state.pool), become the
    memo's helpers; a warm read gets helpers started only if the memo asks for them (a
    year none of whose rows are kept): `workers` of them (by default, by the ledger's
    size; 1: none)."""
    snapshot = state.snapshot
    ranks = {label: rank for rank, (_, label) in enumerate(state.found)}
    ordered = sorted(
        (*extra, *state.name_problems, *snapshot.problems),
        key=lambda p: (ranks.get(p.file, -1), p.line),
    )
    config_problems = configuration_problems(state.weights, state.catalog, state.departments)
    months = tuple(dict.fromkeys(month for month, _ in state.found))
    memo = _open_memo(state.path, snapshot, state.departments, months) if use_cache else None
    if state.pool is not None:
        save = partial(write_snapshot, state.path, snapshot) if state.unsaved else None
        if memo is not None:
            memo.helpers = scores.Helpers(state.pool, _run_scores, save, show)
        else:
            state.pool.shutdown()
            if save is not None:
                save()
    elif memo is not None:
        if workers is None:
            workers = min(2, cpus()) if snapshot.entries >= PARALLEL_MIN_ENTRIES else 1
        if workers > 1:
            job = _TallyJob(
                state.path, state.catalog, state.departments, state.weights, frozenset()
            )
            start = partial(start_pool, workers, _start_job, (job,))
            memo.helpers = scores.Helpers(None, _run_scores, None, show, start)
    return View(
        state.path,
        state.departments,
        state.weights,
        state.catalog,
        months,
        (*config_problems, *ordered),
        snapshot.summary,
        snapshot.entries,
        len(state.found),
        memo=memo,
    )


def _open_memo(
    path: Path, snapshot: cache.Snapshot, departments: Departments, months: Sequence[str]
) -> scores.Memo | None:
    """The scores kept for this snapshot (see govscore.ledger.scores); None without a key."""
    key = cachefile.signing_key()
    if key is None:
        return None
    data = _read_cache_file(path, SCORES_FILE)
    texts = cachefile.unseal_texts(scores.MAGIC, data, key) if data is not None else None
    names = [department.name for department in departments]
    return scores.memo(snapshot.key, snapshot.summary, names, months, texts)


def keep_scores(view: View) -> None:
    """Keep the scores this run worked out, for the next; a root we cannot write to goes
    without (like the snapshot)."""
    if view.memo is not None:
        view.memo.release()
    texts = view.memo.texts() if view.memo is not None else None
    key = cachefile.signing_key()
    if texts is not None and key is not None:
        _write_cache_file(view.path, SCORES_FILE, cachefile.seal_texts(scores.MAGIC, texts, key))


def _refresh(
    snapshot: cache.Snapshot,
    found: list[tuple[str, str]],
    data: dict[str, bytes],
    catalog: Catalog,
    departments: Departments,
) -> cache.Snapshot | None:
    """The snapshot, extended by what was appended since; None if anything else changed.

    `data` holds the files that differ from the snapshot.
    """
    if not set(snapshot.files) <= {label for _, label in found}:
        return None  # a ledger file was removed
    tails: list[tuple[ParsedFile, cache.FileMark]] = []
    labels: list[str] = []
    for month, label in found:
        if label not in data:
            continue
        content = data[label]
        old = snapshot.files.get(label)
        if not label.endswith(".toml"):
            return None
        start, offset = 0, 0
        if old is not None:
            grown = len(content) > old.size and cache.digest(content[: old.size]) == old.digest
            if not grown or old.broken:
                return None
            start, offset = old.size, old.newlines
        try:
            text = content[start:].decode("utf-8")
        except UnicodeDecodeError:
            return None
        parsed = _shifted(parse_toml_ledger(text, label, month), offset)
        mark = file_mark(content, parsed)
        tails.append((parsed, mark))
        labels.append(label)
    if not tails:
        return snapshot
    return cache.extend(snapshot, tails, labels, catalog, departments)


def _shifted(parsed: ParsedFile, lines: int) -> ParsedFile:
    """A tail parsed on its own, with line numbers counted from the start of its file."""
    if not lines:
        return parsed
    return replace(
        parsed,
        entries=tuple(e._replace(line=e.line + lines) for e in parsed.entries),
        problems=tuple(replace(p, line=p.line + lines) for p in parsed.problems),
    )


def _read_snapshot(path: Path, key: bytes) -> cache.Snapshot | None:
    """The cache, if it is a regular file signed with this user's key; else None.

    Nothing in it is run: it is data, checked against its signature before it is parsed.
    A missing, old (a pickle of earlier versions is never opened), damaged, foreign or
    changed cache is rebuilt, never trusted.
    """
    data = _read_cache_file(path, CACHE_FILE)
    return cachefile.unseal(data, key) if data is not None else None


def _read_cache_file(path: Path, name: str) -> bytes | None:
    """A file of .govscore-cache/, only if it is a regular file (not a link) of a size a
    cache can have. Opened without waiting: a named pipe put in its place is refused, not
    waited on for good."""
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        flags |= getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path / CACHE_DIR / name, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > cachefile.MAX_CACHE_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    except OSError:
        return None
    finally:
        os.close(fd)


def kept_import(path: Path, fingerprint: str) -> Sequence[str] | None:
    """What the last import kept (see keep_import), if it was of a file of this
    fingerprint and the file is signed with this user's key; else None."""
    key = cachefile.signing_key()
    data = _read_cache_file(path, IMPORT_CACHE) if key is not None else None
    texts = cachefile.unseal_texts(cachefile.IMPORT_MAGIC, data, key) if data and key else None
    if not texts or texts[0] != fingerprint:
        return None
    return [texts[number] for number in range(1, len(texts))]


def keep_import(path: Path, fingerprint: str, texts: Sequence[str]) -> None:
    """Keep, signed, what a re-run of an import file of this fingerprint needs (only the
    last import's: a file imported before it is read again in full)."""
    key = cachefile.signing_key()
    if key is None:
        return
    try:
        sealed = cachefile.seal_texts(cachefile.IMPORT_MAGIC, [fingerprint, *texts], key)
    except ValueError:  # what cannot be stored (a lone surrogate): the rows are read again
        return
    _write_cache_file(path, IMPORT_CACHE, sealed)


def write_snapshot(path: Path, snapshot: cache.Snapshot) -> None:
    """Write the cache atomically; a root we cannot write to simply goes without one.

    A cache file of an earlier version beside it is removed: it is never read again.
    """
    key = cachefile.signing_key()
    if key is None:
        return
    try:
        data = cachefile.seal(snapshot, key)
    except (TypeError, ValueError):  # what cannot be stored (a lone surrogate): go without
        return
    if _write_cache_file(path, CACHE_FILE, data):
        with contextlib.suppress(OSError):
            (path / CACHE_DIR / OLD_CACHE_FILE).unlink(missing_ok=True)


def _write_cache_file(path: Path, name: str, data: bytes) -> bool:
    """Write a file of .govscore-cache/ whole or not at all; False where it cannot be.

    Written into a file of its own, then moved into place. A new file of a province's
    40 MB costs the system its pages (a tenth of a second and more): a large file's
    last version is kept (`.NAME.spare`) and written over by the next write, where no
    other process writes the cache at that moment and the spare is a plain file of ours
    with no other name."""
    folder = path / CACHE_DIR
    spare, previous = folder / f".{name}.spare", folder / f".{name}.previous"
    temporary: str | None = None
    try:
        folder.mkdir(exist_ok=True)
        large = len(data) >= SPARE_MIN_BYTES
        with _writing_alone(folder, large) as alone:
            fd = _open_spare(spare) if alone else None
            if fd is not None:
                temporary = str(spare)
            else:
                fd, temporary = tempfile.mkstemp(dir=folder, prefix=".ledger-")
            with os.fdopen(fd, "r+b") as handle:
                handle.write(data)
                handle.truncate()
            kept = alone and _keep_replaced(folder / name, previous)
            os.replace(temporary, folder / name)
            temporary = None
            if kept:
                _become_spare(previous, spare)
            elif not large:  # a small file now: no spare of a large one lingers
                with contextlib.suppress(OSError):
                    os.unlink(spare)
        return True
    except OSError:
        return False
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


# A cache file this large is written over its last version (see _write_cache_file).
SPARE_MIN_BYTES = 2**20


@contextlib.contextmanager
def _writing_alone(folder: Path, wanted: bool = True) -> Iterator[bool]:
    """Whether this process alone writes the cache for now (an exclusive lock on its
    folder, not waited for: another writer's files are its own)."""
    if not wanted or fcntl is None or not hasattr(os, "O_NOFOLLOW"):
        yield False
        return
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        yield False
        return
    try:
        held = False
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held = True
        yield held
    finally:
        os.close(fd)


def _open_spare(spare: Path) -> int | None:
    """The spare, opened to be written over, if it is a plain file of ours by no other
    name: a link, or a file linked elsewhere too, is never written through."""
    try:
        fd = os.open(spare, os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    found = os.fstat(fd)
    if not stat.S_ISREG(found.st_mode) or found.st_nlink != 1 or found.st_uid != os.geteuid():
        os.close(fd)
        return None
    return fd


def _become_spare(previous: Path, spare: Path) -> None:
    """The version just replaced, as the next write's spare (if the name can be had:
    whatever else stands there is not written through, and this version is let go)."""
    try:
        os.replace(previous, spare)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(previous)


def _keep_replaced(target: Path, previous: Path) -> bool:
    """Keep the file about to be replaced by a second name (to become the spare)."""
    with contextlib.suppress(OSError):
        os.unlink(previous)  # left by a write that stopped half-way
    try:
        os.link(target, previous, follow_symlinks=False)
    except OSError:  # none yet, or no hard links here
        return False
    return True
