//! The laid-out book (the [`PagedBook`] the PDF is written from) as an
//! OFD [`Package`]: nothing is typeset again and no source is read again;
//! the metadata, the outline, the date and the images are the book's.
//!
//! Each run of a line (one face, size and baseline, as the PDF draws it)
//! becomes a text object with the run's exact text and the x of every
//! character; rules, leader dots and emphasis dots become path objects;
//! images become image objects; link areas become actions on the text
//! objects they cover; the table of contents becomes the outline.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use crate::diag::{Diagnostic, Failure, Severity};
use crate::export::epub::fonts::subset_fonts;
use crate::export::epub::xml::UsedChars;
use crate::fonts::{Face, FontSet};
use crate::model::TocEntry;
use crate::resolve::{BookTime, ImageFormat};
use crate::typeset::layout::{leader_dots, Item, Line, LinkTarget};
use crate::typeset::{Layout, PagedBook};

use super::package::{
    Action, DocInfo, FontRes, ImageObject, ImageRes, Object, OutlineItem, Package, Page,
    PathObject, PathOp, TextObject,
};
use super::Profile;

/// Millimetres per point.
const MM: f32 = 25.4 / 72.0;

/// Builds the package of `layout`, with the timestamp for its zip entries.
/// `fonts` are the book's fonts, of which the faces drawn are subset.
pub fn package(
    layout: &PagedBook,
    fonts: &FontSet,
    profile: Profile,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(Package, Option<zip::DateTime>), Failure> {
    let mut problems: Vec<String> = Vec::new();
    let (font_res, font_of_face) = embed_fonts(fonts, layout)?;
    for (face, res) in font_of_face.iter().enumerate() {
        if let Some(res) = res {
            if font_res[*res].file.is_none() {
                let family = layout.faces.get(face).map_or("", |f| f.family.as_str());
                let message = format!("the font `{family}` is not embedded: it is not one of the book's fonts but a system font used for characters the book's fonts lack");
                if profile == Profile::Archive {
                    problems.push(message);
                } else {
                    diagnostics.push(Diagnostic::new(Severity::Warning, None, message));
                }
            }
        }
    }
    let alternates = alternate_glyphs(layout);
    if alternates > 0 {
        diagnostics.push(Diagnostic::new(
            Severity::Note,
            None,
            format!("{alternates} glyph(s) chosen by shaping are not their character's default glyph; OFD readers draw the default glyph"),
        ));
    }
    let notdef = missing_glyph_chars(layout);
    if profile == Profile::Archive && !notdef.is_empty() {
        problems.push(format!(
            "no font has a glyph for {notdef}; OFD/A needs every character drawn from an embedded font"
        ));
    }

    let places = layout.link_places();
    // Each image once, in order of first use: the layout shares one
    // image's bytes among the places that show it.
    let mut image_res: Vec<ImageRes> = Vec::new();
    let mut image_of: Vec<Arc<Vec<u8>>> = Vec::new();
    let mut pages = Vec::with_capacity(layout.pages.len());
    for page in &layout.pages {
        let mut objects = Vec::new();
        let mut links = Vec::new();
        for item in &page.items {
            match item {
                Item::Line(line) => text_objects(line, &font_of_face, &mut objects),
                Item::Rule {
                    x0,
                    y0,
                    x1,
                    y1,
                    width,
                } => objects.push(Object::Path(PathObject {
                    ops: vec![
                        PathOp::Move(x0 * MM, y0 * MM),
                        PathOp::Line(x1 * MM, y1 * MM),
                    ],
                    stroke: Some(width * MM),
                    fill: false,
                })),
                Item::Leader { x0, x1, y, step, r } => {
                    let mut ops = Vec::new();
                    for x in leader_dots(*x0, *x1, *step) {
                        circle(&mut ops, x * MM, y * MM, r * MM);
                    }
                    if !ops.is_empty() {
                        objects.push(Object::Path(PathObject {
                            ops,
                            stroke: None,
                            fill: true,
                        }));
                    }
                }
                Item::Dot { x, y, r } => {
                    let mut ops = Vec::new();
                    circle(&mut ops, x * MM, y * MM, r * MM);
                    objects.push(Object::Path(PathObject {
                        ops,
                        stroke: None,
                        fill: true,
                    }));
                }
                Item::Image {
                    image,
                    x,
                    y,
                    width,
                    height,
                    ..
                } => {
                    let index = match image_of.iter().position(|b| Arc::ptr_eq(b, &image.bytes)) {
                        Some(index) => index,
                        None => {
                            let (format, ext) = match image.format {
                                ImageFormat::Png => ("PNG", "png"),
                                ImageFormat::Jpeg => ("JPEG", "jpg"),
                            };
                            image_of.push(image.bytes.clone());
                            image_res.push(ImageRes {
                                format,
                                file: format!("image_{}.{ext}", image_res.len() + 1),
                                data: image.bytes.as_ref().clone(),
                            });
                            image_res.len() - 1
                        }
                    };
                    objects.push(Object::Image(ImageObject {
                        image: index,
                        x: x * MM,
                        y: y * MM,
                        width: width * MM,
                        height: height * MM,
                    }));
                }
                Item::Link {
                    x0,
                    y0,
                    x1,
                    y1,
                    target,
                } => {
                    let action = match target {
                        // A link out of the package is an external
                        // reference, which the archive profile excludes:
                        // the text stays, the action goes.
                        LinkTarget::Url(_) if profile == Profile::Archive => None,
                        LinkTarget::Url(url) => Some(Action::Uri(url.clone())),
                        other => places.get(other).map(|&(page, left, top)| Action::Goto {
                            page,
                            left: left * MM,
                            top: top * MM,
                        }),
                    };
                    if let Some(action) = action {
                        links.push(([x0 * MM, y0 * MM, x1 * MM, y1 * MM], action));
                    }
                }
                Item::Anchor { .. } | Item::PageRef { .. } => {}
            }
        }
        attach_links(&mut objects, &links);
        pages.push(Page { objects });
    }

    let date = creation_date(layout.created);
    let m = layout
        .metadata
        .as_deref()
        .ok_or_else(|| super::failure("the laid-out book has no metadata".into()))?;
    if profile == Profile::Archive {
        if m.title.trim().is_empty() {
            problems.push("the book has no title: set [book] title".into());
        }
        if m.authors.is_empty() {
            problems.push("the book has no author: set [book] authors".into());
        }
        if date.is_none() {
            problems.push("the book has no fixed creation date: set [book] date (YYYY-MM-DD) or SOURCE_DATE_EPOCH".into());
        }
    }
    if !problems.is_empty() {
        return Err(Failure {
            diagnostics: problems
                .into_iter()
                .map(|p| {
                    Diagnostic::new(
                        Severity::Error,
                        None,
                        format!("the OFD cannot conform to OFD/A: {p}"),
                    )
                    .with_hint("fix the book, or build with `--ofd-profile plain`")
                })
                .collect(),
        });
    }
    let mut custom = vec![
        ("Identifier".to_string(), m.identifier.clone()),
        ("Language".to_string(), m.language.clone()),
    ];
    for (name, value) in [
        ("Publisher", &m.publisher),
        ("Edition", &m.edition),
        ("Rights", &m.rights),
    ] {
        if let Some(value) = value {
            custom.push((name.to_string(), value.clone()));
        }
    }
    if profile == Profile::Archive {
        custom.push(("Conformance".to_string(), "GB/T 42133-2022".to_string()));
    }
    let info = DocInfo {
        doc_id: uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, m.identifier.as_bytes())
            .simple()
            .to_string(),
        title: m.title.clone(),
        author: (!m.authors.is_empty()).then(|| m.authors.join("、")),
        subject: m.subtitle.clone(),
        abstract_: m.description.clone(),
        creation_date: date.map(|(y, mo, d)| format!("{y:04}-{mo:02}-{d:02}")),
        keywords: m.keywords.clone(),
        creator: "inkstone".into(),
        creator_version: env!("CARGO_PKG_VERSION").into(),
        custom,
    };
    let zip_time =
        date.and_then(|(y, mo, d)| zip::DateTime::from_date_and_time(y, mo, d, 0, 0, 0).ok());
    let package = Package {
        info,
        width: layout.width * MM,
        height: layout.height * MM,
        fonts: font_res,
        images: image_res,
        pages,
        outline: outline(&places, &layout.outline),
    };
    Ok((package, zip_time))
}

/// Subsets the faces the layout draws with, as the EPUB does, and gives
/// each face of `book` its font resource. A face that is not one of the
/// book's fonts (a system fallback) is named, not embedded.
#[allow(clippy::type_complexity)]
fn embed_fonts(
    fonts: &FontSet,
    layout: &Layout,
) -> Result<(Vec<FontRes>, Vec<Option<usize>>), Failure> {
    let same = |a: &Face, b: &Face| a.family == b.family && a.bold == b.bold && a.index == b.index;
    let mut used = UsedChars::default();
    let mut drawn = vec![false; layout.faces.len()];
    for page in &layout.pages {
        for item in &page.items {
            let Item::Line(line) = item else { continue };
            // Every character of a run's text, glyph or not, goes to the
            // run's face: the text objects carry them all.
            for (glyph_range, text_range) in runs(line) {
                let g = &line.set.glyphs[glyph_range.start];
                let Some(face) = layout.faces.get(g.face as usize) else {
                    continue;
                };
                for k in glyph_range {
                    if let Some(d) = drawn.get_mut(line.set.glyphs[k].face as usize) {
                        *d = true;
                    }
                }
                let chars = line.set.text.get(text_range).unwrap_or("");
                let set = if fonts.body.iter().any(|f| same(f, face)) {
                    &mut used.body
                } else if fonts.body_bold.iter().any(|f| same(f, face)) {
                    &mut used.bold
                } else if fonts.heading.iter().any(|f| same(f, face)) {
                    &mut used.heading
                } else if fonts.fallback.iter().any(|f| same(f, face)) {
                    // A system face chosen for characters the book's faces
                    // lack: the subsetting gives them to it.
                    &mut used.body
                } else {
                    continue;
                };
                for c in chars.chars() {
                    set.insert(c);
                }
            }
        }
    }
    let embedded = subset_fonts(fonts, &used)?;
    let mut res: Vec<FontRes> = Vec::new();
    let mut of_face = vec![None; layout.faces.len()];
    for (index, face) in layout.faces.iter().enumerate() {
        if !drawn[index] {
            continue;
        }
        if let Some(existing) = res
            .iter()
            .position(|r| r.family_name == face.family && r.bold == face.bold)
        {
            of_face[index] = Some(existing);
            continue;
        }
        let file = embedded
            .iter()
            .find(|e| e.family == face.family && e.bold == face.bold)
            .map(|e| {
                let name = e.href.rsplit('/').next().unwrap_or(&e.href).to_string();
                (name, e.data.clone())
            });
        of_face[index] = Some(res.len());
        res.push(FontRes {
            font_name: face.family.clone(),
            family_name: face.family.clone(),
            bold: face.bold,
            serif: face.family.contains("Serif") || face.family.contains("宋"),
            file,
        });
    }
    Ok((res, of_face))
}

/// How many glyphs of single characters differ from the glyph the face's
/// `cmap` gives that character (an alternate chosen by shaping): OFD text
/// carries characters, and readers draw the `cmap` glyph.
fn alternate_glyphs(layout: &Layout) -> usize {
    let parsed: Vec<Option<rustybuzz::ttf_parser::Face<'_>>> = layout
        .faces
        .iter()
        .map(|f| rustybuzz::ttf_parser::Face::parse(f.bytes(), f.index).ok())
        .collect();
    let mut count = 0;
    for page in &layout.pages {
        for item in &page.items {
            let Item::Line(line) = item else { continue };
            for g in &line.set.glyphs {
                let text = line
                    .set
                    .text
                    .get(g.text.start as usize..g.text.end as usize)
                    .unwrap_or("");
                let mut chars = text.chars();
                if let (Some(c), None) = (chars.next(), chars.next()) {
                    let default = parsed
                        .get(g.face as usize)
                        .and_then(Option::as_ref)
                        .and_then(|f| f.glyph_index(c))
                        .map(|id| id.0);
                    if g.id != 0 && default != Some(g.id) {
                        count += 1;
                    }
                }
            }
        }
    }
    count
}

/// Characters drawn with the missing-glyph glyph, each once.
fn missing_glyph_chars(layout: &Layout) -> String {
    let mut out = String::new();
    for page in &layout.pages {
        for item in &page.items {
            let Item::Line(line) = item else { continue };
            for g in line.set.glyphs.iter().filter(|g| g.id == 0) {
                let text = line
                    .set
                    .text
                    .get(g.text.start as usize..g.text.end as usize)
                    .unwrap_or("");
                for c in text.chars() {
                    if !c.is_whitespace() && !out.contains(c) {
                        out.push(c);
                    }
                }
            }
        }
    }
    out
}

/// One text object per run of `line` (one face, size and baseline), with
/// the run's text: from its first glyph's characters up to the next run's,
/// so that characters without a glyph of their own (a space at the end of
/// a line) stay in the text.
fn text_objects(line: &Line, font_of_face: &[Option<usize>], out: &mut Vec<Object>) {
    let glyphs = &line.set.glyphs;
    let text = &line.set.text;
    for (glyph_range, text_range) in runs(line) {
        let (start, end) = (glyph_range.start, glyph_range.end);
        let (from, to) = (text_range.start, text_range.end);
        let first = &glyphs[start];
        let run_text = text.get(from..to).unwrap_or("");
        let run = &glyphs[start..end];
        let mut xs = Vec::new();
        let mut kept = String::new();
        let mut last_end = first.x;
        for (offset, c) in run_text.char_indices() {
            let at = (from + offset) as u32;
            let x = match run.iter().find(|g| g.text.start <= at && at < g.text.end) {
                Some(g) => {
                    // Characters sharing a glyph (a ligature) share its
                    // advance.
                    let cluster = text
                        .get(g.text.start as usize..g.text.end as usize)
                        .unwrap_or("");
                    let n = cluster.chars().count().max(1);
                    let k = cluster
                        .char_indices()
                        .position(|(o, _)| g.text.start as usize + o == at as usize)
                        .unwrap_or(0);
                    last_end = last_end.max(g.x + g.advance);
                    g.x + g.advance * k as f32 / n as f32
                }
                None => last_end,
            };
            kept.push(c);
            xs.push((line.x + x) * MM);
        }
        let last = &run[run.len() - 1];
        let Some(Some(font)) = font_of_face.get(first.face as usize) else {
            continue;
        };
        if !kept.is_empty() {
            let x0 = xs[0];
            out.push(Object::Text(TextObject {
                font: *font,
                size: first.size * MM,
                baseline: (line.baseline - first.y) * MM,
                text: kept,
                width: ((line.x + last.x + last.advance) * MM - x0).max(0.0),
                xs,
                action: None,
            }));
        }
    }
}

/// The runs of `line` as PDF draws them (one face, size and baseline):
/// the range of each run's glyphs and of its text, from its first glyph's
/// characters up to the next run's (the last run to the end of the line).
fn runs(line: &Line) -> Vec<(Range<usize>, Range<usize>)> {
    let glyphs = &line.set.glyphs;
    let len = line.set.text.len();
    let mut out = Vec::new();
    let mut from = 0usize;
    for run in line.runs() {
        let to = match glyphs.get(run.end) {
            Some(next) => (next.text.start as usize).clamp(from, len),
            None => len,
        };
        out.push((run, from..to));
        from = to;
    }
    out
}

/// Gives the characters of text objects that lie in a link area that
/// link's action: an object partly inside is split into the part before,
/// the part inside and the part after, so that only the linked words
/// carry the action.
fn attach_links(objects: &mut Vec<Object>, links: &[([f32; 4], Action)]) {
    if links.is_empty() {
        return;
    }
    let mut out = Vec::with_capacity(objects.len());
    for object in objects.drain(..) {
        let Object::Text(t) = object else {
            out.push(object);
            continue;
        };
        let cy = t.baseline - t.size * 0.4;
        let n = t.xs.len();
        // The link of each character, by the middle of its advance.
        let link_of = |i: usize| -> Option<usize> {
            let next = t.xs.get(i + 1).copied().unwrap_or(t.xs[0] + t.width);
            let cx = (t.xs[i] + next) / 2.0;
            links.iter().position(|([a, b, c, d], _)| {
                a.min(*c) <= cx && cx <= a.max(*c) && b.min(*d) <= cy && cy <= b.max(*d)
            })
        };
        let chars: Vec<char> = t.text.chars().collect();
        let marks: Vec<Option<usize>> = (0..n.min(chars.len())).map(link_of).collect();
        if marks.iter().all(Option::is_none) {
            out.push(Object::Text(t));
            continue;
        }
        let end = t.xs[0] + t.width;
        let mut i = 0;
        while i < marks.len() {
            let mut j = i + 1;
            while j < marks.len() && marks[j] == marks[i] {
                j += 1;
            }
            let piece_end = t.xs.get(j).copied().unwrap_or(end);
            out.push(Object::Text(TextObject {
                font: t.font,
                size: t.size,
                baseline: t.baseline,
                text: chars[i..j].iter().collect(),
                xs: t.xs[i..j].to_vec(),
                width: (piece_end - t.xs[i]).max(0.0),
                action: marks[i].map(|k| links[k].1.clone()),
            }));
            i = j;
        }
    }
    *objects = out;
}

/// The outline: the table of contents' tree, each entry going to its
/// heading; entries whose heading is not set are left out with their
/// sub-entries. Headings have at most six levels, so the depth of the
/// recursion is bounded by the model.
fn outline(places: &HashMap<LinkTarget, (usize, f32, f32)>, toc: &[TocEntry]) -> Vec<OutlineItem> {
    toc.iter()
        .filter_map(|entry| {
            let &(page, left, top) = places.get(&LinkTarget::Heading(entry.id.clone()))?;
            Some(OutlineItem {
                title: entry.title.clone(),
                dest: Action::Goto {
                    page,
                    left: left * MM,
                    top: top * MM,
                },
                children: outline(places, &entry.children),
            })
        })
        .collect()
}

/// A circle from four cubic arcs.
fn circle(ops: &mut Vec<PathOp>, cx: f32, cy: f32, r: f32) {
    const K: f32 = 0.552_284_8;
    let k = r * K;
    ops.push(PathOp::Move(cx + r, cy));
    ops.push(PathOp::Cubic(cx + r, cy + k, cx + k, cy + r, cx, cy + r));
    ops.push(PathOp::Cubic(cx - k, cy + r, cx - r, cy + k, cx - r, cy));
    ops.push(PathOp::Cubic(cx - r, cy - k, cx - k, cy - r, cx, cy - r));
    ops.push(PathOp::Cubic(cx + k, cy - r, cx + r, cy - k, cx + r, cy));
    ops.push(PathOp::Close);
}

/// The creation date, to the day: the book's time (`SOURCE_DATE_EPOCH`,
/// else the book's date, a missing month or day taken as the first), as
/// resolve parsed it.
fn creation_date(created: Option<BookTime>) -> Option<(u16, u8, u8)> {
    let date = created?.civil().date();
    Some((
        u16::try_from(date.year()).ok()?,
        u8::try_from(date.month()).ok()?,
        u8::try_from(date.day()).ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::justify::{PlacedGlyph, SetLine};
    use crate::typeset::layout::LineKind;

    fn glyph(face: u16, x: f32, size: f32, text: Range<u32>) -> PlacedGlyph {
        PlacedGlyph {
            face,
            id: 5,
            x,
            y: 0.0,
            size,
            advance: size,
            text,
            style: 0,
        }
    }

    /// "讲 fi①": a space with no glyph, a ligature of two characters, and
    /// a raised mark in another size.
    fn line() -> Line {
        let text = "讲 fi①".to_string();
        Line {
            x: 72.0,
            baseline: 144.0,
            measure: 300.0,
            set: SetLine {
                glyphs: vec![
                    glyph(0, 0.0, 10.0, 0..3),
                    glyph(0, 15.0, 10.0, 4..6),
                    glyph(0, 25.0, 5.0, 6..9),
                ],
                text,
                start: 0.0,
                end: 30.0,
                source: 0..9,
            },
            justified: false,
            kind: LineKind::Body,
            tag: Some(1),
        }
    }

    #[test]
    fn runs_keep_every_character_at_its_place() {
        let mut out = Vec::new();
        text_objects(&line(), &[Some(0)], &mut out);
        let texts: Vec<(String, Vec<f32>)> = out
            .iter()
            .map(|o| match o {
                Object::Text(t) => (t.text.clone(), t.xs.iter().map(|x| x / MM).collect()),
                _ => panic!("not text"),
            })
            .collect();
        assert_eq!(texts.len(), 2);
        // The space sits where the first glyph ends; f and i share the
        // ligature's advance.
        assert_eq!(texts[0].0, "讲 fi");
        let xs: Vec<i32> = texts[0].1.iter().map(|x| x.round() as i32).collect();
        assert_eq!(xs, [72, 82, 87, 92]);
        assert_eq!(texts[1].0, "①");
    }

    #[test]
    fn links_split_text_objects() {
        let mut objects = Vec::new();
        text_objects(&line(), &[Some(0)], &mut objects);
        // A link over "fi" only (in millimetres).
        let area = [86.0 * MM, 130.0 * MM, 97.0 * MM, 146.0 * MM];
        attach_links(&mut objects, &[(area, Action::Uri("u".into()))]);
        let parts: Vec<(String, bool)> = objects
            .iter()
            .map(|o| match o {
                Object::Text(t) => (t.text.clone(), t.action.is_some()),
                _ => panic!("not text"),
            })
            .collect();
        assert_eq!(
            parts,
            [
                ("讲 ".to_string(), false),
                ("fi".to_string(), true),
                ("①".to_string(), false)
            ]
        );
    }
}
