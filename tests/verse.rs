//! Verse read from plain text, as a reader sees it in the built files: in
//! the EPUB a `div.verse` with one element per line and a `div.stanza` per
//! stanza; in the PDF each line on its own line, indented, at its natural
//! width, with a blank line between stanzas.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

fn build(name: &str) -> PathBuf {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("verse-{name}"));
    let _ = std::fs::remove_dir_all(&out);
    let output = Command::new(env!("CARGO_BIN_EXE_inkstone"))
        .args(["build", "-q", "tests/cases/novel-verse/input.txt", "-o"])
        .arg(&out)
        .output()
        .expect("run inkstone");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

#[test]
fn epub_verse_keeps_lines_and_stanzas() {
    let out = build("epub");
    let file = std::fs::File::open(out.join("input.epub")).expect("epub");
    let mut zip = zip::ZipArchive::new(file).expect("zip");
    let mut xhtml = String::new();
    zip.by_name("EPUB/ch01.xhtml")
        .expect("chapter")
        .read_to_string(&mut xhtml)
        .expect("read");
    assert_eq!(xhtml.matches("<div class=\"verse\">").count(), 3, "{xhtml}");
    assert_eq!(xhtml.matches("<div class=\"stanza\">").count(), 2);
    for line in [
        "<p>山色青如染</p>",
        "<p>清光正满天</p>",
        "<p>浮云终有散，明月自当圆。</p>",
    ] {
        assert!(xhtml.contains(line), "{line}");
    }
    // The prose after a poem is not one of its lines (negative control).
    let last = &xhtml[xhtml.rfind("<div class=\"verse\">").expect("verse")..];
    let inner = &last[..last.find("</div>").expect("end of verse")];
    assert!(
        inner.contains("浮云终有散") && !inner.contains("青崖听了"),
        "{inner}"
    );
    assert!(xhtml.contains("<p>青崖听了"));
}

/// Words of the first page with their box: (text, x0, y0, x1).
fn words(pdf: &Path) -> Vec<(String, f32, f32, f32)> {
    let output = Command::new("pdftotext")
        .args(["-bbox", "-f", "1", "-l", "1"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed");
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let attr = |line: &str, name: &str| -> f32 {
        let start = line.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
        let end = start + line[start..].find('"').expect("quote");
        line[start..end].parse().expect("number")
    };
    text.lines()
        .filter(|l| l.trim_start().starts_with("<word"))
        .map(|l| {
            let word =
                l[l.find('>').expect("tag") + 1..l.rfind("</word>").expect("end")].to_string();
            (word, attr(l, "xMin"), attr(l, "yMin"), attr(l, "xMax"))
        })
        .collect()
}

#[test]
fn pdf_verse_lines_are_kept_indented_and_not_stretched() {
    let out = build("pdf");
    let words = words(&out.join("input.pdf"));
    let find = |start: &str| {
        words
            .iter()
            .find(|w| w.0.starts_with(start))
            .unwrap_or_else(|| panic!("{start} not on page 1: {words:?}"))
            .clone()
    };
    let first = find("山色青如染");
    let second = find("溪声细若弦");
    let end_of_stanza = find("来去两悠然");
    let next_stanza = find("倚栏看远树");
    let pitch = second.2 - first.2;
    assert!(pitch > 10.0, "one line per verse line");
    // A blank line between stanzas, none inside one.
    let gap = next_stanza.2 - end_of_stanza.2;
    assert!((gap - 2.0 * pitch).abs() < 1.0, "gap {gap}, pitch {pitch}");
    // Indented: verse starts right of the prose's continuation lines.
    let continuation = find("下来，");
    assert!(first.1 > continuation.1 + 10.0);
    // Not justified: a couplet line keeps its natural width (16 characters)
    // while a full prose line fills the measure.
    let couplet = find("十年一别各西东");
    let full = find("次日天晴");
    let measure = full.3 - continuation.1;
    assert!(couplet.3 - couplet.1 < 0.6 * measure);
    let em = (first.3 - first.1) / 5.0;
    let natural = 16.0 * em;
    assert!(
        (couplet.3 - couplet.1 - natural).abs() < 0.5,
        "couplet {} wide, natural {natural}",
        couplet.3 - couplet.1
    );
}
