//! Exporters: each reads the resolved model (EPUB) or the laid-out book
//! and writes one output format.

pub mod epub;
pub mod pdf;
pub mod png;
