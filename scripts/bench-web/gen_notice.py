#!/usr/bin/env python3
"""Writes a supervision notice (通报) with N tasks in the seed's text form: a header
block, then a TSV table 序号/具体目标任务/牵头责任单位/落实情况. For the web benchmark
(scripts/bench-web.sh); deterministic for a given N and --seed.

    python3 gen_notice.py 10000 > notice.txt
"""

import argparse
import random
import sys

# Units of a district government as notices name them. Names one character apart
# (区财政局/区民政局) would be flagged as probable typos of each other on import, so the
# list is thinned to names at least two edits apart below.
UNITS = """
区发改局 区财政局 区工信局 区商务局 区招商办 区住建局 区自然资源局 区城管局 区教育局
区卫健局 区民政局 区人社局 区文旅局 区应急局 区市场监管局 区农业农村局 区水利局 区统计局
区审计局 区司法局 区退役军人事务局 区医保局 区科技局 区数据管理局 区信访局 区林业局
区机关事务服务中心 区融媒体中心 区疫情防控指挥部 区国资中心 区文旅集团 区城投集团
鲤城公安分局 鲤城生态环境局 鲤城税务局 消防救援大队 区委文明办 区委宣传部 区委组织部
区委政法委 区委统战部 区总工会 团区委 区妇联 区残联 区红十字会 区工商联 区档案馆
高新区管委会 江南新区指挥部 海滨街道 临江街道 鲤中街道 开元街道 浮桥街道 江南街道
金龙街道 常泰街道 区供销社 区气象局 区人武部 区侨联
""".split()

VERBS = ["加快推进", "统筹做好", "全力抓好", "持续深化", "研究制定", "扎实推进", "抓紧完成",
         "认真落实", "积极争取", "着力提升", "建立健全", "全面开展"]
OBJECTS = ["重点项目前期工作", "老旧小区改造", "营商环境优化提升", "城市内涝点整治", "招商引资活动",
           "安全生产专项整治", "防汛防台风各项准备", "教育资源扩容提质", "古城保护与活化利用",
           "产业园区标准化建设", "农村人居环境整治", "企业服务平台建设", "财政收支平衡", "创城创卫常态化管理",
           "社会矛盾纠纷排查化解", "数字政府建设", "医疗卫生服务体系建设", "就业和社会保障工作",
           "历史遗留问题协调解决", "河湖长制落实"]
AIMS = ["确保按期完成年度目标", "形成可复制推广的经验", "争取在全市排名中争先进位",
        "切实解决群众急难愁盼问题", "做到底数清、情况明", "推动各项指标全面达标", "确保不留死角"]
PROGRESS = ["已制定工作方案，明确责任分工，正按计划推进。", "已完成前期调研，形成初步方案。",
            "完成年度任务的 {p}%，正在加快推进。", "已召开专题协调会 {n} 次，协调解决问题 {m} 个。", ""]


def edit_distance_is_one(a, b):
    """The importer's probable-typo test (domain::unit)."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    d = len(long_) - len(short)
    if d == 0:
        return sum(x != y for x, y in zip(short, long_)) == 1
    if d == 1:
        prefix = 0
        while prefix < len(short) and short[prefix] == long_[prefix]:
            prefix += 1
        return short[prefix:] == long_[prefix + 1:]
    return False


def distinct_units():
    kept = []
    for name in UNITS:
        if name not in kept and not any(edit_distance_is_one(name, k) for k in kept):
            kept.append(name)
    return kept


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tasks", type=int, nargs="?", default=10000)
    ap.add_argument("--seed", type=int, default=48)
    ap.add_argument("--doc-number", default="鲤政督〔2024〕100号")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    units = distinct_units()
    # Some units lead far more tasks than others (a 发改局 more than a 档案馆).
    weights = [rng.choice([1, 1, 2, 3, 6]) for _ in units]
    out = sys.stdout
    out.write(f"""# 某某区人民政府办公室文件

{args.doc_number}

## 某某区人民政府办公室关于{args.tasks}项重点工作落实情况的通报

各街道办事处，区直有关单位：

现将重点工作落实情况通报如下（性能测试用数据）。

附件：重点工作落实情况表

某某区人民政府办公室

2024年6月18日

（此件主动公开）

## 附件

重点工作落实情况表

序号\t具体目标任务\t牵头责任单位\t落实情况
""")
    for number in range(1, args.tasks + 1):
        content = f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}，{rng.choice(AIMS)}。"
        if rng.random() < 0.3:
            content += f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}。"
        k = rng.choices([1, 2, 3], weights=[92, 6, 2])[0]
        leads = []
        while len(leads) < k:
            u = rng.choices(units, weights=weights)[0]
            if u not in leads:
                leads.append(u)
        progress = rng.choice(PROGRESS).format(p=rng.randint(10, 95), n=rng.randint(1, 9),
                                                m=rng.randint(1, 20))
        out.write(f"{number}\t{content}\t{'、'.join(leads)}\t{progress}\n")
    out.write("\n")
    print(f"{args.tasks} tasks, {len(units)} units", file=sys.stderr)


if __name__ == "__main__":
    main()
