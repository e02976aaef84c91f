//! Report steps committed in groups: many at once, each answered with its own result
//! only after the commit; a refused step undoes only itself; stale states are still
//! caught. On a multi-threaded runtime, so the steps really arrive together.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use duban_domain::{
    Document, Notice, ReportAction, ReportState, RichText, Role, TaskDraft, UnitDirectory,
    WorkflowError,
};
use duban_store::{ReportChange, ReportFilter, ReportId, Store, StoreError, User};
use tokio::task::JoinHandle;

use crate::common::{
    Backend, TempDb, connect, open_round, raw, round_reports, save_notice, temp_db, user,
};

/// Tasks led by 区城管局, then tasks led by 区教育局.
const OWN: u32 = 60;
const OTHER: u32 = 10;

struct Fixture {
    db: TempDb,
    store: Store,
    reporter: User,
    head: User,
    other_reporter: User,
    /// 区城管局's reports, by task number.
    own: Vec<ReportId>,
    /// 区教育局's reports.
    other: Vec<ReportId>,
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 10, 1, 9, 0, 0).unwrap()
}

async fn fixture() -> Fixture {
    let db = temp_db().await;
    let store = connect(&db).await;
    let drafts: Vec<TaskDraft> = (1..=OWN + OTHER)
        .map(|number| TaskDraft {
            number,
            content: RichText::plain(&format!("第{number}项任务")),
            lead_units: if number <= OWN {
                "区城管局"
            } else {
                "区教育局"
            }
            .into(),
            ..TaskDraft::default()
        })
        .collect();
    let notice = Notice::assemble(Document::default(), drafts, &UnitDirectory::default());
    let doc = save_notice(&store, &notice, "通报.docx").await;
    let office = user(&store, "duchashi", Role::Supervisor, None).await;
    let reporter = user(&store, "cgj.lly", Role::Reporter, Some("区城管局")).await;
    let head = user(&store, "cgj.head", Role::UnitHead, Some("区城管局")).await;
    let other_reporter = user(&store, "jyj.lly", Role::Reporter, Some("区教育局")).await;
    let due = NaiveDate::from_ymd_opt(2024, 10, 10).unwrap();
    let round = open_round(&store, doc, "1-9月", due, None, office.id, now()).await;
    let reports = round_reports(&store, round, None).await;
    assert_eq!(reports.len(), (OWN + OTHER) as usize);
    let ids = |unit: &str| -> Vec<ReportId> {
        reports
            .iter()
            .filter(|r| r.unit == unit)
            .map(|r| r.id)
            .collect()
    };
    Fixture {
        db,
        own: ids("区城管局"),
        other: ids("区教育局"),
        store,
        reporter,
        head,
        other_reporter,
    }
}

fn write(action: ReportAction, text: &str) -> ReportChange {
    ReportChange {
        action,
        text: Some(RichText::plain(text)),
        percent: None,
        comment: None,
    }
}

/// A step on its own task, so all of them are in flight at once.
fn spawn_act(
    store: &Store,
    id: ReportId,
    actor: &User,
    change: ReportChange,
    expected: Option<ReportState>,
) -> JoinHandle<Result<ReportState, StoreError>> {
    let store = store.clone();
    let actor = actor.clone();
    tokio::spawn(async move {
        match expected {
            Some(state) => {
                store
                    .act_on_report_expecting(id, &actor, change, state, now())
                    .await
            }
            None => store.act_on_report(id, &actor, change, now()).await,
        }
    })
}

async fn text_and_actions(store: &Store, id: ReportId) -> (String, ReportState, Vec<ReportAction>) {
    let detail = store.report(id).await.unwrap().unwrap();
    (
        detail.text.plain_text(),
        detail.summary.state,
        detail.events.iter().map(|e| e.action).collect(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_concurrent_steps_are_all_committed_and_each_answered() {
    let f = fixture().await;
    let saves: Vec<_> = f
        .own
        .iter()
        .map(|&id| {
            let text = format!("报告 {id} 的草稿");
            spawn_act(
                &f.store,
                id,
                &f.reporter,
                write(ReportAction::SaveDraft, &text),
                None,
            )
        })
        .collect();
    for handle in saves {
        assert_eq!(handle.await.unwrap().unwrap(), ReportState::Draft);
    }
    // Submitting from the state each saw, all at once again.
    let submits: Vec<_> = f
        .own
        .iter()
        .map(|&id| {
            let text = format!("报告 {id} 的正文");
            let change = write(ReportAction::Submit, &text);
            spawn_act(&f.store, id, &f.reporter, change, Some(ReportState::Draft))
        })
        .collect();
    for handle in submits {
        assert_eq!(handle.await.unwrap().unwrap(), ReportState::Submitted);
    }
    // Every answer was about the step its caller sent, and every step is stored.
    for &id in &f.own {
        assert_eq!(
            text_and_actions(&f.store, id).await,
            (
                format!("报告 {id} 的正文"),
                ReportState::Submitted,
                vec![ReportAction::SaveDraft, ReportAction::Submit]
            )
        );
    }
    // Closing after everything was answered loses nothing: reopen and look again.
    f.store.close().await;
    let store = connect(&f.db).await;
    let submitted = store
        .reports(&ReportFilter {
            state: Some(ReportState::Submitted),
            ..ReportFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(submitted.len(), OWN as usize);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refused_steps_in_a_batch_undo_only_themselves() {
    let f = fixture().await;
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    enum Kind {
        Valid,
        OtherUnit,
        Missing,
        Empty,
    }
    let mut handles = Vec::new();
    for (i, &id) in f.own.iter().enumerate() {
        // Interleaved, so refusals sit between successes in the same batches.
        let (kind, handle) = match i % 4 {
            0 | 1 => (
                Kind::Valid,
                spawn_act(
                    &f.store,
                    id,
                    &f.reporter,
                    write(ReportAction::SaveDraft, "已完成"),
                    None,
                ),
            ),
            2 => (
                Kind::OtherUnit,
                spawn_act(
                    &f.store,
                    id,
                    &f.other_reporter,
                    write(ReportAction::SaveDraft, "不该写入"),
                    None,
                ),
            ),
            _ => (
                Kind::Empty,
                spawn_act(
                    &f.store,
                    id,
                    &f.reporter,
                    write(ReportAction::Submit, "  "),
                    None,
                ),
            ),
        };
        handles.push((id, kind, handle));
        if i % 10 == 0 {
            let missing = ReportId(1_000_000 + i as i64);
            let change = write(ReportAction::SaveDraft, "不存在");
            handles.push((
                missing,
                Kind::Missing,
                spawn_act(&f.store, missing, &f.reporter, change, None),
            ));
        }
    }
    let mut seen = BTreeMap::new();
    for (id, kind, handle) in handles {
        let result = handle.await.unwrap();
        *seen.entry(kind).or_insert(0) += 1;
        match kind {
            Kind::Valid => assert_eq!(result.unwrap(), ReportState::Draft),
            Kind::OtherUnit => assert!(
                matches!(result, Err(StoreError::Workflow(WorkflowError::OtherUnit))),
                "{result:?}"
            ),
            Kind::Missing => assert!(
                matches!(result, Err(StoreError::ReportNotFound(r)) if r == id),
                "{result:?}"
            ),
            Kind::Empty => assert!(
                matches!(
                    result,
                    Err(StoreError::Workflow(WorkflowError::EmptyReport))
                ),
                "{result:?}"
            ),
        }
        if kind == Kind::Missing {
            continue;
        }
        let stored = text_and_actions(&f.store, id).await;
        if kind == Kind::Valid {
            assert_eq!(
                stored,
                (
                    "已完成".into(),
                    ReportState::Draft,
                    vec![ReportAction::SaveDraft]
                )
            );
        } else {
            assert_eq!(
                stored,
                (String::new(), ReportState::NotStarted, vec![]),
                "{kind:?}"
            );
        }
    }
    assert_eq!(seen.len(), 4, "{seen:?}");
    // The other unit's reports were never touched.
    for &id in &f.other {
        assert_eq!(
            text_and_actions(&f.store, id).await,
            (String::new(), ReportState::NotStarted, vec![])
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_steps_from_the_same_state_let_one_win() {
    let f = fixture().await;
    let id = f.own[0];
    // Ten saves all expecting 未填报: the first applied moves the report on, so the
    // others, in the same batch or a later one, are stale.
    let handles: Vec<_> = (0..10)
        .map(|i| {
            let change = write(ReportAction::SaveDraft, &format!("第{i}稿"));
            spawn_act(
                &f.store,
                id,
                &f.reporter,
                change,
                Some(ReportState::NotStarted),
            )
        })
        .collect();
    let mut won = Vec::new();
    for (i, handle) in handles.into_iter().enumerate() {
        match handle.await.unwrap() {
            Ok(state) => {
                assert_eq!(state, ReportState::Draft);
                won.push(i);
            }
            Err(StoreError::Stale) => {}
            other => panic!("expected success or stale, got {other:?}"),
        }
    }
    assert_eq!(won.len(), 1, "exactly one save applies");
    assert_eq!(
        text_and_actions(&f.store, id).await,
        (
            format!("第{}稿", won[0]),
            ReportState::Draft,
            vec![ReportAction::SaveDraft]
        )
    );

    // The unit head approves and sends back at once, both from 已提交: one wins.
    f.store
        .act_on_report(id, &f.reporter, write(ReportAction::Submit, "正文"), now())
        .await
        .unwrap();
    let approve = spawn_act(
        &f.store,
        id,
        &f.head,
        write(ReportAction::Approve, ""),
        Some(ReportState::Submitted),
    );
    let send_back = spawn_act(
        &f.store,
        id,
        &f.head,
        ReportChange {
            action: ReportAction::SendBack,
            text: None,
            percent: None,
            comment: Some("请补充数据".into()),
        },
        Some(ReportState::Submitted),
    );
    let results = [approve.await.unwrap(), send_back.await.unwrap()];
    let stale = results
        .iter()
        .filter(|r| matches!(r, Err(StoreError::Stale)))
        .count();
    assert_eq!(stale, 1, "{results:?}");
    let winner = results.iter().find_map(|r| r.as_ref().ok()).unwrap();
    let (_, state, actions) = text_and_actions(&f.store, id).await;
    assert_eq!(state, *winner);
    assert_eq!(
        actions.len(),
        3,
        "save, submit and the one review step: {actions:?}"
    );
}

/// On PostgreSQL writers run side by side: a report step does not wait for another
/// writer's open transaction that moved the same round's counts and the store's
/// generation (migration 0012's write slots; before it, the step waited for the other
/// commit). The other writer is a connection of the test's own, holding its
/// transaction open. SQLite has one writer at a time by design: nothing to check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_does_not_wait_for_another_writers_open_transaction() {
    let f = fixture().await;
    if f.db.backend != Backend::Postgres {
        return;
    }
    let pool = raw(&f.db).await;
    let mut other = pool.begin().await.unwrap();
    sqlx::query("UPDATE reports SET state = 'draft' WHERE id = $1")
        .bind(f.own[0].0)
        .execute(&mut *other)
        .await
        .unwrap();
    // Not a speed limit: a step that waits for `other` would wait until it ends.
    let step = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        f.store.act_on_report(
            f.own[1],
            &f.reporter,
            write(ReportAction::SaveDraft, "草稿"),
            now(),
        ),
    )
    .await
    .expect("the step waited for the other writer's transaction");
    assert_eq!(step.unwrap(), ReportState::Draft);
    other.rollback().await.unwrap();
    pool.close().await;

    let rounds = f.store.rounds(None).await.unwrap();
    assert_eq!(rounds[0].reports, i64::from(OWN + OTHER));
    let page = f
        .store
        .reports(&ReportFilter {
            state: Some(ReportState::Draft),
            ..ReportFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(
        page.iter().map(|r| r.id).collect::<Vec<_>>(),
        [f.own[1]],
        "the other writer's change was rolled back"
    );
}
