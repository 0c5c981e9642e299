//! An image inside a footnote reaches the PDF, on the note's page, as it
//! reaches the EPUB.

mod support;

use std::path::Path;
use std::process::Command;

use support::cli::{build_book, pdf_pages, RED_PNG};

/// A one-chapter book whose footnote has `note_tail` after its text; the
/// pages (0-based) of the images in its PDF, and the page of the note.
fn build(name: &str, note_tail: &str) -> (Vec<usize>, usize) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("make the book folder");
    std::fs::write(dir.join("red.png"), RED_PNG).expect("write the image");
    std::fs::write(
        dir.join("book.toml"),
        "[book]\ntitle = \"注中插图\"\nslug = \"note\"\n\n[contents]\nchapters = [\"a.md\"]\n",
    )
    .expect("write book.toml");
    std::fs::write(
        dir.join("a.md"),
        format!(
            "# 第一章 旧照\n\n村口那棵老槐树，八十年代还在。[^1]\n\n\
             [^1]: 据一九八三年的照片，树下有石碾。\n{note_tail}"
        ),
    )
    .expect("write a.md");
    let out = build_book(&dir, &["--format", "pdf"]);
    let pdf = out.join("note.pdf");
    let list = Command::new("pdfimages")
        .arg("-list")
        .arg(&pdf)
        .output()
        .expect("pdfimages runs (install poppler-utils)");
    let images = String::from_utf8_lossy(&list.stdout)
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next()?.parse::<usize>().ok())
        .map(|page| page - 1)
        .collect();
    let note = pdf_pages(&pdf)
        .iter()
        .position(|p| p.contains("树下有石碾"))
        .expect("the note is printed");
    (images, note)
}

#[test]
fn an_image_in_a_footnote_is_printed_with_the_note() {
    let (images, note) = build("note-image", "\n    ![石碾](red.png)\n");
    assert_eq!(images, vec![note]);
    // Negative control: the same note without the image has none.
    let (images, _) = build("note-no-image", "");
    assert!(images.is_empty(), "{images:?}");
}
