//! Encoding detection and strict decoding on any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = inkstone::source::decode_source(std::path::Path::new("fuzz.txt"), bytes, None, &mut Vec::new());
});
