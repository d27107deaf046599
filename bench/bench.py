"""Time govscore on generated ledgers: cold, warm and after one more add.

    python bench/bench.py [--entries 10000 100000 1000000] [--runs 3] [--out bench/out]

For each size it generates a root (bench/generate.py), then runs, as real processes:
`year` and `month` cold (no cache), warm (nothing changed since the last run) and after
one more `add`; `add` itself; and `items check` on 100,000 generated item records. It
prints the median wall time of --runs runs and the peak memory (max RSS) of each, and,
where hledger is installed, `hledger bal -M` on the equivalent journal.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

GOVSCORE = [sys.executable, "-m", "govscore"]
CACHE = ".govscore-cache"


def measure(command: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one real process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"failed: {' '.join(command)}: {process.stderr.read().decode()}")  # type: ignore[union-attr]
    return elapsed, usage.ru_maxrss / 1024


def median_of(runs: int, before, command: list[str]) -> tuple[float, float]:
    times, peaks = [], []
    for _ in range(runs):
        before()
        seconds, peak = measure(command)
        times.append(seconds)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


def bench_root(root: Path, runs: int) -> list[tuple[str, float, float]]:
    rows = []
    year = [*GOVSCORE, "--root", str(root), "year", "2023"]
    month = [*GOVSCORE, "--root", str(root), "month", "2023-06"]
    add = [
        *GOVSCORE,
        "--root",
        str(root),
        "add",
        "-d",
        "市公安局",
        "-c",
        "2.4.3",
        "--month",
        "2023-12",
        "--date",
        "2023-12-20",
    ]

    def cold() -> None:
        shutil.rmtree(root / CACHE, ignore_errors=True)

    def nothing() -> None:
        pass

    def one_more_add() -> None:
        subprocess.run(add, check=True, capture_output=True)

    for name, command in (("year", year), ("month", month)):
        rows.append((f"{name} cold", *median_of(runs, cold, command)))
        measure(command)  # make sure the cache is warm
        rows.append((f"{name} warm", *median_of(runs, nothing, command)))
        rows.append((f"{name} after one add", *median_of(runs, one_more_add, command)))
    measure(year)
    rows.append(("add (warm)", *median_of(runs, nothing, add)))
    journal = root / "ledger.journal"
    if shutil.which("hledger") and journal.exists():
        hledger = ["hledger", "-f", str(journal), "bal", "-M"]
        rows.append(("hledger bal -M", *median_of(runs, nothing, hledger)))
    return rows


def bench_items(count: int, runs: int, out: Path) -> list[tuple[str, float, float]]:
    folder = out / f"items-{count}"
    if not folder.exists():
        subprocess.run(
            [
                sys.executable,
                str(HERE / "bench_items.py"),
                "--count",
                str(count),
                "--write",
                str(folder),
                "--runs",
                "0",
            ],
            check=True,
        )
    command = [*GOVSCORE, "items", "check", str(folder), "--summary"]
    return [(f"items check {count:,}", *median_of(runs, lambda: None, command))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"{'what':<28} {'entries':>10} {'median s':>10} {'peak MiB':>10}")
    for entries in args.entries:
        root = args.out / f"root-{entries}"
        generate(root, entries, 2023, 1, journal=bool(shutil.which("hledger")))
        for name, seconds, peak in bench_root(root, args.runs):
            print(f"{name:<28} {entries:>10,} {seconds:>10.2f} {peak:>10.0f}", flush=True)
    if args.items:
        for name, seconds, peak in bench_items(args.items, args.runs, args.out):
            print(f"{name:<28} {'':>10} {seconds:>10.2f} {peak:>10.0f}", flush=True)


if __name__ == "__main__":
    main()
