//! `vertical = true` is honoured by the EPUB; the paged formats are set
//! horizontally, and the build says so with the line of book.toml.

use std::path::Path;
use std::process::Command;

fn build(name: &str, vertical: bool) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("make the book folder");
    std::fs::write(
        dir.join("book.toml"),
        format!(
            "[book]\ntitle = \"竖排试印\"\nslug = \"tate\"\n\n[contents]\nchapters = [\"a.txt\"]\n\n\
             [style]\nvertical = {vertical}\n"
        ),
    )
    .expect("write book.toml");
    std::fs::write(
        dir.join("a.txt"),
        "第一章 缘起\n\n这本小册子原是为县里的老人读报会准备的，字要大，行要稀。\n",
    )
    .expect("write a.txt");
    let output = Command::new(env!("CARGO_BIN_EXE_inkstone"))
        .args(["build", "--diagnostic-format=short", "-o"])
        .arg(dir.join("out"))
        .arg(&dir)
        .output()
        .expect("inkstone runs");
    assert!(output.status.success());
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn vertical_is_reported_for_the_pdf_with_its_line() {
    let stderr = build("vertical-on", true);
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("`vertical")).collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0].contains("book.toml:9:1: warning:") && warnings[0].contains("PDF"),
        "{stderr}"
    );
    // Negative control: without it nothing is said.
    let stderr = build("vertical-off", false);
    assert!(!stderr.contains("`vertical"), "{stderr}");
}
