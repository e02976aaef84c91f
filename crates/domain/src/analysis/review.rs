//! The supervisor's word over the system's suggestion. The suggestion is never replaced:
//! a reviewed status carries both, so a dashboard can show "系统建议：推进中；督查室认定：滞后".

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Status;

/// A supervisor's decision on a status, with who made it, why and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusOverride {
    pub status: Status,
    pub author: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// The status in force, with the system's suggestion kept beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewedStatus {
    /// What the analysis suggested.
    pub suggested: Status,
    /// What counts: the override's status when there is one, else the suggestion.
    pub effective: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#override: Option<StatusOverride>,
    /// Whether the supervisor agreed with the suggestion (true when not reviewed).
    pub agrees: bool,
    /// Chinese one-liner for lists and tooltips.
    pub summary: String,
}

/// Combines a suggestion with an optional override; the suggestion stays visible.
pub fn review_status(suggested: Status, decision: Option<&StatusOverride>) -> ReviewedStatus {
    match decision {
        None => ReviewedStatus {
            suggested,
            effective: suggested,
            r#override: None,
            agrees: true,
            summary: format!("系统建议：{}（未经人工审核）", suggested.label()),
        },
        Some(o) => {
            let agrees = o.status == suggested;
            let summary = if agrees {
                format!(
                    "{}确认为{}（{}）",
                    o.author,
                    o.status.label(),
                    o.at.format("%Y-%m-%d %H:%M")
                )
            } else {
                format!(
                    "系统建议：{}；{}改判为{}（{}），理由：{}",
                    suggested.label(),
                    o.author,
                    o.status.label(),
                    o.at.format("%Y-%m-%d %H:%M"),
                    o.reason
                )
            };
            ReviewedStatus {
                suggested,
                effective: o.status,
                r#override: Some(o.clone()),
                agrees,
                summary,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_keeps_the_suggestion() {
        let at = DateTime::parse_from_rfc3339("2020-10-16T09:30:00+08:00")
            .unwrap()
            .with_timezone(&Utc);
        let o = StatusOverride {
            status: Status::Lagging,
            author: "督查室张三".into(),
            reason: "林荫大道工程未动工".into(),
            at,
        };
        let r = review_status(Status::InProgress, Some(&o));
        assert_eq!(r.suggested, Status::InProgress);
        assert_eq!(r.effective, Status::Lagging);
        assert!(!r.agrees);
        assert!(r.summary.contains("系统建议：推进中"), "{}", r.summary);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["override"]["author"], "督查室张三");
        assert_eq!(json["suggested"], "in_progress");
        let plain = review_status(Status::Done, None);
        assert_eq!(plain.effective, Status::Done);
        assert!(plain.agrees);
    }
}
