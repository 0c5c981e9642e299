//! Golden tests: one per class of error in the README's list of problems.
//! Each shows the message, the source line with a caret under the place
//! and the hint, exactly as a user sees it (without colour). After a
//! deliberate change, review and accept the new output with
//! `UPDATE=1 cargo test --test diagnostics`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh folder holding `files` (name, bytes).
fn fixture(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("diagnostics")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    for (file, bytes) in files {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("fixture folder");
        std::fs::write(path, bytes).expect("fixture file");
    }
    std::fs::create_dir_all(&dir).expect("fixture folder");
    dir
}

/// Runs inkstone in `dir` with `args` and compares what it prints on
/// standard error with `tests/diagnostics/<name>.txt`; the run must fail.
fn golden(name: &str, dir: &Path, args: &[&str]) {
    let output = Command::new(env!("CARGO_BIN_EXE_inkstone"))
        .args(["--color", "never"])
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("run inkstone");
    let err = String::from_utf8(output.stderr).expect("UTF-8 messages");
    assert_eq!(output.status.code(), Some(1), "{name}: exit code\n{err}");
    let expected_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/diagnostics")
        .join(format!("{name}.txt"));
    if std::env::var_os("UPDATE").is_some() {
        std::fs::write(&expected_path, &err).expect("write the golden file");
        return;
    }
    let expected = std::fs::read_to_string(&expected_path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE=1", expected_path.display()));
    assert_eq!(
        err,
        expected,
        "{name}: output differs from {}",
        expected_path.display()
    );
}

/// Asserts that the output shows the source line `line` and a caret.
fn assert_caret(name: &str, line: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/diagnostics")
        .join(format!("{name}.txt"));
    let text = std::fs::read_to_string(&path).expect("golden file");
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.ends_with(line) && l.contains(" | "))
        .unwrap_or_else(|| panic!("{name}: the source line {line:?} is not shown:\n{text}"));
    assert!(
        lines.get(at + 1).is_some_and(|l| l.contains('^')),
        "{name}: no caret under the source line:\n{text}"
    );
}

const CHAPTER: &[u8] = "标题\n第一段正文。\n".as_bytes();

fn book(toml: &str) -> Vec<(String, Vec<u8>)> {
    vec![
        ("book.toml".into(), toml.as_bytes().to_vec()),
        ("01.txt".into(), CHAPTER.to_vec()),
    ]
}

fn dir_of(name: &str, files: &[(String, Vec<u8>)]) -> PathBuf {
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    fixture(name, &borrowed)
}

#[test]
fn unknown_key_in_book_toml() {
    let dir = dir_of(
        "unknown-key",
        &book("[book]\ntitle = \"书\"\nauthor = [\"甲\"]\n\n[contents]\nchapters = [\"01.txt\"]\n"),
    );
    golden("unknown-key", &dir, &["check", "."]);
    assert_caret("unknown-key", "author = [\"甲\"]");
}

#[test]
fn value_of_the_wrong_kind_in_book_toml() {
    let dir = dir_of(
        "wrong-kind",
        &book(
            "[book]\ntitle = \"书\"\nyear = \"二〇二五\"\n\n[contents]\nchapters = [\"01.txt\"]\n",
        ),
    );
    golden("wrong-kind", &dir, &["check", "."]);
    assert_caret("wrong-kind", "year = \"二〇二五\"");
}

#[test]
fn value_out_of_range_in_book_toml() {
    let dir = dir_of(
        "out-of-range",
        &book("[book]\ntitle = \"书\"\n\n[contents]\nchapters = [\"01.txt\"]\n\n[style]\ntoc-depth = 9\n"),
    );
    golden("out-of-range", &dir, &["check", "."]);
    assert_caret("out-of-range", "toc-depth = 9");
}

#[test]
fn missing_chapter_file() {
    let dir = dir_of(
        "missing-chapter",
        &book("[book]\ntitle = \"书\"\n\n[contents]\nchapters = [\"01.txt\", \"02.txt\"]\n"),
    );
    golden("missing-chapter", &dir, &["check", "."]);
    assert_caret("missing-chapter", "chapters = [\"01.txt\", \"02.txt\"]");
}

#[test]
fn pattern_that_matches_no_file() {
    let dir = dir_of(
        "no-match",
        &book("[book]\ntitle = \"书\"\n\n[contents]\nchapters = [\"01.txt\", \"part2/*.md\"]\n"),
    );
    golden("no-match", &dir, &["check", "."]);
    assert_caret("no-match", "chapters = [\"01.txt\", \"part2/*.md\"]");
}

#[test]
fn unknown_encoding_label() {
    let dir = dir_of(
        "encoding-label",
        &book("[book]\ntitle = \"书\"\n\n[contents]\nchapters = [\n    { file = \"01.txt\", encoding = \"gbk2312\" },\n]\n"),
    );
    golden("encoding-label", &dir, &["check", "."]);
    assert_caret(
        "encoding-label",
        "{ file = \"01.txt\", encoding = \"gbk2312\" },",
    );
}

#[test]
fn bytes_that_do_not_decode() {
    let mut bytes = "标题行在这里\n第二行的正文内容写在这里".as_bytes().to_vec();
    bytes.extend_from_slice(&[0xFF, 0xFE]);
    bytes.extend_from_slice("继续写。\n".as_bytes());
    let dir = fixture("bad-bytes", &[("bad.txt", &bytes)]);
    golden("bad-bytes", &dir, &["check", "bad.txt"]);
}

#[test]
fn empty_chapter_file() {
    let dir = fixture("empty", &[("empty.txt", " \n\u{3000}\n".as_bytes())]);
    golden("empty", &dir, &["check", "empty.txt"]);
}

#[test]
fn file_of_unknown_format() {
    let dir = dir_of(
        "unknown-format",
        &[
            (
                "book.toml".into(),
                b"[book]\ntitle = \"x\"\n\n[contents]\nchapters = [\"notes.docx\"]\n".to_vec(),
            ),
            ("notes.docx".into(), CHAPTER.to_vec()),
        ],
    );
    golden("unknown-format", &dir, &["check", "."]);
}

#[test]
fn character_no_font_has() {
    let dir = fixture(
        "missing-glyph",
        &[(
            "rare.txt",
            "标题\n这一段里有一个只有专用字库才有的字：\u{E7B1}，其余正常。\n".as_bytes(),
        )],
    );
    golden("missing-glyph", &dir, &["check", "rare.txt"]);
    assert_caret(
        "missing-glyph",
        "这一段里有一个只有专用字库才有的字：U+E7B1，其余正常。",
    );
}

#[test]
fn input_that_does_not_exist() {
    let dir = fixture("missing-input", &[]);
    golden("missing-input", &dir, &["check", "no-such-book.txt"]);
}

#[test]
fn init_into_a_folder_in_use() {
    let dir = fixture("init-not-empty", &[("book/01.txt", CHAPTER)]);
    golden("init-not-empty", &dir, &["init", "book"]);
}

#[test]
fn bleed_that_is_not_applied_yet() {
    let a4 = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/styles/pdf/a4-report.toml"
    ))
    .expect("the built-in style");
    let with_bleed = a4.replacen("size = \"A4\"\n", "size = \"A4\"\n  bleed = 3\n", 1);
    assert_ne!(with_bleed, a4);
    let dir = dir_of(
        "bleed",
        &[
            (
                "book.toml".into(),
                b"[book]\ntitle = \"x\"\n\n[contents]\nchapters = [\"01.txt\"]\n\n[style]\npdf = \"print.toml\"\n".to_vec(),
            ),
            ("01.txt".into(), CHAPTER.to_vec()),
            ("print.toml".into(), with_bleed.into_bytes()),
        ],
    );
    golden("bleed", &dir, &["check", "."]);
    assert_caret("bleed", "  bleed = 3");
}

#[test]
fn stylesheet_that_is_not_there() {
    let dir = dir_of(
        "missing-stylesheet",
        &book("[book]\ntitle = \"书\"\n\n[contents]\nchapters = [\"01.txt\"]\n\n[style]\nepub = [\"default\", \"css/extra.css\"]\n"),
    );
    golden("missing-stylesheet", &dir, &["check", "."]);
    assert_caret(
        "missing-stylesheet",
        "epub = [\"default\", \"css/extra.css\"]",
    );
}

#[test]
fn cover_that_is_not_an_image() {
    let mut files = book(
        "[book]\ntitle = \"书\"\ncover = \"cover.png\"\n\n[contents]\nchapters = [\"01.txt\"]\n",
    );
    files.push(("cover.png".into(), b"not a picture\n".to_vec()));
    let dir = dir_of("cover-not-an-image", &files);
    golden("cover-not-an-image", &dir, &["check", "."]);
    assert_caret("cover-not-an-image", "cover = \"cover.png\"");
}
