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
//! 3. Render: the EPUB and PDF renderers read only the model.
//!
//! Diagnostics are collected, not printed: each stage appends
//! [`diag::Diagnostic`]s and returns a [`diag::Failure`] when it cannot go
//! on.

#![forbid(unsafe_code)]

pub mod config;
pub mod diag;
pub mod epub;
pub mod fonts;
pub mod manifest;
pub mod model;
pub mod normalize;
pub mod ofd;
pub mod output;
pub mod pdf;
pub mod series;
pub mod source;
pub mod standard;

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
            let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
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
