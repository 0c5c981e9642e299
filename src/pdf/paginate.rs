//! Pagination: chapter flows cut into pages, then joined into the laid-out
//! book with absolute positions.
//!
//! A page is filled element by element; when the next one does not fit,
//! the page ends at the last place where a break is allowed (widows and
//! orphans, headings kept with the next two lines, a table header with
//! its first row). Footnotes go to the foot of the page of their
//! reference. Each chapter starts a new page, on a recto when the style
//! asks for it. The result, [`Layout`], records which heading landed on
//! which page and where, for the outline and later for a table of
//! contents and running heads.

use std::collections::HashMap;

use super::layout::{shift_item, ChapterFlow, Item, TagNode};
use super::style::{ChapterStart, PageStyle};

/// A page with everything on it, positions in points from the top-left
/// corner of the page.
#[derive(Debug, Clone)]
pub struct PageLayout {
    /// Index of the chapter whose content the page shows; `None` for a
    /// blank page.
    pub chapter: Option<usize>,
    pub items: Vec<Item>,
    /// Left edge of the text block on this page.
    pub text_left: f32,
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
    pub headings: Vec<HeadingPlace>,
    /// The tag tree of each chapter (node 0 is the chapter).
    pub tags: Vec<Vec<TagNode>>,
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
fn paginate(flow: &ChapterFlow, height: f32, separator: f32) -> Vec<PageBody> {
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

/// Paginates every chapter and joins them into the book.
pub fn assemble(flows: Vec<ChapterFlow>, style: &PageStyle) -> Layout {
    let separator = style.pitch() * 0.75;
    let mut layout = Layout {
        width: style.width,
        height: style.height,
        pages: Vec::new(),
        headings: Vec::new(),
        tags: Vec::with_capacity(flows.len()),
    };
    for mut flow in flows {
        let bodies = paginate(&flow, style.text_height, separator);
        if style.chapter_start == ChapterStart::Recto && layout.pages.len() % 2 == 1 {
            layout.pages.push(PageLayout {
                chapter: None,
                items: Vec::new(),
                text_left: style.left_verso,
            });
        }
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
                items,
                text_left: left,
            });
        }
        layout.tags.push(flow.tags);
    }
    layout
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
