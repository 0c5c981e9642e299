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
    for (index, (source, (draft, changes))) in loaded.sources.iter().zip(drafts).enumerate() {
        let path = &source.file.path;
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
        chapters.push(make_chapter(index, &source.rel_path, draft));
    }

    let single_article = loaded.single_file;
    if config.book.title.is_none() && !single_article && chapters.len() > 1 {
        diagnostics.push(
            Diagnostic::warning(
                Location::file(loaded.base_dir.join(crate::config::BOOK_FILE)),
                "the book has no title; using the first chapter's",
            )
            .with_hint("set `title` under [book]"),
        );
    }
    let mut metadata = make_metadata(config, &chapters, single_article);
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
        },
        single_article,
        base_dir: loaded.base_dir.clone(),
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

/// `[book] slug`, else the title if it makes a readable ASCII name, else
/// the file or folder name.
fn make_slug(loaded: &Loaded, title: &str) -> String {
    use crate::output::slugify;
    if let Some(slug) = &loaded.config.book.slug {
        return slug.clone();
    }
    let from_title = slugify(title);
    if from_title.len() >= 3 {
        return from_title;
    }
    let name = if loaded.single_file {
        loaded.sources.first().map(|s| file_stem(&s.rel_path))
    } else {
        std::fs::canonicalize(&loaded.base_dir)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
    };
    name.map(|n| slugify(&n))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "book".to_string())
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

fn make_metadata(config: &BookConfig, chapters: &[Chapter], single_article: bool) -> Metadata {
    let book = &config.book;
    let first = chapters.first();
    let title = book
        .title
        .clone()
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
