//! Markdown to the model, through pulldown-cmark.
//!
//! CommonMark plus tables, footnotes and strikethrough. Text runs get the
//! same punctuation normalization as plain text; a soft line break between
//! two CJK characters joins them without a space.

use pulldown_cmark::{
    Alignment as MdAlign, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd,
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

enum Frame {
    Blocks(Vec<Block>),
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
    };
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        let span = builder.lines.span(range.start);
        builder.event(event, span);
    }
    builder.finish()
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

    fn start(&mut self, tag: Tag, span: Span) {
        self.flush_text();
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
        match frame {
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
                    SpanKind::Strike => {
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
        match self.stack.last_mut() {
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
