//! Justification: the positions of the glyphs of one line.
//!
//! TYPOGRAPHY.md, body text: "first compress punctuation, then spread the
//! remaining space evenly between characters of the line. Never stretch
//! space inside a Latin word." A line that is too long takes its shrink
//! from the blanks of its marks (and a little from CJK-Latin gaps and word
//! spaces); a line that is too short gets the difference spread over its
//! junctions in proportion to their stretch, which is equal between any two
//! characters and zero inside Latin words. The last line of a paragraph
//! keeps its natural spacing.

use std::ops::Range;

use super::inline::Shaped;
use super::linebreak::{LineSpan, Para, Sums};
use super::shape::FaceId;

/// A glyph placed on a line; `x` from the start of the measure, `y`
/// upwards from the baseline, both in points.
#[derive(Debug, Clone)]
pub struct PlacedGlyph {
    pub face: FaceId,
    pub id: u16,
    pub x: f32,
    pub y: f32,
    pub size: f32,
    /// The glyph's own advance (for the last glyph of a run).
    pub advance: f32,
    /// Its characters in the line's text.
    pub text: Range<u32>,
    /// Index of its inline style in the paragraph.
    pub style: u16,
}

/// A line of glyphs with its exact text.
#[derive(Debug, Clone)]
pub struct SetLine {
    pub glyphs: Vec<PlacedGlyph>,
    /// The source text of the line; a space where the source has one
    /// (also at the end of a line broken at a deliberate space).
    pub text: String,
    /// Where the ink of the line begins and the line ends, from the start
    /// of the measure.
    pub start: f32,
    pub end: f32,
    /// Byte range of the line in the paragraph text.
    pub source: Range<u32>,
}

/// Places the atoms of `span`. `width` is the measure, `indent` the space
/// before the line (first-line indent); the line is justified to
/// `indent..width` when `justify` is set and it is not a last line.
pub fn set_line(
    shaped: &Shaped,
    sums: &Sums,
    span: LineSpan,
    width: f32,
    indent: f32,
    justify: bool,
) -> SetLine {
    let para = Para {
        text: &shaped.text,
        atoms: &shaped.atoms,
        junctions: &shaped.junctions,
    };
    let (s, e) = (span.start, span.end - 1);
    let m = sums.line(&para, s, e);
    let target = width - indent;
    let short = target - m.natural;
    let (stretch_ratio, shrink_ratio) = if short < -0.005 && m.shrink > 0.0 {
        (0.0, (-short / m.shrink).min(1.0))
    } else if short > 0.005 && justify && !span.last && m.stretch > 0.0 {
        (short / m.stretch, 0.0)
    } else {
        (0.0, 0.0)
    };
    let mut glyphs = Vec::with_capacity((span.end - span.start) * 2);
    let mut text = String::with_capacity((span.end - span.start) * 3 + 1);
    let mut pen = indent;
    for i in s..=e {
        let atom = &para.atoms[i];
        let (mut left_cut, mut right_cut) = (0.0, 0.0);
        let trimmed_start = i == s && m.trim_start > 0.0;
        let trimmed_end = i == e && m.trim_end > 0.0;
        if trimmed_start {
            left_cut += m.trim_start;
        }
        if trimmed_end {
            right_cut += m.trim_end;
        }
        if shrink_ratio > 0.0 && atom.shrink > 0.0 && !trimmed_start && !trimmed_end {
            let cut = atom.shrink * shrink_ratio;
            if atom.blank_left > 0.0 {
                left_cut += cut;
            } else {
                right_cut += cut;
            }
        }
        let text_start = text.len() as u32;
        text.push_str(&para.text[atom.text.start as usize..atom.text.end as usize]);
        let text_range = text_start..text.len() as u32;
        let mut x = pen - left_cut;
        for g in &shaped.glyphs[atom.glyphs.start as usize..atom.glyphs.end as usize] {
            glyphs.push(PlacedGlyph {
                face: g.face,
                id: g.id,
                x: x + g.x_offset,
                y: g.y_offset,
                size: g.size,
                advance: g.advance,
                text: text_range.clone(),
                style: atom.style,
            });
            x += g.advance;
        }
        pen += atom.width - left_cut - right_cut;
        if i < e {
            let j = &para.junctions[i];
            // Before a hanging mark the space keeps its width.
            let hangs = i + 1 == e && para.atoms[e].hang > 0.0 && e > s;
            let stretch = if hangs { 0.0 } else { j.stretch };
            pen += j.width + stretch * stretch_ratio - j.shrink * shrink_ratio;
            if j.space {
                text.push(' ');
            }
        }
    }
    if e + 1 < para.atoms.len() && para.junctions[e].space {
        // Broken at a deliberate space: the space stays in the text (one
        // space when copied), not on the page.
        text.push(' ');
    }
    let start = indent;
    SetLine {
        glyphs,
        text,
        start,
        end: pen,
        source: para.atoms[s].text.start..para.atoms[e].text.end,
    }
}
