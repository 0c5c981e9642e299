//! Rebuilds in one process (`inkstone watch`, `serve`) reuse the EPUB font
//! subsets of the build before: the files are the same bytes as a fresh
//! build's, and a subset is made again exactly when its characters change.

use std::path::{Path, PathBuf};

use inkstone::export::epub::fonts::SubsetMemo;

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("rebuild")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write fixture");
}

/// The EPUB of the book at `dir`, fresh or reusing `memo`.
fn epub(dir: &Path, memo: Option<&SubsetMemo>) -> Vec<u8> {
    let mut diagnostics = Vec::new();
    let doc = inkstone::load_document(dir, &mut diagnostics).expect("loads");
    let fonts =
        inkstone::fonts::resolve_fonts(&doc.settings.fonts, &doc.settings.base_dir).expect("fonts");
    inkstone::export::epub::render_epub_reusing(&doc, &fonts, memo)
        .expect("renders")
        .0
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    // Chapter files are stored compressed: look in the unpacked text.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(haystack)).expect("zip");
    (0..zip.len()).any(|i| {
        let mut text = String::new();
        let mut file = zip.by_index(i).expect("entry");
        std::io::Read::read_to_string(&mut file, &mut text).is_ok() && text.contains(needle)
    })
}

#[test]
fn reused_subsets_give_the_same_bytes_and_change_with_the_characters() {
    let dir = scratch("subsets");
    write(
        &dir.join("book.toml"),
        "[book]\ntitle = \"山居杂记\"\nauthors = [\"陈默\"]\nyear = 2024\n\n[contents]\nchapters = [\"01.txt\", \"02.txt\"]\n",
    );
    write(
        &dir.join("01.txt"),
        "一　山中\n\u{3000}\u{3000}搬到山里的第一年，院子里只有一棵老梨树。\n春天开花的时候，满院子都是白的。\n",
    );
    write(
        &dir.join("02.txt"),
        "二　雨季\n\u{3000}\u{3000}雨一下就是半个月,屋檐下的水缸总是满的。\n",
    );
    let memo = SubsetMemo::default();
    let first = epub(&dir, Some(&memo));
    assert_eq!(first, epub(&dir, None), "a first build is a fresh build");
    let kept = memo.len();
    assert!(kept >= 1, "the subsets are kept");

    // An edit with no new character: the same subsets, none made again.
    write(
        &dir.join("01.txt"),
        "一　山中\n\u{3000}\u{3000}搬到山里的第一年，院子里只有一棵老梨树。\n满院子都是白的，春天开花的时候。\n",
    );
    let second = epub(&dir, Some(&memo));
    assert_eq!(memo.len(), kept, "no subset was made again");
    assert_ne!(second, first, "the edit is in the book");
    assert!(contains(&second, "满院子都是白的，春天开花的时候"));
    assert_eq!(second, epub(&dir, None), "the same bytes as a fresh build");

    // A new character: the body subset is made again, with it.
    write(
        &dir.join("02.txt"),
        "二　雨季\n\u{3000}\u{3000}雨一下就是半个月,屋檐下的水缸总是满的。蜗牛爬上了窗台。\n",
    );
    let third = epub(&dir, Some(&memo));
    assert!(
        memo.len() > kept,
        "a subset with the new characters was made"
    );
    assert!(contains(&third, "蜗牛爬上了窗台"));
    assert_eq!(third, epub(&dir, None), "the same bytes as a fresh build");
}
