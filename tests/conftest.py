"""Shared fixtures: real roots in temp folders, the CLI in-process and as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from govscore.cli.commands import cli
from govscore.ledger.loader import load_catalog, read_toml
from govscore.ledger.text import parse_toml_ledger
from govscore.rules.catalog import Catalog
from govscore.rules.config import Departments, parse_departments, parse_weights
from govscore.rules.scoring import Scorer
from govscore.rules.validate import Book, review

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "govscore" / "data"
TODAY = date(2026, 1, 1)

# Three departments keep whole outputs short enough to read.
SMALL_DEPARTMENTS = """\
[[department]]
name = "市公安局"
tags = ["one_window"]

[[department]]
name = "市民政局"

[[department]]
name = "市体育局"
aliases = ["体育"]
"""

# Tags for tests: two departments in the one-window zone, one in the hall.
TAGS = {"市公安局": ["one_window"], "市民政局": ["one_window"], "市教育局": ["hall"]}


def tagged_departments_toml() -> str:
    text = (DATA / "departments.toml").read_text(encoding="utf-8")
    for name, tags in TAGS.items():
        line = f'name = "{name}"\n'
        text = text.replace(line, line + f"tags = {tags!r}\n".replace("'", '"'))
    return text


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commits made by tests have an author, whatever the machine's git config."""
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test Clerk")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "clerk@example.org")
    monkeypatch.delenv("GOVSCORE_ROOT", raising=False)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A fresh working root made by `govscore init`, with a few departments tagged."""
    folder = tmp_path / "office"
    result = CliRunner().invoke(cli, ["init", str(folder)])
    assert result.exit_code == 0, result.output
    (folder / "departments.toml").write_text(tagged_departments_toml(), encoding="utf-8")
    return folder


@pytest.fixture
def small(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test root with three departments; the current folder is where import files go."""
    (root / "departments.toml").write_text(SMALL_DEPARTMENTS, encoding="utf-8")
    work = tmp_path / "exports"
    work.mkdir()
    monkeypatch.chdir(work)
    return root


Run = Callable[..., Result]


@pytest.fixture
def gs(root: Path) -> Run:
    """Run govscore in-process (click's CliRunner) against the test root."""

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, ["--root", str(root), *args], input=input)

    return run


def run_process(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):
    """Run govscore as a real process, the way a cron job does: no terminal, no input."""
    return subprocess.run(
        [sys.executable, "-m", "govscore", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def departments() -> Departments:
    from tomllib import loads

    return parse_departments(loads(tagged_departments_toml()), "departments.toml")


def catalog() -> Catalog:
    return load_catalog(None)


def book_from(months: dict[str, str], today: date = TODAY) -> Book:
    """Review ledger text given per month, without touching the disk."""
    entries = []
    for month, text in sorted(months.items()):
        parsed = parse_toml_ledger(text, f"ledger/{month}.toml", month)
        assert not parsed.problems, parsed.problems
        entries.extend(parsed.entries)
    return review(entries, catalog(), departments(), today)


def scorer_from(months: dict[str, str]) -> Scorer:
    book = book_from(months)
    assert not book.problems, [str(p) for p in book.problems]
    weights = parse_weights(read_toml(DATA / "weights.toml"), "weights.toml")
    return Scorer(book, catalog(), weights, departments())
