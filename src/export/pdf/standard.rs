//! What of PDF/A and PDF/UA is krilla's: its configuration for a
//! [`PdfStandard`], the source files attached to an `a-3u` file, and its
//! validation errors told as places in the book.

use std::num::NonZeroU64;
use std::path::{Path, PathBuf};

use krilla::configure::{
    Accessibility, Archival, Configuration, ConfigurationBuilder, ValidationError,
};
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::metadata::DateTime;

use crate::diag::{Diagnostic, Failure, Location, Severity};
use crate::standard::{ArchivalLevel, Attachment, PdfStandard};
use crate::typeset::PagedBook;

/// krilla's configuration: the validators and the PDF version.
pub fn configuration(standard: &PdfStandard) -> Result<Configuration, Failure> {
    let mut builder = ConfigurationBuilder::new();
    if let Some(level) = standard.archival {
        builder = builder.with_archival_validator(match level {
            ArchivalLevel::A2b => Archival::A2_B,
            ArchivalLevel::A2u => Archival::A2_U,
            ArchivalLevel::A3u => Archival::A3_U,
        });
    }
    if standard.ua {
        builder = builder.with_accessibility_validator(Accessibility::UA1);
    }
    builder.finish().map_err(|e| {
        Failure::new(Diagnostic::new(
            Severity::Error,
            None,
            format!("the PDF standards `{standard}` cannot be combined: {e:?}"),
        ))
    })
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

/// The krilla location of page `index` (0-based).
pub fn page_location(index: usize) -> NonZeroU64 {
    NonZeroU64::new(index as u64 + 1).unwrap_or(NonZeroU64::MIN)
}

/// Each page's printed number and the source file of the chapter on it,
/// for [`validation_failure`].
pub fn page_places(layout: &PagedBook) -> Vec<(String, Option<PathBuf>)> {
    layout
        .pages
        .iter()
        .map(|p| {
            let label = p.number.label();
            let source = p.chapter.and_then(|c| layout.sources.get(c)).cloned();
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
    pages: &[(String, Option<PathBuf>)],
) -> Failure {
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for error in errors {
        let (what, location, hint) = describe(error);
        let place =
            location
                .and_then(|l| pages.get(l.get() as usize - 1))
                .map(|(label, source)| {
                    let on = format!(" (on page {label})");
                    (on, source.as_ref().map(Location::file))
                });
        let (mut on, mut file) = place.unwrap_or_default();
        // A glyph missing from its font: the first place of its text in
        // the chapters' sources.
        if let ValidationError::ContainsNotDefGlyph(_, _, text) = error {
            if let Some(found) = find_in_sources(text, pages) {
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
fn find_in_sources(text: &str, pages: &[(String, Option<PathBuf>)]) -> Option<Location> {
    if text.trim().is_empty() {
        return None;
    }
    let mut seen: Vec<&Path> = Vec::new();
    for path in pages.iter().filter_map(|(_, s)| s.as_deref()) {
        if seen.contains(&path) {
            continue;
        }
        seen.push(path);
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let content = String::from_utf8_lossy(&bytes);
        for (n, line) in content.lines().enumerate() {
            if let Some(at) = line.find(text) {
                let column = line[..at].chars().count() + 1;
                return Some(Location::new(path, n as u32 + 1, column as u32));
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
    fn standards_combine() {
        let s: PdfStandard = "a-2u,ua-1".parse().expect("parses");
        assert!(configuration(&s).is_ok());
    }
}
