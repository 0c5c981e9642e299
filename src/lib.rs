//! inkstone turns Chinese source text into finished e-publications: an
//! EPUB 3 e-book and a print- and archive-grade PDF, both with embedded
//! subset CJK fonts and a generated table of contents.
//!
//! # Steps
//! 1. [`load`]: read `book.toml` (or take a single file), read every
//!    chapter file, detect its encoding, normalize newlines and Unicode.
//! 2. [`normalize()`]: turn plain text and Markdown into structure (title,
//!    headings, paragraphs, lists, ...) and normalize punctuation, giving
//!    the resolved [`model::Document`] with its table of contents.
//! 3. [`resolve`]: what renderers need from outside the model, once:
//!    links typed as places in the book or web addresses, images read and
//!    checked, the PDF page style, the book's date and build time.
//! 4. [`typeset`]: the model and what was resolved laid out into a
//!    [`typeset::PagedBook`] (pages of positioned glyphs, rules, images
//!    and links, the logical structure, the outline), with no output
//!    format in it.
//! 5. [`export`]: the EPUB writer reads the model; the PDF, OFD and PNG
//!    writers read only the laid-out book, so the three show the same
//!    pages. [`standard`] checks and prepares PDF/A and PDF/UA; [`series`]
//!    and [`manifest`] build and verify a series of editions.
//!
//! Diagnostics are collected, not printed: each stage appends
//! [`diag::Diagnostic`]s and returns a [`diag::Failure`] when it cannot go
//! on.

#![forbid(unsafe_code)]

pub mod config;
pub mod diag;
pub mod export;
pub mod fonts;
pub mod manifest;
pub mod model;
pub mod normalize;
pub mod output;
pub mod resolve;
pub mod series;
pub mod source;
pub mod standard;
pub mod typeset;

pub use export::epub;
pub use export::ofd;

/// Typesetting and PDF export under the one name they had before they were
/// split: `pdf::render_pdf` lays out and writes, the rest is [`typeset`].
pub mod pdf {
    pub use crate::export::pdf::render_pdf;
    pub use crate::typeset::*;
}

use std::path::{Path, PathBuf};

use config::{BookConfig, ChapterEntry, Input, InputFormat, StructureConfig, BOOK_FILE};
use diag::{Diagnostic, Failure, Location};
use source::{read_source, SourceFile};

pub use normalize::normalize;

/// Sources read and decoded, with the configuration that says what to do
/// with them.
#[derive(Debug)]
pub struct Loaded {
    /// The book directory (for a single file: its directory).
    pub base_dir: PathBuf,
    pub config: BookConfig,
    /// True when the input was one file rather than a book directory.
    pub single_file: bool,
    pub sources: Vec<LoadedSource>,
}

#[derive(Debug)]
pub struct LoadedSource {
    pub file: SourceFile,
    /// Path relative to the book directory, with `/` separators.
    pub rel_path: String,
    pub format: InputFormat,
    /// `[structure]`, with this file's own overrides applied.
    pub structure: StructureConfig,
}

/// Reads the book at `input`: a directory with `book.toml`, the
/// `book.toml` itself, or a single `.txt`/`.md` file.
pub fn load(input: &Path, diagnostics: &mut Vec<Diagnostic>) -> Result<Loaded, Failure> {
    load_input(Input::open(input)?, diagnostics)
}

/// Reads the book `input` already opened (a series edition comes with its
/// configuration merged with the series' defaults).
pub fn load_input(input: Input, diagnostics: &mut Vec<Diagnostic>) -> Result<Loaded, Failure> {
    match input {
        Input::File { path } => {
            let format = format_of(&path, None)?;
            let file = read_chapter(&path, None, diagnostics)?;
            let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let rel_path = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            Ok(Loaded {
                base_dir,
                config: BookConfig::default(),
                single_file: true,
                sources: vec![LoadedSource {
                    file,
                    rel_path,
                    format,
                    structure: StructureConfig::default(),
                }],
            })
        }
        Input::Book { dir, config } => {
            let toml_path = dir.join(BOOK_FILE);
            if config.contents.chapters.is_empty() {
                return Err(Diagnostic::error(
                    Location::file(&toml_path),
                    "the book has no chapters",
                )
                .with_hint(
                    "list chapter files under [contents] as `chapters = [\"01.txt\", \"02.md\"]`",
                )
                .into());
            }
            let mut sources = Vec::new();
            for entry in &config.contents.chapters {
                let (encoding, format) = match entry {
                    ChapterEntry::Path(_) => (None, None),
                    ChapterEntry::Options(o) => (
                        o.encoding
                            .as_deref()
                            .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes())),
                        o.format,
                    ),
                };
                let mut structure = config.structure;
                if let ChapterEntry::Options(o) = entry {
                    structure.headings = o.headings.unwrap_or(structure.headings);
                    structure.verse = o.verse.unwrap_or(structure.verse);
                }
                for rel_path in expand_entry(&dir, &toml_path, entry.file())? {
                    let path = dir.join(&rel_path);
                    let format = format_of(&path, format)?;
                    let file = read_chapter(&path, encoding, diagnostics)?;
                    sources.push(LoadedSource {
                        file,
                        rel_path,
                        format,
                        structure,
                    });
                }
            }
            Ok(Loaded {
                base_dir: dir,
                config: *config,
                single_file: false,
                sources,
            })
        }
    }
}

/// Expands a chapter entry (a path or a glob) to paths relative to `dir`,
/// in name order. A file that does not exist is an error located at its
/// entry in `book.toml`.
fn expand_entry(dir: &Path, toml_path: &Path, entry: &str) -> Result<Vec<String>, Failure> {
    let located = |message: String, hint: &str| -> Failure {
        Diagnostic::error(config::locate_value(toml_path, entry), message)
            .with_hint(hint)
            .into()
    };
    if entry.contains(['*', '?', '[']) {
        let pattern = dir.join(entry).to_string_lossy().into_owned();
        let paths = glob::glob(&pattern).map_err(|e| {
            located(
                format!("bad file pattern `{entry}`: {e}"),
                "use `*` and `?` as in a shell",
            )
        })?;
        let mut found: Vec<String> = paths
            .filter_map(Result::ok)
            .filter(|p| p.is_file())
            .filter_map(|p| {
                p.strip_prefix(dir)
                    .ok()
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
            })
            .collect();
        found.sort();
        if found.is_empty() {
            return Err(located(
                format!("no file matches `{entry}`"),
                "check the pattern against the files in the book directory",
            ));
        }
        Ok(found)
    } else {
        if !dir.join(entry).is_file() {
            return Err(located(
                format!("chapter file `{entry}` does not exist"),
                "check the name, or remove the entry from [contents] chapters",
            ));
        }
        Ok(vec![entry.to_string()])
    }
}

/// The input format: as configured, else from the extension.
fn format_of(path: &Path, configured: Option<InputFormat>) -> Result<InputFormat, Failure> {
    if let Some(format) = configured {
        return Ok(format);
    }
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("md" | "markdown") => Ok(InputFormat::Markdown),
        Some("txt" | "text") | None => Ok(InputFormat::Text),
        Some(other) => Err(Diagnostic::error(Location::file(path), format!("cannot tell the format of a `.{other}` file"))
            .with_hint("use .txt or .md, or set `format = \"text\"` or `\"markdown\"` for this chapter in book.toml")
            .into()),
    }
}

/// Reads one chapter file; an empty file is an error.
fn read_chapter(
    path: &Path,
    encoding: Option<&'static encoding_rs::Encoding>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<SourceFile, Failure> {
    let file = read_source(path, encoding, diagnostics)?;
    if file.text.trim().is_empty() {
        return Err(
            Diagnostic::error(Location::new(path, 1, 1), "the file is empty")
                .with_hint("write the chapter's text into it, or remove it from the book")
                .into(),
        );
    }
    Ok(file)
}

/// Loads and normalizes `input` in one call.
pub fn load_document(
    input: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<model::Document, Failure> {
    let loaded = load(input, diagnostics)?;
    Ok(normalize(&loaded, diagnostics))
}
