//! Sources and decompositions as JSON. Bodies are read by hand (`forms::json_body`), so
//! a malformed one is answered in Chinese with the field `body`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use duban_domain::DecompositionError;
use duban_store::{
    DecomposeError, Decomposition, DocumentId, SourceDetail, SourceId, SourceSummary,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{CurrentUser, OFFICE, READERS, require};
use crate::error::{ApiError, AppError};

use super::forms::{
    FieldsForm, IssueForm, SourceForm, SourceQuery, TaskForm, json_body, kind_filter,
};
use super::{
    do_create_draft, do_create_source, do_update_source, document_not_found, load, rendered,
};

pub async fn sources(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<SourceQuery>,
) -> Result<Json<Vec<SourceSummary>>, ApiError> {
    require(&user, READERS)?;
    Ok(Json(state.store.sources(kind_filter(&query)?).await?))
}

pub async fn create_source(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    body: Bytes,
) -> Result<(StatusCode, Json<SourceDetail>), ApiError> {
    require(&user, OFFICE)?;
    let form: SourceForm = json_body(&body)?;
    let id = do_create_source(&state, &user, &form).await?;
    Ok((StatusCode::CREATED, Json(state.store.source(id).await?)))
}

pub async fn source(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<SourceDetail>, ApiError> {
    require(&user, READERS)?;
    Ok(Json(state.store.source(SourceId(id)).await?))
}

pub async fn update_source(
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

pub async fn create_draft(
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

pub async fn set_document_source(
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

pub async fn decomposition(
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
    attachment: Option<String>,
}

pub async fn update_fields(
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
        attachment: json.attachment,
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

pub async fn add_tasks(
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

/// Rewrites a draft's task. `If-Match` (the task's `version` as read, quoted or not)
/// or `version` in the body makes it conditional: if the task changed since, the answer
/// is 409 with the task as saved now (`saved_task`, `saved_version`).
pub async fn update_task(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Decomposition>, ApiError> {
    require(&user, OFFICE)?;
    let mut form: TaskForm = json_body(&body)?;
    if let Some(tag) = headers.get(header::IF_MATCH) {
        let tag = tag.to_str().map_err(|_| {
            AppError::BadRequest("If-Match 请求头无效，应为读取任务时得到的版本号".into())
        })?;
        form.version = Some(Value::String(tag.to_string()));
    }
    let seen = form.seen_version()?;
    let input = form.to_input(Some(number))?;
    state
        .store
        .update_decomposition_task_at_version(DocumentId(document), number, &input, seen)
        .await?;
    Ok(Json(state.store.decomposition(DocumentId(document)).await?))
}

pub async fn remove_task(
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

pub async fn move_task(
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

pub async fn issue(
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

pub async fn delete_draft(
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

pub async fn file(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, format)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    Ok(rendered(&state, &user, document, &format).await?)
}
