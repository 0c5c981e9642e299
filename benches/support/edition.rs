//! Generates an N-chapter edition from the sample edition in `sources/2025/`,
//! for benchmarks: deterministic, about 6.75 KB of text per chapter (the
//! size of a real yearly work summary), so 200 chapters make 1.35 MB.

use std::fmt::Write as _;
use std::path::Path;

/// Bytes of text per generated chapter.
pub const CHAPTER_BYTES: usize = 6_750;

/// Writes `book.toml` and `chapters` chapter files into `dir`; returns the
/// total bytes of chapter text.
pub fn write_edition(sources: &Path, dir: &Path, chapters: usize) -> std::io::Result<usize> {
    let templates = [
        (
            "txt",
            std::fs::read_to_string(sources.join("01-overview.txt"))?,
        ),
        (
            "md",
            std::fs::read_to_string(sources.join("02-digital.md"))?,
        ),
        (
            "txt",
            std::fs::read_to_string(sources.join("03-rules.txt"))?,
        ),
    ];
    std::fs::create_dir_all(dir.join("chapters"))?;
    let mut total = 0;
    let mut list = String::new();
    for n in 1..=chapters {
        let (ext, template) = &templates[(n - 1) % templates.len()];
        let text = grow(template, *ext == "md", n);
        let name = format!("chapters/{n:04}.{ext}");
        std::fs::write(dir.join(&name), &text)?;
        total += text.len();
        let _ = writeln!(list, "    \"{name}\",");
    }
    let toml = format!(
        "[book]\ntitle = \"青川年度工作综述汇编\"\nsubtitle = \"{chapters}篇\"\nauthors = [\"青川市地方志编纂室\"]\nyear = 2025\nslug = \"edition-{chapters}\"\n\n[contents]\nchapters = [\n{list}]\n\n[style]\npdf = \"a4-report\"\ntoc-depth = 2\n"
    );
    std::fs::write(dir.join("book.toml"), toml)?;
    Ok(total)
}

/// The template with its title numbered and its body repeated until the
/// chapter reaches [`CHAPTER_BYTES`].
fn grow(template: &str, markdown: bool, n: usize) -> String {
    let (title, body) = template.split_once('\n').unwrap_or((template, ""));
    let number = format!("（{n}）");
    let title = match title.split_once(" ——") {
        Some((main, subtitle)) => format!("{main}{number} ——{subtitle}"),
        None => format!("{title}{number}"),
    };
    let mut out = format!("{title}\n");
    // Whole paragraphs (Markdown: whole blocks), cycling through the body.
    let separator = if markdown { "\n\n" } else { "\n" };
    let pieces: Vec<&str> = body
        .split(separator)
        .filter(|p| !p.trim().is_empty() && !p.starts_with("[^"))
        .collect();
    for piece in pieces.iter().cycle() {
        if out.len() >= CHAPTER_BYTES || pieces.is_empty() {
            break;
        }
        out.push_str(piece.trim_end());
        out.push_str(separator);
    }
    out
}
