//! WordprocessingML pieces: paragraphs (`Para`) with their properties in schema
//! order, runs (`Look`), sections and their footers.

use std::fmt::Write as _;

use super::*;

// ---------------------------------------------------------------------------
// WordprocessingML pieces
// ---------------------------------------------------------------------------

pub(super) const XML_DECLARATION: &str =
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
pub(super) const NS_W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
pub(super) const NS_R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Align {
    Left,
    Center,
    Right,
    /// Justified (两端对齐).
    Both,
    /// Justified, the last line too (分散对齐).
    Distribute,
}

impl Align {
    pub(super) fn val(self) -> &'static str {
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
pub(super) struct Look {
    pub(super) role: FontRole,
    pub(super) size_pt: f64,
    pub(super) bold: bool,
    pub(super) red: bool,
    /// Horizontal scale in percent (the 发文机关标志 fitted to the 版心).
    pub(super) stretch: Option<u32>,
    /// Added to the character spacing of 3号 runs, twips (a condensed 附件说明).
    pub(super) extra_spacing: i32,
}

impl Look {
    pub(super) fn new(role: FontRole, size_pt: f64) -> Self {
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
    pub(super) fn write(&self, out: &mut String) {
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
pub(super) enum Lead {
    Nothing,
    /// A line break (the title's second and later lines).
    LineBreak,
    /// A tab (印发日期 after the right tab stop).
    Tab,
}

/// Paragraph indents, twips.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Indent {
    pub(super) left: Option<i32>,
    pub(super) right: Option<i32>,
    pub(super) first_line: Option<i32>,
    pub(super) hanging: Option<i32>,
}

/// A paragraph: its properties, and its runs already written.
#[derive(Debug, Default)]
pub(super) struct Para {
    /// Paragraph style (its font, size and spacing come from `styles.xml`).
    pub(super) style: Option<&'static str>,
    /// On the same page as the next paragraph (its last line, when it may split).
    pub(super) keep_next: bool,
    /// Never split across pages.
    pub(super) keep_lines: bool,
    /// A rule under the paragraph: width in eighths of a point, space above it in
    /// points, colour.
    pub(super) rule_below: Option<(u32, u32, &'static str)>,
    pub(super) right_tab: Option<u32>,
    pub(super) off_grid: bool,
    /// Exact line height and space before and after, twips.
    pub(super) spacing: Option<(u32, u32, u32)>,
    pub(super) indent: Indent,
    pub(super) align: Option<Align>,
    /// Size of the paragraph mark in half-points (a paragraph that only draws a rule
    /// or ends a section).
    pub(super) mark_size: Option<u32>,
    /// `w:sectPr` of the section this paragraph ends.
    pub(super) section: Option<Section>,
    pub(super) runs: String,
}

impl Para {
    pub(super) fn new() -> Self {
        Para::default()
    }

    pub(super) fn style(mut self, style_id: &'static str) -> Self {
        self.style = Some(style_id);
        self
    }

    pub(super) fn align(mut self, align: Align) -> Self {
        self.align = Some(align);
        self
    }

    pub(super) fn keep_next(mut self, keep: bool) -> Self {
        self.keep_next = keep;
        self
    }

    pub(super) fn keep_lines(mut self) -> Self {
        self.keep_lines = true;
        self
    }

    /// Not snapped to the document's line grid.
    pub(super) fn off_grid(mut self) -> Self {
        self.off_grid = true;
        self
    }

    /// Exactly `line` twips high, nothing before or after.
    pub(super) fn exact(mut self, line: u32) -> Self {
        self.spacing = Some((line, 0, 0));
        self
    }

    /// One body line high (28.95 pt).
    pub(super) fn body_line(self) -> Self {
        self.exact(LINE)
    }

    pub(super) fn before(mut self, twips: u32) -> Self {
        let (line, _, after) = self.spacing.unwrap_or((LINE, 0, 0));
        self.spacing = Some((line, twips, after));
        self
    }

    pub(super) fn after(mut self, twips: u32) -> Self {
        let (line, before, _) = self.spacing.unwrap_or((LINE, 0, 0));
        self.spacing = Some((line, before, twips));
        self
    }

    pub(super) fn indent(mut self, indent: Indent) -> Self {
        self.indent = indent;
        self
    }

    pub(super) fn rule_below(mut self, eighths: u32, space_pt: u32, color: &'static str) -> Self {
        self.rule_below = Some((eighths, space_pt, color));
        self
    }

    pub(super) fn right_tab(mut self, position: u32) -> Self {
        self.right_tab = Some(position);
        self
    }

    pub(super) fn mark_size(mut self, half_points: u32) -> Self {
        self.mark_size = Some(half_points);
        self
    }

    /// Adds a run of `text` (nothing when it is empty and has no lead).
    pub(super) fn run(mut self, look: Look, lead: Lead, text: &str) -> Self {
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
    pub(super) fn styled_text(mut self, bold: bool, text: &str) -> Self {
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

    pub(super) fn text(self, look: Look, text: &str) -> Self {
        self.run(look, Lead::Nothing, text)
    }

    /// A title's lines in 2号小标宋, broken where the layout broke them.
    pub(super) fn title(mut self, lines: &[String]) -> Self {
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
    pub(super) fn write(&self, out: &mut String) {
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
pub(super) fn push_text(out: &mut String, text: &str) {
    if !text.is_empty() {
        out.push_str(r#"<w:t xml:space="preserve">"#);
        escape_into(out, text);
        out.push_str("</w:t>");
    }
}

/// The footer parts, by relationship id: page numbers on odd pages (right), on even
/// pages (left), and a blank one for the 版记 page.
pub(super) const FOOTER_ODD: &str = "rIdFooter1";
pub(super) const FOOTER_EVEN: &str = "rIdFooter2";
pub(super) const FOOTER_BLANK: &str = "rIdFooter3";

/// A section's page set-up.
#[derive(Debug, Clone, Copy)]
pub(super) struct Section {
    pub(super) orientation: Orientation,
    pub(super) page_numbers: bool,
    /// The 22-line grid of the notice's pages.
    pub(super) line_grid: bool,
}

impl Section {
    /// `w:sectPr`, children in `CT_SectPr` order.
    pub(super) fn write(&self, out: &mut String) {
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
pub(super) fn footer_distance(bottom_margin_mm: f64) -> i32 {
    let dash_mm = bottom_margin_mm - layout::PAGE_NUMBER_DROP_MM;
    let half_line_mm = SIZE_4 / layout::PT_PER_MM / 2.0;
    mm_to_twips(dash_mm - half_line_mm) as i32
}
