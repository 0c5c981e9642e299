//! The last check of layout: every character of the model's text reaches
//! a page.
//!
//! Layout can lose text without noticing: a line pushed past the foot of
//! the page, a measure made negative by deep indents, a glyph set off the
//! page's edge. Each of these is a bug or a limit to report, never a PDF
//! to write. After pagination, the characters each block of a chapter
//! puts on its pages (glyphs that lie inside the page) are counted
//! against the characters of that block in the model; whitespace aside,
//! every character of the model must be there at least as often.
//! Generated text (list labels, footnote marks, the page furniture,
//! title and contents pages) is not part of the count, and may add
//! characters. A block that lost text is an error at its place in its
//! chapter file, with the characters that are missing.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::layout::{Line, LineKind};
use super::paginate::Layout;
use crate::diag::{Diagnostic, Location};
use crate::model::{push_plain_text, Block, Chapter, Document, Span};

/// How many of the missing characters a message quotes.
const QUOTED: usize = 16;

/// The text of one block of the model, as the layout should set it.
#[derive(Debug, Clone)]
pub struct Expected {
    /// What the block is, in words ("paragraph", "table").
    pub what: &'static str,
    pub text: String,
}

/// Errors for every block of `doc` whose text does not all reach the
/// pages of `layout`; empty when nothing is lost.
pub fn check(doc: &Document, layout: &Layout) -> Vec<Diagnostic> {
    let set = set_text(layout);
    let mut out = Vec::new();
    for (index, chapter) in doc.chapters.iter().enumerate() {
        let expected = expected_text(chapter);
        let path = doc.settings.base_dir.join(&chapter.source);
        out.extend(compare(index, &path, &expected, &set));
    }
    out
}

/// The text each block of `chapter` should put on the pages, by the span
/// that layout gives its lines (blocks with the same span are joined).
pub fn expected_text(chapter: &Chapter) -> BTreeMap<Span, Expected> {
    let mut out: BTreeMap<Span, Expected> = BTreeMap::new();
    let mut add = |span: Span, what: &'static str, text: &str| {
        let entry = out.entry(span).or_insert(Expected {
            what,
            text: String::new(),
        });
        entry.text.push_str(text);
    };
    let mut title = chapter.title.display_text();
    if let Some(subtitle) = &chapter.subtitle {
        title.push_str(subtitle);
    }
    add(chapter.title.span, "chapter title", &title);
    // An explicit stack: nesting depth comes from the input.
    let mut pending: Vec<&Block> = chapter.blocks.iter().rev().collect();
    while let Some(block) = pending.pop() {
        match block {
            Block::Heading(h) => add(h.span, "heading", &h.display_text()),
            Block::Paragraph { content, span } => {
                let mut text = String::new();
                push_plain_text(content, &mut text);
                add(*span, "paragraph", &text);
            }
            Block::List { items, .. } => {
                for item in items.iter().rev() {
                    pending.extend(item.iter().rev());
                }
            }
            Block::Quote { blocks, .. } => pending.extend(blocks.iter().rev()),
            Block::Verse { lines, span } => {
                let mut text = String::new();
                for line in lines {
                    push_plain_text(line, &mut text);
                }
                add(*span, "verse", &text);
            }
            Block::Code { text, span, .. } => add(*span, "code block", text),
            Block::Image { caption, span, .. } => {
                add(*span, "image caption", caption.as_deref().unwrap_or(""));
            }
            Block::Table {
                header, rows, span, ..
            } => {
                let mut text = String::new();
                for row in std::iter::once(header).chain(rows) {
                    for cell in row {
                        push_plain_text(cell, &mut text);
                    }
                }
                add(*span, "table", &text);
            }
            Block::Break { .. } => {}
        }
    }
    for note in &chapter.footnotes {
        for block in &note.blocks {
            let mut text = String::new();
            crate::model::push_blocks_text(std::slice::from_ref(block), &mut text);
            add(block.span(), "footnote", &text);
        }
    }
    out
}

/// The characters set inside the page, by chapter and the span of their
/// block. Furniture, title and contents lines, and untagged lines (a
/// table header repeated on a later page) are left out.
pub fn set_text(layout: &Layout) -> HashMap<(usize, Span), String> {
    let mut out: HashMap<(usize, Span), String> = HashMap::new();
    for (chapter, _, line, span) in layout.text_lines() {
        if line.kind == LineKind::Front {
            continue;
        }
        let text = out.entry((chapter, *span)).or_default();
        push_visible(line, layout.width, layout.height, text);
    }
    out
}

/// Appends the characters of the glyphs of `line` that lie inside a page
/// of `width` by `height` points.
fn push_visible(line: &Line, width: f32, height: f32, out: &mut String) {
    // A hair of tolerance for glyphs that touch the edge.
    const EDGE: f32 = 0.5;
    for g in &line.set.glyphs {
        let left = line.x + g.x;
        let right = left + g.advance.max(0.0);
        let baseline = line.baseline - g.y;
        let inside = left >= -EDGE
            && right <= width + EDGE
            && baseline - 0.88 * g.size >= -EDGE
            && baseline + 0.12 * g.size <= height + EDGE;
        if !inside {
            continue;
        }
        if let Some(text) = line
            .set
            .text
            .get(g.text.start as usize..g.text.end as usize)
        {
            out.push_str(text);
        }
    }
}

/// Characters that need no glyph to be read: spaces, line breaks,
/// control and invisible format characters.
fn counted(c: char) -> bool {
    !(c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
        || matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}'))
}

/// Errors for the blocks of chapter `index` (file `path`) whose
/// `expected` text is not all in `set`.
pub fn compare(
    index: usize,
    path: &Path,
    expected: &BTreeMap<Span, Expected>,
    set: &HashMap<(usize, Span), String>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (span, want) in expected {
        let mut have: HashMap<char, u32> = HashMap::new();
        if let Some(text) = set.get(&(index, *span)) {
            for c in text.chars().filter(|&c| counted(c)) {
                *have.entry(c).or_default() += 1;
            }
        }
        let mut total = 0usize;
        let mut missing = String::new();
        let mut lost = 0usize;
        for c in want.text.chars().filter(|&c| counted(c)) {
            total += 1;
            match have.get_mut(&c) {
                Some(n) if *n > 0 => *n -= 1,
                _ => {
                    lost += 1;
                    if missing.chars().count() < QUOTED {
                        missing.push(c);
                    }
                }
            }
        }
        if lost == 0 {
            continue;
        }
        let location = if span.line == 0 {
            Location::file(path)
        } else {
            Location::new(path, span.line, span.column)
        };
        let more = if lost > QUOTED { "…" } else { "" };
        out.push(
            Diagnostic::error(
                location,
                format!(
                    "{} of {total} characters of this {} would be lost in the PDF (“{missing}{more}”)",
                    lost, want.what
                ),
            )
            .with_hint(
                "inkstone could not set this text inside the page, so no PDF is written; \
                 simplify the block (less nesting, fewer or narrower columns) and report the \
                 case with its chapter file",
            ),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected(text: &str) -> BTreeMap<Span, Expected> {
        let mut map = BTreeMap::new();
        map.insert(
            Span { line: 7, column: 1 },
            Expected {
                what: "paragraph",
                text: text.to_string(),
            },
        );
        map
    }

    #[test]
    fn all_characters_set_is_quiet() {
        let want = expected("今天天气很好，我们去公园。");
        let mut set = HashMap::new();
        // Order, line breaks and generated labels do not matter.
        set.insert(
            (0, Span { line: 7, column: 1 }),
            "1. 今天天气很好，\n我们去公园。".to_string(),
        );
        assert!(compare(0, Path::new("01.txt"), &want, &set).is_empty());
    }

    #[test]
    fn lost_characters_are_named_at_their_block() {
        // The negative control: the last line of the paragraph fell off
        // the page, one repeated character less counts too.
        let want = expected("今天天气很好，我们去公园。");
        let mut set = HashMap::new();
        set.insert((0, Span { line: 7, column: 1 }), "今天气很好，".to_string());
        let errors = compare(0, Path::new("01.txt"), &want, &set);
        assert_eq!(errors.len(), 1);
        let message = errors[0].to_string();
        assert!(message.contains("01.txt:7:1"), "{message}");
        assert!(
            message.contains("7 of 13 characters of this paragraph"),
            "{message}"
        );
        assert!(message.contains("“天我们去公园。”"), "{message}");
        // Text of another chapter does not stand in for it.
        let mut other = HashMap::new();
        other.insert(
            (1, Span { line: 7, column: 1 }),
            "今天天气很好，我们去公园。".to_string(),
        );
        assert_eq!(compare(0, Path::new("01.txt"), &want, &other).len(), 1);
    }
}
