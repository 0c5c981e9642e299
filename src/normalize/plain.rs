//! Plain text to structure, the way an editor reads it.
//!
//! The shape this is built for is text copied out of a web page or a word
//! processor: a title line (often with a "——" subtitle), one paragraph per
//! line, and headings that are short lines, numbered lines ("一、",
//! "（一）", "第一章") or a short line ending in "，" followed by a second
//! short line. Hard-wrapped text with blank lines between paragraphs is
//! recognized and joined.

use crate::config::NormalizeConfig;
use crate::model::{Block, Heading, Inline, Span};

use super::chars::{char_len, ends_sentence, ends_with_punct, is_cjk};
use super::punct::{normalize_punctuation, Change, SourceChar};
use super::Draft;

/// Lines up to this many characters may be headings.
const SHORT: usize = 25;
/// A title line (title and subtitle together) is at most this long.
const TITLE_MAX: usize = 60;

/// One non-blank source line, trimmed.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    number: u32,
    /// Characters of indentation removed from the front.
    indent: u32,
    text: &'a str,
}

impl Line<'_> {
    fn chars(&self) -> impl Iterator<Item = SourceChar> + '_ {
        let (number, indent) = (self.number, self.indent);
        self.text.chars().enumerate().map(move |(i, c)| {
            (
                c,
                Span {
                    line: number,
                    column: indent + i as u32 + 1,
                },
            )
        })
    }

    fn span(&self) -> Span {
        Span {
            line: self.number,
            column: self.indent + 1,
        }
    }

    fn is_short(&self) -> bool {
        char_len(self.text) <= SHORT
    }
}

/// A numbering style of headings, from the outermost in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Numbering {
    /// 第一章, 第一篇, 第一部分
    Chapter,
    /// 第一节
    Section,
    /// 一、
    Han,
    /// （一）
    ParenHan,
    /// 1. or 1、
    Arabic,
    /// （1）
    ParenArabic,
}

const HAN_DIGITS: &str = "一二三四五六七八九十百千零〇两";

fn is_han_digit(c: char) -> bool {
    HAN_DIGITS.contains(c)
}

/// Splits a numbered heading into its style, its number (with the
/// separator as written) and the rest.
pub fn split_number(text: &str) -> Option<(Numbering, &str, &str)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |n: usize| chars.get(n).map(|&(_, c)| c);
    let offset = |n: usize| chars.get(n).map_or(text.len(), |&(i, _)| i);
    let digits_from = |start: usize, pred: fn(char) -> bool| {
        (start..).take_while(|&k| at(k).is_some_and(pred)).count()
    };
    let with_separator = |end: usize| {
        let spaces = (end..)
            .take_while(|&k| matches!(at(k), Some(' ' | '\u{3000}')))
            .count();
        offset(end + spaces)
    };
    let (style, end) = if at(0) == Some('第') {
        let n = digits_from(1, |c| is_han_digit(c) || c.is_ascii_digit());
        let unit_end = 1 + n;
        if n == 0 {
            return None;
        }
        match (at(unit_end), at(unit_end + 1)) {
            (Some('章' | '篇' | '编' | '卷'), _) => (Numbering::Chapter, unit_end + 1),
            (Some('部'), Some('分')) => (Numbering::Chapter, unit_end + 2),
            (Some('节'), _) => (Numbering::Section, unit_end + 1),
            _ => return None,
        }
    } else if matches!(at(0), Some('（' | '(')) {
        let han = digits_from(1, is_han_digit);
        let arabic = digits_from(1, |c| c.is_ascii_digit());
        let n = han.max(arabic);
        if n == 0 || !matches!(at(1 + n), Some('）' | ')')) {
            return None;
        }
        (
            if han > 0 {
                Numbering::ParenHan
            } else {
                Numbering::ParenArabic
            },
            2 + n,
        )
    } else {
        let han = digits_from(0, is_han_digit);
        let arabic = digits_from(0, |c| c.is_ascii_digit());
        match at(han.max(arabic)) {
            Some('、') if han > 0 => (Numbering::Han, han + 1),
            Some('、' | '.' | '．')
                if arabic > 0 && !at(arabic + 1).is_some_and(|c| c.is_ascii_digit()) =>
            {
                (Numbering::Arabic, arabic + 1)
            }
            _ => return None,
        }
    };
    let split = with_separator(end);
    let rest = &text[split..];
    if rest.is_empty() {
        return None;
    }
    Some((style, &text[..split], rest))
}

/// Parses the text of one plain-text file.
pub fn parse_plain(text: &str, config: &NormalizeConfig, changes: &mut Vec<Change>) -> Draft {
    let lines = split_lines(text);
    let mut draft = Draft::default();
    let mut groups = group_lines(&lines);
    let wrapped = is_hard_wrapped(&groups);

    // The title: the first line, unless it reads like body text.
    if let Some(first) = groups.first().and_then(|g| g.first()).copied() {
        if let Some(title) = title_of(&first, &lines, config, changes) {
            draft.title = Some(title.0);
            draft.subtitle = title.1;
            let used = 1 + usize::from(title.2);
            let group = &mut groups[0];
            group.drain(..used.min(group.len()));
            if group.is_empty() {
                groups.remove(0);
            }
        }
    }

    let units: Vec<Vec<Line>> = if wrapped {
        groups.into_iter().flat_map(split_group_headings).collect()
    } else {
        groups.into_iter().flatten().map(|l| vec![l]).collect()
    };
    classify(&units, config, changes, &mut draft.blocks);
    draft
}

/// Lines of the file, without indentation and trailing whitespace; blank
/// lines as `None`.
fn split_lines(text: &str) -> Vec<Option<Line<'_>>> {
    text.split('\n')
        .enumerate()
        .map(|(i, raw)| {
            let is_indent = |c: char| matches!(c, ' ' | '\t' | '\u{3000}' | '\u{00A0}');
            let trimmed = raw.trim_start_matches(is_indent);
            let indent = char_len(&raw[..raw.len() - trimmed.len()]) as u32;
            let text = trimmed.trim_end_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
            (!text.is_empty()).then_some(Line {
                number: i as u32 + 1,
                indent,
                text,
            })
        })
        .collect()
}

/// Runs of consecutive non-blank lines.
fn group_lines<'a>(lines: &[Option<Line<'a>>]) -> Vec<Vec<Line<'a>>> {
    lines
        .split(Option::is_none)
        .filter(|g| !g.is_empty())
        .map(|g| g.iter().flatten().copied().collect())
        .collect()
}

/// Hard-wrapped text has blank lines between paragraphs and, inside a
/// paragraph, lines of nearly equal length; text with one paragraph per
/// line has lines of very different lengths.
fn is_hard_wrapped(groups: &[Vec<Line>]) -> bool {
    if groups.len() < 2 {
        return false;
    }
    let inner: Vec<usize> = groups
        .iter()
        .filter(|g| g.len() >= 2)
        .flat_map(|g| g[..g.len() - 1].iter().map(|l| display_width(l.text)))
        .collect();
    let Some(&widest) = inner.iter().max() else {
        return false;
    };
    if widest > 120 || inner.len() < 2 {
        return false;
    }
    let even = inner.iter().filter(|&&w| w * 4 >= widest * 3).count();
    even * 10 >= inner.len() * 7
}

/// Columns a terminal would use: two for CJK, one for the rest.
fn display_width(text: &str) -> usize {
    text.chars().map(|c| if is_cjk(c) { 2 } else { 1 }).sum()
}

/// Title (as a level-1 heading), subtitle, and whether the subtitle took
/// the second line.
fn title_of(
    first: &Line,
    lines: &[Option<Line>],
    config: &NormalizeConfig,
    changes: &mut Vec<Change>,
) -> Option<(Heading, Option<String>, bool)> {
    let text = first.text;
    if char_len(text) > TITLE_MAX || ends_sentence(text) {
        return None;
    }
    // Something must follow the title.
    let next = lines.iter().flatten().find(|l| l.number > first.number)?;
    let all: Vec<SourceChar> = first.chars().collect();
    let (title_chars, subtitle) = match find_subtitle_dash(&all) {
        Some((end, start)) => {
            let subtitle = &all[start..];
            (
                &all[..end],
                (!subtitle.is_empty()).then(|| normalized(subtitle, config, changes)),
            )
        }
        None => (&all[..], None),
    };
    let title_chars = trim_spaces(title_chars);
    if title_chars.is_empty() {
        return None;
    }
    let (subtitle, used_next) = match subtitle {
        Some(s) => (Some(s), false),
        None if next.number == first.number + 1
            && next.text.starts_with('—')
            && char_len(next.text) <= TITLE_MAX =>
        {
            let chars: Vec<SourceChar> = next.chars().collect();
            let start = chars
                .iter()
                .take_while(|(c, _)| *c == '—' || *c == ' ')
                .count();
            (Some(normalized(&chars[start..], config, changes)), true)
        }
        None => (None, false),
    };
    Some((
        heading_from(title_chars, 1, first.span(), config, changes),
        subtitle,
        used_next,
    ))
}

/// Where a "——" (or a single "—" set off by a space) divides title from
/// subtitle: end of the title part, start of the subtitle part.
fn find_subtitle_dash(chars: &[SourceChar]) -> Option<(usize, usize)> {
    let text: Vec<char> = chars.iter().map(|(c, _)| *c).collect();
    let pos = text.iter().position(|&c| c == '—')?;
    let run = text[pos..].iter().take_while(|&&c| c == '—').count();
    let spaced = pos > 0 && text[pos - 1] == ' ';
    if pos == 0 || (run == 1 && !spaced) {
        return None;
    }
    let mut start = pos + run;
    while text.get(start) == Some(&' ') {
        start += 1;
    }
    Some((pos, start))
}

fn trim_spaces(chars: &[SourceChar]) -> &[SourceChar] {
    let start = chars.iter().take_while(|(c, _)| c.is_whitespace()).count();
    let end = chars.len()
        - chars[start..]
            .iter()
            .rev()
            .take_while(|(c, _)| c.is_whitespace())
            .count();
    &chars[start..end]
}

fn normalized(chars: &[SourceChar], config: &NormalizeConfig, changes: &mut Vec<Change>) -> String {
    let mut out = String::new();
    normalize_punctuation(chars, config, &mut out, changes);
    out
}

/// A heading from its characters: the number split off, punctuation
/// normalized.
fn heading_from(
    chars: &[SourceChar],
    level: u8,
    span: Span,
    config: &NormalizeConfig,
    changes: &mut Vec<Change>,
) -> Heading {
    let text: String = chars.iter().map(|(c, _)| *c).collect();
    let (number, rest) = match split_number(&text) {
        Some((_, number, _)) => {
            let n = char_len(number);
            (Some(number.to_string()), &chars[n..])
        }
        None => (None, chars),
    };
    Heading {
        level,
        id: String::new(),
        number,
        content: vec![Inline::text(normalized(rest, config, changes))],
        span,
    }
}

/// In hard-wrapped text, a heading may open a group; it becomes a unit of
/// its own.
fn split_group_headings(group: Vec<Line>) -> Vec<Vec<Line>> {
    // An unnumbered heading must be clearly narrower than the wrapped lines
    // after it; otherwise it is a paragraph's first line.
    let narrow = |heading: &[Line], rest: &[Line]| {
        let widest = rest
            .iter()
            .map(|l| display_width(l.text))
            .max()
            .unwrap_or(0);
        heading
            .iter()
            .all(|l| display_width(l.text) * 5 <= widest * 3)
    };
    if group.len() > 2
        && is_two_line_heading(&group[0], &group[1])
        && narrow(&group[..2], &group[2..])
    {
        return vec![
            group[..1].to_vec(),
            group[1..2].to_vec(),
            group[2..].to_vec(),
        ];
    }
    if group.len() >= 2 {
        let first = group[0];
        let unnumbered =
            first.is_short() && !ends_with_punct(first.text) && narrow(&group[..1], &group[1..]);
        if unnumbered || split_number(first.text).is_some_and(|_| heading_like(first.text)) {
            return vec![vec![first], group[1..].to_vec()];
        }
    }
    vec![group]
}

fn is_two_line_heading(a: &Line, b: &Line) -> bool {
    a.is_short()
        && b.is_short()
        && (a.text.ends_with('，') || a.text.ends_with(','))
        && !ends_with_punct(b.text)
        && split_number(b.text).is_none()
}

/// A numbered line that is a heading, not a numbered paragraph: short and
/// not ending a sentence ("一、总体要求", not "一、加强领导。……").
fn heading_like(text: &str) -> bool {
    char_len(text) <= SHORT + 5
        && !ends_sentence(text)
        && !text.ends_with('：')
        && !text.ends_with(':')
}

/// A bullet list item: "- ", "• ", "· ", "* ".
fn bullet(text: &str) -> Option<&str> {
    ["- ", "• ", "· ", "* ", "•", "·"]
        .iter()
        .find_map(|b| text.strip_prefix(b))
        .map(str::trim_start)
        .filter(|rest| !rest.is_empty())
}

/// Turns units (one paragraph's lines each) into blocks.
fn classify(
    units: &[Vec<Line>],
    config: &NormalizeConfig,
    changes: &mut Vec<Change>,
    blocks: &mut Vec<Block>,
) {
    // Numbered headings nest by style: a heading is one level below the
    // nearest open heading of an outer style.
    let mut open: Vec<(Option<Numbering>, u8)> = Vec::new();
    let is_single = |u: &Vec<Line>| u.len() == 1;
    let mut i = 0;
    while i < units.len() {
        let unit = &units[i];
        let first = unit[0];
        let has_body_after = |from: usize| {
            units[from..]
                .iter()
                .any(|u| !is_single(u) || !u[0].is_short() || ends_sentence(u[0].text))
        };
        // Two short lines forming one heading.
        if is_single(unit)
            && i + 1 < units.len()
            && is_single(&units[i + 1])
            && is_two_line_heading(&first, &units[i + 1][0])
            && has_body_after(i + 2)
        {
            let second = units[i + 1][0];
            let mut chars: Vec<SourceChar> = first.chars().collect();
            chars.extend(second.chars());
            let level = nest(&mut open, None);
            let heading = heading_from(&chars, level, first.span(), config, changes);
            blocks.push(Block::Heading(heading));
            i += 2;
            continue;
        }
        if is_single(unit) {
            if let Some((style, _, _)) =
                split_number(first.text).filter(|_| heading_like(first.text))
            {
                let chars: Vec<SourceChar> = first.chars().collect();
                let level = nest(&mut open, Some(style));
                let heading = heading_from(&chars, level, first.span(), config, changes);
                blocks.push(Block::Heading(heading));
                i += 1;
                continue;
            }
            if first.is_short()
                && !ends_with_punct(first.text)
                && bullet(first.text).is_none()
                && has_body_after(i + 1)
            {
                let chars: Vec<SourceChar> = first.chars().collect();
                let level = nest(&mut open, None);
                let heading = heading_from(&chars, level, first.span(), config, changes);
                blocks.push(Block::Heading(heading));
                i += 1;
                continue;
            }
        }
        // A run of bullet lines is a list.
        if unit.iter().all(|l| bullet(l.text).is_some()) {
            let mut items = Vec::new();
            let span = first.span();
            let mut j = i;
            while j < units.len() && units[j].iter().all(|l| bullet(l.text).is_some()) {
                for line in &units[j] {
                    let skip =
                        char_len(line.text) - char_len(bullet(line.text).unwrap_or_default());
                    let chars: Vec<SourceChar> = line.chars().skip(skip).collect();
                    items.push(vec![Block::Paragraph {
                        content: vec![Inline::text(normalized(&chars, config, changes))],
                        span: line.span(),
                    }]);
                }
                j += 1;
            }
            blocks.push(Block::List {
                ordered: false,
                start: 1,
                items,
                span,
            });
            i = j;
            continue;
        }
        let chars = join_lines(unit);
        blocks.push(Block::Paragraph {
            content: vec![Inline::text(normalized(&chars, config, changes))],
            span: first.span(),
        });
        i += 1;
    }
}

/// The level of a heading of `style` given the headings still open:
/// closes those of the same or an inner style, then nests below the rest.
/// Unnumbered headings are outermost (level 2).
fn nest(open: &mut Vec<(Option<Numbering>, u8)>, style: Option<Numbering>) -> u8 {
    let Some(style) = style else {
        open.clear();
        open.push((None, 2));
        return 2;
    };
    while open
        .last()
        .is_some_and(|(s, _)| s.is_none_or(|s| s >= style))
    {
        open.pop();
    }
    let level = open.last().map_or(2, |(_, level)| (level + 1).min(6));
    open.push((Some(style), level));
    level
}

/// Joins the lines of a hard-wrapped paragraph: no space where a CJK
/// character meets the break, one space between two Latin words.
fn join_lines(lines: &[Line]) -> Vec<SourceChar> {
    let mut chars: Vec<SourceChar> = Vec::new();
    for line in lines {
        if let (Some(&(last, _)), Some(first)) = (chars.last(), line.text.chars().next()) {
            if !is_cjk(last) && !is_cjk(first) && last != '-' {
                chars.push((' ', line.span()));
            }
        }
        chars.extend(line.chars());
    }
    chars
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_styles() {
        assert_eq!(
            split_number("第一章 总则"),
            Some((Numbering::Chapter, "第一章 ", "总则"))
        );
        assert_eq!(
            split_number("第三部分　展望"),
            Some((Numbering::Chapter, "第三部分　", "展望"))
        );
        assert_eq!(
            split_number("第二节 方法"),
            Some((Numbering::Section, "第二节 ", "方法"))
        );
        assert_eq!(
            split_number("一、总体要求"),
            Some((Numbering::Han, "一、", "总体要求"))
        );
        assert_eq!(
            split_number("（十二）工作"),
            Some((Numbering::ParenHan, "（十二）", "工作"))
        );
        assert_eq!(
            split_number("3. 结论"),
            Some((Numbering::Arabic, "3. ", "结论"))
        );
        assert_eq!(
            split_number("(2)细则"),
            Some((Numbering::ParenArabic, "(2)", "细则"))
        );
        assert_eq!(split_number("3.5亿元"), None);
        assert_eq!(split_number("第一"), None);
        assert_eq!(split_number("一是加强"), None);
    }

    fn headings(text: &str) -> Vec<(u8, String)> {
        let draft = parse_plain(text, &NormalizeConfig::default(), &mut Vec::new());
        draft
            .blocks
            .iter()
            .filter_map(|b| {
                if let Block::Heading(h) = b {
                    Some((h.level, h.display_text()))
                } else {
                    None
                }
            })
            .collect()
    }

    #[test]
    fn two_line_heading_joins() {
        let text = "标题 ——副标题\n第一段正文比较长，写了很多内容，一直写到这里才结束。\n固守圆心凝共识，\n跟党奋进迈出新步伐\n正文又开始了，这一段也写了不少内容。\n";
        assert_eq!(
            headings(text),
            vec![(2, "固守圆心凝共识，跟党奋进迈出新步伐".to_string())]
        );
    }

    #[test]
    fn short_line_ending_in_stop_is_a_paragraph() {
        let text = "标题\n第一段正文比较长，写了很多内容，一直写到这里才结束。\n方能行稳致远。\n正文又开始了，这一段也写了不少内容。\n";
        assert!(headings(text).is_empty());
    }

    #[test]
    fn numbered_levels_follow_styles() {
        let text = "第一章 总则\n一、目的\n为了说明问题，这里写一段正文，内容不短。\n（一）范围\n这里是第二段正文，也写了一些内容。\n二、原则\n第三段正文在这里，写完为止。\n";
        let draft = parse_plain(text, &NormalizeConfig::default(), &mut Vec::new());
        let title = draft.title.unwrap();
        assert_eq!(title.number.as_deref(), Some("第一章 "));
        assert_eq!(
            headings(text),
            vec![
                (2, "一、目的".into()),
                (3, "（一）范围".into()),
                (2, "二、原则".into())
            ]
        );
    }

    #[test]
    fn body_like_first_line_is_not_a_title() {
        let text = "这是一段正文，不是标题，因为它以句号结束。\n第二段。\n";
        let draft = parse_plain(text, &NormalizeConfig::default(), &mut Vec::new());
        assert!(draft.title.is_none());
        assert_eq!(draft.blocks.len(), 2);
    }

    #[test]
    fn hard_wrapped_paragraphs_join() {
        let text = "标题\n\n第一段的第一行写到这里就换行了，\n接着写第二行也差不多长短的内容\n最后一行。\n\nThe second paragraph has Latin\nwords that wrap across lines here\nand end.\n";
        let draft = parse_plain(text, &NormalizeConfig::default(), &mut Vec::new());
        let texts: Vec<String> = draft
            .blocks
            .iter()
            .map(|b| match b {
                Block::Paragraph { content, .. } => crate::model::plain_text(content),
                _ => String::new(),
            })
            .collect();
        assert_eq!(
            texts,
            vec![
                "第一段的第一行写到这里就换行了，接着写第二行也差不多长短的内容最后一行。"
                    .to_string(),
                "The second paragraph has Latin words that wrap across lines here and end."
                    .to_string(),
            ]
        );
    }
}
