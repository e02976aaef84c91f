//! Office files as offices make them (tests/fixtures/office, built by its
//! make_fixtures.py with python-docx and openpyxl): CSV as Excel and WPS save it,
//! merged cells, Word's automatic numbering. Each imports with nothing lost.

use std::path::Path;

use serde_json::Value;

use super::support::{Sandbox, fixture};

/// Imports the file (format detected, or named) and returns the stored notice as JSON
/// and what the import printed.
fn imported(path: &Path, format: Option<&str>) -> (Value, String) {
    let sandbox = Sandbox::new();
    let mut args = vec!["import".to_string(), path.display().to_string()];
    if let Some(f) = format {
        args.extend(["--format".to_string(), f.to_string()]);
    }
    let run = sandbox.run(&args).ok();
    let list = sandbox.run(["list", "--format", "json"]).ok().json();
    let id = list
        .as_array()
        .and_then(|l| l.last())
        .map(|d| d["id"].to_string())
        .expect("a document");
    (sandbox.run(["export", id.as_str()]).ok().json(), run.stderr)
}

fn column(notice: &Value, field: &str) -> Vec<Value> {
    notice["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| t[field].clone())
        .collect()
}

fn strings(values: &[&str]) -> Vec<Value> {
    values.iter().map(|v| Value::from(*v)).collect()
}

/// What every office fixture holds: the header block, four tasks, the 版记.
#[track_caller]
fn assert_reference(notice: &Value) {
    assert_eq!(notice["document"]["doc_number"], "某政办〔2024〕9号");
    assert_eq!(
        notice["document"]["title"],
        "某某区人民政府办公室关于重点工作落实情况的通报"
    );
    assert_eq!(column(notice, "number"), [1, 2, 3, 4].map(Value::from));
    assert_eq!(
        column(notice, "content"),
        strings(&[
            "加快建设教育园区。",
            "推进校舍改造。",
            "落实教师招聘。",
            "创城常态化管理。"
        ])
    );
    assert_eq!(
        column(notice, "progress"),
        strings(&[
            "已完成选址。",
            "区教育局：\n一是已开工；\n二是完成 60% 的工程量。",
            "已招聘 120 人。",
            "区城管局：每周调度 3 次。"
        ])
    );
    assert_eq!(
        notice["tasks"][3]["lead_units_detail"][0]["role"],
        "区创城办"
    );
}

#[test]
fn csv_as_excel_and_wps_save_it() {
    for (file, format) in [
        ("excel_utf8_bom.csv", None),
        ("excel_utf8_bom.csv", Some("csv")),
        ("wps_gbk.csv", None),
        ("wps_gbk.csv", Some("csv")),
        // Tab-separated, every field quoted, GBK: detected as CSV, not as the seed's TSV.
        ("tabs_gbk_quoted.txt", None),
    ] {
        let (notice, _) = imported(&fixture(&format!("office/{file}")), format);
        assert_reference(&notice);
        assert_eq!(
            column(&notice, "lead_units"),
            vec![
                Value::from(vec!["区教育局"]),
                Value::from(vec!["区教育局"]),
                Value::from(vec!["区教育局"]),
                Value::from(vec!["区委文明办", "区城管局"]),
            ],
            "{file}"
        );
    }
}

#[test]
fn a_merged_lead_unit_is_filled_down_and_reported() {
    for (file, where_) in [
        ("merged_units.docx", "第 1 个表格第 2 行"),
        ("merged_units.xlsx", "工作表“落实情况”第 13 行"),
    ] {
        let (notice, printed) = imported(&fixture(&format!("office/{file}")), None);
        assert_reference(&notice);
        assert_eq!(
            column(&notice, "lead_units_text"),
            strings(&[
                "区教育局",
                "区教育局",
                "区教育局",
                "区委文明办 (区创城办) 区城管局"
            ]),
            "{file}"
        );
        assert!(
            printed.contains(&format!("注意：{where_}：“牵头责任单位”列"))
                && printed.contains("已填入其中每一行"),
            "{file}: the import report names the merge: {printed}"
        );
    }
}

#[test]
fn a_merge_across_the_number_is_refused_naming_the_rows() {
    for (file, expected) in [
        (
            "merged_number.docx",
            "第 1 个表格第 3 行：第 3—4 行的“序号”单元格纵向合并为一格",
        ),
        (
            "merged_number.xlsx",
            "工作表“落实情况”第 14 行：“序号”列的单元格 A14:A15 把第 14—15 行合并为一格",
        ),
    ] {
        let sandbox = Sandbox::new();
        let run = sandbox.import(&fixture(&format!("office/{file}"))).failed();
        assert!(run.stderr.contains(expected), "{file}: {}", run.stderr);
        assert!(run.stderr.contains("请取消合并"), "{}", run.stderr);
        let list = sandbox.run(["list", "--format", "json"]).ok().json();
        assert_eq!(list.as_array().map(Vec::len), Some(0), "nothing stored");
    }
}

#[test]
fn word_numbering_keeps_its_labels_and_sub_items() {
    let (notice, printed) = imported(&fixture("office/word_numbering.docx"), None);
    assert_eq!(
        column(&notice, "content"),
        strings(&[
            "加快设立：\n①教育基金；\n②崇德培训中心；\n③教育投资公司。",
            "推进项目建设：\n①教育园区；\n②体育中心。",
        ])
    );
    assert_eq!(
        column(&notice, "progress"),
        strings(&[
            "①已成立基金会。\n②正选址中。\n③已注册。",
            "①已完成 60%。\n②已开工。",
        ])
    );
    let items = &notice["tasks"][0]["subitems"];
    assert_eq!(items.as_array().map(Vec::len), Some(3));
    for (i, (content, units)) in [
        ("教育基金", vec!["区教育局"]),
        ("崇德培训中心", vec!["区财政局"]),
        ("教育投资公司", vec!["区财政局"]),
    ]
    .into_iter()
    .enumerate()
    {
        assert!(
            items[i]["content"]
                .as_str()
                .is_some_and(|c| c.starts_with(content)),
            "sub-item {i}: {}",
            items[i]
        );
        assert_eq!(items[i]["lead_units"], Value::from(units));
    }
    assert_eq!(
        notice["tasks"][1]["subitems"].as_array().map(Vec::len),
        Some(2)
    );
    assert!(printed.contains("Word 自动编号"), "{printed}");
}

#[test]
fn a_sub_item_without_content_is_reported() {
    let sandbox = Sandbox::new();
    let path = sandbox.write(
        "lost_markers.txt",
        "序号\t具体目标任务\t牵头责任单位\t落实情况\n1\t加快设立教育基金、培训中心。\t第①项由区教育局牵头，第②项由区财政局牵头\t推进中。\n",
    );
    let run = sandbox.import(&path).ok();
    assert!(
        run.stderr
            .contains("第 2 行：第 1 项的分项 ①② 在牵头责任单位中有分工，但任务内容中没有这些标号"),
        "{}",
        run.stderr
    );
}

/// Every format follows one rule: a truncated file is refused in Chinese, saying what
/// to do, with no English from the libraries.
#[test]
fn truncated_office_files_are_refused_in_chinese() {
    for (file, kind) in [
        ("merged_units.docx", "Word 文档（.docx）"),
        ("merged_units.xlsx", "Excel 工作簿（.xlsx）"),
    ] {
        let bytes = std::fs::read(fixture(&format!("office/{file}"))).expect("fixture");
        let sandbox = Sandbox::new();
        let path = sandbox.write(file, &bytes[..bytes.len() * 2 / 3]);
        let run = sandbox.import(&path).failed();
        let message = run
            .stderr
            .split_once(&format!("{}：", path.display()))
            .map(|(_, m)| m.to_string())
            .expect("the file is named");
        assert!(
            message.contains(&format!("无法读取{kind}：压缩包结构不完整"))
                && message.contains("请用办公软件打开并另存后重试"),
            "{message}"
        );
        let english: Vec<&str> = message
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() > 1 && !["Word", "Excel", "docx", "xlsx"].contains(w))
            .collect();
        assert!(english.is_empty(), "English in: {message}");
    }
}

/// The seed's 附件说明 says 全体会, its attachment's title 全体会议: the import says so.
#[test]
fn the_seed_s_attachment_title_mismatch_is_reported() {
    let sandbox = Sandbox::new();
    let run = sandbox.import(super::support::SEED.as_ref()).ok();
    assert!(
        run.stderr.contains("注意：第 29 行：附件说明写作“黄区长在区政府第一次全体会上的讲话部署落实情况表”，附件标题为“黄区长在区政府第一次全体会议上的讲话部署落实情况表”，两者应一致"),
        "{}",
        run.stderr
    );
}
