//! The supervision workflow in the store: accounts, sessions, login throttling,
//! reporting rounds and the review of reports, each test on a fresh database.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use duban_domain::{
    AccountError, Document, Notice, Percent, ReportAction, ReportState, RichText, Role, TaskDraft,
    UnitDirectory, WorkflowError,
};
use duban_store::{
    DocumentId, NewRound, NewUser, ReportChange, ReportFilter, ReportId, RoundId, Store,
    StoreError, User,
};

use crate::common::{
    Backend, TempDb, connect, empty_db, new_user, open_round, raw, report_of, round_reports,
    save_notice, temp_db, user, workflow_error,
};

/// 2024-10-01 at `hour`:`minute` UTC.
fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 10, 1, hour, minute, 0).unwrap()
}

/// Reports of the rounds the office opened: not those of an imported notice's own round
/// (its cells, recorded as accepted reports).
async fn opened_reports(store: &Store, filter: &ReportFilter) -> Vec<duban_store::ReportSummary> {
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

fn due() -> NaiveDate {
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

struct Fixture {
    _db: TempDb,
    store: Store,
    doc: DocumentId,
    office: User,
    /// 区城管局's reporter and head.
    reporter: User,
    head: User,
    /// 鲤城公安分局's reporter.
    other_reporter: User,
    leader: User,
}

async fn fixture() -> Fixture {
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
    async fn open(&self, label: &str, tasks: Option<Vec<u32>>, now: DateTime<Utc>) -> RoundId {
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
    async fn report_of(&self, round: RoundId, task: u32, unit: &str) -> ReportId {
        report_of(&self.store, round, task, unit).await
    }

    async fn act(
        &self,
        id: ReportId,
        actor: &User,
        change: ReportChange,
        now: DateTime<Utc>,
    ) -> Result<ReportState, StoreError> {
        self.store.act_on_report(id, actor, change, now).await
    }

    async fn state(&self, id: ReportId) -> ReportState {
        self.store.report(id).await.unwrap().unwrap().summary.state
    }
}

fn step(action: ReportAction) -> ReportChange {
    ReportChange {
        action,
        text: None,
        percent: None,
        comment: None,
    }
}

fn write(action: ReportAction, text: &str, percent: Option<u8>) -> ReportChange {
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
async fn accounts_are_created_and_checked() {
    let f = fixture().await;
    let store = &f.store;

    // An alias resolves to the canonical name.
    let wmb = store
        .create_user(new_user("wmb.lly", Role::Reporter, Some(" 区创城办 ")))
        .await
        .unwrap();
    assert_eq!(wmb.unit.as_deref(), Some("区委文明办"));
    assert_eq!(wmb.role, Role::Reporter);
    assert_eq!(wmb.display_name, "wmb.lly 姓名");
    assert_eq!(store.user(wmb.id).await.unwrap(), Some(wmb.clone()));
    assert_eq!(f.office.unit, None);

    let err = store
        .create_user(new_user("cgj.lly", Role::Reporter, Some("区发改局")))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::UsernameTaken(name) if name == "cgj.lly"),
        "{err:?}"
    );
    assert!(err.to_string().contains("“cgj.lly”已被使用"), "{err}");

    let err = store
        .create_user(new_user("nobody", Role::Reporter, Some("区不存在局")))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::UnknownUnit(u) if u == "区不存在局"),
        "{err:?}"
    );
    assert!(err.to_string().contains("不在单位名录中"), "{err}");

    for role in [Role::Reporter, Role::UnitHead] {
        for unit in [None, Some("  ")] {
            let err = store
                .create_user(new_user("nounit", role, unit))
                .await
                .unwrap_err();
            assert!(
                matches!(err, StoreError::Account(AccountError::UnitRequired(_))),
                "{err:?}"
            );
            assert!(err.to_string().contains("须指定所属单位"), "{err}");
        }
    }

    let err = store
        .create_user(new_user("office2", Role::Supervisor, Some("区城管局")))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::UnitNotAllowed { .. }), "{err:?}");
    assert!(
        err.to_string().contains("督查室账号不属于任何单位"),
        "{err}"
    );

    // An empty display name becomes the username.
    let admin = store
        .create_user(NewUser {
            display_name: "  ".into(),
            ..new_user("admin", Role::Admin, None)
        })
        .await
        .unwrap();
    assert_eq!(admin.display_name, "admin");

    let names: Vec<String> = store
        .users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username.to_string())
        .collect();
    assert_eq!(
        names,
        [
            "admin", "cgj.head", "cgj.lly", "duchashi", "gaj.lly", "lingdao", "wmb.lly"
        ]
    );

    let credentials = store.user_credentials("cgj.lly").await.unwrap().unwrap();
    assert_eq!(credentials.user, f.reporter);
    assert_eq!(
        credentials.password_hash,
        "$argon2id$v=19$m=19456,t=2,p=1$salt$cgj.lly"
    );
    assert!(store.user_credentials("nobody").await.unwrap().is_none());
    assert!(
        store
            .user(duban_store::UserId(999))
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_new_password_ends_every_session() {
    let f = fixture().await;
    let store = &f.store;
    let later = at(12, 0);
    store
        .create_session("a1", f.reporter.id, later)
        .await
        .unwrap();
    store
        .create_session("a2", f.reporter.id, later)
        .await
        .unwrap();
    store.create_session("b1", f.head.id, later).await.unwrap();

    store
        .set_password(f.reporter.id, "$argon2id$new")
        .await
        .unwrap();
    assert_eq!(
        store
            .user_credentials("cgj.lly")
            .await
            .unwrap()
            .unwrap()
            .password_hash,
        "$argon2id$new"
    );
    assert!(store.session_user("a1", at(8, 0)).await.unwrap().is_none());
    assert!(store.session_user("a2", at(8, 0)).await.unwrap().is_none());
    // Other accounts stay logged in.
    assert_eq!(
        store.session_user("b1", at(8, 0)).await.unwrap(),
        Some(f.head.clone())
    );

    let err = store
        .set_password(duban_store::UserId(999), "x")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::UserNotFound(_)), "{err:?}");
}

#[tokio::test]
async fn sessions_expire_end_and_are_purged() {
    let f = fixture().await;
    let store = &f.store;
    let expires = at(10, 0);
    store
        .create_session("valid", f.reporter.id, expires)
        .await
        .unwrap();
    store
        .create_session("old", f.head.id, at(9, 0))
        .await
        .unwrap();
    store
        .create_session("older", f.head.id, at(8, 0))
        .await
        .unwrap();

    assert_eq!(
        store.session_user("valid", at(9, 59)).await.unwrap(),
        Some(f.reporter.clone())
    );
    // Expired at the instant of expiry and after.
    assert!(
        store
            .session_user("valid", expires)
            .await
            .unwrap()
            .is_none()
    );
    // Sub-second precision counts.
    let just_before = expires - Duration::milliseconds(1);
    assert!(
        store
            .session_user("valid", just_before)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .session_user("unknown", at(8, 0))
            .await
            .unwrap()
            .is_none()
    );

    store.delete_session("valid").await.unwrap();
    assert!(
        store
            .session_user("valid", at(8, 0))
            .await
            .unwrap()
            .is_none()
    );
    // Logging out twice is fine.
    store.delete_session("valid").await.unwrap();

    assert_eq!(store.purge_sessions(at(8, 30)).await.unwrap(), 1);
    assert!(
        store
            .session_user("old", at(8, 30))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(store.purge_sessions(at(9, 0)).await.unwrap(), 1);
    assert_eq!(store.purge_sessions(at(23, 0)).await.unwrap(), 0);

    let err = store
        .create_session("ghost", duban_store::UserId(999), expires)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::UserNotFound(_)), "{err:?}");
}

#[tokio::test]
async fn login_attempts_are_reserved_per_account_address_and_both() {
    use duban_domain::login::{ThrottleScope, throttle_keys};
    use duban_store::Reservation;
    let f = fixture().await;
    let store = &f.store;
    let from_a = throttle_keys("cgj.lly", "10.0.0.1");
    // The account from one address: five attempts, then refused, and a refused one
    // moves no count.
    for n in 1..=5 {
        match store
            .reserve_login_attempt(&from_a, at(9, n))
            .await
            .unwrap()
        {
            Reservation::Granted(counts) => assert_eq!(counts, [n as i64, n as i64, n as i64]),
            other => panic!("attempt {n}: {other:?}"),
        }
    }
    assert_eq!(
        store
            .reserve_login_attempt(&from_a, at(9, 6))
            .await
            .unwrap(),
        Reservation::Refused(ThrottleScope::AccountFromAddress)
    );
    // Typed differently, the same account; from another address, not locked.
    let from_b = throttle_keys(" CGJ.lly ", "10.0.0.2");
    assert_eq!(
        store
            .reserve_login_attempt(&from_b, at(9, 7))
            .await
            .unwrap(),
        Reservation::Granted(vec![1, 1, 6]),
        "the account's own count saw the five from A, not the refused sixth"
    );
    // A right password gives the attempt back.
    store.release_login_attempt(&from_b).await.unwrap();
    assert_eq!(
        store
            .reserve_login_attempt(&from_b, at(9, 8))
            .await
            .unwrap(),
        Reservation::Granted(vec![1, 1, 6])
    );
    // The window ends 15 minutes after the first failure in it.
    assert!(matches!(
        store
            .reserve_login_attempt(&from_a, at(9, 17))
            .await
            .unwrap(),
        Reservation::Granted(_)
    ));
    // The security administrator's unlock clears the account's counts, not others'.
    let other = throttle_keys("guess", "10.0.0.1");
    store
        .reserve_login_attempt(&other, at(9, 18))
        .await
        .unwrap();
    assert_eq!(store.unlock_account("CGJ.LLY").await.unwrap(), 3);
    assert_eq!(store.unlock_account("cgj.lly").await.unwrap(), 0);
    // Housekeeping forgets windows that are over.
    assert_eq!(store.purge_login_throttle(at(9, 0)).await.unwrap(), 0);
    assert!(store.purge_login_throttle(at(12, 0)).await.unwrap() >= 2);
    // Lockouts are recorded for the administrator.
    store.record_lockout(&from_a[0], at(9, 5)).await.unwrap();
    let lockouts = store.lockouts_since(at(9, 0)).await.unwrap();
    assert_eq!(lockouts.len(), 1);
    assert_eq!(lockouts[0].scope, ThrottleScope::AccountFromAddress);
    assert_eq!(lockouts[0].account, "cgj.lly");
    assert_eq!(lockouts[0].address, "10.0.0.1");
}

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
