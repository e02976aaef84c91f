//! Reading a stored notice and the unit directory back into domain values.

use std::collections::HashMap;

use duban_domain::{
    DocNumber, Document, Notice, SubItem, Task, TaskNumber, Unit, UnitAssignment, UnitDirectory,
    UnitFlag,
};

use crate::codec::{
    COOPERATING, IMPORTED, LEAD, disclosure_from_label, from_json, kind_from_label, label_from,
    parse_date, references_from_json, u32_from,
};
use crate::db::{Tx, with_conn};
use crate::{DocumentId, StoreError};

/// What identifies a notice's content: everything but the office-wide unit directory.
pub(crate) struct Content {
    pub(crate) document: Document,
    pub(crate) tasks: Vec<Task>,
    pub(crate) unit_flags: Vec<UnitFlag>,
}

impl Content {
    pub(crate) fn matches(&self, notice: &Notice) -> bool {
        self.document == notice.document
            && self.tasks == notice.tasks
            && self.unit_flags == notice.unit_flags
    }
}

#[derive(sqlx::FromRow)]
struct DocumentRow {
    doc_agency: Option<String>,
    doc_year: Option<i64>,
    doc_serial: Option<i64>,
    doc_number_original: Option<String>,
    issuer: Option<String>,
    title: Option<String>,
    recipients_json: String,
    body_json: String,
    references_json: String,
    attachment: Option<String>,
    signatory: Option<String>,
    date: Option<String>,
    disclosure: Option<String>,
    table_title: Option<String>,
    copy_to_json: String,
    printed_by: Option<String>,
    printed_on: Option<String>,
}

#[derive(sqlx::FromRow)]
struct TaskRow {
    id: i64,
    number: i64,
    content_json: String,
    lead_units_text: String,
    cooperating_units_text: String,
    leader: Option<String>,
    deadline: Option<String>,
    notes_json: Option<String>,
    extra_json: String,
    /// 落实情况 as the notice gave it (the imported round's report), if any.
    progress_json: Option<String>,
}

/// The stored document `id` with its tasks and flags; `None` when there is no such document.
/// The notice with this id, its units from the directory, or `None`.
pub(crate) async fn notice(tx: &mut Tx, id: DocumentId) -> Result<Option<Notice>, StoreError> {
    let Some(content) = content(tx, id.0).await? else {
        return Ok(None);
    };
    let directory = directory_of(tx, id.0).await?;
    let units = notice_units(&content.tasks, directory);
    Ok(Some(Notice {
        document: content.document,
        tasks: content.tasks,
        units,
        unit_flags: content.unit_flags,
    }))
}

/// The document as the public may read it: `None` unless it exists and may be served
/// publicly; its body is the public variant's when the office left paragraphs out.
pub(crate) async fn public_notice(
    tx: &mut Tx,
    id: DocumentId,
) -> Result<Option<Notice>, StoreError> {
    let row: Option<(String, Option<String>, Option<String>)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT status, disclosure, public_body_json FROM documents WHERE id = $1",
    )
    .bind(id.0)
    .fetch_optional(c)
    .await)?;
    let Some((status, disclosure, public_body)) = row else {
        return Ok(None);
    };
    let disclosure = disclosure
        .as_deref()
        .map(disclosure_from_label)
        .transpose()?;
    if !duban_domain::is_public(disclosure, status == "draft") {
        return Ok(None);
    }
    let Some(mut notice) = notice(tx, id).await? else {
        return Ok(None);
    };
    if let Some(body) = public_body {
        notice.document.body = from_json("公开版正文", &body)?;
    }
    Ok(Some(notice))
}

pub(crate) async fn content(tx: &mut Tx, id: i64) -> Result<Option<Content>, StoreError> {
    let row: Option<DocumentRow> = with_conn!(tx, c => sqlx::query_as(
        "SELECT doc_agency, doc_year, doc_serial, doc_number_original, issuer, title, \
                recipients_json, body_json, references_json, attachment, signatory, date, \
                disclosure, table_title, copy_to_json, printed_by, printed_on \
         FROM documents WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let document = document(row)?;
    let tasks = tasks(tx, id).await?;

    let flag_rows: Vec<(i64, String, String, String)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT task_number, field, written, probable FROM unit_flags \
         WHERE document_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(c)
    .await)?;
    let unit_flags = flag_rows
        .into_iter()
        .map(|(task, field, written, probable)| {
            Ok(UnitFlag {
                task: u32_from("疑似错字所在任务序号", task)?,
                field,
                written,
                probable,
            })
        })
        .collect::<Result<_, StoreError>>()?;

    Ok(Some(Content {
        document,
        tasks,
        unit_flags,
    }))
}

fn document(row: DocumentRow) -> Result<Document, StoreError> {
    let doc_number = match (row.doc_agency, row.doc_year, row.doc_serial) {
        (Some(agency), Some(year), Some(serial)) => {
            let year = u16::try_from(year)
                .map_err(|_| StoreError::Corrupt(format!("文号年份“{year}”超出范围")))?;
            let serial = u32_from("文号序号", serial)?;
            let mut number = DocNumber {
                agency,
                year,
                serial,
                original: String::new(),
            };
            number.original = row
                .doc_number_original
                .unwrap_or_else(|| number.to_string());
            Some(number)
        }
        (None, None, None) => None,
        _ => return Err(StoreError::Corrupt("文号的各部分不完整".into())),
    };
    Ok(Document {
        issuer: row.issuer,
        doc_number,
        title: row.title,
        recipients: from_json("主送机关", &row.recipients_json)?,
        body: from_json("正文", &row.body_json)?,
        references: references_from_json(&row.references_json)?,
        attachment: row.attachment,
        signatory: row.signatory,
        date: parse_date("成文日期", row.date.as_deref())?,
        disclosure: row
            .disclosure
            .as_deref()
            .map(disclosure_from_label)
            .transpose()?,
        table_title: row.table_title,
        copy_to: from_json("抄送", &row.copy_to_json)?,
        printed_by: row.printed_by,
        printed_on: parse_date("印发日期", row.printed_on.as_deref())?,
    })
}

/// The document's tasks in number order, with units, sub-items and the notice's progress.
async fn tasks(tx: &mut Tx, document_id: i64) -> Result<Vec<Task>, StoreError> {
    // The progress comes with its task (at most one report per task and round).
    let rows: Vec<TaskRow> = with_conn!(tx, c => sqlx::query_as(
        "SELECT t.id, t.number, t.content_json, t.lead_units_text, t.cooperating_units_text, \
                t.leader, t.deadline, t.notes_json, t.extra_json, p.text_json AS progress_json \
         FROM tasks t \
         LEFT JOIN progress_reports p ON p.task_id = t.id \
              AND p.round_id = (SELECT MIN(r.id) FROM rounds r \
                                WHERE r.document_id = $1 AND r.kind = $2) \
         WHERE t.document_id = $1 ORDER BY t.number",
    )
    .bind(document_id)
    .bind(IMPORTED)
    .fetch_all(c)
    .await)?;
    let mut tasks = Vec::with_capacity(rows.len());
    let mut index: HashMap<i64, usize> = HashMap::with_capacity(rows.len());
    for row in rows {
        index.insert(row.id, tasks.len());
        tasks.push(Task {
            number: TaskNumber(u32_from("任务序号", row.number)?),
            content: from_json("任务内容", &row.content_json)?,
            lead_units: Vec::new(),
            lead_units_text: row.lead_units_text,
            cooperating_units: Vec::new(),
            cooperating_units_text: row.cooperating_units_text,
            leader: row.leader,
            deadline: row.deadline,
            notes: row
                .notes_json
                .as_deref()
                .map(|n| from_json("备注", n))
                .transpose()?,
            subitems: Vec::new(),
            progress: row
                .progress_json
                .as_deref()
                .map(|p| from_json("落实情况", p))
                .transpose()?,
            extra: from_json("其他列", &row.extra_json)?,
        });
    }
    let task_at = |task_id: i64| {
        index
            .get(&task_id)
            .copied()
            .ok_or_else(|| StoreError::Corrupt(format!("找不到任务 {task_id}")))
    };

    let unit_rows: Vec<(i64, String, String, String, Option<String>)> = with_conn!(tx, c => sqlx::query_as(
            "SELECT tu.task_id, tu.relation, u.name, tu.written_as, tu.role \
             FROM task_units tu \
             JOIN units u ON u.id = tu.unit_id \
             JOIN tasks t ON t.id = tu.task_id \
             WHERE t.document_id = $1 \
             ORDER BY tu.task_id, tu.relation, tu.position",
        )
        .bind(document_id)
        .fetch_all(c)
        .await)?;
    for (task_id, relation, unit, written_as, role) in unit_rows {
        let task = &mut tasks[task_at(task_id)?];
        let assignment = UnitAssignment {
            unit,
            written_as,
            role,
        };
        match relation.as_str() {
            LEAD => task.lead_units.push(assignment),
            COOPERATING => task.cooperating_units.push(assignment),
            other => return Err(StoreError::Corrupt(format!("未知的单位关系“{other}”"))),
        }
    }

    let subitem_rows: Vec<(i64, i64, String)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT s.task_id, s.label, s.content \
         FROM subitems s JOIN tasks t ON t.id = s.task_id \
         WHERE t.document_id = $1 \
         ORDER BY s.task_id, s.position",
    )
    .bind(document_id)
    .fetch_all(c)
    .await)?;
    for (task_id, label, content) in subitem_rows {
        tasks[task_at(task_id)?].subitems.push(SubItem {
            label: label_from(label)?,
            content,
            lead_units: Vec::new(),
        });
    }

    let subitem_unit_rows: Vec<(i64, i64, String)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT su.task_id, su.label, u.name \
         FROM subitem_units su \
         JOIN units u ON u.id = su.unit_id \
         JOIN tasks t ON t.id = su.task_id \
         WHERE t.document_id = $1 \
         ORDER BY su.task_id, su.label, su.position",
    )
    .bind(document_id)
    .fetch_all(c)
    .await)?;
    for (task_id, label, unit) in subitem_unit_rows {
        let label = label_from(label)?;
        let task = &mut tasks[task_at(task_id)?];
        let item = task
            .subitems
            .iter_mut()
            .find(|i| i.label == label)
            .ok_or_else(|| StoreError::Corrupt(format!("任务 {} 没有分项 {label}", task.number)))?;
        item.lead_units.push(unit);
    }

    Ok(tasks)
}

/// Every unit with its id, kind and aliases, in id order.
pub(crate) async fn directory(tx: &mut Tx) -> Result<Vec<(i64, Unit)>, StoreError> {
    let rows: Vec<(i64, String, String)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT id, name, kind FROM units ORDER BY id",
    )
    .fetch_all(c)
    .await)?;
    let aliases: Vec<(i64, String)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT unit_id, alias FROM unit_aliases ORDER BY id",
    )
    .fetch_all(c)
    .await)?;
    with_aliases(rows, aliases)
}

/// The units a document's tasks name as lead or cooperating units, as [`directory`]
/// has them: what [`notice_units`] keeps of the directory, without reading the
/// office's every unit (5,000 in a province) for one notice.
async fn directory_of(tx: &mut Tx, document: i64) -> Result<Vec<(i64, Unit)>, StoreError> {
    const NAMED: &str = "SELECT tu.unit_id FROM task_units tu JOIN tasks t ON t.id = tu.task_id \
         WHERE t.document_id = $1";
    let rows: Vec<(i64, String, String)> = with_conn!(tx, c => sqlx::query_as(
        sqlx::AssertSqlSafe(format!(
            "SELECT id, name, kind FROM units WHERE id IN ({NAMED}) ORDER BY id"
        )),
    )
    .bind(document)
    .fetch_all(c)
    .await)?;
    let aliases: Vec<(i64, String)> = with_conn!(tx, c => sqlx::query_as(
        sqlx::AssertSqlSafe(format!(
            "SELECT unit_id, alias FROM unit_aliases WHERE unit_id IN ({NAMED}) ORDER BY id"
        )),
    )
    .bind(document)
    .fetch_all(c)
    .await)?;
    with_aliases(rows, aliases)
}

/// Units (id, name, kind) with their aliases (unit id, alias), in the order given.
fn with_aliases(
    rows: Vec<(i64, String, String)>,
    aliases: Vec<(i64, String)>,
) -> Result<Vec<(i64, Unit)>, StoreError> {
    let mut units = Vec::with_capacity(rows.len());
    let mut index: HashMap<i64, usize> = HashMap::with_capacity(rows.len());
    for (id, name, kind) in rows {
        index.insert(id, units.len());
        units.push((
            id,
            Unit {
                name,
                kind: kind_from_label(&kind)?,
                aliases: Vec::new(),
            },
        ));
    }
    for (unit_id, alias) in aliases {
        let at = index
            .get(&unit_id)
            .copied()
            .ok_or_else(|| StoreError::Corrupt(format!("别名“{alias}”指向不存在的单位")))?;
        units[at].1.aliases.push(alias);
    }
    Ok(units)
}

/// The units a notice's tasks name (lead, then cooperating, task by task), each as
/// the directory has it.
pub(crate) fn notice_units(tasks: &[Task], directory: Vec<(i64, Unit)>) -> UnitDirectory {
    let mut by_name: HashMap<String, Unit> = directory
        .into_iter()
        .map(|(_, u)| (u.name.clone(), u))
        .collect();
    let mut units = Vec::new();
    for task in tasks {
        for a in task.lead_units.iter().chain(&task.cooperating_units) {
            if let Some(unit) = by_name.remove(&a.unit) {
                units.push(unit);
            }
        }
    }
    UnitDirectory { units }
}
