//! Writing the laid-out book with krilla: subset CID fonts with ToUnicode
//! maps, text as real text, a tag tree, links (URLs, contents entries,
//! footnotes and back), the outline, page labels and the metadata.
//!
//! Each line is one marked-content span whose ActualText is the line's
//! exact source text. Text extraction then reads the line as written: the
//! 1/4 em CJK-Latin gap and the spread of a justified line are positions,
//! and extractors that guess spaces from gaps (poppler inserts one where
//! two glyphs are more than about a tenth of an em apart) have nothing to
//! guess; a deliberate space from the source is in the text exactly once.

use std::collections::HashMap;
use std::num::{NonZeroU16, NonZeroU32};

use krilla::action::LinkAction;
use krilla::annotation::{LinkAnnotation, Target};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::{NumberingStyle, PageLabel, PageSettings};
use krilla::paint::{Fill, LineCap, Stroke, StrokeDash};
use krilla::surface::Surface;
use krilla::tagging::{
    ArtifactType, ContentTag, Identifier, ListNumbering, SpanTag, TableHeaderScope, Tag, TagGroup,
    TagKind, TagTree,
};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Document, SerializeSettings};

use super::layout::{Item, Line, LineKind, LinkTarget, TagChild, TagNode, TagSpec};
use super::linebreak::Class;
use super::paginate::Layout;
use super::shape::FontBook;
use super::spans::{move_spans_into_text, RUN_SEPARATOR};
use crate::diag::{Diagnostic, Failure, Severity};
use crate::model::{Document as Book, TocEntry};

/// Writes `layout` as PDF bytes.
pub fn write_pdf(
    layout: &Layout,
    book: &FontBook<'_>,
    doc: &Book,
    options: &super::PdfOptions,
) -> Result<Vec<u8>, Failure> {
    let settings = SerializeSettings {
        configuration: options.standard.configuration()?,
        enable_tagging: true,
        // The document information dictionary has no field for the
        // language; the XMP packet has (`dc:language`), and it is what
        // archives and `pdfinfo -meta` read.
        xmp_metadata: true,
        // Content streams are compressed once, by the span pass that
        // rewrites them anyway (see `spans`).
        compress_content_streams: false,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    let mut fonts: Vec<Option<Font>> = vec![None; book.faces.len()];
    let mut ids: HashMap<(usize, u32), Identifier> = HashMap::new();
    let size = Size::from_wh(layout.width, layout.height)
        .ok_or_else(|| failure("the page size is not valid".into()))?;
    let places = layout.link_places();
    for (page_index, page_layout) in layout.pages.iter().enumerate() {
        let number = page_layout.number;
        let label = PageLabel::new(
            Some(if number.roman {
                NumberingStyle::LowerRoman
            } else {
                NumberingStyle::Arabic
            }),
            None,
            NonZeroU32::new(number.value),
        );
        let mut page = document.start_page_with(PageSettings::new(size).with_page_label(label));
        let mut links = Vec::new();
        {
            let mut surface = page.surface();
            surface.set_location(crate::standard::page_location(page_index));
            for item in &page_layout.items {
                match item {
                    Item::Line(line) => {
                        let id = draw_line(&mut surface, line, book, &mut fonts)?;
                        if let (Some(tag), Some(tree), Some(id)) = (line.tag, page_layout.tree, id)
                        {
                            ids.insert((tree, tag), id);
                        }
                    }
                    Item::Rule {
                        x0,
                        y0,
                        x1,
                        y1,
                        width,
                    } => {
                        let mut pb = PathBuilder::new();
                        pb.move_to(*x0, *y0);
                        pb.line_to(*x1, *y1);
                        if let Some(path) = pb.finish() {
                            stroke(
                                &mut surface,
                                &path,
                                Stroke {
                                    width: *width,
                                    ..Stroke::default()
                                },
                            );
                        }
                    }
                    Item::Leader { x0, x1, y, step, r } => {
                        // One dashed line with round caps and dashes of
                        // length 0 draws the dots: a few bytes for a row
                        // that would otherwise be dozens of circles.
                        let first = (x0 / step).ceil() * step;
                        let last = (x1 / step).floor() * step;
                        if last < first {
                            continue;
                        }
                        let mut pb = PathBuilder::new();
                        pb.move_to(first, *y);
                        pb.line_to(last + 0.01, *y);
                        if let Some(path) = pb.finish() {
                            stroke(
                                &mut surface,
                                &path,
                                Stroke {
                                    width: 2.0 * r,
                                    line_cap: LineCap::Round,
                                    dash: Some(StrokeDash {
                                        array: vec![0.0, *step],
                                        offset: 0.0,
                                    }),
                                    ..Stroke::default()
                                },
                            );
                        }
                    }
                    Item::Dot { x, y, r } => {
                        if let Some(path) = circle(*x, *y, *r) {
                            surface.start_tagged(ContentTag::Artifact(
                                krilla::tagging::Artifact::with_kind(ArtifactType::Other),
                            ));
                            surface.draw_path(&path);
                            surface.end_tagged();
                        }
                    }
                    Item::Image {
                        image,
                        x,
                        y,
                        width,
                        height,
                        tag,
                    } => {
                        let Some(size) = Size::from_wh(*width, *height) else {
                            continue;
                        };
                        let id = match tag {
                            Some(_) => Some(surface.start_tagged(ContentTag::Other)),
                            None => {
                                surface.start_tagged(ContentTag::Artifact(
                                    krilla::tagging::Artifact::with_kind(ArtifactType::Other),
                                ));
                                None
                            }
                        };
                        surface.push_transform(&Transform::from_translate(*x, *y));
                        surface.draw_image(image.clone(), size);
                        surface.pop();
                        surface.end_tagged();
                        if let (Some(tag), Some(tree), Some(id)) = (tag, page_layout.tree, id) {
                            ids.insert((tree, *tag), id);
                        }
                    }
                    Item::Link {
                        x0,
                        y0,
                        x1,
                        y1,
                        target,
                    } => {
                        let target = match target {
                            LinkTarget::Url(url) => {
                                Some(Target::Action(LinkAction::new(url.clone()).into()))
                            }
                            other => places.get(other).map(|&(page, x, y)| {
                                Target::Destination(
                                    XyzDestination::new(page, Point::from_xy(x, y)).into(),
                                )
                            }),
                        };
                        if let (Some(rect), Some(target)) =
                            (Rect::from_ltrb(*x0, *y0, *x1, *y1), target)
                        {
                            let alt = crate::standard::link_alt(target_of(item), doc);
                            links.push((rect, target, alt));
                        }
                    }
                    // Anchors are only places; page references were
                    // written in by `running`.
                    Item::Anchor { .. } | Item::PageRef { .. } => {}
                }
            }
            surface.finish();
        }
        for (rect, target, alt) in links {
            page.add_annotation(krilla::annotation::Annotation::new_link(
                LinkAnnotation::new(rect, target),
                Some(alt),
            ));
        }
        page.finish();
    }

    let mut tree = TagTree::new().with_lang(Some(doc.metadata.language.clone()));
    for (index, nodes) in layout.tags.iter().enumerate() {
        if let Some(group) = tag_group(nodes, 0, index, &mut ids) {
            tree.push(group);
        }
    }
    document.set_tag_tree(tree);
    document.set_outline(outline(&places, &doc.toc));
    let meta = metadata(doc, options);
    crate::standard::embed_sources(&mut document, &options.attachments, meta.creation_date);
    document.set_metadata(meta.metadata);
    let bytes = document.finish().map_err(|e| match e {
        krilla::error::KrillaError::Validation(errors) => {
            let errors: Vec<_> = errors.into_iter().map(|(e, _)| e).collect();
            let pages = crate::standard::page_places(layout, doc);
            crate::standard::validation_failure(
                &errors,
                &options.standard,
                &pages,
                &doc.settings.base_dir,
            )
        }
        e => failure(format!("the PDF could not be written: {e:?}")),
    })?;
    move_spans_into_text(&bytes)
        .ok_or_else(|| failure("the PDF's text spans could not be placed".into()))
}

fn target_of(item: &Item) -> Option<&LinkTarget> {
    match item {
        Item::Link { target, .. } => Some(target),
        _ => None,
    }
}

/// Strokes `path` as a layout artifact.
fn stroke(surface: &mut Surface<'_>, path: &krilla::geom::Path, stroke: Stroke) {
    surface.start_tagged(ContentTag::Artifact(krilla::tagging::Artifact::with_kind(
        ArtifactType::Other,
    )));
    surface.set_fill(None);
    surface.set_stroke(Some(stroke));
    surface.draw_path(path);
    surface.set_stroke(None);
    surface.set_fill(Some(Fill::default()));
    surface.end_tagged();
}

fn failure(message: String) -> Failure {
    Failure::new(Diagnostic::new(Severity::Error, None, message))
}

/// Draws one line as a span, with its exact text as ActualText when the
/// glyphs alone could be misread.
fn draw_line(
    surface: &mut Surface<'_>,
    line: &Line,
    book: &FontBook<'_>,
    fonts: &mut [Option<Font>],
) -> Result<Option<Identifier>, Failure> {
    if line.set.glyphs.is_empty() {
        return Ok(None);
    }
    let id = match line.tag {
        Some(_) => {
            // The texts of the line's runs, split where the runs split;
            // `spans` moves each part into its run's text object.
            let actual = needs_actual_text(line).then(|| run_texts(line));
            Some(surface.start_tagged(ContentTag::Span(
                SpanTag::empty().with_actual_text(actual.as_deref()),
            )))
        }
        None => {
            let kind = match line.kind {
                LineKind::Head => ArtifactType::Header,
                LineKind::Folio => ArtifactType::Footer,
                _ => ArtifactType::Other,
            };
            surface.start_tagged(ContentTag::Artifact(krilla::tagging::Artifact::with_kind(
                kind,
            )));
            None
        }
    };
    let glyphs = &line.set.glyphs;
    let mut run: Vec<KrillaGlyph> = Vec::with_capacity(glyphs.len());
    let mut start = 0;
    while start < glyphs.len() {
        let first = &glyphs[start];
        let mut end = start + 1;
        while end < glyphs.len()
            && glyphs[end].face == first.face
            && glyphs[end].size == first.size
            && glyphs[end].y == first.y
        {
            end += 1;
        }
        let font = font_for(first.face, book, fonts)?;
        let loaded = book.face(first.face);
        run.clear();
        // Positions in em from the run start, rounded so that each TJ
        // adjustment is a whole thousandth of an em (at most 0.0005 em off,
        // never accumulating): integers compress far better than floats.
        let mut quantized = 0.0f32;
        for k in start..end {
            let g = &glyphs[k];
            let font_width = loaded
                .face
                .glyph_hor_advance(rustybuzz::ttf_parser::GlyphId(g.id))
                .map_or(g.advance / g.size, |w| f32::from(w) / loaded.units_per_em);
            let target_next = if k + 1 < end {
                (glyphs[k + 1].x - first.x) / g.size
            } else {
                (g.x - first.x + g.advance) / g.size
            };
            let adjust = ((target_next - quantized - font_width) * 1000.0).round() / 1000.0;
            let advance = font_width + adjust;
            quantized += advance;
            run.push(KrillaGlyph::new(
                GlyphId::new(u32::from(g.id)),
                advance,
                0.0,
                0.0,
                0.0,
                g.text.start as usize..g.text.end as usize,
                None,
            ));
        }
        surface.draw_glyphs(
            Point::from_xy(line.x + first.x, line.baseline - first.y),
            &run,
            font,
            &line.set.text,
            first.size,
            false,
        );
        start = end;
    }
    surface.end_tagged();
    Ok(id)
}

/// Whether a line needs its text spelled out. Extractors infer spaces
/// from gaps (poppler: more than a tenth of the font size) and drop them
/// at line ends; a line of Han characters and CJK marks in one size, with
/// no gap wider than 0.05 em, reads correctly from its glyphs and their
/// ToUnicode map alone. Latin text with its 1/4 em gaps, spaces, dashes,
/// raised marks and wide spreading get the exact text.
fn needs_actual_text(line: &Line) -> bool {
    let set = &line.set;
    let plain = set.text.chars().all(|c| {
        matches!(
            Class::of(c),
            Class::Ideo | Class::Open | Class::Close | Class::Stop | Class::Middle
        )
    });
    !plain
        || set.glyphs.windows(2).any(|w| {
            let gap = w[1].x - (w[0].x + w[0].advance);
            w[0].size != w[1].size || w[0].y != w[1].y || gap > 0.05 * w[0].size
        })
}

/// The line's text with [`RUN_SEPARATOR`] between the parts drawn by
/// each run (a run: one face, size and baseline).
fn run_texts(line: &Line) -> String {
    let glyphs = &line.set.glyphs;
    let text = &line.set.text;
    let mut out = String::with_capacity(text.len() + 8);
    let mut from = 0usize;
    for k in 1..glyphs.len() {
        let (a, b) = (&glyphs[k - 1], &glyphs[k]);
        if a.face != b.face || a.size != b.size || a.y != b.y {
            let to = (b.text.start as usize).clamp(from, text.len());
            out.push_str(text.get(from..to).unwrap_or(""));
            out.push(RUN_SEPARATOR);
            from = to;
        }
    }
    out.push_str(text.get(from..).unwrap_or(""));
    out
}

fn font_for(face: u16, book: &FontBook<'_>, fonts: &mut [Option<Font>]) -> Result<Font, Failure> {
    let slot = &mut fonts[face as usize];
    if let Some(font) = slot {
        return Ok(font.clone());
    }
    let source = &book.face(face).source;
    let font = Font::new(source.data.clone().into(), source.index).ok_or_else(|| {
        failure(format!(
            "the font `{}` cannot be embedded in a PDF",
            source.family
        ))
    })?;
    *slot = Some(font.clone());
    Ok(font)
}

/// A circle from four cubic arcs.
fn circle(cx: f32, cy: f32, r: f32) -> Option<krilla::geom::Path> {
    const K: f32 = 0.552_284_8;
    let k = r * K;
    let mut pb = PathBuilder::new();
    pb.move_to(cx + r, cy);
    pb.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
    pb.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
    pb.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
    pb.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
    pb.close();
    pb.finish()
}

fn tag_kind(spec: &TagSpec) -> TagKind {
    match spec {
        TagSpec::Section => Tag::Section.into(),
        TagSpec::Title => Tag::Title.into(),
        TagSpec::Heading(level, title) => Tag::Hn(
            NonZeroU16::new(u16::from(*level).max(1)).unwrap_or(NonZeroU16::MIN),
            Some(title.clone()),
        )
        .into(),
        TagSpec::P => Tag::P.into(),
        TagSpec::List(ordered) => Tag::L(if *ordered {
            ListNumbering::Decimal
        } else {
            ListNumbering::Disc
        })
        .into(),
        TagSpec::ListItem => Tag::LI.into(),
        TagSpec::Label => Tag::Lbl.into(),
        TagSpec::ListBody => Tag::LBody.into(),
        TagSpec::Quote => Tag::BlockQuote.into(),
        TagSpec::Table => Tag::Table.into(),
        TagSpec::Row => Tag::TR.into(),
        TagSpec::HeaderCell => Tag::TH(TableHeaderScope::Column).into(),
        TagSpec::Cell => Tag::TD.into(),
        TagSpec::Figure(alt) => Tag::Figure((!alt.trim().is_empty()).then(|| alt.clone())).into(),
        TagSpec::Caption => Tag::Caption.into(),
        TagSpec::Note => Tag::Note.into(),
        TagSpec::Code => Tag::Code.into(),
        TagSpec::Toc => Tag::TOC.into(),
        TagSpec::TocItem => Tag::TOCI.into(),
        TagSpec::Reference => Tag::Reference.into(),
    }
}

/// The tag group of `nodes[index]` (of tag tree `tree`), with the
/// identifiers drawn for its content; `None` when nothing of it was drawn.
fn tag_group(
    nodes: &[TagNode],
    index: usize,
    tree: usize,
    ids: &mut HashMap<(usize, u32), Identifier>,
) -> Option<TagGroup> {
    let node = &nodes[index];
    let mut group = TagGroup::new(tag_kind(&node.spec));
    let mut any = false;
    for child in &node.children {
        match child {
            TagChild::Node(k) => {
                if let Some(g) = tag_group(nodes, *k, tree, ids) {
                    group.push(g);
                    any = true;
                }
            }
            TagChild::Content(uid) => {
                if let Some(id) = ids.remove(&(tree, *uid)) {
                    group.push(id);
                    any = true;
                }
            }
        }
    }
    any.then_some(group)
}

/// The outline: the table of contents' tree, each entry pointing at its
/// heading. It opens at the top level, with its entries closed.
fn outline(places: &HashMap<LinkTarget, (usize, f32, f32)>, toc: &[TocEntry]) -> Outline {
    fn node(
        entry: &TocEntry,
        places: &HashMap<LinkTarget, (usize, f32, f32)>,
    ) -> Option<OutlineNode> {
        let &(page, x, y) = places.get(&LinkTarget::Heading(entry.id.clone()))?;
        let mut out = OutlineNode::new(
            entry.title.clone(),
            XyzDestination::new(page, Point::from_xy(x, y)),
        )
        .with_open(false);
        for child in &entry.children {
            if let Some(c) = node(child, places) {
                out.push_child(c);
            }
        }
        Some(out)
    }
    let mut outline = Outline::new();
    for entry in toc {
        if let Some(n) = node(entry, places) {
            outline.push_child(n);
        }
    }
    outline
}

/// Title, authors, language and so on; the date only from the book or
/// `SOURCE_DATE_EPOCH`, never from the clock, so that the same input gives
/// the same bytes.
fn metadata(doc: &Book, options: &super::PdfOptions) -> BookMetadata {
    let m = &doc.metadata;
    let mut meta = Metadata::new()
        .title(m.title.clone())
        .language(m.language.clone())
        .creator("inkstone".to_string())
        .document_id(m.identifier.clone());
    if !m.authors.is_empty() {
        meta = meta.authors(m.authors.clone());
    }
    if let Some(d) = &m.description {
        meta = meta.description(d.clone());
    }
    if !m.keywords.is_empty() {
        meta = meta.keywords(m.keywords.clone());
    }
    let date = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .map(date_from_epoch)
        .or_else(|| m.date.as_deref().and_then(parse_date));
    // PDF/A needs a date: the same fallback as the EPUB's.
    let date =
        date.or_else(|| (!options.standard.is_none()).then(|| DateTime::new(2000).month(1).day(1)));
    if let Some(date) = date {
        meta = meta.creation_date(date);
    }
    BookMetadata {
        metadata: meta,
        creation_date: date,
    }
}

/// krilla's metadata with the date it was given (krilla keeps it private;
/// attached files carry the same date).
struct BookMetadata {
    metadata: Metadata,
    creation_date: Option<DateTime>,
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
fn parse_date(s: &str) -> Option<DateTime> {
    let mut parts = s.split('-');
    let year: u16 = parts.next()?.trim().parse().ok()?;
    let mut date = DateTime::new(year);
    if let Some(month) = parts.next().and_then(|p| p.trim().parse::<u8>().ok()) {
        date = date.month(month);
        if let Some(day) = parts.next().and_then(|p| p.trim().parse::<u8>().ok()) {
            date = date.day(day);
        }
    }
    Some(date)
}

/// A UTC date from seconds since 1970 (civil-from-days).
fn date_from_epoch(secs: i64) -> DateTime {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    DateTime::new(year.clamp(0, 9999) as u16)
        .month(month as u8)
        .day(day as u8)
        .hour((rem / 3600) as u8)
        .minute((rem % 3600 / 60) as u8)
        .second((rem % 60) as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_dates() {
        // 2025-12-20T00:00:00Z
        let d = date_from_epoch(1_766_188_800);
        assert_eq!(
            format!("{d:?}"),
            format!(
                "{:?}",
                DateTime::new(2025)
                    .month(12)
                    .day(20)
                    .hour(0)
                    .minute(0)
                    .second(0)
                    .utc_offset_hour(0)
                    .utc_offset_minute(0)
            )
        );
    }
}
