//! Listings across documents: documents, tasks by unit, the unit directory with counts.

use std::collections::HashMap;

use duban_domain::DocNumber;

use crate::codec::{COOPERATING, LEAD, disclosure_from_label, parse_date, u32_from};
use crate::db::{Tx, with_conn};
use crate::load;
use crate::{DocumentId, DocumentSummary, StoreError, TaskSummary, UnitFlagListing, UnitListing};

pub(crate) async fn find_document(
    tx: &mut Tx,
    key: &str,
) -> Result<Option<DocumentId>, StoreError> {
    let key = key.trim();
    let id = if !key.is_empty() && key.chars().all(|c| c.is_ascii_digit()) {
        let Ok(id) = key.parse::<i64>() else {
            return Ok(None);
        };
        with_conn!(tx, c => sqlx::query_scalar::<_, i64>("SELECT id FROM documents WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await)?
    } else {
        let Ok(number) = DocNumber::parse(key) else {
            return Ok(None);
        };
        with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
            "SELECT id FROM documents WHERE doc_number = $1",
        )
        .bind(number.to_string())
        .fetch_optional(c)
        .await)?
    };
    Ok(id.map(DocumentId))
}

/// Checks that `document` exists and is not a draft: rounds, assignments and
/// schedules are only for notices that have been issued (or imported).
pub(crate) async fn issued_document(tx: &mut Tx, document: DocumentId) -> Result<(), StoreError> {
    let status = with_conn!(tx, c => sqlx::query_scalar::<_, String>(
        "SELECT status FROM documents WHERE id = $1",
    )
    .bind(document.0)
    .fetch_optional(c)
    .await)?;
    match status.as_deref() {
        None => Err(StoreError::NotFound(document)),
        Some("draft") => Err(StoreError::NotIssued(document)),
        Some(_) => Ok(()),
    }
}

pub(crate) async fn task_count(
    tx: &mut Tx,
    document: DocumentId,
) -> Result<Option<u32>, StoreError> {
    let row: Option<(Option<i64>,)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT (SELECT MAX(number) FROM tasks WHERE document_id = d.id) \
         FROM documents d WHERE d.id = $1",
    )
    .bind(document.0)
    .fetch_optional(c)
    .await)?;
    row.map(|(max,)| u32_from("任务序号", max.unwrap_or(0)))
        .transpose()
}

/// Every document but drafts (those are listed with their source), in id order.
pub(crate) async fn list_documents(tx: &mut Tx) -> Result<Vec<DocumentSummary>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        doc_number: Option<String>,
        title: Option<String>,
        date: Option<String>,
        disclosure: Option<String>,
        tasks: i64,
    }
    let rows: Vec<Row> = with_conn!(tx, c => sqlx::query_as(
        "SELECT d.id, d.doc_number, d.title, d.date, d.disclosure, \
                (SELECT COUNT(*) FROM tasks t WHERE t.document_id = d.id) AS tasks \
         FROM documents d WHERE d.status <> 'draft' ORDER BY d.id",
    )
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|row| {
            Ok(DocumentSummary {
                id: DocumentId(row.id),
                doc_number: row.doc_number,
                title: row.title,
                date: parse_date("成文日期", row.date.as_deref())?,
                disclosure: row
                    .disclosure
                    .as_deref()
                    .map(disclosure_from_label)
                    .transpose()?,
                tasks: row.tasks,
            })
        })
        .collect()
}

/// The id of the unit called `name`, or that has `name` as an alias.
pub(crate) async fn unit_named(tx: &mut Tx, name: &str) -> Result<Option<i64>, StoreError> {
    let by_name = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "SELECT id FROM units WHERE name = $1",
    )
    .bind(name)
    .fetch_optional(c)
    .await)?;
    if by_name.is_some() {
        return Ok(by_name);
    }
    let by_alias = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "SELECT unit_id FROM unit_aliases WHERE alias = $1",
    )
    .bind(name)
    .fetch_optional(c)
    .await)?;
    Ok(by_alias)
}

pub(crate) async fn tasks(
    tx: &mut Tx,
    document: Option<DocumentId>,
    unit: Option<&str>,
) -> Result<Vec<TaskSummary>, StoreError> {
    let document = document.map(|d| d.0);
    let unit_id = match unit {
        Some(name) => match unit_named(tx, name.trim()).await? {
            Some(id) => Some(id),
            None => return Ok(Vec::new()),
        },
        None => None,
    };
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        document_id: i64,
        doc_number: Option<String>,
        number: i64,
        content_text: String,
    }
    // The WHERE is written out for the filters present: `($n IS NULL OR col = $n)`
    // keeps SQLite from using the indexes.
    let rows: Vec<Row> = with_conn!(tx, c => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT t.id, t.document_id, d.doc_number, t.number, t.content_text \
             FROM tasks t JOIN documents d ON d.id = t.document_id WHERE 1 = 1",
        );
        if let Some(document) = document {
            q.push(" AND t.document_id = ").push_bind(document);
        }
        if let Some(unit) = unit_id {
            q.push(" AND t.id IN (SELECT tu.task_id FROM task_units tu WHERE tu.unit_id = ")
                .push_bind(unit)
                .push(" UNION SELECT su.task_id FROM subitem_units su WHERE su.unit_id = ")
                .push_bind(unit)
                .push(")");
        }
        q.push(" ORDER BY t.document_id, t.number");
        q.build_query_as().fetch_all(c).await
    })?;

    let unit_rows: Vec<(i64, String, String)> = match document {
        Some(document) => with_conn!(tx, c => sqlx::query_as(
            "SELECT tu.task_id, tu.relation, u.name \
             FROM task_units tu \
             JOIN units u ON u.id = tu.unit_id \
             JOIN tasks t ON t.id = tu.task_id \
             WHERE t.document_id = $1 \
             ORDER BY tu.task_id, tu.relation, tu.position",
        )
        .bind(document)
        .fetch_all(c)
        .await)?,
        None => with_conn!(tx, c => sqlx::query_as(
            "SELECT tu.task_id, tu.relation, u.name \
             FROM task_units tu \
             JOIN units u ON u.id = tu.unit_id \
             ORDER BY tu.task_id, tu.relation, tu.position",
        )
        .fetch_all(c)
        .await)?,
    };
    let mut units: HashMap<i64, (Vec<String>, Vec<String>)> = HashMap::new();
    for (task_id, relation, name) in unit_rows {
        let entry = units.entry(task_id).or_default();
        match relation.as_str() {
            LEAD => entry.0.push(name),
            COOPERATING => entry.1.push(name),
            other => return Err(StoreError::Corrupt(format!("未知的单位关系“{other}”"))),
        }
    }

    rows.into_iter()
        .map(|row| {
            let (lead_units, cooperating_units) = units.remove(&row.id).unwrap_or_default();
            Ok(TaskSummary {
                document: DocumentId(row.document_id),
                doc_number: row.doc_number,
                number: u32_from("任务序号", row.number)?,
                content: row.content_text,
                lead_units,
                cooperating_units,
            })
        })
        .collect()
}

pub(crate) async fn units(tx: &mut Tx) -> Result<Vec<UnitListing>, StoreError> {
    let directory = load::directory(tx).await?;
    let counts: Vec<(i64, i64)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT unit_id, COUNT(DISTINCT task_id) FROM task_units \
         WHERE relation = 'lead' GROUP BY unit_id",
    )
    .fetch_all(c)
    .await)?;
    let counts: HashMap<i64, i64> = counts.into_iter().collect();

    #[derive(sqlx::FromRow)]
    struct FlagRow {
        probable: String,
        doc_number: Option<String>,
        document_id: i64,
        task_number: i64,
        field: String,
        written: String,
    }
    let flag_rows: Vec<FlagRow> = with_conn!(tx, c => sqlx::query_as(
            "SELECT f.probable, d.doc_number, f.document_id, f.task_number, f.field, f.written \
             FROM unit_flags f JOIN documents d ON d.id = f.document_id \
             ORDER BY f.document_id, f.position",
        )
        .fetch_all(c)
        .await)?;
    let mut flags: HashMap<String, Vec<UnitFlagListing>> = HashMap::new();
    for row in flag_rows {
        flags
            .entry(row.probable)
            .or_default()
            .push(UnitFlagListing {
                doc_number: row.doc_number,
                document: DocumentId(row.document_id),
                task: u32_from("疑似错字所在任务序号", row.task_number)?,
                field: row.field,
                written: row.written,
            });
    }

    Ok(directory
        .into_iter()
        .map(|(id, unit)| UnitListing {
            lead_tasks: counts.get(&id).copied().unwrap_or(0),
            flags: flags.remove(&unit.name).unwrap_or_default(),
            name: unit.name,
            kind: unit.kind,
            aliases: unit.aliases,
        })
        .collect())
}
