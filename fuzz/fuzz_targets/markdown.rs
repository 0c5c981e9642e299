//! Markdown to the model on any text.
#![no_main]

use inkstone::config::{InputFormat, NormalizeConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = inkstone::normalize::parse_source(text, InputFormat::Markdown, &NormalizeConfig::default(), &mut Vec::new());
});
