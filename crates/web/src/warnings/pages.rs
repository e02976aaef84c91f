//! The list of tasks by light, the office's rule editor, and the lights' colours as a
//! stylesheet (the pages allow no inline style).

use axum::Form;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use duban_domain::warning::{Condition, MAX_LIGHTS, WarningRules};
use minijinja::context;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::templates::{render, v};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub light: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    let w = super::warnings(&state, &user, q.light.as_deref()).await?;
    render(
        &state,
        "warnings.html",
        context! { user => v(user), w => v(w) },
    )
}

/// `.light-N` for each light of the rules in force: its colour as a dot and a badge.
pub async fn stylesheet(State(state): State<AppState>) -> Result<Response, AppError> {
    let rules = state.store.warning_rules().await?.rules;
    let mut css = String::new();
    for (i, light) in rules.lights.iter().enumerate() {
        // Checked colours only (#RRGGBB), so nothing else can reach the stylesheet.
        css.push_str(&format!(
            ".light-{i}{{background-color:{c};color:#fff}}.light-{i}.dot{{color:{c};background:none}}\n",
            c = light.colour
        ));
    }
    Ok(([(header::CONTENT_TYPE, "text/css; charset=utf-8")], css).into_response())
}

/// The editor's form: the rules (as typed, or in force), blank rows to add to, and
/// the preview when asked for.
fn editor(
    state: &AppState,
    user: duban_store::User,
    rules: &WarningRules,
    preview: Option<super::Preview>,
    error: Option<String>,
    saved: bool,
) -> Result<Html<String>, AppError> {
    let blank_lights = MAX_LIGHTS.saturating_sub(rules.lights.len());
    let conditions: Vec<(&str, &str, bool)> = Condition::KINDS
        .iter()
        .map(|c| (c.code(), c.kind_label(), c.number().is_some()))
        .collect();
    // Each rule as the form's row: condition code, its number (or blank), light.
    let rule_rows: Vec<(&str, String, &str)> = rules
        .rules
        .iter()
        .map(|r| {
            let n = r
                .condition
                .number()
                .map(|n| n.to_string())
                .unwrap_or_default();
            (r.condition.code(), n, r.light.as_str())
        })
        .collect();
    render(
        state,
        "warning_settings.html",
        context! {
            user => v(user), rules => v(rules), rule_rows => v(rule_rows), preview => v(preview),
            error => v(error), saved => saved, blank_lights => blank_lights,
            conditions => v(conditions),
        },
    )
}

pub async fn settings(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Html<String>, AppError> {
    let rules = super::rules(&state, &user).await?;
    let saved = query.is_some_and(|q| q.contains("saved=1"));
    editor(&state, user, &rules, None, None, saved)
}

/// 预览 shows the counts under the rules typed; 保存 saves them. A refusal keeps what
/// was typed in the form, with the reason.
pub async fn settings_post(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let action = pairs
        .iter()
        .find(|(k, _)| k == "action")
        .map(|(_, v)| v.as_str())
        .unwrap_or("save");
    let (typed, error) = super::rules_from_form(&pairs);
    if let Some(e) = error {
        return refused(&state, user, e, typed).await;
    }
    let outcome = if action == "preview" {
        super::preview(&state, &user, typed.clone()).await.map(Some)
    } else {
        super::save(&state, &user, typed.clone())
            .await
            .map(|_| None)
    };
    match outcome {
        Ok(Some((rules, preview))) => {
            Ok(editor(&state, user, &rules, Some(preview), None, false)?.into_response())
        }
        Ok(None) => Ok(Redirect::to("/settings/warnings?saved=1").into_response()),
        Err(e) if e.is_refusal() => refused(&state, user, e, typed).await,
        Err(e) => Err(e),
    }
}

async fn refused(
    state: &AppState,
    user: duban_store::User,
    e: AppError,
    rules: WarningRules,
) -> Result<Response, AppError> {
    let status = e.status();
    Ok((
        status,
        editor(state, user, &rules, None, Some(e.to_string()), false)?,
    )
        .into_response())
}
