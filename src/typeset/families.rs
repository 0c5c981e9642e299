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

/// A warning for each part of `style` whose family is not the family of
/// the first face of its chain in `fonts` (the face its text is set in).
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
        // The chain's first face sets the text; the others only supply
        // characters it lacks, so a wanted family further down is not
        // what the reader sees.
        let found = faces.first().is_some_and(|f| {
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::report;
    use crate::fonts::{Face, FontSet, Origin};

    fn face(family: &str) -> Face {
        Face {
            family: family.to_string(),
            bold: false,
            data: Arc::new(Vec::<u8>::new()),
            index: 0,
            origin: Origin::Extra(std::path::PathBuf::from("fangsong.otf")),
        }
    }

    fn said(body: &[&str]) -> Vec<String> {
        let style = super::super::style::load_style("gb9704", std::path::Path::new("."))
            .expect("the gb9704 style");
        let fonts = FontSet {
            body: body.iter().map(|f| face(f)).collect(),
            body_bold: vec![face("Noto Serif CJK SC")],
            heading: vec![face("Noto Sans CJK SC")],
            system: false,
            fallback: Vec::new(),
        };
        report(&style, &fonts)
            .iter()
            .map(|d| d.to_string())
            .filter(|d| d.contains("body text"))
            .collect()
    }

    #[test]
    fn a_wanted_family_counts_only_where_it_sets_the_text() {
        // First in the chain: the body is set in it, nothing to say.
        assert!(said(&["FangSong", "Noto Serif CJK SC"]).is_empty());
        // Behind another face it only fills gaps: the build says which
        // family it wanted and which one sets the text.
        let got = said(&["Noto Serif CJK SC", "FangSong"]);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].contains("FangSong") && got[0].contains("Noto Serif CJK SC is used instead"),
            "{got:?}"
        );
        assert_eq!(said(&["Noto Serif CJK SC"]).len(), 1);
    }
}
