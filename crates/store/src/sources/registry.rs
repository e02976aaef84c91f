//! Sources (立项) as rows: registering, editing, listing and linking documents to them.

use chrono::{DateTime, Utc};
use duban_domain::{DocumentStatus, Source, SourceKind};

use super::{
    DecomposeError, SourceDetail, SourceDocument, SourceId, SourceSummary, now_text,
    status_from_code,
};
use crate::codec::{date_text, from_json, parse_date, parse_timestamp, to_json};
use crate::db::{Tx, execute, with_conn};
use crate::{DocumentId, StoreError, UserId};

#[derive(sqlx::FromRow)]
pub(super) struct SourceRow {
    id: i64,
    kind: String,
    title: String,
    date: Option<String>,
    leader: Option<String>,
    meeting: Option<String>,
    original_json: String,
    notes: Option<String>,
    created_at: String,
    updated_at: String,
    documents: i64,
    tasks: i64,
}

const SOURCE_COLUMNS: &str = "s.id, s.kind, s.title, s.date, s.leader, s.meeting, \
     s.original_json, s.notes, s.created_at, s.updated_at, \
     (SELECT COUNT(*) FROM documents d WHERE d.source_id = s.id) AS documents, \
     (SELECT COUNT(*) FROM tasks t JOIN documents d ON d.id = t.document_id \
      WHERE d.source_id = s.id) AS tasks";

fn kind_from_code(code: &str) -> Result<SourceKind, StoreError> {
    SourceKind::from_code(code)
        .ok_or_else(|| StoreError::Corrupt(format!("未知的来源类别“{code}”")))
}

impl SourceRow {
    pub(super) fn decode(self) -> Result<(SourceSummary, Source, DateTime<Utc>), StoreError> {
        let kind = kind_from_code(&self.kind)?;
        let date = parse_date("来源日期", self.date.as_deref())?;
        let source = Source {
            kind,
            title: self.title.clone(),
            date,
            leader: self.leader.clone(),
            meeting: self.meeting.clone(),
            original: from_json("来源原文", &self.original_json)?,
            notes: self.notes,
        };
        let summary = SourceSummary {
            id: SourceId(self.id),
            kind,
            kind_label: kind.label(),
            title: self.title,
            date,
            leader: self.leader,
            meeting: self.meeting,
            documents: self.documents,
            tasks: self.tasks,
            created_at: parse_timestamp("登记时间", &self.created_at)?,
        };
        Ok((
            summary,
            source,
            parse_timestamp("修改时间", &self.updated_at)?,
        ))
    }
}

pub(crate) async fn create_source(
    tx: &mut Tx,
    source: Source,
    by: UserId,
) -> Result<SourceId, DecomposeError> {
    let source = source.normalised()?;
    let now = now_text();
    let id = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO sources (kind, title, date, leader, meeting, original_json, original_text, \
             notes, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
    )
    .bind(source.kind.code())
    .bind(&source.title)
    .bind(date_text(source.date))
    .bind(&source.leader)
    .bind(&source.meeting)
    .bind(to_json("来源原文", &source.original)?)
    .bind(source.original.plain_text())
    .bind(&source.notes)
    .bind(by.0)
    .bind(&now)
    .fetch_one(c)
    .await)?;
    Ok(SourceId(id))
}

pub(crate) async fn update_source(
    tx: &mut Tx,
    id: SourceId,
    source: Source,
) -> Result<(), DecomposeError> {
    let source = source.normalised()?;
    let done = execute!(
        tx,
        sqlx::query(
            "UPDATE sources SET kind = $1, title = $2, date = $3, leader = $4, meeting = $5, \
             original_json = $6, original_text = $7, notes = $8, updated_at = $9 \
         WHERE id = $10",
        )
        .bind(source.kind.code())
        .bind(&source.title)
        .bind(date_text(source.date))
        .bind(&source.leader)
        .bind(&source.meeting)
        .bind(to_json("来源原文", &source.original)?)
        .bind(source.original.plain_text())
        .bind(&source.notes)
        .bind(now_text())
        .bind(id.0)
    )?;
    if done == 0 {
        return Err(DecomposeError::SourceNotFound(id));
    }
    Ok(())
}

pub(crate) async fn list_sources(
    tx: &mut Tx,
    kind: Option<SourceKind>,
) -> Result<Vec<SourceSummary>, StoreError> {
    let rows: Vec<SourceRow> = with_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SOURCE_COLUMNS} FROM sources s \
         WHERE ($1 IS NULL OR s.kind = $1) \
         ORDER BY s.date IS NULL, s.date DESC, s.id DESC"
    )))
    .bind(kind.map(SourceKind::code))
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|r| r.decode().map(|(summary, _, _)| summary))
        .collect()
}

pub(super) async fn source_row(tx: &mut Tx, id: SourceId) -> Result<Option<SourceRow>, StoreError> {
    let row: Option<SourceRow> = with_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SOURCE_COLUMNS} FROM sources s WHERE s.id = $1"
    )))
    .bind(id.0)
    .fetch_optional(c)
    .await)?;
    Ok(row)
}

pub(crate) async fn source_detail(
    tx: &mut Tx,
    id: SourceId,
) -> Result<SourceDetail, DecomposeError> {
    let row = source_row(tx, id)
        .await?
        .ok_or(DecomposeError::SourceNotFound(id))?;
    let (summary, source, updated_at) = row.decode()?;
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        doc_number: Option<String>,
        title: Option<String>,
        date: Option<String>,
        status: String,
        tasks: i64,
    }
    let rows: Vec<Row> = with_conn!(tx, c => sqlx::query_as(
        "SELECT d.id, d.doc_number, d.title, d.date, d.status, \
                (SELECT COUNT(*) FROM tasks t WHERE t.document_id = d.id) AS tasks \
         FROM documents d WHERE d.source_id = $1 ORDER BY d.id",
    )
    .bind(id.0)
    .fetch_all(c)
    .await)?;
    let documents = rows
        .into_iter()
        .map(|r| {
            let status: DocumentStatus = status_from_code(&r.status)?;
            Ok(SourceDocument {
                id: DocumentId(r.id),
                doc_number: r.doc_number,
                title: r.title,
                date: parse_date("成文日期", r.date.as_deref())?,
                status,
                status_label: status.label(),
                tasks: r.tasks,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(SourceDetail {
        summary,
        source,
        updated_at,
        documents,
    })
}

pub(crate) async fn set_document_source(
    tx: &mut Tx,
    document: DocumentId,
    source: Option<SourceId>,
) -> Result<(), DecomposeError> {
    if let Some(source) = source
        && source_row(tx, source).await?.is_none()
    {
        return Err(DecomposeError::SourceNotFound(source));
    }
    let done = execute!(
        tx,
        sqlx::query("UPDATE documents SET source_id = $1 WHERE id = $2")
            .bind(source.map(|s| s.0))
            .bind(document.0)
    )?;
    if done == 0 {
        return Err(DecomposeError::DocumentNotFound(document));
    }
    Ok(())
}
