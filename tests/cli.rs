//! The command line as a user meets it: the main commands, and one clear
//! located message (never a panic) for each kind of bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn inkstone(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_inkstone"))
        .args(args)
        .output()
        .expect("run inkstone")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::write(path, bytes).expect("write fixture");
}

/// Asserts a failed run with exactly one error line that starts with
/// `prefix` and says `words`, and no panic.
fn assert_error(output: &Output, prefix: &str, words: &str) {
    let err = stderr(output);
    assert!(
        !output.status.success(),
        "expected failure, got success; stderr:\n{err}"
    );
    assert_ne!(output.status.code(), Some(101), "inkstone panicked:\n{err}");
    assert!(!err.contains("panicked"), "inkstone panicked:\n{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(errors.len(), 1, "one error line expected:\n{err}");
    assert!(
        errors[0].starts_with(prefix),
        "error should start with {prefix:?}:\n{err}"
    );
    assert!(
        errors[0].contains(words),
        "error should say {words:?}:\n{err}"
    );
}

#[test]
fn missing_chapter_file() {
    let dir = scratch("missing-chapter");
    write(
        &dir.join("book.toml"),
        "[book]\ntitle = \"书\"\n\n[contents]\nchapters = [\"01.txt\", \"02.txt\"]\n",
    );
    write(&dir.join("01.txt"), "标题\n正文。\n");
    let out = inkstone(&["inspect", dir.to_str().unwrap()]);
    let toml = dir.join("book.toml");
    assert_error(
        &out,
        &format!("{}:5:23: error:", toml.display()),
        "chapter file `02.txt` does not exist",
    );
}

#[test]
fn unknown_book_toml_key() {
    let dir = scratch("unknown-key");
    write(
        &dir.join("book.toml"),
        "[book]\ntitle = \"书\"\nauthor = [\"甲\"]\n\n[contents]\nchapters = [\"01.txt\"]\n",
    );
    write(&dir.join("01.txt"), "标题\n正文。\n");
    let out = inkstone(&["check", dir.to_str().unwrap()]);
    assert_error(
        &out,
        &format!("{}:3:1: error:", dir.join("book.toml").display()),
        "unknown key `author` (hint: did you mean `authors`?)",
    );
}

#[test]
fn undecodable_bytes() {
    let dir = scratch("bad-bytes");
    let path = dir.join("bad.txt");
    let mut bytes = "标题行在这里\n第二行的正文内容写在这里".as_bytes().to_vec();
    bytes.extend_from_slice(&[0xFF, 0xFE]);
    bytes.extend_from_slice("继续写。\n".as_bytes());
    write(&path, bytes);
    let out = inkstone(&["inspect", path.to_str().unwrap()]);
    assert_error(
        &out,
        &format!("{}:2:13: error:", path.display()),
        "not valid UTF-8",
    );
}

#[test]
fn empty_file() {
    let dir = scratch("empty");
    let path = dir.join("empty.txt");
    write(&path, " \n\u{3000}\n");
    let out = inkstone(&["inspect", path.to_str().unwrap()]);
    assert_error(
        &out,
        &format!("{}:1:1: error:", path.display()),
        "the file is empty",
    );
}

#[test]
fn missing_input() {
    let out = inkstone(&["inspect", "no-such-book.txt"]);
    assert_error(
        &out,
        "no-such-book.txt: error:",
        "no such file or directory",
    );
}

#[test]
fn inspect_prints_the_model() {
    let out = inkstone(&["inspect", "tests/cases/subtitle-line/input.txt"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(json["version"], 1);
    assert_eq!(json["metadata"]["title"], "书香满城");
    assert_eq!(json["metadata"]["subtitle"], "2025年全民阅读活动回顾");
}

#[test]
fn check_lists_normalizations_with_positions() {
    let out = inkstone(&["check", "tests/cases/punctuation/input.txt"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("tests/cases/punctuation/input.txt:2:3: note: ASCII punctuation in Chinese text made full-width: “:” → “：”"), "{err}");
    assert!(
        err.contains("tests/cases/punctuation/input.txt:3:10: note: ellipsis written as ……"),
        "{err}"
    );
}

#[test]
fn init_writes_a_book_that_loads_and_refuses_to_overwrite() {
    let dir = scratch("init").join("book");
    let out = inkstone(&["init", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = inkstone(&["check", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("1 chapter(s), 2 heading(s)"),
        "{}",
        stderr(&out)
    );
    let before = std::fs::read(dir.join("01.txt")).expect("chapter");
    let out = inkstone(&["init", dir.to_str().unwrap()]);
    assert_error(&out, &format!("{}: error:", dir.display()), "not empty");
    assert_eq!(
        std::fs::read(dir.join("01.txt")).expect("chapter"),
        before,
        "nothing the user wrote is overwritten"
    );
}

#[test]
fn check_reports_characters_no_font_has() {
    let dir = scratch("missing-glyph");
    let path = dir.join("rare.txt");
    write(
        &path,
        "标题\n这一段里有一个没有字形的字：\u{10FFFD}，其余正常。\n",
    );
    let out = inkstone(&["check", path.to_str().unwrap()]);
    assert_error(
        &out,
        &format!("{}:2:15: error:", path.display()),
        "no font has the character",
    );
    assert_eq!(out.status.code(), Some(1));
}
