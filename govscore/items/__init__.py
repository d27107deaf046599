"""Service items (政务服务事项) against the 13 national data-quality rules of attachment 2.

Reading (:mod:`.reader`), the misspelling list (:mod:`.typos`) and the rules (:mod:`.rules`)
are plain functions; :mod:`govscore.cli.items` holds the ``govscore items`` commands.
"""

from __future__ import annotations

from govscore.items.reader import ItemRecord, read_items
from govscore.items.rules import (
    RULES,
    Finding,
    Rule,
    check_item,
    failing_items_by_department,
)
from govscore.items.typos import TypoList, default_typos, load_typos, parse_typos

__all__ = [
    "RULES",
    "Finding",
    "ItemRecord",
    "Rule",
    "TypoList",
    "check_item",
    "default_typos",
    "failing_items_by_department",
    "load_typos",
    "parse_typos",
    "read_items",
]
