//! The supervision workflow in the store: accounts, sessions, login throttling,
//! reporting rounds and the review of reports, each test on a fresh database.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use duban_domain::{
    Document, Notice, Percent, ReportAction, ReportState, RichText, Role, TaskDraft, UnitDirectory,
    WorkflowError,
};
use duban_store::{
    DocumentId, NewRound, ReportChange, ReportFilter, ReportId, RoundId, Store, StoreError, User,
};

use crate::common::{
    Backend, TempDb, connect, empty_db, open_round, raw, report_of, round_reports, save_notice,
    temp_db, user, workflow_error,
};

/// 2024-10-01 at `hour`:`minute` UTC.
pub(crate) fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 10, 1, hour, minute, 0).unwrap()
}

/// Reports of the rounds the office opened: not those of an imported notice's own round
/// (its cells, recorded as accepted reports).
pub(crate) async fn opened_reports(
    store: &Store,
    filter: &ReportFilter,
) -> Vec<duban_store::ReportSummary> {
    let imported: Vec<RoundId> = store
        .rounds(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.imported)
        .map(|r| r.id)
        .collect();
    store
        .reports(filter)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| !imported.contains(&r.round))
        .collect()
}

pub(crate) fn due() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 10, 10).unwrap()
}

/// Three tasks: per-sub-item leads (three units), two lead units, one lead unit known
/// by an alias too.
fn drafts() -> Vec<TaskDraft> {
    vec![
        TaskDraft {
            number: 1,
            content: RichText::plain("①整治占道经营；②推进重点项目。"),
            lead_units: "第①项区城管局、鲤城公安分局牵头，第②项区发改局牵头".into(),
            cooperating_units: "区财政局".into(),
            progress: Some(RichText::plain("区城管局：已完成整治。")),
            ..TaskDraft::default()
        },
        TaskDraft {
            number: 2,
            content: RichText::plain("推进医教协同"),
            lead_units: "区教育局、区卫健局".into(),
            // An empty progress cell: nothing to show as the previous report.
            progress: Some(RichText::default()),
            ..TaskDraft::default()
        },
        TaskDraft {
            number: 3,
            content: RichText::plain("深化全国文明城市创建"),
            lead_units: "区委文明办 (区创城办)".into(),
            cooperating_units: "各街道".into(),
            progress: Some(RichText::plain("已完成年度测评。")),
            ..TaskDraft::default()
        },
    ]
}

fn notice() -> Notice {
    Notice::assemble(Document::default(), drafts(), &UnitDirectory::default())
}

pub(crate) struct Fixture {
    pub(crate) _db: TempDb,
    pub(crate) store: Store,
    pub(crate) doc: DocumentId,
    pub(crate) office: User,
    /// 区城管局's reporter and head.
    pub(crate) reporter: User,
    pub(crate) head: User,
    /// 鲤城公安分局's reporter.
    pub(crate) other_reporter: User,
    pub(crate) leader: User,
}

pub(crate) async fn fixture() -> Fixture {
    let db = temp_db().await;
    let store = connect(&db).await;
    let doc = save_notice(&store, &notice(), "通报.docx").await;
    let office = user(&store, "duchashi", Role::Supervisor, None).await;
    let reporter = user(&store, "cgj.lly", Role::Reporter, Some("区城管局")).await;
    let head = user(&store, "cgj.head", Role::UnitHead, Some("区城管局")).await;
    let other_reporter = user(&store, "gaj.lly", Role::Reporter, Some("鲤城公安分局")).await;
    let leader = user(&store, "lingdao", Role::Leader, None).await;
    Fixture {
        _db: db,
        store,
        doc,
        office,
        reporter,
        head,
        other_reporter,
        leader,
    }
}

impl Fixture {
    pub(crate) async fn open(
        &self,
        label: &str,
        tasks: Option<Vec<u32>>,
        now: DateTime<Utc>,
    ) -> RoundId {
        open_round(
            &self.store,
            self.doc,
            label,
            due(),
            tasks,
            self.office.id,
            now,
        )
        .await
    }

    /// The report of `unit` on task `task` in `round`.
    pub(crate) async fn report_of(&self, round: RoundId, task: u32, unit: &str) -> ReportId {
        report_of(&self.store, round, task, unit).await
    }

    pub(crate) async fn act(
        &self,
        id: ReportId,
        actor: &User,
        change: ReportChange,
        now: DateTime<Utc>,
    ) -> Result<ReportState, StoreError> {
        self.store.act_on_report(id, actor, change, now).await
    }

    pub(crate) async fn state(&self, id: ReportId) -> ReportState {
        self.store.report(id).await.unwrap().unwrap().summary.state
    }
}

pub(crate) fn step(action: ReportAction) -> ReportChange {
    ReportChange {
        action,
        text: None,
        percent: None,
        comment: None,
    }
}

pub(crate) fn write(action: ReportAction, text: &str, percent: Option<u8>) -> ReportChange {
    ReportChange {
        action,
        text: Some(RichText::plain(text)),
        percent: percent.map(|p| Percent::new(p).expect("a test's percent is 0 to 100")),
        comment: None,
    }
}

fn with_comment(action: ReportAction, comment: &str) -> ReportChange {
    ReportChange {
        comment: Some(comment.into()),
        ..step(action)
    }
}

#[test]
fn the_fixture_is_what_the_tests_assume() {
    let n = notice();
    assert_eq!(n.tasks[0].subitems.len(), 2);
    assert_eq!(n.tasks[0].subitems[1].lead_units, ["区发改局"]);
    assert_eq!(n.tasks[1].lead_units.len(), 2);
    assert_eq!(n.units.get("区委文明办").unwrap().aliases, ["区创城办"]);
}

#[tokio::test]
async fn the_full_review_loop_is_recorded() {
    use ReportAction as A;
    use ReportState as S;
    let f = fixture().await;
    let round = f.open("1-9月", None, at(9, 0)).await;
    let id = f.report_of(round, 1, "区城管局").await;

    assert_eq!(
        f.act(
            id,
            &f.reporter,
            write(A::SaveDraft, "初稿", Some(40)),
            at(9, 1)
        )
        .await
        .unwrap(),
        S::Draft
    );
    // Submitting without new text submits the draft; the percent stays.
    assert_eq!(
        f.act(id, &f.reporter, step(A::Submit), at(9, 2))
            .await
            .unwrap(),
        S::Submitted
    );
    let summary = f.store.round(round).await.unwrap().unwrap();
    assert_eq!((summary.reported, summary.accepted), (1, 0));

    assert_eq!(
        f.act(id, &f.head, step(A::Approve), at(9, 3))
            .await
            .unwrap(),
        S::UnitApproved
    );
    assert_eq!(
        f.act(
            id,
            &f.office,
            with_comment(A::Return, " 请补充数据 "),
            at(9, 4)
        )
        .await
        .unwrap(),
        S::Returned
    );
    let summary = f.store.round(round).await.unwrap().unwrap();
    assert_eq!((summary.reported, summary.accepted), (0, 0));

    assert_eq!(
        f.act(
            id,
            &f.reporter,
            write(A::Submit, "已整治 12 处\n新增 3 处", Some(60)),
            at(9, 5)
        )
        .await
        .unwrap(),
        S::Submitted
    );
    assert_eq!(
        f.act(id, &f.head, step(A::Approve), at(9, 6))
            .await
            .unwrap(),
        S::UnitApproved
    );
    assert_eq!(
        f.act(id, &f.office, step(A::Accept), at(9, 7))
            .await
            .unwrap(),
        S::Accepted
    );

    let detail = f.store.report(id).await.unwrap().unwrap();
    assert_eq!(detail.summary.state, S::Accepted);
    assert_eq!(detail.summary.percent.map(Percent::get), Some(60));
    assert_eq!(detail.summary.updated_at, Some(at(9, 7)));
    assert_eq!(detail.summary.submitted_at, Some(at(9, 5)));
    assert_eq!(detail.text, RichText::plain("已整治 12 处\n新增 3 处"));
    let steps: Vec<_> = detail
        .events
        .iter()
        .map(|e| (e.at, e.actor.as_str(), e.actor_role, e.action, e.from, e.to))
        .collect();
    assert_eq!(
        steps,
        [
            (
                at(9, 1),
                "cgj.lly 姓名",
                Role::Reporter,
                A::SaveDraft,
                S::NotStarted,
                S::Draft
            ),
            (
                at(9, 2),
                "cgj.lly 姓名",
                Role::Reporter,
                A::Submit,
                S::Draft,
                S::Submitted
            ),
            (
                at(9, 3),
                "cgj.head 姓名",
                Role::UnitHead,
                A::Approve,
                S::Submitted,
                S::UnitApproved
            ),
            (
                at(9, 4),
                "duchashi 姓名",
                Role::Supervisor,
                A::Return,
                S::UnitApproved,
                S::Returned
            ),
            (
                at(9, 5),
                "cgj.lly 姓名",
                Role::Reporter,
                A::Submit,
                S::Returned,
                S::Submitted
            ),
            (
                at(9, 6),
                "cgj.head 姓名",
                Role::UnitHead,
                A::Approve,
                S::Submitted,
                S::UnitApproved
            ),
            (
                at(9, 7),
                "duchashi 姓名",
                Role::Supervisor,
                A::Accept,
                S::UnitApproved,
                S::Accepted
            ),
        ]
    );
    let comments: Vec<Option<&str>> = detail.events.iter().map(|e| e.comment.as_deref()).collect();
    assert_eq!(
        comments,
        [None, None, None, Some("请补充数据"), None, None, None]
    );

    let summary = f.store.round(round).await.unwrap().unwrap();
    assert_eq!(
        (summary.reports, summary.reported, summary.accepted),
        (6, 1, 1)
    );
}

#[tokio::test]
async fn refused_steps_write_nothing() {
    use ReportAction as A;
    let f = fixture().await;
    let round = f.open("1-9月", None, at(9, 0)).await;
    let id = f.report_of(round, 1, "区城管局").await;
    let before = f.store.report(id).await.unwrap();

    // A reporter of another unit.
    let e = workflow_error(
        f.act(
            id,
            &f.other_reporter,
            write(A::SaveDraft, "冒填", None),
            at(9, 1),
        )
        .await,
    );
    assert_eq!(e, WorkflowError::OtherUnit);
    // A leader reads only.
    let e = workflow_error(f.act(id, &f.leader, step(A::Submit), at(9, 1)).await);
    assert!(matches!(e, WorkflowError::RoleNotAllowed { .. }), "{e:?}");
    // Nothing written yet: submitting empty text.
    let e = workflow_error(f.act(id, &f.reporter, step(A::Submit), at(9, 1)).await);
    assert_eq!(e, WorkflowError::EmptyReport);
    let e = workflow_error(
        f.act(id, &f.reporter, write(A::Submit, " \n ", None), at(9, 1))
            .await,
    );
    assert_eq!(e, WorkflowError::EmptyReport);
    // The office cannot accept what the unit has not approved.
    let e = workflow_error(f.act(id, &f.office, step(A::Accept), at(9, 1)).await);
    assert!(matches!(e, WorkflowError::WrongState { .. }), "{e:?}");
    assert_eq!(f.store.report(id).await.unwrap(), before);

    // A send-back needs a reason.
    f.act(id, &f.reporter, write(A::Submit, "已完成", None), at(9, 2))
        .await
        .unwrap();
    let e = workflow_error(
        f.act(id, &f.head, with_comment(A::SendBack, "  "), at(9, 3))
            .await,
    );
    assert!(matches!(e, WorkflowError::CommentRequired(_)), "{e:?}");
    let err = f
        .act(id, &f.head, step(A::SendBack), at(9, 3))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("须填写理由"), "{err}");
    assert_eq!(f.store.report(id).await.unwrap().unwrap().events.len(), 1);

    let err = f
        .act(ReportId(999), &f.reporter, step(A::SaveDraft), at(9, 3))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::ReportNotFound(ReportId(999))),
        "{err:?}"
    );
}

#[tokio::test]
async fn acting_from_a_state_that_has_moved_on_is_stale() {
    use ReportAction as A;
    use ReportState as S;
    let f = fixture().await;
    let round = f.open("1-9月", None, at(9, 0)).await;
    let id = f.report_of(round, 1, "区城管局").await;
    f.act(id, &f.reporter, write(A::Submit, "已完成", None), at(9, 1))
        .await
        .unwrap();

    // Two pages showed "submitted": the first approval wins, the send-back is stale.
    assert_eq!(
        f.store
            .act_on_report_expecting(id, &f.head, step(A::Approve), S::Submitted, at(9, 2))
            .await
            .unwrap(),
        S::UnitApproved
    );
    let err = f
        .store
        .act_on_report_expecting(
            id,
            &f.head,
            with_comment(A::SendBack, "请修改"),
            S::Submitted,
            at(9, 3),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Stale), "{err:?}");
    assert_eq!(err.to_string(), "该填报已被他人更新，请刷新后重试");
    let detail = f.store.report(id).await.unwrap().unwrap();
    assert_eq!(detail.summary.state, S::UnitApproved);
    assert_eq!(detail.summary.updated_at, Some(at(9, 2)));
    assert_eq!(detail.events.len(), 2);

    // Without an expected state, the step is checked against the state as it is.
    let e = workflow_error(f.act(id, &f.head, step(A::Approve), at(9, 4)).await);
    assert!(matches!(e, WorkflowError::WrongState { .. }), "{e:?}");
}

#[tokio::test]
async fn a_closed_round_refuses_every_step() {
    use ReportAction as A;
    let f = fixture().await;
    let round = f.open("1-9月", None, at(9, 0)).await;
    let id = f.report_of(round, 1, "区城管局").await;
    f.act(id, &f.reporter, write(A::SaveDraft, "草稿", None), at(9, 1))
        .await
        .unwrap();

    f.store.close_round(round, at(10, 0)).await.unwrap();
    // Closing again keeps the round closed.
    f.store.close_round(round, at(11, 0)).await.unwrap();
    assert!(f.store.round(round).await.unwrap().unwrap().closed);

    let e = workflow_error(
        f.act(id, &f.reporter, write(A::Submit, "补交", None), at(10, 1))
            .await,
    );
    assert_eq!(e, WorkflowError::RoundClosed);
    // Who may act is still checked first.
    let e = workflow_error(
        f.act(id, &f.other_reporter, step(A::SaveDraft), at(10, 1))
            .await,
    );
    assert_eq!(e, WorkflowError::OtherUnit);
    assert_eq!(f.state(id).await, ReportState::Draft);

    let err = f
        .store
        .close_round(RoundId(999), at(10, 0))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::RoundNotFound(RoundId(999))),
        "{err:?}"
    );
}

#[tokio::test]
async fn reports_are_filtered() {
    use ReportAction as A;
    let f = fixture().await;
    let first = f.open("1-6月", None, at(9, 0)).await;
    let second = f.open("1-9月", Some(vec![1, 3]), at(10, 0)).await;
    let filter = |unit: Option<&str>| ReportFilter {
        unit: unit.map(str::to_string),
        ..ReportFilter::default()
    };

    assert_eq!(opened_reports(&f.store, &filter(None)).await.len(), 10);
    let mine = opened_reports(&f.store, &filter(Some("区城管局"))).await;
    // Task order, newest round first.
    assert_eq!(
        mine.iter().map(|r| r.round).collect::<Vec<_>>(),
        [second, first]
    );
    // By alias.
    let wmb = opened_reports(&f.store, &filter(Some("区创城办"))).await;
    assert_eq!(wmb.len(), 2);
    assert!(wmb.iter().all(|r| r.unit == "区委文明办" && r.task == 3));
    assert!(
        f.store
            .reports(&filter(Some("区不存在局")))
            .await
            .unwrap()
            .is_empty()
    );

    let id = f.report_of(second, 1, "区城管局").await;
    f.act(id, &f.reporter, write(A::Submit, "已完成", None), at(10, 1))
        .await
        .unwrap();
    let submitted = f
        .store
        .reports(&ReportFilter {
            state: Some(ReportState::Submitted),
            ..ReportFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(submitted.iter().map(|r| r.id).collect::<Vec<_>>(), [id]);
    assert_eq!(submitted[0].submitted_at, Some(at(10, 1)));

    let by_round = f
        .store
        .reports(&ReportFilter {
            round: Some(second),
            ..ReportFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(by_round.len(), 4);
    let by_task = f
        .store
        .reports(&ReportFilter {
            document: Some(f.doc),
            task: Some(2),
            ..ReportFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(by_task.len(), 2);
    assert!(
        f.store
            .reports(&ReportFilter {
                document: Some(DocumentId(999)),
                ..ReportFilter::default()
            })
            .await
            .unwrap()
            .is_empty()
    );

    f.store.close_round(first, at(11, 0)).await.unwrap();
    let open = f
        .store
        .reports(&ReportFilter {
            open_rounds_only: true,
            ..filter(Some("区城管局"))
        })
        .await
        .unwrap();
    assert_eq!(open.iter().map(|r| r.round).collect::<Vec<_>>(), [second]);
    assert_eq!(
        f.store
            .reports(&ReportFilter {
                open_rounds_only: true,
                ..ReportFilter::default()
            })
            .await
            .unwrap()
            .len(),
        4
    );
}

#[tokio::test]
async fn a_notice_with_reports_is_not_replaced() {
    let f = fixture().await;
    // A numbered notice, so a second import with other content is a replacement.
    let document = Document {
        doc_number: Some(duban_domain::DocNumber::parse("鲤政办〔2024〕9号").unwrap()),
        ..Document::default()
    };
    let notice = Notice::assemble(document.clone(), drafts(), &UnitDirectory::default());
    let doc = f
        .store
        .save_notice(&notice, "9号.docx", false)
        .await
        .unwrap()
        .id();
    let mut changed = drafts();
    changed[1].content = RichText::plain("推进医教协同（修订）");
    let changed = Notice::assemble(document, changed, &UnitDirectory::default());

    open_round(&f.store, doc, "1-9月", due(), None, f.office.id, at(9, 0)).await;
    let err = f
        .store
        .save_notice(&changed, "9号.docx", true)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::ReportingStarted { document, rounds: 1 } if document == doc),
        "{err:?}"
    );
    assert!(err.to_string().contains("不能覆盖"), "{err}");
    assert_eq!(f.store.load_notice(doc).await.unwrap(), notice);
    assert_eq!(
        opened_reports(&f.store, &ReportFilter::default())
            .await
            .len(),
        6
    );
}

#[tokio::test]
async fn the_store_can_be_used_from_spawned_tasks() {
    // The web layer runs these futures on a multi-threaded runtime.
    fn send<T: Send>(t: T) -> T {
        t
    }
    let f = fixture().await;
    let store = f.store.clone();
    let office = f.office.clone();
    let doc = f.doc;
    let round = tokio::spawn(async move {
        send(store.open_round(
            NewRound {
                document: doc,
                label: "1-9月".into(),
                due: due(),
                tasks: None,
            },
            office.id,
            at(9, 0),
        ))
        .await
    })
    .await
    .unwrap()
    .unwrap();
    let store = f.store.clone();
    let reporter = f.reporter.clone();
    let id = f.report_of(round, 1, "区城管局").await;
    let state = tokio::spawn(async move {
        send(store.act_on_report(
            id,
            &reporter,
            write(ReportAction::SaveDraft, "草稿", None),
            at(9, 1),
        ))
        .await
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(state, ReportState::Draft);
}

#[tokio::test]
async fn a_database_from_before_the_workflow_is_upgraded() {
    // A database with only the first migration, holding an imported notice.
    let db = empty_db();
    let first = tempfile::tempdir().unwrap();
    let folder = match db.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    std::fs::copy(
        format!(
            "{}/migrations/{folder}/0001_init.sql",
            env!("CARGO_MANIFEST_DIR")
        ),
        first.path().join("0001_init.sql"),
    )
    .unwrap();
    if db.backend == Backend::Sqlite {
        // The file must exist before the raw pool opens it.
        let options = db
            .url
            .parse::<sqlx::sqlite::SqliteConnectOptions>()
            .unwrap()
            .create_if_missing(true);
        sqlx::SqlitePool::connect_with(options)
            .await
            .unwrap()
            .close()
            .await;
    }
    let pool = raw(&db).await;
    sqlx::migrate::Migrator::new(first.path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    let progress = serde_json::to_string(&RichText::plain("已完成选址")).unwrap();
    // Each row is the first of its table, so its id is 1 (and PostgreSQL's identity
    // columns move on from there).
    for statement in [
        "INSERT INTO documents (recipients_json, body_json, references_json, copy_to_json, \
             source_name, imported_at) \
         VALUES ('[]', '[]', '[]', '[]', 'old.docx', '2024-01-01T00:00:00Z')",
        "INSERT INTO units (name, kind) VALUES ('区教育局', '区直部门')",
        "INSERT INTO tasks (document_id, number, content_json, content_text, \
             lead_units_text, cooperating_units_text, extra_json) \
         VALUES (1, 1, '{\"paragraphs\":[]}', '', '区教育局', '', '[]')",
        "INSERT INTO task_units (task_id, relation, position, unit_id, written_as) \
         VALUES (1, 'lead', 0, 1, '区教育局')",
        "INSERT INTO rounds (document_id, label) VALUES (1, '通报所载进展')",
    ] {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    sqlx::query(
        "INSERT INTO progress_reports (task_id, round_id, text_json, text_plain) \
         VALUES (1, 1, $1, '已完成选址')",
    )
    .bind(&progress)
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    let store = connect(&db).await;
    let notice = store.load_notice(DocumentId(1)).await.unwrap();
    assert_eq!(
        notice.tasks[0].progress,
        Some(RichText::plain("已完成选址"))
    );
    // The old round is the notice's own, not a reporting round.
    assert!(store.rounds(None).await.unwrap().is_empty());
    let office = user(&store, "duchashi", Role::Supervisor, None).await;
    let round = open_round(
        &store,
        DocumentId(1),
        "1-9月",
        due(),
        None,
        office.id,
        at(9, 0),
    )
    .await;
    let reports = round_reports(&store, round, None).await;
    assert_eq!(reports.len(), 1);
    let detail = store.report(reports[0].id).await.unwrap().unwrap();
    assert_eq!(
        detail.previous,
        Some(("通报所载进展".into(), RichText::plain("已完成选址")))
    );
}
