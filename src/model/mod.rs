//! The resolved document model: the one structure between reading and
//! rendering.
//!
//! `normalize` produces a [`Document`]; the EPUB and PDF renderers read it
//! and never look at source text again. Everything a renderer needs is
//! resolved here: every heading has its level, id and number, every
//! paragraph its inlines, the table of contents exists and the metadata is
//! complete. The JSON form (`inkstone inspect`) is described in
//! `docs/model.md`; [`MODEL_VERSION`] changes whenever that form does.

use serde::{Deserialize, Serialize};

mod toc;

pub use toc::build_toc;

/// Version of the JSON form of the model.
pub const MODEL_VERSION: u32 = 1;

/// A whole book, ready to render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub version: u32,
    pub metadata: Metadata,
    pub settings: Settings,
    pub chapters: Vec<Chapter>,
    pub toc: Vec<TocEntry>,
}

/// Bibliographic data, complete after loading (defaults filled in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub publisher: Option<String>,
    /// BCP 47 language tag, `zh-CN` unless the book says otherwise.
    pub language: String,
    /// ISBN (`urn:isbn:...`) or UUID (`urn:uuid:...`).
    pub identifier: String,
    /// ISO 8601 date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub edition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rights: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub keywords: Vec<String>,
    /// Cover image, relative to [`Settings::base_dir`].
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cover: Option<String>,
}

/// Rendering choices taken from `book.toml`, resolved.
///
/// Paths are relative to the book directory (`base_dir`), so the JSON form
/// is the same on every machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Base name of the output files (`<slug>.epub`, `<slug>.pdf`).
    pub slug: String,
    /// Headings down to this level (1 = chapter titles) go into the table of
    /// contents.
    pub toc_depth: u8,
    /// EPUB stylesheets, in order; a name without a slash is one of the
    /// built-in styles in `styles/`.
    pub epub_styles: Vec<String>,
    /// PDF page style: a built-in name (`a4-report`, `a5-book`, ...) or a
    /// path to a TOML page style.
    pub pdf_style: String,
    /// `vertical-rl` writing for the EPUB.
    pub vertical: bool,
    pub fonts: FontSettings,
    /// True when the book is one article: its title is the book title and
    /// its sections are the top level of the table of contents.
    pub single_article: bool,
    /// The book directory; not part of the JSON form.
    #[serde(skip)]
    pub base_dir: std::path::PathBuf,
    /// `[book] allow-outside`: images, the cover, styles and fonts may come
    /// from outside `base_dir`; not part of the JSON form.
    #[serde(skip)]
    pub allow_outside: bool,
}

/// Font choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FontSettings {
    /// Family names for body text, in fallback order.
    pub body: Vec<String>,
    /// Family names for headings, in fallback order.
    pub heading: Vec<String>,
    /// Extra font files or folders, relative to the book directory.
    pub paths: Vec<String>,
    /// Installed fonts may be used (`[fonts] system`, `--system-fonts`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub system: bool,
}

/// One source file, or one part of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chapter {
    /// Stable id, used for file names and anchors (`ch01`, ...).
    pub id: String,
    /// The source file, relative to the book directory.
    pub source: String,
    /// The chapter title (level 1 heading).
    pub title: Heading,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub subtitle: Option<String>,
    pub blocks: Vec<Block>,
    /// Footnote definitions, in order of first reference.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub footnotes: Vec<Footnote>,
}

/// Where something came from: 1-based line and column (in characters) in
/// the chapter's source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Heading {
    /// 1 for a chapter title, 2 for its sections, and so on.
    pub level: u8,
    /// Unique within the book; stable across builds.
    pub id: String,
    /// The number as written ("一、", "第一章", "1."), kept apart from the
    /// text so renderers may style it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub number: Option<String>,
    pub content: Vec<Inline>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Heading(Heading),
    Paragraph {
        content: Vec<Inline>,
        span: Span,
    },
    List {
        ordered: bool,
        /// First number of an ordered list.
        start: u64,
        items: Vec<Vec<Block>>,
        span: Span,
    },
    Quote {
        blocks: Vec<Block>,
        span: Span,
    },
    /// Lines kept as written (poetry, addresses).
    Verse {
        lines: Vec<Vec<Inline>>,
        span: Span,
    },
    Code {
        #[serde(skip_serializing_if = "Option::is_none", default)]
        language: Option<String>,
        text: String,
        span: Span,
    },
    Image {
        /// Relative to the book directory.
        src: String,
        alt: String,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        caption: Option<String>,
        span: Span,
    },
    Table {
        alignments: Vec<Alignment>,
        header: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
        span: Span,
    },
    /// A thematic break.
    Break {
        span: Span,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Alignment {
    None,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Inline {
    /// Plain text. A space in it is a deliberate space from the source.
    Text {
        text: String,
    },
    Emphasis {
        content: Vec<Inline>,
    },
    Strong {
        content: Vec<Inline>,
    },
    Link {
        url: String,
        content: Vec<Inline>,
    },
    Code {
        text: String,
    },
    /// A reference to `Chapter::footnotes[index]`.
    FootnoteRef {
        id: String,
        number: u32,
    },
    /// A forced line break inside a paragraph.
    LineBreak,
    /// An interlinear annotation (ruby, 注音): `annotation` is set above
    /// `base` at a smaller size. One character of base is mono ruby
    /// (pinyin or zhuyin of one syllable); several are group ruby (a word,
    /// a translation, a gloss).
    Ruby {
        base: String,
        annotation: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Footnote {
    pub id: String,
    pub number: u32,
    pub blocks: Vec<Block>,
}

/// An entry of the table of contents, with its sub-entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TocEntry {
    pub level: u8,
    /// Plain text of the heading, number included.
    pub title: String,
    /// Index into `Document::chapters`.
    pub chapter: usize,
    /// The heading's id.
    pub id: String,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub children: Vec<TocEntry>,
}

impl Inline {
    pub fn text(text: impl Into<String>) -> Self {
        Inline::Text { text: text.into() }
    }
}

/// Appends the plain text of `inlines` to `out` (footnote references and
/// line breaks contribute nothing, ruby its base text only).
pub fn push_plain_text(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text { text } | Inline::Code { text } => out.push_str(text),
            Inline::Ruby { base, .. } => out.push_str(base),
            Inline::Emphasis { content }
            | Inline::Strong { content }
            | Inline::Link { content, .. } => push_plain_text(content, out),
            Inline::FootnoteRef { .. } | Inline::LineBreak => {}
        }
    }
}

/// Appends the annotations of the ruby in `inlines` to `out`.
fn push_annotations(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Ruby { annotation, .. } => out.push_str(annotation),
            Inline::Emphasis { content }
            | Inline::Strong { content }
            | Inline::Link { content, .. } => push_annotations(content, out),
            _ => {}
        }
    }
}

/// Appends the annotations of the ruby in `blocks` to `out`.
fn push_blocks_annotations(blocks: &[Block], out: &mut String) {
    for block in blocks {
        match block {
            Block::Heading(h) => push_annotations(&h.content, out),
            Block::Paragraph { content, .. } => push_annotations(content, out),
            Block::List { items, .. } => {
                for item in items {
                    push_blocks_annotations(item, out);
                }
            }
            Block::Quote { blocks, .. } => push_blocks_annotations(blocks, out),
            Block::Verse { lines, .. } => {
                for line in lines {
                    push_annotations(line, out);
                }
            }
            Block::Table { header, rows, .. } => {
                for row in std::iter::once(header).chain(rows) {
                    for cell in row {
                        push_annotations(cell, out);
                    }
                }
            }
            Block::Code { .. } | Block::Image { .. } | Block::Break { .. } => {}
        }
    }
}

/// The plain text of `inlines`.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain_text(inlines, &mut out);
    out
}

impl Heading {
    /// The heading as it reads in a table of contents: number and text.
    pub fn display_text(&self) -> String {
        let mut out = self.number.clone().unwrap_or_default();
        push_plain_text(&self.content, &mut out);
        out
    }
}

impl Block {
    pub fn span(&self) -> Span {
        match self {
            Block::Heading(h) => h.span,
            Block::Paragraph { span, .. }
            | Block::List { span, .. }
            | Block::Quote { span, .. }
            | Block::Verse { span, .. }
            | Block::Code { span, .. }
            | Block::Image { span, .. }
            | Block::Table { span, .. }
            | Block::Break { span } => *span,
        }
    }
}

impl Chapter {
    /// Every block of the chapter and of its notes, and every block
    /// inside them (list items, quotes), in reading order. Nesting is
    /// walked with a work list, not recursion: its depth comes from the
    /// input.
    pub fn all_blocks(&self) -> impl Iterator<Item = &Block> {
        let notes = self.footnotes.iter().flat_map(|note| &note.blocks);
        let mut pending: Vec<&Block> = self.blocks.iter().chain(notes).rev().collect();
        std::iter::from_fn(move || {
            let block = pending.pop()?;
            match block {
                Block::List { items, .. } => {
                    pending.extend(items.iter().rev().flat_map(|item| item.iter().rev()));
                }
                Block::Quote { blocks, .. } => pending.extend(blocks.iter().rev()),
                _ => {}
            }
            Some(block)
        })
    }
}

impl Document {
    /// Every heading of the book in reading order, chapter titles included,
    /// with the index of its chapter.
    pub fn headings(&self) -> impl Iterator<Item = (usize, &Heading)> {
        self.chapters
            .iter()
            .enumerate()
            .flat_map(|(index, chapter)| {
                std::iter::once(&chapter.title)
                    .chain(chapter.blocks.iter().filter_map(|block| match block {
                        Block::Heading(h) => Some(h),
                        _ => None,
                    }))
                    .map(move |h| (index, h))
            })
    }

    /// The text of every ruby annotation (which [`Document::plain_text`]
    /// leaves out), for the characters the fonts must have.
    pub fn annotation_text(&self) -> String {
        let mut out = String::new();
        for chapter in &self.chapters {
            push_annotations(&chapter.title.content, &mut out);
            push_blocks_annotations(&chapter.blocks, &mut out);
            for note in &chapter.footnotes {
                push_blocks_annotations(&note.blocks, &mut out);
            }
        }
        out
    }

    /// The text a reader sees, in order: titles, headings, paragraphs, list
    /// items, table cells, footnotes. Used by renderers' round-trip tests.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for chapter in &self.chapters {
            out.push_str(&chapter.title.display_text());
            out.push('\n');
            if let Some(subtitle) = &chapter.subtitle {
                out.push_str(&dashed_subtitle(subtitle));
                out.push('\n');
            }
            push_blocks_text(&chapter.blocks, &mut out);
            for note in &chapter.footnotes {
                push_blocks_text(&note.blocks, &mut out);
            }
        }
        out
    }
}

/// Appends the text of `blocks` to `out`, one line per paragraph-like block.
pub fn push_blocks_text(blocks: &[Block], out: &mut String) {
    for block in blocks {
        match block {
            Block::Heading(h) => {
                out.push_str(&h.display_text());
                out.push('\n');
            }
            Block::Paragraph { content, .. } => {
                push_plain_text(content, out);
                out.push('\n');
            }
            Block::List { items, .. } => {
                for item in items {
                    push_blocks_text(item, out);
                }
            }
            Block::Quote { blocks, .. } => push_blocks_text(blocks, out),
            Block::Verse { lines, .. } => {
                for line in lines {
                    push_plain_text(line, out);
                    out.push('\n');
                }
            }
            Block::Code { text, .. } => {
                out.push_str(text);
                out.push('\n');
            }
            Block::Image { caption, .. } => {
                if let Some(caption) = caption {
                    out.push_str(caption);
                    out.push('\n');
                }
            }
            Block::Table { header, rows, .. } => {
                for row in std::iter::once(header).chain(rows) {
                    for cell in row {
                        push_plain_text(cell, out);
                        out.push('\n');
                    }
                }
            }
            Block::Break { .. } => {}
        }
    }
}

/// A subtitle as it is set under its title: introduced by a dash, as GB/T
/// 15834 (4.9 破折号) prints it ("——2022年……"). The model keeps the
/// subtitle without its dash, for metadata; what is printed under a title
/// (PDF, EPUB) takes it from here. A subtitle that already begins with a
/// dash is left as it is.
pub fn dashed_subtitle(subtitle: &str) -> String {
    if subtitle.starts_with(['—', '－', '-']) {
        subtitle.to_string()
    } else {
        format!("——{subtitle}")
    }
}
