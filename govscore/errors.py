"""Problems and the one exception family of govscore.

Validators never raise: they return :class:`Problem` records, so `check` can report
every problem in one run. Code that must stop (a root that cannot be found, an entry
that is rejected) raises a :class:`GovscoreError`; the CLI catches it once, at its edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from govscore.i18n import _, either


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the data, located as precisely as we can."""

    file: str
    line: int
    message: str
    field: str = ""
    entry: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "entry": self.entry,
            "field": self.field,
            "message": self.message,
        }


class GovscoreError(Exception):
    """Base of every error govscore reports to a user. Exit code 1 unless said otherwise."""

    exit_code = 1

    def __init__(self, message: str, problems: list[Problem] | tuple[Problem, ...] = ()):
        super().__init__(message)
        self.message = message
        self.problems = tuple(problems)


class DataError(GovscoreError):
    """The data (ledger, config, input file) is wrong: exit 1."""


class ConfigError(DataError):
    """A root's configuration file is wrong or missing."""


class NotCommitted(GovscoreError):
    """Entries were written to the ledger, but git refused the commit: exit 3.

    Never 1, which says nothing was written: a cron job that retried on 1 would book
    the same entries twice.
    """

    exit_code = 3


class UsageError(GovscoreError):
    """The command line asks for something that cannot be done: exit 2."""

    exit_code = 2


def did_you_mean(choices: Sequence[str]) -> str:
    """ "; did you mean A or B?" after a name that is not known, or nothing without choices."""
    return _("; did you mean {choices}?").format(choices=either(choices)) if choices else ""
