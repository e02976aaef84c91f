//! Turning a table's cells into tasks: units resolved against the directory, sub-items
//! split out, typos flagged. The one place these rules live.

use crate::document::{Document, Notice};
use crate::rich_text::RichText;
use crate::subitem::split_subitems;
use crate::task::{ExtraField, SubItem, Task, TaskNumber, UnitAssignment};
use crate::unit::{Resolution, UnitDirectory, UnitFlag, has_unit_suffix};
use crate::unit_cell::{UnitCell, WrittenUnit, parse_unit_cell};

/// One row of a status table, cells mapped to fields but not yet interpreted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskDraft {
    pub number: u32,
    pub content: RichText,
    pub lead_units: String,
    pub cooperating_units: String,
    pub leader: Option<String>,
    pub deadline: Option<String>,
    pub notes: Option<RichText>,
    pub progress: Option<RichText>,
    pub extra: Vec<ExtraField>,
}

pub const FIELD_LEAD_UNITS: &str = "牵头责任单位";
pub const FIELD_COOPERATING_UNITS: &str = "配合单位";
pub const FIELD_PROGRESS: &str = "落实情况";

impl Notice {
    /// Builds a notice from drafts. `known` is the office's directory so far: names it
    /// knows resolve to its units; new names join this notice's directory.
    pub fn assemble(document: Document, drafts: Vec<TaskDraft>, known: &UnitDirectory) -> Notice {
        let cells: Vec<(UnitCell, UnitCell)> = drafts
            .iter()
            .map(|d| {
                (
                    parse_unit_cell(&d.lead_units),
                    parse_unit_cell(&d.cooperating_units),
                )
            })
            .collect();
        let directory = build_directory(known, &cells);
        // Of two names one character apart, the rarer (or, on a tie, the later) is the typo.
        let mut seen: Vec<(String, usize)> = Vec::new();
        for (lead, coop) in &cells {
            for w in lead.units.iter().chain(&coop.units) {
                let name = resolve(&directory, w).unit;
                match seen.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, count)) => *count += 1,
                    None => seen.push((name, 1)),
                }
            }
        }
        let rank = |name: &str| {
            seen.iter()
                .position(|(n, _)| n == name)
                .map(|i| (std::cmp::Reverse(seen[i].1), i))
        };

        let mut notice_units = UnitDirectory::default();
        let mut flags = Vec::new();
        let mut tasks = Vec::with_capacity(drafts.len());
        for (draft, (lead_cell, coop_cell)) in drafts.into_iter().zip(cells) {
            let number = draft.number;
            let mut resolve_all = |written: &[WrittenUnit], field: &str| -> Vec<UnitAssignment> {
                written
                    .iter()
                    .map(|w| {
                        let assignment = resolve(&directory, w);
                        note_unit(&directory, &mut notice_units, &assignment);
                        let new_to_office = known.resolve(&w.name) == Resolution::Unknown;
                        if new_to_office
                            && let Some(flag) = typo_flag(&directory, number, field, &w.name)
                            && rank(&flag.probable) < rank(&assignment.unit)
                        {
                            push_flag(&mut flags, flag);
                        }
                        assignment
                    })
                    .collect()
            };
            let lead_units = resolve_all(&lead_cell.units, FIELD_LEAD_UNITS);
            let cooperating_units = resolve_all(&coop_cell.units, FIELD_COOPERATING_UNITS);
            let subitems = subitems(&draft.content, &lead_cell, &directory);
            if let Some(progress) = &draft.progress {
                for label in progress_labels(progress) {
                    if directory.resolve(&label) == Resolution::Unknown
                        && let Some(flag) = typo_flag(&directory, number, FIELD_PROGRESS, &label)
                    {
                        push_flag(&mut flags, flag);
                    }
                }
            }
            tasks.push(Task {
                number: TaskNumber(number),
                content: draft.content,
                lead_units,
                lead_units_text: draft.lead_units.trim().to_string(),
                cooperating_units,
                cooperating_units_text: draft.cooperating_units.trim().to_string(),
                leader: draft.leader,
                deadline: draft.deadline,
                notes: draft.notes,
                subitems,
                progress: draft.progress,
                extra: draft.extra,
            });
        }
        Notice {
            document,
            tasks,
            units: notice_units,
            unit_flags: flags,
        }
    }
}

/// The known directory plus every new name in the cells, except names that are short
/// forms of another name (`文旅局` when `区文旅局` is there). Roles become aliases.
fn build_directory(known: &UnitDirectory, cells: &[(UnitCell, UnitCell)]) -> UnitDirectory {
    let written: Vec<&WrittenUnit> = cells
        .iter()
        .flat_map(|(lead, coop)| lead.units.iter().chain(&coop.units))
        .collect();
    let mut directory = known.clone();
    let mut added = Vec::new();
    // Units written with a role first, so the role is an alias before anyone uses it.
    let (with_role, without_role): (Vec<&WrittenUnit>, Vec<&WrittenUnit>) =
        written.iter().copied().partition(|w| w.role.is_some());
    for w in with_role.into_iter().chain(without_role) {
        if directory.resolve(&w.name) == Resolution::Unknown {
            directory.insert(&w.name);
            added.push(w.name.clone());
        }
        if let (Some(role), Some(i)) = (&w.role, directory.resolve(&w.name).index()) {
            directory.add_alias(i, role);
        }
    }
    // A new name that shortens another unit's name is that unit, not a unit of its own.
    for name in added {
        let mut without = directory.clone();
        without.units.retain(|u| u.name != name);
        if matches!(without.resolve(&name), Resolution::ShortForm(_)) {
            directory = without;
        }
    }
    directory
}

fn resolve(directory: &UnitDirectory, written: &WrittenUnit) -> UnitAssignment {
    let unit = directory
        .resolve(&written.name)
        .index()
        .and_then(|i| directory.units.get(i))
        .map_or_else(|| written.name.clone(), |u| u.name.clone());
    UnitAssignment {
        unit,
        written_as: written.name.clone(),
        role: written.role.clone(),
    }
}

/// Copies the unit (and the aliases this notice uses for it) into the notice's own directory.
fn note_unit(directory: &UnitDirectory, notice_units: &mut UnitDirectory, a: &UnitAssignment) {
    let Some(unit) = directory.get(&a.unit) else {
        return;
    };
    let i = notice_units.insert(&unit.name);
    notice_units.units[i].kind = unit.kind;
    for alias in unit.aliases.iter() {
        if !notice_units.units[i].aliases.contains(alias) {
            notice_units.units[i].aliases.push(alias.clone());
        }
    }
}

fn typo_flag(directory: &UnitDirectory, task: u32, field: &str, written: &str) -> Option<UnitFlag> {
    let probable = directory.probable_typo(written)?;
    Some(UnitFlag {
        task,
        field: field.to_string(),
        written: written.to_string(),
        probable: probable.name.clone(),
    })
}

fn push_flag(flags: &mut Vec<UnitFlag>, flag: UnitFlag) {
    if !flags.contains(&flag) {
        flags.push(flag);
    }
}

fn subitems(content: &RichText, lead_cell: &UnitCell, directory: &UnitDirectory) -> Vec<SubItem> {
    let text = content.plain_text();
    let mut items: Vec<SubItem> = split_subitems(&text)
        .map(|split| {
            split
                .items
                .into_iter()
                .map(|(label, content)| SubItem {
                    label,
                    content,
                    lead_units: Vec::new(),
                })
                .collect()
        })
        .unwrap_or_default();
    for (labels, units) in &lead_cell.per_subitem {
        let names: Vec<String> = units.iter().map(|w| resolve(directory, w).unit).collect();
        for label in labels {
            let item = match items.iter_mut().position(|i| i.label == *label) {
                Some(pos) => &mut items[pos],
                None => {
                    // Assigned in the unit cell but not marked in the task text: keep it.
                    items.push(SubItem {
                        label: *label,
                        content: String::new(),
                        lead_units: Vec::new(),
                    });
                    items.sort_by_key(|i| i.label);
                    let pos = items.iter().position(|i| i.label == *label).unwrap_or(0);
                    &mut items[pos]
                }
            };
            for name in &names {
                if !item.lead_units.contains(name) {
                    item.lead_units.push(name.clone());
                }
            }
        }
    }
    items
}

/// Phrases in a progress text that introduce a unit's part: bold labels (`<b>区住建局：</b>`)
/// and `名称：` at the start of a paragraph or sentence.
pub fn progress_labels(progress: &RichText) -> Vec<String> {
    let mut labels = Vec::new();
    let mut push = |label: &str| {
        let label = label.trim().trim_end_matches(['：', ':']).trim();
        if label.chars().count() >= 2
            && has_unit_suffix(label)
            && !labels.iter().any(|l| l == label)
        {
            labels.push(label.to_string());
        }
    };
    for run in progress.bold_runs() {
        if run.trim_end().ends_with(['：', ':']) {
            push(run);
        }
    }
    for paragraph in &progress.paragraphs {
        let text = paragraph.text();
        for sentence in text.split(['。', '；', ';']) {
            if let Some((head, _)) = sentence.split_once(['：', ':'])
                && head.chars().count() <= 16
                && !head.contains(['，', ',', '、'])
            {
                push(head);
            }
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(number: u32, content: &str, lead: &str, progress: &str) -> TaskDraft {
        TaskDraft {
            number,
            content: RichText::plain(content),
            lead_units: lead.to_string(),
            progress: (!progress.is_empty()).then(|| RichText::plain(progress)),
            ..TaskDraft::default()
        }
    }

    fn leads(task: &Task) -> Vec<&str> {
        task.lead_unit_names().collect()
    }

    #[test]
    fn short_forms_resolve_to_units_named_elsewhere_in_the_notice() {
        let notice = Notice::assemble(
            Document::default(),
            vec![
                draft(1, "甲", "区文旅局 区商务局", ""),
                draft(
                    2,
                    "①乙。②丙。③丁。",
                    "第①、②项由区财政局牵头，第③项由文旅局牵头",
                    "",
                ),
            ],
            &UnitDirectory::default(),
        );
        let t = &notice.tasks[1];
        assert_eq!(leads(t), ["区财政局", "区文旅局"]);
        assert_eq!(t.lead_units[1].written_as, "文旅局");
        assert_eq!(t.subitems[2].lead_units, ["区文旅局"]);
        assert_eq!(t.subitems[0].lead_units, ["区财政局"]);
        assert!(notice.units.get("文旅局").is_none());
    }

    #[test]
    fn roles_become_aliases_and_resolve_later() {
        let notice = Notice::assemble(
            Document::default(),
            vec![
                draft(1, "甲", "区委文明办 (区创城办) 区城管局 (区创卫办)", ""),
                draft(2, "乙", "区创城办", ""),
            ],
            &UnitDirectory::default(),
        );
        assert_eq!(
            notice.units.get("区委文明办").unwrap().aliases,
            ["区创城办"]
        );
        assert_eq!(leads(&notice.tasks[1]), ["区委文明办"]);
    }

    #[test]
    fn progress_typos_are_flagged_not_rewritten() {
        let notice = Notice::assemble(
            Document::default(),
            vec![draft(
                20,
                "甲",
                "区城管局 区住建局",
                "区域管局：正在推进。区住建局：已完成。",
            )],
            &UnitDirectory::default(),
        );
        assert_eq!(
            notice.unit_flags,
            [UnitFlag {
                task: 20,
                field: FIELD_PROGRESS.into(),
                written: "区域管局".into(),
                probable: "区城管局".into()
            }]
        );
        assert!(
            notice.tasks[0]
                .progress
                .as_ref()
                .unwrap()
                .plain_text()
                .starts_with("区域管局")
        );
    }

    #[test]
    fn lead_cell_typos_stay_as_written_and_are_flagged() {
        let notice = Notice::assemble(
            Document::default(),
            vec![
                draft(1, "甲", "区城管局", ""),
                draft(2, "乙", "区域管局", ""),
            ],
            &UnitDirectory::default(),
        );
        assert_eq!(leads(&notice.tasks[1]), ["区域管局"]);
        assert_eq!(notice.unit_flags.len(), 1);
        assert_eq!(notice.unit_flags[0].field, FIELD_LEAD_UNITS);
    }
}
