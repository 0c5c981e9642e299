//! The whole pipeline in memory: bytes -> decode -> normalize -> EPUB and
//! PDF (normalize, resolve, typeset and both writers, as a build runs
//! them). The first byte picks plain text or Markdown (bit 0), the
//! `[structure] headings` mode (bits 1-2) and `verse` (bit 3). Run with a large
//! `-max_len` (scripts/fuzz.sh uses 65536) so that long and deep inputs
//! are tried.
#![no_main]

use std::path::{Path, PathBuf};

use inkstone::config::{BookConfig, HeadingMode, InputFormat, StructureConfig, VerseMode};
use inkstone::fonts::{resolve_fonts, FontSet};
use inkstone::{Loaded, LoadedSource};
use libfuzzer_sys::fuzz_target;

thread_local! {
    static FONTS: FontSet = {
        let settings = inkstone::model::FontSettings {
            body: vec![inkstone::normalize::DEFAULT_BODY_FONT.to_string()],
            heading: vec![inkstone::normalize::DEFAULT_HEADING_FONT.to_string()],
            paths: Vec::new(),
            // Never the installed fonts: the run is the same on every
            // machine.
            system: false,
        };
        resolve_fonts(&settings, Path::new(".")).expect("built-in fonts")
    };
}

fuzz_target!(|data: &[u8]| {
    let Some((&switch, bytes)) = data.split_first() else {
        return;
    };
    let format = if switch & 1 == 0 {
        InputFormat::Text
    } else {
        InputFormat::Markdown
    };
    let structure = StructureConfig {
        headings: match (switch >> 1) & 3 {
            0 => HeadingMode::Auto,
            1 => HeadingMode::Numbered,
            2 => HeadingMode::Marked,
            _ => HeadingMode::None,
        },
        verse: if switch & 8 == 0 {
            VerseMode::Auto
        } else {
            VerseMode::None
        },
    };
    let mut diagnostics = Vec::new();
    let Ok(file) =
        inkstone::source::decode_source(Path::new("fuzz.txt"), bytes, None, &mut diagnostics)
    else {
        return;
    };
    let loaded = Loaded {
        // A folder that does not exist: images named by the input are
        // errors, never reads of real files.
        base_dir: PathBuf::from("/nonexistent-inkstone-fuzz"),
        config: BookConfig::default(),
        single_file: true,
        sources: vec![LoadedSource {
            file,
            rel_path: "fuzz.txt".to_string(),
            format,
            structure,
        }],
    };
    let doc = inkstone::normalize(&loaded, &mut diagnostics);
    FONTS.with(|fonts| {
        let _ = inkstone::export::epub::render_epub(&doc, fonts);
        let options = inkstone::typeset::PdfOptions {
            allow_missing_glyphs: true,
            ..Default::default()
        };
        let _ = inkstone::export::pdf::render_pdf(&doc, fonts, &options);
    });
});
