//! How a task's progress is measured (立项时确定的进度类型): an indicator with a yearly
//! target (`10亿元`, `2.5%`), a project with dated milestones (节点), or ongoing work
//! (常态化工作) that has no end date and never goes overdue.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Most decimal places a target may have (`2.5%`, `3.31亿元`, `0.0001` is too fine).
pub const MAX_TARGET_DECIMALS: u8 = 4;
/// Longest unit text (`亿元`, `%`, `万平方米`, `个百分点`).
pub const MAX_UNIT_CHARS: usize = 10;
/// Most milestones one project task may have.
pub const MAX_MILESTONES: usize = 20;
/// Longest milestone description.
pub const MAX_MILESTONE_CHARS: usize = 200;

/// A positive decimal written exactly as entered (no binary rounding): `value / 10^scale`.
/// Kept normalised (no trailing fractional zeros), so equal amounts are equal values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Amount {
    value: u64,
    scale: u8,
}

impl Amount {
    /// Reads `10`, `2.5`, `1,000`, `1，000.50` (full-width digits and separators too).
    pub fn parse(text: &str) -> Result<Amount, PlanError> {
        let original = text.trim().to_string();
        let normal: String = original
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, ',' | '，'))
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                '．' | '。' => '.',
                c => c,
            })
            .collect();
        if normal.is_empty() {
            return Err(PlanError::TargetMissing);
        }
        if normal.starts_with('-') {
            return Err(PlanError::TargetNotPositive(original));
        }
        let (whole, fraction) = normal.split_once('.').unwrap_or((&normal, ""));
        let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || !digits_only(whole) || !digits_only(fraction) {
            return Err(PlanError::TargetNotNumber(original));
        }
        let fraction = fraction.trim_end_matches('0');
        let scale = u8::try_from(fraction.len()).unwrap_or(u8::MAX);
        if scale > MAX_TARGET_DECIMALS {
            return Err(PlanError::TargetTooPrecise(original));
        }
        let value = format!("{whole}{fraction}")
            .parse::<u64>()
            .map_err(|_| PlanError::TargetTooLarge(original.clone()))?;
        if value == 0 {
            return Err(PlanError::TargetNotPositive(original));
        }
        Ok(Amount { value, scale })
    }

    /// The amount as a float, for figures and charts (not for storing).
    pub fn as_f64(self) -> f64 {
        self.value as f64 / 10f64.powi(i32::from(self.scale))
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.value);
        }
        let digits = format!(
            "{:0>width$}",
            self.value,
            width = usize::from(self.scale) + 1
        );
        let (whole, fraction) = digits.split_at(digits.len() - usize::from(self.scale));
        write!(f, "{whole}.{fraction}")
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Amount::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A yearly target: an amount and its unit, `10亿元`, `2.5%`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub amount: Amount,
    pub unit: String,
}

impl Target {
    pub fn new(amount: &str, unit: &str) -> Result<Target, PlanError> {
        let amount = Amount::parse(amount)?;
        let unit = unit.trim();
        if unit.is_empty() {
            return Err(PlanError::UnitMissing);
        }
        if unit.chars().count() > MAX_UNIT_CHARS {
            return Err(PlanError::UnitTooLong(unit.to_string()));
        }
        Ok(Target {
            amount,
            unit: unit.to_string(),
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.unit)
    }
}

/// A project's milestone (节点): by when, and what is done by then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub due: NaiveDate,
    pub description: String,
}

/// How a task's progress is judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProgressKind {
    /// 指标类: a figure with a yearly target; pace is elapsed months / 12.
    Indicator { target: Target },
    /// 项目类: dated milestones, in date order.
    Project { milestones: Vec<Milestone> },
    /// 常态化工作: no end date, never overdue.
    Ongoing,
}

impl ProgressKind {
    pub const CODES: [&'static str; 3] = ["indicator", "project", "ongoing"];

    pub fn code(&self) -> &'static str {
        match self {
            ProgressKind::Indicator { .. } => "indicator",
            ProgressKind::Project { .. } => "project",
            ProgressKind::Ongoing => "ongoing",
        }
    }

    pub fn label(&self) -> &'static str {
        label_of(self.code()).unwrap_or("")
    }

    /// A project task with its milestones checked: at least one, each described, in date
    /// order (two on one day are allowed), at most [`MAX_MILESTONES`].
    pub fn project(milestones: Vec<Milestone>) -> Result<ProgressKind, PlanError> {
        let kind = ProgressKind::Project { milestones };
        kind.validate()?;
        Ok(kind)
    }

    pub fn indicator(amount: &str, unit: &str) -> Result<ProgressKind, PlanError> {
        Ok(ProgressKind::Indicator {
            target: Target::new(amount, unit)?,
        })
    }

    /// Checks the rules a value built directly (or read from JSON) must keep.
    pub fn validate(&self) -> Result<(), PlanError> {
        match self {
            ProgressKind::Indicator { target } => {
                Target::new(&target.amount.to_string(), &target.unit).map(|_| ())
            }
            ProgressKind::Project { milestones } => {
                if milestones.is_empty() {
                    return Err(PlanError::NoMilestones);
                }
                if milestones.len() > MAX_MILESTONES {
                    return Err(PlanError::TooManyMilestones(milestones.len()));
                }
                for (i, m) in milestones.iter().enumerate() {
                    let description = m.description.trim();
                    if description.is_empty() {
                        return Err(PlanError::MilestoneDescriptionMissing { index: i + 1 });
                    }
                    if description.chars().count() > MAX_MILESTONE_CHARS {
                        return Err(PlanError::MilestoneDescriptionTooLong { index: i + 1 });
                    }
                    if let Some(previous) = i.checked_sub(1).map(|p| &milestones[p])
                        && m.due < previous.due
                    {
                        return Err(PlanError::MilestonesOutOfOrder {
                            index: i + 1,
                            due: m.due,
                            previous: previous.due,
                        });
                    }
                }
                Ok(())
            }
            ProgressKind::Ongoing => Ok(()),
        }
    }

    /// One line for tables: `年度目标：10亿元`, `节点：2020-11-30 完成立项；…`, `常态化推进`.
    pub fn summary(&self) -> String {
        match self {
            ProgressKind::Indicator { target } => format!("年度目标：{target}"),
            ProgressKind::Project { milestones } => {
                let items: Vec<String> = milestones
                    .iter()
                    .map(|m| format!("{} {}", m.due.format("%Y-%m-%d"), m.description.trim()))
                    .collect();
                format!("节点：{}", items.join("；"))
            }
            ProgressKind::Ongoing => "常态化推进，无完成时限".to_string(),
        }
    }
}

/// The label of a progress kind code (`indicator` → `指标类`).
pub fn label_of(code: &str) -> Option<&'static str> {
    match code {
        "indicator" => Some("指标类（有年度目标）"),
        "project" => Some("项目类（有时间节点）"),
        "ongoing" => Some("常态化工作（无完成时限）"),
        _ => None,
    }
}

/// Why a progress kind was refused. Each names the field to correct ([`PlanError::field`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("指标类任务须填写年度目标值，如“10”（单位另填“亿元”）")]
    TargetMissing,
    #[error("年度目标值“{0}”不是数字：请只填数字，如“10”或“2.5”，单位填在“计量单位”中")]
    TargetNotNumber(String),
    #[error("年度目标值“{0}”须大于零")]
    TargetNotPositive(String),
    #[error("年度目标值“{0}”过大，请换用更大的计量单位（如“亿元”）")]
    TargetTooLarge(String),
    #[error("年度目标值“{0}”的小数位过多，最多保留 4 位小数")]
    TargetTooPrecise(String),
    #[error("指标类任务须填写计量单位，如“亿元”“%”“个”")]
    UnitMissing,
    #[error("计量单位“{0}”过长（最多 10 个字），如“亿元”“%”“万平方米”")]
    UnitTooLong(String),
    #[error("项目类任务须至少填写一个时间节点（日期和节点内容）")]
    NoMilestones,
    #[error("时间节点最多 20 个，现有 {0} 个，请合并相近的节点")]
    TooManyMilestones(usize),
    #[error("第 {index} 个时间节点缺少节点内容，请写明到期应完成的事项")]
    MilestoneDescriptionMissing { index: usize },
    #[error("第 {index} 个时间节点的内容过长（最多 200 字）")]
    MilestoneDescriptionTooLong { index: usize },
    #[error("时间节点须按日期先后排列：第 {index} 个节点（{due}）早于前一个节点（{previous}）")]
    MilestonesOutOfOrder {
        index: usize,
        due: NaiveDate,
        previous: NaiveDate,
    },
    #[error("未知的进度类型“{0}”：应为指标类、项目类或常态化工作")]
    UnknownKind(String),
}

impl PlanError {
    /// The form field to correct: `target`, `unit`, `milestones` or `progress_kind`.
    pub fn field(&self) -> &'static str {
        match self {
            PlanError::TargetMissing
            | PlanError::TargetNotNumber(_)
            | PlanError::TargetNotPositive(_)
            | PlanError::TargetTooLarge(_)
            | PlanError::TargetTooPrecise(_) => "target",
            PlanError::UnitMissing | PlanError::UnitTooLong(_) => "unit",
            PlanError::NoMilestones
            | PlanError::TooManyMilestones(_)
            | PlanError::MilestoneDescriptionMissing { .. }
            | PlanError::MilestoneDescriptionTooLong { .. }
            | PlanError::MilestonesOutOfOrder { .. } => "milestones",
            PlanError::UnknownKind(_) => "progress_kind",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, m, d).unwrap()
    }

    #[test]
    fn amounts_are_exact_and_normalised() {
        assert_eq!(Amount::parse("10").unwrap().to_string(), "10");
        assert_eq!(Amount::parse("2.50").unwrap().to_string(), "2.5");
        assert_eq!(Amount::parse("0.05").unwrap().to_string(), "0.05");
        assert_eq!(Amount::parse("1,000").unwrap().to_string(), "1000");
        assert_eq!(Amount::parse("３．３１").unwrap().to_string(), "3.31");
        assert_eq!(Amount::parse("2.5"), Amount::parse("2.50"));
        assert!((Amount::parse("3.31").unwrap().as_f64() - 3.31).abs() < 1e-9);
    }

    #[test]
    fn bad_amounts_name_the_problem() {
        assert_eq!(Amount::parse(" "), Err(PlanError::TargetMissing));
        assert_eq!(
            Amount::parse("0"),
            Err(PlanError::TargetNotPositive("0".into()))
        );
        assert_eq!(
            Amount::parse("-3"),
            Err(PlanError::TargetNotPositive("-3".into()))
        );
        assert_eq!(
            Amount::parse("10亿元"),
            Err(PlanError::TargetNotNumber("10亿元".into()))
        );
        assert_eq!(
            Amount::parse(".5"),
            Err(PlanError::TargetNotNumber(".5".into()))
        );
        assert_eq!(
            Amount::parse("1.00001"),
            Err(PlanError::TargetTooPrecise("1.00001".into()))
        );
        assert!(matches!(
            Amount::parse("99999999999999999999999"),
            Err(PlanError::TargetTooLarge(_))
        ));
        assert_eq!(PlanError::TargetMissing.field(), "target");
    }

    #[test]
    fn indicator_needs_a_unit() {
        let kind = ProgressKind::indicator("10", "亿元").unwrap();
        assert_eq!(kind.summary(), "年度目标：10亿元");
        assert_eq!(kind.code(), "indicator");
        assert_eq!(
            ProgressKind::indicator("10", " "),
            Err(PlanError::UnitMissing)
        );
        assert_eq!(
            ProgressKind::indicator("10", "很长很长的计量单位名称啊"),
            Err(PlanError::UnitTooLong("很长很长的计量单位名称啊".into()))
        );
        assert_eq!(PlanError::UnitMissing.field(), "unit");
    }

    #[test]
    fn milestones_in_date_order() {
        let m = |mo, d, text: &str| Milestone {
            due: day(mo, d),
            description: text.to_string(),
        };
        let ok = ProgressKind::project(vec![
            m(6, 30, "完成立项"),
            m(6, 30, "完成招标"),
            m(12, 31, "开工建设"),
        ])
        .unwrap();
        assert_eq!(
            ok.summary(),
            "节点：2020-06-30 完成立项；2020-06-30 完成招标；2020-12-31 开工建设"
        );
        assert_eq!(
            ProgressKind::project(vec![m(12, 31, "开工"), m(6, 30, "立项")]),
            Err(PlanError::MilestonesOutOfOrder {
                index: 2,
                due: day(6, 30),
                previous: day(12, 31)
            })
        );
        assert_eq!(
            ProgressKind::project(Vec::new()),
            Err(PlanError::NoMilestones)
        );
        assert_eq!(
            ProgressKind::project(vec![m(6, 30, "立项"), m(7, 1, "  ")]),
            Err(PlanError::MilestoneDescriptionMissing { index: 2 })
        );
        let many = (1..=21).map(|d| m(1, d, "节点")).collect();
        assert_eq!(
            ProgressKind::project(many),
            Err(PlanError::TooManyMilestones(21))
        );
    }

    #[test]
    fn json_form_is_tagged_and_validated_on_read() {
        let kind = ProgressKind::indicator("2.5", "%").unwrap();
        let json = serde_json::to_string(&kind).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"indicator","target":{"amount":"2.5","unit":"%"}}"#
        );
        assert_eq!(serde_json::from_str::<ProgressKind>(&json).unwrap(), kind);
        assert!(
            serde_json::from_str::<ProgressKind>(
                r#"{"kind":"indicator","target":{"amount":"0","unit":"%"}}"#
            )
            .is_err()
        );
        assert_eq!(
            serde_json::to_string(&ProgressKind::Ongoing).unwrap(),
            r#"{"kind":"ongoing"}"#
        );
        assert_eq!(ProgressKind::Ongoing.label(), "常态化工作（无完成时限）");
    }
}
