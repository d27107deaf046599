"""A writer process for the safety tests: record entries in a loop, print each id.

    python recorder.py ROOT TAG COUNT MONTH [MONTH ...]

Each round records one entry per MONTH in a single `record()` call (so several months
make one multi-file append), with note "TAG-ROUND" and key "MONTH/TAG-ROUND", and prints the ids once
`record()` has returned, each line in one write, flushed at once: an id printed is an id
govscore said it wrote.
On a DataError it reports like the CLI does (problems and message on stderr, exit 1).
With NO_FCNTL=1 in its environment, fcntl cannot be imported, as on Windows.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

if os.environ.get("NO_FCNTL") == "1":
    sys.modules["fcntl"] = None  # type: ignore[assignment]

from govscore.errors import DataError
from govscore.ledger.recording import Draft, record


def main(argv: list[str]) -> int:
    root, tag, count, months = Path(argv[0]), argv[1], int(argv[2]), argv[3:]
    for round_ in range(count):
        name = f"{tag}-{round_}"
        drafts = [
            Draft(
                {
                    "department": "市公安局",
                    "clause": "2.4.3",
                    "note": name,
                    "key": f"{month}/{name}",
                    "by": tag,
                },
                month,
            )
            for month in months
        ]
        try:
            result = record(root, drafts, date(2026, 1, 1))
        except DataError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            print(f"error: {exc.message}", file=sys.stderr)
            return 1
        for entry in result.added:
            # One write per line: print() writes its parts and the newline one by one
            # when stdout is unbuffered (PYTHONUNBUFFERED=1), so a kill could land between
            # them and leave an id without its note.
            sys.stdout.write(f"{entry.id} {name}\n")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
