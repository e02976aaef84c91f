//! A table of figures (the dashboard's rankings, trend, lists) as an Excel workbook:
//! the title in the first row, a note under it, then the header (frozen, filterable)
//! and the rows, numbers as numbers. Deterministic: no creation time of its own.

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError,
};
use serde::Serialize;

use crate::RenderError;

/// One cell: text, a count, a number, or nothing (shown as empty; `—` on a page).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum TableCell {
    Text(String),
    Integer(i64),
    Number(f64),
    Empty,
}

impl From<&str> for TableCell {
    fn from(s: &str) -> Self {
        TableCell::Text(s.to_string())
    }
}

impl From<String> for TableCell {
    fn from(s: String) -> Self {
        TableCell::Text(s)
    }
}

impl From<u32> for TableCell {
    fn from(n: u32) -> Self {
        TableCell::Integer(i64::from(n))
    }
}

impl From<Option<f64>> for TableCell {
    fn from(n: Option<f64>) -> Self {
        n.map_or(TableCell::Empty, TableCell::Number)
    }
}

/// A titled table, as a page shows it and a workbook exports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataTable {
    /// The sheet's name (at most 31 characters, none of `[]:*?/\`).
    pub sheet: String,
    pub title: String,
    /// What the figures mean and how they were counted.
    pub note: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<TableCell>>,
}

const FONT: &str = "仿宋_GB2312";
const HEADER_FONT: &str = "黑体";

/// `table` as XLSX bytes: row 1 the title, row 2 the note, row 3 the header.
pub fn table_xlsx(table: &DataTable) -> Result<Vec<u8>, RenderError> {
    write(table).map_err(|e| RenderError::Xlsx(e.to_string()))
}

fn write(table: &DataTable) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(
        &DocProperties::new()
            .set_title(&table.title)
            .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?),
    );
    let sheet = workbook.add_worksheet();
    sheet.set_name(&table.sheet)?;
    let border = |f: Format| f.set_border(FormatBorder::Thin).set_font_size(12.0);
    let title = Format::new()
        .set_font_name("方正小标宋简体")
        .set_font_size(16.0)
        .set_bold();
    let note = Format::new().set_font_name(FONT).set_font_size(10.0);
    let header = border(Format::new().set_font_name(HEADER_FONT))
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let text = border(Format::new().set_font_name(FONT));
    let number = border(Format::new().set_font_name(FONT)).set_num_format("0.0");
    let integer = border(Format::new().set_font_name(FONT)).set_num_format("0");
    sheet.write_string_with_format(0, 0, &table.title, &title)?;
    sheet.write_string_with_format(1, 0, &table.note, &note)?;
    for (c, h) in table.header.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
        sheet.write_string_with_format(2, col, h, &header)?;
        let width = h.chars().count().max(if c == 0 { 10 } else { 4 }) * 2 + 2;
        sheet.set_column_width(col, width as f64)?;
    }
    for (r, cells) in table.rows.iter().enumerate() {
        let row = u32::try_from(r + 3).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, cell) in cells.iter().enumerate() {
            let col = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
            match cell {
                TableCell::Text(s) => sheet.write_string_with_format(row, col, s, &text)?,
                TableCell::Integer(n) => {
                    sheet.write_number_with_format(row, col, *n as f64, &integer)?
                }
                TableCell::Number(n) => sheet.write_number_with_format(row, col, *n, &number)?,
                TableCell::Empty => sheet.write_blank(row, col, &text)?,
            };
        }
    }
    let last_row =
        u32::try_from(table.rows.len() + 2).map_err(|_| XlsxError::RowColumnLimitError)?;
    let last_col = u16::try_from(table.header.len().saturating_sub(1))
        .map_err(|_| XlsxError::RowColumnLimitError)?;
    sheet.set_freeze_panes(3, 0)?;
    sheet.autofilter(2, 0, last_row, last_col)?;
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_table_gives_the_same_bytes() {
        let t = DataTable {
            sheet: "排名".into(),
            title: "各单位排名".into(),
            note: "说明".into(),
            header: vec!["单位".into(), "按时报送率（%）".into()],
            rows: vec![
                vec!["区发改局".into(), Some(75.0).into()],
                vec!["区财政局".into(), None.into()],
                vec!["合计".into(), 3u32.into()],
            ],
        };
        let a = table_xlsx(&t).expect("xlsx");
        assert_eq!(a, table_xlsx(&t).expect("xlsx"));
        assert_eq!(&a[..2], b"PK");
    }
}
