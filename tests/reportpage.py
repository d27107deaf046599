"""The ledger the report tests share, and how they read a page as a reader sees it."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from govscore.cli.commands import cli

MINUS = "\u2212"


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def add(root: Path, *args: str) -> str:
    result = run(root, "add", *args)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


SCRIPT_NOTE = "<script>alert('x')</script>三件超期"
FORMULA_NOTE = '=HYPERLINK("http://example.org","点我")'


def record(root: Path) -> None:
    """April: 市公安局 2.4.3 × 1 (C2 99 → 0.25·100 + 0.40·99 + 0.20·100 + 0.15·100 = 99.60).

    May:
    - 市公安局 2.4.3 × 3 → C2 97; 3.3.1 × 5 → +1.5 in cap group A, capped at 1 → C3 101;
      total 25 + 38.8 + 20.2 + 15 = 99.00 (−0.60 on April; rank 3 → 1: +2).
      A second 2.4.3 × 2 is voided on appeal, so it counts nothing.
    - 市民政局 4.4.1: a veto; scores stay 100.00, ranked last (3).
    - 市体育局 1.1.1 × 101 → C1 = 100 − 101 = −1, lifted to the floor 0;
      total 0 + 40 + 20 + 15 = 75.00 (−25.00 on April; rank 1 → 2: −1).
    """
    add(root, "-d", "市公安局", "-c", "2.4.3", "--month", "2023-04", "--by", "王敏")
    add(root, "-d", "公安局", "-c", "2.4.3", "-n", "3", "--month", "2023-05", "--note", SCRIPT_NOTE)
    add(
        root,
        "-d",
        "市公安局",
        "-c",
        "3.3.1",
        "-n",
        "5",
        "--month",
        "2023-05",
        "--note",
        FORMULA_NOTE,
    )
    wrong = add(root, "-d", "市公安局", "-c", "2.4.3", "-n", "2", "--month", "2023-05")
    add(root, "-d", "市民政局", "-c", "4.4.1", "--month", "2023-05", "--note", "窗口人员受处分")
    add(root, "-d", "体育", "-c", "1.1.1", "-n", "101", "--month", "2023-05")
    result = run(root, "void", wrong, "--reason", "申诉成立：系误登")
    assert result.exit_code == 0, result.output


class Tables(HTMLParser):
    """What a reader sees in the page's tables: each table's rows as cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self.cell: list[str] | None = None
        self.row: list[str] | None = None
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append((dict(attrs).get("class") or "", []))
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []
        elif tag in ("svg", "style", "title"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[-1][1].append(self.row)
            self.row = None
        elif tag in ("svg", "style", "title"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.cell is not None and not self.skip:
            self.cell.append(data)


def tables(html: str) -> list[tuple[str, list[list[str]]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def ranking_rows(html: str) -> list[list[str]]:
    """The ranking table's body rows, as a reader sees them."""
    found = [rows for cls, rows in tables(html) if "ranking" in cls]
    assert len(found) == 1
    return found[0][1:]


def month_json(root: Path, *args: str) -> dict:
    result = run(root, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def written(root: Path, out: Path, *args: str) -> str:
    """Run `govscore report … -o out`: it must succeed and print the path alone; the text."""
    result = run(root, "report", *args, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{out}\n"
    return out.read_text(encoding="utf-8") if out.suffix == ".html" else ""
