"""A province's scale: what was made quicker for it still says exactly the same."""

from __future__ import annotations

import gc
import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govscore.errors import ConfigError, DataError
from govscore.figures import round2
from govscore.ledger import cachefile, scores
from govscore.ledger.cache import differences
from govscore.ledger.loader import (
    CACHE_DIR,
    CACHE_FILE,
    SCORES_FILE,
    keep_scores,
    load_view,
    read_cached,
)
from govscore.ledger.workers import cycles_left
from govscore.report.render import json_text, rows_text
from govscore.report.shapes import ranking_json, shown_text
from govscore.rules.scoring import (
    CapUse,
    Cell,
    DepartmentScore,
    FloorUse,
    Ranking,
    Referral,
    Scorer,
)
from ledgertext import entry, toml

NAMES = st.text(max_size=6)  # quotes, backslashes, control characters, 中文 among them
FIGURES = st.decimals(allow_nan=False, allow_infinity=False)  # -0, 1E+2 and 0.1000 too
FIGURED = st.dictionaries(NAMES, FIGURES, max_size=5)
SCORES = st.builds(
    DepartmentScore,
    department=NAMES,
    categories=FIGURED,
    total=FIGURES,
    vetoes=st.lists(NAMES, max_size=2).map(tuple),
    referrals=st.lists(st.builds(Referral, *[NAMES] * 5), max_size=2).map(tuple),
    caps=st.lists(st.builds(CapUse, NAMES, NAMES, FIGURES, FIGURES, NAMES), max_size=2).map(tuple),
    months=FIGURED,
    floors=st.lists(st.builds(FloorUse, NAMES, FIGURES, FIGURES, NAMES), max_size=2).map(tuple),
    clauses=FIGURED,
)


@settings(max_examples=300, deadline=None)
@given(score=SCORES)
def test_a_kept_row_is_its_figures_as_the_json_encoder_writes_them(score: DepartmentScore):
    """scores.encode writes the lists of names and figures itself: the same text as the
    encoder would, and it reads back as the same score."""

    def pairs(values: dict[str, Decimal]) -> list[list[str]]:
        return [list(values), [str(value) for value in values.values()]]

    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    figures = [
        pairs(score.categories),
        str(score.total),
        list(score.vetoes),
        [[r.entry, r.clause, r.department, r.month, r.to] for r in score.referrals],
        [[c.group, c.category, str(c.earned), str(c.limit), c.month] for c in score.caps],
        pairs(score.months),
        [[f.category, str(f.raw), str(f.floor), f.month] for f in score.floors],
        pairs(score.clauses),
    ]
    line = scores.encode(score)
    assert line.split("\t", 2)[2] == encoder.encode(figures)
    assert scores.decode(score.department, line) == score


PARTS = ["department", "total", "categories", "vetoes", "referrals", "caps", "months"]
PARTS += ["floors", "clauses", "lines", "vetoed"]


@settings(max_examples=200, deadline=None)
@given(score=SCORES, order=st.permutations(PARTS))
def test_a_kept_row_reads_each_part_as_the_score_had_it(score: DepartmentScore, order):
    """A kept row decodes each part of its figures when first read (a province's table
    of 10,000 rows reads categories and caps, not each clause's sum): read in any
    order, each part is the score's."""
    kept = scores.Kept(score.department, scores.encode(score), ("key", 0))
    for name in order:
        assert getattr(kept, name) == getattr(score, name), name
    assert kept == score


def test_a_kept_row_not_as_encode_writes_it_is_read_whole():
    """A row read a part at a time expects encode's compact JSON; one with spaces (JSON
    all the same) is read whole, and reads as its score."""
    score = DepartmentScore("市公安局", {"2": Decimal("98")}, Decimal("99.2"), caps=())
    line = scores.encode(score).replace("\t[", "\t[ ", 1).replace(",", ", ")
    kept = scores.Kept(score.department, line, ("key", 0))
    assert (kept.categories, kept.caps, kept.clauses) == ({"2": Decimal("98")}, (), {})
    assert kept == score


def test_a_kept_row_whose_part_does_not_read_names_the_file():
    """Only whoever holds the key can sign a row that does not read: reading the part
    that does not stops the report with a message naming the file, not a traceback."""
    score = DepartmentScore("市公安局", {"2": Decimal("98")}, Decimal("99.2"))
    line = scores.encode(score).replace("[[],[]]]", '[["2.4.3"],["x"]]]')
    kept = scores.Kept(score.department, line, ("key", 0))
    assert kept.categories == {"2": Decimal("98")}
    with pytest.raises(DataError) as raised:
        _ = kept.clauses
    assert ".govscore-cache/scores.cache: the kept scores cannot be read" in str(raised.value)


CELLS = st.builds(
    Cell,
    sums=FIGURED,
    capped=FIGURED,
    cap_category=st.dictionaries(NAMES, NAMES, max_size=3),
    vetoes=st.lists(NAMES, max_size=2),
    referrals=st.lists(st.tuples(NAMES, NAMES, NAMES), max_size=2),
    clauses=FIGURED,
)


@settings(max_examples=300, deadline=None)
@given(cell=CELLS)
def test_a_cells_text_is_its_row_as_the_json_encoder_writes_it(cell: Cell):
    """cachefile.cell_text writes most cells itself: the same text as the encoder would
    (the snapshot's text, and the digests the kept scores are keyed by, depend on it),
    and it reads back as the same cell."""
    text = cachefile.cell_text(cell)
    assert text == cachefile.as_json(cachefile.cell_row(cell))
    assert cachefile.stored_cells({"d": text})["d"] == cell


def test_rows_text_is_the_same_json_value_one_row_a_line():
    payload = {
        "year": 2023,
        "months": ["2023-01", "2023-02"],
        "departments": [
            {"rank": 1, "department": "济南市东城县公安局", "total": Decimal("99.125")},
            {"rank": 2, "department": 'a "quoted"\nname', "vetoes": [], "on": date(2023, 5, 1)},
        ],
        "problems": [],
        "referrals": [{"entry": "2023-03-0012", "to": "纪检监察机关"}],
        "revision": None,
    }
    text = rows_text(payload)
    assert json.loads(text) == json.loads(json_text(payload))
    lines = text.splitlines()
    # Each department whole on a line of its own (the quoted newline stays escaped).
    assert lines[7] == '    {"rank": 1, "department": "济南市东城县公安局", "total": 99.13},'
    assert lines[8].startswith('    {"rank": 2, "department": "a \\"quoted\\"\\nname"')
    assert lines[0] == "{" and lines[-1] == "}"
    assert rows_text({}) == "{\n}" and json.loads(rows_text({})) == {}


# -- many departments: kept scores, tallies and the ordinary path agree ------------------------

CITIES = ["济南市", "青岛市", "烟台市", "威海市"]
COUNTIES = ["东城县", "西山区", "南河县", "北川区", "安宁县"]
UNITS = ["公安局", "教育局", "民政局", "财政局", "商务局", "水务局", "司法局", "税务局", "医保局", "文旅局"]  # fmt: skip
MONTHS = ["2023-04", "2023-05", "2023-06"]


def province(count: int) -> list[str]:
    names = [f"{c}{k}{u}" for c in CITIES for k in COUNTIES for u in UNITS]
    return names[:count]


def write_departments(root: Path, names: list[str]) -> None:
    text = "".join(f'\n[[department]]\nname = "{name}"\n' for name in names)
    (root / "departments.toml").write_text(text, encoding="utf-8")


# A month's entries, as (kind, department number, figure): plain deductions and capped
# bonuses, a rate, a complaint and its follow-up, a recurring entry, a veto, a referral.
ENTRY = st.tuples(
    st.sampled_from(
        [
            *["2.4.3", "2.4.3", "1.1.1", "2.4.10", "3.3.1", "4.2.1", "4.2.3", "2.5.2", "4.3.1"],
            *["follow-up", "recurring", "4.4.1", "2.4.13", "void", "close", "4.2.2"],
        ]
    ),
    st.integers(0, 10**6),
    st.sampled_from(["1", "2", "1.5", "0.3", "96.5", "100"]),
)


def fields_of(kind: str, name: str, figure: str, earlier: list[dict[str, Any]]) -> dict[str, Any]:
    """One entry's fields (a follow-up, void or close names an earlier entry)."""
    if kind in ("follow-up", "void", "close") and earlier:
        target = earlier[int(Decimal(figure) * 7) % len(earlier)]
        if kind == "void":
            return entry(void=target["id"], reason="申诉成立")
        if kind == "close":
            return entry(close=target["id"], through=MONTHS[1])
        return entry(target.get("department", name), "4.3.2", ref=target["id"])
    if kind in ("follow-up", "void", "close"):
        kind = "2.4.3"
    fields: dict[str, Any] = {}
    if kind == "2.5.2":
        fields["value"] = Decimal(figure) if Decimal(figure) > 50 else Decimal("93.5")
    elif kind in ("2.4.10", "4.2.3"):
        fields["points"] = Decimal(figure) if kind == "2.4.10" else Decimal("0.2")
        if kind == "2.4.10" and fields["points"] < 1:
            fields["points"] = Decimal(1)
    elif kind == "recurring":
        return entry(name, "3.1.3", recurring=True)
    elif kind == "4.2.2":
        return entry(name, "4.2.2", level="市级", matter="甲")
    elif kind in ("2.4.3", "3.3.1", "4.2.1") and figure in ("1", "2"):
        fields["count"] = int(figure)
    return entry(name, kind, **fields)


def ledger_texts(names: list[str], months: list[list[tuple[str, int, str]]]) -> dict[str, str]:
    files, earlier = {}, []
    for month, rows in zip(MONTHS, months, strict=True):
        tables = []
        for number, (kind, place, figure) in enumerate(rows, start=1):
            fields = fields_of(kind, names[place % len(names)], figure, earlier)
            fields["id"] = f"{month}-{number:04d}"
            tables.append(fields)
            earlier.append(fields)
        files[month] = "# govscore ledger: append only\n" + toml(*tables)
    return files


def scored(root: Path, cached: bool) -> tuple[Any, ...]:
    """Every month's and the year's scores, in full (categories, caps, floors, clauses),
    and as `--format json` prints them (cached: from the rows kept as printed, once
    they are kept; a department's JSON row is printed a second way there)."""
    view = load_view(root, use_cache=cached)
    memo = view.memo if cached else None
    scorer = Scorer(None, view.catalog, view.weights, view.departments, view.summary, memo)
    months = tuple(scorer.month(month).rows for month in MONTHS)
    year = scorer.year(2023, MONTHS).rows
    printed = tuple(
        rows_text(ranking_json(Ranking(rows), {}, kept=memo)) for rows in (*months, year)
    )
    if cached:
        keep_scores(view)
    return (*months, year, printed, view.problems)


def agree(root: Path) -> None:
    fresh = scored(root, cached=False)
    assert scored(root, cached=True) == fresh  # worked out (or partly read) now
    assert scored(root, cached=True) == fresh  # read back from the file (and printed)
    assert scored(root, cached=True) == fresh  # printed as kept


def counting(view: Any) -> tuple[Scorer, list[str]]:
    """A scorer of the view that notes each month it works out itself (not read from the
    kept rows, nor worked out by helpers)."""
    worked: list[str] = []

    class Counting(Scorer):
        def score_month(self, department: str, month: str) -> DepartmentScore:
            worked.append(month)
            return super().score_month(department, month)

    memo = view.memo
    return Counting(None, view.catalog, view.weights, view.departments, view.summary, memo), worked


def helped(root: Path) -> tuple[Any, ...]:
    """A cold year as `year` reads it: the ledger read in two worker processes, which
    then work out every month and the year (Memo.helpers); nothing is worked out here
    but the year rows of departments with annual entries (their lines are not kept);
    the workers print each year row they keep as `--format json` will."""
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    view = load_view(root, show=shown_text, helpers=True, workers=2)
    assert view.memo is not None and view.memo.helpers is not None
    scorer, worked = counting(view)
    assert not (root / CACHE_DIR / CACHE_FILE).exists()  # written while the workers score
    year = scorer.year(2023, MONTHS).rows
    assert view.memo.helpers is None  # done with, and let go
    # Printed by the workers: every year row they kept, and none of the others.
    for _, score in year:
        assert (view.memo.shown(score) is None) == bool(score.lines)
    assert read_cached(root).cached
    months = tuple(scorer.month(month).rows for month in MONTHS)
    printed = tuple(
        rows_text(ranking_json(Ranking(rows), {}, kept=view.memo)) for rows in (*months, year)
    )
    keep_scores(view)
    assert worked == []
    return (*months, year, printed, view.problems)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    count=st.integers(50, 200),
    months=st.lists(st.lists(ENTRY, min_size=20, max_size=120), min_size=3, max_size=3),
    later=st.lists(
        st.tuples(
            st.sampled_from(["append", "edit", "edit+append"]),
            st.lists(ENTRY, min_size=1, max_size=6),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_kept_scores_equal_a_fresh_scoring_over_many_departments(root, count, months, later):
    names = province(count)
    write_departments(root, names)
    for child in (root / "ledger").glob("*.toml"):
        child.unlink()
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    files = ledger_texts(names, months)
    for month, text in files.items():
        (root / "ledger" / f"{month}.toml").write_text(text, encoding="utf-8")
    agree(root)
    # Worked out in the workers that read the ledger, and read back from the file.
    fresh = scored(root, cached=False)
    assert helped(root) == fresh
    assert scored(root, cached=True) == fresh
    # Tallied (one process and two) and ordinary cold builds give the same snapshot.
    ordinary = read_cached(root, use_cache=False, tally=False).snapshot
    for workers in (1, 2):
        tallied = read_cached(root, use_cache=False, workers=workers).snapshot
        assert differences(tallied, ordinary) == []
        # As `check` compares them: months whose texts agree are not decoded.
        assert differences(tallied, ordinary, cachefile.month_text) == []
    for step, (how, rows) in enumerate(later):
        month = MONTHS[step % len(MONTHS)]
        path = root / "ledger" / f"{month}.toml"
        if how.startswith("edit"):  # not an append: a count changed in place
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("count = 2", "count = 3", 1), encoding="utf-8")
        if how.endswith("append"):  # appended (by hand) before anything read the edit
            more = ledger_texts(names, [rows, [], []])[MONTHS[0]].split("\n", 1)[1]
            more = more.replace(f'id = "{MONTHS[0]}-', f'id = "{month}-x{step}-')
            with path.open("a", encoding="utf-8") as handle:
                handle.write(more)
        agree(root)


def mixed_province(root: Path) -> list[str]:
    """80 departments, three months of 120 entries each: every kind of entry (follow-ups,
    recurring entries, voids, closes, annual bonuses) spread over them."""
    names = province(80)
    write_departments(root, names)
    kinds = ["2.4.3", "4.2.1", "2.5.2", "follow-up", "recurring", "void", "close", "4.2.2"]
    rows = [[(kinds[n % len(kinds)], n * 7 + m, "1") for n in range(120)] for m in range(3)]
    for month, text in ledger_texts(names, rows).items():
        (root / "ledger" / f"{month}.toml").write_text(text, encoding="utf-8")
    return names


def test_a_year_after_a_cold_month_is_worked_out_by_helpers(root: Path):
    """A warm snapshot whose kept scores hold one month and no year (a cold `month` ran
    first): the year and its months are worked out by helper processes started for it,
    as a cold year's are, and say what a fresh scoring says."""
    names = mixed_province(root)
    fresh = scored(root, cached=False)
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    view = load_view(root)  # as `month` reads it: no helpers
    Scorer(None, view.catalog, view.weights, view.departments, view.summary, view.memo).month(
        MONTHS[1]
    )
    keep_scores(view)  # May's rows kept, no year's

    view = load_view(root, show=shown_text, helpers=True, workers=2)
    assert view.memo is not None and view.memo.helpers is not None
    assert view.memo.helpers.pool is None  # started only when the year asks
    scorer, worked = counting(view)
    year = scorer.year(2023, MONTHS).rows
    assert worked == []  # every month and the year worked out by the helpers
    assert view.memo.helpers is None  # and let go
    months = tuple(scorer.month(month).rows for month in MONTHS)
    assert (*months, year) == fresh[:4]
    keep_scores(view)
    assert scored(root, cached=True) == fresh  # kept, read back, printed as kept

    # With the year kept, a warm year starts no helpers and works nothing out.
    view = load_view(root, show=shown_text, helpers=True, workers=2)
    assert view.memo is not None and view.memo.helpers is not None
    scorer, worked = counting(view)
    assert scorer.year(2023, MONTHS).rows == year
    assert worked == [] and view.memo.helpers is None
    keep_scores(view)

    # A month more: its year is not kept, but most of its months are. No helpers: the
    # new month is worked out here, for every department, and nothing else.
    july = toml(entry(names[3], "2.4.3", id="2023-07-0001"))
    (root / "ledger" / "2023-07.toml").write_text(july, encoding="utf-8")
    view = load_view(root, show=shown_text, helpers=True, workers=2)
    scorer, worked = counting(view)
    scorer.year(2023, [*MONTHS, "2023-07"])
    assert worked == ["2023-07"] * len(names)


def _kept_texts(root: Path, key_file: Path) -> tuple[bytes, list[str], dict[int, str]]:
    """scores.cache's key, texts, and the kind of each text ("month", "year", "shown")."""
    key = bytes.fromhex(key_file.read_text().strip())
    texts = cachefile.unseal_texts(scores.MAGIC, (root / CACHE_DIR / SCORES_FILE).read_bytes(), key)
    assert texts is not None
    kinds = {number: kind for number, kind in json.loads(texts[0])["rows"].values()}
    return key, list(texts), kinds


def _led_by_100(text: str) -> str:
    """Kept rows with the last department's row made to say it scored 100."""
    lines = text.split("\n")
    lines[-1] = "100" + lines[-1][lines[-1].index("\t") :]
    return "\n".join(lines)


def test_check_compares_the_kept_scores_with_rows_its_workers_work_out(
    root: Path, _cache_key: Path, monkeypatch: pytest.MonkeyPatch
):
    """`check` reads a province's ledger afresh in two worker processes; those then work
    out every department's months and year, as a cold year's helpers do, and the kept
    rows are compared with theirs. The verdicts are those of scoring here, one process:
    nothing changed, a month's row, a year's row, a row kept as printed (each changed
    and signed again, as only whoever holds the key can)."""
    mixed_province(root)
    helped(root)  # every month's rows and the year's kept, and as printed
    key, texts, kind_of = _kept_texts(root, _cache_key)
    assert {"month", "year", "shown"} <= set(kind_of.values())

    def changed(kind: str) -> list[str]:
        """The first text of this kind with its last row changed (a printed row: the
        last department's total)."""
        number = min(n for n, k in kind_of.items() if k == kind)
        out = list(texts)
        if kind == "shown":
            last = out[number].rsplit("\n", 1)
            out[number] = "\n".join([last[0], last[1].replace('"total": ', '"total": 1', 1)])
        else:
            out[number] = _led_by_100(out[number])
        return out

    here: list[int] = []
    scored_here = scores._scored_here
    monkeypatch.setattr(scores, "_scored_here", lambda *a: here.append(1) or scored_here(*a))
    verdicts: dict[str, list[list[str]]] = {}
    for case in ("unchanged", "month", "year", "shown"):
        for workers in (1, 2):
            kept = texts if case == "unchanged" else changed(case)
            (root / CACHE_DIR / SCORES_FILE).write_bytes(
                cachefile.seal_texts(scores.MAGIC, kept, key)
            )
            view = load_view(root, verify=True, show=shown_text, workers=workers)
            said = [p.message for p in view.problems if p.file == f"{CACHE_DIR}/{SCORES_FILE}"]
            verdicts.setdefault(case, []).append(said)
            assert (root / CACHE_DIR / SCORES_FILE).exists() == (case == "unchanged")
    assert here == [1] * 4  # scored here only with one process (each case once)
    assert all(one == two for one, two in verdicts.values())
    assert verdicts["unchanged"][0] == []
    for case in ("month", "year", "shown"):
        (message,) = verdicts[case][0]
        assert message.startswith("the kept scores do not agree with scoring the ledger afresh")
    assert "(2023)" in verdicts["year"][0][0]
    assert any(f"({month})" in verdicts["month"][0][0] for month in MONTHS)

    # Only May's rows kept (a cold `month` ran, no `year`): the workers work out May alone.
    shutil.rmtree(root / CACHE_DIR)
    view = load_view(root)
    Scorer(None, view.catalog, view.weights, view.departments, view.summary, view.memo).month(
        MONTHS[1]
    )
    keep_scores(view)
    key, texts, kind_of = _kept_texts(root, _cache_key)
    asked: list[tuple[int | None, list[str]]] = []
    shared_out = scores._shared_out
    monkeypatch.setattr(
        scores,
        "_shared_out",
        lambda helpers, summary, names, year, months, *more: (
            asked.append((year, list(months)))
            or shared_out(helpers, summary, names, year, months, *more)
        ),
    )
    for workers in (1, 2):
        (root / CACHE_DIR / SCORES_FILE).write_bytes(
            cachefile.seal_texts(scores.MAGIC, changed("month"), key)
        )
        view = load_view(root, verify=True, show=shown_text, workers=workers)
        said = [p.message for p in view.problems if p.file == f"{CACHE_DIR}/{SCORES_FILE}"]
        assert len(said) == 1 and f"({MONTHS[1]})" in said[0]
    assert asked == [(None, [MONTHS[1]])]  # by the workers, once: May, and no year


def test_one_add_scores_one_month_again_and_keeps_the_other_years_rows(root: Path):
    """After an add the kept scores of the other months, and of the other departments in
    the month added to, are read, not worked out again: only the department added to has
    its month and its year worked out again. The rows were kept by a cold year's helpers
    (scores.work_out), which digest each department's months as Memo does."""
    names = province(60)
    write_departments(root, names)
    rows = [[("2.4.3", place, "1") for place in range(60)]] * 3
    for month, text in ledger_texts(names, rows).items():
        (root / "ledger" / f"{month}.toml").write_text(text, encoding="utf-8")
    agree(root)
    helped(root)
    with (root / "ledger" / "2023-06.toml").open("a", encoding="utf-8") as handle:
        handle.write(toml(entry(names[7], "2.4.3", id="2023-06-0061", count=2)))
    view = load_view(root)
    assert view.memo is not None
    worked: list[tuple[str, str]] = []

    class Counting(Scorer):
        def score_month(self, department: str, month: str) -> DepartmentScore:
            worked.append((department, month))
            return super().score_month(department, month)

        def score_year(self, department: str, year: int, months) -> DepartmentScore:
            worked.append((department, str(year)))
            return super().score_year(department, year, months)

    scorer = Counting(None, view.catalog, view.weights, view.departments, view.summary, view.memo)
    year = scorer.year(2023, MONTHS).rows
    # June scored again for the one department whose June sums changed, the others'
    # June rows read; April and May read; one year worked out again: names[7]'s.
    assert sorted(worked) == [(names[7], "2023"), (names[7], "2023-06")]
    # 2.4.3 is −1 a time: names[7] lost 1 in April and May and 1 + 2 in June: C2 of
    # (99 + 99 + 97) / 3 = 98.33…, total 25 + 0.40 × 98.33… + 35 = 99.333… → 99.33.
    found = year[[row[1].department for row in year].index(names[7])][1]
    assert round2(found.total) == Decimal("99.33")
    assert (
        year
        == Scorer(None, view.catalog, view.weights, view.departments, view.summary)
        .year(2023, MONTHS)
        .rows
    )


def test_the_collector_of_cycles_pauses_while_a_ledger_is_read_and_resumes_after(root: Path):
    """A province's read makes millions of objects, none in a cycle, which each full
    collection walked again: the collector is off while a ledger is read (and while
    entries are recorded) and on again after, also when the read fails; a caller that
    had it off keeps it off."""
    assert gc.isenabled()
    with cycles_left():
        assert not gc.isenabled()
        with cycles_left():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause does not turn it on for the outer
    assert gc.isenabled()
    with pytest.raises(ValueError, match="a read that fails"), cycles_left():
        raise ValueError("a read that fails")
    assert gc.isenabled()
    gc.disable()
    try:
        with cycles_left():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    load_view(root)
    assert gc.isenabled()
    (root / "departments.toml").write_text("[[department]\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_view(root)
    assert gc.isenabled()
