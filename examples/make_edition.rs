//! Writes an N-chapter edition for benchmarks:
//! `cargo run --release --example make_edition -- 200 target/edition-200`.

#[path = "../benches/support/edition.rs"]
mod edition;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let chapters: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let dir = args
        .next()
        .unwrap_or_else(|| format!("target/edition-{chapters}"));
    let bytes = edition::write_edition(
        std::path::Path::new("sources/2025"),
        std::path::Path::new(&dir),
        chapters,
    )?;
    println!(
        "{dir}: {chapters} chapters, {:.2} MB of text",
        bytes as f64 / 1e6
    );
    Ok(())
}
