//! What the EPUB takes from outside the model, read once: its
//! stylesheets, its images and cover (shared with the paged formats'
//! reading, [`super::images`]), the book's date as `dc:date` and the time
//! of every file in the archive.

use std::collections::HashMap;

use crate::config::{locate_value, BOOK_FILE};
use crate::diag::{Diagnostic, Failure};
use crate::model::Document;

use crate::resources::{ImageProblem, SharedImage};

use super::images::{CoverImage, ImageFiles};
use super::stylesheets::{load_stylesheets, Stylesheet};
use super::BookTime;

/// `dcterms:modified` when neither `SOURCE_DATE_EPOCH` nor the book's date
/// gives one: 2000-01-01T00:00:00Z.
const FALLBACK_MODIFIED: i64 = 946_684_800;

/// An image's bytes and media type, or the message and hint to report
/// where it is used.
pub type CheckedImage = Result<SharedImage, ImageProblem>;

/// The EPUB's resources.
#[derive(Debug, Clone)]
pub struct EpubResolved {
    /// The stylesheets of `[style] epub`, in order.
    pub stylesheets: Vec<Stylesheet>,
    /// Images by their path as written in the chapters.
    pub images: HashMap<String, CheckedImage>,
    /// The cover's path as written, and its bytes and media type or the
    /// error to report.
    pub cover: Option<CoverImage>,
    /// The book's date, as written, when it is a valid `dc:date`.
    pub date: Option<String>,
    /// `dcterms:modified` and the time of every zip entry:
    /// `SOURCE_DATE_EPOCH` if set, else midnight UTC of the book's date,
    /// else 2000-01-01. Never the clock.
    pub modified: jiff::Timestamp,
    /// Warnings: a `SOURCE_DATE_EPOCH` that is not a number, a date the
    /// EPUB leaves out.
    pub diagnostics: Vec<Diagnostic>,
}

/// Resolves the EPUB's resources of `doc`, with its images as `files`
/// read them. An unknown or unreadable stylesheet fails.
pub fn resolve_epub(doc: &Document, files: &ImageFiles) -> Result<EpubResolved, Failure> {
    let stylesheets = load_stylesheets(&doc.settings)?;
    let images = files
        .images
        .iter()
        .map(|(src, file)| (src.clone(), file.checked.clone()))
        .collect();
    let mut diagnostics = Vec::new();
    let modified = super::dates::created(doc, &mut diagnostics).map_or_else(
        || jiff::Timestamp::from_second(FALLBACK_MODIFIED).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
        BookTime::timestamp,
    );
    let date = doc.metadata.date.as_deref();
    if let Some(date) = date.filter(|d| BookTime::parse_date(d).is_none()) {
        let book_toml = doc.settings.base_dir.join(BOOK_FILE);
        diagnostics.push(
            Diagnostic::warning(
                locate_value(&book_toml, date),
                format!(
                    "the date `{date}` is not YYYY, YYYY-MM or YYYY-MM-DD; the EPUB leaves it out"
                ),
            )
            .with_hint("write the date as 2025-12-20"),
        );
    }
    Ok(EpubResolved {
        stylesheets,
        images,
        cover: files.cover.clone(),
        date: date
            .filter(|d| BookTime::parse_date(d).is_some())
            .map(str::to_string),
        modified,
        diagnostics,
    })
}
