"""Click options shared by several commands, defined once."""

from __future__ import annotations

import click

from govscore.render import FORMATS

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format: an aligned table for people, json/csv/markdown for programs.",
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
