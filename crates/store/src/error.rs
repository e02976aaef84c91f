use crate::DocumentId;

/// Why the store could not do what was asked. Messages are for the office's staff.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A notice with this 文号 is stored already, with other content.
    #[error(
        "文号“{doc_number}”已存在（文件编号 {existing}），但内容与本次导入的不同。\
         如需用本次内容覆盖，请加 --replace 重新导入；如是文号写错，请更正文号后再导入。"
    )]
    Conflict {
        doc_number: String,
        existing: DocumentId,
    },
    /// A database URL this version cannot use.
    #[error("不支持的数据库地址“{url}”：{reason}")]
    Unsupported { url: String, reason: String },
    /// The database could not be opened; the cause is the error's source.
    #[error("无法打开数据库“{url}”：请检查路径所在的文件夹是否存在、是否有读写权限")]
    Open { url: String, source: sqlx::Error },
    /// Bringing the schema up to date failed.
    #[error("数据库结构升级失败：{0}")]
    Migrate(sqlx::migrate::MigrateError),
    #[error("数据库错误：{0}")]
    Database(sqlx::Error),
    /// Stored data that does not decode (bad JSON, unknown label, out-of-range number).
    #[error("数据库中的数据已损坏：{0}")]
    Corrupt(String),
    /// No document with this id.
    #[error("找不到编号为 {0} 的文件")]
    NotFound(DocumentId),
}

// Written out rather than `#[from]`, so the detail is in the message once and not
// repeated as the error's source.
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Database(e)
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migrate(e)
    }
}
