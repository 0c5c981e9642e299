//! OFD exporter (GB/T 33190-2016), with the archive profile OFD/A
//! (GB/T 42133-2022): reads only the [`PagedBook`], the same pages the
//! PDF is written from.
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
//! Fonts are the EPUB's subsets ([`crate::export::epub::fonts::subset_fonts`]):
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
use crate::typeset::{with_layout, PagedBook, PdfOptions};

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

/// Lays out `doc` and renders it as an OFD file's bytes.
pub fn render_ofd(
    doc: &Document,
    fonts: &FontSet,
    options: &OfdOptions,
) -> Result<(Vec<u8>, Vec<Diagnostic>), Failure> {
    let typeset_options = PdfOptions {
        allow_missing_glyphs: options.allow_missing_glyphs,
        ..PdfOptions::default()
    };
    with_layout(
        doc,
        fonts,
        &typeset_options,
        |layout, _, mut diagnostics| {
            let bytes = write_ofd(layout, fonts, options, &mut diagnostics)?;
            Ok((bytes, diagnostics))
        },
    )
}

/// Writes a laid-out book as OFD bytes; `fonts` are the book's fonts, of
/// which the faces drawn are subset and embedded.
pub fn write_ofd(
    book: &PagedBook,
    fonts: &FontSet,
    options: &OfdOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<u8>, Failure> {
    let (package, zip_time) = adapt::package(book, fonts, options.profile, diagnostics)?;
    package::write_package(&package, zip_time)
        .map_err(|e| failure(format!("the OFD package could not be written: {e}")))
}

fn failure(message: String) -> Failure {
    Failure::new(Diagnostic::new(Severity::Error, None, message))
}
