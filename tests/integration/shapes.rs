//! One small table written in every shape duban reads must import to the same tasks.

use std::path::Path;

use serde_json::Value;

use super::support::{Sandbox, fixture};

fn tasks_of(sandbox: &Sandbox, path: &Path, format: Option<&str>) -> Value {
    let mut args = vec!["import".to_string(), path.display().to_string()];
    if let Some(f) = format {
        args.extend(["--format".to_string(), f.to_string()]);
    }
    sandbox.run(&args).ok();
    let list = sandbox.run(["list", "--format", "json"]).ok().json();
    let id = list
        .as_array()
        .and_then(|l| l.last())
        .map(|d| d["id"].to_string())
        .expect("a document");
    let mut json = sandbox.run(["export", id.as_str()]).ok().json();
    json["tasks"].take()
}

/// The reference: the tab-separated form with a full header block.
fn reference() -> Value {
    let sandbox = Sandbox::new();
    tasks_of(&sandbox, &fixture("shapes/tsv.txt"), None)
}

#[test]
fn the_reference_table_reads_as_intended() {
    let tasks = reference();
    assert_eq!(tasks.as_array().map(Vec::len), Some(3));
    assert_eq!(
        tasks[0]["progress"],
        "区教育局：已完成选址。\n区住建局：正在设计。"
    );
    assert_eq!(
        tasks[0]["progress_rich"]["paragraphs"][1]["runs"][0]["bold"],
        true
    );
    assert_eq!(
        tasks[1]["subitems"][1]["lead_units"],
        serde_json::json!(["区住建局"])
    );
    assert_eq!(tasks[2]["lead_units_detail"][0]["role"], "区创城办");
}

#[test]
fn every_text_shape_gives_the_same_tasks() {
    let expected = reference();
    for (file, format) in [
        ("markdown.md", "md"),
        ("table.html", "html"),
        ("pipe.txt", "pipe"),
        ("flat_lines.txt", "flat"),
        ("flat_paragraphs.txt", "flat"),
    ] {
        // Detected from the content …
        let sandbox = Sandbox::new();
        assert_eq!(
            tasks_of(&sandbox, &fixture(&format!("shapes/{file}")), None),
            expected,
            "{file}"
        );
        // … and with the format named.
        let sandbox = Sandbox::new();
        assert_eq!(
            tasks_of(&sandbox, &fixture(&format!("shapes/{file}")), Some(format)),
            expected,
            "{file} --format {format}"
        );
    }
}

/// The same table as Word and Excel files, built the way an office's software writes them.
#[test]
fn docx_and_xlsx_give_the_same_tasks() {
    let expected = reference();
    let sandbox = Sandbox::new();
    let docx = sandbox.write("table.docx", build_docx());
    assert_eq!(tasks_of(&sandbox, &docx, None), expected, "docx");
    let sandbox = Sandbox::new();
    let xlsx = sandbox.write("table.xlsx", build_xlsx());
    let mut tasks = tasks_of(&sandbox, &xlsx, None);
    // Excel cells carry no bold runs: compare the text and the units.
    for (got, want) in tasks
        .as_array_mut()
        .expect("tasks")
        .iter_mut()
        .zip(expected.as_array().expect("tasks"))
    {
        assert_eq!(got["progress"], want["progress"]);
        got["progress_rich"] = want["progress_rich"].clone();
    }
    assert_eq!(tasks, expected, "xlsx");
}

const ROWS: [[&str; 4]; 3] = [
    ["1", "加快建设教育园区。", "区教育局、区住建局", ""],
    [
        "2",
        "①设立教育基金；②建设培训中心。",
        "第①项由区教育局牵头，第②项由住建局牵头",
        "①已成立基金会。②正选址中。",
    ],
    [
        "3",
        "创城常态化管理。",
        "区委文明办 (区创城办) 区城管局",
        "区城管局：每周调度 3 次，完成 95% 的整治任务。",
    ],
];
const HEADER: [&str; 4] = ["序号", "具体目标任务", "牵头责任单位", "落实情况"];

fn build_docx() -> Vec<u8> {
    use docx_rs::{Docx, Paragraph, Run, Table, TableCell, TableRow};
    let cell = |text: &str| {
        TableCell::new().add_paragraph(Paragraph::new().add_run(Run::new().add_text(text)))
    };
    let header = || TableRow::new(HEADER.iter().map(|h| cell(h)).collect());
    let mut rows = vec![header()];
    for row in &ROWS[..2] {
        let mut cells: Vec<TableCell> = row.iter().map(|c| cell(c)).collect();
        if row[0] == "1" {
            cells[3] = TableCell::new()
                .add_paragraph(
                    Paragraph::new()
                        .add_run(Run::new().add_text("区教育局：").bold())
                        .add_run(Run::new().add_text("已完成选址。")),
                )
                .add_paragraph(
                    Paragraph::new()
                        .add_run(Run::new().add_text("区住建局：").bold())
                        .add_run(Run::new().add_text("正在设计。")),
                );
        }
        rows.push(TableRow::new(cells));
    }
    let second = vec![
        header(),
        TableRow::new(ROWS[2].iter().map(|c| cell(c)).collect()),
    ];
    let mut out = std::io::Cursor::new(Vec::new());
    Docx::new()
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text("重点工作落实情况表")))
        .add_table(Table::new(rows))
        .add_paragraph(Paragraph::new())
        .add_table(Table::new(second))
        .build()
        .pack(&mut out)
        .expect("docx");
    out.into_inner()
}

fn build_xlsx() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .write_string(0, 0, "重点工作落实情况表")
        .expect("title");
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).expect("header");
    }
    for (r, row) in ROWS.iter().enumerate() {
        let r = r as u32 + 2;
        sheet.write_number(r, 0, f64::from(r - 1)).expect("number");
        for (c, cell) in row.iter().enumerate().skip(1) {
            let text = if r == 2 && c == 3 {
                "区教育局：已完成选址。\n区住建局：正在设计。"
            } else {
                cell
            };
            sheet.write_string(r, c as u16, text).expect("cell");
        }
    }
    book.save_to_buffer().expect("xlsx")
}
