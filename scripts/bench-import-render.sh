#!/usr/bin/env bash
# Benchmark (not a test) of issue 17 §9: import and render a notice of N tasks, time and
# peak memory. Usage: scripts/bench-import-render.sh [DUBAN_BIN] [N...]
# (default target/release/duban, 1000 10000). Results go into docs/benchmarks.md by hand.
set -euo pipefail
bin="${1:-target/release/duban}"; shift || true
sizes=("${@:-1000 10000}")
bin="$(realpath "$bin")"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cd "$work"
for n in ${sizes[@]}; do
    python3 - "$n" <<'PY'
import random, sys
n = int(sys.argv[1]); random.seed(7)
units = ["区发改局", "区财政局", "区住建局", "区教育局", "区商务局", "区文旅局", "区城管局", "区工信局"]
head = ("# 某某区人民政府办公室文件\n\n某政办〔2024〕9号\n\n## 某某区人民政府办公室关于重点工作落实情况的通报\n\n"
        "各街道办事处，区直有关单位：\n\n现将重点工作落实情况通报如下。\n\n附件：重点工作落实情况表\n\n"
        "某某区人民政府办公室\n\n2024年6月18日\n\n（此件主动公开）\n\n## 附件\n\n重点工作落实情况表\n\n"
        "序号\t具体目标任务\t牵头责任单位\t落实情况\n")
with open(f"tasks{n}.txt", "w") as f:
    f.write(head)
    for i in range(1, n + 1):
        u = random.sample(units, 2)
        content = "加快推进重点项目建设，确保按期完成年度目标任务，" * 2 + "。"
        prog = f"<b>{u[0]}：</b>" + "已完成前期工作，正在组织施工，完成投资 65%。" * 3
        f.write(f"{i}\t{content}\t{u[0]} {u[1]}\t{prog}\n")
PY
    rm -f duban.db*
    /usr/bin/time -f "import $n: %e s, %M KB" "$bin" import "tasks$n.txt" >/dev/null
    for f in xlsx docx pdf; do
        /usr/bin/time -f "render $f $n: %e s, %M KB" "$bin" render 1 --format "$f" -o "t$n.$f" 2>&1 >/dev/null | grep render
    done
done
