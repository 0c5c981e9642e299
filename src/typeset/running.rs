//! Page numbers, running heads and folios: the last step of layout, once
//! every page of the book has its place.
//!
//! The front matter is numbered in lower-case roman, the text from 1 in
//! arabic; the writer gives each page a PDF page label with the same
//! number. Running heads (书眉) carry the book title on even pages and
//! the chapter title on odd ones (or as the style says), with a rule
//! under them; the folio is printed below the text block. Neither is
//! printed on the title and imprint pages, on blank pages, or on the page
//! where a chapter or the contents begins. The page numbers of the
//! contents entries are written in here too, from the pages their
//! headings landed on.

use std::collections::HashMap;

use super::inline::InlineStyle;
use super::justify::SetLine;
use super::layout::{set_single_line, Item, Line, LineKind};
use super::linebreak::Rules;
use super::paginate::{Layout, PageNumber, PageRole};
use super::shape::FontBook;
use super::style::{FaceChoice, FolioPlace, PageStyle, RunningHead};
use crate::model::Document;

/// Numbers the pages of `layout`, writes in the contents' page numbers
/// and adds running heads and folios.
pub fn finish(layout: &mut Layout, doc: &Document, book: &FontBook<'_>, style: &PageStyle) {
    let front = layout.front_pages;
    for (index, page) in layout.pages.iter_mut().enumerate() {
        page.number = if index < front {
            PageNumber {
                value: index as u32 + 1,
                roman: true,
            }
        } else {
            PageNumber {
                value: (index - front) as u32 + 1,
                roman: false,
            }
        };
    }
    let rules = Rules {
        cjk_latin_gap: style.body.cjk_latin_gap,
        strict: style.body.strict,
        tracking: style.tracking(),
    };
    let labels: HashMap<&str, String> = layout
        .headings
        .iter()
        .map(|h| (h.id.as_str(), layout.pages[h.page].number.label()))
        .collect();
    let mut setter = Setter {
        book,
        rules,
        cache: HashMap::new(),
        fitted: HashMap::new(),
    };
    for page in &mut layout.pages {
        let mut filled = Vec::new();
        page.items.retain(|item| match item {
            Item::PageRef { .. } => {
                filled.push(item.clone());
                false
            }
            _ => true,
        });
        for item in filled {
            let Item::PageRef {
                heading,
                x,
                leader_from,
                leader_to,
                baseline,
                size,
                tag,
            } = item
            else {
                continue;
            };
            // A heading that was not laid out has no page: no number.
            let Some(label) = labels.get(heading.as_str()) else {
                continue;
            };
            let set = setter.set(label, FaceChoice::Body, size);
            let width = set.end - set.start;
            let leader_to = leader_to.min(x - width - 0.5 * size);
            if leader_to > leader_from {
                page.items.push(Item::Leader {
                    x0: leader_from,
                    x1: leader_to,
                    y: baseline - 0.38 * size,
                    step: 0.5 * size,
                    r: 0.06 * size,
                });
            }
            page.items.push(Item::Line(Line {
                x: x - set.end,
                baseline,
                measure: width,
                set,
                justified: false,
                kind: LineKind::Contents,
                tag: Some(tag),
            }));
        }
    }
    let size = style.furniture_size();
    let head_baseline = (style.top - 0.9 * style.pitch()).max(1.5 * size);
    let folio_baseline =
        (style.top + style.text_height + 1.5 * style.pitch()).min(style.height - size);
    for (index, page) in layout.pages.iter_mut().enumerate() {
        let chapter_title = match page.role {
            PageRole::Text { first: false } => page
                .chapter
                .and_then(|c| doc.chapters.get(c))
                .map(|c| c.title.display_text()),
            PageRole::Contents { first: false } => {
                Some(super::layout::contents_label(&doc.metadata.language).to_string())
            }
            _ => None,
        };
        // GB/T 9704 numbers every page of the text, its first too (with
        // no running head there).
        let first_numbered =
            style.folio == FolioPlace::FootOuterDash && page.role == PageRole::Text { first: true };
        if chapter_title.is_none() && !first_numbered {
            continue;
        }
        let odd = page.number.value % 2 == 1;
        let head = chapter_title.and_then(|chapter_title| match style.running_head {
            RunningHead::BookChapter if odd => Some(chapter_title),
            RunningHead::BookChapter | RunningHead::Book => Some(doc.metadata.title.clone()),
            RunningHead::Chapter => Some(chapter_title),
            RunningHead::None => None,
        });
        let left = page.text_left;
        let width = style.text_width;
        if let Some(head) = head {
            let set = setter.fit(&head, size, width);
            let w = set.end - set.start;
            page.items.push(Item::Line(Line {
                x: left + (width - w) / 2.0 - set.start,
                baseline: head_baseline,
                measure: w,
                set,
                justified: false,
                kind: LineKind::Head,
                tag: None,
            }));
            let rule_y = head_baseline + 0.4 * size;
            page.items.push(Item::Rule {
                x0: left,
                y0: rule_y,
                x1: left + width,
                y1: rule_y,
                width: 0.4,
            });
        }
        // Outer edge: right on a recto (an even page index), left on a
        // verso.
        let recto = index % 2 == 0;
        let place = style.folio;
        if place != FolioPlace::None {
            let label = match place {
                FolioPlace::FootOuterDash => format!("— {} —", page.number.label()),
                _ => page.number.label(),
            };
            // GB/T 9704: the number in 4号 (14 pt), the top of its dashes
            // 7 mm below the text block (the dash's ink lies about 0.4 em
            // above the baseline).
            let (size, baseline) = match place {
                FolioPlace::FootOuterDash => (
                    14.0,
                    style.top + style.text_height + 7.0 * super::style::MM + 0.4 * 14.0,
                ),
                _ => (size, folio_baseline),
            };
            let set = setter.set(&label, FaceChoice::Body, size);
            let w = set.end - set.start;
            let x = match place {
                FolioPlace::FootOuter if recto => left + width - w,
                FolioPlace::FootOuter => left,
                // GB/T 9704: one character in from the outer edge.
                FolioPlace::FootOuterDash if recto => left + width - w - size,
                FolioPlace::FootOuterDash => left + size,
                _ => left + (width - w) / 2.0,
            };
            page.items.push(Item::Line(Line {
                x: x - set.start,
                baseline,
                measure: w,
                set,
                justified: false,
                kind: LineKind::Folio,
                tag: None,
            }));
        }
    }
}

/// Sets short lines, each distinct text once (a chapter's title heads
/// every page of it).
struct Setter<'a, 'b> {
    book: &'b FontBook<'a>,
    rules: Rules,
    cache: HashMap<(String, FaceChoice, u32), SetLine>,
    /// Shortened running heads, by text, size and width.
    fitted: HashMap<(String, u32, u32), SetLine>,
}

impl Setter<'_, '_> {
    fn set(&mut self, text: &str, face: FaceChoice, size: f32) -> SetLine {
        let key = (text.to_string(), face, size.to_bits());
        if let Some(set) = self.cache.get(&key) {
            return set.clone();
        }
        let set = set_single_line(self.book, self.rules, text, &InlineStyle::new(face, size));
        self.cache.insert(key, set.clone());
        set
    }

    /// `text` in the body face, shortened with an ellipsis until it fits
    /// `width`: as many characters as fit are kept. The width grows with
    /// the characters kept, so the count is found by halving, in a few
    /// dozen trial lines even for a title of thousands of characters
    /// (trying one character less at a time took minutes and gigabytes
    /// for such a title). The result is kept for the next page.
    fn fit(&mut self, text: &str, size: f32, width: f32) -> SetLine {
        let key = (text.to_string(), size.to_bits(), width.to_bits());
        if let Some(set) = self.fitted.get(&key) {
            return set.clone();
        }
        let set = self.set(text, FaceChoice::Body, size);
        if set.end - set.start <= width {
            return set;
        }
        let chars: Vec<char> = text.chars().collect();
        let shortened =
            |keep: usize| -> String { chars[..keep].iter().chain(['…', '…'].iter()).collect() };
        let style = InlineStyle::new(FaceChoice::Body, size);
        // `fits`: the most characters known to fit (0: none known);
        // `over`: the fewest known not to.
        let (mut fits, mut over) = (0, chars.len());
        while over - fits > 1 {
            let keep = fits + (over - fits) / 2;
            let trial = set_single_line(self.book, self.rules, &shortened(keep), &style);
            if trial.end - trial.start <= width {
                fits = keep;
            } else {
                over = keep;
            }
        }
        let result = if fits == 0 {
            set
        } else {
            set_single_line(self.book, self.rules, &shortened(fits), &style)
        };
        self.fitted.insert(key, result.clone());
        result
    }
}
