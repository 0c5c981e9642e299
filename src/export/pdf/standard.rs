//! What of PDF/A and PDF/UA is krilla's: its configuration for a
//! [`PdfStandard`], the source files attached to an `a-3u` file, and its
//! validation errors told as places in the book.

use std::collections::HashMap;
use std::num::NonZeroU64;
use std::path::PathBuf;

use krilla::configure::{
    Accessibility, Archival, Configuration, ConfigurationBuilder, ValidationError,
};
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::metadata::DateTime;

use crate::diag::{Diagnostic, Failure, Location, Severity};
use crate::standard::{ArchivalLevel, Attachment, PdfStandard};
use crate::typeset::layout::LineKind;
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
/// `layout` gives each page's label and the chapter's source file, and
/// the places of the text; `options` the standard and the places
/// `crate::resolve::glyphs` found for characters no font has.
pub fn validation_failure(
    errors: &[ValidationError],
    options: &crate::typeset::PdfOptions,
    layout: &PagedBook,
) -> Failure {
    let standard = &options.standard;
    let pages = page_places(layout);
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
        // A glyph missing from its font: the first place of its
        // character, as reported when the book was resolved, else of its
        // text in the chapters.
        if let ValidationError::ContainsNotDefGlyph(_, _, text) = error {
            let resolved = options
                .missing_glyphs
                .iter()
                .find(|(c, _)| text.contains(*c))
                .map(|(_, at)| at.clone());
            if let Some(found) = resolved.or_else(|| find_in_layout(text, layout)) {
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

/// Where `text` first stands in the chapters, from the places the layout
/// carries: the chapter's source file, the line of the block that holds
/// it, and its column counted from the block's start (the way the
/// typesetter places a character no font has).
fn find_in_layout(text: &str, layout: &PagedBook) -> Option<Location> {
    if text.trim().is_empty() {
        return None;
    }
    let counted = |s: &str| s.chars().filter(|&c| c != '\n').count() as u32;
    // Characters of each block on the lines before, by chapter and tag.
    let mut before: HashMap<(usize, u32), u32> = HashMap::new();
    for (chapter, tag, line, span) in layout.text_lines() {
        if line.kind == LineKind::Ruby {
            continue;
        }
        let count = before.entry((chapter, tag)).or_default();
        let Some(at) = line.set.text.find(text) else {
            *count += counted(&line.set.text);
            continue;
        };
        let source = layout.sources.get(chapter)?;
        if span.line == 0 {
            return Some(Location::file(source));
        }
        let column = span.column + *count + counted(&line.set.text[..at]);
        return Some(Location::new(source, span.line, column));
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
