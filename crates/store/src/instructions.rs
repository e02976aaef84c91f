//! 领导批示 on tasks: recorded with the reopening it may bring in one transaction, read
//! back for a task's page and for a unit's list, and the tasks under 领导督办 now.
//! What a 批示 may say and do is `duban_domain::instruction`'s rule; this records it.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use duban_domain::instruction::{Instruction, check_author, under_supervision};
use duban_domain::{TaskAction, TaskState};
use serde::Serialize;

use crate::codec::{date_text, parse_date, parse_timestamp, task_state_from_code, timestamp_text};
use crate::db::{Lock, Tx, with_conn};
use crate::tasks::{Step, current_actor, record_step, stored_state, task_id};
use crate::{DocumentId, Store, StoreError, User, finish};

/// One recorded 批示.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstructionRecord {
    pub id: i64,
    pub document: DocumentId,
    pub doc_number: Option<String>,
    pub task: u32,
    pub leader: String,
    pub text: String,
    pub signed_on: NaiveDate,
    /// This 批示 reopened the closed task.
    pub reopened: bool,
    /// This 批示 marked the task for 领导督办.
    pub supervise: bool,
    /// Who typed it in (the leader, or the office on the leader's behalf).
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    document_id: i64,
    doc_number: Option<String>,
    number: i64,
    leader: String,
    text: String,
    signed_on: String,
    reopened: i64,
    supervise: i64,
    recorded_by: String,
    recorded_at: String,
}

/// The columns every read selects, `i` the 批示, `t` its task, `d` its document and `u`
/// who recorded it.
const SELECT: &str = "SELECT i.id, t.document_id, d.doc_number, t.number, i.leader, i.text, \
     i.signed_on, i.reopened, i.supervise, u.display_name AS recorded_by, i.recorded_at \
     FROM task_instructions i JOIN tasks t ON t.id = i.task_id \
     JOIN documents d ON d.id = t.document_id JOIN users u ON u.id = i.recorded_by";

impl Row {
    fn record(self) -> Result<InstructionRecord, StoreError> {
        Ok(InstructionRecord {
            id: self.id,
            document: DocumentId(self.document_id),
            doc_number: self.doc_number,
            task: crate::codec::u32_from("任务序号", self.number)?,
            leader: self.leader,
            text: self.text,
            signed_on: parse_date("批示日期", Some(&self.signed_on))?
                .ok_or_else(|| StoreError::Corrupt("批示日期为空".into()))?,
            reopened: self.reopened != 0,
            supervise: self.supervise != 0,
            recorded_by: self.recorded_by,
            recorded_at: parse_timestamp("录入时间", &self.recorded_at)?,
        })
    }
}

impl Store {
    /// Records `instruction` on task `number` of the document, by `actor` (as stored
    /// now: a leader, or the office for a leader). A reopening 批示 moves the closed task
    /// back to 办理中 in the same transaction, as a 重新开启 step whose comment is the
    /// 批示; asked of a task that is not closed, nothing is written
    /// ([`StoreError::Instruction`]).
    pub async fn record_instruction(
        &self,
        document: DocumentId,
        number: u32,
        actor: &User,
        instruction: &Instruction,
        now: DateTime<Utc>,
    ) -> Result<InstructionRecord, StoreError> {
        let mut tx = self.db.write().await?;
        let result = record_instruction(&mut tx, document, number, actor, instruction, now).await;
        finish(tx, result).await
    }

    /// The 批示 on task `number` of the document, oldest first.
    pub async fn task_instructions(
        &self,
        document: DocumentId,
        number: u32,
    ) -> Result<Vec<InstructionRecord>, StoreError> {
        let mut tx = self.db.read().await?;
        let id = task_id(&mut tx, document, number).await?;
        let sql = format!("{SELECT} WHERE i.task_id = $1 ORDER BY i.id");
        let rows: Vec<Row> = with_conn!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_all(c)
            .await)?;
        tx.commit().await?;
        rows.into_iter().map(Row::record).collect()
    }

    /// The latest `limit` 批示 on tasks unit `unit` leads, co-operates on or leads a
    /// sub-item of, newest first (a unit's 本单位任务 page).
    pub async fn unit_instructions(
        &self,
        unit: &str,
        limit: u32,
    ) -> Result<Vec<InstructionRecord>, StoreError> {
        let mut tx = self.db.read().await?;
        let sql = format!(
            "{SELECT} WHERE i.task_id IN ( \
                 SELECT tu.task_id FROM task_units tu JOIN units n ON n.id = tu.unit_id \
                 WHERE n.name = $1 \
                 UNION SELECT su.task_id FROM subitem_units su JOIN units n ON n.id = su.unit_id \
                 WHERE n.name = $1) \
             ORDER BY i.id DESC LIMIT $2"
        );
        let rows: Vec<Row> = with_conn!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(unit)
            .bind(i64::from(limit))
            .fetch_all(c)
            .await)?;
        tx.commit().await?;
        rows.into_iter().map(Row::record).collect()
    }

    /// The tasks under 领导督办 now: marked by a 批示 and not closed since.
    pub async fn supervised_tasks(&self) -> Result<HashSet<(DocumentId, u32)>, StoreError> {
        let mut tx = self.db.read().await?;
        // Per marked task: its latest mark, its state, and its latest closure.
        // (document, number, latest mark, state, latest closure)
        type Marked = (i64, i64, String, Option<String>, Option<String>);
        let rows: Vec<Marked> = with_conn!(&mut tx, c => sqlx::query_as(
                "SELECT t.document_id, t.number, MAX(i.recorded_at), s.state, \
                        (SELECT MAX(e.at) FROM task_events e \
                         WHERE e.task_id = t.id AND e.to_state = 'closed') \
                 FROM task_instructions i JOIN tasks t ON t.id = i.task_id \
                 LEFT JOIN task_states s ON s.task_id = t.id \
                 WHERE i.supervise = 1 \
                 GROUP BY t.id, t.document_id, t.number, s.state",
            )
            .fetch_all(c)
            .await)?;
        tx.commit().await?;
        let mut supervised = HashSet::new();
        for (document, number, marked, state, closed_at) in rows {
            let closed = match state {
                Some(code) => task_state_from_code(&code)? == TaskState::Closed,
                None => false,
            };
            let closed_at = closed_at.filter(|_| closed);
            if under_supervision([marked], closed_at) {
                supervised.insert((
                    DocumentId(document),
                    crate::codec::u32_from("任务序号", number)?,
                ));
            }
        }
        Ok(supervised)
    }
}

async fn record_instruction(
    tx: &mut Tx,
    document: DocumentId,
    number: u32,
    actor: &User,
    instruction: &Instruction,
    now: DateTime<Utc>,
) -> Result<InstructionRecord, StoreError> {
    tx.lock(Lock::Document(document.0)).await?;
    let task = task_id(tx, document, number).await?;
    let (actor, _) = current_actor(tx, actor).await?;
    check_author(actor.role)?;
    let stored = stored_state(tx, task).await?;
    let state = stored.unwrap_or(TaskState::Open);
    let at = timestamp_text(now);
    let reopened = match instruction.moves_task(state)? {
        Some(to) => {
            let comment = instruction.reopen_comment();
            record_step(
                tx,
                task,
                stored.is_some(),
                Step {
                    from: state,
                    to,
                    action: TaskAction::Reopen,
                    comment: Some(&comment),
                },
                &actor,
                &at,
            )
            .await?;
            true
        }
        None => false,
    };
    let id: i64 = with_conn!(tx, c => sqlx::query_scalar(
        "INSERT INTO task_instructions (task_id, leader, text, signed_on, reopened, supervise, \
         recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(task)
    .bind(instruction.leader())
    .bind(instruction.text())
    .bind(date_text(Some(instruction.signed_on())))
    .bind(i64::from(reopened))
    .bind(i64::from(instruction.supervise()))
    .bind(actor.id.0)
    .bind(&at)
    .fetch_one(c)
    .await)?;
    let sql = format!("{SELECT} WHERE i.id = $1");
    let row: Row = with_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(c)
        .await)?;
    row.record()
}
