//! The pipeline's shape: the typesetter knows no output format.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_typesetter_imports_no_pdf_library() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut typeset = Vec::new();
    rust_files(&src.join("typeset"), &mut typeset);
    assert!(typeset.len() > 5, "{typeset:?}");
    for file in &typeset {
        let text = std::fs::read_to_string(file).expect("UTF-8 source");
        assert!(!text.contains("krilla"), "{} names krilla", file.display());
    }
    // The control: the PDF exporter does use it.
    let writer = std::fs::read_to_string(src.join("export/pdf/write.rs")).expect("the writer");
    assert!(writer.contains("use krilla::"));
}

/// What only `src/resolve` (and the stages before it) may do: read a
/// file, the environment or `book.toml`.
const READS: [&str; 8] = [
    "std::fs",
    "fs::",
    "File::open",
    "read_to_string",
    "read_dir",
    "env::var",
    "locate_value",
    "BOOK_FILE",
];

/// Lines allowed to break the rule for now: none (the places of the
/// metadata's characters are found in resolve).
const PENDING: [(&str, &str); 0] = [];

/// The lines of `text` (1-based numbers) that read files, the environment
/// or book.toml, outside comments and `#[cfg(test)]` modules (which may
/// read a sample to test against). `file` is the path under `src/`, for
/// the lines in [`PENDING`].
fn reading_lines(file: &str, text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    while let Some((index, line)) = lines.next() {
        let code = line.trim();
        if code == "#[cfg(test)]" {
            // Skip the test module: from its `mod` line to the brace that
            // closes it.
            let mut depth = 0i64;
            let mut opened = false;
            for (_, inner) in lines.by_ref() {
                depth += inner.matches('{').count() as i64 - inner.matches('}').count() as i64;
                opened |= inner.contains('{');
                if opened && depth <= 0 {
                    break;
                }
            }
            continue;
        }
        if code.starts_with("//") {
            continue;
        }
        let pending = PENDING.iter().any(|&(f, l)| f == file && l == code);
        if !pending && READS.iter().any(|r| code.contains(r)) {
            found.push((index + 1, code.to_string()));
        }
    }
    found
}

#[test]
fn renderers_and_the_typesetter_read_no_file_and_no_book_toml() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src.join("typeset"), &mut files);
    rust_files(&src.join("export"), &mut files);
    assert!(files.len() > 20, "{files:?}");
    let mut offending = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("UTF-8 source");
        let name = file
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        for (line, code) in reading_lines(&name, &text) {
            offending.push(format!("src/{name}:{line}: {code}"));
        }
    }
    assert!(
        offending.is_empty(),
        "read these in src/resolve instead:\n{}",
        offending.join("\n")
    );
    // The control: resolve does read the files, and the checker sees it.
    let resolve = std::fs::read_to_string(src.join("resolve/images.rs")).expect("resolve");
    assert!(!reading_lines("resolve/images.rs", &resolve).is_empty());
}

#[test]
fn the_file_read_checker_flags_a_planted_read() {
    let clean = "use crate::model::Document;\n\
                 // std::fs is named in a comment only\n\
                 pub fn f(doc: &Document) -> usize { doc.chapters.len() }\n\
                 #[cfg(test)]\n\
                 mod tests {\n    fn sample() -> String {\n        std::fs::read_to_string(\"x\").unwrap()\n    }\n}\n";
    assert_eq!(reading_lines("export/x.rs", clean), Vec::new());
    for planted in [
        "    let css = std::fs::read_to_string(&path)?;",
        "    let bytes = fs::read(path)?;",
        "    let file = File::open(&path)?;",
        "    let at = crate::config::locate_value(&toml, name);",
        "    let toml = base.join(BOOK_FILE);",
        "    let epoch = std::env::var(\"SOURCE_DATE_EPOCH\");",
    ] {
        // Before the test module and after it: both are found.
        let before = clean.replacen("#[cfg(test)]", &format!("{planted}\n#[cfg(test)]"), 1);
        assert_eq!(
            reading_lines("export/x.rs", &before),
            vec![(4, planted.trim().to_string())],
            "{planted}"
        );
        let after = format!("{clean}{planted}\n");
        assert_eq!(
            reading_lines("export/x.rs", &after).len(),
            1,
            "{planted} after the tests"
        );
    }
    // Nothing is pending: `book.toml` named in the front matter is found.
    let named = "    crate::config::BOOK_FILE\n";
    assert_eq!(reading_lines("typeset/front.rs", named).len(), 1);
    assert_eq!(reading_lines("typeset/style.rs", named).len(), 1);
}
