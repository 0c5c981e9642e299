//! A build killed while it writes its files: whatever step it dies at,
//! the next run leaves no temporary file and an EPUB and a PDF from one
//! and the same build, and the book's own files are never refused as
//! someone else's. Ctrl-C and SIGTERM clean up and never split a pair.
//!
//! The build is stopped at each step with the test hook
//! `INKSTONE_TEST_PAUSE_AT` (see `inkstone::output::pause_point`), then
//! really killed with SIGKILL (or sent SIGINT/SIGTERM) by this test.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

mod support;
use support::cli::{self, bin, run, stderr};

fn scratch(name: &str) -> PathBuf {
    cli::scratch("durable", name)
}

/// The book `dir`, slug `pair`, whose text names `edition` (甲, 乙, …).
fn write_book(dir: &Path, edition: &str) {
    std::fs::create_dir_all(dir).expect("book folder");
    std::fs::write(
        dir.join("book.toml"),
        "[book]\ntitle = \"合订本\"\nslug = \"pair\"\n\n[contents]\nchapters = [\"01.txt\"]\n",
    )
    .expect("book.toml");
    let mut text = format!("第一章 {edition}版说明\n");
    for i in 1..=40 {
        text.push_str(&format!(
            "这是{edition}版第{i}段。编辑部在付印前又核对了一遍引文，改正了两处错字，\
             并把注释移到段末。\n"
        ));
    }
    std::fs::write(dir.join("01.txt"), text).expect("chapter");
}

/// Which edition (甲, 乙, …) the text of the EPUB at `path` names.
fn epub_edition(path: &Path) -> String {
    let file = std::fs::File::open(path).expect("epub");
    let mut zip = zip::ZipArchive::new(file).expect("epub is a zip");
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("entry");
        if entry.name().is_ok_and(|n| n.ends_with(".xhtml")) {
            let mut text = String::new();
            let _ = entry.read_to_string(&mut text);
            all.push_str(&text);
        }
    }
    edition_in(&all, path)
}

fn pdf_edition(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext {}", path.display());
    edition_in(&String::from_utf8_lossy(&out.stdout), path)
}

/// The one edition named in `text`, such as `甲`.
fn edition_in(text: &str, path: &Path) -> String {
    let found: Vec<&str> = ["甲", "乙", "丙", "丁"]
        .into_iter()
        .filter(|e| text.contains(&format!("这是{e}版第1段")))
        .collect();
    assert_eq!(found.len(), 1, "{}: editions {found:?}", path.display());
    found[0].to_string()
}

/// The names in `dir` that a finished build must not leave.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("out")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".inkstone-partial") || n == ".inkstone-commit")
        .collect()
}

/// Starts `inkstone build book -o out` and returns once it has printed
/// `paused at STEP`.
fn build_paused_at(root: &Path, step: &str, seconds: u64) -> Child {
    let mut child = bin()
        .args(["build", "book", "-o", "out", "-q"])
        .env("INKSTONE_TEST_PAUSE_AT", step)
        .env("INKSTONE_TEST_PAUSE_SECONDS", seconds.to_string())
        .current_dir(root)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn inkstone");
    let err = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(err).lines();
    let wanted = format!("paused at {step}");
    loop {
        match lines.next() {
            Some(Ok(line)) if line == wanted => break,
            Some(Ok(_)) => {}
            _ => {
                let status = child.wait();
                panic!("the build never reached step {step}: {status:?}");
            }
        }
    }
    child
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

/// The steps of writing `pair.epub`, `pair.pdf` and the ownership record,
/// and whether a build killed there is finished by the next run.
const STEPS: [(&str, bool); 8] = [
    ("temp-1", false),
    ("temp-2", false),
    ("temp-3", false),
    ("journal", true),
    ("rename-1", true),
    ("rename-2", true),
    ("rename-3", true),
    ("committed", true),
];

#[test]
fn a_build_killed_at_any_step_leaves_one_builds_pair() {
    for (step, finished) in STEPS {
        let root = scratch(&format!("kill-{step}"));
        let out = root.join("out");
        write_book(&root.join("book"), "甲");
        let first = run(&["build", "book", "-o", "out", "-q"], &root);
        assert!(first.status.success(), "{}", stderr(&first));

        write_book(&root.join("book"), "乙");
        let mut child = build_paused_at(&root, step, 600);
        child.kill().expect("SIGKILL");
        let _ = child.wait();

        // The next run into the folder, even one that fails (another
        // book with the same slug is refused), finishes or drops the
        // killed build's commit first.
        write_book(&root.join("other"), "丁");
        let refused = run(&["build", "other", "-o", "out"], &root);
        assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
        assert!(
            stderr(&refused).contains("built from another book"),
            "{step}: {}",
            stderr(&refused)
        );
        assert_eq!(leftovers(&out), Vec::<String>::new(), "after {step}");
        let expected = if finished { "乙" } else { "甲" };
        assert_eq!(epub_edition(&out.join("pair.epub")), expected, "{step}");
        assert_eq!(pdf_edition(&out.join("pair.pdf")), expected, "{step}");

        // The book's own files are still its own: the next build
        // replaces them without --force.
        write_book(&root.join("book"), "丙");
        let again = run(&["build", "book", "-o", "out", "-q"], &root);
        assert!(again.status.success(), "{step}: {}", stderr(&again));
        assert_eq!(leftovers(&out), Vec::<String>::new(), "{step}");
        assert_eq!(epub_edition(&out.join("pair.epub")), "丙");
        assert_eq!(pdf_edition(&out.join("pair.pdf")), "丙");
    }
}

#[test]
fn sigint_and_sigterm_before_the_commit_remove_the_temporary_files() {
    for (name, step) in [("INT", "temp-1"), ("TERM", "temp-3")] {
        let root = scratch(&format!("signal-{name}"));
        let out = root.join("out");
        write_book(&root.join("book"), "甲");
        let first = run(&["build", "book", "-o", "out", "-q"], &root);
        assert!(first.status.success(), "{}", stderr(&first));
        write_book(&root.join("book"), "乙");
        let mut child = build_paused_at(&root, step, 600);
        assert!(
            !leftovers(&out).is_empty(),
            "a temporary file is being written"
        );
        signal(&child, name);
        let status = child.wait().expect("wait");
        assert_eq!(status.code(), Some(130), "SIG{name}");
        assert_eq!(leftovers(&out), Vec::<String>::new(), "SIG{name}");
        assert_eq!(epub_edition(&out.join("pair.epub")), "甲");
        assert_eq!(pdf_edition(&out.join("pair.pdf")), "甲");
    }
}

#[test]
fn sigterm_during_the_renames_waits_for_them() {
    let root = scratch("signal-commit");
    let out = root.join("out");
    write_book(&root.join("book"), "甲");
    let first = run(&["build", "book", "-o", "out", "-q"], &root);
    assert!(first.status.success(), "{}", stderr(&first));
    write_book(&root.join("book"), "乙");
    // Paused for 2 s with the first file renamed: the signal is handled
    // only once the rest are in place.
    let mut child = build_paused_at(&root, "rename-1", 2);
    signal(&child, "TERM");
    let status = child.wait().expect("wait");
    assert!(matches!(status.code(), Some(0 | 130)), "{status:?}");
    assert_eq!(leftovers(&out), Vec::<String>::new());
    assert_eq!(epub_edition(&out.join("pair.epub")), "乙");
    assert_eq!(pdf_edition(&out.join("pair.pdf")), "乙");
}

/// A series of two editions in `dir`, each naming `edition` in its text.
fn write_series(dir: &Path, edition: &str) {
    std::fs::create_dir_all(dir).expect("series folder");
    std::fs::write(dir.join("series.toml"), "[series]\ntitle = \"年报\"\n").expect("series.toml");
    for year in ["2023", "2024"] {
        write_series_edition(&dir.join(year), year, edition);
    }
}

fn write_series_edition(book: &Path, year: &str, edition: &str) {
    write_book(book, edition);
    std::fs::write(
        book.join("book.toml"),
        format!(
            "[book]\ntitle = \"年报\"\nyear = {year}\nslug = \"nianbao-{year}\"\n\n\
             [contents]\nchapters = [\"01.txt\"]\n"
        ),
    )
    .expect("book.toml");
}

#[test]
fn a_series_build_killed_while_renaming_is_finished_by_the_next() {
    let root = scratch("series");
    write_series(&root.join("series"), "甲");
    let first = run(&["build", "series", "-o", "out", "-q"], &root);
    assert!(first.status.success(), "{}", stderr(&first));
    write_series(&root.join("series"), "乙");
    let mut child = bin()
        .args(["build", "series", "-o", "out", "-q"])
        .env("INKSTONE_TEST_PAUSE_AT", "rename-1")
        .current_dir(&root)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn inkstone");
    let err = child.stderr.take().expect("stderr");
    let paused = BufReader::new(err)
        .lines()
        .map_while(Result::ok)
        .any(|line| line == "paused at rename-1");
    assert!(paused, "the series build never reached its first rename");
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    // The first edition's EPUB is new and its PDF old, until the next
    // run; that run finishes the commit even though the edition now fails
    // (its chapter is gone), and builds the other.
    let folder = root.join("out/2023");
    assert_eq!(epub_edition(&folder.join("nianbao-2023.epub")), "乙");
    assert_eq!(pdf_edition(&folder.join("nianbao-2023.pdf")), "甲");
    std::fs::remove_file(root.join("series/2023/01.txt")).expect("remove chapter");
    write_series_edition(&root.join("series/2024"), "2024", "丙");
    let again = run(&["build", "series", "-o", "out", "-q"], &root);
    assert_eq!(again.status.code(), Some(1), "{}", stderr(&again));
    for (year, edition) in [("2023", "乙"), ("2024", "丙")] {
        let folder = root.join("out").join(year);
        assert_eq!(leftovers(&folder), Vec::<String>::new(), "{year}");
        let epub = epub_edition(&folder.join(format!("nianbao-{year}.epub")));
        let pdf = pdf_edition(&folder.join(format!("nianbao-{year}.pdf")));
        assert_eq!((epub.as_str(), pdf.as_str()), (edition, edition), "{year}");
    }
}
