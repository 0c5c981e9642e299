//! book.toml parsing and its error messages on any text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Err(failure) = inkstone::config::BookConfig::parse(text, std::path::Path::new("book.toml")) {
        let _ = failure.to_string();
    }
});
