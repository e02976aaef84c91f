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
use std::io::{Cursor, Write as _};

use chrono::Datelike;
use duban_domain::{Notice, RichText};

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

/// Renders `notice` as DOCX bytes.
pub fn render_docx(notice: &Notice) -> Result<Vec<u8>, RenderError> {
    let view = NoticeView::new(notice);
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
// WordprocessingML pieces
// ---------------------------------------------------------------------------

const XML_DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
const NS_W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const NS_R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Center,
    Right,
    /// Justified (两端对齐).
    Both,
    /// Justified, the last line too (分散对齐).
    Distribute,
}

impl Align {
    fn val(self) -> &'static str {
        match self {
            Align::Left => "left",
            Align::Center => "center",
            Align::Right => "right",
            Align::Both => "both",
            Align::Distribute => "distribute",
        }
    }
}

/// How a run looks: the font of its role at a size, and the few marks a notice uses.
#[derive(Debug, Clone, Copy)]
struct Look {
    role: FontRole,
    size_pt: f64,
    bold: bool,
    red: bool,
    /// Horizontal scale in percent (the 发文机关标志 fitted to the 版心).
    stretch: Option<u32>,
    /// Added to the character spacing of 3号 runs, twips (a condensed 附件说明).
    extra_spacing: i32,
}

impl Look {
    fn new(role: FontRole, size_pt: f64) -> Self {
        Look {
            role,
            size_pt,
            bold: false,
            red: false,
            stretch: None,
            extra_spacing: 0,
        }
    }

    /// `w:rPr` in `CT_RPr` order. Every run names its East Asian font and a Latin one,
    /// so Word and WPS set digits and letters in the same run properly, and hints East
    /// Asian, so that characters of either kind (①, “”, —) take the Chinese face; 3号
    /// runs are condensed to the 28-per-line pitch.
    fn write(&self, out: &mut String) {
        let latin = self.role.latin_fallback();
        put!(
            out,
            r#"<w:rPr><w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:cs="{latin}" w:eastAsia="{}" w:hint="eastAsia" />"#,
            self.role.windows_name()
        );
        if self.bold {
            out.push_str("<w:b /><w:bCs />");
        }
        if self.red {
            put!(out, r#"<w:color w:val="{RED_RGB}" />"#);
        }
        if self.size_pt == SIZE_3 {
            let spacing = BODY_CHAR_SPACING + self.extra_spacing;
            put!(out, r#"<w:spacing w:val="{spacing}" />"#);
        }
        if let Some(percent) = self.stretch {
            put!(out, r#"<w:w w:val="{percent}" />"#);
        }
        let size = half_points(self.size_pt);
        put!(
            out,
            r#"<w:sz w:val="{size}" /><w:szCs w:val="{size}" /></w:rPr>"#
        );
    }
}

/// What comes before a run's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lead {
    Nothing,
    /// A line break (the title's second and later lines).
    LineBreak,
    /// A tab (印发日期 after the right tab stop).
    Tab,
}

/// Paragraph indents, twips.
#[derive(Debug, Clone, Copy, Default)]
struct Indent {
    left: Option<i32>,
    right: Option<i32>,
    first_line: Option<i32>,
    hanging: Option<i32>,
}

/// A paragraph: its properties, and its runs already written.
#[derive(Debug, Default)]
struct Para {
    /// Paragraph style (its font, size and spacing come from `styles.xml`).
    style: Option<&'static str>,
    /// On the same page as the next paragraph (its last line, when it may split).
    keep_next: bool,
    /// Never split across pages.
    keep_lines: bool,
    /// A rule under the paragraph: width in eighths of a point, space above it in
    /// points, colour.
    rule_below: Option<(u32, u32, &'static str)>,
    right_tab: Option<u32>,
    off_grid: bool,
    /// Exact line height and space before and after, twips.
    spacing: Option<(u32, u32, u32)>,
    indent: Indent,
    align: Option<Align>,
    /// Size of the paragraph mark in half-points (a paragraph that only draws a rule
    /// or ends a section).
    mark_size: Option<u32>,
    /// `w:sectPr` of the section this paragraph ends.
    section: Option<Section>,
    runs: String,
}

impl Para {
    fn new() -> Self {
        Para::default()
    }

    fn style(mut self, style_id: &'static str) -> Self {
        self.style = Some(style_id);
        self
    }

    fn align(mut self, align: Align) -> Self {
        self.align = Some(align);
        self
    }

    fn keep_next(mut self, keep: bool) -> Self {
        self.keep_next = keep;
        self
    }

    fn keep_lines(mut self) -> Self {
        self.keep_lines = true;
        self
    }

    /// Not snapped to the document's line grid.
    fn off_grid(mut self) -> Self {
        self.off_grid = true;
        self
    }

    /// Exactly `line` twips high, nothing before or after.
    fn exact(mut self, line: u32) -> Self {
        self.spacing = Some((line, 0, 0));
        self
    }

    /// One body line high (28.95 pt).
    fn body_line(self) -> Self {
        self.exact(LINE)
    }

    fn before(mut self, twips: u32) -> Self {
        let (line, _, after) = self.spacing.unwrap_or((LINE, 0, 0));
        self.spacing = Some((line, twips, after));
        self
    }

    fn after(mut self, twips: u32) -> Self {
        let (line, before, _) = self.spacing.unwrap_or((LINE, 0, 0));
        self.spacing = Some((line, before, twips));
        self
    }

    fn indent(mut self, indent: Indent) -> Self {
        self.indent = indent;
        self
    }

    fn rule_below(mut self, eighths: u32, space_pt: u32, color: &'static str) -> Self {
        self.rule_below = Some((eighths, space_pt, color));
        self
    }

    fn right_tab(mut self, position: u32) -> Self {
        self.right_tab = Some(position);
        self
    }

    fn mark_size(mut self, half_points: u32) -> Self {
        self.mark_size = Some(half_points);
        self
    }

    /// Adds a run of `text` (nothing when it is empty and has no lead).
    fn run(mut self, look: Look, lead: Lead, text: &str) -> Self {
        if text.is_empty() && lead == Lead::Nothing {
            return self;
        }
        let out = &mut self.runs;
        out.push_str("<w:r>");
        look.write(out);
        match lead {
            Lead::Nothing => {}
            Lead::LineBreak => out.push_str(r#"<w:br w:type="textWrapping" />"#),
            Lead::Tab => out.push_str("<w:tab />"),
        }
        push_text(out, text);
        out.push_str("</w:r>");
        self
    }

    /// Adds a run of `text` in the paragraph style's font, bold or not.
    fn styled_text(mut self, bold: bool, text: &str) -> Self {
        if text.is_empty() {
            return self;
        }
        let out = &mut self.runs;
        out.push_str("<w:r>");
        if bold {
            out.push_str("<w:rPr><w:b /><w:bCs /></w:rPr>");
        }
        push_text(out, text);
        out.push_str("</w:r>");
        self
    }

    fn text(self, look: Look, text: &str) -> Self {
        self.run(look, Lead::Nothing, text)
    }

    /// A title's lines in 2号小标宋, broken where the layout broke them.
    fn title(mut self, lines: &[String]) -> Self {
        let look = Look::new(FontRole::XiaoBiaoSong, SIZE_2);
        for (i, line) in lines.iter().enumerate() {
            let lead = if i > 0 {
                Lead::LineBreak
            } else {
                Lead::Nothing
            };
            self = self.run(look, lead, line);
        }
        self
    }

    /// `w:p`, its `w:pPr` children in `CT_PPr` order.
    fn write(&self, out: &mut String) {
        out.push_str("<w:p>");
        let start = out.len();
        out.push_str("<w:pPr>");
        if let Some(style) = self.style {
            put!(out, r#"<w:pStyle w:val="{style}" />"#);
        }
        if self.keep_next {
            out.push_str("<w:keepNext />");
        }
        if self.keep_lines {
            out.push_str("<w:keepLines />");
        }
        if let Some((size, space, color)) = self.rule_below {
            put!(
                out,
                r#"<w:pBdr><w:bottom w:val="single" w:space="{space}" w:sz="{size}" w:color="{color}" /></w:pBdr>"#
            );
        }
        if let Some(position) = self.right_tab {
            put!(
                out,
                r#"<w:tabs><w:tab w:val="right" w:pos="{position}" /></w:tabs>"#
            );
        }
        if self.off_grid {
            out.push_str(r#"<w:snapToGrid w:val="0" />"#);
        }
        if let Some((line, before, after)) = self.spacing {
            put!(
                out,
                r#"<w:spacing w:before="{before}" w:after="{after}" w:line="{line}" w:lineRule="exact" />"#
            );
        }
        let Indent {
            left,
            right,
            first_line,
            hanging,
        } = self.indent;
        if left.is_some() || right.is_some() || first_line.is_some() || hanging.is_some() {
            out.push_str("<w:ind");
            for (name, value) in [
                ("left", left),
                ("right", right),
                ("hanging", hanging),
                ("firstLine", first_line),
            ] {
                if let Some(v) = value {
                    put!(out, r#" w:{name}="{v}""#);
                }
            }
            out.push_str(" />");
        }
        if let Some(align) = self.align {
            put!(out, r#"<w:jc w:val="{}" />"#, align.val());
        }
        if let Some(size) = self.mark_size {
            put!(
                out,
                r#"<w:rPr><w:sz w:val="{size}" /><w:szCs w:val="{size}" /></w:rPr>"#
            );
        }
        if let Some(section) = &self.section {
            section.write(out);
        }
        if out.len() == start + "<w:pPr>".len() {
            out.truncate(start);
        } else {
            out.push_str("</w:pPr>");
        }
        out.push_str(&self.runs);
        out.push_str("</w:p>");
    }
}

/// `w:t` holding `text`, spaces kept; nothing when `text` is empty.
fn push_text(out: &mut String, text: &str) {
    if !text.is_empty() {
        out.push_str(r#"<w:t xml:space="preserve">"#);
        escape_into(out, text);
        out.push_str("</w:t>");
    }
}

/// The footer parts, by relationship id: page numbers on odd pages (right), on even
/// pages (left), and a blank one for the 版记 page.
const FOOTER_ODD: &str = "rIdFooter1";
const FOOTER_EVEN: &str = "rIdFooter2";
const FOOTER_BLANK: &str = "rIdFooter3";

/// A section's page set-up.
#[derive(Debug, Clone, Copy)]
struct Section {
    orientation: Orientation,
    page_numbers: bool,
    /// The 22-line grid of the notice's pages.
    line_grid: bool,
}

impl Section {
    /// `w:sectPr`, children in `CT_SectPr` order.
    fn write(&self, out: &mut String) {
        let (odd, even) = if self.page_numbers {
            (FOOTER_ODD, FOOTER_EVEN)
        } else {
            (FOOTER_BLANK, FOOTER_BLANK)
        };
        let portrait = (
            mm_to_twips(layout::PAGE_WIDTH_MM),
            mm_to_twips(layout::PAGE_HEIGHT_MM),
        );
        let (width, height, orient, [top, right, bottom, left]) = match self.orientation {
            Orientation::Portrait => (
                portrait.0,
                portrait.1,
                "portrait",
                [
                    layout::MARGIN_TOP_MM,
                    layout::MARGIN_RIGHT_MM,
                    layout::MARGIN_BOTTOM_MM,
                    layout::MARGIN_LEFT_MM,
                ],
            ),
            Orientation::Landscape => (
                portrait.1,
                portrait.0,
                "landscape",
                [
                    layout::LANDSCAPE_MARGIN_TOP_MM,
                    layout::LANDSCAPE_MARGIN_RIGHT_MM,
                    layout::LANDSCAPE_MARGIN_BOTTOM_MM,
                    layout::LANDSCAPE_MARGIN_LEFT_MM,
                ],
            ),
        };
        put!(
            out,
            concat!(
                r#"<w:sectPr><w:footerReference w:type="default" r:id="{odd}" />"#,
                r#"<w:footerReference w:type="even" r:id="{even}" />"#,
                r#"<w:pgSz w:w="{width}" w:h="{height}" w:orient="{orient}" />"#,
                r#"<w:pgMar w:top="{top}" w:right="{right}" w:bottom="{bottom}" w:left="{left}" "#,
                r#"w:header="851" w:footer="{footer}" w:gutter="0" /><w:cols w:space="425" />"#
            ),
            odd = odd,
            even = even,
            width = width,
            height = height,
            orient = orient,
            top = mm_to_twips(top),
            right = mm_to_twips(right),
            bottom = mm_to_twips(bottom),
            left = mm_to_twips(left),
            footer = footer_distance(bottom),
        );
        if self.line_grid {
            put!(out, r#"<w:docGrid w:type="lines" w:linePitch="{LINE}" />"#);
        }
        out.push_str("</w:sectPr>");
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

struct Parts {
    document: String,
    styles: String,
    footers: [String; 3],
    core: String,
}

/// A footer part holding `paragraph`, or an empty paragraph.
fn footer_xml(paragraph: Option<Para>) -> String {
    let mut out = String::with_capacity(2048);
    out.push_str(XML_DECLARATION);
    put!(out, r#"<w:ftr xmlns:w="{NS_W}" xmlns:r="{NS_R}">"#);
    paragraph.unwrap_or_default().write(&mut out);
    out.push_str("</w:ftr>");
    out
}

/// The document's properties: title and author (the 发文机关) as Word shows them, and
/// the fixed creation time.
fn core_xml(notice: &Notice, stamp: &Stamp) -> String {
    let mut out = String::with_capacity(1024);
    out.push_str(XML_DECLARATION);
    out.push_str(concat!(
        r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" "#,
        r#"xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" "#,
        r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#
    ));
    let document = &notice.document;
    if let Some(title) = document.title.as_deref().filter(|t| !t.is_empty()) {
        out.push_str("<dc:title>");
        escape_into(&mut out, title);
        out.push_str("</dc:title>");
    }
    if let Some(issuer) = document.issuer.as_deref().filter(|t| !t.is_empty()) {
        out.push_str("<dc:creator>");
        escape_into(&mut out, issuer);
        out.push_str("</dc:creator>");
    }
    let time = stamp.w3c();
    put!(
        out,
        concat!(
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">{time}</dcterms:created>"#,
            r#"<dcterms:modified xsi:type="dcterms:W3CDTF">{time}</dcterms:modified>"#,
            "</cp:coreProperties>"
        ),
        time = time
    );
    out
}

const CONTENT_TYPES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
    r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />"#,
    r#"<Default Extension="xml" ContentType="application/xml" />"#,
    r#"<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml" />"#,
    r#"<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml" />"#,
    r#"<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml" />"#,
    r#"<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml" />"#,
    r#"<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml" />"#,
    r#"<Override PartName="/word/footer2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml" />"#,
    r#"<Override PartName="/word/footer3.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml" />"#,
    r#"<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml" />"#,
    r#"<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml" />"#,
    "</Types>"
);

const PACKAGE_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml" />"#,
    r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml" />"#,
    r#"<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml" />"#,
    "</Relationships>"
);

const DOCUMENT_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml" />"#,
    r#"<Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml" />"#,
    r#"<Relationship Id="rIdFontTable" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml" />"#,
    r#"<Relationship Id="rIdFooter1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml" />"#,
    r#"<Relationship Id="rIdFooter2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer2.xml" />"#,
    r#"<Relationship Id="rIdFooter3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer3.xml" />"#,
    "</Relationships>"
);

const APP_PROPERTIES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">"#,
    "<Application>duban</Application></Properties>"
);

/// The table's paragraph styles: 4号仿宋 justified on exact 20 pt lines, and the header
/// row's 4号黑体 centred. An office adjusts the whole table by changing one style.
const TABLE_TEXT_STYLE: &str = "TableText";
const TABLE_HEADING_STYLE: &str = "TableHeading";

/// Defaults: 3号仿宋_GB2312 with Times New Roman for Latin text, Chinese as the East
/// Asian language. The Normal style repeats the size because LibreOffice sizes its
/// layout grid from the Normal style only (not docDefaults) and otherwise spreads 16 pt
/// text over two 12 pt cells; it also turns off the automatic space between Chinese and
/// digits (2020年10月15日, not 2020 年 10 月 15 日), as 公文 count every character on
/// the grid. Then the table's styles.
fn styles_xml() -> String {
    let mut out = String::with_capacity(4096);
    out.push_str(XML_DECLARATION);
    let body = half_points(SIZE_3);
    put!(
        out,
        concat!(
            r#"<w:styles xmlns:w="{ns}"><w:docDefaults><w:rPrDefault><w:rPr>"#,
            r#"<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman" w:eastAsia="仿宋_GB2312" w:hint="eastAsia" />"#,
            r#"<w:sz w:val="{body}" /><w:szCs w:val="{body}" /><w:lang w:val="en-US" w:eastAsia="zh-CN" />"#,
            r#"</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr /></w:pPrDefault></w:docDefaults>"#,
            r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal" /><w:qFormat />"#,
            r#"<w:pPr><w:autoSpaceDE w:val="0" /><w:autoSpaceDN w:val="0" /></w:pPr>"#,
            r#"<w:rPr><w:sz w:val="{body}" /><w:szCs w:val="{body}" /></w:rPr></w:style>"#
        ),
        ns = NS_W,
        body = body,
    );
    let table_style = |out: &mut String, id: &str, name: &str, align: Align, role: FontRole| {
        put!(
            out,
            concat!(
                r#"<w:style w:type="paragraph" w:customStyle="1" w:styleId="{id}"><w:name w:val="{name}" />"#,
                r#"<w:basedOn w:val="Normal" /><w:qFormat /><w:pPr><w:snapToGrid w:val="0" />"#,
                r#"<w:spacing w:before="0" w:after="0" w:line="{line}" w:lineRule="exact" />"#,
                r#"<w:jc w:val="{align}" /></w:pPr>"#
            ),
            id = id,
            name = name,
            line = (TABLE_LINE_PT * 20.0) as u32,
            align = align.val(),
        );
        Look::new(role, TABLE_FONT_PT).write(out);
        out.push_str("</w:style>");
    };
    table_style(
        &mut out,
        TABLE_TEXT_STYLE,
        "表格文字",
        Align::Both,
        FontRole::FangSong,
    );
    table_style(
        &mut out,
        TABLE_HEADING_STYLE,
        "表格标题行",
        Align::Center,
        FontRole::HeiTi,
    );
    out.push_str("</w:styles>");
    out
}

/// Zoom, the default tab stop, different footers on odd and even pages (page numbers
/// right and left), and Word 2013+ layout (compatibilityMode 15).
const SETTINGS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:zoom w:percent="100" /><w:defaultTabStop w:val="840" /><w:evenAndOddHeaders />"#,
    r#"<w:compat><w:spaceForUL /><w:balanceSingleByteDoubleByteWidth /><w:doNotLeaveBackslashAlone />"#,
    r#"<w:ulTrailSpace /><w:doNotExpandShiftReturn /><w:useFELayout />"#,
    r#"<w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15" />"#,
    r#"<w:compatSetting w:name="overrideTableStyleFontSizeAndJustification" w:uri="http://schemas.microsoft.com/office/word" w:val="1" />"#,
    r#"<w:compatSetting w:name="enableOpenTypeFeatures" w:uri="http://schemas.microsoft.com/office/word" w:val="1" />"#,
    r#"<w:compatSetting w:name="doNotFlipMirrorIndents" w:uri="http://schemas.microsoft.com/office/word" w:val="1" />"#,
    r#"<w:compatSetting w:name="differentiateMultirowTableHeaders" w:uri="http://schemas.microsoft.com/office/word" w:val="1" />"#,
    r#"<w:compatSetting w:name="useWord2013TrackBottomHyphenation" w:uri="http://schemas.microsoft.com/office/word" w:val="0" />"#,
    r#"</w:compat></w:settings>"#
);

/// The fonts the notice names, each with the font Word and WPS substitute when it is
/// not installed (`w:altName`): a Windows 10 office has 仿宋 and 楷体 but often not the
/// GB2312 versions, and rarely 方正小标宋简体.
const FONT_TABLE: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋" /><w:charset w:val="86" /><w:family w:val="modern" /><w:pitch w:val="fixed" /></w:font>"#,
    r#"<w:font w:name="方正小标宋简体"><w:altName w:val="宋体" /><w:charset w:val="86" /><w:family w:val="script" /><w:pitch w:val="fixed" /></w:font>"#,
    r#"<w:font w:name="黑体"><w:altName w:val="SimHei" /><w:charset w:val="86" /><w:family w:val="modern" /><w:pitch w:val="fixed" /></w:font>"#,
    r#"<w:font w:name="楷体_GB2312"><w:altName w:val="楷体" /><w:charset w:val="86" /><w:family w:val="modern" /><w:pitch w:val="fixed" /></w:font>"#,
    r#"<w:font w:name="宋体"><w:altName w:val="SimSun" /><w:charset w:val="86" /><w:family w:val="auto" /><w:pitch w:val="variable" /></w:font>"#,
    r#"<w:font w:name="Times New Roman"><w:charset w:val="00" /><w:family w:val="roman" /><w:pitch w:val="variable" /></w:font>"#,
    r#"<w:font w:name="Arial"><w:charset w:val="00" /><w:family w:val="swiss" /><w:pitch w:val="variable" /></w:font>"#,
    "</w:fonts>"
);

/// Parts smaller than this are stored rather than deflated (see [`package`]).
const SMALLEST_DEFLATED_PART: usize = 4096;

fn package(parts: &Parts, stamp: &Stamp) -> Result<Vec<u8>, RenderError> {
    let entries: [(&str, &[u8]); 12] = [
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", PACKAGE_RELS.as_bytes()),
        ("docProps/core.xml", parts.core.as_bytes()),
        ("docProps/app.xml", APP_PROPERTIES.as_bytes()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.as_bytes()),
        ("word/document.xml", parts.document.as_bytes()),
        ("word/styles.xml", parts.styles.as_bytes()),
        ("word/settings.xml", SETTINGS.as_bytes()),
        ("word/fontTable.xml", FONT_TABLE.as_bytes()),
        ("word/footer1.xml", parts.footers[0].as_bytes()),
        ("word/footer2.xml", parts.footers[1].as_bytes()),
        ("word/footer3.xml", parts.footers[2].as_bytes()),
    ];

    let time = zip::DateTime::from_date_and_time(stamp.year, stamp.month, stamp.day, 0, 0, 0)
        .unwrap_or_default();
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(time)
        .unix_permissions(0o644);
    let deflated = stored
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    let capacity = parts.document.len() / 2 + 16 * 1024;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(capacity)));
    let zip_error = |e: zip::result::ZipError| RenderError::Docx(format!("打包失败：{e}"));
    for (name, bytes) in entries {
        // Each deflate stream starts by clearing ~300 KiB of window and hash tables:
        // for parts of a few hundred bytes that costs more than it saves.
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
