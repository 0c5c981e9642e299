//! The command line as a user meets it: the main commands, and one clear
//! located message (never a panic) for each kind of bad input.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::cli::{stderr, write};

fn inkstone(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_inkstone"))
        .args(args)
        .output()
        .expect("run inkstone")
}

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    support::cli::scratch("cli", name)
}

/// Asserts a failed run with exactly one error, and no panic: its header
/// says `words` or its hint does, it points at `prefix` (`file:line:col`,
/// optionally followed by `: error:`), and, when the place has a line, the
/// source line is shown with a caret under it.
fn assert_error(output: &Output, prefix: &str, words: &str) {
    let err = stderr(output);
    assert!(
        !output.status.success(),
        "expected failure, got success; stderr:\n{err}"
    );
    assert_ne!(output.status.code(), Some(101), "inkstone panicked:\n{err}");
    assert!(!err.contains("panicked"), "inkstone panicked:\n{err}");
    let lines: Vec<&str> = err.lines().collect();
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("error: "))
        .collect();
    assert_eq!(starts.len(), 1, "one error expected:\n{err}");
    let block: Vec<&str> = lines[starts[0]..]
        .iter()
        .take_while(|l| !l.starts_with("note: ") && !l.starts_with("warning: "))
        .copied()
        .collect();
    let text = block.join("\n");
    let location = prefix.strip_suffix(" error:").unwrap_or(prefix);
    let location = location.strip_suffix(':').unwrap_or(location);
    assert_eq!(
        block.get(1).map(|l| l.trim_start()),
        Some(format!("--> {location}").as_str()),
        "the error should point at {location}:\n{err}"
    );
    let has_line = location
        .rsplit(':')
        .next()
        .is_some_and(|n| n.parse::<u32>().is_ok());
    if has_line {
        assert!(
            block
                .iter()
                .any(|l| l.trim_start().starts_with("| ") && l.contains('^')),
            "the source line with a caret should be shown:\n{err}"
        );
    }
    assert!(text.contains(words), "error should say {words:?}:\n{err}");
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
    assert!(
        stderr(&out).contains("= help: did you mean `authors`?"),
        "{}",
        stderr(&out)
    );
    assert_error(
        &out,
        &format!("{}:3:1: error:", dir.join("book.toml").display()),
        "unknown key `author`",
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
    let out = inkstone(&[
        "check",
        "--all",
        "--diagnostic-format",
        "short",
        "tests/cases/punctuation/input.txt",
    ]);
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

#[test]
fn check_counts_each_rule_and_lists_places_with_all() {
    let input = "tests/cases/punctuation/input.txt";
    let out = inkstone(&["check", input]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let rule = err
        .lines()
        .find(|l| l.contains("× ellipsis written as ……"))
        .unwrap_or_else(|| panic!("a line for the ellipsis rule:\n{err}"));
    assert!(
        rule.starts_with("note: 2 × ") && rule.contains(&format!("first at {input}:3:10")),
        "{rule}"
    );
    assert!(!err.contains(&format!("{input}:3:21")), "{err}");
    let out = inkstone(&["check", "--all", input]);
    let err = stderr(&out);
    assert!(err.contains(&format!("--> {input}:3:21")), "{err}");
    assert!(!err.contains("× ellipsis"), "{err}");
}

#[test]
fn a_private_use_character_is_shown_as_its_code_point() {
    let dir = scratch("private-use");
    let path = dir.join("rare.txt");
    write(&path, "标题\n有一个没有字形的字：\u{E7B1}。\n");
    let out = inkstone(&[
        "build",
        "--out-dir",
        dir.join("out").to_str().unwrap(),
        "--allow-missing-glyphs",
        path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("no font has the character U+E7B1\n"), "{err}");
    assert!(err.contains("2 | 有一个没有字形的字：U+E7B1。"), "{err}");
    assert!(!err.contains('\u{E7B1}'), "{err}");
    assert!(err.contains("private-use code point"), "{err}");
}

fn inspect_json(args: &[&str]) -> serde_json::Value {
    let out = inkstone(args);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn a_single_file_takes_title_author_style_format_and_encoding_from_flags() {
    let dir = scratch("single-flags");
    let path = dir.join("稿件.txt");
    let (gbk, _, _) = encoding_rs::GBK.encode("# 原来的标题\n\n第一段正文。\n");
    write(&path, &gbk);
    let file = path.to_str().unwrap();
    // Without flags: a plain-text title line, UTF-8 fails or is guessed.
    let plain = inspect_json(&["inspect", "--encoding", "gbk", file]);
    assert_eq!(plain["metadata"]["title"], "# 原来的标题");
    let json = inspect_json(&[
        "inspect",
        "--title",
        "新的书名",
        "--subtitle",
        "副题",
        "--author",
        "甲",
        "--author",
        "乙",
        "--style",
        "a5-book",
        "--input-format",
        "markdown",
        "--encoding",
        "gbk",
        file,
    ]);
    assert_eq!(json["metadata"]["title"], "新的书名");
    assert_eq!(json["metadata"]["subtitle"], "副题");
    assert_eq!(json["metadata"]["authors"], serde_json::json!(["甲", "乙"]));
    assert_eq!(json["settings"]["pdf_style"], "a5-book");
    assert_eq!(
        json["chapters"][0]["title"]["content"][0]["text"],
        "原来的标题"
    );
    // An unknown encoding label is an error, not a guess.
    let out = inkstone(&["inspect", "--encoding", "gbk2312", file]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("unknown encoding `gbk2312` given with --encoding"));
}

#[test]
fn a_single_file_uses_the_book_toml_beside_it_or_the_one_named() {
    let dir = scratch("single-config");
    write(
        &dir.join("book.toml"),
        "[book]\npublisher = \"青川文史出版社\"\nslug = \"whole-book\"\n\n[contents]\nchapters = [\"other.txt\"]\n",
    );
    write(&dir.join("一篇.txt"), "一篇文章\n正文。\n");
    let json = inspect_json(&["inspect", dir.join("一篇.txt").to_str().unwrap()]);
    assert_eq!(json["metadata"]["publisher"], "青川文史出版社");
    // The book's slug and contents are not the file's.
    assert_ne!(json["settings"]["slug"], "whole-book");
    assert_eq!(json["chapters"].as_array().map(Vec::len), Some(1));
    let other = scratch("single-config-named");
    write(&other.join("文.txt"), "另一篇\n正文。\n");
    let plain = inspect_json(&["inspect", other.join("文.txt").to_str().unwrap()]);
    assert!(plain["metadata"]["publisher"].is_null());
    let named = inspect_json(&[
        "inspect",
        "--config",
        dir.join("book.toml").to_str().unwrap(),
        other.join("文.txt").to_str().unwrap(),
    ]);
    assert_eq!(named["metadata"]["publisher"], "青川文史出版社");
}

#[test]
fn single_file_flags_on_a_book_folder_are_an_error() {
    let out = inkstone(&["check", "--title", "书", "sources"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("are for a single file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn hints_for_a_single_file_name_the_flags() {
    let dir = scratch("single-hints");
    let path = dir.join("bad.txt");
    let mut bytes = "标题行在这里\n第二行的正文内容写在这里".as_bytes().to_vec();
    bytes.extend_from_slice(&[0xFF, 0xFE]);
    bytes.extend_from_slice("继续写。\n".as_bytes());
    write(&path, bytes);
    let out = inkstone(&["check", path.to_str().unwrap()]);
    let err = stderr(&out);
    assert!(err.contains("--encoding"), "{err}");
    assert!(!err.contains("in book.toml"), "{err}");
    // With a book.toml beside the file, the hint names its key.
    write(&dir.join("book.toml"), "[book]\ntitle = \"书\"\n");
    let err = stderr(&inkstone(&["check", path.to_str().unwrap()]));
    assert!(err.contains("in book.toml"), "{err}");
}

/// The text of the chapter files in an EPUB.
fn epub_text(path: &Path) -> String {
    let file = std::fs::File::open(path).expect("the EPUB");
    let mut archive = zip::ZipArchive::new(file).expect("a zip");
    let mut text = String::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("an entry");
        if entry.name().is_ok_and(|n| n.ends_with(".xhtml")) {
            std::io::Read::read_to_string(&mut entry, &mut text).expect("XHTML");
        }
    }
    text
}

/// Waits up to `seconds` for `done`, checking every 100 ms.
fn wait_for(seconds: u64, mut done: impl FnMut() -> bool) -> bool {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while std::time::Instant::now() < until {
        if done() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    false
}

#[test]
fn watch_rebuilds_when_a_chapter_or_book_toml_changes() {
    let dir = scratch("watch");
    let book = dir.join("book");
    std::fs::create_dir_all(&book).expect("book folder");
    write(
        &book.join("book.toml"),
        "[book]\ntitle = \"观察\"\nslug = \"watched\"\n\n[contents]\nchapters = [\"01.txt\"]\n",
    );
    write(&book.join("01.txt"), "第一章 开篇\n最初写下的段落。\n");
    let out = dir.join("out");
    let epub = out.join("watched.epub");
    let mut child = Command::new(env!("CARGO_BIN_EXE_inkstone"))
        .args(["watch", "--format", "epub", "--out-dir"])
        .arg(&out)
        .arg(&book)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start inkstone watch");
    let first = wait_for(60, || epub_has(&epub, "最初写下的段落"));
    // The chapter changes: the book is rebuilt with the new text.
    write(&book.join("01.txt"), "第一章 开篇\n改过以后的段落。\n");
    let second = first && wait_for(60, || epub_has(&epub, "改过以后的段落"));
    // book.toml changes: the new title is used.
    write(
        &book.join("book.toml"),
        "[book]\ntitle = \"改名以后\"\nslug = \"watched\"\n\n[contents]\nchapters = [\"01.txt\"]\n",
    );
    let third = second && wait_for(60, || epub_has(&epub, "改名以后"));
    let _ = child.kill();
    let _ = child.wait();
    assert!(first, "the first build did not happen");
    assert!(second, "an edited chapter was not rebuilt");
    assert!(third, "an edited book.toml was not rebuilt");
}

fn epub_has(epub: &Path, text: &str) -> bool {
    // The file is replaced whole (by a rename), so a reader never sees it
    // half-written.
    epub.is_file() && epub_text(epub).contains(text)
}

#[test]
fn a_problem_both_formats_find_is_reported_once() {
    let dir = scratch("reported-once");
    let path = dir.join("图.md");
    write(&path, "# 题\n\n正文。\n\n![图一](nope.png)\n");
    let out = inkstone(&[
        "build",
        "--out-dir",
        dir.join("out").to_str().unwrap(),
        path.to_str().unwrap(),
    ]);
    assert_error(&out, &format!("{}:5:1", path.display()), "nope.png");
    assert!(!dir.join("out").exists(), "nothing is written");
}

/// Runs inkstone under `script`, so that it writes to a terminal as a
/// user sees it; returns what was written and how long it took.
fn on_a_terminal(args: &[&str]) -> (String, std::time::Duration) {
    let command = std::iter::once(env!("CARGO_BIN_EXE_inkstone"))
        .chain(args.iter().copied())
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let started = std::time::Instant::now();
    let output = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("COLUMNS", "100")
        .output()
        .unwrap_or_else(|e| panic!("`script` could not be run ({e}); install bsdutils"));
    let elapsed = started.elapsed();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        elapsed,
    )
}

#[test]
fn a_long_build_shows_what_is_laid_out_and_the_time_and_a_short_one_nothing() {
    let dir = scratch("progress");
    let book = dir.join("book");
    std::fs::create_dir_all(&book).expect("book folder");
    let chapter = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sources/2025/01-overview.txt"),
    )
    .expect("a chapter of the sample edition");
    write(
        &book.join("book.toml"),
        "[book]\ntitle = \"长书\"\nslug = \"long\"\n\n[contents]\nchapters = [\"c*.txt\"]\n",
    );
    let out = dir.join("out");
    // A book long enough to take over a second and a half here: the
    // chapters double until it does.
    let mut chapters = 0;
    let shown = loop {
        let more = (chapters * 2).max(120);
        for n in chapters + 1..=more {
            write(&book.join(format!("c{n:04}.txt")), &chapter);
        }
        chapters = more;
        let (shown, elapsed) = on_a_terminal(&[
            "build",
            "-f",
            "pdf",
            "-o",
            out.to_str().unwrap(),
            book.to_str().unwrap(),
        ]);
        if elapsed.as_secs_f32() > 1.5 {
            break shown;
        }
        assert!(chapters < 4000, "builds stay too short to show progress");
    };
    assert!(shown.contains(" laid out"), "{shown}");
    assert!(shown.contains(" 1s "), "the elapsed time: {shown}");
    // A short build prints what it wrote and nothing else. (When the
    // machine is so busy that it takes over a second, the bar may show.)
    let short = dir.join("short.txt");
    write(&short, "短文\n一段正文。\n");
    let (shown, elapsed) = on_a_terminal(&[
        "build",
        "-o",
        out.to_str().unwrap(),
        short.to_str().unwrap(),
    ]);
    assert!(shown.contains("wrote"), "{shown}");
    if elapsed.as_secs_f32() < 0.9 {
        assert!(
            !shown.contains("laid out") && !shown.contains("rendering"),
            "{shown}"
        );
    }
}

/// `inkstone inspect book.txt | head`: when the reader of standard output
/// stops reading, the listing ends quietly, without a panic.
#[test]
fn a_closed_pipe_ends_inspect_quietly() {
    let dir = scratch("closed-pipe");
    // Enough paragraphs that the model's JSON overflows a pipe's buffer.
    let text: String = (0..3000)
        .map(|k| format!("第{k}段，河堤上的柳树又发了新芽，渡口的船工说今年水大。\n\n"))
        .collect();
    let file = dir.join("long.txt");
    write(&file, text);
    let mut child = Command::new(env!("CARGO_BIN_EXE_inkstone"))
        .arg("inspect")
        .arg(&file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run inkstone");
    // Read one chunk, then close the pipe, as `head` does.
    let mut first = [0u8; 16];
    let mut out = child.stdout.take().expect("stdout");
    std::io::Read::read_exact(&mut out, &mut first).expect("some output");
    drop(out);
    let output = child.wait_with_output().expect("wait");
    let err = stderr(&output);
    assert!(!err.contains("panicked"), "inkstone panicked:\n{err}");
    assert_ne!(output.status.code(), Some(101), "{err}");
    assert!(output.status.success(), "{err}");
}
