"""`add` at a terminal asks for everything that decides the score and is missing.

Real pseudo-terminals for the whole conversation, and CliRunner with typed input for
each kind of clause (the terminal check itself is what the pty tests exercise).
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SMALL_DEPARTMENTS, process_env
from govscore.cli import commands
from govscore.cli.commands import cli
from govscore.ledger.text import parse_toml_ledger
from govscore.model import month_of


@pytest.fixture
def small(root: Path) -> Path:
    (root / "departments.toml").write_text(SMALL_DEPARTMENTS, encoding="utf-8")
    return root


class Terminal:
    """govscore on a real pseudo-terminal: read what it shows, type answers."""

    def __init__(self, root: Path, *args: str, captured: bool = False):
        """`captured`: stdout is a pipe, as in `id=$(govscore add …)` (self.process.stdout)."""
        self.main, child = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "govscore", "--root", str(root), *args],
            stdin=child,
            stdout=subprocess.PIPE if captured else child,
            stderr=child,
            env=process_env({"COLUMNS": "200"}),
        )
        os.close(child)
        self.seen = b""

    def expect(self, text: str) -> str:
        """Wait until `text` is shown; return what was shown since the last expect."""
        deadline = time.monotonic() + 60
        while text.encode() not in self.seen:
            assert time.monotonic() < deadline, self.seen.decode(errors="replace")
            ready, _, _ = select.select([self.main], [], [], 1)
            if ready:
                try:
                    self.seen += os.read(self.main, 4096)
                except OSError:  # the child closed the terminal
                    break
        shown, _, self.seen = self.seen.partition(text.encode())
        return shown.decode(errors="replace") + text

    def type(self, answer: str) -> None:
        os.write(self.main, answer.encode() + b"\r")

    def close(self) -> int:
        code = self.process.wait(timeout=60)
        os.close(self.main)
        return code


def test_a_terminal_whose_stdout_is_captured_is_asked_on_stderr(small: Path):
    """`id=$(govscore add …)` at a terminal: stdout a pipe, stdin and stderr the terminal.
    Nothing was asked, and the entry was booked for today unasked (review Y F9). The
    prompts are on stderr, so they are asked; the pipe gets the id alone."""
    term = Terminal(small, "add", "-d", "市民政局", "-c", "1.2.2", captured=True)
    for prompt in ("month (YYYY-MM)", "date (YYYY-MM-DD", "count [1]: ", "note", "[Y/n]"):
        term.expect(prompt)
        term.type("2023-05" if prompt.startswith("month") else "")
    assert term.process.stdout is not None
    assert term.process.stdout.read() == b"2023-05-0001\n"
    assert term.close() == 0
    assert entries(small, "2023-05") == [
        {"id": "2023-05-0001", "department": "市民政局", "clause": "1.2.2"}
    ]


def test_a_count_far_past_the_bound_is_said_at_once_and_asked_again(small: Path):
    """1e5000 and 1e5000000000 answered to the count (review BH F2): said in the door's
    words and asked again, as 10001 is; no traceback, no minutes spent writing out digits
    (expect gives up, failing, after a minute)."""
    term = Terminal(small, "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05")
    term.expect("date (YYYY-MM-DD")
    term.type("")
    term.expect("count [1]: ")
    for typed, shown in (("1e5000", "1E+5000"), ("1e5000000000", "1E+5000000000")):
        term.type(typed)
        said = term.expect("count [1]: ")
        assert f"\r\ncount {shown} is more than 10000, the most one entry may state\r\n" in said
        assert "Traceback" not in said
    term.type("2")
    term.expect("note")
    term.type("")
    term.expect("[Y/n]")
    term.type("")
    assert term.close() == 0
    assert entries(small, "2023-05") == [
        {"id": "2023-05-0001", "department": "市民政局", "clause": "2.4.3", "count": 2}
    ]


def test_no_terminal_on_stdin_or_on_stderr_is_never_asked(small: Path, tmp_path: Path):
    """Cron's rule holds: no terminal to read answers from (stdin), or none to ask on
    (stderr sent to a log), and `add` never prompts: what is missing is a usage error."""
    main, child = pty.openpty()
    log = tmp_path / "add.log"
    args = [sys.executable, "-m", "govscore", "--root", str(small), "add", "-d", "市民政局"]
    try:
        with log.open("wb") as stderr:
            no_stdin = subprocess.run(
                args, stdin=subprocess.DEVNULL, stdout=child, stderr=child, env=process_env(),
                timeout=60,
            )  # fmt: skip
            no_stderr = subprocess.run(
                args, stdin=child, stdout=child, stderr=stderr, env=process_env(), timeout=60
            )
    finally:
        os.close(child)
        os.close(main)
    assert (no_stdin.returncode, no_stderr.returncode) == (2, 2)
    said = log.read_text(encoding="utf-8")
    assert said == (
        "Usage: govscore add [OPTIONS]\n"
        "Try 'govscore add --help' for help.\n\n"
        "Error: missing -c/--clause (no terminal to ask at)\n"
    )
    assert not (small / "ledger" / f"{month_of(date.today())}.toml").exists()


def test_a_closed_stdin_is_no_terminal_and_add_records(small: Path):
    """Review BH F10: `govscore add … <&-` (stdin closed: Python's sys.stdin is None)
    crashed with AttributeError, every option given and nothing written."""
    closed = 'exec "$0" "$@" <&-'  # the shell closes fd 0, then runs Python
    args = ["--root", str(small), "add", "-d", "市民政局", "-c", "2.4.3", "--month", "2023-05"]
    result = subprocess.run(
        ["sh", "-c", closed, sys.executable, "-m", "govscore", *args],
        capture_output=True, text=True, env=process_env(), timeout=60,
    )  # fmt: skip
    assert (result.returncode, result.stdout, result.stderr) == (0, "2023-05-0001\n", "")
    assert entries(small, "2023-05") == [
        {"id": "2023-05-0001", "department": "市民政局", "clause": "2.4.3"}
    ]
    missing = subprocess.run(
        ["sh", "-c", closed, sys.executable, "-m", "govscore", *args[:5]],
        capture_output=True, text=True, env=process_env(), timeout=60,
    )  # fmt: skip
    assert (missing.returncode, missing.stderr.splitlines()[-1]) == (
        2,
        "Error: missing -c/--clause (no terminal to ask at)",
    )


def entries(root: Path, month: str) -> list[dict[str, object]]:
    path = root / "ledger" / f"{month}.toml"
    parsed = parse_toml_ledger(path.read_text(encoding="utf-8"), path.name, month)
    out = []
    for entry in parsed.entries:
        fields = {k: v for k, v in entry._asdict().items() if v is not None and v is not False}
        for name in ("file", "line", "recorded", "by", "month"):
            fields.pop(name, None)
        if fields.get("count") == 1:
            del fields["count"]
        out.append(fields)
    return out


def test_a_whole_entry_at_a_terminal(small: Path):
    """Nothing on the command line: every prompt, with a typo and a narrowed list."""
    term = Terminal(small, "add")
    shown = term.expect("department (-d): ")
    assert "departments: 市公安局、市民政局、市体育局" in shown
    term.type("市公按局")
    assert "unknown department '市公按局'; did you mean 市公安局 or 市民政局 or 市体育局?" in (
        term.expect("department (-d): ")
    )
    term.type("公安局")
    # The month comes first (this month offered; May is typed instead), then the date:
    # the clauses listed next are those in force in the month.
    assert f"month (YYYY-MM) [{month_of(date.today())}]: " in term.expect(": ")
    term.type("2023-05")
    term.expect("date (YYYY-MM-DD, optional): ")
    term.type("2023-06-02")
    assert "2023-06-02 is not in 2023-05" in term.expect("date (YYYY-MM-DD, optional): ")
    term.type("2023-05-12")
    shown = term.expect("clause (-c; an id, or a prefix such as 2.4 to narrow the list): ")
    assert "  2.4.3   受理事项未在承诺时限内办结（服务对象个人原因除外）  (1)\r\n" in shown
    assert "  1.1.2   取消、调整、下放的事项在事项管理系统中调整不及时不到位  (1)\r\n" in shown
    assert "  1.1.3   未及时优化调整办理流程、申请材料、承诺时限、跑动次数等…  (1)\r\n" in shown
    assert "  2.3.1 " in shown  # 市公安局 is in the one-window zone
    term.type("2.4")
    shown = term.expect("clause (-c; an id, or a prefix such as 2.4 to narrow the list): ")
    listed = [line.split()[0] for line in shown.splitlines() if line.startswith("  ")]
    assert listed == [f"2.4.{n}" for n in range(1, 14)]
    term.type("2.4.3")
    term.expect("count [1]: ")
    term.type("3")
    term.expect("note (optional): ")
    term.type("3件超期办结")
    # What was typed, on one line, to confirm before it goes into the ledger (Enter: yes).
    assert term.expect("[Y/n]: ").endswith(
        "record department 市公安局, clause 2.4.3 (points: 1 per occurrence), month 2023-05, date 2023-05-12, "
        "count 3, note 3件超期办结? [Y/n]: "
    )
    term.type("")
    assert term.expect("2023-05-0001").endswith("2023-05-0001")
    assert term.close() == 0
    assert entries(small, "2023-05") == [
        {
            "id": "2023-05-0001",
            "department": "市公安局",
            "clause": "2.4.3",
            "count": 3,
            "date": date(2023, 5, 12),
            "note": "3件超期办结",
        }
    ]


def test_at_a_terminal_the_defaults_are_this_month_today_and_one(small: Path):
    term = Terminal(small, "add", "-d", "市民政局", "-c", "1.2.2")
    prompts = (
        "month (YYYY-MM)",
        "date (YYYY-MM-DD; Enter: today, -: none)",
        "count [1]: ",
        "note",
        "[Y/n]",
    )
    for prompt in prompts:
        term.expect(prompt)
        term.type("")
    this_month = month_of(date.today())
    term.expect(f"{this_month}-0001")
    assert term.close() == 0
    [entry] = entries(small, this_month)
    assert entry["date"] == date.today() and entry["clause"] == "1.2.2" and "count" not in entry


@pytest.fixture
def ask(monkeypatch: pytest.MonkeyPatch, small: Path):
    """`add` in-process as if at a terminal, answering with `input`."""
    monkeypatch.setattr(commands, "interactive", lambda: True)

    def run(*args: str, input: str):
        return CliRunner().invoke(cli, ["--root", str(small), "add", *args], input=input)

    return run


def test_a_follow_up_lists_the_entries_it_may_refer_to(ask, small: Path):
    may = ["--month", "2023-05", "--note", "x"]
    for department in ("市公安局", "市民政局", "市公安局"):
        ask("-d", department, "-c", "4.3.1", "--date", "2023-05-02", "-n", "1", *may, input="")
    ask("-d", "市公安局", "-c", "2.4.3", "--date", "2023-05-02", "-n", "1", *may, input="")
    voided = CliRunner().invoke(
        cli, ["--root", str(small), "void", "2023-05-0003", "--reason", "申诉成立"]
    )
    assert voided.exit_code == 0
    # 市公安局's live 4.3.1 entries: 0001 only (0003 is voided, 0002 is 市民政局's,
    # 0004 is a 2.4.3). A wrong id is asked again.
    result = ask("-d", "公安局", "-c", "4.3.2", *may, input="\n1\n2023-05-0002\n2023-05-0001\n\n")
    assert result.exit_code == 0, result.output
    assert "市公安局's 4.3.1 entries:\n  2023-05-0001  2023-05  4.3.1  x\n" in result.stderr
    assert "2023-05-0003" not in result.stderr.split("entries:")[1]
    assert result.stdout == "2023-05-0006\n"
    assert entries(small, "2023-05")[-1]["ref"] == "2023-05-0001"


def test_each_kind_of_clause_asks_for_its_figures(ask, small: Path):
    may = ["--month", "2023-05", "--date", "2023-05-10", "--note", "n"]
    # range: count and points
    points = ask("-d", "市体育局", "-c", "2.4.10", *may, input="2\n1.5\n\n")
    assert points.exit_code == 0, points.output
    assert "points (1–3): " in points.stderr
    # a rate as cases
    rate = ask("-d", "市体育局", "-c", "2.5.2", *may, input="187/200\n\n")
    assert rate.exit_code == 0, rate.output
    # levels, exclusive: the level and the matter, no count
    level = ask("-d", "市体育局", "-c", "4.2.2", *may, input="省级\n企业开办一件事\n\n")
    assert level.exit_code == 0, level.output
    assert "count" not in level.stderr
    # recurring: asked, yes
    recurring = ask("-d", "市体育局", "-c", "3.1.3", *may, input="\ny\n\n")
    assert recurring.exit_code == 0, recurring.output
    assert entries(small, "2023-05") == [
        {
            "id": "2023-05-0001",
            "department": "市体育局",
            "clause": "2.4.10",
            "count": 2,
            "points": 1.5,
            "date": date(2023, 5, 10),
            "note": "n",
        },
        {
            "id": "2023-05-0002",
            "department": "市体育局",
            "clause": "2.5.2",
            "numerator": 187,
            "denominator": 200,
            "date": date(2023, 5, 10),
            "note": "n",
        },
        {
            "id": "2023-05-0003",
            "department": "市体育局",
            "clause": "4.2.2",
            "level": "省级",
            "matter": "企业开办一件事",
            "date": date(2023, 5, 10),
            "note": "n",
        },
        {
            "id": "2023-05-0004",
            "department": "市体育局",
            "clause": "3.1.3",
            "recurring": True,
            "date": date(2023, 5, 10),
            "note": "n",
        },
    ]


def test_points_the_clause_does_not_take_are_asked_again_at_once(ask, small: Path):
    """2.4.10 takes 1–3 points in steps of 0.1: 2.55 and 5 are said wrong and asked again
    straight away, before the questions after them."""
    may = ["--month", "2023-05", "--date", "2023-05-10", "--note", "n"]
    result = ask("-d", "市体育局", "-c", "2.4.10", *may, input="2\n2.55\n5\n1.5\n\n")
    assert result.exit_code == 0, result.output
    assert "points 2.55 are not in steps of 0.1" in result.stderr
    assert "points 5 outside 1–3 for clause 2.4.10" in result.stderr
    assert result.stderr.count("points (1–3): ") == 3
    assert entries(small, "2023-05")[0]["points"] == 1.5


def test_a_rate_the_door_would_refuse_is_asked_again_at_once(ask, small: Path):
    """0.935 (a fraction: 93.5 meant), 101 and 1.5/2 are said wrong and asked again at the
    prompt, before the note, in words for the prompt: no --force to add to what was typed."""
    may = ["--month", "2023-05", "--date", "2023-05-10"]
    result = ask("-d", "市体育局", "-c", "2.5.2", *may, input="0.935\n101\n1.5/2\n93.5\nn\n\n")
    assert (result.exit_code, result.stdout) == (0, "2023-05-0001\n"), result.output
    prompt = "rate in percent, or cases as numerator/denominator (0/0: none): "
    assert result.stderr == (  # CliRunner echoes the answers typed
        f"{prompt}0.935\n"
        "rate 0.935 looks like a fraction, but rates are typed in percent: did you mean "
        "93.5? Type the rate again (if 0.935% is meant, record it with "
        "`govscore add … --value 0.935 --force`)\n"
        f"{prompt}101\n"
        "rate 101 is not a percentage from 0 to 100\n"
        f"{prompt}1.5/2\n"
        "numerator and denominator count cases: whole numbers up to 1000000000, not 1.5 and 2\n"
        f"{prompt}93.5\n"
        "note (optional): n\n"
        "record department 市体育局, clause 2.5.2 (points: 每少1% 0.1), month 2023-05, "
        "date 2023-05-10, value 93.5%, note n? [Y/n]: \n"
    )
    # With --force a rate below 1% is taken as typed, as on the command line.
    forced = ask("--force", "-d", "市民政局", "-c", "2.5.2", *may, input="0.935\nn\n\n")
    assert (forced.exit_code, forced.stdout) == (0, "2023-05-0002\n"), forced.output
    assert [e["value"] for e in entries(small, "2023-05")] == [Decimal("93.5"), Decimal("0.935")]


def test_a_numerator_above_its_denominator_is_said_before_the_confirmation(ask, small: Path):
    """5/3 at the rate prompt (likely 3/5) was confirmed, written, then warned of: it is
    said at once, and kept only when the clerk says so (否, the default, asks the rate
    again); kept, it is not warned of again after the writing (review Y F10 g)."""
    may = ["--month", "2023-05", "--date", "2023-05-10", "--note", "n"]
    prompt = "rate in percent, or cases as numerator/denominator (0/0: none): "
    # 5/3: the rate is 5 × 100 / 3 = 166.666… → 166.67%, over 100%
    over = "numerator 5 is above denominator 3: the rate is 166.67%, over 100%, so it deducts nothing\n"
    retyped = ask("-d", "市体育局", "-c", "2.5.2", *may, input="5/3\n\n3/5\n\n")
    assert (retyped.exit_code, retyped.stdout) == (0, "2023-05-0001\n"), retyped.output
    assert retyped.stderr == (
        f"{prompt}5/3\n"
        f"{over}"
        "keep 5/3, a rate over 100%? [y/N]: \n"
        f"{prompt}3/5\n"
        "record department 市体育局, clause 2.5.2 (points: 每少1% 0.1), month 2023-05, "
        "date 2023-05-10, numerator 3, denominator 5, note n? [Y/n]: \n"
    )
    kept = ask("-d", "市民政局", "-c", "2.5.2", *may, input="5/3\n是\n\n")
    assert (kept.exit_code, kept.stdout) == (0, "2023-05-0002\n"), kept.output
    assert kept.stderr == (
        f"{prompt}5/3\n"
        f"{over}"
        "keep 5/3, a rate over 100%? [y/N]: 是\n"
        "record department 市民政局, clause 2.5.2 (points: 每少1% 0.1), month 2023-05, "
        "date 2023-05-10, numerator 5, denominator 3, note n? [Y/n]: \n"
    )
    # Given on the command line, it is written with the warning, as without a terminal.
    given = ask("-d", "市公安局", "-c", "2.5.2", "--numerator", "5", "--denominator", "3",
                *may, input="")  # fmt: skip
    assert (given.exit_code, given.stdout, given.stderr) == (
        0,
        "2023-05-0003\n",
        f"warning: {over}",
    ), given.output
    assert [(e["numerator"], e["denominator"]) for e in entries(small, "2023-05")] == [
        (3, 5),
        (5, 3),
        (5, 3),
    ]


def test_a_follow_up_with_nothing_to_follow_up_stops_before_the_rest(ask, small: Path):
    """市公安局 has no 4.3.1 entry: 4.3.2 stops as soon as the clause is known, before the
    date is asked (review Y F10 d), refused as the door refuses (exit 1, nothing written,
    said so: review W F4), saying what is missing and what to do."""
    result = ask("-d", "市公安局", "-c", "4.3.2", "--month", "2023-05", input="\n")
    assert (result.exit_code, result.stdout) == (1, ""), result.output
    assert result.stderr == (
        "govscore: 市公安局 has no live 4.3.1 entry up to 2023-05: 4.3.2 has nothing to "
        "follow up. Record the 4.3.1 entry first, then 4.3.2 naming its id; if it is "
        "recorded, `govscore log -d 市公安局` shows in which month and whether it was voided\n"
        "error: rejected: 1 problem; the entry not written, the ledger is unchanged\n"
    )
    assert not (small / "ledger" / "2023-05.toml").exists()


def test_an_entry_followed_up_already_is_not_offered(ask, small: Path):
    """A 4.3.1 complaint of one item followed up by 4.3.2 once has nothing left for
    another 4.3.2: it is not listed, and with nothing left the prompt stops at once."""
    whole = ("--date", "2023-05-02", "-n", "1", "--note", "x")
    for args in (
        ("-c", "4.3.1"),  # 2023-05-0001
        ("-c", "4.3.1"),  # 2023-05-0002
        ("-c", "4.3.2", "--ref", "2023-05-0001"),
    ):
        assert ask("-d", "市公安局", *args, *whole, input="").exit_code == 0
    offered = ask("-d", "市公安局", "-c", "4.3.2", "--month", "2023-06", input="\n\n\n\n\n")
    assert "  2023-05-0002  2023-05  4.3.1" in offered.stderr
    assert "  2023-05-0001  " not in offered.stderr
    assert offered.exit_code == 0, offered.output
    stopped = ask("-d", "市公安局", "-c", "4.3.2", "--month", "2023-07", input="\n")
    assert (stopped.exit_code, stopped.stdout) == (1, ""), stopped.output
    assert stopped.stderr == (  # before the date is asked
        "govscore: 市公安局's 4.3.1 entries up to 2023-07 are each followed up by 4.3.2 "
        "already (2023-05-0001, 2023-05-0002): nothing is left to follow up\n"
        "error: rejected: 1 problem; the entry not written, the ledger is unchanged\n"
    )


def test_what_was_typed_is_confirmed_before_it_is_written(ask, small: Path):
    """The entry on one line, then 是/否: 否 writes nothing (exit 1). An entry typed whole
    on the command line is not asked about (nothing was typed at a prompt)."""
    typed = ask("-d", "体育局", "-c", "4.2.2", "--month", "2023-05", input="\n省级\n开办\n\n否\n")
    assert (typed.exit_code, typed.stdout) == (1, ""), typed.output
    assert typed.stderr.endswith(
        "record department 市体育局, clause 4.2.2 (points: 5 per item), month 2023-05, "
        "level 省级, matter 开办? [Y/n]: 否\n"
        "error: not recorded; nothing was written\n"
    )
    assert not (small / "ledger" / "2023-05.toml").exists()
    whole = ["--month", "2023-05", "--date", "2023-05-10", "-n", "2", "--note", "n"]
    given = ask("-d", "市体育局", "-c", "2.4.3", *whole, input="")
    assert (given.exit_code, given.stdout, given.stderr) == (0, "2023-05-0001\n", "")


def test_figures_the_clause_chosen_does_not_take_are_refused_before_confirming(ask, small: Path):
    """--value 90 given, 2.4.3 (fixed, 1 a case) chosen at the prompt: the entry was shown
    and confirmed, then refused (review V F4). It is refused before the confirmation, with
    the same words as the door, and nothing is written."""
    typed = ask("-d", "市体育局", "--value", "90", "--month", "2023-05", input="\n2.4.3\n\n\n")
    assert (typed.exit_code, typed.stdout) == (1, ""), typed.output
    assert "record department" not in typed.stderr
    assert typed.stderr.endswith(
        "govscore: clause 2.4.3 is not a rate and takes no value\n"
        "error: rejected: 1 problem; the entry not written, the ledger is unchanged\n"
    )
    assert not (small / "ledger" / "2023-05.toml").exists()


def test_a_yes_or_no_question_takes_chinese_answers(ask, small: Path):
    """A clerk answers 是 or 否; an answer that is neither is asked again, saying which are."""
    may = ["--month", "2023-05", "--date", "2023-05-10", "--note", "n"]
    # 2.4.9 may recur (每月扣1分 for a month it happened): 否 is offered.
    yes = ask("-d", "市体育局", "-c", "2.4.9", *may, input="\n好\n是\n\n")
    assert yes.exit_code == 0, yes.output
    assert "(recurring)? [y/N]: " in yes.stderr
    assert "'好': answer 是 or 否 (y or n)" in yes.stderr
    no = ask("-d", "市体育局", "-c", "2.4.9", *may, input="\n否\n\n")
    assert no.exit_code == 0, no.output
    assert [e.get("recurring") for e in entries(small, "2023-05")] == [True, None]


def test_a_clause_that_does_not_apply_is_asked_again(ask, small: Path):
    # 2.3.1 is for the one-window zone; 市民政局 is not tagged one_window in this root.
    # A date as Excel writes it and a full-width id are read as typed anywhere else.
    result = ask(
        "-d", "市民政局", "--month", "2023-05", input="2023/5/3\n2.3.1\n１．２．２\n\n\n\n"
    )
    assert result.exit_code == 0, result.output
    assert "clause 2.3.1 applies only to departments tagged 一窗受理专区; 市民政局 is not" in (
        result.stderr
    )
    assert "  2.3.1 " not in result.stderr  # the list leaves it out
    assert entries(small, "2023-05")[0]["clause"] == "1.2.2"


def test_a_wrong_name_or_id_on_the_command_line_is_asked_again(ask, small: Path):
    result = ask(
        "-d", "市公按局", "-c", "2.4.33", "--month", "2023-05", "--note", "n",
        input="公安局\n\n2.4.3\n2\n\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "unknown department '市公按局'; did you mean 市公安局 or " in result.stderr
    assert "unknown clause '2.4.33'; did you mean 2.4.3 or " in result.stderr
    assert result.stdout == "2023-05-0001\n"
    [entry] = entries(small, "2023-05")
    assert (entry["department"], entry["clause"], entry["count"]) == ("市公安局", "2.4.3", 2)


def test_a_prefix_given_with_c_narrows_the_list_as_at_the_prompt(ask, small: Path):
    """`-c 2.4` was said unknown (did you mean 4.2.4 or 2.5.4 or 2.4.9?) and the whole
    catalog listed; typed at the prompt, 2.4 narrows the list. Given, it narrows it too
    (review Y F10 e)."""
    may = ["--month", "2023-05", "--note", "n"]
    result = ask("-d", "市公安局", "-c", "2.4", *may, input="\n2.4.3\n\n\n")
    assert (result.exit_code, result.stdout) == (0, "2023-05-0001\n"), result.output
    shown = result.stderr.splitlines()
    assert shown[0] == "date (YYYY-MM-DD, optional): "
    assert [line.split()[0] for line in shown[1:14]] == [f"2.4.{n}" for n in range(1, 14)]
    assert shown[14:] == [
        "clause (-c; an id, or a prefix such as 2.4 to narrow the list): 2.4.3",
        "count [1]: ",
        "record department 市公安局, clause 2.4.3 (points: 1 per occurrence), month 2023-05, "
        "count 1, note n? [Y/n]: ",
    ]
    assert entries(small, "2023-05")[0]["clause"] == "2.4.3"


def test_a_month_or_date_ahead_of_time_is_asked_again(
    ask, small: Path, monkeypatch: pytest.MonkeyPatch
):
    """The door's answer at once, before the rest is typed; --force lets it through. An
    option cannot be added to an answer: a meant one takes running the command again with
    --force (review Y F10 b)."""
    monkeypatch.setattr(commands, "today", lambda: date(2024, 12, 20))
    again = "Type it again (if it is meant, run the command again with --force)\n"
    # month, then date (none offered outside this month), count, note
    result = ask("-d", "市公安局", "-c", "2.4.3", input="2025-02\n2025-01\n\n\n\n\n")
    assert (result.exit_code, result.stdout) == (0, "2025-01-0001\n"), result.output
    assert result.stderr.startswith(
        "month (YYYY-MM) [2024-12]: 2025-02\n"
        "month 2025-02 is more than a month ahead (this month is 2024-12); did you mean "
        f"2024-02? {again}"
        "month (YYYY-MM) [2024-12]: 2025-01\n"
    )
    day = ask("-d", "市公安局", "-c", "2.4.3", input="2024-12\n2024-12-28\n2024-12-19\n\n\n\n")
    assert (day.exit_code, day.stdout) == (0, "2024-12-0001\n"), day.output
    prompt = "date (YYYY-MM-DD; Enter: today, -: none) [2024-12-20]: "
    assert (
        f"{prompt}2024-12-28\n"
        "date 2024-12-28 is after today (2024-12-20); type it again (if it is meant, run the "
        "command again with --force)\n"
        f"{prompt}2024-12-19\n"
    ) in day.stderr
    # Before the measures took effect on 2023-03-27: a month, then a date of March.
    early = ask("-d", "市公安局", "-c", "2.4.3", input="2022-05\n2023-03\n2023-03-01\n")
    assert (early.exit_code, early.stdout) == (1, ""), early.output
    assert early.stderr.startswith(
        "month (YYYY-MM) [2024-12]: 2022-05\n"
        f"month 2022-05 is before the measures took effect on 2023-03-27: a typo in the year? {again}"
        "month (YYYY-MM) [2024-12]: 2023-03\n"
        "date (YYYY-MM-DD, optional): 2023-03-01\n"
        f"date 2023-03-01 is before the measures took effect on 2023-03-27: a typo in the year? {again}"
    )
    forced = ask("--force", "-d", "市公安局", "-c", "2.4.3", input="2025-02\n2025-02-03\n\n\n\n")
    assert (forced.exit_code, forced.stdout, forced.stderr.count("ahead")) == (
        0,
        "2025-02-0001\n",
        0,
    ), forced.output
    assert [e["date"] for e in entries(small, "2024-12")] == [date(2024, 12, 19)]
    assert [e["date"] for e in entries(small, "2025-02")] == [date(2025, 2, 3)]


# A notice in force from 2023-07-15: 2.4.3 two points a case from August, 2.2.5 retired.
AMENDMENT = """\
retire = ["2.2.5"]

[notice]
number = "烟政管办〔2023〕9号"
title = "关于调整政务服务工作考评指标的补充通知"

[[clause]]
id = "2.4.3"
points = 2
"""


def test_the_clauses_offered_are_those_of_the_months_rules(ask, small: Path):
    """The month is asked before the clause, so the list, its points and the check of the
    clause typed are those in force that month, not the newest rules'."""
    (small / "amendments").mkdir()
    (small / "amendments" / "2023-07-15.toml").write_text(AMENDMENT, encoding="utf-8")
    # May, under the measures as published: 2.4.3 at 1 point, 2.2.5 offered.
    may = ask("-d", "市民政局", "--note", "n", input="2023-05\n\n2.4.3\n2\n\n")
    assert (may.exit_code, may.stdout) == (0, "2023-05-0001\n"), may.output
    listed = may.stderr.split("date (YYYY-MM-DD, optional): \n")[1]
    assert listed.startswith(
        "2023-05: the catalog in force from 2023-03-27 (烟政管办〔2023〕2号)\n"
    )
    assert "  2.4.3   受理事项未在承诺时限内办结（服务对象个人原因除外）  (1)\n" in listed
    assert "  2.2.5 " in listed
    # August, under the notice: 2.4.3 at 2, 2.2.5 gone; typed anyway, it is said why and
    # asked again, as it is given on the command line.
    august = ask("-d", "市民政局", "--note", "n", input="2023-08\n\n2.2.5\n2.4.3\n2\n\n")
    assert (august.exit_code, august.stdout) == (0, "2023-08-0001\n"), august.output
    listed = august.stderr.split("date (YYYY-MM-DD, optional): \n")[1]
    assert listed.startswith(
        "2023-08: the catalog in force from 2023-07-15 (烟政管办〔2023〕9号)\n"
    )
    assert "  2.4.3   受理事项未在承诺时限内办结（服务对象个人原因除外）  (2)\n" in listed
    assert "  2.2.5 " not in listed
    retired = (
        "clause 2.2.5 was retired from 2023-07-15 (烟政管办〔2023〕9号): it cannot be recorded "
        "for 2023-08 or later\n"
    )
    assert retired in august.stderr
    given = ask("-d", "市民政局", "-c", "2.2.5", "--month", "2023-08", input="\n2.4.3\n1\nn\n\n")
    assert (given.exit_code, given.stdout) == (0, "2023-08-0002\n"), given.output
    assert given.stderr.startswith("date (YYYY-MM-DD, optional): \n" + retired)
    # Each month scores by its own rules: May's 2 cases at 1 point, August's 2 and 1 at 2.
    amounts = [
        [c["amount"] for c in json.loads(show(small, entry_id))["counts"]]
        for entry_id in ("2023-05-0001", "2023-08-0001", "2023-08-0002")
    ]
    assert amounts == [[-2.0], [-4.0], [-2.0]]


def show(root: Path, entry_id: str) -> str:
    shown = CliRunner().invoke(cli, ["--root", str(root), "show", entry_id, "--format", "json"])
    assert shown.exit_code == 0, shown.output
    return shown.stdout


def test_a_clause_that_deducts_every_month_until_closed_offers_yes(ask, small: Path):
    """3.1.3 and 3.1.5 deduct 自应完成之月起每月扣分: Enter records the entry recurring;
    否 records one month, as typed, the clerk's choice at the question just asked: not
    warned of after to use --recurring (review Y F10 f). 2.4.9 (每月扣1分, a month it
    happened) may recur but need not: Enter is 否, and nothing is said."""
    may = ["--month", "2023-05", "--date", "2023-05-10", "--note", "n"]
    lead = ask("-d", "市体育局", "-c", "3.1.3", *may, input="\n\n\n")  # count, recurring, ok
    assert (lead.exit_code, lead.stdout) == (0, "2023-05-0001\n"), lead.output
    assert lead.stderr == (
        "count [1]: \n"
        "does it stand every month until closed (recurring)? [Y/n]: \n"
        "record department 市体育局, clause 3.1.3 (points: 2 per month), month 2023-05, date 2023-05-10, "
        "count 1, recurring yes, note n? [Y/n]: \n"
    )
    helper = ask("-d", "市体育局", "-c", "3.1.5", *may, input="\n0.5\n\n\n")
    assert "(recurring)? [Y/n]: " in helper.stderr, helper.output
    once = ask("-d", "市体育局", "-c", "3.1.3", *may, input="\n否\n\n")
    assert (once.exit_code, once.stdout) == (0, "2023-05-0003\n"), once.output
    assert once.stderr == (
        "count [1]: \n"
        "does it stand every month until closed (recurring)? [Y/n]: 否\n"
        "record department 市体育局, clause 3.1.3 (points: 2 per month), month 2023-05, date 2023-05-10, "
        "count 1, note n? [Y/n]: \n"
    )
    allowed = ask("-d", "市体育局", "-c", "2.4.9", *may, input="\n\n\n")
    assert "(recurring)? [y/N]: " in allowed.stderr, allowed.output
    assert "warning" not in allowed.stderr
    assert [(e["clause"], e.get("recurring")) for e in entries(small, "2023-05")] == [
        ("3.1.3", True),
        ("3.1.5", True),
        ("3.1.3", None),
        ("2.4.9", None),
    ]


def test_without_a_terminal_a_clause_due_every_month_is_recorded_as_given_and_said(
    small: Path,
):
    """A cron job's `add -c 3.1.3` without --recurring: nothing prompts (stdin is not a
    terminal), the entry is booked for its month only, as the contract has it, and a
    warning says how to count it every month. With --recurring nothing is said."""
    args = [sys.executable, "-m", "govscore", "--root", str(small), "add", "-d", "市体育局"]
    once = subprocess.run(
        [*args, "-c", "3.1.3", "--month", "2023-05"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=process_env(),
        timeout=60,
    )
    assert (once.returncode, once.stdout) == (0, "2023-05-0001\n"), once.stderr
    assert once.stderr == (
        "warning: clause 3.1.3 counts every month from the month it was due until closed, "
        "but this entry is not recurring: it counts in 2023-05 only. To count it every "
        "month, record it as recurring (--recurring), voiding it first once written\n"
    )
    monthly = subprocess.run(
        [*args, "-c", "3.1.3", "--month", "2023-05", "--recurring"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=process_env(),
        timeout=60,
    )
    assert (monthly.returncode, monthly.stdout, monthly.stderr) == (0, "2023-05-0002\n", "")
    assert [e.get("recurring") for e in entries(small, "2023-05")] == [None, True]


def test_a_second_rate_of_the_month_is_refused_at_the_clause(ask, small: Path):
    """市体育局 has its 2.5.2 rate for May: typed again at the prompt, 2.5.2 is said at once
    and the clause asked again, before the rate and the confirmation; given with -c, it
    stops there (exit 1, nothing written). A voided rate is no rate: it may be given again."""
    whole = ["--month", "2023-05", "--date", "2023-05-10", "--note", "n"]
    first = ask("-d", "市体育局", "-c", "2.5.2", "--value", "93.5", *whole, input="")
    assert first.stdout == "2023-05-0001\n", first.output
    booked = (
        "市体育局 has a 2.5.2 rate in 2023-05 already (2023-05-0001): a department has one "
        "rate of a clause a month, so another would be refused. To correct it, void "
        "2023-05-0001 first (`govscore void 2023-05-0001 --reason …`); else choose another "
        "clause\n"
    )
    typed = ask("-d", "市体育局", *whole, input="2.5.2\n2.5.3\n95\n\n")
    assert (typed.exit_code, typed.stdout) == (0, "2023-05-0002\n"), typed.output
    prompt = "clause (-c; an id, or a prefix such as 2.4 to narrow the list): "
    assert f"{prompt}2.5.2\n{booked}{prompt}2.5.3\n" in typed.stderr
    given = ask("-d", "市体育局", "-c", "2.5.2", "--month", "2023-05", input="\n")
    assert (given.exit_code, given.stdout) == (1, ""), given.output
    assert given.stderr == (  # before the date is asked, said as the door says (review W F4)
        f"govscore: {booked}"
        "error: rejected: 1 problem; the entry not written, the ledger is unchanged\n"
    )
    voided = CliRunner().invoke(
        cli, ["--root", str(small), "void", "2023-05-0001", "--reason", "录错"]
    )
    assert voided.exit_code == 0, voided.output
    again = ask("-d", "市体育局", "-c", "2.5.2", *whole, input="96\n\n")
    assert (again.exit_code, again.stdout) == (0, "2023-05-0004\n"), again.output
    assert [(e.get("clause"), e.get("value")) for e in entries(small, "2023-05")] == [
        ("2.5.2", Decimal("93.5")),
        ("2.5.3", Decimal("95")),
        ("", None),  # the void
        ("2.5.2", Decimal("96")),
    ]


def test_a_matter_counted_already_is_refused_before_the_confirmation(ask, small: Path):
    """4.2.2 企业开办一件事 counts for 市体育局 in 2023 at 省级 (5): the same matter at 省级
    again (written with quote marks), or lower, would add 0. It is said at the matter, and
    the level and matter asked again; 国家级 is recorded (it earns the rise, 10 − 5).
    Given whole on the command line, it stops before the note and the confirmation."""
    whole = ["--date", "2023-05-10", "--note", "n"]
    ask("-d", "市体育局", "-c", "4.2.2", "--month", "2023-05", "--level", "省级",
        "--matter", "企业开办一件事", *whole, input="")  # fmt: skip
    already = (
        "matter '企业开办“一件事”' already counts for 市体育局 in 2023 at 省级 (2023-05-0001); "
        "a matter counts once a year at its highest level, so this entry would add 0: "
        "record it only at a higher level\n"
    )
    typed = ask(
        "-d", "市体育局", "-c", "4.2.2", "--month", "2023-06", "--date", "2023-06-01",
        input="省级\n企业开办“一件事”\n国家级\n企业开办一件事\n\n\n",
    )  # fmt: skip
    assert (typed.exit_code, typed.stdout) == (0, "2023-06-0001\n"), typed.output
    assert typed.stderr == (
        "level (市级, 省级, 国家级): 省级\n"
        "matter (the 事项 this entry is about): 企业开办“一件事”\n"
        f"{already}"
        "level (市级, 省级, 国家级): 国家级\n"
        "matter (the 事项 this entry is about): 企业开办一件事\n"
        "note (optional): \n"
        "record department 市体育局, clause 4.2.2 (points: 10 per item), "
        "month 2023-06, date 2023-06-01, level 国家级, matter 企业开办一件事? [Y/n]: \n"
    )
    given = ask(
        "-d", "市体育局", "-c", "4.2.2", "--month", "2023-07", "--level", "市级",
        "--matter", "企业开办一件事", input="\n",
    )  # fmt: skip
    assert (given.exit_code, given.stdout) == (1, ""), given.output
    assert given.stderr == (  # before the date is asked (review W F4)
        "govscore: matter '企业开办一件事' already counts for 市体育局 in 2023 at 国家级 "
        "(2023-06-0001); a matter counts once a year at its highest level, so this entry "
        "would add 0: record it only at a higher level\n"
        "error: rejected: 1 problem; the entry not written, the ledger is unchanged\n"
    )
    assert not (small / "ledger" / "2023-07.toml").exists()
    # The matter given, the level asked: it counts at 国家级, above which no level is, so
    # no answer could be recorded: it stops at once (it asked for the level for ever).
    trapped = ask(
        "-d", "市体育局", "-c", "4.2.2", "--month", "2023-07", "--date", "2023-07-01",
        "--matter", "企业开办一件事", input="省级\n国家级\n市级\n",
    )  # fmt: skip
    assert (trapped.exit_code, trapped.stdout) == (1, ""), trapped.output
    assert trapped.stderr == (
        "level (市级, 省级, 国家级): 省级\n"
        "govscore: matter '企业开办一件事' already counts for 市体育局 in 2023 at 国家级 "
        "(2023-06-0001); a matter counts once a year at its highest level, so this entry "
        "would add 0: record it only at a higher level\n"
        "error: rejected: 1 problem; the entry not written, the ledger is unchanged\n"
    )


def test_the_confirmation_line_shows_the_chosen_level_and_a_rate_in_percent(
    ask, small: Path, monkeypatch: pytest.MonkeyPatch
):
    """As the clerk reads it: a levels clause with the chosen level's points, not every
    level's (条款 4.2.2（市级 2 · 省级 5 · 国家级 10 分）), a rate with its % (比率 95.5);
    review Y F10 h, i. In English the unit is English too (2 per month, not 2 per 月: j)."""
    monkeypatch.setenv("GOVSCORE_LANG", "zh")
    may = ["--month", "2023-05", "--date", "2023-05-10", "--note", "n"]
    level = ask("-d", "市体育局", "-c", "4.2.2", *may, input="国家级\n开办\n否\n")
    assert level.stderr.splitlines()[-2:] == [
        "登记：部门 市体育局、条款 4.2.2（每项 10 分）、月份 2023-05、日期 2023-05-10、层级 国家级、"
        "事项 开办、说明 n？ [是/否，默认是]：否",
        "错误：未登记，未写入任何内容",
    ]
    rate = ask("-d", "市体育局", "-c", "2.5.2", *may, input="95.5\n否\n")
    assert rate.stderr.splitlines()[-2:] == [
        "登记：部门 市体育局、条款 2.5.2（每少1% 0.1 分）、月份 2023-05、日期 2023-05-10、"
        "比率 95.5%、说明 n？ [是/否，默认是]：否",
        "错误：未登记，未写入任何内容",
    ]
    # Each question ends in the Chinese colon, a default shown before it (review BH J1:
    # click's ASCII ": " followed every Chinese question).
    asked = ask("-d", "市体育局", "-c", "2.4.3", "--date", "2023-05-10", input="\n\n否\n")
    assert asked.stderr.splitlines()[:2] == ["次数 [1]：", "说明（可不填）："]
    monkeypatch.setenv("GOVSCORE_LANG", "en")
    # 4.4.3 is scored by levels and counted: the level's points per 次 (instance).
    counted = ask("-d", "市体育局", "-c", "4.4.3", *may, input="2\n市委市政府\n否\n")
    assert counted.stderr.splitlines()[-2:] == [
        "record department 市体育局, clause 4.4.3 (points: 2 per instance), month 2023-05, "
        "date 2023-05-10, count 2, level 市委市政府, note n? [Y/n]: 否",
        "error: not recorded; nothing was written",
    ]
    assert not (small / "ledger" / "2023-05.toml").exists()


def test_a_level_is_asked_as_the_other_prompts_ask(ask, small: Path):
    """The levels in the prompt as the other prompts give their forms; a wrong one is said
    in govscore's words, naming the levels and the nearest (市 for 市级), not click's."""
    may = ["--month", "2023-05", "--note", "n"]
    result = ask("-d", "市体育局", "-c", "4.2.2", *may, input="\n市\n省\n省级\n开办\n\n")
    assert result.exit_code == 0, result.output
    assert result.stderr == (  # CliRunner echoes the answers typed
        "date (YYYY-MM-DD, optional): \n"
        "level (市级, 省级, 国家级): 市\n"
        "'市' is not a level: choose one of 市级, 省级, 国家级; did you mean 市级?\n"
        "level (市级, 省级, 国家级): 省\n"
        "'省' is not a level: choose one of 市级, 省级, 国家级; did you mean 省级?\n"
        "level (市级, 省级, 国家级): 省级\n"
        "matter (the 事项 this entry is about): 开办\n"
        "record department 市体育局, clause 4.2.2 (points: 5 per item), "
        "month 2023-05, level 省级, matter 开办, note n? [Y/n]: \n"
    )


def test_what_a_prompt_cannot_read_is_said_alike_and_a_missing_year_asked_for(ask, small: Path):
    """Each refusal at the prompts is its reason alone (no 'Error:' before one and
    'Invalid value:' before another); a month or day without its year asks for the year,
    written whole: the latest such month up to this one, the day in the month answered
    (a day of another month is said not to be in it)."""
    today = date.today()
    year = today.year if today.month >= 5 else today.year - 1
    typed = "5月\n2023-05\n5月12日\n6月1日\n2023/13/1\n2023-06-01\n2023-05-12\nabc\n2\n是吧\n\n\n"
    result = ask("-d", "市体育局", "-c", "2.4.9", "--note", "n", input=typed)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"month (YYYY-MM) [{month_of(today)}]: 5月\n"
        f"'5月' has no year; write the year: {year}-05\n"
        f"month (YYYY-MM) [{month_of(today)}]: 2023-05\n"
        "date (YYYY-MM-DD, optional): 5月12日\n"
        "'5月12日' has no year; write the year: 2023-05-12\n"
        # not 'write the year: 2023-06-01', a date this prompt refuses (review Y F10 c)
        "date (YYYY-MM-DD, optional): 6月1日\n"
        "'6月1日' is not in 2023-05; give a date in 2023-05, or leave it empty\n"
        "date (YYYY-MM-DD, optional): 2023/13/1\n"
        "'2023/13/1' is not a day: a year has no month 13\n"
        "date (YYYY-MM-DD, optional): 2023-06-01\n"
        "2023-06-01 is not in 2023-05; give a date in 2023-05, or leave it empty\n"
        "date (YYYY-MM-DD, optional): 2023-05-12\n"
        "count [1]: abc\n"
        "'abc' is not a whole number\n"
        "count [1]: 2\n"
        "does it stand every month until closed (recurring)? [y/N]: 是吧\n"
        "'是吧': answer 是 or 否 (y or n)\n"
        "does it stand every month until closed (recurring)? [y/N]: \n"
        "record department 市体育局, clause 2.4.9 (points: 1 per month), month 2023-05, "
        "date 2023-05-12, count 2, note n? [Y/n]: \n"
    )
    assert result.stdout == "2023-05-0001\n"


def test_in_this_month_enter_takes_today_and_a_dash_leaves_the_date_out(ask, small: Path):
    """The prompt says what Enter does where it offers today (it is not 'optional' by
    typing a space), and how to leave the date out."""
    today = date.today()
    prompt = f"date (YYYY-MM-DD; Enter: today, -: none) [{today.isoformat()}]: "
    for typed, day in (("\n", today), ("-\n", None)):
        result = ask("-d", "市体育局", "-c", "1.2.2", "--note", "n", input=f"\n{typed}\n\n")
        assert result.exit_code == 0, result.output
        assert prompt in result.stderr
        [*_, entry] = entries(small, month_of(today))
        assert entry.get("date") == day


def test_what_is_given_on_the_command_line_is_judged_before_it_is_confirmed(ask, small: Path):
    """A month before the measures, a clause for a tag the department lacks, a rate that
    looks like a fraction, given on the command line, were refused only after the entry
    was typed and confirmed; a count past 10,000 typed at the prompt was taken, and the
    whole entry refused (review Y F1, F2, F4, F5). Nothing is confirmed that the door
    refuses, and nothing is written."""
    early = ask("-d", "市体育局", "--month", "2023-02", input="")
    assert (early.exit_code, early.stdout) == (1, ""), early.output
    assert early.stderr == (  # the command line's words: --force can be given there
        "govscore: month 2023-02 is before the measures took effect on 2023-03-27: a typo in "
        "the year? (give --force if it is meant)\n"
        "error: rejected: 1 problem; the entry not written, the ledger is unchanged\n"
    )
    assert "record department" not in early.stderr
    tagged = ask("-d", "市体育局", "-c", "2.3.11", "--month", "2023-05", input="")
    assert (tagged.exit_code, tagged.stdout) == (1, ""), tagged.output
    assert tagged.stderr == (
        "govscore: clause 2.3.11 applies only to departments tagged 政务服务中心大厅; 市体育局 "
        "is not (if it should be: `govscore departments tag 市体育局 政务服务中心大厅`)\n"
        "error: rejected: 1 problem; the entry not written, the ledger is unchanged\n"
    )
    fraction = ask(
        "-d", "市体育局", "-c", "2.5.2", "--value", "0.935", "--month", "2023-05", input="\n\n"
    )  # fmt: skip
    assert (fraction.exit_code, fraction.stdout) == (1, ""), fraction.output
    assert "record department" not in fraction.stderr
    assert "looks like a fraction" in fraction.stderr
    many = ask("-d", "市体育局", "-c", "2.4.3", "--month", "2023-05", input="\n10001\n2\nn\n\n")
    assert (many.exit_code, many.stdout) == (0, "2023-05-0001\n"), many.output
    assert "count 10001 is more than 10000, the most one entry may state\n" in many.stderr
    assert not (small / "ledger" / "2023-02.toml").exists()


def test_a_follow_up_the_door_refuses_is_not_offered_to_confirm(ask, small: Path):
    """A follow-up of a --ref given (another department's entry), or one answering more
    items than its entry has, was shown, confirmed, then refused (review Y F3): the whole
    door is asked before the confirmation, nothing written."""
    whole = ["--month", "2023-05", "--date", "2023-05-02", "-n", "1", "--note", "x"]
    assert ask("-d", "市公安局", "-c", "4.3.1", *whole, input="").exit_code == 0  # 0001
    assert ask("-d", "市民政局", "-c", "4.3.1", *whole, input="").exit_code == 0  # 0002
    before = (small / "ledger" / "2023-05.toml").read_bytes()
    other = ask("-d", "市公安局", "-c", "4.3.3", "--ref", "2023-05-0002", "--month", "2023-05",
                "-n", "1", "--note", "x", input="\n")  # fmt: skip
    assert (other.exit_code, other.stdout) == (1, ""), other.output
    assert "record department" not in other.stderr and "2023-05-0002" in other.stderr
    many = ask("-d", "市公安局", "-c", "4.3.3", "--ref", "2023-05-0001", "-n", "3",
               "--month", "2023-05", "--note", "x", input="\n")  # fmt: skip
    assert (many.exit_code, many.stdout) == (1, ""), many.output
    assert "record department" not in many.stderr
    assert "more items than it has" in many.stderr
    assert (small / "ledger" / "2023-05.toml").read_bytes() == before


def test_a_refusal_at_the_prompt_names_the_option_as_without_one(ask, small: Path):
    """A refusal that asks for a field not given ends with the option that gives it, at a
    terminal as without one: every option, given or not, was taken for given there
    (review Y F6)."""
    args = ("-d", "市公安局", "--month", "2023-05", "-c", "2.5.2", "--denominator", "10")
    typed = ask(*args, input="\n\n")
    assert (typed.exit_code, typed.stdout) == (1, ""), typed.output
    assert "(--value or --numerator and --denominator)" in typed.stderr


def test_a_day_without_its_year_that_the_door_refuses_is_said_so(ask, small: Path):
    """Review AD F3: 3月1日 at the date prompt of 2023-03 was answered "write the year:
    2023-03-01", a date the prompt then refuses (before the measures took effect): the
    refusal is said at once."""
    typed = "2023-03\n3月1日\n2023-03-28\n\n\n"
    result = ask("-d", "市体育局", "-c", "2.4.3", "--note", "n", input=typed)
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[1:3] == [
        "date (YYYY-MM-DD, optional): 3月1日",
        "date 2023-03-01 is before the measures took effect on 2023-03-27: a typo in the year? "
        "Type it again (if it is meant, run the command again with --force)",
    ]


def test_a_prefix_whose_clauses_need_a_tag_the_department_lacks_says_so(ask, small: Path):
    """Review AD F6: `-c 2.3` for a department of neither zone was an unknown clause with
    a did-you-mean (4.2.3, 2.5.3, 2.4.3): 2.3's clauses apply to tagged departments."""
    result = ask(
        "-d", "市体育局", "-c", "2.3", "--month", "2023-05", "--note", "n", input="\n2.4.3\n\n\n"
    )
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[1:3] == [
        "clauses 2.3.1, 2.3.2, 2.3.3, 2.3.4, 2.3.5, 2.3.6, 2.3.7, 2.3.8, 2.3.9, 2.3.10 "
        "apply only to departments tagged 一窗受理专区; 市体育局 is not (if it should be: "
        "`govscore departments tag 市体育局 一窗受理专区`)",
        "clauses 2.3.11 apply only to departments tagged 政务服务中心大厅; 市体育局 is not "
        "(if it should be: `govscore departments tag 市体育局 政务服务中心大厅`)",
    ]
    assert "unknown clause" not in result.stderr


SPANS = SMALL_DEPARTMENTS + '\n[[department]]\nname = "市大数据局"\nsince = "2023-08"\n'


def test_a_month_outside_the_departments_span_is_said_before_the_rest(ask, small: Path):
    """Review AX F2: 市大数据局 is assessed from 2023-08. With -d and --month 2023-07 given,
    the date, clause, count and note were asked, then the entry refused; the month prompt
    took 2023-07, and the same came after every question. Now a refusal the options given
    decide comes before any question, and the prompts ask again with the reason; the list
    of departments shows each one's months. Nothing out of span is written."""
    (small / "departments.toml").write_text(SPANS, encoding="utf-8")
    given = ask("-d", "大数据局", "--month", "2023-07", input="")
    assert (given.exit_code, given.stdout) == (1, ""), given.output
    assert given.stderr == (
        "govscore: 市大数据局 is not assessed in 2023-07: departments.toml lists it from 2023-08 "
        "(since/until); record it in a month it is assessed, or correct its span\n"
        "error: rejected: 1 problem; the entry not written, the ledger is unchanged\n"
    )
    dated = ask("-d", "大数据局", "--date", "2023-07-03", "--force", input="")
    assert (dated.exit_code, dated.stdout) == (1, ""), dated.output
    assert "市大数据局 is not assessed in 2023-07" in dated.stderr
    # At the month prompt: asked again with the reason (--force or not), then the rest.
    again = "2023-07\n2023-08\n\n2.4.3\n\n\n\n"
    for force in ((), ("--force",)):
        typed = ask(*force, "-d", "大数据局", input=again)
        assert typed.exit_code == 0, typed.output
        assert typed.stderr.splitlines()[:3] == [
            f"month (YYYY-MM) [{month_of(date.today())}]: 2023-07",
            "市大数据局 is not assessed in 2023-07: departments.toml lists it from 2023-08 "
            "(since/until); type a month it is assessed in",
            f"month (YYYY-MM) [{month_of(date.today())}]: 2023-08",
        ]
    assert [e["department"] for e in entries(small, "2023-08")] == ["市大数据局"] * 2
    # The department typed with --month given: one not assessed then is asked again.
    named = ask("--month", "2023-07", "-c", "2.4.3", input="大数据局\n体育\n\n\n\n\n")
    assert (named.exit_code, named.stdout) == (0, "2023-07-0001\n"), named.output
    assert named.stderr.splitlines()[:4] == [
        "departments: 市公安局、市民政局、市体育局、市大数据局 (from 2023-08)",
        "department (-d): 大数据局",
        "市大数据局 is not assessed in 2023-07: departments.toml lists it from 2023-08 "
        "(since/until); choose a department assessed in 2023-07",
        "department (-d): 体育",
    ]
    assert not (small / "ledger" / "2023-07.toml").read_text(encoding="utf-8").count("大数据局")
