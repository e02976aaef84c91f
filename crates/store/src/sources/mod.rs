//! Sources of supervised tasks (立项) and the decomposition notices drafted from them
//! (分解): the draft's header, its tasks and sub-items with lead and cooperating units,
//! leader, deadline and progress kind, and issuing it (印发) with its 文号.
//!
//! What each input must be is `duban_domain::decomposition`'s rule; here the store
//! records what those checks accept: `registry` (sources), `drafts` (a draft document,
//! issuing, reading it back) and `tasks` (its task rows). A draft's tasks are stored
//! like an imported notice's (`tasks`, `task_units`, `subitems`, `subitem_units`), so
//! every listing, report and rendering treats both alike. Each write is one
//! transaction; the caller's `finish` commits or rolls it back.

mod drafts;
mod error;
mod registry;
mod tasks;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use duban_domain::{
    Document, DocumentStatus, DraftFields, IssueInput, PlannedTask, ProgressKind, Source,
    SourceKind, TaskInput,
};
use serde::Serialize;

use crate::codec::timestamp_text;
use crate::{DocumentId, StoreError, UserId, finish};

pub use error::DecomposeError;

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

fn now_text() -> String {
    timestamp_text(Utc::now())
}

fn status_from_code(code: &str) -> Result<DocumentStatus, StoreError> {
    DocumentStatus::from_code(code)
        .ok_or_else(|| StoreError::Corrupt(format!("未知的文件状态“{code}”")))
}

// The store's methods (here rather than in lib.rs, beside the SQL they run).

impl crate::Store {
    /// Registers a source (立项); its fields are trimmed and checked first.
    pub async fn create_source(
        &self,
        source: Source,
        by: UserId,
    ) -> Result<SourceId, DecomposeError> {
        let mut tx = self.db.write().await?;
        let result = registry::create_source(&mut tx, source, by).await;
        finish(tx, result).await
    }

    pub async fn update_source(&self, id: SourceId, source: Source) -> Result<(), DecomposeError> {
        let mut tx = self.db.write().await?;
        let result = registry::update_source(&mut tx, id, source).await;
        finish(tx, result).await
    }

    /// Sources, newest first, optionally of one kind.
    pub async fn sources(
        &self,
        kind: Option<SourceKind>,
    ) -> Result<Vec<SourceSummary>, StoreError> {
        let mut tx = self.db.read().await?;
        let list = registry::list_sources(&mut tx, kind).await?;
        tx.commit().await?;
        Ok(list)
    }

    /// A source with its documents.
    pub async fn source(&self, id: SourceId) -> Result<SourceDetail, DecomposeError> {
        let mut tx = self.db.read().await?;
        let detail = registry::source_detail(&mut tx, id).await?;
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
        let result = registry::set_document_source(&mut tx, document, source).await;
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
        let result = drafts::create_draft(&mut tx, source, issuer).await;
        finish(tx, result).await
    }

    /// A document as the decomposition editor shows it (any status).
    pub async fn decomposition(
        &self,
        document: DocumentId,
    ) -> Result<Decomposition, DecomposeError> {
        let mut tx = self.db.read().await?;
        let d = drafts::decomposition(&mut tx, document).await?;
        tx.commit().await?;
        Ok(d)
    }

    /// Every task's plan (progress kind) in the document, by task number.
    pub async fn task_plans(
        &self,
        document: DocumentId,
    ) -> Result<HashMap<u32, ProgressKind>, StoreError> {
        let mut tx = self.db.read().await?;
        let p = drafts::plans(&mut tx, document).await?;
        tx.commit().await?;
        Ok(p)
    }

    pub async fn update_decomposition(
        &self,
        document: DocumentId,
        fields: DraftFields,
    ) -> Result<(), DecomposeError> {
        let mut tx = self.db.write().await?;
        let result = drafts::update_draft(&mut tx, document, fields).await;
        finish(tx, result).await
    }

    /// Deletes a draft that was never issued.
    pub async fn delete_decomposition(&self, document: DocumentId) -> Result<(), DecomposeError> {
        let mut tx = self.db.write().await?;
        let result = drafts::delete_draft(&mut tx, document).await;
        finish(tx, result).await
    }

    /// Appends tasks to a draft, all or none; their new numbers.
    pub async fn add_decomposition_tasks(
        &self,
        document: DocumentId,
        tasks: &[TaskInput],
    ) -> Result<Vec<u32>, DecomposeError> {
        let mut tx = self.db.write().await?;
        let result = tasks::add_tasks(&mut tx, document, tasks).await;
        finish(tx, result).await
    }

    /// Rewrites a draft's task, whatever changed since it was read (last writer wins).
    pub async fn update_decomposition_task(
        &self,
        document: DocumentId,
        number: u32,
        task: &TaskInput,
    ) -> Result<(), DecomposeError> {
        self.update_decomposition_task_at_version(document, number, task, None)
            .await
    }

    /// Rewrites a draft's task if it still has version `seen`, the one the editor
    /// showed ([`duban_domain::PlannedTask::version`]); else nothing is written and the
    /// answer is [`DecomposeError::EditConflict`] with the task as saved now. `None`
    /// writes whatever the version.
    pub async fn update_decomposition_task_at_version(
        &self,
        document: DocumentId,
        number: u32,
        task: &TaskInput,
        seen: Option<i64>,
    ) -> Result<(), DecomposeError> {
        let mut tx = self.db.write().await?;
        let result = tasks::update_task(&mut tx, document, number, task, seen).await;
        finish(tx, result).await
    }

    /// Removes a draft's task; later tasks move up one number.
    pub async fn remove_decomposition_task(
        &self,
        document: DocumentId,
        number: u32,
    ) -> Result<(), DecomposeError> {
        let mut tx = self.db.write().await?;
        let result = tasks::remove_task(&mut tx, document, number).await;
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
        let result = tasks::move_task(&mut tx, document, number, to).await;
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
        let result = drafts::issue(&mut tx, document, input, by).await;
        finish(tx, result).await
    }
}
