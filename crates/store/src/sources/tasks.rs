//! A draft's tasks as rows: appending, editing, removing and moving them, with their
//! units, sub-items and plans. What a task must have is `TaskInput::check` in
//! `duban_domain::decomposition`; this writes what it accepts.
//!
//! Every task written gets a new version from its document's counter
//! (`documents.tasks_version`, migration 0023): an added or edited task, and each task
//! whose number a removal or a move changed. A save that names the version it was made
//! from is refused when the task at that number has another one
//! ([`DecomposeError::EditConflict`]): someone changed it, or another task now holds the
//! number (it moved there after the form was opened, so its version is newer).

use std::collections::HashMap;

use duban_domain::decomposition::{CheckedTask, check_new_tasks, move_target};
use duban_domain::{ProgressKind, Task, TaskInput, UnitDirectory};

use super::DecomposeError;
use super::drafts::require_draft;
use crate::codec::{date_text, to_json};
use crate::db::{Tx, execute, with_conn};
use crate::{DocumentId, StoreError, load};

async fn unit_ids(tx: &mut Tx) -> Result<(UnitDirectory, HashMap<String, i64>), StoreError> {
    let units = load::directory(tx).await?;
    let ids = units.iter().map(|(id, u)| (u.name.clone(), *id)).collect();
    Ok((
        UnitDirectory {
            units: units.into_iter().map(|(_, u)| u).collect(),
        },
        ids,
    ))
}

/// Writes the task's units, sub-items and plan (after they were cleared).
async fn write_task_parts(
    tx: &mut Tx,
    task_id: i64,
    checked: &CheckedTask,
    ids: &HashMap<String, i64>,
) -> Result<(), StoreError> {
    crate::save::write_task_units(tx, task_id, &checked.task, ids).await?;
    if let Some(plan) = &checked.plan {
        write_plan(tx, task_id, plan).await?;
    }
    Ok(())
}

async fn write_plan(tx: &mut Tx, task_id: i64, plan: &ProgressKind) -> Result<(), StoreError> {
    let (amount, unit) = match plan {
        ProgressKind::Indicator { target } => {
            (Some(target.amount.to_string()), Some(target.unit.clone()))
        }
        _ => (None, None),
    };
    execute!(tx, sqlx::query(
        "INSERT INTO task_plans (task_id, kind, target_amount, target_unit) VALUES ($1, $2, $3, $4)",
    )
    .bind(task_id)
    .bind(plan.code())
    .bind(&amount)
    .bind(&unit))?;
    if let ProgressKind::Project { milestones } = plan {
        for (position, m) in milestones.iter().enumerate() {
            execute!(
                tx,
                sqlx::query(
                    "INSERT INTO task_milestones (task_id, position, due, description) \
                 VALUES ($1, $2, $3, $4)",
                )
                .bind(task_id)
                .bind(position as i64)
                .bind(date_text(Some(m.due)))
                .bind(m.description.trim())
            )?;
        }
    }
    Ok(())
}

async fn clear_task_parts(tx: &mut Tx, task_id: i64) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM subitem_units WHERE task_id = $1",
        "DELETE FROM subitems WHERE task_id = $1",
        "DELETE FROM task_units WHERE task_id = $1",
        "DELETE FROM task_milestones WHERE task_id = $1",
        "DELETE FROM task_plans WHERE task_id = $1",
    ] {
        execute!(tx, sqlx::query(sql).bind(task_id))?;
    }
    Ok(())
}

async fn task_count(tx: &mut Tx, document: DocumentId) -> Result<usize, StoreError> {
    let n = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM tasks WHERE document_id = $1",
    )
    .bind(document.0)
    .fetch_one(c)
    .await)?;
    usize::try_from(n).map_err(|_| StoreError::Corrupt(format!("任务数“{n}”无效")))
}

/// Moves the document's task counter on and returns it: the version of every task
/// written now.
async fn next_version(tx: &mut Tx, document: DocumentId) -> Result<i64, StoreError> {
    let version = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "UPDATE documents SET tasks_version = tasks_version + 1 WHERE id = $1 \
         RETURNING tasks_version",
    )
    .bind(document.0)
    .fetch_one(c)
    .await)?;
    Ok(version)
}

/// Appends `tasks` after the draft's last task: all of them, or none when one is refused
/// (the error says which, counting from 1 in the batch).
pub(crate) async fn add_tasks(
    tx: &mut Tx,
    document: DocumentId,
    tasks: &[TaskInput],
) -> Result<Vec<u32>, DecomposeError> {
    require_draft(tx, document).await?;
    let existing = task_count(tx, document).await?;
    let (directory, ids) = unit_ids(tx).await?;
    let checked = check_new_tasks(existing, tasks, &directory)?;
    let version = next_version(tx, document).await?;
    let mut numbers = Vec::with_capacity(checked.len());
    for task in &checked {
        let task_id = insert_task_row(tx, document, &task.task, version).await?;
        write_task_parts(tx, task_id, task, &ids).await?;
        numbers.push(task.task.number.0);
    }
    Ok(numbers)
}

async fn insert_task_row(
    tx: &mut Tx,
    document: DocumentId,
    task: &Task,
    version: i64,
) -> Result<i64, StoreError> {
    let notes_json = task
        .notes
        .as_ref()
        .map(|n| to_json("备注", n))
        .transpose()?;
    let id = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO tasks (document_id, number, content_json, content_text, lead_units_text, \
             cooperating_units_text, leader, deadline, notes_json, extra_json, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '[]', $10) RETURNING id",
    )
    .bind(document.0)
    .bind(i64::from(task.number.0))
    .bind(to_json("任务内容", &task.content)?)
    .bind(task.content.plain_text())
    .bind(&task.lead_units_text)
    .bind(&task.cooperating_units_text)
    .bind(&task.leader)
    .bind(&task.deadline)
    .bind(&notes_json)
    .bind(version)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

async fn task_id(tx: &mut Tx, document: DocumentId, number: u32) -> Result<i64, DecomposeError> {
    with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "SELECT id FROM tasks WHERE document_id = $1 AND number = $2",
    )
    .bind(document.0)
    .bind(i64::from(number))
    .fetch_optional(c)
    .await)?
    .ok_or(DecomposeError::TaskNotFound { document, number })
}

/// Rewrites task `number` from `input`; if `seen` (the version the editor showed) is
/// given and the task now has another, nothing is written and the answer is
/// [`DecomposeError::EditConflict`] with the task as saved now.
pub(crate) async fn update_task(
    tx: &mut Tx,
    document: DocumentId,
    number: u32,
    input: &TaskInput,
    seen: Option<i64>,
) -> Result<(), DecomposeError> {
    require_draft(tx, document).await?;
    let id = task_id(tx, document, number).await?;
    if let Some(seen) = seen {
        let version = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
            "SELECT version FROM tasks WHERE id = $1",
        )
        .bind(id)
        .fetch_one(c)
        .await)?;
        if version != seen {
            let saved = super::drafts::decomposition(tx, document)
                .await?
                .tasks
                .into_iter()
                .find(|t| t.number == number)
                .ok_or(DecomposeError::TaskNotFound { document, number })?;
            return Err(DecomposeError::EditConflict {
                document,
                number,
                version,
                saved: Box::new(saved),
            });
        }
    }
    let (directory, ids) = unit_ids(tx).await?;
    let checked = input.check(number, &directory)?;
    let task = &checked.task;
    let notes_json = task
        .notes
        .as_ref()
        .map(|n| to_json("备注", n))
        .transpose()?;
    let version = next_version(tx, document).await?;
    execute!(
        tx,
        sqlx::query(
            "UPDATE tasks SET content_json = $1, content_text = $2, lead_units_text = $3, \
             cooperating_units_text = $4, leader = $5, deadline = $6, notes_json = $7, \
             version = $9 \
         WHERE id = $8",
        )
        .bind(to_json("任务内容", &task.content)?)
        .bind(task.content.plain_text())
        .bind(&task.lead_units_text)
        .bind(&task.cooperating_units_text)
        .bind(&task.leader)
        .bind(&task.deadline)
        .bind(&notes_json)
        .bind(id)
        .bind(version)
    )?;
    clear_task_parts(tx, id).await?;
    write_task_parts(tx, id, &checked, &ids).await?;
    Ok(())
}

/// Sets the numbers of the draft's tasks to `order` (task ids, new number = position + 1);
/// each task whose number changes gets a new version.
async fn renumber(tx: &mut Tx, document: DocumentId, order: &[i64]) -> Result<(), StoreError> {
    let before: HashMap<i64, i64> = with_conn!(tx, c => sqlx::query_as::<_, (i64, i64)>(
        "SELECT id, number FROM tasks WHERE document_id = $1",
    )
    .bind(document.0)
    .fetch_all(c)
    .await)?
    .into_iter()
    .collect();
    let moved: Vec<(usize, i64)> = order
        .iter()
        .enumerate()
        .filter(|(position, id)| before.get(id) != Some(&(*position as i64 + 1)))
        .map(|(position, id)| (position, *id))
        .collect();
    if moved.is_empty() {
        return Ok(());
    }
    let version = next_version(tx, document).await?;
    // Two passes, so UNIQUE (document_id, number) holds after every statement.
    for (_, id) in &moved {
        execute!(
            tx,
            sqlx::query("UPDATE tasks SET number = -number WHERE id = $1").bind(id)
        )?;
    }
    for (position, id) in &moved {
        execute!(
            tx,
            sqlx::query("UPDATE tasks SET number = $1, version = $2 WHERE id = $3")
                .bind(*position as i64 + 1)
                .bind(version)
                .bind(id)
        )?;
    }
    Ok(())
}

async fn task_order(tx: &mut Tx, document: DocumentId) -> Result<Vec<i64>, StoreError> {
    let ids = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "SELECT id FROM tasks WHERE document_id = $1 ORDER BY number",
    )
    .bind(document.0)
    .fetch_all(c)
    .await)?;
    Ok(ids)
}

/// Removes a task; the ones after it move up, so numbers stay 1, 2, 3 …
pub(crate) async fn remove_task(
    tx: &mut Tx,
    document: DocumentId,
    number: u32,
) -> Result<(), DecomposeError> {
    require_draft(tx, document).await?;
    let id = task_id(tx, document, number).await?;
    clear_task_parts(tx, id).await?;
    execute!(tx, sqlx::query("DELETE FROM tasks WHERE id = $1").bind(id))?;
    let order = task_order(tx, document).await?;
    renumber(tx, document, &order).await?;
    Ok(())
}

/// Moves task `number` to position `to` (1-based); the tasks in between shift by one.
pub(crate) async fn move_task(
    tx: &mut Tx,
    document: DocumentId,
    number: u32,
    to: u32,
) -> Result<(), DecomposeError> {
    require_draft(tx, document).await?;
    let id = task_id(tx, document, number).await?;
    let mut order = task_order(tx, document).await?;
    let at = move_target(to, order.len())?;
    order.retain(|t| *t != id);
    order.insert(at, id);
    renumber(tx, document, &order).await?;
    Ok(())
}
