"""click in the reader's language: its own words, and the help texts of our commands.

click asks `gettext.gettext` for its words (Usage, Options, "No such option", …) through
names bound when its modules were imported (``from gettext import gettext as _``), so
they would only answer from the default ``messages`` domain and the machine's locale.
`answer_click` rebinds those names in click's modules to govscore's `_`/`ngettext`: click's
msgids are in govscore's catalog (tools/messages.py extracts them from click), and the
language follows GOVSCORE_LANG like every other message.

Help texts (docstrings, ``help=``) stay in English in the code, where click keeps them;
`Translated` commands translate them each time help is shown, so the language is the one
of this invocation, not of the moment the commands were built.
"""

from __future__ import annotations

import gettext
import importlib
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from govscore.i18n import N_, _, english, listing, ngettext

CLICK_MODULES = (
    "core",
    "decorators",
    "exceptions",
    "formatting",
    "parser",
    "termui",
    "types",
    "utils",
    "shell_completion",
    "_termui_impl",
)
# click's help option, made once per command and kept: its text is put back to the msgid.
HELP_OPTION_TEXT = "Show this message and exit."
# Placeholders of the usage line and of options, which click does not translate.
USAGE_WORDS = frozenset({N_("[OPTIONS]"), N_("COMMAND [ARGS]..."), N_("[COMMAND] [ARGS]...")})
# click asks for this one through a variable, where extraction cannot see it.
CLICK_WORDS = (N_("required"),)
TYPE_METAVARS = frozenset(
    {N_("TEXT"), N_("INTEGER"), N_("NUMBER"), N_("DIRECTORY"), N_("FILE"), N_("PATH")}
)
# Arguments' names as usage lines and errors show them (MONTH, [FILE], PATHS...): in
# the reader's words (用法： govscore month [选项] 月份; 缺少参数 '月份'). ID stays an id.
ARGUMENT_WORDS = frozenset(
    {
        N_("MONTH"),
        N_("PERIOD"),
        N_("YEAR"),
        N_("DIRECTORY"),
        N_("FILE"),
        N_("PATHS"),
        N_("DEPARTMENT"),
        N_("TAGS"),
    }
)


def wcswidth(text: str) -> int:
    """wcwidth's columns of a text, imported when first asked: only help and tables
    measure text, and a cron job's JSON run starts 12 ms sooner without it."""
    from wcwidth import wcswidth as columns

    return columns(text)


def display_width(text: str) -> int:
    """Columns a text takes on a terminal: a Chinese character takes two."""
    plain = click.unstyle(text)
    width = wcswidth(plain)
    return width if width >= 0 else len(plain)


def _wide(char: str) -> bool:
    return wcswidth(char) == 2


def _tokens(text: str) -> Iterator[str]:
    """Words, spaces, and each wide character alone: the places a line may break."""
    word = ""
    for char in text:
        if _wide(char) or char == " ":
            if word:
                yield word
                word = ""
            yield char
        else:
            word += char
    if word:
        yield word


def _fill(text: str, width: int, initial_indent: str, subsequent_indent: str) -> list[str]:
    lines: list[str] = []
    line = initial_indent
    room = width - display_width(initial_indent)
    for token in _tokens(text):
        size = display_width(token)
        fits = size <= room or token in CLOSING or line.strip() == ""
        if token == " " and (not fits or line.strip() == ""):
            continue
        if not fits:
            lines.append(line.rstrip())
            line, room = subsequent_indent, width - display_width(subsequent_indent)
        line += token
        room -= size
    lines.append(line.rstrip())
    return lines


# Chinese punctuation that never starts a line: it stays at the end of the one before.
CLOSING = frozenset("，。、；：？！）》」』”’")


def wrap_text(
    text: str,
    width: int = 78,
    initial_indent: str = "",
    subsequent_indent: str = "",
    preserve_paragraphs: bool = False,
) -> str:
    """click's wrap_text, for text with Chinese in it: lines break between characters.

    click wraps at spaces and counts a Chinese character as one column; Chinese has no
    spaces and its characters take two. English text is left to click.
    """
    if not any(_wide(char) for char in text):
        return _click_wrap_text(text, width, initial_indent, subsequent_indent, preserve_paragraphs)
    paragraphs = text.split("\n\n") if preserve_paragraphs else [text]
    out = []
    for paragraph in paragraphs:
        joined = ""
        for piece in (line.strip() for line in paragraph.splitlines()):
            # A space where English has one: between two narrow characters, or after an
            # English comma or stop before Chinese (事项, 关联); none between Chinese.
            if (
                joined
                and piece
                and (not (_wide(joined[-1]) or _wide(piece[0])) or joined[-1] in ",.;:)")
            ):
                joined += " "
            joined += piece
        out.append("\n".join(_fill(joined, width, initial_indent, subsequent_indent)))
    return "\n\n".join(out)


_click_wrap_text = click.formatting.wrap_text


# click.Path names itself (file, directory, path) when it is made, at import: kept as
# msgids, they become metavars translated when help is shown (TYPE_METAVARS), and its
# messages read without them in Chinese.
PATH_NAMES = frozenset({"file", "directory", "path"})


def _types_gettext(message: str) -> str:
    return message if message in PATH_NAMES else _(message)


_click_missing = click.exceptions.MissingParameter.format_message


def _missing_message(self: click.exceptions.MissingParameter) -> str:
    """click ends "Missing option '--reason'." with a full stop of its own, outside its
    words: in Chinese, the Chinese one (缺少选项 '--reason'。)."""
    text = _click_missing(self)
    if english():
        return text
    try:  # click's own way of naming the parameter, a private helper of its
        hint = self.param_hint
        if hint is None and self.param is not None:
            hint = self.param.get_error_hint(self.ctx)  # type: ignore[arg-type]
        joined = click.exceptions._join_param_hints(hint) or ""  # what the text names
    except Exception:  # a click that names it otherwise: its text as it is, stop and all
        return text
    stop = text.find(joined) + len(joined) if joined else text.find(".")
    if text[stop : stop + 1] != ".":
        return text
    return f"{text[:stop]}。{text[stop + 1 :].lstrip()}"


def _listed_possibilities(original: Any) -> Any:
    """click's "did you mean" after an unknown option or command, in Chinese as Chinese
    lists: names joined with 、, no space after the full stop (没有命令 'mont'。是否指
    'import'、'month'？). English, or a click without possibilities: click's own."""
    if getattr(original, "listed", False):  # already ours: answer_click ran before
        return original

    def format_message(self: click.UsageError) -> str:
        possibilities = getattr(self, "possibilities", None)
        if english() or not possibilities or not isinstance(possibilities, list):
            return str(original(self))
        names = listing(repr(p) for p in sorted(possibilities))
        suggest = ngettext(
            "Did you mean {possibility}?",
            "(Did you mean one of: {possibilities}?)",
            len(possibilities),
        )
        return self.message + suggest.format(possibility=names, possibilities=names)

    format_message.listed = True  # type: ignore[attr-defined]
    return format_message


def answer_click() -> None:
    """Make click's gettext calls answer from govscore's catalog, in GOVSCORE_LANG.

    Also let its help formatter measure and wrap Chinese text by the columns it takes.
    """
    click.formatting.term_len = display_width  # type: ignore[attr-defined]
    click.formatting.wrap_text = wrap_text
    click.exceptions.MissingParameter.format_message = _missing_message  # type: ignore[method-assign]
    for kind in ("NoSuchOption", "NoSuchCommand"):  # NoSuchCommand: click 8.4 and later
        error = getattr(click.exceptions, kind, None)
        if error is not None:
            error.format_message = _listed_possibilities(error.format_message)
    click.formatting.HelpFormatter.write_heading = _write_heading  # type: ignore[method-assign]
    if click.Argument.make_metavar is not _argument_metavar:
        _argument_words.append(click.Argument.make_metavar)
        click.Argument.make_metavar = _argument_metavar  # type: ignore[method-assign]
    for name in CLICK_MODULES:
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # a click without this module has no words in it either
            continue
        if getattr(module, "_", None) is gettext.gettext:
            module._ = _types_gettext if name == "types" else _  # type: ignore[attr-defined]
        if getattr(module, "ngettext", None) is gettext.ngettext:
            module.ngettext = ngettext  # type: ignore[attr-defined]


def _write_heading(self: click.HelpFormatter, heading: str) -> None:
    """A help section's heading (选项, 命令) after its colon in the reader's words: ：."""
    colon = _(":")
    self.write(f"{'':>{self.current_indent}}{heading}{colon}\n")


_argument_words: list[Any] = []  # click's own make_metavar, kept when it is replaced


def _argument_metavar(self: click.Argument, *args: Any, **kwargs: Any) -> str:
    """click's metavar of an argument, its name in the reader's words."""
    shown: str = _argument_words[0](self, *args, **kwargs)
    name = shown.strip("[]!.")
    return shown.replace(name, _(name)) if name in ARGUMENT_WORDS else shown


@contextmanager
def _translated(command: click.Command, ctx: click.Context) -> Iterator[None]:
    """For the time help is written, the command's and its parameters' texts translated."""
    saved: list[tuple[Any, str, Any]] = []
    params = command.get_params(ctx)
    for thing in (command, *params):
        for attribute in ("help", "short_help", "epilog"):
            text = getattr(thing, attribute, None)
            if text:
                saved.append((thing, attribute, text))
                setattr(thing, attribute, _(inspect.cleandoc(text)))
    for param in params:
        name = param.type.name.upper()
        if isinstance(param, click.Option) and param.metavar is None and name in TYPE_METAVARS:
            saved.append((param, "metavar", None))
            param.metavar = _(name)
    try:
        yield
    finally:
        for thing, attribute, text in saved:
            setattr(thing, attribute, text)


def short_help(text: str, limit: int) -> str:
    """The first sentence of a translated help text, cut to fit `limit` columns."""
    first = " ".join(text.partition("\n\n")[0].split())
    if "。" in first:
        first = first.partition("。")[0]
    elif ". " in first:
        first = first.partition(". ")[0] + "."
    if wcswidth(first) <= limit:
        return first
    cut = ""
    for char in first:
        if wcswidth(cut + char + "…") > limit:
            break
        cut += char
    return cut + "…"


class Translated(click.Command):
    """A command whose help, option help and short help are shown in the reader's language."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated(self, ctx):
            super().format_help(ctx, formatter)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        made = self._help_option is not None
        option = super().get_help_option(ctx)
        if option is not None and not made:
            option.help = HELP_OPTION_TEXT  # made in the language of its first use
        return option

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)
        return [_(piece) if piece in USAGE_WORDS else piece for piece in pieces]

    def get_short_help_str(self, limit: int = 45) -> str:
        text = self.short_help or self.help or ""
        return short_help(_(inspect.cleandoc(text)), limit) if text else ""


class TranslatedCommand(Translated):
    """A leaf command (click.Command) shown in the reader's language."""


class TranslatedGroup(Translated, click.Group):
    """A group shown in the reader's language; its commands and subgroups are too."""

    command_class = TranslatedCommand
    group_class = type  # subgroups are of this group's own class


answer_click()
