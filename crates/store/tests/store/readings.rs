//! The reading as the dashboard counts it and the task list filters on it
//! (`Store::reading_counts`, `TaskPageQuery::reading`): the same statuses as the
//! analysis of the notice, the office's 审定 in force at once (the page cache moves with
//! it), and a closed round's reports read against the round's period.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use duban_domain::analysis::{Status, analyse_notice};
use duban_domain::{Notice, ReportAction, RichText, Role, TaskDraft};
use duban_store::{
    DocumentId, ReadingFilter, ReportChange, ReportId, RoundId, Store, TaskPageQuery, User,
};

use crate::common::{connect, dated_notice, open_round, report_of, save_notice, temp_db, user};

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 12, day, 9, 0, 0).unwrap()
}

const YEARLY: &str = "全年完成固定资产投资50亿元。";

/// Five tasks whose progress reads lagging (70% against 83.3%), in progress, done,
/// blocked and unknown (a percentage for work without a target).
fn notice() -> Notice {
    let tasks = [
        ("区城管局", YEARLY, "70%"),
        ("区教育局", YEARLY, "95%"),
        ("区发改局", "出台实施方案。", "已印发实施方案。"),
        (
            "区城管局、区教育局",
            YEARLY,
            "因征地问题协调无果，暂停施工。",
        ),
        ("区城管局", "做好防汛工作。", "95%"),
    ];
    let drafts = tasks
        .iter()
        .zip(1..)
        .map(|((lead, content, progress), number)| TaskDraft {
            number,
            content: RichText::plain(content),
            lead_units: (*lead).into(),
            progress: Some(RichText::plain(progress)),
            ..TaskDraft::default()
        })
        .collect();
    dated_notice(
        "关于截至10月31日重点工作落实情况的通报",
        NaiveDate::from_ymd_opt(2020, 11, 5).unwrap(),
        drafts,
    )
}

fn query(reading: ReadingFilter) -> TaskPageQuery {
    TaskPageQuery {
        document: None,
        unit: None,
        round: None,
        report_state: None,
        task_state: None,
        source: None,
        source_kind: None,
        reading: Some(reading),
        page: 1,
        per_page: 2,
    }
}

async fn numbers(store: &Store, q: &TaskPageQuery) -> (usize, Vec<u32>) {
    let page = store.task_page(q).await.unwrap();
    (
        page.total,
        page.rows.iter().map(|r| r.task.number).collect(),
    )
}

async fn act(
    store: &Store,
    id: ReportId,
    by: &User,
    action: ReportAction,
    text: Option<&str>,
    day: u32,
) {
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
            at(day),
        )
        .await
        .unwrap();
}

/// The reporter's unit's report on `task`: written, approved by the unit's head, and
/// accepted by the office unless `accepted` is false.
async fn report(
    store: &Store,
    round: RoundId,
    task: u32,
    (reporter, head, office): (&User, &User, &User),
    text: &str,
    accepted: bool,
) {
    let unit = reporter.unit.clone().unwrap();
    let id = report_of(store, round, task, &unit).await;
    act(store, id, reporter, ReportAction::Submit, Some(text), 2).await;
    act(store, id, head, ReportAction::Approve, None, 3).await;
    if accepted {
        act(store, id, office, ReportAction::Accept, None, 4).await;
    }
}

#[tokio::test]
async fn counts_and_filters_follow_the_reading_the_office_and_the_closed_round() {
    let db = temp_db().await;
    let store = connect(&db).await;
    let notice = notice();
    let doc: DocumentId = save_notice(&store, &notice, "readings.txt").await;
    let office = user(&store, "duchashi", Role::Supervisor, None).await;
    let cgj = user(&store, "cgj.lly", Role::Reporter, Some("区城管局")).await;
    let cgj_head = user(&store, "cgj.fzr", Role::UnitHead, Some("区城管局")).await;
    let jyj = user(&store, "jyj.lly", Role::Reporter, Some("区教育局")).await;
    let jyj_head = user(&store, "jyj.fzr", Role::UnitHead, Some("区教育局")).await;

    // The notice's own progress: the counts are the analysis's.
    let counts = store.reading_counts().await.unwrap();
    let analysis = analyse_notice(&store.load_notice(doc).await.unwrap(), None);
    for status in Status::ALL {
        assert_eq!(
            counts.of(status),
            analysis.summary.of(status),
            "{}",
            status.code()
        );
    }
    assert_eq!(
        (
            counts.total,
            counts.lagging,
            counts.unknown,
            counts.behind_pace
        ),
        (5, 1, 1, 1)
    );
    assert_eq!((counts.decided, counts.from_rounds), (0, 0));
    let lagging = query(ReadingFilter::Status(Status::Lagging));
    assert_eq!(numbers(&store, &lagging).await, (1, vec![1]));
    assert_eq!(
        numbers(&store, &query(ReadingFilter::BehindPace)).await,
        (1, vec![1])
    );
    let blocked_of_cgj = TaskPageQuery {
        unit: Some("区城管局".into()),
        ..query(ReadingFilter::Status(Status::Blocked))
    };
    assert_eq!(numbers(&store, &blocked_of_cgj).await, (1, vec![4]));

    // The office's 审定 is in force at once, also on a cached page.
    store
        .set_status_override(doc, 2, &office, Status::Lagging, "实地核查进度不足", at(1))
        .await
        .unwrap();
    let counts = store.reading_counts().await.unwrap();
    assert_eq!(
        (counts.lagging, counts.in_progress, counts.decided),
        (2, 0, 1)
    );
    assert_eq!(numbers(&store, &lagging).await, (2, vec![1, 2]));
    let second = TaskPageQuery {
        page: 2,
        ..lagging.clone()
    };
    assert_eq!(
        numbers(&store, &second).await,
        (2, vec![1, 2]),
        "clamped to the last page"
    );

    // A 审定 on the notice's reading, before the round below opens.
    store
        .set_status_override(doc, 4, &office, Status::InProgress, "已协调解决", at(1))
        .await
        .unwrap();
    assert_eq!(store.reading_counts().await.unwrap().blocked, 0);

    // A round still open does not change the reading; once closed, its accepted
    // reports do, as the round's notice composes the cell (each unit's part under its
    // name), read against the round's own period (1-11月: 91.7%); a 审定 made before
    // the round opened is not in force for the round's reading.
    let round = open_round(
        &store,
        doc,
        "1-11月",
        NaiveDate::from_ymd_opt(2020, 12, 10).unwrap(),
        Some(vec![1, 4, 5]),
        office.id,
        at(2),
    )
    .await;
    let cgj_signs = (&cgj, &cgj_head, &office);
    report(&store, round, 1, cgj_signs, "92%", true).await;
    report(&store, round, 4, cgj_signs, "道路工程严重滞后。", true).await;
    report(
        &store,
        round,
        4,
        (&jyj, &jyj_head, &office),
        "已完成。",
        true,
    )
    .await;
    // Approved by the unit, not accepted by the office: not in the round's notice.
    report(&store, round, 5, cgj_signs, "已完成。", false).await;
    assert_eq!(store.reading_counts().await.unwrap().from_rounds, 0);
    assert_eq!(numbers(&store, &lagging).await, (2, vec![1, 2]));
    store.close_round(round, at(11)).await.unwrap();

    let read = store.reading_notice(doc).await.unwrap();
    assert_eq!(
        read.round.as_ref().map(|r| r.label.as_str()),
        Some("1-11月")
    );
    let progress = |n: usize| {
        read.notice.tasks[n]
            .progress
            .as_ref()
            .map(RichText::plain_text)
            .unwrap_or_default()
    };
    assert_eq!(progress(0), "92%");
    assert_eq!(
        progress(3),
        "区城管局：道路工程严重滞后。区教育局：已完成。"
    );
    assert_eq!(progress(4), "", "nothing accepted");
    assert_eq!(
        progress(1),
        "95%",
        "a task the round left out keeps the notice's"
    );
    let counts = store.reading_counts().await.unwrap();
    assert_eq!(counts.from_rounds, 1);
    // 1: 92% ≥ 91.7% in progress; 2: 审定 lagging; 3 done; 4: one of two parts
    // seriously behind → lagging; 5 unknown (nothing accepted).
    assert_eq!(
        (
            counts.in_progress,
            counts.lagging,
            counts.done,
            counts.unknown,
            counts.behind_pace
        ),
        (1, 2, 1, 1, 0)
    );
    assert_eq!(
        counts.decided, 1,
        "task 2's 审定 only: task 2 is not in the round"
    );
    assert_eq!(numbers(&store, &lagging).await, (2, vec![2, 4]));
    // A 审定 made since the round opened is.
    store
        .set_status_override(doc, 4, &office, Status::Blocked, "征地受阻", at(12))
        .await
        .unwrap();
    let counts = store.reading_counts().await.unwrap();
    assert_eq!((counts.blocked, counts.lagging, counts.decided), (1, 1, 2));
    assert_eq!(numbers(&store, &lagging).await, (1, vec![2]));
    store.close().await;
}
