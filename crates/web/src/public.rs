//! 政务公开: the notices anyone may read without an account, as a list, a page, a file
//! download and JSON. Every way in goes through [`published_notice`], which serves a
//! notice only when [`duban_domain::is_public`] says so (issued or imported, 主动公开);
//! any other id, a draft's included, is the same 404 as an id that does not exist.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use duban_domain::Notice;
use duban_formats::interchange::{NoticeJson, to_json};
use duban_render::{OutputFormat, RenderOptions};
use duban_store::{DocumentId, DocumentSummary};
use minijinja::context;

use crate::AppState;
use crate::auth::MaybeUser;
use crate::error::{ApiError, AppError};
use crate::templates::{render, v};

const NOT_PUBLIC: AppError = AppError::NotFound("该公开通报");

/// The notices that may be served publicly, by id.
pub async fn published_documents(state: &AppState) -> Result<Vec<DocumentSummary>, AppError> {
    let mut documents = state.store.list_documents().await?;
    // `list_documents` leaves drafts out; the rule is asked all the same.
    documents.retain(|d| duban_domain::is_public(d.disclosure, false));
    Ok(documents)
}

/// The notice with this id, if the public may read it; 404 otherwise.
pub async fn published_notice(state: &AppState, id: i64) -> Result<Notice, AppError> {
    state
        .store
        .published_notice(DocumentId(id))
        .await?
        .ok_or(NOT_PUBLIC)
}

/// The public list page.
pub async fn list_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
) -> Result<Html<String>, AppError> {
    let documents = published_documents(&state).await?;
    render(
        &state,
        "public_list.html",
        context! { user => v(user), documents => v(documents) },
    )
}

/// A public notice as a page, with links to its files.
pub async fn notice_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    let notice = published_notice(&state, id).await?;
    let date_text = notice.document.date.map(|d| {
        use chrono::Datelike;
        format!("{}年{}月{}日", d.year(), d.month(), d.day())
    });
    let json = to_json(&notice);
    let files: Vec<_> = DOWNLOADS
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

/// The formats a public notice can be downloaded in.
const DOWNLOADS: [OutputFormat; 3] = [OutputFormat::Pdf, OutputFormat::Docx, OutputFormat::Xlsx];

/// A public notice as a file (`pdf`, `docx`, `xlsx`).
pub async fn file(
    State(state): State<AppState>,
    Path((id, format)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let notice = published_notice(&state, id).await?;
    let format = OutputFormat::from_name(&format)
        .filter(|f| DOWNLOADS.contains(f))
        .ok_or(AppError::NotFound("该文件格式（可用 pdf、docx、xlsx）"))?;
    notice_file(notice, format).await
}

/// The public notices as JSON.
pub async fn api_list(
    State(state): State<AppState>,
) -> Result<Json<Vec<DocumentSummary>>, ApiError> {
    Ok(Json(published_documents(&state).await?))
}

/// A public notice in the JSON interchange format (docs/interchange).
pub async fn api_notice(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<NoticeJson>, ApiError> {
    Ok(Json(to_json(&published_notice(&state, id).await?)))
}

/// A notice rendered to `format`, as a download named after its 文号 (or title).
pub async fn notice_file(notice: Notice, format: OutputFormat) -> Result<Response, AppError> {
    let name = notice
        .document
        .doc_number
        .as_ref()
        .map(ToString::to_string)
        .or_else(|| notice.document.title.clone())
        .unwrap_or_else(|| "通报".to_string());
    let bytes = tokio::task::spawn_blocking(move || {
        duban_render::render(&notice, format, &RenderOptions::default())
    })
    .await
    .map_err(|e| AppError::BadRequest(format!("生成文件失败：{e}")))?
    .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let filename = format!("{name}.{}", format.name());
    Ok((
        [
            (header::CONTENT_TYPE, format.mime_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                crate::evidence::content_disposition(&filename, duban_store::AttachmentId(0)),
            ),
        ],
        bytes,
    )
        .into_response())
}
