//! Punctuation styles (标点符号的排版样式) and hanging punctuation.
//!
//! The shaper gives every full-width mark its em and the blank half of it
//! (from the font's `halt`). A style decides which marks keep the blank:
//!
//! - 全角式 `quanjiao`: every mark is full-width; two adjacent marks take
//!   1.5 em and a mark at the end of a line is set half-width (the default,
//!   and what GB/T 15834 prints);
//! - 开明式 `kaiming`: the marks that end a sentence (`。！？`) are full-width,
//!   every other mark is half-width;
//! - 半角式 `banjiao`: every mark is half-width.
//!
//! Adjacent-mark compression and the half-width line end then apply to
//! whatever blanks remain. With hanging punctuation (clreq 3.1.7) `。，、`
//! at the end of a line are set past the text block: the line's last
//! character is flush with the edge and the mark, whose ink is in its
//! first half, protrudes by half an em or less.

use serde::Deserialize;

use super::inline::Shaped;
use super::linebreak::{make_junctions, Rules};
use super::style::BodySetup;

/// How wide punctuation marks are set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Punctuation {
    #[default]
    Quanjiao,
    Kaiming,
    Banjiao,
}

impl Punctuation {
    /// Whether the mark `c` loses its blank half in this style.
    pub fn half(self, c: char) -> bool {
        match self {
            Punctuation::Quanjiao => false,
            Punctuation::Kaiming => !matches!(c, '。' | '！' | '？' | '．' | '‼' | '⁇'),
            Punctuation::Banjiao => true,
        }
    }
}

/// The marks that may hang at the end of a line.
pub fn may_hang(c: char) -> bool {
    matches!(c, '。' | '，' | '、')
}

/// Applies the punctuation style and hanging of `body` to a shaped
/// paragraph, and makes its junctions again when anything changed.
pub fn restyle(shaped: &mut Shaped, body: &BodySetup, rules: Rules) {
    if body.punctuation == Punctuation::Quanjiao && !body.hanging {
        return;
    }
    let mut changed = false;
    for atom in &mut shaped.atoms {
        let blank = atom.blank_left + atom.blank_right;
        if blank > 0.0 && body.punctuation.half(atom.first) {
            if atom.blank_left > 0.0 {
                // The ink is at the end of the em: move it to the start.
                for glyph in
                    &mut shaped.glyphs[atom.glyphs.start as usize..atom.glyphs.end as usize]
                {
                    glyph.x_offset -= atom.blank_left;
                }
            }
            atom.width -= blank;
            atom.blank_left = 0.0;
            atom.blank_right = 0.0;
            changed = true;
        }
        if body.hanging && may_hang(atom.first) && atom.text.len() == atom.first.len_utf8() {
            atom.hang = atom.width;
            changed = true;
        }
    }
    if changed {
        shaped.junctions = make_junctions(&shaped.text, &mut shaped.atoms, rules);
    }
}
