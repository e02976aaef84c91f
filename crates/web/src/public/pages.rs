//! The public list and notice pages, and the notice's files.

use axum::extract::{Path, State};
use axum::response::{Html, Response};
use duban_formats::interchange::to_json;
use duban_render::OutputFormat;
use minijinja::context;

use crate::AppState;
use crate::auth::MaybeUser;
use crate::error::AppError;
use crate::templates::{render, v};

/// The public list page.
pub async fn list(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
) -> Result<Html<String>, AppError> {
    let documents = super::published_documents(&state).await?;
    render(
        &state,
        "public_list.html",
        context! { user => v(user), documents => v(documents) },
    )
}

/// A public notice as a page, with links to its files.
pub async fn notice(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    let notice = super::published_notice(&state, id).await?;
    let date_text = notice.document.date.map(duban_domain::chinese_date_text);
    let json = to_json(&notice);
    let files: Vec<_> = super::DOWNLOADS
        .iter()
        .map(|f| serde_json::json!({ "name": f.name(), "label": f.name().to_uppercase() }))
        .collect();
    render(
        &state,
        "public_notice.html",
        context! {
            user => v(user), id => id, d => v(json.document), tasks => v(json.tasks),
            date_text => v(date_text), files => v(files),
        },
    )
}

/// A public notice as a file (`pdf`, `docx`, `xlsx`).
pub async fn file(
    State(state): State<AppState>,
    Path((id, format)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let notice = super::published_notice(&state, id).await?;
    let format = OutputFormat::from_name(&format)
        .filter(|f| super::DOWNLOADS.contains(f))
        .ok_or(AppError::NotFound("该文件格式（可用 pdf、docx、xlsx）"))?;
    crate::download::notice_file(notice, format).await
}
