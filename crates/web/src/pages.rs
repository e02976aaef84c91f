//! The HTML pages. Each handler asks `views` for its data (the same the API returns)
//! and renders a template.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::Cookie;
use duban_domain::{ReportState, Role};
use minijinja::context;
use serde::Deserialize;

use crate::AppState;
use crate::auth::{self, CurrentUser, MaybeUser, SESSION_COOKIE};
use crate::error::AppError;
use crate::templates::{render, v};
use crate::views::{self, TaskFilter};

fn states() -> Vec<minijinja::Value> {
    ReportState::ALL
        .iter()
        .map(|s| v(serde_json::json!({"code": s.code(), "label": s.label()})))
        .collect()
}

pub async fn home(MaybeUser(user): MaybeUser) -> Redirect {
    match user.map(|u| u.role) {
        None => Redirect::to("/login"),
        Some(Role::Reporter | Role::UnitHead) => Redirect::to("/my"),
        Some(Role::Leader) => Redirect::to("/dashboard"),
        Some(_) => Redirect::to("/tasks"),
    }
}

pub async fn login_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
) -> Result<Response, AppError> {
    if user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    Ok(render(
        &state,
        "login.html",
        context! { user => v(None::<()>), error => v(None::<String>), username => v(None::<String>) },
    )?
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    client: auth::Client,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    match auth::login(&state, &form.username, &form.password, &client).await {
        Ok((_, token)) => {
            let jar = jar.add(auth::session_cookie(
                token,
                client.secure_cookies(&state.settings),
            ));
            Ok((jar, Redirect::to("/")).into_response())
        }
        Err(e @ (AppError::BadLogin | AppError::TooManyAttempts(_) | AppError::TooLong(_))) => {
            let status = e.status();
            let page = render(
                &state,
                "login.html",
                context! { user => v(None::<()>), error => v(e.to_string()), username => v(form.username) },
            )?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn logout(State(state): State<AppState>, jar: CookieJar) -> Result<Response, AppError> {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        auth::end_session(&state, cookie.value()).await?;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/login")).into_response())
}

pub async fn tasks(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(filter): Query<TaskFilter>,
) -> Result<Html<String>, AppError> {
    let view = views::task_list(&state, &user, filter).await?;
    let options = views::filter_options(&state, &view.filter).await?;
    let task_states: Vec<_> = duban_domain::TaskState::ALL
        .iter()
        .map(|s| v(serde_json::json!({"code": s.code(), "label": s.label()})))
        .collect();
    render(
        &state,
        "tasks.html",
        context! { user => v(user), view => v(view), options => v(options), states => v(states()), task_states => v(task_states), reading_statuses => crate::dashboard::status_choices() },
    )
}

pub async fn task(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
) -> Result<Html<String>, AppError> {
    task_page(&state, user, document, number, None).await
}

pub(crate) async fn task_page(
    state: &AppState,
    user: duban_store::User,
    document: i64,
    number: u32,
    flash: Option<String>,
) -> Result<Html<String>, AppError> {
    let view = views::task_detail(state, &user, document, number).await?;
    render(
        state,
        "task.html",
        context! { user => v(user), task => v(&view.task), view => v(view), flash => v(flash), statuses => crate::dashboard::status_choices() },
    )
}

pub async fn task_action(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
    Form(form): Form<views::TaskActionForm>,
) -> Result<Response, AppError> {
    match views::act_on_task(&state, &user, document, number, form).await {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{document}/tasks/{number}")).into_response()),
        Err(e) if e.is_refusal() => {
            let page = task_page(&state, user, document, number, Some(e.to_string())).await?;
            Ok((e.status(), page).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn acknowledge(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
) -> Result<Response, AppError> {
    match views::acknowledge(&state, &user, document, number).await {
        Ok(_) => Ok(Redirect::to("/my").into_response()),
        Err(e) if e.is_refusal() => {
            let page = task_page(&state, user, document, number, Some(e.to_string())).await?;
            Ok((e.status(), page).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Deserialize)]
pub struct AssignPageForm {
    pub document: i64,
    pub ack_due: chrono::NaiveDate,
}

pub async fn assign(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<AssignPageForm>,
) -> Result<Redirect, AppError> {
    let ack = views::AssignForm {
        ack_due: form.ack_due,
    };
    views::assign_document(&state, &user, form.document, ack).await?;
    Ok(Redirect::to(&format!("/tasks?document={}", form.document)))
}
