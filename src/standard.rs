//! PDF/A and PDF/UA: which standards a PDF is written to, the checks made
//! on the book before it is written, the source files an `a-3u` file
//! carries, and krilla's validation errors told as places in the book.
//!
//! krilla enforces the standards while it writes (XMP with `pdfaid` and
//! `pdfuaid`, an sRGB output intent, embedded fonts with ToUnicode maps,
//! the tag tree, `/Lang`). A book that cannot conform fails with the
//! places to fix; a non-conforming file is never written.

use std::fmt;
use std::num::NonZeroU64;
use std::path::Path;
use std::str::FromStr;

use krilla::configure::{
    Accessibility, Archival, Configuration, ConfigurationBuilder, ValidationError,
};
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::metadata::DateTime;

use crate::diag::{Diagnostic, Failure, Location, Severity};
use crate::model::{Block, Document};

/// The standards named by `--pdf-standard` or `[pdf] standard`: at most
/// one PDF/A part and PDF/UA-1, such as `a-2u,ua-1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PdfStandard {
    pub archival: Option<ArchivalLevel>,
    pub ua: bool,
}

/// The PDF/A parts and levels inkstone writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchivalLevel {
    A2b,
    A2u,
    A3u,
}

/// The standard of a series when neither `series.toml` nor the edition
/// names one.
pub const SERIES_DEFAULT: &str = "a-2u,ua-1";

impl PdfStandard {
    /// No standard: a plain PDF.
    pub fn is_none(&self) -> bool {
        self.archival.is_none() && !self.ua
    }

    /// Whether the book's source files are attached (PDF/A-3).
    pub fn attaches_sources(&self) -> bool {
        self.archival == Some(ArchivalLevel::A3u)
    }

    /// krilla's configuration: the validators and the PDF version.
    pub fn configuration(&self) -> Result<Configuration, Failure> {
        let mut builder = ConfigurationBuilder::new();
        if let Some(level) = self.archival {
            builder = builder.with_archival_validator(match level {
                ArchivalLevel::A2b => Archival::A2_B,
                ArchivalLevel::A2u => Archival::A2_U,
                ArchivalLevel::A3u => Archival::A3_U,
            });
        }
        if self.ua {
            builder = builder.with_accessibility_validator(Accessibility::UA1);
        }
        builder.finish().map_err(|e| {
            Failure::new(Diagnostic::new(
                Severity::Error,
                None,
                format!("the PDF standards `{self}` cannot be combined: {e:?}"),
            ))
        })
    }
}

impl FromStr for PdfStandard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut out = PdfStandard::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let level = match part.to_ascii_lowercase().as_str() {
                "none" => continue,
                "ua-1" | "ua1" => {
                    out.ua = true;
                    continue;
                }
                "a-2b" => ArchivalLevel::A2b,
                "a-2u" => ArchivalLevel::A2u,
                "a-3u" => ArchivalLevel::A3u,
                _ => {
                    return Err(format!(
                        "unknown PDF standard `{part}`; use a-2b, a-2u, a-3u or ua-1, or a combination such as `a-2u,ua-1`"
                    ))
                }
            };
            if out.archival.is_some_and(|a| a != level) {
                return Err(format!(
                    "`{s}` names two PDF/A levels; a file conforms to one"
                ));
            }
            out.archival = Some(level);
        }
        Ok(out)
    }
}

impl fmt::Display for PdfStandard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        match self.archival {
            Some(ArchivalLevel::A2b) => parts.push("a-2b"),
            Some(ArchivalLevel::A2u) => parts.push("a-2u"),
            Some(ArchivalLevel::A3u) => parts.push("a-3u"),
            None => {}
        }
        if self.ua {
            parts.push("ua-1");
        }
        if parts.is_empty() {
            parts.push("none");
        }
        f.write_str(&parts.join(","))
    }
}

/// The standard a book is written to: `given` (from the command line)
/// when set, else `[pdf] standard` of its book.toml, else none. A name
/// that is not a standard is an error at its place.
pub fn resolve(given: Option<&str>, loaded: &crate::Loaded) -> Result<PdfStandard, Failure> {
    if let Some(given) = given {
        return given.parse().map_err(|message: String| {
            Failure::new(Diagnostic::new(Severity::Error, None, message))
        });
    }
    let Some(named) = loaded.config.pdf.standard.as_deref() else {
        return Ok(PdfStandard::default());
    };
    named.parse().map_err(|message: String| {
        let toml = loaded.base_dir.join(crate::config::BOOK_FILE);
        Diagnostic::error(crate::config::locate_value(&toml, named), message).into()
    })
}

/// A file attached to the PDF: its name (relative to the book folder,
/// with `/`) and its exact bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The book's source files as attachments: `book.toml` (when the book
/// has one) and every chapter file, read again as they are on disk.
pub fn source_attachments(loaded: &crate::Loaded) -> Result<Vec<Attachment>, Failure> {
    let mut names = Vec::new();
    if !loaded.single_file {
        names.push(crate::config::BOOK_FILE.to_string());
    }
    for source in &loaded.sources {
        if !names.contains(&source.rel_path) {
            names.push(source.rel_path.clone());
        }
    }
    let mut out: Vec<Attachment> = names
        .into_iter()
        .map(|name| {
            let path = loaded.base_dir.join(&name);
            let bytes = std::fs::read(&path)
                .map_err(|e| Failure::io(&path, "read the source file to attach", &e))?;
            Ok(Attachment { name, bytes })
        })
        .collect::<Result<_, Failure>>()?;
    // An edition of a series is made from the series' defaults too.
    if let Some(series) = series_file(loaded) {
        let bytes = std::fs::read(&series)
            .map_err(|e| Failure::io(&series, "read the source file to attach", &e))?;
        out.push(Attachment {
            name: crate::series::SERIES_FILE.to_string(),
            bytes,
        });
    }
    Ok(out)
}

/// The `series.toml` of the series `loaded` is an edition of, if any.
pub fn series_file(loaded: &crate::Loaded) -> Option<std::path::PathBuf> {
    if loaded.single_file {
        return None;
    }
    let dir = std::fs::canonicalize(&loaded.base_dir).ok()?;
    let file = dir.parent()?.join(crate::series::SERIES_FILE);
    file.is_file().then_some(file)
}

/// Embeds `attachments` as associated files with relationship `Source`.
pub fn embed_sources(
    document: &mut krilla::Document,
    attachments: &[Attachment],
    date: Option<DateTime>,
) {
    for a in attachments {
        let mime = if a.name.ends_with(".toml") {
            "application/toml"
        } else if a.name.ends_with(".md") {
            "text/markdown"
        } else {
            "text/plain"
        };
        // A name already embedded cannot happen: names are unique.
        let _ = document.embed_file(EmbeddedFile {
            path: a.name.clone(),
            mime_type: MimeType::new(mime),
            description: Some(format!("source file {} of this edition", a.name)),
            association_kind: AssociationKind::Source,
            data: a.bytes.clone().into(),
            modification_date: date,
            compress: Some(true),
            location: None,
        });
    }
}

/// The text alternative of a link (PDF/UA): the URL, the heading's
/// title, or what a footnote link does.
pub fn link_alt(target: Option<&crate::pdf::layout::LinkTarget>, doc: &Document) -> String {
    use crate::pdf::layout::LinkTarget;
    match target {
        Some(LinkTarget::Url(url)) => url.clone(),
        Some(LinkTarget::Heading(id)) => {
            let mut stack: Vec<&crate::model::TocEntry> = doc.toc.iter().collect();
            while let Some(entry) = stack.pop() {
                if &entry.id == id {
                    return entry.title.clone();
                }
                stack.extend(entry.children.iter());
            }
            "标题".into()
        }
        Some(LinkTarget::Note(..)) => "脚注".into(),
        Some(LinkTarget::NoteRef(..)) => "返回正文".into(),
        None => "链接".into(),
    }
}

/// Checks the book for what a standard needs and krilla cannot place in
/// the source: under PDF/UA every image needs a text alternative.
pub fn check_document(doc: &Document, standard: &PdfStandard) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if !standard.ua {
        return out;
    }
    for chapter in &doc.chapters {
        let file = doc.settings.base_dir.join(&chapter.source);
        // An explicit stack: block nesting comes from the input.
        let mut stack: Vec<&Block> = chapter.blocks.iter().rev().collect();
        while let Some(block) = stack.pop() {
            match block {
                Block::Image { src, alt, span, .. } if alt.trim().is_empty() => {
                    out.push(
                        Diagnostic::error(
                            Location::new(&file, span.line, span.column),
                            format!(
                                "the image `{src}` has no alternative text, which PDF/UA requires"
                            ),
                        )
                        .with_hint("describe the image: `![what it shows](file.png)`"),
                    );
                }
                Block::List { items, .. } => {
                    for item in items.iter().rev() {
                        stack.extend(item.iter().rev());
                    }
                }
                Block::Quote { blocks, .. } => stack.extend(blocks.iter().rev()),
                _ => {}
            }
        }
    }
    out
}

/// The krilla location of page `index` (0-based).
pub fn page_location(index: usize) -> NonZeroU64 {
    NonZeroU64::new(index as u64 + 1).unwrap_or(NonZeroU64::MIN)
}

/// Each page's printed number and the source file of the chapter on it,
/// for [`validation_failure`].
pub fn page_places(layout: &crate::pdf::Layout, doc: &Document) -> Vec<(String, Option<String>)> {
    layout
        .pages
        .iter()
        .map(|p| {
            let label = p.number.label();
            let source = p
                .chapter
                .and_then(|c| doc.chapters.get(c))
                .map(|c| c.source.clone());
            (label, source)
        })
        .collect()
}

/// krilla's validation errors as diagnostics: each names the page (by its
/// printed number) and the chapter whose text is on it, and what to do.
/// `pages[i]` describes page `i`: its label and the chapter's source file.
pub fn validation_failure(
    errors: &[ValidationError],
    standard: &PdfStandard,
    pages: &[(String, Option<String>)],
    base_dir: &Path,
) -> Failure {
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for error in errors {
        let (what, location, hint) = describe(error);
        let place =
            location
                .and_then(|l| pages.get(l.get() as usize - 1))
                .map(|(label, source)| {
                    let on = format!(" (on page {label})");
                    (
                        on,
                        source.as_ref().map(|s| Location::file(base_dir.join(s))),
                    )
                });
        let (mut on, mut file) = place.unwrap_or_default();
        // A glyph missing from its font: the first place of its text in
        // the chapters' sources.
        if let ValidationError::ContainsNotDefGlyph(_, _, text) = error {
            if let Some(found) = find_in_sources(text, pages, base_dir) {
                file = Some(found);
                on.clear();
            }
        }
        let message = format!("the PDF cannot conform to {standard}: {what}{on}");
        let d = Diagnostic::new(Severity::Error, file, message).with_hint(hint);
        if !diagnostics.contains(&d) {
            diagnostics.push(d);
        }
    }
    if diagnostics.is_empty() {
        diagnostics.push(Diagnostic::new(
            Severity::Error,
            None,
            format!("the PDF cannot conform to {standard}"),
        ));
    }
    Failure { diagnostics }
}

/// The first line and column where `text` occurs in the sources of the
/// chapters on `pages`.
fn find_in_sources(
    text: &str,
    pages: &[(String, Option<String>)],
    base_dir: &Path,
) -> Option<Location> {
    if text.trim().is_empty() {
        return None;
    }
    let mut seen: Vec<&str> = Vec::new();
    for source in pages.iter().filter_map(|(_, s)| s.as_deref()) {
        if seen.contains(&source) {
            continue;
        }
        seen.push(source);
        let path = base_dir.join(source);
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let content = String::from_utf8_lossy(&bytes);
        for (n, line) in content.lines().enumerate() {
            if let Some(at) = line.find(text) {
                let column = line[..at].chars().count() + 1;
                return Some(Location::new(&path, n as u32 + 1, column as u32));
            }
        }
    }
    None
}

fn describe(error: &ValidationError) -> (String, Option<NonZeroU64>, &'static str) {
    match error {
        ValidationError::ContainsNotDefGlyph(_, loc, text) => (
            format!("no font has a glyph for `{text}`"),
            *loc,
            "add a font that has the character under [fonts], or change the text; --allow-missing-glyphs cannot be used with a PDF standard",
        ),
        ValidationError::MissingAltText(loc) => (
            "an image has no alternative text".into(),
            *loc,
            "describe every image: `![what it shows](file.png)`",
        ),
        ValidationError::NoDocumentTitle => (
            "the book has no title".into(),
            None,
            "set `title` under [book]",
        ),
        ValidationError::NoDocumentLanguage => (
            "the book has no language".into(),
            None,
            "set `language` under [book]",
        ),
        ValidationError::MissingDocumentDate => (
            "the book has no date".into(),
            None,
            "set `date` or `year` under [book], or SOURCE_DATE_EPOCH",
        ),
        ValidationError::RestrictedLicense(_) => (
            "a font of the book may not be embedded".into(),
            None,
            "choose a font whose licence allows embedding",
        ),
        ValidationError::UnicodePrivateArea(_, _, c, loc)
        | ValidationError::InvalidCodepointMapping(_, _, c, loc) => (
            format!("the character U+{:04X} has no meaning in Unicode", u32::from(*c)),
            *loc,
            "replace the private-use character with a standard one",
        ),
        ValidationError::MissingAnnotationAltText(loc) => (
            "a link has no alternative text".into(),
            *loc,
            "report this as a bug of inkstone",
        ),
        ValidationError::Transparency(loc)
        | ValidationError::ImageInterpolation(loc)
        | ValidationError::ContainsPostScript(loc)
        | ValidationError::EmbeddedPDF(loc) => (
            format!("{error:?}"),
            *loc,
            "choose another standard with --pdf-standard, or none",
        ),
        other => (
            format!("{other:?}"),
            None,
            "choose another standard with --pdf-standard, or none",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standards_parse_and_combine() {
        let s: PdfStandard = "a-2u,ua-1".parse().expect("parses");
        assert_eq!(s.archival, Some(ArchivalLevel::A2u));
        assert!(s.ua);
        assert_eq!(s.to_string(), "a-2u,ua-1");
        assert!(s.configuration().is_ok());
        assert!("a-3u"
            .parse::<PdfStandard>()
            .expect("a-3u")
            .attaches_sources());
        assert!("a-2b,a-3u".parse::<PdfStandard>().is_err());
        assert!("pdf-x".parse::<PdfStandard>().is_err());
        assert!("".parse::<PdfStandard>().expect("empty").is_none());
    }
}
