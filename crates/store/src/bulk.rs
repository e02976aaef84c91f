//! Writing a reporting round whole, with its reports as they stand and their history,
//! for building large data sets (`duban demo-data`): one transaction per round and
//! statements of many rows each, instead of one transaction per step. The store records
//! what it is given; whether the states and steps make sense is the caller's (the
//! generator follows `duban_domain::workflow`). Keys are checked: every report is on a
//! task of the round's document and for one of that task's lead units.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use duban_domain::{ReportAction, ReportState, RichText, Role};

use crate::codec::{REPORTING, date_text, timestamp_text, to_json, u32_from};
use crate::db::{Tx, with_conn};
use crate::query::unit_named;
use crate::rounds::lead_units;
use crate::{DocumentId, NewUser, RoundId, Store, StoreError, User, UserId, accounts, finish};

/// A reporting round to write whole.
#[derive(Debug, Clone)]
pub struct BulkRound {
    pub document: DocumentId,
    /// The period, such as `1-9月`.
    pub label: String,
    pub due: NaiveDate,
    pub opened_by: UserId,
    pub opened_at: DateTime<Utc>,
    /// `None`: the round is still open.
    pub closed_at: Option<DateTime<Utc>>,
    pub reports: Vec<BulkReport>,
}

/// One unit's report on one task, as it stands, with the steps that brought it there.
#[derive(Debug, Clone)]
pub struct BulkReport {
    /// 序号 of the task.
    pub task: u32,
    /// The unit's canonical name: one of the task's lead units.
    pub unit: String,
    pub state: ReportState,
    pub text: RichText,
    pub percent: Option<u8>,
    pub updated_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Oldest first.
    pub events: Vec<BulkEvent>,
}

#[derive(Debug, Clone)]
pub struct BulkEvent {
    pub at: DateTime<Utc>,
    pub actor: UserId,
    pub actor_role: Role,
    pub action: ReportAction,
    pub from: ReportState,
    pub to: ReportState,
    pub comment: Option<String>,
}

/// Rows per statement: within both backends' limits on bound values (SQLite 32,766).
const ROWS_PER_INSERT: usize = 1000;

async fn write_round(tx: &mut Tx, round: &BulkRound) -> Result<RoundId, StoreError> {
    let document = round.document;
    crate::query::issued_document(tx, document).await?;
    // Task ids by number, and each task's lead units in the order reports follow.
    let tasks: Vec<(i64, i64)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT number, id FROM tasks WHERE document_id = $1",
    )
    .bind(document.0)
    .fetch_all(c)
    .await)?;
    let task_ids: HashMap<u32, i64> = tasks
        .into_iter()
        .map(|(number, id)| Ok((u32_from("任务序号", number)?, id)))
        .collect::<Result<_, StoreError>>()?;
    let leads = lead_units(tx, document, None).await?;
    let mut unit_ids: HashMap<&str, i64> = HashMap::new();
    for report in &round.reports {
        if !unit_ids.contains_key(report.unit.as_str()) {
            let id = unit_named(tx, &report.unit)
                .await?
                .ok_or_else(|| StoreError::UnknownUnit(report.unit.clone()))?;
            unit_ids.insert(&report.unit, id);
        }
    }
    // (task id, unit id, position) of each report, checked.
    let mut keys = Vec::with_capacity(round.reports.len());
    for report in &round.reports {
        let task_id = *task_ids
            .get(&report.task)
            .ok_or_else(|| StoreError::TaskNotFound {
                document,
                task: report.task,
            })?;
        let unit_id = unit_ids[report.unit.as_str()];
        let position = leads
            .get(&task_id)
            .and_then(|units| units.iter().position(|u| *u == unit_id))
            .ok_or_else(|| StoreError::NotAssigned {
                document,
                task: report.task,
                unit: report.unit.clone(),
            })?;
        keys.push((task_id, unit_id, position as i64));
    }

    let round_id = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO rounds (document_id, kind, label, date, due, opened_by, opened_at, \
             closed_at) \
         VALUES ($1, $2, $3, NULL, $4, $5, $6, $7) RETURNING id",
    )
    .bind(document.0)
    .bind(REPORTING)
    .bind(&round.label)
    .bind(date_text(Some(round.due)))
    .bind(round.opened_by.0)
    .bind(timestamp_text(round.opened_at))
    .bind(round.closed_at.map(timestamp_text))
    .fetch_one(c)
    .await)?;

    let encoded: Vec<(String, String)> = round
        .reports
        .iter()
        .map(|r| Ok((to_json("填报内容", &r.text)?, r.text.plain_text())))
        .collect::<Result<_, StoreError>>()?;
    let rows: Vec<usize> = (0..round.reports.len()).collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        with_conn!(tx, c => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO reports (round_id, task_id, unit_id, position, state, text_json, \
                     text_plain, percent, updated_at, submitted_at) ",
            );
            q.push_values(chunk, |mut b, &i| {
                let report = &round.reports[i];
                let (task_id, unit_id, position) = keys[i];
                b.push_bind(round_id)
                    .push_bind(task_id)
                    .push_bind(unit_id)
                    .push_bind(position)
                    .push_bind(report.state.code())
                    .push_bind(encoded[i].0.as_str())
                    .push_bind(encoded[i].1.as_str())
                    .push_bind(report.percent.map(i64::from))
                    .push_bind(report.updated_at.map(timestamp_text))
                    .push_bind(report.submitted_at.map(timestamp_text));
            });
            q.build().execute(c).await.map(|_| ())
        })?;
    }

    // The reports' ids, for their events.
    let ids: Vec<(i64, i64, i64)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT task_id, unit_id, id FROM reports WHERE round_id = $1",
    )
    .bind(round_id)
    .fetch_all(c)
    .await)?;
    let ids: HashMap<(i64, i64), i64> = ids
        .into_iter()
        .map(|(task, unit, id)| ((task, unit), id))
        .collect();
    let events: Vec<(i64, &BulkEvent)> = round
        .reports
        .iter()
        .zip(&keys)
        .flat_map(|(report, (task, unit, _))| {
            let id = ids.get(&(*task, *unit)).copied().unwrap_or_default();
            report.events.iter().map(move |event| (id, event))
        })
        .collect();
    for chunk in events.chunks(ROWS_PER_INSERT) {
        with_conn!(tx, c => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO report_events (report_id, at, actor_id, actor_role, action, \
                     from_state, to_state, comment) ",
            );
            q.push_values(chunk, |mut b, (id, event)| {
                b.push_bind(*id)
                    .push_bind(timestamp_text(event.at))
                    .push_bind(event.actor.0)
                    .push_bind(event.actor_role.code())
                    .push_bind(event.action.code())
                    .push_bind(event.from.code())
                    .push_bind(event.to.code())
                    .push_bind(event.comment.as_deref());
            });
            q.build().execute(c).await.map(|_| ())
        })?;
    }
    Ok(RoundId(round_id))
}

impl Store {
    /// Writes a reporting round with its reports and their history in one transaction
    /// (see the module's note): for generated data sets, not for the office's work,
    /// which goes step by step through [`Store::act_on_report`]. Unknown document →
    /// [`StoreError::NotFound`]; a task number it lacks → [`StoreError::TaskNotFound`];
    /// a unit that does not lead the task → [`StoreError::NotAssigned`].
    pub async fn write_round_whole(&self, round: &BulkRound) -> Result<RoundId, StoreError> {
        let mut tx = self.db.write().await?;
        // A generated round is one entry in the audit log, not one per row.
        let result = async {
            crate::audit::capture(&mut tx, false).await?;
            let id = write_round(&mut tx, round).await?;
            crate::audit::capture(&mut tx, true).await?;
            let details = serde_json::json!({
                "round_id": id.0,
                "reports": round.reports.len(),
            });
            crate::audit::queue_event(&mut tx, "bulk_round", None, &details).await?;
            Ok(id)
        }
        .await;
        finish(tx, result).await
    }

    /// Adds accounts in one transaction, as [`Store::create_user`] adds one each: for
    /// generated data sets with thousands of units.
    pub async fn create_users(&self, new: Vec<NewUser>) -> Result<Vec<User>, StoreError> {
        let mut tx = self.db.write().await?;
        let result = async {
            let mut created = Vec::with_capacity(new.len());
            for user in new {
                created.push(accounts::create_user(&mut tx, user).await?);
            }
            Ok(created)
        }
        .await;
        finish(tx, result).await
    }
}
