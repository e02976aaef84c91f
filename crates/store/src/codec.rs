//! Converting domain values to and from their stored column form.

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};
use duban_domain::{
    Disclosure, DocNumber, DocReference, Percent, ReportAction, ReportState, Role, SubItemLabel,
    TaskAction, TaskState, UnitKind,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::StoreError;

/// `task_units.relation` of a lead unit.
pub(crate) const LEAD: &str = "lead";
/// `task_units.relation` of a cooperating unit.
pub(crate) const COOPERATING: &str = "cooperating";
/// The label of the round a notice brings with it: the progress the notice reports.
pub(crate) const NOTICE_ROUND: &str = "通报所载进展";
/// `rounds.kind` of the round a notice brings with it.
pub(crate) const IMPORTED: &str = "imported";
/// `rounds.kind` of a round the office opens for units to report in.
pub(crate) const REPORTING: &str = "reporting";

const DATE_FORMAT: &str = "%Y-%m-%d";

pub(crate) fn to_json<T: Serialize + ?Sized>(what: &str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("无法编码{what}：{e}")))
}

pub(crate) fn from_json<T: DeserializeOwned>(what: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}无法解读：{e}")))
}

pub(crate) fn date_text(date: Option<NaiveDate>) -> Option<String> {
    date.map(|d| d.format(DATE_FORMAT).to_string())
}

pub(crate) fn parse_date(what: &str, text: Option<&str>) -> Result<Option<NaiveDate>, StoreError> {
    text.map(|t| {
        NaiveDate::parse_from_str(t, DATE_FORMAT)
            .map_err(|_| StoreError::Corrupt(format!("{what}“{t}”不是 YYYY-MM-DD 格式的日期")))
    })
    .transpose()
}

/// A timestamp as stored: RFC 3339 in UTC with nine fractional digits, so every value
/// has the same width and text order is time order (sessions expire by comparing text).
pub(crate) fn timestamp_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

pub(crate) fn parse_timestamp(what: &str, text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt(format!("{what}“{text}”不是 RFC 3339 格式的时间")))
}

pub(crate) fn parse_timestamp_opt(
    what: &str,
    text: Option<&str>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    text.map(|t| parse_timestamp(what, t)).transpose()
}

/// China Standard Time (UTC+8, no daylight saving): the office's deadlines are days
/// on this clock.
const CHINA: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// The day `at` falls on in China.
pub(crate) fn china_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&CHINA).date_naive()
}

/// `at` in China time to the minute, for messages: `2024-10-01 17:30`.
pub(crate) fn china_time_text(at: &DateTime<Utc>) -> String {
    at.with_timezone(&CHINA)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

pub(crate) fn role_from_code(code: &str) -> Result<Role, StoreError> {
    Role::from_code(code).ok_or_else(|| StoreError::Corrupt(format!("未知的角色“{code}”")))
}

pub(crate) fn state_from_code(code: &str) -> Result<ReportState, StoreError> {
    ReportState::from_code(code)
        .ok_or_else(|| StoreError::Corrupt(format!("未知的填报状态“{code}”")))
}

pub(crate) fn action_from_code(code: &str) -> Result<ReportAction, StoreError> {
    ReportAction::from_code(code)
        .ok_or_else(|| StoreError::Corrupt(format!("未知的填报操作“{code}”")))
}

pub(crate) fn task_state_from_code(code: &str) -> Result<TaskState, StoreError> {
    TaskState::from_code(code)
        .ok_or_else(|| StoreError::Corrupt(format!("未知的任务办理状态“{code}”")))
}

pub(crate) fn task_action_from_code(code: &str) -> Result<TaskAction, StoreError> {
    TaskAction::from_code(code)
        .ok_or_else(|| StoreError::Corrupt(format!("未知的任务办理操作“{code}”")))
}

pub(crate) fn percent_from(n: Option<i64>) -> Result<Option<Percent>, StoreError> {
    n.map(|n| Percent::try_from(n).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

pub(crate) fn disclosure_from_label(label: &str) -> Result<Disclosure, StoreError> {
    [
        Disclosure::Active,
        Disclosure::OnRequest,
        Disclosure::NotDisclosed,
    ]
    .into_iter()
    .find(|d| d.label() == label)
    .ok_or_else(|| StoreError::Corrupt(format!("未知的公开属性“{label}”")))
}

pub(crate) fn kind_from_label(label: &str) -> Result<UnitKind, StoreError> {
    UnitKind::from_label(label)
        .ok_or_else(|| StoreError::Corrupt(format!("未知的单位类别“{label}”")))
}

pub(crate) fn u32_from(what: &str, n: i64) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("{what}“{n}”超出范围")))
}

pub(crate) fn label_from(n: i64) -> Result<SubItemLabel, StoreError> {
    u8::try_from(n)
        .ok()
        .and_then(SubItemLabel::new)
        .ok_or_else(|| StoreError::Corrupt(format!("分项标号“{n}”不在 1 至 20 之间")))
}

/// A cited document as stored: every part of the number, so the spelling the source
/// used survives (the domain's own serde form keeps only the normal form).
#[derive(Serialize, Deserialize)]
struct StoredReference {
    agency: String,
    year: u16,
    serial: u32,
    original: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
}

pub(crate) fn references_json(references: &[DocReference]) -> Result<String, StoreError> {
    let stored: Vec<StoredReference> = references
        .iter()
        .map(|r| StoredReference {
            agency: r.doc_number.agency.clone(),
            year: r.doc_number.year,
            serial: r.doc_number.serial,
            original: r.doc_number.original.clone(),
            title: r.title.clone(),
        })
        .collect();
    to_json("引用文件", &stored)
}

pub(crate) fn references_from_json(text: &str) -> Result<Vec<DocReference>, StoreError> {
    let stored: Vec<StoredReference> = from_json("引用文件", text)?;
    Ok(stored
        .into_iter()
        .map(|r| DocReference {
            doc_number: DocNumber {
                agency: r.agency,
                year: r.year,
                serial: r.serial,
                original: r.original,
            },
            title: r.title,
        })
        .collect())
}
