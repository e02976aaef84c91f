//! Notifications and reminders as JSON.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use duban_store::ReminderView;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;

use super::{Inbox, RemindRequest, ReminderQuery};

pub async fn notifications(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Inbox>, ApiError> {
    Ok(Json(super::inbox(&state, &user).await?))
}

pub async fn read(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let changed = super::mark_read(&state, &user, Some(id)).await?;
    Ok(Json(json!({ "read": changed })))
}

pub async fn read_all(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Value>, ApiError> {
    let changed = super::mark_read(&state, &user, None).await?;
    Ok(Json(json!({ "read": changed })))
}

#[derive(Debug, Deserialize)]
pub struct EmailBody {
    /// Empty or absent clears the address.
    #[serde(default)]
    pub email: Option<String>,
}

pub async fn email(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Json(body): Json<EmailBody>,
) -> Result<Json<Value>, ApiError> {
    let email = super::set_email(&state, &user, body.email.as_deref().unwrap_or_default()).await?;
    Ok(Json(json!({ "email": email })))
}

pub async fn reminders(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<ReminderQuery>,
) -> Result<Json<Vec<ReminderView>>, ApiError> {
    Ok(Json(super::list(&state, &user, &query).await?))
}

/// Sends manual reminders; answers those made, with their deliveries.
pub async fn remind(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Json(request): Json<RemindRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let made = super::remind(&state, &user, &request).await?;
    let query = ReminderQuery {
        round: request.round,
        document: request.document,
    };
    let views: Vec<ReminderView> = super::list(&state, &user, &query)
        .await?
        .into_iter()
        .filter(|r| made.contains(&r.id))
        .collect();
    Ok((StatusCode::CREATED, Json(views)))
}

pub async fn retry(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    super::retry(&state, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
