//! Careless input found by trying each case of the robustness list again:
//! each fails with a located message and exit code 1, or builds, and
//! `check` says what `build` would.

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::cli::{self, run, stderr, write};

fn scratch(name: &str) -> PathBuf {
    cli::scratch("hostile", name)
}

/// A book in `dir` whose `[fonts] paths` is the folder `fonts`.
fn book_with_font_folder(dir: &Path) {
    write(
        &dir.join("book.toml"),
        "[book]\ntitle = \"字体\"\nslug = \"fonts\"\n\n[fonts]\npaths = [\"fonts\"]\n\n\
         [contents]\nchapters = [\"01.txt\"]\n",
    );
    write(
        &dir.join("01.txt"),
        "第一章 字体\n排版用的字体放在书的文件夹里，和正文一起交给印厂。\n",
    );
    write(&dir.join("fonts/说明.txt"), "这里放书用的字体文件。\n");
}

#[test]
fn a_damaged_font_in_a_font_folder_is_an_error() {
    let root = scratch("font-folder");
    book_with_font_folder(&root.join("book"));
    // A folder with only a note in it is no problem.
    let out = run(&["build", "book", "-o", "out", "--format", "epub"], &root);
    assert!(out.status.success(), "{}", stderr(&out));
    // A download that was cut off, saved under a font's name.
    let mut broken = b"\x00\x01\x00\x00\x00\x0e\x00\x80".to_vec();
    broken.extend(b"download interrupted ".repeat(40));
    write(&root.join("book/fonts/sub/宋体.ttf"), &broken);
    let out = run(&["build", "book", "-o", "out", "--format", "epub"], &root);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.lines()
            .any(|l| l
                .starts_with("book/fonts/sub/宋体.ttf: error: not a font file, or a damaged one")),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn control_characters_are_dropped_alike_by_build_and_check() {
    let root = scratch("controls");
    // Colour codes and a bell, as a terminal log pasted into a text.
    write(
        &root.join("日志.txt"),
        "第一章 \u{1b}[1m值班记录\u{1b}[0m\n夜里两点，机房的报警\u{7}响了一次，值班员查看后复位。\n\n\
         第二天上午更换了风扇。\n",
    );
    let out = run(&["build", "日志.txt", "-o", "out"], &root);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    for place in ["日志.txt:1:1", "日志.txt:2:1"] {
        assert!(
            err.lines()
                .any(|l| l.starts_with(&format!("{place}: warning: dropped"))
                    && l.contains("control character(s)")),
            "{place}: {err}"
        );
    }
    let check = run(&["check", "--all", "日志.txt"], &root);
    let said = stderr(&check);
    assert!(check.status.success(), "{said}");
    assert!(
        said.contains("日志.txt:2:1: warning: dropped 1 control character(s)"),
        "{said}"
    );
    let text = Command::new("pdftotext")
        .arg(root.join("out/日志.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout).replace(char::is_whitespace, "");
    assert!(text.contains("机房的报警响了一次"), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
}
