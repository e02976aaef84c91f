//! What a decomposition task, a draft's header and issuing must have
//! (`duban_domain::decomposition`), from the outside.

use chrono::NaiveDate;
use duban_domain::decomposition::{
    DraftFields, IssueInput, MAX_TASKS, PlannedTask, SubItemInput, TaskInput, check_new_tasks,
    move_target,
};
use duban_domain::{DecompositionError, Disclosure, Document, ProgressKind, Unit, UnitDirectory};

fn directory() -> UnitDirectory {
    UnitDirectory {
        units: ["区发改局", "区财政局", "区城管局", "区住建局"]
            .into_iter()
            .map(Unit::new)
            .collect(),
    }
}

fn task(content: &str, leads: &[&str]) -> TaskInput {
    TaskInput {
        content: content.into(),
        lead_units: leads.iter().map(|s| s.to_string()).collect(),
        ..TaskInput::default()
    }
}

#[test]
fn a_task_is_assembled_as_an_import_would_be() {
    let input = TaskInput {
        subitems: vec![
            SubItemInput {
                content: "内环路；".into(),
                lead_units: vec!["区城管局".into()],
            },
            SubItemInput {
                content: "外环路".into(),
                lead_units: Vec::new(),
            },
        ],
        cooperating_units: vec!["区住建局".into()],
        ..task("尽快启动以下项目：", &["区发改局"])
    };
    let checked = input.check(7, &directory()).unwrap();
    let t = &checked.task;
    assert_eq!(t.number.0, 7);
    assert_eq!(t.content.plain_text(), "尽快启动以下项目：①内环路；②外环路");
    assert_eq!(t.lead_units_text, "区发改局；第①项区城管局牵头");
    assert_eq!(t.subitems.len(), 2);
    assert_eq!(t.subitems[0].lead_units, ["区城管局"]);
    let planned = PlannedTask::new(checked.task, None);
    assert_eq!(planned.intro, "尽快启动以下项目：");
    assert_eq!(planned.task_lead_units, ["区发改局"]);
}

#[test]
fn what_a_task_must_have() {
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
                subitems: (0..21)
                    .map(|i| SubItemInput {
                        content: format!("第{i}项"),
                        lead_units: Vec::new(),
                    })
                    .collect(),
                ..task("任务", &["区发改局"])
            },
            "subitems",
        ),
        (
            TaskInput {
                leader: Some("长".repeat(101)),
                ..task("任务", &["区发改局"])
            },
            "leader",
        ),
        (
            TaskInput {
                plan: Some(ProgressKind::Project {
                    milestones: Vec::new(),
                }),
                ..task("任务", &["区发改局"])
            },
            "milestones",
        ),
    ];
    for (input, field) in cases {
        let e = input.check(1, &directory()).unwrap_err();
        assert_eq!(e.field(), field, "{input:?}: {e}");
    }
    let e = task("任务", &["区城关局"])
        .check(1, &directory())
        .unwrap_err();
    assert!(e.to_string().contains("是否应为“区城管局”"), "{e}");
}

#[test]
fn a_batch_names_its_bad_task_and_stays_within_the_limit() {
    let batch = [task("甲", &["区发改局"]), task("乙", &["不存在的单位局"])];
    let e = check_new_tasks(3, &batch, &directory()).unwrap_err();
    assert!(
        matches!(e, DecompositionError::InBatch { index: 2, .. }),
        "{e:?}"
    );
    assert!(e.to_string().starts_with("第 2 项任务："), "{e}");
    assert_eq!(e.field(), "lead_units");
    let numbers: Vec<u32> = check_new_tasks(3, &batch[..1], &directory())
        .unwrap()
        .iter()
        .map(|c| c.task.number.0)
        .collect();
    assert_eq!(numbers, [4]);
    assert_eq!(
        check_new_tasks(0, &[], &directory()).unwrap_err().field(),
        "tasks"
    );
    let e = check_new_tasks(MAX_TASKS, &batch[..1], &directory()).unwrap_err();
    assert_eq!(e.field(), "tasks");
    assert_eq!(move_target(1, 3), Ok(0));
    assert_eq!(move_target(3, 3), Ok(2));
    assert!(move_target(0, 3).is_err());
    assert!(move_target(4, 3).is_err());
}

#[test]
fn issuing_checks_the_number_and_the_header() {
    let issue = |number: &str| IssueInput {
        doc_number: number.into(),
        date: NaiveDate::from_ymd_opt(2020, 5, 6).unwrap(),
        signatory: None,
    };
    for bad in ["  ", "泉鲤政办2020年44号", "泉鲤政办〔2019〕44号"] {
        assert_eq!(issue(bad).doc_number().unwrap_err().field(), "doc_number");
    }
    assert_eq!(
        issue("泉鲤政办[2020]44号")
            .doc_number()
            .unwrap()
            .to_string(),
        "泉鲤政办〔2020〕44号"
    );
    let mut document = Document {
        issuer: Some("泉州市鲤城区人民政府办公室".into()),
        title: Some("关于……的通知".into()),
        recipients: vec!["各街道办事处".into()],
        ..Document::default()
    };
    assert_eq!(
        issue("x").signatory(&document, 1).unwrap().as_deref(),
        Some("泉州市鲤城区人民政府办公室")
    );
    assert_eq!(
        issue("x").signatory(&document, 0).unwrap_err().field(),
        "tasks"
    );
    document.recipients.clear();
    assert_eq!(
        issue("x").signatory(&document, 1).unwrap_err().field(),
        "recipients"
    );
}

#[test]
fn a_draft_keeps_its_header_filled_in() {
    let fields = DraftFields {
        issuer: " 办公室 ".into(),
        title: "标题".into(),
        recipients: vec![" 甲 ".into(), "".into(), "甲".into(), "乙".into()],
        body: vec!["一".into(), " ".into()],
        disclosure: Disclosure::Active,
        attachment: Some(" 区政府第12次常务会议议定事项责任分解表 ".into()),
    };
    let checked = fields.check().unwrap();
    assert_eq!(
        checked.attachment.as_deref(),
        Some("区政府第12次常务会议议定事项责任分解表")
    );
    let blank_heading = DraftFields {
        attachment: Some("  ".into()),
        ..fields.clone()
    };
    assert_eq!(blank_heading.check().unwrap_err().field(), "attachment");
    assert_eq!(checked.issuer, "办公室");
    assert_eq!(checked.recipients, ["甲", "乙"]);
    assert_eq!(checked.body, ["一"]);
    let no_recipients = DraftFields {
        recipients: Vec::new(),
        ..fields.clone()
    };
    assert_eq!(no_recipients.check().unwrap_err().field(), "recipients");
    let no_title = DraftFields {
        title: " ".into(),
        ..fields
    };
    assert_eq!(no_title.check().unwrap_err().field(), "title");
}
