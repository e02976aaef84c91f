//! DOCX output: the seed notice in the GB/T 9704-2012 layout, checked in its XML and,
//! when LibreOffice is installed, converted to PDF and page images.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common;

use duban_domain::{Disclosure, Document, Notice};
use duban_render::docx::render_docx;
use duban_render::{OutputFormat, RenderOptions, render};

fn part(docx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("docx is a zip");
    let mut file = zip.by_name(name).expect("part present");
    let mut text = String::new();
    file.read_to_string(&mut text).expect("utf-8 part");
    text
}

fn seed_document_xml() -> (Vec<u8>, String) {
    let bytes = render_docx(&common::seed()).expect("renders");
    let xml = part(&bytes, "word/document.xml");
    (bytes, xml)
}

/// The text of every `w:t`, unescaped, concatenated.
fn texts(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(at) = rest.find("<w:t") {
        rest = &rest[at + 4..];
        // `<w:t>` or `<w:t xml:space=…>`, not `<w:tbl…>`/`<w:tc…>`.
        if !(rest.starts_with('>') || rest.starts_with(' ')) {
            continue;
        }
        let Some(open_end) = rest.find('>') else {
            break;
        };
        if rest[..open_end].ends_with('/') {
            continue;
        }
        let Some(close) = rest.find("</w:t>") else {
            break;
        };
        out.push_str(&rest[open_end + 1..close]);
        rest = &rest[close..];
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The attachment table's XML.
fn table_xml(xml: &str) -> &str {
    let start = xml.find("<w:tbl>").expect("a table");
    let end = xml[start..].find("</w:tbl>").expect("table end") + start;
    &xml[start..end]
}

#[test]
fn docx_page_is_a4_with_standard_margins() {
    let (_, xml) = seed_document_xml();
    // Notice section: portrait A4, 天头 37 mm, 订口 28 mm, right 26 mm, bottom 35 mm.
    assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838" w:orient="portrait" />"#));
    assert!(
        xml.contains(r#"<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587""#),
        "margins"
    );
    // Attachment section: landscape A4 with the 版心 turned (225 × 156 mm).
    assert!(xml.contains(r#"<w:pgSz w:w="16838" w:h="11906" w:orient="landscape" />"#));
    // 22 lines of 28.95 pt.
    assert!(xml.contains(r#"<w:docGrid w:type="lines" w:linePitch="579" />"#));
    assert!(xml.contains(r#"w:line="579" w:lineRule="exact""#));
}

#[test]
fn docx_runs_name_east_asian_fonts() {
    let (_, xml) = seed_document_xml();
    let fonts: Vec<&str> = xml
        .match_indices("<w:rFonts ")
        .map(|(i, _)| &xml[i..])
        .collect();
    assert!(!fonts.is_empty());
    for f in &fonts {
        let tag = &f[..f.find("/>").unwrap()];
        assert!(
            tag.contains("w:eastAsia=\""),
            "run without eastAsia font: {tag}"
        );
        assert!(tag.contains("w:ascii=\""), "run without ascii font: {tag}");
    }
    for name in ["方正小标宋简体", "仿宋_GB2312"] {
        assert!(
            xml.contains(&format!("w:eastAsia=\"{name}\"")),
            "{name} missing"
        );
    }
    // A paragraph whose runs name no font takes it from its style: the table's 4号仿宋
    // and the header row's 4号黑体.
    let bytes = render_docx(&common::seed()).unwrap();
    let styles = part(&bytes, "word/styles.xml");
    for paragraph in xml.split("<w:p>").skip(1) {
        let paragraph = &paragraph[..paragraph.find("</w:p>").unwrap()];
        if paragraph.contains("<w:r>") && !paragraph.contains("<w:rFonts ") {
            let style = paragraph
                .split_once(r#"<w:pStyle w:val=""#)
                .and_then(|(_, rest)| rest.split_once('"'))
                .map(|(id, _)| id)
                .unwrap_or_else(|| panic!("runs with no font and no style: {paragraph}"));
            let definition = styles
                .split_once(&format!(r#"w:styleId="{style}">"#))
                .and_then(|(_, rest)| rest.split_once("</w:style>"))
                .map(|(body, _)| body)
                .unwrap_or_else(|| panic!("style {style} not defined"));
            assert!(
                definition.contains(r#"w:eastAsia=""#) && definition.contains(r#"w:ascii=""#),
                "style {style} names no fonts: {definition}"
            );
        }
    }
    for (style, font) in [("TableText", "仿宋_GB2312"), ("TableHeading", "黑体")] {
        let definition = &styles[styles.find(&format!(r#"w:styleId="{style}""#)).unwrap()..];
        let definition = &definition[..definition.find("</w:style>").unwrap()];
        assert!(
            definition.contains(&format!(r#"w:eastAsia="{font}""#))
                && definition.contains(r#"<w:sz w:val="28" />"#),
            "{definition}"
        );
    }
    // Word and WPS substitute 仿宋 and 楷体 where the GB2312 fonts are missing.
    let font_table = part(&bytes, "word/fontTable.xml");
    assert!(font_table.contains(r#"<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋" />"#));
    // Page numbers: 4号 (28 half-points) 宋体 in both footers.
    for footer in ["word/footer1.xml", "word/footer2.xml"] {
        let f = part(&bytes, footer);
        assert!(f.contains("w:eastAsia=\"宋体\"") && f.contains("<w:sz w:val=\"28\" />"));
        assert!(f.contains("<w:instrText>PAGE</w:instrText>"));
        assert!(texts(&f).starts_with("— ") && texts(&f).ends_with(" —"));
    }
    assert!(part(&bytes, "word/footer1.xml").contains(r#"<w:jc w:val="right" />"#));
    assert!(part(&bytes, "word/footer2.xml").contains(r#"<w:jc w:val="left" />"#));
    assert!(part(&bytes, "word/settings.xml").contains("<w:evenAndOddHeaders />"));
}

#[test]
fn docx_header_block_reads_like_the_notice() {
    let (_, xml) = seed_document_xml();
    let text = texts(&xml);
    let order = [
        "泉州市鲤城区人民政府办公室文件",
        "泉鲤政办〔2020〕48号",
        "泉州市鲤城区人民政府办公室关于",
        "黄辉灿区长在区政府第一次全体会上的讲话",
        "部署落实情况的通报",
        "高新区管委会，各街道办事处，区直有关单位：",
        "根据《泉州市鲤城区人民政府办公室关于对黄辉灿区长",
        "附件：黄区长在区政府第一次全体会上的讲话部署落实情况表",
        "泉州市鲤城区人民政府办公室",
        "2020年10月15日",
        "（此件主动公开）",
        "附件",
        "黄区长在区政府第一次全体会议上的讲话部署落实情况表",
        "序号",
    ];
    let mut from = 0;
    for item in order {
        let at = text[from..]
            .find(item)
            .unwrap_or_else(|| panic!("“{item}” missing or out of order"));
        from += at + item.len();
    }
    // The red 发文机关标志, scaled to the 版心, and the red rule under the 文号.
    assert!(xml.contains(r#"<w:color w:val="FF0000" />"#));
    assert!(xml.contains(r#"<w:w w:val="70" />"#));
    assert!(xml.contains(r#"<w:bottom w:val="single" w:space="6" w:sz="12" w:color="FF0000" />"#));
}

#[test]
fn docx_table_has_a_repeated_header_and_35_rows() {
    let (_, xml) = seed_document_xml();
    let table = table_xml(&xml);
    assert_eq!(table.matches("<w:tr>").count(), 36, "header + 35 rows");
    assert_eq!(xml.matches("<w:tblHeader />").count(), 1);
    let first_row = &table[table.find("<w:tr>").unwrap()..table.find("</w:tr>").unwrap()];
    assert!(first_row.starts_with("<w:tr><w:trPr><w:tblHeader /></w:trPr>"));
    assert!(texts(first_row).contains("序号具体目标任务牵头责任单位落实情况"));
    // Widths from layout: 序号 narrowest, 落实情况 widest, 225 mm in all.
    let widths: Vec<u32> = table
        .match_indices("<w:gridCol w:w=\"")
        .map(|(i, m)| {
            let rest = &table[i + m.len()..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        })
        .collect();
    assert_eq!(widths.len(), 4);
    assert!(widths[0] < widths[2] && widths[2] < widths[1] && widths[1] < widths[3]);
    let total: u32 = widths.iter().sum();
    assert!((12750..=12760).contains(&total), "{total}");
    assert!(table.contains(r#"<w:tblLayout w:type="fixed" />"#));
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        assert!(table.contains(&format!("<w:{side} w:val=\"single\" w:sz=\"4\"")));
    }
}

#[test]
fn docx_keeps_every_cell_character_and_bold_run() {
    let notice = common::seed();
    let (_, xml) = seed_document_xml();
    common::assert_every_cell_in(&notice, &texts(table_xml(&xml)));
    // Bold lead-ins (task 20's unit labels, task 16's plots) stay bold.
    let bold: Vec<&str> = notice
        .tasks
        .iter()
        .flat_map(|t| t.progress.iter().chain([&t.content]))
        .flat_map(|r| r.bold_runs())
        .collect();
    assert!(!bold.is_empty(), "the seed has bold runs");
    for b in bold {
        let at = xml
            .find(&format!(">{}</w:t>", b.replace('&', "&amp;")))
            .unwrap_or_else(|| panic!("bold run “{b}” missing"));
        let run_start = xml[..at].rfind("<w:r>").unwrap();
        assert!(xml[run_start..at].contains("<w:b />"), "“{b}” not bold");
    }
}

#[test]
fn docx_is_deterministic() {
    let notice = common::seed();
    let a = render_docx(&notice).unwrap();
    let b = render(&notice, OutputFormat::Docx, &RenderOptions::default()).unwrap();
    assert_eq!(a, b, "two renders differ");
    let core = part(&a, "docProps/core.xml");
    assert!(core.contains("2020-10-15T00:00:00Z"), "{core}");
    // Zip entry times are the same fixed date.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&a)).unwrap();
    for i in 0..zip.len() {
        let f = zip.by_index(i).unwrap();
        let t = f.last_modified().unwrap();
        assert_eq!(
            (t.year(), t.month(), t.day()),
            (2020, 10, 15),
            "{}",
            f.name()
        );
    }
}

fn heading_notice() -> Notice {
    let mut notice = common::seed();
    notice.document = Document {
        issuer: None,
        doc_number: None,
        title: Some("关于开展督查的通知".into()),
        recipients: vec!["各街道办事处".into()],
        body: vec![
            "为推动工作落实，现通知如下。".into(),
            "一、工作目标。全面完成年度任务。".into(),
            "（一）加强领导。".into(),
            "1.细化分工。".into(),
        ],
        signatory: Some("区政府办".into()),
        date: chrono::NaiveDate::from_ymd_opt(2021, 3, 5),
        disclosure: Some(Disclosure::OnRequest),
        copy_to: vec!["区委办".into(), "区人大办".into()],
        printed_by: Some("泉州市鲤城区人民政府办公室".into()),
        printed_on: chrono::NaiveDate::from_ymd_opt(2021, 3, 6),
        ..Document::default()
    };
    notice.tasks.truncate(2);
    notice
}

#[test]
fn docx_headings_and_imprint() {
    let bytes = render_docx(&heading_notice()).unwrap();
    let xml = part(&bytes, "word/document.xml");
    let text = texts(&xml);
    assert!(!text.contains("文件"), "no issuer, no red header");
    assert!(xml.contains("w:eastAsia=\"楷体_GB2312\""), "（一） in 楷体");
    let hei = xml.find("一、工作目标。").unwrap();
    let run = &xml[xml[..hei].rfind("<w:r>").unwrap()..hei];
    assert!(run.contains("w:eastAsia=\"黑体\""), "一、 in 黑体");
    assert!(text.contains("抄送：区委办，区人大办。"));
    assert!(text.contains("泉州市鲤城区人民政府办公室2021年3月6日印发"));
    assert!(text.contains("（此件依申请公开）"));
    // Three sections; the 版记 page has a blank footer.
    assert_eq!(xml.matches("<w:sectPr>").count(), 3);
    assert!(xml.contains(r#"<w:footerReference w:type="default" r:id="rIdFooter3" />"#));
    assert_eq!(xml.matches("<w:tr>").count(), 3);
}

/// Converts one `docx` with LibreOffice into `out_dir`; `None` when soffice is missing.
fn soffice_to_pdf(docx: &Path, out_dir: &Path) -> Option<PathBuf> {
    common::soffice_to_pdf(&[docx.to_path_buf()], out_dir).map(|mut pdfs| pdfs.remove(0))
}

fn pdf_text(pdf: &Path, page: u32) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn page_count(pdf: &Path) -> u32 {
    let out = Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("page count")
}

fn to_png(pdf: &Path, page: u32, stem: &Path) {
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "70", "-singlefile"])
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg(stem)
        .status()
        .expect("pdftoppm runs");
    assert!(status.success());
}

#[test]
fn docx_converts_with_libreoffice() {
    let dir = common::artifacts_dir();
    let docx = dir.join("docx-seed.docx");
    std::fs::write(&docx, render_docx(&common::seed()).unwrap()).unwrap();
    let Some(pdf) = soffice_to_pdf(&docx, &dir) else {
        return;
    };
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    if !common::poppler("pdftotext") {
        return;
    }
    // Page 1: the red header, the number, 28 characters per full body line.
    let page1 = pdf_text(&pdf, 1);
    assert!(page1.contains("泉州市鲤城区人民政府办公室文件"), "{page1}");
    assert!(page1.contains("泉鲤政办〔2020〕48"), "{page1}");
    let body_line = page1
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("根据《"))
        .expect("first body line on page 1");
    let next = page1
        .lines()
        .map(str::trim)
        .skip_while(|l| !l.starts_with("根据《"))
        .nth(1)
        .unwrap();
    // 2 字 indent + 26 on the first line, 28 on the next.
    assert_eq!(
        common::squeeze(body_line).chars().count(),
        26,
        "{body_line}"
    );
    assert_eq!(common::squeeze(next).chars().count(), 28, "{next}");
    assert!(
        page1.contains("—1—") || page1.contains("— 1 —"),
        "page number"
    );

    // The attachment starts on a landscape page with “附件” first.
    let pages = page_count(&pdf);
    let attachment = (1..=pages)
        .find(|&p| pdf_text(&pdf, p).trim_start().starts_with("附件\n"))
        .expect("an attachment page");
    let info = Command::new("pdfinfo")
        .args(["-f", &attachment.to_string(), "-l", &attachment.to_string()])
        .arg(&pdf)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("841.89 x 595.3"), "landscape: {info}");
    // The header row repeats on the next page.
    let next_page = pdf_text(&pdf, attachment + 1);
    assert!(
        common::squeeze(&next_page).starts_with("序号具体目标任务牵头责任单位落实情况"),
        "{next_page}"
    );
    if common::poppler("pdftoppm") {
        to_png(&pdf, 1, &dir.join("docx-page1"));
        to_png(&pdf, attachment, &dir.join("docx-attachment"));
        to_png(&pdf, attachment - 1, &dir.join("docx-page-signature"));
    }
}

#[test]
fn docx_with_imprint_converts_with_libreoffice() {
    let dir = common::artifacts_dir();
    let docx = dir.join("docx-imprint.docx");
    std::fs::write(&docx, render_docx(&heading_notice()).unwrap()).unwrap();
    let Some(pdf) = soffice_to_pdf(&docx, &dir) else {
        return;
    };
    if common::poppler("pdftotext") {
        let last = pdf_text(&pdf, page_count(&pdf));
        assert!(last.contains("抄送："), "{last}");
        assert!(
            !last.contains('—'),
            "the 版记 page has no page number: {last}"
        );
    }
    if common::poppler("pdftoppm") {
        to_png(&pdf, page_count(&pdf), &dir.join("docx-imprint-last"));
    }
}

/// The notice as duban writes it reads back into the same notice: an office can take a
/// rendered DOCX (or one edited in Word) and import it.
#[test]
fn docx_reads_back_into_the_same_notice() {
    let notice = common::seed();
    let bytes = render_docx(&notice).unwrap();
    let back = duban_formats::import(&bytes, None, &Default::default())
        .unwrap_or_else(|e| panic!("our DOCX does not import: {e}"));
    assert_eq!(back.document.doc_number, notice.document.doc_number);
    assert_eq!(back.document.title, notice.document.title);
    assert_eq!(back.document.date, notice.document.date);
    assert_eq!(back.tasks.len(), 35);
    for (a, b) in notice.tasks.iter().zip(&back.tasks) {
        assert_eq!(a.number, b.number);
        assert_eq!(a.content, b.content, "task {}", a.number);
        // The cell lists the units one per line where the seed spaced them.
        let units = |t: &duban_domain::Task| -> Vec<String> {
            t.lead_units.iter().map(|u| u.unit.clone()).collect()
        };
        assert_eq!(units(a), units(b), "task {}", a.number);
        assert_eq!(a.subitems, b.subitems, "task {}", a.number);
        assert_eq!(a.progress, b.progress, "task {}", a.number);
    }
}
