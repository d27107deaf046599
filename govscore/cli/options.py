"""Click options and parameter types shared by several commands, defined once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import click

from govscore.model import is_month
from govscore.report.render import FORMATS

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

at_option = click.option(
    "--at",
    "at",
    metavar="REV",
    default=None,
    help="Compute from the ledger as it was at this git revision (a commit, tag or branch).",
)


class MonthType(click.ParamType):
    name = "YYYY-MM"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        text = str(value).strip()
        if not is_month(text):
            self.fail(f"{value!r} is not a month of the form YYYY-MM (e.g. 2023-05)", param, ctx)
        return text


class DecimalType(click.ParamType):
    name = "NUMBER"

    def convert(self, value: Any, param: Any, ctx: Any) -> Decimal:
        if isinstance(value, Decimal):
            return value
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(f"{value!r} is not a number", param, ctx)
        if not number.is_finite():
            self.fail(f"{value!r} is not a number", param, ctx)
        return number


class DateType(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date of the form YYYY-MM-DD", param, ctx)


MONTH = MonthType()
NUMBER = DecimalType()
DATE = DateType()
