//! Faces and shaping: the book's fonts parsed once per render, font
//! fallback per character, and rustybuzz shaping of runs.
//!
//! Every face of the book's three fallback chains (body, bold, heading) is
//! parsed once into a [`LoadedFace`]; layout then asks for the face of each
//! character and shapes runs of one face and size. Punctuation widths come
//! from the font itself: the `halt` feature tells how much blank a full-width
//! mark has and on which side (clreq 3.1.6: "punctuation width adjustment").

use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use rustybuzz::{script, Direction, Feature, Language, Script, ShapePlan, UnicodeBuffer};

use super::style::FaceChoice;
use crate::fonts::{Face, FontSet};

/// Index of a face in the [`FontBook`].
pub type FaceId = u16;

/// One parsed face.
pub struct LoadedFace<'a> {
    pub face: rustybuzz::Face<'a>,
    pub units_per_em: f32,
    /// Advance of the space character, in em.
    pub space: f32,
    pub source: Face,
    /// Blank space of full-width punctuation, by character.
    pub blanks: HashMap<char, Blank>,
    /// Shaping plans, made on first use: CJK runs, Latin runs.
    plans: [OnceLock<ShapePlan>; 2],
    /// Glyph and advance of each BMP character in a CJK run, filled on
    /// first use (see [`CjkGlyphs`]).
    cjk_glyphs: CjkGlyphs,
}

/// Per-character shaping results for CJK runs. In the book's CJK faces an
/// ideograph or full-width mark shapes to one glyph whatever its
/// neighbours (the features CJK runs use, `fwid` and `locl`, are single
/// substitutions), so each character is shaped once per face and render
/// instead of once per occurrence. A slot holds `glyph id + 1` in the high
/// 32 bits and the advance (font units, as `i32`) in the low ones; 0 is
/// "not yet shaped", [`UNCACHEABLE`] is "shape it in context".
struct CjkGlyphs(Box<[AtomicU64]>);

const UNCACHEABLE: u64 = u64::MAX;

impl CjkGlyphs {
    fn new() -> Self {
        CjkGlyphs((0..=0xFFFF).map(|_| AtomicU64::new(0)).collect())
    }
}

/// The blank part of a full-width mark, from the font's `halt` feature, in
/// em: `left` for opening marks (ink on the right), `right` for closing and
/// stop marks.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Blank {
    pub left: f32,
    pub right: f32,
}

/// All faces of a render.
pub struct FontBook<'a> {
    pub faces: Vec<LoadedFace<'a>>,
    body: Vec<FaceId>,
    bold: Vec<FaceId>,
    heading: Vec<FaceId>,
    /// Faces found on the system for characters no book face has.
    extra: Vec<FaceId>,
    /// [`FontBook::face_for`] answers for BMP characters, per chain
    /// (body, bold, heading): 0 not yet asked, `NO_FACE` none, else the
    /// face id + 1. Looking a character up in each face's cmap is most of
    /// the cost of choosing faces, and a book uses a few thousand
    /// characters many times over.
    face_cache: [Box<[AtomicU16]>; 3],
}

const NO_FACE: u16 = u16::MAX;

/// A shaped glyph, in em of its size.
#[derive(Debug, Clone, Copy)]
pub struct ShapedGlyph {
    pub id: u16,
    /// Byte offset of its cluster in the shaped text.
    pub cluster: u32,
    pub advance: f32,
    pub x_offset: f32,
    pub y_offset: f32,
}

/// Marks whose widths come from the `halt` feature.
pub const HALT_MARKS: &str = "，。、；：！？‘’“”（）《》〈〉「」『』【】〔〕〖〗［］｛｝・·";

impl<'a> FontBook<'a> {
    /// Parses every face of `fonts` (each distinct face once) and any
    /// `extra` faces (system fallbacks).
    pub fn new(fonts: &'a FontSet, extra: &'a [Face]) -> Option<FontBook<'a>> {
        let mut faces: Vec<LoadedFace<'a>> = Vec::new();
        let ids = |chain: &'a [Face], faces: &mut Vec<LoadedFace<'a>>| -> Option<Vec<FaceId>> {
            let mut out = Vec::new();
            for face in chain {
                let existing = faces.iter().position(|f| {
                    Arc::ptr_eq(&f.source.data, &face.data) && f.source.index == face.index
                });
                let id = match existing {
                    Some(id) => id,
                    None => {
                        faces.push(load_face(face)?);
                        faces.len() - 1
                    }
                };
                out.push(id as FaceId);
            }
            Some(out)
        };
        let body = ids(&fonts.body, &mut faces)?;
        let bold = ids(&fonts.body_bold, &mut faces)?;
        let heading = ids(&fonts.heading, &mut faces)?;
        let extra = ids(extra, &mut faces)?;
        let cache = || (0..=0xFFFF).map(|_| AtomicU16::new(0)).collect();
        Some(FontBook {
            faces,
            body,
            bold,
            heading,
            extra,
            face_cache: [cache(), cache(), cache()],
        })
    }

    /// The fallback chain for `choice`, then the body faces (a bold or
    /// heading face missing a character falls back to the regular body
    /// face rather than to nothing, as in the EPUB), then the system faces
    /// chosen for the book (`crate::resolve::glyphs` decides the same way).
    pub fn chain(&self, choice: FaceChoice) -> impl Iterator<Item = FaceId> + '_ {
        let first: &[FaceId] = match choice {
            FaceChoice::Body => &self.body,
            FaceChoice::Bold => &self.bold,
            FaceChoice::Heading => &self.heading,
        };
        first.iter().chain(&self.body).chain(&self.extra).copied()
    }

    /// The face that draws `c` in the chain `choice`, or `None` when no
    /// face has it.
    pub fn face_for(&self, c: char, choice: FaceChoice) -> Option<FaceId> {
        let lookup = || {
            self.chain(choice).find(|&id| {
                self.faces[id as usize]
                    .face
                    .glyph_index(c)
                    .is_some_and(|g| g.0 != 0)
            })
        };
        let cache = &self.face_cache[choice as usize];
        let Some(slot) = cache.get(c as usize) else {
            return lookup();
        };
        match slot.load(Ordering::Relaxed) {
            0 => {
                let found = lookup();
                slot.store(found.map_or(NO_FACE, |id| id + 1), Ordering::Relaxed);
                found
            }
            NO_FACE => None,
            id => Some(id - 1),
        }
    }

    /// The first face of a chain (for missing glyphs).
    pub fn primary(&self, choice: FaceChoice) -> FaceId {
        self.chain(choice).next().unwrap_or(0)
    }

    pub fn face(&self, id: FaceId) -> &LoadedFace<'a> {
        &self.faces[id as usize]
    }

    /// Shapes `text` (no spaces, one face) and appends its glyphs to `out`,
    /// clusters offset by `base`. Full-width forms (`fwid`) are asked for
    /// dashes, ellipses and the middle dot, which must be one em wide in
    /// Chinese text (GB/T 15834: the dash and the ellipsis take two
    /// character spaces).
    pub fn shape(
        &self,
        id: FaceId,
        text: &str,
        base: u32,
        cjk_run: bool,
        out: &mut Vec<ShapedGlyph>,
    ) {
        let loaded = self.face(id);
        if cjk_run && self.shape_cjk_cached(loaded, text, base, out) {
            return;
        }
        let shaped = shape_run(loaded, text, cjk_run);
        let scale = 1.0 / loaded.units_per_em;
        for (info, pos) in shaped.glyph_infos().iter().zip(shaped.glyph_positions()) {
            out.push(ShapedGlyph {
                id: info.glyph_id as u16,
                cluster: base + info.cluster,
                advance: pos.x_advance as f32 * scale,
                x_offset: pos.x_offset as f32 * scale,
                y_offset: pos.y_offset as f32 * scale,
            });
        }
    }

    /// The CJK run `text` from per-character results; `false` (with `out`
    /// untouched) when a character needs shaping in context.
    fn shape_cjk_cached(
        &self,
        loaded: &LoadedFace<'a>,
        text: &str,
        base: u32,
        out: &mut Vec<ShapedGlyph>,
    ) -> bool {
        let start = out.len();
        let scale = 1.0 / loaded.units_per_em;
        for (offset, c) in text.char_indices() {
            let Some(slot) = loaded.cjk_glyphs.0.get(c as usize) else {
                out.truncate(start);
                return false;
            };
            let mut packed = slot.load(Ordering::Relaxed);
            if packed == 0 {
                packed = shape_single(loaded, c);
                slot.store(packed, Ordering::Relaxed);
            }
            if packed == UNCACHEABLE {
                out.truncate(start);
                return false;
            }
            out.push(ShapedGlyph {
                id: ((packed >> 32) - 1) as u16,
                cluster: base + offset as u32,
                advance: (packed as u32 as i32) as f32 * scale,
                x_offset: 0.0,
                y_offset: 0.0,
            });
        }
        true
    }
}

/// The language CJK text is shaped in (for `locl`).
fn chinese() -> Option<&'static Language> {
    static LANG: OnceLock<Option<Language>> = OnceLock::new();
    LANG.get_or_init(|| "zh-Hans".parse::<Language>().ok())
        .as_ref()
}

/// Shapes one run with the face's cached plan when the run's script is
/// one the plan was made for, else with a plan made for this run.
fn shape_run(loaded: &LoadedFace<'_>, text: &str, cjk_run: bool) -> rustybuzz::GlyphBuffer {
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.set_direction(Direction::LeftToRight);
    if let Some(lang) = chinese() {
        buffer.set_language(lang.clone());
    }
    let features: &[Feature] = if cjk_run {
        &CJK_FEATURES
    } else {
        &LATIN_FEATURES
    };
    buffer.guess_segment_properties();
    let planned: Script = if cjk_run { script::HAN } else { script::LATIN };
    // Runs of digits and punctuation guess "Common"; they shape like the
    // run's own script.
    let guessed = buffer.script();
    let usable = guessed == planned
        || guessed == script::COMMON
        || guessed == script::INHERITED
        || guessed == script::UNKNOWN;
    if !usable {
        return rustybuzz::shape(&loaded.face, features, buffer);
    }
    buffer.set_script(planned);
    let plan = loaded.plans[usize::from(!cjk_run)].get_or_init(|| {
        ShapePlan::new(
            &loaded.face,
            Direction::LeftToRight,
            Some(planned),
            chinese(),
            features,
        )
    });
    rustybuzz::shape_with_plan(&loaded.face, plan, buffer)
}

/// Shapes `c` alone as a CJK run and packs the result for [`CjkGlyphs`].
fn shape_single(loaded: &LoadedFace<'_>, c: char) -> u64 {
    // Marks, joiners and variation selectors change their neighbours, and
    // fonts join dashes and ellipses into one long glyph ("——" is one
    // two-em rule in Noto CJK).
    if matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{200C}'..='\u{200D}'
            | '\u{2010}'..='\u{2015}'
            | '\u{2026}'
            | '\u{22EF}'
            | '\u{2E3A}'..='\u{2E3B}'
            | '\u{3099}'..='\u{309A}'
            | '\u{FE00}'..='\u{FE0F}'
    ) {
        return UNCACHEABLE;
    }
    let shaped = shape_run(loaded, c.encode_utf8(&mut [0; 4]), true);
    match (shaped.glyph_infos(), shaped.glyph_positions()) {
        ([info], [pos])
            if pos.x_offset == 0
                && pos.y_offset == 0
                && info.glyph_id > 0
                && info.glyph_id <= 0xFFFF =>
        {
            ((u64::from(info.glyph_id) + 1) << 32) | u64::from(pos.x_advance as u32)
        }
        _ => UNCACHEABLE,
    }
}

const fn feature(tag: &[u8; 4], value: u32) -> Feature {
    Feature {
        tag: rustybuzz::ttf_parser::Tag::from_bytes(tag),
        value,
        start: 0,
        end: u32::MAX,
    }
}

/// CJK runs: the font's defaults plus full-width dashes and ellipses.
static CJK_FEATURES: [Feature; 1] = [feature(b"fwid", 1)];
/// Latin runs: kerning and standard ligatures (on by default in the
/// shaper, said here so the choice is visible).
static LATIN_FEATURES: [Feature; 2] = [feature(b"kern", 1), feature(b"liga", 1)];

fn load_face(source: &Face) -> Option<LoadedFace<'_>> {
    let face = rustybuzz::Face::from_slice(source.bytes(), source.index)?;
    let units_per_em = face.units_per_em() as f32;
    let space = face
        .glyph_index(' ')
        .and_then(|g| face.glyph_hor_advance(g))
        .map_or(0.25, |a| f32::from(a) / units_per_em);
    let mut loaded = LoadedFace {
        face,
        units_per_em,
        space,
        source: source.clone(),
        blanks: HashMap::new(),
        plans: [OnceLock::new(), OnceLock::new()],
        cjk_glyphs: CjkGlyphs::new(),
    };
    loaded.blanks = measure_blanks(&loaded);
    Some(loaded)
}

/// Measures the blank of each mark in [`HALT_MARKS`] by shaping it with and
/// without `halt`: the advance lost is the blank, a negative offset says it
/// was on the left.
fn measure_blanks(loaded: &LoadedFace<'_>) -> HashMap<char, Blank> {
    let mut out = HashMap::new();
    let halt = [feature(b"halt", 1)];
    let shape = |c: char, features: &[Feature]| -> Option<(i32, i32)> {
        loaded.face.glyph_index(c)?;
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(c.encode_utf8(&mut [0; 4]));
        buffer.set_direction(Direction::LeftToRight);
        if let Ok(lang) = "zh-Hans".parse::<Language>() {
            buffer.set_language(lang);
        }
        let shaped = rustybuzz::shape(&loaded.face, features, buffer);
        let pos = shaped.glyph_positions().first()?;
        Some((pos.x_advance, pos.x_offset))
    };
    for c in HALT_MARKS.chars() {
        let (Some((full, _)), Some((half, offset))) = (shape(c, &[]), shape(c, &halt)) else {
            continue;
        };
        let lost = (full - half) as f32 / loaded.units_per_em;
        if lost <= 0.01 {
            continue;
        }
        let blank = if offset < 0 {
            Blank {
                left: lost,
                right: 0.0,
            }
        } else {
            Blank {
                left: 0.0,
                right: lost,
            }
        };
        out.insert(c, blank);
    }
    out
}

#[cfg(test)]
mod tests {
    #[allow(dead_code)]
    mod samples {
        include!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/support/samples.rs"
        ));
    }

    use super::*;
    use crate::model::FontSettings;
    use crate::normalize::chars::is_cjk;

    /// Per-character results for CJK runs equal shaping the runs whole, on
    /// real text with every kind of mark, in every book face.
    #[test]
    fn cached_cjk_runs_shape_like_whole_runs() {
        let Some(_sample) = samples::sample_test() else {
            return;
        };
        let settings = FontSettings {
            body: vec!["Noto Serif CJK SC".into()],
            heading: vec!["Noto Sans CJK SC".into()],
            paths: Vec::new(),
            system: false,
        };
        let fonts =
            crate::fonts::resolve_fonts(&settings, std::path::Path::new(".")).expect("fonts");
        let book = FontBook::new(&fonts, &[]).expect("faces");
        let sample = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/samples/yiyang-united-front-2022.txt"
        );
        let mut text = std::fs::read_to_string(sample).expect("sample");
        text.push_str("“引号”‘单引’（括号）《书名》【方头】「直角」——破折号……省略号·间隔号、顿号；分号：冒号！叹号？问号。");
        let runs: Vec<String> = text
            .split(|c: char| !is_cjk(c))
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect();
        assert!(runs.len() > 20, "{}", runs.len());
        for id in 0..book.faces.len() as FaceId {
            let loaded = book.face(id);
            for run in &runs {
                let mut cached = Vec::new();
                if !book.shape_cjk_cached(loaded, run, 0, &mut cached) {
                    assert!(run.contains(['—', '…']), "{run} should be cacheable");
                    continue;
                }
                let whole = shape_run(loaded, run, true);
                let scale = 1.0 / loaded.units_per_em;
                let expected: Vec<(u16, u32, f32)> = whole
                    .glyph_infos()
                    .iter()
                    .zip(whole.glyph_positions())
                    .map(|(i, p)| (i.glyph_id as u16, i.cluster, p.x_advance as f32 * scale))
                    .collect();
                let actual: Vec<(u16, u32, f32)> = cached
                    .iter()
                    .map(|g| (g.id, g.cluster, g.advance))
                    .collect();
                assert_eq!(actual, expected, "face {id}, run {run}");
            }
        }
    }
}
