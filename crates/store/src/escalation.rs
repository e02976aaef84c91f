//! Escalation (督办升级) and the figures the rankings need (migration 0015): the
//! office's ladder, every unit's steps with date, reason and who (the rule, or the office
//! by hand), and per unit and round period the counts `domain::escalation::rank` ranks.
//!
//! The rule itself is `domain::escalation`; here it is fed and its steps recorded.
//! Writes take [`Lock::Escalation`] on PostgreSQL first, so two servers applying the
//! rule at once record each step once.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use duban_domain::escalation::{
    Ladder, LadderError, RoundCounts, RoundLapses, UnitRounds, automatic_steps, pace_threshold,
};
use duban_domain::{UnitKind, china_date};
use serde::Serialize;

use crate::cache::{DocumentCache, Revisions, id_list};
use crate::codec::{
    REPORTING, date_text, from_json, parse_date, parse_timestamp, timestamp_text, to_json, u32_from,
};
use crate::db::{Backend, Lock, Tx, execute, with_conn};
use crate::{Store, StoreError, User, finish, load};

/// States in which a report counts as reported (`ReportState::is_reported`).
const REPORTED: &str = "('submitted', 'unit_approved', 'accepted')";

/// One step a unit was put on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EscalationStep {
    pub id: i64,
    pub unit: String,
    /// 0: no step (未升级).
    pub level: usize,
    /// The step's name when it was taken.
    pub step: String,
    /// When it took effect (China date).
    pub on: NaiveDate,
    pub reason: String,
    /// Taken by the rule from the unit's lapses (else set by the office).
    pub automatic: bool,
    /// For an automatic step: the round that completed the count.
    pub round: Option<String>,
    /// Who set it (display name); `None` for the rule.
    pub set_by: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

/// Where a unit stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitStanding {
    pub unit: String,
    pub kind: UnitKind,
    pub level: usize,
    /// The level's name on the ladder in force.
    pub step: String,
    /// Its latest step, if it was ever put on one.
    pub last: Option<EscalationStep>,
}

/// One unit's reports not yet reported in one open round period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreported {
    pub unit: String,
    pub kind: UnitKind,
    pub round: String,
    pub due: Option<NaiveDate>,
    /// Reports not (or not again, after being sent back) submitted.
    pub reports: u32,
    /// Whether the due date has passed.
    pub overdue: bool,
}

/// The last [`RankingSource`] read, with the store's generation and the day it was
/// read at: every write its figures depend on moves the generation (reports' states,
/// rounds, units, tasks; a 完成进度 counts only once its report is reported, and a
/// report's state changes with it).
pub(crate) type RankingCache = crate::cache::GenerationCache<NaiveDate, RankingSource>;

/// Each document's share of the figures for a day, while its revision holds.
pub(crate) type RankingCountsCache = DocumentCache<NaiveDate, DocumentCounts>;

/// What the dashboard's rankings are computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankingSource {
    /// Every unit of the directory but groups (泛指), in directory order.
    pub units: Vec<UnitRounds>,
    /// Open rounds, by due date, unit (directory order) and label.
    pub unreported: Vec<Unreported>,
}

#[derive(sqlx::FromRow)]
struct StepRow {
    id: i64,
    unit: String,
    level: i64,
    step: String,
    on_date: String,
    reason: String,
    automatic: i64,
    round_label: Option<String>,
    set_by: Option<String>,
    recorded_at: String,
}

impl StepRow {
    fn into_step(self) -> Result<EscalationStep, StoreError> {
        Ok(EscalationStep {
            id: self.id,
            unit: self.unit,
            level: u32_from("督办档次", self.level)? as usize,
            step: self.step,
            on: parse_date("升级日期", Some(&self.on_date))?
                .ok_or_else(|| StoreError::Corrupt("督办升级记录没有日期".into()))?,
            reason: self.reason,
            automatic: self.automatic != 0,
            round: self.round_label,
            set_by: self.set_by,
            recorded_at: parse_timestamp("记录时间", &self.recorded_at)?,
        })
    }
}

const STEP_COLUMNS: &str = "s.id, u.name AS unit, s.level, s.step, s.on_date, s.reason, \
     s.automatic, s.round_label, us.display_name AS set_by, s.recorded_at \
     FROM escalation_steps s JOIN units u ON u.id = s.unit_id \
     LEFT JOIN users us ON us.id = s.set_by";

async fn ladder(tx: &mut Tx) -> Result<Ladder, StoreError> {
    let row: Option<(String, i64, i64)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT steps_json, lapses, within_rounds FROM escalation_ladder WHERE id = 1",
    )
    .fetch_optional(c)
    .await)?;
    match row {
        None => Ok(Ladder::default()),
        Some((steps, lapses, within)) => {
            let steps: Vec<String> = from_json("督办档次", &steps)?;
            Ladder::new(
                &steps,
                u32_from("升级规则逾期轮数", lapses)?,
                u32_from("升级规则轮数", within)?,
            )
            .map_err(|e| StoreError::Corrupt(format!("保存的督办档次无效：{e}")))
        }
    }
}

/// Each unit's latest step (unit id → step).
async fn latest_steps(tx: &mut Tx) -> Result<HashMap<i64, (i64, EscalationStep)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        unit_id: i64,
        #[sqlx(flatten)]
        step: StepRow,
    }
    let rows: Vec<Row> = with_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT s.unit_id, {STEP_COLUMNS} \
         WHERE s.id IN (SELECT MAX(id) FROM escalation_steps GROUP BY unit_id)"
    )))
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|r| Ok((r.unit_id, (r.unit_id, r.step.into_step()?))))
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn insert_step(
    tx: &mut Tx,
    unit_id: i64,
    level: usize,
    step: &str,
    on: NaiveDate,
    reason: &str,
    round: Option<&str>,
    set_by: Option<i64>,
    at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let id: i64 = with_conn!(tx, c => sqlx::query_scalar(
        "INSERT INTO escalation_steps \
         (unit_id, level, step, on_date, reason, automatic, round_label, set_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(unit_id)
    .bind(level as i64)
    .bind(step)
    .bind(date_text(Some(on)))
    .bind(reason)
    .bind(i64::from(set_by.is_none()))
    .bind(round)
    .bind(set_by)
    .bind(timestamp_text(at))
    .fetch_one(c)
    .await)?;
    Ok(id)
}

async fn step_by_id(tx: &mut Tx, id: i64) -> Result<EscalationStep, StoreError> {
    let row: StepRow = with_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {STEP_COLUMNS} WHERE s.id = $1"
    )))
    .bind(id)
    .fetch_one(c)
    .await)?;
    row.into_step()
}

/// A unit's id by its name or an alias.
async fn unit_id(tx: &mut Tx, name: &str) -> Result<i64, StoreError> {
    let id: Option<i64> = with_conn!(tx, c => sqlx::query_scalar(
        "SELECT id FROM units WHERE name = $1 \
         UNION SELECT unit_id FROM unit_aliases WHERE alias = $1",
    )
    .bind(name)
    .fetch_optional(c)
    .await)?;
    id.ok_or_else(|| StoreError::UnknownUnit(name.to_string()))
}

/// Per unit and round period due before `today`: reports late or not submitted by then.
async fn round_lapses(
    tx: &mut Tx,
    today: NaiveDate,
) -> Result<HashMap<i64, Vec<RoundLapses>>, StoreError> {
    let rows: Vec<(i64, String, String, i64)> = with_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT p.unit_id, r.label, r.due, \
                SUM(CASE WHEN p.submitted_at >= (r.due || 'T16:00:00') \
                      OR (p.submitted_at IS NULL AND p.state NOT IN {REPORTED}) \
                    THEN 1 ELSE 0 END) \
         FROM reports p JOIN rounds r ON r.id = p.round_id \
         WHERE r.kind = $1 AND r.due IS NOT NULL AND r.due < $2 \
         GROUP BY p.unit_id, r.label, r.due \
         ORDER BY p.unit_id, r.due, r.label"
    )))
    .bind(REPORTING)
    .bind(date_text(Some(today)))
    .fetch_all(c)
    .await)?;
    let mut out: HashMap<i64, Vec<RoundLapses>> = HashMap::new();
    for (unit, label, due, lapses) in rows {
        out.entry(unit).or_default().push(RoundLapses {
            round: label,
            due: parse_date("截止日期", Some(&due))?
                .ok_or_else(|| StoreError::Corrupt("填报轮次没有截止日期".into()))?,
            lapses: u32_from("逾期数", lapses)?,
        });
    }
    Ok(out)
}

/// The China date of a UTC timestamp column in the text form of 0002, as days
/// between it and a `YYYY-MM-DD` column, per dialect.
fn delay_days_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "CAST(julianday(date(substr(p.submitted_at, 1, 19), '+8 hours')) - julianday(r.due) \
             AS INTEGER)"
        }
        Backend::Postgres => {
            "(CAST(CAST(substr(p.submitted_at, 1, 19) AS TIMESTAMP) + INTERVAL '8 hours' AS DATE) \
             - CAST(r.due AS DATE))"
        }
    }
}

#[derive(sqlx::FromRow)]
struct CountRow {
    document_id: i64,
    unit_id: i64,
    label: String,
    due: String,
    expected: i64,
    on_time: i64,
    late: i64,
    missing: i64,
    delay_days: i64,
    judged: i64,
    on_pace: i64,
}

/// One document's share of the rankings' figures; summed over documents by unit.
#[derive(Debug, Default)]
pub(crate) struct DocumentCounts {
    /// Tasks led, by unit id.
    led: Vec<(i64, u32)>,
    /// Per unit id and round period.
    rounds: Vec<(i64, RoundCounts)>,
    /// Open rounds' reports not reported: unit id, period, due date, how many.
    open: Vec<(i64, String, Option<NaiveDate>, u32)>,
}

/// The rankings' figures of `documents`, by document.
async fn document_counts(
    tx: &mut Tx,
    documents: &[i64],
    today: NaiveDate,
) -> Result<HashMap<i64, DocumentCounts>, StoreError> {
    let mut out: HashMap<i64, DocumentCounts> = HashMap::new();
    if documents.is_empty() {
        return Ok(out);
    }
    let listed = id_list(documents);
    let led: Vec<(i64, i64, i64)> = with_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT t.document_id, tu.unit_id, COUNT(DISTINCT tu.task_id) \
         FROM task_units tu JOIN tasks t ON t.id = tu.task_id \
         WHERE tu.relation = 'lead' AND t.document_id IN ({listed}) \
         GROUP BY t.document_id, tu.unit_id"
    )))
    .fetch_all(c)
    .await)?;
    for (document, unit, n) in led {
        out.entry(document)
            .or_default()
            .led
            .push((unit, u32_from("牵头任务数", n)?));
    }
    let dues: Vec<String> = with_conn!(tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT DISTINCT due FROM rounds \
         WHERE kind = $1 AND due IS NOT NULL AND document_id IN ({listed})"
    )))
    .bind(REPORTING)
    .fetch_all(c)
    .await)?;
    if dues.is_empty() {
        return Ok(out);
    }
    // 序时进度 per due date, as the domain decides it, joined in as a table.
    let mut pace = Vec::with_capacity(dues.len());
    for due in &dues {
        let date = parse_date("截止日期", Some(due))?
            .ok_or_else(|| StoreError::Corrupt("填报轮次没有截止日期".into()))?;
        pace.push((due.clone(), pace_threshold(date)));
    }
    let values: Vec<String> = (0..pace.len())
        .map(|i| format!("(${}, ${})", 2 * i + 3, 2 * i + 4))
        .collect();
    let sql = format!(
        "WITH pace (due, needed) AS (VALUES {values}) \
         SELECT r.document_id, p.unit_id, r.label, r.due, COUNT(*) AS expected, \
                SUM(CASE WHEN p.submitted_at < (r.due || 'T16:00:00') THEN 1 ELSE 0 END) \
                    AS on_time, \
                SUM(CASE WHEN p.submitted_at >= (r.due || 'T16:00:00') THEN 1 ELSE 0 END) \
                    AS late, \
                SUM(CASE WHEN p.submitted_at IS NULL AND p.state NOT IN {REPORTED} \
                    AND r.due < $2 THEN 1 ELSE 0 END) AS missing, \
                SUM(CASE WHEN p.submitted_at >= (r.due || 'T16:00:00') \
                    THEN {delay} ELSE 0 END) AS delay_days, \
                SUM(CASE WHEN p.percent IS NOT NULL AND p.state IN {REPORTED} \
                    THEN 1 ELSE 0 END) AS judged, \
                SUM(CASE WHEN p.percent >= pace.needed AND p.state IN {REPORTED} \
                    THEN 1 ELSE 0 END) AS on_pace \
         FROM reports p JOIN rounds r ON r.id = p.round_id \
         JOIN pace ON pace.due = r.due \
         WHERE r.kind = $1 AND r.document_id IN ({listed}) \
         GROUP BY r.document_id, p.unit_id, r.label, r.due",
        values = values.join(", "),
        delay = delay_days_sql(tx.backend()),
    );
    let rows: Vec<CountRow> = with_conn!(tx, c => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(REPORTING)
            .bind(date_text(Some(today)));
        for (due, needed) in &pace {
            q = q.bind(due.clone()).bind(*needed);
        }
        q.fetch_all(c).await
    })?;
    let returned: Vec<(i64, i64, String, String, i64)> = with_conn!(tx, c => sqlx::query_as(
        sqlx::AssertSqlSafe(format!(
            "SELECT r.document_id, p.unit_id, r.label, r.due, COUNT(*) \
             FROM rounds r JOIN reports p ON p.round_id = r.id \
             WHERE r.kind = $1 AND r.due IS NOT NULL AND r.document_id IN ({listed}) \
               AND EXISTS (SELECT 1 FROM report_events e \
                           WHERE e.to_state = 'returned' AND e.report_id = p.id) \
             GROUP BY r.document_id, p.unit_id, r.label, r.due"
        ))
    )
    .bind(REPORTING)
    .fetch_all(c)
    .await)?;
    let returned: HashMap<(i64, i64, String, String), i64> = returned
        .into_iter()
        .map(|(doc, u, l, d, n)| ((doc, u, l, d), n))
        .collect();
    for row in rows {
        let back = returned
            .get(&(
                row.document_id,
                row.unit_id,
                row.label.clone(),
                row.due.clone(),
            ))
            .copied()
            .unwrap_or(0);
        out.entry(row.document_id).or_default().rounds.push((
            row.unit_id,
            RoundCounts {
                due: parse_date("截止日期", Some(&row.due))?,
                round: row.label,
                expected: u32_from("应报数", row.expected)?,
                on_time: u32_from("按时报送数", row.on_time)?,
                late: u32_from("逾期报送数", row.late)?,
                missing: u32_from("未报送数", row.missing)?,
                returned: u32_from("退回数", back)?,
                delay_days: u32_from("迟报天数", row.delay_days)?,
                judged: u32_from("填有完成进度的填报数", row.judged)?,
                on_pace: u32_from("达序时的填报数", row.on_pace)?,
            },
        ));
    }
    let open: Vec<(i64, i64, String, Option<String>, i64)> = with_conn!(tx, c => sqlx::query_as(
        sqlx::AssertSqlSafe(format!(
            "SELECT r.document_id, p.unit_id, r.label, r.due, COUNT(*) \
             FROM reports p JOIN rounds r ON r.id = p.round_id \
             WHERE r.kind = $1 AND r.closed_at IS NULL AND p.state NOT IN {REPORTED} \
               AND r.document_id IN ({listed}) \
             GROUP BY r.document_id, p.unit_id, r.label, r.due"
        ))
    )
    .bind(REPORTING)
    .fetch_all(c)
    .await)?;
    for (document, unit, label, due, count) in open {
        out.entry(document).or_default().open.push((
            unit,
            label,
            parse_date("截止日期", due.as_deref())?,
            u32_from("未报送数", count)?,
        ));
    }
    Ok(out)
}

/// Every unit's figures summed over the documents' shares, with the unit directory.
async fn ranking_source(
    tx: &mut Tx,
    documents: &[(i64, Arc<DocumentCounts>)],
    today: NaiveDate,
) -> Result<RankingSource, StoreError> {
    let directory = load::directory(tx).await?;
    let mut led: HashMap<i64, u32> = HashMap::new();
    let mut rounds: HashMap<(i64, &str, Option<NaiveDate>), RoundCounts> = HashMap::new();
    let mut open: HashMap<(i64, &str, Option<NaiveDate>), u32> = HashMap::new();
    for (_, counts) in documents {
        for (unit, n) in &counts.led {
            *led.entry(*unit).or_default() += n;
        }
        for (unit, r) in &counts.rounds {
            rounds
                .entry((*unit, r.round.as_str(), r.due))
                .or_insert_with(|| RoundCounts {
                    round: r.round.clone(),
                    due: r.due,
                    ..RoundCounts::default()
                })
                .add(r);
        }
        for (unit, label, due, n) in &counts.open {
            *open.entry((*unit, label.as_str(), *due)).or_default() += n;
        }
    }
    let mut per_unit: HashMap<i64, Vec<RoundCounts>> = HashMap::new();
    for ((unit, _, _), r) in rounds {
        per_unit.entry(unit).or_default().push(r);
    }
    let position: HashMap<i64, usize> = directory
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (*id, i))
        .collect();
    let mut keyed = Vec::with_capacity(open.len());
    for ((unit_id, label, due), count) in open {
        let Some(&at) = position.get(&unit_id) else {
            return Err(StoreError::Corrupt(format!(
                "填报指向不存在的单位 {unit_id}"
            )));
        };
        let unit = &directory[at].1;
        keyed.push((
            (due, at, label),
            Unreported {
                unit: unit.name.clone(),
                kind: unit.kind,
                round: label.to_string(),
                overdue: due.is_some_and(|d| d < today),
                due,
                reports: count,
            },
        ));
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let unreported = keyed.into_iter().map(|(_, u)| u).collect();
    let units = directory
        .into_iter()
        .filter(|(_, u)| u.kind != UnitKind::Group)
        .map(|(id, u)| UnitRounds {
            tasks_led: led.get(&id).copied().unwrap_or(0),
            rounds: per_unit.remove(&id).unwrap_or_default(),
            unit: u.name,
            kind: u.kind,
        })
        .collect();
    Ok(RankingSource { units, unreported })
}

impl Store {
    /// The office's ladder (the default until it sets one).
    pub async fn escalation_ladder(&self) -> Result<Ladder, StoreError> {
        let mut tx = self.db.read().await?;
        let found = ladder(&mut tx).await;
        finish(tx, found).await
    }

    /// Replaces the ladder. Refused ([`LadderError::LevelHeld`]) when a unit stands on
    /// a level the new ladder does not have.
    pub async fn set_escalation_ladder(
        &self,
        new: &Ladder,
        by: &User,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let result = async {
            tx.lock(Lock::Escalation).await?;
            let latest = latest_steps(&mut tx).await?;
            if let Some((_, s)) = latest.values().max_by_key(|(_, s)| s.level) {
                new.check_held(s.level, &s.step)
                    .map_err(StoreError::Ladder)?;
            }
            execute!(
                &mut tx,
                sqlx::query(
                    "INSERT INTO escalation_ladder \
                 (id, steps_json, lapses, within_rounds, updated_by, updated_at) \
                 VALUES (1, $1, $2, $3, $4, $5) \
                 ON CONFLICT (id) DO UPDATE SET steps_json = excluded.steps_json, \
                 lapses = excluded.lapses, within_rounds = excluded.within_rounds, \
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                )
                .bind(to_json("督办档次", new.steps())?)
                .bind(i64::from(new.lapses()))
                .bind(i64::from(new.within()))
                .bind(by.id.0)
                .bind(timestamp_text(at))
            )?;
            Ok(())
        }
        .await;
        finish(tx, result).await
    }

    /// The ladder and where every unit (but groups, 泛指) stands, in directory order.
    pub async fn escalation_standings(&self) -> Result<(Ladder, Vec<UnitStanding>), StoreError> {
        let mut tx = self.db.read().await?;
        let result = async {
            let ladder = ladder(&mut tx).await?;
            let mut latest = latest_steps(&mut tx).await?;
            let standings = load::directory(&mut tx)
                .await?
                .into_iter()
                .filter(|(_, u)| u.kind != UnitKind::Group)
                .map(|(id, u)| {
                    let last = latest.remove(&id).map(|(_, s)| s);
                    let level = last.as_ref().map_or(0, |s| s.level);
                    UnitStanding {
                        step: ladder.label(level).to_string(),
                        unit: u.name,
                        kind: u.kind,
                        level,
                        last,
                    }
                })
                .collect();
            Ok((ladder, standings))
        }
        .await;
        finish(tx, result).await
    }

    /// Steps taken, newest first; of one unit (name or alias) or all.
    pub async fn escalation_history(
        &self,
        unit: Option<&str>,
    ) -> Result<Vec<EscalationStep>, StoreError> {
        let mut tx = self.db.read().await?;
        let result = async {
            let id = match unit {
                Some(name) => Some(unit_id(&mut tx, name).await?),
                None => None,
            };
            let rows: Vec<StepRow> = with_conn!(&mut tx, c => sqlx::query_as(
                sqlx::AssertSqlSafe(format!(
                    "SELECT {STEP_COLUMNS} WHERE ($1 IS NULL OR s.unit_id = $1) \
                     ORDER BY s.id DESC"
                ))
            )
            .bind(id)
            .fetch_all(c)
            .await)?;
            rows.into_iter().map(StepRow::into_step).collect()
        }
        .await;
        finish(tx, result).await
    }

    /// The office puts `unit` (name or alias) on `level` (0: none) with `reason`.
    pub async fn set_escalation_step(
        &self,
        unit: &str,
        level: usize,
        reason: &str,
        by: &User,
        at: DateTime<Utc>,
    ) -> Result<EscalationStep, StoreError> {
        let mut tx = self.db.write().await?;
        let result = async {
            tx.lock(Lock::Escalation).await?;
            let unit = unit_id(&mut tx, unit).await?;
            let ladder = ladder(&mut tx).await?;
            ladder
                .check_manual(level, reason)
                .map_err(StoreError::Ladder)?;
            let id = insert_step(
                &mut tx,
                unit,
                level,
                ladder.label(level),
                china_date(at),
                reason.trim(),
                None,
                Some(by.id.0),
                at,
            )
            .await?;
            step_by_id(&mut tx, id).await
        }
        .await;
        finish(tx, result).await
    }

    /// Applies the ladder's rule as of `today` (China date): for each unit, the rounds
    /// due after its last step and before `today`; records the steps the rule takes
    /// (each once, however often this runs). Returns them, in unit order.
    pub async fn apply_escalation_rule(
        &self,
        today: NaiveDate,
        at: DateTime<Utc>,
    ) -> Result<Vec<EscalationStep>, StoreError> {
        let mut tx = self.db.write().await?;
        let result = async {
            tx.lock(Lock::Escalation).await?;
            let ladder = ladder(&mut tx).await?;
            let latest = latest_steps(&mut tx).await?;
            let mut lapses: Vec<(i64, Vec<RoundLapses>)> =
                round_lapses(&mut tx, today).await?.into_iter().collect();
            lapses.sort_by_key(|(unit, _)| *unit);
            let mut ids = Vec::new();
            for (unit, rounds) in lapses {
                let (level, since) = latest
                    .get(&unit)
                    .map_or((0, None), |(_, s)| (s.level, Some(s.on)));
                let rounds: Vec<RoundLapses> = rounds
                    .into_iter()
                    .filter(|r| since.is_none_or(|s| r.due > s))
                    .collect();
                for step in automatic_steps(&ladder, level, &rounds) {
                    ids.push(
                        insert_step(
                            &mut tx,
                            unit,
                            step.level,
                            ladder.label(step.level),
                            step.on,
                            &step.reason,
                            Some(&step.round),
                            None,
                            at,
                        )
                        .await?,
                    );
                }
            }
            let mut steps = Vec::with_capacity(ids.len());
            for id in ids {
                steps.push(step_by_id(&mut tx, id).await?);
            }
            Ok(steps)
        }
        .await;
        finish(tx, result).await
    }

    /// Every unit's counts per round period, and what open rounds still wait for, as of
    /// `today` (China date), in one read; the last one read again while nothing it
    /// counts has changed (the store's generation) on the same day, and each
    /// document's share kept while its revision holds.
    pub async fn ranking_source(&self, today: NaiveDate) -> Result<Arc<RankingSource>, StoreError> {
        let mut tx = self.db.read().await?;
        let result = async {
            let generation: i64 = with_conn!(&mut tx, c => sqlx::query_scalar(
                crate::task_page::GENERATION_SQL,
            )
            .fetch_one(c)
            .await)?;
            if let Some(source) = self.rankings.get(generation, &today) {
                return Ok(source);
            }
            let revisions = Revisions::read(&mut tx).await?;
            let lookup = self.ranking_counts.lookup(&revisions, &today);
            let computed = document_counts(&mut tx, &lookup.stale, today).await?;
            let documents = self
                .ranking_counts
                .fill(&revisions, &today, lookup, computed);
            let source = Arc::new(ranking_source(&mut tx, &documents, today).await?);
            self.rankings.put(generation, today, Arc::clone(&source));
            Ok(source)
        }
        .await;
        finish(tx, result).await
    }
}

impl From<LadderError> for StoreError {
    fn from(e: LadderError) -> Self {
        StoreError::Ladder(e)
    }
}
