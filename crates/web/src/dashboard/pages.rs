//! The dashboard, analysis and lapses pages.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::templates::{render, v};

pub async fn dashboard(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<super::DashboardQuery>,
) -> Result<Html<String>, AppError> {
    let d = super::dashboard(&state, &user, query).await?;
    let tables = crate::oversight::tables(&d.rankings)?;
    // The charts' data without every unit's trend (the tables carry the figures).
    let mut charts = serde_json::to_value(&d)?;
    if let Some(o) = charts.as_object_mut() {
        o.insert("rankings".into(), crate::oversight::chart_data(&d.rankings));
    }
    render(
        &state,
        "dashboard.html",
        context! { user => v(user), d => v(d), tables => v(tables), charts => v(charts) },
    )
}

pub async fn analysis(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(document): Path<i64>,
) -> Result<Html<String>, AppError> {
    let r = super::notice_reading(&state, &user, document, None).await?;
    render(
        &state,
        "analysis.html",
        context! { user => v(user), r => v(r) },
    )
}

pub async fn decide_status(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
    Form(form): Form<super::DecideForm>,
) -> Result<Response, AppError> {
    let reason = form.reason.clone();
    match super::decide_status(&state, &user, document, number, form).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/documents/{document}/tasks/{number}#reading")).into_response(),
        ),
        Err(e) if e.is_refusal() => {
            let typed = crate::tasks::Typed {
                reason: Some(reason),
                ..crate::tasks::Typed::default()
            };
            let page =
                crate::tasks::task_page(&state, user, document, number, Some(e.to_string()), typed)
                    .await?;
            Ok((e.status(), page).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn lapses(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Html<String>, AppError> {
    let lapses = super::lapses(&state, &user, None).await?;
    render(
        &state,
        "lapses.html",
        context! { user => v(user), lapses => v(lapses) },
    )
}
