"""The one place that writes ledger files: append-only, locked, all or nothing.

An append takes the root's lock (fcntl on the ledger folder), writes each file's new
entries with a single write on an O_APPEND descriptor and fsyncs. If the write fails
part-way (disk full, a short write), the file is cut back to its size before the write,
so no half entry is left behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from govscore.errors import DataError


@contextmanager
def ledger_lock(folder: Path) -> Iterator[None]:
    """Hold the root's advisory lock: one writer at a time validates and appends."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def append_all(appends: list[tuple[Path, str]]) -> None:
    """Append text to several files, or to none: a failure cuts every file back."""
    done: list[tuple[Path, int]] = []
    try:
        for path, text in appends:
            done.append((path, append_text(path, text)))
    except BaseException:
        for path, size in done:
            _truncate(path, size)
        raise


def append_text(path: Path, text: str) -> int:
    """Append text in one write and fsync; return the file's size before, for rollback."""
    data = text.encode("utf-8")
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    size = os.fstat(fd).st_size
    try:
        written = os.write(fd, data)
        if written != len(data):
            raise OSError(f"short write: {written} of {len(data)} bytes")
        os.fsync(fd)
    except OSError as exc:
        os.ftruncate(fd, size)
        os.fsync(fd)
        os.close(fd)
        if created and size == 0:
            path.unlink(missing_ok=True)
        reason = exc.strerror or str(exc)
        raise DataError(
            f"{path}: could not append ({reason}); the file is as it was before"
        ) from exc
    os.close(fd)
    if created:
        _fsync_folder(path.parent)
    return size


def _truncate(path: Path, size: int) -> None:
    if size == 0:
        path.unlink(missing_ok=True)
        return
    fd = os.open(path, os.O_WRONLY)
    try:
        os.ftruncate(fd, size)
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
