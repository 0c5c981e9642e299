//! The PDF as a book: title page, imprint, contents with page numbers,
//! outline, links, running heads, folios and page labels, read back from
//! the PDF with pdftotext and qpdf and compared with the model.
//!
//! Books: the real sample (one article, A4 report), the sample edition
//! (three chapters, A5 book) and a generated 12-chapter edition in A5,
//! whose contents runs over more than one page.

mod support;

#[path = "../benches/support/edition.rs"]
mod edition;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use inkstone::pdf::layout::{Item, LineKind};
use inkstone::pdf::{layout_document, Layout, PageRole, PdfOptions};
use support::{
    build, flatten, foot_area, head_area, load, read_pdf, strip, text_block, text_of, tool, Area,
    Built, PdfFile, EDITION, SAMPLE,
};

fn sample() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| build(SAMPLE, "book-sample"))
}

fn book() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| build(EDITION, "book-qingchuan"))
}

/// A generated edition of `chapters` chapters in `style`.
fn generated(chapters: usize, style: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("edition-{chapters}-{style}"));
    edition::write_edition(Path::new(EDITION), &dir, chapters).expect("write the edition");
    let toml = dir.join("book.toml");
    let text = std::fs::read_to_string(&toml).expect("book.toml");
    let text = text.replace("pdf = \"a4-report\"", &format!("pdf = \"{style}\""));
    std::fs::write(&toml, text).expect("book.toml");
    dir
}

fn edition12() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = generated(12, "a5-book");
        build(dir.to_str().expect("path"), "book-edition-12")
    })
}

/// The real sample (when the acceptance samples are there) and two editions.
fn all() -> Vec<&'static Built> {
    let mut books = Vec::new();
    if support::samples_present() {
        books.push(sample());
    }
    books.extend([book(), edition12()]);
    books
}

/// The text of every page (only inside `area` when given), one entry per
/// page, from one run of pdftotext.
fn pages_text(built: &Built, area: Option<Area>, layout: bool) -> Vec<String> {
    let n = built.layout.pages.len();
    let text = text_of(&built.pdf, 1, n, area, layout);
    let mut pages: Vec<String> = text.split('\x0c').map(str::to_string).collect();
    pages.truncate(n);
    assert_eq!(pages.len(), n, "{}", built.pdf.display());
    pages
}

/// A contents entry as printed: its text, its page number, and the page
/// (0-based) it is printed on.
#[derive(Debug)]
struct Printed {
    title: String,
    number: String,
    page: usize,
}

/// Reads the printed table of contents: from the line with "目录" on,
/// lines are collected until one ends with a page number; the collected
/// text is the entry's title. Stops after `count` entries.
fn printed_contents(built: &Built, count: usize) -> Vec<Printed> {
    let pages = pages_text(built, Some(text_block(built)), true);
    let mut out = Vec::new();
    let mut started = false;
    let mut pending = String::new();
    'pages: for (p, text) in pages.iter().enumerate() {
        for line in text.lines() {
            if !started {
                started = line.contains("目录");
                if !started {
                    continue;
                }
            }
            let line = line.trim();
            let (rest, last) = line.rsplit_once(char::is_whitespace).unwrap_or(("", line));
            let is_number = !last.is_empty()
                && (last.chars().all(|c| c.is_ascii_digit())
                    || last.chars().all(|c| "ivxlcdm".contains(c)));
            // A number alone on a line ends an entry only after its text.
            let has_text = !rest.trim().is_empty() || !pending.is_empty();
            if is_number && has_text {
                pending.push_str(&strip(rest));
                let title = pending
                    .strip_prefix("目录")
                    .map(str::to_string)
                    .unwrap_or_else(|| pending.clone());
                out.push(Printed {
                    title,
                    number: last.to_string(),
                    page: p,
                });
                pending.clear();
                if out.len() == count {
                    break 'pages;
                }
            } else {
                pending.push_str(&strip(line));
            }
        }
    }
    out
}

/// Checks every contents entry of `built` against the PDF: its title and
/// order, that its printed number is the label of the page whose text
/// block shows the heading, and that its link goes to that page. Returns
/// the number of entries checked.
fn check_contents(built: &Built, file: &PdfFile) -> usize {
    let entries = flatten(&built.doc.toc);
    assert!(!entries.is_empty());
    let printed = printed_contents(built, entries.len());
    assert_eq!(printed.len(), entries.len(), "{printed:?}");
    let blocks = pages_text(built, Some(text_block(built)), false);
    let mut targets = Vec::new();
    for ((_, entry), p) in entries.iter().zip(&printed) {
        assert_eq!(p.title, strip(&entry.title));
        let pages: Vec<usize> = (0..file.labels.len())
            .filter(|&i| file.labels[i] == p.number)
            .collect();
        assert_eq!(pages.len(), 1, "label {} is not one page", p.number);
        let page = pages[0];
        assert!(
            strip(&blocks[page]).contains(&p.title),
            "{} is not on the page labelled {}",
            entry.title,
            p.number
        );
        targets.push(page);
    }
    // The links of the contents pages, top to bottom; the lines of one
    // entry share their link's destination.
    let first = printed.first().map_or(0, |p| p.page);
    let last = printed.last().map_or(0, |p| p.page);
    let mut dests: Vec<(usize, f64)> = Vec::new();
    for links in &file.links[first..=last] {
        let mut links: Vec<_> = links
            .iter()
            .filter_map(|l| l.dest.map(|d| (l, d)))
            .collect();
        links.sort_by(|a, b| b.0.rect[1].total_cmp(&a.0.rect[1]));
        for (_, dest) in links {
            if dests.last() != Some(&dest) {
                dests.push(dest);
            }
        }
    }
    let pages: Vec<usize> = dests.iter().map(|d| d.0).collect();
    assert_eq!(pages, targets, "links of the contents");
    entries.len()
}

#[test]
fn contents_entries_print_the_pages_their_headings_are_on_and_link_there() {
    let _sample = support::sample_part();
    let mut checked = 0;
    for built in all() {
        let file = read_pdf(&built.pdf);
        checked += check_contents(built, &file);
    }
    assert!(checked > 60, "{checked}");
}

#[test]
fn the_contents_of_the_12_chapter_edition_runs_over_pages() {
    let built = edition12();
    let contents: Vec<usize> = (0..built.layout.pages.len())
        .filter(|&p| matches!(built.layout.pages[p].role, PageRole::Contents { .. }))
        .collect();
    assert!(contents.len() >= 2, "{contents:?}");
    // Roman numbers in front, and the text starts on a recto numbered 1.
    let file = read_pdf(&built.pdf);
    let front = built.layout.front_pages;
    assert_eq!(front % 2, 0);
    for p in 0..front {
        assert_eq!(file.labels[p], support::roman(p as u32 + 1));
    }
    assert_eq!(file.labels[front], "1");
}

#[test]
fn the_outline_is_the_table_of_contents() {
    let _sample = support::sample_part();
    for built in all() {
        let file = read_pdf(&built.pdf);
        assert_outline_is_contents(built, &file);
        let blocks = pages_text(built, Some(text_block(built)), false);
        for (k, b) in file.outline.iter().enumerate() {
            assert!(
                strip(&blocks[b.page]).contains(&strip(&b.title)),
                "{} is not on page {}",
                b.title,
                b.page + 1
            );
            // Open at the top level only: an entry with children is closed.
            let has_children = file.outline.get(k + 1).is_some_and(|n| n.depth > b.depth);
            assert!(!(has_children && b.open), "{} is open", b.title);
        }
    }
}

/// What the running head of `page` must read, or `None` when it has none.
/// The bookmarks have the contents' titles, depths and order.
fn assert_outline_is_contents(built: &Built, file: &PdfFile) {
    let expected: Vec<(usize, String)> = flatten(&built.doc.toc)
        .iter()
        .map(|(d, e)| (*d, e.title.clone()))
        .collect();
    let got: Vec<(usize, String)> = file
        .outline
        .iter()
        .map(|b| (b.depth, b.title.clone()))
        .collect();
    assert_eq!(got, expected);
}

fn expected_head(built: &Built, page: usize) -> Option<String> {
    let p = &built.layout.pages[page];
    let chapter = match p.role {
        PageRole::Text { first: false } => built.doc.chapters[p.chapter.expect("a chapter")]
            .title
            .display_text(),
        PageRole::Contents { first: false } => "目录".to_string(),
        _ => return None,
    };
    let style = support::style_of(built);
    Some(match style.running_head {
        inkstone::pdf::style::RunningHead::BookChapter if p.number.value % 2 == 0 => {
            built.doc.metadata.title.clone()
        }
        inkstone::pdf::style::RunningHead::Book => built.doc.metadata.title.clone(),
        inkstone::pdf::style::RunningHead::None => return None,
        _ => chapter,
    })
}

#[test]
fn page_labels_match_the_printed_folios_and_heads_name_book_and_chapter() {
    let _sample = support::sample_part();
    for built in all() {
        let file = read_pdf(&built.pdf);
        let feet = pages_text(built, Some(foot_area(built)), false);
        let heads = pages_text(built, Some(head_area(built)), false);
        let mut folios = 0;
        let mut running = 0;
        for (p, page) in built.layout.pages.iter().enumerate() {
            let folio = strip(&feet[p]);
            let head = strip(&heads[p]);
            let furnished = matches!(
                page.role,
                PageRole::Text { first: false } | PageRole::Contents { first: false }
            );
            if furnished {
                assert_eq!(folio, file.labels[p], "the folio of page {}", p + 1);
                folios += 1;
            } else {
                assert_eq!(folio, "", "page {} ({:?}) has a folio", p + 1, page.role);
            }
            match expected_head(built, p) {
                Some(expected) => {
                    assert_eq!(head, strip(&expected), "the head of page {}", p + 1);
                    running += 1;
                }
                None => assert_eq!(head, "", "page {} ({:?}) has a head", p + 1, page.role),
            }
        }
        assert!(folios >= 2 && running >= 2, "{}", built.pdf.display());
        // The text is numbered from 1 in arabic, the front matter in roman.
        let front = built.layout.front_pages;
        for (p, label) in file.labels.iter().enumerate() {
            let expected = if p < front {
                support::roman(p as u32 + 1)
            } else {
                (p - front + 1).to_string()
            };
            assert_eq!(*label, expected);
        }
    }
}

#[test]
fn a_book_opens_with_title_page_imprint_and_contents() {
    let built = book();
    let m = &built.doc.metadata;
    let pages = pages_text(built, None, false);
    let title_page = strip(&pages[0]);
    let expected = format!(
        "{}{}{}{}2025年",
        m.title,
        m.subtitle
            .as_deref()
            .map(inkstone::model::dashed_subtitle)
            .unwrap_or_default(),
        m.authors.concat(),
        m.publisher.as_deref().unwrap_or("")
    );
    assert_eq!(title_page, strip(&expected));
    let imprint = strip(&pages[1]);
    for part in [
        "出版：青川文史出版社",
        "日期：2025年12月20日",
        m.rights.as_deref().unwrap_or("rights"),
    ] {
        assert!(
            imprint.contains(&strip(part)),
            "{part} is not on the imprint page"
        );
    }
    assert!(strip(&pages[2]).starts_with("目录"));
    let file = read_pdf(&built.pdf);
    assert_eq!(&file.labels[..5], ["i", "ii", "iii", "iv", "1"]);
    let first = strip(&pages[4]);
    assert!(first.starts_with(&strip(&built.doc.chapters[0].title.display_text())));
}

#[test]
fn the_imprint_prints_the_book_date_as_parsed_and_a_bad_one_as_written() {
    let (mut doc, fonts) = load(EDITION);
    for (k, (date, printed, not)) in [
        ("2025-03", "日期：2025年3月", "2025-03"),
        ("2025", "日期：2025年", "2025年1月"),
        // Not a date: shown as the book has it, not made into one.
        ("2025-1-5", "日期：2025-1-5", "2025年1月5日"),
    ]
    .into_iter()
    .enumerate()
    {
        doc.metadata.date = Some(date.to_string());
        let (bytes, _) = inkstone::pdf::render_pdf(&doc, &fonts, &PdfOptions::default())
            .unwrap_or_else(|f| panic!("{date}: {f}"));
        let pdf = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("book-date-{k}.pdf"));
        std::fs::write(&pdf, bytes).expect("write the PDF");
        let imprint = strip(&text_of(&pdf, 2, 2, None, false));
        assert!(imprint.contains(&strip(printed)), "{date}: {imprint}");
        assert!(!imprint.contains(&strip(not)), "{date}: {imprint}");
    }
}

#[test]
fn a_single_article_keeps_its_title_and_lists_its_sections_on_page_1() {
    let Some(_sample) = support::sample_test() else {
        return;
    };
    let built = sample();
    assert_eq!(built.layout.front_pages, 0);
    assert_eq!(
        built.layout.pages.len(),
        3,
        "the article still fits three pages"
    );
    let pages = pages_text(built, None, false);
    let chapter = &built.doc.chapters[0];
    let head = strip(&format!(
        "{}{}目录",
        chapter.title.display_text(),
        chapter
            .subtitle
            .as_deref()
            .map(inkstone::model::dashed_subtitle)
            .unwrap_or_default()
    ));
    assert!(strip(&pages[0]).starts_with(&head), "{}", pages[0]);
}

#[test]
fn footnote_marks_and_notes_link_to_each_other_and_urls_are_links() {
    let built = book();
    let file = read_pdf(&built.pdf);
    let note_pages: Vec<usize> = (0..built.layout.pages.len())
        .filter(|&p| {
            built.layout.pages[p]
                .items
                .iter()
                .any(|i| matches!(i, Item::Line(l) if l.kind == LineKind::Note))
        })
        .collect();
    assert!(!note_pages.is_empty());
    for p in note_pages {
        let internal: Vec<_> = file.links[p]
            .iter()
            .filter(|l| l.dest.is_some_and(|d| d.0 == p))
            .collect();
        // The reference (above) goes down to the note, whose marker goes
        // back up to the reference: each lands within a line of the other.
        let pair = internal.iter().any(|a| {
            internal.iter().any(|b| {
                let (ya, yb) = (a.dest.map_or(0.0, |d| d.1), b.dest.map_or(0.0, |d| d.1));
                a.rect[1] > b.rect[1]
                    && (ya - b.rect[3]).abs() < 20.0
                    && (yb - a.rect[3]).abs() < 20.0
            })
        });
        assert!(pair, "page {}: {internal:?}", p + 1);
    }
    let urls: Vec<&str> = file
        .links
        .iter()
        .flatten()
        .filter_map(|l| l.uri.as_deref())
        .collect();
    assert!(urls.iter().any(|u| u.starts_with("https://")), "{urls:?}");
}

#[test]
fn pdfinfo_shows_title_author_language_and_the_book_date() {
    let built = book();
    let info = tool("pdfinfo", &["-isodates"], &built.pdf);
    let field = |name: &str| -> String {
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let m = &built.doc.metadata;
    assert_eq!(field("Title"), m.title);
    assert_eq!(field("Author"), m.authors.join(", "));
    assert_eq!(field("Subject"), m.description.clone().unwrap_or_default());
    assert_eq!(field("Keywords"), m.keywords.join(", "));
    assert_eq!(field("Creator"), "inkstone");
    // From the book's date, never the clock.
    assert!(field("CreationDate").starts_with("2025-12-20"), "{info}");
    let meta = tool("pdfinfo", &["-meta"], &built.pdf);
    assert!(
        meta.contains("<dc:language><rdf:Bag><rdf:li>zh-CN</rdf:li>"),
        "{meta}"
    );
}

/// The edition laid out in the a5-book style changed by `edit`.
fn layout_with(edit: impl Fn(String) -> String, name: &str) -> Layout {
    let dir = generated(12, "a5-book");
    let (mut doc, fonts) = load(dir.to_str().expect("path"));
    let style = edit(include_str!("../styles/pdf/a5-book.toml").to_string());
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.toml"));
    std::fs::write(&path, style).expect("write the style");
    doc.settings.pdf_style = path.to_string_lossy().into_owned();
    layout_document(&doc, &fonts, &PdfOptions::default())
        .expect("layout")
        .0
}

/// The text of the first line of each page of the text.
fn first_lines(layout: &Layout) -> Vec<String> {
    layout.pages[layout.front_pages..]
        .iter()
        .map(|p| {
            p.items
                .iter()
                .find_map(|i| match i {
                    Item::Line(l) if l.kind != LineKind::Head => Some(l.set.text.clone()),
                    _ => None,
                })
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn the_contents_never_moves_the_text() {
    let with = layout_with(|s| s, "with-contents");
    let without = layout_with(
        |s| s.replace("contents = \"auto\"", "contents = \"none\""),
        "without-contents",
    );
    assert!(with.front_pages > without.front_pages);
    assert_eq!(first_lines(&with), first_lines(&without));
}

#[test]
fn page_style_keys_switch_the_furniture() {
    let layout = layout_with(
        |s| {
            s.replace("title = \"auto\"", "title = \"block\"")
                .replace("contents = \"auto\"", "contents = \"block\"")
                .replace("running-head = \"book-chapter\"", "running-head = \"none\"")
                .replace("folio = \"foot-outer\"", "folio = \"none\"")
        },
        "bare",
    );
    assert_eq!(layout.front_pages, 0);
    let furniture =
        layout.pages.iter().flat_map(|p| &p.items).any(
            |i| matches!(i, Item::Line(l) if matches!(l.kind, LineKind::Head | LineKind::Folio)),
        );
    assert!(
        !furniture,
        "heads or folios with running-head and folio none"
    );
    // The book's title block and its contents open the first page.
    let first: Vec<&str> = layout.pages[0]
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Line(l) => Some(l.set.text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(first[0], "青川年度工作综述汇编");
    assert!(first.contains(&"目录"), "{first:?}");
}

/// The edition of the performance benchmarks: some 800 contents entries
/// over about 30 pages, checked in a few seconds.
#[test]
fn the_200_chapter_edition_has_right_contents_outline_and_labels() {
    let dir = generated(200, "a4-report");
    let built = build(dir.to_str().expect("path"), "book-edition-200");
    let file = read_pdf(&built.pdf);
    let checked = check_contents(&built, &file);
    assert!(checked > 600, "{checked}");
    assert_outline_is_contents(&built, &file);
    let feet = pages_text(&built, Some(foot_area(&built)), false);
    for (p, page) in built.layout.pages.iter().enumerate() {
        if matches!(
            page.role,
            PageRole::Text { first: false } | PageRole::Contents { first: false }
        ) {
            assert_eq!(strip(&feet[p]), file.labels[p], "page {}", p + 1);
        }
    }
}

#[test]
fn a_character_no_font_has_in_the_metadata_is_reported_in_book_toml() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("missing-in-metadata");
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("01.txt"), "第一章 标题\n正文。\n").expect("write");
    std::fs::write(
        dir.join("book.toml"),
        "[book]\ntitle = \"书名\"\npublisher = \"出版社\u{10FFFD}\"\n\n[contents]\nchapters = [\"01.txt\"]\n",
    )
    .expect("write");
    let (doc, fonts) = load(dir.to_str().expect("path"));
    let found = inkstone::resolve::glyphs::resolve_glyphs(&doc, &fonts, false).diagnostics;
    // Printed on the title and the imprint page, reported once.
    assert_eq!(found.len(), 1, "{found:?}");
    let d = &found[0];
    assert!(d.is_error(), "{d}");
    let at = d.location.as_ref().expect("a location");
    assert!(at.file.ends_with("book.toml"), "{d}");
    // Line 3, after `publisher = "出版社`.
    assert_eq!((at.line, at.column), (3, 17), "{d}");
}

#[test]
fn a_file_of_several_hui_prints_as_a_book_with_a_chapter_per_hui() {
    let built = build("tests/cases/novel-mixed/input.txt", "book-hui");
    let file = read_pdf(&built.pdf);
    assert_eq!(check_contents(&built, &file), 2);
    let titles: Vec<String> = flatten(&built.doc.toc)
        .iter()
        .map(|(_, e)| strip(&e.title))
        .collect();
    assert_eq!(
        titles,
        [
            strip("第一回 宴桃园豪杰初相识 斩黄巾英雄首立功"),
            strip("第二回 过山岗二人遇猛虎 入酒店一言结良缘"),
        ]
    );
    // The title line is the book's title page, not a chapter.
    let pages = pages_text(&built, None, false);
    assert!(strip(&pages[0]).starts_with("青川演义"), "{}", pages[0]);
    assert!(!built.doc.settings.single_article);
}
