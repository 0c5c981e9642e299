//! Subset fonts for the EPUB: each face carries exactly the glyphs of the
//! characters it draws.
//!
//! Runs after the XHTML is written, which collects the characters by face
//! ([`UsedChars`]). Each character goes to the first face of its fallback
//! chain that has it, as CSS font matching would pick it. Every face is
//! parsed once and subset once with allsorts, which keeps the `cmap` (so
//! the subset is a standalone font that browsers and the OpenType
//! sanitizer accept) and CFF outlines as they are. The subset keeps the
//! minimal tables; layout tables (`GSUB`, `GPOS`) are not carried over.

use std::collections::BTreeSet;

use allsorts::binary::read::ReadScope;
use allsorts::font::{Font, MatchingPresentation};
use allsorts::font_data::{DynamicFontTableProvider, FontData};
use allsorts::subset::{subset, CmapTarget, SubsetProfile};
use allsorts::tables::{SfntVersion, CFF_MAGIC};
use rayon::prelude::*;

use crate::diag::{Diagnostic, Failure, Severity};
use crate::fonts::{Face, FontSet};

use super::xml::UsedChars;

/// Characters the default stylesheet makes without their being in the
/// text: the markers of ordered lists (`list-style-type: decimal`) and the
/// emphasis dot (`text-emphasis: filled dot` draws U+2022).
pub const GENERATED_CHARS: &str = "0123456789.•";

/// One subset face, ready for the manifest and `@font-face`.
pub struct EmbeddedFont {
    /// Path inside the publication directory (`fonts/....otf`).
    pub href: String,
    pub media_type: &'static str,
    pub family: String,
    pub bold: bool,
    pub data: Vec<u8>,
}

/// A distinct face of the font set, parsed, with the glyphs it must keep.
struct Parsed<'a> {
    face: &'a Face,
    font: Font<DynamicFontTableProvider<'a>>,
    glyphs: BTreeSet<u16>,
}

/// Subsets the faces of `fonts` to the characters in `used`. Faces that
/// draw nothing are left out; characters that no face has give a warning.
pub fn subset_fonts(
    fonts: &FontSet,
    used: &UsedChars,
) -> Result<(Vec<EmbeddedFont>, Vec<Diagnostic>), Failure> {
    let mut body = used.body.clone();
    body.extend(&GENERATED_CHARS.chars().collect());
    let roles = [
        ("body", &fonts.body, &body),
        ("bold", &fonts.body_bold, &used.bold),
        ("heading", &fonts.heading, &used.heading),
    ];

    // The same face may serve several roles: parse it once.
    let mut parsed: Vec<Parsed> = Vec::new();
    let mut chains: Vec<Vec<usize>> = Vec::new();
    for (_, chain, _) in &roles {
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

    let mut diagnostics = Vec::new();
    for ((role, chain, chars), indices) in roles.iter().zip(&chains) {
        let mut missing = String::new();
        for c in chars.iter() {
            let found = indices.iter().find_map(|&i| {
                let (glyph, _) =
                    parsed[i]
                        .font
                        .lookup_glyph_index(c, MatchingPresentation::NotRequired, None);
                (glyph != 0).then_some((i, glyph))
            });
            match found {
                Some((i, glyph)) => {
                    parsed[i].glyphs.insert(glyph);
                }
                None if c.is_whitespace() => {}
                None => missing.push(c),
            }
        }
        if !missing.is_empty() {
            let families: Vec<&str> = chain.iter().map(|f| f.family.as_str()).collect();
            diagnostics.push(
                Diagnostic::new(
                    Severity::Warning,
                    None,
                    format!(
                        "{} character(s) have no glyph in the {role} font ({}): {missing}",
                        missing.chars().count(),
                        families.join(", "),
                    ),
                )
                .with_hint("add a font that has them under [fonts] in book.toml; reading systems draw them in a font of their own"),
            );
        }
    }

    let names = file_names(&parsed);
    let embedded = parsed
        .into_par_iter()
        .zip(names)
        .filter(|(p, _)| p.glyphs.len() > 1)
        .map(|(p, name)| subset_face(p, name))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((embedded, diagnostics))
}

fn same_face(a: &Face, b: &Face) -> bool {
    a.family == b.family && a.bold == b.bold && a.index == b.index
}

fn parse(face: &Face) -> Result<Parsed<'_>, Failure> {
    let font = ReadScope::new(face.bytes())
        .read::<FontData<'_>>()
        .map_err(|e| e.to_string())
        .and_then(|data| {
            data.table_provider(face.index as usize)
                .map_err(|e| e.to_string())
        })
        .and_then(|provider| Font::new(provider).map_err(|e| e.to_string()))
        .map_err(|e| font_failure(face, "read", &e))?;
    Ok(Parsed {
        face,
        font,
        // .notdef always stays, first.
        glyphs: BTreeSet::from([0]),
    })
}

fn subset_face(parsed: Parsed, name: String) -> Result<EmbeddedFont, Failure> {
    let glyphs: Vec<u16> = parsed.glyphs.into_iter().collect();
    let provider = &parsed.font.font_table_provider;
    let data = subset(
        provider,
        &glyphs,
        &SubsetProfile::Minimal,
        CmapTarget::Unicode,
    )
    .map_err(|e| font_failure(parsed.face, "subset", &e.to_string()))?;
    let (extension, media_type) = if provider.sfnt_version() == CFF_MAGIC {
        ("otf", "font/otf")
    } else {
        ("ttf", "font/ttf")
    };
    Ok(EmbeddedFont {
        href: format!("fonts/{name}.{extension}"),
        media_type,
        family: parsed.face.family.clone(),
        bold: parsed.face.bold,
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
