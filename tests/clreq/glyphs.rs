//! Glyph positions read back from a PDF with MuPDF (`mutool draw -F
//! stext`), grouped into lines by baseline, and hand-built pages written
//! with `mutool create` for the negative controls.
//!
//! Nothing here looks at inkstone's layout: a check sees only what a
//! reader of the PDF sees, so the same check can be run on a page that
//! inkstone never made.

use std::path::{Path, PathBuf};
use std::process::Command;

use quick_xml::events::Event;
use quick_xml::Reader;

/// One character on a page, in points from the top-left corner: its
/// advance box `x0..x1` and baseline `y`.
#[derive(Debug, Clone)]
pub struct Glyph {
    pub c: char,
    pub x0: f32,
    pub x1: f32,
    pub y: f32,
    pub size: f32,
    /// The font's name as MuPDF reports it.
    pub font: String,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub glyphs: Vec<Glyph>,
}

/// A row of glyphs on one baseline, left to right.
#[derive(Debug, Clone)]
pub struct Row {
    pub y: f32,
    pub glyphs: Vec<Glyph>,
}

impl Row {
    pub fn text(&self) -> String {
        self.glyphs.iter().map(|g| g.c).collect()
    }
    pub fn first(&self) -> &Glyph {
        &self.glyphs[0]
    }
    pub fn last(&self) -> &Glyph {
        &self.glyphs[self.glyphs.len() - 1]
    }
}

/// Reads every page's characters. A missing `mutool` fails.
pub fn read(pdf: &Path) -> Vec<Page> {
    let output = Command::new("mutool")
        .args(["draw", "-q", "-F", "stext", "-o", "-"])
        .arg(pdf)
        .output()
        .unwrap_or_else(|e| panic!("`mutool` could not be run ({e}); install mupdf-tools"));
    assert!(
        output.status.success(),
        "mutool failed on {}",
        pdf.display()
    );
    let xml = String::from_utf8_lossy(&output.stdout);
    let mut reader = Reader::from_str(&xml);
    let mut pages = Vec::new();
    let mut size = 0.0f32;
    let mut font = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let attr = |name: &str| -> Option<String> {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == name)
                        .and_then(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()
                                .map(|v| v.into_owned())
                        })
                };
                let num =
                    |name: &str| -> f32 { attr(name).and_then(|v| v.parse().ok()).unwrap_or(0.0) };
                match e.name().as_ref() {
                    "page" => pages.push(Page { glyphs: Vec::new() }),
                    "font" => {
                        size = num("size");
                        font = attr("name").unwrap_or_default();
                    }
                    "char" => {
                        let Some(c) = attr("c").and_then(|c| c.chars().next()) else {
                            continue;
                        };
                        if c.is_whitespace() {
                            // MuPDF invents spaces from gaps: the checks
                            // measure gaps themselves.
                            continue;
                        }
                        let quad: Vec<f32> = attr("quad")
                            .unwrap_or_default()
                            .split_whitespace()
                            .filter_map(|v| v.parse().ok())
                            .collect();
                        if quad.len() < 8 {
                            continue;
                        }
                        let page = pages.last_mut().expect("a char outside a page");
                        page.glyphs.push(Glyph {
                            c,
                            x0: quad[0],
                            x1: quad[2],
                            y: num("y"),
                            size,
                            font: font.clone(),
                        });
                    }
                    _ => {}
                }
            }
            Ok(Event::Eof) => break,
            Err(e) => panic!("MuPDF's text is not XML: {e}"),
            _ => {}
        }
    }
    pages
}

/// The rows of glyphs of `size` (± 0.1 pt) that lie between `left` and
/// `right` and between `top` and `bottom`, top to bottom. Glyphs within a
/// fifth of an em of a row's baseline belong to it (raised footnote
/// markers are smaller and are not body glyphs).
pub fn rows(page: &Page, size: f32, area: [f32; 4]) -> Vec<Row> {
    let [left, top, right, bottom] = area;
    let mut glyphs: Vec<&Glyph> = page
        .glyphs
        .iter()
        .filter(|g| (g.size - size).abs() < 0.1)
        .filter(|g| g.x0 >= left - size && g.x1 <= right + 2.0 * size)
        .filter(|g| g.y >= top && g.y <= bottom + size)
        .collect();
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x0.total_cmp(&b.x0)));
    let mut rows: Vec<Row> = Vec::new();
    for g in glyphs {
        match rows.last_mut() {
            Some(row) if (g.y - row.y).abs() < size * 0.2 => row.glyphs.push(g.clone()),
            _ => rows.push(Row {
                y: g.y,
                glyphs: vec![g.clone()],
            }),
        }
    }
    for row in &mut rows {
        row.glyphs.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    }
    rows
}

/// A page written by hand: each line is a baseline, a start and a text in
/// which `‸` adds a quarter-em gap, `˽` half an em, `⁺` a tenth, and `⁻` takes half
/// an em back (a compressed mark), all relative to the natural advances
/// of the glyphs.
pub struct HandLine<'a> {
    pub x: f32,
    pub y: f32,
    pub size: f32,
    pub text: &'a str,
}

/// Writes pages of hand-set lines into `<tmp>/<name>.pdf` with MuPDF's
/// own CJK font, page size `width` × `height`.
pub fn hand_pdf(name: &str, width: f32, height: f32, pages: &[Vec<HandLine>]) -> PathBuf {
    hand_pdf_with_dots(name, width, height, pages, &[])
}

/// As [`hand_pdf`], with round dots of radius `r` at `(x, y)` (from the
/// top-left corner) on the first page.
pub fn hand_pdf_with_dots(
    name: &str,
    width: f32,
    height: f32,
    pages: &[Vec<HandLine>],
    dots: &[(f32, f32, f32)],
) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("clreq-hand");
    std::fs::create_dir_all(&dir).expect("a folder for hand-built pages");
    let mut files = Vec::new();
    for (n, lines) in pages.iter().enumerate() {
        let mut content = format!(
            "%%MediaBox 0 0 {width} {height}\n%%CJKFont F1 zh-Hans H serif\n%%Font F2 Times-Roman\n"
        );
        for line in lines {
            // TJ numbers are thousandths of an em, negative to the right.
            // ASCII is set in a Latin font, the rest in the CJK one; the
            // pen runs on across the font changes.
            let mut tj = String::new();
            let mut font = "";
            for c in line.text.chars() {
                let gap = match c {
                    '‸' => Some(" -250 "),
                    '˽' => Some(" -500 "),
                    '⁺' => Some(" -100 "),
                    '⁻' => Some(" 500 "),
                    _ => None,
                };
                if let Some(gap) = gap {
                    tj.push_str(gap);
                    continue;
                }
                let wanted = if c.is_ascii() { "F2" } else { "F1" };
                if wanted != font {
                    if !font.is_empty() {
                        tj.push_str("] TJ ");
                    }
                    tj.push_str(&format!("/{wanted} {} Tf [", line.size));
                    font = wanted;
                }
                if c.is_ascii() {
                    tj.push('(');
                    if matches!(c, '(' | ')' | '\\') {
                        tj.push('\\');
                    }
                    tj.push(c);
                    tj.push(')');
                } else {
                    let mut units = [0u16; 2];
                    tj.push('<');
                    for u in c.encode_utf16(&mut units) {
                        tj.push_str(&format!("{u:04X}"));
                    }
                    tj.push('>');
                }
            }
            content.push_str(&format!(
                "BT 1 0 0 1 {} {} Tm {tj}] TJ ET\n",
                line.x,
                height - line.y
            ));
        }
        if n == 0 {
            for &(x, y, r) in dots {
                // A square of the dot's size: MuPDF reads its bounds.
                content.push_str(&format!(
                    "{} {} {} {} re f\n",
                    x - r,
                    height - y - r,
                    2.0 * r,
                    2.0 * r
                ));
            }
        }
        let page = dir.join(format!("{name}-{n}.txt"));
        std::fs::write(&page, content).expect("write a hand-built page");
        files.push(page);
    }
    let pdf = dir.join(format!("{name}.pdf"));
    let status = Command::new("mutool")
        .arg("create")
        .arg("-o")
        .arg(&pdf)
        .args(&files)
        .status()
        .unwrap_or_else(|e| panic!("`mutool` could not be run ({e}); install mupdf-tools"));
    assert!(status.success(), "mutool create failed for {name}");
    pdf
}

/// The small filled shapes of each page (emphasis dots and the like): the
/// centre and size of their bounds, from `mutool trace`, in points from the
/// top-left corner.
pub fn dots(pdf: &Path) -> Vec<Vec<(f32, f32, f32)>> {
    let output = Command::new("mutool")
        .args(["trace"])
        .arg(pdf)
        .output()
        .unwrap_or_else(|e| panic!("`mutool` could not be run ({e}); install mupdf-tools"));
    assert!(
        output.status.success(),
        "mutool trace failed on {}",
        pdf.display()
    );
    let xml = String::from_utf8_lossy(&output.stdout);
    let mut reader = Reader::from_str(&xml);
    let mut pages: Vec<Vec<(f32, f32, f32)>> = Vec::new();
    let mut path: Option<(f32, f32, f32, f32)> = None;
    let mut m = [1.0f32, 0.0, 0.0, 1.0, 0.0, 0.0];
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let num = |name: &str| -> Option<f32> {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == name)
                        .and_then(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()
                                .and_then(|v| v.parse().ok())
                        })
                };
                match e.name().as_ref() {
                    "page" => pages.push(Vec::new()),
                    "fill_path" => {
                        path = Some((f32::MAX, f32::MAX, f32::MIN, f32::MIN));
                        // The path's coordinates go to the page (top-left
                        // origin) through its transform.
                        let t: Vec<f32> = e
                            .attributes()
                            .flatten()
                            .find(|a| a.key.as_ref() == "transform")
                            .and_then(|a| {
                                a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok()
                            })
                            .map(|v| {
                                v.split_whitespace()
                                    .filter_map(|n| n.parse().ok())
                                    .collect()
                            })
                            .unwrap_or_default();
                        if t.len() == 6 {
                            m = [t[0], t[1], t[2], t[3], t[4], t[5]];
                        }
                    }
                    _ => {
                        if let Some(b) = path.as_mut() {
                            for (xn, yn) in [("x", "y"), ("x1", "y1"), ("x2", "y2"), ("x3", "y3")] {
                                if let (Some(px), Some(py)) = (num(xn), num(yn)) {
                                    let x = m[0] * px + m[2] * py + m[4];
                                    let y = m[1] * px + m[3] * py + m[5];
                                    b.0 = b.0.min(x);
                                    b.1 = b.1.min(y);
                                    b.2 = b.2.max(x);
                                    b.3 = b.3.max(y);
                                }
                            }
                        }
                    }
                }
            }
            Ok(Event::End(e)) if e.name().as_ref() == "fill_path" => {
                if let (Some(b), Some(page)) = (path.take(), pages.last_mut()) {
                    let size = (b.2 - b.0).max(b.3 - b.1);
                    if b.0 <= b.2 && size < 3.0 {
                        page.push(((b.0 + b.2) / 2.0, (b.1 + b.3) / 2.0, size));
                    }
                }
            }
            Ok(Event::Eof) => break,
            Err(e) => panic!("MuPDF's trace is not XML: {e}"),
            _ => {}
        }
    }
    pages
}
