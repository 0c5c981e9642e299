//! The files a document names besides its chapters — images, the cover,
//! stylesheets, a page style, fonts — checked once, before any rendering:
//! each must be a regular file inside the book folder (unless `[book]
//! allow-outside = true`), and every image must decode
//! ([`crate::media::check_image`]).

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use crate::config::{locate_value, BOOK_FILE};
use crate::diag::{Diagnostic, Location};
use crate::media::check_image;
use crate::model::{Block, Document};
use crate::paths::{resolve_input, resolve_input_any, PathProblem};
use crate::resolve::images::ImageFiles;

/// The media type of an image path, from its extension.
pub fn image_media_type(src: &str) -> Option<&'static str> {
    let extension = Path::new(src)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)?;
    Some(match extension.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        _ => return None,
    })
}

/// Reads and checks the image `src` of the book in `base`: confined,
/// regular, of a known type, decodable. Returns its bytes and media type.
pub fn read_checked_image(
    base: &Path,
    src: &str,
    allow_outside: bool,
) -> Result<(Vec<u8>, &'static str), (String, &'static str)> {
    let (bytes, media_type) = check_read_image(base, src, allow_outside, |path| {
        std::fs::read(path).map(Arc::new)
    })?;
    let bytes = Arc::try_unwrap(bytes).unwrap_or_else(|shared| shared.to_vec());
    Ok((bytes, media_type))
}

/// An image's bytes, shared, and its media type.
pub type SharedImage = (Arc<Vec<u8>>, &'static str);

/// Why an image cannot be used: the message and a hint.
pub type ImageProblem = (String, &'static str);

/// [`read_checked_image`] with the file's bytes from `read` (given the
/// path to read), for an image whose file was read already.
pub fn check_read_image(
    base: &Path,
    src: &str,
    allow_outside: bool,
    read: impl FnOnce(&Path) -> std::io::Result<Arc<Vec<u8>>>,
) -> Result<SharedImage, ImageProblem> {
    if src.contains("://") {
        return Err((
            format!("the image `{src}` is on the web; a book must contain its images"),
            "download the image into the book folder and use its path",
        ));
    }
    let path = resolve_input(base, src, allow_outside)
        .map_err(|problem| problem.describe(&format!("the image `{src}`")))?;
    let Some(media_type) = image_media_type(src) else {
        return Err((
            format!("the image `{src}` is not a JPEG, PNG, GIF, SVG or WebP file"),
            "convert it to one of these formats",
        ));
    };
    let bytes = read(&path).map_err(|e| {
        (
            format!("cannot read the image `{src}`: {e}"),
            "check the file's permissions",
        )
    })?;
    check_image(&bytes, media_type).map_err(|problem| {
        (
            format!("cannot use the image `{src}`: {problem}"),
            "open it in an image editor and save it again, or use another image",
        )
    })?;
    Ok((bytes, media_type))
}

/// Checks every file `doc` names; one error per problem. The images and
/// the cover are judged as [`crate::resolve::images::read_images`] read
/// them into `files` (so a build reads each file once); an image is
/// reported at its first use, in reading order.
pub fn check_resources(doc: &Document, files: &ImageFiles) -> Vec<Diagnostic> {
    let base = &doc.settings.base_dir;
    let allow = doc.settings.allow_outside;
    let toml_path = base.join(BOOK_FILE);
    let mut found = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for chapter in &doc.chapters {
        let source = base.join(&chapter.source);
        for block in chapter.all_blocks() {
            let Block::Image { src, span, .. } = block else {
                continue;
            };
            if !seen.insert(src) {
                continue;
            }
            let problem = match files.images.get(src) {
                Some(file) => file.checked.as_ref().err().cloned(),
                // Not among the files read: read and checked here.
                None => read_checked_image(base, src, allow).err(),
            };
            if let Some((message, hint)) = problem {
                found.push(
                    Diagnostic::error(Location::new(&source, span.line, span.column), message)
                        .with_hint(hint),
                );
            }
        }
    }
    if let Some(cover) = &doc.metadata.cover {
        let problem = match &files.cover {
            Some((src, checked)) if src == cover => checked.as_ref().err().cloned(),
            _ => read_checked_image(base, cover, allow)
                .err()
                .map(|(message, hint)| {
                    Diagnostic::error(locate_value(&toml_path, cover), message).with_hint(hint)
                }),
        };
        found.extend(problem);
    }
    let mut confined = |name: &str, what: &str, folder_ok: bool| {
        let result = if folder_ok {
            resolve_input_any(base, name, allow)
        } else {
            resolve_input(base, name, allow)
        };
        match result {
            Ok(_) | Err(PathProblem::Missing) => {}
            Err(problem) => {
                let (message, hint) = problem.describe(&format!("{what} `{name}`"));
                found.push(
                    Diagnostic::error(locate_value(&toml_path, name), message).with_hint(hint),
                );
            }
        }
    };
    for sheet in &doc.settings.epub_styles {
        if sheet.contains('/') || sheet.ends_with(".css") {
            confined(sheet, "the stylesheet", false);
        }
    }
    if base.join(&doc.settings.pdf_style).exists() {
        confined(&doc.settings.pdf_style, "the page style", false);
    }
    for font in &doc.settings.fonts.paths {
        confined(font, "the font path", true);
    }
    found
}
