//! Resolving what renderers need from the normalized model, once: where
//! each link goes, the images (read and checked), the page style, and the
//! book's date and build time.
//!
//! A link is either a web address (kept as written) or a place in the
//! book: `#id` of a heading, a chapter's source file (`b.md`), or a
//! heading in it (`b.md#appendix`). Renderers ask [`Links::target`] and
//! never interpret link text themselves.
//!
//! Files are read here and nowhere later: [`images`] (each image and the
//! cover once, checked for the EPUB and for the paged formats),
//! [`stylesheets`] (the EPUB's CSS), [`page_style`] (the PDF page style),
//! [`epub`] (what the EPUB takes), [`dates`] (times parsed once). Places
//! in `book.toml` for errors are found here too. [`glyphs`] decides which
//! face draws each character, for every format.

pub mod dates;
pub mod epub;
pub mod images;
pub mod page_style;
pub mod stylesheets;

pub mod glyphs;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::diag::{Diagnostic, Failure, Severity};
use crate::model::{Block, Document};
use crate::typeset::style::PageStyle;

/// Everything the typesetter and the paged exporters take from outside
/// the model, read once.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub links: Links,
    /// Images by their path as written in the source: the image, or the
    /// message and hint to report where it is used.
    pub images: HashMap<String, Result<ImageData, (String, String)>>,
    /// The PDF page style, loaded and checked.
    pub style: PageStyle,
    /// When the book was made: `SOURCE_DATE_EPOCH`, else the book's date.
    pub created: Option<BookTime>,
    /// The book's own date (for the imprint page), when it is valid.
    pub date: Option<BookTime>,
    /// Problems found on the way (a `SOURCE_DATE_EPOCH` that is not a
    /// number).
    pub diagnostics: Vec<Diagnostic>,
}

/// A point in time the book gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookTime {
    /// An exact time (`SOURCE_DATE_EPOCH`), UTC.
    Exact(jiff::Timestamp),
    /// A date from `book.toml` to the precision it was written in: year,
    /// year and month, or a whole date.
    Date {
        year: i16,
        month: Option<i8>,
        day: Option<i8>,
    },
}

impl BookTime {
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checked with jiff.
    pub fn parse_date(date: &str) -> Option<BookTime> {
        let parts: Vec<&str> = date.split('-').collect();
        let widths_ok = parts.len() <= 3
            && parts.iter().zip([4, 2, 2]).all(|(part, width)| {
                part.len() == width && part.bytes().all(|b| b.is_ascii_digit())
            });
        if !widths_ok {
            return None;
        }
        let number = |i: usize| parts.get(i).and_then(|p| p.parse::<i16>().ok());
        let year = number(0)?;
        let month = number(1).map(|m| m as i8);
        let day = number(2).map(|d| d as i8);
        jiff::civil::Date::new(year, month.unwrap_or(1), day.unwrap_or(1)).ok()?;
        Some(BookTime::Date { year, month, day })
    }
}

/// Resolves `doc`: reads its images and page style, types its links and
/// takes its time of making.
pub fn resolve(doc: &Document) -> Result<Resolved, Failure> {
    resolve_with(doc, &images::read_images(doc))
}

/// [`resolve`] with the images as [`images::read_images`] read them (once
/// for every format of a build).
pub fn resolve_with(doc: &Document, files: &images::ImageFiles) -> Result<Resolved, Failure> {
    let style = page_style::load_style(&doc.settings.pdf_style, &doc.settings.base_dir)?;
    let mut diagnostics = Vec::new();
    let images = files
        .images
        .iter()
        .map(|(src, file)| (src.clone(), file.paged.clone()))
        .collect();
    let created = dates::created(doc, &mut diagnostics);
    if doc.settings.vertical {
        diagnostics.push(vertical_not_paged(&doc.settings.base_dir));
    }
    Ok(Resolved {
        links: Links::new(doc),
        images,
        style,
        created,
        date: dates::book_date(doc),
        diagnostics,
    })
}

/// The warning that `vertical = true` (book.toml, [style]) is for the
/// EPUB only: the PDF, OFD and page images are set horizontally.
fn vertical_not_paged(base_dir: &std::path::Path) -> Diagnostic {
    let path = base_dir.join(crate::config::BOOK_FILE);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let line = text
        .lines()
        .position(|l| l.trim_start().starts_with("vertical"))
        .and_then(|k| u32::try_from(k + 1).ok());
    let location = match line {
        Some(line) => crate::diag::Location::new(&path, line, 1),
        None => crate::diag::Location::file(&path),
    };
    Diagnostic::new(
        Severity::Warning,
        Some(location),
        "`vertical = true` is applied to the EPUB only; the PDF, OFD and page images are set horizontally",
    )
    .with_hint("vertical pages are not laid out yet; remove `vertical` to silence this")
}

/// The kind of an image file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Jpeg,
}

/// An image as read and checked once: its format, size in pixels and the
/// file's bytes, shared by every place that shows it.
#[derive(Clone)]
pub struct ImageData {
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
    pub bytes: Arc<Vec<u8>>,
}

impl std::fmt::Debug for ImageData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageData")
            .field("format", &self.format)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl ImageData {
    /// Reads the format and pixel size of a PNG or JPEG file's bytes.
    pub fn new(bytes: Vec<u8>) -> Result<Self, String> {
        Self::from_shared(Arc::new(bytes))
    }

    /// [`ImageData::new`] for bytes shared with other formats.
    pub fn from_shared(bytes: Arc<Vec<u8>>) -> Result<Self, String> {
        let format = match imagesize::image_type(&bytes) {
            Ok(imagesize::ImageType::Png) => ImageFormat::Png,
            Ok(imagesize::ImageType::Jpeg) => ImageFormat::Jpeg,
            _ => return Err("it is not a PNG or JPEG file".into()),
        };
        let size = imagesize::blob_size(&bytes).map_err(|e| format!("{e}"))?;
        let (width, height) = (
            u32::try_from(size.width).unwrap_or(0),
            u32::try_from(size.height).unwrap_or(0),
        );
        if width == 0 || height == 0 {
            return Err("it has no pixels".into());
        }
        Ok(Self {
            format,
            width,
            height,
            bytes,
        })
    }
}

/// Where a link of the book goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LinkTarget {
    /// A web address (`http`, `https`, `mailto`, `ftp`).
    External(String),
    /// A heading of the book (a chapter's title included), by its id.
    Internal(String),
}

/// The link targets of a book: its headings' ids and its chapters'
/// source files.
#[derive(Debug, Clone, Default)]
pub struct Links {
    /// Heading id to the id of the chapter that holds it.
    headings: HashMap<String, String>,
    /// Chapter source path (relative to the book) to the chapter's id.
    files: HashMap<String, String>,
}

impl Links {
    /// Collects the ids of every heading of `doc` and its chapter files.
    pub fn new(doc: &Document) -> Self {
        let mut links = Links::default();
        for chapter in &doc.chapters {
            links
                .headings
                .insert(chapter.id.clone(), chapter.id.clone());
            links
                .files
                .insert(chapter.source.clone(), chapter.id.clone());
            let mut ids = HashSet::new();
            collect(&chapter.blocks, &mut ids, 0);
            for id in ids {
                links.headings.insert(id, chapter.id.clone());
            }
        }
        links
    }

    /// Where `url` goes; `None` when it is neither a web address nor a
    /// place in the book. `b.md#appendix` is the heading `appendix` of the
    /// chapter `b.md` (the id it was given when an earlier chapter took
    /// `appendix`), else that chapter's start.
    pub fn target(&self, url: &str) -> Option<LinkTarget> {
        const SCHEMES: [&str; 4] = ["http://", "https://", "mailto:", "ftp://"];
        if url.contains(char::is_whitespace) {
            return None;
        }
        let lower = url.to_ascii_lowercase();
        if SCHEMES.iter().any(|scheme| lower.starts_with(scheme)) {
            return Some(LinkTarget::External(url.to_string()));
        }
        let (path, fragment) = url.split_once('#').unwrap_or((url, ""));
        let path = path.strip_prefix("./").unwrap_or(path);
        if path.is_empty() {
            return (!fragment.is_empty() && self.headings.contains_key(fragment))
                .then(|| LinkTarget::Internal(fragment.to_string()));
        }
        let chapter = self.files.get(path)?;
        let renamed = crate::normalize::chapter_heading_id(chapter, fragment);
        let in_chapter = |id: &str| self.headings.get(id) == Some(chapter);
        Some(LinkTarget::Internal(if fragment.is_empty() {
            chapter.clone()
        } else if in_chapter(&renamed) {
            renamed
        } else if in_chapter(fragment) {
            fragment.to_string()
        } else {
            chapter.clone()
        }))
    }
}

/// Heading ids in `blocks`; nesting deeper than quotes and lists of any
/// sensible book is not followed.
fn collect(blocks: &[Block], out: &mut HashSet<String>, depth: usize) {
    if depth > 64 {
        return;
    }
    for block in blocks {
        match block {
            Block::Heading(h) => {
                out.insert(h.id.clone());
            }
            Block::Quote { blocks, .. } => collect(blocks, out, depth + 1),
            Block::List { items, .. } => {
                for item in items {
                    collect(item, out, depth + 1);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links() -> Links {
        let mut links = Links::default();
        for (id, chapter) in [
            ("ch01", "ch01"),
            ("ch02", "ch02"),
            ("appendix", "ch02"),
            ("notes", "ch01"),
            ("ch02.notes", "ch02"),
        ] {
            links.headings.insert(id.into(), chapter.into());
        }
        links.files.insert("a.md".into(), "ch01".into());
        links.files.insert("b.md".into(), "ch02".into());
        links
    }

    #[test]
    fn dates_are_checked() {
        assert_eq!(
            BookTime::parse_date("2025-12"),
            Some(BookTime::Date {
                year: 2025,
                month: Some(12),
                day: None
            })
        );
        assert_eq!(BookTime::parse_date("2025-02-30"), None);
        assert_eq!(BookTime::parse_date("25-1-1"), None);
    }

    #[test]
    fn targets_are_typed() {
        let l = links();
        let internal = |id: &str| Some(LinkTarget::Internal(id.into()));
        assert_eq!(l.target("#appendix"), internal("appendix"));
        assert_eq!(l.target("b.md#appendix"), internal("appendix"));
        assert_eq!(l.target("./b.md"), internal("ch02"));
        assert_eq!(l.target("b.md#nowhere"), internal("ch02"));
        // A heading of another chapter is not taken for one of `b.md`;
        // `b.md`'s own `notes` was renamed as the first chapter had one.
        assert_eq!(l.target("a.md#appendix"), internal("ch01"));
        assert_eq!(l.target("b.md#notes"), internal("ch02.notes"));
        assert_eq!(l.target("a.md#notes"), internal("notes"));
        assert_eq!(l.target("#notes"), internal("notes"));
        assert_eq!(
            l.target("https://example.org/a"),
            Some(LinkTarget::External("https://example.org/a".into()))
        );
        assert_eq!(l.target("#nowhere"), None);
        assert_eq!(l.target("c.md"), None);
        assert_eq!(l.target("https://a b"), None);
    }
}
