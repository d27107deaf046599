"""The cache is evidence too: it runs no code, and no figure comes from a changed one unseen.

Issue 11 item 5: a crafted pickle in .govscore-cache/ ran os.system on month, check, add
and year; editing the sums in it moved 市公安局 from 98 to 100 with check clean.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import pickle
import stat
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_safety import file_size_limit

from conftest import REPO, copy_root, process_env, run_process
from govscore.cli.commands import cli
from govscore.errors import Problem
from govscore.ledger import cachefile, loader
from govscore.ledger.cache import Context, FileMark, Snapshot
from govscore.ledger.cachefile import DEPARTMENTS_MAGIC, MAGIC, seal_texts, unseal_texts
from govscore.ledger.loader import (
    CACHE_DIR,
    CACHE_FILE,
    DEPARTMENTS_CACHE,
    OLD_CACHE_FILE,
    SCORES_FILE,
    read_cached,
)
from govscore.ledger.scores import MAGIC as SCORES_MAGIC
from govscore.model import Entry
from govscore.rules.scoring import Cell, Cells, Summary


def run(root: Path, *args: str, cached: bool = True):
    flags = [] if cached else ["--no-cache"]
    return CliRunner().invoke(cli, ["--root", str(root), *flags, *args])


def police(root: Path, *flags: str) -> dict:
    """市公安局's May 2023 row, as `month --format json` prints it."""
    result = run(root, *flags, "month", "2023-05", "--format", "json")
    payload = json.loads(result.stdout)
    return next(d for d in payload["departments"] if d["department"] == "市公安局")


def answers(root: Path, cached: bool) -> list[tuple[int, str, str]]:
    out = []
    for args in (("month", "2023-05", "--format", "json"), ("year", "2023"), ("check",)):
        result = run(root, *args, cached=cached)
        out.append((result.exit_code, result.stdout, result.stderr))
    return out


@pytest.fixture
def booked(root: Path) -> Path:
    """市公安局 with 2 late cases (2.4.3 × 2) in May: C2 98, total 25 + 39.2 + 20 + 15 = 99.2."""
    result = run(root, "add", "-d", "市公安局", "-c", "2.4.3", "-n", "2", "--month", "2023-05")
    assert result.exit_code == 0, result.output
    assert police(root)["total"] == 99.2
    assert (root / CACHE_DIR / CACHE_FILE).is_file()
    return root


class Payload:
    """What an attacker puts in a pickle: a call that leaves a marker file behind."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_crafted_pickle_in_the_cache_runs_nothing(booked: Path, tmp_path: Path):
    marker = tmp_path / "pwned"
    crafted = pickle.dumps(Payload(marker))
    # Where earlier versions read their pickle, and where the cache lives now.
    (booked / CACHE_DIR / OLD_CACHE_FILE).write_bytes(crafted)
    (booked / CACHE_DIR / CACHE_FILE).write_bytes(crafted)
    for args in (
        ("month", "2023-05"),
        ("check",),
        ("year", "2023"),
        ("add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05"),
    ):
        result = run_process("--root", str(booked), *args)
        assert result.returncode == 0, (args, result.stderr)
        assert "Traceback" not in result.stderr
        assert not marker.exists(), args
    assert not (booked / CACHE_DIR / OLD_CACHE_FILE).exists()  # the old file is cleared away
    assert police(booked)["total"] == 99.2


def test_edited_sums_without_the_key_change_no_report(booked: Path):
    """Editing the cache as its bytes say (C2 −2 → 0) makes it fail its signature."""
    path = booked / CACHE_DIR / CACHE_FILE
    data = path.read_bytes()
    assert data.count('"市公安局":[{"2":"-2"}'.encode()) == 1  # its May cell
    path.write_bytes(data.replace(b'{"2":"-2"}', b'{"2":"0"}'))
    assert police(booked)["categories"]["2"] == 98.0
    assert police(booked)["total"] == 99.2
    assert run(booked, "check").exit_code == 0


def resign(path: Path, key_file: Path, change: tuple[bytes, bytes]) -> None:
    """Change the cache and sign it again, as only someone holding the key can."""
    data = path.read_bytes()
    head, mac, rest = data.split(b"\n", 2)
    assert head == MAGIC
    length, body = rest.split(b"\n", 1)
    size = int(length)
    json_part = body[:size].replace(*change)
    # The texts after the JSON (each month's cells, id lists) change too, with their lengths.
    texts, end = [], size
    for text_length in json.loads(body[:size])["texts"]:
        texts.append(body[end : end + text_length])
        end += text_length
    changed = [text.replace(*change) for text in texts]
    if changed != texts:
        data_ = json.loads(json_part)
        data_["texts"] = [len(text) for text in changed]
        json_part = json.dumps(data_, ensure_ascii=False, separators=(",", ":")).encode()
    rest = b"%d\n%s%s" % (len(json_part), json_part, b"".join(changed))
    key = bytes.fromhex(key_file.read_text().strip())
    mac = hmac.new(key, rest, hashlib.sha256).hexdigest().encode()
    path.write_bytes(b"\n".join([head, mac, rest]))


def test_check_flags_a_cache_changed_by_whoever_holds_the_key(booked: Path, _cache_key: Path):
    path = booked / CACHE_DIR / CACHE_FILE
    resign(path, _cache_key, (b'{"2":"-2"}', b"{}"))
    # The change took: a warm report now believes 市公安局 lost nothing (C2 100, total 100).
    assert police(booked)["total"] == 100.0
    result = run(booked, "check")
    assert result.exit_code == 1
    assert f"{CACHE_DIR}/{CACHE_FILE}: the cache does not agree with a full read" in result.stdout
    assert "sums of 市公安局 in 2023-05" in result.stdout
    payload = json.loads(run(booked, "check", "--format", "json").stdout)
    assert payload["ok"] is True  # the first check rebuilt it from the ledger
    assert police(booked)["total"] == 99.2
    assert answers(booked, cached=True) == answers(booked, cached=False)


def test_check_compares_the_marks_a_cache_holds_and_takes_none_missing_for_wrong(
    booked: Path, _cache_key: Path, tmp_path: Path
):
    """A snapshot a report builds afresh marks no entry of a written key (they are
    tallied: cache.Context.marks); an import marks each entry it appends. check compares
    the marks the cache holds with marks worked out afresh for those keys: one missing
    is no disagreement, one changed is named."""
    rows = tmp_path / "rows.csv"
    for key, day in (("K1", "2023-05-11"), ("K2", "2023-05-12")):
        rows.write_text(f"部门,条款,日期,去重键\n市民政局,2.4.3,{day},{key}\n", encoding="utf-8")
        assert run(booked, "import", str(rows)).exit_code == 0
        if key == "K1":  # a report builds the snapshot afresh: K1's entry is tallied
            (booked / CACHE_DIR / CACHE_FILE).unlink()
            assert run(booked, "month", "2023-05").exit_code == 0
    marks = read_cached(booked).snapshot.context.marks
    assert list(marks) == ["K2"]
    checked = run(booked, "check")
    assert (checked.exit_code, checked.output) == (
        0,
        "3 entries in 1 ledger file (ledger has no commits yet): no problems\n",
    )
    # check rebuilt the snapshot marking the entries of the keys the cache marked (a
    # province's every keyed entry reviewed took minutes): changed, a mark is named.
    marks = read_cached(booked).snapshot.context.marks
    assert sorted(marks) == ["K2"]
    wrong = ("0" if marks["K2"][0] != "0" else "1") + marks["K2"][1:]
    resign(booked / CACHE_DIR / CACHE_FILE, _cache_key, (marks["K2"].encode(), wrong.encode()))
    checked = run(booked, "check")
    assert checked.exit_code == 1
    assert "(what each key's entry is)" in checked.output


def test_check_names_what_differs_in_chinese_too(booked: Path, _cache_key: Path):
    """What differs is named in the reader's language, every part of it (a snapshot
    keeps its problems in the language it was made in: made in Chinese here)."""
    path = booked / CACHE_DIR / CACHE_FILE
    chinese = CliRunner(env={"GOVSCORE_LANG": "zh"})
    for change, said in (
        ((b'{"2":"-2"}', b"{}"), "（市公安局 2023-05 的分值合计）"),
        ((b'"entries":1', b'"entries":7'), "（记录数 7，完整读取为 1）"),
    ):
        assert chinese.invoke(cli, ["--root", str(booked), "month", "2023-05"]).exit_code == 0
        resign(path, _cache_key, change)
        checked = chinese.invoke(cli, ["--root", str(booked), "check"])
        assert checked.exit_code == 1, checked.output
        assert f"缓存与完整读取台账的结果不一致{said}" in checked.stdout


def test_check_json_names_the_cache_problem(booked: Path, _cache_key: Path):
    resign(booked / CACHE_DIR / CACHE_FILE, _cache_key, (b'"entries":1', b'"entries":7'))
    result = run(booked, "check", "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [(p["file"], p["line"]) for p in problems] == [(f"{CACHE_DIR}/{CACHE_FILE}", 0)]
    assert "记录数 7，完整读取为 1" in problems[0]["message"]  # JSON: in Chinese


def test_a_cache_signed_with_another_key_is_ignored(
    booked: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    other = tmp_path / "other.key"
    other.write_text("ab" * 32 + "\n")
    other.chmod(0o600)
    path = booked / CACHE_DIR / CACHE_FILE
    resign(path, other, (b'{"2":"-2"}', b"{}"))  # another user's key, other sums
    foreign = path.read_bytes()
    assert police(booked)["total"] == 99.2
    assert path.read_bytes() != foreign  # rebuilt and signed with this user's key
    monkeypatch.setenv("GOVSCORE_KEY_FILE", str(other))
    assert police(booked)["total"] == 99.2  # and from the other user's side alike


def _truncations(data: bytes) -> list[bytes]:
    return [b"", data[:10], data[: len(MAGIC) + 1], data[: len(data) // 2], data[:-1]]


@pytest.mark.parametrize("cut", range(5))
def test_a_truncated_cache_is_rebuilt(booked: Path, cut: int):
    path = booked / CACHE_DIR / CACHE_FILE
    path.write_bytes(_truncations(path.read_bytes())[cut])
    assert answers(booked, cached=True) == answers(booked, cached=False)
    assert path.read_bytes().startswith(MAGIC + b"\n")


@pytest.mark.parametrize(
    "garbage",
    [b"not a cache", os.urandom(4096), MAGIC + b"\n" + b"0" * 64 + b"\n12\n{}", b"\xff\xfe" * 100],
)
def test_a_garbage_cache_is_rebuilt(booked: Path, garbage: bytes):
    path = booked / CACHE_DIR / CACHE_FILE
    path.write_bytes(garbage)
    result = run_process("--root", str(booked), "month", "2023-05")
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert answers(booked, cached=True) == answers(booked, cached=False)


def test_a_cache_that_is_no_file_is_passed_by(booked: Path):
    """A symlink to /dev/zero or a folder in the cache's place: no hang, no traceback."""
    path = booked / CACHE_DIR / CACHE_FILE
    path.unlink()
    path.symlink_to("/dev/zero")
    result = run_process("--root", str(booked), "month", "2023-05", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert path.is_file() and not path.is_symlink()  # replaced by a real cache
    path.unlink()
    path.mkdir()
    result = run_process("--root", str(booked), "year", "2023")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "change",
    [
        (b'"entries":1', b'"entry_count":1'),  # a layout this version does not know
        (b'"cells":[[', b'"cells":[["x"],['),  # a cell of another shape
        (b'"files":{', b'"files":{"ledger/2023-05.toml":[1],"x":{'),
        (b'"texts":[', b'"texts":[9999999,'),
    ],
)
def test_a_signed_cache_of_another_layout_is_rebuilt(
    booked: Path, _cache_key: Path, change: tuple[bytes, bytes]
):
    resign(booked / CACHE_DIR / CACHE_FILE, _cache_key, change)
    assert answers(booked, cached=True) == answers(booked, cached=False)
    assert run(booked, "check").exit_code == 0


def test_a_signed_cache_whose_context_does_not_read_is_named_by_check(
    booked: Path, _cache_key: Path
):
    """What validating new entries needs (ids, targets, rates …) is read only when asked
    for: reports print without it, `add` then reads the whole ledger, `check` names it."""
    resign(booked / CACHE_DIR / CACHE_FILE, _cache_key, (b'"voided":[', b'"voided":[7,'))
    assert police(booked)["total"] == 99.2
    added = run(booked, "add", "-d", "市公安局", "-c", "2.4.3", "--month", "2023-05")
    assert added.exit_code == 0, added.output
    assert police(booked)["total"] == 98.8  # C2 97: 25 + 0.40 × 97 + 20 + 15
    assert answers(booked, cached=True) == answers(booked, cached=False)
    resign(booked / CACHE_DIR / CACHE_FILE, _cache_key, (b'"voided":[', b'"voided":[7,'))
    result = run(booked, "check")
    assert result.exit_code == 1
    said = "the cache does not agree with a full read of the ledger (what validating new entries needs)"
    assert said in result.stdout
    assert run(booked, "check").exit_code == 0


def test_a_cache_of_another_version_is_rebuilt(booked: Path, _cache_key: Path):
    path = booked / CACHE_DIR / CACHE_FILE
    old_magic = MAGIC.replace(b" 4", b" 3")
    path.write_bytes(path.read_bytes().replace(MAGIC, old_magic, 1))
    assert police(booked)["total"] == 99.2
    assert path.read_bytes().startswith(MAGIC + b"\n")
    # Signed by this user, but made by another govscore version (its key differs).
    data = path.read_bytes()
    key = json.loads(data.split(b"\n")[3][: int(data.split(b"\n")[2])])["key"]
    resign(path, _cache_key, (key.encode(), b"00" * 32))
    before = path.read_bytes()
    assert police(booked)["total"] == 99.2
    assert path.read_bytes() != before


def test_an_old_pickle_cache_is_never_opened(booked: Path, tmp_path: Path):
    """What earlier versions wrote (a pickle of a snapshot) is left alone and removed."""
    marker = tmp_path / "opened"
    (booked / CACHE_DIR / CACHE_FILE).unlink()
    (booked / CACHE_DIR / OLD_CACHE_FILE).write_bytes(pickle.dumps(Payload(marker)))
    assert police(booked)["total"] == 99.2
    assert not marker.exists()
    # The snapshot, and the scores worked out from it (govscore.ledger.scores).
    # The snapshot, the scores worked out from it (govscore.ledger.scores) and the
    # departments parsed.
    assert sorted(p.name for p in (booked / CACHE_DIR).iterdir()) == [
        DEPARTMENTS_CACHE,
        CACHE_FILE,
        SCORES_FILE,
    ]


def test_the_key_is_made_0600_outside_the_root(
    booked: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("GOVSCORE_KEY_FILE")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert police(booked)["total"] == 99.2
    key = tmp_path / "config" / "govscore" / "cache.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(bytes.fromhex(key.read_text().strip())) == 32
    first = key.read_text()
    run(booked, "year", "2023")
    assert key.read_text() == first  # made once, then used


def test_a_key_others_may_write_is_not_used(booked: Path, tmp_path: Path, monkeypatch):
    loose = tmp_path / "loose.key"
    loose.write_text("cd" * 32 + "\n")
    loose.chmod(0o666)
    monkeypatch.setenv("GOVSCORE_KEY_FILE", str(loose))
    (booked / CACHE_DIR / CACHE_FILE).unlink()
    assert police(booked)["total"] == 99.2  # computed from the ledger
    assert not (booked / CACHE_DIR / CACHE_FILE).exists()  # but no cache signed with it


def test_a_snapshot_reads_back_whole(tmp_path: Path):
    """Every kind of entry of the example root (vetoes, rates, recurring, closes, voids,
    exclusive and annual clauses, problems) survives the file exactly."""
    root = copy_root(REPO / "examples", tmp_path / "examples")
    with (root / "ledger" / "2023-05.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[[entry]]\nid = "bad"\ndepartment = "市不存在局"\nclause = "9.9.9"\n')
    made = read_cached(root, use_cache=False).snapshot
    summary = made.summary
    assert made.problems and summary.standing and summary.exclusive and summary.through
    assert made.context.targets and made.context.voided and made.context.rates
    key = b"k" * 32
    back = cachefile.unseal(cachefile.seal(made, key), key)
    assert back is not None
    assert (back.key, back.files, back.entries) == (made.key, made.files, made.entries)
    assert (back.problems, back.summary) == (made.problems, made.summary)
    mine, theirs = back.context, made.context
    assert mine.ids.text == theirs.ids.stored()
    for name in (
        *("targets", "target_bad", "voided", "rates", "wanted", "keys", "sequences"),
        *("target_counts", "follows"),
    ):
        assert getattr(mine, name) == getattr(theirs, name), name
    assert cachefile.unseal(cachefile.seal(made, key), b"x" * 32) is None
    # Written again from what was read: the columns read are written as they were while
    # what they hold is unchanged, and afresh once it changed (here in place).
    again = cachefile.unseal(cachefile.seal(back, key), key)
    assert again is not None
    assert (again.context.rates, again.context.targets) == (theirs.rates, theirs.targets)
    rate = ("2.5.2", "市新设局", "2023-12")
    again.context.rates.add(rate)
    del again.context.targets[next(iter(theirs.targets))]
    third = cachefile.unseal(cachefile.seal(again, key), key)
    assert third is not None
    assert third.context.rates == theirs.rates | {rate}
    assert len(third.context.targets) == len(theirs.targets) - 1


# What the cache file stores of each record. A field added to one of these must be
# stored by govscore/ledger/cachefile.py too (and cache.FORMAT raised), or it is lost.
STORED = {
    Snapshot: {"key", "files", "problems", "summary", "context", "entries"},
    # stored: the columns as read from the file (not a field of the file's own).
    Context: {
        *(
            "ids",
            "targets",
            "target_bad",
            "voided",
            "rates",
            "wanted",
            "keys",
            "marks",
            "sequences",
        ),
        *("target_counts", "follows", "stored"),
    },
    Summary: {"cells", "standing", "exclusive", "annual", "through"},
    Cell: {"sums", "capped", "cap_category", "vetoes", "referrals", "clauses"},
    FileMark: {"size", "digest", "newlines", "broken", "broken_by"},
    Problem: {"file", "line", "message", "field", "entry"},
}


def test_the_cache_file_stores_every_field():
    for record, names in STORED.items():
        assert {f.name for f in dataclasses.fields(record)} == names, record.__name__
    decimals = {name for name, kind in Entry.__annotations__.items() if "Decimal" in str(kind)}
    assert decimals == {Entry._fields[i] for i in cachefile._DECIMALS}
    assert [name for name, kind in Entry.__annotations__.items() if "date" in str(kind)] == ["date"]


def test_a_signed_month_of_sums_that_does_not_read_stops_with_a_message(
    booked: Path, _cache_key: Path
):
    """Each month's sums are read only when a report asks for them, after the signature was
    checked: one that does not read (only a key holder can make one) is a message, and
    `check` rebuilds the cache."""
    path = booked / CACHE_DIR / CACHE_FILE
    resign(path, _cache_key, (b'{"2":"-2"}', b'{"2":"x"}'))
    (booked / CACHE_DIR / SCORES_FILE).unlink()  # no kept scores: May's sums must be read
    result = run_process("--root", str(booked), "month", "2023-05")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{CACHE_DIR}/{CACHE_FILE}: the cache cannot be read" in result.stderr
    checked = run(booked, "check")
    assert checked.exit_code == 1
    assert "the cache does not agree with a full read of the ledger (sums" in checked.stdout
    assert police(booked)["total"] == 99.2  # rebuilt


def rewrite_kept_scores(root: Path, key_file: Path, change: Callable[[str], str]) -> None:
    """Change scores.cache's texts and sign it again, as only someone holding the key can;
    a report then prints 市公安局's May total as 100.0."""
    path = root / CACHE_DIR / SCORES_FILE
    key = bytes.fromhex(key_file.read_text().strip())
    texts = unseal_texts(SCORES_MAGIC, path.read_bytes(), key)
    assert texts is not None
    changed = [change(text) for text in texts]
    assert changed != texts
    path.write_bytes(seal_texts(SCORES_MAGIC, changed, key))
    assert police(root)["total"] == 100.0  # the change took: reports believe it
    result = run(root, "check")
    assert result.exit_code == 1
    assert f"{CACHE_DIR}/{SCORES_FILE}: the kept scores do not agree" in result.stdout
    assert "(2023-05)" in result.stdout
    assert not path.exists()
    assert police(root)["total"] == 99.2
    assert run(root, "check").exit_code == 0


def test_check_flags_kept_scores_changed_by_whoever_holds_the_key(booked: Path, _cache_key: Path):
    """The kept scores (scores.cache) are checked like the snapshot: a changed row is a
    problem of the file, which is removed so that reports work the scores out again."""
    # 市公安局's May total: in its row (led by the total), its figures, and as printed.
    rewrite_kept_scores(
        booked,
        _cache_key,
        lambda text: (
            text.replace('"99.2', '"100.0')
            .replace("99.20\t", "100.00\t")
            .replace(": 99.2,", ": 100.0,")
        ),
    )


def test_check_flags_a_kept_year_row_changed_by_whoever_holds_the_key(
    booked: Path, _cache_key: Path
):
    """A year's kept rows are checked too, apart from its months': 市公安局's 2023 (May
    alone, so 99.2) made 100.0 in the year's rows only."""
    year = json.loads(run(booked, "year", "2023", "--format", "json").stdout)  # keeps them
    assert next(d for d in year["departments"] if d["department"] == "市公安局")["total"] == 99.2
    path = booked / CACHE_DIR / SCORES_FILE
    key = bytes.fromhex(_cache_key.read_text().strip())
    texts = unseal_texts(SCORES_MAGIC, path.read_bytes(), key)
    assert texts is not None
    kinds = {number: kind for number, kind in json.loads(texts[0])["rows"].values()}
    changed = [
        _police_at_100(text) if kinds.get(n) == "year" else text for n, text in enumerate(texts)
    ]
    assert changed != list(texts)
    path.write_bytes(seal_texts(SCORES_MAGIC, changed, key))
    result = run(booked, "check")
    assert result.exit_code == 1
    assert "the kept scores do not agree with scoring the ledger afresh (2023)" in result.stdout
    assert not path.exists()
    assert police(booked)["total"] == 99.2


def test_check_takes_no_edit_of_the_ledger_for_a_changed_year_row(booked: Path):
    """A year's kept row of a department whose months changed since (an edit of the
    ledger, not of the cache) is not read by any report, nor compared by `check`: the
    edit is no reason to call the kept scores changed. 市公安局's 2.4.3 × 2 in May, and
    3 more appended by hand: C2 95 → 25 + 38 + 20 + 15 = 98.0, in May and in the year
    (May alone)."""
    assert run(booked, "year", "2023", "--format", "json").exit_code == 0  # rows kept
    path = booked / "ledger" / "2023-05.toml"
    hand = '\n[[entry]]\nid = "hand-1"\ndepartment = "市公安局"\nclause = "2.4.3"\ncount = 3\n'
    path.write_text(path.read_text(encoding="utf-8") + hand, "utf-8")
    checked = run(booked, "check")
    assert (checked.exit_code, checked.stdout.count("problem")) == (0, 0), checked.stdout
    assert (booked / CACHE_DIR / SCORES_FILE).exists()
    year = json.loads(run(booked, "year", "2023", "--format", "json").stdout)
    assert next(d for d in year["departments"] if d["department"] == "市公安局")["total"] == 98.0
    assert police(booked)["total"] == 98.0


def _police_at_100(text: str) -> str:
    """A year's kept rows with 市公安局's (the one row led by 99.2…) led by 100."""
    lines = text.split("\n")
    police_rows = [n for n, line in enumerate(lines) if line.startswith("99.2")]
    assert len(police_rows) == 1
    line = lines[police_rows[0]]
    lines[police_rows[0]] = "100" + line[line.index("\t") :]
    return "\n".join(lines)


def test_check_flags_rows_kept_as_printed_changed_by_whoever_holds_the_key(
    booked: Path, _cache_key: Path
):
    """A report prints a department's row as it printed it before (kept in scores.cache
    beside its scores): a changed printed row alone is caught by `check` too."""
    assert police(booked)["total"] == 99.2  # printed, and kept as printed
    printed = '"department": "市公安局", "total": 99.2,'
    rewrite_kept_scores(
        booked, _cache_key, lambda text: text.replace(printed, printed.replace("99.2", "100.0"))
    )


# -- departments.toml, kept parsed (a province's 10,000 departments take tomllib 0.05 s) -------


def test_an_edited_departments_toml_is_never_read_from_the_kept_departments(booked: Path):
    kept = booked / CACHE_DIR / DEPARTMENTS_CACHE
    before = kept.read_bytes()
    path = booked / "departments.toml"
    original = path.read_text(encoding="utf-8")
    path.write_text(original + '\n[[department]]\nname = "巿档案局"\n', encoding="utf-8")
    result = run(booked, "month", "2023-05", "--format", "json")
    names = [d["department"] for d in json.loads(result.stdout)["departments"]]
    assert "巿档案局" in names  # the new department, and its look-alike check, at once
    assert "巿档案局 looks like 市档案局" in result.stderr
    assert kept.read_bytes() != before
    assert answers(booked, cached=True) == answers(booked, cached=False)
    path.write_text(original, encoding="utf-8")  # and back as it was
    result = run(booked, "month", "2023-05", "--format", "json")
    assert "巿档案局" not in result.stdout and "looks like" not in result.stderr
    assert answers(booked, cached=True) == answers(booked, cached=False)


def test_kept_departments_changed_without_the_key_are_not_read(booked: Path):
    kept = booked / CACHE_DIR / DEPARTMENTS_CACHE
    data = kept.read_bytes()
    assert "市公安局".encode() in data
    kept.write_bytes(data.replace("市公安局".encode(), "市公安厅".encode()))
    assert police(booked)["total"] == 99.2
    assert "市公安厅" not in run(booked, "year", "2023").stdout
    assert run(booked, "check").exit_code == 0


def test_check_flags_kept_departments_changed_by_whoever_holds_the_key(
    booked: Path, _cache_key: Path
):
    kept = booked / CACHE_DIR / DEPARTMENTS_CACHE
    key = bytes.fromhex(_cache_key.read_text().strip())
    texts = unseal_texts(DEPARTMENTS_MAGIC, kept.read_bytes(), key)
    assert texts is not None and "市公安局" in texts[1]
    kept.write_bytes(
        seal_texts(DEPARTMENTS_MAGIC, [texts[0], texts[1].replace("市公安局", "市公安厅")], key)
    )
    assert "市公安厅" in run(booked, "year", "2023").stdout  # the change took
    result = run(booked, "check")
    assert result.exit_code == 1
    assert (
        f"{CACHE_DIR}/{DEPARTMENTS_CACHE}: the kept departments do not agree with "
        "departments.toml read afresh" in result.stdout
    )
    assert "市公安厅" not in result.stdout
    assert not kept.exists()
    assert police(booked)["total"] == 99.2
    assert run(booked, "check").exit_code == 0


def test_a_month_of_cells_is_kept_one_department_a_line():
    """Each department's cell on a line of its own (read, digested and decoded alone),
    whatever its name or its entries' ids hold: quotes, a colon and bracket, a newline."""
    cells = Cells()
    odd = '市"引号":[局\\'
    cells[(odd, "2023-05")] = Cell(
        sums={"2": Decimal("-2")}, referrals=[("e\n1", "4.3.2", "市纪委监委")]
    )
    cells[("市公安局", "2023-05")] = Cell(sums={"1": Decimal("1.5")}, vetoes=['a",\n"b'])
    text = cachefile.month_text(cells, "2023-05")
    assert text.count("\n") == 1
    back = cachefile.month_cells(text)
    assert list(back) == [odd, "市公安局"]
    assert dict(back.items()) == dict(cells.month("2023-05").items())
    assert cachefile.month_text(Cells(), "2023-05") == "{}"
    assert dict(cachefile.month_cells("{}").items()) == {}


def test_a_months_cells_sent_as_text_are_written_once_and_only_while_they_hold():
    """A cold year sends each department's cell to its workers as text (month_forms) and
    then writes the snapshot (month_text): the month's text is the one month_forms made,
    the cells as month_text alone would write them, until a cell of the month changes."""
    cells = Cells()
    cells[("市公安局", "2023-05")] = Cell(sums={"2": Decimal("-2")}, vetoes=["e1"])
    cells[("市民政局", "2023-05")] = Cell(sums={"1": Decimal("1.5")})
    alone = cells.copy()
    forms = cachefile.month_forms(cells, "2023-05")
    assert forms == {
        "市公安局": '[{"2":"-2"},{},{},["e1"],[],{}]',
        "市民政局": '[{"1":"1.5"},{},{},[],[],{}]',
    }
    text = cachefile.month_text(alone, "2023-05")
    assert cells.raw("2023-05") == text  # kept as written: month_text writes nothing again
    assert cachefile.month_text(cells, "2023-05") == text
    assert dict(cachefile.month_cells(text).items()) == dict(cells.month("2023-05").items())
    # A month read as text stays that text; a cell changed, it is written afresh.
    cells.keep_raw("2023-05", text, cachefile.month_cells)
    assert cachefile.month_forms(cells, "2023-05") == forms
    assert cells.raw("2023-05") is text
    cells[("市民政局", "2023-05")] = Cell(sums={"1": Decimal("2")})
    assert cells.raw("2023-05") is None
    assert cachefile.month_forms(cells, "2023-05")["市民政局"] == '[{"1":"2"},{},{},[],[],{}]'
    assert cachefile.month_text(cells, "2023-05") == text.replace('"1.5"', '"2"')


def test_kept_departments_that_are_not_text_are_parsed_afresh(booked: Path, _cache_key: Path):
    kept = booked / CACHE_DIR / DEPARTMENTS_CACHE
    key = bytes.fromhex(_cache_key.read_text().strip())
    texts = unseal_texts(DEPARTMENTS_MAGIC, kept.read_bytes(), key)
    assert texts is not None
    kept.write_bytes(seal_texts(DEPARTMENTS_MAGIC, [texts[0], texts[1].encode() + b"\xff"], key))
    assert police(booked)["total"] == 99.2
    assert run(booked, "check").exit_code == 0


# -- writing a large cache file over its last version -----------------------------------


def _large(mark: bytes) -> bytes:
    return mark * loader.SPARE_MIN_BYTES


def test_a_large_cache_file_is_written_over_its_last_version(tmp_path: Path):
    """A province's snapshot (40 MB) written into a new file costs the system its pages:
    the version a write replaces is kept as `.NAME.spare` and the next write goes into it.
    Small files are written as before, and no spare of a large one outlives it."""
    cache = tmp_path / CACHE_DIR
    spare = cache / f".{CACHE_FILE}.spare"
    assert loader._write_cache_file(tmp_path, CACHE_FILE, _large(b"a"))
    assert not spare.exists()  # nothing replaced yet
    assert loader._write_cache_file(tmp_path, CACHE_FILE, _large(b"b") + b"longer")
    assert spare.read_bytes() == _large(b"a")  # the version replaced
    reused = spare.stat().st_ino
    assert loader._write_cache_file(tmp_path, CACHE_FILE, _large(b"c"))
    assert (cache / CACHE_FILE).read_bytes() == _large(b"c")  # shorter: the rest cut off
    assert (cache / CACHE_FILE).stat().st_ino == reused  # written over, not a new file
    assert spare.read_bytes() == _large(b"b") + b"longer"
    assert stat.S_IMODE(spare.stat().st_mode) == stat.S_IMODE((cache / CACHE_FILE).stat().st_mode)
    assert loader._write_cache_file(tmp_path, CACHE_FILE, b"small")
    assert (cache / CACHE_FILE).read_bytes() == b"small"
    assert sorted(p.name for p in cache.iterdir()) == [CACHE_FILE]


@pytest.mark.parametrize("kind", ["symlink", "hard link", "fifo", "folder"])
def test_a_spare_that_is_not_a_plain_file_of_its_own_is_never_written_through(
    tmp_path: Path, kind: str
):
    """Whatever stands where the spare goes (someone's link to a ledger file, a pipe, a
    folder), the write goes into a new file, and what the name points to is unchanged."""
    cache = tmp_path / CACHE_DIR
    spare = cache / f".{CACHE_FILE}.spare"
    victim = tmp_path / "2023-05.toml"
    victim.write_bytes(b"[[entry]]\n")
    assert loader._write_cache_file(tmp_path, CACHE_FILE, _large(b"a"))
    if kind == "symlink":
        spare.symlink_to(victim)
    elif kind == "hard link":
        os.link(victim, spare)
    elif kind == "fifo":
        os.mkfifo(spare)
    else:
        spare.mkdir()
    assert loader._write_cache_file(tmp_path, CACHE_FILE, _large(b"b"))
    assert (cache / CACHE_FILE).read_bytes() == _large(b"b")
    assert victim.read_bytes() == b"[[entry]]\n"
    assert not [p for p in cache.iterdir() if p.name.startswith(".ledger-")]
    assert not (cache / f".{CACHE_FILE}.previous").exists()
    if kind == "folder":  # not ours to remove: the version replaced is let go
        assert spare.is_dir()
        return
    # The version replaced is the spare now, a plain file of its own.
    assert spare.is_file() and not spare.is_symlink() and spare.stat().st_nlink == 1
    assert spare.read_bytes() == _large(b"a")


def test_while_another_process_writes_the_cache_a_write_uses_a_file_of_its_own(tmp_path: Path):
    """Two runs may write the cache at once (reports read under a shared lock): the one
    that finds the cache folder locked writes a new file and leaves the spare alone."""
    import fcntl

    cache = tmp_path / CACHE_DIR
    spare = cache / f".{CACHE_FILE}.spare"
    for mark in (b"a", b"b"):
        assert loader._write_cache_file(tmp_path, CACHE_FILE, _large(mark))
    other = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDONLY);"
            "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); sys.stdin.read()",
            str(cache),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None and other.stdout.readline() == "held\n"
        before = spare.stat().st_ino
        assert loader._write_cache_file(tmp_path, CACHE_FILE, _large(b"c"))
        assert (cache / CACHE_FILE).read_bytes() == _large(b"c")
        assert spare.stat().st_ino == before and spare.read_bytes() == _large(b"a")
        assert (cache / CACHE_FILE).stat().st_ino != before
    finally:
        other.communicate("")
    fd = os.open(cache, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # let go once the write is done
    finally:
        os.close(fd)


def test_a_large_write_cut_short_leaves_the_last_version_and_no_leftover(tmp_path: Path):
    """On a full disk the write over the spare fails half-way: the cache file is the last
    whole version, and the half-written spare is removed (the next write makes a new one)."""
    cache = tmp_path / CACHE_DIR
    for mark in (b"a", b"b"):
        assert loader._write_cache_file(tmp_path, CACHE_FILE, _large(mark))
    script = (
        "import sys; from pathlib import Path; from govscore.ledger import loader;"
        "data = b'c' * (2 * loader.SPARE_MIN_BYTES);"
        "print(loader._write_cache_file(Path(sys.argv[1]), loader.CACHE_FILE, data))"
    )
    limit = 3 * loader.SPARE_MIN_BYTES // 2
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        preexec_fn=file_size_limit(limit),
    )
    assert done.stdout == "False\n", done.stderr
    assert (cache / CACHE_FILE).read_bytes() == _large(b"b")
    assert sorted(p.name for p in cache.iterdir()) == [CACHE_FILE]
    assert loader._write_cache_file(tmp_path, CACHE_FILE, _large(b"d"))
    assert (cache / CACHE_FILE).read_bytes() == _large(b"d")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize("name", [CACHE_FILE, SCORES_FILE, DEPARTMENTS_CACHE, "import.cache"])
def test_a_named_pipe_in_place_of_a_cache_file_is_passed_over(booked: Path, name: str):
    """A pipe in place of a cache file (which nobody will ever write to) would keep a
    command waiting for good: it is refused as any file that is not a plain one is, and
    the command goes on (a real process, under a time limit)."""
    path = booked / CACHE_DIR / name
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    csv = booked.parent / "rows.csv"
    csv.write_text("department,clause,key\n市民政局,2.4.3,k1\n", encoding="utf-8")
    imported = ("import", str(csv), "--month", "2023-05")
    for args in (("month", "2023-05", "--format", "json"), imported, ("check",)):
        done = subprocess.run(
            [sys.executable, "-m", "govscore", "--root", str(booked), *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=process_env(),
        )
        assert done.returncode == 0, (args, done.stderr)
    assert police(booked)["total"] == 99.2
