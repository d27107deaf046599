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
