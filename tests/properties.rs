//! Properties over generated text: what goes in comes out, and what comes
//! out is well-formed.
//!
//! - Every non-whitespace character of a plain text that no documented
//!   rule changes (no ASCII punctuation, quotes, dashes or list markers)
//!   reaches the EPUB and the PDF, in order.
//! - Every EPUB made from arbitrary text, plain or Markdown, holds only
//!   well-formed XML, and the PDF of the same text renders.

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

/// The text content of an XHTML page (tags dropped, entities decoded).
fn xml_text(xml: &str) -> Result<String, String> {
    use quick_xml::events::Event;
    // Characters XML 1.0 does not allow anywhere.
    if let Some(c) = xml.chars().find(|&c| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}'
    }) {
        return Err(format!(
            "character U+{:04X} is not allowed in XML",
            c as u32
        ));
    }
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut text = String::new();
    let mut depth = 0i64;
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth -= 1,
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let name = r.to_string();
                let decoded = match name.as_str() {
                    "lt" => "<".to_string(),
                    "gt" => ">".to_string(),
                    "amp" => "&".to_string(),
                    "quot" => "\"".to_string(),
                    "apos" => "'".to_string(),
                    other => match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => return Err(format!("unknown entity &{other};")),
                    },
                };
                text.push_str(&decoded);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth != 0 {
        return Err("unclosed element".to_string());
    }
    Ok(text)
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
        if let Ok((pdf, _)) = inkstone::pdf::render_pdf(&doc, fonts(), &options) {
            prop_assert!(pdf.starts_with(b"%PDF-"));
        }
        if let Ok((epub, _)) = inkstone::epub::render_epub(&doc, fonts()) {
            for (name, content) in unzip(&epub) {
                if name.ends_with(".xhtml") || name.ends_with(".opf") || name.ends_with(".ncx") || name.ends_with(".xml") {
                    prop_assert!(xml_text(&content).is_ok(), "{name} of {text:?} is not well-formed: {:?}\n{content}", xml_text(&content));
                }
            }
        }
    }
}
