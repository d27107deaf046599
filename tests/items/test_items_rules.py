"""The 13 rules against the corpus: every record gives exactly the expected findings."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from items_expect import CLEAN, CORPUS, EXPECTED, code

from govscore.items import ItemRecord, check_item, default_typos, read_items
from govscore.items.rules import (
    RULES,
    Finding,
    failing_items_by_department,
    joined_steps,
    parse_depth,
    parse_limit,
)


def _corpus() -> dict[str, tuple[str, dict]]:
    records: dict[str, tuple[str, dict]] = {}
    for entry in read_items([CORPUS]):
        assert isinstance(entry, ItemRecord), f"unreadable corpus record: {entry}"
        item = entry.data["实施编码"]
        assert item not in records, f"duplicate code {item}"
        records[item] = (entry.file, entry.data)
    return records


RECORDS = _corpus()
TYPOS = default_typos()


def _found(data: dict) -> set[tuple[str, int, str]]:
    return {(f.item, f.rule, f.field) for f in check_item(data, TYPOS)}


def test_corpus_and_expectations_name_the_same_records() -> None:
    assert set(RECORDS) == set(EXPECTED)


@pytest.mark.parametrize("item", sorted(EXPECTED))
def test_record_gives_exactly_the_expected_findings(item: str) -> None:
    expected = {(item, rule, field) for rule, field in EXPECTED[item]}
    assert _found(RECORDS[item][1]) == expected


def test_each_rule_file_breaks_only_its_own_rule() -> None:
    for item, (file, _) in RECORDS.items():
        match = re.search(r"r(\d\d)-", file)
        allowed = {int(match.group(1))} if match else set()
        assert {rule for rule, _ in EXPECTED[item]} <= allowed, (item, file)


def test_every_rule_has_breaking_records() -> None:
    broken = {rule for found in EXPECTED.values() for rule, _ in found}
    assert broken == set(range(1, 14))


def test_the_example_of_items_md_is_clean() -> None:
    assert check_item(RECORDS[CLEAN][1], TYPOS) == []


def test_findings_carry_item_name_department_and_message() -> None:
    findings = check_item(RECORDS[code(6, 1)][1], TYPOS)
    assert findings == [
        Finding(
            item=code(6, 1),
            name="建设工程消防验收",
            department="市住房和城乡建设局",
            rule=6,
            field="收费依据",
            message="不收费事项不得填写收费依据，现为「《山东省行政事业性收费项目目录》」",
        )
    ]


@pytest.mark.parametrize(
    ("item", "messages"),
    [
        (code(1, 6), ["错别字「帐户」，应为「账户」", "错别字「帐号」，应为「账号」"]),
        (code(1, 1), ["错别字「登陆山东政务服务网」，应为「登录山东政务服务网」"]),
        (code(2, 2), ["含特殊字符或空格：全角空格，应删除或改为规范表述"]),
        (code(3, 8), ["承诺办结时限「1工作日」应小于法定办结时限「当场」"]),
        (
            code(8, 4),
            [
                "政府部门核发的材料，来源渠道说明应写明核发部门的层级和名称（如市级教育部门），"
                "现缺少部门名称：「市级核发」"
            ],
        ),
        (
            code(8, 20),
            [
                "政府部门核发的材料，来源渠道说明应写明核发部门的层级和名称（如市级教育部门），"
                "现缺少部门名称：「由县级部门核发」"
            ],
        ),
        (
            code(10, 9),
            ["业务流程各环节办理时限之和为1个工作日，应与承诺办结时限「当场」一致"],
        ),
        (
            code(11, 1, "4"),
            ["行使层级「市级」（代码3）与实施编码第19位「4」（县级）不一致"],
        ),
        (
            code(12, 11),
            [
                "网办深度应逐项递进：勾选了互联网收件，还须勾选互联网咨询",
                "非网办事项的网办深度应不勾选或只勾选互联网咨询，现为互联网收件",
            ],
        ),
    ],
)
def test_messages_say_what_is_wrong_and_what_is_expected(item: str, messages: list[str]) -> None:
    assert [f.message for f in check_item(RECORDS[item][1], TYPOS)] == messages


def test_rules_argument_limits_the_check() -> None:
    data = dict(RECORDS[code(2, 1)][1], 是否收费="不收费")
    assert {f.rule for f in check_item(data, TYPOS)} == {2, 6}
    assert {f.rule for f in check_item(data, TYPOS, rules={6})} == {6}
    assert check_item(data, TYPOS, rules={1, 3}) == []


def test_findings_come_in_rule_order() -> None:
    data = dict(RECORDS[code(2, 1)][1], 是否收费="不收费", 行使层级="")
    assert [f.rule for f in check_item(data, TYPOS)] == [2, 6, 11]


def test_missing_name_and_department_are_empty_labels() -> None:
    data = {"实施编码": CLEAN}
    findings = check_item(data, TYPOS)
    assert {(f.name, f.department) for f in findings} == {("", "")}
    # A bare record breaks every rule that needs a field, and not 1, 2, 8, 9 or 13, nor 6
    # or 7, which bind only an answer given (是否收费 否, 是否允许减免 是).
    assert {f.rule for f in findings} == {3, 4, 5, 10, 11, 12}


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("5工作日", 5),
        ("5个工作日", 5),
        ("0个工作日", 0),
        ("当场", 0),
        ("12 工作日", 12),
        ("5天", None),
        ("", None),
        ("无", None),
        # Chinese numerals, as laws and older lists write a limit
        ("五工作日", 5),
        ("十工作日", 10),
        ("二十工作日", 20),
        ("二十五个工作日", 25),
        ("十五个工作日", 15),
        ("一百零五工作日", 105),
        ("一百二十工作日", 120),
        ("九百九十九工作日", 999),
        ("二五工作日", None),  # no number a reader reads
        ("一百五工作日", None),  # 150 or 105? a reader stops
        ("十十工作日", None),
        ("五天", None),
        ("５工作日", 5),  # digits as a Chinese input method types them
        ("１２个工作日", 12),
        (5, None),
        (None, None),
    ],
)
def test_parse_limit(text: object, days: int | None) -> None:
    assert parse_limit(text) == days


def test_a_statutory_limit_in_chinese_numerals_is_compared() -> None:
    """30 working days promised against a 法定 of 二十 (20): not less, so rule 3 fails, as it
    does against 20工作日; 五工作日 is N工作日 with N = 5 and passes (5 < 20, steps add to 5)."""
    data = dict(RECORDS[CLEAN][1], 承诺办结时限="30工作日", 法定办结时限="二十工作日")
    assert [(f.rule, f.field, f.message) for f in check_item(data, TYPOS, rules={3})] == [
        (3, "承诺办结时限", "承诺办结时限「30工作日」应小于法定办结时限「二十工作日」")
    ]
    assert check_item(dict(RECORDS[CLEAN][1], 承诺办结时限="五工作日"), TYPOS) == []


@pytest.mark.parametrize(
    ("value", "levels", "bad"),
    [
        ("1,2,3", {1, 2, 3}, []),
        ("1，2、3", {1, 2, 3}, []),
        ([1, 2], {1, 2}, []),
        (["1", "2"], {1, 2}, []),
        (["互联网咨询", "互联网收件"], {1, 2}, []),
        ("互联网咨询,互联网收件", {1, 2}, []),
        ("", set(), []),
        ([], set(), []),
        (None, set(), []),
        (3, {3}, []),
        ("1,9", {1}, ["9"]),
        (["互联网审批"], set(), ["互联网审批"]),
        ([0], set(), ["0"]),
        ("²", set(), ["²"]),
        ([True], set(), ["true"]),  # as the export writes it, not Python's True
        ([None, {"a": 1}], set(), ["null", '{"a": 1}']),
        ("１,２,３", {1, 2, 3}, []),  # full-width digits
        ([1.0, 2.0], {1, 2}, []),  # a converter's floats
        ([1.5], set(), ["1.5"]),
        ([1, 10**400], {1}, ["1" + "0" * 19 + "…"]),  # too big for a float: no crash
    ],
)
def test_parse_depth(value: object, levels: set[int], bad: list[str]) -> None:
    assert parse_depth(value) == (levels, bad)


@pytest.mark.parametrize(
    ("name", "joined"),
    [
        ("受理、审查", True),
        ("受理审查", True),
        ("受理/审查", True),
        ("受理／审查", True),
        ("受理,审查", True),
        ("审查和决定", True),
        ("受理 审查", True),
        ("审查决定", True),
        ("制证、发证", True),
        ("受理", False),
        ("制证发证", False),
        ("受理申请", False),
        ("现场核查", False),
        ("参与审查", False),
        ("受理（含补正、告知）", False),
        ("受理、", False),
        ("专家论证", False),
        # Read as words: dashes join, a space inside one step's name does not (rule 2's).
        ("受理—办结", True),
        ("受理-审查", True),
        ("受理～审查", True),
        ("现场 勘验", False),
        ("现场勘验", False),
        ("受理并告知申请人", False),
        ("审查 决定", True),
        # A step word naming a document is its object: one step, 受理 or 审查.
        ("受理并出具受理通知书", False),
        ("审查并提出审查意见", False),
        ("审批并送达审批决定书", True),  # 审批, then 送达: two steps
        ("审查后送达决定书", True),  # 送达 a 决定书: the step stays
        ("决定后签发决定书", True),
        ("受理后签发通知书", True),  # 签发 names no document: a step and its object
        ("审批后公示结果", True),
        ("受理后送达受理通知书", True),
        # 至 and 后 join steps as 和 does; a step that names a body is none.
        ("受理至办结", True),
        ("受理后审查", True),
        ("报送至审批机关", False),  # 审批机关 is a body, 报送 no step
        ("窗口受理后转审批科室", False),
        ("受理材料转至审批科室", False),
        ("受理后报审批科室", False),
    ],
)
def test_joined_steps(name: str, joined: bool) -> None:
    assert joined_steps(name) is joined


def test_rules_table_numbers_and_explains_all_thirteen() -> None:
    assert [rule.number for rule in RULES] == list(range(1, 14))
    for rule in RULES:
        assert rule.title
        assert re.search(r"[\u4e00-\u9fff]", rule.explanation)
        assert re.search(r"[A-Za-z]{4,} [a-z]+", rule.gloss), rule.number
        assert not re.search(r"[A-Za-z]{4,} [a-z]+", rule.explanation), rule.number


def test_failing_items_by_department() -> None:
    def finding(item: str, department: str, rule: int) -> Finding:
        return Finding(item, "名称", department, rule, "字段", "说明")

    findings = [
        finding("B", "市公安局", 1),
        finding("A", "市公安局", 2),
        finding("B", "市公安局", 3),
        finding("C", "市民政局", 4),
        finding("D", "", 5),
    ]
    assert failing_items_by_department(findings) == {
        "": ["D"],
        "市公安局": ["A", "B"],
        "市民政局": ["C"],
    }
    assert failing_items_by_department([]) == {}


_FIELDS = [
    "实施编码",
    "事项名称",
    "实施主体",
    "行使层级",
    "办件类型",
    "法定办结时限",
    "承诺办结时限",
    "到办事现场次数",
    "现场办理原因说明",
    "是否全程网办",
    "是否收费",
    "收费依据",
    "是否允许减免",
    "允许减免依据",
    "是否网办",
    "网办深度",
    "是否存在运行系统",
    "是否自建系统",
    "网办地址",
    "申请材料",
    "办理流程",
    "业务流程",
]
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["环节", "办理时限", "审批标准", "材料形式"]), inner)
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(_FIELDS), _JSON))
def test_any_json_record_gives_findings_and_never_raises(data: dict) -> None:
    findings = check_item(data, TYPOS)
    assert all(1 <= f.rule <= 13 and f.field and f.message for f in findings)
    # Rule 11 always has something to say about a record without a 31-character code.
    if not (isinstance(data.get("实施编码"), str) and len(data["实施编码"]) == 31):
        assert any(f.rule == 11 for f in findings)


@pytest.mark.parametrize(
    "depth", ["1, 2, 3", "1;2;3", "1；2；3", "互联网咨询；互联网收件", "１,２"]
)
def test_depth_written_as_rule_12_reads_it_costs_nothing_under_rule_2(depth: str) -> None:
    """网办深度 is a list of codes or names, not descriptive text: the separators rule 12
    accepts (a space after a comma, semicolons) are no special characters of rule 2."""
    data = {**RECORDS[CLEAN][1], "网办深度": depth}
    assert check_item(data, TYPOS) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("更新时间", "2023-05-01 10:00:00"),
        ("更新时间", "2023/5/1 9:05"),
        ("发布日期", "2023.05.01"),
        ("办事指南链接", "http://zwfw.shandong.gov.cn/guide?id=1&type=2#top"),
        ("二维码", "www.yantai.gov.cn/?q=1"),
    ],
)
def test_a_field_wholly_an_address_or_a_date_is_no_text_of_rules_1_and_2(
    field: str, value: str
) -> None:
    """An export carries fields beside the format's: a timestamp (with its space) or a
    link (with ? & = #) is no name or descriptive text, so rules 1 and 2 leave it alone
    as they leave 网办地址 (review BC F3: every item of such an export failed rule 2)."""
    data = {**RECORDS[CLEAN][1], field: value}
    assert check_item(data, TYPOS) == [], value


@pytest.mark.parametrize(
    "value",
    [
        "详见 http://zwfw.shandong.gov.cn",  # prose around an address
        "2023-05-01 上午",  # a date with words after it
        "更新于 2023-05-01",
        "https://www.example.gov.cn/a b",  # a space in an address breaks it: rule 2 says so
        "http://a.gov.cn，需核验原件！",  # prose run on after an address (review BI F2)
    ],
)
def test_text_that_only_holds_an_address_or_a_date_is_still_read(value: str) -> None:
    # The exemption is for a whole value: text around an address or a date is prose, and
    # its space is rule 2's as before.
    data = {**RECORDS[CLEAN][1], "事项名称": value}
    assert {(f.rule, f.field) for f in check_item(data, TYPOS)} == {(2, "事项名称")}


def test_an_address_is_of_url_characters_and_words_after_it_are_read() -> None:
    # 帐号 is a known misspelling (→ 账号). An address is URL characters alone (Chinese in
    # a link is percent-encoded): one run on into Chinese words is prose, its typo found
    # (review BI F2: \S+ took 「http://a.gov.cn，需核验帐号原件！」 whole for an address).
    link = "http://a.gov.cn/%E5%B8%90%E5%8F%B7?id=1&x=2"
    assert check_item({**RECORDS[CLEAN][1], "链接": link}, TYPOS) == []
    for text in ("http://a.gov.cn/帐号", "核验帐号"):
        found = check_item({**RECORDS[CLEAN][1], "现场办理原因说明": text}, TYPOS)
        assert [(f.rule, f.field) for f in found] == [(1, "现场办理原因说明")], text


def test_a_blank_fee_or_relief_answer_breaks_no_rule() -> None:
    # Rule 6 binds 是否收费 否 (then no 收费依据), rule 7 是否允许减免 是 (then a basis):
    # left blank, neither is broken; a word that is neither 是 nor 否 is said.
    clean = RECORDS[CLEAN][1]
    for blank in ("", None, "无"):
        assert check_item({**clean, "是否收费": blank, "是否允许减免": blank}, TYPOS) == []
    found = check_item({**clean, "是否收费": "不收费", "是否允许减免": "可以"}, TYPOS)
    assert [(f.rule, f.field, f.message) for f in found] == [
        (6, "是否收费", "是否收费「不收费」应为「是」或「否」"),
        (7, "是否允许减免", "是否允许减免「可以」应为「是」或「否」"),
    ]


def test_rule_8_reads_the_customs_and_a_police_station_as_naming_their_level() -> None:
    # 海关 is national (垂直管理 under 海关总署), 派出所 a county 公安局's township station:
    # each name says both 层级 and 部门. 由县级部门核发 still lacks the department.
    def notes(*texts: str) -> list[str]:
        material = RECORDS[CLEAN][1]["申请材料"][0]
        materials = [{**material, "来源渠道": "政府部门核发", "来源渠道说明": t} for t in texts]
        data = {**RECORDS[CLEAN][1], "申请材料": materials}
        return [f"{f.field} {f.message}" for f in check_item(data, TYPOS)]

    assert notes("由烟台海关核发", "由户籍所在地派出所出具", "由县级部门核发") == [
        "申请材料[2].来源渠道说明 政府部门核发的材料，来源渠道说明应写明核发部门的层级和名称"
        "（如市级教育部门），现缺少部门名称：「由县级部门核发」"
    ]


@pytest.mark.parametrize("visits", [1.0, "１", 0.0])
def test_visits_written_as_a_float_or_full_width_read_as_the_number(visits: object) -> None:
    data = {**RECORDS[CLEAN][1], "到办事现场次数": visits}
    assert check_item(data, TYPOS) == []
    assert [f.message for f in check_item({**data, "到办事现场次数": 2.0}, TYPOS)] == [
        "到办事现场次数为2，只能为0或1"
    ]


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("https://zwfw.yantai.gov.cn/sp", True),
        ("zwfw.yantai.gov.cn", True),
        ("http://zwfw_sp.yantai.gov.cn/index", True),  # an intranet host with _
        ("http://localhost:8080/sp", True),  # a single-label host after http://
        ("http://10.1.2.3:8080/x", True),
        ("localhost", False),  # no scheme, no dot: not an address
        ("https://zwfw.yantai.gov.cn/a b", False),  # a space in it
        ("待定", False),
        ("http://待定", False),  # placeholders after a scheme are no host
        ("http://无", False),
        ("https://-", False),
        ("http://_", False),
    ],
)
def test_rule_13_takes_what_a_self_built_system_may_have_as_its_address(
    address: str, valid: bool
) -> None:
    data = {
        **RECORDS[CLEAN][1],
        "是否网办": "是",
        "是否存在运行系统": "是",
        "是否自建系统": "是",
        "网办地址": address,
    }
    found = [f.message for f in check_item(data, TYPOS) if f.rule == 13]
    assert found == ([] if valid else [f"网办地址「{address}」不是有效的网址"])


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("需现场核验原件...", "「...」"),  # the measures' own list writes the ellipsis so
        ("需现场核验原件⋯⋯", "「⋯」"),
        ("需现场核验原件……", "「…」"),
        ("需现场核验原件．．．", "「．．．」"),  # as some input methods type it
        ("需现场核验原件。。。", "「。。。」"),
        ("距离1.5公里", None),  # a decimal point is no ellipsis
        ("核验完毕。请到窗口领取", None),  # one 。 ends a sentence
        # Spaces pasted from Word, WPS or a web page: en, em, thin, zero-width.
        ("需现场\u2002核验", "特殊空格（U+2002）"),
        ("需现场\u2003核验", "特殊空格（U+2003）"),
        ("需现场\u2009核验", "特殊空格（U+2009）"),
        ("需现场\u200b核验", "零宽空格"),
    ],
)
def test_rule_2_reads_an_ellipsis_however_typed(text: str, said: str | None) -> None:
    data = {**RECORDS[CLEAN][1], "现场办理原因说明": text}
    found = [f.message for f in check_item(data, TYPOS) if f.rule == 2]
    assert found == ([] if said is None else [f"含特殊字符或空格：{said}，应删除或改为规范表述"])


def test_a_value_is_quoted_as_the_export_writes_it() -> None:
    """A finding quotes JSON true, null and objects as JSON writes them: the clerk reads
    the export, never Python (「True」, 「None」 and {'a': 1} were Python's reprs)."""
    clean = RECORDS[CLEAN][1]
    messages = [
        finding.message
        for changed in (
            {"到办事现场次数": True},
            {"网办深度": {"a": 1}},
            {"网办深度": [1, True, None]},
            {"收费依据": {"依据": "文件"}},
        )
        for finding in check_item({**clean, **changed}, TYPOS)
    ]
    assert messages == [
        "到办事现场次数「true」应为0或1",
        '网办深度「{"a": 1}」无法识别，应为1-8的代码或互联网咨询等名称',
        "网办事项的网办深度应至少勾选到互联网收件，现为未勾选",
        "网办深度「true」无法识别，应为1-8的代码或互联网咨询等名称",
        "网办深度「null」无法识别，应为1-8的代码或互联网咨询等名称",
        "网办事项的网办深度应至少勾选到互联网收件，现为互联网咨询",
        '不收费事项不得填写收费依据，现为「{"依据": "文件"}」',
    ]
