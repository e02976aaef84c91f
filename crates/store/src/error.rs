use chrono::{DateTime, Utc};
use duban_domain::{AccountError, EvidenceError, Percent, RichText, WorkflowError};

use crate::codec::china_time_text;
use crate::{AttachmentId, DocumentId, ReportId, RoundId, UserId};

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
    /// The PostgreSQL server could not be reached or refused the login; the cause is
    /// the error's source. `url` is shown without its password.
    #[error(
        "无法连接数据库“{url}”：请检查主机、端口、用户名、密码和数据库名是否正确，\
         以及数据库服务是否已启动"
    )]
    Connect { url: String, source: sqlx::Error },
    /// A copy's target holds data already (`Store::copy_into` writes only into an
    /// empty database).
    #[error(
        "目标数据库不是空的（表 {table} 已有 {rows} 行）。为免覆盖或混入已有数据，\
         只能复制到新建的空数据库，请新建一个数据库后重试"
    )]
    TargetNotEmpty { table: String, rows: i64 },
    /// A copy's check found a difference (or a table it cannot copy); nothing was kept.
    #[error("复制未完成，目标数据库未写入任何内容：表 {table}：{detail}")]
    CopyMismatch { table: String, detail: String },
    /// Bringing the schema up to date failed.
    #[error("数据库结构升级失败：{0}")]
    Migrate(sqlx::migrate::MigrateError),
    #[error("{}", explain(.0))]
    Database(sqlx::Error),
    /// Stored data that does not decode (bad JSON, unknown label, out-of-range number).
    #[error("数据库中的数据已损坏：{0}")]
    Corrupt(String),
    /// No document with this id.
    #[error("找不到编号为 {0} 的文件")]
    NotFound(DocumentId),
    /// A decomposition notice still being drafted: no rounds, assignments or schedules
    /// until it is issued.
    #[error("编号为 {0} 的文件是尚未印发的责任分解草稿，请先印发再交办或开启填报")]
    NotIssued(DocumentId),
    /// Replacing the notice would orphan the reports units wrote on its tasks.
    #[error(
        "文件 {document} 已开展 {rounds} 轮填报，覆盖导入会使各单位的填报记录失去对应的任务，\
         因此不能覆盖。如需更正通报内容，请以新的文号导入。"
    )]
    ReportingStarted { document: DocumentId, rounds: i64 },

    /// An account with this username exists already.
    #[error("用户名“{0}”已被使用，请换一个用户名")]
    UsernameTaken(String),
    /// A unit name that is neither a unit nor an alias in the directory.
    #[error(
        "单位“{0}”不在单位名录中：请检查名称是否写错（可用 duban units 查看名录），\
         或先导入列有该单位的通报"
    )]
    UnknownUnit(String),
    /// The round's notice was issued; it no longer changes.
    #[error("本轮通报已印发（文件编号 {document}），不能再修改或重复印发")]
    NoticeIssued {
        round: RoundId,
        document: DocumentId,
    },
    /// Issuing needs the office's 文号 series.
    #[error(
        "尚未设置发文机关和发文字号：请管理员或督查室先在“通报设置”中填写（如 泉鲤政办、2020 年、下一个序号 49）"
    )]
    NoticeSetupMissing,
    /// A unit name a unit cell would not read back as one unit (a space, a separator).
    #[error("{0}")]
    UnitName(#[from] duban_domain::UnitNameError),
    /// The account's data breaks an account rule (e.g. a reporter without a unit).
    #[error("{0}")]
    Account(AccountError),
    /// Office and leader accounts act for no unit; one was given anyway.
    #[error("{role}账号不属于任何单位，请去掉所填的单位“{unit}”后重试")]
    UnitNotAllowed { role: &'static str, unit: String },
    #[error("找不到编号为 {0} 的账号，可能已被删除，请刷新后重试")]
    UserNotFound(UserId),
    /// A role change the separation of the three administrators refuses.
    #[error(transparent)]
    Role(#[from] duban_domain::RoleError),

    /// A reporting round needs its period.
    #[error("请填写本轮填报的期间，例如“1-9月”")]
    RoundLabelRequired,
    /// Task numbers the document does not have.
    #[error("文件 {document} 中没有序号为 {} 的任务，请核对所选任务", list(.numbers))]
    UnknownTasks {
        document: DocumentId,
        numbers: Vec<u32>,
    },
    /// The round would contain no report: no task chosen, or none with a lead unit.
    #[error("所选任务中没有需要填报的牵头单位，请至少选择一项有牵头单位的任务（文件 {0}）")]
    NothingToReport(DocumentId),
    #[error("找不到编号为 {0} 的填报轮次，可能已被删除，请刷新后重试")]
    RoundNotFound(RoundId),
    #[error("找不到编号为 {0} 的填报，可能已被删除，请刷新后重试")]
    ReportNotFound(ReportId),
    /// The workflow's rules refuse the step; the message is the rule's.
    #[error("{0}")]
    Workflow(WorkflowError),
    /// The report changed between reading it and writing it.
    #[error("该填报已被他人更新，请刷新后重试")]
    Stale,
    /// The report was saved or moved on after the editor showed it (version `version`
    /// now): nothing was written. `saved_text` is what is saved now, to be shown beside
    /// what the user typed.
    #[error(
        "保存冲突：您打开这份填报后，其他人已修改或处理了它（现为第 {version} 版），\
         您这次的修改未保存。请对照“当前已保存的内容”和您填写的内容，合并后再保存"
    )]
    EditConflict {
        report: ReportId,
        version: i64,
        saved_text: RichText,
        saved_percent: Option<Percent>,
    },

    /// The document has no task with this 序号.
    #[error("文件 {document} 中没有第 {task} 项任务，可能序号有误或文件已重新导入，请刷新后重试")]
    TaskNotFound { document: DocumentId, task: u32 },
    /// The actor's unit was not assigned the task (it does not lead it, or the office
    /// has not assigned the document yet), so there is nothing for it to acknowledge.
    #[error(
        "第 {task} 项任务尚未交办给{unit}，无需签收。如认为该任务应由本单位牵头办理，\
         请联系督查室交办"
    )]
    NotAssigned {
        document: DocumentId,
        task: u32,
        unit: String,
    },
    /// The unit acknowledged the task already; the first acknowledgement stands.
    #[error(
        "{unit}已于 {} 签收第 {task} 项任务（签收人：{by}），无需重复签收",
        china_time_text(.at)
    )]
    AlreadyAcknowledged {
        document: DocumentId,
        task: u32,
        unit: String,
        at: DateTime<Utc>,
        /// Display name of who acknowledged.
        by: String,
    },
    /// The task's assignment or state changed between reading it and writing it.
    #[error("第 {task} 项任务已被他人更新（签收或办理状态有变化），请刷新后重试")]
    TaskStale { document: DocumentId, task: u32 },
    /// Replacing the notice would orphan its assignments, acknowledgements and the
    /// history of its tasks' closure.
    #[error(
        "文件 {document} 的任务已交办或已有办结记录，覆盖导入会使签收和办结记录失去对应的任务，\
         因此不能覆盖。如需更正通报内容，请以新的文号导入。"
    )]
    TasksAssigned { document: DocumentId },

    #[error("找不到编号为 {0} 的佐证材料，可能已被删除，请刷新后重试")]
    AttachmentNotFound(AttachmentId),
    /// The file breaks an evidence rule (size, count); the message is the rule's.
    #[error("{0}")]
    Evidence(EvidenceError),
    /// The report is no longer editable (submitted, under review or accepted), so its
    /// files cannot change either.
    #[error(
        "填报当前状态为“{state}”，佐证材料已随填报报送，不能再{action}。\
         如需修改，请联系单位负责人或督查室退回后再操作"
    )]
    AttachmentsLocked {
        state: &'static str,
        action: &'static str,
    },
    /// A ladder or escalation step the office may not set.
    #[error(transparent)]
    Ladder(duban_domain::escalation::LadderError),
    /// A 领导批示 that may not be recorded (or not on this task as it stands).
    #[error(transparent)]
    Instruction(#[from] duban_domain::instruction::InstructionError),
    /// The audit log's retention job was asked to remove entries not yet due.
    #[error(transparent)]
    Retention(#[from] duban_domain::audit::RetentionError),
    /// A restore's source is not a duban backup (or of an unknown shape).
    #[error("“{path}”不是 duban 的备份文件：{reason}")]
    NotABackup { path: String, reason: String },
}

fn list(numbers: &[u32]) -> String {
    numbers
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("、")
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

impl From<WorkflowError> for StoreError {
    fn from(e: WorkflowError) -> Self {
        StoreError::Workflow(e)
    }
}

impl From<EvidenceError> for StoreError {
    fn from(e: EvidenceError) -> Self {
        StoreError::Evidence(e)
    }
}

impl From<AccountError> for StoreError {
    fn from(e: AccountError) -> Self {
        StoreError::Account(e)
    }
}

/// A database failure as the office should read it: what happened in Chinese (a full
/// disk, a read-only database, a disk error, the server unreachable …), that nothing
/// of the operation was saved where that is so, what to do, and the database's own
/// words after it for the operator.
pub fn explain(e: &sqlx::Error) -> String {
    const NOT_SAVED: &str = "本次操作未保存任何内容";
    let cause = match e {
        sqlx::Error::Database(d) => {
            let code = d.code().map(|c| c.into_owned()).unwrap_or_default();
            // SQLite's (extended) result codes: the primary code is the low byte.
            let sqlite = code.parse::<i64>().ok().map(|n| n % 256);
            match (sqlite, code.as_str()) {
                (Some(13), _) | (_, "53100") => Some(format!(
                    "数据库所在磁盘空间已满，{NOT_SAVED}。请清理磁盘空间或扩容后重试"
                )),
                (Some(8), _) | (_, "25006") => Some(format!(
                    "数据库当前为只读，{NOT_SAVED}。请检查数据库文件及所在目录的写权限、文件系统是否以只读方式挂载"
                )),
                (Some(10), _) => Some(format!(
                    "读写数据库文件时磁盘出错，{NOT_SAVED}。请检查磁盘和文件系统"
                )),
                (Some(11 | 26), _) => Some(
                    "数据库文件已损坏或不是 duban 的数据库。请停止服务，用 duban backup 生成的备份恢复".to_string(),
                ),
                (Some(5 | 6), _) => Some(format!(
                    "数据库正忙（其他进程长时间占用写锁），{NOT_SAVED}。请稍后重试"
                )),
                (_, c) if c.starts_with("53") => Some(format!(
                    "数据库服务器资源不足，{NOT_SAVED}。请联系管理员检查数据库服务器"
                )),
                (_, c) if c.starts_with("08") || c.starts_with("57P") => Some(format!(
                    "与数据库服务器的连接中断，{NOT_SAVED}。请稍后重试"
                )),
                _ => None,
            }
        }
        sqlx::Error::Io(io) => Some(match io.kind() {
            std::io::ErrorKind::StorageFull => {
                format!("数据库所在磁盘空间已满，{NOT_SAVED}。请清理磁盘空间或扩容后重试")
            }
            std::io::ErrorKind::ReadOnlyFilesystem => {
                format!("数据库所在文件系统为只读，{NOT_SAVED}。请检查挂载方式")
            }
            // The writer's own account of a batch that did not commit, already explained.
            std::io::ErrorKind::Other => return io.to_string(),
            _ => format!("读写数据库时出错，{NOT_SAVED}。请检查磁盘或数据库服务器"),
        }),
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
            Some(format!("暂时无法取得数据库连接，{NOT_SAVED}。请稍后重试"))
        }
        _ => None,
    };
    match cause {
        Some(cause) => format!("{cause}（数据库报告：{e}）"),
        None => format!("数据库错误：{e}"),
    }
}
