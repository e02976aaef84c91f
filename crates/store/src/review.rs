//! Types of the supervision workflow as the store sees them: accounts, sessions,
//! reporting rounds and the reports units write in them. The rules about who may do
//! what live in `duban_domain::workflow`; the store records what they allow.

use chrono::{DateTime, NaiveDate, Utc};
pub use duban_domain::LapseKind;
use duban_domain::{Percent, ReportAction, ReportState, RichText, Role, Username};
use serde::Serialize;

use crate::DocumentId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RoundId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ReportId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct AttachmentId(pub i64);

macro_rules! display_id {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}
display_id!(UserId, RoundId, ReportId, AttachmentId);

/// An account. Reporters and unit heads belong to one unit (its canonical name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    pub unit: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    /// Canonical name of a unit in the directory; required for reporters and unit heads.
    pub unit: Option<String>,
    /// An argon2id PHC string; the store never sees a password.
    pub password_hash: String,
    /// Whether the user must change the password at the next login (an administrator
    /// chose it).
    pub must_change_password: bool,
}

/// What login needs: the account and its password hash.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    /// The base32 secret of the account's TOTP second factor, if it has one.
    pub totp_secret: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewRound {
    pub document: DocumentId,
    /// The period reported on, e.g. `1-9月`.
    pub label: String,
    pub due: NaiveDate,
    /// 序号 of the tasks included; `None` means every task of the document.
    pub tasks: Option<Vec<u32>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundSummary {
    pub id: RoundId,
    pub document: DocumentId,
    pub doc_number: Option<String>,
    pub label: String,
    pub due: NaiveDate,
    pub opened_at: DateTime<Utc>,
    pub closed: bool,
    /// The round an imported notice is the output of (its reports are the notice's
    /// cells), not one the office opened.
    pub imported: bool,
    /// Reports expected: one per included task and lead unit.
    pub reports: i64,
    /// Of those, submitted at least once and not sent back (`ReportState::is_reported`).
    pub reported: i64,
    pub accepted: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportSummary {
    pub id: ReportId,
    pub round: RoundId,
    pub round_label: String,
    pub due: NaiveDate,
    pub document: DocumentId,
    pub doc_number: Option<String>,
    pub task: u32,
    /// The task's content, plain text.
    pub task_content: String,
    /// Canonical unit name.
    pub unit: String,
    pub state: ReportState,
    pub percent: Option<Percent>,
    pub updated_at: Option<DateTime<Utc>>,
    /// When it was last submitted (for "reported on time").
    pub submitted_at: Option<DateTime<Utc>>,
    /// Its round is closed: the report no longer changes.
    pub round_closed: bool,
    /// Counts every change to the report: an editor sends back the version it showed,
    /// and a save from an older one is refused ([`crate::StoreError::EditConflict`]).
    pub version: i64,
}

/// A report's unit, round and state without its text or history: what deciding who
/// may see or act on it needs ([`crate::Store::report_head`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportHead {
    pub id: ReportId,
    pub round: RoundId,
    /// Canonical unit name.
    pub unit: String,
    pub state: ReportState,
    pub round_closed: bool,
}

/// One step in a report's history: who did what, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportEvent {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub actor_role: Role,
    pub action: ReportAction,
    pub from: ReportState,
    pub to: ReportState,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportDetail {
    pub summary: ReportSummary,
    pub text: RichText,
    /// Oldest first.
    pub events: Vec<ReportEvent>,
    /// The same unit's report on the same task in the latest earlier round, for the
    /// "what changed since last round" view: (round label, text).
    pub previous: Option<(String, RichText)>,
}

/// A file attached to a report as evidence (佐证材料), without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentInfo {
    pub id: AttachmentId,
    pub report: ReportId,
    /// The sanitised name as uploaded.
    pub filename: String,
    /// The media type of the kind the content was recognised as.
    pub content_type: String,
    /// Bytes.
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Display name of who uploaded it.
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

/// A file to attach, already checked by the caller (`duban_domain::classify` and
/// `sanitize_filename`); the store checks only the size and the count again.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// A step on a report, with what the actor wrote.
#[derive(Debug, Clone)]
pub struct ReportChange {
    pub action: ReportAction,
    /// New text (save draft / submit); `None` keeps the current text.
    pub text: Option<RichText>,
    /// New 完成进度 (save draft / submit); `None` keeps the current one.
    pub percent: Option<Percent>,
    /// Reason, required when sending back or returning.
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub round: Option<RoundId>,
    pub document: Option<DocumentId>,
    pub task: Option<u32>,
    /// Canonical unit name.
    pub unit: Option<String>,
    pub state: Option<ReportState>,
    /// Only rounds not yet closed.
    pub open_rounds_only: bool,
}

/// A task 交办 to one of its lead units, and whether and when the unit 签收.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub document: DocumentId,
    pub doc_number: Option<String>,
    pub task: u32,
    pub task_content: String,
    /// Canonical unit name.
    pub unit: String,
    pub assigned_at: DateTime<Utc>,
    /// The unit should acknowledge by the end of this day (China time).
    pub ack_due: NaiveDate,
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Display name of who acknowledged.
    pub acknowledged_by: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AssignmentFilter {
    pub document: Option<DocumentId>,
    /// Canonical unit name (an alias also works).
    pub unit: Option<String>,
    /// Only those not yet acknowledged.
    pub pending_only: bool,
}

/// One step in a task's life: 申请办结, 办结销号, 退回, 重新开启.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskEvent {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub actor_role: Role,
    pub action: duban_domain::TaskAction,
    pub from: duban_domain::TaskState,
    pub to: duban_domain::TaskState,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskStatus {
    pub state: duban_domain::TaskState,
    /// Oldest first.
    pub events: Vec<TaskEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lapse {
    pub kind: LapseKind,
    pub unit: String,
    pub document: DocumentId,
    pub doc_number: Option<String>,
    pub task: u32,
    /// The deadline that was missed.
    pub due: NaiveDate,
    /// When it was done, if late rather than missing.
    pub done_at: Option<DateTime<Utc>>,
    /// For report lapses: the round's label.
    pub round_label: Option<String>,
}
