//! XLSX output of the seed notice, read back with calamine and checked in its XML.

use crate::common;

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use duban_render::xlsx::{FIELDS_SHEET, TABLE_SHEET, render_xlsx};

fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("xlsx is a zip");
    let mut file = zip.by_name(name).expect("part present");
    let mut text = String::new();
    file.read_to_string(&mut text).expect("utf-8 part");
    text
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

#[test]
fn xlsx_table_sheet_reads_back() {
    let notice = common::seed();
    let bytes = render_xlsx(&notice).unwrap();
    std::fs::write(common::artifacts_dir().join("xlsx-seed.xlsx"), &bytes).unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), [TABLE_SHEET, FIELDS_SHEET]);
    let range = book.worksheet_range(TABLE_SHEET).unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect();
    assert_eq!(
        rows[0],
        ["序号", "具体目标任务", "牵头责任单位", "落实情况"]
    );
    assert_eq!(rows.len(), 36, "header + 35 tasks");
    for (row, task) in rows[1..].iter().zip(&notice.tasks) {
        assert_eq!(row[0], task.number.to_string());
        assert_eq!(
            common::squeeze(&row[1]),
            common::squeeze(&task.content.plain_text())
        );
        assert_eq!(
            common::squeeze(&row[2]),
            common::squeeze(&task.lead_units_text)
        );
        let progress = task
            .progress
            .as_ref()
            .map(|p| p.plain_text())
            .unwrap_or_default();
        assert_eq!(
            common::squeeze(&row[3]),
            common::squeeze(&progress),
            "task {}",
            task.number
        );
    }
}

#[test]
fn xlsx_fields_sheet_has_the_document() {
    let bytes = render_xlsx(&common::seed()).unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range(FIELDS_SHEET).unwrap();
    let fields: Vec<(String, String)> = range
        .rows()
        .map(|r| (cell_text(&r[0]), cell_text(&r[1])))
        .collect();
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no field {name}"))
    };
    assert_eq!(get("发文字号"), "泉鲤政办〔2020〕48号");
    assert_eq!(get("发文机关"), "泉州市鲤城区人民政府办公室");
    assert_eq!(get("主送机关"), "高新区管委会，各街道办事处，区直有关单位");
    assert_eq!(get("成文日期"), "2020年10月15日");
    assert_eq!(get("公开属性"), "主动公开");
    assert_eq!(get("任务数"), "35");
    assert!(get("标题").ends_with("部署落实情况的通报"));
}

#[test]
fn xlsx_print_setup_and_frozen_header() {
    let bytes = render_xlsx(&common::seed()).unwrap();
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ),
        "frozen header"
    );
    assert!(sheet.contains(r#"paperSize="9""#), "A4");
    assert!(sheet.contains(r#"orientation="landscape""#), "landscape");
    assert!(
        sheet.contains(r#"fitToHeight="0""#) && sheet.contains("<pageSetUpPr fitToPage=\"1\"/>"),
        "fit to width"
    );
    assert!(sheet.contains("<autoFilter ref=\"A1:D36\"/>"));
    assert!(sheet.contains("&amp;C— &amp;P —"), "page numbers");
    let workbook = part(&bytes, "xl/workbook.xml");
    assert!(
        workbook.contains(r#"<definedName name="_xlnm.Print_Titles" localSheetId="0">落实情况表!$1:$1</definedName>"#),
        "header row repeated on print: {workbook}"
    );
    let styles = part(&bytes, "xl/styles.xml");
    assert!(
        styles.contains("<wrapText") || styles.contains("wrapText=\"1\""),
        "wrapped cells"
    );
    assert!(styles.contains("仿宋_GB2312") && styles.contains("黑体"));
    // Bold lead-ins are rich text runs.
    let shared = part(&bytes, "xl/sharedStrings.xml");
    assert!(shared.contains("<b/>"), "bold runs kept");
}

#[test]
fn xlsx_is_deterministic() {
    let notice = common::seed();
    let a = render_xlsx(&notice).unwrap();
    let b = render_xlsx(&notice).unwrap();
    assert_eq!(a, b);
    assert!(part(&a, "docProps/core.xml").contains("2020-10-15T00:00:00Z"));
}

#[test]
fn a_table_without_progress_is_a_decomposition_sheet() {
    let mut notice = common::seed();
    for task in &mut notice.tasks {
        task.progress = None;
    }
    let bytes = render_xlsx(&notice).unwrap();
    let book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(
        book.sheet_names(),
        [duban_render::xlsx::PLAN_SHEET, FIELDS_SHEET],
        "a 分解通知 has no 落实情况"
    );
}

#[test]
fn xlsx_rows_are_tall_enough_and_the_header_is_bold() {
    let notice = common::seed();
    let bytes = render_xlsx(&notice).unwrap();
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    // Every row has a custom height; the longest 落实情况 (~800 characters in a
    // 115 mm column, ~27 a line) needs ~30 lines of 16.5 pt.
    let heights: Vec<f64> = sheet
        .split("<row ")
        .skip(1)
        .map(|row| {
            let ht = row
                .split("ht=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap_or_else(|| panic!("row without a height: {}", &row[..80]));
            assert!(row.contains("customHeight=\"1\""));
            ht.parse().expect("a number")
        })
        .collect();
    assert_eq!(heights.len(), 36);
    // Excel keeps heights in whole pixels (0.75 pt).
    assert!(
        (heights[0] - 20.5).abs() <= 0.75,
        "header: one line, {}",
        heights[0]
    );
    let longest = notice
        .tasks
        .iter()
        .map(|t| {
            t.progress
                .as_ref()
                .map_or(0, |p| p.plain_text().chars().count())
        })
        .max()
        .unwrap();
    let tallest = heights.iter().cloned().fold(0.0, f64::max);
    assert!(longest > 600, "{longest}");
    assert!(
        // Excel's largest row is 409 pt.
        tallest >= ((longest as f64 / 27.0) * 16.5).min(408.0) && tallest <= 409.0,
        "tallest row {tallest} pt for {longest} characters"
    );
    assert!(heights[1..].iter().all(|h| *h >= 19.75));
    let styles = part(&bytes, "xl/styles.xml");
    let bold_heiti = styles
        .split("<font>")
        .any(|f| f.contains("<b/>") && f.contains("黑体"));
    assert!(bold_heiti, "bold 黑体 header font: {styles}");
}

#[test]
fn duban_xlsx_reimports_with_its_document_fields() {
    let notice = common::seed();
    let bytes = render_xlsx(&notice).unwrap();
    assert_eq!(FIELDS_SHEET, duban_formats::header::FIELDS_SHEET);
    let back = duban_formats::import(&bytes, None, &Default::default()).expect("re-import");
    assert_eq!(back.document, notice.document);
    assert_eq!(back.tasks.len(), notice.tasks.len());
    for (got, want) in back.tasks.iter().zip(&notice.tasks) {
        assert_eq!(got.number, want.number);
        assert_eq!(
            common::squeeze(&got.content.plain_text()),
            common::squeeze(&want.content.plain_text())
        );
        assert_eq!(got.lead_units, want.lead_units, "task {}", want.number);
    }
}
