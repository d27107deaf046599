"""Messages in the reader's language: Chinese, or English when GOVSCORE_LANG=en.

Every text a person reads goes through `_` (or `ngettext`). Write messages in English as
`_("{file}: cannot read: {reason}").format(file=..., reason=...)`: named placeholders,
never an f-string inside `_()`, so that Babel can extract them (`python tools/messages.py`).
The Chinese texts live in gettext catalogs, domain ``govscore``:
govscore/locale/zh_CN/LC_MESSAGES/govscore.po, compiled to the .mo shipped beside it.

The reader of a clerk's office reads Chinese whatever the machine's locale says (a server's
LANG is usually C or en_US), so LANG, LC_ALL and LANGUAGE are ignored: only
``GOVSCORE_LANG`` chooses, and it is read at every call, so one process (a test) may switch.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path

DOMAIN = "govscore"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANG_ENV = "GOVSCORE_LANG"
CHINESE = "zh_CN"


def language() -> str:
    """'en' when GOVSCORE_LANG asks for English (en, en_US, …), else 'zh'."""
    wanted = os.environ.get(LANG_ENV, "").strip().lower()
    return "en" if wanted.startswith("en") else "zh"


def english() -> bool:
    return language() == "en"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog for a language; English is the msgids themselves."""
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[CHINESE], fallback=True)


def _(message: str) -> str:
    """The message in the reader's language."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message, in the reader's language."""
    return translations(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for extraction without translating it yet (translated when shown)."""
    return message


def listing(items: Iterable[str]) -> str:
    """Names in a list: 'a, b' in English, 'a、b' in Chinese."""
    return _(", ").join(items)


def either(items: Iterable[str]) -> str:
    """Alternatives, as in a did-you-mean: 'a or b', 'a 或 b'."""
    return _(" or ").join(items)


def both(items: Iterable[str]) -> str:
    """Things that are all meant: 'a and b', 'a 和 b'."""
    return _(" and ").join(items)


def chinese(message: str) -> str:
    """The message in Chinese whatever GOVSCORE_LANG says: for the reports' own words."""
    return translations("zh").gettext(message)
