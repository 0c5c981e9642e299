//! A series: one book a year (or an issue, a volume) with shared defaults.
//!
//! A series folder holds `series.toml` and one folder per edition, each a
//! book folder with its own `book.toml`. `series.toml` takes the tables
//! of `book.toml` (`[book]`, `[style]`, `[fonts]`, `[pdf]`, `[normalize]`)
//! as defaults that every edition inherits key by key and may override,
//! and a `[series]` table with the series' own title. Unless one of them
//! names another, the PDF of a series edition conforms to PDF/A-2u and
//! PDF/UA-1.
//!
//! Building a series builds every edition in one process: fonts are
//! resolved once per distinct font setting, editions are rendered in
//! parallel, an edition that fails is reported and the others are still
//! built, and `manifest.json` records what was written. The edition is
//! the unit of work: `--shard K/N` builds every N-th edition from K, so a
//! scheduler can spread a large shelf over machines.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Deserialize;

use crate::config::{BookConfig, Input, BOOK_FILE};
use crate::diag::{Diagnostic, Failure, Location, Severity};
use crate::fonts::FontSet;
use crate::manifest::{sha256_hex, EditionEntry, FileEntry, Manifest, SourceEntry};
use crate::resolve::images::ImageFiles;
use crate::standard::{PdfStandard, SERIES_DEFAULT};

/// The file that makes a folder a series.
pub const SERIES_FILE: &str = "series.toml";

/// Whether `path` is a series folder.
pub fn is_series(path: &Path) -> bool {
    path.join(SERIES_FILE).is_file()
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SeriesMeta {
    title: Option<String>,
}

/// An opened series: its defaults and its editions' folders.
#[derive(Debug, Clone)]
pub struct Series {
    pub dir: PathBuf,
    pub title: Option<String>,
    /// Edition folder names, in name order.
    pub editions: Vec<String>,
    /// The defaults, as `book.toml` tables, with paths made relative to
    /// an edition folder.
    defaults: toml::Table,
    /// `series.toml` as read.
    source: Vec<u8>,
}

/// What to build and how.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// `epub`, `pdf`, `ofd`, in the order to write them; empty: each
    /// book's `[output] formats` (see [`output_formats`]).
    pub formats: Vec<String>,
    /// The OFD profile instead of the configured one (see [`ofd_profile`]).
    pub ofd_profile: Option<crate::export::ofd::Profile>,
    /// A standard for every edition's PDF instead of the configured one.
    pub pdf_standard: Option<String>,
    pub allow_missing_glyphs: bool,
    /// `(K, N)`: build every N-th edition from K.
    pub shard: Option<(usize, usize)>,
}

/// What a series build did.
#[derive(Debug)]
pub struct Outcome {
    pub manifest: Manifest,
    /// Where the manifest was written.
    pub manifest_path: PathBuf,
    /// Editions that failed, with what went wrong.
    pub failed: Vec<(String, Failure)>,
    /// Warnings and notes of the editions built, each with its place.
    pub diagnostics: Vec<Diagnostic>,
}

/// One rendered output: its file name and bytes.
#[derive(Debug, Clone)]
pub struct Output {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Series {
    /// Reads `series.toml` and lists the editions: the sub-folders that
    /// have a `book.toml`.
    pub fn open(dir: &Path) -> Result<Series, Failure> {
        let path = dir.join(SERIES_FILE);
        let source = std::fs::read(&path).map_err(|e| Failure::io(&path, "read", &e))?;
        let text = String::from_utf8(source.clone()).map_err(|_| {
            Failure::new(
                Diagnostic::error(Location::file(&path), "series.toml is not UTF-8")
                    .with_hint("save the file as UTF-8"),
            )
        })?;
        let toml_error = |message: String| -> Failure {
            Diagnostic::error(Location::file(&path), message)
                .with_hint("series.toml takes [series] title and the tables of book.toml")
                .into()
        };
        let mut table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| toml_error(e.to_string()))?;
        let meta: SeriesMeta = match table.remove("series") {
            Some(value) => value
                .try_into()
                .map_err(|e: toml::de::Error| toml_error(format!("[series]: {e}")))?,
            None => SeriesMeta::default(),
        };
        // The defaults must be valid book.toml tables on their own.
        let _: BookConfig =
            toml::Value::Table(table.clone())
                .try_into()
                .map_err(|e: toml::de::Error| {
                    // A value that is not one of the names a key takes (a
                    // format, a mode) is shown at its place in series.toml.
                    let message = e.to_string();
                    let named = message
                        .strip_prefix("unknown variant `")
                        .and_then(|rest| rest.split_once('`'))
                        .map(|(value, _)| value);
                    match named {
                        Some(value) => Diagnostic::error(
                            crate::config::locate_value(&path, value),
                            message.trim().replace('\n', " "),
                        )
                        .into(),
                        None => toml_error(message),
                    }
                })?;
        relocate_paths(&mut table);
        let mut editions = Vec::new();
        let entries = std::fs::read_dir(dir).map_err(|e| Failure::io(dir, "list", &e))?;
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() && p.join(BOOK_FILE).is_file() {
                if let Some(name) = p.file_name().and_then(|n| n.to_str()) {
                    editions.push(name.to_string());
                }
            }
        }
        editions.sort();
        if editions.is_empty() {
            return Err(
                Diagnostic::error(Location::file(dir), "the series has no editions")
                    .with_hint("put each edition in a folder of its own (`2024/`) with a book.toml")
                    .into(),
            );
        }
        Ok(Series {
            dir: dir.to_path_buf(),
            title: meta.title,
            editions,
            defaults: table,
            source,
        })
    }

    /// The editions of shard `K/N` (all without a shard).
    pub fn shard(&self, shard: Option<(usize, usize)>) -> Vec<&str> {
        self.editions
            .iter()
            .enumerate()
            .filter(|(i, _)| shard.is_none_or(|(k, n)| i % n == k))
            .map(|(_, e)| e.as_str())
            .collect()
    }

    /// Loads one edition with the series' defaults under its own keys.
    pub fn load_edition(
        &self,
        folder: &str,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<crate::Loaded, Failure> {
        let dir = self.dir.join(folder);
        // Opening checks the edition's own book.toml, with places.
        let Input::Book { .. } = Input::open(&dir)? else {
            return Err(Failure::new(Diagnostic::error(
                Location::file(&dir),
                "an edition is a folder",
            )));
        };
        let toml_path = dir.join(BOOK_FILE);
        let text = crate::config::read_utf8(&toml_path)?;
        let own: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            Failure::new(Diagnostic::error(Location::file(&toml_path), e.to_string()))
        })?;
        let mut merged = self.defaults.clone();
        overlay(&mut merged, own);
        let mut config: BookConfig =
            toml::Value::Table(merged)
                .try_into()
                .map_err(|e: toml::de::Error| {
                    Failure::new(
                        Diagnostic::error(Location::file(&toml_path), e.to_string())
                            .with_hint("check the keys against series.toml"),
                    )
                })?;
        if config.pdf.standard.is_none() {
            config.pdf.standard = Some(SERIES_DEFAULT.to_string());
        }
        crate::load_input(
            Input::Book {
                dir,
                config: Box::new(config),
            },
            &crate::SingleFileOptions::default(),
            diagnostics,
        )
    }

    /// The JSON task list of `inkstone plan`: one task per edition, each
    /// with the `--shard` that builds exactly that edition.
    pub fn plan(&self) -> serde_json::Value {
        let n = self.editions.len();
        let tasks: Vec<_> = self
            .editions
            .iter()
            .enumerate()
            .map(|(i, folder)| {
                serde_json::json!({
                    "index": i,
                    "edition": folder,
                    "shard": format!("{i}/{n}"),
                })
            })
            .collect();
        serde_json::json!({
            "series": self.title,
            "editions": n,
            "tasks": tasks,
        })
    }
}

/// Paths in the defaults are written from the series folder; an edition
/// reads them from its own folder, one level down.
fn relocate_paths(table: &mut toml::Table) {
    let up = |v: &mut toml::Value| {
        if let toml::Value::String(s) = v {
            if !Path::new(s.as_str()).is_absolute() {
                *s = format!("../{s}");
            }
        }
    };
    let is_path = |v: &toml::Value| {
        v.as_str()
            .is_some_and(|s| s.contains('/') || s.contains('.'))
    };
    if let Some(toml::Value::Table(style)) = table.get_mut("style") {
        if let Some(v) = style.get_mut("pdf").filter(|v| is_path(v)) {
            up(v);
        }
        if let Some(toml::Value::Array(list)) = style.get_mut("epub") {
            for v in list.iter_mut().filter(|v| is_path(v)) {
                up(v);
            }
        }
    }
    if let Some(toml::Value::Table(fonts)) = table.get_mut("fonts") {
        if let Some(toml::Value::Array(list)) = fonts.get_mut("paths") {
            list.iter_mut().for_each(up);
        }
    }
    if let Some(toml::Value::Table(book)) = table.get_mut("book") {
        if let Some(v) = book.get_mut("cover") {
            up(v);
        }
    }
}

/// Puts `own` over `base`: tables merge key by key (two levels deep, as
/// book.toml has), other values replace.
fn overlay(base: &mut toml::Table, own: toml::Table) {
    for (key, value) in own {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => {
                for (k, v) in o {
                    b.insert(k, v);
                }
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Fonts resolved once per distinct setting (and folder, when the setting
/// names font files).
#[derive(Default)]
pub struct FontCache {
    sets: HashMap<String, FontSet>,
}

impl FontCache {
    fn key(doc: &crate::model::Document) -> String {
        let f = &doc.settings.fonts;
        // Font paths by where they lead: editions that name the series'
        // font folder (`../fonts`) share one font set.
        let paths: Vec<PathBuf> = f
            .paths
            .iter()
            .map(|p| {
                let path = doc.settings.base_dir.join(p);
                std::fs::canonicalize(&path).unwrap_or(path)
            })
            .collect();
        format!("{:?}|{:?}|{:?}", f.body, f.heading, paths)
    }

    /// Resolves the fonts of `doc` unless they are resolved already.
    pub fn prepare(&mut self, doc: &crate::model::Document) -> Result<(), Failure> {
        let key = Self::key(doc);
        if let std::collections::hash_map::Entry::Vacant(slot) = self.sets.entry(key) {
            slot.insert(crate::fonts::resolve_fonts(
                &doc.settings.fonts,
                &doc.settings.base_dir,
            )?);
        }
        Ok(())
    }

    pub fn get(&self, doc: &crate::model::Document) -> Option<&FontSet> {
        self.sets.get(&Self::key(doc))
    }
}

/// The formats a build of `loaded` writes, in order: `given` (from the
/// command line) when not empty, else `[output] formats` of its book.toml
/// (for an edition, inherited from series.toml), else EPUB and PDF. A
/// format named twice is written once.
pub fn output_formats(given: &[String], loaded: &crate::Loaded) -> Result<Vec<String>, Failure> {
    let named: Vec<String> = if !given.is_empty() {
        given.to_vec()
    } else {
        match &loaded.config.output.formats {
            Some(list) if list.is_empty() => {
                let toml = loaded.base_dir.join(BOOK_FILE);
                return Err(Diagnostic::error(
                    Location::file(&toml),
                    "`[output] formats` names no format",
                )
                .with_hint("name at least one of `epub`, `pdf`, `ofd`, or remove the key")
                .into());
            }
            Some(list) => list.iter().map(|f| f.as_str().to_string()).collect(),
            None => vec!["epub".to_string(), "pdf".to_string()],
        }
    };
    let mut out: Vec<String> = Vec::new();
    for format in named {
        if !out.contains(&format) {
            out.push(format);
        }
    }
    Ok(out)
}

/// The OFD profile of a build of `loaded`: `given` (from the command
/// line), else `[ofd] profile`, else OFD/A for an edition of a series
/// whose PDF is written to a PDF/A standard (`standard`, as resolved),
/// else the plain profile.
pub fn ofd_profile(
    given: Option<crate::export::ofd::Profile>,
    loaded: &crate::Loaded,
    standard: &PdfStandard,
) -> crate::export::ofd::Profile {
    use crate::config::OfdProfileName;
    use crate::export::ofd::Profile;
    if let Some(profile) = given {
        return profile;
    }
    match loaded.config.ofd.profile {
        Some(OfdProfileName::Plain) => Profile::Plain,
        Some(OfdProfileName::A) => Profile::Archive,
        None if standard.archival.is_some() && crate::standard::series_file(loaded).is_some() => {
            Profile::Archive
        }
        None => Profile::Plain,
    }
}

/// The files a book names are confined to its folder and checked, as a
/// single book's build does, before any is read (fonts included): an
/// edition takes paths from the series' defaults too, and none may be
/// read from outside. Gives the images, read once for the check and the
/// rendering.
fn check_files(doc: &crate::model::Document) -> Result<ImageFiles, Failure> {
    let files = crate::resolve::images::read_images(doc);
    let problems = crate::resources::check_resources(doc, &files);
    if problems.iter().any(Diagnostic::is_error) {
        return Err(Failure {
            diagnostics: problems,
        });
    }
    Ok(files)
}

/// Renders a loaded and normalized book into its output files, in memory:
/// `<slug>.epub`, `<slug>.pdf`, `<slug>.ofd` as [`output_formats`] says.
/// Formats are rendered side by side; any error fails the book. `files`
/// are its images, as [`check_files`] read them.
pub fn render_book(
    loaded: &crate::Loaded,
    doc: &crate::model::Document,
    fonts: &FontSet,
    options: &BuildOptions,
    files: &ImageFiles,
) -> Result<(Vec<Output>, Vec<Diagnostic>), Failure> {
    let standard: PdfStandard = crate::standard::resolve(options.pdf_standard.as_deref(), loaded)?;
    let formats = output_formats(&options.formats, loaded)?;
    let ofd_options = crate::export::ofd::OfdOptions {
        profile: ofd_profile(options.ofd_profile, loaded, &standard),
        allow_missing_glyphs: options.allow_missing_glyphs,
    };
    let attachments = if standard.attaches_sources() && formats.iter().any(|f| f == "pdf") {
        crate::standard::source_attachments(loaded)?
    } else {
        Vec::new()
    };
    let pdf_options = crate::typeset::PdfOptions {
        allow_missing_glyphs: options.allow_missing_glyphs,
        standard,
        attachments,
        ..Default::default()
    };
    let export_options = crate::export::ExportOptions {
        pdf: pdf_options,
        ofd: ofd_options,
        dpi: crate::export::png::DEFAULT_DPI,
        subsets: None,
    };
    let rendered = crate::export::render_formats_with(doc, fonts, &formats, &export_options, files);
    let mut outputs = Vec::new();
    let mut diagnostics = Vec::new();
    let mut errors = Vec::new();
    for result in rendered {
        match result {
            Ok((files, notes)) => {
                if notes.iter().any(Diagnostic::is_error) {
                    errors.extend(notes);
                    continue;
                }
                diagnostics.extend(notes);
                for (name, bytes) in files {
                    outputs.push(Output { name, bytes });
                }
            }
            Err(failure) => errors.extend(failure.diagnostics),
        }
    }
    if errors.is_empty() {
        Ok((outputs, diagnostics))
    } else {
        Err(Failure {
            diagnostics: errors,
        })
    }
}

/// Loads, normalizes and renders the book at `input` in memory, as
/// `inkstone build` would write it.
pub fn rebuild_book(
    input: &Path,
    options: &BuildOptions,
) -> Result<(Vec<Output>, Vec<Diagnostic>), Failure> {
    let mut diagnostics = Vec::new();
    let loaded = load_book(
        input,
        &crate::SingleFileOptions::default(),
        &mut diagnostics,
    )?;
    let doc = crate::normalize(&loaded, &mut diagnostics);
    let files = check_files(&doc)?;
    let fonts = crate::fonts::resolve_fonts(&doc.settings.fonts, &doc.settings.base_dir)?;
    let (outputs, mut notes) = render_book(&loaded, &doc, &fonts, options, &files)?;
    diagnostics.append(&mut notes);
    Ok((outputs, diagnostics))
}

/// Loads a book like [`crate::load`]; an edition folder of a series (a
/// folder with a book.toml whose parent has a series.toml) is loaded with
/// the series' defaults, as the series build loads it.
/// `single` holds the command line's options for a single file; given for
/// an edition they are an error, as for any book folder.
pub fn load_book(
    input: &Path,
    single: &crate::SingleFileOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<crate::Loaded, Failure> {
    let dir = if input.file_name().is_some_and(|n| n == BOOK_FILE) {
        input.parent().unwrap_or(Path::new("."))
    } else {
        input
    };
    if dir.join(BOOK_FILE).is_file() {
        let canon = std::fs::canonicalize(dir).ok();
        let parent = canon.as_deref().and_then(Path::parent);
        let name = canon
            .as_deref()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str());
        if let (Some(parent), Some(name)) = (parent, name) {
            if is_series(parent) {
                let mut series = Series::open(parent)?;
                // Paths in messages stay as the user wrote them when they can.
                if let (Some(p), Some(_)) = (dir.parent(), dir.file_name()) {
                    if !p.as_os_str().is_empty() {
                        series.dir = p.to_path_buf();
                    }
                }
                if !single.is_empty() {
                    return Err(Diagnostic::error(
                        Location::file(dir.join(BOOK_FILE)),
                        "--title, --subtitle, --author, --style, --input-format, --encoding and --config are for a single file",
                    )
                    .with_hint("for an edition, set these in its book.toml or in series.toml")
                    .into());
                }
                return series.load_edition(name, diagnostics);
            }
        }
    }
    crate::load_with(input, single, diagnostics)
}

type Rendered = Result<(Vec<Output>, Vec<Diagnostic>), Failure>;

struct Prepared {
    folder: String,
    loaded: crate::Loaded,
    doc: crate::model::Document,
    images: ImageFiles,
    diagnostics: Vec<Diagnostic>,
}

/// Builds the editions of `series` (of one shard, if asked) into
/// `out_dir/<edition>/`, and writes the manifest: `manifest.json`, or
/// `manifest-shard-K-of-N.json` for a shard. `tick` is called once per
/// edition done, with its folder name.
pub fn build_series(
    series: &Series,
    out_dir: &Path,
    options: &BuildOptions,
    tick: &(dyn Fn(&str) + Sync),
) -> Result<Outcome, Failure> {
    crate::output::check_output_dir(out_dir, &series.dir)?;
    let folders = series.shard(options.shard);
    // A build killed while renaming an edition's files is finished first
    // (even for an edition that fails this time), and the temporary files
    // of dead runs are removed.
    for folder in &folders {
        crate::output::recover(&out_dir.join(folder))?;
    }
    // Reading and normalizing, in parallel.
    let loaded: Vec<(String, Result<Prepared, Failure>)> = folders
        .par_iter()
        .map(|folder| {
            let mut diagnostics = Vec::new();
            let result = series
                .load_edition(folder, &mut diagnostics)
                .and_then(|loaded| {
                    let doc = crate::normalize(&loaded, &mut diagnostics);
                    let images = check_files(&doc)?;
                    Ok(Prepared {
                        folder: folder.to_string(),
                        loaded,
                        doc,
                        images,
                        diagnostics,
                    })
                });
            (folder.to_string(), result)
        })
        .collect();
    // Fonts: once per distinct setting.
    let mut cache = FontCache::default();
    let mut failed = Vec::new();
    let mut ready = Vec::new();
    for (folder, result) in loaded {
        match result.and_then(|p| cache.prepare(&p.doc).map(|()| p)) {
            Ok(p) => ready.push(p),
            Err(failure) => {
                tick(&folder);
                failed.push((folder, failure));
            }
        }
    }
    // Rendering, editions in parallel.
    let built: Vec<(Prepared, Rendered)> = ready
        .into_par_iter()
        .map(|p| {
            let result = match cache.get(&p.doc) {
                Some(fonts) => render_book(&p.loaded, &p.doc, fonts, options, &p.images),
                None => Err(Failure::new(Diagnostic::new(
                    Severity::Error,
                    None,
                    "the edition's fonts were not resolved",
                ))),
            };
            tick(&p.folder);
            (p, result)
        })
        .collect();
    let mut editions = Vec::new();
    let mut diagnostics = Vec::new();
    for (p, result) in built {
        let (outputs, notes) = match result {
            Ok(done) => done,
            Err(failure) => {
                failed.push((p.folder, failure));
                continue;
            }
        };
        // An edition's files are committed together (see
        // `output::write_all_atomically`).
        let folder = out_dir.join(&p.folder);
        let writes: Vec<(PathBuf, &[u8])> = outputs
            .iter()
            .map(|o| (folder.join(&o.name), o.bytes.as_slice()))
            .collect();
        if let Err(e) = crate::output::write_all_atomically(&writes) {
            failed.push((p.folder, e));
            continue;
        }
        let files: Vec<FileEntry> = outputs
            .iter()
            .map(|o| FileEntry::of(&format!("{}/{}", p.folder, o.name), &o.bytes))
            .collect();
        let sources = match crate::standard::source_attachments(&p.loaded) {
            // The series' own file is recorded once, for the series.
            Ok(list) => list
                .into_iter()
                .filter(|a| a.name != SERIES_FILE)
                .map(|a| SourceEntry {
                    sha256: sha256_hex(&a.bytes),
                    path: a.name,
                })
                .collect(),
            Err(e) => {
                failed.push((p.folder, e));
                continue;
            }
        };
        diagnostics.extend(p.diagnostics);
        diagnostics.extend(notes);
        editions.push(EditionEntry {
            year: p.loaded.config.book.year.or_else(|| p.folder.parse().ok()),
            identifier: p.doc.metadata.identifier.clone(),
            title: p.doc.metadata.title.clone(),
            folder: p.folder,
            files,
            sources,
        });
    }
    editions.sort_by(|a, b| a.folder.cmp(&b.folder));
    failed.sort_by(|a, b| a.0.cmp(&b.0));
    let manifest = Manifest {
        inkstone: env!("CARGO_PKG_VERSION").to_string(),
        series: series.title.clone(),
        shard: options.shard.map(|(k, n)| format!("{k}/{n}")),
        sources: vec![SourceEntry {
            path: SERIES_FILE.to_string(),
            sha256: sha256_hex(&series.source),
        }],
        editions,
    };
    let manifest_path = out_dir.join(match options.shard {
        Some((k, n)) => format!("manifest-shard-{k}-of-{n}.json"),
        None => crate::manifest::MANIFEST_FILE.to_string(),
    });
    crate::output::write_atomically(&manifest_path, &manifest.to_bytes())?;
    Ok(Outcome {
        manifest,
        manifest_path,
        failed,
        diagnostics,
    })
}

/// Parses `K/N` with `K < N`.
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("`{s}` is not a shard; write K/N with 0 <= K < N, such as 0/4");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let k: usize = k.trim().parse().map_err(|_| bad())?;
    let n: usize = n.trim().parse().map_err(|_| bad())?;
    if n == 0 || k >= n {
        return Err(bad());
    }
    Ok((k, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_the_editions() {
        assert_eq!(parse_shard("1/3"), Ok((1, 3)));
        assert!(parse_shard("3/3").is_err());
        assert!(parse_shard("0/0").is_err());
        assert!(parse_shard("a/2").is_err());
    }

    #[test]
    fn editions_override_defaults_key_by_key() {
        let mut base: toml::Table =
            "[book]\npublisher = \"甲\"\nrights = \"乙\"\n[pdf]\nstandard = \"a-2u\"\n"
                .parse()
                .expect("toml");
        let own: toml::Table = "[book]\nrights = \"丙\"\ntitle = \"丁\"\n"
            .parse()
            .expect("toml");
        overlay(&mut base, own);
        let book = base["book"].as_table().expect("table");
        assert_eq!(book["publisher"].as_str(), Some("甲"));
        assert_eq!(book["rights"].as_str(), Some("丙"));
        assert_eq!(book["title"].as_str(), Some("丁"));
        assert_eq!(base["pdf"]["standard"].as_str(), Some("a-2u"));
    }
}
