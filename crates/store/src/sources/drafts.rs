//! A decomposition notice as a document row: drafting it from a source, its header,
//! deleting it, issuing it under a 文号, and reading it back with its tasks' plans.
//! The rules are `duban_domain::decomposition`'s; this records what they accept.

use std::collections::HashMap;

use duban_domain::decomposition::{
    CheckedFields, DEFAULT_RECIPIENTS, MAX_SHORT_CHARS, optional_text,
};
use duban_domain::{
    Disclosure, DocumentStatus, DraftFields, IssueInput, Milestone, PlannedTask, ProgressKind,
    Target,
};

use super::registry::source_row;
use super::{DRAFTED_HERE, DecomposeError, Decomposition, SourceId, now_text, status_from_code};
use crate::codec::{date_text, parse_date, parse_timestamp_opt, to_json, u32_from};
use crate::db::{Lock, Tx, execute, with_conn};
use crate::{DocumentId, StoreError, UserId, load};

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
    .bind(to_json("主送机关", &DEFAULT_RECIPIENTS)?)
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
    Ok(status_from_code(&status)?)
}

/// Refuses unless the document is a draft nobody has been assigned or reported on.
pub(super) async fn require_draft(tx: &mut Tx, document: DocumentId) -> Result<(), DecomposeError> {
    // The draft's tasks and numbers stay as read until the edit is written.
    tx.lock(Lock::Document(document.0)).await?;
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

pub(crate) async fn update_draft(
    tx: &mut Tx,
    document: DocumentId,
    fields: DraftFields,
) -> Result<(), DecomposeError> {
    require_draft(tx, document).await?;
    let CheckedFields {
        issuer,
        title,
        recipients,
        body,
        disclosure,
        attachment,
    } = fields.check()?;
    // The attachment's heading is both the 附件说明 and the table's own title.
    execute!(
        tx,
        sqlx::query(
            "UPDATE documents SET issuer = $1, title = $2, recipients_json = $3, body_json = $4, \
             disclosure = $5, signatory = $1, attachment = COALESCE($7, attachment), \
             table_title = COALESCE($7, table_title) WHERE id = $6",
        )
        .bind(&issuer)
        .bind(&title)
        .bind(to_json("主送机关", &recipients)?)
        .bind(to_json("正文", &body)?)
        .bind(disclosure.label())
        .bind(document.0)
        .bind(&attachment)
    )?;
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
        execute!(tx, sqlx::query(sql).bind(document.0))?;
    }
    Ok(())
}

pub(crate) async fn issue(
    tx: &mut Tx,
    document: DocumentId,
    input: &IssueInput,
    by: UserId,
) -> Result<(), DecomposeError> {
    // The 文号 stays free until it is written (taken before the document's lock, in
    // the order an import takes them).
    tx.lock(Lock::DocNumbers).await?;
    require_draft(tx, document).await?;
    let number = input.doc_number()?;
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
    let signatory = input.signatory(&content.document, content.tasks.len())?;
    execute!(tx, sqlx::query(
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
    .bind(document.0))?;
    Ok(())
}

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
    let status = status_from_code(&status)?;
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
    let versions: HashMap<i64, i64> = with_conn!(tx, c => sqlx::query_as::<_, (i64, i64)>(
        "SELECT number, version FROM tasks WHERE document_id = $1",
    )
    .bind(document.0)
    .fetch_all(c)
    .await)?
    .into_iter()
    .collect();
    let tasks = content
        .tasks
        .into_iter()
        .map(|task| {
            let plan = plans.remove(&task.number.0);
            let version = versions
                .get(&i64::from(task.number.0))
                .copied()
                .unwrap_or(0);
            PlannedTask {
                version,
                ..PlannedTask::new(task, plan)
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
