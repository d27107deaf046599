"""The 13 data-quality rules of attachment 2, as pure functions of one item record.

Each rule yields (field, message) pairs; :func:`check_item` turns them into findings.
No I/O and no set-up per call: every pattern is compiled here, at import, so checking
100,000 items costs only the matching itself. What repeats from item to item (the texts
rules 1 and 2 scan, time limits, step names, depths, notes) is remembered, in bounded
caches, so each distinct value is worked out once; the findings never depend on them. The
national platform deducts per item, but the office needs every finding to fix the record,
so all of them are returned.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from govscore.i18n import english
from govscore.items.typos import TypoList
from govscore.items.words import names_department, names_level, names_qualification, words

# --- field names -------------------------------------------------------------------------
CODE = "实施编码"
NAME = "事项名称"
DEPARTMENT = "实施主体"
LEVEL = "行使层级"
KIND = "办件类型"
LEGAL_LIMIT = "法定办结时限"
PROMISED_LIMIT = "承诺办结时限"
VISITS = "到办事现场次数"
VISIT_REASON = "现场办理原因说明"
FULLY_ONLINE = "是否全程网办"
CHARGED = "是否收费"
CHARGE_BASIS = "收费依据"
RELIEF = "是否允许减免"
RELIEF_BASIS = "允许减免依据"
ONLINE = "是否网办"
DEPTH = "网办深度"
HAS_SYSTEM = "是否存在运行系统"
OWN_SYSTEM = "是否自建系统"
ADDRESS = "网办地址"
MATERIALS = "申请材料"
PROCEDURES = ("办理流程", "业务流程")

# Rules 1 and 2 read every text field except these (codes, addresses and the list of
# 网办深度 codes or names, "1, 2, 3" or "1；2；3" as rule 12 reads it, are not prose).
EXEMPT_TEXT = frozenset({CODE, ADDRESS, DEPTH})
# … nor a value that is wholly a web address or a date and time, whatever its field: an
# export's 更新时间 (2023-05-01 10:00:00) or a second link (办事指南链接, with ? & =) is
# no names or descriptive text, and would otherwise fail every item (review BC F3).
NOT_PROSE = re.compile(  # an address of URL characters alone: one run on into prose is prose
    r"(?:https?|ftp)://[!-~]+|www\.[!-~]+"
    r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?",
    re.ASCII,
)

YES, NO = "是", "否"
IMMEDIATE, PROMISED = "即办件", "承诺件"
CHANNELS = ("申请人自备", "政府部门核发", "中介机构或法定机构产生", "其他")
GOVERNMENT, INTERMEDIARY = CHANNELS[1], CHANNELS[2]
MATERIAL_KINDS = ("原件", "复印件", "原件和复印件", "原件或复印件")
MATERIAL_FORMS = ("纸质版", "实物类", "电子版", "纸质版和电子版")
PAPER_FORMS = frozenset({"纸质版", "纸质版和电子版"})
DEPTH_NAMES = (
    "互联网咨询",
    "互联网收件",
    "互联网预审",
    "互联网受理",
    "互联网办理",
    "互联网办理结果信息反馈",
    "互联网电子证照反馈",
    "其他",
)
LEVEL_NAMES = {
    "1": "国家级",
    "2": "省级",
    "3": "市级",
    "4": "县级",
    "5": "镇(乡、街道)级",
    "6": "村(社区)级",
}
# The six GB/T 39046 names, in either width of brackets, and the short forms exports use.
_LEVEL_CODES = {
    **{name: code for code, name in LEVEL_NAMES.items()},
    "县(市、区)级": "4",
    "区级": "4",
    "乡镇级": "5",
    "乡级": "5",
    "镇级": "5",
    "街道级": "5",
    "乡镇(街道)级": "5",
    "村级": "6",
    "社区级": "6",
}
_DEPTH_CODES = {name: number for number, name in enumerate(DEPTH_NAMES, start=1)}

# --- patterns, compiled once -------------------------------------------------------------
_BLANK_CHARS = " \t\r\n\u3000\u00a0"
# Rule 2's list (* # & @ ! ！ + ? ？ = ; ； …) with the full-width forms of the rest,
# and spaces: half-width, full-width, no-break, tab. Line breaks are not flagged.
# An ellipsis also typed as ... or ⋯ (U+22EF, what some input methods give for ……).
# Text pasted from Word, WPS or a web page brings other spaces (en, em, thin, zero-width,
# U+2000–U+200B, U+202F, U+205F, U+FEFF), and some input methods type an ellipsis as
# ．．． or 。。。: the national check sees them alike.
_SPECIAL = re.compile(
    "(?:[*#&@!！+?？=;；…⋯＊＃＆＠＋＝ \u3000\u00a0\t\u2000-\u200b\u202f\u205f\ufeff]"
    "|\\.{3,}|．{3,}|。{3,})"
)
_SPECIAL_NAMES = {" ": "半角空格", "\u3000": "全角空格", "\u00a0": "不间断空格", "\t": "制表符"}
_SPECIAL_NAMES |= {"\u200b": "零宽空格", "\ufeff": "零宽空格"}


def _special_name(found: str) -> str:
    named = _SPECIAL_NAMES.get(found)
    if named is not None:
        return named
    if len(found) == 1 and unicodedata.category(found) in ("Zs", "Cf"):
        return f"特殊空格（U+{ord(found):04X}）"
    return f"「{found}」"


# A time limit: N工作日, N个工作日 or 当场; spaces are tolerated here (rule 2 reports them).
# N in digits or in Chinese numerals (五, 二十, 一百二十), as laws and old lists write it.
_LIMIT = re.compile(
    r"[ \u3000]*(?:([0-9]+|[零〇一二两三四五六七八九十百千]+)[ \u3000]*(个)?[ \u3000]*工作日"
    r"|当场)[ \u3000]*"
)
_CHINESE_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
    "八": 8, "九": 9,
}  # fmt: skip
_CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
_VISITS = re.compile(r"[0-9]+")
# Digits as a Chinese input method types them (５工作日, １): read as the digits they are.
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_DEPTH_SPLIT = re.compile(r"[,，、;；\s]+")
_BRACKETED = re.compile(r"[(（][^)）]*[)）]")
# Dashes join steps too (受理—办结); a space does not by itself (现场 勘验 is one step with
# a space in it, rule 2's finding): see joined_steps.
_STEP_SEPARATORS = re.compile(r"[、,，/／;；+＋|｜&＆→\-－—–―~～]+")
_SPACES = re.compile(r"[\s\u3000]+")
# 至 and 后 join steps too: 受理至办结 (from one to the other), 受理后审查 (one, then another).
_STEP_CONJUNCTIONS = re.compile("[和及与并或至后]")
_STEP_WORDS = (
    "申请",
    "受理",
    "审查",
    "审核",
    "审批",
    "审定",
    "初审",
    "复审",
    "复核",
    "核查",
    "核准",
    "批准",
    "决定",
    "办结",
    "制证",
    "发证",
    "送达",
    "签发",
    "公示",
    "听证",
    "踏勘",
    "勘验",
    "勘查",
)
_STEP_WORD = re.compile("|".join(_STEP_WORDS))
_STEP_WORD_SET = frozenset(_STEP_WORDS)
# After another step word 申请 is the object (受理申请 = accepting the application), so it
# may not be the second half of a joined name.
_LATER_STEP = "|".join(word for word in _STEP_WORDS if word != "申请")
_JOINED_STEPS = re.compile(f"(?:{_STEP_WORD.pattern})(?:{_LATER_STEP})+")
# The measures themselves name 制证发证 as one business step.
_SINGLE_STEPS = frozenset({"制证发证"})
# A step that names a document or a body is no step of its own there: 受理并出具受理通知书
# is one step (受理; the 受理通知书 is what it issues), 审查并提出审查意见 one, 受理后转审批科室
# one (审批科室 is where it goes). Only steps that give documents their names count for
# documents (受理通知书, 审查意见, 决定书, 申请表); 签发通知书 is a step and its object.
_DOCUMENT_STEPS = "申请|受理|审查|审核|审批|审定|初审|复审|复核|核查|核准|批准|决定|听证"
_STEP_OBJECT = re.compile(
    f"(?:{_DOCUMENT_STEPS})(?:通知书|通知单|通知|意见书|意见|文书|回执|报告|书|表|单)"
    f"|(?:{_STEP_WORD.pattern})(?:科室|处室|部门|机关|机构|窗口|中心|人员|科|处)"
)
# A web address: a host with a dot (zwfw.yantai.gov.cn), or after http(s):// a host name
# a self-built system may have (an intranet's zwfw_sp, localhost:8080), never a
# placeholder (http://待定, http://-); a port, a path.
_ADDRESS = re.compile(
    r"(?:(?:https?://)?[0-9A-Za-z\u4e00-\u9fff_-]+(?:\.[0-9A-Za-z\u4e00-\u9fff_-]+)+"
    r"|https?://[0-9A-Za-z_-]*[A-Za-z][0-9A-Za-z_-]*)"
    r"(?::[0-9]+)?(?:[/?#]\S*)?",
    re.IGNORECASE,
)


# --- records -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Finding:
    """One broken rule in one item: what is wrong, where, and what is expected."""

    item: str
    name: str
    department: str
    rule: int
    field: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {
            "item": self.item,
            "name": self.name,
            "department": self.department,
            "rule": self.rule,
            "field": self.field,
            "message": self.message,
        }


@dataclass(frozen=True)
class Rule:
    """A rule as ``items rules`` explains it."""

    number: int
    title: str
    explanation: str  # in Chinese, as the office reads it
    gloss: str = ""  # the same in English, shown in English mode (GOVSCORE_LANG=en)

    def explained(self) -> str:
        """The explanation in the reader's language: Chinese, and the gloss in English mode."""
        return self.explanation + self.gloss if english() else self.explanation


RULES: tuple[Rule, ...] = (
    Rule(
        1,
        "错别字",
        "文本字段中不得出现已知错别字（默认清单加上根目录 typos.tsv），说明中写出错误写法和正确"
        "写法；实施编码、网办地址、网办深度及整项为网址或日期时间的字段除外。",
        "No known misspelling in any text field: the list ships with govscore and the office "
        "extends it with typos.tsv in its root; each finding names the wrong and the right "
        "form. Codes, addresses, 网办深度 and a field that is wholly a web address or a date "
        "and time are not read.",
    ),
    Rule(
        2,
        "特殊字符及空格",
        "事项名称及各说明文字中不得出现 * # & @ ! ！ + ? ？ = ; ； … 等特殊字符（含其全角形式）"
        "，也不得出现半角或全角空格；实施编码、网办地址、网办深度（代码或名称的列表）及整项为网址或"
        "日期时间的字段（如更新时间）除外。",
        "No special characters and no half- or full-width spaces in names and descriptive "
        "text; the code, the online address, the list of 网办深度 and a field that is wholly "
        "a web address or a date and time (an export's 更新时间) are exempt.",
    ),
    Rule(
        3,
        "承诺办结时限",
        "承诺办结时限只能写作“N工作日”或“当场”，不得为空或“无”，并应小于法定办结时限（两者均为"
        "当场视为符合；法定办结时限为空或“无”时不比较）。",
        "The promised time limit reads 'N工作日' or '当场', never empty or '无', and is shorter"
        " than the statutory limit when both are known.",
    ),
    Rule(
        4,
        "即办件",
        "办件类型应为即办件或承诺件；即办件的承诺办结时限不得大于1个工作日。",
        "An item handled on the spot (即办件) promises at most one working day.",
    ),
    Rule(
        5,
        "到办事现场次数",
        "到办事现场次数只能为0或1；全程网办事项必须为0；大于0时必须填写现场办理原因说明。",
        "Visits are 0 or 1; a fully online item needs 0 visits; any visit needs a stated reason.",
    ),
    Rule(
        6,
        "收费依据",
        "是否收费为“否”时不得填写收费依据。",
        "An item without a fee carries no fee basis.",
    ),
    Rule(
        7,
        "减免依据",
        "是否允许减免为“是”时，允许减免依据不能为空。",
        "An item that allows fee relief states the basis for it.",
    ),
    Rule(
        8,
        "来源渠道",
        "材料来源渠道只能为申请人自备、政府部门核发、中介机构或法定机构产生、其他，来源渠道说明"
        "不能为空；政府部门核发的写明核发部门的层级和部门，中介机构或法定机构产生的写明其应具备"
        "的资质。",
        "Each material's source is one of the four channels and is explained: for a government "
        "document the level and the department, for an intermediary the qualification required.",
    ),
    Rule(
        9,
        "材料类型及材料形式",
        "材料类型为原件、复印件、原件和复印件、原件或复印件之一；材料形式为纸质版、实物类、电子"
        "版、纸质版和电子版之一；含纸质版的须填写纸质材料规格；网办事项的每份材料形式都应包含电"
        "子版。",
        "Every material has a valid type and form, paper needs its paper size, and an online "
        "item accepts every material in electronic form.",
    ),
    Rule(
        10,
        "办理流程及业务流程",
        "办理流程和业务流程须逐环节分开填写，不得把两个环节写在一起（如“受理、审查”“受理审查”）"
        "；每个环节须写明审批标准；各环节办理时限之和须与承诺办结时限一致，承诺办结时限为0或当"
        "场时环节可写“0个工作日”或“当场”。",
        "Each step is one step with its approval standard, and the step limits of each "
        "procedure add up to the promised limit.",
    ),
    Rule(
        11,
        "实施编码与行使层级",
        "实施编码为31位，其第19位须与行使层级一致：1国家级、2省级、3市级、4县级、5镇(乡、街道)"
        "级、6村(社区)级。",
        "The 31-character implementation code carries the exercise level in its 19th character,"
        " which must match 行使层级.",
    ),
    Rule(
        12,
        "网办深度",
        "网办深度共8级且逐项递进，勾选后面的须勾选前面各项；是否网办为“是”时至少勾选到互联网收"
        "件，为“否”时不勾选或只勾选互联网咨询。",
        "The eight online depths are cumulative; an online item reaches at least online "
        "submission, an offline one at most online consultation.",
    ),
    Rule(
        13,
        "网办地址",
        "是否网办为“是”时，是否存在运行系统须为“是”；使用统建系统（是否自建系统为“否”）的不填网"
        "办地址，使用自建系统的须填写网办地址。",
        "An online item runs on a system; on the unified platform it leaves the address empty, "
        "on its own system it gives the address.",
    ),
)
RULE_NUMBERS = tuple(rule.number for rule in RULES)


# --- value helpers -----------------------------------------------------------------------
_BLANK_TEXTS = ("", "无")
_YES_NO = {YES: True, NO: False}
_CHANNEL_SET = frozenset(CHANNELS)
_KIND_SET = frozenset(MATERIAL_KINDS)
_FORM_SET = frozenset(MATERIAL_FORMS)


def _blank(value: Any) -> bool:
    """Missing, null, only spaces, or 无 (which means "nothing") — an empty field."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip(_BLANK_CHARS) in _BLANK_TEXTS
    if isinstance(value, list | dict):
        return not value
    return False


def as_json(value: Any) -> str:
    """A value as the export writes it (true, null, {"a": 1}), not as Python shows it
    (True, None, {'a': 1}): the clerk reads JSON, never Python."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):  # no JSON value: the reader makes none
        return str(value)


def _show(value: Any, limit: int = 40) -> str:
    """A value quoted for a message, shortened so a long paragraph does not flood the table."""
    text = value if isinstance(value, str) else as_json(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"「{text}」"


def _yes_no(value: Any) -> bool | None:
    if isinstance(value, str):
        # str.strip returns the string itself when there is nothing to strip: no copy.
        return _YES_NO.get(value.strip(_BLANK_CHARS))
    return None


# A 是/否 field that a rule depends on and that is missing or neither 是 nor 否 is a finding of
# that rule (是否网办, used by rules 9, 12 and 13, is reported once, by rule 12).
def _yes_no_problem(key: str, value: Any) -> str:
    if _blank(value):
        return f"{key}为空，应填写「是」或「否」"
    return f"{key}{_show(value)}应为「是」或「否」"


def parse_limit(value: Any) -> int | None:
    """Working days in a time limit (N工作日, N个工作日, 当场 = 0); None when unreadable."""
    return _limit_info(value)[0] if isinstance(value, str) else None


@lru_cache(maxsize=4096)  # a city's exports repeat the same few limits
def _limit_info(value: str) -> tuple[int | None, bool]:
    """Days (None when unreadable) and whether it is written plainly (N工作日 or 当场).

    One cached match serves rule 3 (which also wants the form) and rules 4 and 10.
    """
    match = _LIMIT.fullmatch(value.translate(_DIGITS))
    if match is None:
        return None, False
    days = match.group(1)
    if days is None:
        return 0, match.group(2) is None
    number = _whole(days) if days.isascii() else chinese_number(days)
    return (number, match.group(2) is None) if number is not None else (None, False)


def chinese_number(text: str) -> int | None:
    """A whole number in Chinese numerals (五, 十五, 二十, 一百零五, 一百二十), as a reader
    reads it; None for anything a reader would stop at (二五, 一百五, 十十)."""
    if text in ("零", "〇"):
        return 0
    total = 0
    digit: int | None = None
    last_unit = 10_000  # units go down: 千 … 百 … 十
    after_zero = False  # 一百零五: a digit may follow a unit skipped by 零
    for char in text:
        if char in _CHINESE_DIGITS:
            value = _CHINESE_DIGITS[char]
            if digit is not None or (value == 0 and (after_zero or not total)):
                return None
            if value == 0:
                after_zero = True
            else:
                digit = value
            continue
        unit = _CHINESE_UNITS.get(char)
        if unit is None or unit >= last_unit or after_zero:
            return None
        if digit is None:
            if unit != 10 or total:  # only 十 may stand without its digit, and only first
                return None
            digit = 1
        total += digit * unit
        digit, last_unit = None, unit
    if digit is not None:
        # The last digit counts ones only after 十 or 零, or alone: 一百五 reads 150, not 105.
        if last_unit not in (10, 10_000) and not after_zero:
            return None
        total += digit
    elif after_zero:
        return None  # a trailing 零 (一百零)
    return total


def _whole(digits: str) -> int | None:
    """ASCII digits as a number; None for more digits than Python converts (4,300)."""
    limit = sys.get_int_max_str_digits()
    return int(digits) if not limit or len(digits) <= limit else None


def _limit_text(days: int) -> str:
    return "当场（0个工作日）" if days == 0 else f"{days}个工作日"


def _show_number(token: float) -> str:
    """A number as a finding quotes it: a whole float as the integer, a huge one cut short."""
    text = str(int(token)) if isinstance(token, float) else str(token)
    return text if len(text) <= 20 else text[:20] + "…"


def parse_depth(value: Any) -> tuple[set[int], list[str]]:
    """网办深度 as level numbers 1–8, from names or codes, a list or "1,2,3"; and bad tokens."""
    if value is None:
        return set(), []
    if isinstance(value, str):
        tokens: list[Any] = [token for token in _DEPTH_SPLIT.split(value) if token]
    elif isinstance(value, list):
        tokens = value
    else:
        tokens = [value]
    levels: set[int] = set()
    bad: list[str] = []
    for token in tokens:
        if isinstance(token, bool):
            bad.append(as_json(token))
        elif isinstance(token, int) or (isinstance(token, float) and token.is_integer()):
            if 1 <= token <= len(DEPTH_NAMES):  # an int of 400 digits compares, never floats
                levels.add(int(token))
            else:
                bad.append(_show_number(token))
        elif isinstance(token, str):
            text = token.strip(_BLANK_CHARS).translate(_DIGITS)
            if not text:
                continue
            number = _whole(text) if text.isascii() and text.isdigit() else None
            if number is not None and 1 <= number <= len(DEPTH_NAMES):
                levels.add(number)
            elif text in _DEPTH_CODES:
                levels.add(_DEPTH_CODES[text])
            else:
                bad.append(text)
        else:
            bad.append(as_json(token))
    return levels, bad


def _depth_text(levels: Iterable[int]) -> str:
    names = [DEPTH_NAMES[level - 1] for level in sorted(levels)]
    return "、".join(names) if names else "未勾选"


@lru_cache(maxsize=4096)  # step names repeat: 受理, 审查, 决定 …
def joined_steps(name: str) -> bool:
    """Whether a step name holds two or more steps (受理、审查 / 受理审查 / 受理和审查)."""
    text = _BRACKETED.sub("", name).strip(_BLANK_CHARS)
    if text in _SINGLE_STEPS:
        return False
    parts = [part for part in _STEP_SEPARATORS.split(text) if part.strip(_BLANK_CHARS)]
    if len(parts) > 1:
        return True
    # Spaces, or 和/及/与, between two names that each hold a step word (受理 审查, 受理和审查);
    # not 现场 勘验, nor 申请人和代理人 (申请人 is a word of its own, not the step 申请).
    for pieces in (_SPACES.split(text), _STEP_CONJUNCTIONS.split(text)):
        if len(pieces) > 1 and sum(1 for piece in pieces if _holds_step(piece)) > 1:
            return True
    return _JOINED_STEPS.fullmatch(_SPACES.sub("", text)) is not None


def _holds_step(text: str) -> bool:
    """Whether one of text's words is a step word (受理, 审查 …), read as words."""
    text = _STEP_OBJECT.sub("", text)
    return _STEP_WORD.search(text) is not None and any(
        word in _STEP_WORD_SET for word in words(text)
    )


def text_fields(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Every text value with its path (申请材料[2].材料形式), codes and addresses left out."""
    found: list[tuple[str, str]] = []
    for key, value in data.items():
        if key not in EXEMPT_TEXT:
            _walk(value, key, found)
    return found


def _collect(values: Iterable[Any], found: list[str]) -> None:
    # Recursing only into containers (for the few items the text screen does not pass).
    for value in values:
        if isinstance(value, str):
            if NOT_PROSE.fullmatch(value) is None:
                found.append(value)
        elif isinstance(value, list):
            _collect(value, found)
        elif isinstance(value, dict):
            _collect(value.values(), found)


def _walk(value: Any, path: str, found: list[tuple[str, str]]) -> None:
    if isinstance(value, str):
        if NOT_PROSE.fullmatch(value) is None:
            found.append((path, value))
    elif isinstance(value, list):
        for index, element in enumerate(value):
            _walk(element, f"{path}[{index}]", found)
    elif isinstance(value, dict):
        for key, element in value.items():
            _walk(element, f"{path}.{key}", found)


def _unknown(values: Iterable[Any], known: set[str], found: list[str]) -> None:
    """The strings among values (recursively) that are not in known: the same walk as
    :func:`_collect`, but a text seen clean before costs one set lookup."""
    for value in values:
        if isinstance(value, str):
            if value not in known:
                found.append(value)
        elif isinstance(value, dict):
            _unknown(value.values(), known, found)
        elif isinstance(value, list):
            _unknown(value, known, found)


# Texts a screen remembers at most (a few MiB); a city's export repeats far fewer.
_SCREEN_SIZE = 50_000


class _TextScreen:
    """Texts already known to pass rules 1 and 2 under one typo list, and one scanner for both.

    Exports repeat the same texts item after item (申请表, 由县级公安机关核发, 符合受理条件 …),
    so after the first few items nearly every text is a set lookup; the new ones are joined
    and scanned once, with the misspellings and the special characters in one pattern. The
    set is bounded: when full it starts over, so memory stays flat on any input.
    """

    __slots__ = ("clean", "pattern", "typos")

    def __init__(self, typos: TypoList) -> None:
        self.typos = typos
        wrongs = typos.pattern
        both = _SPECIAL.pattern if wrongs is None else f"{_SPECIAL.pattern}|{wrongs.pattern}"
        self.pattern = re.compile(both)
        self.clean: set[str] = set()

    def passes(self, data: dict[str, Any]) -> bool:
        """Whether no text of rules 1 and 2 in data holds a misspelling or special character.

        False only says "look closer": rules 1 and 2 then search field by field.
        """
        known = self.clean
        new: list[str] = []
        # The usual shape (texts, and lists of flat objects) is walked inline, without a
        # call per material or step, testing exact classes (cheaper than isinstance, which
        # is what JSON gives); anything else goes through _unknown, which handles every case.
        for key, value in data.items():
            cls = value.__class__
            if cls is str:
                if value not in known and key not in EXEMPT_TEXT:
                    new.append(value)
            elif cls is list:
                if key in EXEMPT_TEXT:
                    continue
                for element in value:
                    if element.__class__ is dict:
                        for text in element.values():
                            if text.__class__ is str:
                                if text not in known:
                                    new.append(text)
                            elif text.__class__ is not int:
                                _unknown((text,), known, new)
                    else:
                        _unknown((element,), known, new)
            elif cls is not int and key not in EXEMPT_TEXT:
                _unknown((value,), known, new)
        if not new:
            return True
        # Line breaks join the texts: neither rule looks for one, so no match spans two.
        if self.pattern.search("\n".join(new)) is not None:
            new = [text for text in new if NOT_PROSE.fullmatch(text) is None]
            if self.pattern.search("\n".join(new)) is not None:
                return False
        if len(known) + len(new) > _SCREEN_SIZE:
            known.clear()
        known.update(new)
        return True


_screen: _TextScreen | None = None


def _screen_for(typos: TypoList) -> _TextScreen:
    """The screen of this typo list: one run uses one list, so only the last one is kept."""
    global _screen
    screen = _screen
    if screen is None or screen.typos is not typos:
        screen = _screen = _TextScreen(typos)
    return screen


# --- the rules ---------------------------------------------------------------------------
Issue = tuple[str, str]


class _Item:
    """One record with the values several rules share, worked out at most once."""

    __slots__ = ("_clean", "_probe", "_texts", "data", "typos")

    def __init__(self, data: dict[str, Any], typos: TypoList) -> None:
        self.data = data
        self.typos = typos
        self._texts: list[tuple[str, str]] | None = None
        self._probe: str | None = None
        self._clean: bool | None = None

    @property
    def clean_text(self) -> bool:
        """Whether rules 1 and 2 can pass the item without a closer look (most items)."""
        if self._clean is None:
            self._clean = _screen_for(self.typos).passes(self.data)
        return self._clean

    @property
    def probe(self) -> str:
        """All text of rules 1 and 2 joined by line breaks, which neither rule looks for.

        Only for items the screen did not pass: one search over this tells each rule whether
        it must visit the fields with their paths.
        """
        if self._probe is None:
            found: list[str] = []
            _collect((value for key, value in self.data.items() if key not in EXEMPT_TEXT), found)
            self._probe = "\n".join(found)
        return self._probe

    @property
    def texts(self) -> list[tuple[str, str]]:
        if self._texts is None:
            self._texts = text_fields(self.data)
        return self._texts


def _rule_1(item: _Item) -> Iterator[Issue]:
    if item.clean_text or not item.typos.occurs(item.probe):
        return
    for path, text in item.texts:
        for wrong, right in item.typos.find(text):
            yield path, f"错别字「{wrong}」，应为「{right}」"


def _rule_2(item: _Item) -> Iterator[Issue]:
    if item.clean_text or _SPECIAL.search(item.probe) is None:
        return
    for path, text in item.texts:
        found = _SPECIAL.findall(text)
        if found:
            names = [_special_name(char) for char in dict.fromkeys(found)]
            yield path, f"含特殊字符或空格：{'、'.join(names)}，应删除或改为规范表述"


def _rule_3(item: _Item) -> Iterator[Issue]:
    data = item.data
    promised = data.get(PROMISED_LIMIT)
    if isinstance(promised, str):
        days, plain = _limit_info(promised)
        if not plain:  # a readable limit is never blank or 无, so these checks wait till here
            text = promised.strip(_BLANK_CHARS)
            if not text:
                yield PROMISED_LIMIT, "承诺办结时限为空，应填写「N工作日」或「当场」"
                return
            if text == "无":
                yield PROMISED_LIMIT, "承诺办结时限不得为「无」，应填写「N工作日」或「当场」"
                return
            yield (
                PROMISED_LIMIT,
                f"承诺办结时限{_show(promised)}格式不符，应为「N工作日」或「当场」",
            )
    elif promised is None:
        yield PROMISED_LIMIT, "承诺办结时限为空，应填写「N工作日」或「当场」"
        return
    else:
        yield PROMISED_LIMIT, f"承诺办结时限{_show(promised)}格式不符，应为「N工作日」或「当场」"
        return
    if days is None:
        return
    # 法定 empty/无 skips the comparison (it reads as no limit); so does a 法定 in another
    # unit (30日, 3个月), which this rule cannot convert to working days.
    legal = data.get(LEGAL_LIMIT)
    legal_days = parse_limit(legal)
    if legal_days is None:
        return
    # Both 0 (当场, or 0工作日) passes, as "both 当场" does.
    if days >= legal_days and not (days == 0 and legal_days == 0):
        yield (
            PROMISED_LIMIT,
            f"承诺办结时限{_show(promised)}应小于法定办结时限{_show(legal)}",
        )


def _rule_4(item: _Item) -> Iterator[Issue]:
    data = item.data
    kind = data.get(KIND)
    if kind == PROMISED:  # the common case, with nothing more to check
        return
    if kind == IMMEDIATE:
        text = IMMEDIATE
    elif _blank(kind):
        yield KIND, f"办件类型为空，应为「{IMMEDIATE}」或「{PROMISED}」"
        return
    else:
        text = kind.strip(_BLANK_CHARS) if isinstance(kind, str) else kind
        # The spec's two labels are the only ones: any other value cannot be judged here.
        if text not in (IMMEDIATE, PROMISED):
            yield KIND, f"办件类型{_show(kind)}应为「{IMMEDIATE}」或「{PROMISED}」"
            return
    days = parse_limit(data.get(PROMISED_LIMIT))
    # An unreadable 承诺办结时限 is rule 3's finding; here it cannot be compared.
    if text == IMMEDIATE and days is not None and days > 1:
        yield (
            PROMISED_LIMIT,
            f"即办件的承诺办结时限不得大于1个工作日，现为{_show(data.get(PROMISED_LIMIT))}",
        )


def _visits(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 1.0: a converter that writes a column with gaps as floats
    # Exports that write every value as text give "0"/"1": accepted as the number.
    if isinstance(value, str):
        text = value.strip(_BLANK_CHARS).translate(_DIGITS)
        if _VISITS.fullmatch(text):
            return _whole(text)
    return None


def _rule_5(item: _Item) -> Iterator[Issue]:
    data = item.data
    raw = data.get(VISITS)
    visits = _visits(raw)
    if visits is None:
        if _blank(raw):
            yield VISITS, "到办事现场次数为空，应为0或1"
        else:
            yield VISITS, f"到办事现场次数{_show(raw)}应为0或1"
    elif visits not in (0, 1):
        yield VISITS, f"到办事现场次数为{visits}，只能为0或1"
    # 全程网办 是 with 是否网办 否 contradicts itself but is not among the 13 rules.
    raw_online = data.get(FULLY_ONLINE)
    fully_online = _yes_no(raw_online)
    if fully_online is None:
        yield FULLY_ONLINE, _yes_no_problem(FULLY_ONLINE, raw_online)
    elif fully_online and visits is not None and visits > 0:
        yield VISITS, f"全程网办事项的到办事现场次数应为0，现为{visits}"
    if visits is not None and visits > 0 and _blank(data.get(VISIT_REASON)):
        yield VISIT_REASON, "到办事现场次数大于0，应填写现场办理原因说明"


def _rule_6(item: _Item) -> Iterator[Issue]:
    data = item.data
    raw = data.get(CHARGED)
    charged = _yes_no(raw)
    if charged is None:
        # Rule 6 binds 否 only (ITEMS.md): a blank 是否收费 breaks nothing, so costs nothing.
        # A value that is neither 是 nor 否 (不收费) cannot be judged and is said.
        if not _blank(raw):
            yield CHARGED, _yes_no_problem(CHARGED, raw)
        return
    # 是 without a 收费依据 is not among the 13 rules, so it is not reported.
    if not charged:
        basis = data.get(CHARGE_BASIS)
        if not _blank(basis):
            yield CHARGE_BASIS, f"不收费事项不得填写收费依据，现为{_show(basis)}"


def _rule_7(item: _Item) -> Iterator[Issue]:
    data = item.data
    raw = data.get(RELIEF)
    relief = _yes_no(raw)
    if relief is None:
        if not _blank(raw):  # rule 7 binds 是 only: a blank breaks nothing, as in rule 6
            yield RELIEF, _yes_no_problem(RELIEF, raw)
    elif relief and _blank(data.get(RELIEF_BASIS)):
        yield RELIEF_BASIS, "允许减免的事项应填写允许减免依据"


def _materials(data: dict[str, Any]) -> list[Any]:
    value = data.get(MATERIALS)
    return value if isinstance(value, list) else []


@lru_cache(maxsize=4096)  # notes repeat: 由县级公安机关核发 …
def _government_gaps(note: str) -> str:
    """What a 政府部门核发 note leaves out: 层级, 部门名称, both (joined by 和) or nothing."""
    missing = []
    if not names_level(note):
        missing.append("层级")
    if not names_department(note):
        missing.append("部门名称")
    return "和".join(missing)


@lru_cache(maxsize=4096)
def _names_qualification(note: str) -> bool:
    """Whether a 中介机构或法定机构产生 note states the qualification (cached like the above)."""
    return names_qualification(note)


def _rule_8(item: _Item) -> Iterator[Issue]:
    # A 申请材料 that is not a list, or an element that is not an object, is rule 9's finding.
    # Paths are only spelled out for a finding: most materials have none.
    for index, material in enumerate(_materials(item.data)):
        if not isinstance(material, dict):
            continue
        channel = material.get("来源渠道")
        if isinstance(channel, str) and channel in _CHANNEL_SET:
            text: Any = channel
        else:
            text = channel.strip(_BLANK_CHARS) if isinstance(channel, str) else channel
            if _blank(channel):
                yield (
                    f"{MATERIALS}[{index}].来源渠道",
                    f"来源渠道为空，应为{'、'.join(CHANNELS)}之一",
                )
            elif text not in CHANNELS:
                yield (
                    f"{MATERIALS}[{index}].来源渠道",
                    f"来源渠道{_show(channel)}应为{'、'.join(CHANNELS)}之一",
                )
        note = material.get("来源渠道说明")
        if _blank(note):
            yield (
                f"{MATERIALS}[{index}].来源渠道说明",
                "来源渠道说明为空，应告知申请人材料的获取渠道",
            )
            continue
        if text == GOVERNMENT:
            gaps = _government_gaps(str(note))
            if gaps:
                yield (
                    f"{MATERIALS}[{index}].来源渠道说明",
                    "政府部门核发的材料，来源渠道说明应写明核发部门的层级和名称（如市级教育部门），"
                    f"现缺少{gaps}：{_show(note)}",
                )
        elif text == INTERMEDIARY and not _names_qualification(str(note)):
            yield (
                f"{MATERIALS}[{index}].来源渠道说明",
                f"中介机构或法定机构产生的材料，来源渠道说明应写明机构应具备的资质，现为{_show(note)}",
            )


def _rule_9(item: _Item) -> Iterator[Issue]:
    data = item.data
    value = data.get(MATERIALS)
    # No 申请材料 (missing or empty) is allowed: some items need no material at all.
    if _blank(value):
        return
    if not isinstance(value, list):
        yield MATERIALS, "申请材料应为材料对象的列表"
        return
    online = _yes_no(data.get(ONLINE))  # unknown 是否网办 is rule 12's finding
    for index, material in enumerate(value):
        if not isinstance(material, dict):
            yield f"{MATERIALS}[{index}]", "申请材料应为含材料名称、材料类型、材料形式等字段的对象"
            continue
        kind = material.get("材料类型")
        if not (isinstance(kind, str) and kind in _KIND_SET):
            path = f"{MATERIALS}[{index}]"
            if _blank(kind):
                yield f"{path}.材料类型", f"材料类型为空，应为{'、'.join(MATERIAL_KINDS)}之一"
            elif (
                kind.strip(_BLANK_CHARS) if isinstance(kind, str) else kind
            ) not in MATERIAL_KINDS:
                yield (
                    f"{path}.材料类型",
                    f"材料类型{_show(kind)}应为{'、'.join(MATERIAL_KINDS)}之一",
                )
        form = material.get("材料形式")
        if isinstance(form, str) and form in _FORM_SET:
            form_text = form
        else:
            path = f"{MATERIALS}[{index}]"
            form_text = form.strip(_BLANK_CHARS) if isinstance(form, str) else form
            if _blank(form):
                yield f"{path}.材料形式", f"材料形式为空，应为{'、'.join(MATERIAL_FORMS)}之一"
                continue
            if form_text not in MATERIAL_FORMS:
                yield (
                    f"{path}.材料形式",
                    f"材料形式{_show(form)}应为{'、'.join(MATERIAL_FORMS)}之一",
                )
                continue  # an unknown form is one finding, not also "needs 电子版"
        if form_text in PAPER_FORMS and _blank(material.get("纸质材料规格")):
            yield f"{MATERIALS}[{index}].纸质材料规格", "材料含纸质版，应填写纸质材料规格（如A4）"
        if online and "电子版" not in form_text:
            yield (
                f"{MATERIALS}[{index}].材料形式",
                f"网办事项的材料形式应包含电子版，现为{_show(form)}",
            )


@lru_cache(maxsize=4096)
def _step_name_fault(name: str) -> str | None:
    """Rule 10's finding on a step name (blank, or several steps in one), or None."""
    if name.strip(_BLANK_CHARS) in _BLANK_TEXTS:
        return "环节名称为空"
    if joined_steps(name):
        return f"环节{_show(name)}写了多个环节，各环节应分开填写"
    return None


@lru_cache(maxsize=4096)  # steps repeat: (受理, 1工作日), (审查, 2工作日) …
def _step_facts(name: str, limit: str) -> tuple[str | None, int | None]:
    """A step's name finding (or None) and its days (None when unreadable)."""
    return _step_name_fault(name), _limit_info(limit)[0]


def _rule_10(item: _Item) -> Iterator[Issue]:
    data = item.data
    promised = parse_limit(data.get(PROMISED_LIMIT))  # unreadable: rule 3 reports it
    for key in PROCEDURES:
        steps = data.get(key)
        # Both procedures are required: a missing or empty one cannot add up to the promise.
        if _blank(steps):
            yield key, f"{key}为空，应逐环节填写"
            continue
        if not isinstance(steps, list):
            yield key, f"{key}应为环节对象的列表"
            continue
        total = 0
        summable = True
        for index, step in enumerate(steps):
            if not isinstance(step, dict):
                yield f"{key}[{index}]", "环节应为含环节、办理时限、审批标准的对象"
                summable = False
                continue
            name = step.get("环节")
            limit = step.get("办理时限")
            if isinstance(name, str) and isinstance(limit, str):
                fault, days = _step_facts(name, limit)  # the usual step: one cached look-up
            else:
                fault = _step_name_fault(name) if isinstance(name, str) else None
                if fault is None and not isinstance(name, str) and _blank(name):
                    fault = "环节名称为空"
                days = _limit_info(limit)[0] if isinstance(limit, str) else None
            if fault is not None:
                yield f"{key}[{index}].环节", fault
            standard = step.get("审批标准")
            # A text, the usual case, is judged in line: _blank's own test for a string.
            if (
                standard.strip(_BLANK_CHARS) in _BLANK_TEXTS
                if isinstance(standard, str)
                else _blank(standard)
            ):
                yield f"{key}[{index}].审批标准", "审批标准为空，应写明该环节的审批标准"
            # 当场 is 0 days in any step, whatever the promise; N个工作日 is always allowed.
            if days is None:
                summable = False  # an unreadable limit is its own finding; no sum is made
                if _blank(limit) and limit != "无":
                    yield (
                        f"{key}[{index}].办理时限",
                        "办理时限为空，应为「N工作日」「N个工作日」或「当场」",
                    )
                else:
                    yield (
                        f"{key}[{index}].办理时限",
                        f"办理时限{_show(limit)}应为「N工作日」「N个工作日」或「当场」",
                    )
            else:
                total += days
        if summable and promised is not None and total != promised:
            yield (
                key,
                f"{key}各环节办理时限之和为{_limit_text(total)}，"
                f"应与承诺办结时限{_show(data.get(PROMISED_LIMIT))}一致",
            )


def _rule_11(item: _Item) -> Iterator[Issue]:
    data = item.data
    raw_level = data.get(LEVEL)
    # The usual spelling is a key as it stands; anything else is normalised first.
    level = _LEVEL_CODES.get(raw_level) if isinstance(raw_level, str) else None
    if level is None:
        if _blank(raw_level):
            yield LEVEL, f"行使层级为空，应为{'、'.join(LEVEL_NAMES.values())}之一"
        else:
            key = str(raw_level).strip(_BLANK_CHARS).replace("（", "(").replace("）", ")")
            level = _LEVEL_CODES.get(key)
            if level is None:
                yield LEVEL, f"行使层级{_show(raw_level)}应为{'、'.join(LEVEL_NAMES.values())}之一"
    code = data.get(CODE)
    code = code if isinstance(code, str) else ""
    if len(code) != 31:  # without the 31-character layout there is no 19th character to trust
        yield CODE, f"实施编码应为31位，现为{len(code)}位"
        return
    digit = code[18]
    if digit not in LEVEL_NAMES:
        yield CODE, f"实施编码第19位「{digit}」不是行使层级代码（1国家级至6村(社区)级）"
    elif level is not None and digit != level:
        # The measures trace this to 行使层级 written differently in two places: fix it there.
        yield (
            LEVEL,
            f"行使层级{_show(raw_level)}（代码{level}）与实施编码第19位「{digit}」"
            f"（{LEVEL_NAMES[digit]}）不一致",
        )


def _rule_12(item: _Item) -> Iterator[Issue]:
    data = item.data
    raw_online = data.get(ONLINE)
    online = _yes_no(raw_online)
    if online is None:
        yield ONLINE, _yes_no_problem(ONLINE, raw_online)
    depth = data.get(DEPTH)
    if isinstance(depth, str):  # "1,2,3" in most exports: the same few strings again and again
        yield from _depth_issues_of_text(depth, online)
    else:
        yield from _depth_issues(*parse_depth(depth), online)


@lru_cache(maxsize=4096)
def _depth_issues_of_text(depth: str, online: bool | None) -> tuple[Issue, ...]:
    return tuple(_depth_issues(*parse_depth(depth), online))


def _depth_issues(levels: set[int], bad: list[str], online: bool | None) -> Iterator[Issue]:
    for token in bad:  # an unknown depth is reported; the known ones are still judged
        yield DEPTH, f"网办深度「{token}」无法识别，应为1-8的代码或{DEPTH_NAMES[0]}等名称"
    if levels:  # 8 其他 is cumulative too: the measures call all 8 逐项递进
        top = max(levels)
        missing = [level for level in range(1, top) if level not in levels]
        if missing:
            yield (
                DEPTH,
                f"网办深度应逐项递进：勾选了{DEPTH_NAMES[top - 1]}，还须勾选{_depth_text(missing)}",
            )
    if online is True and (not levels or max(levels) < 2):
        yield DEPTH, f"网办事项的网办深度应至少勾选到互联网收件，现为{_depth_text(levels)}"
    if online is False and levels - {1}:
        yield (
            DEPTH,
            f"非网办事项的网办深度应不勾选或只勾选互联网咨询，现为{_depth_text(levels)}",
        )


def _rule_13(item: _Item) -> Iterator[Issue]:
    data = item.data
    if _yes_no(data.get(ONLINE)) is not True:  # 否 is not governed; unknown is rule 12's
        return
    has_system = data.get(HAS_SYSTEM)
    if _yes_no(has_system) is not True:
        if _blank(has_system):
            yield HAS_SYSTEM, "网办事项的是否存在运行系统应为「是」，现为空"
        else:
            yield (
                HAS_SYSTEM,
                f"网办事项的是否存在运行系统应为「是」，现为{_show(has_system)}",
            )
    raw_own = data.get(OWN_SYSTEM)
    own = _yes_no(raw_own)
    address = data.get(ADDRESS)
    if own is None:
        yield OWN_SYSTEM, _yes_no_problem(OWN_SYSTEM, raw_own)
    elif not own and not _blank(address):
        yield ADDRESS, f"使用统建系统（政务服务网）办理的事项不填写网办地址，现为{_show(address)}"
    elif own and _blank(address):
        yield ADDRESS, "使用自建系统办理的事项应填写网办地址（接收票据地址或外链地址）"
    # "Holds an address": a URL or a host name, not a word such as 待定.
    elif own and not (isinstance(address, str) and _ADDRESS.fullmatch(address.strip(_BLANK_CHARS))):
        yield ADDRESS, f"网办地址{_show(address)}不是有效的网址"


_CHECKS: dict[int, Callable[[_Item], Iterator[Issue]]] = {
    1: _rule_1,
    2: _rule_2,
    3: _rule_3,
    4: _rule_4,
    5: _rule_5,
    6: _rule_6,
    7: _rule_7,
    8: _rule_8,
    9: _rule_9,
    10: _rule_10,
    11: _rule_11,
    12: _rule_12,
    13: _rule_13,
}


def check_item(
    data: dict[str, Any], typos: TypoList, rules: Collection[int] | None = None
) -> list[Finding]:
    """Every finding of the 13 rules (or of the chosen ones) for one item record."""
    item = _Item(data, typos)
    checks = (
        _CHECKS.items()
        if rules is None
        else [(number, check) for number, check in _CHECKS.items() if number in rules]
    )
    findings: list[Finding] = []
    labels: tuple[str, str, str] | None = None  # most items have no finding to label
    for number, check in checks:
        for field, message in check(item):
            if labels is None:
                labels = (
                    _label(data.get(CODE)),
                    _label(data.get(NAME)),
                    _label(data.get(DEPARTMENT)),
                )
            findings.append(Finding(*labels, number, field, message))
    return findings


def _label(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def failing_items_by_department(findings: Iterable[Finding]) -> dict[str, list[str]]:
    """Department (as written in the record) → sorted unique codes of items with findings.

    Attachment 2 costs 1 point per failing item however many rules it breaks, so this is
    what a ledger entry per department needs (for ``items check --record``).
    """
    codes: dict[str, set[str]] = {}
    for finding in findings:
        codes.setdefault(finding.department, set()).add(finding.item)
    return {department: sorted(items) for department, items in sorted(codes.items())}
