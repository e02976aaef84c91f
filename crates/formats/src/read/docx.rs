//! DOCX: the body of the main document part (`word/document.xml`), read with a
//! streaming XML reader.
//!
//! Body paragraphs before the first table are the preamble, body paragraphs after it
//! (between tables too) the trailer. Every row of every top-level table is a
//! `SourceRow`; a cell keeps its paragraphs and bold runs. A table nested inside a
//! cell is flattened into extra paragraphs of that cell, so nothing is lost. Merged
//! cells are refused: their content cannot be aligned with the header.

use std::io::{Cursor, Read};

use duban_domain::{RichText, Run};
use quick_xml::NsReader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};

use crate::ImportError;
use crate::source::{Location, SourceRow, SourceTable};

const FORMAT: &str = "DOCX";
const DEFAULT_MAIN_PART: &str = "word/document.xml";
/// Larger parts are refused rather than inflated into memory.
const MAX_PART_BYTES: u64 = 256 * 1024 * 1024;
/// A `w:gridBefore` larger than this is not a real table.
const MAX_GRID_BEFORE: usize = 256;

const W_NS: &[u8] = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const W_STRICT_NS: &[u8] = b"http://purl.oclc.org/ooxml/wordprocessingml/main";
const MC_NS: &[u8] = b"http://schemas.openxmlformats.org/markup-compatibility/2006";
const RELATIONSHIPS_PART: &str = "_rels/.rels";
const OFFICE_DOCUMENT_TYPE: &str = "/officeDocument";

const MERGED_ADVICE: &str =
    "无法与表头逐列对齐。请取消合并、在每个单元格中填写完整内容后重新导入。";

pub fn read_docx(bytes: &[u8]) -> Result<SourceTable, ImportError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ImportError::corrupt(FORMAT, format!("不是有效的 ZIP 压缩包（{e}）")))?;
    let main_part = main_part_name(&mut archive);
    let xml = read_part(&mut archive, &main_part)?;
    let mut parser = Parser::default();
    parser.run(&xml)?;
    Ok(SourceTable {
        preamble: parser.preamble,
        rows: parser.rows,
        trailer: parser.trailer,
    })
}

/// The main document part named by the package relationships, `word/document.xml`
/// when they do not say.
fn main_part_name(archive: &mut zip::ZipArchive<Cursor<&[u8]>>) -> String {
    let Ok(rels) = read_part(archive, RELATIONSHIPS_PART) else {
        return DEFAULT_MAIN_PART.to_string();
    };
    let mut reader = quick_xml::Reader::from_reader(rels.as_slice());
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == b"Relationship" => {
                let kind = attribute(&e, b"Type").unwrap_or_default();
                if kind.ends_with(OFFICE_DOCUMENT_TYPE)
                    && let Some(target) = attribute(&e, b"Target")
                {
                    let target = target.trim_start_matches('/');
                    if !target.is_empty() {
                        return target.to_string();
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
        buf.clear();
    }
    DEFAULT_MAIN_PART.to_string()
}

fn read_part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Vec<u8>, ImportError> {
    let file = archive.by_name(name).map_err(|e| match e {
        zip::result::ZipError::FileNotFound => {
            ImportError::corrupt(FORMAT, format!("缺少 {name}，不是 Word 文档"))
        }
        other => ImportError::corrupt(FORMAT, format!("无法解压 {name}（{other}）")),
    })?;
    let mut out = Vec::new();
    file.take(MAX_PART_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| ImportError::corrupt(FORMAT, format!("无法解压 {name}（{e}）")))?;
    if out.len() as u64 > MAX_PART_BYTES {
        return Err(ImportError::corrupt(FORMAT, format!("{name} 过大")));
    }
    Ok(out)
}

/// The value of the attribute with this local name (prefix ignored), unescaped.
fn attribute(e: &BytesStart<'_>, local: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

/// The WordprocessingML elements the parser tracks on its element stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tbl,
    /// A row of a top-level table.
    Tr,
    TrPr,
    /// A cell of a top-level table.
    Tc,
    TcPr,
    P,
    R,
    RPr,
    T,
    /// Anything else: kept only so that parents can be checked.
    Other,
}

/// A paragraph being read: its lines (a `w:br` starts a new one), each a list of runs.
struct Para {
    lines: Vec<Vec<Run>>,
}

impl Para {
    fn new() -> Self {
        Para {
            lines: vec![Vec::new()],
        }
    }
}

#[derive(Default)]
struct Parser {
    preamble: Vec<String>,
    trailer: Vec<String>,
    rows: Vec<SourceRow>,
    /// Open elements (outside skipped subtrees).
    stack: Vec<Kind>,
    /// Depth inside a subtree that is ignored (revision history, fallbacks).
    skip_depth: usize,
    /// Open `w:tbl` elements; 1 means a top-level table.
    table_depth: usize,
    /// Top-level tables seen so far (the current one's 1-based number).
    tables_seen: usize,
    /// 1-based row within the current top-level table.
    row_number: usize,
    row: Option<Vec<RichText>>,
    cell: Option<RichText>,
    /// Open paragraphs (a text box inside a paragraph nests another).
    paras: Vec<Para>,
    /// Bold state of the open runs, innermost last.
    runs: Vec<bool>,
}

impl Parser {
    fn run(&mut self, xml: &[u8]) -> Result<(), ImportError> {
        let mut reader = NsReader::from_reader(xml);
        let mut buf = Vec::new();
        loop {
            let (ns, event) = reader
                .read_resolved_event_into(&mut buf)
                .map_err(|e| ImportError::corrupt(FORMAT, format!("文档 XML 格式错误（{e}）")))?;
            let ns = match ns {
                ResolveResult::Bound(Namespace(n)) if n == W_NS || n == W_STRICT_NS => Ns::Word,
                ResolveResult::Bound(Namespace(n)) if n == MC_NS => Ns::Compat,
                _ => Ns::Other,
            };
            match event {
                Event::Start(_) if self.skip_depth > 0 => self.skip_depth += 1,
                Event::End(_) if self.skip_depth > 0 => self.skip_depth -= 1,
                Event::Start(e) if skipped(ns, e.local_name().as_ref()) => self.skip_depth = 1,
                Event::Start(e) => {
                    let kind = self.kind(ns, e.local_name().as_ref());
                    if kind == Kind::Other && ns == Ns::Word {
                        self.leaf(e.local_name().as_ref(), &e)?;
                    }
                    self.open(kind);
                    self.stack.push(kind);
                }
                Event::Empty(e)
                    if self.skip_depth == 0 && !skipped(ns, e.local_name().as_ref()) =>
                {
                    match self.kind(ns, e.local_name().as_ref()) {
                        Kind::Other if ns == Ns::Word => self.leaf(e.local_name().as_ref(), &e)?,
                        Kind::Other => {}
                        kind => {
                            self.open(kind);
                            self.close(kind);
                        }
                    }
                }
                Event::End(_) => {
                    if let Some(kind) = self.stack.pop() {
                        self.close(kind);
                    }
                }
                Event::Text(t) if self.in_text() => {
                    let text = t.decode().map_err(|e| {
                        ImportError::corrupt(FORMAT, format!("文档文字编码错误（{e}）"))
                    })?;
                    self.push_text(&text);
                }
                Event::CData(t) if self.in_text() => {
                    let text = t.decode().map_err(|e| {
                        ImportError::corrupt(FORMAT, format!("文档文字编码错误（{e}）"))
                    })?;
                    self.push_text(&text);
                }
                Event::GeneralRef(r) if self.in_text() => {
                    let text = entity_text(&r)?;
                    self.push_text(&text);
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        Ok(())
    }

    fn in_text(&self) -> bool {
        self.skip_depth == 0 && self.stack.last() == Some(&Kind::T)
    }

    fn kind(&self, ns: Ns, name: &[u8]) -> Kind {
        if ns != Ns::Word {
            return Kind::Other;
        }
        let top_level = self.table_depth == 1;
        match name {
            b"tbl" => Kind::Tbl,
            b"tr" if top_level => Kind::Tr,
            b"trPr" if top_level && self.stack.last() == Some(&Kind::Tr) => Kind::TrPr,
            b"tc" if top_level => Kind::Tc,
            b"tcPr" if top_level && self.stack.last() == Some(&Kind::Tc) => Kind::TcPr,
            b"p" => Kind::P,
            b"r" => Kind::R,
            b"rPr" if self.stack.last() == Some(&Kind::R) => Kind::RPr,
            b"t" if self.stack.last() == Some(&Kind::R) => Kind::T,
            _ => Kind::Other,
        }
    }

    fn open(&mut self, kind: Kind) {
        match kind {
            Kind::Tbl => {
                self.table_depth += 1;
                if self.table_depth == 1 {
                    self.tables_seen += 1;
                    self.row_number = 0;
                }
            }
            Kind::Tr => {
                self.row_number += 1;
                self.row = Some(Vec::new());
            }
            Kind::Tc => self.cell = Some(RichText::default()),
            Kind::P => self.paras.push(Para::new()),
            Kind::R => self.runs.push(false),
            Kind::TrPr | Kind::TcPr | Kind::RPr | Kind::T | Kind::Other => {}
        }
    }

    fn close(&mut self, kind: Kind) {
        match kind {
            Kind::Tbl => self.table_depth = self.table_depth.saturating_sub(1),
            Kind::Tr => {
                if let Some(cells) = self.row.take() {
                    self.rows.push(SourceRow {
                        location: self.location(),
                        cells,
                    });
                }
            }
            Kind::Tc => {
                if let (Some(cell), Some(row)) = (self.cell.take(), self.row.as_mut()) {
                    row.push(cell);
                }
            }
            Kind::P => {
                if let Some(para) = self.paras.pop() {
                    self.emit(para);
                }
            }
            Kind::R => {
                self.runs.pop();
            }
            Kind::TrPr | Kind::TcPr | Kind::RPr | Kind::T | Kind::Other => {}
        }
    }

    /// An element that carries no structure of its own: run content, properties.
    fn leaf(&mut self, name: &[u8], e: &BytesStart<'_>) -> Result<(), ImportError> {
        let parent = self.stack.last().copied();
        match (name, parent) {
            (b"b", Some(Kind::RPr)) => {
                let bold = on_off(attribute(e, b"val").as_deref());
                if let Some(run) = self.runs.last_mut() {
                    *run = bold;
                }
            }
            (b"tab" | b"ptab", Some(Kind::R)) => self.push_text("\t"),
            (b"br" | b"cr", Some(Kind::R)) => {
                if let Some(para) = self.paras.last_mut() {
                    para.lines.push(Vec::new());
                }
            }
            (b"noBreakHyphen", Some(Kind::R)) => self.push_text("-"),
            (b"sym", Some(Kind::R)) => {
                let font = attribute(e, b"font");
                if let Some(c) =
                    attribute(e, b"char").and_then(|code| symbol(font.as_deref(), &code))
                {
                    self.push_text(c.encode_utf8(&mut [0; 4]));
                }
            }
            (b"gridSpan", Some(Kind::TcPr)) => {
                let span = attribute(e, b"val")
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(1);
                if span > 1 {
                    let column = self.cell_column();
                    return Err(ImportError::at(
                        self.location(),
                        format!("该行第 {column} 个单元格横向合并了 {span} 列，{MERGED_ADVICE}"),
                    ));
                }
            }
            (b"hMerge", Some(Kind::TcPr)) if !restarts(e) => {
                let column = self.cell_column();
                return Err(ImportError::at(
                    self.location(),
                    format!("该行第 {column} 个单元格与左侧单元格横向合并，{MERGED_ADVICE}"),
                ));
            }
            (b"vMerge", Some(Kind::TcPr)) if !restarts(e) => {
                let column = self.cell_column();
                return Err(ImportError::at(
                    self.location(),
                    format!("该行第 {column} 个单元格与上一行纵向合并，{MERGED_ADVICE}"),
                ));
            }
            (b"gridBefore", Some(Kind::TrPr)) => {
                // Grid columns skipped before the first cell: keep the cells aligned.
                let skipped = attribute(e, b"val")
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0)
                    .min(MAX_GRID_BEFORE);
                if let Some(row) = self.row.as_mut()
                    && row.is_empty()
                {
                    row.resize(skipped, RichText::default());
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn location(&self) -> Location {
        Location::TableRow {
            table: self.tables_seen,
            row: self.row_number,
        }
    }

    /// 1-based position of the cell being read within its row.
    fn cell_column(&self) -> usize {
        self.row.as_ref().map_or(0, Vec::len) + 1
    }

    fn push_text(&mut self, text: &str) {
        let bold = self.runs.last().copied().unwrap_or(false);
        if let Some(line) = self.paras.last_mut().and_then(|p| p.lines.last_mut()) {
            line.push(Run {
                text: text.to_string(),
                bold,
            });
        }
    }

    /// A finished paragraph goes to the open cell, or to the preamble or trailer.
    fn emit(&mut self, para: Para) {
        if self.table_depth > 0 {
            if let Some(cell) = self.cell.as_mut() {
                for line in para.lines {
                    cell.push_paragraph(line);
                }
            }
            return;
        }
        let text = para
            .lines
            .iter()
            .map(|line| line.iter().map(|r| r.text.as_str()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n");
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        if self.tables_seen == 0 {
            self.preamble.push(text.to_string());
        } else {
            self.trailer.push(text.to_string());
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    Word,
    Compat,
    Other,
}

/// Subtrees whose content is not the document's current text: revision history,
/// paragraph/table properties, deleted text, field instructions, ruby (phonetic)
/// annotations, and the fallback copy of alternate content.
fn skipped(ns: Ns, name: &[u8]) -> bool {
    match ns {
        Ns::Word => matches!(
            name,
            b"pPr"
                | b"tblPr"
                | b"tblGrid"
                | b"sectPr"
                | b"rPrChange"
                | b"pPrChange"
                | b"tcPrChange"
                | b"trPrChange"
                | b"tblPrChange"
                | b"del"
                | b"delText"
                | b"moveFrom"
                | b"instrText"
                | b"delInstrText"
                | b"rt"
        ),
        Ns::Compat => name == b"Fallback",
        Ns::Other => false,
    }
}

/// A merge marker that starts a merged region (`w:val="restart"`) rather than
/// continuing one (no value, or `continue`).
fn restarts(e: &BytesStart<'_>) -> bool {
    attribute(e, b"val").as_deref().map(str::trim) == Some("restart")
}

/// An OOXML on/off value: absent means on.
fn on_off(val: Option<&str>) -> bool {
    !matches!(val.map(str::trim), Some("0" | "false" | "off"))
}

fn entity_text(r: &BytesRef<'_>) -> Result<String, ImportError> {
    let bad = |e: &dyn std::fmt::Display| {
        ImportError::corrupt(FORMAT, format!("文档 XML 格式错误（{e}）"))
    };
    if let Some(c) = r.resolve_char_ref().map_err(|e| bad(&e))? {
        return Ok(c.to_string());
    }
    let name = r.decode().map_err(|e| bad(&e))?;
    Ok(resolve_predefined_entity(&name).map_or_else(|| format!("&{name};"), str::to_string))
}

/// The character a `w:sym` shows. Symbol fonts keep their glyphs at F000–F0FF; the
/// common ones are mapped to their Unicode look-alikes, others kept as they are.
fn symbol(font: Option<&str>, code: &str) -> Option<char> {
    let code = u32::from_str_radix(code.trim(), 16).ok()?;
    if !(0xF000..=0xF0FF).contains(&code) {
        return char::from_u32(code);
    }
    let low = code - 0xF000;
    let font = font.unwrap_or_default().to_ascii_lowercase();
    let mapped = if font.starts_with("wingdings") {
        match low {
            0x6C => Some('●'),
            0x6E => Some('■'),
            0x6F | 0xA8 => Some('□'),
            0x9F => Some('•'),
            0xA1 => Some('○'),
            0xA7 => Some('▪'),
            0xD8 => Some('➢'),
            0xFB => Some('✗'),
            0xFC => Some('✓'),
            0xFD => Some('☒'),
            0xFE => Some('☑'),
            _ => None,
        }
    } else if font == "symbol" {
        match low {
            0x20..=0x2F | 0x30..=0x39 | 0x3A..=0x3F | 0x5B | 0x5D | 0x5F | 0x7B..=0x7D => {
                char::from_u32(low)
            }
            0xA3 => Some('≤'),
            0xB0 => Some('°'),
            0xB1 => Some('±'),
            0xB3 => Some('≥'),
            0xB4 => Some('×'),
            0xB7 => Some('•'),
            0xB8 => Some('÷'),
            0xB9 => Some('≠'),
            0xAE => Some('→'),
            0xD6 => Some('√'),
            _ => None,
        }
    } else {
        None
    };
    mapped.or_else(|| char::from_u32(code))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use docx_rs::{Docx, Paragraph, Run as DocxRun, Table, TableCell, TableRow, VMergeType};

    use super::*;

    fn text_cell(text: &str) -> TableCell {
        TableCell::new().add_paragraph(Paragraph::new().add_run(DocxRun::new().add_text(text)))
    }

    fn header_row() -> TableRow {
        TableRow::new(vec![
            text_cell("序号"),
            text_cell("具体目标任务"),
            text_cell("牵头责任单位"),
            text_cell("落实情况"),
        ])
    }

    fn para(text: &str) -> Paragraph {
        Paragraph::new().add_run(DocxRun::new().add_text(text))
    }

    fn pack(docx: Docx) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        docx.build().pack(&mut out).expect("pack docx fixture");
        out.into_inner()
    }

    /// A package holding only the given `word/document.xml` body content.
    fn raw_docx(body: &str) -> Vec<u8> {
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{body}</w:body></w:document>"#
        );
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .expect("start zip entry");
        zip.write_all(xml.as_bytes()).expect("write zip entry");
        zip.finish().expect("finish zip").into_inner()
    }

    fn notice() -> Vec<u8> {
        let progress = TableCell::new()
            .add_paragraph(
                Paragraph::new()
                    .add_run(DocxRun::new().add_text("区住建局：").bold())
                    .add_run(DocxRun::new().add_text("已完成立项。")),
            )
            .add_paragraph(para("二是加快推进征迁。"));
        let table1 = Table::new(vec![
            header_row(),
            TableRow::new(vec![
                text_cell("1"),
                text_cell("抓紧推进旧城改造。"),
                text_cell("区住建局"),
                progress,
            ]),
        ]);
        let table2 = Table::new(vec![
            header_row(),
            TableRow::new(vec![
                text_cell("2"),
                text_cell("强化财政收入调度。"),
                text_cell("区财政局"),
                text_cell("1-9 月完成年预算 67.9%。"),
            ]),
            TableRow::new(vec![
                text_cell("3"),
                text_cell("优化营商环境。"),
                TableCell::new().add_paragraph(
                    Paragraph::new().add_run(
                        DocxRun::new()
                            .add_text("区发改局")
                            .add_tab()
                            .add_text("区商务局"),
                    ),
                ),
                text_cell("持续推进。"),
            ]),
        ]);
        pack(
            Docx::new()
                .add_paragraph(para("泉州市鲤城区人民政府办公室文件"))
                .add_paragraph(Paragraph::new())
                .add_paragraph(para("泉鲤政办〔2020〕48号"))
                .add_table(table1)
                .add_paragraph(para("— 3 —"))
                .add_table(table2)
                .add_paragraph(para("抄送：区委办。")),
        )
    }

    #[test]
    fn docx_notice_preamble_rows_and_trailer() {
        let table = read_docx(&notice()).expect("read notice");
        assert_eq!(
            table.preamble,
            vec!["泉州市鲤城区人民政府办公室文件", "泉鲤政办〔2020〕48号"]
        );
        assert_eq!(table.trailer, vec!["— 3 —", "抄送：区委办。"]);
        assert_eq!(table.rows.len(), 5);
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
        assert_eq!(table.rows[2].texts(), table.rows[0].texts());
        assert_eq!(
            table.rows[4].texts(),
            vec!["3", "优化营商环境。", "区发改局\t区商务局", "持续推进。"]
        );
    }

    #[test]
    fn docx_cell_keeps_paragraphs_and_bold() {
        let table = read_docx(&notice()).expect("read notice");
        let progress = &table.rows[1].cells[3];
        assert_eq!(progress.paragraphs.len(), 2);
        assert_eq!(
            progress.plain_text(),
            "区住建局：已完成立项。\n二是加快推进征迁。"
        );
        assert_eq!(progress.bold_runs().collect::<Vec<_>>(), vec!["区住建局："]);
        assert_eq!(progress.paragraphs[0].runs.len(), 2);
        assert!(!progress.paragraphs[0].runs[1].bold);
        assert!(!table.rows[1].cells[1].has_bold());
    }

    #[test]
    fn docx_grid_span_is_refused_with_row() {
        let bytes = pack(Docx::new().add_table(Table::new(vec![
            header_row(),
            TableRow::new(vec![
                text_cell("1"),
                text_cell("任务"),
                TableCell::new()
                    .add_paragraph(para("区发改局，已完成。"))
                    .grid_span(2),
            ]),
        ])));
        match read_docx(&bytes) {
            Err(ImportError::At { location, message }) => {
                assert_eq!(location, Location::TableRow { table: 1, row: 2 });
                assert!(
                    message.contains("第 3 个单元格横向合并了 2 列"),
                    "{message}"
                );
                assert!(message.contains("请取消合并"), "{message}");
            }
            other => panic!("expected merged-cell error, got {other:?}"),
        }
    }

    #[test]
    fn docx_vertical_merge_continuation_is_refused() {
        let bytes = pack(Docx::new().add_table(Table::new(vec![
            header_row(),
            TableRow::new(vec![
                text_cell("1"),
                text_cell("任务甲"),
                text_cell("区发改局").vertical_merge(VMergeType::Restart),
                text_cell("已完成。"),
            ]),
            TableRow::new(vec![
                text_cell("2"),
                text_cell("任务乙"),
                TableCell::new()
                    .add_paragraph(Paragraph::new())
                    .vertical_merge(VMergeType::Continue),
                text_cell("推进中。"),
            ]),
        ])));
        let err = read_docx(&bytes).expect_err("merged cells must be refused");
        assert_eq!(
            err.to_string(),
            format!("第 1 个表格第 3 行：该行第 3 个单元格与上一行纵向合并，{MERGED_ADVICE}")
        );
    }

    #[test]
    fn docx_run_details_from_raw_xml() {
        let row = |cells: &[&str]| {
            let cells: String = cells.iter().map(|c| format!("<w:tc>{c}</w:tc>")).collect();
            format!("<w:tr>{cells}</w:tr>")
        };
        let p = |runs: &str| format!("<w:p>{runs}</w:p>");
        let header = row(&[
            &p("<w:r><w:t>序号</w:t></w:r>"),
            &p("<w:r><w:t>落实情况</w:t></w:r>"),
        ]);
        let nested = format!(
            "<w:tbl><w:tr><w:tc>{}</w:tc><w:tc>{}</w:tc></w:tr></w:tbl>",
            p("<w:r><w:t>子项一</w:t></w:r>"),
            p("<w:r><w:t>子项二</w:t></w:r>")
        );
        let progress = format!(
            "{}{}{}",
            p(concat!(
                r#"<w:pPr><w:rPr><w:b/></w:rPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr>"#,
                r#"<w:r><w:rPr><w:b w:val="0"/><w:bCs/></w:rPr><w:t xml:space="preserve">一是 A&amp;B </w:t></w:r>"#,
                r#"<w:r><w:rPr><w:b w:val="true"/></w:rPr><w:t>区财政局：</w:t></w:r>"#,
                r#"<w:r><w:rPr><w:b/><w:rPrChange><w:rPr><w:b w:val="0"/></w:rPr></w:rPrChange></w:rPr><w:t>仍加粗</w:t></w:r>"#,
                r#"<w:r><w:t>1</w:t><w:noBreakHyphen/><w:t>9月</w:t><w:br/><w:t>二是乙</w:t></w:r>"#,
                r#"<w:r><w:sym w:font="Wingdings" w:char="F0FC"/></w:r>"#,
                r#"<w:del><w:r><w:delText>删除的字</w:delText></w:r></w:del>"#,
            )),
            nested,
            p(concat!(
                r#"<mc:AlternateContent><mc:Choice Requires="wps"><w:t>x</w:t></mc:Choice>"#,
                r#"<mc:Fallback><w:r><w:t>备用</w:t></w:r></mc:Fallback></mc:AlternateContent>"#,
                r#"<w:r><w:t>完</w:t></w:r>"#
            ))
        );
        let data = row(&[&p("<w:r><w:t>1</w:t></w:r>"), &progress]);
        let body = format!(
            "{}<w:tbl><w:tblPr/><w:tblGrid/>{header}{data}</w:tbl><w:p><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t></w:r></w:p>",
            p("<w:r><w:t>  标题  </w:t></w:r>")
        );
        let table = read_docx(&raw_docx(&body)).expect("read raw docx");
        assert_eq!(table.preamble, vec!["标题"]);
        assert_eq!(table.trailer, vec!["甲\t乙\n丙"]);
        assert_eq!(table.rows.len(), 2);
        let cell = &table.rows[1].cells[1];
        assert_eq!(
            cell.plain_text(),
            "一是 A&B 区财政局：仍加粗1-9月\n二是乙✓\n子项一\n子项二\n完"
        );
        assert_eq!(
            cell.bold_runs().collect::<Vec<_>>(),
            vec!["区财政局：仍加粗"]
        );
    }

    #[test]
    fn docx_grid_before_pads_row() {
        let body = concat!(
            "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>序号</w:t></w:r></w:p></w:tc>",
            "<w:tc><w:p><w:r><w:t>落实情况</w:t></w:r></w:p></w:tc></w:tr>",
            r#"<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>"#,
            "<w:tc><w:p><w:r><w:t>已完成</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        );
        let table = read_docx(&raw_docx(body)).expect("read raw docx");
        assert_eq!(table.rows[1].texts(), vec!["", "已完成"]);
        assert!(table.preamble.is_empty() && table.trailer.is_empty());
    }

    #[test]
    fn docx_corrupt_inputs() {
        assert!(matches!(
            read_docx(b"not a zip at all"),
            Err(ImportError::Corrupt { format: "DOCX", .. })
        ));
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("readme.txt", zip::write::SimpleFileOptions::default())
            .expect("start zip entry");
        zip.write_all(b"hello").expect("write zip entry");
        let no_document = zip.finish().expect("finish zip").into_inner();
        match read_docx(&no_document) {
            Err(ImportError::Corrupt { format, detail }) => {
                assert_eq!(format, "DOCX");
                assert!(detail.contains("word/document.xml"), "{detail}");
            }
            other => panic!("expected corrupt error, got {other:?}"),
        }
        assert!(matches!(
            read_docx(&raw_docx("<w:p><w:r><w:t>未闭合</w:r></w:p>")),
            Err(ImportError::Corrupt { format: "DOCX", .. })
        ));
    }
}
