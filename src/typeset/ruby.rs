//! Interlinear annotations (ruby, clreq 3.3): the annotation set above
//! its base at half the base size, centred over it.
//!
//! The base is ordinary paragraph text; each ruby remembers the bytes of
//! its base and its annotation. Before line breaking, [`prepare`] shapes
//! each annotation, forbids a line break inside its base (base and
//! annotation never part) and, when the annotation is wider than its base,
//! widens the base: the difference is shared equally by the base's
//! characters, half on each side of each (one character: the annotation
//! overhangs nothing; a word: its characters are spread 1:2:1), so that
//! annotations of neighbouring bases never touch. After a line is set,
//! [`annotate`] places each annotation over the box its base takes on the
//! line and says how much room above the line the annotations need.

use std::ops::Range;

use super::inline::{shape_para, InlineStyle, ParaText, Shaped};
use super::justify::{PlacedGlyph, SetLine};
use super::linebreak::{Brk, LineSpan, Rules};
use super::shape::FontBook;

/// The annotation's size as a share of its base's (clreq 3.3.3, 3.3.4:
/// half the size for zhuyin and pinyin).
pub const SCALE: f32 = 0.5;
/// The least room between two annotations side by side, in annotation ems.
pub const MIN_GAP: f32 = 0.25;
/// The space between the top of the base's em box and the annotation's
/// baseline, in annotation ems (room for the descenders of pinyin).
const RAISE: f32 = 0.2;
/// Height of an annotation above its baseline, in annotation ems (tone
/// marks on pinyin, the em box of zhuyin).
const ASCENT: f32 = 0.88;
/// The least clear space between an annotation and the line above, in
/// base ems.
const CLEARANCE: f32 = 0.1;

/// A ruby as it is collected with its paragraph's text.
#[derive(Debug, Clone)]
pub struct RubyText {
    /// Bytes of the base in the paragraph text.
    pub base: Range<u32>,
    pub annotation: String,
    pub style: InlineStyle,
}

/// A ruby ready for line setting.
pub struct Prepared {
    /// The atoms of the base, first and last.
    first: usize,
    last: usize,
    annotation: Shaped,
    /// Natural width of the annotation, in points.
    width: f32,
    size: f32,
}

/// Shapes the annotations of `rubies`, ties each base together and widens
/// a base narrower than its annotation.
pub fn prepare(
    book: &FontBook<'_>,
    shaped: &mut Shaped,
    rubies: &[RubyText],
    rules: Rules,
) -> Vec<Prepared> {
    let mut out = Vec::with_capacity(rubies.len());
    for ruby in rubies {
        let inside: Vec<usize> = shaped
            .atoms
            .iter()
            .enumerate()
            .filter(|(_, a)| a.text.start >= ruby.base.start && a.text.end <= ruby.base.end)
            .map(|(i, _)| i)
            .collect();
        let (Some(&first), Some(&last)) = (inside.first(), inside.last()) else {
            continue;
        };
        let mut style = ruby.style.clone();
        style.size = ruby.style.size * SCALE;
        style.raise = 0.0;
        style.dots = false;
        let mut text = ParaText::default();
        text.push(&ruby.annotation, &style);
        // No quarter-em gap inside an annotation: a zhuyin tone mark
        // (a modifier letter) stays against its syllable.
        let rules = Rules {
            cjk_latin_gap: false,
            ..rules
        };
        let annotation = shape_para(book, text, rules);
        let width = natural_width(&annotation);
        for j in first..last {
            shaped.junctions[j].brk = Brk::Never;
        }
        let base: f32 = (first..=last)
            .map(|i| shaped.atoms[i].width)
            .chain((first..last).map(|j| shaped.junctions[j].width))
            .sum();
        let need = width + MIN_GAP * style.size;
        if need > base {
            let per = (need - base) / (last - first + 1) as f32;
            for i in first..=last {
                let atom = &mut shaped.atoms[i];
                atom.width += per;
                for g in atom.glyphs.start..atom.glyphs.end {
                    shaped.glyphs[g as usize].x_offset += per / 2.0;
                }
            }
        }
        out.push(Prepared {
            first,
            last,
            annotation,
            width,
            size: style.size,
        });
    }
    out
}

impl Prepared {
    /// The shaped annotation (for characters no font has).
    pub fn annotation(&self) -> &Shaped {
        &self.annotation
    }
}

/// The width of a shaped one-line text at its natural spacing.
fn natural_width(shaped: &Shaped) -> f32 {
    let atoms: f32 = shaped.atoms.iter().map(|a| a.width).sum();
    let junctions: f32 = shaped
        .junctions
        .iter()
        .take(shaped.atoms.len().saturating_sub(1))
        .map(|j| j.width)
        .sum();
    atoms + junctions
}

/// An annotation placed over its base on a line: its glyphs from `x` (the
/// start of the line's measure), on its own baseline.
pub struct Placed {
    pub set: SetLine,
    /// Baseline of the annotation, upwards from the line's baseline.
    pub rise: f32,
}

/// The annotations over line `span` as `set`, and the height they reach
/// above the line's baseline (0 without annotations). `size` is the
/// line's body size.
pub fn annotate(
    rubies: &[Prepared],
    shaped: &Shaped,
    span: LineSpan,
    set: &SetLine,
    size: f32,
) -> (Vec<Placed>, f32) {
    let mut out = Vec::new();
    let mut top: f32 = 0.0;
    // Where each atom of the line starts among the placed glyphs.
    let mut first_glyph = Vec::with_capacity(span.end - span.start);
    let mut k = 0usize;
    for atom in &shaped.atoms[span.start..span.end] {
        first_glyph.push(k);
        k += atom.glyphs.len();
    }
    for ruby in rubies {
        if ruby.first < span.start || ruby.last >= span.end {
            continue;
        }
        let left_atom = &shaped.atoms[ruby.first];
        let right_atom = &shaped.atoms[ruby.last];
        let (Some(left_glyph), Some(right_glyph)) = (
            set.glyphs.get(first_glyph[ruby.first - span.start]),
            set.glyphs.get(first_glyph[ruby.last - span.start]),
        ) else {
            continue;
        };
        let offset = |atom: &super::linebreak::Atom| {
            shaped
                .glyphs
                .get(atom.glyphs.start as usize)
                .map_or(0.0, |g| g.x_offset)
        };
        let left = left_glyph.x - offset(left_atom);
        let right = right_glyph.x - offset(right_atom) + right_atom.width;
        let start = (left + right - ruby.width) / 2.0;
        let rise = 0.88 * size + RAISE * ruby.size;
        top = top.max(rise + ASCENT * ruby.size);
        out.push(Placed {
            set: place(&ruby.annotation, start, ruby.width),
            rise,
        });
    }
    (out, top)
}

/// The glyphs of a one-line annotation at its natural spacing from `x`.
fn place(shaped: &Shaped, x: f32, width: f32) -> SetLine {
    let mut glyphs = Vec::with_capacity(shaped.glyphs.len());
    let mut text = String::with_capacity(shaped.text.len());
    let mut pen = x;
    for (i, atom) in shaped.atoms.iter().enumerate() {
        let from = text.len() as u32;
        text.push_str(&shaped.text[atom.text.start as usize..atom.text.end as usize]);
        let range = from..text.len() as u32;
        let mut gx = pen;
        for g in &shaped.glyphs[atom.glyphs.start as usize..atom.glyphs.end as usize] {
            glyphs.push(PlacedGlyph {
                face: g.face,
                id: g.id,
                x: gx + g.x_offset,
                y: g.y_offset,
                size: g.size,
                advance: g.advance,
                text: range.clone(),
                style: atom.style,
            });
            gx += g.advance;
        }
        pen += atom.width;
        if let Some(j) = shaped
            .junctions
            .get(i)
            .filter(|_| i + 1 < shaped.atoms.len())
        {
            pen += j.width;
            if j.space {
                text.push(' ');
            }
        }
    }
    SetLine {
        glyphs,
        text,
        start: x,
        end: x + width,
        source: 0..0,
    }
}

/// Room to add above a line whose annotations reach `top` points above
/// its baseline, with body `size` and line `pitch`: none while they fit
/// in the leading.
pub fn extra_above(top: f32, size: f32, pitch: f32) -> f32 {
    if top <= 0.0 {
        return 0.0;
    }
    // The line's em box top is 0.88 em above the baseline; the line above
    // ends its em box `pitch - size` higher.
    let room = pitch - size;
    (top - 0.88 * size + CLEARANCE * size - room).max(0.0)
}
