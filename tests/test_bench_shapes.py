"""The bench's province shape is a ledger the office could keep: checked, it has no problems.

The bench times it (bench/bench.py --shape province); nothing here is timed.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import REPO, run_process, run_python


def test_a_generated_province_is_clean_and_has_every_kind_of_entry(tmp_path: Path):
    root = tmp_path / "province"
    made = run_python(
        str(REPO / "bench" / "generate.py"), str(root), "--departments", "48", "--journal"
    )
    assert made.returncode == 0, made.stderr
    names = [
        line.split('"')[1]
        for line in (root / "departments.toml").read_text(encoding="utf-8").splitlines()
        if line.startswith("name = ")
    ]
    assert len(set(names)) == 48  # 48 distinct names, 3 a city (16 cities)
    assert names[0] == "济南市东城县公安局" and names[1].startswith("青岛市")
    text = "".join(
        (root / "ledger" / f"2023-{m:02d}.toml").read_text(encoding="utf-8") for m in range(1, 13)
    )
    assert text.count("[[entry]]") == 48 * 8 * 12  # the default: 8 a department a month
    for field in ("\nvoid = ", "\nclose = ", "\nref = ", "\nrecurring = true", "\nvalue = "):
        assert field in text, field
    checked = run_process("--root", str(root), "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    year = run_process("--root", str(root), "--no-cache", "year", "2023", "--format", "json")
    totals = [row["total"] for row in json.loads(year.stdout)["departments"]]
    # Rates of 96–100 %, a few deductions and capped bonuses a month: near 100, none floored.
    assert all(85 < total < 101 for total in totals), totals
    assert (root / "ledger.journal").read_text(encoding="utf-8").count("\n    equity\n") > 0


def test_the_default_shape_is_still_the_citys(tmp_path: Path):
    root = tmp_path / "city"
    made = run_python(str(REPO / "bench" / "generate.py"), str(root), "--entries", "1200")
    assert made.returncode == 0, made.stderr
    assert (root / "departments.toml").read_bytes() == (
        REPO / "govscore" / "data" / "departments.toml"
    ).read_bytes()
    text = "".join(path.read_text(encoding="utf-8") for path in (root / "ledger").iterdir())
    assert text.count("[[entry]]") == 1200


def test_a_keyed_province_scores_as_the_same_province_without_keys(tmp_path: Path):
    """--keys gives each score entry a 去重键 of its own, written last as govscore writes
    it (a source system's ids, imported nightly): the same entries otherwise, so the same
    scores, whether the year is read from a snapshot built afresh (keyed entries tallied)
    or entry by entry."""
    years = []
    for name, keys in (("plain", []), ("keyed", ["--keys"])):
        root = tmp_path / name
        made = run_python(
            str(REPO / "bench" / "generate.py"), str(root), "--departments", "48", *keys
        )
        assert made.returncode == 0, made.stderr
        checked = run_process("--root", str(root), "check")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        for flags in ([], ["--no-cache"]):
            year = run_process("--root", str(root), *flags, "year", "2023", "--format", "json")
            assert year.returncode == 0, year.stderr
            years.append(json.loads(year.stdout)["departments"])
    text = (tmp_path / "keyed" / "ledger" / "2023-06.toml").read_text(encoding="utf-8")
    tables = text.split("[[entry]]")[1:]
    scored = [t for t in tables if "\nclause = " in t]
    assert scored and all(
        t.rstrip("\n").rsplit("\n", 1)[-1].startswith('key = "SRC-') for t in scored
    )
    assert not any("\nkey = " in t for t in tables if "\nclause = " not in t)  # voids, closes
    assert years[0] == years[1] == years[2] == years[3]
