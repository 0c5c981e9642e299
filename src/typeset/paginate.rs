//! Pagination: chapter flows cut into pages, then joined into the laid-out
//! book with absolute positions.
//!
//! A page is filled element by element; when the next one does not fit,
//! the page ends at the last place where a break is allowed (widows and
//! orphans, headings kept with the next two lines, a table header with
//! its first row). Footnotes go to the foot of the page of their
//! reference. Each chapter starts a new page, on a recto when the style
//! asks for it. The result, [`Layout`], records which heading landed on
//! which page and where, for the outline, the table of contents and the
//! running heads; the front matter is put before it by `front`, and page
//! numbers, running heads and folios are added by `running`.

use std::collections::HashMap;

use super::layout::{shift_item, Elem, Flow, Item, Line, LineKind, LinkTarget, TagNode};
use super::style::{ChapterStart, PageStyle};
use crate::model::Span;

/// A page with everything on it, positions in points from the top-left
/// corner of the page.
#[derive(Debug, Clone)]
pub struct PageLayout {
    /// Index of the chapter whose content the page shows; `None` for a
    /// blank page and the front matter.
    pub chapter: Option<usize>,
    /// Index of the tag tree (in [`Layout::tags`]) its content belongs to.
    pub tree: Option<usize>,
    pub role: PageRole,
    /// The page's number: lower-case roman in the front matter, arabic
    /// from the first page of the text on.
    pub number: PageNumber,
    pub items: Vec<Item>,
    /// Left edge of the text block on this page.
    pub text_left: f32,
}

/// What a page is, for running heads and folios.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageRole {
    Title,
    Imprint,
    /// A page of the table of contents; `first` for its first page.
    Contents {
        first: bool,
    },
    /// A page of a chapter; `first` for the page it starts on.
    Text {
        first: bool,
    },
    /// A page left blank so that what follows starts on a recto.
    Blank,
}

/// A page number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PageNumber {
    pub value: u32,
    pub roman: bool,
}

impl PageNumber {
    /// The number as printed: `iv` or `12`.
    pub fn label(self) -> String {
        if self.roman {
            roman(self.value)
        } else {
            self.value.to_string()
        }
    }
}

/// Lower-case roman numerals (1 to 3999; others in arabic).
pub fn roman(mut n: u32) -> String {
    if n == 0 || n >= 4000 {
        return n.to_string();
    }
    const DIGITS: [(u32, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for (value, digits) in DIGITS {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

/// Where a heading landed.
#[derive(Debug, Clone)]
pub struct HeadingPlace {
    pub id: String,
    pub level: u8,
    pub title: String,
    pub chapter: usize,
    /// Page index (0-based).
    pub page: usize,
    /// Top of the heading's first line on that page.
    pub y: f32,
}

/// The laid-out book.
#[derive(Debug, Clone)]
pub struct Layout {
    pub width: f32,
    pub height: f32,
    pub pages: Vec<PageLayout>,
    /// Pages before the first page of the text (numbered in roman).
    pub front_pages: usize,
    pub headings: Vec<HeadingPlace>,
    /// The tag trees in reading order: the front matter's, then one per
    /// chapter (node 0 is the chapter).
    pub tags: Vec<Vec<TagNode>>,
    /// The faces that glyphs refer to by their `face` number.
    pub faces: Vec<crate::fonts::Face>,
    /// The outline: the table of contents' tree; each entry leads to the
    /// heading of its id (see `headings`).
    pub outline: Vec<crate::model::TocEntry>,
    /// When the book was made, for the document's metadata.
    pub created: Option<crate::resolve::BookTime>,
    /// The book's metadata (title, authors, language, ...), set with the
    /// rest by `typeset`; `None` only while the pages are being made.
    pub metadata: Option<Box<crate::model::Metadata>>,
    /// Each chapter's source file (the book folder joined), by chapter
    /// index, so that an exporter's errors can name where to fix them.
    pub sources: Vec<std::path::PathBuf>,
    /// Where the text of each tagged line of a chapter came from, by
    /// chapter index and content id: the span of its block.
    pub origins: std::collections::BTreeMap<(usize, u32), crate::model::Span>,
}

impl Layout {
    /// The lines of the chapters' text in reading order, each with its
    /// chapter, its tag and the span of the block it sets. Page furniture
    /// (running heads, folios), contents lines and untagged lines (a
    /// table header repeated on a later page) are left out.
    pub fn text_lines(&self) -> impl Iterator<Item = (usize, u32, &Line, &Span)> + '_ {
        self.pages
            .iter()
            .filter_map(|page| Some((page.chapter?, page)))
            .flat_map(move |(chapter, page)| {
                page.items.iter().filter_map(move |item| {
                    let Item::Line(line) = item else {
                        return None;
                    };
                    if matches!(
                        line.kind,
                        LineKind::Head | LineKind::Folio | LineKind::Contents
                    ) {
                        return None;
                    }
                    let tag = line.tag?;
                    let span = self.origins.get(&(chapter, tag))?;
                    Some((chapter, tag, line, span))
                })
            })
    }

    /// Where links go, as (page, x, y) in points: each heading (the left
    /// edge of the text block, the top of its first line) and each
    /// anchor, by target; the first anchor of a target wins (a note
    /// referred to twice leads back to its first reference).
    pub fn link_places(&self) -> HashMap<LinkTarget, (usize, f32, f32)> {
        let mut out = HashMap::new();
        for h in &self.headings {
            let left = self.pages[h.page].text_left;
            out.insert(LinkTarget::Heading(h.id.clone()), (h.page, left, h.y));
        }
        for (index, page) in self.pages.iter().enumerate() {
            for item in &page.items {
                if let Item::Anchor { x, y, target } = item {
                    out.entry(target.clone()).or_insert((index, *x, *y));
                }
            }
        }
        out
    }
}

/// The elements of one page, before positioning.
struct PageBody {
    /// Element index and top.
    placed: Vec<(usize, f32)>,
    /// A table header repeated at the top.
    repeated: Option<usize>,
    notes: Vec<usize>,
    notes_height: f32,
}

/// Cuts a chapter's flow into pages of `height`. A page that would end
/// short of the foot (by a line or more) where the chapter goes on, as
/// where a paragraph's last line may not open the next page or a heading
/// goes on with its text, is filled by setting paragraphs that start on
/// it in one line more or one less (their other settings in
/// `flow.variants`), as a compositor loosens or tightens a paragraph:
/// one paragraph when that is enough, else two or three, the fullest page
/// first and then the cheapest settings.
fn paginate(flow: &mut Flow, height: f32, separator: f32, pitch: f32) -> Vec<PageBody> {
    let mut pages = Vec::new();
    let mut used = vec![false; flow.variants.len()];
    let mut i = 0;
    while i < flow.elems.len() {
        let page = page_from(flow, i, &[], height, separator);
        if page.end < flow.elems.len() && page.slack >= pitch - 0.01 {
            if let Some(choice) = best_choice(flow, i, &page, &used, height, separator, pitch) {
                // Later paragraphs move: apply from the last one back.
                for &(v, a) in choice.iter().rev() {
                    swap_variant(flow, v, a);
                    used[v] = true;
                }
            }
        }
        let page = page_from(flow, i, &[], height, separator);
        i = page.end;
        pages.push(page.body);
    }
    pages
}

/// Paragraphs in other settings: (variant, setting) pairs in flow order.
type Choice = Vec<(usize, usize)>;

/// A page filled from element `i` with some paragraphs in other settings.
struct Trial {
    body: PageBody,
    /// The flow element after the page (for a page without other
    /// settings).
    end: usize,
    /// Room left above the notes; 0 when the chapter ends on the page.
    slack: f32,
}

/// The other settings `choice` ((variant, setting) pairs, in flow order)
/// that fill the page starting at `i` best, trying one paragraph, then
/// two, then three; `None` when none brings the page's end lower.
fn best_choice(
    flow: &Flow,
    i: usize,
    page: &Trial,
    used: &[bool],
    height: f32,
    separator: f32,
    pitch: f32,
) -> Option<Vec<(usize, usize)>> {
    // The paragraphs that start on the page, each in each other setting.
    // The variants are in flow order: only those of the page are looked
    // at, so that a long chapter is not scanned once per page.
    let from = flow.variants.partition_point(|v| v.start < i);
    let to = flow.variants.partition_point(|v| v.start < page.end);
    let mut options: Vec<(usize, usize)> = (from..to.max(from))
        .filter(|&v| !used[v])
        .flat_map(|v| (0..flow.variants[v].alts.len()).map(move |a| (v, a)))
        .collect();
    // The cheapest dozen, so that a page of many short paragraphs is
    // tried in a few hundred ways at most; back in flow order.
    options.sort_by(|x, y| {
        flow.variants[x.0].alts[x.1]
            .1
            .total_cmp(&flow.variants[y.0].alts[y.1].1)
    });
    options.truncate(12);
    options.sort_unstable();
    let cost =
        |c: &[(usize, usize)]| -> f64 { c.iter().map(|&(v, a)| flow.variants[v].alts[a].1).sum() };
    for size in 1..=3usize {
        let mut best: Option<(f32, f64, Choice)> = None;
        let mut pick = vec![0usize; size];
        combinations(options.len(), size, &mut pick, 0, 0, &mut |idx| {
            let choice: Vec<(usize, usize)> = idx.iter().map(|&k| options[k]).collect();
            // One setting per paragraph.
            if choice.windows(2).any(|w| w[0].0 == w[1].0) {
                return;
            }
            let trial = page_from(flow, i, &choice, height, separator);
            if trial.slack > page.slack - 0.5 * pitch {
                return;
            }
            let c = cost(&choice);
            if best.as_ref().is_none_or(|(s, bc, _)| {
                trial.slack < s - 0.01 || (trial.slack < s + 0.01 && c < *bc)
            }) {
                best = Some((trial.slack, c, choice));
            }
        });
        if let Some((_, _, choice)) = best {
            return Some(choice);
        }
    }
    None
}

/// Calls `f` with every increasing choice of `pick.len()` indices below
/// `n` (the depth is at most three).
fn combinations(
    n: usize,
    size: usize,
    pick: &mut Vec<usize>,
    depth: usize,
    from: usize,
    f: &mut dyn FnMut(&[usize]),
) {
    if depth == size {
        f(pick);
        return;
    }
    for k in from..n {
        pick[depth] = k;
        combinations(n, size, pick, depth + 1, k + 1, f);
    }
}

/// The page from element `i` with the paragraphs of `choice` in their
/// other settings. Only the elements that can reach the page are looked
/// at.
fn page_from(
    flow: &Flow,
    i: usize,
    choice: &[(usize, usize)],
    height: f32,
    separator: f32,
) -> Trial {
    let mut seq: Vec<&Elem> = Vec::new();
    let mut k = i;
    let mut room = 0.0;
    let mut at_end = true;
    while k < flow.elems.len() {
        // Enough to overfill the page (even without the space above its
        // first element) and look back for a break.
        if room - seq.first().map_or(0.0, |e| e.space_before) > height + 0.01 {
            at_end = false;
            break;
        }
        let chosen = choice
            .iter()
            .find(|&&(v, _)| flow.variants[v].start == k)
            .map(|&(v, a)| (&flow.variants[v], a));
        match chosen {
            Some((variant, a)) => {
                for e in &variant.alts[a].0 {
                    room += e.space_before + e.height;
                    seq.push(e);
                }
                k += variant.len;
            }
            None => {
                let e = &flow.elems[k];
                room += e.space_before + e.height;
                seq.push(e);
                k += 1;
            }
        }
    }
    let repeated = flow.elems[i].header.filter(|&h| h < i);
    let repeat_height = repeated.map_or(0.0, |h| flow.elems[h].height);
    let placed = fill_page(flow, &seq, i == 0, repeat_height, height, separator);
    let count = placed.placed.len();
    let done = at_end && count == seq.len();
    let bottom = placed
        .placed
        .last()
        .map_or(0.0, |&(k, y)| y + seq[k].height);
    let slack = if done {
        0.0
    } else {
        height - bottom - placed.notes_height
    };
    // Where the next page starts; meant for a page without `choice`.
    let end = i + count;
    let body = PageBody {
        placed: placed.placed.into_iter().map(|(k, y)| (i + k, y)).collect(),
        repeated,
        notes: placed.notes,
        notes_height: placed.notes_height,
    };
    Trial { body, end, slack }
}

/// Puts paragraph `v`'s other setting `a` into the flow in place of the
/// one there (which becomes setting `a`). The elements after it, the
/// later paragraphs' starts and table rows' references to their header
/// move by the difference.
fn swap_variant(flow: &mut Flow, v: usize, a: usize) {
    let (start, len) = (flow.variants[v].start, flow.variants[v].len);
    if start + len > flow.elems.len() {
        return;
    }
    let alt = std::mem::take(&mut flow.variants[v].alts[a].0);
    let new_len = alt.len();
    let old: Vec<_> = flow.elems.splice(start..start + len, alt).collect();
    flow.variants[v].alts[a].0 = old;
    flow.variants[v].len = new_len;
    if new_len == len {
        return;
    }
    let shift = |k: usize| -> usize {
        if k >= start + len {
            k + new_len - len
        } else {
            k
        }
    };
    for w in flow.variants.iter_mut() {
        if w.start > start {
            w.start = shift(w.start);
        }
    }
    for e in &mut flow.elems {
        e.header = e.header.map(shift);
    }
}

/// The elements `seq` of one page, from its top: as many as fit, then
/// back to the last place where a break is allowed (widows and orphans,
/// headings kept with the next lines, a table header with its first
/// row), with the footnotes of what stays. Indices are into `seq`.
fn fill_page(
    flow: &Flow,
    seq: &[&Elem],
    chapter_start: bool,
    repeat_height: f32,
    height: f32,
    separator: f32,
) -> PageBody {
    let n = seq.len();
    let note_height = |k: usize| -> f32 { flow.notes[k].iter().map(|e| e.height).sum() };
    let allowed = |b: usize| seq[b].break_before && !seq[b - 1].keep_with_next;
    let mut y = repeat_height;
    let mut placed: Vec<(usize, f32)> = Vec::new();
    let mut notes: Vec<usize> = Vec::new();
    let mut notes_height = 0.0;
    let mut j = 0;
    while j < n {
        let e = seq[j];
        // Space above is dropped at the top of a page, except above
        // the chapter title (the sink of a chapter's first page).
        let space = if placed.is_empty() && !chapter_start {
            0.0
        } else {
            e.space_before
        };
        let mut add = 0.0;
        let mut first_note = notes.is_empty();
        for &k in &e.notes {
            if !notes.contains(&k) {
                add += note_height(k);
                if first_note {
                    add += separator;
                    first_note = false;
                }
            }
        }
        if !placed.is_empty() && y + space + e.height + notes_height + add > height + 0.01 {
            break;
        }
        placed.push((j, y + space));
        y += space + e.height;
        for &k in &e.notes {
            if !notes.contains(&k) {
                notes.push(k);
            }
        }
        notes_height += add;
        j += 1;
    }
    if j < n {
        let mut b = j;
        while b > 1 && !allowed(b) {
            b -= 1;
        }
        if !allowed(b) {
            // Nothing may break on this page: break where it is full.
            b = j;
        }
        placed.truncate(b);
        notes.clear();
        notes_height = 0.0;
        for &(k, _) in &placed {
            for &note in &seq[k].notes {
                if !notes.contains(&note) {
                    if notes.is_empty() {
                        notes_height += separator;
                    }
                    notes.push(note);
                    notes_height += note_height(note);
                }
            }
        }
    }
    PageBody {
        placed,
        repeated: None,
        notes,
        notes_height,
    }
}

/// Paginates every chapter and joins them into the book. Tag trees are
/// numbered from 0 in the order of `flows`; page numbers are left to
/// `running`.
/// A chapter's flow cut into pages, not yet placed in the book.
pub struct Paginated {
    flow: Flow,
    bodies: Vec<PageBody>,
}

impl Paginated {
    /// What laying out the flow found.
    pub fn diagnostics(&self) -> &[crate::diag::Diagnostic] {
        &self.flow.diagnostics
    }
}

/// Cuts `flow` into pages (see [`paginate`]), on the grid when the style
/// has one. The paragraphs' other settings are given back once the
/// pages are chosen. Flows are paginated independently of each other, so
/// this runs for each chapter as soon as it is laid out.
pub fn paginate_flow(mut flow: Flow, style: &PageStyle) -> Paginated {
    let separator = style.pitch() * 0.75;
    if style.body.grid {
        super::grid::snap(&mut flow, style.pitch());
    }
    let bodies = paginate(&mut flow, style.text_height, separator, style.pitch());
    flow.variants = Vec::new();
    Paginated { flow, bodies }
}

pub fn assemble(flows: Vec<Paginated>, style: &PageStyle) -> Layout {
    let separator = style.pitch() * 0.75;
    let mut layout = Layout {
        width: style.width,
        height: style.height,
        pages: Vec::new(),
        front_pages: 0,
        headings: Vec::new(),
        tags: Vec::with_capacity(flows.len()),
        faces: Vec::new(),
        outline: Vec::new(),
        created: None,
        metadata: None,
        sources: Vec::new(),
        origins: std::collections::BTreeMap::new(),
    };
    for Paginated { mut flow, bodies } in flows {
        let tree = layout.tags.len();
        for &(uid, span) in &flow.origins {
            layout.origins.insert((flow.index, uid), span);
        }
        if style.chapter_start == ChapterStart::Recto && layout.pages.len() % 2 == 1 {
            layout.pages.push(blank_page(style.left_verso));
        }
        let first = layout.pages.len();
        // Header rows are copied before their elements are moved out.
        let headers: HashMap<usize, Vec<Item>> = bodies
            .iter()
            .filter_map(|b| b.repeated)
            .map(|h| (h, flow.elems[h].items.clone()))
            .collect();
        let mut notes: Vec<Vec<super::layout::Elem>> = std::mem::take(&mut flow.notes);
        for body in bodies {
            let index = layout.pages.len();
            let left = if index % 2 == 0 {
                style.left_recto
            } else {
                style.left_verso
            };
            let top = style.top;
            let mut items = Vec::new();
            if let Some(h) = body.repeated {
                for item in headers.get(&h).cloned().unwrap_or_default() {
                    items.push(shift_item(untag(item), left, top));
                }
            }
            for (k, y) in body.placed {
                let elem = &mut flow.elems[k];
                if let Some(mark) = elem.heading.take() {
                    layout.headings.push(super::paginate::HeadingPlace {
                        id: mark.id,
                        level: mark.level,
                        title: mark.title,
                        chapter: flow.index,
                        page: index,
                        y: top + y,
                    });
                }
                for item in std::mem::take(&mut elem.items) {
                    items.push(shift_item(item, left, top + y));
                }
            }
            if !body.notes.is_empty() {
                let mut y = top + style.text_height - body.notes_height;
                let rule_y = y + separator / 2.0;
                items.push(Item::Rule {
                    x0: left,
                    y0: rule_y,
                    x1: left + style.text_width / 4.0,
                    y1: rule_y,
                    width: 0.5,
                });
                y += separator;
                for k in body.notes {
                    for elem in std::mem::take(&mut notes[k]) {
                        for item in elem.items {
                            items.push(shift_item(item, left, y));
                        }
                        y += elem.height;
                    }
                }
            }
            layout.pages.push(PageLayout {
                chapter: Some(flow.index),
                tree: Some(tree),
                role: PageRole::Text {
                    first: index == first,
                },
                number: PageNumber::default(),
                items,
                text_left: left,
            });
        }
        layout.tags.push(flow.tags);
    }
    layout
}

/// A page with nothing on it.
pub fn blank_page(text_left: f32) -> PageLayout {
    PageLayout {
        chapter: None,
        tree: None,
        role: PageRole::Blank,
        number: PageNumber::default(),
        items: Vec::new(),
        text_left,
    }
}

/// A repeated header row is decoration: its text is not read twice.
fn untag(item: Item) -> Item {
    match item {
        Item::Line(mut line) => {
            line.tag = None;
            Item::Line(line)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::roman;

    #[test]
    fn roman_numerals() {
        let got: Vec<String> = [1, 2, 4, 9, 14, 40, 90, 400, 1994]
            .into_iter()
            .map(roman)
            .collect();
        assert_eq!(
            got,
            ["i", "ii", "iv", "ix", "xiv", "xl", "xc", "cd", "mcmxciv"]
        );
    }
}
