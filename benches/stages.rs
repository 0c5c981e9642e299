//! Per-stage benchmarks (`cargo bench`): each stage on the sample edition
//! and on a generated 200-chapter edition (1.35 MB of text).
//! Whole-process figures (wall time, peak memory) come from
//! `scripts/bench.sh`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

#[path = "support/edition.rs"]
mod edition;

fn main() {
    divan::main();
}

/// The 200-chapter edition, generated once per run.
fn edition_200() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-edition-200");
        let _ = std::fs::remove_dir_all(&dir);
        edition::write_edition(Path::new("sources/2025"), &dir, 200).expect("write edition");
        dir
    })
}

fn input(name: &str) -> &'static Path {
    match name {
        "sample-edition" => Path::new("sources/2025"),
        _ => edition_200(),
    }
}

#[divan::bench(args = ["sample-edition", "edition-200"], sample_count = 10)]
fn load_and_normalize(bencher: divan::Bencher, name: &str) {
    let path = input(name);
    bencher.bench(|| {
        let mut diagnostics = Vec::new();
        inkstone::load_document(path, &mut diagnostics).expect("loads")
    });
}

#[divan::bench(args = ["sample-edition", "edition-200"], sample_count = 10)]
fn normalize_only(bencher: divan::Bencher, name: &str) {
    let loaded = inkstone::load(input(name), &mut Vec::new()).expect("loads");
    bencher.bench(|| inkstone::normalize(&loaded, &mut Vec::new()));
}

/// Fonts and the document, loaded once per benchmark.
fn prepared(name: &str) -> (inkstone::model::Document, inkstone::fonts::FontSet) {
    let doc = inkstone::load_document(input(name), &mut Vec::new()).expect("loads");
    let fonts =
        inkstone::fonts::resolve_fonts(&doc.settings.fonts, &doc.settings.base_dir).expect("fonts");
    (doc, fonts)
}

#[divan::bench(args = ["sample-edition", "edition-200"], sample_count = 10)]
fn pdf_layout(bencher: divan::Bencher, name: &str) {
    let (doc, fonts) = prepared(name);
    let options = inkstone::pdf::PdfOptions::default();
    bencher.bench(|| inkstone::pdf::layout_document(&doc, &fonts, &options).expect("lays out"));
}

#[divan::bench(args = ["sample-edition", "edition-200"], sample_count = 10)]
fn pdf_render(bencher: divan::Bencher, name: &str) {
    let (doc, fonts) = prepared(name);
    let options = inkstone::pdf::PdfOptions::default();
    bencher.bench(|| inkstone::pdf::render_pdf(&doc, &fonts, &options).expect("renders"));
}

/// The PDF of a text of `count` one-line headings: a contents of as many
/// entries, each a link to its heading. The time should grow in
/// proportion (each link's text was once looked up through the whole
/// outline).
#[divan::bench(args = [6_500, 13_000, 26_000], sample_count = 5)]
fn pdf_many_headings(bencher: divan::Bencher, count: usize) {
    let dir = std::env::temp_dir().join(format!("inkstone-bench-headings-{count}"));
    std::fs::create_dir_all(&dir).expect("bench folder");
    let path = dir.join("headings.txt");
    std::fs::write(&path, "第一章\n".repeat(count)).expect("bench text");
    let doc = inkstone::load_document(&path, &mut Vec::new()).expect("loads");
    let fonts =
        inkstone::fonts::resolve_fonts(&doc.settings.fonts, &doc.settings.base_dir).expect("fonts");
    let options = inkstone::pdf::PdfOptions::default();
    bencher.bench(|| inkstone::pdf::render_pdf(&doc, &fonts, &options).expect("renders"));
}

#[divan::bench(args = ["sample-edition", "edition-200"], sample_count = 10)]
fn epub_render(bencher: divan::Bencher, name: &str) {
    let (doc, fonts) = prepared(name);
    bencher.bench(|| inkstone::epub::render_epub(&doc, &fonts).expect("renders"));
}

/// Subsetting the three default faces to every character of the book.
#[divan::bench(args = ["sample-edition", "edition-200"], sample_count = 10)]
fn epub_font_subsetting(bencher: divan::Bencher, name: &str) {
    let (doc, fonts) = prepared(name);
    let mut used = inkstone::epub::xml::UsedChars::default();
    for c in doc.plain_text().chars().filter(|c| !c.is_whitespace()) {
        used.body.insert(c);
    }
    used.bold = used.body.clone();
    used.heading = used.body.clone();
    bencher.bench(|| inkstone::epub::fonts::subset_fonts(&fonts, &used).expect("subsets"));
}

#[divan::bench(sample_count = 10)]
fn resolve_default_fonts(bencher: divan::Bencher) {
    let (doc, _) = prepared("sample-edition");
    bencher.bench(|| {
        inkstone::fonts::resolve_fonts(&doc.settings.fonts, &doc.settings.base_dir).expect("fonts")
    });
}

/// Plain text generated from the real-text fixtures in `tests/cases`
/// (prose with verse, a letter, dialogue, a hard-wrapped report ...),
/// repeated to at least `bytes`; one file, as a long novel would be.
fn fixture_text(bytes: usize) -> String {
    let cases = [
        "novel-verse",
        "letter",
        "full-stop-spaces",
        "dialogue-quotes",
        "chapter-volume",
        "title-author",
        "title-marks",
    ];
    let parts: Vec<String> = cases
        .iter()
        .map(|c| std::fs::read_to_string(format!("tests/cases/{c}/input.txt")).expect("fixture"))
        .collect();
    let mut text = String::from("长篇示例\n");
    while text.len() < bytes {
        for part in &parts {
            text.push_str(part);
            text.push('\n');
        }
    }
    text
}

/// Short unpunctuated lines, each of which could pass for a heading.
fn short_lines(count: usize) -> String {
    std::iter::once("标题\n".to_string())
        .chain((0..count).map(|n| format!("短行{n}没有标点\n")))
        .collect()
}

/// Structure reading and punctuation of one plain-text file; the figures
/// should grow in proportion to the size.
#[divan::bench(args = ["fixtures-500k", "fixtures-1m", "fixtures-2m", "short-lines-10k", "short-lines-100k"], sample_count = 5)]
fn normalize_plain_text(bencher: divan::Bencher, name: &str) {
    let text = match name {
        "fixtures-500k" => fixture_text(500_000),
        "fixtures-1m" => fixture_text(1_000_000),
        "fixtures-2m" => fixture_text(2_000_000),
        "short-lines-10k" => short_lines(10_000),
        _ => short_lines(100_000),
    };
    let config = inkstone::config::NormalizeConfig::default();
    bencher.bench(|| {
        inkstone::normalize::parse_source(
            &text,
            inkstone::config::InputFormat::Text,
            &config,
            &mut Vec::new(),
        )
    });
}

/// What `inkstone watch` does after one chapter of the sample edition is
/// edited: the whole book is read, normalized, laid out and rendered
/// again, both formats side by side, reusing the EPUB font subsets of the
/// build before when the edit leaves their characters as they were.
#[divan::bench(sample_count = 20)]
fn watch_rebuild_after_one_chapter_edit(bencher: divan::Bencher) {
    let memo = std::sync::Arc::new(inkstone::export::epub::fonts::SubsetMemo::default());
    rebuild_after_edits(bencher, "bench-watch", Some(memo));
}

/// The same rebuild with nothing kept from the build before (what `watch`
/// did before it kept the font subsets), for comparison.
#[divan::bench(sample_count = 20)]
fn watch_rebuild_keeping_nothing(bencher: divan::Bencher) {
    rebuild_after_edits(bencher, "bench-watch-cold", None);
}

/// Edits a copy of the sample edition before each run (a sentence added
/// to its first chapter, different each time) and rebuilds both formats.
fn rebuild_after_edits(
    bencher: divan::Bencher,
    folder: &str,
    memo: Option<std::sync::Arc<inkstone::export::epub::fonts::SubsetMemo>>,
) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(folder);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a copy of the edition");
    for entry in std::fs::read_dir("sources/2025").expect("the sample edition") {
        let path = entry.expect("an entry").path();
        if let Some(name) = path.file_name() {
            std::fs::copy(&path, dir.join(name)).expect("copy the edition");
        }
    }
    let chapter = dir.join("01-overview.txt");
    let original = std::fs::read_to_string(&chapter).expect("the chapter");
    let rebuild = || {
        let mut diagnostics = Vec::new();
        let doc = inkstone::load_document(&dir, &mut diagnostics).expect("loads");
        let fonts = inkstone::fonts::resolve_fonts(&doc.settings.fonts, &doc.settings.base_dir)
            .expect("fonts");
        let options = inkstone::export::ExportOptions {
            subsets: memo.clone(),
            ..Default::default()
        };
        let formats = ["epub".to_string(), "pdf".to_string()];
        let rendered = inkstone::export::render_formats(&doc, &fonts, &formats, &options);
        assert!(rendered.iter().all(Result::is_ok), "both formats build");
        rendered
    };
    // The build `watch` starts with, before the first edit.
    rebuild();
    let mut edits = 0;
    bencher.bench_local(|| {
        edits += 1;
        let edited = format!("{original}\n这是第{edits}次修改时加上的一段话。\n");
        std::fs::write(&chapter, edited).expect("edit the chapter");
        rebuild()
    });
}
