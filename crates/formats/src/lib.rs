//! Reading notices from files and writing them out: format detection, the readers
//! (text, markdown, HTML, DOCX, XLSX), the mapping of columns to task fields, and the
//! JSON interchange and markdown writers.

pub mod columns;
mod error;
pub mod inline;
pub mod read;
pub mod source;

pub use error::ImportError;
