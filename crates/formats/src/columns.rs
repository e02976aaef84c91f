//! Column names as offices write them, and what each one means.

/// What a table column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Number,
    Content,
    LeadUnits,
    CooperatingUnits,
    Leader,
    Progress,
    Deadline,
    Notes,
}

/// Every accepted header per column, the canonical one first.
pub const SYNONYMS: &[(Column, &[&str])] = &[
    (Column::Number, &["序号", "编号"]),
    (
        Column::Content,
        &[
            "具体目标任务",
            "工作任务",
            "重点工作",
            "主要任务",
            "项目内容",
            "任务内容",
            "目标任务",
            "工作内容",
            "督办事项",
            "事项内容",
        ],
    ),
    (
        Column::LeadUnits,
        &[
            "牵头责任单位",
            "牵头单位",
            "责任单位",
            "责任主体",
            "牵头部门",
            "责任部门",
            "承办单位",
        ],
    ),
    (
        Column::CooperatingUnits,
        &["配合单位", "协同单位", "协办单位", "配合部门"],
    ),
    (
        Column::Leader,
        &["责任领导", "分管领导", "牵头领导", "分管区领导"],
    ),
    (
        Column::Progress,
        &[
            "落实情况",
            "进展情况",
            "推进情况",
            "当前进度",
            "完成情况",
            "工作进展",
            "实际完成情况",
        ],
    ),
    (
        Column::Deadline,
        &["完成时限", "时间节点", "完成时间", "办结时限"],
    ),
    (Column::Notes, &["备注", "说明"]),
];

/// Header text normalised for matching: no whitespace, no trailing colon.
pub fn normalise_header(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .trim_end_matches(['：', ':'])
        .to_string()
}

pub fn recognise(header: &str) -> Option<Column> {
    let header = normalise_header(header);
    SYNONYMS
        .iter()
        .find(|(_, names)| names.contains(&header.as_str()))
        .map(|(column, _)| *column)
}

/// The canonical header for a column, used when writing tables.
pub fn canonical_name(column: Column) -> &'static str {
    SYNONYMS
        .iter()
        .find(|(c, _)| *c == column)
        .map_or("", |(_, names)| names[0])
}

/// A row of header texts looks like a table header: it names 序号 (or 编号) and at least
/// one other known column.
pub fn looks_like_header<S: AsRef<str>>(cells: &[S]) -> bool {
    let known: Vec<Column> = cells.iter().filter_map(|c| recognise(c.as_ref())).collect();
    known.contains(&Column::Number) && known.len() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms_and_spacing() {
        assert_eq!(recognise("序 号"), Some(Column::Number));
        assert_eq!(recognise("牵头责任单位"), Some(Column::LeadUnits));
        assert_eq!(recognise("进展情况："), Some(Column::Progress));
        assert_eq!(recognise("金额"), None);
        assert!(looks_like_header(&[
            "序号",
            "具体目标任务",
            "牵头责任单位",
            "落实情况"
        ]));
        assert!(!looks_like_header(&["1", "抓紧", "区发改局"]));
    }
}
