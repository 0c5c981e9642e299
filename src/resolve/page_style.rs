//! The PDF page style (`[style] pdf`), loaded and checked once: a
//! built-in style or a TOML file of the book, whose errors name its line
//! and column.

use std::path::Path;

use crate::diag::{Diagnostic, Failure, Location};
use crate::typeset::style::{parse_style, PageStyle, BUILTIN};

/// Loads the page style `name`: a built-in name or a path relative to
/// `base_dir`.
pub fn load_style(name: &str, base_dir: &Path) -> Result<PageStyle, Failure> {
    if let Some((_, text)) = BUILTIN.iter().find(|(n, _)| *n == name) {
        return parse_style(name, text, Path::new(&format!("styles/pdf/{name}.toml")));
    }
    let path = base_dir.join(name);
    if !path.is_file() {
        let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
        return Err(Diagnostic::error(
            Location::file(&path),
            format!("no PDF page style `{name}`"),
        )
        .with_hint(format!(
            "use a built-in style ({}) or the path of a TOML page style",
            names.join(", ")
        ))
        .into());
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Failure::io(&path, "read the page style", &e))?;
    parse_style(name, &text, &path)
}
