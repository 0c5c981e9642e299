//! Moving each line's ActualText span into the text objects that draw it.
//!
//! krilla draws every glyph run in its own `q … BT … ET Q` block, and a
//! tagged span can only be opened around such blocks. Text extractors
//! (poppler's among them) place the ActualText of a span with the graphics
//! state in force at its `EMC`; outside the block that state has neither
//! the page's transformation nor a font, so a line would come out mirrored
//! and with no size. This pass rewrites the content streams of the
//! finished file: the outer span keeps its MCID for the tag tree, and the
//! ActualText goes inside each run's `BT … ET`, split at the run
//! boundaries that the writer marks with [`RUN_SEPARATOR`].
//!
//! The file keeps its objects in order; only content streams (and the
//! catalog's mark information) change, and the cross-reference table is
//! written anew.

use flate2::{Compress, Compression, FlushCompress, Status};
use rayon::prelude::*;

/// Separates the texts of a line's runs inside its ActualText.
pub const RUN_SEPARATOR: char = '\u{E000}';

/// Rewrites the content streams of `pdf`; `None` when the file is not in
/// the shape krilla writes (then it is left as it is).
pub fn move_spans_into_text(pdf: &[u8]) -> Option<Vec<u8>> {
    let startxref = find_last(pdf, b"startxref")?;
    let xref_at: usize = std::str::from_utf8(&pdf[startxref + 9..])
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let trailer_at = find_from(pdf, b"trailer", xref_at)?;
    let trailer_end = find_from(pdf, b"startxref", trailer_at)?;
    let trailer = &pdf[trailer_at..trailer_end];
    // The objects, in file order, by their offsets in the xref table.
    let table = std::str::from_utf8(&pdf[xref_at..trailer_at]).ok()?;
    let mut lines = table.lines();
    lines.next()?; // "xref"
    let header: Vec<usize> = lines
        .next()?
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    let count = *header.get(1)?;
    let mut offsets: Vec<(usize, usize)> = Vec::with_capacity(count);
    for (number, entry) in lines.take(count).enumerate() {
        let mut parts = entry.split_whitespace();
        let offset: usize = parts.next()?.parse().ok()?;
        if parts.nth(1) == Some("n") {
            offsets.push((offset, number));
        }
    }
    offsets.sort_unstable();
    let first = offsets.first()?.0;
    let mut out = Vec::with_capacity(pdf.len() + pdf.len() / 20);
    out.extend_from_slice(&pdf[..first]);
    // Objects are rewritten in parallel (inflate, move spans, deflate),
    // then written in their order.
    let objects: Vec<(usize, &[u8])> = offsets
        .iter()
        .enumerate()
        .map(|(k, &(offset, number))| {
            let end = offsets.get(k + 1).map_or(xref_at, |o| o.0);
            (number, &pdf[offset..end])
        })
        .collect();
    let rewritten: Vec<Option<Option<Vec<u8>>>> = objects
        .par_iter()
        .map(|(_, object)| rewrite_object(object))
        .collect();
    let mut new_offsets = vec![0usize; count];
    for ((number, object), rewritten) in objects.iter().zip(rewritten) {
        new_offsets[*number] = out.len();
        const MARK_INFO: &[u8] = b"/MarkInfo<</Marked true/Suspects false>>";
        if let Some(at) = find_from(object, MARK_INFO, 0) {
            // `/Suspects false` is the default; poppler 22 reports the
            // boolean as a syntax error, so it is left out.
            out.extend_from_slice(&object[..at]);
            out.extend_from_slice(b"/MarkInfo<</Marked true>>");
            out.extend_from_slice(&object[at + MARK_INFO.len()..]);
            continue;
        }
        match rewritten? {
            Some(rewritten) => out.extend_from_slice(&rewritten),
            None => out.extend_from_slice(object),
        }
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {count}\n").as_bytes());
    for (number, offset) in new_offsets.iter().enumerate() {
        if number == 0 {
            out.extend_from_slice(b"0000000000 65535 f\r\n");
        } else {
            out.extend_from_slice(format!("{offset:010} 00000 n\r\n").as_bytes());
        }
    }
    out.extend_from_slice(trailer);
    out.extend_from_slice(format!("startxref\n{xref}\n%%EOF").as_bytes());
    Some(out)
}

/// A content stream object with line spans, rewritten: `Some(None)` to
/// keep the object as it is, `None` when a stream with spans cannot be
/// rewritten.
fn rewrite_object(object: &[u8]) -> Option<Option<Vec<u8>>> {
    let Some(dict_end) = find_from(object, b"stream\n", 0) else {
        return Some(None);
    };
    let dict = &object[..dict_end];
    let Ok(dict_text) = std::str::from_utf8(dict) else {
        return Some(None);
    };
    // The streams krilla leaves uncompressed (page contents, ToUnicode
    // maps, glyph programs) are compressed here; fonts and images come
    // compressed and stay as they are; the XMP packet stays readable as
    // archives expect (PDF/A wants it unfiltered).
    if dict_text.contains("/Filter")
        || dict_text.contains("/Subtype/Image")
        || dict_text.contains("/Type/Metadata")
    {
        return Some(None);
    }
    let length_at = dict_text.find("/Length ")?;
    let digits_at = length_at + "/Length ".len();
    let digits_end = dict_text[digits_at..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(dict_text.len(), |i| digits_at + i);
    let length: usize = dict_text[digits_at..digits_end].parse().ok()?;
    let data_start = dict_end + "stream\n".len();
    let data = object.get(data_start..data_start + length)?;
    let rewritten;
    let content = if find_from(data, b"/ActualText", 0).is_some() {
        rewritten = rewrite_content(data)?;
        &rewritten[..]
    } else {
        data
    };
    let compressed = deflate(content)?;
    let mut out = Vec::with_capacity(compressed.len() + 64);
    out.extend_from_slice(&dict[..length_at]);
    out.extend_from_slice(format!("/Filter/FlateDecode/Length {}", compressed.len()).as_bytes());
    out.extend_from_slice(&dict[digits_end..]);
    out.extend_from_slice(b"stream\n");
    out.extend_from_slice(&compressed);
    out.extend_from_slice(&object[data_start + length..]);
    Some(Some(out))
}

/// zlib at the default level, with one compressor per thread reused from
/// stream to stream (setting one up costs more than a small page).
fn deflate(data: &[u8]) -> Option<Vec<u8>> {
    thread_local! {
        static COMPRESS: std::cell::RefCell<Compress> = std::cell::RefCell::new(Compress::new(Compression::new(6), true));
    }
    COMPRESS.with(|cell| {
        let mut compress = cell.borrow_mut();
        compress.reset();
        let mut out = Vec::with_capacity(data.len() / 3 + 64);
        loop {
            let consumed = compress.total_in() as usize;
            let status = compress
                .compress_vec(&data[consumed..], &mut out, FlushCompress::Finish)
                .ok()?;
            match status {
                Status::StreamEnd => return Some(out),
                _ => out.reserve(out.capacity().max(64)),
            }
        }
    })
}

/// A token of a content stream: its byte range and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Operator,
    Operand,
}

/// Splits content into tokens (strings, dictionaries and arrays are one
/// operand each).
fn tokenize(content: &[u8]) -> Option<Vec<(usize, usize, Kind)>> {
    let mut tokens = Vec::new();
    let mut i = 0;
    let n = content.len();
    while i < n {
        let c = content[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        match c {
            b'(' => {
                i = skip_string(content, i)?;
                tokens.push((start, i, Kind::Operand));
            }
            b'<' if content.get(i + 1) == Some(&b'<') => {
                i = skip_nested(content, i, b"<<", b">>")?;
                tokens.push((start, i, Kind::Operand));
            }
            b'<' => {
                i = find_from(content, b">", i)? + 1;
                tokens.push((start, i, Kind::Operand));
            }
            b'[' => {
                i = skip_nested(content, i, b"[", b"]")?;
                tokens.push((start, i, Kind::Operand));
            }
            b'/' => {
                i += 1;
                while i < n && !is_delimiter(content[i]) {
                    i += 1;
                }
                tokens.push((start, i, Kind::Operand));
            }
            b'-' | b'+' | b'.' | b'0'..=b'9' => {
                while i < n && !is_delimiter(content[i]) {
                    i += 1;
                }
                tokens.push((start, i, Kind::Operand));
            }
            _ => {
                while i < n && !is_delimiter(content[i]) {
                    i += 1;
                }
                if i == start {
                    return None;
                }
                tokens.push((start, i, Kind::Operator));
            }
        }
    }
    Some(tokens)
}

fn is_delimiter(c: u8) -> bool {
    c.is_ascii_whitespace()
        || matches!(
            c,
            b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'/' | b'{' | b'}' | b'%'
        )
}

/// The end of the literal string starting at `i`.
fn skip_string(content: &[u8], mut i: usize) -> Option<usize> {
    let mut depth = 0usize;
    while i < content.len() {
        match content[i] {
            b'\\' => i += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The end of a nested `open … close` starting at `i` (strings inside
/// are skipped).
fn skip_nested(content: &[u8], mut i: usize, open: &[u8], close: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    while i < content.len() {
        if content[i] == b'(' {
            i = skip_string(content, i)?;
            continue;
        }
        if content[i..].starts_with(open) {
            depth += 1;
            i += open.len();
            continue;
        }
        if content[i] == b'<' && open == b"<<" {
            // A hex string inside a dictionary.
            i = find_from(content, b">", i)? + 1;
            continue;
        }
        if content[i..].starts_with(close) {
            depth -= 1;
            i += close.len();
            if depth == 0 {
                return Some(i);
            }
            continue;
        }
        i += 1;
    }
    None
}

/// Rewrites every `/Span <</MCID n/ActualText <…>>> BDC … EMC` whose body
/// holds text objects.
fn rewrite_content(content: &[u8]) -> Option<Vec<u8>> {
    let tokens = tokenize(content)?;
    let op = |k: usize, name: &[u8]| -> bool {
        tokens[k].2 == Kind::Operator && &content[tokens[k].0..tokens[k].1] == name
    };
    let mut out = Vec::with_capacity(content.len() + content.len() / 10);
    let mut copied = 0;
    let mut k = 0;
    let mut changed = false;
    while k < tokens.len() {
        let is_line_span = op(k, b"BDC")
            && k >= 2
            && &content[tokens[k - 2].0..tokens[k - 2].1] == b"/Span"
            && content[tokens[k - 1].0..tokens[k - 1].1].starts_with(b"<<")
            && find_from(&content[tokens[k - 1].0..tokens[k - 1].1], b"/MCID", 0).is_some()
            && find_from(
                &content[tokens[k - 1].0..tokens[k - 1].1],
                b"/ActualText",
                0,
            )
            .is_some();
        if !is_line_span {
            k += 1;
            continue;
        }
        // The matching EMC.
        let mut depth = 1;
        let mut end = k + 1;
        while end < tokens.len() {
            if op(end, b"BDC") || op(end, b"BMC") {
                depth += 1;
            } else if op(end, b"EMC") {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            end += 1;
        }
        if end >= tokens.len() {
            return None;
        }
        let dict = &content[tokens[k - 1].0..tokens[k - 1].1];
        let (mcid, text) = split_span_dict(dict)?;
        let texts: Vec<String> = text.split(RUN_SEPARATOR).map(str::to_string).collect();
        // Outer span: the MCID only.
        out.extend_from_slice(&content[copied..tokens[k - 2].0]);
        out.extend_from_slice(format!("/Span<</MCID {mcid}>>BDC\n").as_bytes());
        let mut pos = tokens[k].1;
        let mut run = 0;
        let mut j = k + 1;
        while j < end {
            if op(j, b"BT") {
                out.extend_from_slice(&content[pos..tokens[j].1]);
                let run_text = texts.get(run).map_or("", String::as_str);
                out.extend_from_slice(b"\n/Span<</ActualText");
                out.extend_from_slice(hex_text(run_text).as_bytes());
                out.extend_from_slice(b">>BDC\n");
                run += 1;
                pos = tokens[j].1;
            } else if op(j, b"ET") {
                out.extend_from_slice(&content[pos..tokens[j].0]);
                out.extend_from_slice(b"EMC\n");
                pos = tokens[j].0;
            } else if op(j, b"BDC")
                && j >= 2
                && content[tokens[j - 1].0..tokens[j - 1].1].starts_with(b"<<")
                && find_from(
                    &content[tokens[j - 1].0..tokens[j - 1].1],
                    b"/ActualText",
                    0,
                )
                .is_some()
            {
                // A span of krilla's own inside the run: the line's text
                // already covers it, and spans do not nest for extractors.
                out.extend_from_slice(&content[pos..tokens[j - 2].0]);
                let mut d = 1;
                let mut m = j + 1;
                while m < end {
                    if op(m, b"BDC") || op(m, b"BMC") {
                        d += 1;
                    } else if op(m, b"EMC") {
                        d -= 1;
                        if d == 0 {
                            break;
                        }
                    }
                    m += 1;
                }
                // Keep the inner content, drop its BDC and EMC.
                out.extend_from_slice(&content[tokens[j].1..tokens[m.min(end - 1)].0]);
                pos = tokens[m.min(end - 1)].1;
                j = m;
            }
            j += 1;
        }
        if run != texts.len() {
            // The runs do not match the text's parts: keep the span as it
            // was written.
            return None;
        }
        out.extend_from_slice(&content[pos..tokens[end].1]);
        copied = tokens[end].1;
        k = end + 1;
        changed = true;
    }
    if !changed {
        return None;
    }
    out.extend_from_slice(&content[copied..]);
    Some(out)
}

/// The MCID and the decoded ActualText of a span's property list.
fn split_span_dict(dict: &[u8]) -> Option<(i64, String)> {
    let text = std::str::from_utf8(dict).ok()?;
    let mcid: i64 = text
        .split("/MCID")
        .nth(1)?
        .trim_start()
        .split(|c: char| !(c.is_ascii_digit() || c == '-'))
        .next()?
        .parse()
        .ok()?;
    let after = text.split("/ActualText").nth(1)?.trim_start();
    let actual = if let Some(hex) = after.strip_prefix('<') {
        let hex = &hex[..hex.find('>')?];
        decode_utf16_hex(hex)?
    } else if after.starts_with('(') {
        decode_literal(after.as_bytes())?
    } else {
        return None;
    };
    Some((mcid, actual))
}

/// A literal string: ASCII text (krilla writes other text as UTF-16
/// hex), with its escapes.
fn decode_literal(s: &[u8]) -> Option<String> {
    let end = skip_string(s, 0)?;
    let mut bytes = Vec::with_capacity(end);
    let mut i = 1;
    while i + 1 < end {
        let c = s[i];
        if c != b'\\' {
            bytes.push(c);
            i += 1;
            continue;
        }
        i += 1;
        let e = s[i];
        match e {
            b'n' => bytes.push(b'\n'),
            b'r' => bytes.push(b'\r'),
            b't' => bytes.push(b'\t'),
            b'b' => bytes.push(8),
            b'f' => bytes.push(12),
            b'0'..=b'7' => {
                let mut value = 0u32;
                let mut k = 0;
                while k < 3 && i < end && (b'0'..=b'7').contains(&s[i]) {
                    value = value * 8 + u32::from(s[i] - b'0');
                    i += 1;
                    k += 1;
                }
                bytes.push(value as u8);
                continue;
            }
            b'\n' => {}
            other => bytes.push(other),
        }
        i += 1;
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16(&units).ok();
    }
    Some(bytes.iter().map(|&b| char::from(b)).collect())
}

fn decode_utf16_hex(hex: &str) -> Option<String> {
    let digits: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let mut units = Vec::with_capacity(digits.len() / 4);
    for chunk in digits.chunks(4) {
        let s = std::str::from_utf8(chunk).ok()?;
        units.push(u16::from_str_radix(&format!("{s:0<4}"), 16).ok()?);
    }
    if units.first() == Some(&0xFEFF) {
        units.remove(0);
    }
    String::from_utf16(&units).ok()
}

fn hex_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 4 + 6);
    out.push_str("<FEFF");
    for unit in text.encode_utf16() {
        out.push_str(&format!("{unit:04X}"));
    }
    out.push('>');
    out
}

fn find_from(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_span_moves_inside_each_run() {
        let text = format!("甲乙{RUN_SEPARATOR}1");
        let content = format!(
            "/Span<</MCID 3/ActualText{}>>BDC\nq 1 0 0 -1 0 800 cm\nBT /f0 12 Tf [(\\000\\001)]TJ\nET\nQ\nq\nBT /f1 7 Tf [(\\000\\002)]TJ\nET\nQ\nEMC\n",
            hex_text(&text)
        );
        let out = String::from_utf8(rewrite_content(content.as_bytes()).unwrap()).unwrap();
        assert!(out.starts_with("/Span<</MCID 3>>BDC\n"), "{out}");
        let first = out.find(&hex_text("甲乙")).unwrap();
        let second = out.find(&hex_text("1")).unwrap();
        assert!(out.find("BT").unwrap() < first && first < out.find("ET").unwrap());
        assert!(second > out.rfind("BT").unwrap());
        assert_eq!(out.matches("BDC").count(), 3);
        assert_eq!(out.matches("EMC").count(), 3);
    }

    #[test]
    fn ascii_actual_text_is_a_literal_string() {
        let content =
            b"/Span<</MCID 6/ActualText(3200 \\(a\\))>>BDC\nq\nBT [(\\000\\001)]TJ\nET\nQ\nEMC\n";
        let out = String::from_utf8(rewrite_content(content).unwrap()).unwrap();
        assert!(out.contains(&hex_text("3200 (a)")), "{out}");
    }

    #[test]
    fn strings_with_operator_bytes_are_skipped() {
        let content =
            b"/Span<</MCID 0/ActualText<FEFF0041>>>BDC\nq\nBT [(EMC\\)BT)]TJ\nET\nQ\nEMC\n";
        let out = String::from_utf8(rewrite_content(content).unwrap()).unwrap();
        assert!(out.contains("[(EMC\\)BT)]TJ"), "{out}");
        assert_eq!(out.matches("BDC").count(), 2);
    }
}
