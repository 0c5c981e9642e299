//! Inputs the fuzz targets (fuzz/, `scripts/fuzz.sh`) found trouble
//! with, run through the same path as the target: bytes -> decode ->
//! normalize -> resolve -> typeset -> EPUB and PDF in memory. Each test
//! says what was wrong and asserts what a user sees now.

use std::path::{Path, PathBuf};
use std::process::Command;

use inkstone::config::{BookConfig, InputFormat};
use inkstone::fonts::resolve_fonts;
use inkstone::{Loaded, LoadedSource};

/// The EPUB and PDF of `bytes` read as one file of `format`, as the
/// `pipeline` fuzz target makes them.
fn pipeline(bytes: &[u8], format: InputFormat) -> (Vec<u8>, Vec<u8>) {
    let settings = inkstone::model::FontSettings {
        body: vec![inkstone::normalize::DEFAULT_BODY_FONT.to_string()],
        heading: vec![inkstone::normalize::DEFAULT_HEADING_FONT.to_string()],
        paths: Vec::new(),
        system: false,
    };
    let fonts = resolve_fonts(&settings, Path::new(".")).expect("built-in fonts");
    let mut diagnostics = Vec::new();
    let file =
        inkstone::source::decode_source(Path::new("fuzz.txt"), bytes, None, &mut diagnostics)
            .expect("decodes");
    let loaded = Loaded {
        base_dir: PathBuf::from("/nonexistent-inkstone-fuzz"),
        config: BookConfig::default(),
        single_file: true,
        sources: vec![LoadedSource {
            file,
            rel_path: "fuzz.txt".to_string(),
            format,
            structure: Default::default(),
        }],
    };
    let doc = inkstone::normalize(&loaded, &mut diagnostics);
    let (epub, _) = inkstone::export::epub::render_epub(&doc, &fonts).expect("EPUB");
    let options = inkstone::typeset::PdfOptions {
        allow_missing_glyphs: true,
        ..Default::default()
    };
    let (pdf, _) = inkstone::export::pdf::render_pdf(&doc, &fonts, &options).expect("PDF");
    (epub, pdf)
}

/// The PDF's text as `pdftotext` reads it, without whitespace.
fn pdf_text(pdf: &[u8], name: &str) -> String {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, pdf).expect("write");
    let out = Command::new("pdftotext")
        .args([path.to_str().expect("path"), "-"])
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8_lossy(&out.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// One 64 KB line of Han characters with no punctuation (3,600 times
/// 统一战线工作, 21,600 characters): the PDF layout tried to set the
/// paragraph in exactly N lines (to fill pages), which grows with the
/// cube of its length; the `pipeline` target spent over two minutes on
/// it. Now a paragraph of more than 100 lines is set as it breaks best,
/// and every character reaches both outputs.
#[test]
fn one_long_paragraph_builds_whole() {
    let text = "统一战线工作".repeat(3600);
    let (epub, pdf) = pipeline(text.as_bytes(), InputFormat::Text);
    assert!(epub.starts_with(b"PK"), "not a zip");
    assert!(pdf.starts_with(b"%PDF-"));
    let shown = pdf_text(&pdf, "one-long-paragraph.pdf");
    // Page numbers and running heads come between the lines: the text
    // must be there in order, and each of its characters as many times.
    let mut rest = text.chars().peekable();
    for c in shown.chars() {
        if rest.peek() == Some(&c) {
            rest.next();
        }
    }
    assert!(
        rest.peek().is_none(),
        "the PDF lost text: {} characters not shown in order",
        rest.count()
    );
    for c in "统一战线工作".chars() {
        let count = shown.chars().filter(|&s| s == c).count();
        assert!(count >= 3600, "{c} shown {count} times of 3600");
    }
}
