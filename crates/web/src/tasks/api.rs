//! Documents and tasks as JSON.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use duban_store::DocumentSummary;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{CurrentUser, READERS, require};
use crate::error::ApiError;

use super::TaskDetail;
use super::list::{TaskFilter, task_list};

pub async fn documents(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Vec<DocumentSummary>>, ApiError> {
    require(&user, READERS)?;
    Ok(Json(state.store.list_documents().await?))
}

pub async fn tasks(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(filter): Query<TaskFilter>,
) -> Result<Response, ApiError> {
    let list = task_list(&state, &user, filter).await?;
    let body = state.task_json.serialised(&list)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

pub async fn task(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
) -> Result<Json<TaskDetail>, ApiError> {
    Ok(Json(
        super::task_detail(&state, &user, document, number).await?,
    ))
}

pub async fn assign(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(document): Path<i64>,
    Json(form): Json<super::AssignForm>,
) -> Result<Json<Value>, ApiError> {
    let created = super::assign_document(&state, &user, document, form).await?;
    Ok(Json(json!({ "document": document, "created": created })))
}

#[derive(Debug, Default, Deserialize)]
pub struct AssignmentQuery {
    pub document: Option<i64>,
    pub unit: Option<String>,
    #[serde(default)]
    pub pending: bool,
}

pub async fn assignments(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<AssignmentQuery>,
) -> Result<Json<Vec<duban_store::Assignment>>, ApiError> {
    let filter = duban_store::AssignmentFilter {
        document: q.document.map(duban_store::DocumentId),
        unit: q.unit.filter(|u| !u.is_empty()),
        pending_only: q.pending,
    };
    Ok(Json(super::list_assignments(&state, &user, filter).await?))
}

pub async fn acknowledge_all(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Vec<duban_store::Assignment>>, ApiError> {
    Ok(Json(super::acknowledge_all(&state, &user).await?))
}

pub async fn acknowledge(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
) -> Result<Json<duban_store::Assignment>, ApiError> {
    Ok(Json(
        super::acknowledge(&state, &user, document, number).await?,
    ))
}

pub async fn task_action(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
    Json(form): Json<super::TaskActionForm>,
) -> Result<Json<Value>, ApiError> {
    let new_state = super::act_on_task(&state, &user, document, number, form).await?;
    Ok(Json(
        json!({ "document": document, "number": number, "state": new_state }),
    ))
}
