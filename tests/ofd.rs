//! OFD round trips: the real sample, the sample edition and a book with
//! an image, a table and footnotes are built as PDF and OFD, and the OFD
//! is read back with two independent readers from PyPI: `ofdkit` (text,
//! pages) and `easyofd` (renders it to PDF). A missing tool fails the
//! test; nothing is skipped.

mod support;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use inkstone::diag::Severity;
use inkstone::ofd::{render_ofd, OfdOptions, Profile};
use inkstone::pdf::linebreak::Class;
use quick_xml::events::Event;
use serde_json::Value;
use support::{build, load, read_pdf, strip, text_block, Built, EDITION, SAMPLE};

/// Millimetres per point.
const MM: f32 = 25.4 / 72.0;
const XML: quick_xml::XmlVersion = quick_xml::XmlVersion::Implicit1_0;

struct Both {
    built: Built,
    ofd: PathBuf,
    bytes: Vec<u8>,
}

fn render(input: &str, profile: Profile) -> Result<Vec<u8>, String> {
    let (doc, fonts) = load(input);
    let options = OfdOptions {
        profile,
        allow_missing_glyphs: false,
    };
    match render_ofd(&doc, &fonts, &options) {
        Ok((bytes, diagnostics)) => {
            assert!(
                diagnostics.iter().all(|d| d.severity < Severity::Warning),
                "{diagnostics:?}"
            );
            Ok(bytes)
        }
        Err(failure) => Err(failure.to_string()),
    }
}

fn both(input: &str, name: &str) -> Both {
    let built = build(input, name);
    let bytes = render(input, Profile::Plain).unwrap_or_else(|e| panic!("{input}: {e}"));
    let ofd = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.ofd"));
    std::fs::write(&ofd, &bytes).expect("write the OFD");
    Both { built, ofd, bytes }
}

fn sample() -> &'static Both {
    static BUILT: OnceLock<Both> = OnceLock::new();
    BUILT.get_or_init(|| both(SAMPLE, "ofd-yiyang"))
}

fn edition() -> &'static Both {
    static BUILT: OnceLock<Both> = OnceLock::new();
    BUILT.get_or_init(|| both(EDITION, "ofd-qingchuan"))
}

fn own() -> &'static Both {
    static BUILT: OnceLock<Both> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = own_book("ofd-own-book", true);
        both(dir.to_str().expect("a UTF-8 path"), "ofd-own")
    })
}

fn all() -> [&'static Both; 3] {
    [sample(), edition(), own()]
}

/// A book of our own with an image, a table, footnotes and a link, in a
/// folder under the test directory; `authors` false leaves out the
/// authors (for the OFD/A refusal).
fn own_book(name: &str, authors: bool) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the book folder");
    let authors = if authors {
        "authors = [\"临河县档案馆\"]\n"
    } else {
        ""
    };
    std::fs::write(
        dir.join("book.toml"),
        format!(
            "[book]\ntitle = \"临河县档案工作简报\"\n{authors}date = \"2024-03-15\"\nslug = \"linhe\"\n\n[contents]\nchapters = [\"01.md\"]\n"
        ),
    )
    .expect("book.toml");
    std::fs::write(
        dir.join("01.md"),
        "# 档案数字化进展\n\n\
         今年一季度，县档案馆完成了馆藏纸质档案的第二批扫描[^1]，共计1.2万卷，\
         全部通过了质量抽检。扫描件按照统一的目录结构存放，便于日后检索。\n\n\
         ![馆藏档案分类示意](fig.png)\n\n\
         各类档案的扫描数量如下表所示[^2]。\n\n\
         | 类别 | 卷数 | 完成率 |\n| --- | ---: | ---: |\n| 文书档案 | 6800 | 92% |\n\
         | 科技档案 | 3100 | 85% |\n| 会计档案 | 2100 | 78% |\n\n\
         ## 下一步安排\n\n\
         二季度将开展照片档案的整理工作，详细要求见 [县档案馆网站](https://example.org/linhe) 的通知。\
         我们也欢迎群众提供线索，共同守护 城市记忆。\n\n\
         [^1]: 第一批扫描于去年十月完成。\n\n\
         [^2]: 数字为三月底的统计。\n",
    )
    .expect("the chapter");
    // A small grey picture with a dark frame, made by PIL (which easyofd
    // needs anyway).
    let png = dir.join("fig.png");
    let status = Command::new("python3")
        .arg("-c")
        .arg(
            "import sys\nfrom PIL import Image, ImageDraw\n\
             im = Image.new('RGB', (240, 120), (200, 200, 200))\n\
             d = ImageDraw.Draw(im)\nd.rectangle((4, 4, 235, 115), outline=(20, 20, 20), width=4)\n\
             d.rectangle((40, 40, 120, 90), fill=(60, 60, 60))\n\
             im.save(sys.argv[1])\n",
        )
        .arg(&png)
        .status()
        .expect("python3 could not be run");
    assert!(
        status.success(),
        "PIL could not write the image; install easyofd"
    );
    dir
}

/// Runs a Python helper of the tests; a failure (a reader missing or
/// failing) fails the test.
fn python(script: &str, args: &[&Path]) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(script);
    let output = Command::new("python3")
        .arg(&script)
        .args(args)
        .output()
        .expect("python3 could not be run");
    assert!(
        output.status.success(),
        "{} failed (install easyofd and ofdkit from PyPI): {}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

struct Run {
    text: String,
    y: f32,
}

/// Pages, text runs, and the text of `area` (points) in reading order,
/// as ofdkit reads them.
fn ofdkit(ofd: &Path, area: Option<support::Area>) -> (usize, Vec<Run>, String) {
    let numbers: Vec<PathBuf> = area
        .map(|a| [a.x, a.y, a.width, a.height])
        .into_iter()
        .flatten()
        .map(|v| PathBuf::from(format!("{}", v * MM)))
        .collect();
    let mut args = vec![ofd];
    args.extend(numbers.iter().map(PathBuf::as_path));
    let json: Value = serde_json::from_str(&python("ofd_read.py", &args)).expect("JSON");
    assert_eq!(json["warnings"], Value::Array(vec![]), "ofdkit warns");
    let runs = json["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| Run {
            text: r[1].as_str().expect("text").to_string(),
            y: r[3].as_f64().expect("y") as f32,
        })
        .collect();
    let text = json["text"].as_str().expect("text").to_string();
    (json["pages"].as_u64().expect("pages") as usize, runs, text)
}

/// The text of the runs whose baseline is inside the height of the PDF's
/// text block (running heads and folios are above and below it), in the
/// order the file draws them.
fn text_in_block(both: &Both, runs: &[Run]) -> String {
    let area = text_block(&both.built);
    runs.iter()
        .filter(|r| r.y >= area.y * MM && r.y <= (area.y + area.height) * MM)
        .map(|r| r.text.as_str())
        .collect()
}

fn entry(bytes: &[u8], name: &str) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut file = zip
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} is missing"));
    let mut out = Vec::new();
    file.read_to_end(&mut out).expect("read");
    out
}

/// Elements named `local` (any prefix) with their attributes, in order.
fn elements(xml: &[u8], local: &str) -> Vec<HashMap<String, String>> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut out = Vec::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == local => {
                out.push(
                    e.attributes()
                        .map(|a| {
                            let a = a.expect("an attribute");
                            (
                                a.key.0.to_string(),
                                a.normalized_value(XML).expect("a value").into_owned(),
                            )
                        })
                        .collect(),
                );
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

#[test]
fn two_readers_open_every_book_with_the_pdfs_pages() {
    for b in all() {
        let pdf_pages = b.built.layout.pages.len();
        let (pages, runs, _) = ofdkit(&b.ofd, None);
        assert_eq!(pages, pdf_pages, "ofdkit: {}", b.ofd.display());
        assert!(!runs.is_empty());
        let rendered = b.ofd.with_extension("easyofd.pdf");
        python("ofd_render.py", &[&b.ofd, &rendered]);
        let info = support::tool("pdfinfo", &[], &rendered);
        let count = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse::<usize>().ok())
            .expect("a page count");
        assert_eq!(count, pdf_pages, "easyofd: {}", b.ofd.display());
    }
}

#[test]
fn the_real_sample_extracts_as_its_source() {
    let b = sample();
    let built = &b.built;
    // As in the PDF: the title block, the contents with page numbers,
    // then the article, exactly the model's text.
    let chapter = &built.doc.chapters[0];
    let mut head = chapter.title.display_text();
    if let Some(subtitle) = &chapter.subtitle {
        head.push_str(&inkstone::model::dashed_subtitle(subtitle));
    }
    let mut contents = String::from("目录");
    for entry in &built.doc.toc {
        let place = built
            .layout
            .headings
            .iter()
            .find(|h| h.id == entry.id)
            .expect("the section is laid out");
        contents.push_str(&entry.title);
        contents.push_str(&built.layout.pages[place.page].number.label());
    }
    let source = strip(&built.doc.plain_text());
    let head = strip(&head);
    let rest = source
        .strip_prefix(head.as_str())
        .expect("the text starts with the title");
    let (_, runs, text) = ofdkit(&b.ofd, Some(text_block(built)));
    assert_same(
        &strip(&text),
        &format!("{head}{}{rest}", strip(&contents)),
        &b.ofd,
    );
    // The characters of the text objects, as they are in the file.
    let text = text_in_block(b, &runs);
    // The six deliberate spaces, each once, and no other space between
    // two CJK characters.
    let chars: Vec<char> = text.chars().collect();
    let cjk = |c: char| Class::of(c).is_cjk() && !c.is_whitespace();
    let spaces: Vec<String> = (1..chars.len().saturating_sub(1))
        .filter(|&i| chars[i] == ' ' && cjk(chars[i - 1]) && cjk(chars[i + 1]))
        .map(|i| chars[i - 1..=i + 1].iter().collect())
        .collect();
    assert_eq!(spaces.len(), 6, "{spaces:?}");
    let plain = built.doc.plain_text();
    for s in &spaces {
        assert!(plain.contains(s.as_str()), "{s} is not in the source");
    }
}

/// Equal texts, or the place where they part.
fn assert_same(ofd: &str, expected: &str, file: &Path) {
    if ofd == expected {
        return;
    }
    let a: Vec<char> = ofd.chars().collect();
    let b: Vec<char> = expected.chars().collect();
    let at = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let around = |v: &[char]| -> String {
        v[at.saturating_sub(30)..(at + 30).min(v.len())]
            .iter()
            .collect()
    };
    panic!(
        "{}: the texts part at character {at} of {} and {}:\nOFD:      {}\nexpected: {}",
        file.display(),
        a.len(),
        b.len(),
        around(&a),
        around(&b)
    );
}

#[test]
fn text_equals_the_pdfs_text() {
    for b in all() {
        let last = b.built.layout.pages.len();
        let area = text_block(&b.built);
        // In the order the files draw it (a contents page draws its page
        // numbers after the entries): poppler's raw order and the order of
        // the text objects.
        let (_, runs, _) = ofdkit(&b.ofd, None);
        let ofd = strip(&text_in_block(b, &runs));
        let n = [area.x, area.y, area.width, area.height].map(|v| format!("{}", v.round() as i64));
        let last = last.to_string();
        let pdf = support::tool(
            "pdftotext",
            &[
                "-raw", "-r", "72", "-f", "1", "-l", &last, "-x", &n[0], "-y", &n[1], "-W", &n[2],
                "-H", &n[3],
            ],
            &b.built.pdf,
        );
        let pdf = strip(&pdf);
        assert_same(&ofd, &pdf, &b.ofd);
        // A negative control: one character less is noticed.
        let mut shorter = ofd.clone();
        shorter.pop();
        assert_ne!(shorter, pdf);
    }
}

/// The outline as (depth, title, page index).
fn ofd_outline(bytes: &[u8]) -> Vec<(usize, String, usize)> {
    let doc = entry(bytes, "Doc_0/Document.xml");
    let page_ids: Vec<String> = elements(&doc, "Page")
        .into_iter()
        .map(|a| a["ID"].clone())
        .collect();
    let mut reader = quick_xml::Reader::from_reader(doc.as_slice());
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).expect("XML") {
            Event::Start(e) if e.local_name().as_ref() == "OutlineElem" => {
                let title = e
                    .try_get_attribute("Title")
                    .expect("attribute")
                    .expect("a title")
                    .normalized_value(XML)
                    .expect("a value")
                    .into_owned();
                out.push((depth, title, usize::MAX));
                depth += 1;
            }
            Event::End(e) if e.local_name().as_ref() == "OutlineElem" => depth -= 1,
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Dest" => {
                let id = e
                    .try_get_attribute("PageID")
                    .expect("attribute")
                    .expect("a page")
                    .normalized_value(XML)
                    .expect("a value")
                    .into_owned();
                if let Some(last) = out.last_mut() {
                    last.2 = page_ids.iter().position(|p| *p == id).expect("a page");
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

#[test]
fn the_outline_is_the_pdfs() {
    for b in all() {
        let pdf: Vec<(usize, String, usize)> = read_pdf(&b.built.pdf)
            .outline
            .into_iter()
            .map(|m| (m.depth, m.title, m.page))
            .collect();
        assert!(!pdf.is_empty());
        assert_eq!(ofd_outline(&b.bytes), pdf, "{}", b.ofd.display());
    }
}

#[test]
fn every_font_is_embedded_subset_and_has_every_character() {
    for b in all() {
        let res = entry(&b.bytes, "Doc_0/PublicRes.xml");
        let fonts = elements(&res, "Font");
        let files = elements_text(&res, "FontFile");
        assert!(!fonts.is_empty());
        assert_eq!(files.len(), fonts.len(), "a font without its file");
        let mut faces = HashMap::new();
        for (font, file) in fonts.iter().zip(&files) {
            let data = entry(&b.bytes, &format!("Doc_0/Res/{file}"));
            let face = rustybuzz::ttf_parser::Face::parse(&data, 0).expect("a font");
            // The full faces have some 65,000 glyphs.
            assert!(face.number_of_glyphs() < 5000, "{file} is not subset");
            faces.insert(font["ID"].clone(), data);
        }
        // Every character of every text object is in its font's cmap.
        let mut checked = 0;
        for name in page_files(&b.bytes) {
            let xml = entry(&b.bytes, &name);
            for (font, text) in text_objects(&xml) {
                let data = faces.get(&font).expect("a declared font");
                let face = rustybuzz::ttf_parser::Face::parse(data, 0).expect("a font");
                for c in text.chars() {
                    assert!(
                        face.glyph_index(c).is_some(),
                        "{c:?} has no glyph in {name}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 100);
    }
}

fn elements_text(xml: &[u8], local: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut out = Vec::new();
    let mut inside = false;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).expect("XML") {
            Event::Start(e) if e.local_name().as_ref() == local => {
                inside = true;
                out.push(String::new());
            }
            Event::Text(t) if inside => {
                if let Some(last) = out.last_mut() {
                    last.push_str(&t.into_inner());
                }
            }
            Event::GeneralRef(r) if inside => {
                let name = r.into_inner().into_owned();
                let c = match name.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                };
                if let Some(last) = out.last_mut() {
                    last.push_str(c);
                }
            }
            Event::End(e) if e.local_name().as_ref() == local => inside = false,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

/// (font id, text) of every text object of a page.
fn text_objects(xml: &[u8]) -> Vec<(String, String)> {
    let fonts: Vec<String> = elements(xml, "TextObject")
        .into_iter()
        .map(|a| a["Font"].clone())
        .collect();
    let texts = elements_text(xml, "TextCode");
    assert_eq!(fonts.len(), texts.len(), "one TextCode per text object");
    fonts.into_iter().zip(texts).collect()
}

fn names(bytes: &[u8]) -> Vec<String> {
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    zip.file_names()
        .map(|n| n.expect("a name").into_owned())
        .collect()
}

fn page_files(bytes: &[u8]) -> Vec<String> {
    let mut pages: Vec<String> = names(bytes)
        .into_iter()
        .filter(|n| n.ends_with("/Content.xml"))
        .collect();
    pages.sort_by_key(|n| {
        n.trim_start_matches("Doc_0/Pages/Page_")
            .trim_end_matches("/Content.xml")
            .parse::<usize>()
            .unwrap_or(usize::MAX)
    });
    pages
}

#[test]
fn the_package_holds_only_its_own_files() {
    for b in all() {
        let listing = support::tool("unzip", &["-Z1"], &b.ofd);
        let listed: Vec<&str> = listing.lines().collect();
        let mut expected = vec![
            "OFD.xml".to_string(),
            "Doc_0/Document.xml".to_string(),
            "Doc_0/PublicRes.xml".to_string(),
            "Doc_0/DocumentRes.xml".to_string(),
        ];
        for i in 0..b.built.layout.pages.len() {
            expected.push(format!("Doc_0/Pages/Page_{i}/Content.xml"));
        }
        for res in ["Doc_0/PublicRes.xml", "Doc_0/DocumentRes.xml"] {
            let xml = entry(&b.bytes, res);
            for file in elements_text(&xml, "FontFile")
                .into_iter()
                .chain(elements_text(&xml, "MediaFile"))
            {
                expected.push(format!("Doc_0/Res/{file}"));
            }
        }
        let mut sorted_listed: Vec<String> = listed.iter().map(|s| s.to_string()).collect();
        sorted_listed.sort();
        expected.sort();
        assert_eq!(sorted_listed, expected, "{}", b.ofd.display());
    }
    // The own book's image is in the package and drawn.
    let b = own();
    let res = entry(&b.bytes, "Doc_0/DocumentRes.xml");
    assert_eq!(elements_text(&res, "MediaFile"), ["image_1.png"]);
    let drawn: usize = page_files(&b.bytes)
        .iter()
        .map(|p| elements(&entry(&b.bytes, p), "ImageObject").len())
        .sum();
    assert_eq!(drawn, 1);
}

#[test]
fn two_builds_are_byte_identical() {
    for input in [
        EDITION.to_string(),
        own().built.doc.settings.base_dir.display().to_string(),
    ] {
        let a = render(&input, Profile::Plain).expect("an OFD");
        let b = render(&input, Profile::Plain).expect("an OFD");
        assert!(a == b, "{input} gives different bytes");
        let a = render(&input, Profile::Archive).expect("an OFD/A");
        let b = render(&input, Profile::Archive).expect("an OFD/A");
        assert!(a == b, "{input} gives different bytes");
    }
}

/// Renders page 1 of a PDF to a grey PNG of `w` x `h` pixels.
fn page_png(pdf: &Path, w: u32, h: u32, out: &Path) {
    let status = Command::new("pdftoppm")
        .args(["-gray", "-png", "-singlefile", "-f", "1", "-l", "1"])
        .args(["-scale-to-x", &w.to_string(), "-scale-to-y", &h.to_string()])
        .arg(pdf)
        .arg(out.with_extension(""))
        .status()
        .expect("pdftoppm could not be run; install poppler-utils");
    assert!(status.success());
}

#[test]
fn the_first_page_renders_like_the_pdfs() {
    for b in all() {
        // Both at 72 dpi: one pixel per point of the page.
        let w = b.built.layout.width.round() as u32;
        let h = b.built.layout.height.round() as u32;
        let rendered = b.ofd.with_extension("first.pdf");
        python("ofd_render.py", &[&b.ofd, &rendered]);
        let ofd_png = b.ofd.with_extension("ofd.png");
        let pdf_png = b.ofd.with_extension("pdf.png");
        page_png(&rendered, w, h, &ofd_png);
        page_png(&b.built.pdf, w, h, &pdf_png);
        let out = python("ofd_render.py", &[Path::new("compare"), &ofd_png, &pdf_png]);
        let ratios: Vec<f64> = out
            .split_whitespace()
            .map(|v| v.parse().expect("a number"))
            .collect();
        let (same, shifted) = (ratios[0], ratios[1]);
        // Ink of one picture with no ink within one pixel in the other, as
        // a share of all ink. The same glyphs at the same places give a few
        // per cent: easyofd draws every text in one face, so a title set in
        // the bold heading face differs in its strokes (7.8 % on the own
        // book's title page, 2 to 3 % on the others); the same page moved
        // by 3 pixels (1 mm) gives 27 % or more. 15 % lies between.
        assert!(same < 0.15, "{}: {same}", b.ofd.display());
        assert!(
            shifted > 0.15,
            "{}: the control moved by 3 px: {shifted}",
            b.ofd.display()
        );
    }
}

#[test]
fn the_archive_profile_conforms_or_says_why() {
    let bytes = render(EDITION, Profile::Archive).expect("the edition conforms");
    let ofd = entry(&bytes, "OFD.xml");
    let text = String::from_utf8_lossy(&ofd);
    for needed in [
        "<ofd:Title>",
        "<ofd:Author>",
        "<ofd:CreationDate>2025-12-20</ofd:CreationDate>",
        "<ofd:DocID>",
        "GB/T 42133-2022",
    ] {
        assert!(text.contains(needed), "{needed} is missing: {text}");
    }
    // No action leaves the package (the plain profile keeps the link).
    let uri = |bytes: &[u8]| {
        page_files(bytes)
            .iter()
            .map(|p| elements(&entry(bytes, p), "URI").len())
            .sum::<usize>()
    };
    assert_eq!(uri(&bytes), 0);
    assert_eq!(uri(&edition().bytes), 1);
    // No script, no encryption, nothing outside the package.
    for name in names(&bytes) {
        let xml = entry(&bytes, &name);
        if name.ends_with(".xml") {
            let xml = String::from_utf8_lossy(&xml);
            for bad in ["Script", "Encrypt", "file:"] {
                assert!(!xml.contains(bad), "{bad} in {name}");
            }
            assert_eq!(
                xml.matches("://").count(),
                xml.matches("http://www.ofdspec.org/2016").count(),
                "an address in {name}"
            );
        }
    }
    // A book without an author cannot conform, and says so.
    let dir = own_book("ofd-no-author", false);
    let error = render(dir.to_str().expect("UTF-8"), Profile::Archive).expect_err("refused");
    assert!(
        error.contains("OFD/A") && error.contains("author"),
        "{error}"
    );
    // The plain profile builds it.
    assert!(render(dir.to_str().expect("UTF-8"), Profile::Plain).is_ok());
}

#[test]
fn links_go_where_the_pdfs_go() {
    for b in all() {
        let pdf = read_pdf(&b.built.pdf);
        let doc = entry(&b.bytes, "Doc_0/Document.xml");
        let page_ids: Vec<String> = elements(&doc, "Page")
            .into_iter()
            .map(|a| a["ID"].clone())
            .collect();
        let mut internal = 0;
        for (index, name) in page_files(&b.bytes).iter().enumerate() {
            let xml = entry(&b.bytes, name);
            let mut ofd: Vec<usize> = elements(&xml, "Dest")
                .iter()
                .map(|a| {
                    page_ids
                        .iter()
                        .position(|p| *p == a["PageID"])
                        .expect("a page")
                })
                .collect();
            let mut expected: Vec<usize> = pdf.links[index]
                .iter()
                .filter_map(|l| l.dest.map(|d| d.0))
                .collect();
            ofd.sort();
            ofd.dedup();
            expected.sort();
            expected.dedup();
            assert_eq!(ofd, expected, "page {} of {}", index + 1, b.ofd.display());
            internal += expected.len();
            let uris: Vec<String> = elements(&xml, "URI")
                .iter()
                .map(|a| a["URI"].clone())
                .collect();
            let mut expected: Vec<String> = pdf.links[index]
                .iter()
                .filter_map(|l| l.uri.clone())
                .collect();
            expected.dedup();
            assert_eq!(uris, expected, "page {} of {}", index + 1, b.ofd.display());
        }
        assert!(internal > 0, "{} has no internal link", b.ofd.display());
    }
}

#[test]
fn the_command_writes_an_ofd_or_says_why_not() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ofd-cli");
    let _ = std::fs::remove_dir_all(&out);
    let run = |input: &Path, profile: &str| {
        Command::new(env!("CARGO_BIN_EXE_inkstone"))
            .args([
                "build",
                "-q",
                "--format",
                "ofd",
                "--ofd-profile",
                profile,
                "-o",
            ])
            .arg(&out)
            .arg(input)
            .output()
            .expect("inkstone runs")
    };
    let book = own_book("ofd-cli-book", true);
    let done = run(&book, "a");
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let bytes = std::fs::read(out.join("linhe.ofd")).expect("linhe.ofd is written");
    assert!(bytes.starts_with(b"PK"));
    // A single file has no author: OFD/A is refused, nothing is written.
    let single = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ofd-single.txt");
    std::fs::write(
        &single,
        "一份说明\n\n这是正文的第一段，写给档案室的同事。\n",
    )
    .expect("write");
    let refused = run(&single, "a");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("OFD/A") && stderr.contains("author"),
        "{stderr}"
    );
    assert!(!out.join("ofd-single.ofd").exists());
    assert!(run(&single, "plain").status.success());
    assert!(out.join("ofd-single.ofd").exists());
}
