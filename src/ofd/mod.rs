//! OFD renderer (GB/T 33190-2016), with the archive profile OFD/A
//! (GB/T 42133-2022).
//!
//! Two layers:
//! - [`package`] writes an OFD package from OFD-level types (document
//!   information, fonts, pages of text, path and image objects, the
//!   outline, actions): a deterministic zip of `OFD.xml`,
//!   `Doc_0/Document.xml`, `Doc_0/PublicRes.xml`,
//!   `Doc_0/DocumentRes.xml`, `Doc_0/Pages/Page_N/Content.xml` and the
//!   subset fonts and images in `Doc_0/Res/`.
//! - [`adapt`] turns the laid-out book (the same pages as the PDF) into
//!   those types; it is the only part that knows the layout.
//!
//! Fonts are the EPUB's subsets ([`crate::epub::fonts::subset_fonts`]):
//! standalone fonts with a Unicode `cmap`, so an OFD reader maps each
//! character of a `TextCode` to its glyph.
//!
//! See `docs/ofd.md` for what is written and which requirements of the
//! archive profile are met.

pub mod adapt;
pub mod package;

use crate::diag::{Diagnostic, Failure, Severity};
use crate::fonts::FontSet;
use crate::model::Document;
use crate::pdf::PdfOptions;

/// Which rules the package follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// GB/T 33190-2016.
    #[default]
    Plain,
    /// GB/T 33190-2016 with the archive requirements of GB/T 42133-2022:
    /// every font embedded, no external references (links to addresses
    /// are left out), no scripts, no encryption, title, author and a
    /// fixed creation date.
    Archive,
}

/// Options of an OFD build that do not come from the book.
#[derive(Debug, Clone, Default)]
pub struct OfdOptions {
    pub profile: Profile,
    /// Characters that no font has are warnings instead of errors (not
    /// with [`Profile::Archive`]).
    pub allow_missing_glyphs: bool,
}

/// Renders `doc` as an OFD file's bytes.
pub fn render_ofd(
    doc: &Document,
    fonts: &FontSet,
    options: &OfdOptions,
) -> Result<(Vec<u8>, Vec<Diagnostic>), Failure> {
    let pdf_options = PdfOptions {
        allow_missing_glyphs: options.allow_missing_glyphs,
        ..PdfOptions::default()
    };
    crate::pdf::with_layout(doc, fonts, &pdf_options, |layout, book, mut diagnostics| {
        let (package, zip_time) =
            adapt::package(doc, fonts, layout, book, options.profile, &mut diagnostics)?;
        let bytes = package::write_package(&package, zip_time)
            .map_err(|e| failure(format!("the OFD package could not be written: {e}")))?;
        Ok((bytes, diagnostics))
    })
}

fn failure(message: String) -> Failure {
    Failure::new(Diagnostic::new(Severity::Error, None, message))
}
