//! 政务公开: the notices anyone may read without an account, as a list, a page, a file
//! download and JSON. Every way in goes through [`published_notice`], which serves a
//! notice only when [`duban_domain::is_public`] says so (issued or imported, 主动公开);
//! any other id, a draft's included, is the same 404 as an id that does not exist.

mod api;
mod pages;

use axum::Router;
use axum::routing::get;
use duban_domain::Notice;
use duban_render::OutputFormat;
use duban_store::{DocumentId, DocumentSummary};

use crate::AppState;
use crate::error::AppError;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/public", get(pages::list))
        .route("/public/{id}", get(pages::notice))
        .route("/public/{id}/file/{format}", get(pages::file))
}

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/public", get(api::list))
        .route("/public/{id}", get(api::notice))
}

const NOT_PUBLIC: AppError = AppError::NotFound("该公开文件");

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

/// The formats a public notice can be downloaded in.
const DOWNLOADS: [OutputFormat; 3] = [OutputFormat::Pdf, OutputFormat::Docx, OutputFormat::Xlsx];
