"""Messages in the reader's language. Every text a person reads goes through `_`.

Write messages as `_("{file}: cannot read {reason}").format(file=..., reason=...)`:
named placeholders, never an f-string inside `_()`, so that Babel can extract them.
(The catalogs themselves arrive with the Chinese interface; until then `_` is identity.)
"""

from __future__ import annotations


def _(message: str) -> str:
    """The message in the reader's language."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message, in the reader's language."""
    return singular if n == 1 else plural
