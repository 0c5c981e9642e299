//! Building the table of contents from the headings of the model.

use super::{Document, TocEntry};

/// Builds the nested table of contents of `doc` down to
/// `doc.settings.toc_depth`.
///
/// In a single-article book the chapter title is the book title, so the
/// article's sections form the top level instead.
pub fn build_toc(doc: &Document) -> Vec<TocEntry> {
    let depth = doc.settings.toc_depth;
    let skip_titles = doc.settings.single_article;
    let mut roots: Vec<TocEntry> = Vec::new();
    for (chapter, heading) in doc.headings() {
        if heading.level > depth || (skip_titles && heading.level == 1) {
            continue;
        }
        let entry = TocEntry {
            level: heading.level,
            title: heading.display_text(),
            chapter,
            id: heading.id.clone(),
            children: Vec::new(),
        };
        insert(&mut roots, entry);
    }
    roots
}

/// Appends `entry` under the last entry of a lower level, or at the top.
fn insert(siblings: &mut Vec<TocEntry>, entry: TocEntry) {
    match siblings.last_mut() {
        Some(last) if last.level < entry.level => insert(&mut last.children, entry),
        _ => siblings.push(entry),
    }
}
