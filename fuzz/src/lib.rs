//! What each fuzz target does with its input, shared by the libFuzzer binaries
//! (`fuzz_targets/`) and the stable smoke run (`tests/smoke.rs`). A target must never
//! panic: bad input is an `Err` with a message, never a crash.

use duban_domain::{DocNumber, UnitDirectory};
use duban_formats::inline::{HTML, MARKDOWN, TEXT, parse_inline, write_inline};
use duban_formats::{Format, import};

/// What a target does with one input.
pub type Target = fn(&[u8]);

/// Every target, by name (the names of the binaries in `fuzz_targets/`).
pub const TARGETS: &[(&str, Target)] = &[
    ("import_tsv", import_tsv),
    ("import_markdown", import_markdown),
    ("import_html", import_html),
    ("import_pipe_cells", import_pipe_cells),
    ("import_flattened", import_flattened),
    ("import_docx", import_docx),
    ("import_xlsx", import_xlsx),
    ("import_json", import_json),
    ("import_detect", import_detect),
    ("inline", inline),
    ("doc_number", doc_number),
];

fn import_as(format: Option<Format>, data: &[u8]) {
    let directory = UnitDirectory::default();
    if let Ok(notice) = import(data, format, &directory) {
        // What was read is a notice the rest of duban works with: its tasks' text
        // survives the editor's round trip.
        for task in &notice.tasks {
            let _ = write_inline(&task.content);
        }
    }
}

pub fn import_tsv(data: &[u8]) {
    import_as(Some(Format::Tsv), data);
}

pub fn import_markdown(data: &[u8]) {
    import_as(Some(Format::Markdown), data);
}

pub fn import_html(data: &[u8]) {
    import_as(Some(Format::Html), data);
}

pub fn import_pipe_cells(data: &[u8]) {
    import_as(Some(Format::PipeCells), data);
}

pub fn import_flattened(data: &[u8]) {
    import_as(Some(Format::Flattened), data);
}

pub fn import_docx(data: &[u8]) {
    import_as(Some(Format::Docx), data);
}

pub fn import_xlsx(data: &[u8]) {
    import_as(Some(Format::Xlsx), data);
}

pub fn import_json(data: &[u8]) {
    import_as(Some(Format::Json), data);
}

/// Format detection, then the reader it picks (what `duban import` does).
pub fn import_detect(data: &[u8]) {
    import_as(None, data);
}

/// The rich-text sanitiser with each option set; what it returns writes back to the
/// inline markup (`write_inline`) and reads again to the same text, up to whitespace
/// (HTML collapses a run of spaces, tabs and line breaks into one space).
pub fn inline(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    for options in [TEXT, MARKDOWN, HTML] {
        let rich = parse_inline(source, options);
        let written = write_inline(&rich);
        let again = parse_inline(&written, HTML);
        assert_eq!(
            words(&again.plain_text()),
            words(&rich.plain_text()),
            "the sanitised text does not survive a round trip: {source:?}"
        );
    }
}

/// The 文号 parser; a number it accepts prints in its normal form and parses back to
/// the same number.
pub fn doc_number(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(number) = DocNumber::parse(text) {
        let shown = number.to_string();
        let again = DocNumber::parse(&shown)
            .unwrap_or_else(|e| panic!("{shown:?} (from {text:?}) does not parse: {e}"));
        assert_eq!(again, number, "{text:?}");
    }
}

fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}
