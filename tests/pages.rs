//! Full pages, measured on the PDF: every page of a chapter but its last
//! ends on the text block's last line, except where a heading had to go
//! on to the next page with its text, and then by less than the heading
//! and its first line need. With `grid = true` every body baseline lies
//! on one grid and facing pages have their lines in the same places. The
//! official-document style `gb9704` sets 22 lines of 28 characters in a
//! text block 156 mm wide, with the folio "— 1 —" one character in from
//! the outer edge.
//!
//! Glyph positions come from MuPDF (`mutool draw -F stext`), never from
//! inkstone's layout tables; each check also runs on hand-built pages
//! that break its rule (written with `mutool create`) and must find the
//! fault there.

#[path = "support/mod.rs"]
mod support;

#[allow(dead_code)]
#[path = "clreq/glyphs.rs"]
mod glyphs;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use glyphs::{hand_pdf, read, rows, HandLine, Page, Row};

const MM: f32 = 72.0 / 25.4;

/// The text block and type sizes a check looks at, in points from the
/// page's top-left corner.
#[derive(Debug, Clone, Copy)]
struct Frame {
    /// Left edge on recto (even index) and verso pages.
    left: [f32; 2],
    width: f32,
    top: f32,
    height: f32,
    /// Body size and line pitch.
    size: f32,
    pitch: f32,
    /// Size of a chapter's title: a page holding it starts a chapter.
    title: f32,
}

impl Frame {
    fn of_style(style: &inkstone::pdf::style::PageStyle) -> Frame {
        Frame {
            left: [style.left_recto, style.left_verso],
            width: style.text_width,
            top: style.top,
            height: style.text_height,
            size: style.body.size,
            pitch: style.pitch(),
            title: style.title.size,
        }
    }

    /// Everything in the text block of page `index` (a little slack
    /// around it for marks set half outside), as rows of any size.
    fn all_rows(&self, page: &Page, index: usize) -> Vec<Row> {
        let left = self.left[index % 2];
        let mut by_size: BTreeMap<u32, Vec<Row>> = BTreeMap::new();
        for g in &page.glyphs {
            by_size.entry((g.size * 10.0).round() as u32).or_default();
        }
        let mut out = Vec::new();
        for size in by_size.keys() {
            out.extend(rows(
                page,
                *size as f32 / 10.0,
                [left, self.top, left + self.width, self.top + self.height],
            ));
        }
        out.sort_by(|a, b| a.y.total_cmp(&b.y));
        out
    }

    /// The rows of body text on page `index`.
    fn body_rows(&self, page: &Page, index: usize) -> Vec<Row> {
        let left = self.left[index % 2];
        rows(
            page,
            self.size,
            [left, self.top, left + self.width, self.top + self.height],
        )
    }

    fn is_body(&self, row: &Row) -> bool {
        (row.first().size - self.size).abs() < 0.1
    }
}

/// What a page is, from its glyphs.
#[derive(Debug)]
struct Seen {
    rows: Vec<Row>,
    body: Vec<Row>,
    /// Holds a chapter's title.
    chapter_start: bool,
    blank: bool,
}

fn seen(frame: &Frame, pages: &[Page]) -> Vec<Seen> {
    pages
        .iter()
        .enumerate()
        .map(|(p, page)| {
            let rows = frame.all_rows(page, p);
            Seen {
                chapter_start: rows
                    .iter()
                    .any(|r| r.glyphs.iter().any(|g| g.size >= frame.title - 0.1)),
                blank: page.glyphs.is_empty(),
                body: frame.body_rows(page, p),
                rows,
            }
        })
        .collect()
}

/// Lines per page and the pages that end short where their chapter goes
/// on, each with the reason it is allowed or the fault.
struct Fill {
    /// Body lines of each page from `first` on.
    lines: Vec<usize>,
    /// Pages (1-based in the file) short before a heading, within what the
    /// heading needs.
    before_headings: Vec<usize>,
    /// Chapter ends (the page before a chapter's first, or a blank one).
    chapter_ends: Vec<usize>,
    faults: Vec<String>,
}

/// Checks that every page from `first` on that is not the last of its
/// chapter is full: its last body baseline is less than a line above the
/// lowest one any page reaches (with footnotes at its foot: less than a
/// line, the notes' rule and a note line above the first note), or
/// headings follow at the top of the next page and the room left is less
/// than they need with the line of text that goes with them. That room
/// is measured where the same headings (by their sizes) stand between two
/// body lines of one page; where they never do, the rooms of each
/// heading alone are added up.
fn check_fill(frame: &Frame, pages: &[Page], first: usize) -> Fill {
    let seen = seen(frame, pages);
    let heading = |r: &Row| r.first().size > frame.size + 0.1;
    let key = |rows: &[Row]| -> Vec<u32> {
        rows.iter()
            .map(|r| (r.first().size * 10.0).round() as u32)
            .collect()
    };
    let lowest = seen[first..]
        .iter()
        .filter_map(|s| s.body.last().map(|r| r.y))
        .fold(f32::NEG_INFINITY, f32::max);
    // The room headings take between two body lines, by their sizes.
    let mut need: BTreeMap<Vec<u32>, f32> = BTreeMap::new();
    for s in &seen[first..] {
        for (a, row) in s.rows.iter().enumerate() {
            if !frame.is_body(row) {
                continue;
            }
            let run = s.rows[a + 1..].iter().take_while(|r| heading(r)).count();
            if run == 0 {
                continue;
            }
            if let Some(after) = s.rows.get(a + 1 + run).filter(|r| frame.is_body(r)) {
                let room = after.y - row.y;
                let e = need.entry(key(&s.rows[a + 1..a + 1 + run])).or_insert(0.0);
                *e = e.max(room);
            }
        }
    }
    let mut fill = Fill {
        lines: Vec::new(),
        before_headings: Vec::new(),
        chapter_ends: Vec::new(),
        faults: Vec::new(),
    };
    for p in first..seen.len() {
        let s = &seen[p];
        fill.lines.push(s.body.len());
        let Some(last) = s.body.last() else {
            continue;
        };
        let next = seen.get(p + 1);
        if next.is_none_or(|n| n.blank || n.chapter_start) {
            fill.chapter_ends.push(p + 1);
            continue;
        }
        // Full: no other line would fit below the last one (on the grid
        // the room left is then none; without it, less than a line when
        // headings' spaces are not whole lines).
        let notes = s
            .rows
            .iter()
            .find(|r| r.y > last.y && r.first().size < frame.size - 0.1);
        let slack = match notes {
            // A body line, the notes' rule (three quarters of a line) and
            // the first note's line.
            Some(n) => n.y - last.y - 1.75 * frame.pitch,
            None => lowest - last.y,
        };
        if slack < frame.pitch - 0.5 {
            continue;
        }
        let Some(next) = next else { continue };
        let run = next.rows.iter().take_while(|r| heading(r)).count();
        if run == 0 {
            fill.faults.push(format!(
                "page {} ends {:.1} lines short and its chapter goes on",
                p + 1,
                slack / frame.pitch
            ));
            continue;
        }
        let sizes = key(&next.rows[..run]);
        let room = need.get(&sizes).copied().unwrap_or_else(|| {
            sizes
                .iter()
                .map(|k| need.get(&vec![*k]).copied().unwrap_or(3.0 * frame.pitch))
                .sum()
        });
        if slack < room - 0.5 {
            fill.before_headings.push(p + 1);
        } else {
            fill.faults.push(format!(
                "page {} ends {:.1} lines short before a heading that needs {:.1}",
                p + 1,
                slack / frame.pitch,
                room / frame.pitch
            ));
        }
    }
    fill
}

/// With the grid: every body baseline from page `first` on lies on one
/// grid (the first body line of a full page and the pitch), and facing
/// pages that are both full have their first and last lines at the same
/// heights.
fn check_grid(frame: &Frame, pages: &[Page], first: usize) -> Vec<String> {
    let seen = seen(frame, pages);
    let highest = seen[first..]
        .iter()
        .filter_map(|s| s.body.first().map(|r| r.y))
        .fold(f32::INFINITY, f32::min);
    let mut bad = Vec::new();
    for (p, s) in seen.iter().enumerate().skip(first) {
        for row in &s.body {
            let steps = (row.y - highest) / frame.pitch;
            let off = (steps - steps.round()).abs() * frame.pitch;
            if off > 0.05 {
                bad.push(format!(
                    "page {}: a baseline {off:.2} pt off the grid: {}",
                    p + 1,
                    row.text()
                ));
            }
        }
    }
    // Facing pages, a verso (odd index) and the recto after it, both of
    // body text only with as many lines: their lines at the same heights.
    for p in (first..seen.len().saturating_sub(1)).filter(|p| p % 2 == 1) {
        let (a, b) = (&seen[p], &seen[p + 1]);
        let plain = |s: &Seen| !s.body.is_empty() && s.rows.iter().all(|r| frame.is_body(r));
        if !(plain(a) && plain(b)) || a.body.len() != b.body.len() {
            continue;
        }
        if a.body
            .iter()
            .zip(&b.body)
            .any(|(x, y)| (x.y - y.y).abs() > 0.05)
        {
            bad.push(format!(
                "pages {} and {} face each other with their lines at other heights",
                p + 1,
                p + 2
            ));
        }
    }
    bad
}

/// A book of my own, over fifty A5 pages: plain chapters of a county
/// almanac with the mess real text has: numbers with units and
/// percentages, Latin words and abbreviations, quotations, dashes,
/// ellipses, paragraphs from one short line to a dozen lines, sections
/// and subsections, lists.
fn messy_book(dir: &Path, grid: bool) {
    const PIECES: [&str; 20] = [
        "县里的第一条柏油路是1987年修通的，全长14.5公里，",
        "当年参加修路的老工人回忆说：“那时候全靠肩挑手推，一天下来肩膀都磨破了。”",
        "截至2024年底，全县常住人口约为31.6万人，城镇化率达到52.3%。",
        "河西片区的改造分三期进行——先修管网，再铺路面，最后才是绿化。",
        "农技站的老李常说，种地这件事……急不得。",
        "今年新引进的APP预约系统上线后，办事群众平均少跑2趟腿。",
        "全县共有中小学47所、幼儿园63所，在校学生合计4.2万名。",
        "镇上的集市逢三、六、九开市，赶集的人天不亮就从四面八方赶来。",
        "“这条河养活了我们祖祖辈辈，”老支书说，“不能在我们手里毁了。”",
        "茶叶合作社注册了“青岭云雾”商标，产品通过了ISO 9001认证。",
        "去年夏天的那场暴雨连下了三天三夜，低洼处的稻田全被淹了。",
        "县图书馆新增藏书1.8万册，电子阅览室配备了30台电脑。",
        "（注：以上数据均来自县统计局年度公报。）",
        "退休教师王老师每周末义务为留守儿童辅导功课，一坚持就是十二年。",
        "公交线路由原来的5条增加到9条，覆盖了全部乡镇。",
        "山里的路弯弯曲曲，从县城开车到最远的村子要两个多小时。",
        "《县志》记载，这座石桥始建于清朝乾隆年间，距今已有二百多年。",
        "全年接待游客86万人次，旅游综合收入7.3亿元，同比增长11.2%。",
        "垃圾分类试点从3个小区扩大到27个小区，居民参与率超过八成。",
        "每逢端午，河上都要举行龙舟赛，两岸观者如堵……",
    ];
    std::fs::create_dir_all(dir).expect("a folder for the book");
    let mut state: u32 = 12345;
    let mut next = move |n: u32| -> u32 {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (state >> 16) % n
    };
    let mut chapters = Vec::new();
    let titles = [
        "概况", "交通", "人口", "城建", "农业", "教育", "集市", "水利", "文化", "旅游", "环境",
    ];
    for (c, title) in titles.iter().enumerate() {
        let mut text = format!("# 第{}章 {title}\n\n", c + 1);
        let sections = 3 + next(3);
        for s in 1..=sections {
            text.push_str(&format!("## {}.{s} {title}纪要之{s}\n\n", c + 1));
            let paragraphs = 3 + next(6);
            for k in 0..paragraphs {
                if k == 2 && next(3) == 0 {
                    text.push_str(&format!("### 附：{title}的几件小事\n\n"));
                }
                if next(9) == 0 {
                    for _ in 0..3 {
                        text.push_str("- ");
                        text.push_str(PIECES[next(20) as usize]);
                        text.push('\n');
                    }
                    text.push('\n');
                    continue;
                }
                // From one short piece to a dozen lines.
                let pieces = match next(10) {
                    0 => 1,
                    1..=5 => 2 + next(4),
                    _ => 5 + next(8),
                };
                for _ in 0..pieces {
                    text.push_str(PIECES[next(20) as usize]);
                }
                text.push_str("\n\n");
            }
        }
        let name = format!("{:02}.md", c + 1);
        std::fs::write(dir.join(&name), text).expect("write a chapter");
        chapters.push(format!("\"{name}\""));
    }
    let toml = format!(
        "[book]\ntitle = \"清河县年度纪事\"\nlanguage = \"zh-CN\"\n\n[contents]\nchapters = [{}]\n\n[style]\npdf = \"book.toml.style\"\n",
        chapters.join(", ")
    );
    std::fs::write(dir.join("book.toml"), toml).expect("write book.toml");
    let style = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/styles/pdf/a5-book.toml"
    ))
    .expect("the a5-book style");
    let style = style.replacen("[body]\n", &format!("[body]\ngrid = {grid}\n"), 1);
    std::fs::write(dir.join("book.toml.style"), style).expect("write the style");
}

/// The index of the page labelled 1 (the first page of the text).
fn first_text_page(pdf: &Path) -> usize {
    let labels = support::read_pdf(pdf).labels;
    labels.iter().position(|l| l == "1").expect("a page 1")
}

fn built(name: &str, grid: bool) -> (Frame, Vec<Page>, usize) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    messy_book(&dir, grid);
    let built = support::build(dir.to_str().expect("UTF-8"), name);
    let frame = Frame::of_style(&support::style_of(&built));
    let pages = read(&built.pdf);
    let first = first_text_page(&built.pdf);
    (frame, pages, first)
}

fn report(name: &str, fill: &Fill) {
    let short = fill.before_headings.len() + fill.faults.len();
    eprintln!(
        "{name}: {} text pages, lines per page {:?}; chapter ends {:?}; short before a heading {:?}; {short} short pages where the chapter goes on (those and faults)",
        fill.lines.len(),
        fill.lines,
        fill.chapter_ends,
        fill.before_headings,
    );
}

#[test]
fn every_page_of_a_fifty_page_book_is_full_but_a_chapters_last_with_the_grid() {
    let (frame, pages, first) = built("pages-grid", true);
    assert!(
        pages.len() - first >= 50,
        "{} text pages",
        pages.len() - first
    );
    let fill = check_fill(&frame, &pages, first);
    report("messy book, grid", &fill);
    assert!(fill.faults.is_empty(), "{:#?}", fill.faults);
    // Most pages are full; a page before a heading is the exception.
    assert!(
        fill.before_headings.len() * 5 < fill.lines.len(),
        "{:?}",
        fill.before_headings
    );
    let bad = check_grid(&frame, &pages, first);
    assert!(bad.is_empty(), "{bad:#?}");
    let lines: usize = fill.lines.iter().sum();
    assert!(lines > 1000, "{lines} body lines");
}

#[test]
fn every_page_of_a_fifty_page_book_is_full_but_a_chapters_last_without_the_grid() {
    let (frame, pages, first) = built("pages-nogrid", false);
    assert!(
        pages.len() - first >= 45,
        "{} text pages",
        pages.len() - first
    );
    let fill = check_fill(&frame, &pages, first);
    report("messy book, no grid", &fill);
    assert!(fill.faults.is_empty(), "{:#?}", fill.faults);
    // Without the grid a heading's space is not whole lines: the grid
    // check finds lines off it (its negative control on a real book).
    assert!(!check_grid(&frame, &pages, first).is_empty());
}

#[test]
fn the_sample_edition_has_no_short_page_where_a_chapter_goes_on() {
    let built = support::build(support::EDITION, "pages-edition");
    let frame = Frame::of_style(&support::style_of(&built));
    let pages = read(&built.pdf);
    let first = first_text_page(&built.pdf);
    let fill = check_fill(&frame, &pages, first);
    report("sources/2025", &fill);
    assert!(fill.faults.is_empty(), "{:#?}", fill.faults);
}

#[test]
fn the_acceptance_sample_has_no_short_page_where_it_goes_on() {
    let Some(_sample) = support::sample_test() else {
        return;
    };
    let built = support::build(support::SAMPLE, "pages-sample");
    let frame = Frame::of_style(&support::style_of(&built));
    let pages = read(&built.pdf);
    let fill = check_fill(&frame, &pages, 0);
    report("acceptance sample", &fill);
    assert!(fill.faults.is_empty(), "{:#?}", fill.faults);
}

/// Hand-built pages of a frame like A5 at 10.5 pt: `lines` body lines
/// from the top (a paragraph's first line indented), then a heading of 13
/// pt where asked.
fn hand_frame() -> Frame {
    Frame {
        left: [50.0, 50.0],
        width: 21.0 * 10.5,
        top: 60.0,
        height: 10.0 * 18.375,
        size: 10.5,
        pitch: 18.375,
        title: 18.0,
    }
}

const HAN: &str = "县里的第一条路是当年修通的全长十四公里半当年参加修路";

fn hand_page<'a>(frame: &Frame, spec: &[(usize, f32)]) -> Vec<HandLine<'a>> {
    // (grid line, size): body lines full, headings short.
    spec.iter()
        .map(|&(line, size)| HandLine {
            x: frame.left[0],
            y: frame.top + line as f32 * frame.pitch + 0.88 * frame.size + 2.0,
            size,
            text: if (size - frame.size).abs() < 0.1 {
                HAN.get(..21 * 3).unwrap_or(HAN)
            } else {
                "二、交通"
            },
        })
        .collect()
}

#[test]
fn control_a_short_page_and_a_page_short_by_more_than_its_heading_needs_are_found() {
    let f = hand_frame();
    let body = |lines: std::ops::Range<usize>| -> Vec<(usize, f32)> {
        lines.map(|l| (l, f.size)).collect()
    };
    // Page 1: full, with a heading between two body lines (it needs three
    // lines' room). Page 2: short by two lines, the text goes on at the
    // top of page 3. Page 3: short by five lines before a heading on
    // page 4 (more than the heading needs). Page 4: heading and text,
    // short by one line before another heading on page 5, which is
    // allowed. Page 5: the last.
    let mut p1 = body(0..4);
    p1.push((5, 13.0));
    p1.extend(body(7..10));
    let p2 = body(0..8);
    let p3 = body(0..5);
    let mut p4 = vec![(0, 13.0)];
    p4.extend(body(2..9));
    let mut p5 = vec![(0, 13.0)];
    p5.extend(body(2..5));
    let pages: Vec<Vec<HandLine>> = [p1, p2, p3, p4, p5]
        .iter()
        .map(|spec| hand_page(&f, spec))
        .collect();
    let pdf = hand_pdf("pages-short", 420.0, 595.0, &pages);
    let read = read(&pdf);
    let fill = check_fill(&f, &read, 0);
    assert_eq!(fill.before_headings, [4], "{:?}", fill.faults);
    assert_eq!(fill.faults.len(), 2, "{:#?}", fill.faults);
    assert!(fill.faults[0].starts_with("page 2 ends 2.0 lines short and its chapter goes on"));
    assert!(fill.faults[1].starts_with("page 3 ends 5.0 lines short before a heading"));
}

#[test]
fn control_a_line_off_the_grid_and_facing_pages_out_of_step_are_found() {
    let f = hand_frame();
    let lines =
        |r: std::ops::Range<usize>| -> Vec<(usize, f32)> { r.map(|l| (l, f.size)).collect() };
    let mut off = hand_page(&f, &lines(0..10));
    off[4].y += 4.0;
    // Pages: 1 (recto) full; 2 (verso) with a line 4 pt off the grid, 3
    // full; 4 (verso) with nine lines from the top, 5 with nine lines one
    // line lower: on the grid, but not where the facing page has them.
    let pages = vec![
        hand_page(&f, &lines(0..10)),
        off,
        hand_page(&f, &lines(0..10)),
        hand_page(&f, &lines(0..9)),
        hand_page(&f, &lines(1..10)),
    ];
    let pdf = hand_pdf("pages-grid", 420.0, 595.0, &pages);
    let bad = check_grid(&f, &read(&pdf), 0);
    assert_eq!(bad.len(), 3, "{bad:#?}");
    assert!(
        bad[0].starts_with("page 2: a baseline 4.00 pt off the grid"),
        "{bad:#?}"
    );
    assert!(
        bad[1].starts_with("pages 2 and 3 face each other"),
        "{bad:#?}"
    );
    assert!(
        bad[2].starts_with("pages 4 and 5 face each other"),
        "{bad:#?}"
    );
    // The same pages set right pass.
    let pages = vec![
        hand_page(&f, &lines(0..10)),
        hand_page(&f, &lines(0..10)),
        hand_page(&f, &lines(0..10)),
        hand_page(&f, &lines(0..9)),
        hand_page(&f, &lines(0..9)),
    ];
    let pdf = hand_pdf("pages-grid-good", 420.0, 595.0, &pages);
    assert!(check_grid(&f, &read(&pdf), 0).is_empty());
}

/// Runs the inkstone command with the system's fonts hidden.
fn inkstone(args: &[&str], dir: &Path) -> std::process::Output {
    let empty = dir.join("no-fonts");
    std::fs::create_dir_all(&empty).expect("a folder");
    Command::new(env!("CARGO_BIN_EXE_inkstone"))
        .arg("--diagnostic-format=short")
        .args(args)
        .env("FONTCONFIG_FILE", "/dev/null")
        .env("XDG_DATA_HOME", &empty)
        .env("XDG_DATA_DIRS", &empty)
        .env("HOME", &empty)
        .output()
        .expect("run inkstone")
}

/// The left and right edges of the text of full lines (those that start
/// and end with a Han character), per page.
fn block_edges(rows: &[Row]) -> Option<(f32, f32)> {
    let han = |c: char| matches!(c as u32, 0x4E00..=0x9FFF);
    let left = rows
        .iter()
        .filter(|r| han(r.first().c))
        .map(|r| r.first().x0)
        .fold(f32::INFINITY, f32::min);
    let right = rows
        .iter()
        .filter(|r| han(r.last().c))
        .map(|r| r.last().x1)
        .fold(f32::NEG_INFINITY, f32::max);
    (left.is_finite() && right.is_finite()).then_some((left, right))
}

/// The gb9704 measurements of a built PDF: lines per page, characters of
/// the full lines, the block's width, and the faults of the folios.
struct Official {
    lines: Vec<usize>,
    full_line_chars: Vec<usize>,
    widths_mm: Vec<f32>,
    folio_faults: Vec<String>,
}

fn measure_official(pdf: &Path, frame: &Frame) -> Official {
    let pages = read(pdf);
    let mut out = Official {
        lines: Vec::new(),
        full_line_chars: Vec::new(),
        widths_mm: Vec::new(),
        folio_faults: Vec::new(),
    };
    for (p, page) in pages.iter().enumerate() {
        let body = frame.body_rows(page, p);
        out.lines.push(body.len());
        if let Some((left, right)) = block_edges(&body) {
            out.widths_mm.push((right - left) / MM);
            // Lines from edge to edge of Chinese text (Han characters and
            // full-width marks), without two marks side by side (a pair
            // takes 1.5 em) or a deliberate space: each holds 28.
            let han = |c: char| matches!(c as u32, 0x4E00..=0x9FFF);
            let cjk = |c: char| c as u32 >= 0x2E80;
            for row in &body {
                let g = &row.glyphs;
                let pair = g.windows(2).any(|w| !han(w[0].c) && !han(w[1].c));
                let space = g.windows(2).any(|w| w[1].x0 - w[0].x1 > 1.0);
                if han(row.first().c)
                    && han(row.last().c)
                    && (row.first().x0 - left).abs() < 0.3
                    && (row.last().x1 - right).abs() < 0.3
                    && g.iter().all(|x| cjk(x.c))
                    && !pair
                    && !space
                {
                    out.full_line_chars.push(g.len());
                }
            }
        }
        // The folio: "— N —" below the block, one character (of its own
        // size) in from the outer edge: the right on a recto, the left on
        // a verso; the top of its dashes 7 mm below the block.
        let bottom = frame.top + frame.height;
        let foot: Vec<&glyphs::Glyph> = page.glyphs.iter().filter(|g| g.y > bottom).collect();
        let text: String = foot.iter().map(|g| g.c).collect();
        let want = format!("—{}—", p + 1);
        if text != want {
            out.folio_faults
                .push(format!("page {}: folio {text:?}, not {want:?}", p + 1));
            continue;
        }
        let size = foot[0].size;
        let left = frame.left[p % 2];
        let (x0, x1) = (foot[0].x0, foot[foot.len() - 1].x1);
        let place_ok = if p % 2 == 0 {
            (left + frame.width - size - x1).abs() < 0.5
        } else {
            (x0 - left - size).abs() < 0.5
        };
        if !place_ok {
            out.folio_faults.push(format!(
                "page {}: folio at {x0:.1}..{x1:.1}, not one character in from the outer edge",
                p + 1
            ));
        }
        // The dash's ink is 0.35 to 0.45 em above the baseline.
        let below = foot[0].y - 0.4 * size - bottom;
        if (below - 7.0 * MM).abs() > 0.1 * size {
            out.folio_faults.push(format!(
                "page {}: folio dashes {:.1} mm below the block",
                p + 1,
                below / MM
            ));
        }
    }
    out
}

fn gb9704_frame() -> Frame {
    let style = inkstone::pdf::style::load_style("gb9704", Path::new(".")).expect("the style");
    Frame::of_style(&style)
}

#[test]
fn gb9704_on_the_acceptance_sample_gives_22_lines_of_28_characters_in_156_mm() {
    let Some(_sample) = support::sample_test() else {
        return;
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pages-gb9704");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a folder");
    let pdf: PathBuf = dir.join("report.pdf");
    let out = inkstone(
        &[
            "build",
            "--style",
            "gb9704",
            "--format",
            "pdf",
            support::SAMPLE,
            "-o",
            pdf.to_str().expect("UTF-8"),
        ],
        &dir,
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    // The faces: each wanted family is named with the one used instead,
    // and what is said is what the PDF holds.
    for (wanted, used) in [
        ("FangSong", "Noto Serif CJK SC"),
        ("FZXiaoBiaoSong-B05", "Noto Sans CJK SC"),
        ("SimHei", "Noto Sans CJK SC"),
        ("KaiTi", "Noto Serif CJK SC"),
    ] {
        assert!(
            said.lines()
                .any(|l| l.contains(wanted) && l.contains(&format!("{used} is used instead"))),
            "{wanted}: {said}"
        );
    }
    let fonts = support::tool("pdffonts", &[], &pdf);
    let embedded: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!embedded.is_empty(), "{fonts}");
    assert!(
        embedded
            .iter()
            .all(|l| l.contains("NotoSerifCJK") || l.contains("NotoSansCJK")),
        "{fonts}"
    );
    let frame = gb9704_frame();
    let m = measure_official(&pdf, &frame);
    eprintln!(
        "gb9704: lines per page {:?}; characters of full lines {:?}; block widths {:?} mm",
        m.lines,
        m.full_line_chars
            .iter()
            .collect::<std::collections::BTreeSet<_>>(),
        m.widths_mm
    );
    // Full pages (all but the first, under the title, and the last) hold
    // 22 lines, and none more.
    let n = m.lines.len();
    assert!(n >= 3, "{:?}", m.lines);
    assert!(m.lines.iter().all(|&l| l <= 22), "{:?}", m.lines);
    assert!(m.lines[1..n - 1].iter().all(|&l| l == 22), "{:?}", m.lines);
    assert!(m.full_line_chars.len() >= 10, "{:?}", m.full_line_chars);
    assert!(
        m.full_line_chars.iter().all(|&c| c == 28),
        "{:?}",
        m.full_line_chars
    );
    assert!(
        m.widths_mm.iter().all(|w| (w - 156.0).abs() <= 0.3),
        "{:?}",
        m.widths_mm
    );
    assert!(m.folio_faults.is_empty(), "{:#?}", m.folio_faults);
    // Negative control: the same measurements on the sample set in a
    // style like gb9704 but with a block of whole characters set solid
    // (158 mm) and the page number alone at the foot's centre.
    let style = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/styles/pdf/gb9704.toml"
    ))
    .expect("the gb9704 style")
    .replace("characters = 28\n", "")
    .replace("margin-inner = 28\n", "margin-inner = 27\n")
    .replace("margin-outer = 26\n", "margin-outer = 24.9\n")
    .replace("folio = \"foot-outer-dash\"", "folio = \"foot-center\"");
    let book = dir.join("book");
    std::fs::create_dir_all(&book).expect("a folder");
    let solid = book.join("solid.toml");
    std::fs::write(&solid, style).expect("write the style");
    let text = book.join("report.txt");
    std::fs::copy(support::SAMPLE, &text).expect("copy the sample");
    let wrong = dir.join("solid.pdf");
    let out = inkstone(
        &[
            "build",
            "--style",
            solid.to_str().expect("UTF-8"),
            "--format",
            "pdf",
            text.to_str().expect("UTF-8"),
            "-o",
            wrong.to_str().expect("UTF-8"),
        ],
        &dir,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = measure_official(&wrong, &frame);
    assert!(
        !m.widths_mm.is_empty() && m.widths_mm.iter().all(|w| (w - 158.0).abs() < 0.3),
        "{:?}",
        m.widths_mm
    );
    assert_eq!(m.folio_faults.len(), m.lines.len(), "{:#?}", m.folio_faults);
}
