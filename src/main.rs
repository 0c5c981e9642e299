//! The `inkstone` command line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use inkstone::diag::{Diagnostic, Failure, Severity};
use inkstone::output::{check_output_dir, write_all_atomically, write_atomically};

mod archive_cli;
mod serve_cli;
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
    /// How problems are printed: `human` (the source line with a caret
    /// under the place, and the hint) or `short` (one line each).
    #[arg(long, global = true, value_enum, default_value_t = DiagnosticFormat::Human)]
    diagnostic_format: DiagnosticFormat,
    /// When to colour messages: `auto` (on a terminal, unless NO_COLOR is
    /// set), `always` or `never`.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
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
        /// Installed fonts may supply characters the book's fonts lack.
        #[arg(long)]
        system_fonts: bool,
        /// Replace output files built from another book.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        single: SingleFile,
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
        /// A book folder or a single file; default: this folder if it has
        /// a book.toml, else `sources/`.
        input: Option<PathBuf>,
        #[command(flatten)]
        single: SingleFile,
    },
    /// List normalizations made and problems found; exit code 1 on errors.
    Check {
        /// A book folder or a single file; default: this folder if it has
        /// a book.toml, else `sources/`.
        input: Option<PathBuf>,
        /// Installed fonts may supply characters the book's fonts lack.
        #[arg(long)]
        system_fonts: bool,
        /// List every place of every warning and normalization, not only
        /// the count per rule.
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        single: SingleFile,
    },
    /// List the faces a book would use, and the characters no face has.
    Fonts {
        /// A book folder or a single file; without it, the default faces.
        input: Option<PathBuf>,
        /// Installed fonts may supply characters the book's fonts lack.
        #[arg(long)]
        system_fonts: bool,
    },
    /// Write a new book skeleton that builds as is.
    Init {
        /// The folder to create (must not exist or be empty).
        dir: PathBuf,
    },
    /// Build, then rebuild whenever a source, book.toml, style or font
    /// changes (stop with Ctrl-C).
    Watch {
        /// A book folder (with book.toml) or a single .txt or .md file.
        #[arg(default_value = "sources")]
        input: PathBuf,
        /// Folder for the output files.
        #[arg(short, long, default_value = "out")]
        out_dir: PathBuf,
        /// Formats to build, separated by commas.
        #[arg(short, long, value_delimiter = ',', default_values_t = [Format::Epub, Format::Pdf])]
        format: Vec<Format>,
        /// Characters that no font has are warnings, not errors.
        #[arg(long)]
        allow_missing_glyphs: bool,
        #[command(flatten)]
        single: SingleFile,
    },
    /// Build the book and show it on a local web page (the EPUB's chapters,
    /// the PDF's pages, the problems found) that reloads after every
    /// rebuild; rebuilds whenever a file changes, as `watch` does (stop
    /// with Ctrl-C). Writes no files.
    Serve {
        /// A book folder or a single .txt or .md file; default: this folder
        /// if it has a book.toml, else `sources/` (for a series: its last
        /// edition).
        input: Option<PathBuf>,
        /// The port on 127.0.0.1 to serve at (0: any free port).
        #[arg(short, long, default_value_t = 3000)]
        port: u16,
        /// Open the page in the default web browser.
        #[arg(long)]
        open: bool,
        /// Characters that no font has are warnings, not errors.
        #[arg(long)]
        allow_missing_glyphs: bool,
        #[command(flatten)]
        single: SingleFile,
    },
    /// Print a shell completion script (docs/guide.md says where it goes).
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// Settings for a single .txt or .md file built without a book folder.
#[derive(clap::Args, Clone, Default)]
struct SingleFile {
    /// The title (default: the file's first line).
    #[arg(long, help_heading = "Single file")]
    title: Option<String>,
    /// The subtitle (default: from the first line, after "——").
    #[arg(long, help_heading = "Single file")]
    subtitle: Option<String>,
    /// An author; repeat for several.
    #[arg(long = "author", help_heading = "Single file")]
    authors: Vec<String>,
    /// The PDF page style: a5-book, a4-report, or a style file.
    #[arg(long, help_heading = "Single file")]
    style: Option<String>,
    /// How to read the file (default: from its extension).
    #[arg(long, value_enum, help_heading = "Single file")]
    input_format: Option<InputFormatArg>,
    /// The file's encoding, such as gbk or utf-16le (default: detected).
    #[arg(long, help_heading = "Single file")]
    encoding: Option<String>,
    /// A book.toml for metadata, styles, fonts and normalization (default:
    /// the one beside the file, if any; its [contents] is not used).
    #[arg(long, help_heading = "Single file")]
    config: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum InputFormatArg {
    Text,
    Markdown,
}

impl SingleFile {
    fn options(&self) -> inkstone::SingleFileOptions {
        inkstone::SingleFileOptions {
            config: self.config.clone(),
            title: self.title.clone(),
            subtitle: self.subtitle.clone(),
            authors: self.authors.clone(),
            style: self.style.clone(),
            format: self.input_format.map(|f| match f {
                InputFormatArg::Text => inkstone::config::InputFormat::Text,
                InputFormatArg::Markdown => inkstone::config::InputFormat::Markdown,
            }),
            encoding: self.encoding.clone(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiagnosticFormat {
    Human,
    Short,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
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
    // One PNG image per page of the PDF, `<name>-001.png`, ...
    Png,
    Ofd,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OfdProfile {
    Plain,
    A,
}

impl OfdProfile {
    fn profile(self) -> inkstone::export::ofd::Profile {
        match self {
            OfdProfile::Plain => inkstone::export::ofd::Profile::Plain,
            OfdProfile::A => inkstone::export::ofd::Profile::Archive,
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
            system_fonts: true,
            ..
        } if inkstone::series::is_series(&input_or_default(input)) => Err(Diagnostic::new(
            Severity::Error,
            None,
            "--system-fonts is for one book; for a series set `[fonts] system = true` in series.toml",
        )
        .into()),
        Command::Build {
            input,
            out_dir,
            force,
            format,
            allow_missing_glyphs,
            ofd_profile,
            pdf_standard,
            shard,
            system_fonts: _,
            single: _,
            dpi: _,
        } if inkstone::series::is_series(&input_or_default(input)) => archive::build_series(
            cli.quiet,
            &input_or_default(input),
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
            system_fonts,
            single,
            force,
            dpi: _,
        } => {
            inkstone::output::remove_temp_files_on_interrupt();
            build(
                &cli,
                &input_or_default(input),
                out_dir,
                format,
                &BuildChoices {
                    allow_missing_glyphs: *allow_missing_glyphs,
                    system_fonts: *system_fonts,
                    pdf_standard: pdf_standard.as_deref(),
                    ofd_profile: *ofd_profile,
                    force: *force,
                    single: single.options(),
                    reuse: None,
                },
                &mut diagnostics,
            )
        }
        Command::Inspect { input, single } => inspect(
            &input_or_default(input),
            &single.options(),
            &mut diagnostics,
        ),
        Command::Check {
            input,
            system_fonts,
            single,
            ..
        } => check(
            &input_or_default(input),
            *system_fonts,
            &single.options(),
            &mut diagnostics,
        ),
        Command::Fonts {
            input,
            system_fonts,
        } => list_fonts(input.as_deref(), *system_fonts, &mut diagnostics),
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
        Command::Watch {
            input,
            out_dir,
            format,
            allow_missing_glyphs,
            single,
        } => watch(
            &cli,
            input,
            out_dir,
            format,
            &BuildChoices {
                allow_missing_glyphs: *allow_missing_glyphs,
                system_fonts: false,
                pdf_standard: None,
                ofd_profile: None,
                force: false,
                single: single.options(),
                reuse: None,
            },
        ),
        Command::Serve {
            input,
            port,
            open,
            allow_missing_glyphs,
            single,
        } => serve_cli::serve(
            &cli,
            &input_or_default(input),
            *port,
            *open,
            &BuildChoices {
                allow_missing_glyphs: *allow_missing_glyphs,
                system_fonts: false,
                pdf_standard: None,
                ofd_profile: None,
                force: false,
                single: single.options(),
                reuse: None,
            },
        ),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "inkstone", &mut script);
            // A closed pipe (`| head`) is not an error worth a message.
            let _ = std::io::Write::write_all(&mut std::io::stdout(), &script);
            Ok(())
        }
    };
    let failed = match result {
        Ok(()) => diagnostics.iter().any(Diagnostic::is_error),
        Err(failure) => {
            diagnostics.extend(failure.diagnostics);
            true
        }
    };
    // A single file without a book.toml: hints name the flags.
    let single_input = match &cli.command {
        Command::Build { input, single, .. }
        | Command::Inspect { input, single }
        | Command::Check { input, single, .. } => {
            let input = input_or_default(input);
            input.is_file()
                && input.extension().is_none_or(|e| e != "toml")
                && single.config.is_none()
                && !input
                    .parent()
                    .is_some_and(|dir| dir.join(inkstone::config::BOOK_FILE).is_file())
        }
        _ => false,
    };
    if single_input {
        diagnostics = diagnostics
            .into_iter()
            .map(inkstone::diag::for_single_file)
            .collect();
    }
    report(&cli, diagnostics);
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints the diagnostics of a run, each once: errors and warnings in
/// full, notes with `--verbose` (and by `check`). `check` without `--all`
/// prints one line per rule with its count instead of every place of a
/// warning or note.
fn report(cli: &Cli, diagnostics: Vec<Diagnostic>) {
    let diagnostics = inkstone::diag::deduplicate(diagnostics);
    let is_check = matches!(cli.command, Command::Check { .. });
    let summarize = matches!(cli.command, Command::Check { all: false, .. });
    let show_notes = cli.verbose || is_check;
    let styled = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            use std::io::IsTerminal;
            std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let mut sources = inkstone::diag::Sources::default();
    // Rules in order of first appearance: severity, rule, count, first place.
    let mut rules: Vec<(Severity, String, usize, String)> = Vec::new();
    let mut full = Vec::new();
    for d in &diagnostics {
        let shown = match d.severity {
            Severity::Error => true,
            Severity::Warning | Severity::Info => !cli.quiet,
            Severity::Note => show_notes && !cli.quiet,
        };
        if !shown {
            continue;
        }
        if summarize && !d.is_error() && d.location.is_some() {
            let rule = inkstone::diag::rule_of(d);
            match rules
                .iter_mut()
                .find(|(severity, r, _, _)| *severity == d.severity && *r == rule)
            {
                Some(entry) => entry.2 += 1,
                None => rules.push((
                    d.severity,
                    rule,
                    1,
                    d.location
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                )),
            }
            continue;
        }
        full.push(d);
    }
    for (severity, rule, count, first) in &rules {
        let place = if *count == 1 { "at" } else { "first at" };
        eprintln!("{severity}: {count} × {rule} ({place} {first})");
    }
    if !rules.is_empty() {
        eprintln!("(`inkstone check --all` lists every place)");
    }
    for d in full {
        match cli.diagnostic_format {
            DiagnosticFormat::Short => eprintln!("{d}"),
            DiagnosticFormat::Human => eprintln!("{}", d.render(&mut sources, styled)),
        }
    }
}

/// The progress display of a build: nothing during the first second, so a
/// short build prints only what it wrote; then the elapsed time, the step
/// and how many chapters and pages are laid out.
struct Progress {
    bar: ProgressBar,
    layout: std::sync::Arc<inkstone::typeset::LayoutProgress>,
    chapters: std::sync::Arc<AtomicUsize>,
    done: std::sync::Arc<AtomicBool>,
    watcher: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    fn start(cli: &Cli) -> Progress {
        let bar = ProgressBar::hidden();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed:>3} {prefix} {msg}") {
            bar.set_style(style);
        }
        let layout = std::sync::Arc::new(inkstone::typeset::LayoutProgress::default());
        let chapters = std::sync::Arc::new(AtomicUsize::new(0));
        let done = std::sync::Arc::new(AtomicBool::new(false));
        let watcher = (!cli.quiet).then(|| {
            let (bar, layout, chapters, done) =
                (bar.clone(), layout.clone(), chapters.clone(), done.clone());
            std::thread::spawn(move || {
                let started = std::time::Instant::now();
                let mut shown = false;
                while !done.load(Ordering::Relaxed) {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    if !shown && started.elapsed() >= std::time::Duration::from_secs(1) {
                        bar.set_draw_target(ProgressDrawTarget::stderr());
                        bar.enable_steady_tick(std::time::Duration::from_millis(100));
                        shown = true;
                    }
                    let pages = layout.pages.load(Ordering::Relaxed);
                    let laid = layout.chapters.load(Ordering::Relaxed);
                    let total = chapters.load(Ordering::Relaxed);
                    if pages > 0 {
                        bar.set_message(format!("{pages} pages laid out"));
                    } else if laid > 0 {
                        bar.set_message(format!("{laid}/{total} chapters laid out"));
                    }
                }
            })
        });
        Progress {
            bar,
            layout,
            chapters,
            done,
            watcher,
        }
    }

    fn step(&self, name: &'static str) {
        self.bar.set_prefix(name);
    }

    fn finish(self) {
        drop(self);
    }
}

/// The display goes when the build ends, however it ends.
impl Drop for Progress {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(watcher) = self.watcher.take() {
            let _ = watcher.join();
        }
        self.bar.finish_and_clear();
    }
}

/// What the command line chose for a book's build, besides where it goes
/// and which formats.
struct BuildChoices<'a> {
    allow_missing_glyphs: bool,
    system_fonts: bool,
    pdf_standard: Option<&'a str>,
    ofd_profile: Option<OfdProfile>,
    /// Replace output files built from another book.
    force: bool,
    single: inkstone::SingleFileOptions,
    /// Font subsets kept from earlier builds (`watch`, `serve`).
    reuse: Option<std::sync::Arc<inkstone::export::epub::fonts::SubsetMemo>>,
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

/// Where the files of one format go: a format of one file takes `path`;
/// page images are `<stem>-001.png`, ... beside it.
fn named_files(path: &Path, files: Vec<(String, Vec<u8>)>) -> Vec<(PathBuf, Vec<u8>)> {
    if files.len() == 1 && path.extension().is_some_and(|e| e != "png") {
        return files
            .into_iter()
            .map(|(_, b)| (path.to_path_buf(), b))
            .collect();
    }
    let stem = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let dir = path.parent().unwrap_or(Path::new(""));
    files
        .into_iter()
        .enumerate()
        .map(|(k, (_, bytes))| (dir.join(format!("{stem}-{:03}.png", k + 1)), bytes))
        .collect()
}

fn build(
    cli: &Cli,
    input: &Path,
    out: &Path,
    formats: &[Format],
    choices: &BuildChoices,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(), Failure> {
    let &BuildChoices {
        allow_missing_glyphs,
        system_fonts,
        pdf_standard,
        ofd_profile,
        force,
        ..
    } = choices;
    let bar = Progress::start(cli);
    bar.step("reading sources");
    let mut loaded = inkstone::series::load_book(input, &choices.single, diagnostics)?;
    // Without --format, the formats of `[output]` in book.toml.
    let given: Vec<String> = formats.iter().map(ToString::to_string).collect();
    let formats: Vec<Format> = inkstone::series::output_formats(&given, &loaded)?
        .iter()
        .filter_map(|f| Format::from_str(f, false).ok())
        .collect();
    bar.step("normalizing");
    let mut doc = inkstone::normalize(&loaded, diagnostics);
    // The document holds the text from here on; its sources' copy (as
    // large as the text) is given back before the formats are rendered.
    for source in &mut loaded.sources {
        source.file.text = String::new();
    }
    doc.settings.fonts.system |= system_fonts;
    bar.chapters.store(doc.chapters.len(), Ordering::Relaxed);
    // Each image is read once: checked here, then rendered.
    let images = inkstone::resolve::images::read_images(&doc);
    diagnostics.extend(inkstone::resources::check_resources(&doc, &images));
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Ok(());
    }
    let paths = output_paths(out, &formats, &doc.settings.slug)?;
    let out_dir = match paths.first().and_then(|p| p.parent()) {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    check_output_dir(&out_dir, &loaded.base_dir)?;
    let source = match loaded.sources.first() {
        Some(first) if loaded.single_file => first.file.path.clone(),
        _ => loaded.base_dir.clone(),
    };
    // A build killed while renaming its files is finished first, and the
    // temporary files of dead runs are removed.
    inkstone::output::recover(&out_dir)?;
    inkstone::output::check_ownership(&paths, &source, force)?;
    let fonts = inkstone::fonts::resolve_fonts(&doc.settings.fonts, &doc.settings.base_dir)?;
    // The formats are rendered side by side and written together: all of
    // them, or (when one fails) none, so the files of a folder always come
    // from one build.
    bar.step("rendering");
    let standard = inkstone::standard::resolve(pdf_standard, &loaded)?;
    let attachments = if standard.attaches_sources() {
        inkstone::standard::source_attachments(&loaded)?
    } else {
        Vec::new()
    };
    let ofd_options = inkstone::export::ofd::OfdOptions {
        profile: inkstone::series::ofd_profile(
            ofd_profile.map(OfdProfile::profile),
            &loaded,
            &standard,
        ),
        allow_missing_glyphs,
    };
    let options = inkstone::typeset::PdfOptions {
        allow_missing_glyphs,
        standard,
        attachments,
        progress: Some(bar.layout.clone()),
        missing_glyphs: Vec::new(),
    };
    let dpi = match &cli.command {
        Command::Build { dpi, .. } => *dpi,
        _ => inkstone::export::png::DEFAULT_DPI,
    };
    let names: Vec<String> = formats.iter().map(ToString::to_string).collect();
    let export_options = inkstone::export::ExportOptions {
        pdf: options,
        ofd: ofd_options,
        dpi,
        subsets: choices.reuse.clone(),
    };
    // The book is typeset once for the PDF, the OFD and the page images.
    let rendered =
        inkstone::export::render_formats_with(&doc, &fonts, &names, &export_options, &images);
    let mut done = Vec::new();
    let mut failures = Vec::new();
    // Each format looks at the same text: a problem both report at the
    // same place (a missing image, say) is reported once, as the first
    // format said it.
    let mut places = std::collections::HashSet::new();
    for (path, result) in paths.iter().zip(rendered) {
        let (files, mut notes, failed) = match result {
            Ok((files, notes)) => (files, notes, false),
            Err(failure) => (Vec::new(), failure.diagnostics, true),
        };
        let this_format: Vec<_> = notes.iter().filter_map(problem_place).collect();
        notes.retain(|d| problem_place(d).is_none_or(|place| !places.contains(&place)));
        places.extend(this_format);
        if failed {
            failures.extend(notes);
            continue;
        }
        let has_error = notes.iter().any(Diagnostic::is_error);
        diagnostics.append(&mut notes);
        if !has_error {
            done.push(named_files(path, files));
        }
    }
    bar.finish();
    if !failures.is_empty() {
        return Err(Failure {
            diagnostics: failures,
        });
    }
    if done.len() < paths.len() {
        return Ok(());
    }
    let done: Vec<(PathBuf, Vec<u8>)> = done.into_iter().flatten().collect();
    let written: Vec<PathBuf> = done.iter().map(|(path, _)| path.clone()).collect();
    // The record of which book the files came from is committed with
    // them, so a killed build never leaves files the next one refuses.
    let record = inkstone::output::ownership_record(&written, &source);
    let mut files: Vec<(PathBuf, &[u8])> = done
        .iter()
        .map(|(path, bytes)| (path.clone(), bytes.as_slice()))
        .collect();
    if let Some((path, text)) = &record {
        files.push((path.clone(), text.as_bytes()));
    }
    write_all_atomically(&files)?;
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

fn inspect(
    input: &Path,
    single: &inkstone::SingleFileOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(), Failure> {
    let doc = archive::load_document(input, single, diagnostics)?;
    let json = serde_json::to_string_pretty(&doc)
        .map_err(|e| Failure::new(Diagnostic::new(Severity::Error, None, e.to_string())))?;
    print_out(&json)
}

/// Writes `text` and a newline to standard output. A reader that stops
/// reading (`inkstone inspect book | head`) ends the output quietly;
/// any other failure to write is an error.
pub(crate) fn print_out(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::new(Diagnostic::new(
            Severity::Error,
            None,
            format!("cannot write the output: {e}"),
        ))),
        _ => Ok(()),
    }
}

/// Adds what a later stage of `inkstone check` `found`. A problem an
/// earlier stage already reported at the same place (a missing image,
/// which the layout and the EPUB look for too) is reported once, as the
/// first said it, as a build does.
fn add_found(diagnostics: &mut Vec<Diagnostic>, found: Vec<Diagnostic>) {
    let places: std::collections::HashSet<_> =
        diagnostics.iter().filter_map(problem_place).collect();
    for d in found {
        let seen = problem_place(&d).is_some_and(|place| places.contains(&place));
        if !seen && !diagnostics.contains(&d) {
            diagnostics.push(d);
        }
    }
}

/// What makes two reports of a warning or error the same problem: its
/// severity and its place in a source line. A note, or a report with no
/// line, has none.
fn problem_place(d: &Diagnostic) -> Option<(Severity, inkstone::diag::Location)> {
    let place = d.location.clone().filter(|l| l.line > 0)?;
    (d.severity >= Severity::Warning).then_some((d.severity, place))
}

fn check(
    input: &Path,
    system_fonts: bool,
    single: &inkstone::SingleFileOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(), Failure> {
    if inkstone::series::is_series(input) {
        // Each edition in turn; one that fails does not stop the others.
        for edition in inkstone::series::Series::open(input)?.editions {
            if let Err(failure) = check(&input.join(edition), system_fonts, single, diagnostics) {
                diagnostics.extend(failure.diagnostics);
            }
        }
        return Ok(());
    }
    let mut doc = archive::load_document(input, single, diagnostics)?;
    doc.settings.fonts.system |= system_fonts;
    // Characters no font has are found as a build finds them. Laying the
    // book out finds images that cannot be read and page styles that do
    // not parse; the EPUB stage warns about links and dropped characters;
    // both are rendered in memory and nothing is written.
    // Each image is read once, for the check, the layout and the EPUB.
    let images = inkstone::resolve::images::read_images(&doc);
    diagnostics.extend(inkstone::resources::check_resources(&doc, &images));
    let fonts = inkstone::fonts::resolve_fonts(&doc.settings.fonts, &doc.settings.base_dir)?;
    let glyphs = inkstone::resolve::glyphs::resolve_glyphs(&doc, &fonts, false);
    diagnostics.extend(glyphs.diagnostics);
    let fonts = glyphs.fonts;
    let laid_out = inkstone::resolve::resolve_with(&doc, &images).and_then(|resolved| {
        inkstone::typeset::layout_resolved(
            &doc,
            &fonts,
            &inkstone::typeset::PdfOptions::default(),
            &resolved,
        )
    });
    match laid_out {
        Ok((_, found)) => add_found(diagnostics, found),
        Err(failure) => add_found(diagnostics, failure.diagnostics),
    }
    let epub = inkstone::resolve::epub::resolve_epub(&doc, &images).and_then(|resolved| {
        inkstone::export::epub::render_epub_resolved(&doc, &fonts, None, &resolved)
    });
    match epub {
        Ok((_, found)) => add_found(diagnostics, found),
        Err(failure) => add_found(diagnostics, failure.diagnostics),
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

/// `inkstone fonts`: the faces with family, style, source and character
/// count; for a book, the characters no face has, with their places (as
/// a build reports them).
fn list_fonts(
    input: Option<&Path>,
    system_fonts: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(), Failure> {
    let mut doc = match input {
        Some(input) => Some(inkstone::load_document(input, diagnostics)?),
        None => None,
    };
    let mut settings = match &doc {
        Some(doc) => doc.settings.fonts.clone(),
        None => inkstone::model::FontSettings {
            body: vec![inkstone::normalize::DEFAULT_BODY_FONT.to_string()],
            heading: vec![inkstone::normalize::DEFAULT_HEADING_FONT.to_string()],
            paths: Vec::new(),
            system: false,
        },
    };
    settings.system |= system_fonts;
    let base_dir = doc
        .as_ref()
        .map(|doc| doc.settings.base_dir.clone())
        .unwrap_or_default();
    let fonts = inkstone::fonts::resolve_fonts(&settings, &base_dir)?;
    // A closed pipe (`| head`) ends the listing quietly.
    let mut out = std::io::stdout().lock();
    for face in fonts.faces() {
        let roles: Vec<&str> = [
            ("body", &fonts.body),
            ("bold", &fonts.body_bold),
            ("heading", &fonts.heading),
        ]
        .iter()
        .filter(|(_, chain)| {
            chain
                .iter()
                .any(|f| std::sync::Arc::ptr_eq(&f.data, &face.data) && f.index == face.index)
        })
        .map(|(role, _)| *role)
        .collect();
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{} characters\t{}",
            face.family,
            if face.bold { "bold" } else { "regular" },
            face.origin,
            face.chars().len(),
            roles.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "system fonts: {}",
        if settings.system {
            "allowed for characters the faces above lack"
        } else {
            "not used"
        }
    );
    let Some(doc) = doc.as_mut() else {
        return Ok(());
    };
    doc.settings.fonts.system = settings.system;
    let found = inkstone::resolve::glyphs::resolve_glyphs(doc, &fonts, true).diagnostics;
    let mut missing = 0;
    for d in found {
        if d.message.starts_with("no font has") {
            missing += 1;
            let _ = writeln!(out, "{d}");
        } else if d.severity != Severity::Note || d.message.contains(" is not in the font ") {
            diagnostics.push(d);
        }
    }
    let _ = writeln!(out, "characters no face has: {missing}");
    Ok(())
}

/// Builds, then rebuilds each time a file the book is made of changes:
/// every file in the book folder (or the single file and the book.toml
/// beside it), and styles, fonts and the cover named in book.toml
/// wherever they are. Files are compared by size and modification time,
/// five times a second. Runs until interrupted.
fn watch(
    cli: &Cli,
    input: &Path,
    out_dir: &Path,
    formats: &[Format],
    choices: &BuildChoices,
) -> Result<(), Failure> {
    let single = &choices.single;
    // Only what changed is made again: font subsets whose characters did
    // not change are kept from the build before.
    let choices = &BuildChoices {
        reuse: Some(Default::default()),
        single: single.clone(),
        ..*choices
    };
    loop {
        // Taken before the build, so that an edit made during it counts.
        let stamps = watched_stamps(input, out_dir, single);
        let started = std::time::Instant::now();
        let mut diagnostics = Vec::new();
        if let Err(failure) = build(cli, input, out_dir, formats, choices, &mut diagnostics) {
            diagnostics.extend(failure.diagnostics);
        }
        report(cli, diagnostics);
        if !cli.quiet {
            eprintln!(
                "built in {} ms; watching {} for changes",
                started.elapsed().as_millis(),
                input.display()
            );
        }
        while watched_stamps(input, out_dir, single) == stamps {
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }
}

type Stamp = (PathBuf, u64, Option<std::time::SystemTime>);

/// Size and modification time of every file a build of `input` reads.
fn watched_stamps(
    input: &Path,
    out_dir: &Path,
    single: &inkstone::SingleFileOptions,
) -> Vec<Stamp> {
    let mut paths = Vec::new();
    let base_dir = if input.is_dir() {
        list_files(input, out_dir, &mut paths);
        input.to_path_buf()
    } else {
        let dir = input.parent().map(Path::to_path_buf).unwrap_or_default();
        paths.push(input.to_path_buf());
        paths.push(dir.join(inkstone::config::BOOK_FILE));
        paths.extend(single.config.clone());
        dir
    };
    // Styles, fonts and the cover may live outside the book folder.
    let toml = single
        .config
        .clone()
        .unwrap_or_else(|| base_dir.join(inkstone::config::BOOK_FILE));
    if let Ok(config) = inkstone::config::BookConfig::read(&toml) {
        let named = config
            .style
            .epub
            .iter()
            .chain(&config.style.pdf)
            .chain(&config.fonts.paths)
            .chain(&config.book.cover);
        for name in named {
            let path = base_dir.join(name);
            if path.is_dir() {
                list_files(&path, out_dir, &mut paths);
            } else {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .map(|path| {
            let meta = std::fs::metadata(&path).ok();
            let size = meta.as_ref().map_or(0, std::fs::Metadata::len);
            let modified = meta.and_then(|m| m.modified().ok());
            (path, size, modified)
        })
        .collect()
}

/// The files under `dir` (at most 8 folders deep), leaving out the output
/// folder and hidden files such as editors' swap files.
fn list_files(dir: &Path, out_dir: &Path, paths: &mut Vec<PathBuf>) {
    let out = std::fs::canonicalize(out_dir).ok();
    let mut stack = vec![(dir.to_path_buf(), 0)];
    while let Some((folder, depth)) = stack.pop() {
        if out.is_some() && std::fs::canonicalize(&folder).ok() == out {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if path.is_dir() {
                if depth < 8 {
                    stack.push((path, depth + 1));
                }
            } else {
                paths.push(path);
            }
        }
    }
}
