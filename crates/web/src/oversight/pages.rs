//! The escalation page (every unit's step, its history, the ladder and the office's
//! forms) and the dashboard's tables as XLSX downloads.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::templates::{render, v};

#[derive(Debug, Default, Deserialize)]
pub struct Notice {
    /// `step`, `ladder` or `apply` after a form was saved; the count for `apply`.
    pub saved: Option<String>,
    pub moved: Option<usize>,
}

async fn page(
    state: &AppState,
    user: duban_store::User,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, AppError> {
    let o = super::oversight(state, &user).await?;
    let levels: Vec<(usize, String)> =
        std::iter::once((0, duban_domain::escalation::NO_STEP.to_string()))
            .chain(
                o.ladder
                    .steps
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (i + 1, s.clone())),
            )
            .collect();
    render(
        state,
        "oversight.html",
        context! { user => v(user), o => v(o), levels => v(levels), notice => notice, error => error },
    )
}

pub async fn oversight(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<Notice>,
) -> Result<Html<String>, AppError> {
    let notice = match q.saved.as_deref() {
        Some("step") => Some("已记录督办档次调整。".to_string()),
        Some("ladder") => Some("已保存督办档次和升级规则。".to_string()),
        Some("apply") => Some(match q.moved.unwrap_or(0) {
            0 => "已按升级规则评定：没有单位需要升档。".to_string(),
            n => format!("已按升级规则评定：{n} 次升档，见下方记录。"),
        }),
        _ => None,
    };
    page(&state, user, notice, None).await
}

/// A refused form: the page again with the reason.
async fn refused(
    state: &AppState,
    user: duban_store::User,
    e: AppError,
) -> Result<Response, AppError> {
    if e.is_refusal() || matches!(e, AppError::TooLong(_)) {
        let status = e.status();
        Ok((status, page(state, user, None, Some(e.to_string())).await?).into_response())
    } else {
        Err(e)
    }
}

pub async fn set_step(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<super::StepForm>,
) -> Result<Response, AppError> {
    match super::set_step(&state, &user, &form).await {
        Ok(_) => Ok(Redirect::to("/oversight?saved=step").into_response()),
        Err(e) => refused(&state, user, e).await,
    }
}

/// The ladder as the page's form sends it: one step per line.
#[derive(Debug, Deserialize)]
pub struct LadderPageForm {
    pub steps: String,
    pub lapses: u32,
    pub within: u32,
}

pub async fn set_ladder(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<LadderPageForm>,
) -> Result<Response, AppError> {
    let form = super::LadderForm {
        steps: form.steps.lines().map(str::to_string).collect(),
        lapses: form.lapses,
        within: form.within,
    };
    match super::set_ladder(&state, &user, &form).await {
        Ok(_) => Ok(Redirect::to("/oversight?saved=ladder").into_response()),
        Err(e) => refused(&state, user, e).await,
    }
}

pub async fn apply_rule(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response, AppError> {
    let steps = super::apply_rule(&state, &user).await?;
    Ok(Redirect::to(&format!("/oversight?saved=apply&moved={}", steps.len())).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct TableQuery {
    pub category: Option<String>,
}

pub async fn table_file(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(file): Path<String>,
    Query(q): Query<TableQuery>,
) -> Result<Response, AppError> {
    let kind = super::TableKind::from_file(&file, q.category.as_deref())?;
    let (name, bytes) = super::table_xlsx(&state, &user, kind).await?;
    Ok(crate::download::xlsx(&name, bytes))
}
