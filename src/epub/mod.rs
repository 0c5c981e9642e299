//! EPUB 3 renderer: the model to a zip of XHTML, CSS and subset fonts.

use crate::diag::{Diagnostic, Failure};
use crate::fonts::FontSet;
use crate::model::Document;

/// Renders `doc` as an EPUB 3 file's bytes.
pub fn render_epub(doc: &Document, fonts: &FontSet) -> Result<(Vec<u8>, Vec<Diagnostic>), Failure> {
    let _ = (doc, fonts);
    Err(Failure::new(Diagnostic::new(
        crate::diag::Severity::Error,
        None,
        "the EPUB renderer is not built yet",
    )))
}
