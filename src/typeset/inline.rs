//! Paragraph text to atoms: font fallback per character, shaping per run,
//! one atom per cluster, and the junctions between them.
//!
//! The text of a paragraph is collected with its inline styles by
//! [`ParaText`]; [`shape_para`] picks a face for every character from the
//! style's fallback chain, shapes each run of one face with rustybuzz, and
//! cuts the glyphs into [`Atom`]s. Spaces are not atoms: they become
//! junctions (a deliberate gap between Chinese phrases, or a word space
//! between Latin words), and a forced line break is a `\n` between atoms.

use super::layout::LinkTarget;
use super::linebreak::{make_junctions, Atom, Class, Junction, Rules};
use super::shape::{FaceId, FontBook, ShapedGlyph};
use super::style::FaceChoice;

/// The look of a piece of text.
#[derive(Debug, Clone, PartialEq)]
pub struct InlineStyle {
    pub face: FaceChoice,
    /// Size in points.
    pub size: f32,
    /// Baseline shift upwards in points (footnote references).
    pub raise: f32,
    /// Emphasis dots under each character (着重号).
    pub dots: bool,
    /// Where the text links to: a URL, or for a footnote reference its
    /// note (and for the note's own marker, back to the reference).
    pub target: Option<LinkTarget>,
}

impl InlineStyle {
    pub fn new(face: FaceChoice, size: f32) -> Self {
        InlineStyle {
            face,
            size,
            raise: 0.0,
            dots: false,
            target: None,
        }
    }
}

/// The text of a paragraph with its styles, as it is collected.
#[derive(Debug, Default)]
pub struct ParaText {
    pub text: String,
    /// Style of the text from each byte offset on.
    pub runs: Vec<(u32, u16)>,
    pub styles: Vec<InlineStyle>,
    /// Byte offsets of footnote markers and the note each refers to.
    pub notes: Vec<(u32, usize)>,
    /// Interlinear annotations over parts of the text.
    pub rubies: Vec<super::ruby::RubyText>,
}

impl ParaText {
    /// Appends `text` in `style`.
    pub fn push(&mut self, text: &str, style: &InlineStyle) {
        if text.is_empty() {
            return;
        }
        let index = match self.styles.iter().position(|s| s == style) {
            Some(i) => i,
            None => {
                self.styles.push(style.clone());
                self.styles.len() - 1
            }
        } as u16;
        if self.runs.last().map(|r| r.1) != Some(index) {
            self.runs.push((self.text.len() as u32, index));
        }
        self.text.push_str(text);
    }

    /// A forced line break.
    pub fn push_break(&mut self) {
        self.text.push('\n');
    }

    fn style_at(&self, offset: u32) -> u16 {
        match self.runs.binary_search_by_key(&offset, |r| r.0) {
            Ok(i) => self.runs[i].1,
            Err(0) => 0,
            Err(i) => self.runs[i - 1].1,
        }
    }
}

/// A glyph of a shaped paragraph, in points.
#[derive(Debug, Clone, Copy)]
pub struct Glyph {
    pub face: FaceId,
    pub id: u16,
    pub advance: f32,
    pub x_offset: f32,
    pub y_offset: f32,
    pub size: f32,
}

/// A shaped paragraph.
pub struct Shaped {
    pub text: String,
    pub styles: Vec<InlineStyle>,
    pub atoms: Vec<Atom>,
    pub junctions: Vec<Junction>,
    pub glyphs: Vec<Glyph>,
    pub notes: Vec<(u32, usize)>,
}

/// Shapes `para` with the faces of `book`.
pub fn shape_para(book: &FontBook<'_>, para: ParaText, rules: Rules) -> Shaped {
    let text = para.text.as_str();
    let mut atoms: Vec<Atom> = Vec::with_capacity(text.len() / 3 + 1);
    let mut glyphs: Vec<Glyph> = Vec::with_capacity(text.len() / 3 + 1);
    let mut shaped: Vec<ShapedGlyph> = Vec::with_capacity(text.len() / 3 + 1);
    // A run: start, end, face, style, CJK.
    let mut run: Option<(usize, usize, FaceId, u16, bool)> = None;
    let flush = |run: Option<(usize, usize, FaceId, u16, bool)>,
                 atoms: &mut Vec<Atom>,
                 glyphs: &mut Vec<Glyph>,
                 shaped: &mut Vec<ShapedGlyph>| {
        let Some((start, end, face, style, cjk)) = run else {
            return;
        };
        shaped.clear();
        book.shape(face, &text[start..end], start as u32, cjk, shaped);
        let s = &para.styles[style as usize];
        let loaded = book.face(face);
        let mut i = 0;
        while i < shaped.len() {
            let cluster = shaped[i].cluster;
            let mut j = i + 1;
            while j < shaped.len() && shaped[j].cluster == cluster {
                j += 1;
            }
            let cluster_end = shaped[i..]
                .iter()
                .map(|g| g.cluster)
                .find(|&c| c > cluster)
                .unwrap_or(end as u32);
            let piece = &text[cluster as usize..cluster_end as usize];
            let first = piece.chars().next().unwrap_or(' ');
            let last = piece.chars().last().unwrap_or(' ');
            let single = piece.chars().nth(1).is_none();
            let first_glyph = glyphs.len() as u32;
            let mut width = 0.0;
            for g in &shaped[i..j] {
                glyphs.push(Glyph {
                    face,
                    id: g.id,
                    advance: g.advance * s.size,
                    x_offset: g.x_offset * s.size,
                    y_offset: g.y_offset * s.size + s.raise,
                    size: s.size,
                });
                width += g.advance * s.size;
            }
            let blank = if single {
                loaded.blanks.get(&first).copied().unwrap_or_default()
            } else {
                Default::default()
            };
            atoms.push(Atom {
                text: cluster..cluster_end,
                glyphs: first_glyph..glyphs.len() as u32,
                width,
                em: s.size,
                // A cluster of several characters takes the class of its
                // first: a Latin ligature is Latin, a "——" shaped as one
                // glyph is a dash, a Han character with a variation
                // selector is Han.
                class: Class::of(first),
                blank_left: blank.left * s.size,
                blank_right: blank.right * s.size,
                shrink: 0.0,
                hang: 0.0,
                space: loaded.space * s.size,
                style,
                first,
                last,
            });
            i = j;
        }
    };
    for (offset, c) in text.char_indices() {
        if c.is_whitespace() {
            flush(run.take(), &mut atoms, &mut glyphs, &mut shaped);
            continue;
        }
        let style = para.style_at(offset as u32);
        let s = &para.styles[style as usize];
        let cjk = Class::of(c).is_cjk();
        let found = book.face_for(c, s.face);
        match found {
            Some(face) => match &mut run {
                Some(r) if r.1 == offset && r.2 == face && r.3 == style && r.4 == cjk => {
                    r.1 = offset + c.len_utf8();
                }
                _ => {
                    flush(run.take(), &mut atoms, &mut glyphs, &mut shaped);
                    run = Some((offset, offset + c.len_utf8(), face, style, cjk));
                }
            },
            None => {
                flush(run.take(), &mut atoms, &mut glyphs, &mut shaped);
                // Drawn as the font's .notdef box; such characters were
                // reported before layout (`resolve::glyphs`).
                let face = book.primary(s.face);
                let width = if cjk { s.size } else { 0.5 * s.size };
                let first_glyph = glyphs.len() as u32;
                glyphs.push(Glyph {
                    face,
                    id: 0,
                    advance: width,
                    x_offset: 0.0,
                    y_offset: s.raise,
                    size: s.size,
                });
                atoms.push(Atom {
                    text: offset as u32..(offset + c.len_utf8()) as u32,
                    glyphs: first_glyph..first_glyph + 1,
                    width,
                    em: s.size,
                    class: Class::of(c),
                    blank_left: 0.0,
                    blank_right: 0.0,
                    shrink: 0.0,
                    hang: 0.0,
                    space: 0.25 * s.size,
                    style,
                    first: c,
                    last: c,
                });
            }
        }
    }
    flush(run.take(), &mut atoms, &mut glyphs, &mut shaped);
    let junctions = make_junctions(text, &mut atoms, rules);
    Shaped {
        text: para.text,
        styles: para.styles,
        atoms,
        junctions,
        glyphs,
        notes: para.notes,
    }
}
