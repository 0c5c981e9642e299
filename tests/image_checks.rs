//! The images a book names are checked before anything is rendered: every
//! problem once, at the place it is first used, in reading order, with
//! its file, line and column.

mod support;

use std::path::{Path, PathBuf};

use support::cli::{run, scratch, stderr, write, RED_PNG as PNG};

/// A book folder `name` with one chapter `a.md` holding `chapter`, and
/// the image files `images` (name, bytes).
fn book(name: &str, chapter: &str, images: &[(&str, &[u8])]) -> PathBuf {
    let dir = scratch("image-checks", name);
    write(
        &dir.join("book.toml"),
        "[book]\ntitle = \"旧影集\"\nslug = \"photos\"\n\n[contents]\nchapters = [\"a.md\"]\n",
    );
    write(&dir.join("a.md"), chapter);
    for (file, bytes) in images {
        write(&dir.join(file), bytes);
    }
    dir
}

/// Builds the book in `dir` as an EPUB; it must fail without a panic and
/// write nothing. Returns the error lines (`file:line:col: error: …`).
fn errors(dir: &Path) -> Vec<String> {
    let out = run(&["build", ".", "-o", "out", "--format", "epub"], dir);
    let err = stderr(&out);
    assert!(!out.status.success(), "the build must fail:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!dir.join("out").join("photos.epub").exists(), "{err}");
    err.lines()
        .filter(|l| l.contains(": error: "))
        .map(str::to_string)
        .collect()
}

/// The place `a.md:line:col` of the chapter, as messages give it for a
/// book built as `.` from its folder.
fn place(line: u32, column: u32) -> String {
    format!("./a.md:{line}:{column}: error: ")
}

/// Asserts that `found` has one line per expected (place, words), in
/// that order.
fn assert_in_order(found: &[String], expected: &[(String, &str)]) {
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for (line, (start, words)) in found.iter().zip(expected) {
        let starts = line.starts_with(start.as_str());
        assert!(
            starts && line.contains(words),
            "{found:#?}\nexpected {start}… {words}"
        );
    }
}

#[test]
fn two_broken_images_are_reported_in_reading_order() {
    let chapter = "# 第一章 老照片\n\n\
                   村口的合影，摄于一九八三年春。\n\n\
                   ![村口合影](photos/village.png)\n\n\
                   另一张是祠堂，扫描件已经损坏。\n\n\
                   ![祠堂](photos/hall.png)\n";
    let dir = book(
        "two-broken",
        chapter,
        &[("photos/hall.png", b"scanned badly, not a PNG")],
    );
    let found = errors(&dir);
    assert_in_order(
        &found,
        &[
            (place(5, 1), "`photos/village.png` does not exist"),
            (place(9, 1), "cannot use the image `photos/hall.png`"),
        ],
    );
    // Negative control: with both files whole, the book builds.
    write(&dir.join("photos/village.png"), PNG);
    write(&dir.join("photos/hall.png"), PNG);
    let out = run(&["build", ".", "-o", "out", "--format", "epub"], &dir);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn an_image_used_twice_is_reported_once_at_its_first_use() {
    let chapter = "# 第二章 地图\n\n\
                   县城的旧地图如下。\n\n\
                   ![旧地图](map.png)\n\n\
                   说到河道改线时，再看一次这张图。\n\n\
                   ![旧地图（再引）](map.png)\n";
    let dir = book("used-twice", chapter, &[]);
    let found = errors(&dir);
    assert_in_order(&found, &[(place(5, 1), "`map.png` does not exist")]);
}

#[test]
fn images_in_a_quote_a_list_and_a_footnote_are_checked() {
    let chapter = "# 第三章 回忆\n\n\
                   老人讲起那年的水灾。[^1]\n\n\
                   > 他说：“水到了门槛。”\n\
                   >\n\
                   > ![门槛上的水痕](quote.png)\n\n\
                   - 第一件：修堤。\n\n  ![堤上的人](list.png)\n\n\
                   - 第二件：分粮。\n\n\
                   [^1]: 据县志记载，是一九五四年。\n\n    ![县志书影](note.png)\n";
    let dir = book("nested", chapter, &[]);
    let found = errors(&dir);
    assert_in_order(
        &found,
        &[
            (place(7, 3), "`quote.png` does not exist"),
            (place(11, 3), "`list.png` does not exist"),
            (place(17, 5), "`note.png` does not exist"),
        ],
    );
    // Negative control: with the three files there, the book builds.
    for file in ["quote.png", "list.png", "note.png"] {
        write(&dir.join(file), PNG);
    }
    let out = run(&["build", ".", "-o", "out", "--format", "epub"], &dir);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn an_image_without_alternative_text_in_a_footnote_is_refused_at_its_place_under_pdf_ua() {
    let chapter = |alt: &str| {
        format!(
            "# 第四章 碑文\n\n\
             山门外有一块残碑。[^1]\n\n\
             [^1]: 碑文大半已经漫漶，只拓下一角。\n\n    ![{alt}](rubbing.png)\n"
        )
    };
    let dir = book("ua-note", &chapter(""), &[("rubbing.png", &PNG)]);
    let args = [
        "build",
        ".",
        "-o",
        "out",
        "--format",
        "pdf",
        "--pdf-standard",
        "ua-1",
    ];
    let out = run(&args, &dir);
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let expected = format!(
        "{}the image `rubbing.png` has no alternative text, which PDF/UA requires",
        place(7, 5)
    );
    assert!(err.lines().any(|l| l.starts_with(&expected)), "{err}");
    assert!(!dir.join("out/photos.pdf").exists(), "{err}");
    // Negative control: described, the image passes PDF/UA.
    write(&dir.join("a.md"), chapter("半截残碑的拓片"));
    let out = run(&args, &dir);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.join("out/photos.pdf").is_file());
}

/// Runs `inkstone ARGS` in `dir` under strace; the files it opened for
/// reading, as written in the calls, one entry per opening.
fn opened(dir: &Path, args: &[&str]) -> Vec<String> {
    // Beside the book folder, not in it.
    let trace = dir.with_extension("trace");
    let output = std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=open,openat", "-o"])
        .arg(&trace)
        .arg(env!("CARGO_BIN_EXE_inkstone"))
        .arg("--diagnostic-format=short")
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .current_dir(dir)
        .output()
        .expect("strace runs (apt-get install strace; scripts/test.sh installs it)");
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&trace).expect("the trace");
    std::fs::remove_file(&trace).expect("remove the trace");
    text.lines()
        .filter(|l| !l.contains("= -1"))
        .filter_map(|l| Some(l.split('"').nth(1)?.to_string()))
        .collect()
}

#[test]
fn a_build_reads_each_image_file_once() {
    let chapter = "# 第五章 渡口\n\n\
                   渡船的样子如下。\n\n\
                   ![渡船](boat.png)\n\n\
                   > 老人说：“还是那条船。”\n>\n> ![渡船（再引）](boat.png)\n\n\
                   船头的灯。[^1]\n\n\
                   [^1]: 灯是后来加的。\n\n    ![船灯](lamp.png)\n";
    let dir = book(
        "read-once",
        chapter,
        &[("boat.png", &PNG), ("lamp.png", &PNG)],
    );
    let count = |files: &[String], name: &str| files.iter().filter(|f| f.ends_with(name)).count();
    // The EPUB and the PDF, and the check before them.
    let files = opened(&dir, &["build", ".", "-o", "out"]);
    assert!(dir.join("out/photos.epub").is_file() && dir.join("out/photos.pdf").is_file());
    // The control: the trace sees the files of the book.
    assert!(count(&files, "a.md") >= 1, "{files:#?}");
    assert_eq!(count(&files, "boat.png"), 1, "{files:#?}");
    assert_eq!(count(&files, "lamp.png"), 1, "{files:#?}");
    // `inkstone check` lays the book out and makes the EPUB in memory.
    let files = opened(&dir, &["check", "."]);
    assert_eq!(count(&files, "boat.png"), 1, "{files:#?}");
    assert_eq!(count(&files, "lamp.png"), 1, "{files:#?}");
}

#[test]
fn an_image_outside_the_book_folder_is_refused_without_being_read() {
    let chapter = "# 第六章 外借\n\n借来的照片。\n\n![借来的照片](../lent.png)\n";
    let dir = book("outside", chapter, &[]);
    write(&dir.with_file_name("lent.png"), PNG);
    let trace = dir.with_extension("trace");
    let output = std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=open,openat", "-o"])
        .arg(&trace)
        .arg(env!("CARGO_BIN_EXE_inkstone"))
        .args(["--diagnostic-format=short", "build", ".", "-o", "out"])
        .current_dir(&dir)
        .output()
        .expect("strace runs (apt-get install strace; scripts/test.sh installs it)");
    let err = stderr(&output);
    assert!(!output.status.success(), "{err}");
    assert!(
        err.contains("./a.md:5:1: error: the image `../lent.png` is outside the book folder"),
        "{err}"
    );
    let text = std::fs::read_to_string(&trace).expect("the trace");
    // The control: the trace has the chapter's opening.
    assert!(text.contains("a.md\""), "{text}");
    assert!(
        !text.contains("lent.png\""),
        "the file outside was opened:\n{text}"
    );
}

/// `inkstone check` reports a missing image once, as a build does; the
/// layout and the EPUB, which also look for it, add nothing at that place.
#[test]
fn check_reports_a_missing_image_once() {
    let chapter = "# 河边\n\n渡口的船还在。\n\n![旧船](gone.png)\n\n后来船也不见了。\n";
    let dir = book("check-once", chapter, &[]);
    let out = run(&["check", ".", "--diagnostic-format=short"], &dir);
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let found: Vec<String> = err
        .lines()
        .filter(|l| l.contains(": error: "))
        .map(str::to_string)
        .collect();
    assert_in_order(&found, &[(place(5, 1), "`gone.png` does not exist")]);
    // The build reports it the same way.
    assert_in_order(&errors(&dir), &[(place(5, 1), "`gone.png` does not exist")]);
}
