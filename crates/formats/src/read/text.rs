//! Plain-text table shapes: the seed's tab-separated rows, markdown pipe tables,
//! pipe-terminated cells one per line, and tables flattened to one cell per line or
//! per paragraph (as pasted from web pages and PDFs).

use duban_domain::RichText;

use crate::columns::{looks_like_header, recognise};
use crate::error::ImportError;
use crate::inline::{InlineOptions, MARKDOWN, TEXT, parse_inline};
use crate::source::{Location, SourceRow, SourceTable};

/// Tab-separated rows after a header block (the seed's form).
pub fn read_tsv(text: &str) -> Result<SourceTable, ImportError> {
    read_line_table(text, TEXT, |line| {
        line.contains('\t')
            .then(|| line.split('\t').map(str::to_string).collect())
    })
}

/// Markdown pipe tables (`| 序号 | … |` with a `|---|` rule); several tables in a row
/// (one per printed page) make one table.
pub fn read_markdown(text: &str) -> Result<SourceTable, ImportError> {
    read_line_table(text, MARKDOWN, |line| {
        let t = line.trim();
        (t.starts_with('|') && t.len() > 1).then(|| split_pipe_row(t))
    })
}

/// Shared driver for formats where one line is one row: lines before the first header
/// row are the preamble, lines after the last row the trailer.
fn read_line_table(
    text: &str,
    inline: InlineOptions,
    split: impl Fn(&str) -> Option<Vec<String>>,
) -> Result<SourceTable, ImportError> {
    let mut table = SourceTable::default();
    let mut pending_text: Vec<(usize, String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        let row = split(line);
        match row {
            Some(cells) if table.rows.is_empty() && !looks_like_header(&cells) => {
                // A tabbed or piped line before any header: part of the preamble text.
                pending_text.push((number, line.trim().to_string()));
            }
            Some(cells) => {
                if is_markdown_rule(&cells) {
                    continue;
                }
                if table.rows.is_empty() {
                    table.preamble = pending_text.drain(..).map(|(_, l)| l).collect();
                } else if let Some((at, stray)) = pending_text.iter().find(|(_, l)| !l.is_empty()) {
                    return Err(ImportError::at(
                        Location::Line(*at),
                        format!(
                            "表格中间出现了不属于任何单元格的文字“{}”。单元格内如需换行，请用 <br> 或 <p>；否则请删除这一行。",
                            preview(stray)
                        ),
                    ));
                } else {
                    pending_text.clear();
                }
                table.rows.push(SourceRow {
                    location: Location::Line(number),
                    cells: cells.iter().map(|c| parse_inline(c, inline)).collect(),
                });
            }
            None => pending_text.push((number, line.trim().to_string())),
        }
    }
    let rest = pending_text.into_iter().map(|(_, l)| l);
    if table.rows.is_empty() {
        table.preamble = rest.collect();
    } else {
        table.trailer = rest.collect();
    }
    Ok(table)
}

/// `| a | b \| c |` → ["a", "b \| c"]: splits on unescaped pipes, drops the outer ones.
fn split_pipe_row(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut current = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                current.push('\\');
                current.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    cells.push(current);
    // The text before the first pipe and after the last one is not a cell.
    if cells.first().is_some_and(|c| c.trim().is_empty()) {
        cells.remove(0);
    }
    if cells.last().is_some_and(|c| c.trim().is_empty()) {
        cells.pop();
    }
    cells.into_iter().map(|c| c.trim().to_string()).collect()
}

fn is_markdown_rule(cells: &[String]) -> bool {
    !cells.is_empty()
        && cells.iter().all(|c| {
            let c = c.trim();
            !c.is_empty() && c.contains('-') && c.chars().all(|ch| matches!(ch, '-' | ':' | ' '))
        })
}

/// One cell of a flattened table, with the line it starts on.
struct FlatCell {
    line: usize,
    text: String,
}

/// Cells ending in `|`, one per line (a cell may run over several lines until its `|`).
pub fn read_pipe_cells(text: &str) -> Result<SourceTable, ImportError> {
    let mut cells: Vec<FlatCell> = Vec::new();
    let mut current: Option<FlatCell> = None;
    let mut loose: Vec<FlatCell> = Vec::new();
    let mut preamble = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_end();
        let (body, ends_cell) = match trimmed.strip_suffix('|') {
            Some(body) if !body.ends_with('\\') => (body, true),
            _ => (trimmed, false),
        };
        if !ends_cell && cells.is_empty() && current.is_none() {
            // Before the first cell: header block text (header names are one line each).
            preamble.push(trimmed.trim().to_string());
            continue;
        }
        if !ends_cell && current.is_none() && trimmed.trim().is_empty() {
            continue;
        }
        let cell = current.get_or_insert_with(|| FlatCell {
            line: i + 1,
            text: String::new(),
        });
        if !cell.text.is_empty() {
            cell.text.push('\n');
        }
        cell.text.push_str(body.trim());
        if ends_cell {
            cells.extend(current.take());
        }
    }
    // Text after the last `|` is not a cell: it is the trailer (or the preamble when
    // there was no cell at all).
    loose.extend(current);
    let trailing: Vec<String> = loose
        .into_iter()
        .flat_map(|c| c.text.lines().map(str::to_string).collect::<Vec<_>>())
        .collect();
    let mut table = flat_table(cells, TEXT, "以“|”结尾的单元格")?;
    preamble.append(&mut table.preamble);
    table.preamble = preamble;
    table.trailer.extend(trailing);
    Ok(table)
}

/// One cell per line, or, when the header names are separated by blank lines, one cell
/// per paragraph (so a cell can hold several lines).
pub fn read_flattened(text: &str) -> Result<SourceTable, ImportError> {
    let lines: Vec<&str> = text.lines().collect();
    let header_start = lines
        .iter()
        .position(|l| recognise(l).is_some())
        .ok_or_else(no_header_error)?;
    // Paragraph mode: the line after the first header name is blank.
    let paragraph_mode = lines
        .get(header_start + 1)
        .is_some_and(|l| l.trim().is_empty());
    let mut cells = Vec::new();
    let mut current: Option<FlatCell> = None;
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            cells.extend(current.take());
            continue;
        }
        match (&mut current, paragraph_mode) {
            (Some(cell), true) => {
                cell.text.push('\n');
                cell.text.push_str(trimmed);
            }
            _ => {
                cells.extend(current.take());
                current = Some(FlatCell {
                    line: i + 1,
                    text: trimmed.to_string(),
                });
            }
        }
    }
    cells.extend(current);
    flat_table(
        cells,
        TEXT,
        if paragraph_mode {
            "每段一个单元格"
        } else {
            "每行一个单元格"
        },
    )
}

fn no_header_error() -> ImportError {
    ImportError::Table(
        "未找到表头：表格应有“序号”列和至少一个可识别的列（如“具体目标任务”“牵头责任单位”“落实情况”）。请检查列名后重新导入。"
            .into(),
    )
}

fn preview(text: &str) -> String {
    let t: String = text.chars().take(20).collect();
    if text.chars().count() > 20 {
        format!("{t}…")
    } else {
        t
    }
}

/// Regroups a flat run of cells into rows. The header names fix the column count; every
/// row must start with its 序号, so a missing or extra cell is caught at the row where
/// the count goes wrong rather than shifting the rest of the table silently.
fn flat_table(
    cells: Vec<FlatCell>,
    inline: InlineOptions,
    shape: &str,
) -> Result<SourceTable, ImportError> {
    let is_header_name = |c: &FlatCell| recognise(&c.text).is_some();
    let start = cells
        .iter()
        .enumerate()
        .position(|(i, c)| {
            let run: Vec<&str> = cells[i..]
                .iter()
                .take_while(|c| is_header_name(c))
                .map(|c| c.text.as_str())
                .collect();
            is_header_name(c) && looks_like_header(&run)
        })
        .ok_or_else(no_header_error)?;
    let width = cells[start..]
        .iter()
        .take_while(|c| is_header_name(c))
        .count();
    let header: Vec<String> = cells[start..start + width]
        .iter()
        .map(|c| c.text.clone())
        .collect();
    let mut table = SourceTable {
        preamble: cells[..start]
            .iter()
            .flat_map(|c| c.text.lines().map(str::to_string).collect::<Vec<_>>())
            .collect(),
        ..SourceTable::default()
    };
    let mut i = start;
    let mut expected: Option<u32> = None;
    while i < cells.len() {
        let first = &cells[i];
        let is_repeat_header = cells[i..].len() >= width
            && cells[i..i + width]
                .iter()
                .zip(&header)
                .all(|(c, h)| c.text == *h);
        let number = parse_row_number(&first.text);
        let row_start_ok = is_repeat_header || i == start || number.is_some();
        if !row_start_ok {
            // The expected 序号 inside the row just read: that row is short a cell.
            if let (Some(n), Some(previous)) = (expected, table.rows.last())
                && let Some(offset) = previous
                    .cells
                    .iter()
                    .skip(1)
                    .position(|c| parse_row_number(&c.plain_text()) == Some(n))
            {
                let at = &cells[i - width + 1 + offset];
                return Err(ImportError::at(
                    Location::Line(at.line),
                    format!(
                        "“{}”应为第 {n} 项的序号，却落在第 {} 项的第 {} 列：第 {} 项少了单元格。表格按{shape}排列，表头有 {width} 列（{}）。请补齐后重新导入。",
                        at.text,
                        n - 1,
                        offset + 2,
                        n - 1,
                        header.join("、")
                    ),
                ));
            }
            // Trailing prose after the table holds no 序号 at all; anything else is a
            // misaligned row.
            if cells[i..]
                .iter()
                .all(|c| parse_row_number(&c.text).is_none())
            {
                table.trailer = cells[i..]
                    .iter()
                    .flat_map(|c| c.text.lines().map(str::to_string).collect::<Vec<_>>())
                    .collect();
                break;
            }
            let hint = expected.map_or(String::new(), |n| format!("第 {n} 项的"));
            return Err(ImportError::at(
                Location::Line(first.line),
                format!(
                    "此处应为{hint}序号，实为“{}”。表格按{shape}排列，表头有 {width} 列（{}），上一行可能缺少或多出单元格。请补齐后重新导入。",
                    preview(&first.text),
                    header.join("、")
                ),
            ));
        }
        if cells.len() - i < width {
            return Err(ImportError::at(
                Location::Line(first.line),
                format!(
                    "最后一行只有 {} 个单元格，表头有 {width} 列（{}）。请补齐缺少的单元格后重新导入。",
                    cells.len() - i,
                    header.join("、")
                ),
            ));
        }
        if let Some(n) = number.filter(|_| !is_repeat_header && i != start) {
            expected = Some(n + 1);
        }
        table.rows.push(SourceRow {
            location: Location::Line(first.line),
            cells: cells[i..i + width]
                .iter()
                .map(|c| parse_inline(&c.text, inline))
                .collect::<Vec<RichText>>(),
        });
        i += width;
    }
    Ok(table)
}

/// `12`, `12.`, `12、` → 12.
pub fn parse_row_number(text: &str) -> Option<u32> {
    let t = text.trim().trim_end_matches(['.', '、', '．']);
    (!t.is_empty() && t.chars().all(|c| c.is_ascii_digit()))
        .then(|| t.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(table: &SourceTable) -> Vec<Vec<String>> {
        table.rows.iter().map(SourceRow::texts).collect()
    }

    #[test]
    fn tsv_with_header_block_and_repeated_header() {
        let t = read_tsv("# 某某文件\n\n序号\t任务内容\t牵头单位\n1\t甲\t区发改局\n\n序号\t任务内容\t牵头单位\n2\t<p><b>乙</b></p>\t区财政局\n抄送：区委办。\n").unwrap();
        assert_eq!(t.preamble, ["# 某某文件", ""]);
        assert_eq!(t.rows.len(), 4);
        assert_eq!(t.rows[3].location, Location::Line(7));
        assert!(t.rows[3].cells[1].has_bold());
        assert_eq!(t.trailer, ["抄送：区委办。"]);
    }

    #[test]
    fn stray_text_inside_a_table_is_an_error() {
        let err = read_tsv("序号\t任务内容\n1\t甲\n多出来的一行\n2\t乙\n").unwrap_err();
        assert!(err.to_string().contains("第 3 行"), "{err}");
    }

    #[test]
    fn markdown_rows_and_escapes() {
        let t = read_markdown("标题\n\n| 序号 | 工作任务 | 责任单位 |\n|---|:--:|---|\n| 1 | a \\| b | 区发改局 |\n| 2 | **甲：**乙 | 区财政局 |\n").unwrap();
        assert_eq!(t.preamble, ["标题", ""]);
        assert_eq!(texts(&t)[1], ["1", "a | b", "区发改局"]);
        assert!(t.rows[2].cells[1].has_bold());
    }

    #[test]
    fn pipe_terminated_cells_span_lines() {
        let t = read_pipe_cells("附件\n序号|\n重点工作|\n牵头单位|\n1|\n第一段\n第二段|\n区发改局|\n2|\n乙|\n区财政局|\n").unwrap();
        assert_eq!(t.preamble, ["附件"]);
        assert_eq!(
            texts(&t),
            [
                vec!["序号", "重点工作", "牵头单位"],
                vec!["1", "第一段\n第二段", "区发改局"],
                vec!["2", "乙", "区财政局"]
            ]
        );
        assert_eq!(t.rows[1].location, Location::Line(5));
    }

    #[test]
    fn flattened_lines_and_paragraphs() {
        let lines =
            read_flattened("序号\n主要任务\n责任单位\n1\n甲\n区发改局\n2\n乙\n区财政局\n").unwrap();
        assert_eq!(texts(&lines)[2], ["2", "乙", "区财政局"]);
        let paras = read_flattened(
            "序号\n\n主要任务\n\n责任单位\n\n1\n\n甲的第一行\n甲的第二行\n\n区发改局\n",
        )
        .unwrap();
        assert_eq!(
            texts(&paras)[1],
            ["1", "甲的第一行\n甲的第二行", "区发改局"]
        );
    }

    #[test]
    fn flattened_missing_cell_is_caught_at_its_row() {
        let err =
            read_flattened("序号\n主要任务\n责任单位\n1\n甲\n2\n乙\n区财政局\n3\n丙\n区住建局\n")
                .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("第 6 行") && msg.contains("“2”应为第 2 项的序号"),
            "{msg}"
        );
        let err =
            read_flattened("序号\n主要任务\n责任单位\n1\n甲\n区发改局\n2\n乙\n3\n丙\n区住建局\n")
                .unwrap_err();
        assert!(err.to_string().contains("第 9 行"), "{err}");
    }

    #[test]
    fn flattened_trailing_prose_is_trailer() {
        let t =
            read_flattened("序号\n主要任务\n责任单位\n1\n甲\n区发改局\n抄送：区委办\n").unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.trailer, ["抄送：区委办"]);
    }
}
