//! Checking the images a book names (the cover, figures) before they go
//! into an EPUB or a PDF: a JPEG or PNG is decoded in full, so a file that
//! is empty, cut short, damaged or only named `.jpg` is refused with a
//! clear message instead of giving a broken book; an SVG must be
//! well-formed XML without scripts, event handlers or outside references.
//!
//! [`check_image`] is the one entry point; the EPUB writer calls it on
//! every image it packs, and `inkstone check` and `build` call it through
//! [`crate::resources`] before rendering.

use std::io::Cursor;

/// The largest image accepted, in pixels (about 100 megapixels).
pub const MAX_PIXELS: u64 = 100_000_000;

/// Checks that `bytes` are a usable image of `media_type`
/// (`image/jpeg`, `image/png`, `image/gif`, `image/webp`,
/// `image/svg+xml`). The error says what is wrong, in a user's words.
pub fn check_image(bytes: &[u8], media_type: &str) -> Result<(), String> {
    if bytes.is_empty() {
        return Err("the file is empty".to_string());
    }
    match media_type {
        "image/jpeg" => check_jpeg(bytes),
        "image/png" => check_png(bytes),
        "image/gif" => check_gif(bytes),
        "image/webp" => check_webp(bytes),
        "image/svg+xml" => check_svg(bytes),
        other => Err(format!("`{other}` images are not supported")),
    }
}

fn check_jpeg(bytes: &[u8]) -> Result<(), String> {
    if !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Err(
            "the file is not a JPEG image (its first bytes are not a JPEG header)".to_string(),
        );
    }
    let mut decoder = zune_jpeg::JpegDecoder::new(Cursor::new(bytes));
    decoder
        .decode_headers()
        .map_err(|e| format!("the JPEG image is damaged: {e:?}"))?;
    let (width, height) = decoder
        .dimensions()
        .ok_or_else(|| "the JPEG image has no size".to_string())?;
    check_size(width as u64, height as u64)?;
    decoder
        .decode()
        .map_err(|e| format!("the JPEG image is damaged: {e:?}"))?;
    Ok(())
}

fn check_png(bytes: &[u8]) -> Result<(), String> {
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(
            "the file is not a PNG image (its first bytes are not a PNG header)".to_string(),
        );
    }
    let decoder = png::Decoder::new(Cursor::new(bytes));
    let mut reader = decoder
        .read_info()
        .map_err(|e| format!("the PNG image is damaged: {e}"))?;
    let (width, height) = reader.info().size();
    check_size(u64::from(width), u64::from(height))?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| "the PNG image is too large".to_string())?;
    let mut buffer = vec![0; size];
    reader
        .next_frame(&mut buffer)
        .map_err(|e| format!("the PNG image is damaged: {e}"))?;
    Ok(())
}

fn check_gif(bytes: &[u8]) -> Result<(), String> {
    if !bytes.starts_with(b"GIF87a") && !bytes.starts_with(b"GIF89a") {
        return Err("the file is not a GIF image".to_string());
    }
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    let mut decoder = options
        .read_info(Cursor::new(bytes))
        .map_err(|e| format!("the GIF image is damaged: {e}"))?;
    check_size(u64::from(decoder.width()), u64::from(decoder.height()))?;
    let mut frames = 0usize;
    while decoder
        .read_next_frame()
        .map_err(|e| format!("the GIF image is damaged: {e}"))?
        .is_some()
    {
        frames += 1;
    }
    if frames == 0 {
        return Err("the GIF image is damaged: it holds no picture".to_string());
    }
    Ok(())
}

fn check_webp(bytes: &[u8]) -> Result<(), String> {
    if bytes.len() <= 12 || !bytes.starts_with(b"RIFF") || &bytes[8..12] != b"WEBP" {
        return Err("the file is not a WebP image".to_string());
    }
    let mut decoder = image_webp::WebPDecoder::new(Cursor::new(bytes))
        .map_err(|e| format!("the WebP image is damaged: {e}"))?;
    let (width, height) = decoder.dimensions();
    check_size(u64::from(width), u64::from(height))?;
    let size = decoder
        .output_buffer_size()
        .ok_or_else(|| "the WebP image is too large".to_string())?;
    let mut buffer = vec![0; size];
    decoder
        .read_image(&mut buffer)
        .map_err(|e| format!("the WebP image is damaged: {e}"))?;
    Ok(())
}

fn check_size(width: u64, height: u64) -> Result<(), String> {
    if width == 0 || height == 0 {
        return Err("the image has no pixels".to_string());
    }
    if width * height > MAX_PIXELS {
        return Err(format!(
            "the image is {width} × {height} pixels; inkstone takes images of up to {} megapixels",
            MAX_PIXELS / 1_000_000
        ));
    }
    Ok(())
}

/// An SVG image must be well-formed XML with an `<svg>` root, and hold no
/// document type (entities), scripts, event handlers, embedded HTML, or
/// references to other files or the web: reading systems refuse them, and
/// they are a way into the reader's machine.
fn check_svg(bytes: &[u8]) -> Result<(), String> {
    use quick_xml::events::Event;
    let text = std::str::from_utf8(bytes).map_err(|_| "the SVG image is not UTF-8".to_string())?;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    let mut roots = 0usize;
    // Inside a <style> element: its text is CSS.
    let mut in_style = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("the SVG image is not well-formed XML: {e}"))?;
        let element = match &event {
            Event::Start(e) | Event::Empty(e) => Some(e.clone()),
            _ => None,
        };
        if let Some(element) = element {
            let name = element.local_name().as_ref().to_ascii_lowercase();
            if depth == 0 {
                roots += 1;
                if name != "svg" {
                    return Err(format!(
                        "the SVG image's root element is <{name}>, not <svg>"
                    ));
                }
            }
            if name == "script" || name == "foreignobject" {
                return Err(format!("the SVG image contains a <{name}> element"));
            }
            in_style = name == "style" && matches!(event, Event::Start(_));
            for attribute in element.attributes() {
                let attribute =
                    attribute.map_err(|e| format!("the SVG image is not well-formed XML: {e}"))?;
                let key = attribute.key.local_name().as_ref().to_ascii_lowercase();
                if key.starts_with("on") {
                    return Err(format!("the SVG image has an event handler (`{key}`)"));
                }
                if key == "style" {
                    css_reference(&lossy(&attribute.value[..])).map_err(svg_style)?;
                }
                if key == "href" || key == "src" {
                    let value = attribute.value.trim().to_string();
                    if !value.starts_with('#') && !value.starts_with("data:image/") {
                        return Err(format!(
                            "the SVG image refers to another file or the web (`{value}`)"
                        ));
                    }
                }
            }
        }
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                in_style = false;
            }
            Event::Text(text) if in_style => {
                css_reference(&lossy(&text[..])).map_err(svg_style)?;
            }
            Event::CData(text) if in_style => {
                css_reference(&lossy(&text[..])).map_err(svg_style)?;
            }
            Event::PI(pi) if lossy(&pi[..]).contains("xml-stylesheet") => {
                return Err("the SVG image links a stylesheet (`xml-stylesheet`)".to_string())
            }
            Event::DocType(_) => {
                return Err("the SVG image has a document type declaration".to_string())
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth != 0 {
        return Err("the SVG image is not well-formed XML: an element is not closed".to_string());
    }
    if roots != 1 {
        return Err("the SVG image has no single <svg> root element".to_string());
    }
    Ok(())
}

/// A problem of CSS in an SVG, as a sentence.
fn svg_style(problem: String) -> String {
    format!("the SVG image's style {problem}")
}

/// Text or bytes from the XML reader, as text.
fn lossy<T: AsRef<[u8]> + ?Sized>(value: &T) -> String {
    String::from_utf8_lossy(value.as_ref()).into_owned()
}

/// CSS (a stylesheet of the book, or in an SVG a `<style>` element or a
/// `style` attribute) may not import another stylesheet or name a
/// `url(...)` other than a fragment of the same document
/// (`url(#gradient)`) or embedded `data:`: an EPUB holds its own files.
/// The error says what it refers to, to follow "the stylesheet `x` ".
pub fn css_reference(css: &str) -> Result<(), String> {
    let lower = css.to_ascii_lowercase();
    if lower.contains("@import") {
        return Err("imports another stylesheet (`@import`)".to_string());
    }
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("url(") {
        rest = &rest[at + 4..];
        let target = rest.trim_start().trim_start_matches(['"', '\'']);
        if !target.starts_with('#') && !target.starts_with("data:") {
            let end = rest.find(')').unwrap_or(rest.len());
            return Err(format!(
                "refers to another file or the web (`url({})`)",
                rest[..end].trim()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_and_damaged_images_are_refused() {
        assert!(check_image(b"", "image/jpeg").is_err());
        assert!(check_image(b"not a jpeg", "image/jpeg").is_err());
        assert!(check_image(b"\xFF\xD8\xFF\xE0\0\x10JFIF\0", "image/jpeg").is_err());
        assert!(check_image(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "image/png").is_err());
    }

    #[test]
    fn svg_rules() {
        let good = br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>"#;
        assert_eq!(check_image(good, "image/svg+xml"), Ok(()));
        let script = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        assert!(check_image(script, "image/svg+xml")
            .unwrap_err()
            .contains("<script>"));
        let handler = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="x()"></svg>"#;
        assert!(check_image(handler, "image/svg+xml")
            .unwrap_err()
            .contains("event handler"));
        let broken = br#"<svg xmlns="http://www.w3.org/2000/svg"><g></svg>"#;
        assert!(check_image(broken, "image/svg+xml")
            .unwrap_err()
            .contains("well-formed"));
        let outside =
            br#"<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>"#;
        assert!(check_image(outside, "image/svg+xml").is_err());
    }

    #[test]
    fn a_real_png_passes() {
        let mut bytes = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut bytes, 2, 2);
            encoder.set_color(png::ColorType::Rgb);
            let mut writer = encoder.write_header().unwrap();
            writer.write_image_data(&[0; 12]).unwrap();
        }
        assert_eq!(check_image(&bytes, "image/png"), Ok(()));
        assert!(check_image(&bytes[..bytes.len() - 20], "image/png").is_err());
    }
}
