//! The document model of each fixture in `tests/cases/`, compared with its
//! golden files (`model.json`, `diagnostics.txt`). Run with `UPDATE=1` to
//! accept new output after reviewing the diff.
//!
//! Also the acceptance checks on the real sample: its structure, its text
//! character by character, and the same model from other encodings.

use std::path::{Path, PathBuf};

use inkstone::diag::Diagnostic;
use inkstone::model::{Block, Document};

fn cases_dir() -> PathBuf {
    PathBuf::from("tests/cases")
}

/// The input of a case: its folder if it holds a book.toml, else its
/// `input.*` file.
fn case_input(dir: &Path) -> PathBuf {
    if dir.join("book.toml").is_file() {
        return dir.to_path_buf();
    }
    for name in ["input.txt", "input.md"] {
        if dir.join(name).is_file() {
            return dir.join(name);
        }
    }
    panic!(
        "{} has neither book.toml nor input.txt/input.md",
        dir.display()
    );
}

fn compare_or_update(path: &Path, actual: &str, failures: &mut Vec<String>) {
    if std::env::var_os("UPDATE").is_some() {
        std::fs::write(path, actual).expect("write golden file");
        return;
    }
    match std::fs::read_to_string(path) {
        Ok(expected) if expected == actual => {}
        Ok(expected) => {
            let line = expected
                .lines()
                .zip(actual.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(expected.lines().count().min(actual.lines().count()));
            failures.push(format!(
                "{} differs from the output, first at line {}:\n  expected: {:?}\n  actual:   {:?}\n(run with UPDATE=1 to accept)",
                path.display(),
                line + 1,
                expected.lines().nth(line).unwrap_or(""),
                actual.lines().nth(line).unwrap_or("")
            ));
        }
        Err(_) => failures.push(format!(
            "{} is missing (run with UPDATE=1 to create it)",
            path.display()
        )),
    }
}

#[test]
fn golden_models() {
    let mut failures = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("tests/cases")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 6, "fixtures missing");
    for dir in dirs {
        let mut diagnostics = Vec::new();
        let doc = match inkstone::load_document(&case_input(&dir), &mut diagnostics) {
            Ok(doc) => doc,
            Err(e) => {
                failures.push(format!("{}: {e}", dir.display()));
                continue;
            }
        };
        let json = serde_json::to_string_pretty(&doc).expect("serialize") + "\n";
        compare_or_update(&dir.join("model.json"), &json, &mut failures);
        let shown: String = diagnostics.iter().map(|d| format!("{d}\n")).collect();
        compare_or_update(&dir.join("diagnostics.txt"), &shown, &mut failures);
        // The JSON form reads back to the same model.
        let back: Document = serde_json::from_str(&json).expect("model JSON reads back");
        assert_eq!(back.chapters, doc.chapters, "{}", dir.display());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[path = "support/samples.rs"]
#[allow(dead_code)]
mod samples;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/samples/yiyang-united-front-2022.txt"
);

fn load(path: &Path) -> (Document, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let doc = inkstone::load_document(path, &mut diagnostics).unwrap_or_else(|e| panic!("{e}"));
    (doc, diagnostics)
}

fn headings(doc: &Document) -> Vec<String> {
    doc.chapters[0]
        .blocks
        .iter()
        .filter_map(|b| {
            if let Block::Heading(h) = b {
                Some(h.display_text())
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn real_sample_structure() {
    let Some(_sample) = samples::sample_test() else {
        return;
    };
    let (doc, diagnostics) = load(Path::new(SAMPLE));
    assert_eq!(doc.metadata.title, "携手奋进新时代，同心贡献新力量");
    assert_eq!(
        doc.metadata.subtitle.as_deref(),
        Some("2022年益阳市统一战线工作综述")
    );
    assert_eq!(
        headings(&doc),
        [
            "固守圆心凝共识，跟党奋进迈出新步伐",
            "守正创新增实效，服务大局彰显新作为",
            "学习赋能提素质，统战队伍焕发新活力",
            "强基固本聚合力，工作格局实现新突破"
        ]
    );
    let paragraphs = doc.chapters[0]
        .blocks
        .iter()
        .filter(|b| matches!(b, Block::Paragraph { .. }))
        .count();
    assert_eq!(paragraphs, 27);
    let toc: Vec<&str> = doc.toc.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(toc, headings(&doc));
    // The sample needs no normalization: nothing may be reported as changed.
    assert!(
        diagnostics
            .iter()
            .all(|d| d.severity != inkstone::diag::Severity::Note),
        "{diagnostics:?}"
    );
}

/// No character of the source is lost or altered: the model's text equals
/// the source with line breaks removed and the space before the
/// subtitle's "——" taken out, character for character, and the six deliberate spaces
/// inside slogans are kept.
#[test]
fn real_sample_text_is_exact() {
    let Some(_sample) = samples::sample_test() else {
        return;
    };
    let (doc, _) = load(Path::new(SAMPLE));
    let source = std::fs::read_to_string(SAMPLE).expect("sample");
    let mut lines: Vec<&str> = source
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let first = lines.remove(0);
    let (title, subtitle) = first.split_once("——").expect("title line has a subtitle");
    // The subtitle is read with its dash, as it is printed.
    let mut expected = vec![title.trim().to_string(), format!("——{}", subtitle.trim())];
    // Two-line headings become one line.
    let mut i = 0;
    while i < lines.len() {
        if lines[i].ends_with('，') && lines[i].chars().count() < 20 {
            expected.push(format!("{}{}", lines[i], lines[i + 1]));
            i += 2;
        } else {
            expected.push(lines[i].to_string());
            i += 1;
        }
    }
    let expected = expected.join("\n") + "\n";
    let actual = doc.plain_text();
    for (n, (a, e)) in actual.chars().zip(expected.chars()).enumerate() {
        assert_eq!(
            a,
            e,
            "character {n} differs:\n model:  {}\n source: {}",
            &actual[actual
                .char_indices()
                .nth(n.saturating_sub(10))
                .map_or(0, |x| x.0)..]
                .chars()
                .take(30)
                .collect::<String>(),
            &expected[expected
                .char_indices()
                .nth(n.saturating_sub(10))
                .map_or(0, |x| x.0)..]
                .chars()
                .take(30)
                .collect::<String>()
        );
    }
    assert_eq!(actual.chars().count(), expected.chars().count());
    let han_spaces = actual
        .chars()
        .collect::<Vec<_>>()
        .windows(3)
        .filter(|w| w[1] == ' ' && !w[0].is_ascii() && !w[2].is_ascii())
        .count();
    assert_eq!(han_spaces, 6, "the six spaces inside slogans are kept");
}

/// The same text in GB18030 and UTF-16 (with BOM, both byte orders) gives
/// the identical model.
#[test]
fn real_sample_in_other_encodings() {
    let Some(_sample) = samples::sample_test() else {
        return;
    };
    let (reference, _) = load(Path::new(SAMPLE));
    let text = std::fs::read_to_string(SAMPLE).expect("sample");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("encodings");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let (gb, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    let utf16 = |big: bool| -> Vec<u8> {
        let mut bytes = if big {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&if big {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        bytes
    };
    let crlf = text.replace('\n', "\r\n");
    for (name, bytes) in [
        ("gb18030", gb.to_vec()),
        ("utf16le", utf16(false)),
        ("utf16be", utf16(true)),
        ("crlf", crlf.into_bytes()),
    ] {
        // Same file name, so the model's source path and slug agree too.
        let sub = dir.join(name);
        std::fs::create_dir_all(&sub).expect("tmp dir");
        let path = sub.join("yiyang-united-front-2022.txt");
        std::fs::write(&path, bytes).expect("write");
        let (doc, diagnostics) = load(&path);
        assert_eq!(
            doc,
            Document {
                settings: inkstone::model::Settings {
                    base_dir: sub.clone(),
                    ..reference.settings.clone()
                },
                ..reference.clone()
            },
            "{name}"
        );
        if name != "crlf" {
            assert!(
                diagnostics.iter().any(|d| d.message.starts_with("read as")),
                "{name}: the detected encoding is reported"
            );
        }
    }
}

/// Arbitrary bytes and arbitrary mixtures of the characters the parsers
/// care about never make loading panic: they give a model or an error.
#[test]
fn arbitrary_input_never_panics() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("arbitrary");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let alphabet: Vec<char> =
        "一二十第章节、，。！？；：“”‘’（）()《》——……. -*#>|[]!`\"'\n\n\n \u{3000}\tab1２3\u{FEFF}"
            .chars()
            .collect();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..300 {
        let len = (next() % 400) as usize;
        let bytes: Vec<u8> = if round % 3 == 0 {
            (0..len).map(|_| next() as u8).collect()
        } else {
            (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect::<String>()
                .into_bytes()
        };
        for ext in ["txt", "md"] {
            let path = dir.join(format!("case.{ext}"));
            std::fs::write(&path, &bytes).expect("write");
            let mut diagnostics = Vec::new();
            if let Ok(doc) = inkstone::load_document(&path, &mut diagnostics) {
                serde_json::to_string(&doc).expect("serializes");
            }
        }
    }
}

/// Every paragraph of a fixture written like real text, as an editor
/// would check it: its blocks' kinds, headings, quotes, full stops, numbers
/// and spaces.
#[test]
fn real_text_fixtures() {
    // (case, headings below the title, verse blocks, quoted letters)
    // A file of several 回 is a book of chapters, one per 回, its 回目
    // whole (both halves).
    for (name, titles) in [
        (
            "novel-mixed",
            [
                "第一回 宴桃园豪杰初相识 斩黄巾英雄首立功",
                "第二回 过山岗二人遇猛虎 入酒店一言结良缘",
            ],
        ),
        (
            "chapter-volume",
            [
                "第一回　桃花渡少年辞故里　杏林村老叟授奇书",
                "第二回　杏林村初识众同窗　古柏下夜谈天下事",
            ],
        ),
    ] {
        let (doc, diagnostics) = load(&cases_dir().join(name).join("input.txt"));
        let chapters: Vec<String> = doc
            .chapters
            .iter()
            .map(|c| c.title.display_text())
            .collect();
        assert_eq!(chapters, titles, "{name}");
        let toc: Vec<(u8, &str)> = doc
            .toc
            .iter()
            .map(|e| (e.level, e.title.as_str()))
            .collect();
        assert_eq!(toc, [(1, titles[0]), (1, titles[1])], "{name}");
        assert!(
            diagnostics
                .iter()
                .any(|d| d.message.contains("each start a chapter")),
            "{name}"
        );
    }
    let cases: [(&str, &[&str], usize, usize); 15] = [
        ("novel-verse", &[], 3, 0),
        ("novel-mixed", &[], 1, 1),
        ("letter", &[], 0, 1),
        ("wrapped-letter", &[], 0, 1),
        ("letter-blank-lines", &[], 0, 1),
        // A letter's signature and date stay in the letter whatever
        // follows: verse, the end of the file, the next letter, a chapter.
        ("letter-before-verse", &["第一章 归乡"], 1, 2),
        (
            "letter-exchange",
            &["第二章 重逢", "第三章 余事", "一、几件旧物"],
            0,
            3,
        ),
        // Short lines a paragraph ending in "：" introduces (a menu, names,
        // lines written down) are lists, not headings; a diary's dates
        // are headings, the weather under them is not.
        (
            "lists-and-diary",
            &[
                "第一章 准备",
                "第二章 除夕",
                "第三章 初一以后",
                "正月初一",
                "正月初二",
                "正月初三 阴",
            ],
            0,
            3,
        ),
        ("full-stop-spaces", &[], 0, 0),
        ("dialogue-quotes", &[], 0, 0),
        (
            "wrapped-report",
            &["一、预算收入情况", "二、项目建设情况"],
            0,
            0,
        ),
        ("chapter-volume", &[], 0, 0),
        ("title-author", &[], 1, 0),
        ("title-marks", &[], 0, 0),
        ("place-title-nested-quotes", &[], 0, 0),
    ];
    for (name, expected_headings, verses, letters) in cases {
        let (doc, diagnostics) = load(&cases_dir().join(name).join("input.txt"));
        let blocks: Vec<&Block> = doc.chapters.iter().flat_map(|c| &c.blocks).collect();
        assert_eq!(headings(&doc), expected_headings.to_vec(), "{name}");
        let count = |f: fn(&Block) -> bool| blocks.iter().filter(|b| f(b)).count();
        assert_eq!(
            count(|b| matches!(b, Block::Verse { .. })),
            verses,
            "{name}"
        );
        assert_eq!(
            count(|b| matches!(b, Block::Quote { .. })),
            letters,
            "{name}"
        );
        // Every verse and letter decision is listed by `check`.
        let notes = diagnostics
            .iter()
            .filter(|d| {
                d.message.contains(" read as verse") || d.message.contains(" read as a letter")
            })
            .count();
        assert_eq!(notes, verses + letters, "{name}");
        let texts: Vec<String> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph { content, .. } => Some(inkstone::model::plain_text(content)),
                _ => None,
            })
            .collect();
        for (k, text) in texts.iter().enumerate() {
            let opened = text.matches('“').count();
            let closed = text.matches('”').count();
            // A quotation continued into the next paragraph is open at the
            // end of this one, and the next one starts with “.
            let continued = texts.get(k + 1).is_some_and(|n| n.starts_with('“'));
            assert!(
                opened == closed || (continued && opened == closed + 1),
                "{name}: unbalanced quotes in {text}"
            );
            assert!(!text.contains('"'), "{name}: straight quote left in {text}");
            let chars: Vec<char> = text.chars().collect();
            for w in chars.windows(3) {
                assert!(
                    !(w[0] == '．' && !w[1].is_ascii_digit() && !('０'..='９').contains(&w[1])),
                    "{name}: full stop left as ． in {text}"
                );
                assert!(
                    !(w[0].is_ascii_digit() && w[1] == ' ' && w[2].is_ascii_digit()),
                    "{name}: space inside a number in {text}"
                );
            }
            assert!(!text.ends_with('．'), "{name}: {text}");
            assert!(!text.contains("  "), "{name}: run of spaces in {text}");
            for w in chars.windows(2) {
                let mark = |c: char| "，。：；！？“”（）".contains(c);
                assert!(
                    !(w[0] == ' ' && mark(w[1]) || mark(w[0]) && w[1] == ' '),
                    "{name}: space next to a mark in {text}"
                );
            }
        }
    }
    // The titles: the author before "·" and the marks around a title.
    let (doc, _) = load(&cases_dir().join("title-author/input.txt"));
    assert_eq!(doc.metadata.title, "秋夜泊江（并序）");
    assert_eq!(doc.metadata.authors, ["陆行舟"]);
    let (doc, _) = load(&cases_dir().join("title-marks/input.txt"));
    assert_eq!(doc.metadata.title, "青川志·人物列传");
    assert!(doc.plain_text().contains("约翰·汤姆森"));
    // A place and a theme around "·" stay the title; a quotation inside a
    // quotation written with double marks takes single ones.
    let (doc, diagnostics) = load(&cases_dir().join("place-title-nested-quotes/input.txt"));
    assert_eq!(doc.metadata.title, "青川·旧街风物");
    assert!(doc.metadata.authors.is_empty());
    assert!(diagnostics
        .iter()
        .any(|d| d.message.contains("kept in the title")));
    let text = doc.plain_text();
    assert!(text.contains("常说：‘这街比青川县城还老。’你们"), "{text}");
    assert!(
        text.contains("对我说：‘这茶馆是乾隆年间开的。’我去"),
        "{text}"
    );
    // A number wrapped across lines is whole again.
    let (doc, _) = load(&cases_dir().join("wrapped-report/input.txt"));
    let text = doc.plain_text();
    for number in ["1000余个", "1.5个", "28个", "2.3亿", "12000余户"] {
        assert!(text.contains(number), "{number} in {text}");
    }
}

/// The sample hard-wrapped at 38 characters with a blank line between
/// paragraphs and CRLF line ends reads as the same text.
#[test]
fn real_sample_hard_wrapped() {
    let Some(_sample) = samples::sample_test() else {
        return;
    };
    let (reference, _) = load(Path::new(SAMPLE));
    let text = std::fs::read_to_string(SAMPLE).expect("sample");
    let mut wrapped = String::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let chars: Vec<char> = line.chars().collect();
        for chunk in chars.chunks(38) {
            wrapped.extend(chunk);
            wrapped.push_str("\r\n");
        }
        wrapped.push_str("\r\n");
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wrapped");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let path = dir.join("yiyang-united-front-2022.txt");
    std::fs::write(&path, wrapped).expect("write");
    let (doc, _) = load(&path);
    assert_eq!(doc.plain_text(), reference.plain_text());
    assert_eq!(headings(&doc).len(), 4);
    let paragraphs = doc.chapters[0]
        .blocks
        .iter()
        .filter(|b| matches!(b, Block::Paragraph { .. }))
        .count();
    assert_eq!(paragraphs, 27);
    assert!(doc.plain_text().contains("1000"));
}
