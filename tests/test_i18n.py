"""The Chinese interface: every message translated, Chinese by default, English on request.

The rest of the suite reads messages in English (conftest sets GOVSCORE_LANG=en); these
tests remove that or ask for Chinese.
"""

from __future__ import annotations

import ast
import gettext
import inspect
import json
import re
import subprocess
import tomllib
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from conftest import REPO, run_process
from govscore.cli.commands import cli
from govscore.cli.language import Translated
from govscore.i18n import _, chinese, language
from tools import messages

# -- the catalog --------------------------------------------------------------------------


def test_every_message_has_a_chinese_translation():
    """Babel extracts the messages of the code now; each needs a Chinese text in the .po."""
    missing = messages.untranslated(messages.template(), messages.read_catalog())
    listing = "\n".join(f"    msgid {msgid!r}" for msgid in missing)
    assert not missing, (
        f"{len(missing)} message(s) have no Chinese translation in "
        f"{messages.PO.relative_to(REPO)}. Run `python tools/messages.py` (it adds them "
        f"to the .po), translate them there, and run it again to compile:\n{listing}"
    )


def test_the_shipped_mo_is_compiled_from_the_po():
    """The .mo that pip installs says exactly what the .po says."""
    shipped = gettext.GNUTranslations(BytesIO(messages.MO.read_bytes()))
    fresh = gettext.GNUTranslations(BytesIO(messages.compiled(messages.read_catalog())))
    assert shipped._catalog == fresh._catalog, "run `python tools/messages.py` to compile"  # type: ignore[attr-defined]


def test_the_untranslated_check_sees_a_new_message():
    """The check above is not vacuous: a message the catalog lacks is named."""
    template = messages.template()
    template.add("a message nobody translated")
    assert messages.untranslated(template, messages.read_catalog()) == [
        "a message nobody translated"
    ]


FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z_0-9]*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")


def fields_of(text: str) -> set[str]:
    """The names a brace-format text fills in ({name}, {name!r}, {name:>4}; not {{x}})."""
    return set(FIELD.findall(text))


def test_no_translation_fills_in_a_field_its_message_does_not_give():
    """A Chinese text naming a field its message does not give stops the command that says
    it (a KeyError where an error should be printed: a catalog merged by hand once paired a
    message with another's text). Each msgstr names only fields of its msgid (or of its
    plural: Chinese has one form for both). click's own messages (%-style) are left aside."""
    wrong = []
    for message in messages.read_catalog():
        if not message.id or "python-brace-format" not in message.flags:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        given = set().union(*map(fields_of, ids))
        for string in strings:
            if string and not fields_of(string) <= given:
                wrong.append(f"{ids[0][:60]!r}: {sorted(fields_of(string) - given)}")
    assert not wrong, "\n".join(wrong)


def test_a_translation_naming_another_field_is_found():
    """The check above is not vacuous."""
    assert fields_of("第 {first}–{cut} 行，{{字面}}，{id!r}，{size:>4}") == {
        "first",
        "cut",
        "id",
        "size",
    }


def commands(group: click.Command = cli, path: tuple[str, ...] = ()) -> Iterator[tuple]:
    yield path, group
    if isinstance(group, click.Group):
        # As click lists them for help: a lazily imported command (items) is there too.
        context = click.Context(group)
        for name in group.list_commands(context):
            command = group.get_command(context, name)
            assert command is not None, name
            yield from commands(command, (*path, name))


def test_every_help_text_shown_is_in_the_catalog():
    """What click shows as help (docstrings, help=) is found by extraction and translated."""
    untranslated = []
    for path, command in commands():
        assert isinstance(command, Translated), f"{' '.join(path)}: not a Translated command"
        texts = [command.help, *(p.help for p in command.params if isinstance(p, click.Option))]
        for text in filter(None, texts):
            if chinese(inspect.cleandoc(text)) == inspect.cleandoc(text):
                untranslated.append((path, text))
    # A help text already in Chinese here was translated when the command was built
    # (help=_("...")): write help= as plain English; it is translated when shown.
    assert untranslated == []


# -- the language chosen ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "zh"), ("", "zh"), ("zh", "zh"), ("zh_CN", "zh"), ("en", "en"), ("en_US", "en")],
)
def test_govscore_lang_chooses(monkeypatch: pytest.MonkeyPatch, value, expected):
    if value is None:
        monkeypatch.delenv("GOVSCORE_LANG", raising=False)
    else:
        monkeypatch.setenv("GOVSCORE_LANG", value)
    assert language() == expected
    assert _("no problems") == {"zh": "未发现问题", "en": "no problems"}[expected]


def test_chinese_by_default_whatever_the_locale_says(monkeypatch: pytest.MonkeyPatch):
    """A real process on a server with an English locale and no GOVSCORE_LANG speaks Chinese."""
    monkeypatch.delenv("GOVSCORE_LANG")
    locale = {"LANG": "en_US.UTF-8", "LC_ALL": "C.UTF-8", "LANGUAGE": "en_US:en"}
    result = run_process("add", "--help", env=locale)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("用法： govscore add [选项]")
    assert "在该月台账中登记一条记录，并输出其编号。" in result.stdout
    assert "显示本帮助并退出。" in result.stdout
    refused = run_process("add", "--count", "x", env=locale)
    assert refused.returncode == 2
    assert "错误：'-n' / '--count' 的值无效：'x' 不是整数" in refused.stderr


def test_a_missing_argument_or_option_ends_with_a_chinese_full_stop(tmp_path: Path):
    """click writes its own "." after the missing name: in Chinese, 。 (English keeps .)."""
    ends = {
        ("void",): "错误：缺少参数 'ID'。\n",
        ("void", "2023-05-0001"): "错误：缺少选项 '--reason'。\n",
        ("departments", "tag"): "错误：缺少参数 '部门'。\n",  # an argument's name in Chinese
        ("month",): "错误：缺少参数 '月份'。\n",
    }
    for args, end in ends.items():
        result = CliRunner(env={"GOVSCORE_LANG": "zh"}).invoke(
            cli, ["--root", str(tmp_path), *args]
        )
        assert (result.exit_code, result.stderr[-len(end) :]) == (2, end)
    english = CliRunner(env={"GOVSCORE_LANG": "en"}).invoke(cli, ["void", "2023-05-0001"])
    assert english.stderr.endswith("Error: Missing option '--reason'.\n")
    english = CliRunner(env={"GOVSCORE_LANG": "en"}).invoke(cli, ["month"])
    assert english.stderr.endswith("Error: Missing argument 'MONTH'.\n")
    usage = CliRunner(env={"GOVSCORE_LANG": "zh"}).invoke(cli, ["items", "check", "--help"])
    assert usage.stdout.startswith("用法： cli items check [选项] 路径...\n")
    assert "\n选项：\n" in usage.stdout  # click's heading after a Chinese colon


def test_a_click_that_names_parameters_otherwise_still_says_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The Chinese full stop leans on a private helper of click's: without it, click's
    own text is shown as it is, never a traceback."""
    import click

    from govscore.cli import language

    # A click whose message is made some other way, and the helper gone.
    monkeypatch.setattr(language, "_click_missing", lambda error: "缺少选项 '--reason'.")
    monkeypatch.delattr(click.exceptions, "_join_param_hints")
    result = CliRunner(env={"GOVSCORE_LANG": "zh"}).invoke(
        cli, ["--root", str(tmp_path), "void", "2023-05-0001"]
    )
    assert result.exit_code == 2
    assert result.stderr.endswith("错误：缺少选项 '--reason'.\n")


def test_english_when_asked_in_a_real_process():
    result = run_process("add", "--help", env={"GOVSCORE_LANG": "en", "LANGUAGE": "zh_CN"})
    assert result.stdout.startswith("Usage: govscore add [OPTIONS]")
    assert "Show this message and exit." in result.stdout


def test_one_process_switches_language():
    """CliRunner's env decides, call by call: help texts are translated when shown."""
    english = CliRunner(env={"GOVSCORE_LANG": "en"}).invoke(cli, ["check", "--help"])
    chinese_ = CliRunner(env={"GOVSCORE_LANG": "zh"}).invoke(cli, ["check", "--help"])
    again = CliRunner(env={"GOVSCORE_LANG": "en"}).invoke(cli, ["check", "--help"])
    assert "Check the whole ledger and configuration" in english.output
    assert "校验全部台账和配置，一次列出所有问题。" in chinese_.output
    assert "显示本帮助并退出。" in chinese_.output
    assert again.output == english.output


def test_import_help_names_the_columns_as_the_files_headers_do():
    """A file headed 月份, 日期, 记录人: its help said 取该行 month, 再否则取 date, 未填 by."""
    shown = CliRunner(env={"GOVSCORE_LANG": "zh"}).invoke(cli, ["import", "--help"]).output
    options = re.sub(r"\n +", "", shown.split("选项：")[1])  # wrapped lines joined
    assert (
        "--month YYYY-MM  所有行的台账月份（否则取该行的月份，再否则取该行日期所在的月份）。"
        in options
    )
    assert "--by 文本        未填记录人的行的记录人（默认取 git 的 user.name）。" in options
    # In English, a word after 序号 kept its space (click joins a wrapped line after a
    # Chinese character without one: "A 序号column"; review W F3).
    english = CliRunner(env={"GOVSCORE_LANG": "en"}).invoke(cli, ["import", "--help"]).output
    assert "A 序号 column is left out" in re.sub(r"\n +", " ", english)


# -- no English left in Chinese output ------------------------------------------------------

# Words that stay as they are in Chinese output: command names (all of them, as the
# command tree has them), field names of ledger and CSV files, format names, git's words.
KEPT = {
    "govscore",
    "git",
    *(name for path, _command in commands() for name in path),
    *("table", "json", "jsonl", "csv", "markdown"),
    *("department", "count", "points", "level", "value", "numerator", "denominator"),
    *("matter", "ref", "recurring", "date", "note", "by", "key", "commit", "true", "user"),
    *("name", "ledger", "x", "hall", "Excel"),
    "Unicode",  # a standard's name (转义字符不是有效的 Unicode 字符)
}
# Option names, file names and paths, $VARIABLES, placeholders (DIRECTORY, YYYY-MM),
# quoted values: none is an English word a clerk must read.
NOT_WORDS = re.compile(
    r"--?[A-Za-z][\w-]*"  # --department, -d
    r"|\$\w+"  # $GOVSCORE_ROOT
    r"|\w+_\w+"  # one_window
    r"|[\w.-]*[./][\w./*-]+"  # weights.toml, ledger/, .govscore-cache/, user.name
    r"|\b[A-Z][A-Z0-9_-]*\b"  # DIRECTORY, ID, YYYY-MM, UTF-8, GB18030
    r"|'[^']*'"  # values quoted back: 'x', '市工商局'
    r"|\[\d+<=x<=\d+\]"  # a range
)
WORD = re.compile(r"[A-Za-z]+")


def english_words(text: str) -> list[str]:
    return [w for w in WORD.findall(NOT_WORDS.sub(" ", text)) if w not in KEPT]


def run_in(lang: str, root: Path, *args: str) -> Result:
    runner = CliRunner(env={"GOVSCORE_LANG": lang})
    return runner.invoke(cli, ["--root", str(root), *args], prog_name="govscore")


HELPS = [list(path) for path, _command in commands()]
REFUSED = [
    ["add", "--bogus"],  # no such option
    ["month"],  # missing argument
    ["month", "2023-13"],  # a bad month
    ["month", "2023-05", "--format", "xml"],  # a bad choice
    ["year", "12345"],  # out of range
    ["items", "check", "--rule", "14", "."],  # out of range
    ["add", "-d", "市公安局", "-c", "2.4.3", "-n", "x"],  # not a number
    ["add", "-d", "市公安局", "-c", "9.9.9", "--month", "2023-05"],  # a rejected entry
    # Refusals that ask for a field: named in the office's words (事项, 比率 …), not matter.
    ["add", "-d", "市公安局", "-c", "4.2.2", "--level", "市级", "--month", "2023-05"],
    ["add", "-d", "市公安局", "-c", "2.5.2", "--month", "2023-05"],
    ["add", "-d", "市公安局", "-c", "4.3.2", "--month", "2023-05"],
    ["add", "-d", "市教育局", "-c", "2.3.11", "--month", "2023-05"],
    ["add", "-d", "市公安局", "-c", "2.4.3", "--value", "95", "--month", "2023-05"],
    ["month", "2023-05", "-d", "市公安句"],  # an unknown department, with did-you-mean
    ["clause", "2.4.33"],  # an unknown clause, with did-you-mean
    ["init", "."],  # a root that exists
    ["bogus"],  # no such command
]


@pytest.mark.parametrize("args", [[*path, "--help"] for path in HELPS] + REFUSED, ids=" ".join)
def test_chinese_output_has_no_english_words(root: Path, args: list[str]):
    if args == ["init", "."]:
        args = ["init", str(root)]
    zh = run_in("zh", root, *args)
    en = run_in("en", root, *args)
    assert zh.exit_code == en.exit_code
    assert english_words(zh.output) == [], zh.output
    # The same output in English is English: it reads as much as the Chinese says.
    assert len(english_words(en.output)) >= 3, en.output
    assert not re.search("[，。；：]", en.output), en.output


@pytest.mark.parametrize(
    ("file", "text", "said"),
    [
        ("ledger/2023-05.toml", '[[entry]\nid = "x"\n', "[[…]] 表头末尾应为 ']]'"),
        ("ledger/2023-05.toml", '[[entry]]\nid = "x"\ndepartment = 市公安局\n', "值无效"),
        ("ledger/2023-05.toml", '[[entry]]\nid = "x\n', "非法字符 '\\n'"),  # a string cut off
        ("ledger/2023-05.toml", "[[entry]]\nid\n", "键后应为 '='"),
        ("weights.toml", "office = \n", "值无效（文字须加引号）（第 1 行第 10 列）"),
        ("items.jsonl", "{a: 2}\n", "JSON 有误：此处应为带双引号的字段名（第 2 列）"),
        ("items.jsonl", '{"a": 2,}\n', "JSON 有误：此处应为带双引号的字段名"),
        ("items.jsonl", '{"a" 2}\n', "JSON 有误：此处应为冒号 ':'"),
        ("items.jsonl", '{"a": }\n', "JSON 有误：此处应为一个值"),
    ],
)
def test_what_a_parser_says_of_a_syntax_error_is_said_in_chinese(
    root: Path, file: str, text: str, said: str
):
    """tomllib's and json's own reasons (English, from the standard library) are said in
    the reader's language, position and all."""
    path = root / file
    if file == "weights.toml":
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
        lines = path.read_text(encoding="utf-8").count("\n")
        said = said.replace("第 1 行", f"第 {lines} 行")
    else:
        path.write_text(text, encoding="utf-8")
    args = ("items", "check", str(path)) if file.endswith(".jsonl") else ("check",)
    zh = run_in("zh", root, *args)
    assert zh.exit_code != 0
    assert said in zh.output, zh.output
    assert english_words(zh.output) == [], zh.output


# A TOML text for each thing tomllib's parser can say of a syntax error (keys named with
# words the check above keeps: x, name, key).
TOML_MISTAKES = [
    "= 1\n",  # Invalid statement
    "x = 1 2\n",  # Expected newline or end of document after a statement
    "x = 'abc",  # Expected "'"
    "x = '''abc",  # Expected "'''"
    "x = '\x01'\n",  # Found invalid character
    "[x]\n[x]\n",  # Cannot declare ('x',) twice
    "x = 1\n[x]\n",  # Cannot overwrite a value (a table)
    "[x\n",  # Expected ']' …
    "x = [1]\n[[x]]\n",  # Cannot mutate immutable namespace (an array of tables)
    "x = 1\n[[x]]\n",  # Cannot overwrite a value (an array of tables)
    "[[x]\n",  # Expected ']]' …
    "[x.name]\n[x]\nname.key = 1\n",  # Cannot redefine namespace
    "x = {name = {}}\nx.name.key = 1\n",  # Cannot mutate immutable namespace (a key)
    "x = 1\nx.name = 1\n",  # Cannot overwrite a value (a dotted key)
    "x = 1\nx = 2\n",  # Cannot overwrite a value
    "x\n",  # Expected '=' …
    "x = {!}\n",  # Invalid initial character for a key part
    "x = [1\n",  # Unclosed array
    "x = {name = {key = 1}, name.key = 2}\n",  # Cannot mutate immutable namespace (inline)
    "x = {name = 1, name.key = 2}\n",  # Cannot overwrite a value (inline)
    "x = {name = 1, name = 2}\n",  # Duplicate inline table key
    "x = {name = 1\n",  # Unclosed inline table
    'x = "\\q"\n',  # Unescaped '\' in a string
    'x = """\\q"""\n',  # Unescaped '\' in a multi-line string
    'x = "\\uZZZZ"\n',  # Invalid hex value
    'x = "\\uD800"\n',  # Escaped character is not a Unicode scalar value
    'x = "abc',  # Unterminated string
    'x = "\x01"\n',  # Illegal character
    "x = 2023-02-30\n",  # Invalid date or datetime
    "x = abc\n",  # Invalid value
]
_POSITION = re.compile(r" \(at (line \d+, column \d+|end of document)\)$")


def tomllib_messages() -> list[re.Pattern[str]]:
    """Every message tomllib's parser raises, read from its source: an f-string's values
    match anything. (suffixed_err adds the position to each.)"""
    from tomllib import _parser

    tree = ast.parse(Path(_parser.__file__).read_text(encoding="utf-8"))
    found = []
    raising = (f for f in tree.body if isinstance(f, ast.FunctionDef) and f.name != "suffixed_err")
    for node in (node for function in raising for node in ast.walk(function)):
        name = getattr(node.func, "id", None) if isinstance(node, ast.Call) else None
        if name not in ("suffixed_err", "TOMLDecodeError"):
            continue
        said = next((a for a in node.args if isinstance(a, ast.Constant | ast.JoinedStr)), None)
        if isinstance(said, ast.Constant) and isinstance(said.value, str):
            found.append(re.escape(said.value))
        elif isinstance(said, ast.JoinedStr):
            found.append(
                "".join(
                    re.escape(part.value) if isinstance(part, ast.Constant) else ".+"
                    for part in said.values
                )
            )
    return [re.compile(pattern) for pattern in found]


def test_every_syntax_error_tomllib_names_is_said_wholly_in_chinese(
    monkeypatch: pytest.MonkeyPatch,
):
    """Review BH F1: 此处应为 newline or end of document after a statement, half English.
    Each message of this Python's tomllib has a sample above, and each is said in Chinese."""
    from govscore.i18n import parser_reason

    monkeypatch.setenv("GOVSCORE_LANG", "zh")
    said = []
    for text in TOML_MISTAKES:
        with pytest.raises(tomllib.TOMLDecodeError) as raised:
            tomllib.loads(text)
        said.append(str(raised.value))
    reasons = [_POSITION.sub("", message) for message in said]
    unsampled = [p.pattern for p in tomllib_messages() if not any(map(p.fullmatch, reasons))]
    assert unsampled == [], "add a TOML text to TOML_MISTAKES for each"
    for message in said:
        chinese = parser_reason(message)
        assert english_words(chinese) == [], (message, chinese)
        assert re.search(r"（(第 \d+ 行第 \d+ 列|在文件末尾)）$", chinese), chinese


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        (
            "[x]\n[x]\n",
            "不能重复声明 [x]（第 2 行第 3 列）",
            "Cannot declare [x] twice (at line 2, column 3)",
        ),
        (
            'x = [1]\n[["x"."名 称"]]\n',
            '不能修改 x."名 称"（第 2 行第 12 列）',
            'Cannot change x."名 称" (at line 2, column 12)',
        ),
        (
            "[x.name]\n[x]\nname.key = 1\n",
            "不能重新定义 x.name（第 3 行第 13 列）",
            "Cannot redefine x.name (at line 3, column 13)",
        ),
        (
            "x = {'名 称' = 1, '名 称' = 2}\n",
            '内联表中的键 "名 称" 重复（第 1 行第 26 列）',
            'Duplicate inline table key "名 称" (at line 1, column 26)',
        ),
        (
            "x = 'abc",
            "字符串缺少结尾的 '（在文件末尾）",
            "Expected ' at the end of a string (at the end of the file)",
        ),
    ],
)
def test_a_key_tomllib_names_is_shown_as_toml_writes_it(
    monkeypatch: pytest.MonkeyPatch, text: str, zh: str, en: str
):
    """Review BH F1: a key was shown as Python's tuple, 不能修改 ('x', 'y')."""
    from govscore.i18n import parser_reason

    with pytest.raises(tomllib.TOMLDecodeError) as raised:
        tomllib.loads(text)
    monkeypatch.setenv("GOVSCORE_LANG", "zh")
    assert parser_reason(str(raised.value)) == zh
    monkeypatch.setenv("GOVSCORE_LANG", "en")
    assert parser_reason(str(raised.value)) == en


def test_a_month_written_without_quotes_is_said_in_chinese(root: Path):
    """Review BH F1: `since = 2023-05`, the month the README invites, unquoted."""
    path = root / "departments.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('name = "市公安局"\n', 'name = "市公安局"\nsince = 2023-05\n', 1),
        encoding="utf-8",
    )
    line = text[: text.index('name = "市公安局"\n')].count("\n") + 2
    zh = run_in("zh", root, "check")
    assert zh.exit_code == 1
    assert zh.output.splitlines()[-1] == (
        "错误：departments.toml: TOML 格式有误：此处应为行尾：一行只写一个键值对或一个表头，"
        f'其后不能再写别的（文字和月份须加双引号，如 "2023-05"）（第 {line} 行第 13 列）'
    )
    en = run_in("en", root, "check")
    assert en.output.splitlines()[-1] == (
        "error: departments.toml: not valid TOML: Expected newline or end of document after a "
        f"statement (at line {line}, column 13)"
    )


def test_a_did_you_mean_stays_in_chinese(root: Path):
    result = run_in("zh", root, "month", "2023-05", "-d", "市公安句")
    assert result.exit_code == 2
    assert result.output.strip().endswith(
        "错误：未知部门 '市公安句'；是否指 市公安局？（见 `govscore departments`）"
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["mont"], "错误：没有命令 'mont'。是否指 'import'、'month'？"),
        (
            ["month", "2023-05", "--formt", "json"],
            "错误：没有选项 '--formt'。是否指 '--bom'、'--format'？",
        ),
        (
            ["month", "2023-05", "--zzzq"],
            "错误：没有选项 '--zzzq'。",
        ),  # nothing close: no suggestion
    ],
)
def test_click_suggests_in_a_chinese_list(root: Path, args: list[str], said: str):
    """click's own did-you-mean (an unknown command or option) lists as Chinese lists do,
    with 、 and no space after the full stop; English keeps click's words."""
    result = run_in("zh", root, *args)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == said
    english = run_in("en", root, *args[:1])
    if args == ["mont"]:
        assert english.output.strip().endswith(
            "Error: No such command 'mont'. (Did you mean one of: 'import', 'month'?)"
        )


def test_item_rules_gloss_in_english_only(monkeypatch: pytest.MonkeyPatch):
    """`items rules` explains in Chinese; the English gloss shows in English mode only, and
    the JSON (read by programs) is the same in both."""
    zh = CliRunner(env={"GOVSCORE_LANG": "zh"}).invoke(cli, ["items", "rules"])
    en = CliRunner(env={"GOVSCORE_LANG": "en"}).invoke(cli, ["items", "rules"])
    assert (
        "说明中写出错误写法和正确写法；实施编码、网办地址、网办深度及整项为网址或日期时间的字段除外。"
        in zh.output
    )
    assert "No known misspelling" not in zh.output
    assert "No known misspelling in any text field" in en.output
    as_json = [
        CliRunner(env={"GOVSCORE_LANG": lang}).invoke(cli, ["items", "rules", "--format", "json"])
        for lang in ("zh", "en")
    ]
    assert as_json[0].output == as_json[1].output
    assert "No known misspelling" in as_json[0].output


def test_the_compiled_catalog_is_package_data():
    """pip installs the .mo (editable or not): pyproject's package-data names it."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["govscore"]
    shipped = messages.MO.relative_to(REPO / "govscore")
    assert any(shipped.match(pattern) for pattern in globs), globs


def test_no_function_hides_the_translator():
    """`_` bound in a function (`a, _ = pair`) makes every `_()` in it fail at run time."""
    hiding = []
    for path in sorted((REPO / "govscore").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            nodes = list(ast.walk(function))
            binds = any(
                isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)
                for n in nodes
            )
            calls = any(
                isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_"
                for n in nodes
            )
            if binds and calls:
                hiding.append(f"{path.relative_to(REPO)}:{function.lineno}: {function.name}")
    assert hiding == []


def test_problems_read_from_the_cache_are_in_the_reader_s_language(root: Path):
    """The cache keeps the ledger's problems as worded; a reader of the other language gets
    them reworded, not the words of whoever built the cache."""
    ledger = root / "ledger" / "2023-05.toml"
    ledger.write_text(
        '[[entry]]\nid = "2023-05-0001"\ndepartment = "市公安局"\nclause = "9.9.9"\n',
        encoding="utf-8",
    )
    english = run_in("en", root, "month", "2023-05")  # builds the cache
    chinese_ = run_in("zh", root, "month", "2023-05")  # reads it
    assert "unknown clause '9.9.9'" in english.output
    assert "未知条款 '9.9.9'" in chinese_.output
    assert "unknown clause" not in chinese_.output


def test_what_programs_read_is_the_same_in_both_languages(root: Path):
    """Issue 13: JSON keys and values never change with the language. Problems' messages
    are given in Chinese in JSON whoever reads stderr (in English there), from a cache
    built in either language: each run below follows one in the other language."""
    ledger = root / "ledger" / "2023-05.toml"
    for args in (["-d", "市公安局", "-c", "2.4.3", "-n", "2"], ["-d", "市民政局", "-c", "3.3.1"]):
        assert run_in("zh", root, "add", *args, "--month", "2023-05").exit_code == 0
    # Amendments: one that is not TOML, one that changes a clause that does not exist.
    (root / "amendments").mkdir()
    (root / "amendments" / "2023-06-01.toml").write_text("x = \n", encoding="utf-8")
    (root / "amendments" / "2023-07-01.toml").write_text(
        '[notice]\nnumber = "烟政管办〔2023〕9号"\n\n[[clause]]\nid = "9.9.9"\npoints = 2\n',
        encoding="utf-8",
    )
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "ledger"], cwd=root, check=True)
    # Not committed: a committed batch edited, an id gap, an unknown department and
    # clause, a duplicate id, a rate out of bounds.
    text = ledger.read_text(encoding="utf-8")
    ledger.write_text(
        text.replace("count = 2", "count = 3")
        + '\n[[entry]]\nid = "2023-05-0009"\ndepartment = "市公按局"\nclause = "9.9.9"\n'
        + '\n[[entry]]\nid = "2023-05-0009"\ndepartment = "市公安局"\nclause = "2.5.2"\n'
        + "value = 101\n",
        encoding="utf-8",
    )
    commands = [
        ["check", "--format", "json"],
        ["month", "2023-05", "--format", "json"],
        ["month", "2023-05", "--detail", "--format", "json"],
        ["year", "2023", "--format", "json"],
        ["log", "--format", "json"],
        ["show", "2023-05-0001", "--format", "json"],
        ["repair", "--format", "json"],
        ["audit", "--format", "json"],
        ["amendments", "--format", "json"],
    ]
    for args in commands:
        en = run_in("en", root, *args)
        zh = run_in("zh", root, *args)
        again = run_in("en", root, *args)
        assert en.stdout == zh.stdout == again.stdout, args
        assert en.exit_code == zh.exit_code, args
        assert not re.search("[，。；：]", en.stderr), en.stderr  # English for the reader
    problems = json.loads(run_in("en", root, "check", "--format", "json").stdout)["problems"]
    assert len(problems) >= 4
    assert any(p["message"].startswith("未知部门 '市公按局'") for p in problems), problems
    amended = [p for p in problems if p["file"].startswith("amendments/")]
    assert len(amended) == 2 and amended[0]["message"].startswith("TOML 格式有误"), amended
    rewrites = json.loads(run_in("en", root, "audit", "--format", "json").stdout)
    assert rewrites[0]["message"].startswith("尚未提交：")


def test_help_lines_joined_keep_english_spaces_and_none_in_chinese():
    """A docstring's line breaks are spaces in English (事项,⏎关联 reads 事项, 关联) and
    nothing between Chinese characters (中文⏎接着 reads 中文接着)."""
    from govscore.cli.language import wrap_text

    assert wrap_text("事项,\n关联, 逐月计分", 78) == "事项, 关联, 逐月计分"
    assert wrap_text("中文\n接着", 78) == "中文接着"
    assert wrap_text("(部门,\n条款)", 78) == "(部门, 条款)"


def test_one_field_has_one_chinese_name_in_refusals(root: Path):
    """A count too large and one too small are both 次数 to a Chinese reader (not count
    in one message and 数量 in the other), as the import header and show name it."""
    args = ["add", "-d", "市公安局", "-c", "2.4.3", "--month", "2023-05", "-n"]
    big = run_in("zh", root, *args, "10001")
    small = run_in("zh", root, *args, "0")
    assert big.exit_code == small.exit_code == 1
    assert "次数 10001 超过 10000" in big.stderr
    assert "次数至少为 1，不能是 0" in small.stderr


def test_add_names_a_missing_field_in_the_office_words_and_its_option(root: Path):
    """A refusal that asks for a field says it as the office does (事项, not matter) and
    names the option that gives it; English keeps the field's English name."""
    args = ["add", "-d", "市公安局", "-c", "4.2.2", "--level", "市级", "--month", "2023-05"]
    zh, en = run_in("zh", root, *args), run_in("en", root, *args)
    assert (zh.exit_code, en.exit_code) == (1, 1)
    assert zh.stderr == (
        "govscore: 条款 4.2.2 同一事项只计一次：请写明事项（--matter）\n"
        "错误：已拒绝：1 个问题；该记录未写入，台账未改动\n"
    )
    assert en.stderr.startswith(
        "govscore: clause 4.2.2 counts each matter once: name it with matter (--matter)\n"
    )
    rate = run_in("zh", root, "add", "-d", "市公安局", "-c", "2.5.2", "--month", "2023-05")
    assert rate.stderr.startswith(
        "govscore: 条款 2.5.2 按比率计分：请填写比率（百分数），或分子和分母"
        "（--value 或 --numerator 和 --denominator）\n"
    )


IMPORTED = """\
部门,条款,层级,日期,说明
市公安局,4.2.2,市级,2023/6/20,x
市公安局,2.5.2,,2023/6/20,x
市公安局,4.3.2,,2023/6/20,x
市教育局,2.3.11,,2023/6/21,x
"""


def test_import_names_fields_as_the_file_heads_its_columns(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A file headed in Chinese is told of 事项, 比率, 关联 and 分值, the columns it lacks,
    in its own words; a file headed in English of matter, the column it would add."""
    monkeypatch.chdir(tmp_path)
    Path("rows.csv").write_text(IMPORTED, encoding="utf-8")
    zh = run_in("zh", root, "import", "rows.csv")
    assert zh.exit_code == 1
    assert zh.stderr == (
        "rows.csv:2: 事项：条款 4.2.2 同一事项只计一次：请写明事项\n"
        "rows.csv:3: 比率：条款 2.5.2 按比率计分：请填写比率（百分数），或分子和分母\n"
        "rows.csv:4: 关联：条款 4.3.2 为追加扣分：请填写关联，即所关联的 4.3.1 记录编号\n"
        "rows.csv:5: 分值：条款 2.3.11 须填写 1 到 2 之间的分值\n"
        "错误：已拒绝 rows.csv：4 个问题；未导入任何记录，台账未改动\n"
    )
    assert english_words(zh.stderr) == []
    Path("en.csv").write_text("department,clause,level,date\n市公安局,4.2.2,市级,2023-06-20\n")
    english_file = run_in("zh", root, "import", "en.csv")
    assert english_file.stderr.startswith(
        "en.csv:2: matter：条款 4.2.2 同一事项只计一次：请写明事项\n"
    )
    in_english = run_in("en", root, "import", "rows.csv")
    assert in_english.stderr.startswith(
        "rows.csv:2: 事项: clause 4.2.2 counts each matter once: name it with matter\n"
    )


def test_check_names_a_field_one_way_whatever_is_wrong_with_it(root: Path):
    """A count that is no whole number and one too large are both 次数 in one `check`
    (not count in one message and 次数 in the other); JSON keeps its field key."""
    entries = "".join(
        f'\n[[entry]]\nid = "2023-05-000{n}"\ndepartment = "市公安局"\nclause = "2.4.3"\n'
        f"count = {count}\n"
        for n, count in enumerate(["nan", "4.9", "true", "1e29"], 1)
    )
    (root / "ledger" / "2023-05.toml").write_text(entries, encoding="utf-8")
    result = run_in("zh", root, "check")
    assert result.exit_code == 1
    assert result.stdout == (
        "ledger/2023-05.toml:2: 次数：NaN 不是整数\n"
        "ledger/2023-05.toml:8: 次数：4.9 不是整数\n"
        "ledger/2023-05.toml:14: 次数：true 不是整数\n"
        "ledger/2023-05.toml:20: 次数 1E+29 超过 10000，即一条记录所能填写的最大次数\n"
    )
    problems = json.loads(run_in("zh", root, "check", "--format", "json").stdout)["problems"]
    assert [p["field"] for p in problems] == ["count"] * 4
    assert run_in("en", root, "check").stdout.startswith(
        "ledger/2023-05.toml:2: count: NaN is not a whole number\n"
    )


def test_and_joins_chinese_words_without_spaces_but_keeps_them_beside_ids(monkeypatch):
    """Review AF F5 b: a skipped row read 仅说明 和 日期不同, spaces inside Chinese."""
    from govscore.i18n import both

    monkeypatch.setenv("GOVSCORE_LANG", "zh")
    assert both(["说明", "日期"]) == "说明和日期"
    assert both(["2023-05-0001", "2023-05-0002"]) == "2023-05-0001 和 2023-05-0002"
    assert both(["说明"]) == "说明"
    monkeypatch.setenv("GOVSCORE_LANG", "en")
    assert both(["note", "date"]) == "note and date"


def test_what_init_writes_and_every_commit_message_is_in_the_clerks_language(tmp_path: Path):
    """The clerk reads departments.toml's and weights.toml's comments (the guide to
    since/until/tags/base/floor/commit) and the git log: both in Chinese. Commit messages
    keep their "govscore: " prefix in every language, so `git log --grep` finds them."""
    root = tmp_path / "office"
    zh = {"GOVSCORE_LANG": "zh"}
    assert run_process("init", str(root), env=zh).returncode == 0
    for name in ("departments.toml", "weights.toml", ".gitattributes"):
        text = (root / name).read_text(encoding="utf-8")
        comments = "\n".join(line for line in text.splitlines() if line.startswith("#"))
        # TOML keys and values named in the comments are kept: the file holds them so.
        kept = {"name", "aliases", "tags", "since", "until", "city", "base", "floor", "weight"}
        assert [w for w in english_words(comments) if w not in kept] == [], name

    def recorded(*args: str) -> None:
        done = run_process("--root", str(root), *args, "--commit", env=zh)
        assert done.returncode == 0, done.stderr

    recorded("add", "-d", "市公安局", "-c", "2.4.3", "-n", "2", "--month", "2023-05")
    recorded("void", "2023-05-0001", "--reason", "申诉成立")
    recorded("departments", "tag", "市公安局", "hall")
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=root, capture_output=True, text=True, check=True
    )
    assert log.stdout.splitlines() == [
        "govscore: 市公安局 的标签：政务服务中心大厅",
        "govscore: 作废 2023-05-0001（申诉成立），记为 2023-05-0002",
        "govscore: 市公安局 2.4.3 ×2（2023-05-0001）",
        "govscore: 建立工作目录（部门、权重、台账）",
    ]
