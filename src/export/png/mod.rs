//! Page images: each page of the [`PagedBook`] drawn into a PNG, glyph
//! outlines taken from the fonts (ttf-parser) and filled with tiny-skia.
//!
//! Proofs for publishers, and a second view of every page for tests: it
//! reads the same laid-out book as the PDF exporter and nothing else.

use rayon::prelude::*;
use rustybuzz::ttf_parser;
use tiny_skia::{FillRule, IntSize, Paint, PathBuilder, Pixmap, PixmapPaint, Stroke, Transform};

use crate::diag::{Diagnostic, Failure, Severity};
use crate::fonts::FontSet;
use crate::model::Document;
use crate::typeset::layout::{leader_dots, ImageData, ImageFormat, Item};
use crate::typeset::{with_layout, PagedBook, PdfOptions};

/// Resolution of page images when none is asked for, in dots per inch.
pub const DEFAULT_DPI: u32 = 150;

/// One drawn page: the PNG file's bytes and the number of glyphs drawn.
pub struct PageImage {
    pub png: Vec<u8>,
    pub glyphs: usize,
}

/// Lays out `doc` and draws each page at `dpi`.
pub fn render_png(
    doc: &Document,
    fonts: &FontSet,
    options: &PdfOptions,
    dpi: u32,
) -> Result<(Vec<PageImage>, Vec<Diagnostic>), Failure> {
    with_layout(doc, fonts, options, |layout, _, diagnostics| {
        Ok((draw_pages(layout, dpi)?, diagnostics))
    })
}

/// Draws every page of `book` at `dpi` (pages in parallel).
pub fn draw_pages(book: &PagedBook, dpi: u32) -> Result<Vec<PageImage>, Failure> {
    let scale = dpi.clamp(18, 1200) as f32 / 72.0;
    let width = (book.width * scale).round().max(1.0) as u32;
    let height = (book.height * scale).round().max(1.0) as u32;
    let faces: Vec<Option<ttf_parser::Face<'_>>> = book
        .faces
        .iter()
        .map(|f| ttf_parser::Face::parse(f.bytes(), f.index).ok())
        .collect();
    (0..book.pages.len())
        .into_par_iter()
        .map(|index| draw_page(book, index, &faces, scale, width, height))
        .collect()
}

fn failure(message: String) -> Failure {
    Failure::new(Diagnostic::new(Severity::Error, None, message))
}

/// Turns font outlines into a tiny-skia path in page pixels.
struct Outline<'p> {
    path: &'p mut PathBuilder,
    /// Font units to pixels, and the glyph origin in pixels.
    k: f32,
    x: f32,
    y: f32,
}

impl ttf_parser::OutlineBuilder for Outline<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        self.path.move_to(self.x + x * self.k, self.y - y * self.k);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.path.line_to(self.x + x * self.k, self.y - y * self.k);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        self.path.quad_to(
            self.x + x1 * self.k,
            self.y - y1 * self.k,
            self.x + x * self.k,
            self.y - y * self.k,
        );
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        self.path.cubic_to(
            self.x + x1 * self.k,
            self.y - y1 * self.k,
            self.x + x2 * self.k,
            self.y - y2 * self.k,
            self.x + x * self.k,
            self.y - y * self.k,
        );
    }
    fn close(&mut self) {
        self.path.close();
    }
}

fn draw_page(
    book: &PagedBook,
    index: usize,
    faces: &[Option<ttf_parser::Face<'_>>],
    scale: f32,
    width: u32,
    height: u32,
) -> Result<PageImage, Failure> {
    let mut pixmap = Pixmap::new(width, height)
        .ok_or_else(|| failure(format!("a page of {width}x{height} pixels cannot be drawn")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let mut ink = Paint::default();
    ink.set_color_rgba8(0, 0, 0, 255);
    ink.anti_alias = true;
    let mut glyphs = 0;
    let page = &book.pages[index];
    for item in &page.items {
        match item {
            Item::Line(line) => {
                // All glyphs of a line in one path, filled once.
                let mut path = PathBuilder::new();
                for g in &line.set.glyphs {
                    let Some(face) = faces.get(usize::from(g.face)).and_then(Option::as_ref) else {
                        continue;
                    };
                    let k = g.size / f32::from(face.units_per_em()) * scale;
                    let mut outline = Outline {
                        path: &mut path,
                        k,
                        x: (line.x + g.x) * scale,
                        y: (line.baseline - g.y) * scale,
                    };
                    // A glyph with no outline (a space) draws nothing but
                    // is still a glyph of the line.
                    face.outline_glyph(ttf_parser::GlyphId(g.id), &mut outline);
                    glyphs += 1;
                }
                if let Some(path) = path.finish() {
                    pixmap.fill_path(&path, &ink, FillRule::Winding, Transform::identity(), None);
                }
            }
            Item::Rule {
                x0,
                y0,
                x1,
                y1,
                width,
            } => {
                let mut pb = PathBuilder::new();
                pb.move_to(x0 * scale, y0 * scale);
                pb.line_to(x1 * scale, y1 * scale);
                if let Some(path) = pb.finish() {
                    let stroke = Stroke {
                        width: (width * scale).max(1.0),
                        ..Stroke::default()
                    };
                    pixmap.stroke_path(&path, &ink, &stroke, Transform::identity(), None);
                }
            }
            Item::Leader { x0, x1, y, step, r } => {
                let mut pb = PathBuilder::new();
                for x in leader_dots(*x0, *x1, *step) {
                    pb.push_circle(x * scale, y * scale, (r * scale).max(0.5));
                }
                if let Some(path) = pb.finish() {
                    pixmap.fill_path(&path, &ink, FillRule::Winding, Transform::identity(), None);
                }
            }
            Item::Dot { x, y, r } => {
                let mut pb = PathBuilder::new();
                pb.push_circle(x * scale, y * scale, (r * scale).max(0.5));
                if let Some(path) = pb.finish() {
                    pixmap.fill_path(&path, &ink, FillRule::Winding, Transform::identity(), None);
                }
            }
            Item::Image {
                image,
                x,
                y,
                width,
                height,
                ..
            } => {
                let picture = decode(image)?;
                let sx = width * scale / picture.width() as f32;
                let sy = height * scale / picture.height() as f32;
                let transform = Transform::from_row(sx, 0.0, 0.0, sy, x * scale, y * scale);
                pixmap.draw_pixmap(
                    0,
                    0,
                    picture.as_ref(),
                    &PixmapPaint {
                        quality: tiny_skia::FilterQuality::Bilinear,
                        ..PixmapPaint::default()
                    },
                    transform,
                    None,
                );
            }
            Item::Link { .. } | Item::Anchor { .. } | Item::PageRef { .. } => {}
        }
    }
    let png = pixmap
        .encode_png()
        .map_err(|e| failure(format!("page {} cannot be encoded as PNG: {e}", index + 1)))?;
    Ok(PageImage { png, glyphs })
}

/// The image's pixels.
fn decode(image: &ImageData) -> Result<Pixmap, Failure> {
    let cannot = |e: String| failure(format!("an image cannot be drawn: {e}"));
    match image.format {
        ImageFormat::Png => Pixmap::decode_png(&image.bytes).map_err(|e| cannot(e.to_string())),
        ImageFormat::Jpeg => {
            let options = zune_jpeg::zune_core::options::DecoderOptions::default()
                .jpeg_set_out_colorspace(zune_jpeg::zune_core::colorspace::ColorSpace::RGBA);
            let mut decoder = zune_jpeg::JpegDecoder::new_with_options(
                zune_jpeg::zune_core::bytestream::ZCursor::new(image.bytes.as_slice()),
                options,
            );
            let pixels = decoder.decode().map_err(|e| cannot(e.to_string()))?;
            let (w, h) = decoder
                .dimensions()
                .ok_or_else(|| cannot("no size".into()))?;
            let size =
                IntSize::from_wh(w as u32, h as u32).ok_or_else(|| cannot("no pixels".into()))?;
            Pixmap::from_vec(pixels, size).ok_or_else(|| cannot("a short pixel buffer".into()))
        }
    }
}
