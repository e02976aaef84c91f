//! Escalation and the rankings as JSON.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use duban_store::EscalationStep;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;

pub async fn oversight(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<super::Oversight>, ApiError> {
    Ok(Json(super::oversight(&state, &user).await?))
}

pub async fn set_step(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Json(form): Json<super::StepForm>,
) -> Result<(StatusCode, Json<EscalationStep>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(super::set_step(&state, &user, &form).await?),
    ))
}

pub async fn set_ladder(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Json(form): Json<super::LadderForm>,
) -> Result<Json<super::LadderView>, ApiError> {
    Ok(Json(super::set_ladder(&state, &user, &form).await?))
}

pub async fn apply_rule(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Vec<EscalationStep>>, ApiError> {
    Ok(Json(super::apply_rule(&state, &user).await?))
}

pub async fn rankings(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<super::DashboardRankings>, ApiError> {
    Ok(Json(super::rankings(&state, &user).await?))
}
