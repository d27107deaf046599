"""How fast `govscore import` books a big CSV file, and how fast it skips it the second time.

    python bench/bench_import.py [--rows 1000000] [--runs 3] [--out bench/out]

Writes OUT/import-ROWS.csv: rows as an office's export has them (department, clause,
count, date, note; no key, so each row is known by its content and its place among
identical rows), dated over 2023, so they go to nine month files. Then, --runs times:
a fresh copy of examples/ imports the file (first), and imports it again (every row
skipped as already recorded), each a real process, timed with the peak memory of its
process tree. Prints the medians.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_items import DEPARTMENTS  # noqa: E402
from generate import NOTES  # noqa: E402

from bench import GOVSCORE, measure  # noqa: E402

# Clauses of a fixed number of points a unit, as most rows are, with how often they come.
CLAUSES = {"2.4.3": 30, "1.1.1": 8, "1.2.1": 8, "1.2.2": 5, "2.1.3": 5, "2.4.6": 4, "3.1.1": 3}


def write_csv(path: Path, rows: int, seed: int = 16) -> None:
    rng = random.Random(seed)
    clauses, weights = list(CLAUSES), list(CLAUSES.values())
    first = date(2023, 4, 1)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["department", "clause", "count", "date", "note"])
        for _ in range(rows):
            writer.writerow(
                [
                    rng.choice(DEPARTMENTS),
                    rng.choices(clauses, weights)[0],
                    rng.choice((1, 1, 1, 2, 3)),
                    (first + timedelta(days=rng.randrange(270))).isoformat(),
                    rng.choice(NOTES),
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "govscore")])
    args.out.mkdir(parents=True, exist_ok=True)
    source = args.out / f"import-{args.rows}.csv"
    if not source.exists():
        write_csv(source, args.rows)
    print(f"{source}: {args.rows:,} rows, {source.stat().st_size / 2**20:.1f} MiB")
    root = args.out / "import-root"
    command = [*GOVSCORE, "--root", str(root), "import", str(source)]
    first: list[tuple[float, float, float, float]] = []
    again: list[tuple[float, float, float, float]] = []
    for _ in range(args.runs):
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(HERE.parent / "examples", root)
        first.append(timed(command))
        again.append(timed(command))
    for label, runs in (("import, first", first), ("import, again (all skipped)", again)):
        runs.sort()
        seconds, _peak, cpu, load = runs[len(runs) // 2]
        peak = max(run[1] for run in runs)
        times = ", ".join(f"{run[0]:.1f}" for run in runs)
        print(
            f"{label}: median {seconds:.2f} s ({times}; {cpu:.1f} s CPU), "
            f"peak {peak:.0f} MiB (load {load:.2f})"
        )


def timed(command: list[str]) -> tuple[float, float, float, float]:
    """Wall seconds, peak MiB, CPU seconds (all its processes) and the load before."""
    load = os.getloadavg()[0]
    figures = measure(command)
    return figures.seconds, figures.peak, figures.cpu, load


if __name__ == "__main__":
    main()
