//! Punctuation normalization of running text.
//!
//! Each rule fixes a habit of text typed on Western keyboards or copied
//! out of web pages (GB/T 15834 gives the correct forms). Every change is
//! recorded with the position of the original characters, so
//! `inkstone check` can list them and nothing changes silently.

use serde::Serialize;

use crate::config::NormalizeConfig;
use crate::model::Span;

use super::chars::{is_cjk, is_cjk_punct, is_han};

/// Which rule made a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    FullwidthPunctuation,
    CurlyQuotes,
    Ellipsis,
    Dash,
    FullStop,
    CjkSpaces,
    MiddleDot,
    TitleMarks,
    /// A curly quote mark turned to balance its pair (`curly-quotes`).
    QuoteBalance,
    /// Spaces next to full-width punctuation or quote marks (`cjk-spaces`).
    MarkSpaces,
}

/// One change made to the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub span: Span,
    pub rule: Rule,
    pub from: String,
    pub to: String,
}

impl Rule {
    pub fn describe(self) -> &'static str {
        match self {
            Rule::FullwidthPunctuation => "ASCII punctuation in Chinese text made full-width",
            Rule::CurlyQuotes => "straight quote made curly",
            Rule::Ellipsis => "ellipsis written as ……",
            Rule::Dash => "dash written as ——",
            Rule::FullStop => "full stop written as 。",
            Rule::CjkSpaces => "space between Chinese characters removed",
            Rule::MiddleDot => "separator between names written as the middle dot ·",
            Rule::TitleMarks => "book-title marks around the whole title removed",
            Rule::QuoteBalance => "quote mark turned to close or open its pair",
            Rule::MarkSpaces => "spaces next to full-width punctuation removed",
        }
    }

    /// The `[normalize]` key that turns this rule off.
    pub fn key(self) -> &'static str {
        match self {
            Rule::FullwidthPunctuation => "fullwidth-punctuation",
            Rule::CurlyQuotes => "curly-quotes",
            Rule::Ellipsis => "ellipsis",
            Rule::Dash => "dash",
            Rule::FullStop => "full-stop",
            Rule::CjkSpaces => "cjk-spaces",
            Rule::MiddleDot => "middle-dot",
            Rule::TitleMarks => "title-marks",
            Rule::QuoteBalance => "curly-quotes",
            Rule::MarkSpaces => "cjk-spaces",
        }
    }
}

/// A character of a paragraph with where it came from.
pub type SourceChar = (char, Span);

/// Normalizes the punctuation of `chars` (one paragraph or heading) into
/// `out`, recording changes in `changes`.
pub fn normalize_punctuation(
    chars: &[SourceChar],
    config: &NormalizeConfig,
    out: &mut String,
    changes: &mut Vec<Change>,
) {
    let text: Vec<char> = chars.iter().map(|(c, _)| *c).collect();
    let has_han = text.iter().any(|&c| is_han(c));
    let mut pass = Pass {
        text: &text,
        chars,
        config,
        out,
        changes,
        quotes: plan_quotes(&text, config, has_han),
        parens: plan_parens(&text, config),
    };
    pass.run();
}

struct Pass<'a> {
    text: &'a [char],
    chars: &'a [SourceChar],
    config: &'a NormalizeConfig,
    out: &'a mut String,
    changes: &'a mut Vec<Change>,
    /// Replacement for each quote mark that changes, by index (empty when
    /// nothing changes).
    quotes: Vec<Option<char>>,
    /// Indices of ASCII parentheses to make full-width, in order.
    parens: Vec<usize>,
}

impl Pass<'_> {
    fn run(&mut self) {
        let mut i = 0;
        while i < self.text.len() {
            i = self.step(i);
        }
    }

    fn prev(&self, i: usize) -> Option<char> {
        self.text[..i].iter().rev().copied().find(|c| *c != ' ')
    }

    fn next(&self, i: usize) -> Option<char> {
        self.text[i..].iter().copied().find(|c| *c != ' ')
    }

    fn record(&mut self, at: usize, len: usize, rule: Rule, to: &str) {
        let from: String = self.text[at..at + len].iter().collect();
        self.changes.push(Change {
            span: self.chars[at].1,
            rule,
            from,
            to: to.to_string(),
        });
        self.out.push_str(to);
    }

    fn planned_quote(&self, i: usize) -> Option<char> {
        self.quotes.get(i).copied().flatten()
    }

    /// The full-width form the ASCII mark at `i` takes, if it takes one.
    fn fullwidth_at(&self, i: usize) -> Option<&'static str> {
        let c = self.text[i];
        if !self.config.fullwidth_punctuation || !matches!(c, ',' | ';' | ':' | '?' | '!') {
            return None;
        }
        let prev = self.prev(i);
        let next = self.next(i + 1);
        let cjk_context = prev.is_some_and(is_cjk) || next.is_some_and(is_cjk);
        let single = self.text.get(i + 1) != Some(&c) && (i == 0 || self.text[i - 1] != c);
        if !single
            || !cjk_context
            || between_ascii(prev, next)
            || (c == ':' && self.text[i + 1..].starts_with(&['/', '/']))
        {
            return None;
        }
        Some(match c {
            ',' => "，",
            ';' => "；",
            ':' => "：",
            '?' => "？",
            _ => "！",
        })
    }

    /// The character at `i` as it will be written (its first character).
    fn written_at(&self, i: usize) -> Option<char> {
        let c = *self.text.get(i)?;
        if let Some(q) = self.planned_quote(i) {
            return Some(q);
        }
        if let Some(to) = self.fullwidth_at(i) {
            return to.chars().next();
        }
        if matches!(c, '(' | ')') && self.parens.binary_search(&i).is_ok() {
            return Some(if c == '(' { '（' } else { '）' });
        }
        if matches!(c, '-' | '－')
            && self.config.dash
            && self.text.get(i + 1) == Some(&c)
            && self.text.get(i + 2) != Some(&c)
            && (self.prev(i).is_some_and(is_cjk) || self.next(i + 2).is_some_and(is_cjk))
        {
            return Some('—');
        }
        Some(c)
    }

    /// Handles the character at `i`; returns the index of the next one.
    fn step(&mut self, i: usize) -> usize {
        let c = self.text[i];
        if let Some(to) = self.planned_quote(i) {
            let rule = if matches!(c, '"' | '\'') {
                Rule::CurlyQuotes
            } else {
                Rule::QuoteBalance
            };
            self.record(i, 1, rule, &to.to_string());
            return i + 1;
        }
        if let Some(to) = self.fullwidth_at(i) {
            self.record(i, 1, Rule::FullwidthPunctuation, to);
            return i + 1;
        }
        if matches!(c, '"' | '\'' | '“' | '”') {
            self.out.push(c);
            return i + 1;
        }
        let run = self.text[i..].iter().take_while(|&&x| x == c).count();
        let prev = self.prev(i);
        let next = self.next(i + run);
        let cjk_context = prev.is_some_and(is_cjk) || next.is_some_and(is_cjk);
        match c {
            ' ' => self.spaces(i, run),
            '(' | ')' if self.parens.binary_search(&i).is_ok() => {
                self.record(
                    i,
                    1,
                    Rule::FullwidthPunctuation,
                    if c == '(' { "（" } else { "）" },
                );
                return i + 1;
            }
            '.' | '。' if self.config.ellipsis && run >= 3 && (c == '。' || cjk_context) => {
                self.record(i, run, Rule::Ellipsis, "……");
                return i + run;
            }
            '…' if self.config.ellipsis && run == 1 && cjk_context => {
                self.record(i, 1, Rule::Ellipsis, "……")
            }
            '.' | '．' if self.config.full_stop && run == 1 && self.is_full_stop(i, c == '．') => {
                self.record(i, 1, Rule::FullStop, "。");
            }
            '-' | '－' if self.config.dash && run == 2 && cjk_context => {
                self.record(i, 2, Rule::Dash, "——");
                return i + 2;
            }
            '—' if self.config.dash
                && run == 1
                && prev_raw(self.text, i).is_some_and(is_han)
                && self.text.get(i + 1).copied().is_some_and(is_han) =>
            {
                self.record(i, 1, Rule::Dash, "——");
            }
            '•' | '・' | '‧' | '･'
                if self.config.middle_dot
                    && run == 1
                    && prev_raw(self.text, i).is_some_and(is_han)
                    && self.text.get(i + 1).copied().is_some_and(is_han) =>
            {
                self.record(i, 1, Rule::MiddleDot, "·");
            }
            _ => {
                for _ in 0..run {
                    self.out.push(c);
                }
            }
        }
        i + run
    }

    /// A period after Chinese text that ends a sentence: followed by the
    /// end, a Han character or a quote mark, also across spaces.
    fn is_full_stop(&self, i: usize, fullwidth: bool) -> bool {
        // After Chinese text, or after a quote or bracket that closes
        // Chinese text ("干粮”." or "干粮\".").
        let closes_han = |c: char| {
            matches!(c, '”' | '’' | '」' | '』' | '）' | '》' | '"')
                && i >= 2
                && (is_han(self.text[i - 2]) || matches!(self.text[i - 2], '。' | '！' | '？'))
        };
        let prev_ok = prev_raw(self.text, i).is_some_and(|c| {
            is_han(c)
                || (fullwidth && matches!(c, '”' | '’' | '」' | '』' | '）' | '》'))
                || closes_han(c)
        });
        let after = self.text[i + 1..]
            .iter()
            .copied()
            .find(|c| !matches!(c, ' ' | '\u{3000}' | '\t'));
        let spaced = self
            .text
            .get(i + 1)
            .is_some_and(|c| matches!(c, ' ' | '\u{3000}' | '\t'));
        prev_ok
            && after.is_none_or(|c| {
                is_han(c)
                    || matches!(c, '”' | '’' | '」' | '』' | '"')
                    || (spaced && matches!(c, '“' | '‘' | '「' | '『' | '"'))
            })
    }

    /// A run of spaces: removed next to full-width punctuation, collapsed
    /// to one between Han phrases or next to a quote mark, kept (as
    /// written) between words. Decided on the characters as they are
    /// written, so what `check` reports is what happens.
    fn spaces(&mut self, i: usize, run: usize) {
        let before = self.out.chars().next_back();
        let after = self.written_at(i + run);
        let (Some(before), Some(after)) = (before, after) else {
            return; // leading or trailing spaces carry nothing
        };
        let is_quote = |c: char| matches!(c, '“' | '”' | '‘' | '’');
        let mark = |c: char| is_cjk_punct(c) && !is_quote(c);
        let quote_other = if is_quote(before) {
            Some(after)
        } else if is_quote(after) {
            Some(before)
        } else {
            None
        };
        let remove = mark(before)
            || mark(after)
            || quote_other.is_some_and(|other| is_cjk(other) || is_quote(other));
        let one =
            !remove && run > 1 && ((is_cjk(before) && is_cjk(after)) || quote_other.is_some());
        if self.config.cjk_spaces && remove {
            self.changes.push(Change {
                span: self.chars[i].1,
                rule: Rule::MarkSpaces,
                from: " ".repeat(run),
                to: String::new(),
            });
        } else if self.config.cjk_spaces && one {
            self.changes.push(Change {
                span: self.chars[i].1,
                rule: Rule::CjkSpaces,
                from: " ".repeat(run),
                to: " ".into(),
            });
            self.out.push(' ');
        } else {
            for _ in 0..run {
                self.out.push(' ');
            }
        }
    }
}

fn prev_raw(text: &[char], i: usize) -> Option<char> {
    i.checked_sub(1).map(|j| text[j])
}

/// Both neighbours are ASCII letters or digits: `10:30`, `a,b`.
fn between_ascii(prev: Option<char>, next: Option<char>) -> bool {
    prev.is_some_and(|c| c.is_ascii_alphanumeric())
        && next.is_some_and(|c| c.is_ascii_alphanumeric())
}

/// After this character a quote mark opens a quotation.
fn opens_after(prev: Option<char>) -> bool {
    prev.is_none_or(|c| {
        c.is_whitespace()
            || matches!(
                c,
                '：' | '，'
                    | '。'
                    | '、'
                    | '（'
                    | '“'
                    | '‘'
                    | '！'
                    | '？'
                    | '；'
                    | '《'
                    | ':'
                    | '—'
            )
    })
}

/// Before this character a quote mark closes a quotation.
fn closes_before(next: Option<char>) -> bool {
    next.is_none_or(|c| {
        c.is_whitespace()
            || (is_cjk_punct(c) && !matches!(c, '“' | '‘' | '（' | '《' | '「' | '『'))
    })
}

/// Decides each quote mark of a paragraph with Chinese text. Double
/// quotes are read in order, curly ones included: a straight quote closes
/// an open quotation and opens one otherwise (the last one of a paragraph
/// closes when it follows a word); a curly mark set the wrong way round
/// (“ closing an open quotation before punctuation, ” opening one after
/// "：") is turned. A quotation never runs into the next paragraph: each
/// paragraph starts closed. Single straight quotes change only when they
/// touch a Han character, so apostrophes in English words stay.
fn plan_quotes(text: &[char], config: &NormalizeConfig, has_han: bool) -> Vec<Option<char>> {
    let is_double = |c: char| matches!(c, '"' | '“' | '”');
    if !config.curly_quotes || !has_han || !text.iter().any(|&c| is_double(c) || c == '\'') {
        return Vec::new();
    }
    let mut plan = vec![None; text.len()];
    let last_double = text.iter().rposition(|&c| is_double(c));
    let mut open = false;
    for (i, &c) in text.iter().enumerate() {
        if !is_double(c) {
            continue;
        }
        let prev = prev_raw(text, i);
        let next = text.get(i + 1).copied();
        let to = match c {
            '“' if open && closes_before(next) => '”',
            '“' => '“',
            '”' if !open && opens_after(prev) && !closes_before(next) => '“',
            '”' => '”',
            _ if open => '”',
            _ if closes_before(next) && matches!(prev, Some('。' | '！' | '？' | '…')) => '”',
            _ if last_double == Some(i) && !opens_after(prev) => '”',
            _ => '“',
        };
        open = to == '“';
        if to != c {
            plan[i] = Some(to);
        }
    }
    let singles: Vec<usize> = (0..text.len())
        .filter(|&i| text[i] == '\'')
        .filter(|&i| {
            prev_raw(text, i).is_some_and(is_han) || text.get(i + 1).copied().is_some_and(is_han)
        })
        .collect();
    let even = singles.len() % 2 == 0;
    for (n, &i) in singles.iter().enumerate() {
        let opening = if even {
            n % 2 == 0
        } else {
            opens_after(prev_raw(text, i))
        };
        plan[i] = Some(if opening { '‘' } else { '’' });
    }
    plan
}

/// ASCII parentheses whose pair encloses or touches Chinese text, in
/// order.
fn plan_parens(text: &[char], config: &NormalizeConfig) -> Vec<usize> {
    let mut plan = Vec::new();
    if !config.fullwidth_punctuation {
        return plan;
    }
    let mut stack = Vec::new();
    for (i, &c) in text.iter().enumerate() {
        match c {
            '(' => stack.push(i),
            ')' => {
                if let Some(open) = stack.pop() {
                    let inner_han = text[open + 1..i].iter().any(|&c| is_han(c));
                    let before_han = prev_raw(text, open).is_some_and(is_han);
                    if inner_han || before_han {
                        plan.push(open);
                        plan.push(i);
                    }
                }
            }
            _ => {}
        }
    }
    plan.sort_unstable();
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &str) -> (String, Vec<Change>) {
        let chars: Vec<SourceChar> = input
            .chars()
            .enumerate()
            .map(|(i, c)| {
                (
                    c,
                    Span {
                        line: 1,
                        column: i as u32 + 1,
                    },
                )
            })
            .collect();
        let mut out = String::new();
        let mut changes = Vec::new();
        normalize_punctuation(&chars, &NormalizeConfig::default(), &mut out, &mut changes);
        (out, changes)
    }

    #[test]
    fn rules() {
        let cases = [
            ("我们,他们", "我们，他们"),
            ("他说:好的!", "他说：好的！"),
            ("真的吗?", "真的吗？"),
            ("会议在10:30开始", "会议在10:30开始"),
            ("使用Rust, Python等语言", "使用Rust, Python等语言"),
            ("我们 (注) 来了", "我们（注）来了"),
            ("f(x)的值", "f(x)的值"),
            ("他说\"你好\"然后走了", "他说“你好”然后走了"),
            ("这是'重点'内容", "这是‘重点’内容"),
            ("don't 改", "don't 改"),
            ("等等...还有", "等等……还有"),
            ("等等。。。还有", "等等……还有"),
            ("等等…还有", "等等……还有"),
            ("已经……很好", "已经……很好"),
            ("中国--世界", "中国——世界"),
            ("中国—世界", "中国——世界"),
            ("1—2", "1—2"),
            ("完成了．下一步", "完成了。下一步"),
            ("完成了.", "完成了。"),
            ("版本3．5发布", "版本3．5发布"),
            ("乘冬奥之风 讲益阳故事", "乘冬奥之风 讲益阳故事"),
            ("乘冬奥之风   讲益阳故事", "乘冬奥之风 讲益阳故事"),
            ("完成了， 下一步", "完成了，下一步"),
            ("完成了．  下一步", "完成了。下一步"),
            ("他说：“去吧．”  然后", "他说：“去吧。”然后"),
            ("“痴情司\"，\"结怨司”", "“痴情司”，“结怨司”"),
            ("他说：”好的“。", "他说：“好的”。"),
            ("他说：  \"  你好  \"  然后", "他说：“你好”然后"),
            ("He said  “你好”", "He said “你好”"),
            ("史记•项羽本纪", "史记·项羽本纪"),
            ("李四道:\"好.\"", "李四道：“好。”"),
            ("须多带干粮\".", "须多带干粮”。"),
            ("He said \"ok\".", "He said \"ok\"."),
            ("Mr • Smith", "Mr • Smith"),
            (
                "访问 http://example.com 网站",
                "访问 http://example.com 网站",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(run(input).0, expected, "input: {input}");
        }
    }

    #[test]
    fn changes_are_located() {
        let (_, changes) = run("我们,他们...");
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].span.column, 3);
        assert_eq!(changes[0].rule, Rule::FullwidthPunctuation);
        assert_eq!(changes[1].span.column, 6);
        assert_eq!(changes[1].from, "...");
    }
}
