//! The office's decisions on task statuses, over the analysis's suggestions.

use chrono::{DateTime, Utc};
use duban_domain::WorkflowError;
use duban_domain::analysis::{Status, StatusOverride};

use crate::codec::{parse_timestamp, timestamp_text, u32_from};
use crate::db::{Tx, execute, with_conn};
use crate::tasks::task_id;
use crate::{DocumentId, Store, StoreError, User, accounts, finish};

/// What the actor does, as `WorkflowError` names it.
const DECIDE: &str = "审定状态";

async fn set(
    tx: &mut Tx,
    document: DocumentId,
    number: u32,
    actor: &User,
    status: Status,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<StatusOverride, StoreError> {
    let task = task_id(tx, document, number).await?;
    let current = accounts::user(tx, actor.id)
        .await?
        .ok_or(StoreError::UserNotFound(actor.id))?;
    if !current.role.is_office() {
        return Err(StoreError::Workflow(WorkflowError::RoleNotAllowed {
            role: current.role.label(),
            action: DECIDE,
        }));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Workflow(WorkflowError::CommentRequired(DECIDE)));
    }
    execute!(tx, sqlx::query(
        "INSERT INTO status_overrides (task_id, status, reason, author_id, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(task)
    .bind(status.code())
    .bind(reason)
    .bind(current.id.0)
    .bind(timestamp_text(now)))?;
    Ok(StatusOverride {
        status,
        author: current.display_name,
        reason: reason.to_string(),
        at: now,
    })
}

impl Store {
    /// Records the office's status for a task, with its reason (required). Only
    /// supervisors and admins decide; the actor's role is re-read from the store.
    pub async fn set_status_override(
        &self,
        document: DocumentId,
        number: u32,
        actor: &User,
        status: Status,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<StatusOverride, StoreError> {
        let mut tx = self.db.write().await?;
        let result = set(&mut tx, document, number, actor, status, reason, now).await;
        finish(tx, result).await
    }

    /// The decision in force (the latest) for each task of the document that has one.
    pub async fn status_overrides(
        &self,
        document: DocumentId,
    ) -> Result<Vec<(u32, StatusOverride)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            number: i64,
            status: String,
            reason: String,
            author: String,
            at: String,
        }
        let mut tx = self.db.read().await?;
        let rows: Vec<Row> = with_conn!(&mut tx, c => sqlx::query_as(
            "SELECT t.number, o.status, o.reason, u.display_name AS author, o.at \
             FROM status_overrides o \
             JOIN tasks t ON t.id = o.task_id \
             JOIN users u ON u.id = o.author_id \
             WHERE t.document_id = $1 \
               AND o.id = (SELECT MAX(o2.id) FROM status_overrides o2 WHERE o2.task_id = o.task_id) \
             ORDER BY t.number",
        )
        .bind(document.0)
        .fetch_all(c)
        .await)?;
        tx.commit().await?;
        rows.into_iter()
            .map(|r| {
                let status = Status::from_code(&r.status)
                    .ok_or_else(|| StoreError::Corrupt(format!("未知的任务状态“{}”", r.status)))?;
                Ok((
                    u32_from("任务序号", r.number)?,
                    StatusOverride {
                        status,
                        author: r.author,
                        reason: r.reason,
                        at: parse_timestamp("审定时间", &r.at)?,
                    },
                ))
            })
            .collect()
    }
}
