//! Rounds as JSON.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use duban_store::{RoundId, RoundSummary};

use crate::AppState;
use crate::auth::{CurrentUser, READERS, require};
use crate::error::{ApiError, AppError};

use super::{OpenRound, RoundDetail, RoundFilter};

pub async fn rounds(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Vec<RoundSummary>>, ApiError> {
    require(&user, READERS)?;
    Ok(Json(state.store.rounds(None).await?))
}

pub async fn open_round(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Json(form): Json<OpenRound>,
) -> Result<impl IntoResponse, ApiError> {
    let id = super::open_round(&state, &user, form).await?;
    let round = state
        .store
        .round(id)
        .await?
        .ok_or(AppError::NotFound("该填报轮次"))?;
    Ok((StatusCode::CREATED, Json(round)))
}

pub async fn round(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Query(filter): Query<RoundFilter>,
) -> Result<Json<RoundDetail>, ApiError> {
    Ok(Json(super::round_detail(&state, &user, id, &filter).await?))
}

pub async fn close_round(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<RoundSummary>, ApiError> {
    super::close_round(&state, &user, id).await?;
    Ok(Json(
        state
            .store
            .round(RoundId(id))
            .await?
            .ok_or(AppError::NotFound("该填报轮次"))?,
    ))
}
