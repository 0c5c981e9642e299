//! `manifest.json`: what a series build wrote and what it was made from.
//!
//! Per edition: its folder, identifier, year and title, each output file
//! (any format: the list is open to new exporters) with its size, page
//! count and SHA-256, and the SHA-256 of its source files. Keys and lists
//! are in a fixed order, so the same build gives the same manifest, and
//! the partial manifests of a sharded build merge into the one-process
//! manifest byte for byte.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, Failure, Location, Severity};

/// The file name of a series' manifest in the output folder.
pub const MANIFEST_FILE: &str = "manifest.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The inkstone version that built the files.
    pub inkstone: String,
    /// The series' title, when `series.toml` gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    /// `K/N` for the partial manifest of one shard; absent when whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// Files of the series itself (`series.toml`).
    pub sources: Vec<SourceEntry>,
    /// Editions in folder-name order.
    pub editions: Vec<EditionEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditionEntry {
    /// The edition's folder in the series (`2024`).
    pub folder: String,
    pub identifier: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    pub title: String,
    /// Output files, relative to the output folder, with `/`.
    pub files: Vec<FileEntry>,
    /// Source files, relative to the edition folder.
    pub sources: Vec<SourceEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    /// Pages of a paged format (PDF); absent for reflowable ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceEntry {
    pub path: String,
    pub sha256: String,
}

/// The SHA-256 of `bytes` in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

impl FileEntry {
    /// The entry of an output file from its bytes.
    pub fn of(path: &str, bytes: &[u8]) -> FileEntry {
        FileEntry {
            path: path.to_string(),
            size: bytes.len() as u64,
            pages: if path.ends_with(".pdf") {
                pdf_page_count(bytes)
            } else if path.ends_with(".ofd") {
                ofd_page_count(bytes)
            } else {
                None
            },
            sha256: sha256_hex(bytes),
        }
    }
}

/// The page count of a PDF as krilla writes it: the `/Count` of the one
/// page tree node.
pub fn pdf_page_count(pdf: &[u8]) -> Option<u32> {
    let at = find(pdf, b"/Type/Pages", 0).or_else(|| find(pdf, b"/Type /Pages", 0))?;
    let start = rfind(&pdf[..at], b"<<")?;
    let end = find(pdf, b">>", at)?;
    let object = &pdf[start..end];
    let count = find(object, b"/Count", 0)? + 6;
    let digits: String = object[count..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| char::from(b))
        .collect();
    digits.parse().ok()
}

/// The page count of an OFD package: the `Page` entries of the `Pages`
/// list in `Doc_0/Document.xml`.
pub fn ofd_page_count(ofd: &[u8]) -> Option<u32> {
    use quick_xml::events::Event;
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(ofd)).ok()?;
    let mut xml = Vec::new();
    zip.by_name("Doc_0/Document.xml")
        .ok()?
        .read_to_end(&mut xml)
        .ok()?;
    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    let mut buf = Vec::new();
    let (mut in_pages, mut count) = (false, 0u32);
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == "Pages" => in_pages = true,
            Event::End(e) if e.local_name().as_ref() == "Pages" => in_pages = false,
            Event::Start(e) | Event::Empty(e) if in_pages && e.local_name().as_ref() == "Page" => {
                count += 1;
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Some(count)
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

impl Manifest {
    /// The manifest as written: pretty JSON with a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text.into_bytes()
    }

    /// Reads a manifest file.
    pub fn read(path: &Path) -> Result<Manifest, Failure> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::io(path, "read the manifest", &e))?;
        serde_json::from_str(&text).map_err(|e| {
            Diagnostic::error(
                Location::new(path, e.line() as u32, e.column() as u32),
                format!("the manifest cannot be read: {e}"),
            )
            .with_hint("give a manifest.json written by `inkstone build SERIES`")
            .into()
        })
    }

    /// Joins the partial manifests of a sharded build into one, as the
    /// one-process build writes it. The parts must come from the same
    /// inkstone and series, and an edition may be in one part only.
    pub fn merge(parts: &[Manifest]) -> Result<Manifest, Failure> {
        let Some(first) = parts.first() else {
            return Err(error("no manifest to merge".into()));
        };
        let mut editions: Vec<EditionEntry> = Vec::new();
        for part in parts {
            if part.inkstone != first.inkstone
                || part.series != first.series
                || part.sources != first.sources
            {
                return Err(error(format!(
                    "the manifests come from different builds (inkstone {} and {}, or another series.toml)",
                    first.inkstone, part.inkstone
                )));
            }
            for edition in &part.editions {
                if editions.iter().any(|e| e.folder == edition.folder) {
                    return Err(error(format!(
                        "the edition `{}` is in two manifests",
                        edition.folder
                    )));
                }
                editions.push(edition.clone());
            }
        }
        editions.sort_by(|a, b| a.folder.cmp(&b.folder));
        Ok(Manifest {
            inkstone: first.inkstone.clone(),
            series: first.series.clone(),
            shard: None,
            sources: first.sources.clone(),
            editions,
        })
    }

    /// Compares the files under `out_dir` with the manifest: one error per
    /// file that is missing or changed.
    pub fn verify_files(&self, out_dir: &Path) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for edition in &self.editions {
            for file in &edition.files {
                let path = out_dir.join(&file.path);
                match std::fs::read(&path) {
                    Ok(bytes) => {
                        let now = FileEntry::of(&file.path, &bytes);
                        if now.sha256 != file.sha256 || now.size != file.size {
                            out.push(
                                Diagnostic::error(
                                    Location::file(&path),
                                    format!(
                                        "the file differs from the manifest ({} bytes, SHA-256 {}; recorded {} bytes, {})",
                                        now.size, now.sha256, file.size, file.sha256
                                    ),
                                )
                                .with_hint("rebuild the edition, or restore the file from the archive"),
                            );
                        }
                    }
                    Err(e) => out.push(
                        Diagnostic::error(
                            Location::file(&path),
                            format!("the file in the manifest cannot be read: {e}"),
                        )
                        .with_hint("rebuild the edition, or restore the file from the archive"),
                    ),
                }
            }
        }
        out
    }
}

impl Manifest {
    /// Compares the sources under `series_dir` with the manifest: one
    /// error per source file that changed since the build (the files
    /// recorded no longer show what the sources say).
    pub fn verify_sources(&self, series_dir: &Path) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let mut check = |path: std::path::PathBuf, recorded: &str| {
            let now = std::fs::read(&path).map(|b| sha256_hex(&b));
            if now.as_deref().ok() != Some(recorded) {
                out.push(
                    Diagnostic::error(
                        Location::file(&path),
                        "the source file changed since the build recorded in the manifest",
                    )
                    .with_hint("build the series again, or restore the source from the archive"),
                );
            }
        };
        for source in &self.sources {
            check(series_dir.join(&source.path), &source.sha256);
        }
        for edition in &self.editions {
            for source in &edition.sources {
                check(
                    series_dir.join(&edition.folder).join(&source.path),
                    &source.sha256,
                );
            }
        }
        out
    }
}

fn error(message: String) -> Failure {
    Failure::new(Diagnostic::new(Severity::Error, None, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_text() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn ofd_pages_are_the_page_entries_of_the_document() {
        use std::io::Write;
        let package = |document: &str| {
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            zip.start_file(
                "Doc_0/Document.xml",
                zip::write::SimpleFileOptions::default(),
            )
            .expect("zip");
            zip.write_all(document.as_bytes()).expect("zip");
            zip.finish().expect("zip").into_inner()
        };
        let three = "<ofd:Document xmlns:ofd=\"http://www.ofdspec.org/2016\"><ofd:CommonData/>\
            <ofd:Pages><ofd:Page ID=\"2\" BaseLoc=\"Pages/Page_0/Content.xml\"/>\
            <ofd:Page ID=\"3\" BaseLoc=\"Pages/Page_1/Content.xml\"/>\
            <ofd:Page ID=\"4\" BaseLoc=\"Pages/Page_2/Content.xml\"/></ofd:Pages>\
            <ofd:Outlines><ofd:OutlineElem Title=\"Page\"/></ofd:Outlines></ofd:Document>";
        assert_eq!(ofd_page_count(&package(three)), Some(3));
        assert_eq!(FileEntry::of("2024/a.ofd", &package(three)).pages, Some(3));
        assert_eq!(FileEntry::of("2024/a.epub", &package(three)).pages, None);
        assert_eq!(ofd_page_count(b"not a zip"), None);
    }

    #[test]
    fn merge_orders_editions_and_refuses_duplicates() {
        let edition = |folder: &str| EditionEntry {
            folder: folder.into(),
            identifier: format!("urn:x:{folder}"),
            year: None,
            title: folder.into(),
            files: Vec::new(),
            sources: Vec::new(),
        };
        let part = |shard: &str, folders: &[&str]| Manifest {
            inkstone: "1".into(),
            series: None,
            shard: Some(shard.into()),
            sources: Vec::new(),
            editions: folders.iter().map(|f| edition(f)).collect(),
        };
        let merged = Manifest::merge(&[part("1/2", &["2024"]), part("0/2", &["2023", "2025"])])
            .expect("merges");
        let folders: Vec<_> = merged.editions.iter().map(|e| e.folder.as_str()).collect();
        assert_eq!(folders, ["2023", "2024", "2025"]);
        assert_eq!(merged.shard, None);
        assert!(Manifest::merge(&[part("0/2", &["2023"]), part("1/2", &["2023"])]).is_err());
    }
}
