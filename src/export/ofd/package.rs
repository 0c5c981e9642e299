//! The OFD package writer: OFD-level types in, a deterministic zip out.
//!
//! Knows nothing of the book or its layout. Positions are in millimetres
//! from the top-left corner of the page, the unit and orientation of OFD
//! (GB/T 33190-2016). Every identifier is numbered here, in a fixed order
//! (fonts, images, pages, then the objects of each page), so the same
//! input always gives the same bytes.

use std::io::{Cursor, Write};

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// The namespace of every OFD element.
pub const NAMESPACE: &str = "http://www.ofdspec.org/2016";
/// The document's folder inside the package.
pub const DOC_DIR: &str = "Doc_0";
/// The resource folder inside the document's folder.
pub const RES_DIR: &str = "Res";

/// Everything written into `OFD.xml`'s `DocInfo`.
#[derive(Debug, Clone, Default)]
pub struct DocInfo {
    /// 32 hexadecimal digits.
    pub doc_id: String,
    pub title: String,
    pub author: Option<String>,
    pub subject: Option<String>,
    pub abstract_: Option<String>,
    /// `YYYY-MM-DD`.
    pub creation_date: Option<String>,
    pub keywords: Vec<String>,
    pub creator: String,
    pub creator_version: String,
    /// `CustomData` entries: name and value, in order.
    pub custom: Vec<(String, String)>,
}

/// A font resource. `file` is `None` for a font that is only named (not
/// embedded).
#[derive(Debug, Clone)]
pub struct FontRes {
    pub font_name: String,
    pub family_name: String,
    pub bold: bool,
    pub serif: bool,
    /// File name (inside `Res/`) and bytes of the embedded subset.
    pub file: Option<(String, Vec<u8>)>,
}

/// An image resource.
#[derive(Debug, Clone)]
pub struct ImageRes {
    /// `PNG` or `JPEG`.
    pub format: &'static str,
    /// File name inside `Res/`.
    pub file: String,
    pub data: Vec<u8>,
}

/// Where an action goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A place: page index (0-based), left and top in millimetres.
    Goto { page: usize, left: f32, top: f32 },
    /// An address outside the document.
    Uri(String),
}

/// Text in one font and size on one baseline.
#[derive(Debug, Clone)]
pub struct TextObject {
    /// Index into [`Package::fonts`].
    pub font: usize,
    pub size: f32,
    /// The baseline.
    pub baseline: f32,
    /// The characters shown, exactly.
    pub text: String,
    /// The x of each character of `text`, in order.
    pub xs: Vec<f32>,
    /// The width from the first character's x to the end of the last.
    pub width: f32,
    pub action: Option<Action>,
}

/// One step of a path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PathOp {
    Move(f32, f32),
    Line(f32, f32),
    Cubic(f32, f32, f32, f32, f32, f32),
    Close,
}

/// A stroked or filled path.
#[derive(Debug, Clone)]
pub struct PathObject {
    pub ops: Vec<PathOp>,
    /// Stroke width; `None` for no stroke.
    pub stroke: Option<f32>,
    pub fill: bool,
}

/// An image placed in a rectangle.
#[derive(Debug, Clone)]
pub struct ImageObject {
    /// Index into [`Package::images`].
    pub image: usize,
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

#[derive(Debug, Clone)]
pub enum Object {
    Text(TextObject),
    Path(PathObject),
    Image(ImageObject),
}

#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The page's content, drawn in order.
    pub objects: Vec<Object>,
}

/// An outline entry.
#[derive(Debug, Clone)]
pub struct OutlineItem {
    pub title: String,
    pub dest: Action,
    pub children: Vec<OutlineItem>,
}

/// A whole OFD document.
#[derive(Debug, Clone, Default)]
pub struct Package {
    pub info: DocInfo,
    /// Page size in millimetres (all pages).
    pub width: f32,
    pub height: f32,
    pub fonts: Vec<FontRes>,
    pub images: Vec<ImageRes>,
    pub pages: Vec<Page>,
    pub outline: Vec<OutlineItem>,
}

/// Deepest outline level written; deeper entries are left out (headings
/// have at most six levels).
const MAX_OUTLINE_DEPTH: usize = 16;

/// Writes `package` as the bytes of an `.ofd` file. `zip_time` is the
/// timestamp of every entry (`None`: the zip format's earliest).
pub fn write_package(
    package: &Package,
    zip_time: Option<zip::DateTime>,
) -> zip::result::ZipResult<Vec<u8>> {
    // Identifiers: fonts, images, pages, then each page's objects.
    let mut next_id = 1u32;
    let mut take = || {
        let id = next_id;
        next_id += 1;
        id
    };
    let font_ids: Vec<u32> = package.fonts.iter().map(|_| take()).collect();
    let image_ids: Vec<u32> = package.images.iter().map(|_| take()).collect();
    let page_ids: Vec<u32> = package.pages.iter().map(|_| take()).collect();
    let mut contents = Vec::with_capacity(package.pages.len());
    for page in &package.pages {
        let ids = Ids {
            fonts: &font_ids,
            images: &image_ids,
            pages: &page_ids,
        };
        contents.push(page_xml(page, &ids, &mut take));
    }
    let max_id = take() - 1;

    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(zip_time.unwrap_or_default())
        .unix_permissions(0o644);
    let stored = options.compression_method(CompressionMethod::Stored);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("OFD.xml", options)?;
    zip.write_all(&ofd_xml(&package.info))?;
    zip.start_file(format!("{DOC_DIR}/Document.xml"), options)?;
    zip.write_all(&document_xml(package, &page_ids, max_id))?;
    zip.start_file(format!("{DOC_DIR}/PublicRes.xml"), options)?;
    zip.write_all(&public_res_xml(package, &font_ids))?;
    zip.start_file(format!("{DOC_DIR}/DocumentRes.xml"), options)?;
    zip.write_all(&document_res_xml(package, &image_ids))?;
    for (index, content) in contents.iter().enumerate() {
        zip.start_file(format!("{DOC_DIR}/Pages/Page_{index}/Content.xml"), options)?;
        zip.write_all(content)?;
    }
    for font in &package.fonts {
        if let Some((name, data)) = &font.file {
            zip.start_file(format!("{DOC_DIR}/{RES_DIR}/{name}"), options)?;
            zip.write_all(data)?;
        }
    }
    for image in &package.images {
        // Compressed already.
        zip.start_file(format!("{DOC_DIR}/{RES_DIR}/{}", image.file), stored)?;
        zip.write_all(&image.data)?;
    }
    Ok(zip.finish()?.into_inner())
}

struct Ids<'a> {
    fonts: &'a [u32],
    images: &'a [u32],
    pages: &'a [u32],
}

/// A small XML writer over quick-xml: writing into a `Vec` cannot fail.
struct Xml {
    writer: Writer<Vec<u8>>,
}

impl Xml {
    fn new() -> Self {
        let mut writer = Writer::new(Vec::new());
        let _ = writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        Xml { writer }
    }

    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let mut start = BytesStart::new(name);
        for &(k, v) in attrs {
            start.push_attribute((k, v));
        }
        let _ = self.writer.write_event(Event::Start(start));
    }

    fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let mut start = BytesStart::new(name);
        for &(k, v) in attrs {
            start.push_attribute((k, v));
        }
        let _ = self.writer.write_event(Event::Empty(start));
    }

    fn end(&mut self, name: &str) {
        let _ = self.writer.write_event(Event::End(BytesEnd::new(name)));
    }

    fn text_element(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.start(name, attrs);
        let _ = self.writer.write_event(Event::Text(BytesText::new(text)));
        self.end(name);
    }

    fn finish(self) -> Vec<u8> {
        self.writer.into_inner()
    }
}

/// A number in millimetres with at most three decimals, without trailing
/// zeros (`12.5`, `3`, `-0.25`).
pub fn num(value: f32) -> String {
    let rounded = (f64::from(value) * 1000.0).round() / 1000.0;
    // Avoid "-0".
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    let mut s = format!("{rounded:.3}");
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    s
}

fn ofd_xml(info: &DocInfo) -> Vec<u8> {
    let mut x = Xml::new();
    x.start(
        "ofd:OFD",
        &[
            ("xmlns:ofd", NAMESPACE),
            ("Version", "1.0"),
            ("DocType", "OFD"),
        ],
    );
    x.start("ofd:DocBody", &[]);
    x.start("ofd:DocInfo", &[]);
    x.text_element("ofd:DocID", &[], &info.doc_id);
    x.text_element("ofd:Title", &[], &info.title);
    if let Some(author) = &info.author {
        x.text_element("ofd:Author", &[], author);
    }
    if let Some(subject) = &info.subject {
        x.text_element("ofd:Subject", &[], subject);
    }
    if let Some(abstract_) = &info.abstract_ {
        x.text_element("ofd:Abstract", &[], abstract_);
    }
    if let Some(date) = &info.creation_date {
        x.text_element("ofd:CreationDate", &[], date);
    }
    if !info.keywords.is_empty() {
        x.start("ofd:Keywords", &[]);
        for keyword in &info.keywords {
            x.text_element("ofd:Keyword", &[], keyword);
        }
        x.end("ofd:Keywords");
    }
    x.text_element("ofd:Creator", &[], &info.creator);
    x.text_element("ofd:CreatorVersion", &[], &info.creator_version);
    if !info.custom.is_empty() {
        x.start("ofd:CustomDatas", &[]);
        for (name, value) in &info.custom {
            x.text_element("ofd:CustomData", &[("Name", name)], value);
        }
        x.end("ofd:CustomDatas");
    }
    x.end("ofd:DocInfo");
    x.text_element("ofd:DocRoot", &[], &format!("{DOC_DIR}/Document.xml"));
    x.end("ofd:DocBody");
    x.end("ofd:OFD");
    x.finish()
}

fn document_xml(package: &Package, page_ids: &[u32], max_id: u32) -> Vec<u8> {
    let mut x = Xml::new();
    x.start("ofd:Document", &[("xmlns:ofd", NAMESPACE)]);
    x.start("ofd:CommonData", &[]);
    x.text_element("ofd:MaxUnitID", &[], &max_id.to_string());
    x.start("ofd:PageArea", &[]);
    let bbox = format!("0 0 {} {}", num(package.width), num(package.height));
    x.text_element("ofd:PhysicalBox", &[], &bbox);
    x.end("ofd:PageArea");
    x.text_element("ofd:PublicRes", &[], "PublicRes.xml");
    x.text_element("ofd:DocumentRes", &[], "DocumentRes.xml");
    x.end("ofd:CommonData");
    x.start("ofd:Pages", &[]);
    for (index, id) in page_ids.iter().enumerate() {
        let loc = format!("Pages/Page_{index}/Content.xml");
        x.empty("ofd:Page", &[("ID", &id.to_string()), ("BaseLoc", &loc)]);
    }
    x.end("ofd:Pages");
    if !package.outline.is_empty() {
        x.start("ofd:Outlines", &[]);
        // Depth-first with an explicit stack: (items, next index).
        let mut stack: Vec<(&[OutlineItem], usize)> = vec![(&package.outline, 0)];
        while let Some((items, index)) = stack.pop() {
            let Some(item) = items.get(index) else {
                if !stack.is_empty() {
                    x.end("ofd:OutlineElem");
                }
                continue;
            };
            stack.push((items, index + 1));
            x.start(
                "ofd:OutlineElem",
                &[("Title", &item.title), ("Expanded", "false")],
            );
            actions(&mut x, &item.dest, page_ids);
            if stack.len() < MAX_OUTLINE_DEPTH {
                stack.push((&item.children, 0));
            } else {
                x.end("ofd:OutlineElem");
            }
        }
        x.end("ofd:Outlines");
    }
    x.end("ofd:Document");
    x.finish()
}

/// `<Actions>` with one click action.
fn actions(x: &mut Xml, action: &Action, page_ids: &[u32]) {
    x.start("ofd:Actions", &[]);
    x.start("ofd:Action", &[("Event", "CLICK")]);
    match action {
        Action::Goto { page, left, top } => {
            let id = page_ids.get(*page).copied().unwrap_or(0);
            x.start("ofd:Goto", &[]);
            x.empty(
                "ofd:Dest",
                &[
                    ("Type", "XYZ"),
                    ("PageID", &id.to_string()),
                    ("Left", &num(*left)),
                    ("Top", &num(*top)),
                ],
            );
            x.end("ofd:Goto");
        }
        Action::Uri(uri) => x.empty("ofd:URI", &[("URI", uri)]),
    }
    x.end("ofd:Action");
    x.end("ofd:Actions");
}

fn public_res_xml(package: &Package, font_ids: &[u32]) -> Vec<u8> {
    let mut x = Xml::new();
    x.start("ofd:Res", &[("xmlns:ofd", NAMESPACE), ("BaseLoc", RES_DIR)]);
    if !package.fonts.is_empty() {
        x.start("ofd:Fonts", &[]);
        for (font, id) in package.fonts.iter().zip(font_ids) {
            let id = id.to_string();
            let mut attrs = vec![
                ("ID", id.as_str()),
                ("FontName", font.font_name.as_str()),
                ("FamilyName", font.family_name.as_str()),
            ];
            if font.bold {
                attrs.push(("Bold", "true"));
            }
            if font.serif {
                attrs.push(("Serif", "true"));
            }
            match &font.file {
                Some((name, _)) => {
                    x.start("ofd:Font", &attrs);
                    x.text_element("ofd:FontFile", &[], name);
                    x.end("ofd:Font");
                }
                None => x.empty("ofd:Font", &attrs),
            }
        }
        x.end("ofd:Fonts");
    }
    x.end("ofd:Res");
    x.finish()
}

fn document_res_xml(package: &Package, image_ids: &[u32]) -> Vec<u8> {
    let mut x = Xml::new();
    x.start("ofd:Res", &[("xmlns:ofd", NAMESPACE), ("BaseLoc", RES_DIR)]);
    if !package.images.is_empty() {
        x.start("ofd:MultiMedias", &[]);
        for (image, id) in package.images.iter().zip(image_ids) {
            x.start(
                "ofd:MultiMedia",
                &[
                    ("ID", &id.to_string()),
                    ("Type", "Image"),
                    ("Format", image.format),
                ],
            );
            x.text_element("ofd:MediaFile", &[], &image.file);
            x.end("ofd:MultiMedia");
        }
        x.end("ofd:MultiMedias");
    }
    x.end("ofd:Res");
    x.finish()
}

/// `DeltaX`: the steps between consecutive characters, runs of the same
/// step written `g COUNT STEP`.
pub fn delta_x(xs: &[f32]) -> String {
    let steps: Vec<String> = xs.windows(2).map(|w| num(w[1] - w[0])).collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < steps.len() {
        let mut j = i + 1;
        while j < steps.len() && steps[j] == steps[i] {
            j += 1;
        }
        if j - i >= 3 {
            out.push(format!("g {} {}", j - i, steps[i]));
        } else {
            out.extend(steps[i..j].iter().cloned());
        }
        i = j;
    }
    out.join(" ")
}

fn page_xml(page: &Page, ids: &Ids<'_>, take: &mut impl FnMut() -> u32) -> Vec<u8> {
    let mut x = Xml::new();
    x.start("ofd:Page", &[("xmlns:ofd", NAMESPACE)]);
    x.start("ofd:Content", &[]);
    x.start(
        "ofd:Layer",
        &[("ID", &take().to_string()), ("Type", "Body")],
    );
    for object in &page.objects {
        let id = take().to_string();
        match object {
            Object::Text(t) => {
                let (Some(&first), Some(font)) = (t.xs.first(), ids.fonts.get(t.font)) else {
                    continue;
                };
                // The boundary leaves room for ascenders, descenders and
                // side bearings; positions inside it are relative to it.
                let pad = t.size * 0.5;
                let left = first - pad;
                let top = t.baseline - t.size * 1.25;
                let boundary = format!(
                    "{} {} {} {}",
                    num(left),
                    num(top),
                    num(t.width + 2.0 * pad),
                    num(t.size * 1.75)
                );
                x.start(
                    "ofd:TextObject",
                    &[
                        ("ID", &id),
                        ("Boundary", &boundary),
                        ("Font", &font.to_string()),
                        ("Size", &num(t.size)),
                    ],
                );
                if let Some(action) = &t.action {
                    actions(&mut x, action, ids.pages);
                }
                x.empty("ofd:FillColor", &[("Value", "0 0 0")]);
                let mut attrs = vec![
                    ("X".to_string(), num(first - left)),
                    ("Y".to_string(), num(t.baseline - top)),
                ];
                if t.xs.len() > 1 {
                    attrs.push(("DeltaX".to_string(), delta_x(&t.xs)));
                }
                let attrs: Vec<(&str, &str)> = attrs
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                x.text_element("ofd:TextCode", &attrs, &t.text);
                x.end("ofd:TextObject");
            }
            Object::Path(p) => {
                let Some((x0, y0, x1, y1)) = bounds(&p.ops) else {
                    continue;
                };
                let pad = p.stroke.unwrap_or(0.0);
                let (left, top) = (x0 - pad, y0 - pad);
                let boundary = format!(
                    "{} {} {} {}",
                    num(left),
                    num(top),
                    num(x1 - x0 + 2.0 * pad),
                    num(y1 - y0 + 2.0 * pad)
                );
                let width = num(p.stroke.unwrap_or(0.0));
                let mut attrs = vec![("ID", id.as_str()), ("Boundary", boundary.as_str())];
                if p.stroke.is_some() {
                    attrs.push(("LineWidth", width.as_str()));
                } else {
                    attrs.push(("Stroke", "false"));
                }
                if p.fill {
                    attrs.push(("Fill", "true"));
                }
                x.start("ofd:PathObject", &attrs);
                // CT_Path: StrokeColor, FillColor, AbbreviatedData.
                if p.stroke.is_some() {
                    x.empty("ofd:StrokeColor", &[("Value", "0 0 0")]);
                }
                if p.fill {
                    x.empty("ofd:FillColor", &[("Value", "0 0 0")]);
                }
                x.text_element("ofd:AbbreviatedData", &[], &path_data(&p.ops, left, top));
                x.end("ofd:PathObject");
            }
            Object::Image(image) => {
                let Some(resource) = ids.images.get(image.image) else {
                    continue;
                };
                let boundary = format!(
                    "{} {} {} {}",
                    num(image.x),
                    num(image.y),
                    num(image.width),
                    num(image.height)
                );
                let ctm = format!("{} 0 0 {} 0 0", num(image.width), num(image.height));
                x.empty(
                    "ofd:ImageObject",
                    &[
                        ("ID", &id),
                        ("Boundary", &boundary),
                        ("CTM", &ctm),
                        ("ResourceID", &resource.to_string()),
                    ],
                );
            }
        }
    }
    x.end("ofd:Layer");
    x.end("ofd:Content");
    x.end("ofd:Page");
    x.finish()
}

fn bounds(ops: &[PathOp]) -> Option<(f32, f32, f32, f32)> {
    let mut points = Vec::new();
    for op in ops {
        match *op {
            PathOp::Move(x, y) | PathOp::Line(x, y) => points.push((x, y)),
            PathOp::Cubic(a, b, c, d, e, f) => points.extend([(a, b), (c, d), (e, f)]),
            PathOp::Close => {}
        }
    }
    let (first, rest) = points.split_first()?;
    Some(rest.iter().fold(
        (first.0, first.1, first.0, first.1),
        |(x0, y0, x1, y1), &(x, y)| (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
    ))
}

/// `AbbreviatedData` relative to the object's origin.
fn path_data(ops: &[PathOp], left: f32, top: f32) -> String {
    let mut out: Vec<String> = Vec::new();
    let p = |x: f32, y: f32| format!("{} {}", num(x - left), num(y - top));
    for op in ops {
        out.push(match *op {
            PathOp::Move(x, y) => format!("M {}", p(x, y)),
            PathOp::Line(x, y) => format!("L {}", p(x, y)),
            PathOp::Cubic(a, b, c, d, e, f) => {
                format!("B {} {} {}", p(a, b), p(c, d), p(e, f))
            }
            PathOp::Close => "C".to_string(),
        });
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(3.0), "3");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(0.12345), "0.123");
    }

    fn goto(page: usize) -> Action {
        Action::Goto {
            page,
            left: 10.0,
            top: 20.0,
        }
    }

    fn item(title: &str, page: usize, children: Vec<OutlineItem>) -> OutlineItem {
        OutlineItem {
            title: title.into(),
            dest: goto(page),
            children,
        }
    }

    #[test]
    fn the_outline_nests_and_pages_are_numbered_in_order() {
        let package = Package {
            width: 148.0,
            height: 210.0,
            pages: vec![Page::default(), Page::default()],
            outline: vec![
                item("一", 0, vec![item("甲", 0, vec![]), item("乙", 1, vec![])]),
                item("二", 1, vec![]),
            ],
            ..Package::default()
        };
        let xml = String::from_utf8(document_xml(&package, &[1, 2], 5)).expect("UTF-8");
        let titles: Vec<&str> = xml
            .split("<ofd:OutlineElem Title=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap_or(""))
            .collect();
        assert_eq!(titles, ["一", "甲", "乙", "二"]);
        // 甲 and 乙 are inside 一, 二 is not.
        let open_close: String = xml
            .match_indices("OutlineElem")
            .map(|(i, _)| {
                if xml[..i].ends_with("</ofd:") {
                    ')'
                } else {
                    '('
                }
            })
            .collect();
        assert_eq!(open_close, "(()())()", "{xml}");
        assert!(xml.contains("<ofd:PhysicalBox>0 0 148 210</ofd:PhysicalBox>"));
        assert!(xml.contains(r#"<ofd:Page ID="2" BaseLoc="Pages/Page_1/Content.xml"/>"#));
        assert!(xml.contains(r#"PageID="2" Left="10" Top="20""#));
    }

    #[test]
    fn text_keeps_its_characters_and_positions() {
        let page = Page {
            objects: vec![Object::Text(TextObject {
                font: 0,
                size: 4.0,
                baseline: 30.0,
                text: "乘冬奥之风 讲<益阳>".into(),
                xs: vec![
                    10.0, 14.0, 18.0, 22.0, 26.0, 30.0, 32.0, 36.0, 40.0, 44.0, 48.0,
                ],
                width: 42.0,
                action: None,
            })],
        };
        let ids = Ids {
            fonts: &[7],
            images: &[],
            pages: &[1],
        };
        let mut next = 10;
        let xml = String::from_utf8(page_xml(&page, &ids, &mut || {
            next += 1;
            next
        }))
        .expect("UTF-8");
        assert!(xml.contains(r#"Font="7" Size="4""#), "{xml}");
        assert!(
            xml.contains(r#"DeltaX="g 5 4 2 g 4 4">乘冬奥之风 讲&lt;益阳&gt;</ofd:TextCode>"#),
            "{xml}"
        );
    }

    #[test]
    fn equal_steps_are_grouped() {
        assert_eq!(delta_x(&[0.0, 3.5, 7.0, 10.5, 12.0]), "g 3 3.5 1.5");
        assert_eq!(delta_x(&[0.0, 1.0, 3.0]), "1 2");
        assert_eq!(delta_x(&[0.0]), "");
    }
}
