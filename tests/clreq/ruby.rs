//! clreq 3.3, interlinear annotations (ruby), measured on the PDF: each
//! annotation is found by its text among the small glyphs of a page, its
//! base by its text in the body line under it, and their positions are
//! compared. The negative controls are hand-built pages with a
//! one-character annotation in Han characters (its width is known: one
//! em of its size) placed wrongly on purpose.

use std::path::Path;
use std::sync::OnceLock;

use super::glyphs::{read, Glyph, HandLine, Page};
use super::support::{self, build, Built};
use super::{hand_geometry, hand_pdf, Geometry};
use inkstone::model::{Block, Inline};

const RUBY_BOOK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clreq/ruby");

/// The least space between two annotations side by side, in annotation
/// ems (clreq 3.3.4: annotations may reach over the next base as long as
/// a minimum space is kept).
const MIN_SPACE: f32 = 0.1;

/// An annotation found on a page, with its base.
#[derive(Debug)]
struct Found {
    page: usize,
    annotation: Vec<Glyph>,
    base: Vec<Glyph>,
    /// Baseline of the body row above the base's, on the same page.
    above: Option<f32>,
    /// Baseline of the base's row.
    row: f32,
}

/// Pairs of base and annotation, in reading order, from the model.
fn expected(built: &Built) -> Vec<(String, String)> {
    fn inlines(list: &[Inline], out: &mut Vec<(String, String)>) {
        for inline in list {
            match inline {
                Inline::Ruby { base, annotation } => out.push((base.clone(), annotation.clone())),
                Inline::Emphasis { content }
                | Inline::Strong { content }
                | Inline::Link { content, .. } => inlines(content, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for chapter in &built.doc.chapters {
        inlines(&chapter.title.content, &mut out);
        for block in &chapter.blocks {
            match block {
                Block::Heading(h) => inlines(&h.content, &mut out),
                Block::Paragraph { content, .. } => inlines(content, &mut out),
                _ => {}
            }
        }
    }
    out
}

/// Body rows of a page (the glyphs of the body size), top to bottom.
fn body_rows(g: &Geometry, page: &Page) -> Vec<(f32, Vec<Glyph>)> {
    let mut glyphs: Vec<&Glyph> = page
        .glyphs
        .iter()
        .filter(|x| (x.size - g.size).abs() < 0.1)
        .collect();
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x0.total_cmp(&b.x0)));
    let mut rows: Vec<(f32, Vec<Glyph>)> = Vec::new();
    for x in glyphs {
        match rows.last_mut() {
            Some((y, row)) if (x.y - *y).abs() < 0.2 * g.size => row.push(x.clone()),
            _ => rows.push((x.y, vec![x.clone()])),
        }
    }
    rows
}

/// Finds every expected annotation (in order) and its base. An
/// annotation that is not where the order says, or whose base is not in
/// one body row under it, is a violation.
fn find(g: &Geometry, pages: &[Page], expected: &[(String, String)]) -> (Vec<Found>, Vec<String>) {
    let mut bad = Vec::new();
    // The small glyphs of every page, in reading order.
    let mut small: Vec<(usize, Glyph)> = Vec::new();
    for (p, page) in pages.iter().enumerate() {
        let mut glyphs: Vec<&Glyph> = page
            .glyphs
            .iter()
            .filter(|x| x.size < 0.9 * g.size && x.size > 0.2 * g.size)
            // In the text block: not the running head or the folio.
            .filter(|x| x.y > g.top - g.size && x.y < g.top + g.height)
            .collect();
        glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x0.total_cmp(&b.x0)));
        let mut rows: Vec<Vec<&Glyph>> = Vec::new();
        for x in glyphs {
            match rows.last_mut() {
                Some(row) if (x.y - row[0].y).abs() < 0.2 * x.size => row.push(x),
                _ => rows.push(vec![x]),
            }
        }
        for mut row in rows {
            row.sort_by(|a, b| a.x0.total_cmp(&b.x0));
            small.extend(row.into_iter().map(|x| (p, x.clone())));
        }
    }
    let mut next = 0;
    let mut found = Vec::new();
    for (base, annotation) in expected {
        let wanted: Vec<char> = annotation.chars().filter(|c| !c.is_whitespace()).collect();
        let Some(group) = small.get(next..next + wanted.len()) else {
            bad.push(format!("annotation {annotation} not found"));
            break;
        };
        next += wanted.len();
        let text: Vec<char> = group.iter().map(|(_, x)| x.c).collect();
        if text != wanted {
            bad.push(format!(
                "annotation {annotation} out of place: found {}",
                text.iter().collect::<String>()
            ));
            break;
        }
        let page = group[0].0;
        let glyphs: Vec<Glyph> = group.iter().map(|(_, x)| x.clone()).collect();
        if group
            .iter()
            .any(|(p, x)| *p != page || (x.y - glyphs[0].y).abs() > 0.1)
        {
            bad.push(format!("annotation {annotation} is not on one baseline"));
            continue;
        }
        let (x0, x1, y) = (glyphs[0].x0, glyphs[glyphs.len() - 1].x1, glyphs[0].y);
        let centre = (x0 + x1) / 2.0;
        let rows = body_rows(g, &pages[page]);
        let Some(r) = rows
            .iter()
            .position(|(ry, _)| *ry > y && *ry - y < 2.0 * g.size)
        else {
            bad.push(format!(
                "page {}: no line under the annotation {annotation}",
                page + 1
            ));
            continue;
        };
        let row = &rows[r].1;
        let base_chars: Vec<char> = base.chars().collect();
        let n = base_chars.len();
        let best = (0..row.len().saturating_sub(n - 1))
            .filter(|&i| {
                row[i..i + n]
                    .iter()
                    .map(|x| x.c)
                    .eq(base_chars.iter().copied())
            })
            .min_by(|&a, &b| {
                let c = |i: usize| ((row[i].x0 + row[i + n - 1].x1) / 2.0 - centre).abs();
                c(a).total_cmp(&c(b))
            });
        let Some(i) = best else {
            bad.push(format!(
                "page {}: the base {base} of {annotation} is not whole in the line under it",
                page + 1
            ));
            continue;
        };
        found.push(Found {
            page,
            annotation: glyphs,
            base: row[i..i + n].to_vec(),
            above: r.checked_sub(1).map(|k| rows[k].0),
            row: rows[r].0,
        });
    }
    (found, bad)
}

/// clreq 3.3.2–3.3.7: each annotation above its base, half its size,
/// centred on it, clear of the line above; annotations side by side keep
/// a minimum space; an annotation wider than a base of several characters
/// spreads them evenly, half a gap at each end (1:2:1), and does not reach
/// further than that half gap. Returns the violations, the number of
/// annotations measured and how many of them spread a word.
fn check_ruby(
    g: &Geometry,
    pages: &[Page],
    expected: &[(String, String)],
) -> (Vec<String>, usize, usize) {
    let (found, mut bad) = find(g, pages, expected);
    let mut spread = 0;
    let tol = 0.05 * g.size;
    for (k, f) in found.iter().enumerate() {
        let a = &f.annotation;
        let b = &f.base;
        let text: String = a.iter().map(|x| x.c).collect();
        let at = format!(
            "page {}, {text} over {}",
            f.page + 1,
            b.iter().map(|x| x.c).collect::<String>()
        );
        let (ax0, ax1) = (a[0].x0, a[a.len() - 1].x1);
        let (bx0, bx1) = (b[0].x0, b[b.len() - 1].x1);
        let ratio = a[0].size / b[0].size;
        if !(0.45..=0.55).contains(&ratio) {
            bad.push(format!(
                "{at}: annotation {ratio:.2} of the base size, not half"
            ));
        }
        let off = (ax0 + ax1) / 2.0 - (bx0 + bx1) / 2.0;
        if off.abs() > tol {
            bad.push(format!(
                "{at}: annotation centre {off:.2} pt off its base's"
            ));
        }
        // Above the base's em box (0.88 em above its baseline), by at most
        // half an annotation em.
        let gap = (f.row - 0.88 * g.size) - a[0].y;
        if !(-0.05..=0.5 * a[0].size + 0.05).contains(&gap) {
            bad.push(format!(
                "{at}: annotation baseline {gap:.2} pt above the base's top"
            ));
        }
        if let Some(above) = f.above {
            let clear = (a[0].y - 0.88 * a[0].size) - (above + 0.12 * g.size);
            if clear < 0.0 {
                bad.push(format!(
                    "{at}: annotation reaches {:.2} pt into the line above",
                    -clear
                ));
            }
        }
        if let Some(prev) = k.checked_sub(1).map(|j| &found[j]) {
            let p = &prev.annotation;
            if prev.page == f.page && (p[0].y - a[0].y).abs() < 0.1 {
                let space = ax0 - p[p.len() - 1].x1;
                if space < MIN_SPACE * a[0].size - 0.05 {
                    bad.push(format!("{at}: {space:.2} pt from the annotation before it"));
                }
            }
        }
        if b.len() > 1 && ax1 - ax0 > bx1 - bx0 + tol {
            spread += 1;
            let gaps: Vec<f32> = b.windows(2).map(|w| w[1].x0 - w[0].x1).collect();
            let (lo, hi) = gaps
                .iter()
                .fold((f32::MAX, f32::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
            if hi - lo > tol {
                bad.push(format!("{at}: base spread unevenly ({lo:.2}–{hi:.2} pt)"));
            }
            let reach = (bx0 - ax0).max(ax1 - bx1);
            if reach > lo / 2.0 + tol {
                bad.push(format!(
                    "{at}: annotation reaches {reach:.2} pt past its base, spread by {lo:.2} pt"
                ));
            }
        }
    }
    (bad, found.len(), spread)
}

/// Line room, measured between consecutive lines of a paragraph: a line
/// without annotations is one pitch below the line above; a line with
/// annotations is lower only when they would not fit in the leading, and
/// then by no more than they need (the annotation's top within a fifth of
/// an em of the line above). Returns violations and the number of lines
/// that were moved down.
fn check_ruby_room(
    g: &Geometry,
    pages: &[Page],
    expected: &[(String, String)],
) -> (Vec<String>, usize) {
    let (found, mut bad) = find(g, pages, expected);
    let mut grown = 0;
    for (p, page) in pages.iter().enumerate() {
        let rows = body_rows(g, page);
        // The rows of running text: inside the text block, not a heading
        // row (the body size in the body face only).
        let left = g.left(p);
        for k in 1..rows.len() {
            let (y0, r0) = &rows[k - 1];
            let (y1, r1) = &rows[k];
            let starts = (r1[0].x0 - left - g.indent * g.size).abs() < 0.3;
            if starts || r0[0].font != r1[0].font || r1[0].x0 < left - 1.0 {
                continue;
            }
            let d = y1 - y0;
            let over: Vec<&Found> = found
                .iter()
                .filter(|f| f.page == p && (f.row - y1).abs() < 0.1)
                .collect();
            if over.is_empty() {
                if (d - g.pitch).abs() > 0.3 {
                    bad.push(format!("page {}: a line without annotations {d:.2} pt below the one above, not {:.2}", p + 1, g.pitch));
                }
                continue;
            }
            if d < g.pitch - 0.3 {
                bad.push(format!(
                    "page {}: a line with annotations closer than the pitch",
                    p + 1
                ));
            }
            if d > g.pitch + 0.3 {
                grown += 1;
                let top = over
                    .iter()
                    .map(|f| f.annotation[0].y - 0.88 * f.annotation[0].size)
                    .fold(f32::MAX, f32::min);
                let clear = top - (y0 + 0.12 * g.size);
                if clear > 0.2 * g.size {
                    bad.push(format!(
                        "page {}: a line moved down {:.2} pt more than its annotations need",
                        p + 1,
                        clear - 0.1 * g.size
                    ));
                }
            }
        }
    }
    (bad, grown)
}

fn pages_of(built: &Built) -> Vec<Page> {
    let mut pages = read(&built.pdf);
    let labels = support::read_pdf(&built.pdf).labels;
    let first = labels.iter().position(|l| l == "1").expect("a page 1");
    for page in &mut pages[..first] {
        page.glyphs.clear();
    }
    pages
}

pub(super) fn ruby_book() -> &'static (Built, Vec<Page>) {
    static BUILT: OnceLock<(Built, Vec<Page>)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let built = build(RUBY_BOOK, "clreq-ruby");
        let pages = pages_of(&built);
        (built, pages)
    })
}

/// The ruby book in a page style of tight leading (`leading` in its
/// `[body]`), where annotations do not fit between the lines, with `keys`
/// added to the style's `[body]`.
fn tight_ruby_book(name: &str, keys: &str) -> (Built, Vec<Page>) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).expect("a folder for the variant");
    for entry in std::fs::read_dir(RUBY_BOOK).expect("the book") {
        let path = entry.expect("a file").path();
        let text = std::fs::read_to_string(&path).expect("a text file");
        let text = text.replace("pdf = \"a5-book\"", "pdf = \"tight.toml\"");
        std::fs::write(dir.join(path.file_name().expect("a name")), text).expect("copy");
    }
    let style = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/styles/pdf/a5-book.toml"
    ))
    .expect("the a5-book style");
    let style = style.replace("leading = 1.75", "leading = 1.3").replacen(
        "[body]\n",
        &format!("[body]\n{keys}\n"),
        1,
    );
    assert!(
        style.contains("leading = 1.3"),
        "the a5-book style names its leading"
    );
    std::fs::write(dir.join("tight.toml"), style).expect("write the style");
    let built = build(dir.to_str().expect("a UTF-8 path"), name);
    let pages = pages_of(&built);
    (built, pages)
}

#[test]
fn ruby_is_centred_over_its_base_at_half_size_and_never_split_from_it() {
    let (built, pages) = ruby_book();
    let g = Geometry::of(built);
    let expected = expected(built);
    assert!(
        expected.len() >= 20,
        "{} rubies in the fixture",
        expected.len()
    );
    let (bad, seen, spread) = check_ruby(&g, pages, &expected);
    assert!(bad.is_empty(), "{bad:#?}");
    assert_eq!(seen, expected.len());
    // Public Library, autumn outing: wider than their words.
    assert!(spread >= 2, "{spread} words spread");
    // The generous leading of a5-book has room: no line moves.
    let (bad, grown) = check_ruby_room(&g, pages, &expected);
    assert!(bad.is_empty(), "{bad:#?}");
    assert_eq!(grown, 0);
    // The other checks hold on the lines of the ruby book too, but for
    // the spacing ones: a base narrower than its annotation is given room
    // on both sides, on purpose.
    for (check, bad) in super::all_checks(&g, pages) {
        if check != "gaps" && check != "even spread" {
            assert!(bad.is_empty(), "the ruby book, {check}: {bad:#?}");
        }
    }
}

#[test]
fn with_tight_leading_only_lines_with_ruby_move_down_and_only_as_far_as_needed() {
    let (built, pages) = tight_ruby_book("clreq-ruby-tight", "");
    let g = Geometry::of(&built);
    let expected = expected(&built);
    let (bad, seen, _) = check_ruby(&g, &pages, &expected);
    assert!(bad.is_empty() && seen == expected.len(), "{bad:#?}");
    let (bad, grown) = check_ruby_room(&g, &pages, &expected);
    assert!(bad.is_empty(), "{bad:#?}");
    assert!(grown >= 3, "{grown} lines moved down");
}

#[test]
fn on_the_grid_a_line_with_ruby_moves_down_by_whole_lines() {
    let (built, pages) = tight_ruby_book("clreq-ruby-grid", "grid = true");
    let g = Geometry::of(&built);
    let expected = expected(&built);
    let (bad, seen, _) = check_ruby(&g, &pages, &expected);
    assert!(bad.is_empty() && seen == expected.len(), "{bad:#?}");
    let (bad, measured) = super::check_grid(&g, &pages);
    assert!(bad.is_empty(), "{bad:#?}");
    assert!(measured >= 15, "{measured} lines measured");
    // Lines with ruby did move: a whole line each, more than the
    // annotations need (which is what the grid asks).
    let (bad, grown) = check_ruby_room(&g, &pages, &expected);
    assert!(grown >= 3, "{grown} lines moved down");
    assert!(bad.iter().all(|b| b.contains("more than")), "{bad:#?}");
}

/// A hand-built annotation line: `text` at half the body size from `x`
/// (from the left edge), over body line `n`, its baseline `gap` points
/// above the top of the line's em box.
fn annotation(x: f32, n: f32, gap: f32, size: f32, text: &str) -> HandLine<'_> {
    let g = hand_geometry();
    let baseline = g.top + 15.0 + n * g.pitch;
    HandLine {
        x: g.left[0] + x,
        y: baseline - 0.88 * g.size - gap,
        size,
        text,
    }
}

fn hand_ruby(name: &str, lines: Vec<HandLine>) -> Vec<Page> {
    read(&hand_pdf(name, 360.0, 520.0, &[lines]))
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(b, a)| (b.to_string(), a.to_string()))
        .collect()
}

#[test]
fn control_hand_built_ruby_faults_are_found() {
    let g = hand_geometry();
    let body = |x: f32, n: f32, text| super::hand_line(x, n, g.size, text);
    // Line 0: 溪桥镇 at 24 pt; 溪 (24–36) 乔 over it correctly: a
    // 6 pt annotation from 27.
    let expected = pairs(&[("溪", "西"), ("桥", "乔"), ("镇", "真")]);
    let good = hand_ruby(
        "ruby-good",
        vec![
            body(24.0, 0.0, "溪桥镇外的小河"),
            annotation(27.0, 0.0, 1.2, 6.0, "西"),
            annotation(39.0, 0.0, 1.2, 6.0, "乔"),
            annotation(51.0, 0.0, 1.2, 6.0, "真"),
        ],
    );
    let (bad, seen, _) = check_ruby(&g, &good, &expected);
    assert_eq!((bad.len(), seen), (0, 3), "{bad:?}");
    // Off centre by 3 pt, and at three quarters of the size.
    let wrong = hand_ruby(
        "ruby-wrong",
        vec![
            body(24.0, 0.0, "溪桥镇外的小河"),
            annotation(30.0, 0.0, 1.2, 6.0, "西"),
            annotation(37.5, 0.0, 1.2, 9.0, "乔"),
            annotation(51.0, 0.0, 1.2, 6.0, "真"),
        ],
    );
    let (bad, _, _) = check_ruby(&g, &wrong, &expected);
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(bad[0].contains("centre"), "{bad:?}");
    assert!(bad[1].contains("size"), "{bad:?}");
    // Floating an em above its base.
    let floating = hand_ruby(
        "ruby-floating",
        vec![
            body(24.0, 0.0, "溪桥镇外的小河"),
            annotation(27.0, 0.0, 12.0, 6.0, "西"),
        ],
    );
    let (bad, _, _) = check_ruby(&g, &floating, &pairs(&[("溪", "西")]));
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].contains("above the base"), "{bad:?}");
    // The base split from its annotation: 溪桥 as a group, 溪 at the end
    // of line 0 and 桥 at the start of line 1.
    let split = hand_ruby(
        "ruby-split",
        vec![
            body(0.0, 0.0, "一二三四五六七八九十一二三四五六七八九溪"),
            body(0.0, 1.0, "桥镇外的小河"),
            annotation(228.0, 0.0, 1.2, 6.0, "溪桥"),
        ],
    );
    let (bad, _, _) = check_ruby(&g, &split, &pairs(&[("溪桥", "溪桥")]));
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].contains("not whole"), "{bad:?}");
    // Two annotations touching, and a word whose wide annotation reaches
    // past its unspread base.
    let crowded = hand_ruby(
        "ruby-crowded",
        vec![
            body(24.0, 0.0, "溪桥镇外的小河"),
            annotation(24.0, 0.0, 1.2, 6.0, "一二"),
            annotation(36.0, 0.0, 1.2, 6.0, "三四"),
            body(24.0, 1.0, "图书馆在对面"),
            annotation(21.0, 1.0, 1.2, 6.0, "一二三四五六八"),
        ],
    );
    let (bad, _, _) = check_ruby(
        &g,
        &crowded,
        &pairs(&[("溪", "一二"), ("桥", "三四"), ("图书馆", "一二三四五六八")]),
    );
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(bad[0].contains("from the annotation before"), "{bad:?}");
    assert!(bad[1].contains("reaches"), "{bad:?}");
}

#[test]
fn control_a_line_moved_too_far_or_not_at_all_is_found() {
    let g = hand_geometry();
    let body = |x: f32, n: f32, text| super::hand_line(x, n, g.size, text);
    let expected = pairs(&[("溪", "西"), ("桥", "乔")]);
    // Line 1 carries an annotation and is moved down 10 pt where the
    // leading (8 pt) has room; line 3 carries one with no room to spare,
    // not moved, its annotation in the line above.
    let lines = vec![
        body(24.0, 0.0, "一二三四五六七八九十一二三四五六七八"),
        body(0.0, 1.5, "溪桥镇外的小河一二三四五六七八九十一二"),
        annotation(3.0, 1.5, 1.2, 6.0, "西"),
        body(0.0, 2.5, "一二三四五六七八九十一二三四五六七八九十"),
        body(0.0, 3.5, "一桥镇外的小河一二三四五六七八九十一二"),
        annotation(15.0, 3.5, 3.0, 6.0, "乔"),
    ];
    let pages = hand_ruby("ruby-room", lines);
    let (bad, grown) = check_ruby_room(&g, &pages, &expected);
    assert_eq!(grown, 1);
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].contains("more than"), "{bad:?}");
    let (bad, _, _) = check_ruby(&g, &pages, &expected);
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].contains("into the line above"), "{bad:?}");
}
