"""Ledger records: immutable entries that remember the file and line they came from."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from govscore.i18n import Worded, english

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


# YYYY-MM-NNNN, and in a clone of a shared ledger YYYY-MM-NNNN-tag (see gitops.clone_tag).
ID_SEQUENCE = re.compile(r"^(\d{4}-\d{2})-(\d+)(?:-([a-z0-9]+))?$")

# Bounds on what one entry may state. Beyond them a figure is a typo, not evidence, and
# would let one entry outweigh a year (or overflow the arithmetic of every report). Here,
# below the door (rules/validate) and the readers (written), that refuse past them.
MOST_COUNT = 10_000  # occurrences in one entry; a month with more is several entries
MOST_CASES = 10**9  # a rate's numerator or denominator: cases handled in a month


# What a matter's name may differ in and still name the same matter: spaces, quote marks
# and brackets around a name (“一件事”), and full-width letters (ＡＢ), which NFKC folds.
_MATTER_NOISE = re.compile(r"[\s\"'“”‘’「」『』《》〈〉()（）【】]+")


def matter_key(matter: str | None) -> str:
    """A matter as compared (同一事项按最高层级计分，不累加): a clerk types it freely, so
    安全生产一件事, 安全生产 一件事 and 安全生产“一件事” are one matter."""
    return _MATTER_NOISE.sub("", unicodedata.normalize("NFKC", matter or ""))


def sequence_name(month: str, tag: str | None) -> str:
    """The sequence an id is numbered in: its month, and its clone's tag in a shared ledger.

    Each clone numbers its own ids 1, 2, 3 … per month, so each sequence has no gap
    unless an entry was removed (see rules.validate.sequence_gaps).
    """
    return f"{month}-{tag}" if tag else month


def sequence_of(entry_id: str) -> tuple[str, int] | None:
    """(sequence name, number) of an id govscore numbered; None for a hand-chosen id."""
    found = ID_SEQUENCE.match(entry_id)
    if found is None:
        return None
    return sequence_name(found.group(1), found.group(3)), int(found.group(2))


def note_sequences(ids: Iterable[str], highest: dict[str, int]) -> dict[str, int]:
    """Keep each sequence's highest number in `highest`, so new ids continue the sequence."""
    for entry_id in ids:
        found = ID_SEQUENCE.match(entry_id)
        if found:
            name, number = sequence_name(found.group(1), found.group(3)), int(found.group(2))
            if number > highest.get(name, 0):
                highest[name] = number
    return highest


def is_month(text: str) -> bool:
    return bool(MONTH_RE.match(text))


@lru_cache(maxsize=4096)
def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@lru_cache(maxsize=1024)  # the door asks it for every entry of an import: months are few
def next_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year + 1:04d}-01" if mon == 12 else f"{year:04d}-{mon + 1:02d}"


def previous_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year - 1:04d}-12" if mon == 1 else f"{year:04d}-{mon - 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    """Every month from first through last, inclusive."""
    months = []
    current = first
    while current <= last:
        months.append(current)
        current = next_month(current)
    return months


@lru_cache(maxsize=1024)
def month_end(month: str) -> date:
    following = next_month(month)
    return date.fromordinal(date(int(following[:4]), int(following[5:7]), 1).toordinal() - 1)


class Entry(NamedTuple):
    """One line of evidence: an incident or bonus, or a void or close of an earlier entry.

    A score entry names a department and a clause; a void entry names the entry it voids
    (`void`) and why; a close entry names the recurring entry it closes (`close`) and the
    last month it stands (`through`). `month` is the ledger month the entry was filed in.
    Immutable, and a tuple underneath: a million of them are quick to make and to keep.
    """

    id: str
    month: str
    file: str = ""
    line: int = 0
    department: str = ""
    clause: str = ""
    count: int = 1
    points: Decimal | None = None
    level: str | None = None
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    matter: str | None = None
    ref: str | None = None
    recurring: bool = False
    date: date | None = None
    note: str | None = None
    by: str | None = None
    recorded: str | None = None
    key: str | None = None
    void: str | None = None
    reason: str | None = None
    close: str | None = None
    through: str | None = None

    @property
    def kind(self) -> str:
        if self.void is not None:
            return "void"
        if self.close is not None:
            return "close"
        return "score"

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


# Each field in the office's words (show's rows, messages in Chinese).
FIELD_WORDS = {
    "id": "编号",
    "department": "部门",
    "clause": "条款",
    "count": "次数",
    "points": "分值",
    "level": "层级",
    "value": "比率",
    "numerator": "分子",
    "denominator": "分母",
    "matter": "事项",
    "ref": "关联",
    "recurring": "逐月计分",
    "void": "作废",
    "reason": "理由",
    "close": "终止计分",
    "through": "截至",
    "date": "日期",
    "month": "月份",
    "note": "说明",
    "by": "记录人",
    "recorded": "记录时间",
    "key": "去重键",
}


def field_word(name: str) -> str:
    """A field as a message names it: the office's word in Chinese (次数, not count), the
    field's own name in English, keeping its Chinese for what programs read (Worded)."""
    word = FIELD_WORDS.get(name)
    if word is None:
        return name
    return Worded(name, word) if english() else word


# The fields of an entry in the order govscore writes them (and CSV columns).
FIELDS = (
    "id",
    "department",
    "clause",
    "count",
    "points",
    "level",
    "value",
    "numerator",
    "denominator",
    "matter",
    "ref",
    "recurring",
    "void",
    "reason",
    "close",
    "through",
    "date",
    "note",
    "by",
    "recorded",
    "key",
)
