//! From a source table to task drafts: find the header, map the columns, check the
//! numbering and the shape of every row. Bad rows stop the import with their location.

use duban_domain::{ExtraField, RichText, TaskDraft, limits};

use crate::columns::{
    Column, SYNONYMS, canonical_name, looks_like_header, normalise_header, recognise,
};
use crate::error::ImportError;
use crate::read::text::parse_row_number;
use crate::source::{Location, SourceRow, SourceTable};

/// What each column of the table holds.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Slot {
    Known(Column),
    /// A column we keep under its own header.
    Extra(String),
}

/// The task drafts, each with the row it came from.
pub fn drafts(table: &SourceTable) -> Result<Vec<(TaskDraft, Location)>, ImportError> {
    let header_at = table
        .rows
        .iter()
        .position(|r| looks_like_header(&r.texts()))
        .or_else(|| table.rows.iter().position(|r| !r.is_blank()));
    let Some(header_at) = header_at else {
        return Err(ImportError::Table(
            "文件中没有表格：未找到“序号”“具体目标任务”等列。请确认导入的是含落实情况表的文件。"
                .into(),
        ));
    };
    let header_row = &table.rows[header_at];
    let header = header_row.texts();
    let slots = map_columns(header_row)?;
    let normalised_header: Vec<String> = header.iter().map(|h| normalise_header(h)).collect();

    let mut drafts: Vec<(TaskDraft, Location)> = Vec::new();
    // 序号 → where it was, so a duplicate names both rows (a map: linear in the rows).
    let mut seen_at: std::collections::HashMap<u32, String> = std::collections::HashMap::new();
    for row in &table.rows[header_at + 1..] {
        if row.is_blank() {
            continue;
        }
        let texts = row.texts();
        if texts
            .iter()
            .map(|t| normalise_header(t))
            .eq(normalised_header.iter().cloned())
        {
            continue; // header repeated at a page break
        }
        if texts.len() != slots.len() {
            return Err(ImportError::at(
                row.location.clone(),
                format!(
                    "该行有 {} 个单元格，表头有 {} 列（{}）。请检查该行是否缺少或多出单元格（例如内容中误输入了分隔符）后重新导入。",
                    texts.len(),
                    slots.len(),
                    header.join("、")
                ),
            ));
        }
        if drafts.len() == limits::NOTICE_TASKS {
            return Err(ImportError::at(
                row.location.clone(),
                format!(
                    "任务超过 {} 项：每份通报最多导入 {} 项任务。请把表格拆分为几份通报后分别导入。",
                    limits::NOTICE_TASKS,
                    limits::NOTICE_TASKS
                ),
            ));
        }
        let draft = draft(row, &slots)?;
        if let Some(at) = seen_at.get(&draft.number) {
            return Err(ImportError::at(
                row.location.clone(),
                format!(
                    "序号 {} 重复：{at}已有第 {} 项。请更正序号后重新导入。",
                    draft.number, draft.number
                ),
            ));
        }
        if let Some((previous, _)) = drafts.last()
            && draft.number != previous.number + 1
        {
            let message = if draft.number > previous.number + 1 {
                format!(
                    "序号 {} 之后应为 {}，实为 {}：缺少第 {}{} 项。请补上缺少的任务或更正序号后重新导入。",
                    previous.number,
                    previous.number + 1,
                    draft.number,
                    previous.number + 1,
                    if draft.number > previous.number + 2 {
                        format!("至第 {}", draft.number - 1)
                    } else {
                        String::new()
                    }
                )
            } else {
                format!(
                    "序号 {} 之后应为 {}，实为 {}：序号应依次递增。请更正序号后重新导入。",
                    previous.number,
                    previous.number + 1,
                    draft.number
                )
            };
            return Err(ImportError::at(row.location.clone(), message));
        }
        seen_at.insert(draft.number, row.location.to_string());
        drafts.push((draft, row.location.clone()));
    }
    if drafts.is_empty() {
        return Err(ImportError::at(
            header_row.location.clone(),
            "表头之后没有任务行。请确认表格内容完整后重新导入。",
        ));
    }
    Ok(drafts)
}

fn map_columns(header_row: &SourceRow) -> Result<Vec<Slot>, ImportError> {
    let header = header_row.texts();
    let mut slots: Vec<Slot> = Vec::with_capacity(header.len());
    for (i, name) in header.iter().enumerate() {
        let slot = match recognise(name) {
            // A second unit column: 牵头单位 + 责任单位 means lead + the units that share it.
            Some(Column::LeadUnits) if slots.contains(&Slot::Known(Column::LeadUnits)) => {
                if slots.contains(&Slot::Known(Column::CooperatingUnits)) {
                    Slot::Extra(normalise_header(name))
                } else {
                    Slot::Known(Column::CooperatingUnits)
                }
            }
            Some(column) if slots.contains(&Slot::Known(column)) => {
                return Err(ImportError::at(
                    header_row.location.clone(),
                    format!(
                        "表头中“{}”类的列出现了两次（第 {} 列“{}”）。请删除或改名其中一列后重新导入。",
                        canonical_name(column),
                        i + 1,
                        name.trim()
                    ),
                ));
            }
            Some(column) => Slot::Known(column),
            None if normalise_header(name).is_empty() => Slot::Extra(format!("第{}列", i + 1)),
            None => Slot::Extra(normalise_header(name)),
        };
        slots.push(slot);
    }
    let missing: Vec<Column> = [Column::Number, Column::Content]
        .into_iter()
        .filter(|c| !slots.contains(&Slot::Known(*c)))
        .collect();
    if !missing.is_empty() {
        let unknown: Vec<&str> = slots
            .iter()
            .filter_map(|s| match s {
                Slot::Extra(name) => Some(name.as_str()),
                Slot::Known(_) => None,
            })
            .collect();
        let wanted: Vec<String> = missing
            .iter()
            .map(|c| {
                let names = SYNONYMS
                    .iter()
                    .find(|(col, _)| col == c)
                    .map_or(&[][..], |(_, n)| *n);
                format!("“{}”（或：{}）", names[0], names[1..].join("、"))
            })
            .collect();
        let unknown_text = if unknown.is_empty() {
            String::new()
        } else {
            format!("无法识别的列：“{}”。", unknown.join("”“"))
        };
        return Err(ImportError::at(
            header_row.location.clone(),
            format!(
                "表头缺少必需的列 {}。{unknown_text}表头为：{}。请把列名改为可识别的名称后重新导入。",
                wanted.join("、"),
                header
                    .iter()
                    .map(|h| h.trim())
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
        ));
    }
    Ok(slots)
}

fn non_empty(rich: &RichText) -> Option<RichText> {
    (!rich.is_empty()).then(|| rich.clone())
}

fn non_empty_text(rich: &RichText) -> Option<String> {
    (!rich.is_empty()).then(|| rich.plain_text())
}

fn draft(row: &SourceRow, slots: &[Slot]) -> Result<TaskDraft, ImportError> {
    let mut draft = TaskDraft::default();
    let mut number = None;
    for (column, (slot, cell)) in slots.iter().zip(&row.cells).enumerate() {
        let limit = limits::CELL_TEXT;
        let chars: usize = cell
            .paragraphs
            .iter()
            .flat_map(|p| &p.runs)
            .map(|r| r.text.chars().count())
            .sum();
        if chars > limit.max_chars {
            return Err(ImportError::at(
                row.location.clone(),
                format!(
                    "第 {} 列的{}有 {chars} 字，超过每个单元格最多 {} 字的限制。请精简内容或拆分后重新导入。",
                    column + 1,
                    limit.field,
                    limit.max_chars
                ),
            ));
        }
        match slot {
            Slot::Known(Column::Number) => {
                let text = cell.plain_text();
                if text.trim().is_empty() {
                    return Err(ImportError::at(
                        row.location.clone(),
                        "缺少序号。每一行任务都应有序号（1、2、3……）。请补上后重新导入。",
                    ));
                }
                number = Some(parse_row_number(&text).filter(|n| *n > 0).ok_or_else(|| {
                    ImportError::at(
                        row.location.clone(),
                        format!(
                            "序号“{}”不是正整数。序号应写阿拉伯数字（如 12）。请更正后重新导入。",
                            text.trim()
                        ),
                    )
                })?);
            }
            Slot::Known(Column::Content) => draft.content = cell.clone(),
            Slot::Known(Column::LeadUnits) => draft.lead_units = cell.plain_text(),
            Slot::Known(Column::CooperatingUnits) => draft.cooperating_units = cell.plain_text(),
            Slot::Known(Column::Leader) => draft.leader = non_empty_text(cell),
            Slot::Known(Column::Deadline) => draft.deadline = non_empty_text(cell),
            Slot::Known(Column::Notes) => draft.notes = non_empty(cell),
            Slot::Known(Column::Progress) => draft.progress = non_empty(cell),
            Slot::Extra(column) => {
                if !cell.is_empty() {
                    draft.extra.push(ExtraField {
                        column: column.clone(),
                        text: cell.clone(),
                    });
                }
            }
        }
    }
    draft.number = number.unwrap_or_default();
    if draft.content.is_empty() {
        return Err(ImportError::at(
            row.location.clone(),
            format!(
                "第 {} 项的任务内容为空。请填写任务内容后重新导入。",
                draft.number
            ),
        ));
    }
    Ok(draft)
}

#[cfg(test)]
mod tests {
    use duban_domain::{UnitDirectory, limits};

    use crate::{Format, ImportError, import};

    fn table(rows: usize, cell: &str) -> String {
        let mut text = String::from("序号\t具体目标任务\t牵头责任单位\t落实情况\n");
        for n in 1..=rows {
            text.push_str(&format!("{n}\t任务{n}。\t区发改局\t{cell}\n"));
        }
        text
    }

    #[test]
    fn a_notice_past_the_task_limit_is_refused_naming_it() {
        let ok = import(
            table(limits::NOTICE_TASKS, "推进中。").as_bytes(),
            Some(Format::Tsv),
            &UnitDirectory::default(),
        )
        .expect("the limit itself imports");
        assert_eq!(ok.tasks.len(), limits::NOTICE_TASKS);
        let err = import(
            table(limits::NOTICE_TASKS + 1, "推进中。").as_bytes(),
            Some(Format::Tsv),
            &UnitDirectory::default(),
        )
        .expect_err("one more is refused");
        assert_eq!(
            err.to_string(),
            "第 10002 行：任务超过 10000 项：每份通报最多导入 10000 项任务。请把表格拆分为几份通报后分别导入。"
        );
    }

    #[test]
    fn a_cell_past_the_character_limit_is_refused_naming_it() {
        let long = "字".repeat(limits::CELL_TEXT.max_chars + 1);
        let err = import(
            table(2, &long).as_bytes(),
            Some(Format::Tsv),
            &UnitDirectory::default(),
        )
        .expect_err("too long");
        assert!(matches!(err, ImportError::At { .. }));
        assert_eq!(
            err.to_string(),
            "第 2 行：第 4 列的单元格有 20001 字，超过每个单元格最多 20000 字的限制。请精简内容或拆分后重新导入。"
        );
        let fits = "字".repeat(limits::CELL_TEXT.max_chars);
        assert!(
            import(
                table(1, &fits).as_bytes(),
                Some(Format::Tsv),
                &UnitDirectory::default()
            )
            .is_ok()
        );
    }
}
