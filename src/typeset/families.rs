//! The font families a page style is designed for.
//!
//! A style may name, for its body text and each heading level, the family
//! it was drawn for (`family = ["FangSong", "仿宋"]` for the body of
//! `gb9704`). The text is set in the book's fonts; when none of them is of
//! the family the style names, the build says which family it wanted and
//! which it used instead, so that a substitution is never silent.

use crate::diag::{Diagnostic, Severity};
use crate::fonts::{Face, FontSet};

use super::style::{FaceChoice, PageStyle};

/// A warning for each part of `style` whose family none of `fonts`'
/// faces in its chain belongs to.
pub fn report(style: &PageStyle, fonts: &FontSet) -> Vec<Diagnostic> {
    let chain = |face: FaceChoice| -> &[Face] {
        match face {
            FaceChoice::Body => &fonts.body,
            FaceChoice::Bold => &fonts.body_bold,
            FaceChoice::Heading => &fonts.heading,
        }
    };
    let parts = [
        ("body text", &style.body.family, FaceChoice::Body),
        ("the title", &style.title.family, style.title.face),
        ("the subtitle", &style.subtitle.family, style.subtitle.face),
        ("level-2 headings", &style.h2.family, style.h2.face),
        ("level-3 headings", &style.h3.family, style.h3.face),
        ("level-4 headings", &style.h4.family, style.h4.face),
    ];
    let mut out = Vec::new();
    for (part, wanted, face) in parts {
        if wanted.is_empty() {
            continue;
        }
        let faces = chain(face);
        let found = faces.iter().any(|f| {
            wanted
                .iter()
                .any(|w| f.family.to_lowercase().contains(&w.to_lowercase()))
        });
        if found {
            continue;
        }
        let used = faces
            .first()
            .map_or_else(|| "no font".to_string(), |f| f.family.clone());
        out.push(
            Diagnostic::new(
                Severity::Warning,
                None,
                format!(
                    "page style `{}` sets {part} in {}, but no font of that family is available: {used} is used instead",
                    style.name,
                    wanted.join(" / ")
                ),
            )
            .with_hint(format!(
                "name a {} font under [fonts] in book.toml",
                wanted[0]
            )),
        );
    }
    out
}
