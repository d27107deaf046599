"""``govscore items`` through click's runner and as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from items_expect import CORPUS, EXPECTED, code

from conftest import process_env
from govscore.cli.commands import cli
from govscore.items.rules import RULES

FEE = str(CORPUS / "r06-fee.json")
VISITS = str(CORPUS / "r05-visits.json")
CLEAN = str(CORPUS / "clean.json")
TYPOS_FILE = str(CORPUS / "r01-typos.json")
HOUSING = "市住房和城乡建设局"
NAME = "建设工程消防验收"

FEE_FINDINGS = [
    {
        "item": code(6, 1),
        "name": NAME,
        "department": HOUSING,
        "rule": 6,
        "field": "收费依据",
        "message": "不收费事项不得填写收费依据，现为「《山东省行政事业性收费项目目录》」",
    },
    {
        "item": code(6, 3),
        "name": NAME,
        "department": HOUSING,
        "rule": 6,
        "field": "是否收费",
        "message": "是否收费「不收费」应为「是」或「否」",
    },
]


@pytest.fixture
def outside_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from a folder with no govscore root above it and no $GOVSCORE_ROOT."""
    monkeypatch.delenv("GOVSCORE_ROOT", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A govscore root whose typos.tsv knows one more misspelling."""
    folder = tmp_path / "root"
    folder.mkdir()
    (folder / "weights.toml").write_text("", encoding="utf-8")
    (folder / "typos.tsv").write_text("# 本办补充\n审批服务居\t审批服务局\n", encoding="utf-8")
    return folder


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def triples(payload: list[dict]) -> set[tuple[str, int, str]]:
    return {(row["item"], row["rule"], row["field"]) for row in payload}


def expected_triples(
    rules: set[int] | None = None, file: str | None = None
) -> set[tuple[str, int, str]]:
    """What the corpus must produce, for some rules, of the records of one file or all."""
    items = None if file is None else {r["实施编码"] for r in json.loads(Path(file).read_text())}
    return {
        (item, rule, field)
        for item, found in EXPECTED.items()
        for rule, field in found
        if (rules is None or rule in rules) and (items is None or item in items)
    }


def test_clean_items_exit_0(outside_root: Path) -> None:
    result = invoke("items", "check", CLEAN, "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stdout == "[]\n"
    assert result.stderr == "checked 1 item: 0 with findings, 0 findings, 0 unreadable records\n"


def test_json_findings_whole(outside_root: Path) -> None:
    result = invoke("items", "check", FEE, "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == FEE_FINDINGS


def test_csv_findings_whole(outside_root: Path) -> None:
    result = invoke("items", "check", FEE, "--format", "csv")
    assert result.exit_code == 1
    assert result.stdout == (
        "实施编码,事项名称,实施主体,规则,字段,说明\n"
        f"{code(6, 1)},{NAME},{HOUSING},6,收费依据,"
        "不收费事项不得填写收费依据，现为「《山东省行政事业性收费项目目录》」\n"
        f"{code(6, 3)},{NAME},{HOUSING},6,是否收费,是否收费「不收费」应为「是」或「否」\n"
    )


def test_table_and_markdown_findings(outside_root: Path) -> None:
    table = invoke("items", "check", FEE).stdout.splitlines()
    assert table[0].split() == ["实施编码", "事项名称", "实施主体", "规则", "字段", "说明"]
    assert [line.split()[0] for line in table[2:]] == [code(6, case) for case in (1, 3)]
    markdown = invoke("items", "check", FEE, "--format", "markdown").stdout.splitlines()
    assert [cell.strip() for cell in markdown[0].strip("|").split("|")] == [
        "实施编码",
        "事项名称",
        "实施主体",
        "规则",
        "字段",
        "说明",
    ]
    assert len(markdown) == 2 + 2


def test_whole_corpus_as_json(outside_root: Path) -> None:
    result = invoke("items", "check", str(CORPUS), "--format", "json")
    assert result.exit_code == 1
    assert triples(json.loads(result.stdout)) == expected_triples()
    assert result.stderr.endswith("0 unreadable records\n")


def test_rule_option_keeps_only_those_rules(outside_root: Path) -> None:
    result = invoke(
        "items", "check", str(CORPUS), "--rule", "11", "--rule", "12", "--format", "json"
    )
    assert result.exit_code == 1
    assert triples(json.loads(result.stdout)) == expected_triples({11, 12})


def test_rule_option_on_a_passing_rule_exits_0(outside_root: Path) -> None:
    result = invoke("items", "check", FEE, "--rule", "5", "--format", "json")
    assert (result.exit_code, result.stdout) == (0, "[]\n")


@pytest.mark.parametrize(
    "args",
    [
        ("--rule", "14", FEE),
        ("--rule", "0", FEE),
        ("--rule", "x", FEE),
        (),
        (FEE, "--format", "xml"),
    ],
)
def test_usage_errors_exit_2(outside_root: Path, args: tuple[str, ...]) -> None:
    result = invoke("items", "check", *args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""


def test_unreadable_records_go_to_stderr_and_the_run_goes_on(outside_root: Path) -> None:
    folder = outside_root / "export"
    folder.mkdir()
    record = json.loads(Path(CLEAN).read_text(encoding="utf-8"))[0]
    bad = folder / "b.jsonl"
    bad.write_text(
        json.dumps(record, ensure_ascii=False) + "\n{oops\n" + '{"事项名称": "无编码"}\n',
        encoding="utf-8",
    )
    good = folder / "a.json"
    good.write_text(Path(FEE).read_text(encoding="utf-8"), encoding="utf-8")
    result = invoke("items", "check", str(folder), "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == FEE_FINDINGS
    assert result.stderr.splitlines() == [
        f"{bad}:2: bad JSON: Expecting property name enclosed in double quotes (column 2)",
        f"{bad}:3: item has no 实施编码",
        "checked 4 items: 2 with findings, 2 findings, 2 unreadable records",
    ]


def test_unreadable_records_alone_exit_1(outside_root: Path) -> None:
    bad = outside_root / "bad.jsonl"
    bad.write_text('"事项"\n', encoding="utf-8")  # ([] would be read as a JSON array, empty)
    result = invoke("items", "check", str(bad), "--format", "json")
    assert (result.exit_code, result.stdout) == (1, "[]\n")
    assert result.stderr.splitlines()[0] == f"{bad}:1: not an item object but a string"


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "checked 1 item: 1 with findings, 1 finding, 1 unreadable record"),
        ("zh", "已检查 1 个事项：1 个事项有问题，共 1 个问题，1 条记录无法读取"),
    ],
)
def test_the_summary_says_each_count_in_its_own_number(
    outside_root: Path, lang: str, said: str
) -> None:
    """Review BH J5: `0 findings, 1 unreadable records`: the summary's nouns took their
    number from the items checked alone. Each count now says its own (1 finding, 2
    findings); the Chinese, which has one form, reads as before."""
    items = json.loads(Path(FEE).read_text(encoding="utf-8"))[:1]
    Path("one.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    result = CliRunner(env={"GOVSCORE_LANG": lang}).invoke(
        cli, ["items", "check", "one.json", "missing.json", "--format", "json"]
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [said]


def test_a_named_file_missing_or_a_link_to_nothing_is_said_as_in_a_folder(
    outside_root: Path,
) -> None:
    """Named on the command line (a cron job names the day's export), a missing file and
    a link to nothing were click's usage error (exit 2, "does not exist"), where in a
    folder the link was named with its reason (exit 1; review AC F5). Now the same words
    either way, the other files still checked, exit 1: a data problem."""
    (outside_root / "dangling.json").symlink_to(outside_root / "gone.json")
    named = invoke("items", "check", "dangling.json", "missing.json", CLEAN, "--format", "json")
    assert (named.exit_code, named.stdout) == (1, "[]\n"), named.output
    assert named.stderr.splitlines() == [
        "dangling.json: cannot read: a link to a file that does not exist",
        "missing.json: cannot read: no such file",
        "checked 1 item: 0 with findings, 0 findings, 2 unreadable records",
    ]
    # Named .csv or .xlsx (an export that failed to write): missing, not "export as JSON"
    # (review AE F7).
    (outside_root / "dangling.csv").symlink_to(outside_root / "gone.csv")
    other = invoke("items", "check", "dangling.csv", "missing.xlsx", "--format", "json")
    assert other.stderr.splitlines()[:2] == [
        "dangling.csv: cannot read: a link to a file that does not exist",
        "missing.xlsx: cannot read: no such file",
    ]
    (outside_root / "dangling.csv").unlink()
    folder = invoke("items", "check", str(outside_root), "--format", "json")
    assert (folder.exit_code, folder.stdout) == (1, "[]\n"), folder.output
    assert folder.stderr.splitlines()[0] == (
        f"{outside_root / 'dangling.json'}: cannot read: a link to a file that does not exist"
    )


def _summary_expected() -> dict:
    by_rule = [
        {"rule": rule.number, "title": rule.title, "items": 0, "findings": 0} for rule in RULES
    ]
    by_rule[4].update(items=7, findings=8)
    return {
        "checked": 7,
        "unreadable": 0,
        "items_with_findings": 7,
        "findings": 8,
        "by_rule": by_rule,
        "by_department": [
            {"department": HOUSING, "checked": 3, "items": 3, "findings": 3},
            {"department": "市公安局", "checked": 4, "items": 4, "findings": 5},
        ],
    }


def test_summary_json(outside_root: Path) -> None:
    result = invoke("items", "check", VISITS, "--summary", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == _summary_expected()


def test_summary_csv_whole(outside_root: Path) -> None:
    result = invoke("items", "check", VISITS, "--summary", "--format", "csv")
    assert result.exit_code == 1
    rule_lines = [
        f"规则,{rule.number} {rule.title},7,{7 if rule.number == 5 else 0},"
        f"{8 if rule.number == 5 else 0}"
        for rule in RULES
    ]
    assert result.stdout.splitlines() == [
        "分组,名称,检查事项数,有问题事项数,问题数",
        *rule_lines,
        f"部门,{HOUSING},3,3,3",
        "部门,市公安局,4,4,5",
        "合计,,7,7,8",
    ]


def test_summary_table_and_markdown_with_rule_filter(outside_root: Path) -> None:
    table = invoke("items", "check", VISITS, "--summary", "--rule", "5", "--rule", "6").stdout
    rows = [line.split() for line in table.splitlines()[2:]]
    assert rows == [
        ["规则", "5", "到办事现场次数", "7", "7", "8"],
        ["规则", "6", "收费依据", "7", "0", "0"],
        ["部门", HOUSING, "3", "3", "3"],
        ["部门", "市公安局", "4", "4", "5"],
        ["合计", "7", "7", "8"],
    ]
    markdown = invoke("items", "check", VISITS, "--summary", "--format", "markdown").stdout
    assert markdown.splitlines()[0].startswith("| 分组")
    assert len(markdown.splitlines()) == 2 + 13 + 2 + 1


def test_root_typos_are_used(outside_root: Path, root: Path) -> None:
    without = invoke("items", "check", TYPOS_FILE, "--format", "json")
    with_root = invoke("--root", str(root), "items", "check", TYPOS_FILE, "--format", "json")
    extra = (code(1, 5), 1, "实施主体")
    assert triples(json.loads(without.stdout)) == expected_triples({1}, TYPOS_FILE) - {extra}
    assert extra not in expected_triples()
    assert triples(json.loads(with_root.stdout)) == expected_triples({1}, TYPOS_FILE) | {extra}
    (message,) = [
        row["message"] for row in json.loads(with_root.stdout) if row["item"] == code(1, 5)
    ]
    assert message == "错别字「审批服务居」，应为「审批服务局」"


def test_root_is_found_from_the_working_folder(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVSCORE_ROOT", raising=False)
    inside = root / "exports"
    inside.mkdir()
    monkeypatch.chdir(inside)
    result = invoke("items", "check", TYPOS_FILE, "--rule", "1", "--format", "json")
    assert (code(1, 5), 1, "实施主体") in triples(json.loads(result.stdout))


def test_root_typos_problems_are_reported(outside_root: Path, root: Path) -> None:
    (root / "typos.tsv").write_text("审批服务居\t审批服务局\n没有制表符\n", encoding="utf-8")
    result = invoke("--root", str(root), "items", "check", CLEAN, "--format", "json")
    assert result.exit_code == 1
    assert result.stdout == "[]\n"
    assert result.stderr.splitlines()[0] == (
        f"{root / 'typos.tsv'}:2: expected one misspelling per line: wrong<TAB>right[<TAB>words、words]"
    )


def test_a_typo_list_saved_by_notepad_in_gbk_is_read(outside_root: Path, root: Path) -> None:
    """Notepad's "ANSI" on a Chinese Windows is GBK: read as `govscore import` reads text
    (it was Python's decode error, and the office's list was dropped for the run)."""
    (root / "typos.tsv").write_bytes("# 本办补充\n审批服务居\t审批服务局\n".encode("gbk"))
    result = invoke("--root", str(root), "items", "check", TYPOS_FILE, "--rule", "1")
    assert result.exit_code == 1
    assert "错别字「审批服务居」，应为「审批服务局」" in result.stdout
    assert result.stderr.startswith("checked ")


def test_a_typo_list_that_cannot_be_read_is_said_so(outside_root: Path, root: Path) -> None:
    """Neither UTF-8 nor GB18030 (UTF-16, Notepad's "Unicode"): the file, the line, what to
    do, and that this run checks with the default list only; exit 1."""
    (root / "typos.tsv").write_bytes("审批服务居\t审批服务局\n".encode("utf-16"))
    result = invoke("--root", str(root), "items", "check", CLEAN, "--format", "json")
    assert (result.exit_code, result.stdout) == (1, "[]\n")
    assert result.stderr.splitlines() == [
        f"{root / 'typos.tsv'}:1: neither UTF-8 nor GB18030 text (byte 0xff cannot be read); "
        "save typos.tsv as UTF-8 (in Notepad: Save As, encoding UTF-8); this run checks with "
        "the default list only",
        "checked 1 item: 0 with findings, 0 findings, 0 unreadable records",
    ]


def test_a_json_array_broken_part_way_is_a_file_not_a_record(outside_root: Path) -> None:
    """The items before the break are checked; the break names the file, line and column,
    counts no record (how many the rest held is not known) and fails the run."""
    record = json.dumps(json.loads(Path(CLEAN).read_text(encoding="utf-8"))[0])
    broken = outside_root / "broken.json"
    # The second record lost a comma: line 3, after {"a": 1 (column 9).
    broken.write_text(f'[\n{record},\n{{"a": 1 "b": 2}},\n{record}\n]\n', encoding="utf-8")
    result = invoke("items", "check", str(broken), "--format", "json")
    assert (result.exit_code, result.stdout) == (1, "[]\n")
    assert result.stderr.splitlines() == [
        f"{broken}:3: not a readable JSON array: Expecting ',' delimiter (column 9); "
        "no item from there on is checked",
        "checked 1 item: 0 with findings, 0 findings, 0 unreadable records",
        "files not read to their end: 1",
    ]


def test_exports_renamed_by_hand_are_read_whole_and_counted_true(outside_root: Path) -> None:
    """JSON Lines named .json and a pretty array named .jsonl: every record is checked and
    the counts are of records (1 checked and the rest dropped; 0 checked and a problem
    for every line of the file), with one note each."""
    records = json.loads(Path(VISITS).read_text(encoding="utf-8"))
    lines = outside_root / "lines.json"
    lines.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    array = outside_root / "array.jsonl"
    array.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    as_named = invoke("items", "check", VISITS, "--format", "json")
    for renamed, note in (
        (
            lines,
            "named .json but holds one item a line (JSON Lines): read as JSON Lines; "
            "name it .jsonl",
        ),
        (
            array,
            "named .jsonl but holds a JSON array of items: read as a JSON array; name it .json",
        ),
    ):
        result = invoke("items", "check", str(renamed), "--format", "json")
        assert (result.exit_code, result.stdout) == (1, as_named.stdout)
        assert result.stderr.splitlines() == [
            f"{renamed}: note: {note}",
            as_named.stderr.strip(),
        ]
    # r05-visits.json: 7 records, each failing rule 5, one twice (see _summary_expected)
    assert as_named.stderr == (
        "checked 7 items: 7 with findings, 8 findings, 0 unreadable records\n"
    )


def test_a_root_option_that_is_no_root_falls_back_to_the_defaults(outside_root: Path) -> None:
    result = invoke("--root", str(outside_root), "items", "check", CLEAN, "--format", "json")
    assert result.exit_code == 0
    assert result.stderr.startswith("note: ")
    assert "using the default typo list only" in result.stderr


def test_rules_in_every_format(outside_root: Path) -> None:
    as_json = json.loads(invoke("items", "rules", "--format", "json").stdout)
    assert [row["rule"] for row in as_json] == list(range(1, 14))
    assert all(set(row) == {"rule", "title", "explanation", "gloss"} for row in as_json)
    assert as_json[9]["title"] == "办理流程及业务流程"
    # The Chinese explanation alone, the English gloss in a key of its own (it was glued
    # on with no separator: "…网办深度除外。No known misspelling …").
    assert [(row["explanation"], row["gloss"]) for row in as_json] == [
        (rule.explanation, rule.gloss) for rule in RULES
    ]
    assert as_json[0]["explanation"].endswith(
        "实施编码、网办地址、网办深度及整项为网址或日期时间的字段除外。"
    )
    assert as_json[0]["gloss"].startswith("No known misspelling in any text field")
    table = invoke("items", "rules")
    assert table.exit_code == 0
    assert all(rule.title in table.stdout for rule in RULES)
    csv_lines = invoke("items", "rules", "--format", "csv").stdout.splitlines()
    assert csv_lines[0] == "规则,标题,说明"
    assert len(csv_lines) == 14
    markdown = invoke("items", "rules", "--format", "markdown").stdout.splitlines()
    assert len(markdown) == 15


# --- as a real process ---------------------------------------------------------------------
def _process(args: list[str], cwd: Path, module: bool) -> subprocess.CompletedProcess[str]:
    """This checkout's govscore as a real process, through `python -m` or through main()."""
    env = {key: value for key, value in process_env().items() if key != "GOVSCORE_ROOT"}
    if module:
        command = [sys.executable, "-m", "govscore", *args]
    else:  # what the `govscore` console script runs
        command = [sys.executable, "-c", "from govscore.cli.commands import main; main()", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("module", [False, True], ids=["main", "python-m"])
def test_real_process_exit_codes_and_output(tmp_path: Path, module: bool) -> None:
    """govscore itself registers `items`: nothing in the tests does it for it."""
    found = _process(["items", "check", FEE, "--format", "json"], tmp_path, module)
    assert found.returncode == 1, found.stderr
    assert json.loads(found.stdout) == FEE_FINDINGS
    clean = _process(["items", "check", CLEAN, "--format", "json"], tmp_path, module)
    assert (clean.returncode, clean.stdout) == (0, "[]\n")
    usage = _process(["items", "check", FEE, "--rule", "99"], tmp_path, module)
    assert usage.returncode == 2
    assert "--rule" in usage.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{\n", encoding="utf-8")
    unreadable = _process(["items", "check", str(bad)], tmp_path, module)
    assert unreadable.returncode == 1
    assert unreadable.stderr.splitlines()[0].startswith(f"{bad}:1: bad JSON: ")
