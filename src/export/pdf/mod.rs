//! PDF exporter: the [`PagedBook`] written with krilla, as tagged PDF
//! with subset CID fonts, links, the outline, page labels and metadata.

pub mod standard;
pub mod write;

use crate::diag::{Diagnostic, Failure};
use crate::fonts::FontSet;
use crate::model::Document;
use crate::typeset::{with_layout, PagedBook, PdfOptions};

/// Lays out `doc` and renders it as a PDF file's bytes.
pub fn render_pdf(
    doc: &Document,
    fonts: &FontSet,
    options: &PdfOptions,
) -> Result<(Vec<u8>, Vec<Diagnostic>), Failure> {
    let unfit = crate::standard::check_document(doc, &options.standard);
    if !unfit.is_empty() {
        return Err(Failure { diagnostics: unfit });
    }
    with_layout(doc, fonts, options, |layout, _, diagnostics| {
        let bytes = write_pdf(layout, options)?;
        Ok((bytes, diagnostics))
    })
}

/// Writes a laid-out book as PDF bytes.
pub fn write_pdf(book: &PagedBook, options: &PdfOptions) -> Result<Vec<u8>, Failure> {
    write::write_pdf(book, options)
}
