//! Sources (立项) and decomposition notices (分解) in the store: drafting, editing tasks
//! and sub-items, renumbering, all-or-nothing batches, issuing with a 文号, and the
//! edits an issued or imported document refuses. Each test on a fresh database.

use chrono::NaiveDate;
use duban_domain::{
    DecompositionError, Disclosure, DocNumber, Document, DocumentStatus, DraftFields, IssueInput,
    Milestone, Notice, PlanError, ProgressKind, RichText, Source, SourceKind, SubItemInput,
    TaskDraft, TaskInput, UnitDirectory,
};
use duban_store::{
    DecomposeError, DocumentId, SaveOutcome, SourceId, Store, StoreError, TaskPageQuery, User,
};

use crate::common::{TempDb, connect, office, save_notice, temp_db};

pub(crate) struct Fixture {
    pub(crate) _db: TempDb,
    pub(crate) store: Store,
    office: User,
    /// The imported notice (泉鲤政办〔2020〕48号) that brought the units.
    imported: DocumentId,
    notice: Notice,
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn imported_notice() -> Notice {
    let drafts = [
        "区发改局",
        "区财政局 区工信局",
        "区城管局 区住建局 区自然资源局",
    ]
    .iter()
    .enumerate()
    .map(|(i, units)| TaskDraft {
        number: i as u32 + 1,
        content: RichText::plain(&format!("任务{}", i + 1)),
        lead_units: (*units).into(),
        ..TaskDraft::default()
    })
    .collect();
    let document = Document {
        doc_number: Some(DocNumber::parse("泉鲤政办〔2020〕48号").unwrap()),
        title: Some("落实情况的通报".into()),
        ..Document::default()
    };
    Notice::assemble(document, drafts, &UnitDirectory::default())
}

pub(crate) async fn fixture() -> Fixture {
    let db = temp_db().await;
    let store = connect(&db).await;
    let notice = imported_notice();
    let imported = save_notice(&store, &notice, "通报.docx").await;
    let office = office(&store, "督查室").await;
    Fixture {
        _db: db,
        store,
        office,
        imported,
        notice,
    }
}

fn speech() -> Source {
    Source {
        kind: SourceKind::Speech,
        title: "黄辉灿区长在区政府第一次全体会上的讲话".into(),
        date: Some(day(2020, 4, 20)),
        leader: Some("黄辉灿区长".into()),
        meeting: Some("区政府第一次全体会议".into()),
        original: RichText::plain("抓紧把 GDP 增长 2.5% 等一揽子指标下达到各街道。"),
        notes: None,
    }
}

pub(crate) fn task(content: &str, leads: &[&str]) -> TaskInput {
    TaskInput {
        content: content.into(),
        lead_units: leads.iter().map(|s| s.to_string()).collect(),
        ..TaskInput::default()
    }
}

pub(crate) async fn draft(f: &Fixture) -> (SourceId, DocumentId) {
    let source = f.store.create_source(speech(), f.office.id).await.unwrap();
    let doc = f
        .store
        .create_decomposition(source, "泉州市鲤城区人民政府办公室")
        .await
        .unwrap();
    (source, doc)
}

async fn contents(f: &Fixture, doc: DocumentId) -> Vec<(u32, String)> {
    f.store
        .load_notice(doc)
        .await
        .unwrap()
        .tasks
        .iter()
        .map(|t| (t.number.0, t.content.plain_text()))
        .collect()
}

#[tokio::test]
async fn sources_are_checked_listed_and_updated() {
    let f = fixture().await;
    let mut bad = speech();
    bad.leader = None;
    let e = f.store.create_source(bad, f.office.id).await.unwrap_err();
    assert_eq!(e.field(), Some("leader"));
    assert!(matches!(e, DecomposeError::Rule(_)), "{e:?}");
    assert!(f.store.sources(None).await.unwrap().is_empty());

    let id = f.store.create_source(speech(), f.office.id).await.unwrap();
    let instruction = Source {
        kind: SourceKind::Instruction,
        title: "关于加快老旧小区改造的批示".into(),
        leader: Some("区长".into()),
        ..speech()
    };
    let other = f
        .store
        .create_source(instruction, f.office.id)
        .await
        .unwrap();
    assert_eq!(f.store.sources(None).await.unwrap().len(), 2);
    let speeches = f.store.sources(Some(SourceKind::Speech)).await.unwrap();
    assert_eq!(speeches.len(), 1);
    assert_eq!(speeches[0].id, id);
    assert_eq!(speeches[0].kind_label, "会议讲话");

    let mut changed = speech();
    changed.title = "  黄区长讲话（修订） ".into();
    f.store.update_source(id, changed).await.unwrap();
    let detail = f.store.source(id).await.unwrap();
    assert_eq!(detail.source.title, "黄区长讲话（修订）");
    assert!(detail.documents.is_empty());
    assert!(matches!(
        f.store.update_source(SourceId(999), speech()).await,
        Err(DecomposeError::SourceNotFound(_))
    ));
    assert!(matches!(
        f.store.source(SourceId(999)).await,
        Err(DecomposeError::SourceNotFound(_))
    ));
    assert_ne!(id, other);
}

#[tokio::test]
async fn a_draft_gets_tasks_with_subitems_units_and_plans() {
    let f = fixture().await;
    let (source, doc) = draft(&f).await;
    let d = f.store.decomposition(doc).await.unwrap();
    assert_eq!(d.status, DocumentStatus::Draft);
    assert_eq!(
        d.document.title.as_deref(),
        Some(
            "泉州市鲤城区人民政府办公室关于对黄辉灿区长在区政府第一次全体会上的讲话部署进行责任分解的通知"
        )
    );
    assert_eq!(d.source.as_ref().map(|s| s.id), Some(source));
    assert_eq!(d.document.disclosure, Some(Disclosure::Active));

    let tasks = vec![
        TaskInput {
            leader: Some("王副区长".into()),
            deadline: Some("2020年12月底前".into()),
            cooperating_units: vec!["区财政局".into(), "工信局".into()],
            plan: Some(ProgressKind::indicator("2.5", "%").unwrap()),
            ..task(
                "抓紧把 GDP 增长 2.5% 等一揽子指标下达到各街道",
                &["区发改局"],
            )
        },
        TaskInput {
            subitems: vec![
                SubItemInput {
                    content: "江南新区水系、管网连接循环整治工程".into(),
                    lead_units: vec!["区城管局".into()],
                },
                SubItemInput {
                    content: "内环路建设".into(),
                    lead_units: vec!["区住建局".into()],
                },
            ],
            plan: Some(
                ProgressKind::project(vec![
                    Milestone {
                        due: day(2020, 6, 30),
                        description: "完成前期".into(),
                    },
                    Milestone {
                        due: day(2020, 12, 31),
                        description: "开工".into(),
                    },
                ])
                .unwrap(),
            ),
            ..task("尽快启动以下项目前期工作：", &[])
        },
        TaskInput {
            plan: Some(ProgressKind::Ongoing),
            ..task("常态化开展安全生产检查", &["区自然资源局"])
        },
    ];
    let numbers = f.store.add_decomposition_tasks(doc, &tasks).await.unwrap();
    assert_eq!(numbers, [1, 2, 3]);

    let notice = f.store.load_notice(doc).await.unwrap();
    let t1 = &notice.tasks[0];
    assert_eq!(t1.lead_units_text, "区发改局");
    // A short form resolves to the directory's name.
    assert_eq!(t1.cooperating_units_text, "区财政局、区工信局");
    assert_eq!(t1.leader.as_deref(), Some("王副区长"));
    assert_eq!(t1.deadline.as_deref(), Some("2020年12月底前"));
    let t2 = &notice.tasks[1];
    assert_eq!(
        t2.content.plain_text(),
        "尽快启动以下项目前期工作：①江南新区水系、管网连接循环整治工程；②内环路建设"
    );
    assert_eq!(t2.lead_units_text, "第①项区城管局牵头；第②项区住建局牵头");
    assert_eq!(t2.subitems.len(), 2);
    assert_eq!(t2.subitems[0].lead_units, ["区城管局"]);
    assert_eq!(t2.subitems[1].lead_units, ["区住建局"]);
    let leads: Vec<&str> = t2.lead_unit_names().collect();
    assert_eq!(leads, ["区城管局", "区住建局"]);

    let d = f.store.decomposition(doc).await.unwrap();
    assert_eq!(d.tasks[1].intro, "尽快启动以下项目前期工作：");
    assert!(d.tasks[1].task_lead_units.is_empty());
    assert_eq!(d.tasks[0].task_lead_units, ["区发改局"]);
    assert_eq!(d.tasks[0].plan_summary.as_deref(), Some("年度目标：2.5%"));
    assert_eq!(d.tasks[1].plan, tasks[1].plan);
    assert_eq!(d.tasks[2].plan, Some(ProgressKind::Ongoing));
    // The units' task listings see the draft's tasks like an import's.
    let by_unit = f.store.tasks(Some(doc), Some("区住建局")).await.unwrap();
    assert_eq!(by_unit.len(), 1);
    assert_eq!(by_unit[0].number, 2);

    // Editing a task replaces its units, sub-items and plan.
    let edited = TaskInput {
        plan: None,
        ..task("把 GDP 增长 2.5% 的指标分解下达", &["区发改局", "区统计局"])
    };
    let e = f
        .store
        .update_decomposition_task(doc, 1, &edited)
        .await
        .unwrap_err();
    // 区统计局 is not in the directory.
    assert_eq!(e.field(), Some("lead_units"));
    assert!(e.to_string().contains("区统计局"), "{e}");
    let edited = task("把 GDP 增长 2.5% 的指标分解下达", &["区发改局", "区财政局"]);
    f.store
        .update_decomposition_task(doc, 1, &edited)
        .await
        .unwrap();
    let d = f.store.decomposition(doc).await.unwrap();
    assert_eq!(d.tasks[0].task_lead_units, ["区发改局", "区财政局"]);
    assert_eq!(d.tasks[0].plan, None);
    assert!(d.tasks[0].task.cooperating_units.is_empty());
    assert_eq!(f.store.source(source).await.unwrap().summary.tasks, 3);
}

#[tokio::test]
async fn bad_input_names_the_field() {
    let f = fixture().await;
    let (_, doc) = draft(&f).await;
    let cases: Vec<(TaskInput, &str)> = vec![
        (task("  ", &["区发改局"]), "content"),
        (task("任务", &[]), "lead_units"),
        (task("含①标号的任务", &["区发改局"]), "content"),
        (task("任务", &["区城关局"]), "lead_units"),
        (
            TaskInput {
                cooperating_units: vec!["区发改局".into()],
                ..task("任务", &["区发改局"])
            },
            "cooperating_units",
        ),
        (
            TaskInput {
                subitems: vec![SubItemInput {
                    content: " ".into(),
                    lead_units: vec!["区城管局".into()],
                }],
                ..task("任务", &["区发改局"])
            },
            "subitems",
        ),
        (
            TaskInput {
                plan: Some(ProgressKind::Project {
                    milestones: vec![
                        Milestone {
                            due: day(2020, 12, 31),
                            description: "开工".into(),
                        },
                        Milestone {
                            due: day(2020, 6, 30),
                            description: "立项".into(),
                        },
                    ],
                }),
                ..task("任务", &["区发改局"])
            },
            "milestones",
        ),
        (
            TaskInput {
                leader: Some("长".repeat(101)),
                ..task("任务", &["区发改局"])
            },
            "leader",
        ),
    ];
    for (input, field) in cases {
        let e = f
            .store
            .add_decomposition_tasks(doc, std::slice::from_ref(&input))
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some(field), "{input:?}: {e}");
        assert!(matches!(e, DecomposeError::Rule(_)), "{e:?}");
    }
    // A typo gets a suggestion.
    let e = f
        .store
        .add_decomposition_tasks(doc, &[task("任务", &["区城关局"])])
        .await
        .unwrap_err();
    assert!(e.to_string().contains("是否应为“区城管局”"), "{e}");
    let e = f
        .store
        .add_decomposition_tasks(
            doc,
            &[TaskInput {
                plan: Some(ProgressKind::Project {
                    milestones: Vec::new(),
                }),
                ..task("任务", &["区发改局"])
            }],
        )
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        DecomposeError::Rule(DecompositionError::Plan {
            task: Some(1),
            error: PlanError::NoMilestones
        })
    ));
    assert!(contents(&f, doc).await.is_empty());
}

#[tokio::test]
async fn a_bad_task_in_a_batch_stores_none_of_it() {
    let f = fixture().await;
    let (_, doc) = draft(&f).await;
    f.store
        .add_decomposition_tasks(doc, &[task("已有任务", &["区发改局"])])
        .await
        .unwrap();
    let batch = [
        task("第二项", &["区财政局"]),
        task("第三项", &["区工信局"]),
        task("第四项", &["不存在的单位局"]),
    ];
    let e = f
        .store
        .add_decomposition_tasks(doc, &batch)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            DecomposeError::Rule(DecompositionError::InBatch { index: 3, .. })
        ),
        "{e:?}"
    );
    assert!(e.to_string().starts_with("第 3 项任务："), "{e}");
    assert_eq!(e.field(), Some("lead_units"));
    assert_eq!(contents(&f, doc).await, [(1, "已有任务".to_string())]);
    // Nothing half-written: the tables have exactly the one task's rows.
    assert_eq!(f.store.tasks(Some(doc), None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn removing_and_moving_renumbers() {
    let f = fixture().await;
    let (_, doc) = draft(&f).await;
    let batch: Vec<TaskInput> = ["甲", "乙", "丙", "丁"]
        .iter()
        .map(|c| task(c, &["区发改局"]))
        .collect();
    f.store.add_decomposition_tasks(doc, &batch).await.unwrap();
    f.store.remove_decomposition_task(doc, 2).await.unwrap();
    let names = |v: Vec<(u32, String)>| -> Vec<String> {
        v.into_iter().map(|(n, c)| format!("{n}{c}")).collect()
    };
    assert_eq!(names(contents(&f, doc).await), ["1甲", "2丙", "3丁"]);
    f.store.move_decomposition_task(doc, 3, 1).await.unwrap();
    assert_eq!(names(contents(&f, doc).await), ["1丁", "2甲", "3丙"]);
    f.store.move_decomposition_task(doc, 1, 3).await.unwrap();
    assert_eq!(names(contents(&f, doc).await), ["1甲", "2丙", "3丁"]);
    let e = f
        .store
        .move_decomposition_task(doc, 1, 4)
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("to"));
    assert!(matches!(
        f.store.remove_decomposition_task(doc, 9).await,
        Err(DecomposeError::TaskNotFound { number: 9, .. })
    ));
    // New tasks append after the last.
    let n = f
        .store
        .add_decomposition_tasks(doc, &[task("戊", &["区发改局"])])
        .await
        .unwrap();
    assert_eq!(n, [4]);
}

#[tokio::test]
async fn issuing_checks_the_number_and_fixes_the_tasks() {
    let f = fixture().await;
    let (source, doc) = draft(&f).await;
    let issue = |number: &str, date: NaiveDate| IssueInput {
        doc_number: number.into(),
        date,
        signatory: None,
    };
    // No tasks yet.
    let e = f
        .store
        .issue_decomposition(
            doc,
            &issue("泉鲤政办〔2020〕44号", day(2020, 5, 6)),
            f.office.id,
        )
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("tasks"));
    f.store
        .add_decomposition_tasks(doc, &[task("下达指标", &["区发改局"])])
        .await
        .unwrap();
    for (number, date, field) in [
        ("泉鲤政办2020年44号", day(2020, 5, 6), "doc_number"),
        ("〔2020〕44号", day(2020, 5, 6), "doc_number"),
        ("泉鲤政办〔2020〕四十四号", day(2020, 5, 6), "doc_number"),
        ("泉鲤政办〔2019〕44号", day(2020, 5, 6), "doc_number"),
        ("  ", day(2020, 5, 6), "doc_number"),
    ] {
        let e = f
            .store
            .issue_decomposition(doc, &issue(number, date), f.office.id)
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some(field), "{number}: {e}");
        assert!(matches!(e, DecomposeError::Rule(_)), "{number}: {e:?}");
    }
    // The imported notice has 48号 already (in another bracket spelling here).
    let e = f
        .store
        .issue_decomposition(
            doc,
            &issue("泉鲤政办[2020]48号", day(2020, 5, 6)),
            f.office.id,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, DecomposeError::DocNumberTaken { existing, .. } if existing == f.imported));
    assert_eq!(
        f.store.decomposition(doc).await.unwrap().status,
        DocumentStatus::Draft
    );

    f.store
        .issue_decomposition(
            doc,
            &issue("泉鲤政办[2020]44号", day(2020, 5, 6)),
            f.office.id,
        )
        .await
        .unwrap();
    let d = f.store.decomposition(doc).await.unwrap();
    assert_eq!(d.status, DocumentStatus::Issued);
    assert!(d.issued_at.is_some());
    assert_eq!(
        d.document.doc_number.as_ref().map(ToString::to_string),
        Some("泉鲤政办〔2020〕44号".to_string())
    );
    assert_eq!(d.document.date, Some(day(2020, 5, 6)));
    assert_eq!(
        d.document.signatory.as_deref(),
        Some("泉州市鲤城区人民政府办公室")
    );
    assert_eq!(
        f.store.find_document("泉鲤政办〔2020〕44号").await.unwrap(),
        Some(doc)
    );
    assert!(
        f.store
            .list_documents()
            .await
            .unwrap()
            .iter()
            .any(|s| s.id == doc && s.tasks == 1)
    );

    // Issued: the editor refuses every change.
    let refused = [
        f.store
            .add_decomposition_tasks(doc, &[task("再加一项", &["区发改局"])])
            .await
            .unwrap_err(),
        f.store
            .update_decomposition_task(doc, 1, &task("改", &["区发改局"]))
            .await
            .unwrap_err(),
        f.store.remove_decomposition_task(doc, 1).await.unwrap_err(),
        f.store
            .move_decomposition_task(doc, 1, 1)
            .await
            .unwrap_err(),
        f.store
            .update_decomposition(
                doc,
                DraftFields {
                    issuer: "甲".into(),
                    title: "乙".into(),
                    recipients: vec!["丙".into()],
                    body: Vec::new(),
                    disclosure: Disclosure::Active,
                    attachment: None,
                },
            )
            .await
            .unwrap_err(),
        f.store
            .issue_decomposition(
                doc,
                &issue("泉鲤政办〔2020〕45号", day(2020, 5, 6)),
                f.office.id,
            )
            .await
            .unwrap_err(),
        f.store.delete_decomposition(doc).await.unwrap_err(),
    ];
    for e in refused {
        assert!(
            matches!(
                e,
                DecomposeError::NotADraft {
                    status: DocumentStatus::Issued,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.to_string().contains("已印发"), "{e}");
    }
    assert_eq!(contents(&f, doc).await, [(1, "下达指标".to_string())]);
    let detail = f.store.source(source).await.unwrap();
    assert_eq!(detail.documents.len(), 1);
    assert_eq!(detail.documents[0].status, DocumentStatus::Issued);
}

#[tokio::test]
async fn imported_notices_keep_working_and_can_get_a_source() {
    let f = fixture().await;
    // Imports are not editable here.
    let e = f
        .store
        .add_decomposition_tasks(f.imported, &[task("新任务", &["区发改局"])])
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        DecomposeError::NotADraft {
            status: DocumentStatus::Imported,
            ..
        }
    ));
    let d = f.store.decomposition(f.imported).await.unwrap();
    assert_eq!(d.status, DocumentStatus::Imported);
    assert!(d.source.is_none());
    assert!(d.tasks.iter().all(|t| t.plan.is_none()));

    let (source, draft_doc) = draft(&f).await;
    f.store
        .add_decomposition_tasks(draft_doc, &[task("草稿任务", &["区发改局"])])
        .await
        .unwrap();
    let page = |source: Option<SourceId>, source_kind: Option<SourceKind>| {
        let store = f.store.clone();
        async move {
            let q = TaskPageQuery {
                document: None,
                unit: None,
                round: None,
                report_state: None,
                task_state: None,
                source,
                source_kind,
                reading: None,
                page: 1,
                per_page: 100,
            };
            let page = store.task_page(&q).await.unwrap();
            page.rows
                .iter()
                .map(|r| r.task.document)
                .collect::<std::collections::BTreeSet<_>>()
        }
    };
    // A draft's tasks are not on the task list; the imported notice has no source yet.
    assert_eq!(page(None, None).await, [f.imported].into());
    assert!(page(Some(source), None).await.is_empty());

    f.store
        .set_document_source(f.imported, Some(source))
        .await
        .unwrap();
    // The link invalidates cached pages at once.
    assert_eq!(page(Some(source), None).await, [f.imported].into());
    assert_eq!(
        page(None, Some(SourceKind::Speech)).await,
        [f.imported].into()
    );
    assert!(page(None, Some(SourceKind::Instruction)).await.is_empty());
    f.store.set_document_source(f.imported, None).await.unwrap();
    assert!(page(Some(source), None).await.is_empty());
    f.store
        .set_document_source(f.imported, Some(source))
        .await
        .unwrap();

    // Importing the same notice again is still a no-op; the link does not change it.
    let again = f
        .store
        .save_notice(&f.notice, "通报.docx", false)
        .await
        .unwrap();
    assert_eq!(again, SaveOutcome::Unchanged(f.imported));
    assert_eq!(
        f.store.load_notice(f.imported).await.unwrap().tasks,
        f.notice.tasks
    );

    assert!(matches!(
        f.store
            .set_document_source(f.imported, Some(SourceId(77)))
            .await,
        Err(DecomposeError::SourceNotFound(_))
    ));
    assert!(matches!(
        f.store
            .set_document_source(DocumentId(77), Some(source))
            .await,
        Err(DecomposeError::DocumentNotFound(_))
    ));
    f.store.set_document_source(f.imported, None).await.unwrap();
    assert_eq!(f.store.source(source).await.unwrap().documents.len(), 1);

    // A draft can be deleted; its source stays.
    f.store.delete_decomposition(draft_doc).await.unwrap();
    assert!(f.store.source(source).await.unwrap().documents.is_empty());
}

#[tokio::test]
async fn a_draft_gets_no_rounds_or_assignments_until_issued() {
    let f = fixture().await;
    let (_, doc) = draft(&f).await;
    f.store
        .add_decomposition_tasks(doc, &[task("草稿任务", &["区发改局"])])
        .await
        .unwrap();
    let listed =
        |docs: Vec<duban_store::DocumentSummary>| docs.iter().map(|d| d.id).collect::<Vec<_>>();
    assert_eq!(
        listed(f.store.list_documents().await.unwrap()),
        [f.imported]
    );
    let now = chrono::Utc::now();
    let round = duban_store::NewRound {
        document: doc,
        label: "1-9月".into(),
        due: day(2026, 10, 10),
        tasks: None,
    };
    let e = f
        .store
        .open_round(round.clone(), f.office.id, now)
        .await
        .unwrap_err();
    assert!(
        matches!(e, duban_store::StoreError::NotIssued(d) if d == doc),
        "{e}"
    );
    let e = f
        .store
        .assign_document(doc, day(2026, 10, 10), f.office.id, now)
        .await
        .unwrap_err();
    assert!(
        matches!(e, duban_store::StoreError::NotIssued(d) if d == doc),
        "{e}"
    );
    assert!(f.store.rounds(None).await.unwrap().is_empty());

    let issue = IssueInput {
        doc_number: "泉鲤政办〔2026〕44号".into(),
        date: day(2026, 9, 1),
        signatory: None,
    };
    f.store
        .issue_decomposition(doc, &issue, f.office.id)
        .await
        .unwrap();
    assert_eq!(
        listed(f.store.list_documents().await.unwrap()),
        [f.imported, doc]
    );
    f.store.open_round(round, f.office.id, now).await.unwrap();
}

/// A unit name stored before names were checked on every path (here: with a space)
/// is refused by the editor with the reason, not stored as a task that reads back as
/// other units (which answered 500 "数据已损坏").
#[tokio::test]
async fn a_directory_name_that_breaks_the_unit_rule_is_refused_not_stored() {
    let f = fixture().await;
    let (_, doc) = draft(&f).await;
    crate::common::sql(
        &f._db,
        "UPDATE units SET name = '区发改 局' WHERE name = '区发改局'",
    )
    .await;
    let err = f
        .store
        .add_decomposition_tasks(doc, &[task("任务", &["区发改 局"])])
        .await
        .unwrap_err();
    assert!(matches!(err, DecomposeError::Rule(_)), "{err:?}");
    assert!(err.to_string().contains("不能有空格"), "{err}");
    assert!(contents(&f, doc).await.is_empty());
    // Saving a notice that names such a unit is refused the same way.
    let mut notice = imported_notice();
    notice.document.doc_number = Some(DocNumber::parse("泉鲤政办〔2020〕49号").unwrap());
    notice.tasks[0].lead_units[0].unit = "区发改 局".into();
    let err = f
        .store
        .save_notice(&notice, "坏.json", false)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::UnitName(_)), "{err:?}");
}
