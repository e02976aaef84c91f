//! Generated data written whole (`duban demo-data`): rounds many to a transaction with
//! the row triggers set aside, notices many to a transaction. What the triggers keep
//! (round counts, the generation, the audit log) must come out as if they had fired,
//! and they must fire again afterwards; a refused batch writes nothing.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use duban_domain::{
    DocNumber, Document, Notice, ReportAction, ReportState, RichText, Role, TaskDraft,
    UnitDirectory,
};
use duban_store::audit::AuditFilter;
use duban_store::{
    BulkEvent, BulkReport, BulkRound, DocumentId, ReportChange, Store, StoreError, User,
};

use crate::common::{TempDb, connect, report_of, save_notice, temp_db, user};

fn utc(month: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, month, day, 1, 0, 0).unwrap()
}

fn numbered(number: &str, drafts: Vec<TaskDraft>) -> Notice {
    Notice::assemble(
        Document {
            doc_number: Some(DocNumber::parse(number).unwrap()),
            ..Document::default()
        },
        drafts,
        &UnitDirectory::default(),
    )
}

fn task(number: u32, lead: &str) -> TaskDraft {
    TaskDraft {
        number,
        content: RichText::plain(&format!("第{number}项任务。")),
        lead_units: lead.into(),
        ..TaskDraft::default()
    }
}

struct Fixture {
    _db: TempDb,
    store: Store,
    first: DocumentId,
    second: DocumentId,
    office: User,
    reporter: User,
}

async fn fixture() -> Fixture {
    let db = temp_db().await;
    let store = connect(&db).await;
    let first = save_notice(
        &store,
        &numbered(
            "泉鲤政办〔2025〕1号",
            vec![
                task(1, "区发改局"),
                task(2, "区发改局、区财政局"),
                task(3, "区财政局"),
            ],
        ),
        "一.docx",
    )
    .await;
    let second = save_notice(
        &store,
        &numbered("泉鲤政办〔2025〕2号", vec![task(1, "区财政局")]),
        "二.docx",
    )
    .await;
    let office = user(&store, "duchashi", Role::Supervisor, None).await;
    let reporter = user(&store, "fgj.lly", Role::Reporter, Some("区发改局")).await;
    Fixture {
        _db: db,
        store,
        first,
        second,
        office,
        reporter,
    }
}

/// A report in `state`, with one step per state it went through from 未填报.
fn report(f: &Fixture, task: u32, unit: &str, state: ReportState) -> BulkReport {
    use ReportAction::*;
    let path: &[(ReportAction, ReportState, Role)] = match state {
        ReportState::NotStarted => &[],
        ReportState::Draft => &[(SaveDraft, ReportState::Draft, Role::Reporter)],
        ReportState::Submitted => &[(Submit, ReportState::Submitted, Role::Reporter)],
        _ => &[
            (Submit, ReportState::Submitted, Role::Reporter),
            (Approve, ReportState::UnitApproved, Role::UnitHead),
            (Accept, ReportState::Accepted, Role::Supervisor),
        ],
    };
    let mut from = ReportState::NotStarted;
    let events = path
        .iter()
        .enumerate()
        .map(|(i, (action, to, role))| {
            let event = BulkEvent {
                at: utc(2, 1 + i as u32),
                actor: f.office.id,
                actor_role: *role,
                action: *action,
                from,
                to: *to,
                comment: None,
            };
            from = *to;
            event
        })
        .collect();
    BulkReport {
        task,
        unit: unit.into(),
        state,
        text: RichText::plain(&format!("{unit}第{task}项进展。")),
        percent: (state != ReportState::NotStarted).then_some(50),
        updated_at: None,
        submitted_at: None,
        events,
    }
}

fn round(document: DocumentId, label: &str, f: &Fixture, reports: Vec<BulkReport>) -> BulkRound {
    BulkRound {
        document,
        label: label.into(),
        due: NaiveDate::from_ymd_opt(2025, 2, 28).unwrap(),
        opened_by: f.office.id,
        opened_at: utc(2, 1),
        closed_at: None,
        reports,
    }
}

fn entries(action: &str) -> AuditFilter {
    AuditFilter {
        action: Some(action.into()),
        limit: 100,
        ..AuditFilter::default()
    }
}

#[tokio::test]
async fn rounds_written_whole_count_and_log_as_the_triggers_would_and_the_triggers_return() {
    use ReportState::*;
    let f = fixture().await;
    let generation = f.store.generation().await.unwrap();
    let rounds = vec![
        round(
            f.first,
            "1月",
            &f,
            vec![
                report(&f, 1, "区发改局", Accepted),
                report(&f, 2, "区发改局", Submitted),
                report(&f, 2, "区财政局", Draft),
                report(&f, 3, "区财政局", NotStarted),
            ],
        ),
        round(
            f.second,
            "1月",
            &f,
            vec![report(&f, 1, "区财政局", Accepted)],
        ),
        round(
            f.first,
            "2月",
            &f,
            vec![
                report(&f, 1, "区发改局", NotStarted),
                report(&f, 2, "区发改局", Accepted),
            ],
        ),
    ];
    let ids = f.store.write_rounds_whole(&rounds).await.unwrap();
    assert_eq!(ids.len(), 3);

    // The counts the rounds list reads (kept by `round_counts`) agree with the reports.
    let listed = f.store.rounds(None).await.unwrap();
    let counts = |id| {
        let r = listed.iter().find(|r| r.id == id).unwrap();
        (r.reports, r.reported, r.accepted)
    };
    assert_eq!(counts(ids[0]), (4, 2, 1));
    assert_eq!(counts(ids[1]), (1, 1, 1));
    assert_eq!(counts(ids[2]), (2, 1, 1));

    // Each report has its own steps, in order.
    let accepted = report_of(&f.store, ids[0], 1, "区发改局").await;
    let detail = f.store.report(accepted).await.unwrap().unwrap();
    let steps: Vec<ReportAction> = detail.events.iter().map(|e| e.action).collect();
    assert_eq!(
        steps,
        [
            ReportAction::Submit,
            ReportAction::Approve,
            ReportAction::Accept
        ]
    );
    assert_eq!(detail.text.plain_text(), "区发改局第1项进展。");
    let draft = report_of(&f.store, ids[0], 2, "区财政局").await;
    let detail = f.store.report(draft).await.unwrap().unwrap();
    assert_eq!(detail.events.len(), 1);
    assert_eq!(detail.summary.state, Draft);

    // Pages cached before the batch are not served after it.
    assert!(f.store.generation().await.unwrap() > generation);

    // One entry in the audit log for the batch, none per row.
    let logged = f
        .store
        .audit_entries(&entries("bulk_rounds"))
        .await
        .unwrap();
    assert_eq!(logged.entries.len(), 1);
    let details: serde_json::Value =
        serde_json::from_str(logged.entries[0].after_json.as_deref().unwrap()).unwrap();
    assert_eq!(
        details["rounds"],
        serde_json::json!(ids.iter().map(|r| r.0).collect::<Vec<_>>())
    );
    assert_eq!(details["reports"], 7);
    assert_eq!(details["events"], 11);
    let rows = AuditFilter {
        table: Some("reports".into()),
        limit: 100,
        ..AuditFilter::default()
    };
    assert!(
        f.store
            .audit_entries(&rows)
            .await
            .unwrap()
            .entries
            .is_empty()
    );

    // The triggers fire again: a unit's step moves the counts and is logged row by row.
    let not_started = report_of(&f.store, ids[2], 1, "区发改局").await;
    f.store
        .act_on_report(
            not_started,
            &f.reporter,
            ReportChange {
                action: ReportAction::Submit,
                text: Some(RichText::plain("已完成。")),
                percent: None,
                comment: None,
            },
            utc(2, 20),
        )
        .await
        .unwrap();
    let listed = f.store.rounds(None).await.unwrap();
    let round = listed.iter().find(|r| r.id == ids[2]).unwrap();
    assert_eq!((round.reports, round.reported), (2, 2));
    assert!(
        !f.store
            .audit_entries(&rows)
            .await
            .unwrap()
            .entries
            .is_empty()
    );
    assert!(f.store.verify_audit().await.unwrap().tampering.is_none());
}

#[tokio::test]
async fn a_refused_batch_writes_nothing_and_leaves_the_triggers_in_place() {
    use ReportState::*;
    let f = fixture().await;
    let rounds = vec![
        round(
            f.first,
            "1月",
            &f,
            vec![report(&f, 1, "区发改局", Accepted)],
        ),
        // 区发改局 does not lead task 3.
        round(f.first, "2月", &f, vec![report(&f, 3, "区发改局", Draft)]),
    ];
    let refused = f.store.write_rounds_whole(&rounds).await;
    assert!(
        matches!(refused, Err(StoreError::NotAssigned { task: 3, .. })),
        "{refused:?}"
    );
    assert!(f.store.rounds(None).await.unwrap().is_empty());

    // Rounds opened the ordinary way are counted by the triggers, as before.
    let opened = crate::common::open_round(
        &f.store,
        f.first,
        "3月",
        NaiveDate::from_ymd_opt(2025, 3, 31).unwrap(),
        None,
        f.office.id,
        utc(3, 1),
    )
    .await;
    let listed = f.store.rounds(None).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, opened);
    assert_eq!(listed[0].reports, 4);
}

#[tokio::test]
async fn notices_saved_whole_are_one_entry_in_the_log() {
    let db = temp_db().await;
    let store = connect(&db).await;
    let notices = vec![
        numbered(
            "泉鲤政办〔2025〕7号",
            vec![task(1, "区发改局"), task(2, "区财政局")],
        ),
        numbered("泉鲤政办〔2025〕8号", vec![task(1, "区财政局")]),
    ];
    let ids = store.save_notices_whole(&notices, "生成").await.unwrap();
    assert_eq!(ids.len(), 2);
    for (id, notice) in ids.iter().zip(&notices) {
        assert_eq!(store.load_notice(*id).await.unwrap().tasks, notice.tasks);
    }
    let logged = store.audit_entries(&entries("bulk_notices")).await.unwrap();
    assert_eq!(logged.entries.len(), 1);
    let rows = AuditFilter {
        table: Some("tasks".into()),
        limit: 100,
        ..AuditFilter::default()
    };
    assert!(store.audit_entries(&rows).await.unwrap().entries.is_empty());

    // The same 文号 with other content refuses the whole batch.
    let again = vec![
        numbered("泉鲤政办〔2025〕9号", vec![task(1, "区发改局")]),
        numbered("泉鲤政办〔2025〕8号", vec![task(1, "区发改局")]),
    ];
    let refused = store.save_notices_whole(&again, "生成").await;
    assert!(
        matches!(refused, Err(StoreError::Conflict { .. })),
        "{refused:?}"
    );
    assert_eq!(store.list_documents().await.unwrap().len(), 2);
}
