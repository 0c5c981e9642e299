//! Times `render_pdf`: `cargo run --release --example pdf_bench -- INPUT [TIMES]`
//! renders INPUT (a book folder or a file), its chapters repeated TIMES
//! times (default 1), and prints the time, page count and size.

use std::path::Path;
use std::time::Instant;

use inkstone::pdf::{layout_document, render_pdf, PdfOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let input = args.next().unwrap_or_else(|| "sources".into());
    let times: usize = args.next().and_then(|t| t.parse().ok()).unwrap_or(1);
    let mut diagnostics = Vec::new();
    let mut doc = match inkstone::load_document(Path::new(&input), &mut diagnostics) {
        Ok(doc) => doc,
        Err(failure) => {
            eprintln!("{failure}");
            std::process::exit(1);
        }
    };
    let chapters = doc.chapters.clone();
    doc.chapters.clear();
    for round in 0..times {
        for chapter in &chapters {
            let mut chapter = chapter.clone();
            chapter.id = format!("{}-{round}", chapter.id);
            doc.chapters.push(chapter);
        }
    }
    let fonts = match inkstone::fonts::resolve_fonts(&doc.settings.fonts, &doc.settings.base_dir) {
        Ok(fonts) => fonts,
        Err(failure) => {
            eprintln!("{failure}");
            std::process::exit(1);
        }
    };
    let options = PdfOptions::default();
    let start = Instant::now();
    let layout = layout_document(&doc, &fonts, &options).map(|(l, _)| l.pages.len());
    let layout_time = start.elapsed();
    let start = Instant::now();
    match render_pdf(&doc, &fonts, &options) {
        Ok((bytes, _)) => println!(
            "{input} x{times}: {} chapters, {} pages, {} KB; render_pdf {:.3} s (layout alone {:.3} s)",
            doc.chapters.len(),
            layout.unwrap_or(0),
            bytes.len().div_ceil(1024),
            start.elapsed().as_secs_f64(),
            layout_time.as_secs_f64()
        ),
        Err(failure) => {
            eprintln!("{failure}");
            std::process::exit(1);
        }
    }
}
