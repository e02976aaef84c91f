//! Scheduled reporting rounds: the office sets a schedule once (weekly, monthly,
//! quarterly on a document's tasks) and every app server's tick opens the round of each
//! period when it falls due, exactly once however many servers tick at the same moment.
//!
//! Which periods are due, their labels and due dates are `duban_domain::schedule`'s;
//! the round is opened by [`Store::open_round`], the same path as a round opened by
//! hand. A period is first claimed (a row in `schedule_periods`, whose primary key
//! lets only one server claim it), then its round is opened, then the claim records
//! the round, or why it could not be opened.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use duban_domain::schedule::{Cadence, Period, Schedule};
use serde::Serialize;

use crate::codec::{
    REPORTING, china_date, date_text, from_json, parse_date, parse_timestamp, timestamp_text,
    to_json, u32_from,
};
use crate::db::{Tx, execute, with_conn};
use crate::{DocumentId, NewRound, RoundId, Store, StoreError, UserId, finish};

/// A claim older than this that has neither a round nor an error was cut short (its
/// server stopped between claiming and opening) and is taken up again.
pub const STALE_CLAIM_MINUTES: i64 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ScheduleId(pub i64);

impl std::fmt::Display for ScheduleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A schedule to create. The caller checks `schedule` ([`Schedule::check`]) first and
/// tells the user what is wrong; the store refuses an unchecked one as a bug.
#[derive(Debug, Clone)]
pub struct NewSchedule {
    pub document: DocumentId,
    pub schedule: Schedule,
    /// 序号 of the tasks each round includes; `None` means every task of the document.
    pub tasks: Option<Vec<u32>>,
}

/// Where a period of a schedule stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodState {
    /// A server is opening its round (or stopped while doing so).
    Claimed,
    Opened,
    /// The round could not be opened; `error` says why. Not tried again.
    Failed,
}

impl PeriodState {
    fn code(self) -> &'static str {
        match self {
            PeriodState::Claimed => "claimed",
            PeriodState::Opened => "opened",
            PeriodState::Failed => "failed",
        }
    }

    fn from_code(code: &str) -> Result<PeriodState, StoreError> {
        match code {
            "claimed" => Ok(PeriodState::Claimed),
            "opened" => Ok(PeriodState::Opened),
            "failed" => Ok(PeriodState::Failed),
            other => Err(StoreError::Corrupt(format!("未知的期次状态“{other}”"))),
        }
    }
}

/// A period a schedule has taken up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchedulePeriod {
    /// The period's key (`2024-M09`).
    pub period: String,
    /// The round's label (`1-9月`).
    pub label: String,
    pub due: NaiveDate,
    pub state: PeriodState,
    pub claimed_at: DateTime<Utc>,
    pub round: Option<RoundId>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleSummary {
    pub id: ScheduleId,
    pub document: DocumentId,
    pub doc_number: Option<String>,
    #[serde(flatten)]
    pub schedule: Schedule,
    /// 序号 of the tasks included; `None`: every task.
    pub tasks: Option<Vec<u32>>,
    pub paused: bool,
    /// Display name of who created it (rounds are opened in their name).
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// Periods taken up so far, latest first.
    pub periods: Vec<SchedulePeriod>,
}

/// A round a tick opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenedRound {
    pub schedule: ScheduleId,
    pub document: DocumentId,
    pub period: String,
    pub label: String,
    pub due: NaiveDate,
    pub round: RoundId,
}

/// A period whose round a tick could not open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedRound {
    pub schedule: ScheduleId,
    pub document: DocumentId,
    pub period: String,
    pub label: String,
    pub error: String,
    /// Whether the next tick tries again (a database error), or the failure is
    /// recorded on the schedule (the document has no such task, nobody to report …).
    pub retried: bool,
}

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TickOutcome {
    pub opened: Vec<OpenedRound>,
    pub failed: Vec<FailedRound>,
}

struct Stored {
    id: ScheduleId,
    document: DocumentId,
    schedule: Schedule,
    tasks: Option<Vec<u32>>,
    paused: bool,
    created_by: UserId,
    created_by_name: String,
    created_at: DateTime<Utc>,
    doc_number: Option<String>,
}

async fn load(tx: &mut Tx, id: Option<ScheduleId>) -> Result<Vec<Stored>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        document_id: i64,
        doc_number: Option<String>,
        cadence: String,
        year: i64,
        start_date: String,
        lead_days: i64,
        due_days: i64,
        tasks_json: Option<String>,
        paused: i64,
        created_by: i64,
        display_name: String,
        created_at: String,
    }
    let id = id.map(|s| s.0);
    let rows: Vec<Row> = with_conn!(tx, c => sqlx::query_as(
        "SELECT s.id, s.document_id, d.doc_number, s.cadence, s.year, s.start_date, \
             s.lead_days, s.due_days, s.tasks_json, s.paused, s.created_by, u.display_name, \
             s.created_at \
         FROM round_schedules s \
         JOIN documents d ON d.id = s.document_id \
         JOIN users u ON u.id = s.created_by \
         WHERE ($1 IS NULL OR s.id = $1) ORDER BY s.id",
    )
    .bind(id)
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|r| {
            let cadence = Cadence::from_code(&r.cadence)
                .ok_or_else(|| StoreError::Corrupt(format!("未知的周期“{}”", r.cadence)))?;
            let number = |what: &str, n: i64| {
                i32::try_from(n).map_err(|_| StoreError::Corrupt(format!("{what} {n} 超出范围")))
            };
            let start = parse_date("开始日期", Some(&r.start_date))?
                .ok_or_else(|| StoreError::Corrupt("定期计划缺少开始日期".into()))?;
            Ok(Stored {
                id: ScheduleId(r.id),
                document: DocumentId(r.document_id),
                schedule: Schedule {
                    cadence,
                    year: number("年度", r.year)?,
                    start,
                    lead_days: u32_from("提前天数", r.lead_days)?,
                    due_days: number("截止天数", r.due_days)?,
                },
                tasks: r
                    .tasks_json
                    .as_deref()
                    .map(|t| from_json("定期计划的任务", t))
                    .transpose()?,
                paused: r.paused != 0,
                created_by: UserId(r.created_by),
                created_by_name: r.display_name,
                created_at: parse_timestamp("创建时间", &r.created_at)?,
                doc_number: r.doc_number,
            })
        })
        .collect()
}

async fn periods(
    tx: &mut Tx,
    id: Option<ScheduleId>,
) -> Result<HashMap<ScheduleId, Vec<SchedulePeriod>>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        schedule_id: i64,
        period: String,
        label: String,
        due: String,
        state: String,
        claimed_at: String,
        round_id: Option<i64>,
        error: Option<String>,
    }
    let rows: Vec<Row> = with_conn!(tx, c => sqlx::query_as(
        "SELECT schedule_id, period, label, due, state, claimed_at, round_id, error \
         FROM schedule_periods WHERE ($1 IS NULL OR schedule_id = $1) \
         ORDER BY schedule_id, period DESC",
    )
    .bind(id.map(|s| s.0))
    .fetch_all(c)
    .await)?;
    let mut out: HashMap<ScheduleId, Vec<SchedulePeriod>> = HashMap::new();
    for r in rows {
        let due = parse_date("截止日期", Some(&r.due))?
            .ok_or_else(|| StoreError::Corrupt("期次缺少截止日期".into()))?;
        out.entry(ScheduleId(r.schedule_id))
            .or_default()
            .push(SchedulePeriod {
                period: r.period,
                label: r.label,
                due,
                state: PeriodState::from_code(&r.state)?,
                claimed_at: parse_timestamp("认领时间", &r.claimed_at)?,
                round: r.round_id.map(RoundId),
                error: r.error,
            });
    }
    Ok(out)
}

async fn summaries(
    tx: &mut Tx,
    id: Option<ScheduleId>,
    document: Option<DocumentId>,
) -> Result<Vec<ScheduleSummary>, StoreError> {
    let stored = load(tx, id).await?;
    let mut periods = periods(tx, id).await?;
    Ok(stored
        .into_iter()
        .filter(|s| document.is_none_or(|d| d == s.document))
        .map(|s| ScheduleSummary {
            periods: periods.remove(&s.id).unwrap_or_default(),
            id: s.id,
            document: s.document,
            doc_number: s.doc_number,
            schedule: s.schedule,
            tasks: s.tasks,
            paused: s.paused,
            created_by: s.created_by_name,
            created_at: s.created_at,
        })
        .collect())
}

async fn create(
    tx: &mut Tx,
    new: NewSchedule,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<ScheduleId, StoreError> {
    new.schedule
        .check()
        .map_err(|e| StoreError::Corrupt(format!("定期计划未经检查：{e}")))?;
    let document = new.document;
    // The same checks a round opened by hand meets, now rather than at the first tick.
    let (task_ids, chosen) =
        crate::rounds::round_tasks(tx, document, by, new.tasks.clone()).await?;
    // Kept sorted and without repeats; `None`: every task, as the document has them then.
    let tasks: Option<Vec<u32>> = new.tasks.as_ref().map(|_| chosen.iter().copied().collect());
    let leads = crate::rounds::lead_units(tx, document, None).await?;
    let reports = task_ids
        .iter()
        .filter(|(n, _)| chosen.contains(n))
        .any(|(_, id)| leads.get(id).is_some_and(|units| !units.is_empty()));
    if !reports {
        return Err(StoreError::NothingToReport(document));
    }
    let tasks_json = tasks.as_ref().map(|t| to_json("任务", t)).transpose()?;
    let s = new.schedule;
    let id = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO round_schedules (document_id, cadence, year, start_date, lead_days, \
             due_days, tasks_json, paused, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9) RETURNING id",
    )
    .bind(document.0)
    .bind(s.cadence.code())
    .bind(i64::from(s.year))
    .bind(date_text(Some(s.start)))
    .bind(i64::from(s.lead_days))
    .bind(i64::from(s.due_days))
    .bind(tasks_json)
    .bind(by.0)
    .bind(timestamp_text(now))
    .fetch_one(c)
    .await)?;
    Ok(ScheduleId(id))
}

/// What claiming a period gave.
enum Claim {
    /// This server opens the round; the claim carries this timestamp.
    Taken(String),
    /// Another server has it, or the schedule was paused or deleted meanwhile.
    Lost,
    /// A claim cut short after its round was opened: the round is now recorded.
    Recovered(RoundId),
}

async fn claim(
    tx: &mut Tx,
    schedule: &Stored,
    period: &Period,
    now: DateTime<Utc>,
) -> Result<Claim, StoreError> {
    let active = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "SELECT paused FROM round_schedules WHERE id = $1",
    )
    .bind(schedule.id.0)
    .fetch_optional(c)
    .await)?;
    if active != Some(0) {
        return Ok(Claim::Lost);
    }
    let now_text = timestamp_text(now);
    let inserted = execute!(
        tx,
        sqlx::query(
            "INSERT INTO schedule_periods (schedule_id, period, label, due, state, claimed_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (schedule_id, period) DO NOTHING",
        )
        .bind(schedule.id.0)
        .bind(&period.key)
        .bind(&period.label)
        .bind(date_text(Some(period.due)))
        .bind(PeriodState::Claimed.code())
        .bind(&now_text)
    )?;
    if inserted == 1 {
        return Ok(Claim::Taken(now_text));
    }
    let existing = with_conn!(tx, c => sqlx::query_as::<_, (String, String)>(
        "SELECT state, claimed_at FROM schedule_periods WHERE schedule_id = $1 AND period = $2",
    )
    .bind(schedule.id.0)
    .bind(&period.key)
    .fetch_optional(c)
    .await)?;
    let Some((state, claimed_at)) = existing else {
        return Ok(Claim::Lost);
    };
    let stale = timestamp_text(now - Duration::minutes(STALE_CLAIM_MINUTES));
    if PeriodState::from_code(&state)? != PeriodState::Claimed || claimed_at >= stale {
        return Ok(Claim::Lost);
    }
    // Cut short: if its round was opened, record it; otherwise take the claim over.
    let opened = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "SELECT id FROM rounds WHERE document_id = $1 AND kind = $2 AND label = $3 \
             AND opened_at >= $4 ORDER BY id LIMIT 1",
    )
    .bind(schedule.document.0)
    .bind(REPORTING)
    .bind(&period.label)
    .bind(&claimed_at)
    .fetch_optional(c)
    .await)?;
    if let Some(round) = opened {
        execute!(
            tx,
            sqlx::query(
                "UPDATE schedule_periods SET state = $3, round_id = $4 \
             WHERE schedule_id = $1 AND period = $2",
            )
            .bind(schedule.id.0)
            .bind(&period.key)
            .bind(PeriodState::Opened.code())
            .bind(round)
        )?;
        return Ok(Claim::Recovered(RoundId(round)));
    }
    let taken = execute!(
        tx,
        sqlx::query(
            "UPDATE schedule_periods SET claimed_at = $3 \
         WHERE schedule_id = $1 AND period = $2 AND state = $4 AND claimed_at = $5",
        )
        .bind(schedule.id.0)
        .bind(&period.key)
        .bind(&now_text)
        .bind(PeriodState::Claimed.code())
        .bind(&claimed_at)
    )?;
    Ok(if taken == 1 {
        Claim::Taken(now_text)
    } else {
        Claim::Lost
    })
}

/// Records how the claimed period ended: `Ok` its round, `Err((permanent, message))`
/// a failure recorded (permanent) or the claim released for the next tick.
async fn settle(
    tx: &mut Tx,
    schedule: ScheduleId,
    period: &str,
    claimed_at: &str,
    result: Result<RoundId, (bool, String)>,
) -> Result<(), StoreError> {
    match result {
        Ok(round) => {
            execute!(
                tx,
                sqlx::query(
                    "UPDATE schedule_periods SET state = $4, round_id = $5 \
                 WHERE schedule_id = $1 AND period = $2 AND claimed_at = $3",
                )
                .bind(schedule.0)
                .bind(period)
                .bind(claimed_at)
                .bind(PeriodState::Opened.code())
                .bind(round.0)
            )?;
        }
        Err((true, message)) => {
            execute!(
                tx,
                sqlx::query(
                    "UPDATE schedule_periods SET state = $4, error = $5 \
                 WHERE schedule_id = $1 AND period = $2 AND claimed_at = $3",
                )
                .bind(schedule.0)
                .bind(period)
                .bind(claimed_at)
                .bind(PeriodState::Failed.code())
                .bind(message)
            )?;
        }
        Err((false, _)) => {
            execute!(
                tx,
                sqlx::query(
                    "DELETE FROM schedule_periods \
                 WHERE schedule_id = $1 AND period = $2 AND claimed_at = $3 AND state = $4",
                )
                .bind(schedule.0)
                .bind(period)
                .bind(claimed_at)
                .bind(PeriodState::Claimed.code())
            )?;
        }
    }
    Ok(())
}

/// Whether opening a round failed for a reason that will not go away by itself (the
/// schedule's data), rather than the database being busy or unreachable.
fn permanent(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::NotFound(_)
            | StoreError::UnknownTasks { .. }
            | StoreError::NothingToReport(_)
            | StoreError::UserNotFound(_)
            | StoreError::RoundLabelRequired
    )
}

impl Store {
    /// Creates a schedule, active at once. The document must exist, the chosen tasks
    /// be its own ([`StoreError::UnknownTasks`]) and include one with a lead unit
    /// ([`StoreError::NothingToReport`]). Who may create schedules is the caller's check.
    pub async fn create_schedule(
        &self,
        new: NewSchedule,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<ScheduleId, StoreError> {
        let mut tx = self.db.write().await?;
        let created = create(&mut tx, new, by, now).await;
        finish(tx, created).await
    }

    /// Every schedule (or those of one document), oldest first, each with the periods
    /// it has taken up.
    pub async fn schedules(
        &self,
        document: Option<DocumentId>,
    ) -> Result<Vec<ScheduleSummary>, StoreError> {
        let mut tx = self.db.read().await?;
        let list = summaries(&mut tx, None, document).await?;
        tx.commit().await?;
        Ok(list)
    }

    /// One schedule; `None` if there is none with this id.
    pub async fn schedule(&self, id: ScheduleId) -> Result<Option<ScheduleSummary>, StoreError> {
        let mut tx = self.db.read().await?;
        let found = summaries(&mut tx, Some(id), None).await?.into_iter().next();
        tx.commit().await?;
        Ok(found)
    }

    /// Pauses (no more rounds) or resumes a schedule. A resumed schedule opens the
    /// periods due then, not those whose due date passed while it was paused.
    /// `false` if there is no such schedule.
    pub async fn set_schedule_paused(
        &self,
        id: ScheduleId,
        paused: bool,
    ) -> Result<bool, StoreError> {
        let mut tx = self.db.write().await?;
        let result = execute!(
            &mut tx,
            sqlx::query("UPDATE round_schedules SET paused = $2 WHERE id = $1",)
                .bind(id.0)
                .bind(i64::from(paused))
        )
        .map(|r| r == 1)
        .map_err(StoreError::from);
        finish(tx, result).await
    }

    /// Deletes a schedule and its record of periods; the rounds it opened stay.
    /// `false` if there is no such schedule.
    pub async fn delete_schedule(&self, id: ScheduleId) -> Result<bool, StoreError> {
        let mut tx = self.db.write().await?;
        let result = async {
            execute!(
                &mut tx,
                sqlx::query("DELETE FROM schedule_periods WHERE schedule_id = $1",).bind(id.0)
            )?;
            let deleted = execute!(
                &mut tx,
                sqlx::query("DELETE FROM round_schedules WHERE id = $1",).bind(id.0)
            )?;
            Ok(deleted == 1)
        }
        .await;
        finish(tx, result).await
    }

    /// Opens the round of every period now due (China's date of `now`) of every active
    /// schedule, each period once: several servers may call this at the same moment and
    /// each round is still opened once. A failure on one period does not stop the
    /// others; it is in the outcome (and recorded on the schedule when retrying cannot
    /// help). An `Err` is only a database that cannot be read at all.
    pub async fn open_due_rounds(&self, now: DateTime<Utc>) -> Result<TickOutcome, StoreError> {
        let today = china_date(now);
        let (schedules, taken) = {
            let mut tx = self.db.read().await?;
            let schedules = load(&mut tx, None).await?;
            let taken = periods(&mut tx, None).await?;
            tx.commit().await?;
            (schedules, taken)
        };
        let stale = now - Duration::minutes(STALE_CLAIM_MINUTES);
        let mut outcome = TickOutcome::default();
        for schedule in schedules.iter().filter(|s| !s.paused) {
            let known = taken.get(&schedule.id);
            for period in schedule.schedule.due_periods(today) {
                let settled = known
                    .into_iter()
                    .flatten()
                    .find(|p| p.period == period.key)
                    .is_some_and(|p| p.state != PeriodState::Claimed || p.claimed_at >= stale);
                if settled {
                    continue;
                }
                self.open_period(schedule, &period, now, &mut outcome).await;
            }
        }
        Ok(outcome)
    }

    /// Claims one period, opens its round and records how that went, in `outcome`.
    async fn open_period(
        &self,
        schedule: &Stored,
        period: &Period,
        now: DateTime<Utc>,
        outcome: &mut TickOutcome,
    ) {
        let fail = |error: String, retried: bool| FailedRound {
            schedule: schedule.id,
            document: schedule.document,
            period: period.key.clone(),
            label: period.label.clone(),
            error,
            retried,
        };
        let claimed = match self.db.write().await {
            Ok(mut tx) => {
                let claimed = claim(&mut tx, schedule, period, now).await;
                finish(tx, claimed).await
            }
            Err(e) => Err(e.into()),
        };
        let claimed = match claimed {
            Ok(c) => c,
            Err(e) => {
                outcome.failed.push(fail(e.to_string(), true));
                return;
            }
        };
        let claimed_at = match claimed {
            Claim::Lost => return,
            Claim::Recovered(round) => {
                outcome.opened.push(OpenedRound {
                    schedule: schedule.id,
                    document: schedule.document,
                    period: period.key.clone(),
                    label: period.label.clone(),
                    due: period.due,
                    round,
                });
                return;
            }
            Claim::Taken(at) => at,
        };
        let opened = self
            .open_round(
                NewRound {
                    document: schedule.document,
                    label: period.label.clone(),
                    due: period.due,
                    tasks: schedule.tasks.clone(),
                },
                schedule.created_by,
                now,
            )
            .await
            .map_err(|e| (permanent(&e), e.to_string()));
        let settled = match self.db.write().await {
            Ok(mut tx) => {
                let settled = settle(
                    &mut tx,
                    schedule.id,
                    &period.key,
                    &claimed_at,
                    opened.clone(),
                )
                .await;
                finish(tx, settled).await
            }
            Err(e) => Err(e.into()),
        };
        if let Err(e) = settled {
            // The claim stays as it was: the next ticks find the round (or open it)
            // once the claim is stale.
            outcome.failed.push(fail(e.to_string(), true));
            return;
        }
        match opened {
            Ok(round) => outcome.opened.push(OpenedRound {
                schedule: schedule.id,
                document: schedule.document,
                period: period.key.clone(),
                label: period.label.clone(),
                due: period.due,
                round,
            }),
            Err((permanent, error)) => outcome.failed.push(fail(error, !permanent)),
        }
    }
}
