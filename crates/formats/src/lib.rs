//! Reading notices from files and writing them out: format detection, the readers
//! (text, markdown, HTML, DOCX, XLSX), the mapping of columns to task fields, and the
//! JSON interchange and markdown writers.

pub mod columns;
mod error;
pub mod header;
mod import;
pub mod inline;
pub mod interchange;
mod markdown;
pub mod read;
pub mod source;
mod table;

pub use error::ImportError;
pub use import::{Format, Imported, decode_text, detect, import, import_with_report};
pub use markdown::to_markdown;
pub use source::ImportNote;
