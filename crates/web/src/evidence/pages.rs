//! Uploading and removing files from the report page, and downloading them.

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use duban_store::{AttachmentInfo, User};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::reports::report_page;

/// A refused upload or removal shows the report page again with the reason.
async fn back_to_report(
    state: &AppState,
    user: User,
    report: i64,
    result: Result<AttachmentInfo, AppError>,
) -> Result<Response, AppError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{report}#attachments")).into_response()),
        Err(e) if e.is_refusal() => {
            let status = e.status();
            let page = report_page(state, user, report, Some(e.to_string()), None).await?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn upload(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let result = super::upload(
        &state,
        &user,
        id,
        super::content_length(&headers),
        multipart,
    )
    .await;
    back_to_report(&state, user, id, result).await
}

pub async fn remove(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((report, id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let result = super::remove(&state, &user, id, Some(report)).await;
    back_to_report(&state, user, report, result).await
}

pub async fn download(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (info, data) = super::fetch(&state, &user, id).await?;
    Ok(super::download(&info, data))
}
