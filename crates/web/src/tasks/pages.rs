//! The task list and the task page, and the steps taken from it.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use duban_domain::instruction::InstructionDraft;
use duban_domain::{ReportState, TaskState};
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::templates::{choice, render, v};

use super::list::{TaskFilter, filter_options, task_list};

pub async fn tasks(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(filter): Query<TaskFilter>,
) -> Result<Html<String>, AppError> {
    let view = task_list(&state, &user, filter).await?;
    let options = filter_options(&state, &view.filter).await?;
    let rows: Vec<_> = view
        .rows
        .to_vec()
        .iter()
        .map(|r| (r.document, r.number))
        .collect();
    let lights = crate::warnings::judged(&state).await?.lights_of(&rows);
    let row_lights: Vec<_> = rows.iter().map(|key| lights.get(key)).collect();
    let supervised = state.store.supervised_tasks().await?;
    let row_supervised: Vec<bool> = rows.iter().map(|key| supervised.contains(key)).collect();
    let states: Vec<_> = ReportState::ALL
        .iter()
        .map(|s| choice(s.code(), s.label()))
        .collect();
    let task_states: Vec<_> = TaskState::ALL
        .iter()
        .map(|s| choice(s.code(), s.label()))
        .collect();
    render(
        &state,
        "tasks.html",
        context! { user => v(user), view => v(view), options => v(options), row_lights => v(row_lights), row_supervised => row_supervised, states => states, task_states => task_states, reading_statuses => crate::dashboard::status_choices() },
    )
}

pub async fn task(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
) -> Result<Html<String>, AppError> {
    task_page(&state, user, document, number, None, Typed::default()).await
}

/// What the user typed into the task page's forms, given back with a refusal so nothing
/// typed is lost: the step's 说明, the 批示, the 审定 reason.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Typed {
    pub comment: Option<String>,
    pub instruction: Option<InstructionDraft>,
    pub reason: Option<String>,
}

pub(crate) async fn task_page(
    state: &AppState,
    user: duban_store::User,
    document: i64,
    number: u32,
    flash: Option<String>,
    typed: Typed,
) -> Result<Html<String>, AppError> {
    let view = super::task_detail(state, &user, document, number).await?;
    let lights = crate::warnings::judged(state)
        .await?
        .lights_of(&[(view.document, number)]);
    let light = lights.get(&(view.document, number));
    render(
        state,
        "task.html",
        context! { user => v(user), task => v(&view.task), view => v(view), light => v(light), flash => v(flash), typed => v(typed), statuses => crate::dashboard::status_choices() },
    )
}

pub async fn task_action(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
    Form(form): Form<super::TaskActionForm>,
) -> Result<Response, AppError> {
    let typed = Typed {
        comment: form.comment.clone(),
        ..Typed::default()
    };
    match super::act_on_task(&state, &user, document, number, form).await {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{document}/tasks/{number}")).into_response()),
        Err(e) if e.is_refusal() => {
            let page =
                task_page(&state, user, document, number, Some(e.to_string()), typed).await?;
            Ok((e.status(), page).into_response())
        }
        Err(e) => Err(e),
    }
}

/// 全部签收 from 本单位任务, back to the page.
pub async fn acknowledge_all(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response, AppError> {
    super::acknowledge_all(&state, &user).await?;
    Ok(Redirect::to("/my").into_response())
}

pub async fn acknowledge(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
) -> Result<Response, AppError> {
    match super::acknowledge(&state, &user, document, number).await {
        Ok(_) => Ok(Redirect::to("/my").into_response()),
        Err(e) if e.is_refusal() => {
            let page = task_page(
                &state,
                user,
                document,
                number,
                Some(e.to_string()),
                Typed::default(),
            )
            .await?;
            Ok((e.status(), page).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Deserialize)]
pub struct AssignPageForm {
    pub document: i64,
    pub ack_due: chrono::NaiveDate,
    /// Ticked after being asked about a 签收期限 already past.
    #[serde(default)]
    pub past_due_confirmed: Option<String>,
}

/// 交办 from the rounds page. A 签收期限 already past is asked about first (the form
/// comes back with a box to tick); a refusal keeps what was typed.
pub async fn assign(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<AssignPageForm>,
) -> Result<Response, AppError> {
    let today = crate::warnings::today();
    let back = |refusal: String, ask: bool| crate::rounds::PageForms {
        assigning: Some((form.document, form.ack_due)),
        assign_refusal: Some(refusal),
        assign_past_due: ask,
        ..crate::rounds::PageForms::default()
    };
    if form.ack_due < today && form.past_due_confirmed.is_none() {
        crate::auth::require(&user, crate::auth::OFFICE)?;
        let reason = crate::rounds::past_date_question(
            "签收期限",
            form.ack_due,
            today,
            "各单位一交办就已逾期未签收",
            "签收期限已过，仍然交办",
        );
        let page = crate::rounds::rounds_page(&state, &user, back(reason, true)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let ack = super::AssignForm {
        ack_due: form.ack_due,
    };
    match super::assign_document(&state, &user, form.document, ack).await {
        Ok(_) => Ok(Redirect::to(&format!("/tasks?document={}", form.document)).into_response()),
        Err(e) if e.is_refusal() => {
            let page =
                crate::rounds::rounds_page(&state, &user, back(e.to_string(), false)).await?;
            Ok((e.status(), page).into_response())
        }
        Err(e) => Err(e),
    }
}
