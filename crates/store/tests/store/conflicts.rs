//! Edit conflicts (issue 12 §4): two reporters of one unit editing one report never
//! lose an update. A save names the version its editor showed; a save from an older
//! version is refused with what is saved now, and nothing is written.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use duban_domain::{Percent, ReportAction, ReportState, RichText, Role};
use duban_store::{ReportId, StoreError};

use crate::common::user;
use crate::workflow::{Fixture, at, fixture, step, write};

/// Conflicts the tests in this module caught (refused stale saves), for the closing
/// note; each test asserts its own count.
static CAUGHT: AtomicUsize = AtomicUsize::new(0);

async fn version(f: &Fixture, id: ReportId) -> i64 {
    f.store.report(id).await.unwrap().unwrap().summary.version
}

async fn text(f: &Fixture, id: ReportId) -> String {
    f.store.report(id).await.unwrap().unwrap().text.plain_text()
}

fn conflict(err: StoreError) -> (i64, RichText, Option<Percent>) {
    match err {
        StoreError::EditConflict {
            version,
            saved_text,
            saved_percent,
            ..
        } => {
            CAUGHT.fetch_add(1, Ordering::Relaxed);
            (version, saved_text, saved_percent)
        }
        other => panic!("expected an edit conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn a_second_reporter_saving_from_an_older_version_is_refused_with_both_texts() {
    let f = fixture().await;
    let round = f.open("1-9月", None, at(9, 0)).await;
    let id = f.report_of(round, 1, "区城管局").await;
    let second = user(&f.store, "cgj.lly2", Role::Reporter, Some("区城管局")).await;
    // Both open the editor on the new report.
    let opened = version(&f, id).await;
    assert_eq!(opened, 0);

    // The first saves; the version moves on.
    let first = f
        .store
        .act_on_report_at_version(
            id,
            &f.reporter,
            write(ReportAction::SaveDraft, "甲：已完成整治 12 处", Some(40)),
            Some(ReportState::NotStarted),
            opened,
            at(9, 1),
        )
        .await
        .unwrap();
    assert_eq!(first, ReportState::Draft);
    assert_eq!(version(&f, id).await, 1);

    // The second saves from what they opened: refused, with the first's text.
    let err = f
        .store
        .act_on_report_at_version(
            id,
            &second,
            write(ReportAction::SaveDraft, "乙：已推进重点项目", Some(60)),
            None,
            opened,
            at(9, 2),
        )
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("保存冲突") && message.contains("第 1 版"),
        "{message}"
    );
    let (now, saved, percent) = conflict(err);
    assert_eq!(now, 1);
    assert_eq!(saved.plain_text(), "甲：已完成整治 12 处");
    assert_eq!(percent, Some(Percent::new(40).unwrap()));
    // Nothing of the refused save was written: text, version, history.
    assert_eq!(text(&f, id).await, "甲：已完成整治 12 处");
    assert_eq!(version(&f, id).await, 1);
    assert_eq!(f.store.report(id).await.unwrap().unwrap().events.len(), 1);

    // Having seen both, the second saves the merged text from the version now saved.
    f.store
        .act_on_report_at_version(
            id,
            &second,
            write(
                ReportAction::SaveDraft,
                "甲：已完成整治 12 处；乙：已推进重点项目",
                Some(60),
            ),
            None,
            1,
            at(9, 3),
        )
        .await
        .unwrap();
    assert_eq!(
        text(&f, id).await,
        "甲：已完成整治 12 处；乙：已推进重点项目"
    );
    assert_eq!(version(&f, id).await, 2);

    // And the first, still on version 1, can no longer overwrite the merge.
    let err = f
        .store
        .act_on_report_at_version(
            id,
            &f.reporter,
            write(ReportAction::Submit, "甲：已完成整治 12 处", Some(40)),
            None,
            1,
            at(9, 4),
        )
        .await
        .unwrap_err();
    let (now, saved, _) = conflict(err);
    assert_eq!(now, 2);
    assert_eq!(
        saved.plain_text(),
        "甲：已完成整治 12 处；乙：已推进重点项目"
    );
    assert_eq!(f.state(id).await, ReportState::Draft);
}

#[tokio::test]
async fn any_step_moves_the_version_so_an_editor_opened_before_it_is_stale() {
    let f = fixture().await;
    let round = f.open("1-9月", None, at(9, 0)).await;
    let id = f.report_of(round, 1, "区城管局").await;
    f.act(
        id,
        &f.reporter,
        write(ReportAction::Submit, "已完成", None),
        at(9, 1),
    )
    .await
    .unwrap();
    let opened = version(&f, id).await;
    // The unit head sends it back; a save from the page opened before is refused even
    // though sending back makes the report editable again.
    f.act(
        id,
        &f.head,
        duban_store::ReportChange {
            comment: Some("请补充数据".into()),
            ..step(ReportAction::SendBack)
        },
        at(9, 2),
    )
    .await
    .unwrap();
    assert_eq!(version(&f, id).await, opened + 1);
    let err = f
        .store
        .act_on_report_at_version(
            id,
            &f.reporter,
            write(ReportAction::SaveDraft, "补充：已完成 3 处", None),
            None,
            opened,
            at(9, 3),
        )
        .await
        .unwrap_err();
    let (now, saved, _) = conflict(err);
    assert_eq!(now, opened + 1);
    assert_eq!(saved.plain_text(), "已完成");
    // Saves without a version (older clients) still go through as before.
    f.act(
        id,
        &f.reporter,
        write(ReportAction::SaveDraft, "补充：已完成 3 处", None),
        at(9, 4),
    )
    .await
    .unwrap();
    assert_eq!(text(&f, id).await, "补充：已完成 3 处");
}

#[tokio::test]
async fn of_many_saves_from_one_version_at_once_exactly_one_is_kept() {
    const WRITERS: usize = 8;
    let f = Arc::new(fixture().await);
    let round = f.open("1-9月", None, at(9, 0)).await;
    let id = f.report_of(round, 1, "区城管局").await;
    let mut reporters = Vec::new();
    for i in 0..WRITERS {
        reporters.push(
            user(
                &f.store,
                &format!("cgj.r{i}"),
                Role::Reporter,
                Some("区城管局"),
            )
            .await,
        );
    }
    let mut handles = Vec::new();
    for (i, reporter) in reporters.into_iter().enumerate() {
        let f = Arc::clone(&f);
        handles.push(tokio::spawn(async move {
            f.store
                .act_on_report_at_version(
                    id,
                    &reporter,
                    write(ReportAction::SaveDraft, &format!("第 {i} 人的内容"), None),
                    None,
                    0,
                    at(9, 1),
                )
                .await
                .map(|_| i)
        }));
    }
    let mut kept = Vec::new();
    let mut refused = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(i) => kept.push(i),
            Err(e) => {
                let (version, saved, _) = conflict(e);
                assert_eq!(version, 1);
                assert!(saved.plain_text().ends_with("人的内容"), "{saved:?}");
                refused += 1;
            }
        }
    }
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(refused, WRITERS - 1);
    assert_eq!(text(&f, id).await, format!("第 {} 人的内容", kept[0]));
    assert_eq!(version(&f, id).await, 1);
    assert!(CAUGHT.load(Ordering::Relaxed) >= WRITERS - 1);
}
