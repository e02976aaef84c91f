//! CSV as Excel and WPS save it: UTF-8 (with or without BOM), UTF-16 or GBK (decoded
//! by `decode_text` before this reader sees it), comma, tab or semicolon between
//! fields, quoted fields that hold commas, quotes and line breaks.
//!
//! A spreadsheet saved as CSV pads every record to the width of the used range, so
//! the records above the header (title, 文号 …) and below the table (版记) arrive as
//! one filled field and empty ones: the former become the preamble, the latter the
//! trailer. Empty fields beyond the header's last column are dropped; anything else
//! beyond it is kept, so that the table check refuses the row like any other format.

use crate::columns::looks_like_header;
use crate::error::ImportError;
use crate::inline::{TEXT, parse_inline};
use crate::read::text::parse_row_number;
use crate::source::{Location, SourceRow, SourceTable};

/// Field separators tried, most common first.
const DELIMITERS: [u8; 3] = [b',', b'\t', b';'];

/// A record with the 1-based line it starts on.
struct Record {
    line: usize,
    fields: Vec<String>,
}

pub fn read_csv(text: &str) -> Result<SourceTable, ImportError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut fallback: Option<Vec<Record>> = None;
    for delimiter in DELIMITERS {
        let Ok(records) = records(text, delimiter) else {
            continue;
        };
        if let Some(header) = records.iter().position(|r| looks_like_header(&r.fields)) {
            return Ok(table(records, header));
        }
        if fallback.is_none() {
            fallback = Some(records);
        }
    }
    match fallback {
        // No header with any separator: the caller reports the missing header.
        Some(records) => Ok(table(records, 0)),
        None => Err(ImportError::Table(
            "无法按 CSV 读取：引号不成对。请用办公软件打开后重新另存为 CSV，或检查单元格中的英文双引号。"
                .into(),
        )),
    }
}

/// Splits `text` into records with `delimiter`, or says it is not CSV with that separator.
fn records(text: &str, delimiter: u8) -> Result<Vec<Record>, csv::Error> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    // The csv crate counts no line breaks inside quoted fields: count them here.
    let (mut line, mut counted) = (1usize, 0usize);
    for record in reader.records() {
        let record = record?;
        let mut byte = record
            .position()
            .map_or(counted, |p| p.byte() as usize)
            .min(text.len());
        // The position may point at the previous record's line break.
        while matches!(text.as_bytes().get(byte), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        line += text.as_bytes()[counted.min(byte)..byte]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        counted = byte;
        out.push(Record {
            line,
            fields: record.iter().map(|f| f.replace("\r\n", "\n")).collect(),
        });
    }
    Ok(out)
}

fn non_empty(fields: &[String]) -> Vec<&str> {
    fields
        .iter()
        .map(|f| f.trim())
        .filter(|f| !f.is_empty())
        .collect()
}

/// One filled field, not a row number: a line of text (版记 …) rather than a row.
fn is_text_line(fields: &[String]) -> bool {
    let filled = non_empty(fields);
    filled.len() == 1
        && fields.first().is_some_and(|f| f.trim() == filled[0])
        && parse_row_number(filled[0]).is_none()
}

fn table(records: Vec<Record>, header: usize) -> SourceTable {
    let mut table = SourceTable::default();
    let width = records.get(header).map_or(0, |r| {
        r.fields
            .iter()
            .rposition(|f| !f.trim().is_empty())
            .map_or(0, |i| i + 1)
    });
    // The trailer: text lines (and blank ones) after the last row.
    let mut end = records.len();
    while end > header + 1
        && (non_empty(&records[end - 1].fields).is_empty()
            || is_text_line(&records[end - 1].fields))
    {
        end -= 1;
    }
    for (index, record) in records.into_iter().enumerate() {
        if index < header {
            let line = non_empty(&record.fields).join(" ");
            if !line.is_empty() {
                table.preamble.push(line);
            }
            continue;
        }
        if index >= end {
            let line = non_empty(&record.fields).join(" ");
            if !line.is_empty() {
                table.trailer.push(line);
            }
            continue;
        }
        let mut fields = record.fields;
        if fields.len() > width && fields[width..].iter().all(|f| f.trim().is_empty()) {
            fields.truncate(width);
        }
        table.rows.push(SourceRow {
            location: Location::Line(record.line),
            cells: fields.iter().map(|f| parse_inline(f, TEXT)).collect(),
        });
    }
    table
}

/// The separator of a CSV file whose header row is recognisable, if any: how
/// detection tells a CSV from other text.
pub(crate) fn header_delimiter(text: &str) -> Option<u8> {
    DELIMITERS.into_iter().find(|d| {
        records(text, *d)
            .map(|rs| rs.iter().any(|r| looks_like_header(&r.fields)))
            .unwrap_or(false)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(table: &SourceTable) -> Vec<Vec<String>> {
        table.rows.iter().map(SourceRow::texts).collect()
    }

    #[test]
    fn csv_excel_shape_with_preamble_quotes_and_trailer() {
        let text = "泉州市鲤城区人民政府办公室文件,,,\r\n泉鲤政办〔2020〕48号,,,\r\n序号,具体目标任务,牵头责任单位,落实情况\r\n1,\"抓紧下达指标，确保落实。\",区发改局,\"区发改局：\r\n一是已下达；\r\n二是“跟踪”服务，\"\"重点\"\"企业。\"\r\n2,财政收入增长。,区财政局,推进中。\r\n,,,\r\n抄送：区委办。,,,\r\n";
        let table = read_csv(text).expect("read csv");
        assert_eq!(
            table.preamble,
            vec!["泉州市鲤城区人民政府办公室文件", "泉鲤政办〔2020〕48号"]
        );
        assert_eq!(table.trailer, vec!["抄送：区委办。"]);
        assert_eq!(
            texts(&table),
            vec![
                vec!["序号", "具体目标任务", "牵头责任单位", "落实情况"],
                vec![
                    "1",
                    "抓紧下达指标，确保落实。",
                    "区发改局",
                    "区发改局：\n一是已下达；\n二是“跟踪”服务，\"重点\"企业。"
                ],
                vec!["2", "财政收入增长。", "区财政局", "推进中。"],
            ]
        );
        assert_eq!(table.rows[1].cells[3].paragraphs.len(), 3);
        let lines: Vec<_> = table.rows.iter().map(|r| r.location.clone()).collect();
        assert_eq!(
            lines,
            vec![Location::Line(3), Location::Line(4), Location::Line(7)]
        );
    }

    #[test]
    fn csv_tab_and_semicolon_separators() {
        let tab = "序号\t具体目标任务\t牵头责任单位\n1\t\"甲\n乙\"\t区发改局\n";
        let table = read_csv(tab).expect("read tab csv");
        assert_eq!(table.rows[1].texts(), vec!["1", "甲\n乙", "区发改局"]);
        let semi = "序号;具体目标任务;牵头责任单位\n1;甲，乙;区发改局\n";
        let table = read_csv(semi).expect("read semicolon csv");
        assert_eq!(table.rows[1].texts(), vec!["1", "甲，乙", "区发改局"]);
        assert_eq!(header_delimiter(semi), Some(b';'));
        assert_eq!(header_delimiter("没有表头,的文字\n"), None);
    }

    #[test]
    fn csv_extra_filled_field_is_kept_for_the_table_check() {
        let text = "序号,具体目标任务,牵头责任单位,,\n1,甲,区发改局,,\n2,乙,区财政局,多出,\n";
        let table = read_csv(text).expect("read csv");
        assert_eq!(table.rows[1].cells.len(), 3);
        assert_eq!(table.rows[2].cells.len(), 5);
    }
}
