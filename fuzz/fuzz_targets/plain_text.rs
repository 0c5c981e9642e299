//! Plain-text structure and punctuation normalization on any text.
#![no_main]

use inkstone::config::{InputFormat, NormalizeConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = inkstone::normalize::parse_source(text, InputFormat::Text, &NormalizeConfig::default(), &mut Vec::new());
});
