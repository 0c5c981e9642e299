//! Properties over generated text: what goes in comes out, and what comes
//! out is well-formed.
//!
//! - Every non-whitespace character of a plain text that no documented
//!   rule changes (no ASCII punctuation, quotes, dashes or list markers)
//!   reaches the EPUB and the PDF, in order and as many times as it was
//!   written.
//! - Every EPUB made from arbitrary text, plain or Markdown, holds only
//!   well-formed XML (every XHTML page, the package document, the NCX and
//!   the container, parsed by a strict XML parser), and the PDF of the
//!   same text renders. A build of such text may fail only for an image
//!   it names that is not there.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use inkstone::config::{BookConfig, InputFormat};
use inkstone::fonts::{resolve_fonts, FontSet};
use inkstone::{Loaded, LoadedSource};
use proptest::prelude::*;

fn fonts() -> &'static FontSet {
    static FONTS: OnceLock<FontSet> = OnceLock::new();
    FONTS.get_or_init(|| {
        let settings = inkstone::model::FontSettings {
            body: vec![inkstone::normalize::DEFAULT_BODY_FONT.to_string()],
            heading: vec![inkstone::normalize::DEFAULT_HEADING_FONT.to_string()],
            paths: Vec::new(),
            system: false,
        };
        resolve_fonts(&settings, Path::new(".")).expect("built-in fonts")
    })
}

/// The document of `text` read as one file of `format`, in memory.
fn document(text: &str, format: InputFormat) -> Option<inkstone::model::Document> {
    let mut diagnostics = Vec::new();
    let file = inkstone::source::decode_source(
        Path::new("prop.txt"),
        text.as_bytes(),
        None,
        &mut diagnostics,
    )
    .ok()?;
    if file.text.trim().is_empty() {
        return None;
    }
    let loaded = Loaded {
        base_dir: PathBuf::from("."),
        config: BookConfig::default(),
        single_file: true,
        sources: vec![LoadedSource {
            file,
            rel_path: "prop.txt".to_string(),
            format,
            structure: Default::default(),
        }],
    };
    Some(inkstone::normalize(&loaded, &mut diagnostics))
}

/// Every entry of the EPUB, by name.
fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let name = entry.name().unwrap_or_default().to_string();
        let mut text = String::new();
        if entry.read_to_string(&mut text).is_ok() {
            files.push((name, text));
        }
    }
    files
}

/// The text content of an XML file (tags dropped, references decoded),
/// or why it is not well-formed XML 1.0: one root, matched and properly
/// nested tags, unique and quoted attributes, declared namespaces, only
/// the five predefined entities, no character XML forbids.
fn xml_text(xml: &str) -> Result<String, String> {
    let options = roxmltree::ParsingOptions {
        // XHTML pages start with `<!DOCTYPE html>`.
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(xml, options).map_err(|e| e.to_string())?;
    Ok(doc
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect())
}

/// True when the characters of `needle` appear in `hay` in order.
fn is_subsequence(needle: &[char], hay: &str) -> bool {
    let mut rest = needle.iter().peekable();
    for c in hay.chars() {
        if rest.peek() == Some(&&c) {
            rest.next();
        }
    }
    rest.peek().is_none()
}

/// The characters of `needle` that `hay` holds fewer times than `needle`
/// does (a lost character hides behind no other copy of it).
fn missing_counts(needle: &[char], hay: &str) -> Vec<char> {
    let mut counts: HashMap<char, i64> = HashMap::new();
    for &c in needle {
        *counts.entry(c).or_default() += 1;
    }
    for c in hay.chars() {
        if let Some(n) = counts.get_mut(&c) {
            *n -= 1;
        }
    }
    let mut short: Vec<char> = counts
        .into_iter()
        .filter(|&(_, n)| n > 0)
        .map(|(c, _)| c)
        .collect();
    short.sort_unstable();
    short
}

/// True when every failure of a build is about an image or stylesheet the
/// text names (the generated text may write `![a](b)`, which is not
/// there): anything else from arbitrary text is a defect.
fn only_missing_files(failure: &inkstone::diag::Failure) -> bool {
    !failure.diagnostics.is_empty()
        && failure
            .diagnostics
            .iter()
            .all(|d| d.message.contains("image") || d.message.contains("stylesheet"))
}

fn non_space(text: &str) -> Vec<char> {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Characters no normalization rule touches.
const SAFE: &str = "统一战线工作综述同心奋进年度青川市地方志编纂室的是在和了有人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理世车";

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn plain_text_reaches_both_outputs(
        lines in proptest::collection::vec(
            proptest::collection::vec(
                prop_oneof![
                    8 => proptest::sample::select(SAFE.chars().collect::<Vec<_>>()),
                    2 => proptest::sample::select("abcdeghkmnopqrstuvwxyzABCDEFGHKLMNPRSTUVWXYZ0123456789".chars().collect::<Vec<_>>()),
                    1 => proptest::sample::select("。，、；：？！ ".chars().collect::<Vec<_>>()),
                ],
                1..60,
            ),
            1..12,
        )
    ) {
        let text: String = lines
            .iter()
            .map(|l| l.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("\n");
        let Some(doc) = document(&text, InputFormat::Text) else {
            return Ok(());
        };
        let wanted = non_space(&text);
        let (epub, _) = inkstone::epub::render_epub(&doc, fonts()).expect("epub");
        let mut body = String::new();
        for (name, content) in unzip(&epub) {
            if name.starts_with("EPUB/ch") && name.ends_with(".xhtml") {
                body.push_str(&xml_text(&content).expect("well-formed"));
            }
        }
        prop_assert!(is_subsequence(&wanted, &body), "EPUB lost text of {text:?}:\n{body}");
        let short = missing_counts(&wanted, &body);
        prop_assert!(short.is_empty(), "EPUB lost {short:?} of {text:?}:\n{body}");
        let options = inkstone::pdf::PdfOptions {
            allow_missing_glyphs: true,
            ..Default::default()
        };
        let (pdf, _) = inkstone::pdf::render_pdf(&doc, fonts(), &options).expect("pdf");
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("property.pdf");
        std::fs::write(&path, &pdf).expect("write");
        let out = Command::new("pdftotext")
            .args([path.to_str().expect("path"), "-"])
            .output()
            .expect("pdftotext (poppler-utils)");
        let shown = String::from_utf8_lossy(&out.stdout).into_owned();
        prop_assert!(
            is_subsequence(&wanted, &shown),
            "PDF lost text of {text:?}:\n{shown}"
        );
        let short = missing_counts(&wanted, &shown);
        prop_assert!(short.is_empty(), "PDF lost {short:?} of {text:?}:\n{shown}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_epub_is_well_formed_xml(text in "\\PC{0,400}|[#>*_`\\[\\]()<>&\"'!\\-\\n 一二三abc\\u{0}-\\u{1f}]{0,400}", markdown in any::<bool>()) {
        let format = if markdown { InputFormat::Markdown } else { InputFormat::Text };
        let Some(doc) = document(&text, format) else {
            return Ok(());
        };
        // The PDF of the same text renders without a panic: a file or
        // located errors.
        let options = inkstone::pdf::PdfOptions {
            allow_missing_glyphs: true,
            ..Default::default()
        };
        match inkstone::pdf::render_pdf(&doc, fonts(), &options) {
            Ok((pdf, _)) => prop_assert!(pdf.starts_with(b"%PDF-")),
            Err(failure) => prop_assert!(only_missing_files(&failure), "PDF of {text:?} failed: {failure:?}"),
        }
        match inkstone::epub::render_epub(&doc, fonts()) {
            Ok((epub, _)) => {
                let files = unzip(&epub);
                prop_assert!(files.iter().any(|(name, _)| name.ends_with(".opf")), "no package document");
                for (name, content) in files {
                    if name.ends_with(".xhtml") || name.ends_with(".opf") || name.ends_with(".ncx") || name.ends_with(".xml") {
                        prop_assert!(xml_text(&content).is_ok(), "{name} of {text:?} is not well-formed: {:?}\n{content}", xml_text(&content));
                    }
                }
            }
            Err(failure) => prop_assert!(only_missing_files(&failure), "EPUB of {text:?} failed: {failure:?}"),
        }
    }
}

/// The checks above fail where they should: a lost character hiding
/// behind another copy of it, and XML that a lenient reader would take.
#[test]
fn the_checks_can_fail() {
    let written: Vec<char> = "统一统一".chars().collect();
    assert_eq!(missing_counts(&written, "统一 一"), vec!['统']);
    assert!(missing_counts(&written, "统 一\n统一").is_empty());
    assert!(xml_text("<p>一</p>").is_ok());
    for bad in [
        "<p>一</p><p>二</p>",
        "<p a=\"1\" a=\"2\"/>",
        "<p>&nbsp;</p>",
        "<p><b>一</p></b>",
        "<p>\u{1}</p>",
        "<p a=\"<\"/>",
        "<x:p/>",
    ] {
        assert!(xml_text(bad).is_err(), "{bad:?} taken as well-formed");
    }
}
