"""The ledger cache never changes an answer: cached and uncached runs agree, step by step."""

from __future__ import annotations

import json
import shutil
import tomllib
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import tagged_departments_toml
from govscore.cli import commands as cli_module
from govscore.cli.commands import cli
from govscore.errors import ConfigError
from govscore.ledger.batches import frame, torn_batches
from govscore.ledger.loader import CACHE_DIR, CACHE_FILE, Measuring, WorkTree
from govscore.ledger.text import ledger_text
from govscore.rules.config import parse_departments
from ledgertext import entry, toml

MONTHS = ["2023-04", "2023-05", "2023-06"]
DEPARTMENTS = ["市公安局", "公安局", "市民政局", "市教育局", "市不存在局"]
ADDS = [
    ["-c", "2.4.3", "-n", "2"],
    ["-c", "3.3.1", "-n", "4"],
    ["-c", "2.5.2", "--value", "93.5"],
    ["-c", "2.4.10", "--points", "1.5"],
    ["-c", "4.2.2", "--level", "市级", "--matter", "甲"],
    ["-c", "4.2.4", "--level", "省级"],
    ["-c", "3.1.3", "--recurring"],
    ["-c", "4.4.1"],
    ["-c", "2.4.13"],
    ["-c", "4.3.1"],
    ["-c", "2.3.11", "--points", "1.2"],
]


def run(root: Path, *args: str, cached: bool = True):
    flags = [] if cached else ["--no-cache"]
    return CliRunner().invoke(cli, ["--root", str(root), *flags, *args])


def answers(root: Path, cached: bool) -> list[tuple[int, str, str]]:
    """Everything a report says: month and year JSON, check JSON and the stderr lines."""
    out = []
    for args in (
        *(("month", m, "--format", "json") for m in MONTHS),
        ("year", "2023", "--format", "json"),
        ("check", "--format", "json"),
        ("check",),
    ):
        result = run(root, *args, cached=cached)
        out.append((result.exit_code, result.stdout, result.stderr))
    return out


def ledger_entries(root: Path) -> list[str]:
    ids = []
    for path in sorted((root / "ledger").glob("*.toml")):
        for line in path.read_text(encoding="utf-8", errors="surrogateescape").splitlines():
            if line.startswith('id = "'):
                ids.append(line.split('"')[1])
    return ids


# Adds that any known department may make again and again (no once-a-month rate, no
# zone-only clause): `add` must accept them, so a run where every add is refused fails.
ALWAYS_ACCEPTED = {"2.4.3", "3.3.1", "2.4.10", "4.3.1", "2.4.13", "3.1.3", "4.4.1"}
# Spans 市教育局 may be given (since/until) over MONTHS: none, from May, through May, June alone.
SPANS = {
    "none": "",
    "from May": 'since = "2023-05"\n',
    "through May": 'until = "2023-05"\n',
    "June": 'since = "2023-06"\nuntil = "2023-06"\n',
}
# Edits that are not appends: same size, growing the file, shrinking it.
EDITS = {
    "same": ("count = 2", "count = 3"),
    "grow": ("count = 2", "count = 22"),
    "shrink": ("value = 93.5", "value = 93"),
}

ACTION = st.one_of(
    st.tuples(
        st.just("add"), st.sampled_from(DEPARTMENTS), st.sampled_from(ADDS), st.sampled_from(MONTHS)
    ),
    st.tuples(st.just("follow-up"), st.sampled_from(DEPARTMENTS), st.integers(0, 50)),
    st.tuples(st.just("void"), st.integers(0, 50)),
    st.tuples(st.just("close"), st.integers(0, 50), st.sampled_from(MONTHS)),
    st.tuples(
        st.just("hand"), st.sampled_from(MONTHS), st.sampled_from(["2.4.3", "9.9.9", "2.5.2"])
    ),
    # an entry under a key, by `add --key` or appended by hand: a key already used there is
    # the same entry booked twice (two clones merged), which no run may count
    # (a complaint now and then, which a follow-up may name: one naming a second entry
    # under a key counts no more than it)
    st.tuples(
        st.just("keyed"),
        st.sampled_from(MONTHS),
        st.sampled_from(["k1", "k2"]),
        st.sampled_from(["2.4.3", "4.3.1"]),
    ),
    # the first live entry under a key voided (either copy of one booked twice may be):
    # the next one then stands for the key, and counts
    st.tuples(st.just("void-keyed"), st.sampled_from(["k1", "k2"])),
    # a follow-up appended by hand (as a merge brings another clone's): the door would
    # refuse one naming an entry that does not count, a merge does not ask
    st.tuples(st.just("hand-follow-up"), st.integers(0, 50)),
    # a void or close appended by hand to any month's file, before its entry's month too
    # (a problem, which no run may let void or close the entry)
    st.tuples(
        st.just("hand-void"), st.sampled_from(MONTHS), st.integers(0, 50), st.sampled_from(MONTHS)
    ),
    st.tuples(st.just("edit"), st.sampled_from(MONTHS), st.sampled_from(sorted(EDITS))),
    st.tuples(
        st.just("forget"),
    ),
    # a writer killed during its write: a framed batch cut off at any byte; then repair
    st.tuples(st.just("torn"), st.sampled_from(MONTHS), st.integers(0, 400)),
    st.tuples(st.just("repair")),
    # 市教育局's span in departments.toml changes (since/until): the cache must not keep
    # scores or verdicts of the span before
    st.tuples(st.just("span"), st.sampled_from(sorted(SPANS))),
)
# Each action, then whether the reports are compared before the next one: an edit and an
# append with no read in between must still be noticed.
STEP = st.tuples(ACTION, st.booleans())


def keyed_entries(root: Path, key: str) -> list[str]:
    """The ids of the entries under a key not voided, in ledger order (months, then lines)."""
    found, voided = [], set()
    for path in sorted((root / "ledger").glob("*.toml")):
        last = ""
        for line in path.read_text(encoding="utf-8", errors="surrogateescape").splitlines():
            if line.startswith('id = "'):
                last = line.split('"')[1]
            elif line.startswith('void = "'):
                voided.add(line.split('"')[1])
            elif line.startswith(f'key = "{key}"'):
                found.append(last)
    return [entry_id for entry_id in found if entry_id not in voided]


def ledger_bytes(root: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((root / "ledger").glob("*"))}


def written(root: Path, before: dict[str, bytes], result, *args: str) -> None:
    """A command that exits 0 wrote its entry (the id it printed); one that exits 1 wrote nothing."""
    assert result.exit_code in (0, 1), (args, result.output)
    if result.exit_code == 1:
        assert ledger_bytes(root) == before, args
        return
    assert ledger_bytes(root) != before, args
    assert result.stdout.strip() in ledger_entries(root), args


def torn(root: Path, month: str) -> bool:
    """Whether the month's file ends in a batch cut off by a killed writer (then `add`
    refuses the month until `repair` cuts it back), or is no longer UTF-8 text: a cut
    inside a character with another batch appended after it, refused too; or does not
    end with a newline (two cuts in a row, "#" then "#": refused as a cut-off entry)."""
    path = root / "ledger" / f"{month}.toml"
    if not path.exists():
        return False
    try:
        text = ledger_text(path.read_bytes())
    except UnicodeDecodeError:
        return True
    return bool(torn_batches(text)) or (bool(text) and not text.endswith("\n"))


def apply(root: Path, step: tuple) -> None:
    kind = step[0]
    ids = ledger_entries(root)
    before = ledger_bytes(root)
    if kind == "add":
        _, department, args, month = step
        result = run(root, "add", "-d", department, *args, "--month", month)
        written(root, before, result, *args)
        if department == "市不存在局" or not assessed(root, department, month):
            assert result.exit_code == 1
        elif args[1] in ALWAYS_ACCEPTED and not torn(root, month):
            assert result.exit_code == 0, (step, result.output)
    elif kind == "follow-up" and ids:
        target = ids[step[2] % len(ids)]
        args = ("add", "-d", step[1], "-c", "4.3.2", "--ref", target, "--month", "2023-06")
        written(root, before, run(root, *args), *args)
    elif kind == "void" and ids:
        args = ("void", ids[step[1] % len(ids)], "--reason", "申诉成立")
        written(root, before, run(root, *args), *args)
    elif kind == "close" and ids:
        args = ("close", ids[step[1] % len(ids)], "--through", step[2])
        written(root, before, run(root, *args), *args)
    elif kind == "hand":  # a clerk appends by hand, sometimes wrongly, sometimes a duplicate id
        _, month, clause = step
        path = root / "ledger" / f"{month}.toml"
        fields = (
            {"department": "市民政局", "clause": clause, "value": 96} if clause == "2.5.2" else {}
        )
        extra = (
            entry("市民政局", clause, id=f"hand-{len(ids) % 3}")
            if not fields
            else entry(id=f"hand-{len(ids)}", **fields)
        )
        with path.open("a", encoding="utf-8") as handle:
            handle.write(("" if path.exists() else "# hand\n") + toml(extra))
    elif kind == "keyed":
        _, month, key, clause = step
        if len(ids) % 2:
            args = ("add", "-d", "市民政局", "-c", clause, "--key", key, "--month", month)
            result = run(root, *args)
            assert result.exit_code in (0, 1), (args, result.output)
        else:
            path = root / "ledger" / f"{month}.toml"
            extra = entry("市公安局", clause, id=f"keyed-{len(ids)}", key=key)
            with path.open("a", encoding="utf-8") as handle:
                handle.write(("" if path.exists() else "# hand\n") + toml(extra))
    elif kind == "hand-follow-up" and ids:
        path = root / "ledger" / "2023-06.toml"
        extra = entry("市公安局", "4.3.2", id=f"hand-ref-{len(ids)}", ref=ids[step[1] % len(ids)])
        with path.open("a", encoding="utf-8") as handle:
            handle.write(("" if path.exists() else "# hand\n") + toml(extra))
    elif kind == "hand-void" and ids:
        _, month, number, through = step
        path = root / "ledger" / f"{month}.toml"
        named, made = ids[number % len(ids)], f"hand-void-{len(ids)}"
        extra = (
            entry(id=made, void=named, reason="申诉成立")
            if number % 2
            else entry(id=made, close=named, through=through)
        )
        with path.open("a", encoding="utf-8") as handle:
            handle.write(("" if path.exists() else "# hand\n") + toml(extra))
    elif kind == "void-keyed":
        holders = keyed_entries(root, step[1])
        if holders:
            args = ("void", holders[0], "--reason", "重复登记")
            written(root, before, run(root, *args), *args)
    elif kind == "edit":  # a change that is not an append: the cache must notice
        path = root / "ledger" / f"{step[1]}.toml"
        old, new = EDITS[step[2]]
        if path.exists():
            text = path.read_text(encoding="utf-8", errors="surrogateescape")
            path.write_text(text.replace(old, new, 1), encoding="utf-8", errors="surrogateescape")
    elif kind == "forget":
        (root / CACHE_DIR / CACHE_FILE).unlink(missing_ok=True)
    elif kind == "torn":
        _, month, cut = step
        path = root / "ledger" / f"{month}.toml"
        batch = frame(toml(entry("市民政局", "2.4.3", id=f"torn-{len(ids)}", count=2)), 1)
        data = batch.encode("utf-8")
        with path.open("ab") as handle:
            handle.write(data[: cut % len(data)])
    elif kind == "repair":
        run(root, "repair", "--yes")
    elif kind == "span":
        line = 'name = "市教育局"\n'
        text = tagged_departments_toml()
        assert line in text
        spanned = text.replace(line, line + SPANS[step[1]])
        (root / "departments.toml").write_text(spanned, encoding="utf-8")


def assessed(root: Path, department: str, month: str) -> bool:
    """Whether departments.toml has the department assessed in the month (its span)."""
    text = (root / "departments.toml").read_text(encoding="utf-8")
    found = parse_departments(tomllib.loads(text), "departments.toml").resolve(department)
    return found is None or found.assessed_in(month)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=12))
@example(  # two writes cut after their first byte: "##", no final newline; `add` refuses it
    steps=[
        (("torn", "2023-05", 1), False),
        (("torn", "2023-05", 1), False),
        (("add", "市民政局", ["-c", "2.4.3", "-n", "2"], "2023-05"), True),
    ]
)
@example(  # a cold build sums the plain entry apart from the referral: kept rows still agree
    steps=[
        (("add", "市公安局", ["-c", "2.4.13"], "2023-04"), False),
        (("add", "市公安局", ["-c", "2.4.3", "-n", "2"], "2023-04"), False),
    ]
)
@example(  # a span set after entries were booked, then changed: cache and review agree
    steps=[
        (("add", "市教育局", ["-c", "2.4.3", "-n", "2"], "2023-04"), True),
        (("add", "市教育局", ["-c", "3.1.3", "--recurring"], "2023-05"), True),
        (("span", "June"), True),
        (("add", "市教育局", ["-c", "2.4.3", "-n", "2"], "2023-05"), True),
        (("span", "from May"), True),
    ]
)
@example(  # two copies of a complaint, a follow-up of the second, the first voided
    steps=[
        (("keyed", "2023-05", "k1", "4.3.1"), True),
        (("add", "市民政局", ["-c", "2.4.3"], "2023-05"), False),
        (("keyed", "2023-05", "k1", "4.3.1"), True),
        (("hand-follow-up", 2), True),
        (("void-keyed", "k1"), True),
        (("follow-up", "市公安局", 2), True),
    ]
)
def test_cached_and_uncached_runs_agree_after_every_step(root: Path, steps):
    for child in (root / "ledger").glob("*.toml"):
        child.unlink()
    (root / "departments.toml").write_text(tagged_departments_toml(), encoding="utf-8")
    (root / CACHE_DIR / CACHE_FILE).unlink(missing_ok=True)
    for number, (action, read) in enumerate(steps, 1):
        apply(root, action)
        if read or number == len(steps):
            assert answers(root, cached=True) == answers(root, cached=False), steps[:number]


def test_an_edit_then_a_hand_append_is_never_served_from_the_cache(root: Path):
    """The file grew, but its old bytes changed: the appended tail alone is not the answer."""
    # Appended by hand: an edit inside a batch govscore wrote breaks its end mark
    # (tests/test_batches.py), so the edit here is one only the cache could miss.
    path = root / "ledger" / "2023-05.toml"
    path.write_text(toml(entry("市民政局", "2.4.3", id="h0", count=2)), encoding="utf-8")
    assert month_totals(root, cached=True)["市民政局"] == 99.2  # the cache now knows the file
    text = path.read_text(encoding="utf-8")
    assert "count = 2\n" in text
    text = text.replace("count = 2\n", "count = 5\n") + toml(
        entry("市公安局", "2.4.7", id="hand-1")
    )
    path.write_text(text, encoding="utf-8")
    # 市民政局 2.4.3 × 5 → C2 95 → 25 + 0.40×95 + 35 = 98; 市公安局 2.4.7 × 1 → C2 99 → 99.6
    expected = {"市民政局": 98.0, "市公安局": 99.6}
    assert month_totals(root, cached=True) == expected
    assert month_totals(root, cached=False) == expected


def month_totals(root: Path, cached: bool) -> dict[str, float]:
    """May's totals of the departments not at 100."""
    result = run(root, "month", "2023-05", "--format", "json", cached=cached)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    return {d["department"]: d["total"] for d in payload["departments"] if d["total"] != 100}


def test_warm_runs_use_the_cache_and_an_append_extends_it(root: Path):
    assert run(root, "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05").exit_code == 0
    run(root, "month", "2023-05")
    cache_file = root / CACHE_DIR / CACHE_FILE
    first = cache_file.stat().st_mtime_ns
    run(root, "month", "2023-05")
    assert cache_file.stat().st_mtime_ns == first  # nothing changed: read, not rewritten
    assert run(root, "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05").exit_code == 0
    # 2.4.3 × 2 → C2 98 → 25 + 39.2 + 35 = 99.2
    payload = json.loads(run(root, "month", "2023-05", "--format", "json").stdout)
    civil = next(d for d in payload["departments"] if d["department"] == "市民政局")
    assert civil["total"] == 99.2


def test_a_void_or_close_before_its_entry_counts_on_no_path(root: Path, tmp_path: Path):
    """A void and a close written by hand into April's file, naming May's entries, are
    problems: cold, warm and with an appended tail, the scores are those of the ledger
    without them, as for any other entry with a problem."""
    may = root / "ledger" / "2023-05.toml"
    may.write_text(
        toml(
            entry("市公安局", "2.4.3", id="2023-05-0001"),
            entry("市公安局", "3.1.3", id="2023-05-0002", recurring=True),
            entry("市民政局", "2.4.3", id="2023-05-0003"),
        ),
        encoding="utf-8",
    )
    plain = shutil.copytree(root, tmp_path / "plain")  # the same ledger, without them
    (root / "ledger" / "2023-04.toml").write_text(
        "# hand\n"
        + toml(
            entry(id="2023-04-0001", void="2023-05-0001", reason="申诉成立"),
            entry(id="2023-04-0002", close="2023-05-0002", through="2023-05"),
            entry(id="2023-04-0003", void="2023-05-0003", reason="申诉成立"),
        ),
        encoding="utf-8",
    )

    def totals(at: Path, cached: bool) -> list[dict[str, float]]:
        """May's and June's totals of the departments not at 100 (exit 1: problems)."""
        found = []
        for month in ("2023-05", "2023-06"):
            result = run(at, "month", month, "--format", "json", cached=cached)
            assert result.exit_code == (0 if at == plain else 1), result.output
            rows = json.loads(result.stdout)["departments"]
            found.append({d["department"]: d["total"] for d in rows if d["total"] != 100})
        return found

    # May: 市公安局 2.4.3 × 1 (C2 99) and 3.1.3 (C3 98) → 99.2; 市民政局 2.4.3 × 1 → 99.6.
    # June: 3.1.3 stands on, not closed → 99.6.
    expected = totals(plain, cached=False)
    assert expected == [{"市公安局": 99.2, "市民政局": 99.6}, {"市公安局": 99.6}]
    cache_file = root / CACHE_DIR / CACHE_FILE
    assert totals(root, cached=False) == expected
    assert totals(root, cached=True) == expected  # cold: the snapshot is built
    built = cache_file.stat().st_mtime_ns
    assert totals(root, cached=True) == expected  # warm: read, not rewritten
    assert cache_file.stat().st_mtime_ns == built
    problems = run(root, "check", cached=False)
    assert problems.stdout.count("an entry of a later month") == 3
    for at in (root, plain):  # a tail appended to May's file: the snapshot is extended
        with (at / "ledger" / "2023-05.toml").open("a", encoding="utf-8") as handle:
            handle.write(toml(entry("市民政局", "2.4.3", id="2023-05-0004", count=2)))
    expected = totals(plain, cached=False)
    assert totals(root, cached=True) == expected
    assert totals(root, cached=False) == expected
    assert run(root, "check", cached=True).stdout == problems.stdout


def test_a_same_size_edit_is_never_served_from_the_cache(root: Path):
    # Appended by hand: an edit inside a batch govscore wrote breaks its end line's digest
    # (tests/test_batches.py), so the edit here is one only the cache could miss.
    (root / "ledger" / "2023-05.toml").write_text(
        '[[entry]]\nid = "h1"\ndepartment = "市民政局"\nclause = "2.4.3"\ncount = 2\n',
        encoding="utf-8",
    )
    before = json.loads(run(root, "month", "2023-05", "--format", "json").stdout)
    path = root / "ledger" / "2023-05.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("count = 2", "count = 5"), encoding="utf-8")  # same size
    after = json.loads(run(root, "month", "2023-05", "--format", "json").stdout)
    civil = [
        next(d for d in p["departments"] if d["department"] == "市民政局") for p in (before, after)
    ]
    # 2 → C2 98 → 99.2; 5 → C2 95 → 25 + 38 + 35 = 98
    assert [c["total"] for c in civil] == [99.2, 98.0]


def test_a_damaged_cache_is_rebuilt(root: Path):
    assert run(root, "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05").exit_code == 0
    run(root, "month", "2023-05")
    (root / CACHE_DIR / CACHE_FILE).write_bytes(b"not a pickle")
    assert answers(root, cached=True) == answers(root, cached=False)


def test_the_answer_does_not_depend_on_the_day_asked(root: Path, monkeypatch: pytest.MonkeyPatch):
    """Entries dated ahead (forced in at the door) count on every day, cache or not."""
    monkeypatch.setattr(cli_module, "today", lambda: date(2026, 1, 10))
    for when in (("--date", "2026-01-11"), ("--month", "2026-03")):
        added = run(root, "add", "-d", "市民政局", "-c", "2.4.3", *when, "--force")
        assert added.exit_code == 0, added.output

    def asked(cached: bool) -> list[tuple[int, str, str]]:
        out = []
        for args in (
            ("month", "2026-01", "--format", "json"),
            ("month", "2026-03", "--format", "json"),
            ("check",),
        ):
            result = run(root, *args, cached=cached)
            out.append((result.exit_code, result.stdout, result.stderr))
        return out

    first = asked(cached=True)
    assert [code for code, _out, _err in first] == [0, 0, 0]
    for month in (0, 1):  # 2.4.3 × 1 → C2 99 → 25 + 39.6 + 20 + 15 = 99.6
        civil = json.loads(first[month][1])["departments"]
        assert next(d for d in civil if d["department"] == "市民政局")["total"] == 99.6
    for day in (date(2026, 1, 11), date(2025, 12, 31), date(2030, 6, 1)):
        monkeypatch.setattr(cli_module, "today", lambda day=day: day)
        assert asked(cached=True) == first
        assert asked(cached=False) == first


def test_files_are_measured_two_at_a_time_as_one_at_a_time(tmp_path: Path):
    """A warm run hashes the ledger's files in two threads while it reads the snapshot:
    each file's size and digest are the same as measured alone; a file gone is None; a
    file that cannot be read says so when asked for; one not begun is measured then."""
    (tmp_path / "ledger").mkdir()
    for number in range(5):
        (tmp_path / "ledger" / f"2023-0{number + 1}.toml").write_bytes(b"x" * (number * 3_000_000))
    (tmp_path / "ledger" / "2023-09.toml").mkdir()  # not a file: it cannot be read
    source = WorkTree(tmp_path)
    labels = [f"ledger/2023-0{number}.toml" for number in (1, 2, 3, 4, 5, 7, 9)]
    with Measuring(source, labels) as measure:
        for label in labels[:-2]:
            assert measure(label) == source.measure(label)
            assert measure(label)[0] == (int(label[-6]) - 1) * 3_000_000
        assert measure("ledger/2023-07.toml") is None
        with pytest.raises(ConfigError, match=r"ledger/2023-09\.toml: cannot read it"):
            measure("ledger/2023-09.toml")
        assert measure("ledger/2023-06.toml") is None  # not begun: measured now


KEY = st.text(st.sampled_from("ab\n-键"), min_size=0, max_size=3)
KEY_STEP = st.one_of(
    st.tuples(st.just("in"), KEY),
    st.tuples(st.just("get"), KEY),
    st.tuples(st.just("set"), KEY, st.sampled_from(["2023-05-0001", "x"])),
    st.tuples(st.just("len")),
    st.tuples(st.just("copy")),
    st.tuples(st.just("lines")),
    st.tuples(st.just("all")),
)


@settings(max_examples=300, deadline=None)
@given(
    stored=st.dictionaries(
        st.text(st.sampled_from("ab-键"), min_size=1, max_size=3), st.sampled_from(["i1", "i2"])
    ),
    steps=st.lists(KEY_STEP, max_size=20),
)
@example(stored={"a": "i1", "ab": "i2", "b": "i1"}, steps=[("in", "ab"), ("in", "a-"), ("in", "")])
def test_keys_read_as_joined_lines_answer_as_a_dict(stored: dict[str, str], steps):
    """cache.KeyIndex, as a cache file's two joined columns give it (a warm `add` reads a
    province's million keys so, searching them until asked often), answers every question
    as the dict of those keys would, before and after it builds that dict; its lines, as
    written back, read as the same keys again; a copy changes apart from it."""
    from govscore.ledger.cache import KeyIndex

    index = KeyIndex.joined("\n".join(stored), "\n".join(stored.values()), len(stored))
    model = dict(stored)
    for step in steps:
        if step[0] == "in":
            assert (step[1] in index) == (step[1] in model)
        elif step[0] == "get":
            assert index.get(step[1]) == model.get(step[1])
        elif step[0] == "set":
            index[step[1]] = step[2]
            model[step[1]] = step[2]
        elif step[0] == "len":
            assert len(index) == len(model)
        elif step[0] == "copy":
            other, before = index.copy(), dict(model)
            other["copied"] = "c"
            assert "copied" not in index and dict(index) == before
            assert other == {**before, "copied": "c"}
        elif step[0] == "lines":
            lines = index.lines()
            if lines is not None:
                again = KeyIndex.joined(*lines)
                assert dict(again) == model and list(again) == list(model)
        else:
            assert list(index.items()) == list(model.items())
            assert list(index.values()) == list(model.values())
            assert list(index.keys()) == list(model)
    assert index == model


def test_keys_read_as_joined_lines_refuse_lines_of_the_wrong_number():
    """A cache file whose key columns do not hold their count of lines does not read
    (the cache is rebuilt), rather than pairing keys with the wrong ids."""
    from govscore.ledger.cache import KeyIndex

    for keys, ids, count in (
        ("a\nb", "1", 2),
        ("a", "1\n2", 1),
        ("a", "1", 0),
        ("a\nb", "1\n2", 3),
    ):
        with pytest.raises(ValueError, match="wrong length"):
            KeyIndex.joined(keys, ids, count)
    assert dict(KeyIndex.joined("", "", 0)) == {}
    assert dict(KeyIndex.joined("", "1", 1)) == {"": "1"}
