//! Block layout: one chapter of the model into a flow of elements (lines,
//! table rows, images) that pagination cuts into pages.
//!
//! Every element knows its height, whether a page may break before it
//! (widows and orphans, headings kept with what follows), the footnotes
//! it needs on its page and, for table rows, the header row to repeat.
//! Positions inside an element are relative to its top-left corner, with
//! x measured from the left edge of the text block.
//!
//! The same layouter sets the text of the front matter (title blocks and
//! the table of contents, whose page numbers are left as [`Item::PageRef`]
//! until pagination) and marks where links go: footnote references and
//! notes carry [`Item::Anchor`]s for each other.

use std::collections::HashMap;
use std::path::Path;

pub use crate::resolve::{ImageData, ImageFormat};

use super::inline::{shape_para, InlineStyle, ParaText, Shaped};
use super::justify::{set_line, PlacedGlyph, SetLine};
use super::linebreak::{
    break_lines, break_lines_counts, Class, LineSpan, Measure, Para, Rules, Sums,
};
use super::shape::FontBook;
use super::style::{Align, FaceChoice, HeadingSetup, PageStyle};
use crate::diag::{Diagnostic, Location, Severity};
use crate::model::{Alignment, Block, Chapter, Heading, Inline, Span, TocEntry};

/// The longest paragraph, in lines, that is also set in one line more
/// and one less to fill a page.
const MAX_VARIANT_LINES: usize = 100;

/// The heading of the table of contents.
pub const CONTENTS: &str = "目录";

/// The heading of the table of contents in the book's language (BCP 47):
/// "目录" for Chinese, else "Contents", as the EPUB's navigation names it.
pub fn contents_label(language: &str) -> &'static str {
    let primary = language.split('-').next().unwrap_or_default();
    if primary.eq_ignore_ascii_case("zh") {
        CONTENTS
    } else {
        "Contents"
    }
}

/// Something drawn on a page.
#[derive(Debug, Clone)]
pub enum Item {
    Line(Line),
    /// A stroked line (table rules, the footnote separator).
    Rule {
        x0: f32,
        y0: f32,
        x1: f32,
        y1: f32,
        width: f32,
    },
    Image {
        image: ImageData,
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        /// Its tag, `None` when it is decoration.
        tag: Option<u32>,
    },
    /// An emphasis dot (着重号).
    Dot {
        x: f32,
        y: f32,
        r: f32,
    },
    /// A link area.
    Link {
        x0: f32,
        y0: f32,
        x1: f32,
        y1: f32,
        target: LinkTarget,
    },
    /// The place that links to `target` go to (footnotes and their
    /// references; headings are found through [`HeadingMark`]s).
    Anchor {
        x: f32,
        y: f32,
        target: LinkTarget,
    },
    /// The page number of a contents entry, set once the page of its
    /// heading is known: right-aligned at `x`, with leader dots between
    /// `leader_from` and `leader_to`.
    PageRef {
        heading: String,
        x: f32,
        leader_from: f32,
        leader_to: f32,
        baseline: f32,
        size: f32,
        /// Its tag: the number is read as part of the entry.
        tag: u32,
    },
    /// Leader dots of radius `r` centred on `y`, at every multiple of
    /// `step` from the page's left edge between `x0` and `x1`, so that
    /// the dots of all entries stand in columns.
    Leader {
        x0: f32,
        x1: f32,
        y: f32,
        step: f32,
        r: f32,
    },
}

/// The centres of a leader's dots between `x0` and `x1`: every multiple
/// of `step` from the page's left edge (none for a step that is not
/// positive), as each exporter draws them.
pub fn leader_dots(x0: f32, x1: f32, step: f32) -> impl Iterator<Item = f32> {
    let first = if step > 0.0 {
        (x0 / step).ceil() as i64
    } else {
        1
    };
    let last = if step > 0.0 {
        (x1 / step).floor() as i64
    } else {
        0
    };
    (first..=last).map(move |k| k as f32 * step)
}

/// Where a link goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LinkTarget {
    Url(String),
    /// A heading, by its id.
    Heading(String),
    /// A footnote: chapter index and note index.
    Note(usize, usize),
    /// The first reference to a footnote: chapter index and note index.
    NoteRef(usize, usize),
}

/// What a line is, for tests and later stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Body,
    Heading,
    Note,
    Label,
    Cell,
    Caption,
    Verse,
    /// Title page, imprint page and the title block's byline.
    Front,
    /// An entry of the table of contents, or its page number.
    Contents,
    /// A running head.
    Head,
    /// A page number below the text block.
    Folio,
    /// An interlinear annotation (ruby) over a line.
    Ruby,
}

/// A set line placed in its element or page.
#[derive(Debug, Clone)]
pub struct Line {
    /// The start of the measure; glyph x are relative to it.
    pub x: f32,
    pub baseline: f32,
    /// Width of the measure.
    pub measure: f32,
    pub set: SetLine,
    /// True when the line must be flush with both edges of its measure.
    pub justified: bool,
    pub kind: LineKind,
    /// Its tag (content identifier), `None` for repeated decoration.
    pub tag: Option<u32>,
}

impl Line {
    /// Left and right ends of the line's content.
    pub fn extent(&self) -> (f32, f32) {
        (self.x + self.set.start, self.x + self.set.end)
    }

    /// Its glyphs in runs of one face, size and baseline offset, as
    /// ranges of `set.glyphs`: what one text object draws.
    pub fn runs(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let glyphs = &self.set.glyphs;
        let mut start = 0;
        std::iter::from_fn(move || {
            let first = glyphs.get(start)?;
            let end = glyphs[start..]
                .iter()
                .position(|g| g.face != first.face || g.size != first.size || g.y != first.y)
                .map_or(glyphs.len(), |k| start + k);
            let run = start..end;
            start = end;
            Some(run)
        })
    }
}

/// A heading placed in the flow.
#[derive(Debug, Clone)]
pub struct HeadingMark {
    pub id: String,
    pub level: u8,
    pub title: String,
}

/// One unit of pagination.
#[derive(Debug, Clone, Default)]
pub struct Elem {
    pub height: f32,
    /// Space above it, dropped at the top of a page.
    pub space_before: f32,
    /// A page may break before it.
    pub break_before: bool,
    /// It stays on the page of the next element.
    pub keep_with_next: bool,
    pub items: Vec<Item>,
    /// Footnotes (indices into the chapter's notes) that must go on its page.
    pub notes: Vec<usize>,
    /// For a table row: the element of its header row.
    pub header: Option<usize>,
    pub heading: Option<HeadingMark>,
}

impl Elem {
    /// Its items, placed with its top-left corner at `x`, `y` on the page.
    pub fn placed_at(self, x: f32, y: f32) -> impl Iterator<Item = Item> {
        self.items
            .into_iter()
            .map(move |item| shift_item(item, x, y))
    }
}

/// Other settings of a body paragraph, in one line more or one less,
/// that pagination may take to fill a page (see `paginate`).
#[derive(Debug, Clone)]
pub struct Variant {
    /// The paragraph's first element in the flow, and its number of
    /// elements (lines).
    pub start: usize,
    pub len: usize,
    /// Each other setting's elements, with its demerits above the best.
    pub alts: Vec<(Vec<Elem>, f64)>,
}

/// The logical structure, for the PDF tag tree.
#[derive(Debug, Clone)]
pub enum TagSpec {
    Section,
    Title,
    Heading(u8, String),
    P,
    List(bool),
    ListItem,
    Label,
    ListBody,
    Quote,
    Table,
    Row,
    HeaderCell,
    Cell,
    Figure(String),
    Caption,
    Note,
    Code,
    /// The table of contents, an entry of it, and the entry's text with
    /// its page number.
    Toc,
    TocItem,
    Reference,
}

#[derive(Debug, Clone)]
pub enum TagChild {
    Node(usize),
    Content(u32),
}

#[derive(Debug, Clone)]
pub struct TagNode {
    pub spec: TagSpec,
    pub children: Vec<TagChild>,
}

/// A chapter (or a part of the front matter) laid out as a flow.
pub struct Flow {
    pub elems: Vec<Elem>,
    /// The footnotes, each a flow of its own.
    pub notes: Vec<Vec<Elem>>,
    /// Tag nodes; node 0 is the chapter.
    pub tags: Vec<TagNode>,
    pub diagnostics: Vec<Diagnostic>,
    /// The chapter's index in the book.
    pub index: usize,
    /// Other settings of body paragraphs, in the order of the flow.
    pub variants: Vec<Variant>,
    /// Where the text of each line came from: content id and the span of
    /// its block (for the check that no text is lost, `complete`).
    pub origins: Vec<(u32, Span)>,
}

/// What the first page of the text carries before or after the first
/// chapter's title when the book has no title page or no contents pages
/// (the front matter decides, see `front`).
#[derive(Debug, Default)]
pub struct Opening<'d> {
    /// The book's title and subtitle, set above the first chapter's title
    /// (a book of chapters without a title page).
    pub title: Option<(&'d str, Option<&'d str>)>,
    /// The authors, under the title; for a single article under its own
    /// title, which is the book's.
    pub byline: Option<String>,
    /// Entries of the table of contents, listed under the title block.
    pub contents: &'d [TocEntry],
    /// The heading of that list, [`contents_label`].
    pub contents_label: &'static str,
}

/// How the entries of a table of contents are set.
#[derive(Debug, Clone, Copy)]
struct EntryLook {
    size: f32,
    pitch: f32,
    /// Left edge of the top-level entries.
    inset: f32,
    /// Room kept for the leaders and the page number.
    reserve: f32,
    number_width: f32,
    /// Level of the top-level entries.
    base: u8,
    nested: bool,
}

/// How a paragraph is set.
#[derive(Debug, Clone)]
struct ParaOpts {
    inset: f32,
    width: f32,
    indent: f32,
    align: Align,
    justify: bool,
    ragged: bool,
    size: f32,
    pitch: f32,
    kind: LineKind,
    span: Span,
}

impl ParaOpts {
    /// Whether lines set with `self` and with `other` have the same
    /// geometry (everything but the kind and the source place).
    fn same_geometry(&self, other: &ParaOpts) -> bool {
        self.inset == other.inset
            && self.width == other.width
            && self.indent == other.indent
            && self.align == other.align
            && self.justify == other.justify
            && self.ragged == other.ragged
            && self.size == other.size
            && self.pitch == other.pitch
    }
}

/// One line of a paragraph set, before it gets its tags: what
/// [`place_spans`] gives, needing nothing of the layouter's state, so
/// that a chapter's body paragraphs are set in parallel.
struct Placed {
    set: SetLine,
    x: f32,
    baseline: f32,
    justified: bool,
    extras: Vec<Item>,
    annotations: Vec<super::ruby::Placed>,
    notes: Vec<usize>,
    above: f32,
}

/// A body paragraph set before its turn: the options it was set with,
/// its lines and its other settings with their demerits.
type PrePlaced = (ParaOpts, Vec<Placed>, Vec<(Vec<Placed>, f64)>);

/// A line with its extra items, before it goes into an element.
pub struct LineOut {
    pub line: Line,
    pub extras: Vec<Item>,
    notes: Vec<usize>,
    /// Room added above the line for its interlinear annotations.
    above: f32,
}

/// Lays out one flow: a chapter, or a part of the front matter.
pub struct Layouter<'a, 'b> {
    book: &'b FontBook<'a>,
    style: &'b PageStyle,
    rules: Rules,
    index: usize,
    source_path: std::path::PathBuf,
    /// `source_path` to go back to after text from elsewhere.
    saved: Option<std::path::PathBuf>,
    diags: Vec<Diagnostic>,
    tags: Vec<TagNode>,
    next_uid: u32,
    elems: Vec<Elem>,
    notes: Vec<Vec<Elem>>,
    note_index: HashMap<String, usize>,
    origins: Vec<(u32, Span)>,
    /// Where links go; without it every link is taken as a web address.
    resolved: Option<&'b crate::resolve::Resolved>,
    /// Body paragraphs shaped and broken ahead, in parallel, by the
    /// address of their content.
    /// The lines of the chapter's body paragraphs set ahead, by block
    /// (with the address of the paragraph's content, to check it is the
    /// one asked for), and the block being laid out.
    prebroken: Vec<Option<(usize, PrePlaced)>>,
    top_block: usize,
    /// Letter spacing of the paragraph being set, in its ems (a short
    /// heading, clreq 2.1.3.1).
    tracking: f32,
    variants: Vec<Variant>,
}

/// A paragraph shaped and broken into lines, with its ruby ready to set,
/// and its other settings (one line more, one less) with their demerits
/// above the best.
type Broken = (
    Shaped,
    Vec<LineSpan>,
    Vec<super::ruby::Prepared>,
    Vec<(Vec<LineSpan>, f64)>,
);

/// The footnote marker for note `number`: ① to ⑳, then [21].
pub fn note_marker(number: u32) -> String {
    match number {
        1..=20 => {
            char::from_u32(0x2460 + number - 1).map_or_else(|| format!("[{number}]"), String::from)
        }
        _ => format!("[{number}]"),
    }
}

/// The label of item `n` of a list.
pub fn list_label(ordered: bool, n: u64) -> String {
    if ordered {
        format!("{n}.")
    } else {
        "•".to_string()
    }
}

/// Sets `text` on one line at its natural width: running heads, folios,
/// page numbers. Characters no face has are drawn as the font's box.
pub fn set_single_line(
    book: &FontBook<'_>,
    rules: Rules,
    text: &str,
    style: &InlineStyle,
) -> SetLine {
    let mut pt = ParaText::default();
    pt.push(text, style);
    let shaped = shape_para(book, pt, rules);
    let para = Para {
        text: &shaped.text,
        atoms: &shaped.atoms,
        junctions: &shaped.junctions,
    };
    let sums = Sums::new(&para);
    if shaped.atoms.is_empty() {
        return SetLine {
            glyphs: Vec::new(),
            text: String::new(),
            start: 0.0,
            end: 0.0,
            source: 0..0,
        };
    }
    let span = super::linebreak::LineSpan {
        start: 0,
        end: shaped.atoms.len(),
        last: true,
    };
    set_line(&shaped, &sums, span, f32::MAX, 0.0, false)
}

impl<'a, 'b> Layouter<'a, 'b> {
    /// A layouter for the flow with `index` (the chapter's index in the
    /// book); `source` names the file its text came from, relative to
    /// `base_dir`, for diagnostics.
    pub fn new(
        book: &'b FontBook<'a>,
        style: &'b PageStyle,
        index: usize,
        base_dir: &'b Path,
        source: &str,
    ) -> Self {
        let rules = Rules {
            cjk_latin_gap: style.body.cjk_latin_gap,
            strict: style.body.strict,
            tracking: style.tracking(),
        };
        Layouter {
            book,
            style,
            rules,
            index,
            source_path: base_dir.join(source),
            saved: None,
            tracking: 0.0,
            diags: Vec::new(),
            tags: vec![TagNode {
                spec: TagSpec::Section,
                children: Vec::new(),
            }],
            next_uid: 0,
            elems: Vec::new(),
            notes: Vec::new(),
            note_index: HashMap::new(),
            origins: Vec::new(),
            resolved: None,
            prebroken: Vec::new(),
            top_block: 0,
            variants: Vec::new(),
        }
    }

    /// What the resolve step found: links go to places in the book or to
    /// web addresses (a link to nowhere is left out, its text stays), and
    /// images are taken from it as read and checked there.
    pub fn with_resolved(mut self, resolved: &'b crate::resolve::Resolved) -> Self {
        self.resolved = Some(resolved);
        self
    }

    /// Lays out a whole chapter; the first one also carries the
    /// `opening`.
    pub fn run(mut self, chapter: &Chapter, opening: Option<&Opening<'_>>) -> Flow {
        self.note_index = chapter
            .footnotes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.clone(), i))
            .collect();
        match opening {
            Some(o @ Opening { title: Some(_), .. }) => {
                self.opening(o);
                self.title(&chapter.title, chapter.subtitle.as_deref());
            }
            Some(o) => {
                self.title(&chapter.title, chapter.subtitle.as_deref());
                self.opening(o);
            }
            None => self.title(&chapter.title, chapter.subtitle.as_deref()),
        }
        let body = InlineStyle::new(FaceChoice::Body, self.style.body.size);
        let width = self.style.text_width;
        self.prebreak(&chapter.blocks, &body, width);
        for (k, block) in chapter.blocks.iter().enumerate() {
            self.top_block = k;
            self.block(block, 0, 0.0, width, &body);
        }
        self.prebroken = Vec::new();
        let note_size = (self.style.body.size * 0.85 * 2.0).round() / 2.0;
        for (index, note) in chapter.footnotes.iter().enumerate() {
            let node = self.node(0, TagSpec::Note);
            let mut flow = Vec::new();
            let note_style = InlineStyle::new(FaceChoice::Body, note_size);
            for (k, block) in note.blocks.iter().enumerate() {
                if let (
                    true,
                    Block::Image {
                        src,
                        alt,
                        caption,
                        span,
                    },
                ) = (k > 0, block)
                {
                    // An image after the note's first paragraph, at most
                    // a fifth of the text block high.
                    let start = self.elems.len();
                    let cap = self.style.text_height * 0.2;
                    let (src, caption) = (src.as_str(), caption.as_deref());
                    self.image(src, alt, caption, *span, node, 0.0, width, &note_style);
                    for mut elem in self.elems.drain(start..) {
                        for item in &mut elem.items {
                            if let Item::Image {
                                x,
                                width: w,
                                height: h,
                                ..
                            } = item
                            {
                                if *h > cap {
                                    let shrink = *h - cap;
                                    *x += (*w - *w * cap / *h) / 2.0;
                                    *w *= cap / *h;
                                    *h = cap;
                                    elem.height -= shrink;
                                }
                            }
                        }
                        flow.push(elem);
                    }
                    continue;
                }
                let mut pt = ParaText::default();
                if k == 0 {
                    // The note's marker leads back to its reference.
                    let mut marker = note_style.clone();
                    marker.target = Some(LinkTarget::NoteRef(self.index, index));
                    pt.push(&note_marker(note.number), &marker);
                }
                let (content, span) = match block {
                    Block::Paragraph { content, span } => (content.clone(), *span),
                    other => {
                        let mut text = String::new();
                        crate::model::push_blocks_text(std::slice::from_ref(other), &mut text);
                        (vec![Inline::text(text.trim())], other.span())
                    }
                };
                self.inlines(&content, &note_style, &mut pt);
                let p = self.node(node, TagSpec::P);
                let opts = ParaOpts {
                    inset: 0.0,
                    width,
                    indent: 0.0,
                    align: Align::Left,
                    justify: true,
                    ragged: false,
                    size: note_size,
                    pitch: note_size * 1.5,
                    kind: LineKind::Note,
                    span,
                };
                let lines = self.set_para(pt, &opts, p);
                for out in lines {
                    flow.push(self.line_elem(out, note_size * 1.5, true));
                }
            }
            self.notes.push(flow);
        }
        self.finish()
    }

    /// The flow laid out so far.
    pub fn finish(self) -> Flow {
        Flow {
            elems: self.elems,
            notes: self.notes,
            tags: self.tags,
            diagnostics: self.diags,
            index: self.index,
            variants: self.variants,
            origins: self.origins,
        }
    }

    /// The title block of a book without a title page, the byline, and
    /// the contents list of the first page.
    fn opening(&mut self, opening: &Opening<'_>) {
        if let Some((title, subtitle)) = opening.title {
            let setup = self.style.title.clone();
            let node = self.node(0, TagSpec::Title);
            self.text_block(title, &setup, node, LineKind::Front, None);
            if let Some(subtitle) = subtitle {
                let setup = self.style.subtitle.clone();
                let node = self.node(0, TagSpec::P);
                self.text_block(
                    &crate::model::dashed_subtitle(subtitle),
                    &setup,
                    node,
                    LineKind::Front,
                    None,
                );
            }
        }
        if let Some(byline) = &opening.byline {
            let setup = HeadingSetup {
                size: self.style.body.size,
                face: FaceChoice::Body,
                align: Align::Center,
                space_before: 0.0,
                space_after: 1.0,
                family: Vec::new(),
                spread_short: false,
            };
            let node = self.node(0, TagSpec::P);
            self.text_block(byline, &setup, node, LineKind::Front, None);
        }
        if !opening.contents.is_empty() {
            self.contents(opening.contents, opening.contents_label, None, 3);
            // The text proper starts a line below the list.
            if let Some(last) = self.elems.last_mut() {
                last.height += self.style.pitch();
            }
        }
    }

    /// `text` set in `setup` as lines kept together, tagged as `node`.
    /// `origin` is where the text is written (the place its lines are
    /// traced to); `None` for text written elsewhere before.
    pub fn text_block(
        &mut self,
        text: &str,
        setup: &HeadingSetup,
        node: usize,
        kind: LineKind,
        origin: Option<&Location>,
    ) {
        let s = InlineStyle::new(setup.face, setup.size);
        let mut pt = ParaText::default();
        pt.push(text, &s);
        let span = self.enter(origin);
        let mut elems = self.heading_lines(pt, setup, span, node, None);
        self.leave();
        for elem in &mut elems {
            for item in &mut elem.items {
                if let Item::Line(line) = item {
                    line.kind = kind;
                }
            }
        }
        self.elems.extend(elems);
    }

    /// A tag node under `parent`.
    pub fn tag(&mut self, parent: usize, spec: TagSpec) -> usize {
        self.node(parent, spec)
    }

    /// The elements laid out so far, taken out of the flow.
    pub fn take_elems(&mut self) -> Vec<Elem> {
        self.variants.clear();
        std::mem::take(&mut self.elems)
    }

    /// Traces the text set until [`Self::leave`] to `origin`; returns the
    /// span to set the text with.
    fn enter(&mut self, origin: Option<&Location>) -> Span {
        self.saved = Some(self.source_path.clone());
        match origin {
            Some(at) => {
                self.source_path = at.file.clone();
                Span {
                    line: at.line,
                    column: at.column,
                }
            }
            None => Span { line: 0, column: 0 },
        }
    }

    fn leave(&mut self) {
        if let Some(path) = self.saved.take() {
            self.source_path = path;
        }
    }

    /// Sets `text` as a left-aligned paragraph of `size` points at `pitch`,
    /// tagged as a paragraph of `parent`; `origin` as for
    /// [`Self::text_block`].
    #[allow(clippy::too_many_arguments)]
    pub fn plain_paragraph(
        &mut self,
        text: &str,
        size: f32,
        pitch: f32,
        parent: usize,
        kind: LineKind,
        origin: Option<&Location>,
    ) {
        let node = self.node(parent, TagSpec::P);
        let mut pt = ParaText::default();
        pt.push(text, &InlineStyle::new(FaceChoice::Body, size));
        let opts = ParaOpts {
            inset: 0.0,
            width: self.style.text_width,
            indent: 0.0,
            align: Align::Left,
            justify: false,
            ragged: true,
            size,
            pitch,
            kind,
            span: Span { line: 0, column: 0 },
        };
        let span = self.enter(origin);
        let opts = ParaOpts { span, ..opts };
        for out in self.set_para(pt, &opts, node) {
            let elem = self.line_elem(out, pitch, false);
            self.elems.push(elem);
        }
        self.leave();
    }

    /// The table of contents: one entry per heading, indented by level,
    /// with dot leaders and the page number right-aligned. The numbers are
    /// filled in after pagination ([`Item::PageRef`]); room for `digits`
    /// digits is kept, so that the numbers never change how a title wraps.
    ///
    /// With a `heading` setup, the contents has pages of its own: "目录"
    /// heads it and entries are in the body size. Without, it is a compact
    /// list under a title block: a step smaller and closer, with "目录" as a
    /// run-in label beside the first entry, so that it costs the page no
    /// more lines than it has entries.
    pub fn contents(
        &mut self,
        entries: &[TocEntry],
        label_text: &str,
        heading: Option<&HeadingSetup>,
        digits: usize,
    ) {
        let section = self.node(0, TagSpec::Section);
        let body = self.style.body.size;
        let (size, pitch) = match heading {
            Some(setup) => {
                let node = self.node(section, TagSpec::Heading(1, label_text.to_string()));
                let mut heading = self.contents_heading(setup, node, label_text);
                self.elems.append(&mut heading);
                (body, self.pitch())
            }
            None => {
                let size = (body * 0.875 * 2.0).round() / 2.0;
                (size, size * 1.6)
            }
        };
        let digit = set_single_line(
            self.book,
            self.rules,
            "0",
            &InlineStyle::new(FaceChoice::Body, size),
        );
        let number_width = (digit.end - digit.start) * digits as f32;
        let toc = self.node(section, TagSpec::Toc);
        let label = heading.is_none().then(|| self.node(toc, TagSpec::Caption));
        let look = EntryLook {
            size,
            pitch,
            inset: if label.is_some() { 3.0 * size } else { 0.0 },
            reserve: number_width + 2.0 * size,
            number_width,
            base: entries.first().map_or(1, |e| e.level),
            // Top-level entries of a nested list stand out in the heading
            // face; a flat list is all in the body face.
            nested: entries.iter().any(|e| !e.children.is_empty()),
        };
        let first = self.elems.len();
        for entry in entries {
            self.contents_entry(entry, toc, &look);
        }
        if let Some(node) = label {
            let s = InlineStyle::new(FaceChoice::Heading, size);
            let line = set_single_line(self.book, self.rules, label_text, &s);
            let uid = self.content(node);
            let space = 0.5 * self.pitch();
            if let Some(elem) = self.elems.get_mut(first) {
                let baseline = (pitch - size) / 2.0 + 0.88 * size;
                let measure = line.end - line.start;
                elem.items.insert(
                    0,
                    Item::Line(Line {
                        x: 0.0,
                        baseline,
                        measure,
                        set: line,
                        justified: false,
                        kind: LineKind::Contents,
                        tag: Some(uid),
                    }),
                );
                elem.space_before = space;
            }
        }
    }

    fn contents_heading(&mut self, setup: &HeadingSetup, node: usize, text: &str) -> Vec<Elem> {
        let s = InlineStyle::new(setup.face, setup.size);
        let mut pt = ParaText::default();
        pt.push(text, &s);
        self.heading_lines(pt, setup, Span { line: 0, column: 0 }, node, None)
    }

    fn contents_entry(&mut self, entry: &TocEntry, toc: usize, look: &EntryLook) {
        let EntryLook { size, pitch, .. } = *look;
        let width = self.style.text_width;
        let indent = look.inset + f32::from(entry.level.saturating_sub(look.base)) * 2.0 * size;
        let top = look.nested && entry.level == look.base;
        let face = if top {
            FaceChoice::Heading
        } else {
            FaceChoice::Body
        };
        let item = self.node(toc, TagSpec::TocItem);
        let reference = self.node(item, TagSpec::Reference);
        let mut pt = ParaText::default();
        pt.push(&entry.title, &InlineStyle::new(face, size));
        let opts = ParaOpts {
            inset: indent,
            width: (width - indent - look.reserve).max(4.0 * size),
            indent: 0.0,
            align: Align::Left,
            justify: false,
            ragged: true,
            size,
            pitch,
            kind: LineKind::Contents,
            span: Span { line: 0, column: 0 },
        };
        let lines = self.set_para(pt, &opts, reference);
        let n = lines.len();
        let target = LinkTarget::Heading(entry.id.clone());
        for (k, out) in lines.into_iter().enumerate() {
            let text_end = out.line.x + out.line.set.end;
            let baseline = out.line.baseline;
            let mut elem = self.line_elem(out, pitch, k == 0);
            if k == 0 && top {
                elem.space_before = 0.5 * pitch;
            }
            // The whole line is the link, to the right edge.
            elem.items.push(Item::Link {
                x0: indent,
                y0: 0.0,
                x1: width,
                y1: pitch,
                target: target.clone(),
            });
            if k + 1 == n {
                let tag = self.content(reference);
                elem.items.push(Item::PageRef {
                    heading: entry.id.clone(),
                    x: width,
                    leader_from: text_end + 0.5 * size,
                    leader_to: width - look.number_width - 0.5 * size,
                    baseline,
                    size,
                    tag,
                });
                // A chapter's entry stays with its first section's.
                elem.keep_with_next = top && !entry.children.is_empty();
            } else {
                elem.keep_with_next = true;
            }
            self.elems.push(elem);
        }
        if !entry.children.is_empty() {
            let sub = self.node(item, TagSpec::Toc);
            for child in &entry.children {
                self.contents_entry(child, sub, look);
            }
        }
    }

    fn node(&mut self, parent: usize, spec: TagSpec) -> usize {
        self.tags.push(TagNode {
            spec,
            children: Vec::new(),
        });
        let id = self.tags.len() - 1;
        self.tags[parent].children.push(TagChild::Node(id));
        id
    }

    fn content(&mut self, parent: usize) -> u32 {
        let uid = self.next_uid;
        self.next_uid += 1;
        self.tags[parent].children.push(TagChild::Content(uid));
        uid
    }

    fn pitch(&self) -> f32 {
        self.style.pitch()
    }

    /// The chapter title and subtitle.
    fn title(&mut self, heading: &Heading, subtitle: Option<&str>) {
        let setup = self.style.title.clone();
        self.heading_block(heading, &setup, TagSpec::Title);
        if let Some(subtitle) = subtitle {
            let sub = self.style.subtitle.clone();
            let s = InlineStyle::new(sub.face, sub.size);
            let mut pt = ParaText::default();
            pt.push(&crate::model::dashed_subtitle(subtitle), &s);
            let node = self.node(0, TagSpec::P);
            let elems = self.heading_lines(pt, &sub, heading.span, node, None);
            self.elems.extend(elems);
        }
    }

    fn heading_block(&mut self, heading: &Heading, setup: &HeadingSetup, spec: TagSpec) {
        let s = InlineStyle::new(setup.face, setup.size);
        let mut pt = ParaText::default();
        if let Some(number) = &heading.number {
            pt.push(number, &s);
        }
        self.inlines(&heading.content, &s, &mut pt);
        let title = heading.display_text();
        let spec = match spec {
            TagSpec::Title => TagSpec::Heading(1, title.clone()),
            other => other,
        };
        let node = self.node(0, spec);
        let mark = HeadingMark {
            id: heading.id.clone(),
            level: heading.level,
            title,
        };
        let elems = self.heading_lines(pt, setup, heading.span, node, Some(mark));
        self.elems.extend(elems);
    }

    /// Lines of a heading: kept together and with what follows.
    fn heading_lines(
        &mut self,
        pt: ParaText,
        setup: &HeadingSetup,
        span: Span,
        node: usize,
        mark: Option<HeadingMark>,
    ) -> Vec<Elem> {
        let pitch = (setup.size * 1.5).max(self.pitch());
        let is_han = |c: char| matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF);
        let han = pt.text.chars().filter(|&c| is_han(c)).count();
        let alone = han == pt.text.chars().count() && pt.rubies.is_empty();
        self.tracking = match han {
            2 if setup.spread_short && alone => 1.0,
            3 if setup.spread_short && alone => 0.5,
            _ => 0.0,
        };
        let opts = ParaOpts {
            inset: 0.0,
            width: self.style.text_width,
            indent: 0.0,
            align: setup.align,
            justify: false,
            ragged: true,
            size: setup.size,
            pitch,
            kind: LineKind::Heading,
            span,
        };
        let lines = self.set_para(pt, &opts, node);
        self.tracking = 0.0;
        let count = lines.len();
        let mut out = Vec::with_capacity(count);
        for (k, line) in lines.into_iter().enumerate() {
            let mut elem = self.line_elem(line, pitch, k == 0);
            // Headings never end a page: keep with the next two lines.
            elem.keep_with_next = true;
            if k == 0 {
                elem.space_before = setup.space_before * self.pitch();
                elem.heading = mark.clone();
            }
            if k + 1 == count {
                elem.height += setup.space_after * self.pitch();
            }
            out.push(elem);
        }
        out
    }

    fn line_elem(&self, out: LineOut, height: f32, break_before: bool) -> Elem {
        let mut items = Vec::with_capacity(1 + out.extras.len());
        items.push(Item::Line(out.line));
        items.extend(out.extras);
        if out.above > 0.0 {
            items = items
                .into_iter()
                .map(|item| shift_item(item, 0.0, out.above))
                .collect();
        }
        Elem {
            height: height + out.above,
            space_before: 0.0,
            break_before,
            keep_with_next: false,
            items,
            notes: out.notes,
            header: None,
            heading: None,
        }
    }

    /// Appends the text of `inlines` to `pt`.
    /// Shapes and breaks the chapter's body paragraphs (those directly in
    /// `blocks`, set at full `width` in the `body` style) in parallel;
    /// [`Layouter::paragraph`] then takes their lines in order. The line
    /// breaker works on one paragraph at a time, so the result is the same
    /// as breaking them one after the other.
    fn prebreak(&mut self, blocks: &[Block], body: &InlineStyle, width: f32) {
        use rayon::prelude::*;
        let measure = Measure {
            width,
            first_indent: self.style.body.indent * body.size,
            ragged: false,
        };
        // The options [`Layouter::paragraph`] sets a body paragraph with;
        // it sets the lines again itself if its own differ.
        let opts = ParaOpts {
            inset: 0.0,
            width,
            indent: measure.first_indent,
            align: Align::Left,
            justify: true,
            ragged: false,
            size: body.size,
            pitch: self.pitch() * body.size / self.style.body.size,
            kind: LineKind::Body,
            span: Span { line: 0, column: 0 },
        };
        let (grid, grid_pitch) = (self.style.body.grid, self.pitch());
        let this = &*self;
        let done = blocks
            .par_iter()
            .map(|block| match block {
                Block::Paragraph { content, .. } if !content.is_empty() => {
                    let mut pt = ParaText::default();
                    this.inlines(content, body, &mut pt);
                    let (shaped, spans, rubies, others) = this.shape_and_break(pt, &measure, true);
                    let para = Para {
                        text: &shaped.text,
                        atoms: &shaped.atoms,
                        junctions: &shaped.junctions,
                    };
                    let place = |spans: &[LineSpan]| {
                        place_spans(&shaped, &rubies, &para, spans, &opts, grid, grid_pitch)
                    };
                    let main = place(&spans);
                    let alts = others
                        .iter()
                        .map(|(alt, cost)| (place(alt), *cost))
                        .collect();
                    // The shaped text is not kept: its lines are placed,
                    // and it is freed here, on this thread.
                    Some((content.as_ptr() as usize, (opts.clone(), main, alts)))
                }
                _ => None,
            })
            .collect();
        self.prebroken = done;
    }

    /// A paragraph's text shaped and broken into lines; with `variants`
    /// (and no more than [`MAX_VARIANT_LINES`] lines),
    /// also set in one line more and in one line less where that is
    /// possible without spreading or compressing a line more than the
    /// breaker allows (see [`super::linebreak::break_lines_into`]).
    fn shape_and_break(&self, mut pt: ParaText, measure: &Measure, variants: bool) -> Broken {
        let rubies = std::mem::take(&mut pt.rubies);
        let mut shaped = shape_para(self.book, pt, self.rules);
        super::punct::restyle(&mut shaped, &self.style.body, self.rules);
        keep_markers_attached(&mut shaped);
        if self.tracking > 0.0 {
            let n = shaped.atoms.len().saturating_sub(1);
            for (junction, atom) in shaped.junctions.iter_mut().zip(&shaped.atoms).take(n) {
                junction.width += self.tracking * atom.em;
            }
        }
        let rubies = super::ruby::prepare(self.book, &mut shaped, &rubies, self.rules);
        let para = Para {
            text: &shaped.text,
            atoms: &shaped.atoms,
            junctions: &shaped.junctions,
        };
        let spans = break_lines(&para, measure);
        let mut others = Vec::new();
        // Setting a paragraph in exactly N lines costs time growing with
        // the cube of its length: past a few pages (a 64 KB paragraph took
        // minutes) it is set only as it breaks best.
        if variants && !spans.is_empty() && spans.len() <= MAX_VARIANT_LINES {
            let n = spans.len();
            let mut found = break_lines_counts(&para, measure, &[n, n + 1, n - 1]).into_iter();
            let best = found.next().flatten().map_or(0.0, |(_, d)| d);
            for (alt, d) in found.flatten() {
                others.push((alt, (d - best).max(0.0)));
            }
        }
        (shaped, spans, rubies, others)
    }

    fn inlines(&self, inlines: &[Inline], style: &InlineStyle, pt: &mut ParaText) {
        for inline in inlines {
            match inline {
                Inline::Text { text } | Inline::Code { text } => pt.push(text, style),
                Inline::Emphasis { content } => {
                    let mut s = style.clone();
                    s.dots = true;
                    self.inlines(content, &s, pt);
                }
                Inline::Strong { content } => {
                    let mut s = style.clone();
                    if s.face == FaceChoice::Body {
                        s.face = FaceChoice::Bold;
                    }
                    self.inlines(content, &s, pt);
                }
                Inline::Link { url, content } => {
                    let mut s = style.clone();
                    s.target = match self.resolved.map(|r| r.links.target(url)) {
                        None => Some(LinkTarget::Url(url.clone())),
                        Some(Some(crate::resolve::LinkTarget::External(url))) => {
                            Some(LinkTarget::Url(url))
                        }
                        Some(Some(crate::resolve::LinkTarget::Internal(id))) => {
                            Some(LinkTarget::Heading(id))
                        }
                        Some(None) => style.target.clone(),
                    };
                    self.inlines(content, &s, pt);
                }
                Inline::FootnoteRef { id, number } => {
                    let mut s = style.clone();
                    s.size = (style.size * 0.6 * 2.0).round() / 2.0;
                    s.raise = style.size * 0.38;
                    s.dots = false;
                    s.target = None;
                    if let Some(&index) = self.note_index.get(id) {
                        pt.notes.push((pt.text.len() as u32, index));
                        // Each reference is its own style, so that its
                        // link knows its note.
                        s.target = Some(LinkTarget::Note(self.index, index));
                    }
                    pt.push(&note_marker(*number), &s);
                }
                Inline::LineBreak => pt.push_break(),
                Inline::Ruby { base, annotation } => {
                    let start = pt.text.len() as u32;
                    pt.push(base, style);
                    pt.rubies.push(super::ruby::RubyText {
                        base: start..pt.text.len() as u32,
                        annotation: annotation.clone(),
                        style: style.clone(),
                    });
                }
            }
        }
    }

    /// Breaks and sets a paragraph; each line becomes tagged content of
    /// `node`.
    fn set_para(&mut self, pt: ParaText, opts: &ParaOpts, node: usize) -> Vec<LineOut> {
        let measure = Measure {
            width: opts.width,
            first_indent: opts.indent,
            ragged: opts.ragged,
        };
        let broken = self.shape_and_break(pt, &measure, false);
        self.set_broken(broken, opts, node).0
    }

    /// Sets the lines of a shaped and broken paragraph, and of its other
    /// settings.
    #[allow(clippy::type_complexity)]
    fn set_broken(
        &mut self,
        (shaped, spans, rubies, others): Broken,
        opts: &ParaOpts,
        node: usize,
    ) -> (Vec<LineOut>, Vec<(Vec<LineOut>, f64)>) {
        let para = Para {
            text: &shaped.text,
            atoms: &shaped.atoms,
            junctions: &shaped.junctions,
        };
        let main = self.set_spans(&shaped, &rubies, &para, spans, opts, node);
        let others = others
            .into_iter()
            .map(|(alt, cost)| {
                let lines = self.set_spans(&shaped, &rubies, &para, alt, opts, node);
                (lines, cost)
            })
            .collect();
        (main, others)
    }

    /// The lines `spans` of a broken paragraph, set and tagged as content
    /// of `node`.
    fn set_spans(
        &mut self,
        shaped: &Shaped,
        rubies: &[super::ruby::Prepared],
        para: &Para<'_>,
        spans: Vec<LineSpan>,
        opts: &ParaOpts,
        node: usize,
    ) -> Vec<LineOut> {
        let (grid, pitch) = (self.style.body.grid, self.pitch());
        let placed = place_spans(shaped, rubies, para, &spans, opts, grid, pitch);
        self.tag_placed(placed, opts, node)
    }

    /// Lines set by [`place_spans`], tagged in order as content of `node`.
    fn tag_placed(&mut self, placed: Vec<Placed>, opts: &ParaOpts, node: usize) -> Vec<LineOut> {
        let mut out = Vec::with_capacity(placed.len());
        for p in placed {
            let mut extras = p.extras;
            let tag = self.content(node);
            self.origins.push((tag, opts.span));
            // Each annotation is read after its line, as "汉字（hànzì）"
            // reads in a browser without ruby.
            for annotation in p.annotations {
                let tag = self.content(node);
                self.origins.push((tag, opts.span));
                extras.push(Item::Line(Line {
                    x: p.x,
                    baseline: p.baseline - annotation.rise,
                    measure: opts.width,
                    justified: false,
                    kind: LineKind::Ruby,
                    set: annotation.set,
                    tag: Some(tag),
                }));
            }
            out.push(LineOut {
                line: Line {
                    x: p.x,
                    baseline: p.baseline,
                    measure: opts.width,
                    justified: p.justified,
                    kind: opts.kind,
                    set: p.set,
                    tag: Some(tag),
                },
                extras,
                notes: p.notes,
                above: p.above,
            });
        }
        out
    }

    /// A body paragraph: lines with widow and orphan control.
    #[allow(clippy::too_many_arguments)]
    fn paragraph(
        &mut self,
        content: &[Inline],
        span: Span,
        parent: usize,
        inset: f32,
        width: f32,
        base: &InlineStyle,
        indent: bool,
        label: Option<(String, usize)>,
    ) {
        let prebroken = if parent == 0 && inset == 0.0 && indent && label.is_none() {
            let at = content.as_ptr() as usize;
            match self.prebroken.get_mut(self.top_block) {
                Some(slot) if slot.as_ref().is_some_and(|(ptr, _)| *ptr == at) => {
                    slot.take().map(|(_, placed)| placed)
                }
                _ => None,
            }
        } else {
            None
        };
        let node = self.node(parent, TagSpec::P);
        let pitch = self.pitch() * base.size / self.style.body.size;
        let opts = ParaOpts {
            inset,
            width,
            indent: if indent {
                self.style.body.indent * base.size
            } else {
                0.0
            },
            align: Align::Left,
            justify: true,
            ragged: false,
            size: base.size,
            pitch,
            kind: LineKind::Body,
            span,
        };
        // Lines placed ahead in another geometry are set again here.
        let preplaced = prebroken.filter(|(o, _, _)| o.same_geometry(&opts));
        let (lines, others) = match preplaced {
            Some((_, main, alts)) => {
                let main = self.tag_placed(main, &opts, node);
                let alts = alts
                    .into_iter()
                    .map(|(lines, cost)| (self.tag_placed(lines, &opts, node), cost))
                    .collect();
                (main, alts)
            }
            None => {
                let mut pt = ParaText::default();
                self.inlines(content, base, &mut pt);
                let measure = Measure {
                    width: opts.width,
                    first_indent: opts.indent,
                    ragged: opts.ragged,
                };
                let broken = self.shape_and_break(pt, &measure, true);
                self.set_broken(broken, &opts, node)
            }
        };
        let spacing = self.style.body.paragraph_spacing * self.pitch();
        if !others.is_empty() {
            let mut alts = Vec::with_capacity(others.len());
            for (lines, cost) in others {
                let mut elems = self.paragraph_elems(lines, pitch, spacing);
                if let (Some((label, node)), Some(first)) = (&label, elems.first_mut()) {
                    if let Some(label) = self.label(label, base, inset, pitch, *node) {
                        if let Some(Item::Line(line)) = first.items.first_mut() {
                            prepend_label(line, label);
                        }
                    }
                }
                alts.push((elems, cost));
            }
            self.variants.push(Variant {
                start: self.elems.len(),
                len: lines.len(),
                alts,
            });
        }
        let n = lines.len();
        let last_full = lines.last().is_some_and(nearly_full);
        for (k, line) in lines.into_iter().enumerate() {
            let break_before = page_break_allowed(k, n, last_full);
            let mut elem = self.line_elem(line, pitch, break_before);
            if k == 0 {
                elem.space_before = spacing;
                if let Some((label, node)) = &label {
                    // The label hangs in the indent but is part of the
                    // item's first line, so that it is read with it.
                    if let Some(label) = self.label(label, base, inset, pitch, *node) {
                        if let Some(Item::Line(line)) = elem.items.first_mut() {
                            prepend_label(line, label);
                        }
                    }
                }
            }
            self.elems.push(elem);
        }
    }

    /// The elements of a paragraph's lines: breaks allowed where widows
    /// and orphans permit, `spacing` above the first.
    fn paragraph_elems(&self, lines: Vec<LineOut>, pitch: f32, spacing: f32) -> Vec<Elem> {
        let n = lines.len();
        let last_full = lines.last().is_some_and(nearly_full);
        let mut out = Vec::with_capacity(n);
        for (k, line) in lines.into_iter().enumerate() {
            let mut elem = self.line_elem(line, pitch, page_break_allowed(k, n, last_full));
            if k == 0 {
                elem.space_before = spacing;
            }
            out.push(elem);
        }
        out
    }

    /// A list label set before the item's first line, tagged as `node`.
    fn label(
        &mut self,
        text: &str,
        base: &InlineStyle,
        inset: f32,
        pitch: f32,
        node: usize,
    ) -> Option<Line> {
        let mut pt = ParaText::default();
        pt.push(text, base);
        let opts = ParaOpts {
            inset: 0.0,
            width: 4.0 * base.size,
            indent: 0.0,
            align: Align::Left,
            justify: false,
            ragged: true,
            size: base.size,
            pitch,
            kind: LineKind::Label,
            span: Span { line: 0, column: 0 },
        };
        let mut line = self.set_para(pt, &opts, node).into_iter().next()?.line;
        // Right-aligned half an em before the item text.
        let width = line.set.end - line.set.start;
        line.x = inset - width - 0.5 * base.size;
        Some(line)
    }

    fn block(&mut self, block: &Block, parent: usize, inset: f32, width: f32, base: &InlineStyle) {
        match block {
            Block::Heading(h) => {
                let setup = self.style.heading(h.level).clone();
                let level = h.level.clamp(1, 6);
                self.heading_block(h, &setup, TagSpec::Heading(level, h.display_text()));
            }
            Block::Paragraph { content, span } => {
                self.paragraph(content, *span, parent, inset, width, base, true, None);
            }
            Block::List {
                ordered,
                start,
                items,
                ..
            } => {
                let list = self.node(parent, TagSpec::List(*ordered));
                let indent = self.nested_indent(width, 2.0 * base.size, 1.0);
                for (k, item) in items.iter().enumerate() {
                    let li = self.node(list, TagSpec::ListItem);
                    let label_node = self.node(li, TagSpec::Label);
                    let body = self.node(li, TagSpec::ListBody);
                    let label = list_label(*ordered, start + k as u64);
                    for (b, inner) in item.iter().enumerate() {
                        match inner {
                            Block::Paragraph { content, span } => {
                                let label = (b == 0).then(|| (label.clone(), label_node));
                                self.paragraph(
                                    content,
                                    *span,
                                    body,
                                    inset + indent,
                                    width - indent,
                                    base,
                                    false,
                                    label,
                                );
                            }
                            other => self.block(other, body, inset + indent, width - indent, base),
                        }
                    }
                }
            }
            Block::Quote { blocks, .. } => {
                let quote = self.node(parent, TagSpec::Quote);
                let indent = self.nested_indent(width, 2.0 * base.size, 2.0);
                for inner in blocks {
                    self.block(inner, quote, inset + indent, width - 2.0 * indent, base);
                }
            }
            Block::Verse { lines, span } => {
                // An empty line divides stanzas: a blank line between them.
                for (n, stanza) in lines
                    .split(Vec::is_empty)
                    .filter(|s| !s.is_empty())
                    .enumerate()
                {
                    if n > 0 {
                        let pitch = self.pitch();
                        self.elems.push(Elem {
                            height: pitch,
                            ..Elem::default()
                        });
                    }
                    let mut pt = ParaText::default();
                    for (k, line) in stanza.iter().enumerate() {
                        if k > 0 {
                            pt.push_break();
                        }
                        self.inlines(line, base, &mut pt);
                    }
                    self.kept_lines(
                        pt,
                        *span,
                        parent,
                        inset + 2.0 * base.size,
                        width - 2.0 * base.size,
                        base.size,
                        TagSpec::P,
                        LineKind::Verse,
                    );
                }
            }
            Block::Code { text, span, .. } => {
                let size = (base.size * 0.9 * 2.0).round() / 2.0;
                let s = InlineStyle::new(FaceChoice::Body, size);
                let mut pt = ParaText::default();
                for (k, line) in text.trim_end_matches('\n').split('\n').enumerate() {
                    if k > 0 {
                        pt.push_break();
                    }
                    pt.push(line, &s);
                }
                self.kept_lines(
                    pt,
                    *span,
                    parent,
                    inset + 2.0 * base.size,
                    width - 2.0 * base.size,
                    size,
                    TagSpec::Code,
                    LineKind::Verse,
                );
            }
            Block::Image {
                src,
                alt,
                caption,
                span,
            } => self.image(
                src,
                alt,
                caption.as_deref(),
                *span,
                parent,
                inset,
                width,
                base,
            ),
            Block::Table {
                alignments,
                header,
                rows,
                span,
            } => self.table(alignments, header, rows, *span, parent, inset, width, base),
            Block::Break { .. } => {
                let pitch = self.pitch();
                let w = 4.0 * base.size;
                self.elems.push(Elem {
                    height: pitch,
                    break_before: true,
                    items: vec![Item::Rule {
                        x0: inset + (width - w) / 2.0,
                        y0: pitch / 2.0,
                        x1: inset + (width + w) / 2.0,
                        y1: pitch / 2.0,
                        width: 0.5,
                    }],
                    ..Elem::default()
                });
            }
        }
    }

    /// The indent of a nested list or quote: `step`, taken `sides` times
    /// from a measure of `width`, unless that leaves less than half the
    /// text block; deeper levels then stay where they are, so that text
    /// nested as deep as Markdown allows is still set in readable lines.
    fn nested_indent(&self, width: f32, step: f32, sides: f32) -> f32 {
        if width - sides * step >= self.style.text_width / 2.0 {
            step
        } else {
            0.0
        }
    }

    /// Lines kept as written (verse, code): never justified.
    #[allow(clippy::too_many_arguments)]
    fn kept_lines(
        &mut self,
        pt: ParaText,
        span: Span,
        parent: usize,
        inset: f32,
        width: f32,
        size: f32,
        spec: TagSpec,
        kind: LineKind,
    ) {
        let node = self.node(parent, spec);
        let pitch = self.pitch() * size / self.style.body.size;
        let opts = ParaOpts {
            inset,
            width,
            indent: 0.0,
            align: Align::Left,
            justify: false,
            ragged: false,
            size,
            pitch,
            kind,
            span,
        };
        let lines = self.set_para(pt, &opts, node);
        let n = lines.len();
        let last_full = lines.last().is_some_and(nearly_full);
        for (k, line) in lines.into_iter().enumerate() {
            let break_before = page_break_allowed(k, n, last_full);
            let elem = self.line_elem(line, pitch, break_before);
            self.elems.push(elem);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn image(
        &mut self,
        src: &str,
        alt: &str,
        caption: Option<&str>,
        span: Span,
        parent: usize,
        inset: f32,
        width: f32,
        base: &InlineStyle,
    ) {
        let location = Location::new(&self.source_path, span.line, span.column);
        let found = self.resolved.and_then(|r| r.images.get(src));
        let image = match found {
            Some(Ok(image)) => image.clone(),
            Some(Err((message, hint))) => {
                self.diags
                    .push(Diagnostic::error(location, message.clone()).with_hint(hint.clone()));
                return;
            }
            None => {
                self.diags.push(Diagnostic::error(
                    location,
                    format!("the image `{src}` was not read"),
                ));
                return;
            }
        };
        let (pw, ph) = (image.width, image.height);
        // Scaled to the text width, but never taller than most of the page.
        let mut w = width;
        let mut h = w * ph as f32 / pw as f32;
        let max_h = self.style.text_height * 0.8;
        if h > max_h {
            w *= max_h / h;
            h = max_h;
        }
        let figure = self.node(parent, TagSpec::Figure(alt.to_string()));
        let uid = self.content(figure);
        let gap = self.pitch() * 0.5;
        self.elems.push(Elem {
            height: h + gap,
            space_before: gap,
            break_before: true,
            keep_with_next: caption.is_some(),
            items: vec![Item::Image {
                image,
                x: inset + (width - w) / 2.0,
                y: 0.0,
                width: w,
                height: h,
                tag: Some(uid),
            }],
            ..Elem::default()
        });
        if let Some(caption) = caption {
            let size = (base.size * 0.9 * 2.0).round() / 2.0;
            let s = InlineStyle::new(FaceChoice::Body, size);
            let mut pt = ParaText::default();
            pt.push(caption, &s);
            let node = self.node(figure, TagSpec::Caption);
            let pitch = self.pitch() * size / self.style.body.size;
            let opts = ParaOpts {
                inset,
                width,
                indent: 0.0,
                align: Align::Center,
                justify: false,
                ragged: true,
                size,
                pitch,
                kind: LineKind::Caption,
                span,
            };
            let lines = self.set_para(pt, &opts, node);
            let n = lines.len();
            for (k, line) in lines.into_iter().enumerate() {
                let mut elem = self.line_elem(line, pitch, false);
                elem.keep_with_next = k + 1 < n;
                if k + 1 == n {
                    elem.height += gap;
                }
                self.elems.push(elem);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn table(
        &mut self,
        alignments: &[Alignment],
        header: &[Vec<Inline>],
        rows: &[Vec<Vec<Inline>>],
        span: Span,
        parent: usize,
        inset: f32,
        width: f32,
        base: &InlineStyle,
    ) {
        let cols = rows
            .iter()
            .map(Vec::len)
            .chain(std::iter::once(header.len()))
            .max()
            .unwrap_or(0);
        if cols == 0 {
            return;
        }
        let normal = (base.size * 0.9 * 2.0).round() / 2.0;
        let body = InlineStyle::new(FaceChoice::Body, normal);
        let bold = InlineStyle::new(FaceChoice::Bold, normal);
        // Natural widths decide the columns' share of the measure; no
        // column is narrower than its longest unbreakable piece ("2022年",
        // "。」"), so that no cell runs into the next.
        let mut natural = vec![2.0 * normal; cols];
        let mut least = vec![normal; cols];
        let all_rows =
            std::iter::once((header, true)).chain(rows.iter().map(|r| (r.as_slice(), false)));
        for (row, is_header) in all_rows.clone() {
            for (c, cell) in row.iter().enumerate() {
                let mut pt = ParaText::default();
                self.inlines(cell, if is_header { &bold } else { &body }, &mut pt);
                let shaped = shape_para(self.book, pt, self.rules);
                let w: f32 = shaped.atoms.iter().map(|a| a.width).sum::<f32>()
                    + shaped.junctions.iter().map(|j| j.width).sum::<f32>();
                natural[c] = natural[c].max(w + 0.01);
                least[c] = least[c].max(unbreakable_width(&shaped) + 0.01);
            }
        }
        let Some(fit) = fit_columns(&natural, &least, width, normal) else {
            let location = Location::new(&self.source_path, span.line, span.column);
            let need: f32 = least.iter().sum::<f32>() * MIN_TABLE_SIZE / normal
                + cols as f32 * 2.0 * COMPACT_PAD * MIN_TABLE_SIZE;
            self.diags.push(
                Diagnostic::error(
                    location,
                    format!(
                        "this table of {cols} columns does not fit the page: even in {MIN_TABLE_SIZE} pt type its columns need {:.0} mm, and the text block is {:.0} mm wide",
                        need / super::style::MM,
                        width / super::style::MM
                    ),
                )
                .with_hint(
                    "split the table into tables of fewer columns, turn its rows into a list, \
                     or choose a page style with a wider text block ([style] pdf)",
                ),
            );
            return;
        };
        let size = fit.size;
        if size < normal {
            self.diags.push(Diagnostic::new(
                Severity::Note,
                Some(Location::new(&self.source_path, span.line, span.column)),
                format!("this table of {cols} columns is set in {size} pt type to fit the page"),
            ));
        }
        let pad_x = fit.pad * size;
        let pad_y = 0.3 * size;
        let pitch = size * 1.5;
        let body = InlineStyle::new(FaceChoice::Body, size);
        let bold = InlineStyle::new(FaceChoice::Bold, size);
        let col_w = fit.widths;
        // A row taller than this is cut into bands of one line that
        // pages may break between, the header repeated above each part.
        let tall = self.style.text_height / 2.0;
        let grid = self.style.body.grid;
        let table = self.node(parent, TagSpec::Table);
        let mut header_elem = None;
        let row_count = rows.len() + 1;
        for (r, (row, is_header)) in all_rows.enumerate() {
            if is_header && row.is_empty() {
                continue;
            }
            let tr = self.node(table, TagSpec::Row);
            let mut cells: Vec<Vec<LineOut>> = Vec::with_capacity(cols);
            let mut x = inset;
            let mut edges = vec![x];
            for (c, &col) in col_w.iter().enumerate() {
                let cell_node = self.node(
                    tr,
                    if is_header {
                        TagSpec::HeaderCell
                    } else {
                        TagSpec::Cell
                    },
                );
                let mut pt = ParaText::default();
                if let Some(cell) = row.get(c) {
                    self.inlines(cell, if is_header { &bold } else { &body }, &mut pt);
                }
                let align = match (is_header, alignments.get(c)) {
                    (true, _) | (_, Some(Alignment::Center)) => Align::Center,
                    _ => Align::Left,
                };
                let right = !is_header && alignments.get(c) == Some(&Alignment::Right);
                let opts = ParaOpts {
                    inset: x + pad_x,
                    width: col,
                    indent: 0.0,
                    align,
                    justify: false,
                    ragged: true,
                    size,
                    pitch,
                    kind: LineKind::Cell,
                    span,
                };
                let mut lines = self.set_para(pt, &opts, cell_node);
                if right {
                    for out in &mut lines {
                        let w = out.line.set.end - out.line.set.start;
                        out.line.x = x + pad_x + col - w - out.line.set.start;
                    }
                }
                cells.push(lines);
                x += col + 2.0 * pad_x;
                edges.push(x);
            }
            let count = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
            let h = count as f32 * pitch + 2.0 * pad_y;
            let strong = |bottom: bool| {
                if is_header || (bottom && r + 1 == row_count) {
                    0.75
                } else {
                    0.5
                }
            };
            // Bands, by their number of lines: the whole row, or one line
            // each for a tall row (on the body grid when the style has
            // one).
            let (bands, step, pad) = if h <= tall {
                (vec![count], pitch, pad_y)
            } else if grid {
                (vec![1; count], self.pitch(), 0.0)
            } else {
                (vec![1; count], pitch, pad_y)
            };
            let n = bands.len();
            let mut iters: Vec<_> = cells.into_iter().map(Vec::into_iter).collect();
            for (b, lines_in_band) in bands.into_iter().enumerate() {
                let (first, last) = (b == 0, b + 1 == n);
                let top = if first { pad } else { 0.0 };
                let height = lines_in_band as f32 * step + top + if last { pad } else { 0.0 };
                let mut items = Vec::new();
                let mut notes = Vec::new();
                for lines in &mut iters {
                    for (k, mut out) in lines.by_ref().take(lines_in_band).enumerate() {
                        let dy = top + k as f32 * step + (step - pitch) / 2.0;
                        out.line.baseline += dy;
                        items.push(Item::Line(out.line));
                        for extra in out.extras {
                            items.push(shift_item(extra, 0.0, dy));
                        }
                        notes.extend(out.notes);
                    }
                }
                for (y, at, bottom) in [(0.0, first, false), (height, last, true)] {
                    if at {
                        items.push(Item::Rule {
                            x0: inset,
                            y0: y,
                            x1: x,
                            y1: y,
                            width: strong(bottom),
                        });
                    }
                }
                for &e in &edges {
                    items.push(Item::Rule {
                        x0: e,
                        y0: 0.0,
                        x1: e,
                        y1: height,
                        width: 0.5,
                    });
                }
                // A band of a split row: widows and orphans as in a
                // paragraph.
                let break_before = first || (b >= 2 && n - b >= 2);
                let index = self.elems.len();
                self.elems.push(Elem {
                    height,
                    space_before: if r == 0 && first {
                        0.5 * self.pitch()
                    } else {
                        0.0
                    },
                    break_before,
                    // The header row keeps with the first row below it.
                    keep_with_next: is_header && last,
                    items,
                    notes,
                    header: if is_header { None } else { header_elem },
                    heading: None,
                });
                // Only a header row of one band is repeated on the next
                // pages: a taller one would crowd them out.
                if is_header {
                    header_elem = (n == 1).then_some(index);
                }
            }
        }
        let after = 0.5 * self.pitch();
        if let Some(last) = self.elems.last_mut() {
            last.height += after;
        }
    }
}

/// The smallest size table text is set in, in points, before a table with
/// too many columns is refused (七号, the smallest size in common use).
pub const MIN_TABLE_SIZE: f32 = 5.5;

/// Padding on each side of a cell in em, as set normally and as set when
/// the table is shrunk to fit.
const NORMAL_PAD: f32 = 0.5;
const COMPACT_PAD: f32 = 0.2;

/// How a table's columns fit its measure.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnFit {
    /// Type size of the cells.
    pub size: f32,
    /// Padding on each side of a cell, in em.
    pub pad: f32,
    /// Width of each column's text.
    pub widths: Vec<f32>,
}

/// Column widths for a measure of `width`, from the `natural` (one line)
/// and `least` (longest unbreakable piece) width of each column at
/// `size`. Columns share the room by natural width, none narrower than
/// its least; when even the least widths do not fit, the type is made
/// smaller (with closer padding) down to [`MIN_TABLE_SIZE`]; `None` when
/// that is not enough.
pub fn fit_columns(natural: &[f32], least: &[f32], width: f32, size: f32) -> Option<ColumnFit> {
    let cols = natural.len() as f32;
    let sum_least: f32 = least.iter().sum();
    let (scale, pad) = if sum_least + cols * 2.0 * NORMAL_PAD * size <= width {
        (1.0, NORMAL_PAD)
    } else {
        // Widths grow with the size: the size at which the least widths
        // and the compact padding fill the measure, in half points.
        let need = sum_least + cols * 2.0 * COMPACT_PAD * size;
        let smaller = (size * width / need * 2.0).floor() / 2.0;
        if smaller < MIN_TABLE_SIZE {
            return None;
        }
        (smaller / size, COMPACT_PAD)
    };
    let size = size * scale;
    let room = width - cols * 2.0 * pad * size;
    let natural: Vec<f32> = natural.iter().map(|w| w * scale).collect();
    let least: Vec<f32> = least.iter().map(|w| w * scale).collect();
    let total: f32 = natural.iter().sum();
    let sum_least: f32 = least.iter().sum();
    let widths = if natural
        .iter()
        .zip(&least)
        .all(|(n, l)| n / total * room >= *l)
    {
        natural.iter().map(|w| w / total * room).collect()
    } else {
        // Each column gets its least width, and the rest of the room in
        // proportion to how much more it would like.
        let spare = (room - sum_least).max(0.0);
        let wish: f32 = natural
            .iter()
            .zip(&least)
            .map(|(n, l)| (n - l).max(0.0))
            .sum();
        natural
            .iter()
            .zip(&least)
            .map(|(n, l)| {
                if wish > 0.0 {
                    l + (n - l).max(0.0) / wish * spare
                } else {
                    l + spare / cols
                }
            })
            .collect()
    };
    Some(ColumnFit { size, pad, widths })
}

/// The width of the longest run of atoms that a line should not break
/// inside: what no line may break, and Latin words and numbers (which
/// may, but only as a last resort) up to six em.
fn unbreakable_width(shaped: &Shaped) -> f32 {
    use super::linebreak::Brk;
    let mut widest: f32 = 0.0;
    let mut run = 0.0;
    let mut word = 0.0;
    for (k, atom) in shaped.atoms.iter().enumerate() {
        run += atom.width;
        word += atom.width;
        match shaped.junctions.get(k).map(|j| (j.brk, j.width)) {
            Some((Brk::Never, w)) => {
                run += w;
                word += w;
            }
            Some((Brk::Emergency, w)) => {
                word += w;
                widest = widest.max(run).max(word.min(6.0 * atom.em));
                run = 0.0;
            }
            _ => {
                widest = widest.max(run).max(word.min(6.0 * atom.em));
                run = 0.0;
                word = 0.0;
            }
        }
    }
    widest.max(run).max(word)
}

/// Puts `label`'s glyphs and text in front of `line`.
fn prepend_label(line: &mut Line, label: Line) {
    let shift = label.x - line.x;
    let offset = label.set.text.len() as u32;
    let mut glyphs = Vec::with_capacity(label.set.glyphs.len() + line.set.glyphs.len());
    for mut g in label.set.glyphs {
        g.x += shift;
        glyphs.push(g);
    }
    for mut g in std::mem::take(&mut line.set.glyphs) {
        g.text = g.text.start + offset..g.text.end + offset;
        glyphs.push(g);
    }
    line.set.glyphs = glyphs;
    line.set.text.insert_str(0, &label.set.text);
}

/// Footnote markers never start a line: the junction before a raised
/// atom is closed.
fn keep_markers_attached(shaped: &mut Shaped) {
    for i in 1..shaped.atoms.len() {
        let style = &shaped.styles[shaped.atoms[i].style as usize];
        if style.raise > 0.0 {
            shaped.junctions[i - 1].brk = super::linebreak::Brk::Never;
        }
    }
}

/// The lines `spans` of a broken paragraph set with `opts`, before they
/// are tagged; with `grid`, room above a line for its annotations is
/// whole lines of `pitch`.
fn place_spans(
    shaped: &Shaped,
    rubies: &[super::ruby::Prepared],
    para: &Para<'_>,
    spans: &[LineSpan],
    opts: &ParaOpts,
    grid: bool,
    pitch: f32,
) -> Vec<Placed> {
    let sums = Sums::new(para);
    let mut out = Vec::with_capacity(spans.len());
    let baseline = (opts.pitch - opts.size) / 2.0 + 0.88 * opts.size;
    for &span in spans {
        let indent = if span.start == 0 { opts.indent } else { 0.0 };
        let set = set_line(shaped, &sums, span, opts.width, indent, opts.justify);
        let shift = match opts.align {
            Align::Center if opts.ragged || span.last => (opts.width - set.end - set.start) / 2.0,
            _ => 0.0,
        };
        let x = opts.inset + shift;
        let notes: Vec<usize> = shaped
            .notes
            .iter()
            .filter(|(at, _)| set.source.contains(at))
            .map(|&(_, n)| n)
            .collect();
        let extras = decorations(&set, shaped, x, baseline, opts.size);
        let (annotations, top) = super::ruby::annotate(rubies, shaped, span, &set, opts.size);
        let mut above = super::ruby::extra_above(top, opts.size, opts.pitch);
        if above > 0.0 && grid {
            // Whole lines, so that the lines keep the page grid.
            above = (above / pitch).ceil() * pitch;
        }
        out.push(Placed {
            set,
            x,
            baseline,
            justified: opts.justify && !span.last,
            extras,
            annotations,
            notes,
            above,
        });
    }
    out
}

/// Emphasis dots, link areas and link anchors of a set line whose
/// text is `size` points.
fn decorations(set: &SetLine, shaped: &Shaped, x: f32, baseline: f32, size: f32) -> Vec<Item> {
    let mut out = Vec::new();
    let mut link: Option<(f32, f32, &LinkTarget)> = None;
    let close = |link: Option<(f32, f32, &LinkTarget)>, out: &mut Vec<Item>| {
        if let Some((x0, x1, target)) = link {
            out.push(link_item(x0, x1, target.clone(), baseline, size));
            // A footnote reference is where its note links back to, and
            // the note's marker where the reference links to.
            let anchor = match target {
                LinkTarget::Note(c, n) => Some(LinkTarget::NoteRef(*c, *n)),
                LinkTarget::NoteRef(c, n) => Some(LinkTarget::Note(*c, *n)),
                _ => None,
            };
            if let Some(target) = anchor {
                out.push(Item::Anchor {
                    x,
                    y: baseline - 1.2 * size,
                    target,
                });
            }
        }
    };
    for g in &set.glyphs {
        let style = &shaped.styles[g.style as usize];
        if style.dots {
            let c = set.text[g.text.start as usize..]
                .chars()
                .next()
                .unwrap_or(' ');
            if Class::of(c) == Class::Ideo {
                out.push(Item::Dot {
                    x: x + g.x + g.advance / 2.0,
                    y: baseline + 0.27 * g.size,
                    r: 0.06 * g.size,
                });
            }
        }
        match (&mut link, &style.target) {
            (Some((_, x1, target)), Some(t)) if *target == t => *x1 = x + g.x + g.advance,
            (_, Some(t)) => {
                close(link.take(), &mut out);
                link = Some((x + g.x, x + g.x + g.advance, t));
            }
            (_, None) => close(link.take(), &mut out),
        }
    }
    close(link.take(), &mut out);
    out
}

/// The area of a link over `x0..x1` on a line of `size` points; a small
/// footnote mark gets a wider area than its ink, to be easy to hit.
fn link_item(x0: f32, x1: f32, target: LinkTarget, baseline: f32, size: f32) -> Item {
    let grow = ((0.6 * size - (x1 - x0)) / 2.0).max(0.0);
    Item::Link {
        x0: x0 - grow,
        y0: baseline - 0.95 * size,
        x1: x1 + grow,
        y1: baseline + 0.2 * size,
        target,
    }
}

/// Moves an item by `dx`, `dy`.
pub fn shift_item(item: Item, dx: f32, dy: f32) -> Item {
    match item {
        Item::Line(mut line) => {
            line.x += dx;
            line.baseline += dy;
            Item::Line(line)
        }
        Item::Rule {
            x0,
            y0,
            x1,
            y1,
            width,
        } => Item::Rule {
            x0: x0 + dx,
            y0: y0 + dy,
            x1: x1 + dx,
            y1: y1 + dy,
            width,
        },
        Item::Image {
            image,
            x,
            y,
            width,
            height,
            tag,
        } => Item::Image {
            image,
            x: x + dx,
            y: y + dy,
            width,
            height,
            tag,
        },
        Item::Dot { x, y, r } => Item::Dot {
            x: x + dx,
            y: y + dy,
            r,
        },
        Item::Link {
            x0,
            y0,
            x1,
            y1,
            target,
        } => Item::Link {
            x0: x0 + dx,
            y0: y0 + dy,
            x1: x1 + dx,
            y1: y1 + dy,
            target,
        },
        Item::Anchor { x, y, target } => Item::Anchor {
            x: x + dx,
            y: y + dy,
            target,
        },
        Item::PageRef {
            heading,
            x,
            leader_from,
            leader_to,
            baseline,
            size,
            tag,
        } => Item::PageRef {
            heading,
            x: x + dx,
            leader_from: leader_from + dx,
            leader_to: leader_to + dx,
            baseline: baseline + dy,
            size,
            tag,
        },
        Item::Leader { x0, x1, y, step, r } => Item::Leader {
            x0: x0 + dx,
            x1: x1 + dx,
            y: y + dy,
            step,
            r,
        },
    }
}

impl PlacedGlyph {
    /// The right edge of its advance.
    pub fn right(&self) -> f32 {
        self.x + self.advance
    }
}

/// Whether a page may end before line `k` of a paragraph of `n` lines,
/// as a careful compositor decides: the paragraph's first line may stand
/// alone at the foot of a page (its indent shows a paragraph begins), but
/// its last line stands alone at the head of a page only when it is
/// nearly full and so reads as any other line; a short last line there is
/// the widow (孤行) that is never allowed. A three-line paragraph thus
/// splits 1 + 2, and pages end short only where a paragraph of two short
/// lines or a heading must move on.
pub fn page_break_allowed(k: usize, n: usize, last_full: bool) -> bool {
    k == 0 || n - k >= 2 || (k + 1 == n && last_full)
}

/// A line filling at least four fifths of its measure.
fn nearly_full(line: &LineOut) -> bool {
    let set = &line.line.set;
    set.end - set.start >= 0.8 * (line.line.measure - set.start)
}
