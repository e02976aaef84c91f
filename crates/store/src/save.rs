//! Writing a notice. Runs inside the caller's transaction: on any error the caller
//! rolls back, so a notice is stored whole or not at all.

use std::collections::HashMap;

use duban_domain::{Notice, Task, UnitKind};

use crate::codec::{
    COOPERATING, IMPORTED, LEAD, NOTICE_ROUND, REPORTING, date_text, references_json,
    timestamp_text, to_json,
};
use crate::db::{Lock, Tx, execute, with_conn};
use crate::{DocumentId, SaveOutcome, StoreError, load};

pub(crate) async fn save_notice(
    tx: &mut Tx,
    notice: &Notice,
    source_name: &str,
    replace: bool,
) -> Result<SaveOutcome, StoreError> {
    // Nobody else may store or issue a document between "absent" and the insert.
    tx.lock(Lock::DocNumbers).await?;
    let existing = match &notice.document.doc_number {
        Some(number) => with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
                "SELECT id FROM documents WHERE doc_number = $1",
            )
            .bind(number.to_string())
            .fetch_optional(c)
            .await)?,
        None => same_unnumbered(tx, notice).await?,
    };
    let values = DocumentValues::new(notice, source_name)?;
    let Some(id) = existing else {
        let id = insert_document(tx, &values).await?;
        write_contents(tx, id, notice).await?;
        return Ok(SaveOutcome::Created(DocumentId(id)));
    };
    // Nor open a round on it, assign it or take a closure step while it is replaced.
    tx.lock(Lock::Document(id)).await?;
    let stored = load::content(tx, id).await?;
    if stored.is_some_and(|s| s.matches(notice)) {
        return Ok(SaveOutcome::Unchanged(DocumentId(id)));
    }
    if !replace {
        return Err(StoreError::Conflict {
            doc_number: values.doc_number.clone().unwrap_or_default(),
            existing: DocumentId(id),
        });
    }
    // Replacing writes the tasks anew; reports on the old ones would lose their task.
    let rounds = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM rounds WHERE document_id = $1 AND kind = $2",
    )
    .bind(id)
    .bind(REPORTING)
    .fetch_one(c)
    .await)?;
    if rounds > 0 {
        return Err(StoreError::ReportingStarted {
            document: DocumentId(id),
            rounds,
        });
    }
    // Likewise the units' acknowledgements and the tasks' closure history.
    let assigned = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "SELECT (SELECT COUNT(*) FROM assignments a JOIN tasks t ON t.id = a.task_id \
                 WHERE t.document_id = $1) \
              + (SELECT COUNT(*) FROM task_events e JOIN tasks t ON t.id = e.task_id \
                 WHERE t.document_id = $1) \
              + (SELECT COUNT(*) FROM task_states s JOIN tasks t ON t.id = s.task_id \
                 WHERE t.document_id = $1)",
    )
    .bind(id)
    .fetch_one(c)
    .await)?;
    if assigned > 0 {
        return Err(StoreError::TasksAssigned {
            document: DocumentId(id),
        });
    }
    clear_contents(tx, id).await?;
    update_document(tx, id, &values).await?;
    write_contents(tx, id, notice).await?;
    Ok(SaveOutcome::Replaced(DocumentId(id)))
}

/// A stored document without a 文号 whose content equals the notice's.
async fn same_unnumbered(tx: &mut Tx, notice: &Notice) -> Result<Option<i64>, StoreError> {
    let candidates: Vec<(i64, Option<String>)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT id, title FROM documents WHERE doc_number IS NULL ORDER BY id",
    )
    .fetch_all(c)
    .await)?;
    for (id, title) in candidates {
        if title != notice.document.title {
            continue;
        }
        if load::content(tx, id)
            .await?
            .is_some_and(|s| s.matches(notice))
        {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// The `documents` row of a notice, encoded.
struct DocumentValues {
    doc_number: Option<String>,
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
    disclosure: Option<&'static str>,
    table_title: Option<String>,
    copy_to_json: String,
    printed_by: Option<String>,
    printed_on: Option<String>,
    source_name: String,
    imported_at: String,
}

impl DocumentValues {
    fn new(notice: &Notice, source_name: &str) -> Result<Self, StoreError> {
        let d = &notice.document;
        let number = d.doc_number.as_ref();
        Ok(DocumentValues {
            doc_number: number.map(ToString::to_string),
            doc_agency: number.map(|n| n.agency.clone()),
            doc_year: number.map(|n| i64::from(n.year)),
            doc_serial: number.map(|n| i64::from(n.serial)),
            doc_number_original: number.map(|n| n.original.clone()),
            issuer: d.issuer.clone(),
            title: d.title.clone(),
            recipients_json: to_json("主送机关", &d.recipients)?,
            body_json: to_json("正文", &d.body)?,
            references_json: references_json(&d.references)?,
            attachment: d.attachment.clone(),
            signatory: d.signatory.clone(),
            date: date_text(d.date),
            disclosure: d.disclosure.map(|x| x.label()),
            table_title: d.table_title.clone(),
            copy_to_json: to_json("抄送", &d.copy_to)?,
            printed_by: d.printed_by.clone(),
            printed_on: date_text(d.printed_on),
            source_name: source_name.to_string(),
            imported_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        })
    }
}

/// Binds the twenty document columns as `$1` … `$20`, in the order both the INSERT and
/// the UPDATE name them.
macro_rules! bind_document {
    ($query:expr, $v:expr) => {
        $query
            .bind(&$v.doc_number)
            .bind(&$v.doc_agency)
            .bind($v.doc_year)
            .bind($v.doc_serial)
            .bind(&$v.doc_number_original)
            .bind(&$v.issuer)
            .bind(&$v.title)
            .bind(&$v.recipients_json)
            .bind(&$v.body_json)
            .bind(&$v.references_json)
            .bind(&$v.attachment)
            .bind(&$v.signatory)
            .bind(&$v.date)
            .bind($v.disclosure)
            .bind(&$v.table_title)
            .bind(&$v.copy_to_json)
            .bind(&$v.printed_by)
            .bind(&$v.printed_on)
            .bind(&$v.source_name)
            .bind(&$v.imported_at)
    };
}

async fn insert_document(tx: &mut Tx, v: &DocumentValues) -> Result<i64, StoreError> {
    let id = with_conn!(tx, c => bind_document!(sqlx::query_scalar::<_, i64>(
        "INSERT INTO documents (doc_number, doc_agency, doc_year, doc_serial, \
             doc_number_original, issuer, title, recipients_json, body_json, references_json, \
             attachment, signatory, date, disclosure, table_title, copy_to_json, printed_by, \
             printed_on, source_name, imported_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $20) \
         RETURNING id",
    ), v)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

async fn update_document(tx: &mut Tx, id: i64, v: &DocumentValues) -> Result<(), StoreError> {
    execute!(
        tx,
        bind_document!(
            sqlx::query(
                "UPDATE documents SET doc_number = $1, doc_agency = $2, doc_year = $3, \
             doc_serial = $4, doc_number_original = $5, issuer = $6, title = $7, \
             recipients_json = $8, body_json = $9, references_json = $10, attachment = $11, \
             signatory = $12, date = $13, disclosure = $14, table_title = $15, \
             copy_to_json = $16, printed_by = $17, printed_on = $18, source_name = $19, \
             imported_at = $20 \
         WHERE id = $21",
            ),
            v
        )
        .bind(id)
    )?;
    Ok(())
}

/// Deletes everything stored under the document but the document row itself.
/// Children first, so this does not depend on ON DELETE CASCADE being enforced.
async fn clear_contents(tx: &mut Tx, id: i64) -> Result<(), StoreError> {
    execute!(
        tx,
        sqlx::query(
            "DELETE FROM progress_reports \
         WHERE round_id IN (SELECT id FROM rounds WHERE document_id = $1) \
            OR task_id IN (SELECT id FROM tasks WHERE document_id = $1)",
        )
        .bind(id)
    )?;
    execute!(tx, sqlx::query(
        "DELETE FROM subitem_units WHERE task_id IN (SELECT id FROM tasks WHERE document_id = $1)",
    )
    .bind(id))?;
    execute!(
        tx,
        sqlx::query(
            "DELETE FROM subitems WHERE task_id IN (SELECT id FROM tasks WHERE document_id = $1)",
        )
        .bind(id)
    )?;
    execute!(
        tx,
        sqlx::query(
            "DELETE FROM task_units WHERE task_id IN (SELECT id FROM tasks WHERE document_id = $1)",
        )
        .bind(id)
    )?;
    execute!(
        tx,
        sqlx::query("DELETE FROM tasks WHERE document_id = $1").bind(id)
    )?;
    execute!(
        tx,
        sqlx::query("DELETE FROM rounds WHERE document_id = $1").bind(id)
    )?;
    execute!(
        tx,
        sqlx::query("DELETE FROM unit_flags WHERE document_id = $1").bind(id)
    )?;
    Ok(())
}

/// Rows per multi-row INSERT: within both backends' limits on bound values (SQLite
/// 32,766; the widest row here binds 10).
const ROWS_PER_INSERT: usize = 1000;

/// Units, the notice's round, tasks and flags of the document `id`. Rows of a kind go
/// in together (statements of many rows: a notice of 10,000 tasks is a few dozen
/// statements, not tens of thousands).
async fn write_contents(tx: &mut Tx, id: i64, notice: &Notice) -> Result<(), StoreError> {
    let units = ensure_units(tx, notice).await?;
    // The notice's own round: the progress it reports, closed, as of its period
    // (`截至10月15日`, `1-9月` … in its title, table title or body, else its date).
    let period = duban_domain::analysis::notice_period(&notice.document, None, None);
    let now = timestamp_text(chrono::Utc::now());
    let round_id = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO rounds (document_id, kind, label, date, due, opened_at, closed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(id)
    .bind(IMPORTED)
    .bind(period.as_ref().map_or(NOTICE_ROUND, |p| p.phrase.as_str()))
    .bind(date_text(period.as_ref().map(|p| p.end).or(notice.document.date)))
    // A notice without any date is as of the day it was imported.
    .bind(date_text(Some(
        notice
            .document
            .date
            .or(period.as_ref().map(|p| p.end))
            .unwrap_or_else(|| crate::codec::china_date(chrono::Utc::now())),
    )))
    .bind(&now)
    .fetch_one(c)
    .await)?;

    insert_tasks(tx, id, &notice.tasks).await?;
    let numbers: Vec<(i64, i64)> = with_conn!(tx, c => sqlx::query_as(
        "SELECT number, id FROM tasks WHERE document_id = $1",
    )
    .bind(id)
    .fetch_all(c)
    .await)?;
    let numbers: HashMap<i64, i64> = numbers.into_iter().collect();
    let tasks: Vec<(i64, &Task)> = notice
        .tasks
        .iter()
        .map(|t| {
            numbers
                .get(&i64::from(t.number.0))
                .map(|id| (*id, t))
                .ok_or_else(|| StoreError::Corrupt(format!("任务 {} 未写入", t.number.0)))
        })
        .collect::<Result<_, StoreError>>()?;
    write_units_of(tx, &tasks, &units).await?;

    // Each task's progress cell: as the notice's progress, and as the round's reports,
    // accepted (one per lead unit where the cell is written per unit).
    let mut progress = Vec::new();
    let mut reports = Vec::new();
    for (task_id, task) in &tasks {
        if let Some(text) = &task.progress {
            progress.push((*task_id, to_json("落实情况", text)?, text.plain_text()));
        }
        let imported = duban_domain::round_notice::imported::imported_reports(task, &notice.units);
        for (position, report) in imported.iter().enumerate() {
            reports.push((
                *task_id,
                unit_id(&units, &report.unit)?,
                position_of(position)?,
                to_json("落实情况", &report.text)?,
                report.text.plain_text(),
                i64::from(report.continues_paragraph),
            ));
        }
    }
    for chunk in progress.chunks(ROWS_PER_INSERT) {
        with_conn!(tx, c => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO progress_reports (task_id, round_id, text_json, text_plain) ",
            );
            q.push_values(chunk, |mut b, (task_id, json, plain)| {
                b.push_bind(*task_id)
                    .push_bind(round_id)
                    .push_bind(json.as_str())
                    .push_bind(plain.as_str());
            });
            q.build().execute(c).await.map(|_| ())
        })?;
    }
    for chunk in reports.chunks(ROWS_PER_INSERT) {
        with_conn!(tx, c => {
            // When the units submitted is not on record: no submission time.
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO reports (round_id, task_id, unit_id, position, state, text_json, \
                     text_plain, updated_at, continues_paragraph) ",
            );
            q.push_values(chunk, |mut b, (task_id, unit, position, json, plain, continues)| {
                b.push_bind(round_id)
                    .push_bind(*task_id)
                    .push_bind(*unit)
                    .push_bind(*position)
                    .push_bind("accepted")
                    .push_bind(json.as_str())
                    .push_bind(plain.as_str())
                    .push_bind(now.as_str())
                    .push_bind(*continues);
            });
            q.build().execute(c).await.map(|_| ())
        })?;
    }

    let flags: Vec<(i64, &duban_domain::UnitFlag)> = notice
        .unit_flags
        .iter()
        .enumerate()
        .map(|(position, flag)| Ok((position_of(position)?, flag)))
        .collect::<Result<_, StoreError>>()?;
    for chunk in flags.chunks(ROWS_PER_INSERT) {
        with_conn!(tx, c => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO unit_flags (document_id, position, task_number, field, written, \
                     probable) ",
            );
            q.push_values(chunk, |mut b, (position, flag)| {
                b.push_bind(id)
                    .push_bind(*position)
                    .push_bind(i64::from(flag.task))
                    .push_bind(flag.field.as_str())
                    .push_bind(flag.written.as_str())
                    .push_bind(flag.probable.as_str());
            });
            q.build().execute(c).await.map(|_| ())
        })?;
    }
    Ok(())
}

fn position_of(position: usize) -> Result<i64, StoreError> {
    i64::try_from(position).map_err(|_| StoreError::Corrupt(format!("位置 {position} 超出范围")))
}

/// Unit ids by name for every unit the notice names. Units new to the office are added
/// (kind from the notice's directory, or inferred from the name); a unit already stored
/// keeps its kind, which the office may have corrected. Aliases are added when no unit
/// has that name or alias yet.
async fn ensure_units(tx: &mut Tx, notice: &Notice) -> Result<HashMap<String, i64>, StoreError> {
    let mut ids: HashMap<String, i64> = HashMap::new();
    // Collected before the loop: an iterator of closures held across the awaits below
    // would keep the future from being `Send` (rustc cannot prove it for every lifetime).
    let mut units: Vec<(&str, UnitKind)> = notice
        .units
        .units
        .iter()
        .map(|u| (u.name.as_str(), u.kind))
        .collect();
    for t in &notice.tasks {
        let names = t
            .lead_units
            .iter()
            .chain(&t.cooperating_units)
            .map(|a| a.unit.as_str())
            .chain(
                t.subitems
                    .iter()
                    .flat_map(|s| s.lead_units.iter().map(String::as_str)),
            );
        units.extend(names.map(|name| (name, UnitKind::infer(name))));
    }
    // Each name once, with the kind of its first mention.
    let mut seen = std::collections::HashSet::new();
    units.retain(|(name, _)| seen.insert(*name));
    for (name, _) in &units {
        duban_domain::check_unit_name(name)?;
    }
    for chunk in units.chunks(ROWS_PER_INSERT) {
        with_conn!(tx, c => {
            let mut q = sqlx::QueryBuilder::new("INSERT INTO units (name, kind) ");
            q.push_values(chunk, |mut b, (name, kind)| {
                b.push_bind(*name).push_bind(kind.label());
            });
            q.push(" ON CONFLICT (name) DO NOTHING");
            q.build().execute(c).await.map(|_| ())
        })?;
        let found: Vec<(String, i64)> = with_conn!(tx, c => {
            let mut q = sqlx::QueryBuilder::new("SELECT name, id FROM units WHERE name IN (");
            let mut names = q.separated(", ");
            for (name, _) in chunk {
                names.push_bind(*name);
            }
            q.push(")");
            q.build_query_as().fetch_all(c).await
        })?;
        ids.extend(found);
    }
    for unit in &notice.units.units {
        let Some(&unit_id) = ids.get(&unit.name) else {
            continue;
        };
        for alias in &unit.aliases {
            if alias.is_empty() {
                continue;
            }
            let named_unit = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
                "SELECT id FROM units WHERE name = $1",
            )
            .bind(alias)
            .fetch_optional(c)
            .await)?;
            if named_unit.is_some() {
                continue;
            }
            execute!(
                tx,
                sqlx::query(
                    "INSERT INTO unit_aliases (alias, unit_id) VALUES ($1, $2) \
                 ON CONFLICT (alias) DO NOTHING",
                )
                .bind(alias)
                .bind(unit_id)
            )?;
        }
    }
    Ok(ids)
}

fn unit_id(units: &HashMap<String, i64>, name: &str) -> Result<i64, StoreError> {
    units
        .get(name)
        .copied()
        .ok_or_else(|| StoreError::Corrupt(format!("单位“{name}”未登记")))
}

/// The task rows of a notice, many to a statement.
async fn insert_tasks(tx: &mut Tx, document_id: i64, tasks: &[Task]) -> Result<(), StoreError> {
    struct Row<'a> {
        task: &'a Task,
        content_json: String,
        notes_json: Option<String>,
        extra_json: String,
    }
    let rows: Vec<Row> = tasks
        .iter()
        .map(|task| {
            Ok(Row {
                task,
                content_json: to_json("任务内容", &task.content)?,
                notes_json: task
                    .notes
                    .as_ref()
                    .map(|n| to_json("备注", n))
                    .transpose()?,
                extra_json: to_json("其他列", &task.extra)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        with_conn!(tx, c => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO tasks (document_id, number, content_json, content_text, \
                     lead_units_text, cooperating_units_text, leader, deadline, notes_json, \
                     extra_json) ",
            );
            q.push_values(chunk, |mut b, row| {
                let task = row.task;
                b.push_bind(document_id)
                    .push_bind(i64::from(task.number.0))
                    .push_bind(row.content_json.as_str())
                    .push_bind(task.content.plain_text())
                    .push_bind(task.lead_units_text.as_str())
                    .push_bind(task.cooperating_units_text.as_str())
                    .push_bind(task.leader.as_deref())
                    .push_bind(task.deadline.as_deref())
                    .push_bind(row.notes_json.as_deref())
                    .push_bind(row.extra_json.as_str());
            });
            q.build().execute(c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Writes a task's lead and cooperating units and its sub-items with their units (the
/// task row exists; its old units and sub-items, if any, were cleared). Shared by
/// imports and the decomposition editor, so both store a task the same way.
pub(crate) async fn write_task_units(
    tx: &mut Tx,
    task_id: i64,
    task: &Task,
    units: &HashMap<String, i64>,
) -> Result<(), StoreError> {
    write_units_of(tx, &[(task_id, task)], units).await
}

/// [`write_task_units`] for many tasks (id, task), their rows many to a statement.
async fn write_units_of(
    tx: &mut Tx,
    tasks: &[(i64, &Task)],
    units: &HashMap<String, i64>,
) -> Result<(), StoreError> {
    // (task, relation, position, unit, written as, role)
    let mut task_units = Vec::new();
    // (task, label, position, content) and (task, label, position, unit)
    let mut subitems = Vec::new();
    let mut subitem_units = Vec::new();
    for (task_id, task) in tasks {
        let assignments = task
            .lead_units
            .iter()
            .enumerate()
            .map(|(i, a)| (LEAD, i, a))
            .chain(
                task.cooperating_units
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (COOPERATING, i, a)),
            );
        for (relation, position, a) in assignments {
            task_units.push((
                *task_id,
                relation,
                position_of(position)?,
                unit_id(units, &a.unit)?,
                a.written_as.as_str(),
                a.role.as_deref(),
            ));
        }
        for (position, item) in task.subitems.iter().enumerate() {
            let label = i64::from(item.label.number());
            subitems.push((
                *task_id,
                label,
                position_of(position)?,
                item.content.as_str(),
            ));
            for (unit_position, name) in item.lead_units.iter().enumerate() {
                subitem_units.push((
                    *task_id,
                    label,
                    position_of(unit_position)?,
                    unit_id(units, name)?,
                ));
            }
        }
    }
    for chunk in task_units.chunks(ROWS_PER_INSERT) {
        with_conn!(tx, c => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO task_units (task_id, relation, position, unit_id, written_as, role) ",
            );
            q.push_values(chunk, |mut b, (task, relation, position, unit, written, role)| {
                b.push_bind(*task)
                    .push_bind(*relation)
                    .push_bind(*position)
                    .push_bind(*unit)
                    .push_bind(*written)
                    .push_bind(*role);
            });
            q.build().execute(c).await.map(|_| ())
        })?;
    }
    for chunk in subitems.chunks(ROWS_PER_INSERT) {
        with_conn!(tx, c => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO subitems (task_id, label, position, content) ",
            );
            q.push_values(chunk, |mut b, (task, label, position, content)| {
                b.push_bind(*task)
                    .push_bind(*label)
                    .push_bind(*position)
                    .push_bind(*content);
            });
            q.build().execute(c).await.map(|_| ())
        })?;
    }
    for chunk in subitem_units.chunks(ROWS_PER_INSERT) {
        with_conn!(tx, c => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO subitem_units (task_id, label, position, unit_id) ",
            );
            q.push_values(chunk, |mut b, (task, label, position, unit)| {
                b.push_bind(*task)
                    .push_bind(*label)
                    .push_bind(*position)
                    .push_bind(*unit);
            });
            q.build().execute(c).await.map(|_| ())
        })?;
    }
    Ok(())
}
