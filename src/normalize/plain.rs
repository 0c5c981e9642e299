//! Plain text to structure, the way an editor reads it.
//!
//! The shape this is built for is text copied out of a web page or a word
//! processor: a title line (often with a "——" subtitle), one paragraph per
//! line, and headings that are short lines, numbered lines ("一、",
//! "（一）", "第一章", "第八十一回"), or a short line ending in "，"
//! followed by a second short line. Hard-wrapped text with blank lines
//! between paragraphs is recognized and joined.
//!
//! Real text holds more than that: poems inside prose (verse blocks, found
//! first), letters and lists of names (quotations, not headings), letters
//! among hard-wrapped lines (found by the short lines the writer broke),
//! and files of many 回 (each 回目 then starts a chapter: see
//! [`Draft::parts`]). Each
//! decision by evidence that an editor should look at is a note with its
//! line; `[structure]` lets the editor take over.

use crate::config::{HeadingMode, NormalizeConfig, StructureConfig, VerseMode};
use crate::model::{Block, Heading, Inline, Span};

use super::chars::{char_len, ends_sentence, ends_with_punct, is_cjk, is_han};
use super::punct::{normalize_punctuation, Change, Rule, SourceChar};
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
    /// 第一卷, 卷一, 第一编, 上编
    Volume,
    /// 第一章, 第一篇, 第一部分, 第八十一回
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
    // A volume or chapter number may stand alone ("第一卷", "卷一",
    // "上编") when the line ends or a space follows.
    let alone = |end: usize| at(end).is_none_or(|c| c == ' ' || c == '\u{3000}');
    let (style, end) = if at(0) == Some('第') {
        let n = digits_from(1, |c| is_han_digit(c) || c.is_ascii_digit());
        let unit_end = 1 + n;
        if n == 0 {
            return None;
        }
        match (at(unit_end), at(unit_end + 1)) {
            (Some('编' | '卷'), _) => (Numbering::Volume, unit_end + 1),
            (Some('章' | '篇' | '回'), _) => (Numbering::Chapter, unit_end + 1),
            (Some('部'), Some('分')) => (Numbering::Chapter, unit_end + 2),
            (Some('节'), _) => (Numbering::Section, unit_end + 1),
            _ => return None,
        }
    } else if at(0) == Some('卷') && digits_from(1, is_han_digit) > 0 {
        let end = 1 + digits_from(1, is_han_digit);
        if !alone(end) {
            return None;
        }
        (Numbering::Volume, end)
    } else if matches!(at(0), Some('上' | '中' | '下'))
        && matches!(at(1), Some('编' | '卷' | '篇'))
        && alone(2)
    {
        (Numbering::Volume, 2)
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
    if rest.is_empty() && style > Numbering::Chapter {
        return None;
    }
    if rest.is_empty() && !alone(end) {
        return None;
    }
    Some((style, &text[..split], rest))
}

/// Parses the text of one plain-text file with the default structure
/// settings.
pub fn parse_plain(text: &str, config: &NormalizeConfig, changes: &mut Vec<Change>) -> Draft {
    parse_plain_with(text, config, &StructureConfig::default(), changes)
}

/// Parses the text of one plain-text file.
pub fn parse_plain_with(
    text: &str,
    config: &NormalizeConfig,
    structure: &StructureConfig,
    changes: &mut Vec<Change>,
) -> Draft {
    let lines = split_lines(text);
    let mut draft = Draft::default();
    let mut groups = group_lines(&lines);
    let wrap_width = hard_wrap_width(&groups);
    let wrapped = wrap_width.is_some();

    // The title: the first line, unless it reads like body text.
    if let Some(first) = groups.first().and_then(|g| g.first()).copied() {
        let first = if structure.headings == HeadingMode::Marked {
            strip_mark(&first).map_or(first, |(_, line)| line)
        } else {
            first
        };
        if let Some(title) = title_of(&first, &lines, config, changes, &mut draft) {
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

    let units: Vec<Vec<Line>> = if wrapped && structure.headings == HeadingMode::Auto {
        groups.into_iter().flat_map(split_group_headings).collect()
    } else if wrapped {
        // A marked or numbered heading may open a group too.
        let opens = |line: &Line| match structure.headings {
            HeadingMode::Marked => strip_mark(line).is_some(),
            HeadingMode::Numbered => split_number(line.text).is_some() && heading_like(line.text),
            _ => false,
        };
        groups
            .into_iter()
            .flat_map(|g| {
                if g.len() >= 2 && opens(&g[0]) {
                    vec![g[..1].to_vec(), g[1..].to_vec()]
                } else {
                    vec![g]
                }
            })
            .collect()
    } else {
        groups.into_iter().flatten().map(|l| vec![l]).collect()
    };
    let mut reader = Reader {
        units: &units,
        config,
        structure,
        changes,
        draft: &mut draft,
        open: Vec::new(),
        runs: LetterRuns::default(),
        wrap_width,
        letter_end: None,
    };
    reader.classify();
    // Marked headings are the editor's own levels.
    if matches!(
        structure.headings,
        HeadingMode::Auto | HeadingMode::Numbered
    ) {
        mark_parts(&mut draft);
    }
    draft
}

/// A heading that may start a chapter of its own: a 回目 or a volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PartKind {
    Volume,
    Hui,
}

fn part_kind(text: &str) -> Option<PartKind> {
    match split_number(text)? {
        (Numbering::Volume, _, _) => Some(PartKind::Volume),
        (Numbering::Chapter, number, _) if number.trim_end().ends_with('回') => {
            Some(PartKind::Hui)
        }
        _ => None,
    }
}

/// A file holding two or more 回目 ("第八十一回　…　…"), or two or more
/// volume headings ("第一卷", "卷一", "上编"), is a sequence of chapters
/// (and volumes): each such heading starts a chapter of its own. The
/// file's title counts as one of them when it is one. Not with
/// `headings = "marked"`, where `#` sets the levels.
fn mark_parts(draft: &mut Draft) {
    let kind_at = |b: &Block| match b {
        Block::Heading(h) => part_kind(&h.display_text()),
        _ => None,
    };
    let title_kind = draft
        .title
        .as_ref()
        .and_then(|h| part_kind(&h.display_text()));
    let chosen: Vec<PartKind> = [PartKind::Volume, PartKind::Hui]
        .into_iter()
        .filter(|&k| {
            let inside = draft
                .blocks
                .iter()
                .filter(|b| kind_at(b) == Some(k))
                .count();
            inside + usize::from(title_kind == Some(k)) >= 2
        })
        .collect();
    let parts: Vec<usize> = draft
        .blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| kind_at(b).is_some_and(|k| chosen.contains(&k)))
        .map(|(i, _)| i)
        .collect();
    if let Some(&first) = parts.first() {
        let hui = parts
            .iter()
            .filter(|&&i| kind_at(&draft.blocks[i]) == Some(PartKind::Hui))
            .count();
        let what = match (hui, parts.len() - hui) {
            (0, v) => format!("{v} volume headings"),
            (h, 0) => format!("{h} chapter headings (回目)"),
            (h, v) => format!("{h} chapter headings (回目) and {v} volume headings"),
        };
        draft.notes.push((
            draft.blocks[first].span(),
            format!(
                "{what} each start a chapter of their own, listed at the first level of the contents (to keep them as sections of one chapter, mark them with `#` and set `headings = \"marked\"` under [structure])"
            ),
        ));
    }
    draft.parts = parts;
}

/// A line starting with `#` marks a heading: its level (one `#` is
/// level 2) and the line without the marks.
fn strip_mark<'a>(line: &Line<'a>) -> Option<(u8, Line<'a>)> {
    let hashes = line
        .text
        .chars()
        .take_while(|&c| c == '#' || c == '＃')
        .count();
    if hashes == 0 {
        return None;
    }
    let rest = line.text.chars().skip(hashes).collect::<String>();
    let skipped = hashes + rest.chars().take_while(|c| c.is_whitespace()).count();
    let offset = line
        .text
        .char_indices()
        .nth(skipped)
        .map_or(line.text.len(), |(i, _)| i);
    let text = &line.text[offset..];
    if text.is_empty() {
        return None;
    }
    Some((
        (hashes.min(5) as u8 + 1),
        Line {
            number: line.number,
            indent: line.indent + skipped as u32,
            text,
        },
    ))
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
/// Gives the width (in columns) of the wrapped lines.
fn hard_wrap_width(groups: &[Vec<Line>]) -> Option<usize> {
    if groups.len() < 2 {
        return None;
    }
    let inner: Vec<usize> = groups
        .iter()
        .filter(|g| g.len() >= 2)
        .flat_map(|g| g[..g.len() - 1].iter().map(|l| display_width(l.text)))
        .collect();
    let &widest = inner.iter().max()?;
    if widest > 120 || inner.len() < 2 {
        return None;
    }
    let even = inner.iter().filter(|&&w| fills(w, widest)).count();
    (even * 10 >= inner.len() * 7).then_some(widest)
}

/// A line of `width` columns fills a measure of `widest`: it was broken
/// by the wrap, not by the writer.
fn fills(width: usize, widest: usize) -> bool {
    width * 4 >= widest * 3
}

/// The parts of a hard-wrapped group, each ending at a line that does not
/// fill the measure (where the writer broke the line).
fn wrapped_segments<'u, 'a>(unit: &'u [Line<'a>], widest: usize) -> Vec<&'u [Line<'a>]> {
    let mut segments = Vec::new();
    let mut start = 0;
    for (k, line) in unit.iter().enumerate() {
        if k + 1 == unit.len() || !fills(display_width(line.text), widest) {
            segments.push(&unit[start..=k]);
            start = k + 1;
        }
    }
    segments
}

/// A letter inside a hard-wrapped group: among the wrapped lines, short
/// lines the writer broke (greeting, closing, signature, date). At least
/// three parts, two of them short single lines, one of which would pass
/// for a heading (a signature or a date has no closing punctuation). The
/// letter starts at its first short line; wrapped paragraphs before it
/// stay outside.
fn wrapped_letter<'u, 'a>(
    unit: &'u [Line<'a>],
    widest: usize,
) -> Option<(usize, Vec<&'u [Line<'a>]>)> {
    if unit.len() < 3 {
        return None;
    }
    let segments = wrapped_segments(unit, widest);
    let short = |segment: &[Line]| {
        segment.len() == 1
            && char_len(segment[0].text) <= LETTER_LINE
            && !fills(display_width(segment[0].text), widest)
    };
    let singles = segments.iter().filter(|s| short(s)).count();
    let unpunctuated = segments
        .iter()
        .any(|s| short(s) && heading_candidate(&s[0]));
    let start = segments.iter().position(|s| short(s))?;
    (segments.len() >= 3 && singles >= 2 && unpunctuated && segments.len() - start >= 3)
        .then_some((start, segments))
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
    draft: &mut Draft,
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
    let mut title_chars = trim_spaces(title_chars);
    if title_chars.is_empty() {
        return None;
    }
    // 《史记•项羽本纪》: the marks around the whole title go.
    let marked = title_chars.len() > 2
        && title_chars[0].0 == '《'
        && title_chars[title_chars.len() - 1].0 == '》'
        && !title_chars[1..title_chars.len() - 1]
            .iter()
            .any(|(c, _)| matches!(c, '《' | '》'));
    if marked && config.title_marks {
        changes.push(Change {
            span: title_chars[0].1,
            rule: Rule::TitleMarks,
            from: title_chars.iter().map(|(c, _)| *c).collect(),
            to: title_chars[1..title_chars.len() - 1]
                .iter()
                .map(|(c, _)| *c)
                .collect(),
        });
        title_chars = &title_chars[1..title_chars.len() - 1];
    } else if !marked {
        // 白居易·琵琶行: a short name before the one separator is the
        // author.
        let dots: Vec<usize> = (0..title_chars.len())
            .filter(|&k| matches!(title_chars[k].0, '·' | '•' | '・' | '‧' | '･'))
            .collect();
        if let [k] = dots[..] {
            let name = &title_chars[..k];
            let rest = trim_spaces(&title_chars[k + 1..]);
            let name = trim_spaces(name);
            let name_like = (2..=3).contains(&name.len())
                && name.iter().all(|(c, _)| is_han(*c))
                && rest.len() >= 2;
            let before: String = name.iter().map(|(c, _)| *c).collect();
            if name_like && reads_like_work_title(rest) {
                draft.notes.push((
                    name[0].1,
                    format!("“{before}” before “·” in the title line read as the author"),
                ));
                draft.author = Some(before);
                title_chars = rest;
            } else if name_like {
                // "青川·山水": a place and a theme as often as an author
                // and a work.
                draft.notes.push((
                    name[0].1,
                    format!("“{before}” before “·” kept in the title: the rest does not read as the title of a work (set `authors` under [book] if “{before}” is the author)"),
                ));
            }
        }
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

/// The title of a poem, essay or other work as named after its author:
/// it ends with a word for its form (琵琶行, 长恨歌, 岳阳楼记, 滕王阁序) or
/// with a note on its parts (（并序）, （其一）).
fn reads_like_work_title(chars: &[SourceChar]) -> bool {
    let text: String = chars.iter().map(|(c, _)| *c).collect();
    if let Some(open) = text.rfind('（').filter(|_| text.ends_with('）')) {
        let note = &text[open..];
        if note.contains('序') || note.contains('其') {
            return true;
        }
    }
    text.chars()
        .last()
        .is_some_and(|c| "行歌吟曲引辞赋记序传铭诗词颂赞操谣叹怨".contains(c))
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
        Some((_, number, rest)) if !rest.is_empty() => {
            let n = char_len(number);
            (Some(number.to_string()), &chars[n..])
        }
        _ => (None, chars),
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
        && !(verse_measure(a.text).is_some()
            && verse_measure(a.text).map(|m| m.0) == verse_measure(b.text).map(|m| m.0))
}

/// A line that introduces a poem: "有诗为证：", "诗曰：", "随口吟道：",
/// "正是：" (a letter's greeting, "吾兄如晤：", does not).
fn introduces_poem(text: &str) -> bool {
    let Some(before) = text
        .strip_suffix('：')
        .or_else(|| text.strip_suffix(':'))
        .or_else(|| text.ends_with('曰').then_some(text))
    else {
        return false;
    };
    let chars: Vec<char> = before.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(8)..].iter().collect();
    ["诗", "词", "曰", "吟", "歌", "赞", "偈", "正是", "但见"]
        .iter()
        .any(|w| tail.contains(w))
}

/// How a line reads as verse: the length of its parts (Han characters
/// between punctuation, all the same: 4 to 7) and their number (1 to 4).
/// "春眠不觉晓，处处闻啼鸟。" is (5, 2).
fn verse_measure(text: &str) -> Option<(usize, usize)> {
    let mut measure = 0;
    let mut parts = 0;
    let mut current = 0;
    for c in text.chars() {
        if is_han(c) {
            current += 1;
        } else if matches!(
            c,
            '，' | '。' | '．' | '？' | '！' | '；' | '、' | ',' | '.' | '?' | '!'
        ) {
            if current == 0 || (measure != 0 && current != measure) {
                return None;
            }
            measure = current;
            parts += 1;
            current = 0;
        } else {
            return None;
        }
    }
    if current > 0 {
        if measure != 0 && current != measure {
            return None;
        }
        measure = current;
        parts += 1;
    }
    ((4..=7).contains(&measure) && (1..=4).contains(&parts)).then_some((measure, parts))
}

/// A numbered line that is a heading, not a numbered paragraph: short and
/// not ending a sentence ("一、总体要求", not "一、加强领导。……").
fn heading_like(text: &str) -> bool {
    let limit = match split_number(text) {
        Some((Numbering::Volume | Numbering::Chapter, _, _)) => 2 * SHORT,
        _ => SHORT + 5,
    };
    char_len(text) <= limit && !ends_sentence(text) && !text.ends_with('：') && !text.ends_with(':')
}

/// A bullet list item: "- ", "• ", "· ", "* ".
fn bullet(text: &str) -> Option<&str> {
    ["- ", "• ", "· ", "* ", "•", "·"]
        .iter()
        .find_map(|b| text.strip_prefix(b))
        .map(str::trim_start)
        .filter(|rest| !rest.is_empty())
}

/// Lines in a letter or a list of names are at most this long.
const LETTER_LINE: usize = SHORT;

/// A letter's closing lines ("此致", "敬礼", signature, date, 附言) are at
/// most this many when no prose follows them.
const CLOSING_MAX: usize = 8;

/// A line that closes a letter: a date ("一九八七年三月五日", "3月5日夜",
/// "三月初七日灯下"), a formula ("此致", "敬礼", "即颂", "秋安") or a
/// signature ("你的朋友 阿明", "弟 仲谦 顿首").
fn reads_as_closing(text: &str) -> bool {
    const OPENS: [&str; 13] = [
        "此致",
        "此颂",
        "即颂",
        "顺颂",
        "敬颂",
        "专此",
        "祝",
        "顺祝",
        "敬祝",
        "敬礼",
        "你的",
        "您的",
        "你们的",
    ];
    const ENDS: [&str; 11] = [
        "顿首", "敬上", "拜上", "谨上", "手书", "谨启", "敬礼", "再拜", "叩首", "叩上", "草",
    ];
    char_len(text) <= LETTER_LINE
        && (reads_as_date(text)
            || OPENS.iter().any(|w| text.starts_with(w))
            || ENDS.iter().any(|w| text.ends_with(w))
            // "学安", "近安", "秋安"
            || (char_len(text) <= 3 && text.ends_with('安')))
}

/// The weather under a diary entry's date: "晴", "多云转小雨", "阴，有风".
fn reads_as_weather(text: &str) -> bool {
    char_len(text) <= 8
        && text.chars().all(|c| {
            matches!(
                c,
                '晴' | '阴'
                    | '雨'
                    | '雪'
                    | '云'
                    | '多'
                    | '转'
                    | '小'
                    | '中'
                    | '大'
                    | '暴'
                    | '阵'
                    | '雷'
                    | '风'
                    | '霜'
                    | '雾'
                    | '霾'
                    | '有'
                    | '微'
                    | '间'
                    | '，'
                    | '、'
                    | ' '
                    | '\u{3000}'
            )
        })
}

/// A date as a letter or an entry is dated: numbers with 年, 月, 日 or 号
/// ("一九八七年三月五日", "3月5日", "三月初七"), or digits with dots or
/// dashes ("1987.3.5"), perhaps with the time of day ("夜", "灯下") and
/// the place after "于".
fn reads_as_date(text: &str) -> bool {
    let date = text.find('于').map_or(text, |k| &text[..k]).trim_end();
    let (mut digits, mut units, mut separators) = (0, 0, 0);
    for c in date.chars() {
        if c.is_ascii_digit() || ('０'..='９').contains(&c) || is_han_digit(c) {
            digits += 1;
        } else if matches!(c, '年' | '月' | '日' | '号' | '初') {
            units += 1;
        } else if matches!(c, '.' | '-' | '/' | '．' | '／') {
            separators += 1;
        } else if !matches!(
            c,
            '廿' | '卅'
                | '元'
                | '正'
                | '腊'
                | '冬'
                | '上'
                | '中'
                | '下'
                | '旬'
                | '夜'
                | '晨'
                | '晚'
                | '早'
                | '午'
                | '凌'
                | '灯'
                | '星'
                | '期'
                | '周'
                | '写'
                | ' '
                | '\u{3000}'
        ) {
            return false;
        }
    }
    digits > 0 && (units > 0 || separators >= 2)
}

/// Turns units (one paragraph's lines each) into blocks.
struct Reader<'r, 'a> {
    units: &'r [Vec<Line<'a>>],
    config: &'r NormalizeConfig,
    structure: &'r StructureConfig,
    changes: &'r mut Vec<Change>,
    draft: &'r mut Draft,
    /// Numbered headings nest by style: a heading is one level below the
    /// nearest open heading of an outer style.
    open: Vec<(Option<Numbering>, u8)>,
    runs: LetterRuns,
    /// The measure of hard-wrapped text.
    wrap_width: Option<usize>,
    /// The unit after the last letter read: a greeting there opens the
    /// next letter of an exchange.
    letter_end: Option<usize>,
}

/// What a letter needs, counted once for all units so reading stays
/// linear.
#[derive(Default)]
struct LetterRuns {
    /// For each unit, the end of the run of letter-like lines from it.
    fit_end: Vec<usize>,
    /// Prefix sums: lines that would pass for headings.
    candidates: Vec<usize>,
    /// Prefix sums: lines with "。" or "：" in them.
    marked: Vec<usize>,
    /// For each unit, one past the last heading-like line before it.
    after_candidate: Vec<usize>,
    /// Prefix sums: lines that close a letter (a date, "此致", a
    /// signature).
    closings: Vec<usize>,
    /// For each unit, the first line from it on that reads as a date.
    next_date: Vec<usize>,
}

impl LetterRuns {
    /// `verse_at`: where verse was found (no letter runs into it).
    fn new(units: &[Vec<Line>], verse_at: &[Option<usize>]) -> LetterRuns {
        let mut in_verse = vec![false; units.len()];
        for (k, end) in verse_at.iter().enumerate() {
            if let Some(end) = *end {
                in_verse[k..end].iter_mut().for_each(|v| *v = true);
            }
        }
        let fits = |k: usize, unit: &[Line]| {
            !in_verse[k]
                && is_single(unit)
                && char_len(unit[0].text) <= LETTER_LINE
                && split_number(unit[0].text).is_none()
                && bullet(unit[0].text).is_none()
        };
        let mut next_date = vec![units.len(); units.len() + 1];
        for k in (0..units.len()).rev() {
            next_date[k] = if is_single(&units[k]) && reads_as_date(units[k][0].text) {
                k
            } else {
                next_date[k + 1]
            };
        }
        let mut fit_end = vec![units.len(); units.len() + 1];
        for k in (0..units.len()).rev() {
            fit_end[k] = if fits(k, &units[k]) {
                fit_end[k + 1]
            } else {
                k
            };
        }
        let prefix = |f: &dyn Fn(&Line) -> bool| {
            let mut sums = Vec::with_capacity(units.len() + 1);
            sums.push(0);
            for unit in units {
                let last = sums.last().copied().unwrap_or(0);
                sums.push(last + usize::from(is_single(unit) && f(&unit[0])));
            }
            sums
        };
        let mut after_candidate = Vec::with_capacity(units.len() + 1);
        after_candidate.push(0);
        for (k, unit) in units.iter().enumerate() {
            let last = after_candidate.last().copied().unwrap_or(0);
            let candidate = is_single(unit) && heading_candidate(&unit[0]);
            after_candidate.push(if candidate { k + 1 } else { last });
        }
        LetterRuns {
            fit_end,
            after_candidate,
            candidates: prefix(&heading_candidate),
            closings: prefix(&|l: &Line| reads_as_closing(l.text)),
            next_date,
            marked: prefix(&|l: &Line| l.text.contains('。') || l.text.contains('：')),
        }
    }
}

fn is_single(unit: &[Line]) -> bool {
    unit.len() == 1
}

/// A unit that can only be body text: several lines, a long line or a
/// sentence.
fn is_body(unit: &[Line]) -> bool {
    !is_single(unit) || !unit[0].is_short() || ends_sentence(unit[0].text)
}

/// A single short line an editor could take for an unnumbered heading.
fn heading_candidate(line: &Line) -> bool {
    line.is_short() && !ends_with_punct(line.text) && bullet(line.text).is_none()
}

impl Reader<'_, '_> {
    fn push(&mut self, block: Block) {
        self.draft.blocks.push(block);
    }

    fn heading(&mut self, chars: &[SourceChar], style: Option<Numbering>, span: Span) {
        let level = nest(&mut self.open, style);
        let heading = heading_from(chars, level, span, self.config, self.changes);
        self.push(Block::Heading(heading));
    }

    fn text_of(&mut self, chars: &[SourceChar]) -> Vec<Inline> {
        vec![Inline::text(normalized(chars, self.config, self.changes))]
    }

    fn classify(&mut self) {
        let units = self.units;
        // has_body[k]: some unit from k on is body text (computed once, so
        // reading stays linear).
        let mut has_body = vec![false; units.len() + 1];
        for k in (0..units.len()).rev() {
            has_body[k] = has_body[k + 1] || is_body(&units[k]);
        }
        // Verse first, in one pass: a letter or a heading never takes the
        // lines of a poem ("诗曰：" and the poem after it).
        let mut verse_at = vec![None; units.len()];
        if self.structure.verse == VerseMode::Auto {
            let mut k = 0;
            while k < units.len() {
                match self.verse_run(k) {
                    Some(end) => {
                        verse_at[k] = Some(end);
                        k = end;
                    }
                    None => k += 1,
                }
            }
        }
        self.runs = LetterRuns::new(units, &verse_at);
        let auto = self.structure.headings == HeadingMode::Auto;
        let mut i = 0;
        while i < units.len() {
            let unit = &units[i];
            let first = unit[0];
            if let Some(end) = verse_at[i] {
                self.verse(i, end);
                i = end;
                continue;
            }
            if auto {
                if let Some(end) = self
                    .letter_run(i)
                    .or_else(|| self.greeted_letter(i, &verse_at))
                    .or_else(|| self.introduced_lines(i))
                {
                    self.letter(i, end);
                    i = end;
                    continue;
                }
            }
            // Two short lines forming one heading.
            if auto
                && is_single(unit)
                && i + 1 < units.len()
                && is_single(&units[i + 1])
                && is_two_line_heading(&first, &units[i + 1][0])
                && verse_at[i + 1].is_none()
                && has_body[i + 2]
            {
                let second = units[i + 1][0];
                let mut chars: Vec<SourceChar> = first.chars().collect();
                chars.extend(second.chars());
                self.heading(&chars, None, first.span());
                i += 2;
                continue;
            }
            if is_single(unit) {
                if self.structure.headings == HeadingMode::Marked {
                    if let Some((level, line)) = strip_mark(&first) {
                        let chars: Vec<SourceChar> = line.chars().collect();
                        let heading =
                            heading_from(&chars, level, line.span(), self.config, self.changes);
                        self.push(Block::Heading(heading));
                        i += 1;
                        continue;
                    }
                }
                let numbered = matches!(
                    self.structure.headings,
                    HeadingMode::Auto | HeadingMode::Numbered
                );
                if let Some((style, _, _)) =
                    split_number(first.text).filter(|_| numbered && heading_like(first.text))
                {
                    let chars: Vec<SourceChar> = first.chars().collect();
                    self.heading(&chars, Some(style), first.span());
                    i += 1;
                    continue;
                }
                // A line after one ending in a comma continues its
                // sentence: never a heading.
                let continues = i > 0
                    && units[i - 1]
                        .last()
                        .is_some_and(|l| l.text.ends_with('，') || l.text.ends_with(','));
                // A diary entry's weather under its date ("三月五日" then
                // "晴") is part of the entry, not a heading of its own.
                let weather = i > 0
                    && reads_as_weather(first.text)
                    && reads_as_date(units[i - 1][0].text)
                    && matches!(self.draft.blocks.last(), Some(Block::Heading(_)));
                if auto && heading_candidate(&first) && has_body[i + 1] && !continues && !weather {
                    let chars: Vec<SourceChar> = first.chars().collect();
                    self.heading(&chars, None, first.span());
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
                        let content = self.text_of(&chars);
                        items.push(vec![Block::Paragraph {
                            content,
                            span: line.span(),
                        }]);
                    }
                    j += 1;
                }
                self.push(Block::List {
                    ordered: false,
                    start: 1,
                    items,
                    span,
                });
                i = j;
                continue;
            }
            if let Some((start, segments)) = self
                .wrap_width
                .filter(|_| auto)
                .and_then(|w| wrapped_letter(unit, w))
            {
                self.wrapped_letter(start, &segments);
                i += 1;
                continue;
            }
            let chars = join_lines(unit);
            let content = self.text_of(&chars);
            self.push(Block::Paragraph {
                content,
                span: first.span(),
            });
            i += 1;
        }
    }

    /// Wrapped paragraphs before `start`, then the letter: each part a
    /// paragraph of a quotation.
    fn wrapped_letter(&mut self, start: usize, segments: &[&[Line]]) {
        let paragraph = |reader: &mut Self, lines: &[Line]| {
            let chars = join_lines(lines);
            let content = reader.text_of(&chars);
            Block::Paragraph {
                content,
                span: lines[0].span(),
            }
        };
        for segment in &segments[..start] {
            let block = paragraph(self, segment);
            self.push(block);
        }
        let span = segments[start][0].span();
        let blocks: Vec<Block> = segments[start..]
            .iter()
            .map(|segment| paragraph(self, segment))
            .collect();
        let short = segments[start..].iter().filter(|s| s.len() == 1).count();
        self.draft.notes.push((
            span,
            format!(
                "{short} short lines among wrapped lines read as a letter, kept as a quotation of {} paragraphs (set `headings = \"numbered\"` under [structure] to join them as wrapped paragraphs)",
                blocks.len()
            ),
        ));
        self.push(Block::Quote { blocks, span });
    }

    /// The end of a run of verse starting at unit `i`: units whose every
    /// line reads as verse of one measure, at least four parts in all
    /// (two couplets, or four half-lines), or two parts after a line that
    /// introduces them ("有诗为证：") or on two punctuated lines of five or
    /// seven characters (a couplet).
    fn verse_run(&self, i: usize) -> Option<usize> {
        let units = self.units;
        let unit_measure = |unit: &[Line]| -> Option<(usize, usize)> {
            let mut measure = None;
            let mut parts = 0;
            for line in unit {
                let (m, p) = verse_measure(line.text)?;
                if measure.is_some_and(|x| x != m) {
                    return None;
                }
                measure = Some(m);
                parts += p;
            }
            measure.map(|m| (m, parts))
        };
        let (measure, mut parts) = unit_measure(&units[i])?;
        let mut lines = units[i].len();
        let mut end = i + 1;
        while let Some((m, p)) = units.get(end).and_then(|u| unit_measure(u)) {
            if m != measure {
                break;
            }
            parts += p;
            lines += units[end].len();
            end += 1;
        }
        let introduced = i > 0
            && (measure == 5 || measure == 7)
            && units[i - 1].last().is_some_and(|l| introduces_poem(l.text));
        // A couplet on two lines without an introduction must show its
        // punctuation ("春风吹绿江南岸，").
        let couplet = (measure == 5 || measure == 7)
            && lines >= 2
            && units[i..end]
                .iter()
                .flatten()
                .any(|l| ends_with_punct(l.text));
        let enough = (lines >= 2 && parts >= 4) || ((introduced || couplet) && parts >= 2);
        enough.then_some(end)
    }

    fn verse(&mut self, start: usize, end: usize) {
        let units = self.units;
        let span = units[start][0].span();
        let mut lines = Vec::new();
        let mut last_line = None;
        let mut count = 0;
        for unit in &units[start..end] {
            for line in unit {
                if last_line.is_some_and(|n: u32| line.number > n + 1) {
                    lines.push(Vec::new()); // a stanza break
                }
                last_line = Some(line.number);
                let chars: Vec<SourceChar> = line.chars().collect();
                lines.push(self.text_of(&chars));
                count += 1;
            }
        }
        self.draft.notes.push((
            span,
            format!(
                "{count} short line{} read as verse (set `verse = \"none\"` under [structure] to keep them as paragraphs)",
                if count == 1 { "" } else { "s" }
            ),
        ));
        self.push(Block::Verse { lines, span });
    }

    /// The end of a letter (or a list of names) starting at unit `i`: at
    /// least four short single lines, not numbered, two or more of which
    /// would otherwise pass for headings, and one with "。" or "：" in it;
    /// not from a date, and up to the first date.
    fn letter_run(&self, i: usize) -> Option<usize> {
        // The run ends with its last heading-like line (a signature, a
        // date, a name): sentences after it are body text again.
        let end = self.runs.after_candidate[self.runs.fit_end[i]];
        if end <= i {
            return None;
        }
        // A letter ends with its date; a diary's entry starts with it
        // (and its weather): short entries are not a letter.
        let text = self.units[i][0].text;
        if reads_as_date(text) || reads_as_weather(text) {
            return None;
        }
        let end = end.min(self.runs.next_date[i] + 1);
        let between = |sums: &[usize]| sums[end] - sums[i];
        let candidates = between(&self.runs.candidates);
        let marked = between(&self.runs.marked);
        (end - i >= 4 && candidates >= 2 && marked > 0).then_some(end)
    }

    /// The end of short lines that a paragraph ending in "：" introduces
    /// (a menu, a list of names, lines written down in a story): two or
    /// more of them that would pass for headings, read as a list, not as a
    /// stack of headings.
    fn introduced_lines(&self, i: usize) -> Option<usize> {
        let units = self.units;
        if i == 0
            || !units[i - 1]
                .last()
                .is_some_and(|l| l.text.ends_with(['：', ':']))
        {
            return None;
        }
        let end = self.runs.after_candidate[self.runs.fit_end[i]];
        if end <= i + 1 {
            return None;
        }
        let candidates = self.runs.candidates[end] - self.runs.candidates[i];
        (candidates >= 2).then_some(end)
    }

    /// A letter whose parts are set off by blank lines (or written one
    /// paragraph per line): a short greeting ending in "：", up to eight
    /// paragraphs of body, then a closing of two or more short lines, two
    /// of which would pass for headings ("学安", a signature, a date).
    /// Without the greeting those lines would be a stack of headings with
    /// no text between them. Prose (or a line introducing the letter, or
    /// the letter before, in an exchange of letters) must come before it;
    /// after it prose, or else a closing that reads as one (a date, "此致", a signature) before whatever
    /// follows: verse, the next letter, a numbered heading, the end.
    fn greeted_letter(&self, i: usize, verse_at: &[Option<usize>]) -> Option<usize> {
        let units = self.units;
        let greeting = &units[i];
        // Only a letter told inside prose: an official notice's addressee
        // ("各区县人民政府：") and its issuer and date open and close the
        // document itself. The line before may be a short one that
        // introduces the letter ("信上写道：").
        let introduced = |unit: &[Line]| {
            is_body(unit) || unit.last().is_some_and(|l| l.text.ends_with(['：', ':']))
        };
        if i == 0 || !(introduced(&units[i - 1]) || self.letter_end == Some(i)) {
            return None;
        }
        if !is_single(greeting)
            || char_len(greeting[0].text) > LETTER_LINE
            // A colon copied from a web page may still be ASCII here.
            || !greeting[0].text.ends_with(['：', ':'])
        {
            return None;
        }
        let mut j = i + 1;
        while j < units.len() && j <= i + 8 && verse_at[j].is_none() && is_body(&units[j]) {
            j += 1;
        }
        if j == i + 1 || j >= units.len() {
            return None;
        }
        let end = self.runs.after_candidate[self.runs.fit_end[j]];
        if end < j + 2 {
            return None;
        }
        let between = |sums: &[usize]| sums[end] - sums[j];
        let prose_after = units.get(end).is_some_and(|u| is_body(u));
        let closes = end - j <= CLOSING_MAX && between(&self.runs.closings) > 0;
        (between(&self.runs.candidates) >= 2 && (prose_after || closes)).then_some(end)
    }

    fn letter(&mut self, start: usize, end: usize) {
        let units = self.units;
        self.letter_end = Some(end);
        let span = units[start][0].span();
        let mut blocks = Vec::new();
        for unit in &units[start..end] {
            let chars = join_lines(unit);
            let content = self.text_of(&chars);
            blocks.push(Block::Paragraph {
                content,
                span: unit[0].span(),
            });
        }
        self.draft.notes.push((
            span,
            if units[start..end].iter().all(|u| is_single(u) && u[0].is_short()) {
                format!(
                    "{} short lines read as a letter or list, kept as a quotation with its lines (start them with `#` and set `headings = \"marked\"` under [structure] to make headings)",
                    end - start
                )
            } else {
                format!(
                    "a greeting, its paragraphs and {} closing lines read as a letter, kept as a quotation (start the closing lines with `#` and set `headings = \"marked\"` under [structure] to make headings)",
                    units[start..end]
                        .iter()
                        .rev()
                        .take_while(|u| !is_body(u))
                        .count()
                )
            },
        ));
        self.push(Block::Quote { blocks, span });
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
/// character meets the break or inside a number, one space between two
/// Latin words.
fn join_lines(lines: &[Line]) -> Vec<SourceChar> {
    let mut chars: Vec<SourceChar> = Vec::new();
    for line in lines {
        if let (Some(&(last, _)), Some(first)) = (chars.last(), line.text.chars().next()) {
            // A number wrapped across lines ("1" | "000") stays whole.
            let number = (last.is_ascii_digit()
                && (first.is_ascii_digit() || matches!(first, '.' | ',' | '%')))
                || (first.is_ascii_digit() && matches!(last, '.' | ','));
            if !is_cjk(last) && !is_cjk(first) && last != '-' && !number {
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
        assert_eq!(
            split_number("第八十一回　甲乙丙　丁戊己"),
            Some((Numbering::Chapter, "第八十一回　", "甲乙丙　丁戊己"))
        );
        assert_eq!(
            split_number("第一卷"),
            Some((Numbering::Volume, "第一卷", ""))
        );
        assert_eq!(split_number("卷一"), Some((Numbering::Volume, "卷一", "")));
        assert_eq!(split_number("上编"), Some((Numbering::Volume, "上编", "")));
        assert_eq!(split_number("上编文章"), None);
        assert_eq!(split_number("卷一起来"), None);
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

    fn kinds(text: &str, structure: &StructureConfig) -> Vec<&'static str> {
        let draft = parse_plain_with(
            text,
            &NormalizeConfig::default(),
            structure,
            &mut Vec::new(),
        );
        draft
            .blocks
            .iter()
            .map(|b| match b {
                Block::Heading(_) => "heading",
                Block::Paragraph { .. } => "paragraph",
                Block::Verse { .. } => "verse",
                Block::Quote { .. } => "quote",
                _ => "other",
            })
            .collect()
    }

    #[test]
    fn couplet_is_verse_not_a_heading() {
        let text = "标题\n正文比较长的一段，写了很多内容，一直写到这里才结束，后面是诗。\n春风吹绿江南岸，\n夜雨催开陌上花\n正文又开始了，这一段也写了不少内容，不会被当成诗。\n";
        let auto = StructureConfig::default();
        assert!(headings(text).is_empty());
        let none = StructureConfig {
            verse: VerseMode::None,
            ..auto
        };
        // Without verse the two lines are still not joined into a heading.
        assert!(!kinds(text, &none).contains(&"heading"));
        assert_eq!(verse_measure("春眠不觉晓，处处闻啼鸟。"), Some((5, 2)));
        assert_eq!(verse_measure("固守圆心凝共识，"), Some((7, 1)));
        assert_eq!(verse_measure("跟党奋进迈出新步伐"), None);
        assert_eq!(verse_measure("他说：“好。”"), None);
    }

    #[test]
    fn heading_modes() {
        let text = "标题\n# 手工标出的标题\n正文比较长的一段，写了很多内容，一直写到这里才结束。\n一、编号标题\n正文又开始了，这一段也写了不少内容。\n短行标题\n最后一段正文，也写了不少内容，写完为止。\n";
        let mode = |headings| StructureConfig {
            headings,
            ..StructureConfig::default()
        };
        let count = |m| {
            kinds(text, &mode(m))
                .iter()
                .filter(|k| **k == "heading")
                .count()
        };
        assert_eq!(count(HeadingMode::Auto), 3);
        assert_eq!(count(HeadingMode::Numbered), 1);
        assert_eq!(count(HeadingMode::Marked), 1);
        assert_eq!(count(HeadingMode::None), 0);
        let draft = parse_plain_with(
            text,
            &NormalizeConfig::default(),
            &mode(HeadingMode::Marked),
            &mut Vec::new(),
        );
        let Some(Block::Heading(h)) = draft.blocks.first() else {
            panic!("marked heading first");
        };
        assert_eq!((h.level, h.display_text().as_str()), (2, "手工标出的标题"));
        // In hard-wrapped text a marked heading may open a paragraph's group.
        let wrapped = "标题\n\n# 标出的标题\n第一段的第一行写到这里就换行了，\n接着写第二行也差不多长短的内容\n最后一行。\n\n第二段的第一行写到这里也换行了，\n接着写第二行也差不多长短的内容\n";
        assert_eq!(
            kinds(wrapped, &mode(HeadingMode::Marked)),
            ["heading", "paragraph", "paragraph"]
        );
    }

    #[test]
    fn every_mode_reads_any_text() {
        let alphabet: Vec<char> = "春风吹绿江南岸，。：“”\"#＃第一回卷上编·•《》 \u{3000}\n\n\n13."
            .chars()
            .collect();
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..300 {
            let len = (next() % 300) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            for headings in [
                HeadingMode::Auto,
                HeadingMode::Numbered,
                HeadingMode::Marked,
                HeadingMode::None,
            ] {
                for verse in [VerseMode::Auto, VerseMode::None] {
                    let structure = StructureConfig { headings, verse };
                    parse_plain_with(
                        &text,
                        &NormalizeConfig::default(),
                        &structure,
                        &mut Vec::new(),
                    );
                }
            }
        }
    }

    #[test]
    fn many_short_lines_read_in_linear_time() {
        // 100,000 short unpunctuated lines: each used to rescan the rest.
        let text: String = std::iter::once("标题\n".to_string())
            .chain((0..100_000).map(|n| format!("短行{n}没有标点\n")))
            .collect();
        let draft = parse_plain(&text, &NormalizeConfig::default(), &mut Vec::new());
        assert_eq!(draft.blocks.len(), 100_000);
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

    #[test]
    fn letter_among_wrapped_lines() {
        let line = "这一行按固定的宽度换行写满了十八个字";
        let para = format!("{line}\n{line}\n{line}\n最后一行。");
        let letter = format!(
            "{para}\n\n兄长如晤：\n{line}\n{line}\n短的结尾。\n弟 某某 拜上\n八月初三\n\n{para}\n"
        );
        let text = format!("标题\n\n{letter}");
        let structure = StructureConfig::default();
        assert_eq!(
            kinds(&text, &structure),
            ["paragraph", "quote", "paragraph"]
        );
        // Control: the same lines with no short lines among them join.
        let plain = format!("标题\n\n{para}\n\n{line}\n{line}\n{line}\n短的结尾。\n\n{para}\n");
        assert_eq!(
            kinds(&plain, &structure),
            ["paragraph", "paragraph", "paragraph"]
        );
        // A wrapped line made narrow by Latin letters and digits is not a
        // writer's break.
        let mixed = format!("标题\n\n{para}\n\n{line}\nABC 123 DEF 456 GHI 789 JK\n{line}\n{line}\n短的结尾。\n\n{para}\n");
        assert_eq!(
            kinds(&mixed, &structure),
            ["paragraph", "paragraph", "paragraph"]
        );
    }

    #[test]
    fn hui_start_chapters_unless_marked() {
        let text = "书名\n第一回　甲乙丙丁　戊己庚辛\n正文写在这里，比较长的一段话，用来测试。\n第二回　子丑寅卯　辰巳午未\n正文写在这里，比较长的一段话，用来测试。\n";
        let auto = parse_plain(text, &NormalizeConfig::default(), &mut Vec::new());
        assert_eq!(auto.parts, [0, 2]);
        let marked = StructureConfig {
            headings: HeadingMode::Marked,
            ..StructureConfig::default()
        };
        let text = text
            .replace("第一回", "# 第一回")
            .replace("第二回", "# 第二回");
        let draft = parse_plain_with(&text, &NormalizeConfig::default(), &marked, &mut Vec::new());
        assert!(draft.parts.is_empty());
        // One 回 alone is a heading under the title.
        let one = "书名\n第一回　甲乙丙丁　戊己庚辛\n正文写在这里，比较长的一段话，用来测试。\n";
        let draft = parse_plain(one, &NormalizeConfig::default(), &mut Vec::new());
        assert!(draft.parts.is_empty());
    }

    #[test]
    fn greeted_letter_only_inside_prose() {
        let letter = "兄长如晤：\n别来无恙，家中一切都好，勿念。秋收已毕，粮食够吃到明年。\n此颂\n秋安\n弟 某某\n九月初一\n";
        let prose = "他拆开信来，只见信上写着几行字，字迹歪歪斜斜的，看得出是匆忙写成。\n";
        let after = "他看完了信，坐在灯下想了很久，直到半夜才睡下，第二天一早又出门去了。\n";
        let structure = StructureConfig::default();
        let text = format!("标题\n{prose}{letter}{after}");
        assert_eq!(
            kinds(&text, &structure),
            ["paragraph", "quote", "paragraph"]
        );
        // The greeting's colon copied as ASCII is still a greeting.
        let ascii = format!("标题\n{prose}{}{after}", letter.replacen('：', ":", 1));
        assert_eq!(
            kinds(&ascii, &structure),
            ["paragraph", "quote", "paragraph"]
        );
        // An official notice: addressee first, issuer and date last.
        let notice = "关于做好秋收工作的通知\n各乡镇人民政府：\n今年秋收在即，请各地做好组织工作，确保颗粒归仓，并按时上报进度。\n某某县人民政府办公室\n二〇二六年九月一日\n";
        assert!(!kinds(notice, &structure).contains(&"quote"));
    }

    #[test]
    fn letter_closing_stays_in_the_letter_whatever_follows() {
        let prose = "他拆开信来，只见信上写着几行字，字迹歪歪斜斜的，看得出是匆忙写成。\n";
        let letter =
            "老周：\n厂里的机器已经修好了，下月就能开工，家里一切都好，孩子们也都听话。\n你的朋友 阿明\n3月5日夜\n";
        let verse = "山前雨过草青青\n门外溪流绕旧亭\n十年一别人何在\n只有炊烟认故庭\n";
        let after = "他看完了信，坐在灯下想了很久，直到半夜才睡下，第二天一早又出门去了。\n";
        let reply = "阿明：\n信收到了，知道厂里开了工，我很高兴，过了年我就回去。\n老周\n一九八七年四月二日\n";
        let structure = StructureConfig::default();
        let read = |text: String| kinds(&text, &structure);
        assert_eq!(
            read(format!("标题\n{prose}{letter}{verse}{after}")),
            ["paragraph", "quote", "verse", "paragraph"]
        );
        assert_eq!(
            read(format!("标题\n{prose}{letter}")),
            ["paragraph", "quote"]
        );
        assert_eq!(
            read(format!("标题\n{prose}{letter}{reply}{after}")),
            ["paragraph", "quote", "quote", "paragraph"]
        );
        // A chapter line after the letter is still a heading, and so is a
        // numbered section.
        assert_eq!(
            read(format!("标题\n{prose}{letter}第二章 重逢\n{after}")),
            ["paragraph", "quote", "heading", "paragraph"]
        );
        assert_eq!(
            read(format!("标题\n{prose}{letter}一、几件旧物\n{after}")),
            ["paragraph", "quote", "heading", "paragraph"]
        );
        // A short line introducing the letter counts as its prose.
        assert_eq!(
            read(format!("标题\n{prose}信上写道：\n{letter}{verse}{after}")),
            ["paragraph", "paragraph", "quote", "verse", "paragraph"]
        );
        // Control: a poem's title and author before its lines close no
        // letter: they stay headings.
        let note = "附记：\n这几首诗写于山中，写得随意，今天整理出来，留个纪念。\n晨起\n山人\n";
        assert_eq!(
            read(format!("标题\n{prose}{note}{verse}{after}")),
            [
                "paragraph",
                "paragraph",
                "paragraph",
                "heading",
                "heading",
                "verse",
                "paragraph"
            ]
        );
        assert!(reads_as_date("一九八七年三月五日"));
        assert!(reads_as_date("三月初七日灯下"));
        assert!(reads_as_date("1987.3.5"));
        assert!(reads_as_date("十月九日于北京"));
        assert!(!reads_as_date("三月的雨"));
        assert!(!reads_as_date("山人"));
    }

    #[test]
    fn introduced_short_lines_are_a_list_not_headings() {
        let structure = StructureConfig::default();
        let intro = "妈妈把全家人叫到一起，商量年夜饭的菜单，最后定下来的是这几样：\n";
        let menu = "红烧鱼\n白切鸡\n四喜丸子\n";
        let after = "爸爸说还要加一个火锅，妈妈想了想，也答应了，大家一直商量到很晚。\n";
        assert_eq!(
            kinds(&format!("标题\n{intro}{menu}{after}"), &structure),
            ["paragraph", "quote", "paragraph"]
        );
        // Control: after a sentence the same lines are headings.
        let told = intro.replace('：', "。");
        assert_eq!(
            kinds(&format!("标题\n{told}{menu}{after}"), &structure),
            ["paragraph", "heading", "heading", "heading", "paragraph"]
        );
        // One short line after a colon is still a heading.
        assert_eq!(
            kinds(&format!("标题\n{intro}红烧鱼\n{after}"), &structure),
            ["paragraph", "heading", "paragraph"]
        );
    }

    #[test]
    fn diary_dates_are_headings_their_weather_is_not() {
        let entry = |date: &str, weather: &str| {
            format!("{date}\n{weather}\n一早去给奶奶拜年，路上人很多。\n")
        };
        let text = format!(
            "日记\n{}{}{}",
            entry("正月初一", "晴"),
            entry("正月初二", "多云转小雨"),
            entry("正月初三", "阴")
        );
        assert_eq!(
            headings(&text),
            [
                (2, "正月初一".to_string()),
                (2, "正月初二".to_string()),
                (2, "正月初三".to_string())
            ]
        );
        // Control: a short line under a date that is no weather is still
        // a heading of its own.
        assert_eq!(
            headings(&format!("日记\n{}", entry("正月初一", "拜年"))).len(),
            2
        );
    }
}
