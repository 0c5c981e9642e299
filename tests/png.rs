//! Page images: `inkstone build --format png` writes one image per page,
//! and each image shows what the PDF's page shows.

mod support;

use std::path::Path;
use std::process::Command;

use inkstone::export::png::render_png;
use inkstone::pdf::PdfOptions;
use support::{load, EDITION};

/// Glyphs drawn on each page of `pdf`, as MuPDF's trace lists them (the
/// characters of an ActualText are listed too, without a glyph: they are
/// not counted).
fn pdf_glyphs_per_page(pdf: &Path) -> Vec<usize> {
    let output = Command::new("mutool")
        .arg("trace")
        .arg(pdf)
        .output()
        .expect("mutool runs (install mupdf-tools)");
    let trace = String::from_utf8_lossy(&output.stdout);
    let mut pages = Vec::new();
    for part in trace.split("<page ").skip(1) {
        pages.push(
            part.lines()
                .filter(|l| l.trim_start().starts_with("<g ") && l.contains(" glyph=\""))
                .count(),
        );
    }
    pages
}

/// Pixels darker than mid-grey.
fn ink(png: &[u8]) -> usize {
    let pixmap = tiny_skia::Pixmap::decode_png(png).expect("a PNG");
    pixmap
        .pixels()
        .iter()
        .filter(|p| u32::from(p.red()) + u32::from(p.green()) + u32::from(p.blue()) < 384)
        .count()
}

#[test]
fn the_cli_writes_one_image_per_page() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("png-cli");
    let _ = std::fs::remove_dir_all(&out);
    let status = Command::new(env!("CARGO_BIN_EXE_inkstone"))
        .args([
            "build", EDITION, "--format", "png,pdf", "--dpi", "50", "-q", "-o",
        ])
        .arg(&out)
        .status()
        .expect("inkstone runs");
    assert!(status.success());
    let pdf = out.join("qingchuan-2025.pdf");
    let pages = pdf_glyphs_per_page(&pdf).len();
    assert!(pages > 4);
    for k in 1..=pages {
        let png = std::fs::read(out.join(format!("qingchuan-2025-{k:03}.png")))
            .unwrap_or_else(|e| panic!("page {k}: {e}"));
        let pixmap = tiny_skia::Pixmap::decode_png(&png).expect("a PNG");
        // A5 at 50 dpi: 148 mm by 210 mm.
        assert_eq!((pixmap.width(), pixmap.height()), (291, 413), "page {k}");
    }
    assert!(!out
        .join(format!("qingchuan-2025-{:03}.png", pages + 1))
        .exists());
}

#[test]
fn each_image_draws_the_glyphs_of_its_pdf_page() {
    let (doc, fonts) = load(EDITION);
    let options = PdfOptions::default();
    let (pdf, _) = inkstone::pdf::render_pdf(&doc, &fonts, &options).expect("the PDF");
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("png-compare.pdf");
    std::fs::write(&path, pdf).expect("write the PDF");
    let in_pdf = pdf_glyphs_per_page(&path);
    let (images, _) = render_png(&doc, &fonts, &options, 72).expect("the images");
    let drawn: Vec<usize> = images.iter().map(|p| p.glyphs).collect();
    assert_eq!(drawn, in_pdf);
    // The pixels agree: a page with glyphs has ink in proportion to them,
    // a page without any (a blank verso) is white.
    let mut per_glyph = Vec::new();
    for (k, image) in images.iter().enumerate() {
        let ink = ink(&image.png);
        if in_pdf[k] == 0 {
            assert_eq!(ink, 0, "page {} should be blank", k + 1);
        } else {
            assert!(ink > 0, "page {} has no ink", k + 1);
            per_glyph.push(ink as f32 / in_pdf[k] as f32);
        }
    }
    // Text pages carry about the same ink per glyph: no page lost its
    // outlines or drew them at the wrong size.
    let mean = per_glyph.iter().sum::<f32>() / per_glyph.len() as f32;
    for (k, v) in per_glyph.iter().enumerate() {
        assert!(
            *v > mean * 0.3 && *v < mean * 3.0,
            "entry {k}: {v} against {mean}"
        );
    }
}
