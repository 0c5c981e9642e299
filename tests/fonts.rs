//! Fonts as a user meets them: a text full of characters outside GB 2312
//! builds with the defaults, every character comes back out of the PDF and
//! is in an embedded EPUB font; the EPUB fonts keep the vertical and
//! punctuation-spacing features; a private-use character fails with its
//! place, and builds once a font that has it is added.
//!
//! The runs hide the system fonts (an empty fontconfig and data folders),
//! and the defaults never look at them anyway: the output is the same on
//! any machine.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn inkstone(args: &[&str]) -> Output {
    let empty = scratch("no-system-fonts");
    Command::new(env!("CARGO_BIN_EXE_inkstone"))
        // Messages are checked in their one-line form.
        .arg("--diagnostic-format=short")
        .args(args)
        .env("FONTCONFIG_FILE", "/dev/null")
        .env("XDG_DATA_HOME", &empty)
        .env("XDG_DATA_DIRS", &empty)
        .env("HOME", &empty)
        .output()
        .expect("run inkstone")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("fonts")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Runs a Python script (fontTools) and returns its standard output.
fn python(script: &str, args: &[&Path]) -> String {
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 must be installed, with fontTools (pip install fonttools)");
    assert!(
        output.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// Whether `c` is one of the 6,763 hanzi of GB 2312 (EUC-CN rows 16-87).
fn in_gb2312(c: char) -> bool {
    let mut buf = [0u8; 4];
    let (bytes, _, _) = encoding_rs::GB18030.encode(c.encode_utf8(&mut buf));
    bytes.len() == 2 && (0xB0..=0xF7).contains(&bytes[0]) && (0xA1..=0xFE).contains(&bytes[1])
}

/// The rare characters of the test: names and classical characters, then
/// every 61st ideograph of the URO block and every 23rd of Extension A
/// that is not in GB 2312.
fn rare_chars() -> Vec<char> {
    let mut chars: Vec<char> = "侞眴埶喆玥珺堃".chars().collect();
    chars.extend(
        (0x4E00..=0x9FA5)
            .step_by(61)
            .filter_map(char::from_u32)
            .filter(|&c| !in_gb2312(c)),
    );
    chars.extend((0x3400..=0x4DB5).step_by(23).filter_map(char::from_u32));
    chars
}

/// A book of two chapters: running text with the rare characters, in
/// lines of twenty, and headings that use some of them.
fn rare_book(dir: &Path) -> String {
    let chars = rare_chars();
    let mut text =
        String::from("第一章 人名与古籍用字\n\n张喆与王玥读《说文》，见侞、眴、埶诸字。\n\n");
    for line in chars.chunks(20) {
        text.push_str("其字曰：");
        text.extend(line.iter());
        text.push_str("。\n\n");
    }
    text.push_str("第二章 㐀堃之辨\n\n末段。\n");
    std::fs::write(dir.join("01.txt"), &text).expect("write");
    std::fs::write(
        dir.join("book.toml"),
        "[book]\nslug = \"book\"\ntitle = \"罕用字测试\"\nauthors = [\"甲乙\"]\nlanguage = \"zh-CN\"\n\n[contents]\nchapters = [\"01.txt\"]\n",
    )
    .expect("write");
    text
}

fn unzip(epub: &Path, dir: &Path) {
    let file = std::fs::File::open(epub).expect("epub");
    let mut archive = zip::ZipArchive::new(file).expect("zip");
    archive.extract(dir).expect("extract");
}

fn embedded_fonts(dir: &Path) -> Vec<PathBuf> {
    let mut fonts: Vec<PathBuf> = std::fs::read_dir(dir.join("EPUB/fonts"))
        .expect("fonts folder")
        .map(|e| e.expect("entry").path())
        .collect();
    fonts.sort();
    fonts
}

#[test]
fn characters_outside_gb2312_build_with_the_defaults() {
    let dir = scratch("rare");
    let book = dir.join("book");
    std::fs::create_dir_all(&book).unwrap();
    let text = rare_book(&book);
    let out = dir.join("out");
    let output = inkstone(&[
        "build",
        "-v",
        book.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    // 㐀 (Extension A, not in the common set) is not in the heading face:
    // it is set in the body face, and said so with its place.
    let line = text.lines().position(|l| l.starts_with("第二章")).unwrap() + 1;
    let note = err
        .lines()
        .find(|l| l.contains("“㐀” (U+3400) is not in the font `Noto Sans CJK SC` bold; it is set in `Noto Serif CJK SC` regular"))
        .unwrap_or_else(|| panic!("no note for 㐀:\n{err}"));
    assert!(note.contains(&format!("01.txt:{line}:")), "{note}");

    // Every character comes back out of the PDF.
    let pdf = out.join("book.pdf");
    let extracted = Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils)");
    let extracted = String::from_utf8(extracted.stdout).unwrap();
    let lost: String = rare_chars()
        .into_iter()
        .filter(|&c| !extracted.contains(c))
        .collect();
    assert!(lost.is_empty(), "not in the PDF's text: {lost}");
    assert!(rare_chars().len() > 300);

    // Every character is in an embedded EPUB font (fontTools' reading of
    // the cmaps).
    let files = dir.join("epub");
    unzip(&out.join("book.epub"), &files);
    let fonts = embedded_fonts(&files);
    assert!(fonts.len() >= 2, "{fonts:?}");
    let chars_file = dir.join("chars.txt");
    std::fs::write(&chars_file, &text).unwrap();
    let mut args: Vec<&Path> = vec![&chars_file];
    args.extend(fonts.iter().map(PathBuf::as_path));
    let missing = python(
        "import sys\nfrom fontTools.ttLib import TTFont\n\
         text = open(sys.argv[1], encoding='utf-8').read()\n\
         mapped = set()\n\
         for path in sys.argv[2:]:\n    mapped |= set(TTFont(path).getBestCmap())\n\
         print(''.join(sorted(c for c in set(text) if not c.isspace() and ord(c) not in mapped)))\n",
        &args,
    );
    assert_eq!(missing.trim(), "", "not in any embedded font");
}

/// For every embedded font: the layout features and vertical tables that
/// reading systems need, a (3,1) cmap, OS/2 ranges declaring the CJK
/// blocks, and a clean `ots-sanitize`.
#[test]
fn embedded_fonts_keep_vertical_and_spacing_features() {
    let dir = scratch("features");
    let book = dir.join("book");
    std::fs::create_dir_all(&book).unwrap();
    std::fs::write(
        book.join("01.txt"),
        "第一章 竖排：“引号”（括号）《书名》，顿号、句号。AVATAR Type かなカナ\n\n“引号”‘单引’（括号）《书名》，顿号、句号。问号？叹号！张喆说：“好。”AVATAR Type かなカナ\n",
    )
    .unwrap();
    std::fs::write(
        book.join("book.toml"),
        "[book]\nslug = \"book\"\ntitle = \"竖排\"\nlanguage = \"zh-CN\"\n\n[contents]\nchapters = [\"01.txt\"]\n\n[style]\nvertical = true\n",
    )
    .unwrap();
    let out = dir.join("out");
    let output = inkstone(&[
        "build",
        book.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-f",
        "epub",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let files = dir.join("epub");
    unzip(&out.join("book.epub"), &files);
    for font in embedded_fonts(&files) {
        let report = python(
            "import sys\nfrom fontTools.ttLib import TTFont\n\
             f = TTFont(sys.argv[1])\n\
             feats = set()\n\
             for t in ('GSUB', 'GPOS'):\n    if t in f:\n        feats |= {r.FeatureTag for r in f[t].table.FeatureList.FeatureRecord}\n\
             print('features', ' '.join(sorted(feats)))\n\
             print('tables', ' '.join(sorted(f.keys())))\n\
             print('cmaps', ' '.join('%d,%d' % (s.platformID, s.platEncID) for s in f['cmap'].tables))\n\
             bits = f['OS/2'].getUnicodeRanges()\n\
             print('ranges', ' '.join(str(b) for b in sorted(bits)))\n",
            &[&font],
        );
        let line = |key: &str| -> Vec<String> {
            report
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{key} ")))
                .unwrap_or("")
                .split(' ')
                .map(str::to_string)
                .collect()
        };
        let features = line("features");
        for feature in [
            "vert", "vrt2", "vhal", "vpal", "halt", "palt", "kern", "vkrn",
        ] {
            assert!(
                features.iter().any(|f| f == feature),
                "{}: no {feature}:\n{report}",
                font.display()
            );
        }
        let tables = line("tables");
        for table in ["GSUB", "GPOS", "vhea", "vmtx", "VORG", "OS/2", "cmap"] {
            assert!(
                tables.iter().any(|t| t == table),
                "{}: no {table}:\n{report}",
                font.display()
            );
        }
        assert!(line("cmaps").iter().any(|c| c == "3,1"), "{report}");
        // Bits 48 (CJK Symbols and Punctuation) and 59 (CJK Unified
        // Ideographs).
        let ranges = line("ranges");
        for bit in ["48", "59"] {
            assert!(ranges.iter().any(|r| r == bit), "bit {bit}:\n{report}");
        }
        let sanitized = Command::new("ots-sanitize")
            .arg(&font)
            .output()
            .expect("ots-sanitize (opentype-sanitizer)");
        assert!(
            sanitized.status.success(),
            "{}: {}",
            font.display(),
            String::from_utf8_lossy(&sanitized.stderr)
        );
    }
}

/// A font with one glyph, for U+E7B9, made with fontTools, of the family
/// `Zaozi Test`.
fn pua_font(path: &Path) {
    pua_font_named(path, "Zaozi Test");
}

fn pua_font_named(path: &Path, family: &str) {
    let family_file = path.with_extension("family");
    std::fs::write(&family_file, family).unwrap();
    python(
        "import sys\nfrom fontTools.fontBuilder import FontBuilder\nfrom fontTools.pens.t2CharStringPen import T2CharStringPen\n\
         fb = FontBuilder(1000, isTTF=False)\n\
         fb.setupGlyphOrder(['.notdef', 'zao'])\n\
         fb.setupCharacterMap({0xE7B9: 'zao'})\n\
         def box():\n    pen = T2CharStringPen(1000, None)\n    pen.moveTo((100, -80)); pen.lineTo((900, -80)); pen.lineTo((900, 800)); pen.lineTo((100, 800)); pen.closePath()\n    return pen.getCharString()\n\
         fb.setupCFF('ZaoziTest-Regular', {'FullName': 'Zaozi Test'}, {'.notdef': box(), 'zao': box()}, {})\n\
         fb.setupHorizontalMetrics({'.notdef': (1000, 100), 'zao': (1000, 100)})\n\
         fb.setupHorizontalHeader(ascent=880, descent=-120)\n\
         family = open(sys.argv[2], encoding='utf-8').read()\n\
         fb.setupNameTable({'familyName': family, 'styleName': 'Regular', 'psName': family.replace(' ', '') + '-Regular', 'fullName': family})\n\
         fb.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)\n\
         fb.setupPost()\n\
         fb.save(sys.argv[1])\n",
        &[path, &family_file],
    );
}

#[test]
fn a_private_use_character_fails_until_a_font_has_it() {
    let dir = scratch("pua");
    let book = dir.join("book");
    std::fs::create_dir_all(&book).unwrap();
    std::fs::write(
        book.join("01.txt"),
        "第一章 造字\n\n县志载：其地产\u{E7B9}草，可入药。\n",
    )
    .unwrap();
    let toml =
        "[book]\nslug = \"book\"\ntitle = \"造字\"\nlanguage = \"zh-CN\"\n\n[contents]\nchapters = [\"01.txt\"]\n";
    std::fs::write(book.join("book.toml"), toml).unwrap();
    let out = dir.join("out");
    let args = ["build", book.to_str().unwrap(), "-o", out.to_str().unwrap()];
    let output = inkstone(&args);
    let err = stderr(&output);
    assert!(!output.status.success(), "{err}");
    assert_ne!(output.status.code(), Some(101), "{err}");
    let expected = format!(
        "{}:3:8: error: no font has the character",
        book.join("01.txt").display()
    );
    assert!(err.contains("U+E7B9"), "{err}");
    assert!(err.contains(&expected), "{err}");
    assert!(err.contains("private-use character"), "{err}");
    assert!(err.contains("add a font that has it"), "{err}");
    assert!(!out.join("book.pdf").exists());

    pua_font(&book.join("zaozi.otf"));
    std::fs::write(
        book.join("book.toml"),
        format!(
            "{toml}\n[fonts]\nbody = [\"Noto Serif CJK SC\", \"Zaozi Test\"]\npaths = [\"zaozi.otf\"]\n"
        ),
    )
    .unwrap();
    let output = inkstone(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = Command::new("pdftotext")
        .args([out.join("book.pdf").to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext");
    // pdftotext puts spaces around a glyph of another font: the text
    // itself must be there.
    let text: String = String::from_utf8_lossy(&text.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(text.contains("产\u{E7B9}草"), "{text}");
}

#[test]
fn fonts_command_lists_the_faces_and_the_missing_characters() {
    let output = inkstone(&["fonts"]);
    let listing = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{}", stderr(&output));
    let faces: Vec<&str> = listing.lines().filter(|l| l.contains("built-in")).collect();
    assert_eq!(faces.len(), 3, "{listing}");
    assert!(
        faces[0].starts_with("Noto Serif CJK SC\tregular\tbuilt-in (NotoSerifCJKsc-Regular.otf)\t")
    );
    assert!(faces[2].starts_with("Noto Sans CJK SC\tbold\tbuilt-in (NotoSansCJKsc-Bold.otf)\t"));
    assert!(listing.contains("system fonts: not used"), "{listing}");

    let dir = scratch("fonts-command");
    let file = dir.join("造字.txt");
    std::fs::write(&file, "标题\n\n甲\u{E7B9}乙\n").unwrap();
    let output = inkstone(&["fonts", file.to_str().unwrap()]);
    let listing = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        listing.contains(&format!("{}:3:2:", file.display())),
        "{listing}"
    );
    assert!(listing.contains("characters no face has: 1"), "{listing}");
}

#[test]
fn the_sample_edition_needs_no_other_font() {
    let edition = concat!(env!("CARGO_MANIFEST_DIR"), "/sources/2025");
    let output = inkstone(&["fonts", edition]);
    let listing = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        listing.lines().filter(|l| l.contains("built-in")).count(),
        3,
        "{listing}"
    );
    assert!(listing.contains("characters no face has: 0"), "{listing}");
}

fn chromium(args: &[&str]) -> String {
    let profile = scratch("chromium-profile");
    let output = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--virtual-time-budget=10000",
            // The page and its fonts are files: let the page load them.
            "--allow-file-access-from-files",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("chromium (Debian package chromium)");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A vertical chapter in Chromium, with the book's embedded fonts: ten Han
/// characters advance 10 em; "，" and "。" take the font's vertical forms
/// (ink in the upper right of the em box, where the horizontal forms have
/// it in the lower left); horizontally, "”“" is compressed to 1.5 em.
#[test]
fn vertical_chapter_in_chromium() {
    let dir = scratch("chromium");
    let book = dir.join("book");
    std::fs::create_dir_all(&book).unwrap();
    std::fs::write(
        book.join("01.txt"),
        "第一章 竖排\n\n一二三四五六七八九十，说：“好。”“是。”\n",
    )
    .unwrap();
    std::fs::write(
        book.join("book.toml"),
        "[book]\nslug = \"book\"\ntitle = \"竖排\"\nlanguage = \"zh-CN\"\n\n[contents]\nchapters = [\"01.txt\"]\n\n[style]\nvertical = true\n",
    )
    .unwrap();
    let out = dir.join("out");
    let output = inkstone(&[
        "build",
        book.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-f",
        "epub",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let files = dir.join("epub");
    unzip(&out.join("book.epub"), &files);
    let chapter = std::fs::read_to_string(files.join("EPUB/ch01.xhtml")).unwrap();
    // The probe page: the chapter as the book has it, then big marks in
    // both writing modes, and a script that writes the measures into the
    // page for --dump-dom.
    let probe = r#"<div id="hmarks" style="position:fixed;left:0;top:0;writing-mode:horizontal-tb;font-size:200px;line-height:1;text-spacing-trim:space-all"><span id="hc">，</span><span id="hs">。</span></div>
<div id="vmarks" style="position:fixed;left:600px;top:0;writing-mode:vertical-rl;font-size:200px;line-height:1;text-spacing-trim:space-all"><span id="vc">，</span><span id="vs">。</span></div>
<p id="pair" style="position:fixed;left:0;top:300px;writing-mode:horizontal-tb;font-size:50px;text-indent:0">说“好。”“是”</p>
<pre id="result"></pre>
<script>
document.fonts.ready.then(function () {
  function rect(node, text) {
    var range = document.createRange();
    var start = node.data.indexOf(text);
    range.setStart(node, start);
    range.setEnd(node, start + text.length);
    return range.getBoundingClientRect();
  }
  function textNode(root, text) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) { if (walker.currentNode.data.indexOf(text) >= 0) return walker.currentNode; }
    return null;
  }
  var ten = textNode(document.querySelector("section, body"), "一二三四五六七八九十");
  var size = parseFloat(getComputedStyle(ten.parentNode).fontSize);
  var r = rect(ten, "一二三四五六七八九十");
  var pairNode = document.getElementById("pair").firstChild;
  var p = rect(pairNode, "”“");
  var out = ["ten " + (r.height / size), "pair " + (p.width / 50)];
  ["hc", "hs", "vc", "vs"].forEach(function (id) {
    var b = document.getElementById(id).getBoundingClientRect();
    out.push(id + " " + b.left + " " + b.top + " " + b.width + " " + b.height);
  });
  document.getElementById("result").textContent = out.join("\n");
});
</script>
</body>"#;
    let page = files.join("EPUB/probe.xhtml");
    std::fs::write(&page, chapter.replace("</body>", probe)).unwrap();
    let url = format!("file://{}", page.display());
    let dom = chromium(&["--dump-dom", &url]);
    let result = dom
        .split("<pre id=\"result\">")
        .nth(1)
        .and_then(|s| s.split("</pre>").next())
        .unwrap_or_else(|| panic!("no result in the page:\n{dom}"));
    let value = |key: &str| -> Vec<f64> {
        result
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key} ")))
            .unwrap_or_else(|| panic!("no {key} in {result}"))
            .split(' ')
            .map(|v| v.parse().expect("number"))
            .collect()
    };
    let ten = value("ten")[0];
    assert!((ten - 10.0).abs() <= 0.3, "ten characters span {ten} em");
    let pair = value("pair")[0];
    assert!(pair <= 1.5 + 1e-3, "”“ spans {pair} em");

    // Where the ink of each mark sits in its em box, from a screenshot.
    let shot = dir.join("shot.png");
    chromium(&[
        &format!("--screenshot={}", shot.display()),
        "--window-size=1000,500",
        &url,
    ]);
    let mut boxes: Vec<&Path> = vec![&shot];
    let spec = dir.join("boxes.txt");
    let lines: Vec<String> = ["hc", "hs", "vc", "vs"]
        .iter()
        .map(|id| {
            let v = value(id);
            format!("{id} {} {} {} {}", v[0], v[1], v[2], v[3])
        })
        .collect();
    std::fs::write(&spec, lines.join("\n")).unwrap();
    boxes.push(&spec);
    let centres = python(
        "import sys\nfrom PIL import Image\n\
         img = Image.open(sys.argv[1]).convert('L')\n\
         for line in open(sys.argv[2]):\n\
         \x20   name, x, y, w, h = line.split(); x, y, w, h = (float(v) for v in (x, y, w, h))\n\
         \x20   sx = sy = n = 0\n\
         \x20   for j in range(int(y), int(y + h)):\n\
         \x20       for i in range(int(x), int(x + w)):\n\
         \x20           if img.getpixel((i, j)) < 128: sx += i; sy += j; n += 1\n\
         \x20   print(name, (sx / n - x) / w if n else -1, (sy / n - y) / h if n else -1)\n",
        &boxes,
    );
    let centre = |id: &str| -> (f64, f64) {
        let v: Vec<f64> = centres
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{id} ")))
            .unwrap_or_else(|| panic!("{centres}"))
            .split(' ')
            .map(|v| v.parse().unwrap())
            .collect();
        (v[0], v[1])
    };
    for (horizontal, vertical) in [("hc", "vc"), ("hs", "vs")] {
        let (hx, hy) = centre(horizontal);
        let (vx, vy) = centre(vertical);
        // The horizontal form (the control) has its ink in the lower left,
        // the vertical form in the upper right.
        assert!(hx < 0.5 && hy > 0.5, "{horizontal}: {hx} {hy}\n{centres}");
        assert!(vx > 0.5 && vy < 0.5, "{vertical}: {vx} {vy}\n{centres}");
    }
}

/// A font the user points to wins over the built-in face of the same
/// family: here a one-glyph font that calls itself Noto Serif CJK SC.
#[test]
fn a_user_font_wins_over_the_builtin_face_of_its_family() {
    let dir = scratch("user-font-wins");
    std::fs::write(dir.join("01.txt"), "甲\n").unwrap();
    std::fs::write(
        dir.join("book.toml"),
        "[book]\nslug = \"book\"\ntitle = \"字体\"\nlanguage = \"zh-CN\"\n\n[contents]\nchapters = [\"01.txt\"]\n\n[fonts]\npaths = [\"mine.otf\"]\n",
    )
    .unwrap();
    pua_font_named(&dir.join("mine.otf"), "Noto Serif CJK SC");
    let output = inkstone(&["fonts", dir.to_str().unwrap()]);
    let listing = String::from_utf8_lossy(&output.stdout).into_owned();
    let body = listing
        .lines()
        .find(|l| l.ends_with("\tbody"))
        .unwrap_or_else(|| panic!("{listing}"));
    assert!(
        body.starts_with("Noto Serif CJK SC\tregular\textra (")
            && body.contains("mine.otf)\t1 characters"),
        "{listing}"
    );
    // The control: without the file, the built-in face.
    std::fs::remove_file(dir.join("mine.otf")).unwrap();
    std::fs::write(
        dir.join("book.toml"),
        "[book]\nslug = \"book\"\ntitle = \"字体\"\nlanguage = \"zh-CN\"\n\n[contents]\nchapters = [\"01.txt\"]\n",
    )
    .unwrap();
    let output = inkstone(&["fonts", dir.to_str().unwrap()]);
    let listing = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        listing.contains("Noto Serif CJK SC\tregular\tbuilt-in (NotoSerifCJKsc-Regular.otf)\t"),
        "{listing}"
    );
}
