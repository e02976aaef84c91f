//! HTML: the status table of a saved web page or an HTML export of the notice.
//!
//! The table used is the first one with a header row (or the first table), plus every
//! later table with as many columns: Word splits a table at page breaks. Text blocks
//! before it are the preamble, those after it the trailer. Merged cells are refused.

use duban_domain::RichText;
use scraper::{ElementRef, Html, Node};

use crate::ImportError;
use crate::columns::looks_like_header;
use crate::inline::{self, parse_inline};
use crate::source::{Location, SourceRow, SourceTable};

const NO_TABLE: &str = "HTML 文件中没有表格（<table>）。请确认导入的是含落实情况表的页面。";
const MERGED_ADVICE: &str =
    "无法与表头逐列对齐。请取消合并、在每个单元格中填写完整内容后重新导入。";

/// Elements whose start and end separate lines of text.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "html",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Elements whose text is never part of the notice.
const HIDDEN: &[&str] = &["head", "title", "script", "style", "noscript", "template"];

struct TableInfo<'a> {
    element: ElementRef<'a>,
    rows: Vec<ElementRef<'a>>,
    /// Columns of the widest row, spans counted.
    width: usize,
}

pub fn read_html(text: &str) -> Result<SourceTable, ImportError> {
    let document = Html::parse_document(text);
    let tables: Vec<TableInfo<'_>> = document
        .root_element()
        .descendent_elements()
        .filter(|e| e.value().name() == "table")
        .map(|element| {
            let rows = table_rows(element);
            let width = rows
                .iter()
                .map(|row| row_cells(*row).iter().map(|c| span(*c, "colspan")).sum())
                .max()
                .unwrap_or(0);
            TableInfo {
                element,
                rows,
                width,
            }
        })
        .collect();
    if tables.is_empty() {
        return Err(ImportError::Table(NO_TABLE.to_string()));
    }

    let chosen = tables
        .iter()
        .position(|t| {
            t.rows
                .iter()
                .any(|row| looks_like_header(&cell_texts(*row)))
        })
        .unwrap_or(0);
    let mut used: Vec<usize> = vec![chosen];
    for (index, table) in tables.iter().enumerate().skip(chosen + 1) {
        let width = tables.get(chosen).map_or(0, |t| t.width);
        let nested = table.element.ancestors().any(|a| {
            used.iter()
                .any(|&u| tables.get(u).is_some_and(|t| *t.element == a))
        });
        if table.width == width && !nested {
            used.push(index);
        }
    }

    let mut rows = Vec::new();
    for &index in &used {
        let Some(table) = tables.get(index) else {
            continue;
        };
        for (row_index, row) in table.rows.iter().enumerate() {
            let location = Location::TableRow {
                table: index + 1,
                row: row_index + 1,
            };
            let mut cells: Vec<RichText> = Vec::new();
            for (cell_index, cell) in row_cells(*row).into_iter().enumerate() {
                let colspan = span(cell, "colspan");
                let rowspan = span(cell, "rowspan");
                let column = cell_index + 1;
                if colspan > 1 {
                    return Err(ImportError::at(
                        location,
                        format!(
                            "该行第 {column} 个单元格横向合并了 {colspan} 列（colspan），{MERGED_ADVICE}"
                        ),
                    ));
                }
                if rowspan != 1 {
                    let what = if rowspan == 0 {
                        "纵向合并至表格末尾".to_string()
                    } else {
                        format!("纵向合并了 {rowspan} 行")
                    };
                    return Err(ImportError::at(
                        location,
                        format!("该行第 {column} 个单元格{what}（rowspan），{MERGED_ADVICE}"),
                    ));
                }
                cells.push(parse_inline(&cell.inner_html(), inline::HTML));
            }
            rows.push(SourceRow { location, cells });
        }
    }

    let used_tables: Vec<ElementRef<'_>> = used
        .iter()
        .filter_map(|&u| tables.get(u).map(|t| t.element))
        .collect();
    let (preamble, trailer) = text_blocks(&document, &used_tables);
    Ok(SourceTable {
        preamble,
        rows,
        trailer,
        notes: Vec::new(),
        fields: Vec::new(),
    })
}

/// The table's own rows (not those of tables nested in its cells), in order.
fn table_rows(table: ElementRef<'_>) -> Vec<ElementRef<'_>> {
    let mut rows = Vec::new();
    for child in table.child_elements() {
        match child.value().name() {
            "tr" => rows.push(child),
            "thead" | "tbody" | "tfoot" => {
                rows.extend(child.child_elements().filter(|e| e.value().name() == "tr"));
            }
            _ => {}
        }
    }
    rows
}

fn row_cells(row: ElementRef<'_>) -> Vec<ElementRef<'_>> {
    row.child_elements()
        .filter(|e| matches!(e.value().name(), "td" | "th"))
        .collect()
}

fn cell_texts(row: ElementRef<'_>) -> Vec<String> {
    row_cells(row)
        .into_iter()
        .map(|c| c.text().collect::<String>())
        .collect()
}

/// A `colspan`/`rowspan` value as browsers read it: leading digits, 1 when absent or
/// unreadable. `rowspan="0"` (to the end of the section) stays 0; `colspan="0"` is 1.
fn span(cell: ElementRef<'_>, attribute: &str) -> usize {
    let Some(value) = cell.value().attr(attribute) else {
        return 1;
    };
    let digits: String = value
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    match digits.parse::<usize>() {
        Ok(0) if attribute == "rowspan" => 0,
        Ok(0) | Err(_) => 1,
        Ok(n) => n,
    }
}

/// Lines of text outside the used tables, split at block boundaries and `<br>`,
/// whitespace collapsed: those before the first used table, and all others.
fn text_blocks(document: &Html, used: &[ElementRef<'_>]) -> (Vec<String>, Vec<String>) {
    let mut preamble = Vec::new();
    let mut trailer = Vec::new();
    let mut seen_table = false;
    let mut line = String::new();
    let mut flush = |line: &mut String, seen_table: bool| {
        let text = line.split_whitespace().collect::<Vec<_>>().join(" ");
        line.clear();
        if !text.is_empty() {
            if seen_table {
                trailer.push(text);
            } else {
                preamble.push(text);
            }
        }
    };

    // Depth-first walk with an explicit stack: (node, is its closing visit).
    let mut stack = vec![(*document.root_element(), false)];
    while let Some((node, closing)) = stack.pop() {
        match node.value() {
            Node::Text(text) => line.push_str(text),
            Node::Element(element) => {
                let name = element.name();
                if closing {
                    if BLOCKS.contains(&name) {
                        flush(&mut line, seen_table);
                    }
                    continue;
                }
                if let Some(e) = ElementRef::wrap(node)
                    && used.contains(&e)
                {
                    flush(&mut line, seen_table);
                    seen_table = true;
                    continue;
                }
                if HIDDEN.contains(&name) {
                    continue;
                }
                if BLOCKS.contains(&name) {
                    flush(&mut line, seen_table);
                }
                stack.push((node, true));
                stack.extend(node.children().rev().map(|child| (child, false)));
            }
            _ => {
                if !closing {
                    stack.extend(node.children().rev().map(|child| (child, false)));
                }
            }
        }
    }
    flush(&mut line, seen_table);
    (preamble, trailer)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html>
<html><head><title>落实情况通报</title><style>p { margin: 0 }</style></head>
<body>
<h1>泉州市鲤城区人民政府办公室文件</h1>
<p>泉鲤政办〔2020〕48号</p>
<div class="meta"><span>发布日期：</span>
  2020-10-15</div>
<table>
<tr><th>序号</th><th>具体目标任务</th><th>牵头责任单位</th><th>落实情况</th></tr>
<tr><td>1</td><td>抓紧下达指标。</td><td>区发改局</td>
<td><p><b>区发改局：</b>已逐月分解下达。</p><p>二是跟踪服务。</p></td></tr>
</table>
<p>— 3 —</p>
<table>
<tbody>
<tr><td>序号</td><td>具体目标任务</td><td>牵头责任单位</td><td>落实情况</td></tr>
<tr><td>2</td><td>强化收入调度 &amp; 考核。</td><td>区财政局</td><td>完成 67.9%。</td></tr>
<tr><td>3</td><td>优化营商环境。</td><td>区招商办<br>区商务局</td><td>推进中。</td></tr>
</tbody>
</table>
<table><tr><td>抄送：区委办。</td><td>2020年10月15日印发</td></tr></table>
<p>（此件主动公开）</p>
</body></html>"#;

    #[test]
    fn html_page_preamble_rows_and_trailer() {
        let table = read_html(PAGE).expect("read page");
        assert_eq!(
            table.preamble,
            vec![
                "泉州市鲤城区人民政府办公室文件",
                "泉鲤政办〔2020〕48号",
                "发布日期： 2020-10-15"
            ]
        );
        assert_eq!(
            table.trailer,
            vec![
                "— 3 —",
                "抄送：区委办。",
                "2020年10月15日印发",
                "（此件主动公开）"
            ]
        );
        let locations: Vec<Location> = table.rows.iter().map(|r| r.location.clone()).collect();
        assert_eq!(
            locations,
            vec![
                Location::TableRow { table: 1, row: 1 },
                Location::TableRow { table: 1, row: 2 },
                Location::TableRow { table: 2, row: 1 },
                Location::TableRow { table: 2, row: 2 },
                Location::TableRow { table: 2, row: 3 },
            ]
        );
        assert_eq!(
            table.rows[0].texts(),
            vec!["序号", "具体目标任务", "牵头责任单位", "落实情况"]
        );
        assert_eq!(
            table.rows[3].texts(),
            vec!["2", "强化收入调度 & 考核。", "区财政局", "完成 67.9%。"]
        );
        assert_eq!(table.rows[4].cells[2].plain_text(), "区招商办\n区商务局");
    }

    #[test]
    fn html_cell_keeps_paragraphs_and_bold() {
        let table = read_html(PAGE).expect("read page");
        let progress = &table.rows[1].cells[3];
        assert_eq!(progress.paragraphs.len(), 2);
        assert_eq!(
            progress.plain_text(),
            "区发改局：已逐月分解下达。\n二是跟踪服务。"
        );
        assert_eq!(progress.bold_runs().collect::<Vec<_>>(), vec!["区发改局："]);
    }

    #[test]
    fn html_header_table_found_after_layout_table() {
        let page = r#"<table><tr><td>导航</td></tr></table>
<p>附件</p>
<table><tr><td>序号</td><td>落实情况</td></tr><tr><td>1</td><td>已完成。</td></tr></table>"#;
        let table = read_html(page).expect("read page");
        assert_eq!(table.preamble, vec!["导航", "附件"]);
        assert_eq!(table.rows.len(), 2);
        assert_eq!(
            table.rows[0].location,
            Location::TableRow { table: 2, row: 1 }
        );
        assert_eq!(table.rows[1].texts(), vec!["1", "已完成。"]);
        assert!(table.trailer.is_empty());
    }

    #[test]
    fn html_colspan_is_refused() {
        let page = r#"<table><tr><th>序号</th><th>具体目标任务</th><th>落实情况</th></tr>
<tr><td>1</td><td colspan="2">区发改局：已完成。</td></tr></table>"#;
        match read_html(page) {
            Err(ImportError::At { location, message }) => {
                assert_eq!(location, Location::TableRow { table: 1, row: 2 });
                assert_eq!(
                    message,
                    format!("该行第 2 个单元格横向合并了 2 列（colspan），{MERGED_ADVICE}")
                );
            }
            other => panic!("expected merged-cell error, got {other:?}"),
        }
    }

    #[test]
    fn html_rowspan_is_refused() {
        let page = r#"<table><tr><th>序号</th><th>牵头责任单位</th></tr>
<tr><td>1</td><td rowspan="2">区发改局</td></tr><tr><td>2</td></tr></table>"#;
        let err = read_html(page).expect_err("rowspan must be refused");
        assert_eq!(
            err.to_string(),
            format!(
                "第 1 个表格第 2 行：该行第 2 个单元格纵向合并了 2 行（rowspan），{MERGED_ADVICE}"
            )
        );
    }

    #[test]
    fn html_without_table_is_refused() {
        let err = read_html("<html><body><h1>通知</h1><p>正文。</p></body></html>")
            .expect_err("no table");
        assert!(
            matches!(&err, ImportError::Table(m) if m == NO_TABLE),
            "{err:?}"
        );
    }
}
