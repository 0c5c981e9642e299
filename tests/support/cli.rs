//! Running the `inkstone` binary as a user would, in scratch folders of
//! the test's own.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary with a fixed build time, messages in their one-line form
/// (`file:line:col: …`), and no test pause left over from the caller.
pub fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_inkstone"));
    command.env("SOURCE_DATE_EPOCH", "1700000000");
    command.env_remove("INKSTONE_TEST_PAUSE_AT");
    command.arg("--diagnostic-format=short");
    command
}

/// Runs the binary with `args` in `cwd`.
pub fn run(args: &[&str], cwd: &Path) -> Output {
    bin()
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run inkstone")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh scratch folder: `<tmp>/<group>/<name>`.
pub fn scratch(group: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(group)
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Writes a fixture file, making its folder.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("fixture folder");
    }
    std::fs::write(path, bytes).expect("write fixture");
}

/// Builds the book in `dir` into `dir/out` with `args` after its paths
/// (`--format pdf`, say); a failed build fails the test. Returns the
/// output folder.
pub fn build_book(dir: &Path, args: &[&str]) -> PathBuf {
    let out = dir.join("out");
    let output = bin()
        .arg("build")
        .arg(dir)
        .arg("-o")
        .arg(&out)
        .args(args)
        .output()
        .expect("run inkstone");
    assert!(output.status.success(), "{}", stderr(&output));
    out
}

/// The text of each page of `pdf`, as `pdftotext` gives it.
pub fn pdf_pages(pdf: &Path) -> Vec<String> {
    let output = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs (install poppler-utils)");
    assert!(output.status.success(), "pdftotext {}", pdf.display());
    String::from_utf8_lossy(&output.stdout)
        .split('\u{c}')
        .map(str::to_string)
        .collect()
}

/// A 4 × 2 red PNG.
pub const RED_PNG: [u8; 73] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 4, 0, 0, 0, 2, 8, 2, 0,
    0, 0, 240, 202, 234, 52, 0, 0, 0, 16, 73, 68, 65, 84, 120, 156, 99, 248, 207, 192, 0, 71, 12,
    200, 28, 0, 111, 170, 7, 249, 128, 220, 0, 40, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];
