//! The JSON API: everything the pages do, for other systems and scripts. Described by
//! `openapi.json` (served at `/api/openapi.json`); a test keeps the two in step.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::Cookie;
use duban_store::{DocumentSummary, User};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{self, CurrentUser, READERS, SESSION_COOKIE, require};
use crate::error::ApiError;
use crate::pages::LoginForm;
use crate::views::{self, TaskDetail, TaskFilter};

pub const OPENAPI: &str = include_str!("../openapi.json");

pub async fn openapi() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
}

pub async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    client: auth::Client,
    Json(form): Json<LoginForm>,
) -> Result<impl IntoResponse, ApiError> {
    let (user, token) = auth::login(&state, &form.username, &form.password, &client).await?;
    let jar = jar.add(auth::session_cookie(
        token,
        client.secure_cookies(&state.settings),
    ));
    Ok((jar, Json(user)))
}

pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<impl IntoResponse, ApiError> {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        auth::end_session(&state, cookie.value()).await?;
    }
    Ok((
        jar.remove(Cookie::build(SESSION_COOKIE).path("/")),
        StatusCode::NO_CONTENT,
    ))
}

pub async fn me(CurrentUser(user): CurrentUser) -> Json<User> {
    Json(user)
}

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
    let list = views::task_list(&state, &user, filter).await?;
    let body = state.task_json.serialised(&list)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

pub async fn task(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
) -> Result<Json<TaskDetail>, ApiError> {
    Ok(Json(
        views::task_detail(&state, &user, document, number).await?,
    ))
}

pub async fn assign(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(document): Path<i64>,
    Json(form): Json<views::AssignForm>,
) -> Result<Json<Value>, ApiError> {
    let created = views::assign_document(&state, &user, document, form).await?;
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
    Ok(Json(views::list_assignments(&state, &user, filter).await?))
}

pub async fn acknowledge(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
) -> Result<Json<duban_store::Assignment>, ApiError> {
    Ok(Json(
        views::acknowledge(&state, &user, document, number).await?,
    ))
}

pub async fn task_action(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
    Json(form): Json<views::TaskActionForm>,
) -> Result<Json<Value>, ApiError> {
    let new_state = views::act_on_task(&state, &user, document, number, form).await?;
    Ok(Json(
        json!({ "document": document, "number": number, "state": new_state }),
    ))
}
