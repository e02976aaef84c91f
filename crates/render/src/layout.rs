//! Shared decisions about how a notice reads on paper (GB/T 9704-2012), used by every
//! output format: the figures of the page, the texts the renderers print (dates, 附注,
//! 发文机关标志, 页码), title line breaking, heading levels of the body, the
//! 署名/成文日期 placement, and the attachment table with its column widths.
//!
//! Nothing here knows about DOCX, typst or HTML: lengths are in millimetres, points or
//! 字 (ems of the 3号 body text), and each renderer converts them.
//!
//! Entry point: [`NoticeView::new`], which pre-computes everything a renderer prints.

mod closing;
mod table;
mod title;

use duban_domain::{Disclosure, Document, Notice, RichText, SignatureLayout, Task};

pub use closing::{Closing, ClosingFit, SignaturePlacement};
pub use table::*;
pub use title::*;

// ---------------------------------------------------------------------------
// Page figures (GB/T 9704-2012 §5, see shared/reference/gbt9704.md)
// ---------------------------------------------------------------------------

/// A4 paper width, mm.
pub const PAGE_WIDTH_MM: f64 = 210.0;
/// A4 paper height, mm.
pub const PAGE_HEIGHT_MM: f64 = 297.0;
/// 天头: top margin, mm.
pub const MARGIN_TOP_MM: f64 = 37.0;
/// 订口: left (binding) margin, mm.
pub const MARGIN_LEFT_MM: f64 = 28.0;
/// Right margin, mm (210 − 28 − 156).
pub const MARGIN_RIGHT_MM: f64 = 26.0;
/// Bottom margin, mm (297 − 37 − 225).
pub const MARGIN_BOTTOM_MM: f64 = 35.0;
/// 版心 width, mm.
pub const TEXT_WIDTH_MM: f64 = 156.0;
/// 版心 height, mm.
pub const TEXT_HEIGHT_MM: f64 = 225.0;
/// Lines per page (一般每面排22行).
pub const LINES_PER_PAGE: u32 = 22;
/// Characters per line (每行排28个字).
pub const CHARS_PER_LINE: u32 = 28;
/// Fixed line pitch of the body, pt (225 mm / 22 ≈ 28.99 pt; Word templates use 28.95).
pub const LINE_PITCH_PT: f64 = 28.95;
/// Character pitch of the body, pt: the 版心 width over 28 characters (≈ 15.79 pt).
pub const CHAR_PITCH_PT: f64 = TEXT_WIDTH_MM * PT_PER_MM / CHARS_PER_LINE as f64;
/// 一字线 of the page number: this far below the bottom of the 版心, mm (§7.5).
pub const PAGE_NUMBER_DROP_MM: f64 = 7.0;
/// The red rule under the 发文字号: this far below it, mm (§7.2.7).
pub const RED_RULE_GAP_MM: f64 = 4.0;
/// The 发文机关标志's top edge: this far below the top of the 版心, mm (§7.2.4).
pub const ISSUER_MARK_DROP_MM: f64 = 35.0;
/// Thickness of the red rule under the 发文字号, pt (not fixed by the standard).
pub const RED_RULE_PT: f64 = 1.5;
/// 版记 first and last rules (thick, 0.35 mm), pt.
pub const IMPRINT_THICK_RULE_PT: f64 = 0.35 * PT_PER_MM;
/// 版记 rules in between (thin, 0.25 mm), pt.
pub const IMPRINT_THIN_RULE_PT: f64 = 0.25 * PT_PER_MM;

/// Red ink as RGB hex (DOCX/HTML; print: CMYK 0/80/80/0, which PDF can state exactly).
pub const RED_RGB: &str = "FF0000";

/// Landscape attachment pages: the 版心 turned by 90° (225 mm wide, 156 mm high).
/// Margins: top 28, bottom 26, left 37, right 35 mm.
pub const LANDSCAPE_MARGIN_TOP_MM: f64 = 28.0;
/// See [`LANDSCAPE_MARGIN_TOP_MM`].
pub const LANDSCAPE_MARGIN_BOTTOM_MM: f64 = 26.0;
/// See [`LANDSCAPE_MARGIN_TOP_MM`].
pub const LANDSCAPE_MARGIN_LEFT_MM: f64 = 37.0;
/// See [`LANDSCAPE_MARGIN_TOP_MM`].
pub const LANDSCAPE_MARGIN_RIGHT_MM: f64 = 35.0;

/// Points per millimetre.
pub const PT_PER_MM: f64 = 72.0 / 25.4;

/// Millimetres to points.
pub fn mm_to_pt(mm: f64) -> f64 {
    mm * PT_PER_MM
}

/// Millimetres to twips (1/20 pt), rounded: 37 mm → 2098, 210 mm → 11906.
pub fn mm_to_twips(mm: f64) -> u32 {
    (mm * PT_PER_MM * 20.0).round().max(0.0) as u32
}

// ---------------------------------------------------------------------------
// Type: sizes (pt) and font roles
// ---------------------------------------------------------------------------

/// 初号, used for the 发文机关标志 before horizontal scaling.
pub const SIZE_CHUHAO: f64 = 42.0;
/// 二号: the title.
pub const SIZE_2: f64 = 22.0;
/// Space between two lines of a title, in ems of its 2号 (a title is not on the body's
/// grid: its lines are 1.5 × 22 pt apart).
pub const TITLE_LEADING_EM: f64 = 0.5;
/// 三号: body, 主送, 署名, 日期, 附注, “附件”.
pub const SIZE_3: f64 = 16.0;
/// 四号: page numbers, 版记, and the attachment table's text.
pub const SIZE_4: f64 = 14.0;

/// Attachment table: font size of header and cells, pt (四号).
pub const TABLE_FONT_PT: f64 = SIZE_4;
/// Attachment table: exact line pitch inside cells, pt.
pub const TABLE_LINE_PT: f64 = 20.0;
/// Attachment table: left + right inner padding of one cell, mm (Word's default
/// 0.19 cm on each side).
pub const TABLE_CELL_PADDING_MM: f64 = 3.8;
/// Attachment table: grid line width, pt.
pub const TABLE_RULE_PT: f64 = 0.5;

/// The typefaces a notice uses, by role. Renderers map them to font names
/// ([`FontRole::windows_name`] for DOCX) or to font files (PDF).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FontRole {
    /// 小标宋: 发文机关标志, title, attachment table title.
    XiaoBiaoSong,
    /// 仿宋: body and nearly everything else.
    FangSong,
    /// 黑体: first-level headings “一、”, “附件”, table header.
    HeiTi,
    /// 楷体: second-level headings “（一）”.
    KaiTi,
    /// 宋体: page numbers.
    SongTi,
}

impl FontRole {
    /// The font name an office's Word/WPS knows (eastAsia font of a DOCX run).
    pub fn windows_name(self) -> &'static str {
        match self {
            FontRole::XiaoBiaoSong => "方正小标宋简体",
            FontRole::FangSong => "仿宋_GB2312",
            FontRole::HeiTi => "黑体",
            FontRole::KaiTi => "楷体_GB2312",
            FontRole::SongTi => "宋体",
        }
    }

    /// A font for Latin letters and digits in the same run (DOCX ascii/hAnsi).
    pub fn latin_fallback(self) -> &'static str {
        match self {
            FontRole::HeiTi => "Arial",
            _ => "Times New Roman",
        }
    }
}

// ---------------------------------------------------------------------------
// Texts
// ---------------------------------------------------------------------------

/// 成文日期 / 印发日期 as the standard writes it: Arabic numerals, full year, no zero
/// padding — `2020年10月15日`.
pub use duban_domain::chinese_date_text as date_text;

/// The 附注 for a 公开属性: `（此件主动公开）`.
pub fn disclosure_note(disclosure: Disclosure) -> String {
    format!("（此件{}）", disclosure.label())
}

/// 发文机关标志: the issuer plus 文件 — `泉州市鲤城区人民政府办公室文件`. `None` when the
/// document names no issuer (nothing is invented). An issuer already ending in 文件 is
/// kept as is.
pub fn issuer_mark(document: &Document) -> Option<String> {
    let issuer = document.issuer.as_deref()?.trim();
    if issuer.is_empty() {
        return None;
    }
    Some(if issuer.ends_with("文件") {
        issuer.to_string()
    } else {
        format!("{issuer}文件")
    })
}

/// Horizontal scale (0–1] that makes `text` at `size_pt` fit `width_mm`:
/// `min(1, width / (字数 × size))`. 15 characters at 42 pt in 156 mm → 0.70.
pub fn fit_scale(text: &str, size_pt: f64, width_mm: f64) -> f64 {
    let width = text_width_em(text) * size_pt;
    if width <= 0.0 {
        return 1.0;
    }
    (mm_to_pt(width_mm) / width).min(1.0)
}

/// The page number as printed: `— 1 —` (一字线, space, number, space, 一字线).
pub fn page_number_text(page: u32) -> String {
    format!("— {page} —")
}

/// Width of `text` in ems: full-width characters count 1, ASCII and other half-width
/// characters ½ (what 仿宋 does with digits such as the year of a date).
pub fn text_width_em(text: &str) -> f64 {
    text.chars()
        .map(|c| if is_half_width(c) { 0.5 } else { 1.0 })
        .sum()
}

fn is_half_width(c: char) -> bool {
    c.is_ascii() || ('\u{FF61}'..='\u{FFDC}').contains(&c)
}

// ---------------------------------------------------------------------------
// Body
// ---------------------------------------------------------------------------

/// Heading level of a body paragraph (GB/T 9704 §7.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HeadingLevel {
    /// `一、` — 黑体.
    First,
    /// `（一）` — 楷体.
    Second,
    /// `1.` — 仿宋.
    Third,
    /// `（1）` — 仿宋.
    Fourth,
}

impl HeadingLevel {
    /// The typeface of the heading text.
    pub fn font(self) -> FontRole {
        match self {
            HeadingLevel::First => FontRole::HeiTi,
            HeadingLevel::Second => FontRole::KaiTi,
            HeadingLevel::Third | HeadingLevel::Fourth => FontRole::FangSong,
        }
    }
}

/// The heading level a paragraph starts with, if any: `一、` … `十二、`, `（一）`,
/// `1.`/`1．`, `（1）`.
pub fn heading_level(text: &str) -> Option<HeadingLevel> {
    const CN: &[char] = &['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
    let t = text.trim_start();
    let cn_len = t.chars().take_while(|c| CN.contains(c)).count();
    if (1..=3).contains(&cn_len) && t.chars().nth(cn_len) == Some('、') {
        return Some(HeadingLevel::First);
    }
    if let Some(inner) = t.strip_prefix('（').or_else(|| t.strip_prefix('(')) {
        let k = inner.chars().take_while(|c| CN.contains(c)).count();
        if (1..=3).contains(&k) && matches!(inner.chars().nth(k), Some('）' | ')')) {
            return Some(HeadingLevel::Second);
        }
        let d = inner.chars().take_while(char::is_ascii_digit).count();
        if (1..=2).contains(&d) && matches!(inner.chars().nth(d), Some('）' | ')')) {
            return Some(HeadingLevel::Fourth);
        }
    }
    let d = t.chars().take_while(char::is_ascii_digit).count();
    if (1..=2).contains(&d) && matches!(t.chars().nth(d), Some('.' | '．')) {
        return Some(HeadingLevel::Third);
    }
    None
}

/// A 正文 paragraph split for typesetting: an optional heading (its level and text up to
/// and including the first 。 when more follows) and the rest in 仿宋.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyParagraph {
    pub level: Option<HeadingLevel>,
    /// Heading text (empty when `level` is `None`).
    pub heading: String,
    /// The rest of the paragraph, in the body face.
    pub text: String,
}

impl BodyParagraph {
    /// Splits `text` into heading and rest.
    pub fn new(text: &str) -> Self {
        let text = text.trim();
        let Some(level) = heading_level(text) else {
            return BodyParagraph {
                level: None,
                heading: String::new(),
                text: text.to_string(),
            };
        };
        let split = text
            .char_indices()
            .find(|(_, c)| *c == '。')
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or(text.len());
        BodyParagraph {
            level: Some(level),
            heading: text[..split].to_string(),
            text: text[split..].to_string(),
        }
    }
}

// ---------------------------------------------------------------------------
// The whole notice
// ---------------------------------------------------------------------------

/// Everything a renderer prints, in reading order, with the decisions made once.
/// Fields are `None`/empty when the notice does not have them (nothing is invented).
#[derive(Debug, Clone, PartialEq)]
pub struct NoticeView {
    /// 发文机关标志, e.g. `泉州市鲤城区人民政府办公室文件`.
    pub issuer_mark: Option<String>,
    /// Horizontal scale of the 发文机关标志 at [`SIZE_CHUHAO`] to fit the 版心 (≤ 1).
    pub issuer_mark_scale: f64,
    /// 发文字号 in normal form `泉鲤政办〔2020〕48号`.
    pub doc_number: Option<String>,
    /// The title broken into balanced lines (2号, ≤ 20 字 each).
    pub title_lines: Vec<String>,
    /// 主送机关 line, ending in `：`.
    pub recipients: Option<String>,
    /// 正文 paragraphs.
    pub body: Vec<BodyParagraph>,
    /// 附件说明 `附件：名称`.
    pub attachment_note: Option<String>,
    /// 署名.
    pub signatory: Option<String>,
    /// 成文日期 `2020年10月15日`.
    pub date: Option<String>,
    /// Placement of 署名 and 成文日期 (sealed or not: `with_layout`), in 字 as the
    /// layout estimates the widths (the PDF measures them).
    pub signature: SignaturePlacement,
    pub layout: SignatureLayout,
    /// Spacing of 附件说明, 署名, 成文日期 and 附注, and how they meet the page's end.
    pub closing: Closing,
    /// 附注 `（此件主动公开）`.
    pub note: Option<String>,
    /// The attachment's label: `附件` (one attachment).
    pub attachment_label: &'static str,
    /// The attachment table's title (centred above it).
    pub table_title: Option<String>,
    pub table: TableView,
    /// 版记: `抄送：甲，乙。`.
    pub copy_to: Option<String>,
    /// 版记: 印发机关.
    pub printed_by: Option<String>,
    /// 版记: `2020年10月15日印发`.
    pub printed_on: Option<String>,
}

impl NoticeView {
    /// The notice laid out to be sealed (§7.3.5.1), the default for notices.
    pub fn new(notice: &Notice) -> Self {
        Self::with_layout(notice, SignatureLayout::Sealed)
    }

    pub fn with_layout(notice: &Notice, layout: SignatureLayout) -> Self {
        let d = &notice.document;
        let issuer_mark = issuer_mark(d);
        let issuer_mark_scale = issuer_mark
            .as_deref()
            .map_or(1.0, |m| fit_scale(m, SIZE_CHUHAO, TEXT_WIDTH_MM));
        let non_empty = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let title_lines = d
            .title
            .as_deref()
            .map(|t| title_lines(t, title_chars_per_line()))
            .unwrap_or_default();
        let recipients = (!d.recipients.is_empty()).then(|| {
            let list = d.recipients.join("，");
            format!("{}：", list.trim_end_matches(['：', ':']))
        });
        let signatory = non_empty(&d.signatory);
        let date = d.date.map(date_text);
        let signature = SignaturePlacement::for_layout(
            signatory.as_deref().unwrap_or_default(),
            date.as_deref().unwrap_or_default(),
            layout,
        );
        let copy_to = (!d.copy_to.is_empty()).then(|| {
            let list = d.copy_to.join("，");
            format!("抄送：{}。", list.trim_end_matches('。'))
        });
        let printed_on = d.printed_on.map(|date| format!("{}印发", date_text(date)));
        let doc_number = d.doc_number.as_ref().map(ToString::to_string);
        let body: Vec<BodyParagraph> = d
            .body
            .iter()
            .filter(|p| !p.trim().is_empty())
            .map(|p| BodyParagraph::new(p))
            .collect();
        let attachment_note = non_empty(&d.attachment).map(|a| format!("附件：{a}"));
        let note = d.disclosure.map(disclosure_note);
        let closing = Closing::new(
            &closing::TextAbove {
                has_issuer_mark: issuer_mark.is_some(),
                has_doc_number: doc_number.is_some(),
                title_lines: title_lines.len(),
                recipients: recipients.as_deref(),
                body: &body,
            },
            &closing::ClosingText {
                attachment_note: attachment_note.as_deref(),
                signatory: signatory.is_some(),
                date: date.is_some(),
                note: note.is_some(),
                layout,
            },
        );
        NoticeView {
            issuer_mark,
            issuer_mark_scale,
            doc_number,
            title_lines,
            recipients,
            body,
            attachment_note,
            signatory,
            date,
            signature,
            layout,
            closing,
            note,
            attachment_label: "附件",
            table_title: non_empty(&d.table_title),
            table: TableView::new(&notice.tasks),
            copy_to,
            printed_by: non_empty(&d.printed_by),
            printed_on,
        }
    }

    /// The title on one line (for metadata and HTML `<title>`).
    pub fn title_text(&self) -> String {
        self.title_lines.concat()
    }

    /// Whether the notice has a 版记 (抄送 or 印发 data).
    pub fn has_imprint(&self) -> bool {
        self.copy_to.is_some() || self.printed_by.is_some() || self.printed_on.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_in_twips() {
        assert_eq!(mm_to_twips(PAGE_WIDTH_MM), 11906);
        assert_eq!(mm_to_twips(PAGE_HEIGHT_MM), 16838);
        assert_eq!(mm_to_twips(MARGIN_TOP_MM), 2098);
        assert_eq!(mm_to_twips(MARGIN_LEFT_MM), 1587);
        assert_eq!(mm_to_twips(MARGIN_RIGHT_MM), 1474);
        assert_eq!(mm_to_twips(MARGIN_BOTTOM_MM), 1984);
        assert!((CHAR_PITCH_PT - 15.79).abs() < 0.01);
    }

    #[test]
    fn texts() {
        let date = chrono::NaiveDate::from_ymd_opt(2020, 10, 5).unwrap();
        assert_eq!(date_text(date), "2020年10月5日");
        assert_eq!(disclosure_note(Disclosure::Active), "（此件主动公开）");
        assert_eq!(page_number_text(1), "— 1 —");
        let doc = Document {
            issuer: Some("泉州市鲤城区人民政府办公室".into()),
            ..Default::default()
        };
        let mark = issuer_mark(&doc).unwrap();
        assert_eq!(mark, "泉州市鲤城区人民政府办公室文件");
        let scale = fit_scale(&mark, SIZE_CHUHAO, TEXT_WIDTH_MM);
        assert!((scale - 0.70).abs() < 0.01, "{scale}");
        assert_eq!(issuer_mark(&Document::default()), None);
    }

    #[test]
    fn seed_title_without_spaces_is_a_diamond() {
        let lines = title_lines(
            "泉州市鲤城区人民政府办公室关于黄辉灿区长在区政府第一次全体会上的讲话部署落实情况的通报",
            20,
        );
        assert_eq!(
            lines,
            [
                "泉州市鲤城区人民政府办公室关于",
                "黄辉灿区长在区政府第一次全体会上的讲话",
                "部署落实情况的通报"
            ]
        );
    }

    #[test]
    fn seed_title_is_a_diamond() {
        let lines = title_lines(
            "泉州市鲤城区人民政府办公室关于黄辉灿区长 在区政府第一次全体会上的讲话 部署落实情况的通报",
            20,
        );
        assert_eq!(
            lines,
            [
                "泉州市鲤城区人民政府办公室关于",
                "黄辉灿区长在区政府第一次全体会上的讲话",
                "部署落实情况的通报"
            ]
        );
    }

    #[test]
    fn short_title_stays_on_one_line() {
        assert_eq!(
            title_lines("关于开展督查的通知", 20),
            ["关于开展督查的通知"]
        );
    }

    #[test]
    fn overlong_title_is_filled_quickly() {
        let t = "甲乙丙".repeat(200);
        let started = std::time::Instant::now();
        let lines = title_lines(&t, 20);
        assert!(started.elapsed().as_millis() < 500);
        assert_eq!(lines.len(), 30);
        assert_eq!(lines.concat(), t);
    }

    #[test]
    fn title_without_good_breaks_still_fits() {
        let t = "甲".repeat(45);
        let lines = title_lines(&t, 20);
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|l| l.chars().count() <= 20));
        assert_eq!(lines.concat(), t);
    }

    #[test]
    fn title_never_breaks_inside_book_title_or_number() {
        let t = "关于印发《泉州市鲤城区2020年重点工作任务分解方案》的通知";
        let lines = title_lines(t, 20);
        assert_eq!(lines.concat(), t);
        let t = "泉州市鲤城区人民政府办公室关于印发《鲤城区重点工作任务分解方案》的通知";
        for line in title_lines(t, 20) {
            let open = line.matches('《').count();
            let close = line.matches('》').count();
            assert_eq!(open, close, "{line}");
        }
    }

    #[test]
    fn headings() {
        assert_eq!(heading_level("一、总体要求"), Some(HeadingLevel::First));
        assert_eq!(heading_level("十二、其他"), Some(HeadingLevel::First));
        assert_eq!(heading_level("（一）工作目标"), Some(HeadingLevel::Second));
        assert_eq!(heading_level("1.加强领导"), Some(HeadingLevel::Third));
        assert_eq!(heading_level("（1）细化"), Some(HeadingLevel::Fourth));
        assert_eq!(heading_level("根据《通知》要求"), None);
        let p = BodyParagraph::new("一、总体要求。全面落实。");
        assert_eq!(p.heading, "一、总体要求。");
        assert_eq!(p.text, "全面落实。");
    }

    #[test]
    fn widths_order_and_sum() {
        let rows: Vec<Vec<RichText>> = (1..=35)
            .map(|i| {
                vec![
                    RichText::plain(&i.to_string()),
                    RichText::plain(&"任".repeat(60)),
                    RichText::plain("区发改局\n区财政局"),
                    RichText::plain(&"落".repeat(300)),
                ]
            })
            .collect();
        let w = column_widths(
            &["序号", "具体目标任务", "牵头责任单位", "落实情况"],
            &rows,
            225.0,
        );
        assert!((w.iter().sum::<f64>() - 225.0).abs() < 1e-6);
        assert!(w[0] < w[1] && w[0] < w[2], "{w:?}");
        assert!(w[3] > w[1] && w[3] > w[2], "{w:?}");
        assert!(w[0] < 15.0, "{w:?}");
    }
}
