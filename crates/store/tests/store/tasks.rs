//! 交办 and 签收, task closure and lapses in the store, each test on a fresh database.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use duban_domain::{
    Document, Notice, ReportAction, ReportState, RichText, Role, TaskAction, TaskDraft, TaskState,
    UnitDirectory, WorkflowError,
};
use duban_store::{
    Assignment, AssignmentFilter, DocumentId, Lapse, LapseKind, ReportChange, ReportId, RoundId,
    Store, StoreError, User, UserId,
};

use crate::common::{TempDb, connect, report_of, save_notice, temp_db, user, workflow_error};

/// 2024-10-`day` at `hour`:`minute` UTC (China time is eight hours ahead).
pub(crate) fn utc(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 10, day, hour, minute, 0)
        .unwrap()
}

pub(crate) fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 10, day).unwrap()
}

/// The last minute of 2024-10-`day` in China, and the first of the next day, in UTC.
pub(crate) fn last_minute_of(day: u32) -> DateTime<Utc> {
    utc(day, 15, 59)
}

pub(crate) fn first_minute_after(day: u32) -> DateTime<Utc> {
    utc(day, 16, 0)
}

/// Task 1: per-sub-item leads (three units, 区发改局 only through sub-item ②);
/// task 2: two lead units; task 3: one lead unit, also known as 区创城办.
pub(crate) fn drafts() -> Vec<TaskDraft> {
    vec![
        TaskDraft {
            number: 1,
            content: RichText::plain("①整治占道经营；②推进重点项目。"),
            lead_units: "第①项区城管局、鲤城公安分局牵头，第②项区发改局牵头".into(),
            cooperating_units: "区财政局".into(),
            ..TaskDraft::default()
        },
        TaskDraft {
            number: 2,
            content: RichText::plain("推进医教协同"),
            lead_units: "区教育局、区卫健局".into(),
            ..TaskDraft::default()
        },
        TaskDraft {
            number: 3,
            content: RichText::plain("深化全国文明城市创建"),
            lead_units: "区委文明办 (区创城办)".into(),
            cooperating_units: "各街道".into(),
            ..TaskDraft::default()
        },
    ]
}

pub(crate) fn notice() -> Notice {
    Notice::assemble(Document::default(), drafts(), &UnitDirectory::default())
}

pub(crate) struct Fixture {
    pub(crate) db: TempDb,
    pub(crate) store: Store,
    pub(crate) doc: DocumentId,
    pub(crate) office: User,
    pub(crate) admin: User,
    pub(crate) leader: User,
    /// 区城管局's reporter and head (a task-level lead of task 1).
    pub(crate) cgj: User,
    pub(crate) cgj_head: User,
    /// 区发改局's reporter (leads only sub-item ② of task 1).
    pub(crate) fgj: User,
    /// 鲤城公安分局's reporter (task 1).
    pub(crate) gaj: User,
    /// 区教育局's reporter, 区卫健局's reporter and head (task 2).
    pub(crate) jyj: User,
    pub(crate) wjj: User,
    pub(crate) wjj_head: User,
}

pub(crate) async fn fixture() -> Fixture {
    let db = temp_db().await;
    let store = connect(&db).await;
    let doc = save_notice(&store, &notice(), "通报.docx").await;
    Fixture {
        office: user(&store, "duchashi", Role::Supervisor, None).await,
        admin: user(&store, "admin", Role::Admin, None).await,
        leader: user(&store, "lingdao", Role::Leader, None).await,
        cgj: user(&store, "cgj.lly", Role::Reporter, Some("区城管局")).await,
        cgj_head: user(&store, "cgj.head", Role::UnitHead, Some("区城管局")).await,
        fgj: user(&store, "fgj.lly", Role::Reporter, Some("区发改局")).await,
        gaj: user(&store, "gaj.lly", Role::Reporter, Some("鲤城公安分局")).await,
        jyj: user(&store, "jyj.lly", Role::Reporter, Some("区教育局")).await,
        wjj: user(&store, "wjj.lly", Role::Reporter, Some("区卫健局")).await,
        wjj_head: user(&store, "wjj.head", Role::UnitHead, Some("区卫健局")).await,
        db,
        store,
        doc,
    }
}

impl Fixture {
    pub(crate) async fn assign(&self, ack_due: NaiveDate, now: DateTime<Utc>) -> u64 {
        self.store
            .assign_document(self.doc, ack_due, self.office.id, now)
            .await
            .unwrap()
    }

    pub(crate) async fn all_assignments(&self) -> Vec<Assignment> {
        self.store
            .assignments(&AssignmentFilter::default())
            .await
            .unwrap()
    }

    pub(crate) async fn ack(&self, task: u32, actor: &User, now: DateTime<Utc>) -> Assignment {
        self.store
            .acknowledge(self.doc, task, actor, now)
            .await
            .unwrap()
    }

    pub(crate) async fn step(
        &self,
        task: u32,
        actor: &User,
        action: TaskAction,
        comment: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<TaskState, StoreError> {
        self.store
            .act_on_task(self.doc, task, actor, action, comment, now)
            .await
    }

    pub(crate) async fn open_round(
        &self,
        label: &str,
        due: NaiveDate,
        now: DateTime<Utc>,
    ) -> RoundId {
        crate::common::open_round(&self.store, self.doc, label, due, None, self.office.id, now)
            .await
    }

    pub(crate) async fn report_of(&self, round: RoundId, task: u32, unit: &str) -> ReportId {
        report_of(&self.store, round, task, unit).await
    }

    pub(crate) async fn report_step(
        &self,
        id: ReportId,
        actor: &User,
        action: ReportAction,
        now: DateTime<Utc>,
    ) -> ReportState {
        let change = ReportChange {
            action,
            text: matches!(action, ReportAction::SaveDraft | ReportAction::Submit)
                .then(|| RichText::plain("已按计划推进")),
            percent: None,
            comment: action.needs_comment().then(|| "请补充数据".to_string()),
        };
        self.store
            .act_on_report(id, actor, change, now)
            .await
            .unwrap()
    }

    pub(crate) async fn lapses(&self, today: NaiveDate) -> Vec<Lapse> {
        self.store.lapses(Some(self.doc), today).await.unwrap()
    }
}

/// (kind, unit, task) of each lapse, in order.
pub(crate) fn kinds(lapses: &[Lapse]) -> Vec<(LapseKind, &str, u32)> {
    lapses
        .iter()
        .map(|l| (l.kind, l.unit.as_str(), l.task))
        .collect()
}

/// The (task, unit) pairs of the assignments, in order.
pub(crate) fn pairs(assignments: &[Assignment]) -> Vec<(u32, &str)> {
    assignments
        .iter()
        .map(|a| (a.task, a.unit.as_str()))
        .collect()
}

pub(crate) const ALL_PAIRS: [(u32, &str); 6] = [
    (1, "区城管局"),
    (1, "鲤城公安分局"),
    (1, "区发改局"),
    (2, "区教育局"),
    (2, "区卫健局"),
    (3, "区委文明办"),
];

#[tokio::test]
async fn assigning_creates_one_assignment_per_task_and_lead_unit() {
    let f = fixture().await;
    assert!(f.all_assignments().await.is_empty());
    assert_eq!(f.assign(date(10), utc(1, 9, 0)).await, 6);

    let all = f.all_assignments().await;
    assert_eq!(pairs(&all), ALL_PAIRS);
    for a in &all {
        assert_eq!(a.document, f.doc);
        assert_eq!(a.doc_number, None);
        assert_eq!(a.assigned_at, utc(1, 9, 0));
        assert_eq!(a.ack_due, date(10));
        assert_eq!(
            (a.acknowledged_at, a.acknowledged_by.as_deref()),
            (None, None)
        );
    }
    assert_eq!(all[3].task_content, "推进医教协同");

    // Filters: by unit (an alias works too), by document, pending only.
    let by_alias = f
        .store
        .assignments(&AssignmentFilter {
            unit: Some(" 区创城办 ".into()),
            ..AssignmentFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(pairs(&by_alias), [(3, "区委文明办")]);
    let unknown_unit = f
        .store
        .assignments(&AssignmentFilter {
            unit: Some("区不存在局".into()),
            ..AssignmentFilter::default()
        })
        .await
        .unwrap();
    assert!(unknown_unit.is_empty());
    let other_document = f
        .store
        .assignments(&AssignmentFilter {
            document: Some(DocumentId(999)),
            ..AssignmentFilter::default()
        })
        .await
        .unwrap();
    assert!(other_document.is_empty());

    // Assigning again creates nothing and keeps deadlines and acknowledgements.
    f.ack(2, &f.jyj, utc(2, 1, 0)).await;
    assert_eq!(f.assign(date(20), utc(3, 9, 0)).await, 0);
    let again = f.all_assignments().await;
    assert_eq!(pairs(&again), ALL_PAIRS);
    assert!(
        again
            .iter()
            .all(|a| a.ack_due == date(10) && a.assigned_at == utc(1, 9, 0))
    );
    assert_eq!(again[3].acknowledged_at, Some(utc(2, 1, 0)));
    assert_eq!(again[3].acknowledged_by.as_deref(), Some("jyj.lly 姓名"));
    let pending = f
        .store
        .assignments(&AssignmentFilter {
            document: Some(f.doc),
            pending_only: true,
            ..AssignmentFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(pending.len(), 5);
    assert!(!pairs(&pending).contains(&(2, "区教育局")));

    // Only what is missing is added, in its place among the task's units.
    crate::common::sql(
        &f.db,
        "DELETE FROM assignments WHERE unit_id = (SELECT id FROM units WHERE name = '鲤城公安分局')",
    )
    .await;
    assert_eq!(f.all_assignments().await.len(), 5);
    assert_eq!(f.assign(date(20), utc(4, 9, 0)).await, 1);
    let refilled = f.all_assignments().await;
    assert_eq!(pairs(&refilled), ALL_PAIRS);
    assert_eq!(
        (refilled[1].ack_due, refilled[1].assigned_at),
        (date(20), utc(4, 9, 0))
    );
    assert_eq!(refilled[0].ack_due, date(10));
    assert_eq!(refilled[3].acknowledged_at, Some(utc(2, 1, 0)));
}

#[tokio::test]
async fn assigning_an_unknown_document_or_by_an_unknown_user_fails() {
    let f = fixture().await;
    let err = f
        .store
        .assign_document(DocumentId(999), date(10), f.office.id, utc(1, 9, 0))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound(DocumentId(999))),
        "{err:?}"
    );
    let err = f
        .store
        .assign_document(f.doc, date(10), UserId(999), utc(1, 9, 0))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::UserNotFound(UserId(999))),
        "{err:?}"
    );
    assert!(f.all_assignments().await.is_empty());
}

#[tokio::test]
async fn an_assigned_notice_is_not_replaced() {
    let f = fixture().await;
    let document = Document {
        doc_number: Some(duban_domain::DocNumber::parse("鲤政办〔2024〕9号").unwrap()),
        ..Document::default()
    };
    let original = Notice::assemble(document.clone(), drafts(), &UnitDirectory::default());
    let doc = f
        .store
        .save_notice(&original, "9号.docx", false)
        .await
        .unwrap()
        .id();
    f.store
        .assign_document(doc, date(10), f.office.id, utc(1, 9, 0))
        .await
        .unwrap();
    let mut changed = drafts();
    changed[1].content = RichText::plain("推进医教协同（修订）");
    let changed = Notice::assemble(document, changed, &UnitDirectory::default());
    let err = f
        .store
        .save_notice(&changed, "9号.docx", true)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::TasksAssigned { document } if document == doc),
        "{err:?}"
    );
    assert!(err.to_string().contains("不能覆盖"), "{err}");
    assert_eq!(f.store.load_notice(doc).await.unwrap(), original);
    // Importing the same notice again is still fine.
    assert_eq!(
        f.store
            .save_notice(&original, "9号.docx", true)
            .await
            .unwrap()
            .id(),
        doc
    );

    // A task closed without any assignment counts too.
    let other = Document {
        doc_number: Some(duban_domain::DocNumber::parse("鲤政办〔2024〕10号").unwrap()),
        ..Document::default()
    };
    let notice = Notice::assemble(other.clone(), drafts(), &UnitDirectory::default());
    let doc = f
        .store
        .save_notice(&notice, "10号.docx", false)
        .await
        .unwrap()
        .id();
    f.store
        .act_on_task(
            doc,
            3,
            &f.office,
            TaskAction::Close,
            Some("经核实已完成"),
            utc(1, 9, 0),
        )
        .await
        .unwrap();
    let mut changed = drafts();
    changed[0].content = RichText::plain("改");
    let err = f
        .store
        .save_notice(
            &Notice::assemble(other, changed, &UnitDirectory::default()),
            "10号.docx",
            true,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::TasksAssigned { .. }), "{err:?}");
}

#[tokio::test]
async fn the_assigned_unit_acknowledges() {
    let f = fixture().await;
    f.assign(date(10), utc(1, 9, 0)).await;

    let acked = f.ack(1, &f.cgj, utc(2, 3, 30)).await;
    assert_eq!((acked.task, acked.unit.as_str()), (1, "区城管局"));
    assert_eq!(acked.acknowledged_at, Some(utc(2, 3, 30)));
    assert_eq!(acked.acknowledged_by.as_deref(), Some("cgj.lly 姓名"));
    assert_eq!(acked.ack_due, date(10));
    // A unit head acknowledges too; a unit that leads only a sub-item is assigned.
    let acked = f.ack(2, &f.wjj_head, utc(2, 4, 0)).await;
    assert_eq!(acked.unit, "区卫健局");
    assert_eq!(acked.acknowledged_by.as_deref(), Some("wjj.head 姓名"));
    let acked = f.ack(1, &f.fgj, utc(2, 5, 0)).await;
    assert_eq!(acked.unit, "区发改局");

    // Only that unit's assignment changed.
    let all = f.all_assignments().await;
    let acknowledged: Vec<(u32, &str)> = all
        .iter()
        .filter(|a| a.acknowledged_at.is_some())
        .map(|a| (a.task, a.unit.as_str()))
        .collect();
    assert_eq!(
        acknowledged,
        [(1, "区城管局"), (1, "区发改局"), (2, "区卫健局")]
    );
}

#[tokio::test]
async fn acknowledging_is_refused_when_it_is_not_the_units_to_do() {
    let f = fixture().await;

    // Before the document is assigned, nothing is.
    let err = f
        .store
        .acknowledge(f.doc, 1, &f.cgj, utc(1, 8, 0))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::NotAssigned { task: 1, unit, .. } if unit == "区城管局"),
        "{err:?}"
    );

    f.assign(date(10), utc(1, 9, 0)).await;
    // Another unit's task.
    let err = f
        .store
        .acknowledge(f.doc, 2, &f.cgj, utc(2, 0, 0))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::NotAssigned { task: 2, unit, document } if unit == "区城管局" && *document == f.doc),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "第 2 项任务尚未交办给区城管局，无需签收。如认为该任务应由本单位牵头办理，请联系督查室交办"
    );
    // The account as stored decides, not what the caller says about it.
    let claimed = User {
        unit: Some("区教育局".into()),
        ..f.cgj.clone()
    };
    assert!(matches!(
        f.store.acknowledge(f.doc, 2, &claimed, utc(2, 0, 0)).await,
        Err(StoreError::NotAssigned { .. })
    ));
    // The office and leaders acknowledge nothing.
    for actor in [&f.office, &f.admin, &f.leader] {
        let e = workflow_error(f.store.acknowledge(f.doc, 1, actor, utc(2, 0, 0)).await);
        assert!(
            matches!(
                e,
                WorkflowError::RoleNotAllowed {
                    action: "签收", ..
                }
            ),
            "{e:?}"
        );
    }
    // Twice: the first acknowledgement stands.
    f.ack(1, &f.cgj, utc(2, 1, 0)).await;
    let err = f
        .store
        .acknowledge(f.doc, 1, &f.cgj_head, utc(3, 1, 0))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::AlreadyAcknowledged { task: 1, at, by, .. }
            if *at == utc(2, 1, 0) && by == "cgj.lly 姓名"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "区城管局已于 2024-10-02 09:00 签收第 1 项任务（签收人：cgj.lly 姓名），无需重复签收"
    );
    let all = f.all_assignments().await;
    assert_eq!(all[0].acknowledged_at, Some(utc(2, 1, 0)));
    assert_eq!(
        all.iter().filter(|a| a.acknowledged_at.is_some()).count(),
        1
    );

    // Unknown task, unknown document, unknown account.
    let err = f
        .store
        .acknowledge(f.doc, 9, &f.cgj, utc(2, 0, 0))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::TaskNotFound { task: 9, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("第 9 项任务"), "{err}");
    assert!(matches!(
        f.store
            .acknowledge(DocumentId(999), 1, &f.cgj, utc(2, 0, 0))
            .await,
        Err(StoreError::NotFound(DocumentId(999)))
    ));
    let ghost = User {
        id: UserId(999),
        ..f.cgj.clone()
    };
    assert!(matches!(
        f.store.acknowledge(f.doc, 3, &ghost, utc(2, 0, 0)).await,
        Err(StoreError::UserNotFound(UserId(999)))
    ));
}

#[tokio::test]
async fn late_and_on_time_acknowledgement() {
    let f = fixture().await;
    f.assign(date(10), utc(1, 9, 0)).await;
    // 23:59 on the due date in China is on time; a minute later is late.
    f.ack(1, &f.cgj, last_minute_of(10)).await;
    f.ack(2, &f.jyj, first_minute_after(10)).await;
    // Acknowledged early.
    f.ack(1, &f.fgj, utc(5, 0, 0)).await;

    // On the due date nothing unacknowledged is late yet.
    let lapses = f.lapses(date(10)).await;
    assert_eq!(
        kinds(&lapses),
        [(LapseKind::LateAcknowledgement, "区教育局", 2)]
    );
    let late = &lapses[0];
    assert_eq!(late.due, date(10));
    assert_eq!(late.done_at, Some(first_minute_after(10)));
    assert_eq!(late.round_label, None);
    assert_eq!(late.document, f.doc);

    // The day after, the three still unacknowledged are, in directory order.
    let lapses = f.lapses(date(11)).await;
    assert_eq!(
        kinds(&lapses),
        [
            (LapseKind::NotAcknowledged, "鲤城公安分局", 1),
            (LapseKind::LateAcknowledgement, "区教育局", 2),
            (LapseKind::NotAcknowledged, "区卫健局", 2),
            (LapseKind::NotAcknowledged, "区委文明办", 3),
        ]
    );
    assert!(
        lapses
            .iter()
            .filter(|l| l.kind == LapseKind::NotAcknowledged)
            .all(|l| l.done_at.is_none() && l.due == date(10))
    );
    // Acknowledging late turns "not acknowledged" into "late". (The account was
    // created with the unit's alias.)
    let wmb = user(&f.store, "wmb.lly", Role::Reporter, Some("区创城办")).await;
    f.ack(3, &wmb, utc(12, 2, 0)).await;
    let lapses = f.lapses(date(13)).await;
    assert_eq!(
        lapses.last().map(|l| (l.kind, l.unit.as_str(), l.done_at)),
        Some((
            LapseKind::LateAcknowledgement,
            "区委文明办",
            Some(utc(12, 2, 0))
        ))
    );
    // Per document, and across all of them.
    assert!(
        f.store
            .lapses(Some(DocumentId(999)), date(13))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(f.store.lapses(None, date(13)).await.unwrap(), lapses);
}

#[tokio::test]
async fn late_and_missing_reports() {
    use ReportAction as A;
    let f = fixture().await;
    let round = f.open_round("1-9月", date(10), utc(1, 9, 0)).await;

    // On time at the last minute of the due date.
    let cgj = f.report_of(round, 1, "区城管局").await;
    f.report_step(cgj, &f.cgj, A::Submit, last_minute_of(10))
        .await;
    // A minute late.
    let gaj = f.report_of(round, 1, "鲤城公安分局").await;
    f.report_step(gaj, &f.gaj, A::Submit, first_minute_after(10))
        .await;
    // Only a draft: not reported.
    let jyj = f.report_of(round, 2, "区教育局").await;
    f.report_step(jyj, &f.jyj, A::SaveDraft, utc(9, 0, 0)).await;
    // Submitted on time, approved, then returned by the office after the due date.
    let wjj = f.report_of(round, 2, "区卫健局").await;
    f.report_step(wjj, &f.wjj, A::Submit, utc(9, 0, 0)).await;
    f.report_step(wjj, &f.wjj_head, A::Approve, utc(9, 1, 0))
        .await;
    assert_eq!(
        f.report_step(wjj, &f.office, A::Return, utc(12, 0, 0))
            .await,
        ReportState::Returned
    );
    // 区发改局 and 区委文明办 write nothing.

    // On the due date nothing missing is late yet.
    let lapses = f.lapses(date(10)).await;
    assert_eq!(kinds(&lapses), [(LapseKind::LateReport, "鲤城公安分局", 1)]);
    assert_eq!(lapses[0].due, date(10));
    assert_eq!(lapses[0].done_at, Some(first_minute_after(10)));
    assert_eq!(lapses[0].round_label.as_deref(), Some("1-9月"));

    let after = [
        (LapseKind::LateReport, "鲤城公安分局", 1),
        (LapseKind::NotReported, "区发改局", 1),
        (LapseKind::NotReported, "区教育局", 2),
        (LapseKind::NotReported, "区委文明办", 3),
    ];
    let lapses = f.lapses(date(13)).await;
    assert_eq!(kinds(&lapses), after);
    assert!(
        lapses[1..]
            .iter()
            .all(|l| l.done_at.is_none() && l.round_label.as_deref() == Some("1-9月"))
    );
    // A closed round still counts.
    f.store.close_round(round, utc(14, 0, 0)).await.unwrap();
    assert_eq!(kinds(&f.lapses(date(15)).await), after);

    // Submitting after the due date is late, the first submission notwithstanding.
    let second = f.open_round("10月", date(20), utc(14, 0, 0)).await;
    let wjj = f.report_of(second, 2, "区卫健局").await;
    f.report_step(wjj, &f.wjj, A::Submit, utc(15, 0, 0)).await;
    f.report_step(wjj, &f.wjj_head, A::Approve, utc(15, 1, 0))
        .await;
    f.report_step(wjj, &f.office, A::Return, utc(16, 0, 0))
        .await;
    assert!(
        !kinds(&f.lapses(date(21)).await).contains(&(LapseKind::LateReport, "区卫健局", 2)),
        "submitted on time and returned is not a lapse"
    );
    f.report_step(wjj, &f.wjj, A::Submit, utc(22, 0, 0)).await;
    let lapses = f.lapses(date(23)).await;
    let wjj_lapses: Vec<_> = lapses.iter().filter(|l| l.unit == "区卫健局").collect();
    assert_eq!(wjj_lapses.len(), 1, "{lapses:?}");
    assert_eq!(wjj_lapses[0].kind, LapseKind::LateReport);
    assert_eq!(wjj_lapses[0].round_label.as_deref(), Some("10月"));
    assert_eq!(wjj_lapses[0].done_at, Some(utc(22, 0, 0)));
    // Rounds oldest first within a unit's task.
    let fgj_lapses: Vec<_> = lapses
        .iter()
        .filter(|l| l.unit == "区发改局")
        .map(|l| l.round_label.as_deref())
        .collect();
    assert_eq!(fgj_lapses, [Some("1-9月"), Some("10月")]);
}

#[tokio::test]
async fn the_two_clocks_are_kept_apart() {
    let f = fixture().await;
    f.assign(date(5), utc(1, 9, 0)).await;
    let round = f.open_round("1-9月", date(10), utc(1, 9, 0)).await;
    // 区城管局 acknowledges late and reports on time; 区教育局 the other way round.
    f.ack(1, &f.cgj, utc(7, 0, 0)).await;
    let cgj = f.report_of(round, 1, "区城管局").await;
    f.report_step(cgj, &f.cgj, ReportAction::Submit, utc(8, 0, 0))
        .await;
    f.ack(2, &f.jyj, utc(3, 0, 0)).await;
    // Between the two deadlines only the acknowledgement clock has run out.
    let between = f.lapses(date(8)).await;
    assert_eq!(between.len(), 5, "{between:?}");
    assert!(between.iter().all(|l| matches!(
        l.kind,
        LapseKind::LateAcknowledgement | LapseKind::NotAcknowledged
    )));
    let jyj = f.report_of(round, 2, "区教育局").await;
    f.report_step(jyj, &f.jyj, ReportAction::Submit, utc(12, 0, 0))
        .await;

    let lapses = f.lapses(date(13)).await;
    assert_eq!(
        kinds(&lapses),
        [
            (LapseKind::LateAcknowledgement, "区城管局", 1),
            (LapseKind::NotAcknowledged, "鲤城公安分局", 1),
            (LapseKind::NotReported, "鲤城公安分局", 1),
            (LapseKind::NotAcknowledged, "区发改局", 1),
            (LapseKind::NotReported, "区发改局", 1),
            (LapseKind::LateReport, "区教育局", 2),
            (LapseKind::NotAcknowledged, "区卫健局", 2),
            (LapseKind::NotReported, "区卫健局", 2),
            (LapseKind::NotAcknowledged, "区委文明办", 3),
            (LapseKind::NotReported, "区委文明办", 3),
        ]
    );
    let dues: Vec<NaiveDate> = lapses.iter().map(|l| l.due).collect();
    assert_eq!(dues[0], date(5));
    assert_eq!(dues[2], date(10));
}
