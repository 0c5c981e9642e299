"""Renders an OFD file to PDF with easyofd, for the OFD tests.

    python3 tests/ofd_render.py IN.ofd OUT.pdf
    python3 tests/ofd_render.py compare A.png B.png

easyofd draws all text in a font it registers as "宋体" and reportlab
only takes TrueType outlines; the OFD's first embedded font (the body
face, CFF outlines) is converted to TrueType outlines with fontTools and
registered under that name, so the reader draws the document's own
glyphs for the body text. easyofd writes scratch files into the current
folder: it runs in a temporary one.
"""

import io
import os
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

NS = {"ofd": "http://www.ofdspec.org/2016"}


def to_truetype(data: bytes) -> bytes:
    font = TTFont(io.BytesIO(data))
    if "glyf" not in font:
        order = font.getGlyphOrder()
        glyphs = font.getGlyphSet()
        glyf = newTable("glyf")
        glyf.glyphOrder = order
        glyf.glyphs = {}
        for name in order:
            pen = TTGlyphPen(glyphs)
            glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
            glyf[name] = pen.glyph()
        font["glyf"] = glyf
        font["loca"] = newTable("loca")
        for tag in ("CFF ", "VORG"):
            if tag in font:
                del font[tag]
        maxp = font["maxp"]
        maxp.tableVersion = 0x00010000
        for field in (
            "maxZones",
            "maxTwilightPoints",
            "maxStorage",
            "maxFunctionDefs",
            "maxInstructionDefs",
            "maxStackElements",
            "maxSizeOfInstructions",
            "maxComponentElements",
            "maxComponentDepth",
        ):
            setattr(maxp, field, 1 if field == "maxZones" else 0)
        font["head"].glyphDataFormat = 0
        post = font["post"]
        post.formatType = 2.0
        post.extraNames = []
        post.mapping = {}
        post.glyphOrder = order
        font.sfntVersion = "\x00\x01\x00\x00"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def main() -> None:
    source, target = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    with zipfile.ZipFile(source) as z:
        res = ET.fromstring(z.read("Doc_0/PublicRes.xml"))
        files = [f.text for f in res.iterfind("ofd:Fonts/ofd:Font/ofd:FontFile", NS)]
        body = z.read("Doc_0/Res/" + files[0]) if files else None
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont as ReportlabFont

    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        if body is not None:
            with open("body.ttf", "wb") as f:
                f.write(to_truetype(body))
            pdfmetrics.registerFont(ReportlabFont("宋体", "body.ttf"))
        from easyofd.ofd import OFD

        ofd = OFD()
        with open(source, "rb") as f:
            ofd.read(f.read(), fmt="binary")
        pdf = ofd.to_pdf()
    with open(target, "wb") as f:
        f.write(pdf)


def compare() -> None:
    """Prints the share of ink in one picture with no ink within one pixel
    in the other (both ways, over all ink): for the two pictures, then with
    the second moved down by 3 pixels (a negative control)."""
    from PIL import Image, ImageChops, ImageFilter

    a = Image.open(sys.argv[2]).convert("L")
    b = Image.open(sys.argv[3]).convert("L")

    def ratio(a, b):
        ink_a = a.point(lambda v: 255 if v < 128 else 0)
        ink_b = b.point(lambda v: 255 if v < 128 else 0)
        near_a = ink_a.filter(ImageFilter.MaxFilter(3))
        near_b = ink_b.filter(ImageFilter.MaxFilter(3))
        count = lambda im: im.histogram()[255]
        alone = count(ImageChops.subtract(ink_a, near_b)) + count(ImageChops.subtract(ink_b, near_a))
        return alone / max(count(ink_a) + count(ink_b), 1)

    print(ratio(a, b), ratio(a, ImageChops.offset(b, 0, 3)))


if __name__ == "__main__":
    if sys.argv[1] == "compare":
        compare()
    else:
        main()
