"""`govscore check`: every problem of the ledger and configuration in one run.

Problems print as `file:line: message` on stdout (or JSON with --format json), a
summary goes to stderr, and the exit code is 1 when anything is wrong, 0 when nothing
is, 2 for a command line that makes no sense.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, copy_root, run_process, without_category_4
from govscore.cli.commands import cli
from govscore.model import FIELDS

APRIL = """\
# govscore ledger for 2023-04: append only

[[entry]]
id = "2023-04-0001"
department = "公按局"
clause = "2.4.3"

[[entry]]
id = "2023-04-0002"
department = "市公安局"
clause = "2.3.11"
points = 1.55

[[entry]]
id = "2023-04-0003"
department = "市公安局"
clause = "2.4.3"
cluase = "2.4.3"

[[entry]]
id = "2023-04-0004"
department = "市公安局"
clause = "2.4.3"
"""

MAY = """\
# govscore ledger for 2023-05: append only

[[entry]]
id = "2023-05-0001"
department = "市公安局"
clause = "2.5.2"
value = 101

[[entry]]
id = "2023-05-0002"
count =

[[entry]]
id = "2023-04-0001"
department = "市民政局"
clause = "2.4.3"

[[entry]]
id = "2023-05-0003"
void = "2023-05-0404"
reason = "录错"
"""

JUNE_CSV = """\
id,department,clause,count
2023-06-0001,市公安局,2.4.3,abc
2023-06-0002,市民政局,2.4.3,
"""

ALLOWED = f"(allowed: {', '.join(FIELDS)})"

# (file, line, entry, field, message), in the order check reports them: the files that
# do not parse, then the ledger's rules (ids, voids, closes, then each clause entry).
PROBLEMS = [
    (
        "ledger/2023-04.toml",
        3,
        "2023-04-0001",
        "department",
        "unknown department '公按局'; did you mean 市公安局? (run `govscore departments` for the list)",
    ),
    ("ledger/2023-04.toml", 8, "2023-04-0002", "points", "points 1.55 are not in steps of 0.1"),
    (
        "ledger/2023-04.toml",
        8,
        "2023-04-0002",
        "department",
        "clause 2.3.11 applies only to departments tagged 政务服务中心大厅; 市公安局 is not "
        "(if it should be: `govscore departments tag 市公安局 政务服务中心大厅`)",
    ),
    (
        "ledger/2023-04.toml",
        14,
        "2023-04-0003",
        "cluase",
        f"unknown field 'cluase'; did you mean 'clause'? {ALLOWED}",
    ),
    (
        "ledger/2023-05.toml",
        3,
        "2023-05-0001",
        "value",
        "rate 101 is not a percentage from 0 to 100",
    ),
    ("ledger/2023-05.toml", 11, "", "", "not valid TOML: Invalid value"),
    (
        "ledger/2023-05.toml",
        13,
        "2023-04-0001",
        "id",
        "duplicate id 2023-04-0001 (first at ledger/2023-04.toml:3)",
    ),
    ("ledger/2023-05.toml", 18, "2023-05-0003", "void", "void of unknown entry '2023-05-0404'"),
    ("ledger/2023-06.csv", 2, "2023-06-0001", "count", "count: 'abc' is not a whole number"),
]
TABLE = "".join(f"{file}:{line}: {message}\n" for file, line, _, _, message in PROBLEMS)


@pytest.fixture
def troubled(root: Path) -> Path:
    """Two TOML months and a CSV month, with nine problems of seven kinds among them."""
    for name, text in (("2023-04.toml", APRIL), ("2023-05.toml", MAY), ("2023-06.csv", JUNE_CSV)):
        (root / "ledger" / name).write_text(text, encoding="utf-8")
    return root


def test_check_reports_every_problem_in_one_run_as_file_line_message(troubled: Path, gs):
    result = gs("check")
    assert result.exit_code == 1
    assert result.stdout == TABLE
    # Entries read: April 3 (0003 does not parse), May 3 (0002 does not), June 1.
    assert result.stderr.startswith("7 entries in 3 ledger files (")
    assert result.stderr.endswith(f"): {len(PROBLEMS)} problems\n")


def test_check_as_a_real_process_says_the_same(troubled: Path):
    result = run_process("--root", str(troubled), "check")
    assert result.returncode == 1, result.stderr
    assert result.stdout == TABLE
    assert result.stderr.endswith(f"): {len(PROBLEMS)} problems\n")


def test_check_json_is_the_whole_report(troubled: Path, gs):
    result = gs("check", "--format", "json")
    assert result.exit_code == 1
    # JSON gives each message in Chinese whatever the reader's language (issue 13): as
    # the Chinese table says it.
    chinese_table = CliRunner(env={"GOVSCORE_LANG": "zh"}).invoke(
        cli, ["--root", str(troubled), "check"]
    )
    said = [line.split(": ", 1)[1] for line in chinese_table.stdout.splitlines()]
    assert len(said) == len(PROBLEMS) and said[0].startswith("未知部门 '公按局'")
    assert json.loads(result.stdout) == {
        "ok": False,
        "files": 3,
        "entries": 7,
        "revision": None,  # a fresh root: nothing committed yet
        "uncommitted": True,
        "problems": [
            {"file": file, "line": line, "entry": entry, "field": field, "message": message}
            for (file, line, entry, field, _), message in zip(PROBLEMS, said, strict=True)
        ],
    }


def test_check_csv_lists_the_same_problems_as_rows(troubled: Path, gs):
    result = gs("check", "--format", "csv")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "file,line,entry,field,message"
    assert len(lines) == 1 + len(PROBLEMS)
    assert (
        lines[2] == "ledger/2023-04.toml,8,2023-04-0002,points,points 1.55 are not in steps of 0.1"
    )


def test_a_clean_ledger_checks_with_exit_0_and_nothing_on_stdout(root: Path, gs):
    assert gs("add", "-d", "公安局", "-c", "2.4.3", "--month", "2023-05").exit_code == 0
    result = gs("check")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.startswith("1 entry in 1 ledger file (")
    assert result.stderr.endswith("): no problems\n")
    payload = json.loads(gs("check", "--format", "json").stdout)
    assert (payload["ok"], payload["files"], payload["entries"], payload["problems"]) == (
        True,
        1,
        1,
        [],
    )


# A void, a close and a follow-up written by hand into April's file, each naming an entry
# of May (as a merge or a clerk's editor may put them), and a void of May's in June.
EARLY_APRIL = """\
[[entry]]
id = "2023-04-0001"
void = "2023-05-0001"
reason = "申诉成立"

[[entry]]
id = "2023-04-0002"
close = "2023-05-0002"
through = "2023-05"

[[entry]]
id = "2023-04-0003"
department = "市公安局"
clause = "4.3.2"
ref = "2023-05-0003"
"""

LATER_MAY = """\
[[entry]]
id = "2023-05-0001"
department = "市公安局"
clause = "2.4.3"

[[entry]]
id = "2023-05-0002"
department = "市公安局"
clause = "3.1.3"
recurring = true

[[entry]]
id = "2023-05-0003"
department = "市公安局"
clause = "4.3.1"

[[entry]]
id = "2023-05-0004"
department = "市民政局"
clause = "2.4.3"
"""

VOIDING_JUNE = """\
[[entry]]
id = "2023-06-0001"
void = "2023-05-0004"
reason = "申诉成立"
"""


def test_a_void_close_or_follow_up_in_a_month_file_before_its_entry_is_named(root: Path, gs):
    """Each would come before the entry it names: a problem of its own line, in words that
    say what is allowed; June's void of a May entry is fine."""
    for name, text in (
        ("2023-04.toml", EARLY_APRIL),
        ("2023-05.toml", LATER_MAY),
        ("2023-06.toml", VOIDING_JUNE),
    ):
        (root / "ledger" / name).write_text(text, encoding="utf-8")
    result = gs("check")
    assert result.exit_code == 1
    assert result.stdout == (
        "ledger/2023-04.toml:1: void of 2023-05-0001, an entry of a later month (2023-05, at "
        "ledger/2023-05.toml:1): a void cannot come before the entry it names, and voids "
        "nothing; it is written in the month file of that entry or a later one\n"
        "ledger/2023-04.toml:6: close of 2023-05-0002, an entry of a later month (2023-05, at "
        "ledger/2023-05.toml:6): a close cannot come before the entry it names, and closes "
        "nothing; it is written in the month file of that entry or a later one\n"
        "ledger/2023-04.toml:11: ref 2023-05-0003 is of a later month (2023-05) than this "
        "follow-up\n"
    )
    assert result.stderr.startswith("8 entries in 3 ledger files (")
    assert result.stderr.endswith("): 3 problems\n")
    chinese = CliRunner(env={"GOVSCORE_LANG": "zh"}).invoke(cli, ["--root", str(root), "check"])
    assert chinese.stdout.splitlines()[:2] == [
        "ledger/2023-04.toml:1: 作废的记录 2023-05-0001 属于更晚的月份（2023-05，位于 "
        "ledger/2023-05.toml:1）：作废不能早于所作废的记录，本条不作废任何记录；作废应写在"
        "该记录所在月份或其后月份的月度台账文件中",
        "ledger/2023-04.toml:6: 终止计分的记录 2023-05-0002 属于更晚的月份（2023-05，位于 "
        "ledger/2023-05.toml:6）：终止计分不能早于所终止的记录，本条不终止任何记录；终止计分"
        "应写在该记录所在月份或其后月份的月度台账文件中",
    ]


def test_a_committed_void_that_voids_nothing_is_retired_by_voiding_it(root: Path, gs):
    """A clerk's hand-written void, filed in May for a June entry and committed, voids
    nothing and is a problem of its line in every report; the clerk voids the June entry
    as `void` files it, then voids the misfiled line (review BO J7): check is clean,
    and the history only appended (real git, govscore run as a process)."""
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "root"], cwd=root, check=True)
    for clause, month in (("1.1.1", "2023-05"), ("1.1.2", "2023-06")):
        assert (
            gs("add", "-d", "市教育局", "-c", clause, "--month", month, "--commit").exit_code == 0
        )
    with (root / "ledger" / "2023-05.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[[entry]]\nid = "2023-05-h9"\nvoid = "2023-06-0001"\nreason = "录错"\n')
    subprocess.run(["git", "commit", "-qam", "a void by hand"], cwd=root, check=True)
    assert gs("void", "2023-06-0001", "--reason", "申诉成立", "--commit").stdout == "2023-06-0002\n"
    before = run_process("--root", str(root), "check")
    assert before.returncode == 1
    assert before.stdout == (
        "ledger/2023-05.toml:10: void of 2023-06-0001, an entry of a later month (2023-06, at "
        "ledger/2023-06.toml:3): a void cannot come before the entry it names, and voids "
        "nothing; it is written in the month file of that entry or a later one\n"
    )
    voided = run_process("--root", str(root), "void", "2023-05-h9", "--reason", "误录", "--commit")
    assert (voided.returncode, voided.stdout) == (0, "2023-05-0002\n")
    after = run_process("--root", str(root), "check")
    assert (after.returncode, after.stdout) == (0, "")
    assert (
        after.stderr.startswith("5 entries in 2 ledger files (") and "no problems" in after.stderr
    )
    shown = json.loads(gs("show", "2023-05-h9", "--format", "json").stdout)
    assert (shown["voided"]["id"], shown["problems"]) == ("2023-05-0002", [])
    audited = run_process("--root", str(root), "audit")
    assert audited.returncode == 0, audited.stdout
    # The void that voids the June entry is not voided: restoring an entry is a new entry.
    again = run_process("--root", str(root), "void", "2023-06-0002", "--reason", "恢复")
    assert again.returncode == 1
    assert "2023-06-0002 is itself a void; to restore an entry, record it again" in again.stderr


def test_an_empty_root_checks_clean(root: Path):
    result = run_process("--root", str(root), "check")
    assert (result.returncode, result.stdout) == (0, "")


def test_the_example_root_checks_clean(tmp_path: Path):
    example = copy_root(REPO / "examples", tmp_path / "examples")
    result = run_process("--root", str(example), "check", "--format", "json")
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout)["problems"] == []


def test_weights_that_do_not_sum_to_1_are_reported(root: Path, gs):
    path = root / "weights.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("weight = 0.40", "weight = 0.45"),
        encoding="utf-8",
    )
    result = gs("check")
    assert result.exit_code == 1
    assert result.stdout == (
        "weights.toml: category weights sum to 1.05 (0.25 + 0.45 + 0.2 + 0.15); "
        "they must sum to 1\n"
    )


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            ("floor = 0", "floor = 150"),
            "weights.toml: floor 150 and base 100: the floor must be 0 or more and below the "
            "base (the measures: base 100, floor 0)",
        ),
        (
            ("floor = 0", "floor = -5"),
            "weights.toml: floor -5 and base 100: the floor must be 0 or more and below the "
            "base (the measures: base 100, floor 0)",
        ),
        (
            ("weight = 0.40", "weight = -0.40"),
            "weights.toml: [category.2] weight -0.4 must be 0 or more",
        ),
    ],
)
def test_weights_that_cannot_make_a_score_are_refused(root: Path, gs, change, said):
    """A floor above the base would raise every department to it whatever it lost; a
    weight below 0 would make a deduction raise the total."""
    path = root / "weights.toml"
    text = path.read_text(encoding="utf-8")
    assert change[0] in text
    path.write_text(text.replace(change[0], change[1]), encoding="utf-8")
    result = gs("check")
    assert result.exit_code != 0
    assert said in result.output


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            ("base = 100", "base = 100\nbse = 1"),
            "weights.toml: unknown key 'bse'; did you mean base? (weights.toml has base, floor, "
            "office, category, ledger, limits)",
        ),
        (
            ("weight = 0.40", "weight = 0.40\nWieght = 0.5"),
            "weights.toml: [category.2]: unknown key 'Wieght'; did you mean weight? (a category "
            "has name, short, weight)",
        ),
        (
            # The category's only weight misspelt: "needs a weight" hid the did-you-mean.
            ("weight = 0.15", "wieght = 0.15"),
            "weights.toml: [category.4]: unknown key 'wieght'; did you mean weight? (a category "
            "has name, short, weight)",
        ),
        (
            ("commit = false", "comit = true"),
            "weights.toml: [ledger]: unknown key 'comit'; did you mean commit? ([ledger] has "
            "commit)",
        ),
        (
            ("[ledger]", "[limits]\nceiling = 5\n\n[ledger]"),
            "weights.toml: [limits]: unknown key 'ceiling' ([limits] has discretionary)",
        ),
    ],
)
def test_a_key_weights_toml_does_not_have_is_refused(root: Path, gs, change, said):
    """`bse = 1` (a typo of base) was read as nothing, the base left at 100 without a word;
    so was a misspelt weight, commit or discretionary. As departments.toml refuses an
    unknown key (untill), weights.toml does: a configuration error, exit 1."""
    path = root / "weights.toml"
    text = path.read_text(encoding="utf-8")
    assert change[0] in text
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    result = gs("month", "2023-05")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {said}\n")


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            ("weight = 0.15", "wieght = 0.15"),
            "weights.toml: [category.4]：未知的键 'wieght'；是否指 weight？"
            "（考评类别可有的键：name、short、weight）",
        ),
        (
            ("commit = false", "comit = true"),
            "weights.toml: [ledger]：未知的键 'comit'；是否指 commit？（[ledger] 可有的键：commit）",
        ),
    ],
    ids=["category", "ledger"],
)
def test_a_key_weights_toml_does_not_have_is_named_in_chinese(root: Path, change, said):
    """What a clerk reads (review BA F6): the file at the head with `: `, as every
    configuration message has it (an editor's jump on file:), the table after it from
    the catalog, and the rest in the Chinese punctuation; a misspelt weight is named as
    misspelt, not as a category without a weight."""
    path = root / "weights.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    result = CliRunner(env={"GOVSCORE_LANG": "zh"}).invoke(
        cli, ["--root", str(root), "month", "2023-05"]
    )
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"错误：{said}\n")


@pytest.mark.parametrize(
    ("setting", "table"),
    [
        ("ledger = true", "ledger"),
        ("ledger = false", "ledger"),
        ("ledger = []", "ledger"),
        ('limits = ""', "limits"),
        ("limits = false", "limits"),
        ("limits = 0", "limits"),
    ],
)
def test_a_ledger_or_limits_setting_that_is_no_table_is_refused(
    root: Path, gs, setting: str, table: str
):
    """`ledger = true` (for `[ledger] commit = true`) was a traceback (AttributeError:
    'bool' object has no attribute 'get'); `ledger = false`, `limits = 0` and any other
    false-looking value were read as no table at all, the defaults used without a word
    (review BA F6). Any value that is not a table is a configuration error, exit 1."""
    path = root / "weights.toml"
    text = path.read_text(encoding="utf-8")
    ledger = text[text.index("[ledger]") :]
    path.write_text(
        text.replace(ledger, "").replace("floor = 0", f"floor = 0\n{setting}"), encoding="utf-8"
    )
    result = gs("month", "2023-05")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        f"error: weights.toml: [{table}] must be a table\n",
    )


@pytest.mark.parametrize("written", ["1", "false", '""', '"  "'])
def test_an_office_that_is_no_name_is_refused(root: Path, gs, written: str):
    """`office = 1` titled every report "1", and `office = false` gave the default without
    a word: the office must be a name, exit 1 naming the setting and an example."""
    path = root / "weights.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("floor = 0", f"floor = 0\noffice = {written}"), encoding="utf-8")
    result = gs("month", "2023-05")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "error: weights.toml: office is the name of the office the reports are from, e.g. "
        'office = "烟台市政务服务管理办公室"\n',
    )


@pytest.mark.parametrize("written", ['"false"', '"no"', "0"])
def test_a_commit_setting_that_is_not_true_or_false_is_refused(root: Path, gs, written: str):
    """`commit = "false"` was read as true (any non-empty text is), so every add, void,
    close and import committed to git against what the file says; it is a configuration
    error, exit 1, naming the value as written."""
    path = root / "weights.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("commit = false", f"commit = {written}"), encoding="utf-8")
    result = gs("month", "2023-05")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        f"error: weights.toml: [ledger] commit must be true or false, got {written}\n",
    )


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("07:32:00", "07:32:00"),
        ("1979-05-27T07:32:00Z", "1979-05-27T07:32:00+00:00"),
        ("true", "true"),
        ("{a=1}", "{a = 1}"),
        ('"一百"', '"一百"'),
        ("[1, 'x']", '[1, "x"]'),
    ],
)
def test_a_setting_that_is_no_number_is_shown_as_toml_writes_it(root: Path, written, shown):
    """Review BH F11: `base = 07:32:00` was said 实为 datetime.time(7, 32), `base = {a=1}`
    实为 {'a': 1}: Python's way of writing a value, inside a Chinese message."""
    path = root / "weights.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("base = 100", f"base = {written}"), encoding="utf-8")
    said = {}
    for lang in ("zh", "en"):
        result = CliRunner(env={"GOVSCORE_LANG": lang}).invoke(cli, ["--root", str(root), "check"])
        said[lang] = (result.exit_code, result.stdout, result.stderr)
    assert said == {
        "zh": (1, "", f"错误：weights.toml: base 必须是数字，实为 {shown}\n"),
        "en": (1, "", f"error: weights.toml: base must be a number, got {shown}\n"),
    }


@pytest.mark.parametrize(
    ("key", "written"),
    [
        ("name", "1979-05-27"),
        ("name", "1"),
        ("short", "[1]"),
        ("short", "true"),
        ("short", "{a = 1}"),
    ],
)
def test_a_category_name_that_is_not_text_is_refused(root: Path, key: str, written: str):
    """Review BH J3: `name = 1979-05-27` or `short = [1]` passed check, and `month` printed
    `[1]` as a column header: a category's name and short name are text, as every other
    setting of the wrong kind is refused, exit 1, in check and every command that reads
    the configuration."""
    path = root / "weights.toml"
    text = path.read_text(encoding="utf-8")
    line = {"name": 'name = "政务服务标准化"', "short": 'short = "标准化"'}[key]
    path.write_text(text.replace(line, f"{key} = {written}", 1), encoding="utf-8")
    said = {}
    for lang, command in (("zh", "check"), ("en", "check"), ("en", "month")):
        result = CliRunner(env={"GOVSCORE_LANG": lang}).invoke(
            cli, ["--root", str(root), command, *(["2023-05"] if command == "month" else [])]
        )
        said[lang, command] = (result.exit_code, result.stdout, result.stderr)
    english = f"error: weights.toml: category.1.{key} must be text in quotes, got {written}\n"
    assert said == {
        ("zh", "check"): (
            1,
            "",
            f"错误：weights.toml: category.1.{key} 必须是加引号的文字，实为 {written}\n",
        ),
        ("en", "check"): (1, "", english),
        ("en", "month"): (1, "", english),
    }


@pytest.mark.parametrize(
    ("key", "written"), [("short", '""'), ("short", '"  "'), ("name", '"标准\\n化"')]
)
def test_a_category_name_blank_or_over_two_lines_is_refused(root: Path, key: str, written: str):
    """Review BL J2: `short = ""` headed a column with nothing (a CSV header `部门,,规范化`),
    `"标准\n化"` broke the table's header over two lines: a category's name is one line."""
    path = root / "weights.toml"
    text = path.read_text(encoding="utf-8")
    line = {"name": 'name = "政务服务标准化"', "short": 'short = "标准化"'}[key]
    path.write_text(text.replace(line, f"{key} = {written}", 1), encoding="utf-8")
    result = CliRunner(env={"GOVSCORE_LANG": "en"}).invoke(cli, ["--root", str(root), "check"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        f"error: weights.toml: category.1.{key} must be a name on one line, got {written}: it "
        "heads a column of every report\n",
    )


def test_weights_without_a_category_the_catalog_scores_are_reported_and_months_still_shown(
    root: Path, gs
):
    """weights.toml without [category.4] (its 15% given to 规范化): `check` names it, and a
    month is still shown, weighed by categories 1-3, with the warning and exit 1.
    Category 4's deduction (4.4.3) and capped bonus (4.2.1, group C) weigh nothing.

    市民政局: 2.4.3 × 1 → C2 = 99 → 0.25×100 + 0.55×99 + 0.20×100 = 25 + 54.45 + 20 = 99.45
    市公安局: 4.4.3 市委市政府 (−2), 市教育局: 4.2.1 × 2 (+0.2), both in category 4 → 100
    """
    path = root / "weights.toml"
    path.write_text(without_category_4(path.read_text(encoding="utf-8")), encoding="utf-8")
    problem = "weights.toml: the catalog scores category 4, which has no [category.4]\n"
    assert gs("check").stdout == problem
    for args in (
        ("-d", "市民政局", "-c", "2.4.3"),
        ("-d", "市公安局", "-c", "4.4.3", "--level", "市委市政府"),
        ("-d", "市教育局", "-c", "4.2.1", "-n", "2"),
    ):
        assert gs("add", *args, "--month", "2023-05").exit_code == 0
    result = gs("month", "2023-05", "--format", "json")
    assert result.exit_code == 1
    assert result.stderr.startswith(problem)
    scores = {d["department"]: d for d in json.loads(result.stdout)["departments"]}
    assert scores["市民政局"]["categories"] == {"1": 100, "2": 99, "3": 100}
    assert scores["市民政局"]["total"] == 99.45
    # Category 4 is scored as the catalog says (100 − 2; 100 + 0.2) but weighs nothing.
    assert scores["市公安局"]["categories"] == {"1": 100, "2": 100, "3": 100, "4": 98}
    assert scores["市教育局"]["categories"] == {"1": 100, "2": 100, "3": 100, "4": 100.2}
    assert scores["市公安局"]["total"] == scores["市教育局"]["total"] == 100
    year = gs("year", "2023", "--format", "json")
    assert year.exit_code == 1
    assert {d["department"]: d["total"] for d in json.loads(year.stdout)["departments"]}[
        "市民政局"
    ] == 99.45


def test_a_file_that_is_not_utf8_or_not_a_month_is_reported(root: Path, gs):
    ledger = root / "ledger"
    (ledger / "2023-05.toml").write_bytes(
        b'# head\n\n[[entry]]\nid = "a"\nnote = "' + "迟到".encode("gbk") + b'"\n'
    )
    (ledger / "notes.txt").write_text("草稿\n", encoding="utf-8")
    result = gs("check")
    assert result.exit_code == 1
    assert result.stdout == (
        "ledger/notes.txt: not a ledger file: month files are named YYYY-MM.toml or YYYY-MM.csv\n"
        "ledger/2023-05.toml:5: not UTF-8 text (was this entry written in an editor that "
        "saves GBK or another encoding?): the entries from line 3 on are left out, those "
        "above it count; write this entry's text again in UTF-8 (the lines above are UTF-8: "
        "converting the whole file from GBK would garble them)\n"
    )


def test_a_folder_without_weights_toml_is_not_a_root_and_says_how_to_make_one(tmp_path: Path):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    result = run_process("--root", str(folder), "check")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {folder}: not a govscore root (--root names a folder without weights.toml); "
        f"create one with: govscore init {folder}\n"
    )


def test_a_root_without_departments_toml_says_what_is_missing(root: Path, gs):
    (root / "departments.toml").unlink()
    result = gs("check")
    assert result.exit_code == 1
    assert "departments.toml: missing" in result.stderr


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("name = 1", 'department #37: every [[department]] needs a name = "..."'),
        (
            'name = "市商务局"\naliases = [3]',
            "department #37: aliases and tags are lists of strings",
        ),
        (
            'name = "市商务局"\ntags = [true]',
            "department #37: aliases and tags are lists of strings",
        ),
    ],
)
def test_a_department_named_by_a_number_is_refused(root: Path, gs, written: str, says: str):
    """Review AC F4: `name = 1` (an item number pasted into the wrong column) was read as
    a department "1": check was clean, the month ranked it, `add -d 1` booked against it."""
    with (root / "departments.toml").open("a", encoding="utf-8") as out:
        out.write(f"\n[[department]]\n{written}\n")
    result = gs("check")
    assert result.exit_code == 1
    assert result.stderr == f"error: departments.toml: {says}\n"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["chekc"], "No such command 'chekc'"),
        (["check", "--format", "xml"], "Invalid value for '--format': 'xml' is not one of"),
        (["check", "--strict"], "No such option '--strict'"),
    ],
)
def test_a_command_line_that_makes_no_sense_exits_2(root: Path, gs, args: list[str], says: str):
    result = gs(*args)
    assert result.exit_code == 2
    assert says in result.stderr
    assert result.stdout == ""
    real = run_process("--root", str(root), *args)
    assert real.returncode == 2 and says in real.stderr
