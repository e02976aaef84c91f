//! Where supervised tasks come from (督办事项来源, 立项): a leader's speech at a meeting,
//! the items an executive meeting decided, a leader's written instruction, the
//! government work report … and the wording of the responsibility-decomposition notice
//! (责任分解的通知) the office issues from one.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::rich_text::RichText;

/// Longest source title.
pub const MAX_SOURCE_TITLE_CHARS: usize = 200;
/// Longest name of a leader or a meeting.
pub const MAX_NAME_CHARS: usize = 100;

/// The kind of a source; offices report by it ("会议类 / 批示类").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// 会议讲话: a leader's speech at a meeting (e.g. 区政府第一次全体会议).
    Speech,
    /// 常务会议议定事项: items decided at a 常务会议 / 县长办公会.
    ExecutiveMeeting,
    /// 领导批示: a leader's written instruction.
    Instruction,
    /// 政府工作报告: the tasks of the year's government work report.
    WorkReport,
    /// 民生实事项目.
    Livelihood,
    /// 人大代表建议、政协委员提案.
    Proposal,
    /// 整改清单 (from an inspection or audit).
    Rectification,
    /// 其他.
    Other,
}

impl SourceKind {
    pub const ALL: [SourceKind; 8] = [
        SourceKind::Speech,
        SourceKind::ExecutiveMeeting,
        SourceKind::Instruction,
        SourceKind::WorkReport,
        SourceKind::Livelihood,
        SourceKind::Proposal,
        SourceKind::Rectification,
        SourceKind::Other,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Speech => "会议讲话",
            SourceKind::ExecutiveMeeting => "常务会议议定事项",
            SourceKind::Instruction => "领导批示",
            SourceKind::WorkReport => "政府工作报告",
            SourceKind::Livelihood => "民生实事项目",
            SourceKind::Proposal => "人大建议和政协提案",
            SourceKind::Rectification => "整改清单",
            SourceKind::Other => "其他",
        }
    }

    /// The stored and API form: `speech`, `executive_meeting` …
    pub fn code(self) -> &'static str {
        match self {
            SourceKind::Speech => "speech",
            SourceKind::ExecutiveMeeting => "executive_meeting",
            SourceKind::Instruction => "instruction",
            SourceKind::WorkReport => "work_report",
            SourceKind::Livelihood => "livelihood",
            SourceKind::Proposal => "proposal",
            SourceKind::Rectification => "rectification",
            SourceKind::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<SourceKind> {
        SourceKind::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
    }

    /// Reads a label as offices write it: the label itself or a common variant
    /// (`常务会议定事项`, `常务会议`, `县长办公会议定事项`, `批示`, `讲话` …).
    pub fn from_label(label: &str) -> Option<SourceKind> {
        let t: String = label.chars().filter(|c| !c.is_whitespace()).collect();
        if let Some(kind) = SourceKind::ALL.into_iter().find(|k| k.label() == t) {
            return Some(kind);
        }
        match t.as_str() {
            "讲话" | "会议讲话部署" | "领导讲话" | "讲话部署" => {
                Some(SourceKind::Speech)
            }
            "常务会议定事项"
            | "常务会议"
            | "常务会"
            | "政府常务会议议定事项"
            | "县长办公会议定事项"
            | "区长办公会议定事项"
            | "市长办公会议定事项"
            | "会议议定事项" => Some(SourceKind::ExecutiveMeeting),
            "批示" | "领导批示件" | "批示件" => Some(SourceKind::Instruction),
            "政府工作报告任务" | "工作报告" => Some(SourceKind::WorkReport),
            "民生实事" | "为民办实事项目" | "为民办实事" => {
                Some(SourceKind::Livelihood)
            }
            "建议提案" | "人大建议" | "政协提案" | "人大代表建议" | "政协委员提案" => {
                Some(SourceKind::Proposal)
            }
            "整改" | "问题整改清单" => Some(SourceKind::Rectification),
            _ => None,
        }
    }

    /// Whether the kind names a leader (who spoke, who instructed).
    pub fn needs_leader(self) -> bool {
        matches!(self, SourceKind::Speech | SourceKind::Instruction)
    }

    /// Whether the kind names a meeting.
    pub fn needs_meeting(self) -> bool {
        matches!(self, SourceKind::ExecutiveMeeting)
    }
}

impl std::fmt::Display for SourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// A source of supervised tasks, as the office registers it (立项).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub kind: SourceKind,
    /// What it is, e.g. `黄辉灿区长在区政府第一次全体会议上的讲话`.
    pub title: String,
    /// The day of the meeting, the instruction or the report.
    pub date: Option<NaiveDate>,
    /// The leader who spoke or instructed (`黄辉灿区长`).
    pub leader: Option<String>,
    /// The meeting (`区政府第一次全体会议`, `区政府第12次常务会议`).
    pub meeting: Option<String>,
    /// The original text (讲话稿, 批示原文, 会议纪要), as far as it is kept.
    pub original: RichText,
    pub notes: Option<String>,
}

/// Why a source was refused; [`SourceError::field`] names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("请填写来源名称，如“黄辉灿区长在区政府第一次全体会议上的讲话”")]
    TitleMissing,
    #[error("来源名称过长（最多 200 字），请写明讲话、会议或批示的名称即可")]
    TitleTooLong,
    #[error(
        "未知的来源类别“{0}”：应为会议讲话、常务会议议定事项、领导批示、政府工作报告、民生实事项目、人大建议和政协提案、整改清单或其他"
    )]
    UnknownKind(String),
    #[error("来源类别为“{0}”时须填写讲话或批示的领导，如“黄辉灿区长”")]
    LeaderMissing(SourceKind),
    #[error("来源类别为“{0}”时须填写会议名称，如“区政府第12次常务会议”")]
    MeetingMissing(SourceKind),
    #[error("{field_label}过长（最多 100 字）")]
    NameTooLong {
        field: &'static str,
        field_label: &'static str,
    },
    #[error("{error}")]
    TooLong {
        field: &'static str,
        error: crate::limits::TooLong,
    },
}

impl SourceError {
    /// The form field to correct: `title`, `kind`, `leader` or `meeting`.
    pub fn field(&self) -> &'static str {
        match self {
            SourceError::TitleMissing | SourceError::TitleTooLong => "title",
            SourceError::UnknownKind(_) => "kind",
            SourceError::LeaderMissing(_) => "leader",
            SourceError::MeetingMissing(_) => "meeting",
            SourceError::NameTooLong { field, .. } | SourceError::TooLong { field, .. } => field,
        }
    }
}

/// `Some(trimmed)` unless blank.
fn filled(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

impl Source {
    /// Trims the text fields, drops blank ones, and checks the rules: a title, and the
    /// leader or meeting the kind calls for.
    pub fn normalised(mut self) -> Result<Source, SourceError> {
        self.title = self.title.trim().to_string();
        self.leader = filled(&self.leader).map(str::to_string);
        self.meeting = filled(&self.meeting).map(str::to_string);
        self.notes = filled(&self.notes).map(str::to_string);
        self.validate()?;
        Ok(self)
    }

    pub fn validate(&self) -> Result<(), SourceError> {
        let title = self.title.trim();
        if title.is_empty() {
            return Err(SourceError::TitleMissing);
        }
        if title.chars().count() > MAX_SOURCE_TITLE_CHARS {
            return Err(SourceError::TitleTooLong);
        }
        if self.kind.needs_leader() && filled(&self.leader).is_none() {
            return Err(SourceError::LeaderMissing(self.kind));
        }
        if self.kind.needs_meeting() && filled(&self.meeting).is_none() {
            return Err(SourceError::MeetingMissing(self.kind));
        }
        for (field, field_label, value) in [
            ("leader", "领导姓名职务", &self.leader),
            ("meeting", "会议名称", &self.meeting),
        ] {
            if filled(value).is_some_and(|v| v.chars().count() > MAX_NAME_CHARS) {
                return Err(SourceError::NameTooLong { field, field_label });
            }
        }
        let too_long = |field| move |error| SourceError::TooLong { field, error };
        crate::limits::SOURCE_ORIGINAL
            .check(&self.original.plain_text())
            .map_err(too_long("original"))?;
        if let Some(notes) = &self.notes {
            crate::limits::SOURCE_NOTES
                .check(notes)
                .map_err(too_long("notes"))?;
        }
        Ok(())
    }

    /// What the source asks to be done, as a notice names it, the kind's word added
    /// once: `…讲话部署`, `区政府第12次常务会议议定事项` (a title already ending in 议定事项
    /// or 部署 keeps it as it is: never `议定事项议定事项`), `《2021年政府工作报告》重点工作任务`.
    pub fn subject(&self) -> String {
        let title = self.title.trim();
        let with = |word: &str| {
            if title.ends_with(word) {
                title.to_string()
            } else {
                format!("{title}{word}")
            }
        };
        match self.kind {
            SourceKind::Speech => with("部署"),
            SourceKind::ExecutiveMeeting => with("议定事项"),
            SourceKind::WorkReport => {
                let quoted = if title.starts_with('《') {
                    title.to_string()
                } else {
                    format!("《{title}》")
                };
                if quoted.ends_with("重点工作任务") {
                    quoted
                } else {
                    format!("{quoted}重点工作任务")
                }
            }
            SourceKind::Livelihood
            | SourceKind::Instruction
            | SourceKind::Proposal
            | SourceKind::Rectification
            | SourceKind::Other => title.to_string(),
        }
    }

    /// The title of the decomposition notice, after the model of 泉鲤政办〔2020〕44号
    /// (“…关于对黄辉灿区长在区政府第一次全体会上的讲话部署进行责任分解的通知”).
    pub fn decomposition_title(&self, issuer: Option<&str>) -> String {
        let issuer = issuer.map(str::trim).unwrap_or_default();
        let subject = self.subject();
        let matter = match self.kind {
            SourceKind::WorkReport | SourceKind::Livelihood => {
                format!("关于印发{subject}责任分解的通知")
            }
            _ => format!("关于对{subject}进行责任分解的通知"),
        };
        format!("{issuer}{matter}")
    }

    /// The attachment's name and table title: `…讲话部署责任分解表`.
    pub fn decomposition_table_title(&self) -> String {
        format!("{}责任分解表", self.subject())
    }

    /// The standard 正文 of the decomposition notice, for the office to edit.
    pub fn decomposition_body(&self) -> Vec<String> {
        let subject = self.subject();
        vec![
            format!(
                "为抓好{subject}的贯彻落实，经区政府同意，现将有关工作任务进行责任分解（详见附件），\
                 并就有关事项通知如下："
            ),
            "一、各牵头单位要切实履行牵头责任，主动协调配合单位，细化工作措施，明确时间节点，\
             确保各项任务按时保质完成；各配合单位要按照职责分工，积极主动配合。"
                .to_string(),
            "二、各责任单位请于每月25日前将任务落实情况报送区政府督查室，区政府督查室将定期跟踪督查并通报落实情况。"
                .to_string(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn speech() -> Source {
        Source {
            kind: SourceKind::Speech,
            title: "  黄辉灿区长在区政府第一次全体会上的讲话 ".into(),
            date: NaiveDate::from_ymd_opt(2020, 4, 20),
            leader: Some(" 黄辉灿区长 ".into()),
            meeting: Some("区政府第一次全体会议".into()),
            original: RichText::plain("抓紧把 GDP 增长 2.5% 等一揽子指标下达到各街道。"),
            notes: Some("  ".into()),
        }
    }

    #[test]
    fn the_kind_s_word_is_added_once() {
        let meeting = |title: &str| Source {
            kind: SourceKind::ExecutiveMeeting,
            title: title.into(),
            ..speech()
        };
        for title in ["区政府第12次常务会议", "区政府第12次常务会议议定事项"]
        {
            let s = meeting(title);
            assert_eq!(s.subject(), "区政府第12次常务会议议定事项");
            let text = format!(
                "{}{}{}",
                s.decomposition_title(Some("泉州市鲤城区人民政府办公室")),
                s.decomposition_table_title(),
                s.decomposition_body().join("")
            );
            assert!(!text.contains("议定事项议定事项"), "{text}");
        }
        let spoken = Source {
            title: "区长讲话部署".into(),
            ..speech()
        };
        assert_eq!(spoken.subject(), "区长讲话部署");
        assert_eq!(
            speech().decomposition_title(Some("泉州市鲤城区人民政府办公室")),
            "泉州市鲤城区人民政府办公室关于对黄辉灿区长在区政府第一次全体会上的讲话部署进行责任分解的通知"
        );
        let report = Source {
            kind: SourceKind::WorkReport,
            title: "2021年政府工作报告".into(),
            ..speech()
        };
        assert_eq!(
            report.decomposition_title(None),
            "关于印发《2021年政府工作报告》重点工作任务责任分解的通知"
        );
    }

    #[test]
    fn labels_and_codes_round_trip() {
        for kind in SourceKind::ALL {
            assert_eq!(SourceKind::from_label(kind.label()), Some(kind));
            assert_eq!(SourceKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(
            SourceKind::from_label("常务会议定事项"),
            Some(SourceKind::ExecutiveMeeting)
        );
        assert_eq!(
            SourceKind::from_label(" 领导 批示 "),
            Some(SourceKind::Instruction)
        );
        assert_eq!(SourceKind::from_label("传闻"), None);
        assert_eq!(SourceKind::from_code("speeches"), None);
    }

    #[test]
    fn normalising_trims_and_checks() {
        let s = speech().normalised().unwrap();
        assert_eq!(s.title, "黄辉灿区长在区政府第一次全体会上的讲话");
        assert_eq!(s.leader.as_deref(), Some("黄辉灿区长"));
        assert_eq!(s.notes, None);

        let mut no_leader = speech();
        no_leader.leader = Some(" ".into());
        let e = no_leader.normalised().unwrap_err();
        assert_eq!(e, SourceError::LeaderMissing(SourceKind::Speech));
        assert_eq!(e.field(), "leader");
        assert!(e.to_string().contains("会议讲话"));

        let mut untitled = speech();
        untitled.title = "   ".into();
        assert_eq!(untitled.validate(), Err(SourceError::TitleMissing));

        let mut meeting = speech();
        meeting.kind = SourceKind::ExecutiveMeeting;
        meeting.meeting = None;
        assert_eq!(meeting.validate().map_err(|e| e.field()), Err("meeting"));

        let mut long = speech();
        long.leader = Some("长".repeat(101));
        assert_eq!(long.validate().map_err(|e| e.field()), Err("leader"));
    }

    #[test]
    fn decomposition_wording_follows_the_44_notice() {
        let s = speech().normalised().unwrap();
        assert_eq!(
            s.decomposition_title(Some("泉州市鲤城区人民政府办公室")),
            "泉州市鲤城区人民政府办公室关于对黄辉灿区长在区政府第一次全体会上的讲话部署进行责任分解的通知"
        );
        assert_eq!(
            s.decomposition_table_title(),
            "黄辉灿区长在区政府第一次全体会上的讲话部署责任分解表"
        );
        let report = Source {
            kind: SourceKind::WorkReport,
            title: "2024年区政府工作报告".into(),
            ..s
        };
        assert_eq!(
            report.decomposition_title(None),
            "关于印发《2024年区政府工作报告》重点工作任务责任分解的通知"
        );
        assert!(report.decomposition_body()[0].contains("《2024年区政府工作报告》"));
    }
}
