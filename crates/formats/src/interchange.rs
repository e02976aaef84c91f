//! The JSON interchange format (`docs/interchange/`): what other systems read and write.
//! Text fields are plain text with `\n` between paragraphs; `*_rich` fields carry the
//! same text with its paragraphs and bold runs. Version 1; fields are only ever added.

use chrono::NaiveDate;
use duban_domain::analysis::{Status, StatusCounts};
use duban_domain::round_notice::{BodyParagraph, ReportingCounts, RoundNotice};
use duban_domain::{
    Disclosure, DocNumber, DocReference, Document, ExtraField, Notice, RichText, SubItem,
    SubItemLabel, Task, TaskNumber, Unit, UnitAssignment, UnitDirectory, UnitFlag, UnitKind,
};
use serde::{Deserialize, Serialize};

pub const FORMAT_NAME: &str = "duban.notice";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeJson {
    pub format: String,
    pub version: u32,
    pub document: DocumentJson,
    pub tasks: Vec<TaskJson>,
    pub units: Vec<UnitJson>,
    pub unit_flags: Vec<UnitFlag>,
    /// A round's notice only: the round it reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<RoundJson>,
    /// A round's notice only: the counts of `tasks[].status`, which the body states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<SummaryJson>,
    /// A round's notice only: how the reports came in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporting: Option<ReportingCounts>,
    /// A round's notice only: the body paragraphs with whether each is internal (left
    /// out of the public variant). `document.body` is the variant written out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Vec<BodyParagraph>>,
}

/// The round a round's notice reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundJson {
    pub id: i64,
    /// The document whose tasks the round covers.
    pub document: i64,
    pub label: String,
    pub due: NaiveDate,
    /// Taken from an imported notice.
    pub imported: bool,
    pub closed: bool,
}

/// The status counts a round's notice states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryJson {
    pub total: usize,
    pub done: usize,
    pub in_progress: usize,
    pub lagging: usize,
    pub blocked: usize,
    pub not_started: usize,
    pub unknown: usize,
}

impl From<&StatusCounts> for SummaryJson {
    fn from(c: &StatusCounts) -> Self {
        SummaryJson {
            total: c.total,
            done: c.done,
            in_progress: c.in_progress,
            lagging: c.lagging,
            blocked: c.blocked,
            not_started: c.not_started,
            unknown: c.unknown,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocNumberParts {
    pub agency: String,
    pub year: u16,
    pub serial: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceJson {
    pub doc_number: String,
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentJson {
    pub issuer: Option<String>,
    pub doc_number: Option<String>,
    pub doc_number_parts: Option<DocNumberParts>,
    pub title: Option<String>,
    pub recipients: Vec<String>,
    pub body: Vec<String>,
    pub references: Vec<ReferenceJson>,
    pub attachment: Option<String>,
    pub signatory: Option<String>,
    pub date: Option<NaiveDate>,
    pub disclosure: Option<Disclosure>,
    pub table_title: Option<String>,
    pub copy_to: Vec<String>,
    pub printed_by: Option<String>,
    pub printed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubItemJson {
    pub label: SubItemLabel,
    pub content: String,
    /// The units that lead this sub-item (its own, or the task's when it has none).
    pub lead_units: Vec<String>,
    /// Whether the unit cell assigned units to this sub-item itself.
    pub lead_units_assigned: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtraJson {
    pub column: String,
    pub text: String,
    pub text_rich: RichText,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskJson {
    pub number: u32,
    pub content: String,
    pub content_rich: RichText,
    pub lead_units: Vec<String>,
    pub lead_units_detail: Vec<UnitAssignment>,
    pub lead_units_text: String,
    pub cooperating_units: Vec<String>,
    pub cooperating_units_detail: Vec<UnitAssignment>,
    pub cooperating_units_text: String,
    pub leader: Option<String>,
    pub deadline: Option<String>,
    pub notes: Option<String>,
    pub notes_rich: Option<RichText>,
    pub progress: Option<String>,
    pub progress_rich: Option<RichText>,
    pub subitems: Vec<SubItemJson>,
    pub extra: Vec<ExtraJson>,
    /// A round's notice only: the status the notice counts for this task (`done`,
    /// `in_progress`, `lagging`, `blocked`, `not_started`, `unknown`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// A round's notice only: whether the office decided the status (审定) rather
    /// than the reading of the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_decided: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitJson {
    pub name: String,
    pub kind: UnitKind,
    pub aliases: Vec<String>,
}

fn names(assignments: &[UnitAssignment]) -> Vec<String> {
    assignments.iter().map(|a| a.unit.clone()).collect()
}

pub fn to_json(notice: &Notice) -> NoticeJson {
    let d = &notice.document;
    NoticeJson {
        format: FORMAT_NAME.to_string(),
        version: FORMAT_VERSION,
        document: DocumentJson {
            issuer: d.issuer.clone(),
            doc_number: d.doc_number.as_ref().map(ToString::to_string),
            doc_number_parts: d.doc_number.as_ref().map(|n| DocNumberParts {
                agency: n.agency.clone(),
                year: n.year,
                serial: n.serial,
            }),
            title: d.title.clone(),
            recipients: d.recipients.clone(),
            body: d.body.clone(),
            references: d
                .references
                .iter()
                .map(|r| ReferenceJson {
                    doc_number: r.doc_number.to_string(),
                    title: r.title.clone(),
                })
                .collect(),
            attachment: d.attachment.clone(),
            signatory: d.signatory.clone(),
            date: d.date,
            disclosure: d.disclosure,
            table_title: d.table_title.clone(),
            copy_to: d.copy_to.clone(),
            printed_by: d.printed_by.clone(),
            printed_on: d.printed_on,
        },
        tasks: notice.tasks.iter().map(task_json).collect(),
        units: notice
            .units
            .units
            .iter()
            .map(|u| UnitJson {
                name: u.name.clone(),
                kind: u.kind,
                aliases: u.aliases.clone(),
            })
            .collect(),
        unit_flags: notice.unit_flags.clone(),
        round: None,
        summary: None,
        reporting: None,
        body: None,
    }
}

/// A round's notice in the interchange format: the notice as written out (`public`:
/// its public variant, the paragraphs marked internal left out), each task with the
/// status the notice counts, the summary and reporting figures, the body paragraphs
/// and the round.
pub fn round_notice_json(
    notice: &RoundNotice,
    body: &[BodyParagraph],
    round: RoundJson,
    public: bool,
) -> NoticeJson {
    let written = duban_domain::round_notice::with_body(notice.notice.clone(), body, public);
    let mut json = to_json(&written);
    for task in &mut json.tasks {
        if let Some(line) = notice.lines.iter().find(|l| l.number == task.number) {
            task.status = Some(line.status);
            task.status_decided = Some(line.decided);
        }
    }
    json.round = Some(round);
    json.summary = Some(SummaryJson::from(&notice.summary));
    json.reporting = Some(notice.reporting.counts.clone());
    json.body = Some(
        body.iter()
            .filter(|p| !(public && p.internal))
            .cloned()
            .collect(),
    );
    json
}

fn task_json(t: &Task) -> TaskJson {
    TaskJson {
        number: t.number.0,
        content: t.content.plain_text(),
        content_rich: t.content.clone(),
        lead_units: names(&t.lead_units),
        lead_units_detail: t.lead_units.clone(),
        lead_units_text: t.lead_units_text.clone(),
        cooperating_units: names(&t.cooperating_units),
        cooperating_units_detail: t.cooperating_units.clone(),
        cooperating_units_text: t.cooperating_units_text.clone(),
        leader: t.leader.clone(),
        deadline: t.deadline.clone(),
        notes: t.notes.as_ref().map(RichText::plain_text),
        notes_rich: t.notes.clone(),
        progress: t.progress.as_ref().map(RichText::plain_text),
        progress_rich: t.progress.clone(),
        subitems: t
            .subitems
            .iter()
            .map(|s| SubItemJson {
                label: s.label,
                content: s.content.clone(),
                lead_units: t.subitem_lead_units(s),
                lead_units_assigned: !s.lead_units.is_empty(),
            })
            .collect(),
        extra: t
            .extra
            .iter()
            .map(|e| ExtraJson {
                column: e.column.clone(),
                text: e.text.plain_text(),
                text_rich: e.text.clone(),
            })
            .collect(),
        status: None,
        status_decided: None,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InterchangeError {
    #[error("JSON 格式错误：{0}")]
    Syntax(#[from] serde_json::Error),
    #[error("不是 duban 交换格式（format 应为 “{FORMAT_NAME}”，实为 “{0}”）")]
    WrongFormat(String),
    #[error("交换格式版本 {0} 高于本程序支持的版本 {FORMAT_VERSION}，请升级 duban")]
    NewerVersion(u32),
    #[error("{0}")]
    DocNumber(#[from] duban_domain::DocNumberError),
    #[error("{place}：{error}")]
    UnitName {
        /// Where: `任务 20 的牵头单位`, `单位名录`.
        place: String,
        error: duban_domain::UnitNameError,
    },
}

/// Every unit name the JSON gives explicitly must be one a unit cell reads back as one
/// unit (text imports split cells into such names; JSON names are taken as given).
fn check_unit_names(json: &NoticeJson) -> Result<(), InterchangeError> {
    let check = |place: &dyn Fn() -> String, name: &str| {
        duban_domain::check_unit_name(name).map_err(|error| InterchangeError::UnitName {
            place: place(),
            error,
        })
    };
    for u in &json.units {
        check(&|| "单位名录".to_string(), &u.name)?;
    }
    for t in &json.tasks {
        for a in &t.lead_units_detail {
            check(&|| format!("任务 {} 的牵头单位", t.number), &a.unit)?;
        }
        for a in &t.cooperating_units_detail {
            check(&|| format!("任务 {} 的配合单位", t.number), &a.unit)?;
        }
        for s in &t.subitems {
            for name in &s.lead_units {
                check(&|| format!("任务 {} 分项的牵头单位", t.number), name)?;
            }
        }
    }
    Ok(())
}

/// Reads the interchange JSON back into a notice (the inverse of `to_json`).
pub fn from_json(text: &str) -> Result<Notice, InterchangeError> {
    let json: NoticeJson = serde_json::from_str(text)?;
    if json.format != FORMAT_NAME {
        return Err(InterchangeError::WrongFormat(json.format));
    }
    if json.version > FORMAT_VERSION {
        return Err(InterchangeError::NewerVersion(json.version));
    }
    check_unit_names(&json)?;
    let d = json.document;
    let rich_or_plain = |rich: Option<RichText>, plain: Option<String>| {
        rich.or_else(|| plain.map(|p| RichText::plain(&p)))
    };
    let document = Document {
        issuer: d.issuer,
        doc_number: d.doc_number.as_deref().map(DocNumber::parse).transpose()?,
        title: d.title,
        recipients: d.recipients,
        body: d.body,
        references: d
            .references
            .into_iter()
            .map(|r| {
                Ok(DocReference {
                    doc_number: DocNumber::parse(&r.doc_number)?,
                    title: r.title,
                })
            })
            .collect::<Result<_, InterchangeError>>()?,
        attachment: d.attachment,
        signatory: d.signatory,
        date: d.date,
        disclosure: d.disclosure,
        table_title: d.table_title,
        copy_to: d.copy_to,
        printed_by: d.printed_by,
        printed_on: d.printed_on,
    };
    let tasks = json
        .tasks
        .into_iter()
        .map(|t| Task {
            number: TaskNumber(t.number),
            content: t.content_rich,
            lead_units: t.lead_units_detail,
            lead_units_text: t.lead_units_text,
            cooperating_units: t.cooperating_units_detail,
            cooperating_units_text: t.cooperating_units_text,
            leader: t.leader,
            deadline: t.deadline,
            notes: rich_or_plain(t.notes_rich, t.notes),
            subitems: t
                .subitems
                .into_iter()
                .map(|s| SubItem {
                    label: s.label,
                    content: s.content,
                    lead_units: if s.lead_units_assigned {
                        s.lead_units
                    } else {
                        Vec::new()
                    },
                })
                .collect(),
            progress: rich_or_plain(t.progress_rich, t.progress),
            extra: t
                .extra
                .into_iter()
                .map(|e| ExtraField {
                    column: e.column,
                    text: e.text_rich,
                })
                .collect(),
        })
        .collect();
    Ok(Notice {
        document,
        tasks,
        units: UnitDirectory {
            units: json
                .units
                .into_iter()
                .map(|u| Unit {
                    name: u.name,
                    kind: u.kind,
                    aliases: u.aliases,
                })
                .collect(),
        },
        unit_flags: json.unit_flags,
    })
}
