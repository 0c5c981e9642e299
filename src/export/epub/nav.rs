//! Navigation: the EPUB 3 navigation document (`nav.xhtml`) and the NCX
//! for EPUB 2 reading systems, both from the model's table of contents.
//!
//! The nav is also a page of the book (the contents page, after the
//! cover), and holds the landmarks: cover, contents, start of the text.

use crate::model::{Document, TocEntry};

use super::xhtml::{close_page, open_page};
use super::xml::{UsedChars, Xml};
use super::{chapter_file, Book, COVER_FILE, NAV_FILE};

/// Writes `nav.xhtml`.
pub fn write_nav(book: &Book, toc: &[TocEntry]) -> (Vec<u8>, UsedChars) {
    let labels = book.labels;
    let doc = book.doc;
    let mut xml = Xml::new();
    open_page(&mut xml, book, labels.contents, Some("frontmatter"));
    xml.start(
        "nav",
        &[("epub:type", "toc"), ("id", "toc"), ("role", "doc-toc")],
    );
    xml.newline();
    xml.element("h1", &[], labels.contents);
    xml.newline();
    write_toc_list(&mut xml, doc, toc);
    xml.newline();
    xml.end("nav");
    xml.newline();

    xml.start("nav", &[("epub:type", "landmarks"), ("hidden", "hidden")]);
    xml.newline();
    xml.element("h2", &[], labels.landmarks);
    xml.newline();
    xml.start("ol", &[]);
    let toc_href = format!("{NAV_FILE}#toc");
    let mut landmarks = vec![
        ("cover", COVER_FILE.to_string(), labels.cover),
        ("toc", toc_href, labels.contents),
    ];
    if let Some(first) = doc.chapters.first() {
        landmarks.push(("bodymatter", chapter_file(first), labels.start));
    }
    for (kind, href, label) in &landmarks {
        xml.newline();
        xml.start("li", &[]);
        xml.element("a", &[("epub:type", kind), ("href", href)], label);
        xml.end("li");
    }
    xml.newline();
    xml.end("ol");
    xml.newline();
    xml.end("nav");
    xml.newline();
    close_page(&mut xml);
    xml.finish()
}

fn write_toc_list(xml: &mut Xml, doc: &Document, entries: &[TocEntry]) {
    xml.start("ol", &[]);
    for entry in entries {
        xml.newline();
        xml.start("li", &[]);
        xml.element("a", &[("href", &entry_href(doc, entry))], &entry.title);
        if !entry.children.is_empty() {
            xml.newline();
            write_toc_list(xml, doc, &entry.children);
            xml.newline();
        }
        xml.end("li");
    }
    xml.newline();
    xml.end("ol");
}

/// Writes `toc.ncx` with the same tree as the nav.
pub fn write_ncx(doc: &Document, toc: &[TocEntry]) -> Vec<u8> {
    let mut xml = Xml::new();
    xml.start(
        "ncx",
        &[
            ("xmlns", "http://www.daisy.org/z3986/2005/ncx/"),
            ("version", "2005-1"),
            ("xml:lang", &doc.metadata.language),
        ],
    );
    xml.newline();
    xml.start("head", &[]);
    let depth = depth(toc).to_string();
    for (name, content) in [
        ("dtb:uid", doc.metadata.identifier.as_str()),
        ("dtb:depth", &depth),
        ("dtb:totalPageCount", "0"),
        ("dtb:maxPageNumber", "0"),
    ] {
        xml.newline();
        xml.empty("meta", &[("name", name), ("content", content)]);
    }
    xml.newline();
    xml.end("head");
    xml.newline();
    xml.start("docTitle", &[]);
    xml.element("text", &[], &doc.metadata.title);
    xml.end("docTitle");
    xml.newline();
    xml.start("navMap", &[]);
    let mut play_order = 0;
    write_nav_points(&mut xml, doc, toc, &mut play_order);
    xml.newline();
    xml.end("navMap");
    xml.newline();
    xml.end("ncx");
    xml.newline();
    xml.finish().0
}

/// `playOrder` numbers the entries in reading order, as the NCX requires.
fn write_nav_points(xml: &mut Xml, doc: &Document, entries: &[TocEntry], play_order: &mut u32) {
    for entry in entries {
        *play_order += 1;
        let id = format!("nav-{}", entry.id);
        let order = play_order.to_string();
        xml.newline();
        xml.start("navPoint", &[("id", &id), ("playOrder", &order)]);
        xml.start("navLabel", &[]);
        xml.element("text", &[], &entry.title);
        xml.end("navLabel");
        xml.empty("content", &[("src", &entry_href(doc, entry))]);
        write_nav_points(xml, doc, &entry.children, play_order);
        xml.end("navPoint");
    }
}

fn entry_href(doc: &Document, entry: &TocEntry) -> String {
    match doc.chapters.get(entry.chapter) {
        Some(chapter) => format!("{}#{}", chapter_file(chapter), entry.id),
        None => format!("#{}", entry.id),
    }
}

fn depth(entries: &[TocEntry]) -> usize {
    entries
        .iter()
        .map(|entry| 1 + depth(&entry.children))
        .max()
        .unwrap_or(0)
}
