"""Words, not substrings: the item rules read free text as a Chinese reader does.

A rule that looks for a word inside free text (a misspelling, a 层级, a department, a
qualification, a step) must not find it inside a longer word: 按装 is no misspelling in
按装订顺序 (按 / 装订 / 顺序), 乡 names no level in 城乡建设. The text is cut into words by
jieba's dictionary (rjieba, its Rust binding: about 20× faster than jieba and 0.1 s to
load; `bench/bench_words.py` measures both), with the domain's words added so that they
stay whole: the shipped departments, township units (司法所, 林业站), 层级 and 政务 terms.

Only texts that a cheap substring test already flagged are cut, and cuts are cached, so
the segmenter costs nothing on clean exports.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

# Kept whole by the segmenter; more are read from the shipped departments.toml.
DOMAIN_WORDS = (
    # 层级
    "国家级",
    "省级",
    "市级",
    "县级",
    "区级",
    "乡级",
    "镇级",
    "乡镇级",
    "村级",
    "县市区",
    "乡镇",
    "乡镇街道",
    "镇街",
    "设区的市",
    # township and village units that issue documents
    "司法所",
    "财政所",
    "派出所",
    "国土所",
    "自然资源所",
    "市场监管所",
    "税务所",
    "供电所",
    "林业站",
    "农技站",
    "农机站",
    "畜牧站",
    "兽医站",
    "水利站",
    "文化站",
    "社保所",
    "劳动保障所",
    "计生办",
    "街道办事处",
    "乡镇人民政府",
    "便民服务中心",
    "为民服务中心",
    "村民委员会",
    "居民委员会",
    "村委会",
    "居委会",
    # 政务 terms
    "政务服务",
    "一窗受理",
    "网上办理",
    "全程网办",
    "办结",
    "核发",
    "现场勘验",
    "现场踏勘",
)

# The levels of government, as the start or end of a word.
LEVELS = (
    "国家",
    "中央",
    "国务院",
    "省",
    "自治区",
    "市",
    "县",
    "区",
    "乡",
    "镇",
    "街道",
    "村",
    "社区",
)
# A token ending so names a level (烟台市, 莱山区, 县级) unless it is one of NOT_LEVELS.
LEVEL_ENDINGS = (*LEVELS, "嘎查", "苏木", "旗", "盟", "州", "级", "县市区")
NOT_LEVELS = frozenset(
    {
        "城乡", "农村", "乡村", "新农村", "城市", "都市", "超市", "城区", "园区", "景区",
        "小区", "辖区", "山区", "灾区", "校区", "下乡", "家乡", "老乡", "城镇", "集镇",
        "上级", "下级", "各级", "同级", "本级", "层级", "等级", "级别", "甲级", "乙级",
        "丙级", "一级", "二级", "三级", "四级", "高级", "初级", "中级", "特级", "年级",
        "升级", "降级", "超级", "分级", "逐级", "越级", "评级", "定级", "门市",
    }
)  # fmt: skip

# A unit's name that begins with its level (市公安局, 县民政局, 乡镇人民政府, 村民委员会)
# names the level too, unless it begins with one of NOT_LEVEL_STARTS (市场监督管理局).
LEVEL_STARTS = LEVELS
NOT_LEVEL_STARTS = ("市场", "区域", "区别", "区分", "乡村", "县域", "镇静")

# A body named in full is often one dictionary word (山东省公安厅, 北京市人民政府,
# 重庆市公安局): its province, region, city, prefecture or county stands inside the word,
# after the place's name and before the body's. 城市管理局 (城市), 门市部 (门市) name none.
IN_WORD_LEVELS = ("自治区", "自治州", "省", "市", "州", "县", "区", "旗", "盟")
# The State Council's ministries and administrations, as the segmenter keeps them whole,
# and 总署/总局 (海关总署, 市场监管总局): national bodies by name. 公安部门, 财政部门 stay
# whole words of their own, so 公安部 here is never the start of 公安部门.
NATIONAL_BODIES = frozenset(
    {
        "外交部", "国防部", "教育部", "科学技术部", "科技部", "公安部", "国家安全部", "民政部",
        "司法部", "财政部", "社会保障部", "水利部", "农业部", "商务部", "审计署",
    }
)  # fmt: skip
NATIONAL_ENDINGS = ("总署", "总局")
# Units whose kind fixes their level, so that their name alone tells the applicant where
# to go (附件2: 哪一层级的哪一部门). 海关 is one national body under 海关总署, managed
# top-down (垂直管理): 烟台海关, 青岛海关 and 海关 alone are the customs, a national
# department whichever office it is. A township station is a county department's branch
# at the township (派出所 of the county's 公安局, 司法所 of its 司法局): 派出所 says as
# much as 乡镇派出所. 供电所 (the grid's), 便民服务中心 and 计生办 (any level's) are not.
FIXED_LEVEL_UNITS = (
    "海关", "派出所", "司法所", "财政所", "国土所", "自然资源所", "市场监管所", "税务所",
    "社保所", "劳动保障所", "林业站", "农技站", "农机站", "畜牧站", "兽医站", "水利站",
    "文化站",
)  # fmt: skip
# The State Council's ministries and commissions by their full names and their usual
# short ones, found in the text itself: the segmenter cuts most of them (自然资源 / 部,
# 农业 / 农村部). Never where 门 follows: 自然资源部门 names no level.
MINISTRIES = (
    "外交部", "国防部", "国家发展和改革委员会", "国家发展改革委", "国家发改委", "教育部",
    "科学技术部", "科技部", "工业和信息化部", "工信部", "国家民族事务委员会", "国家民委",
    "公安部", "国家安全部", "民政部", "司法部", "财政部", "人力资源和社会保障部",
    "人力资源社会保障部", "人社部", "自然资源部", "生态环境部", "住房和城乡建设部",
    "住房城乡建设部", "住建部", "交通运输部", "水利部", "农业农村部", "商务部",
    "文化和旅游部", "文旅部", "国家卫生健康委员会", "国家卫生健康委", "国家卫健委",
    "退役军人事务部", "应急管理部", "中国人民银行", "审计署",
)  # fmt: skip

# A token ending so names a department or unit (公安机关, 建设局, 司法所) unless listed below.
DEPARTMENT_ENDINGS = (
    "海关",
    "部门",
    "机关",
    "机构",
    "政府",
    "委员会",
    "办公室",
    "办事处",
    "局",
    "厅",
    "委",
    "部",
    "院",
    "署",
    "中心",
    "站",
    "所",
    "队",
    "处",
    "办",
    "会",
)
# Words that name a department without saying which (附件2 asks 哪一层级的哪一部门, such as
# 省级发展改革部门): 部门 and 机关 name one only after its field (教育 部门, 卫生 行政部门).
GENERIC_DEPARTMENTS = frozenset(
    {
        "部门", "机关", "机构", "部委", "有关部门", "相关部门", "主管部门", "行政部门",
        "职能部门", "政府部门", "业务部门", "主管机关", "主管机构", "管理机构", "国家机关",
        "政府机关", "行政机关", "职能机构", "发证机关", "发证部门",
    }
)  # fmt: skip
# Words between a field and 部门 that leave the field unnamed when nothing else comes
# before them: 县级 以上 有关 部门, 省级 行业 主管部门, 国务院 有关 部门.
VAGUE_WORDS = frozenset(
    {
        "有关", "相关", "主管", "行政", "职能", "管理", "业务", "业务主管", "行业", "发证",
        "上级", "下级", "同级", "本级", "各级", "以上", "以下", "地方", "原", "其", "该",
        "的", "所属", "下属", "当地", "属地", "有权", "法定",
    }
)  # fmt: skip
# Words that never name a field.
_FUNCTION_WORDS = frozenset(
    {
        "由", "向", "到", "在", "经", "从", "或", "或者", "和", "及", "与", "以及", "等",
        "其他", "其它", "各", "本", "对", "为", "是", "经由", "通过", "即", "并", "及其",
    }
)  # fmt: skip
NOT_DEPARTMENTS = frozenset(
    {
        "全部", "内部", "外部", "局部", "干部", "头部", "部分", "场所", "住所", "处所",
        "居所", "厕所", "之处", "出处", "好处", "用处", "此处", "各处", "到处", "网站",
        "车站", "站点", "会议", "社会", "机会", "学会", "开会", "大会", "约会", "误会",
        "不会", "体会", "交办", "代办", "帮办", "承办", "申办", "经办", "督办", "创办",
        "首办", "包办", "专办", "待办", "在办", "合办", "举办",
    }
)  # fmt: skip

# A token that states a qualification (资质, 甲级, 执业) or begins so (资质证书, 执业医师).
QUALIFICATION_STARTS = (
    "资质",
    "资格",
    "具备",
    "具有",
    "认证",
    "认可",
    "认定",
    "执业",
    "备案",
    "许可",
    "等级",
    "甲级",
    "乙级",
    "丙级",
    "一级",
    "二级",
    "三级",
)
# 经…登记的…机构: the body's standing is stated by who registered or approved it.
_APPROVALS = frozenset({"登记", "注册", "批准", "核准", "认定", "备案", "许可", "审批", "授权"})
_BODIES = ("机构", "单位", "组织", "公司", "企业", "事务所", "协会", "中心")
_LAWFULLY = frozenset({"设立", "成立", "登记", "注册"})  # 依法 设立


def _segmenter() -> Any:
    """The segmenter with the domain's words added (made once per process, on first use)."""
    return _segmenter_knowing(frozenset())


# How often the segmenter is told a misspelling occurs, when rule 1 asks whether one
# stands as words: often enough that 申清 stands whole in 申清人 (申/清人 without it, and
# the misspelling would be missed), too seldom to win 按装订 from 装订 (按/装订).
MISSPELLING_FREQUENCY = 20


@lru_cache(maxsize=4)
def _segmenter_knowing(misspellings: frozenset[str]) -> Any:
    """The segmenter, also knowing the misspellings as rare words."""
    import rjieba  # imported here: clean item exports never need it

    segmenter = rjieba.Jieba()
    for word in (*DOMAIN_WORDS, *department_words()):
        segmenter.add_word(word, None, None)
    for word in sorted(misspellings):
        segmenter.add_word(word, MISSPELLING_FREQUENCY, None)
    return segmenter


@lru_cache(maxsize=65536)
def _misspelling_boundaries(text: str, misspellings: frozenset[str]) -> frozenset[int]:
    return _offsets(_segmenter_knowing(misspellings).cut(text, False))


def stands_as_words(
    text: str, start: int, end: int, misspellings: frozenset[str], right: str
) -> bool:
    """Whether a misspelling at text[start:end] stands as words, as a reader takes it.

    Whole words as the text is cut, it does (燃气设施按装许可). Cut through, it may still:
    a segmenter that does not know a misspelling cuts it as no word (申/清人). Then it
    stands if a segmenter that knows it as a rare word keeps it whole (申清/人), and the
    text put right reads the right form as that form reads alone (申请人: 申请 whole),
    not cut elsewhere: 办事需知晓 put right is 办事/须/知晓, where 办事须知 alone is
    办事/须知, so 需知 there was 需 知晓, no misspelling; and 按装订 stays 按/装订. Inside
    one longer word it stands when the word put right keeps the right form whole
    (帐号密码 → 账号密码).
    """
    edges = boundaries(text)
    if start in edges and end in edges:
        return True
    # Where the text put right cuts the right form (offsets into it).
    fixed = text[:start] + right + text[end:]
    inside = sorted(e - start for e in boundaries(fixed) if start < e < start + len(right))
    if not any(start < edge < end for edge in edges):
        # Inside one longer word (帐号密码, 银行帐户, 座落在): a misspelling of a compound
        # when the text put right keeps the right form whole (账号密码, 银行/账户).
        return not inside
    if _joined_when_put_right(edges, boundaries(fixed), start, end, len(right)):
        return True
    known = _misspelling_boundaries(text, misspellings)
    if start not in known or end not in known:
        return False
    return inside == sorted(e for e in boundaries(right) if 0 < e < len(right))


def _joined_when_put_right(
    edges: frozenset[int], fixed: frozenset[int], start: int, end: int, length: int
) -> bool:
    """Whether putting text[start:end] right joins the words it cuts through into one word
    longer than the right form: 填写甲报表 is 填写 / 甲 / 报表, put right 填写 / 申报表, so
    甲报 was the 申报 of 申报表. 按装订顺序 put right is 安装 / 订 / 顺序: 装订 is cut, not
    joined, so 按装 there was no misspelling."""
    first = max(edge for edge in edges if edge <= start)
    last = min(edge for edge in edges if edge >= end) + length - (end - start)
    return (
        last - first > length
        and first in fixed
        and last in fixed
        and not any(first < edge < last for edge in fixed)
    )


def department_words() -> list[str]:
    """The shipped departments' names, with and without the leading 市, and their aliases."""
    text = resources.files("govscore").joinpath("data", "departments.toml").read_text("utf-8")
    words: list[str] = []
    for department in tomllib.loads(text).get("department", []):
        for name in (department.get("name", ""), *department.get("aliases", [])):
            if isinstance(name, str) and len(name) > 1:
                words.append(name)
                if name.startswith("市") and len(name) > 2:
                    words.append(name[1:])
    return words


@lru_cache(maxsize=65536)  # texts repeat: 由县级公安机关核发 …
def words(text: str) -> tuple[str, ...]:
    """text cut into words; joined again they give text back, character for character."""
    return tuple(_segmenter().cut(text, False))


@lru_cache(maxsize=65536)
def boundaries(text: str) -> frozenset[int]:
    """The offsets in text where one word ends and the next begins (0 and len included)."""
    return _offsets(words(text))


def _offsets(cut: Iterable[str]) -> frozenset[int]:
    offsets = {0}
    at = 0
    for word in cut:
        at += len(word)
        offsets.add(at)
    return frozenset(offsets)


def names_level(text: str) -> bool:
    """Whether text names a 层级 as a word of its own (县级, 烟台市, 乡镇, 街道), as the
    start of a unit's name (市公安局, 乡镇人民政府), inside a body named in full
    (山东省公安厅), by a national body's name (公安部, 海关总署) or by a unit whose kind
    fixes its level (烟台海关, 派出所)."""
    return any(_level_word(word) for word in words(text)) or _names_ministry(text)


def _names_ministry(text: str) -> bool:
    for name in MINISTRIES:
        at = text.find(name)
        while at >= 0:
            if not text.startswith("门", at + len(name)):
                return True
            at = text.find(name, at + 1)
    return False


def _level_word(word: str) -> bool:
    if word in NOT_LEVELS:
        return False
    if word.endswith(LEVEL_ENDINGS) or word.endswith(FIXED_LEVEL_UNITS):
        return True
    if word.startswith(LEVEL_STARTS) and not word.startswith(NOT_LEVEL_STARTS):
        return _names_unit(word)
    return word in NATIONAL_BODIES or word.endswith(NATIONAL_ENDINGS) or _named_in_full(word)


def _named_in_full(word: str) -> bool:
    """Whether word is a place's level followed by a body: 山东省 公安厅, 北京市 人民政府."""
    for at in range(1, len(word) - 1):
        for level in IN_WORD_LEVELS:
            if not word.startswith(level, at):
                continue
            head, rest = word[: at + len(level)], word[at + len(level) :]
            if rest and _names_unit(rest) and not head.endswith(tuple(NOT_LEVELS)):
                return True
    return False


def _names_unit(word: str) -> bool:
    return word not in NOT_DEPARTMENTS and word.endswith(DEPARTMENT_ENDINGS)


def names_department(text: str) -> bool:
    """Whether text names a department or unit (公安机关, 住房和城乡建设局, 司法所).

    部门 or 有关部门 names one only after its field (教育 部门); 县级部门, 县级以上有关部门
    and 国务院有关部门 name none: the applicant still does not know where to go. A
    government followed by such words (人民政府 有关部门) is where the department sits,
    not the department.
    """
    if _names_ministry(text):
        return True  # a ministry by name is a department (中国人民银行: no 局 or 部 ending)
    found = words(text)
    for index, word in enumerate(found):
        if not _names_unit(word):
            continue
        before = _before_vague(found, index)
        if word in GENERIC_DEPARTMENTS:
            if before is not None and _names_field(before):
                return True
            continue
        if len(word) > 1:
            if word.endswith("政府") or word == "国务院":
                after = _after_vague(found, index)
                if after is not None and after in GENERIC_DEPARTMENTS:
                    continue
            return True
        # A lone 局/所/站 the segmenter cut off: a department when a name stands before it.
        previous = found[index - 1] if index > 0 else ""
        if len(previous) > 1 and previous not in VAGUE_WORDS and previous[-1] not in "的之由和及与":
            return True
    return False


def _before_vague(found: tuple[str, ...], index: int) -> str | None:
    """The word before found[index], past any VAGUE_WORDS; None at the start."""
    at = index - 1
    while at >= 0 and found[at] in VAGUE_WORDS:
        at -= 1
    return found[at] if at >= 0 else None


def _after_vague(found: tuple[str, ...], index: int) -> str | None:
    """The word after found[index], past any VAGUE_WORDS; None at the end."""
    at = index + 1
    while at < len(found) and found[at] in VAGUE_WORDS:
        at += 1
    return found[at] if at < len(found) else None


def _names_field(word: str) -> bool:
    """Whether word, standing before 部门, says which department: 教育, 发展 改革, 卫生."""
    return (
        any("\u4e00" <= char <= "\u9fff" for char in word)
        and word not in _FUNCTION_WORDS
        and not _level_word(word)
        and not _names_unit(word)
    )


def names_qualification(text: str) -> bool:
    """Whether text states the qualification a producing body needs.

    A qualification word (资质, 执业, 甲级 …), 依法设立/成立, or the construction
    经…登记/批准…的…机构: the body's standing stated by who registered it.
    """
    found = words(text)
    for index, word in enumerate(found):
        if word.startswith(QUALIFICATION_STARTS) or word in {"依法设立", "依法成立"}:
            return True
        if word == "依法" and index + 1 < len(found) and found[index + 1] in _LAWFULLY:
            return True
    for start, word in enumerate(found):
        if word not in {"经", "经过"}:
            continue
        rest = found[start + 1 :]
        approved = next((i for i, w in enumerate(rest) if w in _APPROVALS), None)
        if approved is not None and any(w.endswith(_BODIES) for w in rest[approved + 1 :]):
            return True
    return False
