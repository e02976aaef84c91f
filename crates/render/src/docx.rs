//! The notice as a Word document in the GB/T 9704-2012 layout.
//!
//! Built with docx-rs, then finished by hand where docx-rs has no API: the attachment
//! table's header row is marked `w:tblHeader` (repeated on every page), the children of
//! every `w:sectPr` are put in schema order, and the package is zipped again with fixed
//! timestamps so two renders of one notice are byte-identical.
//!
//! Sections: the notice itself (portrait, 22 × 28 grid, page numbers), the attachment
//! (landscape when the table is wide, same page numbers), and the 版记 page (portrait,
//! no page number) when the notice has 抄送/印发 data.

use std::io::{Cursor, Write};

use chrono::Datelike;
use docx_rs::{
    AlignmentType, BorderType, BreakType, BuildXML, DocGrid, DocGridType, Docx, FieldCharType,
    Footer, FooterReference, InstrPAGE, InstrText, LineSpacing, LineSpacingType, PageMargin,
    PageOrientationType, Paragraph, ParagraphBorder, ParagraphBorderPosition, ParagraphBorders,
    Run, RunFonts, SectionProperty, SpecialIndentType, Table, TableBorder, TableBorderPosition,
    TableBorders, TableCell, TableLayoutType, TableRow, VAlignType, WidthType,
};
use duban_domain::{Notice, RichText};

use crate::RenderError;
use crate::layout::{
    self, CHAR_PITCH_PT, FontRole, LINE_PITCH_PT, NoticeView, Orientation, RED_RGB, SIZE_2, SIZE_3,
    SIZE_4, SIZE_CHUHAO, TABLE_FONT_PT, TABLE_LINE_PT, mm_to_twips,
};

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

/// Renders `notice` as DOCX bytes.
pub fn render_docx(notice: &Notice) -> Result<Vec<u8>, RenderError> {
    let view = NoticeView::new(notice);
    let stamp = Stamp::of(notice);
    let (docx, footers) = build(&view);
    let docx = docx.created_at(&stamp.w3c()).updated_at(&stamp.w3c());
    package(docx.build(), &footers, &stamp)
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
// Document
// ---------------------------------------------------------------------------

/// The footer parts: `(rId, part)`; docx-rs registers their relationships and content
/// types from the count, and [`package`] writes the parts. (docx-rs' own per-section
/// footers lose the even-page footer of every section but the last.)
const FOOTER_ODD: &str = "rIdFooter1";
const FOOTER_EVEN: &str = "rIdFooter2";
const FOOTER_BLANK: &str = "rIdFooter3";

fn build(view: &NoticeView) -> (Docx, Vec<Vec<u8>>) {
    let mut docx = Docx::new()
        .default_size(half_points(SIZE_3))
        .default_fonts(fonts(FontRole::FangSong));
    let footers = vec![
        Footer::new()
            .add_paragraph(page_number(AlignmentType::Right))
            .build(),
        Footer::new()
            .add_paragraph(page_number(AlignmentType::Left))
            .build(),
        Footer::new().add_paragraph(Paragraph::new()).build(),
    ];
    docx.document_rels.footer_count = footers.len();
    for _ in &footers {
        docx.content_type = docx.content_type.add_footer();
    }
    docx.settings = docx.settings.even_and_odd_headers();

    // Sections in order; the last one is the document's own sectPr, the others end
    // with a paragraph carrying theirs.
    let numbered = |mut s: SectionProperty| {
        s.footer_reference = Some(FooterReference::new("default", FOOTER_ODD));
        s.even_footer_reference = Some(FooterReference::new("even", FOOTER_EVEN));
        s
    };
    let mut sections: Vec<(SectionProperty, Vec<Block>)> = Vec::new();
    sections.push((numbered(notice_section()), notice_blocks(view)));
    if !view.table.rows.is_empty() || view.table_title.is_some() {
        sections.push((
            numbered(attachment_section(view.table.orientation)),
            attachment_blocks(view),
        ));
    }
    if view.has_imprint() {
        let mut s = notice_section();
        s.footer_reference = Some(FooterReference::new("default", FOOTER_BLANK));
        s.even_footer_reference = Some(FooterReference::new("even", FOOTER_BLANK));
        sections.push((s, imprint_blocks(view)));
    }

    let last = sections.len() - 1;
    for (i, (property, mut blocks)) in sections.into_iter().enumerate() {
        if i < last {
            match blocks.pop() {
                Some(Block::P(p)) => blocks.push(Block::p(p.section_property(property))),
                other => {
                    blocks.extend(other);
                    // After a table: a one-point paragraph that only ends the section.
                    blocks.push(Block::p(
                        Paragraph::new()
                            .snap_to_grid(false)
                            .size(2)
                            .line_spacing(exact(20.0))
                            .section_property(property),
                    ));
                }
            }
        } else {
            docx.document = docx.document.default_section_property(property);
        }
        for block in blocks {
            docx = match block {
                Block::P(p) => docx.add_paragraph(*p),
                Block::T(t) => docx.add_table(*t),
            };
        }
    }
    (docx, footers)
}

enum Block {
    P(Box<Paragraph>),
    T(Box<Table>),
}

impl Block {
    fn p(paragraph: Paragraph) -> Block {
        Block::P(Box::new(paragraph))
    }
}

/// `— PAGE —` in 4号宋体, one 字 (of 4号) in from the outer edge.
fn page_number(align: AlignmentType) -> Paragraph {
    let one = (SIZE_4 * 20.0) as i32;
    let (left, right) = match align {
        AlignmentType::Left => (Some(one), None),
        _ => (None, Some(one)),
    };
    let size = half_points(SIZE_4);
    let f = fonts(FontRole::SongTi);
    Paragraph::new()
        .align(align)
        .indent(left, None, right, None)
        .line_spacing(exact(SIZE_4 * 20.0))
        .snap_to_grid(false)
        .add_run(Run::new().size(size).fonts(f.clone()).add_text("— "))
        .add_run(
            Run::new()
                .size(size)
                .fonts(f.clone())
                .add_field_char(FieldCharType::Begin, false)
                .add_instr_text(InstrText::PAGE(InstrPAGE::new()))
                .add_field_char(FieldCharType::Separate, false)
                .add_text("1")
                .add_field_char(FieldCharType::End, false),
        )
        .add_run(Run::new().size(size).fonts(f).add_text(" —"))
}

/// Portrait A4 with the standard margins and the 22-line grid (28.95 pt pitch).
fn notice_section() -> SectionProperty {
    let margin = PageMargin {
        top: mm_to_twips(layout::MARGIN_TOP_MM) as i32,
        left: mm_to_twips(layout::MARGIN_LEFT_MM) as i32,
        bottom: mm_to_twips(layout::MARGIN_BOTTOM_MM) as i32,
        right: mm_to_twips(layout::MARGIN_RIGHT_MM) as i32,
        header: 851,
        footer: footer_distance(layout::MARGIN_BOTTOM_MM),
        gutter: 0,
    };
    SectionProperty::new()
        .page_size(
            docx_rs::PageSize::new()
                .size(
                    mm_to_twips(layout::PAGE_WIDTH_MM),
                    mm_to_twips(layout::PAGE_HEIGHT_MM),
                )
                .orient(PageOrientationType::Portrait),
        )
        .page_margin(margin)
        .doc_grid(
            DocGrid::new()
                .grid_type(DocGridType::Lines)
                .line_pitch(LINE as usize),
        )
}

/// The attachment's page: landscape A4 with the 版心 turned (225 × 156 mm), or portrait.
fn attachment_section(orientation: Orientation) -> SectionProperty {
    match orientation {
        Orientation::Portrait => {
            let mut s = notice_section();
            s.doc_grid = None;
            s
        }
        Orientation::Landscape => SectionProperty::new()
            .page_size(
                docx_rs::PageSize::new()
                    .size(
                        mm_to_twips(layout::PAGE_HEIGHT_MM),
                        mm_to_twips(layout::PAGE_WIDTH_MM),
                    )
                    .orient(PageOrientationType::Landscape),
            )
            .page_margin(PageMargin {
                top: mm_to_twips(layout::LANDSCAPE_MARGIN_TOP_MM) as i32,
                left: mm_to_twips(layout::LANDSCAPE_MARGIN_LEFT_MM) as i32,
                bottom: mm_to_twips(layout::LANDSCAPE_MARGIN_BOTTOM_MM) as i32,
                right: mm_to_twips(layout::LANDSCAPE_MARGIN_RIGHT_MM) as i32,
                header: 851,
                footer: footer_distance(layout::LANDSCAPE_MARGIN_BOTTOM_MM),
                gutter: 0,
            }),
    }
}

/// `w:footer`: from the paper's bottom edge to the bottom of the page-number line, so
/// that the 一字线 (mid-line) sits 7 mm below the 版心.
fn footer_distance(bottom_margin_mm: f64) -> i32 {
    let dash_mm = bottom_margin_mm - layout::PAGE_NUMBER_DROP_MM;
    let half_line_mm = SIZE_4 / layout::PT_PER_MM / 2.0;
    mm_to_twips(dash_mm - half_line_mm) as i32
}

// ---------------------------------------------------------------------------
// The notice (版头, 主体)
// ---------------------------------------------------------------------------

fn notice_blocks(view: &NoticeView) -> Vec<Block> {
    let mut out = Vec::new();
    let mut gap_lines = 0u32;

    if let Some(mark) = &view.issuer_mark {
        // Red 发文机关标志: top edge 35 mm below the 版心's top, scaled to its width.
        let stretch = (view.issuer_mark_scale * 100.0).floor() as i32;
        out.push(Block::p(
            Paragraph::new()
                .align(AlignmentType::Center)
                .snap_to_grid(false)
                .line_spacing(
                    exact(SIZE_CHUHAO * 20.0 * 1.2)
                        .before(mm_to_twips(layout::ISSUER_MARK_DROP_MM) - 120),
                )
                .add_run(
                    text_run(mark, FontRole::XiaoBiaoSong, SIZE_CHUHAO)
                        .color(RED_RGB)
                        .stretch(stretch),
                ),
        ));
        gap_lines = 2; // 发文字号: 发文机关标志下空二行
    }

    // 发文字号 centred, with the red rule 4 mm below it across the 版心.
    let number = view.doc_number.as_deref().unwrap_or_default();
    if view.issuer_mark.is_some() || !number.is_empty() {
        let mut p = Paragraph::new()
            .align(AlignmentType::Center)
            .snap_to_grid(false)
            .line_spacing(exact_body().before(LINE * gap_lines));
        if !number.is_empty() {
            p = p.add_run(text_run(number, FontRole::FangSong, SIZE_3));
        }
        if view.issuer_mark.is_some() {
            p.property = p.property.set_borders(
                ParagraphBorders::with_empty().set(
                    ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                        .val(BorderType::Single)
                        .size((layout::RED_RULE_PT * 8.0) as usize)
                        .space(red_rule_space())
                        .color(RED_RGB),
                ),
            );
        }
        out.push(Block::p(p));
        gap_lines = 2; // 标题: 红色分隔线下空二行
    }

    if !view.title_lines.is_empty() {
        let mut p = Paragraph::new()
            .align(AlignmentType::Center)
            .snap_to_grid(false)
            .line_spacing(exact_body().before(LINE * gap_lines));
        for (i, line) in view.title_lines.iter().enumerate() {
            let mut run = text_run(line, FontRole::XiaoBiaoSong, SIZE_2);
            if i > 0 {
                run = Run::new()
                    .size(half_points(SIZE_2))
                    .fonts(fonts(FontRole::XiaoBiaoSong))
                    .add_break(BreakType::TextWrapping)
                    .add_text(line.as_str());
            }
            p = p.add_run(run);
        }
        out.push(Block::p(p));
        gap_lines = 1; // 主送: 标题下空一行
    }

    if let Some(recipients) = &view.recipients {
        out.push(Block::p(
            body_paragraph()
                .line_spacing(exact_body().before(LINE * gap_lines))
                .add_run(text_run(recipients, FontRole::FangSong, SIZE_3)),
        ));
        gap_lines = 0;
    }

    for para in &view.body {
        let mut p = body_paragraph()
            .align(AlignmentType::Both)
            .indent(None, Some(first_line(2.0)), None, None)
            .line_spacing(exact_body().before(LINE * gap_lines));
        gap_lines = 0;
        if let Some(level) = para.level {
            // 一、 黑体, （一） 楷体, 1. and （1） 仿宋.
            p = p.add_run(text_run(&para.heading, level.font(), SIZE_3));
        }
        if !para.text.is_empty() {
            p = p.add_run(text_run(&para.text, FontRole::FangSong, SIZE_3));
        }
        out.push(Block::p(p));
    }
    // 附件说明, 署名: 正文下空一行.
    gap_lines = 1;

    if let Some(note) = &view.attachment_note {
        // 左空二字; wrapped lines align with the name after “附件：”.
        let left = (5.0 * CHAR).round() as i32;
        let hang = (3.0 * CHAR).round() as i32;
        out.push(Block::p(
            body_paragraph()
                .indent(
                    Some(left),
                    Some(SpecialIndentType::Hanging(hang)),
                    None,
                    None,
                )
                .line_spacing(exact_body().before(LINE * gap_lines))
                .add_run(text_run(note, FontRole::FangSong, SIZE_3)),
        ));
        gap_lines = 1;
    }

    if let Some(signatory) = &view.signatory {
        out.push(Block::p(
            body_paragraph()
                .align(AlignmentType::Right)
                .indent(
                    None,
                    None,
                    Some(em_twips(view.signature.signatory_right_em)),
                    None,
                )
                .line_spacing(exact_body().before(LINE * gap_lines))
                .add_run(text_run(signatory, FontRole::FangSong, SIZE_3)),
        ));
        gap_lines = 0;
    }
    if let Some(date) = &view.date {
        out.push(Block::p(
            body_paragraph()
                .indent(
                    Some(em_twips(view.signature.date_left_em)),
                    None,
                    None,
                    None,
                )
                .line_spacing(exact_body().before(LINE * gap_lines))
                .add_run(text_run(date, FontRole::FangSong, SIZE_3)),
        ));
        gap_lines = 0;
    }
    if let Some(note) = &view.note {
        // 附注: 居左空二字, on the line after the date.
        out.push(Block::p(
            body_paragraph()
                .indent(Some(em_twips(2.0)), None, None, None)
                .line_spacing(exact_body().before(LINE * gap_lines))
                .add_run(text_run(note, FontRole::FangSong, SIZE_3)),
        ));
    }
    out
}

/// Space between the 发文字号 line's bottom and the red rule, pt, so that the rule is
/// 4 mm below the characters (the line box leaves ≈ 5 pt under them).
fn red_rule_space() -> usize {
    let gap_pt = layout::mm_to_pt(layout::RED_RULE_GAP_MM);
    let under_text = (LINE_PITCH_PT - SIZE_3) / 2.0 - 1.5;
    (gap_pt - under_text).round().max(0.0) as usize
}

// ---------------------------------------------------------------------------
// The attachment
// ---------------------------------------------------------------------------

fn attachment_blocks(view: &NoticeView) -> Vec<Block> {
    let mut out = Vec::new();
    // “附件” 3号黑体, 顶格, first line of the 版心.
    out.push(Block::p(
        Paragraph::new()
            .snap_to_grid(false)
            .line_spacing(exact_body())
            .add_run(text_run(view.attachment_label, FontRole::HeiTi, SIZE_3)),
    ));
    if let Some(title) = &view.table_title {
        // Title centred on line 3 (a blank line between).
        let width_mm = view.table.width_mm();
        let per_line = (layout::mm_to_pt(width_mm) / SIZE_2).floor() as usize;
        let mut p = Paragraph::new()
            .align(AlignmentType::Center)
            .snap_to_grid(false)
            .line_spacing(exact_body().before(LINE).after(LINE / 2));
        for (i, line) in layout::title_lines(title, per_line).iter().enumerate() {
            let mut run = Run::new()
                .size(half_points(SIZE_2))
                .fonts(fonts(FontRole::XiaoBiaoSong));
            if i > 0 {
                run = run.add_break(BreakType::TextWrapping);
            }
            p = p.add_run(run.add_text(line.as_str()));
        }
        out.push(Block::p(p));
    }
    if !view.table.columns.is_empty() {
        out.push(Block::T(Box::new(table(view))));
    }
    out
}

fn table(view: &NoticeView) -> Table {
    let widths: Vec<usize> = view
        .table
        .columns
        .iter()
        .map(|c| mm_to_twips(c.width_mm) as usize)
        .collect();
    let total: usize = widths.iter().sum();

    let header = TableRow::new(
        view.table
            .columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                TableCell::new()
                    .width(*w, WidthType::Dxa)
                    .vertical_align(VAlignType::Center)
                    .add_paragraph(table_paragraph(true).add_run(text_run(
                        &c.header,
                        FontRole::HeiTi,
                        TABLE_FONT_PT,
                    )))
            })
            .collect(),
    );
    let mut rows = vec![header];
    for cells in &view.table.rows {
        let row = view
            .table
            .columns
            .iter()
            .zip(&widths)
            .zip(cells)
            .map(|((column, w), cell)| {
                let mut c = TableCell::new()
                    .width(*w, WidthType::Dxa)
                    .vertical_align(VAlignType::Center);
                for p in rich_paragraphs(cell, column.centered) {
                    c = c.add_paragraph(p);
                }
                c
            })
            .collect();
        rows.push(TableRow::new(row));
    }
    let rule = (layout::TABLE_RULE_PT * 8.0) as usize;
    let mut borders = TableBorders::with_empty();
    for position in [
        TableBorderPosition::Top,
        TableBorderPosition::Left,
        TableBorderPosition::Bottom,
        TableBorderPosition::Right,
        TableBorderPosition::InsideH,
        TableBorderPosition::InsideV,
    ] {
        borders = borders.set(
            TableBorder::new(position)
                .border_type(BorderType::Single)
                .size(rule)
                .color("000000"),
        );
    }
    Table::new(rows)
        .set_grid(widths)
        .layout(TableLayoutType::Fixed)
        .width(total, WidthType::Dxa)
        .set_borders(borders)
}

/// A cell's paragraphs with their bold runs; an empty cell still gets one paragraph.
fn rich_paragraphs(text: &RichText, centered: bool) -> Vec<Paragraph> {
    let mut out = Vec::with_capacity(text.paragraphs.len().max(1));
    for para in &text.paragraphs {
        let mut p = table_paragraph(centered);
        for run in &para.runs {
            let mut r = text_run(&run.text, FontRole::FangSong, TABLE_FONT_PT);
            if run.bold {
                r = r.bold();
            }
            p = p.add_run(r);
        }
        out.push(p);
    }
    if out.is_empty() {
        out.push(table_paragraph(centered));
    }
    out
}

fn table_paragraph(centered: bool) -> Paragraph {
    Paragraph::new()
        .align(if centered {
            AlignmentType::Center
        } else {
            AlignmentType::Both
        })
        .snap_to_grid(false)
        .line_spacing(exact(TABLE_LINE_PT * 20.0))
}

// ---------------------------------------------------------------------------
// 版记
// ---------------------------------------------------------------------------

/// 抄送 and 印发 in 4号仿宋 between rules as wide as the 版心 (thick first and last, thin
/// between), pushed down so that the last rule sits on the bottom of the 版心.
fn imprint_blocks(view: &NoticeView) -> Vec<Block> {
    const RULE_LINE: u32 = 40; // twips: the height of a paragraph that only draws a rule
    let thick = (layout::IMPRINT_THICK_RULE_PT * 8.0).round() as usize;
    let thin = (layout::IMPRINT_THIN_RULE_PT * 8.0).round() as usize;
    let rule = |size: usize, before: u32| {
        let mut p = Paragraph::new()
            .snap_to_grid(false)
            .size(2)
            .line_spacing(exact(f64::from(RULE_LINE)).before(before));
        p.property = p.property.set_borders(
            ParagraphBorders::with_empty().set(
                ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                    .val(BorderType::Single)
                    .size(size)
                    .space(0)
                    .color("000000"),
            ),
        );
        Block::p(p)
    };
    let one = (SIZE_4 * 20.0) as i32;
    let lines = u32::from(view.copy_to.is_some()) + 1;
    let rules = lines + 1;
    let height = mm_to_twips(layout::TEXT_HEIGHT_MM);
    // Slack for the rules' own widths and rounding, so nothing spills to a new page.
    let used = lines * LINE + rules * (RULE_LINE + 20) + 60;
    let push_down = height.saturating_sub(used);

    let mut out = vec![rule(thick, push_down)];
    if let Some(copy_to) = &view.copy_to {
        // 左右各空一字; wrapped lines align after “抄送：”.
        out.push(Block::p(
            Paragraph::new()
                .snap_to_grid(false)
                .indent(
                    Some(one * 4),
                    Some(SpecialIndentType::Hanging(one * 3)),
                    Some(one),
                    None,
                )
                .line_spacing(exact_body())
                .add_run(text_run(copy_to, FontRole::FangSong, SIZE_4)),
        ));
        out.push(rule(thin, 0));
    }
    // 印发机关 左空一字, 印发日期 右空一字 (right tab).
    let by = view.printed_by.as_deref().unwrap_or_default();
    let on = view.printed_on.as_deref().unwrap_or_default();
    let mut p = Paragraph::new()
        .snap_to_grid(false)
        .indent(Some(one), None, Some(one), None)
        .line_spacing(exact_body())
        .add_tab(
            docx_rs::Tab::new()
                .val(docx_rs::TabValueType::Right)
                .pos((mm_to_twips(layout::TEXT_WIDTH_MM) as i32 - 2 * one).max(0) as usize),
        )
        .add_run(text_run(by, FontRole::FangSong, SIZE_4));
    if !on.is_empty() {
        p = p.add_run(
            Run::new()
                .size(half_points(SIZE_4))
                .fonts(fonts(FontRole::FangSong))
                .add_tab()
                .add_text(on),
        );
    }
    out.push(Block::p(p));
    out.push(rule(thick, 0));
    out
}

// ---------------------------------------------------------------------------
// Small builders
// ---------------------------------------------------------------------------

fn half_points(pt: f64) -> usize {
    (pt * 2.0).round() as usize
}

fn em_twips(em: f64) -> i32 {
    (em * CHAR).round() as i32
}

fn first_line(chars: f64) -> SpecialIndentType {
    SpecialIndentType::FirstLine((chars * CHAR).round() as i32)
}

fn exact(twips: f64) -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(twips.round() as i32)
        .before(0)
        .after(0)
}

fn exact_body() -> LineSpacing {
    exact(f64::from(LINE))
}

fn body_paragraph() -> Paragraph {
    Paragraph::new().align(AlignmentType::Left)
}

/// East Asian font of the role plus Latin fallbacks.
fn fonts(role: FontRole) -> RunFonts {
    let latin = role.latin_fallback();
    RunFonts::new()
        .east_asia(role.windows_name())
        .ascii(latin)
        .hi_ansi(latin)
        .cs(latin)
}

/// A run of `text`; 3号 runs are condensed to the 28-per-line pitch.
fn text_run(text: &str, role: FontRole, size_pt: f64) -> Run {
    let run = Run::new().size(half_points(size_pt)).fonts(fonts(role));
    let run = if size_pt == SIZE_3 {
        run.character_spacing(BODY_CHAR_SPACING)
    } else {
        run
    };
    run.add_text(text)
}

// ---------------------------------------------------------------------------
// Package: patch what docx-rs cannot write, zip deterministically
// ---------------------------------------------------------------------------

/// Parts smaller than this are stored rather than deflated (see [`package`]).
const SMALLEST_DEFLATED_PART: usize = 4096;

fn package(
    xml: docx_rs::XMLDocx,
    footers: &[Vec<u8>],
    stamp: &Stamp,
) -> Result<Vec<u8>, RenderError> {
    let document = String::from_utf8(xml.document)
        .map_err(|e| RenderError::Docx(format!("正文 XML 不是有效的 UTF-8：{e}")))?;
    let document = patch_document(&document);
    let settings = patch_settings(&String::from_utf8_lossy(&xml.settings));
    let styles = patch_styles(&String::from_utf8_lossy(&xml.styles));

    let mut parts: Vec<(String, &[u8])> = vec![
        ("[Content_Types].xml".into(), &xml.content_type),
        ("_rels/.rels".into(), &xml.rels),
        ("docProps/app.xml".into(), &xml.doc_props.app),
        ("docProps/core.xml".into(), &xml.doc_props.core),
        ("docProps/custom.xml".into(), &xml.doc_props.custom),
        ("word/_rels/document.xml.rels".into(), &xml.document_rels),
        ("word/document.xml".into(), document.as_bytes()),
        ("word/styles.xml".into(), styles.as_bytes()),
        ("word/settings.xml".into(), settings.as_bytes()),
        ("word/fontTable.xml".into(), &xml.font_table),
        ("word/comments.xml".into(), &xml.comments),
        ("word/numbering.xml".into(), &xml.numberings),
        ("word/commentsExtended.xml".into(), &xml.comments_extended),
        ("word/footnotes.xml".into(), &xml.footnotes),
    ];
    for (i, h) in xml.headers.iter().enumerate() {
        parts.push((format!("word/header{}.xml", i + 1), h));
        if let Some(rels) = xml.header_rels.get(i) {
            parts.push((format!("word/_rels/header{}.xml.rels", i + 1), rels));
        }
    }
    for (i, f) in footers.iter().enumerate() {
        parts.push((format!("word/footer{}.xml", i + 1), f));
    }

    let time = zip::DateTime::from_date_and_time(stamp.year, stamp.month, stamp.day, 0, 0, 0)
        .unwrap_or_default();
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(time)
        .unix_permissions(0o644);
    let deflated = stored
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(64 * 1024)));
    let zip_error = |e: zip::result::ZipError| RenderError::Docx(format!("打包失败：{e}"));
    for (name, bytes) in parts {
        // Each deflate stream starts by clearing ~300 KiB of window and hash tables:
        // for the dozen parts of a few hundred bytes that cost more than the whole
        // document.xml (measured with callgrind: a quarter of `duban render --format
        // docx`), and saves almost nothing. Only the large parts are compressed.
        let options = if bytes.len() < SMALLEST_DEFLATED_PART {
            stored
        } else {
            deflated
        };
        out.start_file(name, options).map_err(zip_error)?;
        out.write_all(bytes)
            .map_err(|e| RenderError::Docx(format!("打包失败：{e}")))?;
    }
    let cursor = out.finish().map_err(zip_error)?;
    Ok(cursor.into_inner())
}

/// Marks the first row of every table as a header row repeated on each page, and puts
/// the children of each `w:sectPr` in the order the schema requires (docx-rs writes the
/// footer references after `w:pgSz`; Word wants them first).
fn patch_document(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() + 256);
    let mut rest = xml;
    // Header rows.
    while let Some(at) = rest.find("<w:tbl>") {
        let (head, tail) = rest.split_at(at);
        out.push_str(head);
        let Some(tr) = tail.find("<w:tr>") else {
            out.push_str(tail);
            rest = "";
            break;
        };
        let row_start = tr + "<w:tr>".len();
        out.push_str(&tail[..row_start]);
        let after = &tail[row_start..];
        if let Some(inner) = after.strip_prefix("<w:trPr>") {
            out.push_str("<w:trPr><w:tblHeader />");
            rest = inner;
        } else if let Some(inner) = after.strip_prefix("<w:trPr />") {
            out.push_str("<w:trPr><w:tblHeader /></w:trPr>");
            rest = inner;
        } else {
            out.push_str("<w:trPr><w:tblHeader /></w:trPr>");
            rest = after;
        }
    }
    out.push_str(rest);
    reorder_sect_prs(&out)
}

/// The Normal style, which docx-rs writes empty with no API to fill it: 16 pt, because
/// LibreOffice sizes its layout grid from the Normal style only (not docDefaults) and
/// otherwise spreads 16 pt text over two 12 pt cells; and no automatic space between
/// Chinese and digits (2020年10月15日, not 2020 年 10 月 15 日), as 公文 count every
/// character on the grid.
fn patch_styles(xml: &str) -> String {
    let normal = r#"<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal" /><w:rPr /><w:pPr><w:rPr /></w:pPr>"#;
    let size = half_points(SIZE_3);
    xml.replacen(
        normal,
        &format!(
            concat!(
                r#"<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal" />"#,
                r#"<w:rPr><w:sz w:val="{size}" /><w:szCs w:val="{size}" /></w:rPr>"#,
                r#"<w:pPr><w:autoSpaceDE w:val="0" /><w:autoSpaceDN w:val="0" /><w:rPr /></w:pPr>"#
            ),
            size = size
        ),
        1,
    )
}

/// docx-rs writes `w:defaultTabStop` before `w:zoom` and `w:evenAndOddHeaders` after
/// `w:compat`; `CT_Settings` wants zoom, defaultTabStop, evenAndOddHeaders, compat.
fn patch_settings(xml: &str) -> String {
    let take = |xml: &mut String, tag: &str| -> Option<String> {
        let start = xml.find(tag)?;
        let end = start + xml[start..].find("/>")? + 2;
        let element = xml[start..end].to_string();
        xml.replace_range(start..end, "");
        Some(element)
    };
    let mut out = xml.to_string();
    let zoom = take(&mut out, "<w:zoom ");
    let even = take(&mut out, "<w:evenAndOddHeaders");
    if let Some(zoom) = zoom
        && let Some(at) = out.find("<w:defaultTabStop")
    {
        out.insert_str(at, &zoom);
    }
    if let Some(even) = even {
        match out.find("<w:compat>") {
            Some(at) => out.insert_str(at, &even),
            None => {
                if let Some(at) = out.find("</w:settings>") {
                    out.insert_str(at, &even);
                }
            }
        }
    }
    out
}

/// Schema order of `CT_SectPr` children (ECMA-376 §17.6.17).
const SECT_PR_ORDER: &[&str] = &[
    "w:headerReference",
    "w:footerReference",
    "w:footnotePr",
    "w:endnotePr",
    "w:type",
    "w:pgSz",
    "w:pgMar",
    "w:paperSrc",
    "w:pgBorders",
    "w:lnNumType",
    "w:pgNumType",
    "w:cols",
    "w:formProt",
    "w:vAlign",
    "w:noEndnote",
    "w:titlePg",
    "w:textDirection",
    "w:bidi",
    "w:rtlGutter",
    "w:docGrid",
];

fn reorder_sect_prs(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(at) = rest.find("<w:sectPr>") {
        let body_start = at + "<w:sectPr>".len();
        let Some(len) = rest[body_start..].find("</w:sectPr>") else {
            break;
        };
        out.push_str(&rest[..body_start]);
        let body = &rest[body_start..body_start + len];
        match self_closing_children(body) {
            Some(mut children) => {
                children.sort_by_key(|c| {
                    SECT_PR_ORDER
                        .iter()
                        .position(|name| element_name(c) == *name)
                        .unwrap_or(SECT_PR_ORDER.len())
                });
                for c in children {
                    out.push_str(c);
                }
            }
            None => out.push_str(body),
        }
        rest = &rest[body_start + len..];
    }
    out.push_str(rest);
    out
}

/// The children of an element body when all are self-closing (`<w:x ... />`).
fn self_closing_children(body: &str) -> Option<Vec<&str>> {
    let mut children = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        if !rest.starts_with('<') {
            return None;
        }
        let end = rest.find("/>")? + 2;
        let child = &rest[..end];
        if child[1..].contains('<') {
            return None;
        }
        children.push(child);
        rest = &rest[end..];
    }
    Some(children)
}

fn element_name(tag: &str) -> &str {
    let tag = tag.trim_start_matches('<');
    let end = tag
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(tag.len());
    &tag[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sect_pr_children_in_schema_order() {
        let xml = r#"<w:p><w:sectPr><w:pgSz w:w="1" /><w:docGrid w:type="lines" /><w:footerReference w:type="default" r:id="rId6" /></w:sectPr></w:p>"#;
        assert_eq!(
            reorder_sect_prs(xml),
            r#"<w:p><w:sectPr><w:footerReference w:type="default" r:id="rId6" /><w:pgSz w:w="1" /><w:docGrid w:type="lines" /></w:sectPr></w:p>"#
        );
    }

    #[test]
    fn settings_in_schema_order() {
        let xml = r#"<w:settings><w:defaultTabStop w:val="840" /><w:zoom w:percent="100" /><w:compat><w:x /></w:compat><w:evenAndOddHeaders /></w:settings>"#;
        assert_eq!(
            patch_settings(xml),
            r#"<w:settings><w:zoom w:percent="100" /><w:defaultTabStop w:val="840" /><w:evenAndOddHeaders /><w:compat><w:x /></w:compat></w:settings>"#
        );
    }

    #[test]
    fn header_row_marked() {
        let xml = "<w:body><w:tbl><w:tblPr /><w:tr><w:trPr /><w:tc /></w:tr><w:tr><w:trPr /></w:tr></w:tbl></w:body>";
        let patched = patch_document(xml);
        assert_eq!(patched.matches("<w:tblHeader />").count(), 1);
        assert!(patched.contains("<w:tr><w:trPr><w:tblHeader /></w:trPr><w:tc />"));
    }

    #[test]
    fn footer_sits_seven_mm_under_the_text_block() {
        // 35 − 7 − 2.47 mm ≈ 25.5 mm.
        assert_eq!(footer_distance(35.0), 1447);
        assert_eq!(red_rule_space(), 6);
        assert_eq!(LINE, 579);
    }
}
