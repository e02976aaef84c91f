//! A unit's own reports, the review queue, and the report page with its editor.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use duban_domain::Role;
use minijinja::context;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::evidence;
use crate::templates::{choice, render, v};

use super::ReportForm;

pub async fn my(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Html<String>, AppError> {
    let reports = super::my_reports(&state, &user).await?;
    let pending = duban_store::AssignmentFilter {
        pending_only: true,
        ..Default::default()
    };
    let pending = crate::tasks::list_assignments(&state, &user, pending).await?;
    let instructions = crate::instructions::of_unit(&state, &user).await?;
    render(
        &state,
        "my.html",
        context! { user => v(user), reports => v(reports), pending => v(pending), instructions => v(instructions) },
    )
}

pub async fn review(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Html<String>, AppError> {
    review_page(&state, user, None, None).await
}

/// The review queue, with what a batch step just did (`done`) or why it was refused.
async fn review_page(
    state: &AppState,
    user: duban_store::User,
    done: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, AppError> {
    let reports = super::review_queue(state, &user).await?;
    let (intro, batch) = if user.role == Role::UnitHead {
        (
            "本单位已提交、待您审核的填报。",
            Some(("approve", "批量审核通过")),
        )
    } else {
        (
            "各单位负责人审核通过、待督查室审核的填报。",
            Some(("accept", "批量采纳")),
        )
    };
    render(
        state,
        "reports.html",
        context! {
            user => v(user), reports => v(reports), heading => v("待审核"), intro => v(intro),
            empty => v("没有待审核的填报。"), batch => v(batch), done => v(done), error => v(error),
        },
    )
}

/// 批量审核通过 / 批量采纳 from the queue: `ids` (repeated) and `action`.
pub async fn review_batch(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let ids: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "ids")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let action = pairs
        .iter()
        .find(|(k, _)| k == "action")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    match super::act_on_reports(&state, &user, &ids, action).await {
        Ok(outcome) => {
            let label = if action == "accept" {
                "采纳"
            } else {
                "审核通过"
            };
            let mut done = format!("已{label} {} 份填报。", outcome.done.len());
            if !outcome.refused.is_empty() {
                done.push_str(&format!("{} 份未能处理：", outcome.refused.len()));
                let reasons: Vec<String> = outcome
                    .refused
                    .iter()
                    .map(|r| format!("编号 {}（{}）", r.id, r.reason))
                    .collect();
                done.push_str(&reasons.join("；"));
            }
            Ok(review_page(&state, user, Some(done), None)
                .await?
                .into_response())
        }
        Err(e) if e.is_refusal() => {
            let status = e.status();
            Ok((
                status,
                review_page(&state, user, None, Some(e.to_string())).await?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn report(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    report_page(&state, user, id, None, None).await
}

/// What the user typed into the editor, shown again when the step was refused.
pub(crate) struct Typed {
    pub text: Option<String>,
    pub percent: Option<String>,
    /// The save was refused because someone saved the report meanwhile: the page shows
    /// what is saved now beside the editor that holds what was typed.
    pub conflict: bool,
}

/// The report page; `flash` is why a step was refused, `typed` what the editor held
/// then (never lost: it fills the editor again, and when the report can no longer be
/// edited it is shown for the user to copy).
pub(crate) async fn report_page(
    state: &AppState,
    user: duban_store::User,
    id: i64,
    flash: Option<String>,
    typed: Option<Typed>,
) -> Result<Html<String>, AppError> {
    let view = super::report_view(state, &user, id).await?;
    let comparison = view.comparison;
    let plan = view.plan;
    let withheld = view.withheld;
    let r = view.detail;
    let actions: Vec<_> = super::review_actions(&user, &r)
        .into_iter()
        .map(|a| choice(a.code(), a.label()))
        .collect();
    let (typed_text, typed_percent, conflict) = match typed {
        Some(t) => (t.text, t.percent, t.conflict),
        None => (None, None, false),
    };
    let editable = typed_text
        .clone()
        .unwrap_or_else(|| super::editable_text(&r.text));
    let diff = r.previous.as_ref().map(|(_, before)| {
        minijinja::Value::from_safe_string(crate::html::diff_html(before, &r.text))
    });
    let evidence = evidence::report_evidence(state, &user, &r).await?;
    render(
        state,
        "report.html",
        context! { can_edit => v(super::can_edit(&user, &r)), user => v(user), r => v(r), actions => v(actions), editable => v(editable), diff => diff.unwrap_or_default(), comparison => v(comparison), plan => plan, flash => v(flash), evidence => v(evidence), withheld => withheld, typed_text => v(typed_text), typed_percent => v(typed_percent), conflict => conflict },
    )
}

pub async fn report_submit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ReportForm>,
) -> Result<Response, AppError> {
    let mut typed = Typed {
        text: form.text.clone(),
        percent: form.percent.clone(),
        conflict: false,
    };
    match super::act_on_report(&state, &user, id, form).await {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{id}")).into_response()),
        // A refused step shows the page again with the reason and what was typed,
        // not an error page.
        Err(e) if e.is_refusal() => {
            let status = e.status();
            typed.conflict = matches!(
                e,
                AppError::Store(duban_store::StoreError::EditConflict { .. })
            );
            Ok((
                status,
                report_page(&state, user, id, Some(e.to_string()), Some(typed)).await?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}
