//! 预警 (红黄绿灯): the colour each task and sub-item gets from rules the office sets.
//!
//! An office names its lights, mildest first (`绿灯`, `蓝灯`, `黄灯`, `红灯` by default;
//! three or five lights are as valid), and gives rules that each turn one light on
//! under one condition. A task takes the most severe light any rule turns on, with every
//! reason for it; with none, the mildest light (on pace). A task that is 办结 (closed)
//! takes no light: it is no longer supervised.
//!
//! Days are calendar days (自然日): 公文 deadlines are dates, and holidays and weekends
//! do not move them, so they are not left out of "due within N days".
//!
//! The facts a rule looks at ([`TaskFacts`]) come from the store; the rules and their
//! judgement are here, so the preview of a rule set and the colours shown after saving
//! it are one computation.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::SubItemLabel;
use crate::analysis::Status;

/// Fewest and most lights in a rule set (三色 to 五色).
pub const MIN_LIGHTS: usize = 2;
pub const MAX_LIGHTS: usize = 5;
/// Longest light name, in characters (`红灯`, `橙色预警`).
pub const MAX_LIGHT_NAME_CHARS: usize = 8;
/// Most rules in a set.
pub const MAX_RULES: usize = 20;
/// "Due within N days": N is 1 to this.
pub const MAX_DAYS: u16 = 365;
/// "Behind in N rounds in a row": N is 1 to this (as far back as the store looks).
pub const MAX_ROUNDS: u8 = 6;

/// One light: its name as the office says it and its colour (`#rrggbb`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Light {
    pub name: String,
    pub colour: String,
}

/// When a rule turns its light on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "when", rename_all = "snake_case")]
pub enum Condition {
    /// The task's end date is today or within `days` days, and it is not done.
    DueWithin { days: u16 },
    /// The task's end date has passed and it is not done.
    Overdue,
    /// The latest reading is behind 序时进度 or 滞后.
    Behind,
    /// Behind (as above) in each of the last `rounds` closed rounds.
    BehindRounds { rounds: u8 },
    /// The reading is 受阻.
    Blocked,
    /// A lead unit has not reported in the open round and its due date has passed.
    NotReported,
    /// A 催办 sent to a lead unit has not been read.
    ReminderOut,
}

impl Condition {
    /// Every kind of condition with a default parameter, in the order the editor lists them.
    pub const KINDS: [Condition; 7] = [
        Condition::DueWithin { days: 7 },
        Condition::Overdue,
        Condition::Behind,
        Condition::BehindRounds { rounds: 2 },
        Condition::Blocked,
        Condition::NotReported,
        Condition::ReminderOut,
    ];

    /// The code in forms and JSON (`due_within` …).
    pub fn code(self) -> &'static str {
        match self {
            Condition::DueWithin { .. } => "due_within",
            Condition::Overdue => "overdue",
            Condition::Behind => "behind",
            Condition::BehindRounds { .. } => "behind_rounds",
            Condition::Blocked => "blocked",
            Condition::NotReported => "not_reported",
            Condition::ReminderOut => "reminder_out",
        }
    }

    /// The condition of kind `code` with parameter `n` (ignored by kinds without one).
    pub fn from_code(code: &str, n: Option<u32>) -> Result<Condition, WarningRulesError> {
        let kind = Self::KINDS
            .into_iter()
            .find(|k| k.code() == code)
            .ok_or_else(|| WarningRulesError::UnknownCondition(code.to_string()))?;
        Ok(match kind {
            Condition::DueWithin { .. } => Condition::DueWithin {
                days: n
                    .and_then(|n| u16::try_from(n).ok())
                    .ok_or(WarningRulesError::MissingNumber(kind.kind_label()))?,
            },
            Condition::BehindRounds { .. } => Condition::BehindRounds {
                rounds: n
                    .and_then(|n| u8::try_from(n).ok())
                    .ok_or(WarningRulesError::MissingNumber(kind.kind_label()))?,
            },
            other => other,
        })
    }

    /// The kind's name in the editor, without its number.
    pub fn kind_label(self) -> &'static str {
        match self {
            Condition::DueWithin { .. } => "距完成时限不足N天",
            Condition::Overdue => "超过完成时限未完成",
            Condition::Behind => "进度滞后（欠序时进度或研判为滞后）",
            Condition::BehindRounds { .. } => "连续N轮进度滞后",
            Condition::Blocked => "研判为受阻",
            Condition::NotReported => "本轮逾期未报送",
            Condition::ReminderOut => "已催办未阅",
        }
    }

    /// The number the condition takes, if it takes one.
    pub fn number(self) -> Option<u32> {
        match self {
            Condition::DueWithin { days } => Some(u32::from(days)),
            Condition::BehindRounds { rounds } => Some(u32::from(rounds)),
            _ => None,
        }
    }

    /// The condition as a sentence, with its number: why a task has its light.
    pub fn describe(self) -> String {
        match self {
            Condition::DueWithin { days } => format!("距完成时限不足{days}天"),
            Condition::BehindRounds { rounds } => format!("连续{rounds}轮进度滞后"),
            Condition::Behind => "进度滞后".to_string(),
            other => other.kind_label().to_string(),
        }
    }

    fn holds(self, facts: &TaskFacts, today: NaiveDate) -> bool {
        let not_done = facts.status != Some(Status::Done);
        match self {
            Condition::DueWithin { days } => facts.due.is_some_and(|due| {
                not_done && due >= today && (due - today).num_days() <= i64::from(days)
            }),
            Condition::Overdue => facts.due.is_some_and(|due| not_done && due < today),
            Condition::Behind => facts.behind(),
            Condition::BehindRounds { rounds } => {
                facts.behind_streak >= u32::from(rounds) && facts.behind()
            }
            Condition::Blocked => facts.status == Some(Status::Blocked),
            Condition::NotReported => facts.unreported_past_due,
            Condition::ReminderOut => facts.reminder_out,
        }
    }
}

/// One rule: under `condition`, the light named `light`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    #[serde(flatten)]
    pub condition: Condition,
    pub light: String,
}

/// An office's lights (mildest first) and rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningRules {
    pub lights: Vec<Light>,
    pub rules: Vec<Rule>,
    /// Whether the round's notice (通报) prints each task's light in a column of its
    /// attachment table ([`NOTICE_COLUMN`]); off unless the office turns it on.
    #[serde(default)]
    pub in_notice: bool,
}

/// The attachment table's column for the light, when the office prints it.
pub const NOTICE_COLUMN: &str = "预警";

/// What is known of one task (or sub-item) when its light is judged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskFacts {
    /// 办结: no light.
    pub closed: bool,
    /// The end date from 完成时限 or the task text; none for 常态化 (ongoing) work.
    pub due: Option<NaiveDate>,
    /// The status in force (审定, else the reading's); none when there is no reading.
    pub status: Option<Status>,
    /// Behind 序时进度 by the latest reading.
    pub behind_pace: bool,
    /// Closed rounds in a row, latest first, whose reading was behind (a round without
    /// a report on the task ends the run: nothing can be said of it).
    pub behind_streak: u32,
    /// A lead unit has not submitted in the open round, and its due date has passed.
    pub unreported_past_due: bool,
    /// A reminder to a lead unit is out and unread.
    pub reminder_out: bool,
}

/// Whether a reading counts as behind for the lights: behind 序时进度, or 滞后.
pub fn is_behind(behind_pace: bool, status: Option<Status>) -> bool {
    behind_pace || status == Some(Status::Lagging)
}

impl TaskFacts {
    fn behind(&self) -> bool {
        is_behind(self.behind_pace, self.status)
    }
}

/// A task's light: its index in the rule set's lights and the reasons that set it
/// (none for the mildest light).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Judgement {
    pub light: usize,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WarningRulesError {
    #[error("预警灯须有 {MIN_LIGHTS} 至 {MAX_LIGHTS} 种，现有 {0} 种")]
    LightCount(usize),
    #[error("第 {0} 种预警灯没有名称：请填写，如“黄灯”")]
    EmptyName(usize),
    #[error("预警灯名称“{0}”过长：不超过 {MAX_LIGHT_NAME_CHARS} 个字")]
    NameTooLong(String),
    #[error("预警灯名称“{0}”重复：每种灯的名称须不同")]
    DuplicateName(String),
    #[error("预警灯“{name}”的颜色“{colour}”无效：请填写 #RRGGBB 形式的颜色，如 #C62828")]
    BadColour { name: String, colour: String },
    #[error("预警规则最多 {MAX_RULES} 条，现有 {0} 条")]
    TooManyRules(usize),
    #[error("第 {rule} 条规则指向的预警灯“{light}”不存在：请从已有的灯中选择")]
    UnknownLight { rule: usize, light: String },
    #[error(
        "第 {rule} 条规则把“{light}”设为条件结果，但它是最轻的一级（按进度正常时的颜色），无须规则"
    )]
    MildestLight { rule: usize, light: String },
    #[error("第 {rule} 条规则的天数 {days} 超出范围：须为 1 至 {MAX_DAYS} 天")]
    DaysOutOfRange { rule: usize, days: u16 },
    #[error("第 {rule} 条规则的轮数 {rounds} 超出范围：须为 1 至 {MAX_ROUNDS} 轮")]
    RoundsOutOfRange { rule: usize, rounds: u8 },
    #[error("第 {rule} 条规则与第 {earlier} 条条件相同：请合并为一条")]
    DuplicateRule { rule: usize, earlier: usize },
    #[error("未知的预警条件“{0}”")]
    UnknownCondition(String),
    #[error("条件“{0}”须填写一个正整数")]
    MissingNumber(&'static str),
}

impl Default for WarningRules {
    /// Green on pace; blue when a reminder is out; yellow when the end date is within 7
    /// days or the task is behind; red when overdue or behind two rounds in a row.
    fn default() -> Self {
        let light = |name: &str, colour: &str| Light {
            name: name.to_string(),
            colour: colour.to_string(),
        };
        let rule = |condition, light: &str| Rule {
            condition,
            light: light.to_string(),
        };
        WarningRules {
            lights: vec![
                light("绿灯", "#2E7D32"),
                light("蓝灯", "#1565C0"),
                light("黄灯", "#F9A825"),
                light("红灯", "#C62828"),
            ],
            rules: vec![
                rule(Condition::ReminderOut, "蓝灯"),
                rule(Condition::DueWithin { days: 7 }, "黄灯"),
                rule(Condition::Behind, "黄灯"),
                rule(Condition::NotReported, "黄灯"),
                rule(Condition::Overdue, "红灯"),
                rule(Condition::BehindRounds { rounds: 2 }, "红灯"),
                rule(Condition::Blocked, "红灯"),
            ],
            in_notice: false,
        }
    }
}

fn is_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

impl WarningRules {
    /// The rule set with names trimmed and colours upper-cased, if it is valid.
    pub fn checked(mut self) -> Result<WarningRules, WarningRulesError> {
        if !(MIN_LIGHTS..=MAX_LIGHTS).contains(&self.lights.len()) {
            return Err(WarningRulesError::LightCount(self.lights.len()));
        }
        let mut names = BTreeSet::new();
        for (i, light) in self.lights.iter_mut().enumerate() {
            light.name = light.name.trim().to_string();
            light.colour = light.colour.trim().to_ascii_uppercase();
            if light.name.is_empty() {
                return Err(WarningRulesError::EmptyName(i + 1));
            }
            if light.name.chars().count() > MAX_LIGHT_NAME_CHARS {
                return Err(WarningRulesError::NameTooLong(light.name.clone()));
            }
            if !names.insert(light.name.clone()) {
                return Err(WarningRulesError::DuplicateName(light.name.clone()));
            }
            if !is_colour(&light.colour) {
                return Err(WarningRulesError::BadColour {
                    name: light.name.clone(),
                    colour: light.colour.clone(),
                });
            }
        }
        if self.rules.len() > MAX_RULES {
            return Err(WarningRulesError::TooManyRules(self.rules.len()));
        }
        for i in 0..self.rules.len() {
            let number = i + 1;
            let rule = &mut self.rules[i];
            rule.light = rule.light.trim().to_string();
            match self.lights.iter().position(|l| l.name == rule.light) {
                None => {
                    return Err(WarningRulesError::UnknownLight {
                        rule: number,
                        light: rule.light.clone(),
                    });
                }
                Some(0) => {
                    return Err(WarningRulesError::MildestLight {
                        rule: number,
                        light: rule.light.clone(),
                    });
                }
                Some(_) => {}
            }
            match rule.condition {
                Condition::DueWithin { days } if !(1..=MAX_DAYS).contains(&days) => {
                    return Err(WarningRulesError::DaysOutOfRange { rule: number, days });
                }
                Condition::BehindRounds { rounds } if !(1..=MAX_ROUNDS).contains(&rounds) => {
                    return Err(WarningRulesError::RoundsOutOfRange {
                        rule: number,
                        rounds,
                    });
                }
                _ => {}
            }
            if let Some(earlier) = self.rules[..i]
                .iter()
                .position(|r| r.condition == self.rules[i].condition)
            {
                return Err(WarningRulesError::DuplicateRule {
                    rule: number,
                    earlier: earlier + 1,
                });
            }
        }
        Ok(self)
    }

    /// The light of a task with `facts` on `today`; `None` for a closed task. Expects a
    /// checked rule set (a rule naming no light is skipped).
    pub fn judge(&self, facts: &TaskFacts, today: NaiveDate) -> Option<Judgement> {
        if facts.closed {
            return None;
        }
        let mut light = 0;
        let mut reasons: Vec<(usize, String)> = Vec::new();
        for rule in &self.rules {
            let Some(index) = self.lights.iter().position(|l| l.name == rule.light) else {
                continue;
            };
            if rule.condition.holds(facts, today) {
                light = light.max(index);
                reasons.push((index, rule.condition.describe()));
            }
        }
        Some(Judgement {
            light,
            reasons: reasons
                .into_iter()
                .filter(|(i, _)| *i == light)
                .map(|(_, r)| r)
                .collect(),
        })
    }

    /// The light of a task with sub-items: each sub-item judged on its own facts, and
    /// the task as severe as its most severe sub-item (a task is not on pace while a
    /// part of it is blocked), with that part named among the reasons. `None` for a
    /// closed task.
    pub fn judge_task(
        &self,
        facts: &TaskFacts,
        parts: &[(SubItemLabel, TaskFacts)],
        today: NaiveDate,
    ) -> Option<(Judgement, Vec<(SubItemLabel, Judgement)>)> {
        let mut task = self.judge(facts, today)?;
        let parts: Vec<(SubItemLabel, Judgement)> = parts
            .iter()
            .filter_map(|(label, f)| Some((*label, self.judge(f, today)?)))
            .collect();
        if let Some(worst) = parts.iter().map(|(_, j)| j.light).max()
            && worst > task.light
        {
            task = Judgement {
                light: worst,
                reasons: Vec::new(),
            };
        }
        for (label, part) in &parts {
            if part.light == task.light && task.light > 0 {
                for reason in &part.reasons {
                    let named = format!("分项{}{reason}", label.as_char());
                    if !task.reasons.contains(reason) && !task.reasons.contains(&named) {
                        task.reasons.push(named);
                    }
                }
            }
        }
        Some((task, parts))
    }

    /// How many of `tasks` (each with its sub-items) each light colours, in the order
    /// of the lights, as [`WarningRules::judge_task`] colours them, and how many are
    /// closed and take none: what the editor previews before saving.
    pub fn count<'a>(
        &self,
        tasks: impl IntoIterator<Item = (&'a TaskFacts, &'a [(SubItemLabel, TaskFacts)])>,
        today: NaiveDate,
    ) -> (Vec<usize>, usize) {
        let mut counts = vec![0; self.lights.len()];
        let mut closed = 0;
        for (facts, parts) in tasks {
            match self.judge_task(facts, parts, today) {
                Some((j, _)) => counts[j.light] += 1,
                None => closed += 1,
            }
        }
        (counts, closed)
    }

    /// How many closed rounds back the facts must look for these rules: the longest
    /// "behind N rounds in a row" (0 when no rule asks), at most [`MAX_ROUNDS`].
    pub fn lookback(&self) -> u8 {
        self.rules
            .iter()
            .filter_map(|r| match r.condition {
                Condition::BehindRounds { rounds } => Some(rounds.min(MAX_ROUNDS)),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }

    /// The light named `name`, by index.
    pub fn light_named(&self, name: &str) -> Option<usize> {
        self.lights.iter().position(|l| l.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).expect("valid date")
    }

    fn judge(facts: TaskFacts) -> Option<(String, Vec<String>)> {
        let rules = WarningRules::default();
        rules
            .judge(&facts, day(10, 15))
            .map(|j| (rules.lights[j.light].name.clone(), j.reasons))
    }

    fn light(facts: TaskFacts) -> String {
        judge(facts).map(|(l, _)| l).unwrap_or_default()
    }

    #[test]
    fn the_default_set_is_valid() {
        assert_eq!(
            WarningRules::default().checked(),
            Ok(WarningRules::default())
        );
    }

    #[test]
    fn on_pace_is_the_mildest_light_with_no_reason() {
        let facts = TaskFacts {
            due: Some(day(12, 31)),
            status: Some(Status::InProgress),
            ..TaskFacts::default()
        };
        assert_eq!(judge(facts), Some(("绿灯".to_string(), vec![])));
    }

    #[test]
    fn closed_tasks_take_no_light_even_overdue() {
        let facts = TaskFacts {
            closed: true,
            due: Some(day(1, 1)),
            status: Some(Status::Blocked),
            ..TaskFacts::default()
        };
        assert_eq!(judge(facts), None);
    }

    #[test]
    fn due_within_counts_calendar_days_including_today_and_the_last_day() {
        // 2026-10-15 is a Thursday; 10-22 is 7 calendar days later across a weekend.
        for (due, expected) in [
            (day(10, 15), "黄灯"),
            (day(10, 22), "黄灯"),
            (day(10, 23), "绿灯"),
            (day(10, 14), "红灯"),
        ] {
            let facts = TaskFacts {
                due: Some(due),
                status: Some(Status::InProgress),
                ..TaskFacts::default()
            };
            assert_eq!(light(facts), expected, "due {due}");
        }
    }

    #[test]
    fn ongoing_tasks_without_an_end_date_are_never_due_or_overdue() {
        let facts = TaskFacts {
            due: None,
            status: Some(Status::InProgress),
            ..TaskFacts::default()
        };
        assert_eq!(light(facts), "绿灯");
    }

    #[test]
    fn a_done_task_past_its_date_is_not_overdue() {
        let facts = TaskFacts {
            due: Some(day(9, 30)),
            status: Some(Status::Done),
            ..TaskFacts::default()
        };
        assert_eq!(light(facts), "绿灯");
    }

    #[test]
    fn behind_once_is_yellow_twice_in_a_row_is_red() {
        let once = TaskFacts {
            behind_pace: true,
            behind_streak: 1,
            ..TaskFacts::default()
        };
        assert_eq!(light(once.clone()), "黄灯");
        let twice = TaskFacts {
            behind_streak: 2,
            ..once
        };
        let (name, reasons) = judge(twice).expect("open task");
        assert_eq!(name, "红灯");
        assert_eq!(reasons, vec!["连续2轮进度滞后"]);
        // A streak recorded for earlier rounds does not count when the latest is on pace.
        let recovered = TaskFacts {
            behind_streak: 3,
            status: Some(Status::InProgress),
            ..TaskFacts::default()
        };
        assert_eq!(light(recovered), "绿灯");
    }

    #[test]
    fn a_round_with_no_reports_leaves_only_dates_and_reminders() {
        // No reading (status none), nothing reported: only the date rules can fire.
        let facts = TaskFacts {
            status: None,
            due: Some(day(10, 20)),
            ..TaskFacts::default()
        };
        assert_eq!(light(facts), "黄灯");
        let unread = TaskFacts {
            reminder_out: true,
            ..TaskFacts::default()
        };
        assert_eq!(light(unread), "蓝灯");
    }

    #[test]
    fn the_most_severe_light_wins_and_keeps_all_its_reasons() {
        let facts = TaskFacts {
            due: Some(day(10, 1)),
            status: Some(Status::Blocked),
            reminder_out: true,
            unreported_past_due: true,
            ..TaskFacts::default()
        };
        let (name, reasons) = judge(facts).expect("open task");
        assert_eq!(name, "红灯");
        assert_eq!(reasons, vec!["超过完成时限未完成", "研判为受阻"]);
    }

    #[test]
    fn a_task_is_as_severe_as_its_worst_sub_item_which_is_named() {
        let rules = WarningRules::default();
        let on_pace = TaskFacts {
            status: Some(Status::InProgress),
            ..TaskFacts::default()
        };
        let label = |n| SubItemLabel::new(n).expect("label");
        let parts = [
            (label(1), on_pace.clone()),
            (
                label(2),
                TaskFacts {
                    status: Some(Status::Blocked),
                    ..on_pace.clone()
                },
            ),
        ];
        let (task, judged) = rules
            .judge_task(&on_pace, &parts, day(10, 15))
            .expect("open task");
        assert_eq!(rules.lights[task.light].name, "红灯");
        assert_eq!(task.reasons, vec!["分项②研判为受阻"]);
        assert_eq!(judged.len(), 2);
        assert_eq!(judged[0].1.light, 0);
        // No sub-item worse than the task: the task's own light and reasons.
        let behind = TaskFacts {
            behind_pace: true,
            ..on_pace.clone()
        };
        let (task, _) = rules
            .judge_task(&behind, &parts[..1], day(10, 15))
            .expect("open task");
        assert_eq!(task.reasons, vec!["进度滞后"]);
        let closed = TaskFacts {
            closed: true,
            ..on_pace
        };
        assert_eq!(rules.judge_task(&closed, &parts, day(10, 15)), None);
    }

    #[test]
    fn three_colour_offices_name_their_own_lights() {
        let rules = WarningRules {
            lights: vec![
                Light {
                    name: "蓝色".into(),
                    colour: "#1565c0".into(),
                },
                Light {
                    name: "黄色".into(),
                    colour: "#f9a825".into(),
                },
                Light {
                    name: "红色".into(),
                    colour: "#c62828".into(),
                },
            ],
            rules: vec![Rule {
                condition: Condition::Overdue,
                light: " 红色 ".into(),
            }],
            in_notice: false,
        }
        .checked()
        .expect("valid");
        assert_eq!(rules.lights[0].colour, "#1565C0");
        assert_eq!(rules.rules[0].light, "红色");
        let overdue = TaskFacts {
            due: Some(day(1, 1)),
            ..TaskFacts::default()
        };
        let none = TaskFacts::default();
        let (counts, closed) = rules.count([(&overdue, &[][..]), (&none, &[][..])], day(10, 15));
        assert_eq!((counts, closed), (vec![1, 0, 1], 0));
    }

    #[test]
    fn invalid_sets_say_what_to_fix() {
        let base = WarningRules::default();
        let mut one_light = base.clone();
        one_light.lights.truncate(1);
        one_light.rules.clear();
        assert_eq!(one_light.checked(), Err(WarningRulesError::LightCount(1)));

        let mut bad_colour = base.clone();
        bad_colour.lights[2].colour = "yellow".into();
        assert!(matches!(
            bad_colour.checked(),
            Err(WarningRulesError::BadColour { .. })
        ));

        let mut duplicate = base.clone();
        duplicate.lights[1].name = "绿灯".into();
        assert_eq!(
            duplicate.checked(),
            Err(WarningRulesError::DuplicateName("绿灯".into()))
        );

        let mut unknown = base.clone();
        unknown.rules[0].light = "紫灯".into();
        let err = unknown.checked().expect_err("unknown light");
        assert!(err.to_string().contains("第 1 条规则"), "{err}");

        let mut mildest = base.clone();
        mildest.rules[0].light = "绿灯".into();
        assert!(matches!(
            mildest.checked(),
            Err(WarningRulesError::MildestLight { rule: 1, .. })
        ));

        let mut days = base.clone();
        days.rules[1].condition = Condition::DueWithin { days: 0 };
        assert_eq!(
            days.checked(),
            Err(WarningRulesError::DaysOutOfRange { rule: 2, days: 0 })
        );

        let mut rounds = base.clone();
        rounds.rules[5].condition = Condition::BehindRounds { rounds: 7 };
        assert!(matches!(
            rounds.checked(),
            Err(WarningRulesError::RoundsOutOfRange { rule: 6, rounds: 7 })
        ));

        let mut twice = base;
        twice.rules.push(Rule {
            condition: Condition::Overdue,
            light: "黄灯".into(),
        });
        assert_eq!(
            twice.checked(),
            Err(WarningRulesError::DuplicateRule {
                rule: 8,
                earlier: 5
            })
        );
    }

    #[test]
    fn the_facts_look_back_as_far_as_the_rules_ask() {
        assert_eq!(WarningRules::default().lookback(), 2);
        let mut none = WarningRules::default();
        none.rules
            .retain(|r| !matches!(r.condition, Condition::BehindRounds { .. }));
        assert_eq!(none.lookback(), 0);
    }

    #[test]
    fn conditions_parse_from_their_codes() {
        assert_eq!(
            Condition::from_code("due_within", Some(3)),
            Ok(Condition::DueWithin { days: 3 })
        );
        assert_eq!(
            Condition::from_code("behind_rounds", None),
            Err(WarningRulesError::MissingNumber("连续N轮进度滞后"))
        );
        assert!(Condition::from_code("late", None).is_err());
        for kind in Condition::KINDS {
            assert_eq!(Condition::from_code(kind.code(), kind.number()), Ok(kind));
        }
    }

    #[test]
    fn rules_round_trip_through_json() {
        let rules = WarningRules::default();
        let json = serde_json::to_string(&rules).expect("serialise");
        assert!(
            json.contains(r#""when":"due_within","days":7,"light":"黄灯""#),
            "{json}"
        );
        let back: WarningRules = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, rules);
    }
}
