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
    let choices = &BuildChoices {
        reuse: Some(Default::default()),
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

/// Builds the EPUB and the page images in memory (the pages typeset as
/// for the PDF). No file is written. Both are left out when the build has
/// errors.
fn build_preview(
    input: &Path,
    choices: &BuildChoices,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Build, Failure> {
    let loaded = inkstone::series::load_book(input, &choices.single, diagnostics)?;
    let doc = inkstone::normalize(&loaded, diagnostics);
    // Each image is read once: checked here, then rendered.
    let images = inkstone::resolve::images::read_images(&doc);
    diagnostics.extend(inkstone::resources::check_resources(&doc, &images));
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Ok(Build::default());
    }
    let fonts = inkstone::fonts::resolve_fonts(&doc.settings.fonts, &doc.settings.base_dir)?;
    let options = inkstone::export::ExportOptions {
        pdf: inkstone::typeset::PdfOptions {
            allow_missing_glyphs: choices.allow_missing_glyphs,
            ..Default::default()
        },
        dpi: PAGE_DPI,
        subsets: choices.reuse.clone(),
        ..Default::default()
    };
    // The EPUB, and the pages as the PDF has them (typeset once, drawn by
    // the page-image exporter).
    let formats = ["epub".to_string(), "png".to_string()];
    let mut rendered =
        inkstone::export::render_formats_with(&doc, &fonts, &formats, &options, &images);
    let mut files = Vec::new();
    for result in rendered.drain(..) {
        let found = match result {
            Ok((made, found)) => {
                files.push(made);
                found
            }
            Err(failure) => failure.diagnostics,
        };
        for d in found {
            if !diagnostics.contains(&d) {
                diagnostics.push(d);
            }
        }
    }
    if files.len() < formats.len() || diagnostics.iter().any(Diagnostic::is_error) {
        return Ok(Build::default());
    }
    let pages = files.pop().unwrap_or_default();
    let epub = files.pop().unwrap_or_default();
    Ok(Build {
        epub: epub.into_iter().next().map(|(_, bytes)| bytes),
        pages: pages.into_iter().map(|(_, png)| png).collect(),
        ..Build::default()
    })
}

/// Resolution of the page images on the preview page: a page at about
/// the size it has on paper on a common screen.
const PAGE_DPI: u32 = 110;
