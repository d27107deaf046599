"""The one place that reads a root's files from disk.

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
from typing import Any

from govscore.catalog import Catalog, parse_catalog
from govscore.config import Departments, Weights, parse_departments, parse_weights, weight_problems
from govscore.errors import ConfigError, Problem
from govscore.ledger import ParsedFile, parse_csv_ledger, parse_toml_ledger
from govscore.model import Entry, is_month
from govscore.validate import Book, review

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

    def entries(self) -> Iterator[Entry]:
        """All entries in ledger order: by month, the TOML file before the CSV file."""
        for parsed in self.files.values():
            yield from parsed.entries

    def review(self, today: date, extra: Sequence[Entry] = ()) -> Book:
        """Validate the whole ledger (plus entries about to be added) and keep what counts."""
        book = review([*self.entries(), *extra], self.catalog, self.departments, today)
        config = weight_problems(self.weights, {c.category for c in self.catalog})
        return replace(book, problems=(*config, *self.problems, *book.problems))

    def ledger_path(self, month: str) -> Path:
        return self.path / LEDGER_DIR / f"{month}.toml"

    def relative(self, path: Path) -> str:
        return path.relative_to(self.path).as_posix()


def read_toml(path: Path, label: str | None = None) -> dict[str, Any]:
    """Read a configuration file; a syntax error names the file and line."""
    label = label or str(path)
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{label}: missing; create a root with: govscore init DIR") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{label}: cannot read it: {exc.strerror}") from None


def load_catalog(root: Path | None = None) -> Catalog:
    """The root's own clauses.toml when it has one, else the catalog shipped with govscore."""
    if root is not None and (root / CLAUSES_FILE).is_file():
        return parse_catalog(read_toml(root / CLAUSES_FILE, CLAUSES_FILE), CLAUSES_FILE)
    shipped = files("govscore") / "data" / CLAUSES_FILE
    return parse_catalog(
        tomllib.loads(shipped.read_text(encoding="utf-8")), "govscore:clauses.toml"
    )


def read_ledger_file(path: Path, label: str, month: str) -> ParsedFile:
    """Parse one ledger file; bytes that are not UTF-8 are a problem of that file."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        return ParsedFile(
            (), (Problem(label, line, "not UTF-8 text; save the file as UTF-8"),), True
        )
    if path.suffix == ".csv":
        return parse_csv_ledger(text, label, month)
    return parse_toml_ledger(text, label, month)


def ledger_files(root: Path) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """The month files under ledger/, in ledger order, and names that are not month files."""
    folder = root / LEDGER_DIR
    found: list[tuple[str, Path]] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        return found, [Problem(LEDGER_DIR, 0, "missing: a root keeps its month files in ledger/")]
    for path in sorted(folder.iterdir(), key=lambda p: (p.stem, p.suffix != ".toml")):
        if path.name.startswith(".") or path.is_dir():
            continue
        if path.suffix in (".toml", ".csv") and is_month(path.stem):
            found.append((path.stem, path))
        else:
            problems.append(
                Problem(
                    f"{LEDGER_DIR}/{path.name}",
                    0,
                    "not a ledger file: month files are named YYYY-MM.toml or YYYY-MM.csv",
                )
            )
    return found, problems


def load_root(path: Path) -> Root:
    """Read a root: its configuration, its catalog and every ledger file."""
    departments = parse_departments(
        read_toml(path / DEPARTMENTS_FILE, DEPARTMENTS_FILE), DEPARTMENTS_FILE
    )
    weights = parse_weights(read_toml(path / WEIGHTS_FILE, WEIGHTS_FILE), WEIGHTS_FILE)
    catalog = load_catalog(path)
    found, problems = ledger_files(path)
    parsed: dict[str, ParsedFile] = {}
    months: list[str] = []
    for month, file in found:
        label = f"{LEDGER_DIR}/{file.name}"
        result = read_ledger_file(file, label, month)
        parsed[label] = result
        problems.extend(result.problems)
        if month not in months:
            months.append(month)
    return Root(path, departments, weights, catalog, parsed, tuple(months), tuple(problems))
