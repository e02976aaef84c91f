//! The rounds pages.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{Html, Redirect};
use minijinja::context;

use crate::AppState;
use crate::auth::{CurrentUser, READERS, require};
use crate::error::AppError;
use crate::templates::{render, v};

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
) -> Result<Html<String>, AppError> {
    let view = super::round_detail(&state, &user, id).await?;
    render(
        &state,
        "round.html",
        context! { can_close => v(user.role.is_office()), user => v(user), round => v(view.round), reports => v(view.reports), not_reported => v(view.not_reported) },
    )
}

pub async fn close_round(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Redirect, AppError> {
    super::close_round(&state, &user, id).await?;
    Ok(Redirect::to(&format!("/rounds/{id}")))
}
