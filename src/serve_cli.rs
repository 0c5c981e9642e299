//! `inkstone serve`: build the book in memory, show it on a local page,
//! rebuild when its files change (the same files `inkstone watch`
//! watches) and tell the page to reload.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use inkstone::diag::{Diagnostic, Failure, Severity};
use inkstone::serve::{Build, Preview};

use crate::{report, watched_stamps, BuildChoices, Cli};

/// Serves the book at `input` until interrupted.
pub fn serve(
    cli: &Cli,
    input: &Path,
    port: u16,
    open: bool,
    choices: &BuildChoices,
) -> Result<(), Failure> {
    let (input, notice) = edition_to_show(input)?;
    let preview = Preview::start(port).map_err(|e| {
        Failure::new(
            Diagnostic::new(
                Severity::Error,
                None,
                format!("cannot serve on 127.0.0.1:{port}: {e}"),
            )
            .with_hint("another program may use the port; choose another with `--port`"),
        )
    })?;
    let url = preview.url();
    // Always printed: a test or a script reads the address from here.
    eprintln!("serving {} at {url} (stop with Ctrl-C)", input.display());
    if let Some(notice) = &notice {
        eprintln!("{notice}");
    }
    let mut opened = false;
    // Font subsets whose characters did not change are kept from the
    // build before.
    let memo = inkstone::epub::fonts::SubsetMemo::default();
    let choices = &BuildChoices {
        reuse: Some(&memo),
        single: choices.single.clone(),
        ..*choices
    };
    // Nothing is written, so no output folder is left out of the watch.
    let no_output = Path::new("");
    loop {
        // Taken before the build, so that an edit made during it counts.
        let stamps = watched_stamps(&input, no_output, &choices.single);
        let started = Instant::now();
        let mut diagnostics = Vec::new();
        let mut build = match build_preview(&input, choices, &mut diagnostics) {
            Ok(build) => build,
            Err(failure) => {
                diagnostics.extend(failure.diagnostics);
                Build::default()
            }
        };
        let built = build.epub.is_some();
        build.diagnostics = diagnostics
            .iter()
            .filter(|d| d.severity >= Severity::Info)
            .cloned()
            .collect();
        build.notice.clone_from(&notice);
        preview.publish(build);
        report(cli, diagnostics);
        if !cli.quiet {
            eprintln!(
                "{} in {} ms; watching {} for changes",
                if built { "built" } else { "build failed" },
                started.elapsed().as_millis(),
                input.display()
            );
        }
        if open && !opened {
            opened = true;
            if let Err(e) = open::that_detached(&url) {
                eprintln!("warning: could not open a browser ({e}); open {url} yourself");
            }
        }
        while watched_stamps(&input, no_output, &choices.single) == stamps {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// A series shows its last edition (the newest, when editions are named
/// by year); any other input is shown as it is.
fn edition_to_show(input: &Path) -> Result<(PathBuf, Option<String>), Failure> {
    if !inkstone::series::is_series(input) {
        return Ok((input.to_path_buf(), None));
    }
    let series = inkstone::series::Series::open(input)?;
    match series.editions.last() {
        Some(edition) => Ok((
            input.join(edition),
            Some(format!(
                "{} is a series; this is its edition `{edition}` (name another edition folder to see it)",
                input.display()
            )),
        )),
        None => Err(Diagnostic::error(
            inkstone::diag::Location::file(input),
            "the series has no editions",
        )
        .with_hint("add an edition folder with a book.toml")
        .into()),
    }
}

/// Builds the EPUB in memory and lays the book out as the PDF build does
/// (for its diagnostics). No file is written. The EPUB is `None` when the
/// build has errors.
fn build_preview(
    input: &Path,
    choices: &BuildChoices,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Build, Failure> {
    let loaded = inkstone::series::load_book(input, &choices.single, diagnostics)?;
    let doc = inkstone::normalize(&loaded, diagnostics);
    diagnostics.extend(inkstone::resources::check_resources(&doc));
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Ok(Build::default());
    }
    let fonts = inkstone::fonts::resolve_fonts(&doc.settings.fonts, &doc.settings.base_dir)?;
    let options = inkstone::pdf::PdfOptions {
        allow_missing_glyphs: choices.allow_missing_glyphs,
        ..Default::default()
    };
    let (epub, layout) = rayon::join(
        || inkstone::epub::render_epub_reusing(&doc, &fonts, choices.reuse),
        || inkstone::pdf::layout_document(&doc, &fonts, &options),
    );
    let mut add = |found: Vec<Diagnostic>| {
        for d in found {
            if !diagnostics.contains(&d) {
                diagnostics.push(d);
            }
        }
    };
    match layout {
        Ok((_, found)) => add(found),
        Err(failure) => add(failure.diagnostics),
    }
    let epub = match epub {
        Ok((bytes, found)) => {
            add(found);
            Some(bytes)
        }
        Err(failure) => {
            add(failure.diagnostics);
            None
        }
    };
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Ok(Build::default());
    }
    Ok(Build {
        epub,
        ..Build::default()
    })
}
