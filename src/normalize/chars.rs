//! Character classes used by normalization and layout.

use unicode_script::{Script, UnicodeScript};

/// A Han ideograph (including 〇 and the iteration mark 々).
pub fn is_han(c: char) -> bool {
    match u32::from(c) {
        // The unified ideographs and extension A: nearly every Han
        // character of a text, answered without a table look-up.
        0x4E00..=0x9FFF | 0x3400..=0x4DBF => true,
        // Nothing before the CJK radicals is Han.
        0..=0x2E7F => false,
        _ => c.script() == Script::Han,
    }
}

/// Punctuation set full-width in Chinese text: the CJK Symbols and
/// Punctuation block, full-width forms, and the quotes, dashes and
/// ellipsis that Chinese text shares with Western text.
pub fn is_cjk_punct(c: char) -> bool {
    matches!(c,
        '\u{3001}'..='\u{303F}'
        | '\u{FF01}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}' | '\u{FF3B}'..='\u{FF40}' | '\u{FF5B}'..='\u{FF65}'
        | '“' | '”' | '‘' | '’' | '—' | '…' | '·' | '⋯' | '\u{2E3A}' | '\u{FE10}'..='\u{FE1F}' | '\u{FE30}'..='\u{FE4F}')
}

/// Han, kana, hangul or CJK punctuation: text that takes no spaces.
pub fn is_cjk(c: char) -> bool {
    // Latin, Greek and Cyrillic text asks this for every character.
    if u32::from(c) < 0x1100 {
        return is_cjk_punct(c);
    }
    is_han(c)
        || is_cjk_punct(c)
        || matches!(
            c.script(),
            Script::Hiragana | Script::Katakana | Script::Hangul | Script::Bopomofo
        )
}

/// Ends a sentence: a stop, question or exclamation mark, a semicolon or an
/// ellipsis, possibly followed by closing quotes or brackets.
pub fn ends_sentence(text: &str) -> bool {
    let trimmed = text.trim_end_matches(is_closing_mark);
    matches!(
        trimmed.chars().last(),
        Some('。' | '！' | '？' | '!' | '?' | '；' | ';' | '…' | '⋯' | '.' | '．')
    )
}

/// Ends with any punctuation mark, pause marks included.
pub fn ends_with_punct(text: &str) -> bool {
    text.chars()
        .last()
        .is_some_and(|c| c.is_ascii_punctuation() || is_cjk_punct(c) || is_closing_mark(c))
}

/// Closing quotes and brackets.
pub fn is_closing_mark(c: char) -> bool {
    matches!(
        c,
        '”' | '’'
            | '）'
            | '》'
            | '〉'
            | '】'
            | '〗'
            | '〕'
            | '］'
            | '｝'
            | '」'
            | '』'
            | ')'
            | ']'
            | '"'
            | '\''
    )
}

/// Number of characters, the measure used for "short" lines.
pub fn char_len(text: &str) -> usize {
    text.chars().count()
}
