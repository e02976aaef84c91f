//! The sources pages: the list with its registration form, and a source with its
//! documents (drafting a decomposition, linking an imported notice).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use duban_domain::SourceKind;
use duban_store::{DecomposeError, SourceId, User};
use minijinja::context;

use crate::AppState;
use crate::auth::{CurrentUser, OFFICE, READERS, require};
use crate::error::AppError;
use crate::templates::{choice, render, v};

use super::forms::{LinkForm, NewDraftForm, SourceForm, SourceQuery, kind_filter};
use super::{default_issuer, do_create_draft, do_create_source, do_update_source, find_document};

fn kinds() -> Vec<minijinja::Value> {
    SourceKind::ALL
        .iter()
        .map(|k| choice(k.code(), k.label()))
        .collect()
}

async fn sources_html(
    state: &AppState,
    user: &User,
    kind: Option<SourceKind>,
    form: &SourceForm,
    failure: Option<&AppError>,
) -> Result<Html<String>, AppError> {
    let sources = state.store.sources(kind).await?;
    render(
        state,
        "sources.html",
        context! {
            user => v(user),
            can_edit => user.role.is_office(),
            sources => v(sources),
            kinds => kinds(),
            kind => kind.map(SourceKind::code),
            form => v(form),
            error => failure.map(ToString::to_string),
            error_field => failure.and_then(AppError::field),
        },
    )
}

pub async fn sources_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<SourceQuery>,
) -> Result<Html<String>, AppError> {
    require(&user, READERS)?;
    let kind = kind_filter(&query)?;
    let form = SourceForm {
        kind: SourceKind::Speech.code().into(),
        ..SourceForm::default()
    };
    sources_html(&state, &user, kind, &form, None).await
}

pub async fn create_source_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<SourceForm>,
) -> Result<Response, AppError> {
    match do_create_source(&state, &user, &form).await {
        Ok(id) => Ok(Redirect::to(&format!("/sources/{id}")).into_response()),
        Err(f) if f.is_refusal() => {
            let html = sources_html(&state, &user, None, &form, Some(&f)).await?;
            Ok((f.status(), html).into_response())
        }
        Err(f) => Err(f),
    }
}

async fn source_html(
    state: &AppState,
    user: &User,
    id: i64,
    form: Option<&SourceForm>,
    failure: Option<&AppError>,
) -> Result<Html<String>, AppError> {
    require(user, READERS)?;
    let detail = match state.store.source(SourceId(id)).await {
        Err(DecomposeError::SourceNotFound(_)) => {
            return Err(AppError::NotFound("该任务来源"));
        }
        other => other?,
    };
    let form = form
        .cloned()
        .unwrap_or_else(|| SourceForm::from_detail(&detail));
    let issuer = if user.role.is_office() {
        default_issuer(state).await?
    } else {
        String::new()
    };
    render(
        state,
        "source.html",
        context! {
            user => v(user),
            can_edit => user.role.is_office(),
            s => v(&detail.summary),
            source => v(&detail.source),
            documents => v(&detail.documents),
            kinds => kinds(),
            form => v(form),
            issuer => issuer,
            error => failure.map(ToString::to_string),
            error_field => failure.and_then(AppError::field),
        },
    )
}

pub async fn source_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    source_html(&state, &user, id, None, None).await
}

/// Answers a refused page form by showing the page again with the message.
async fn source_page_after(
    state: &AppState,
    user: &User,
    id: i64,
    form: Option<&SourceForm>,
    result: Result<String, AppError>,
) -> Result<Response, AppError> {
    match result {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(f) if f.is_refusal() && f.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let html = source_html(state, user, id, form, Some(&f)).await?;
            Ok((f.status(), html).into_response())
        }
        Err(f) => Err(f),
    }
}

pub async fn update_source_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<SourceForm>,
) -> Result<Response, AppError> {
    let result = do_update_source(&state, &user, id, &form)
        .await
        .map(|()| format!("/sources/{id}"));
    source_page_after(&state, &user, id, Some(&form), result).await
}

pub async fn create_draft_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<NewDraftForm>,
) -> Result<Response, AppError> {
    let result = do_create_draft(&state, &user, id, &form.issuer)
        .await
        .map(|doc| format!("/decompositions/{doc}"));
    source_page_after(&state, &user, id, None, result).await
}

pub async fn link_document_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<LinkForm>,
) -> Result<Response, AppError> {
    let result = async {
        require(&user, OFFICE)?;
        let doc = find_document(&state, &form.document).await?;
        state
            .store
            .set_document_source(doc, Some(SourceId(id)))
            .await?;
        Ok(format!("/sources/{id}"))
    }
    .await;
    source_page_after(&state, &user, id, None, result).await
}
