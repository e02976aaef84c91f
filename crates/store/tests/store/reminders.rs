//! Reminders (催办) in the store: automatic reminders made once per deadline and step
//! (also when several servers tick at once), manual ones, their deliveries per channel
//! and recipient, claiming each delivery once, retries with backoff until failed, and
//! in-app notifications with read receipts kept per account.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use duban_domain::reminder::{Channel, DeliveryState, MAX_ATTEMPTS, ReminderKind, ReminderPolicy};
use duban_domain::{Document, Notice, ReportAction, RichText, Role, TaskDraft, UnitDirectory};
use duban_store::{
    CLAIM_LEASE_MINUTES, DocumentId, ReminderChannels, ReminderTarget, ReportChange, RoundId,
    Store, StoreError, User,
};

use crate::common::{TempDb, connect, office, open_round, report_of, save_notice, temp_db, user};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// `y-m-d` at 09:00 China time.
fn morning(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 1, 0, 0).unwrap()
}

const BOTH: ReminderChannels = ReminderChannels {
    email: true,
    webhook: true,
};

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
            lead_units: "区发改局".into(),
            ..TaskDraft::default()
        },
    ];
    let document = Document {
        title: Some("关于重点工作落实情况的通报".into()),
        ..Document::default()
    };
    Notice::assemble(document, drafts, &UnitDirectory::default())
}

struct Fixture {
    db: TempDb,
    store: Store,
    doc: DocumentId,
    office: User,
    fgj: User,
    fgj_head: User,
    czj: User,
    round: RoundId,
}

/// A round on both tasks, due 2024-11-25; 区发改局's reporter has an e-mail address,
/// its head none; 区财政局's reporter has one.
async fn fixture() -> Fixture {
    let db = temp_db().await;
    let store = connect(&db).await;
    let doc = save_notice(&store, &notice(), "通报.docx").await;
    let office = office(&store, "区政府督查室").await;
    let fgj = user(&store, "fgj.lly", Role::Reporter, Some("区发改局")).await;
    let fgj_head = user(&store, "fgj.fzr", Role::UnitHead, Some("区发改局")).await;
    let czj = user(&store, "czj.lly", Role::Reporter, Some("区财政局")).await;
    user(&store, "lingdao", Role::Leader, None).await;
    assert!(
        store
            .set_user_email(fgj.id, Some("fgj@example.gov.cn"))
            .await
            .unwrap()
    );
    store
        .set_user_email(czj.id, Some("czj@example.gov.cn"))
        .await
        .unwrap();
    let round = open_round(
        &store,
        doc,
        "1-11月",
        date(2024, 11, 25),
        None,
        office.id,
        morning(2024, 11, 1),
    )
    .await;
    Fixture {
        db,
        store,
        doc,
        office,
        fgj,
        fgj_head,
        czj,
        round,
    }
}

impl Fixture {
    async fn submit(&self, task: u32, unit: &str, who: &User) {
        let id = report_of(&self.store, self.round, task, unit).await;
        self.store
            .act_on_report(
                id,
                who,
                ReportChange {
                    action: ReportAction::Submit,
                    text: Some(RichText::plain("已完成年度目标的九成")),
                    percent: None,
                    comment: None,
                },
                morning(2024, 11, 2),
            )
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn reminders_fall_due_once_per_step_to_the_units_reporters_and_heads() {
    let f = fixture().await;
    let policy = ReminderPolicy::default();
    // 区财政局 has reported its only task: it gets none.
    f.submit(1, "区财政局", &f.czj).await;
    assert_eq!(
        f.store
            .create_due_reminders(&policy, BOTH, morning(2024, 11, 21))
            .await
            .unwrap(),
        []
    );
    let made = f
        .store
        .create_due_reminders(&policy, BOTH, morning(2024, 11, 22))
        .await
        .unwrap();
    assert_eq!(made.len(), 1);
    // The next tick the same day, and the next day (the same 3-day step): none.
    for day in [22, 23] {
        let again = f
            .store
            .create_due_reminders(&policy, BOTH, morning(2024, 11, day) + Duration::hours(2))
            .await
            .unwrap();
        assert_eq!(again, [], "day {day}");
    }
    let all = f.store.reminders(None, None, 50).await.unwrap();
    assert_eq!(all.len(), 1);
    let r = &all[0];
    assert_eq!(r.kind, ReminderKind::ReportDue);
    assert_eq!(r.unit, "区发改局");
    assert_eq!(r.tasks, [1, 2]);
    assert_eq!(r.round, Some(f.round));
    assert_eq!(r.due, Some(date(2024, 11, 25)));
    assert!(
        r.subject
            .contains("第1、2项“1-11月”请于2024年11月25日前报送"),
        "{}",
        r.subject
    );
    let mut deliveries: Vec<(Channel, Option<String>, Option<String>, DeliveryState)> = r
        .deliveries
        .iter()
        .map(|d| (d.channel, d.recipient.clone(), d.address.clone(), d.state))
        .collect();
    deliveries.sort_by_key(|d| (d.0, d.1.clone()));
    assert_eq!(
        deliveries,
        [
            (
                Channel::App,
                Some("fgj.fzr 姓名".into()),
                None,
                DeliveryState::Sent
            ),
            (
                Channel::App,
                Some("fgj.lly 姓名".into()),
                None,
                DeliveryState::Sent
            ),
            (
                Channel::Email,
                Some("fgj.lly 姓名".into()),
                Some("fgj@example.gov.cn".into()),
                DeliveryState::Pending
            ),
            (Channel::Webhook, None, None, DeliveryState::Pending),
        ]
    );
    // The 1-day step and the lapse are reminders of their own.
    let one_day = f
        .store
        .create_due_reminders(&policy, BOTH, morning(2024, 11, 24))
        .await
        .unwrap();
    assert_eq!(one_day.len(), 1);
    f.submit(2, "区发改局", &f.fgj).await;
    let lapse = f
        .store
        .create_due_reminders(&policy, BOTH, morning(2024, 11, 26))
        .await
        .unwrap();
    assert_eq!(lapse.len(), 1, "task 1 is still not reported");
    let newest = &f.store.reminders(None, None, 1).await.unwrap()[0];
    assert_eq!(newest.kind, ReminderKind::Lapse);
    assert_eq!(newest.tasks, [1]);
    // Closed, the round owes nothing more.
    f.store
        .close_round(f.round, morning(2024, 11, 27))
        .await
        .unwrap();
    let manual = f
        .store
        .create_manual_reminders(
            ReminderTarget::Round(f.round),
            None,
            BOTH,
            f.office.id,
            morning(2024, 11, 27),
        )
        .await
        .unwrap();
    assert_eq!(manual, []);
}

#[tokio::test]
async fn acknowledgement_reminders_come_from_assignments() {
    let f = fixture().await;
    f.store
        .assign_document(f.doc, date(2024, 11, 10), f.office.id, morning(2024, 11, 1))
        .await
        .unwrap();
    f.store
        .acknowledge(f.doc, 1, &f.czj, morning(2024, 11, 2))
        .await
        .unwrap();
    let only_email = ReminderChannels {
        email: true,
        webhook: false,
    };
    let policy = ReminderPolicy {
        report_days_before: vec![],
        ..ReminderPolicy::default()
    };
    let made = f
        .store
        .create_due_reminders(&policy, only_email, morning(2024, 11, 9))
        .await
        .unwrap();
    assert_eq!(made.len(), 1, "区发改局 only: 区财政局 acknowledged");
    let r = &f.store.reminders(None, Some(f.doc), 10).await.unwrap()[0];
    assert_eq!(r.kind, ReminderKind::AckDue);
    assert_eq!(r.round, None);
    assert_eq!(r.tasks, [1, 2]);
    assert!(r.deliveries.iter().all(|d| d.channel != Channel::Webhook));
    assert!(r.body.contains("尚未签收"), "{}", r.body);
}

#[tokio::test]
async fn manual_reminders_go_to_units_that_still_owe_and_name_the_sender() {
    let f = fixture().await;
    f.submit(1, "区发改局", &f.fgj).await;
    let by_task = f
        .store
        .create_manual_reminders(
            ReminderTarget::Task(f.doc, 1),
            Some("请今日报送"),
            ReminderChannels::default(),
            f.office.id,
            morning(2024, 11, 20),
        )
        .await
        .unwrap();
    assert_eq!(by_task.len(), 1);
    let r = &f.store.reminders(Some(f.round), None, 10).await.unwrap()[0];
    assert_eq!(
        (r.unit.as_str(), r.kind),
        ("区财政局", ReminderKind::Manual)
    );
    assert_eq!(r.created_by.as_deref(), Some("区政府督查室"));
    assert!(r.body.ends_with("督查室附言：请今日报送"));
    assert_eq!(r.deliveries.len(), 1, "app only: {:?}", r.deliveries);
    // Manual reminders have no key: each is sent.
    let by_round = f
        .store
        .create_manual_reminders(
            ReminderTarget::Round(f.round),
            None,
            ReminderChannels::default(),
            f.office.id,
            morning(2024, 11, 20),
        )
        .await
        .unwrap();
    assert_eq!(by_round.len(), 2, "区发改局 (task 2) and 区财政局 (task 1)");
    assert!(matches!(
        f.store
            .create_manual_reminders(
                ReminderTarget::Round(RoundId(999)),
                None,
                BOTH,
                f.office.id,
                morning(2024, 11, 20)
            )
            .await,
        Err(StoreError::RoundNotFound(_))
    ));
    assert!(matches!(
        f.store
            .create_manual_reminders(
                ReminderTarget::Task(f.doc, 9),
                None,
                BOTH,
                f.office.id,
                morning(2024, 11, 20)
            )
            .await,
        Err(StoreError::TaskNotFound { .. })
    ));
}

#[tokio::test]
async fn notifications_are_each_accounts_own_with_read_receipts() {
    let f = fixture().await;
    f.store
        .create_due_reminders(&ReminderPolicy::default(), BOTH, morning(2024, 11, 24))
        .await
        .unwrap();
    let mine = f.store.notifications(f.fgj.id, 20).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(f.store.unread_notifications(f.fgj.id).await.unwrap(), 1);
    assert_eq!(f.store.unread_notifications(f.czj.id).await.unwrap(), 1);
    assert_eq!(f.store.unread_notifications(f.office.id).await.unwrap(), 0);
    // Another account cannot mark it read.
    assert_eq!(
        f.store
            .mark_notifications_read(f.czj.id, Some(mine[0].id), morning(2024, 11, 24))
            .await
            .unwrap(),
        0
    );
    let read_at = morning(2024, 11, 24) + Duration::minutes(7);
    assert_eq!(
        f.store
            .mark_notifications_read(f.fgj.id, Some(mine[0].id), read_at)
            .await
            .unwrap(),
        1
    );
    // The first reading stands.
    f.store
        .mark_notifications_read(f.fgj.id, None, read_at + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        f.store.notifications(f.fgj.id, 20).await.unwrap()[0].read_at,
        Some(read_at)
    );
    assert_eq!(f.store.unread_notifications(f.fgj.id).await.unwrap(), 0);
    // The office sees who read what and when; the head has not read it.
    let views = f.store.reminders(None, None, 10).await.unwrap();
    let fgj = views.iter().find(|v| v.unit == "区发改局").unwrap();
    let receipts: Vec<(Option<String>, Option<DateTime<Utc>>)> = fgj
        .deliveries
        .iter()
        .filter(|d| d.channel == Channel::App)
        .map(|d| (d.recipient.clone(), d.read_at))
        .collect();
    assert!(receipts.contains(&(Some("fgj.lly 姓名".into()), Some(read_at))));
    assert!(receipts.contains(&(Some("fgj.fzr 姓名".into()), None)));
    assert_eq!(
        f.store.unread_notifications(f.fgj_head.id).await.unwrap(),
        1
    );
}

#[tokio::test]
async fn failed_deliveries_back_off_then_fail_and_can_be_sent_again() {
    let f = fixture().await;
    let only_email = ReminderChannels {
        email: true,
        webhook: false,
    };
    let start = morning(2024, 11, 24);
    f.store
        .create_due_reminders(&ReminderPolicy::default(), only_email, start)
        .await
        .unwrap();
    let mut now = start;
    let mut waits = Vec::new();
    for attempt in 1..=MAX_ATTEMPTS {
        let claimed = f.store.claim_deliveries(now, 10).await.unwrap();
        assert_eq!(claimed.len(), 2, "attempt {attempt}: one e-mail per unit");
        assert!(claimed.iter().all(|c| c.attempt == attempt));
        // Claimed: nobody else takes them meanwhile.
        assert_eq!(f.store.claim_deliveries(now, 10).await.unwrap(), []);
        for c in &claimed {
            let error = format!("连接 SMTP 服务器失败（第{attempt}次）");
            assert!(f.store.record_delivery(c, Err(error), now).await.unwrap());
        }
        let views = f.store.reminders(None, None, 10).await.unwrap();
        let d = &views[0]
            .deliveries
            .iter()
            .find(|d| d.channel == Channel::Email)
            .unwrap();
        assert_eq!(d.attempts, attempt);
        assert_eq!(
            d.last_error.as_deref(),
            Some(&*format!("连接 SMTP 服务器失败（第{attempt}次）"))
        );
        match d.next_attempt_at {
            Some(next) => {
                assert_eq!(d.state, DeliveryState::Pending);
                assert_eq!(
                    f.store
                        .claim_deliveries(next - Duration::seconds(1), 10)
                        .await
                        .unwrap(),
                    []
                );
                waits.push((next - now).num_minutes());
                now = next;
            }
            None => {
                assert_eq!(attempt, MAX_ATTEMPTS);
                assert_eq!(d.state, DeliveryState::Failed);
            }
        }
    }
    assert_eq!(waits, [1, 5, 30, 120]);
    assert_eq!(
        f.store
            .claim_deliveries(now + Duration::days(1), 10)
            .await
            .unwrap(),
        []
    );
    // Nothing is lost: the office sends a failed one again.
    let failed = f.store.reminders(None, None, 10).await.unwrap()[0]
        .deliveries
        .iter()
        .find(|d| d.channel == Channel::Email)
        .unwrap()
        .id;
    assert!(f.store.retry_delivery(failed, now).await.unwrap());
    assert!(
        !f.store.retry_delivery(failed, now).await.unwrap(),
        "pending now"
    );
    let again = f.store.claim_deliveries(now, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempt, 1);
    assert!(
        f.store
            .record_delivery(&again[0], Ok(()), now)
            .await
            .unwrap()
    );
    let d = f.store.reminders(None, None, 10).await.unwrap()[0]
        .deliveries
        .iter()
        .find(|d| d.id == failed)
        .cloned()
        .unwrap();
    assert_eq!(d.state, DeliveryState::Sent);
    assert_eq!(d.sent_at, Some(now));
}

#[tokio::test]
async fn a_claim_cut_short_is_taken_over_after_its_lease() {
    let f = fixture().await;
    let webhook = ReminderChannels {
        email: false,
        webhook: true,
    };
    let start = morning(2024, 11, 24);
    f.store
        .create_due_reminders(&ReminderPolicy::default(), webhook, start)
        .await
        .unwrap();
    let first = f.store.claim_deliveries(start, 1).await.unwrap();
    assert_eq!(first.len(), 1);
    let lease = start + Duration::minutes(CLAIM_LEASE_MINUTES);
    let other = f
        .store
        .claim_deliveries(lease - Duration::seconds(1), 10)
        .await
        .unwrap();
    assert_eq!(other.len(), 1, "the other unit's webhook only");
    assert_ne!(other[0].id, first[0].id);
    let taken = f.store.claim_deliveries(lease, 10).await.unwrap();
    let again: Vec<_> = taken.iter().filter(|c| c.id == first[0].id).collect();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempt, 2);
    // The first server's late answer is not recorded over the new claim.
    assert!(
        !f.store
            .record_delivery(&first[0], Ok(()), lease)
            .await
            .unwrap()
    );
    assert!(
        f.store
            .record_delivery(again[0], Ok(()), lease)
            .await
            .unwrap()
    );
    assert_eq!(again[0].subject, first[0].subject);
}

#[tokio::test]
async fn several_servers_make_and_claim_each_reminder_once() {
    let f = fixture().await;
    let mut servers = Vec::new();
    for _ in 0..6 {
        servers.push(Store::connect(&f.db.url).await.unwrap());
    }
    let now = morning(2024, 11, 24);
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(servers.len()));
    let ticks: Vec<_> = servers
        .iter()
        .cloned()
        .map(|store| {
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                let made = store
                    .create_due_reminders(&ReminderPolicy::default(), BOTH, now)
                    .await
                    .unwrap();
                let mut claimed = Vec::new();
                loop {
                    let batch = store.claim_deliveries(now, 1).await.unwrap();
                    if batch.is_empty() {
                        break;
                    }
                    for c in &batch {
                        assert!(store.record_delivery(c, Ok(()), now).await.unwrap());
                    }
                    claimed.extend(batch.into_iter().map(|c| c.id));
                }
                (made, claimed)
            })
        })
        .collect();
    let mut made = Vec::new();
    let mut claimed = Vec::new();
    for tick in ticks {
        let (m, c) = tick.await.unwrap();
        made.extend(m);
        claimed.extend(c);
    }
    made.sort();
    assert_eq!(made.len(), 2, "one per unit: {made:?}");
    made.dedup();
    assert_eq!(made.len(), 2);
    // Two e-mails (区发改局's reporter, 区财政局's reporter) and two webhooks.
    let total = claimed.len();
    claimed.sort();
    claimed.dedup();
    assert_eq!((total, claimed.len()), (4, 4));
    let views = f.store.reminders(None, None, 10).await.unwrap();
    assert!(
        views
            .iter()
            .flat_map(|v| &v.deliveries)
            .all(|d| d.state == DeliveryState::Sent && d.attempts <= 1)
    );
    for s in servers {
        s.close().await;
    }
}
