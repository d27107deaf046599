"""The one place that writes ledger files: append-only, locked, all or nothing.

An append takes the root's lock (flock on the ledger folder; elsewhere, as on Windows,
a `filelock` lock file), writes each file's new
entries on an O_APPEND descriptor and fsyncs. If a write fails part-way (disk full, a
file-size limit, a short write), every file of the append is cut back to its size
before it, still under the lock, so no half entry is left behind and no other writer
sees one.

What a crash leaves: the data is in the kernel's page cache once `write` returns, so a
process killed (even by SIGKILL) after it keeps the whole batch. A kill during the
write, or power loss before the fsync, can leave a batch cut at any byte: each batch is
framed (govscore.ledger.batches), so a cut one never reads as entries, the file is
broken until `govscore repair` cuts it back, and govscore refuses to append to it. An
append to several files writes their end marks last (see append_all).

Ledger files and the ledger folder are never symbolic links: a link would put entries
outside the root, where git never sees them.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from govscore.errors import DataError, UsageError
from govscore.i18n import _, listing, os_reason
from govscore.ledger.batches import DIGITS, END, begin_line, end_mark

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # Windows: no flock; lock through filelock (msvcrt) instead
    fcntl = None

# Where the lock file lives when there is no flock: beside the cache, which git ignores.
LOCK_FILE = Path(".govscore-cache") / "ledger.lock"


@dataclass
class LockWait:
    """What a command does while another holds the ledger's lock: `said` is called once,
    when it begins to wait (the CLI says so on stderr: a cron job's log shows why it
    stands still), and it gives up after `seconds` (None: never)."""

    said: Callable[[Path], None] | None = None
    seconds: float | None = 600.0
    # Why the setting could not be read: said (exit 2) when a wait begins, not before, so
    # a command that takes no lock, or finds it free, is not stopped by it.
    unreadable: str | None = None


LOCK_WAIT = LockWait()


@contextmanager
def ledger_lock(folder: Path, shared: bool = False) -> Iterator[None]:
    """Hold the root's lock: one writer at a time reads, validates and appends.

    The lock is taken on the folder, not on a month file, because ids and checks span
    every month. It belongs to the open descriptor, so closing it (or the process dying,
    however) releases it: a killed writer never leaves the ledger locked. Readers take
    it shared, so a report never sees an entry half written.
    """
    if shared and not folder.is_dir():
        yield
        return
    if not shared and folder.is_symlink():
        raise DataError(
            _(
                "{folder}: a symbolic link, not a folder: govscore writes only into a real "
                "ledger/ folder inside the root, so that git keeps every entry (replace the "
                "link with the folder itself)"
            ).format(folder=folder)
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file of that name: nothing refused a read or a write
        raise ledger_a_file_error(folder) from None
    except OSError as exc:
        raise DataError(_cannot_open(folder, exc, writing=True)) from None
    if fcntl is None:
        with _file_lock(folder.parent / LOCK_FILE):
            yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise DataError(_cannot_open(folder, exc)) from None
    try:
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            _wait_for_lock(fd, mode, folder)
        yield
    finally:
        os.close(fd)


def ledger_a_file() -> str:
    """What is wrong with a file in ledger/'s place: `add` and `import` refuse to write,
    `check` and `repair` name it alike, never as a missing folder (review BI J3)."""
    return _(
        "a file, not a folder: a root keeps its month files in the ledger/ folder (move the "
        "file away, and run again)"
    )


def ledger_a_file_error(folder: Path) -> DataError:
    """The error of a command that stops at a file in ledger/'s place, naming it."""
    return DataError(f"{folder}: {ledger_a_file()}")


def _wait_for_lock(fd: int, mode: int, folder: Path) -> None:
    """Another govscore holds the lock: say so once, then try again until it is let go,
    or give up after LOCK_WAIT.seconds (DataError: nothing was done)."""
    assert fcntl is not None
    if LOCK_WAIT.unreadable is not None:
        raise UsageError(LOCK_WAIT.unreadable)
    if LOCK_WAIT.said is not None:
        LOCK_WAIT.said(folder)
    limit = LOCK_WAIT.seconds
    deadline = None if limit is None else time.monotonic() + limit
    pause = 0.01
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if deadline is not None and time.monotonic() >= deadline:
                raise DataError(_held_too_long(folder, limit)) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.25)


def _held_too_long(folder: Path, seconds: float | None) -> str:
    return _(
        "{folder}: another govscore is using the ledger; waited {seconds} s, nothing was "
        "done (run it again later; GOVSCORE_LOCK_TIMEOUT sets how long to wait)"
    ).format(folder=folder, seconds=f"{seconds:g}")


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """The lock without flock: filelock's, exclusive for readers too.

    On Windows filelock locks the file with msvcrt, which the system releases when the
    process ends, however it ends; where neither exists its soft lock breaks the lock of
    a process that is gone.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "only soft file lock is available"
        import filelock

    path.parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(path)
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        if LOCK_WAIT.unreadable is not None:
            raise UsageError(LOCK_WAIT.unreadable) from None
        if LOCK_WAIT.said is not None:
            LOCK_WAIT.said(path.parent.parent / "ledger")
        limit = LOCK_WAIT.seconds
        try:
            lock.acquire(timeout=-1 if limit is None else limit)
        except filelock.Timeout:
            raise DataError(_held_too_long(path.parent.parent / "ledger", limit)) from None
    try:
        yield
    finally:
        lock.release()


def _cannot_open(folder: Path, exc: OSError, writing: bool = False) -> str:
    return _("{folder}: cannot open the ledger folder: {reason}").format(
        folder=folder, reason=os_reason(exc, folder, writing)
    )


@dataclass(frozen=True)
class _Before:
    """A file as it was before an append: what a rollback puts back."""

    path: Path
    size: int
    created: bool  # the append made the file: a rollback removes it


def append_all(appends: Sequence[tuple[Path, str | Iterable[bytes]]]) -> None:
    """Append text to several files, or to none: a failure cuts every file back.

    Each file's text is a string, or its bytes in pieces (a spooled batch, too large to
    hold). Call it holding `ledger_lock`, so no other writer appends between our write
    and a rollback. Raises DataError naming the file that failed.

    A process killed outright (SIGKILL, the OOM killer, power lost) runs no rollback. So
    with several files, each batch's end mark (govscore.ledger.batches) is held back
    until every file's entries are written and on disk: a kill before the last end mark
    leaves batches torn, which `check` names and `repair` cuts, and never one month of an
    import counting while another's entries are missing without a word.
    """
    held: list[_Held] = []
    current: _Held | None = None
    try:
        for path, text in appends:
            current = None
            current = _open_append(path)
            held.append(current)
            current.end = _write_but_end(current.fd, text, hold=len(appends) > 1)
            os.fsync(current.fd)
            if current.before.created:
                _fsync_folder(path.parent)  # else a power cut may lose the file's name
        for current in held:
            if current.end:
                _write_all(current.fd, current.end)
                os.fsync(current.fd)
        for current in held:
            _still_there(current)
    except BaseException as exc:
        # Also on KeyboardInterrupt: the caller never printed the ids, so nothing may stay.
        # A file replaced meanwhile is left alone: what stands at its path is not ours.
        cut = {id(h): not _is_there(h) or _cut_back(h.before, h.fd) for h in reversed(held)}
        error: BaseException = exc
        if current is not None and (isinstance(exc, OSError) or not cut[id(current)]):
            error = DataError(_failure(current.before, exc, cut[id(current)]))
        stuck = [str(h.before.path) for h in held if h is not current and not cut[id(h)]]
        if stuck:
            raise DataError(
                _(
                    "{reason}; and {files} could not be cut back: each ends with "
                    "entries that were not recorded (`git diff` shows them; remove them)"
                ).format(reason=error, files=listing(stuck))
            ) from exc
        if error is exc:
            raise
        raise error from exc
    finally:
        for h in held:
            os.close(h.fd)


def append_text(path: Path, text: str) -> None:
    """Append text to one file, whole or not at all."""
    append_all([(path, text)])


_NO_LINK = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def open_ledger_file(path: Path, flags: int) -> int:
    """Open a ledger file to write it; a symbolic link is refused (it would put entries
    outside the root, where git never sees them), and so is a file with other names (a
    hard link: what is written would change a file elsewhere too); every failure names
    the file."""
    try:
        if not hasattr(os, "O_NOFOLLOW") and path.is_symlink():  # Windows: no O_NOFOLLOW
            raise OSError(errno.ELOOP, "a symbolic link")
        fd = os.open(path, flags | _NO_LINK | getattr(os, "O_BINARY", 0), 0o644)
        try:
            links = os.fstat(fd).st_nlink
        except BaseException:
            os.close(fd)
            raise
        if links > 1:
            os.close(fd)
            raise DataError(
                _(
                    "{file}: a hard link, one of {count} names of one file: govscore writes "
                    "only ledger files of the root's own, so that an entry changes no file "
                    "elsewhere (put a copy of it in its place, and the file has one name); "
                    "nothing was written"
                ).format(file=path, count=links)
            )
        return fd
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            message = _(
                "{file}: a symbolic link: govscore writes only regular files inside the "
                "root's ledger/, so that git keeps every entry (replace the link with the "
                "file itself); nothing was written"
            )
        else:
            message = _("{file}: cannot write it: {reason}; nothing was written")
        raise DataError(
            message.format(file=path, reason=os_reason(exc, path, writing=True))
        ) from None


@dataclass
class _Held:
    """A ledger file open for an append: how it was before, and the end mark held back."""

    before: _Before
    fd: int
    end: bytes = b""


def _open_append(path: Path) -> _Held:
    created = not os.path.lexists(path)  # no race: every writer holds the lock
    fd = open_ledger_file(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        return _Held(_Before(path, os.fstat(fd).st_size, created), fd)
    except BaseException:
        os.close(fd)
        raise


_END = END.encode("utf-8")


def _is_there(held: _Held) -> bool:
    """Whether the file open for the append is still the one at its path."""
    try:
        written = os.fstat(held.fd)
        now = os.stat(held.before.path, follow_symlinks=False)
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (written.st_dev, written.st_ino)


def _still_there(held: _Held) -> None:
    """Raise if the file written is no longer the one at its path: git does not take
    govscore's lock, and a `git pull` or `checkout` that replaced the month file while
    it was open put the entries in a file no one will read again."""
    if not _is_there(held):
        raise DataError(
            _(
                "{file} was replaced while govscore wrote to it (a git pull, checkout or "
                "merge at the same moment?): nothing was recorded; run the command again"
            ).format(file=held.before.path)
        )


def _write_but_end(fd: int, text: str | Iterable[bytes], hold: bool) -> bytes:
    """Write a file's text; with `hold`, all but its last batch's end mark, returned."""
    pieces = iter([text.encode("utf-8")] if isinstance(text, str) else text)
    last = next(pieces, b"")
    for piece in pieces:
        _write_all(fd, last)
        last = piece
    mark = last.rfind(_END) if hold else -1
    if mark < 0:
        _write_all(fd, last)
        return b""
    _write_all(fd, last[:mark])
    return last[mark:]


class Spool:
    """One month's batch of a large append, kept in a temporary file until it is written.

    An import of a million rows makes 200 MB of entries: held as text they would more
    than double its memory. The batch's bytes are counted and hashed as they come, so
    that its begin line, which states both, can be written before them
    (govscore.ledger.batches); `pieces` then gives the framed batch to `append_all`.
    """

    FLUSH = 2000  # entries gathered before they are encoded and written out

    def __init__(self, folder: Path | None = None):
        # Beside the ledger (on its disk, not in a /tmp kept in memory); closed by close().
        try:
            if folder is not None:
                folder.mkdir(exist_ok=True)
            self.file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115
        except OSError:  # a root that cannot be written to: the append will say so
            self.file = tempfile.TemporaryFile()  # noqa: SIM115
        self.hash = hashlib.sha256()
        self.size = 0  # bytes of the batch's content
        self.entries = 0
        self._pending: list[str] = []

    def add(self, text: str) -> None:
        """One entry as text.entry_toml writes it: a blank line, then its table."""
        self._pending.append(text)
        self.entries += 1
        if len(self._pending) >= self.FLUSH:
            self._flush()

    def _flush(self) -> None:
        """Write what is gathered. The content leaves out the first entry's blank line and
        the last line's newline (where the begin line and the end mark stand), so each
        write leaves its last newline owed to the next, before its blank line."""
        if not self._pending:
            return
        data = memoryview("".join(self._pending).encode("utf-8"))
        self._pending = []
        body = [data[1:-1]] if self.size == 0 else [b"\n", data[:-1]]
        for part in body:
            self.file.write(part)
            self.hash.update(part)
            self.size += len(part)

    def pieces(self, head: str, tag: str | None) -> Iterator[bytes]:
        """The framed batch, in pieces: `head` (a new file's head line), the begin line,
        the entries, and the end mark."""
        self._flush()
        yield (head + begin_line(self.entries, self.size, tag)).encode("utf-8")
        self.file.seek(0)
        while chunk := self.file.read(2**22):
            yield chunk
        yield end_mark(self.hash.hexdigest()[:DIGITS]).encode("utf-8")

    def close(self) -> None:
        self.file.close()


def _write_all(fd: int, data: bytes) -> None:
    """Write all of data, normally in one write.

    On Linux a write to a regular file is not cut short by ordinary signals, so a short
    write means the disk, the quota or the file-size limit ran out part-way; writing the
    rest then raises the error that says which (ENOSPC, EDQUOT, EFBIG).
    """
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.EIO, f"a write took none of the last {len(view)} bytes")
        view = view[written:]


def _cut_back(before: _Before, fd: int | None = None) -> bool:
    """Put a file back as it was before the append; False if even that failed."""
    try:
        if before.created:
            before.path.unlink(missing_ok=True)
            _fsync_folder(before.path.parent)
            return True
        own = os.open(before.path, os.O_WRONLY) if fd is None else fd
        try:
            os.ftruncate(own, before.size)
            os.fsync(own)
        finally:
            if fd is None:
                os.close(own)
    except OSError:
        return False
    return True


def _failure(before: _Before, exc: BaseException, cut: bool) -> str:
    reason = os_reason(exc, writing=True) if isinstance(exc, OSError) else str(exc) or repr(exc)
    if cut:
        return _(
            "{file}: could not append ({reason}); nothing was written, "
            "the ledger is as it was before"
        ).format(file=before.path, reason=reason)
    return _(
        "{file}: could not append ({reason}), and could not cut it back to its {size} bytes: "
        "it may end with a partial entry (`govscore check` shows where; remove what "
        "`git diff` shows)"
    ).format(file=before.path, reason=reason, size=before.size)


def _fsync_folder(folder: Path) -> None:
    if not hasattr(os, "O_DIRECTORY"):
        return  # Windows opens no folder; NTFS journals the file's name itself
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_whole(path: Path, data: bytes) -> None:
    """Write a file (a report) all at once: a reader sees the old file or the new, never half.

    The bytes go to a temporary file beside it, which then takes its name.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        with suppress(OSError):
            temporary.unlink(missing_ok=True)
        reason = os_reason(exc, path, writing=True)
        raise DataError(
            _("{file}: cannot write it: {reason}; nothing written").format(file=path, reason=reason)
        ) from None


def create_files(folder: Path, planned: dict[str, str], then: Callable[[], None]) -> None:
    """Create a new root's files (and `then` its git repository), or leave nothing behind.

    A full disk, a file-size limit or a folder that cannot be written stops it with a
    message naming the file; whatever it had made by then is removed again.
    """
    above = [f for f in (folder, *folder.parents) if not f.exists()]
    folders = sorted({*above, *((folder / name).parent for name in planned)}, key=len_parts)
    new_folders = [f for f in folders if not f.exists()]
    git = folder / ".git"
    new_git = not git.exists()
    written: list[Path] = []
    current = folder
    try:
        for made in new_folders:
            current = made
            made.mkdir(parents=True, exist_ok=True)
        for name, text in planned.items():
            current = folder / name
            written.append(current)
            current.write_text(text, encoding="utf-8")
        current = git
        then()
    except Exception as exc:  # OSError, or git failing (a full disk stops it too)
        for path in reversed(written):
            with suppress(OSError):
                path.unlink(missing_ok=True)
        if new_git:
            shutil.rmtree(git, ignore_errors=True)
        for made in reversed(new_folders):
            with suppress(OSError):
                made.rmdir()
        if isinstance(exc, OSError):
            reason = os_reason(exc, current, writing=True)
            message = _("{file}: cannot write it: {reason}; nothing was created")
            raise DataError(message.format(file=current, reason=reason)) from None
        # git's own failure (no git program, a commit it refused) is no file's to name.
        message = _("{folder}: cannot make its git repository: {reason}; nothing was created")
        raise DataError(message.format(folder=folder, reason=exc)) from None


def len_parts(path: Path) -> int:
    return len(path.parts)
