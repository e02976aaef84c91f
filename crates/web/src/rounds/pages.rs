//! The rounds pages.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use duban_domain::ReportState;
use minijinja::context;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use crate::AppState;
use crate::auth::{CurrentUser, READERS, require};
use crate::error::AppError;
use crate::templates::{choice, render, v};
use duban_store::User;

pub async fn rounds(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Html<String>, AppError> {
    rounds_page(&state, &user, None, None, false).await
}

/// The rounds page, with the round form as typed and why it was not opened, if so.
async fn rounds_page(
    state: &AppState,
    user: &User,
    opening: Option<&super::OpenRound>,
    refusal: Option<String>,
    past_due: bool,
) -> Result<Html<String>, AppError> {
    require(user, READERS)?;
    let rounds = state.store.rounds(None).await?;
    let documents = state.store.list_documents().await?;
    render(
        state,
        "rounds.html",
        context! {
            can_open => v(user.role.is_office()), user => v(user), rounds => v(rounds),
            documents => v(documents), opening => v(opening), refusal => refusal,
            past_due => past_due,
        },
    )
}

/// Opens a round from the page's form. A due date already past is asked about first
/// (the form comes back with a box to tick); a refusal keeps what was typed.
pub async fn open_round(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<super::OpenRound>,
) -> Result<Response, AppError> {
    let today = crate::warnings::today();
    if form.due < today && form.past_due_confirmed.is_none() {
        let reason = format!(
            "截止日期 {} 已过（今天是 {today}）：各单位一开启就已逾期。如确需按此日期开启（如补录往期填报），请勾选“截止日期已过，仍然开启”后再提交；否则请改为今后的日期。",
            form.due
        );
        let page = rounds_page(&state, &user, Some(&form), Some(reason), true).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    match super::open_round(&state, &user, form.clone()).await {
        Ok(id) => Ok(Redirect::to(&format!("/rounds/{id}")).into_response()),
        Err(e) if e.is_refusal() => {
            let status = e.status();
            let page = rounds_page(&state, &user, Some(&form), Some(e.to_string()), false).await?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e),
    }
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
