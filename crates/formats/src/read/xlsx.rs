//! XLSX: the first worksheet holding a recognisable header row, read with calamine.
//!
//! Rows above the header are the preamble (title, document number); the header and
//! every row below it are `SourceRow`s numbered as the sheet numbers them. A merged
//! region down one column is filled into each row it spans; other merges inside the
//! table are refused: their content cannot be aligned with the header.

use std::io::Cursor;

use calamine::{Data, Dimensions, ExcelDateTime, Range, Reader, SheetType, SheetVisible, Xlsx};
use duban_domain::RichText;

use crate::ImportError;
use crate::columns::{Column, looks_like_header, recognise};
use crate::header::{FIELDS_HEADER, FIELDS_SHEET};
use crate::source::{ImportNote, Location, SourceRow, SourceTable};

const FORMAT: &str = "XLSX";
const MERGED_ADVICE: &str =
    "无法与表头逐列对齐。请取消合并、在每个单元格中填写完整内容后重新导入。";

pub fn read_xlsx(bytes: &[u8]) -> Result<SourceTable, ImportError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| ImportError::corrupt(FORMAT, workbook_problem(&e)))?;

    // Worksheets in workbook order, visible ones first.
    let mut sheets: Vec<(String, bool)> = workbook
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| (s.name.clone(), s.visible == SheetVisible::Visible))
        .collect();
    sheets.sort_by_key(|(_, visible)| !visible);

    let mut fallback: Option<(String, Grid)> = None;
    for (name, _) in sheets {
        let range = workbook.worksheet_range(&name).map_err(|e| {
            ImportError::corrupt(
                FORMAT,
                format!("无法读取工作表“{name}”：{}", workbook_problem(&e)),
            )
        })?;
        let grid = Grid::new(&range);
        if grid.rows.is_empty() {
            continue;
        }
        if let Some(header) = grid.rows.iter().position(|r| looks_like_header(&r.texts)) {
            let merges = workbook.merge_cells_by_sheet_name(&name).map_err(|e| {
                ImportError::corrupt(
                    FORMAT,
                    format!(
                        "无法读取工作表“{name}”的合并单元格：{}",
                        workbook_problem(&e)
                    ),
                )
            })?;
            let mut grid = grid;
            let notes = apply_merges(&name, &mut grid, header, &merges)?;
            let mut table = grid.into_table(&name, Some(header))?;
            table.notes = notes;
            table.fields = fields_sheet(&mut workbook)?;
            return Ok(table);
        }
        if fallback.is_none() {
            fallback = Some((name, grid));
        }
    }
    // No header anywhere: hand over the first non-empty sheet whole; the caller
    // reports the missing header.
    match fallback {
        Some((name, grid)) => grid.into_table(&name, None),
        None => Ok(SourceTable::default()),
    }
}

/// The (name, value) rows of duban's 文件信息 sheet, if the workbook has one with the
/// 项目/内容 header.
fn fields_sheet(workbook: &mut Xlsx<Cursor<&[u8]>>) -> Result<Vec<(String, String)>, ImportError> {
    if !workbook.sheet_names().iter().any(|n| n == FIELDS_SHEET) {
        return Ok(Vec::new());
    }
    let range = workbook.worksheet_range(FIELDS_SHEET).map_err(|e| {
        ImportError::corrupt(
            FORMAT,
            format!("无法读取工作表“{FIELDS_SHEET}”：{}", workbook_problem(&e)),
        )
    })?;
    let grid = Grid::new(&range);
    let Some((head, rows)) = grid.rows.split_first() else {
        return Ok(Vec::new());
    };
    if head.texts.len() < 2 || head.texts[..2].iter().map(|t| t.trim()).ne(FIELDS_HEADER) {
        return Ok(Vec::new());
    }
    Ok(rows
        .iter()
        .map(|r| (r.texts[0].trim().to_string(), r.texts[1].clone()))
        .collect())
}

/// What calamine could not read, in Chinese.
fn workbook_problem(e: &calamine::XlsxError) -> String {
    use calamine::XlsxError;
    match e {
        XlsxError::Zip(_) => "压缩包结构不完整，文件末尾缺失或已损坏".into(),
        XlsxError::Io(_) => "内容读取中断，数据不完整".into(),
        XlsxError::FileNotFound(part) => format!("缺少 {part}，不是 Excel 工作簿"),
        XlsxError::Xml(_) | XlsxError::XmlAttr(_) | XlsxError::XmlEof(_) => {
            "工作簿的 XML 结构不完整或有错误".into()
        }
        XlsxError::Password => "工作簿设置了打开密码，请取消密码后另存".into(),
        _ => "工作簿内容无法识别".into(),
    }
}

/// A sheet's used range as text, trailing blank rows dropped.
struct Grid {
    /// 0-based sheet row and column of the range's top-left cell.
    start: (u32, u32),
    /// Range width in columns.
    width: usize,
    rows: Vec<GridRow>,
}

struct GridRow {
    texts: Vec<String>,
}

impl Grid {
    fn new(range: &Range<Data>) -> Self {
        let start = range.start().unwrap_or((0, 0));
        let width = range.width();
        let mut rows: Vec<GridRow> = range
            .rows()
            .map(|cells| {
                let mut texts: Vec<String> = cells.iter().map(cell_text).collect();
                texts.resize(width, String::new());
                GridRow { texts }
            })
            .collect();
        while rows
            .last()
            .is_some_and(|r| r.texts.iter().all(|t| t.trim().is_empty()))
        {
            rows.pop();
        }
        Grid { start, width, rows }
    }

    /// 1-based sheet row number of the grid row at `index`.
    fn sheet_row(&self, index: usize) -> usize {
        self.start.0 as usize + index + 1
    }

    /// The table from the header row on, as wide as the header: a row with a value
    /// beyond the header's last column is refused, as the text formats refuse a row
    /// with more cells than the header.
    /// Without a header (none found) every row is handed over as it is.
    fn into_table(self, sheet: &str, header: Option<usize>) -> Result<SourceTable, ImportError> {
        let mut table = SourceTable::default();
        let header_texts = header
            .and_then(|h| self.rows.get(h))
            .map_or_else(|| vec![String::new(); self.width], |r| r.texts.clone());
        let width = match header {
            Some(_) => header_texts
                .iter()
                .rposition(|t| !t.trim().is_empty())
                .map_or(0, |i| i + 1),
            None => self.width,
        };
        let header = header.unwrap_or(0);
        for (index, row) in self.rows.iter().enumerate() {
            if index < header {
                let line = row
                    .texts
                    .iter()
                    .map(|t| t.trim())
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                if !line.is_empty() {
                    table.preamble.push(line);
                }
                continue;
            }
            if let Some(extra) = row.texts[width.min(row.texts.len())..]
                .iter()
                .position(|t| !t.trim().is_empty())
            {
                let column = width + extra;
                let name = cell_name((self.start.0 + index as u32, self.start.1 + column as u32));
                return Err(ImportError::at(
                    Location::SheetRow {
                        sheet: sheet.to_string(),
                        row: self.sheet_row(index),
                    },
                    format!(
                        "单元格 {name} 有内容“{}”，但表头只有 {width} 列（{}）。请检查该行是否错位或多出单元格后重新导入。",
                        preview(&row.texts[column]),
                        header_texts[..width]
                            .iter()
                            .map(|t| t.trim())
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                ));
            }
            table.rows.push(SourceRow {
                location: Location::SheetRow {
                    sheet: sheet.to_string(),
                    row: self.sheet_row(index),
                },
                cells: row.texts[..width.min(row.texts.len())]
                    .iter()
                    .map(|t| RichText::plain(t))
                    .collect(),
            });
        }
        Ok(table)
    }
}

/// Merged regions that overlap the table (from the header row to the last row,
/// within the used columns). A region down one column below the header — one unit
/// leading several consecutive tasks — is filled down into every row it spans and
/// noted; any other (across columns, into the header, or over 序号, which would leave
/// rows without their own number) is refused. Merges above the header — a title across
/// the sheet — are fine.
fn apply_merges(
    sheet: &str,
    grid: &mut Grid,
    header: usize,
    merges: &[Dimensions],
) -> Result<Vec<ImportNote>, ImportError> {
    let (Some(last_row), Some(last_col)) =
        (grid.rows.len().checked_sub(1), grid.width.checked_sub(1))
    else {
        return Ok(Vec::new());
    };
    let first_row = grid.start.0 as u64 + header as u64;
    let last_row = grid.start.0 as u64 + last_row as u64;
    let first_col = grid.start.1 as u64;
    let last_col = grid.start.1 as u64 + last_col as u64;
    let mut inside: Vec<&Dimensions> = merges
        .iter()
        .filter(|m| m.start != m.end)
        .filter(|m| {
            u64::from(m.start.0) <= last_row
                && u64::from(m.end.0) >= first_row
                && u64::from(m.start.1) <= last_col
                && u64::from(m.end.1) >= first_col
        })
        .collect();
    inside.sort_by_key(|m| m.start);
    let header_texts = grid.rows[header].texts.clone();
    let at = |row: u32| Location::SheetRow {
        sheet: sheet.to_string(),
        row: row as usize + 1,
    };
    let mut notes = Vec::new();
    for m in inside {
        let name = format!("{}:{}", cell_name(m.start), cell_name(m.end));
        if m.start.1 != m.end.1 || u64::from(m.start.0) <= first_row {
            return Err(ImportError::at(
                at(m.start.0),
                format!("单元格 {name} 是合并单元格，{MERGED_ADVICE}"),
            ));
        }
        let column = (u64::from(m.start.1) - first_col) as usize;
        let column_name = header_texts
            .get(column)
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| format!("第{}列", column + 1));
        let (top, bottom) = (m.start.0 as usize + 1, m.end.0 as usize + 1);
        if recognise(&column_name) == Some(Column::Number) {
            return Err(ImportError::at(
                at(m.start.0),
                format!(
                    "“{column_name}”列的单元格 {name} 把第 {top}—{bottom} 行合并为一格，无法分清这几行各是哪一项任务。请取消合并，为每一行填写序号后重新导入。"
                ),
            ));
        }
        let from = (u64::from(m.start.0) - grid.start.0 as u64) as usize;
        let to = ((u64::from(m.end.0) - grid.start.0 as u64) as usize).min(grid.rows.len() - 1);
        let value = grid.rows[from].texts[column].clone();
        for row in &mut grid.rows[from + 1..=to] {
            row.texts[column] = value.clone();
        }
        notes.push(ImportNote {
            location: at(m.start.0),
            message: format!(
                "“{column_name}”列第 {top}—{bottom} 行是一个合并单元格（{name}，“{}”），已填入其中每一行。",
                preview(&value)
            ),
        });
    }
    Ok(notes)
}

/// The first 20 characters of a cell, for messages.
fn preview(text: &str) -> String {
    let text = text.trim();
    let mut out: String = text.chars().take(20).collect();
    if text.chars().count() > 20 {
        out.push('…');
    }
    out
}

/// A1-style name of a 0-based (row, column).
fn cell_name((row, col): (u32, u32)) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(col) + 1;
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    letters.reverse();
    let letters: String = letters.into_iter().collect();
    format!("{letters}{}", u64::from(row) + 1)
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(dt) => datetime_text(dt),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// Integral values without a fraction (`1.0` → `1`), others as Rust prints them.
fn float_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// ISO date, with the time when it is not midnight; durations as `h:mm:ss`.
fn datetime_text(dt: &ExcelDateTime) -> String {
    if dt.is_duration() {
        let seconds = (dt.as_f64() * 86_400.0).round();
        if !seconds.is_finite() {
            return float_text(dt.as_f64());
        }
        let sign = if seconds < 0.0 { "-" } else { "" };
        let total = seconds.abs() as u64;
        return format!(
            "{sign}{}:{:02}:{:02}",
            total / 3600,
            total / 60 % 60,
            total % 60
        );
    }
    let (year, month, day, hour, minute, second, milli) = dt.to_ymd_hms_milli();
    let time = if milli != 0 {
        format!("{hour:02}:{minute:02}:{second:02}.{milli:03}")
    } else {
        format!("{hour:02}:{minute:02}:{second:02}")
    };
    if dt.as_f64().abs() < 1.0 {
        // A time of day with no date.
        return time;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    if hour == 0 && minute == 0 && second == 0 && milli == 0 {
        date
    } else {
        format!("{date} {time}")
    }
}

#[cfg(test)]
mod tests {
    use rust_xlsxwriter::{ExcelDateTime as XlsxDate, Format, Workbook, Worksheet};

    use super::*;

    const SHEET: &str = "落实情况";

    fn header(ws: &mut Worksheet, row: u32) {
        for (col, text) in [
            "序号",
            "具体目标任务",
            "牵头责任单位",
            "落实情况",
            "完成时限",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(row, col as u16, *text)
                .expect("write header");
        }
    }

    fn notice(merge_in_table: bool) -> Vec<u8> {
        let mut wb = Workbook::new();
        let notes = wb.add_worksheet();
        notes.set_name("说明").expect("name sheet");
        notes
            .write_string(0, 0, "本表由区政府督查室汇总。")
            .expect("write");

        let ws = wb.add_worksheet();
        ws.set_name(SHEET).expect("name sheet");
        ws.merge_range(0, 0, 0, 4, "黄区长讲话部署落实情况表", &Format::new())
            .expect("merge title");
        ws.write_string(1, 0, "泉鲤政办").expect("write");
        ws.write_string(1, 2, "2020年10月15日").expect("write");
        header(ws, 2);
        ws.write_number(3, 0, 1).expect("write");
        ws.write_string(3, 1, "抓紧下达指标。").expect("write");
        ws.write_string(3, 2, "区发改局").expect("write");
        ws.write_string(3, 3, "区发改局：已下达。\n二是跟踪服务。")
            .expect("write");
        let date = XlsxDate::from_ymd(2020, 12, 31).expect("date");
        ws.write_datetime_with_format(3, 4, &date, &Format::new().set_num_format("yyyy-mm-dd"))
            .expect("write date");
        ws.write_number(4, 0, 2.0).expect("write");
        ws.write_string(4, 1, "财政收入增长。").expect("write");
        if merge_in_table {
            ws.merge_range(4, 2, 4, 3, "区财政局，推进中。", &Format::new())
                .expect("merge");
        } else {
            ws.write_string(4, 2, "区财政局").expect("write");
            ws.write_number(4, 3, 67.9).expect("write");
        }
        ws.write_boolean(4, 4, true).expect("write");
        // Row 6 left blank on purpose; row 7 holds the last task.
        ws.write_number(6, 0, 3).expect("write");
        ws.write_string(6, 1, "优化营商环境。").expect("write");
        wb.save_to_buffer().expect("save workbook")
    }

    #[test]
    fn xlsx_notice_sheet_preamble_and_rows() {
        let table = read_xlsx(&notice(false)).expect("read workbook");
        assert_eq!(
            table.preamble,
            vec!["黄区长讲话部署落实情况表", "泉鲤政办 2020年10月15日"]
        );
        assert!(table.trailer.is_empty());
        let rows: Vec<usize> = table
            .rows
            .iter()
            .map(|r| match &r.location {
                Location::SheetRow { sheet, row } if sheet == SHEET => *row,
                other => panic!("unexpected location {other:?}"),
            })
            .collect();
        assert_eq!(rows, vec![3, 4, 5, 6, 7]);
        assert_eq!(
            table.rows[0].texts(),
            vec![
                "序号",
                "具体目标任务",
                "牵头责任单位",
                "落实情况",
                "完成时限"
            ]
        );
        assert_eq!(
            table.rows[1].texts(),
            vec![
                "1",
                "抓紧下达指标。",
                "区发改局",
                "区发改局：已下达。\n二是跟踪服务。",
                "2020-12-31"
            ]
        );
        assert_eq!(table.rows[1].cells[3].paragraphs.len(), 2);
        assert_eq!(
            table.rows[2].texts(),
            vec!["2", "财政收入增长。", "区财政局", "67.9", "是"]
        );
        assert!(table.rows[3].is_blank());
        assert_eq!(table.rows[3].cells.len(), 5);
        assert_eq!(
            table.rows[4].texts(),
            vec!["3", "优化营商环境。", "", "", ""]
        );
    }

    #[test]
    fn xlsx_merged_region_in_table_is_refused() {
        match read_xlsx(&notice(true)) {
            Err(ImportError::At { location, message }) => {
                assert_eq!(
                    location,
                    Location::SheetRow {
                        sheet: SHEET.to_string(),
                        row: 5
                    }
                );
                assert_eq!(
                    message,
                    format!("单元格 C5:D5 是合并单元格，{MERGED_ADVICE}")
                );
            }
            other => panic!("expected merged-cell error, got {other:?}"),
        }
    }

    fn units_sheet(merge: (u16, u32, u32), extra: bool) -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name(SHEET).expect("name sheet");
        header(ws, 0);
        for row in 1..=4u32 {
            ws.write_number(row, 0, f64::from(row)).expect("write");
            ws.write_string(row, 1, format!("任务{row}"))
                .expect("write");
            ws.write_string(row, 2, "区财政局").expect("write");
            ws.write_string(row, 3, "推进中。").expect("write");
        }
        let (col, top, bottom) = merge;
        let value = if col == 0 { "1" } else { "区发改局" };
        ws.merge_range(top, col, bottom, col, value, &Format::new())
            .expect("merge");
        if extra {
            ws.write_string(3, 5, "多出的值").expect("write");
        }
        wb.save_to_buffer().expect("save workbook")
    }

    #[test]
    fn xlsx_vertical_merge_is_filled_down_and_noted() {
        let table = read_xlsx(&units_sheet((2, 1, 3), false)).expect("merged units import");
        let units: Vec<String> = table.rows[1..]
            .iter()
            .map(|r| r.texts()[2].clone())
            .collect();
        assert_eq!(units, vec!["区发改局", "区发改局", "区发改局", "区财政局"]);
        assert_eq!(
            table.notes,
            vec![ImportNote {
                location: Location::SheetRow {
                    sheet: SHEET.to_string(),
                    row: 2
                },
                message: "“牵头责任单位”列第 2—4 行是一个合并单元格（C2:C4，“区发改局”），已填入其中每一行。".into(),
            }]
        );
    }

    #[test]
    fn xlsx_merge_over_number_is_refused_with_rows() {
        let err = read_xlsx(&units_sheet((0, 1, 2), false)).expect_err("merged 序号 refused");
        assert_eq!(
            err.to_string(),
            "工作表“落实情况”第 2 行：“序号”列的单元格 A2:A3 把第 2—3 行合并为一格，无法分清这几行各是哪一项任务。请取消合并，为每一行填写序号后重新导入。"
        );
    }

    #[test]
    fn xlsx_value_beyond_the_header_is_refused() {
        let err = read_xlsx(&units_sheet((2, 1, 2), true)).expect_err("extra cell refused");
        assert_eq!(
            err.to_string(),
            "工作表“落实情况”第 4 行：单元格 F4 有内容“多出的值”，但表头只有 5 列（序号、具体目标任务、牵头责任单位、落实情况、完成时限）。请检查该行是否错位或多出单元格后重新导入。"
        );
    }

    #[test]
    fn xlsx_without_header_uses_first_non_empty_sheet() {
        let mut wb = Workbook::new();
        wb.add_worksheet().set_name("空表").expect("name sheet");
        let ws = wb.add_worksheet();
        ws.set_name("数据").expect("name sheet");
        ws.write_string(1, 1, "任务").expect("write");
        ws.write_string(2, 1, "进展").expect("write");
        ws.write_string(2, 2, "#").expect("write");
        let table = read_xlsx(&wb.save_to_buffer().expect("save")).expect("read workbook");
        assert!(table.preamble.is_empty());
        assert_eq!(table.rows.len(), 2);
        assert_eq!(
            table.rows[0].location,
            Location::SheetRow {
                sheet: "数据".to_string(),
                row: 2
            }
        );
        assert_eq!(table.rows[0].texts(), vec!["任务", ""]);
        assert_eq!(table.rows[1].texts(), vec!["进展", "#"]);
    }

    #[test]
    fn xlsx_garbage_is_corrupt() {
        assert!(matches!(
            read_xlsx(b"PK\x03\x04 definitely not a workbook"),
            Err(ImportError::Corrupt { format: "XLSX", .. })
        ));
        assert!(matches!(
            read_xlsx(&[0u8; 64]),
            Err(ImportError::Corrupt { format: "XLSX", .. })
        ));
    }

    #[test]
    fn xlsx_cell_values_as_text() {
        assert_eq!(cell_text(&Data::Float(1.0)), "1");
        assert_eq!(cell_text(&Data::Float(-3.0)), "-3");
        assert_eq!(cell_text(&Data::Float(2.5)), "2.5");
        assert_eq!(cell_text(&Data::Int(42)), "42");
        assert_eq!(cell_text(&Data::Bool(false)), "否");
        assert_eq!(cell_text(&Data::Error(calamine::CellErrorType::NA)), "#N/A");
        let dt = |v| {
            Data::DateTime(ExcelDateTime::new(
                v,
                calamine::ExcelDateTimeType::DateTime,
                false,
            ))
        };
        assert_eq!(cell_text(&dt(44196.0)), "2020-12-31");
        assert_eq!(cell_text(&dt(44196.5)), "2020-12-31 12:00:00");
        assert_eq!(cell_text(&dt(0.75)), "18:00:00");
        assert_eq!(cell_name((4, 27)), "AB5");
    }
}
