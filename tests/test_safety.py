"""The ledger survives what real offices do to it: many writers, a full disk, a cut-off
file, a writer killed in the middle. Real processes, a real kernel limit, real SIGKILL.

The writer process is tests/workers/recorder.py: it calls `record()` in a loop and prints
each id only once `record()` has returned, so a printed id is one govscore said it wrote.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO, process_env, run_process
from govscore.ledger.text import parse_toml_ledger

WORKER = REPO / "tests" / "workers" / "recorder.py"
ADD = ("add", "-d", "市公安局", "-c", "2.4.3", "--by", "clerk")


def worker(root: Path, tag: str, count: int, *months: str, **kwargs) -> subprocess.Popen:
    """Start a recorder process: COUNT rounds, one entry per month a round."""
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(root), tag, str(count), *months],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
        env=process_env(),  # this checkout's govscore
        **kwargs,
    )


def add(root: Path, month: str, note: str, preexec_fn: Callable[[], None] | None = None):
    """`govscore add` as a real process, optionally with a limit set in the child first."""
    command = [sys.executable, "-m", "govscore", "--root", str(root), *ADD]
    return subprocess.run(
        [*command, "--month", month, "--note", note],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=REPO,
        env=process_env(),
        preexec_fn=preexec_fn,
        timeout=120,
    )


def check(root: Path) -> subprocess.CompletedProcess[str]:
    return run_process("--root", str(root), "check", "--format", "json")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every ledger file's bytes: to prove a refused or failed append wrote nothing."""
    return {p.name: p.read_bytes() for p in sorted((root / "ledger").iterdir()) if p.is_file()}


def ledger_notes(path: Path) -> dict[str, str]:
    """id → note of every whole entry in a month file (a torn last entry is left out)."""
    month = path.stem
    parsed = parse_toml_ledger(path.read_text(encoding="utf-8"), f"ledger/{path.name}", month)
    return {e.id: e.note or "" for e in parsed.entries}


def file_size_limit(limit: int) -> Callable[[], None]:
    """Run in the child before exec: the kernel refuses to grow any file past `limit`.

    With SIGXFSZ ignored (exec keeps an ignored signal ignored) a write crossing the
    limit is cut short, and the next one fails with EFBIG: a real short write, as on a
    full disk.
    """

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def seed(root: Path, month: str, count: int) -> None:
    process = worker(root, f"seed-{month}", count, month)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert len(out.splitlines()) == count


# -- 1. concurrent appends -----------------------------------------------------------


def test_concurrent_writers_each_entry_lands_whole_once_with_a_unique_id(root: Path):
    """8 processes × 25 record() calls on one month at once: 200 entries, ids 1–200.

    Without the lock, writers read the same ledger and hand out the same ids.
    """
    workers = {f"w{n}": worker(root, f"w{n}", 25, "2023-05") for n in range(8)}
    printed: dict[str, str] = {}
    for tag, process in workers.items():
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, f"{tag}: {err}"
        for line in out.splitlines():
            entry_id, note = line.split()
            assert entry_id not in printed, f"{entry_id} printed twice"
            printed[entry_id] = note

    text = (root / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    entries = tomllib.loads(text)["entry"]  # the file as a whole is valid TOML
    expected_notes = {f"w{n}-{i}" for n in range(8) for i in range(25)}
    notes = [e["note"] for e in entries]
    assert sorted(notes) == sorted(expected_notes)  # each of the 200 once, no other
    assert [e["key"] for e in entries] == [f"2023-05/{note}" for note in notes]
    ids = [e["id"] for e in entries]
    assert ids == [f"2023-05-{n:04d}" for n in range(1, 201)]  # unique, in file order
    assert {e["id"]: e["note"] for e in entries} == printed  # each as its writer was told
    for e in entries:  # whole: every field the writer gave, nothing torn
        assert (e["department"], e["clause"], e["by"]) == (
            "市公安局",
            "2.4.3",
            e["note"].split("-")[0],
        )
    result = check(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["entries"] == 200


# -- 2. disk full: a real short write ------------------------------------------------


@pytest.mark.parametrize("existing", [3, 0], ids=["month-with-entries", "new-month"])
def test_a_write_cut_short_by_the_kernel_leaves_the_file_as_it_was(root: Path, existing: int):
    path = root / "ledger" / "2023-05.toml"
    if existing:
        seed(root, "2023-05", existing)
    before = snapshot(root)
    size = path.stat().st_size if path.exists() else 0

    failed = add(root, "2023-05", "over the limit", preexec_fn=file_size_limit(size + 10))

    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert failed.stdout == ""  # no id: nothing was recorded
    # The system's reason in words (EFBIG), not the C library's English (File too large).
    assert f"{path}: could not append (the file would be larger than the system allows)" in (
        failed.stderr
    )
    assert "the ledger is as it was before" in failed.stderr
    assert snapshot(root) == before  # not one byte of the half entry stays; no empty file

    later = add(root, "2023-05", "after the limit")
    assert later.returncode == 0, later.stderr
    assert later.stdout == f"2023-05-{existing + 1:04d}\n"
    assert check(root).returncode == 0


@pytest.mark.parametrize("first", [1, 0], ids=["first-file-with-entries", "first-file-new"])
def test_a_multi_file_append_failing_on_its_second_file_cuts_the_first_back(root: Path, first: int):
    """One record() of two months: 2023-05 is written, then 2023-06 hits the limit."""
    if first:
        seed(root, "2023-05", first)
    seed(root, "2023-06", 4)  # larger than 2023-05 after its append: only 2023-06 fails
    june = root / "ledger" / "2023-06.toml"
    before = snapshot(root)
    limit = june.stat().st_size + 10
    may = root / "ledger" / "2023-05.toml"
    assert (may.stat().st_size if may.exists() else 0) + 400 < limit

    process = worker(root, "both", 1, "2023-05", "2023-06", preexec_fn=file_size_limit(limit))
    out, err = process.communicate(timeout=120)

    assert process.returncode == 1, out + err
    assert out == ""
    assert f"{june}: could not append (the file would be larger than the system allows)" in err
    assert snapshot(root) == before  # 2023-05 cut back (or removed), 2023-06 too

    again = worker(root, "both", 1, "2023-05", "2023-06")
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert out == f"2023-05-{first + 1:04d} both-0\n2023-06-0005 both-0\n"
    assert check(root).returncode == 0


# -- 3. a broken tail ----------------------------------------------------------------

CUT_OFF = '\n[[entry]]\nid = "2023-05-0002"\ndepartment = "市公'  # power loss: no newline
BAD_EDIT = '\n[[entry]]\nid = "2023-05-0002"\nnote = "迟到\nclause = "2.4.3"\n'


@pytest.mark.parametrize(
    ("tail", "named", "refused_at"),
    [
        # The cut-off entry is left out whole: named where the file ends.
        # (as JSON words them: in Chinese in both languages)
        (CUT_OFF, {3: "文件不以换行结尾"}, 3),
        (BAD_EDIT, {3: "TOML 格式有误：非法字符"}, 3),
    ],
    ids=["cut-off", "bad-hand-edit"],
)
def test_a_broken_tail_is_named_and_never_appended_to(
    root: Path, gs, tail: str, named: dict[int, str], refused_at: int
):
    """Lines are counted from the broken entry's [[entry]] header, line 1 of the tail.

    `check` names every broken line; `add` names the first (for a cut-off entry, its
    header: TOML cannot say where an unterminated string at the end began).
    """
    path = root / "ledger" / "2023-05.toml"
    assert gs(*ADD, "--month", "2023-05").exit_code == 0
    whole = path.read_text(encoding="utf-8")
    path.write_text(whole + tail, encoding="utf-8")
    header = whole.count("\n") + 2  # after whole's lines and the tail's blank line

    checked = check(root)
    assert checked.returncode == 1
    problems = json.loads(checked.stdout)["problems"]
    assert {(p["file"], p["line"]) for p in problems} == {
        ("ledger/2023-05.toml", header + n - 1) for n in named
    }, problems
    for p in problems:
        assert named[p["line"] - header + 1] in p["message"]

    before = snapshot(root)
    refused = gs(*ADD, "--month", "2023-05")
    assert refused.exit_code == 1
    assert refused.stdout == ""
    assert f"ledger/2023-05.toml:{header + refused_at - 1}: " in refused.stderr
    assert "will not append" in refused.stderr and "repaired" in refused.stderr
    assert snapshot(root) == before

    other = gs(*ADD, "--month", "2023-06")  # other months go on
    assert other.exit_code == 0, other.output
    assert other.stdout == "2023-06-0001\n"

    path.write_text(whole, encoding="utf-8")  # the repair the message asks for
    repaired = gs(*ADD, "--month", "2023-05")
    assert repaired.exit_code == 0, repaired.output
    assert check(root).returncode == 0


# -- 4. SIGKILL in the middle --------------------------------------------------------


def assert_tail_torn_by_the_kill(path: Path, problems: list[dict]) -> None:
    """The one way a kill can damage the file: inside the write of the batch in flight.

    Linux copies a write into the page cache a page at a time and stops between pages
    for a fatal signal, so a batch whose bytes cross a page boundary can be left cut.
    Then the one problem is that last, unreported batch, and nothing before it.
    """
    text = path.read_text(encoding="utf-8")
    begin = text[: text.rindex("\n# govscore batch of ")].count("\n") + 2
    assert problems and all(p["file"] == f"ledger/{path.name}" for p in problems), problems
    assert all(p["line"] >= begin for p in problems), problems


def test_a_writer_killed_mid_run_loses_nothing_it_reported(root: Path):
    """Three writers killed by SIGKILL at different points, one after another.

    Each id a writer printed is in the ledger; at most the one entry in flight is there
    without having been printed (killed between write and print: whole, since the data is
    in the page cache once write returns). The lock dies with the writer, so the next one
    (and a final `govscore add`) goes on.
    """
    path = root / "ledger" / "2023-05.toml"
    reported: dict[str, str] = {}
    in_flight: set[str] = set()
    for round_, kill_after in enumerate((4, 9, 15)):
        tag = f"k{round_}"
        process = worker(root, tag, 10_000, "2023-05")
        assert process.stdout is not None
        stuck = threading.Timer(60, process.kill)  # a writer that hangs fails, not the run
        stuck.start()
        printed = [process.stdout.readline() for _ in range(kill_after)]
        stuck.cancel()
        time.sleep(0.003 * round_)  # land the kill at different points of record()
        process.send_signal(signal.SIGKILL)
        # Read the rest through the same buffered stream: communicate() reads the pipe
        # itself and would drop lines readline() had already buffered but not returned.
        rest, err = process.stdout.read(), process.stderr.read()
        process.wait(timeout=60)
        assert process.returncode == -signal.SIGKILL, err
        lines = [line for line in printed + rest.splitlines() if line.strip()]
        assert len(lines) >= kill_after, f"no id in 60 s: the ledger still locked? {err}"
        mine = dict(line.split() for line in lines)
        reported.update(mine)

        notes = ledger_notes(path)
        for entry_id, note in reported.items():
            assert notes.get(entry_id) == note, f"{entry_id} ({note}) was reported but is lost"
        # The next entry this writer would have printed may be there; so may the ones
        # earlier rounds' writers had in flight, found there then (kept, not reported).
        in_flight.add(f"{tag}-{len(mine)}")
        extra = {i: n for i, n in notes.items() if i not in reported}
        assert set(extra.values()) <= in_flight, extra
        in_flight &= set(extra.values())
        assert list(notes) == [f"2023-05-{n:04d}" for n in range(1, len(notes) + 1)]

        checked = check(root)
        if checked.returncode != 0:  # practically never: see assert_tail_torn_by_the_kill
            problems = json.loads(checked.stdout)["problems"]
            assert_tail_torn_by_the_kill(path, problems)
            repaired = run_process("--root", str(root), "repair", "--yes")
            assert repaired.returncode == 0, repaired.stderr
            assert check(root).returncode == 0
        elif not path.read_text(encoding="utf-8").endswith("\n"):
            pytest.fail("check passed a file that does not end with a newline")

    total = len(ledger_notes(path))
    after = add(root, "2023-05", "after the kills")
    assert after.returncode == 0, after.stderr
    assert after.stdout == f"2023-05-{total + 1:04d}\n"
    assert check(root).returncode == 0


def test_a_hand_entry_without_its_final_newline_is_left_out_until_it_is_ended(root: Path, gs):
    """A clerk's entry appended by hand and cut off before its newline (`count = 45` cut to
    `count = 4` reads as whole) is named by check and counts in no report, cached or not;
    once the file ends with a newline it counts as written. 2.4.3 is 1 point a case."""
    assert gs(*ADD, "--month", "2023-05").exit_code == 0
    path = root / "ledger" / "2023-05.toml"
    hand = '\n[[entry]]\nid = "hand-1"\ndepartment = "市公安局"\nclause = "2.4.3"\ncount = 4'
    path.write_text(path.read_text(encoding="utf-8") + hand, encoding="utf-8")

    def police(*flags: str) -> tuple[int, float, list[str]]:
        result = gs(*flags, "month", "2023-05", "--format", "json")
        payload = json.loads(result.stdout)
        total = next(d["total"] for d in payload["departments"] if d["department"] == "市公安局")
        return result.exit_code, total, [p["entry"] for p in payload["problems"]]

    # The added case alone: C2 99 → 25 + 39.6 + 20 + 15 = 99.6.
    assert police() == police("--no-cache") == (1, 99.6, ["hand-1"])
    checked = gs("check", "--format", "json")
    assert checked.exit_code == 1
    [problem] = json.loads(checked.stdout)["problems"]
    assert problem["entry"] == "hand-1" and "暂不计分" in problem["message"]
    assert gs(*ADD, "--month", "2023-05").exit_code == 1  # not appended to, as before
    path.write_text(path.read_text(encoding="utf-8") + "5\n", encoding="utf-8")
    # Ended: 1 + 45 cases, C2 54 → 25 + 21.6 + 20 + 15 = 81.6.
    assert police() == police("--no-cache") == (0, 81.6, [])


LOCK_AND_WORKER = """
import os, sys, time
from pathlib import Path
from govscore.ledger.workers import start_pool
from govscore.ledger.writer import ledger_lock

def ready():
    pass

def wait():
    print(os.getpid(), flush=True)
    time.sleep(300)

with ledger_lock(Path(sys.argv[1])):
    pool = start_pool(1, ready, ())
    pool.submit(wait)
    time.sleep(300)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers: Linux")
def test_a_killed_command_leaves_no_worker_holding_the_ledger_lock(root: Path):
    """A worker forked while its parent held the ledger's lock holds it too: when the
    parent is killed (SIGKILL, or cron's timeout) the worker ends, and the next writer
    gets the lock at once instead of waiting for good."""
    import fcntl

    folder = root / "ledger"
    parent = subprocess.Popen(
        [sys.executable, "-c", LOCK_AND_WORKER, str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        env=process_env(),
    )
    try:
        assert parent.stdout is not None
        worker_pid = int(parent.stdout.readline())
        assert worker_pid != parent.pid
    finally:
        parent.kill()
        parent.wait(timeout=30)
    fd = os.open(folder, os.O_RDONLY)
    try:
        waited = 0.0
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                assert waited < 30, f"worker {worker_pid} still holds the lock"
                time.sleep(0.1)
                waited += 0.1
    finally:
        os.close(fd)
    assert run_process("--root", str(root), "add", "-d", "市公安局", "-c", "2.4.3").returncode == 0


# A process in which the month file is replaced, as `git pull` replaces it (a new file at
# the path, holding what git has), at the first fsync: after govscore's write, before it
# is done.
REPLACED_AT_FSYNC = """
import os, runpy, sys
path = sys.argv.pop(1)
with open(path, "rb") as kept:
    before = kept.read()
fsync, done = os.fsync, []
def replaced_then_fsync(fd):
    if not done:
        done.append(fd)
        os.unlink(path)
        with open(path, "wb") as new:
            new.write(before)
    fsync(fd)
os.fsync = replaced_then_fsync
sys.argv[0] = "govscore"
runpy.run_module("govscore", run_name="__main__")
"""


def test_an_entry_written_into_a_file_git_replaced_meanwhile_is_not_reported(root: Path):
    """git takes no govscore lock: a pull that replaces the month file between govscore's
    open and the end of its write leaves the entry in a file no one reads again. `add`
    printed its id and exited 0, and the next add took the same number. Now it says the
    file was replaced and that nothing was recorded (exit 1, no id); again, it records."""
    args = ("--root", str(root), "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05")
    assert run_process(*args).returncode == 0
    path = root / "ledger" / "2023-05.toml"
    before = path.read_bytes()
    raced = subprocess.run(
        [sys.executable, "-c", REPLACED_AT_FSYNC, str(path), *args, "--note", "raced"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=process_env(),
    )
    assert (raced.returncode, raced.stdout) == (1, ""), raced.stderr
    assert "was replaced while govscore wrote to it" in raced.stderr
    assert "nothing was recorded" in raced.stderr
    assert path.read_bytes() == before
    again = run_process(*args, "--note", "again")
    assert (again.returncode, again.stdout) == (0, "2023-05-0002\n"), again.stderr
