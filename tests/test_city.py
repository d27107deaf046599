"""Names as other systems write them: with the city in front (烟台市住房和城乡建设局), or
a common short form (市住建局). Every place a name is read resolves them alike: add,
import, items check --record, -d.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DATA, REPO, SMALL_DEPARTMENTS, run_process
from govscore.cli.commands import cli
from govscore.errors import ConfigError
from govscore.rules.config import parse_departments

CLEAN = json.loads((REPO / "tests" / "items" / "corpus" / "clean.json").read_text("utf-8"))[0]


def failing_item(tail: str, department: str) -> dict:
    """A clean item record of the corpus that promises 无 (rule 3), for `department`."""
    code = CLEAN["实施编码"][:-4] + tail
    return {**CLEAN, "实施编码": code, "实施主体": department, "承诺办结时限": "无"}


def shipped():
    return parse_departments(
        tomllib.loads((DATA / "departments.toml").read_text(encoding="utf-8")), "departments.toml"
    )


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("烟台市住房和城乡建设局", "市住房和城乡建设局"),
        ("烟台市人力资源和社会保障局", "市人力资源和社会保障局"),
        ("烟台市市场监督管理局", "市市场监督管理局"),
        ("烟台市市场监管局", "市市场监督管理局"),  # city + short form
        ("烟台住房公积金管理中心", "市住房公积金管理中心"),  # the city without 市
        (" 烟台市住建局 ", "市住房和城乡建设局"),
        ("市住建局", "市住房和城乡建设局"),
        ("市人社局", "市人力资源和社会保障局"),
        ("市环保局", "市生态环境局"),
        ("住建局", "市住房和城乡建设局"),
    ],
)
def test_the_shipped_list_resolves_city_and_short_names(written: str, name: str):
    departments = shipped()
    assert departments.city == "烟台市"
    found = departments.resolve(written)
    assert found is not None and found.name == name


@pytest.mark.parametrize("written", ["青岛市住房和城乡建设局", "烟台市", "烟台", "烟台市不存在局"])
def test_another_city_or_the_city_alone_names_no_department(written: str):
    assert shipped().resolve(written) is None


def test_a_misspelt_name_with_the_city_still_gets_a_suggestion():
    assert shipped().suggest("烟台市住房城乡建设局")[0] == "市住房和城乡建设局"


def test_the_repository_root_and_the_shipped_list_agree():
    assert (REPO / "departments.toml").read_text(encoding="utf-8") == (
        DATA / "departments.toml"
    ).read_text(encoding="utf-8")


def test_without_a_city_a_name_with_one_is_unknown():
    departments = parse_departments(tomllib.loads(SMALL_DEPARTMENTS), "departments.toml")
    assert departments.city == "" and departments.resolve("烟台市公安局") is None


def test_a_city_that_is_not_text_is_a_configuration_error():
    with pytest.raises(ConfigError, match="city is the name of the city"):
        parse_departments({"city": 3, "department": [{"name": "市公安局"}]}, "departments.toml")


def test_init_names_the_city(tmp_path: Path):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "office")])
    assert result.exit_code == 0
    text = (tmp_path / "office" / "departments.toml").read_text(encoding="utf-8")
    assert tomllib.loads(text)["city"] == "烟台市"


def gs(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def test_add_import_and_reports_read_the_city_name(root: Path, tmp_path: Path):
    added = gs(root, "add", "-d", "烟台市住房和城乡建设局", "-c", "2.4.3", "--month", "2023-05")
    assert (added.exit_code, added.stdout) == (0, "2023-05-0001\n"), added.output
    rows = tmp_path / "rows.csv"
    rows.write_text("部门,条款,次数,月份\n烟台市住建局,2.4.3,2,2023-05\n", encoding="utf-8")
    imported = run_process("--root", str(root), "import", str(rows))
    assert (imported.returncode, imported.stdout) == (0, "2023-05-0002\n"), imported.stderr
    text = (root / "ledger" / "2023-05.toml").read_text(encoding="utf-8")
    assert text.count('department = "市住房和城乡建设局"') == 2  # the full name is stored
    report = gs(root, "month", "2023-05", "-d", "烟台市住房和城乡建设局", "--format", "json")
    assert report.exit_code == 0, report.output
    # 2.4.3 × 3 → C2 97 → 25 + 38.8 + 20 + 15 = 98.80
    [row] = json.loads(report.stdout)["departments"]
    assert (row["department"], row["total"]) == ("市住房和城乡建设局", 98.8)


def test_items_record_books_a_department_named_with_its_city(root: Path, tmp_path: Path):
    export = tmp_path / "items.jsonl"
    records = [failing_item("0001", "烟台市住房和城乡建设局"), failing_item("0002", "烟台市公安局")]
    export.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8"
    )
    result = gs(root, "items", "check", str(export), "--record", "2023-05")
    assert result.exit_code == 1  # there are findings
    assert "not in departments.toml" not in result.stderr
    month = json.loads(gs(root, "month", "2023-05", "--format", "json").stdout)
    totals = {d["department"]: d["total"] for d in month["departments"]}
    # One failing item each: 1.2.1 costs 1 in category 1 (weight 0.25): C1 99 → 99.75
    assert totals["市住房和城乡建设局"] == 99.75
    assert totals["市公安局"] == 99.75
