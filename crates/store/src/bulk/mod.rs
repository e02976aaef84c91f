//! Writing reporting rounds whole, with their reports as they stand and their history,
//! for building large data sets (`duban demo-data`): many rounds in one transaction and
//! statements of many rows each, instead of one transaction per step. The store records
//! what it is given; whether the states and steps make sense is the caller's (the
//! generator follows `duban_domain::workflow`). Keys are checked: every report is on a
//! task of the round's document and for one of that task's lead units.
//!
//! What it costs per row is the point (issue 11: a million reports at ≥ 50,000 a
//! second into SQLite), so while the rows go in, the row triggers on `reports` and
//! `report_events` are set aside (`suspend`) and what they would have done is done
//! once for the whole batch:
//!
//! - round counts (migration 0006): counted from the reports written, per round and
//!   state, in one statement;
//! - the store's generation and the documents' revisions: each new round's own row
//!   moves them (its triggers stay), in the same transaction as its reports;
//! - the audit log: nothing is captured row by row (as before), the batch is one
//!   `bulk_rounds` entry naming its rounds and counting its reports and steps.
//!
//! The triggers are dropped and made again from their own SQL inside the writing
//! transaction (SQLite), or disabled and enabled again in it (PostgreSQL, where only
//! the tables' owner may; otherwise they fire as usual), so a batch that fails or is
//! cut short leaves both the data and the triggers as they were. Only the triggers
//! this module knows what to do for (`triggers::COMPENSATED`) are set aside: any other trigger
//! that fires on an insert keeps them all in place.

mod rounds;
mod triggers;

use chrono::{DateTime, NaiveDate, Utc};
use duban_domain::{Notice, ReportAction, ReportState, RichText, Role};

use crate::{DocumentId, NewUser, RoundId, Store, StoreError, User, UserId, accounts, finish};
pub use rounds::PreparedRound;
use triggers::{Suspended, restore, suspend};

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

/// Rows per statement: within both backends' limits on bound values (SQLite 32,766;
/// a report row binds 11).
const ROWS_PER_INSERT: usize = 1000;

impl Store {
    /// Writes a reporting round with its reports and their history in one transaction:
    /// [`Store::write_rounds_whole`] with one round.
    pub async fn write_round_whole(&self, round: &BulkRound) -> Result<RoundId, StoreError> {
        let ids = self.write_rounds_whole(std::slice::from_ref(round)).await?;
        ids.into_iter()
            .next()
            .ok_or_else(|| StoreError::Corrupt("填报轮次未写入".into()))
    }

    /// Writes reporting rounds with their reports and their history, all in one
    /// transaction (see the module's note): for generated data sets, not for the
    /// office's work, which goes step by step through [`Store::act_on_report`]. The
    /// rounds' ids, in the order given. Unknown document → [`StoreError::NotFound`]; a
    /// task number it lacks → [`StoreError::TaskNotFound`]; a unit that does not lead
    /// the task → [`StoreError::NotAssigned`]; any of them writes nothing.
    pub async fn write_rounds_whole(
        &self,
        rounds: &[BulkRound],
    ) -> Result<Vec<RoundId>, StoreError> {
        let prepared = rounds
            .iter()
            .cloned()
            .map(BulkRound::prepare)
            .collect::<Result<_, _>>()?;
        self.write_prepared_rounds(prepared).await
    }

    /// [`Store::write_rounds_whole`] with rounds [`BulkRound::prepare`]d already (by a
    /// generator, on its own thread).
    pub async fn write_prepared_rounds(
        &self,
        rounds: Vec<PreparedRound>,
    ) -> Result<Vec<RoundId>, StoreError> {
        let mut tx = self.db.write().await?;
        let cache = rounds::raise_cache(&mut tx).await?;
        // A generated batch is one entry in the audit log, not one per row.
        let result = async {
            crate::audit::capture(&mut tx, false).await?;
            let suspended = suspend(&mut tx).await?;
            let counted = matches!(suspended, Suspended::Nothing);
            let written = rounds::write_rounds(&mut tx, rounds).await?;
            restore(&mut tx, suspended).await?;
            if !counted {
                rounds::count_rounds(&mut tx, &written.rounds).await?;
            }
            crate::audit::capture(&mut tx, true).await?;
            let details = serde_json::json!({
                "rounds": written.rounds.iter().map(|r| r.0).collect::<Vec<_>>(),
                "reports": written.reports,
                "events": written.events,
            });
            crate::audit::queue_event(&mut tx, "bulk_rounds", None, &details).await?;
            Ok(written.rounds)
        }
        .await;
        let result = match (result, rounds::lower_cache(&mut tx, cache).await) {
            (Ok(_), Err(e)) => Err(e),
            (result, _) => result,
        };
        finish(tx, result).await
    }

    /// Stores generated notices, each under a 文号 of its own, in one transaction logged
    /// as one `bulk_notices` entry in the audit log instead of one per row (as
    /// [`Store::write_rounds_whole`] logs its rounds): for generated data sets. Their
    /// ids, in the order given; a notice whose 文号 is stored with other content is
    /// refused ([`StoreError::Conflict`]) and nothing is written.
    pub async fn save_notices_whole(
        &self,
        notices: &[Notice],
        source_name: &str,
    ) -> Result<Vec<DocumentId>, StoreError> {
        let mut tx = self.db.write().await?;
        let result = async {
            crate::audit::capture(&mut tx, false).await?;
            let mut ids = Vec::with_capacity(notices.len());
            for notice in notices {
                ids.push(
                    crate::save::save_notice(&mut tx, notice, source_name, false)
                        .await?
                        .id(),
                );
            }
            crate::audit::capture(&mut tx, true).await?;
            let details = serde_json::json!({
                "documents": ids.iter().map(|d| d.0).collect::<Vec<_>>(),
                "tasks": notices.iter().map(|n| n.tasks.len()).sum::<usize>(),
            });
            crate::audit::queue_event(&mut tx, "bulk_notices", None, &details).await?;
            Ok(ids)
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
