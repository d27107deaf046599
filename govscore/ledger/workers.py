"""Worker processes for CPU-bound work that splits by file: ledger months, item files.

Python runs one thread of Python code at a time, so a second core helps only from a
second process. Each user hands the workers what every task shares once, through the
pool's initializer (copied by fork on Linux, not sent), then one small task per file,
and takes the results back in the order the tasks were given.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.context
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from types import FrameType
from typing import Any, TypeVar

Result = TypeVar("Result")


def cpus() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


@contextmanager
def cycles_left() -> Iterator[None]:
    """Pause the collector of reference cycles while a ledger is read (and entries are
    recorded against it).

    Reading a province makes millions of long-lived objects (entries, ids, sums), none
    of them in a cycle. Every full collection walks all of them again and frees
    nothing: 1.3 s of a cold `year` in the main process, as much in each worker.
    Reference counting frees everything as usual. The collector resumes after, leaving
    alone what was made meanwhile (frozen: the command keeps it to the end).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def pool_context() -> multiprocessing.context.BaseContext:
    # fork starts a worker in milliseconds with govscore already imported; elsewhere (macOS,
    # Windows) the platform's default is the safe one.
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def start_pool(
    workers: int, initializer: Callable[..., None], initargs: tuple[Any, ...]
) -> ProcessPoolExecutor | None:
    """A pool of worker processes, or None where processes cannot be started. Each ends
    when the process that started it does, however that one ends (see _start_worker),
    and stops its task at Ctrl-C (see _Pool).

    The workers are forked at once, Ctrl-C held back meanwhile: a worker is born
    holding it, and lets it through once it answers it as a worker (_start_worker)."""
    try:
        start = (os.getpid(), initializer, initargs)
        with _interrupts_held():
            pool = _Pool(workers, pool_context(), _start_worker, start)
            try:
                pool.submit(os.getpid)  # with fork, every worker is started at the first task
            except BaseException:
                stop(pool)
                raise
        return pool
    except (OSError, NotImplementedError):
        return None


class _Pool(ProcessPoolExecutor):
    """Worker processes that stop their tasks at Ctrl-C, and nothing else.

    Ctrl-C at a terminal reaches every process of the command. A worker stopped by it
    anywhere (in the middle of sending a result, holding its queue's lock) would leave
    the pool, and with it the command, waiting forever. So a worker is stopped only
    within a task's own code: the task ends with KeyboardInterrupt, sent back as its
    result, and each task after it ends so at once; the pool ends in moments, the
    parent saying 已中止！ (an append a task was making is cut back, as anywhere).
    """

    def submit(self, fn: Callable[..., Result], /, *args: Any, **kwargs: Any) -> Future[Result]:
        return super().submit(_task, fn, *args, **kwargs)


def stop(pool: ProcessPoolExecutor) -> None:
    """Drop the work queued and wait for the workers to end: a failed task, Ctrl-C or a
    caller that stopped early wants nothing more of them. Each ends the task it is on,
    at once at Ctrl-C (see _Pool). Waited for here, not left to end while Python ends:
    Python 3.11's exit wakes every pool without its lock, and one closing meanwhile
    puts a traceback on stderr (OSError: Bad file descriptor; CPython gh-125451)."""
    pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Ctrl-C held back meanwhile, then taken. A process forked meanwhile is born holding
    it (the signal mask is inherited): a worker lets it through only once it answers it
    as a worker (see _start_worker). The parent, whichever of its threads the signal
    reaches, is not stopped halfway through starting a pool, which nothing would end."""
    main = threading.current_thread() is threading.main_thread()
    taken: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda n, _f: taken.append(n)) if main else None
    masked = hasattr(signal, "pthread_sigmask")  # not on Windows: workers are spawned there
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if masked else set()
    try:
        yield
    finally:
        if masked:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        if main:
            signal.signal(signal.SIGINT, previous)
            if taken and callable(previous):
                previous(signal.SIGINT, None)


# How often a worker looks whether the process that started it is still there.
WATCH_SECONDS = 0.25


def _start_worker(parent: int, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
    """A worker forked while its parent held the ledger's lock holds that lock too (the
    lock belongs to the open file, which fork shares): one left behind by a killed
    import or report would hold it for good, and every later command would wait on it.
    So each worker watches its parent and ends as soon as it is gone."""
    signal.signal(signal.SIGINT, _interrupted)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held since the fork
    if os.getppid() != parent:  # gone already
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="govscore-parent").start()
    initializer(*initargs)


# A worker's Ctrl-C (see _Pool): whether one came, and whether a task's own code runs.
_INTERRUPT = {"came": False, "in_task": False}


def _interrupted(signum: int, frame: FrameType | None) -> None:
    _INTERRUPT["came"] = True
    if _INTERRUPT["in_task"]:
        raise KeyboardInterrupt


def _task(fn: Callable[..., Result], *args: Any, **kwargs: Any) -> Result:
    """A task in a worker, stopped by Ctrl-C (see _Pool)."""
    if _INTERRUPT["came"]:
        raise KeyboardInterrupt
    _INTERRUPT["in_task"] = True
    try:
        return fn(*args, **kwargs)
    finally:
        _INTERRUPT["in_task"] = False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(1)  # nothing of this process's work is wanted now: no clean-up to wait for


def in_order(
    pool: ProcessPoolExecutor,
    task: Callable[..., Result],
    arguments: Iterable[tuple[Any, ...]],
    ahead: int = 8,
    keep: bool = False,
) -> Iterator[Result]:
    """Run every task in the pool; yield the results in the order the tasks were given.

    At most `ahead` tasks are submitted and not yet taken: the workers keep busy while
    the caller handles a result, but results the caller takes slowly (printing half a
    million findings) do not pile up in memory, and a result is let go once taken. A
    failed task, Ctrl-C or a caller that stops early drops the queued work instead of
    waiting for it. The pool is shut down after the last result, unless `keep` (the
    caller has more work for it, and shuts it down).
    """
    try:
        pending: deque[Future[Result]] = deque()
        for args in arguments:
            pending.append(pool.submit(task, *args))
            if len(pending) >= ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BaseException:
        stop(pool)
        raise
    if not keep:
        pool.shutdown()
