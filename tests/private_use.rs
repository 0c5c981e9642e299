//! Private-use characters (造字, the user-defined characters of GB18030)
//! set from a font that has them come out of the PDF exactly.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{build, strip, tool};

/// Characters the test font draws: one in the middle of a line of Han
/// text, next to Latin text (a run that needs its exact text), and at
/// the end of a paragraph.
const PUA: [char; 3] = ['\u{E000}', '\u{E001}', '\u{F8FF}'];

/// Writes a TrueType font of the family `Inkstone PUA Test` with a box
/// glyph for each of [`PUA`], made with fontTools.
fn make_font(path: &Path) {
    let script = r#"
import sys
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

def box(inset):
    pen = TTGlyphPen(None)
    pen.moveTo((100 + inset, -100))
    pen.lineTo((100 + inset, 800))
    pen.lineTo((900 - inset, 800))
    pen.lineTo((900 - inset, -100))
    pen.closePath()
    return pen.glyph()

codes = [0xE000, 0xE001, 0xF8FF]
names = [".notdef"] + ["uni%04X" % c for c in codes]
fb = FontBuilder(1000, isTTF=True)
fb.setupGlyphOrder(names)
fb.setupCharacterMap({c: "uni%04X" % c for c in codes})
fb.setupGlyf({n: box(i * 60) for i, n in enumerate(names)})
fb.setupHorizontalMetrics({n: (1000, 100) for n in names})
fb.setupHorizontalHeader(ascent=880, descent=-120)
fb.setupNameTable({"familyName": "Inkstone PUA Test", "styleName": "Regular",
                  "psName": "InkstonePUATest-Regular"})
fb.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
fb.setupPost()
fb.save(sys.argv[1])
"#;
    let status = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(path)
        .status()
        .expect("python3 runs (install python3 and fontTools)");
    assert!(status.success(), "fontTools could not make the test font");
}

/// A book of one chapter whose text uses the private-use characters,
/// with the test font after the built-in faces.
fn make_book() -> (PathBuf, String) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("private-use-book");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("fonts")).expect("make the book folder");
    make_font(&dir.join("fonts/pua.ttf"));
    std::fs::write(
        dir.join("book.toml"),
        "[book]\ntitle = \"造字样张\"\n\n[contents]\nchapters = [\"a.txt\"]\n\n\
         [fonts]\nbody = [\"Noto Serif CJK SC\", \"Inkstone PUA Test\"]\n\
         heading = [\"Noto Sans CJK SC\", \"Inkstone PUA Test\"]\npaths = [\"fonts/\"]\n",
    )
    .expect("write book.toml");
    let body = format!(
        "地名里的{a}字，档案中写作{b}，输入法里没有。\n\n\
         旧志记作“{a}{b}村”，又称 Old Village，即{c}村一带。\n\n\
         县志第三卷的村名表里，{a}与{b}并列，末尾一字是{c}\n",
        a = PUA[0],
        b = PUA[1],
        c = PUA[2],
    );
    std::fs::write(dir.join("a.txt"), format!("第一章 村名\n\n{body}")).expect("write a.txt");
    (dir, body)
}

#[test]
fn private_use_characters_extract_exactly() {
    let (dir, body) = make_book();
    let built = build(dir.to_str().expect("UTF-8 path"), "private-use");
    let text = tool("pdftotext", &[], &built.pdf);
    // Every paragraph, with its private-use characters, reads as written.
    let extracted = strip(&text);
    for paragraph in body.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            extracted.contains(&strip(paragraph)),
            "`{paragraph}` is not in the extracted text:\n{text}"
        );
    }
    // The check tells the characters apart: the text without one of them
    // is not what was extracted.
    let first = body.lines().next().unwrap_or_default();
    assert!(!extracted.contains(&strip(&first.replace(PUA[0], ""))));
    // Each private-use character as often as in the source, and nothing
    // else from the private-use area.
    for c in PUA {
        let want = body.matches(c).count();
        assert_eq!(text.matches(c).count(), want, "{c:?} in:\n{text}");
    }
    // Set on the CJK grid like the Han characters around them: no gap
    // that an extractor would read as a space.
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        for (k, c) in chars.iter().enumerate() {
            if PUA.contains(c) {
                let before = k.checked_sub(1).and_then(|j| chars.get(j));
                assert!(
                    before != Some(&' ') && chars.get(k + 1) != Some(&' '),
                    "{line}"
                );
            }
        }
    }
    let foreign: Vec<char> = text
        .chars()
        .filter(|c| ('\u{E000}'..='\u{F8FF}').contains(c) && !PUA.contains(c))
        .collect();
    assert!(foreign.is_empty(), "{foreign:?}");
    // The characters were set from the test font, not left as missing
    // glyphs: the font is embedded.
    let fonts = tool("pdffonts", &[], &built.pdf);
    assert!(fonts.contains("InkstonePUATest"), "{fonts}");
}
