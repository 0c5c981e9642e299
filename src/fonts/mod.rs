//! Fonts: the built-in faces, extra files from `book.toml`, and system
//! fonts as a last resort.
//!
//! Shared by both renderers. The three default faces in `fonts/` are
//! compiled into the binary, so a build depends on nothing the machine has
//! installed; each face's bytes are loaded once per process and shared.
//! System fonts are only scanned when a book asks for a family that the
//! built-in and extra fonts do not have.

use std::path::Path;
use std::sync::Arc;

use fontdb::{Database, Family, Query, Source, Stretch, Style, Weight};

use crate::diag::{Diagnostic, Failure, Location};
use crate::model::FontSettings;

/// The built-in faces: file name and bytes.
pub const BUILTIN: [(&str, &[u8]); 3] = [
    (
        "NotoSerifCJKsc-Regular.otf",
        include_bytes!("../../fonts/NotoSerifCJKsc-Regular.otf"),
    ),
    (
        "NotoSerifCJKsc-Bold.otf",
        include_bytes!("../../fonts/NotoSerifCJKsc-Bold.otf"),
    ),
    (
        "NotoSansCJKsc-Bold.otf",
        include_bytes!("../../fonts/NotoSansCJKsc-Bold.otf"),
    ),
];

/// One face: its bytes (shared) and its index in a collection.
#[derive(Clone)]
pub struct Face {
    pub family: String,
    pub bold: bool,
    pub data: Arc<dyn AsRef<[u8]> + Send + Sync>,
    pub index: u32,
}

impl Face {
    pub fn bytes(&self) -> &[u8] {
        (*self.data).as_ref()
    }
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face")
            .field("family", &self.family)
            .field("bold", &self.bold)
            .field("index", &self.index)
            .finish()
    }
}

/// The faces a book is set in: body regular and bold, heading; each a
/// fallback chain, first face first.
#[derive(Debug, Clone)]
pub struct FontSet {
    pub body: Vec<Face>,
    pub body_bold: Vec<Face>,
    pub heading: Vec<Face>,
}

/// Finds the faces named in `settings`, looking in the built-in fonts,
/// then the extra paths (relative to `base_dir`), then the system.
pub fn resolve_fonts(settings: &FontSettings, base_dir: &Path) -> Result<FontSet, Failure> {
    let mut db = Database::new();
    for (_, bytes) in BUILTIN {
        db.load_font_source(Source::Binary(Arc::new(bytes)));
    }
    for extra in &settings.paths {
        let path = base_dir.join(extra);
        if path.is_dir() {
            db.load_fonts_dir(&path);
        } else if path.is_file() {
            let before = db.len();
            db.load_font_file(&path)
                .map_err(|e| Failure::io(&path, "read the font file", &e))?;
            if db.len() == before {
                return Err(Diagnostic::error(
                    Location::file(&path),
                    "not a font file, or a damaged one: no font could be read from it",
                )
                .with_hint("give a TrueType or OpenType file (.ttf, .otf, .ttc), or remove it from [fonts] paths")
                .into());
            }
        } else {
            return Err(Diagnostic::error(
                Location::file(&path),
                "font file or folder does not exist",
            )
            .with_hint("check `paths` under [fonts] in book.toml")
            .into());
        }
    }
    let mut system_loaded = false;
    let mut pick = |families: &[String], weight: Weight| -> Result<Vec<Face>, Failure> {
        let mut chain = Vec::new();
        for family in families {
            let mut face = find(&db, family, weight);
            if face.is_none() && !system_loaded {
                db.load_system_fonts();
                system_loaded = true;
                face = find(&db, family, weight);
            }
            match face {
                Some(face) => chain.push(face),
                None => {
                    return Err(Diagnostic::error(
                        Location::file(base_dir.join(crate::config::BOOK_FILE)),
                        format!("no font of the family `{family}` was found"),
                    )
                    .with_hint(
                        "name a family that is installed, or add its file under [fonts] paths",
                    )
                    .into())
                }
            }
        }
        Ok(chain)
    };
    let body = pick(&settings.body, Weight::NORMAL)?;
    let body_bold = pick(&settings.body, Weight::BOLD)?;
    let heading = pick(&settings.heading, Weight::BOLD)?;
    Ok(FontSet {
        body,
        body_bold,
        heading,
    })
}

fn find(db: &Database, family: &str, weight: Weight) -> Option<Face> {
    let id = db.query(&Query {
        families: &[Family::Name(family)],
        weight,
        stretch: Stretch::Normal,
        style: Style::Normal,
    })?;
    let info = db.face(id)?;
    let bold = info.weight.0 >= 600;
    let data: Arc<dyn AsRef<[u8]> + Send + Sync> = match &info.source {
        Source::Binary(data) => data.clone(),
        Source::File(path) => Arc::new(std::fs::read(path).ok()?),
        Source::SharedFile(_, data) => data.clone(),
    };
    let family = info
        .families
        .first()
        .map_or_else(|| family.to_string(), |(name, _)| name.clone());
    Some(Face {
        family,
        bold,
        data,
        index: info.index,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_fonts_resolve_without_system_fonts() {
        let settings = FontSettings {
            body: vec!["Noto Serif CJK SC".into()],
            heading: vec!["Noto Sans CJK SC".into()],
            paths: Vec::new(),
        };
        let set = resolve_fonts(&settings, Path::new(".")).unwrap();
        assert!(!set.body[0].bold);
        assert!(set.body_bold[0].bold);
        assert!(set.heading[0].bold);
        assert_eq!(set.heading[0].family, "Noto Sans CJK SC");
    }
}
