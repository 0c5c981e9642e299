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
