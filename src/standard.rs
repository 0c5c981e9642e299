//! PDF/A and PDF/UA: which standards a PDF is written to, the checks made
//! on the book before it is typeset and the source files an `a-3u` file
//! carries. What is krilla's (its configuration, the attached files, its
//! validation errors told as places in the book) is in
//! `crate::export::pdf::standard`.
//!
//! krilla enforces the standards while it writes (XMP with `pdfaid` and
//! `pdfuaid`, an sRGB output intent, embedded fonts with ToUnicode maps,
//! the tag tree, `/Lang`). A book that cannot conform fails with the
//! places to fix; a non-conforming file is never written.

use std::fmt;
use std::str::FromStr;

use crate::diag::{Diagnostic, Failure, Location, Severity};
use crate::model::{Block, Document};

/// The standards named by `--pdf-standard` or `[pdf] standard`: at most
/// one PDF/A part and PDF/UA-1, such as `a-2u,ua-1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PdfStandard {
    pub archival: Option<ArchivalLevel>,
    pub ua: bool,
}

/// The PDF/A parts and levels inkstone writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchivalLevel {
    A2b,
    A2u,
    A3u,
}

/// The standard of a series when neither `series.toml` nor the edition
/// names one.
pub const SERIES_DEFAULT: &str = "a-2u,ua-1";

impl PdfStandard {
    /// No standard: a plain PDF.
    pub fn is_none(&self) -> bool {
        self.archival.is_none() && !self.ua
    }

    /// Whether the book's source files are attached (PDF/A-3).
    pub fn attaches_sources(&self) -> bool {
        self.archival == Some(ArchivalLevel::A3u)
    }
}

impl FromStr for PdfStandard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut out = PdfStandard::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let level = match part.to_ascii_lowercase().as_str() {
                "none" => continue,
                "ua-1" | "ua1" => {
                    out.ua = true;
                    continue;
                }
                "a-2b" => ArchivalLevel::A2b,
                "a-2u" => ArchivalLevel::A2u,
                "a-3u" => ArchivalLevel::A3u,
                _ => {
                    return Err(format!(
                        "unknown PDF standard `{part}`; use a-2b, a-2u, a-3u or ua-1, or a combination such as `a-2u,ua-1`"
                    ))
                }
            };
            if out.archival.is_some_and(|a| a != level) {
                return Err(format!(
                    "`{s}` names two PDF/A levels; a file conforms to one"
                ));
            }
            out.archival = Some(level);
        }
        Ok(out)
    }
}

impl fmt::Display for PdfStandard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        match self.archival {
            Some(ArchivalLevel::A2b) => parts.push("a-2b"),
            Some(ArchivalLevel::A2u) => parts.push("a-2u"),
            Some(ArchivalLevel::A3u) => parts.push("a-3u"),
            None => {}
        }
        if self.ua {
            parts.push("ua-1");
        }
        if parts.is_empty() {
            parts.push("none");
        }
        f.write_str(&parts.join(","))
    }
}

/// The standard a book is written to: `given` (from the command line)
/// when set, else `[pdf] standard` of its book.toml, else none. A name
/// that is not a standard is an error at its place.
pub fn resolve(given: Option<&str>, loaded: &crate::Loaded) -> Result<PdfStandard, Failure> {
    if let Some(given) = given {
        return given.parse().map_err(|message: String| {
            Failure::new(Diagnostic::new(Severity::Error, None, message))
        });
    }
    let Some(named) = loaded.config.pdf.standard.as_deref() else {
        return Ok(PdfStandard::default());
    };
    named.parse().map_err(|message: String| {
        let toml = loaded.base_dir.join(crate::config::BOOK_FILE);
        Diagnostic::error(crate::config::locate_value(&toml, named), message).into()
    })
}

/// A file attached to the PDF: its name (relative to the book folder,
/// with `/`) and its exact bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The book's source files as attachments: `book.toml` (when the book
/// has one) and every chapter file, read again as they are on disk.
pub fn source_attachments(loaded: &crate::Loaded) -> Result<Vec<Attachment>, Failure> {
    let mut names = Vec::new();
    if !loaded.single_file {
        names.push(crate::config::BOOK_FILE.to_string());
    }
    for source in &loaded.sources {
        if !names.contains(&source.rel_path) {
            names.push(source.rel_path.clone());
        }
    }
    let mut out: Vec<Attachment> = names
        .into_iter()
        .map(|name| {
            let path = loaded.base_dir.join(&name);
            let bytes = std::fs::read(&path)
                .map_err(|e| Failure::io(&path, "read the source file to attach", &e))?;
            Ok(Attachment { name, bytes })
        })
        .collect::<Result<_, Failure>>()?;
    // An edition of a series is made from the series' defaults too.
    if let Some(series) = series_file(loaded) {
        let bytes = std::fs::read(&series)
            .map_err(|e| Failure::io(&series, "read the source file to attach", &e))?;
        out.push(Attachment {
            name: crate::series::SERIES_FILE.to_string(),
            bytes,
        });
    }
    Ok(out)
}

/// The `series.toml` of the series `loaded` is an edition of, if any.
pub fn series_file(loaded: &crate::Loaded) -> Option<std::path::PathBuf> {
    if loaded.single_file {
        return None;
    }
    let dir = std::fs::canonicalize(&loaded.base_dir).ok()?;
    let file = dir.parent()?.join(crate::series::SERIES_FILE);
    file.is_file().then_some(file)
}

/// The text alternative of a link (PDF/UA): the URL, the heading's
/// title, or what a footnote link does.
pub fn link_alt(
    target: Option<&crate::typeset::layout::LinkTarget>,
    titles: &HeadingTitles<'_>,
) -> String {
    use crate::typeset::layout::LinkTarget;
    match target {
        Some(LinkTarget::Url(url)) => url.clone(),
        Some(LinkTarget::Heading(id)) => titles
            .get(id.as_str())
            .map_or_else(|| "标题".into(), |title| (*title).to_string()),
        Some(LinkTarget::Note(..)) => "脚注".into(),
        Some(LinkTarget::NoteRef(..)) => "返回正文".into(),
        None => "链接".into(),
    }
}

/// Each heading's title by its id, for [`link_alt`].
pub type HeadingTitles<'a> = std::collections::HashMap<&'a str, &'a str>;

/// The titles of the headings in `toc` and under them, by id (the first
/// heading of an id, as a link finds it); a deep outline is walked
/// without recursion.
pub fn heading_titles(toc: &[crate::model::TocEntry]) -> HeadingTitles<'_> {
    let mut titles = HeadingTitles::new();
    let mut stack: Vec<&crate::model::TocEntry> = toc.iter().rev().collect();
    while let Some(entry) = stack.pop() {
        titles
            .entry(entry.id.as_str())
            .or_insert(entry.title.as_str());
        stack.extend(entry.children.iter().rev());
    }
    titles
}

/// Checks the book for what a standard needs and krilla cannot place in
/// the source: under PDF/UA every image needs a text alternative, the
/// images of the footnotes too.
pub fn check_document(doc: &Document, standard: &PdfStandard) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if !standard.ua {
        return out;
    }
    for chapter in &doc.chapters {
        let file = doc.settings.base_dir.join(&chapter.source);
        // Every block a reader sees, in reading order, footnotes included.
        for block in chapter.all_blocks() {
            if let Block::Image { src, alt, span, .. } = block {
                if alt.trim().is_empty() {
                    out.push(
                        Diagnostic::error(
                            Location::new(&file, span.line, span.column),
                            format!(
                                "the image `{src}` has no alternative text, which PDF/UA requires"
                            ),
                        )
                        .with_hint("describe the image: `![what it shows](file.png)`"),
                    );
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standards_parse_and_combine() {
        let s: PdfStandard = "a-2u,ua-1".parse().expect("parses");
        assert_eq!(s.archival, Some(ArchivalLevel::A2u));
        assert!(s.ua);
        assert_eq!(s.to_string(), "a-2u,ua-1");
        assert!("a-3u"
            .parse::<PdfStandard>()
            .expect("a-3u")
            .attaches_sources());
        assert!("a-2b,a-3u".parse::<PdfStandard>().is_err());
        assert!("pdf-x".parse::<PdfStandard>().is_err());
        assert!("".parse::<PdfStandard>().expect("empty").is_none());
    }
}
