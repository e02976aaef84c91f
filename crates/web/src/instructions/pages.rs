//! The 批示 form on the task page.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use duban_domain::instruction::InstructionDraft;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::tasks::{Typed, task_page};

/// The form as posted: an empty date is "today", an unticked box is absent.
#[derive(Debug, Deserialize)]
pub struct InstructionForm {
    #[serde(default)]
    pub leader: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub signed_on: String,
    #[serde(default)]
    pub reopen: Option<String>,
    #[serde(default)]
    pub supervise: Option<String>,
}

impl InstructionForm {
    fn draft(&self) -> Result<InstructionDraft, AppError> {
        let date = self.signed_on.trim();
        let signed_on = if date.is_empty() {
            None
        } else {
            Some(NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
                AppError::BadRequest(format!(
                    "批示日期“{date}”无法识别：请按 2026-12-04 的格式填写，或留空表示今天"
                ))
            })?)
        };
        Ok(InstructionDraft {
            leader: self.leader.clone(),
            text: self.text.clone(),
            signed_on,
            reopen: self.reopen.is_some(),
            supervise: self.supervise.is_some(),
        })
    }

    /// What was typed, to give back as it was when the date itself is refused.
    fn as_typed(&self) -> InstructionDraft {
        InstructionDraft {
            leader: self.leader.clone(),
            text: self.text.clone(),
            signed_on: None,
            reopen: self.reopen.is_some(),
            supervise: self.supervise.is_some(),
        }
    }
}

pub async fn record(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
    Form(form): Form<InstructionForm>,
) -> Result<Response, AppError> {
    let result = match form.draft() {
        Ok(draft) => super::record(&state, &user, document, number, &draft)
            .await
            .map_err(|e| (e, draft)),
        Err(e) => Err((e, form.as_typed())),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "/documents/{document}/tasks/{number}#instructions"
        ))
        .into_response()),
        Err((e, draft)) if e.is_refusal() => {
            let typed = Typed {
                instruction: Some(draft),
                ..Typed::default()
            };
            let page =
                task_page(&state, user, document, number, Some(e.to_string()), typed).await?;
            Ok((e.status(), page).into_response())
        }
        Err((e, _)) => Err(e),
    }
}
