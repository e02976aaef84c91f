//! Reporting rounds: the office opens one on a document's tasks, units report in it,
//! the office closes it.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use duban_domain::{ReportState, RichText};

use crate::cache::{DocumentCache, Revisions, id_list};
use crate::codec::{
    IMPORTED, LEAD, REPORTING, date_text, parse_date, parse_timestamp, state_from_code,
    timestamp_text, to_json, u32_from,
};
use crate::db::{Lock, Tx, execute, with_conn};
use crate::{DocumentId, NewRound, RoundId, RoundSummary, Store, StoreError, UserId, finish};

/// Refuses an unknown round (of any kind).
pub(crate) async fn require_round(tx: &mut Tx, round: RoundId) -> Result<(), StoreError> {
    let found = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "SELECT id FROM rounds WHERE id = $1",
    )
    .bind(round.0)
    .fetch_optional(c)
    .await)?;
    found.map(|_| ()).ok_or(StoreError::RoundNotFound(round))
}

/// What a round of `document` opened by `by` covers: every task's id by its number,
/// and the numbers asked for (all when `chosen` is `None`). Checks the document is
/// issued, the user exists and every chosen number is a task; shared by rounds opened
/// by hand and by schedules, so both meet the same checks.
pub(crate) async fn round_tasks(
    tx: &mut Tx,
    document: DocumentId,
    by: UserId,
    chosen: Option<Vec<u32>>,
) -> Result<(HashMap<u32, i64>, BTreeSet<u32>), StoreError> {
    // The tasks stay as read until the round or schedule is written.
    tx.lock(Lock::Document(document.0)).await?;
    crate::query::issued_document(tx, document).await?;
    let opener = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "SELECT id FROM users WHERE id = $1",
    )
    .bind(by.0)
    .fetch_optional(c)
    .await)?;
    if opener.is_none() {
        return Err(StoreError::UserNotFound(by));
    }
    let rows: Vec<(i64, i64)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT number, id FROM tasks WHERE document_id = $1",
    )
    .bind(document.0)
    .fetch_all(c)
    .await)?;
    let task_ids: HashMap<u32, i64> = rows
        .into_iter()
        .map(|(number, id)| Ok((u32_from("任务序号", number)?, id)))
        .collect::<Result<_, StoreError>>()?;
    let numbers: BTreeSet<u32> = match chosen {
        None => task_ids.keys().copied().collect(),
        Some(chosen) => {
            let chosen: BTreeSet<u32> = chosen.into_iter().collect();
            let unknown: Vec<u32> = chosen
                .iter()
                .copied()
                .filter(|n| !task_ids.contains_key(n))
                .collect();
            if !unknown.is_empty() {
                return Err(StoreError::UnknownTasks {
                    document,
                    numbers: unknown,
                });
            }
            chosen
        }
    };
    Ok((task_ids, numbers))
}

async fn open_round(
    tx: &mut Tx,
    new: NewRound,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<RoundId, StoreError> {
    let label = new.label.trim();
    if label.is_empty() {
        return Err(StoreError::RoundLabelRequired);
    }
    let document = new.document;
    let (task_ids, numbers) = round_tasks(tx, document, by, new.tasks).await?;

    let leads = lead_units(tx, document, None).await?;
    // (task id, unit id, position among the task's units), task by task in number order.
    let mut reports: Vec<(i64, i64, i64)> = Vec::new();
    for number in &numbers {
        let Some(&task_id) = task_ids.get(number) else {
            continue;
        };
        for (position, &unit_id) in leads.get(&task_id).into_iter().flatten().enumerate() {
            let position = i64::try_from(position)
                .map_err(|_| StoreError::Corrupt(format!("位置 {position} 超出范围")))?;
            reports.push((task_id, unit_id, position));
        }
    }
    if reports.is_empty() {
        return Err(StoreError::NothingToReport(document));
    }

    let round_id = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO rounds (document_id, kind, label, date, due, opened_by, opened_at) \
         VALUES ($1, $2, $3, NULL, $4, $5, $6) RETURNING id",
    )
    .bind(document.0)
    .bind(REPORTING)
    .bind(label)
    .bind(date_text(Some(new.due)))
    .bind(by.0)
    .bind(timestamp_text(now))
    .fetch_one(c)
    .await)?;
    let empty = to_json("填报内容", &RichText::default())?;
    for (task_id, unit_id, position) in reports {
        execute!(
            tx,
            sqlx::query(
                "INSERT INTO reports (round_id, task_id, unit_id, position, state, text_json, \
                 text_plain, percent, updated_at, submitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, '', NULL, NULL, NULL)",
            )
            .bind(round_id)
            .bind(task_id)
            .bind(unit_id)
            .bind(position)
            .bind(ReportState::NotStarted.code())
            .bind(&empty)
        )?;
    }
    Ok(RoundId(round_id))
}

/// Each task's lead units of the document (or only of the task with id `task`),
/// deduplicated: the task's own leads in cell order, then the leads its sub-items name,
/// sub-item by sub-item. Reports, assignments and "leads the task" all follow this.
pub(crate) async fn lead_units(
    tx: &mut Tx,
    document: DocumentId,
    task: Option<i64>,
) -> Result<HashMap<i64, Vec<i64>>, StoreError> {
    // One statement per shape: `($n IS NULL OR t.id = $n)` would scan the document.
    // (task id, unit id) pairs: the tasks' own leads, then their sub-items' leads.
    type Pairs = Vec<(i64, i64)>;
    let (task_leads, subitem_leads): (Pairs, Pairs) = match task {
        None => {
            let task_leads = with_conn!(tx, c => sqlx::query_as(
                "SELECT tu.task_id, tu.unit_id FROM task_units tu \
                 JOIN tasks t ON t.id = tu.task_id \
                 WHERE t.document_id = $1 AND tu.relation = $2 \
                 ORDER BY tu.task_id, tu.position",
            )
            .bind(document.0)
            .bind(LEAD)
            .fetch_all(c)
            .await)?;
            let subitem_leads = with_conn!(tx, c => sqlx::query_as(
                "SELECT su.task_id, su.unit_id FROM subitem_units su \
                 JOIN subitems s ON s.task_id = su.task_id AND s.label = su.label \
                 JOIN tasks t ON t.id = su.task_id \
                 WHERE t.document_id = $1 \
                 ORDER BY su.task_id, s.position, su.position",
            )
            .bind(document.0)
            .fetch_all(c)
            .await)?;
            (task_leads, subitem_leads)
        }
        Some(task) => {
            let task_leads = with_conn!(tx, c => sqlx::query_as(
                "SELECT tu.task_id, tu.unit_id FROM task_units tu \
                 JOIN tasks t ON t.id = tu.task_id \
                 WHERE t.document_id = $1 AND tu.relation = $2 AND tu.task_id = $3 \
                 ORDER BY tu.task_id, tu.position",
            )
            .bind(document.0)
            .bind(LEAD)
            .bind(task)
            .fetch_all(c)
            .await)?;
            let subitem_leads = with_conn!(tx, c => sqlx::query_as(
                "SELECT su.task_id, su.unit_id FROM subitem_units su \
                 JOIN subitems s ON s.task_id = su.task_id AND s.label = su.label \
                 JOIN tasks t ON t.id = su.task_id \
                 WHERE t.document_id = $1 AND su.task_id = $2 \
                 ORDER BY su.task_id, s.position, su.position",
            )
            .bind(document.0)
            .bind(task)
            .fetch_all(c)
            .await)?;
            (task_leads, subitem_leads)
        }
    };
    let mut leads: HashMap<i64, Vec<i64>> = HashMap::new();
    for (task_id, unit_id) in task_leads.into_iter().chain(subitem_leads) {
        let units = leads.entry(task_id).or_default();
        if !units.contains(&unit_id) {
            units.push(unit_id);
        }
    }
    Ok(leads)
}

/// Which reporting rounds [`summaries`] reads.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rounds {
    /// Every reporting round.
    All,
    /// The reporting rounds of one document.
    Of(DocumentId),
    /// The one round with this id.
    Id(RoundId),
    /// The last opened reporting round of one document, or of all with `None`.
    Latest(Option<DocumentId>),
}

/// Each document's [`ReportCount`]s for the rounds asked (the key).
pub(crate) type ReportCountsCache = DocumentCache<Vec<i64>, Vec<ReportCount>>;

/// The reports of `rounds` counted by round, unit and state: grouped by unit id on the
/// covering index (0022), the units' names looked up after.
async fn count_reports(tx: &mut Tx, rounds: &[i64]) -> Result<Vec<ReportCount>, StoreError> {
    if rounds.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT round_id, unit_id, state, COUNT(*) FROM reports \
         WHERE round_id IN ({}) GROUP BY round_id, unit_id, state",
        id_list(rounds)
    );
    let rows: Vec<(i64, i64, String, i64)> = with_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(c)
            .await)?;
    let mut unit_ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    let names: HashMap<i64, String> = if unit_ids.is_empty() {
        HashMap::new()
    } else {
        let sql = format!(
            "SELECT id, name FROM units WHERE id IN ({})",
            id_list(&unit_ids)
        );
        with_conn!(tx, c => sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql))
            .fetch_all(c)
            .await)?
        .into_iter()
        .collect()
    };
    rows.into_iter()
        .map(|(round, unit, state, count)| {
            Ok(ReportCount {
                round: RoundId(round),
                unit_id: unit,
                unit: names
                    .get(&unit)
                    .cloned()
                    .ok_or_else(|| StoreError::Corrupt(format!("填报所属单位 {unit} 不存在")))?,
                state: state_from_code(&state)?,
                count: usize::try_from(count)
                    .map_err(|_| StoreError::Corrupt(format!("填报数 {count} 无效")))?,
            })
        })
        .collect()
}

/// How many reports of one round, of one unit, are in one state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportCount {
    pub round: RoundId,
    /// The unit's id, for its place in the directory.
    pub unit_id: i64,
    pub unit: String,
    pub state: ReportState,
    pub count: usize,
}

/// Reporting rounds, newest first, as `which` says. One statement per shape (no
/// `($n IS NULL OR col = $n)`, which keeps SQLite from using the indexes); the report
/// counts come from `round_counts`, which triggers keep (migration 0006).
pub(crate) async fn summaries(tx: &mut Tx, which: Rounds) -> Result<Vec<RoundSummary>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        document_id: i64,
        doc_number: Option<String>,
        label: String,
        due: Option<String>,
        opened_at: Option<String>,
        closed_at: Option<String>,
        kind: String,
    }
    // The statements differ only in their end; each is a literal (no SQL built at run time).
    // Listing and looking up take both kinds of round: reporting rounds and the round an
    // imported notice is the output of (with its reports; not the round of a notice
    // the office issued itself, which records another round). "Latest" means the
    // latest reporting round.
    macro_rules! select {
        ($kinds:expr, $rest:literal) => {
            concat!(
                "SELECT r.id, r.document_id, d.doc_number, r.label, r.due, r.opened_at, \
                        r.closed_at, r.kind \
                 FROM rounds r JOIN documents d ON d.id = r.document_id \
                 WHERE ",
                $kinds,
                $rest
            )
        };
    }
    macro_rules! any_kind {
        () => {
            "(r.kind = $1 OR (r.kind = 'imported' AND d.reports_round_id IS NULL \
               AND EXISTS (SELECT 1 FROM reports p WHERE p.round_id = r.id)))"
        };
    }
    let rows: Vec<Row> = match which {
        Rounds::All => {
            with_conn!(tx, c => sqlx::query_as(select!(any_kind!(), " ORDER BY r.id DESC"))
            .bind(REPORTING)
            .fetch_all(c)
            .await)?
        }
        Rounds::Of(document) => with_conn!(tx, c => sqlx::query_as(select!(
            any_kind!(),
            " AND r.document_id = $2 ORDER BY r.id DESC"
        ))
        .bind(REPORTING)
        .bind(document.0)
        .fetch_all(c)
        .await)?,
        Rounds::Latest(Some(document)) => with_conn!(tx, c => sqlx::query_as(select!(
            "r.kind = $1",
            " AND r.document_id = $2 ORDER BY r.id DESC LIMIT 1"
        ))
        .bind(REPORTING)
        .bind(document.0)
        .fetch_all(c)
        .await)?,
        Rounds::Latest(None) => with_conn!(tx, c => sqlx::query_as(select!(
            "r.kind = $1",
            " ORDER BY r.id DESC LIMIT 1"
        ))
        .bind(REPORTING)
        .fetch_all(c)
        .await)?,
        Rounds::Id(id) => {
            with_conn!(tx, c => sqlx::query_as(select!(any_kind!(), " AND r.id = $2"))
            .bind(REPORTING)
            .bind(id.0)
            .fetch_all(c)
            .await)?
        }
    };
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let counts: Vec<(i64, String, i64)> = match (which, rows.as_slice()) {
        (Rounds::Id(_) | Rounds::Latest(_), [row]) => with_conn!(tx, c => sqlx::query_as(
            "SELECT round_id, state, n FROM round_counts WHERE round_id = $1",
        )
        .bind(row.id)
        .fetch_all(c)
        .await)?,
        (Rounds::Of(document), _) => with_conn!(tx, c => sqlx::query_as(
            "SELECT k.round_id, k.state, k.n FROM round_counts k \
             JOIN rounds r ON r.id = k.round_id WHERE r.document_id = $1",
        )
        .bind(document.0)
        .fetch_all(c)
        .await)?,
        _ => with_conn!(tx, c => sqlx::query_as("SELECT round_id, state, n FROM round_counts")
            .fetch_all(c)
            .await)?,
    };
    // (reports, reported, accepted) per round; "reported" is the domain's rule.
    let mut tally: HashMap<i64, (i64, i64, i64)> = HashMap::new();
    for (round, state, n) in counts {
        let state = state_from_code(&state)?;
        let t = tally.entry(round).or_default();
        t.0 += n;
        if state.is_reported() {
            t.1 += n;
        }
        if state == ReportState::Accepted {
            t.2 += n;
        }
    }
    rows.into_iter()
        .map(|row| {
            let (reports, reported, accepted) = tally.get(&row.id).copied().unwrap_or_default();
            let due = parse_date("截止日期", row.due.as_deref())?
                .ok_or_else(|| StoreError::Corrupt(format!("填报轮次 {} 没有截止日期", row.id)))?;
            let opened_at = row
                .opened_at
                .as_deref()
                .ok_or_else(|| StoreError::Corrupt(format!("填报轮次 {} 没有开启时间", row.id)))
                .and_then(|t| parse_timestamp("开启时间", t))?;
            Ok(RoundSummary {
                id: RoundId(row.id),
                document: DocumentId(row.document_id),
                doc_number: row.doc_number,
                label: row.label,
                due,
                opened_at,
                closed: row.closed_at.is_some(),
                imported: row.kind == IMPORTED,
                reports,
                reported,
                accepted,
            })
        })
        .collect()
}

impl Store {
    /// Opens a reporting round on a document's tasks, in one transaction: the round and
    /// one report (not started, empty) per included task and lead unit — the task's
    /// lead units in order, then units its sub-items name as their own leads, each
    /// unit once. Unknown task numbers → [`StoreError::UnknownTasks`] naming them, and
    /// nothing is written; a round with no report to write →
    /// [`StoreError::NothingToReport`]. Who may open rounds is the caller's check.
    pub async fn open_round(
        &self,
        new: NewRound,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<RoundId, StoreError> {
        let mut tx = self.db.write().await?;
        let opened = open_round(&mut tx, new, by, now).await;
        finish(tx, opened).await
    }

    /// Reporting rounds (not a notice's imported progress), newest (last opened) first,
    /// of one document or of all.
    pub async fn rounds(
        &self,
        document: Option<DocumentId>,
    ) -> Result<Vec<RoundSummary>, StoreError> {
        let which = match document {
            Some(document) => Rounds::Of(document),
            None => Rounds::All,
        };
        let mut tx = self.db.read().await?;
        let rounds = summaries(&mut tx, which).await?;
        tx.commit().await?;
        Ok(rounds)
    }

    /// The last opened reporting round of one document, or of all with `None`; `None`
    /// if there is none. One indexed row and its counts, unlike [`Store::rounds`].
    pub async fn latest_round(
        &self,
        document: Option<DocumentId>,
    ) -> Result<Option<RoundSummary>, StoreError> {
        let mut tx = self.db.read().await?;
        let round = summaries(&mut tx, Rounds::Latest(document))
            .await?
            .into_iter()
            .next();
        tx.commit().await?;
        Ok(round)
    }

    /// The reports of `rounds` counted by round, unit and state (the dashboard's
    /// figures), without reading each report: one grouped scan of a covering index
    /// (0022), and only for the documents written since the last call with the same
    /// rounds (each document's counts are kept while its revision holds). In the order
    /// of `rounds`, units in directory order within a round.
    pub async fn report_counts(&self, rounds: &[RoundId]) -> Result<Vec<ReportCount>, StoreError> {
        if rounds.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = rounds.iter().map(|r| r.0).collect();
        let mut tx = self.db.read().await?;
        let mut revisions = Revisions::read(&mut tx).await?;
        let sql = format!(
            "SELECT id, document_id FROM rounds WHERE id IN ({})",
            id_list(&ids)
        );
        let owners: Vec<(i64, i64)> = with_conn!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(c)
            .await)?;
        let documents: HashSet<i64> = owners.iter().map(|(_, d)| *d).collect();
        revisions.documents.retain(|(d, _)| documents.contains(d));
        let lookup = self.report_counts.lookup(&revisions, &ids);
        let mut computed: HashMap<i64, Vec<ReportCount>> = HashMap::new();
        if !lookup.stale.is_empty() {
            let stale: Vec<i64> = owners
                .iter()
                .filter(|(_, d)| lookup.stale.contains(d))
                .map(|(r, _)| *r)
                .collect();
            let document_of: HashMap<i64, i64> = owners.iter().copied().collect();
            for count in count_reports(&mut tx, &stale).await? {
                let document = document_of.get(&count.round.0).copied().unwrap_or_default();
                computed.entry(document).or_default().push(count);
            }
        }
        tx.commit().await?;
        let kept = self.report_counts.fill(&revisions, &ids, lookup, computed);
        let mut counts: Vec<ReportCount> = kept
            .iter()
            .flat_map(|(_, counts)| counts.iter().cloned())
            .collect();
        // In the order the rounds were asked for, units in directory (id) order.
        let place = |round: RoundId| ids.iter().position(|r| *r == round.0).unwrap_or(usize::MAX);
        counts.sort_by_key(|c| (place(c.round), c.unit_id));
        Ok(counts)
    }

    /// One reporting round; `None` if there is none with this id.
    pub async fn round(&self, id: RoundId) -> Result<Option<RoundSummary>, StoreError> {
        let mut tx = self.db.read().await?;
        let round = summaries(&mut tx, Rounds::Id(id)).await?.into_iter().next();
        tx.commit().await?;
        Ok(round)
    }

    /// Closes a reporting round: its reports can no longer change. Closing a closed
    /// round keeps the first closing time. Unknown → [`StoreError::RoundNotFound`].
    pub async fn close_round(&self, id: RoundId, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let result = async {
            let closed = with_conn!(&mut tx, c => sqlx::query_scalar::<_, Option<String>>(
                "SELECT closed_at FROM rounds WHERE id = $1 AND kind = $2",
            )
            .bind(id.0)
            .bind(REPORTING)
            .fetch_optional(c)
            .await)?;
            match closed {
                None => Err(StoreError::RoundNotFound(id)),
                Some(Some(_)) => Ok(()),
                Some(None) => {
                    execute!(
                        &mut tx,
                        sqlx::query(
                            "UPDATE rounds SET closed_at = $2 WHERE id = $1 AND closed_at IS NULL",
                        )
                        .bind(id.0)
                        .bind(timestamp_text(now))
                    )?;
                    Ok(())
                }
            }
        }
        .await;
        finish(tx, result).await
    }
}
