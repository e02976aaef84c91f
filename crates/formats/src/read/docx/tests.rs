use std::io::Write;

use docx_rs::{Docx, Paragraph, Run as DocxRun, Table, TableCell, TableRow, VMergeType};

use super::*;

fn text_cell(text: &str) -> TableCell {
    TableCell::new().add_paragraph(Paragraph::new().add_run(DocxRun::new().add_text(text)))
}

fn header_row() -> TableRow {
    TableRow::new(vec![
        text_cell("序号"),
        text_cell("具体目标任务"),
        text_cell("牵头责任单位"),
        text_cell("落实情况"),
    ])
}

fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(DocxRun::new().add_text(text))
}

fn pack(docx: Docx) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    docx.build().pack(&mut out).expect("pack docx fixture");
    out.into_inner()
}

/// A package holding only the given `word/document.xml` body content.
fn raw_docx(body: &str) -> Vec<u8> {
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{body}</w:body></w:document>"#
    );
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .expect("start zip entry");
    zip.write_all(xml.as_bytes()).expect("write zip entry");
    zip.finish().expect("finish zip").into_inner()
}

fn notice() -> Vec<u8> {
    let progress = TableCell::new()
        .add_paragraph(
            Paragraph::new()
                .add_run(DocxRun::new().add_text("区住建局：").bold())
                .add_run(DocxRun::new().add_text("已完成立项。")),
        )
        .add_paragraph(para("二是加快推进征迁。"));
    let table1 = Table::new(vec![
        header_row(),
        TableRow::new(vec![
            text_cell("1"),
            text_cell("抓紧推进旧城改造。"),
            text_cell("区住建局"),
            progress,
        ]),
    ]);
    let table2 = Table::new(vec![
        header_row(),
        TableRow::new(vec![
            text_cell("2"),
            text_cell("强化财政收入调度。"),
            text_cell("区财政局"),
            text_cell("1-9 月完成年预算 67.9%。"),
        ]),
        TableRow::new(vec![
            text_cell("3"),
            text_cell("优化营商环境。"),
            TableCell::new().add_paragraph(
                Paragraph::new().add_run(
                    DocxRun::new()
                        .add_text("区发改局")
                        .add_tab()
                        .add_text("区商务局"),
                ),
            ),
            text_cell("持续推进。"),
        ]),
    ]);
    pack(
        Docx::new()
            .add_paragraph(para("泉州市鲤城区人民政府办公室文件"))
            .add_paragraph(Paragraph::new())
            .add_paragraph(para("泉鲤政办〔2020〕48号"))
            .add_table(table1)
            .add_paragraph(para("— 3 —"))
            .add_table(table2)
            .add_paragraph(para("抄送：区委办。")),
    )
}

#[test]
fn docx_notice_preamble_rows_and_trailer() {
    let table = read_docx(&notice()).expect("read notice");
    assert_eq!(
        table.preamble,
        vec!["泉州市鲤城区人民政府办公室文件", "泉鲤政办〔2020〕48号"]
    );
    assert_eq!(table.trailer, vec!["— 3 —", "抄送：区委办。"]);
    assert_eq!(table.rows.len(), 5);
    let locations: Vec<Location> = table.rows.iter().map(|r| r.location.clone()).collect();
    assert_eq!(
        locations,
        vec![
            Location::TableRow { table: 1, row: 1 },
            Location::TableRow { table: 1, row: 2 },
            Location::TableRow { table: 2, row: 1 },
            Location::TableRow { table: 2, row: 2 },
            Location::TableRow { table: 2, row: 3 },
        ]
    );
    assert_eq!(
        table.rows[0].texts(),
        vec!["序号", "具体目标任务", "牵头责任单位", "落实情况"]
    );
    assert_eq!(table.rows[2].texts(), table.rows[0].texts());
    assert_eq!(
        table.rows[4].texts(),
        vec!["3", "优化营商环境。", "区发改局\t区商务局", "持续推进。"]
    );
}

#[test]
fn docx_cell_keeps_paragraphs_and_bold() {
    let table = read_docx(&notice()).expect("read notice");
    let progress = &table.rows[1].cells[3];
    assert_eq!(progress.paragraphs.len(), 2);
    assert_eq!(
        progress.plain_text(),
        "区住建局：已完成立项。\n二是加快推进征迁。"
    );
    assert_eq!(progress.bold_runs().collect::<Vec<_>>(), vec!["区住建局："]);
    assert_eq!(progress.paragraphs[0].runs.len(), 2);
    assert!(!progress.paragraphs[0].runs[1].bold);
    assert!(!table.rows[1].cells[1].has_bold());
}

#[test]
fn docx_grid_span_is_refused_with_row() {
    let bytes = pack(Docx::new().add_table(Table::new(vec![
        header_row(),
        TableRow::new(vec![
            text_cell("1"),
            text_cell("任务"),
            TableCell::new()
                .add_paragraph(para("区发改局，已完成。"))
                .grid_span(2),
        ]),
    ])));
    match read_docx(&bytes) {
        Err(ImportError::At { location, message }) => {
            assert_eq!(location, Location::TableRow { table: 1, row: 2 });
            assert!(
                message.contains("第 3 个单元格横向合并了 2 列"),
                "{message}"
            );
            assert!(message.contains("请取消合并"), "{message}");
        }
        other => panic!("expected merged-cell error, got {other:?}"),
    }
}

fn merged_units_docx(merge_number: bool) -> Vec<u8> {
    let number = |n: &str, merge: Option<VMergeType>| match merge {
        Some(m) if merge_number => text_cell(if matches!(m, VMergeType::Restart) {
            n
        } else {
            ""
        })
        .vertical_merge(m),
        _ => text_cell(n),
    };
    pack(Docx::new().add_table(Table::new(vec![
        header_row(),
        TableRow::new(vec![
            number("1", Some(VMergeType::Restart)),
            text_cell("任务甲"),
            text_cell("区发改局").vertical_merge(VMergeType::Restart),
            text_cell("已完成。"),
        ]),
        TableRow::new(vec![
            number("2", Some(VMergeType::Continue)),
            text_cell("任务乙"),
            TableCell::new()
                .add_paragraph(Paragraph::new())
                .vertical_merge(VMergeType::Continue),
            text_cell("推进中。"),
        ]),
        TableRow::new(vec![
            number("3", None),
            text_cell("任务丙"),
            TableCell::new()
                .add_paragraph(Paragraph::new())
                .vertical_merge(VMergeType::Continue),
            text_cell("已启动。"),
        ]),
        TableRow::new(vec![
            number("4", None),
            text_cell("任务丁"),
            text_cell("区财政局"),
            text_cell("已完成。"),
        ]),
    ])))
}

#[test]
fn docx_vertical_merge_is_filled_down_and_noted() {
    let table = read_docx(&merged_units_docx(false)).expect("merged units import");
    let units: Vec<String> = table.rows[1..]
        .iter()
        .map(|r| r.texts()[2].clone())
        .collect();
    assert_eq!(units, vec!["区发改局", "区发改局", "区发改局", "区财政局"]);
    assert_eq!(
        table.notes,
        vec![ImportNote {
            location: Location::TableRow { table: 1, row: 2 },
            message: "“牵头责任单位”列（第 3 列）第 2—4 行是一个纵向合并的单元格（“区发改局”），已填入其中每一行。".into(),
        }]
    );
}

#[test]
fn docx_vertical_merge_over_number_is_refused_with_rows() {
    let err = read_docx(&merged_units_docx(true)).expect_err("merged 序号 must be refused");
    assert_eq!(
        err.to_string(),
        "第 1 个表格第 2 行：第 2—3 行的“序号”单元格纵向合并为一格，无法分清这几行各是哪一项任务。请取消合并，为每一行填写序号后重新导入。"
    );
}

/// A package with `word/document.xml` and `word/numbering.xml`.
fn numbered_docx(body: &str, numbering: &str) -> Vec<u8> {
    let ns = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, xml) in [
        (
            "word/document.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><w:document {ns}><w:body>{body}</w:body></w:document>"#
            ),
        ),
        (
            "word/numbering.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><w:numbering {ns}>{numbering}</w:numbering>"#
            ),
        ),
    ] {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("start zip entry");
        zip.write_all(xml.as_bytes()).expect("write zip entry");
    }
    zip.finish().expect("finish zip").into_inner()
}

#[test]
fn docx_word_numbering_becomes_labels() {
    let numbering = concat!(
        r#"<w:abstractNum w:abstractNumId="5"><w:lvl w:ilvl="0"><w:start w:val="1"/>"#,
        r#"<w:numFmt w:val="decimalEnclosedCircleChinese"/><w:lvlText w:val="%1"/></w:lvl></w:abstractNum>"#,
        r#"<w:abstractNum w:abstractNumId="6"><w:lvl w:ilvl="0"><w:start w:val="1"/>"#,
        r#"<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>"#,
        r#"<w:num w:numId="1"><w:abstractNumId w:val="5"/></w:num>"#,
        r#"<w:num w:numId="2"><w:abstractNumId w:val="5"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>"#,
        r#"<w:num w:numId="3"><w:abstractNumId w:val="6"/></w:num>"#,
    );
    let item = |num: u32, text: &str| {
        format!(
            r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num}"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
        )
    };
    let cell = |content: &str| format!("<w:tc>{content}</w:tc>");
    let plain = |text: &str| cell(&format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"));
    let body = format!(
        "{}<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr></w:tbl>",
        item(3, "总体要求"),
        plain("序号"),
        plain("具体目标任务"),
        plain("1"),
        cell(&format!(
            "<w:p><w:r><w:t>加快设立：</w:t></w:r></w:p>{}{}",
            item(1, "教育基金；"),
            item(1, "培训中心。")
        )),
        plain("2"),
        cell(&format!("{}{}", item(2, "甲；"), item(2, "乙。"))),
    );
    let table = read_docx(&numbered_docx(&body, numbering)).expect("numbered docx");
    assert_eq!(table.preamble, vec!["一、总体要求"]);
    assert_eq!(
        table.rows[1].texts()[1],
        "加快设立：\n①教育基金；\n②培训中心。"
    );
    assert_eq!(table.rows[2].texts()[1], "①甲；\n②乙。");
    assert_eq!(table.notes.len(), 1);
    assert_eq!(table.notes[0].location, Location::Paragraph(1));
    assert!(
        table.notes[0].message.contains("5 处编号"),
        "{}",
        table.notes[0].message
    );
}

#[test]
fn docx_run_details_from_raw_xml() {
    let row = |cells: &[&str]| {
        let cells: String = cells.iter().map(|c| format!("<w:tc>{c}</w:tc>")).collect();
        format!("<w:tr>{cells}</w:tr>")
    };
    let p = |runs: &str| format!("<w:p>{runs}</w:p>");
    let header = row(&[
        &p("<w:r><w:t>序号</w:t></w:r>"),
        &p("<w:r><w:t>落实情况</w:t></w:r>"),
    ]);
    let nested = format!(
        "<w:tbl><w:tr><w:tc>{}</w:tc><w:tc>{}</w:tc></w:tr></w:tbl>",
        p("<w:r><w:t>子项一</w:t></w:r>"),
        p("<w:r><w:t>子项二</w:t></w:r>")
    );
    let progress = format!(
        "{}{}{}",
        p(concat!(
            r#"<w:pPr><w:rPr><w:b/></w:rPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr>"#,
            r#"<w:r><w:rPr><w:b w:val="0"/><w:bCs/></w:rPr><w:t xml:space="preserve">一是 A&amp;B </w:t></w:r>"#,
            r#"<w:r><w:rPr><w:b w:val="true"/></w:rPr><w:t>区财政局：</w:t></w:r>"#,
            r#"<w:r><w:rPr><w:b/><w:rPrChange><w:rPr><w:b w:val="0"/></w:rPr></w:rPrChange></w:rPr><w:t>仍加粗</w:t></w:r>"#,
            r#"<w:r><w:t>1</w:t><w:noBreakHyphen/><w:t>9月</w:t><w:br/><w:t>二是乙</w:t></w:r>"#,
            r#"<w:r><w:sym w:font="Wingdings" w:char="F0FC"/></w:r>"#,
            r#"<w:del><w:r><w:delText>删除的字</w:delText></w:r></w:del>"#,
        )),
        nested,
        p(concat!(
            r#"<mc:AlternateContent><mc:Choice Requires="wps"><w:t>x</w:t></mc:Choice>"#,
            r#"<mc:Fallback><w:r><w:t>备用</w:t></w:r></mc:Fallback></mc:AlternateContent>"#,
            r#"<w:r><w:t>完</w:t></w:r>"#
        ))
    );
    let data = row(&[&p("<w:r><w:t>1</w:t></w:r>"), &progress]);
    let body = format!(
        "{}<w:tbl><w:tblPr/><w:tblGrid/>{header}{data}</w:tbl><w:p><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t></w:r></w:p>",
        p("<w:r><w:t>  标题  </w:t></w:r>")
    );
    let table = read_docx(&raw_docx(&body)).expect("read raw docx");
    assert_eq!(table.preamble, vec!["标题"]);
    assert_eq!(table.trailer, vec!["甲\t乙\n丙"]);
    assert_eq!(table.rows.len(), 2);
    let cell = &table.rows[1].cells[1];
    assert_eq!(
        cell.plain_text(),
        "一是 A&B 区财政局：仍加粗1-9月\n二是乙✓\n子项一\n子项二\n完"
    );
    assert_eq!(
        cell.bold_runs().collect::<Vec<_>>(),
        vec!["区财政局：仍加粗"]
    );
}

#[test]
fn docx_grid_before_pads_row() {
    let body = concat!(
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>序号</w:t></w:r></w:p></w:tc>",
        "<w:tc><w:p><w:r><w:t>落实情况</w:t></w:r></w:p></w:tc></w:tr>",
        r#"<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>"#,
        "<w:tc><w:p><w:r><w:t>已完成</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    );
    let table = read_docx(&raw_docx(body)).expect("read raw docx");
    assert_eq!(table.rows[1].texts(), vec!["", "已完成"]);
    assert!(table.preamble.is_empty() && table.trailer.is_empty());
}

#[test]
fn docx_corrupt_inputs() {
    assert!(matches!(
        read_docx(b"not a zip at all"),
        Err(ImportError::Corrupt { format: "DOCX", .. })
    ));
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("readme.txt", zip::write::SimpleFileOptions::default())
        .expect("start zip entry");
    zip.write_all(b"hello").expect("write zip entry");
    let no_document = zip.finish().expect("finish zip").into_inner();
    match read_docx(&no_document) {
        Err(ImportError::Corrupt { format, detail }) => {
            assert_eq!(format, "DOCX");
            assert!(detail.contains("word/document.xml"), "{detail}");
        }
        other => panic!("expected corrupt error, got {other:?}"),
    }
    assert!(matches!(
        read_docx(&raw_docx("<w:p><w:r><w:t>未闭合</w:r></w:p>")),
        Err(ImportError::Corrupt { format: "DOCX", .. })
    ));
}
