#!/usr/bin/env python3
"""Regenerate the default fonts in this directory from the Noto CJK collections.

Usage:
    python3 make-fonts.py [SOURCE_DIR] [--output-dir DIR]
    python3 make-fonts.py --list-unicodes

SOURCE_DIR is the directory holding NotoSerifCJK-Regular.ttc,
NotoSerifCJK-Bold.ttc and NotoSansCJK-Bold.ttc (default:
/usr/share/fonts/opentype/noto, where Debian's fonts-noto-cjk package
installs them).  The output goes next to this script unless --output-dir
is given.

For each output file the Simplified Chinese face is taken out of the
collection (selected by its PostScript name, not by position) and subset
with fontTools' subsetter -- the code behind pyftsubset -- using exactly
the options listed in PYFTSUBSET_OPTIONS.  The result is deterministic:
the same source fonts and the same fontTools version give byte-identical
files.  See README.md for details.
"""

import argparse
import hashlib
import os
import sys

import fontTools
from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

DEFAULT_SOURCE_DIR = "/usr/share/fonts/opentype/noto"

# (collection file, PostScript name of the face inside it, output file)
FACES = [
    ("NotoSerifCJK-Regular.ttc", "NotoSerifCJKsc-Regular", "NotoSerifCJKsc-Regular.otf"),
    ("NotoSerifCJK-Bold.ttc", "NotoSerifCJKsc-Bold", "NotoSerifCJKsc-Bold.otf"),
    ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold", "NotoSansCJKsc-Bold.otf"),
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


def character_set():
    """The code points requested for every face (sorted list of ints)."""
    cps = gb2312_characters()
    ranges = [
        (0x0020, 0x007E),  # ASCII printable
        (0x00A0, 0x00FF),  # Latin-1 Supplement
        (0x2000, 0x206F),  # General Punctuation
        (0x3000, 0x303F),  # CJK Symbols and Punctuation
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
        action="store_true",
        help="print the requested code points (pyftsubset --unicodes-file format) and exit",
    )
    args = parser.parse_args()

    codepoints = character_set()
    if args.list_unicodes:
        print("\n".join(unicode_ranges(codepoints)))
        return 0
    extra = ["--desubroutinize"] if args.desubroutinize else []
    print("fontTools %s, %d code points requested" % (fontTools.version, len(codepoints)))

    for ttc, psname, otf in FACES:
        src_path = os.path.join(args.source_dir, ttc)
        out_path = os.path.join(args.output_dir, otf)
        index = build_face(src_path, psname, out_path, codepoints, extra)
        mapped, glyphs, absent = check_face(src_path, index, out_path, codepoints)
        with open(out_path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        print(
            "%s: %d bytes, %d glyphs, %d code points mapped "
            "(%d requested code points not in the source face)\n  sha256 %s"
            % (otf, os.path.getsize(out_path), glyphs, mapped, len(absent), digest)
        )


if __name__ == "__main__":
    sys.exit(main())
