//! The EPUB's stylesheets named in `book.toml` (`[style] epub`), read
//! once: a plain name (`"default"`) is one of the built-in styles compiled
//! from `styles/epub/`; anything with a `/` or ending in `.css` is a file
//! relative to the book directory. A missing file or an unknown name is
//! an error placed in `book.toml`.

use std::path::Path;

use crate::config::{locate_value, BOOK_FILE};
use crate::diag::{Diagnostic, Failure};
use crate::model::Settings;

/// The built-in EPUB styles, by name.
pub const BUILTIN: [(&str, &str); 1] = [("default", include_str!("../../styles/epub/default.css"))];

/// A stylesheet to put into the EPUB.
#[derive(Debug, Clone)]
pub struct Stylesheet {
    /// Path inside the publication directory (`css/....css`).
    pub href: String,
    pub text: String,
}

/// Reads the stylesheets that `settings.epub_styles` names.
pub fn load_stylesheets(settings: &Settings) -> Result<Vec<Stylesheet>, Failure> {
    let toml_path = settings.base_dir.join(BOOK_FILE);
    let mut sheets = Vec::new();
    for (i, name) in settings.epub_styles.iter().enumerate() {
        if !name.contains('/') && !name.ends_with(".css") {
            let Some((_, text)) = BUILTIN.iter().find(|(builtin, _)| builtin == name) else {
                let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
                return Err(Diagnostic::error(
                    locate_value(&toml_path, name),
                    format!("there is no built-in EPUB style named `{name}`"),
                )
                .with_hint(format!(
                    "built-in styles: {}; or give the path of a .css file",
                    names.join(", ")
                ))
                .into());
            };
            sheets.push(Stylesheet {
                href: format!("css/{name}.css"),
                text: (*text).to_string(),
            });
            continue;
        }
        let path = settings.base_dir.join(name);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Failure::new(
                Diagnostic::error(
                    locate_value(&toml_path, name),
                    format!("cannot read the stylesheet `{name}`: {e}"),
                )
                .with_hint("paths in [style] epub are relative to the book folder"),
            )
        })?;
        if let Err(problem) = crate::media::css_reference(&text) {
            return Err(Diagnostic::error(
                locate_value(&toml_path, name),
                format!("the stylesheet `{name}` {problem}"),
            )
            .with_hint("an EPUB holds its own files: remove the reference, or embed what it names as a `data:` URL")
            .into());
        }
        // The position keeps two files of the same name apart.
        let stem = Path::new(name)
            .file_stem()
            .map(|s| s.to_string_lossy())
            .unwrap_or_default();
        let stem: String = stem
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        sheets.push(Stylesheet {
            href: format!("css/{}-{stem}.css", i + 1),
            text,
        });
    }
    Ok(sheets)
}
