//! A task's life outside the reports: the office assigns (交办) a document's tasks to
//! their lead units, each unit acknowledges (签收) by a deadline; a lead unit claims a
//! task done, the office closes it (办结销号) or refuses, and may reopen it; and the
//! lapses of the two clocks (acknowledge by the assignment's deadline, report by the
//! round's due date), kept apart.
//!
//! Whether a closure step is allowed is `duban_domain::next_task_state`'s decision,
//! asked inside the transaction that records the step.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use duban_domain::{ReportState, TaskAction, TaskState, WorkflowError, next_task_state};

use crate::accounts;
use crate::cache::{Revisions, id_list};
use crate::codec::{
    REPORTING, china_date, date_text, parse_date, parse_timestamp, parse_timestamp_opt,
    role_from_code, state_from_code, task_action_from_code, task_state_from_code, timestamp_text,
    u32_from,
};
use crate::db::{Lock, Tx, execute, with_conn};
use crate::query::unit_named;
use crate::rounds::lead_units;
use crate::{
    Assignment, AssignmentFilter, DocumentId, Lapse, LapseKind, Store, StoreError, TaskEvent,
    TaskStatus, User, UserId, finish,
};

/// What the actor does when acknowledging, as `WorkflowError::RoleNotAllowed` names it.
const ACKNOWLEDGE: &str = "签收";

/// The id of task `number` of the document: unknown document → `NotFound`, unknown
/// number → `TaskNotFound`.
pub(crate) async fn task_id(
    tx: &mut Tx,
    document: DocumentId,
    number: u32,
) -> Result<i64, StoreError> {
    let found = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "SELECT id FROM tasks WHERE document_id = $1 AND number = $2",
    )
    .bind(document.0)
    .bind(i64::from(number))
    .fetch_optional(c)
    .await)?;
    match found {
        Some(id) => Ok(id),
        None => {
            crate::query::issued_document(tx, document).await?;
            Err(StoreError::TaskNotFound {
                document,
                task: number,
            })
        }
    }
}

/// The actor as stored now (not as the caller last saw it) and the id of its unit.
pub(crate) async fn current_actor(
    tx: &mut Tx,
    actor: &User,
) -> Result<(User, Option<i64>), StoreError> {
    let current = accounts::user(tx, actor.id)
        .await?
        .ok_or(StoreError::UserNotFound(actor.id))?;
    let unit_id = with_conn!(tx, c => sqlx::query_scalar::<_, Option<i64>>(
        "SELECT unit_id FROM users WHERE id = $1",
    )
    .bind(actor.id.0)
    .fetch_one(c)
    .await)?;
    Ok((current, unit_id))
}

async fn assign_document(
    tx: &mut Tx,
    document: DocumentId,
    ack_due: NaiveDate,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    tx.lock(Lock::Document(document.0)).await?;
    crate::query::issued_document(tx, document).await?;
    if accounts::user(tx, by).await?.is_none() {
        return Err(StoreError::UserNotFound(by));
    }
    let task_ids: Vec<i64> = with_conn!(tx, c => sqlx::query_scalar(
        "SELECT id FROM tasks WHERE document_id = $1 ORDER BY number",
    )
    .bind(document.0)
    .fetch_all(c)
    .await)?;
    let leads = lead_units(tx, document, None).await?;
    let ack_due = date_text(Some(ack_due));
    let at = timestamp_text(now);
    let mut created = 0;
    for task_id in task_ids {
        for (position, &unit_id) in leads.get(&task_id).into_iter().flatten().enumerate() {
            let position = i64::try_from(position)
                .map_err(|_| StoreError::Corrupt(format!("位置 {position} 超出范围")))?;
            // An existing assignment (acknowledged or not) is left as it is.
            let inserted =
                execute!(tx, sqlx::query(
                "INSERT INTO assignments (task_id, unit_id, position, ack_due, assigned_by, \
                     assigned_at, acknowledged_at, acknowledged_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL) \
                 ON CONFLICT (task_id, unit_id) DO NOTHING",
            )
            .bind(task_id)
            .bind(unit_id)
            .bind(position)
            .bind(&ack_due)
            .bind(by.0)
            .bind(&at))?;
            created += inserted;
        }
    }
    Ok(created)
}

#[derive(sqlx::FromRow)]
struct AssignmentRow {
    id: i64,
    document_id: i64,
    doc_number: Option<String>,
    task: i64,
    task_content: String,
    unit: String,
    assigned_at: String,
    ack_due: String,
    acknowledged_at: Option<String>,
    acknowledged_by: Option<String>,
}

impl AssignmentRow {
    fn into_assignment(self) -> Result<Assignment, StoreError> {
        let ack_due = parse_date("签收期限", Some(&self.ack_due))?
            .ok_or_else(|| StoreError::Corrupt(format!("交办记录 {} 没有签收期限", self.id)))?;
        Ok(Assignment {
            document: DocumentId(self.document_id),
            doc_number: self.doc_number,
            task: u32_from("任务序号", self.task)?,
            task_content: self.task_content,
            unit: self.unit,
            assigned_at: parse_timestamp("交办时间", &self.assigned_at)?,
            ack_due,
            acknowledged_at: parse_timestamp_opt("签收时间", self.acknowledged_at.as_deref())?,
            acknowledged_by: self.acknowledged_by,
        })
    }
}

/// Assignments matching the filter (and, given `id`, only that one), ordered by
/// document, task number and the unit's position on the task.
async fn assignments(
    tx: &mut Tx,
    filter: &AssignmentFilter,
    id: Option<i64>,
) -> Result<Vec<Assignment>, StoreError> {
    let unit_id = match filter.unit.as_deref().map(str::trim) {
        Some(name) => match unit_named(tx, name).await? {
            Some(id) => Some(id),
            None => return Ok(Vec::new()),
        },
        None => None,
    };
    let rows: Vec<AssignmentRow> = with_conn!(tx, c => sqlx::query_as(
        "SELECT a.id, t.document_id, d.doc_number, t.number AS task, \
                t.content_text AS task_content, u.name AS unit, a.assigned_at, a.ack_due, \
                a.acknowledged_at, k.display_name AS acknowledged_by \
         FROM assignments a \
         JOIN tasks t ON t.id = a.task_id \
         JOIN documents d ON d.id = t.document_id \
         JOIN units u ON u.id = a.unit_id \
         LEFT JOIN users k ON k.id = a.acknowledged_by \
         WHERE ($1 IS NULL OR t.document_id = $1) \
           AND ($2 IS NULL OR a.unit_id = $2) \
           AND (NOT $3 OR a.acknowledged_at IS NULL) \
           AND ($4 IS NULL OR a.id = $4) \
         ORDER BY t.document_id, t.number, a.position, a.id",
    )
    .bind(filter.document.map(|d| d.0))
    .bind(unit_id)
    .bind(filter.pending_only)
    .bind(id)
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(AssignmentRow::into_assignment)
        .collect()
}

async fn acknowledge(
    tx: &mut Tx,
    document: DocumentId,
    number: u32,
    actor: &User,
    now: DateTime<Utc>,
) -> Result<Assignment, StoreError> {
    // Two acknowledgements at once: the second sees the first and is refused as such.
    tx.lock(Lock::Document(document.0)).await?;
    let task_id = task_id(tx, document, number).await?;
    let (actor, unit_id) = current_actor(tx, actor).await?;
    if !actor.role.needs_unit() {
        return Err(WorkflowError::RoleNotAllowed {
            role: actor.role.label(),
            action: ACKNOWLEDGE,
        }
        .into());
    }
    let (Some(unit_id), Some(unit)) = (unit_id, actor.unit.clone()) else {
        return Err(StoreError::Corrupt(format!(
            "{}账号“{}”没有所属单位",
            actor.role.label(),
            actor.username
        )));
    };
    let found: Option<(i64, Option<String>, Option<String>)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT a.id, a.acknowledged_at, k.display_name \
         FROM assignments a LEFT JOIN users k ON k.id = a.acknowledged_by \
         WHERE a.task_id = $1 AND a.unit_id = $2",
    )
    .bind(task_id)
    .bind(unit_id)
    .fetch_optional(c)
    .await)?;
    let Some((id, acknowledged_at, acknowledged_by)) = found else {
        return Err(StoreError::NotAssigned {
            document,
            task: number,
            unit,
        });
    };
    if let Some(at) = acknowledged_at {
        return Err(StoreError::AlreadyAcknowledged {
            document,
            task: number,
            unit,
            at: parse_timestamp("签收时间", &at)?,
            by: acknowledged_by.unwrap_or_default(),
        });
    }
    let updated = execute!(
        tx,
        sqlx::query(
            "UPDATE assignments SET acknowledged_at = $2, acknowledged_by = $3 \
         WHERE id = $1 AND acknowledged_at IS NULL",
        )
        .bind(id)
        .bind(timestamp_text(now))
        .bind(actor.id.0)
    )?;
    if updated == 0 {
        return Err(StoreError::TaskStale {
            document,
            task: number,
        });
    }
    assignments(tx, &AssignmentFilter::default(), Some(id))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::Corrupt(format!("交办记录 {id} 签收后读取不到")))
}

/// The task's stored state: `None` when it has no row (it is open).
pub(crate) async fn stored_state(
    tx: &mut Tx,
    task_id: i64,
) -> Result<Option<TaskState>, StoreError> {
    let code = with_conn!(tx, c => sqlx::query_scalar::<_, String>(
        "SELECT state FROM task_states WHERE task_id = $1",
    )
    .bind(task_id)
    .fetch_optional(c)
    .await)?;
    code.as_deref().map(task_state_from_code).transpose()
}

async fn task_status(tx: &mut Tx, task_id: i64) -> Result<TaskStatus, StoreError> {
    let state = stored_state(tx, task_id).await?.unwrap_or(TaskState::Open);
    #[derive(sqlx::FromRow)]
    struct EventRow {
        at: String,
        actor: String,
        actor_role: String,
        action: String,
        from_state: String,
        to_state: String,
        comment: Option<String>,
    }
    let rows: Vec<EventRow> = with_conn!(tx, c => sqlx::query_as(
        "SELECT e.at, u.display_name AS actor, e.actor_role, e.action, e.from_state, \
                e.to_state, e.comment \
         FROM task_events e JOIN users u ON u.id = e.actor_id \
         WHERE e.task_id = $1 ORDER BY e.id",
    )
    .bind(task_id)
    .fetch_all(c)
    .await)?;
    let events = rows
        .into_iter()
        .map(|row| {
            Ok(TaskEvent {
                at: parse_timestamp("操作时间", &row.at)?,
                actor: row.actor,
                actor_role: role_from_code(&row.actor_role)?,
                action: task_action_from_code(&row.action)?,
                from: task_state_from_code(&row.from_state)?,
                to: task_state_from_code(&row.to_state)?,
                comment: row.comment,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(TaskStatus { state, events })
}

async fn task_states(
    tx: &mut Tx,
    document: Option<DocumentId>,
) -> Result<Vec<(DocumentId, u32, TaskState)>, StoreError> {
    let rows: Vec<(i64, i64, Option<String>)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT t.document_id, t.number, s.state \
         FROM tasks t LEFT JOIN task_states s ON s.task_id = t.id \
         WHERE ($1 IS NULL OR t.document_id = $1) \
         ORDER BY t.document_id, t.number",
    )
    .bind(document.map(|d| d.0))
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|(document, number, state)| {
            let state = match state {
                Some(code) => task_state_from_code(&code)?,
                None => TaskState::Open,
            };
            Ok((DocumentId(document), u32_from("任务序号", number)?, state))
        })
        .collect()
}

/// One closure step on a task, recorded; `expected` is the state the actor saw.
#[expect(
    clippy::too_many_arguments,
    reason = "the public methods' arguments, passed on"
)]
async fn act_on_task(
    tx: &mut Tx,
    document: DocumentId,
    number: u32,
    actor: &User,
    action: TaskAction,
    comment: Option<&str>,
    expected: Option<TaskState>,
    now: DateTime<Utc>,
) -> Result<TaskState, StoreError> {
    tx.lock(Lock::Document(document.0)).await?;
    let task_id = task_id(tx, document, number).await?;
    let (actor, unit_id) = current_actor(tx, actor).await?;
    let stored = stored_state(tx, task_id).await?;
    let current = stored.unwrap_or(TaskState::Open);
    let from = expected.unwrap_or(current);
    let leads_task = match unit_id {
        Some(unit_id) => lead_units(tx, document, Some(task_id))
            .await?
            .get(&task_id)
            .is_some_and(|units| units.contains(&unit_id)),
        None => false,
    };
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    let step = next_task_state(from, action, actor.role, leads_task, comment);
    // Who may act comes first; then whether the actor saw the task as it is.
    if let Err(e @ (WorkflowError::RoleNotAllowed { .. } | WorkflowError::OtherUnit)) = step {
        return Err(e.into());
    }
    let stale = StoreError::TaskStale {
        document,
        task: number,
    };
    if from != current {
        return Err(stale);
    }
    let to = step?;
    record_step(
        tx,
        task_id,
        stored.is_some(),
        Step {
            from,
            to,
            action,
            comment,
        },
        &actor,
        &timestamp_text(now),
    )
    .await
    .map_err(|e| match e {
        StoreError::Stale => stale,
        e => e,
    })?;
    Ok(to)
}

/// One closure step, decided: from where, to where, by which action, and why.
pub(crate) struct Step<'a> {
    pub from: TaskState,
    pub to: TaskState,
    pub action: TaskAction,
    pub comment: Option<&'a str>,
}

/// Moves task `task_id` as `step` says and records the step (who, when, from, to, the
/// comment). Compare-and-set on `step.from`: a task whose state moved since it was read
/// answers [`StoreError::Stale`] and nothing is written. `has_row` says whether the task
/// has its `task_states` row (a task without one is open, and gets it now).
pub(crate) async fn record_step(
    tx: &mut Tx,
    task_id: i64,
    has_row: bool,
    step: Step<'_>,
    actor: &User,
    at: &str,
) -> Result<(), StoreError> {
    if has_row {
        let updated = execute!(
            tx,
            sqlx::query(
                "UPDATE task_states SET state = $3, updated_at = $4 \
             WHERE task_id = $1 AND state = $2",
            )
            .bind(task_id)
            .bind(step.from.code())
            .bind(step.to.code())
            .bind(at)
        )?;
        if updated == 0 {
            return Err(StoreError::Stale);
        }
    } else {
        let inserted = execute!(tx, sqlx::query(
            "INSERT INTO task_states (task_id, state, updated_at) VALUES ($1, $2, $3)",
        )
        .bind(task_id)
        .bind(step.to.code())
        .bind(at));
        match inserted {
            Ok(_) => {}
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(StoreError::Stale);
            }
            Err(e) => return Err(e.into()),
        }
    }
    execute!(
        tx,
        sqlx::query(
            "INSERT INTO task_events (task_id, at, actor_id, actor_role, action, from_state, \
             to_state, comment) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(task_id)
        .bind(at)
        .bind(actor.id.0)
        .bind(actor.role.code())
        .bind(step.action.code())
        .bind(step.from.code())
        .bind(step.to.code())
        .bind(step.comment)
    )?;
    Ok(())
}

/// Where a lapse sorts: unit (directory order), document, task, acknowledgement
/// before reports, then rounds oldest first.
type LapseKey = (i64, i64, i64, u8, i64);

/// Each document's lapses, keyed for sorting.
pub(crate) type DocumentLapses = Vec<(LapseKey, Lapse)>;

/// The lapses of `documents` as of `today`, by document.
async fn document_lapses(
    tx: &mut Tx,
    documents: &[i64],
    today: NaiveDate,
) -> Result<HashMap<i64, DocumentLapses>, StoreError> {
    let today_text = date_text(Some(today));
    let mut found: HashMap<i64, DocumentLapses> = HashMap::new();
    if documents.is_empty() {
        return Ok(found);
    }
    let listed = id_list(documents);

    // The SQL keeps only candidates; the exact rule (dates in China time) is below.
    // A time stored in UTC whose China date is after `due` has a UTC date on or after
    // `due`, so it compares greater than `due`'s text.
    #[derive(sqlx::FromRow)]
    struct AckRow {
        unit_id: i64,
        unit: String,
        document_id: i64,
        doc_number: Option<String>,
        task: i64,
        ack_due: String,
        acknowledged_at: Option<String>,
    }
    let rows: Vec<AckRow> = with_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT a.unit_id, u.name AS unit, t.document_id, d.doc_number, t.number AS task, \
                a.ack_due, a.acknowledged_at \
         FROM assignments a \
         JOIN tasks t ON t.id = a.task_id \
         JOIN documents d ON d.id = t.document_id \
         JOIN units u ON u.id = a.unit_id \
         WHERE t.document_id IN ({listed}) \
           AND ((a.acknowledged_at IS NULL AND a.ack_due < $1) \
                OR a.acknowledged_at > a.ack_due)"
    )))
    .bind(&today_text)
    .fetch_all(c)
    .await)?;
    for row in rows {
        let due = parse_date("签收期限", Some(&row.ack_due))?
            .ok_or_else(|| StoreError::Corrupt("交办记录没有签收期限".into()))?;
        let done_at = parse_timestamp_opt("签收时间", row.acknowledged_at.as_deref())?;
        let kind = match done_at {
            Some(at) if china_date(at) > due => LapseKind::LateAcknowledgement,
            Some(_) => continue,
            None if today > due => LapseKind::NotAcknowledged,
            None => continue,
        };
        found.entry(row.document_id).or_default().push((
            (row.unit_id, row.document_id, row.task, 0, 0),
            Lapse {
                kind,
                unit: row.unit,
                document: DocumentId(row.document_id),
                doc_number: row.doc_number,
                task: u32_from("任务序号", row.task)?,
                due,
                done_at,
                round_label: None,
            },
        ));
    }

    #[derive(sqlx::FromRow)]
    struct ReportRow {
        unit_id: i64,
        unit: String,
        document_id: i64,
        doc_number: Option<String>,
        task: i64,
        round_id: i64,
        label: String,
        due: Option<String>,
        state: String,
        submitted_at: Option<String>,
    }
    let rows: Vec<ReportRow> = with_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT p.unit_id, u.name AS unit, t.document_id, d.doc_number, t.number AS task, \
                r.id AS round_id, r.label, r.due, p.state, p.submitted_at \
         FROM reports p \
         JOIN rounds r ON r.id = p.round_id \
         JOIN tasks t ON t.id = p.task_id \
         JOIN documents d ON d.id = t.document_id \
         JOIN units u ON u.id = p.unit_id \
         WHERE r.kind = $1 AND r.document_id IN ({listed}) \
           AND ((p.submitted_at IS NULL AND r.due < $2) OR p.submitted_at > r.due)"
    )))
    .bind(REPORTING)
    .bind(&today_text)
    .fetch_all(c)
    .await)?;
    for row in rows {
        let due = parse_date("截止日期", row.due.as_deref())?.ok_or_else(|| {
            StoreError::Corrupt(format!("填报轮次 {} 没有截止日期", row.round_id))
        })?;
        let state: ReportState = state_from_code(&row.state)?;
        let done_at = parse_timestamp_opt("提交时间", row.submitted_at.as_deref())?;
        let kind = match done_at {
            Some(at) if china_date(at) > due => LapseKind::LateReport,
            Some(_) => continue,
            None if !state.is_reported() && today > due => LapseKind::NotReported,
            None => continue,
        };
        found.entry(row.document_id).or_default().push((
            (row.unit_id, row.document_id, row.task, 1, row.round_id),
            Lapse {
                kind,
                unit: row.unit,
                document: DocumentId(row.document_id),
                doc_number: row.doc_number,
                task: u32_from("任务序号", row.task)?,
                due,
                done_at,
                round_label: Some(row.label),
            },
        ));
    }
    Ok(found)
}

impl Store {
    /// Assigns (交办) a document's tasks to their lead units, in one transaction: one
    /// assignment per task and lead unit — the same units, in the same order, a
    /// reporting round gives reports to (the task's leads in cell order, then the units
    /// its sub-items name as leads, each once) — to be acknowledged by the end of
    /// `ack_due` (China time). A (task, unit) assigned already is left untouched, its
    /// deadline and acknowledgement included: assigning again only adds what is new.
    /// Returns how many assignments were created (0 when there was nothing new).
    ///
    /// Unknown document → [`StoreError::NotFound`]; unknown `by` →
    /// [`StoreError::UserNotFound`]. Who may assign is the caller's check.
    pub async fn assign_document(
        &self,
        document: DocumentId,
        ack_due: NaiveDate,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.db.write().await?;
        let created = assign_document(&mut tx, document, ack_due, by, now).await;
        finish(tx, created).await
    }

    /// Assignments matching the filter, ordered by document, task number and the
    /// unit's place on the task. `unit` may be an alias; an unknown unit has none.
    /// `acknowledged_by` is the acknowledging account's display name.
    pub async fn assignments(
        &self,
        filter: &AssignmentFilter,
    ) -> Result<Vec<Assignment>, StoreError> {
        let mut tx = self.db.read().await?;
        let found = assignments(&mut tx, filter, None).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// The actor's unit acknowledges (签收) task `number` of the document, in one
    /// transaction; returns the acknowledged assignment. The actor is taken as stored
    /// now (only `actor.id` is used): it must be a reporter or unit head
    /// (others → [`StoreError::Workflow`] with `RoleNotAllowed`) whose unit was assigned
    /// the task ([`StoreError::NotAssigned`] otherwise). Acknowledging twice →
    /// [`StoreError::AlreadyAcknowledged`], the first acknowledgement stands.
    /// Acknowledging late is allowed; [`Store::lapses`] records it.
    ///
    /// Unknown document → [`StoreError::NotFound`], unknown task →
    /// [`StoreError::TaskNotFound`], unknown actor → [`StoreError::UserNotFound`].
    pub async fn acknowledge(
        &self,
        document: DocumentId,
        number: u32,
        actor: &User,
        now: DateTime<Utc>,
    ) -> Result<Assignment, StoreError> {
        let mut tx = self.db.write().await?;
        let result = acknowledge(&mut tx, document, number, actor, now).await;
        finish(tx, result).await
    }

    /// Where task `number` of the document stands, with its closure history (oldest
    /// first). A task no step was taken on is [`TaskState::Open`] with no events.
    /// Unknown document → [`StoreError::NotFound`], unknown task →
    /// [`StoreError::TaskNotFound`].
    pub async fn task_status(
        &self,
        document: DocumentId,
        number: u32,
    ) -> Result<TaskStatus, StoreError> {
        let mut tx = self.db.read().await?;
        let id = task_id(&mut tx, document, number).await?;
        let status = task_status(&mut tx, id).await?;
        tx.commit().await?;
        Ok(status)
    }

    /// Every task of one document (or of all) with its state, by document and number;
    /// tasks no step was taken on are [`TaskState::Open`]. An unknown document has none.
    pub async fn task_states(
        &self,
        document: Option<DocumentId>,
    ) -> Result<Vec<(DocumentId, u32, TaskState)>, StoreError> {
        let mut tx = self.db.read().await?;
        let states = task_states(&mut tx, document).await?;
        tx.commit().await?;
        Ok(states)
    }

    /// How many tasks (of every document) are in each state, in `TaskState::ALL` order:
    /// what [`Store::task_states`] would count, without listing every task.
    pub async fn task_state_counts(&self) -> Result<Vec<(TaskState, usize)>, StoreError> {
        let mut tx = self.db.read().await?;
        // Tasks without a row are open: counted as the rest, so only the (few) rows
        // of tasks a closure step was taken on are read.
        let total: i64 = with_conn!(&mut tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM tasks")
            .fetch_one(c)
            .await)?;
        let rows: Vec<(String, i64)> = with_conn!(&mut tx, c => sqlx::query_as(
            "SELECT state, COUNT(*) FROM task_states GROUP BY state",
        )
        .fetch_all(c)
        .await)?;
        tx.commit().await?;
        let count = |n: i64| {
            usize::try_from(n).map_err(|_| StoreError::Corrupt(format!("任务数 {n} 无效")))
        };
        let mut counts: Vec<(TaskState, usize)> =
            TaskState::ALL.into_iter().map(|s| (s, 0)).collect();
        let mut stepped = 0;
        for (code, n) in rows {
            let state = task_state_from_code(&code)?;
            if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == state) {
                slot.1 += count(n)?;
            }
            stepped += n;
        }
        if let Some(open) = counts.iter_mut().find(|(s, _)| *s == TaskState::Open) {
            open.1 += count(total - stepped)?;
        }
        Ok(counts)
    }

    /// Takes a closure step on task `number` of the document and records it (who,
    /// when, the step, from and to, the comment trimmed), in one transaction; returns
    /// the new state. `duban_domain::next_task_state` decides, with the actor's role
    /// and unit as stored now (only `actor.id` is used): `ClaimDone` by a reporter or
    /// unit head whose unit leads the task or one of its sub-items; `Close`,
    /// `RejectClaim` and `Reopen` by the office; every step but `Close` needs a
    /// comment. Refusals are [`StoreError::Workflow`]. Open reporting rounds on the
    /// task do not stop it being closed.
    ///
    /// Unknown document → [`StoreError::NotFound`], unknown task →
    /// [`StoreError::TaskNotFound`], unknown actor → [`StoreError::UserNotFound`].
    pub async fn act_on_task(
        &self,
        document: DocumentId,
        number: u32,
        actor: &User,
        action: TaskAction,
        comment: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<TaskState, StoreError> {
        let mut tx = self.db.write().await?;
        let result =
            act_on_task(&mut tx, document, number, actor, action, comment, None, now).await;
        finish(tx, result).await
    }

    /// [`Store::act_on_task`] from the state the actor saw (the page they acted on): if
    /// the task has moved on since, nothing is written and the answer is
    /// [`StoreError::TaskStale`] — two people acting on the same task at once cannot
    /// both succeed. Refusals for role or unit still come first.
    #[expect(
        clippy::too_many_arguments,
        reason = "act_on_task's, plus the state seen"
    )]
    pub async fn act_on_task_expecting(
        &self,
        document: DocumentId,
        number: u32,
        actor: &User,
        action: TaskAction,
        comment: Option<&str>,
        expected: TaskState,
        now: DateTime<Utc>,
    ) -> Result<TaskState, StoreError> {
        let mut tx = self.db.write().await?;
        let result = act_on_task(
            &mut tx,
            document,
            number,
            actor,
            action,
            comment,
            Some(expected),
            now,
        )
        .await;
        finish(tx, result).await
    }

    /// The lapses of one document (or all) as of `today` (the date in China), on two
    /// clocks kept apart. Deadlines are whole days in China time (UTC+8): doing it on
    /// the due date itself is on time.
    ///
    /// Acknowledgement, per assignment (task × lead unit):
    /// - [`LapseKind::LateAcknowledgement`]: acknowledged on a China date after its
    ///   `ack_due`; `done_at` is when.
    /// - [`LapseKind::NotAcknowledged`]: not acknowledged and `today` is after `ack_due`.
    ///
    /// Reporting, per report in a reporting round (task × lead unit × round), whether
    /// the round is still open or closed:
    /// - [`LapseKind::LateReport`]: its last submission (`submitted_at`, which a
    ///   resubmission after 退回 moves) fell on a China date after the round's due
    ///   date; `done_at` is when. This holds whatever the report's state now
    ///   (a report submitted late and then returned is still late).
    /// - [`LapseKind::NotReported`]: never submitted (no `submitted_at`, and not
    ///   submitted/unit-approved/accepted) and `today` is after the round's due date.
    ///   A report submitted on time and returned afterwards is not a lapse.
    ///
    /// A unit can have both kinds on one task. `due` is the deadline missed,
    /// `round_label` the round's period for report lapses. Ordered by unit (directory
    /// order), document, task; acknowledgement before reports, rounds oldest first.
    /// Each document's lapses are kept while its revision and the day hold.
    pub async fn lapses(
        &self,
        document: Option<DocumentId>,
        today: NaiveDate,
    ) -> Result<Vec<Lapse>, StoreError> {
        let per_document = self.document_lapses(document, today).await?;
        let mut found: Vec<&(LapseKey, Lapse)> = Vec::new();
        for (_, lapses) in &per_document {
            found.extend(lapses.iter());
        }
        found.sort_by_key(|(key, _)| *key);
        Ok(found.into_iter().map(|(_, lapse)| lapse.clone()).collect())
    }

    /// How many lapses ([`Store::lapses`]) each unit with any has, over every
    /// document, in the unit directory's order, without listing them.
    pub async fn lapse_counts(&self, today: NaiveDate) -> Result<Vec<(String, usize)>, StoreError> {
        let mut counts: std::collections::BTreeMap<i64, (String, usize)> = Default::default();
        for (_, lapses) in self.document_lapses(None, today).await? {
            for ((unit, ..), lapse) in lapses.iter() {
                counts
                    .entry(*unit)
                    .or_insert_with(|| (lapse.unit.clone(), 0))
                    .1 += 1;
            }
        }
        Ok(counts.into_values().collect())
    }

    /// Each document's lapses (or only `document`'s), kept per document revision.
    async fn document_lapses(
        &self,
        document: Option<DocumentId>,
        today: NaiveDate,
    ) -> Result<Vec<(i64, std::sync::Arc<DocumentLapses>)>, StoreError> {
        let mut tx = self.db.read().await?;
        let mut revisions = Revisions::read(&mut tx).await?;
        if let Some(d) = document {
            revisions = revisions.only(d.0);
        }
        let lookup = self.lapses.lookup(&revisions, &today);
        let computed = document_lapses(&mut tx, &lookup.stale, today).await?;
        tx.commit().await?;
        Ok(self.lapses.fill(&revisions, &today, lookup, computed))
    }
}
