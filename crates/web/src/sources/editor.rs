//! The decomposition editor: a draft's header, its tasks one by one (with sub-items,
//! units, leader, deadline and progress kind), issuing, and the notice as a file.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use duban_render::OutputFormat;
use duban_store::{DecomposeError, Decomposition, DocumentId, User};
use minijinja::context;
use serde::Serialize;
use serde_json::json;

use crate::AppState;
use crate::auth::{CurrentUser, OFFICE, require};
use crate::error::AppError;
use crate::templates::{render, v};

use super::forms::{EditorQuery, FieldsForm, IssueForm, MilestoneForm, MoveForm, TaskForm};
use super::{load, rendered};

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
) -> Result<Html<String>, AppError> {
    let units = state.store.units().await?;
    let can_edit = user.role.is_office() && d.status == duban_domain::DocumentStatus::Draft;
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
        attachment: doc.attachment.clone().or_else(|| doc.table_title.clone()),
    });
    let formats: Vec<_> = OutputFormat::ALL
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
            can_manage => user.role.is_office(),
            units => v(units.iter().map(|u| json!({"name": u.name, "kind": u.kind.label()})).collect::<Vec<_>>()),
            form => v(form),
            fields => v(fields),
            disclosures => vec!["主动公开", "依申请公开", "不予公开"],
            formats => v(formats),
            error => failure.map(ToString::to_string),
            error_field => failure.and_then(AppError::field),
            conflict => match failure {
                Some(AppError::Decompose(DecomposeError::EditConflict { saved, .. })) => Some(v(saved.as_ref())),
                _ => None,
            },
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
    editor_html(&state, &user, &d, form, None, None).await
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
            Ok((f.status(), html).into_response())
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
    let mut task = TaskForm::from_pairs(&pairs);
    let result = async {
        require(&user, OFFICE)?;
        let seen = task.seen_version()?;
        let input = task.to_input(Some(number))?;
        Ok(state
            .store
            .update_decomposition_task_at_version(DocumentId(document), number, &input, seen)
            .await?)
    }
    .await;
    // Refused as stale: what was typed stays, now against the saved version, so saving
    // again (after merging) replaces what is saved.
    if let Err(AppError::Decompose(DecomposeError::EditConflict { version, .. })) = &result {
        task.version = Some(serde_json::Value::from(*version));
    }
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
        if form.confirm.as_deref() != Some("yes") {
            return Err(duban_domain::DecompositionError::invalid(
                "confirm",
                "请勾选“确认印发”：印发后文号和成文日期即确定、任务不能再修改，主动公开的通知将在“公开文件”中发布",
            )
            .into());
        }
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

pub async fn file_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, format)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    rendered(&state, &user, document, &format).await
}
