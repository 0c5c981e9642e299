//! The package document (OPF) and `META-INF/container.xml`.
//!
//! The package says what the book is (Dublin Core and accessibility
//! metadata), what files it has (manifest) and in which order they are
//! read (spine).

use std::borrow::Cow;

use crate::model::Document;

use super::xml::Xml;
use super::{Labels, NCX_FILE, PACKAGE_DIR, PACKAGE_FILE};

/// A file of the publication, as listed in the manifest.
pub struct Item<'a> {
    /// Path relative to the package document.
    pub href: String,
    pub media_type: &'static str,
    pub properties: Option<&'static str>,
    /// Read in the spine, in manifest order.
    pub in_spine: bool,
    pub data: Cow<'a, [u8]>,
}

impl<'a> Item<'a> {
    pub fn new(
        href: impl Into<String>,
        media_type: &'static str,
        data: impl Into<Cow<'a, [u8]>>,
    ) -> Self {
        Item {
            href: href.into(),
            media_type,
            properties: None,
            in_spine: false,
            data: data.into(),
        }
    }

    /// An XHTML page in the spine.
    pub fn page(href: impl Into<String>, data: Vec<u8>) -> Self {
        Item {
            in_spine: true,
            ..Item::new(href, "application/xhtml+xml", data)
        }
    }

    pub fn with_properties(self, properties: &'static str) -> Self {
        Item {
            properties: Some(properties),
            ..self
        }
    }

    /// The manifest id, from the path: `css/default.css` is `css-default`.
    pub fn id(&self) -> String {
        let stem = self
            .href
            .rsplit_once('.')
            .map_or(self.href.as_str(), |(stem, _)| stem);
        stem.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect()
    }
}

/// What the package says about the book beyond the model.
pub struct PackageInfo<'a> {
    /// The book's date, if it has one in a form `dc:date` takes.
    pub date: Option<&'a str>,
    pub modified: &'a str,
    pub labels: &'static Labels,
    /// The book has images (so it is not text only).
    pub has_images: bool,
    /// Every image has a text alternative.
    pub all_images_described: bool,
    /// Item id of the cover image, if there is one.
    pub cover_image: Option<&'a str>,
}

/// Writes `META-INF/container.xml`, which points at the package document.
pub fn write_container() -> Vec<u8> {
    let mut xml = Xml::new();
    xml.start(
        "container",
        &[
            ("version", "1.0"),
            ("xmlns", "urn:oasis:names:tc:opendocument:xmlns:container"),
        ],
    );
    xml.newline();
    xml.start("rootfiles", &[]);
    xml.newline();
    let full_path = format!("{PACKAGE_DIR}/{PACKAGE_FILE}");
    xml.empty(
        "rootfile",
        &[
            ("full-path", &full_path),
            ("media-type", "application/oebps-package+xml"),
        ],
    );
    xml.newline();
    xml.end("rootfiles");
    xml.newline();
    xml.end("container");
    xml.newline();
    xml.finish().0
}

/// Writes the package document.
pub fn write_opf(doc: &Document, items: &[Item], info: &PackageInfo) -> Vec<u8> {
    let meta = &doc.metadata;
    let mut xml = Xml::new();
    xml.start(
        "package",
        &[
            ("xmlns", "http://www.idpf.org/2007/opf"),
            ("version", "3.0"),
            ("unique-identifier", "book-id"),
            ("xml:lang", &meta.language),
        ],
    );
    xml.newline();
    xml.start(
        "metadata",
        &[("xmlns:dc", "http://purl.org/dc/elements/1.1/")],
    );
    let line = |xml: &mut Xml, name: &str, attrs: &[(&str, &str)], text: &str| {
        xml.newline();
        xml.element(name, attrs, text);
    };
    line(
        &mut xml,
        "dc:identifier",
        &[("id", "book-id")],
        &meta.identifier,
    );
    line(&mut xml, "dc:title", &[("id", "title")], &meta.title);
    line(
        &mut xml,
        "meta",
        &[("refines", "#title"), ("property", "title-type")],
        "main",
    );
    if let Some(subtitle) = &meta.subtitle {
        line(&mut xml, "dc:title", &[("id", "subtitle")], subtitle);
        line(
            &mut xml,
            "meta",
            &[("refines", "#subtitle"), ("property", "title-type")],
            "subtitle",
        );
    }
    for (i, author) in meta.authors.iter().enumerate() {
        let id = format!("creator-{}", i + 1);
        let refines = format!("#{id}");
        line(&mut xml, "dc:creator", &[("id", &id)], author);
        line(
            &mut xml,
            "meta",
            &[
                ("refines", &refines),
                ("property", "role"),
                ("scheme", "marc:relators"),
            ],
            "aut",
        );
    }
    if let Some(publisher) = &meta.publisher {
        line(&mut xml, "dc:publisher", &[], publisher);
    }
    line(&mut xml, "dc:language", &[], &meta.language);
    if let Some(date) = info.date {
        line(&mut xml, "dc:date", &[], date);
    }
    if let Some(description) = &meta.description {
        line(&mut xml, "dc:description", &[], description);
    }
    for keyword in &meta.keywords {
        line(&mut xml, "dc:subject", &[], keyword);
    }
    if let Some(rights) = &meta.rights {
        line(&mut xml, "dc:rights", &[], rights);
    }
    line(
        &mut xml,
        "meta",
        &[("property", "dcterms:modified")],
        info.modified,
    );

    // EPUB Accessibility 1.1: how the book can be read, what helps, what
    // could harm.
    let property = |name: &'static str| [("property", name)];
    line(&mut xml, "meta", &property("schema:accessMode"), "textual");
    if info.has_images {
        line(&mut xml, "meta", &property("schema:accessMode"), "visual");
    }
    if !info.has_images || info.all_images_described {
        line(
            &mut xml,
            "meta",
            &property("schema:accessModeSufficient"),
            "textual",
        );
    }
    if info.has_images {
        line(
            &mut xml,
            "meta",
            &property("schema:accessModeSufficient"),
            "textual,visual",
        );
    }
    let mut features = vec!["tableOfContents", "readingOrder", "structuralNavigation"];
    if info.has_images && info.all_images_described {
        features.push("alternativeText");
    }
    for feature in features {
        line(
            &mut xml,
            "meta",
            &property("schema:accessibilityFeature"),
            feature,
        );
    }
    line(
        &mut xml,
        "meta",
        &property("schema:accessibilityHazard"),
        "none",
    );
    line(
        &mut xml,
        "meta",
        &property("schema:accessibilitySummary"),
        info.labels.summary,
    );
    if let Some(cover) = info.cover_image {
        // For EPUB 2 reading systems, which do not read `cover-image`.
        xml.newline();
        xml.empty("meta", &[("name", "cover"), ("content", cover)]);
    }
    xml.newline();
    xml.end("metadata");
    xml.newline();

    xml.start("manifest", &[]);
    for item in items {
        xml.newline();
        let id = item.id();
        let mut attrs = vec![
            ("id", id.as_str()),
            ("href", item.href.as_str()),
            ("media-type", item.media_type),
        ];
        if let Some(properties) = item.properties {
            attrs.push(("properties", properties));
        }
        xml.empty("item", &attrs);
    }
    xml.newline();
    xml.end("manifest");
    xml.newline();

    let ncx = items
        .iter()
        .find(|item| item.href == NCX_FILE)
        .map(Item::id)
        .unwrap_or_default();
    let mut spine = vec![("toc", ncx.as_str())];
    if doc.settings.vertical {
        spine.push(("page-progression-direction", "rtl"));
    }
    xml.start("spine", &spine);
    for item in items.iter().filter(|item| item.in_spine) {
        xml.newline();
        xml.empty("itemref", &[("idref", &item.id())]);
    }
    xml.newline();
    xml.end("spine");
    xml.newline();
    xml.end("package");
    xml.newline();
    xml.finish().0
}
