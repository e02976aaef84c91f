//! The rounds pages.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Redirect, Response};
use duban_domain::ReportState;
use minijinja::context;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use crate::AppState;
use crate::auth::{CurrentUser, READERS, require};
use crate::error::AppError;
use crate::templates::{choice, render, v};

pub async fn rounds(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Html<String>, AppError> {
    require(&user, READERS)?;
    let rounds = state.store.rounds(None).await?;
    let documents = state.store.list_documents().await?;
    render(
        &state,
        "rounds.html",
        context! { can_open => v(user.role.is_office()), user => v(user), rounds => v(rounds), documents => v(documents) },
    )
}

pub async fn open_round(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<super::OpenRound>,
) -> Result<Redirect, AppError> {
    let id = super::open_round(&state, &user, form).await?;
    Ok(Redirect::to(&format!("/rounds/{id}")))
}

pub async fn round(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Query(filter): Query<super::RoundFilter>,
) -> Result<Html<String>, AppError> {
    let view = super::round_detail(&state, &user, id, &filter).await?;
    let encode = |s: &Option<String>| {
        utf8_percent_encode(s.as_deref().unwrap_or_default(), NON_ALPHANUMERIC).to_string()
    };
    let query = format!(
        "unit={}&state={}",
        encode(&filter.unit),
        encode(&filter.state)
    );
    render(
        &state,
        "round.html",
        context! {
            can_close => v(user.role.is_office()), user => v(user), round => v(view.round),
            reports => v(view.reports), units => v(view.units),
            not_reported => v(view.not_reported), filter => v(filter), query => query,
            states => ReportState::ALL.iter().map(|s| choice(s.code(), s.label())).collect::<Vec<_>>(),
        },
    )
}

/// The round's table (as filtered) as an Excel workbook.
pub async fn round_table(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Query(filter): Query<super::RoundFilter>,
) -> Result<Response, AppError> {
    let (name, bytes) = super::round_table(&state, &user, id, &filter).await?;
    Ok(crate::download::xlsx(&name, bytes))
}

pub async fn close_round(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Redirect, AppError> {
    super::close_round(&state, &user, id).await?;
    Ok(Redirect::to(&format!("/rounds/{id}")))
}
