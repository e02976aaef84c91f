//! Reminders (催办): what a unit is reminded of, when, by whom it is received, what it
//! says, and how often a failed delivery is tried again.
//!
//! Two clocks run for a unit (see [`crate::LapseKind`]): acknowledge (签收) an
//! assignment by its deadline, and report (报送) in a round by the round's due date.
//! Before each deadline a unit that still owes something is reminded a configurable
//! number of days ahead ([`ReminderPolicy`]); after it, once, on a lapse. The office
//! can also remind by hand ([`manual`]). One reminder covers all a unit owes under one
//! deadline (a document's assignments due the same day, or a round), naming the tasks.
//!
//! Automatic reminders carry a key naming the deadline, the unit and the step
//! ([`DueReminder::key`]): the store records each key once, so a reminder goes out once
//! however many servers tick, and a step missed while no server ran is not sent late
//! when a nearer one is due (only the nearest step that has come is sent).

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use crate::Role;

/// Why a reminder is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// Before the acknowledgement (签收) deadline.
    AckDue,
    /// Before a round's reporting (报送) due date.
    ReportDue,
    /// After a deadline passed with nothing done.
    Lapse,
    /// Sent by the office from a task or round page.
    Manual,
}

impl ReminderKind {
    pub const ALL: [ReminderKind; 4] = [
        ReminderKind::AckDue,
        ReminderKind::ReportDue,
        ReminderKind::Lapse,
        ReminderKind::Manual,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReminderKind::AckDue => "ack_due",
            ReminderKind::ReportDue => "report_due",
            ReminderKind::Lapse => "lapse",
            ReminderKind::Manual => "manual",
        }
    }

    pub fn from_code(code: &str) -> Option<ReminderKind> {
        ReminderKind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            ReminderKind::AckDue => "签收提醒",
            ReminderKind::ReportDue => "报送提醒",
            ReminderKind::Lapse => "逾期催办",
            ReminderKind::Manual => "人工催办",
        }
    }
}

/// How a reminder reaches people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A notification in the app, with a read receipt.
    App,
    /// An e-mail to each recipient's address.
    Email,
    /// A message to a work-app group robot (政务钉钉 / 企业微信).
    Webhook,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::App, Channel::Email, Channel::Webhook];

    pub fn code(self) -> &'static str {
        match self {
            Channel::App => "app",
            Channel::Email => "email",
            Channel::Webhook => "webhook",
        }
    }

    pub fn from_code(code: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::App => "站内通知",
            Channel::Email => "电子邮件",
            Channel::Webhook => "工作群机器人",
        }
    }
}

/// Where one delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its (next) attempt.
    Pending,
    /// Claimed by a server that is sending it now.
    Sending,
    /// Handed over (to the SMTP server, the robot) or shown in the app.
    Sent,
    /// Every attempt failed; the office sees the last error and may send it again.
    Failed,
    /// An in-app notification its recipient has read.
    Read,
}

impl DeliveryState {
    pub const ALL: [DeliveryState; 5] = [
        DeliveryState::Pending,
        DeliveryState::Sending,
        DeliveryState::Sent,
        DeliveryState::Failed,
        DeliveryState::Read,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Sending => "sending",
            DeliveryState::Sent => "sent",
            DeliveryState::Failed => "failed",
            DeliveryState::Read => "read",
        }
    }

    pub fn from_code(code: &str) -> Option<DeliveryState> {
        DeliveryState::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            DeliveryState::Pending => "待发送",
            DeliveryState::Sending => "发送中",
            DeliveryState::Sent => "已发送",
            DeliveryState::Failed => "发送失败",
            DeliveryState::Read => "已读",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReminderError {
    #[error("提前提醒天数 {0} 超出范围：应在 0 至 {MAX_DAYS} 天之间")]
    DaysBefore(u32),
    #[error("逾期催办天数 {0} 超出范围：应在 1 至 {MAX_DAYS} 天之间（截止日期次日为 1）")]
    DaysAfter(u32),
    #[error("电子邮箱“{0}”格式不正确，应形如 name@example.gov.cn")]
    Email(String),
}

/// The most days ahead of (or after) a deadline a reminder may be set.
pub const MAX_DAYS: u32 = 30;

/// When automatic reminders fall due, in whole days (China time) around a deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReminderPolicy {
    /// Days before the 签收 deadline; 0 is the deadline's own day.
    pub ack_days_before: Vec<u32>,
    /// Days before a round's 报送 due date.
    pub report_days_before: Vec<u32>,
    /// Days after a deadline that a lapse is reminded of (1: the day after).
    pub lapse_days_after: u32,
}

impl Default for ReminderPolicy {
    /// 签收 1 day before, 报送 3 days and 1 day before, a lapse the day after.
    fn default() -> Self {
        ReminderPolicy {
            ack_days_before: vec![1],
            report_days_before: vec![3, 1],
            lapse_days_after: 1,
        }
    }
}

impl ReminderPolicy {
    pub fn check(&self) -> Result<(), ReminderError> {
        if let Some(&d) = self
            .ack_days_before
            .iter()
            .chain(&self.report_days_before)
            .find(|&&d| d > MAX_DAYS)
        {
            return Err(ReminderError::DaysBefore(d));
        }
        if !(1..=MAX_DAYS).contains(&self.lapse_days_after) {
            return Err(ReminderError::DaysAfter(self.lapse_days_after));
        }
        Ok(())
    }
}

/// The deadline a unit owes something under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clock {
    /// 签收 of an assignment.
    Acknowledge { due: NaiveDate, done: bool },
    /// 报送 in a reporting round. `done`: submitted (or further along).
    Report {
        round: i64,
        round_label: String,
        due: Option<NaiveDate>,
        round_closed: bool,
        done: bool,
    },
}

/// One thing one unit owes on one task: the store reads these, the rules below decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owed {
    pub unit: String,
    pub document: i64,
    pub doc_number: Option<String>,
    pub doc_title: String,
    pub task: u32,
    /// The task was closed (办结): nothing more is owed on it.
    pub task_closed: bool,
    pub clock: Clock,
}

impl Owed {
    /// Whether anything is still owed: not done, task open, round open.
    fn outstanding(&self) -> bool {
        !self.task_closed
            && match &self.clock {
                Clock::Acknowledge { done, .. } => !done,
                Clock::Report {
                    done, round_closed, ..
                } => !done && !round_closed,
            }
    }

    fn due(&self) -> Option<NaiveDate> {
        match self.clock {
            Clock::Acknowledge { due, .. } => Some(due),
            Clock::Report { due, .. } => due,
        }
    }
}

/// A subject line and a body, in the words the recipients read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub subject: String,
    pub body: String,
}

impl Message {
    /// The message as one text (a robot's message, a plain notification).
    pub fn text(&self) -> String {
        format!("{}\n{}", self.subject, self.body)
    }
}

/// A reminder to send to one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueReminder {
    /// Names the deadline, unit and step; `None` for a manual reminder (each is sent).
    pub key: Option<String>,
    pub kind: ReminderKind,
    pub unit: String,
    pub document: i64,
    pub round: Option<i64>,
    /// The tasks still owed, ascending.
    pub tasks: Vec<u32>,
    pub due: Option<NaiveDate>,
    pub message: Message,
}

/// One group: a unit's items under one deadline.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Scope {
    Acknowledge { document: i64, due: NaiveDate },
    Report { round: i64 },
}

struct Group<'a> {
    unit: &'a str,
    scope: Scope,
    items: Vec<&'a Owed>,
}

impl Group<'_> {
    fn first(&self) -> &Owed {
        self.items[0]
    }

    fn tasks(&self) -> Vec<u32> {
        let mut tasks: Vec<u32> = self.items.iter().map(|o| o.task).collect();
        tasks.sort_unstable();
        tasks.dedup();
        tasks
    }
}

/// The outstanding items grouped by unit and deadline, in a stable order.
fn groups(items: &[Owed]) -> Vec<Group<'_>> {
    let mut by: BTreeMap<(&str, Scope), Vec<&Owed>> = BTreeMap::new();
    for item in items.iter().filter(|o| o.outstanding()) {
        let scope = match &item.clock {
            Clock::Acknowledge { due, .. } => Scope::Acknowledge {
                document: item.document,
                due: *due,
            },
            Clock::Report { round, .. } => Scope::Report { round: *round },
        };
        by.entry((item.unit.as_str(), scope))
            .or_default()
            .push(item);
    }
    by.into_iter()
        .map(|((unit, scope), items)| Group { unit, scope, items })
        .collect()
}

/// The automatic reminders due on `today` (China's date) for what `items` say units
/// owe: for each unit and deadline with something outstanding, the nearest step of
/// `policy` that has come (`days_before` at or above the days left), or, once the
/// deadline is `lapse_days_after` days behind, the lapse reminder. Nothing for items
/// done, on closed tasks, in closed rounds or without a due date.
pub fn due_reminders(
    policy: &ReminderPolicy,
    today: NaiveDate,
    items: &[Owed],
) -> Vec<DueReminder> {
    let mut out = Vec::new();
    for group in groups(items) {
        let Some(due) = group.first().due() else {
            continue;
        };
        let left = (due - today).num_days();
        let (steps, clock) = match group.scope {
            Scope::Acknowledge { .. } => (&policy.ack_days_before, "ack"),
            Scope::Report { .. } => (&policy.report_days_before, "report"),
        };
        let scope_key = match &group.scope {
            Scope::Acknowledge { document, due } => format!("{clock}|{document}|{due}"),
            Scope::Report { round } => format!("{clock}|{round}"),
        };
        let (kind, step) = if left >= 0 {
            let Some(step) = steps
                .iter()
                .copied()
                .filter(|&d| i64::from(d) >= left)
                .min()
            else {
                continue;
            };
            let kind = match group.scope {
                Scope::Acknowledge { .. } => ReminderKind::AckDue,
                Scope::Report { .. } => ReminderKind::ReportDue,
            };
            (kind, format!("d-{step}"))
        } else if -left >= i64::from(policy.lapse_days_after) {
            (ReminderKind::Lapse, "lapse".to_string())
        } else {
            continue;
        };
        let key = format!("{}|{scope_key}|{}|{step}", kind.code(), group.unit);
        out.push(reminder(&group, kind, Some(key), today, None));
    }
    out
}

/// Manual reminders (人工催办) for what `items` say units still owe: one per unit and
/// deadline, with the office's `note` if any. Nothing for what is done, closed tasks
/// or closed rounds; a round without a due date is reminded all the same.
pub fn manual(items: &[Owed], today: NaiveDate, note: Option<&str>) -> Vec<DueReminder> {
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    groups(items)
        .iter()
        .map(|g| reminder(g, ReminderKind::Manual, None, today, note))
        .collect()
}

fn reminder(
    group: &Group<'_>,
    kind: ReminderKind,
    key: Option<String>,
    today: NaiveDate,
    note: Option<&str>,
) -> DueReminder {
    let first = group.first();
    let tasks = group.tasks();
    let due = first.due();
    let round = match &first.clock {
        Clock::Report {
            round, round_label, ..
        } => Some((*round, round_label.as_str())),
        Clock::Acknowledge { .. } => None,
    };
    DueReminder {
        message: message(
            group.unit,
            first,
            &tasks,
            kind,
            round.map(|r| r.1),
            due,
            today,
            note,
        ),
        key,
        kind,
        unit: group.unit.to_string(),
        document: first.document,
        round: round.map(|r| r.0),
        tasks,
        due,
    }
}

/// `2024年11月25日`.
pub fn chinese_date(date: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// `第1、3、5项`.
fn task_list(tasks: &[u32]) -> String {
    let numbers: Vec<String> = tasks.iter().map(u32::to_string).collect();
    format!("第{}项", numbers.join("、"))
}

#[expect(clippy::too_many_arguments, reason = "the message's every part")]
fn message(
    unit: &str,
    owed: &Owed,
    tasks: &[u32],
    kind: ReminderKind,
    round_label: Option<&str>,
    due: Option<NaiveDate>,
    today: NaiveDate,
    note: Option<&str>,
) -> Message {
    let document = match &owed.doc_number {
        Some(number) => format!("《{}》（{number}）", owed.doc_title),
        None => format!("《{}》", owed.doc_title),
    };
    let short = owed
        .doc_number
        .clone()
        .unwrap_or_else(|| format!("《{}》", owed.doc_title));
    let items = task_list(tasks);
    let when = |due: NaiveDate| {
        let left = (due - today).num_days();
        match left {
            0 => format!("{}（今天截止）", chinese_date(due)),
            l if l > 0 => format!("{}（还有{l}天）", chinese_date(due)),
            l => format!("{}（已逾期{}天）", chinese_date(due), -l),
        }
    };
    let (step, what) = match round_label {
        None => ("签收", format!("{document}交办贵单位的{items}任务尚未签收")),
        Some(label) => (
            "报送",
            format!("“{label}”填报轮次中，{document}{items}任务的进展情况尚未报送"),
        ),
    };
    let deadline = match due {
        Some(d) => format!("{step}期限为{}", when(d)),
        None => format!("本轮未设{step}期限"),
    };
    let period = round_label.map(|l| format!("“{l}”")).unwrap_or_default();
    let subject = match (kind, due) {
        (ReminderKind::Lapse, Some(d)) => format!(
            "【逾期催办】{short} {items}{period}已超过{step}期限（{}），请即{step}",
            chinese_date(d)
        ),
        (ReminderKind::Manual, Some(d)) => format!(
            "【催办】{short} {items}{period}请于{}前{step}",
            chinese_date(d)
        ),
        (ReminderKind::Manual | ReminderKind::Lapse, None) => {
            format!("【催办】{short} {items}{period}请尽快{step}")
        }
        (_, Some(d)) => format!(
            "【{}】{short} {items}{period}请于{}前{step}",
            kind.label(),
            chinese_date(d)
        ),
        (_, None) => format!("【{}】{short} {items}{period}请尽快{step}", kind.label()),
    };
    let mut body = format!("{unit}：\n    {what}，{deadline}。请登录督办平台及时{step}。");
    if let Some(note) = note {
        body.push_str(&format!("\n    督查室附言：{note}"));
    }
    Message { subject, body }
}

/// Whether an account receives a unit's reminders: the unit's reporters (联络员) and
/// its heads (单位负责人).
pub fn receives(role: Role, account_unit: Option<&str>, unit: &str) -> bool {
    matches!(role, Role::Reporter | Role::UnitHead) && account_unit == Some(unit)
}

/// Waits before each retry of a failed e-mail or webhook delivery: 1 min, 5 min,
/// 30 min, 2 h. After the last retry fails the delivery is shown as failed.
pub const RETRY_DELAYS_MINUTES: [i64; 4] = [1, 5, 30, 120];

/// Attempts in all: the first and one per retry delay.
pub const MAX_ATTEMPTS: u32 = RETRY_DELAYS_MINUTES.len() as u32 + 1;

/// How long to wait after `attempts` failed attempts before the next; `None` when
/// they are all used and the delivery is failed.
pub fn retry_after(attempts: u32) -> Option<Duration> {
    let index = usize::try_from(attempts.checked_sub(1)?).ok()?;
    RETRY_DELAYS_MINUTES
        .get(index)
        .map(|&m| Duration::minutes(m))
}

/// An e-mail address as typed, trimmed and checked (one `@`, a dotted domain, no
/// spaces, at most 254 characters); lower-case domain.
pub fn check_email(text: &str) -> Result<String, ReminderError> {
    let text = text.trim();
    let bad = || ReminderError::Email(text.to_string());
    let (local, domain) = text.split_once('@').ok_or_else(bad)?;
    let ok = !local.is_empty()
        && local.len() <= 64
        && text.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && text
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"<>,;\"()[]\\".contains(c))
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    if ok {
        Ok(format!("{local}@{}", domain.to_lowercase()))
    } else {
        Err(bad())
    }
}

#[cfg(test)]
#[path = "reminder_tests.rs"]
mod tests;
