//! An imported 落实情况通报 is the output of a round: its progress cells become that
//! round's reports. A cell written per unit (`区住建局：…区自然资源局：…`, bold labels as
//! in the seed's task 20, or sentences each opening with a unit) gives one report per
//! lead unit, cut where each unit's part begins; any other cell is one report of the
//! task's first lead unit, the other lead units co-signing it. The pieces keep every
//! character, labels included, so joining them gives the cell back.

use crate::analysis::parts::unit_parts;
use crate::rich_text::RichText;
use crate::task::Task;
use crate::unit::UnitDirectory;

use super::cell::split_at;

/// One report taken from an imported cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedReport {
    /// The lead unit (canonical name) whose report it is.
    pub unit: String,
    pub text: RichText,
    /// It continues the paragraph the previous piece ends in.
    pub continues_paragraph: bool,
}

/// The reports of a task's imported progress cell, in the cell's order; none without
/// a cell.
pub fn imported_reports(task: &Task, units: &UnitDirectory) -> Vec<ImportedReport> {
    let Some(cell) = task.progress.as_ref().filter(|c| !c.is_empty()) else {
        return Vec::new();
    };
    let leads: Vec<&str> = task
        .lead_units
        .iter()
        .map(|a| a.unit.as_str())
        .chain(
            task.subitems
                .iter()
                .flat_map(|s| s.lead_units.iter().map(String::as_str)),
        )
        .collect();
    let whole = || {
        leads
            .first()
            .map(|unit| ImportedReport {
                unit: (*unit).to_string(),
                text: cell.clone(),
                continues_paragraph: false,
            })
            .into_iter()
            .collect()
    };
    let text = cell.plain_text();
    let parts = unit_parts(cell, &text, units);
    if parts.len() < 2 {
        return whole();
    }
    // Each part must be a different lead unit of the task (a probable typo counts as
    // the unit it is one character from: `区域管局` is 区城管局's part).
    let mut owners: Vec<String> = Vec::with_capacity(parts.len());
    for part in &parts {
        let unit = [Some(&part.unit), part.probable.as_ref()]
            .into_iter()
            .flatten()
            .find(|u| leads.contains(&u.as_str()));
        match unit {
            Some(u) if !owners.contains(u) => owners.push(u.clone()),
            _ => return whole(),
        }
    }
    let cuts: Vec<usize> = parts.iter().skip(1).map(|p| p.start).collect();
    split_at(cell, &cuts)
        .into_iter()
        .zip(owners)
        .map(|((text, continues_paragraph), unit)| ImportedReport {
            unit,
            text,
            continues_paragraph,
        })
        .collect()
}
