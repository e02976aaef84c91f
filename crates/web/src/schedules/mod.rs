//! Scheduled reporting rounds (定期开启): the office sets once that a document's tasks
//! are reported on every week, month or quarter, and the server's tick
//! ([`duban_store::Store::open_due_rounds`]) opens each round when it falls due.
//!
//! Pages (`pages`) and API (`api`) share [`list`] and [`create`] (data + authorisation): the office
//! (admin, supervisor) writes, leaders read, unit accounts and the public see nothing.
//! The page is the rounds page (`rounds.html`) with its schedule section filled in;
//! `/rounds` itself loads that section from `/schedules` with htmx, or links to it.

mod api;
mod pages;

use axum::Router;
use axum::routing::{self, post};
use chrono::{Datelike, NaiveDate, Utc};
use duban_domain::china_date;
use duban_domain::schedule::{Cadence, Period, Schedule};
use duban_store::{DocumentId, NewSchedule, ScheduleId, ScheduleSummary, Store, TickOutcome, User};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::{OFFICE, READERS, require};
use crate::error::AppError;
use crate::rounds::task_selection;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/schedules", routing::get(pages::list).post(pages::create))
        .route("/schedules/run", post(pages::run))
        .route("/schedules/{id}/pause", post(pages::pause))
        .route("/schedules/{id}/resume", post(pages::resume))
        .route("/schedules/{id}/delete", post(pages::delete))
}

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/schedules", routing::get(api::list).post(api::create))
        .route("/schedules/run", post(api::run))
        .route(
            "/schedules/{id}",
            routing::get(api::get).delete(api::delete),
        )
        .route("/schedules/{id}/pause", post(api::pause))
        .route("/schedules/{id}/resume", post(api::resume))
}

/// Today in China.
fn today() -> NaiveDate {
    china_date(Utc::now())
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
