//! Sources and decomposition (立项/分解): where tasks come from, and the
//! responsibility-decomposition notice drafted from a source, edited task by task and
//! issued (印发) with its 文号.
//!
//! The office (admin, supervisor) writes; leaders read everything; unit accounts reach
//! none of it (403), and without a session pages go to the login page and the API
//! answers 401. Pages (`pages` for sources, `editor` for a decomposition) and the API
//! share the form reading in `forms` and the actions below, so they cannot disagree;
//! the rules themselves are `duban_domain::decomposition`'s.

mod api;
mod editor;
mod forms;
mod pages;

use axum::Router;
use axum::response::Response;
use axum::routing::{get, post};
use duban_domain::DecompositionError;
use duban_render::OutputFormat;
use duban_store::{DecomposeError, Decomposition, DocumentId, SourceId, StoreError, User};

use crate::AppState;
use crate::auth::{OFFICE, READERS, require};
use crate::error::AppError;

use forms::SourceForm;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/sources",
            get(pages::sources_page).post(pages::create_source_page),
        )
        .route(
            "/sources/{id}",
            get(pages::source_page).post(pages::update_source_page),
        )
        .route(
            "/sources/{id}/decompositions",
            post(pages::create_draft_page),
        )
        .route("/sources/{id}/documents", post(pages::link_document_page))
        .route(
            "/decompositions/{document}",
            get(editor::editor_page).post(editor::update_fields_page),
        )
        .route(
            "/decompositions/{document}/tasks",
            post(editor::add_task_page),
        )
        .route(
            "/decompositions/{document}/tasks/{number}",
            post(editor::update_task_page),
        )
        .route(
            "/decompositions/{document}/tasks/{number}/delete",
            post(editor::remove_task_page),
        )
        .route(
            "/decompositions/{document}/tasks/{number}/move",
            post(editor::move_task_page),
        )
        .route("/decompositions/{document}/issue", post(editor::issue_page))
        .route(
            "/decompositions/{document}/delete",
            post(editor::delete_draft_page),
        )
        .route(
            "/decompositions/{document}/file/{format}",
            get(editor::file_page),
        )
        // Any stored notice (imported or issued) as a file, linked from the task list
        // and the round page.
        .route(
            "/documents/{document}/file/{format}",
            get(editor::file_page),
        )
}

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/sources", get(api::sources).post(api::create_source))
        .route("/sources/{id}", get(api::source).post(api::update_source))
        .route("/sources/{id}/decompositions", post(api::create_draft))
        .route(
            "/documents/{document}/source",
            post(api::set_document_source),
        )
        .route(
            "/decompositions/{document}",
            get(api::decomposition)
                .post(api::update_fields)
                .delete(api::delete_draft),
        )
        .route("/decompositions/{document}/tasks", post(api::add_tasks))
        .route(
            "/decompositions/{document}/tasks/{number}",
            post(api::update_task).delete(api::remove_task),
        )
        .route(
            "/decompositions/{document}/tasks/{number}/move",
            post(api::move_task),
        )
        .route("/decompositions/{document}/issue", post(api::issue))
        .route("/decompositions/{document}/file/{format}", get(api::file))
}

pub(super) fn document_not_found() -> AppError {
    AppError::NotFound("该文件")
}

pub(super) async fn do_create_source(
    state: &AppState,
    user: &User,
    form: &SourceForm,
) -> Result<SourceId, AppError> {
    require(user, OFFICE)?;
    Ok(state
        .store
        .create_source(form.to_source()?, user.id)
        .await?)
}

pub(super) async fn do_update_source(
    state: &AppState,
    user: &User,
    id: i64,
    form: &SourceForm,
) -> Result<(), AppError> {
    require(user, OFFICE)?;
    Ok(state
        .store
        .update_source(SourceId(id), form.to_source()?)
        .await?)
}

pub(super) async fn do_create_draft(
    state: &AppState,
    user: &User,
    id: i64,
    issuer: &str,
) -> Result<DocumentId, AppError> {
    require(user, OFFICE)?;
    // Blank: the office's name as its latest stored notice gives it.
    let issuer = if issuer.trim().is_empty() {
        default_issuer(state).await?
    } else {
        issuer.trim().to_string()
    };
    Ok(state
        .store
        .create_decomposition(SourceId(id), &issuer)
        .await?)
}

/// The issuer of the latest stored notice that names one, or empty.
pub(super) async fn default_issuer(state: &AppState) -> Result<String, AppError> {
    for doc in state.store.list_documents().await?.iter().rev() {
        let notice = state.store.load_notice(doc.id).await?;
        if let Some(issuer) = notice.document.issuer.filter(|i| !i.trim().is_empty()) {
            return Ok(issuer);
        }
    }
    Ok(String::new())
}

pub(super) async fn find_document(state: &AppState, key: &str) -> Result<DocumentId, AppError> {
    let found = state.store.find_document(key).await?;
    Ok(found.ok_or_else(|| {
        DecompositionError::invalid(
            "document",
            format!("找不到文件“{}”：请填写文件编号或文号", key.trim()),
        )
    })?)
}

pub(super) async fn load(
    state: &AppState,
    user: &User,
    document: i64,
) -> Result<Decomposition, AppError> {
    require(user, READERS)?;
    match state.store.decomposition(DocumentId(document)).await {
        Err(DecomposeError::DocumentNotFound(_)) => Err(document_not_found()),
        other => Ok(other?),
    }
}

/// The notice rendered as `format` (`docx`, `pdf`, `xlsx`, `html`), as a download.
pub(super) async fn rendered(
    state: &AppState,
    user: &User,
    document: i64,
    format: &str,
) -> Result<Response, AppError> {
    require(user, READERS)?;
    let format = OutputFormat::from_name(format).ok_or(AppError::NotFound(
        "该文件格式（可用 docx、pdf、xlsx、html）",
    ))?;
    let id = DocumentId(document);
    let notice = match state.store.load_notice(id).await {
        Err(StoreError::NotFound(_)) => return Err(document_not_found()),
        other => other?,
    };
    crate::download::notice_file(notice, format).await
}
