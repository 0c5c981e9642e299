// The acceptance sample: real text in `../shared/samples/`, beside the
// repository. CI always has it; a fresh clone does not. A test that reads
// it starts with `sample_test()` (the sample is all it checks) or
// `sample_part()` (it checks other books too). When the folder is absent
// the test records itself as not run instead of failing (unless CI=true,
// where a missing sample fails), and `scripts/test.sh` reports the
// sample tests as a separate count in its closing lines.
//
// This file uses only `std` so that unit tests in `src/` can include it.

use std::io::Write;

/// The folder of acceptance samples.
pub const SAMPLES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/samples");

/// Whether the acceptance samples are there.
pub fn samples_present() -> bool {
    std::path::Path::new(SAMPLES_DIR).is_dir()
}

/// Held while a test checks the sample: when dropped it records whether
/// the test passed or failed (panicking).
pub struct SampleRun {
    part: bool,
}

/// For a test that checks only the sample: `None` when the samples are
/// absent, and the test should return at once.
pub fn sample_test() -> Option<SampleRun> {
    start(false)
}

/// For a test that checks the sample among other books: `None` when the
/// samples are absent, and the test checks only the others.
pub fn sample_part() -> Option<SampleRun> {
    start(true)
}

fn start(part: bool) -> Option<SampleRun> {
    if samples_present() {
        return Some(SampleRun { part });
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        record("failed", part);
        panic!("CI runs the acceptance-sample tests, but {SAMPLES_DIR} does not exist");
    }
    record("not-run", part);
    None
}

impl Drop for SampleRun {
    fn drop(&mut self) {
        let status = if std::thread::panicking() {
            "failed"
        } else {
            "passed"
        };
        record(status, self.part);
    }
}

/// Appends `<status> <whole|part> <test name>` to the file named by
/// `INKSTONE_SAMPLE_LOG`, when it is set (scripts/test.sh sets it).
fn record(status: &str, part: bool) {
    let Some(log) = std::env::var_os("INKSTONE_SAMPLE_LOG") else {
        return;
    };
    let name = std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .to_string();
    let kind = if part { "part" } else { "whole" };
    let line = format!("{status} {kind} {name}\n");
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .and_then(|mut f| f.write_all(line.as_bytes()));
    if let Err(e) = written {
        eprintln!(
            "cannot record the sample test in {}: {e}",
            log.to_string_lossy()
        );
    }
}
