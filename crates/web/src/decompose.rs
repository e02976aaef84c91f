//! Sources and decomposition (立项/分解): the pages and their JSON API twins.
//!
//! The office (admin, supervisor) registers where tasks come from, drafts the
//! responsibility-decomposition notice from a source, edits its tasks and sub-items,
//! and issues it (印发); leaders read everything; unit accounts reach none of it (403),
//! and without a session pages go to the login page and the API answers 401.
//!
//! Pages and API share the parsing and checks below, so they cannot disagree.

use axum::Form;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use duban_domain::{DecompositionError, DraftFields, IssueInput, SubItemInput, TaskInput};
use duban_domain::{
    Disclosure, Milestone, PlanError, ProgressKind, RichText, Role, Source, SourceKind,
};
use duban_render::OutputFormat;
use duban_store::{
    DecomposeError, Decomposition, DocumentId, SourceDetail, SourceId, SourceSummary, StoreError,
    User,
};
use minijinja::context;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{CurrentUser, OFFICE, READERS, require};
use crate::error::{ApiError, AppError};

// ---------------------------------------------------------------------------------
// Templates

fn render(state: &AppState, name: &str, ctx: minijinja::Value) -> Result<String, AppError> {
    Ok(state.templates.get_template(name)?.render(ctx)?)
}

fn v<T: Serialize>(value: T) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(value))
}

// ---------------------------------------------------------------------------------
// Input shared by pages and API

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
    fn to_source(&self) -> Result<Source, DecompositionError> {
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

    fn from_detail(detail: &SourceDetail) -> SourceForm {
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

fn parse_optional_date(
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
    fn to_plan(&self, task: Option<u32>) -> Result<Option<ProgressKind>, DecompositionError> {
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

    fn from_plan(plan: Option<&ProgressKind>) -> PlanForm {
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
}

impl TaskForm {
    fn to_input(&self, task: Option<u32>) -> Result<TaskInput, DecompositionError> {
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
    fn from_pairs(pairs: &[(String, String)]) -> TaskForm {
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
        }
    }

    fn from_task(t: &duban_domain::PlannedTask) -> TaskForm {
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
        }
    }
}

/// `区城管局、鲤城公安分局` → both names (also split at `，` `,` `；` and spaces).
fn split_names(text: &str) -> Vec<String> {
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
}

impl FieldsForm {
    fn to_fields(&self) -> Result<DraftFields, DecompositionError> {
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
}

impl IssueForm {
    fn to_input(&self) -> Result<IssueInput, DecompositionError> {
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
    fn to_number(&self) -> Result<u32, DecompositionError> {
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
fn json_body<T: serde::de::DeserializeOwned + Default>(
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

fn kind_filter(query: &SourceQuery) -> Result<Option<SourceKind>, DecompositionError> {
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

fn document_not_found() -> AppError {
    AppError::NotFound("该文件")
}

// ---------------------------------------------------------------------------------
// Actions shared by pages and API (authorisation first)

async fn do_create_source(
    state: &AppState,
    user: &User,
    form: &SourceForm,
) -> Result<SourceId, AppError> {
    require(user, OFFICE)?;
    Ok(state
        .store
        .create_source(form.to_source()?, user.id)
        .await?)
}

async fn do_update_source(
    state: &AppState,
    user: &User,
    id: i64,
    form: &SourceForm,
) -> Result<(), AppError> {
    require(user, OFFICE)?;
    Ok(state
        .store
        .update_source(SourceId(id), form.to_source()?)
        .await?)
}

async fn do_create_draft(
    state: &AppState,
    user: &User,
    id: i64,
    issuer: &str,
) -> Result<DocumentId, AppError> {
    require(user, OFFICE)?;
    // Blank: the office's name as its latest stored notice gives it.
    let issuer = if issuer.trim().is_empty() {
        default_issuer(state).await?
    } else {
        issuer.trim().to_string()
    };
    Ok(state
        .store
        .create_decomposition(SourceId(id), &issuer)
        .await?)
}

/// The issuer of the latest stored notice that names one, or empty.
async fn default_issuer(state: &AppState) -> Result<String, AppError> {
    for doc in state.store.list_documents().await?.iter().rev() {
        let notice = state.store.load_notice(doc.id).await?;
        if let Some(issuer) = notice.document.issuer.filter(|i| !i.trim().is_empty()) {
            return Ok(issuer);
        }
    }
    Ok(String::new())
}

async fn find_document(state: &AppState, key: &str) -> Result<DocumentId, AppError> {
    let found = state.store.find_document(key).await?;
    Ok(found.ok_or_else(|| {
        DecompositionError::invalid(
            "document",
            format!("找不到文件“{}”：请填写文件编号或文号", key.trim()),
        )
    })?)
}

async fn load(state: &AppState, user: &User, document: i64) -> Result<Decomposition, AppError> {
    require(user, READERS)?;
    match state.store.decomposition(DocumentId(document)).await {
        Err(DecomposeError::DocumentNotFound(_)) => Err(document_not_found()),
        other => Ok(other?),
    }
}

// ---------------------------------------------------------------------------------
// Pages

fn office(user: &User) -> bool {
    matches!(user.role, Role::Admin | Role::Supervisor)
}

fn kinds() -> Vec<Value> {
    SourceKind::ALL
        .iter()
        .map(|k| json!({"code": k.code(), "label": k.label()}))
        .collect()
}

async fn sources_html(
    state: &AppState,
    user: &User,
    kind: Option<SourceKind>,
    form: &SourceForm,
    failure: Option<&AppError>,
) -> Result<String, AppError> {
    let sources = state.store.sources(kind).await?;
    render(
        state,
        "sources.html",
        context! {
            user => v(user),
            can_edit => office(user),
            sources => v(sources),
            kinds => v(kinds()),
            kind => kind.map(SourceKind::code),
            form => v(form),
            error => failure.map(ToString::to_string),
            error_field => failure.and_then(AppError::field),
        },
    )
}

pub async fn sources_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<SourceQuery>,
) -> Result<Html<String>, AppError> {
    require(&user, READERS)?;
    let kind = kind_filter(&query)?;
    let form = SourceForm {
        kind: SourceKind::Speech.code().into(),
        ..SourceForm::default()
    };
    Ok(Html(sources_html(&state, &user, kind, &form, None).await?))
}

pub async fn create_source_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<SourceForm>,
) -> Result<Response, AppError> {
    match do_create_source(&state, &user, &form).await {
        Ok(id) => Ok(Redirect::to(&format!("/sources/{id}")).into_response()),
        Err(f) if f.is_refusal() => {
            let html = sources_html(&state, &user, None, &form, Some(&f)).await?;
            Ok((f.status(), Html(html)).into_response())
        }
        Err(f) => Err(f),
    }
}

async fn source_html(
    state: &AppState,
    user: &User,
    id: i64,
    form: Option<&SourceForm>,
    failure: Option<&AppError>,
) -> Result<String, AppError> {
    require(user, READERS)?;
    let detail = match state.store.source(SourceId(id)).await {
        Err(DecomposeError::SourceNotFound(_)) => {
            return Err(AppError::NotFound("该任务来源"));
        }
        other => other?,
    };
    let form = form
        .cloned()
        .unwrap_or_else(|| SourceForm::from_detail(&detail));
    let issuer = if office(user) {
        default_issuer(state).await?
    } else {
        String::new()
    };
    render(
        state,
        "source.html",
        context! {
            user => v(user),
            can_edit => office(user),
            s => v(&detail.summary),
            source => v(&detail.source),
            documents => v(&detail.documents),
            kinds => v(kinds()),
            form => v(form),
            issuer => issuer,
            error => failure.map(ToString::to_string),
            error_field => failure.and_then(AppError::field),
        },
    )
}

pub async fn source_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    Ok(Html(source_html(&state, &user, id, None, None).await?))
}

/// Answers a refused page form by showing the page again with the message.
async fn source_page_after(
    state: &AppState,
    user: &User,
    id: i64,
    form: Option<&SourceForm>,
    result: Result<String, AppError>,
) -> Result<Response, AppError> {
    match result {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(f) if f.is_refusal() && f.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let html = source_html(state, user, id, form, Some(&f)).await?;
            Ok((f.status(), Html(html)).into_response())
        }
        Err(f) => Err(f),
    }
}

pub async fn update_source_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<SourceForm>,
) -> Result<Response, AppError> {
    let result = do_update_source(&state, &user, id, &form)
        .await
        .map(|()| format!("/sources/{id}"));
    source_page_after(&state, &user, id, Some(&form), result).await
}

pub async fn create_draft_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<NewDraftForm>,
) -> Result<Response, AppError> {
    let result = do_create_draft(&state, &user, id, &form.issuer)
        .await
        .map(|doc| format!("/decompositions/{doc}"));
    source_page_after(&state, &user, id, None, result).await
}

pub async fn link_document_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<LinkForm>,
) -> Result<Response, AppError> {
    let result = async {
        require(&user, OFFICE)?;
        let doc = find_document(&state, &form.document).await?;
        state
            .store
            .set_document_source(doc, Some(SourceId(id)))
            .await?;
        Ok(format!("/sources/{id}"))
    }
    .await;
    source_page_after(&state, &user, id, None, result).await
}

/// The editor's form for one task: its values, padded with empty rows to fill in.
#[derive(Debug, Serialize)]
struct EditorForm {
    number: Option<u32>,
    task: TaskForm,
    lead_main: String,
    lead_others: Vec<String>,
    subitems: Vec<(String, String)>,
    milestones: Vec<MilestoneForm>,
}

impl EditorForm {
    fn new(number: Option<u32>, task: TaskForm) -> EditorForm {
        let lead_main = task.lead_units.first().cloned().unwrap_or_default();
        let lead_others = task.lead_units.iter().skip(1).cloned().collect();
        let mut subitems: Vec<(String, String)> = task
            .subitems
            .iter()
            .map(|s| (s.content.clone(), s.lead_units.join("、")))
            .collect();
        let rows = (subitems.len() + 2).clamp(4, 20);
        subitems.resize(rows, (String::new(), String::new()));
        let mut milestones = task.plan.milestones.clone();
        let rows = (milestones.len() + 2).clamp(4, 20);
        milestones.resize(rows, MilestoneForm::default());
        EditorForm {
            number,
            task,
            lead_main,
            lead_others,
            subitems,
            milestones,
        }
    }
}

async fn editor_html(
    state: &AppState,
    user: &User,
    d: &Decomposition,
    form: EditorForm,
    fields: Option<&FieldsForm>,
    failure: Option<&AppError>,
) -> Result<String, AppError> {
    let units = state.store.units().await?;
    let can_edit = office(user) && d.status == duban_domain::DocumentStatus::Draft;
    let doc = &d.document;
    let fields = fields.cloned().unwrap_or_else(|| FieldsForm {
        issuer: doc.issuer.clone().unwrap_or_default(),
        title: doc.title.clone().unwrap_or_default(),
        recipients: doc.recipients.join("，"),
        body: doc.body.join("\n"),
        disclosure: doc
            .disclosure
            .map(|d| d.label().to_string())
            .unwrap_or_default(),
    });
    let formats: Vec<Value> = OutputFormat::ALL
        .iter()
        .map(|f| json!({"name": f.name(), "label": format_label(*f)}))
        .collect();
    render(
        state,
        "decompose.html",
        context! {
            user => v(user),
            d => v(d),
            doc_number => doc.doc_number.as_ref().map(ToString::to_string),
            can_edit => can_edit,
            can_manage => office(user),
            units => v(units.iter().map(|u| json!({"name": u.name, "kind": u.kind.label()})).collect::<Vec<_>>()),
            form => v(form),
            fields => v(fields),
            disclosures => vec!["主动公开", "依申请公开", "不予公开"],
            formats => v(formats),
            error => failure.map(ToString::to_string),
            error_field => failure.and_then(AppError::field),
            labels => duban_domain::SubItemLabel::all().map(|l| l.to_string()).collect::<Vec<_>>(),
            today => chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string(),
        },
    )
}

fn format_label(format: OutputFormat) -> &'static str {
    match format {
        OutputFormat::Docx => "Word 文档（DOCX）",
        OutputFormat::Pdf => "PDF",
        OutputFormat::Xlsx => "Excel 表格（XLSX）",
        OutputFormat::Html => "网页（HTML）",
    }
}

pub async fn editor_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(document): Path<i64>,
    Query(query): Query<EditorQuery>,
) -> Result<Html<String>, AppError> {
    let d = load(&state, &user, document).await?;
    let form = match query.edit {
        Some(n) => {
            let t = d
                .tasks
                .iter()
                .find(|t| t.number == n)
                .ok_or(AppError::NotFound("该任务"))?;
            EditorForm::new(Some(n), TaskForm::from_task(t))
        }
        None => EditorForm::new(None, TaskForm::default()),
    };
    Ok(Html(
        editor_html(&state, &user, &d, form, None, None).await?,
    ))
}

/// Redirects back to the editor, or shows it again with the message and what was typed.
async fn editor_after(
    state: &AppState,
    user: &User,
    document: i64,
    form: Option<EditorForm>,
    fields: Option<&FieldsForm>,
    result: Result<(), AppError>,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/decompositions/{document}")).into_response()),
        Err(f) if f.is_refusal() => {
            let d = load(state, user, document).await?;
            let form = form.unwrap_or_else(|| EditorForm::new(None, TaskForm::default()));
            let html = editor_html(state, user, &d, form, fields, Some(&f)).await?;
            Ok((f.status(), Html(html)).into_response())
        }
        Err(f) => Err(f),
    }
}

pub async fn update_fields_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(document): Path<i64>,
    Form(form): Form<FieldsForm>,
) -> Result<Response, AppError> {
    let result = async {
        require(&user, OFFICE)?;
        Ok(state
            .store
            .update_decomposition(DocumentId(document), form.to_fields()?)
            .await?)
    }
    .await;
    editor_after(&state, &user, document, None, Some(&form), result).await
}

pub async fn add_task_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(document): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let task = TaskForm::from_pairs(&pairs);
    let result = async {
        require(&user, OFFICE)?;
        let input = task.to_input(None)?;
        state
            .store
            .add_decomposition_tasks(DocumentId(document), &[input])
            .await?;
        Ok(())
    }
    .await;
    let form = EditorForm::new(None, task);
    editor_after(&state, &user, document, Some(form), None, result).await
}

pub async fn update_task_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let task = TaskForm::from_pairs(&pairs);
    let result = async {
        require(&user, OFFICE)?;
        let input = task.to_input(Some(number))?;
        Ok(state
            .store
            .update_decomposition_task(DocumentId(document), number, &input)
            .await?)
    }
    .await;
    let form = EditorForm::new(Some(number), task);
    editor_after(&state, &user, document, Some(form), None, result).await
}

pub async fn remove_task_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
) -> Result<Response, AppError> {
    let result = async {
        require(&user, OFFICE)?;
        Ok(state
            .store
            .remove_decomposition_task(DocumentId(document), number)
            .await?)
    }
    .await;
    editor_after(&state, &user, document, None, None, result).await
}

pub async fn move_task_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
    Form(form): Form<MoveForm>,
) -> Result<Response, AppError> {
    let result = async {
        require(&user, OFFICE)?;
        Ok(state
            .store
            .move_decomposition_task(DocumentId(document), number, form.to_number()?)
            .await?)
    }
    .await;
    editor_after(&state, &user, document, None, None, result).await
}

pub async fn issue_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(document): Path<i64>,
    Form(form): Form<IssueForm>,
) -> Result<Response, AppError> {
    let result = async {
        require(&user, OFFICE)?;
        Ok(state
            .store
            .issue_decomposition(DocumentId(document), &form.to_input()?, user.id)
            .await?)
    }
    .await;
    editor_after(&state, &user, document, None, None, result).await
}

pub async fn delete_draft_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(document): Path<i64>,
) -> Result<Response, AppError> {
    require(&user, OFFICE)?;
    let d = load(&state, &user, document).await?;
    state
        .store
        .delete_decomposition(DocumentId(document))
        .await?;
    Ok(Redirect::to(&match d.source {
        Some(s) => format!("/sources/{}", s.id),
        None => "/sources".to_string(),
    })
    .into_response())
}

/// The notice rendered as `format` (`docx`, `pdf`, `xlsx`, `html`), as a download.
async fn rendered(
    state: &AppState,
    user: &User,
    document: i64,
    format: &str,
) -> Result<Response, AppError> {
    require(user, READERS)?;
    let format = OutputFormat::from_name(format).ok_or(AppError::NotFound(
        "该文件格式（可用 docx、pdf、xlsx、html）",
    ))?;
    let id = DocumentId(document);
    let notice = match state.store.load_notice(id).await {
        Err(StoreError::NotFound(_)) => return Err(document_not_found()),
        other => other?,
    };
    crate::public::notice_file(notice, format).await
}

pub async fn file_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, format)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    rendered(&state, &user, document, &format).await
}

// ---------------------------------------------------------------------------------
// API

pub async fn api_sources(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<SourceQuery>,
) -> Result<Json<Vec<SourceSummary>>, ApiError> {
    require(&user, READERS)?;
    Ok(Json(state.store.sources(kind_filter(&query)?).await?))
}

pub async fn api_create_source(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    body: Bytes,
) -> Result<(StatusCode, Json<SourceDetail>), ApiError> {
    require(&user, OFFICE)?;
    let form: SourceForm = json_body(&body)?;
    let id = do_create_source(&state, &user, &form).await?;
    Ok((StatusCode::CREATED, Json(state.store.source(id).await?)))
}

pub async fn api_source(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<SourceDetail>, ApiError> {
    require(&user, READERS)?;
    Ok(Json(state.store.source(SourceId(id)).await?))
}

pub async fn api_update_source(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<SourceDetail>, ApiError> {
    require(&user, OFFICE)?;
    let form: SourceForm = json_body(&body)?;
    do_update_source(&state, &user, id, &form).await?;
    Ok(Json(state.store.source(SourceId(id)).await?))
}

pub async fn api_create_draft(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<(StatusCode, Json<Decomposition>), ApiError> {
    require(&user, OFFICE)?;
    let form: NewDraftFormJson = json_body(&body)?;
    let doc = do_create_draft(&state, &user, id, &form.issuer).await?;
    Ok((
        StatusCode::CREATED,
        Json(state.store.decomposition(doc).await?),
    ))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct NewDraftFormJson {
    issuer: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct DocumentSourceJson {
    /// The source's id; `null` unlinks.
    source: Option<i64>,
}

pub async fn api_set_document_source(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(document): Path<i64>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    require(&user, OFFICE)?;
    let form: DocumentSourceJson = json_body(&body)?;
    match state
        .store
        .set_document_source(DocumentId(document), form.source.map(SourceId))
        .await
    {
        Err(DecomposeError::DocumentNotFound(_)) => return Err(document_not_found().into()),
        other => other?,
    }
    Ok(Json(json!({ "document": document, "source": form.source })))
}

pub async fn api_decomposition(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(document): Path<i64>,
) -> Result<Json<Decomposition>, ApiError> {
    Ok(Json(load(&state, &user, document).await?))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct FieldsJson {
    issuer: String,
    title: String,
    recipients: Vec<String>,
    body: Vec<String>,
    disclosure: String,
}

pub async fn api_update_fields(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(document): Path<i64>,
    body: Bytes,
) -> Result<Json<Decomposition>, ApiError> {
    require(&user, OFFICE)?;
    let json: FieldsJson = json_body(&body)?;
    let form = FieldsForm {
        issuer: json.issuer,
        title: json.title,
        recipients: json.recipients.join("，"),
        body: json.body.join("\n"),
        disclosure: json.disclosure,
    };
    state
        .store
        .update_decomposition(DocumentId(document), form.to_fields()?)
        .await?;
    Ok(Json(state.store.decomposition(DocumentId(document)).await?))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct TasksJson {
    tasks: Vec<TaskForm>,
}

pub async fn api_add_tasks(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(document): Path<i64>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    require(&user, OFFICE)?;
    let json: TasksJson = json_body(&body)?;
    let many = json.tasks.len() > 1;
    let inputs = json
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            t.to_input(None).map_err(|e| match e {
                e if many => DecompositionError::InBatch {
                    index: i + 1,
                    error: Box::new(e),
                },
                e => e,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let numbers = state
        .store
        .add_decomposition_tasks(DocumentId(document), &inputs)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "numbers": numbers }))))
}

pub async fn api_update_task(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
    body: Bytes,
) -> Result<Json<Decomposition>, ApiError> {
    require(&user, OFFICE)?;
    let form: TaskForm = json_body(&body)?;
    let input = form.to_input(Some(number))?;
    state
        .store
        .update_decomposition_task(DocumentId(document), number, &input)
        .await?;
    Ok(Json(state.store.decomposition(DocumentId(document)).await?))
}

pub async fn api_remove_task(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
) -> Result<StatusCode, ApiError> {
    require(&user, OFFICE)?;
    state
        .store
        .remove_decomposition_task(DocumentId(document), number)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct MoveJson {
    to: Option<u32>,
}

pub async fn api_move_task(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
    body: Bytes,
) -> Result<Json<Decomposition>, ApiError> {
    require(&user, OFFICE)?;
    let json: MoveJson = json_body(&body)?;
    let to = json
        .to
        .ok_or_else(|| DecompositionError::invalid("to", "请填写新的序号（正整数）"))?;
    state
        .store
        .move_decomposition_task(DocumentId(document), number, to)
        .await?;
    Ok(Json(state.store.decomposition(DocumentId(document)).await?))
}

pub async fn api_issue(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(document): Path<i64>,
    body: Bytes,
) -> Result<Json<Decomposition>, ApiError> {
    require(&user, OFFICE)?;
    let form: IssueForm = json_body(&body)?;
    state
        .store
        .issue_decomposition(DocumentId(document), &form.to_input()?, user.id)
        .await?;
    Ok(Json(state.store.decomposition(DocumentId(document)).await?))
}

pub async fn api_delete_draft(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(document): Path<i64>,
) -> Result<StatusCode, ApiError> {
    require(&user, OFFICE)?;
    state
        .store
        .delete_decomposition(DocumentId(document))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn api_file(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, format)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    Ok(rendered(&state, &user, document, &format).await?)
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
