"""The known-misspelling list behind rule 1 (错别字).

The national platform rejects items with misspellings, but no checker can know every
misspelling; so the list is data: a default that ships with govscore and the office's own
``typos.tsv`` in its root, which adds to and overrides it. All wrong forms are compiled
into one regex once, so checking an item costs one search per text field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path

from govscore.errors import Problem
from govscore.i18n import _, os_reason
from govscore.items.words import stands_as_words
from govscore.written import decode_text

ROOT_TYPOS = "typos.tsv"
_DEFAULT_SOURCE = "govscore/data/typos.tsv"


class TypoList:
    """Wrong form → right form, with one compiled matcher (longest wrong form wins)."""

    __slots__ = ("_pattern", "_wrongs", "contexts", "pairs")

    def __init__(
        self, pairs: Mapping[str, str], contexts: Mapping[str, tuple[str, ...]] | None = None
    ) -> None:
        self.pairs: dict[str, str] = dict(pairs)
        # wrong form → longer words it must not fire inside (the list's third column)
        self.contexts: dict[str, tuple[str, ...]] = dict(contexts or {})
        # Longest first, so that at one position 登陆山东政务服务网 beats any shorter form.
        wrongs = sorted(self.pairs, key=lambda wrong: (-len(wrong), wrong))
        self._wrongs = frozenset(wrongs)
        self._pattern = re.compile("|".join(map(re.escape, wrongs))) if wrongs else None

    def __len__(self) -> int:
        return len(self.pairs)

    @property
    def pattern(self) -> re.Pattern[str] | None:
        """The compiled alternation of the wrong forms (None for an empty list).

        Rules 1 and 2 fold it into one pattern with the special characters, so a clean
        text is scanned once for both.
        """
        return self._pattern

    def occurs(self, text: str) -> bool:
        """Whether any wrong form occurs in text as a substring: one search, for the common
        clean case (`find` then decides whether it stands as words)."""
        return self._pattern is not None and self._pattern.search(text) is not None

    def find(self, text: str) -> list[tuple[str, str]]:
        """The distinct (wrong, right) pairs found in text, in order of first appearance."""
        if self._pattern is None:
            return []
        found: dict[str, str] = {}
        misspellings = self._wrongs
        at = 0
        # Each match refused is tried again a character on: a wrong form that overlaps
        # it (平台帐号: 台帐 refused, 帐号 found) is never skipped.
        while (match := self._pattern.search(text, at)) is not None:
            wrong, start, end = match.group(), match.start(), match.end()
            if wrong in found:
                at = end
            elif not self._inside_context(text, start, end) and stands_as_words(
                text, start, end, misspellings, self.pairs[wrong]
            ):
                found[wrong] = self.pairs[wrong]
                at = end
            else:
                at = start + 1
        return list(found.items())

    def _inside_context(self, text: str, start: int, end: int) -> bool:
        """Whether text[start:end] lies inside one of its wrong form's listed words.

        A listed word with … in it is a construction: 既使…又 is 既 + 使…又 (both …
        and), where 既使 is no misspelling, when 又 follows in the same clause.
        """
        wrong = text[start:end]
        for word in self.contexts.get(wrong, ()):
            if "…" in word:
                if _in_construction(text, start, wrong, word):
                    return True
                continue
            at = text.find(word, max(0, end - len(word)))
            while at != -1 and at <= start:
                if at + len(word) >= end:
                    return True
                at = text.find(word, at + 1)
        return False

    def merged(
        self, extra: Mapping[str, str], contexts: Mapping[str, tuple[str, ...]] | None = None
    ) -> TypoList:
        """A new list: these pairs, then extra's (which win on the same wrong form)."""
        return TypoList({**self.pairs, **extra}, {**self.contexts, **(contexts or {})})


_CLAUSE_END = re.compile(r"[。；;！!？?\n]")


def _in_construction(text: str, start: int, wrong: str, construction: str) -> bool:
    head, tail = construction.split("…", 1)
    offset = head.find(wrong)
    begin = start - offset
    if offset < 0 or begin < 0 or not text.startswith(head, begin):
        return False
    clause = _CLAUSE_END.split(text[begin + len(head) :], maxsplit=1)[0]
    return bool(tail) and tail in clause


def parse_typos(text: str, source: str = "typos.tsv") -> tuple[dict[str, str], list[Problem]]:
    """Parse ``wrong<TAB>right`` lines (``#`` comments, blank lines skipped) into a mapping.

    Bad lines are returned as problems rather than raised, so the office sees all of them.
    """
    pairs, _, problems = parse_typo_lines(text, source)
    return pairs, problems


def parse_typo_lines(
    text: str, source: str = "typos.tsv"
) -> tuple[dict[str, str], dict[str, tuple[str, ...]], list[Problem]]:
    """Parse ``wrong<TAB>right[<TAB>context、context]`` lines: the pairs, each wrong form's
    context words (longer words it must not fire inside) and the bad lines as problems."""
    pairs: dict[str, str] = {}
    contexts: dict[str, tuple[str, ...]] = {}
    problems: list[Problem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip(" \r\n\ufeff")
        if not line or line.startswith("#"):
            continue
        parts = [part.strip() for part in line.split("\t")]
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            problems.append(
                Problem(
                    source,
                    number,
                    _("expected one misspelling per line: wrong<TAB>right[<TAB>words、words]"),
                )
            )
            continue
        wrong, right = parts[:2]
        words = [word.strip() for word in parts[2].split("、")] if len(parts) == 3 else []
        wrapping = [word for word in words if word]
        if any(wrong not in word or word == wrong for word in wrapping):
            problems.append(
                Problem(
                    source,
                    number,
                    _(
                        "each word it must not fire inside must contain {wrong} and be longer"
                    ).format(wrong=wrong),
                )
            )
            continue
        if wrong in right:
            # Otherwise every correct text would be reported as carrying the misspelling.
            problems.append(
                Problem(
                    source,
                    number,
                    _("the right form {right} contains the wrong form {wrong}").format(
                        right=right, wrong=wrong
                    ),
                )
            )
            continue
        if pairs.get(wrong, right) != right:
            problems.append(
                Problem(
                    source,
                    number,
                    _("{wrong} is listed twice with different right forms").format(wrong=wrong),
                )
            )
        pairs[wrong] = right
        if wrapping:
            contexts[wrong] = tuple(wrapping)
    return pairs, contexts, problems


@cache
def default_typos() -> TypoList:
    """The list that ships with govscore (parsed once per process)."""
    text = resources.files("govscore").joinpath("data", "typos.tsv").read_text(encoding="utf-8")
    pairs, contexts, _problems = parse_typo_lines(text, _DEFAULT_SOURCE)
    return TypoList(pairs, contexts)


def load_typos(root: Path | None) -> tuple[TypoList, list[Problem]]:
    """The default list plus the root's ``typos.tsv`` when there is a root and it has one.

    The file is read as `govscore import` reads text (UTF-8, with or without a BOM, or
    GB18030: what Notepad saves as "ANSI" on a Chinese Windows).
    """
    base = default_typos()
    if root is None:
        return base, []
    path = Path(root) / ROOT_TYPOS
    if not path.is_file():
        return base, []
    # What cannot be read is said, with the shipped list named as the one this run uses:
    # the office's own entries are not silently missing from the findings.
    try:
        text, _encoding = decode_text(path.read_bytes())
    except OSError as exc:
        message = _(
            "cannot read the typo list: {reason}; this run checks with the default list only"
        )
        return base, [Problem(str(path), 0, message.format(reason=os_reason(exc, path)))]
    except UnicodeDecodeError as exc:
        message = _(
            "neither UTF-8 nor GB18030 text (byte {byte} cannot be read); save {file} as UTF-8 "
            "(in Notepad: Save As, encoding UTF-8); this run checks with the default list only"
        )
        line = exc.object[: exc.start].count(b"\n") + 1
        byte = f"{exc.object[exc.start]:#04x}"
        return base, [Problem(str(path), line, message.format(byte=byte, file=ROOT_TYPOS))]
    pairs, contexts, problems = parse_typo_lines(text, str(path))
    return base.merged(pairs, contexts), problems
