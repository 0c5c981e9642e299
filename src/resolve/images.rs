//! The book's images and its cover, each file read once and checked for
//! every format: the EPUB takes any image it can show (JPEG, PNG, GIF,
//! SVG, WebP, inside the book folder), the paged formats a PNG or JPEG
//! with its pixel size.

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::{locate_value, BOOK_FILE};
use crate::diag::Diagnostic;
use crate::model::{Block, Document};
use crate::paths::{resolve_input, PathProblem};
use crate::resources::{ImageProblem, SharedImage};

use super::ImageData;

/// The cover's path as written, and its bytes and media type or the error
/// to report.
pub type CoverImage = (String, Result<SharedImage, Diagnostic>);

/// An image file of the book as each kind of format takes it.
#[derive(Debug, Clone)]
pub struct ImageFile {
    /// For the EPUB: the bytes and media type, or the message and hint
    /// ([`crate::resources::read_checked_image`]'s rules).
    pub checked: Result<SharedImage, ImageProblem>,
    /// For the PDF, the OFD and the page images: a PNG or JPEG with its
    /// size, or the message and hint.
    pub paged: Result<ImageData, (String, String)>,
}

/// Every image the chapters and their notes show, by its path as written,
/// and the cover.
#[derive(Debug, Clone, Default)]
pub struct ImageFiles {
    pub images: HashMap<String, ImageFile>,
    /// The cover (`cover` in book.toml): its path, and its bytes and media
    /// type or the error to report (placed in book.toml).
    pub cover: Option<CoverImage>,
}

/// Reads the images of `doc` and its cover, each file once.
pub fn read_images(doc: &Document) -> ImageFiles {
    let base = &doc.settings.base_dir;
    let allow = doc.settings.allow_outside;
    let mut files = ImageFiles::default();
    let mut srcs: Vec<&str> = Vec::new();
    let mut seen = HashSet::new();
    for chapter in &doc.chapters {
        for block in chapter.all_blocks() {
            if let Block::Image { src, .. } = block {
                if seen.insert(src.as_str()) {
                    srcs.push(src);
                }
            }
        }
    }
    // Large images are read and checked side by side.
    files.images = srcs
        .par_iter()
        .map(|src| (src.to_string(), read_image(base, src, allow)))
        .collect();
    if let Some(src) = &doc.metadata.cover {
        let read = match resolve_input(base, src, allow) {
            Err(PathProblem::Outside) => Err(io::Error::other("it is outside the book folder")),
            _ => read_file(&base.join(src)),
        };
        let checked = checked(base, src, allow, &read).map_err(|(message, hint)| {
            Diagnostic::error(locate_value(&base.join(BOOK_FILE), src), message).with_hint(hint)
        });
        files.cover = Some((src.clone(), checked));
    }
    files
}

/// Reads `src` (relative to `base`) once and checks it both ways. A file
/// outside the book folder (unless allowed) is not read.
fn read_image(base: &Path, src: &str, allow_outside: bool) -> ImageFile {
    if let Err(problem @ PathProblem::Outside) = resolve_input(base, src, allow_outside) {
        let (message, hint) = problem.describe(&format!("the image `{src}`"));
        return ImageFile {
            checked: Err((message.clone(), hint)),
            paged: Err((message, hint.to_string())),
        };
    }
    let read = read_file(&base.join(src));
    let paged = match &read {
        Ok(bytes) => ImageData::from_shared(bytes.clone()).map_err(|e| {
            (
                format!("cannot use the image `{src}`: {e}"),
                "use a PNG or JPEG image".to_string(),
            )
        }),
        Err(e) => Err((
            format!("cannot read the image `{src}`: {e}"),
            "image paths are relative to the book directory".to_string(),
        )),
    };
    ImageFile {
        checked: checked(base, src, allow_outside, &read),
        paged,
    }
}

/// The EPUB's checks of an image already read.
fn checked(
    base: &Path,
    src: &str,
    allow_outside: bool,
    read: &io::Result<Arc<Vec<u8>>>,
) -> Result<SharedImage, ImageProblem> {
    crate::resources::check_read_image(base, src, allow_outside, |_| match read {
        Ok(bytes) => Ok(bytes.clone()),
        Err(e) => Err(io::Error::new(e.kind(), e.to_string())),
    })
}

/// The bytes of `path`; a pipe or a device is not read (it could block),
/// a folder gives the system's error.
fn read_file(path: &Path) -> io::Result<Arc<Vec<u8>>> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => {
            Err(io::Error::other("it is not a regular file"))
        }
        _ => std::fs::read(path).map(Arc::new),
    }
}
