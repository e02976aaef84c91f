//! Scheduled reporting rounds (定期开启): the office sets once that a document's tasks
//! are reported on every week, month or quarter, and the server's tick
//! ([`duban_store::Store::open_due_rounds`]) opens each round when it falls due.
//!
//! Pages and API share [`list`] and [`create`] (data + authorisation): the office
//! (admin, supervisor) writes, leaders read, unit accounts and the public see nothing.
//! The page is the rounds page (`rounds.html`) with its schedule section filled in;
//! `/rounds` itself loads that section from `/schedules` with htmx, or links to it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::{Datelike, FixedOffset, NaiveDate, Utc};
use duban_domain::schedule::{Cadence, Period, Schedule};
use duban_store::{DocumentId, NewSchedule, ScheduleId, ScheduleSummary, Store, TickOutcome, User};
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::{CurrentUser, OFFICE, READERS, require};
use crate::error::{ApiError, AppError};
use crate::rounds::task_selection;

/// China Standard Time: the office's days.
const CHINA: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// Today in China.
fn today() -> NaiveDate {
    Utc::now().with_timezone(&CHINA).date_naive()
}

/// A schedule as pages and the API show it: what is stored, plus the round it opens
/// next (from today, China time).
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleView {
    #[serde(flatten)]
    pub summary: ScheduleSummary,
    /// 每周 / 每月 / 每季度.
    pub cadence_label: &'static str,
    /// The next period whose round opens after today; `None` when the year is done.
    pub next: Option<Period>,
    /// Periods whose round should be open today (opened by the next tick if not yet).
    pub due_now: Vec<Period>,
}

fn view(summary: ScheduleSummary, today: NaiveDate) -> ScheduleView {
    ScheduleView {
        cadence_label: summary.schedule.cadence.label(),
        next: summary.schedule.next_period(today),
        due_now: summary.schedule.due_periods(today),
        summary,
    }
}

/// Every schedule, oldest first. Office and leaders.
pub async fn list(state: &AppState, user: &User) -> Result<Vec<ScheduleView>, AppError> {
    require(user, READERS)?;
    let today = today();
    Ok(state
        .store
        .schedules(None)
        .await?
        .into_iter()
        .map(|s| view(s, today))
        .collect())
}

/// One schedule. Office and leaders.
pub async fn get(state: &AppState, user: &User, id: i64) -> Result<ScheduleView, AppError> {
    require(user, READERS)?;
    let found = state
        .store
        .schedule(ScheduleId(id))
        .await?
        .ok_or(AppError::NotFound("该定期计划"))?;
    Ok(view(found, today()))
}

/// A new schedule, as the API takes it.
#[derive(Debug, Clone, Deserialize)]
pub struct CreateSchedule {
    pub document: i64,
    pub cadence: Cadence,
    /// The year whose periods are reported on; defaults to the year of `start`.
    #[serde(default)]
    pub year: Option<i32>,
    /// Periods already over on this day are skipped; defaults to today (China time).
    #[serde(default)]
    pub start: Option<NaiveDate>,
    /// Open the round this many days before the period's last day.
    #[serde(default)]
    pub lead_days: u32,
    /// Reports due this many days after the period's last day (negative: before it).
    #[serde(default)]
    pub due_days: i32,
    /// `1,2,5-8`; empty for every task.
    #[serde(default)]
    pub tasks: Option<String>,
}

/// Creates a schedule. Office only. Its periods that are due now are opened by the
/// next tick (within a minute), not here.
pub async fn create(
    state: &AppState,
    user: &User,
    form: CreateSchedule,
) -> Result<ScheduleId, AppError> {
    require(user, OFFICE)?;
    let start = form.start.unwrap_or_else(today);
    let schedule = Schedule {
        cadence: form.cadence,
        year: form.year.unwrap_or_else(|| start.year()),
        start,
        lead_days: form.lead_days,
        due_days: form.due_days,
    };
    schedule
        .check()
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let tasks = task_selection(state, form.document, form.tasks.as_deref()).await?;
    Ok(state
        .store
        .create_schedule(
            NewSchedule {
                document: DocumentId(form.document),
                schedule,
                tasks,
            },
            user.id,
            Utc::now(),
        )
        .await?)
}

/// Pauses or resumes a schedule. Office only.
pub async fn set_paused(
    state: &AppState,
    user: &User,
    id: i64,
    paused: bool,
) -> Result<(), AppError> {
    require(user, OFFICE)?;
    if state
        .store
        .set_schedule_paused(ScheduleId(id), paused)
        .await?
    {
        Ok(())
    } else {
        Err(AppError::NotFound("该定期计划"))
    }
}

/// Deletes a schedule (the rounds it opened stay). Office only.
pub async fn delete(state: &AppState, user: &User, id: i64) -> Result<(), AppError> {
    require(user, OFFICE)?;
    if state.store.delete_schedule(ScheduleId(id)).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("该定期计划"))
    }
}

/// Opens the rounds due now at once rather than at the next tick. Office only.
pub async fn run(state: &AppState, user: &User) -> Result<TickOutcome, AppError> {
    require(user, OFFICE)?;
    Ok(open_due_rounds(&state.store).await?)
}

/// One tick: opens every round due now and logs what it did. The server calls this
/// at start and then every minute.
pub async fn open_due_rounds(store: &Store) -> Result<TickOutcome, duban_store::StoreError> {
    let outcome = store.open_due_rounds(Utc::now()).await?;
    for o in &outcome.opened {
        tracing::info!(
            schedule = o.schedule.0,
            document = o.document.0,
            round = o.round.0,
            period = %o.period,
            "定期计划已开启填报轮次“{}”，截止 {}",
            o.label,
            o.due
        );
    }
    for f in &outcome.failed {
        tracing::warn!(
            schedule = f.schedule.0,
            document = f.document.0,
            period = %f.period,
            retried = f.retried,
            "定期计划未能开启填报轮次“{}”：{}",
            f.label,
            f.error
        );
    }
    Ok(outcome)
}

// ---- JSON API ------------------------------------------------------------------

pub async fn api_list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Vec<ScheduleView>>, ApiError> {
    Ok(Json(list(&state, &user).await?))
}

pub async fn api_get(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ScheduleView>, ApiError> {
    Ok(Json(get(&state, &user, id).await?))
}

pub async fn api_create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Json(form): Json<CreateSchedule>,
) -> Result<impl IntoResponse, ApiError> {
    let id = create(&state, &user, form).await?;
    Ok((StatusCode::CREATED, Json(get(&state, &user, id.0).await?)))
}

pub async fn api_pause(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ScheduleView>, ApiError> {
    set_paused(&state, &user, id, true).await?;
    Ok(Json(get(&state, &user, id).await?))
}

pub async fn api_resume(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ScheduleView>, ApiError> {
    set_paused(&state, &user, id, false).await?;
    Ok(Json(get(&state, &user, id).await?))
}

pub async fn api_delete(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    delete(&state, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn api_run(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<TickOutcome>, ApiError> {
    Ok(Json(run(&state, &user).await?))
}

// ---- Pages -----------------------------------------------------------------------

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

fn value<T: Serialize>(value: T) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(value))
}

/// The rounds page with its schedule section, and `error` with what was typed if the
/// last form could not be saved.
async fn page(
    state: &AppState,
    user: User,
    error: Option<(String, &ScheduleForm)>,
) -> Result<Html<String>, AppError> {
    let schedules = list(state, &user).await?;
    let rounds = state.store.rounds(None).await?;
    let documents = state.store.list_documents().await?;
    let today = today();
    let cadences: Vec<_> = Cadence::ALL
        .iter()
        .map(|c| serde_json::json!({"code": c.code(), "label": c.label()}))
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
            user => value(&user),
            rounds => value(rounds),
            documents => value(documents),
            schedules => value(schedules),
            cadences => value(cadences),
            schedule_error => value(schedule_error),
            typed => value(typed.map(|f| serde_json::json!({
                "document": f.document, "cadence": f.cadence, "year": f.year, "start": f.start,
                "lead_days": f.lead_days, "due_days": f.due_days, "tasks": f.tasks,
            }))),
            today => today.to_string(),
            this_year => today.year(),
        })?;
    Ok(Html(html))
}

pub async fn page_list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Html<String>, AppError> {
    page(&state, user, None).await
}

/// Where a page's form goes back to: the schedule section of the page.
const BACK: &str = "/schedules#schedules";

pub async fn page_create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<ScheduleForm>,
) -> Result<Response, AppError> {
    require(&user, OFFICE)?;
    let created = match form.parse() {
        Ok(parsed) => create(&state, &user, parsed).await,
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

pub async fn page_pause(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Redirect, AppError> {
    set_paused(&state, &user, id, true).await?;
    Ok(Redirect::to(BACK))
}

pub async fn page_resume(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Redirect, AppError> {
    set_paused(&state, &user, id, false).await?;
    Ok(Redirect::to(BACK))
}

pub async fn page_delete(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Redirect, AppError> {
    delete(&state, &user, id).await?;
    Ok(Redirect::to(BACK))
}

pub async fn page_run(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Redirect, AppError> {
    run(&state, &user).await?;
    Ok(Redirect::to(BACK))
}
