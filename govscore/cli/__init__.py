"""The command line: parse, call the core, render. The top of the layers; nothing imports it.

The commands are in govscore.cli.commands; this module imports nothing of govscore until
`main` runs, so that Ctrl-C is govscore's to answer from the moment the program starts.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType


def main() -> None:
    """The console script: Ctrl-C at any moment, even while the commands are still being
    imported or the worker processes read a ledger, ends govscore with 已中止！ and exit 1
    (as a Ctrl-C at a prompt does), never a traceback."""
    signal.signal(signal.SIGINT, _interrupted)
    _closed_streams()
    try:
        try:
            from govscore.cli.commands import main as run

            run()
        finally:
            # What is left is Python's own ending (joining the workers): nothing to stop.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    except KeyboardInterrupt:
        from govscore.i18n import _

        try:
            sys.stderr.write("\n" + _("Aborted!") + "\n")  # as click says it
            sys.stderr.flush()
        except (OSError, ValueError):  # no stderr to say it on
            pass
        sys.exit(1)


def _closed_streams() -> None:
    """Stand in for a standard stream started closed (`>&-`, `2>&-`, `<&-`), before any
    file is opened: else the first file opened (a ledger) would take its number, and a
    git run by govscore would write its messages into it.

    stdout takes /dev/null opened for reading: every write to it fails as a closed stdout
    does (EBADF), and that failure is said and is exit 1 (commands._output_lost), not
    the silence of a Python with no stdout (click then prints nothing and exits 0).
    stdin reads as empty; stderr, with nowhere to say anything, takes what it is told.
    """
    for number, flags in ((0, os.O_RDONLY), (1, os.O_RDONLY), (2, os.O_WRONLY)):
        try:
            os.fstat(number)
        except OSError:
            os.open(os.devnull, flags)  # the lowest free number: this one, as those below are open
            if number == 1:
                sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115


def _interrupted(signum: int, frame: FrameType | None) -> None:
    """The first Ctrl-C stops the command; later ones (a clerk presses it again while the
    command ends: an append cut back, the workers ended) are ignored, so that nothing
    the first one set ending is itself cut short."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt
