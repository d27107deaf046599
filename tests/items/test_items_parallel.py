"""Two worker processes find exactly what one process finds, in the same order."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govscore.cli import items as items_cli
from govscore.items import checking
from govscore.items.typos import default_typos

CORPUS = Path(__file__).parent / "corpus"


def test_two_workers_agree_with_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "exports"
    shutil.copytree(CORPUS, folder)
    # A broken line in the middle of a .jsonl file: its file:line must survive the split.
    passing = folder / "passing.jsonl"
    lines = passing.read_text(encoding="utf-8").splitlines()
    lines.insert(len(lines) // 2, "{not json")
    passing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(checking, "PIECE_BYTES", 512)  # cut every .jsonl file into pieces
    typos = default_typos()
    one = items_cli.run_check([folder], typos, workers=1)
    two = items_cli.run_check([folder], typos, workers=2)
    assert one.findings and one.problems  # the corpus really has both
    assert two.findings == one.findings
    assert two.problems == one.problems
    assert (two.checked, two.checked_by_department) == (one.checked, one.checked_by_department)


def test_a_json_array_named_jsonl_is_not_cut_into_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Workers cut a big .jsonl file at line breaks; one that holds a pretty-printed array
    is read whole, as one process reads it: its records, one note, no unreadable lines."""
    records = (CORPUS / "r05-visits.json").read_text(encoding="utf-8")
    array = tmp_path / "array.jsonl"
    array.write_text(records, encoding="utf-8")
    monkeypatch.setattr(checking, "PIECE_BYTES", 512)  # the file is several pieces long
    assert array.stat().st_size > 4 * 512
    typos = default_typos()
    one = items_cli.run_check([array], typos, workers=1)
    two = items_cli.run_check([array], typos, workers=2)
    as_json = items_cli.run_check([CORPUS / "r05-visits.json"], typos, workers=1)
    assert two.findings == one.findings == as_json.findings
    assert [type(problem).__name__ for problem in two.problems] == ["Notice"]
    assert two.problems == one.problems
    assert (two.checked, two.unreadable) == (one.checked, one.unreadable) == (7, 0)
