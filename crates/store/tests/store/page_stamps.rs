//! Cached task pages across writes to what they do not show (migration 0024): a page
//! of one notice outlives a report saved on another, a page of every notice's tasks
//! outlives writes to notices not on it, and each is read again as soon as anything
//! it shows or counts changes — checked against the whole computation after every
//! write, so a page kept too long fails.

use std::sync::Arc;

use duban_domain::{ReportAction, ReportState};
use duban_store::TaskPageQuery;

use crate::task_page::{at, check, fixture, query, second_notice};

#[tokio::test]
async fn pages_outlive_writes_to_what_they_do_not_show() {
    let f = fixture().await;
    let round = f.open(f.doc, "1-9月", at(8, 0)).await;
    let round2 = f.open(f.doc2, "1-9月", at(8, 0)).await;
    let one = query(Some(f.doc));
    // Every notice's tasks, first page: five of the first notice's.
    let all = query(None);
    // 区城管局's tasks in both notices, all on one page (five of the first notice's,
    // one of the second's).
    let unit = TaskPageQuery {
        unit: Some("区城管局".into()),
        per_page: 10,
        ..query(None)
    };
    let queries = [&one, &all, &unit];
    let pages = |f: &crate::task_page::Fixture| {
        let store = f.store.clone();
        async move {
            let mut kept = Vec::new();
            for q in queries {
                kept.push(store.task_page(q).await.unwrap());
            }
            kept
        }
    };
    let before = pages(&f).await;

    // A report on the second notice changes state: the first notice's page and the
    // first page of all stay; 区城管局's tasks include the second notice's task 2.
    let other = f.report_of(round2, 2, "区城管局").await;
    f.act(other, &f.cgj, ReportAction::SaveDraft, at(9, 0))
        .await;
    let after = pages(&f).await;
    assert!(Arc::ptr_eq(&before[0], &after[0]), "one notice's page kept");
    assert!(
        Arc::ptr_eq(&before[1], &after[1]),
        "the first page of all kept"
    );
    assert!(
        !Arc::ptr_eq(&before[2], &after[2]),
        "the unit's page read again"
    );
    let cell = after[2]
        .rows
        .iter()
        .find(|r| r.task.document == f.doc2)
        .unwrap();
    assert_eq!(cell.reports[0].state, ReportState::Draft);
    for q in queries {
        check(&f.store, q).await;
    }

    // A report on the first notice: its page and the first page of all are read again.
    let own = f.report_of(round, 1, "区城管局").await;
    f.act(own, &f.cgj, ReportAction::SaveDraft, at(9, 5)).await;
    let again = pages(&f).await;
    assert!(!Arc::ptr_eq(&after[0], &again[0]));
    assert!(!Arc::ptr_eq(&after[1], &again[1]));
    assert_eq!(again[0].rows[0].reports[0].state, ReportState::Draft);
    for q in queries {
        check(&f.store, q).await;
    }

    // A new notice with a task of 区城管局: every list of all notices counts it.
    let directory = f.store.directory().await.unwrap();
    let mut third = second_notice(&directory);
    third.document.title = Some("第三份通报".into());
    third.tasks.truncate(2);
    let saved = f.store.save_notice(&third, "三.docx", false).await.unwrap();
    let latest = pages(&f).await;
    assert!(Arc::ptr_eq(&again[0], &latest[0]), "one notice's page kept");
    assert_eq!(latest[2].total, again[2].total + 1);
    for q in queries {
        check(&f.store, q).await;
    }

    // A unit that leads only a sub-item (区创城办, an alias of 区委文明办) on one
    // notice's page, after all of it.
    let with_subitem = TaskPageQuery {
        unit: Some("区创城办".into()),
        ..query(Some(f.doc))
    };
    check(&f.store, &with_subitem).await;
    assert!(saved.id().0 > f.doc2.0);

    // Every page of every notice's tasks, found from the per-notice counts: pages that
    // start in one notice and end in the next, and past the end.
    for per_page in [4, 5, 7] {
        for page in 1..=6 {
            let q = TaskPageQuery {
                page,
                per_page,
                ..query(None)
            };
            check(&f.store, &q).await;
        }
    }
}
