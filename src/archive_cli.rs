//! The archival commands of the command line: building a series,
//! verifying built files, planning and merging sharded builds.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use inkstone::diag::{Diagnostic, Failure, Location, Severity};
use inkstone::manifest::{Manifest, MANIFEST_FILE};
use inkstone::series::{self, BuildOptions, Series};

fn error(message: impl Into<String>) -> Failure {
    Diagnostic::new(Severity::Error, None, message).into()
}

/// `inkstone build SERIES`: every edition (or one shard of them), one
/// progress bar, the manifest; an edition that fails does not stop the
/// others, and makes the exit code non-zero.
#[allow(clippy::too_many_arguments)]
pub fn build_series(
    quiet: bool,
    input: &Path,
    out_dir: &Path,
    formats: &[String],
    allow_missing_glyphs: bool,
    pdf_standard: Option<&str>,
    ofd_profile: Option<inkstone::export::ofd::Profile>,
    shard: Option<&str>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(), Failure> {
    let series = Series::open(input)?;
    let shard = shard.map(series::parse_shard).transpose().map_err(error)?;
    let options = BuildOptions {
        formats: formats.to_vec(),
        ofd_profile,
        pdf_standard: pdf_standard.map(str::to_string),
        allow_missing_glyphs,
        shard,
    };
    let count = series.shard(shard).len() as u64;
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::with_draw_target(Some(count), ProgressDrawTarget::stderr())
    };
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} editions {msg}") {
        bar.set_style(style);
    }
    let outcome = series::build_series(&series, out_dir, &options, &|folder| {
        bar.set_message(folder.to_string());
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    diagnostics.extend(outcome.diagnostics);
    if !quiet {
        for edition in &outcome.manifest.editions {
            for file in &edition.files {
                eprintln!(
                    "wrote {} ({} KB)",
                    out_dir.join(&file.path).display(),
                    file.size.div_ceil(1024)
                );
            }
        }
        eprintln!("wrote {}", outcome.manifest_path.display());
    }
    if outcome.failed.is_empty() {
        return Ok(());
    }
    let mut all = Vec::new();
    let names: Vec<&str> = outcome.failed.iter().map(|(f, _)| f.as_str()).collect();
    for (_, failure) in outcome.failed.iter() {
        all.extend(failure.diagnostics.iter().cloned());
    }
    all.push(
        Diagnostic::new(
            Severity::Error,
            Some(Location::file(input)),
            format!(
                "{} of {count} edition(s) failed: {}; the others were built",
                names.len(),
                names.join(", ")
            ),
        )
        .with_hint("fix the errors above and build again"),
    );
    Err(Failure { diagnostics: all })
}

/// `inkstone verify`: a series' files against its manifest (each changed
/// file named); a book rebuilt in memory against FILES (the first
/// differing file named).
pub fn verify(
    quiet: bool,
    input: &Path,
    files: &[PathBuf],
    out_dir: &Path,
    pdf_standard: Option<&str>,
    ofd_profile: Option<inkstone::export::ofd::Profile>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(), Failure> {
    if series::is_series(input) {
        let manifest_path = out_dir.join(MANIFEST_FILE);
        let manifest = Manifest::read(&manifest_path)?;
        let mut changed = manifest.verify_files(out_dir);
        changed.extend(manifest.verify_sources(input));
        if changed.is_empty() {
            if !quiet {
                let n: usize = manifest.editions.iter().map(|e| e.files.len()).sum();
                eprintln!("{n} file(s) match {}", manifest_path.display());
            }
            return Ok(());
        }
        diagnostics.extend(changed);
        return Ok(());
    }
    // The formats of the files given; without files, the book's own.
    let mut formats: Vec<String> = Vec::new();
    for file in files {
        let ext = file
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        if let Some(ext) = ext.filter(|e| ["epub", "pdf", "ofd"].contains(&e.as_str())) {
            if !formats.contains(&ext) {
                formats.push(ext);
            }
        }
    }
    let options = BuildOptions {
        formats,
        ofd_profile,
        pdf_standard: pdf_standard.map(str::to_string),
        ..BuildOptions::default()
    };
    let (outputs, _) = series::rebuild_book(input, &options)?;
    let files: Vec<PathBuf> = if files.is_empty() {
        outputs.iter().map(|o| out_dir.join(&o.name)).collect()
    } else {
        files.to_vec()
    };
    for file in &files {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        let ext = file.extension().map(|e| e.to_string_lossy().into_owned());
        let rebuilt = outputs
            .iter()
            .find(|o| Some(&o.name) == name.as_ref())
            .or_else(|| {
                outputs.iter().find(|o| {
                    ext.as_ref()
                        .is_some_and(|e| o.name.ends_with(&format!(".{e}")))
                })
            })
            .ok_or_else(|| {
                Failure::from(
                    Diagnostic::error(Location::file(file), "the book builds no file of this kind")
                        .with_hint("give the EPUB, PDF or OFD built from this book"),
                )
            })?;
        let on_disk =
            std::fs::read(file).map_err(|e| Failure::io(file, "read the file to verify", &e))?;
        if on_disk != rebuilt.bytes {
            let at = on_disk
                .iter()
                .zip(&rebuilt.bytes)
                .position(|(a, b)| a != b)
                .unwrap_or(on_disk.len().min(rebuilt.bytes.len()));
            return Err(Diagnostic::error(
                Location::file(file),
                format!(
                    "the file differs from a fresh build of {} (first at byte {at}; {} bytes on disk, {} rebuilt)",
                    input.display(),
                    on_disk.len(),
                    rebuilt.bytes.len()
                ),
            )
            .with_hint("the file was changed after the build, or built from other sources or options")
            .into());
        }
    }
    if !quiet {
        eprintln!("{} file(s) match a fresh build", files.len());
    }
    Ok(())
}

/// Loads and normalizes a book; an edition of a series with the series'
/// defaults. A series itself is not one document.
pub fn load_document(
    input: &Path,
    single: &inkstone::SingleFileOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<inkstone::model::Document, Failure> {
    if series::is_series(input) {
        let first = Series::open(input)?
            .editions
            .into_iter()
            .next()
            .unwrap_or_default();
        return Err(Diagnostic::error(
            Location::file(input),
            "this is a series of editions, not one book",
        )
        .with_hint(format!(
            "give one edition's folder, such as {}",
            input.join(first).display()
        ))
        .into());
    }
    let loaded = series::load_book(input, single, diagnostics)?;
    Ok(inkstone::normalize(&loaded, diagnostics))
}

/// `inkstone plan SERIES`: the task list, as JSON on standard output.
pub fn plan(input: &Path) -> Result<(), Failure> {
    let series = Series::open(input)?;
    let json = serde_json::to_string_pretty(&series.plan()).map_err(|e| error(e.to_string()))?;
    crate::print_out(&json)
}

/// `inkstone manifest merge`: partial manifests into one.
pub fn merge(quiet: bool, parts: &[PathBuf], output: &Path) -> Result<(), Failure> {
    let read: Vec<Manifest> = parts
        .iter()
        .map(|p| Manifest::read(p))
        .collect::<Result<_, _>>()?;
    let merged = Manifest::merge(&read)?;
    inkstone::output::write_atomically(output, &merged.to_bytes())?;
    if !quiet {
        eprintln!(
            "wrote {} ({} edition(s))",
            output.display(),
            merged.editions.len()
        );
    }
    Ok(())
}
