//! Why a source or decomposition write was refused.

use duban_domain::{DecompositionError, DocumentStatus, PlannedTask, SourceError};

use super::SourceId;
use crate::{DocumentId, StoreError};

/// A write refused by a decomposition rule (`Rule`, which names the form field to
/// correct) or by what is stored: what is missing, a document no longer a draft, a
/// 文号 already used. [`DecomposeError::field`] names the field, when there is one.
#[derive(Debug, thiserror::Error)]
pub enum DecomposeError {
    #[error(transparent)]
    Rule(#[from] DecompositionError),
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
    #[error("文号“{doc_number}”已被文件 {existing} 使用，请核对发文字号的序号")]
    DocNumberTaken {
        doc_number: String,
        existing: DocumentId,
    },
    #[error("文件 {document} 的任务已交办或已开展填报，不能再在任务分解中修改")]
    InUse { document: DocumentId },
    /// The task was changed (or another task moved to its number) after the editor
    /// showed it: nothing was written. `saved` is the task as saved now (version
    /// `version`), to be shown beside what the user typed.
    #[error(
        "保存冲突：您打开第 {number} 项任务后，其他人已修改了这项任务或调整了任务顺序\
         （现为第 {version} 版），您这次的修改未保存。请对照“当前已保存的内容”和您填写的内容，\
         合并后再保存"
    )]
    EditConflict {
        document: DocumentId,
        number: u32,
        version: i64,
        saved: Box<PlannedTask>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for DecomposeError {
    fn from(e: sqlx::Error) -> Self {
        DecomposeError::Store(StoreError::Database(e))
    }
}

impl From<SourceError> for DecomposeError {
    fn from(e: SourceError) -> Self {
        DecomposeError::Rule(e.into())
    }
}

impl DecomposeError {
    /// The form field to correct: `title`, `lead_units`, `doc_number`, `target` …
    pub fn field(&self) -> Option<&'static str> {
        match self {
            DecomposeError::Rule(e) => Some(e.field()),
            DecomposeError::DocNumberTaken { .. } => Some("doc_number"),
            _ => None,
        }
    }
}
