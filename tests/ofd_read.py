"""Reads an OFD file with ofdkit, for the OFD tests.

    python3 tests/ofd_read.py IN.ofd [X Y WIDTH HEIGHT]

Prints JSON: the number of pages, ofdkit's warnings, every text run (one
per TextCode) as [page index, text, x, y, size] in millimetres, and the
text ofdkit reads in the area (in millimetres; the whole page when none
is given), page by page, in its reading order.
"""

import json
import sys

import ofdkit
from ofdkit.layout import page_text

area = [float(v) for v in sys.argv[2:6]] if len(sys.argv) >= 6 else None

with ofdkit.open(sys.argv[1]) as doc:
    runs = []
    texts = []
    for index, page in enumerate(doc.pages):
        inside = []
        for run in page.runs:
            runs.append([index, run.text, run.x, run.y, run.size])
            if area is None or (
                # A line may start with a mark pulled into the margin: the
                # run counts when any of it is inside.
                run.x + run.width >= area[0]
                and run.x <= area[0] + area[2]
                and area[1] <= run.y <= area[1] + area[3]
            ):
                inside.append(run)
        texts.append(page_text(inside))
    print(
        json.dumps(
            {
                "pages": len(doc.pages),
                "warnings": list(doc.warnings),
                "runs": runs,
                "text": "\n".join(texts),
            },
            ensure_ascii=False,
        )
    )
