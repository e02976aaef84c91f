//! Bad input: a clear error naming where and what, a non-zero exit, and a store left
//! exactly as it was.

use super::support::{SEED, Sandbox};

const HEADER: &str = "序号\t具体目标任务\t牵头责任单位\t落实情况\n";

/// Imports `content` into a store that already holds the seed; asserts failure, the
/// message parts, and that nothing changed.
#[track_caller]
fn rejected(name: &str, content: &[u8], expect: &[&str]) {
    let sandbox = Sandbox::new();
    sandbox.import(SEED.as_ref()).ok();
    let before = sandbox.snapshot();
    let path = sandbox.write(name, content);
    let run = sandbox.import(&path).failed();
    assert!(
        run.stderr.contains(name),
        "the file is named: {}",
        run.stderr
    );
    for part in expect {
        assert!(
            run.stderr.contains(part),
            "expected “{part}” in: {}",
            run.stderr
        );
    }
    assert_eq!(
        sandbox.snapshot(),
        before,
        "store changed after a rejected import"
    );
}

#[test]
fn duplicate_number() {
    rejected(
        "dup.txt",
        format!(
            "{HEADER}1\t甲\t区发改局\t已完成\n2\t乙\t区财政局\t推进中\n2\t丙\t区财政局\t推进中\n"
        )
        .as_bytes(),
        &["第 4 行", "序号 2 重复", "第 3 行已有"],
    );
}

#[test]
fn missing_number() {
    rejected(
        "missing.txt",
        format!("{HEADER}1\t甲\t区发改局\t已完成\n\t乙\t区财政局\t推进中\n").as_bytes(),
        &["第 3 行", "缺少序号"],
    );
}

#[test]
fn gap_in_numbers() {
    rejected(
        "gap.txt",
        format!("{HEADER}1\t甲\t区发改局\t已完成\n3\t乙\t区财政局\t推进中\n").as_bytes(),
        &["第 3 行", "缺少第 2 项"],
    );
}

#[test]
fn non_numeric_number() {
    rejected(
        "nonnum.txt",
        format!("{HEADER}1\t甲\t区发改局\t已完成\n二\t乙\t区财政局\t推进中\n").as_bytes(),
        &["第 3 行", "序号“二”不是正整数"],
    );
}

#[test]
fn wrong_number_of_cells() {
    rejected(
        "ragged.txt",
        format!("{HEADER}1\t甲\t区发改局\t已完成\n2\t乙\t区财政局\n").as_bytes(),
        &["第 3 行", "有 3 个单元格，表头有 4 列"],
    );
}

#[test]
fn unknown_required_column() {
    rejected(
        "columns.txt",
        "序号\t任务名称\t牵头单位\n1\t甲\t区发改局\n".as_bytes(),
        &[
            "第 1 行",
            "缺少必需的列",
            "具体目标任务",
            "无法识别的列：“任务名称”",
        ],
    );
}

#[test]
fn empty_file() {
    rejected("empty.txt", b"  \n\n", &["文件为空"]);
}

#[test]
fn binary_file() {
    let mut bytes = vec![0u8, 159, 146, 150, 0, 1, 2, 255, 254];
    bytes.extend_from_slice(&[0; 64]);
    rejected("blob.bin", &bytes, &["无法识别的文件内容"]);
    rejected(
        "old.doc",
        &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
        &[".docx"],
    );
}

#[test]
fn flattened_table_with_a_missing_cell() {
    rejected(
        "flat.txt",
        "序号\n主要任务\n责任单位\n1\n甲\n2\n乙\n区财政局\n".as_bytes(),
        &["第 6 行", "“2”应为第 2 项的序号", "第 1 项少了单元格"],
    );
}

#[test]
fn no_table_at_all() {
    rejected(
        "prose.txt",
        "这是一段没有表格的文字。\n".as_bytes(),
        &["未找到表格"],
    );
}

#[test]
fn same_number_different_content() {
    let changed = std::fs::read_to_string(SEED)
        .expect("seed")
        .replace("区招商办紧盯营商环境", "区招商办紧盯营商");
    rejected(
        "changed.txt",
        changed.as_bytes(),
        &["泉鲤政办〔2020〕48号", "内容与本次导入的不同", "--replace"],
    );
}
