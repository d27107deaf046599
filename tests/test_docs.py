"""The README and docs/ say only what is true: commands, flags and paths exist; the clause
reference is the catalog's own."""

from __future__ import annotations

import re
import shlex

import click

from conftest import REPO
from govscore.cli.commands import cli
from govscore.ledger.loader import load_rules
from govscore.report.reference import clause_reference

README = (REPO / "README.md").read_text(encoding="utf-8")
# The measurements behind the README's Speed section, moved out of it.
SPEED = (REPO / "docs" / "speed.md").read_text(encoding="utf-8")


def test_the_clause_reference_is_generated_from_the_shipped_catalog():
    """docs/clauses.md is out of date: run python docs/make_clauses.py."""
    written = (REPO / "docs" / "clauses.md").read_text(encoding="utf-8")
    assert written == clause_reference(*load_rules(None))


def test_the_clause_reference_lists_every_clause_with_its_points():
    catalog, _ = load_rules(None)
    text = clause_reference(catalog, load_rules(None)[1])
    for clause in catalog:
        assert f"| {clause.id} | {clause.text.replace('|', chr(92) + '|')} |" in text
    # 4.2.2 by hand: 市级 2 · 省级 5 · 国家级 10, a bonus, a matter counted once a year
    assert (
        "| 4.2.2 | 先进经验、做法被党、政主要领导批示肯定或发文推广 | 加分 | 市级 2 · 省级 5 · 国家级 10 |"
        in text
    )


def test_the_readme_cites_only_files_a_user_has():
    """No shared/ folder ships with govscore: the reference lives in docs/."""
    assert "shared/" not in README + SPEED
    for cited in re.findall(r"`((?:docs|bench|tests|examples)/[^`\s]*)`", README + SPEED):
        assert any(REPO.glob(cited)) if "*" in cited else (REPO / cited).exists(), cited


def commands_in_readme() -> list[list[str]]:
    """Every govscore command line in the README's code blocks and inline code (and in
    docs/speed.md's)."""
    found = []
    blocks = re.findall(r"```(?:sh)?\n(.*?)```", README + SPEED, re.S)
    inline = re.findall(r"`(govscore [^`]+)`", README + SPEED)
    for text in [*blocks, *inline]:
        for line in text.splitlines():
            line = re.sub(r"\s+#.*$", "", line)  # a comment after the command
            for part in re.split(r";|&&|\|\||>|\|", line):
                if part.split()[:1] == ["govscore"]:
                    found.append(shlex.split(part.replace("\\%", "%"))[1:])
    return found


def _options(command: click.Command) -> dict[str, click.Parameter]:
    return {name: p for p in command.params for name in p.opts if name.startswith("-")}


def test_every_command_and_flag_in_the_readme_exists():
    lines = commands_in_readme()
    assert len(lines) > 30  # the parser found the README's examples
    seen = set()
    for words in lines:
        command: click.Command = cli
        usable = _options(cli)
        path: list[str] = []
        rest = iter(words)
        for word in rest:
            if word.startswith("-"):
                flag = word.split("=", 1)[0]
                assert flag in usable, f"govscore {' '.join(words)}: no {flag} on {path}"
                option = usable[flag]
                if isinstance(option, click.Option) and not option.is_flag and "=" not in word:
                    next(rest)  # its value
            elif isinstance(command, click.Group):
                # As click finds it: `items` is loaded only when asked for.
                found = command.get_command(click.Context(command), word)
                assert found is not None, f"govscore {' '.join(words)}: no {word!r}"
                command = found
                usable = {**usable, **_options(command)}
                path.append(word)
        assert path, words
        seen.add(path[0])
    assert seen >= {"add", "month", "year", "check", "audit", "import", "items", "init"}


def test_every_path_in_the_readme_layout_exists():
    layout = README.split("## Layout", 1)[1].split("```", 2)[1]
    folders: list[tuple[int, str]] = []
    checked = 0
    for line in layout.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        name = line.split()[0]
        while folders and folders[-1][0] >= indent:
            folders.pop()
        path = "".join(f for _, f in folders) + name
        assert (REPO / path).exists(), f"README layout: {path} does not exist"
        checked += 1
        if name.endswith("/"):
            folders.append((indent, name))
    assert checked > 25
