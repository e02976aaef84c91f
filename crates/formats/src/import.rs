//! Entry point: detect the file's shape, read its table, interpret it as a notice.

use std::fmt;
use std::io::Cursor;

use duban_domain::{Notice, UnitDirectory};

use crate::error::{ImportError, zip_problem};
use crate::header::{apply_fields, parse_document};
use crate::interchange::from_json;
use crate::read::{csv, docx, html, text, xlsx};
use crate::source::{ImportNote, Location};
use crate::table::drafts;

/// The file shapes duban reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Header block plus tab-separated rows (the seed's form).
    Tsv,
    Markdown,
    Html,
    /// Cells ending in `|`, one per line.
    PipeCells,
    /// One cell per line or per paragraph.
    Flattened,
    Docx,
    Xlsx,
    /// Comma-, tab- or semicolon-separated values as Excel and WPS save them.
    Csv,
    /// duban's JSON interchange format (`docs/interchange`): a notice, not a table.
    Json,
}

impl Format {
    pub const ALL: [Format; 9] = [
        Format::Tsv,
        Format::Markdown,
        Format::Html,
        Format::PipeCells,
        Format::Flattened,
        Format::Docx,
        Format::Xlsx,
        Format::Csv,
        Format::Json,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Tsv => "tsv",
            Format::Markdown => "md",
            Format::Html => "html",
            Format::PipeCells => "pipe",
            Format::Flattened => "flat",
            Format::Docx => "docx",
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// In Chinese, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Format::Tsv => "制表符分隔的文本",
            Format::Markdown => "Markdown 表格",
            Format::Html => "HTML 表格",
            Format::PipeCells => "以“|”结尾的逐行单元格",
            Format::Flattened => "逐行（或逐段）排列的单元格",
            Format::Docx => "Word 文档（DOCX）",
            Format::Xlsx => "Excel 工作簿（XLSX）",
            Format::Csv => "CSV 表格（逗号或制表符分隔）",
            Format::Json => "duban JSON 交换格式",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Reads and interprets a file. `format` overrides detection; `known` is the office's
/// unit directory, used to resolve names.
pub fn import(
    bytes: &[u8],
    format: Option<Format>,
    known: &UnitDirectory,
) -> Result<Notice, ImportError> {
    import_with_report(bytes, format, known).map(|imported| imported.notice)
}

/// A notice read from a file, with what the reader changed to read it.
#[derive(Debug, Clone)]
pub struct Imported {
    pub notice: Notice,
    /// Merged cells filled down, list numbering written out …: for the import report.
    pub notes: Vec<ImportNote>,
}

/// `import`, keeping the notes for the import report.
pub fn import_with_report(
    bytes: &[u8],
    format: Option<Format>,
    known: &UnitDirectory,
) -> Result<Imported, ImportError> {
    let format = match format {
        Some(f) => f,
        None => detect(bytes)?,
    };
    let table = match format {
        Format::Json => {
            return Ok(Imported {
                notice: from_json(&decode_text(bytes)?)?,
                notes: Vec::new(),
            });
        }
        Format::Docx => docx::read_docx(bytes)?,
        Format::Xlsx => xlsx::read_xlsx(bytes)?,
        text_format => {
            let text = decode_text(bytes)?;
            match text_format {
                Format::Csv => csv::read_csv(&text)?,
                Format::Tsv => text::read_tsv(&text)?,
                Format::Html => html::read_html(&text)?,
                Format::Markdown => text::read_markdown(&text)?,
                Format::PipeCells => text::read_pipe_cells(&text)?,
                _ => text::read_flattened(&text)?,
            }
        }
    };
    let (drafts, locations): (Vec<_>, Vec<_>) = drafts(&table)?.into_iter().unzip();
    let mut document = parse_document(&table.preamble, &table.trailer);
    apply_fields(&mut document, &table.fields);
    let notice = Notice::assemble(document, drafts, known);
    let mut notes = table.notes;
    if let (Some((note, title)), Some(first)) = (
        notice.document.attachment_title_mismatch(),
        table.rows.first(),
    ) {
        notes.push(ImportNote {
            location: first.location.clone(),
            message: format!(
                "附件说明写作“{note}”，附件标题为“{title}”，两者应一致（GB/T 9704 §7.3.7），请在印发前核对。"
            ),
        });
    }
    notes.extend(empty_subitems(&notice, &locations));
    Ok(Imported { notice, notes })
}

/// Sub-items the unit cell assigns but the task text does not mark (①② lost, or
/// never written): their content is empty, which the office must hear about.
fn empty_subitems(notice: &Notice, locations: &[Location]) -> Vec<ImportNote> {
    notice
        .tasks
        .iter()
        .zip(locations)
        .filter_map(|(task, location)| {
            let empty: String = task
                .subitems
                .iter()
                .filter(|s| s.content.trim().is_empty())
                .map(|s| s.label.to_string())
                .collect();
            (!empty.is_empty()).then(|| ImportNote {
                location: location.clone(),
                message: format!(
                    "第 {} 项的分项 {empty} 在牵头责任单位中有分工，但任务内容中没有这些标号，分项内容为空。请在任务内容中写明 {empty} 各项后重新导入。",
                    task.number.0
                ),
            })
        })
        .collect()
}

/// Decides the shape from the content, not the file name: a ZIP's parts, a JSON
/// object, `<table`, pipe rules, tabs, header names.
pub fn detect(bytes: &[u8]) -> Result<Format, ImportError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            // A truncated package still names its first parts near the start.
            let format = if contains(bytes, b"word/") {
                "DOCX"
            } else if contains(bytes, b"xl/") {
                "XLSX"
            } else {
                "ZIP"
            };
            ImportError::corrupt(format, zip_problem(&e))
        })?;
        let has = |name: &str| archive.file_names().any(|n| n == name);
        return if has("word/document.xml") {
            Ok(Format::Docx)
        } else if has("xl/workbook.xml") {
            Ok(Format::Xlsx)
        } else {
            Err(ImportError::Binary(
                "ZIP 压缩包，但不是 DOCX 或 XLSX".into(),
            ))
        };
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(ImportError::Binary(
            "旧版 Office 格式（.doc/.xls），请用办公软件另存为 .docx 或 .xlsx".into(),
        ));
    }
    if bytes.starts_with(b"%PDF") {
        return Err(ImportError::Binary(
            "PDF 文件，请导出为 .docx，或把表格文字复制到 .txt".into(),
        ));
    }
    let text = decode_text(bytes)?;
    if text.trim_start().starts_with('{') {
        return Ok(Format::Json);
    }
    detect_text(&text)
}

fn detect_text(text: &str) -> Result<Format, ImportError> {
    use crate::columns::{looks_like_header, recognise};
    let lower = text.to_ascii_lowercase();
    if lower.contains("<table") {
        return Ok(Format::Html);
    }
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let is_rule = |l: &&str| l.starts_with('|') && l.contains("---");
    if lines.iter().any(|l| l.starts_with('|') && l.len() > 1) && lines.iter().any(is_rule) {
        return Ok(Format::Markdown);
    }
    let tab_header = lines
        .iter()
        .any(|l| l.contains('\t') && looks_like_header(&l.split('\t').collect::<Vec<_>>()));
    // Tab-separated with quoted fields (Excel's "Unicode text", a CSV saved with tabs):
    // a cell may hold line breaks, which only the CSV reader keeps together.
    let quoted = |l: &&str| l.starts_with('"') || l.contains("\t\"");
    if tab_header && lines.iter().any(quoted) {
        return Ok(Format::Csv);
    }
    if tab_header {
        return Ok(Format::Tsv);
    }
    if csv::header_delimiter(text).is_some() {
        return Ok(Format::Csv);
    }
    if lines.iter().any(|l| {
        l.strip_suffix('|')
            .is_some_and(|name| recognise(name).is_some())
    }) {
        return Ok(Format::PipeCells);
    }
    if lines.iter().any(|l| recognise(l).is_some()) {
        return Ok(Format::Flattened);
    }
    Err(ImportError::Table(
        "未找到表格：文件中没有“序号”“具体目标任务”“牵头责任单位”“落实情况”等表头。请确认导入的是含落实情况表的文件，或用 --format 指定格式。"
            .into(),
    ))
}

/// UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK as saved by older
/// Chinese editions of Windows. Anything else is not text.
pub fn decode_text(bytes: &[u8]) -> Result<String, ImportError> {
    let (text, had_errors) = if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _, errors) = encoding.decode(bytes);
        (text.into_owned(), errors)
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        (text.to_string(), false)
    } else {
        let (text, _, errors) = encoding_rs::GB18030.decode(bytes);
        (text.into_owned(), errors)
    };
    if had_errors || text.contains('\0') {
        return Err(ImportError::Binary("二进制数据，不是文本".into()));
    }
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(text.replace("\r\n", "\n").replace('\r', "\n"))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
