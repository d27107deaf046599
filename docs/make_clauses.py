"""Write docs/clauses.md from the shipped catalog: python docs/make_clauses.py [--check].

--check writes nothing and exits 1 when the file is out of date (tests/test_docs.py
does the same).
"""

from __future__ import annotations

import sys
from pathlib import Path

from govscore.ledger.loader import load_rules
from govscore.report.reference import clause_reference

TARGET = Path(__file__).resolve().parent / "clauses.md"


def main(argv: list[str]) -> int:
    text = clause_reference(*load_rules(None))
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is out of date: run python docs/make_clauses.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
