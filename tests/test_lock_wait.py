"""Another govscore holds the ledger: a command says it waits, and gives up in time.

A cron job that found the ledger held (another import, a `git commit` under the lock
that hangs on a slow disk) stood still without a word and without end (review U F3).
It now says on stderr that it waits, and after GOVSCORE_LOCK_TIMEOUT seconds (600
unless set) gives up: exit 1, nothing done. Real processes, the lock held for real.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import process_env, run_process

fcntl = pytest.importorskip("fcntl")


class Held:
    """The root's ledger lock held here, as another govscore writing holds it."""

    def __init__(self, root: Path):
        self.fd = os.open(root / "ledger", os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def release(self) -> None:
        os.close(self.fd)


def ledger_bytes(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "ledger").iterdir())}


ADD = ("add", "-d", "市公安局", "-c", "2.4.3", "--month", "2023-05")


def test_a_command_that_waits_too_long_gives_up_having_done_nothing(root: Path):
    before = ledger_bytes(root)
    held = Held(root)
    try:
        done = run_process("--root", str(root), *ADD, env={"GOVSCORE_LOCK_TIMEOUT": "0.5"})
    finally:
        held.release()
    folder = root / "ledger"
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        f"waiting: another govscore is using {folder} …\n"
        f"error: {folder}: another govscore is using the ledger; waited 0.5 s, nothing was "
        "done (run it again later; GOVSCORE_LOCK_TIMEOUT sets how long to wait)\n"
    )
    assert ledger_bytes(root) == before


def test_a_command_that_waits_goes_on_once_the_lock_is_let_go(root: Path):
    held = Held(root)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "govscore", "--root", str(root), *ADD],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=process_env(),
        )
        assert process.stderr is not None
        guard = threading.Timer(60, process.kill)  # a process that waits without a word
        guard.start()
        waiting = process.stderr.readline()  # let go only once it says it waits
        guard.cancel()
    finally:
        held.release()
    out, rest = process.communicate(timeout=120)
    assert waiting == f"waiting: another govscore is using {root / 'ledger'} …\n"
    assert (process.returncode, out, rest) == (0, "2023-05-0001\n", "")


def test_a_report_waits_for_a_writer_and_a_lock_let_go_says_nothing(root: Path):
    assert run_process("--root", str(root), *ADD).returncode == 0
    held = Held(root)
    try:
        report = run_process(
            "--root", str(root), "month", "2023-05", env={"GOVSCORE_LOCK_TIMEOUT": "0"}
        )
    finally:
        held.release()
    assert report.returncode == 1
    assert "another govscore is using the ledger; waited 0 s" in report.stderr
    free = run_process("--root", str(root), "month", "2023-05", "--format", "json")
    assert free.returncode == 0 and "waiting" not in free.stderr


def test_a_timeout_that_is_not_seconds_is_said_when_a_wait_begins(root: Path):
    """A GOVSCORE_LOCK_TIMEOUT that is no number of seconds stops no command that does not
    wait (`clauses` takes no lock; an add finds it free): it is a usage error, exit 2,
    when a wait would begin, nothing done."""
    env = {"GOVSCORE_LOCK_TIMEOUT": "ten"}
    assert run_process("--root", str(root), "clauses", env=env).returncode == 0
    free = run_process("--root", str(root), *ADD, env=env)
    assert (free.returncode, free.stdout) == (0, "2023-05-0001\n"), free.stderr
    before = ledger_bytes(root)
    held = Held(root)
    try:
        done = run_process("--root", str(root), *ADD, env=env)
    finally:
        held.release()
    assert done.returncode == 2
    assert done.stderr.endswith("GOVSCORE_LOCK_TIMEOUT=ten: give seconds (600), 0 or none\n")
    assert ledger_bytes(root) == before
