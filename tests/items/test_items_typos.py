"""The misspelling list: parsing, the default list, the root's extension, the matcher."""

from __future__ import annotations

from pathlib import Path

from govscore.errors import Problem
from govscore.items.typos import TypoList, default_typos, load_typos, parse_typos

DEFAULT_FILE = Path(__file__).parents[2] / "govscore" / "data" / "typos.tsv"


def test_parse_typos_skips_comments_and_blank_lines() -> None:
    text = "# wrong\tright\n\n按装\t安装\n  \n# 注释\n帐号\t账号\r\n"
    assert parse_typos(text) == ({"按装": "安装", "帐号": "账号"}, [])


def test_parse_typos_reports_bad_lines_with_their_numbers() -> None:
    text = "按装\t安装\n没有制表符\n\t空的错误形式\n执照\t营业执照\n甲\t乙\t丙\n帐号\t账号\n帐号\t帐户\n"
    pairs, problems = parse_typos(text, "root/typos.tsv")
    assert pairs == {"按装": "安装", "帐号": "帐户"}
    assert [(p.file, p.line) for p in problems] == [
        ("root/typos.tsv", 2),
        ("root/typos.tsv", 3),
        ("root/typos.tsv", 4),
        ("root/typos.tsv", 5),
        ("root/typos.tsv", 7),
    ]
    assert problems[2].message == "the right form 营业执照 contains the wrong form 执照"


def test_default_list_holds_the_common_list_and_the_government_section() -> None:
    typos = default_typos()
    for wrong, right in {
        "按装": "安装",  # first and last of the common list
        "乘座火车": "乘坐火车",
        "登陆系统": "登录系统",
        "登陆山东政务服务网": "登录山东政务服务网",
        "身分证": "身份证",
        "帐号": "账号",
        "帐户": "账户",
        "营业执造": "营业执照",
        "复印伴": "复印件",
        "申清": "申请",
        "甲报": "申报",
        "峻工": "竣工",
    }.items():
        assert typos.pairs[wrong] == right
    assert "登陆" not in typos.pairs  # right for landing on a coast
    assert len(typos) >= 130


def test_default_file_is_clean_and_keeps_its_attribution() -> None:
    text = DEFAULT_FILE.read_text(encoding="utf-8")
    assert "pycorrector" in text and "Apache-2.0" in text
    _, problems = parse_typos(text)
    assert problems == []


def test_no_right_form_carries_a_wrong_form() -> None:
    typos = default_typos()
    for right in set(typos.pairs.values()):
        assert typos.find(right) == [], right


def test_find_takes_the_longest_form_and_names_each_once() -> None:
    typos = TypoList({"登陆系统": "登录系统", "帐号": "账号", "登陆帐号": "登录账号"})
    assert typos.find("请登陆帐号后登陆系统，帐号即用户名，帐号") == [
        ("登陆帐号", "登录账号"),
        ("登陆系统", "登录系统"),
        ("帐号", "账号"),
    ]


def test_landing_on_a_coast_is_not_a_misspelling() -> None:
    assert default_typos().find("台风登陆山东半岛，登陆后减弱") == []


def test_signing_in_is_found_as_item_texts_write_it() -> None:
    # The platform's own name (山东省政务服务网), the app's name in quotes (either kind), and
    # 登陆后 (after signing in) are the forms item records carry most.
    typos = default_typos()
    found = [
        typos.find(text)
        for text in (
            "登陆山东省政务服务网下载",
            "登陆“爱山东”APP提交",
            '登陆"爱山东"APP提交',
            "登陆国家政务服务平台申请",
            "登陆后填写申请表",
            "登陆后台审核",  # 后台 is one word: 登陆后 does not stand alone there (review V)
        )
    ]
    assert found == [
        [("登陆山东省政务服务网", "登录山东省政务服务网")],
        [("登陆“爱山东”", "登录“爱山东”")],
        [('登陆"爱山东"', '登录"爱山东"')],
        [("登陆国家政务服务平台", "登录国家政务服务平台")],
        [("登陆后", "登录后")],
        [("登陆后台", "登录后台")],
    ]
    # 登陆后 of a typhoon stays right.
    assert typos.find("台风登陆后需现场核验，登陆后强度减弱") == []


def test_an_empty_list_finds_nothing() -> None:
    assert TypoList({}).find("任何文字") == []


def test_load_typos_without_root_or_without_file_is_the_default(tmp_path: Path) -> None:
    assert load_typos(None) == (default_typos(), [])
    assert load_typos(tmp_path) == (default_typos(), [])


def test_root_typos_add_to_and_override_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "typos.tsv").write_text(
        "# 本办的清单\n审批服务居\t审批服务局\n帐号\t用户账号\n坏行\n", encoding="utf-8"
    )
    typos, problems = load_typos(tmp_path)
    assert typos.pairs["审批服务居"] == "审批服务局"
    assert typos.pairs["帐号"] == "用户账号"
    assert typos.pairs["身分证"] == "身份证"
    assert len(typos) == len(default_typos()) + 1
    assert problems == [
        Problem(
            str(tmp_path / "typos.tsv"),
            4,
            "expected one misspelling per line: wrong<TAB>right[<TAB>words、words]",
        )
    ]
    assert default_typos().pairs["帐号"] == "账号"  # the default itself is untouched
