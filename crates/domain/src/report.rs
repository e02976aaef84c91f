//! What a unit's report holds (its text and 完成进度) and how a step changes it. Who
//! may take the step is `workflow::next_state`; this is what the step leaves behind.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{ReportAction, RichText, WorkflowError};

/// A report's 完成进度: a whole number of percent, 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u8")]
pub struct Percent(u8);

/// A 完成进度 that is not a whole number from 0 to 100, as it was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("完成进度“{0}”无效，应为 0 至 100 的整数")]
pub struct PercentError(pub String);

impl Percent {
    pub const MAX: u8 = 100;

    pub fn new(percent: u8) -> Result<Percent, PercentError> {
        Percent::try_from(i64::from(percent))
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// A form field: blank is no percent; anything else must be 0 to 100.
    pub fn parse_optional(text: Option<&str>) -> Result<Option<Percent>, PercentError> {
        text.map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::parse)
            .transpose()
    }
}

impl TryFrom<i64> for Percent {
    type Error = PercentError;

    fn try_from(n: i64) -> Result<Percent, PercentError> {
        u8::try_from(n)
            .ok()
            .filter(|p| *p <= Percent::MAX)
            .map(Percent)
            .ok_or_else(|| PercentError(n.to_string()))
    }
}

impl FromStr for Percent {
    type Err = PercentError;

    fn from_str(text: &str) -> Result<Percent, PercentError> {
        let text = text.trim();
        text.parse::<i64>()
            .map_err(|_| PercentError(text.to_string()))
            .and_then(Percent::try_from)
    }
}

impl From<Percent> for u8 {
    fn from(p: Percent) -> u8 {
        p.0
    }
}

impl From<Percent> for i64 {
    fn from(p: Percent) -> i64 {
        i64::from(p.0)
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

/// A report's content: the progress text and the percent, if the unit gave one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportContent {
    pub text: RichText,
    pub percent: Option<Percent>,
}

impl ReportContent {
    /// The content after `action` with what the unit wrote. Only saving and submitting
    /// change it (`None` keeps what is there); the review steps leave it as it is. A
    /// report is submitted only with some text.
    pub fn after(
        self,
        action: ReportAction,
        text: Option<RichText>,
        percent: Option<Percent>,
    ) -> Result<ReportContent, WorkflowError> {
        let mut content = self;
        if matches!(action, ReportAction::SaveDraft | ReportAction::Submit) {
            if let Some(text) = text {
                content.text = text;
            }
            if let Some(percent) = percent {
                content.percent = Some(percent);
            }
        }
        if action == ReportAction::Submit && content.text.plain_text().trim().is_empty() {
            return Err(WorkflowError::EmptyReport);
        }
        Ok(content)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percents_are_whole_numbers_from_0_to_100() {
        assert_eq!("80".parse::<Percent>().map(Percent::get), Ok(80));
        assert_eq!(" 100 ".parse::<Percent>().map(Percent::get), Ok(100));
        assert_eq!("0".parse::<Percent>().map(Percent::get), Ok(0));
        for bad in ["101", "-1", "八十", "80.5", "", "300"] {
            let e = bad.parse::<Percent>().unwrap_err();
            assert!(e.to_string().contains("0 至 100 的整数"), "{bad}: {e}");
        }
        assert!(Percent::new(101).is_err());
        assert_eq!(Percent::parse_optional(Some("  ")), Ok(None));
        assert_eq!(Percent::parse_optional(None), Ok(None));
        assert!(Percent::parse_optional(Some("101")).is_err());
        // Stored and sent as a plain number; out of range is refused when read.
        assert_eq!(serde_json::to_string(&Percent(60)).unwrap(), "60");
        assert!(serde_json::from_str::<Percent>("101").is_err());
    }

    #[test]
    fn saving_and_submitting_change_the_content_review_steps_do_not() {
        let before = ReportContent {
            text: RichText::plain("已完成"),
            percent: Some(Percent(50)),
        };
        let new = || Some(RichText::plain("新"));
        let after = before
            .clone()
            .after(ReportAction::SaveDraft, new(), None)
            .unwrap();
        assert_eq!(after.text, RichText::plain("新"));
        assert_eq!(after.percent, Some(Percent(50)));
        let after = before
            .clone()
            .after(ReportAction::Accept, new(), Some(Percent(90)))
            .unwrap();
        assert_eq!(after, before);
        // Submitting keeps the draft's text when none is sent.
        let after = before
            .clone()
            .after(ReportAction::Submit, None, Some(Percent(60)))
            .unwrap();
        assert_eq!(after.text, before.text);
        assert_eq!(after.percent, Some(Percent(60)));
    }

    #[test]
    fn an_empty_report_is_not_submitted() {
        let empty = ReportContent::default();
        assert_eq!(
            empty.clone().after(ReportAction::Submit, None, None),
            Err(WorkflowError::EmptyReport)
        );
        assert_eq!(
            empty
                .clone()
                .after(ReportAction::Submit, Some(RichText::plain(" \n ")), None),
            Err(WorkflowError::EmptyReport)
        );
        assert!(empty.after(ReportAction::SaveDraft, None, None).is_ok());
    }
}
