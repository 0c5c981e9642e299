#!/usr/bin/env python3
"""Regenerate the default fonts in this directory from the Noto CJK collections.

Usage:
    python3 make-fonts.py [SOURCE_DIR] [--unihan-dir DIR] [--output-dir DIR]
    python3 make-fonts.py --list-unicodes {full,common}

SOURCE_DIR is the directory holding NotoSerifCJK-Regular.ttc,
NotoSerifCJK-Bold.ttc and NotoSansCJK-Bold.ttc (default:
/usr/share/fonts/opentype/noto, where Debian's fonts-noto-cjk package
installs them).  --unihan-dir is the directory holding
Unihan_OtherMappings.txt.bz2 (default: /usr/share/unicode, where Debian's
unicode-data package installs it); its kTGH field lists the 8,105
characters of the Table of General Standard Chinese Characters (2013).
The output goes next to this script unless --output-dir is given.

The body face (Serif Regular) keeps every character of the source face
except Hangul (the "full" set); the bold body face and the heading face
keep the "common" set: GB 2312, the 8,105 characters of the 2013 table,
the GBK ideographs, kana and the symbol ranges listed below.

For each output file the Simplified Chinese face is taken out of the
collection (selected by its PostScript name, not by position) and subset
with fontTools' subsetter -- the code behind pyftsubset -- using exactly
the options listed in PYFTSUBSET_OPTIONS.  The result is deterministic:
the same source fonts and the same fontTools version give byte-identical
files.  See README.md for details.
"""

import argparse
import bz2
import hashlib
import os
import sys
import unicodedata

import fontTools
from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

DEFAULT_SOURCE_DIR = "/usr/share/fonts/opentype/noto"
DEFAULT_UNIHAN_DIR = "/usr/share/unicode"

# (collection file, PostScript name of the face inside it, output file,
# character set)
FACES = [
    ("NotoSerifCJK-Regular.ttc", "NotoSerifCJKsc-Regular", "NotoSerifCJKsc-Regular.otf", "full"),
    ("NotoSerifCJK-Bold.ttc", "NotoSerifCJKsc-Bold", "NotoSerifCJKsc-Bold.otf", "common"),
    ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold", "NotoSansCJKsc-Bold.otf", "common"),
]

# Hangul blocks, left out of the full set.
HANGUL = [
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x3130, 0x318F),  # Hangul Compatibility Jamo
    (0xA960, 0xA97F),  # Hangul Jamo Extended-A
    (0xAC00, 0xD7AF),  # Hangul Syllables
    (0xD7B0, 0xD7FF),  # Hangul Jamo Extended-B
]

# Layout scripts and language systems kept: the default language system
# of each script and Simplified Chinese (ZHS).  The Japanese, Korean and
# Traditional Chinese language systems only select regional glyph
# variants through locl, which a Simplified Chinese book never asks for.
LAYOUT_SCRIPTS = ["DFLT"] + [
    "%s.%s" % (script, lang)
    for script in ("cyrl", "grek", "hani", "kana", "latn")
    for lang in ("dflt", "ZHS")
]

# OpenType layout features kept in GSUB/GPOS.  Features of the source
# fonts not listed here (aalt, dlig, hist, ruby and the Hangul jamo
# features ljmo/vjmo/tjmo) are dropped.
LAYOUT_FEATURES = [
    "ccmp", "locl", "calt", "liga",            # substitution basics
    "fwid", "hwid", "pwid",                    # width variants
    "vert", "vrt2",                            # vertical forms
    "kern", "vkrn",                            # kerning
    "palt", "vpal", "halt", "vhal",            # proportional / half-width metrics
    "mark",                                    # mark positioning
]

# Options passed to the subsetter, spelled as pyftsubset arguments.
# The --font-number, --unicodes and --output-file arguments are added per
# face.  --desubroutinize is deliberately absent: for these fonts it makes
# the output 5-8% larger.
PYFTSUBSET_OPTIONS = [
    "--layout-features=" + ",".join(LAYOUT_FEATURES),
    "--name-IDs=*",
    "--name-languages=*",
    "--name-legacy",
    "--layout-scripts=" + ",".join(LAYOUT_SCRIPTS),
    "--notdef-outline",
    "--no-hinting",
]


def gb2312_characters():
    """Every character of GB 2312, found by decoding each valid EUC-CN code."""
    chars = set()
    for row in range(0xA1, 0xFF):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([row, cell]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return chars


def tgh_characters(unihan_dir):
    """The 8,105 characters of the 2013 table (Unihan kTGH)."""
    path = os.path.join(unihan_dir, "Unihan_OtherMappings.txt.bz2")
    chars = set()
    with bz2.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            fields = line.split("\t")
            if len(fields) >= 2 and fields[1] == "kTGH":
                chars.add(int(fields[0][2:], 16))
    if len(chars) != 8105:
        raise SystemExit("%s: %d kTGH characters, expected 8105" % (path, len(chars)))
    return chars


def gbk_ideographs():
    """Every CJK unified or compatibility ideograph of GBK, found by
    decoding each two-byte GBK code."""
    chars = set()
    for lead in range(0x81, 0xFF):
        for trail in list(range(0x40, 0x7F)) + list(range(0x80, 0xFF)):
            try:
                c = bytes([lead, trail]).decode("gbk")
            except UnicodeDecodeError:
                continue
            name = unicodedata.name(c, "")
            if name.startswith("CJK") and "IDEOGRAPH" in name:
                chars.add(ord(c))
    return chars


def common_set(unihan_dir):
    """The code points requested for the bold and heading faces."""
    cps = gb2312_characters() | tgh_characters(unihan_dir) | gbk_ideographs()
    ranges = [
        (0x0020, 0x007E),  # ASCII printable
        (0x00A0, 0x00FF),  # Latin-1 Supplement
        (0x2000, 0x206F),  # General Punctuation
        (0x3000, 0x303F),  # CJK Symbols and Punctuation
        (0x3040, 0x30FF),  # Hiragana and Katakana
        (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
        (0x2460, 0x2473),  # circled numbers 1-20
        (0x2474, 0x247D),  # parenthesized numbers 1-10
        (0x2160, 0x216B),  # Roman numerals I-XII
        (0xFE10, 0xFE1F),  # Vertical Forms
        (0xFE30, 0xFE4F),  # CJK Compatibility Forms
        (0xFE00, 0xFE0F),  # Variation Selectors (keeps the cmap format 14 subtable)
    ]
    for first, last in ranges:
        cps.update(range(first, last + 1))
    cps.update([
        0x00B7,  # middle dot
        0x2014,  # em dash
        0x2026,  # horizontal ellipsis
        0x2030,  # per mille sign
        0x2103,  # degree Celsius
        0x2116,  # numero sign
        0x22EF,  # midline horizontal ellipsis
        0x2E3A,  # two-em dash
    ])
    return sorted(cps)


def full_set(src_path, psname, unihan_dir):
    """The code points requested for the body face: everything the source
    face maps except Hangul, plus the common set (for its variation
    selectors)."""
    index = face_index(src_path, psname)
    with TTFont(src_path, fontNumber=index, lazy=True) as src:
        cps = set(src.getBestCmap())
    cps = {cp for cp in cps if not any(a <= cp <= b for a, b in HANGUL)}
    cps.update(common_set(unihan_dir))
    return sorted(cps)


def unicode_ranges(codepoints):
    """codepoints as pyftsubset --unicodes-file lines: U+XXXX or U+XXXX-YYYY."""
    lines = []
    start = prev = None
    for cp in codepoints + [None]:
        if start is not None and cp == prev + 1:
            prev = cp
            continue
        if start is not None:
            lines.append("U+%04X" % start if start == prev else "U+%04X-%04X" % (start, prev))
        start = prev = cp
    return lines


def face_index(path, psname):
    """Index of the face with PostScript name psname in collection path."""
    collection = TTCollection(path, lazy=True)
    try:
        for i, font in enumerate(collection.fonts):
            if font["name"].getDebugName(6) == psname:
                return i
    finally:
        collection.close()
    raise SystemExit("%s: no face named %s" % (path, psname))


def build_face(src_path, psname, out_path, codepoints, extra_options=()):
    index = face_index(src_path, psname)
    options = subset.Options()
    options.parse_opts(
        PYFTSUBSET_OPTIONS + list(extra_options) + ["--font-number=%d" % index]
    )
    font = subset.load_font(src_path, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    subset.save_font(font, out_path, options)
    font.close()
    return index


def check_face(src_path, index, out_path, codepoints):
    """Check that every requested code point the source maps is still mapped."""
    with TTFont(src_path, fontNumber=index, lazy=True) as src:
        src_cmap = src.getBestCmap()
    with TTFont(out_path) as out:
        out_cmap = out.getBestCmap()
        glyphs = out["maxp"].numGlyphs
    lost = [cp for cp in codepoints if cp in src_cmap and cp not in out_cmap]
    if lost:
        raise SystemExit(
            "%s: lost %d code points: %s"
            % (out_path, len(lost), " ".join("U+%04X" % cp for cp in lost))
        )
    absent = [cp for cp in codepoints if cp not in src_cmap]
    return len(out_cmap), glyphs, absent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "source_dir",
        nargs="?",
        default=DEFAULT_SOURCE_DIR,
        help="directory of the Noto CJK .ttc files (default: %(default)s)",
    )
    parser.add_argument(
        "--unihan-dir",
        default=DEFAULT_UNIHAN_DIR,
        help="directory of Unihan_OtherMappings.txt.bz2 (default: %(default)s)",
    )
    parser.add_argument(
        "--output-dir",
        default=os.path.dirname(os.path.abspath(__file__)),
        help="where to write the .otf files (default: this script's directory)",
    )
    parser.add_argument(
        "--desubroutinize",
        action="store_true",
        help="also desubroutinize the CFF (for size comparison only)",
    )
    parser.add_argument(
        "--list-unicodes",
        choices=["full", "common"],
        help="print the requested code points of a set (pyftsubset --unicodes-file format) and exit",
    )
    parser.add_argument(
        "--face",
        action="append",
        choices=[otf for _, _, otf, _ in FACES],
        help="make only this file (may be repeated; default: all three)",
    )
    args = parser.parse_args()

    def requested(kind):
        if kind == "full":
            ttc, psname = FACES[0][0], FACES[0][1]
            return full_set(os.path.join(args.source_dir, ttc), psname, args.unihan_dir)
        return common_set(args.unihan_dir)

    if args.list_unicodes:
        print("\n".join(unicode_ranges(requested(args.list_unicodes))))
        return 0
    extra = ["--desubroutinize"] if args.desubroutinize else []
    print("fontTools %s" % fontTools.version)

    for ttc, psname, otf, kind in FACES:
        if args.face and otf not in args.face:
            continue
        codepoints = requested(kind)
        src_path = os.path.join(args.source_dir, ttc)
        out_path = os.path.join(args.output_dir, otf)
        index = build_face(src_path, psname, out_path, codepoints, extra)
        mapped, glyphs, absent = check_face(src_path, index, out_path, codepoints)
        with open(out_path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        print(
            "%s: %s set, %d code points requested, %d bytes, %d glyphs, %d code points mapped "
            "(%d requested code points not in the source face)\n  sha256 %s"
            % (otf, kind, len(codepoints), os.path.getsize(out_path), glyphs, mapped,
               len(absent), digest),
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
