"""Words, not substrings: the segmenter behind rules 1, 8 and 10, and the typo list's context.

Each case is read by hand as a Chinese reader would cut it (shown after #).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from govscore.items.typos import TypoList, default_typos, load_typos, parse_typo_lines
from govscore.items.words import (
    names_department,
    names_level,
    names_qualification,
    stands_as_words,
    words,
)


@pytest.mark.parametrize(
    "text",
    ["按装订顺序排列", "请严格按照要求填写", "由县级公安机关核发", "受理 审查", "A4纸,双面"],
)
def test_words_give_the_text_back(text: str) -> None:
    assert "".join(words(text)) == text


@pytest.mark.parametrize(
    ("text", "wrong", "whole"),
    [
        ("按装订顺序排列", "按装", False),  # 按 / 装订 / 顺序排列
        ("既使用纸质版", "既使", False),  # 既 / 使用
        ("燃气设施按装许可", "按装", True),  # 按 / 装 / 许可: 按装 meant 安装
        ("既使材料不全", "既使", True),  # 既 / 使 / 材料
    ],
)
def test_a_wrong_form_counts_only_as_whole_words(text: str, wrong: str, whole: bool) -> None:
    start = text.index(wrong)
    typos = TypoList({"按装": "安装", "既使": "即使"})
    right = typos.pairs[wrong]
    assert stands_as_words(text, start, start + len(wrong), frozenset({wrong}), right) is whole
    assert typos.occurs(text)  # the cheap substring screen still flags it …
    assert (typos.find(text) != []) is whole  # … and the words decide


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # A segmenter that does not know 申清 cuts 申 / 清人: told of it as a rare word, it
        # cuts 申清 / 人 (a reader's 申请人), yet still 按 / 装订 in 按装订.
        ("由申清人本人签字", [("申清", "申请")]),
        ("营业执造表", [("营业执造", "营业执照")]),  # 营业执造 / 表
        ("请按排表格填写", [("按排", "安排")]),  # 按排 / 表格
        ("登陆爱山东人", [("登陆爱山东", "登录爱山东")]),
        ("按装订顺序排列", []),
        # 台帐 in 平台帐号 is refused (平台 / 帐号); 帐号, a character on, is found.
        ("使用平台帐号登录", [("帐号", "账号")]),
        ("开立平台帐户", [("帐户", "账户")]),
        ("平台帐目", []),  # 平台 / 帐目: neither 台帐 nor a listed form
        # Put right, the text must read the right form as it reads alone: 办事须知晓 is
        # 办事 / 须 / 知晓 (需知晓 was 需 + 知晓), where 办事须知 alone is 办事 / 须知.
        ("办事需知晓", []),
        ("申请需知悉", []),
        ("申请需知道", []),
        ("请阅读办事需知", [("办事需知", "办事须知")]),
        # A construction in the list's third column (既使…又: both … and) is no
        # misspelling when its second half follows in the same clause.
        ("既使群众少跑腿又提高了效率", []),
        ("既使材料不全，也应受理", [("既使", "即使")]),
        ("既使材料不全。又如", [("既使", "即使")]),  # 又 in another sentence
        ("座位按排分配", []),  # 按排: by row
        # Inside one longer word, a misspelling the word put right keeps whole.
        ("请输入帐号密码", [("帐号", "账号")]),  # 帐号密码 → 账号密码
        ("开立银行帐户", [("帐户", "账户")]),  # 银行帐户 → 银行 / 账户
        ("房屋座落在城区", [("座落", "坐落")]),
        ("按装置说明操作", []),  # 按 / 装置: no word holds 按装
        ("坚持公正处理", []),  # 公正 / 处理: 公正处 (公证处) is no word here
        # Put right, the words it cuts through join into one word: 填写 / 甲 / 报表 becomes
        # 填写 / 申报表, so 甲报 was 申报 (a segmenter that knows 甲报 still cuts 甲 / 报表).
        ("填写甲报表", [("甲报", "申报")]),
        ("下载甲报表后填写", [("甲报", "申报")]),
    ],
)
def test_the_shipped_list_finds_misspellings_a_reader_sees(
    text: str, found: list[tuple[str, str]]
) -> None:
    assert default_typos().find(text) == found


@pytest.mark.parametrize(
    ("text", "level", "department"),
    [
        ("由县级公安机关核发", True, True),
        ("由住房和城乡建设部门核发", False, True),  # 乡 of 城乡 is no level
        ("由农村集体经济组织出具", False, False),  # 村 of 农村 is no level; 组织 no unit
        ("由乡镇司法所出具", True, True),  # a township unit
        # A unit whose kind fixes its level: the customs (one national body under 海关总署)
        # and a county department's township station (派出所 of the county's 公安局).
        ("由烟台海关核发", True, True),  # 烟台 / 海关
        ("由海关核发", True, True),
        ("由户籍所在地派出所出具", True, True),  # 户籍 / 所在地 / 派出所
        ("由司法所出具", True, True),
        ("由供电所出具", False, True),  # the grid's, no government level
        ("由乡镇人民政府核发", True, True),
        ("由烟台市住房和城乡建设局核发", True, True),  # 市…局: the city's bureau
        ("由市场监督管理局核发", False, True),  # 市 of 市场 is no level
        ("由上级部门核发", False, True),  # 上级 names no level
        ("由社区居委会出具", True, True),
        ("从网站下载", False, False),  # 网站 is no unit
        # A body named in full is one word; the 省/市 inside it names the level.
        ("由山东省公安厅核发", True, True),  # 山东省公安厅
        ("由山东省人民政府核发", True, True),  # 山东省人民政府
        ("由北京市公安局交通警察支队核发", True, True),  # 北京市公安局 / 交通警察 / 支队
        ("由城市管理局核发", False, True),  # 城市管理局: 城市 is no level
        ("由门市部出具", False, True),  # 门市部: a shop's counter, no level
        # National bodies by name; 公安部门 is any level's police.
        ("由公安部核发", True, True),
        ("由海关总署核发", True, True),
        ("由人力资源社会保障部核发", True, True),  # 人力资源 / 社会保障部
        ("由公安部门核发", False, True),  # 公安部门, one word
        # Ministries the segmenter cuts (自然资源 / 部, 农业 / 农村部), found in the text.
        ("由自然资源部核发", True, True),
        ("由农业农村部核发", True, True),
        ("由住房和城乡建设部核发", True, True),
        ("由退役军人事务部核发", True, True),
        ("由中国人民银行核发", True, True),
        ("由自然资源部门核发", False, True),  # 部门 follows: any level's
        ("由交通运输部门核发", False, True),
        # 部门 names a department only after its field (哪一部门, 附件2).
        ("由县级部门核发", True, False),  # 县级 / 部门
        ("由县级以上有关部门核发", True, False),  # 县级 / 以上 / 有关 / 部门
        ("由市级相关部门核发", True, False),
        ("由省级主管部门核发", True, False),  # 省级 / 主管部门
        ("由省级行业主管部门核发", True, False),  # 行业 says no field
        ("由县级以上发证机关核发", True, False),  # 发证 / 机关: whoever issues it
        ("由县级政府机关核发", True, False),  # 政府 / 机关
        ("由国务院有关部门核发", True, False),  # 国务院 / 有关 / 部门: not 国务院 itself
        ("由县级以上人民政府有关部门核发", True, False),
        ("由国务院核发", True, True),  # the State Council itself issues it
        ("由县级人民政府核发", True, True),  # the county government itself
        ("由省级发展改革部门核发", True, True),  # 发展 / 改革 / 部门: 附件2's example
        ("由市级教育部门核发", True, True),  # 教育部门
        ("由县级科技部门核发", True, True),  # 科技 / 部门
        ("由县级教育行政部门核发", True, True),  # 教育 / 行政部门
        ("由市级教育主管部门核发", True, True),  # 教育 / 主管部门
        ("由县级以上人民政府卫生行政部门核发", True, True),  # 卫生 / 行政部门
        ("由县级以上婚姻登记机关核发", True, True),  # 婚姻登记 / 机关
        ("由市级人力资源和社会保障部门核发", True, True),  # 社会保障 / 部门
    ],
)
def test_level_and_department_are_read_as_words(text: str, level: bool, department: bool) -> None:
    assert (names_level(text), names_department(text)) == (level, department)


PROVINCES_AND_CITIES = (
    "山东省", "河北省", "江苏省", "浙江省", "广东省", "河南省", "辽宁省", "北京市", "上海市",
    "天津市", "重庆市", "烟台市", "青岛市", "济南市", "威海市",
)  # fmt: skip
BODIES = (
    "公安厅", "公安局", "教育厅", "教育局", "民政厅", "民政局", "卫生厅", "卫生局", "司法厅",
    "司法局", "财政厅", "财政局", "工商局", "工商行政管理局", "人事厅", "劳动局", "建设厅",
    "建设局", "交通厅", "交通局", "林业局", "水利厅", "文化厅", "统计局", "地税局", "国税局",
    "质监局", "卫生健康委员会", "人民政府", "人民法院", "人民检察院", "公安局交通警察支队",
    "高级人民法院", "中级人民法院",
)  # fmt: skip


def test_a_body_named_in_full_names_its_level_and_department() -> None:
    """由山东省公安厅核发 … all 510: jieba keeps 26 of them as one word (山东省人民政府)."""
    notes = [f"由{place}{body}核发" for place in PROVINCES_AND_CITIES for body in BODIES]
    assert [note for note in notes if not (names_level(note) and names_department(note))] == []


@pytest.mark.parametrize(
    ("text", "qualified"),
    [
        ("由具备消防技术服务机构资质的检测机构出具", True),
        ("由经市场监督管理部门登记的检测机构出具", True),  # 经…登记的…机构
        ("由依法设立的司法鉴定机构出具", True),  # 依法 / 设立
        ("由取得执业资格的律师出具", True),
        ("由市场上的检测机构出具", False),
        ("由经办人签字后出具", False),  # 经办人 is a word: no 经…登记
    ],
)
def test_qualification_is_read_as_words(text: str, qualified: bool) -> None:
    assert names_qualification(text) is qualified


def test_the_typo_list_names_words_a_wrong_form_must_not_fire_inside(tmp_path: Path) -> None:
    """The third column: for what the segmenter cannot know."""
    text = "帐户\t账户\n按装\t安装\t按装订、按装置\n"
    pairs, contexts, problems = parse_typo_lines(text)
    assert (pairs, contexts, problems) == (
        {"帐户": "账户", "按装": "安装"},
        {"按装": ("按装订", "按装置")},
        [],
    )
    listed = TypoList(pairs, contexts)
    # 燃气按装订货: the segmenter reads 按 / 装 / 订货 (按装 as words); the list says no.
    assert TypoList(pairs).find("燃气按装订货") == [("按装", "安装")]
    assert listed.find("燃气按装订货") == []
    assert listed.find("请及时按装") == [("按装", "安装")]  # no listed word around it

    (tmp_path / "typos.tsv").write_text("登陆\t登录\t登陆点、登陆艇\n", encoding="utf-8")
    typos, problems = load_typos(tmp_path)
    assert problems == []
    assert typos.find("抢滩登陆艇") == []
    assert typos.find("请先登陆再填写") == [("登陆", "登录")]


def test_a_context_word_must_contain_its_wrong_form() -> None:
    _, _, problems = parse_typo_lines("按装\t安装\t装订\n", "typos.tsv")
    assert [(p.line, p.message) for p in problems] == [
        (1, "each word it must not fire inside must contain 按装 and be longer")
    ]
