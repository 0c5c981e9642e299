//! EPUB 3 renderer: the model to a zip of XHTML, CSS and subset fonts.
//!
//! Reads only the [`Document`], the resolved [`FontSet`] and what
//! [`crate::resolve::epub`] read of the book's files. The steps: take the
//! stylesheets and images the book names (stopping with every missing
//! file reported), write the chapters' XHTML in parallel, the
//! cover and the navigation, subset the fonts to the characters those
//! pages use, then write the package document and the zip. Every name
//! and id comes from the model, entries are written in a fixed order with
//! a fixed timestamp, and nothing reads the clock, so the same sources
//! always give the same bytes.

pub mod fonts;
mod nav;
mod package;
mod styles;
mod xhtml;
pub mod xml;

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{Cursor, Write};
use std::path::Path;
use std::sync::Arc;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use rayon::prelude::*;
use zip::write::{SimpleFileOptions, ZipFileBuilder};
use zip::{CompressionMethod, ZipWriter};

use crate::diag::{Diagnostic, Failure, Location, Severity};
use crate::fonts::FontSet;
use crate::model::{Block, Chapter, Document, TocEntry};
use crate::resolve::epub::EpubResolved;

use package::{Item, PackageInfo};
use xml::UsedChars;

/// The folder inside the zip that holds the publication.
const PACKAGE_DIR: &str = "EPUB";
const PACKAGE_FILE: &str = "package.opf";
const NAV_FILE: &str = "nav.xhtml";
const NCX_FILE: &str = "toc.ncx";
const COVER_FILE: &str = "cover.xhtml";
const BOOK_CSS: &str = "css/book.css";

/// Renders `doc` as an EPUB 3 file's bytes, with the warnings met on the
/// way. Missing images or stylesheets stop the rendering with all of them
/// reported.
pub fn render_epub(doc: &Document, fonts: &FontSet) -> Result<(Vec<u8>, Vec<Diagnostic>), Failure> {
    render_epub_reusing(doc, fonts, None)
}

/// [`render_epub`], reusing the font subsets of earlier builds kept in
/// `memo` (the same bytes as subsetting again).
pub fn render_epub_reusing(
    doc: &Document,
    fonts: &FontSet,
    memo: Option<&fonts::SubsetMemo>,
) -> Result<(Vec<u8>, Vec<Diagnostic>), Failure> {
    let files = crate::resolve::images::read_images(doc);
    let resolved = crate::resolve::epub::resolve_epub(doc, &files)?;
    render_epub_resolved(doc, fonts, memo, &resolved)
}

/// [`render_epub_reusing`] with the book's files as resolve read them.
pub fn render_epub_resolved(
    doc: &Document,
    fonts: &FontSet,
    memo: Option<&fonts::SubsetMemo>,
    resolved: &EpubResolved,
) -> Result<(Vec<u8>, Vec<Diagnostic>), Failure> {
    let mut diagnostics = Vec::new();
    let stylesheets = &resolved.stylesheets;
    let (images, cover_image) = load_images(doc, resolved)?;

    let book = Book::new(doc, stylesheets, &images);
    let rendered: Vec<xhtml::Rendered> = doc
        .chapters
        .par_iter()
        .map(|chapter| xhtml::write_chapter(&book, chapter))
        .collect();
    let (cover_page, cover_chars) = match &cover_image {
        Some(image) => xhtml::write_image_cover_page(&book, &image.href),
        None => xhtml::write_cover_page(&book),
    };
    let toc = toc_or_chapters(doc);
    let (nav_page, nav_chars) = nav::write_nav(&book, &toc);
    let ncx = nav::write_ncx(doc, &toc);

    let mut used = UsedChars::default();
    used.merge(&cover_chars);
    used.merge(&nav_chars);
    let mut pages = Vec::with_capacity(rendered.len());
    for page in rendered {
        used.merge(&page.chars);
        diagnostics.extend(page.diagnostics);
        pages.push(page.bytes);
    }
    let embedded = fonts::subset_fonts_reusing(fonts, &used, memo)?;
    let book_css = styles::book_css(&embedded, &fonts.listed(), doc.settings.vertical);

    // The manifest, in the order the files go into the zip.
    const CSS: &str = "text/css";
    let mut items = vec![
        Item::page(COVER_FILE, cover_page),
        Item::page(NAV_FILE, nav_page).with_properties("nav"),
    ];
    for (chapter, page) in doc.chapters.iter().zip(pages) {
        items.push(Item::page(chapter_file(chapter), page));
    }
    items.push(Item::new(NCX_FILE, "application/x-dtbncx+xml", ncx));
    items.push(Item::new(BOOK_CSS, CSS, book_css.into_bytes()));
    for sheet in stylesheets {
        items.push(Item::new(&sheet.href, CSS, sheet.text.as_bytes()));
    }
    for font in &embedded {
        items.push(Item::new(&font.href, font.media_type, &font.data));
    }
    let cover_image = cover_image.as_ref().map(|image| {
        Item::new(&image.href, image.media_type, image.data.as_slice())
            .with_properties("cover-image")
    });
    let cover_image_id = cover_image.as_ref().map(Item::id);
    items.extend(cover_image);
    for image in &images {
        items.push(Item::new(
            &image.href,
            image.media_type,
            image.data.as_slice(),
        ));
    }

    let modified = resolved.modified;
    diagnostics.extend(resolved.diagnostics.iter().cloned());
    let info = PackageInfo {
        date: resolved.date.as_deref(),
        modified: &modified.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        labels: book.labels,
        has_images: !images.is_empty() || cover_image_id.is_some(),
        all_images_described: images.iter().all(|image| !image.alt.trim().is_empty()),
        cover_image: cover_image_id.as_deref(),
    };
    let opf = package::write_opf(doc, &items, &info);
    let bytes = write_zip(&items, &opf, modified).map_err(|e| {
        Failure::new(Diagnostic::new(
            Severity::Error,
            None,
            format!("cannot write the EPUB archive: {e}"),
        ))
    })?;
    Ok((bytes, diagnostics))
}

/// What every page of the book shares while it is written.
struct Book<'a> {
    doc: &'a Document,
    /// Stylesheet paths, relative to the package document, in order.
    stylesheets: Vec<String>,
    /// Image paths in the model (`Block::Image::src`) to paths in the EPUB.
    images: HashMap<&'a str, String>,
    labels: &'static Labels,
    /// Heading ids to the files that hold them.
    heading_files: HashMap<&'a str, String>,
    /// Where links go, as the paged writers see them.
    links: crate::resolve::Links,
}

impl<'a> Book<'a> {
    fn new(doc: &'a Document, stylesheets: &[styles::Stylesheet], images: &'a [Image]) -> Self {
        let stylesheets = std::iter::once(BOOK_CSS.to_string())
            .chain(stylesheets.iter().map(|sheet| sheet.href.clone()))
            .collect();
        let heading_files = doc
            .headings()
            .map(|(index, heading)| (heading.id.as_str(), chapter_file(&doc.chapters[index])))
            .collect();
        Book {
            doc,
            stylesheets,
            images: images
                .iter()
                .map(|image| (image.src.as_str(), image.href.clone()))
                .collect(),
            labels: Labels::for_language(&doc.metadata.language),
            heading_files,
            links: crate::resolve::Links::new(doc),
        }
    }

    /// Where a link of the source points in the EPUB: web and mail
    /// addresses as they are, `#id` of a heading and chapter source files
    /// to their XHTML. `None` for anything else, which would be a broken
    /// link in the book.
    fn link_target(&self, url: &str) -> Option<String> {
        match self.links.target(url)? {
            crate::resolve::LinkTarget::External(url) => Some(escape_url(&url)),
            crate::resolve::LinkTarget::Internal(id) => {
                let file = self.heading_files.get(id.as_str())?;
                let is_chapter = self.doc.chapters.iter().any(|c| c.id == id);
                Some(if is_chapter {
                    file.clone()
                } else {
                    format!("{file}#{id}")
                })
            }
        }
    }
}

/// Words the book itself says (contents page, landmarks, accessibility
/// summary), in the book's language.
struct Labels {
    contents: &'static str,
    cover: &'static str,
    start: &'static str,
    landmarks: &'static str,
    summary: &'static str,
}

impl Labels {
    const CHINESE: Labels = Labels {
        contents: "目录",
        cover: "封面",
        start: "正文",
        landmarks: "导览",
        summary:
            "本书为可重排的文字电子书，有完整目录，正文按阅读顺序排列，各级标题可用于结构导航。",
    };
    const ENGLISH: Labels = Labels {
        contents: "Contents",
        cover: "Cover",
        start: "Start",
        landmarks: "Landmarks",
        summary: "A reflowable text e-book with a full table of contents, its text in reading order and structured headings for navigation.",
    };

    fn for_language(language: &str) -> &'static Labels {
        let primary = language.split('-').next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("zh") {
            &Self::CHINESE
        } else {
            &Self::ENGLISH
        }
    }
}

/// The XHTML file of a chapter, named after its id.
fn chapter_file(chapter: &Chapter) -> String {
    format!("{}.xhtml", chapter.id)
}

/// The model's table of contents; a book whose headings are all below the
/// configured depth still lists its chapters, since a navigation document
/// must not be empty.
fn toc_or_chapters(doc: &Document) -> Cow<'_, [TocEntry]> {
    if !doc.toc.is_empty() {
        return Cow::Borrowed(&doc.toc);
    }
    Cow::Owned(
        doc.chapters
            .iter()
            .enumerate()
            .map(|(index, chapter)| TocEntry {
                level: 1,
                title: chapter.title.display_text(),
                chapter: index,
                id: chapter.title.id.clone(),
                children: Vec::new(),
            })
            .collect(),
    )
}

/// A web address with the characters a URL may not hold as they are
/// (control characters, `"`, `<`, `>`, `\\`, `^`, `` ` ``, `{`, `|`, `}`)
/// percent-encoded.
fn escape_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c.is_control() || "\"<>\\^`{|}".contains(c) {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// An image file to put into the EPUB.
struct Image {
    /// The path as written in the model; empty for the cover.
    src: String,
    alt: String,
    href: String,
    media_type: &'static str,
    data: Arc<Vec<u8>>,
}

/// Takes every image the chapters show and the cover image, once each,
/// as resolve read them. All missing or unusable files are reported
/// together.
fn load_images(
    doc: &Document,
    resolved: &EpubResolved,
) -> Result<(Vec<Image>, Option<Image>), Failure> {
    let base = &doc.settings.base_dir;
    let mut errors = Vec::new();
    let mut images: Vec<Image> = Vec::new();
    for chapter in &doc.chapters {
        let source = base.join(&chapter.source);
        let mut visit = |block: &Block| {
            let Block::Image { src, alt, span, .. } = block else {
                return;
            };
            if images.iter().any(|image| &image.src == src) {
                return;
            }
            let location = Location::new(&source, span.line, span.column);
            let name = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, src.as_bytes())
                .simple()
                .to_string();
            match resolved.images.get(src) {
                Some(Ok((data, media_type))) => images.push(Image {
                    src: src.clone(),
                    alt: alt.clone(),
                    href: href_of(src, &format!("images/img-{}", &name[..12])),
                    media_type,
                    data: data.clone(),
                }),
                Some(Err((message, hint))) => {
                    errors.push(Diagnostic::error(location, message.clone()).with_hint(*hint))
                }
                None => errors.push(Diagnostic::error(
                    location,
                    format!("the image `{src}` was not read"),
                )),
            }
        };
        chapter.all_blocks().for_each(&mut visit);
    }
    let cover = match &resolved.cover {
        Some((src, Ok((data, media_type)))) => Some(Image {
            src: String::new(),
            alt: doc.metadata.title.clone(),
            href: href_of(src, "images/cover"),
            media_type,
            data: data.clone(),
        }),
        Some((_, Err(error))) => {
            errors.push(error.clone());
            None
        }
        None => None,
    };
    if errors.is_empty() {
        Ok((images, cover))
    } else {
        Err(Failure {
            diagnostics: errors,
        })
    }
}

/// The path in the EPUB of the image `src`: `stem` plus its extension.
fn href_of(src: &str, stem: &str) -> String {
    let extension = Path::new(src)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    format!("{stem}.{extension}")
}

/// Writes the zip: `mimetype` first and stored (OCF 3.3 §4.3), then
/// `META-INF/container.xml`, the package document and the files in
/// manifest order, all with the same timestamp.
fn write_zip(items: &[Item], opf: &[u8], modified: Timestamp) -> zip::result::ZipResult<Vec<u8>> {
    let time = modified.to_zoned(TimeZone::UTC).datetime();
    // Zip times run from 1980 to 2107.
    let zip_time = (|| {
        zip::DateTime::from_date_and_time(
            u16::try_from(time.year()).ok()?,
            u8::try_from(time.month()).ok()?,
            u8::try_from(time.day()).ok()?,
            u8::try_from(time.hour()).ok()?,
            u8::try_from(time.minute()).ok()?,
            u8::try_from(time.second()).ok()?,
        )
        .ok()
    })()
    .unwrap_or_default();
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(zip_time)
        .unix_permissions(0o644);
    let deflated = stored.compression_method(CompressionMethod::Deflated);

    // Compressing is most of the work: do it in parallel, then append the
    // files in order.
    let prepared = items
        .par_iter()
        .map(|item| {
            // Raster images are compressed already.
            let raster =
                item.media_type.starts_with("image/") && item.media_type != "image/svg+xml";
            let options = if raster { stored } else { deflated };
            let mut file = ZipFileBuilder::new(format!("{PACKAGE_DIR}/{}", item.href), options)?;
            file.write_all(&item.data)?;
            file.finish()
        })
        .collect::<zip::result::ZipResult<Vec<_>>>()?;

    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("mimetype", stored)?;
    zip.write_all(b"application/epub+zip")?;
    zip.start_file("META-INF/container.xml", deflated)?;
    zip.write_all(&package::write_container())?;
    zip.start_file(format!("{PACKAGE_DIR}/{PACKAGE_FILE}"), deflated)?;
    zip.write_all(opf)?;
    for file in prepared {
        zip.add_prepared_file(file)?;
    }
    Ok(zip.finish()?.into_inner())
}
