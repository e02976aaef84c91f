//! 预警: the rule set saved and read back, and the facts each light is judged from —
//! end dates, behind in rounds in a row, late in the open round, 办结 — read from the
//! store as the workflow leaves it, the cached facts moving with every write.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use duban_domain::analysis::Status;
use duban_domain::warning::{Condition, MAX_ROUNDS, WarningRules};
use duban_domain::{Notice, ReportAction, ReportState, RichText, Role, TaskAction, TaskDraft};
use duban_store::{
    LapseKind, ReminderChannels, ReminderTarget, ReportChange, RoundId, Store, TaskWarningFacts,
    User, WarningFacts,
};

use crate::common::{connect, dated_notice, open_round, report_of, save_notice, temp_db, user};

fn at(month: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, month, day, 9, 0, 0).unwrap()
}

fn day(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, month, day).unwrap()
}

const YEARLY: &str = "全年完成固定资产投资50亿元。";

/// 1: a yearly target (behind at 50%); 2: due 2020-12-20; 3: ongoing; 4: closed later.
fn notice() -> Notice {
    notice_titled("关于重点工作任务分解的通知")
}

fn notice_titled(title: &str) -> Notice {
    let tasks = [
        (YEARLY, None),
        ("建成城市书房。", Some("2020年12月20日前")),
        ("做好防汛工作。", None),
        ("出台实施方案。", Some("2020年9月30日前")),
    ];
    let drafts = tasks
        .iter()
        .zip(1..)
        .map(|((content, deadline), number)| TaskDraft {
            number,
            content: RichText::plain(content),
            lead_units: "区城管局".into(),
            deadline: deadline.map(str::to_string),
            ..TaskDraft::default()
        })
        .collect();
    dated_notice(title, NaiveDate::from_ymd_opt(2020, 3, 5).unwrap(), drafts)
}

struct People {
    office: User,
    reporter: User,
    head: User,
}

async fn accepted(
    store: &Store,
    round: RoundId,
    task: u32,
    p: &People,
    text: &str,
    on: DateTime<Utc>,
) {
    let id = report_of(store, round, task, "区城管局").await;
    for (by, action, text) in [
        (&p.reporter, ReportAction::Submit, Some(text)),
        (&p.head, ReportAction::Approve, None),
        (&p.office, ReportAction::Accept, None),
    ] {
        store
            .act_on_report(
                id,
                by,
                ReportChange {
                    action,
                    text: text.map(RichText::plain),
                    percent: None,
                    comment: None,
                },
                on,
            )
            .await
            .unwrap();
    }
}

fn facts_of(all: &WarningFacts, number: u32) -> &TaskWarningFacts {
    all.iter().find(|f| f.task.number == number).unwrap()
}

#[tokio::test]
async fn the_rule_set_is_the_default_until_saved_then_as_saved() {
    let db = temp_db().await;
    let store = connect(&db).await;
    let office = user(&store, "duchashi", Role::Supervisor, None).await;
    let saved = store.warning_rules().await.unwrap();
    assert_eq!(
        (saved.rules, saved.updated_at),
        (WarningRules::default(), None)
    );

    let mut rules = WarningRules::default();
    rules.rules[1].condition = Condition::DueWithin { days: 15 };
    let rules = rules.checked().unwrap();
    store
        .save_warning_rules(&rules, office.id, at(10, 1))
        .await
        .unwrap();
    rules
        .lights
        .iter()
        .for_each(|l| assert!(l.colour.starts_with('#')));
    let again = store.warning_rules().await.unwrap();
    assert_eq!(again.rules, rules);
    assert_eq!(again.updated_at, Some(at(10, 1)));
    // Saving again replaces the one row.
    store
        .save_warning_rules(&WarningRules::default(), office.id, at(10, 2))
        .await
        .unwrap();
    assert_eq!(
        store.warning_rules().await.unwrap().rules,
        WarningRules::default()
    );
}

#[tokio::test]
async fn facts_follow_the_rounds_the_reports_and_closure() {
    let db = temp_db().await;
    let store = connect(&db).await;
    let doc = save_notice(&store, &notice(), "warnings.txt").await;
    let p = People {
        office: user(&store, "duchashi", Role::Supervisor, None).await,
        reporter: user(&store, "cgj.lly", Role::Reporter, Some("区城管局")).await,
        head: user(&store, "cgj.fzr", Role::UnitHead, Some("区城管局")).await,
    };

    let before = store.warning_facts(day(10, 15), MAX_ROUNDS).await.unwrap();
    assert_eq!(before.len(), 4);
    assert_eq!(facts_of(&before, 2).facts.due, Some(day(12, 20)));
    assert_eq!(
        facts_of(&before, 3).facts.due,
        None,
        "ongoing work has no end date"
    );
    assert_eq!(facts_of(&before, 1).facts.behind_streak, 0);
    assert_eq!(facts_of(&before, 1).task.lead_units, vec!["区城管局"]);

    // Two closed rounds, task 1 behind 序时进度 in both (50% of the year by September,
    // 60% by November); task 2 reported on pace in the second only.
    let first = open_round(
        &store,
        doc,
        "1-9月",
        day(10, 10),
        Some(vec![1]),
        p.office.id,
        at(10, 1),
    )
    .await;
    accepted(&store, first, 1, &p, "完成年度目标任务的50%。", at(10, 5)).await;
    store.close_round(first, at(10, 11)).await.unwrap();
    let after_one = store.warning_facts(day(10, 15), MAX_ROUNDS).await.unwrap();
    let one = &facts_of(&after_one, 1).facts;
    assert!(one.behind_pace, "{one:?}");
    assert_eq!(
        one.behind_streak, 1,
        "the cached facts moved with the closed round"
    );

    let second = open_round(
        &store,
        doc,
        "1-11月",
        day(12, 10),
        Some(vec![1, 2]),
        p.office.id,
        at(12, 1),
    )
    .await;
    accepted(&store, second, 1, &p, "完成年度目标任务的60%。", at(12, 5)).await;
    accepted(&store, second, 2, &p, "书房主体装修正在施工中。", at(12, 5)).await;
    store.close_round(second, at(12, 11)).await.unwrap();
    let after_two = store.warning_facts(day(12, 15), MAX_ROUNDS).await.unwrap();
    assert_eq!(facts_of(&after_two, 1).facts.behind_streak, 2);
    assert_eq!(facts_of(&after_two, 2).facts.behind_streak, 0);
    assert_eq!(
        facts_of(&after_two, 2).facts.status,
        Some(Status::InProgress)
    );

    // An open round past its due date: task 3's unit has not reported, task 2's has.
    let third = open_round(
        &store,
        doc,
        "12月",
        day(12, 18),
        Some(vec![2, 3]),
        p.office.id,
        at(12, 12),
    )
    .await;
    let submitted = report_of(&store, third, 2, "区城管局").await;
    store
        .act_on_report(
            submitted,
            &p.reporter,
            ReportChange {
                action: ReportAction::Submit,
                text: Some(RichText::plain("已投入使用。")),
                percent: None,
                comment: None,
            },
            at(12, 13),
        )
        .await
        .unwrap();
    let on_due = store.warning_facts(day(12, 18), MAX_ROUNDS).await.unwrap();
    assert!(
        !facts_of(&on_due, 3).facts.unreported_past_due,
        "not yet past due"
    );
    let late = store.warning_facts(day(12, 19), MAX_ROUNDS).await.unwrap();
    assert!(facts_of(&late, 3).facts.unreported_past_due);
    assert!(!facts_of(&late, 2).facts.unreported_past_due);

    // A 催办 about task 3 is out until its recipient reads it.
    assert!(!facts_of(&late, 3).facts.reminder_out);
    let made = store
        .create_manual_reminders(
            ReminderTarget::Task(doc, 3),
            Some("请尽快报送"),
            ReminderChannels::default(),
            p.office.id,
            at(12, 19),
        )
        .await
        .unwrap();
    assert_eq!(made.len(), 1);
    let reminded = store.warning_facts(day(12, 19), MAX_ROUNDS).await.unwrap();
    assert!(
        facts_of(&reminded, 3).facts.reminder_out,
        "the cache moved with the reminder"
    );
    assert!(!facts_of(&reminded, 2).facts.reminder_out);
    let read = store
        .mark_notifications_read(p.reporter.id, None, at(12, 19))
        .await
        .unwrap();
    assert!(read >= 1);
    let after_read = store.warning_facts(day(12, 19), MAX_ROUNDS).await.unwrap();
    assert!(
        !facts_of(&after_read, 3).facts.reminder_out,
        "read: no longer out"
    );

    // 办结: the task takes no light, whatever else holds.
    store
        .act_on_task(
            doc,
            4,
            &p.office,
            TaskAction::Close,
            Some("已印发实施方案"),
            at(12, 19),
        )
        .await
        .unwrap();
    let closed = store.warning_facts(day(12, 19), MAX_ROUNDS).await.unwrap();
    assert!(facts_of(&closed, 4).facts.closed);
    let rules = WarningRules::default();
    assert_eq!(rules.judge(&facts_of(&closed, 4).facts, day(12, 19)), None);
    let red = rules
        .judge(&facts_of(&closed, 1).facts, day(12, 19))
        .unwrap();
    assert_eq!(rules.lights[red.light].name, "红灯");
    assert_eq!(red.reasons, vec!["连续2轮进度滞后"]);
}

/// What the store keeps per document (the facts, the lapses, the rankings' counts)
/// moves with a write another app server makes to one document, and equals what a
/// store without any cache reads; the other document's part is unchanged.
#[tokio::test]
async fn figures_kept_per_document_follow_another_servers_writes() {
    let db = temp_db().await;
    let store = connect(&db).await;
    let other_server = connect(&db).await;
    let first = save_notice(&store, &notice(), "first.txt").await;
    let second = save_notice(
        &store,
        &notice_titled("关于第二批重点工作任务分解的通知"),
        "second.txt",
    )
    .await;
    let p = People {
        office: user(&store, "duchashi", Role::Supervisor, None).await,
        reporter: user(&store, "cgj.lly", Role::Reporter, Some("区城管局")).await,
        head: user(&store, "cgj.fzr", Role::UnitHead, Some("区城管局")).await,
    };
    let mut rounds = Vec::new();
    for doc in [first, second] {
        rounds.push(
            open_round(
                &store,
                doc,
                "1-11月",
                day(12, 10),
                None,
                p.office.id,
                at(12, 1),
            )
            .await,
        );
    }
    let today = day(12, 15);
    let read = |s: &Store| {
        let s = s.clone();
        let rounds = rounds.clone();
        async move {
            (
                s.lapses(None, today).await.unwrap(),
                s.ranking_source(today).await.unwrap(),
                s.warning_facts(today, MAX_ROUNDS).await.unwrap(),
                s.report_counts(&rounds).await.unwrap(),
            )
        }
    };
    let (lapses, _, facts, counts) = read(&store).await;
    assert!(
        counts.iter().all(|c| c.state == ReportState::NotStarted),
        "{counts:?}"
    );
    assert_eq!(counts.iter().map(|c| c.count).sum::<usize>(), 8);
    assert_eq!(
        lapses.len(),
        8,
        "every report of both rounds is missing: {lapses:?}"
    );
    assert!(
        facts.iter().all(|f| f.facts.unreported_past_due),
        "{facts:?}"
    );

    accepted(
        &other_server,
        rounds[0],
        1,
        &p,
        "完成年度目标任务的95%。",
        at(12, 12),
    )
    .await;

    let kept = read(&store).await;
    let fresh = read(&connect(&db).await).await;
    assert_eq!(kept.0, fresh.0, "lapses");
    assert_eq!(kept.1, fresh.1, "rankings' figures");
    assert_eq!(kept.2, fresh.2, "预警 facts");
    assert_eq!(kept.3, fresh.3, "report counts");
    assert!(
        kept.3
            .iter()
            .any(|c| c.round == rounds[0] && c.state == ReportState::Accepted && c.count == 1),
        "{:?}",
        kept.3
    );
    let late: Vec<_> = kept
        .0
        .iter()
        .filter(|l| l.kind == LapseKind::LateReport)
        .collect();
    assert_eq!(late.len(), 1, "{late:?}");
    assert_eq!((late[0].document, late[0].task), (first, 1));
    let reported: Vec<_> = kept
        .2
        .iter()
        .filter(|f| !f.facts.unreported_past_due)
        .map(|f| (f.task.document, f.task.number))
        .collect();
    assert_eq!(reported, vec![(first, 1)]);
}
