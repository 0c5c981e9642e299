//! PDF renderer: the model laid out into pages and written with krilla.

use crate::diag::{Diagnostic, Failure};
use crate::fonts::FontSet;
use crate::model::Document;

/// Options of a PDF build that do not come from the book.
#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    /// Characters that no font has are warnings instead of errors.
    pub allow_missing_glyphs: bool,
}

/// Renders `doc` as a PDF file's bytes.
pub fn render_pdf(
    doc: &Document,
    fonts: &FontSet,
    options: &PdfOptions,
) -> Result<(Vec<u8>, Vec<Diagnostic>), Failure> {
    let _ = (doc, fonts, options);
    Err(Failure::new(Diagnostic::new(
        crate::diag::Severity::Error,
        None,
        "the PDF renderer is not built yet",
    )))
}
