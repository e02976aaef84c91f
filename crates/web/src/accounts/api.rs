//! The administrators' pages as JSON: the twins of `pages`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use duban_store::{Account, User};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;

use super::{NewAccountForm, ResetForm, RoleForm, SecurityView};

pub async fn accounts(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Vec<Account>>, ApiError> {
    Ok(Json(super::accounts(&state, &user).await?))
}

pub async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Json(form): Json<NewAccountForm>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(super::create(&state, &user, &form).await?),
    ))
}

pub async fn reset(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Json(form): Json<ResetForm>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(super::reset(&state, &user, id, &form).await?))
}

pub async fn security(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<SecurityView>, ApiError> {
    Ok(Json(super::security(&state, &user).await?))
}

pub async fn role(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Json(form): Json<RoleForm>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(super::set_role(&state, &user, id, &form).await?))
}

pub async fn unlock(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let cleared = super::unlock(&state, &user, id).await?;
    Ok(Json(serde_json::json!({ "cleared": cleared })))
}

pub async fn totp_remove(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(super::totp_remove(&state, &user, id).await?))
}
