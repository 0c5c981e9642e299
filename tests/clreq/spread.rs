//! clreq 2.1.3.1, increased inter-character spacing: a heading of two or
//! three Han characters (and the contents heading 目录) is letter-spaced,
//! two characters one em apart, three half an em, and still centred.
//! Measured on the glyphs of the PDF; the negative controls are the same
//! book set without the spacing and a hand-built page spaced wrongly.

use std::path::Path;

use super::glyphs::{read, Glyph, HandLine, Page};
use super::support::{build, Built};
use super::{hand_geometry, hand_pdf, Geometry};

fn is_han(c: char) -> bool {
    super::is_han(c)
}

/// The short headings of a book: two or three Han characters alone, at
/// level 1 or 2 (the levels `a5-book` spreads), and the contents heading.
fn short_headings(built: &Built) -> Vec<String> {
    let mut out = vec!["目录".to_string()];
    for (_, h) in built.doc.headings() {
        let text = h.display_text();
        let n = text.chars().count();
        if h.level <= 2 && (2..=3).contains(&n) && text.chars().all(is_han) {
            out.push(text);
        }
    }
    out
}

/// Rows of glyphs larger than the body (headings), by baseline and size.
fn large_rows(g: &Geometry, page: &Page) -> Vec<Vec<Glyph>> {
    let mut glyphs: Vec<&Glyph> = page
        .glyphs
        .iter()
        .filter(|x| x.size > 1.1 * g.size)
        .collect();
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x0.total_cmp(&b.x0)));
    let mut rows: Vec<Vec<Glyph>> = Vec::new();
    for x in glyphs {
        match rows.last_mut() {
            Some(row) if (x.y - row[0].y).abs() < 0.2 * x.size && x.size == row[0].size => {
                row.push(x.clone())
            }
            _ => rows.push(vec![x.clone()]),
        }
    }
    rows
}

/// Each of `wanted` found as a heading row: the gaps between its
/// characters one em (two characters) or half an em (three), within 0.05
/// em, and the row centred in the text block within 0.1 em. Returns the
/// violations and the number of headings measured.
fn check_spread_headings(g: &Geometry, pages: &[Page], wanted: &[String]) -> (Vec<String>, usize) {
    let mut bad = Vec::new();
    let mut seen = 0;
    for (p, page) in pages.iter().enumerate() {
        for row in large_rows(g, page) {
            let text: String = row.iter().map(|x| x.c).collect();
            if !wanted.contains(&text) {
                continue;
            }
            seen += 1;
            let em = row[0].size;
            let want = if row.len() == 2 { 1.0 } else { 0.5 };
            for w in row.windows(2) {
                let gap = (w[1].x0 - w[0].x1) / em;
                if (gap - want).abs() > 0.05 {
                    bad.push(format!(
                        "page {}: {text} spaced {gap:.2} em, not {want} em",
                        p + 1
                    ));
                }
            }
            let centre = (row[0].x0 + row[row.len() - 1].x1) / 2.0;
            let middle = g.left(p) + g.width / 2.0;
            if (centre - middle).abs() > 0.1 * em {
                bad.push(format!(
                    "page {}: {text} {:.2} pt off the centre",
                    p + 1,
                    centre - middle
                ));
            }
        }
    }
    (bad, seen)
}

#[test]
fn short_headings_are_letter_spaced_and_centred() {
    let (built, _) = super::ruby::ruby_book();
    // Every page, the contents included.
    let pages = read(&built.pdf);
    let g = Geometry::of(built);
    let wanted = short_headings(built);
    assert!(wanted.len() >= 3, "{wanted:?}");
    let (bad, seen) = check_spread_headings(&g, &pages, &wanted);
    assert!(bad.is_empty(), "{bad:#?}");
    // 目录, 读一读, 儿化 (and the running head is in the body size).
    assert!(seen >= 3, "{seen} short headings measured of {wanted:?}");
}

#[test]
fn control_headings_set_solid_or_spaced_wrongly_are_found() {
    // The same book in a style without the spacing.
    let book = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clreq/ruby");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("clreq-solid-headings");
    std::fs::create_dir_all(&dir).expect("a folder for the variant");
    for entry in std::fs::read_dir(book).expect("the book") {
        let path = entry.expect("a file").path();
        let text = std::fs::read_to_string(&path).expect("a text file");
        let text = text.replace("pdf = \"a5-book\"", "pdf = \"solid.toml\"");
        std::fs::write(dir.join(path.file_name().expect("a name")), text).expect("copy");
    }
    let style = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/styles/pdf/a5-book.toml"
    ))
    .expect("the a5-book style");
    assert!(style.contains("spread-short = true"));
    std::fs::write(
        dir.join("solid.toml"),
        style.replace("spread-short = true", ""),
    )
    .expect("write the style");
    let solid = build(dir.to_str().expect("a UTF-8 path"), "clreq-solid-headings");
    let g = Geometry::of(&solid);
    let wanted = short_headings(&solid);
    let (bad, seen) = check_spread_headings(&g, &read(&solid.pdf), &wanted);
    assert!(seen >= 3 && bad.len() >= seen, "{seen}: {bad:#?}");
    // Hand-built: 目录 half an em apart, 读一读 one gap of a quarter em
    // and one of half, both centred on the 240 pt block.
    let h = hand_geometry();
    let size = 18.0;
    let line = |x: f32, n: f32, text| HandLine {
        x: h.left[0] + x,
        y: h.top + 20.0 + n * 30.0,
        size,
        text,
    };
    let pdf = hand_pdf(
        "spread-wrong",
        360.0,
        520.0,
        &[vec![
            line(120.0 - 22.5, 0.0, "目˽录"),
            line(120.0 - 33.75, 1.0, "读‸一˽读"),
            line(120.0 - 27.0, 2.0, "儿˽˽化"),
        ]],
    );
    let (bad, seen) = check_spread_headings(&h, &read(&pdf), &wanted);
    assert_eq!(seen, 3);
    assert_eq!(bad.len(), 2, "{bad:#?}");
    assert!(bad.iter().all(|b| !b.contains("儿化")), "{bad:#?}");
}
