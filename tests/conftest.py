"""Shared fixtures: real roots in temp folders, the CLI in-process and as a real process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

import govscore.ledger.text
from govscore.cli.commands import cli
from govscore.ledger.loader import load_catalog, read_toml
from govscore.ledger.text import parse_toml_ledger
from govscore.rules.catalog import Catalog
from govscore.rules.config import Departments, parse_departments, parse_weights
from govscore.rules.scoring import Scorer
from govscore.rules.validate import Book, review

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "govscore" / "data"

# Hypothesis keeps its files (.hypothesis/: caches, an example database) in the checkout
# unless told otherwise: no example database, caches in the system's temp folder. A
# failure prints its falsifying example and seed instead.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "govscore-hypothesis")
settings.register_profile("govscore", database=None)
# Under CI the examples are derived from each test's name (derandomize): the same ones on
# every run, so a clean clone passes or fails the same way. Runs elsewhere draw new ones
# each time and go on hunting; a falsifying example found so becomes an @example.
settings.register_profile("ci", database=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "govscore")

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


@pytest.fixture(autouse=True)
def _cache_key(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache's signing key lives outside any root; tests never touch the user's own."""
    path = tmp_path_factory.getbasetemp() / "config" / "govscore" / "cache.key"
    monkeypatch.setenv("GOVSCORE_KEY_FILE", str(path))
    return path


@pytest.fixture(autouse=True)
def _values_converted_afresh() -> None:
    """Each test converts ledger values itself: govscore.ledger.text remembers the values
    it has converted (an import repeats them a million times), and one remembered from an
    earlier test would skip the conversion a test means to check (mutmut's forked workers
    inherit every value the whole selection converted)."""
    govscore.ledger.text._CONVERTED.clear()


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read messages in English (GOVSCORE_LANG=en), in-process and in real processes.

    govscore speaks Chinese by default; tests of the Chinese interface set
    GOVSCORE_LANG=zh or remove it (tests/test_i18n.py).
    """
    monkeypatch.setenv("GOVSCORE_LANG", "en")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A fresh working root made by `govscore init`, with a few departments tagged.

    Its repository has no commit yet (made first, so that init commits nothing): the
    reports' whole outputs below say 台账尚无提交, not a revision that changes each run."""
    folder = tmp_path / "office"
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
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


def process_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a real process that must run this checkout's govscore.

    PYTHONPATH puts the checkout before any installed govscore, and PYTHONSAFEPATH keeps
    the working folder off sys.path, so a process started in another folder (which may
    hold a `govscore` of its own) still imports the code under test.
    """
    merged = {**os.environ, **(env or {})}
    given = merged.get("PYTHONPATH")
    merged["PYTHONPATH"] = os.pathsep.join([str(REPO), *([given] if given else [])])
    merged["PYTHONSAFEPATH"] = "1"
    return merged


def run_python(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):
    """This checkout's Python code as a real process: no terminal, no input."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=process_env(env),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def run_process(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):
    """Run govscore as a real process, the way a cron job does: no terminal, no input."""
    return run_python("-m", "govscore", *args, cwd=cwd, env=env)


def copy_root(source: Path, target: Path) -> Path:
    """A copy of a root in the checkout (examples/, the repository's own), to run commands
    on: a report writes .govscore-cache/ into its root, and no test writes into the checkout.
    """
    shutil.copytree(source / "ledger", target / "ledger", ignore=shutil.ignore_patterns(".*"))
    if (source / "amendments").is_dir():
        shutil.copytree(source / "amendments", target / "amendments")
    for name in ("departments.toml", "weights.toml", "clauses.toml", "typos.tsv"):
        if (source / name).exists():
            shutil.copy2(source / name, target / name)
    return target


def departments() -> Departments:
    from tomllib import loads

    return parse_departments(loads(tagged_departments_toml()), "departments.toml")


def catalog() -> Catalog:
    return load_catalog(None)


def book_from(months: dict[str, str]) -> Book:
    """Review ledger text given per month, without touching the disk."""
    entries = []
    for month, text in sorted(months.items()):
        parsed = parse_toml_ledger(text, f"ledger/{month}.toml", month)
        assert not parsed.problems, parsed.problems
        entries.extend(parsed.entries)
    return review(entries, catalog(), departments())


def without_category_4(weights_toml: str) -> str:
    """weights.toml's text without [category.4], its 15% given to 规范化 (0.40 → 0.55):
    a root whose weights lack a category the catalog scores."""
    start = weights_toml.index("[category.4]")
    end = weights_toml.index("\n\n", start)
    return weights_toml[:start].replace("weight = 0.40", "weight = 0.55") + weights_toml[end + 2 :]


def scorer_from(months: dict[str, str]) -> Scorer:
    book = book_from(months)
    assert not book.problems, [str(p) for p in book.problems]
    weights = parse_weights(read_toml(DATA / "weights.toml"), "weights.toml")
    return Scorer(book, catalog(), weights, departments())


# -- no test writes into the checkout -------------------------------------------------

# What running Python and pytest leaves by itself, and folders that are not the checkout's.
_NOT_CHECKED = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "mutants"}


def _checkout_files() -> dict[str, int]:
    """Every file in the checkout (what git tracks and what it does not) with its mtime."""
    found = {}
    for folder, subfolders, names in os.walk(REPO):
        subfolders[:] = [
            s for s in subfolders if s not in _NOT_CHECKED and not s.endswith(".egg-info")
        ]
        for name in names:
            path = Path(folder, name)
            found[str(path.relative_to(REPO))] = path.stat().st_mtime_ns
    return found


_BEFORE: dict[str, int] = {}
_DATA = ("ledger", "examples", "departments.toml", "weights.toml")


def pytest_sessionstart(session: pytest.Session) -> None:
    _BEFORE.update(_checkout_files())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if any test made or changed a file in the checkout (a cache, a ledger)."""
    if not _BEFORE or "mutmut" in sys.modules:
        return  # mutmut runs the tests in its own copy (mutants/), and writes there itself
    after = _checkout_files()
    # New files anywhere; changed ones only in the roots' data (a person may edit code
    # while the suite runs).
    touched = sorted(
        p
        for p, mtime in after.items()
        if p not in _BEFORE or (_BEFORE[p] != mtime and p.startswith(_DATA))
    )
    touched += sorted(f"{p} (removed)" for p in _BEFORE.keys() - after.keys())
    if touched:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = ["tests wrote into the checkout:", *(f"  {p}" for p in touched)]
        if reporter is not None:
            reporter.write_line("\n".join(lines), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_collection_modifyitems(session: pytest.Session, items: list[pytest.Item]) -> None:
    """Under mutmut, the tests that reach a mutant run fastest first (it stops at the first
    failure): a mutant a pure test kills never waits for the real-git tests. The same tests
    run either way; mutmut's stats run recorded each one's time in mutmut-stats.json."""
    if "mutmut" not in sys.modules:
        return
    try:
        durations = json.loads(Path("mutmut-stats.json").read_text(encoding="utf-8"))
        took = durations["duration_by_test"]
    except (OSError, ValueError, KeyError):
        return  # the stats run itself: nothing measured yet
    items.sort(key=lambda item: took.get(item.nodeid, float("inf")))
