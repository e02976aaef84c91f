use serde::{Deserialize, Serialize};

use crate::rich_text::RichText;
use crate::subitem::SubItemLabel;

/// 序号: a task's number within its notice, from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaskNumber(pub u32);

impl std::fmt::Display for TaskNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A unit on a task: its canonical name, how the cell wrote it, and the role in brackets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitAssignment {
    pub unit: String,
    pub written_as: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubItem {
    pub label: SubItemLabel,
    pub content: String,
    /// Canonical names assigned to this sub-item by the unit cell; empty when the
    /// cell assigns units only to the task as a whole (then the task's units lead it).
    pub lead_units: Vec<String>,
}

/// A column the importer did not map to a field, kept with its header so nothing is lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraField {
    pub column: String,
    pub text: RichText,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub number: TaskNumber,
    pub content: RichText,
    /// Lead units in order; the first is the main lead (牵头单位).
    pub lead_units: Vec<UnitAssignment>,
    /// The 牵头责任单位 cell exactly as written (kept for per-sub-item phrasing).
    pub lead_units_text: String,
    pub cooperating_units: Vec<UnitAssignment>,
    pub cooperating_units_text: String,
    /// 责任领导 / 分管领导.
    pub leader: Option<String>,
    /// 完成时限 as written.
    pub deadline: Option<String>,
    /// 备注 / 说明.
    pub notes: Option<RichText>,
    pub subitems: Vec<SubItem>,
    /// 落实情况 of the round the notice reports.
    pub progress: Option<RichText>,
    pub extra: Vec<ExtraField>,
}

impl Task {
    /// A sub-item's lead units: its own assignment, or the task's when it has none.
    pub fn subitem_lead_units(&self, item: &SubItem) -> Vec<String> {
        if item.lead_units.is_empty() {
            self.lead_units.iter().map(|a| a.unit.clone()).collect()
        } else {
            item.lead_units.clone()
        }
    }

    pub fn lead_unit_names(&self) -> impl Iterator<Item = &str> {
        self.lead_units.iter().map(|a| a.unit.as_str())
    }

    /// Whether `unit` leads or co-operates on this task or one of its sub-items.
    pub fn involves(&self, unit: &str) -> bool {
        self.lead_units
            .iter()
            .chain(&self.cooperating_units)
            .any(|a| a.unit == unit)
    }
}
