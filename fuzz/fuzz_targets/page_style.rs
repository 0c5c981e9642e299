//! The PDF page-style parser (TOML to a resolved page style) on any text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = inkstone::typeset::style::parse_style("fuzz", text, std::path::Path::new("fuzz.toml"));
});
