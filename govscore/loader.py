"""The one place that reads a root's files: from the working tree, or from a git revision.

Everything else works on text or parsed data handed over from here: scoring never
opens a file, parsers take strings, so tests feed them strings.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any, Protocol

from govscore.catalog import Catalog, parse_catalog
from govscore.config import Departments, Weights, parse_departments, parse_weights, weight_problems
from govscore.errors import ConfigError, Problem, UsageError
from govscore.gitops import GitError, list_tree, resolve_revision, show_file
from govscore.ledger import ParsedFile, parse_csv_ledger, parse_toml_ledger
from govscore.model import Entry, is_month
from govscore.validate import Book, review
from govscore.writer import ledger_lock

ROOT_MARKER = "weights.toml"
ROOT_ENV = "GOVSCORE_ROOT"


def find_root(option: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Path:
    """The working root: --root, else $GOVSCORE_ROOT, else the nearest folder with weights.toml."""
    chosen = option or os.environ.get(ROOT_ENV) or None
    if chosen:
        root = Path(chosen).expanduser()
        source = "--root" if option else f"${ROOT_ENV}"
        if not (root / ROOT_MARKER).is_file():
            raise ConfigError(
                f"{root}: not a govscore root ({source} names a folder without {ROOT_MARKER}); "
                f"create one with: govscore init {root}"
            )
        return root.resolve()
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / ROOT_MARKER).is_file():
            return folder
    raise ConfigError(
        f"no govscore root at or above {start} (no {ROOT_MARKER} found); "
        "pass --root DIR, set $GOVSCORE_ROOT, or create one with: govscore init DIR"
    )


LEDGER_DIR = "ledger"
DEPARTMENTS_FILE = "departments.toml"
WEIGHTS_FILE = "weights.toml"
CLAUSES_FILE = "clauses.toml"


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

    def review(self, today: date, extra: Sequence[Entry] = ()) -> Book:
        """Validate the whole ledger (plus entries about to be added) and keep what counts."""
        book = review([*self.entries(), *extra], self.catalog, self.departments, today)
        config = weight_problems(self.weights, {c.category for c in self.catalog})
        # Problems read in ledger order: by file (months in order), then by line.
        ranks = {label: rank for rank, label in enumerate(self.files)}
        problems = sorted(
            (*self.problems, *book.problems), key=lambda p: (ranks.get(p.file, -1), p.line)
        )
        return replace(book, problems=(*config, *problems))

    def ledger_path(self, month: str) -> Path:
        return self.path / LEDGER_DIR / f"{month}.toml"

    def relative(self, path: Path) -> str:
        return path.relative_to(self.path).as_posix()


class Source(Protocol):
    """Where a root's files are read from."""

    def read(self, relative: str) -> bytes | None:
        """A file's bytes, or None when it does not exist."""

    def names(self, folder: str) -> list[str] | None:
        """The files directly in a folder, or None when there is no such folder."""


@dataclass(frozen=True)
class WorkTree:
    """The root's files as they are on disk now."""

    path: Path

    def read(self, relative: str) -> bytes | None:
        try:
            return (self.path / relative).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ConfigError(f"{relative}: cannot read it: {exc.strerror}") from None

    def names(self, folder: str) -> list[str] | None:
        where = self.path / folder
        if not where.is_dir():
            return None
        return [p.name if p.is_file() else f"{p.name}/" for p in where.iterdir()]


@dataclass(frozen=True)
class GitRevision:
    """The root's files as they were committed at one git revision (for --at)."""

    path: Path
    commit: str

    def read(self, relative: str) -> bytes | None:
        return show_file(self.path, self.commit, relative)

    def names(self, folder: str) -> list[str] | None:
        return list_tree(self.path, self.commit, folder)


def source_at(path: Path, at: str | None) -> Source:
    if at is None:
        return WorkTree(path)
    try:
        return GitRevision(path, resolve_revision(path, at))
    except GitError as exc:
        raise UsageError(f"--at {at}: {exc}") from None


def parse_toml_file(data: bytes | None, label: str) -> dict[str, Any]:
    """Parse a configuration file; a syntax error names the file and line."""
    if data is None:
        raise ConfigError(f"{label}: missing; create a root with: govscore init DIR")
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{label}: not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: not valid TOML: {exc}") from None


def read_toml(path: Path, label: str | None = None) -> dict[str, Any]:
    """Read a configuration file from disk."""
    return parse_toml_file(WorkTree(path.parent).read(path.name), label or str(path))


def shipped_catalog() -> Catalog:
    text = (files("govscore") / "data" / CLAUSES_FILE).read_text(encoding="utf-8")
    return parse_catalog(tomllib.loads(text), "govscore:clauses.toml")


def load_catalog(root: Path | None = None, source: Source | None = None) -> Catalog:
    """The root's own clauses.toml when it has one, else the catalog shipped with govscore."""
    if source is None and root is not None:
        source = WorkTree(root)
    data = source.read(CLAUSES_FILE) if source is not None else None
    if data is None:
        return shipped_catalog()
    return parse_catalog(parse_toml_file(data, CLAUSES_FILE), CLAUSES_FILE)


def parse_ledger_bytes(data: bytes, label: str, month: str) -> ParsedFile:
    """Parse one ledger file; bytes that are not UTF-8 are a problem of that file."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return ParsedFile(
            (), (Problem(label, line, "not UTF-8 text; save the file as UTF-8"),), True
        )
    if label.endswith(".csv"):
        return parse_csv_ledger(text, label, month)
    return parse_toml_ledger(text, label, month)


def ledger_names(source: Source) -> tuple[list[tuple[str, str]], list[Problem]]:
    """The month files under ledger/, in ledger order, and names that are not month files."""
    names = source.names(LEDGER_DIR)
    if names is None:
        return [], [Problem(LEDGER_DIR, 0, "missing: a root keeps its month files in ledger/")]
    found: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for name in sorted(names, key=lambda n: (n.rsplit(".", 1)[0], not n.endswith(".toml"))):
        if name.startswith("."):
            continue
        stem, _, suffix = name.rpartition(".")
        label = f"{LEDGER_DIR}/{name}"
        if name.endswith("/"):
            problems.append(
                Problem(label, 0, "a folder, not a ledger file: ledger/ holds month files")
            )
        elif suffix in ("toml", "csv") and is_month(stem):
            found.append((stem, label))
        else:
            problems.append(
                Problem(
                    label, 0, "not a ledger file: month files are named YYYY-MM.toml or YYYY-MM.csv"
                )
            )
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
    departments = parse_departments(
        parse_toml_file(source.read(DEPARTMENTS_FILE), DEPARTMENTS_FILE), DEPARTMENTS_FILE
    )
    weights = parse_weights(parse_toml_file(source.read(WEIGHTS_FILE), WEIGHTS_FILE), WEIGHTS_FILE)
    catalog = load_catalog(path, source)
    found, problems = ledger_names(source)
    parsed: dict[str, ParsedFile] = {}
    months: list[str] = []
    for month, label in found:
        data = source.read(label)
        result = parse_ledger_bytes(data or b"", label, month)
        parsed[label] = result
        problems.extend(result.problems)
        if month not in months:
            months.append(month)
    revision = source.commit if isinstance(source, GitRevision) else None
    return Root(
        path, departments, weights, catalog, parsed, tuple(months), tuple(problems), revision
    )
