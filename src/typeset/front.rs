//! Front matter: the title page, the imprint (copyright) page and the
//! table of contents, and where the title and the contents go when they
//! have no pages of their own.
//!
//! The text is laid out and paginated first; the front matter is then
//! built and put before it. The text is numbered from 1 on its own, so the
//! page numbers in the contents are known before the contents are set and
//! do not change with its length: the contents is set once, and the text
//! never again. Its numbers are written in by `running` after the pages
//! are joined. A two-sided book gets an even number of front pages, so
//! that the text's odd pages are rectos.

use super::layout::{shift_item, Elem, Flow, Item, Layouter, LineKind, Opening, TagNode, TagSpec};
use super::paginate::{assemble, blank_page, Layout, PageLayout, PageNumber, PageRole};
use super::shape::FontBook;
use super::style::{Align, ContentsMatter, FaceChoice, HeadingSetup, PageStyle, TitleMatter};
use crate::diag::{Diagnostic, Location};
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
        let first_author = m.authors.first().map_or("", String::as_str);
        Some(Opening {
            title,
            byline,
            contents,
            contents_label: super::layout::contents_label(&m.language),
            origins: [
                origin(doc, &m.title, ""),
                m.subtitle.as_deref().and_then(|s| origin(doc, s, "")),
                origin(doc, first_author, ""),
            ],
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

/// Where `value`, printed after `prefix`, is written in `book.toml`, the
/// place its lines are traced to; `None` for a single file, whose title
/// is its own first line.
fn origin(doc: &Document, value: &str, prefix: &str) -> Option<Location> {
    if doc.settings.single_article {
        return None;
    }
    let toml = doc.settings.base_dir.join(crate::config::BOOK_FILE);
    let at = crate::config::locate_value(&toml, value);
    if at.line == 0 {
        return Some(at);
    }
    // The column of the quote; the text starts after it.
    let column = (at.column + 1).saturating_sub(prefix.chars().count() as u32);
    Some(Location::new(at.file, at.line, column))
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
) -> (Layout, Vec<Diagnostic>) {
    let mut pages: Vec<PageLayout> = Vec::new();
    let mut trees = Vec::new();
    let mut diagnostics = Vec::new();
    let source = if doc.settings.single_article {
        doc.chapters.first().map_or("", |c| c.source.as_str())
    } else {
        crate::config::BOOK_FILE
    };
    let layouter = || Layouter::new(book, style, 0, &doc.settings.base_dir, source);
    if plan.title_page {
        let flow = title_page(layouter(), doc, style);
        push_page(
            &mut pages,
            &mut trees,
            flow,
            PageRole::Title,
            style,
            &mut diagnostics,
        );
        if plan.imprint_page {
            let flow = imprint_page(layouter(), doc, style);
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
        let mut contents = assemble(vec![flow], style);
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

/// Adds a page that shows `flow`'s items as they were placed, with its
/// tag tree.
fn push_page(
    pages: &mut Vec<PageLayout>,
    trees: &mut Vec<Vec<TagNode>>,
    flow: Placed,
    role: PageRole,
    style: &PageStyle,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let left = if pages.len() % 2 == 0 {
        style.left_recto
    } else {
        style.left_verso
    };
    let items = flow
        .items
        .into_iter()
        .map(|item| shift_item(item, left, style.top))
        .collect();
    diagnostics.extend(flow.flow.diagnostics);
    pages.push(PageLayout {
        chapter: None,
        tree: Some(trees.len()),
        role,
        number: PageNumber::default(),
        items,
        text_left: left,
    });
    trees.push(flow.flow.tags);
}

/// A page's items, placed relative to the text block, and the flow they
/// came from (for its tags and diagnostics).
struct Placed {
    items: Vec<Item>,
    flow: Flow,
}

/// Puts `elems` one below the other from `y` on; returns the items and
/// the `y` below the last one.
fn stack(elems: Vec<Elem>, mut y: f32, items: &mut Vec<Item>) -> f32 {
    for (k, elem) in elems.into_iter().enumerate() {
        if k > 0 {
            y += elem.space_before;
        }
        for item in elem.items {
            items.push(shift_item(item, 0.0, y));
        }
        y += elem.height;
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
fn title_page(mut lay: Layouter<'_, '_>, doc: &Document, style: &PageStyle) -> Placed {
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
    let at = origin(doc, &m.title, "");
    lay.text_block(&m.title, &setup, node, LineKind::Front, at.as_ref());
    if let Some(subtitle) = &m.subtitle {
        let node = lay.tag(0, TagSpec::P);
        let setup = centred(style.subtitle.size, style.subtitle.face, 1.0);
        let at = origin(doc, subtitle, "");
        let subtitle = crate::model::dashed_subtitle(subtitle);
        lay.text_block(&subtitle, &setup, node, LineKind::Front, at.as_ref());
    }
    stack(lay.take_elems(), 0.2 * h, &mut items);
    if !m.authors.is_empty() {
        let node = lay.tag(0, TagSpec::P);
        let setup = centred((body * 1.2 * 2.0).round() / 2.0, FaceChoice::Body, 0.0);
        let at = origin(doc, &m.authors[0], "");
        lay.text_block(
            &m.authors.join("　"),
            &setup,
            node,
            LineKind::Front,
            at.as_ref(),
        );
        stack(lay.take_elems(), 0.5 * h, &mut items);
    }
    let mut foot = Vec::new();
    if let Some(publisher) = &m.publisher {
        foot.push((publisher.clone(), origin(doc, publisher, "")));
    }
    if let Some(year) = edition_or_year(doc) {
        let at = m.edition.as_deref().and_then(|e| origin(doc, e, ""));
        foot.push((year, at));
    }
    for (k, (line, at)) in foot.iter().enumerate() {
        let node = lay.tag(0, TagSpec::P);
        let setup = centred(body, FaceChoice::Body, if k > 0 { 0.25 } else { 0.0 });
        lay.text_block(line, &setup, node, LineKind::Front, at.as_ref());
    }
    let elems = lay.take_elems();
    let y = h - height(&elems);
    stack(elems, y, &mut items);
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

/// An ISO date as it is written in Chinese: `2025年12月20日`.
fn chinese_date(date: &str) -> String {
    let parts: Vec<&str> = date.split('-').collect();
    let number = |s: &str| s.trim_start_matches('0').to_string();
    match parts.as_slice() {
        [y, m, d] => format!("{y}年{}月{}日", number(m), number(d)),
        [y, m] => format!("{y}年{}月", number(m)),
        _ => format!("{date}年"),
    }
}

/// The imprint page (版权页): the bibliographic lines at the foot of the
/// page, under a rule.
fn imprint_page(mut lay: Layouter<'_, '_>, doc: &Document, style: &PageStyle) -> Placed {
    let m = &doc.metadata;
    // Each line with the value it shows, for reporting its characters.
    let mut lines: Vec<(String, Option<Location>)> = Vec::new();
    lines.push(match &m.subtitle {
        Some(subtitle) => (
            format!("{}：{subtitle}", m.title),
            origin(doc, &m.title, ""),
        ),
        None => (m.title.clone(), origin(doc, &m.title, "")),
    });
    if let Some(first) = m.authors.first() {
        lines.push((m.authors.join("、"), origin(doc, first, "")));
    }
    if let Some(publisher) = &m.publisher {
        let prefix = "出版：";
        lines.push((
            format!("{prefix}{publisher}"),
            origin(doc, publisher, prefix),
        ));
    }
    if let Some(date) = &m.date {
        lines.push((format!("日期：{}", chinese_date(date)), None));
    }
    if let Some(edition) = edition_or_year(doc).filter(|e| !e.ends_with('年')) {
        let prefix = "版次：";
        let at = origin(doc, &edition, prefix);
        lines.push((format!("{prefix}{edition}"), at));
    }
    if let Some(isbn) = isbn(&m.identifier) {
        lines.push((format!("书号：ISBN {isbn}"), None));
    }
    if let Some(rights) = &m.rights {
        lines.push((rights.clone(), origin(doc, rights, "")));
    }
    let size = (style.body.size * 0.85 * 2.0).round() / 2.0;
    let pitch = size * 1.7;
    for (line, at) in &lines {
        lay.plain_paragraph(line, size, pitch, 0, LineKind::Front, at.as_ref());
    }
    let elems = lay.take_elems();
    let y = style.text_height - height(&elems);
    let mut items = vec![Item::Rule {
        x0: 0.0,
        y0: y - 0.5 * pitch,
        x1: style.text_width,
        y1: y - 0.5 * pitch,
        width: 0.5,
    }];
    stack(elems, y, &mut items);
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

#[cfg(test)]
mod tests {
    use super::chinese_date;

    #[test]
    fn dates_in_chinese() {
        assert_eq!(chinese_date("2025-12-20"), "2025年12月20日");
        assert_eq!(chinese_date("2025-03"), "2025年3月");
        assert_eq!(chinese_date("2025"), "2025年");
    }
}
