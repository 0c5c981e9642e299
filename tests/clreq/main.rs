//! clreq conformance measured on the PDF: the glyph positions MuPDF
//! reads from the file, never the layout's own tables. Each check is a
//! function from pages to violations; each runs on inkstone's output,
//! where it must find none, and on a hand-built page that breaks the rule
//! on purpose (written with `mutool create`), where it must find it.
//! docs/clreq.md lists the clauses and the check that measures each.

#[path = "../support/mod.rs"]
mod support;

mod glyphs;
mod ruby;
mod spread;

use std::path::Path;
use std::sync::OnceLock;

use glyphs::{dots, hand_pdf, hand_pdf_with_dots, read, rows, HandLine, Page, Row};
use support::{build, Built, SAMPLE};

const BOOK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clreq/book");

/// clreq 3.1.4: never at the start of a line.
const NO_START: &str = "。．，、：；！？‼⁇」』”’）》〉】〗〕］｝·～々";
/// clreq 3.1.4: never at the end of a line.
const NO_END: &str = "「『“‘（《〈【〖〔［｛";
/// Marks with their blank on the right (ink at the start).
const BLANK_RIGHT: &str = "。，、：；！？」』”’）》〉】〗〕］｝";
/// Marks with their blank on the left.
const BLANK_LEFT: &str = "「『“‘（《〈【〖〔［｛";

/// The text block a check looks at, in points from the page's top-left
/// corner.
#[derive(Debug, Clone, Copy)]
struct Geometry {
    /// Left edge on odd (recto) pages and on even ones.
    left: [f32; 2],
    width: f32,
    top: f32,
    height: f32,
    /// Body size and line pitch.
    size: f32,
    pitch: f32,
    /// First-line indent in em.
    indent: f32,
}

impl Geometry {
    fn of(built: &Built) -> Geometry {
        let style = support::style_of(built);
        Geometry {
            left: [style.left_recto, style.left_verso],
            width: style.text_width,
            top: style.top,
            height: style.text_height,
            size: style.body.size,
            pitch: style.pitch(),
            indent: style.body.indent,
        }
    }

    fn left(&self, page: usize) -> f32 {
        self.left[page % 2]
    }

    /// Body rows of page `index`, without contents entries.
    fn rows(&self, page: &Page, index: usize) -> Vec<Row> {
        let left = self.left(index);
        rows(
            page,
            self.size,
            [left, self.top, left + self.width, self.top + self.height],
        )
        .into_iter()
        .filter(|r| !r.text().contains("···") && !r.text().contains("……………"))
        // Contents entries: a page number set apart at the right edge.
        .filter(|r| {
            !r.glyphs
                .windows(2)
                .any(|w| w[1].x0 - w[0].x1 > 1.5 * self.size)
        })
        .collect()
    }
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

/// Western letters and digits: they take the quarter-em gap (with the
/// percent sign, which belongs to its number).
fn is_western(c: char) -> bool {
    (c.is_alphanumeric() && !is_han(c) && (c as u32) < 0x2E80) || c == '%'
}

fn em(g: &glyphs::Glyph) -> f32 {
    g.size
}

/// How a row sits in its paragraph, from the geometry alone.
struct Placed<'a> {
    row: &'a Row,
    page: usize,
    /// Starts at the paragraph indent.
    first: bool,
    /// The paragraph's last line: the next row starts a paragraph or lies
    /// further than a pitch below; the last row of a page when the first
    /// body row of the next page starts a paragraph or there is none.
    last: bool,
}

/// Whether `row` on page `index` starts at the paragraph indent (an
/// opening mark half an em earlier).
fn starts_paragraph(g: &Geometry, index: usize, row: &Row) -> bool {
    let x = row.first().x0 - g.left(index);
    let opening = BLANK_LEFT.contains(row.first().c);
    let indent = g.indent * g.size;
    (x - indent).abs() < 0.3 || (opening && (x - indent + 0.5 * g.size).abs() < 0.3)
}

/// The first body row of the page after `index`.
fn next_first(g: &Geometry, pages: &[Page], index: usize) -> Option<Row> {
    let page = pages.get(index + 1)?;
    g.rows(page, index + 1).into_iter().next()
}

fn place<'a>(g: &Geometry, index: usize, rows: &'a [Row], next: Option<&Row>) -> Vec<Placed<'a>> {
    (0..rows.len())
        .map(|k| {
            let row = &rows[k];
            let last = match rows.get(k + 1) {
                // A heading in the body size is in another face.
                Some(n) => {
                    starts_paragraph(g, index, n)
                        || n.y - row.y > g.pitch * 1.2
                        || n.first().font != row.first().font
                }
                None => next.is_none_or(|n| {
                    starts_paragraph(g, index + 1, n) || n.first().font != row.first().font
                }),
            };
            Placed {
                row,
                page: index,
                first: starts_paragraph(g, index, row),
                last,
            }
        })
        .collect()
}

/// clreq 3.1.4 and 3.1.5: prohibited marks at line start and end, split
/// "——" "……", a number split from its unit, a Latin word split.
fn check_prohibitions(g: &Geometry, pages: &[Page]) -> Vec<String> {
    let mut bad = Vec::new();
    for (p, page) in pages.iter().enumerate() {
        let rows = g.rows(page, p);
        for (k, row) in rows.iter().enumerate() {
            let text = row.text();
            let first = row.first().c;
            let last = row.last().c;
            if NO_START.contains(first) {
                bad.push(format!("page {} starts a line with {first}: {text}", p + 1));
            }
            if NO_END.contains(last) {
                bad.push(format!("page {} ends a line with {last}: {text}", p + 1));
            }
            if let Some(next) = rows.get(k + 1) {
                let n = next.first().c;
                let pair_split = (last == '—' && n == '—' && !text.ends_with("——"))
                    || (last == '…' && n == '…' && !text.ends_with("……"));
                if pair_split {
                    bad.push(format!("page {} splits {last}{n}: {text}", p + 1));
                }
                if last.is_ascii_digit() && is_han(n) {
                    bad.push(format!("page {} splits a number from {n}: {text}", p + 1));
                }
                if last.is_ascii_alphabetic() && n.is_ascii_alphabetic() {
                    bad.push(format!("page {} splits a word: {text}", p + 1));
                }
            }
        }
    }
    bad
}

/// The ordinary spacing of a row: the median gap between two Han
/// characters (zero, or the justification stretch).
fn base_gap(row: &Row) -> f32 {
    let mut gaps: Vec<f32> = row
        .glyphs
        .windows(2)
        .filter(|w| is_han(w[0].c) && is_han(w[1].c))
        .map(|w| w[1].x0 - w[0].x1)
        .collect();
    if gaps.is_empty() {
        return 0.0;
    }
    gaps.sort_by(f32::total_cmp);
    gaps[gaps.len() / 2]
}

/// clreq 3.2.2: a quarter em between Han and Western letters or digits;
/// nothing next to punctuation and symbols. Returns the violations and
/// the deliberate gaps (half an em or more between two Han characters).
fn check_gaps(g: &Geometry, pages: &[Page]) -> (Vec<String>, Vec<String>) {
    let mut bad = Vec::new();
    let mut spaces = Vec::new();
    for (p, page) in pages.iter().enumerate() {
        for row in g.rows(page, p) {
            let base = base_gap(&row);
            for w in row.glyphs.windows(2) {
                let (a, b) = (&w[0], &w[1]);
                let extra = (b.x0 - a.x1 - base) / em(a).max(em(b));
                let pair = format!("{}{}", a.c, b.c);
                if is_han(a.c) && is_han(b.c) {
                    if extra > 0.4 {
                        spaces.push(pair);
                    }
                    continue;
                }
                let han_western =
                    (is_han(a.c) && is_western(b.c)) || (is_western(a.c) && is_han(b.c));
                let touching_cjk = !a.c.is_ascii() || !b.c.is_ascii();
                if han_western {
                    if !(0.12..=0.3).contains(&extra) {
                        bad.push(format!(
                            "page {}: {pair} is {extra:.2} em apart, not 1/4",
                            p + 1
                        ));
                    }
                } else if touching_cjk && extra > 0.15 {
                    // Punctuation or a symbol beside a CJK character or
                    // mark: no gap (word spaces between Latin words are
                    // between ASCII characters and are not looked at).
                    bad.push(format!("page {}: a gap of {extra:.2} em in {pair}", p + 1));
                }
            }
        }
    }
    (bad, spaces)
}

/// clreq 3.1.6.2: two adjacent full-width marks take 1.5 em at most.
fn check_mark_pairs(g: &Geometry, pages: &[Page]) -> (Vec<String>, usize) {
    let mut bad = Vec::new();
    let mut seen = 0;
    for (p, page) in pages.iter().enumerate() {
        for row in g.rows(page, p) {
            let base = base_gap(&row);
            // The room of a pair: from the first mark to the glyph after
            // the second (a pair that ends a line is set half-width there
            // and is measured by check_edges).
            for w in row.glyphs.windows(3) {
                let (a, b, c) = (&w[0], &w[1], &w[2]);
                let full = |x: &glyphs::Glyph| (x.x1 - x.x0 - em(x)).abs() < 0.05 * em(x);
                let compressible = (BLANK_RIGHT.contains(a.c)
                    && (BLANK_RIGHT.contains(b.c) || BLANK_LEFT.contains(b.c)))
                    || (BLANK_LEFT.contains(a.c) && BLANK_LEFT.contains(b.c));
                if !compressible || !full(a) || !full(b) {
                    continue;
                }
                seen += 1;
                let span = (c.x0 - a.x0 - 2.0 * base) / em(a);
                if span > 1.52 {
                    bad.push(format!("page {}: {}{} takes {span:.2} em", p + 1, a.c, b.c));
                }
            }
        }
    }
    (bad, seen)
}

/// clreq 3.4.1, 3.4.3, 3.1.6.3, 3.5: lines start at the left edge or at
/// the paragraph indent (an opening mark half an em earlier), lines other
/// than a paragraph's last end flush with the right edge, a closing or
/// stop mark there set half-width.
fn check_edges(g: &Geometry, pages: &[Page]) -> Vec<String> {
    let mut bad = Vec::new();
    for (p, page) in pages.iter().enumerate() {
        let rows = g.rows(page, p);
        let left = g.left(p);
        let right = left + g.width;
        for placed in place(g, p, &rows, next_first(g, pages, p).as_ref()) {
            let row = placed.row;
            let text = row.text();
            let first = row.first();
            let x = first.x0 - left;
            let trim = if BLANK_LEFT.contains(first.c) {
                0.5 * em(first)
            } else {
                0.0
            };
            let at_edge = (x + trim).abs() < 0.3;
            if !at_edge && !placed.first {
                bad.push(format!(
                    "page {}: a line starts {x:.1} pt from the edge: {text}",
                    p + 1
                ));
            }
            if placed.last {
                continue;
            }
            // A hanging mark (set at the edge, past the block) leaves the
            // character before it flush; check_hanging measures it.
            let hung = "。，、".contains(row.last().c)
                && (row.last().x0 - right).abs() < 0.3
                && row.glyphs.len() > 1;
            let last = if hung {
                &row.glyphs[row.glyphs.len() - 2]
            } else {
                row.last()
            };
            let ink_end = if BLANK_RIGHT.contains(last.c) {
                last.x0 + 0.5 * em(last)
            } else {
                last.x1
            };
            if (ink_end - right).abs() > 0.3 {
                bad.push(format!(
                    "page {}: a line ends {:.1} pt from the right edge: {text}",
                    p + 1,
                    ink_end - right
                ));
            }
        }
    }
    bad
}

/// clreq 3.5 and 2.1.3: body lines on one pitch; a line holding as many
/// full-width characters as the measure is set solid (the text block is
/// a whole number of characters wide).
fn check_pitch_and_solid(g: &Geometry, pages: &[Page]) -> (Vec<String>, usize) {
    let mut bad = Vec::new();
    let mut solid = 0;
    let chars = (g.width / g.size).round() as usize;
    // Solid: the characters one size apart, closer by the same amount
    // when the style fits a set count of them into the block (gb9704).
    let tracking = (g.width - chars as f32 * g.size) / (chars as f32 - 1.0);
    for (p, page) in pages.iter().enumerate() {
        let rows = g.rows(page, p);
        for w in rows.windows(2) {
            let d = w[1].y - w[0].y;
            if d < g.pitch * 1.5 && (d - g.pitch).abs() > 0.05 {
                bad.push(format!(
                    "page {}: lines {d:.2} pt apart, pitch {:.2}",
                    p + 1,
                    g.pitch
                ));
            }
        }
        for placed in place(g, p, &rows, next_first(g, pages, p).as_ref()) {
            let row = placed.row;
            // A line of exactly as many CJK characters and marks as the
            // measure holds, none of them Western.
            let cjk = row
                .glyphs
                .iter()
                .all(|x| is_han(x.c) || BLANK_RIGHT.contains(x.c) || BLANK_LEFT.contains(x.c));
            // Its natural width is the measure only when no two marks
            // meet (a pair is compressed), no mark ends it (set half) and
            // no deliberate space lies in it.
            let mark = |c: char| BLANK_RIGHT.contains(c) || BLANK_LEFT.contains(c);
            let pair = row.glyphs.windows(2).any(|w| mark(w[0].c) && mark(w[1].c));
            let space = row
                .glyphs
                .windows(2)
                .any(|w| w[1].x0 - w[0].x1 > 0.4 * g.size);
            if placed.first
                || placed.last
                || !cjk
                || row.glyphs.len() != chars
                || pair
                || space
                || BLANK_RIGHT.contains(row.last().c)
            {
                continue;
            }
            solid += 1;
            let spread = row
                .glyphs
                .windows(2)
                .any(|w| (w[1].x0 - w[0].x1 - tracking).abs() > 0.02);
            if spread {
                bad.push(format!(
                    "page {}: a line of {chars} characters is spread: {}",
                    p + 1,
                    row.text()
                ));
            }
        }
    }
    (bad, solid)
}

/// clreq 3.4.4: no widow (a paragraph's short last line alone at the head
/// of a page) and no orphan (a last line of one character, with or
/// without its mark).
fn check_widows_orphans(g: &Geometry, pages: &[Page]) -> Vec<String> {
    let mut bad = Vec::new();
    for (p, page) in pages.iter().enumerate() {
        let rows = g.rows(page, p);
        let placed = place(g, p, &rows, next_first(g, pages, p).as_ref());
        // A heading in the body size is in another face than the text
        // after it: it is no widow.
        let heading = |k: usize| {
            rows.get(k + 1)
                .is_some_and(|n| n.first().font != rows[k].first().font)
        };
        if let Some(top) = placed.first() {
            let row = top.row;
            let fill = (row.last().x1 - g.left(p)) / g.width;
            if !top.first && top.last && rows.len() > 1 && fill < 0.8 && !heading(0) {
                bad.push(format!("page {} opens with a widow: {}", p + 1, row.text()));
            }
        }
        for pl in &placed {
            if pl.last && !pl.first {
                let chars = pl
                    .row
                    .glyphs
                    .iter()
                    .filter(|x| !BLANK_RIGHT.contains(x.c))
                    .count();
                if chars < 2 {
                    bad.push(format!(
                        "page {}: a paragraph ends with one character: {}",
                        pl.page + 1,
                        pl.row.text()
                    ));
                }
            }
        }
    }
    bad
}

/// clreq 4.1: a heading never ends a page: below the lowest line larger
/// than the body on a page there is body text, except on the last page.
fn check_headings_kept(g: &Geometry, pages: &[Page]) -> Vec<String> {
    let mut bad = Vec::new();
    for (p, page) in pages.iter().enumerate().take(pages.len().saturating_sub(1)) {
        let left = g.left(p);
        let inside = |x: &&glyphs::Glyph| {
            x.x0 >= left - 1.0
                && x.x1 <= left + g.width + 1.0
                && x.y > g.top
                && x.y < g.top + g.height + 1.0
        };
        let heading = page
            .glyphs
            .iter()
            .filter(inside)
            .filter(|x| x.size > g.size + 0.5)
            .map(|x| x.y)
            .fold(f32::NEG_INFINITY, f32::max);
        let body = page
            .glyphs
            .iter()
            .filter(inside)
            .filter(|x| (x.size - g.size).abs() < 0.1)
            .map(|x| x.y)
            .fold(f32::NEG_INFINITY, f32::max);
        // A page of headings alone (a title page) is not looked at.
        if heading.is_finite() && body.is_finite() && heading > body {
            bad.push(format!("page {} ends with a heading", p + 1));
        }
    }
    bad
}

/// Punctuation styles: the room each closing or stop mark takes before
/// the Han character after it, in em, is 1 for a full-width mark and 1/2
/// for a half-width one. `half` says which marks the style sets half.
fn check_style(g: &Geometry, pages: &[Page], half: &dyn Fn(char) -> bool) -> (Vec<String>, usize) {
    let mut bad = Vec::new();
    let mut seen = 0;
    let mut full: Vec<f32> = Vec::new();
    for (p, page) in pages.iter().enumerate() {
        for row in g.rows(page, p) {
            let base = base_gap(&row);
            for w in row.glyphs.windows(2) {
                let (a, b) = (&w[0], &w[1]);
                if !BLANK_RIGHT.contains(a.c) || !is_han(b.c) {
                    continue;
                }
                seen += 1;
                let room = (b.x0 - a.x0 - base) / em(a);
                if half(a.c) {
                    if (room - 0.5).abs() > 0.05 {
                        bad.push(format!(
                            "page {}: {} takes {room:.2} em, not 1/2",
                            p + 1,
                            a.c
                        ));
                    }
                } else if !(0.45..=1.05).contains(&room) {
                    bad.push(format!("page {}: {} takes {room:.2} em", p + 1, a.c));
                } else {
                    // A full-width mark gives up its blank only in a line
                    // that pushes a mark in; most keep their em.
                    full.push(room);
                }
            }
        }
    }
    let whole = full.iter().filter(|&&r| r > 0.95).count();
    if whole * 5 < full.len() * 4 {
        bad.push(format!(
            "only {whole} of {} full-width marks take a whole em",
            full.len()
        ));
    }
    (bad, seen)
}

/// Hanging punctuation: a line (not a paragraph's last) that ends with
/// `。，、` has the character before the mark flush with the right edge
/// and the mark's ink past it by half an em or less. Returns the
/// violations and the number of hanging marks measured.
fn check_hanging(g: &Geometry, pages: &[Page]) -> (Vec<String>, usize) {
    let mut bad = Vec::new();
    let mut hung = 0;
    for (p, page) in pages.iter().enumerate() {
        let rows = g.rows(page, p);
        let right = g.left(p) + g.width;
        for placed in place(g, p, &rows, next_first(g, pages, p).as_ref()) {
            let row = placed.row;
            let mark = row.last();
            if !"。，、".contains(mark.c) || row.glyphs.len() < 2 || mark.x0 < right - 0.3 {
                continue;
            }
            hung += 1;
            let before = &row.glyphs[row.glyphs.len() - 2];
            let before_end = if BLANK_RIGHT.contains(before.c) {
                before.x0 + 0.5 * em(before)
            } else {
                before.x1
            };
            // The ink of a full-width mark is its first half; a half-width
            // mark is all ink.
            let ink = (mark.x1 - mark.x0).min(0.5 * em(mark));
            let protrudes = mark.x0 + ink - right;
            if protrudes > 0.5 * em(mark) + 0.3 || (before_end - right).abs() > 0.3 {
                bad.push(format!(
                    "page {}: {} protrudes {protrudes:.1} pt, the character before it ends {:.1} pt from the edge: {}",
                    p + 1,
                    mark.c,
                    before_end - right,
                    row.text()
                ));
            }
        }
    }
    (bad, hung)
}

/// clreq 3.5.4: a line is spread evenly between its characters (every
/// gap between two Han characters the same) and never inside a Latin
/// word (consecutive letters touch; a word space is wider than 0.15 em).
fn check_even_spread(g: &Geometry, pages: &[Page]) -> Vec<String> {
    let mut bad = Vec::new();
    for (p, page) in pages.iter().enumerate() {
        for row in g.rows(page, p) {
            let gaps: Vec<f32> = row
                .glyphs
                .windows(2)
                .filter(|w| is_han(w[0].c) && is_han(w[1].c))
                .map(|w| w[1].x0 - w[0].x1)
                .filter(|&d| d < 0.4 * g.size)
                .collect();
            let (lo, hi) = gaps
                .iter()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &d| {
                    (a.min(d), b.max(d))
                });
            if gaps.len() > 1 && hi - lo > 0.05 {
                bad.push(format!(
                    "page {}: gaps between Han characters from {lo:.2} to {hi:.2} pt: {}",
                    p + 1,
                    row.text()
                ));
            }
            let spread_word = row.glyphs.windows(2).any(|w| {
                w[0].c.is_ascii_alphabetic()
                    && w[1].c.is_ascii_alphabetic()
                    && w[1].x0 - w[0].x1 > 0.03 * g.size
                    && (w[1].x0 - w[0].x1) < 0.15 * g.size
            });
            if spread_word {
                bad.push(format!(
                    "page {}: a Latin word is spread: {}",
                    p + 1,
                    row.text()
                ));
            }
        }
    }
    bad
}

/// clreq 2.2 and 4.1.2: body text in a Song (serif) face; each heading
/// (found by its text) stands apart from the body by its face or a larger
/// size. Returns the violations and the number of headings found.
fn check_faces(g: &Geometry, pages: &[Page], headings: &[String]) -> (Vec<String>, usize) {
    let mut bad = Vec::new();
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (p, page) in pages.iter().enumerate() {
        for row in g.rows(page, p) {
            for x in row.glyphs.iter().filter(|x| is_han(x.c)) {
                *counts.entry(x.font.clone()).or_default() += 1;
            }
        }
    }
    let body = counts
        .iter()
        .max_by_key(|&(name, n)| (*n, name.clone()))
        .map(|(name, _)| name.clone())
        .unwrap_or_default();
    let song = ["Serif", "Song", "Ming", "song"];
    if !song.iter().any(|s| body.contains(s)) {
        bad.push(format!("the body face {body} is not a Song face"));
    }
    let mut found = 0;
    for heading in headings {
        let wanted: Vec<char> = heading.chars().filter(|c| !c.is_whitespace()).collect();
        if wanted.is_empty() {
            continue;
        }
        'pages: for (p, page) in pages.iter().enumerate() {
            let glyphs = &page.glyphs;
            for start in 0..glyphs.len() {
                let matches = wanted.len() <= glyphs.len() - start
                    && wanted.iter().zip(&glyphs[start..]).all(|(c, x)| *c == x.c);
                if !matches {
                    continue;
                }
                found += 1;
                let x = &glyphs[start];
                if x.font == body && x.size <= g.size + 0.5 {
                    bad.push(format!(
                        "page {}: the heading {heading} is set like the body",
                        p + 1
                    ));
                }
                break 'pages;
            }
        }
    }
    (bad, found)
}

/// clreq 3.1.5.3: a note marker (a smaller glyph raised above a body
/// line) follows the character it belongs to on the same line.
fn check_note_markers(g: &Geometry, pages: &[Page]) -> (Vec<String>, usize) {
    let mut bad = Vec::new();
    let mut seen = 0;
    for (p, page) in pages.iter().enumerate() {
        let rows = g.rows(page, p);
        for m in &page.glyphs {
            let raised = rows.iter().find(|r| {
                m.size < g.size - 1.0 && r.y - m.y > 0.2 * g.size && r.y - m.y < 0.8 * g.size
            });
            let Some(row) = raised else {
                continue;
            };
            if !(m.c.is_ascii_digit() || "*†‡①②③④⑤⑥⑦⑧⑨⑩[]".contains(m.c)) {
                continue;
            }
            seen += 1;
            let before = row
                .glyphs
                .iter()
                .any(|x| x.x1 <= m.x0 + 0.3 && m.x0 - x.x1 < 0.3 * g.size);
            if !before {
                bad.push(format!(
                    "page {}: the note marker {} starts a line: {}",
                    p + 1,
                    m.c,
                    row.text()
                ));
            }
        }
    }
    (bad, seen)
}

/// clreq 3.2.1: Western letters and digits stand on the baseline of the
/// Han characters of their line.
fn check_western_baseline(g: &Geometry, pages: &[Page]) -> (Vec<String>, usize) {
    let mut bad = Vec::new();
    let mut seen = 0;
    for (p, page) in pages.iter().enumerate() {
        for row in g.rows(page, p) {
            let Some(han) = row.glyphs.iter().find(|x| is_han(x.c)) else {
                continue;
            };
            for x in row.glyphs.iter().filter(|x| x.c.is_ascii_alphanumeric()) {
                seen += 1;
                if (x.y - han.y).abs() > 0.05 {
                    bad.push(format!(
                        "page {}: {} stands {:.2} pt off the baseline: {}",
                        p + 1,
                        x.c,
                        han.y - x.y,
                        row.text()
                    ));
                }
            }
        }
    }
    (bad, seen)
}

/// clreq 3.4.2: the lines of a block quotation are inset by 2 em on both
/// sides: its first line starts 4 em in (inset and paragraph indent) and,
/// unless it is its only line, ends 2 em before the right edge.
/// `quotes` are the first characters of each quoted paragraph.
fn check_block_indent(g: &Geometry, pages: &[Page], quotes: &[String]) -> (Vec<String>, usize) {
    let mut bad = Vec::new();
    let mut found = 0;
    for (p, page) in pages.iter().enumerate() {
        let rows = g.rows(page, p);
        let left = g.left(p);
        for (k, row) in rows.iter().enumerate() {
            let text = row.text();
            if !quotes.iter().any(|q| text.starts_with(q.as_str())) {
                continue;
            }
            found += 1;
            let start = (row.first().x0 - left) / g.size;
            let continues = rows.get(k + 1).is_some_and(|n| {
                n.y - row.y < 1.2 * g.pitch && ((n.first().x0 - left) / g.size - 2.0).abs() < 0.05
            });
            let last = row.last();
            let ink = if BLANK_RIGHT.contains(last.c) {
                last.x0 + 0.5 * em(last)
            } else {
                last.x1
            };
            let end = (left + g.width - ink) / g.size;
            if (start - 4.0).abs() > 0.05 || (continues && (end - 2.0).abs() > 0.05) {
                bad.push(format!(
                    "page {}: a quotation starts {start:.2} em in and ends {end:.2} em short: {text}",
                    p + 1
                ));
            }
        }
    }
    (bad, found)
}

/// clreq 3.1.8: an emphasis dot (着重号) sits centred under a Han
/// character, below its baseline. Returns the violations and the number
/// of dots.
fn check_emphasis_dots(pages: &[Page], dots: &[Vec<(f32, f32, f32)>]) -> (Vec<String>, usize) {
    let mut bad = Vec::new();
    let mut seen = 0;
    for (p, page) in pages.iter().enumerate() {
        for &(x, y, _) in dots.get(p).map_or(&[][..], |d| &d[..]) {
            seen += 1;
            let over = page.glyphs.iter().any(|c| {
                is_han(c.c)
                    && ((c.x0 + c.x1) / 2.0 - x).abs() < 0.3
                    && y - c.y > 0.1 * c.size
                    && y - c.y < 0.5 * c.size
            });
            if !over {
                bad.push(format!(
                    "page {}: a dot at ({x:.1}, {y:.1}) is under no Han character",
                    p + 1
                ));
            }
        }
    }
    (bad, seen)
}

/// Every check on a file: the violations of each, by name.
fn all_checks(g: &Geometry, pages: &[Page]) -> Vec<(&'static str, Vec<String>)> {
    vec![
        ("prohibitions", check_prohibitions(g, pages)),
        ("gaps", check_gaps(g, pages).0),
        ("mark pairs", check_mark_pairs(g, pages).0),
        ("edges", check_edges(g, pages)),
        ("pitch and solid lines", check_pitch_and_solid(g, pages).0),
        ("widows and orphans", check_widows_orphans(g, pages)),
        ("headings kept", check_headings_kept(g, pages)),
        ("even spread", check_even_spread(g, pages)),
    ]
}

fn book() -> &'static (Built, Vec<Page>) {
    static BUILT: OnceLock<(Built, Vec<Page>)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let built = build(BOOK, "clreq-book");
        let mut pages = read(&built.pdf);
        // The front matter (title page, contents) is not body text: the
        // text begins on the page labelled 1.
        let labels = support::read_pdf(&built.pdf).labels;
        let first = labels.iter().position(|l| l == "1").expect("a page 1");
        for page in &mut pages[..first] {
            page.glyphs.clear();
        }
        (built, pages)
    })
}

fn sample() -> &'static (Built, Vec<Page>) {
    static BUILT: OnceLock<(Built, Vec<Page>)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let built = build(SAMPLE, "clreq-sample");
        let pages = read(&built.pdf);
        (built, pages)
    })
}

fn assert_clean(name: &str, g: &Geometry, pages: &[Page]) {
    for (check, bad) in all_checks(g, pages) {
        assert!(bad.is_empty(), "{name}, {check}: {bad:#?}");
    }
}

#[test]
fn the_book_passes_every_check() {
    let (built, pages) = book();
    let g = Geometry::of(built);
    // The checks see real text: many body lines and marks in pairs.
    let lines: usize = pages
        .iter()
        .enumerate()
        .map(|(p, pg)| g.rows(pg, p).len())
        .sum();
    assert!(lines > 60, "{lines} body lines");
    let (_, pairs) = check_mark_pairs(&g, pages);
    assert!(pairs >= 5, "{pairs} mark pairs");
    assert_clean("the book", &g, pages);
}

#[test]
fn the_sample_passes_every_check_and_keeps_its_six_spaces() {
    let Some(_sample) = support::sample_test() else {
        return;
    };
    let (built, pages) = sample();
    let g = Geometry::of(built);
    assert_clean("the sample", &g, pages);
    let (_, solid) = check_pitch_and_solid(&g, pages);
    assert!(solid >= 3, "{solid} solid lines measured");
    let (_, spaces) = check_gaps(&g, pages);
    assert_eq!(spaces.len(), 6, "{spaces:?}");
    // "基地——刘智谋": the dash touches the Han characters on both sides.
    let text: String = pages
        .iter()
        .enumerate()
        .flat_map(|(p, pg)| g.rows(pg, p))
        .map(|r| r.text())
        .collect();
    assert!(text.contains("基地——刘智谋"), "the dash line is measured");
    // The subtitle under the title, with its dash.
    let first: String = pages[0].glyphs.iter().map(|x| x.c).collect();
    assert!(first.contains("——2022年益阳市统一战线工作综述"), "{first}");
}

/// The book set in a variant of its page style: `keys` are added to the
/// style's `[body]`.
fn variant(name: &str, keys: &str) -> (Built, Vec<Page>) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).expect("a folder for the variant");
    for entry in std::fs::read_dir(BOOK).expect("the book") {
        let path = entry.expect("a file").path();
        let text = std::fs::read_to_string(&path).expect("a text file");
        let text = text.replace("pdf = \"a5-book\"", "pdf = \"variant.toml\"");
        std::fs::write(dir.join(path.file_name().expect("a name")), text).expect("copy");
    }
    let style = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/styles/pdf/a5-book.toml"
    ))
    .expect("the a5-book style");
    let style = style.replacen("[body]\n", &format!("[body]\n{keys}\n"), 1);
    std::fs::write(dir.join("variant.toml"), style).expect("write the style");
    let built = build(dir.to_str().expect("a UTF-8 path"), name);
    let mut pages = read(&built.pdf);
    let labels = support::read_pdf(&built.pdf).labels;
    let first = labels.iter().position(|l| l == "1").expect("a page 1");
    for page in &mut pages[..first] {
        page.glyphs.clear();
    }
    (built, pages)
}

fn kaiming_half(c: char) -> bool {
    !"。！？".contains(c)
}

#[test]
fn each_punctuation_style_sets_the_widths_it_defines() {
    let (built, quanjiao) = book();
    let g = Geometry::of(built);
    let (kaiming_built, kaiming) = variant("clreq-kaiming", "punctuation = \"kaiming\"");
    let (_, banjiao) = variant("clreq-banjiao", "punctuation = \"banjiao\"");
    let gk = Geometry::of(&kaiming_built);
    let (bad, seen) = check_style(&g, quanjiao, &|_| false);
    assert!(
        seen > 20 && bad.is_empty(),
        "quanjiao, {seen} marks: {bad:#?}"
    );
    let (bad, seen) = check_style(&gk, &kaiming, &kaiming_half);
    assert!(
        seen > 20 && bad.is_empty(),
        "kaiming, {seen} marks: {bad:#?}"
    );
    let (bad, seen) = check_style(&gk, &banjiao, &|_| true);
    assert!(
        seen > 20 && bad.is_empty(),
        "banjiao, {seen} marks: {bad:#?}"
    );
    // Every other check holds in every style.
    assert_clean("kaiming", &gk, &kaiming);
    assert_clean("banjiao", &gk, &banjiao);
    // Negative controls: each style's widths are wrong for the others.
    assert!(!check_style(&g, quanjiao, &kaiming_half).0.is_empty());
    assert!(!check_style(&gk, &kaiming, &|_| false).0.is_empty());
    assert!(!check_style(&gk, &banjiao, &kaiming_half).0.is_empty());
}

#[test]
fn hanging_marks_protrude_half_an_em_at_most() {
    let (built, pages) = variant("clreq-hanging", "hanging = true");
    let g = Geometry::of(&built);
    let (bad, hung) = check_hanging(&g, &pages);
    assert!(hung >= 1 && bad.is_empty(), "{hung} hanging: {bad:#?}");
    assert_clean("hanging", &g, &pages);
    // Without hanging, no mark is past the edge.
    let (built, pages) = book();
    assert_eq!(check_hanging(&Geometry::of(built), pages).1, 0);
}

#[test]
fn control_a_mark_hanging_too_far_is_found() {
    // The comma starts half an em past the edge: its ink is a whole em
    // out, and the character before it is not flush.
    let pages = hand(
        "hang-far",
        &[&[
            (24.0, 0.0, "一二三四五六七八九十一二三四五六七八˽，"),
            (0.0, 1.0, "一二三四五六七八九十"),
        ]],
    );
    let (bad, hung) = check_hanging(&hand_geometry(), &pages);
    assert_eq!(hung, 1);
    assert_eq!(bad.len(), 1, "{bad:?}");
    let pages = hand(
        "hang-ok",
        &[&[
            (24.0, 0.0, "一二三四五六七八九十一二三四五六七八，"),
            (0.0, 1.0, "一二三四五六七八九十"),
        ]],
    );
    assert!(check_hanging(&hand_geometry(), &pages).0.is_empty());
}

/// A book of over fifty A5 pages written for the grid test: twelve
/// chapters in Markdown, each with sections and paragraphs of different
/// lengths, from sentences of a plain local chronicle.
fn long_book(dir: &Path, grid: bool) {
    const SENTENCES: [&str; 12] = [
        "镇上的老街在河的北岸，街面铺着青石板，雨天走上去要格外小心。",
        "每年秋收以后，村里会在晒谷场上放一场露天电影，孩子们早早搬来板凳占位置。",
        "据统计，全年共接待游客3.2万人次，比上年增长18%，其中外省游客约占四成。",
        "文化站的阅览室每天开放到晚上九点，周末还有志愿者给孩子们讲故事。",
        "修路的那几个月，村民们绕道走了不少冤枉路，但没有一个人抱怨。",
        "老人们说，这座桥见过三次大水，每一次都站住了。",
        "合作社今年新建了2座冷库，蔬菜可以错峰上市，价格也稳了不少。",
        "学校的操场翻修以后，傍晚来散步的人明显多了起来。",
        "春天的时候，山坡上的油菜花一片连着一片，从镇上就能看见。",
        "“我们不求多快，只求每一件事都做扎实。”这是镇长在会上常说的一句话。",
        "卫生院增加了一台新的B超设备，乡亲们不用再为了检查专门跑到县城。",
        "图书馆的选址几经讨论，最后定在了老粮站的旧仓库里。",
    ];
    std::fs::create_dir_all(dir).expect("a folder for the long book");
    let mut chapters = Vec::new();
    let mut k = 0usize;
    for c in 1..=12 {
        let mut text = format!("# 第{c}章 年度纪事之{c}\n\n");
        for section in 1..=5 {
            text.push_str(&format!("## {c}.{section} 小节\n\n"));
            for paragraph in 0..4 {
                let sentences = 1 + (c + section + paragraph) % 6;
                for _ in 0..sentences {
                    text.push_str(SENTENCES[k % SENTENCES.len()]);
                    k += 7;
                }
                text.push_str("\n\n");
            }
        }
        let name = format!("{c:02}.md");
        std::fs::write(dir.join(&name), text).expect("write a chapter");
        chapters.push(format!("\"{name}\""));
    }
    let toml = format!(
        "[book]\ntitle = \"网格测试\"\nlanguage = \"zh-CN\"\n\n[contents]\nchapters = [{}]\n\n[style]\npdf = \"grid.toml\"\n",
        chapters.join(", ")
    );
    std::fs::write(dir.join("book.toml"), toml).expect("write book.toml");
    let style = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/styles/pdf/a5-book.toml"
    ))
    .expect("the a5-book style");
    let style = style.replacen("[body]\n", &format!("[body]\ngrid = {grid}\n"), 1);
    std::fs::write(dir.join("grid.toml"), style).expect("write the style");
}

/// clreq 2.3.3: the body baselines of every text page, and whether each
/// lies on one grid: the same first baseline and pitch on every page.
fn check_grid(g: &Geometry, pages: &[Page]) -> (Vec<String>, usize) {
    let mut bad = Vec::new();
    let mut measured = 0;
    // The grid's first baseline: a body line's baseline in a one-pitch
    // row at the top of the block.
    let mut origin: Option<f32> = None;
    for (p, page) in pages.iter().enumerate() {
        let rows = g.rows(page, p);
        for row in &rows {
            let phase = (row.y - g.top) / g.pitch;
            let at = origin.get_or_insert(phase.fract() * g.pitch);
            let off = ((row.y - g.top - *at) / g.pitch).fract();
            let off = off.min(1.0 - off) * g.pitch;
            measured += 1;
            if off > 0.05 {
                bad.push(format!(
                    "page {}: a baseline {off:.2} pt off the grid: {}",
                    p + 1,
                    row.text()
                ));
            }
        }
    }
    (bad, measured)
}

#[test]
fn grid_puts_every_body_line_of_fifty_pages_on_one_grid() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("clreq-grid");
    long_book(&dir, true);
    let built = build(dir.to_str().expect("UTF-8"), "clreq-grid");
    let mut pages = read(&built.pdf);
    let labels = support::read_pdf(&built.pdf).labels;
    let first = labels.iter().position(|l| l == "1").expect("a page 1");
    for page in &mut pages[..first] {
        page.glyphs.clear();
    }
    let g = Geometry::of(&built);
    assert!(
        pages.len() - first >= 50,
        "{} text pages",
        pages.len() - first
    );
    let (bad, measured) = check_grid(&g, &pages);
    assert!(measured > 800, "{measured} lines");
    assert!(bad.is_empty(), "{bad:#?}");
    // Facing pages: the lines of a verso and of the recto beside it lie
    // on the same positions (one grid for all pages, measured above).
    // Pages end on the last grid line except where a chapter ends (the
    // page before a chapter's first) or a heading or a paragraph's last
    // line had to move on.
    let bottoms: Vec<f32> = pages
        .iter()
        .enumerate()
        .skip(first)
        .map(|(p, page)| g.rows(page, p).last().map_or(0.0, |r| r.y))
        .collect();
    let lowest = bottoms.iter().copied().fold(0.0, f32::max);
    let short: Vec<usize> = bottoms
        .iter()
        .enumerate()
        .filter(|&(_, &y)| y < lowest - 0.5)
        .map(|(k, _)| k + 1)
        .collect();
    eprintln!(
        "grid book: {} text pages, short pages {short:?}",
        bottoms.len()
    );
    assert_clean("the grid book", &g, &pages);
    // Negative control: the same book without the grid has lines off it
    // (the headings' space is not whole lines).
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("clreq-nogrid");
    long_book(&dir, false);
    let built = build(dir.to_str().expect("UTF-8"), "clreq-nogrid");
    let mut pages = read(&built.pdf);
    for page in &mut pages[..first] {
        page.glyphs.clear();
    }
    assert!(!check_grid(&Geometry::of(&built), &pages).0.is_empty());
}

#[test]
fn gb9704_sets_22_lines_of_28_characters_and_names_its_faces() {
    let Some(_sample) = support::sample_test() else {
        return;
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("clreq-gb9704");
    std::fs::create_dir_all(&dir).expect("a folder");
    std::fs::copy(SAMPLE, dir.join("report.txt")).expect("copy the sample");
    std::fs::write(
        dir.join("book.toml"),
        "[book]\ntitle = \"携手奋进新时代，同心贡献新力量\"\nlanguage = \"zh-CN\"\n\n\
         [contents]\nchapters = [\"report.txt\"]\n\n[style]\npdf = \"gb9704\"\n",
    )
    .expect("write book.toml");
    let (doc, fonts) = support::load(dir.to_str().expect("UTF-8"));
    let (bytes, diagnostics) =
        inkstone::pdf::render_pdf(&doc, &fonts, &Default::default()).expect("render");
    // The book's fonts are Noto: the style says which faces it wanted.
    let said: Vec<String> = diagnostics.iter().map(|d| d.to_string()).collect();
    for family in ["FangSong", "FZXiaoBiaoSong-B05", "SimHei", "KaiTi"] {
        assert!(
            said.iter()
                .any(|d| d.contains(family) && d.contains("is used instead")),
            "{family}: {said:?}"
        );
    }
    let pdf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("clreq-gb9704.pdf");
    std::fs::write(&pdf, &bytes).expect("write the PDF");
    let pages = read(&pdf);
    let style = inkstone::pdf::style::load_style("gb9704", Path::new(".")).expect("style");
    let g = Geometry {
        left: [style.left_recto, style.left_verso],
        width: style.text_width,
        top: style.top,
        height: style.text_height,
        size: style.body.size,
        pitch: style.pitch(),
        indent: style.body.indent,
    };
    // A4, 28 characters of 16 pt.
    assert!((style.width - 595.3).abs() < 0.5 && (style.height - 841.9).abs() < 0.5);
    assert_eq!((g.width / g.size).round() as usize, 28);
    // Lines per page, headings included (they are 16 pt too): a full
    // page holds 22 and none more. The first page gives room to the
    // title; a page ends short where a heading goes on with its text.
    let counts: Vec<usize> = pages
        .iter()
        .enumerate()
        .map(|(p, page)| g.rows(page, p).len())
        .collect();
    eprintln!("gb9704 lines per page: {counts:?}");
    assert!(counts.iter().all(|&n| n <= 22), "{counts:?}");
    assert!(
        counts.iter().filter(|&&n| n == 22).count() >= 2,
        "{counts:?}"
    );
    // Characters per line: every line that fills the measure without a
    // compressed pair holds 28; none holds more than 28 em.
    let (bad, solid) = check_pitch_and_solid(&g, &pages);
    assert!(bad.is_empty(), "{bad:#?}");
    assert!(solid >= 10, "{solid} full lines of 28 measured");
    assert!(check_grid(&g, &pages).0.is_empty());
    // The first page's title block is centred, not body text.
    let mut text = pages.clone();
    let subtitle = text[0]
        .glyphs
        .iter()
        .find(|x| x.c == '—')
        .map_or(g.top, |x| x.y);
    text[0].glyphs.retain(|x| x.y > subtitle + 1.0);
    assert_clean("gb9704", &g, &text);
}

#[test]
fn headings_stand_apart_and_note_markers_stay_with_their_text() {
    let (built, pages) = book();
    let g = Geometry::of(built);
    let headings: Vec<String> = built
        .doc
        .headings()
        .map(|(_, h)| h.display_text())
        .collect();
    let (bad, found) = check_faces(&g, pages, &headings);
    assert!(found >= 10 && bad.is_empty(), "{found} headings: {bad:#?}");
    let (bad, seen) = check_western_baseline(&g, pages);
    assert!(seen >= 20 && bad.is_empty(), "{seen} Western: {bad:#?}");
    let edition = build(support::EDITION, "clreq-edition");
    let pages = read(&edition.pdf);
    let ge = Geometry::of(&edition);
    let (bad, seen) = check_note_markers(&ge, &pages);
    assert!(seen >= 1 && bad.is_empty(), "{seen} markers: {bad:#?}");
    // The edition's block quotation, by the first characters of each of
    // its paragraphs.
    let mut quotes = Vec::new();
    for chapter in &edition.doc.chapters {
        for block in &chapter.blocks {
            if let inkstone::model::Block::Quote { blocks, .. } = block {
                for inner in blocks {
                    if let inkstone::model::Block::Paragraph { content, .. } = inner {
                        let mut text = String::new();
                        for inline in content {
                            if let inkstone::model::Inline::Text { text: t } = inline {
                                text.push_str(t);
                            }
                        }
                        quotes.push(text.chars().take(6).collect::<String>());
                    }
                }
            }
        }
    }
    let (bad, found) = check_block_indent(&ge, &pages, &quotes);
    assert!(
        found >= 1 && bad.is_empty(),
        "{found} quotations {quotes:?}: {bad:#?}"
    );
    // *数据赋能* is emphasised with dots.
    let (bad, seen) = check_emphasis_dots(&pages, &dots(&edition.pdf));
    assert!(seen >= 4 && bad.is_empty(), "{seen} dots: {bad:#?}");
}

#[test]
fn control_a_dot_beside_its_character_is_found() {
    let g = hand_geometry();
    let baseline = g.top + 15.0;
    let centre = g.left[0] + 24.0 + 6.0;
    let page = || vec![hand_line(24.0, 0.0, 12.0, "数据赋能")];
    // Under the first character, then half an em to the right of it.
    let good = hand_pdf_with_dots(
        "dot-ok",
        360.0,
        520.0,
        &[page()],
        &[(centre, baseline + 3.2, 0.7)],
    );
    let (bad, seen) = check_emphasis_dots(&read(&good), &dots(&good));
    assert_eq!((bad.len(), seen), (0, 1), "{bad:?}");
    let wrong = hand_pdf_with_dots(
        "dot-off",
        360.0,
        520.0,
        &[page()],
        &[(centre + 6.0, baseline + 3.2, 0.7)],
    );
    let (bad, seen) = check_emphasis_dots(&read(&wrong), &dots(&wrong));
    assert_eq!((bad.len(), seen), (1, 1), "{bad:?}");
}

#[test]
fn control_a_heading_set_like_the_body_and_a_marker_at_line_start_are_found() {
    let g = hand_geometry();
    let pages = read(&hand_pdf(
        "plain-heading",
        360.0,
        520.0,
        &[vec![
            hand_line(0.0, 0.0, 12.0, "第二章"),
            hand_line(24.0, 1.0, 12.0, "一二三四五六七八九十一二三四五六七八"),
        ]],
    ));
    let (bad, found) = check_faces(&g, &pages, &["第二章".to_string()]);
    assert_eq!(found, 1);
    assert!(bad.iter().any(|b| b.contains("第二章")), "{bad:?}");
    let pages = read(&hand_pdf(
        "marker",
        360.0,
        520.0,
        &[vec![
            hand_line(24.0, 0.0, 12.0, "一二三四五六七八九十一二三四五六七八"),
            hand_line(0.0, 1.0, 12.0, "　一二三四五六七八九十"),
            HandLine {
                x: g.left[0],
                y: g.top + 15.0 + g.pitch - 5.0,
                size: 7.0,
                text: "1",
            },
        ]],
    ));
    let (bad, seen) = check_note_markers(&g, &pages);
    assert_eq!(seen, 1);
    assert_eq!(bad.len(), 1, "{bad:?}");
}

#[test]
fn control_a_raised_digit_and_a_quotation_not_inset_are_found() {
    let g = hand_geometry();
    let pages = read(&hand_pdf(
        "raised",
        360.0,
        520.0,
        &[vec![
            hand_line(24.0, 0.0, 12.0, "共有余家企业助力"),
            HandLine {
                x: g.left[0] + 24.0 + 8.0 * 12.0,
                y: g.top + 15.0 - 1.5,
                size: 12.0,
                text: "1000",
            },
        ]],
    ));
    let (bad, seen) = check_western_baseline(&g, &pages);
    assert_eq!(seen, 4);
    assert_eq!(bad.len(), 4, "{bad:?}");
    let pages = hand(
        "quote",
        &[&[
            (24.0, 0.0, "数据多跑路群众少跑腿我们的目标是让"),
            (0.0, 1.0, "一二三四五六七八九十一二三四五六七八九十"),
        ]],
    );
    let (bad, found) = check_block_indent(&g, &pages, &["数据多跑路".to_string()]);
    assert_eq!(found, 1);
    assert_eq!(bad.len(), 1, "{bad:?}");
}

/// The geometry of the hand-built pages: A5-like, 12 pt body, 20
/// characters a line, pitch 20 pt.
fn hand_geometry() -> Geometry {
    Geometry {
        left: [60.0, 60.0],
        width: 240.0,
        top: 60.0,
        height: 400.0,
        size: 12.0,
        pitch: 20.0,
        indent: 2.0,
    }
}

/// Hand-built lines: `(x from the left edge, line number, text)`, at
/// the body size.
fn hand(name: &str, pages: &[&[(f32, f32, &str)]]) -> Vec<Page> {
    let g = hand_geometry();
    let pages: Vec<Vec<HandLine>> = pages
        .iter()
        .map(|lines| {
            lines
                .iter()
                .map(|&(x, n, text)| hand_line(x, n, g.size, text))
                .collect()
        })
        .collect();
    read(&hand_pdf(name, 360.0, 520.0, &pages))
}

fn hand_line(x: f32, n: f32, size: f32, text: &str) -> HandLine<'_> {
    let g = hand_geometry();
    HandLine {
        x: g.left[0] + x,
        y: g.top + 15.0 + n * g.pitch,
        size,
        text,
    }
}

#[test]
fn a_correct_hand_page_passes() {
    // The control of the controls: a page set by the rules passes, so a
    // failure below is the rule broken, not the hand-built page.
    let pages = hand(
        "good",
        &[&[
            (24.0, 0.0, "一二三四五六七八九十一二三四五六七八"),
            (0.0, 1.0, "一二三四五六七八九十一二三四五六七八九十"),
            (0.0, 2.0, "一二三四五六七八。"),
            (24.0, 3.0, "基地——刘智谋工作室"),
        ]],
    );
    let g = hand_geometry();
    assert_clean("the good hand page", &g, &pages);
}

#[test]
fn control_a_mark_at_line_start_is_found() {
    let pages = hand(
        "line-start",
        &[&[
            (24.0, 0.0, "一二三四五六七八九十一二三四五六七八"),
            (0.0, 1.0, "，二三四五六七八九十一二三"),
        ]],
    );
    assert!(!check_prohibitions(&hand_geometry(), &pages).is_empty());
}

#[test]
fn control_an_opening_mark_at_line_end_and_a_split_number_are_found() {
    let pages = hand(
        "line-end",
        &[&[
            (24.0, 0.0, "一二三四五六七八九十一二三四五六七“"),
            (0.0, 1.0, "二三四五六七八九十一二三四五六七八九十"),
            (0.0, 2.0, "二三四五六七八九十一二三四五六七2022"),
            (0.0, 3.0, "年三四五六七八九"),
        ]],
    );
    let bad = check_prohibitions(&hand_geometry(), &pages);
    assert_eq!(bad.len(), 2, "{bad:?}");
}

#[test]
fn control_a_gap_around_the_dash_is_found() {
    let pages = hand("dash-gap", &[&[(24.0, 0.0, "基地‸——‸刘智谋工作室")]]);
    let (bad, _) = check_gaps(&hand_geometry(), &pages);
    assert_eq!(bad.len(), 2, "{bad:?}");
}

#[test]
fn control_a_gap_beside_a_slash_and_a_missing_one_beside_digits_are_found() {
    let pages = hand("slash-gap", &[&[(24.0, 0.0, "甲‸/‸乙共有1000余家")]]);
    let (bad, _) = check_gaps(&hand_geometry(), &pages);
    assert_eq!(bad.len(), 4, "{bad:?}");
}

#[test]
fn control_an_uncompressed_mark_pair_is_found() {
    let pages = hand("pair", &[&[(24.0, 0.0, "他说：“好。”然后")]]);
    let (bad, seen) = check_mark_pairs(&hand_geometry(), &pages);
    assert!(seen >= 2);
    assert!(!bad.is_empty(), "{bad:?}");
    let pages = hand("pair-ok", &[&[(24.0, 0.0, "他说：⁻“好。⁻”然后")]]);
    let (bad, _) = check_mark_pairs(&hand_geometry(), &pages);
    assert!(bad.is_empty(), "{bad:?}");
}

#[test]
fn control_a_ragged_line_and_a_wrong_indent_are_found() {
    let pages = hand(
        "ragged",
        &[&[
            (18.0, 0.0, "一二三四五六七八九十一二三四五六七八"),
            (0.0, 1.0, "一二三四五六七八九十一二三四五六七八九"),
            (0.0, 2.0, "一二三四五六七八九十一二三四五六七八九十"),
            (0.0, 3.0, "一二三。"),
        ]],
    );
    let bad = check_edges(&hand_geometry(), &pages);
    assert!(bad.iter().any(|b| b.contains("starts 18.0 pt")), "{bad:?}");
    assert!(bad.iter().any(|b| b.contains("ends -12.0 pt")), "{bad:?}");
}

#[test]
fn control_a_line_off_the_pitch_and_a_spread_line_are_found() {
    let pages = hand(
        "pitch",
        &[&[
            (24.0, 0.0, "一二三四五六七八九十一二三四五六七八"),
            (0.0, 1.1, "一二三四五六七八九十一二三四五六七八九十"),
            (0.0, 2.1, "一二三四五六七八九十‸一二三四五六七八九十"),
            (0.0, 3.1, "一二三。"),
        ]],
    );
    let (bad, _) = check_pitch_and_solid(&hand_geometry(), &pages);
    assert_eq!(bad.len(), 2, "{bad:?}");
}

#[test]
fn control_an_uneven_line_and_a_spread_word_are_found() {
    let pages = hand(
        "uneven",
        &[&[
            (24.0, 0.0, "一二三四五六七八‸九十一二三四五六七"),
            (0.0, 1.0, "一二三四五六七八九十一二三四五Wo⁺rd"),
        ]],
    );
    let bad = check_even_spread(&hand_geometry(), &pages);
    assert_eq!(bad.len(), 2, "{bad:?}");
}

#[test]
fn control_a_widow_and_an_orphan_are_found() {
    let pages = hand(
        "widow",
        &[
            &[
                (24.0, 0.0, "一二三四五六七八九十一二三四五六七八"),
                (0.0, 1.0, "一二三四五六七八九十一二三四五六七八九十"),
            ],
            &[
                (0.0, 0.0, "一二三四。"),
                (24.0, 1.0, "一二三四五六七八九十一二三四五六七八"),
                (0.0, 2.0, "一。"),
            ],
        ],
    );
    let bad = check_widows_orphans(&hand_geometry(), &pages);
    assert_eq!(bad.len(), 2, "{bad:?}");
}

#[test]
fn control_a_heading_at_a_page_foot_is_found() {
    let g = hand_geometry();
    let body = "一二三四五六七八九十一二三四五六七八";
    let pages = read(&hand_pdf(
        "heading",
        360.0,
        520.0,
        &[
            vec![
                hand_line(24.0, 0.0, 12.0, body),
                hand_line(48.0, 5.0, 16.0, "第二章"),
            ],
            vec![hand_line(24.0, 0.0, 12.0, body)],
        ],
    ));
    assert_eq!(check_headings_kept(&g, &pages).len(), 1);
    let pages = read(&hand_pdf(
        "heading-ok",
        360.0,
        520.0,
        &[
            vec![
                hand_line(48.0, 0.0, 16.0, "第二章"),
                hand_line(24.0, 2.0, 12.0, body),
            ],
            vec![hand_line(24.0, 0.0, 12.0, body)],
        ],
    ));
    assert!(check_headings_kept(&g, &pages).is_empty());
}
