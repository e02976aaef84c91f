//! Edit conflicts on a draft's tasks (issue 12 §4): two supervisors editing one task
//! in the decomposition editor never lose an update. A save names the version the
//! editor showed; a save from an older version is refused with the task as saved now,
//! and nothing is written. Removing or moving tasks makes a form for a task whose
//! number changed stale (another task may hold that number now), and only that.

use std::sync::Arc;

use duban_domain::{PlannedTask, TaskInput};
use duban_store::{DecomposeError, DocumentId};

use crate::sources::{Fixture, draft, fixture, task};

async fn tasks(f: &Fixture, doc: DocumentId) -> Vec<PlannedTask> {
    f.store.decomposition(doc).await.unwrap().tasks
}

async fn version(f: &Fixture, doc: DocumentId, number: u32) -> i64 {
    tasks(f, doc).await[number as usize - 1].version
}

async fn content(f: &Fixture, doc: DocumentId, number: u32) -> String {
    tasks(f, doc).await[number as usize - 1]
        .task
        .content
        .plain_text()
}

async fn save(
    f: &Fixture,
    doc: DocumentId,
    number: u32,
    input: &TaskInput,
    seen: i64,
) -> Result<(), DecomposeError> {
    f.store
        .update_decomposition_task_at_version(doc, number, input, Some(seen))
        .await
}

/// The saved task's content and version a refusal carries.
fn conflict(result: Result<(), DecomposeError>) -> (i64, String) {
    match result {
        Err(DecomposeError::EditConflict { version, saved, .. }) => {
            (version, saved.task.content.plain_text())
        }
        other => panic!("expected an edit conflict, got {other:?}"),
    }
}

async fn three_tasks(f: &Fixture) -> DocumentId {
    let (_, doc) = draft(f).await;
    let batch: Vec<TaskInput> = ["甲", "乙", "丙"]
        .iter()
        .map(|c| task(c, &["区发改局"]))
        .collect();
    f.store.add_decomposition_tasks(doc, &batch).await.unwrap();
    doc
}

#[tokio::test]
async fn a_second_supervisor_saving_from_an_older_version_is_refused_with_the_saved_task() {
    let f = fixture().await;
    let doc = three_tasks(&f).await;
    // Both open task 2 in the editor.
    let opened = version(&f, doc, 2).await;
    assert!(opened > 0);

    // The first saves; the task's version moves on.
    save(&f, doc, 2, &task("乙：甲改的", &["区发改局"]), opened)
        .await
        .unwrap();
    let after_first = version(&f, doc, 2).await;
    assert!(after_first > opened);

    // The second, from the version it opened: refused, with the first's task.
    let refused = save(&f, doc, 2, &task("乙：乙改的", &["区财政局"]), opened).await;
    assert_eq!(conflict(refused), (after_first, "乙：甲改的".to_string()));
    assert_eq!(content(&f, doc, 2).await, "乙：甲改的");
    assert_eq!(version(&f, doc, 2).await, after_first);

    // Merged and saved against the version it was shown: kept.
    save(
        &f,
        doc,
        2,
        &task("乙：两人合并的", &["区发改局"]),
        after_first,
    )
    .await
    .unwrap();
    assert_eq!(content(&f, doc, 2).await, "乙：两人合并的");
    // The first, still on its old version, is refused in turn.
    let refused = save(&f, doc, 2, &task("乙：甲再改", &["区发改局"]), after_first).await;
    assert_eq!(conflict(refused).1, "乙：两人合并的");
    // The other tasks were not touched, and a save without a version still goes
    // through (last writer wins, as before).
    assert_eq!(content(&f, doc, 1).await, "甲");
    f.store
        .update_decomposition_task(doc, 2, &task("乙：不带版本", &["区发改局"]))
        .await
        .unwrap();
    assert_eq!(content(&f, doc, 2).await, "乙：不带版本");
}

#[tokio::test]
async fn removing_or_moving_tasks_makes_a_form_for_a_renumbered_task_stale() {
    let f = fixture().await;
    let doc = three_tasks(&f).await;
    let opened: Vec<i64> = tasks(&f, doc).await.iter().map(|t| t.version).collect();

    // Task 1 removed: 乙 and 丙 move up. A form opened on task 2 (乙) now points at 丙.
    f.store.remove_decomposition_task(doc, 1).await.unwrap();
    let refused = save(&f, doc, 2, &task("乙改", &["区发改局"]), opened[1]).await;
    assert_eq!(conflict(refused).1, "丙");
    assert_eq!(content(&f, doc, 2).await, "丙");

    // A move changes only the tasks whose numbers change: 丁 at 3 is untouched by
    // swapping 1 and 2, so its open form still saves.
    f.store
        .add_decomposition_tasks(doc, &[task("丁", &["区发改局"])])
        .await
        .unwrap();
    let before = tasks(&f, doc).await;
    f.store.move_decomposition_task(doc, 1, 2).await.unwrap();
    let after = tasks(&f, doc).await;
    assert_eq!(after[2].version, before[2].version);
    assert!(after[0].version > before[1].version);
    save(&f, doc, 3, &task("丁改", &["区发改局"]), before[2].version)
        .await
        .unwrap();
    let refused = save(&f, doc, 1, &task("乙改", &["区发改局"]), before[0].version).await;
    assert_eq!(conflict(refused).1, "丙");

    // Every task removed and a new one added: a version is never given twice in a
    // document, so a form for the old task 1 is still stale.
    let first = version(&f, doc, 1).await;
    for _ in 0..3 {
        f.store.remove_decomposition_task(doc, 1).await.unwrap();
    }
    f.store
        .add_decomposition_tasks(doc, &[task("戊", &["区发改局"])])
        .await
        .unwrap();
    let refused = save(&f, doc, 1, &task("旧表单", &["区发改局"]), first).await;
    assert_eq!(conflict(refused).1, "戊");
}

#[tokio::test]
async fn of_many_saves_of_one_task_from_one_version_at_once_exactly_one_is_kept() {
    const WRITERS: usize = 8;
    let f = Arc::new(fixture().await);
    let doc = three_tasks(&f).await;
    let opened = version(&f, doc, 1).await;
    let mut handles = Vec::new();
    for i in 0..WRITERS {
        let f = Arc::clone(&f);
        handles.push(tokio::spawn(async move {
            save(
                &f,
                doc,
                1,
                &task(&format!("第{i}人的修改"), &["区发改局"]),
                opened,
            )
            .await
            .map(|()| i)
        }));
    }
    let mut kept = Vec::new();
    let mut refused = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(i) => kept.push(i),
            Err(e) => {
                let (_, saved) = conflict(Err(e));
                assert!(saved.ends_with("人的修改"), "{saved}");
                refused += 1;
            }
        }
    }
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(refused, WRITERS - 1);
    assert_eq!(content(&f, doc, 1).await, format!("第{}人的修改", kept[0]));
}
