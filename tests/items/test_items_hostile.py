"""Hostile item files: each is a file:line problem, and the run goes on (issue 11 item 9).

Before: a number of more than 4,300 digits raised ValueError and ended the run (in the
worker pool too), a "\\ud800" escape crashed every --format and --record, a .json link
to /dev/zero grew to 5 GB and a FIFO named .jsonl hung.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import run_process
from govscore.cli import items as items_cli
from govscore.cli.commands import cli
from govscore.items import checking, reader
from govscore.items.typos import default_typos

CLEAN = json.loads((Path(__file__).parent / "corpus" / "clean.json").read_text(encoding="utf-8"))[0]
CODE = CLEAN["实施编码"]
FORMATS = ("table", "json", "csv", "markdown")
BIG = "1" + "0" * 5000  # more digits than Python converts to an int (4,300)


def items_check(*args: str) -> subprocess.CompletedProcess[str]:
    """`govscore items check` as a real process; a hang fails the test (run_process times
    out) instead of hanging it."""
    return run_process("items", "check", *args)


def line_of(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False)


def good(n: int) -> dict:
    return {**CLEAN, "实施编码": f"{CODE[:-5]}{n:05d}"}


def test_a_huge_number_in_json_lines_is_one_problem(tmp_path: Path):
    path = tmp_path / "items.jsonl"
    lines = [line_of(good(1)), line_of(good(2))[:-1] + f', "办件量": {BIG}}}', line_of(good(3))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = items_check(str(path))
    assert result.returncode == 0 or result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{path}:2: bad JSON: a number of more than 4,300 digits" in result.stderr
    assert "checked 2 items: 0 with findings, 0 findings, 1 unreadable record" in result.stderr


def test_a_huge_number_in_a_json_array_skips_only_its_record(tmp_path: Path):
    path = tmp_path / "items.json"
    text = "[\n" + ",\n".join(
        [line_of(good(1)), f'{{"实施编码": "{CODE}", "x": [{BIG}]}}', line_of(good(3))]
    )
    path.write_text(text + "\n]\n", encoding="utf-8")
    result = items_check(str(path), "--format", "json")
    assert "Traceback" not in result.stderr
    assert f"{path}:3: bad JSON: a number of more than 4,300 digits" in result.stderr
    assert "checked 2 items" in result.stderr
    assert result.returncode == 1 and json.loads(result.stdout) == []


def test_huge_numbers_written_as_text_are_findings_not_crashes(tmp_path: Path):
    record = {**CLEAN, "承诺办结时限": "9" * 5000 + "工作日", "到办事现场次数": "9" * 5000}
    path = tmp_path / "items.jsonl"
    path.write_text(line_of(record) + "\n", encoding="utf-8")
    result = items_check(str(path), "--format", "json")
    assert "Traceback" not in result.stderr and result.returncode == 1
    fields = {finding["field"] for finding in json.loads(result.stdout)}
    assert {"承诺办结时限", "到办事现场次数"} <= fields


def test_a_huge_number_among_many_records_in_the_worker_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "items.jsonl"
    lines = [line_of(good(n)) for n in range(3000)]
    lines[1700] = lines[1700][:-1] + f', "办件量": {BIG}}}'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(checking, "PIECE_BYTES", 2**18)  # about 25 pieces, for two workers
    one = items_cli.run_check([path], default_typos(), workers=1)
    two = items_cli.run_check([path], default_typos(), workers=2)
    assert [(p.file, p.line) for p in two.problems] == [(str(path), 1701)]
    assert two.problems == one.problems
    assert two.checked == one.checked == 2999


@pytest.mark.parametrize("fmt", FORMATS)
def test_half_a_utf16_pair_is_one_problem_in_every_format(tmp_path: Path, fmt: str):
    lines = tmp_path / "items.jsonl"
    broken = {**CLEAN, "实施编码": CODE[:-1] + "9", "承诺办结时限": "无"}
    lines.write_text(
        line_of(broken).replace("无", "\\ud800")
        + "\n"
        + line_of({**broken, "实施编码": CODE})
        + "\n",
        encoding="utf-8",
    )
    array = tmp_path / "items.json"
    array.write_text(
        '[{"实施编码": "' + CODE[:-1] + '7", "事项名称": "\\udfff"},\n'
        '{"实施编码": "' + CODE[:-1] + '8", "事项名称": "😀\\ud83d\\ude00"}]',
        encoding="utf-8",
    )
    result = items_check(str(lines), str(array), "--format", fmt)
    assert "Traceback" not in result.stderr
    assert f"{lines}:1: bad JSON: a \\uD800–\\uDFFF escape without its other half" in result.stderr
    assert f"{array}:1: bad JSON: a \\uD800–\\uDFFF escape" in result.stderr
    assert "checked 2 items" in result.stderr  # a pair that makes a character (😀) is fine
    assert result.returncode == 1 and result.stdout


def test_half_a_utf16_pair_is_never_booked(root: Path, tmp_path: Path):
    path = tmp_path / "items.jsonl"
    record = {**CLEAN, "实施编码": CODE[:-1] + "X", "实施主体": "市公安局", "承诺办结时限": "无"}
    path.write_text(
        line_of(record).replace(CODE[:-1] + "X", CODE[:-1] + "\\ud800")
        + "\n"
        + line_of(record)
        + "\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["--root", str(root), "items", "check", str(path), "--record", "2023-05"]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{path}:1: bad JSON" in result.stderr
    assert "booked 1 item in 1 entry" in result.stderr


def test_a_link_to_dev_zero_is_named_not_read(tmp_path: Path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "zero.json").symlink_to("/dev/zero")
    (folder / "random.jsonl").symlink_to("/dev/urandom")
    (folder / "real.jsonl").write_text(line_of(good(1)) + "\n", encoding="utf-8")
    (folder / "linked.jsonl").symlink_to(folder / "real.jsonl")  # a link to a regular file
    result = items_check(str(folder))
    assert "Traceback" not in result.stderr and result.returncode == 1
    assert f"{folder / 'zero.json'}: not a regular file but a device" in result.stderr
    assert f"{folder / 'random.jsonl'}: not a regular file but a device" in result.stderr
    assert "checked 2 items" in result.stderr


def test_a_fifo_named_jsonl_does_not_hang(tmp_path: Path):
    folder = tmp_path / "exports"
    folder.mkdir()
    os.mkfifo(folder / "pipe.jsonl")
    os.mkfifo(folder / "pipe.json")
    (folder / "real.json").write_text(json.dumps([good(1)], ensure_ascii=False), encoding="utf-8")
    result = items_check(str(folder))
    assert "Traceback" not in result.stderr
    assert f"{folder / 'pipe.jsonl'}: not a regular file but a FIFO" in result.stderr
    assert f"{folder / 'pipe.json'}: not a regular file but a FIFO" in result.stderr
    assert "checked 1 item:" in result.stderr
    direct = items_check(str(folder / "pipe.jsonl"), "--format", "json")  # named on its own
    assert direct.returncode == 1 and "not a regular file but a FIFO" in direct.stderr


def test_a_file_over_the_size_bound_is_not_read(tmp_path: Path):
    """1 GiB and a byte, sparse: it takes no disk, and govscore does not read it."""
    for name in ("huge.json", "huge.jsonl"):
        with (tmp_path / name).open("wb") as handle:
            handle.truncate(reader.MAX_FILE_BYTES + 1)
    (tmp_path / "real.jsonl").write_text(line_of(good(1)) + "\n", encoding="utf-8")
    result = items_check(str(tmp_path))
    assert "Traceback" not in result.stderr and result.returncode == 1
    for name in ("huge.json", "huge.jsonl"):
        message = f"{tmp_path / name}: larger than 1 GiB; item files over that size are not read"
        assert message in result.stderr
    assert "checked 1 item:" in result.stderr


def test_a_jsonl_file_growing_past_the_bound_while_read_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The bound holds for what is read, not only for the size seen when it was opened."""
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(line_of(good(n)) for n in range(5)) + "\n", encoding="utf-8")
    size = path.stat().st_size
    entries = reader.read_file(path)
    first = next(entries)
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", size // 2)  # as if it had grown since
    rest = list(entries)
    assert isinstance(first, reader.ItemRecord)
    assert rest and isinstance(rest[-1], reader.Problem)
    assert "item files over that size are not read" in rest[-1].message
