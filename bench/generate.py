"""Generate a realistic govscore root: 36 departments, 12 month files, a mix of clauses.

    python bench/generate.py OUT_DIR --entries 100000 [--year 2023] [--seed 1]
    python bench/generate.py OUT_DIR --departments 10000 [--entries 1000000]

The default shape is the city's: the 36 departments of the 2023 measures, each with
thousands of entries a month (every score floors at 0). --departments N makes a
province's shape instead: N departments (16 cities × their counties × about 20 units,
written into the root's departments.toml) with about 8 entries each a month (--entries
defaults to N × 8 × 12): one rate, plain deductions and bonuses, follow-ups naming an
earlier complaint (some from an earlier month), recurring entries closed later, and
voids (some of an earlier month's entry), so that scores lie mostly between 90 and 101.
--keys gives each score entry a 去重键 of its own, as a source system's nightly export
writes its ids (the import compares a keyed row with the entry its key stands for).

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


CITIES = [
    "济南市", "青岛市", "淄博市", "枣庄市", "东营市", "烟台市", "潍坊市", "济宁市",
    "泰安市", "威海市", "日照市", "临沂市", "德州市", "聊城市", "滨州市", "菏泽市",
]  # fmt: skip
UNITS = [
    "公安局", "教育局", "民政局", "司法局", "财政局", "人力资源和社会保障局", "自然资源局",
    "生态环境分局", "住房和城乡建设局", "交通运输局", "水务局", "农业农村局", "商务局",
    "文化和旅游局", "卫生健康局", "退役军人事务局", "应急管理局", "市场监督管理局",
    "医疗保障局", "行政审批服务局", "税务局", "不动产登记中心", "公积金管理中心",
]  # fmt: skip
# Two characters make a county's name: 16 × 24 × 24 names before any repeats.
COUNTY_FIRST = "东西南北安宁平阳临高长新清永德福兴华丰泰文武龙山"
COUNTY_SECOND = "城山河阳川原台口州水田林江海峰岭丘源桥湖坡泉溪"
# A province's month: (clause, weight) for plain incidents; bonuses keep scores near 100.
PROVINCE_PLAIN = [
    ("2.4.3", 20),
    ("1.1.1", 6),
    ("1.2.1", 6),
    ("1.2.2", 4),
    ("2.1.3", 4),
    ("2.2.6", 3),
    ("2.4.7", 4),
    ("2.4.10", 3),
    ("3.1.1", 3),
    ("3.3.1", 4),
    ("4.2.1", 12),
    ("4.2.3", 6),
    ("3.1.4", 5),
    ("4.1.4", 3),
]


def province_departments(count: int) -> list[str]:
    """count department names: 16 cities, each with counties of about 20 units."""
    names: list[str] = []
    counties = [a + b + kind for a in COUNTY_FIRST for b in COUNTY_SECOND for kind in "县区"]
    for number in range(count):
        city = CITIES[number % len(CITIES)]
        within = number // len(CITIES)
        county = counties[within // len(UNITS)]
        unit = UNITS[within % len(UNITS)]
        names.append(f"{city}{county}{unit}")
    if len(set(names)) != len(names):
        raise SystemExit(f"cannot name {count} departments")
    return names


def generate_province(
    out: Path, count: int, entries: int, year: int, seed: int, journal: bool, keys: bool = False
) -> None:
    """A province's ledger: many departments, a few entries each a month."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "ledger").mkdir(parents=True)
    shutil.copy(DATA / "weights.toml", out / "weights.toml")
    departments = province_departments(count)
    (out / "departments.toml").write_text(
        f"# {count} departments of a province (bench/generate.py)\n"
        + "".join(f'\n[[department]]\nname = "{name}"\n' for name in departments),
        encoding="utf-8",
    )
    catalog = load_catalog(None)
    clauses, weights = zip(*PROVINCE_PLAIN, strict=True)
    per_month = entries // 12
    postings: dict[str, str] = {}
    complaints: list[tuple[str, str]] = []  # (id, department) of 4.3.1 entries so far
    standing: list[str] = []  # recurring entries not yet closed
    earlier: list[str] = []  # plain entries of earlier months, for voids across months
    for month_number in range(1, 13):
        month = f"{year}-{month_number:02d}"
        rows: list[dict] = []
        for department in departments:  # one rate a month for each department
            value = Decimal(rng.choice([1000] * 3 + list(range(960, 1000)))) / 10
            rows.append({"department": department, "clause": "2.5.2", "value": value})
        this_month: list[str] = []
        while len(rows) < per_month:
            number = len(rows) + 1
            entry_id = f"{month}-{number:06d}"
            roll = rng.random()
            day = date(year, month_number, rng.randint(1, 28))
            if roll < 0.02:  # a complaint, which follow-ups may name
                fields = {"department": rng.choice(departments), "clause": "4.3.1"}
                complaints.append((entry_id, fields["department"]))
            elif roll < 0.03 and complaints:  # a follow-up (some name an earlier month's)
                target, department = rng.choice(complaints[-500:])
                clause = rng.choice(["4.3.2", "4.3.3"])
                fields = {"department": department, "clause": clause, "ref": target}
            elif roll < 0.032:  # a recurring deduction, standing until closed
                fields = {"department": rng.choice(departments), "clause": "2.4.9"}
                fields["recurring"] = True
                standing.append(entry_id)
            elif roll < 0.033 and standing:  # close one
                closed = standing.pop(rng.randrange(len(standing)))
                through = f"{year}-{max(month_number - 1, int(closed[5:7])):02d}"
                rows.append(_stamped(rng, {"close": closed, "through": through}, day, month))
                continue
            elif roll < 0.038 and (this_month or earlier):  # a void, some across months
                pool = earlier if rng.random() < 0.3 and earlier else this_month or earlier
                voided = pool.pop(rng.randrange(len(pool)))
                postings.pop(voided, None)
                rows.append(_stamped(rng, {"void": voided, "reason": "申诉成立"}, day, month))
                continue
            else:
                fields = _incident(rng, month, departments, clauses, weights, catalog)
                this_month.append(entry_id)
            if "date" not in fields:
                fields = _stamped(rng, fields, day, month)
            rows.append(fields)
        earlier = (earlier + this_month)[-20_000:]
        parts = [f"# govscore ledger for {month}: append only\n"]
        for number, fields in enumerate(rows, start=1):
            entry_id = f"{month}-{number:06d}"
            key = {"key": f"SRC-{entry_id}"} if keys and "clause" in fields else {}
            parts.append(_toml({"id": entry_id, **fields, **key}))  # last, as govscore writes it
            if journal and "clause" in fields:
                postings[entry_id] = _posting(month, fields, catalog)
        (out / "ledger" / f"{month}.toml").write_text("".join(parts), encoding="utf-8")
    if journal:
        (out / "ledger.journal").write_text("".join(postings.values()), encoding="utf-8")


def _stamped(rng: random.Random, fields: dict, day: date, month: str) -> dict:
    """Date, note, clerk and time of recording, as the office writes them."""
    return {
        **fields,
        "date": day,
        "note": rng.choice(NOTES),
        "by": rng.choice(["王敏", "李强", "张伟"]),
        "recorded": f"{month}-28T09:{rng.randint(0, 59):02d}:00+08:00",
    }


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
        if isinstance(value, bool):
            lines.append(f"{key} = {str(value).lower()}")
        elif isinstance(value, str):
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
    parser.add_argument("--entries", type=int, help="default 100000, or departments × 96")
    parser.add_argument("--departments", type=int, help="a province's shape: this many departments")
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--journal", action="store_true", help="also write an hledger journal")
    parser.add_argument("--keys", action="store_true", help="province: a 去重键 on each entry")
    args = parser.parse_args()
    if args.departments:
        entries = args.entries or args.departments * 8 * 12
        generate_province(
            args.out, args.departments, entries, args.year, args.seed, args.journal, args.keys
        )
    else:
        generate(args.out, args.entries or 100_000, args.year, args.seed, args.journal)


if __name__ == "__main__":
    main()
