//! Typesetting: the model laid out into pages with the Chinese layout
//! rules of `TYPOGRAPHY.md` (clreq), giving a [`PagedBook`] that every
//! paged exporter (PDF, page images) reads. Nothing here knows an output
//! format.
//!
//! Steps, each in its own module:
//! 1. [`style`]: the page style (TOML) gives page size, margins and sizes
//!    (loaded by `crate::resolve`).
//! 2. [`shape`]: the book's faces are parsed once; each character gets a
//!    face from its fallback chain; runs are shaped with rustybuzz.
//! 3. [`inline`] and [`linebreak`]: a paragraph becomes atoms and
//!    junctions; a total-fit breaker chooses its lines under the clreq
//!    prohibitions, compressing punctuation before pushing characters out;
//!    [`punct`] applies the punctuation style (全角, 开明, 半角) and
//!    hanging punctuation; [`families`] reports the faces a style asks
//!    for that the book lacks.
//! 4. [`justify`]: glyph positions of each line.
//! 5. [`layout`]: each chapter (in parallel) becomes a flow of lines, rows
//!    and figures; a chapter's body paragraphs are shaped and broken in
//!    parallel first, then set in order.
//! 6. [`paginate`]: flows are cut into pages (widows, orphans, headings,
//!    footnotes, recto chapter starts) into a [`Layout`]; with a grid
//!    style, [`grid`] puts body lines on one grid first.
//! 7. [`front`]: the title page, the imprint page and the contents are
//!    set and put before the text (or the title and contents head its
//!    first page).
//! 8. [`running`]: pages are numbered (roman, then arabic), the contents
//!    gets its page numbers, and running heads and folios are added.
//! 9. [`complete`]: every character of the model is checked to be on a
//!    page; a block that lost text fails the build.
//!
//! The exporters in `crate::export` take it from there.
//!
//! Generated labels are part of the text: list items read `•` or `1.`,
//! and a footnote reference and its note start with `①`, `②`, ...

pub mod complete;
pub mod families;
pub mod front;
pub mod grid;
pub mod inline;
pub mod justify;
pub mod layout;
pub mod linebreak;
pub mod paginate;
pub mod punct;
pub mod ruby;
pub mod running;
pub mod shape;
pub mod style;

use std::sync::atomic::Ordering;

use rayon::prelude::*;

use crate::diag::{Diagnostic, Failure, Severity};
use crate::fonts::FontSet;
use crate::model::Document;

pub use paginate::{HeadingPlace, Layout, PageLayout, PageNumber, PageRole};

/// The laid-out book, the one thing paged exporters read.
///
/// - [`Layout::pages`]: each page's [`PageRole`], [`PageNumber`] (its
///   label: roman in the front matter) and items, positioned in points
///   from the page's top-left corner ([`layout::Item`]): lines of glyphs
///   (face id into [`Layout::faces`], glyph id, size, position, advance
///   and the source text each glyph stands for), rules, leader dots,
///   emphasis dots, images ([`layout::ImageData`]: format, pixel size,
///   bytes), link areas with typed targets ([`layout::LinkTarget`]) and
///   anchors. Items with no tag, and lines of kind
///   [`layout::LineKind::Head`] and [`layout::LineKind::Folio`], are page
///   furniture.
/// - [`Layout::tags`]: the logical structure (title, headings by level,
///   paragraphs, lists, quotes, notes, figures, contents) whose leaves
///   are the `tag` numbers of the items.
/// - [`Layout::headings`]: where each heading landed (page and height),
///   from which the outline and internal links are made;
///   [`Layout::outline`] is the tree of the contents.
/// - [`Layout::faces`]: the fonts the glyph runs refer to.
pub type PagedBook = Layout;

/// Options of a typesetting run that do not come from the book.
#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    /// Characters that no font has are warnings instead of errors (see
    /// `crate::resolve::glyphs`); the PDF draws a box for them.
    pub allow_missing_glyphs: bool,
    /// Characters no font has and their first places, as
    /// `crate::resolve::glyphs` found them (for a PDF standard's refusal).
    pub missing_glyphs: Vec<(char, crate::diag::Location)>,
    /// PDF/A and PDF/UA to conform to (see [`crate::standard`]).
    pub standard: crate::standard::PdfStandard,
    /// Files attached with relationship `Source` (PDF/A-3).
    pub attachments: Vec<crate::standard::Attachment>,
    /// Counters a progress display reads while the layout runs.
    pub progress: Option<std::sync::Arc<LayoutProgress>>,
}

/// How far a layout has come: chapters laid out, then pages.
#[derive(Debug, Default)]
pub struct LayoutProgress {
    pub chapters: std::sync::atomic::AtomicUsize,
    pub pages: std::sync::atomic::AtomicUsize,
}

/// Lays out `doc` without writing it: pages, lines with their glyph
/// positions, and where each heading landed.
pub fn layout_document(
    doc: &Document,
    fonts: &FontSet,
    options: &PdfOptions,
) -> Result<(Layout, Vec<Diagnostic>), Failure> {
    let resolved = crate::resolve::resolve(doc)?;
    layout_resolved(doc, fonts, options, &resolved)
}

/// [`layout_document`] with what was resolved of `doc` already.
pub fn layout_resolved(
    doc: &Document,
    fonts: &FontSet,
    options: &PdfOptions,
    resolved: &crate::resolve::Resolved,
) -> Result<(Layout, Vec<Diagnostic>), Failure> {
    // The laid-out book is handed over, not copied: a long book has
    // hundreds of thousands of positioned glyphs.
    layout_then(
        doc,
        fonts,
        options,
        resolved,
        true,
        |layout, _, diagnostics| Ok((layout, diagnostics)),
    )
}

/// [`layout_resolved`] without the last check that every character of
/// the model reached a page: the caller runs [`complete::check`] (for
/// instance beside writing the pages) and fails the book on any error
/// it returns.
pub fn layout_resolved_unchecked(
    doc: &Document,
    fonts: &FontSet,
    options: &PdfOptions,
    resolved: &crate::resolve::Resolved,
) -> Result<(Layout, Vec<Diagnostic>), Failure> {
    layout_then(
        doc,
        fonts,
        options,
        resolved,
        false,
        |layout, _, diagnostics| Ok((layout, diagnostics)),
    )
}

/// Lays out `doc` and hands the layout, with the faces it is set in, to
/// `then` (which writes it: as PDF, or as OFD).
pub fn with_layout<T>(
    doc: &Document,
    fonts: &FontSet,
    options: &PdfOptions,
    then: impl FnOnce(&Layout, &shape::FontBook<'_>, Vec<Diagnostic>) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let resolved = crate::resolve::resolve(doc)?;
    with_resolved_layout(doc, fonts, options, &resolved, then)
}

/// [`with_layout`] with what was resolved of `doc` already.
pub fn with_resolved_layout<T>(
    doc: &Document,
    fonts: &FontSet,
    options: &PdfOptions,
    resolved: &crate::resolve::Resolved,
    then: impl FnOnce(&Layout, &shape::FontBook<'_>, Vec<Diagnostic>) -> Result<T, Failure>,
) -> Result<T, Failure> {
    layout_then(
        doc,
        fonts,
        options,
        resolved,
        true,
        |layout, book, diagnostics| then(&layout, book, diagnostics),
    )
}

/// [`with_resolved_layout`], handing `then` the layout itself; with
/// `check`, the layout is checked to hold all the text first.
fn layout_then<T>(
    doc: &Document,
    fonts: &FontSet,
    options: &PdfOptions,
    resolved: &crate::resolve::Resolved,
    check: bool,
    then: impl FnOnce(Layout, &shape::FontBook<'_>, Vec<Diagnostic>) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let style = &resolved.style;
    let wanted = families::report(style, fonts);
    let then = move |layout: Layout, book: &shape::FontBook<'_>, mut d: Vec<Diagnostic>| {
        d.splice(0..0, wanted);
        then(layout, book, d)
    };
    let unreadable = || failure("a font of the book cannot be read".into());
    // Which face draws each character was decided before (see
    // `crate::resolve::glyphs`, which also chose the system faces, if
    // any, and reported characters no face has): a character no face has
    // is drawn as the font's missing-glyph box.
    let book = shape::FontBook::new(fonts, &fonts.fallback).ok_or_else(unreadable)?;
    run_layout(doc, resolved, &book, style, options, check, then)
}

fn run_layout<T>(
    doc: &Document,
    resolved: &crate::resolve::Resolved,
    book: &shape::FontBook<'_>,
    style: &style::PageStyle,
    options: &PdfOptions,
    check: bool,
    then: impl FnOnce(Layout, &shape::FontBook<'_>, Vec<Diagnostic>) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let plan = front::FrontPlan::new(doc, style);
    let opening = plan.opening(doc);
    let flows: Vec<paginate::Paginated> = doc
        .chapters
        .par_iter()
        .enumerate()
        .map(|(index, chapter)| {
            layout::Layouter::new(book, style, index, &doc.settings.base_dir, &chapter.source)
                .with_resolved(resolved)
                .run(chapter, if index == 0 { opening.as_ref() } else { None })
        })
        .map(|flow| paginate::paginate_flow(flow, style))
        .inspect(|_| {
            if let Some(progress) = &options.progress {
                progress.chapters.fetch_add(1, Ordering::Relaxed);
            }
        })
        .collect();
    let mut diagnostics = resolved.diagnostics.clone();
    for flow in &flows {
        diagnostics.extend(flow.diagnostics().iter().cloned());
    }
    let text = paginate::assemble(flows, style);
    let (mut layout, front_diagnostics) =
        front::prepend(doc, book, style, plan, text, resolved.date);
    diagnostics.extend(front_diagnostics);
    // Metadata is printed on both the title and the imprint page: a
    // character missing from it is reported once.
    let mut seen = std::collections::HashSet::new();
    diagnostics.retain(|d| seen.insert(d.to_string()));
    running::finish(&mut layout, doc, book, style);
    // Text lost on the way is an error, never a PDF without it (a book
    // that already failed may have left text unset on purpose).
    if check && !diagnostics.iter().any(Diagnostic::is_error) {
        diagnostics.extend(complete::check(doc, &layout));
    }
    if let Some(progress) = &options.progress {
        progress.pages.store(layout.pages.len(), Ordering::Relaxed);
    }
    layout.faces = book.faces.iter().map(|f| f.source.clone()).collect();
    layout.outline = doc.toc.clone();
    layout.created = resolved.created;
    layout.metadata = Some(Box::new(doc.metadata.clone()));
    layout.sources = doc
        .chapters
        .iter()
        .map(|c| doc.settings.base_dir.join(&c.source))
        .collect();
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(Failure { diagnostics });
    }
    then(layout, book, diagnostics)
}

fn failure(message: String) -> Failure {
    Failure::new(Diagnostic::new(Severity::Error, None, message))
}
