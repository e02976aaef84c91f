//! Opening reporting rounds in the store: one report per task and lead unit, nothing
//! written for a bad round, and the previous round of a document found.

use duban_domain::{ReportAction, ReportState, RichText};
use duban_store::{DocumentId, NewRound, ReportFilter, RoundId, StoreError};

use crate::workflow::{at, due, fixture, opened_reports, write};

#[tokio::test]
async fn opening_a_round_creates_one_report_per_task_and_lead_unit() {
    let f = fixture().await;
    let round = f.open(" 1-9月 ", None, at(9, 0)).await;

    let reports = f
        .store
        .reports(&ReportFilter {
            round: Some(round),
            ..ReportFilter::default()
        })
        .await
        .unwrap();
    let units: Vec<(u32, &str)> = reports.iter().map(|r| (r.task, r.unit.as_str())).collect();
    assert_eq!(
        units,
        [
            (1, "区城管局"),
            (1, "鲤城公安分局"),
            (1, "区发改局"),
            (2, "区教育局"),
            (2, "区卫健局"),
            (3, "区委文明办"),
        ]
    );
    for r in &reports {
        assert_eq!(r.state, ReportState::NotStarted);
        assert_eq!(r.round, round);
        assert_eq!(r.round_label, "1-9月");
        assert_eq!(r.due, due());
        assert_eq!(r.document, f.doc);
        assert_eq!(
            (r.percent, r.updated_at, r.submitted_at),
            (None, None, None)
        );
    }
    assert_eq!(reports[3].task_content, "推进医教协同");
    let detail = f.store.report(reports[0].id).await.unwrap().unwrap();
    assert!(detail.text.is_empty());
    assert!(detail.events.is_empty());

    let summary = f.store.round(round).await.unwrap().unwrap();
    assert_eq!(summary.label, "1-9月");
    assert_eq!(summary.document, f.doc);
    assert_eq!(summary.due, due());
    assert_eq!(summary.opened_at, at(9, 0));
    assert!(!summary.closed);
    assert_eq!(
        (summary.reports, summary.reported, summary.accepted),
        (6, 0, 0)
    );

    // A round on chosen tasks only (duplicates and order do not matter).
    let partial = f.open("10月", Some(vec![3, 2, 3]), at(10, 0)).await;
    let summary = f.store.round(partial).await.unwrap().unwrap();
    assert_eq!(summary.reports, 3);

    // Newest first; per document; with the imported notice's own round, closed.
    let rounds = f.store.rounds(None).await.unwrap();
    let imported: Vec<&duban_store::RoundSummary> = rounds.iter().filter(|r| r.imported).collect();
    assert!(
        imported.len() <= 1 && imported.iter().all(|r| r.closed),
        "{rounds:?}"
    );
    assert_eq!(
        rounds
            .iter()
            .filter(|r| !r.imported)
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        [partial, round]
    );
    assert_eq!(
        f.store.rounds(Some(f.doc)).await.unwrap().len(),
        2 + imported.len()
    );
    assert!(
        f.store
            .rounds(Some(DocumentId(999)))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(f.store.round(RoundId(999)).await.unwrap().is_none());
}

#[tokio::test]
async fn a_bad_round_writes_nothing() {
    let f = fixture().await;
    let new = |tasks: Option<Vec<u32>>| NewRound {
        document: f.doc,
        label: "1-9月".into(),
        due: due(),
        tasks,
    };

    let err = f
        .store
        .open_round(new(Some(vec![2, 9, 7])), f.office.id, at(9, 0))
        .await
        .unwrap_err();
    match &err {
        StoreError::UnknownTasks { document, numbers } => {
            assert_eq!(*document, f.doc);
            assert_eq!(numbers, &[7, 9]);
        }
        other => panic!("expected UnknownTasks, got {other:?}"),
    }
    assert!(err.to_string().contains("没有序号为 7、9 的任务"), "{err}");

    let err = f
        .store
        .open_round(
            NewRound {
                document: DocumentId(999),
                ..new(None)
            },
            f.office.id,
            at(9, 0),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound(DocumentId(999))),
        "{err:?}"
    );

    let err = f
        .store
        .open_round(new(Some(Vec::new())), f.office.id, at(9, 0))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NothingToReport(_)), "{err:?}");

    let err = f
        .store
        .open_round(
            NewRound {
                label: "  ".into(),
                ..new(None)
            },
            f.office.id,
            at(9, 0),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::RoundLabelRequired), "{err:?}");

    let err = f
        .store
        .open_round(new(None), duban_store::UserId(999), at(9, 0))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::UserNotFound(_)), "{err:?}");

    assert!(
        f.store
            .rounds(None)
            .await
            .unwrap()
            .iter()
            .all(|r| r.imported)
    );
    assert!(
        opened_reports(&f.store, &ReportFilter::default())
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn the_previous_round_is_found() {
    use ReportAction as A;
    let f = fixture().await;
    let first = f.open("1-6月", None, at(9, 0)).await;

    // Before any reporting round: the notice's own progress, labelled as its round.
    let id = f.report_of(first, 1, "区城管局").await;
    let detail = f.store.report(id).await.unwrap().unwrap();
    assert_eq!(
        detail.previous,
        Some((
            "通报所载进展".to_string(),
            RichText::plain("区城管局：已完成整治。")
        ))
    );
    // The notice's progress cell for task 2 is empty: nothing to compare with.
    let id2 = f.report_of(first, 2, "区卫健局").await;
    assert_eq!(f.store.report(id2).await.unwrap().unwrap().previous, None);

    f.act(
        id,
        &f.reporter,
        write(A::SaveDraft, "上半年整治 8 处", None),
        at(9, 1),
    )
    .await
    .unwrap();
    let second = f.open("1-9月", None, at(10, 0)).await;
    let third = f.open("1-10月", None, at(11, 0)).await;

    let id = f.report_of(second, 1, "区城管局").await;
    assert_eq!(
        f.store.report(id).await.unwrap().unwrap().previous,
        Some(("1-6月".to_string(), RichText::plain("上半年整治 8 处")))
    );
    // The second round's report is empty: the third looks back past it.
    let id = f.report_of(third, 1, "区城管局").await;
    assert_eq!(
        f.store.report(id).await.unwrap().unwrap().previous,
        Some(("1-6月".to_string(), RichText::plain("上半年整治 8 处")))
    );
    // Another unit on the same task has only the notice's progress.
    let id = f.report_of(third, 1, "鲤城公安分局").await;
    assert_eq!(
        f.store
            .report(id)
            .await
            .unwrap()
            .unwrap()
            .previous
            .unwrap()
            .0,
        "通报所载进展"
    );
}
