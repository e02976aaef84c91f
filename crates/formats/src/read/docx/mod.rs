//! DOCX: the body of the main document part (`word/document.xml`), read with a
//! streaming XML reader.
//!
//! Body paragraphs before the first table are the preamble, body paragraphs after it
//! (between tables too) the trailer. Every row of every top-level table is a
//! `SourceRow`; a cell keeps its paragraphs and bold runs. A table nested inside a
//! cell is flattened into extra paragraphs of that cell, so nothing is lost. A cell
//! merged down several rows (`w:vMerge`) is filled into each of them and noted, except
//! over 序号; cells merged across columns are refused: their content cannot be aligned
//! with the header. Word's automatic numbering (`numbering`) is written out as the
//! labels Word shows.

mod numbering;

use std::io::{Cursor, Read};

use duban_domain::{RichText, Run};
use quick_xml::NsReader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};

use crate::ImportError;
use crate::columns::{Column, looks_like_header, recognise};
use crate::error::zip_problem;
use crate::source::{ImportNote, Location, SourceRow, SourceTable};
use numbering::{Numbering, ParaNumbering};

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
        .map_err(|e| ImportError::corrupt(FORMAT, zip_problem(&e)))?;
    let main_part = main_part_name(&mut archive);
    let xml = read_part(&mut archive, &main_part)?;
    let folder = main_part.rsplit_once('/').map_or("", |(dir, _)| dir);
    let sibling = |name: &str| {
        if folder.is_empty() {
            name.to_string()
        } else {
            format!("{folder}/{name}")
        }
    };
    // Numbering and styles are optional parts; a damaged one only loses labels.
    let numbering_xml = read_part(&mut archive, &sibling("numbering.xml")).ok();
    let styles_xml = read_part(&mut archive, &sibling("styles.xml")).ok();
    let mut parser = Parser {
        numbering: Numbering::parse(numbering_xml.as_deref(), styles_xml.as_deref()),
        ..Parser::default()
    };
    parser.run(&xml)?;
    let mut notes = parser.merge_notes();
    if let Some((location, count)) = parser.labelled.take() {
        notes.push(ImportNote {
            location,
            message: format!(
                "文档用 Word 自动编号排出了 {count} 处编号，已按 Word 显示的样子（如 ①、一、、（一）、1.）写入文字。"
            ),
        });
    }
    Ok(SourceTable {
        preamble: parser.preamble,
        rows: parser.rows,
        trailer: parser.trailer,
        notes,
        fields: Vec::new(),
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
        other => ImportError::corrupt(FORMAT, format!("无法解压 {name}：{}", zip_problem(&other))),
    })?;
    let mut out = Vec::new();
    file.take(MAX_PART_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|_| ImportError::corrupt(FORMAT, format!("无法解压 {name}：内容不完整")))?;
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
    /// A paragraph's properties (its numbering).
    PPr,
    NumPr,
    R,
    RPr,
    T,
    /// Anything else: kept only so that parents can be checked.
    Other,
}

/// A paragraph being read: its lines (a `w:br` starts a new one), each a list of runs.
struct Para {
    lines: Vec<Vec<Run>>,
    numbering: ParaNumbering,
}

impl Para {
    fn new() -> Self {
        Para {
            lines: vec![Vec::new()],
            numbering: ParaNumbering::default(),
        }
    }
}

/// A cell merged down several rows of a top-level table.
struct Merge {
    table: usize,
    column: usize,
    column_name: String,
    /// First and last 1-based row it spans.
    top: usize,
    bottom: usize,
    value: RichText,
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
    numbering: Numbering,
    /// Where the first numbering label was written, and how many were.
    labelled: Option<(Location, usize)>,
    /// The open cell's `w:vMerge`: `Some(true)` starts a merge, `Some(false)` continues one.
    vmerge: Option<bool>,
    /// The header row of the table being read (or of the last one that had one).
    header: Vec<String>,
    merges: Vec<Merge>,
    /// Merges still open, by column: index into `merges`.
    open_merges: Vec<(usize, usize)>,
}

impl Parser {
    fn run(&mut self, xml: &[u8]) -> Result<(), ImportError> {
        let mut reader = NsReader::from_reader(xml);
        let mut buf = Vec::new();
        loop {
            let read = reader.read_resolved_event_into(&mut buf);
            let Ok((ns, event)) = read else {
                return Err(ImportError::corrupt(
                    FORMAT,
                    format!(
                        "正文（word/document.xml）在第 {} 字节附近格式错误",
                        reader.error_position()
                    ),
                ));
            };
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
                            self.close(kind)?;
                        }
                    }
                }
                Event::End(_) => {
                    if let Some(kind) = self.stack.pop() {
                        self.close(kind)?;
                    }
                }
                Event::Text(t) if self.in_text() => {
                    let text = t.decode().map_err(|e| {
                        ImportError::corrupt(FORMAT, format!("正文文字编码错误（{e}）"))
                    })?;
                    self.push_text(&text);
                }
                Event::CData(t) if self.in_text() => {
                    let text = t.decode().map_err(|e| {
                        ImportError::corrupt(FORMAT, format!("正文文字编码错误（{e}）"))
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
            b"pPr" if self.stack.last() == Some(&Kind::P) => Kind::PPr,
            b"numPr" if self.stack.last() == Some(&Kind::PPr) => Kind::NumPr,
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
                    self.open_merges.clear();
                }
            }
            Kind::Tr => {
                self.row_number += 1;
                self.row = Some(Vec::new());
            }
            Kind::Tc => {
                self.cell = Some(RichText::default());
                self.vmerge = None;
            }
            Kind::P => self.paras.push(Para::new()),
            Kind::R => self.runs.push(false),
            Kind::TrPr
            | Kind::TcPr
            | Kind::RPr
            | Kind::T
            | Kind::PPr
            | Kind::NumPr
            | Kind::Other => {}
        }
    }

    fn close(&mut self, kind: Kind) -> Result<(), ImportError> {
        match kind {
            Kind::Tbl => self.table_depth = self.table_depth.saturating_sub(1),
            Kind::Tr => {
                if let Some(cells) = self.row.take() {
                    let row = SourceRow {
                        location: self.location(),
                        cells,
                    };
                    if looks_like_header(&row.texts()) {
                        self.header = row.texts();
                        self.open_merges.clear();
                    }
                    self.rows.push(row);
                }
            }
            Kind::Tc => {
                if let Some(mut cell) = self.cell.take() {
                    self.merge(&mut cell)?;
                    if let Some(row) = self.row.as_mut() {
                        row.push(cell);
                    }
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
            Kind::TrPr
            | Kind::TcPr
            | Kind::RPr
            | Kind::T
            | Kind::PPr
            | Kind::NumPr
            | Kind::Other => {}
        }
        Ok(())
    }

    /// A closing cell's part in a vertical merge: a continuing cell takes the
    /// merge's content (Word leaves it empty), unless the merge is over 序号.
    fn merge(&mut self, cell: &mut RichText) -> Result<(), ImportError> {
        let column = self.cell_column() - 1;
        let open = self.open_merges.iter().position(|(c, _)| *c == column);
        match self.vmerge {
            Some(false) => {
                let index = match open {
                    Some(i) => self.open_merges[i].1,
                    None => {
                        // A continuation with no start: the row above holds the content.
                        let above = self
                            .rows
                            .last()
                            .filter(|_| self.row_number > 1)
                            .and_then(|r| r.cells.get(column))
                            .cloned()
                            .unwrap_or_default();
                        self.start_merge(column, self.row_number - 1, above)
                    }
                };
                let merge = &mut self.merges[index];
                merge.bottom = self.row_number;
                if recognise(&merge.column_name) == Some(Column::Number) {
                    return Err(ImportError::at(
                        Location::TableRow {
                            table: merge.table,
                            row: merge.top,
                        },
                        format!(
                            "第 {}—{} 行的“{}”单元格纵向合并为一格，无法分清这几行各是哪一项任务。请取消合并，为每一行填写序号后重新导入。",
                            merge.top, merge.bottom, merge.column_name
                        ),
                    ));
                }
                *cell = merge.value.clone();
            }
            Some(true) => {
                if let Some(i) = open {
                    self.open_merges.remove(i);
                }
                self.start_merge(column, self.row_number, cell.clone());
            }
            None => {
                if let Some(i) = open {
                    self.open_merges.remove(i);
                }
            }
        }
        Ok(())
    }

    fn start_merge(&mut self, column: usize, top: usize, value: RichText) -> usize {
        let column_name = self
            .header
            .get(column)
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| format!("第{}列", column + 1));
        self.merges.push(Merge {
            table: self.tables_seen,
            column,
            column_name,
            top,
            bottom: top,
            value,
        });
        let index = self.merges.len() - 1;
        self.open_merges.retain(|(c, _)| *c != column);
        self.open_merges.push((column, index));
        index
    }

    /// One note per merged cell that spans more than one row.
    fn merge_notes(&self) -> Vec<ImportNote> {
        self.merges
            .iter()
            .filter(|m| m.bottom > m.top)
            .map(|m| {
                let text = m.value.plain_text();
                let text = text.trim();
                let mut preview: String = text.chars().take(20).collect();
                if text.chars().count() > 20 {
                    preview.push('…');
                }
                ImportNote {
                    location: Location::TableRow {
                        table: m.table,
                        row: m.top,
                    },
                    message: format!(
                        "“{}”列（第 {} 列）第 {}—{} 行是一个纵向合并的单元格（“{preview}”），已填入其中每一行。",
                        m.column_name,
                        m.column + 1,
                        m.top,
                        m.bottom
                    ),
                }
            })
            .collect()
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
            (b"vMerge", Some(Kind::TcPr)) => self.vmerge = Some(restarts(e)),
            (b"pStyle", Some(Kind::PPr)) => {
                if let Some(para) = self.paras.last_mut() {
                    para.numbering.style = attribute(e, b"val");
                }
            }
            (b"numId", Some(Kind::NumPr)) => {
                if let Some(para) = self.paras.last_mut() {
                    para.numbering.num_id = attribute(e, b"val");
                }
            }
            (b"ilvl", Some(Kind::NumPr)) => {
                if let Some(para) = self.paras.last_mut() {
                    para.numbering.level =
                        attribute(e, b"val").and_then(|v| v.trim().parse::<usize>().ok());
                }
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

    /// A finished paragraph goes to the open cell, or to the preamble or trailer,
    /// with the label Word's numbering shows in front of it.
    fn emit(&mut self, mut para: Para) {
        if para.numbering != ParaNumbering::default()
            && let Some(label) = self.numbering.label(&para.numbering)
        {
            if let Some(first) = para.lines.first_mut() {
                first.insert(
                    0,
                    Run {
                        text: label,
                        bold: false,
                    },
                );
            }
            let location = if self.table_depth > 0 {
                self.location()
            } else {
                Location::Paragraph(self.preamble.len() + self.trailer.len() + 1)
            };
            match self.labelled.as_mut() {
                Some((_, count)) => *count += 1,
                None => self.labelled = Some((location, 1)),
            }
        }
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
            b"tblPr"
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
        ImportError::corrupt(FORMAT, format!("正文中的字符引用“{e}”无法识别"))
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
mod tests;
