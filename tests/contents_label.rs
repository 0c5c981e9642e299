//! The PDF's contents heading follows the book's language, as the EPUB's
//! navigation does: "目录" for a Chinese book, "Contents" otherwise.

mod support;

use std::path::{Path, PathBuf};

use support::cli::{build_book, pdf_pages};

/// A two-chapter book in `language`, built; the PDF's text by page.
fn build(name: &str, language: &str) -> (PathBuf, Vec<String>) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("make the book folder");
    std::fs::write(
        dir.join("book.toml"),
        format!(
            "[book]\ntitle = \"社区志愿服务手册\"\nslug = \"label\"\nlanguage = \"{language}\"\n\n\
             [contents]\nchapters = [\"a.txt\", \"b.txt\"]\n"
        ),
    )
    .expect("write book.toml");
    std::fs::write(
        dir.join("a.txt"),
        "第一章 报名\n\n凡年满十六岁的居民，可到社区服务站登记，填写服务意向表。\n",
    )
    .expect("write a.txt");
    std::fs::write(
        dir.join("b.txt"),
        "第二章 培训\n\n新登记的志愿者须参加两次集中培训，每次两小时，由站长讲解安全要求。\n",
    )
    .expect("write b.txt");
    let out = build_book(&dir, &["--format", "pdf"]);
    let pages = pdf_pages(&out.join("label.pdf"));
    (dir, pages)
}

/// The first page listing both chapters: the contents.
fn contents_page(pages: &[String]) -> &str {
    pages
        .iter()
        .find(|p| p.contains("第一章") && p.contains("第二章"))
        .expect("a contents page")
}

#[test]
fn contents_heading_follows_the_language() {
    let (_, english) = build("contents-label-en", "en");
    let page = contents_page(&english);
    assert!(page.contains("Contents"), "{page}");
    assert!(!page.contains("目录"), "{page}");
    // Negative control: a Chinese book keeps 目录.
    let (_, chinese) = build("contents-label-zh", "zh-CN");
    let page = contents_page(&chinese);
    assert!(page.contains("目录"), "{page}");
    assert!(!page.contains("Contents"), "{page}");
}
