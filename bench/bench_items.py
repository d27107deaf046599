"""How fast ``govscore items check`` reads and checks a city's worth of item records.

Generates N realistic records (default 100,000: mostly clean, about a third breaking one or
two rules) as .jsonl files in a temp folder (or in --write DIR, kept), then times reading +
checking them through the same code the command runs (median of 3 runs, in one process and
with the default workers), reports peak memory, and times one real
``govscore items check DIR --summary`` process: the goal (100,000 items in at most 10 s)
is stated for that process, start-up included.

    .venv/bin/python bench/bench_items.py [--count N] [--runs 3] [--write DIR]
        [--formats json table ...] [--commands-only]

``--runs 0`` only generates (with --write, to time the command by hand). ``--formats``
times ``items check`` printing every finding in those formats as real processes;
with ``--commands-only`` and a --write DIR that holds records already, nothing else is
done (a million records: ``--count 1000000 --write DIR --formats json table
--commands-only``).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import measure, median_of
from govscore.items.checking import run_check
from govscore.items.typos import default_typos

DEPARTMENTS = (
    "市公安局",
    "市民政局",
    "市司法局",
    "市人力资源和社会保障局",
    "市自然资源和规划局",
    "市生态环境局",
    "市住房和城乡建设局",
    "市交通运输局",
    "市水利局",
    "市农业农村局",
    "市商务局",
    "市文化和旅游局",
    "市卫生健康委员会",
    "市应急管理局",
    "市行政审批服务局",
    "市市场监督管理局",
)
ITEMS = (
    "建设工程消防验收",
    "建设工程规划许可证核发",
    "食品经营许可",
    "药品零售企业许可",
    "公共场所卫生许可",
    "道路运输经营许可",
    "取水许可",
    "建筑工程施工许可证核发",
    "特种设备使用登记",
    "社会团体成立登记",
    "排污许可证核发",
    "人力资源服务许可",
    "旅行社设立许可",
    "危险化学品经营许可",
)
MATERIALS = (
    ("申请表", "申请人自备", "登录山东政务服务网下载填写"),
    ("营业执照", "政府部门核发", "由市级市场监督管理部门核发"),
    ("法定代表人身份证明", "政府部门核发", "由县级公安机关核发"),
    ("检测报告", "中介机构或法定机构产生", "由具备相应检测资质的检测机构出具"),
    ("授权委托书", "申请人自备", "申请人自行拟定并签字盖章"),
    ("场所平面图", "其他", "委托具备测绘资质的单位绘制或申请人自行绘制"),
    ("不动产权证书", "政府部门核发", "由县级自然资源主管部门核发"),
)
LEVELS = (("3", "市级"), ("3", "市级"), ("3", "市级"), ("4", "县级"), ("2", "省级"))


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def _limit(days: int) -> str:
    return f"{days}工作日"


def clean_record(number: int, rng: random.Random) -> dict[str, Any]:
    """A record that passes all 13 rules, varied like a real export."""
    digit, level = rng.choice(LEVELS)
    promised = rng.choice((0, 1, 3, 5, 7, 10, 15))
    legal = promised + rng.choice((5, 10, 15))
    online = rng.random() < 0.9
    depth = rng.randint(2, 5) if online else rng.randint(0, 1)
    paper_only = not online
    materials = []
    for index, (name, channel, note) in enumerate(rng.sample(MATERIALS, rng.randint(1, 6))):
        form = "纸质版" if paper_only else rng.choice(("电子版", "纸质版和电子版"))
        materials.append(
            {
                "材料名称": name,
                "来源渠道": channel,
                "来源渠道说明": note,
                "材料类型": rng.choice(("原件", "复印件", "原件或复印件")),
                "材料形式": form,
                "纸质材料规格": "A4" if "纸质" in form else "",
                "份数": index + 1,
            }
        )
    handling = _split(promised, 3, rng)
    business = _split(promised, 4, rng)
    visits = rng.choice((0, 1)) if online else 1
    return {
        "实施编码": f"11370600MB2853052T{digit}{number:012d}",
        "事项名称": rng.choice(ITEMS),
        "实施主体": rng.choice(DEPARTMENTS),
        "行使层级": level,
        "办件类型": "即办件" if promised <= 1 else "承诺件",
        "法定办结时限": _limit(legal),
        "承诺办结时限": "当场" if promised == 0 else _limit(promised),
        "到办事现场次数": visits,
        "现场办理原因说明": "需现场核验原件" if visits else "",
        "是否全程网办": "是" if visits == 0 and online else "否",
        "是否收费": "否",
        "收费依据": "",
        "是否允许减免": "否",
        "允许减免依据": "",
        "是否网办": "是" if online else "否",
        "网办深度": ",".join(str(level) for level in range(1, depth + 1)),
        "是否存在运行系统": "是",
        "是否自建系统": "否",
        "网办地址": "",
        "申请材料": materials,
        "办理流程": [
            {"环节": name, "办理时限": _limit(days), "审批标准": standard}
            for (name, standard), days in zip(
                (("申请", "材料齐全"), ("受理", "符合受理条件"), ("办结", "作出决定")),
                handling,
                strict=True,
            )
        ],
        "业务流程": [
            {"环节": name, "办理时限": _limit(days), "审批标准": standard}
            for (name, standard), days in zip(
                (
                    ("受理", "符合受理条件"),
                    ("审查", "符合法定条件和标准"),
                    ("决定", "作出准予许可决定"),
                    ("制证发证", "按时送达"),
                ),
                business,
                strict=True,
            )
        ],
    }


def _break(record: dict[str, Any], rng: random.Random) -> None:
    """Break one rule the way real records do."""
    choice = rng.randrange(13)
    materials = record["申请材料"]
    if choice == 0:
        materials[0]["来源渠道说明"] = "登陆山东政务服务网下载填写"
    elif choice == 1:
        record["事项名称"] += " （变更）"
    elif choice == 2:
        record["承诺办结时限"] = "无"
    elif choice == 3:
        record["办件类型"] = "即办件"
        record["承诺办结时限"] = "3工作日"
    elif choice == 4:
        record["到办事现场次数"] = 2
    elif choice == 5:
        record["收费依据"] = "《山东省行政事业性收费项目目录》"
    elif choice == 6:
        record["是否允许减免"] = "是"
    elif choice == 7:
        materials[-1]["来源渠道说明"] = ""
    elif choice == 8:
        materials[0]["材料形式"] = "纸质版"
        materials[0]["纸质材料规格"] = ""
    elif choice == 9:
        record["业务流程"][0]["环节"] = "受理、审查"
    elif choice == 10:
        code = record["实施编码"]
        record["实施编码"] = code[:18] + ("4" if code[18] != "4" else "3") + code[19:]
    elif choice == 11:
        record["网办深度"] = "1,3"
    else:
        record["网办地址"] = "http://www.shandong.gov.cn"


def generate(folder: Path, count: int, seed: int = 2023) -> None:
    """count records over .jsonl files of 10,000 lines, a third of them broken."""
    rng = random.Random(seed)
    per_file = 10_000
    for start in range(0, count, per_file):
        path = folder / f"items-{start // per_file:03d}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for number in range(start, min(start + per_file, count)):
                record = clean_record(number, rng)
                if rng.random() < 0.33:
                    record = copy.deepcopy(record)
                    _break(record, rng)
                    if rng.random() < 0.25:
                        _break(record, rng)
                out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="records to generate")
    parser.add_argument("--runs", type=int, default=3, help="timed runs (the median is shown)")
    parser.add_argument(
        "--write", type=Path, metavar="DIR", help="generate into DIR and keep the files there"
    )
    parser.add_argument(
        "--formats",
        nargs="+",
        choices=("table", "json", "csv", "markdown", "summary"),
        default=[],
        help="also time `items check` as a real process printing each of these formats "
        "(median of --runs, peak memory of its process tree)",
    )
    parser.add_argument(
        "--commands-only",
        action="store_true",
        help="time only the real processes of --formats, not the checks in this process",
    )
    args = parser.parse_args()
    if args.write is not None:
        args.write.mkdir(parents=True, exist_ok=True)
        run(args.write, args)
        return
    with tempfile.TemporaryDirectory(prefix="govscore-bench-") as tmp:
        run(Path(tmp), args)


def run(folder: Path, args: argparse.Namespace) -> None:
    """Generate (unless folder holds the records already), then measure."""
    if args.commands_only and any(folder.glob("items-*.jsonl")):
        size = sum(path.stat().st_size for path in folder.glob("items-*.jsonl"))
        print(f"using the {size / 2**20:.1f} MiB of .jsonl in {folder}")
    else:
        check_items(folder, args.count, 0 if args.commands_only else args.runs)
    for fmt in args.formats:
        option = ["--summary"] if fmt == "summary" else ["--format", fmt]
        command = [sys.executable, "-m", "govscore", "items", "check", str(folder), *option]
        load = os.getloadavg()[0]
        figures = median_of(max(args.runs, 1), lambda: None, command)
        print(
            f"command: items check {' '.join(option)}: median {figures.seconds:.2f} s, "
            f"{figures.cpu:.2f} s CPU, peak {figures.peak:.0f} MiB (process tree; load {load:.2f} → {os.getloadavg()[0]:.2f})",
            flush=True,
        )


def check_items(folder: Path, count: int, runs: int) -> None:
    """Generate count records into folder, then time runs in-process checks and one command."""
    typos = default_typos()
    began = time.perf_counter()
    generate(folder, count)
    size = sum(path.stat().st_size for path in folder.glob("items-*.jsonl"))
    print(
        f"generated {count:,} records ({size / 2**20:.1f} MiB of .jsonl) in {folder} "
        f"in {time.perf_counter() - began:.1f} s"
    )
    if runs < 1:
        return
    result = None
    for label, workers in (("one process", 1), ("default workers", None)):
        times = []
        cpu_times = []
        for _ in range(runs):
            began, cpu_began = time.perf_counter(), time.process_time()
            result = run_check([folder], typos, workers=workers)
            times.append(time.perf_counter() - began)
            cpu_times.append(time.process_time() - cpu_began)
        median = statistics.median(times)
        print(
            f"read+check, {label}: " + ", ".join(f"{t:.2f}" for t in times) + " s; "
            f"median {median:.2f} s = {count / median:,.0f} items/s"
        )
        if workers == 1:
            # CPU time is what the code costs when other processes share the machine.
            cpu_median = statistics.median(cpu_times)
            print(
                f"CPU time, one process: median {cpu_median:.2f} s = "
                f"{count / cpu_median:,.0f} items/s of one core"
            )
    assert result is not None
    failing = len({finding.item for finding in result.findings})
    per_rule = Counter(finding.rule for finding in result.findings)
    print(
        f"checked {result.checked:,} items: {failing:,} with findings, "
        f"{len(result.findings):,} findings, {len(result.problems)} unreadable"
    )
    print("findings per rule: " + ", ".join(f"{r}:{n}" for r, n in sorted(per_rule.items())))
    del result
    tracemalloc.start()
    run_check([folder], typos, workers=1)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"peak memory: {traced_peak / 2**20:.1f} MiB allocated by Python during one "
        f"read+check in one process (tracemalloc); process peak RSS {_peak_rss_mib():.1f} MiB"
    )
    # The figure the goal is stated in: a fresh process, start-up and output included,
    # its workers' CPU and memory counted with its own (see bench.measure).
    command = [sys.executable, "-m", "govscore", "items", "check", str(folder), "--summary"]
    timed = measure(command)
    print(
        f"command: govscore items check --summary: {timed.seconds:.2f} s wall "
        f"({count / timed.seconds:,.0f} items/s), {timed.cpu:.2f} s CPU in all its "
        f"processes, peak {timed.peak:.0f} MiB (the process tree; load {timed.load:.2f})"
    )


if __name__ == "__main__":
    main()
