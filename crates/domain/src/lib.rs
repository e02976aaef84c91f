//! The supervision domain: documents, tasks, sub-items, units and the rules for reading
//! them as people write them. Pure: no IO, no async, no SQL.
//!
//! Everything a user sees is Simplified Chinese, so error messages here are Chinese too.

pub mod analysis;
mod assemble;
pub mod audit;
mod date;
pub mod decomposition;
mod doc_number;
mod document;
pub mod escalation;
mod evidence;
pub mod instruction;
pub mod limits;
pub mod login;
pub mod plan;
pub mod reminder;
mod report;
mod rich_text;
pub mod round_notice;
pub mod schedule;
pub mod security;
pub mod selection;
pub mod sheet;
pub mod source;
mod subitem;
mod task;
mod unit;
mod unit_cell;
pub mod warning;
mod workflow;

pub use assemble::{
    FIELD_COOPERATING_UNITS, FIELD_LEAD_UNITS, FIELD_PROGRESS, TaskDraft, progress_labels,
};
pub use date::{CHINA, DateError, china_date, chinese_date_text, parse_chinese_date};
pub use decomposition::{
    DecompositionError, DocumentStatus, DraftFields, IssueInput, PlannedTask, SubItemInput,
    TaskInput,
};
pub use doc_number::{DocNumber, DocNumberError};
pub use document::{Disclosure, DocReference, Document, Notice, SignatureLayout, is_public};
pub use evidence::{
    ACCEPTED_EXTENSIONS, EvidenceError, EvidenceKind, MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS_PER_REPORT, MAX_FILENAME_CHARS, check_count, check_size, classify,
    confirm_zip_parts, megabytes, sanitize_filename,
};
pub use plan::{Amount, Milestone, PlanError, ProgressKind, Target};
pub use report::{Percent, PercentError, ReportContent};
pub use rich_text::{Paragraph, RichText, Run};
pub use source::{Source, SourceError, SourceKind};
pub use subitem::{SubItemLabel, SubItemSplit, has_subitem_marker, split_subitems};
pub use task::{ExtraField, SubItem, Task, TaskNumber, UnitAssignment};
pub use unit::{
    MAX_UNIT_NAME_CHARS, Resolution, Unit, UnitDirectory, UnitFlag, UnitId, UnitKind,
    UnitNameError, check_unit_name,
};
pub use unit_cell::{UnitCell, WrittenUnit, parse_unit_cell};
pub use workflow::{
    AccountError, LapseKind, ReportAction, ReportState, Role, RoleError, TaskAction, TaskState,
    Username, WorkflowError, check_account_role, check_role_change, next_state, next_task_state,
};
