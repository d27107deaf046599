"""The command line: parse, call the core, render. The top of the layers; nothing imports it."""

from govscore.cli.commands import cli, main

__all__ = ["cli", "main"]
