//! `Store::copy_into` (`duban migrate-data`): everything copied into an empty store and
//! back, equal table by table; a target holding anything refused and left as it was.
//! In the PostgreSQL run the first copy goes to SQLite and the second back to
//! PostgreSQL, so both directions are covered.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use duban_domain::analysis::Status;
use duban_domain::{
    Document, Notice, ReportAction, RichText, Role, TaskAction, TaskDraft, UnitDirectory,
};
use duban_store::{
    AssignmentFilter, DocumentId, NewAttachment, ReportChange, ReportFilter, Store, StoreError,
};

use crate::common::{
    connect, new_user, open_round, report_of, save_notice, sql, sqlite_db, temp_db, user,
};

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 10, 1, hour, 0, 0).unwrap()
}

/// A store with a bit of everything: a notice, accounts, a session, a round with a
/// report written, submitted and given a file, an assignment acknowledged, a closure
/// step, the office's 审定.
pub async fn fill(store: &Store) -> DocumentId {
    let drafts = vec![
        TaskDraft {
            number: 1,
            content: RichText::plain("整治占道经营"),
            lead_units: "区城管局".into(),
            progress: Some(RichText::plain("已完成70%")),
            ..TaskDraft::default()
        },
        TaskDraft {
            number: 2,
            content: RichText::plain("推进重点项目①开工②竣工"),
            lead_units: "区发改局".into(),
            cooperating_units: "区城管局".into(),
            ..TaskDraft::default()
        },
    ];
    let notice = Notice::assemble(Document::default(), drafts, &UnitDirectory::default());
    let doc = save_notice(store, &notice, "通报.docx").await;
    let office = user(store, "duchashi", Role::Supervisor, None).await;
    let reporter = user(store, "cgj.lly", Role::Reporter, Some("区城管局")).await;
    store
        .create_session("ab12", reporter.id, at(20), at(7), false)
        .await
        .unwrap();
    let due = NaiveDate::from_ymd_opt(2024, 10, 10).unwrap();
    let round = open_round(store, doc, "1-9月", due, None, office.id, at(8)).await;
    let report = report_of(store, round, 1, "区城管局").await;
    store
        .add_attachment(
            report,
            &reporter,
            NewAttachment {
                filename: "照片.png".into(),
                content_type: "image/png".into(),
                data: vec![0x89, b'P', b'N', b'G', 0, 255, 7],
            },
            at(9),
        )
        .await
        .unwrap();
    for action in [ReportAction::SaveDraft, ReportAction::Submit] {
        store
            .act_on_report(
                report,
                &reporter,
                ReportChange {
                    action,
                    text: Some(RichText::plain("已清理占道摊点23处")),
                    percent: Some(duban_domain::Percent::new(80).expect("80")),
                    comment: None,
                },
                at(9),
            )
            .await
            .unwrap();
    }
    store
        .assign_document(doc, due, office.id, at(8))
        .await
        .unwrap();
    store.acknowledge(doc, 1, &reporter, at(9)).await.unwrap();
    store
        .act_on_task(
            doc,
            1,
            &reporter,
            TaskAction::ClaimDone,
            Some("已完成"),
            at(10),
        )
        .await
        .unwrap();
    store
        .set_status_override(doc, 2, &office, Status::Lagging, "进度滞后", at(11))
        .await
        .unwrap();
    doc
}

/// What the store shows of `doc`, through its API: equal on equal data.
pub async fn shown(store: &Store, doc: DocumentId) -> String {
    let reports = store.reports(&ReportFilter::default()).await.unwrap();
    let mut details = Vec::new();
    for r in &reports {
        details.push(format!("{:?}", store.report(r.id).await.unwrap()));
        for file in store.attachments(r.id).await.unwrap() {
            details.push(format!("{:?}", store.attachment(file.id).await.unwrap()));
        }
    }
    format!(
        "{:?}\n{reports:?}\n{details:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        store.load_notice(doc).await.unwrap(),
        store
            .assignments(&AssignmentFilter::default())
            .await
            .unwrap(),
        store.task_status(doc, 1).await.unwrap(),
        store.status_overrides(doc).await.unwrap(),
        store
            .session("ab12", at(12), at(0), at(0))
            .await
            .unwrap()
            .map(|s| s.user),
        store.rounds(None).await.unwrap(),
    )
}

#[tokio::test]
async fn a_store_copies_whole_into_an_empty_one_and_back() {
    let source_db = temp_db().await;
    let source = connect(&source_db).await;
    let doc = fill(&source).await;

    let middle_db = sqlite_db();
    let middle = connect(&middle_db).await;
    let mut heard = Vec::new();
    let there = source
        .copy_into(&middle, |table| heard.push(table.table))
        .await
        .unwrap();
    assert_eq!(heard, there.iter().map(|t| t.table).collect::<Vec<_>>());
    let rows = |table: &str| there.iter().find(|t| t.table == table).unwrap().rows;
    assert_eq!(
        rows("reports"),
        3,
        "the notice's progress and the round's two"
    );
    assert_eq!(rows("report_events"), 2);
    assert_eq!(rows("report_attachments"), 1);
    assert_eq!(rows("task_events"), 1);
    assert_eq!(rows("sessions"), 1);
    assert_eq!(shown(&middle, doc).await, shown(&source, doc).await);

    let back_db = temp_db().await;
    let back = connect(&back_db).await;
    let back_again = middle.copy_into(&back, |_| {}).await.unwrap();
    assert_eq!(back_again, there, "the same rows and checksums both ways");
    assert_eq!(shown(&back, doc).await, shown(&source, doc).await);

    // The copies go on from the ids they were given.
    for store in [&middle, &back] {
        let created = store
            .create_user(new_user("fgj.lly", Role::Reporter, Some("区发改局")))
            .await
            .unwrap();
        assert!(created.id.0 > 2, "{created:?}");
    }
}

#[tokio::test]
async fn a_target_with_data_is_refused_and_left_as_it_was() {
    let source_db = temp_db().await;
    let source = connect(&source_db).await;
    let doc = fill(&source).await;
    let target_db = sqlite_db();
    let target = connect(&target_db).await;
    user(&target, "admin", Role::Admin, None).await;
    let before = format!("{:?}", target.users().await.unwrap());

    let err = source.copy_into(&target, |_| {}).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::TargetNotEmpty { table, rows: 1 } if table == "users"),
        "{err:?}"
    );
    assert!(err.to_string().contains("空数据库"), "{err}");
    assert_eq!(format!("{:?}", target.users().await.unwrap()), before);
    assert!(target.list_documents().await.unwrap().is_empty());
    // Nor was the source touched.
    assert_eq!(source.list_documents().await.unwrap()[0].id, doc);
}

#[tokio::test]
async fn a_copy_that_fails_midway_leaves_the_target_empty() {
    let source_db = temp_db().await;
    let source = connect(&source_db).await;
    fill(&source).await;
    let target_db = sqlite_db();
    let target = connect(&target_db).await;
    // The target refuses report events: the copy fails after a dozen tables went in.
    sql(
        &target_db,
        "CREATE TRIGGER refuse BEFORE INSERT ON report_events \
         BEGIN SELECT RAISE(ABORT, '拒绝写入'); END",
    )
    .await;
    let err = source.copy_into(&target, |_| {}).await.unwrap_err();
    assert!(err.to_string().contains("拒绝写入"), "{err}");
    assert!(target.list_documents().await.unwrap().is_empty());
    assert!(target.users().await.unwrap().is_empty());
    assert!(target.directory().await.unwrap().units.is_empty());
}
