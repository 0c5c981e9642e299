//! Writing the laid-out book with krilla: subset CID fonts with ToUnicode
//! maps, text as real text, a tag tree, links (URLs, contents entries,
//! footnotes and back), the outline, page labels and the metadata.
//!
//! Each line is one marked-content span (its structure leaf). Where the
//! glyphs alone could be misread, each glyph run of the line carries its
//! exact source text: all its glyphs are given the run's whole text range,
//! so krilla writes them as one cluster with that text as ActualText,
//! inside the run's own text object. Text extraction then reads the line
//! as written: the 1/4 em CJK-Latin gap and the spread of a justified
//! line are positions, and extractors that guess spaces from gaps
//! (poppler inserts one where two glyphs are more than about a tenth of
//! an em apart) have nothing to guess; a deliberate space from the source
//! is in the text exactly once. Nothing is written into the text to mark
//! where runs split, so every character, private-use ones included, is
//! the book's own.

use std::collections::HashMap;
use std::num::{NonZeroU16, NonZeroU32};

use krilla::action::LinkAction;
use krilla::annotation::{LinkAnnotation, Target};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
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

use crate::diag::{Diagnostic, Failure, Severity};
use crate::model::{Metadata as BookMetadata, TocEntry};
use crate::resolve::BookTime;
use crate::typeset::layout::{
    leader_dots, ImageData, ImageFormat, Item, Line, LineKind, LinkTarget, TagChild, TagNode,
    TagSpec,
};
use crate::typeset::linebreak::Class;
use crate::typeset::{Layout, PdfOptions};

use super::standard;

/// The faces of the book: parsed for glyph advances, and made into
/// krilla fonts on first use.
struct Faces<'a> {
    parsed: Vec<Option<rustybuzz::ttf_parser::Face<'a>>>,
    fonts: Vec<Option<Font>>,
    layout: &'a Layout,
}

/// Writes `layout` as PDF bytes.
pub fn write_pdf(layout: &Layout, options: &PdfOptions) -> Result<Vec<u8>, Failure> {
    let m = layout
        .metadata
        .as_deref()
        .ok_or_else(|| failure("the laid-out book has no metadata".into()))?;
    let settings = SerializeSettings {
        configuration: standard::configuration(&options.standard)?,
        enable_tagging: true,
        // The document information dictionary has no field for the
        // language; the XMP packet has (`dc:language`), and it is what
        // archives and `pdfinfo -meta` read.
        xmp_metadata: true,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    let mut faces = Faces {
        parsed: layout
            .faces
            .iter()
            .map(|f| rustybuzz::ttf_parser::Face::parse(f.bytes(), f.index).ok())
            .collect(),
        fonts: vec![None; layout.faces.len()],
        layout,
    };
    let mut ids: HashMap<(usize, u32), Identifier> = HashMap::new();
    let size = Size::from_wh(layout.width, layout.height)
        .ok_or_else(|| failure("the page size is not valid".into()))?;
    let places = layout.link_places();
    let titles = crate::standard::heading_titles(&layout.outline);
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
            if page_index == 0 {
                name_glyphs(&mut surface, layout, &mut faces)?;
            }
            surface.set_location(standard::page_location(page_index));
            for item in &page_layout.items {
                match item {
                    Item::Line(line) => {
                        let id = draw_line(&mut surface, line, &mut faces)?;
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
                        let mut dots = leader_dots(*x0, *x1, *step);
                        let Some(first) = dots.next() else {
                            continue;
                        };
                        let last = dots.last().unwrap_or(first);
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
                        let image = krilla_image(image)?;
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
                        surface.draw_image(image, size);
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
                            let alt = crate::standard::link_alt(target_of(item), &titles);
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

    let mut tree = TagTree::new().with_lang(Some(m.language.clone()));
    for (index, nodes) in layout.tags.iter().enumerate() {
        if let Some(group) = tag_group(nodes, 0, index, &mut ids) {
            tree.push(group);
        }
    }
    document.set_tag_tree(tree);
    document.set_outline(outline(&places, &layout.outline));
    let meta = metadata(m, layout.created, options);
    standard::embed_sources(&mut document, &options.attachments, meta.creation_date);
    document.set_metadata(meta.metadata);
    document.finish().map_err(|e| match e {
        krilla::error::KrillaError::Validation(errors) => {
            let errors: Vec<_> = errors.into_iter().map(|(e, _)| e).collect();
            standard::validation_failure(&errors, options, layout)
        }
        e => failure(format!("the PDF could not be written: {e:?}")),
    })
}

/// The image for krilla, drawn without interpolation (PDF/A forbids it,
/// and a printer wants the pixels as they are); the format and size were
/// checked when it was read.
fn krilla_image(image: &ImageData) -> Result<Image, Failure> {
    let data = krilla::Data::from(image.bytes.clone());
    match image.format {
        ImageFormat::Png => Image::from_png(data, false),
        ImageFormat::Jpeg => Image::from_jpeg(data, false),
    }
    .map_err(|e| failure(format!("an image cannot be written into the PDF: {e}")))
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

/// Gives every glyph of the book its own characters in the fonts'
/// ToUnicode maps before any page is drawn.
///
/// krilla maps a glyph to the text it is first drawn with. The runs that
/// carry their exact text are drawn as one cluster each, and the first
/// glyph of such a cluster would otherwise be mapped to the whole run's
/// text (and the others to nothing), so that readers which go by the map
/// (MuPDF, screen readers, PDF/UA checkers) would see the wrong
/// characters. Drawing each glyph once with its own text, into a stream
/// that is never placed on a page, fixes the map first; the runs then keep
/// it and carry their text as ActualText.
fn name_glyphs(
    surface: &mut Surface<'_>,
    layout: &Layout,
    faces: &mut Faces<'_>,
) -> Result<(), Failure> {
    // Per face and size-independent: each glyph with the first text that
    // is its own alone (not shared with a neighbour in a cluster).
    let mut named: std::collections::BTreeMap<(u16, u16), String> = Default::default();
    for page in &layout.pages {
        for item in &page.items {
            let Item::Line(line) = item else { continue };
            let glyphs = &line.set.glyphs;
            for (k, g) in glyphs.iter().enumerate() {
                let shared = (k > 0 && glyphs[k - 1].text == g.text)
                    || glyphs.get(k + 1).is_some_and(|n| n.text == g.text);
                let Some(text) = line
                    .set
                    .text
                    .get(g.text.start as usize..g.text.end as usize)
                else {
                    continue;
                };
                if shared || text.is_empty() || text.chars().all(char::is_whitespace) {
                    continue;
                }
                named
                    .entry((g.face, g.id))
                    .or_insert_with(|| text.to_string());
            }
        }
    }
    let mut builder = surface.stream_builder();
    let mut unseen = builder.surface();
    let mut face_of = named.iter().peekable();
    while let Some(&(&(face, _), _)) = face_of.peek() {
        let mut text = String::new();
        let mut run = Vec::new();
        while let Some(((f, id), own)) = face_of.next_if(|((f, _), _)| *f == face) {
            let _ = f;
            let start = text.len();
            text.push_str(own);
            run.push(KrillaGlyph::new(
                GlyphId::new(u32::from(*id)),
                1.0,
                0.0,
                0.0,
                0.0,
                start..text.len(),
                None,
            ));
        }
        let font = faces.font(face)?;
        unseen.draw_glyphs(Point::from_xy(0.0, 0.0), &run, font, &text, 10.0, false);
    }
    unseen.finish();
    // The stream is dropped: it is never part of the file.
    let _ = builder.finish();
    Ok(())
}

/// Draws one line as a span, each run with its exact text as ActualText
/// when the glyphs alone could be misread.
fn draw_line(
    surface: &mut Surface<'_>,
    line: &Line,
    faces: &mut Faces<'_>,
) -> Result<Option<Identifier>, Failure> {
    if line.set.glyphs.is_empty() {
        return Ok(None);
    }
    let exact = needs_actual_text(line);
    let id = match line.tag {
        Some(_) => Some(surface.start_tagged(ContentTag::Span(SpanTag::empty()))),
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
    for std::ops::Range { start, end } in line.runs() {
        let first = &glyphs[start];
        let font = faces.font(first.face)?;
        let parsed = faces
            .parsed
            .get(first.face as usize)
            .and_then(Option::as_ref);
        let units_per_em = parsed.map_or(1000.0, |f| f32::from(f.units_per_em()));
        // The run's text: from its first glyph's to the next run's first
        // glyph's (spaces between runs go with the run before them).
        let text = &line.set.text;
        let run_text = {
            let from = (first.text.start as usize).min(text.len());
            let to = glyphs
                .get(end)
                .map_or(text.len(), |g| g.text.start as usize)
                .clamp(from, text.len());
            from..to
        };
        run.clear();
        // Positions in em from the run start, rounded so that each TJ
        // adjustment is a whole thousandth of an em (at most 0.0005 em off,
        // never accumulating): integers compress far better than floats.
        let mut quantized = 0.0f32;
        for k in start..end {
            let g = &glyphs[k];
            let font_width = parsed
                .and_then(|f| f.glyph_hor_advance(rustybuzz::ttf_parser::GlyphId(g.id)))
                .map_or(g.advance / g.size, |w| f32::from(w) / units_per_em);
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
                if exact {
                    // One cluster: krilla writes the run's text as its
                    // ActualText inside the run's text object.
                    run_text.clone()
                } else {
                    g.text.start as usize..g.text.end as usize
                },
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

impl Faces<'_> {
    fn font(&mut self, face: u16) -> Result<Font, Failure> {
        let index = face as usize;
        if let Some(Some(font)) = self.fonts.get(index) {
            return Ok(font.clone());
        }
        let source = self.layout.faces.get(index).ok_or_else(|| {
            failure(format!(
                "a line refers to face {face}, which the book lacks"
            ))
        })?;
        let font = Font::new(source.data.clone().into(), source.index).ok_or_else(|| {
            failure(format!(
                "the font `{}` cannot be embedded in a PDF",
                source.family
            ))
        })?;
        self.fonts[index] = Some(font.clone());
        Ok(font)
    }
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
fn metadata(m: &BookMetadata, created: Option<BookTime>, options: &PdfOptions) -> KrillaMetadata {
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
    let date = created.map(krilla_date);
    // PDF/A needs a date: the same fallback as the EPUB's.
    let date =
        date.or_else(|| (!options.standard.is_none()).then(|| DateTime::new(2000).month(1).day(1)));
    if let Some(date) = date {
        meta = meta.creation_date(date);
    }
    KrillaMetadata {
        metadata: meta,
        creation_date: date,
    }
}

/// krilla's metadata with the date it was given (krilla keeps it private;
/// attached files carry the same date).
struct KrillaMetadata {
    metadata: Metadata,
    creation_date: Option<DateTime>,
}

/// The time in krilla's terms: an exact time in UTC, or a date to the
/// precision it was given in.
fn krilla_date(time: BookTime) -> DateTime {
    match time {
        BookTime::Exact(_) => {
            let c = time.civil();
            DateTime::new(c.year().clamp(0, 9999) as u16)
                .month(c.month() as u8)
                .day(c.day() as u8)
                .hour(c.hour() as u8)
                .minute(c.minute() as u8)
                .second(c.second() as u8)
                .utc_offset_hour(0)
                .utc_offset_minute(0)
        }
        BookTime::Date { year, month, day } => {
            let mut date = DateTime::new(year.clamp(0, 9999) as u16);
            if let Some(month) = month {
                date = date.month(month as u8);
                if let Some(day) = day {
                    date = date.day(day as u8);
                }
            }
            date
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_dates() {
        // 2025-12-20T00:00:00Z
        let time = jiff::Timestamp::from_second(1_766_188_800).expect("a time");
        let d = krilla_date(BookTime::Exact(time));
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
