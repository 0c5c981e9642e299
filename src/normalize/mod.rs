//! Second stage: loaded sources to the resolved [`Document`].
//!
//! Plain text goes through [`plain`], Markdown through [`markdown`]; both
//! give a [`Draft`] per file, with punctuation normalized ([`punct`]).
//! This module then gives every chapter and heading its id, fills in the
//! metadata and builds the table of contents. Files are normalized in
//! parallel; the result does not depend on the order of work.

use rayon::prelude::*;

use crate::config::{BookConfig, InputFormat, NormalizeConfig, StructureConfig};
use crate::diag::{Diagnostic, Location};
use crate::model::{
    build_toc, Block, Chapter, Document, FontSettings, Footnote, Heading, Inline, Metadata,
    Settings, Span, MODEL_VERSION,
};
use crate::Loaded;

pub mod chars;
pub mod markdown;
pub mod plain;
pub mod punct;

pub use punct::{Change, Rule};

/// What one file yields before ids and levels are final.
#[derive(Debug, Default)]
pub struct Draft {
    pub title: Option<Heading>,
    pub subtitle: Option<String>,
    pub blocks: Vec<Block>,
    pub footnotes: Vec<Footnote>,
    /// Problems found, with where.
    pub warnings: Vec<(Span, String)>,
    /// Decisions about structure that were not certain, with where.
    pub notes: Vec<(Span, String)>,
    /// An author named in the title line ("白居易·琵琶行").
    pub author: Option<String>,
    /// Top-level blocks (headings) that each start a chapter of their own:
    /// the 回目 or volumes of a file that holds several.
    pub parts: Vec<usize>,
}

/// Default body fonts (the ones in `fonts/`).
pub const DEFAULT_BODY_FONT: &str = "Noto Serif CJK SC";
/// Default heading fonts.
pub const DEFAULT_HEADING_FONT: &str = "Noto Sans CJK SC";

/// Builds the document from loaded sources. Normalizations made and
/// problems found are appended to `diagnostics`.
pub fn normalize(loaded: &Loaded, diagnostics: &mut Vec<Diagnostic>) -> Document {
    let config = &loaded.config;
    let drafts: Vec<(Draft, Vec<Change>)> = loaded
        .sources
        .par_iter()
        .map(|source| {
            let mut changes = Vec::new();
            let draft = parse_source_in(
                &source.file.text,
                source.format,
                &config.normalize,
                &source.structure,
                &mut changes,
            );
            (draft, changes)
        })
        .collect();

    let mut chapters = Vec::with_capacity(drafts.len());
    let first_author = drafts.first().and_then(|(d, _)| d.author.clone());
    // A single file that holds several 回 is a book of chapters, titled by
    // its first line.
    let split_file = loaded.single_file && drafts.iter().any(|(d, _)| !d.parts.is_empty());
    let mut file_title = None;
    let mut file_subtitle = None;
    for (source, (mut draft, changes)) in loaded.sources.iter().zip(drafts) {
        let path = &source.file.path;
        drop_empty_headings(&mut draft);
        drop_control_chars(&mut draft);
        for change in &changes {
            let shown_to = if change.to.is_empty() {
                "nothing".to_string()
            } else {
                format!("“{}”", change.to)
            };
            diagnostics.push(
                Diagnostic::note(
                    Location::new(path, change.span.line, change.span.column),
                    format!(
                        "{}: “{}” → {}",
                        change.rule.describe(),
                        change.from,
                        shown_to
                    ),
                )
                .with_hint(format!(
                    "set `{} = false` under [normalize] in book.toml to keep the original",
                    change.rule.key()
                )),
            );
        }
        for (span, message) in &draft.notes {
            diagnostics.push(Diagnostic::note(
                Location::new(path, span.line, span.column),
                message.clone(),
            ));
        }
        for (span, message) in &draft.warnings {
            diagnostics.push(Diagnostic::warning(
                Location::new(path, span.line, span.column),
                message.clone(),
            ));
        }
        if split_file {
            file_title = draft.title.as_ref().map(Heading::display_text);
            file_subtitle = draft.subtitle.clone();
        }
        make_chapters(&mut chapters, &source.rel_path, draft, split_file);
    }
    unique_heading_ids(&mut chapters);

    let single_article = loaded.single_file && !split_file;
    if config.book.title.is_none() && !loaded.single_file && chapters.len() > 1 {
        diagnostics.push(
            Diagnostic::warning(
                Location::file(loaded.base_dir.join(crate::config::BOOK_FILE)),
                "the book has no title; using the first chapter's",
            )
            .with_hint("set `title` under [book]"),
        );
    }
    let mut metadata = make_metadata(config, &chapters, single_article, file_title);
    if metadata.subtitle.is_none() {
        metadata.subtitle = file_subtitle;
    }
    if single_article && metadata.authors.is_empty() {
        metadata.authors.extend(first_author);
    }
    let settings = Settings {
        slug: make_slug(loaded, &metadata.title),
        toc_depth: config.style.toc_depth,
        epub_styles: config.style.epub.clone(),
        pdf_style: config.style.pdf.clone().unwrap_or_else(|| {
            if single_article {
                "a4-report"
            } else {
                "a5-book"
            }
            .to_string()
        }),
        vertical: config.style.vertical,
        fonts: FontSettings {
            body: non_empty_or(&config.fonts.body, DEFAULT_BODY_FONT),
            heading: non_empty_or(&config.fonts.heading, DEFAULT_HEADING_FONT),
            paths: config.fonts.paths.clone(),
            system: config.fonts.system,
        },
        single_article,
        base_dir: loaded.base_dir.clone(),
        allow_outside: config.book.allow_outside,
    };
    let mut document = Document {
        version: MODEL_VERSION,
        metadata,
        settings,
        chapters,
        toc: Vec::new(),
    };
    document.toc = build_toc(&document);
    document
}

/// The base name of the output files. A single file: its own stem. A
/// book: `[book] slug`, else the title if it makes a readable ASCII name,
/// else the title as it is (`携手奋进新时代`), else the folder name; a name
/// not set as the slug is cut to `paths::MAX_SLUG_BYTES`.
fn make_slug(loaded: &Loaded, title: &str) -> String {
    match &loaded.config.book.slug {
        Some(slug) => slug.clone(),
        None => crate::paths::windows_safe_slug(crate::paths::shorten_slug(&derived_slug(
            loaded, title,
        ))),
    }
}

/// The output name when `[book] slug` is not set; it may be too long for
/// a file name (a title of a hundred Chinese characters is 300 bytes).
fn derived_slug(loaded: &Loaded, title: &str) -> String {
    use crate::output::slugify;
    use crate::paths::file_name_from;
    if loaded.single_file {
        if let Some(stem) = loaded
            .sources
            .first()
            .map(|s| file_name_from(&file_stem(&s.rel_path)))
            .filter(|s| !s.is_empty())
        {
            return stem;
        }
    }
    let from_title = slugify(title);
    if from_title.len() >= 3 {
        return from_title;
    }
    let as_written = file_name_from(title);
    if !as_written.is_empty() {
        return as_written;
    }
    std::fs::canonicalize(&loaded.base_dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| file_name_from(&n.to_string_lossy())))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "book".to_string())
}

/// Control characters (other than tab and newline) and noncharacters
/// are invisible, no font has them and XHTML cannot hold them: they are
/// removed from the text, with a warning at each block that held some, so
/// that every format (and `check`) says the same.
fn drop_control_chars(draft: &mut Draft) {
    fn keep(c: char) -> bool {
        let noncharacter =
            matches!(c, '\u{FDD0}'..='\u{FDEF}') || (u32::from(c) & 0xFFFE) == 0xFFFE;
        (!c.is_control() || c == '\t' || c == '\n') && !noncharacter
    }
    fn clean(text: &mut String) -> usize {
        if text.chars().all(keep) {
            return 0;
        }
        let before = text.chars().count();
        text.retain(keep);
        before - text.chars().count()
    }
    fn inlines(content: &mut [Inline]) -> usize {
        let mut dropped = 0;
        for inline in content {
            dropped += match inline {
                Inline::Text { text } | Inline::Code { text } => clean(text),
                Inline::Ruby { base, annotation } => clean(base) + clean(annotation),
                Inline::Emphasis { content }
                | Inline::Strong { content }
                | Inline::Link { content, .. } => inlines(content),
                Inline::FootnoteRef { .. } | Inline::LineBreak => 0,
            };
        }
        dropped
    }
    fn message(dropped: usize) -> String {
        format!("dropped {dropped} control character(s) that no output can show")
    }
    // Blocks nest at most as deep as Markdown quotes and lists may (16).
    fn blocks(list: &mut [Block], warnings: &mut Vec<(Span, String)>) {
        for block in list {
            let (span, dropped) = match block {
                Block::Heading(h) => (h.span, inlines(&mut h.content)),
                Block::Paragraph { content, span } => (*span, inlines(content)),
                Block::List { items, .. } => {
                    for item in items {
                        blocks(item, warnings);
                    }
                    continue;
                }
                Block::Quote { blocks: inner, .. } => {
                    blocks(inner, warnings);
                    continue;
                }
                Block::Verse { lines, span } => (*span, lines.iter_mut().map(|l| inlines(l)).sum()),
                Block::Code { text, span, .. } => (*span, clean(text)),
                Block::Image {
                    alt, caption, span, ..
                } => (*span, clean(alt) + caption.as_mut().map_or(0, clean)),
                Block::Table {
                    header, rows, span, ..
                } => {
                    let cells = header.iter_mut().chain(rows.iter_mut().flatten());
                    (*span, cells.map(|c| inlines(c)).sum())
                }
                Block::Break { .. } => continue,
            };
            if dropped > 0 {
                warnings.push((span, message(dropped)));
            }
        }
    }
    let mut warnings = Vec::new();
    if let Some(title) = &mut draft.title {
        let dropped = inlines(&mut title.content) + draft.subtitle.as_mut().map_or(0, clean);
        if dropped > 0 {
            warnings.push((title.span, message(dropped)));
        }
    }
    blocks(&mut draft.blocks, &mut warnings);
    for note in &mut draft.footnotes {
        blocks(&mut note.blocks, &mut warnings);
    }
    draft.warnings.extend(warnings);
}

/// Headings with no visible text (`## ` alone, or only control
/// characters) would be empty entries in the contents: they are dropped,
/// with a warning. An empty title gives way to the file name.
fn drop_empty_headings(draft: &mut Draft) {
    fn visible(content: &[Inline]) -> bool {
        crate::model::plain_text(content)
            .chars()
            .any(|c| !c.is_whitespace() && !c.is_control())
    }
    fn walk(blocks: &mut Vec<Block>, warnings: &mut Vec<(Span, String)>) {
        blocks.retain(|block| match block {
            Block::Heading(h) if !visible(&h.content) => {
                warnings.push((h.span, "a heading without text is left out".to_string()));
                false
            }
            _ => true,
        });
        for block in blocks {
            match block {
                Block::Quote { blocks, .. } => walk(blocks, warnings),
                Block::List { items, .. } => {
                    for item in items {
                        walk(item, warnings);
                    }
                }
                _ => {}
            }
        }
    }
    if draft.title.as_ref().is_some_and(|t| !visible(&t.content)) {
        if let Some(title) = draft.title.take() {
            draft.warnings.push((
                title.span,
                "the title has no text; the file name is used instead".to_string(),
            ));
        }
    }
    walk(&mut draft.blocks, &mut draft.warnings);
}

fn non_empty_or(list: &[String], default: &str) -> Vec<String> {
    if list.is_empty() {
        vec![default.to_string()]
    } else {
        list.to_vec()
    }
}

/// Parses one file's text in its format.
pub fn parse_source(
    text: &str,
    format: InputFormat,
    config: &NormalizeConfig,
    changes: &mut Vec<Change>,
) -> Draft {
    parse_source_in(text, format, config, &StructureConfig::default(), changes)
}

/// Parses one file's text in its format with the given `[structure]`
/// settings (they apply to plain text).
pub fn parse_source_in(
    text: &str,
    format: InputFormat,
    config: &NormalizeConfig,
    structure: &StructureConfig,
    changes: &mut Vec<Change>,
) -> Draft {
    match format {
        InputFormat::Text => plain::parse_plain_with(text, config, structure, changes),
        InputFormat::Markdown => markdown::parse_markdown(text, config, changes),
    }
}

/// Makes the chapters of one file: one, or one per part when the file
/// holds several 回 or volumes. Headings inside a part move up to sit
/// right below its title. A single file's leading title, when nothing but
/// its title precedes the first part, is the book's title and no chapter
/// of its own (`drop_bare_title`).
fn make_chapters(chapters: &mut Vec<Chapter>, rel_path: &str, draft: Draft, drop_bare_title: bool) {
    if draft.parts.is_empty() {
        let chapter = make_chapter(chapters.len(), rel_path, draft);
        chapters.push(chapter);
        return;
    }
    let Draft {
        title,
        subtitle,
        blocks,
        footnotes,
        parts,
        ..
    } = draft;
    let mut pieces: Vec<(Option<Heading>, Vec<Block>)> = vec![(title, Vec::new())];
    let mut shift = 0u8;
    // `parts` is in reading order: one pass keeps this linear.
    let mut next_part = parts.iter().peekable();
    for (index, mut block) in blocks.into_iter().enumerate() {
        if next_part.next_if(|&&p| p == index).is_some() {
            if let Block::Heading(heading) = block {
                shift = heading.level.saturating_sub(1);
                pieces.push((Some(heading), Vec::new()));
                continue;
            }
        }
        if let Block::Heading(heading) = &mut block {
            heading.level = heading.level.saturating_sub(shift).max(2);
        }
        if let Some((_, list)) = pieces.last_mut() {
            list.push(block);
        }
    }
    let mut footnotes = Some(footnotes);
    let mut subtitle = Some(subtitle);
    for (n, (title, blocks)) in pieces.into_iter().enumerate() {
        if n == 0 && blocks.is_empty() && (drop_bare_title || title.is_none()) {
            continue;
        }
        let piece = Draft {
            title,
            subtitle: if n == 0 {
                subtitle.take().flatten()
            } else {
                None
            },
            blocks,
            footnotes: footnotes.take().unwrap_or_default(),
            ..Draft::default()
        };
        let chapter = make_chapter(chapters.len(), rel_path, piece);
        chapters.push(chapter);
    }
}

/// Gives the chapter its id and its headings and footnotes theirs.
fn make_chapter(index: usize, rel_path: &str, draft: Draft) -> Chapter {
    let id = format!("ch{:02}", index + 1);
    let mut title = draft.title.unwrap_or_else(|| Heading {
        level: 1,
        id: String::new(),
        number: None,
        content: vec![Inline::text(file_stem(rel_path))],
        span: Span { line: 1, column: 1 },
    });
    title.level = 1;
    title.id = id.clone();
    let mut blocks = draft.blocks;
    let mut counter = 0;
    let mut seen = std::collections::HashSet::new();
    assign_heading_ids(&mut blocks, &id, &mut counter, &mut seen);
    let mut footnotes = draft.footnotes;
    for note in &mut footnotes {
        note.id = format!("{id}-fn{}", note.number);
    }
    for block in &mut blocks {
        rename_footnote_refs(block, &id);
    }
    for note in &mut footnotes {
        for block in &mut note.blocks {
            rename_footnote_refs(block, &id);
        }
    }
    Chapter {
        id,
        source: rel_path.to_string(),
        title,
        subtitle: draft.subtitle,
        blocks,
        footnotes,
    }
}

/// Numbers the headings of a chapter; a heading keeps an id given in the
/// source (Markdown `{#id}`) when it is a valid XML name that no other
/// heading of the chapter has and that cannot be taken for a generated one.
fn assign_heading_ids(
    blocks: &mut [Block],
    chapter_id: &str,
    counter: &mut usize,
    seen: &mut std::collections::HashSet<String>,
) {
    for block in blocks {
        match block {
            Block::Heading(h) => {
                *counter += 1;
                let given = std::mem::take(&mut h.id);
                h.id = if is_given_id(&given) && seen.insert(given.clone()) {
                    given
                } else {
                    format!("{chapter_id}-h{counter}")
                };
            }
            Block::Quote { blocks, .. } => assign_heading_ids(blocks, chapter_id, counter, seen),
            Block::List { items, .. } => {
                for item in items {
                    assign_heading_ids(item, chapter_id, counter, seen);
                }
            }
            _ => {}
        }
    }
}

/// The id a heading given `id` in the source takes in chapter
/// `chapter_id` when an earlier chapter has a heading of that id: the two
/// joined by a dot, which neither a given id (see [`is_given_id`]) nor a
/// generated one (`ch02-h3`) can be.
pub fn chapter_heading_id(chapter_id: &str, id: &str) -> String {
    format!("{chapter_id}.{id}")
}

/// Makes heading ids unique across the book, so that a link to a heading
/// lands in the right chapter in the EPUB and the PDF alike: a given id
/// that an earlier chapter already has becomes
/// [`chapter_heading_id`]`(chapter, id)`.
fn unique_heading_ids(chapters: &mut [Chapter]) {
    fn visit(
        blocks: &mut [Block],
        chapter_id: &str,
        seen: &mut std::collections::HashSet<String>,
        depth: usize,
    ) {
        if depth > 64 {
            return;
        }
        for block in blocks {
            match block {
                Block::Heading(h) if !seen.insert(h.id.clone()) => {
                    h.id = chapter_heading_id(chapter_id, &h.id);
                    seen.insert(h.id.clone());
                }
                Block::Quote { blocks, .. } => visit(blocks, chapter_id, seen, depth + 1),
                Block::List { items, .. } => {
                    for item in items {
                        visit(item, chapter_id, seen, depth + 1);
                    }
                }
                _ => {}
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    for chapter in chapters {
        seen.insert(chapter.id.clone());
        visit(&mut chapter.blocks, &chapter.id, &mut seen, 0);
    }
}

/// An id from the source usable as it is: ASCII letters, digits, `-`,
/// `_` and `.`, starting with a letter, and not of the form `ch01...`
/// that chapter and heading ids are given.
fn is_given_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !(id.starts_with("ch") && id[2..].starts_with(|c: char| c.is_ascii_digit()))
}

fn rename_footnote_refs(block: &mut Block, chapter_id: &str) {
    fn inlines(list: &mut [Inline], chapter_id: &str) {
        for inline in list {
            match inline {
                Inline::FootnoteRef { id, number } => *id = format!("{chapter_id}-fn{number}"),
                Inline::Emphasis { content }
                | Inline::Strong { content }
                | Inline::Link { content, .. } => inlines(content, chapter_id),
                _ => {}
            }
        }
    }
    match block {
        Block::Heading(h) => inlines(&mut h.content, chapter_id),
        Block::Paragraph { content, .. } => inlines(content, chapter_id),
        Block::Quote { blocks, .. } => blocks
            .iter_mut()
            .for_each(|b| rename_footnote_refs(b, chapter_id)),
        Block::List { items, .. } => items
            .iter_mut()
            .flatten()
            .for_each(|b| rename_footnote_refs(b, chapter_id)),
        Block::Verse { lines, .. } => lines.iter_mut().for_each(|l| inlines(l, chapter_id)),
        Block::Table { header, rows, .. } => header
            .iter_mut()
            .chain(rows.iter_mut().flatten())
            .for_each(|c| inlines(c, chapter_id)),
        _ => {}
    }
}

fn file_stem(path: &str) -> String {
    std::path::Path::new(path)
        .file_stem()
        .map_or_else(|| path.to_string(), |s| s.to_string_lossy().into_owned())
}

/// `file_title`: the title line of a single file split into chapters.
fn make_metadata(
    config: &BookConfig,
    chapters: &[Chapter],
    single_article: bool,
    file_title: Option<String>,
) -> Metadata {
    let book = &config.book;
    let first = chapters.first();
    let title = book
        .title
        .clone()
        .or(file_title)
        .or_else(|| first.map(|c| c.title.display_text()))
        .unwrap_or_default();
    let subtitle = book.subtitle.clone().or_else(|| {
        if single_article {
            first.and_then(|c| c.subtitle.clone())
        } else {
            None
        }
    });
    let edition = book
        .edition
        .clone()
        .or_else(|| book.year.map(|y| y.to_string()));
    let date = book
        .date
        .clone()
        .or_else(|| book.year.map(|y| y.to_string()));
    let identifier = match &book.identifier {
        Some(id) => identifier_urn(id),
        None => {
            let seed = format!("inkstone:{title}\n{}", edition.clone().unwrap_or_default());
            format!(
                "urn:uuid:{}",
                uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, seed.as_bytes())
            )
        }
    };
    Metadata {
        title,
        subtitle,
        authors: book.authors.clone(),
        publisher: book.publisher.clone(),
        language: book.language.clone().unwrap_or_else(|| "zh-CN".to_string()),
        identifier,
        date,
        edition,
        description: book.description.clone(),
        rights: book.rights.clone(),
        keywords: book.keywords.clone(),
        cover: book.cover.clone(),
    }
}

/// `978-7-...` becomes `urn:isbn:9787...`; a UUID becomes `urn:uuid:...`;
/// anything else (already a URN or a URL) stays.
fn identifier_urn(id: &str) -> String {
    let id = id.trim();
    let digits: String = id.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let isbn_like = id
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == ' ' || c == 'X' || c == 'x')
        && (digits.len() == 10 || digits.len() == 13);
    if let Some(rest) = id.strip_prefix("urn:") {
        format!("urn:{rest}")
    } else if isbn_like {
        format!("urn:isbn:{}", digits.to_uppercase())
    } else if uuid::Uuid::parse_str(id).is_ok() {
        format!("urn:uuid:{}", id.to_lowercase())
    } else {
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_without_visible_text_are_dropped() {
        let mut changes = Vec::new();
        let text = "# 标题\n\n## \n\n## \u{1}\u{2}\n\n正文。\n\n> ## \n";
        let mut draft = parse_source(
            text,
            InputFormat::Markdown,
            &NormalizeConfig::default(),
            &mut changes,
        );
        drop_empty_headings(&mut draft);
        assert!(
            !draft.blocks.iter().any(|b| matches!(b, Block::Heading(_))),
            "{:?}",
            draft.blocks
        );
        let dropped = draft
            .warnings
            .iter()
            .filter(|(_, m)| m == "a heading without text is left out")
            .count();
        assert_eq!(dropped, 3, "{:?}", draft.warnings);
    }

    #[test]
    fn identifiers() {
        assert_eq!(
            identifier_urn("978-7-5000-0000-1"),
            "urn:isbn:9787500000001"
        );
        assert_eq!(
            identifier_urn("6F9619FF-8B86-D011-B42D-00C04FC964FF"),
            "urn:uuid:6f9619ff-8b86-d011-b42d-00c04fc964ff"
        );
        assert_eq!(identifier_urn("urn:isbn:123"), "urn:isbn:123");
    }
}
