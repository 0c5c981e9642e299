//! Which face draws each character of the book, decided once for every
//! format.
//!
//! Every character a reader sees (chapter titles and headings, text,
//! table cells, notes, ruby annotations, and the metadata printed on the
//! title and imprint pages) is looked up in the faces of the role it is
//! set in, then in the body faces: a bold or heading face that lacks a
//! character falls back to the body face, in the PDF as in the EPUB's
//! stylesheet. What is found elsewhere than in the role's own faces is a
//! note; a character no face has is, when the book or the command line
//! allows installed fonts, looked for in them, and the face that has it
//! is named; otherwise it is an error (a warning with
//! `--allow-missing-glyphs`: the PDF draws a box and reading systems a
//! font of their own).
//!
//! Each such character is reported once, at its first place (text in
//! reading order, then the metadata in `book.toml`), with the number of
//! its other places. The renderers report nothing of their own: a build
//! of one format or of several prints the same lines.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::diag::{Diagnostic, Location, Severity};
use crate::fonts::{Face, FontSet, Origin};
use crate::model::{dashed_subtitle, Block, Document, Inline, Span};
use crate::typeset::style::FaceChoice;

/// How deep quotes and lists are followed.
const MAX_DEPTH: usize = 64;

/// The fonts of a build with the system faces chosen for it, and what was
/// decided about characters not in their role's own faces.
#[derive(Debug, Clone)]
pub struct Glyphs {
    /// The book's fonts, with [`FontSet::fallback`] holding the system
    /// faces chosen (none unless system fonts are allowed).
    pub fonts: FontSet,
    /// Characters no face has (not even an allowed system face), with
    /// their first place, in order.
    pub missing: Vec<(char, Location)>,
    /// One diagnostic per character not in its role's faces.
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks every character of `doc` against `fonts`; a character no face
/// has is an error unless `allow_missing` makes it a warning.
pub fn resolve_glyphs(doc: &Document, fonts: &FontSet, allow_missing: bool) -> Glyphs {
    let mut coverage = Coverage::new(fonts);
    let mut found = Found::default();
    for (index, chapter) in doc.chapters.iter().enumerate() {
        // The title, its subtitle under it, then the text, then the notes.
        let mut runs = Vec::new();
        if let Some(number) = &chapter.title.number {
            runs.push((number.as_str(), FaceChoice::Heading));
        }
        inline_runs(&chapter.title.content, FaceChoice::Heading, &mut runs, 0);
        let subtitle = chapter.subtitle.as_deref().map(dashed_subtitle);
        if let Some(subtitle) = &subtitle {
            runs.push((subtitle.as_str(), FaceChoice::Body));
        }
        found.block(&mut coverage, index, chapter.title.span, &runs);
        blocks(&mut coverage, &mut found, index, &chapter.blocks, 0);
        for note in &chapter.footnotes {
            blocks(&mut coverage, &mut found, index, &note.blocks, 0);
        }
    }
    let m = &doc.metadata;
    let mut meta: Vec<(&str, FaceChoice)> = vec![(m.title.as_str(), FaceChoice::Heading)];
    for field in [&m.subtitle, &m.publisher, &m.edition, &m.rights]
        .into_iter()
        .flatten()
    {
        meta.push((field, FaceChoice::Body));
    }
    for author in &m.authors {
        meta.push((author, FaceChoice::Body));
    }
    for (value, role) in meta {
        found.meta(&mut coverage, value, role);
    }

    let mut places = Places::new(doc);
    let missing: Vec<char> = found.missing.iter().map(|u| u.c).collect();
    let mut fonts = fonts.clone();
    let mut system: HashMap<char, usize> = HashMap::new();
    for (face, chars) in crate::fonts::system_fallbacks(&fonts, &missing) {
        for c in chars {
            system.insert(c, fonts.fallback.len());
        }
        fonts.fallback.push(face);
    }
    let more = |count: u32| match count {
        0 | 1 => String::new(),
        n => format!("; it occurs in {} more place(s)", n - 1),
    };
    let mut ordered: Vec<(usize, Diagnostic)> = Vec::new();
    let mut unmet = Vec::new();
    for u in &found.missing {
        let place = places.locate(u.c, &u.first);
        if !system.contains_key(&u.c) {
            unmet.push((u.c, place.clone()));
        }
        let at = Some(place);
        let quoted = format!("“{}” (U+{:04X})", u.c, u.c as u32);
        let d = match system.get(&u.c).map(|&k| &fonts.fallback[k]) {
            Some(face) => {
                let file = match &face.origin {
                    Origin::System(path) | Origin::Extra(path) => path.display().to_string(),
                    Origin::Builtin(name) => name.to_string(),
                };
                Diagnostic::new(
                    Severity::Warning,
                    at,
                    format!(
                        "{quoted} is in none of the book's fonts; it is set in the system font `{}` ({file}){}",
                        face.family,
                        more(u.count)
                    ),
                )
                .with_hint("the output depends on the fonts of this machine: add a font that has it under [fonts] paths in book.toml")
            }
            None if allow_missing => Diagnostic::new(
                Severity::Warning,
                at,
                format!("no font has the character {quoted}{}", more(u.count)),
            )
            .with_hint("the PDF draws a box for it and reading systems a font of their own; add a font that has it under [fonts] in book.toml"),
            None => Diagnostic::new(
                Severity::Error,
                at,
                format!("no font has the character {quoted}{}", more(u.count)),
            )
            .with_hint(crate::fonts::missing_hint(u.c)),
        };
        ordered.push((u.seq, d));
    }
    for u in &found.borrowed {
        let at = Some(places.locate(u.c, &u.first));
        let name = |face: &Face| {
            let style = if face.bold { "bold" } else { "regular" };
            format!("`{}` {style}", face.family)
        };
        let wanted = coverage.chain(u.role).first().map(|&k| coverage.faces[k].0);
        let used = coverage.faces[u.face].0;
        let Some(wanted) = wanted else { continue };
        ordered.push((
            u.seq,
            Diagnostic::new(
                Severity::Note,
                at,
                format!(
                    "“{}” (U+{:04X}) is not in the font {}; it is set in {}{}",
                    u.c,
                    u.c as u32,
                    name(wanted),
                    name(used),
                    more(u.count)
                ),
            ),
        ));
    }
    ordered.sort_by_key(|(seq, _)| *seq);
    Glyphs {
        fonts,
        missing: unmet,
        diagnostics: ordered.into_iter().map(|(_, d)| d).collect(),
    }
}

/// The runs of `blocks`, block by block.
fn blocks(
    coverage: &mut Coverage,
    found: &mut Found,
    chapter: usize,
    list: &[Block],
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    for block in list {
        let mut runs = Vec::new();
        match block {
            Block::Heading(h) => {
                if let Some(number) = &h.number {
                    runs.push((number.as_str(), FaceChoice::Heading));
                }
                inline_runs(&h.content, FaceChoice::Heading, &mut runs, 0);
            }
            Block::Paragraph { content, .. } => {
                inline_runs(content, FaceChoice::Body, &mut runs, 0);
            }
            Block::Verse { lines, .. } => {
                for line in lines {
                    inline_runs(line, FaceChoice::Body, &mut runs, 0);
                }
            }
            Block::Code { text, .. } => runs.push((text.as_str(), FaceChoice::Body)),
            Block::Image { caption, .. } => {
                if let Some(caption) = caption {
                    runs.push((caption.as_str(), FaceChoice::Body));
                }
            }
            Block::Table { header, rows, .. } => {
                for cell in header {
                    inline_runs(cell, FaceChoice::Bold, &mut runs, 0);
                }
                for cell in rows.iter().flatten() {
                    inline_runs(cell, FaceChoice::Body, &mut runs, 0);
                }
            }
            Block::Quote { blocks: inner, .. } => {
                blocks(coverage, found, chapter, inner, depth + 1);
            }
            Block::List { items, .. } => {
                for item in items {
                    blocks(coverage, found, chapter, item, depth + 1);
                }
            }
            Block::Break { .. } => {}
        }
        if !runs.is_empty() {
            found.block(coverage, chapter, block.span(), &runs);
        }
    }
}

/// The text of `inlines` as runs of one role: strong text in a body role
/// is bold; a ruby's annotation follows its base.
fn inline_runs<'d>(
    inlines: &'d [Inline],
    role: FaceChoice,
    out: &mut Vec<(&'d str, FaceChoice)>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    for inline in inlines {
        match inline {
            Inline::Text { text } | Inline::Code { text } => out.push((text, role)),
            Inline::Strong { content } => {
                let strong = if role == FaceChoice::Body {
                    FaceChoice::Bold
                } else {
                    role
                };
                inline_runs(content, strong, out, depth + 1);
            }
            Inline::Emphasis { content } | Inline::Link { content, .. } => {
                inline_runs(content, role, out, depth + 1);
            }
            Inline::Ruby { base, annotation } => {
                out.push((base, role));
                out.push((annotation, role));
            }
            Inline::FootnoteRef { .. } | Inline::LineBreak => {}
        }
    }
}

/// The faces of the book, parsed once, and which of them draws a
/// character in each role.
struct Coverage<'f> {
    faces: Vec<(&'f Face, Option<rustybuzz::ttf_parser::Face<'f>>)>,
    /// Per role (body, bold, heading): the role's faces, then the body's.
    chains: [Vec<usize>; 3],
    /// Per role: how many of the chain's first faces are the role's own.
    own: [usize; 3],
    /// Per role, answers for BMP characters (0 not yet asked, 1 no face,
    /// else the position + 2): a book uses a few thousand characters
    /// many times over.
    bmp: [Vec<u16>; 3],
    /// Per role, answers for the other characters.
    cache: [HashMap<char, Option<usize>>; 3],
}

impl<'f> Coverage<'f> {
    fn new(fonts: &'f FontSet) -> Self {
        let mut faces: Vec<(&'f Face, Option<rustybuzz::ttf_parser::Face<'f>>)> = Vec::new();
        let mut ids = |chain: &'f [Face]| -> Vec<usize> {
            chain
                .iter()
                .map(|face| {
                    let same =
                        |f: &&Face| Arc::ptr_eq(&f.data, &face.data) && f.index == face.index;
                    match faces.iter().position(|(f, _)| same(f)) {
                        Some(k) => k,
                        None => {
                            let parsed =
                                rustybuzz::ttf_parser::Face::parse(face.bytes(), face.index).ok();
                            faces.push((face, parsed));
                            faces.len() - 1
                        }
                    }
                })
                .collect()
        };
        let body = ids(&fonts.body);
        let bold = ids(&fonts.body_bold);
        let heading = ids(&fonts.heading);
        let own = [body.len(), bold.len(), heading.len()];
        let with_body = |mut chain: Vec<usize>| {
            chain.extend(&body);
            chain
        };
        let chains = [body.clone(), with_body(bold), with_body(heading)];
        Coverage {
            faces,
            chains,
            own,
            bmp: std::array::from_fn(|_| vec![0; 0x10000]),
            cache: Default::default(),
        }
    }

    fn chain(&self, role: FaceChoice) -> &[usize] {
        &self.chains[role as usize]
    }

    /// The position in the role's chain of the first face that has `c`.
    fn position(&mut self, c: char, role: FaceChoice) -> Option<usize> {
        let r = role as usize;
        let slot = self.bmp[r].get(c as usize).copied();
        match slot {
            Some(0) | None => {}
            Some(1) => return None,
            Some(k) => return Some(usize::from(k) - 2),
        }
        if slot.is_none() {
            if let Some(&known) = self.cache[r].get(&c) {
                return known;
            }
        }
        let found = self.chains[r].iter().position(|&k| {
            self.faces[k]
                .1
                .as_ref()
                .is_some_and(|f| f.glyph_index(c).is_some_and(|g| g.0 != 0))
        });
        match self.bmp[r].get_mut(c as usize) {
            Some(slot) => {
                *slot = found.map_or(1, |p| u16::try_from(p + 2).unwrap_or(1));
            }
            None => {
                self.cache[r].insert(c, found);
            }
        }
        found
    }
}

/// Where a character was first met.
#[derive(Debug, Clone)]
enum Place {
    /// In a block of a chapter: the block's start, the character's number
    /// among the block's characters equal to it, and how many characters
    /// (line ends left out) come before it in the block.
    Text {
        chapter: usize,
        span: Span,
        nth: usize,
        before: u32,
    },
    /// In a value of `book.toml`, after `before` characters of it.
    Meta { value: String, before: u32 },
}

/// A character met outside its role's faces.
struct Use {
    c: char,
    role: FaceChoice,
    /// The face used (index into [`Coverage::faces`]).
    face: usize,
    first: Place,
    count: u32,
    /// Order of the first place.
    seq: usize,
}

#[derive(Default)]
struct Found {
    /// Characters no face has, by first place.
    missing: Vec<Use>,
    missing_at: HashMap<char, usize>,
    /// Characters a role's faces lack and the body faces have.
    borrowed: Vec<Use>,
    borrowed_at: HashMap<(char, FaceChoice), usize>,
    seq: usize,
}

impl Found {
    fn block(
        &mut self,
        coverage: &mut Coverage,
        chapter: usize,
        span: Span,
        runs: &[(&str, FaceChoice)],
    ) {
        for (k, &(text, role)) in runs.iter().enumerate() {
            for (offset, c) in text.char_indices() {
                if c.is_whitespace() {
                    continue;
                }
                let place = || {
                    let earlier = runs[..k].iter().map(|(t, _)| *t);
                    let nth = earlier.clone().map(|t| t.matches(c).count()).sum::<usize>()
                        + text[..offset].matches(c).count();
                    let before = earlier
                        .chain(std::iter::once(&text[..offset]))
                        .map(|t| t.chars().filter(|&ch| ch != '\n').count() as u32)
                        .sum();
                    Place::Text {
                        chapter,
                        span,
                        nth,
                        before,
                    }
                };
                self.note(coverage, c, role, place);
            }
        }
    }

    fn meta(&mut self, coverage: &mut Coverage, value: &str, role: FaceChoice) {
        for (offset, c) in value.char_indices() {
            if c.is_whitespace() {
                continue;
            }
            let place = || Place::Meta {
                value: value.to_string(),
                before: value[..offset].chars().count() as u32,
            };
            self.note(coverage, c, role, place);
        }
    }

    fn note(
        &mut self,
        coverage: &mut Coverage,
        c: char,
        role: FaceChoice,
        place: impl FnOnce() -> Place,
    ) {
        let r = role as usize;
        let (list, index) = match coverage.position(c, role) {
            Some(p) if p < coverage.own[r] => return,
            Some(p) => {
                let face = coverage.chains[r][p];
                match self.borrowed_at.get(&(c, role)) {
                    Some(&i) => (&mut self.borrowed, Some(i)),
                    None => {
                        self.borrowed_at.insert((c, role), self.borrowed.len());
                        self.borrowed.push(Use {
                            c,
                            role,
                            face,
                            first: place(),
                            count: 0,
                            seq: self.seq,
                        });
                        self.seq += 1;
                        (&mut self.borrowed, None)
                    }
                }
            }
            None => match self.missing_at.get(&c) {
                Some(&i) => (&mut self.missing, Some(i)),
                None => {
                    self.missing_at.insert(c, self.missing.len());
                    self.missing.push(Use {
                        c,
                        role,
                        face: 0,
                        first: place(),
                        count: 0,
                        seq: self.seq,
                    });
                    self.seq += 1;
                    (&mut self.missing, None)
                }
            },
        };
        let k = index.unwrap_or(list.len() - 1);
        list[k].count += 1;
    }
}

/// Turns places into file, line and column: a character is found in its
/// chapter's source from its block's start (the model keeps where blocks
/// start, not where each character is), and in `book.toml` after the
/// quote of its value.
struct Places<'d> {
    doc: &'d Document,
    sources: HashMap<usize, Option<String>>,
}

impl<'d> Places<'d> {
    fn new(doc: &'d Document) -> Self {
        Places {
            doc,
            sources: HashMap::new(),
        }
    }

    fn locate(&mut self, c: char, place: &Place) -> Location {
        let base = &self.doc.settings.base_dir;
        match place {
            Place::Text {
                chapter,
                span,
                nth,
                before,
            } => {
                let source = self
                    .doc
                    .chapters
                    .get(*chapter)
                    .map_or("", |c| c.source.as_str());
                let path = base.join(source);
                if span.line == 0 {
                    return Location::file(path);
                }
                let text = self
                    .sources
                    .entry(*chapter)
                    .or_insert_with(|| read_text(&path));
                match text
                    .as_deref()
                    .and_then(|t| find_from(t, span.line, span.column, c, *nth))
                {
                    Some((line, column)) => Location::new(path, line, column),
                    // A source that cannot be read again, or that
                    // normalization changed: counted from the block's start.
                    None => Location::new(path, span.line, span.column + before),
                }
            }
            Place::Meta { value, before } => {
                if self.doc.settings.single_article {
                    let source = self.doc.chapters.first().map_or("", |c| c.source.as_str());
                    return Location::file(base.join(source));
                }
                let toml = base.join(crate::config::BOOK_FILE);
                let at = crate::config::locate_value(&toml, value);
                if at.line == 0 {
                    return at;
                }
                Location::new(at.file, at.line, at.column + 1 + before)
            }
        }
    }
}

/// A chapter's source text, when it can be read.
fn read_text(path: &Path) -> Option<String> {
    let mut ignored = Vec::new();
    crate::source::read_source(path, None, &mut ignored)
        .ok()
        .map(|s| s.text)
}

/// The line and column of the `nth` (from 0) `c` in `text` at or after
/// line `line`, column `column`.
fn find_from(text: &str, line: u32, column: u32, c: char, nth: usize) -> Option<(u32, u32)> {
    let mut seen = 0;
    for (k, l) in text
        .split('\n')
        .enumerate()
        .skip(line.saturating_sub(1) as usize)
    {
        let first = k + 1 == line as usize;
        for (col, ch) in l.chars().enumerate() {
            if first && (col as u32 + 1) < column {
                continue;
            }
            if ch == c {
                if seen == nth {
                    return Some((k as u32 + 1, col as u32 + 1));
                }
                seen += 1;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_is_found_from_its_block_start() {
        let text = "甲乙\n# 丙丁甲\n\n甲甲\n";
        assert_eq!(find_from(text, 2, 1, '甲', 0), Some((2, 5)));
        assert_eq!(find_from(text, 2, 1, '甲', 1), Some((4, 1)));
        assert_eq!(find_from(text, 4, 2, '甲', 0), Some((4, 2)));
        assert_eq!(find_from(text, 4, 2, '甲', 1), None);
        assert_eq!(find_from(text, 1, 1, '戊', 0), None);
    }
}
