//! Input paths: every file a book names (chapters, images, the cover,
//! stylesheets, page styles, fonts) must lie inside the book folder once
//! symbolic links are resolved, unless `[book] allow-outside = true`.
//! Inputs must be regular files: a FIFO or a device would block or never
//! end.

use std::cmp::Ordering;
use std::path::{Component, Path, PathBuf};

/// Why an input path cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathProblem {
    /// Nothing at that path.
    Missing,
    /// The path (after resolving links) leaves the book folder.
    Outside,
    /// A folder, FIFO, device or socket instead of a file.
    NotRegular,
    /// A symbolic link that leads back to itself (ELOOP).
    LinkLoop,
}

impl PathProblem {
    /// A message about `what` (`"chapter file `a.txt`"`) and a hint.
    pub fn describe(&self, what: &str) -> (String, &'static str) {
        match self {
            PathProblem::Missing => (
                format!("{what} does not exist"),
                "paths are relative to the book folder",
            ),
            PathProblem::Outside => (
                format!("{what} is outside the book folder"),
                "copy the file into the book folder, or set `allow-outside = true` under [book] in book.toml",
            ),
            PathProblem::LinkLoop => (
                format!("{what} is a symbolic link that leads in a loop"),
                "point the link at a real file (`ls -l` shows where it leads), or name the file itself",
            ),
            PathProblem::NotRegular => (
                format!("{what} is not a regular file"),
                "name an ordinary file; folders, pipes and devices cannot be read as a book's files",
            ),
        }
    }
}

/// Resolves `rel` (as written in book.toml or a chapter) against the book
/// folder `base` and checks that it is a regular file inside `base`.
/// Returns the path to read (`base` joined with `rel`).
pub fn resolve_input(base: &Path, rel: &str, allow_outside: bool) -> Result<PathBuf, PathProblem> {
    let path = base.join(rel);
    let meta = std::fs::metadata(&path).map_err(|e| missing_or_loop(&e))?;
    if !allow_outside && !is_inside(base, &path) {
        return Err(PathProblem::Outside);
    }
    if !meta.is_file() {
        return Err(PathProblem::NotRegular);
    }
    Ok(path)
}

/// Like [`resolve_input`] for a file or a folder (font paths).
pub fn resolve_input_any(
    base: &Path,
    rel: &str,
    allow_outside: bool,
) -> Result<PathBuf, PathProblem> {
    let path = base.join(rel);
    let meta = std::fs::metadata(&path).map_err(|e| missing_or_loop(&e))?;
    if !allow_outside && !is_inside(base, &path) {
        return Err(PathProblem::Outside);
    }
    if !meta.is_file() && !meta.is_dir() {
        return Err(PathProblem::NotRegular);
    }
    Ok(path)
}

/// True when `err` says a chain of symbolic links leads in a loop
/// (ELOOP: 40 on Linux, 62 on macOS and the BSDs).
pub fn is_link_loop(err: &std::io::Error) -> bool {
    let eloop = if cfg!(target_os = "linux") { 40 } else { 62 };
    cfg!(unix) && err.raw_os_error() == Some(eloop)
}

fn missing_or_loop(err: &std::io::Error) -> PathProblem {
    if is_link_loop(err) {
        PathProblem::LinkLoop
    } else {
        PathProblem::Missing
    }
}

/// True when `path`, with every symbolic link resolved, lies in `base`.
pub fn is_inside(base: &Path, path: &Path) -> bool {
    match (std::fs::canonicalize(base), std::fs::canonicalize(path)) {
        (Ok(base), Ok(path)) => path.starts_with(base),
        _ => false,
    }
}

/// True when `rel` could never name a file inside the folder it is
/// relative to: absolute, or climbing with `..`. Used for messages
/// before anything is read.
pub fn leaves_folder(rel: &str) -> bool {
    let path = Path::new(rel);
    path.is_absolute()
        || rel.starts_with('/')
        || rel.starts_with('\\')
        || path.components().any(|c| {
            matches!(
                c,
                Component::ParentDir | Component::RootDir | Component::Prefix(_)
            )
        })
}

/// Natural order of file names: runs of digits compare by value, so
/// `2.txt` comes before `10.txt`; otherwise by character.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.len() - a.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let db = b.len() - b.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let (na, nb) = (&a[..da], &b[..db]);
                let (ta, tb) = (na.trim_start_matches('0'), nb.trim_start_matches('0'));
                let order = ta
                    .len()
                    .cmp(&tb.len())
                    .then_with(|| ta.cmp(tb))
                    .then_with(|| na.len().cmp(&nb.len()));
                if order != Ordering::Equal {
                    return order;
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                a = &a[x.len_utf8()..];
                b = &b[y.len_utf8()..];
            }
        }
    }
}

/// A file name made from `text` (a title, a file stem): characters that
/// file systems reserve (`/ \ : * ? " < > |`) and control characters are
/// left out, leading dots and spaces trimmed, at most 80 characters.
pub fn file_name_from(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| !c.is_control() && !"/\\:*?\"<>|".contains(*c))
        .take(80)
        .collect();
    kept.trim_matches(|c: char| c == '.' || c.is_whitespace())
        .to_string()
}

/// Why `slug` cannot be a file name, if it cannot.
/// The longest slug, in bytes: with the partial file's name built from
/// it (`.<slug>.epub.inkstone-partial`) it stays within the 255 bytes a
/// file name may have.
pub const MAX_SLUG_BYTES: usize = 200;

/// `name` cut to at most [`MAX_SLUG_BYTES`] bytes, at a character, for an
/// output name taken from a title or a file name.
pub fn shorten_slug(name: &str) -> String {
    if name.len() <= MAX_SLUG_BYTES {
        return name.to_string();
    }
    let mut end = MAX_SLUG_BYTES;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].trim_end_matches(['-', ' ', '.']).to_string()
}

/// True when Windows reserves `name` for a device: `CON`, `PRN`, `AUX`,
/// `NUL`, `COM1`..`COM9`, `LPT1`..`LPT9`, in any case, alone or before a
/// dot (`con.2025`, `nul.epub`).
pub fn is_windows_reserved(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ');
    let stem = stem.to_ascii_lowercase();
    match stem.as_bytes() {
        b"con" | b"prn" | b"aux" | b"nul" => true,
        [b'c', b'o', b'm', digit] | [b'l', b'p', b't', digit] => (b'1'..=b'9').contains(digit),
        _ => false,
    }
}

/// `name` (taken from a title or a file name) with `-book` added after
/// its first part when Windows reserves it: `con` gives `con-book`.
pub fn windows_safe_slug(name: String) -> String {
    if !is_windows_reserved(&name) {
        return name;
    }
    match name.split_once('.') {
        Some((stem, rest)) => format!("{stem}-book.{rest}"),
        None => format!("{name}-book"),
    }
}

pub fn slug_problem(slug: &str) -> Option<&'static str> {
    if slug.trim().is_empty() {
        Some("the slug is empty")
    } else if slug.contains(['/', '\\']) {
        Some("the slug is a file name and cannot contain `/` or `\\`")
    } else if slug.starts_with('.') {
        Some("the slug cannot start with a dot")
    } else if slug
        .chars()
        .any(|c| c.is_control() || ":*?\"<>|".contains(c))
    {
        Some("the slug cannot contain control characters or any of : * ? \" < > |")
    } else if slug.len() > MAX_SLUG_BYTES {
        Some("the slug is longer than 200 bytes")
    } else if slug != slug.trim() {
        Some("the slug cannot start or end with a space")
    } else if is_windows_reserved(slug) {
        Some("Windows reserves the names CON, PRN, AUX, NUL, COM1 to COM9 and LPT1 to LPT9 (with any extension): files named so cannot be opened on Windows")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut names = vec!["10.txt", "2.txt", "1.txt", "02.txt", "a10b", "a9b"];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(names, ["1.txt", "2.txt", "02.txt", "10.txt", "a9b", "a10b"]);
    }

    #[test]
    fn slugs_are_one_file_name() {
        for bad in [
            "../x", "a/b", "", ".", "..", ".hidden", "a?b", "c:d", "/abs", " a",
        ] {
            assert!(slug_problem(bad).is_some(), "{bad:?} accepted");
        }
        for bad in [
            "con", "PRN", "Aux", "nul.epub", "con.2025", "com1", "LPT9.x",
        ] {
            assert!(slug_problem(bad).is_some(), "{bad:?} accepted");
        }
        assert_eq!(windows_safe_slug("con.2025".into()), "con-book.2025");
        for good in ["console", "com0", "com10", "lpt", "nul-2025", "a.con"] {
            assert_eq!(slug_problem(good), None, "{good:?} refused");
        }
        for good in ["qingchuan-2025", "携手奋进新时代", "a.b"] {
            assert_eq!(slug_problem(good), None, "{good:?} refused");
        }
    }

    #[test]
    fn file_names_from_titles() {
        assert_eq!(file_name_from("携手奋进新时代"), "携手奋进新时代");
        assert_eq!(file_name_from("../a/b: c?"), "ab c");
        assert!(leaves_folder("../x.txt"));
        assert!(leaves_folder("/etc/passwd"));
        assert!(!leaves_folder("a/b.txt"));
    }
}
