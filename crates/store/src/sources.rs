//! Sources of supervised tasks (立项) and the decomposition notices drafted from them
//! (分解): the draft's header, its tasks and sub-items with lead and cooperating units,
//! leader, deadline and progress kind, and issuing it (印发) with its 文号.
//!
//! A draft's tasks are stored like an imported notice's (`tasks`, `task_units`,
//! `subitems`, `subitem_units`), built by the same domain rules (`Notice::assemble`),
//! so every listing, report and rendering treats both alike. Each write is one
//! transaction; the caller's `finish` commits or rolls it back.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use duban_domain::limits;
use duban_domain::{
    Disclosure, DocNumber, DocNumberError, Document, Milestone, Notice, PlanError, ProgressKind,
    RichText, Source, SourceError, SourceKind, Target, Task, TaskDraft, UnitDirectory,
    split_subitems,
};
use serde::Serialize;

use crate::codec::{
    date_text, from_json, parse_date, parse_timestamp, parse_timestamp_opt, timestamp_text,
    to_json, u32_from,
};
use crate::db::{Tx, with_conn};
use crate::{DocumentId, StoreError, UserId, finish, load};

/// Most tasks one decomposition notice may have.
pub const MAX_TASKS: usize = 500;
/// Most sub-items of one task (①…⑳).
pub const MAX_SUBITEMS: usize = 20;
/// Longest task content.
pub const MAX_CONTENT_CHARS: usize = 2000;
/// Longest 责任领导, 完成时限, 发文机关 …
pub const MAX_SHORT_CHARS: usize = 100;
/// `documents.source_name` of a document drafted here rather than imported.
pub const DRAFTED_HERE: &str = "任务分解编辑器";

/// A stored source's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct SourceId(pub i64);

impl std::fmt::Display for SourceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where a document stands as the office's own output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    /// Read from a file.
    Imported,
    /// A decomposition notice being drafted: its tasks change in the editor.
    Draft,
    /// 已印发: it has its 文号 and 成文日期; its tasks no longer change in the editor.
    Issued,
}

impl DocumentStatus {
    pub fn code(self) -> &'static str {
        match self {
            DocumentStatus::Imported => "imported",
            DocumentStatus::Draft => "draft",
            DocumentStatus::Issued => "issued",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DocumentStatus::Imported => "导入",
            DocumentStatus::Draft => "草稿",
            DocumentStatus::Issued => "已印发",
        }
    }

    fn from_code(code: &str) -> Result<DocumentStatus, StoreError> {
        [
            DocumentStatus::Imported,
            DocumentStatus::Draft,
            DocumentStatus::Issued,
        ]
        .into_iter()
        .find(|s| s.code() == code)
        .ok_or_else(|| StoreError::Corrupt(format!("未知的文件状态“{code}”")))
    }
}

/// A source in a listing, with how much was decomposed from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceSummary {
    pub id: SourceId,
    pub kind: SourceKind,
    pub kind_label: &'static str,
    pub title: String,
    pub date: Option<NaiveDate>,
    pub leader: Option<String>,
    pub meeting: Option<String>,
    /// Documents linked to it (decomposition notices, imported notices).
    pub documents: i64,
    /// Tasks in those documents.
    pub tasks: i64,
    pub created_at: DateTime<Utc>,
}

/// A document linked to a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceDocument {
    pub id: DocumentId,
    pub doc_number: Option<String>,
    pub title: Option<String>,
    pub date: Option<NaiveDate>,
    pub status: DocumentStatus,
    pub status_label: &'static str,
    pub tasks: i64,
}

/// A source with everything registered about it and its documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceDetail {
    pub summary: SourceSummary,
    pub source: Source,
    pub updated_at: DateTime<Utc>,
    pub documents: Vec<SourceDocument>,
}

/// The header fields of a decomposition notice the office edits before issuing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftFields {
    /// 发文机关.
    pub issuer: String,
    pub title: String,
    /// 主送机关.
    pub recipients: Vec<String>,
    /// 正文 paragraphs.
    pub body: Vec<String>,
    pub disclosure: Disclosure,
}

/// One sub-item ① … ⑳ as the editor sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubItemInput {
    pub content: String,
    /// Units leading this sub-item; empty: the task's lead units lead it.
    pub lead_units: Vec<String>,
}

/// A task as the decomposition editor sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskInput {
    /// 具体目标任务, the text before ① when there are sub-items.
    pub content: String,
    pub subitems: Vec<SubItemInput>,
    /// 牵头单位 in order, the main lead first; names or aliases from the directory.
    pub lead_units: Vec<String>,
    pub cooperating_units: Vec<String>,
    /// 责任领导.
    pub leader: Option<String>,
    /// 完成时限 as the office writes it (`2020年12月底前`).
    pub deadline: Option<String>,
    pub notes: Option<String>,
    pub plan: Option<ProgressKind>,
}

/// A task of a decomposition notice, as the editor shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedTask {
    pub number: u32,
    /// The text before ①.
    pub intro: String,
    /// Units leading the whole task (not only one sub-item).
    pub task_lead_units: Vec<String>,
    pub task: Task,
    pub plan: Option<ProgressKind>,
    /// One line describing the plan, for tables.
    pub plan_summary: Option<String>,
}

/// A document in the decomposition editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decomposition {
    pub id: DocumentId,
    pub status: DocumentStatus,
    pub status_label: &'static str,
    pub source: Option<SourceSummary>,
    pub document: Document,
    pub tasks: Vec<PlannedTask>,
    pub issued_at: Option<DateTime<Utc>>,
}

/// What issuing (印发) needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueInput {
    /// 发文字号, e.g. `泉鲤政办〔2020〕44号`.
    pub doc_number: String,
    /// 成文日期.
    pub date: NaiveDate,
    /// 署名; the 发文机关 when `None`.
    pub signatory: Option<String>,
}

/// Why a source or decomposition write was refused. [`DecomposeError::field`] names the
/// form field to correct, when there is one.
#[derive(Debug, thiserror::Error)]
pub enum DecomposeError {
    #[error("{0}")]
    Source(SourceError),
    #[error("{}{error}", task_prefix(*.task))]
    Plan { task: Option<u32>, error: PlanError },
    /// A field that breaks a rule; the message says which and how to correct it.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error(
        "{}单位“{name}”不在单位名录中{}",
        field_label(field),
        suggestion.as_ref().map_or_else(
            || "：请从名录中选择单位，名录中没有的单位须先随通报导入".to_string(),
            |s| format!("，是否应为“{s}”？"),
        )
    )]
    UnknownUnit {
        field: &'static str,
        name: String,
        suggestion: Option<String>,
    },
    #[error("第 {index} 项任务：{error}")]
    InBatch {
        index: usize,
        error: Box<DecomposeError>,
    },
    #[error("找不到编号为 {0} 的任务来源，可能已被删除，请刷新后重试")]
    SourceNotFound(SourceId),
    #[error("找不到编号为 {0} 的文件")]
    DocumentNotFound(DocumentId),
    #[error("文件 {document} 中没有第 {number} 项任务，请刷新后重试")]
    TaskNotFound { document: DocumentId, number: u32 },
    #[error(
        "文件 {document} {}，不能在任务分解中修改。{}",
        if *.status == DocumentStatus::Issued { "已印发" } else { "是导入的通报" },
        if *.status == DocumentStatus::Issued {
            "如需调整任务，请另行发文"
        } else {
            "导入的通报请修改原文件后重新导入"
        }
    )]
    NotADraft {
        document: DocumentId,
        status: DocumentStatus,
    },
    #[error("{0}")]
    DocNumber(DocNumberError),
    #[error("文号“{doc_number}”已被文件 {existing} 使用，请核对发文字号的序号")]
    DocNumberTaken {
        doc_number: String,
        existing: DocumentId,
    },
    #[error("文件 {document} 的任务已交办或已开展填报，不能再在任务分解中修改")]
    InUse { document: DocumentId },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn task_prefix(task: Option<u32>) -> String {
    task.map(|t| format!("第 {t} 项任务：")).unwrap_or_default()
}

fn field_label(field: &str) -> &'static str {
    match field {
        "lead_units" => "牵头单位中的",
        "cooperating_units" => "配合单位中的",
        "subitems" => "分项牵头单位中的",
        _ => "",
    }
}

impl From<sqlx::Error> for DecomposeError {
    fn from(e: sqlx::Error) -> Self {
        DecomposeError::Store(StoreError::Database(e))
    }
}

impl From<SourceError> for DecomposeError {
    fn from(e: SourceError) -> Self {
        DecomposeError::Source(e)
    }
}

/// How a caller should answer a [`DecomposeError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecomposeErrorKind {
    /// The input breaks a rule: correct the field.
    Invalid,
    NotFound,
    /// The document's state forbids it (issued, imported, in use, number taken).
    Conflict,
    /// The database failed.
    Internal,
}

impl DecomposeError {
    /// The form field to correct: `title`, `lead_units`, `doc_number`, `target` …
    pub fn field(&self) -> Option<&'static str> {
        match self {
            DecomposeError::Source(e) => Some(e.field()),
            DecomposeError::Plan { error, .. } => Some(error.field()),
            DecomposeError::Invalid { field, .. } | DecomposeError::UnknownUnit { field, .. } => {
                Some(field)
            }
            DecomposeError::InBatch { error, .. } => error.field(),
            DecomposeError::DocNumber(_) | DecomposeError::DocNumberTaken { .. } => {
                Some("doc_number")
            }
            _ => None,
        }
    }

    pub fn kind(&self) -> DecomposeErrorKind {
        match self {
            DecomposeError::Source(_)
            | DecomposeError::Plan { .. }
            | DecomposeError::Invalid { .. }
            | DecomposeError::UnknownUnit { .. }
            | DecomposeError::DocNumber(_) => DecomposeErrorKind::Invalid,
            DecomposeError::InBatch { error, .. } => error.kind(),
            DecomposeError::SourceNotFound(_)
            | DecomposeError::DocumentNotFound(_)
            | DecomposeError::TaskNotFound { .. } => DecomposeErrorKind::NotFound,
            DecomposeError::NotADraft { .. }
            | DecomposeError::DocNumberTaken { .. }
            | DecomposeError::InUse { .. } => DecomposeErrorKind::Conflict,
            DecomposeError::Store(e) => match e {
                StoreError::NotFound(_) => DecomposeErrorKind::NotFound,
                StoreError::Conflict { .. } => DecomposeErrorKind::Conflict,
                _ => DecomposeErrorKind::Internal,
            },
        }
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> DecomposeError {
    DecomposeError::Invalid {
        field,
        message: message.into(),
    }
}

/// `Some(trimmed)` unless blank; longer than `max` characters is an error on `field`.
fn optional_text(
    field: &'static str,
    label: &str,
    text: Option<&str>,
    max: usize,
) -> Result<Option<String>, DecomposeError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > max {
        return Err(invalid(field, format!("{label}过长（最多 {max} 字）")));
    }
    Ok(Some(text.to_string()))
}

fn now_text() -> String {
    timestamp_text(Utc::now())
}

// ---------------------------------------------------------------------------------
// Sources

#[derive(sqlx::FromRow)]
struct SourceRow {
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
    fn decode(self) -> Result<(SourceSummary, Source, DateTime<Utc>), StoreError> {
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
    let done = with_conn!(tx, c => sqlx::query(
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
    .execute(c)
    .await)?;
    if done.rows_affected() == 0 {
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

async fn source_row(tx: &mut Tx, id: SourceId) -> Result<Option<SourceRow>, StoreError> {
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
            let status = DocumentStatus::from_code(&r.status)?;
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
    let done = with_conn!(tx, c => sqlx::query("UPDATE documents SET source_id = $1 WHERE id = $2")
        .bind(source.map(|s| s.0))
        .bind(document.0)
        .execute(c)
        .await)?;
    if done.rows_affected() == 0 {
        return Err(DecomposeError::DocumentNotFound(document));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Drafts

/// Creates a draft decomposition notice of `source` with the standard wording.
pub(crate) async fn create_draft(
    tx: &mut Tx,
    source: SourceId,
    issuer: &str,
) -> Result<DocumentId, DecomposeError> {
    let row = source_row(tx, source)
        .await?
        .ok_or(DecomposeError::SourceNotFound(source))?;
    let (_, source_value, _) = row.decode()?;
    let issuer = optional_text("issuer", "发文机关", Some(issuer), MAX_SHORT_CHARS)?;
    let table_title = source_value.decomposition_table_title();
    let id = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO documents (issuer, title, recipients_json, body_json, references_json, \
             attachment, signatory, disclosure, table_title, copy_to_json, source_name, \
             imported_at, source_id, status) \
         VALUES ($1, $2, $3, $4, '[]', $5, $1, $6, $5, '[]', $7, $8, $9, 'draft') \
         RETURNING id",
    )
    .bind(&issuer)
    .bind(source_value.decomposition_title(issuer.as_deref()))
    .bind(to_json("主送机关", &["高新区管委会", "各街道办事处", "区直有关单位"])?)
    .bind(to_json("正文", &source_value.decomposition_body())?)
    .bind(&table_title)
    .bind(Disclosure::Active.label())
    .bind(DRAFTED_HERE)
    .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    .bind(source.0)
    .fetch_one(c)
    .await)?;
    Ok(DocumentId(id))
}

/// The document's status, or not found.
async fn status_of(tx: &mut Tx, document: DocumentId) -> Result<DocumentStatus, DecomposeError> {
    let status = with_conn!(tx, c => sqlx::query_scalar::<_, String>(
        "SELECT status FROM documents WHERE id = $1",
    )
    .bind(document.0)
    .fetch_optional(c)
    .await)?
    .ok_or(DecomposeError::DocumentNotFound(document))?;
    Ok(DocumentStatus::from_code(&status)?)
}

/// Refuses unless the document is a draft nobody has been assigned or reported on.
async fn require_draft(tx: &mut Tx, document: DocumentId) -> Result<(), DecomposeError> {
    let status = status_of(tx, document).await?;
    if status != DocumentStatus::Draft {
        return Err(DecomposeError::NotADraft { document, status });
    }
    let used = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "SELECT (SELECT COUNT(*) FROM rounds WHERE document_id = $1) \
              + (SELECT COUNT(*) FROM assignments a JOIN tasks t ON t.id = a.task_id \
                 WHERE t.document_id = $1) \
              + (SELECT COUNT(*) FROM task_events e JOIN tasks t ON t.id = e.task_id \
                 WHERE t.document_id = $1)",
    )
    .bind(document.0)
    .fetch_one(c)
    .await)?;
    if used > 0 {
        return Err(DecomposeError::InUse { document });
    }
    Ok(())
}

fn clean_list(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
        if !out.iter().any(|o| o == item) {
            out.push(item.to_string());
        }
    }
    out
}

pub(crate) async fn update_draft(
    tx: &mut Tx,
    document: DocumentId,
    fields: DraftFields,
) -> Result<(), DecomposeError> {
    require_draft(tx, document).await?;
    let issuer = optional_text("issuer", "发文机关", Some(&fields.issuer), MAX_SHORT_CHARS)?
        .ok_or_else(|| invalid("issuer", "请填写发文机关，如“泉州市鲤城区人民政府办公室”"))?;
    let title = optional_text("title", "标题", Some(&fields.title), 200)?.ok_or_else(|| {
        invalid(
            "title",
            "请填写公文标题，如“关于对……部署进行责任分解的通知”",
        )
    })?;
    let recipients = clean_list(&fields.recipients);
    for recipient in &recipients {
        limits::RECIPIENT
            .check(recipient)
            .map_err(|e| invalid("recipients", e.to_string()))?;
    }
    if recipients.is_empty() {
        return Err(invalid(
            "recipients",
            "请填写主送机关，如“高新区管委会，各街道办事处，区直有关单位”",
        ));
    }
    let body = clean_list(&fields.body);
    for paragraph in &body {
        limits::BODY_PARAGRAPH
            .check(paragraph)
            .map_err(|e| invalid("body", e.to_string()))?;
    }
    with_conn!(tx, c => sqlx::query(
        "UPDATE documents SET issuer = $1, title = $2, recipients_json = $3, body_json = $4, \
             disclosure = $5, signatory = $1 WHERE id = $6",
    )
    .bind(&issuer)
    .bind(&title)
    .bind(to_json("主送机关", &recipients)?)
    .bind(to_json("正文", &body)?)
    .bind(fields.disclosure.label())
    .bind(document.0)
    .execute(c)
    .await)?;
    Ok(())
}

/// Deletes a draft and its tasks (a draft nobody has seen yet can go).
pub(crate) async fn delete_draft(tx: &mut Tx, document: DocumentId) -> Result<(), DecomposeError> {
    require_draft(tx, document).await?;
    for sql in [
        "DELETE FROM subitem_units WHERE task_id IN (SELECT id FROM tasks WHERE document_id = $1)",
        "DELETE FROM subitems WHERE task_id IN (SELECT id FROM tasks WHERE document_id = $1)",
        "DELETE FROM task_units WHERE task_id IN (SELECT id FROM tasks WHERE document_id = $1)",
        "DELETE FROM task_milestones WHERE task_id IN (SELECT id FROM tasks WHERE document_id = $1)",
        "DELETE FROM task_plans WHERE task_id IN (SELECT id FROM tasks WHERE document_id = $1)",
        "DELETE FROM tasks WHERE document_id = $1",
        "DELETE FROM unit_flags WHERE document_id = $1",
        "DELETE FROM documents WHERE id = $1",
    ] {
        with_conn!(tx, c => sqlx::query(sql).bind(document.0).execute(c).await)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Tasks

/// A task input checked against the rules and the unit directory, ready to store.
struct CheckedTask {
    task: Task,
    plan: Option<ProgressKind>,
}

/// The canonical name of `written` in the directory, or why not.
fn resolve_unit(
    directory: &UnitDirectory,
    field: &'static str,
    written: &str,
) -> Result<String, DecomposeError> {
    match directory.resolve(written).index() {
        // A name stored before names were checked on every path may still break the
        // rule: refuse it here rather than store a task that reads back as other units.
        Some(i) => {
            let name = &directory.units[i].name;
            duban_domain::check_unit_name(name).map_err(|e| invalid(field, e.to_string()))?;
            Ok(name.clone())
        }
        None => Err(DecomposeError::UnknownUnit {
            field,
            name: written.to_string(),
            suggestion: directory.probable_typo(written).map(|u| u.name.clone()),
        }),
    }
}

fn resolve_units(
    directory: &UnitDirectory,
    field: &'static str,
    written: &[String],
) -> Result<Vec<String>, DecomposeError> {
    let mut out: Vec<String> = Vec::new();
    for name in clean_list(written) {
        let canonical = resolve_unit(directory, field, &name)?;
        if !out.contains(&canonical) {
            out.push(canonical);
        }
    }
    Ok(out)
}

fn check_task(
    input: &TaskInput,
    number: u32,
    directory: &UnitDirectory,
) -> Result<CheckedTask, DecomposeError> {
    let content = input.content.trim();
    if content
        .chars()
        .any(|c| ('\u{2460}'..='\u{2473}').contains(&c))
    {
        return Err(invalid(
            "content",
            "任务内容中不要写①②③等分项标号，请把各分项逐条填在“分项”中",
        ));
    }
    let subitems: Vec<&SubItemInput> = input
        .subitems
        .iter()
        .filter(|s| !s.content.trim().is_empty() || !clean_list(&s.lead_units).is_empty())
        .collect();
    if content.is_empty() && subitems.is_empty() {
        return Err(invalid("content", "请填写具体目标任务"));
    }
    if content.chars().count() > MAX_CONTENT_CHARS {
        return Err(invalid(
            "content",
            format!("任务内容过长（最多 {MAX_CONTENT_CHARS} 字）"),
        ));
    }
    if subitems.len() > MAX_SUBITEMS {
        return Err(invalid(
            "subitems",
            format!("分项最多 20 个（①至⑳），现有 {} 个", subitems.len()),
        ));
    }
    let mut subitem_leads = Vec::with_capacity(subitems.len());
    for (i, item) in subitems.iter().enumerate() {
        let text = item.content.trim();
        if text.is_empty() {
            return Err(invalid("subitems", format!("第 {} 个分项缺少内容", i + 1)));
        }
        if text.chars().any(|c| ('\u{2460}'..='\u{2473}').contains(&c)) {
            return Err(invalid(
                "subitems",
                format!("第 {} 个分项的内容中不要再写分项标号", i + 1),
            ));
        }
        subitem_leads.push(resolve_units(directory, "subitems", &item.lead_units)?);
    }
    let leads = resolve_units(directory, "lead_units", &input.lead_units)?;
    if leads.is_empty() && (subitems.is_empty() || subitem_leads.iter().any(Vec::is_empty)) {
        return Err(invalid(
            "lead_units",
            "请至少选择一个牵头单位（或为每个分项分别选择牵头单位）",
        ));
    }
    let cooperating = resolve_units(directory, "cooperating_units", &input.cooperating_units)?;
    if let Some(both) = cooperating
        .iter()
        .find(|c| leads.contains(c) || subitem_leads.iter().any(|s| s.contains(c)))
    {
        return Err(invalid(
            "cooperating_units",
            format!("“{both}”已是牵头单位，不能同时作为配合单位"),
        ));
    }
    let leader = optional_text(
        "leader",
        "责任领导",
        input.leader.as_deref(),
        MAX_SHORT_CHARS,
    )?;
    let deadline = optional_text(
        "deadline",
        "完成时限",
        input.deadline.as_deref(),
        MAX_SHORT_CHARS,
    )?;
    let notes = optional_text("notes", "备注", input.notes.as_deref(), MAX_CONTENT_CHARS)?;
    if let Some(plan) = &input.plan {
        plan.validate().map_err(|error| DecomposeError::Plan {
            task: Some(number),
            error,
        })?;
    }

    // The cells as an office writes them, then the same assembly an import does.
    let mut text = content.to_string();
    for (i, item) in subitems.iter().enumerate() {
        let label = char::from_u32(0x2460 + i as u32).unwrap_or('?');
        text.push(label);
        text.push_str(item.content.trim().trim_end_matches(['；', ';']));
        if i + 1 < subitems.len() {
            text.push('；');
        }
    }
    let mut clauses = Vec::new();
    if !leads.is_empty() {
        clauses.push(leads.join("、"));
    }
    for (i, units) in subitem_leads.iter().enumerate() {
        if !units.is_empty() {
            let label = char::from_u32(0x2460 + i as u32).unwrap_or('?');
            clauses.push(format!("第{label}项{}牵头", units.join("、")));
        }
    }
    let draft = TaskDraft {
        number,
        content: RichText::plain(&text),
        lead_units: clauses.join("；"),
        cooperating_units: cooperating.join("、"),
        leader,
        deadline,
        notes: notes.as_deref().map(RichText::plain),
        ..TaskDraft::default()
    };
    let notice = Notice::assemble(Document::default(), vec![draft], directory);
    let task = notice
        .tasks
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::Corrupt("任务未能生成".into()))?;
    Ok(CheckedTask {
        task,
        plan: input.plan.clone(),
    })
}

async fn unit_ids(tx: &mut Tx) -> Result<(UnitDirectory, HashMap<String, i64>), StoreError> {
    let units = load::directory(tx).await?;
    let ids = units.iter().map(|(id, u)| (u.name.clone(), *id)).collect();
    Ok((
        UnitDirectory {
            units: units.into_iter().map(|(_, u)| u).collect(),
        },
        ids,
    ))
}

/// Writes the task's units, sub-items and plan (after they were cleared).
async fn write_task_parts(
    tx: &mut Tx,
    task_id: i64,
    checked: &CheckedTask,
    ids: &HashMap<String, i64>,
) -> Result<(), StoreError> {
    crate::save::write_task_units(tx, task_id, &checked.task, ids).await?;
    if let Some(plan) = &checked.plan {
        write_plan(tx, task_id, plan).await?;
    }
    Ok(())
}

async fn write_plan(tx: &mut Tx, task_id: i64, plan: &ProgressKind) -> Result<(), StoreError> {
    let (amount, unit) = match plan {
        ProgressKind::Indicator { target } => {
            (Some(target.amount.to_string()), Some(target.unit.clone()))
        }
        _ => (None, None),
    };
    with_conn!(tx, c => sqlx::query(
        "INSERT INTO task_plans (task_id, kind, target_amount, target_unit) VALUES ($1, $2, $3, $4)",
    )
    .bind(task_id)
    .bind(plan.code())
    .bind(&amount)
    .bind(&unit)
    .execute(c)
    .await)?;
    if let ProgressKind::Project { milestones } = plan {
        for (position, m) in milestones.iter().enumerate() {
            with_conn!(tx, c => sqlx::query(
                "INSERT INTO task_milestones (task_id, position, due, description) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(task_id)
            .bind(position as i64)
            .bind(date_text(Some(m.due)))
            .bind(m.description.trim())
            .execute(c)
            .await)?;
        }
    }
    Ok(())
}

async fn clear_task_parts(tx: &mut Tx, task_id: i64) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM subitem_units WHERE task_id = $1",
        "DELETE FROM subitems WHERE task_id = $1",
        "DELETE FROM task_units WHERE task_id = $1",
        "DELETE FROM task_milestones WHERE task_id = $1",
        "DELETE FROM task_plans WHERE task_id = $1",
    ] {
        with_conn!(tx, c => sqlx::query(sql).bind(task_id).execute(c).await)?;
    }
    Ok(())
}

async fn task_count(tx: &mut Tx, document: DocumentId) -> Result<u32, StoreError> {
    let n = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM tasks WHERE document_id = $1",
    )
    .bind(document.0)
    .fetch_one(c)
    .await)?;
    u32_from("任务数", n)
}

/// Appends `tasks` after the draft's last task: all of them, or none when one is refused
/// (the error says which, counting from 1 in the batch).
pub(crate) async fn add_tasks(
    tx: &mut Tx,
    document: DocumentId,
    tasks: &[TaskInput],
) -> Result<Vec<u32>, DecomposeError> {
    require_draft(tx, document).await?;
    if tasks.is_empty() {
        return Err(invalid("tasks", "请至少填写一项任务"));
    }
    let existing = task_count(tx, document).await?;
    if existing as usize + tasks.len() > MAX_TASKS {
        return Err(invalid(
            "tasks",
            format!("一份分解文件最多 {MAX_TASKS} 项任务"),
        ));
    }
    let (directory, ids) = unit_ids(tx).await?;
    let mut numbers = Vec::with_capacity(tasks.len());
    for (i, input) in tasks.iter().enumerate() {
        let number = existing + 1 + i as u32;
        let checked = check_task(input, number, &directory).map_err(|error| {
            if tasks.len() == 1 {
                error
            } else {
                DecomposeError::InBatch {
                    index: i + 1,
                    error: Box::new(error),
                }
            }
        })?;
        let task_id = insert_task_row(tx, document, &checked.task).await?;
        write_task_parts(tx, task_id, &checked, &ids).await?;
        numbers.push(number);
    }
    Ok(numbers)
}

async fn insert_task_row(
    tx: &mut Tx,
    document: DocumentId,
    task: &Task,
) -> Result<i64, StoreError> {
    let notes_json = task
        .notes
        .as_ref()
        .map(|n| to_json("备注", n))
        .transpose()?;
    let id = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO tasks (document_id, number, content_json, content_text, lead_units_text, \
             cooperating_units_text, leader, deadline, notes_json, extra_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '[]') RETURNING id",
    )
    .bind(document.0)
    .bind(i64::from(task.number.0))
    .bind(to_json("任务内容", &task.content)?)
    .bind(task.content.plain_text())
    .bind(&task.lead_units_text)
    .bind(&task.cooperating_units_text)
    .bind(&task.leader)
    .bind(&task.deadline)
    .bind(&notes_json)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

async fn task_id(tx: &mut Tx, document: DocumentId, number: u32) -> Result<i64, DecomposeError> {
    with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "SELECT id FROM tasks WHERE document_id = $1 AND number = $2",
    )
    .bind(document.0)
    .bind(i64::from(number))
    .fetch_optional(c)
    .await)?
    .ok_or(DecomposeError::TaskNotFound { document, number })
}

pub(crate) async fn update_task(
    tx: &mut Tx,
    document: DocumentId,
    number: u32,
    input: &TaskInput,
) -> Result<(), DecomposeError> {
    require_draft(tx, document).await?;
    let id = task_id(tx, document, number).await?;
    let (directory, ids) = unit_ids(tx).await?;
    let checked = check_task(input, number, &directory)?;
    let task = &checked.task;
    let notes_json = task
        .notes
        .as_ref()
        .map(|n| to_json("备注", n))
        .transpose()?;
    with_conn!(tx, c => sqlx::query(
        "UPDATE tasks SET content_json = $1, content_text = $2, lead_units_text = $3, \
             cooperating_units_text = $4, leader = $5, deadline = $6, notes_json = $7 \
         WHERE id = $8",
    )
    .bind(to_json("任务内容", &task.content)?)
    .bind(task.content.plain_text())
    .bind(&task.lead_units_text)
    .bind(&task.cooperating_units_text)
    .bind(&task.leader)
    .bind(&task.deadline)
    .bind(&notes_json)
    .bind(id)
    .execute(c)
    .await)?;
    clear_task_parts(tx, id).await?;
    write_task_parts(tx, id, &checked, &ids).await?;
    Ok(())
}

/// Sets the numbers of the draft's tasks to `order` (task ids, new number = position + 1).
async fn renumber(tx: &mut Tx, document: DocumentId, order: &[i64]) -> Result<(), StoreError> {
    // Two passes, so UNIQUE (document_id, number) holds after every statement.
    with_conn!(tx, c => sqlx::query("UPDATE tasks SET number = -number WHERE document_id = $1")
        .bind(document.0)
        .execute(c)
        .await)?;
    for (position, id) in order.iter().enumerate() {
        with_conn!(tx, c => sqlx::query("UPDATE tasks SET number = $1 WHERE id = $2")
            .bind(position as i64 + 1)
            .bind(id)
            .execute(c)
            .await)?;
    }
    Ok(())
}

async fn task_order(tx: &mut Tx, document: DocumentId) -> Result<Vec<i64>, StoreError> {
    let ids = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "SELECT id FROM tasks WHERE document_id = $1 ORDER BY number",
    )
    .bind(document.0)
    .fetch_all(c)
    .await)?;
    Ok(ids)
}

/// Removes a task; the ones after it move up, so numbers stay 1, 2, 3 …
pub(crate) async fn remove_task(
    tx: &mut Tx,
    document: DocumentId,
    number: u32,
) -> Result<(), DecomposeError> {
    require_draft(tx, document).await?;
    let id = task_id(tx, document, number).await?;
    clear_task_parts(tx, id).await?;
    with_conn!(tx, c => sqlx::query("DELETE FROM tasks WHERE id = $1")
        .bind(id)
        .execute(c)
        .await)?;
    let order = task_order(tx, document).await?;
    renumber(tx, document, &order).await?;
    Ok(())
}

/// Moves task `number` to position `to` (1-based); the tasks in between shift by one.
pub(crate) async fn move_task(
    tx: &mut Tx,
    document: DocumentId,
    number: u32,
    to: u32,
) -> Result<(), DecomposeError> {
    require_draft(tx, document).await?;
    let id = task_id(tx, document, number).await?;
    let mut order = task_order(tx, document).await?;
    if to == 0 || to as usize > order.len() {
        return Err(invalid(
            "to",
            format!("新序号应在 1 至 {} 之间", order.len()),
        ));
    }
    order.retain(|t| *t != id);
    order.insert(to as usize - 1, id);
    renumber(tx, document, &order).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------
// Issue

pub(crate) async fn issue(
    tx: &mut Tx,
    document: DocumentId,
    input: &IssueInput,
    by: UserId,
) -> Result<(), DecomposeError> {
    require_draft(tx, document).await?;
    let text = input.doc_number.trim();
    if text.is_empty() {
        return Err(invalid(
            "doc_number",
            "请填写发文字号，如“泉鲤政办〔2020〕44号”",
        ));
    }
    let number = DocNumber::parse(text).map_err(DecomposeError::DocNumber)?;
    if i32::from(number.year) != chrono::Datelike::year(&input.date) {
        return Err(invalid(
            "doc_number",
            format!(
                "文号“{text}”的年份与成文日期（{}）不一致，请核对",
                input.date.format("%Y年%-m月%-d日")
            ),
        ));
    }
    let normal = number.to_string();
    let taken = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "SELECT id FROM documents WHERE doc_number = $1",
    )
    .bind(&normal)
    .fetch_optional(c)
    .await)?;
    if let Some(existing) = taken {
        return Err(DecomposeError::DocNumberTaken {
            doc_number: normal,
            existing: DocumentId(existing),
        });
    }
    let content = load::content(tx, document.0)
        .await?
        .ok_or(DecomposeError::DocumentNotFound(document))?;
    let d = &content.document;
    if d.issuer.as_deref().is_none_or(|i| i.trim().is_empty()) {
        return Err(invalid("issuer", "印发前请填写发文机关"));
    }
    if d.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
        return Err(invalid("title", "印发前请填写公文标题"));
    }
    if d.recipients.is_empty() {
        return Err(invalid("recipients", "印发前请填写主送机关"));
    }
    if content.tasks.is_empty() {
        return Err(invalid("tasks", "分解文件还没有任务，请先添加任务再印发"));
    }
    let signatory = optional_text(
        "signatory",
        "署名",
        input.signatory.as_deref(),
        MAX_SHORT_CHARS,
    )?
    .or_else(|| d.issuer.clone());
    with_conn!(tx, c => sqlx::query(
        "UPDATE documents SET doc_number = $1, doc_agency = $2, doc_year = $3, doc_serial = $4, \
             doc_number_original = $5, date = $6, signatory = $7, printed_by = issuer, \
             printed_on = $6, status = 'issued', issued_by = $8, issued_at = $9 \
         WHERE id = $10 AND status = 'draft'",
    )
    .bind(&normal)
    .bind(&number.agency)
    .bind(i64::from(number.year))
    .bind(i64::from(number.serial))
    .bind(&number.original)
    .bind(date_text(Some(input.date)))
    .bind(&signatory)
    .bind(by.0)
    .bind(now_text())
    .bind(document.0)
    .execute(c)
    .await)?;
    Ok(())
}

// ---------------------------------------------------------------------------------
// Reading

/// Every task's plan in the document, by task number.
pub(crate) async fn plans(
    tx: &mut Tx,
    document: DocumentId,
) -> Result<HashMap<u32, ProgressKind>, StoreError> {
    /// (task id, number, kind, target amount, target unit)
    type PlanRow = (i64, i64, String, Option<String>, Option<String>);
    let rows: Vec<PlanRow> = with_conn!(tx, c => sqlx::query_as(
        "SELECT t.id, t.number, p.kind, p.target_amount, p.target_unit \
         FROM task_plans p JOIN tasks t ON t.id = p.task_id WHERE t.document_id = $1",
    )
    .bind(document.0)
    .fetch_all(c)
    .await)?;
    let milestone_rows: Vec<(i64, String, String)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT m.task_id, m.due, m.description FROM task_milestones m \
         JOIN tasks t ON t.id = m.task_id WHERE t.document_id = $1 \
         ORDER BY m.task_id, m.position",
    )
    .bind(document.0)
    .fetch_all(c)
    .await)?;
    let mut milestones: HashMap<i64, Vec<Milestone>> = HashMap::new();
    for (task_id, due, description) in milestone_rows {
        let due = parse_date("节点日期", Some(&due))?
            .ok_or_else(|| StoreError::Corrupt("节点日期缺失".into()))?;
        milestones
            .entry(task_id)
            .or_default()
            .push(Milestone { due, description });
    }
    let mut out = HashMap::new();
    for (task_id, number, kind, amount, unit) in rows {
        let plan = match kind.as_str() {
            "indicator" => ProgressKind::Indicator {
                target: Target::new(
                    amount.as_deref().unwrap_or_default(),
                    unit.as_deref().unwrap_or_default(),
                )
                .map_err(|e| StoreError::Corrupt(format!("年度目标：{e}")))?,
            },
            "project" => ProgressKind::Project {
                milestones: milestones.remove(&task_id).unwrap_or_default(),
            },
            "ongoing" => ProgressKind::Ongoing,
            other => return Err(StoreError::Corrupt(format!("未知的进度类型“{other}”"))),
        };
        out.insert(u32_from("任务序号", number)?, plan);
    }
    Ok(out)
}

pub(crate) async fn decomposition(
    tx: &mut Tx,
    document: DocumentId,
) -> Result<Decomposition, DecomposeError> {
    let (status, source, issued_at): (String, Option<i64>, Option<String>) =
        with_conn!(tx, c => sqlx::query_as(
        "SELECT status, source_id, issued_at FROM documents WHERE id = $1",
    )
    .bind(document.0)
    .fetch_optional(c)
    .await)?
        .ok_or(DecomposeError::DocumentNotFound(document))?;
    let status = DocumentStatus::from_code(&status)?;
    let source = match source {
        Some(id) => match source_row(tx, SourceId(id)).await? {
            Some(row) => Some(row.decode()?.0),
            None => None,
        },
        None => None,
    };
    let content = load::content(tx, document.0)
        .await?
        .ok_or(DecomposeError::DocumentNotFound(document))?;
    let mut plans = plans(tx, document).await?;
    let tasks = content
        .tasks
        .into_iter()
        .map(|task| {
            let text = task.content.plain_text();
            let intro = match split_subitems(&text) {
                Some(split) => split.intro,
                None => text,
            };
            let per_item: Vec<&String> = task.subitems.iter().flat_map(|s| &s.lead_units).collect();
            let task_lead_units = task
                .lead_units
                .iter()
                .map(|a| a.unit.clone())
                .filter(|u| !per_item.contains(&u))
                .collect();
            let plan = plans.remove(&task.number.0);
            PlannedTask {
                number: task.number.0,
                intro,
                task_lead_units,
                plan_summary: plan.as_ref().map(ProgressKind::summary),
                plan,
                task,
            }
        })
        .collect();
    Ok(Decomposition {
        id: document,
        status,
        status_label: status.label(),
        source,
        document: content.document,
        tasks,
        issued_at: parse_timestamp_opt("印发时间", issued_at.as_deref())?,
    })
}

// ---------------------------------------------------------------------------------
// The store's methods (here rather than in lib.rs, beside the SQL they run).

impl crate::Store {
    /// Registers a source (立项); its fields are trimmed and checked first.
    pub async fn create_source(
        &self,
        source: Source,
        by: UserId,
    ) -> Result<SourceId, DecomposeError> {
        let mut tx = self.db.write().await?;
        let result = create_source(&mut tx, source, by).await;
        finish(tx, result).await
    }

    pub async fn update_source(&self, id: SourceId, source: Source) -> Result<(), DecomposeError> {
        let mut tx = self.db.write().await?;
        let result = update_source(&mut tx, id, source).await;
        finish(tx, result).await
    }

    /// Sources, newest first, optionally of one kind.
    pub async fn sources(
        &self,
        kind: Option<SourceKind>,
    ) -> Result<Vec<SourceSummary>, StoreError> {
        let mut tx = self.db.read().await?;
        let list = list_sources(&mut tx, kind).await?;
        tx.commit().await?;
        Ok(list)
    }

    /// A source with its documents.
    pub async fn source(&self, id: SourceId) -> Result<SourceDetail, DecomposeError> {
        let mut tx = self.db.read().await?;
        let detail = source_detail(&mut tx, id).await?;
        tx.commit().await?;
        Ok(detail)
    }

    /// Links a document (imported or drafted) to a source, or unlinks it (`None`).
    pub async fn set_document_source(
        &self,
        document: DocumentId,
        source: Option<SourceId>,
    ) -> Result<(), DecomposeError> {
        let mut tx = self.db.write().await?;
        let result = set_document_source(&mut tx, document, source).await;
        finish(tx, result).await
    }

    /// Drafts a decomposition notice of `source` with the standard title, 正文 and
    /// attachment name, for the office to edit and issue.
    pub async fn create_decomposition(
        &self,
        source: SourceId,
        issuer: &str,
    ) -> Result<DocumentId, DecomposeError> {
        let mut tx = self.db.write().await?;
        let result = create_draft(&mut tx, source, issuer).await;
        finish(tx, result).await
    }

    /// A document as the decomposition editor shows it (any status).
    pub async fn decomposition(
        &self,
        document: DocumentId,
    ) -> Result<Decomposition, DecomposeError> {
        let mut tx = self.db.read().await?;
        let d = decomposition(&mut tx, document).await?;
        tx.commit().await?;
        Ok(d)
    }

    /// Every task's plan (progress kind) in the document, by task number.
    pub async fn task_plans(
        &self,
        document: DocumentId,
    ) -> Result<HashMap<u32, ProgressKind>, StoreError> {
        let mut tx = self.db.read().await?;
        let p = plans(&mut tx, document).await?;
        tx.commit().await?;
        Ok(p)
    }

    pub async fn update_decomposition(
        &self,
        document: DocumentId,
        fields: DraftFields,
    ) -> Result<(), DecomposeError> {
        let mut tx = self.db.write().await?;
        let result = update_draft(&mut tx, document, fields).await;
        finish(tx, result).await
    }

    /// Deletes a draft that was never issued.
    pub async fn delete_decomposition(&self, document: DocumentId) -> Result<(), DecomposeError> {
        let mut tx = self.db.write().await?;
        let result = delete_draft(&mut tx, document).await;
        finish(tx, result).await
    }

    /// Appends tasks to a draft, all or none; their new numbers.
    pub async fn add_decomposition_tasks(
        &self,
        document: DocumentId,
        tasks: &[TaskInput],
    ) -> Result<Vec<u32>, DecomposeError> {
        let mut tx = self.db.write().await?;
        let result = add_tasks(&mut tx, document, tasks).await;
        finish(tx, result).await
    }

    pub async fn update_decomposition_task(
        &self,
        document: DocumentId,
        number: u32,
        task: &TaskInput,
    ) -> Result<(), DecomposeError> {
        let mut tx = self.db.write().await?;
        let result = update_task(&mut tx, document, number, task).await;
        finish(tx, result).await
    }

    /// Removes a draft's task; later tasks move up one number.
    pub async fn remove_decomposition_task(
        &self,
        document: DocumentId,
        number: u32,
    ) -> Result<(), DecomposeError> {
        let mut tx = self.db.write().await?;
        let result = remove_task(&mut tx, document, number).await;
        finish(tx, result).await
    }

    /// Moves a draft's task to number `to`; the tasks between shift by one.
    pub async fn move_decomposition_task(
        &self,
        document: DocumentId,
        number: u32,
        to: u32,
    ) -> Result<(), DecomposeError> {
        let mut tx = self.db.write().await?;
        let result = move_task(&mut tx, document, number, to).await;
        finish(tx, result).await
    }

    /// Issues (印发) a draft: its 文号, 成文日期 and 署名; then its tasks are fixed.
    pub async fn issue_decomposition(
        &self,
        document: DocumentId,
        input: &IssueInput,
        by: UserId,
    ) -> Result<(), DecomposeError> {
        let mut tx = self.db.write().await?;
        let result = issue(&mut tx, document, input, by).await;
        finish(tx, result).await
    }
}
