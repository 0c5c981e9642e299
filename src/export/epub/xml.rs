//! The XML writer behind every document in the EPUB.
//!
//! All text and attribute values go through here: characters that XML 1.0
//! does not allow are dropped (and counted, so the caller can warn where
//! they came from), everything else is escaped by quick-xml. While writing
//! XHTML it also notes which characters each font face will draw, so the
//! fonts can be subset without a second pass over the book.

use std::borrow::Cow;
use std::collections::BTreeSet;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

/// The characters the book shows, by the face that draws them.
///
/// `body` has every character written (the contents page shows heading
/// text in the body face, and a reader's own stylesheet may move text
/// between faces); `heading` and `bold` only those inside headings and
/// inside `strong` or table headers.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UsedChars {
    pub body: CharSet,
    pub bold: CharSet,
    pub heading: CharSet,
}

impl UsedChars {
    pub fn merge(&mut self, other: &UsedChars) {
        self.body.extend(&other.body);
        self.bold.extend(&other.bold);
        self.heading.extend(&other.heading);
    }
}

/// A set of characters, cheap to fill one character at a time and to
/// merge: a bit for each character of the Basic Multilingual Plane (where
/// nearly all text is), a sorted set for the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharSet {
    bmp: Box<[u64; 1024]>,
    astral: BTreeSet<char>,
}

impl Default for CharSet {
    fn default() -> Self {
        CharSet {
            bmp: Box::new([0; 1024]),
            astral: BTreeSet::new(),
        }
    }
}

impl CharSet {
    pub fn insert(&mut self, c: char) {
        let code = c as usize;
        match self.bmp.get_mut(code / 64) {
            Some(word) => *word |= 1 << (code % 64),
            None => {
                self.astral.insert(c);
            }
        }
    }

    pub fn extend(&mut self, other: &CharSet) {
        for (word, other) in self.bmp.iter_mut().zip(other.bmp.iter()) {
            *word |= other;
        }
        self.astral.extend(&other.astral);
    }

    /// The characters in code point order.
    pub fn iter(&self) -> impl Iterator<Item = char> + '_ {
        let bmp = self.bmp.iter().enumerate().flat_map(|(i, &word)| {
            (0..64)
                .filter(move |bit| word & (1 << bit) != 0)
                .filter_map(move |bit| char::from_u32((i * 64 + bit) as u32))
        });
        bmp.chain(self.astral.iter().copied())
    }
}

impl FromIterator<char> for CharSet {
    fn from_iter<I: IntoIterator<Item = char>>(iter: I) -> Self {
        let mut set = CharSet::default();
        for c in iter {
            set.insert(c);
        }
        set
    }
}

/// A writer for one XML document in memory.
pub struct Xml {
    writer: Writer<Vec<u8>>,
    chars: UsedChars,
    heading_depth: u32,
    bold_depth: u32,
    dropped: usize,
}

impl Default for Xml {
    fn default() -> Self {
        Xml::new()
    }
}

impl Xml {
    /// Starts a document with its XML declaration.
    pub fn new() -> Self {
        let mut xml = Xml {
            writer: Writer::new(Vec::new()),
            chars: UsedChars::default(),
            heading_depth: 0,
            bold_depth: 0,
            dropped: 0,
        };
        xml.emit(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        xml.newline();
        xml
    }

    /// Writes `<!DOCTYPE html>`.
    pub fn doctype_html(&mut self) {
        self.emit(Event::DocType(BytesText::from_escaped("html")));
        self.newline();
    }

    pub fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let tag = self.tag(name, attrs);
        self.emit(Event::Start(tag));
        match face_of(name) {
            Some(Face::Heading) => self.heading_depth += 1,
            Some(Face::Bold) => self.bold_depth += 1,
            None => {}
        }
    }

    pub fn end(&mut self, name: &str) {
        self.emit(Event::End(BytesEnd::new(name)));
        match face_of(name) {
            Some(Face::Heading) => self.heading_depth -= 1,
            Some(Face::Bold) => self.bold_depth -= 1,
            None => {}
        }
    }

    /// Writes an element without content (`<br/>`, `<img .../>`).
    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let tag = self.tag(name, attrs);
        self.emit(Event::Empty(tag));
    }

    /// Writes an element holding only text.
    pub fn element(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.start(name, attrs);
        self.text(text);
        self.end(name);
    }

    /// Writes escaped text and notes its characters.
    pub fn text(&mut self, text: &str) {
        let text = self.clean(text);
        for c in text.chars() {
            self.chars.body.insert(c);
            if self.heading_depth > 0 {
                self.chars.heading.insert(c);
            } else if self.bold_depth > 0 {
                self.chars.bold.insert(c);
            }
        }
        self.emit(Event::Text(BytesText::new(&text)));
    }

    /// A line break between elements where whitespace does not matter, so
    /// the files read well when unpacked.
    pub fn newline(&mut self) {
        self.emit(Event::Text(BytesText::from_escaped("\n")));
    }

    /// How many characters were dropped since the last call.
    pub fn take_dropped(&mut self) -> usize {
        std::mem::take(&mut self.dropped)
    }

    pub fn finish(self) -> (Vec<u8>, UsedChars) {
        (self.writer.into_inner(), self.chars)
    }

    fn tag<'a>(&mut self, name: &'a str, attrs: &[(&str, &str)]) -> BytesStart<'a> {
        let mut tag = BytesStart::new(name);
        for &(key, value) in attrs {
            let value = self.clean(value);
            tag.push_attribute((key, value.as_ref()));
        }
        tag
    }

    fn clean<'t>(&mut self, text: &'t str) -> Cow<'t, str> {
        let clean = xml_safe(text);
        if let Cow::Owned(kept) = &clean {
            self.dropped += text.chars().count() - kept.chars().count();
        }
        clean
    }

    fn emit<'a>(&mut self, event: Event<'a>) {
        // The writer's sink is a Vec<u8>, whose `write` never fails.
        self.writer
            .write_event(event)
            .expect("writing XML into memory cannot fail");
    }
}

enum Face {
    Heading,
    Bold,
}

/// The face an element switches to in the default styles.
fn face_of(name: &str) -> Option<Face> {
    match name {
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Some(Face::Heading),
        "strong" | "b" | "th" => Some(Face::Bold),
        _ => None,
    }
}

/// `text` without the characters that XML 1.0 does not allow (C0 controls
/// other than tab and newline, U+FFFE, U+FFFF) nor those HTML forbids in
/// text (DEL, the C1 controls and the other noncharacters).
pub fn xml_safe(text: &str) -> Cow<'_, str> {
    if text.chars().all(is_allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|&c| is_allowed(c)).collect())
    }
}

fn is_allowed(c: char) -> bool {
    let noncharacter = matches!(c, '\u{FDD0}'..='\u{FDEF}') || (c as u32 & 0xFFFE) == 0xFFFE;
    (!c.is_control() || c == '\t' || c == '\n') && !noncharacter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_characters_xml_does_not_allow() {
        assert_eq!(
            xml_safe("a\u{0}b\u{1F}c\td\ne\u{FFFE}\u{FFFF}f\r"),
            "abc\td\nef"
        );
        assert!(matches!(xml_safe("正文，<&>"), Cow::Borrowed(_)));
    }

    #[test]
    fn escapes_markup_and_counts_dropped_characters() {
        let mut xml = Xml::new();
        xml.element("p", &[("title", "a\"b\u{7}")], "x < y && ]]> z\u{8}");
        assert_eq!(xml.take_dropped(), 2);
        assert_eq!(xml.take_dropped(), 0);
        let (bytes, chars) = xml.finish();
        let out = String::from_utf8(bytes).unwrap();
        assert!(out.ends_with("<p title=\"a&quot;b\">x &lt; y &amp;&amp; ]]&gt; z</p>"));
        assert_eq!(chars.body.iter().collect::<String>(), " &<>]xyz");
    }

    #[test]
    fn notes_characters_by_face() {
        let mut xml = Xml::new();
        xml.element("h2", &[], "标题");
        xml.start("p", &[]);
        xml.text("正文");
        xml.element("strong", &[], "重");
        xml.end("p");
        let (_, chars) = xml.finish();
        let text = |set: &CharSet| set.iter().collect::<String>();
        assert_eq!(text(&chars.heading), "标题");
        assert_eq!(text(&chars.bold), "重");
        assert_eq!(text(&chars.body), "文标正重题");
    }
}
