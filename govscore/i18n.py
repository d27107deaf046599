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

import ast
import datetime
import errno
import gettext
import json
import os
import re
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
    """The message in the reader's language (in English, one that keeps its Chinese)."""
    zh = chinese(message)
    return Worded(message, zh) if english() else zh


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message, in the reader's language."""
    chosen = translations("zh").ngettext(singular, plural, n)
    if english():
        return Worded(singular if n == 1 else plural, chosen)
    return chosen


class Worded(str):
    """An English message that keeps its Chinese wording.

    What programs read never changes with the language (issue 13): JSON gives a
    problem's message in Chinese, while the reader of English reads it in English. A
    message is made once, where what is wrong is known, so it carries both: `format`,
    `join` and `+` make both texts, each from the other pieces' own (`chinese_of`).
    """

    zh: str

    def __new__(cls, text: str, zh: str) -> Worded:
        made = super().__new__(cls, text)
        made.zh = zh
        return made

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # workers send problems back
        return Worded, (str(self), self.zh)

    def format(self, *args: object, **kwargs: object) -> Worded:
        return Worded(
            str(self).format(*args, **kwargs),
            self.zh.format(*map(chinese_of, args), **{k: chinese_of(v) for k, v in kwargs.items()}),
        )

    def join(self, items: Iterable[str]) -> Worded:
        pieces = list(items)
        return Worded(str(self).join(pieces), self.zh.join(map(chinese_of, pieces)))

    def removeprefix(self, prefix: str) -> Worded:
        return Worded(str(self).removeprefix(prefix), self.zh.removeprefix(prefix))

    def __add__(self, other: str) -> Worded:
        return Worded(str(self) + other, self.zh + chinese_of(other))

    def __radd__(self, other: str) -> Worded:
        return Worded(other + str(self), chinese_of(other) + self.zh)


def chinese_of(value: object) -> object:
    """A message's Chinese wording (a Worded one's, or that of an exception raised with
    one: `ValueError(_("…"))`), anything else as it is."""
    if isinstance(value, BaseException) and len(value.args) == 1:
        value = value.args[0] if isinstance(value.args[0], Worded) else value
    return value.zh if isinstance(value, Worded) else value


def in_chinese(payload: object) -> object:
    """A JSON payload with each message in its Chinese wording: what programs read is the
    same in both languages. Only English runs make Worded messages to find."""
    if isinstance(payload, Worded):
        return payload.zh
    if isinstance(payload, dict):
        return {key: in_chinese(value) for key, value in payload.items()}
    if isinstance(payload, list | tuple):
        return [in_chinese(value) for value in payload]
    return payload


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
    """Things that are all meant: 'a and b'; in Chinese '说明和日期' between words, '0001 和
    0002' beside figures and ids."""
    said = list(items)
    joiner = _(" and ")
    word = joiner.strip()
    if not said or word == joiner or word.isascii():
        return joiner.join(said)
    text = said[0]
    for item in said[1:]:
        close = text and item and _cjk(text[-1]) and _cjk(item[0])
        text += (word if close else joiner) + item
    return text


def _cjk(character: str) -> bool:
    return "\u4e00" <= character <= "\u9fff"


def chinese(message: str) -> str:
    """The message in Chinese whatever GOVSCORE_LANG says: for the reports' own words."""
    return translations("zh").gettext(message)


# govscore's own reason for TOML nested too deeply for tomllib (ledger.text.load_toml).
TOML_TOO_DEEP = N_(
    "arrays or tables are nested too deeply: a ledger or configuration file needs only "
    "a few levels, and nesting that deep is not allowed"
)
# govscore's own reason for a whole number longer than Python reads (ledger.text.load_toml).
TOML_NUMBER_TOO_LONG = N_(
    "a whole number of more than 4300 digits: no figure of the measures is near that long"
)
# What tomllib and json say of a syntax error (English, from the standard library): in
# the reader's words where govscore knows them, else as they said it.
PARSER_WORDS = frozenset(
    {
        N_("Cannot overwrite a value"),
        N_("Escaped character is not a Unicode scalar value"),
        N_("Expected '=' after a key in a key/value pair"),
        N_("Expected ']' at the end of a table declaration"),
        N_("Expected ']]' at the end of an array declaration"),
        N_("Expected newline or end of document after a statement"),
        N_("Invalid date or datetime"),
        N_("Invalid hex value"),
        N_("Invalid initial character for a key part"),
        N_("Invalid statement"),
        N_("Invalid value"),
        N_("Unclosed array"),
        N_("Unclosed inline table"),
        N_("Unescaped '\\' in a string"),
        N_("Unterminated string"),
        N_("Expecting value"),
        N_("Expecting property name enclosed in double quotes"),
        N_("Expecting ',' delimiter"),
        N_("Expecting ':' delimiter"),
        N_("Unterminated string starting at"),
        N_("Invalid control character at"),
        N_("Invalid \\escape"),
        N_("Invalid \\uXXXX escape"),
        N_("Extra data"),
        TOML_TOO_DEEP,
        TOML_NUMBER_TOO_LONG,
    }
)
# tomllib's messages that name a key (as a Python tuple, ('x', 'y'), or a string's repr)
# or the closing quotes it looked for: each part is said as TOML writes it.
_KEY = r"(\(.*\))"
_PARSER_SHAPES = (
    (re.compile(rf"Cannot declare {_KEY} twice"), N_("Cannot declare {0} twice"), "table"),
    (re.compile(rf"Cannot mutate immutable namespace {_KEY}"), N_("Cannot change {0}"), "key"),
    (re.compile(rf"Cannot redefine namespace {_KEY}"), N_("Cannot redefine {0}"), "key"),
    (
        re.compile(r"Duplicate inline table key ('.*'|\".*\")"),
        N_("Duplicate inline table key {0}"),
        "part",
    ),
    (re.compile(r"Expected ('.+'|\".+\")"), N_("Expected {0} at the end of a string"), "text"),
    (re.compile(r"Found invalid character (.+)"), N_("Found invalid character {0}"), ""),
    (re.compile(r"Illegal character (.+)"), N_("Illegal character {0}"), ""),
)
_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$|\s*\(at end of document\)$")


def toml_key(parts: Iterable[str]) -> str:
    """A key as TOML writes it: `category.1.weight`, a part that is not bare in quotes."""
    return ".".join(p if _BARE_KEY.fullmatch(p) else _toml_string(p) for p in parts)


def toml_value(value: object) -> str:
    """A value as TOML writes it, for a message: 07:32:00, true, {a = 1}, "text" (never
    Python's datetime.time(7, 32), True or {'a': 1}); a number as it is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, datetime.date | datetime.time):  # a datetime is a date
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(map(toml_value, value)) + "]"
    if isinstance(value, dict):
        pairs = (f"{toml_key([str(k)])} = {toml_value(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    return str(value)


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_string(text: str) -> str:
    # JSON's escapes are TOML's (\", \\, \n, \uXXXX).
    return json.dumps(text, ensure_ascii=False)


def _parser_piece(text: str, kind: str) -> str:
    """A key or quote a tomllib message holds as Python wrote it, as TOML writes it."""
    if not kind:
        return text
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text
    if kind == "text" and isinstance(value, str):
        return value
    if kind == "part" and isinstance(value, str):
        return toml_key([value])
    if isinstance(value, tuple) and all(isinstance(part, str) for part in value):
        return f"[{toml_key(value)}]" if kind == "table" else toml_key(value)
    return text


def parser_reason(text: str) -> str:
    """A parser's own reason for a syntax error (tomllib's, json's), in the reader's
    language where it is one govscore knows; with tomllib's position, if given, after it."""
    reason, at = text, ""
    found = _AT.search(text)
    if found is not None:
        reason = text[: found.start()]
        at = (
            _(" (at line {line}, column {column})").format(line=found[1], column=found[2])
            if found[1]
            else _(" (at the end of the file)")
        )
    if reason in PARSER_WORDS:
        return _(reason) + at
    for shape, words, kind in _PARSER_SHAPES:
        matched = shape.fullmatch(reason)
        if matched is not None:
            return _(words).format(_parser_piece(matched[1], kind)) + at
    return text


# What the system says of a file it will not open, in the reader's words: strerror is the
# C library's English ("No such file or directory") whatever the language.
_OS_REASONS = {
    errno.ENOENT: N_("no such file"),
    errno.EACCES: N_("no permission to read it"),
    errno.EPERM: N_("no permission to read it"),
    errno.EISDIR: N_("it is a folder"),
    errno.ENOTDIR: N_("a part of its path is a file, not a folder"),
    errno.ELOOP: N_("too many links in its path (a link that leads back to itself)"),
    errno.ENAMETOOLONG: N_("its name is too long"),
    errno.EIO: N_("the disk could not be read (input/output error)"),
    errno.EMFILE: N_("too many files are open"),
    errno.ENFILE: N_("too many files are open"),
    errno.EBUSY: N_("it is in use by another program"),
    errno.ENXIO: N_("no such device"),
    errno.ENODEV: N_("no such device"),
    errno.ETIMEDOUT: N_("the network share did not answer in time"),
}
# What only a write meets, and what a write says differently from a read.
_WRITE_REASONS = {
    code: words
    for code, words in (
        (errno.EACCES, N_("no permission to write it")),
        (errno.EPERM, N_("no permission to write it")),
        (errno.EIO, N_("the disk could not be written (input/output error)")),
        (errno.ENOSPC, N_("the disk is full")),
        (getattr(errno, "EDQUOT", None), N_("the disk quota is used up")),  # not on Windows
        (errno.EFBIG, N_("the file would be larger than the system allows")),
        (errno.EROFS, N_("the disk is read-only")),
        (errno.EPIPE, N_("the program reading it has stopped")),
        (errno.EBADF, N_("stdout is closed")),  # `>&-`: see cli._closed_streams
    )
    if code is not None
}
# Windows: ERROR_SHARING_VIOLATION and ERROR_LOCK_VIOLATION, a file Excel or WPS holds open.
_IN_USE = frozenset({32, 33})


def os_reason(
    error: OSError, path: str | os.PathLike[str] | None = None, writing: bool = False
) -> str:
    """Why the system would not open (or, `writing`, write) a file, in the reader's words.

    Given the path, a missing file that is a link is said to be one to nothing (a dangling
    link left by an export share). A reason not known here is named by its error code
    (ENXIO …), never by the C library's English.
    """
    if getattr(error, "winerror", None) in _IN_USE:
        return _("it is open in another program (close it there and run again)")
    if error.errno == errno.ENOENT and path is not None and os.path.islink(path):
        return _("a link to a file that does not exist")
    known = None
    if error.errno is not None:
        known = _WRITE_REASONS.get(error.errno) if writing else None
        known = known or _OS_REASONS.get(error.errno) or _WRITE_REASONS.get(error.errno)
    if known is not None:
        return _(known)
    code = errno.errorcode.get(error.errno, str(error.errno)) if error.errno else ""
    return _("the system refused ({code})").format(code=code) if code else _("the system refused")
