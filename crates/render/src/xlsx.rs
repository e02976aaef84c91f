//! The notice as an Excel workbook: the attachment table on the first sheet (frozen,
//! filterable header, wrapped text, widths from [`crate::layout`], full grid, A4
//! landscape fitted to the page width with the header row repeated), and the
//! document's fields on the second. Deterministic: the creation time is the 成文日期.

use duban_domain::{Notice, RichText};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::RenderError;
use crate::layout::{self, NoticeView};

/// Name of the table sheet.
pub const TABLE_SHEET: &str = "落实情况表";
/// The table's sheet when no task has a 落实情况 (a decomposition notice).
pub const PLAN_SHEET: &str = "任务分解表";
/// Name of the document-fields sheet; `duban_formats::header::FIELDS_SHEET` reads it
/// back on re-import (a test checks they agree).
pub const FIELDS_SHEET: &str = "文件信息";

const BODY_FONT: &str = "仿宋_GB2312";
const HEADER_FONT: &str = "黑体";
const FONT_SIZE: f64 = 12.0;
/// Height of one wrapped line of 12 pt CJK text, in points, and the cell's padding.
const LINE_PT: f64 = 16.5;
const ROW_PADDING_PT: f64 = 4.0;
/// Excel's largest row height.
const MAX_ROW_PT: f64 = 409.0;
/// Cell padding left and right, in mm.
const CELL_PADDING_MM: f64 = 2.0;
/// Paper size code of A4 in SpreadsheetML.
const PAPER_A4: u8 = 9;

/// Renders `notice` as XLSX bytes.
pub fn render_xlsx(notice: &Notice) -> Result<Vec<u8>, RenderError> {
    write(notice).map_err(|e| RenderError::Xlsx(e.to_string()))
}

fn write(notice: &Notice) -> Result<Vec<u8>, XlsxError> {
    let view = NoticeView::new(notice);
    let mut workbook = Workbook::new();

    let created = match notice.document.date {
        Some(d) => {
            use chrono::Datelike;
            ExcelDateTime::from_ymd(
                u16::try_from(d.year()).unwrap_or(2000),
                d.month() as u8,
                d.day() as u8,
            )
            .or_else(|_| ExcelDateTime::from_ymd(2000, 1, 1))?
        }
        None => ExcelDateTime::from_ymd(2000, 1, 1)?,
    };
    let title = view
        .table_title
        .clone()
        .unwrap_or_else(|| view.title_text());
    let mut properties = DocProperties::new()
        .set_creation_datetime(&created)
        .set_title(&title);
    if let Some(issuer) = &notice.document.issuer {
        properties = properties.set_company(issuer).set_author(issuer);
    }
    if let Some(number) = &view.doc_number {
        properties = properties.set_subject(number);
    }
    workbook.set_properties(&properties);

    let sheet = workbook.add_worksheet();
    let has_progress = notice.tasks.iter().any(|t| t.progress.is_some());
    sheet.set_name(if has_progress {
        TABLE_SHEET
    } else {
        PLAN_SHEET
    })?;
    write_table(sheet, &view, &title)?;

    let sheet = workbook.add_worksheet();
    sheet.set_name(FIELDS_SHEET)?;
    write_fields(sheet, notice, &view)?;

    workbook.save_to_buffer()
}

fn cell_format(font: &str) -> Format {
    Format::new()
        .set_font_name(font)
        .set_font_size(FONT_SIZE)
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter)
}

fn write_table(sheet: &mut Worksheet, view: &NoticeView, title: &str) -> Result<(), XlsxError> {
    let table = &view.table;
    let header = cell_format(HEADER_FONT)
        .set_bold()
        .set_align(FormatAlign::Center);
    let text = cell_format(BODY_FONT).set_align(FormatAlign::Left);
    let centered = cell_format(BODY_FONT).set_align(FormatAlign::Center);
    let plain = Format::new()
        .set_font_name(BODY_FONT)
        .set_font_size(FONT_SIZE);
    let bold = plain.clone().set_bold();

    for (col, column) in table.columns.iter().enumerate() {
        let col = col_num(col)?;
        sheet.write_string_with_format(0, col, &column.header, &header)?;
        sheet.set_column_width(col, excel_width(column.width_mm))?;
    }
    sheet.set_row_height(0, row_height(1))?;
    for (r, cells) in table.rows.iter().enumerate() {
        let row = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        // Excel and LibreOffice do not grow a row for wrapped text written by a library:
        // set the height the longest cell needs, or the lines overlap when printed.
        let lines = table
            .columns
            .iter()
            .zip(cells)
            .map(|(column, cell)| wrapped_lines(cell, column.width_mm))
            .max()
            .unwrap_or(1);
        sheet.set_row_height(row, row_height(lines))?;
        for (col, (column, cell)) in table.columns.iter().zip(cells).enumerate() {
            let col = col_num(col)?;
            let format = if column.centered { &centered } else { &text };
            if column.kind == layout::ColumnKind::Number
                && let Ok(n) = cell.plain_text().trim().parse::<u32>()
            {
                sheet.write_number_with_format(row, col, f64::from(n), format)?;
            } else if cell.has_bold() {
                let segments = rich_segments(cell, &plain, &bold);
                let segments: Vec<(&Format, &str)> =
                    segments.iter().map(|(f, s)| (*f, s.as_str())).collect();
                sheet.write_rich_string_with_format(row, col, &segments, format)?;
            } else {
                sheet.write_string_with_format(row, col, cell.plain_text(), format)?;
            }
        }
    }

    let last_row = u32::try_from(table.rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    let last_col = col_num(table.columns.len().saturating_sub(1))?;
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last_row, last_col)?;
    // Print: A4 landscape, one page wide, header row on every page, 公文 page numbers.
    sheet.set_paper_size(PAPER_A4);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    sheet.set_print_center_horizontally(true);
    sheet.set_margins(0.6, 0.6, 0.9, 0.8, 0.4, 0.4);
    sheet.set_header(format!("&C&\"黑体\"&14{}", escape_header(title)));
    sheet.set_footer("&C— &P —");
    Ok(())
}

/// Lines a cell takes in a column `width_mm` wide at 12 pt: each paragraph wraps
/// at the column's width, a CJK character one em, other characters half of one.
fn wrapped_lines(cell: &RichText, width_mm: f64) -> usize {
    let em_mm = FONT_SIZE * 25.4 / 72.0;
    let per_line = ((width_mm - CELL_PADDING_MM) / em_mm).max(1.0);
    cell.plain_text()
        .split('\n')
        .map(|p| {
            let ems: f64 = p
                .chars()
                .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
                .sum();
            ((ems / per_line).ceil() as usize).max(1)
        })
        .sum::<usize>()
        .max(1)
}

/// Row height in points for `lines` lines of text.
fn row_height(lines: usize) -> f64 {
    (lines as f64 * LINE_PT + ROW_PADDING_PT).min(MAX_ROW_PT)
}

/// Paragraphs joined by line breaks, bold runs bold. Empty runs are dropped (Excel
/// rejects empty rich-string segments).
fn rich_segments<'f>(
    cell: &RichText,
    plain: &'f Format,
    bold: &'f Format,
) -> Vec<(&'f Format, String)> {
    let mut out: Vec<(&'f Format, String)> = Vec::new();
    for (i, p) in cell.paragraphs.iter().enumerate() {
        for (j, run) in p.runs.iter().enumerate() {
            let mut text = String::new();
            if i > 0 && j == 0 {
                text.push('\n');
            }
            text.push_str(&run.text);
            if text.is_empty() {
                continue;
            }
            out.push((if run.bold { bold } else { plain }, text));
        }
    }
    out
}

fn write_fields(
    sheet: &mut Worksheet,
    notice: &Notice,
    view: &NoticeView,
) -> Result<(), XlsxError> {
    let d = &notice.document;
    let header = cell_format(HEADER_FONT)
        .set_bold()
        .set_align(FormatAlign::Center);
    let label = cell_format(HEADER_FONT).set_align(FormatAlign::Left);
    let value = cell_format(BODY_FONT).set_align(FormatAlign::Left);
    let join = |items: &[String]| items.join("，");
    let date = |d: Option<chrono::NaiveDate>| d.map(layout::date_text).unwrap_or_default();
    let fields: [(&str, String); 15] = [
        ("发文机关", d.issuer.clone().unwrap_or_default()),
        ("发文机关标志", view.issuer_mark.clone().unwrap_or_default()),
        ("发文字号", view.doc_number.clone().unwrap_or_default()),
        ("标题", d.title.clone().unwrap_or_default()),
        ("主送机关", join(&d.recipients)),
        ("正文", d.body.join("\n")),
        (
            "引用文件",
            d.references
                .iter()
                .map(|r| match &r.title {
                    Some(t) => format!("{t}（{}）", r.doc_number),
                    None => r.doc_number.to_string(),
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        ("附件", d.attachment.clone().unwrap_or_default()),
        ("署名", d.signatory.clone().unwrap_or_default()),
        ("成文日期", date(d.date)),
        (
            "公开属性",
            d.disclosure
                .map(|x| x.label().to_string())
                .unwrap_or_default(),
        ),
        ("附件标题", d.table_title.clone().unwrap_or_default()),
        ("抄送", join(&d.copy_to)),
        ("印发机关", d.printed_by.clone().unwrap_or_default()),
        ("印发日期", date(d.printed_on)),
    ];
    sheet.write_string_with_format(0, 0, "项目", &header)?;
    sheet.write_string_with_format(0, 1, "内容", &header)?;
    let mut row = 1u32;
    for (name, text) in fields {
        sheet.write_string_with_format(row, 0, name, &label)?;
        sheet.write_string_with_format(row, 1, text, &value)?;
        row += 1;
    }
    sheet.write_string_with_format(row, 0, "任务数", &label)?;
    sheet.write_number_with_format(row, 1, notice.tasks.len() as f64, &value)?;
    sheet.set_column_width(0, 14)?;
    sheet.set_column_width(1, 90)?;
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_paper_size(PAPER_A4);
    sheet.set_print_fit_to_pages(1, 0);
    Ok(())
}

fn col_num(col: usize) -> Result<u16, XlsxError> {
    u16::try_from(col).map_err(|_| XlsxError::RowColumnLimitError)
}

/// Column width in Excel's units (widths of the default font's digit, 7 px at 96 dpi,
/// plus 5 px padding) for a width in mm.
fn excel_width(mm: f64) -> f64 {
    let px = mm / 25.4 * 96.0;
    ((px - 5.0) / 7.0).max(2.0).round()
}

/// `&` starts a control code in Excel headers.
fn escape_header(text: &str) -> String {
    text.replace('&', "&&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_in_excel_units() {
        assert_eq!(excel_width(106.0), 57.0);
        assert_eq!(excel_width(1.0), 2.0);
    }

    #[test]
    fn wrapped_lines_follow_width_and_paragraphs() {
        // 10 mm wide: (10 − 2) / 4.23 = 1.9 characters a line.
        assert_eq!(wrapped_lines(&RichText::plain("一二三四"), 10.0), 3);
        // 115 mm: 26.7 characters a line; 60 characters and a paragraph of 3.
        let text = format!("{}\n甲乙丙", "字".repeat(60));
        assert_eq!(wrapped_lines(&RichText::plain(&text), 115.0), 4);
        // ASCII is half width.
        assert_eq!(wrapped_lines(&RichText::plain(&"a".repeat(52)), 115.0), 1);
        assert_eq!(wrapped_lines(&RichText::default(), 115.0), 1);
        assert_eq!(row_height(2), 37.0);
        assert_eq!(row_height(100), 409.0);
    }

    #[test]
    fn header_ampersand_escaped() {
        assert_eq!(escape_header("A&B"), "A&&B");
    }
}
