"""`govscore show` and `govscore log`: an entry looked up, the ledger listed and filtered.

A department's liaison must see what was recorded against it, what counts, in which
months and for how much, and what was voided on appeal and why.
"""

from __future__ import annotations

import difflib
import json
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SMALL_DEPARTMENTS, run_process
from govscore.cli.commands import cli
from govscore.rules.lookup import close_ids


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def add(root: Path, *args: str) -> str:
    result = run(root, *args)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


@pytest.fixture
def office(root: Path) -> Path:
    """May to July 2023 in a three-department root:

    2023-05-0001 市公安局 2.4.3 ×3, voided on appeal by 2023-05-0005
    2023-05-0002 市公安局 4.3.1 (−1 in C4), followed up by 2023-05-0003 4.3.2 (−2 in C4)
    2023-05-0004 市民政局 2.4.13 (−5 in C2, referred)
    2023-05-0006 市公安局 3.3.1 ×4: +1.2, capped at 1 in C3 (group A)
    2023-05-0007 市公安局 4.2.4 省级: +0.5, annual (counts in the year only)
    2023-06-0001 市体育局 3.1.3 recurring (−2 a month), closed through 2023-07 by 2023-06-0002
    2023-07-0001 市民政局 1.2.2 (−0.5 in C1)
    2023-07-0002 by hand: an unknown clause, left out of every report
    """
    (root / "departments.toml").write_text(SMALL_DEPARTMENTS, encoding="utf-8")
    may = ["--month", "2023-05", "--by", "王敏"]
    add(root, "add", "-d", "公安局", "-c", "2.4.3", "-n", "3", "--note", "3件超期", *may)
    add(root, "add", "-d", "市公安局", "-c", "4.3.1", "--note", "投诉核实有效", *may)
    add(root, "add", "-d", "市公安局", "-c", "4.3.2", "--ref", "2023-05-0002", *may)
    add(root, "add", "-d", "市民政局", "-c", "2.4.13", *may)
    add(root, "void", "2023-05-0001", "--reason", "申诉成立", "--by", "王敏")
    add(root, "add", "-d", "市公安局", "-c", "3.3.1", "-n", "4", *may)
    add(root, "add", "-d", "市公安局", "-c", "4.2.4", "--level", "省级", *may)
    add(root, "add", "-d", "体育", "-c", "3.1.3", "--recurring", "--month", "2023-06")
    add(root, "close", "2023-06-0001", "--through", "2023-07", "--note", "已完成")
    add(root, "add", "-d", "市民政局", "-c", "1.2.2", "--month", "2023-07", "--by", "李强")
    with (root / "ledger" / "2023-07.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            '\n[[entry]]\nid = "2023-07-0002"\ndepartment = "市民政局"\nclause = "9.9.9"\n'
        )
    return root


SHOW_VOIDED = """\
项目               内容
-----------------  --------------------------------------------------------
编号               2023-05-0001
位置               ledger/2023-05.toml:3
月份               2023-05
部门               市公安局
条款               2.4.3 受理事项未在承诺时限内办结（服务对象个人原因除外）
次数               3
说明               3件超期
记录人             王敏
记录时间           (stamp)
状态               已作废（2023-05-0005：申诉成立），不计分
作废 2023-05-0005  申诉成立 · ledger/2023-05.toml:35
来源               台账尚无提交
"""


def test_show_a_voided_entry(office: Path):
    result = run(office, "show", "2023-05-0001")
    assert result.exit_code == 0, result.output
    stamped = re.sub(r"(记录时间 +)\S+", r"\1(stamp)", result.stdout)
    assert stamped == SHOW_VOIDED
    process = run_process("--root", str(office), "show", "2023-05-0001")
    assert process.returncode == 0 and process.stdout == result.stdout


def test_show_a_void_and_a_close_as_every_show_is_laid_out(office: Path):
    """部门 after 月份, as in every other show (it came after 记录时间), and no 次数: a void
    or close counts nothing (it showed its default count, 1)."""
    void = run(office, "show", "2023-05-0005")
    assert void.exit_code == 0, void.output
    assert re.sub(r"(记录时间 +)\S+", r"\1(stamp)", void.stdout) == (
        "项目      内容\n"
        "--------  --------------------------\n"
        "编号      2023-05-0005\n"
        "位置      ledger/2023-05.toml:35\n"
        "月份      2023-05\n"
        "部门      市公安局\n"
        "作废      2023-05-0001\n"
        "理由      申诉成立\n"
        f"日期      {date.today()}\n"  # the day it was recorded
        "记录人    王敏\n"
        "记录时间  (stamp)\n"
        "状态      有效：所作废的记录不再计分\n"
        "来源      台账尚无提交\n"  # the revision read, as every report says it (AC F3)
    )
    close = run(office, "show", "2023-06-0002").stdout
    assert [line.split()[0] for line in close.splitlines()[2:]] == [
        *("编号", "位置", "月份", "部门", "终止计分", "截至", "日期", "说明", "记录人"),
        *("记录时间", "状态", "来源"),
    ]


def test_a_months_detail_names_its_annual_entries_which_count_in_the_year(office: Path):
    """市体育局's one May entry is the annual 4.2.4: the month's table was empty, as if it
    were lost. It is named, and said to count in 2023 (0.5 for 省级, in the year only);
    市公安局's 2023-05-0007 likewise, below its May lines."""
    add(office, "add", "-d", "市体育局", "-c", "4.2.4", "--level", "省级", "--month", "2023-05")
    result = run(office, "month", "2023-05", "--detail", "-d", "市体育局")
    assert result.exit_code == 1, result.output  # 2023-07-0002's unknown clause
    assert result.stdout == (  # 市体育局 at 100 in every category: nothing counts in May
        "2023-05 月度政务服务工作考评（3 个部门） · 考评依据 2023-03-27 烟政管办〔2023〕2号 · "
        "台账尚无提交 · 市体育局：标准化 100.00，规范化 100.00，便利化 100.00，改革创新 100.00；"
        "总分 100.00\n"
        "编号    月份    条款    类别    计算    分值    说明\n"
        "------  ------  ------  ------  ------  ------  ------\n"
        "2023-05-0008 4.2.4: counts in the 2023 annual assessment, not the month\n\n"
    )
    police = run(office, "month", "2023-05", "--detail", "-d", "市公安局").stdout
    assert police.endswith(
        "\n2023-05-0007 4.2.4: counts in the 2023 annual assessment, not the month\n\n"
    )
    year = run(office, "year", "2023", "--detail", "-d", "市体育局").stdout
    assert "annual assessment" not in year and "2023-05-0008  2023-05  4.2.4" in year


def test_show_counts_a_closed_recurring_entry_month_by_month(office: Path):
    # 3.1.3 is 2 points a month: it stands in June and July (closed through July).
    payload = json.loads(run(office, "show", "2023-06-0001", "--format", "json").stdout)
    assert payload["department"] == "市体育局"
    assert payload["counted"] is True and payload["open"] is False
    assert payload["voided"] is None
    assert payload["closed"] == {"id": "2023-06-0002", "through": "2023-07", "note": "已完成"}
    assert payload["counts"] == [
        {"period": "2023-06", "amount": -2.0, "how": "每月 1 项 × 2", "cap": None},
        {"period": "2023-07", "amount": -2.0, "how": "每月 1 项 × 2", "cap": None},
    ]
    assert [(m["id"], m["kind"], m["in_force"]) for m in payload["mentions"]] == [
        ("2023-06-0002", "close", True)
    ]
    entry = payload["entry"]
    assert (entry["id"], entry["department"], entry["recurring"], entry["file"], entry["line"]) == (
        "2023-06-0001",
        "市体育局",
        True,
        "ledger/2023-06.toml",
        3,
    )
    assert entry["month"] == "2023-06" and entry["count"] == 1 and entry["points"] is None


def test_a_recurring_entry_with_a_count_reads_as_items_each_month(root: Path):
    """2.4.9 and 3.1.5 deduct 每月 (unit 月). A recurring entry stands once a month, so
    its count is the matters outstanding: -n 2 read "2 个月 × 1" in every month, as if
    two months. Its working now reads per month, in both languages (a report's words are
    Chinese in both); a 2.4.9 -n 2 that is not recurring books two months at once.
    October: C2 = 100 − 2 × 1 (recurring) − 2 × 1 (October's own) = 96;
    C3 = 100 − 2 × 0.7 = 98.6; total = 25 + 0.40×96 + 0.20×98.6 + 15
    = 25 + 38.4 + 19.72 + 15 = 98.12."""
    (root / "departments.toml").write_text(SMALL_DEPARTMENTS, encoding="utf-8")
    september = ["-d", "市公安局", "--recurring", "-n", "2", "--month", "2023-09", "--by", "王敏"]
    add(root, "add", "-c", "2.4.9", *september)
    add(root, "add", "-c", "3.1.5", "--points", "0.7", *september)
    add(root, "add", "-d", "市公安局", "-c", "2.4.9", "-n", "2", "--month", "2023-10")
    for lang in ("zh", "en"):
        runner = CliRunner(env={"GOVSCORE_LANG": lang})
        detail = runner.invoke(cli, ["--root", str(root), "month", "2023-10", "--detail"])
        assert detail.exit_code == 0, detail.output
        assert detail.stdout == (
            "2023-10 月度政务服务工作考评（3 个部门） · 考评依据 2023-03-27 烟政管办〔2023〕2号 · "
            "台账尚无提交 · 市公安局：标准化 100.00，规范化 96.00，便利化 98.60，改革创新 100.00；"
            "总分 98.12\n"
            "编号          月份     条款    类别    计算             分值    说明\n"
            "------------  -------  ------  ------  ---------------  ------  --------\n"
            "2023-09-0001  2023-09  2.4.9   规范化  每月 2 项 × 1    -2.00   逐月计分\n"
            "2023-10-0001  2023-10  2.4.9   规范化  2 个月 × 1       -2.00\n"
            "2023-09-0002  2023-09  3.1.5   便利化  每月 2 项 × 0.7  -1.40   逐月计分\n\n"
        )
        shown = runner.invoke(cli, ["--root", str(root), "show", "2023-09-0002"])
        assert shown.exit_code == 0, shown.output
        assert re.sub(r"(记录时间 +)\S+", r"\1(stamp)", shown.stdout) == (
            "项目          内容\n"
            "------------  ----------------------------------------\n"
            "编号          2023-09-0002\n"
            "位置          ledger/2023-09.toml:12\n"
            "月份          2023-09\n"
            "部门          市公安局\n"
            '条款          3.1.5 配合部门不配合致"一件事"任务未完成\n'
            "次数          2\n"
            "分值          0.7\n"
            "逐月计分      是\n"
            "记录人        王敏\n"
            "记录时间      (stamp)\n"
            "状态          计分\n"
            "计分 2023-09  -1.40（每月 2 项 × 0.7）\n"
            "计分 2023-10  -1.40（每月 2 项 × 0.7）\n"
            "以后各月      逐月计分，直至终止计分\n"
            "来源          台账尚无提交\n"
        )


def test_show_names_follow_ups_caps_and_annual_clauses(office: Path):
    complaint = json.loads(run(office, "show", "2023-05-0002", "--format", "json").stdout)
    assert complaint["counts"] == [
        {"period": "2023-05", "amount": -1.0, "how": "1 件次 × 1", "cap": None}
    ]
    [follow_up] = complaint["mentions"]
    assert (follow_up["id"], follow_up["kind"], follow_up["clause"]) == (
        "2023-05-0003",
        "ref",
        "4.3.2",
    )
    # 4 × 0.3 = 1.2 before the cap; group A allows 1 a month, so 0.2 of it is cut.
    bonus = json.loads(run(office, "show", "2023-05-0006", "--format", "json").stdout)
    assert bonus["counts"] == [
        {
            "period": "2023-05",
            "amount": 1.2,
            "how": "4 件次 × 0.3",
            "cap": {"group": "A", "earned": 1.2, "limit": 1.0},
        }
    ]
    # 4.2.4 is annual: 省级 0.5 counts in the year 2023, in no month.
    annual = json.loads(run(office, "show", "2023-05-0007", "--format", "json").stdout)
    assert annual["counts"] == [
        {"period": "2023", "amount": 0.5, "how": "省级 1 项 × 0.5", "cap": None}
    ]


def test_show_a_void_and_an_entry_with_a_problem(office: Path):
    void = run(office, "show", "2023-05-0005", "--format", "csv")
    assert void.exit_code == 0
    rows = void.stdout.splitlines()
    assert rows[0] == "项目,内容"
    assert "作废,2023-05-0001" in rows
    assert "理由,申诉成立" in rows
    assert "部门,市公安局" in rows  # the department of the entry it voids
    bad = json.loads(run(office, "show", "2023-07-0002", "--format", "json").stdout)
    assert bad["counted"] is False and bad["counts"] == []
    assert [p["message"] for p in bad["problems"]] == [  # JSON: in Chinese (issue 13)
        "未知条款 '9.9.9'（运行 `govscore clauses` 查看列表）"
    ]


def test_show_an_unknown_id_says_what_was_meant(office: Path):
    result = run(office, "show", "2023-05-001")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        "error: no entry '2023-05-001' in the ledger; did you mean 2023-05-0001 or "
    )
    process = run_process("--root", str(office), "show", "1999-01-0001")
    assert process.returncode == 1 and process.stdout == ""
    assert "no entry '1999-01-0001' in the ledger" in process.stderr
    assert "Traceback" not in process.stderr


def test_did_you_mean_looks_among_the_entries_only_summed(office: Path):
    """2023-07-0001 is a plain entry that nothing names: `show` sums it as read, never
    making an entry of it, and still offers it for a mistyped id."""
    result = run(office, "show", "2023-07-00001")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: no entry '2023-07-00001' in the ledger; did you mean 2023-07-0001 or "
        "2023-07-0002 or 2023-06-0001? (`govscore log` lists the entries)\n"
    )


def test_close_ids_among_a_million_weighs_those_one_keystroke_away():
    """Past WEIGHED_IDS (here 100, 20,000 in use), did-you-mean weighs only ids one keystroke from what
    was typed: each kind of slip is still found, as difflib would rank it among those."""
    ids = {f"2023-{m:02d}-{n:06d}": None for m in range(1, 13) for n in range(95, 196)}
    slips = {
        "2023-06-00100": "a character left out",
        "2023-06-0001000": "one added",
        "2023-06-000209": "one changed",
        "2023-06-000010": "two swapped",
        "2023-06-00o100": "a letter for a digit",
    }
    for written in slips:
        near = [i for i in ids if _distance(written, i) == 1]
        expected = difflib.get_close_matches(written, near, n=3, cutoff=0.6)
        assert close_ids(written, ids, weighed=100) == expected, slips[written]
        assert expected, written
    assert close_ids("1999-01-0001", ids, weighed=100) == []
    few = list(ids)[:100]
    assert close_ids("2023-01-0001", few, weighed=100) == difflib.get_close_matches(
        "2023-01-0001", few
    )


def _distance(a: str, b: str) -> int:
    """Optimal string alignment distance (a swap of neighbours counts as one)."""
    rows = [[i + j if not i * j else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[-1][-1]


LOG_CSV = """\
编号,月份,部门,条款,记录,日期,说明,记录人,状态,位置
2023-05-0001,2023-05,市公安局,2.4.3,×3,,3件超期,王敏,已作废（2023-05-0005：申诉成立）,ledger/2023-05.toml:3
2023-05-0002,2023-05,市公安局,4.3.1,,,投诉核实有效,王敏,计分,ledger/2023-05.toml:12
2023-05-0003,2023-05,市公安局,4.3.2,关联 2023-05-0002,,,王敏,计分,ledger/2023-05.toml:20
2023-05-0005,2023-05,市公安局,2.4.3,作废 2023-05-0001：申诉成立,{today},,王敏,有效,ledger/2023-05.toml:35
2023-05-0006,2023-05,市公安局,3.3.1,×4,,,王敏,计分,ledger/2023-05.toml:43
2023-05-0007,2023-05,市公安局,4.2.4,省级,,,王敏,计分,ledger/2023-05.toml:51
"""


def test_log_of_a_department_lists_its_entries_and_the_voids_of_them(office: Path):
    # 2023-05-0004 is 市民政局's; the void 2023-05-0005 is about 市公安局's 2023-05-0001.
    entries = json.loads(run(office, "log", "-d", "公安局", "--format", "json").stdout)
    today = entries[3]["date"]  # a void is dated the day it is recorded
    result = run(office, "log", "-d", "公安局", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout == LOG_CSV.format(today=today)


def test_a_void_of_a_close_is_listed_and_shown_under_the_entry_the_close_closed(office: Path):
    """Review AY F5: voiding 市体育局's close of 3.1.3 makes the deduction run again from
    August, yet the void had no department or clause: `log -d` and `log -c` left it out,
    log JSON had them null and `show` no 部门. It goes with the entry the close closed."""
    void = add(office, "void", "2023-06-0002", "--reason", "误关")
    assert void == "2023-06-0003"
    listed = ["2023-06-0001", "2023-06-0002", "2023-06-0003"]
    for chosen in (["-d", "体育"], ["-c", "3.1.3"]):
        logged = json.loads(run(office, "log", *chosen, "--format", "json").stdout)
        assert [(e["id"], e["department"], e["clause"]) for e in logged] == [
            (entry, "市体育局", "3.1.3") for entry in listed
        ]
    shown = run(office, "show", void).stdout.splitlines()
    assert [line.split()[:2] for line in shown[2:7]] == [
        ["编号", void],
        ["位置", "ledger/2023-06.toml:20"],
        ["月份", "2023-06"],
        ["部门", "市体育局"],
        ["作废", "2023-06-0002"],
    ]
    assert (
        json.loads(run(office, "show", void, "--format", "json").stdout)["department"] == "市体育局"
    )


def test_log_json_contract(office: Path):
    payload = json.loads(run(office, "log", "--voided", "--format", "json").stdout)
    [voided] = payload
    assert voided["voided"] == {"id": "2023-05-0005", "reason": "申诉成立"}
    recorded = voided.pop("recorded")
    assert recorded.startswith("20")
    assert voided == {
        "id": "2023-05-0001",
        "department": "市公安局",
        "clause": "2.4.3",
        "count": 3,
        "points": None,
        "level": None,
        "value": None,
        "numerator": None,
        "denominator": None,
        "matter": None,
        "ref": None,
        "recurring": False,
        "void": None,
        "reason": None,
        "close": None,
        "through": None,
        "date": None,
        "note": "3件超期",
        "by": "王敏",
        "key": None,
        "month": "2023-05",
        "file": "ledger/2023-05.toml",
        "line": 3,
        "voided": {"id": "2023-05-0005", "reason": "申诉成立"},
        "problems": [],
        # As the table's 状态; show's department_until (review AW F3).
        "status": "已作废（2023-05-0005：申诉成立）",
        "department_until": None,
    }
    everything = json.loads(run(office, "log", "--format", "json").stdout)
    assert [e["id"] for e in everything] == [
        "2023-05-0001",
        "2023-05-0002",
        "2023-05-0003",
        "2023-05-0004",
        "2023-05-0005",
        "2023-05-0006",
        "2023-05-0007",
        "2023-06-0001",
        "2023-06-0002",
        "2023-07-0001",
        "2023-07-0002",
    ]
    assert [e["voided"] for e in everything].count(None) == 10
    assert everything[-1]["problems"][0]["message"].startswith("未知条款 '9.9.9'")
    # A void is listed under the department and clause of the entry it names, as every
    # other format lists it, and has no count (review AC F1: "", "" and 1).
    void = everything[4]
    assert (void["id"], void["void"]) == ("2023-05-0005", "2023-05-0001")
    assert (void["department"], void["clause"], void["count"]) == ("市公安局", "2.4.3", None)
    # show's entry object gives the fields as recorded: a void records none of them.
    shown = json.loads(run(office, "show", "2023-05-0005", "--format", "json").stdout)
    assert (shown["department"], shown["clause"]) == ("市公安局", "2.4.3")
    entry = shown["entry"]
    assert (entry["department"], entry["clause"], entry["count"]) == (None, None, None)


def ids(root: Path, *args: str) -> list[str]:
    result = run(root, "log", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return [e["id"] for e in json.loads(result.stdout)]


def test_log_filters(office: Path):
    assert ids(office, "-c", "4.3") == ["2023-05-0002", "2023-05-0003"]
    assert ids(office, "-c", "2.4.13", "-c", "1.2.2") == ["2023-05-0004", "2023-07-0001"]
    assert ids(office, "--month", "2023-06") == ["2023-06-0001", "2023-06-0002"]
    assert ids(office, "--from", "2023-06") == [
        "2023-06-0001",
        "2023-06-0002",
        "2023-07-0001",
        "2023-07-0002",
    ]
    assert ids(office, "--to", "2023-05", "-d", "市民政局") == ["2023-05-0004"]
    assert ids(office, "-d", "体育") == ["2023-06-0001", "2023-06-0002"]  # the close goes with it
    both = run(office, "log", "--month", "2023-05", "--from", "2023-04")
    assert both.exit_code == 2 and "not both" in both.stderr
    assert ids(office, "--from", "2023-06", "--to", "2023-06") == ["2023-06-0001", "2023-06-0002"]
    reversed_ = run(office, "log", "--from", "2023-07", "--to", "2023-05")
    assert (reversed_.exit_code, reversed_.stdout) == (2, "")
    assert reversed_.stderr == (
        "error: --from 2023-07 is after --to 2023-05: did you mean --from 2023-05 --to 2023-07?\n"
    )
    unknown = run(office, "log", "-c", "2.4.33")
    assert unknown.exit_code == 2 and "did you mean 2.4.3" in unknown.stderr
    nobody = run(office, "log", "-d", "市公按局")
    assert nobody.exit_code == 2 and "did you mean 市公安局" in nobody.stderr
    empty = run(office, "log", "--month", "2023-01")
    assert empty.exit_code == 0
    assert empty.stderr == "no entries match (ledger has no commits yet)\n"


def test_a_long_log_is_set_a_page_at_a_time(office: Path, monkeypatch: pytest.MonkeyPatch):
    """A log streams (a province's is a million entries): an aligned table is set a page
    of ROWS_PER_TABLE rows at a time, each under its header; CSV and JSON are one text
    whatever the page (json_array_pieces writes json_text's: see test_items_stream)."""
    from govscore.report import render

    whole = {fmt: run(office, "log", "--format", fmt).stdout for fmt in ("table", "csv", "json")}
    monkeypatch.setattr(render, "ROWS_PER_TABLE", 4)
    paged = run(office, "log").stdout
    pages = paged.rstrip("\n").split("\n\n")
    assert len(pages) == 3  # the fixture's 11 entries: 4, 4 and 3
    assert all(page.split("\n")[0].split()[:2] == ["编号", "月份"] for page in pages)
    ids = [line.split()[0] for page in pages for line in page.split("\n")[2:]]
    assert ids == [line.split()[0] for line in whole["table"].splitlines()[2:]]
    assert run(office, "log", "--format", "csv").stdout == whole["csv"]
    assert run(office, "log", "--format", "json").stdout == whole["json"]
    assert json.loads(whole["json"])[0]["id"] == "2023-05-0001"


def test_log_table_markdown_and_a_real_process_agree(office: Path):
    table = run(office, "log", "-d", "体育")
    assert table.exit_code == 0
    assert table.stdout.splitlines()[0].split() == [
        "编号", "月份", "部门", "条款", "记录", "日期", "说明", "记录人", "状态", "位置"
    ]  # fmt: skip
    assert "计分至 2023-07（2023-06-0002）" in table.stdout
    markdown = run(office, "log", "-d", "体育", "--format", "markdown").stdout
    assert markdown.splitlines()[1].startswith("|---")
    process = run_process("--root", str(office), "log", "-d", "体育")
    assert process.returncode == 0 and process.stdout == table.stdout


def test_a_bonus_follow_up_is_called_one(root: Path):
    """4.1.2 adds 5 to a 4.1.1 project accepted at the province: in Chinese a 追加加分,
    not the 追加扣分 of the deductions' follow-ups (2.3.10)."""
    zh = CliRunner(env={"GOVSCORE_LANG": "zh"})
    args = ["--root", str(root), "add", "-d", "市公安局", "--month", "2023-05"]
    missing = zh.invoke(cli, [*args, "-c", "4.1.2"])
    assert missing.exit_code == 1
    assert "条款 4.1.2 为追加加分：请填写关联，即所关联的 4.1.1 记录编号（--ref）" in missing.stderr
    project = zh.invoke(cli, [*args, "-c", "4.1.1"]).stdout.strip()
    bonus = zh.invoke(cli, [*args, "-c", "4.1.2", "--ref", project]).stdout.strip()
    shown = zh.invoke(cli, ["--root", str(root), "show", project]).stdout
    assert f"追加加分 {bonus}" in shown and "追加扣分" not in shown


def test_a_veto_follow_up_is_called_one(root: Path):
    """4.4.5 (上述失误情节严重) vetoes what 4.4.4 found: neither 追加扣分 nor 追加加分."""
    zh = CliRunner(env={"GOVSCORE_LANG": "zh"})
    args = ["--root", str(root), "add", "-d", "市公安局", "--month", "2023-05"]
    missing = zh.invoke(cli, [*args, "-c", "4.4.5"])
    assert (
        "条款 4.4.5 为关联原记录的一票否决：请填写关联，即所关联的 4.4.4 记录编号（--ref）"
        in missing.stderr
    )
    mistake = zh.invoke(cli, [*args, "-c", "4.4.4"]).stdout.strip()
    veto = zh.invoke(cli, [*args, "-c", "4.4.5", "--ref", mistake]).stdout.strip()
    shown = zh.invoke(cli, ["--root", str(root), "show", mistake]).stdout
    assert f"一票否决 {veto}" in shown and "追加" not in shown


def test_a_voided_follow_up_is_said_to_be_voided(root: Path):
    """show of an original names a follow-up voided on appeal as 已作废 (the glossary's
    word, as log and the follow-up's own show say), not as 无效 (an entry with a problem)."""
    zh = CliRunner(env={"GOVSCORE_LANG": "zh"})
    args = ["--root", str(root), "add", "-d", "市公安局", "--month", "2023-05"]
    complaint = zh.invoke(cli, [*args, "-c", "4.3.1"]).stdout.strip()
    follow = zh.invoke(cli, [*args, "-c", "4.3.3", "--ref", complaint]).stdout.strip()
    voided = zh.invoke(cli, ["--root", str(root), "void", follow, "--reason", "申诉成立"])
    assert voided.exit_code == 0, voided.output
    shown = zh.invoke(cli, ["--root", str(root), "show", complaint]).stdout
    line = next(line for line in shown.splitlines() if follow in line)
    assert "（已作废，不计）" in line and "无效" not in line


def test_log_over_a_line_that_does_not_parse_says_so_and_exits_1(office: Path):
    """An entry with a problem is listed with it (2023-07-0002's unknown clause), but a
    line that does not parse is in no list: log exited 0 without a word, where `month`
    names it and exits 1 (review U F4). The JSON on stdout still reads."""
    with (office / "ledger" / "2023-07.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[[entry]]\nid = "2023-07-0003"\ndepartment = "市公安局\n')
    result = run(office, "log", "--month", "2023-07", "--format", "json")
    assert result.exit_code == 1
    listed = [entry["id"] for entry in json.loads(result.stdout)]
    assert listed == ["2023-07-0001", "2023-07-0002"]
    said = result.stderr.splitlines()
    assert said[0] == "2 entries listed (ledger has no commits yet)"
    assert said[1].startswith("ledger/2023-07.toml:")
    assert said[-1] == (
        "warning: 1 problem in the ledger; entries with problems are not counted "
        "(run `govscore check`)"
    )
