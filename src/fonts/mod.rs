//! Fonts: the built-in faces, extra files from `book.toml`, and system
//! fonts when the book or the command line allows them.
//!
//! Shared by both renderers, and the only place that decides which faces
//! a book may use. The three default faces in `fonts/` are compiled into
//! the binary, so a build with the defaults depends on nothing the machine
//! has installed. A face the user points to (`[fonts] paths`) wins over a
//! built-in face of the same family. System fonts are looked at only when
//! `[fonts] system = true` or `--system-fonts` says so, and every
//! character they supply is reported with the face's name.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
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

/// Where a face comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Compiled into the binary (`fonts/<file>`).
    Builtin(&'static str),
    /// A file named under `[fonts] paths`.
    Extra(PathBuf),
    /// An installed font, allowed by `[fonts] system` or `--system-fonts`.
    System(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Builtin(name) => write!(f, "built-in ({name})"),
            Origin::Extra(path) => write!(f, "extra ({})", path.display()),
            Origin::System(path) => write!(f, "system ({})", path.display()),
        }
    }
}

/// One face: its bytes (shared) and its index in a collection.
#[derive(Clone)]
pub struct Face {
    pub family: String,
    pub bold: bool,
    pub data: Arc<dyn AsRef<[u8]> + Send + Sync>,
    pub index: u32,
    pub origin: Origin,
}

impl Face {
    pub fn bytes(&self) -> &[u8] {
        (*self.data).as_ref()
    }

    /// The characters the face maps (its Unicode cmap subtables).
    pub fn chars(&self) -> BTreeSet<char> {
        let mut out = BTreeSet::new();
        let Ok(face) = rustybuzz::ttf_parser::Face::parse(self.bytes(), self.index) else {
            return out;
        };
        let Some(cmap) = face.tables().cmap else {
            return out;
        };
        for subtable in cmap.subtables {
            if !subtable.is_unicode() {
                continue;
            }
            subtable.codepoints(|cp| {
                if let Some(c) = char::from_u32(cp) {
                    if subtable.glyph_index(cp).is_some_and(|g| g.0 != 0) {
                        out.insert(c);
                    }
                }
            });
        }
        out
    }
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face")
            .field("family", &self.family)
            .field("bold", &self.bold)
            .field("index", &self.index)
            .field("origin", &self.origin)
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
    /// System fonts may supply characters no face of the set has.
    pub system: bool,
    /// System faces chosen for characters no face of the book has, in the
    /// order they are tried after a role's own faces and the body faces
    /// (filled by [`crate::resolve::glyphs`]; empty unless `system`).
    pub fallback: Vec<Face>,
}

impl FontSet {
    /// The set with the [`FontSet::fallback`] faces at the end of each
    /// chain, as a stylesheet lists families: each embedded subset holds
    /// only the characters it was chosen for, so a reading system takes a
    /// character from the face the PDF takes it from.
    pub fn listed(&self) -> FontSet {
        let mut set = self.clone();
        for chain in [&mut set.body, &mut set.body_bold, &mut set.heading] {
            chain.extend(self.fallback.iter().cloned());
        }
        set.fallback = Vec::new();
        set
    }

    /// Each distinct face of the set once, body first.
    pub fn faces(&self) -> Vec<&Face> {
        let mut out: Vec<&Face> = Vec::new();
        for face in self.body.iter().chain(&self.body_bold).chain(&self.heading) {
            if !out
                .iter()
                .any(|f| Arc::ptr_eq(&f.data, &face.data) && f.index == face.index)
            {
                out.push(face);
            }
        }
        out
    }
}

/// Finds the faces named in `settings`: first among the extra paths
/// (relative to `base_dir`), then among the built-in fonts, then, when
/// `settings.system` allows it, among the installed fonts.
pub fn resolve_fonts(settings: &FontSettings, base_dir: &Path) -> Result<FontSet, Failure> {
    let mut builtin = Database::new();
    for (_, bytes) in BUILTIN {
        builtin.load_font_source(Source::Binary(Arc::new(bytes)));
    }
    let mut extra = Database::new();
    for path in &settings.paths {
        let path = base_dir.join(path);
        if path.is_dir() {
            load_font_folder(&mut extra, &path)?;
        } else if path.is_file() {
            load_font_file(&mut extra, &path)?;
        } else {
            return Err(Diagnostic::error(
                Location::file(&path),
                "font file or folder does not exist",
            )
            .with_hint("check `paths` under [fonts] in book.toml")
            .into());
        }
    }
    let mut system: Option<Database> = None;
    let mut pick = |families: &[String], weight: Weight| -> Result<Vec<Face>, Failure> {
        let mut chain = Vec::new();
        for family in families {
            let mut face = find(&extra, family, weight, Kind::Extra)
                .or_else(|| find(&builtin, family, weight, Kind::Builtin));
            if face.is_none() && settings.system {
                let db = system.get_or_insert_with(|| {
                    let mut db = Database::new();
                    db.load_system_fonts();
                    db
                });
                face = find(db, family, weight, Kind::System);
            }
            match face {
                Some(face) => chain.push(face),
                None => {
                    let hint = if settings.system {
                        "name a family that is installed, or add its file under [fonts] paths"
                    } else {
                        "add its file under [fonts] paths, or allow installed fonts with `system = true` under [fonts] or --system-fonts"
                    };
                    return Err(Diagnostic::error(
                        Location::file(base_dir.join(crate::config::BOOK_FILE)),
                        format!("no font of the family `{family}` was found"),
                    )
                    .with_hint(hint)
                    .into());
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
        system: settings.system,
        fallback: Vec::new(),
    })
}

/// Loads the faces of one font file; a file with none is an error.
fn load_font_file(db: &mut Database, path: &Path) -> Result<(), Failure> {
    let before = db.len();
    db.load_font_file(path)
        .map_err(|e| Failure::io(path, "read the font file", &e))?;
    if db.len() == before {
        return Err(Diagnostic::error(
            Location::file(path),
            "not a font file, or a damaged one: no font could be read from it",
        )
        .with_hint(
            "give a TrueType or OpenType file (.ttf, .otf, .ttc), or remove it from [fonts] paths",
        )
        .into());
    }
    Ok(())
}

/// How deep font folders are searched below a folder of `[fonts] paths`.
const MAX_FONT_FOLDER_DEPTH: usize = 8;

/// Loads every font file (`.ttf`, `.otf`, `.ttc`, `.otc`) in `dir` and
/// its folders, [`MAX_FONT_FOLDER_DEPTH`] levels down, in name order; a
/// damaged one is an error naming it, never skipped in silence. Other
/// files are left alone.
fn load_font_folder(db: &mut Database, dir: &Path) -> Result<(), Failure> {
    let mut seen = std::collections::HashSet::new();
    let mut pending = vec![(dir.to_path_buf(), 0)];
    while let Some((folder, depth)) = pending.pop() {
        let Ok(canonical) = std::fs::canonicalize(&folder) else {
            continue;
        };
        if !seen.insert(canonical) {
            continue;
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map_err(|e| Failure::io(&folder, "read the font folder", &e))?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                if depth < MAX_FONT_FOLDER_DEPTH {
                    pending.push((path, depth + 1));
                }
                continue;
            }
            let is_font = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                ["ttf", "otf", "ttc", "otc"].contains(&e.to_ascii_lowercase().as_str())
            });
            if is_font && path.is_file() {
                load_font_file(db, &path)?;
            }
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Kind {
    Builtin,
    Extra,
    System,
}

fn find(db: &Database, family: &str, weight: Weight, kind: Kind) -> Option<Face> {
    let id = db.query(&Query {
        families: &[Family::Name(family)],
        weight,
        stretch: Stretch::Normal,
        style: Style::Normal,
    })?;
    let info = db.face(id)?;
    face_of(info, kind)
}

fn face_of(info: &fontdb::FaceInfo, kind: Kind) -> Option<Face> {
    let bold = info.weight.0 >= 600;
    let (data, path): (Arc<dyn AsRef<[u8]> + Send + Sync>, Option<PathBuf>) = match &info.source {
        Source::Binary(data) => (data.clone(), None),
        Source::File(path) => (Arc::new(std::fs::read(path).ok()?), Some(path.clone())),
        Source::SharedFile(path, data) => (data.clone(), Some(path.clone())),
    };
    let origin = match kind {
        Kind::Builtin => {
            let bytes = (*data).as_ref();
            let name = BUILTIN
                .iter()
                .find(|(_, b)| b.len() == bytes.len() && b.as_ptr() == bytes.as_ptr())
                .map_or("", |(name, _)| name);
            Origin::Builtin(name)
        }
        Kind::Extra => Origin::Extra(path.unwrap_or_default()),
        Kind::System => Origin::System(path.unwrap_or_default()),
    };
    let family = info
        .families
        .first()
        .map_or_else(String::new, |(name, _)| name.clone());
    Some(Face {
        family,
        bold,
        data,
        index: info.index,
        origin,
    })
}

/// System faces for the characters in `missing` that no face of `fonts`
/// has: each face once, with the characters it supplies, in the order
/// they are to be tried. Nothing unless `fonts.system` allows system
/// fonts: a build never changes because of what is installed.
pub fn system_fallbacks(fonts: &FontSet, missing: &[char]) -> Vec<(Face, Vec<char>)> {
    if missing.is_empty() || !fonts.system {
        return Vec::new();
    }
    let mut db = Database::new();
    db.load_system_fonts();
    let mut found = Vec::new();
    let mut left: Vec<char> = missing.to_vec();
    // Prefer CJK serif faces, then anything, in a stable order.
    let mut infos: Vec<&fontdb::FaceInfo> = db.faces().collect();
    infos.sort_by_key(|info| {
        let name = info
            .families
            .first()
            .map(|f| f.0.clone())
            .unwrap_or_default();
        let rank = if name.contains("Serif CJK") || name.contains("Song") {
            0
        } else if name.contains("CJK") {
            1
        } else {
            2
        };
        (rank, info.weight.0.abs_diff(400), name, info.index)
    });
    for info in infos {
        if left.is_empty() {
            break;
        }
        let covered = db
            .with_face_data(info.id, |data, index| {
                let face = rustybuzz::ttf_parser::Face::parse(data, index).ok()?;
                Some(
                    left.iter()
                        .copied()
                        .filter(|&c| face.glyph_index(c).is_some_and(|g| g.0 != 0))
                        .collect::<Vec<char>>(),
                )
            })
            .flatten()
            .unwrap_or_default();
        if covered.is_empty() {
            continue;
        }
        let Some(face) = face_of(info, Kind::System) else {
            continue;
        };
        left.retain(|c| !covered.contains(c));
        found.push((face, covered));
    }
    found
}

/// A code point in one of the private-use areas (user-defined characters,
/// 造字).
pub fn is_private_use(c: char) -> bool {
    matches!(c as u32, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD)
}

/// The hint for a character no face has.
pub fn missing_hint(c: char) -> &'static str {
    if is_private_use(c) {
        "a private-use character (a user-defined 造字 or a damaged source): add a font that has it under [fonts] paths in book.toml, or replace it in the source"
    } else {
        "add a font that has it under [fonts] in book.toml, or build with --allow-missing-glyphs to draw a box instead"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> FontSettings {
        FontSettings {
            body: vec!["Noto Serif CJK SC".into()],
            heading: vec!["Noto Sans CJK SC".into()],
            paths: Vec::new(),
            system: false,
        }
    }

    #[test]
    fn default_fonts_resolve_without_system_fonts() {
        let set = resolve_fonts(&defaults(), Path::new(".")).unwrap();
        assert!(!set.body[0].bold);
        assert!(set.body_bold[0].bold);
        assert!(set.heading[0].bold);
        assert_eq!(set.heading[0].family, "Noto Sans CJK SC");
        assert_eq!(
            set.body[0].origin,
            Origin::Builtin("NotoSerifCJKsc-Regular.otf")
        );
        assert_eq!(set.faces().len(), 3);
    }

    #[test]
    fn an_unknown_family_is_not_looked_for_on_the_system_by_default() {
        let mut settings = defaults();
        settings.body = vec!["DejaVu Sans".into()];
        let failure = resolve_fonts(&settings, Path::new(".")).unwrap_err();
        let text = failure.diagnostics[0].to_string();
        assert!(text.contains("DejaVu Sans"), "{text}");
        assert!(text.contains("--system-fonts"), "{text}");
    }

    #[test]
    fn system_fallbacks_are_off_unless_allowed() {
        let set = resolve_fonts(&defaults(), Path::new(".")).unwrap();
        assert!(system_fallbacks(&set, &['\u{E7B9}', 'A']).is_empty());
    }

    #[test]
    fn builtin_body_covers_rare_ideographs() {
        let set = resolve_fonts(&defaults(), Path::new(".")).unwrap();
        let body = set.body[0].chars();
        for c in ['侞', '眴', '埶', '喆', '玥', '㐀', '䶵', '\u{20087}'] {
            assert!(body.contains(&c), "{c}");
        }
        let bold = set.body_bold[0].chars();
        for c in ['喆', '玥', '珺', '堃'] {
            assert!(bold.contains(&c), "{c}");
        }
    }
}
