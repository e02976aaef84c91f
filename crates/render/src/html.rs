//! The notice as one self-contained, accessible HTML page for a government disclosure
//! site: the header block as on paper (red 发文机关标志, 文号, rule, title, 主送, body,
//! 附件说明, 署名, 日期, 附注), then the attachment as a semantic table (`<caption>`,
//! `<th scope="col">`, `<th scope="row">` for 序号), and the 版记 when there is one.
//!
//! Inline CSS only (no scripts, fonts, images or links to load); a print stylesheet
//! puts the notice on A4 with the standard margins and the table on landscape pages
//! with its header repeated. Every text is escaped here: nothing from the source is
//! ever written as markup, and bold runs become `<strong>`, paragraphs `<p>`.

use std::fmt::Write;

use duban_domain::{Notice, RichText};

use crate::RenderError;
use crate::layout::{self, HeadingLevel, NoticeView};
use crate::markup::escape_into;

/// Renders `notice` as UTF-8 HTML bytes.
pub fn render_html(notice: &Notice) -> Result<Vec<u8>, RenderError> {
    Ok(page(notice).into_bytes())
}

/// The page as a string.
pub fn page(notice: &Notice) -> String {
    let view = NoticeView::new(notice);
    let mut h = String::with_capacity(64 * 1024);
    let title = page_title(&view);

    h.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.push_str("<meta name=\"generator\" content=\"duban\">\n");
    if let Some(number) = &view.doc_number {
        line(
            &mut h,
            "<meta name=\"description\" content=\"",
            number,
            "\">",
        );
    }
    line(&mut h, "<title>", &title, "</title>");
    h.push_str("<style>\n");
    h.push_str(&stylesheet(&view));
    h.push_str("</style>\n</head>\n<body>\n<main>\n<article class=\"notice\">\n");

    // 版头
    if view.issuer_mark.is_some() || view.doc_number.is_some() {
        h.push_str("<header class=\"masthead\">\n");
        if let Some(mark) = &view.issuer_mark {
            line(
                &mut h,
                "<p class=\"issuer-mark\"><span>",
                mark,
                "</span></p>",
            );
        }
        if let Some(number) = &view.doc_number {
            line(&mut h, "<p class=\"doc-number\">", number, "</p>");
        }
        if view.issuer_mark.is_some() {
            h.push_str("<hr class=\"red-rule\">\n");
        }
        h.push_str("</header>\n");
    }

    // 主体
    if !view.title_lines.is_empty() {
        h.push_str("<h1 class=\"title\">");
        for (i, l) in view.title_lines.iter().enumerate() {
            if i > 0 {
                h.push_str("<br>");
            }
            escape_into(&mut h, l);
        }
        h.push_str("</h1>\n");
    }
    if let Some(recipients) = &view.recipients {
        line(&mut h, "<p class=\"recipients\">", recipients, "</p>");
    }
    for p in &view.body {
        h.push_str("<p class=\"body\">");
        if let Some(level) = p.level {
            let class = match level {
                HeadingLevel::First => "h-1",
                HeadingLevel::Second => "h-2",
                HeadingLevel::Third => "h-3",
                HeadingLevel::Fourth => "h-4",
            };
            let _ = write!(h, "<span class=\"{class}\">");
            escape_into(&mut h, &p.heading);
            h.push_str("</span>");
        }
        escape_into(&mut h, &p.text);
        h.push_str("</p>\n");
    }
    if let Some(note) = &view.attachment_note {
        line(&mut h, "<p class=\"attachment-note\">", note, "</p>");
    }
    if view.signatory.is_some() || view.date.is_some() {
        h.push_str("<div class=\"signature\">\n");
        if let Some(s) = &view.signatory {
            line(&mut h, "<p class=\"signatory\">", s, "</p>");
        }
        if let (Some(text), Some(date)) = (&view.date, notice.document.date) {
            let _ = write!(
                h,
                "<p class=\"date\"><time datetime=\"{}\">",
                date.format("%Y-%m-%d")
            );
            escape_into(&mut h, text);
            h.push_str("</time></p>\n");
        }
        h.push_str("</div>\n");
    }
    if let Some(note) = &view.note {
        line(&mut h, "<p class=\"note\">", note, "</p>");
    }
    h.push_str("</article>\n");

    // 附件
    if !view.table.rows.is_empty() || view.table_title.is_some() {
        h.push_str("<section class=\"attachment\" aria-labelledby=\"attachment-caption\">\n");
        line(
            &mut h,
            "<p class=\"attachment-label\">",
            view.attachment_label,
            "</p>",
        );
        table(&mut h, &view);
        h.push_str("</section>\n");
    }

    // 版记
    if view.has_imprint() {
        h.push_str("<footer class=\"imprint\">\n");
        if let Some(copy_to) = &view.copy_to {
            line(&mut h, "<p class=\"copy-to\">", copy_to, "</p>");
        }
        if view.printed_by.is_some() || view.printed_on.is_some() {
            h.push_str("<p class=\"printed\">");
            if let Some(by) = &view.printed_by {
                line(&mut h, "<span class=\"printed-by\">", by, "</span>");
            }
            if let Some(on) = &view.printed_on {
                line(&mut h, "<span class=\"printed-on\">", on, "</span>");
            }
            h.push_str("</p>\n");
        }
        h.push_str("</footer>\n");
    }
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

fn page_title(view: &NoticeView) -> String {
    let title = view.title_text();
    let title = if title.is_empty() {
        view.table_title.clone().unwrap_or_else(|| "通报".into())
    } else {
        title
    };
    match &view.doc_number {
        Some(n) => format!("{title}（{n}）"),
        None => title,
    }
}

fn table(h: &mut String, view: &NoticeView) {
    let t = &view.table;
    let total = t.width_mm().max(1.0);
    h.push_str("<table>\n");
    let caption = view
        .table_title
        .clone()
        .unwrap_or_else(|| "附件表格".into());
    line(
        h,
        "<caption id=\"attachment-caption\">",
        &caption,
        "</caption>",
    );
    h.push_str("<colgroup>");
    for c in &t.columns {
        let _ = write!(
            h,
            "<col style=\"width:{:.1}%\">",
            c.width_mm / total * 100.0
        );
    }
    h.push_str("</colgroup>\n<thead>\n<tr>");
    for c in &t.columns {
        h.push_str("<th scope=\"col\">");
        escape_into(h, &c.header);
        h.push_str("</th>");
    }
    h.push_str("</tr>\n</thead>\n<tbody>\n");
    for row in &t.rows {
        h.push_str("<tr>");
        for (c, cell) in t.columns.iter().zip(row) {
            if c.kind == layout::ColumnKind::Number {
                h.push_str("<th scope=\"row\">");
                escape_into(h, &cell.plain_text());
                h.push_str("</th>");
            } else {
                h.push_str("<td>");
                rich(h, cell);
                h.push_str("</td>");
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
}

/// Paragraphs as `<p>`, bold runs as `<strong>`.
fn rich(h: &mut String, text: &RichText) {
    for p in &text.paragraphs {
        h.push_str("<p>");
        for run in &p.runs {
            if run.bold {
                h.push_str("<strong>");
                escape_into(h, &run.text);
                h.push_str("</strong>");
            } else {
                escape_into(h, &run.text);
            }
        }
        h.push_str("</p>");
    }
}

fn line(h: &mut String, open: &str, text: &str, close: &str) {
    h.push_str(open);
    escape_into(h, text);
    h.push_str(close);
    h.push('\n');
}

/// The inline stylesheet: screen layout close to the paper, and print on A4.
fn stylesheet(view: &NoticeView) -> String {
    let fang = "\"仿宋_GB2312\", \"仿宋\", FangSong, STFangsong, \"FandolFang R\", \"Noto Serif CJK SC\", \"Source Han Serif SC\", serif";
    let song = "\"方正小标宋简体\", \"FZXiaoBiaoSong-B05S\", \"Noto Serif CJK SC\", \"Source Han Serif SC\", \"宋体\", SimSun, serif";
    let hei = "\"黑体\", SimHei, \"Noto Sans CJK SC\", \"Source Han Sans SC\", sans-serif";
    let kai = "\"楷体_GB2312\", \"楷体\", KaiTi, STKaiti, \"AR PL UKai CN\", serif";
    let landscape = view.table.orientation == layout::Orientation::Landscape;
    let red = layout::RED_RGB;
    let mut css = String::with_capacity(4096);
    let _ = write!(
        css,
        r#"html {{ background: #f3f3f3; }}
body {{ margin: 0; color: #000; font-family: {fang}; font-size: 16pt; line-height: 1.8; }}
main {{ max-width: 210mm; margin: 0 auto; }}
.notice, .attachment, .imprint {{ background: #fff; padding: 2em 1.75em; margin: 1em 0; box-shadow: 0 0 4px rgba(0,0,0,.15); }}
.attachment {{ max-width: none; }}
p {{ margin: 0; }}
.masthead {{ text-align: center; padding-top: 2em; }}
.issuer-mark {{ color: #{red}; font-family: {song}; font-size: clamp(18pt, 5.2vw, 30pt); line-height: 1.3; display: flex; justify-content: center; white-space: nowrap; }}
.issuer-mark span {{ display: inline-block; }}
.doc-number {{ margin-top: 1.8em; }}
.red-rule {{ border: 0; border-top: 2px solid #{red}; margin: .4em 0 0; }}
h1.title {{ font-family: {song}; font-size: 22pt; font-weight: normal; text-align: center; line-height: 1.5; margin: 1.5em 0 1em; }}
.recipients {{ margin-top: .5em; }}
.body {{ text-indent: 2em; text-align: justify; }}
.h-1 {{ font-family: {hei}; }}
.h-2 {{ font-family: {kai}; }}
.attachment-note {{ margin-top: 1.8em; padding-left: 5em; text-indent: -3em; }}
.signature {{ margin-top: 1.8em; display: flex; flex-direction: column; align-items: flex-end; }}
.signatory {{ margin-right: {sig}em; }}
.date {{ margin-right: {date}em; }}
.note {{ text-indent: 2em; }}
.attachment-label {{ font-family: {hei}; }}
table {{ width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 12pt; line-height: 1.5; margin-top: .5em; }}
caption {{ font-family: {song}; font-size: 18pt; line-height: 1.4; padding: .5em 0 .75em; }}
th, td {{ border: 1px solid #000; padding: .3em .4em; vertical-align: middle; overflow-wrap: anywhere; }}
thead th {{ font-family: {hei}; font-weight: normal; text-align: center; background: #f5f5f5; }}
tbody th {{ font-weight: normal; text-align: center; }}
td {{ text-align: justify; }}
td p + p {{ margin-top: .25em; }}
.imprint {{ font-size: 14pt; }}
.imprint .copy-to, .imprint .printed {{ border-top: 1px solid #000; padding: .2em 1em; }}
.imprint .printed {{ display: flex; justify-content: space-between; border-bottom: 1px solid #000; }}
@media (max-width: 40em) {{
  body {{ font-size: 14pt; }}
  .notice, .attachment, .imprint {{ padding: 1em .75em; margin: 0; }}
  h1.title {{ font-size: 18pt; }}
  .signatory, .date {{ margin-right: 0; }}
}}
@page {{ size: A4; margin: {top}mm {right}mm {bottom}mm {left}mm; }}
@page attachment {{ size: A4 {orient}; margin: {ltop}mm {lright}mm {lbottom}mm {lleft}mm; }}
@media print {{
  html, body {{ background: #fff; }}
  main {{ max-width: none; }}
  .notice, .attachment, .imprint {{ box-shadow: none; padding: 0; margin: 0; }}
  body {{ line-height: {pitch}pt; }}
  .masthead {{ padding-top: {drop}mm; }}
  .issuer-mark {{ font-size: {mark}pt; line-height: 1.2; }}
  .issuer-mark span {{ transform: scaleX({scale}); }}
  .attachment {{ page: attachment; break-before: page; }}
  thead {{ display: table-header-group; }}
  tr, th, td {{ break-inside: auto; }}
  table {{ font-size: {tsize}pt; line-height: {tline}pt; }}
  .imprint {{ break-before: page; }}
}}
"#,
        sig = view.signature.signatory_right_em,
        date = view.signature.date_right_em,
        top = layout::MARGIN_TOP_MM,
        right = layout::MARGIN_RIGHT_MM,
        bottom = layout::MARGIN_BOTTOM_MM,
        left = layout::MARGIN_LEFT_MM,
        orient = if landscape { "landscape" } else { "portrait" },
        ltop = if landscape {
            layout::LANDSCAPE_MARGIN_TOP_MM
        } else {
            layout::MARGIN_TOP_MM
        },
        lright = if landscape {
            layout::LANDSCAPE_MARGIN_RIGHT_MM
        } else {
            layout::MARGIN_RIGHT_MM
        },
        lbottom = if landscape {
            layout::LANDSCAPE_MARGIN_BOTTOM_MM
        } else {
            layout::MARGIN_BOTTOM_MM
        },
        lleft = if landscape {
            layout::LANDSCAPE_MARGIN_LEFT_MM
        } else {
            layout::MARGIN_LEFT_MM
        },
        pitch = layout::LINE_PITCH_PT,
        drop = layout::ISSUER_MARK_DROP_MM,
        mark = layout::SIZE_CHUHAO,
        scale = (view.issuer_mark_scale * 100.0).floor() / 100.0,
        tsize = layout::TABLE_FONT_PT,
        tline = layout::TABLE_LINE_PT,
    );
    css
}
