//! What the reading produces: statuses, the phrases behind them with their offsets,
//! dates, figures, pace, per-part results and the counts over a notice. Serialised as
//! the analysis JSON (`docs/analysis.md`).

use serde::{Deserialize, Serialize};

use super::{
    DateKind, FigureKind, NaiveDate, PaceJudgement, PaceKind, PartResolution, Period, Precision,
    ReviewedStatus, StatusOverride, UnknownReason, review_status,
};
use crate::subitem::SubItemLabel;
use crate::task::TaskNumber;

/// The status the analysis suggests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Done,
    InProgress,
    Lagging,
    Blocked,
    NotStarted,
    Unknown,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Done,
        Status::InProgress,
        Status::Lagging,
        Status::Blocked,
        Status::NotStarted,
        Status::Unknown,
    ];

    /// The Chinese word shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Status::Done => "已完成",
            Status::InProgress => "推进中",
            Status::Lagging => "滞后",
            Status::Blocked => "受阻",
            Status::NotStarted => "未启动",
            Status::Unknown => "无法判断",
        }
    }

    /// The JSON code (`done`, `in_progress` …).
    pub fn code(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::InProgress => "in_progress",
            Status::Lagging => "lagging",
            Status::Blocked => "blocked",
            Status::NotStarted => "not_started",
            Status::Unknown => "unknown",
        }
    }

    pub fn from_code(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Where a phrase is: character offsets (Unicode scalar values, for UIs) and byte
/// offsets (UTF-8, for Rust and databases), end exclusive, into the text named by the
/// enclosing value (the progress plain text unless said otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offsets {
    pub start: usize,
    pub end: usize,
    pub byte_start: usize,
    pub byte_end: usize,
}

/// A phrase that decided a status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The phrase as written.
    pub text: String,
    /// The status it points to.
    pub signal: Status,
    /// Chinese label: 完成表述, 受阻表述, 欠序时（1-9月，应达75.0%）…
    pub label: String,
    #[serde(flatten)]
    pub at: Offsets,
}

/// A date or deadline with its phrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatePhrase {
    /// Resolved against the round's year; the last day of a month, quarter or year
    /// written without a day; null when the phrase gives none (`预计近期`).
    pub date: Option<NaiveDate>,
    pub phrase: String,
    pub kind: DateKind,
    pub precision: Precision,
    /// Which text the offsets point into.
    pub source: TextSource,
    #[serde(flatten)]
    pub at: Offsets,
}

/// Which text of the task a phrase comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextSource {
    /// 落实情况.
    Progress,
    /// 具体目标任务.
    Content,
    /// 完成时限.
    Deadline,
}

/// A key figure of the progress text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// Negative for a fall (`同比下降 1%` → -1).
    pub value: f64,
    pub unit: String,
    pub kind: FigureKind,
    /// What it measures, best effort (`全区固投`, `重点扶持企业`); may be empty.
    pub measure: String,
    /// The number and unit as written (`420543 万元`).
    pub written: String,
    /// The clause it stands in.
    pub phrase: String,
    /// Written with 约, 余, 以上, 左右 …
    pub approx: bool,
    /// Offsets of `written`.
    #[serde(flatten)]
    pub at: Offsets,
}

/// One 序时进度 check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaceCheck {
    pub judgement: PaceJudgement,
    pub kind: PaceKind,
    /// The percentage or growth rate reported.
    pub actual: f64,
    /// What it should be: elapsed months / 12 in %, or the target growth rate.
    pub expected: f64,
    /// Chinese: `1-9月，应达75.0%`, `地区生产总值目标增长2.5%`.
    pub basis: String,
    pub phrase: String,
    #[serde(flatten)]
    pub at: Offsets,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pace {
    /// Behind when any check is behind; ahead when all are ahead; else on pace.
    pub judgement: PaceJudgement,
    pub checks: Vec<PaceCheck>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubItemAnalysis {
    pub label: SubItemLabel,
    pub status: Status,
    pub status_label: String,
    pub evidence: Vec<Evidence>,
    /// Chinese: how the status was decided.
    pub explanation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<UnknownReason>,
    pub mixed: bool,
    /// Offsets of the sub-item's text; absent when the progress text does not report on it.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Offsets>,
}

/// The part of a progress cell written by (or about) one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitPart {
    /// Canonical name when the written name resolves; else as written.
    pub unit: String,
    pub written_as: String,
    pub resolution: PartResolution,
    /// For a probable typo: the unit it probably means (not applied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probable: Option<String>,
    pub text: String,
    pub status: Status,
    pub status_label: String,
    pub evidence: Vec<Evidence>,
    pub explanation: String,
    #[serde(flatten)]
    pub at: Offsets,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskAnalysis {
    pub number: TaskNumber,
    pub status: Status,
    pub status_label: String,
    /// The phrases that decided the status, in text order (at most 12).
    pub evidence: Vec<Evidence>,
    /// Chinese: how the status was decided.
    pub explanation: String,
    /// Why the status is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<UnknownReason>,
    /// Parts or sentences disagree (e.g. one sub-item blocked in a task in progress).
    pub mixed: bool,
    pub subitems: Vec<SubItemAnalysis>,
    pub unit_parts: Vec<UnitPart>,
    pub deadlines: Vec<DatePhrase>,
    pub figures: Vec<Figure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pace: Option<Pace>,
    /// The task's own end date (from 完成时限 or the task text), if any.
    pub due: Option<NaiveDate>,
    /// Past `due` at the round's date and not done. Never true without an end date.
    pub overdue: bool,
    /// No end date: routine or continuing work, never overdue.
    pub ongoing: bool,
    /// Length of the progress text in characters.
    pub progress_chars: usize,
}

impl TaskAnalysis {
    /// The status in force given a supervisor's decision (the suggestion stays visible).
    pub fn reviewed(&self, decision: Option<&StatusOverride>) -> ReviewedStatus {
        review_status(self.status, decision)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AsOfSource {
    /// Given by the caller (`--as-of`).
    Given,
    /// The notice's 成文日期.
    DocumentDate,
    /// Neither: pace and overdue are not judged.
    None,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub total: usize,
    pub done: usize,
    pub in_progress: usize,
    pub lagging: usize,
    pub blocked: usize,
    pub not_started: usize,
    pub unknown: usize,
    /// Tasks whose parts disagree.
    pub mixed: usize,
    pub overdue: usize,
    pub behind_pace: usize,
}

impl StatusCounts {
    pub fn of(&self, status: Status) -> usize {
        match status {
            Status::Done => self.done,
            Status::InProgress => self.in_progress,
            Status::Lagging => self.lagging,
            Status::Blocked => self.blocked,
            Status::NotStarted => self.not_started,
            Status::Unknown => self.unknown,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeAnalysis {
    pub format: String,
    pub version: u32,
    pub doc_number: Option<String>,
    pub title: Option<String>,
    /// The round's date used for pace and overdue.
    pub as_of: Option<NaiveDate>,
    pub as_of_source: AsOfSource,
    /// The year relative dates (`12月底前`) are read in.
    pub year: Option<i32>,
    /// The period the notice covers (`截至10月31日`, `1-10月` …) and where it was read:
    /// percentages and shares of yearly targets are judged against it.
    #[serde(default)]
    pub period: Option<Period>,
    pub summary: StatusCounts,
    pub tasks: Vec<TaskAnalysis>,
}
