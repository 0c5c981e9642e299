//! Building books into PDFs and reading them back with the tools a user or
//! a printer would use: poppler's `pdftotext` for text, qpdf's JSON for
//! page labels, links and the outline. A missing tool fails the test.

// Each test file uses its own part of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use inkstone::diag::Severity;
use inkstone::fonts::{resolve_fonts, FontSet};
use inkstone::model::{Document, TocEntry};
use inkstone::pdf::{layout_document, render_pdf, Layout, PdfOptions};
use serde_json::Value;

pub mod cli;
pub mod samples;
#[allow(unused_imports)]
pub use samples::{sample_part, sample_test, samples_present};

pub const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/samples/yiyang-united-front-2022.txt"
);
pub const EDITION: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sources/2025");

pub struct Built {
    pub doc: Document,
    pub layout: Layout,
    pub pdf: PathBuf,
    pub bytes: Vec<u8>,
}

pub fn load(input: &str) -> (Document, FontSet) {
    let mut diagnostics = Vec::new();
    let doc = inkstone::load_document(Path::new(input), &mut diagnostics)
        .unwrap_or_else(|f| panic!("{input} does not load: {f}"));
    let fonts = resolve_fonts(&doc.settings.fonts, &doc.settings.base_dir).expect("fonts");
    (doc, fonts)
}

/// Renders `input` into `<tmp>/<name>.pdf`; warnings fail.
pub fn build(input: &str, name: &str) -> Built {
    let (doc, fonts) = load(input);
    let options = PdfOptions::default();
    let (bytes, diagnostics) =
        render_pdf(&doc, &fonts, &options).unwrap_or_else(|f| panic!("{input}: {f}"));
    assert!(
        diagnostics.iter().all(|d| d.severity < Severity::Warning),
        "{diagnostics:?}"
    );
    let (layout, _) = layout_document(&doc, &fonts, &options).expect("layout");
    let pdf = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.pdf"));
    std::fs::write(&pdf, &bytes).expect("write the PDF");
    Built {
        doc,
        layout,
        pdf,
        bytes,
    }
}

/// Runs a tool on `pdf` and returns its standard output; a missing tool
/// fails.
pub fn tool(program: &str, args: &[&str], pdf: &Path) -> String {
    let output = Command::new(program)
        .args(args)
        .arg(pdf)
        .args(if program == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| {
            panic!("`{program}` could not be run ({e}); install poppler-utils and qpdf")
        });
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

pub fn strip(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// An area of the page in points from its top-left corner.
#[derive(Debug, Clone, Copy)]
pub struct Area {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

/// The text of pages `first..=last` (1-based), only what lies inside
/// `area` when one is given.
pub fn text_of(pdf: &Path, first: usize, last: usize, area: Option<Area>, layout: bool) -> String {
    let (f, l) = (first.to_string(), last.to_string());
    let mut args = vec!["-f", &f, "-l", &l, "-r", "72"];
    let numbers;
    if let Some(a) = area {
        numbers = [a.x, a.y, a.width, a.height].map(|v| format!("{}", v.round() as i64));
        args.extend([
            "-x",
            &numbers[0],
            "-y",
            &numbers[1],
            "-W",
            &numbers[2],
            "-H",
            &numbers[3],
        ]);
    }
    if layout {
        args.push("-layout");
    }
    tool("pdftotext", &args, pdf)
}

/// The text block of a page style, widened to hold the block of both
/// rectos and versos and by a hair for glyphs that reach its edge.
pub fn text_block(built: &Built) -> Area {
    let style = style_of(built);
    let left = style.left_recto.min(style.left_verso);
    let right = style.left_recto.max(style.left_verso) + style.text_width;
    Area {
        x: left - 2.0,
        y: style.top - 3.0,
        width: right - left + 4.0,
        height: style.text_height + 6.0,
    }
}

/// The margin above the text block (running heads).
pub fn head_area(built: &Built) -> Area {
    let style = style_of(built);
    Area {
        x: 0.0,
        y: 0.0,
        width: style.width,
        height: style.top - 3.0,
    }
}

/// The margin below the text block (folios).
pub fn foot_area(built: &Built) -> Area {
    let style = style_of(built);
    let bottom = style.top + style.text_height + 3.0;
    Area {
        x: 0.0,
        y: bottom,
        width: style.width,
        height: style.height - bottom,
    }
}

pub fn style_of(built: &Built) -> inkstone::pdf::style::PageStyle {
    inkstone::pdf::style::load_style(&built.doc.settings.pdf_style, &built.doc.settings.base_dir)
        .expect("the page style")
}

/// A link annotation as qpdf reads it: its rectangle (PDF coordinates,
/// from the bottom) and either a destination (0-based page and y) or a URI.
#[derive(Debug, Clone)]
pub struct Link {
    pub rect: [f64; 4],
    pub dest: Option<(usize, f64)>,
    pub uri: Option<String>,
}

/// An outline entry: its depth (0 for the top level), title and 0-based
/// destination page.
#[derive(Debug, Clone, PartialEq)]
pub struct Bookmark {
    pub depth: usize,
    pub title: String,
    pub page: usize,
    pub open: bool,
}

/// What qpdf reads from a PDF: page labels as printed, links per page,
/// and the outline in reading order.
pub struct PdfFile {
    pub labels: Vec<String>,
    pub links: Vec<Vec<Link>>,
    pub outline: Vec<Bookmark>,
}

pub fn read_pdf(pdf: &Path) -> PdfFile {
    let json = tool(
        "qpdf",
        &[
            "--json=2",
            "--json-key=pages",
            "--json-key=outlines",
            "--json-key=qpdf",
        ],
        pdf,
    );
    let root: Value = serde_json::from_str(&json).expect("qpdf JSON");
    let objects = &root["qpdf"][1];
    let resolve = |v: &Value| -> Value {
        match v.as_str() {
            Some(r) if r.ends_with(" R") => objects[format!("obj:{r}")]["value"].clone(),
            _ => v.clone(),
        }
    };
    let pages = root["pages"].as_array().expect("pages");
    let page_index =
        |object: &Value| -> Option<usize> { pages.iter().position(|p| p["object"] == *object) };
    let mut labels = Vec::new();
    let mut links = Vec::new();
    for page in pages {
        let label = &page["label"];
        let start = label["/St"].as_u64().unwrap_or(1) as u32;
        labels.push(match label["/S"].as_str() {
            Some("/r") => roman(start),
            Some("/D") => start.to_string(),
            _ => String::new(),
        });
        let object = resolve(&page["object"]);
        let mut page_links = Vec::new();
        for annot in resolve(&object["/Annots"]).as_array().into_iter().flatten() {
            let annot = resolve(annot);
            if annot["/Subtype"] != "/Link" {
                continue;
            }
            let rect: Vec<f64> = annot["/Rect"]
                .as_array()
                .expect("a rectangle")
                .iter()
                .map(|v| v.as_f64().expect("a number"))
                .collect();
            let dest = resolve(&annot["/Dest"]);
            let dest = dest.as_array().map(|d| {
                (
                    page_index(&d[0]).expect("a page"),
                    d[3].as_f64().unwrap_or(0.0),
                )
            });
            let uri = resolve(&annot["/A"])["/URI"]
                .as_str()
                .map(|u| u.trim_start_matches("u:").to_string());
            page_links.push(Link {
                rect: [rect[0], rect[1], rect[2], rect[3]],
                dest,
                uri,
            });
        }
        links.push(page_links);
    }
    let mut outline = Vec::new();
    fn walk(entries: &Value, depth: usize, out: &mut Vec<Bookmark>) {
        for e in entries.as_array().into_iter().flatten() {
            out.push(Bookmark {
                depth,
                title: e["title"].as_str().unwrap_or("").to_string(),
                page: e["destpageposfrom1"].as_u64().unwrap_or(0) as usize - 1,
                open: e["open"].as_bool().unwrap_or(false),
            });
            walk(&e["kids"], depth + 1, out);
        }
    }
    walk(&root["outlines"], 0, &mut outline);
    PdfFile {
        labels,
        links,
        outline,
    }
}

/// Lower-case roman numerals, as PDF viewers show `/r` page labels.
pub fn roman(mut n: u32) -> String {
    let table = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for (value, digits) in table {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

/// The entries of a table of contents in reading order, with depth.
pub fn flatten(toc: &[TocEntry]) -> Vec<(usize, &TocEntry)> {
    fn walk<'a>(entries: &'a [TocEntry], depth: usize, out: &mut Vec<(usize, &'a TocEntry)>) {
        for e in entries {
            out.push((depth, e));
            walk(&e.children, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(toc, 0, &mut out);
    out
}
