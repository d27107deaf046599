"""Batches: each append govscore makes is framed, so a write cut off at any byte shows.

A signal, a crash or a full disk can stop the one `write` of a large import at any byte:
at a 4 KiB page boundary, or even just after a `clause = …` line, where the last entry
would read as valid but wrong (its count, note and key lost). So govscore frames each
batch with two TOML comments, which keep the file valid TOML and every line where it
was (the begin line stands where the first entry's blank line would):

    # govscore batch of 3 entries, 612 bytes
    [[entry]]
    …the entries…
    key = "k3"  # govscore batch end, sha256 3f2a9c0e51b7d842

The byte count and the digest (16 hex digits of SHA-256) cover what lies between the
begin line and the end mark. A batch is whole only when its end mark is there, ends its
line, and both match. Anything else is a torn batch: its entries never count (the
reader sees blank lines in their place, so every other line keeps its number), and the
file is broken until `govscore repair` cuts a torn batch at its end back. A month file
that holds nothing but govscore's head line is torn too: govscore never writes it alone.
Entries a person appends by hand, without these marks, read as always.

In a clone of a shared ledger the begin line ends in the clone's tag, like every entry
line, so that git's union merge keeps each clone's batch whole (see text.fields_toml).

Pure functions over text; the writer appends what `frame` returns.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import tomllib
from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass, replace

from govscore.i18n import _, ngettext

MARK = "# govscore "
BEGIN = "# govscore batch of "
END = "  # govscore batch end, sha256 "
_BEGIN = re.compile(
    r"# govscore batch of (\d{1,9}) entr(?:y|ies), (\d{1,12}) bytes(?:  # [0-9a-z]+)?"
)
_END = re.compile(r"  # govscore batch end, sha256 ([0-9a-f]{16})")
# Begin lines stand at the start of a line; the end mark ends one (never inside a string:
# govscore writes every string on one line, closed by its quote). A hand-written
# multi-line string may hold a line like a mark: torn_batches is told where those lines
# start, and takes no mark there.
_MARKS = re.compile(
    r"^# govscore batch of [^\n]*|  # govscore batch end, sha256 [^\n]*(?=\n|\Z)", re.MULTILINE
)
_WORDS = "# govscore batch "
_BEGIN_WORDS = BEGIN
_END_WORDS = END[2:]
_HEAD_ONLY = re.compile(r"# govscore ledger for \d{4}-\d{2}: append only\n")
# A line of a batch's entries as govscore writes the plain kinds (text.fields_toml), a
# clone's tag after it; _follows asks tomllib of any other line. The search finds the
# first line with a newline after it that is neither blank nor such a line.
_WRITTEN = (
    r'(?:\[\[entry\]\]|[A-Za-z0-9_-]+ = (?:"[^"\\\x00-\x1f\x7f]*"|-?\d+|\d{4}-\d{2}-\d{2}'
    r"|true|false))(?:  # [0-9a-z]+)?"
)
_UNWRITTEN = re.compile(rf"^(?!(?:{_WRITTEN})?\n)[^\n]*\n", re.MULTILINE)
_HEADER = re.compile(r"^\[\[entry\]\](?:  # [0-9a-z]+)?$", re.MULTILINE)
_KEY = re.compile(r"[A-Za-z0-9_-]+ = ")
DIGITS = 16  # of the sha256 in hex: enough to tell a cut or changed batch from a whole one


def file_head(month: str, exists: bool) -> str:
    """What an append to a month's file writes before its batch: the head line of a new
    file, nothing for a file that exists."""
    return "" if exists else f"# govscore ledger for {month}: append only\n"


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:DIGITS]


def frame(entries_text: str, entries: int, tag: str | None = None) -> str:
    """The text appended for one batch of entries, as entry_toml makes each (a blank line,
    then the table): the begin line stands in for the first blank line, the end mark
    ends the last line."""
    content = entries_text.removeprefix("\n").removesuffix("\n")
    data = content.encode("utf-8")
    return f"{begin_line(entries, len(data), tag)}{content}{end_mark(digest(data))}"


def begin_line(entries: int, size: int, tag: str | None = None) -> str:
    """A batch's begin line, newline included: how many entries, and the bytes they take."""
    mark = f"  # {tag}" if tag else ""
    what = "entry" if entries == 1 else "entries"
    return f"{BEGIN}{entries} {what}, {size} bytes{mark}\n"


def end_mark(hexdigest: str) -> str:
    """What ends a batch's last line (with the newline): the digest of its bytes."""
    return f"{END}{hexdigest}\n"


@dataclass(frozen=True)
class Torn:
    """A batch that is not whole: where it stands in the text and what it announced."""

    start: int  # offset in the text of its first line
    stop: int  # offset just past its last line (the end of the text when at_end)
    line: int  # its first line, counted from 1
    last_line: int
    at_end: bool  # nothing follows it: an interrupted write, which repair cuts back
    entries: int  # entries it announced (0 when its begin line is cut off)
    expected: int  # bytes it announced
    written: int  # bytes of it in the file
    edited: bool = False  # its end line is whole: changed after it was written, not cut
    follows: int = 0  # the first line after it that its write did not write (0: none)

    def message(self, month: str) -> str:
        """What check says at the batch's first line."""
        if self.follows:
            return ngettext(
                "a batch of {entries} entry govscore was writing (lines {first}–{cut}) is cut "
                "off (the write was interrupted), and lines {after}–{last} after it are no "
                "part of that write (appended by hand?): all are left out, and repair does "
                "not cut them; remove lines {first}–{cut} by hand, keep the lines after them, "
                "then record the batch again",
                "a batch of {entries} entries govscore was writing (lines {first}–{cut}) is "
                "cut off (the write was interrupted), and lines {after}–{last} after it are "
                "no part of that write (appended by hand?): all are left out, and repair does "
                "not cut them; remove lines {first}–{cut} by hand, keep the lines after them, "
                "then record the batch again",
                self.entries,
            ).format(
                entries=self.entries,
                first=self.line,
                cut=self.follows - 1,
                after=self.follows,
                last=self.last_line,
            )
        if self.at_end:
            if not self.expected:
                return _(
                    "a line govscore was writing is cut off (the write was interrupted); "
                    "`govscore repair {month}` cuts it back"
                ).format(month=month)
            if self.written >= self.expected:  # all it announced is there, bar its end mark
                return ngettext(
                    "a batch of {entries} entry govscore was writing lost the end of its last "
                    "line (the write was interrupted): it is left out; `govscore repair "
                    "{month}` cuts it back, then record it again",
                    "a batch of {entries} entries govscore was writing lost the end of its "
                    "last line (the write was interrupted): they are left out; `govscore "
                    "repair {month}` cuts it back, then record them again",
                    self.entries,
                ).format(entries=self.entries, month=month)
            return ngettext(
                "a batch of {entries} entry govscore was writing is cut off after {written} "
                "of {expected} bytes (the write was interrupted): it is left out; "
                "`govscore repair {month}` cuts it back, then record it again",
                "a batch of {entries} entries govscore was writing is cut off after {written} "
                "of {expected} bytes (the write was interrupted): they are left out; "
                "`govscore repair {month}` cuts it back, then record them again",
                self.entries,
            ).format(
                entries=self.entries, written=self.written, expected=self.expected, month=month
            )
        return ngettext(
            "a batch of {entries} entry (lines {first}–{last}) does not match its end line: "
            "changed after govscore wrote it, or cut off and written after; it is left out "
            "(compare it with git: `git log -p`)",
            "a batch of {entries} entries (lines {first}–{last}) does not match its end line: "
            "changed after govscore wrote it, or cut off and written after; they are left out "
            "(compare them with git: `git log -p`)",
            self.entries,
        ).format(entries=self.entries, first=self.line, last=self.last_line)

    def refused(self, why: str) -> str:
        """What is said at the first line of a batch at the end of its file that repair
        does not cut (it may have counted): `why`, in place of repair's advice."""
        if not self.expected:
            return _("a line at the end of the file is cut off: it is left out; {why}").format(
                why=why
            )
        if self.written >= self.expected:
            return ngettext(
                "a batch of {entries} entry at the end of the file lost the end of its last "
                "line: it is left out; {why}",
                "a batch of {entries} entries at the end of the file lost the end of its last "
                "line: they are left out; {why}",
                self.entries,
            ).format(entries=self.entries, why=why)
        return ngettext(
            "a batch of {entries} entry at the end of the file is cut off after {written} of "
            "{expected} bytes: it is left out; {why}",
            "a batch of {entries} entries at the end of the file is cut off after {written} of "
            "{expected} bytes: they are left out; {why}",
            self.entries,
        ).format(entries=self.entries, written=self.written, expected=self.expected, why=why)


@dataclass(frozen=True)
class Stray:
    """Lines after a batch's end mark, before the next [[entry]] header or begin line, that
    are more than blank lines and comments (`count = 40` appended by hand): TOML reads them
    as part of the batch's last table, so they change an entry the end mark vouched for."""

    start: int  # offset of the first line left out: the batch's last table, or (a torn
    # batch, left out already) the first stray line
    stop: int  # offset just past the stray lines
    line: int  # the first stray line, counted from 1
    entry: str  # the last table's id ("" when the batch is torn)
    table: str = ""  # the header of the table they open (`[meta]`), if they open one

    def message(self) -> str:
        """What check says at the first stray line."""
        named = _(" ({id})").format(id=self.entry) if self.entry else ""
        if self.table:
            return _(
                "a line after a batch's end mark: {why}; the batch's last entry{entry} is "
                "left out with it (remove the lines; compare with git: `git log -p`)"
            ).format(why=table_outside(self.table), entry=named)
        return _(
            "a line after a batch's end mark changes the batch's last entry{entry}: TOML "
            "reads it as part of that table, which the end mark does not vouch for; the "
            "entry is left out (compare with git: `git log -p`; a new entry needs an "
            "[[entry]] header of its own)"
        ).format(entry=named)


def table_outside(table: str) -> str:
    """Why stray lines that open a table of their own (`[meta]`) are wrong: they change no
    entry, so check and audit say so, not that TOML reads them into the entry above
    (review BI J1)."""
    return _(
        "{table} opens a table of its own, outside every entry, and a ledger file holds "
        "only [[entry]] tables"
    ).format(table=table)


def torn_batches(text: str, in_strings: Container[int] = ()) -> list[Torn]:
    """Every batch of the text that is not whole, in file order (see scan)."""
    return scan(text, in_strings)[0]


@dataclass(frozen=True)
class Ended:
    """A batch whose end mark ends a line: what follows that line, up to the next
    [[entry]] header or begin line, TOML reads as part of the batch's last table."""

    body: int  # offset in the text of its first entry line
    stop: int  # offset just past its end mark's line
    whole: bool  # its end mark matches its bytes


def scan(text: str, in_strings: Container[int] = ()) -> tuple[list[Torn], list[Ended]]:
    """Every batch of the text that is not whole, in file order; and every batch whose
    end mark ends a line, whole or not.

    `text` is a ledger file as read (BOM removed, line ends made \\n). A batch runs from
    its begin line to its end mark; one without a fitting end mark runs to the next
    begin line or to the end of the text. `in_strings`: the offsets of lines that start
    inside a multi-line string (text.string_lines), whose marks are text, not marks.
    """
    torn: list[Torn] = []
    ended: list[Ended] = []
    if MARK in text:
        _scan(text, torn, ended, in_strings)
        if head_only(text):  # a new file's first write cut right after its head
            torn.append(Torn(0, len(text), 1, 1, True, 0, 0, len(text.encode())))
    if text and not text.endswith("\n"):
        start = text.rfind("\n") + 1
        last = text[start:]
        if (MARK.startswith(last) or last.startswith(MARK)) and not (
            torn and torn[-1].at_end
        ):  # the first bytes of a batch or file head: a write cut off at once
            line = text.count("\n", 0, start) + 1
            torn.append(Torn(start, len(text), line, line, True, 0, 0, len(last.encode())))
    return torn, ended


def cut_point(text: str, torn: Torn) -> int:
    """Where repair cuts the text back to for a torn batch at its end: where the batch
    begins, or 0 where nothing but the head line stands before it (the torn write made
    the file, and it goes)."""
    kept = text[: torn.start]
    return 0 if not kept or head_only(kept) else torn.start


def cut_off(text: str, in_strings: Container[int] = ()) -> list[tuple[int, int]]:
    """The spans (start, stop) of the text's torn batches that a write cut off left, no
    edit (their end lines never whole): the last to the text's end from where repair
    would cut it back to (cut_point), lines its write did not write after it included
    (Torn.follows); one before another's begin line (a union merge puts another clerk's
    batch after it) up to that line. They never count where they stand: the audit asks
    whether they did before (repair cuts only the last, and never lines after it)."""
    spans = []
    for torn in torn_batches(text, in_strings):
        if torn.edited:
            continue
        if torn.at_end or torn.follows:
            spans.append((cut_point(text, torn), len(text)))
        else:
            spans.append((torn.start, torn.stop))
    return spans


def ends_whole_batch(text: str) -> bool:
    """Whether the text's last line is the end mark of a batch (torn_batches says whether
    it matches: this only looks where the text ends)."""
    last = text[text.rfind("\n") + 1 :]
    at = last.find(END)
    return at >= 0 and _END.fullmatch(last[at:]) is not None


def head_only(text: str) -> bool:
    """Whether the text is nothing but the head line govscore starts a month file with."""
    return _HEAD_ONLY.fullmatch(text) is not None


def _scan(text: str, torn: list[Torn], ended: list[Ended], in_strings: Container[int] = ()) -> None:
    opened: tuple[int, int, int, int] | None = None  # start, body start, entries, bytes
    for start, mark in _marks(text):
        if in_strings and text.rfind("\n", 0, start) + 1 in in_strings:
            continue  # a line of a hand-written multi-line note that reads like a mark
        if mark.startswith(BEGIN):
            if opened is not None:  # no end mark before this begin line
                torn.append(_torn(text, opened, start, at_end=False))
            newline = text.find("\n", start)
            begun = _BEGIN.fullmatch(mark) if newline >= 0 else None
            if begun is None:  # its own begin line cut off (or garbled)
                opened = (start, len(text) if newline < 0 else newline + 1, 0, 0)
            else:
                opened = (start, newline + 1, int(begun.group(1)), int(begun.group(2)))
        elif opened is not None:
            stop = start + len(mark) + 1  # past the newline that ends the mark's line
            # The newline is the last byte of a batch's one write: a write cut off never
            # leaves it, so a batch whose mark's line is whole and yet does not match was
            # changed after it was written (an edit, never cut back), even at the end.
            # One that matches holds every byte it announced: whole, even when an editor
            # took away the file's last newline after its mark (check names that apart).
            whole = stop <= len(text)
            matched = _END.fullmatch(mark)
            body = text[opened[1] : start].encode("utf-8")
            fits = not (
                matched is None
                or opened[3] == 0
                or len(body) != opened[3]
                or digest(body) != matched.group(1)
            )
            if not fits:
                torn.append(
                    replace(_torn(text, opened, min(stop, len(text)), not whole), edited=whole)
                )
            if whole:
                ended.append(Ended(opened[1], stop, fits))
            opened = None
    if opened is not None:
        batch = _torn(text, opened, len(text), at_end=True)
        after = _follows(text, *opened[1:])
        if after is not None:  # not what the write left: a person's lines follow it
            batch = replace(batch, at_end=False, follows=text.count("\n", 0, after) + 1)
        torn.append(batch)


def _follows(text: str, body: int, entries: int, expected: int) -> int | None:
    """Where the lines after a torn batch with no end mark begin that its write did not
    write (review BO F3: a clerk appended an entry by hand after a killed write, and
    repair cut it away with the batch); None where all of it may be what the write left.

    The write leaves a prefix of the batch: each of its lines whole but the last, no more
    [[entry]] headers than its begin line announced, no newline in or after the bytes it
    announced (its last line ends in the end mark). The first line past any of these
    begins what a person wrote."""
    found: list[int] = []
    at = body
    while (line := _UNWRITTEN.search(text, at)) is not None:
        said = line.group()[:-1]
        try:
            tomllib.loads(said)
        except tomllib.TOMLDecodeError:
            found.append(line.end())  # a line cut off, and a newline the write never wrote
            break
        if said.startswith("[") or not _KEY.match(said):  # no line of an entry govscore writes
            found.append(line.start())
            break
        at = line.end()
    if entries:
        extra = next(itertools.islice(_HEADER.finditer(text, body), entries, None), None)
        if extra is not None:
            found.append(extra.start())
    data = text[body:].encode("utf-8")
    if len(data) >= expected:  # the body never ends in a newline, the mark is after it
        newline = data.find(b"\n", max(expected - 1, 0))
        if newline >= 0:
            found.append(body + len(data[: newline + 1].decode("utf-8")))
        elif not _mark_begun(data[expected:].decode("utf-8", "replace")):
            found.append(text.rfind("\n") + 1)  # more than its end mark on its last line
    return min(found, default=None)


def _mark_begun(text: str) -> bool:
    """Whether the text is the start of an end mark (its newline aside)."""
    if len(text) <= len(END):
        return END.startswith(text)
    return (
        text.startswith(END)
        and re.fullmatch(f"[0-9a-f]{{0,{DIGITS}}}", text[len(END) :]) is not None
    )


def _marks(text: str) -> Iterator[tuple[int, str]]:
    """What _MARKS.finditer finds, as (start, mark), found by str.find.

    The expression tries both its alternatives at every character: about a second for a
    ledger holding a note of 100 MB. Both hold the same words, which str.find finds at
    memory speed; only where they stand is the mark checked.
    """
    at = text.find(_WORDS)
    while at >= 0:
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        if text.startswith(_BEGIN_WORDS, at) and (at == 0 or text[at - 1] == "\n"):
            yield at, text[at:end]
        elif text.startswith(_END_WORDS, at) and text.startswith("  ", at - 2) and at >= 2:
            yield at - 2, text[at - 2 : end]
        else:
            end = at + 1  # not a mark: look further on the same line
        at = text.find(_WORDS, end)


def _torn(text: str, opened: tuple[int, int, int, int], stop: int, at_end: bool) -> Torn:
    start, body, entries, expected = opened
    line = text.count("\n", 0, start) + 1
    last = line + text.count("\n", start, stop) - (1 if text.endswith("\n", 0, stop) else 0)
    written = min(len(text[body:stop].encode("utf-8")), expected)
    return Torn(start, stop, line, max(line, last), at_end, entries, expected, written)


def blank(text: str, spans: Sequence[Torn | Stray]) -> str:
    """The text with the lines of each torn batch (or stray lines and the table they
    change), in file order, made blank: no entry of them reads, and every other line
    keeps its number."""
    parts: list[str] = []
    position = 0
    for batch in spans:
        parts.append(text[position : batch.start])
        parts.append("\n" * text.count("\n", batch.start, batch.stop))
        position = batch.stop
    parts.append(text[position:])
    return "".join(parts)
