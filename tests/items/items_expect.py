"""What the corpus records must produce: item code → the exact set of (rule, field).

Records are named by rule and case (code(10, 3) is the 3rd record breaking rule 10, in
r10-*.json); code(0, n) are the edge cases in passing.jsonl, which must pass every rule.
"""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
USCC = "11370600MB2853052T"

CLEAN = f"{USCC}3000000000000"


def code(rule: int, case: int, level: str = "3") -> str:
    """The 31-character 实施编码 of a corpus record: the level code is the 19th character."""
    return f"{USCC}{level}{rule:02d}{case:02d}00000000"


M = "申请材料"
H = "办理流程"
B = "业务流程"

EXPECTED: dict[str, set[tuple[int, str]]] = {
    CLEAN: set(),
    # 1 错别字
    code(1, 1): {(1, f"{M}[0].来源渠道说明")},  # 登陆山东政务服务网
    code(1, 2): {(1, "事项名称")},  # 峻工 (common list)
    code(1, 3): {(1, f"{M}[1].材料名称"), (1, "现场办理原因说明")},  # 营业执造, 身分证
    code(1, 4): {(1, f"{H}[1].审批标准")},  # 申清
    code(1, 5): set(),  # 审批服务居: only in the root's typos.tsv (see test_root_typos)
    code(1, 6): {(1, f"{M}[0].材料名称")},  # 帐户 and 帐号 in one field
    # r01-words.json: words, not substrings. Correct texts that hold a wrong form inside
    # longer words, and their faulty twins where the wrong form stands as words.
    code(1, 7): set(),  # 按装订顺序排列: 按 / 装订 / 顺序排列, no 按装
    code(1, 8): set(),  # 既使用纸质版: 既 / 使用, no 既使
    code(1, 9): set(),  # 请按装修图纸: 按 / 装修, no 按装
    code(1, 10): {(1, "事项名称")},  # 燃气设施按装许可: 按 / 装 / 许可, 按装 meant 安装
    code(1, 11): {(1, f"{H}[1].审批标准")},  # 既使材料不全: 既 / 使 / 材料, 既使 meant 即使
    code(1, 12): set(),  # 按装置说明下载: 按 / 装置, no 按装
    # 2 特殊字符及空格
    code(2, 1): {(2, "事项名称")},  # half-width space
    code(2, 2): {(2, "现场办理原因说明")},  # full-width space
    code(2, 3): {(2, f"{M}[0].材料名称")},  # #
    code(2, 4): {(2, f"{B}[1].审批标准")},  # ！
    code(2, 5): {(2, f"{M}[2].来源渠道说明")},  # ；
    code(2, 6): {
        (2, "事项名称"),  # …
        (2, "实施主体"),  # @
        (2, "现场办理原因说明"),  # ?
        (2, f"{M}[0].纸质材料规格"),  # *
    },
    code(2, 7): {
        (2, f"{M}[0].材料名称"),  # +
        (2, f"{H}[2].审批标准"),  # =
        (2, f"{M}[1].来源渠道说明"),  # &
        (2, f"{B}[0].审批标准"),  # ？
    },
    code(2, 8): {(2, "事项名称")},  # no-break space
    code(2, 9): {(2, "承诺办结时限")},  # "5 工作日": a space, but a readable limit (not rule 3)
    # 3 承诺办结时限
    code(3, 1): {(3, "承诺办结时限")},  # empty
    code(3, 2): {(3, "承诺办结时限")},  # 无
    code(3, 3): {(3, "承诺办结时限")},  # 5个工作日 (steps only)
    code(3, 4): {(3, "承诺办结时限")},  # 5天
    code(3, 5): {(3, "承诺办结时限")},  # missing
    code(3, 6): {(3, "承诺办结时限")},  # equal to 法定
    code(3, 7): {(3, "承诺办结时限")},  # above 法定
    code(3, 8): {(3, "承诺办结时限")},  # 1工作日 against 法定 当场
    code(3, 9): {(3, "承诺办结时限")},  # a bare number
    # 4 即办件
    code(4, 1): {(4, "承诺办结时限")},  # 即办件 promising 2 days
    code(4, 2): {(4, "办件类型")},  # missing
    code(4, 3): {(4, "办件类型")},  # 即办
    # 5 到办事现场次数
    code(5, 1): {(5, "到办事现场次数")},  # 2
    code(5, 2): {(5, "到办事现场次数")},  # fully online with 1 visit
    code(5, 3): {(5, "现场办理原因说明")},  # 1 visit, no reason
    code(5, 4): {(5, "到办事现场次数")},  # missing
    code(5, 5): {(5, "是否全程网办")},  # missing
    code(5, 6): {(5, "到办事现场次数"), (5, "现场办理原因说明")},  # 2, no reason
    code(5, 7): {(5, "到办事现场次数")},  # 一次
    # 6 收费依据
    code(6, 1): {(6, "收费依据")},
    code(6, 2): set(),  # 是否收费 missing: rule 6 binds 否 only, so nothing is broken
    code(6, 3): {(6, "是否收费")},
    # 7 减免依据
    code(7, 1): {(7, "允许减免依据")},
    code(7, 2): {(7, "允许减免依据")},
    code(7, 3): set(),  # 是否允许减免 missing: rule 7 binds 是 only
    # 8 来源渠道
    code(8, 1): {(8, f"{M}[0].来源渠道")},  # 自备
    code(8, 2): {(8, f"{M}[0].来源渠道说明")},  # empty
    code(8, 3): {(8, f"{M}[1].来源渠道说明")},  # 政府部门核发 without level
    code(8, 4): {(8, f"{M}[1].来源渠道说明")},  # 政府部门核发 without department
    code(8, 5): {(8, f"{M}[1].来源渠道说明")},  # 市场… is no level
    code(8, 6): {(8, f"{M}[2].来源渠道说明")},  # intermediary without qualification
    code(8, 7): {(8, f"{M}[0].来源渠道")},  # missing
    code(8, 8): {(8, f"{M}[1].来源渠道说明")},  # missing
    # r08-words.json: a level or a department read as words.
    code(8, 9): {(8, f"{M}[1].来源渠道说明")},  # 住房和城乡建设部门: 乡 of 城乡 is no level
    code(8, 10): set(),  # 乡镇人民政府: level 乡镇, unit 人民政府
    code(8, 11): set(),  # 乡镇司法所: level 乡镇, unit 司法所 (a township unit)
    code(8, 12): set(),  # 烟台市住房和城乡建设局: 市…局 names level and department
    code(8, 13): {(8, f"{M}[1].来源渠道说明")},  # 农村集体经济组织: 村 of 农村, no unit
    code(8, 14): set(),  # 经…登记的检测机构: the standing stated by who registered it
    code(8, 15): {(8, f"{M}[2].来源渠道说明")},  # 市场上的检测机构: no qualification
    code(8, 16): {(8, f"{M}[1].来源渠道说明")},  # 市场监督管理局: 市 of 市场 is no level
    # A body named in full is one word (山东省公安厅): its 省/市 inside it names the level.
    code(8, 17): set(),  # 山东省公安厅: 山东省 + 公安厅
    code(8, 18): set(),  # 北京市人民政府: 北京市 + 人民政府
    code(8, 19): set(),  # 公安部: a ministry of the State Council, national by its name
    # A bare 部门 names no department: 哪一层级的哪一部门 (附件2).
    code(8, 20): {(8, f"{M}[1].来源渠道说明")},  # 县级部门: a level, no department
    code(8, 21): {(8, f"{M}[1].来源渠道说明")},  # 人民政府有关部门: which department?
    code(8, 22): {(8, f"{M}[1].来源渠道说明")},  # 国务院有关部门: the same, nationally
    code(8, 23): set(),  # 省级发展改革部门: 附件2's own example (发展 / 改革 / 部门)
    # 9 材料类型/材料形式
    code(9, 1): {(9, f"{M}[0].材料类型")},  # 正本
    code(9, 2): {(9, f"{M}[0].材料形式")},  # 纸质
    code(9, 3): {(9, f"{M}[0].纸质材料规格")},  # paper without size (offline item)
    code(9, 4): {(9, f"{M}[0].材料形式")},  # online item, paper only
    code(9, 5): {(9, f"{M}[2].材料形式")},  # online item, 实物类
    code(9, 6): {(9, f"{M}[1].材料类型")},  # missing
    code(9, 7): {(9, M)},  # not a list
    code(9, 8): {(9, f"{M}[2].纸质材料规格")},  # 纸质版和电子版 without size
    code(9, 9): {(9, f"{M}[0]")},  # element not an object
    code(9, 10): {(9, f"{M}[0].材料形式")},  # missing
    # 10 办理流程/业务流程
    code(10, 1): {(10, f"{H}[1].环节")},  # 受理、审查
    code(10, 2): {(10, f"{B}[0].环节")},  # 受理审查
    code(10, 3): {(10, f"{B}[1].环节")},  # 审查/决定
    code(10, 4): {(10, f"{H}[2].审批标准"), (10, f"{B}[3].审批标准")},  # empty, missing
    code(10, 5): {(10, H)},  # sum 6 against 5
    code(10, 6): {(10, B)},  # sum 4 against 5
    code(10, 7): set(),  # 一个工作日 reads 1, as 1个工作日 does: 0 + 1 + 4 = 5, the promise
    code(10, 8): {(10, H), (10, B)},  # missing, empty
    code(10, 9): {(10, B)},  # 当场 promised, a business step of 1 day
    code(10, 10): {(10, f"{H}[0].环节")},  # empty name
    code(10, 11): {(10, f"{B}[2]")},  # step not an object
    code(10, 12): {(10, f"{H}[1].办理时限")},  # empty limit
    code(10, 13): {(10, f"{H}[1].环节")},  # 受理和审查
    # r10-words.json: steps read as words.
    code(10, 14): {(10, f"{H}[1].环节")},  # 受理—办结: joined by a dash
    code(10, 15): {(10, f"{B}[1].环节")},  # 受理-审查: joined by a hyphen
    code(10, 16): set(),  # 受理并告知申请人: 申请人 is a word, not the step 申请
    code(10, 17): {(10, f"{B}[1].环节")},  # 受理与审查: two steps joined by 与
    # 11 实施编码 vs 行使层级
    code(11, 1, "4"): {(11, "行使层级")},  # 19th char 4 (县级), 行使层级 市级
    code(11, 2)[:-1]: {(11, "实施编码")},  # 30 characters
    code(11, 3): {(11, "行使层级")},  # 地市级
    code(11, 4): {(11, "行使层级")},  # missing
    code(11, 5, "9"): {(11, "实施编码")},  # 19th char not a level code
    code(11, 6): {(11, "行使层级")},  # 19th char 3 (市级), 行使层级 县级
    # 12 网办深度
    code(12, 1): {(12, "网办深度")},  # online, 咨询 only
    code(12, 2): {(12, "网办深度")},  # online, nothing
    code(12, 3): {(12, "网办深度")},  # 预审 without 收件
    code(12, 4): {(12, "网办深度")},  # "1,3"
    code(12, 5): {(12, "网办深度")},  # offline with 收件
    code(12, 6): {(12, "网办深度")},  # unknown name
    code(12, 7): {(12, "是否网办")},  # missing
    code(12, 8): {(12, "是否网办")},  # Y
    code(12, 9): {(12, "网办深度")},  # code 9
    code(12, 10): {(12, "网办深度")},  # 其他 alone
    code(12, 11): {(12, "网办深度")},  # offline with "2"
    # 13 网办地址
    code(13, 1): {(13, "是否存在运行系统")},  # 否
    code(13, 2): {(13, "网办地址")},  # unified platform with an address
    code(13, 3): {(13, "网办地址")},  # own system without address
    code(13, 4): {(13, "是否自建系统")},  # missing
    code(13, 5): {(13, "网办地址")},  # 待定 is no address
    code(13, 6): {(13, "是否存在运行系统")},  # missing
    # passing.jsonl: edges that must pass every rule
    **{code(0, case): set() for case in range(1, 20)},
    code(0, 20, "4"): set(),  # 县级
    code(0, 21, "5"): set(),  # 镇(乡、街道)级
    code(0, 22, "5"): set(),  # 镇（乡、街道）级, full-width brackets
    code(0, 23, "6"): set(),  # 村(社区)级
    code(0, 24, "1"): set(),  # 国家级
    code(0, 25, "2"): set(),  # 省级
    **{code(0, case): set() for case in range(26, 29)},
}
