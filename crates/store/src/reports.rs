//! Units' reports in reporting rounds, and the steps taken on them.
//!
//! Whether a step is allowed is `duban_domain::next_state`'s decision; the store asks
//! it inside the transaction that records the step, so the rule is applied to the
//! state the step changes.

use chrono::{DateTime, Utc};
use duban_domain::{ReportAction, ReportContent, ReportState, RichText, WorkflowError, next_state};

use crate::accounts;
use crate::codec::{
    IMPORTED, action_from_code, from_json, parse_date, parse_timestamp, parse_timestamp_opt,
    percent_from, role_from_code, state_from_code, timestamp_text, to_json, u32_from,
};
use crate::db::{Tx, execute, locking, with_conn};
use crate::query::unit_named;
use crate::writer::BoxFuture;
use crate::{
    DocumentId, ReportChange, ReportDetail, ReportEvent, ReportFilter, ReportHead, ReportId,
    ReportSummary, RoundId, Store, StoreError, User, UserId,
};

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    round_id: i64,
    round_label: String,
    due: Option<String>,
    document_id: i64,
    doc_number: Option<String>,
    task: i64,
    task_content: String,
    unit: String,
    state: String,
    percent: Option<i64>,
    updated_at: Option<String>,
    submitted_at: Option<String>,
    round_closed: bool,
    version: i64,
}

impl SummaryRow {
    fn into_summary(self) -> Result<ReportSummary, StoreError> {
        let due = parse_date("截止日期", self.due.as_deref())?.ok_or_else(|| {
            StoreError::Corrupt(format!("填报轮次 {} 没有截止日期", self.round_id))
        })?;
        Ok(ReportSummary {
            id: ReportId(self.id),
            round: RoundId(self.round_id),
            round_label: self.round_label,
            due,
            document: DocumentId(self.document_id),
            doc_number: self.doc_number,
            task: u32_from("任务序号", self.task)?,
            task_content: self.task_content,
            unit: self.unit,
            state: state_from_code(&self.state)?,
            percent: percent_from(self.percent)?,
            updated_at: parse_timestamp_opt("更新时间", self.updated_at.as_deref())?,
            submitted_at: parse_timestamp_opt("提交时间", self.submitted_at.as_deref())?,
            round_closed: self.round_closed,
            version: self.version,
        })
    }
}

/// A value bound to a placeholder of a statement built from the filters present.
enum Arg {
    Int(i64),
    Text(&'static str),
}

/// Reports matching the filter (and, given `id`, only that one), ordered by document,
/// task number, the unit's position on the task, then newest round first.
///
/// The `WHERE` names only the filters given, so SQLite can plan with the indexes they
/// allow: `(? IS NULL OR col = ?)` would be planned before the values are known, and
/// scan every report even to find one by id.
async fn summaries(
    tx: &mut Tx,
    filter: &ReportFilter,
    id: Option<ReportId>,
) -> Result<Vec<ReportSummary>, StoreError> {
    let unit_id = match filter.unit.as_deref().map(str::trim) {
        Some(name) => match unit_named(tx, name).await? {
            Some(id) => Some(id),
            None => return Ok(Vec::new()),
        },
        None => None,
    };
    let mut conditions: Vec<String> = Vec::new();
    let mut args: Vec<Arg> = Vec::new();
    let mut condition = |column: &str, arg: Arg| {
        args.push(arg);
        conditions.push(format!("{column} = ${}", args.len()));
    };
    if let Some(id) = id {
        condition("p.id", Arg::Int(id.0));
    }
    if let Some(round) = filter.round {
        condition("p.round_id", Arg::Int(round.0));
    }
    if let Some(document) = filter.document {
        condition("t.document_id", Arg::Int(document.0));
    }
    if let Some(task) = filter.task {
        condition("t.number", Arg::Int(i64::from(task)));
    }
    if let Some(unit_id) = unit_id {
        condition("p.unit_id", Arg::Int(unit_id));
    }
    if let Some(state) = filter.state {
        condition("p.state", Arg::Text(state.code()));
    }
    if filter.open_rounds_only {
        conditions.push("r.closed_at IS NULL".into());
    }
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT p.id, p.round_id, r.label AS round_label, r.due, t.document_id, d.doc_number, \
                t.number AS task, t.content_text AS task_content, u.name AS unit, p.state, \
                p.percent, p.updated_at, p.submitted_at, r.closed_at IS NOT NULL AS round_closed, \
                p.version \
         FROM reports p \
         JOIN rounds r ON r.id = p.round_id \
         JOIN tasks t ON t.id = p.task_id \
         JOIN documents d ON d.id = t.document_id \
         JOIN units u ON u.id = p.unit_id \
         {where_clause} \
         ORDER BY t.document_id, t.number, p.round_id DESC, p.position, p.id"
    );
    let rows: Vec<SummaryRow> = with_conn!(tx, c => {
        // Only column names and numbered placeholders are formatted in; every value is
        // bound.
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for arg in &args {
            query = match arg {
                Arg::Int(v) => query.bind(*v),
                Arg::Text(v) => query.bind(*v),
            };
        }
        query.fetch_all(c).await
    })?;
    rows.into_iter().map(SummaryRow::into_summary).collect()
}

/// What deciding who may see or act on a report needs, by primary key.
async fn head(tx: &mut Tx, id: ReportId) -> Result<Option<ReportHead>, StoreError> {
    let row: Option<(i64, String, String, bool)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT p.round_id, u.name, p.state, r.closed_at IS NOT NULL \
         FROM reports p \
         JOIN units u ON u.id = p.unit_id \
         JOIN rounds r ON r.id = p.round_id \
         WHERE p.id = $1",
    )
    .bind(id.0)
    .fetch_optional(c)
    .await)?;
    row.map(|(round, unit, state, round_closed)| {
        Ok(ReportHead {
            id,
            round: RoundId(round),
            unit,
            state: state_from_code(&state)?,
            round_closed,
        })
    })
    .transpose()
}

async fn detail(tx: &mut Tx, id: ReportId) -> Result<Option<ReportDetail>, StoreError> {
    let Some(summary) = summaries(tx, &ReportFilter::default(), Some(id))
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let (text_json, task_id, unit_id, round_id): (String, i64, i64, i64) = with_conn!(tx, c => sqlx::query_as(
            "SELECT text_json, task_id, unit_id, round_id FROM reports WHERE id = $1",
        )
        .bind(id.0)
        .fetch_one(c)
        .await)?;
    let text: RichText = from_json("填报内容", &text_json)?;

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
         FROM report_events e JOIN users u ON u.id = e.actor_id \
         WHERE e.report_id = $1 ORDER BY e.id",
    )
    .bind(id.0)
    .fetch_all(c)
    .await)?;
    let events = rows
        .into_iter()
        .map(|row| {
            Ok(ReportEvent {
                at: parse_timestamp("操作时间", &row.at)?,
                actor: row.actor,
                actor_role: role_from_code(&row.actor_role)?,
                action: action_from_code(&row.action)?,
                from: state_from_code(&row.from_state)?,
                to: state_from_code(&row.to_state)?,
                comment: row.comment,
            })
        })
        .collect::<Result<_, StoreError>>()?;

    let previous = previous(tx, task_id, unit_id, round_id).await?;
    Ok(Some(ReportDetail {
        summary,
        text,
        events,
        previous,
    }))
}

/// The text the unit reported on the task before round `round_id`: its report in the
/// latest earlier round with any text — a reporting round, or the round of an imported
/// notice, whose reports are each unit's part of the cell — or else the progress the
/// imported notice gave for the task (the whole cell, when the unit had no part).
async fn previous(
    tx: &mut Tx,
    task_id: i64,
    unit_id: i64,
    round_id: i64,
) -> Result<Option<(String, RichText)>, StoreError> {
    let reported: Option<(String, String)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT r.label, p.text_json FROM reports p JOIN rounds r ON r.id = p.round_id \
         WHERE p.task_id = $1 AND p.unit_id = $2 AND r.id < $3 AND p.text_plain <> '' \
         ORDER BY r.id DESC LIMIT 1",
    )
    .bind(task_id)
    .bind(unit_id)
    .bind(round_id)
    .fetch_optional(c)
    .await)?;
    let found = match reported {
        Some(found) => Some(found),
        None => with_conn!(tx, c => sqlx::query_as(
            "SELECT r.label, pr.text_json FROM progress_reports pr \
             JOIN rounds r ON r.id = pr.round_id \
             WHERE pr.task_id = $1 AND r.kind = $2 AND r.id < $3 AND pr.text_plain <> '' \
             ORDER BY r.id DESC LIMIT 1",
        )
        .bind(task_id)
        .bind(IMPORTED)
        .bind(round_id)
        .fetch_optional(c)
        .await)?,
    };
    found
        .map(|(label, text)| Ok((label, from_json("填报内容", &text)?)))
        .transpose()
}

#[derive(sqlx::FromRow)]
struct CurrentRow {
    state: String,
    unit: String,
    closed_at: Option<String>,
    text_json: String,
    percent: Option<i64>,
    submitted_at: Option<String>,
    version: i64,
}

/// What the actor saw when acting: the report's state (the page's buttons) and, for an
/// edit of its content, its version (the editor's). Either may be unknown.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    state: Option<ReportState>,
    version: Option<i64>,
}

async fn act(
    tx: &mut Tx,
    id: ReportId,
    actor: UserId,
    change: ReportChange,
    seen: Seen,
    now: DateTime<Utc>,
) -> Result<ReportState, StoreError> {
    // The report stays as read, and its round open, until the step is written.
    let select = locking!(
        tx,
        "SELECT p.state, u.name AS unit, r.closed_at, p.text_json, p.percent, p.submitted_at, \
                p.version \
         FROM reports p \
         JOIN rounds r ON r.id = p.round_id \
         JOIN units u ON u.id = p.unit_id \
         WHERE p.id = $1",
        "FOR UPDATE OF p FOR SHARE OF r"
    );
    let row: Option<CurrentRow> = with_conn!(tx, c => sqlx::query_as(select)
    .bind(id.0)
    .fetch_optional(c)
    .await)?;
    let row = row.ok_or(StoreError::ReportNotFound(id))?;
    // The account as it is now, not as the caller last saw it.
    let actor = accounts::user(tx, actor)
        .await?
        .ok_or(StoreError::UserNotFound(actor))?;
    let from = match seen.state {
        Some(state) => state,
        None => state_from_code(&row.state)?,
    };
    let same_unit = actor.unit.as_deref() == Some(row.unit.as_str());
    let comment = change
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let step = next_state(from, change.action, actor.role, same_unit, comment);
    // Who may act comes first; then whether anything may change at all.
    if let Err(e @ (WorkflowError::RoleNotAllowed { .. } | WorkflowError::OtherUnit)) = step {
        return Err(e.into());
    }
    if row.closed_at.is_some() {
        return Err(WorkflowError::RoundClosed.into());
    }
    let to = step?;

    let stored = ReportContent {
        text: from_json("填报内容", &row.text_json)?,
        percent: percent_from(row.percent)?,
    };
    // Someone saved the report after the editor was opened: what they saved stays,
    // and the caller gets it back to show beside what was typed.
    if let Some(version) = seen.version
        && version != row.version
    {
        return Err(StoreError::EditConflict {
            report: id,
            version: row.version,
            saved_text: stored.text,
            saved_percent: stored.percent,
        });
    }
    let ReportContent { text, percent } =
        stored.after(change.action, change.text, change.percent)?;
    let text_plain = text.plain_text();
    let text_json = to_json("填报内容", &text)?;
    let at = timestamp_text(now);
    let submitted_at = if change.action == ReportAction::Submit {
        Some(at.clone())
    } else {
        row.submitted_at
    };

    let updated = execute!(
        tx,
        sqlx::query(
            "UPDATE reports SET state = $3, text_json = $4, text_plain = $5, percent = $6, \
             updated_at = $7, submitted_at = $8, version = version + 1 \
         WHERE id = $1 AND state = $2 AND version = $9",
        )
        .bind(id.0)
        .bind(from.code())
        .bind(to.code())
        .bind(&text_json)
        .bind(&text_plain)
        .bind(percent.map(i64::from))
        .bind(&at)
        .bind(&submitted_at)
        .bind(row.version)
    )?;
    if updated == 0 {
        return Err(StoreError::Stale);
    }
    execute!(
        tx,
        sqlx::query(
            "INSERT INTO report_events (report_id, at, actor_id, actor_role, action, from_state, \
             to_state, comment) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id.0)
        .bind(&at)
        .bind(actor.id.0)
        .bind(actor.role.code())
        .bind(change.action.code())
        .bind(from.code())
        .bind(to.code())
        .bind(comment)
    )?;
    Ok(to)
}

impl Store {
    /// Reports matching the filter, ordered by document, task number and the unit's
    /// place on the task (then newest round first). `unit` may be an alias; an unknown
    /// unit has no reports.
    pub async fn reports(&self, filter: &ReportFilter) -> Result<Vec<ReportSummary>, StoreError> {
        let mut tx = self.db.read().await?;
        let reports = summaries(&mut tx, filter, None).await?;
        tx.commit().await?;
        Ok(reports)
    }

    /// The text of every report of `round` as plain text (empty when none was written),
    /// by report: what the round's one-page table shows beside [`Store::reports`].
    pub async fn report_texts(
        &self,
        round: RoundId,
    ) -> Result<std::collections::HashMap<ReportId, String>, StoreError> {
        let mut tx = self.db.read().await?;
        let rows: Vec<(i64, String)> = with_conn!(&mut tx, c => sqlx::query_as(
            "SELECT id, text_plain FROM reports WHERE round_id = $1",
        )
        .bind(round.0)
        .fetch_all(c)
        .await)?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|(id, text)| (ReportId(id), text))
            .collect())
    }

    /// A report with its text, its history (oldest first) and what the unit reported on
    /// the task before: its text in the latest earlier reporting round that has any,
    /// or else the progress the imported notice gave (labelled `通报所载进展`).
    pub async fn report(&self, id: ReportId) -> Result<Option<ReportDetail>, StoreError> {
        let mut tx = self.db.read().await?;
        let found = detail(&mut tx, id).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// The report's unit, round and state, if it exists: what deciding who may see or act
    /// on it needs, without its text and history (one lookup by primary key).
    pub async fn report_head(&self, id: ReportId) -> Result<Option<ReportHead>, StoreError> {
        let mut tx = self.db.read().await?;
        let found = head(&mut tx, id).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// Takes a step on a report and records it, in one transaction; returns the new
    /// state. The step is checked by `duban_domain::next_state` against the report's
    /// state and the actor's role and unit as stored now (only `actor.id` is taken from
    /// the argument). Refusals are [`StoreError::Workflow`]: role or unit first, then a
    /// closed round (`RoundClosed`), then state and comment, then the content
    /// (`duban_domain::ReportContent::after`: `Submit` with empty text is `EmptyReport`).
    /// `comment` is recorded (trimmed) on any step. Unknown report → [`StoreError::ReportNotFound`].
    ///
    /// The step is committed together with others waiting at the same time (group
    /// commit, see `writer`), each in its own savepoint: a refused step keeps none of
    /// its writes and does not affect the others. The answer comes after the commit;
    /// if the commit fails, the answer is an error and nothing was written.
    pub async fn act_on_report(
        &self,
        id: ReportId,
        actor: &User,
        change: ReportChange,
        now: DateTime<Utc>,
    ) -> Result<ReportState, StoreError> {
        self.act_grouped(id, actor.id, change, Seen::default(), now)
            .await
    }

    /// [`Store::act_on_report`] from the state the actor saw (the page they acted on):
    /// if the report has moved on since, nothing is written and the answer is
    /// [`StoreError::Stale`] — two people acting on the same report at once cannot
    /// both succeed.
    pub async fn act_on_report_expecting(
        &self,
        id: ReportId,
        actor: &User,
        change: ReportChange,
        expected: ReportState,
        now: DateTime<Utc>,
    ) -> Result<ReportState, StoreError> {
        let seen = Seen {
            state: Some(expected),
            version: None,
        };
        self.act_grouped(id, actor.id, change, seen, now).await
    }

    /// [`Store::act_on_report`] from what the actor's editor held: the report's state
    /// (if known) and its version ([`crate::ReportSummary::version`]). If anyone changed
    /// the report since — saved other text, or took a step — nothing is written and the
    /// answer is [`StoreError::EditConflict`] with the text saved now, so an update is
    /// never lost: neither the one saved first nor the one refused (the caller still
    /// has it).
    pub async fn act_on_report_at_version(
        &self,
        id: ReportId,
        actor: &User,
        change: ReportChange,
        expected: Option<ReportState>,
        version: i64,
        now: DateTime<Utc>,
    ) -> Result<ReportState, StoreError> {
        let seen = Seen {
            state: expected,
            version: Some(version),
        };
        self.act_grouped(id, actor.id, change, seen, now).await
    }

    async fn act_grouped(
        &self,
        id: ReportId,
        actor: UserId,
        change: ReportChange,
        seen: Seen,
        now: DateTime<Utc>,
    ) -> Result<ReportState, StoreError> {
        self.writer
            .run(
                move |tx: &mut Tx| -> BoxFuture<'_, Result<ReportState, StoreError>> {
                    Box::pin(act(tx, id, actor, change, seen, now))
                },
            )
            .await
    }
}
