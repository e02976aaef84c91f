//! A round's notice as a page: the figures, the wording to edit, the table, the files,
//! and issuing.

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use duban_domain::Disclosure;
use duban_domain::round_notice::BodyParagraph;
use minijinja::context;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::templates::{render, v};

use super::api::Variant;
use super::{IssueForm, Prepared, WordingForm};

pub async fn notice(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    let prepared = super::view(&state, &user, id).await?;
    notice_page(&state, user, id, &prepared, None, None)
}

/// The page, with a message (a refusal) and the wording as typed when it was refused.
fn notice_page(
    state: &AppState,
    user: duban_store::User,
    id: i64,
    prepared: &Prepared,
    error: Option<String>,
    typed: Option<&[BodyParagraph]>,
) -> Result<Html<String>, AppError> {
    let view = prepared.view();
    let body = typed.map_or_else(|| view.body.clone(), <[BodyParagraph]>::to_vec);
    let disclosures: Vec<&str> = [
        Disclosure::Active,
        Disclosure::OnRequest,
        Disclosure::NotDisclosed,
    ]
    .iter()
    .map(|d| d.label())
    .collect();
    let statuses: Vec<serde_json::Value> = prepared
        .composed
        .lines
        .iter()
        .map(|l| {
            serde_json::json!({
                "number": l.number,
                "label": l.status.label(),
                "code": l.status.code(),
                "decided": l.decided,
                "units": l.lead_units.join("、"),
            })
        })
        .collect();
    render(
        state,
        "round_notice.html",
        context! {
            can_edit => v(user.role.is_office() && view.issued.is_none()),
            user => v(user), id => id, n => v(&view.notice), body => v(body),
            view => v(&view), error => v(error), disclosures => v(disclosures),
            statuses => v(statuses), setup_missing => prepared.source.setup.is_none(),
            fonts => v(duban_render::system_font_substitutions()),
        },
    )
}

/// The body as the page's form sends it: one `text` per paragraph in order, `internal`
/// naming the index of each paragraph marked internal, and `action` `save` or `reset`.
fn wording_from_pairs(pairs: &[(String, String)]) -> (WordingForm, Vec<BodyParagraph>) {
    let internal: Vec<usize> = pairs
        .iter()
        .filter(|(k, _)| k == "internal")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let typed: Vec<BodyParagraph> = pairs
        .iter()
        .filter(|(k, _)| k == "text")
        .enumerate()
        .map(|(i, (_, text))| BodyParagraph {
            text: text.clone(),
            internal: internal.contains(&i),
        })
        .collect();
    let reset = pairs.iter().any(|(k, v)| k == "action" && v == "reset");
    let disclosure = pairs
        .iter()
        .find(|(k, _)| k == "disclosure")
        .and_then(|(_, v)| {
            [
                Disclosure::Active,
                Disclosure::OnRequest,
                Disclosure::NotDisclosed,
            ]
            .into_iter()
            .find(|d| d.label() == v)
        });
    (
        WordingForm {
            body: (!reset).then(|| typed.clone()),
            disclosure,
        },
        typed,
    )
}

pub async fn save_wording(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (form, typed) = wording_from_pairs(&pairs);
    match super::save_wording(&state, &user, id, form).await {
        Ok(_) => Ok(Redirect::to(&format!("/rounds/{id}/notice#wording")).into_response()),
        // Refused: the page again with the reason and every word as typed.
        Err(e @ (AppError::BadRequest(_) | AppError::TooLong(_) | AppError::Store(_)))
            if e.status().is_client_error() =>
        {
            let prepared = super::view(&state, &user, id).await?;
            let page = notice_page(
                &state,
                user,
                id,
                &prepared,
                Some(e.to_string()),
                Some(&typed),
            )?;
            Ok((e.status(), page).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn issue(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<IssueForm>,
) -> Result<Response, AppError> {
    let confirmed = if form.confirm.as_deref() == Some("yes") {
        Ok(())
    } else {
        Err(AppError::BadRequest(
            "请勾选“确认印发”：印发后文号即确定、内容不再变化，本轮填报随之关闭，主动公开的通报将在“公开文件”中发布"
                .into(),
        ))
    };
    let issued = match confirmed {
        Ok(()) => super::issue(&state, &user, id, form).await,
        Err(e) => Err(e),
    };
    match issued {
        Ok(_) => Ok(Redirect::to(&format!("/rounds/{id}/notice")).into_response()),
        Err(e @ (AppError::Figures(_) | AppError::BadRequest(_) | AppError::Store(_)))
            if e.status().is_client_error() =>
        {
            let prepared = super::view(&state, &user, id).await?;
            let page = notice_page(&state, user, id, &prepared, Some(e.to_string()), None)?;
            Ok((e.status(), page).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn file(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, format)): Path<(i64, String)>,
    Query(variant): Query<Variant>,
) -> Result<Response, AppError> {
    super::file(&state, &user, id, &format, variant.public()).await
}
