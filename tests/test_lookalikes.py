"""Look-alike departments (issue 11, item 12): a department whose name looks like another's
(巿档案局, with U+5DFF, beside 市档案局) was accepted, and the ledger would keep two
departments a clerk cannot tell apart. `check` names both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DATA, run_process
from govscore.ledger.loader import lookalikes
from govscore.rules.config import lookalike_problems, parse_departments, skeleton


def with_department(root: Path, name: str, aliases: str = "") -> None:
    extra = f'\n[[department]]\nname = "{name}"\n' + (f"aliases = [{aliases}]\n" if aliases else "")
    path = root / "departments.toml"
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


def test_check_names_both_departments_that_look_alike(root: Path):
    with_department(root, "巿档案局")  # U+5DFF 巿 (fú) for U+5E02 市 (shì)
    result = run_process("--root", str(root), "check", "--format", "json")
    assert result.returncode == 1
    [problem] = json.loads(result.stdout)["problems"]
    assert problem["file"] == "departments.toml"
    assert problem["message"].startswith(  # JSON: in Chinese in both languages
        "巿档案局 与 市档案局 形似（巿 U+5DFF / 市 U+5E02）：账本会把它们当作两个部门"
    )
    report = run_process("--root", str(root), "month", "2023-05")
    assert "巿档案局 looks like 市档案局" in report.stderr


@pytest.mark.parametrize(
    ("name", "like"),
    [
        ("市ＡＢＣ服务中心", "市ABC服务中心"),  # full-width letters (NFKC)
        ("市政务服务管理办公室\u2f00", "市政务服务管理办公室一"),  # a Kangxi radical
        ("市教育局", "市教肓局"),  # not alike: 育 and 肓 are different characters to UTS #39
    ],
)
def test_skeletons_fold_what_only_looks_different(name: str, like: str):
    table = lookalikes()
    same = skeleton(name, table) == skeleton(like, table)
    assert same == (name != "市教育局")


def test_an_alias_that_looks_like_another_departments_name_is_named(root: Path):
    with_department(root, "市新设局", aliases='"市公安局\u200b"')  # NFKC keeps U+200B: not this
    with_department(root, "市另设局", aliases='"市公安居"')  # a different character: not alike
    with_department(root, "市再设局", aliases='"巿公安局"')
    result = run_process("--root", str(root), "check", "--format", "json")
    messages = [p["message"] for p in json.loads(result.stdout)["problems"]]
    assert [m.split(" 形似")[0] for m in messages] == ["巿公安局 与 市公安局"]


def test_the_shipped_departments_have_no_look_alikes():
    from tomllib import loads

    shipped = parse_departments(
        loads((DATA / "departments.toml").read_text(encoding="utf-8")), "departments.toml"
    )
    assert lookalike_problems(shipped, lookalikes()) == []
