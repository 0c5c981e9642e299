//! PDF round trips: the real sample and the sample edition are built and
//! read back with the tools a user or a printer would use (pdffonts,
//! pdftotext, qpdf). A missing tool fails the test; nothing is skipped.

mod support;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use inkstone::diag::Severity;
use inkstone::model::{Block, Document, Inline};
use inkstone::pdf::layout::{Item, LineKind, TagChild, TagSpec};
use inkstone::pdf::linebreak::{no_line_end, no_line_start, Class};
use inkstone::pdf::{layout_document, render_pdf, PdfOptions};
use support::{build, load, strip, text_block, text_of, tool, Built, EDITION, SAMPLE};

fn sample() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| build(SAMPLE, "yiyang-united-front-2022"))
}

fn edition() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| build(EDITION, "qingchuan-2025"))
}

/// The real sample (when the acceptance samples are there) and the edition.
fn both() -> Vec<&'static Built> {
    let mut books = Vec::new();
    if support::samples_present() {
        books.push(sample());
    }
    books.push(edition());
    books
}

/// The text inside the text block of every page from `first` (1-based)
/// on: running heads and folios are outside it.
fn text_pages(built: &Built, first: usize) -> String {
    let last = built.layout.pages.len();
    text_of(&built.pdf, first, last, Some(text_block(built)), false)
}

fn is_cjk(c: char) -> bool {
    Class::of(c).is_cjk() && !c.is_whitespace()
}

/// Spaces between two CJK characters or marks, with the characters
/// around them; line breaks of the extraction are removed first.
fn cjk_spaces(text: &str) -> Vec<String> {
    let joined: Vec<char> = text.chars().filter(|&c| c != '\n' && c != '\x0c').collect();
    let mut out = Vec::new();
    for i in 1..joined.len().saturating_sub(1) {
        if joined[i] == ' ' && is_cjk(joined[i - 1]) && is_cjk(joined[i + 1]) {
            out.push(joined[i - 1..=i + 1].iter().collect());
        }
    }
    out
}

#[test]
fn fonts_are_embedded_subset_and_mapped_to_unicode() {
    let _sample = support::sample_part();
    for built in both() {
        let listing = tool("pdffonts", &[], &built.pdf);
        let rows: Vec<&str> = listing.lines().skip(2).collect();
        assert!(!rows.is_empty(), "no fonts in {}", built.pdf.display());
        for row in rows {
            let fields: Vec<&str> = row.split_whitespace().collect();
            let n = fields.len();
            assert!(n >= 7, "{row}");
            // ... emb sub uni object-id generation
            assert_eq!(&fields[n - 5..n - 2], ["yes", "yes", "yes"], "{row}");
        }
    }
}

#[test]
fn qpdf_finds_no_errors() {
    let _sample = support::sample_part();
    for built in both() {
        let output = Command::new("qpdf")
            .arg("--check")
            .arg(&built.pdf)
            .output()
            .expect("`qpdf` could not be run; install qpdf");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{text}");
        assert!(
            text.contains("No syntax or stream encoding errors"),
            "{text}"
        );
    }
}

#[test]
fn the_real_sample_extracts_as_its_source() {
    let Some(_sample) = support::sample_test() else {
        return;
    };
    let built = sample();
    // The article's title block, its contents list with the page numbers
    // of its sections, then the article: exactly the model's text.
    let chapter = &built.doc.chapters[0];
    let mut head = chapter.title.display_text();
    if let Some(subtitle) = &chapter.subtitle {
        head.push_str(&inkstone::model::dashed_subtitle(subtitle));
    }
    let mut contents = String::from("目录");
    for entry in &built.doc.toc {
        let place = built
            .layout
            .headings
            .iter()
            .find(|h| h.id == entry.id)
            .expect("the section is laid out");
        contents.push_str(&entry.title);
        contents.push_str(&built.layout.pages[place.page].number.label());
    }
    let source = strip(&built.doc.plain_text());
    let head = strip(&head);
    let rest = source
        .strip_prefix(head.as_str())
        .expect("the text starts with the title");
    let text = text_pages(built, 1);
    assert_eq!(strip(&text), format!("{head}{}{rest}", strip(&contents)));
    // Exactly the six deliberate spaces inside the slogans, and no space
    // made from a CJK-Latin gap or from justification. (The run-in label
    // "目录" stands apart from the first entry, as it is printed.)
    let mut spaces = cjk_spaces(&text);
    spaces.retain(|s| !s.starts_with('录'));
    assert_eq!(spaces.len(), 6, "{spaces:?}");
    let source = built.doc.plain_text();
    for s in &spaces {
        assert!(source.contains(s.as_str()), "{s} is not in the source");
    }
}

/// The text of the sample edition as it is printed: list labels and
/// footnote markers are part of it; footnotes are returned apart.
fn printed_text(doc: &Document) -> (String, Vec<String>) {
    fn inlines(xs: &[Inline], out: &mut String) {
        for x in xs {
            match x {
                Inline::Text { text } | Inline::Code { text } => out.push_str(text),
                Inline::Emphasis { content }
                | Inline::Strong { content }
                | Inline::Link { content, .. } => inlines(content, out),
                Inline::FootnoteRef { number, .. } => {
                    out.push_str(&inkstone::pdf::layout::note_marker(*number))
                }
                Inline::LineBreak => {}
                // The sample has no ruby; its base is the printed line.
                Inline::Ruby { base, .. } => out.push_str(base),
            }
        }
    }
    fn blocks(bs: &[Block], out: &mut String) {
        for b in bs {
            match b {
                Block::Heading(h) => {
                    out.push_str(h.number.as_deref().unwrap_or(""));
                    inlines(&h.content, out);
                }
                Block::Paragraph { content, .. } => inlines(content, out),
                Block::List {
                    ordered,
                    start,
                    items,
                    ..
                } => {
                    for (k, item) in items.iter().enumerate() {
                        out.push_str(&inkstone::pdf::layout::list_label(
                            *ordered,
                            start + k as u64,
                        ));
                        blocks(item, out);
                    }
                }
                Block::Quote { blocks: inner, .. } => blocks(inner, out),
                Block::Verse { lines, .. } => lines.iter().for_each(|l| inlines(l, out)),
                Block::Code { text, .. } => out.push_str(text),
                Block::Image { caption, .. } => out.push_str(caption.as_deref().unwrap_or("")),
                Block::Table { header, rows, .. } => {
                    for row in std::iter::once(header).chain(rows) {
                        row.iter().for_each(|cell| inlines(cell, out));
                    }
                }
                Block::Break { .. } => {}
            }
        }
    }
    let mut body = String::new();
    let mut notes = Vec::new();
    for chapter in &doc.chapters {
        body.push_str(&chapter.title.display_text());
        if let Some(subtitle) = &chapter.subtitle {
            body.push_str(&inkstone::model::dashed_subtitle(subtitle));
        }
        blocks(&chapter.blocks, &mut body);
        for note in &chapter.footnotes {
            let mut text = inkstone::pdf::layout::note_marker(note.number);
            blocks(&note.blocks, &mut text);
            notes.push(strip(&text));
        }
    }
    (strip(&body), notes)
}

#[test]
fn the_sample_edition_extracts_as_its_source() {
    let built = edition();
    let (body, notes) = printed_text(&built.doc);
    assert!(!notes.is_empty());
    // The text proper: from the page numbered 1 on, inside the text block.
    assert!(built.layout.front_pages > 0);
    let text = text_pages(built, built.layout.front_pages + 1);
    let pages: Vec<String> = text.split('\x0c').map(strip).collect();
    let mut extracted = strip(&text);
    for note in &notes {
        assert_eq!(extracted.matches(note.as_str()).count(), 1, "{note}");
        // At the foot of the page of its reference: the marker is on that
        // page twice.
        let marker: String = note.chars().take(1).collect();
        let page = pages
            .iter()
            .find(|p| p.contains(note.as_str()))
            .expect("the note's page");
        assert!(page.matches(marker.as_str()).count() >= 2, "{note}");
        extracted = extracted.replacen(note.as_str(), "", 1);
    }
    assert_eq!(extracted, body);
    // Spaces between CJK text only where the source has one.
    let spaces = cjk_spaces(&text);
    let source = built.doc.plain_text();
    assert_eq!(spaces.len(), cjk_spaces(&source).len(), "{spaces:?}");
}

#[test]
fn no_line_starts_with_a_closing_mark_or_ends_with_an_opening_one() {
    let _sample = support::sample_part();
    for built in both() {
        let text = tool("pdftotext", &["-layout"], &built.pdf);
        let mut lines = 0;
        for line in text.lines() {
            let line = line.trim();
            let (Some(first), Some(last)) = (line.chars().next(), line.chars().last()) else {
                continue;
            };
            lines += 1;
            assert!(!no_line_start(first), "starts with {first}: {line}");
            assert!(!no_line_end(last), "ends with {last}: {line}");
        }
        assert!(lines > 40, "only {lines} lines in {}", built.pdf.display());
    }
}

#[test]
fn justified_lines_are_flush_with_both_edges_of_the_measure() {
    let _sample = support::sample_part();
    for built in both() {
        let mut checked = 0;
        for page in &built.layout.pages {
            for item in &page.items {
                let Item::Line(line) = item else { continue };
                if line.kind != LineKind::Body || !line.justified {
                    continue;
                }
                let glyphs = &line.set.glyphs;
                let (first, last) = (&glyphs[0], &glyphs[glyphs.len() - 1]);
                let first_char = line.set.text[first.text.start as usize..]
                    .chars()
                    .next()
                    .unwrap_or(' ');
                let last_char = line.set.text[..last.text.end as usize]
                    .trim_end()
                    .chars()
                    .last()
                    .unwrap_or(' ');
                // Ink edges: an opening mark's blank half hangs before the
                // measure, a closing or stop mark's after it.
                let mut left = first.x;
                if Class::of(first_char) == Class::Open {
                    left += first.advance / 2.0;
                }
                let mut right = last.x + last.advance;
                if matches!(Class::of(last_char), Class::Close | Class::Stop) {
                    right -= last.advance / 2.0;
                }
                let indent = line.set.start;
                assert!(
                    (left - indent).abs() < 0.05,
                    "left edge {left} != {indent}: {}",
                    line.set.text
                );
                assert!(
                    (right - line.measure).abs() < 0.05,
                    "right edge {right} != {}: {}",
                    line.measure,
                    line.set.text
                );
                checked += 1;
            }
        }
        assert!(checked > 30, "only {checked} justified lines");
    }
}

#[test]
fn extracted_lines_have_the_place_and_size_of_the_printed_ones() {
    let _sample = support::sample_part();
    // Each line is one ActualText span; an extractor must see it where
    // it is printed, with the height of its type, not as a point.
    for built in both() {
        let html = tool("pdftotext", &["-bbox"], &built.pdf);
        let mut words = 0;
        for line in html.lines().filter(|l| l.trim_start().starts_with("<word")) {
            let attr = |name: &str| -> f32 {
                let start = line.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
                line[start..start + line[start..].find('"').expect("quote")]
                    .parse()
                    .expect("a number")
            };
            let (x0, y0, x1, y1) = (attr("xMin"), attr("yMin"), attr("xMax"), attr("yMax"));
            assert!(x1 - x0 > 3.0 && y1 - y0 > 3.0, "{line}");
            words += 1;
        }
        assert!(words > 40);
        // The first line of the first page is the book's title (of its
        // title page, or of the article that opens with it).
        let first = html
            .lines()
            .find(|l| l.trim_start().starts_with("<word"))
            .expect("a word");
        assert!(first.contains(&built.doc.metadata.title), "{first}");
    }
}

/// Body lines of each paragraph per page, from the tag tree.
fn paragraph_lines(built: &Built) -> Vec<Vec<(usize, usize)>> {
    // (tag tree, uid) -> paragraph node
    let mut owner: HashMap<(usize, u32), (usize, usize)> = HashMap::new();
    for (tree, nodes) in built.layout.tags.iter().enumerate() {
        for (index, node) in nodes.iter().enumerate() {
            if matches!(node.spec, TagSpec::P) {
                for child in &node.children {
                    if let TagChild::Content(uid) = child {
                        owner.insert((tree, *uid), (tree, index));
                    }
                }
            }
        }
    }
    let mut by_paragraph: HashMap<(usize, usize), Vec<(usize, usize)>> = HashMap::new();
    for (p, page) in built.layout.pages.iter().enumerate() {
        let Some(tree) = page.tree else {
            continue;
        };
        for item in &page.items {
            if let Item::Line(line) = item {
                if let (LineKind::Body, Some(uid)) = (line.kind, line.tag) {
                    if let Some(&para) = owner.get(&(tree, uid)) {
                        let entry = by_paragraph.entry(para).or_default();
                        match entry.last_mut() {
                            Some((page_index, count)) if *page_index == p => *count += 1,
                            _ => entry.push((p, 1)),
                        }
                    }
                }
            }
        }
    }
    by_paragraph.into_values().collect()
}

/// Whether the first body line of page `p` fills four fifths of the
/// measure.
fn paragraph_last_line_full(built: &Built, p: usize) -> bool {
    built.layout.pages[p]
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Line(l) if l.kind == LineKind::Body => Some(l),
            _ => None,
        })
        .min_by(|a, b| a.baseline.total_cmp(&b.baseline))
        .is_some_and(|l| l.set.end - l.set.start >= 0.8 * (l.measure - l.set.start))
}

#[test]
fn no_widows_or_headings_at_a_page_foot() {
    let _sample = support::sample_part();
    for built in both() {
        // A paragraph's first line may close a page; its last line opens
        // one alone only when it is nearly full (measured from the PDF in
        // tests/clreq). More than one line before the break otherwise.
        for pieces in paragraph_lines(built) {
            if pieces.len() > 1 {
                let last = pieces[pieces.len() - 1].1;
                let full = paragraph_last_line_full(built, pieces[pieces.len() - 1].0);
                assert!(last >= 2 || full, "{pieces:?}");
            }
        }
        let last_page = built.layout.pages.len() - 1;
        for (p, page) in built.layout.pages.iter().enumerate() {
            let last_line = page
                .items
                .iter()
                .filter_map(|i| match i {
                    Item::Line(l) if l.kind != LineKind::Note => Some(l),
                    _ => None,
                })
                .max_by(|a, b| a.baseline.total_cmp(&b.baseline));
            if let Some(line) = last_line {
                assert!(
                    line.kind != LineKind::Heading || p == last_page,
                    "page {} ends with the heading {}",
                    p + 1,
                    line.set.text
                );
            }
        }
    }
}

#[test]
fn the_edition_starts_chapters_on_right_hand_pages_and_outlines_headings() {
    let built = edition();
    let mut starts = Vec::new();
    for (p, page) in built.layout.pages.iter().enumerate() {
        if let Some(c) = page.chapter {
            if !starts.iter().any(|&(ch, _)| ch == c) {
                starts.push((c, p));
            }
        }
    }
    assert_eq!(starts.len(), built.doc.chapters.len());
    for (c, p) in starts {
        assert_eq!(p % 2, 0, "chapter {c} starts on page {}", p + 1);
        // A recto has an odd number.
        assert_eq!(built.layout.pages[p].number.value % 2, 1, "chapter {c}");
    }
    let json = tool("qpdf", &["--json", "--json-key=outlines"], &built.pdf);
    for (_, heading) in built.doc.headings() {
        let title = heading.display_text();
        assert!(json.contains(&title), "{title} is not in the outline");
    }
}

#[test]
fn the_same_book_gives_the_same_bytes() {
    let Some(_sample) = support::sample_test() else {
        return;
    };
    let (doc, fonts) = load(SAMPLE);
    let (again, _) = render_pdf(&doc, &fonts, &PdfOptions::default()).expect("render");
    assert!(again == sample().bytes, "two builds differ");
}

#[test]
fn the_real_sample_stays_small() {
    let Some(_sample) = support::sample_test() else {
        return;
    };
    // The fonts' glyph programs alone take about 116 KB (550 Noto Serif
    // and 66 Noto Sans glyphs, deflated, without subroutines or hints);
    // the rest of the file is text, ToUnicode maps, the tag tree, links,
    // page labels, the outline and the XMP metadata. typst writes 171 KB,
    // xelatex 159 KB (without a contents list).
    let size = sample().bytes.len();
    assert!(size < 142 * 1024, "{size} bytes");
}

#[test]
fn a_character_no_font_has_is_reported_with_its_place_and_boxed() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("missing-glyph");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("missing.txt");
    std::fs::write(&file, "第一章 标题\n正文里有\u{10FFFD}一个字。\n").expect("write");
    let (doc, fonts) = load(file.to_str().expect("path"));
    // The resolve step reports it, for every format.
    let found = inkstone::resolve::glyphs::resolve_glyphs(&doc, &fonts, false).diagnostics;
    assert_eq!(found.len(), 1, "{found:?}");
    let d = &found[0];
    assert_eq!(d.severity, Severity::Error, "{d}");
    let location = d.location.as_ref().expect("a location");
    assert!(location.file.ends_with("missing.txt"), "{d}");
    assert_eq!((location.line, location.column), (2, 5), "{d}");
    let allowed = inkstone::resolve::glyphs::resolve_glyphs(&doc, &fonts, true);
    assert_eq!(allowed.diagnostics.len(), 1);
    assert_eq!(allowed.diagnostics[0].severity, Severity::Warning);
    // The PDF draws a box and says nothing of its own.
    let (bytes, diagnostics) = render_pdf(
        &doc,
        &allowed.fonts,
        &PdfOptions {
            allow_missing_glyphs: true,
            ..PdfOptions::default()
        },
    )
    .expect("a PDF with a box");
    assert!(!bytes.is_empty());
    assert!(
        !diagnostics.iter().any(|d| d.message.contains("U+10FFFD")),
        "{diagnostics:?}"
    );
}

#[test]
fn a_long_table_repeats_its_header_on_the_next_page() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("long-table");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut md = String::from("# 表格\n\n| 序号 | 名称 |\n|---|---|\n");
    for i in 1..=80 {
        md.push_str(&format!("| {i} | 第{i}项 |\n"));
    }
    let file = dir.join("table.md");
    std::fs::write(&file, md).expect("write");
    let (doc, fonts) = load(file.to_str().expect("path"));
    let (layout, _) = layout_document(&doc, &fonts, &PdfOptions::default()).expect("layout");
    assert!(layout.pages.len() >= 2);
    for page in &layout.pages[1..] {
        let repeated = page.items.iter().any(|i| {
            matches!(i, Item::Line(l) if l.kind == LineKind::Cell && l.tag.is_none() && l.set.text == "序号")
        });
        assert!(repeated, "a page without the header row");
    }
}

/// A 4 × 2 red PNG.
const PNG: [u8; 73] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 4, 0, 0, 0, 2, 8, 2, 0,
    0, 0, 240, 202, 234, 52, 0, 0, 0, 16, 73, 68, 65, 84, 120, 156, 99, 248, 207, 192, 0, 71, 12,
    200, 28, 0, 111, 170, 7, 249, 128, 220, 0, 40, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

#[test]
fn an_image_fills_the_measure_with_its_caption_below() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("image");
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("red.png"), PNG).expect("write the image");
    let file = dir.join("figure.md");
    std::fs::write(
        &file,
        "# 插图\n\n前面的段落。\n\n![红色方块](red.png \"图1 红色方块\")\n\n后面的段落。\n",
    )
    .expect("write");
    let (doc, fonts) = load(file.to_str().expect("path"));
    let (layout, _) = layout_document(&doc, &fonts, &PdfOptions::default()).expect("layout");
    let page = &layout.pages[0];
    let (x, y, width, height) = page
        .items
        .iter()
        .find_map(|i| match i {
            Item::Image {
                x,
                y,
                width,
                height,
                ..
            } => Some((*x, *y, *width, *height)),
            _ => None,
        })
        .expect("the image is drawn");
    let measure = page
        .items
        .iter()
        .find_map(|i| match i {
            Item::Line(l) if l.kind == LineKind::Body => Some(l.measure),
            _ => None,
        })
        .expect("a body line");
    assert!((width - measure).abs() < 0.01, "{width} vs {measure}");
    assert!((height - width / 2.0).abs() < 0.01, "aspect ratio kept");
    assert!((x - page.text_left).abs() < 0.01);
    let caption = page
        .items
        .iter()
        .find_map(|i| match i {
            Item::Line(l) if l.kind == LineKind::Caption => Some(l),
            _ => None,
        })
        .expect("a caption");
    assert_eq!(caption.set.text, "图1 红色方块");
    assert!(
        caption.baseline > y + height,
        "the caption is below the image"
    );
    let (bytes, _) = render_pdf(&doc, &fonts, &PdfOptions::default()).expect("render");
    let pdf = dir.join("figure.pdf");
    std::fs::write(&pdf, bytes).expect("write");
    let text = tool("pdftotext", &[], &pdf);
    assert!(strip(&text).contains("图1红色方块"), "{text}");
}

/// The characters a reader gets glyph by glyph, from the fonts' ToUnicode
/// maps (MuPDF reads those and not ActualText), without white space.
fn mapped_characters(pdf: &Path) -> String {
    let xml = tool("mutool", &["draw", "-q", "-F", "stext", "-o", "-"], pdf);
    let mut out = String::new();
    for part in xml.split("<char ").skip(1) {
        let Some(at) = part.find(" c=\"") else {
            continue;
        };
        let value = &part[at + 4..];
        let value = &value[..value.find('"').unwrap_or(0)];
        let c = match value.strip_prefix("&#x").and_then(|v| v.strip_suffix(';')) {
            Some(hex) => u32::from_str_radix(hex, 16).ok().and_then(char::from_u32),
            None => match value {
                "&amp;" => Some('&'),
                "&lt;" => Some('<'),
                "&gt;" => Some('>'),
                "&quot;" => Some('"'),
                _ => value.chars().next(),
            },
        };
        if let Some(c) = c.filter(|c| !c.is_whitespace()) {
            out.push(c);
        }
    }
    out
}

#[test]
fn every_glyph_is_mapped_to_its_own_character() {
    // Mixed lines (Han with digits and Latin, set with gaps) carry their
    // exact text as ActualText; the ToUnicode maps must still give each
    // glyph its own character, or readers that use the maps see the wrong
    // text.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tounicode");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let source = dir.join("混排.md");
    std::fs::write(
        &source,
        "# 2024年GDP回顾\n\n全年GDP增长5.2%，其中第3季度环比增长1.5%。\n\n\
         项目编号A-17与B-22已在12月验收，共投入380万元。\n",
    )
    .expect("write the fixture");
    let out = dir.join("out");
    let status = Command::new(env!("CARGO_BIN_EXE_inkstone"))
        .args(["build", "--format", "pdf", "-q", "-o"])
        .arg(&out)
        .arg(&source)
        .status()
        .expect("run inkstone");
    assert!(status.success());
    let pdf = out.join("混排.pdf");
    let extracted: String = tool("pdftotext", &[], &pdf)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mapped = mapped_characters(&pdf);
    assert!(mapped.contains("GDP增长5.2%"), "{mapped}");
    assert_eq!(mapped, extracted);
}
