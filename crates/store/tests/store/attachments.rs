//! 佐证材料 in the store: files attached to a report, who may add and remove them and
//! when, and the limits the store checks again. Each test on a fresh database.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use duban_domain::{
    Document, EvidenceError, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_REPORT, Notice,
    ReportAction, RichText, Role, TaskDraft, UnitDirectory, WorkflowError,
};
use duban_store::{
    AttachmentId, AttachmentInfo, NewAttachment, ReportChange, ReportId, RoundId, Store,
    StoreError, User,
};

use crate::common::{
    TempDb, connect, open_round, round_reports, save_notice, temp_db, user, workflow_error,
};

struct Fixture {
    _db: TempDb,
    store: Store,
    round: RoundId,
    /// 区城管局's report on task 1.
    report: ReportId,
    office: User,
    /// 区城管局's reporter and head.
    reporter: User,
    head: User,
    /// 区发改局's reporter (the unit leads task 2, not task 1).
    other_reporter: User,
    leader: User,
}

/// 2024-10-01 at `hour`:`minute` UTC.
fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 10, 1, hour, minute, 0).unwrap()
}

async fn fixture() -> Fixture {
    let db = temp_db().await;
    let store = connect(&db).await;
    let drafts = vec![
        TaskDraft {
            number: 1,
            content: RichText::plain("整治占道经营"),
            lead_units: "区城管局".into(),
            ..TaskDraft::default()
        },
        TaskDraft {
            number: 2,
            content: RichText::plain("推进重点项目"),
            lead_units: "区发改局".into(),
            ..TaskDraft::default()
        },
    ];
    let notice = Notice::assemble(Document::default(), drafts, &UnitDirectory::default());
    let doc = save_notice(&store, &notice, "通报.docx").await;
    let office = user(&store, "duchashi", Role::Supervisor, None).await;
    let reporter = user(&store, "cgj.lly", Role::Reporter, Some("区城管局")).await;
    let head = user(&store, "cgj.head", Role::UnitHead, Some("区城管局")).await;
    let other_reporter = user(&store, "fgj.lly", Role::Reporter, Some("区发改局")).await;
    let leader = user(&store, "lingdao", Role::Leader, None).await;
    let due = NaiveDate::from_ymd_opt(2024, 10, 10).unwrap();
    let round = open_round(&store, doc, "1-9月", due, None, office.id, at(8, 0)).await;
    let reports = round_reports(&store, round, Some(1)).await;
    assert_eq!(reports.len(), 1);
    Fixture {
        _db: db,
        store,
        round,
        report: reports[0].id,
        office,
        reporter,
        head,
        other_reporter,
        leader,
    }
}

fn pdf(name: &str, body: &str) -> NewAttachment {
    NewAttachment {
        filename: name.into(),
        content_type: "application/pdf".into(),
        data: format!("%PDF-1.4\n{body}").into_bytes(),
    }
}

impl Fixture {
    async fn add(&self, actor: &User, file: NewAttachment) -> Result<AttachmentInfo, StoreError> {
        self.store
            .add_attachment(self.report, actor, file, at(9, 0))
            .await
    }

    async fn names(&self) -> Vec<String> {
        self.store
            .attachments(self.report)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.filename)
            .collect()
    }

    async fn step(&self, actor: &User, action: ReportAction, text: Option<&str>) {
        self.store
            .act_on_report(
                self.report,
                actor,
                ReportChange {
                    action,
                    text: text.map(RichText::plain),
                    percent: None,
                    comment: action.needs_comment().then(|| "请补充材料".to_string()),
                },
                at(9, 30),
            )
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn the_reporter_attaches_files_kept_in_upload_order_with_their_bytes() {
    let f = fixture().await;
    let first = f
        .add(&f.reporter, pdf("整改报告（终稿）.pdf", "甲"))
        .await
        .unwrap();
    assert_eq!(first.report, f.report);
    assert_eq!(first.filename, "整改报告（终稿）.pdf");
    assert_eq!(first.content_type, "application/pdf");
    assert_eq!(first.size, "%PDF-1.4\n甲".len() as u64);
    assert_eq!(first.uploaded_by, "cgj.lly 姓名");
    assert_eq!(first.uploaded_at, at(9, 0));
    let text = NewAttachment {
        filename: "说明.txt".into(),
        content_type: "text/plain; charset=utf-8".into(),
        data: b"abc".to_vec(),
    };
    let second = f.add(&f.reporter, text).await.unwrap();
    assert_eq!(
        second.sha256,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(f.names().await, ["整改报告（终稿）.pdf", "说明.txt"]);

    let (info, data) = f.store.attachment(first.id).await.unwrap().unwrap();
    assert_eq!(info, first);
    assert_eq!(data, "%PDF-1.4\n甲".as_bytes());
    assert_eq!(
        f.store.attachment_info(second.id).await.unwrap(),
        Some(second)
    );
    assert_eq!(f.store.attachment(AttachmentId(999)).await.unwrap(), None);
    // Adding a file is not a workflow step: the report's state and history are as they were.
    let report = f.store.report(f.report).await.unwrap().unwrap();
    assert_eq!(report.summary.state, duban_domain::ReportState::NotStarted);
    assert!(report.events.is_empty());
    // The other report has none.
    let others = round_reports(&f.store, f.round, Some(2)).await;
    assert!(f.store.attachments(others[0].id).await.unwrap().is_empty());
}

#[tokio::test]
async fn only_the_units_reporter_may_attach_or_remove() {
    let f = fixture().await;
    for actor in [&f.office, &f.head, &f.leader] {
        let e = workflow_error(f.add(actor, pdf("a.pdf", "x")).await);
        assert!(
            matches!(
                e,
                WorkflowError::RoleNotAllowed {
                    action: "上传佐证材料",
                    ..
                }
            ),
            "{e:?}"
        );
    }
    assert_eq!(
        workflow_error(f.add(&f.other_reporter, pdf("a.pdf", "x")).await),
        WorkflowError::OtherUnit
    );
    assert!(f.names().await.is_empty());
    let kept = f.add(&f.reporter, pdf("a.pdf", "x")).await.unwrap();
    assert_eq!(
        workflow_error(
            f.store
                .remove_attachment(kept.id, &f.other_reporter, at(9, 5))
                .await
        ),
        WorkflowError::OtherUnit
    );
    let e = workflow_error(
        f.store
            .remove_attachment(kept.id, &f.office, at(9, 5))
            .await,
    );
    assert_eq!(
        e.to_string(),
        "督查室无权执行“删除佐证材料”",
        "the message names the step"
    );
    assert_eq!(f.names().await, ["a.pdf"]);
    f.store
        .remove_attachment(kept.id, &f.reporter, at(9, 5))
        .await
        .unwrap();
    assert!(f.names().await.is_empty());
    assert_eq!(f.store.attachment(kept.id).await.unwrap(), None);
    assert!(matches!(
        f.store.remove_attachment(kept.id, &f.reporter, at(9, 6)).await,
        Err(StoreError::AttachmentNotFound(id)) if id == kept.id
    ));
    assert!(matches!(
        f.store
            .add_attachment(ReportId(999), &f.reporter, pdf("a.pdf", "x"), at(9, 0))
            .await,
        Err(StoreError::ReportNotFound(_))
    ));
}

#[tokio::test]
async fn files_are_fixed_once_submitted_and_open_again_when_sent_back() {
    let f = fixture().await;
    f.step(&f.reporter, ReportAction::SaveDraft, Some("草稿"))
        .await;
    let kept = f.add(&f.reporter, pdf("草稿时.pdf", "x")).await.unwrap();
    f.step(&f.reporter, ReportAction::Submit, None).await;
    let e = f
        .add(&f.reporter, pdf("提交后.pdf", "x"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::AttachmentsLocked {
                state: "待单位审核",
                action: "上传佐证材料"
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("退回后再操作"), "{e}");
    assert!(matches!(
        f.store
            .remove_attachment(kept.id, &f.reporter, at(9, 40))
            .await,
        Err(StoreError::AttachmentsLocked {
            action: "删除佐证材料",
            ..
        })
    ));
    // Sent back: the reporter may change the files again.
    f.step(&f.head, ReportAction::SendBack, None).await;
    f.add(&f.reporter, pdf("退回后补充.pdf", "y"))
        .await
        .unwrap();
    assert_eq!(f.names().await, ["草稿时.pdf", "退回后补充.pdf"]);
    // A closed round is closed for files too.
    f.store.close_round(f.round, at(10, 0)).await.unwrap();
    assert_eq!(
        workflow_error(f.add(&f.reporter, pdf("截止后.pdf", "z")).await),
        WorkflowError::RoundClosed
    );
    assert_eq!(
        workflow_error(
            f.store
                .remove_attachment(kept.id, &f.reporter, at(10, 5))
                .await
        ),
        WorkflowError::RoundClosed
    );
    // Role and unit come before the round: another unit still hears "not yours".
    assert_eq!(
        workflow_error(f.add(&f.other_reporter, pdf("a.pdf", "z")).await),
        WorkflowError::OtherUnit
    );
}

#[tokio::test]
async fn at_most_ten_files_per_report() {
    let f = fixture().await;
    let mut ids = Vec::new();
    for n in 1..=MAX_ATTACHMENTS_PER_REPORT {
        ids.push(
            f.add(&f.reporter, pdf(&format!("{n}.pdf"), "x"))
                .await
                .unwrap()
                .id,
        );
    }
    let e = f.add(&f.reporter, pdf("11.pdf", "x")).await.unwrap_err();
    assert!(
        matches!(e, StoreError::Evidence(EvidenceError::TooMany)),
        "{e:?}"
    );
    assert!(
        e.to_string().starts_with("每份填报最多上传 10 个佐证材料"),
        "{e}"
    );
    assert_eq!(f.names().await.len(), MAX_ATTACHMENTS_PER_REPORT);
    f.store
        .remove_attachment(ids[0], &f.reporter, at(9, 1))
        .await
        .unwrap();
    f.add(&f.reporter, pdf("11.pdf", "x")).await.unwrap();
    assert_eq!(f.names().await.last().map(String::as_str), Some("11.pdf"));
}

#[tokio::test]
async fn the_store_refuses_empty_and_oversized_files_itself() {
    let f = fixture().await;
    let empty = NewAttachment {
        filename: "空.pdf".into(),
        content_type: "application/pdf".into(),
        data: Vec::new(),
    };
    assert!(matches!(
        f.add(&f.reporter, empty).await,
        Err(StoreError::Evidence(EvidenceError::Empty(_)))
    ));
    let mut data = b"%PDF-1.4\n".to_vec();
    data.resize(MAX_ATTACHMENT_BYTES + 1, b' ');
    let big = NewAttachment {
        filename: "大.pdf".into(),
        content_type: "application/pdf".into(),
        data,
    };
    assert!(matches!(
        f.add(&f.reporter, big).await,
        Err(StoreError::Evidence(EvidenceError::TooLarge { .. }))
    ));
    assert!(f.names().await.is_empty());
    // Exactly the limit is fine, and comes back byte for byte.
    let mut data = b"%PDF-1.4\n".to_vec();
    data.resize(MAX_ATTACHMENT_BYTES, b'x');
    let at_limit = NewAttachment {
        filename: "刚好.pdf".into(),
        content_type: "application/pdf".into(),
        data: data.clone(),
    };
    let info = f.add(&f.reporter, at_limit).await.unwrap();
    assert_eq!(info.size, MAX_ATTACHMENT_BYTES as u64);
    assert_eq!(f.store.attachment(info.id).await.unwrap().unwrap().1, data);
}
