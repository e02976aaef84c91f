//! Reminders (催办) and their deliveries (migration 0014).
//!
//! What is owed and when a reminder falls due, to whom and in which words is
//! `duban_domain::reminder`'s; this records reminders, their deliveries per channel
//! and recipient, and the read receipts of in-app notifications.
//!
//! Exactly once across servers: an automatic reminder is inserted under its key
//! (`ON CONFLICT DO NOTHING`), and only the server whose insert took also writes its
//! deliveries, in the same transaction. A delivery is claimed by one conditional
//! `UPDATE … RETURNING` that moves it from 'pending' to 'sending' (on PostgreSQL its
//! rows are picked `FOR UPDATE SKIP LOCKED`, so concurrent claims take different rows;
//! SQLite's write transaction holds the database), and its outcome is recorded only
//! by the claim that took it (the same attempt count).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use duban_domain::reminder::{
    self, Channel, Clock, DeliveryState, DueReminder, Owed, ReminderKind, ReminderPolicy,
};
use duban_domain::{ReportState, TaskState};
use serde::Serialize;

use crate::codec::{
    REPORTING, china_date, date_text, from_json, parse_date, parse_timestamp_opt, role_from_code,
    state_from_code, task_state_from_code, timestamp_text, to_json, u32_from,
};
use crate::db::{Backend, Tx, execute, with_conn};
use crate::{DocumentId, RoundId, Store, StoreError, UserId, finish};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ReminderId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct DeliveryId(pub i64);

/// Which channels besides the app a new reminder goes out on: those the server has
/// configured (an SMTP server, a robot's webhook).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReminderChannels {
    pub email: bool,
    pub webhook: bool,
}

/// What a manual reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderTarget {
    /// The units of a reporting round that have not reported.
    Round(RoundId),
    /// The units of one task that have not acknowledged it, or not reported on it in
    /// an open round.
    Task(DocumentId, u32),
}

/// A delivery as the office sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub id: DeliveryId,
    pub channel: Channel,
    /// The recipient's account (app, e-mail); `None` for the webhook.
    pub user: Option<UserId>,
    pub recipient: Option<String>,
    pub address: Option<String>,
    pub state: DeliveryState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A reminder with its deliveries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReminderView {
    pub id: ReminderId,
    pub kind: ReminderKind,
    pub unit: String,
    pub document: DocumentId,
    pub round: Option<RoundId>,
    pub tasks: Vec<u32>,
    pub due: Option<NaiveDate>,
    pub subject: String,
    pub body: String,
    /// Who sent a manual reminder (display name); `None` for automatic ones.
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub deliveries: Vec<Delivery>,
}

/// An in-app notification, as its recipient sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub id: DeliveryId,
    pub reminder: ReminderId,
    pub kind: ReminderKind,
    pub document: DocumentId,
    pub round: Option<RoundId>,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A delivery a server has claimed and now sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedDelivery {
    pub id: DeliveryId,
    pub reminder: ReminderId,
    pub channel: Channel,
    pub address: Option<String>,
    /// This attempt's number (1 for the first); recording the outcome names it.
    pub attempt: u32,
    pub subject: String,
    pub body: String,
}

/// How long a claim is held: a delivery still 'sending' after this was cut short (its
/// server stopped) and is claimed again.
pub const CLAIM_LEASE_MINUTES: i64 = 5;

fn corrupt(what: &str, code: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}“{code}”无法识别"))
}

/// What units owe, as the domain's rules take it, with each unit's id by name.
async fn owed(
    tx: &mut Tx,
    target: Option<ReminderTarget>,
) -> Result<(Vec<Owed>, HashMap<String, i64>), StoreError> {
    let (document, task, round) = match target {
        None => (None, None, None),
        Some(ReminderTarget::Round(r)) => (None, None, Some(r.0)),
        Some(ReminderTarget::Task(d, n)) => (Some(d.0), Some(i64::from(n)), None),
    };
    let mut units = HashMap::new();
    let mut found = Vec::new();
    let closed = |state: &str| -> Result<bool, StoreError> {
        Ok(task_state_from_code(state)? == TaskState::Closed)
    };
    if round.is_none() {
        #[derive(sqlx::FromRow)]
        struct Ack {
            unit_id: i64,
            unit: String,
            document_id: i64,
            doc_number: Option<String>,
            title: Option<String>,
            task: i64,
            ack_due: String,
            task_state: String,
        }
        let rows: Vec<Ack> = with_conn!(tx, c => sqlx::query_as(
            "SELECT a.unit_id, n.name AS unit, t.document_id, d.doc_number, d.title, \
                    t.number AS task, a.ack_due, COALESCE(s.state, 'open') AS task_state \
             FROM assignments a \
             JOIN tasks t ON t.id = a.task_id \
             JOIN documents d ON d.id = t.document_id \
             JOIN units n ON n.id = a.unit_id \
             LEFT JOIN task_states s ON s.task_id = t.id \
             WHERE a.acknowledged_at IS NULL \
               AND ($1 IS NULL OR t.document_id = $1) AND ($2 IS NULL OR t.number = $2) \
             ORDER BY a.id",
        )
        .bind(document)
        .bind(task)
        .fetch_all(c)
        .await)?;
        for row in rows {
            units.insert(row.unit.clone(), row.unit_id);
            found.push(Owed {
                unit: row.unit,
                document: row.document_id,
                doc_number: row.doc_number,
                doc_title: row.title.unwrap_or_default(),
                task: u32_from("任务序号", row.task)?,
                task_closed: closed(&row.task_state)?,
                clock: Clock::Acknowledge {
                    due: parse_date("签收期限", Some(&row.ack_due))?
                        .ok_or_else(|| StoreError::Corrupt("交办记录没有签收期限".into()))?,
                    done: false,
                },
            });
        }
    }
    #[derive(sqlx::FromRow)]
    struct Report {
        unit_id: i64,
        unit: String,
        document_id: i64,
        doc_number: Option<String>,
        title: Option<String>,
        task: i64,
        round_id: i64,
        label: String,
        due: Option<String>,
        closed_at: Option<String>,
        state: String,
        task_state: String,
    }
    let rows: Vec<Report> = with_conn!(tx, c => sqlx::query_as(
        "SELECT p.unit_id, n.name AS unit, t.document_id, d.doc_number, d.title, \
                t.number AS task, r.id AS round_id, r.label, r.due, r.closed_at, p.state, \
                COALESCE(s.state, 'open') AS task_state \
         FROM reports p \
         JOIN rounds r ON r.id = p.round_id \
         JOIN tasks t ON t.id = p.task_id \
         JOIN documents d ON d.id = t.document_id \
         JOIN units n ON n.id = p.unit_id \
         LEFT JOIN task_states s ON s.task_id = t.id \
         WHERE r.kind = $1 AND (r.closed_at IS NULL OR $4 IS NOT NULL) \
           AND ($2 IS NULL OR t.document_id = $2) AND ($3 IS NULL OR t.number = $3) \
           AND ($4 IS NULL OR r.id = $4) \
         ORDER BY p.id",
    )
    .bind(REPORTING)
    .bind(document)
    .bind(task)
    .bind(round)
    .fetch_all(c)
    .await)?;
    for row in rows {
        units.insert(row.unit.clone(), row.unit_id);
        let state: ReportState = state_from_code(&row.state)?;
        found.push(Owed {
            unit: row.unit,
            document: row.document_id,
            doc_number: row.doc_number,
            doc_title: row.title.unwrap_or_default(),
            task: u32_from("任务序号", row.task)?,
            task_closed: closed(&row.task_state)?,
            clock: Clock::Report {
                round: row.round_id,
                round_label: row.label,
                due: parse_date("截止日期", row.due.as_deref())?,
                round_closed: row.closed_at.is_some(),
                done: state.is_reported(),
            },
        });
    }
    Ok((found, units))
}

/// Records one reminder and its deliveries; `None` when an automatic reminder with its
/// key exists already (made by this or another server).
async fn insert(
    tx: &mut Tx,
    due: &DueReminder,
    unit_id: i64,
    channels: ReminderChannels,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<Option<ReminderId>, StoreError> {
    let now_text = timestamp_text(now);
    let id: Option<i64> = with_conn!(tx, c => sqlx::query_scalar(
        "INSERT INTO reminders (reminder_key, kind, unit_id, document_id, round_id, tasks_json, \
             due, subject, body, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (reminder_key) DO NOTHING RETURNING id",
    )
    .bind(due.key.as_deref())
    .bind(due.kind.code())
    .bind(unit_id)
    .bind(due.document)
    .bind(due.round)
    .bind(to_json("任务", &due.tasks)?)
    .bind(date_text(due.due))
    .bind(&due.message.subject)
    .bind(&due.message.body)
    .bind(by.map(|u| u.0))
    .bind(&now_text)
    .fetch_optional(c)
    .await)?;
    let Some(id) = id else {
        return Ok(None);
    };
    let accounts: Vec<(i64, String, Option<String>)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT id, role, email FROM users WHERE unit_id = $1 ORDER BY id",
    )
    .bind(unit_id)
    .fetch_all(c)
    .await)?;
    let mut rows: Vec<(Channel, Option<i64>, Option<String>, DeliveryState)> = Vec::new();
    for (user, role, email) in accounts {
        if !reminder::receives(role_from_code(&role)?, Some(&due.unit), &due.unit) {
            continue;
        }
        rows.push((Channel::App, Some(user), None, DeliveryState::Sent));
        if let (true, Some(email)) = (channels.email, email) {
            rows.push((
                Channel::Email,
                Some(user),
                Some(email),
                DeliveryState::Pending,
            ));
        }
    }
    if channels.webhook {
        rows.push((Channel::Webhook, None, None, DeliveryState::Pending));
    }
    for (channel, user, address, state) in rows {
        let sent = (state == DeliveryState::Sent).then_some(&now_text);
        let next = (state == DeliveryState::Pending).then_some(&now_text);
        execute!(
            tx,
            sqlx::query(
                "INSERT INTO reminder_deliveries (reminder_id, channel, user_id, address, state, \
                     attempts, next_attempt_at, sent_at) \
                 VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
            )
            .bind(id)
            .bind(channel.code())
            .bind(user)
            .bind(address)
            .bind(state.code())
            .bind(next)
            .bind(sent)
        )?;
    }
    Ok(Some(ReminderId(id)))
}

#[derive(sqlx::FromRow)]
struct ReminderRow {
    id: i64,
    kind: String,
    unit: String,
    document_id: i64,
    round_id: Option<i64>,
    tasks_json: String,
    due: Option<String>,
    subject: String,
    body: String,
    created_by: Option<String>,
    created_at: String,
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: i64,
    reminder_id: i64,
    channel: String,
    user_id: Option<i64>,
    recipient: Option<String>,
    address: Option<String>,
    state: String,
    attempts: i64,
    last_error: Option<String>,
    next_attempt_at: Option<String>,
    sent_at: Option<String>,
    read_at: Option<String>,
}

impl DeliveryRow {
    fn into_delivery(self) -> Result<Delivery, StoreError> {
        Ok(Delivery {
            id: DeliveryId(self.id),
            channel: Channel::from_code(&self.channel)
                .ok_or_else(|| corrupt("渠道", &self.channel))?,
            user: self.user_id.map(UserId),
            recipient: self.recipient,
            address: self.address,
            state: DeliveryState::from_code(&self.state)
                .ok_or_else(|| corrupt("发送状态", &self.state))?,
            attempts: u32_from("发送次数", self.attempts)?,
            last_error: self.last_error,
            next_attempt_at: parse_timestamp_opt("下次发送时间", self.next_attempt_at.as_deref())?,
            sent_at: parse_timestamp_opt("发送时间", self.sent_at.as_deref())?,
            read_at: parse_timestamp_opt("阅读时间", self.read_at.as_deref())?,
        })
    }
}

/// Reminders newest first (at most `limit`), of one round or document if given, each
/// with its deliveries.
async fn views(
    tx: &mut Tx,
    round: Option<RoundId>,
    document: Option<DocumentId>,
    limit: u32,
) -> Result<Vec<ReminderView>, StoreError> {
    let rows: Vec<ReminderRow> = with_conn!(tx, c => sqlx::query_as(
        "SELECT m.id, m.kind, n.name AS unit, m.document_id, m.round_id, m.tasks_json, m.due, \
                m.subject, m.body, u.display_name AS created_by, m.created_at \
         FROM reminders m JOIN units n ON n.id = m.unit_id \
         LEFT JOIN users u ON u.id = m.created_by \
         WHERE ($1 IS NULL OR m.round_id = $1) AND ($2 IS NULL OR m.document_id = $2) \
         ORDER BY m.id DESC LIMIT $3",
    )
    .bind(round.map(|r| r.0))
    .bind(document.map(|d| d.0))
    .bind(i64::from(limit))
    .fetch_all(c)
    .await)?;
    let Some(oldest) = rows.last().map(|r| r.id) else {
        return Ok(Vec::new());
    };
    let deliveries: Vec<DeliveryRow> = with_conn!(tx, c => sqlx::query_as(
        "SELECT d.id, d.reminder_id, d.channel, d.user_id, u.display_name AS recipient, \
                d.address, d.state, d.attempts, d.last_error, d.next_attempt_at, d.sent_at, \
                d.read_at \
         FROM reminder_deliveries d LEFT JOIN users u ON u.id = d.user_id \
         WHERE d.reminder_id >= $1 ORDER BY d.id",
    )
    .bind(oldest)
    .fetch_all(c)
    .await)?;
    let mut by_reminder: HashMap<i64, Vec<Delivery>> = HashMap::new();
    for d in deliveries {
        by_reminder
            .entry(d.reminder_id)
            .or_default()
            .push(d.into_delivery()?);
    }
    rows.into_iter()
        .map(|r| {
            Ok(ReminderView {
                id: ReminderId(r.id),
                kind: ReminderKind::from_code(&r.kind)
                    .ok_or_else(|| corrupt("催办类型", &r.kind))?,
                unit: r.unit,
                document: DocumentId(r.document_id),
                round: r.round_id.map(RoundId),
                tasks: from_json("任务", &r.tasks_json)?,
                due: parse_date("截止日期", r.due.as_deref())?,
                subject: r.subject,
                body: r.body,
                created_by: r.created_by,
                created_at: crate::codec::parse_timestamp("催办时间", &r.created_at)?,
                deliveries: by_reminder.remove(&r.id).unwrap_or_default(),
            })
        })
        .collect()
}

async fn claim(
    tx: &mut Tx,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<ClaimedDelivery>, StoreError> {
    let now_text = timestamp_text(now);
    let lease = timestamp_text(now + Duration::minutes(CLAIM_LEASE_MINUTES));
    // Due: pending and its time has come, or a claim whose lease ran out.
    let sql = match tx.backend() {
        Backend::Sqlite => {
            "UPDATE reminder_deliveries SET state = 'sending', attempts = attempts + 1, \
                 next_attempt_at = $2 \
             WHERE id IN (SELECT id FROM reminder_deliveries \
                 WHERE state IN ('pending', 'sending') AND next_attempt_at <= $1 \
                 ORDER BY next_attempt_at, id LIMIT $3) \
             RETURNING id, reminder_id, channel, address, attempts"
        }
        Backend::Postgres => {
            "UPDATE reminder_deliveries SET state = 'sending', attempts = attempts + 1, \
                 next_attempt_at = $2 \
             WHERE id IN (SELECT id FROM reminder_deliveries \
                 WHERE state IN ('pending', 'sending') AND next_attempt_at <= $1 \
                 ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING id, reminder_id, channel, address, attempts"
        }
    };
    let rows: Vec<(i64, i64, String, Option<String>, i64)> = with_conn!(tx, c => sqlx::query_as(sql)
        .bind(&now_text)
        .bind(&lease)
        .bind(i64::from(limit))
        .fetch_all(c)
        .await)?;
    let mut claimed = Vec::with_capacity(rows.len());
    for (id, reminder, channel, address, attempts) in rows {
        let (subject, body): (String, String) = with_conn!(tx, c => sqlx::query_as(
            "SELECT subject, body FROM reminders WHERE id = $1",
        )
        .bind(reminder)
        .fetch_one(c)
        .await)?;
        claimed.push(ClaimedDelivery {
            id: DeliveryId(id),
            reminder: ReminderId(reminder),
            channel: Channel::from_code(&channel).ok_or_else(|| corrupt("渠道", &channel))?,
            address,
            attempt: u32_from("发送次数", attempts)?,
            subject,
            body,
        });
    }
    claimed.sort_by_key(|c| c.id);
    Ok(claimed)
}

/// Records how a claimed attempt went: sent, or the error and when to try again
/// (`duban_domain::reminder::retry_after`), or failed once every attempt is used.
/// `false` if the claim was no longer this attempt's (taken over after its lease).
async fn settle(
    tx: &mut Tx,
    delivery: &ClaimedDelivery,
    result: Result<(), String>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let now_text = timestamp_text(now);
    let (state, error, next, sent) = match result {
        Ok(()) => (DeliveryState::Sent, None, None, Some(now_text)),
        Err(error) => match reminder::retry_after(delivery.attempt) {
            Some(wait) => (
                DeliveryState::Pending,
                Some(error),
                Some(timestamp_text(now + wait)),
                None,
            ),
            None => (DeliveryState::Failed, Some(error), None, None),
        },
    };
    let changed = execute!(
        tx,
        sqlx::query(
            "UPDATE reminder_deliveries SET state = $3, last_error = COALESCE($4, last_error), \
                 next_attempt_at = $5, sent_at = $6 \
             WHERE id = $1 AND attempts = $2 AND state = 'sending'",
        )
        .bind(delivery.id.0)
        .bind(i64::from(delivery.attempt))
        .bind(state.code())
        .bind(error)
        .bind(next)
        .bind(sent)
    )?;
    Ok(changed == 1)
}

impl Store {
    /// Sets (or with `None` clears) an account's e-mail address, which the caller has
    /// checked (`duban_domain::reminder::check_email`). Reminders made afterwards use
    /// it. `false` if there is no such account.
    pub async fn set_user_email(
        &self,
        user: UserId,
        email: Option<&str>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.db.write().await?;
        let result = execute!(
            &mut tx,
            sqlx::query("UPDATE users SET email = $2 WHERE id = $1")
                .bind(user.0)
                .bind(email)
        )
        .map(|n| n == 1)
        .map_err(StoreError::from);
        finish(tx, result).await
    }

    /// An account's e-mail address, if it has one.
    pub async fn user_email(&self, user: UserId) -> Result<Option<String>, StoreError> {
        let mut tx = self.db.read().await?;
        let email: Option<Option<String>> = with_conn!(&mut tx, c => sqlx::query_scalar(
            "SELECT email FROM users WHERE id = $1",
        )
        .bind(user.0)
        .fetch_optional(c)
        .await)?;
        tx.commit().await?;
        Ok(email.flatten())
    }

    /// Makes the automatic reminders due at `now` (China's date) under `policy`, each
    /// once however many servers call this at once; returns those this call made.
    pub async fn create_due_reminders(
        &self,
        policy: &ReminderPolicy,
        channels: ReminderChannels,
        now: DateTime<Utc>,
    ) -> Result<Vec<ReminderId>, StoreError> {
        let (due, units, known) = {
            let mut tx = self.db.read().await?;
            let (items, units) = owed(&mut tx, None).await?;
            let due = reminder::due_reminders(policy, china_date(now), &items);
            // Only to spare writes: the key's uniqueness is what decides.
            let since = timestamp_text(now - Duration::days(i64::from(reminder::MAX_DAYS) * 3));
            let known: Vec<String> = with_conn!(&mut tx, c => sqlx::query_scalar(
                "SELECT reminder_key FROM reminders \
                 WHERE reminder_key IS NOT NULL AND created_at >= $1",
            )
            .bind(since)
            .fetch_all(c)
            .await)?;
            tx.commit().await?;
            (due, units, known.into_iter().collect::<HashSet<_>>())
        };
        let new: Vec<&DueReminder> = due
            .iter()
            .filter(|d| d.key.as_ref().is_none_or(|k| !known.contains(k)))
            .collect();
        if new.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.db.write().await?;
        let result = async {
            let mut made = Vec::new();
            for d in new {
                let unit = *units
                    .get(&d.unit)
                    .ok_or_else(|| StoreError::Corrupt(format!("单位“{}”不在名录中", d.unit)))?;
                if let Some(id) = insert(&mut tx, d, unit, channels, None, now).await? {
                    made.push(id);
                }
            }
            Ok(made)
        }
        .await;
        finish(tx, result).await
    }

    /// Manual reminders (人工催办) from the office to every unit that still owes what
    /// `target` names, with `note`; returns them (none when every unit is done). An
    /// unknown round → [`StoreError::RoundNotFound`]; an unknown task or document →
    /// [`StoreError::TaskNotFound`] / [`StoreError::NotFound`].
    pub async fn create_manual_reminders(
        &self,
        target: ReminderTarget,
        note: Option<&str>,
        channels: ReminderChannels,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<ReminderId>, StoreError> {
        let mut tx = self.db.write().await?;
        let result = async {
            match target {
                ReminderTarget::Round(round) => {
                    let exists: Option<i64> = with_conn!(&mut tx, c => sqlx::query_scalar(
                        "SELECT id FROM rounds WHERE id = $1",
                    )
                    .bind(round.0)
                    .fetch_optional(c)
                    .await)?;
                    if exists.is_none() {
                        return Err(StoreError::RoundNotFound(round));
                    }
                }
                ReminderTarget::Task(document, number) => {
                    crate::tasks::task_id(&mut tx, document, number).await?;
                }
            }
            let (items, units) = owed(&mut tx, Some(target)).await?;
            let mut made = Vec::new();
            for d in reminder::manual(&items, china_date(now), note) {
                let unit = units[&d.unit];
                if let Some(id) = insert(&mut tx, &d, unit, channels, Some(by), now).await? {
                    made.push(id);
                }
            }
            Ok(made)
        }
        .await;
        finish(tx, result).await
    }

    /// Reminders newest first, at most `limit`, of one round or one document if given,
    /// with their deliveries and read receipts. Who may see them is the caller's check.
    pub async fn reminders(
        &self,
        round: Option<RoundId>,
        document: Option<DocumentId>,
        limit: u32,
    ) -> Result<Vec<ReminderView>, StoreError> {
        let mut tx = self.db.read().await?;
        let found = views(&mut tx, round, document, limit).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// One account's in-app notifications, newest first, at most `limit`.
    pub async fn notifications(
        &self,
        user: UserId,
        limit: u32,
    ) -> Result<Vec<Notification>, StoreError> {
        let mut tx = self.db.read().await?;
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            reminder: i64,
            kind: String,
            document_id: i64,
            round_id: Option<i64>,
            subject: String,
            body: String,
            created_at: String,
            read_at: Option<String>,
        }
        let rows: Vec<Row> = with_conn!(&mut tx, c => sqlx::query_as(
            "SELECT d.id, m.id AS reminder, m.kind, m.document_id, m.round_id, m.subject, \
                    m.body, m.created_at, d.read_at \
             FROM reminder_deliveries d JOIN reminders m ON m.id = d.reminder_id \
             WHERE d.user_id = $1 AND d.channel = 'app' \
             ORDER BY d.id DESC LIMIT $2",
        )
        .bind(user.0)
        .bind(i64::from(limit))
        .fetch_all(c)
        .await)?;
        tx.commit().await?;
        rows.into_iter()
            .map(|r| {
                Ok(Notification {
                    id: DeliveryId(r.id),
                    reminder: ReminderId(r.reminder),
                    kind: ReminderKind::from_code(&r.kind)
                        .ok_or_else(|| corrupt("催办类型", &r.kind))?,
                    document: DocumentId(r.document_id),
                    round: r.round_id.map(RoundId),
                    subject: r.subject,
                    body: r.body,
                    created_at: crate::codec::parse_timestamp("催办时间", &r.created_at)?,
                    read_at: parse_timestamp_opt("阅读时间", r.read_at.as_deref())?,
                })
            })
            .collect()
    }

    /// How many of an account's in-app notifications are unread.
    pub async fn unread_notifications(&self, user: UserId) -> Result<u64, StoreError> {
        let mut tx = self.db.read().await?;
        let count: i64 = with_conn!(&mut tx, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM reminder_deliveries \
             WHERE user_id = $1 AND channel = 'app' AND state = 'sent'",
        )
        .bind(user.0)
        .fetch_one(c)
        .await)?;
        tx.commit().await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Marks the account's own notification read (the first time only: the read
    /// receipt keeps its first time), or all of them with `None`. Returns how many
    /// became read; another account's notification is never touched (0).
    pub async fn mark_notifications_read(
        &self,
        user: UserId,
        notification: Option<DeliveryId>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.db.write().await?;
        let result = execute!(
            &mut tx,
            sqlx::query(
                "UPDATE reminder_deliveries SET state = 'read', read_at = $3 \
                 WHERE user_id = $1 AND channel = 'app' AND state = 'sent' \
                   AND ($2 IS NULL OR id = $2)",
            )
            .bind(user.0)
            .bind(notification.map(|n| n.0))
            .bind(timestamp_text(now))
        )
        .map_err(StoreError::from);
        finish(tx, result).await
    }

    /// Claims up to `limit` e-mail and webhook deliveries due at `now` for this server
    /// to send: each is claimed by one caller only, however many servers claim at once.
    pub async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let mut tx = self.db.write().await?;
        let result = claim(&mut tx, now, limit).await;
        finish(tx, result).await
    }

    /// Records the outcome of a claimed delivery's attempt (see [`ClaimedDelivery`]):
    /// `Err` with the error as the office reads it. `false` if the claim had been
    /// taken over meanwhile (nothing recorded).
    pub async fn record_delivery(
        &self,
        delivery: &ClaimedDelivery,
        result: Result<(), String>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.db.write().await?;
        let done = settle(&mut tx, delivery, result, now).await;
        finish(tx, done).await
    }

    /// Sends a failed delivery again from the start (every attempt anew), at the next
    /// tick. `false` if there is no failed delivery with this id.
    pub async fn retry_delivery(
        &self,
        id: DeliveryId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.db.write().await?;
        let result = execute!(
            &mut tx,
            sqlx::query(
                "UPDATE reminder_deliveries SET state = 'pending', attempts = 0, \
                     next_attempt_at = $2 \
                 WHERE id = $1 AND state = 'failed'",
            )
            .bind(id.0)
            .bind(timestamp_text(now))
        )
        .map(|n| n == 1)
        .map_err(StoreError::from);
        finish(tx, result).await
    }
}
