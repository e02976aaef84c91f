//! Reporting rounds (填报轮次): the office opens one for a document's tasks, units
//! report in it, the office closes it. Who has not reported yet is computed here, and
//! the round on one page: every report's text in one table, filtered by unit and
//! state, exported to XLSX.

mod api;
mod pages;
pub(crate) use pages::{PageForms, past_date_question, rounds_page};

use axum::Router;
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use duban_domain::limits;
use duban_domain::selection::TaskSelection;
use duban_render::table::{DataTable, TableCell};
use duban_store::{DocumentId, NewRound, ReportFilter, ReportSummary, RoundId, RoundSummary, User};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::{OFFICE, READERS, require};
use crate::error::AppError;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/rounds", get(pages::rounds).post(pages::open_round))
        .route("/rounds/{id}", get(pages::round))
        .route("/rounds/{id}/close", post(pages::close_round))
        .route("/rounds/{id}/table.xlsx", get(pages::round_table))
}

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/rounds", get(api::rounds).post(api::open_round))
        .route("/rounds/{id}", get(api::round))
        .route("/rounds/{id}/close", post(api::close_round))
}

#[derive(Debug, Clone, Serialize)]
pub struct UnreportedUnit {
    pub unit: String,
    pub tasks: Vec<u32>,
}

/// One report as the round's table shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RoundReport {
    #[serde(flatten)]
    pub summary: ReportSummary,
    /// Its text (plain); `None` while it is withheld from the viewer (not yet signed
    /// off by its unit head, see `reports::content_withheld`).
    pub text: Option<String>,
}

/// Which reports of the round to show: one unit's, those in one state.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct RoundFilter {
    #[serde(default)]
    pub unit: Option<String>,
    /// A `ReportState` code.
    #[serde(default)]
    pub state: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoundDetail {
    pub round: RoundSummary,
    /// The reports the filter keeps, by task and unit.
    pub reports: Vec<RoundReport>,
    /// Every unit with a report in the round, for the filter.
    pub units: Vec<String>,
    /// Units with at least one report not yet submitted (or sent back), with those tasks.
    pub not_reported: Vec<UnreportedUnit>,
}

pub async fn round_detail(
    state: &AppState,
    user: &User,
    id: i64,
    filter: &RoundFilter,
) -> Result<RoundDetail, AppError> {
    require(user, READERS)?;
    let wanted_state = match filter.state.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(
            duban_domain::ReportState::from_code(code)
                .ok_or_else(|| AppError::BadRequest(format!("未知的填报状态“{code}”")))?,
        ),
    };
    let wanted_unit = filter
        .unit
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    let round = state
        .store
        .round(RoundId(id))
        .await?
        .ok_or(AppError::NotFound("该填报轮次"))?;
    let mut reports = state
        .store
        .reports(&ReportFilter {
            round: Some(round.id),
            ..ReportFilter::default()
        })
        .await?;
    crate::reports::redact_summaries(user, &mut reports);
    let mut texts = state.store.report_texts(round.id).await?;
    let mut units: Vec<String> = Vec::new();
    for r in &reports {
        if !units.contains(&r.unit) {
            units.push(r.unit.clone());
        }
    }
    let mut not_reported: Vec<UnreportedUnit> = Vec::new();
    for r in reports.iter().filter(|r| !r.state.is_reported()) {
        match not_reported.iter_mut().find(|u| u.unit == r.unit) {
            Some(u) => u.tasks.push(r.task),
            None => not_reported.push(UnreportedUnit {
                unit: r.unit.clone(),
                tasks: vec![r.task],
            }),
        }
    }
    let reports = reports
        .into_iter()
        .filter(|r| wanted_unit.is_none_or(|u| r.unit == u))
        .filter(|r| wanted_state.is_none_or(|s| r.state == s))
        .map(|r| {
            let withheld = crate::reports::content_withheld(user, &r.unit, r.state);
            let text = texts.remove(&r.id).filter(|_| !withheld);
            RoundReport { summary: r, text }
        })
        .collect();
    Ok(RoundDetail {
        round,
        reports,
        units,
        not_reported,
    })
}

/// The round's table as a workbook: the reports the filter keeps, with their text.
pub async fn round_table(
    state: &AppState,
    user: &User,
    id: i64,
    filter: &RoundFilter,
) -> Result<(String, Vec<u8>), AppError> {
    let detail = round_detail(state, user, id, filter).await?;
    let round = &detail.round;
    let document = round.doc_number.clone().unwrap_or_default();
    let mut scope = Vec::new();
    if let Some(unit) = filter.unit.as_deref().filter(|u| !u.trim().is_empty()) {
        scope.push(unit.trim().to_string());
    }
    if let Some(s) = filter
        .state
        .as_deref()
        .and_then(|c| duban_domain::ReportState::from_code(c.trim()))
    {
        scope.push(s.label().to_string());
    }
    let title = format!("{document}{}填报情况", round.label)
        .trim()
        .to_string();
    let rows = detail
        .reports
        .iter()
        .map(|r| {
            let s = &r.summary;
            vec![
                TableCell::from(s.task),
                TableCell::from(s.task_content.as_str()),
                TableCell::from(s.unit.as_str()),
                TableCell::from(s.state.label()),
                match &r.text {
                    Some(t) => TableCell::from(t.as_str()),
                    None => TableCell::from("（单位负责人审核前不显示）"),
                },
                s.percent
                    .map_or(TableCell::Empty, |p| TableCell::from(format!("{p}"))),
                TableCell::from(local_time(s.updated_at)),
                TableCell::from(local_time(s.submitted_at)),
            ]
        })
        .collect();
    let table = DataTable {
        sheet: "填报情况".into(),
        title: title.clone(),
        note: format!(
            "截止日期{}；{}共{}份{}。",
            round.due,
            if scope.is_empty() {
                String::new()
            } else {
                format!("{}，", scope.join("、"))
            },
            detail.reports.len(),
            if round.closed {
                "，本轮已关闭"
            } else {
                ""
            },
        ),
        header: [
            "序号",
            "任务",
            "单位",
            "状态",
            "落实情况",
            "完成进度",
            "最后修改",
            "报送时间",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    };
    let bytes =
        duban_render::table::table_xlsx(&table).map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok((format!("{title}.xlsx"), bytes))
}

/// A time as the office reads it (China time, to the minute); empty for none.
fn local_time(at: Option<chrono::DateTime<Utc>>) -> String {
    at.map(|t| {
        (t + chrono::Duration::hours(8))
            .format("%Y-%m-%d %H:%M")
            .to_string()
    })
    .unwrap_or_default()
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct OpenRound {
    pub document: i64,
    pub label: String,
    pub due: NaiveDate,
    /// `1,2,5-8`; empty for every task.
    #[serde(default)]
    pub tasks: Option<String>,
    /// The page's “截止日期已过，仍然开启” (the API takes any date, e.g. to record
    /// past rounds).
    #[serde(default)]
    pub past_due_confirmed: Option<String>,
}

pub async fn open_round(
    state: &AppState,
    user: &User,
    form: OpenRound,
) -> Result<RoundId, AppError> {
    require(user, OFFICE)?;
    let label = form.label.trim();
    if label.is_empty() {
        return Err(AppError::BadRequest("请填写填报期间，如“1-10月”".into()));
    }
    limits::ROUND_LABEL.check(label)?;
    let tasks = task_selection(state, form.document, form.tasks.as_deref()).await?;
    let round = NewRound {
        document: DocumentId(form.document),
        label: label.to_string(),
        due: form.due,
        tasks,
    };
    Ok(state.store.open_round(round, user.id, Utc::now()).await?)
}

/// The tasks a round or schedule of `document` covers, as the form gives them: blank
/// for every task (`None`), otherwise a list like `1,2,5-8`, read as ranges and checked
/// against the document's task count before it is expanded.
pub async fn task_selection(
    state: &AppState,
    document: i64,
    text: Option<&str>,
) -> Result<Option<Vec<u32>>, AppError> {
    let bad = |e: duban_domain::selection::SelectionError| AppError::BadRequest(e.to_string());
    let Some(selection) = TaskSelection::parse(text.unwrap_or_default()).map_err(bad)? else {
        return Ok(None);
    };
    let count = state
        .store
        .task_count(DocumentId(document))
        .await?
        .ok_or(AppError::NotFound("该文件"))?;
    selection.numbers_within(count).map(Some).map_err(bad)
}

pub async fn close_round(state: &AppState, user: &User, id: i64) -> Result<(), AppError> {
    require(user, OFFICE)?;
    state
        .store
        .round(RoundId(id))
        .await?
        .ok_or(AppError::NotFound("该填报轮次"))?;
    state.store.close_round(RoundId(id), Utc::now()).await?;
    Ok(())
}
