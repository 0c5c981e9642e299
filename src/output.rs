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

/// The name of the commit journal, in the output folder: while the files
/// of one build are being renamed into place it lists them, so a build
/// killed half-way through is completed by the next one.
pub const JOURNAL_FILE: &str = ".inkstone-commit";

/// The first line of a journal.
const JOURNAL_HEADER: &str = "inkstone commit 1";

/// The environment variable of the test hook that stops a build at one
/// step of writing its files (see [`pause_point`]).
pub const PAUSE_VARIABLE: &str = "INKSTONE_TEST_PAUSE_AT";

/// Temporary files being written now, removed on Ctrl-C or SIGTERM.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Held while a build's files are renamed into place: Ctrl-C or SIGTERM
/// waits for the renames to finish, so it never leaves files of two builds.
static COMMITTING: Mutex<()> = Mutex::new(());

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
/// returns how many. Call [`recover`] first: it finishes a commit that
/// was under way, whose files are such temporary files.
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

/// Finishes the commit of a build that was killed while renaming its
/// files into place: when `dir` holds a journal, every file it lists whose
/// temporary file is still there is renamed into place, and the journal is
/// removed. Then every other temporary file is removed. Afterwards the
/// files of `dir` all come from one build: the killed one when it had
/// begun its renames, else the one before. Returns whether a commit was
/// finished.
pub fn recover(dir: &Path) -> Result<bool, Failure> {
    let journal = dir.join(JOURNAL_FILE);
    let finished = match std::fs::read_to_string(&journal) {
        Ok(text) => {
            for name in journal_names(&text) {
                let path = dir.join(name);
                let tmp = temp_path(&path);
                if tmp.is_file() {
                    std::fs::rename(&tmp, &path)
                        .map_err(|e| Failure::io(&path, "finish an interrupted build", &e))?;
                }
            }
            sync_folder(dir);
            std::fs::remove_file(&journal)
                .map_err(|e| Failure::io(&journal, "finish an interrupted build", &e))?;
            sync_folder(dir);
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(Failure::io(&journal, "finish an interrupted build", &e)),
    };
    remove_stale_temp_files(dir);
    Ok(finished)
}

/// The file names a journal lists: each one plain name in the journal's
/// folder. A journal that is not whole (no header, no end line) lists
/// nothing; it cannot be, as it is renamed into place whole.
fn journal_names(text: &str) -> Vec<&str> {
    let mut lines = text.lines();
    if lines.next() != Some(JOURNAL_HEADER) {
        return Vec::new();
    }
    let names: Vec<&str> = lines.collect();
    match names.split_last() {
        Some((&"end", names)) => names.iter().copied().filter(|n| is_plain_name(n)).collect(),
        _ => Vec::new(),
    }
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && !name.ends_with(TEMP_SUFFIX)
        && name != JOURNAL_FILE
}

/// Makes the renames and removals in `dir` durable (where the system
/// allows opening a folder to sync it).
fn sync_folder(dir: &Path) {
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
}

/// Test hook: when the environment variable `INKSTONE_TEST_PAUSE_AT`
/// names `step`, prints `paused at STEP` to standard error and waits
/// (`INKSTONE_TEST_PAUSE_SECONDS`, default 600) before going on, so that
/// a test can kill the build at that step. The steps, in order:
/// `temp-N` (the N-th temporary file is written), `journal` (the journal
/// is in place, nothing renamed), `rename-N` (the N-th file is renamed),
/// `committed` (all renamed, the journal not yet removed).
pub fn pause_point(step: &str) {
    let Ok(wanted) = std::env::var(PAUSE_VARIABLE) else {
        return;
    };
    if wanted != step {
        return;
    }
    let seconds = std::env::var("INKSTONE_TEST_PAUSE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let mut err = std::io::stderr();
    let _ = writeln!(err, "paused at {step}");
    let _ = err.flush();
    std::thread::sleep(std::time::Duration::from_secs(seconds));
}

/// On Ctrl-C or SIGTERM, removes the temporary files being written and
/// exits with status 130. Call once, early. During the renames of a
/// commit it waits until they are done.
pub fn remove_temp_files_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        let _commit = COMMITTING.lock();
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

/// Writes several files as one: each to its temporary name first; only
/// when all are written whole is a journal listing them put in place,
/// then they are renamed into place one after the other and the journal
/// removed. A failure or an interruption before the journal leaves every
/// earlier file as it was; a build killed after it is completed by
/// [`recover`] at the next start. Several files must share one folder.
pub fn write_all_atomically(files: &[(PathBuf, &[u8])]) -> Result<(), Failure> {
    let mut temps = Vec::with_capacity(files.len());
    let cleanup = |temps: &[PathBuf]| {
        for tmp in temps {
            let _ = std::fs::remove_file(tmp);
            untrack(tmp);
        }
    };
    for (n, (path, bytes)) in files.iter().enumerate() {
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
        pause_point(&format!("temp-{}", n + 1));
    }
    let journal = match files {
        [_, _, ..] => Some(write_journal(files).inspect_err(|_| cleanup(&temps))?),
        _ => None,
    };
    let commit = COMMITTING.lock();
    if journal.is_some() {
        pause_point("journal");
    }
    for (n, ((path, _), tmp)) in files.iter().zip(&temps).enumerate() {
        if let Err(err) = std::fs::rename(tmp, path) {
            // With a journal in place, the next build finishes the
            // commit from the temporary files that are left.
            if journal.is_none() {
                cleanup(&temps);
            }
            return Err(Failure::io(path, "write the output file", &err));
        }
        untrack(tmp);
        if journal.is_some() {
            pause_point(&format!("rename-{}", n + 1));
        }
    }
    if let Some(journal) = journal {
        let dir = folder_of(&journal);
        sync_folder(dir);
        pause_point("committed");
        std::fs::remove_file(&journal)
            .map_err(|e| Failure::io(&journal, "finish writing the output files", &e))?;
        sync_folder(dir);
    }
    drop(commit);
    Ok(())
}

/// Puts in place the journal of a commit of `files` (at least two, in one
/// folder): written to a temporary name, synced, then renamed, so it is
/// there whole or not at all.
fn write_journal(files: &[(PathBuf, &[u8])]) -> Result<PathBuf, Failure> {
    let dir = files.first().map_or(Path::new("."), |(p, _)| folder_of(p));
    let mut text = format!("{JOURNAL_HEADER}\n");
    for (path, _) in files {
        let name = path.file_name().map(|n| n.to_string_lossy());
        match name {
            Some(name) if folder_of(path) == dir && is_plain_name(&name) => {
                text.push_str(&name);
                text.push('\n');
            }
            _ => {
                return Err(Failure::new(Diagnostic::error(
                    Location::file(path),
                    "the files of one build must be written into one folder",
                )))
            }
        }
    }
    text.push_str("end\n");
    let journal = dir.join(JOURNAL_FILE);
    let tmp = temp_path(&journal);
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, &journal)?;
        sync_folder(dir);
        Ok::<(), std::io::Error>(())
    })();
    if let Err(err) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Failure::io(&journal, "write the output files", &err));
    }
    Ok(journal)
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
    match ownership_record(outputs, source) {
        Some((record, text)) => write_atomically(&record, text.as_bytes()),
        None => Ok(()),
    }
}

/// The path and new text of the record saying that `outputs` were built
/// from `source`, to be written with them (see [`write_all_atomically`]).
pub fn ownership_record(outputs: &[PathBuf], source: &Path) -> Option<(PathBuf, String)> {
    let first = outputs.first()?;
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
    Some((record, text))
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
/// folder must not be the book folder itself. An output folder that is
/// an existing file (or a device) is refused too, before anything is
/// written.
pub fn check_output_dir(out_dir: &Path, base_dir: &Path) -> Result<(), Failure> {
    // The folder, or the nearest of its parents that exists.
    let existing = out_dir
        .ancestors()
        .find(|dir| !dir.as_os_str().is_empty() && std::fs::metadata(dir).is_ok());
    if let Some(file) = existing.filter(|dir| !dir.is_dir()) {
        return Err(Diagnostic::error(
            Location::file(file),
            "the output folder is a file, not a folder",
        )
        .with_hint(
            "name a folder with -o (it is made when missing), or with one format the \
             output file itself, such as `-o book.pdf`",
        )
        .into());
    }
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
