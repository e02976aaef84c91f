//! Evidence files as JSON, and as downloads for API clients.

use axum::Json;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use duban_store::AttachmentInfo;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;

pub async fn upload(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<AttachmentInfo>), ApiError> {
    let info = super::upload(
        &state,
        &user,
        id,
        super::content_length(&headers),
        multipart,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(info)))
}

pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<AttachmentInfo>>, ApiError> {
    Ok(Json(super::list(&state, &user, id).await?))
}

pub async fn download(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (info, data) = super::fetch(&state, &user, id).await?;
    Ok(super::download(&info, data))
}

pub async fn remove(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    super::remove(&state, &user, id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}
