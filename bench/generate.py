"""Generate a realistic govscore root: 36 departments, 12 month files, a mix of clauses.

    python bench/generate.py OUT_DIR --entries 100000 [--year 2023] [--seed 1]

The mix follows what an office records: mostly per-occurrence deductions, some bonuses
under caps, one rate a month per department for a few rate clauses, a few recurring,
exclusive, annual, follow-up, veto, void and close entries. The same entries are also
written as an hledger journal (OUT_DIR/ledger.journal) when --journal is given, one
transaction posting count×points to dept:<department>:<category>.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from govscore.ledger.loader import load_catalog

DATA = Path(__file__).resolve().parent.parent / "govscore" / "data"

# (clause, weight, extra fields maker)
PLAIN = [
    ("2.4.3", 30),
    ("1.1.1", 8),
    ("1.2.1", 8),
    ("1.2.2", 5),
    ("2.1.3", 5),
    ("2.2.6", 5),
    ("2.4.6", 4),
    ("2.4.7", 6),
    ("2.5.5", 3),
    ("3.1.1", 3),
    ("4.3.1", 4),
    ("3.3.1", 6),
    ("3.3.2", 4),
    ("3.3.5", 4),
    ("3.3.6", 3),
    ("4.2.1", 3),
    ("2.4.10", 3),
    ("4.2.3", 2),
    ("4.4.3", 1),
    ("3.1.2", 1),
]
NOTES = [
    "超期办结",
    "窗口投诉",
    "网办路径问题",
    "帮办代办",
    "约稿采用",
    "考勤不规范",
    "事项要素不规范",
]


def generate(out: Path, entries: int, year: int, seed: int, journal: bool) -> None:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "ledger").mkdir(parents=True)
    shutil.copy(DATA / "departments.toml", out / "departments.toml")
    shutil.copy(DATA / "weights.toml", out / "weights.toml")
    catalog = load_catalog(None)
    departments = [
        line.split('"')[1]
        for line in (DATA / "departments.toml").read_text(encoding="utf-8").splitlines()
        if line.startswith("name = ")
    ]
    clauses, weights = zip(*PLAIN, strict=True)
    per_month = entries // 12
    postings: list[str] = []
    for month_number in range(1, 13):
        month = f"{year}-{month_number:02d}"
        rows = [
            {"department": d, "clause": "2.5.2", "value": Decimal(rng.randint(850, 1000)) / 10}
            for d in departments  # one rate a month for each department
        ]
        while len(rows) < per_month:
            rows.append(_incident(rng, month, departments, clauses, weights, catalog))
        parts = [f"# govscore ledger for {month}: append only\n"]
        for number, fields in enumerate(rows, start=1):
            parts.append(_toml({"id": f"{month}-{number:04d}", **fields}))
            if journal:
                postings.append(_posting(month, fields, catalog))
        (out / "ledger" / f"{month}.toml").write_text("".join(parts), encoding="utf-8")
    if journal:
        (out / "ledger.journal").write_text("".join(postings), encoding="utf-8")


def _incident(rng: random.Random, month: str, departments, clauses, weights, catalog) -> dict:
    clause = rng.choices(clauses, weights)[0]
    fields: dict = {"department": rng.choice(departments), "clause": clause}
    spec = catalog.clauses[clause]
    if spec.kind == "range":
        low, high = int(spec.min * 10), int(spec.max * 10)
        fields["points"] = Decimal(rng.randint(low, high)) / 10
    elif spec.kind == "levels":
        fields["level"] = rng.choice(spec.levels)[0]
    count = rng.choice([1, 1, 1, 2, 3])
    if count != 1:
        fields["count"] = count
    fields["date"] = date(int(month[:4]), int(month[5:]), rng.randint(1, 28))
    fields["note"] = rng.choice(NOTES)
    fields["by"] = rng.choice(["王敏", "李强", "张伟"])
    fields["recorded"] = f"{month}-28T09:{rng.randint(0, 59):02d}:00+08:00"
    return fields


def _toml(fields: dict) -> str:
    """One [[entry]] table as govscore writes it (plain generated text needs no escapes)."""
    lines = ["\n[[entry]]"]
    for key, value in fields.items():
        if isinstance(value, str):
            lines.append(f'{key} = "{value}"')
        else:
            lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


def _posting(month: str, fields: dict, catalog) -> str:
    clause = catalog.clauses[fields["clause"]]
    count = fields.get("count", 1)
    if clause.kind == "fixed":
        amount = clause.points * count
    elif clause.kind == "range":
        amount = fields["points"] * count
    elif clause.kind == "levels":
        amount = clause.level_points(fields["level"]) * count
    elif clause.kind == "rate":
        amount = (100 - fields["value"]) * clause.per_point
    else:
        amount = Decimal(0)
    amount *= clause.sign
    account = f"dept:{fields['department']}:{clause.category}"
    return f"{month}-01 {fields['clause']}\n    {account}  {amount}\n    equity\n\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--journal", action="store_true", help="also write an hledger journal")
    args = parser.parse_args()
    generate(args.out, args.entries, args.year, args.seed, args.journal)


if __name__ == "__main__":
    main()
