//! The rounds pages.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use duban_domain::ReportState;
use minijinja::context;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use crate::AppState;
use crate::auth::{CurrentUser, READERS, require};
use crate::error::AppError;
use crate::templates::{choice, render, v};
use duban_store::User;

pub async fn rounds(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Html<String>, AppError> {
    rounds_page(&state, &user, PageForms::default()).await
}

/// The page's two forms (开启新一轮填报, 交办) as typed, with why one was not done and
/// whether its date is past and asked about (a box to tick), so nothing typed is lost.
#[derive(Debug, Default)]
pub(crate) struct PageForms<'a> {
    pub opening: Option<&'a super::OpenRound>,
    pub refusal: Option<String>,
    pub past_due: bool,
    /// 交办 as typed: the document and the 签收期限.
    pub assigning: Option<(i64, chrono::NaiveDate)>,
    pub assign_refusal: Option<String>,
    pub assign_past_due: bool,
}

/// The rounds page, with its forms as `forms` gives them back.
pub(crate) async fn rounds_page(
    state: &AppState,
    user: &User,
    forms: PageForms<'_>,
) -> Result<Html<String>, AppError> {
    require(user, READERS)?;
    let rounds = state.store.rounds(None).await?;
    let documents = state.store.list_documents().await?;
    let assigning = forms.assigning.map(
        |(document, ack_due)| context! { document => document, ack_due => ack_due.to_string() },
    );
    render(
        state,
        "rounds.html",
        context! {
            can_open => v(user.role.is_office()), user => v(user), rounds => v(rounds),
            documents => v(documents), opening => v(forms.opening), refusal => forms.refusal,
            past_due => forms.past_due, assigning => assigning,
            assign_refusal => forms.assign_refusal, assign_past_due => forms.assign_past_due,
        },
    )
}

/// Why a date already past is asked about before it is used: `what` is the date's
/// name, `consequence` what it means for the units.
pub(crate) fn past_date_question(
    what: &str,
    date: chrono::NaiveDate,
    today: chrono::NaiveDate,
    consequence: &str,
    tick: &str,
) -> String {
    format!(
        "{what} {date} 已过（今天是 {today}）：{consequence}。如确需按此日期（如补录往期），请勾选“{tick}”后再提交；否则请改为今后的日期。"
    )
}

/// Opens a round from the page's form. A due date already past is asked about first
/// (the form comes back with a box to tick); a refusal keeps what was typed.
pub async fn open_round(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<super::OpenRound>,
) -> Result<Response, AppError> {
    let today = crate::warnings::today();
    if form.due < today && form.past_due_confirmed.is_none() {
        let reason = past_date_question(
            "截止日期",
            form.due,
            today,
            "各单位一开启就已逾期",
            "截止日期已过，仍然开启",
        );
        let forms = PageForms {
            opening: Some(&form),
            refusal: Some(reason),
            past_due: true,
            ..PageForms::default()
        };
        let page = rounds_page(&state, &user, forms).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    match super::open_round(&state, &user, form.clone()).await {
        Ok(id) => Ok(Redirect::to(&format!("/rounds/{id}")).into_response()),
        Err(e) if e.is_refusal() => {
            let status = e.status();
            let forms = PageForms {
                opening: Some(&form),
                refusal: Some(e.to_string()),
                ..PageForms::default()
            };
            let page = rounds_page(&state, &user, forms).await?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn round(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Query(filter): Query<super::RoundFilter>,
) -> Result<Html<String>, AppError> {
    let view = super::round_detail(&state, &user, id, &filter).await?;
    let encode = |s: &Option<String>| {
        utf8_percent_encode(s.as_deref().unwrap_or_default(), NON_ALPHANUMERIC).to_string()
    };
    let query = format!(
        "unit={}&state={}",
        encode(&filter.unit),
        encode(&filter.state)
    );
    render(
        &state,
        "round.html",
        context! {
            can_close => v(user.role.is_office()), user => v(user), round => v(view.round),
            reports => v(view.reports), units => v(view.units),
            not_reported => v(view.not_reported), filter => v(filter), query => query,
            states => ReportState::ALL.iter().map(|s| choice(s.code(), s.label())).collect::<Vec<_>>(),
        },
    )
}

/// The round's table (as filtered) as an Excel workbook.
pub async fn round_table(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Query(filter): Query<super::RoundFilter>,
) -> Result<Response, AppError> {
    let (name, bytes) = super::round_table(&state, &user, id, &filter).await?;
    Ok(crate::download::xlsx(&name, bytes))
}

pub async fn close_round(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Redirect, AppError> {
    super::close_round(&state, &user, id).await?;
    Ok(Redirect::to(&format!("/rounds/{id}")))
}
