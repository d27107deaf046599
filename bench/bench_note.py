"""How fast `month` reads a ledger holding one very long note of many lines.

    python bench/bench_note.py [--megabytes 100] [--runs 3] [--out bench/out]

Copies examples/ into OUT/note-root, appends one entry through govscore's own writer
(a framed batch, as `add` or `import` writes it) whose note is --megabytes of text in
lines of about 60 characters, with quotes, backslashes and tabs, so that it is written
escaped on one TOML line; then times `month 2023-06` cold (no cache) and warm as real
processes: the median of --runs runs and the peak memory of the process tree.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench import CACHE, GOVSCORE, measure, median_of  # noqa: E402
from govscore.ledger.recording import Draft, record  # noqa: E402

LINE = '窗口"排队"超时，群众反映\\等候时间长\t第{}行'


def build(root: Path, megabytes: int) -> None:
    """A copy of the examples with one entry of a note of about `megabytes` MiB."""
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(HERE.parent / "examples", root)
    lines, size = [], 0
    while size < megabytes * 2**20:
        lines.append(LINE.format(len(lines)))
        size += len(lines[-1].encode()) + 1
    fields = {"department": "市公安局", "clause": "2.4.3", "note": "\n".join(lines), "by": "王敏"}
    record(root, [Draft(fields, "2023-06")], date(2023, 6, 30))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "govscore")])
    root = args.out / "note-root"
    if args.build:
        build(root, args.megabytes)
        return
    # In a process of its own: this one, grown by the note, would pass its peak memory on
    # to the processes it starts (max RSS survives fork and exec).
    subprocess.run([sys.executable, __file__, "--build", *sys.argv[1:]], check=True)
    size = (root / "ledger" / "2023-06.toml").stat().st_size
    print(f"ledger/2023-06.toml: {size / 2**20:.1f} MiB, one note of {args.megabytes} MiB")
    print(f"load: {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} cores")
    month = [*GOVSCORE, "--root", str(root), "month", "2023-06"]

    def cold() -> None:
        shutil.rmtree(root / CACHE, ignore_errors=True)

    seconds, cpu, peak, _load = median_of(args.runs, cold, month)
    print(f"month, cold: median {seconds:.2f} s, {cpu:.2f} s CPU, peak {peak:.0f} MiB")
    measure(month)
    seconds, cpu, peak, _load = median_of(args.runs, lambda: None, month)
    print(f"month, warm: median {seconds:.2f} s, {cpu:.2f} s CPU, peak {peak:.0f} MiB")
    print(f"load: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
