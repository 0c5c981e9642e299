//! `book.toml`: the book's metadata, contents and style choices.
//!
//! Parsed with serde; unknown keys are errors that name the key, the line
//! and the nearest valid key, because a misspelt key silently ignored is a
//! setting the user believes in and never gets.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::{Diagnostic, Failure, Location};

/// The file name of a book's configuration.
pub const BOOK_FILE: &str = "book.toml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BookConfig {
    #[serde(default)]
    pub book: BookMeta,
    #[serde(default)]
    pub contents: Contents,
    #[serde(default)]
    pub style: StyleConfig,
    #[serde(default)]
    pub fonts: FontsConfig,
    #[serde(default)]
    pub normalize: NormalizeConfig,
    #[serde(default)]
    pub pdf: PdfConfig,
    #[serde(default)]
    pub structure: StructureConfig,
    #[serde(default)]
    pub output: OutputConfig,
    #[serde(default)]
    pub ofd: OfdConfig,
}

/// `[output]`: which files a build writes when `--format` is not given.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OutputConfig {
    /// The formats, in the order to write them (default: EPUB and PDF).
    pub formats: Option<Vec<OutputFormat>>,
}

/// A file format inkstone writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutputFormat {
    Epub,
    Pdf,
    Ofd,
}

impl OutputFormat {
    /// The name as written in book.toml and on the command line, which is
    /// also the file extension.
    pub fn as_str(self) -> &'static str {
        match self {
            OutputFormat::Epub => "epub",
            OutputFormat::Pdf => "pdf",
            OutputFormat::Ofd => "ofd",
        }
    }
}

/// `[ofd]`: choices for the OFD only.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OfdConfig {
    /// `plain` (GB/T 33190) or `a` (OFD/A, GB/T 42133); default: `a` for
    /// an edition of an archival series, else `plain`.
    pub profile: Option<OfdProfileName>,
}

/// The OFD profiles as book.toml names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OfdProfileName {
    Plain,
    A,
}

/// `[pdf]`: choices for the PDF only.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PdfConfig {
    /// PDF/A and PDF/UA: `a-2b`, `a-2u`, `a-3u`, `ua-1` or a combination
    /// such as `a-2u,ua-1`.
    pub standard: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BookMeta {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    pub publisher: Option<String>,
    pub language: Option<String>,
    /// An ISBN or a UUID; derived from title and edition when absent.
    pub identifier: Option<String>,
    pub date: Option<String>,
    pub edition: Option<String>,
    pub year: Option<i32>,
    pub description: Option<String>,
    pub rights: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub cover: Option<String>,
    /// Base name of the output files (`<slug>.epub`, `<slug>.pdf`).
    pub slug: Option<String>,
    /// Lets chapters, images, the cover, styles and fonts come from outside
    /// the book folder; off by default.
    #[serde(default)]
    pub allow_outside: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Contents {
    /// Chapter files in order: paths, globs, or tables with options.
    #[serde(default)]
    pub chapters: Vec<ChapterEntry>,
}

#[derive(Debug, Clone)]
pub enum ChapterEntry {
    /// A path or a glob (`chapters/*.txt`, expanded in name order).
    Path(String),
    Options(ChapterOptions),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ChapterOptions {
    pub file: String,
    /// `text` or `markdown`; by default from the file extension.
    pub format: Option<InputFormat>,
    /// An encoding label (`gbk`, `gb18030`, `utf-16le`, ...); detected when
    /// absent.
    pub encoding: Option<String>,
    /// Overrides `[structure] headings` for this file.
    pub headings: Option<HeadingMode>,
    /// Overrides `[structure] verse` for this file.
    pub verse: Option<VerseMode>,
}

/// How plain text is divided into headings, verse and paragraphs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct StructureConfig {
    pub headings: HeadingMode,
    pub verse: VerseMode,
}

/// Which lines of plain text may become headings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeadingMode {
    /// Numbered lines and short lines an editor would read as headings.
    #[default]
    Auto,
    /// Only numbered lines (第一章, 第八十一回, 卷一, 一、, 1. ...).
    Numbered,
    /// Only lines starting with `#`.
    Marked,
    /// No headings below the title.
    None,
}

/// Whether runs of short parallel lines become verse.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerseMode {
    #[default]
    Auto,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputFormat {
    #[serde(alias = "txt", alias = "plain")]
    Text,
    #[serde(alias = "md")]
    Markdown,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct StyleConfig {
    /// EPUB stylesheets in order; built-in names or paths.
    #[serde(default = "default_epub_styles")]
    pub epub: Vec<String>,
    /// PDF page style; a built-in name or a path to a TOML file.
    pub pdf: Option<String>,
    #[serde(default = "default_toc_depth")]
    pub toc_depth: u8,
    #[serde(default)]
    pub vertical: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FontsConfig {
    #[serde(default)]
    pub body: Vec<String>,
    #[serde(default)]
    pub heading: Vec<String>,
    /// Extra font files or folders.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Installed fonts may supply faces and characters.
    #[serde(default)]
    pub system: bool,
}

/// Punctuation normalizations; all on by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct NormalizeConfig {
    /// `,` `;` `:` `?` `!` `(` `)` next to Chinese text become full-width.
    pub fullwidth_punctuation: bool,
    /// Straight quotes become balanced curly quotes.
    pub curly_quotes: bool,
    /// `...`, `。。。` and a lone `…` become `……`.
    pub ellipsis: bool,
    /// `--` and a lone `—` between Chinese characters become `——`.
    pub dash: bool,
    /// `．` or `.` used as a full stop after Chinese text becomes `。`.
    pub full_stop: bool,
    /// Spaces between Chinese characters left by joining wrapped lines are
    /// dropped (a single deliberate space inside a line is kept).
    pub cjk_spaces: bool,
    /// `•` or `・` between Chinese names becomes the 间隔号 `·`.
    pub middle_dot: bool,
    /// Book-title marks around a whole title line (`《史记》`) go.
    pub title_marks: bool,
}

impl Default for NormalizeConfig {
    fn default() -> Self {
        NormalizeConfig {
            fullwidth_punctuation: true,
            curly_quotes: true,
            ellipsis: true,
            dash: true,
            full_stop: true,
            cjk_spaces: true,
            middle_dot: true,
            title_marks: true,
        }
    }
}

impl Default for StyleConfig {
    fn default() -> Self {
        StyleConfig {
            epub: default_epub_styles(),
            pdf: None,
            toc_depth: default_toc_depth(),
            vertical: false,
        }
    }
}

fn default_epub_styles() -> Vec<String> {
    vec!["default".to_string()]
}

fn default_toc_depth() -> u8 {
    3
}

/// A chapter entry is a string or a table; written by hand so that a bad
/// table names its key instead of "did not match any variant".
impl<'de> Deserialize<'de> for ChapterEntry {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ChapterEntry;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a file name, or a table such as { file = \"a.txt\", encoding = \"gbk\" }",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ChapterEntry, E> {
                Ok(ChapterEntry::Path(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<ChapterEntry, A::Error> {
                ChapterOptions::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(ChapterEntry::Options)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl ChapterEntry {
    pub fn file(&self) -> &str {
        match self {
            ChapterEntry::Path(p) => p,
            ChapterEntry::Options(o) => &o.file,
        }
    }
}

impl BookConfig {
    /// Reads and parses `book.toml` at `path`.
    pub fn read(path: &Path) -> Result<BookConfig, Failure> {
        let text = read_utf8(path)?;
        BookConfig::parse(&text, path)
    }

    /// Parses the text of a `book.toml`; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<BookConfig, Failure> {
        let config: BookConfig = toml::from_str(text).map_err(|e| toml_failure(text, path, &e))?;
        config.check(text, path)?;
        Ok(config)
    }

    fn check(&self, text: &str, path: &Path) -> Result<(), Failure> {
        if self.style.toc_depth == 0 || self.style.toc_depth > 6 {
            let location = key_location(text, path, "toc-depth");
            return Err(Diagnostic::error(
                location,
                format!(
                    "toc-depth must be between 1 and 6, not {}",
                    self.style.toc_depth
                ),
            )
            .with_hint("1 lists chapter titles only, 2 adds their sections, and so on")
            .into());
        }
        if let Some(slug) = &self.book.slug {
            if let Some(problem) = crate::paths::slug_problem(slug) {
                return Err(Diagnostic::error(
                    key_location(text, path, "slug"),
                    format!("`{slug}` cannot be a slug: {problem}"),
                )
                .with_hint("a slug is one file name, such as `qingchuan-2025`; the output folder is set with -o")
                .into());
            }
        }
        if let Some(language) = &self.book.language {
            if !is_language_tag(language) {
                return Err(Diagnostic::error(
                    key_location(text, path, "language"),
                    format!("`{language}` is not a language tag"),
                )
                .with_hint(
                    "write a tag such as `zh-CN`, `zh-Hans`, `zh-TW` or `en` (with `-`, not `_`)",
                )
                .into());
            }
        }
        for entry in &self.contents.chapters {
            if let ChapterEntry::Options(ChapterOptions {
                encoding: Some(label),
                ..
            }) = entry
            {
                if encoding_rs::Encoding::for_label(label.as_bytes()).is_none() {
                    // The label itself: chapter options are often inline tables.
                    let location = match text.find(&format!("\"{label}\"")) {
                        Some(offset) => {
                            let (line, column) = line_column(text, offset);
                            Location::new(path, line, column)
                        }
                        None => key_location(text, path, "encoding"),
                    };
                    return Err(
                        Diagnostic::error(location, format!("unknown encoding `{label}`"))
                            .with_hint(
                                "use a label such as `utf-8`, `gbk`, `gb18030`, `utf-16le`, `big5`",
                            )
                            .into(),
                    );
                }
            }
        }
        Ok(())
    }
}

/// Reads a TOML file that must be UTF-8; other encodings (UTF-16 from
/// Notepad, GBK) are refused at the first byte that is not UTF-8, with how
/// to fix it.
pub fn read_utf8(path: &Path) -> Result<String, Failure> {
    let bytes =
        std::fs::read(path).map_err(|e| Failure::io(path, "read the book configuration", &e))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(err) => {
            let bytes = err.as_bytes();
            let good = err.utf8_error().valid_up_to();
            let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
            let (location, message) = if utf16 {
                (
                    Location::file(path),
                    "is saved as UTF-16, not UTF-8".to_string(),
                )
            } else {
                // `good` is a char boundary, so the prefix is valid text.
                let before = std::str::from_utf8(&bytes[..good]).unwrap_or_default();
                let (line, column) = line_column(before, before.len());
                (
                    Location::new(path, line, column),
                    format!("is not UTF-8: byte 0x{:02X} cannot start a character here (GBK or another encoding?)", bytes[good]),
                )
            };
            Err(Diagnostic::error(location, format!("{} {message}", BOOK_FILE))
                .with_hint("book.toml must be UTF-8: save it again as UTF-8 (in Notepad: Save As, Encoding: UTF-8)")
                .into())
        }
    }
}

/// The location of the first `key =` in `text`, for messages about values
/// that parsed but make no sense.
fn key_location(text: &str, path: &Path, key: &str) -> Location {
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with(key) && trimmed[key.len()..].trim_start().starts_with('=') {
            let column = line.chars().count() - trimmed.chars().count() + 1;
            return Location::new(path, index as u32 + 1, column as u32);
        }
    }
    Location::file(path)
}

/// Turns a TOML or schema error into a located diagnostic, suggesting the
/// nearest valid key for an unknown one.
fn toml_failure(text: &str, path: &Path, err: &toml::de::Error) -> Failure {
    let (line, column) = match err.span() {
        Some(span) => line_column(text, span.start),
        None => (0, 0),
    };
    let message = err.message().trim().to_string();
    let mut diagnostic = Diagnostic::error(Location::new(path, line, column), message.clone());
    if let Some((unknown, expected)) = parse_unknown_field(&message) {
        diagnostic.message = format!("unknown key `{unknown}`");
        let nearest = expected
            .iter()
            .map(|candidate| (strsim::levenshtein(&unknown, candidate), candidate))
            .min();
        diagnostic.hint = Some(match nearest {
            Some((distance, candidate)) if distance <= 3 => format!("did you mean `{candidate}`?"),
            _ => format!(
                "valid keys here are {}",
                expected
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    } else if message.contains("untagged enum ChapterEntry") {
        diagnostic.message =
            "a chapter must be a file name in quotes, or a table with `file = \"…\"`".into();
        diagnostic.hint = Some(
            "write `\"01.txt\"`, or `{ file = \"01.txt\", encoding = \"gbk\", format = \"text\" }`"
                .into(),
        );
    } else if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        diagnostic.message = format!("`{field}` is missing here");
        diagnostic.hint = Some(format!("add `{field} = …`; see book.toml in the README"));
    } else if let Some((message, hint)) = err
        .span()
        .and_then(|span| human_type_error(text, span.start, &message))
    {
        diagnostic.message = message;
        diagnostic.hint = Some(hint);
    }
    Failure::new(diagnostic)
}

/// Serde's "invalid type: string \"x\", expected u8" said in words: which
/// key (and table) wants what kind of value, and how to write it.
fn human_type_error(text: &str, offset: usize, message: &str) -> Option<(String, String)> {
    let rest = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))?;
    let (found, expected) = rest.rsplit_once(", expected ")?;
    let before = &text[..floor_char_boundary(text, offset)];
    let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    let key = line[..line.rfind('=')?]
        .trim()
        .rsplit([' ', '{', ',', '.'])
        .next()?
        .trim_matches('"');
    if key.is_empty() {
        return None;
    }
    let table = before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|t| format!(" under {t}"))
        .unwrap_or_default();
    let (wanted, example) = match expected {
        "u8" => ("a whole number from 0 to 255", format!("{key} = 2")),
        "u16" => ("a whole number from 0 to 65535", format!("{key} = 2")),
        "u32" | "u64" | "usize" => ("a whole number, 0 or more", format!("{key} = 2")),
        "i8" | "i16" | "i32" | "i64" => ("a whole number", format!("{key} = 2025")),
        "f32" | "f64" => ("a number", format!("{key} = 10.5")),
        "a boolean" => ("true or false", format!("{key} = true")),
        "a string" | "a borrowed string" => ("text in quotes", format!("{key} = \"…\"")),
        "a sequence" => ("a list in brackets", format!("{key} = [\"…\", \"…\"]")),
        e if e.starts_with("struct ") || e == "a map" => {
            ("a table", format!("[{key}] on a line of its own"))
        }
        _ => return None,
    };
    let found = match found.split_once(' ') {
        Some(("string", value)) => format!("the text {value}"),
        Some(("integer" | "boolean", value)) => value.trim_matches('`').to_string(),
        Some(("floating", value)) => value
            .trim_start_matches("point ")
            .trim_matches('`')
            .to_string(),
        _ => match found {
            "sequence" => "a list".to_string(),
            "map" => "a table".to_string(),
            other => other.to_string(),
        },
    };
    Some((
        format!("`{key}`{table} must be {wanted}, not {found}"),
        format!("write it as `{example}`"),
    ))
}

/// Splits serde's "unknown field `x`, expected one of `a`, `b`" (or
/// "expected `a`") into the field and the candidates.
fn parse_unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let end = rest.find('`')?;
    let unknown = rest[..end].to_string();
    let expected = rest[end..]
        .split('`')
        .skip(2)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some((unknown, expected))
}

/// Where the string value `value` is written in the TOML file at
/// `toml_path`: its first occurrence in quotes, else the whole file.
pub fn locate_value(toml_path: &Path, value: &str) -> Location {
    let text = std::fs::read_to_string(toml_path).unwrap_or_default();
    match text.find(&format!("\"{value}\"")) {
        Some(offset) => {
            let (line, column) = line_column(&text, offset);
            Location::new(toml_path, line, column)
        }
        None => Location::file(toml_path),
    }
}

/// 1-based line and column (in characters) of byte offset `offset`.
pub fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line as u32, column as u32)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Where a book lives: its directory and configuration, or a single file.
#[derive(Debug, Clone)]
pub enum Input {
    /// A directory with a `book.toml`.
    Book {
        dir: PathBuf,
        config: Box<BookConfig>,
    },
    /// One `.txt` or `.md` file; metadata comes from its text.
    File { path: PathBuf },
}

impl Input {
    /// Decides what `path` is and reads its configuration.
    pub fn open(path: &Path) -> Result<Input, Failure> {
        let meta = std::fs::metadata(path).map_err(|e| Failure::io(path, "open the input", &e))?;
        if meta.is_dir() {
            let toml = path.join(BOOK_FILE);
            if !toml.is_file() {
                return Err(Diagnostic::error(
                    Location::file(path),
                    format!("no {BOOK_FILE} in this directory"),
                )
                .with_hint(
                    "run `inkstone init DIR` to start a book, or give a single .txt or .md file",
                )
                .into());
            }
            let config = BookConfig::read(&toml)?;
            Ok(Input::Book {
                dir: path.to_path_buf(),
                config: Box::new(config),
            })
        } else if path.file_name().is_some_and(|n| n == BOOK_FILE) {
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            Input::open(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                &dir
            })
        } else {
            Ok(Input::File {
                path: path.to_path_buf(),
            })
        }
    }
}

/// Whether `tag` is shaped as a BCP 47 language tag (what EPUB readers
/// and EPUBCheck require): subtags of 1 to 8 ASCII letters or digits
/// joined by `-`, the first of 2 to 8 letters (or `x` / `i`).
fn is_language_tag(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let first_ok = subtags.next().is_some_and(|first| {
        (2..=8).contains(&first.len()) && first.chars().all(|c| c.is_ascii_alphabetic())
            || first.eq_ignore_ascii_case("x")
            || first.eq_ignore_ascii_case("i")
    });
    first_ok
        && subtags.all(|sub| {
            (1..=8).contains(&sub.len()) && sub.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_line_and_nearest_key() {
        let text = "[book]\ntitle = \"书\"\nauthor = [\"甲\"]\n";
        let err = BookConfig::parse(text, Path::new("book.toml")).unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.starts_with("book.toml:3:1: error: unknown key `author`"),
            "{shown}"
        );
        assert!(shown.contains("did you mean `authors`?"), "{shown}");
    }

    #[test]
    fn a_value_of_the_wrong_kind_names_its_key_in_words() {
        let text = "[book]\ntitle = \"书\"\nyear = \"2025\"\n\n[style]\ntoc-depth = 300\n";
        let failure = BookConfig::parse(text, Path::new("book.toml")).unwrap_err();
        let d = &failure.diagnostics[0];
        assert_eq!(
            d.message,
            "`year` under [book] must be a whole number, not the text \"2025\""
        );
        assert_eq!(d.hint.as_deref(), Some("write it as `year = 2025`"));
        let text = "[book]\ntitle = \"书\"\n\n[style]\ntoc-depth = 300\n";
        let failure = BookConfig::parse(text, Path::new("book.toml")).unwrap_err();
        assert_eq!(
            failure.diagnostics[0].message,
            "`toc-depth` under [style] must be a whole number from 0 to 255, not 300"
        );
        let text = "[book]\nauthors = \"甲\"\n";
        let failure = BookConfig::parse(text, Path::new("book.toml")).unwrap_err();
        assert_eq!(
            failure.diagnostics[0].message,
            "`authors` under [book] must be a list in brackets, not the text \"甲\""
        );
    }

    #[test]
    fn a_chapter_entry_of_the_wrong_shape_is_said_in_words() {
        let text = "[contents]\nchapters = [{ encoding = \"gbk\" }]\n";
        let failure = BookConfig::parse(text, Path::new("book.toml")).unwrap_err();
        let d = &failure.diagnostics[0];
        assert!(d.message.starts_with("`file` is missing"), "{d}");
        assert_eq!(d.location.as_ref().map(|l| l.line), Some(2));
    }

    #[test]
    fn unknown_table_is_an_error() {
        let err =
            BookConfig::parse("[styles]\npdf = \"a5-book\"\n", Path::new("b.toml")).unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains("b.toml:1:"), "{shown}");
        assert!(shown.contains("did you mean `style`?"), "{shown}");
    }

    #[test]
    fn chapters_accept_paths_and_tables() {
        let text = "[contents]\nchapters = [\"a.txt\", { file = \"b.txt\", encoding = \"gbk\", format = \"markdown\" }]\n";
        let config = BookConfig::parse(text, Path::new("book.toml")).unwrap();
        assert_eq!(config.contents.chapters.len(), 2);
        assert_eq!(config.contents.chapters[1].file(), "b.txt");
    }

    #[test]
    fn structure_settings_and_per_file_overrides() {
        let text = "[structure]\nheadings = \"marked\"\n[contents]\nchapters = [{ file = \"a.txt\", verse = \"none\" }]\n";
        let config = BookConfig::parse(text, Path::new("book.toml")).unwrap();
        assert_eq!(config.structure.headings, HeadingMode::Marked);
        assert_eq!(config.structure.verse, VerseMode::Auto);
        let ChapterEntry::Options(options) = &config.contents.chapters[0] else {
            panic!("options");
        };
        assert_eq!(options.verse, Some(VerseMode::None));
        let err = BookConfig::parse(
            "[structure]\nheadings = \"sometimes\"\n",
            Path::new("b.toml"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("b.toml:2:"), "{err}");
    }

    #[test]
    fn output_formats_and_ofd_profile() {
        let text = "[output]\nformats = [\"ofd\", \"pdf\"]\n[ofd]\nprofile = \"a\"\n";
        let config = BookConfig::parse(text, Path::new("book.toml")).unwrap();
        assert_eq!(
            config.output.formats,
            Some(vec![OutputFormat::Ofd, OutputFormat::Pdf])
        );
        assert_eq!(config.ofd.profile, Some(OfdProfileName::A));
        let err = BookConfig::parse(
            "[book]\ntitle = \"书\"\n[output]\nformats = [\"epub\", \"docx\"]\n",
            Path::new("book.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("book.toml:4:"), "{err}");
        assert!(err.contains("`docx`"), "{err}");
        assert!(err.contains("`epub`, `pdf`, `ofd`"), "{err}");
    }

    #[test]
    fn bad_encoding_label_is_located() {
        let text = "[contents]\nchapters = [{ file = \"b.txt\", encoding = \"klingon\" }]\n";
        let err = BookConfig::parse(text, Path::new("book.toml")).unwrap_err();
        assert!(
            err.to_string().contains("unknown encoding `klingon`"),
            "{err}"
        );
    }

    #[test]
    fn bad_chapter_table_names_the_key() {
        let text = "[contents]\nchapters = [\"a.txt\", { fiel = \"b.txt\" }]\n";
        let err = BookConfig::parse(text, Path::new("book.toml")).unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains("unknown key `fiel`"), "{shown}");
        assert!(shown.contains("did you mean `file`?"), "{shown}");
        assert!(shown.starts_with("book.toml:2:"), "{shown}");
        let err =
            BookConfig::parse("[contents]\nchapters = [3]\n", Path::new("book.toml")).unwrap_err();
        assert!(err.to_string().contains("a file name, or a table"), "{err}");
    }

    #[test]
    fn slug_is_one_file_name() {
        for slug in [
            "../escaped",
            "../../x/pwned",
            "/tmp/abs",
            "a/b/c",
            "",
            ".",
            "..",
            "a?b",
        ] {
            let text = format!("[book]\ntitle = \"书\"\nslug = \"{slug}\"\n");
            let err = BookConfig::parse(&text, Path::new("book.toml")).unwrap_err();
            let shown = err.to_string();
            assert!(
                shown.starts_with("book.toml:3:1: error:"),
                "{slug}: {shown}"
            );
            assert!(shown.contains("cannot be a slug"), "{shown}");
        }
    }
}
