//! The lights and the rule editor as JSON.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use duban_domain::warning::WarningRules;
use serde::Serialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, AppError};

pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<super::pages::ListQuery>,
) -> Result<Json<super::Warnings>, ApiError> {
    Ok(Json(
        super::warnings(&state, &user, q.light.as_deref()).await?,
    ))
}

pub async fn rules(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<WarningRules>, ApiError> {
    Ok(Json(super::rules(&state, &user).await?))
}

fn parse(body: &Bytes) -> Result<WarningRules, AppError> {
    serde_json::from_slice(body)
        .map_err(|e| AppError::BadRequest(format!("请求内容不是有效的预警规则 JSON：{e}")))
}

pub async fn save(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    body: Bytes,
) -> Result<Json<WarningRules>, ApiError> {
    let rules = parse(&body)?;
    Ok(Json(super::save(&state, &user, rules).await?))
}

#[derive(Debug, Serialize)]
pub struct PreviewResponse {
    pub rules: WarningRules,
    #[serde(flatten)]
    pub preview: super::Preview,
}

pub async fn preview(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    body: Bytes,
) -> Result<Json<PreviewResponse>, ApiError> {
    let rules = parse(&body)?;
    let (rules, preview) = super::preview(&state, &user, rules).await?;
    Ok(Json(PreviewResponse { rules, preview }))
}
