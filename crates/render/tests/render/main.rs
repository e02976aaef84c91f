//! The render crate's tests, one binary: each output format checked from the outside
//! (XML, the tools a reader uses: poppler, LibreOffice), and the signature page.
//!
//! Checks that need poppler or LibreOffice skip with a note when the tool is missing,
//! and fail when the `CI` variable is set ([`common::tool`]).

mod common;
mod docx;
mod html;
#[cfg(feature = "pdf")]
mod pdf;
#[cfg(feature = "pdf")]
mod seal;
mod signature;
mod xlsx;
