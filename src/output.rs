//! Writing output files safely: never half-written, never over a source.

use std::io::Write;
use std::path::Path;

use crate::diag::{Diagnostic, Failure, Location};

/// Writes `bytes` to `path` through a temporary file in the same folder
/// and a rename, so a reader never sees a half-written file and a failed
/// run leaves any earlier file intact.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Failure::io(dir, "create the output folder", &e))?;
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(err) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Failure::io(path, "write the output file", &err));
    }
    Ok(())
}

/// Refuses to write into a place that holds the user's sources: the output
/// folder must not be the book folder itself.
pub fn check_output_dir(out_dir: &Path, base_dir: &Path) -> Result<(), Failure> {
    let canon = |p: &Path| std::fs::canonicalize(p).ok();
    if let (Some(out), Some(base)) = (canon(out_dir), canon(base_dir)) {
        if out == base {
            return Err(Diagnostic::error(
                Location::file(out_dir),
                "the output folder is the book folder",
            )
            .with_hint("choose another folder with -o, such as `out/`")
            .into());
        }
    }
    Ok(())
}

/// An ASCII file name from `text`: lower-case letters, digits and dashes.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            slugify("Yiyang United Front, 2022!"),
            "yiyang-united-front-2022"
        );
        assert_eq!(slugify("携手奋进"), "");
    }
}
