//! A table as read from a file, before its columns mean anything. Every reader
//! (text, HTML, DOCX, XLSX) produces one; `assemble` interprets it.

use std::fmt;

use duban_domain::RichText;

/// Where a row came from, so an error can send the user to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// 1-based line in a text file.
    Line(usize),
    /// 1-based row of a worksheet.
    SheetRow { sheet: String, row: usize },
    /// 1-based table and row in a DOCX or HTML file.
    TableRow { table: usize, row: usize },
    /// 1-based paragraph of a DOCX body outside its tables.
    Paragraph(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(line) => write!(f, "第 {line} 行"),
            Location::SheetRow { sheet, row } => write!(f, "工作表“{sheet}”第 {row} 行"),
            Location::TableRow { table, row } => write!(f, "第 {table} 个表格第 {row} 行"),
            Location::Paragraph(n) => write!(f, "表格外第 {n} 段"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRow {
    pub location: Location,
    pub cells: Vec<RichText>,
}

impl SourceRow {
    /// The cells' plain text, for header matching.
    pub fn texts(&self) -> Vec<String> {
        self.cells.iter().map(RichText::plain_text).collect()
    }

    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(RichText::is_empty)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceTable {
    /// Lines or paragraphs before the table: the document's header block, if any.
    pub preamble: Vec<String>,
    /// Every row, header rows included (repeated page-break headers too).
    pub rows: Vec<SourceRow>,
    /// Lines or paragraphs after the table (版记 …).
    pub trailer: Vec<String>,
    /// What the reader changed to make the table regular (merged cells filled down,
    /// list numbering written out), for the import report.
    pub notes: Vec<ImportNote>,
    /// Document fields given as (name, value) pairs: duban's own workbook's 文件信息
    /// sheet. They win over what the preamble and trailer say.
    pub fields: Vec<(String, String)>,
}

/// Something the import did that the office should know about, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportNote {
    pub location: Location,
    pub message: String,
}

impl fmt::Display for ImportNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}：{}", self.location, self.message)
    }
}
