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
//!    links typed as places in the book or web addresses, images and the
//!    cover read and checked, the EPUB's stylesheets, the PDF page style,
//!    the book's date and build time, and which face draws each character
//!    ([`resolve::glyphs`]: characters no face has, and system faces when
//!    allowed, reported once for every format). Later stages read no file
//!    and no `book.toml` (`tests/structure.rs` checks it).
//! 4. [`typeset`]: the model and what was resolved laid out into a
//!    [`typeset::PagedBook`] (pages of positioned glyphs, rules, images
//!    and links, the logical structure, the outline), with no output
//!    format in it.
//! 5. [`export`]: the EPUB writer reads the model and what was resolved
//!    for it; the PDF, OFD and PNG writers read only the laid-out book, so
//!    the three show the same pages. [`standard`] checks and prepares PDF/A and PDF/UA; [`series`]
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
pub mod media;
pub mod model;
pub mod normalize;
pub mod output;
pub mod paths;
pub mod resolve;
pub mod resources;
pub mod series;
pub mod serve;
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

/// What the command line says about a single file built without a book
/// folder: metadata, style and how to read it. A `book.toml` beside the
/// file (or the one named by `config`) is read first, without its
/// `[contents]` and `slug`; these settings win over it.
#[derive(Debug, Clone, Default)]
pub struct SingleFileOptions {
    pub config: Option<PathBuf>,
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    /// The PDF page style: a built-in name or a path.
    pub style: Option<String>,
    pub format: Option<InputFormat>,
    /// An encoding label such as `gbk`.
    pub encoding: Option<String>,
}

impl SingleFileOptions {
    /// Whether any option was given; they only apply to a single file.
    pub fn is_empty(&self) -> bool {
        self.config.is_none()
            && self.title.is_none()
            && self.subtitle.is_none()
            && self.authors.is_empty()
            && self.style.is_none()
            && self.format.is_none()
            && self.encoding.is_none()
    }

    /// The configuration for a file in `base_dir`: the `book.toml` named or beside it,
    /// else the defaults, with these options applied.
    fn config_for(&self, base_dir: &Path) -> Result<BookConfig, Failure> {
        let beside = base_dir.join(BOOK_FILE);
        let toml = match &self.config {
            Some(named) => Some(named.clone()),
            None if beside.is_file() => Some(beside),
            None => None,
        };
        let mut config = match toml {
            Some(toml) => BookConfig::read(&toml)?,
            None => BookConfig::default(),
        };
        config.contents = Default::default();
        config.book.slug = None;
        if self.title.is_some() {
            config.book.title.clone_from(&self.title);
        }
        if self.subtitle.is_some() {
            config.book.subtitle.clone_from(&self.subtitle);
        }
        if !self.authors.is_empty() {
            config.book.authors.clone_from(&self.authors);
        }
        if self.style.is_some() {
            config.style.pdf.clone_from(&self.style);
        }
        Ok(config)
    }

    fn encoding(&self) -> Result<Option<&'static encoding_rs::Encoding>, Failure> {
        let Some(label) = &self.encoding else {
            return Ok(None);
        };
        match encoding_rs::Encoding::for_label(label.as_bytes()) {
            Some(encoding) => Ok(Some(encoding)),
            None => Err(Diagnostic::new(
                diag::Severity::Error,
                None,
                format!("unknown encoding `{label}` given with --encoding"),
            )
            .with_hint("use a label such as `utf-8`, `gbk`, `gb18030`, `utf-16le`, `big5`")
            .into()),
        }
    }
}

/// Reads the book at `input`: a directory with `book.toml`, the
/// `book.toml` itself, or a single `.txt`/`.md` file.
pub fn load(input: &Path, diagnostics: &mut Vec<Diagnostic>) -> Result<Loaded, Failure> {
    load_with(input, &SingleFileOptions::default(), diagnostics)
}

/// [`load`], with the command line's options for a single file. Given
/// for a book folder they are an error: its `book.toml` says all that.
pub fn load_with(
    input: &Path,
    options: &SingleFileOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Loaded, Failure> {
    load_input(Input::open(input)?, options, diagnostics)
}

/// Reads the book `input` already opened (a series edition comes with its
/// configuration merged with the series' defaults).
pub fn load_input(
    input: Input,
    options: &SingleFileOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Loaded, Failure> {
    match input {
        Input::File { path } => {
            let format = format_of(&path, options.format)?;
            let file = read_chapter(&path, options.encoding()?, diagnostics)?;
            let base_dir = match path.parent() {
                Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let rel_path = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let config = options.config_for(&base_dir)?;
            let structure = config.structure;
            Ok(Loaded {
                config,
                base_dir,
                single_file: true,
                sources: vec![LoadedSource {
                    file,
                    rel_path,
                    format,
                    structure,
                }],
            })
        }
        Input::Book { dir, config } => {
            let toml_path = dir.join(BOOK_FILE);
            if !options.is_empty() {
                return Err(Diagnostic::error(
                    Location::file(&toml_path),
                    "--title, --subtitle, --author, --style, --input-format, --encoding and --config are for a single file",
                )
                .with_hint("for a book folder, set these in its book.toml")
                .into());
            }
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
            let allow_outside = config.book.allow_outside;
            let mut sources = Vec::new();
            let mut seen: Vec<PathBuf> = Vec::new();
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
                for rel_path in expand_entry(&dir, &toml_path, entry.file(), allow_outside)? {
                    let path = dir.join(&rel_path);
                    let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
                    if seen.contains(&canonical) {
                        diagnostics.push(
                            Diagnostic::warning(
                                config::locate_value(&toml_path, entry.file()),
                                format!("`{rel_path}` is listed twice in [contents] chapters; it is included once, where it first appears"),
                            )
                            .with_hint("remove the second entry, or narrow the pattern"),
                        );
                        continue;
                    }
                    seen.push(canonical);
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
            note_left_out(&dir, &seen, diagnostics);
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
/// in natural name order (`2` before `10`). A file that does not exist,
/// lies outside the book folder (after resolving links, unless
/// `allow_outside`) or is not a regular file is an error located at its
/// entry in `book.toml`.
fn expand_entry(
    dir: &Path,
    toml_path: &Path,
    entry: &str,
    allow_outside: bool,
) -> Result<Vec<String>, Failure> {
    let located = |message: String, hint: &str| -> Failure {
        Diagnostic::error(config::locate_value(toml_path, entry), message)
            .with_hint(hint)
            .into()
    };
    let refuse = |problem: paths::PathProblem, what: String| -> Failure {
        let (message, hint) = problem.describe(&what);
        located(message, hint)
    };
    if !allow_outside && paths::leaves_folder(entry) {
        return Err(refuse(
            paths::PathProblem::Outside,
            format!("chapter file `{entry}`"),
        ));
    }
    if entry.contains(['*', '?', '[']) {
        // Globbed from the resolved folder, so that `build .`, `build
        // ./book` and `build book.toml` give the same relative names.
        let base =
            std::fs::canonicalize(dir).map_err(|e| Failure::io(dir, "open the book folder", &e))?;
        let pattern = if Path::new(entry).is_absolute() {
            entry.to_string()
        } else {
            format!("{}/{entry}", glob::Pattern::escape(&base.to_string_lossy()))
        };
        let paths = glob::glob(&pattern).map_err(|e| {
            located(
                format!("bad file pattern `{entry}`: {e}"),
                "use `*` and `?` as in a shell",
            )
        })?;
        let mut found: Vec<String> = Vec::new();
        for path in paths.filter_map(Result::ok) {
            if path.is_dir() {
                continue;
            }
            let rel = match path.strip_prefix(&base) {
                Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
                Err(_) => path.to_string_lossy().into_owned(),
            };
            if let Err(problem) = paths::resolve_input(&base, &rel, allow_outside) {
                return Err(refuse(problem, format!("`{rel}`, matched by `{entry}`,")));
            }
            found.push(rel);
        }
        found.sort_by(|a, b| paths::natural_cmp(a, b));
        if found.is_empty() {
            return Err(located(
                format!("no file matches `{entry}`"),
                "check the pattern against the files in the book directory",
            ));
        }
        Ok(found)
    } else {
        match paths::resolve_input(dir, entry, allow_outside) {
            Ok(_) => Ok(vec![entry.to_string()]),
            Err(paths::PathProblem::Missing) => Err(located(
                format!("chapter file `{entry}` does not exist"),
                "check the name, or remove the entry from [contents] chapters",
            )),
            Err(problem) => Err(refuse(problem, format!("chapter file `{entry}`"))),
        }
    }
}

/// Notes every `.txt` or `.md` file in the book folder (and its folders,
/// a few levels down) that [contents] leaves out: often a chapter that was
/// forgotten.
fn note_left_out(dir: &Path, included: &[PathBuf], diagnostics: &mut Vec<Diagnostic>) {
    const MAX_DEPTH: usize = 4;
    const MAX_ENTRIES: usize = 10_000;
    let mut pending = vec![(dir.to_path_buf(), 0usize)];
    let mut seen_entries = 0;
    let mut left_out = Vec::new();
    while let Some((folder, depth)) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            seen_entries += 1;
            if seen_entries > MAX_ENTRIES {
                break;
            }
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            if kind.is_dir() {
                if depth + 1 < MAX_DEPTH {
                    pending.push((path, depth + 1));
                }
                continue;
            }
            let source_like = Path::new(&name)
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| {
                    matches!(e.to_ascii_lowercase().as_str(), "txt" | "md" | "markdown")
                });
            if !kind.is_file() || !source_like {
                continue;
            }
            let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if !included.contains(&canonical) {
                left_out.push(path);
            }
        }
    }
    left_out.sort_by(|a, b| paths::natural_cmp(&a.to_string_lossy(), &b.to_string_lossy()));
    for path in left_out {
        diagnostics.push(
            Diagnostic::info(
                Location::file(&path),
                "this file is in the book folder but not in [contents] chapters, so it is not in the book",
            )
            .with_hint("add it to `chapters` in book.toml if it belongs to the book"),
        );
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
    if file
        .text
        .chars()
        .all(|c| c.is_whitespace() || c.is_control())
    {
        return Err(Diagnostic::error(
            Location::file(path),
            "the file has no text, only control characters",
        )
        .with_hint("the file may be damaged; take the text from its original")
        .into());
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
