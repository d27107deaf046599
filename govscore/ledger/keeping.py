"""The back half of an import: the cache kept up to date and the new entries' text
spooled, then appended: on a second core once the import is big.

An import folds every new entry into the cache's snapshot (cache.Extension) and writes
its text to a spool as it goes: a third of the time of a million rows. The drafting of
the next rows needs nothing of that work back but the problems the extension finds, and
a problem stops the import anyway: so once the import proves big (a second part of
rows), the back half moves to a second process, forked with it as it stands, and does
each part while the first process drafts the next. Its answers come back in the order
the parts were given, a few parts behind. The process that holds the spools and the
snapshot appends the one and writes the other, under the lock the importing process
holds (the second process shares it: it was forked holding it).

Where no second process can start, or on one core, the back half stays where it is and
answers each part at once: the same answers, in the same order, the same files.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Generic, TypeVar

from govscore.errors import DataError, Problem
from govscore.i18n import _
from govscore.ledger import cache
from govscore.ledger.batches import file_head
from govscore.ledger.loader import CACHE_DIR, LEDGER_DIR, appended_mark, write_snapshot
from govscore.ledger.text import entry_toml
from govscore.ledger.workers import cpus, start_pool, stop
from govscore.ledger.writer import Spool, append_all
from govscore.model import Entry

Tag = TypeVar("Tag")

# An answer: the part's problems, or None when only the full review can say (then the
# back half is of no further use), with what the caller gave along with the part.
Answer = tuple[list[Problem] | None, Tag]


class Back:
    """The extension and the spools, wherever they are kept."""

    def __init__(self, growing: cache.Extension, root_path: Path, id_tag: str | None):
        self.growing, self.root_path, self.id_tag = growing, root_path, id_tag
        self.spools: dict[str, Spool] = {}

    def add(self, entries: Sequence[Entry], spool: bool) -> list[Problem] | None:
        """Fold the entries into the extension; with `spool`, and while it has found
        nothing wrong, write their text to their months' spools too."""
        found = self.growing.add(entries)
        # Text spooled after something was found wrong is never appended: leaving it out
        # only saves work.
        if not spool or found is None or self.growing.problems:  # pragma: no mutate (work)
            return found
        spools, folder, tag = self.spools, self.root_path / CACHE_DIR, self.id_tag
        for entry in entries:
            month = spools.get(entry.month)
            if month is None:
                month = spools[entry.month] = Spool(folder)  # pragma: no mutate (where only)
            month.add(entry_toml(entry, tag))
        return found

    def book(self) -> list[Path]:
        """Append every spooled entry to its month's file, all or none, and write the
        extended snapshot; the files appended to."""
        appends = []
        for month, spool in self.spools.items():
            path = self.root_path / LEDGER_DIR / f"{month}.toml"
            head = file_head(month, path.exists())
            appends.append((path, spool.pieces(head, self.id_tag)))
        append_all(appends)
        labels = [f"{LEDGER_DIR}/{month}.toml" for month in self.spools]
        marks = {label: appended_mark(self.root_path, label) for label in labels}
        write_snapshot(self.root_path, self.growing.snapshot(marks))
        return [path for path, _ in appends]

    def close(self) -> None:
        for spool in self.spools.values():
            spool.close()
        self.spools.clear()


class Keeper(Generic[Tag]):
    """A Back fed parts of entries, in a second process after `split` where it can.

    `add` gives the answers ready so far, oldest first; `rest` every one still owed;
    `book` appends and writes the snapshot. `close` lets the spools go and stops the
    second process, if any.
    """

    def __init__(self, back: Back, ahead: int = 4):  # pragma: no mutate (a window's size)
        self.back = back
        self.ahead = ahead  # parts handed over and not yet answered, at most
        self.pool: ProcessPoolExecutor | None = None
        self.owed: deque[tuple[Future[list[Problem] | None], Tag]] = deque()

    def split(self, workers: int | None = None) -> None:
        """Move the back half to a second process (forked now), when `workers` (default:
        the cores, at most 2) is 2 or more. Before the first part: what a process has
        spooled (its files' buffers) must never be copied into two."""
        assert not self.back.spools, "split before the first part"  # pragma: no mutate
        if workers is None:
            workers = min(2, cpus())  # pragma: no mutate (2 or more: the same)
        if workers < 2 or self.pool is not None:
            return
        pool = start_pool(1, _start_keeper, (self.back,))
        if pool is None:
            return
        # A fork that fails cannot be brought about in a test here: kept out of mutmut.
        started = False  # pragma: no mutate
        try:
            pool.submit(_started).result()  # the fork happens here, before anything changes
            started = True
        except (OSError, BrokenProcessPool):
            pass  # no second process could start: the back half stays here
        finally:
            if not started:
                stop(pool)  # pragma: no mutate
        if started:
            self.pool = pool

    @property
    def apart(self) -> bool:
        """Whether the back half is in a second process (what it folds in is not here)."""
        return self.pool is not None

    def add(self, entries: Sequence[Entry], tag: Tag, spool: bool) -> list[Answer[Tag]]:
        """Hand over the next part (see Back.add); the answers ready now (this part's,
        when kept here)."""
        if self.pool is None:
            return [(self.back.add(entries, spool), tag)]
        # Plain tuples: a NamedTuple's pickling calls Python code for each entry.
        rows = [tuple(entry) for entry in entries]
        try:
            self.owed.append((self.pool.submit(_add, rows, spool), tag))
        except BrokenProcessPool:  # it died before this part (as in _answer)
            return [(None, tag)]
        ready = []
        while self._due():
            ready.append(self._answer())  # pragma: no mutate (a mutant loops)
        return ready

    def _due(self) -> bool:
        """Whether the oldest answer is taken now: it is ready, or too many are owed. This
        decides when answers are taken, not what they are nor their order."""
        owed = self.owed  # pragma: no mutate
        return bool(owed) and (len(owed) > self.ahead or owed[0][0].done())  # pragma: no mutate

    def rest(self) -> list[Answer[Tag]]:
        """Every answer still owed, oldest first."""
        return [self._answer() for _ in range(len(self.owed))]

    def _answer(self) -> Answer[Tag]:
        future, tag = self.owed.popleft()
        try:
            return future.result(), tag
        except BrokenProcessPool:  # the second process died (killed): its work is lost
            return None, tag

    def book(self) -> list[Path]:
        """Back.book, where the back half is (after every answer was taken)."""
        assert not self.owed, "every answer is taken first"  # pragma: no mutate
        if self.pool is None:
            return self.back.book()
        try:
            return self.pool.submit(_book).result()
        except BrokenProcessPool:
            raise DataError(
                _(
                    "the import stopped while its entries were being appended to the "
                    "ledger (the process appending them ended): `govscore repair` shows a "
                    "batch it left torn and cuts it back; then import the file again (rows "
                    "already recorded are skipped)"
                )
            ) from None

    def close(self) -> None:
        """Let the spools go, and stop the second process, if any: once it has ended,
        unless answers are still owed (the import stopped early). It holds a copy of
        everything the importing process had open when it was forked, the ledger's lock
        among them: a finished import must not leave the lock held behind it."""
        if self.pool is not None:
            # Owed answers and the work queued are dropped: only the part it is on ends.
            stop(self.pool)  # pragma: no mutate
            self.pool = None  # pragma: no mutate (closed once)
        self.owed.clear()
        self.back.close()


_back: Back | None = None


def _start_keeper(back: Back) -> None:
    """The second process keeps the back half (fork copies it). Its millions of keys and
    ids are in no cycle: the collector would only walk them again (see cycles_left)."""
    global _back
    _back = back
    gc.disable()


def _started() -> None:
    """Nothing: a first task, so that the process is forked before the caller goes on."""


def _add(rows: list[tuple[object, ...]], spool: bool) -> list[Problem] | None:
    assert _back is not None, "started by _start_keeper"  # pragma: no mutate
    return _back.add([Entry._make(row) for row in rows], spool)


def _book() -> list[Path]:
    assert _back is not None, "started by _start_keeper"  # pragma: no mutate
    try:
        return _back.book()
    finally:
        _back.close()
