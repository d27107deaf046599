"""Extract, update and compile govscore's message catalogs with Babel.

    python tools/messages.py           # extract → .pot, update the zh_CN .po, compile the .mo
    python tools/messages.py --check   # exit 1 listing every message without a Chinese text

Messages come from three places: `_()`, `ngettext()` and `N_()` calls in govscore/ (as
babel.cfg maps them); the help texts of click commands in govscore/cli/ (docstrings and
``help=`` arguments, which click keeps in English and govscore.cli.language translates
when help is shown); and click's own messages (Usage, Options, "No such option", …),
which govscore.cli.language answers from the same catalog.

After an update, translate the new entries in the .po (empty or ``#, fuzzy``) with any
PO editor or by hand, then run this again to compile.
"""

from __future__ import annotations

import ast
import inspect
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parent.parent
LOCALE = REPO / "govscore" / "locale"
TEMPLATE = LOCALE / "govscore.pot"
PO = LOCALE / "zh_CN" / "LC_MESSAGES" / "govscore.po"
MO = PO.with_suffix(".mo")
# click's messages, from the installed click: the ones a user of govscore can meet.
CLICK_FILES = {
    "core.py",
    "decorators.py",
    "exceptions.py",
    "formatting.py",
    "parser.py",
    "termui.py",
    "types.py",
    "utils.py",
    "_termui_impl.py",
}
# Fixed, so that extracting twice writes the same template.
CREATED = datetime(2026, 12, 1, tzinfo=UTC)
HELP_KEYWORDS = ("help", "short_help", "epilog")


def _is_command_decorator(node: ast.expr) -> bool:
    """@cli.command(), @items.command("check"), @click.group(...), @click.command."""
    target = node.func if isinstance(node, ast.Call) else node
    return isinstance(target, ast.Attribute) and target.attr in ("command", "group")


def extract_commands(
    fileobj: Any, keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, str | tuple[str, ...], list[str]]]:
    """Babel extractor: the usual gettext calls, plus the help texts click shows.

    Texts are cleaned as click cleans them (`inspect.cleandoc`), so the msgid is exactly
    the text govscore.cli.language looks up.
    """
    yield from extract_python(fileobj, keywords, comment_tags, options)
    fileobj.seek(0)
    tree = ast.parse(fileobj.read().decode(options.get("encoding", "utf-8")))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(
            _is_command_decorator(d) for d in node.decorator_list
        ):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.body[0].lineno, "", doc, []
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                value = keyword.value
                if (
                    keyword.arg in HELP_KEYWORDS
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                    and value.value
                ):
                    yield value.lineno, "", inspect.cleandoc(value.value), []


def _mapping() -> tuple[list[tuple[str, Any]], dict[str, Any]]:
    with open(REPO / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    # This module's extractor by value: no need for the repository on sys.path.
    methods = [
        (pattern, extract_commands if method.endswith(":extract_commands") else method)
        for pattern, method in method_map
    ]
    return methods, options_map


def _add(catalog: Catalog, found: Iterator[Any], prefix: str) -> None:
    for filename, lineno, message, comments, context in found:
        catalog.add(
            message,
            None,
            [(f"{prefix}{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )


def template() -> Catalog:
    """Every message govscore can show, as Babel finds it now."""
    import click

    catalog = Catalog(
        project="govscore",
        domain="govscore",
        creation_date=CREATED,
        revision_date=CREATED,
        charset="utf-8",
        fuzzy=False,
    )
    methods, options = _mapping()
    _add(catalog, extract_from_dir(REPO, methods, options), "")
    click_dir = Path(click.__file__).parent
    click_map = [(name, "python") for name in sorted(CLICK_FILES)]
    _add(catalog, extract_from_dir(click_dir, click_map), "click/")
    return catalog


def read_catalog(path: Path = PO) -> Catalog:
    with open(path, "rb") as po:
        return read_po(po, locale="zh_CN", domain="govscore")


def untranslated(pot: Catalog, po: Catalog) -> list[str]:
    """The msgids of the template with no (or only a fuzzy) Chinese text in the catalog."""
    missing = []
    for message in pot:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        found = po.get(key, message.context)
        strings = found.string if found is not None else ""
        if isinstance(strings, str):
            strings = (strings,)
        if found is None or found.fuzzy or not all(strings):
            missing.append(key)
    return missing


def compiled(po: Catalog) -> bytes:
    out = BytesIO()
    write_mo(out, po)
    return out.getvalue()


def update() -> list[str]:
    """Write the template, bring the catalog up to it, compile; return what is untranslated."""
    pot = template()
    with open(TEMPLATE, "wb") as out:
        write_po(out, pot, width=96, include_lineno=False, sort_output=True)
    po = read_catalog()
    po.update(pot, update_creation_date=False)
    with open(PO, "wb") as out:
        write_po(out, po, width=96, include_lineno=False, ignore_obsolete=True, sort_output=True)
    MO.write_bytes(compiled(read_catalog()))
    return untranslated(pot, read_catalog())


def main(argv: list[str]) -> int:
    missing = untranslated(template(), read_catalog()) if "--check" in argv else update()
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
