//! Units' reports (填报): a unit's reporter writes and submits, its head approves or
//! sends back, the office accepts or returns (`duban_domain::workflow`). A unit's
//! accounts see only their unit's reports; another unit's report is "not found".

mod api;
mod pages;

use axum::Router;
use axum::routing::{get, post};
use chrono::Utc;
use duban_domain::analysis::{ReportComparison, compare_reports};
use duban_domain::{Percent, ReportAction, ReportState, RichText, Role, Run, limits};
use duban_formats::inline::{MARKDOWN, parse_inline};
use duban_store::{ReportChange, ReportDetail, ReportFilter, ReportId, ReportSummary, User};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::AppError;

pub(crate) use pages::report_page;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/my", get(pages::my))
        .route("/review", get(pages::review))
        .route("/review/batch", post(pages::review_batch))
        .route(
            "/reports/{id}",
            get(pages::report).post(pages::report_submit),
        )
}

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(api::reports))
        .route("/reports/review", get(api::review_queue))
        .route("/reports/mine", get(api::my_reports))
        .route("/reports/batch", post(api::batch))
        .route("/reports/{id}", get(api::report))
        .route("/reports/{id}/actions", post(api::act_on_report))
}

/// The reports a user works on: a unit's own in open rounds; the office's review queue.
pub async fn my_reports(state: &AppState, user: &User) -> Result<Vec<ReportSummary>, AppError> {
    let unit = match user.role {
        Role::Reporter | Role::UnitHead => Some(user.unit.clone().ok_or(AppError::Forbidden)?),
        _ => return Err(AppError::Forbidden),
    };
    Ok(state
        .store
        .reports(&ReportFilter {
            unit,
            open_rounds_only: true,
            ..ReportFilter::default()
        })
        .await?)
}

pub async fn review_queue(state: &AppState, user: &User) -> Result<Vec<ReportSummary>, AppError> {
    let filter = match user.role {
        Role::UnitHead => ReportFilter {
            unit: Some(user.unit.clone().ok_or(AppError::Forbidden)?),
            state: Some(ReportState::Submitted),
            ..ReportFilter::default()
        },
        r if r.is_office() => ReportFilter {
            state: Some(ReportState::UnitApproved),
            ..ReportFilter::default()
        },
        _ => return Err(AppError::Forbidden),
    };
    Ok(state.store.reports(&filter).await?)
}

/// Reports listed through the API, scoped to what the user may see.
pub async fn list_reports(
    state: &AppState,
    user: &User,
    mut filter: ReportFilter,
) -> Result<Vec<ReportSummary>, AppError> {
    // The three administrators see none of the work (三员分立, least privilege).
    if user.role.is_administrator() {
        return Err(AppError::Forbidden);
    }
    if user.role.needs_unit() {
        filter.unit = Some(user.unit.clone().ok_or(AppError::Forbidden)?);
    }
    let mut reports = state.store.reports(&filter).await?;
    redact_summaries(user, &mut reports);
    Ok(reports)
}

/// A report, if the user may see it. Another unit's report is "not found", never shown.
pub async fn report_detail(
    state: &AppState,
    user: &User,
    id: i64,
) -> Result<ReportDetail, AppError> {
    let detail = state
        .store
        .report(ReportId(id))
        .await?
        .ok_or(AppError::NotFound("该填报"))?;
    if !may_see_report(user, &detail.summary.unit) {
        return Err(AppError::NotFound("该填报"));
    }
    let mut detail = detail;
    if content_withheld(user, &detail.summary.unit, detail.summary.state) {
        detail.text = RichText::default();
        detail.summary.percent = None;
    }
    Ok(detail)
}

/// Whether the user may see a report of this unit: a unit's accounts only their own;
/// the three administrators none.
fn may_see_report(user: &User, unit: &str) -> bool {
    !user.role.is_administrator() && (!user.role.needs_unit() || user.unit.as_deref() == Some(unit))
}

/// Whether the report's content (text, percent, evidence) is withheld from this user:
/// from everyone outside the unit until its head has signed it off
/// ([`ReportState::readable_outside_unit`]).
pub fn content_withheld(user: &User, unit: &str, state: ReportState) -> bool {
    user.unit.as_deref() != Some(unit) && !state.readable_outside_unit()
}

/// Blanks what a listing shows of a report's content when it is withheld.
pub(crate) fn redact_summaries(user: &User, reports: &mut [ReportSummary]) {
    for r in reports {
        if content_withheld(user, &r.unit, r.state) {
            r.percent = None;
        }
    }
}

/// A report with the round-over-round check: whether the unit copied last round's text.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    #[serde(flatten)]
    pub detail: ReportDetail,
    /// Against the previous round's text, when there is one and this report has text.
    pub comparison: Option<ReportComparison>,
    /// The task's progress kind as one line (年度目标：2.5% …), when the office set one.
    pub plan: Option<String>,
    /// The text, percent and evidence are not shown: the unit head has not signed the
    /// report off yet ([`content_withheld`]).
    pub withheld: bool,
}

pub async fn report_view(state: &AppState, user: &User, id: i64) -> Result<ReportView, AppError> {
    let detail = report_detail(state, user, id).await?;
    let withheld = content_withheld(user, &detail.summary.unit, detail.summary.state);
    let comparison = match &detail.previous {
        Some((_, before)) if !detail.text.is_empty() => Some(compare_reports(
            &before.plain_text(),
            &detail.text.plain_text(),
        )),
        _ => None,
    };
    let plan = state
        .store
        .task_plans(detail.summary.document)
        .await?
        .get(&detail.summary.task)
        .map(|plan| plan.summary());
    Ok(ReportView {
        detail,
        comparison,
        plan,
        withheld,
    })
}

/// The steps this user could take on this report now (for buttons), editing excluded.
/// A closed round's reports take no step at all (the store refuses them too).
pub fn review_actions(user: &User, report: &ReportDetail) -> Vec<ReportAction> {
    if report.summary.round_closed {
        return Vec::new();
    }
    let same_unit = user.unit.as_deref() == Some(report.summary.unit.as_str());
    [
        ReportAction::Approve,
        ReportAction::SendBack,
        ReportAction::Accept,
        ReportAction::Return,
    ]
    .into_iter()
    .filter(|a| {
        duban_domain::next_state(report.summary.state, *a, user.role, same_unit, Some("-")).is_ok()
    })
    .collect()
}

pub fn can_edit(user: &User, report: &ReportDetail) -> bool {
    if report.summary.round_closed {
        return false;
    }
    let same_unit = user.unit.as_deref() == Some(report.summary.unit.as_str());
    duban_domain::next_state(
        report.summary.state,
        ReportAction::SaveDraft,
        user.role,
        same_unit,
        None,
    )
    .is_ok()
}

/// The steps taken on many reports at once from the review queue: those that need no
/// comment (a unit head's 审核通过, the office's 采纳).
pub const BATCH_ACTIONS: [ReportAction; 2] = [ReportAction::Approve, ReportAction::Accept];

/// The most reports one batch takes (a round of a large notice fits).
pub const MAX_BATCH: usize = 1_000;

/// What a batch step did: the reports it moved, and those it could not, each with
/// the reason (another unit's, or changed meanwhile …).
#[derive(Debug, Clone, Default, Serialize)]
pub struct BatchOutcome {
    pub done: Vec<i64>,
    pub refused: Vec<Refused>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Refused {
    pub id: i64,
    pub reason: String,
}

/// One step on many reports, each exactly as if taken on its own page (its own
/// authorisation, state check and event); a refused one is named with the reason and
/// the rest still go through.
pub async fn act_on_reports(
    state: &AppState,
    user: &User,
    ids: &[i64],
    action: &str,
) -> Result<BatchOutcome, AppError> {
    let action = ReportAction::from_code(action.trim())
        .filter(|a| BATCH_ACTIONS.contains(a))
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "批量操作只能是审核通过（approve）或采纳（accept），不能是“{action}”"
            ))
        })?;
    if ids.is_empty() {
        return Err(AppError::BadRequest("请先勾选要处理的填报".into()));
    }
    if ids.len() > MAX_BATCH {
        return Err(AppError::BadRequest(format!(
            "一次最多处理 {MAX_BATCH} 份填报，现选了 {} 份",
            ids.len()
        )));
    }
    let mut outcome = BatchOutcome::default();
    for &id in ids {
        let form = ReportForm {
            action: action.code().to_string(),
            text: None,
            percent: None,
            comment: None,
            seen_state: None,
            version: None,
        };
        match act_on_report(state, user, id, form).await {
            Ok(_) => outcome.done.push(id),
            Err(e) if e.is_refusal() || e.status().is_client_error() => {
                outcome.refused.push(Refused {
                    id,
                    reason: e.to_string(),
                })
            }
            Err(e) => return Err(e),
        }
    }
    Ok(outcome)
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReportForm {
    pub action: String,
    /// Editable text: a paragraph per line, `**bold**`; pasted HTML is cleaned.
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub percent: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    /// The state the user saw when acting (a hidden form field): if someone changed the
    /// report since, the step is refused as stale instead of applied blindly.
    #[serde(default)]
    pub seen_state: Option<String>,
    /// The report's version the editor showed (a hidden form field; on the API the
    /// `If-Match` header or this field): a save from an older version is refused with
    /// both texts instead of overwriting what someone else saved meanwhile.
    #[serde(default)]
    pub version: Option<String>,
}

/// The version a form or `If-Match` header names: a number, quoted or not (an ETag
/// is `"3"`); empty means none.
pub fn parse_version(text: Option<&str>) -> Result<Option<i64>, AppError> {
    parse_version_of("填报", text)
}

/// [`parse_version`] for the version of `what` (填报, 任务), named in the message.
pub(crate) fn parse_version_of(what: &str, text: Option<&str>) -> Result<Option<i64>, AppError> {
    let Some(text) = text
        .map(|t| t.trim().trim_start_matches("W/").trim_matches('"'))
        .filter(|t| !t.is_empty() && *t != "*")
    else {
        return Ok(None);
    };
    text.parse::<i64>()
        .ok()
        .filter(|v| *v >= 0)
        .map(Some)
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "{what}版本号“{text}”无效，应为页面或接口给出的数字，请刷新页面后重试"
            ))
        })
}

pub async fn act_on_report(
    state: &AppState,
    user: &User,
    id: i64,
    form: ReportForm,
) -> Result<ReportState, AppError> {
    // Seeing the report is the first check: another unit's report stays "not found".
    // Only its unit is needed for that (one lookup by id), not its text and history;
    // the step itself is checked again against the stored state when it is written.
    let head = state
        .store
        .report_head(ReportId(id))
        .await?
        .ok_or(AppError::NotFound("该填报"))?;
    if !may_see_report(user, &head.unit) {
        return Err(AppError::NotFound("该填报"));
    }
    let action = ReportAction::from_code(form.action.trim())
        .ok_or_else(|| AppError::BadRequest(format!("未知的操作“{}”", form.action)))?;
    let percent = Percent::parse_optional(form.percent.as_deref())?;
    if let Some(text) = &form.text {
        limits::REPORT_TEXT.check(text)?;
    }
    if let Some(comment) = &form.comment {
        limits::COMMENT.check(comment)?;
    }
    let text = form.text.as_deref().map(|t| parse_inline(t, MARKDOWN));
    let change = ReportChange {
        action,
        text,
        percent,
        comment: form.comment.filter(|c| !c.trim().is_empty()),
    };
    let seen = match form
        .seen_state
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(code) => Some(
            ReportState::from_code(code)
                .ok_or_else(|| AppError::BadRequest(format!("未知的填报状态“{code}”")))?,
        ),
        None => None,
    };
    if let Some(version) = parse_version(form.version.as_deref())? {
        return Ok(state
            .store
            .act_on_report_at_version(ReportId(id), user, change, seen, version, Utc::now())
            .await?);
    }
    Ok(match seen {
        Some(expected) => {
            state
                .store
                .act_on_report_expecting(ReportId(id), user, change, expected, Utc::now())
                .await?
        }
        None => {
            state
                .store
                .act_on_report(ReportId(id), user, change, Utc::now())
                .await?
        }
    })
}

/// Rich text as the editor shows it: a paragraph per line, bold as `**…**`.
pub fn editable_text(rich: &RichText) -> String {
    rich.paragraphs
        .iter()
        .map(|p| {
            p.runs
                .iter()
                .map(|Run { text, bold }| {
                    let escaped = text.replace('\\', "\\\\").replace('*', "\\*");
                    if *bold {
                        format!("**{escaped}**")
                    } else {
                        escaped
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editable_text_round_trips() {
        let rich = parse_inline("**区住建局：**已完成 3*4 项\n第二段", MARKDOWN);
        assert_eq!(parse_inline(&editable_text(&rich), MARKDOWN), rich);
    }
}
