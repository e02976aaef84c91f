//! What the source and decomposition forms and JSON bodies send, read into the domain's
//! inputs (`duban_domain::decomposition`). A missing or malformed field is answered in
//! Chinese with the field to correct.

use axum::body::Bytes;
use chrono::NaiveDate;
use duban_domain::{
    DecompositionError, Disclosure, DraftFields, IssueInput, Milestone, PlanError, ProgressKind,
    RichText, Source, SourceKind, SubItemInput, TaskInput,
};
use duban_store::SourceDetail;
use serde::{Deserialize, Serialize};

/// A source as a form or the API sends it. Every field optional, so a missing one is
/// answered with which field, in Chinese.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SourceForm {
    /// SourceKind code (`speech`) or label (`会议讲话`).
    pub kind: String,
    pub title: String,
    /// `2020-04-20` or `2020年4月20日`; empty for none.
    pub date: String,
    pub leader: String,
    pub meeting: String,
    /// The original text, one paragraph per line.
    pub original: String,
    pub notes: String,
}

impl SourceForm {
    pub(super) fn to_source(&self) -> Result<Source, DecompositionError> {
        let kind = SourceKind::from_code(&self.kind)
            .or_else(|| SourceKind::from_label(&self.kind))
            .ok_or_else(|| {
                DecompositionError::Source(duban_domain::SourceError::UnknownKind(
                    self.kind.trim().to_string(),
                ))
            })?;
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(Source {
            kind,
            title: self.title.clone(),
            date: parse_optional_date("date", "来源日期", &self.date)?,
            leader: text(&self.leader),
            meeting: text(&self.meeting),
            original: RichText::plain(self.original.trim()),
            notes: text(&self.notes),
        })
    }

    pub(super) fn from_detail(detail: &SourceDetail) -> SourceForm {
        let s = &detail.source;
        SourceForm {
            kind: s.kind.code().to_string(),
            title: s.title.clone(),
            date: s
                .date
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            leader: s.leader.clone().unwrap_or_default(),
            meeting: s.meeting.clone().unwrap_or_default(),
            original: s.original.plain_text(),
            notes: s.notes.clone().unwrap_or_default(),
        }
    }
}

pub(super) fn parse_optional_date(
    field: &'static str,
    label: &str,
    text: &str,
) -> Result<Option<NaiveDate>, DecompositionError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .or_else(|| duban_domain::parse_chinese_date(text).ok())
        .map(Some)
        .ok_or_else(|| {
            DecompositionError::invalid(
                field,
                format!("{label}“{text}”无法识别，应写作“2020-10-15”或“2020年10月15日”"),
            )
        })
}

/// A milestone as sent: a date and what is done by then.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct MilestoneForm {
    pub due: String,
    pub description: String,
}

/// A progress kind as sent: `kind` is `indicator`, `project`, `ongoing` or empty (none).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PlanForm {
    pub kind: String,
    /// Indicator: the yearly target's number (`10`) and unit (`亿元`).
    pub target: String,
    pub unit: String,
    pub milestones: Vec<MilestoneForm>,
}

impl PlanForm {
    pub(super) fn to_plan(
        &self,
        task: Option<u32>,
    ) -> Result<Option<ProgressKind>, DecompositionError> {
        let plan_error = |error: PlanError| DecompositionError::Plan { task, error };
        match self.kind.trim() {
            "" | "none" => Ok(None),
            "indicator" => ProgressKind::indicator(&self.target, &self.unit)
                .map(Some)
                .map_err(plan_error),
            "project" => {
                let mut milestones = Vec::new();
                for (i, m) in self.milestones.iter().enumerate() {
                    if m.due.trim().is_empty() && m.description.trim().is_empty() {
                        continue;
                    }
                    let due = parse_optional_date("milestones", "节点日期", &m.due)?.ok_or_else(
                        || {
                            DecompositionError::invalid(
                                "milestones",
                                format!("第 {} 个时间节点缺少日期", i + 1),
                            )
                        },
                    )?;
                    milestones.push(Milestone {
                        due,
                        description: m.description.trim().to_string(),
                    });
                }
                ProgressKind::project(milestones)
                    .map(Some)
                    .map_err(plan_error)
            }
            "ongoing" => Ok(Some(ProgressKind::Ongoing)),
            other => Err(plan_error(PlanError::UnknownKind(other.to_string()))),
        }
    }

    pub(super) fn from_plan(plan: Option<&ProgressKind>) -> PlanForm {
        match plan {
            None => PlanForm::default(),
            Some(ProgressKind::Indicator { target }) => PlanForm {
                kind: "indicator".into(),
                target: target.amount.to_string(),
                unit: target.unit.clone(),
                milestones: Vec::new(),
            },
            Some(ProgressKind::Project { milestones }) => PlanForm {
                kind: "project".into(),
                milestones: milestones
                    .iter()
                    .map(|m| MilestoneForm {
                        due: m.due.format("%Y-%m-%d").to_string(),
                        description: m.description.clone(),
                    })
                    .collect(),
                ..PlanForm::default()
            },
            Some(ProgressKind::Ongoing) => PlanForm {
                kind: "ongoing".into(),
                ..PlanForm::default()
            },
        }
    }
}

/// A sub-item as sent.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SubItemForm {
    pub content: String,
    pub lead_units: Vec<String>,
}

/// A task as sent (API JSON; the page form is read into the same shape).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TaskForm {
    pub content: String,
    pub subitems: Vec<SubItemForm>,
    /// The main lead unit first.
    pub lead_units: Vec<String>,
    pub cooperating_units: Vec<String>,
    pub leader: String,
    pub deadline: String,
    pub notes: String,
    pub plan: PlanForm,
    /// The version of the task the editor showed (a hidden form field; on the API the
    /// `If-Match` header or this field, a number): a save from an older version is
    /// refused with the task as saved now. Absent: saved whatever changed.
    pub version: Option<serde_json::Value>,
}

impl TaskForm {
    /// The version the form names, if any (see [`TaskForm::version`]).
    pub(super) fn seen_version(&self) -> Result<Option<i64>, crate::error::AppError> {
        let text = match &self.version {
            None | Some(serde_json::Value::Null) => return Ok(None),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        crate::reports::parse_version_of("任务", Some(&text))
    }

    pub(super) fn to_input(&self, task: Option<u32>) -> Result<TaskInput, DecompositionError> {
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(TaskInput {
            content: self.content.trim().to_string(),
            subitems: self
                .subitems
                .iter()
                .map(|s| SubItemInput {
                    content: s.content.trim().to_string(),
                    lead_units: s.lead_units.clone(),
                })
                .collect(),
            lead_units: self.lead_units.clone(),
            cooperating_units: self.cooperating_units.clone(),
            leader: text(&self.leader),
            deadline: text(&self.deadline),
            notes: text(&self.notes),
            plan: self.plan.to_plan(task)?,
        })
    }

    /// Reads the editor's form: repeated fields (`lead_units`, `subitem_content` …)
    /// arrive as repeated pairs.
    pub(super) fn from_pairs(pairs: &[(String, String)]) -> TaskForm {
        let all = |key: &str| -> Vec<String> {
            pairs
                .iter()
                .filter(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .collect()
        };
        let one = |key: &str| all(key).into_iter().next().unwrap_or_default();
        let mut lead_units: Vec<String> = Vec::new();
        for unit in std::iter::once(one("lead_main")).chain(all("lead_units")) {
            let unit = unit.trim().to_string();
            if !unit.is_empty() && !lead_units.contains(&unit) {
                lead_units.push(unit);
            }
        }
        let subitems = all("subitem_content")
            .into_iter()
            .zip(all("subitem_units"))
            .map(|(content, units)| SubItemForm {
                content,
                lead_units: split_names(&units),
            })
            .collect();
        let milestones = all("milestone_due")
            .into_iter()
            .zip(all("milestone_text"))
            .map(|(due, description)| MilestoneForm { due, description })
            .collect();
        TaskForm {
            content: one("content"),
            subitems,
            lead_units,
            cooperating_units: all("cooperating_units"),
            leader: one("leader"),
            deadline: one("deadline"),
            notes: one("notes"),
            plan: PlanForm {
                kind: one("plan_kind"),
                target: one("target"),
                unit: one("unit"),
                milestones,
            },
            version: Some(one("version"))
                .filter(|v| !v.trim().is_empty())
                .map(serde_json::Value::String),
        }
    }

    pub(super) fn from_task(t: &duban_domain::PlannedTask) -> TaskForm {
        let mut lead_units = t.task_lead_units.clone();
        if lead_units.is_empty() && t.task.subitems.iter().all(|s| s.lead_units.is_empty()) {
            lead_units = t.task.lead_units.iter().map(|a| a.unit.clone()).collect();
        }
        TaskForm {
            content: t.intro.clone(),
            subitems: t
                .task
                .subitems
                .iter()
                .map(|s| SubItemForm {
                    content: s.content.clone(),
                    lead_units: s.lead_units.clone(),
                })
                .collect(),
            lead_units,
            cooperating_units: t
                .task
                .cooperating_units
                .iter()
                .map(|a| a.unit.clone())
                .collect(),
            leader: t.task.leader.clone().unwrap_or_default(),
            deadline: t.task.deadline.clone().unwrap_or_default(),
            notes: t
                .task
                .notes
                .as_ref()
                .map(RichText::plain_text)
                .unwrap_or_default(),
            plan: PlanForm::from_plan(t.plan.as_ref()),
            version: Some(serde_json::Value::from(t.version)),
        }
    }
}

/// `区城管局、鲤城公安分局` → both names (also split at `，` `,` `；` and spaces).
pub(super) fn split_names(text: &str) -> Vec<String> {
    text.split(['、', '，', ',', '；', ';', ' ', '\u{3000}'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The draft's header fields as sent.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FieldsForm {
    pub issuer: String,
    pub title: String,
    /// 主送机关, separated by `，` or `、` (the form) — the API may also send a list.
    pub recipients: String,
    /// 正文, one paragraph per line.
    pub body: String,
    /// 公开属性 label: 主动公开, 依申请公开, 不予公开.
    pub disclosure: String,
    /// 附件标题; absent: unchanged.
    pub attachment: Option<String>,
}

impl FieldsForm {
    pub(super) fn to_fields(&self) -> Result<DraftFields, DecompositionError> {
        let disclosure = [
            Disclosure::Active,
            Disclosure::OnRequest,
            Disclosure::NotDisclosed,
        ]
        .into_iter()
        .find(|d| d.label() == self.disclosure.trim())
        .ok_or_else(|| {
            DecompositionError::invalid(
                "disclosure",
                "请选择公开属性：主动公开、依申请公开或不予公开",
            )
        })?;
        Ok(DraftFields {
            issuer: self.issuer.clone(),
            title: self.title.clone(),
            recipients: self
                .recipients
                .split(['，', '、', ',', '\n'])
                .map(|s| s.trim().trim_end_matches('：').to_string())
                .collect(),
            body: self.body.lines().map(str::to_string).collect(),
            disclosure,
            attachment: self.attachment.clone(),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct IssueForm {
    pub doc_number: String,
    /// 成文日期.
    pub date: String,
    pub signatory: String,
    /// The page's “确认印发” box (the API needs none: calling it is the decision).
    pub confirm: Option<String>,
}

impl IssueForm {
    pub(super) fn to_input(&self) -> Result<IssueInput, DecompositionError> {
        let date = parse_optional_date("date", "成文日期", &self.date)?
            .ok_or_else(|| DecompositionError::invalid("date", "请填写成文日期"))?;
        Ok(IssueInput {
            doc_number: self.doc_number.clone(),
            date,
            signatory: Some(self.signatory.trim().to_string()).filter(|s| !s.is_empty()),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewDraftForm {
    pub issuer: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    pub to: String,
}

impl MoveForm {
    pub(super) fn to_number(&self) -> Result<u32, DecompositionError> {
        self.to
            .trim()
            .parse()
            .map_err(|_| DecompositionError::invalid("to", "请填写新的序号（正整数）"))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LinkForm {
    /// A document's id or 文号.
    pub document: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SourceQuery {
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EditorQuery {
    /// The task whose edit form is open.
    pub edit: Option<u32>,
}

/// A JSON body read by hand, so a malformed one is answered in Chinese.
pub(super) fn json_body<T: serde::de::DeserializeOwned + Default>(
    body: &Bytes,
) -> Result<T, DecompositionError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| {
        DecompositionError::invalid(
            "body",
            format!(
                "请求内容不是所需格式的 JSON（第 {} 行第 {} 列）：{e}",
                e.line(),
                e.column()
            ),
        )
    })
}

pub(super) fn kind_filter(query: &SourceQuery) -> Result<Option<SourceKind>, DecompositionError> {
    match query
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        None => Ok(None),
        Some(k) => SourceKind::from_code(k)
            .or_else(|| SourceKind::from_label(k))
            .map(Some)
            .ok_or_else(|| DecompositionError::invalid("kind", format!("未知的来源类别“{k}”"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_form_reads_repeated_fields() {
        let pairs: Vec<(String, String)> = [
            ("content", "尽快启动以下项目："),
            ("lead_main", "区发改局"),
            ("lead_units", "区财政局"),
            ("lead_units", "区发改局"),
            ("cooperating_units", "区住建局"),
            ("subitem_content", "内环路"),
            ("subitem_units", "区城管局、区住建局"),
            ("subitem_content", ""),
            ("subitem_units", ""),
            ("plan_kind", "indicator"),
            ("target", "10"),
            ("unit", "亿元"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let form = TaskForm::from_pairs(&pairs);
        assert_eq!(form.lead_units, ["区发改局", "区财政局"]);
        assert_eq!(form.subitems[0].lead_units, ["区城管局", "区住建局"]);
        let input = form.to_input(None).unwrap();
        assert_eq!(
            input.plan,
            Some(ProgressKind::indicator("10", "亿元").unwrap())
        );
        assert_eq!(input.subitems.len(), 2);

        let bad = PlanForm {
            kind: "indicator".into(),
            target: "十亿".into(),
            unit: "元".into(),
            milestones: Vec::new(),
        };
        let f = bad.to_plan(Some(3)).unwrap_err();
        assert_eq!(f.field(), "target");
        assert!(f.to_string().starts_with("第 3 项任务："), "{f}");
        let bad_date = PlanForm {
            kind: "project".into(),
            milestones: vec![MilestoneForm {
                due: "年底".into(),
                description: "开工".into(),
            }],
            ..PlanForm::default()
        };
        assert_eq!(bad_date.to_plan(None).unwrap_err().field(), "milestones");
    }
}
