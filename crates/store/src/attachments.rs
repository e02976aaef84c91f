//! 佐证材料: files attached to a report, stored with it (bytes in the database).
//!
//! Who may add or remove one is the rule for editing the report's text:
//! `duban_domain::next_state(state, ReportAction::SaveDraft, …)` must allow the step
//! (the unit's own reporter, while the report is not started, a draft or sent back),
//! and the round must be open. The store asks it inside the transaction that writes.
//! Which files are accepted is `duban_domain::evidence`'s rule: the caller classifies
//! the file; the store checks the size and the count per report again.
//!
//! Adding and removing are not entries in `report_events` (they are not workflow
//! steps: the report's state does not change); the row keeps who uploaded it and
//! when, and a removed file is gone with its row.

use chrono::{DateTime, Utc};
use duban_domain::{ReportAction, WorkflowError, check_count, check_size, next_state};
use sha2::{Digest, Sha256};

use crate::accounts;
use crate::codec::{parse_timestamp, state_from_code, timestamp_text};
use crate::db::{Tx, execute, locking, with_conn};
use crate::{
    AttachmentId, AttachmentInfo, NewAttachment, ReportId, Store, StoreError, User, finish,
};

const UPLOAD: &str = "上传佐证材料";
const REMOVE: &str = "删除佐证材料";

/// The columns [`InfoRow`] reads; `FROM report_attachments a JOIN users u ON u.id = a.uploaded_by`.
const INFO_COLUMNS: &str = "a.id, a.report_id, a.filename, a.content_type, a.size, a.sha256, \
                            u.display_name AS uploaded_by, a.uploaded_at";

#[derive(sqlx::FromRow)]
struct InfoRow {
    id: i64,
    report_id: i64,
    filename: String,
    content_type: String,
    size: i64,
    sha256: String,
    uploaded_by: String,
    uploaded_at: String,
}

impl InfoRow {
    fn into_info(self) -> Result<AttachmentInfo, StoreError> {
        Ok(AttachmentInfo {
            id: AttachmentId(self.id),
            report: ReportId(self.report_id),
            filename: self.filename,
            content_type: self.content_type,
            size: u64::try_from(self.size)
                .map_err(|_| StoreError::Corrupt(format!("文件大小“{}”超出范围", self.size)))?,
            sha256: self.sha256,
            uploaded_by: self.uploaded_by,
            uploaded_at: parse_timestamp("上传时间", &self.uploaded_at)?,
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn info(tx: &mut Tx, id: AttachmentId) -> Result<Option<AttachmentInfo>, StoreError> {
    let row: Option<InfoRow> = with_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {INFO_COLUMNS} FROM report_attachments a JOIN users u ON u.id = a.uploaded_by \
         WHERE a.id = $1"
    )))
    .bind(id.0)
    .fetch_optional(c)
    .await)?;
    row.map(InfoRow::into_info).transpose()
}

async fn list(tx: &mut Tx, report: ReportId) -> Result<Vec<AttachmentInfo>, StoreError> {
    let rows: Vec<InfoRow> = with_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {INFO_COLUMNS} FROM report_attachments a JOIN users u ON u.id = a.uploaded_by \
         WHERE a.report_id = $1 ORDER BY a.id"
    )))
    .bind(report.0)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(InfoRow::into_info).collect()
}

/// Whether `actor` (as stored now) may change the files of `report`: the rule for
/// saving a draft of it. Who comes first (role, unit), then the round, then the state.
async fn check_editable(
    tx: &mut Tx,
    report: ReportId,
    actor: &User,
    action: &'static str,
) -> Result<User, StoreError> {
    // The report stays as read (its state, its files), and its round open, until the
    // change is written: two uploads cannot both see room for one more file.
    let select = locking!(
        tx,
        "SELECT p.state, u.name, r.closed_at FROM reports p \
         JOIN rounds r ON r.id = p.round_id \
         JOIN units u ON u.id = p.unit_id \
         WHERE p.id = $1",
        "FOR UPDATE OF p FOR SHARE OF r"
    );
    let row: Option<(String, String, Option<String>)> = with_conn!(tx, c => sqlx::query_as(select)
    .bind(report.0)
    .fetch_optional(c)
    .await)?;
    let (state, unit, closed_at) = row.ok_or(StoreError::ReportNotFound(report))?;
    let actor = accounts::user(tx, actor.id)
        .await?
        .ok_or(StoreError::UserNotFound(actor.id))?;
    let state = state_from_code(&state)?;
    let same_unit = actor.unit.as_deref() == Some(unit.as_str());
    match next_state(state, ReportAction::SaveDraft, actor.role, same_unit, None) {
        Ok(_) if closed_at.is_some() => Err(WorkflowError::RoundClosed.into()),
        Ok(_) => Ok(actor),
        Err(WorkflowError::RoleNotAllowed { role, .. }) => {
            Err(WorkflowError::RoleNotAllowed { role, action }.into())
        }
        Err(WorkflowError::OtherUnit) => Err(WorkflowError::OtherUnit.into()),
        Err(_) if closed_at.is_some() => Err(WorkflowError::RoundClosed.into()),
        Err(_) => Err(StoreError::AttachmentsLocked {
            state: state.label(),
            action,
        }),
    }
}

async fn add(
    tx: &mut Tx,
    report: ReportId,
    actor: &User,
    new: NewAttachment,
    now: DateTime<Utc>,
) -> Result<AttachmentInfo, StoreError> {
    let actor = check_editable(tx, report, actor, UPLOAD).await?;
    check_size(&new.filename, new.data.len())?;
    let existing = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM report_attachments WHERE report_id = $1",
    )
    .bind(report.0)
    .fetch_one(c)
    .await)?;
    check_count(usize::try_from(existing).unwrap_or(usize::MAX))?;
    let size = i64::try_from(new.data.len())
        .map_err(|_| StoreError::Corrupt("文件大小超出范围".into()))?;
    let sha256 = hex(&Sha256::digest(&new.data));
    let id = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO report_attachments (report_id, filename, content_type, size, sha256, data, \
             uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(report.0)
    .bind(&new.filename)
    .bind(&new.content_type)
    .bind(size)
    .bind(&sha256)
    .bind(&new.data)
    .bind(actor.id.0)
    .bind(timestamp_text(now))
    .fetch_one(c)
    .await)?;
    info(tx, AttachmentId(id))
        .await?
        .ok_or(StoreError::AttachmentNotFound(AttachmentId(id)))
}

async fn remove(tx: &mut Tx, id: AttachmentId, actor: &User) -> Result<(), StoreError> {
    let report = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "SELECT report_id FROM report_attachments WHERE id = $1",
    )
    .bind(id.0)
    .fetch_optional(c)
    .await)?
    .ok_or(StoreError::AttachmentNotFound(id))?;
    check_editable(tx, ReportId(report), actor, REMOVE).await?;
    execute!(
        tx,
        sqlx::query("DELETE FROM report_attachments WHERE id = $1").bind(id.0)
    )?;
    Ok(())
}

impl Store {
    /// Attaches a file to a report, in one transaction. Only a reporter of the report's
    /// unit (as stored now; only `actor.id` is taken from the argument) may, while the
    /// report is editable (未填报, 草稿 or 已退回) and its round open: otherwise
    /// [`StoreError::Workflow`] (`RoleNotAllowed`, `OtherUnit`, `RoundClosed`) or
    /// [`StoreError::AttachmentsLocked`]. An empty or oversized file, or an eleventh
    /// one, is [`StoreError::Evidence`]. Unknown report → [`StoreError::ReportNotFound`].
    pub async fn add_attachment(
        &self,
        report: ReportId,
        actor: &User,
        new: NewAttachment,
        now: DateTime<Utc>,
    ) -> Result<AttachmentInfo, StoreError> {
        let mut tx = self.db.write().await?;
        let result = add(&mut tx, report, actor, new, now).await;
        finish(tx, result).await
    }

    /// The report's files in upload order, without their bytes.
    pub async fn attachments(&self, report: ReportId) -> Result<Vec<AttachmentInfo>, StoreError> {
        let mut tx = self.db.read().await?;
        let found = list(&mut tx, report).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// One file's description, without its bytes.
    pub async fn attachment_info(
        &self,
        id: AttachmentId,
    ) -> Result<Option<AttachmentInfo>, StoreError> {
        let mut tx = self.db.read().await?;
        let found = info(&mut tx, id).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// One file with its bytes.
    pub async fn attachment(
        &self,
        id: AttachmentId,
    ) -> Result<Option<(AttachmentInfo, Vec<u8>)>, StoreError> {
        let mut tx = self.db.read().await?;
        let Some(found) = info(&mut tx, id).await? else {
            tx.commit().await?;
            return Ok(None);
        };
        let data = with_conn!(&mut tx, c => sqlx::query_scalar::<_, Vec<u8>>(
            "SELECT data FROM report_attachments WHERE id = $1",
        )
        .bind(id.0)
        .fetch_one(c)
        .await)?;
        tx.commit().await?;
        Ok(Some((found, data)))
    }

    /// Removes a file, under the same rule as adding one ([`Store::add_attachment`]).
    /// Unknown file → [`StoreError::AttachmentNotFound`]. `now` is unused: a removal
    /// leaves no record (see the module's note); it is taken for symmetry with the
    /// other steps, so that recording it later does not change the signature.
    pub async fn remove_attachment(
        &self,
        id: AttachmentId,
        actor: &User,
        _now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let result = remove(&mut tx, id, actor).await;
        finish(tx, result).await
    }
}
