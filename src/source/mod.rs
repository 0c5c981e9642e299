//! Reading source files: encoding detection, newlines, Unicode NFC.
//!
//! The first stage of the pipeline. A [`SourceFile`] holds the decoded text
//! with `\n` newlines; line numbers are the ones the user sees in an editor,
//! so diagnostics from later stages point at the right place.

use std::path::{Path, PathBuf};

use encoding_rs::{DecoderResult, Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::diag::{Diagnostic, Failure, Location};

/// A decoded source file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user gave it (for messages).
    pub path: PathBuf,
    /// The text, NFC, with `\n` newlines and without a byte-order mark.
    pub text: String,
    /// The encoding the bytes were decoded from.
    pub encoding: &'static Encoding,
}

/// The largest source file read (256 MB).
pub const MAX_SOURCE_BYTES: u64 = 256 << 20;

/// Reads `path`, decoding it with `encoding` if given, else detecting it.
/// Notes about the detected encoding go to `diagnostics`.
pub fn read_source(
    path: &Path,
    encoding: Option<&'static Encoding>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<SourceFile, Failure> {
    let meta =
        std::fs::metadata(path).map_err(|e| Failure::io(path, "read the chapter file", &e))?;
    if !meta.is_file() {
        return Err(Diagnostic::error(Location::file(path), "not a regular file")
            .with_hint("name an ordinary text file; folders, pipes and devices cannot be read as a chapter")
            .into());
    }
    if meta.len() > MAX_SOURCE_BYTES {
        return Err(Diagnostic::error(
            Location::file(path),
            format!(
                "the file is {} MB; inkstone reads source files of up to {} MB",
                meta.len() >> 20,
                MAX_SOURCE_BYTES >> 20
            ),
        )
        .with_hint("split the text into several chapter files")
        .into());
    }
    let bytes = std::fs::read(path).map_err(|e| Failure::io(path, "read the chapter file", &e))?;
    decode_source(path, &bytes, encoding, diagnostics)
}

/// Decodes `bytes` read from `path` (see [`read_source`]).
pub fn decode_source(
    path: &Path,
    bytes: &[u8],
    encoding: Option<&'static Encoding>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<SourceFile, Failure> {
    let (encoding, body, how) = match encoding {
        Some(enc) => {
            let bom = Encoding::for_bom(bytes)
                .filter(|(bom_enc, _)| *bom_enc == enc)
                .map_or(0, |(_, len)| len);
            (enc, &bytes[bom..], "as configured")
        }
        None => match Encoding::for_bom(bytes) {
            Some((enc, len)) => (enc, &bytes[len..], "from its byte-order mark"),
            None => {
                if !bytes.is_empty() && bytes.iter().all(|&b| b == 0) {
                    return Err(Diagnostic::error(
                        Location::file(path),
                        "the file has no text: it holds only NUL bytes",
                    )
                    .with_hint("the file may be damaged; take the text from its original")
                    .into());
                }
                if let Some(enc) = detect_utf16(bytes) {
                    (
                        enc,
                        bytes,
                        "detected from its byte pattern; it has no byte-order mark",
                    )
                } else {
                    if let Some(kind) = binary_kind(bytes) {
                        return Err(Diagnostic::error(
                            Location::file(path),
                            format!("not a text file (it looks like {kind})"),
                        )
                        .with_hint("give a .txt or .md file; save documents as plain text first")
                        .into());
                    }
                    check_mixed(path, bytes)?;
                    (detect_known(path, bytes)?, bytes, "detected")
                }
            }
        },
    };
    let decoded = decode_strict(path, body, encoding)?;
    if encoding != UTF_8 {
        diagnostics.push(Diagnostic::info(
            Location::file(path),
            format!("read as {} ({how})", encoding.name()),
        ));
    }
    let text = normalize_newlines(&decoded);
    let text = if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        text
    } else {
        let nfc: String = text.nfc().collect();
        if nfc != text {
            diagnostics.push(Diagnostic::note(
                Location::file(path),
                "text put in Unicode normalization form C (NFC)",
            ));
        }
        nfc
    };
    let text = map_gb18030_pua(path, text, diagnostics);
    Ok(SourceFile {
        path: path.to_path_buf(),
        text,
        encoding,
    })
}

/// Private-use code points that GB18030-2000 (and the converters built on
/// it) gave to characters which GB18030-2005 and GB18030-2022 map to
/// standard code points: the vertical punctuation of row A6, ḿ, and the
/// ideographs of rows FE5x-FEAx.
const GB18030_PUA: [(char, char); 25] = [
    ('\u{E78D}', '\u{FE10}'),
    ('\u{E78E}', '\u{FE12}'),
    ('\u{E78F}', '\u{FE11}'),
    ('\u{E790}', '\u{FE13}'),
    ('\u{E791}', '\u{FE14}'),
    ('\u{E792}', '\u{FE15}'),
    ('\u{E793}', '\u{FE16}'),
    ('\u{E794}', '\u{FE17}'),
    ('\u{E795}', '\u{FE18}'),
    ('\u{E796}', '\u{FE19}'),
    ('\u{E7C7}', '\u{1E3F}'),
    ('\u{E816}', '\u{20087}'),
    ('\u{E817}', '\u{20089}'),
    ('\u{E818}', '\u{200CC}'),
    ('\u{E81E}', '\u{9FB4}'),
    ('\u{E826}', '\u{9FB5}'),
    ('\u{E82B}', '\u{9FB6}'),
    ('\u{E82C}', '\u{9FB7}'),
    ('\u{E831}', '\u{215D7}'),
    ('\u{E832}', '\u{9FB8}'),
    ('\u{E83B}', '\u{2298F}'),
    ('\u{E843}', '\u{9FB9}'),
    ('\u{E854}', '\u{9FBA}'),
    ('\u{E855}', '\u{241FE}'),
    ('\u{E864}', '\u{9FBB}'),
];

/// Replaces the private-use code points of [`GB18030_PUA`] with their
/// standard ones, with a note at each place.
fn map_gb18030_pua(path: &Path, text: String, diagnostics: &mut Vec<Diagnostic>) -> String {
    let standard = |c: char| {
        GB18030_PUA
            .binary_search_by_key(&c, |&(pua, _)| pua)
            .ok()
            .map(|i| GB18030_PUA[i].1)
    };
    if !text.chars().any(|c| standard(c).is_some()) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let (mut line, mut column) = (1u32, 0u32);
    for c in text.chars() {
        column += 1;
        match standard(c) {
            Some(to) => {
                out.push(to);
                diagnostics.push(Diagnostic::note(
                    Location::new(path, line, column),
                    format!(
                        "private-use U+{:04X} read as “{to}” (U+{:04X}), its code point since GB18030-2005/2022",
                        c as u32, to as u32
                    ),
                ));
            }
            None => out.push(c),
        }
        if c == '\n' {
            line += 1;
            column = 0;
        }
    }
    out
}

/// UTF-16 without a byte-order mark, told by its byte pattern: the bytes
/// are not UTF-8, some code unit has a zero high byte (newlines, digits,
/// spaces) and nearly every code unit is a character of Chinese text
/// (CJK ideographs and punctuation, full-width forms, ASCII).
fn detect_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    if bytes.len() < 4 || bytes.len() % 2 != 0 {
        return None;
    }
    if !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() {
        return None;
    }
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    for (encoding, little) in [(UTF_16LE, true), (UTF_16BE, false)] {
        let units = sample.chunks_exact(2).map(|pair| {
            if little {
                u16::from_le_bytes([pair[0], pair[1]])
            } else {
                u16::from_be_bytes([pair[0], pair[1]])
            }
        });
        let (mut total, mut plausible, mut ascii) = (0usize, 0usize, 0usize);
        for unit in units {
            total += 1;
            if plausible_utf16_unit(unit) {
                plausible += 1;
            }
            if unit < 0x80 && unit != 0 {
                ascii += 1;
            }
        }
        if ascii > 0 && plausible * 100 >= total * 95 {
            return Some(encoding);
        }
    }
    None
}

fn plausible_utf16_unit(unit: u16) -> bool {
    matches!(unit,
        0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0xA0..=0x24F | 0x2000..=0x206F
        | 0x2100..=0x27BF | 0x3000..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF)
}

/// What `bytes` look like when they are not text: a known file signature,
/// or NUL and other control bytes that text never has.
fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: [(&[u8], &str); 12] = [
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"%PDF", "a PDF file"),
        (b"PK\x03\x04", "a zip archive, such as a .docx or .epub"),
        (b"\xD0\xCF\x11\xE0", "a Word or Excel file"),
        (b"\x7FELF", "a program"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"Rar!", "a RAR archive"),
        (b"7z\xBC\xAF", "a 7z archive"),
        (b"RIFF", "a WebP image or a sound or video file"),
        (b"{\\rtf", "an RTF document"),
    ];
    if let Some((_, kind)) = SIGNATURES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
    {
        return Some(kind);
    }
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    if sample.contains(&0) {
        return Some("binary data");
    }
    let control = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B))
        .count();
    (control > 3 && control * 20 > sample.len()).then_some("binary data")
}

/// Splits `bytes` into lines at LF, CRLF or a lone CR, numbered from 1.
fn byte_lines(bytes: &[u8]) -> impl Iterator<Item = (u32, &[u8])> {
    let mut rest = bytes;
    let mut number = 0u32;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        number += 1;
        let end = rest.iter().position(|&b| b == b'\n' || b == b'\r');
        let (line, next) = match end {
            Some(i) => {
                let skip = if rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                (&rest[..i], &rest[i + skip..])
            }
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        Some((number, line))
    })
}

/// Refuses a file whose lines are in two encodings: UTF-8 lines of
/// Chinese text beside lines that are not UTF-8 but read as GB18030. The
/// error names the first line in the minority encoding.
fn check_mixed(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let (mut utf8_lines, mut gbk_lines) = (0usize, 0usize);
    let (mut first_utf8, mut first_gbk) = (None, None);
    for (number, line) in byte_lines(bytes) {
        match std::str::from_utf8(line) {
            Ok(text) => {
                if text.chars().filter(|c| c.len_utf8() == 3).count() >= 3 {
                    utf8_lines += 1;
                    first_utf8.get_or_insert(number);
                }
            }
            Err(_) => {
                let (_, had_errors) = GB18030.decode_without_bom_handling(line);
                if !had_errors {
                    gbk_lines += 1;
                    first_gbk.get_or_insert(number);
                }
            }
        }
    }
    if utf8_lines == 0 || gbk_lines == 0 {
        return Ok(());
    }
    let (line, message) = if utf8_lines >= gbk_lines {
        (
            first_gbk,
            "this line is not UTF-8 like the rest of the file (it reads as GBK): the file mixes two encodings",
        )
    } else {
        (
            first_utf8,
            "this line is UTF-8 but the rest of the file is GBK: the file mixes two encodings",
        )
    };
    Err(
        Diagnostic::error(Location::new(path, line.unwrap_or(1), 1), message)
            .with_hint("re-save the whole file in one encoding (UTF-8), then build again")
            .into(),
    )
}

/// [`detect`], limited to the encodings of Chinese text: a guess of any
/// other (such as windows-1252) is refused rather than read as mojibake.
fn detect_known(path: &Path, bytes: &[u8]) -> Result<&'static Encoding, Failure> {
    let guess = detect(bytes);
    if guess == UTF_8 || guess == GB18030 || guess == encoding_rs::BIG5 {
        return Ok(guess);
    }
    Err(Diagnostic::error(
        Location::file(path),
        format!(
            "cannot tell the encoding of this file: it is not UTF-8, GBK/GB18030, Big5 or UTF-16 (it may be {})",
            guess.name()
        ),
    )
    .with_hint(format!(
        "re-save the file as UTF-8, or set `encoding = \"{}\"` for this chapter in book.toml if that is what it is",
        guess.name().to_ascii_lowercase()
    ))
    .into())
}

/// Guesses the encoding of BOM-less bytes: UTF-8 when they are valid UTF-8
/// or mostly so (a few bad bytes in a UTF-8 file are an error to report,
/// not a reason to read it as GBK), else chardetng's guess, with the GBK
/// family read as its superset GB18030.
fn detect(bytes: &[u8]) -> &'static Encoding {
    if looks_like_utf8(bytes) {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Allow);
    if guess == encoding_rs::GBK {
        GB18030
    } else {
        guess
    }
}

/// True if `bytes` are UTF-8, or have at least eight well-formed multi-byte
/// sequences before the first error and errors at most a quarter as many.
fn looks_like_utf8(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    let mut good_multibyte = 0usize;
    let mut errors = 0usize;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                good_multibyte += s.chars().filter(|c| c.len_utf8() > 1).count();
                break;
            }
            Err(e) => {
                let valid = &rest[..e.valid_up_to()];
                // Safe by construction: `valid_up_to` bytes are UTF-8.
                good_multibyte += std::str::from_utf8(valid)
                    .map_or(0, |s| s.chars().filter(|c| c.len_utf8() > 1).count());
                errors += 1;
                let skip = e.error_len().unwrap_or(rest.len() - e.valid_up_to());
                rest = &rest[e.valid_up_to() + skip..];
            }
        }
    }
    errors == 0 || (good_multibyte >= 8 && errors * 4 <= good_multibyte)
}

/// Decodes without replacement: a malformed sequence is an error naming the
/// line and byte offset.
fn decode_strict(
    path: &Path,
    bytes: &[u8],
    encoding: &'static Encoding,
) -> Result<String, Failure> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len() * 3);
    let mut out = String::with_capacity(capacity);
    let mut read_total = 0;
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[read_total..], &mut out, true);
        read_total += read;
        match result {
            DecoderResult::InputEmpty => return Ok(out),
            DecoderResult::OutputFull => out.reserve(bytes.len().max(64)),
            DecoderResult::Malformed(bad, after) => {
                let offset = read_total - after as usize - bad as usize;
                let (line, column) = end_position(&out);
                let shown: Vec<String> = bytes[offset..offset + bad as usize]
                    .iter()
                    .map(|b| format!("{b:02X}"))
                    .collect();
                let hint = if encoding == UTF_16LE || encoding == UTF_16BE {
                    "the file may be damaged; re-save it as UTF-8".to_string()
                } else {
                    "re-save the file as UTF-8, or set `encoding` for this chapter in book.toml"
                        .to_string()
                };
                return Err(Diagnostic::error(
                    Location::new(path, line, column),
                    format!(
                        "bytes {} at byte offset {offset} are not valid {}",
                        shown.join(" "),
                        encoding.name()
                    ),
                )
                .with_hint(hint)
                .into());
            }
        }
    }
}

/// The 1-based line and column just after `text`, counting LF, CRLF and a
/// lone CR as one line break each.
fn end_position(text: &str) -> (u32, u32) {
    let mut line = 1u32;
    let mut column = 1u32;
    let mut after_cr = false;
    for c in text.chars() {
        match c {
            '\n' if after_cr => {}
            '\n' | '\r' => {
                line += 1;
                column = 1;
            }
            _ => column += 1,
        }
        after_cr = c == '\r';
    }
    (line, column)
}

/// CRLF and lone CR become LF, so line numbers match what editors show.
fn normalize_newlines(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_string();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> Result<SourceFile, Failure> {
        decode_source(Path::new("t.txt"), bytes, None, &mut Vec::new())
    }

    #[test]
    fn gb18030_and_utf16_decode_to_the_same_text() {
        let text = "统一战线，同心奋进。\r\n第二行 Latin 2022\r\n";
        let (gb, _, _) = GB18030.encode(text);
        let mut utf16le = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            utf16le.extend_from_slice(&unit.to_le_bytes());
        }
        let mut utf16be = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            utf16be.extend_from_slice(&unit.to_be_bytes());
        }
        let expected = "统一战线，同心奋进。\n第二行 Latin 2022\n";
        for bytes in [text.as_bytes().to_vec(), gb.to_vec(), utf16le, utf16be] {
            assert_eq!(decode(&bytes).unwrap().text, expected);
        }
    }

    #[test]
    fn gb18030_2000_private_use_characters_get_their_standard_code_points() {
        let mut notes = Vec::new();
        let bytes = "第一行\n甲\u{E81E}乙\u{E78E}".as_bytes();
        let file = decode_source(Path::new("t.txt"), bytes, None, &mut notes).unwrap();
        assert_eq!(file.text, "第一行\n甲\u{9FB4}乙\u{FE12}");
        let notes: Vec<String> = notes.iter().map(ToString::to_string).collect();
        assert!(notes[0].contains("t.txt:2:2"), "{notes:?}");
        assert!(notes[0].contains("U+E81E"), "{notes:?}");
        assert_eq!(notes.len(), 2);
        // Other private-use characters stay as they are.
        let file = decode("\u{E7B9}".as_bytes()).unwrap();
        assert_eq!(file.text, "\u{E7B9}");
    }

    #[test]
    fn bad_utf8_byte_is_located() {
        let mut bytes = "第一行统一战线工作综述\n第二行同心".as_bytes().to_vec();
        bytes.push(0xFF);
        bytes.extend_from_slice("奋进".as_bytes());
        let err = decode(&bytes).unwrap_err().to_string();
        assert!(
            err.starts_with("t.txt:2:6: error: bytes FF at byte offset"),
            "{err}"
        );
    }

    #[test]
    fn utf16_without_bom_is_detected() {
        let text = "统一战线，同心奋进。\n第二行 2022\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for bytes in [le, be] {
            let file = decode(&bytes).unwrap();
            assert_eq!(file.text, text);
        }
    }

    #[test]
    fn garbage_is_not_text() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let err = decode(png).unwrap_err().to_string();
        assert!(
            err.contains("not a text file (it looks like a PNG image)"),
            "{err}"
        );
        let err = decode(&[0u8; 64]).unwrap_err().to_string();
        assert!(err.contains("no text"), "{err}");
        let latin1 = b"Caf\xe9 au lait, cr\xe8me br\xfbl\xe9e, na\xefve fa\xe7ade.\n";
        let err = decode(latin1).unwrap_err().to_string();
        assert!(err.contains("cannot tell the encoding"), "{err}");
    }

    #[test]
    fn mixed_encodings_name_the_first_odd_line() {
        let mut bytes = "第一行是统一战线\n第二行是同心奋进\n".as_bytes().to_vec();
        let (gbk, _, _) = GB18030.encode("第三行是另一种编码\n");
        bytes.extend_from_slice(&gbk);
        bytes.extend_from_slice("第四行又是统一战线\n".as_bytes());
        let err = decode(&bytes).unwrap_err().to_string();
        assert!(
            err.starts_with("t.txt:3:1: error: this line is not UTF-8"),
            "{err}"
        );
    }

    #[test]
    fn cr_only_line_numbers() {
        let mut bytes = "第一行统一战线工作综述\r第二行同心".as_bytes().to_vec();
        bytes.push(0xFF);
        let err = decode(&bytes).unwrap_err().to_string();
        assert!(err.starts_with("t.txt:2:6: error:"), "{err}");
    }

    #[test]
    fn utf8_bom_is_dropped() {
        let bytes = [&[0xEF, 0xBB, 0xBF][..], "书".as_bytes()].concat();
        assert_eq!(decode(&bytes).unwrap().text, "书");
    }
}
