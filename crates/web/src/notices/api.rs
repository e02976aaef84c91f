//! A round's notice as JSON.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, AppError};

use super::{IssueForm, Issued, NoticeView, WordingForm};

#[derive(Debug, Default, Deserialize)]
pub struct Variant {
    /// The public variant (paragraphs marked internal left out).
    #[serde(default)]
    pub public: Option<String>,
}

impl Variant {
    pub fn public(&self) -> bool {
        matches!(self.public.as_deref(), Some("1" | "true" | "yes"))
    }
}

fn json_body<T: serde::de::DeserializeOwned + Default>(body: &Bytes) -> Result<T, AppError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body)
        .map_err(|e| AppError::BadRequest(format!("请求内容不是有效的 JSON：{e}")))
}

pub async fn notice(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Query(variant): Query<Variant>,
) -> Result<Json<NoticeView>, ApiError> {
    let prepared = super::view(&state, &user, id).await?;
    let mut view = prepared.view();
    if variant.public() && prepared.issued_notice.is_none() {
        view.notice = prepared.json(true);
    }
    Ok(Json(view))
}

pub async fn save_wording(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<NoticeView>, ApiError> {
    let form: WordingForm = json_body(&body)?;
    Ok(Json(
        super::save_wording(&state, &user, id, form).await?.view(),
    ))
}

pub async fn issue(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<(StatusCode, Json<Issued>), ApiError> {
    let form: IssueForm = json_body(&body)?;
    Ok((
        StatusCode::CREATED,
        Json(super::issue(&state, &user, id, form).await?),
    ))
}

pub async fn file(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, format)): Path<(i64, String)>,
    Query(variant): Query<Variant>,
) -> Result<Response, ApiError> {
    Ok(super::file(&state, &user, id, &format, variant.public()).await?)
}
