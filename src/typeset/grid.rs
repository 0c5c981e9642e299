//! The page grid (版心网格): with `grid = true` every element of a flow
//! takes a whole number of body lines, so that the body lines of every
//! page lie on the same positions, and lines on facing pages and on both
//! sides of a sheet align.
//!
//! A body line is one pitch high already; a heading's space above, its
//! lines and its space below are rounded up to whole lines (the heading
//! sits at the top of the room it takes). Elements of another pitch (a
//! quotation in a smaller size, a table row, an image) are given whole
//! lines too, so the body lines after them are back on the grid.

use super::layout::Flow;

/// Rounds the space above and the height of every element of `flow` to
/// whole multiples of `pitch`.
pub fn snap(flow: &mut Flow, pitch: f32) {
    if pitch <= 0.0 {
        return;
    }
    for elem in &mut flow.elems {
        elem.space_before = (elem.space_before / pitch).round() * pitch;
        // A hair of tolerance: a height of exactly n lines stays n lines.
        elem.height = (elem.height / pitch - 1e-3).ceil().max(1.0) * pitch;
    }
}
