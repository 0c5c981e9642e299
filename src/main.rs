//! The `inkstone` command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use inkstone::diag::{Diagnostic, Failure, Severity};
use inkstone::output::{check_output_dir, write_atomically};

mod archive_cli;
use archive_cli as archive;

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
        /// A book folder (with book.toml) or a single .txt or .md file.
        #[arg(default_value = "sources")]
        input: PathBuf,
        /// Folder for the output files.
        #[arg(short, long, default_value = "out")]
        out_dir: PathBuf,
        /// Formats to build, separated by commas (default: `[output]
        /// formats` of book.toml, else epub,pdf).
        #[arg(short, long, value_delimiter = ',')]
        format: Vec<Format>,
        /// Characters that no font has are warnings, not errors.
        #[arg(long)]
        allow_missing_glyphs: bool,
        /// Resolution of page images (`--format png`), in dots per inch.
        #[arg(long, default_value_t = inkstone::export::png::DEFAULT_DPI)]
        dpi: u32,
        /// OFD profile: `plain` (GB/T 33190) or `a` (OFD/A, GB/T 42133)
        /// (default: `[ofd] profile` of book.toml, else `a` for an archival
        /// series, else plain).
        #[arg(long, value_enum)]
        ofd_profile: Option<OfdProfile>,
        /// PDF/A and PDF/UA: a-2b, a-2u, a-3u, ua-1, or a combination such
        /// as a-2u,ua-1 (default: `[pdf] standard` of book.toml).
        #[arg(long)]
        pdf_standard: Option<String>,
        /// For a series: build every N-th edition from K (`K/N`) and write
        /// a partial manifest.
        #[arg(long)]
        shard: Option<String>,
    },
    /// Check built files: a book is rebuilt in memory and compared with
    /// FILES; a series' files are compared with its manifest.
    Verify {
        #[arg(default_value = "sources")]
        input: PathBuf,
        /// Files built from a book (default: its EPUB and PDF in OUT_DIR).
        files: Vec<PathBuf>,
        /// Folder of the built files and the series' manifest.
        #[arg(short, long, default_value = "out")]
        out_dir: PathBuf,
        /// The PDF standard the files were built with (default: as configured).
        #[arg(long)]
        pdf_standard: Option<String>,
        /// The OFD profile the files were built with (default: as configured).
        #[arg(long, value_enum)]
        ofd_profile: Option<OfdProfile>,
    },
    /// Print a series' editions as a JSON task list, each with its --shard.
    Plan {
        #[arg(default_value = "sources")]
        input: PathBuf,
    },
    /// Work with series manifests.
    #[command(subcommand)]
    Manifest(ManifestCommand),
    /// Print the document model as JSON.
    Inspect {
        #[arg(default_value = "sources")]
        input: PathBuf,
    },
    /// List normalizations made and problems found; exit code 1 on errors.
    Check {
        #[arg(default_value = "sources")]
        input: PathBuf,
    },
    /// Write a new book skeleton that builds as is.
    Init {
        /// The folder to create (must not exist or be empty).
        dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum ManifestCommand {
    /// Join the partial manifests of a sharded build into one.
    Merge {
        /// The partial manifests.
        #[arg(required = true)]
        parts: Vec<PathBuf>,
        /// Where to write the whole manifest.
        #[arg(short, long, default_value = "out/manifest.json")]
        output: PathBuf,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Epub,
    Pdf,
    /// One PNG image per page of the PDF, `<slug>-001.png`, ...
    Png,
    Ofd,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OfdProfile {
    Plain,
    A,
}

impl OfdProfile {
    fn profile(self) -> inkstone::ofd::Profile {
        match self {
            OfdProfile::Plain => inkstone::ofd::Profile::Plain,
            OfdProfile::A => inkstone::ofd::Profile::Archive,
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Format::Epub => "epub",
            Format::Pdf => "pdf",
            Format::Png => "png",
            Format::Ofd => "ofd",
        })
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut diagnostics = Vec::new();
    let result = match &cli.command {
        Command::Build {
            input,
            out_dir,
            format,
            allow_missing_glyphs,
            ofd_profile,
            pdf_standard,
            shard,
            ..
        } if inkstone::series::is_series(input) => archive::build_series(
            cli.quiet,
            input,
            out_dir,
            &format.iter().map(ToString::to_string).collect::<Vec<_>>(),
            *allow_missing_glyphs,
            pdf_standard.as_deref(),
            ofd_profile.map(OfdProfile::profile),
            shard.as_deref(),
            &mut diagnostics,
        ),
        Command::Build { shard: Some(_), .. } => Err(Diagnostic::new(
            Severity::Error,
            None,
            "--shard is for a series folder (with series.toml)",
        )
        .into()),
        Command::Build {
            input,
            out_dir,
            format,
            allow_missing_glyphs,
            ofd_profile,
            pdf_standard,
            shard: None,
            ..
        } => build(
            &cli,
            input,
            out_dir,
            format,
            *allow_missing_glyphs,
            Standards {
                pdf: pdf_standard.as_deref(),
                ofd: *ofd_profile,
            },
            &mut diagnostics,
        ),
        Command::Inspect { input } => inspect(input, &mut diagnostics),
        Command::Check { input } => check(input, &mut diagnostics),
        Command::Init { dir } => init(dir),
        Command::Verify {
            input,
            files,
            out_dir,
            pdf_standard,
            ofd_profile,
        } => archive::verify(
            cli.quiet,
            input,
            files,
            out_dir,
            pdf_standard.as_deref(),
            ofd_profile.map(OfdProfile::profile),
            &mut diagnostics,
        ),
        Command::Plan { input } => archive::plan(input),
        Command::Manifest(ManifestCommand::Merge { parts, output }) => {
            archive::merge(cli.quiet, parts, output)
        }
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

/// The standards the PDF and the OFD of a build follow.
struct Standards<'a> {
    pdf: Option<&'a str>,
    ofd: Option<OfdProfile>,
}

fn build(
    cli: &Cli,
    input: &Path,
    out_dir: &Path,
    formats: &[Format],
    allow_missing_glyphs: bool,
    standards: Standards,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(), Failure> {
    let Standards {
        pdf: pdf_standard,
        ofd: ofd_profile,
    } = standards;
    let bar = progress(cli, 2 + formats.len().max(1) as u64);
    bar.set_message("reading sources");
    let loaded = inkstone::series::load_book(input, diagnostics)?;
    // Without --format, the formats of `[output]` in book.toml.
    let given: Vec<String> = formats.iter().map(ToString::to_string).collect();
    let formats: Vec<Format> = inkstone::series::output_formats(&given, &loaded)?
        .iter()
        .filter_map(|f| Format::from_str(f, false).ok())
        .collect();
    bar.set_length(2 + formats.len() as u64);
    bar.inc(1);
    bar.set_message("normalizing");
    let doc = inkstone::normalize(&loaded, diagnostics);
    bar.inc(1);
    check_output_dir(out_dir, &loaded.base_dir)?;
    let fonts = inkstone::fonts::resolve_fonts(&doc.settings.fonts, &doc.settings.base_dir)?;
    // The formats are rendered side by side; each is written whole, in
    // the order asked for, and a format that fails leaves no file.
    bar.set_message("rendering");
    let standard = inkstone::standard::resolve(pdf_standard, &loaded)?;
    let attachments = if standard.attaches_sources() {
        inkstone::standard::source_attachments(&loaded)?
    } else {
        Vec::new()
    };
    let ofd_options = inkstone::ofd::OfdOptions {
        profile: inkstone::series::ofd_profile(
            ofd_profile.map(OfdProfile::profile),
            &loaded,
            &standard,
        ),
        allow_missing_glyphs,
    };
    let options = inkstone::pdf::PdfOptions {
        allow_missing_glyphs,
        standard,
        attachments,
    };
    let dpi = match &cli.command {
        Command::Build { dpi, .. } => *dpi,
        _ => inkstone::export::png::DEFAULT_DPI,
    };
    // Each format gives its files: name and bytes; the book is typeset
    // once for the PDF, the OFD and the page images.
    let names: Vec<String> = formats.iter().map(ToString::to_string).collect();
    let export_options = inkstone::export::ExportOptions {
        pdf: options,
        ofd: ofd_options,
        dpi,
    };
    let rendered = inkstone::export::render_formats(&doc, &fonts, &names, &export_options);
    let mut written = Vec::new();
    let mut failures = Vec::new();
    for result in rendered {
        let (files, mut notes) = match result {
            Ok(done) => done,
            Err(failure) => {
                failures.extend(failure.diagnostics);
                continue;
            }
        };
        let has_error = notes.iter().any(Diagnostic::is_error);
        diagnostics.append(&mut notes);
        if has_error {
            continue;
        }
        for (name, bytes) in files {
            let path = out_dir.join(name);
            write_atomically(&path, &bytes)?;
            written.push((path, bytes.len()));
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    if !cli.quiet {
        for (path, size) in written {
            eprintln!("wrote {} ({} KB)", path.display(), size.div_ceil(1024));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Failure {
            diagnostics: failures,
        })
    }
}

fn inspect(input: &Path, diagnostics: &mut Vec<Diagnostic>) -> Result<(), Failure> {
    let doc = archive::load_document(input, diagnostics)?;
    let json = serde_json::to_string_pretty(&doc)
        .map_err(|e| Failure::new(Diagnostic::new(Severity::Error, None, e.to_string())))?;
    println!("{json}");
    Ok(())
}

fn check(input: &Path, diagnostics: &mut Vec<Diagnostic>) -> Result<(), Failure> {
    if inkstone::series::is_series(input) {
        // Each edition in turn; one that fails does not stop the others.
        for edition in inkstone::series::Series::open(input)?.editions {
            if let Err(failure) = check(&input.join(edition), diagnostics) {
                diagnostics.extend(failure.diagnostics);
            }
        }
        return Ok(());
    }
    let doc = archive::load_document(input, diagnostics)?;
    // Laying the book out finds what only typesetting can: characters no
    // font has, images that cannot be read, page styles that do not parse.
    let fonts = inkstone::fonts::resolve_fonts(&doc.settings.fonts, &doc.settings.base_dir)?;
    match inkstone::pdf::layout_document(&doc, &fonts, &inkstone::pdf::PdfOptions::default()) {
        Ok((_, mut found)) => diagnostics.append(&mut found),
        Err(failure) => diagnostics.extend(failure.diagnostics),
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
