//! The schedule section of the rounds page, and its forms.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use duban_domain::schedule::Cadence;
use duban_store::User;
use minijinja::context;
use serde::Deserialize;

use crate::AppState;
use crate::auth::{CurrentUser, OFFICE, require};
use crate::error::AppError;
use crate::templates::{choice, v};

use super::CreateSchedule;

/// The schedule form as a browser posts it: every field text, empty when left blank.
#[derive(Debug, Clone, Deserialize)]
pub struct ScheduleForm {
    pub document: String,
    pub cadence: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub lead_days: String,
    #[serde(default)]
    pub due_days: String,
    #[serde(default)]
    pub tasks: String,
}

impl ScheduleForm {
    fn parse(&self) -> Result<CreateSchedule, AppError> {
        fn number<T: std::str::FromStr + Default>(text: &str, what: &str) -> Result<T, AppError> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(T::default());
            }
            text.parse()
                .map_err(|_| AppError::BadRequest(format!("{what}“{text}”应为整数")))
        }
        let document = self
            .document
            .trim()
            .parse()
            .map_err(|_| AppError::BadRequest("请选择文件".into()))?;
        let cadence = Cadence::from_code(self.cadence.trim())
            .ok_or_else(|| AppError::BadRequest("请选择周期：每周、每月或每季度".into()))?;
        let year = match self.year.trim() {
            "" => None,
            y => Some(
                y.parse()
                    .map_err(|_| AppError::BadRequest(format!("年度“{y}”应为四位数年份")))?,
            ),
        };
        let start =
            match self.start.trim() {
                "" => None,
                s => Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                    AppError::BadRequest(format!("开始日期“{s}”应为 YYYY-MM-DD 格式"))
                })?),
            };
        Ok(CreateSchedule {
            document,
            cadence,
            year,
            start,
            lead_days: number(&self.lead_days, "提前开启天数")?,
            due_days: number(&self.due_days, "截止天数")?,
            tasks: Some(self.tasks.clone()),
        })
    }
}

/// The rounds page with its schedule section, and `error` with what was typed if the
/// last form could not be saved.
async fn page(
    state: &AppState,
    user: User,
    error: Option<(String, &ScheduleForm)>,
) -> Result<Html<String>, AppError> {
    let schedules = super::list(state, &user).await?;
    let rounds = state.store.rounds(None).await?;
    let documents = state.store.list_documents().await?;
    let today = super::today();
    let cadences: Vec<_> = Cadence::ALL
        .iter()
        .map(|c| choice(c.code(), c.label()))
        .collect();
    let (schedule_error, typed) = match error {
        Some((message, form)) => (Some(message), Some(form)),
        None => (None, None),
    };
    let office = user.role.is_office();
    let html = state
        .templates
        .get_template("rounds.html")?
        .render(context! {
            can_open => office,
            can_schedule => office,
            user => v(&user),
            rounds => v(rounds),
            documents => v(documents),
            schedules => v(schedules),
            cadences => cadences,
            schedule_error => v(schedule_error),
            typed => v(typed.map(|f| serde_json::json!({
                "document": f.document, "cadence": f.cadence, "year": f.year, "start": f.start,
                "lead_days": f.lead_days, "due_days": f.due_days, "tasks": f.tasks,
            }))),
            today => today.to_string(),
            this_year => today.year(),
        })?;
    Ok(Html(html))
}

pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Html<String>, AppError> {
    page(&state, user, None).await
}

/// Where a page's form goes back to: the schedule section of the page.
const BACK: &str = "/schedules#schedules";

pub async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<ScheduleForm>,
) -> Result<Response, AppError> {
    require(&user, OFFICE)?;
    let created = match form.parse() {
        Ok(parsed) => super::create(&state, &user, parsed).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(_) => Ok(Redirect::to(BACK).into_response()),
        // What the user can fix is shown on the form, with what they typed.
        Err(e) if e.status().is_client_error() && e.status() != StatusCode::FORBIDDEN => {
            let status = e.status();
            let html = page(&state, user, Some((e.to_string(), &form))).await?;
            Ok((status, html).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn pause(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Redirect, AppError> {
    super::set_paused(&state, &user, id, true).await?;
    Ok(Redirect::to(BACK))
}

pub async fn resume(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Redirect, AppError> {
    super::set_paused(&state, &user, id, false).await?;
    Ok(Redirect::to(BACK))
}

pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Redirect, AppError> {
    super::delete(&state, &user, id).await?;
    Ok(Redirect::to(BACK))
}

pub async fn run(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Redirect, AppError> {
    super::run(&state, &user).await?;
    Ok(Redirect::to(BACK))
}
