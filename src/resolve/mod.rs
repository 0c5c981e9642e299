//! Resolving what renderers need from the normalized model, once: where
//! each link goes.
//!
//! A link is either a web address (kept as written) or a place in the
//! book: `#id` of a heading, a chapter's source file (`b.md`), or a
//! heading in it (`b.md#appendix`). Renderers ask [`Links::target`] and
//! never interpret link text themselves.

use std::collections::{HashMap, HashSet};

use crate::model::{Block, Document};

/// Where a link of the book goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LinkTarget {
    /// A web address (`http`, `https`, `mailto`, `ftp`).
    External(String),
    /// A heading of the book (a chapter's title included), by its id.
    Internal(String),
}

/// The link targets of a book: its headings' ids and its chapters'
/// source files.
#[derive(Debug, Clone, Default)]
pub struct Links {
    headings: HashSet<String>,
    /// Chapter source path (relative to the book) to the chapter's id.
    files: HashMap<String, String>,
}

impl Links {
    /// Collects the ids of every heading of `doc` and its chapter files.
    pub fn new(doc: &Document) -> Self {
        let mut links = Links::default();
        for chapter in &doc.chapters {
            links.headings.insert(chapter.id.clone());
            links
                .files
                .insert(chapter.source.clone(), chapter.id.clone());
            collect(&chapter.blocks, &mut links.headings, 0);
        }
        links
    }

    /// Where `url` goes; `None` when it is neither a web address nor a
    /// place in the book.
    pub fn target(&self, url: &str) -> Option<LinkTarget> {
        const SCHEMES: [&str; 4] = ["http://", "https://", "mailto:", "ftp://"];
        if url.contains(char::is_whitespace) {
            return None;
        }
        let lower = url.to_ascii_lowercase();
        if SCHEMES.iter().any(|scheme| lower.starts_with(scheme)) {
            return Some(LinkTarget::External(url.to_string()));
        }
        let (path, fragment) = url.split_once('#').unwrap_or((url, ""));
        let path = path.strip_prefix("./").unwrap_or(path);
        let heading = (!fragment.is_empty() && self.headings.contains(fragment))
            .then(|| fragment.to_string());
        if path.is_empty() {
            return heading.map(LinkTarget::Internal);
        }
        let chapter = self.files.get(path)?;
        Some(LinkTarget::Internal(
            heading.unwrap_or_else(|| chapter.clone()),
        ))
    }
}

/// Heading ids in `blocks`; nesting deeper than quotes and lists of any
/// sensible book is not followed.
fn collect(blocks: &[Block], out: &mut HashSet<String>, depth: usize) {
    if depth > 64 {
        return;
    }
    for block in blocks {
        match block {
            Block::Heading(h) => {
                out.insert(h.id.clone());
            }
            Block::Quote { blocks, .. } => collect(blocks, out, depth + 1),
            Block::List { items, .. } => {
                for item in items {
                    collect(item, out, depth + 1);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links() -> Links {
        let mut links = Links::default();
        links
            .headings
            .extend(["ch01".into(), "ch02".into(), "appendix".into()]);
        links.files.insert("a.md".into(), "ch01".into());
        links.files.insert("b.md".into(), "ch02".into());
        links
    }

    #[test]
    fn targets_are_typed() {
        let l = links();
        let internal = |id: &str| Some(LinkTarget::Internal(id.into()));
        assert_eq!(l.target("#appendix"), internal("appendix"));
        assert_eq!(l.target("b.md#appendix"), internal("appendix"));
        assert_eq!(l.target("./b.md"), internal("ch02"));
        assert_eq!(l.target("b.md#nowhere"), internal("ch02"));
        assert_eq!(
            l.target("https://example.org/a"),
            Some(LinkTarget::External("https://example.org/a".into()))
        );
        assert_eq!(l.target("#nowhere"), None);
        assert_eq!(l.target("c.md"), None);
        assert_eq!(l.target("https://a b"), None);
    }
}
