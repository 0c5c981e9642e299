//! PDF page styles: page size, margins, body text and heading sizes, and
//! the book's furniture (title page, contents, running heads, folios).
//!
//! A page style is a small TOML file. The built-in ones live in
//! `styles/pdf/` and are compiled in; `book.toml` names one of them
//! (`[style] pdf = "a5-book"`) or gives a path relative to the book
//! directory. The layout reads only the resolved [`PageStyle`], in points.

use std::path::Path;

use serde::Deserialize;

use crate::diag::{Diagnostic, Failure, Location};

/// Millimetres to PDF points.
pub const MM: f32 = 72.0 / 25.4;

/// The built-in styles: name and TOML text.
pub const BUILTIN: [(&str, &str); 3] = [
    ("a4-report", include_str!("../../styles/pdf/a4-report.toml")),
    ("a5-book", include_str!("../../styles/pdf/a5-book.toml")),
    ("gb9704", include_str!("../../styles/pdf/gb9704.toml")),
];

/// Named page sizes in millimetres (width, height).
pub const PAGE_SIZES: [(&str, f32, f32); 8] = [
    ("A4", 210.0, 297.0),
    ("A5", 148.0, 210.0),
    ("B5", 176.0, 250.0),
    ("B5-ISO", 176.0, 250.0),
    ("B5-JIS", 182.0, 257.0),
    ("16K", 185.0, 260.0),
    ("32K", 130.0, 184.0),
    ("Letter", 215.9, 279.4),
];

/// A page style as written in TOML (millimetres, points, em).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct StyleFile {
    pub page: PageSetup,
    pub body: BodySetup,
    #[serde(default)]
    pub front: FrontSetup,
    pub title: HeadingSetup,
    pub subtitle: HeadingSetup,
    pub h2: HeadingSetup,
    pub h3: HeadingSetup,
    pub h4: HeadingSetup,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PageSetup {
    /// A name from [`PAGE_SIZES`] or `"WxH"` in millimetres.
    pub size: String,
    pub margin_top: f32,
    pub margin_bottom: f32,
    pub margin_inner: f32,
    pub margin_outer: f32,
    #[serde(default)]
    pub chapter_start: ChapterStart,
    /// Bleed on each side, in millimetres.
    #[serde(default)]
    pub bleed: f32,
    #[serde(default)]
    pub running_head: RunningHead,
    #[serde(default)]
    pub folio: FolioPlace,
}

/// The text of the running head (书眉), above the text block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunningHead {
    /// The book title on even pages, the chapter title on odd pages.
    #[default]
    BookChapter,
    /// The chapter title on every page.
    Chapter,
    /// The book title on every page.
    Book,
    None,
}

/// Where the page number (folio) is printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FolioPlace {
    /// Below the text block, centred.
    #[default]
    FootCenter,
    /// Below the text block, at its outer edge (right on odd pages).
    FootOuter,
    /// "— 1 —" below the text block, one character in from its outer
    /// edge (GB/T 9704).
    FootOuterDash,
    None,
}

/// What comes before the first chapter.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FrontSetup {
    #[serde(default)]
    pub title: TitleMatter,
    #[serde(default)]
    pub contents: ContentsMatter,
    /// A copyright page behind the title page, when the book has a
    /// publisher, rights or an ISBN to print on it.
    #[serde(default = "yes")]
    pub imprint: bool,
}

/// How the book's title is presented.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TitleMatter {
    /// A title page for a book of chapters, a title block for a single
    /// article.
    #[default]
    Auto,
    /// A page of its own (and the imprint page behind it).
    Page,
    /// A title block at the head of the first page of the text.
    Block,
}

/// How the table of contents is presented.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContentsMatter {
    /// Pages of their own for a book of chapters, a short list under the
    /// title block for a single article.
    #[default]
    Auto,
    /// Pages of their own, after the title page.
    Pages,
    /// A list on the first page of the text, under the title block.
    Block,
    None,
}

impl Default for FrontSetup {
    fn default() -> Self {
        FrontSetup {
            title: TitleMatter::Auto,
            contents: ContentsMatter::Auto,
            imprint: true,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChapterStart {
    #[default]
    NewPage,
    Recto,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BodySetup {
    /// Body size in points.
    pub size: f32,
    /// Line pitch as a multiple of `size`.
    pub leading: f32,
    /// First-line indent in em.
    #[serde(default = "two")]
    pub indent: f32,
    /// Extra space between paragraphs, in lines.
    #[serde(default)]
    pub paragraph_spacing: f32,
    /// A 1/4 em gap between Han characters and Latin letters or digits.
    #[serde(default = "yes")]
    pub cjk_latin_gap: bool,
    /// clreq strict level: `——` and `……` never start a line either.
    #[serde(default)]
    pub strict: bool,
    /// How wide the punctuation marks are set.
    #[serde(default)]
    pub punctuation: super::punct::Punctuation,
    /// `。，、` at the end of a line hang past the text block.
    #[serde(default)]
    pub hanging: bool,
    /// Every line on a page-wide grid of the body pitch (版心网格).
    #[serde(default)]
    pub grid: bool,
    /// Characters per line: the text block is the width the margins
    /// leave, and this many body characters fill it, set a little closer
    /// or wider (GB/T 9704: 28 characters of 16 pt in 156 mm). Without
    /// it the block is narrowed to whole characters set solid.
    #[serde(default)]
    pub characters: Option<u32>,
    /// The font family the style is designed for (any of these names);
    /// the build says when none is available.
    #[serde(default)]
    pub family: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HeadingSetup {
    /// Size in points.
    pub size: f32,
    #[serde(default)]
    pub face: FaceChoice,
    #[serde(default)]
    pub align: Align,
    /// Space above, in body lines.
    #[serde(default)]
    pub space_before: f32,
    /// Space below, in body lines.
    #[serde(default)]
    pub space_after: f32,
    /// The font family the style is designed for (any of these names).
    #[serde(default)]
    pub family: Vec<String>,
    /// A heading of two or three Han characters alone is letter-spaced
    /// (clreq 2.1.3.1): two characters one em apart, three half an em
    /// ("目　录").
    #[serde(default)]
    pub spread_short: bool,
}

/// Which fallback chain of the book's fonts a text uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaceChoice {
    #[default]
    Body,
    Bold,
    Heading,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Align {
    #[default]
    Left,
    Center,
}

/// A resolved page style, in points.
#[derive(Debug, Clone)]
pub struct PageStyle {
    pub name: String,
    pub width: f32,
    pub height: f32,
    pub bleed: f32,
    /// Text block: left edge on a recto (odd) page, on a verso, top,
    /// width (a whole number of body characters) and height.
    pub left_recto: f32,
    pub left_verso: f32,
    pub top: f32,
    pub text_width: f32,
    pub text_height: f32,
    pub chapter_start: ChapterStart,
    pub running_head: RunningHead,
    pub folio: FolioPlace,
    pub front: FrontSetup,
    /// Top margin and bottom margin, in points.
    pub margin_top: f32,
    pub margin_bottom: f32,
    pub body: BodySetup,
    pub title: HeadingSetup,
    pub subtitle: HeadingSetup,
    pub h2: HeadingSetup,
    pub h3: HeadingSetup,
    pub h4: HeadingSetup,
}

impl PageStyle {
    /// Line pitch of body text in points.
    /// Space added between two CJK characters, in em of their size, so
    /// that `characters` fill the text block (negative: closer); 0
    /// without it.
    pub fn tracking(&self) -> f32 {
        match self.body.characters {
            Some(n) if n > 1 => {
                let n = n as f32;
                (self.text_width - n * self.body.size) / (n - 1.0) / self.body.size
            }
            _ => 0.0,
        }
    }

    pub fn pitch(&self) -> f32 {
        self.body.size * self.body.leading
    }

    /// True when pages are printed on both sides: chapters start on a
    /// recto, or the inner and outer margins differ. The front matter then
    /// takes an even number of pages, so that the text's odd pages are
    /// rectos.
    pub fn two_sided(&self) -> bool {
        self.chapter_start == ChapterStart::Recto
            || (self.left_recto - self.left_verso).abs() > 0.01
    }

    /// Size of running heads and folios: a step below the body size.
    pub fn furniture_size(&self) -> f32 {
        (self.body.size * 0.8 * 2.0).round() / 2.0
    }

    /// The setup for a heading of `level` (1 = chapter title).
    pub fn heading(&self, level: u8) -> &HeadingSetup {
        match level {
            0 | 1 => &self.title,
            2 => &self.h2,
            3 => &self.h3,
            _ => &self.h4,
        }
    }
}

/// Loads a page style by name or path (the file is read while the book
/// is resolved).
pub use crate::resolve::page_style::load_style;

/// Parses and resolves the TOML of a page style; `path` is for messages.
pub fn parse_style(name: &str, text: &str, path: &Path) -> Result<PageStyle, Failure> {
    let file: StyleFile = toml::from_str(text).map_err(|e| {
        if let Some(failure) = missing_key(text, path, e.message().trim()) {
            return failure;
        }
        let (line, column) = e
            .span()
            .map_or((0, 0), |s| crate::config::line_column(text, s.start));
        Failure::new(Diagnostic::error(
            Location::new(path, line, column),
            e.message().trim().to_string(),
        ))
    })?;
    let (width_mm, height_mm) = page_size(&file.page.size).ok_or_else(|| {
        let names: Vec<&str> = PAGE_SIZES.iter().map(|s| s.0).collect();
        if let Some((w, h)) = size_numbers(&file.page.size) {
            return Failure::new(
                Diagnostic::error(
                    key_location(text, path, "page", "size"),
                    format!(
                        "page size `{}` is out of range: width and height must each be from {MIN_PAGE_MM} to {MAX_PAGE_MM} mm, not {w} and {h}",
                        file.page.size
                    ),
                )
                .with_hint(format!(
                    "write the size in millimetres, such as \"170x240\", or use one of {}",
                    names.join(", ")
                )),
            );
        }
        Failure::new(
            Diagnostic::error(
                key_location(text, path, "page", "size"),
                format!("unknown page size `{}`", file.page.size),
            )
            .with_hint(format!(
                "use one of {} or \"WIDTHxHEIGHT\" in millimetres",
                names.join(", ")
            )),
        )
    })?;
    // A print setting that is accepted must work: until bleed is applied
    // to the page boxes, asking for it is an error, not silently ignored.
    if file.page.bleed != 0.0 {
        let location = text
            .lines()
            .enumerate()
            .find(|(_, line)| {
                let line = line.trim_start();
                line.strip_prefix("bleed")
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            })
            .map_or_else(
                || Location::file(path),
                |(index, line)| {
                    let column = line.chars().count() - line.trim_start().chars().count() + 1;
                    Location::new(path, index as u32 + 1, column as u32)
                },
            );
        return Err(Diagnostic::error(
            location,
            format!("bleed = {} is not supported yet", file.page.bleed),
        )
        .with_hint(
            "set `bleed = 0`; inkstone does not yet extend the page for bleed or draw crop marks",
        )
        .into());
    }
    check_ranges(&file, text, path)?;
    let body = &file.body;
    let p = &file.page;
    let width = width_mm * MM;
    let height = height_mm * MM;
    let inner = p.margin_inner * MM;
    let outer = p.margin_outer * MM;
    let available = width - inner - outer;
    // A text block of whole characters: every line of pure CJK text then
    // fills the measure without any spacing (版心宽度为字号的整数倍).
    let chars = match body.characters {
        Some(n) => n as f32,
        None => (available / body.size).floor(),
    };
    if chars < 8.0 {
        return Err(Diagnostic::error(
            key_location(text, path, "page", "margin-inner"),
            format!(
                "the inner and outer margins leave a text block of {} characters per line; it needs at least 8",
                chars.max(0.0)
            ),
        )
        .with_hint("make the margins narrower, the page wider or the body size smaller")
        .into());
    }
    let text_width = match body.characters {
        Some(n) => {
            // Characters closer or wider by a tenth of an em at most.
            let step = available / n as f32;
            if (step - body.size).abs() > 0.1 * body.size {
                return Err(Diagnostic::error(
                    Location::file(path),
                    format!(
                        "{n} characters of {} pt do not fit a text block of {:.1} mm without spacing them by more than a tenth of an em",
                        body.size,
                        available / MM
                    ),
                )
                .with_hint("change `characters` under [body], or the margins")
                .into());
            }
            available
        }
        None => chars * body.size,
    };
    let spare = available - text_width;
    // The spare width goes to both margins in proportion, keeping the
    // inner/outer ratio the style asks for.
    let share = if inner + outer > 0.0 {
        inner / (inner + outer)
    } else {
        0.5
    };
    let left_recto = inner + spare * share;
    let left_verso = outer + spare * (1.0 - share);
    let top = p.margin_top * MM;
    let text_height = height - top - p.margin_bottom * MM;
    if text_height < body.size * body.leading * 4.0 {
        return Err(Diagnostic::error(
            key_location(text, path, "page", "margin-top"),
            "the top and bottom margins leave room for fewer than four lines of text",
        )
        .with_hint("make the margins smaller, the page taller or the body size smaller")
        .into());
    }
    Ok(PageStyle {
        name: name.to_string(),
        width,
        height,
        bleed: p.bleed.max(0.0) * MM,
        left_recto,
        left_verso,
        top,
        text_width,
        text_height,
        chapter_start: p.chapter_start,
        running_head: p.running_head,
        folio: p.folio,
        front: file.front,
        margin_top: top,
        margin_bottom: p.margin_bottom * MM,
        body: file.body.clone(),
        title: file.title,
        subtitle: file.subtitle,
        h2: file.h2,
        h3: file.h3,
        h4: file.h4,
    })
}

/// The ranges a page style's numbers must lie in: table, key, what it is
/// in words, unit, least and greatest value. Past them text would run
/// off the page, overlap or vanish (docs/limits.md).
pub const RANGES: [(&str, &str, &str, &str, f32, f32); 11] = [
    ("page", "margin-top", "the top margin", "mm", 0.0, 100.0),
    (
        "page",
        "margin-bottom",
        "the bottom margin",
        "mm",
        0.0,
        100.0,
    ),
    ("page", "margin-inner", "the inner margin", "mm", 0.0, 100.0),
    ("page", "margin-outer", "the outer margin", "mm", 0.0, 100.0),
    ("body", "size", "the body text size", "pt", 4.0, 72.0),
    (
        "body",
        "leading",
        "the line spacing (a multiple of the size)",
        "",
        1.0,
        4.0,
    ),
    ("body", "indent", "the first-line indent", "em", 0.0, 8.0),
    (
        "body",
        "paragraph-spacing",
        "the space between paragraphs",
        "lines",
        0.0,
        5.0,
    ),
    ("*", "size", "the size of this heading", "pt", 4.0, 72.0),
    (
        "*",
        "space-before",
        "the space above this heading",
        "lines",
        0.0,
        10.0,
    ),
    (
        "*",
        "space-after",
        "the space below this heading",
        "lines",
        0.0,
        10.0,
    ),
];

/// The headings' tables, for the `*` rows of [`RANGES`].
const HEADINGS: [&str; 5] = ["title", "subtitle", "h2", "h3", "h4"];

/// Every number of `file` inside its range, or an error at its key.
fn check_ranges(file: &StyleFile, text: &str, path: &Path) -> Result<(), Failure> {
    let heading = |name: &str| match name {
        "title" => &file.title,
        "subtitle" => &file.subtitle,
        "h2" => &file.h2,
        "h3" => &file.h3,
        _ => &file.h4,
    };
    let mut values: Vec<(&str, &str, f32)> = vec![
        ("page", "margin-top", file.page.margin_top),
        ("page", "margin-bottom", file.page.margin_bottom),
        ("page", "margin-inner", file.page.margin_inner),
        ("page", "margin-outer", file.page.margin_outer),
        ("body", "size", file.body.size),
        ("body", "leading", file.body.leading),
        ("body", "indent", file.body.indent),
        ("body", "paragraph-spacing", file.body.paragraph_spacing),
    ];
    for name in HEADINGS {
        let h = heading(name);
        values.push((name, "size", h.size));
        values.push((name, "space-before", h.space_before));
        values.push((name, "space-after", h.space_after));
    }
    for (table, key, value) in values {
        let Some(&(_, _, what, unit, low, high)) = RANGES
            .iter()
            .find(|r| (r.0 == table || (r.0 == "*" && HEADINGS.contains(&table))) && r.1 == key)
        else {
            continue;
        };
        if (low..=high).contains(&value) {
            continue;
        }
        let what = match table {
            "title" => what.replace("this heading", "the chapter title"),
            "subtitle" => what.replace("this heading", "the subtitle"),
            "h2" | "h3" | "h4" => {
                what.replace("this heading", &format!("level {} headings", &table[1..]))
            }
            _ => what.to_string(),
        };
        let unit = if unit.is_empty() {
            String::new()
        } else {
            format!(" {unit}")
        };
        return Err(Diagnostic::error(
            key_location(text, path, table, key),
            format!(
                "{what} (`{key}` under [{table}]) must be from {low} to {high}{unit}, not {value}"
            ),
        )
        .with_hint(format!("set `{key}` to a value from {low} to {high}"))
        .into());
    }
    Ok(())
}

/// Where `key` of `[table]` is written in the page style `text`; the file
/// alone when it is not written there (a default).
fn key_location(text: &str, path: &Path, table: &str, key: &str) -> Location {
    let Ok(root) = toml::de::DeTable::parse(text) else {
        return Location::file(path);
    };
    let found = root.get_ref().iter().find_map(|(name, value)| {
        if name.get_ref().as_ref() != table {
            return None;
        }
        let toml::de::DeValue::Table(inner) = value.get_ref() else {
            return None;
        };
        inner
            .iter()
            .find(|(name, _)| name.get_ref().as_ref() == key)
            .map(|(name, _)| name.span().start)
    });
    match found {
        Some(offset) => {
            let (line, column) = crate::config::line_column(text, offset);
            Location::new(path, line, column)
        }
        None => Location::file(path),
    }
}

/// For "missing field `size`": the table that lacks the key, at its
/// `[name]` line (serde places the error at the start of the file), or the
/// table itself when it is missing.
fn missing_key(text: &str, path: &Path, message: &str) -> Option<Failure> {
    let key = message.strip_prefix("missing field `")?.strip_suffix('`')?;
    let tables: toml::Table = text.parse().ok()?;
    let lacks = |name: &str| -> bool {
        let Some(value) = tables.get(name) else {
            return false;
        };
        let result = match name {
            "page" => value.clone().try_into::<PageSetup>().err(),
            "body" => value.clone().try_into::<BodySetup>().err(),
            _ => value.clone().try_into::<HeadingSetup>().err(),
        };
        result.is_some_and(|e| e.message().trim() == message)
    };
    let names = ["page", "body", "title", "subtitle", "h2", "h3", "h4"];
    if names.contains(&key) && !tables.contains_key(key) {
        return Some(Failure::new(
            Diagnostic::error(
                Location::file(path),
                format!("the page style has no [{key}] table"),
            )
            .with_hint("copy the table from a built-in style such as styles/pdf/a5-book.toml"),
        ));
    }
    let table = names.into_iter().find(|name| lacks(name))?;
    let location = text
        .lines()
        .position(|line| line.trim() == format!("[{table}]"))
        .map_or_else(
            || Location::file(path),
            |index| Location::new(path, index as u32 + 1, 1),
        );
    Some(Failure::new(
        Diagnostic::error(location, format!("[{table}] has no `{key}`")).with_hint(format!(
            "add `{key} = ...` under [{table}], as in the built-in styles"
        )),
    ))
}

/// The smallest and largest page side a `WxH` size may give, in mm.
const MIN_PAGE_MM: f32 = 50.0;
const MAX_PAGE_MM: f32 = 2000.0;

/// Width and height in millimetres of a named size or `WxH`.
fn page_size(size: &str) -> Option<(f32, f32)> {
    if let Some(&(_, w, h)) = PAGE_SIZES.iter().find(|s| s.0.eq_ignore_ascii_case(size)) {
        return Some((w, h));
    }
    let (w, h) = size_numbers(size)?;
    let fits = |side: f32| (MIN_PAGE_MM..=MAX_PAGE_MM).contains(&side);
    (fits(w) && fits(h)).then_some((w, h))
}

/// The two numbers of a `WxH` size, in or out of range.
fn size_numbers(size: &str) -> Option<(f32, f32)> {
    let (w, h) = size.split_once(['x', 'X', '×'])?;
    let w: f32 = w.trim().parse().ok()?;
    let h: f32 = h.trim().parse().ok()?;
    Some((w, h))
}

fn two() -> f32 {
    2.0
}

fn yes() -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_styles_parse_and_fit_whole_characters() {
        for (name, _) in BUILTIN {
            let style = load_style(name, Path::new(".")).unwrap();
            // Whole characters with their tracking: n of them fill the
            // block exactly.
            let step = style.body.size * (1.0 + style.tracking());
            let chars = (style.text_width + step - style.body.size) / step;
            assert!((chars - chars.round()).abs() < 1e-3, "{name}: {chars}");
            assert!(style.left_recto > 30.0 && style.left_verso > 30.0);
        }
    }

    #[test]
    fn gb9704_sets_28_characters_in_the_standards_156_mm() {
        let style = load_style("gb9704", Path::new(".")).unwrap();
        assert!((style.text_width / MM - 156.0).abs() < 0.01);
        let step = style.body.size * (1.0 + style.tracking());
        assert!((27.0 * step + style.body.size - style.text_width).abs() < 0.01);
        // A count that would space the characters by more than a tenth
        // of an em is refused.
        let text = BUILTIN
            .iter()
            .find(|(n, _)| *n == "gb9704")
            .map(|(_, t)| t.replace("characters = 28", "characters = 24"))
            .unwrap();
        let err = parse_style("x", &text, Path::new("x.toml")).unwrap_err();
        assert!(err.to_string().contains("24 characters"), "{err}");
    }

    #[test]
    fn sizes_by_name_and_by_millimetres() {
        assert_eq!(page_size("16K"), Some((185.0, 260.0)));
        assert_eq!(page_size("32k"), Some((130.0, 184.0)));
        assert_eq!(page_size("B5-JIS"), Some((182.0, 257.0)));
        assert_eq!(page_size("170x240"), Some((170.0, 240.0)));
        assert_eq!(page_size("A3"), None);
    }

    #[test]
    fn unknown_key_is_located() {
        let text = BUILTIN[0].1.replace("leading =", "leadin =");
        let err = parse_style("x", &text, Path::new("x.toml")).unwrap_err();
        assert!(err.diagnostics[0].location.as_ref().unwrap().line > 0);
    }
}
