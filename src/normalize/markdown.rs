//! Markdown to the model, through pulldown-cmark.
//!
//! CommonMark plus tables, footnotes and strikethrough. Text runs get the
//! same punctuation normalization as plain text; a soft line break between
//! two CJK characters joins them without a space.

use pulldown_cmark::{
    Alignment as MdAlign, BrokenLink, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag,
    TagEnd,
};

use crate::config::NormalizeConfig;
use crate::model::{plain_text, Alignment, Block, Footnote, Heading, Inline, Span};

use super::chars::is_cjk;
use super::punct::{normalize_punctuation, Change, SourceChar};
use super::Draft;

/// Maps byte offsets to 1-based line and column.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    fn span(&self, offset: usize) -> Span {
        let line = self.starts.partition_point(|&s| s <= offset).max(1) - 1;
        let start = self.starts[line];
        let end = offset.min(self.text.len()).max(start);
        let column = self.text.get(start..end).map_or(0, |s| s.chars().count());
        Span {
            line: line as u32 + 1,
            column: column as u32 + 1,
        }
    }
}

/// Quotes and lists nest at most this deep; deeper ones are set at this
/// depth, with a warning, so that no later stage meets unbounded nesting.
pub const MAX_BLOCK_NESTING: usize = 16;
/// Emphasis, links and image descriptions nest at most this deep; deeper
/// ones keep their text without the extra markup, with a warning.
pub const MAX_INLINE_NESTING: usize = 16;

enum Frame {
    Blocks(Vec<Block>),
    /// A quote, list or list item past [`MAX_BLOCK_NESTING`]: its blocks go
    /// to the nearest container below it.
    Flat,
    Paragraph {
        inlines: Vec<Inline>,
        span: Span,
        implicit: bool,
    },
    Heading {
        level: u8,
        /// The id given as `{#id}`, if any.
        id: Option<String>,
        inlines: Vec<Inline>,
        span: Span,
    },
    Quote {
        blocks: Vec<Block>,
        span: Span,
    },
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
        span: Span,
    },
    Item(Vec<Block>),
    Span {
        kind: SpanKind,
        inlines: Vec<Inline>,
    },
    Image {
        src: String,
        title: String,
        inlines: Vec<Inline>,
        span: Span,
    },
    Code {
        language: Option<String>,
        text: String,
        span: Span,
    },
    Table {
        alignments: Vec<Alignment>,
        header: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
        span: Span,
    },
    Row(Vec<Vec<Inline>>),
    Cell(Vec<Inline>),
    Footnote {
        label: String,
        blocks: Vec<Block>,
    },
}

enum SpanKind {
    Emphasis,
    Strong,
    Strike,
    Link(String),
    /// Markup past [`MAX_INLINE_NESTING`]: the text joins its parent.
    Merged,
}

struct Builder<'a> {
    lines: Lines<'a>,
    config: &'a NormalizeConfig,
    changes: &'a mut Vec<Change>,
    stack: Vec<Frame>,
    /// Text not yet normalized, merged across adjacent text events.
    text: Vec<SourceChar>,
    /// Images met inside the current paragraph, emitted after it.
    images: Vec<Block>,
    /// Footnote labels in order of first reference.
    references: Vec<String>,
    definitions: Vec<(String, Vec<Block>)>,
    warnings: Vec<(Span, String)>,
    /// Open quotes and lists, and open inline markup, for the limits.
    block_depth: usize,
    inline_depth: usize,
    flattened: bool,
}

/// Parses one Markdown file.
pub fn parse_markdown(text: &str, config: &NormalizeConfig, changes: &mut Vec<Change>) -> Draft {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut builder = Builder {
        lines: Lines::new(text),
        config,
        changes,
        stack: vec![Frame::Blocks(Vec::new())],
        text: Vec::new(),
        images: Vec::new(),
        references: Vec::new(),
        definitions: Vec::new(),
        warnings: Vec::new(),
        block_depth: 0,
        inline_depth: 0,
        flattened: false,
    };
    // References to links and footnotes that are never defined stay as
    // their literal text, each with a warning at its place.
    let mut broken = Vec::new();
    let parser = Parser::new_with_broken_link_callback(
        text,
        options,
        Some(|link: BrokenLink| {
            broken.push((link.span.start, link.reference.to_string()));
            None
        }),
    );
    // Source ranges of plain text: an undefined footnote reference is
    // left there as `[^label]`.
    let mut text_ranges = Vec::new();
    for (event, range) in parser.into_offset_iter() {
        if matches!(event, Event::Text(_)) {
            text_ranges.push(range.clone());
        }
        let span = builder.lines.span(range.start);
        builder.event(event, span);
    }
    let defined: Vec<&str> = builder
        .definitions
        .iter()
        .map(|(l, _)| l.as_str())
        .collect();
    for (start, label) in undefined_footnotes(text, &text_ranges, &defined) {
        broken.push((start, format!("^{label}")));
    }
    broken.sort();
    for (start, reference) in broken {
        let span = builder.lines.span(start);
        let message = match reference.strip_prefix('^') {
            Some(label) => format!("footnote [^{label}] is never defined; it is kept as text"),
            None => format!("link reference [{reference}] is never defined; it is kept as text"),
        };
        builder.warnings.push((span, message));
    }
    builder.finish()
}

/// `[^label]` written in plain text (inside `ranges` of `text`) whose
/// label is not among `defined`: byte offset and label.
fn undefined_footnotes(
    text: &str,
    ranges: &[std::ops::Range<usize>],
    defined: &[&str],
) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find("[^") {
        let start = from + open;
        from = start + 2;
        let rest = &text[start + 2..];
        let Some(close) = rest.find(']') else {
            break;
        };
        let label = &rest[..close];
        let in_text = ranges.iter().any(|r| r.contains(&start));
        let definition = rest[close + 1..].starts_with(':');
        if in_text
            && !definition
            && !label.is_empty()
            && !label.contains(|c: char| c.is_whitespace() || c == '[')
            && !defined.contains(&label)
        {
            found.push((start, label.to_string()));
        }
    }
    found
}

impl Builder<'_> {
    fn event(&mut self, event: Event, span: Span) {
        match event {
            Event::Start(tag) => self.start(tag, span),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.push_text(&text, span),
            Event::Code(code) => {
                self.flush_text();
                self.push_inline(
                    Inline::Code {
                        text: code.to_string(),
                    },
                    span,
                );
            }
            Event::SoftBreak => {
                let before = self.text.last().map(|(c, _)| *c);
                if before.is_some_and(|c| !is_cjk(c)) {
                    // A space only if the next character is not CJK either;
                    // decided when it arrives.
                    self.text.push(('\u{0}', span));
                }
            }
            Event::HardBreak => {
                self.flush_text();
                self.push_inline(Inline::LineBreak, span);
            }
            Event::Rule => {
                self.flush_text();
                self.push_block(Block::Break { span });
            }
            Event::FootnoteReference(label) => {
                self.flush_text();
                let label = label.to_string();
                let number = match self.references.iter().position(|l| *l == label) {
                    Some(i) => i + 1,
                    None => {
                        self.references.push(label.clone());
                        self.references.len()
                    }
                };
                self.push_inline(
                    Inline::FootnoteRef {
                        id: label,
                        number: number as u32,
                    },
                    span,
                );
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                self.warnings
                    .push((span, format!("raw HTML `{}` left out", html.trim())));
            }
            Event::TaskListMarker(_) | Event::InlineMath(_) | Event::DisplayMath(_) => {}
        }
    }

    /// Warns once per file that nesting was flattened.
    fn flatten_warning(&mut self, span: Span) {
        if !self.flattened {
            self.flattened = true;
            self.warnings.push((
                span,
                format!("quotes, lists or inline markup nested more than {MAX_BLOCK_NESTING} deep are set at that depth; no text is lost"),
            ));
        }
    }

    fn start(&mut self, tag: Tag, span: Span) {
        self.flush_text();
        let nests_blocks = matches!(tag, Tag::BlockQuote(_) | Tag::List(_));
        if nests_blocks && self.block_depth >= MAX_BLOCK_NESTING {
            self.flatten_warning(span);
            self.stack.push(Frame::Flat);
            return;
        }
        if matches!(tag, Tag::Item) && matches!(self.stack.last(), Some(Frame::Flat)) {
            self.stack.push(Frame::Flat);
            return;
        }
        let nests_inlines = matches!(
            tag,
            Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } | Tag::Image { .. }
        );
        if nests_inlines && self.inline_depth >= MAX_INLINE_NESTING {
            self.flatten_warning(span);
            self.ensure_inline_container(span);
            self.stack.push(Frame::Span {
                kind: SpanKind::Merged,
                inlines: Vec::new(),
            });
            return;
        }
        if nests_blocks {
            self.block_depth += 1;
        }
        if nests_inlines {
            self.inline_depth += 1;
        }
        let frame = match tag {
            Tag::Paragraph => Frame::Paragraph {
                inlines: Vec::new(),
                span,
                implicit: false,
            },
            Tag::Heading { level, id, .. } => Frame::Heading {
                level: heading_level(level),
                id: id.map(|id| id.to_string()),
                inlines: Vec::new(),
                span,
            },
            Tag::BlockQuote(_) => Frame::Quote {
                blocks: Vec::new(),
                span,
            },
            Tag::CodeBlock(kind) => {
                let language = match kind {
                    CodeBlockKind::Fenced(lang) if !lang.is_empty() => Some(lang.to_string()),
                    _ => None,
                };
                Frame::Code {
                    language,
                    text: String::new(),
                    span,
                }
            }
            Tag::List(start) => Frame::List {
                ordered: start.is_some(),
                start: start.unwrap_or(1),
                items: Vec::new(),
                span,
            },
            Tag::Item => Frame::Item(Vec::new()),
            Tag::FootnoteDefinition(label) => Frame::Footnote {
                label: label.to_string(),
                blocks: Vec::new(),
            },
            Tag::Table(aligns) => Frame::Table {
                alignments: aligns.into_iter().map(alignment).collect(),
                header: Vec::new(),
                rows: Vec::new(),
                span,
            },
            Tag::TableHead | Tag::TableRow => Frame::Row(Vec::new()),
            Tag::TableCell => Frame::Cell(Vec::new()),
            Tag::Emphasis => Frame::Span {
                kind: SpanKind::Emphasis,
                inlines: Vec::new(),
            },
            Tag::Strong => Frame::Span {
                kind: SpanKind::Strong,
                inlines: Vec::new(),
            },
            Tag::Strikethrough => Frame::Span {
                kind: SpanKind::Strike,
                inlines: Vec::new(),
            },
            Tag::Link { dest_url, .. } => Frame::Span {
                kind: SpanKind::Link(dest_url.to_string()),
                inlines: Vec::new(),
            },
            Tag::Image {
                dest_url, title, ..
            } => Frame::Image {
                src: dest_url.to_string(),
                title: title.to_string(),
                inlines: Vec::new(),
                span,
            },
            Tag::HtmlBlock
            | Tag::MetadataBlock(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Superscript
            | Tag::Subscript => return,
        };
        if matches!(frame, Frame::Span { .. } | Frame::Image { .. }) {
            self.ensure_inline_container(span);
        }
        self.stack.push(frame);
    }

    fn end(&mut self, tag: TagEnd) {
        self.flush_text();
        if matches!(
            tag,
            TagEnd::HtmlBlock
                | TagEnd::MetadataBlock(_)
                | TagEnd::DefinitionList
                | TagEnd::DefinitionListTitle
                | TagEnd::DefinitionListDefinition
                | TagEnd::Superscript
                | TagEnd::Subscript
        ) {
            return;
        }
        if matches!(tag, TagEnd::Item) {
            self.close_implicit_paragraph();
        }
        let Some(frame) = self.stack.pop() else {
            return;
        };
        match &frame {
            Frame::Quote { .. } | Frame::List { .. } => {
                self.block_depth = self.block_depth.saturating_sub(1)
            }
            Frame::Span {
                kind: SpanKind::Merged,
                ..
            } => {}
            Frame::Span { .. } | Frame::Image { .. } => {
                self.inline_depth = self.inline_depth.saturating_sub(1)
            }
            _ => {}
        }
        match frame {
            Frame::Flat => {}
            Frame::Paragraph { inlines, span, .. } => {
                if !inlines.is_empty() {
                    self.push_block(Block::Paragraph {
                        content: inlines,
                        span,
                    });
                }
                for image in std::mem::take(&mut self.images) {
                    self.push_block(image);
                }
            }
            Frame::Heading {
                level,
                id,
                inlines,
                span,
            } => {
                self.push_block(Block::Heading(Heading {
                    level,
                    id: id.unwrap_or_default(),
                    number: None,
                    content: inlines,
                    span,
                }));
            }
            Frame::Quote { blocks, span } => self.push_block(Block::Quote { blocks, span }),
            Frame::Code {
                language,
                text,
                span,
            } => self.push_block(Block::Code {
                language,
                text,
                span,
            }),
            Frame::List {
                ordered,
                start,
                items,
                span,
            } => self.push_block(Block::List {
                ordered,
                start,
                items,
                span,
            }),
            Frame::Item(blocks) => {
                if let Some(Frame::List { items, .. }) = self.stack.last_mut() {
                    items.push(blocks);
                }
            }
            Frame::Footnote { label, blocks } => self.definitions.push((label, blocks)),
            Frame::Table {
                alignments,
                header,
                rows,
                span,
            } => self.push_block(Block::Table {
                alignments,
                header,
                rows,
                span,
            }),
            Frame::Row(cells) => {
                if let Some(Frame::Table { header, rows, .. }) = self.stack.last_mut() {
                    if matches!(tag, TagEnd::TableHead) {
                        *header = cells;
                    } else {
                        rows.push(cells);
                    }
                }
            }
            Frame::Cell(inlines) => {
                if let Some(Frame::Row(cells)) = self.stack.last_mut() {
                    cells.push(inlines);
                }
            }
            Frame::Span { kind, inlines } => {
                let inline = match kind {
                    SpanKind::Emphasis => Inline::Emphasis { content: inlines },
                    SpanKind::Strong => Inline::Strong { content: inlines },
                    SpanKind::Link(url) => Inline::Link {
                        url,
                        content: inlines,
                    },
                    SpanKind::Strike | SpanKind::Merged => {
                        self.extend_inlines(inlines);
                        return;
                    }
                };
                self.push_inline(inline, Span { line: 0, column: 0 });
            }
            Frame::Image {
                src,
                title,
                inlines,
                span,
            } => {
                let alt = plain_text(&inlines);
                let caption = if !title.is_empty() {
                    Some(title)
                } else {
                    (!alt.is_empty()).then(|| alt.clone())
                };
                self.images.push(Block::Image {
                    src,
                    alt,
                    caption,
                    span,
                });
            }
            Frame::Blocks(blocks) => self.stack.push(Frame::Blocks(blocks)),
        }
    }

    fn push_text(&mut self, text: &str, span: Span) {
        if let Some(Frame::Code { text: code, .. }) = self.stack.last_mut() {
            code.push_str(text);
            return;
        }
        self.ensure_inline_container(span);
        for (i, c) in text.chars().enumerate() {
            let char_span = Span {
                line: span.line,
                column: span.column + i as u32,
            };
            if self.text.last().is_some_and(|(p, _)| *p == '\u{0}') {
                self.text.pop();
                if !is_cjk(c) {
                    self.text.push((' ', char_span));
                }
            }
            self.text.push((c, char_span));
        }
    }

    /// Normalizes the pending text into one text inline.
    fn flush_text(&mut self) {
        if self.text.last().is_some_and(|(c, _)| *c == '\u{0}') {
            self.text.pop();
        }
        if self.text.is_empty() {
            return;
        }
        let chars = std::mem::take(&mut self.text);
        let mut out = String::new();
        normalize_punctuation(&chars, self.config, &mut out, self.changes);
        let span = chars[0].1;
        self.push_inline(Inline::Text { text: out }, span);
    }

    fn inlines_mut(&mut self) -> Option<&mut Vec<Inline>> {
        match self.stack.last_mut()? {
            Frame::Paragraph { inlines, .. }
            | Frame::Heading { inlines, .. }
            | Frame::Span { inlines, .. }
            | Frame::Image { inlines, .. }
            | Frame::Cell(inlines) => Some(inlines),
            _ => None,
        }
    }

    /// Tight list items hold text without a paragraph: open one.
    fn ensure_inline_container(&mut self, span: Span) {
        if self.inlines_mut().is_none() {
            self.stack.push(Frame::Paragraph {
                inlines: Vec::new(),
                span,
                implicit: true,
            });
        }
    }

    fn close_implicit_paragraph(&mut self) {
        if let Some(Frame::Paragraph { implicit: true, .. }) = self.stack.last() {
            if let Some(Frame::Paragraph { inlines, span, .. }) = self.stack.pop() {
                if !inlines.is_empty() {
                    self.push_block(Block::Paragraph {
                        content: inlines,
                        span,
                    });
                }
                for image in std::mem::take(&mut self.images) {
                    self.push_block(image);
                }
            }
        }
    }

    fn push_inline(&mut self, inline: Inline, span: Span) {
        self.ensure_inline_container(span);
        if let Some(inlines) = self.inlines_mut() {
            inlines.push(inline);
        }
    }

    fn extend_inlines(&mut self, more: Vec<Inline>) {
        if let Some(inlines) = self.inlines_mut() {
            inlines.extend(more);
        }
    }

    fn push_block(&mut self, block: Block) {
        self.close_implicit_paragraph();
        let target = self
            .stack
            .iter_mut()
            .rev()
            .find(|frame| !matches!(frame, Frame::Flat));
        match target {
            Some(
                Frame::Blocks(blocks)
                | Frame::Quote { blocks, .. }
                | Frame::Item(blocks)
                | Frame::Footnote { blocks, .. },
            ) => blocks.push(block),
            _ => {
                if let Some(Frame::Blocks(blocks)) = self.stack.first_mut() {
                    blocks.push(block);
                }
            }
        }
    }

    fn finish(mut self) -> Draft {
        self.flush_text();
        while self.stack.len() > 1 {
            self.end(TagEnd::Paragraph);
        }
        let mut blocks = match self.stack.pop() {
            Some(Frame::Blocks(blocks)) => blocks,
            _ => Vec::new(),
        };
        let mut draft = Draft::default();
        // The first heading is the title when it is the book's only `#`.
        let h1_count = blocks
            .iter()
            .filter(|b| matches!(b, Block::Heading(h) if h.level == 1))
            .count();
        if h1_count == 1 {
            if let Some(Block::Heading(h)) = blocks.first() {
                if h.level == 1 {
                    if let Block::Heading(title) = blocks.remove(0) {
                        draft.title = Some(title);
                    }
                }
            }
        }
        // Section headings start at level 2.
        let top = blocks
            .iter()
            .filter_map(|b| {
                if let Block::Heading(h) = b {
                    Some(h.level)
                } else {
                    None
                }
            })
            .min();
        if let Some(top) = top {
            for block in &mut blocks {
                if let Block::Heading(h) = block {
                    h.level = h.level - top + 2;
                }
            }
        }
        draft.blocks = blocks;
        let mut definitions = self.definitions;
        for (number, label) in self.references.iter().enumerate() {
            if let Some(pos) = definitions.iter().position(|(l, _)| l == label) {
                let (_, blocks) = definitions.remove(pos);
                draft.footnotes.push(Footnote {
                    id: label.clone(),
                    number: number as u32 + 1,
                    blocks,
                });
            } else {
                draft.warnings.push((
                    Span { line: 0, column: 0 },
                    format!("footnote [^{label}] is referenced but never defined"),
                ));
            }
        }
        for (label, _) in definitions {
            draft.warnings.push((
                Span { line: 0, column: 0 },
                format!("footnote [^{label}] is defined but never referenced; left out"),
            ));
        }
        draft.warnings.extend(self.warnings);
        draft
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn alignment(a: MdAlign) -> Alignment {
    match a {
        MdAlign::None => Alignment::None,
        MdAlign::Left => Alignment::Left,
        MdAlign::Center => Alignment::Center,
        MdAlign::Right => Alignment::Right,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structure() {
        let text = "# 标题\n\n第一段，有*强调*和**重点**，\n换行不加空格。[^1]\n\n## 小节\n\n- 一项\n- 二项\n\n> 引用的话。\n\n| 甲 | 乙 |\n|---|--:|\n| 1 | 2 |\n\n[^1]: 注释内容。\n";
        let draft = parse_markdown(text, &NormalizeConfig::default(), &mut Vec::new());
        assert_eq!(
            draft.title.as_ref().map(|h| plain_text(&h.content)),
            Some("标题".to_string())
        );
        let Block::Paragraph { content, span } = &draft.blocks[0] else {
            panic!("{:?}", draft.blocks[0])
        };
        assert_eq!(plain_text(content), "第一段，有强调和重点，换行不加空格。");
        assert_eq!(span.line, 3);
        assert!(matches!(&draft.blocks[1], Block::Heading(h) if h.level == 2));
        assert!(matches!(&draft.blocks[2], Block::List { items, .. } if items.len() == 2));
        assert!(matches!(&draft.blocks[3], Block::Quote { .. }));
        assert!(matches!(&draft.blocks[4], Block::Table { rows, .. } if rows.len() == 1));
        assert_eq!(draft.footnotes.len(), 1);
    }

    #[test]
    fn undefined_footnotes_and_link_references_are_warnings_at_their_place() {
        let text = "# 题\n\n正文[^9]和[链接][无]以及[^1]。\n\n代码`[^x]`不算，[已定义][有]也不算。\n\n[^1]: 注。\n\n[有]: https://example.org/\n";
        let draft = parse_markdown(text, &NormalizeConfig::default(), &mut Vec::new());
        let warnings: Vec<(u32, u32, &str)> = draft
            .warnings
            .iter()
            .map(|(span, message)| (span.line, span.column, message.as_str()))
            .collect();
        assert_eq!(
            warnings,
            vec![
                (3, 3, "footnote [^9] is never defined; it is kept as text"),
                (
                    3,
                    8,
                    "link reference [无] is never defined; it is kept as text"
                ),
            ]
        );
        assert_eq!(draft.footnotes.len(), 1);
    }

    #[test]
    fn soft_break_between_latin_words_is_a_space() {
        let draft = parse_markdown(
            "# T\n\nsome Latin\nwords 和中文\n",
            &NormalizeConfig::default(),
            &mut Vec::new(),
        );
        let Block::Paragraph { content, .. } = &draft.blocks[0] else {
            panic!()
        };
        assert_eq!(plain_text(content), "some Latin words 和中文");
    }
}
