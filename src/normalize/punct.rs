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
    /// Replacement for each straight quote, by index.
    quotes: Vec<(usize, char)>,
    /// Indices of ASCII parentheses to make full-width.
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

    /// Drops spaces already written before a full-width mark.
    fn trim_spaces_before(&mut self) {
        let trimmed = self.out.trim_end_matches(' ').len();
        self.out.truncate(trimmed);
    }

    /// Handles the character at `i`; returns the index of the next one.
    fn step(&mut self, i: usize) -> usize {
        let c = self.text[i];
        let run = self.text[i..].iter().take_while(|&&x| x == c).count();
        let prev = self.prev(i);
        let next = self.next(i + run);
        let cjk_context = prev.is_some_and(is_cjk) || next.is_some_and(is_cjk);
        match c {
            ' ' => self.spaces(i, run),
            ',' | ';' | ':' | '?' | '!'
                if self.config.fullwidth_punctuation
                    && run == 1
                    && cjk_context
                    && !between_ascii(prev, next)
                    && !(c == ':' && self.text[i + 1..].starts_with(&['/', '/'])) =>
            {
                self.trim_spaces_before();
                let to = match c {
                    ',' => "，",
                    ';' => "；",
                    ':' => "：",
                    '?' => "？",
                    _ => "！",
                };
                self.record(i, 1, Rule::FullwidthPunctuation, to);
                return skip_spaces(self.text, i + 1);
            }
            '(' | ')' if self.parens.contains(&i) => {
                if c == '(' {
                    self.trim_spaces_before();
                }
                self.record(
                    i,
                    1,
                    Rule::FullwidthPunctuation,
                    if c == '(' { "（" } else { "）" },
                );
                return if c == ')' {
                    skip_spaces(self.text, i + 1)
                } else {
                    i + 1
                };
            }
            '"' | '\'' => {
                if let Some(&(_, to)) = self.quotes.iter().find(|(at, _)| *at == i) {
                    self.record(i, 1, Rule::CurlyQuotes, &to.to_string());
                } else {
                    self.out.push(c);
                }
            }
            '.' | '。' if self.config.ellipsis && run >= 3 && (c == '。' || cjk_context) => {
                self.record(i, run, Rule::Ellipsis, "……");
                return i + run;
            }
            '…' if self.config.ellipsis && run == 1 && cjk_context => {
                self.record(i, 1, Rule::Ellipsis, "……")
            }
            '.' | '．'
                if self.config.full_stop
                    && run == 1
                    && is_full_stop(prev_raw(self.text, i), self.text.get(i + 1).copied()) =>
            {
                self.record(i, 1, Rule::FullStop, "。");
            }
            '-' | '－' if self.config.dash && run == 2 && cjk_context => {
                self.trim_spaces_before();
                self.record(i, 2, Rule::Dash, "——");
                return skip_spaces(self.text, i + 2);
            }
            '—' if self.config.dash
                && run == 1
                && prev_raw(self.text, i).is_some_and(is_han)
                && self.text.get(i + 1).copied().is_some_and(is_han) =>
            {
                self.record(i, 1, Rule::Dash, "——");
            }
            _ => {
                for _ in 0..run {
                    self.out.push(c);
                }
            }
        }
        i + run
    }

    /// A run of spaces: kept (one) between words, removed next to
    /// full-width punctuation, collapsed to one between Han phrases.
    fn spaces(&mut self, i: usize, run: usize) {
        let before = prev_raw(self.text, i);
        let after = self.text.get(i + run).copied();
        let (Some(before), Some(after)) = (before, after) else {
            return; // leading or trailing spaces carry nothing
        };
        let touches_mark = is_cjk_punct(before) || is_cjk_punct(after);
        if self.config.cjk_spaces && touches_mark && is_cjk(before) && is_cjk(after) {
            self.changes.push(Change {
                span: self.chars[i].1,
                rule: Rule::CjkSpaces,
                from: " ".repeat(run),
                to: String::new(),
            });
        } else if self.config.cjk_spaces && run > 1 && is_cjk(before) && is_cjk(after) {
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

fn skip_spaces(text: &[char], mut i: usize) -> usize {
    while text.get(i) == Some(&' ') {
        i += 1;
    }
    i
}

/// Both neighbours are ASCII letters or digits: `10:30`, `a,b`.
fn between_ascii(prev: Option<char>, next: Option<char>) -> bool {
    prev.is_some_and(|c| c.is_ascii_alphanumeric())
        && next.is_some_and(|c| c.is_ascii_alphanumeric())
}

/// A period right after a Han character, followed by the end of the text,
/// another Han character or a closing quote, ends a Chinese sentence.
fn is_full_stop(prev: Option<char>, next: Option<char>) -> bool {
    prev.is_some_and(is_han)
        && next.is_none_or(|c| is_han(c) || matches!(c, '”' | '’' | '」' | '』'))
}

/// Decides each straight quote: double quotes in a paragraph with Chinese
/// text alternate opening and closing (by context when their number is
/// odd); single quotes only when they touch a Han character, so
/// apostrophes in English words stay.
fn plan_quotes(text: &[char], config: &NormalizeConfig, has_han: bool) -> Vec<(usize, char)> {
    let mut plan = Vec::new();
    if !config.curly_quotes || !has_han {
        return plan;
    }
    for (quote, open, close) in [('"', '“', '”'), ('\'', '‘', '’')] {
        let at: Vec<usize> = (0..text.len())
            .filter(|&i| text[i] == quote)
            .filter(|&i| {
                quote == '"'
                    || prev_raw(text, i).is_some_and(is_han)
                    || text.get(i + 1).copied().is_some_and(is_han)
            })
            .collect();
        let even = at.len() % 2 == 0;
        for (n, &i) in at.iter().enumerate() {
            let opening = if even {
                n % 2 == 0
            } else {
                // Opening when nothing word-like precedes it.
                prev_raw(text, i).is_none_or(|c| {
                    c == ' ' || matches!(c, '：' | '，' | '。' | '、' | '（' | '“' | '‘')
                })
            };
            plan.push((i, if opening { open } else { close }));
        }
    }
    plan
}

/// ASCII parentheses whose pair encloses or touches Chinese text.
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
