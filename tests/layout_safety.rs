//! No text is lost between the model and the PDF: every character of a
//! book reaches a page or the build fails naming the block; a table row
//! taller than a page is split across pages; a table with too many
//! columns is shrunk to fit or refused, never overprinted; page-style
//! numbers out of range are refused at their key; text nested as deep as
//! Markdown allows is set in full.
//!
//! Layout is measured from the PDF with `mutool stext` (where each glyph
//! lies) and `pdftotext` (what a reader extracts); each measurement has a
//! negative control, a PDF written from a deliberately damaged layout.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use inkstone::pdf::layout::{Item, LineKind};
use inkstone::pdf::{layout_document, render_pdf, Layout, PdfOptions};
use support::{strip, text_block, text_of, tool, Built};

/// Sentences of the kind a county office's minutes are made of, with
/// their digits, Latin letters, brackets and stray spaces.
const PHRASES: [&str; 24] = [
    "会议听取了",
    "关于2023年度重点工作推进情况的汇报",
    "，",
    "与会同志认为",
    "基层治理要坚持问题导向",
    "（试行）",
    "要把握好“稳中求进”的总基调",
    "；",
    "截至9月底",
    "完成固定资产投资3.2亿元",
    "、",
    "同比增长12.5%",
    "。",
    "GDP 核算口径",
    "按照《实施方案》第三条",
    "由乡镇统筹安排",
    "——",
    "请各部门于10月15日前报送",
    "……",
    "村（社区）两委换届后",
    "人员到位率达到98%",
    "并抄送县政府办公室",
    "QQ群和微信群同步通知",
    "：",
];

/// About `chars` characters of messy minutes, the same for the same
/// `seed`, ending with a full stop.
fn messy(seed: u64, chars: usize) -> String {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut out = String::new();
    while out.chars().count() < chars {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        out.push_str(PHRASES[(state >> 33) as usize % PHRASES.len()]);
    }
    out.push('。');
    out
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("layout-safety")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("fixture folder");
    }
    std::fs::write(path, text).expect("write fixture");
}

fn run(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_inkstone"))
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .arg("--diagnostic-format=short")
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run inkstone")
}

/// Exit code 1, no panic, and an error line starting with `prefix` that
/// says `words`.
fn assert_error(output: &Output, prefix: &str, words: &str) {
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "exit code; stderr:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.lines()
            .any(|l| l.starts_with(prefix) && l.contains(": error: ") && l.contains(words)),
        "an error starting {prefix:?} saying {words:?} expected:\n{err}"
    );
}

/// Loads `input` with the page style `style`.
fn load(input: &Path, style: &str) -> (inkstone::model::Document, inkstone::fonts::FontSet) {
    let (mut doc, fonts) = support::load(input.to_str().expect("path"));
    doc.settings.pdf_style = style.to_string();
    (doc, fonts)
}

/// Builds `input` into `<dir>/<name>.pdf`.
fn build(input: &Path, style: &str, name: &str) -> Built {
    let (doc, fonts) = load(input, style);
    let options = PdfOptions::default();
    let (bytes, _) = render_pdf(&doc, &fonts, &options).unwrap_or_else(|f| panic!("{f}"));
    let (layout, _) = layout_document(&doc, &fonts, &options).expect("layout");
    let pdf = input.with_file_name(format!("{name}.pdf"));
    std::fs::write(&pdf, &bytes).expect("write the PDF");
    Built {
        doc,
        layout,
        pdf,
        bytes,
    }
}

/// Writes the PDF of `input` from its layout changed by `damage`: the
/// negative control of a measurement.
fn build_damaged(input: &Path, style: &str, name: &str, damage: impl Fn(&mut Layout)) -> PathBuf {
    let (doc, fonts) = load(input, style);
    let options = PdfOptions::default();
    let (mut layout, _) = layout_document(&doc, &fonts, &options).unwrap_or_else(|f| panic!("{f}"));
    damage(&mut layout);
    let bytes =
        inkstone::export::pdf::write_pdf(&layout, &options).unwrap_or_else(|f| panic!("{f}"));
    let pdf = input.with_file_name(format!("{name}.pdf"));
    std::fs::write(&pdf, bytes).expect("write the PDF");
    pdf
}

/// A glyph as MuPDF finds it in the PDF: its page (0-based), character,
/// advance box and the em box of its size, in points from the top left.
#[derive(Debug, Clone)]
struct Glyph {
    page: usize,
    c: String,
    x0: f32,
    x1: f32,
    top: f32,
    bottom: f32,
    size: f32,
    page_width: f32,
    page_height: f32,
}

fn attr<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let start = line.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = line[start..].find('"')?;
    Some(&line[start..start + len])
}

fn number(line: &str, name: &str) -> f32 {
    attr(line, name)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no number {name} in {line}"))
}

/// Every glyph of `pdf`, from `mutool draw -F stext`.
fn glyphs(pdf: &Path) -> Vec<Glyph> {
    let xml = tool("mutool", &["draw", "-q", "-F", "stext", "-o", "-"], pdf);
    let mut out = Vec::new();
    let mut page: Option<usize> = None;
    let (mut width, mut height, mut size) = (0.0, 0.0, 0.0);
    for line in xml.lines().map(str::trim_start) {
        if line.starts_with("<page ") {
            page = Some(page.map_or(0, |p| p + 1));
            width = number(line, "width");
            height = number(line, "height");
        } else if line.starts_with("<font ") {
            size = number(line, "size");
        } else if line.starts_with("<char ") {
            let quad: Vec<f32> = attr(line, "quad")
                .expect("quad")
                .split(' ')
                .map(|v| v.parse().expect("quad number"))
                .collect();
            let baseline = number(line, "y");
            let c = attr(line, "c").expect("c");
            let c = if let Some(hex) = c.strip_prefix("&#x").and_then(|h| h.strip_suffix(';')) {
                u32::from_str_radix(hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .map(String::from)
                    .unwrap_or_default()
            } else {
                c.replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&amp;", "&")
            };
            out.push(Glyph {
                page: page.expect("a page"),
                c,
                x0: quad[0],
                x1: quad[2],
                top: baseline - 0.88 * size,
                bottom: baseline + 0.12 * size,
                size,
                page_width: width,
                page_height: height,
            });
        }
    }
    out
}

/// Glyphs that are not wholly inside their page's media box.
fn outside(glyphs: &[Glyph]) -> Vec<&Glyph> {
    glyphs
        .iter()
        .filter(|g| {
            g.x0 < -0.5
                || g.x1 > g.page_width + 0.5
                || g.top < -0.5
                || g.bottom > g.page_height + 0.5
        })
        .collect()
}

/// How many characters of `text` (spaces aside) are not among the glyphs
/// that lie wholly inside their page (extractors leave out what is
/// printed beyond the media box, so text pushed off a page is missing
/// here).
fn not_on_a_page(glyphs: &[Glyph], text: &str) -> usize {
    let off = outside(glyphs);
    let mut found: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for g in glyphs {
        if !off.iter().any(|o| std::ptr::eq(*o, g)) {
            *found.entry(g.c.as_str()).or_default() += 1;
        }
    }
    let mut missing = 0;
    for c in strip(text).chars() {
        let mut buf = [0u8; 4];
        match found.get_mut(&*c.encode_utf8(&mut buf)) {
            Some(n) if *n > 0 => *n -= 1,
            _ => missing += 1,
        }
    }
    missing
}

/// Pairs of glyphs printed over each other: the middle halves of their
/// boxes overlap (so that punctuation set in half its width, which lets
/// the next character into its blank, is not counted).
fn overprinted(glyphs: &[Glyph]) -> Vec<(Glyph, Glyph)> {
    let core = |g: &Glyph| {
        let (w, h) = (g.x1 - g.x0, g.bottom - g.top);
        (
            g.x0 + w / 4.0,
            g.x1 - w / 4.0,
            g.top + h / 4.0,
            g.bottom - h / 4.0,
        )
    };
    let mut out = Vec::new();
    for (i, a) in glyphs.iter().enumerate() {
        let ca = core(a);
        for b in &glyphs[i + 1..] {
            if b.page != a.page {
                continue;
            }
            let cb = core(b);
            if ca.0 < cb.1 - 0.1 && cb.0 < ca.1 - 0.1 && ca.2 < cb.3 - 0.1 && cb.2 < ca.3 - 0.1 {
                out.push((a.clone(), b.clone()));
            }
        }
    }
    out
}

/// The text of the text block of every page, without spaces (running
/// heads and folios cropped away).
fn block_text(built: &Built, pdf: &Path) -> String {
    let pages = tool("pdfinfo", &[], pdf)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse::<usize>().ok())
        .expect("page count");
    strip(&text_of(pdf, 1, pages, Some(text_block(built)), false))
}

// ---------------------------------------------------------------------
// 1. The invariant: every character of the model reaches a page.
// ---------------------------------------------------------------------

/// The number of characters the check compares for `doc`.
fn counted(doc: &inkstone::model::Document) -> usize {
    doc.chapters
        .iter()
        .flat_map(|c| inkstone::pdf::complete::expected_text(c).into_values())
        .map(|e| strip(&e.text).chars().count())
        .sum()
}

#[test]
fn the_check_is_quiet_on_the_edition_and_every_case() {
    let mut inputs = vec![PathBuf::from(support::EDITION)];
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&cases)
        .expect("tests/cases")
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let input = ["input.txt", "input.md", "book.toml"]
            .iter()
            .map(|name| dir.join(name))
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("{}: no input", dir.display()));
        inputs.push(input);
    }
    assert!(inputs.len() > 10, "{inputs:?}");
    for input in inputs {
        let (doc, fonts) = support::load(input.to_str().expect("path"));
        let layout = match layout_document(&doc, &fonts, &PdfOptions::default()) {
            Ok((layout, _)) => layout,
            // A case made to test reading (its image is not there) is not
            // laid out; it must not fail for lost text.
            Err(f) => {
                let message = f.to_string();
                assert!(
                    message.contains("cannot read the image") && !message.contains("would be lost"),
                    "{}: {message}",
                    input.display()
                );
                continue;
            }
        };
        let errors = inkstone::pdf::complete::check(&doc, &layout);
        assert!(errors.is_empty(), "{}: {errors:?}", input.display());
        assert!(counted(&doc) > 20, "{}: nothing compared", input.display());
    }
}

/// A chapter of paragraphs and a table, for damaging its layout.
fn minutes(dir: &Path) -> PathBuf {
    let mut text = String::from("# 第三次全体会议纪要\n\n");
    for k in 0..12 {
        text.push_str(&messy(k, 90 + 13 * k as usize));
        text.push_str("\n\n");
    }
    text.push_str("| 单位 | 事项 | 时限 |\n| --- | --- | --- |\n");
    text.push_str(
        "| 县发改局 | 项目申报材料 | 10月15日 |\n| 县财政局 | 资金拨付（第二批） | 11月 |\n",
    );
    let path = dir.join("minutes.md");
    write(&path, &text);
    path
}

#[test]
fn a_lossy_layout_is_refused_naming_its_block() {
    let dir = scratch("invariant");
    let input = minutes(&dir);
    let (doc, fonts) = load(&input, "a5-book");
    let (layout, _) = layout_document(&doc, &fonts, &PdfOptions::default()).expect("layout");
    assert!(inkstone::pdf::complete::check(&doc, &layout).is_empty());

    // A body line pushed below the foot of its page.
    let mut pushed = layout.clone();
    let (page, index) = pushed
        .pages
        .iter()
        .enumerate()
        .find_map(|(p, page)| {
            page.items
                .iter()
                .rposition(|i| matches!(i, Item::Line(l) if l.kind == LineKind::Body))
                .map(|i| (p, i))
        })
        .expect("a body line");
    let height = pushed.height;
    let Item::Line(line) = &mut pushed.pages[page].items[index] else {
        unreachable!()
    };
    let lost = strip(&line.set.text);
    line.baseline += height;
    let errors = inkstone::pdf::complete::check(&doc, &pushed);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let message = errors[0].to_string();
    assert!(message.contains("minutes.md:"), "{message}");
    assert!(
        message.contains("of this paragraph would be lost in the PDF"),
        "{message}"
    );
    let count = lost.chars().count();
    assert!(message.contains(&format!(": {count} of ")), "{message}");
    // The paragraph is named by its line in the chapter file.
    let source = std::fs::read_to_string(&input).expect("fixture");
    let line_no: usize = message
        .split("minutes.md:")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .expect("a line number");
    let written = source.lines().nth(line_no - 1).expect("the line");
    assert!(strip(written).contains(&lost), "{written} / {lost}");

    // A line of the table dropped.
    let mut dropped = layout.clone();
    for page in &mut dropped.pages {
        if let Some(i) = page
            .items
            .iter()
            .position(|i| matches!(i, Item::Line(l) if l.kind == LineKind::Cell && l.set.text.contains("资金")))
        {
            page.items.remove(i);
        }
    }
    let errors = inkstone::pdf::complete::check(&doc, &dropped);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let message = errors[0].to_string();
    assert!(message.contains("minutes.md:27:1: error: "), "{message}");
    assert!(message.contains("of this table would be lost"), "{message}");
    assert!(message.contains("资金"), "{message}");
}

// ---------------------------------------------------------------------
// 2. A table row taller than a page.
// ---------------------------------------------------------------------

fn tall_table(dir: &Path) -> (PathBuf, String) {
    let cell = messy(7, 12_100);
    let text = format!(
        "# 会议纪要汇编\n\n下表收录历次会议的发言记录。\n\n| 日期 | 发言人 | 内容 |\n| --- | --- | --- |\n| 2023年3月 | 王主任 | 开场说明。 |\n| 2023年4月 | 李处长 | {cell} |\n| 2023年5月 | 赵科长 | 会议结束，散会。 |\n\n表后的说明文字。\n"
    );
    let path = dir.join("tall.md");
    write(&path, &text);
    (path, strip(&cell))
}

/// The words `pdftotext -bbox` finds, page by page in reading order:
/// (page, xMin, yMin, text).
fn words(pdf: &Path) -> Vec<(usize, f32, f32, String)> {
    let html = tool("pdftotext", &["-bbox"], pdf);
    let mut out = Vec::new();
    let mut page = 0;
    for line in html.lines().map(str::trim_start) {
        if line.starts_with("<page ") {
            page += 1;
        } else if line.starts_with("<word ") {
            let text = line
                .split_once('>')
                .and_then(|(_, rest)| rest.strip_suffix("</word>"))
                .unwrap_or("")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&amp;", "&");
            out.push((page, number(line, "xMin"), number(line, "yMin"), text));
        }
    }
    out
}

/// Whether the long `cell` reads straight through, in order: the words of
/// its column (from the left edge of its first words on), inside the text
/// block of `built`'s style, joined, with the column's header taken out.
fn long_cell_reads_through(built: &Built, pdf: &Path, cell: &str) -> bool {
    let area = text_block(built);
    let style = support::style_of(built);
    // The text block of a verso stands elsewhere than a recto's.
    let shift = |page: usize| {
        if page % 2 == 1 {
            0.0
        } else {
            style.left_verso - style.left_recto
        }
    };
    let all = words(pdf);
    let start: String = cell.chars().take(6).collect();
    let Some(left) = all
        .iter()
        .find(|w| strip(&w.3).starts_with(&start))
        .map(|w| w.1 - shift(w.0))
    else {
        return false;
    };
    // Half an em of room for a line that opens with a bracket set in
    // half its width.
    let column: String = all
        .iter()
        .filter(|w| w.1 >= left + shift(w.0) - 9.0 && w.2 >= area.y && w.2 <= area.y + area.height)
        .map(|w| strip(&w.3))
        .collect();
    column.replace("内容", "").contains(cell)
}

#[test]
fn a_row_taller_than_a_page_is_split_across_pages() {
    let dir = scratch("tall");
    let (input, cell) = tall_table(&dir);
    assert!(cell.chars().count() >= 12_000);
    for style in ["a5-book", "a4-report", "gb9704"] {
        let built = build(&input, style, style);
        let found = glyphs(&built.pdf);
        assert!(found.len() > 12_000, "{style}: {} glyphs", found.len());
        let off: Vec<_> = outside(&found).into_iter().take(3).collect();
        assert!(off.is_empty(), "{style}: glyphs off the page: {off:?}");
        assert_eq!(not_on_a_page(&found, &cell), 0, "{style}");
        assert!(
            long_cell_reads_through(&built, &built.pdf, &cell),
            "{style}: the long cell is not read in full and in order"
        );
        assert!(block_text(&built, &built.pdf).ends_with("表后的说明文字。"));
        let pages = found.iter().map(|g| g.page).max().unwrap_or(0) + 1;
        assert!(pages >= 5, "{style}: {pages} pages");
    }

    // Negative control: the rows of one page moved below it.
    let built = build(&input, "a5-book", "a5-again");
    let damaged = build_damaged(&input, "a5-book", "tall-damaged", |layout| {
        let height = layout.height;
        let page = layout.pages.len() - 3;
        for item in &mut layout.pages[page].items {
            if let Item::Line(line) = item {
                if line.kind == LineKind::Cell {
                    line.baseline += height;
                }
            }
        }
    });
    assert!(not_on_a_page(&glyphs(&damaged), &cell) > 100);
    assert!(!long_cell_reads_through(&built, &damaged, &cell));
}

// ---------------------------------------------------------------------
// 3. Tables of many columns.
// ---------------------------------------------------------------------

fn wide_table(dir: &Path, name: &str, cols: usize, header: impl Fn(usize) -> String) -> PathBuf {
    let mut text = String::from("# 统计总表\n\n各乡镇各项指标如下（单位：户）：\n\n|");
    for c in 0..cols {
        text.push_str(&format!(" {} |", header(c)));
    }
    text.push_str("\n|");
    text.push_str(&"---|".repeat(cols));
    let mut state = cols as u64;
    for _ in 0..6 {
        text.push_str("\n|");
        for _ in 0..cols {
            state = (state * 7919 + 17) % 1000;
            text.push_str(&format!(" {} |", state % 97));
        }
    }
    text.push_str("\n\n表毕。\n");
    let path = dir.join(format!("{name}.md"));
    write(&path, &text);
    path
}

const TIANGAN: [&str; 10] = ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"];

#[test]
fn a_table_of_many_columns_is_shrunk_and_never_overprinted() {
    let dir = scratch("wide");
    // 52 columns fit an A4 page in smaller type; 30 an A5 page.
    for (cols, style) in [(52, "a4-report"), (30, "a5-book")] {
        let input = wide_table(&dir, &format!("wide{cols}"), cols, |c| {
            TIANGAN[c % 10].to_string()
        });
        let out = run(
            &[
                "build",
                "-v",
                &format!("wide{cols}.md"),
                "-o",
                "out",
                "--format",
                "pdf",
                "--style",
                style,
            ],
            &dir,
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
        assert!(
            err.contains(&format!(
                "wide{cols}.md:5:1: note: this table of {cols} columns is set in"
            )),
            "{err}"
        );
        let built = build(&input, style, &format!("wide{cols}"));
        let found = glyphs(&built.pdf);
        let cells: Vec<&Glyph> = found.iter().filter(|g| g.size < 9.0).collect();
        assert!(
            cells.len() > cols * 6,
            "{cols}: {} cell glyphs",
            cells.len()
        );
        let smallest = cells.iter().map(|g| g.size).fold(f32::MAX, f32::min);
        assert!(smallest >= 5.5, "{cols}: {smallest} pt");
        let over = overprinted(&found);
        assert!(
            over.is_empty(),
            "{cols}: {} overprinted, {:?}",
            over.len(),
            over.first()
        );
        assert!(outside(&found).is_empty());
        let text = block_text(&built, &built.pdf);
        assert!(text.contains("表毕。"));
    }

    // Negative control: a cell's line moved onto its neighbour.
    let input = dir.join("wide52.md");
    let damaged = build_damaged(&input, "a4-report", "wide-damaged", |layout| {
        let items = &mut layout.pages[0].items;
        let cells: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, i)| matches!(i, Item::Line(l) if l.kind == LineKind::Cell))
            .map(|(k, _)| k)
            .collect();
        let x = match &items[cells[10]] {
            Item::Line(l) => l.x,
            _ => unreachable!(),
        };
        if let Item::Line(l) = &mut items[cells[11]] {
            l.x = x;
        }
    });
    assert!(!overprinted(&glyphs(&damaged)).is_empty());
}

#[test]
fn a_table_too_wide_even_in_small_type_is_refused() {
    let dir = scratch("too-wide");
    wide_table(&dir, "wide60", 60, |c| format!("第{}项", c + 1));
    let out = run(
        &[
            "build",
            "wide60.md",
            "-o",
            "out",
            "--format",
            "pdf",
            "--style",
            "a5-book",
        ],
        &dir,
    );
    assert_error(
        &out,
        "./wide60.md:5:1: error: this table of 60 columns does not fit the page",
        "even in 5.5 pt type",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("split the table"), "{err}");
    assert!(!dir.join("out/wide60.pdf").exists());
}

// ---------------------------------------------------------------------
// 4. Page-style numbers.
// ---------------------------------------------------------------------

#[test]
fn page_style_numbers_out_of_range_are_refused_at_their_key() {
    let dir = scratch("page-style");
    let book = dir.join("book");
    write(
        &book.join("book.toml"),
        "[book]\ntitle = \"乡镇工作简报\"\n\n[contents]\nchapters = [\"01.txt\"]\n\n[style]\npdf = \"page.toml\"\n",
    );
    write(
        &book.join("01.txt"),
        &format!("第一章 综述\n{}\n", messy(3, 200)),
    );
    let base = include_str!("../styles/pdf/a5-book.toml");
    let cases: [(&str, &str, &str, &str); 9] = [
        ("margin-top = 18", "margin-top = -500", "9:1", "the top margin (`margin-top` under [page]) must be from 0 to 100 mm, not -500"),
        ("indent = 2", "indent = 1000", "25:1", "the first-line indent (`indent` under [body]) must be from 0 to 8 em, not 1000"),
        ("indent = 2", "indent = -50", "25:1", "the first-line indent (`indent` under [body]) must be from 0 to 8 em, not -50"),
        ("space-before = 3", "space-before = -100", "34:1", "the space above the chapter title (`space-before` under [title]) must be from 0 to 10 lines"),
        ("size = 18", "size = 2000", "31:1", "the size of the chapter title (`size` under [title]) must be from 4 to 72 pt, not 2000"),
        ("size = 10.5\nleading", "size = 2000\nleading", "23:1", "the body text size (`size` under [body]) must be from 4 to 72 pt"),
        ("margin-inner = 20\nmargin-outer = 15", "margin-inner = 70\nmargin-outer = 70", "11:1", "the inner and outer margins leave a text block of"),
        ("margin-top = 18\nmargin-bottom = 20", "margin-top = 99\nmargin-bottom = 99", "9:1", "the top and bottom margins leave room for fewer than four lines"),
        ("leading = 1.75", "leading = nan", "24:1", "the line spacing"),
    ];
    for (from, to, at, words) in cases {
        assert!(base.contains(from), "{from}");
        write(&book.join("page.toml"), &base.replacen(from, to, 1));
        let out = run(&["build", "book", "-o", "out"], &dir);
        let prefix = format!("book{}page.toml:{at}: error: ", std::path::MAIN_SEPARATOR);
        assert_error(&out, &prefix, words);
        assert!(
            !dir.join("out").exists()
                || std::fs::read_dir(dir.join("out"))
                    .expect("out")
                    .next()
                    .is_none()
        );
    }
    // The built-in style itself is within every range.
    write(&book.join("page.toml"), base);
    let out = run(&["build", "book", "-o", "out", "--format", "pdf"], &dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------------
// 5. Nesting at the cap.
// ---------------------------------------------------------------------

#[test]
fn text_nested_sixteen_deep_is_all_in_the_pdf() {
    let dir = scratch("nesting");
    let mut quotes = String::from("# 层层转述\n\n");
    let mut expected = Vec::new();
    for depth in 1..=16 {
        let para = format!("第{depth}层：{}", messy(100 + depth as u64, 70));
        quotes.push_str(&format!(
            "{} {para}\n{}\n",
            ">".repeat(depth),
            ">".repeat(depth)
        ));
        expected.push(para);
    }
    // A table and a footnote at the deepest level.
    let deep = ">".repeat(16);
    quotes.push_str(&format!(
        "{deep} | 乡镇 | 户数 |\n{deep} | --- | --- |\n{deep} | 城关镇 | 1204 |\n{deep} | 柳溪乡 | 388 |\n\n见附注[^1]。\n\n[^1]: 附注：户数据2023年底统计口径。\n"
    ));
    expected.extend([
        "城关镇".to_string(),
        "柳溪乡".to_string(),
        "附注：户数据2023年底统计口径。".to_string(),
    ]);
    write(&dir.join("quotes.md"), &quotes);
    let mut list = String::from("# 逐级分解\n\n");
    for depth in 0..16 {
        let item = format!("第{}级：{}", depth + 1, messy(200 + depth as u64, 60));
        list.push_str(&format!("{}- {item}\n", "  ".repeat(depth)));
        expected.push(item);
    }
    write(&dir.join("list.md"), &list);
    for style in ["a5-book", "a4-report"] {
        let mut text = String::new();
        for name in ["quotes", "list"] {
            let built = build(
                &dir.join(format!("{name}.md")),
                style,
                &format!("{name}-{style}"),
            );
            text.push_str(&block_text(&built, &built.pdf));
            let found = glyphs(&built.pdf);
            assert!(outside(&found).is_empty(), "{name} {style}");
            let source = std::fs::read_to_string(dir.join(format!("{name}.md"))).expect("md");
            // The markup, and the note's label (printed as ①), aside.
            let words: String = source
                .replace("[^1]", "")
                .chars()
                .filter(|c| !"#>-|:".contains(*c))
                .collect();
            assert_eq!(not_on_a_page(&found, &words), 0, "{name} {style}");
        }
        for para in &expected {
            assert!(text.contains(&strip(para)), "{style}: missing {para}");
        }
    }
}
