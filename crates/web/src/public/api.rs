//! The public notices as JSON.

use axum::Json;
use axum::extract::{Path, State};
use duban_formats::interchange::{NoticeJson, to_json};
use duban_store::DocumentSummary;

use crate::AppState;
use crate::error::ApiError;

/// The public notices as JSON.
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<DocumentSummary>>, ApiError> {
    Ok(Json(super::published_documents(&state).await?))
}

/// A public notice in the JSON interchange format (docs/interchange).
pub async fn notice(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<NoticeJson>, ApiError> {
    Ok(Json(to_json(&super::published_notice(&state, id).await?)))
}
