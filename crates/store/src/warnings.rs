//! 预警: the office's rule set as it saved it, and what is known of every listed task
//! for `domain::warning` to judge — its 办结 state, end date, the reading in force, how
//! many closed rounds in a row it was behind, whether a lead unit is late in the open
//! round. The judgement is domain's; this module reads.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use duban_domain::warning::{MAX_ROUNDS, TaskFacts, WarningRules, is_behind};
use duban_domain::{SubItemLabel, TaskState};
use serde::Serialize;

use crate::cache::{DocumentCache, GenerationCache, Revisions, id_list};
use crate::codec::{
    REPORTING, from_json, parse_date, parse_timestamp, state_from_code, task_state_from_code,
    timestamp_text, to_json, u32_from,
};
use crate::db::{Tx, execute, with_conn};
use crate::readings::{self, ReadingRound, Source};
use crate::{DocumentId, RoundId, Store, StoreError, TaskSummary, UserId};

/// One listed task with what its light is judged from, and its sub-items'.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskWarningFacts {
    pub task: TaskSummary,
    #[serde(skip)]
    pub facts: TaskFacts,
    /// Each sub-item's facts by its number (① is 1): the task's dates, rounds and
    /// reminders with the sub-item's own reading.
    #[serde(skip)]
    pub subitems: Vec<(SubItemLabel, TaskFacts)>,
}

/// Every listed task's facts, document by document (each document's kept as the
/// store computed it: a write to one document computes only its facts again).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WarningFacts {
    documents: Vec<(DocumentId, Arc<Vec<TaskWarningFacts>>)>,
}

impl WarningFacts {
    /// In document and task order.
    pub fn iter(&self) -> impl Iterator<Item = &TaskWarningFacts> {
        self.documents.iter().flat_map(|(_, facts)| facts.iter())
    }

    /// One document's, in task order (none if it is not listed).
    pub fn of_document(&self, document: DocumentId) -> &[TaskWarningFacts] {
        match self.documents.binary_search_by_key(&document, |(d, _)| *d) {
            Ok(i) => &self.documents[i].1,
            Err(_) => &[],
        }
    }

    /// Of one task, if it is listed.
    pub fn of_task(&self, document: DocumentId, number: u32) -> Option<&TaskWarningFacts> {
        self.of_document(document)
            .iter()
            .find(|f| f.task.number == number)
    }

    pub fn len(&self) -> usize {
        self.documents.iter().map(|(_, facts)| facts.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The rule set as saved, with who saved it and when (`None`: the default, never saved).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SavedWarningRules {
    pub rules: WarningRules,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The facts, kept per store generation for (day, rounds looked back).
pub(crate) type FactsCache = GenerationCache<(NaiveDate, u8), WarningFacts>;

/// Each document's facts for (day, rounds looked back), while its revision holds.
pub(crate) type DocumentFactsCache = DocumentCache<(NaiveDate, u8), Vec<TaskWarningFacts>>;

/// Whether a report in state `code` leaves its unit late once the round is due.
fn unreported(code: &str) -> Result<bool, StoreError> {
    Ok(!state_from_code(code)?.is_reported())
}

impl Store {
    /// The office's rule set; the default when it never saved one.
    pub async fn warning_rules(&self) -> Result<SavedWarningRules, StoreError> {
        let mut tx = self.db.read().await?;
        let row: Option<(String, String)> = with_conn!(&mut tx, c => sqlx::query_as(
            "SELECT rules_json, updated_at FROM warning_rules WHERE id = 1",
        )
        .fetch_optional(c)
        .await)?;
        tx.commit().await?;
        match row {
            Some((json, at)) => Ok(SavedWarningRules {
                rules: from_json("预警规则", &json)?,
                updated_at: Some(parse_timestamp("预警规则保存时间", &at)?),
            }),
            None => Ok(SavedWarningRules {
                rules: WarningRules::default(),
                updated_at: None,
            }),
        }
    }

    /// Records `rules` (checked by `WarningRules::checked` before) as the office's.
    pub async fn save_warning_rules(
        &self,
        rules: &WarningRules,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let json = to_json("预警规则", rules)?;
        let mut tx = self.db.write().await?;
        execute!(
            &mut tx,
            sqlx::query(
                "INSERT INTO warning_rules (id, rules_json, updated_by, updated_at) \
                 VALUES (1, $1, $2, $3) ON CONFLICT (id) DO UPDATE SET \
                 rules_json = excluded.rules_json, updated_by = excluded.updated_by, \
                 updated_at = excluded.updated_at",
            )
            .bind(json)
            .bind(by.0)
            .bind(timestamp_text(now))
        )?;
        tx.commit().await?;
        Ok(())
    }

    /// What is known of every listed task (not drafts, not a round's notice) on
    /// `today`, in document and task order, for the lights. One read transaction;
    /// the same facts are handed out again while nothing is committed and the day holds,
    /// and each document's are kept while its revision holds.
    ///
    /// `lookback`: how many closed rounds back a behind streak is counted (the rules'
    /// [`WarningRules::lookback`]; each round back costs a reading of every document).
    pub async fn warning_facts(
        &self,
        today: NaiveDate,
        lookback: u8,
    ) -> Result<Arc<WarningFacts>, StoreError> {
        let current = self.current_generation().await?;
        if let Some(facts) = self.warning_facts.get(current, &(today, lookback)) {
            return Ok(facts);
        }
        let mut tx = self.db.read().await?;
        let revisions = Revisions::read(&mut tx).await?;
        let key = (today, lookback);
        let lookup = self.document_facts.lookup(&revisions, &key);
        let computed = self
            .read_warning_facts(&mut tx, &lookup.stale, today, lookback)
            .await?;
        tx.commit().await?;
        let documents = self.document_facts.fill(&revisions, &key, lookup, computed);
        let facts = Arc::new(WarningFacts {
            documents: documents
                .into_iter()
                .filter(|(_, facts)| !facts.is_empty())
                .map(|(d, facts)| (DocumentId(d), facts))
                .collect(),
        });
        self.warning_facts
            .put(current, (today, lookback), Arc::clone(&facts));
        Ok(facts)
    }

    async fn read_warning_facts(
        &self,
        tx: &mut Tx,
        documents: &[i64],
        today: NaiveDate,
        lookback: u8,
    ) -> Result<HashMap<i64, Vec<TaskWarningFacts>>, StoreError> {
        if documents.is_empty() {
            return Ok(HashMap::new());
        }
        let listed = id_list(documents);
        let (readings, _) =
            readings::task_readings(&mut *tx, &self.readings, Some(documents)).await?;

        // Closed reporting rounds, newest first, as far back as a rule can look.
        type RoundRow = (i64, i64, String, String, String, String);
        let round_rows: Vec<RoundRow> = with_conn!(&mut *tx, c => sqlx::query_as(
            sqlx::AssertSqlSafe(format!(
            "SELECT r.id, r.document_id, d.imported_at, r.label, r.due, r.opened_at \
             FROM rounds r JOIN documents d ON d.id = r.document_id \
             WHERE r.kind = $1 AND r.closed_at IS NOT NULL \
               AND d.status <> 'draft' AND d.reports_round_id IS NULL \
               AND r.document_id IN ({listed}) \
             ORDER BY r.document_id, r.id DESC"
        )))
        .bind(REPORTING)
        .fetch_all(c)
        .await)?;
        let mut rounds: HashMap<i64, Vec<Source>> = HashMap::new();
        for (id, document, imported_at, label, due, opened_at) in round_rows {
            let kept = rounds.entry(document).or_default();
            if kept.len() >= usize::from(lookback.min(MAX_ROUNDS)) {
                continue;
            }
            kept.push(Source {
                document,
                imported_at,
                round: Some(ReadingRound {
                    id: RoundId(id),
                    label,
                    due: parse_date("截止日期", Some(&due))?.ok_or_else(|| {
                        StoreError::Corrupt(format!("填报轮次 {id} 没有截止日期"))
                    })?,
                    opened_at: parse_timestamp("开启时间", &opened_at)?,
                }),
            });
        }
        // Per task: behind in each closed round, newest first, while it has reports there.
        let mut streaks: HashMap<i64, u32> = HashMap::new();
        let mut broken: HashMap<i64, bool> = HashMap::new();
        for sources in rounds.into_values() {
            for source in sources {
                let reading = readings::document_reading(&mut *tx, &self.readings, source).await?;
                for t in &reading.tasks {
                    let ended = broken.entry(t.task).or_insert(false);
                    if *ended {
                        continue;
                    }
                    let behind =
                        t.decided_since.is_some() && is_behind(t.behind_pace, Some(t.status));
                    if behind {
                        *streaks.entry(t.task).or_insert(0) += 1;
                    } else {
                        *ended = true;
                    }
                }
            }
        }

        // Lead units late in an open round whose due date has passed.
        let late: Vec<(i64, String)> = with_conn!(&mut *tx, c => sqlx::query_as(
            sqlx::AssertSqlSafe(format!(
            "SELECT p.task_id, p.state FROM reports p JOIN rounds r ON r.id = p.round_id \
             WHERE r.kind = $1 AND r.closed_at IS NULL AND r.due < $2 \
               AND r.document_id IN ({listed})"
        )))
        .bind(REPORTING)
        .bind(today.format("%Y-%m-%d").to_string())
        .fetch_all(c)
        .await)?;
        let mut unreported_tasks = std::collections::HashSet::new();
        for (task, state) in late {
            if unreported(&state)? {
                unreported_tasks.insert(task);
            }
        }

        // 催办 still out: none of its recipients has read it in the app, and its round
        // (if it is about one) is still open. By document and task number.
        let out: Vec<(i64, String)> = with_conn!(&mut *tx, c => sqlx::query_as(
            sqlx::AssertSqlSafe(format!(
            "SELECT m.document_id, m.tasks_json FROM reminders m \
             LEFT JOIN rounds r ON r.id = m.round_id \
             WHERE (m.round_id IS NULL OR r.closed_at IS NULL) \
               AND m.document_id IN ({listed}) \
               AND NOT EXISTS (SELECT 1 FROM reminder_deliveries d \
                               WHERE d.reminder_id = m.id AND d.read_at IS NOT NULL)"
        )))
        .fetch_all(c)
        .await)?;
        let mut reminded = std::collections::HashSet::new();
        for (document, tasks) in out {
            for number in from_json::<Vec<u32>>("催办的任务", &tasks)? {
                reminded.insert((document, number));
            }
        }

        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            document_id: i64,
            doc_number: Option<String>,
            number: i64,
            content_text: String,
            state: Option<String>,
        }
        let rows: Vec<Row> = with_conn!(&mut *tx, c => sqlx::query_as(
            sqlx::AssertSqlSafe(format!(
            "SELECT t.id, t.document_id, d.doc_number, t.number, t.content_text, s.state \
             FROM tasks t JOIN documents d ON d.id = t.document_id \
             LEFT JOIN task_states s ON s.task_id = t.id \
             WHERE d.status <> 'draft' AND d.reports_round_id IS NULL \
               AND t.document_id IN ({listed}) \
             ORDER BY t.document_id, t.number"
        )))
        .fetch_all(c)
        .await)?;
        let unit_rows: Vec<(i64, String)> = with_conn!(&mut *tx, c => sqlx::query_as(
            sqlx::AssertSqlSafe(format!(
            "SELECT tu.task_id, u.name FROM task_units tu JOIN units u ON u.id = tu.unit_id \
             JOIN tasks t ON t.id = tu.task_id \
             WHERE tu.relation = 'lead' AND t.document_id IN ({listed}) \
             ORDER BY tu.task_id, tu.position"
        )))
        .fetch_all(c)
        .await)?;
        let mut leads: HashMap<i64, Vec<String>> = HashMap::new();
        for (task, unit) in unit_rows {
            leads.entry(task).or_default().push(unit);
        }

        let mut out: HashMap<i64, Vec<TaskWarningFacts>> = HashMap::new();
        for row in rows {
            let document = row.document_id;
            let listed = {
                let number = u32_from("任务序号", row.number)?;
                let closed = match row.state.as_deref() {
                    Some(code) => task_state_from_code(code)? == TaskState::Closed,
                    None => false,
                };
                let reading = readings.get(&row.id);
                let facts = TaskFacts {
                    closed,
                    due: reading.and_then(|r| r.due),
                    status: reading.map(|r| r.status),
                    behind_pace: reading.is_some_and(|r| r.behind_pace),
                    behind_streak: streaks.get(&row.id).copied().unwrap_or(0),
                    unreported_past_due: unreported_tasks.contains(&row.id),
                    reminder_out: reminded.contains(&(row.document_id, number)),
                };
                let subitems = reading
                    .map(|r| {
                        r.subitems
                            .iter()
                            .filter_map(|&(number, status)| {
                                Some((
                                    SubItemLabel::new(number)?,
                                    TaskFacts {
                                        status: Some(status),
                                        behind_pace: false,
                                        behind_streak: 0,
                                        ..facts.clone()
                                    },
                                ))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                TaskWarningFacts {
                    task: TaskSummary {
                        document: DocumentId(row.document_id),
                        doc_number: row.doc_number,
                        number,
                        content: row.content_text,
                        lead_units: leads.remove(&row.id).unwrap_or_default(),
                        cooperating_units: Vec::new(),
                    },
                    facts,
                    subitems,
                }
            };
            out.entry(document).or_default().push(listed);
        }
        Ok(out)
    }
}
