"""The cache kept up to date as an import drafts its rows: on a second core once it is big.

An import folds every new entry into the cache's snapshot (cache.Extension) as it
goes: a fifth of the time of a million rows. The drafting of the next rows needs
nothing of that work back but the problems it finds, and a problem stops the import
anyway: so once the import proves big (a second part of rows), the extension moves to
a second process, forked with it as it stands, and folds each part in while the first
process drafts the next. Its answers come back in the order the parts were given, a few
parts behind; the snapshot is written by the process that holds it.

Where no second process can start, or on one core, the extension stays where it is and
answers each part at once: the same answers, in the same order.
"""

from __future__ import annotations

import contextlib
import gc
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Generic, TypeVar

from govscore.errors import Problem
from govscore.ledger import cache
from govscore.ledger.loader import write_snapshot
from govscore.ledger.workers import cpus, start_pool
from govscore.model import Entry

Tag = TypeVar("Tag")

# An answer: the part's problems, or None when only the full review can say (then the
# extension is of no further use), with what the caller gave along with the part.
Answer = tuple[list[Problem] | None, Tag]


class Keeper(Generic[Tag]):
    """An Extension fed parts of entries, in a second process after `split` where it can.

    `add` gives the answers ready so far, oldest first; `rest` every one still owed;
    `write` writes the extended snapshot. `close` stops the second process, if any.
    """

    def __init__(self, growing: cache.Extension, ahead: int = 4):
        self.growing = growing
        self.ahead = ahead  # parts handed over and not yet answered, at most
        self.pool: ProcessPoolExecutor | None = None
        self.owed: deque[tuple[Future[list[Problem] | None], Tag]] = deque()

    def split(self, workers: int | None = None) -> None:
        """Move the extension to a second process (forked now, with the extension as it
        stands), when `workers` (default: the cores, at most 2) is 2 or more."""
        if workers is None:
            workers = min(2, cpus())
        if workers < 2 or self.pool is not None:
            return
        pool = start_pool(1, _start_keeper, (self.growing,))
        if pool is None:
            return
        started = False
        try:
            pool.submit(_started).result()  # the fork happens here, before anything changes
            started = True
        except (OSError, BrokenProcessPool):
            pass  # no second process could start: the extension stays here
        finally:
            if not started:
                pool.shutdown(wait=False, cancel_futures=True)
        if started:
            self.pool = pool

    def add(self, entries: Sequence[Entry], tag: Tag) -> list[Answer[Tag]]:
        """Hand over the next part; the answers ready now (this part's, when kept here)."""
        if self.pool is None:
            return [(self.growing.add(entries), tag)]
        # Plain tuples: a NamedTuple's pickling calls Python code for each entry.
        rows = [tuple(entry) for entry in entries]
        self.owed.append((self.pool.submit(_add, rows), tag))
        ready = []
        while self.owed and (len(self.owed) > self.ahead or self.owed[0][0].done()):
            ready.append(self._answer())
        return ready

    def rest(self) -> list[Answer[Tag]]:
        """Every answer still owed, oldest first."""
        return [self._answer() for _ in range(len(self.owed))]

    def _answer(self) -> Answer[Tag]:
        future, tag = self.owed.popleft()
        try:
            return future.result(), tag
        except BrokenProcessPool:  # the second process died (killed): its work is lost
            return None, tag

    def write(self, root_path: Path, marks: dict[str, cache.FileMark]) -> None:
        """Write the extended snapshot, with the marks of the files as they now stand
        (after every answer was taken)."""
        assert not self.owed, "every answer is taken first"
        if self.pool is None:
            write_snapshot(root_path, self.growing.snapshot(marks))
        else:
            # A second process that died leaves the cache behind the ledger: the next
            # command reads what was appended (as after a crash), and writes it again.
            with contextlib.suppress(BrokenProcessPool):
                self.pool.submit(_write, root_path, marks).result()

    def close(self) -> None:
        """Stop the second process, if any: once it has ended, unless answers are still
        owed (the import stopped early). It holds a copy of everything the importing
        process had open when it was forked, the ledger's lock among them: a finished
        import must not leave the lock held behind it."""
        if self.pool is not None:
            self.pool.shutdown(wait=not self.owed, cancel_futures=True)
            self.pool = None
        self.owed.clear()


_growing: cache.Extension | None = None


def _start_keeper(growing: cache.Extension) -> None:
    """The second process keeps the extension (fork copies it). Its millions of keys and
    ids are in no cycle: the collector would only walk them again (see cycles_left)."""
    global _growing
    _growing = growing
    gc.disable()


def _started() -> None:
    """Nothing: a first task, so that the process is forked before the caller goes on."""


def _add(rows: list[tuple[object, ...]]) -> list[Problem] | None:
    assert _growing is not None, "started by _start_keeper"
    return _growing.add([Entry._make(row) for row in rows])


def _write(root_path: Path, marks: dict[str, cache.FileMark]) -> None:
    assert _growing is not None, "started by _start_keeper"
    write_snapshot(root_path, _growing.snapshot(marks))
