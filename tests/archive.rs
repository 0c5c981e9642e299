//! Archival editions as an archive office would try them, through the
//! command line: PDF/A-2u and PDF/UA-1 read back with pdfinfo and qpdf,
//! the a-3u source attachments extracted with qpdf, byte-identical
//! rebuilds in other folders, at other clock times (faketime) and thread
//! counts, `verify`, the series manifest, a broken edition, and a sharded
//! build merged.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use support::{flatten, SAMPLE};

const SERIES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sources");

fn work_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("archive")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("work dir");
    dir
}

fn inkstone(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_inkstone"));
    command.args(args).env_remove("SOURCE_DATE_EPOCH");
    command
}

fn run(mut command: Command) -> Output {
    command.output().expect("inkstone runs")
}

fn ok(output: Output) -> Output {
    assert!(
        output.status.success(),
        "inkstone failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn build(input: &str, out: &Path, extra: &[&str]) -> Output {
    let out = out.to_str().expect("utf-8 path");
    let mut args = vec!["--quiet", "build", input, "-o", out];
    args.extend_from_slice(extra);
    run(inkstone(&args))
}

/// Every file under `dir` (none when it does not exist), relative,
/// sorted; inkstone's own record of which book wrote what is left out.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.file_name().is_some_and(|n| n == ".inkstone-builds") {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

fn tool_output(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("`{program}` is needed by this test: {e}"))
}

/// The headings of the structure tree in reading order: (level, title).
fn structure_headings(pdf: &Path) -> Vec<(usize, String)> {
    let json = tool_output(
        "qpdf",
        &["--json=2", "--json-key=qpdf", pdf.to_str().unwrap()],
    );
    let root: Value = serde_json::from_slice(&json.stdout).expect("qpdf JSON");
    let objects = &root["qpdf"][1];
    let resolve = |v: &Value| -> Value {
        match v.as_str() {
            Some(r) if r.ends_with(" R") => objects[format!("obj:{r}")]["value"].clone(),
            _ => v.clone(),
        }
    };
    let trailer = &objects["trailer"]["value"];
    let catalog = resolve(&trailer["/Root"]);
    let tree = resolve(&catalog["/StructTreeRoot"]);
    assert!(tree.is_object(), "the PDF has no structure tree");
    let mut out = Vec::new();
    // Depth-first, children in order, with an explicit stack.
    let kids = |node: &Value| -> Vec<Value> {
        match resolve(&node["/K"]) {
            Value::Array(list) => list.iter().map(resolve).collect(),
            Value::Null => Vec::new(),
            one => vec![resolve(&one)],
        }
    };
    let mut stack: Vec<Value> = kids(&tree).into_iter().rev().collect();
    while let Some(node) = stack.pop() {
        if !node.is_object() {
            continue;
        }
        if let Some(level) = node["/S"]
            .as_str()
            .and_then(|s| s.strip_prefix("/H"))
            .and_then(|n| n.parse::<usize>().ok())
        {
            let title = node["/T"].as_str().unwrap_or("").trim_start_matches("u:");
            out.push((level, title.to_string()));
        }
        stack.extend(kids(&node).into_iter().rev());
    }
    out
}

/// pdfaid and pdfuaid of the XMP, the output intent, qpdf --check, and a
/// structure tree whose headings are the contents.
fn assert_archival(pdf: &Path, book: &str) {
    let path = pdf.to_str().unwrap();
    let meta =
        String::from_utf8_lossy(&tool_output("pdfinfo", &["-meta", path]).stdout).into_owned();
    for expected in [
        "<pdfaid:part>2</pdfaid:part>",
        "<pdfaid:conformance>U</pdfaid:conformance>",
        "<pdfuaid:part>1</pdfuaid:part>",
        "<dc:language>",
        "<dc:title>",
    ] {
        assert!(meta.contains(expected), "{path}: no {expected} in the XMP");
    }
    let check = tool_output("qpdf", &["--check", path]);
    assert!(
        check.status.success(),
        "qpdf --check: {}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("No syntax or stream encoding errors"));
    // Every font embedded, with a ToUnicode map.
    let fonts = String::from_utf8_lossy(&tool_output("pdffonts", &[path]).stdout).into_owned();
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "{row}");
    }
    let json = tool_output("qpdf", &["--json=2", "--json-key=qpdf", path]);
    let text = String::from_utf8_lossy(&json.stdout);
    assert!(
        text.contains("\"/OutputIntents\""),
        "{path}: no output intent"
    );
    assert!(
        text.contains("/GTS_PDFA1"),
        "{path}: no PDF/A output intent"
    );
    assert!(text.contains("\"/Lang\": \"u:zh-CN\""), "{path}: no /Lang");
    // The headings of the tag tree are the contents' entries, in order
    // and at their levels, after the contents page's own title.
    let mut diagnostics = Vec::new();
    let loaded = inkstone::series::load_book(
        Path::new(book),
        &inkstone::SingleFileOptions::default(),
        &mut diagnostics,
    )
    .expect("loads");
    let doc = inkstone::normalize(&loaded, &mut diagnostics);
    let headings = structure_headings(pdf);
    // A single article's contents lists the sections under its title.
    let (title, shift) = if doc.settings.single_article {
        let heading = &doc.chapters[0].title;
        (Some((1, inkstone::model::plain_text(&heading.content))), 2)
    } else {
        (None, 1)
    };
    let contents: Vec<(usize, String)> = title
        .into_iter()
        .chain(
            flatten(&doc.toc)
                .into_iter()
                .map(|(depth, e)| (depth + shift, e.title.clone())),
        )
        .collect();
    let depth = usize::from(doc.settings.toc_depth) + shift - 1;
    let in_contents: Vec<(usize, String)> = headings
        .iter()
        .filter(|(level, _)| *level <= depth)
        .skip_while(|(_, title)| title == "目录")
        .cloned()
        .collect();
    assert!(!contents.is_empty());
    assert_eq!(
        in_contents, contents,
        "{path}: tag tree headings differ from the contents"
    );
}

#[test]
fn sample_series_builds_as_pdf_a_2u_and_ua_1_by_default() {
    let out = work_dir("series-default");
    ok(build(SERIES, &out, &[]));
    for (folder, slug) in [("2024", "qingchuan-2024"), ("2025", "qingchuan-2025")] {
        let pdf = out.join(folder).join(format!("{slug}.pdf"));
        assert_archival(&pdf, &format!("{SERIES}/{folder}"));
        assert!(out.join(folder).join(format!("{slug}.epub")).is_file());
    }
}

#[test]
fn a_book_without_a_standard_is_a_plain_pdf() {
    // The negative control of the checks above: the same edition built as
    // a plain book carries no pdfaid.
    let out = work_dir("plain");
    let dir = out.join("book");
    std::fs::create_dir_all(&dir).unwrap();
    for name in [
        "book.toml",
        "01-overview.txt",
        "02-digital.md",
        "03-rules.txt",
    ] {
        std::fs::copy(format!("{SERIES}/2025/{name}"), dir.join(name)).unwrap();
    }
    ok(build(
        dir.to_str().unwrap(),
        &out.join("out"),
        &["--format", "pdf"],
    ));
    let pdf = out.join("out/qingchuan-2025.pdf");
    let meta = tool_output("pdfinfo", &["-meta", pdf.to_str().unwrap()]);
    assert!(!String::from_utf8_lossy(&meta.stdout).contains("pdfaid:part"));
}

#[test]
fn real_sample_builds_as_pdf_a_2u_and_ua_1() {
    let Some(_sample) = support::sample_test() else {
        return;
    };
    let out = work_dir("sample");
    ok(build(SAMPLE, &out, &["--pdf-standard", "a-2u,ua-1"]));
    assert_archival(&out.join("yiyang-united-front-2022.pdf"), SAMPLE);
}

/// A 2×2 RGB PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xfd, 0xd4, 0x9a,
    0x73, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x38, 0x60, 0x60, 0x00,
    0x44, 0x0c, 0x10, 0x0a, 0x00, 0x21, 0xce, 0x04, 0x81, 0xbb, 0xed, 0xfc, 0x64, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

fn picture_book(name: &str, alt: &str) -> PathBuf {
    let dir = work_dir(name).join("book");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("book.toml"),
        "[book]\ntitle = \"图说青川\"\nyear = 2024\n\n[contents]\nchapters = [\"01.md\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("01.md"),
        format!("# 城市新貌\n\n老城区改造后的街景如下。\n\n![{alt}](street.png)\n\n改造后街道更加整洁。\n"),
    )
    .unwrap();
    std::fs::write(dir.join("street.png"), PNG).unwrap();
    dir
}

#[test]
fn an_image_without_alt_text_fails_under_ua_with_its_file_and_line() {
    let dir = picture_book("no-alt", "");
    let out = dir.parent().unwrap().join("out");
    let output = build(
        dir.to_str().unwrap(),
        &out,
        &["--pdf-standard", "a-2u,ua-1"],
    );
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("01.md:5:"), "{err}");
    assert!(err.contains("alternative text"), "{err}");
    assert!(!out.join("tu-shuo-qing-chuan.pdf").exists());
    assert!(
        files_under(&out).iter().all(|f| !f.ends_with(".pdf")),
        "no PDF is written"
    );
    // Without PDF/UA the same book builds; with alt text it conforms.
    ok(build(
        dir.to_str().unwrap(),
        &out,
        &["--pdf-standard", "a-2u"],
    ));
    let described = picture_book("with-alt", "改造后的老城街景");
    let out = described.parent().unwrap().join("out");
    ok(build(
        described.to_str().unwrap(),
        &out,
        &["--pdf-standard", "a-2u,ua-1"],
    ));
}

#[test]
fn a_3u_carries_the_exact_source_files() {
    let out = work_dir("a-3u");
    let edition = format!("{SERIES}/2025");
    ok(build(
        &edition,
        &out,
        &["--pdf-standard", "a-3u", "--format", "pdf"],
    ));
    let pdf = out.join("qingchuan-2025.pdf");
    let pdf = pdf.to_str().unwrap();
    let list = String::from_utf8_lossy(&tool_output("qpdf", &["--list-attachments", pdf]).stdout)
        .into_owned();
    // The edition's files, and the series' defaults it was made with.
    for (name, file) in [
        ("book.toml", format!("{edition}/book.toml")),
        ("01-overview.txt", format!("{edition}/01-overview.txt")),
        ("02-digital.md", format!("{edition}/02-digital.md")),
        ("03-rules.txt", format!("{edition}/03-rules.txt")),
        ("series.toml", format!("{SERIES}/series.toml")),
    ] {
        assert!(list.contains(name), "{name} is not attached:\n{list}");
        let shown = tool_output("qpdf", &[&format!("--show-attachment={name}"), pdf]);
        assert!(shown.status.success());
        let original = std::fs::read(file).unwrap();
        assert_eq!(shown.stdout, original, "{name} differs from its source");
    }
    let meta = tool_output("pdfinfo", &["-meta", pdf]);
    assert!(String::from_utf8_lossy(&meta.stdout).contains("<pdfaid:part>3</pdfaid:part>"));
}

#[test]
fn builds_are_identical_across_folders_clocks_and_threads() {
    let base = work_dir("reproducible");
    let first = base.join("first");
    let mut a = inkstone(&["--quiet", "build", SERIES, "-o", first.to_str().unwrap()]);
    a.env("RAYON_NUM_THREADS", "1");
    ok(run(a));
    // The second build reads a copy of the sources in another folder,
    // writes elsewhere, at another clock time, on two threads.
    let copy = base.join("elsewhere/sources");
    copy_series(&copy);
    let second = base.join("elsewhere/second");
    let mut b = Command::new("faketime");
    b.args(["2031-07-04 03:02:01", env!("CARGO_BIN_EXE_inkstone")])
        .args([
            "--quiet",
            "build",
            copy.to_str().unwrap(),
            "-o",
            second.to_str().unwrap(),
        ])
        .env("RAYON_NUM_THREADS", "2")
        .env_remove("SOURCE_DATE_EPOCH");
    let b = b.output().expect("faketime is needed by this test");
    ok(b);
    let names = files_under(&first);
    assert_eq!(names, files_under(&second));
    assert!(names.iter().filter(|n| n.ends_with(".pdf")).count() == 2);
    assert!(names.iter().filter(|n| n.ends_with(".epub")).count() == 2);
    for name in &names {
        let x = std::fs::read(first.join(name)).unwrap();
        let y = std::fs::read(second.join(name)).unwrap();
        assert!(x == y, "{name} differs between the builds");
    }
    // The comparison sees a change: another SOURCE_DATE_EPOCH gives other
    // bytes.
    let third = base.join("third");
    let mut c = inkstone(&["--quiet", "build", SERIES, "-o", third.to_str().unwrap()]);
    c.env("SOURCE_DATE_EPOCH", "1700000000");
    ok(run(c));
    let pdf = "2025/qingchuan-2025.pdf";
    assert_ne!(
        std::fs::read(first.join(pdf)).unwrap(),
        std::fs::read(third.join(pdf)).unwrap()
    );
}

#[test]
fn verify_names_the_changed_file() {
    let out = work_dir("verify");
    ok(build(SERIES, &out, &[]));
    let out_s = out.to_str().unwrap();
    ok(run(inkstone(&["verify", SERIES, "-o", out_s])));
    let book = format!("{SERIES}/2024");
    let pdf = out.join("2024/qingchuan-2024.pdf");
    let epub = out.join("2024/qingchuan-2024.epub");
    ok(run(inkstone(&[
        "verify",
        &book,
        pdf.to_str().unwrap(),
        epub.to_str().unwrap(),
    ])));
    let mut bytes = std::fs::read(&pdf).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&pdf, &bytes).unwrap();
    let against_manifest = run(inkstone(&["verify", SERIES, "-o", out_s]));
    assert!(!against_manifest.status.success());
    let err = stderr(&against_manifest);
    assert!(err.contains("2024/qingchuan-2024.pdf"), "{err}");
    assert!(
        !err.contains("qingchuan-2025"),
        "only the changed file is named: {err}"
    );
    assert!(
        !err.contains(".epub"),
        "only the changed file is named: {err}"
    );
    let rebuilt = run(inkstone(&[
        "verify",
        &book,
        epub.to_str().unwrap(),
        pdf.to_str().unwrap(),
    ]));
    assert!(!rebuilt.status.success());
    let err = stderr(&rebuilt);
    assert!(err.contains("qingchuan-2024.pdf"), "{err}");
}

#[test]
fn verify_names_a_source_changed_since_the_build() {
    let base = work_dir("verify-sources");
    let series = base.join("series");
    copy_series(&series);
    let out = base.join("out");
    let series_s = series.to_str().unwrap();
    ok(build(series_s, &out, &[]));
    ok(run(inkstone(&[
        "verify",
        series_s,
        "-o",
        out.to_str().unwrap(),
    ])));
    let chapter = series.join("2025/03-rules.txt");
    let mut text = std::fs::read(&chapter).unwrap();
    text.extend_from_slice("补记一段。\n".as_bytes());
    std::fs::write(&chapter, text).unwrap();
    let failed = run(inkstone(&["verify", series_s, "-o", out.to_str().unwrap()]));
    assert!(!failed.status.success());
    let err = stderr(&failed);
    assert!(err.contains("2025/03-rules.txt"), "{err}");
    assert!(!err.contains(".pdf"), "{err}");
}

fn copy_series(to: &Path) {
    for rel in files_under(Path::new(SERIES)) {
        let target = to.join(&rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(Path::new(SERIES).join(&rel), target).unwrap();
    }
}

#[test]
fn the_manifest_records_every_edition() {
    let out = work_dir("manifest");
    ok(build(SERIES, &out, &[]));
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["inkstone"], env!("CARGO_PKG_VERSION"));
    let editions = manifest["editions"].as_array().unwrap();
    assert_eq!(editions.len(), 2);
    for (edition, year) in editions.iter().zip([2024, 2025]) {
        assert_eq!(edition["year"], year);
        assert_eq!(edition["title"], "青川年度工作综述");
        assert!(edition["identifier"].as_str().unwrap().starts_with("urn:"));
        let files = edition["files"].as_array().unwrap();
        assert_eq!(files.len(), 2);
        for file in files {
            let path = out.join(file["path"].as_str().unwrap());
            let bytes = std::fs::read(&path).unwrap();
            assert_eq!(file["size"], bytes.len());
            let sum = tool_output("sha256sum", &[path.to_str().unwrap()]);
            let sum = String::from_utf8_lossy(&sum.stdout);
            assert_eq!(
                file["sha256"].as_str().unwrap(),
                sum.split_whitespace().next().unwrap()
            );
            if path.extension().is_some_and(|e| e == "pdf") {
                let info = tool_output("pdfinfo", &[path.to_str().unwrap()]);
                let info = String::from_utf8_lossy(&info.stdout);
                let pages = info
                    .lines()
                    .find_map(|l| l.strip_prefix("Pages:"))
                    .unwrap()
                    .trim()
                    .parse::<u64>()
                    .unwrap();
                assert_eq!(file["pages"], pages);
            }
        }
        let sources: Vec<&str> = edition["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["path"].as_str().unwrap())
            .collect();
        assert!(sources.contains(&"book.toml"), "{sources:?}");
    }
}

#[test]
fn a_broken_edition_leaves_the_others_built() {
    let base = work_dir("broken");
    let series = base.join("series");
    copy_series(&series);
    let toml = series.join("2024/book.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, text.replace("subtitle =", "subtitel =")).unwrap();
    let out = base.join("out");
    let output = build(series.to_str().unwrap(), &out, &[]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("2024/book.toml"), "{err}");
    assert!(err.contains("subtitel"), "{err}");
    assert!(err.contains("1 of 2 edition(s) failed: 2024"), "{err}");
    assert!(out.join("2025/qingchuan-2025.pdf").is_file());
    assert!(out.join("2025/qingchuan-2025.epub").is_file());
    assert!(!out.join("2024").exists());
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let folders: Vec<&str> = manifest["editions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["folder"].as_str().unwrap())
        .collect();
    assert_eq!(folders, ["2025"]);
}

#[test]
fn shards_merged_equal_the_one_process_build() {
    let base = work_dir("shards");
    let whole = base.join("whole");
    ok(build(SERIES, &whole, &[]));
    let plan = ok(run(inkstone(&["plan", SERIES])));
    let plan: Value = serde_json::from_slice(&plan.stdout).unwrap();
    let tasks = plan["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 2);
    assert_eq!(tasks[1]["edition"], "2025");
    assert_eq!(tasks[1]["shard"], "1/2");
    let sharded = base.join("sharded");
    for shard in ["0/2", "1/2"] {
        ok(build(SERIES, &sharded, &["--shard", shard]));
    }
    let merged = sharded.join("manifest.json");
    ok(run(inkstone(&[
        "manifest",
        "merge",
        sharded.join("manifest-shard-0-of-2.json").to_str().unwrap(),
        sharded.join("manifest-shard-1-of-2.json").to_str().unwrap(),
        "-o",
        merged.to_str().unwrap(),
    ])));
    assert_eq!(
        std::fs::read(&merged).unwrap(),
        std::fs::read(whole.join("manifest.json")).unwrap()
    );
    for name in files_under(&whole) {
        assert_eq!(
            std::fs::read(whole.join(&name)).unwrap(),
            std::fs::read(sharded.join(&name)).unwrap(),
            "{name}"
        );
    }
    ok(run(inkstone(&[
        "verify",
        SERIES,
        "-o",
        sharded.to_str().unwrap(),
    ])));
}

#[test]
fn a_missing_glyph_fails_under_a_standard_with_its_place() {
    let dir = work_dir("missing-glyph").join("book");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("book.toml"),
        "[book]\ntitle = \"缺字\"\nyear = 2024\n\n[contents]\nchapters = [\"01.txt\"]\n",
    )
    .unwrap();
    // U+E123 is a private-use character: no font has a glyph for it.
    std::fs::write(
        dir.join("01.txt"),
        "第一章 缺字\n正文第一段。\n这里有一个\u{E123}字。\n",
    )
    .unwrap();
    let out = dir.parent().unwrap().join("out");
    let input = dir.to_str().unwrap();
    let failed = build(input, &out, &["--pdf-standard", "a-2u", "--format", "pdf"]);
    assert!(!failed.status.success());
    let err = stderr(&failed);
    assert!(err.contains("01.txt:3:"), "{err}");
    // Missing glyphs allowed: still no non-conforming PDF, and the
    // message names the chapter's file.
    let allowed = build(
        input,
        &out,
        &[
            "--pdf-standard",
            "a-2u",
            "--format",
            "pdf",
            "--allow-missing-glyphs",
        ],
    );
    assert!(!allowed.status.success());
    let err = stderr(&allowed);
    assert!(err.contains("01.txt:3:6"), "{err}");
    assert!(err.contains("a-2u"), "{err}");
    assert!(
        !out.exists() || files_under(&out).is_empty(),
        "no PDF is written"
    );
    // Without a standard the allowed book builds (negative control).
    ok(build(
        input,
        &out,
        &["--format", "pdf", "--allow-missing-glyphs"],
    ));
}

/// The place of the first `<U+E123>` in `text` (short diagnostics),
/// from the line that says `what`.
fn place_of(text: &str, what: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.contains(what))
        .unwrap_or_else(|| panic!("no `{what}` in:\n{text}"));
    line.split(": ").next().unwrap_or_default().to_string()
}

#[test]
fn a_missing_glyph_in_a_wrapped_paragraph_is_placed_where_the_build_reports_it() {
    let dir = work_dir("missing-glyph-wrapped").join("book");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("book.toml"),
        "[book]\ntitle = \"缺字\"\nyear = 2024\n\n[contents]\nchapters = [\"01.md\"]\n",
    )
    .unwrap();
    // A paragraph over two source lines, the character on the second,
    // and the same character again in a later paragraph.
    std::fs::write(
        dir.join("01.md"),
        "# 第一章\n\n正文第一段，这一段很长，\n这里有一个\u{E123}字。\n\n另一段也有\u{E123}字。\n",
    )
    .unwrap();
    let out = dir.parent().unwrap().join("out");
    let input = dir.to_str().unwrap();
    let short = ["--diagnostic-format=short", "--format", "pdf"];
    // Not `--quiet`: the warnings are wanted.
    let out_dir = out.to_str().unwrap();
    let allowed = ok(run(inkstone(&[
        "build",
        input,
        "-o",
        out_dir,
        "--diagnostic-format=short",
        "--format",
        "pdf",
        "--allow-missing-glyphs",
    ])));
    let warned = place_of(&stderr(&allowed), "warning: no font has");
    let failed = build(
        input,
        &out.with_file_name("out-a"),
        &[
            &short[..],
            &["--allow-missing-glyphs", "--pdf-standard", "a-2u"],
        ]
        .concat(),
    );
    assert!(!failed.status.success());
    let err = stderr(&failed);
    let placed = place_of(&err, "cannot conform to a-2u");
    // The error names the first place the build reported, in the
    // chapter's file (the source line the character is on, not the one its
    // paragraph starts on): not the later paragraph (line 6).
    assert!(placed.contains("01.md:4:6"), "{err}");
    assert_eq!(placed, warned, "{err}");
    assert!(placed.contains("01.md:"), "{err}");
    assert!(!placed.contains("01.md:6:"), "{err}");
}

#[test]
fn check_goes_through_every_edition_and_inspect_wants_one() {
    let checked = ok(run(inkstone(&["check", SERIES])));
    let err = stderr(&checked);
    assert_eq!(err.matches("chapter(s)").count(), 2, "{err}");
    let inspected = run(inkstone(&["inspect", SERIES]));
    assert!(!inspected.status.success());
    assert!(
        stderr(&inspected).contains("2024"),
        "{}",
        stderr(&inspected)
    );
    // An edition's model carries the series' defaults (publisher).
    let edition = ok(run(inkstone(&["inspect", &format!("{SERIES}/2024")])));
    let model: Value = serde_json::from_slice(&edition.stdout).unwrap();
    assert_eq!(model["metadata"]["publisher"], "青川文史出版社");
}

/// A copy of the sample series whose series.toml asks for the OFD too.
fn ofd_series(base: &Path) -> PathBuf {
    let series = base.join("series");
    copy_series(&series);
    append(
        &series.join("series.toml"),
        "\n[output]\nformats = [\"epub\", \"pdf\", \"ofd\"]\n",
    );
    series
}

fn append(file: &Path, text: &str) {
    let mut old = std::fs::read_to_string(file).unwrap();
    old.push_str(text);
    std::fs::write(file, old).unwrap();
}

/// One file of an OFD package, as text.
fn ofd_entry(ofd: &Path, name: &str) -> String {
    use std::io::Read;
    let bytes = std::fs::read(ofd).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an OFD is a zip");
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name} in {}: {e}", ofd.display()))
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn pdfinfo_pages(pdf: &Path) -> u64 {
    let info = tool_output("pdfinfo", &[pdf.to_str().unwrap()]);
    String::from_utf8_lossy(&info.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

const OFD_A_MARK: &str = "<ofd:CustomData Name=\"Conformance\">GB/T 42133-2022</ofd:CustomData>";

fn is_ofd_a(ofd: &Path) -> bool {
    ofd_entry(ofd, "OFD.xml").contains(OFD_A_MARK)
}

#[test]
fn a_series_with_ofd_in_output_records_verifies_and_shards_it() {
    let base = work_dir("ofd-series");
    let series = ofd_series(&base);
    let series_s = series.to_str().unwrap();
    let whole = base.join("whole");
    ok(build(series_s, &whole, &[]));
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(whole.join("manifest.json")).unwrap()).unwrap();
    for edition in manifest["editions"].as_array().unwrap() {
        let folder = edition["folder"].as_str().unwrap();
        let files = edition["files"].as_array().unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
        let stem = format!("{folder}/qingchuan-{folder}");
        assert_eq!(
            paths,
            [
                format!("{stem}.epub"),
                format!("{stem}.pdf"),
                format!("{stem}.ofd")
            ]
        );
        let file = &files[2];
        let ofd = whole.join(paths[2]);
        assert_eq!(file["size"], std::fs::metadata(&ofd).unwrap().len());
        let sum = tool_output("sha256sum", &[ofd.to_str().unwrap()]);
        let sum = String::from_utf8_lossy(&sum.stdout);
        assert_eq!(
            file["sha256"].as_str().unwrap(),
            sum.split_whitespace().next().unwrap()
        );
        // The pages listed in the package, and the PDF's pages.
        let document = ofd_entry(&ofd, "Doc_0/Document.xml");
        let listed = document.matches("<ofd:Page ").count() as u64;
        assert!(listed > 1, "{document}");
        assert_eq!(file["pages"], listed);
        assert_eq!(listed, pdfinfo_pages(&whole.join(paths[1])));
        // An archival series writes OFD/A without being asked.
        assert!(is_ofd_a(&ofd), "{folder}: no OFD/A mark");
    }
    ok(run(inkstone(&[
        "verify",
        series_s,
        "-o",
        whole.to_str().unwrap(),
    ])));

    // Two shards, merged: the one-process manifest and the same files.
    let sharded = base.join("sharded");
    for shard in ["0/2", "1/2"] {
        ok(build(series_s, &sharded, &["--shard", shard]));
    }
    let merged = sharded.join("manifest.json");
    ok(run(inkstone(&[
        "manifest",
        "merge",
        sharded.join("manifest-shard-0-of-2.json").to_str().unwrap(),
        sharded.join("manifest-shard-1-of-2.json").to_str().unwrap(),
        "-o",
        merged.to_str().unwrap(),
    ])));
    assert_eq!(
        std::fs::read(&merged).unwrap(),
        std::fs::read(whole.join("manifest.json")).unwrap()
    );
    for name in files_under(&whole) {
        assert_eq!(
            std::fs::read(whole.join(&name)).unwrap(),
            std::fs::read(sharded.join(&name)).unwrap(),
            "{name}"
        );
    }

    // One byte of one OFD changed: verify names that file only.
    let ofd = whole.join("2025/qingchuan-2025.ofd");
    let mut bytes = std::fs::read(&ofd).unwrap();
    let at = bytes.len() / 3;
    bytes[at] ^= 0x20;
    std::fs::write(&ofd, &bytes).unwrap();
    let failed = run(inkstone(&[
        "verify",
        series_s,
        "-o",
        whole.to_str().unwrap(),
    ]));
    assert!(!failed.status.success());
    let err = stderr(&failed);
    assert!(err.contains("2025/qingchuan-2025.ofd"), "{err}");
    assert!(!err.contains(".pdf") && !err.contains(".epub"), "{err}");
    assert!(!err.contains("qingchuan-2024"), "{err}");
}

#[test]
fn output_and_ofd_settings_are_overridden_as_documented() {
    let base = work_dir("ofd-overrides");
    let series = ofd_series(&base);
    let series_s = series.to_str().unwrap();

    // --format on the command line wins over [output].
    let out = base.join("pdf-only");
    ok(build(series_s, &out, &["--format", "pdf"]));
    assert_eq!(
        files_under(&out),
        [
            "2024/qingchuan-2024.pdf",
            "2025/qingchuan-2025.pdf",
            "manifest.json"
        ]
    );

    // --ofd-profile plain, and a series that is not archival: no OFD/A.
    for (name, extra) in [
        ("plain", &["--ofd-profile", "plain"][..]),
        ("not-archival", &["--pdf-standard", "none"][..]),
    ] {
        let out = base.join(name);
        let mut args = vec!["--format", "ofd"];
        args.extend_from_slice(extra);
        ok(build(series_s, &out, &args));
        assert!(!is_ofd_a(&out.join("2024/qingchuan-2024.ofd")), "{name}");
    }
    // The control: --ofd-profile a on a series that is not archival.
    let out = base.join("asked");
    ok(build(
        series_s,
        &out,
        &[
            "--format",
            "ofd",
            "--pdf-standard",
            "none",
            "--ofd-profile",
            "a",
        ],
    ));
    assert!(is_ofd_a(&out.join("2024/qingchuan-2024.ofd")));

    // An edition's own [output] and [ofd] override the series'.
    append(
        &series.join("2024/book.toml"),
        "\n[output]\nformats = [\"ofd\"]\n\n[ofd]\nprofile = \"plain\"\n",
    );
    let out = base.join("edition-own");
    ok(build(series_s, &out, &[]));
    let files = files_under(&out);
    assert!(
        files
            .iter()
            .filter(|f| f.starts_with("2024/"))
            .eq(["2024/qingchuan-2024.ofd"].iter()),
        "{files:?}"
    );
    assert_eq!(files.len(), 5, "{files:?}");
    assert!(!is_ofd_a(&out.join("2024/qingchuan-2024.ofd")));
    assert!(is_ofd_a(&out.join("2025/qingchuan-2025.ofd")));

    // An edition that cannot be OFD/A fails with the reason; the other
    // edition is built.
    let toml = series.join("2025/book.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        text.replacen("authors = [\"青川市地方志编纂室\"]", "authors = []", 1),
    )
    .unwrap();
    let out = base.join("no-author");
    let failed = build(series_s, &out, &["--format", "ofd"]);
    assert!(!failed.status.success());
    let err = stderr(&failed);
    assert!(text.contains("authors = [\"青川市地方志编纂室\"]"));
    assert!(err.contains("OFD/A") && err.contains("author"), "{err}");
    assert!(err.contains("1 of 2 edition(s) failed: 2025"), "{err}");
    assert!(out.join("2024/qingchuan-2024.ofd").is_file());
    assert!(!out.join("2025").exists());

    // An unknown format name: the book.toml line and the valid names.
    std::fs::write(&toml, &text).unwrap();
    append(&toml, "\n[output]\nformats = [\"epub\", \"docx\"]\n");
    let line = std::fs::read_to_string(&toml).unwrap().lines().count();
    let failed = build(series_s, &base.join("docx"), &[]);
    assert!(!failed.status.success());
    let err = stderr(&failed);
    assert!(err.contains(&format!("2025/book.toml:{line}:")), "{err}");
    assert!(err.contains("`docx`"), "{err}");
    assert!(err.contains("`epub`, `pdf`, `ofd`"), "{err}");

    // The same in series.toml: its line, and the valid names.
    std::fs::write(&toml, &text).unwrap();
    let series_toml = series.join("series.toml");
    let defaults = std::fs::read_to_string(&series_toml).unwrap();
    std::fs::write(&series_toml, defaults.replace("\"ofd\"]", "\"odf\"]")).unwrap();
    let line = defaults.lines().count();
    let failed = build(series_s, &base.join("odf"), &[]);
    assert!(!failed.status.success());
    let err = stderr(&failed);
    assert!(err.contains(&format!("series.toml:{line}:")), "{err}");
    assert!(
        err.contains("`odf`") && err.contains("`epub`, `pdf`, `ofd`"),
        "{err}"
    );
}

#[test]
fn a_single_book_takes_its_formats_from_output() {
    let dir = picture_book("ofd-book", "改造后的街景");
    append(&dir.join("book.toml"), "\n[output]\nformats = [\"ofd\"]\n");
    let out = dir.parent().unwrap().join("out");
    ok(build(dir.to_str().unwrap(), &out, &[]));
    let files = files_under(&out);
    assert!(files.len() == 1 && files[0].ends_with(".ofd"), "{files:?}");
    // Outside a series the plain profile is the default (this book has
    // no author, which OFD/A would refuse).
    let ofd = out.join(&files[0]);
    assert!(!is_ofd_a(&ofd));
    // verify rebuilds the OFD and compares it.
    ok(run(inkstone(&[
        "verify",
        dir.to_str().unwrap(),
        ofd.to_str().unwrap(),
    ])));
    let mut bytes = std::fs::read(&ofd).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&ofd, &bytes).unwrap();
    let failed = run(inkstone(&[
        "verify",
        dir.to_str().unwrap(),
        ofd.to_str().unwrap(),
    ]));
    assert!(!failed.status.success());
    assert!(stderr(&failed).contains(".ofd"), "{}", stderr(&failed));
}
