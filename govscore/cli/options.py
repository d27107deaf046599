"""Click options and parameter types shared by several commands, defined once."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import click

from govscore.i18n import N_, _
from govscore.report.render import FORMATS
from govscore.rules.validate import too_many
from govscore.written import (
    fold,
    missing_day,
    read_count,
    read_date,
    read_month,
    read_number,
    read_whole,
)

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format: an aligned table for people, json/csv/markdown for programs.",
)

bom_option = click.option(
    "--bom",
    is_flag=True,
    help="Start CSV output with a byte-order mark, so Excel opens it as UTF-8.",
)

commit_option = click.option(
    "--commit",
    is_flag=True,
    help="Commit what was appended to git, authored by the recorder "
    "(always, with commit = true under [ledger] in weights.toml).",
)

force_option = click.option(
    "--force",
    is_flag=True,
    help="Record what govscore refuses only as doubtful: a rate between 0 and 1 "
    "(0.935 for 93.5?), a date or month before the measures took effect (2023-03-27) "
    "or ahead of time (a date after today, a month after next), a follow-up beyond its "
    "entry's count.",
)

at_option = click.option(
    "--at",
    "at",
    metavar="REV",
    default=None,
    help="Compute from the ledger as it was at this git revision (a commit, tag or branch).",
)


class WrittenType(click.ParamType):
    """A value as people write it (full-width, Excel's forms), read by one of govscore.written.

    The same readers serve import files and prompts, so `４.３.１`, `２．５`, `95.5%` or
    `2023/5/23` mean the same wherever they are typed.
    """

    def __init__(
        self,
        name: str,
        read: Callable[[str], Any],
        message: str,
        explain: Callable[[str], str | None] | None = None,
    ) -> None:
        self.name = name
        self.read = read
        self.message = message  # marked for translation where the types are made
        self.explain = explain  # what is wrong, where more can be said than `message`

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if not isinstance(value, str):
            return value  # a default, or a value a prompt has already read
        found = self.read(value)
        if found is None:
            why = self.explain(value) if self.explain is not None else None
            self.fail(why or _(self.message).format(value=value), param, ctx)
        return found


MONTH = WrittenType(
    "YYYY-MM", read_month, N_("{value!r} is not a month of the form YYYY-MM (e.g. 2023-05)")
)
NUMBER = WrittenType("NUMBER", read_number, N_("{value!r} is not a number"))
# A rate, in percent: 93.5 or 93.5%.
PERCENT = WrittenType(
    "NUMBER", lambda text: read_number(text, percent=True), N_("{value!r} is not a number")
)
COUNT = WrittenType("INTEGER", read_count, N_("{value!r} is not a whole number"), explain=too_many)
# A count given as an option: a whole number however large, for the command to refuse
# one past the bound as the door does (exit 1), never made an int (see count_refusal).
WHOLE = WrittenType("INTEGER", read_whole, N_("{value!r} is not a whole number"))
DATE = WrittenType(
    "YYYY-MM-DD",
    read_date,
    N_("{value!r} is not a date of the form YYYY-MM-DD"),
    explain=missing_day,
)
# A clause or entry id: `４.３.１` is 4.3.1.
ID = WrittenType("ID", fold, "{value!r}")


def read_period(text: str) -> str | None:
    """A report's period: a year (2023) or a month as people write it (2023-05, 2023年5月)."""
    folded = fold(text).strip()
    return folded if re.fullmatch(r"\d{4}", folded) else read_month(text)


PERIOD = WrittenType(
    "YYYY-MM|YYYY",
    read_period,
    _("{value!r} is not a month (YYYY-MM, e.g. 2023-05) or a year (YYYY, e.g. 2023)"),
)
