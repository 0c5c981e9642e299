//! The `inkstone` command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use inkstone::diag::{Diagnostic, Failure, Severity};
use inkstone::output::{check_output_dir, write_all_atomically, write_atomically};

#[derive(Parser)]
#[command(
    name = "inkstone",
    version,
    about = "Chinese text to a valid EPUB 3 and a print-grade PDF"
)]
struct Cli {
    /// Print only errors.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Also print the normalizations made (notes).
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the EPUB and the PDF of a book.
    Build {
        /// A book folder (with book.toml) or a single .txt or .md file;
        /// default: this folder if it has a book.toml, else `sources/`.
        input: Option<PathBuf>,
        /// Folder for the output files, or with one format the file itself
        /// (`-o book.pdf`).
        #[arg(short, long, default_value = "out")]
        out_dir: PathBuf,
        /// Replace output files built from another book.
        #[arg(long)]
        force: bool,
        /// Formats to build, separated by commas.
        #[arg(short, long, value_delimiter = ',', default_values_t = [Format::Epub, Format::Pdf])]
        format: Vec<Format>,
        /// Characters that no font has are warnings, not errors.
        #[arg(long)]
        allow_missing_glyphs: bool,
    },
    /// Print the document model as JSON.
    Inspect { input: Option<PathBuf> },
    /// List normalizations made and problems found; exit code 1 on errors.
    Check { input: Option<PathBuf> },
    /// Write a new book skeleton that builds as is.
    Init {
        /// The folder to create (must not exist or be empty).
        dir: PathBuf,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Epub,
    Pdf,
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Format::Epub => "epub",
            Format::Pdf => "pdf",
        })
    }
}

/// The input when none is given: this folder if it has a book.toml, else
/// `sources/`.
fn input_or_default(input: &Option<PathBuf>) -> PathBuf {
    match input {
        Some(path) => path.clone(),
        None if Path::new(inkstone::config::BOOK_FILE).is_file() => PathBuf::from("."),
        None => PathBuf::from("sources"),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut diagnostics = Vec::new();
    let result = match &cli.command {
        Command::Build {
            input,
            out_dir,
            force,
            format,
            allow_missing_glyphs,
        } => {
            inkstone::output::remove_temp_files_on_interrupt();
            build(
                &cli,
                &input_or_default(input),
                out_dir,
                *force,
                format,
                *allow_missing_glyphs,
                &mut diagnostics,
            )
        }
        Command::Inspect { input } => inspect(&input_or_default(input), &mut diagnostics),
        Command::Check { input } => check(&input_or_default(input), &mut diagnostics),
        Command::Init { dir } => init(dir),
    };
    let show_notes = cli.verbose || matches!(cli.command, Command::Check { .. });
    for d in &diagnostics {
        let shown = match d.severity {
            Severity::Error => true,
            Severity::Warning | Severity::Info => !cli.quiet,
            Severity::Note => show_notes && !cli.quiet,
        };
        if shown {
            eprintln!("{d}");
        }
    }
    match result {
        Ok(()) if !diagnostics.iter().any(Diagnostic::is_error) => ExitCode::SUCCESS,
        Ok(()) => ExitCode::FAILURE,
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::FAILURE
        }
    }
}

fn progress(cli: &Cli, steps: u64) -> ProgressBar {
    let bar = if cli.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::with_draw_target(Some(steps), ProgressDrawTarget::stderr())
    };
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}") {
        bar.set_style(style);
    }
    bar
}

/// Where each format goes: `-o book.pdf` with the one format `pdf` is
/// that file; otherwise `-o` is a folder and the files are `<slug>.<format>`.
fn output_paths(out: &Path, formats: &[Format], slug: &str) -> Result<Vec<PathBuf>, Failure> {
    let extension = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let names_a_file = matches!(extension.as_deref(), Some("epub" | "pdf")) && !out.is_dir();
    if names_a_file {
        if let [format] = formats {
            if extension.as_deref() == Some(&format.to_string()) {
                return Ok(vec![out.to_path_buf()]);
            }
        }
        return Err(Diagnostic::error(
            inkstone::diag::Location::file(out),
            "-o names one file, but the formats built do not match it",
        )
        .with_hint("with `-o NAME.pdf` build only that format (`--format pdf`), or give a folder")
        .into());
    }
    Ok(formats
        .iter()
        .map(|format| out.join(format!("{slug}.{format}")))
        .collect())
}

fn build(
    cli: &Cli,
    input: &Path,
    out: &Path,
    force: bool,
    formats: &[Format],
    allow_missing_glyphs: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(), Failure> {
    let bar = progress(cli, 2 + formats.len() as u64);
    bar.set_message("reading sources");
    let loaded = inkstone::load(input, diagnostics)?;
    bar.inc(1);
    bar.set_message("normalizing");
    let doc = inkstone::normalize(&loaded, diagnostics);
    diagnostics.extend(inkstone::resources::check_resources(&doc));
    bar.inc(1);
    if diagnostics.iter().any(Diagnostic::is_error) {
        bar.finish_and_clear();
        return Ok(());
    }
    let paths = output_paths(out, formats, &doc.settings.slug)?;
    let out_dir = match paths.first().and_then(|p| p.parent()) {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    check_output_dir(&out_dir, &loaded.base_dir)?;
    let source = match loaded.sources.first() {
        Some(first) if loaded.single_file => first.file.path.clone(),
        _ => loaded.base_dir.clone(),
    };
    inkstone::output::check_ownership(&paths, &source, force)?;
    inkstone::output::remove_stale_temp_files(&out_dir);
    let fonts = inkstone::fonts::resolve_fonts(&doc.settings.fonts, &doc.settings.base_dir)?;
    // The formats are rendered side by side and written together: all of
    // them, or (when one fails) none, so the files of a folder always come
    // from one build.
    bar.set_message("rendering");
    let options = inkstone::pdf::PdfOptions {
        allow_missing_glyphs,
    };
    let rendered: Vec<_> = formats
        .par_iter()
        .map(|format| match format {
            Format::Epub => inkstone::epub::render_epub(&doc, &fonts),
            Format::Pdf => inkstone::pdf::render_pdf(&doc, &fonts, &options),
        })
        .collect();
    let mut done = Vec::new();
    let mut failures = Vec::new();
    for (path, result) in paths.iter().zip(rendered) {
        let (bytes, mut notes) = match result {
            Ok(done) => done,
            Err(failure) => {
                failures.extend(failure.diagnostics);
                continue;
            }
        };
        let has_error = notes.iter().any(Diagnostic::is_error);
        diagnostics.append(&mut notes);
        if !has_error {
            done.push((path.clone(), bytes));
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    if !failures.is_empty() {
        return Err(Failure {
            diagnostics: failures,
        });
    }
    if done.len() < paths.len() {
        return Ok(());
    }
    let files: Vec<(PathBuf, &[u8])> = done
        .iter()
        .map(|(path, bytes)| (path.clone(), bytes.as_slice()))
        .collect();
    write_all_atomically(&files)?;
    inkstone::output::record_ownership(&paths, &source)?;
    if !cli.quiet {
        for (path, bytes) in &done {
            eprintln!(
                "wrote {} ({} KB)",
                path.display(),
                bytes.len().div_ceil(1024)
            );
        }
    }
    Ok(())
}

fn inspect(input: &Path, diagnostics: &mut Vec<Diagnostic>) -> Result<(), Failure> {
    let doc = inkstone::load_document(input, diagnostics)?;
    let json = serde_json::to_string_pretty(&doc)
        .map_err(|e| Failure::new(Diagnostic::new(Severity::Error, None, e.to_string())))?;
    println!("{json}");
    Ok(())
}

fn check(input: &Path, diagnostics: &mut Vec<Diagnostic>) -> Result<(), Failure> {
    let doc = inkstone::load_document(input, diagnostics)?;
    // Laying the book out finds what only typesetting can: characters no
    // font has, images that cannot be read, page styles that do not parse.
    // The EPUB stage warns about links, dropped characters and glyphs;
    // both are rendered in memory and nothing is written.
    diagnostics.extend(inkstone::resources::check_resources(&doc));
    let fonts = inkstone::fonts::resolve_fonts(&doc.settings.fonts, &doc.settings.base_dir)?;
    match inkstone::pdf::layout_document(&doc, &fonts, &inkstone::pdf::PdfOptions::default()) {
        Ok((_, mut found)) => diagnostics.append(&mut found),
        Err(failure) => diagnostics.extend(failure.diagnostics),
    }
    match inkstone::epub::render_epub(&doc, &fonts) {
        Ok((_, found)) => {
            for d in found {
                if !diagnostics.contains(&d) {
                    diagnostics.push(d);
                }
            }
        }
        Err(failure) => {
            for d in failure.diagnostics {
                if !diagnostics.contains(&d) {
                    diagnostics.push(d);
                }
            }
        }
    }
    let headings = doc.headings().count();
    let notes = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Note)
        .count();
    let count = |severity| {
        diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    };
    let (warnings, errors) = (count(Severity::Warning), count(Severity::Error));
    diagnostics.push(Diagnostic::new(
        Severity::Note,
        None,
        format!(
            "{} chapter(s), {headings} heading(s); {notes} normalization(s), {warnings} warning(s), {errors} error(s)",
            doc.chapters.len()
        ),
    ));
    Ok(())
}

const INIT_BOOK: &str = r#"# The book's metadata, contents and style. See README.md for every key.
[book]
title = "新书"
authors = ["作者"]
language = "zh-CN"
year = 2026

[contents]
chapters = ["01.txt"]

[style]
pdf = "a5-book"
toc-depth = 2
"#;

const INIT_CHAPTER: &str = "第一章 开篇\n这里是第一段正文。每行一段，段首不必空格。\n小节标题\n这里是小节的正文，写完整句子，以句号结束。\n";

fn init(dir: &Path) -> Result<(), Failure> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(Diagnostic::new(
            Severity::Error,
            Some(inkstone::diag::Location::file(dir)),
            "the folder exists and is not empty",
        )
        .with_hint("choose a new folder name; inkstone never writes over your files")
        .into());
    }
    write_atomically(&dir.join("book.toml"), INIT_BOOK.as_bytes())?;
    write_atomically(&dir.join("01.txt"), INIT_CHAPTER.as_bytes())?;
    eprintln!(
        "wrote a new book in {}; build it with `inkstone build {}`",
        dir.display(),
        dir.display()
    );
    Ok(())
}
