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

use super::layout::{shift_item, Flow, Item, LinkTarget, TagNode};
use super::style::{ChapterStart, PageStyle};

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
}

impl Layout {
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

/// Cuts a chapter's flow into pages of `height`.
fn paginate(flow: &Flow, height: f32, separator: f32) -> Vec<PageBody> {
    let elems = &flow.elems;
    let n = elems.len();
    let note_height = |k: usize| -> f32 { flow.notes[k].iter().map(|e| e.height).sum() };
    let allowed = |b: usize| elems[b].break_before && !elems[b - 1].keep_with_next;
    let mut pages = Vec::new();
    let mut i = 0;
    while i < n {
        let mut y = 0.0;
        let mut placed: Vec<(usize, f32)> = Vec::new();
        let mut notes: Vec<usize> = Vec::new();
        let mut notes_height = 0.0;
        // A table row at the top of a page gets its header again.
        let repeated = elems[i].header.filter(|&h| h < i);
        if let Some(h) = repeated {
            y += elems[h].height;
        }
        let mut j = i;
        while j < n {
            let e = &elems[j];
            // Space above is dropped at the top of a page, except above
            // the chapter title (the sink of a chapter's first page).
            let space = if placed.is_empty() && j > 0 {
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
            while b > i + 1 && !allowed(b) {
                b -= 1;
            }
            if !allowed(b) {
                // Nothing may break on this page: break where it is full.
                b = j;
            }
            placed.truncate(b - i);
            notes.clear();
            notes_height = 0.0;
            for &(k, _) in &placed {
                for &note in &elems[k].notes {
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
        i += placed.len();
        pages.push(PageBody {
            placed,
            repeated,
            notes,
            notes_height,
        });
    }
    pages
}

/// Paginates every chapter and joins them into the book. Tag trees are
/// numbered from 0 in the order of `flows`; page numbers are left to
/// `running`.
pub fn assemble(flows: Vec<Flow>, style: &PageStyle) -> Layout {
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
    };
    for mut flow in flows {
        let tree = layout.tags.len();
        if style.body.grid {
            super::grid::snap(&mut flow, style.pitch());
        }
        let bodies = paginate(&flow, style.text_height, separator);
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
