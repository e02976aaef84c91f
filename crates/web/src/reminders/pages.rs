//! The notifications page, the header's unread count, the office's reminders page and
//! the manual reminder forms of the task and round pages.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Redirect};
use duban_domain::reminder::{Channel, DeliveryState, ReminderKind};
use minijinja::context;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::templates::{render, v};

use super::{RemindRequest, ReminderQuery};

/// The labels the templates show for codes.
fn labels() -> serde_json::Value {
    let map = |pairs: Vec<(&str, &str)>| {
        serde_json::Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), serde_json::Value::from(v)))
                .collect(),
        )
    };
    serde_json::json!({
        "kind": map(ReminderKind::ALL.iter().map(|k| (k.code(), k.label())).collect()),
        "channel": map(Channel::ALL.iter().map(|c| (c.code(), c.label())).collect()),
        "state": map(DeliveryState::ALL.iter().map(|s| (s.code(), s.label())).collect()),
    })
}

pub async fn notifications(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Html<String>, AppError> {
    let inbox = super::inbox(&state, &user).await?;
    render(
        &state,
        "notifications.html",
        context! { user => v(user), inbox => v(inbox), labels => v(labels()) },
    )
}

/// The unread count for the header, loaded by htmx: a badge, or nothing.
pub async fn count(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Html<String>, AppError> {
    let unread = state.store.unread_notifications(user.id).await?;
    Ok(Html(if unread == 0 {
        String::new()
    } else {
        format!("<span class=\"badge\" title=\"未读通知\">{unread}</span>")
    }))
}

pub async fn read(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Redirect, AppError> {
    super::mark_read(&state, &user, Some(id)).await?;
    Ok(Redirect::to("/notifications"))
}

pub async fn read_all(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Redirect, AppError> {
    super::mark_read(&state, &user, None).await?;
    Ok(Redirect::to("/notifications"))
}

#[derive(Debug, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    pub email: String,
}

pub async fn email(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<EmailForm>,
) -> Result<Redirect, AppError> {
    super::set_email(&state, &user, &form.email).await?;
    Ok(Redirect::to("/notifications"))
}

pub async fn reminders(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<ReminderQuery>,
) -> Result<Html<String>, AppError> {
    let reminders = super::list(&state, &user, &query).await?;
    let channels = state.settings.reminders.channels();
    render(
        &state,
        "reminders.html",
        context! {
            user => v(user),
            reminders => v(reminders),
            round => query.round,
            document => query.document,
            labels => v(labels()),
            email_on => channels.email,
            webhook_on => channels.webhook,
        },
    )
}

pub async fn retry(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Redirect, AppError> {
    super::retry(&state, &user, id).await?;
    Ok(Redirect::to("/reminders"))
}

#[derive(Debug, Deserialize)]
pub struct RemindForm {
    #[serde(default)]
    pub note: String,
}

pub async fn remind_round(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<RemindForm>,
) -> Result<Redirect, AppError> {
    let request = RemindRequest {
        round: Some(id),
        note: Some(form.note),
        ..RemindRequest::default()
    };
    super::remind(&state, &user, &request).await?;
    Ok(Redirect::to(&format!("/reminders?round={id}")))
}

pub async fn remind_task(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
    Form(form): Form<RemindForm>,
) -> Result<Redirect, AppError> {
    let request = RemindRequest {
        document: Some(document),
        task: Some(number),
        note: Some(form.note),
        ..RemindRequest::default()
    };
    super::remind(&state, &user, &request).await?;
    Ok(Redirect::to(&format!("/reminders?document={document}")))
}
