"""Files no clerk meant to write: TOML nested hundreds of levels deep, a ledger file saved
in GBK, a CSV cell longer than Python's csv reads by default. Each is a problem named at
its file and line, in govscore's words; none takes a command down with a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from govscore.cli.commands import cli
from govscore.errors import Problem
from govscore.ledger.text import parse_toml_ledger

# An array 500 deep: tomllib recurses once per level and runs out of stack near 330.
DEEP = "x = " + "[" * 500 + "]" * 500
DEEP_REASON = (
    "not valid TOML: arrays or tables are nested too deeply: a ledger or configuration file "
    "needs only a few levels, and nesting that deep is not allowed"
)


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def record(root: Path, department: str, count: str) -> None:
    args = ("add", "-d", department, "-c", "2.4.3", "-n", count, "--month", "2023-05")
    assert run(root, *args).exit_code == 0


def totals(root: Path, month: str = "2023-05", code: int = 0) -> dict[str, float]:
    result = run(root, "month", month, "--format", "json")
    assert result.exit_code == code, result.output
    return {d["department"]: d["total"] for d in json.loads(result.stdout)["departments"]}


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


def test_a_ledger_entry_nested_too_deep_is_a_problem_of_its_line(small: Path):
    """市公安局 2.4.3 ×2: 规范化 (weight 0.4) 100 − 2 = 98, total 100 − 2 × 0.4 = 99.2.
    The deep entry (市民政局) is left out, as any entry that is not valid TOML."""
    record(small, "市公安局", "2")
    ledger = small / "ledger" / "2023-05.toml"
    lines = ledger.read_text(encoding="utf-8").count("\n")
    deep_line = lines + 6  # after a blank line, [[entry]], id, department and clause
    append(
        ledger,
        '\n[[entry]]\nid = "2023-05-0002"\ndepartment = "市民政局"\nclause = "2.4.3"\n'
        + DEEP
        + "\n",
    )
    # Another file's problem is still listed beside it.
    (small / "ledger" / "2023-06.toml").write_text("[[entry]\n", encoding="utf-8")
    result = run(small, "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        f"ledger/2023-05.toml:{deep_line}: {DEEP_REASON}",
        "ledger/2023-06.toml:1: not valid TOML: Expected ']]' at the end of an array declaration",
    ]
    assert totals(small, code=1) == {"市公安局": 99.2, "市民政局": 100.0, "市体育局": 100.0}
    logged = run(small, "log")
    assert logged.exit_code == 1 and "2023-05-0001" in logged.stdout
    assert f"ledger/2023-05.toml:{deep_line}: {DEEP_REASON}" in logged.stderr
    added = run(small, "add", "-d", "市公安局", "-c", "2.4.3", "--month", "2023-05")
    assert added.exit_code == 1
    assert f"ledger/2023-05.toml:{deep_line}: {DEEP_REASON}" in added.stderr
    assert "2023-05-0002" not in ledger.read_text(encoding="utf-8").split(DEEP)[1]


@pytest.mark.parametrize("name", ["departments.toml", "weights.toml", "clauses.toml"])
def test_a_configuration_file_nested_too_deep_is_named_not_a_traceback(small: Path, name: str):
    path = small / name
    if not path.exists():  # a root's own catalog: the shipped one, copied
        (small / "clauses.toml").write_text("", encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    path.write_text(text + DEEP + "\n", encoding="utf-8")
    for args in (("check",), ("month", "2023-05"), ("log",)):
        result = run(small, *args)
        assert (result.exit_code, result.stdout) == (1, ""), args
        # The column of the deepest bracket: after `x = ` and 499 more.
        assert result.stderr == f"error: {name}: {DEEP_REASON} (at line {line}, column 504)\n"


def test_an_amendment_nested_too_deep_is_a_problem_and_left_out(small: Path):
    """The amendment would double 2.4.3's points; left out, 市公安局's one 2.4.3 costs 1
    point in 规范化 (weight 0.4): 100 − 0.4 = 99.6 in September as in May."""
    args = ("add", "-d", "市公安局", "-c", "2.4.3", "--month", "2023-09")
    assert run(small, *args).exit_code == 0
    (small / "amendments").mkdir()
    (small / "amendments" / "2023-09-01.toml").write_text(
        '[notice]\nnumber = "9号"\n[[clause]]\nid = "2.4.3"\npoints = 2\n' + DEEP + "\n",
        encoding="utf-8",
    )
    result = run(small, "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"amendments/2023-09-01.toml: {DEEP_REASON} (at line 6, column 504)"
    )
    assert totals(small, "2023-09", code=1)["市公安局"] == 99.6


def test_brackets_in_strings_and_comments_do_not_move_the_line_named():
    """The line named is where the nesting is deepest, not a note full of brackets."""
    text = (
        '[[entry]]\nid = "2023-05-0001"\nnote = "' + "[" * 900 + '"  # ' + "{" * 900 + "\n"
        "matter = '''\n" + "[" * 900 + "\n'''\n" + DEEP + "\n"
    )
    parsed = parse_toml_ledger(text, "ledger/2023-05.toml", "2023-05")
    assert parsed.entries == ()
    assert parsed.problems == (Problem("ledger/2023-05.toml", 7, DEEP_REASON),)
