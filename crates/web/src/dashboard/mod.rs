//! The leaders' and the office's oversight: the dashboard (every figure computed from
//! the data), the reading of a notice's progress texts with the office's decisions
//! (审定), and who missed which deadline. Office and leaders only.

mod api;
mod pages;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use duban_domain::analysis::{
    NoticeAnalysis, ReviewedStatus, Status, StatusOverride, analyse_notice_in,
};
use duban_domain::{ReportState, TaskState, china_date, limits};
use duban_store::{DocumentId, Lapse, ReadingRound, ReportCount, RoundId, RoundSummary, User};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::{OFFICE, READERS, require};
use crate::error::AppError;
use crate::templates::choice;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(pages::dashboard))
        .route("/documents/{document}/analysis", get(pages::analysis))
        .route(
            "/documents/{document}/tasks/{number}/status",
            post(pages::decide_status),
        )
        .route("/lapses", get(pages::lapses))
}

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/lapses", get(api::lapses))
        .route("/dashboard", get(api::dashboard))
        .route("/documents/{document}/analysis", get(api::analysis))
        .route(
            "/documents/{document}/tasks/{number}/status",
            post(api::decide_status),
        )
}

#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub code: &'static str,
    pub label: &'static str,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitFigures {
    pub unit: String,
    /// Reports expected of the unit in the rounds shown.
    pub reports: usize,
    pub reported: usize,
    pub accepted: usize,
    /// Lapses of both clocks, all rounds.
    pub lapses: usize,
}

/// Tasks per status of the reading: the office's 审定 where given, else the system's
/// reading of each document's latest closed round (else of the notice's progress).
/// Each `code` is the task list's `reading` filter.
#[derive(Debug, Clone, Serialize)]
pub struct ReadingFigures {
    /// 已完成 … 无法判断, then 欠序时 (`behind_pace`).
    pub counts: Vec<Count>,
    /// Of the tasks, those whose status is the office's 审定.
    pub decided: usize,
    /// Documents read from a closed round rather than the notice's own progress.
    pub from_rounds: usize,
}

/// The leaders' overview: every figure computed from the data, never typed in.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub tasks: usize,
    pub task_states: Vec<Count>,
    pub reading: ReadingFigures,
    /// Closed tasks over all tasks, as a percentage with one decimal.
    pub completion_rate: String,
    /// What the round figures cover, in words (the chart's title): one round's period,
    /// or "正在填报的 N 个轮次".
    pub round_label: Option<String>,
    /// Report states over the rounds shown, for the chart.
    pub report_states: Vec<Count>,
    /// The rounds the report figures cover, each with its own counts (linking to its
    /// page filtered by state): the one asked for, else every round still open (so a
    /// small round opened on another notice hides none), else the last one closed.
    pub rounds_shown: Vec<ShownRound>,
    /// The round asked for (`?round=`), if any.
    pub selected_round: Option<i64>,
    /// The rounds the selector offers, newest first: every open one and the latest
    /// [`CLOSED_CHOICES`] closed ones (any other by `?round=`).
    pub round_choices: Vec<RoundSummary>,
    pub units: Vec<UnitFigures>,
    pub lapses: usize,
    /// Open tasks per 预警 light, mildest first.
    pub warnings: Vec<crate::warnings::LightCount>,
    /// Per-unit figures ranked within categories, the trend, the open rounds' unreported.
    pub rankings: crate::oversight::DashboardRankings,
}

/// Closed rounds the dashboard's selector lists (a province has hundreds).
pub const CLOSED_CHOICES: usize = 24;

/// One round on the dashboard, with its reports per state.
#[derive(Debug, Clone, Serialize)]
pub struct ShownRound {
    pub round: RoundSummary,
    pub states: Vec<Count>,
}

/// `?round=ID` picks the round the report figures cover; empty or absent: the default.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DashboardQuery {
    #[serde(default, deserialize_with = "crate::tasks::blank_as_none")]
    pub round: Option<i64>,
}

/// The last dashboard computed, with the store generation and day it holds for: every
/// figure on it comes from the store (and the day, for lapses, lights and rankings), and
/// it is the same for every reader.
#[derive(Debug, Clone, Default)]
pub struct DashboardCache(Arc<duban_store::GenerationCache<(NaiveDate, Option<i64>), Dashboard>>);

pub async fn dashboard(
    state: &AppState,
    user: &User,
    query: DashboardQuery,
) -> Result<Dashboard, AppError> {
    require(user, READERS)?;
    let generation = state.store.generation().await?;
    let key = (china_date(Utc::now()), query.round);
    if let Some(d) = state.dashboard.0.get(generation, &key) {
        return Ok((*d).clone());
    }
    let computed = compute_dashboard(state, user, query.round).await?;
    state
        .dashboard
        .0
        .put(generation, key, Arc::new(computed.clone()));
    Ok(computed)
}

/// The rounds the report figures cover (see [`Dashboard::rounds_shown`]), from every
/// round, newest first; an unknown `asked` round is "not found".
fn rounds_to_show(
    rounds: &[RoundSummary],
    asked: Option<i64>,
) -> Result<Vec<RoundSummary>, AppError> {
    if let Some(id) = asked {
        let round = rounds
            .iter()
            .find(|r| r.id.0 == id)
            .ok_or(AppError::NotFound("该填报轮次"))?;
        return Ok(vec![round.clone()]);
    }
    let open: Vec<RoundSummary> = rounds.iter().filter(|r| !r.closed).cloned().collect();
    if !open.is_empty() {
        return Ok(open);
    }
    Ok(rounds.first().cloned().into_iter().collect())
}

async fn compute_dashboard(
    state: &AppState,
    user: &User,
    asked: Option<i64>,
) -> Result<Dashboard, AppError> {
    let today = china_date(Utc::now());
    // The parts read the store independently: on their own connections at once.
    let (states, counts, rounds, lapses, lights, rankings) = tokio::try_join!(
        async { Ok::<_, AppError>(state.store.task_state_counts().await?) },
        async { Ok(state.store.reading_counts().await?) },
        async { Ok(state.store.rounds(None).await?) },
        async { Ok(state.store.lapse_counts(today).await?) },
        crate::warnings::judged(state),
        crate::oversight::rankings(state, user),
    )?;
    let task_states: Vec<Count> = states
        .iter()
        .map(|&(s, count)| Count {
            code: s.code(),
            label: s.label(),
            count,
        })
        .collect();
    let tasks: usize = states.iter().map(|(_, n)| n).sum();
    let closed = states
        .iter()
        .filter(|(s, _)| *s == TaskState::Closed)
        .map(|(_, n)| n)
        .sum::<usize>();
    let completion_rate = if tasks == 0 {
        "—".to_string()
    } else {
        format!("{:.1}%", closed as f64 * 100.0 / tasks as f64)
    };

    let reading = ReadingFigures {
        counts: Status::ALL
            .into_iter()
            .map(|s| Count {
                code: s.code(),
                label: s.label(),
                count: counts.of(s),
            })
            .chain(std::iter::once(Count {
                code: crate::tasks::BEHIND_PACE,
                label: "欠序时",
                count: counts.behind_pace,
            }))
            .collect(),
        decided: counts.decided,
        from_rounds: counts.from_rounds,
    };
    // Rounds the office opened; an imported notice's own round is not a round of work.
    let rounds: Vec<RoundSummary> = rounds.into_iter().filter(|r| !r.imported).collect();
    let shown = rounds_to_show(&rounds, asked)?;
    let mut closed_listed = 0;
    let round_choices: Vec<RoundSummary> = rounds
        .into_iter()
        .filter(|r| {
            closed_listed += usize::from(r.closed);
            !r.closed || closed_listed <= CLOSED_CHOICES || Some(r.id.0) == asked
        })
        .collect();
    let ids: Vec<RoundId> = shown.iter().map(|r| r.id).collect();
    let counts = state.store.report_counts(&ids).await?;
    let rounds_shown: Vec<ShownRound> = shown
        .into_iter()
        .map(|round| {
            let of_round: Vec<&ReportCount> =
                counts.iter().filter(|c| c.round == round.id).collect();
            ShownRound {
                states: state_counts(&of_round),
                round,
            }
        })
        .collect();
    let report_states = state_counts(&counts.iter().collect::<Vec<_>>());
    let round_label = match rounds_shown.as_slice() {
        [] => None,
        [one] => Some(one.round.label.clone()),
        many => Some(format!("正在填报的 {} 个轮次", many.len())),
    };

    // Units in the order they first appear: the round's reports, then lapses.
    let mut units: Vec<UnitFigures> = Vec::new();
    let mut place: HashMap<String, usize> = HashMap::new();
    let mut figures_of = |unit: &str, units: &mut Vec<UnitFigures>| -> usize {
        *place.entry(unit.to_string()).or_insert_with(|| {
            units.push(UnitFigures {
                unit: unit.to_string(),
                reports: 0,
                reported: 0,
                accepted: 0,
                lapses: 0,
            });
            units.len() - 1
        })
    };
    for c in &counts {
        let i = figures_of(&c.unit, &mut units);
        units[i].reports += c.count;
        if c.state.is_reported() {
            units[i].reported += c.count;
        }
        if c.state == ReportState::Accepted {
            units[i].accepted += c.count;
        }
    }
    for (unit, n) in &lapses {
        let i = figures_of(unit, &mut units);
        units[i].lapses += n;
    }
    // The units most behind first: most unreported, then most lapses.
    units.sort_by_key(|u| {
        (
            std::cmp::Reverse(u.reports - u.reported),
            std::cmp::Reverse(u.lapses),
        )
    });
    Ok(Dashboard {
        tasks,
        task_states,
        reading,
        completion_rate,
        round_label,
        report_states,
        rounds_shown,
        selected_round: asked,
        round_choices,
        units,
        lapses: lapses.iter().map(|(_, n)| n).sum(),
        warnings: lights.counts(),
        rankings,
    })
}

/// Reports per state, states with none left out.
fn state_counts(counts: &[&ReportCount]) -> Vec<Count> {
    ReportState::ALL
        .into_iter()
        .map(|s| Count {
            code: s.code(),
            label: s.label(),
            count: counts
                .iter()
                .filter(|c| c.state == s)
                .map(|c| c.count)
                .sum(),
        })
        .filter(|c| c.count > 0)
        .collect()
}

/// The whole notice's reading, with the office's decisions beside the suggestions.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeReading {
    pub document: DocumentId,
    pub analysis: NoticeAnalysis,
    /// Per task (same order as `analysis.tasks`).
    pub reviewed: Vec<ReviewedStatus>,
    /// The period judged against, in words: `截至10月31日，据标题`.
    pub period: Option<String>,
    /// The closed round whose reports are read; `None`: the notice's own progress.
    pub round: Option<ReadingRound>,
    /// Tasks per status in force (审定 where given, else the suggestion), as the
    /// dashboard counts them, and how many of them the office decided.
    pub effective: Vec<Count>,
    pub decided: usize,
}

pub async fn notice_reading(
    state: &AppState,
    user: &User,
    document: i64,
    as_of: Option<NaiveDate>,
) -> Result<NoticeReading, AppError> {
    require(user, READERS)?;
    let id = DocumentId(document);
    // The same reading the dashboard counts: the latest closed round, else the notice.
    let read = match state.store.reading_notice(id).await {
        Ok(n) => n,
        Err(duban_store::StoreError::NotFound(_)) => return Err(AppError::NotFound("该文件")),
        Err(e) => return Err(e.into()),
    };
    let overrides = state.store.status_overrides(id).await?;
    let analysis = analyse_notice_in(&read.notice, &read.context(as_of));
    let reviewed: Vec<ReviewedStatus> = analysis
        .tasks
        .iter()
        .map(|t| {
            t.reviewed(
                overrides
                    .iter()
                    .find(|(n, _)| *n == t.number.0)
                    .map(|(_, o)| o)
                    .filter(|o| read.in_force(t.number.0, o.at)),
            )
        })
        .collect();
    let effective = Status::ALL
        .into_iter()
        .map(|s| Count {
            code: s.code(),
            label: s.label(),
            count: reviewed.iter().filter(|r| r.effective == s).count(),
        })
        .collect();
    Ok(NoticeReading {
        effective,
        decided: reviewed.iter().filter(|r| r.r#override.is_some()).count(),
        document: id,
        period: analysis.period.as_ref().map(|p| p.described()),
        round: read.round,
        analysis,
        reviewed,
    })
}

#[derive(Debug, Clone, Deserialize)]
pub struct DecideForm {
    /// done / in_progress / lagging / blocked / not_started / unknown
    pub status: String,
    pub reason: String,
}

/// The office sets a task's status over the suggestion; the suggestion stays visible.
pub async fn decide_status(
    state: &AppState,
    user: &User,
    document: i64,
    number: u32,
    form: DecideForm,
) -> Result<StatusOverride, AppError> {
    require(user, OFFICE)?;
    let status = Status::from_code(form.status.trim())
        .ok_or_else(|| AppError::BadRequest(format!("未知的状态“{}”", form.status)))?;
    limits::COMMENT.check(&form.reason)?;
    Ok(state
        .store
        .set_status_override(
            DocumentId(document),
            number,
            user,
            status,
            &form.reason,
            Utc::now(),
        )
        .await?)
}

/// Who missed which deadline: the office's list of whom to chase.
pub async fn lapses(
    state: &AppState,
    user: &User,
    document: Option<i64>,
) -> Result<Vec<Lapse>, AppError> {
    require(user, READERS)?;
    let today = china_date(Utc::now());
    Ok(state.store.lapses(document.map(DocumentId), today).await?)
}

/// The analysis statuses, for the 审定 form.
pub(crate) fn status_choices() -> Vec<minijinja::Value> {
    Status::ALL
        .iter()
        .map(|s| choice(s.code(), s.label()))
        .collect()
}
