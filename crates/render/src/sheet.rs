//! The 督办单 (`domain::sheet::SupervisionSheet`) as a one-page DOCX: the title in
//! 小标宋, the sender and reference, a two-column table (督办事项, 任务来源, 承办单位,
//! 办理时限, 预警情况, 督办要求, 反馈时限) in 仿宋, and the office and date below, on
//! the GB/T 9704 page (A4, 版心 156 × 225 mm). The PDF twin is `pdf::render_sheet_pdf`;
//! both print [`rows`], so they cannot disagree.

use std::io::{Cursor, Write};

use duban_domain::sheet::{SupervisionSheet, date_text};

use crate::RenderError;
use crate::markup::escape_into;

/// The table's rows as printed: label and text.
pub fn rows(sheet: &SupervisionSheet) -> Vec<(&'static str, String)> {
    let mut rows = vec![
        ("督办事项", sheet.item.clone()),
        (
            "任务来源",
            sheet
                .source
                .clone()
                .unwrap_or_else(|| sheet.reference.clone()),
        ),
        ("承办单位", sheet.units.clone()),
        ("办理时限", sheet.deadline.clone()),
    ];
    if let Some(warning) = &sheet.warning {
        rows.push(("预警情况", warning.clone()));
    }
    rows.push(("督办要求", sheet.requirement.clone()));
    rows.push((
        "反馈时限",
        sheet
            .reply_by
            .map_or_else(|| "按督办要求".to_string(), date_text),
    ));
    rows
}

/// The title with the spacing 公文 forms use between its characters.
pub const TITLE: &str = "督　办　单";

// Twips: 1 mm = 56.69 twips. Margins of the GB/T 9704 版心 on A4.
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
const MARGIN_TOP: u32 = 2098; // 37 mm
const MARGIN_LEFT: u32 = 1587; // 28 mm
const MARGIN_RIGHT: u32 = 1474; // 26 mm
const MARGIN_BOTTOM: u32 = 1984; // 35 mm
const TEXT_W: u32 = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT;
const LABEL_W: u32 = 1701; // 30 mm

fn run(out: &mut String, text: &str, east_asia: &str, half_points: u32, bold: bool) {
    out.push_str(
        r#"<w:r><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia=""#,
    );
    escape_into(out, east_asia);
    out.push_str(r#"" w:hint="eastAsia" />"#);
    if bold {
        out.push_str("<w:b />");
    }
    out.push_str(&format!(
        r#"<w:sz w:val="{half_points}" /><w:szCs w:val="{half_points}" /></w:rPr><w:t xml:space="preserve">"#
    ));
    escape_into(out, text);
    out.push_str("</w:t></w:r>");
}

fn paragraph(
    out: &mut String,
    align: &str,
    before: u32,
    after: u32,
    runs: impl FnOnce(&mut String),
) {
    out.push_str(&format!(
        r#"<w:p><w:pPr><w:spacing w:before="{before}" w:after="{after}" w:line="400" w:lineRule="atLeast" /><w:jc w:val="{align}" /></w:pPr>"#
    ));
    runs(out);
    out.push_str("</w:p>");
}

const FANGSONG: &str = "仿宋_GB2312";
const XBS: &str = "方正小标宋简体";
const HEITI: &str = "黑体";
/// 二号, 三号, 四号 in half-points.
const SIZE_2: u32 = 44;
const SIZE_3: u32 = 32;
const SIZE_4: u32 = 28;

fn cell(out: &mut String, width: u32, f: impl FnOnce(&mut String)) {
    out.push_str(&format!(
        r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa" /><w:vAlign w:val="center" /></w:tcPr>"#
    ));
    f(out);
    out.push_str("</w:tc>");
}

fn document_xml(sheet: &SupervisionSheet) -> String {
    let mut out = String::with_capacity(8 * 1024);
    out.push_str(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#);
    paragraph(&mut out, "center", 0, 300, |o| {
        run(o, TITLE, XBS, SIZE_2, false)
    });
    paragraph(&mut out, "left", 0, 120, |o| {
        run(
            o,
            &format!("督办单位：{}", sheet.office),
            FANGSONG,
            SIZE_4,
            false,
        )
    });
    paragraph(&mut out, "left", 0, 200, |o| {
        run(
            o,
            &format!("编　　号：{}", sheet.reference),
            FANGSONG,
            SIZE_4,
            false,
        )
    });
    out.push_str(&format!(
        r#"<w:tbl><w:tblPr><w:tblW w:w="{TEXT_W}" w:type="dxa" /><w:tblBorders><w:top w:val="single" w:sz="8" w:space="0" w:color="000000" /><w:left w:val="single" w:sz="8" w:space="0" w:color="000000" /><w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000" /><w:right w:val="single" w:sz="8" w:space="0" w:color="000000" /><w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000" /><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000" /></w:tblBorders><w:tblLayout w:type="fixed" /><w:tblCellMar><w:top w:w="80" w:type="dxa" /><w:left w:w="100" w:type="dxa" /><w:bottom w:w="80" w:type="dxa" /><w:right w:w="100" w:type="dxa" /></w:tblCellMar></w:tblPr><w:tblGrid><w:gridCol w:w="{LABEL_W}" /><w:gridCol w:w="{}" /></w:tblGrid>"#,
        TEXT_W - LABEL_W
    ));
    for (label, text) in rows(sheet) {
        out.push_str(r#"<w:tr><w:trPr><w:cantSplit /><w:trHeight w:val="680" /></w:trPr>"#);
        cell(&mut out, LABEL_W, |o| {
            paragraph(o, "center", 0, 0, |o| run(o, label, HEITI, SIZE_4, false))
        });
        cell(&mut out, TEXT_W - LABEL_W, |o| {
            for line in text.split('\n') {
                paragraph(o, "both", 0, 0, |o| run(o, line, FANGSONG, SIZE_4, false));
            }
        });
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    paragraph(&mut out, "right", 600, 0, |o| {
        run(o, &sheet.office, FANGSONG, SIZE_3, false)
    });
    paragraph(&mut out, "right", 0, 0, |o| {
        run(o, &date_text(sheet.date), FANGSONG, SIZE_3, false)
    });
    out.push_str(&format!(
        r#"<w:sectPr><w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}" /><w:pgMar w:top="{MARGIN_TOP}" w:right="{MARGIN_RIGHT}" w:bottom="{MARGIN_BOTTOM}" w:left="{MARGIN_LEFT}" w:header="851" w:footer="992" w:gutter="0" /></w:sectPr></w:body></w:document>"#
    ));
    out
}

const CONTENT_TYPES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
    r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />"#,
    r#"<Default Extension="xml" ContentType="application/xml" />"#,
    r#"<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml" />"#,
    r#"<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml" />"#,
    "</Types>"
);

const DOCUMENT_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml" />"#,
    "</Relationships>"
);

/// Defaults for text the runs do not set: 仿宋 四号, Chinese (China).
const STYLES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="仿宋_GB2312" w:cs="Times New Roman" />"#,
    r#"<w:sz w:val="28" /><w:szCs w:val="28" /><w:lang w:val="en-US" w:eastAsia="zh-CN" /></w:rPr></w:rPrDefault>"#,
    r#"<w:pPrDefault><w:pPr><w:spacing w:after="0" /></w:pPr></w:pPrDefault></w:docDefaults>"#,
    r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal" /></w:style>"#,
    "</w:styles>"
);

const PACKAGE_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml" />"#,
    "</Relationships>"
);

/// The 督办单 as a DOCX. Deterministic: the parts' times are the sheet's date.
pub fn render_sheet_docx(sheet: &SupervisionSheet) -> Result<Vec<u8>, RenderError> {
    use chrono::Datelike;
    let document = document_xml(sheet);
    let date = sheet.date;
    let time = zip::DateTime::from_date_and_time(
        u16::try_from(date.year()).unwrap_or(1980),
        u8::try_from(date.month()).unwrap_or(1),
        u8::try_from(date.day()).unwrap_or(1),
        0,
        0,
        0,
    )
    .unwrap_or_default();
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(time)
        .unix_permissions(0o644);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let failed = |e: &dyn std::fmt::Display| RenderError::Docx(format!("督办单打包失败：{e}"));
    for (name, bytes) in [
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", PACKAGE_RELS.as_bytes()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.as_bytes()),
        ("word/document.xml", document.as_bytes()),
        ("word/styles.xml", STYLES.as_bytes()),
    ] {
        zip.start_file(name, options).map_err(|e| failed(&e))?;
        zip.write_all(bytes).map_err(|e| failed(&e))?;
    }
    Ok(zip.finish().map_err(|e| failed(&e))?.into_inner())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::NaiveDate;

    pub(crate) fn sheet() -> SupervisionSheet {
        SupervisionSheet {
            office: "区政府督查室".into(),
            reference: "泉鲤政办〔2020〕48号 第17项".into(),
            item: "12月底前启动中医院代征地、玉田梁、110千伏坂头变电站<改造>等项目。".into(),
            source: Some("关于2020年区政府工作报告重点工作任务分解的通知".into()),
            units: "牵头：浮桥街道办事处；配合：区住建局".into(),
            deadline: "12月底前".into(),
            warning: Some("红灯：超过完成时限未完成".into()),
            requirement: SupervisionSheet::default_requirement(
                "区政府督查室",
                NaiveDate::from_ymd_opt(2026, 12, 10),
            ),
            reply_by: NaiveDate::from_ymd_opt(2026, 12, 10),
            date: NaiveDate::from_ymd_opt(2026, 12, 5).expect("date"),
        }
    }

    #[test]
    fn the_docx_holds_every_row_escaped_and_is_the_same_each_time() {
        let s = sheet();
        let xml = document_xml(&s);
        for (label, _) in rows(&s) {
            assert!(xml.contains(label), "{label}");
        }
        assert!(xml.contains("变电站&lt;改造&gt;"), "escaped");
        assert!(xml.contains("2026年12月5日") && xml.contains("督　办　单"));
        assert!(xml.contains("预警情况") && xml.contains("红灯：超过完成时限未完成"));
        let bytes = render_sheet_docx(&s).expect("docx");
        assert_eq!(bytes, render_sheet_docx(&s).expect("docx"));
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
        assert!(archive.by_name("word/document.xml").is_ok());
    }

    #[test]
    fn without_a_warning_there_is_no_warning_row() {
        let s = SupervisionSheet {
            warning: None,
            reply_by: None,
            ..sheet()
        };
        let labels: Vec<&str> = rows(&s).into_iter().map(|(l, _)| l).collect();
        assert_eq!(
            labels,
            [
                "督办事项",
                "任务来源",
                "承办单位",
                "办理时限",
                "督办要求",
                "反馈时限"
            ]
        );
        assert_eq!(rows(&s)[5].1, "按督办要求");
    }
}
