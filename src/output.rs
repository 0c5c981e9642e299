//! Writing output files safely: never half-written, never over a source.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::diag::{Diagnostic, Failure, Location};

/// The end of every temporary file name: `.<name>.inkstone-partial`. A
/// build that was killed leaves such files; the next build into the same
/// folder removes them.
pub const TEMP_SUFFIX: &str = ".inkstone-partial";

/// The name of the record, in the output folder, of which book each
/// output file was built from.
pub const RECORD_FILE: &str = ".inkstone-builds";

/// Temporary files being written now, removed on Ctrl-C or SIGTERM.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The temporary name `path` is written under before it is renamed.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    folder_of(path).join(format!(".{name}{TEMP_SUFFIX}"))
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Removes the temporary files an interrupted build left in `dir`;
/// returns how many.
pub fn remove_stale_temp_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file
            && name.starts_with('.')
            && name.ends_with(TEMP_SUFFIX)
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// On Ctrl-C or SIGTERM, removes the temporary files being written and
/// exits with status 130. Call once, early.
pub fn remove_temp_files_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        if let Ok(pending) = PENDING.lock() {
            for path in pending.iter() {
                let _ = std::fs::remove_file(path);
            }
        }
        std::process::exit(130);
    });
}

fn track(path: &Path) {
    if let Ok(mut pending) = PENDING.lock() {
        pending.push(path.to_path_buf());
    }
}

fn untrack(path: &Path) {
    if let Ok(mut pending) = PENDING.lock() {
        pending.retain(|p| p != path);
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder
/// and a rename, so a reader never sees a half-written file and a failed
/// run leaves any earlier file intact.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    write_all_atomically(&[(path.to_path_buf(), bytes)])
}

/// Writes several files as one: each to its temporary name first, and
/// only when all are written whole are they renamed into place, one after
/// the other. A failure or an interruption before that leaves every
/// earlier file as it was.
pub fn write_all_atomically(files: &[(PathBuf, &[u8])]) -> Result<(), Failure> {
    let mut temps = Vec::with_capacity(files.len());
    let cleanup = |temps: &[PathBuf]| {
        for tmp in temps {
            let _ = std::fs::remove_file(tmp);
            untrack(tmp);
        }
    };
    for (path, bytes) in files {
        let dir = folder_of(path);
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::io(dir, "create the output folder", &e))?;
        let tmp = temp_path(path);
        track(&tmp);
        temps.push(tmp.clone());
        let result = (|| {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(bytes)?;
            file.sync_all()
        })();
        if let Err(err) = result {
            cleanup(&temps);
            return Err(Failure::io(path, "write the output file", &err));
        }
    }
    for ((path, _), tmp) in files.iter().zip(&temps) {
        if let Err(err) = std::fs::rename(tmp, path) {
            cleanup(&temps);
            return Err(Failure::io(path, "write the output file", &err));
        }
        untrack(tmp);
    }
    Ok(())
}

/// Refuses to replace an output file that another book (or the user)
/// made: `out/.inkstone-builds` records which book each file was built
/// from. A file without a record, or with another book's, is kept unless
/// `force`.
pub fn check_ownership(outputs: &[PathBuf], source: &Path, force: bool) -> Result<(), Failure> {
    if force {
        return Ok(());
    }
    let source = canonical_text(source);
    for path in outputs {
        if !path.exists() {
            continue;
        }
        let owner = recorded_owner(path);
        if owner.as_deref() == Some(source.as_str()) {
            continue;
        }
        let message = match owner {
            Some(other) => {
                format!("this file was built from another book ({other}); it is not replaced")
            }
            None => {
                "this file exists and was not built from this book by inkstone; it is not replaced"
                    .to_string()
            }
        };
        return Err(Diagnostic::error(Location::file(path), message)
            .with_hint("set another `slug` or output folder (-o), or add --force to replace it")
            .into());
    }
    Ok(())
}

/// Records that `outputs` were built from `source`.
pub fn record_ownership(outputs: &[PathBuf], source: &Path) -> Result<(), Failure> {
    let Some(first) = outputs.first() else {
        return Ok(());
    };
    let record = folder_of(first).join(RECORD_FILE);
    let source = canonical_text(source);
    let mut lines: Vec<(String, String)> = read_record(&record);
    for path in outputs {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        lines.retain(|(file, _)| *file != name);
        lines.push((name, source.clone()));
    }
    lines.sort();
    let text: String = lines
        .iter()
        .map(|(file, owner)| format!("{file}\t{owner}\n"))
        .collect();
    write_atomically(&record, text.as_bytes())
}

fn canonical_text(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .replace(['\t', '\n'], " ")
}

fn read_record(record: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(record)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let (file, owner) = line.split_once('\t')?;
            Some((file.to_string(), owner.to_string()))
        })
        .collect()
}

fn recorded_owner(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    read_record(&folder_of(path).join(RECORD_FILE))
        .into_iter()
        .find(|(file, _)| *file == name)
        .map(|(_, owner)| owner)
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
