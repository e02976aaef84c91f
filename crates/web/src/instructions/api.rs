//! 领导批示 as JSON.

use axum::Json;
use axum::extract::{Path, State};
use duban_domain::instruction::InstructionDraft;
use duban_store::InstructionRecord;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;

pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
) -> Result<Json<Vec<InstructionRecord>>, ApiError> {
    Ok(Json(super::of_task(&state, &user, document, number).await?))
}

pub async fn record(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
    Json(draft): Json<InstructionDraft>,
) -> Result<Json<InstructionRecord>, ApiError> {
    Ok(Json(
        super::record(&state, &user, document, number, &draft).await?,
    ))
}
