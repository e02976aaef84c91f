//! One reader per file shape; each turns bytes into a `SourceTable`.

pub mod csv;
pub mod docx;
pub mod html;
pub mod text;
pub mod xlsx;
