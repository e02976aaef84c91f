//! 督办单: the one-page document an office sends a unit about one task — 督办事项,
//! 承办单位, 办理时限, the warning that prompted it, 督办要求 and when to reply. What it
//! says is decided here; `render::sheet` lays it out as DOCX and PDF.

use chrono::NaiveDate;
use serde::Serialize;

use crate::limits::{TextLimit, TooLong};

/// Longest 督办要求, in characters: a page holds about this much beside the rest.
pub const MAX_REQUIREMENT_CHARS: usize = 600;

/// A 督办单, every field as it is printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupervisionSheet {
    /// 督办单位 (区政府督查室), printed as the sender and above the date.
    pub office: String,
    /// Which task: `泉鲤政办〔2020〕48号 第17项`.
    pub reference: String,
    /// 督办事项: the task's text.
    pub item: String,
    /// 任务来源: the notice's title.
    pub source: Option<String>,
    /// 承办单位: `牵头：… 配合：…`.
    pub units: String,
    /// 办理时限: the task's 完成时限 as written, else its end date, else 常态化.
    pub deadline: String,
    /// 预警情况: the light and why (`红灯：超过完成时限未完成`), if the task has one.
    pub warning: Option<String>,
    /// 督办要求.
    pub requirement: String,
    /// 反馈时限.
    pub reply_by: Option<NaiveDate>,
    /// 成文日期.
    pub date: NaiveDate,
}

pub use crate::date::chinese_date_text as date_text;

impl SupervisionSheet {
    /// What the office asks when it writes nothing itself.
    pub fn default_requirement(office: &str, reply_by: Option<NaiveDate>) -> String {
        let when = reply_by.map_or_else(|| "按期".to_string(), |d| format!("于{}前", date_text(d)));
        format!(
            "请承办单位高度重视，对照任务要求和时限倒排工期、挂图作战，加快推进落实，并{when}将办理情况（含存在问题、下步措施及佐证材料）书面报送{office}。逾期未办结的，将按程序通报。"
        )
    }

    /// The 办理时限 line: the deadline as written, else the end date read from the
    /// task, else 常态化 (ongoing work has no end date).
    pub fn deadline_text(written: Option<&str>, due: Option<NaiveDate>) -> String {
        match (written.map(str::trim).filter(|w| !w.is_empty()), due) {
            (Some(w), _) => w.to_string(),
            (None, Some(d)) => date_text(d),
            (None, None) => "常态化推进".to_string(),
        }
    }

    /// The 督办要求 as typed, trimmed and within its limit; empty gives the default.
    pub fn requirement(
        typed: Option<&str>,
        office: &str,
        reply_by: Option<NaiveDate>,
    ) -> Result<String, TooLong> {
        let typed = typed.map(str::trim).unwrap_or_default();
        if typed.is_empty() {
            return Ok(Self::default_requirement(office, reply_by));
        }
        TextLimit {
            field: "督办要求",
            max_chars: MAX_REQUIREMENT_CHARS,
        }
        .check(typed)?;
        Ok(typed.to_string())
    }

    /// The 承办单位 line.
    pub fn units_text(lead: &[String], cooperating: &[String]) -> String {
        let lead = lead.join("、");
        if cooperating.is_empty() {
            lead
        } else {
            format!("牵头：{lead}；配合：{}", cooperating.join("、"))
        }
    }

    /// The file name a download takes: `督办单_泉鲤政办〔2020〕48号_第17项`.
    pub fn file_stem(&self) -> String {
        format!("督办单_{}", self.reference.replace(' ', "_"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_requirement_names_the_office_and_the_reply_date() {
        let text = SupervisionSheet::default_requirement(
            "区政府督查室",
            NaiveDate::from_ymd_opt(2020, 12, 10),
        );
        assert!(text.contains("于2020年12月10日前"), "{text}");
        assert!(text.ends_with("书面报送区政府督查室。逾期未办结的，将按程序通报。"));
        assert!(SupervisionSheet::default_requirement("督查室", None).contains("并按期将"));
    }

    #[test]
    fn a_typed_requirement_is_kept_within_its_limit() {
        assert_eq!(
            SupervisionSheet::requirement(Some("  请于本周内反馈。 "), "督查室", None),
            Ok("请于本周内反馈。".to_string())
        );
        assert!(
            SupervisionSheet::requirement(Some("   "), "督查室", None)
                .unwrap_or_default()
                .starts_with("请承办单位高度重视")
        );
        let long = "要".repeat(MAX_REQUIREMENT_CHARS + 1);
        let err = SupervisionSheet::requirement(Some(&long), "督查室", None).expect_err("long");
        assert!(err.to_string().contains("督办要求"), "{err}");
    }

    #[test]
    fn deadlines_and_units_read_as_printed() {
        let due = NaiveDate::from_ymd_opt(2020, 12, 31);
        assert_eq!(
            SupervisionSheet::deadline_text(Some("12月底前"), due),
            "12月底前"
        );
        assert_eq!(SupervisionSheet::deadline_text(None, due), "2020年12月31日");
        assert_eq!(
            SupervisionSheet::deadline_text(Some(" "), None),
            "常态化推进"
        );
        let lead = vec!["区住建局".to_string(), "区城管局".to_string()];
        assert_eq!(
            SupervisionSheet::units_text(&lead, &[]),
            "区住建局、区城管局"
        );
        assert_eq!(
            SupervisionSheet::units_text(&lead[..1], &lead[1..]),
            "牵头：区住建局；配合：区城管局"
        );
    }
}
