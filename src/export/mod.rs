//! Exporters: each reads the resolved model (EPUB) or the laid-out book
//! and writes one output format.

pub mod epub;
pub mod ofd;
pub mod pdf;
pub mod png;

use rayon::prelude::*;

use crate::diag::{Diagnostic, Failure, Severity};
use crate::fonts::FontSet;
use crate::model::Document;
use crate::typeset::PdfOptions;

/// What one format of a build gives: its files (name and bytes) and the
/// notes to show, or why it failed.
pub type Rendered = Result<(Vec<(String, Vec<u8>)>, Vec<Diagnostic>), Failure>;

/// The options of one build's exporters.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    pub pdf: PdfOptions,
    pub ofd: ofd::OfdOptions,
    /// Resolution of page images.
    pub dpi: u32,
    /// EPUB font subsets kept from earlier builds (`watch`, `serve`).
    pub subsets: Option<std::sync::Arc<epub::fonts::SubsetMemo>>,
}

/// Renders `doc` in each of `formats` (`epub`, `pdf`, `ofd`, `png`), one
/// result per format in the same order. The book is typeset once, while
/// the EPUB is made; the PDF, the OFD and the page images are then written
/// side by side from that one [`crate::typeset::PagedBook`], so that they
/// show the same pages. The typesetting's notes go with the first paged
/// format, and its failure with the first paged format that fails. What
/// [`crate::resolve::glyphs`] found about the book's characters goes with
/// the first format; a character no font has (unless allowed) fails the
/// build before anything is rendered.
pub fn render_formats(
    doc: &Document,
    fonts: &FontSet,
    formats: &[String],
    options: &ExportOptions,
) -> Vec<Rendered> {
    let files = crate::resolve::images::read_images(doc);
    render_formats_with(doc, fonts, formats, options, &files)
}

/// [`render_formats`] with the book's images as
/// [`crate::resolve::images::read_images`] read them (for the check
/// before the build, so that each file is read once).
pub fn render_formats_with(
    doc: &Document,
    fonts: &FontSet,
    formats: &[String],
    options: &ExportOptions,
    files: &crate::resolve::images::ImageFiles,
) -> Vec<Rendered> {
    let slug = &doc.settings.slug;
    // Which face draws each character is decided once for every format,
    // and reported once: with the first format's notes, or as its failure.
    let glyphs =
        crate::resolve::glyphs::resolve_glyphs(doc, fonts, options.pdf.allow_missing_glyphs);
    if glyphs.diagnostics.iter().any(Diagnostic::is_error) {
        let mut report = Some(glyphs.diagnostics);
        return formats
            .iter()
            .map(|_| {
                Err(Failure {
                    diagnostics: report.take().unwrap_or_default(),
                })
            })
            .collect();
    }
    let mut report = Some(glyphs.diagnostics);
    let fonts = &glyphs.fonts;
    let pdf_options = crate::typeset::PdfOptions {
        missing_glyphs: glyphs.missing,
        ..options.pdf.clone()
    };
    let paged = |f: &String| matches!(f.as_str(), "pdf" | "ofd" | "png");
    let (epub, typeset) = rayon::join(
        || {
            formats.iter().any(|f| f == "epub").then(|| {
                let resolved = crate::resolve::epub::resolve_epub(doc, files)?;
                epub::render_epub_resolved(doc, fonts, options.subsets.as_deref(), &resolved)
            })
        },
        || {
            formats.iter().any(paged).then(|| {
                // PDF/UA's checks of the book fail the PDF only, not the
                // OFD or the page images.
                let mut typeset_options = options.pdf.clone();
                typeset_options.standard = Default::default();
                typeset_options.attachments = Vec::new();
                let resolved = crate::resolve::resolve_with(doc, files)?;
                crate::typeset::layout_resolved_unchecked(doc, fonts, &typeset_options, &resolved)
            })
        },
    );
    let book = match &typeset {
        Some(Ok((book, _))) => Some(book),
        _ => None,
    };
    // The check that no text was lost runs beside the writers; the
    // files they wrote are dropped if it finds any.
    let (lost, written) = rayon::join(
        || book.map(|book| crate::typeset::complete::check(doc, book)),
        || write_paged(doc, fonts, formats, options, &pdf_options, book),
    );
    let (typeset, written) = match (typeset, lost) {
        (Some(Ok((book, mut notes))), Some(lost)) if !lost.is_empty() => {
            // Dropping the pages is left to another thread.
            rayon::spawn(move || drop(book));
            notes.extend(lost);
            let none = written.iter().map(|_| None).collect();
            (Some(Err(Failure { diagnostics: notes })), none)
        }
        (Some(Ok((book, notes))), _) => {
            rayon::spawn(move || drop(book));
            (Some(Ok(((), notes))), written)
        }
        (Some(Err(failure)), _) => (Some(Err(failure)), written),
        (None, _) => (None, written),
    };
    let mut typeset_notes = match &typeset {
        Some(Ok((_, notes))) => Some(notes.clone()),
        _ => None,
    };
    let mut typeset_failure = match &typeset {
        Some(Err(failure)) => Some(failure.clone()),
        _ => None,
    };
    let mut epub =
        epub.map(|r| r.map(|(bytes, notes)| (vec![(format!("{slug}.epub"), bytes)], notes)));
    let rendered: Vec<Rendered> = formats
        .iter()
        .zip(written)
        .map(|(format, written)| match format.as_str() {
            "epub" => epub.take().unwrap_or_else(|| Ok((Vec::new(), Vec::new()))),
            "pdf" | "ofd" | "png" => match written {
                Some(Ok((files, mut notes))) => {
                    if let Some(mut first) = typeset_notes.take() {
                        first.append(&mut notes);
                        notes = first;
                    }
                    Ok((files, notes))
                }
                Some(Err(failure)) => Err(failure),
                None => Err(typeset_failure.take().unwrap_or_else(|| Failure {
                    diagnostics: Vec::new(),
                })),
            },
            other => Err(Failure::new(Diagnostic::new(
                Severity::Error,
                None,
                format!("unknown format `{other}`"),
            ))),
        })
        .collect();
    rendered
        .into_iter()
        .map(|result| {
            let Some(mut first) = report.take() else {
                return result;
            };
            match result {
                Ok((files, mut notes)) => {
                    first.append(&mut notes);
                    Ok((files, first))
                }
                Err(mut failure) => {
                    first.append(&mut failure.diagnostics);
                    Err(Failure { diagnostics: first })
                }
            }
        })
        .collect()
}

/// Each paged format of `formats` written from the one `book` (`None`
/// for the others, and for all when there is no book).
fn write_paged(
    doc: &Document,
    fonts: &FontSet,
    formats: &[String],
    options: &ExportOptions,
    pdf_options: &PdfOptions,
    book: Option<&crate::typeset::PagedBook>,
) -> Vec<Option<Rendered>> {
    let slug = &doc.settings.slug;
    formats
        .par_iter()
        .map(|format| {
            let book = book?;
            let one = |bytes: Vec<u8>| vec![(format!("{slug}.{format}"), bytes)];
            Some(match format.as_str() {
                "pdf" => {
                    let unfit = crate::standard::check_document(doc, &options.pdf.standard);
                    if unfit.is_empty() {
                        pdf::write_pdf(book, pdf_options).map(|b| (one(b), Vec::new()))
                    } else {
                        Err(Failure { diagnostics: unfit })
                    }
                }
                "ofd" => {
                    let mut notes = Vec::new();
                    ofd::write_ofd(book, fonts, &options.ofd, &mut notes).map(|b| (one(b), notes))
                }
                "png" => png::draw_pages(book, options.dpi).map(|pages| {
                    let files = pages
                        .into_iter()
                        .enumerate()
                        .map(|(k, page)| (format!("{slug}-{:03}.png", k + 1), page.png))
                        .collect();
                    (files, Vec::new())
                }),
                _ => return None,
            })
        })
        .collect()
}
