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
