#!/usr/bin/env python3
"""Sets the same text with typst, for the benchmark's ratio.

Reads inkstone's document model (JSON, from `inkstone inspect`) on stdin,
writes an equivalent typst source (same fonts, A4, 12 pt, justified, 2 em
indent) and compiles it to PDF with the `typst` package from PyPI.
Prints the seconds of the compile alone.

    inkstone inspect BOOK | python3 scripts/typst_compare.py FONT_DIR OUT.pdf
"""
import json
import sys
import time

import typst


def escape(text):
    special = "\\#$*_`<>@[]=-+/~\"'"
    return "".join("\\" + c if c in special else c for c in text)


def inline(items):
    out = []
    for item in items:
        kind = item["type"]
        if kind in ("text", "code"):
            out.append(escape(item["text"]))
        elif kind in ("emphasis", "strong", "link"):
            out.append(inline(item["content"]))
    return "".join(out)


def blocks(items, out):
    for block in items:
        kind = block["type"]
        if kind == "heading":
            text = (block.get("number") or "") + inline(block["content"])
            out.append("=" * block["level"] + " " + text + "\n")
        elif kind == "paragraph":
            out.append(inline(block["content"]) + "\n")
        elif kind == "list":
            for item in block["items"]:
                for sub in item:
                    if sub["type"] == "paragraph":
                        out.append("- " + inline(sub["content"]) + "\n")
        elif kind == "quote":
            blocks(block["blocks"], out)
        elif kind == "table":
            for row in [block["header"]] + block["rows"]:
                out.append(" ".join(inline(cell) for cell in row) + "\n")
        out.append("\n")


def main():
    font_dir, output = sys.argv[1], sys.argv[2]
    doc = json.load(sys.stdin)
    out = [
        '#set page(paper: "a4", margin: 25mm)\n',
        '#set text(font: "Noto Serif CJK SC", lang: "zh", region: "cn", size: 12pt)\n',
        "#set par(justify: true, first-line-indent: (amount: 2em, all: true), leading: 0.8em)\n",
        '#show heading: set text(font: "Noto Sans CJK SC")\n\n',
    ]
    for chapter in doc["chapters"]:
        title = (chapter["title"].get("number") or "") + inline(chapter["title"]["content"])
        out.append("#pagebreak(weak: true)\n= " + title + "\n\n")
        blocks(chapter["blocks"], out)
    source = "".join(out).encode("utf-8")
    start = time.perf_counter()
    pdf = typst.compile(source, font_paths=[font_dir], ignore_system_fonts=True)
    seconds = time.perf_counter() - start
    with open(output, "wb") as f:
        f.write(pdf)
    print(f"{seconds:.3f}")


if __name__ == "__main__":
    main()
