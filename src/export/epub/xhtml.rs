//! XHTML content documents: one per chapter, and the cover page.
//!
//! A chapter is one `<section epub:type="chapter">` whose headings open
//! nested sections, so the document outline matches the table of
//! contents. Footnotes follow the chapter's text as
//! `<aside epub:type="footnote">`, each linked both ways with its
//! reference. Every id comes from the model (heading and footnote ids), so
//! two builds name everything alike.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::diag::{Diagnostic, Location};
use crate::model::{Alignment, Block, Chapter, Heading, Inline, Span};

use super::xml::{UsedChars, Xml};
use super::Book;

/// One written document with what it needs from the rest of the book.
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub chars: UsedChars,
    pub diagnostics: Vec<Diagnostic>,
}

/// Opens an XHTML page: declaration, `<html>` with the book's language,
/// `<head>` with its title and the stylesheets, and `<body>`.
pub fn open_page(xml: &mut Xml, book: &Book, title: &str, body_type: Option<&str>) {
    let lang = book.doc.metadata.language.as_str();
    xml.doctype_html();
    xml.start(
        "html",
        &[
            ("xmlns", "http://www.w3.org/1999/xhtml"),
            ("xmlns:epub", "http://www.idpf.org/2007/ops"),
            ("lang", lang),
            ("xml:lang", lang),
        ],
    );
    xml.newline();
    xml.start("head", &[]);
    xml.newline();
    xml.element("title", &[], title);
    xml.newline();
    for href in &book.stylesheets {
        xml.empty(
            "link",
            &[("rel", "stylesheet"), ("type", "text/css"), ("href", href)],
        );
        xml.newline();
    }
    xml.end("head");
    xml.newline();
    match body_type {
        Some(kind) => xml.start("body", &[("epub:type", kind)]),
        None => xml.start("body", &[]),
    }
    xml.newline();
}

/// Closes what [`open_page`] opened.
pub fn close_page(xml: &mut Xml) {
    xml.end("body");
    xml.newline();
    xml.end("html");
    xml.newline();
}

/// Writes the XHTML of one chapter.
pub fn write_chapter(book: &Book, chapter: &Chapter) -> Rendered {
    let mut writer = ChapterWriter {
        xml: Xml::new(),
        book,
        chapter,
        source: book.doc.settings.base_dir.join(&chapter.source),
        span: chapter.title.span,
        note_refs: HashMap::new(),
        diagnostics: Vec::new(),
    };
    writer.write();
    let (bytes, chars) = writer.xml.finish();
    Rendered {
        bytes,
        chars,
        diagnostics: writer.diagnostics,
    }
}

struct ChapterWriter<'a> {
    xml: Xml,
    book: &'a Book<'a>,
    chapter: &'a Chapter,
    /// The chapter's source file, for diagnostics.
    source: PathBuf,
    /// The span of the block being written, for diagnostics.
    span: Span,
    /// How many references to each footnote were written so far.
    note_refs: HashMap<String, u32>,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> ChapterWriter<'a> {
    fn write(&mut self) {
        let chapter = self.chapter;
        open_page(
            &mut self.xml,
            self.book,
            &chapter.title.display_text(),
            Some("bodymatter"),
        );
        // The page title repeats the heading: count what it lost once, there.
        self.xml.take_dropped();
        self.xml.start(
            "section",
            &[
                ("epub:type", "chapter"),
                ("role", "doc-chapter"),
                ("aria-labelledby", &chapter.title.id),
            ],
        );
        self.xml.newline();
        self.heading(&chapter.title);
        if let Some(subtitle) = &chapter.subtitle {
            self.xml.newline();
            self.xml.element(
                "p",
                &[
                    ("class", "chapter-subtitle"),
                    ("epub:type", "subtitle"),
                    ("role", "doc-subtitle"),
                ],
                &crate::model::dashed_subtitle(subtitle),
            );
        }
        self.check_dropped();

        // Each heading opens a section that runs to the next heading of the
        // same or a higher level.
        let mut open: Vec<u8> = Vec::new();
        for block in &chapter.blocks {
            self.span = block.span();
            self.xml.newline();
            if let Block::Heading(heading) = block {
                while open.last().is_some_and(|&level| level >= heading.level) {
                    open.pop();
                    self.xml.end("section");
                    self.xml.newline();
                }
                self.xml
                    .start("section", &[("aria-labelledby", &heading.id)]);
                self.xml.newline();
                open.push(heading.level);
            }
            self.block(block);
            self.check_dropped();
        }
        for _ in open {
            self.xml.newline();
            self.xml.end("section");
        }
        self.footnotes();
        self.xml.newline();
        self.xml.end("section");
        self.xml.newline();
        close_page(&mut self.xml);
    }

    fn heading(&mut self, heading: &Heading) {
        let name = match heading.level {
            0 | 1 => "h1",
            2 => "h2",
            3 => "h3",
            4 => "h4",
            5 => "h5",
            _ => "h6",
        };
        // Each heading is the title of the section it opens.
        self.xml
            .start(name, &[("id", &heading.id), ("epub:type", "title")]);
        if let Some(number) = &heading.number {
            self.xml
                .element("span", &[("class", "heading-number")], number);
        }
        self.inlines(&heading.content);
        self.xml.end(name);
    }

    fn blocks(&mut self, blocks: &[Block]) {
        for (i, block) in blocks.iter().enumerate() {
            if i > 0 {
                self.xml.newline();
            }
            self.block(block);
        }
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading(heading) => self.heading(heading),
            Block::Paragraph { content, .. } => {
                self.xml.start("p", &[]);
                self.inlines(content);
                self.xml.end("p");
            }
            Block::List {
                ordered,
                start,
                items,
                ..
            } => {
                let name = if *ordered { "ol" } else { "ul" };
                let start = start.to_string();
                if *ordered && start != "1" {
                    self.xml.start(name, &[("start", &start)]);
                } else {
                    self.xml.start(name, &[]);
                }
                for item in items {
                    self.xml.newline();
                    self.xml.start("li", &[]);
                    match item.as_slice() {
                        [Block::Paragraph { content, .. }] => self.inlines(content),
                        blocks => self.blocks(blocks),
                    }
                    self.xml.end("li");
                }
                self.xml.newline();
                self.xml.end(name);
            }
            Block::Quote { blocks, .. } => {
                self.xml.start("blockquote", &[]);
                self.xml.newline();
                self.blocks(blocks);
                self.xml.newline();
                self.xml.end("blockquote");
            }
            Block::Verse { lines, .. } => {
                // An empty line divides stanzas; each becomes a
                // `div.stanza` when there are several.
                let stanzas = lines.iter().any(Vec::is_empty);
                self.xml.start("div", &[("class", "verse")]);
                for stanza in lines.split(Vec::is_empty).filter(|s| !s.is_empty()) {
                    if stanzas {
                        self.xml.newline();
                        self.xml.start("div", &[("class", "stanza")]);
                    }
                    for line in stanza {
                        self.xml.newline();
                        self.xml.start("p", &[]);
                        self.inlines(line);
                        self.xml.end("p");
                    }
                    if stanzas {
                        self.xml.newline();
                        self.xml.end("div");
                    }
                }
                self.xml.newline();
                self.xml.end("div");
            }
            Block::Code { language, text, .. } => {
                self.xml.start("pre", &[]);
                match language {
                    Some(language) => {
                        let class = format!("language-{language}");
                        self.xml.element("code", &[("class", &class)], text);
                    }
                    None => self.xml.element("code", &[], text),
                }
                self.xml.end("pre");
            }
            Block::Image {
                src, alt, caption, ..
            } => {
                self.xml.start("figure", &[]);
                // Missing images stop the build before chapters are written.
                let href = self
                    .book
                    .images
                    .get(src.as_str())
                    .map_or("", String::as_str);
                self.xml.empty("img", &[("src", href), ("alt", alt)]);
                if let Some(caption) = caption {
                    self.xml.element("figcaption", &[], caption);
                }
                self.xml.end("figure");
            }
            Block::Table {
                alignments,
                header,
                rows,
                ..
            } => self.table(alignments, header, rows),
            Block::Break { .. } => self.xml.empty("hr", &[]),
        }
    }

    fn table(
        &mut self,
        alignments: &[Alignment],
        header: &[Vec<Inline>],
        rows: &[Vec<Vec<Inline>>],
    ) {
        self.xml.start("table", &[]);
        if !header.is_empty() {
            self.xml.newline();
            self.xml.start("thead", &[]);
            self.table_row("th", alignments, header);
            self.xml.end("thead");
        }
        if !rows.is_empty() {
            self.xml.newline();
            self.xml.start("tbody", &[]);
            for row in rows {
                self.table_row("td", alignments, row);
            }
            self.xml.newline();
            self.xml.end("tbody");
        }
        self.xml.newline();
        self.xml.end("table");
    }

    fn table_row(&mut self, cell: &str, alignments: &[Alignment], row: &[Vec<Inline>]) {
        self.xml.newline();
        self.xml.start("tr", &[]);
        for (column, content) in row.iter().enumerate() {
            let class = match alignments.get(column) {
                Some(Alignment::Left) => "align-left",
                Some(Alignment::Center) => "align-center",
                Some(Alignment::Right) => "align-right",
                Some(Alignment::None) | None => "",
            };
            if class.is_empty() {
                self.xml.start(cell, &[]);
            } else {
                self.xml.start(cell, &[("class", class)]);
            }
            self.inlines(content);
            self.xml.end(cell);
        }
        self.xml.end("tr");
    }

    fn inlines(&mut self, inlines: &[Inline]) {
        for inline in inlines {
            match inline {
                Inline::Text { text } => self.xml.text(text),
                Inline::Emphasis { content } => {
                    self.xml.start("em", &[]);
                    self.inlines(content);
                    self.xml.end("em");
                }
                Inline::Strong { content } => {
                    self.xml.start("strong", &[]);
                    self.inlines(content);
                    self.xml.end("strong");
                }
                Inline::Link { url, content } => match self.book.link_target(url) {
                    Some(href) => {
                        self.xml.start("a", &[("href", &href)]);
                        self.inlines(content);
                        self.xml.end("a");
                    }
                    None => {
                        self.warn(
                            format!("the link target `{url}` is neither a web address nor a heading of the book; the text is kept without the link"),
                            "link to `https://...`, `mailto:...`, a chapter file or `#heading-id`",
                        );
                        self.inlines(content);
                    }
                },
                Inline::Code { text } => self.xml.element("code", &[], text),
                Inline::FootnoteRef { id, number } => self.note_ref(id, *number),
                Inline::LineBreak => self.xml.empty("br", &[]),
            }
        }
    }

    /// A superscript link to the footnote; the first reference is the one
    /// the note links back to.
    fn note_ref(&mut self, id: &str, number: u32) {
        let number = number.to_string();
        if !self.chapter.footnotes.iter().any(|note| note.id == id) {
            self.warn(
                format!("footnote `{id}` is referenced but not defined in this chapter"),
                "define the note in the same file as its reference",
            );
            self.xml.element("sup", &[], &number);
            return;
        }
        let count = self.note_refs.entry(id.to_string()).or_insert(0);
        *count += 1;
        let ref_id = match *count {
            1 => format!("ref-{id}"),
            n => format!("ref-{id}-{n}"),
        };
        let href = format!("#{id}");
        self.xml.start("sup", &[]);
        self.xml.element(
            "a",
            &[
                ("id", &ref_id),
                ("href", &href),
                ("epub:type", "noteref"),
                ("role", "doc-noteref"),
            ],
            &number,
        );
        self.xml.end("sup");
    }

    fn footnotes(&mut self) {
        let chapter = self.chapter;
        if chapter.footnotes.is_empty() {
            return;
        }
        self.xml.newline();
        self.xml.start("div", &[("class", "footnotes")]);
        for note in &chapter.footnotes {
            self.xml.newline();
            self.xml.start(
                "aside",
                &[
                    ("id", &note.id),
                    ("class", "footnote"),
                    ("epub:type", "footnote"),
                    ("role", "doc-footnote"),
                ],
            );
            // The note's number leads its first paragraph and links back
            // to the first reference.
            let (first, rest) = match note.blocks.split_first() {
                Some((Block::Paragraph { content, span }, rest)) => {
                    self.span = *span;
                    (Some(content.as_slice()), rest)
                }
                _ => (None, note.blocks.as_slice()),
            };
            self.xml.newline();
            self.xml.start("p", &[]);
            let number = note.number.to_string();
            if self.note_refs.contains_key(&note.id) {
                let href = format!("#ref-{}", note.id);
                self.xml.element(
                    "a",
                    &[
                        ("href", &href),
                        ("class", "footnote-back"),
                        ("role", "doc-backlink"),
                    ],
                    &number,
                );
            } else {
                self.xml
                    .element("span", &[("class", "footnote-back")], &number);
            }
            if let Some(content) = first {
                self.inlines(content);
            }
            self.xml.end("p");
            if !rest.is_empty() {
                self.xml.newline();
                self.blocks(rest);
            }
            self.xml.newline();
            self.xml.end("aside");
            self.check_dropped();
        }
        self.xml.newline();
        self.xml.end("div");
    }

    /// Warns when the block just written lost characters XML does not allow.
    fn check_dropped(&mut self) {
        let dropped = self.xml.take_dropped();
        if dropped > 0 {
            self.warn(
                format!("dropped {dropped} control character(s) that XHTML cannot hold"),
                "remove them from the source; they are invisible and usually come from copying",
            );
        }
    }

    fn warn(&mut self, message: String, hint: &str) {
        let location = Location::new(&self.source, self.span.line, self.span.column);
        self.diagnostics
            .push(Diagnostic::warning(location, message).with_hint(hint));
    }
}

/// Writes the generated cover page: title, subtitle, authors, publisher and
/// year, as text (the reading system draws it in the book's fonts).
pub fn write_cover_page(book: &Book) -> (Vec<u8>, UsedChars) {
    let meta = &book.doc.metadata;
    let mut xml = Xml::new();
    open_page(&mut xml, book, &meta.title, None);
    xml.start("section", &[("class", "cover"), ("epub:type", "cover")]);
    xml.newline();
    xml.element("h1", &[], &meta.title);
    if let Some(subtitle) = &meta.subtitle {
        xml.newline();
        xml.element(
            "p",
            &[("class", "cover-subtitle")],
            &crate::model::dashed_subtitle(subtitle),
        );
    }
    if !meta.authors.is_empty() {
        xml.newline();
        xml.element("p", &[("class", "cover-authors")], &meta.authors.join("　"));
    }
    if let Some(publisher) = &meta.publisher {
        xml.newline();
        xml.element("p", &[("class", "cover-publisher")], publisher);
    }
    if let Some(year) = meta.date.as_deref().and_then(|date| date.get(..4)) {
        xml.newline();
        xml.element("p", &[("class", "cover-year")], year);
    }
    xml.newline();
    xml.end("section");
    xml.newline();
    close_page(&mut xml);
    xml.finish()
}

/// Writes the cover page that shows the cover image.
pub fn write_image_cover_page(book: &Book, href: &str) -> (Vec<u8>, UsedChars) {
    let meta = &book.doc.metadata;
    let mut xml = Xml::new();
    open_page(&mut xml, book, &meta.title, None);
    xml.start(
        "section",
        &[("class", "cover-image"), ("epub:type", "cover")],
    );
    xml.newline();
    xml.empty(
        "img",
        &[("src", href), ("alt", &meta.title), ("role", "doc-cover")],
    );
    xml.newline();
    xml.end("section");
    xml.newline();
    close_page(&mut xml);
    xml.finish()
}
