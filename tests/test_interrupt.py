"""Ctrl-C (review BH F3): whatever govscore is doing, even reading a large ledger in its
worker processes or still importing its modules, it ends at once with 已中止！ and exit 1:
no traceback, no hang, no worker left behind. Real processes; SIGINT is sent to the
command's whole process group, as a terminal sends it, once or twice (a clerk presses
Ctrl-C again while the command ends). Nothing here is timed: a bound only fails a run
that would otherwise hang.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, process_env, run_python
from govscore.ledger.loader import PARALLEL_MIN_BYTES
from govscore.ledger.workers import cpus

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="process groups read from /proc: Linux"
)

# Said as a Ctrl-C at a prompt is said (click's words, in the catalog): nothing else.
ABORTED = "\n已中止！\n"
CHINESE = {"GOVSCORE_LANG": "zh"}
ENDED_WITHIN = 30  # seconds: a run still going then hangs


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger whose cold read is shared among worker processes (loader's threshold)."""
    root = tmp_path_factory.mktemp("interrupt") / "big"
    made = run_python(str(REPO / "bench" / "generate.py"), str(root), "--entries", "50000")
    assert made.returncode == 0, made.stderr
    size = sum(path.stat().st_size for path in (root / "ledger").iterdir())
    assert size >= PARALLEL_MIN_BYTES
    return root


def group(pgid: int) -> list[int]:
    """The processes of a process group, zombies included."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path("/proc", name, "stat").read_text(encoding="utf-8", errors="replace")
        except OSError:  # ended meanwhile
            continue
        if int(stat.rsplit(")", 1)[1].split()[2]) == pgid:
            found.append(int(name))
    return found


def started(*args: str) -> subprocess.Popen[str]:
    """govscore in a process group of its own, as a terminal runs a command."""
    return subprocess.Popen(
        [sys.executable, "-m", "govscore", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=process_env(CHINESE),
        start_new_session=True,
    )


def ended(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    """Its exit code, stdout and stderr; a run that does not end fails the test."""
    try:
        out, err = process.communicate(timeout=ENDED_WITHIN)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"still running {ENDED_WITHIN} s after Ctrl-C")
    return process.returncode, out, err


@pytest.mark.skipif(cpus() < 2, reason="a ledger is read by workers only on two cores")
def test_ctrl_c_while_workers_read_a_ledger_ends_govscore_at_once(big: Path):
    for attempt, delay in enumerate((0, 0.01, 0.02, 0.04, 0, 0.01, 0.03, 0.06)):
        process = started("--root", str(big), "--no-cache", "check")
        while len(group(process.pid)) < 3:  # govscore and its two workers
            assert process.poll() is None, "ended before its workers started"
            time.sleep(0.002)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGINT)
        if attempt % 2:  # Ctrl-C again while it ends
            time.sleep(delay / 2)
            os.killpg(process.pid, signal.SIGINT)
        code, _out, err = ended(process)
        assert (code, err) == (1, ABORTED), (attempt, delay)
        assert group(process.pid) == [], "a worker outlived the command"


# govscore as its console script starts it, Ctrl-C coming while its commands are still
# being imported (the ledger's reader among them): a real SIGINT at a known moment.
CTRL_C_WHILE_IMPORTING = """
import os, signal, sys

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == "govscore.ledger.loader":
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, CtrlC())
from govscore.cli import main
main()
"""


def test_ctrl_c_while_govscore_imports_its_modules_is_no_traceback(root: Path):
    process = subprocess.Popen(
        [sys.executable, "-c", CTRL_C_WHILE_IMPORTING, "--root", str(root), "check"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=process_env(CHINESE),
        cwd=REPO,
    )
    assert ended(process) == (1, "", ABORTED)
