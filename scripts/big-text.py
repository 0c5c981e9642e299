#!/usr/bin/env python3
"""Writes a large plain-text book of varied Chinese paragraphs, for
measuring memory and time on big input (scripts/bench-memory.sh).

    python3 scripts/big-text.py SIZE_MB OUT.txt [--short-lines N]

SIZE_MB megabytes of UTF-8: a title line, then chapters (第N章 …) of
sentences built from phrase lists at random (seeded, so the same file
each time); no paragraph is repeated. With --short-lines N, instead N
short lines without end punctuation, like a list pasted from a table.
"""

import random
import sys

PLACES = ["县城东头", "河湾村", "老街口", "山脚下的小学", "镇政府后院", "粮站旧址",
          "渡口", "茶场", "水库边", "新修的公路旁", "供销社门前", "祠堂里",
          "图书室", "卫生院", "集市上", "果园深处", "砖窑", "码头"]
PEOPLE = ["老支书", "一位退休教师", "几个年轻人", "刚返乡的大学生", "合作社的会计",
          "邻村的木匠", "守林员", "妇女主任", "放映员", "一名邮递员", "老中医",
          "采茶的姑娘们", "镇上的摄影师", "驻村干部", "船工", "养蜂人"]
ACTIONS = ["翻出了一本发黄的账簿", "把旧仓库改成了阅览室", "讲起了当年修渠的事",
           "记下了每户人家的用水量", "在墙上画了一张地图", "重新种下一排樟树",
           "把收来的稻谷摊开晾晒", "给孩子们补习算术", "修好了那台老式收音机",
           "写信给远在外地的亲人", "整理出一份口述记录", "清点了仓库里的农具",
           "把山歌一句一句抄下来", "带着大家丈量土地", "在夜校里教人识字",
           "算清了这一年的收支"]
TIMES = ["那年秋天", "开春以后", "一个下雨的傍晚", "农闲的时候", "天刚亮",
         "腊月里", "过了端午", "收完晚稻", "连着几个晴天", "半夜时分",
         "第二年夏天", "每逢赶集的日子"]
FEELINGS = ["谁也没有想到", "大家都说", "后来人们才明白", "说来也巧",
            "按老辈人的说法", "据当时的记录", "照他自己的话讲", "不少人觉得"]
ENDINGS = ["这件事一直传到今天", "那本册子至今还保存在档案室", "从此村里多了一条规矩",
           "这成了后来许多变化的开端", "当时的照片还挂在墙上", "账目一笔一笔都对得上",
           "那条路后来就以他的名字命名", "第二年的收成比往年好了不少",
           "孩子们长大后还常常提起", "再没有人为这件事争吵过"]
NUMBERS = "零一二三四五六七八九"
TITLES = ["旧事", "水利", "学堂", "集市", "山林", "账簿", "渡口", "茶事", "人物", "记忆"]


def chinese_number(n):
    """1..9999 as Chinese numerals (十, 二十三, 一百零五, …)."""
    units = ["", "十", "百", "千"]
    digits = [int(d) for d in str(n)]
    out = ""
    zero = False
    for i, d in enumerate(digits):
        place = len(digits) - 1 - i
        if d == 0:
            zero = True
            continue
        if zero and out:
            out += "零"
        zero = False
        if not (d == 1 and place == 1 and not out):
            out += NUMBERS[d]
        out += units[place]
    return out


def sentence(rng, serial):
    parts = [rng.choice(TIMES), "，", rng.choice(PEOPLE), "在", rng.choice(PLACES),
             rng.choice(ACTIONS)]
    if rng.random() < 0.5:
        parts += ["，", rng.choice(FEELINGS), "，", rng.choice(ENDINGS)]
    if rng.random() < 0.3:
        # A figure makes each paragraph's wording its own.
        parts += ["（记录编号", str(serial), "）"]
    parts.append(rng.choice(["。", "。", "。", "；", "！", "？"]))
    text = "".join(parts)
    if text.endswith("；"):
        text = text[:-1] + "。"
    return text


def main():
    args = sys.argv[1:]
    short = None
    if "--short-lines" in args:
        i = args.index("--short-lines")
        short = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    size = int(float(args[0]) * 1_000_000)
    rng = random.Random(20261202)
    seen = set()
    written = 0
    serial = 0
    with open(args[1], "w", encoding="utf-8", newline="\n") as out:
        out.write("大书——生成的长文本\n\n")
        if short is not None:
            for i in range(short):
                out.write(f"{rng.choice(PLACES)}{rng.choice(PEOPLE)}{i}\n")
            return
        chapter = 0
        while written < size:
            chapter += 1
            head = f"第{chinese_number(chapter)}章 {rng.choice(TITLES)}之{chinese_number(chapter)}\n\n"
            out.write(head)
            written += len(head.encode())
            for _ in range(rng.randint(120, 280)):
                while True:
                    serial += 1
                    para = "".join(sentence(rng, serial)
                                   for _ in range(rng.randint(1, 6)))
                    key = para
                    if key not in seen:
                        seen.add(key)
                        break
                line = para + "\n\n"
                out.write(line)
                written += len(line.encode())
                if written >= size:
                    break


if __name__ == "__main__":
    main()
