//! Subset fonts for the EPUB: each face carries exactly the glyphs of the
//! characters it draws.
//!
//! Runs after the XHTML is written, which collects the characters by face
//! ([`UsedChars`]). Each character goes to the first face of its fallback
//! chain that has it, as CSS font matching would pick it. Every face is
//! parsed once and subset once with HarfBuzz's subsetter, which keeps what
//! reading systems need: the `GSUB`/`GPOS` lookups of [`LAYOUT_FEATURES`]
//! (vertical forms, kerning, proportional and half-width punctuation, so
//! that `text-spacing-trim` works), the vertical metrics (`vhea`, `vmtx`,
//! `VORG`), a (3,1) `cmap`, and OS/2 Unicode ranges recomputed for the
//! characters kept.

use std::collections::BTreeSet;

use hb_subset::{Blob, FontFace, SubsetInput, Tag};
use rayon::prelude::*;

use crate::diag::{Diagnostic, Failure, Severity};
use crate::fonts::{Face, FontSet};

use super::xml::UsedChars;

/// Characters the default stylesheet makes without their being in the
/// text: the markers of ordered lists (`list-style-type: decimal`) and the
/// emphasis dot (`text-emphasis: filled dot` draws U+2022).
pub const GENERATED_CHARS: &str = "0123456789.•";

/// The family name under which the stylesheet declares the body subsets
/// for every weight, after each role's own families: characters a bold or
/// heading face lacks are drawn by the body face, not by a font of the
/// reading system.
pub const FALLBACK_FAMILY: &str = "inkstone body fallback";

/// One subset face, ready for the manifest and `@font-face`.
pub struct EmbeddedFont {
    /// Path inside the publication directory (`fonts/....otf`).
    pub href: String,
    pub media_type: &'static str,
    pub family: String,
    pub bold: bool,
    pub data: Vec<u8>,
}

/// The OpenType layout features the subsets keep.
pub const LAYOUT_FEATURES: [&[u8; 4]; 16] = [
    b"ccmp", b"locl", b"calt", b"liga", b"fwid", b"hwid", b"pwid", b"vert", b"vrt2", b"kern",
    b"vkrn", b"palt", b"vpal", b"halt", b"vhal", b"mark",
];

/// A distinct face of the font set, parsed, with the characters it must
/// keep.
struct Parsed<'a> {
    face: &'a Face,
    font: rustybuzz::ttf_parser::Face<'a>,
    chars: BTreeSet<char>,
}

/// Subsets the faces of `fonts` to the characters in `used`. Faces that
/// draw nothing are left out; characters that no face has are left to the
/// reading system (`crate::resolve::glyphs` reported them).
pub fn subset_fonts(fonts: &FontSet, used: &UsedChars) -> Result<Vec<EmbeddedFont>, Failure> {
    subset_fonts_reusing(fonts, used, None)
}

/// [`subset_fonts`], taking each subset from `memo` when an earlier build
/// made it from the same face and the same characters.
pub fn subset_fonts_reusing(
    fonts: &FontSet,
    used: &UsedChars,
    memo: Option<&SubsetMemo>,
) -> Result<Vec<EmbeddedFont>, Failure> {
    let mut body = used.body.clone();
    body.extend(&GENERATED_CHARS.chars().collect());
    let roles = [
        (&fonts.body, &body),
        (&fonts.body_bold, &used.bold),
        (&fonts.heading, &used.heading),
    ];

    // The same face may serve several roles: parse it once.
    let mut parsed: Vec<Parsed> = Vec::new();
    let mut chains: Vec<Vec<usize>> = Vec::new();
    for chain in roles
        .iter()
        .map(|(chain, _)| chain.as_slice())
        .chain([fonts.fallback.as_slice()])
    {
        let mut indices = Vec::new();
        for face in chain.iter() {
            let index = match parsed.iter().position(|p| same_face(p.face, face)) {
                Some(index) => index,
                None => {
                    parsed.push(parse(face)?);
                    parsed.len() - 1
                }
            };
            indices.push(index);
        }
        chains.push(indices);
    }

    for ((_, chars), indices) in roles.iter().zip(&chains) {
        for c in chars.iter() {
            // A character the bold or heading faces lack is drawn by the
            // body face, as in the PDF (the stylesheet lists the body
            // subset under FALLBACK_FAMILY after each role's families);
            // one no face of the book has, by the system face chosen for
            // it, if any.
            let found = indices
                .iter()
                .chain(&chains[0])
                .chain(&chains[3])
                .copied()
                .find(|&i| parsed[i].font.glyph_index(c).is_some_and(|g| g.0 != 0));
            if let Some(i) = found {
                parsed[i].chars.insert(c);
            }
        }
    }

    let names = file_names(&parsed);
    let embedded = parsed
        .into_iter()
        .zip(names)
        .filter(|(p, _)| !p.chars.is_empty())
        .map(|(p, name)| (p.face, p.chars, name))
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(face, chars, name)| subset_face(face, &chars, name, memo))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(embedded)
}

fn same_face(a: &Face, b: &Face) -> bool {
    a.family == b.family && a.bold == b.bold && a.index == b.index
}

fn parse(face: &Face) -> Result<Parsed<'_>, Failure> {
    let font = rustybuzz::ttf_parser::Face::parse(face.bytes(), face.index)
        .map_err(|e| font_failure(face, "read", &e.to_string()))?;
    Ok(Parsed {
        face,
        font,
        chars: BTreeSet::new(),
    })
}

/// Subsets `face` to `chars` with HarfBuzz.
pub fn subset_bytes(face: &Face, chars: &BTreeSet<char>) -> Result<Vec<u8>, String> {
    let blob = Blob::from_bytes(face.bytes()).map_err(|e| e.to_string())?;
    let font = FontFace::new_with_index(blob, face.index).map_err(|e| e.to_string())?;
    let mut input = SubsetInput::new().map_err(|e| e.to_string())?;
    {
        let mut set = input.unicode_set();
        for &c in chars {
            set.insert(c);
        }
    }
    {
        let mut features = input.layout_feature_tag_set();
        features.clear();
        for tag in LAYOUT_FEATURES {
            features.insert(Tag::new(tag));
        }
    }
    input
        .flags()
        .remove_hinting()
        .retain_notdef_outline()
        .recompute_unicode_ranges();
    let subset = input.subset_font(&font).map_err(|e| e.to_string())?;
    let data = subset.underlying_blob().to_vec();
    if data.is_empty() {
        return Err("the subsetter gave an empty font".into());
    }
    Ok(data)
}

fn subset_face(
    face: &Face,
    chars: &BTreeSet<char>,
    name: String,
    memo: Option<&SubsetMemo>,
) -> Result<EmbeddedFont, Failure> {
    let made = || subset_bytes(face, chars).map_err(|e| font_failure(face, "subset", &e));
    let data = match memo {
        Some(memo) => memo.get_or_make(face, chars, made)?,
        None => made()?,
    };
    let (extension, media_type) = if data.starts_with(b"OTTO") {
        ("otf", "font/otf")
    } else {
        ("ttf", "font/ttf")
    };
    Ok(EmbeddedFont {
        href: format!("fonts/{name}.{extension}"),
        media_type,
        family: face.family.clone(),
        bold: face.bold,
        data,
    })
}

/// File names from family names (`NotoSerifCJKSC-Bold`), or from the
/// face's position in the font set where a name has no ASCII letters.
fn file_names(parsed: &[Parsed]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (i, p) in parsed.iter().enumerate() {
        let mut name: String = p
            .face
            .family
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        if name.is_empty() {
            name = format!("font{}", i + 1);
        }
        name.push_str(if p.face.bold { "-Bold" } else { "-Regular" });
        if names.contains(&name) {
            name = format!("{name}-{}", i + 1);
        }
        names.push(name);
    }
    names
}

fn font_failure(face: &Face, action: &str, error: &str) -> Failure {
    Failure::new(
        Diagnostic::new(
            Severity::Error,
            None,
            format!("cannot {action} the font `{}`: {error}", face.family),
        )
        .with_hint("choose another font under [fonts] in book.toml"),
    )
}

/// Subsets made by earlier builds in this process (`inkstone watch` and
/// `serve`), so that an edit that leaves a face's characters as they were
/// does not subset it again. A subset is found by the face's bytes (the
/// same bytes in memory: the entry holds them, so they cannot be freed and
/// replaced by other bytes at the same place) and its exact characters.
/// The most recently used few are kept.
#[derive(Default)]
pub struct SubsetMemo {
    entries: std::sync::Mutex<Vec<SubsetEntry>>,
}

impl std::fmt::Debug for SubsetMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SubsetMemo({} subsets)", self.len())
    }
}

struct SubsetEntry {
    data: std::sync::Arc<dyn AsRef<[u8]> + Send + Sync>,
    index: u32,
    chars: BTreeSet<char>,
    subset: Vec<u8>,
    last_used: u64,
}

/// How many subsets a memo keeps: a few faces, each with the characters
/// of the last builds.
const SUBSETS_KEPT: usize = 8;

impl SubsetMemo {
    fn get_or_make(
        &self,
        face: &Face,
        chars: &BTreeSet<char>,
        make: impl FnOnce() -> Result<Vec<u8>, Failure>,
    ) -> Result<Vec<u8>, Failure> {
        let bytes = face.bytes();
        let same = |e: &SubsetEntry| {
            let theirs = (*e.data).as_ref();
            std::ptr::eq(theirs.as_ptr(), bytes.as_ptr())
                && theirs.len() == bytes.len()
                && e.index == face.index
                && e.chars == *chars
        };
        {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            let clock = entries.iter().map(|e| e.last_used).max().unwrap_or(0) + 1;
            if let Some(entry) = entries.iter_mut().find(|e| same(e)) {
                entry.last_used = clock;
                return Ok(entry.subset.clone());
            }
        }
        let subset = make()?;
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let clock = entries.iter().map(|e| e.last_used).max().unwrap_or(0) + 1;
        if entries.len() >= SUBSETS_KEPT {
            if let Some(oldest) = (0..entries.len()).min_by_key(|&i| entries[i].last_used) {
                entries.swap_remove(oldest);
            }
        }
        entries.push(SubsetEntry {
            data: face.data.clone(),
            index: face.index,
            chars: chars.clone(),
            subset: subset.clone(),
            last_used: clock,
        });
        Ok(subset)
    }

    /// How many subsets are kept.
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
