//! Scheduled reporting rounds in the store: creating, listing, pausing and deleting
//! schedules, and the tick that opens each due period's round exactly once, also when
//! several servers (stores on the same database file) tick at the same moment.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use duban_domain::schedule::{Cadence, Schedule};
use duban_domain::{Document, Notice, RichText, TaskDraft, UnitDirectory};
use duban_store::{
    DocumentId, NewSchedule, PeriodState, ReportFilter, STALE_CLAIM_MINUTES, ScheduleId, Store,
    StoreError, User,
};

use crate::common::{TempDb, connect, office, open_round, save_notice, temp_db};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// `y-m-d` at 09:00 China time.
fn morning(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 1, 0, 0).unwrap()
}

fn notice() -> Notice {
    let drafts = vec![
        TaskDraft {
            number: 1,
            content: RichText::plain("推进重点项目"),
            lead_units: "区发改局、区财政局".into(),
            ..TaskDraft::default()
        },
        TaskDraft {
            number: 2,
            content: RichText::plain("深化全国文明城市创建"),
            lead_units: "区委文明办".into(),
            ..TaskDraft::default()
        },
        TaskDraft {
            number: 3,
            content: RichText::plain("常态化工作"),
            lead_units: String::new(),
            ..TaskDraft::default()
        },
    ];
    Notice::assemble(Document::default(), drafts, &UnitDirectory::default())
}

struct Fixture {
    db: TempDb,
    store: Store,
    doc: DocumentId,
    office: User,
}

async fn fixture() -> Fixture {
    let db = temp_db().await;
    let store = connect(&db).await;
    let doc = save_notice(&store, &notice(), "通报.docx").await;
    let office = office(&store, "区政府督查室").await;
    Fixture {
        db,
        store,
        doc,
        office,
    }
}

/// Monthly in 2024: opens 5 days before the month's end, due 10 days after it.
fn monthly() -> Schedule {
    Schedule {
        cadence: Cadence::Monthly,
        year: 2024,
        start: date(2024, 1, 1),
        lead_days: 5,
        due_days: 10,
    }
}

impl Fixture {
    async fn create(&self, schedule: Schedule, tasks: Option<Vec<u32>>) -> ScheduleId {
        self.store
            .create_schedule(
                NewSchedule {
                    document: self.doc,
                    schedule,
                    tasks,
                },
                self.office.id,
                morning(2024, 1, 1),
            )
            .await
            .unwrap()
    }

    /// Runs SQL on the database behind the store's back (a crash, a broken row).
    async fn sql(&self, statement: &str) {
        crate::common::sql(&self.db, statement).await;
    }
}

#[tokio::test]
async fn create_list_pause_and_delete() {
    let f = fixture().await;
    let id = f.create(monthly(), Some(vec![2, 1, 2])).await;
    let list = f.store.schedules(None).await.unwrap();
    assert_eq!(list.len(), 1);
    let s = &list[0];
    assert_eq!(s.id, id);
    assert_eq!(s.document, f.doc);
    assert_eq!(s.schedule, monthly());
    assert_eq!(s.tasks, Some(vec![1, 2]));
    assert!(!s.paused);
    assert_eq!(s.created_by, "区政府督查室");
    assert!(s.periods.is_empty());
    assert_eq!(f.store.schedules(Some(DocumentId(999))).await.unwrap(), []);

    assert!(f.store.set_schedule_paused(id, true).await.unwrap());
    assert!(f.store.schedule(id).await.unwrap().unwrap().paused);
    assert!(
        !f.store
            .set_schedule_paused(ScheduleId(999), true)
            .await
            .unwrap()
    );

    // JSON shape: the schedule's fields sit beside the rest.
    let json = serde_json::to_value(f.store.schedule(id).await.unwrap().unwrap()).unwrap();
    assert_eq!(json["cadence"], "monthly");
    assert_eq!(json["start"], "2024-01-01");
    assert_eq!(json["paused"], true);

    assert!(f.store.delete_schedule(id).await.unwrap());
    assert!(!f.store.delete_schedule(id).await.unwrap());
    assert_eq!(f.store.schedule(id).await.unwrap(), None);
}

#[tokio::test]
async fn creating_checks_the_document_and_tasks() {
    let f = fixture().await;
    let new = |document, tasks| NewSchedule {
        document,
        schedule: monthly(),
        tasks,
    };
    let at = morning(2024, 1, 1);
    let err = f
        .store
        .create_schedule(new(DocumentId(999), None), f.office.id, at)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound(DocumentId(999))),
        "{err}"
    );
    let err = f
        .store
        .create_schedule(new(f.doc, Some(vec![1, 7])), f.office.id, at)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::UnknownTasks { numbers, .. } if numbers == &[7]),
        "{err}"
    );
    // Task 3 has no lead unit: nobody would report.
    let err = f
        .store
        .create_schedule(new(f.doc, Some(vec![3])), f.office.id, at)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NothingToReport(_)), "{err}");
    // An unchecked schedule is refused, not stored.
    let mut bad = new(f.doc, None);
    bad.schedule.lead_days = 40;
    assert!(f.store.create_schedule(bad, f.office.id, at).await.is_err());
    assert_eq!(f.store.schedules(None).await.unwrap(), []);
}

#[tokio::test]
async fn a_tick_opens_each_due_period_once() {
    let f = fixture().await;
    let id = f.create(monthly(), Some(vec![1])).await;
    // 2024-02-20: January's round is due 02-10 (missed, not opened), February's
    // opens 02-24.
    let outcome = f.store.open_due_rounds(morning(2024, 2, 20)).await.unwrap();
    assert_eq!(outcome.opened, []);
    assert_eq!(outcome.failed, []);

    // Leap year: February ends on the 29th, so its round opens on the 24th.
    let outcome = f.store.open_due_rounds(morning(2024, 2, 24)).await.unwrap();
    assert_eq!(outcome.opened.len(), 1, "{outcome:?}");
    let opened = &outcome.opened[0];
    assert_eq!(opened.label, "1-2月");
    assert_eq!(opened.period, "2024-M02");
    assert_eq!(opened.due, date(2024, 3, 10));
    assert_eq!(opened.schedule, id);

    let rounds = f.store.rounds(Some(f.doc)).await.unwrap();
    assert_eq!(rounds.len(), 1);
    assert_eq!(rounds[0].id, opened.round);
    assert_eq!(rounds[0].label, "1-2月");
    assert_eq!(rounds[0].due, date(2024, 3, 10));
    // Task 1 only: its two lead units.
    assert_eq!(rounds[0].reports, 2);

    // Again, the same day or later: nothing new until March's round opens.
    for day in [24, 25, 29] {
        let again = f
            .store
            .open_due_rounds(morning(2024, 2, day))
            .await
            .unwrap();
        assert_eq!(again.opened, [], "day {day}");
    }
    let march = f.store.open_due_rounds(morning(2024, 3, 26)).await.unwrap();
    assert_eq!(march.opened.len(), 1);
    assert_eq!(march.opened[0].label, "1-3月");
    assert_eq!(f.store.rounds(Some(f.doc)).await.unwrap().len(), 2);

    let s = f.store.schedule(id).await.unwrap().unwrap();
    let periods: Vec<(&str, PeriodState)> = s
        .periods
        .iter()
        .map(|p| (p.period.as_str(), p.state))
        .collect();
    assert_eq!(
        periods,
        [
            ("2024-M03", PeriodState::Opened),
            ("2024-M02", PeriodState::Opened)
        ]
    );
    assert!(s.periods.iter().all(|p| p.round.is_some()));
}

#[tokio::test]
async fn december_opens_in_the_year_and_is_due_in_the_next() {
    let f = fixture().await;
    f.create(monthly(), None).await;
    let outcome = f.store.open_due_rounds(morning(2025, 1, 3)).await.unwrap();
    assert_eq!(outcome.opened.len(), 1);
    assert_eq!(outcome.opened[0].label, "1-12月");
    assert_eq!(outcome.opened[0].due, date(2025, 1, 10));
    // Every task with a lead unit: 2 + 1 reports.
    assert_eq!(f.store.rounds(None).await.unwrap()[0].reports, 3);
    // The schedule's year is over: nothing more, ever.
    let later = f.store.open_due_rounds(morning(2025, 3, 1)).await.unwrap();
    assert_eq!(later.opened, []);
}

#[tokio::test]
async fn paused_schedules_open_nothing() {
    let f = fixture().await;
    let id = f.create(monthly(), None).await;
    f.store.set_schedule_paused(id, true).await.unwrap();
    let outcome = f.store.open_due_rounds(morning(2024, 2, 26)).await.unwrap();
    assert_eq!(outcome.opened, []);
    f.store.set_schedule_paused(id, false).await.unwrap();
    let outcome = f.store.open_due_rounds(morning(2024, 2, 26)).await.unwrap();
    assert_eq!(outcome.opened.len(), 1);
}

/// Several app servers on one database, ticking at the same moment: each period's
/// round is opened once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_ticks_open_each_round_exactly_once() {
    let f = fixture().await;
    // Due on 2024-10-22: September's round (due 10-30) and week 43's (Monday to Friday).
    let mut overlapping = monthly();
    overlapping.due_days = 30;
    f.create(overlapping, None).await;
    f.create(
        Schedule {
            cadence: Cadence::Weekly,
            year: 2024,
            start: date(2024, 10, 1),
            lead_days: 6,
            due_days: -2,
        },
        Some(vec![2]),
    )
    .await;
    let mut servers = Vec::new();
    for _ in 0..6 {
        servers.push(Store::connect(&f.db.url).await.unwrap());
    }
    let now = morning(2024, 10, 22);
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(servers.len()));
    let ticks: Vec<_> = servers
        .into_iter()
        .map(|store| {
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                store.open_due_rounds(now).await
            })
        })
        .collect();
    let mut opened = Vec::new();
    for tick in ticks {
        let outcome = tick.await.unwrap().unwrap();
        assert_eq!(outcome.failed, [], "{outcome:?}");
        opened.extend(outcome.opened);
    }
    let mut labels: Vec<String> = opened.iter().map(|o| o.label.clone()).collect();
    labels.sort();
    assert_eq!(labels, ["1-9月", "第43周（10月21日-10月27日）"]);
    let rounds = f.store.rounds(None).await.unwrap();
    let mut stored: Vec<&str> = rounds.iter().map(|r| r.label.as_str()).collect();
    stored.sort_unstable();
    assert_eq!(stored, ["1-9月", "第43周（10月21日-10月27日）"]);
    // Each round has its reports once.
    let reports = f.store.reports(&ReportFilter::default()).await.unwrap();
    assert_eq!(reports.len(), 3 + 1);
}

#[tokio::test]
async fn a_round_that_cannot_be_opened_leaves_nothing_half_written() {
    let f = fixture().await;
    let id = f.create(monthly(), Some(vec![2])).await;
    // The unit leading task 2 is taken off it after the schedule was made.
    f.sql("DELETE FROM task_units WHERE task_id = (SELECT id FROM tasks WHERE number = 2)")
        .await;
    let outcome = f.store.open_due_rounds(morning(2024, 2, 26)).await.unwrap();
    assert_eq!(outcome.opened, []);
    assert_eq!(outcome.failed.len(), 1);
    let failed = &outcome.failed[0];
    assert!(!failed.retried);
    assert!(
        failed.error.contains("没有需要填报的牵头单位"),
        "{}",
        failed.error
    );
    // No round, no report; the failure is recorded on the schedule.
    assert_eq!(f.store.rounds(None).await.unwrap(), []);
    assert_eq!(f.store.reports(&ReportFilter::default()).await.unwrap(), []);
    let s = f.store.schedule(id).await.unwrap().unwrap();
    assert_eq!(s.periods.len(), 1);
    assert_eq!(s.periods[0].state, PeriodState::Failed);
    assert_eq!(s.periods[0].round, None);
    assert!(s.periods[0].error.as_deref().unwrap().contains("牵头单位"));
    // Not tried again (and not logged again) on the next tick.
    let again = f.store.open_due_rounds(morning(2024, 2, 27)).await.unwrap();
    assert_eq!(again.failed, []);
}

#[tokio::test]
async fn a_claim_cut_short_is_taken_up_again_once_stale() {
    let f = fixture().await;
    let id = f.create(monthly(), None).await;
    let now = morning(2024, 2, 26);
    // A server claimed February and stopped before opening the round.
    let claimed_at =
        (now - Duration::minutes(1)).to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    f.sql(&format!(
        "INSERT INTO schedule_periods (schedule_id, period, label, due, state, claimed_at) \
         VALUES ({}, '2024-M02', '1-2月', '2024-03-10', 'claimed', '{claimed_at}')",
        id.0
    ))
    .await;
    // Fresh: it may still be at work, so nobody else opens the round.
    let outcome = f.store.open_due_rounds(now).await.unwrap();
    assert_eq!(outcome.opened, []);
    assert_eq!(f.store.rounds(None).await.unwrap(), []);
    // Stale: taken up and opened, once.
    let later = now + Duration::minutes(STALE_CLAIM_MINUTES + 1);
    let outcome = f.store.open_due_rounds(later).await.unwrap();
    assert_eq!(outcome.opened.len(), 1);
    let again = f.store.open_due_rounds(later).await.unwrap();
    assert_eq!(again.opened, []);
    assert_eq!(f.store.rounds(None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_claim_cut_short_after_its_round_was_opened_is_not_opened_twice() {
    let f = fixture().await;
    let id = f.create(monthly(), None).await;
    let now = morning(2024, 2, 26);
    let claimed_at = now.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    f.sql(&format!(
        "INSERT INTO schedule_periods (schedule_id, period, label, due, state, claimed_at) \
         VALUES ({}, '2024-M02', '1-2月', '2024-03-10', 'claimed', '{claimed_at}')",
        id.0
    ))
    .await;
    // The server opened the round, then stopped before recording it.
    let round = open_round(
        &f.store,
        f.doc,
        "1-2月",
        date(2024, 3, 10),
        None,
        f.office.id,
        now + Duration::seconds(1),
    )
    .await;
    let later = now + Duration::minutes(STALE_CLAIM_MINUTES + 1);
    let outcome = f.store.open_due_rounds(later).await.unwrap();
    assert_eq!(outcome.opened.len(), 1);
    assert_eq!(outcome.opened[0].round, round);
    assert_eq!(f.store.rounds(None).await.unwrap().len(), 1);
    let s = f.store.schedule(id).await.unwrap().unwrap();
    assert_eq!(s.periods[0].state, PeriodState::Opened);
    assert_eq!(s.periods[0].round, Some(round));
}

#[tokio::test]
async fn deleting_a_schedule_keeps_its_rounds() {
    let f = fixture().await;
    let id = f.create(monthly(), None).await;
    f.store.open_due_rounds(morning(2024, 2, 26)).await.unwrap();
    assert!(f.store.delete_schedule(id).await.unwrap());
    assert_eq!(f.store.rounds(None).await.unwrap().len(), 1);
}
