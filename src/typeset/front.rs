//! Front matter: the title page, the imprint (copyright) page and the
//! table of contents, and where the title and the contents go when they
//! have no pages of their own.
//!
//! The text is laid out and paginated first; the front matter is then
//! set, each page in place at its own margins, and goes before it. The
//! text is numbered from 1 on its own and its layout does not depend on
//! the front matter, so the page numbers in the contents are known before
//! the contents are set and do not change with its length: the contents
//! is set once, and the text never again. Joining only counts the text's
//! pages on after the front ones; its numbers are written in by `running`
//! after that. A two-sided book gets an even number of front pages, so
//! that the text's odd pages are rectos.

use super::layout::{Elem, Flow, Item, Layouter, LineKind, Opening, TagNode, TagSpec};
use super::paginate::{assemble, blank_page, Layout, PageLayout, PageNumber, PageRole};
use super::shape::FontBook;
use super::style::{Align, ContentsMatter, FaceChoice, HeadingSetup, PageStyle, TitleMatter};
use crate::diag::Diagnostic;
use crate::model::Document;

/// What the front matter of a book is, resolved from the page style and
/// the kind of book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrontPlan {
    pub title_page: bool,
    pub imprint_page: bool,
    pub contents_pages: bool,
    /// The contents as a list on the first page of the text.
    pub contents_block: bool,
}

impl FrontPlan {
    /// The plan for `doc` in `style`. `auto` gives a book of chapters a
    /// title page and contents pages; a single article, which a publisher
    /// would print as a few pages of a report, keeps its own title at the
    /// head of its first page and lists its sections under it.
    pub fn new(doc: &Document, style: &PageStyle) -> FrontPlan {
        let single = doc.settings.single_article;
        let title_page = match style.front.title {
            TitleMatter::Auto => !single,
            TitleMatter::Page => true,
            TitleMatter::Block => false,
        };
        let has_toc = !doc.toc.is_empty();
        let (contents_pages, contents_block) = match style.front.contents {
            ContentsMatter::Auto => (has_toc && !single, has_toc && single),
            ContentsMatter::Pages => (has_toc, false),
            ContentsMatter::Block => (false, has_toc),
            ContentsMatter::None => (false, false),
        };
        FrontPlan {
            title_page,
            imprint_page: title_page && style.front.imprint && has_imprint(doc),
            contents_pages,
            contents_block,
        }
    }

    /// What the first chapter carries on its first page.
    pub fn opening<'d>(&self, doc: &'d Document) -> Option<Opening<'d>> {
        let m = &doc.metadata;
        let byline = (!self.title_page && !m.authors.is_empty()).then(|| m.authors.join("　"));
        // A single article's title is the book's: it is set once, as the
        // chapter title.
        let title = (!self.title_page && !doc.settings.single_article)
            .then_some((m.title.as_str(), m.subtitle.as_deref()));
        let contents: &[_] = if self.contents_block { &doc.toc } else { &[] };
        if title.is_none() && byline.is_none() && contents.is_empty() {
            return None;
        }
        Some(Opening {
            title,
            byline,
            contents,
            contents_label: super::layout::contents_label(&m.language),
        })
    }
}

/// Whether the book has something that belongs on an imprint page. Every
/// book has an identifier and most a year, but a derived UUID and a bare
/// year do not make a copyright page; a publisher, rights or an ISBN do.
fn has_imprint(doc: &Document) -> bool {
    let m = &doc.metadata;
    m.publisher.is_some() || m.rights.is_some() || isbn(&m.identifier).is_some()
}

fn isbn(identifier: &str) -> Option<&str> {
    identifier.strip_prefix("urn:isbn:")
}

/// Builds the front matter of `plan` and puts it before `text` (the
/// paginated chapters). Returns the whole book and the diagnostics of
/// setting the front matter.
pub fn prepend(
    doc: &Document,
    book: &FontBook<'_>,
    style: &PageStyle,
    plan: FrontPlan,
    text: Layout,
    date: Option<crate::resolve::BookTime>,
) -> (Layout, Vec<Diagnostic>) {
    let mut pages: Vec<PageLayout> = Vec::new();
    let mut trees = Vec::new();
    let mut diagnostics = Vec::new();
    // The front matter of a single file is traced to it; a book's to its
    // folder (the metadata's places are reported by resolve).
    let source = if doc.settings.single_article {
        doc.chapters.first().map_or("", |c| c.source.as_str())
    } else {
        ""
    };
    let layouter = || Layouter::new(book, style, 0, &doc.settings.base_dir, source);
    if plan.title_page {
        let flow = title_page(layouter(), doc, style, origin_of(pages.len(), style));
        push_page(
            &mut pages,
            &mut trees,
            flow,
            PageRole::Title,
            style,
            &mut diagnostics,
        );
        if plan.imprint_page {
            let page = origin_of(pages.len(), style);
            let flow = imprint_page(layouter(), doc, style, page, date);
            push_page(
                &mut pages,
                &mut trees,
                flow,
                PageRole::Imprint,
                style,
                &mut diagnostics,
            );
        } else if style.two_sided() {
            // The title page's back stays blank.
            pages.push(blank_page(style.left_verso));
        }
    }
    if plan.contents_pages {
        let mut lay = layouter();
        let digits = text.pages.len().max(1).to_string().len();
        let label = super::layout::contents_label(&doc.metadata.language);
        lay.contents(&doc.toc, label, Some(&style.title), digits);
        let flow = lay.finish();
        diagnostics.extend(flow.diagnostics.iter().cloned());
        let mut contents = assemble(vec![super::paginate::paginate_flow(flow, style)], style);
        let tree = trees.len();
        trees.append(&mut contents.tags);
        // The contents was paginated from a recto. In a two-sided book it
        // starts on one (the title page comes with its back); in a
        // one-sided book both sides have the same margins.
        for (k, mut page) in contents.pages.into_iter().enumerate() {
            page.chapter = None;
            page.tree = Some(tree);
            page.role = PageRole::Contents { first: k == 0 };
            pages.push(page);
        }
    }
    if style.two_sided() && pages.len() % 2 == 1 {
        pages.push(blank_page(style.left_verso));
    }
    (join(pages, trees, text), diagnostics)
}

/// Where the text block of the book's `index`-th page starts: front
/// pages are set in place, at their page's margins.
#[derive(Debug, Clone, Copy)]
struct Origin {
    left: f32,
    top: f32,
}

fn origin_of(index: usize, style: &PageStyle) -> Origin {
    let left = if index % 2 == 0 {
        style.left_recto
    } else {
        style.left_verso
    };
    Origin {
        left,
        top: style.top,
    }
}

/// Adds a page that shows `flow`'s items where they were placed, with its
/// tag tree.
fn push_page(
    pages: &mut Vec<PageLayout>,
    trees: &mut Vec<Vec<TagNode>>,
    flow: Placed,
    role: PageRole,
    style: &PageStyle,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let left = origin_of(pages.len(), style).left;
    diagnostics.extend(flow.flow.diagnostics);
    pages.push(PageLayout {
        chapter: None,
        tree: Some(trees.len()),
        role,
        number: PageNumber::default(),
        items: flow.items,
        text_left: left,
    });
    trees.push(flow.flow.tags);
}

/// A page's items, placed on the page, and the flow they came from (for
/// its tags and diagnostics).
struct Placed {
    items: Vec<Item>,
    flow: Flow,
}

/// Places `elems` one below the other, `y` below the top of the text
/// block at `at` on; returns the `y` below the last one.
fn stack(elems: Vec<Elem>, at: Origin, mut y: f32, items: &mut Vec<Item>) -> f32 {
    for (k, elem) in elems.into_iter().enumerate() {
        if k > 0 {
            y += elem.space_before;
        }
        let height = elem.height;
        items.extend(elem.placed_at(at.left, at.top + y));
        y += height;
    }
    y
}

/// Total height of `elems` as [`stack`] puts them.
fn height(elems: &[Elem]) -> f32 {
    elems
        .iter()
        .enumerate()
        .map(|(k, e)| e.height + if k > 0 { e.space_before } else { 0.0 })
        .sum()
}

/// The title page: title and subtitle a fifth of the way down the text
/// block, the authors at its middle, the publisher and the year (or the
/// edition) at its foot.
fn title_page(
    mut lay: Layouter<'_, '_>,
    doc: &Document,
    style: &PageStyle,
    page: Origin,
) -> Placed {
    let m = &doc.metadata;
    let h = style.text_height;
    let body = style.body.size;
    let centred = |size: f32, face: FaceChoice, space_before: f32| HeadingSetup {
        size,
        face,
        align: Align::Center,
        space_before,
        space_after: 0.0,
        family: Vec::new(),
        spread_short: false,
    };
    let mut items = Vec::new();
    let title_size = (style.title.size * 1.4).round();
    let node = lay.tag(0, TagSpec::Title);
    let setup = centred(title_size, style.title.face, 0.0);
    lay.text_block(&m.title, &setup, node, LineKind::Front, None);
    if let Some(subtitle) = &m.subtitle {
        let node = lay.tag(0, TagSpec::P);
        let setup = centred(style.subtitle.size, style.subtitle.face, 1.0);
        let subtitle = crate::model::dashed_subtitle(subtitle);
        lay.text_block(&subtitle, &setup, node, LineKind::Front, None);
    }
    stack(lay.take_elems(), page, 0.2 * h, &mut items);
    if !m.authors.is_empty() {
        let node = lay.tag(0, TagSpec::P);
        let setup = centred((body * 1.2 * 2.0).round() / 2.0, FaceChoice::Body, 0.0);
        lay.text_block(&m.authors.join("　"), &setup, node, LineKind::Front, None);
        stack(lay.take_elems(), page, 0.5 * h, &mut items);
    }
    let mut foot = Vec::new();
    if let Some(publisher) = &m.publisher {
        foot.push(publisher.clone());
    }
    if let Some(year) = edition_or_year(doc) {
        foot.push(year);
    }
    for (k, line) in foot.iter().enumerate() {
        let node = lay.tag(0, TagSpec::P);
        let setup = centred(body, FaceChoice::Body, if k > 0 { 0.25 } else { 0.0 });
        lay.text_block(line, &setup, node, LineKind::Front, None);
    }
    let elems = lay.take_elems();
    let y = h - height(&elems);
    stack(elems, page, y, &mut items);
    Placed {
        items,
        flow: lay.finish(),
    }
}

/// The edition, unless it is only the year; else the year, as "2025年".
fn edition_or_year(doc: &Document) -> Option<String> {
    let m = &doc.metadata;
    let year = m
        .date
        .as_deref()
        .and_then(|d| d.get(..4))
        .filter(|y| y.bytes().all(|b| b.is_ascii_digit()));
    match (m.edition.as_deref(), year) {
        (Some(edition), year) if Some(edition) != year => Some(edition.to_string()),
        (_, Some(year)) => Some(format!("{year}年")),
        _ => None,
    }
}

/// The imprint page (版权页): the bibliographic lines at the foot of the
/// page, under a rule.
fn imprint_page(
    mut lay: Layouter<'_, '_>,
    doc: &Document,
    style: &PageStyle,
    page: Origin,
    date: Option<crate::resolve::BookTime>,
) -> Placed {
    let m = &doc.metadata;
    let mut lines: Vec<String> = Vec::new();
    lines.push(match &m.subtitle {
        Some(subtitle) => format!("{}：{subtitle}", m.title),
        None => m.title.clone(),
    });
    if !m.authors.is_empty() {
        lines.push(m.authors.join("、"));
    }
    if let Some(publisher) = &m.publisher {
        lines.push(format!("出版：{publisher}"));
    }
    // The date as resolve parsed it, in Chinese; one that is not a real
    // date is shown as written.
    if let Some(written) = &m.date {
        let date = date.map_or_else(|| written.clone(), crate::resolve::BookTime::chinese);
        lines.push(format!("日期：{date}"));
    }
    if let Some(edition) = edition_or_year(doc).filter(|e| !e.ends_with('年')) {
        lines.push(format!("版次：{edition}"));
    }
    if let Some(isbn) = isbn(&m.identifier) {
        lines.push(format!("书号：ISBN {isbn}"));
    }
    if let Some(rights) = &m.rights {
        lines.push(rights.clone());
    }
    let size = (style.body.size * 0.85 * 2.0).round() / 2.0;
    let pitch = size * 1.7;
    for line in &lines {
        lay.plain_paragraph(line, size, pitch, 0, LineKind::Front, None);
    }
    let elems = lay.take_elems();
    let y = style.text_height - height(&elems);
    let rule = page.top + y - 0.5 * pitch;
    let mut items = vec![Item::Rule {
        x0: page.left,
        y0: rule,
        x1: page.left + style.text_width,
        y1: rule,
        width: 0.5,
    }];
    stack(elems, page, y, &mut items);
    Placed {
        items,
        flow: lay.finish(),
    }
}

/// The front `pages` with their tag `trees`, then the `text`: the text's
/// pages, headings and trees move back by the front matter.
fn join(mut pages: Vec<PageLayout>, mut trees: Vec<Vec<TagNode>>, text: Layout) -> Layout {
    let front = pages.len();
    let shift = trees.len();
    for mut page in text.pages {
        page.tree = page.tree.map(|t| t + shift);
        pages.push(page);
    }
    let mut headings = text.headings;
    for h in &mut headings {
        h.page += front;
    }
    trees.extend(text.tags);
    Layout {
        width: text.width,
        height: text.height,
        pages,
        front_pages: front,
        headings,
        tags: trees,
        faces: text.faces,
        outline: text.outline,
        created: text.created,
        metadata: text.metadata,
        sources: text.sources,
        origins: text.origins,
    }
}
