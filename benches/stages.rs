//! Per-stage benchmarks (`cargo bench`): each stage on the sample edition
//! and on a generated 200-chapter edition (1.35 MB of text).
//! Whole-process figures (wall time, peak memory) come from
//! `scripts/bench.sh`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

#[path = "support/edition.rs"]
mod edition;

fn main() {
    divan::main();
}

/// The 200-chapter edition, generated once per run.
fn edition_200() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-edition-200");
        let _ = std::fs::remove_dir_all(&dir);
        edition::write_edition(Path::new("sources"), &dir, 200).expect("write edition");
        dir
    })
}

fn input(name: &str) -> &'static Path {
    match name {
        "sample-edition" => Path::new("sources"),
        _ => edition_200(),
    }
}

#[divan::bench(args = ["sample-edition", "edition-200"], sample_count = 10)]
fn load_and_normalize(bencher: divan::Bencher, name: &str) {
    let path = input(name);
    bencher.bench(|| {
        let mut diagnostics = Vec::new();
        inkstone::load_document(path, &mut diagnostics).expect("loads")
    });
}

#[divan::bench(args = ["sample-edition", "edition-200"], sample_count = 10)]
fn normalize_only(bencher: divan::Bencher, name: &str) {
    let loaded = inkstone::load(input(name), &mut Vec::new()).expect("loads");
    bencher.bench(|| inkstone::normalize(&loaded, &mut Vec::new()));
}
