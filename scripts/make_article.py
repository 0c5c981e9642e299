#!/usr/bin/env python3
"""Writes a long single-file article for benchmarks: no two paragraphs
alike, every sentence put together from word lists written for this
script, with section headings every few dozen paragraphs.

    python3 scripts/make_article.py OUT.txt [KILOBYTES]   # default 750
"""
import sys

PLACES = ["东岸新区", "北山镇", "河口村", "老城街道", "南湖片区", "西坡乡", "临江社区", "高桥镇",
          "石门村", "柳林乡", "青石街道", "望海社区", "白沙镇", "杏花村", "鹿鸣乡", "云台街道"]
PEOPLE = ["村支书", "老会计", "驻村干部", "返乡青年", "合作社社长", "退休教师", "卫生院院长",
          "供销社主任", "技术员", "网格员", "小学校长", "养殖大户"]
ACTS = ["修通了", "翻新了", "规划了", "验收了", "清理了", "扩建了", "改造了", "登记了",
        "测量了", "加固了", "移栽了", "补种了"]
THINGS = ["进山的道路", "灌溉水渠", "村头的小桥", "集体仓库", "老年食堂", "文化礼堂", "自来水管网",
          "冷链库房", "茶园步道", "河堤护栏", "快递驿站", "农机棚"]
WHENS = ["开春以后", "入夏之前", "秋收过后", "腊月里", "雨季来临前", "去年冬天", "今年三月",
         "国庆前夕", "端午前后", "梅雨过后"]
RESULTS = ["群众出行方便了许多", "账目逐笔张榜公布", "用水不再靠天", "年轻人愿意回来了",
           "产品卖到了省城", "老人吃饭有了着落", "孩子上学少走两里路", "汛期不再提心吊胆",
           "游客比往年多了三成", "邻里纠纷少了"]
NUMS = "〇一二三四五六七八九"


def cn(n):
    return "".join(NUMS[int(d)] for d in str(n))


def paragraph(k):
    parts = []
    for s in range(3 + k % 3):
        i = k * 7 + s * 13
        parts.append(
            f"{WHENS[i % len(WHENS)]}，{PLACES[(i // 3) % len(PLACES)]}的{PEOPLE[(i // 5) % len(PEOPLE)]}"
            f"带着大家{ACTS[(i // 7) % len(ACTS)]}{THINGS[(i // 11) % len(THINGS)]}，"
            f"共投入{(i * 37) % 900 + 12}个工日、资金{(i * 53) % 97 + 3}.{i % 10}万元，"
            f"{RESULTS[(i // 2) % len(RESULTS)]}"
        )
    return f"第{cn(k + 1)}条记录：" + "；".join(parts) + "。"


def main():
    out = sys.argv[1]
    target = int(sys.argv[2]) * 1024 if len(sys.argv) > 2 else 750 * 1024
    lines = ["乡村建设纪实 ——二十个乡镇的工作记录", ""]
    size, k, section = 0, 0, 0
    while size < target:
        if k % 40 == 0:
            section += 1
            lines += [f"第{cn(section)}部分 工作记录之{cn(section)}", ""]
        p = paragraph(k)
        lines += [p, ""]
        size += len(p.encode("utf-8")) + 2
        k += 1
    paras = [l for l in lines if l.startswith("第") and "条记录" in l]
    assert len(paras) == len(set(paras)), "repeated paragraphs"
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print(f"{out}: {k} paragraphs, {size // 1024} KB")


main()
