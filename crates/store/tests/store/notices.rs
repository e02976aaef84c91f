//! Notices in and out of the store: saving, conflicts, replacing, reading back, and
//! opening databases (a file, one in memory, PostgreSQL, URLs that cannot work).

use chrono::NaiveDate;
use duban_domain::{
    Disclosure, DocNumber, DocReference, Document, ExtraField, FIELD_PROGRESS, Notice, RichText,
    Run, TaskDraft, UnitDirectory, UnitKind,
};
use duban_store::{DocumentId, SaveOutcome, Store, StoreError};
use sqlx::Row;

use crate::common::{Backend, TempDb, connect, raw, temp_db};

const TABLES: [&str; 10] = [
    "documents",
    "units",
    "unit_aliases",
    "tasks",
    "task_units",
    "subitems",
    "subitem_units",
    "rounds",
    "progress_reports",
    "unit_flags",
];

/// Every row of every table as text (SQLite's `quote()` of each column; PostgreSQL's
/// text form of the row), sorted: equal dumps mean byte-for-byte equal rows.
async fn dump(db: &TempDb) -> Vec<(String, Vec<String>)> {
    let pool = raw(db).await;
    let mut out = Vec::new();
    for table in TABLES {
        let select = match db.backend {
            Backend::Sqlite => {
                let columns: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
                )))
                .fetch_all(&pool)
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<String, _>(0))
                .collect();
                let quoted = columns
                    .iter()
                    .map(|c| format!("quote({c})"))
                    .collect::<Vec<_>>()
                    .join(" || '|' || ");
                format!("SELECT {quoted} FROM {table}")
            }
            Backend::Postgres => format!("SELECT CAST(x AS TEXT) FROM {table} x"),
        };
        let mut rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(select))
            .fetch_all(&pool)
            .await
            .unwrap();
        rows.sort();
        out.push((table.to_string(), rows));
    }
    pool.close().await;
    out
}

fn count(dump: &[(String, Vec<String>)], table: &str) -> usize {
    dump.iter()
        .find(|(t, _)| t == table)
        .map(|(_, rows)| rows.len())
        .unwrap()
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn full_document() -> Document {
    Document {
        issuer: Some("泉州市鲤城区人民政府办公室".into()),
        doc_number: Some(DocNumber::parse("泉鲤政办（2020）48号").unwrap()),
        title: Some("关于2020年第三季度重点工作落实情况的通报".into()),
        recipients: vec!["各街道办事处".into(), "区直各单位".into()],
        body: vec![
            "根据工作安排，现将落实情况通报如下。".into(),
            "请各单位抓好落实。".into(),
        ],
        references: vec![DocReference {
            doc_number: DocNumber::parse("泉鲤政办[2020]44号").unwrap(),
            title: Some("关于分解2020年重点工作的通知".into()),
        }],
        attachment: Some("2020年第三季度重点工作落实情况表".into()),
        signatory: Some("泉州市鲤城区人民政府办公室".into()),
        date: date(2020, 10, 15),
        disclosure: Some(Disclosure::Active),
        table_title: Some("重点工作落实情况表".into()),
        copy_to: vec!["区委办".into(), "区人大办".into()],
        printed_by: Some("泉州市鲤城区人民政府办公室".into()),
        printed_on: date(2020, 10, 16),
    }
}

fn bold_progress() -> RichText {
    let mut text = RichText::default();
    text.push_paragraph(vec![
        Run {
            text: "区城管局：".into(),
            bold: true,
        },
        Run {
            text: "已完成整治。".into(),
            bold: false,
        },
    ]);
    text.push_paragraph(vec![Run {
        text: "鲤城公安分局：持续巡查。".into(),
        bold: false,
    }]);
    text
}

fn drafts() -> Vec<TaskDraft> {
    vec![
        TaskDraft {
            number: 1,
            content: RichText::plain("①甲；②乙。"),
            lead_units: "第①项区城管局、鲤城公安分局牵头，第②项区发改局牵头".into(),
            cooperating_units: "区财政局".into(),
            leader: Some("张副区长".into()),
            deadline: Some("2020年12月底".into()),
            notes: Some(RichText::plain("第一行备注\n第二行备注")),
            progress: Some(bold_progress()),
            extra: vec![ExtraField {
                column: "督办意见".into(),
                text: RichText::plain("加快进度"),
            }],
        },
        TaskDraft {
            number: 2,
            content: RichText::plain("深化全国文明城市创建"),
            lead_units: "区委文明办 (区创城办)".into(),
            cooperating_units: "区住建局、各街道".into(),
            progress: Some(RichText::plain("区域管局：正在推进。区住建局：已完成。")),
            ..TaskDraft::default()
        },
        TaskDraft {
            number: 3,
            content: RichText::plain("开展背街小巷整治"),
            lead_units: "区创城办".into(),
            cooperating_units: "区城管局".into(),
            // An empty progress cell is not the same as none.
            progress: Some(RichText::default()),
            ..TaskDraft::default()
        },
    ]
}

fn notice() -> Notice {
    Notice::assemble(full_document(), drafts(), &UnitDirectory::default())
}

fn bare_notice(content: &str) -> Notice {
    Notice::assemble(
        Document::default(),
        vec![TaskDraft {
            number: 1,
            content: RichText::plain(content),
            lead_units: "区教育局".into(),
            ..TaskDraft::default()
        }],
        &UnitDirectory::default(),
    )
}

#[test]
fn the_sample_notice_is_realistic() {
    // Guards the fixtures: what the store tests rely on is really in the notice.
    let n = notice();
    let t1 = &n.tasks[0];
    assert_eq!(t1.subitems.len(), 2);
    assert_eq!(t1.subitems[0].lead_units, ["区城管局", "鲤城公安分局"]);
    assert_eq!(t1.subitems[1].lead_units, ["区发改局"]);
    assert_eq!(n.tasks[2].lead_units[0].unit, "区委文明办");
    assert_eq!(n.units.get("区委文明办").unwrap().aliases, ["区创城办"]);
    assert_eq!(n.unit_flags.len(), 1);
    assert_eq!(n.unit_flags[0].field, FIELD_PROGRESS);
    assert_eq!(n.unit_flags[0].probable, "区城管局");
}

#[tokio::test]
async fn saved_notice_loads_back_equal() {
    let db = temp_db().await;
    let store = connect(&db).await;
    let notice = notice();
    let outcome = store
        .save_notice(&notice, "48号.docx", false)
        .await
        .unwrap();
    let SaveOutcome::Created(id) = outcome else {
        panic!("expected Created, got {outcome:?}");
    };
    let loaded = store.load_notice(id).await.unwrap();
    assert_eq!(loaded.document, notice.document);
    assert_eq!(loaded.tasks, notice.tasks);
    assert_eq!(loaded.unit_flags, notice.unit_flags);
    assert_eq!(loaded.units, notice.units);
    assert_eq!(loaded, notice);
    // DocNumber's equality ignores the spelling; the store keeps it anyway.
    assert_eq!(
        loaded.document.doc_number.as_ref().unwrap().original,
        "泉鲤政办（2020）48号"
    );
    assert_eq!(
        loaded.document.references[0].doc_number.original,
        "泉鲤政办[2020]44号"
    );
    assert!(loaded.tasks[0].progress.as_ref().unwrap().has_bold());

    let bare = bare_notice("推进教育资源整合");
    let id = store
        .save_notice(&bare, "无文号.txt", false)
        .await
        .unwrap()
        .id();
    assert_eq!(store.load_notice(id).await.unwrap(), bare);
}

#[tokio::test]
async fn loading_an_unknown_document_is_not_found() {
    let db = temp_db().await;
    let store = connect(&db).await;
    let err = store.load_notice(DocumentId(42)).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(DocumentId(42))));
    assert!(err.to_string().contains("42"));
}

#[tokio::test]
async fn saving_the_same_notice_again_changes_nothing() {
    let db = temp_db().await;
    let store = connect(&db).await;
    let notice = notice();
    let id = store
        .save_notice(&notice, "48号.docx", false)
        .await
        .unwrap()
        .id();
    let before = dump(&db).await;
    assert_eq!(count(&before, "documents"), 1);
    assert_eq!(count(&before, "tasks"), 3);
    assert_eq!(count(&before, "rounds"), 1);
    assert_eq!(count(&before, "progress_reports"), 3);

    // Also under another bracket spelling of the same 文号, and even with --replace.
    let mut respelled = notice.clone();
    respelled.document.doc_number = Some(DocNumber::parse("泉鲤政办〔2020〕48号").unwrap());
    for (n, replace) in [(&notice, false), (&respelled, false), (&notice, true)] {
        let outcome = store
            .save_notice(n, "48号-副本.docx", replace)
            .await
            .unwrap();
        assert_eq!(outcome, SaveOutcome::Unchanged(id));
    }
    assert_eq!(dump(&db).await, before);
}

#[tokio::test]
async fn same_number_other_content_is_a_conflict_and_writes_nothing() {
    let db = temp_db().await;
    let store = connect(&db).await;
    let notice = notice();
    let id = store
        .save_notice(&notice, "48号.docx", false)
        .await
        .unwrap()
        .id();
    let documents_before = store.list_documents().await.unwrap();
    let loaded_before = store.load_notice(id).await.unwrap();
    let rows_before = dump(&db).await;

    // Other content, a new unit, and the number spelled with other brackets.
    let mut drafts = drafts();
    drafts[1].content = RichText::plain("深化全国文明城市创建，巩固创建成果");
    drafts[2].cooperating_units = "区市场监管局".into();
    let mut document = full_document();
    document.doc_number = Some(DocNumber::parse("泉鲤政办[2020]48号").unwrap());
    let changed = Notice::assemble(document, drafts, &UnitDirectory::default());

    let err = store
        .save_notice(&changed, "48号-修订.docx", false)
        .await
        .unwrap_err();
    match &err {
        StoreError::Conflict {
            doc_number,
            existing,
        } => {
            assert_eq!(doc_number, "泉鲤政办〔2020〕48号");
            assert_eq!(*existing, id);
        }
        other => panic!("expected Conflict, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains("泉鲤政办〔2020〕48号"), "{message}");
    assert!(message.contains("--replace"), "{message}");
    assert!(message.contains("文号"), "{message}");

    assert_eq!(store.list_documents().await.unwrap(), documents_before);
    assert_eq!(store.load_notice(id).await.unwrap(), loaded_before);
    assert_eq!(dump(&db).await, rows_before);
    assert!(
        store
            .directory()
            .await
            .unwrap()
            .get("区市场监管局")
            .is_none()
    );
}

#[tokio::test]
async fn replace_overwrites_the_document_in_place() {
    let db = temp_db().await;
    let store = connect(&db).await;
    let id = store
        .save_notice(&notice(), "48号.docx", false)
        .await
        .unwrap()
        .id();
    let other = store
        .save_notice(&bare_notice("推进教育资源整合"), "无文号.txt", false)
        .await
        .unwrap()
        .id();

    let mut drafts = drafts();
    drafts.truncate(2);
    drafts[1].content = RichText::plain("深化全国文明城市创建，巩固创建成果");
    drafts[1].cooperating_units = "区市场监管局".into();
    let mut document = full_document();
    document.title = Some("关于2020年第三季度重点工作落实情况的通报（修订）".into());
    let changed = Notice::assemble(document, drafts, &UnitDirectory::default());

    let outcome = store
        .save_notice(&changed, "48号-修订.docx", true)
        .await
        .unwrap();
    assert_eq!(outcome, SaveOutcome::Replaced(id));
    let loaded = store.load_notice(id).await.unwrap();
    assert_eq!(loaded.document, changed.document);
    assert_eq!(loaded.tasks, changed.tasks);
    assert_eq!(loaded.unit_flags, changed.unit_flags);

    let documents = store.list_documents().await.unwrap();
    assert_eq!(documents.len(), 2);
    assert_eq!(documents[0].id, id);
    assert_eq!(documents[0].tasks, 2);
    assert_eq!(
        documents[0].title.as_deref(),
        Some("关于2020年第三季度重点工作落实情况的通报（修订）")
    );
    let rows = dump(&db).await;
    assert_eq!(count(&rows, "tasks"), 3);
    assert_eq!(count(&rows, "rounds"), 2);
    // The other document is untouched.
    assert_eq!(
        store.load_notice(other).await.unwrap(),
        bare_notice("推进教育资源整合")
    );
    // Saving the replacement again is now a no-op.
    assert_eq!(
        store
            .save_notice(&changed, "48号-修订.docx", false)
            .await
            .unwrap(),
        SaveOutcome::Unchanged(id)
    );
}

#[tokio::test]
async fn notices_without_a_number_match_by_content() {
    let db = temp_db().await;
    let store = connect(&db).await;
    let bare = bare_notice("推进教育资源整合");
    let first = store.save_notice(&bare, "a.txt", false).await.unwrap();
    let SaveOutcome::Created(id) = first else {
        panic!("expected Created, got {first:?}");
    };
    let before = dump(&db).await;
    assert_eq!(
        store.save_notice(&bare, "b.txt", false).await.unwrap(),
        SaveOutcome::Unchanged(id)
    );
    assert_eq!(dump(&db).await, before);

    let other = bare_notice("推进教育资源整合（第二批）");
    let second = store.save_notice(&other, "c.txt", false).await.unwrap();
    assert!(matches!(second, SaveOutcome::Created(n) if n != id));
    assert_eq!(store.list_documents().await.unwrap().len(), 2);
}

#[tokio::test]
async fn finds_documents_by_id_and_by_any_spelling_of_the_number() {
    let db = temp_db().await;
    let store = connect(&db).await;
    let id = store
        .save_notice(&notice(), "48号.docx", false)
        .await
        .unwrap()
        .id();
    assert_eq!(
        store.find_document(&id.to_string()).await.unwrap(),
        Some(id)
    );
    for key in [
        "泉鲤政办[2020]48号",
        "泉鲤政办〔2020〕48号",
        " 泉鲤政办(2020)48号 ",
    ] {
        assert_eq!(store.find_document(key).await.unwrap(), Some(id), "{key}");
    }
    for key in ["999", "泉鲤政办[2020]49号", "不是文号", ""] {
        assert_eq!(store.find_document(key).await.unwrap(), None, "{key}");
    }
}

#[tokio::test]
async fn lists_tasks_by_unit_and_document() {
    let db = temp_db().await;
    let store = connect(&db).await;
    let id = store
        .save_notice(&notice(), "48号.docx", false)
        .await
        .unwrap()
        .id();
    let other = store
        .save_notice(&bare_notice("推进教育资源整合"), "无文号.txt", false)
        .await
        .unwrap()
        .id();

    let all = store.tasks(None, None).await.unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(all[0].document, id);
    assert_eq!(all[0].doc_number.as_deref(), Some("泉鲤政办〔2020〕48号"));
    assert_eq!(all[0].number, 1);
    assert_eq!(all[0].content, "①甲；②乙。");
    assert_eq!(all[0].lead_units, ["区城管局", "鲤城公安分局", "区发改局"]);
    assert_eq!(all[0].cooperating_units, ["区财政局"]);
    assert_eq!(all[3].document, other);
    assert_eq!(all[3].doc_number, None);

    let numbers = |tasks: &[duban_store::TaskSummary]| -> Vec<(DocumentId, u32)> {
        tasks.iter().map(|t| (t.document, t.number)).collect()
    };
    // Leads the task (and sub-item ②).
    assert_eq!(
        numbers(&store.tasks(None, Some("区发改局")).await.unwrap()),
        [(id, 1)]
    );
    // Leads sub-item ① of task 1, co-operates on task 3.
    assert_eq!(
        numbers(&store.tasks(None, Some("区城管局")).await.unwrap()),
        [(id, 1), (id, 3)]
    );
    // Co-operates only.
    assert_eq!(
        numbers(&store.tasks(None, Some("区住建局")).await.unwrap()),
        [(id, 2)]
    );
    // Leads through its alias 区创城办 as well as by name.
    assert_eq!(
        numbers(&store.tasks(None, Some("区委文明办")).await.unwrap()),
        [(id, 2), (id, 3)]
    );
    assert_eq!(
        numbers(&store.tasks(Some(id), Some("区委文明办")).await.unwrap()),
        [(id, 2), (id, 3)]
    );
    assert!(
        store
            .tasks(Some(other), Some("区委文明办"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        numbers(&store.tasks(Some(other), None).await.unwrap()),
        [(other, 1)]
    );
    assert!(
        store
            .tasks(None, Some("区不存在局"))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn sub_item_leads_count_even_when_not_task_leads() {
    // A hand-built task whose sub-item names a unit the task's lead list does not.
    let db = temp_db().await;
    let store = connect(&db).await;
    let mut notice = notice();
    notice.tasks[0].subitems[1].lead_units = vec!["区统计局".into()];
    let id = store
        .save_notice(&notice, "48号.docx", false)
        .await
        .unwrap()
        .id();
    let tasks = store.tasks(None, Some("区统计局")).await.unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!((tasks[0].document, tasks[0].number), (id, 1));
    assert_eq!(store.load_notice(id).await.unwrap().tasks, notice.tasks);
}

#[tokio::test]
async fn lists_units_with_aliases_lead_counts_and_flags() {
    let db = temp_db().await;
    let store = connect(&db).await;
    let id = store
        .save_notice(&notice(), "48号.docx", false)
        .await
        .unwrap()
        .id();
    let units = store.units().await.unwrap();
    let names: Vec<&str> = units.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "区城管局",
            "鲤城公安分局",
            "区发改局",
            "区财政局",
            "区委文明办",
            "区住建局",
            "各街道"
        ]
    );
    let unit = |name: &str| units.iter().find(|u| u.name == name).unwrap();

    let civil = unit("区委文明办");
    assert_eq!(civil.aliases, ["区创城办"]);
    assert_eq!(civil.lead_tasks, 2);
    assert_eq!(civil.kind, UnitKind::Department);
    assert!(civil.flags.is_empty());

    let city = unit("区城管局");
    assert_eq!(city.lead_tasks, 1);
    assert_eq!(city.flags.len(), 1);
    let flag = &city.flags[0];
    assert_eq!(flag.document, id);
    assert_eq!(flag.doc_number.as_deref(), Some("泉鲤政办〔2020〕48号"));
    assert_eq!(flag.task, 2);
    assert_eq!(flag.field, FIELD_PROGRESS);
    assert_eq!(flag.written, "区域管局");

    assert_eq!(unit("区住建局").lead_tasks, 0);
    assert_eq!(unit("鲤城公安分局").kind, UnitKind::VerticalAgency);
    assert_eq!(unit("各街道").kind, UnitKind::Group);

    let directory = store.directory().await.unwrap();
    assert_eq!(
        directory
            .units
            .iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>(),
        names
    );
    assert_eq!(directory.get("区委文明办").unwrap().aliases, ["区创城办"]);
}

#[tokio::test]
async fn units_keep_their_kind_and_aliases_are_not_stolen() {
    let db = temp_db().await;
    let store = connect(&db).await;
    store
        .save_notice(&notice(), "48号.docx", false)
        .await
        .unwrap();

    // A later notice: 区城管局 claims the alias 区创城办 (taken) and 区发改局 (a unit's
    // name), and brings a new alias; its directory disagrees on a kind.
    let mut later = Notice::assemble(
        Document {
            doc_number: Some(DocNumber::parse("泉鲤政办〔2020〕60号").unwrap()),
            ..Document::default()
        },
        vec![TaskDraft {
            number: 1,
            content: RichText::plain("整治占道经营"),
            lead_units: "区城管局 (区创卫办)".into(),
            ..TaskDraft::default()
        }],
        &UnitDirectory::default(),
    );
    let city = later
        .units
        .units
        .iter_mut()
        .find(|u| u.name == "区城管局")
        .unwrap();
    city.aliases
        .extend(["区创城办".to_string(), "区发改局".to_string()]);
    city.kind = UnitKind::Other;
    let id = store
        .save_notice(&later, "60号.docx", false)
        .await
        .unwrap()
        .id();

    let directory = store.directory().await.unwrap();
    let city = directory.get("区城管局").unwrap();
    assert_eq!(city.aliases, ["区创卫办"]);
    assert_eq!(city.kind, UnitKind::Department);
    assert_eq!(directory.get("区委文明办").unwrap().aliases, ["区创城办"]);

    // The loaded notice shows the directory's view of its units.
    let loaded = store.load_notice(id).await.unwrap();
    assert_eq!(loaded.units.units.len(), 1);
    assert_eq!(loaded.units.units[0], *city);
    assert_eq!(loaded.tasks, later.tasks);
}

#[tokio::test]
async fn reopening_keeps_the_data() {
    let db = temp_db().await;
    let notice = notice();
    let id = {
        let store = connect(&db).await;
        let id = store
            .save_notice(&notice, "48号.docx", false)
            .await
            .unwrap()
            .id();
        store.close().await;
        id
    };
    let store = connect(&db).await;
    assert_eq!(store.load_notice(id).await.unwrap(), notice);
    assert_eq!(
        store
            .save_notice(&notice, "48号.docx", false)
            .await
            .unwrap(),
        SaveOutcome::Unchanged(id)
    );
    store.close().await;
    // `sqlite:path` without slashes names the same file.
    if let Some(path) = db.url.strip_prefix("sqlite://") {
        let store = Store::connect(&format!("sqlite:{path}")).await.unwrap();
        assert_eq!(store.list_documents().await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn an_in_memory_database_works() {
    let store = Store::connect("sqlite::memory:").await.unwrap();
    let notice = notice();
    let id = store
        .save_notice(&notice, "48号.docx", false)
        .await
        .unwrap()
        .id();
    assert_eq!(store.load_notice(id).await.unwrap(), notice);
    assert_eq!(store.list_documents().await.unwrap()[0].tasks, 3);
    // Each memory URL is its own database.
    let other = Store::connect("sqlite::memory:").await.unwrap();
    assert!(other.list_documents().await.unwrap().is_empty());
}

#[tokio::test]
async fn lists_documents_in_id_order() {
    let db = temp_db().await;
    let store = connect(&db).await;
    let first = store
        .save_notice(&notice(), "48号.docx", false)
        .await
        .unwrap()
        .id();
    let second = store
        .save_notice(&bare_notice("推进教育资源整合"), "无文号.txt", false)
        .await
        .unwrap()
        .id();
    let documents = store.list_documents().await.unwrap();
    assert_eq!(documents.len(), 2);
    assert_eq!(documents[0].id, first);
    assert_eq!(
        documents[0].doc_number.as_deref(),
        Some("泉鲤政办〔2020〕48号")
    );
    assert_eq!(documents[0].date, date(2020, 10, 15));
    assert_eq!(documents[0].tasks, 3);
    assert_eq!(documents[1].id, second);
    assert_eq!(documents[1].doc_number, None);
    assert_eq!(documents[1].title, None);
    assert_eq!(documents[1].date, None);
    assert_eq!(documents[1].tasks, 1);
}

#[tokio::test]
async fn a_failure_midway_leaves_nothing_written() {
    let db = temp_db().await;
    let store = connect(&db).await;
    let mut notice = notice();
    // Two tasks numbered 1: the second task row breaks UNIQUE (document_id, number)
    // after the document, units, round and first task were inserted.
    notice.tasks[1].number = notice.tasks[0].number;
    let err = store
        .save_notice(&notice, "48号.docx", false)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Database(_)), "{err:?}");
    assert!(err.to_string().starts_with("数据库错误："), "{err}");
    for (table, rows) in dump(&db).await {
        assert!(rows.is_empty(), "{table} has rows: {rows:?}");
    }
    assert!(store.list_documents().await.unwrap().is_empty());
    // The store is still usable afterwards.
    let fixed = self::notice();
    assert!(matches!(
        store.save_notice(&fixed, "48号.docx", false).await.unwrap(),
        SaveOutcome::Created(_)
    ));
}

#[tokio::test]
async fn an_unknown_kind_of_database_is_refused() {
    let err = Store::connect("mysql://localhost/duban").await.unwrap_err();
    assert!(matches!(err, StoreError::Unsupported { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("sqlite://"), "{message}");
    assert!(message.contains("postgres://"), "{message}");
}

#[tokio::test]
async fn an_unreachable_postgres_server_is_named_without_its_password() {
    // Port 1 on the loopback: nothing listens there, so the connection is refused at once.
    let err = Store::connect("postgres://duban:geheim@127.0.0.1:1/duban")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Connect { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("postgres://duban:***@127.0.0.1:1/duban"),
        "{message}"
    );
    assert!(!message.contains("geheim"), "{message}");
    assert!(message.contains("数据库服务是否已启动"), "{message}");
}

#[tokio::test]
async fn an_unopenable_path_names_the_url() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}",
        dir.path().join("no-such-dir").join("duban.db").display()
    );
    let err = Store::connect(&url).await.unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(err.to_string().contains(&url), "{err}");
    assert!(std::error::Error::source(&err).is_some());
}
