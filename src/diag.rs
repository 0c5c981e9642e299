//! Diagnostics: what went wrong or was changed, and where.
//!
//! Every stage collects [`Diagnostic`]s instead of printing. The CLI
//! prints them with [`Diagnostic::render`]: the message, the source line
//! with a caret under the column, and the hint; `Display` gives the same in
//! one line, `file:line:col: severity: message (hint: ...)`.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// A normalization that was applied; listed by `inkstone check` and
    /// with `--verbose`.
    Note,
    /// Something the user should know that is not a problem, such as the
    /// encoding a file was read in; shown unless `--quiet`.
    Info,
    Warning,
    Error,
}

/// A position in a file: 1-based line and column (in characters).
/// `line == 0` means the whole file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub location: Option<Location>,
    pub message: String,
    pub hint: Option<String>,
}

impl Location {
    pub fn new(file: impl Into<PathBuf>, line: u32, column: u32) -> Self {
        Location {
            file: file.into(),
            line,
            column,
        }
    }

    pub fn file(file: impl Into<PathBuf>) -> Self {
        Location::new(file, 0, 0)
    }
}

impl Diagnostic {
    pub fn new(severity: Severity, location: Option<Location>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            location,
            message: message.into(),
            hint: None,
        }
    }

    pub fn error(location: Location, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Error, Some(location), message)
    }

    pub fn warning(location: Location, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Warning, Some(location), message)
    }

    pub fn note(location: Location, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Note, Some(location), message)
    }

    pub fn info(location: Location, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Info, Some(location), message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Note | Severity::Info => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", escape_controls(&self.file.display().to_string()))?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        Ok(())
    }
}

/// One line: `file:line:col: error: message (hint: ...)`.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        write!(
            f,
            "{}: {}",
            self.severity,
            show_private_use(&escape_controls(&self.message))
        )?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {})", show_private_use(&escape_controls(hint)))?;
        }
        Ok(())
    }
}

/// Control characters from the user's text or file names, shown as
/// `\u{1b}` so that they cannot move the cursor, clear the terminal or
/// forge a line of output.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A failure that stops the run: one or more error diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub diagnostics: Vec<Diagnostic>,
}

impl Failure {
    pub fn new(diagnostic: Diagnostic) -> Self {
        Failure {
            diagnostics: vec![diagnostic],
        }
    }

    /// An I/O error on `path`, said the way a user reads it.
    pub fn io(path: &Path, action: &str, err: &std::io::Error) -> Self {
        let message = match err.kind() {
            std::io::ErrorKind::NotFound => format!("cannot {action}: no such file or directory"),
            std::io::ErrorKind::PermissionDenied => format!("cannot {action}: permission denied"),
            _ if crate::paths::is_link_loop(err) => {
                let message =
                    format!("cannot {action}: it is a symbolic link that leads in a loop");
                return Failure::new(Diagnostic::error(Location::file(path), message).with_hint(
                    "point the link at a real file or folder (`ls -l` shows where it leads)",
                ));
            }
            _ => format!("cannot {action}: {err}"),
        };
        Failure::new(Diagnostic::error(Location::file(path), message))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}

impl From<Diagnostic> for Failure {
    fn from(d: Diagnostic) -> Self {
        Failure::new(d)
    }
}

/// Whether `c` is a private-use code point: it has no standard meaning,
/// and only a font made for it has a glyph, so it is shown as `U+E7B1`.
pub fn is_private_use(c: char) -> bool {
    matches!(c as u32, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD)
}

/// `text` with private-use characters written as `U+E7B1`, so that no
/// invisible glyph stands in a message. A character already followed by
/// its code point in the form `“c” (U+E7B1)` is written once.
pub fn show_private_use(text: &str) -> String {
    if !text.chars().any(is_private_use) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if is_private_use(c) {
            let code = format!("U+{:04X}", c as u32);
            out.push_str(&code);
            rest = &rest[c.len_utf8()..];
            // “c” (U+XXXX): the quotes and the repeated code point go.
            let repeated = format!("” ({code})");
            if out.ends_with(&format!("“{code}")) && rest.starts_with(&repeated) {
                out.truncate(out.len() - code.len() - '“'.len_utf8());
                out.push_str(&code);
                rest = &rest[repeated.len()..];
            }
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The hint shown under a diagnostic whose message or source line holds
/// private-use characters.
fn private_use_hint(text: &str) -> Option<String> {
    let codes: Vec<String> = text
        .chars()
        .filter(|&c| is_private_use(c))
        .map(|c| format!("U+{:04X}", c as u32))
        .fold(Vec::new(), |mut seen, code| {
            if !seen.contains(&code) {
                seen.push(code);
            }
            seen
        });
    if codes.is_empty() {
        return None;
    }
    Some(format!(
        "{} {} private-use code point{}: {} no standard meaning, and only a special font made for {} has a glyph; replace {} with the character meant, or add that font under [fonts] paths",
        codes.join(", "),
        if codes.len() == 1 { "is a" } else { "are" },
        if codes.len() == 1 { "" } else { "s" },
        if codes.len() == 1 { "it has" } else { "they have" },
        if codes.len() == 1 { "it" } else { "them" },
        if codes.len() == 1 { "it" } else { "them" },
    ))
}

/// The text of source files for excerpts, each read once, decoded the way
/// the loader decodes chapters, so that lines and columns match.
#[derive(Debug, Default)]
pub struct Sources {
    files: std::collections::HashMap<PathBuf, Option<String>>,
}

impl Sources {
    /// Registers text already read (and decoded) for `path`.
    pub fn insert(&mut self, path: impl Into<PathBuf>, text: String) {
        self.files.insert(path.into(), Some(text));
    }

    /// Line `line` (1-based) of `path`, without its newline.
    fn line(&mut self, path: &Path, line: u32) -> Option<String> {
        let text = self.files.entry(path.to_path_buf()).or_insert_with(|| {
            let bytes = std::fs::read(path).ok()?;
            // A file that does not decode is shown as far as it does.
            Some(
                crate::source::decode_source(path, &bytes, None, &mut Vec::new())
                    .map(|file| file.text)
                    .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).replace("\r\n", "\n")),
            )
        });
        let line = text
            .as_deref()?
            .split('\n')
            .nth(line.checked_sub(1)? as usize)?;
        Some(line.trim_end_matches('\r').to_string())
    }
}

impl Diagnostic {
    /// The diagnostic as typst and rustc print them: a header with the
    /// severity and message, the source line with a caret under the
    /// column, and the hint. `styled` adds terminal colours.
    pub fn render(&self, sources: &mut Sources, styled: bool) -> String {
        use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Note | Severity::Info => Level::NOTE,
        };
        let message = show_private_use(&self.message);
        let title = level.primary_title(message);
        let excerpt = self.location.as_ref().and_then(|location| {
            let text = sources.line(&location.file, location.line)?;
            Some((location, text))
        });
        let mut private = self.message.clone();
        let mut group = match (&excerpt, &self.location) {
            (Some((location, text)), _) => {
                private.push_str(text);
                let (shown, span) = excerpt_span(text, location.column);
                title.element(
                    Snippet::source(shown)
                        .line_start(location.line as usize)
                        .path(location.file.display().to_string())
                        .annotation(AnnotationKind::Primary.span(span)),
                )
            }
            (None, Some(location)) => {
                let mut origin = Origin::path(location.file.display().to_string());
                if location.line > 0 {
                    origin = origin.line(location.line as usize);
                    if location.column > 0 {
                        origin = origin.char_column(location.column as usize);
                    }
                }
                title.element(origin)
            }
            (None, None) => Group::with_title(title),
        };
        if let Some(hint) = &self.hint {
            group = group.element(Level::HELP.message(show_private_use(hint)));
        }
        if let Some(hint) = private_use_hint(&private) {
            group = group.element(Level::NOTE.message(hint));
        }
        let renderer = if styled {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&[group])
    }
}

/// The source line as shown (private-use characters as `U+E7B1`) and the
/// byte range of the character at `column` (1-based, in characters) in
/// it; column 0 marks the whole line, a column past the end its end.
fn excerpt_span(line: &str, column: u32) -> (String, std::ops::Range<usize>) {
    let mut shown = String::with_capacity(line.len());
    let mut span = None;
    for (index, c) in line.chars().enumerate() {
        let start = shown.len();
        if is_private_use(c) {
            shown.push_str(&format!("U+{:04X}", c as u32));
        } else {
            shown.push(c);
        }
        if index + 1 == column as usize {
            span = Some(start..shown.len());
        }
    }
    let span = match span {
        Some(span) => span,
        None if column == 0 => {
            let start = shown.len() - shown.trim_start().len();
            start..shown.trim_end().len().max(start)
        }
        None => shown.len()..shown.len(),
    };
    (shown, span)
}

/// The diagnostic with its hint said for a single file built without a
/// `book.toml`: the command-line flags instead of book.toml keys the user
/// does not have.
pub fn for_single_file(mut diagnostic: Diagnostic) -> Diagnostic {
    let Some(hint) = diagnostic.hint.take() else {
        return diagnostic;
    };
    let hint = if hint.contains("set `encoding` for this chapter in book.toml") {
        hint.replace(
            "set `encoding` for this chapter in book.toml",
            "give its encoding with --encoding (such as --encoding gbk)",
        )
    } else if hint.contains("for this chapter in book.toml") && hint.contains("format") {
        "use .txt or .md, or choose with --input-format text or --input-format markdown".to_string()
    } else if hint.contains("set the title") || hint.contains("`title`") {
        format!("{hint} (for a single file: --title, --subtitle, --author)")
    } else {
        hint.replace(
            " in book.toml",
            " in a book.toml beside the file (or one named with --config)",
        )
    };
    diagnostic.hint = Some(hint);
    diagnostic
}

/// `diagnostics` without repeats: the same severity, place and message
/// are reported once, at the first occurrence.
pub fn deduplicate(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = std::collections::HashSet::new();
    diagnostics
        .into_iter()
        .filter(|d| seen.insert((d.severity, d.location.clone(), d.message.clone())))
        .collect()
}

/// The rule a diagnostic reports, for the summary of `inkstone check`:
/// its message up to the first colon or parenthesis, with each quoted
/// detail (in backticks or “”) written as `…`, so that messages about
/// different things under one rule are counted together.
pub fn rule_of(diagnostic: &Diagnostic) -> String {
    let message = diagnostic.message.as_str();
    let end = [": ", " ("]
        .iter()
        .filter_map(|cut| message.find(cut))
        .min()
        .unwrap_or(message.len());
    let mut rule = String::with_capacity(end);
    let mut closing = None;
    for c in message[..end].chars() {
        match (closing, c) {
            (Some(close), c) if c == close => {
                rule.push(c);
                closing = None;
            }
            (Some(_), _) => {}
            (None, '`' | '“') => {
                rule.push(c);
                rule.push('…');
                closing = Some(if c == '`' { '`' } else { '”' });
            }
            (None, c) => rule.push(c),
        }
    }
    rule.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_problem_is_kept_once_and_different_places_stay() {
        let at = |line| Location::new("a.txt", line, 1);
        let diagnostics = vec![
            Diagnostic::warning(at(1), "no font has the character"),
            Diagnostic::warning(at(2), "no font has the character"),
            Diagnostic::warning(at(1), "no font has the character"),
            Diagnostic::error(at(1), "no font has the character"),
        ];
        let kept = deduplicate(diagnostics.clone());
        assert_eq!(
            kept,
            vec![
                diagnostics[0].clone(),
                diagnostics[1].clone(),
                diagnostics[3].clone()
            ]
        );
    }

    #[test]
    fn private_use_characters_are_written_as_code_points() {
        assert_eq!(
            show_private_use("no font has the character “\u{E7B1}” (U+E7B1)"),
            "no font has the character U+E7B1"
        );
        assert_eq!(show_private_use("甲\u{F0000}乙"), "甲U+F0000乙");
        assert_eq!(
            show_private_use("“\u{4E00}” (U+4E00)"),
            "“\u{4E00}” (U+4E00)"
        );
    }

    #[test]
    fn the_caret_marks_the_column_in_the_line_as_shown() {
        let (shown, span) = excerpt_span("甲\u{E7B1}乙", 3);
        assert_eq!(shown, "甲U+E7B1乙");
        assert_eq!(&shown[span], "乙");
        let (shown, span) = excerpt_span("  正文  ", 0);
        assert_eq!(&shown[span], "正文");
        let (_, span) = excerpt_span("正文", 9);
        assert_eq!(span, 6..6);
    }

    #[test]
    fn hints_for_a_single_file_name_the_flags() {
        let d = Diagnostic::error(Location::new("a.txt", 2, 1), "not valid UTF-8").with_hint(
            "re-save the file as UTF-8, or set `encoding` for this chapter in book.toml",
        );
        assert_eq!(
            for_single_file(d).hint.as_deref(),
            Some("re-save the file as UTF-8, or give its encoding with --encoding (such as --encoding gbk)")
        );
        let d = Diagnostic::note(Location::new("a.txt", 2, 1), "dash written as ——")
            .with_hint("set `dash = false` under [normalize] in book.toml to keep the original");
        let hint = for_single_file(d).hint.unwrap_or_default();
        assert!(
            hint.contains("--config") && !hint.contains(" in book.toml"),
            "{hint}"
        );
    }

    #[test]
    fn rules_are_messages_without_their_details() {
        let d = Diagnostic::note(
            Location::new("a.txt", 1, 1),
            "ellipsis written as ……: “...” → “……”",
        );
        assert_eq!(rule_of(&d), "ellipsis written as ……");
        // Quoted details are left out, the rest of the rule is kept.
        let d = Diagnostic::warning(
            Location::new("a.txt", 1, 1),
            "the link target `#plan` is not a heading of the book",
        );
        assert_eq!(
            rule_of(&d),
            "the link target `…` is not a heading of the book"
        );
        let d = Diagnostic::warning(Location::new("a.txt", 1, 1), "`b.txt` is listed twice");
        assert_eq!(rule_of(&d), "`…` is listed twice");
    }
}
