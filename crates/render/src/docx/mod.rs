//! The notice as a Word document in the GB/T 9704-2012 layout.
//!
//! WordprocessingML is written here directly, each element in the order the schema
//! (ECMA-376) requires. docx-rs did this until it was measured: building its element
//! tree and serialising it was 60 % of `duban render --format docx`, and its output
//! still needed patching by hand (no `w:tblHeader`, `w:sectPr` and `w:settings`
//! children out of schema order, an empty Normal style). The parts written:
//! the document, three footers (odd and even page numbers, and a blank one for the
//! 版记 page), styles, settings, the font table with the substitutes Word and WPS
//! use when a 公文 font is missing, and the package parts, zipped with fixed
//! timestamps so two renders of one notice are byte-identical.
//!
//! Sections: the notice itself (portrait, 22 × 28 grid, page numbers), the attachment
//! (landscape when the table is wide, same page numbers), and the 版记 page (portrait,
//! no page number) when the notice has 抄送/印发 data.

use std::fmt::Write as _;

use chrono::Datelike;
use duban_domain::{Notice, RichText, SignatureLayout};

use crate::RenderError;
use crate::layout::{
    self, CHAR_PITCH_PT, FontRole, LINE_PITCH_PT, NoticeView, Orientation, RED_RGB, SIZE_2, SIZE_3,
    SIZE_4, SIZE_CHUHAO, TABLE_FONT_PT, TABLE_LINE_PT, mm_to_twips,
};
use crate::markup::escape_into;

/// Body line pitch in twips (28.95 pt → 579).
const LINE: u32 = (LINE_PITCH_PT * 20.0 + 0.5) as u32;
/// One 字 of the body in twips (15.79 pt → 316).
const CHAR: f64 = CHAR_PITCH_PT * 20.0;
/// Character spacing of 3号 runs, twips: −0.25 pt, so that 28 characters of 16 pt fit
/// the 156 mm 版心 (28 × 15.75 = 441 pt ≤ 442.2 pt).
///
/// Word templates get 28 per line from a `linesAndChars` grid with `w:charSpace="-849"`
/// (pitch 15.79 pt). LibreOffice cannot set a character narrower than its grid cell: it
/// gives each 16 pt character two 15.79 pt cells, 14 characters per line (tried). A line
/// grid plus condensed runs gives 22 × 28 in Word, WPS and LibreOffice alike.
const BODY_CHAR_SPACING: i32 = -5;

/// `write!` into a `String`, which cannot fail.
macro_rules! put {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

mod package;
mod xml;

use package::*;
use xml::*;

/// Renders `notice` as DOCX bytes, laid out to be sealed.
pub fn render_docx(notice: &Notice) -> Result<Vec<u8>, RenderError> {
    render_docx_with(notice, SignatureLayout::Sealed)
}

/// Renders `notice` as DOCX bytes with the 署名 and 成文日期 laid out as `layout`.
pub fn render_docx_with(notice: &Notice, layout: SignatureLayout) -> Result<Vec<u8>, RenderError> {
    let view = NoticeView::with_layout(notice, layout);
    let stamp = Stamp::of(notice);
    let footers = [
        footer_xml(Some(page_number(Align::Right))),
        footer_xml(Some(page_number(Align::Left))),
        footer_xml(None),
    ];
    let parts = Parts {
        document: document_xml(&view),
        styles: styles_xml(),
        footers,
        core: core_xml(notice, &stamp),
    };
    package(&parts, &stamp)
}

/// The fixed time written into the package: the notice's 成文日期 at 00:00:00 UTC, or
/// 2000-01-01 when it has none.
struct Stamp {
    year: u16,
    month: u8,
    day: u8,
}

impl Stamp {
    fn of(notice: &Notice) -> Self {
        match notice.document.date {
            Some(d) if (1980..=2107).contains(&d.year()) => Stamp {
                year: d.year() as u16,
                month: d.month() as u8,
                day: d.day() as u8,
            },
            _ => Stamp {
                year: 2000,
                month: 1,
                day: 1,
            },
        }
    }

    fn w3c(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T00:00:00Z",
            self.year, self.month, self.day
        )
    }
}

// ---------------------------------------------------------------------------
// The document part
// ---------------------------------------------------------------------------

enum Block {
    P(Para),
    /// A table, written.
    Table(String),
}

fn document_xml(view: &NoticeView) -> String {
    let mut sections: Vec<(Section, Vec<Block>)> = Vec::new();
    let notice_section = Section {
        orientation: Orientation::Portrait,
        page_numbers: true,
        line_grid: true,
    };
    sections.push((notice_section, notice_blocks(view)));
    if !view.table.rows.is_empty() || view.table_title.is_some() {
        let orientation = view.table.orientation;
        let attachment = Section {
            orientation,
            page_numbers: true,
            line_grid: false,
        };
        sections.push((attachment, attachment_blocks(view)));
    }
    if view.has_imprint() {
        let imprint = Section {
            page_numbers: false,
            ..notice_section
        };
        sections.push((imprint, imprint_blocks(view)));
    }

    let mut out = String::with_capacity(128 * 1024);
    out.push_str(XML_DECLARATION);
    put!(
        out,
        r#"<w:document xmlns:w="{NS_W}" xmlns:r="{NS_R}"><w:body>"#
    );
    let last = sections.len() - 1;
    for (i, (section, mut blocks)) in sections.into_iter().enumerate() {
        if i < last {
            // A section ends with a paragraph carrying its properties; after a table,
            // a one-point paragraph that only ends the section.
            match blocks.last_mut() {
                Some(Block::P(p)) => p.section = Some(section),
                _ => {
                    let mut end = Para::new().off_grid().mark_size(2).exact(20);
                    end.section = Some(section);
                    blocks.push(Block::P(end));
                }
            }
        }
        for block in &blocks {
            match block {
                Block::P(p) => p.write(&mut out),
                Block::Table(t) => out.push_str(t),
            }
        }
        if i == last {
            section.write(&mut out);
        }
    }
    out.push_str("</w:body></w:document>");
    out
}

// ---------------------------------------------------------------------------
// The notice (版头, 主体)
// ---------------------------------------------------------------------------

fn notice_blocks(view: &NoticeView) -> Vec<Block> {
    let mut out = Vec::new();
    let mut gap_lines = 0u32;
    let body = Look::new(FontRole::FangSong, SIZE_3);

    if let Some(mark) = &view.issuer_mark {
        // Red 发文机关标志: top edge 35 mm below the 版心's top, scaled to its width.
        let look = Look {
            red: true,
            stretch: Some((view.issuer_mark_scale * 100.0).floor() as u32),
            ..Look::new(FontRole::XiaoBiaoSong, SIZE_CHUHAO)
        };
        out.push(Block::P(
            Para::new()
                .align(Align::Center)
                .off_grid()
                .exact((SIZE_CHUHAO * 20.0 * 1.2).round() as u32)
                .before(mm_to_twips(layout::ISSUER_MARK_DROP_MM) - 120)
                .text(look, mark),
        ));
        gap_lines = 2; // 发文字号: 发文机关标志下空二行
    }

    // 发文字号 centred, with the red rule 4 mm below it across the 版心.
    let number = view.doc_number.as_deref().unwrap_or_default();
    if view.issuer_mark.is_some() || !number.is_empty() {
        let mut p = Para::new()
            .align(Align::Center)
            .off_grid()
            .body_line()
            .before(LINE * gap_lines)
            .text(body, number);
        if view.issuer_mark.is_some() {
            p = p.rule_below(
                (layout::RED_RULE_PT * 8.0) as u32,
                red_rule_space(),
                RED_RGB,
            );
        }
        out.push(Block::P(p));
        gap_lines = 2; // 标题: 红色分隔线下空二行
    }

    if !view.title_lines.is_empty() {
        out.push(Block::P(
            Para::new()
                .align(Align::Center)
                .off_grid()
                .body_line()
                .before(LINE * gap_lines)
                .title(&view.title_lines),
        ));
        gap_lines = 1; // 主送: 标题下空一行
    }

    if let Some(recipients) = &view.recipients {
        out.push(body_line(
            Align::Left,
            Indent::default(),
            gap_lines,
            recipients,
        ));
        gap_lines = 0;
    }

    // The closing block (附件说明, 署名, 成文日期, 附注) is chained by keep-with-next, and
    // the body's last paragraph to it, so that the page with the 成文日期 always carries
    // body text (§7.3.5.5). LibreOffice keeps a whole paragraph with the next, not only
    // its last line as Word does: that line is a paragraph of its own, where the layout
    // expects it to start.
    let closing = &view.closing;
    let has_closing = view.attachment_note.is_some()
        || view.signatory.is_some()
        || view.date.is_some()
        || view.note.is_some();
    let last_body = view.body.len().saturating_sub(1);
    for (i, para) in view.body.iter().enumerate() {
        let p = Para::new()
            .align(Align::Both)
            .indent(Indent {
                first_line: Some(em_twips(2.0)),
                ..Indent::default()
            })
            .body_line()
            .before(LINE * gap_lines);
        gap_lines = 0;
        let heading = Look::new(para.level.map_or(FontRole::FangSong, |l| l.font()), SIZE_3);
        if i != last_body || !has_closing {
            // 一、 黑体, （一） 楷体, 1. and （1） 仿宋.
            out.push(Block::P(
                p.text(heading, &para.heading).text(body, &para.text),
            ));
            continue;
        }
        let from = closing.last_line_from;
        let (stays, carried) = split_paragraph(&para.heading, &para.text, from);
        let mut last = p;
        if from > 0 {
            // The lines before are justified to the full width, their last too (it is
            // not the paragraph's last line on paper, and a split a character early
            // then shows as nothing).
            out.push(Block::P(
                last.align(Align::Distribute)
                    .text(heading, stays.0)
                    .text(body, stays.1),
            ));
            last = Para::new().align(Align::Both).body_line();
        }
        last = last
            .keep_next(true)
            .text(heading, carried.0)
            .text(body, carried.1);
        out.push(Block::P(last));
    }
    let signed = view.signatory.is_some() || view.date.is_some();
    // Each line of the block is `pitch` high; the space above its first lines makes
    // up the drops the layout chose (from the top of one line to the top of the next).
    let pitch = pt_twips(closing.line_pitch_pt);
    let mut line_above = LINE;

    if let Some(note) = &view.attachment_note {
        // 左空二字; wrapped lines align with the name after “附件：”.
        let indent = Indent {
            left: Some(em_twips(5.0)),
            hanging: Some(em_twips(3.0)),
            ..Indent::default()
        };
        let look = Look {
            extra_spacing: (closing.attachment_tracking_em * CHAR).round() as i32,
            ..body
        };
        out.push(Block::P(
            Para::new()
                .align(Align::Left)
                .indent(indent)
                .exact(pitch)
                .before(pt_twips(closing.attachment_drop_pt).saturating_sub(line_above))
                .keep_next(signed || view.note.is_some())
                .keep_lines()
                .text(look, note),
        ));
        line_above = pitch;
    }
    // 署名 centred above the 成文日期, which is 右空四字 (§7.3.5.1), below the room for
    // the seal.
    let mut before = pt_twips(closing.signature_drop_pt).saturating_sub(line_above);
    let lines = [
        (&view.signatory, view.signature.signatory_right_em),
        (&view.date, view.signature.date_right_em),
    ];
    for (i, (text, right_em)) in lines.iter().enumerate() {
        let Some(text) = text else { continue };
        let more = view.note.is_some() || (i == 0 && view.date.is_some());
        out.push(Block::P(
            Para::new()
                .align(Align::Right)
                .indent(Indent {
                    right: Some(em_twips(*right_em)),
                    ..Indent::default()
                })
                .exact(pitch)
                .before(before)
                .keep_next(more)
                .text(body, text),
        ));
        before = 0;
        line_above = pitch;
    }
    if let Some(note) = &view.note {
        // 附注: 居左空二字, on the line after the date.
        out.push(Block::P(
            Para::new()
                .align(Align::Left)
                .indent(Indent {
                    left: Some(em_twips(2.0)),
                    ..Indent::default()
                })
                .exact(line_above)
                .text(body, note),
        ));
    }
    out
}

/// A paragraph's heading and text split at `at` characters of both together: the
/// (heading, text) before and the (heading, text) from there.
fn split_paragraph<'a>(
    heading: &'a str,
    text: &'a str,
    at: usize,
) -> ((&'a str, &'a str), (&'a str, &'a str)) {
    let byte = |s: &str, n: usize| s.char_indices().nth(n).map_or(s.len(), |(b, _)| b);
    let in_heading = heading.chars().count();
    if at <= in_heading {
        let b = byte(heading, at);
        ((&heading[..b], ""), (&heading[b..], text))
    } else {
        let b = byte(text, at - in_heading);
        ((heading, &text[..b]), ("", &text[b..]))
    }
}

/// Points to twips, rounded (nothing below zero).
fn pt_twips(pt: f64) -> u32 {
    (pt * 20.0).round().max(0.0) as u32
}

/// A paragraph of `text` in 3号仿宋 on the line grid, `gap_lines` blank lines below the
/// one before.
fn body_line(align: Align, indent: Indent, gap_lines: u32, text: &str) -> Block {
    Block::P(
        Para::new()
            .align(align)
            .indent(indent)
            .body_line()
            .before(LINE * gap_lines)
            .text(Look::new(FontRole::FangSong, SIZE_3), text),
    )
}

/// Space between the 发文字号 line's bottom and the red rule, pt, so that the rule is
/// 4 mm below the characters (the line box leaves ≈ 5 pt under them).
fn red_rule_space() -> u32 {
    let gap_pt = layout::mm_to_pt(layout::RED_RULE_GAP_MM);
    let under_text = (LINE_PITCH_PT - SIZE_3) / 2.0 - 1.5;
    (gap_pt - under_text).round().max(0.0) as u32
}

/// `— PAGE —` in 4号宋体, one 字 (of 4号) in from the outer edge.
fn page_number(align: Align) -> Para {
    let one = (SIZE_4 * 20.0) as i32;
    let indent = match align {
        Align::Left => Indent {
            left: Some(one),
            ..Indent::default()
        },
        _ => Indent {
            right: Some(one),
            ..Indent::default()
        },
    };
    let look = Look::new(FontRole::SongTi, SIZE_4);
    let mut p = Para::new()
        .align(align)
        .indent(indent)
        .exact((SIZE_4 * 20.0) as u32)
        .off_grid()
        .text(look, "— ");
    p.runs.push_str("<w:r>");
    look.write(&mut p.runs);
    p.runs.push_str(concat!(
        r#"<w:fldChar w:fldCharType="begin" /><w:instrText>PAGE</w:instrText>"#,
        r#"<w:fldChar w:fldCharType="separate" /><w:t>1</w:t>"#,
        r#"<w:fldChar w:fldCharType="end" /></w:r>"#
    ));
    p.text(look, " —")
}

// ---------------------------------------------------------------------------
// The attachment
// ---------------------------------------------------------------------------

fn attachment_blocks(view: &NoticeView) -> Vec<Block> {
    let mut out = Vec::new();
    // “附件” 3号黑体, 顶格, first line of the 版心.
    out.push(Block::P(
        Para::new()
            .off_grid()
            .body_line()
            .text(Look::new(FontRole::HeiTi, SIZE_3), view.attachment_label),
    ));
    if let Some(title) = &view.table_title {
        // Title centred on line 3 (a blank line between).
        let width_mm = view.table.width_mm();
        let per_line = (layout::mm_to_pt(width_mm) / SIZE_2).floor() as usize;
        out.push(Block::P(
            Para::new()
                .align(Align::Center)
                .off_grid()
                .body_line()
                .before(LINE)
                .after(LINE / 2)
                .title(&layout::title_lines(title, per_line)),
        ));
    }
    if !view.table.columns.is_empty() {
        out.push(Block::Table(table_xml(view)));
    }
    out
}

/// The attachment table: full grid, fixed column widths from the layout, the header
/// row repeated on every page.
fn table_xml(view: &NoticeView) -> String {
    let columns = &view.table.columns;
    let widths: Vec<u32> = columns.iter().map(|c| mm_to_twips(c.width_mm)).collect();
    let total: u32 = widths.iter().sum();
    let rule = (layout::TABLE_RULE_PT * 8.0) as u32;

    let mut out = String::with_capacity(96 * 1024);
    put!(
        out,
        r#"<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa" /><w:jc w:val="left" /><w:tblBorders>"#
    );
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        put!(
            out,
            r#"<w:{side} w:val="single" w:sz="{rule}" w:space="0" w:color="000000" />"#
        );
    }
    out.push_str(r#"</w:tblBorders><w:tblLayout w:type="fixed" /></w:tblPr><w:tblGrid>"#);
    for w in &widths {
        put!(out, r#"<w:gridCol w:w="{w}" />"#);
    }
    out.push_str("</w:tblGrid>");

    let cell_start = |out: &mut String, width: u32| {
        put!(
            out,
            r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa" /><w:vAlign w:val="center" /></w:tcPr>"#
        );
    };
    out.push_str("<w:tr><w:trPr><w:tblHeader /></w:trPr>");
    for (column, width) in columns.iter().zip(&widths) {
        cell_start(&mut out, *width);
        Para::new()
            .style(TABLE_HEADING_STYLE)
            .styled_text(false, &column.header)
            .write(&mut out);
        out.push_str("</w:tc>");
    }
    out.push_str("</w:tr>");
    for cells in &view.table.rows {
        out.push_str("<w:tr>");
        for ((column, width), cell) in columns.iter().zip(&widths).zip(cells) {
            cell_start(&mut out, *width);
            write_rich_paragraphs(&mut out, cell, column.centered);
            out.push_str("</w:tc>");
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    out
}

/// A cell's paragraphs with their bold runs; an empty cell still gets one paragraph
/// (Word requires it).
fn write_rich_paragraphs(out: &mut String, text: &RichText, centered: bool) {
    let paragraph = || {
        let p = Para::new().style(TABLE_TEXT_STYLE);
        if centered { p.align(Align::Center) } else { p }
    };
    for para in &text.paragraphs {
        let mut p = paragraph();
        for run in &para.runs {
            p = p.styled_text(run.bold, &run.text);
        }
        p.write(out);
    }
    if text.paragraphs.is_empty() {
        paragraph().write(out);
    }
}

// ---------------------------------------------------------------------------
// 版记
// ---------------------------------------------------------------------------

/// 抄送 and 印发 in 4号仿宋 between rules as wide as the 版心 (thick first and last, thin
/// between), pushed down so that the last rule sits on the bottom of the 版心.
fn imprint_blocks(view: &NoticeView) -> Vec<Block> {
    const RULE_LINE: u32 = 40; // twips: the height of a paragraph that only draws a rule
    let thick = (layout::IMPRINT_THICK_RULE_PT * 8.0).round() as u32;
    let thin = (layout::IMPRINT_THIN_RULE_PT * 8.0).round() as u32;
    let rule = |size: u32, before: u32| {
        Block::P(
            Para::new()
                .off_grid()
                .mark_size(2)
                .exact(RULE_LINE)
                .before(before)
                .rule_below(size, 0, "000000"),
        )
    };
    let one = (SIZE_4 * 20.0) as i32;
    let look = Look::new(FontRole::FangSong, SIZE_4);
    let lines = u32::from(view.copy_to.is_some()) + 1;
    let rules = lines + 1;
    let height = mm_to_twips(layout::TEXT_HEIGHT_MM);
    // Slack for the rules' own widths and rounding, so nothing spills to a new page.
    let used = lines * LINE + rules * (RULE_LINE + 20) + 60;
    let push_down = height.saturating_sub(used);

    let mut out = vec![rule(thick, push_down)];
    if let Some(copy_to) = &view.copy_to {
        // 左右各空一字; wrapped lines align after “抄送：”.
        out.push(Block::P(
            Para::new()
                .off_grid()
                .indent(Indent {
                    left: Some(one * 4),
                    right: Some(one),
                    hanging: Some(one * 3),
                    first_line: None,
                })
                .body_line()
                .text(look, copy_to),
        ));
        out.push(rule(thin, 0));
    }
    // 印发机关 左空一字, 印发日期 右空一字 (right tab).
    let by = view.printed_by.as_deref().unwrap_or_default();
    let on = view.printed_on.as_deref().unwrap_or_default();
    let tab = (mm_to_twips(layout::TEXT_WIDTH_MM) as i32 - 2 * one).max(0) as u32;
    let mut p = Para::new()
        .right_tab(tab)
        .off_grid()
        .indent(Indent {
            left: Some(one),
            right: Some(one),
            ..Indent::default()
        })
        .body_line()
        .text(look, by);
    if !on.is_empty() {
        p = p.run(look, Lead::Tab, on);
    }
    out.push(Block::P(p));
    out.push(rule(thick, 0));
    out
}

// ---------------------------------------------------------------------------
// Small conversions
// ---------------------------------------------------------------------------

fn half_points(pt: f64) -> u32 {
    (pt * 2.0).round() as u32
}

fn em_twips(em: f64) -> i32 {
    (em * CHAR).round() as i32
}

// ---------------------------------------------------------------------------
// The other parts and the package
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraph_properties_in_schema_order() {
        let mut out = String::new();
        Para::new()
            .align(Align::Right)
            .indent(Indent {
                right: Some(632),
                ..Indent::default()
            })
            .body_line()
            .before(579)
            .rule_below(12, 6, RED_RGB)
            .off_grid()
            .write(&mut out);
        assert_eq!(
            out,
            concat!(
                r#"<w:p><w:pPr><w:pBdr><w:bottom w:val="single" w:space="6" w:sz="12" w:color="FF0000" /></w:pBdr>"#,
                r#"<w:snapToGrid w:val="0" /><w:spacing w:before="579" w:after="0" w:line="579" w:lineRule="exact" />"#,
                r#"<w:ind w:right="632" /><w:jc w:val="right" /></w:pPr></w:p>"#
            )
        );
        let mut empty = String::new();
        Para::new().write(&mut empty);
        assert_eq!(empty, "<w:p></w:p>");
    }

    #[test]
    fn runs_name_both_fonts_and_condense_body_text() {
        let mut out = String::new();
        Look {
            bold: true,
            ..Look::new(FontRole::FangSong, SIZE_3)
        }
        .write(&mut out);
        assert_eq!(
            out,
            concat!(
                r#"<w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman" w:eastAsia="仿宋_GB2312" w:hint="eastAsia" />"#,
                r#"<w:b /><w:bCs /><w:spacing w:val="-5" /><w:sz w:val="32" /><w:szCs w:val="32" /></w:rPr>"#
            )
        );
    }

    #[test]
    fn footer_sits_seven_mm_under_the_text_block() {
        // 35 − 7 − 2.47 mm ≈ 25.5 mm.
        assert_eq!(footer_distance(35.0), 1447);
        assert_eq!(red_rule_space(), 6);
        assert_eq!(LINE, 579);
    }
}
