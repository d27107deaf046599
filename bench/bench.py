"""Time govscore on generated ledgers: cold, warm and after one more add.

    python bench/bench.py [--entries 10000 100000 1000000] [--runs 3] [--out bench/out]
    python bench/bench.py --shape province [--departments 10000] [--entries 1000000]

For each size it generates a root (bench/generate.py), then runs, as real processes:
`year` and `month` cold (no cache), warm (nothing changed since the last run) and after
one more `add`; `add` itself; `report` of the year as a page (warm) and of a month as a
workbook (which reads the month's file entry by entry, and sums the others as read); and
`items check` on 100,000 generated item records. It prints the median wall time of --runs runs made back to back, the median CPU
seconds (user + system of the process and its worker processes: on a shared machine the
figure to compare, as wall time grows with the load), the 1-minute load average when the
runs ended, and the peak memory of each (the process and its worker processes together),
and, where hledger is installed, `hledger bal -M` on the equivalent journal, side by side.

--shape province times a province's ledger instead (--departments departments, about 8
entries each a month): `year 2023 --format json` cold, warm (and warm as a table) and
after one more `add`, `month --format json` cold and warm, `add` warm, the month's
report as a page (warm) and as a workbook, `month --detail`, `check`, `show` of an id
that is not there, then (the root made a git repository, its ledger committed) `add
--commit`, and hledger on the same entries. --keys gives each of its score entries a
去重键 of its own, as a source system's nightly import writes them.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent

GOVSCORE = [sys.executable, "-m", "govscore"]
CACHE = ".govscore-cache"


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants (workers included), in KiB."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(
                (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")),
                0,
            )
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue  # it ended meanwhile
    return total


class Timed(NamedTuple):
    """One command's figures: wall and CPU seconds, peak memory (MiB), load when done."""

    seconds: float
    cpu: float
    peak: float
    load: float


def measure(command: list[str], cwd: Path | None = None) -> Timed:
    """Wall seconds, CPU seconds and peak memory (MiB) of one real process.

    CPU seconds are user + system time of the process and of the processes it waited
    for (its workers), as wait4 reports them: what the work costs, whatever the load.

    Peak memory is the larger of the process's own max RSS and the most its whole
    process tree (govscore's worker processes included) held at once, sampled every
    10 ms: worker processes count, so two workers cannot hide half the memory.
    """
    # stderr to a file, not a pipe: a command that says much there (a warning a row)
    # would fill the pipe and wait for a reader that only reads once it has ended.
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        peak_tree = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak_tree
            while not done.wait(0.01):
                peak_tree = max(peak_tree, tree_rss_kib(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        if Path("/proc/self/status").exists():
            sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        done.set()
        if sampler.is_alive():
            sampler.join()
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            errors.seek(0)
            raise SystemExit(f"failed: {' '.join(command)}: {errors.read().decode()}")
    cpu = usage.ru_utime + usage.ru_stime
    return Timed(elapsed, cpu, max(usage.ru_maxrss, peak_tree) / 1024, os.getloadavg()[0])


def median_of(runs: int, before, command: list[str] | Callable[[], list[str]]) -> Timed:
    """Median wall and CPU seconds of runs made back to back, the most memory any took,
    and the load when the last ended. `command`: the same each run, or made for each."""
    timed = []
    for _ in range(runs):
        before()
        timed.append(measure(command() if callable(command) else command))
    return Timed(
        statistics.median(t.seconds for t in timed),
        statistics.median(t.cpu for t in timed),
        max(t.peak for t in timed),
        timed[-1].load,
    )


def add_command(root: Path, department: str) -> list[str]:
    return [
        *GOVSCORE,
        "--root",
        str(root),
        "add",
        "-d",
        department,
        "-c",
        "2.4.3",
        "--month",
        "2023-12",
        "--date",
        "2023-12-20",
    ]


def _steps(root: Path, add: list[str]) -> tuple[Callable[[], None], ...]:
    """What goes before each timed run: no cache, nothing, or one more add."""

    def cold() -> None:
        shutil.rmtree(root / CACHE, ignore_errors=True)

    def nothing() -> None:
        pass

    def one_more_add() -> None:
        subprocess.run(add, check=True, capture_output=True)

    return cold, nothing, one_more_add


def bench_root(root: Path, runs: int, hledger: bool) -> list[tuple[str, Timed]]:
    rows = []
    year = [*GOVSCORE, "--root", str(root), "year", "2023"]
    month = [*GOVSCORE, "--root", str(root), "month", "2023-06"]
    add = add_command(root, "市公安局")

    cold, nothing, one_more_add = _steps(root, add)

    for name, command in (("year", year), ("month", month)):
        rows.append((f"{name} cold", median_of(runs, cold, command)))
        measure(command)  # make sure the cache is warm
        rows.append((f"{name} warm", median_of(runs, nothing, command)))
        rows.append((f"{name} after one add", median_of(runs, one_more_add, command)))
    measure(year)
    rows.append(("add (warm)", median_of(runs, nothing, add)))
    page = [*GOVSCORE, "--root", str(root), "report", "2023", "-o", str(root / "report.html")]
    measure(page)  # the add above grew the ledger: warm the cache again
    rows.append(("report year .html, warm", median_of(runs, nothing, page)))
    rows.append(("report month .xlsx", median_of(runs, nothing, workbook(root))))
    rows += bench_hledger(root, runs, hledger)
    return rows


def workbook(root: Path) -> list[str]:
    """The month's workbook: every entry that counted, so the month's file is read whole."""
    return [*GOVSCORE, "--root", str(root), "report", "2023-06", "-o", str(root / "report.xlsx")]


def bench_province(
    root: Path, runs: int, hledger: bool, keys: bool = False
) -> list[tuple[str, Timed]]:
    """The issue-16 figures: JSON out, as a nightly job would read it. With keys, an
    add with a 去重键 of its own too (and `check` then compares what the keys' entries
    are, as it does once a keyed entry was appended)."""
    rows = []
    year = [*GOVSCORE, "--root", str(root), "year", "2023", "--format", "json"]
    month = [*GOVSCORE, "--root", str(root), "month", "2023-06", "--format", "json"]
    first = (root / "departments.toml").read_text(encoding="utf-8").split('name = "')[1]
    add = add_command(root, first.split('"')[0])

    cold, nothing, one_more_add = _steps(root, add)

    rows.append(("year cold", median_of(runs, cold, year)))
    measure(year)
    rows.append(("year warm", median_of(runs, nothing, year)))
    # As a clerk reads it by hand: an aligned table of 10,000 rows.
    rows.append(("year warm, as a table", median_of(runs, nothing, year[:-2])))
    rows.append(("year after one add", median_of(runs, one_more_add, year)))
    rows.append(("month cold", median_of(runs, cold, month)))
    measure(month)
    rows.append(("month warm", median_of(runs, nothing, month)))
    rows.append(("add (warm)", median_of(runs, nothing, add)))
    if keys:
        made = itertools.count(1)
        keyed = lambda: [*add, "--key", f"BENCH-{next(made)}"]  # noqa: E731
        rows.append(("add --key (warm)", median_of(runs, nothing, keyed)))
    measure(month)  # the adds above grew the ledger: warm the cache again
    page = [*GOVSCORE, "--root", str(root), "report", "2023-06", "-o", str(root / "report.html")]
    rows.append(("report month .html, warm", median_of(runs, nothing, page)))
    rows.append(("report month .xlsx", median_of(runs, nothing, workbook(root))))
    rows.append(("month --detail", median_of(runs, nothing, [*month, "--detail"])))
    # What a nightly job checks, and a clerk's mistyped id (did-you-mean, exit 1).
    check = [*GOVSCORE, "--root", str(root), "check", "--format", "json"]
    rows.append(("check", median_of(runs, nothing, check)))
    show = [*GOVSCORE, "--root", str(root), "show", "2023-06-00100x", "--format", "json"]
    rows.append(("show, an unknown id", median_of(runs, nothing, show)))
    # An office's root is a git repository, and each entry may be committed as recorded
    # (git hashes and compresses the whole month file it was appended to).
    committed(root)
    measure(month)
    rows.append(("add --commit (in git)", median_of(runs, nothing, [*add, "--commit"])))
    rows += bench_hledger(root, runs, hledger)
    return rows


def committed(root: Path) -> None:
    """Make a root a git repository with everything in it committed (not the cache)."""
    (root / ".gitignore").write_text(".govscore-cache/\n", encoding="utf-8")
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    for command in (
        ["init", "-q"],
        ["add", "-A"],
        [*identity, "commit", "-qm", "bench", "--allow-empty"],
    ):
        subprocess.run(["git", *command], cwd=root, check=True, stdout=subprocess.DEVNULL)


def bench_hledger(root: Path, runs: int, hledger: bool) -> list[tuple[str, Timed]]:
    journal = root / "ledger.journal"
    if not (hledger and journal.exists()):
        return []
    command = ["hledger", "-f", str(journal), "bal", "-M"]
    return [("hledger bal -M", median_of(runs, lambda: None, command))]


def bench_items(count: int, runs: int, out: Path) -> list[tuple[str, Timed]]:
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
    return [(f"items check {count:,}", median_of(runs, lambda: None, command))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, nargs="+")
    parser.add_argument(
        "--shape",
        choices=["city", "province"],
        default="city",
        help="city: 36 departments (default); province: --departments departments, "
        "about 8 entries each a month",
    )
    parser.add_argument("--departments", type=int, default=10_000)
    parser.add_argument("--keys", action="store_true", help="province: a 去重键 on each entry")
    parser.add_argument("--items", type=int, help="item records (default 100000; 0 skips)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument(
        "--hledger",
        action=argparse.BooleanOptionalAction,
        default=bool(shutil.which("hledger")),
        help="also time hledger bal -M on the same entries (default: when installed)",
    )
    args = parser.parse_args()
    # As an installed package would be: compiled once, so each run does not compile
    # govscore again (PYTHONDONTWRITEBYTECODE, set on some machines, would make it).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "govscore")])
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"load: {os.getloadavg()[0]:.2f} (1 min) when starting")
    province = args.shape == "province"
    sizes = args.entries or ([1_000_000] if province else [10_000, 100_000, 1_000_000])
    print(
        f"{'what':<28} {'entries':>10} {'median s':>10} {'CPU s':>8} {'load':>6} {'peak MiB':>10}"
    )
    for entries in sizes:
        root = args.out / (
            f"province-{args.departments}-{entries}{'-keyed' if args.keys else ''}"
            if province
            else f"root-{entries}"
        )
        # In a process of its own: a bench process grown by a million entries would pass
        # its peak memory on to the processes it starts (max RSS survives exec).
        command = [sys.executable, str(HERE / "generate.py"), str(root), "--entries", str(entries)]
        if province:
            command += ["--departments", str(args.departments), *(["--keys"] * args.keys)]
        subprocess.run([*command, *(["--journal"] if args.hledger else [])], check=True)
        rows = (
            bench_province(root, args.runs, args.hledger, args.keys)
            if province
            else bench_root(root, args.runs, args.hledger)
        )
        for name, figures in rows:
            print(f"{name:<28} {entries:>10,} {_figures(figures)}", flush=True)
    print(f"load: {os.getloadavg()[0]:.2f} (1 min) when done")
    if args.items is None:
        args.items = 0 if province else 100_000
    if args.items:
        for name, figures in bench_items(args.items, args.runs, args.out):
            print(f"{name:<28} {'':>10} {_figures(figures)}", flush=True)


def _figures(timed: Timed) -> str:
    return f"{timed.seconds:>10.2f} {timed.cpu:>8.2f} {timed.load:>6.2f} {timed.peak:>10.0f}"


if __name__ == "__main__":
    main()
