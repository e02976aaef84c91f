//! 领导批示 on a task: a leader writes one on the task's page (the office records a
//! paper 批示 for a named leader); it may reopen the closed task or mark it for 领导督办.
//! Whoever sees the task sees its 批示; the lead units also find them on 本单位任务.
//! What a 批示 may say and do is `duban_domain::instruction`'s rule.

mod api;
mod pages;

use axum::Router;
use axum::routing::{get, post};
use chrono::Utc;
use duban_domain::china_date;
use duban_domain::instruction::{Instruction, InstructionDraft};
use duban_store::{DocumentId, InstructionRecord, User};

use crate::AppState;
use crate::error::AppError;

/// How many 批示 a unit's 本单位任务 page lists.
pub(crate) const UNIT_LIST_LIMIT: u32 = 20;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route(
        "/documents/{document}/tasks/{number}/instructions",
        post(pages::record),
    )
}

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new().route(
        "/documents/{document}/tasks/{number}/instructions",
        get(api::list).post(api::record),
    )
}

/// Records a 批示 on a task the user sees, as the domain's rule allows.
pub async fn record(
    state: &AppState,
    user: &User,
    document: i64,
    number: u32,
    draft: &InstructionDraft,
) -> Result<InstructionRecord, AppError> {
    // Seeing the task comes first: a task of another unit stays "not found".
    crate::tasks::task_detail(state, user, document, number).await?;
    let now = Utc::now();
    let instruction = Instruction::new(draft, user.role, &user.display_name, china_date(now))
        .map_err(duban_store::StoreError::from)?;
    Ok(state
        .store
        .record_instruction(DocumentId(document), number, user, &instruction, now)
        .await?)
}

/// The 批示 on a task the user sees, oldest first.
pub async fn of_task(
    state: &AppState,
    user: &User,
    document: i64,
    number: u32,
) -> Result<Vec<InstructionRecord>, AppError> {
    crate::tasks::task_detail(state, user, document, number).await?;
    Ok(state
        .store
        .task_instructions(DocumentId(document), number)
        .await?)
}

/// The latest 批示 on the tasks of the user's unit (its 本单位任务 page); none for an
/// account without a unit.
pub async fn of_unit(state: &AppState, user: &User) -> Result<Vec<InstructionRecord>, AppError> {
    match (&user.unit, user.role.needs_unit()) {
        (Some(unit), true) => Ok(state.store.unit_instructions(unit, UNIT_LIST_LIMIT).await?),
        _ => Ok(Vec::new()),
    }
}
