//! `Store::task_page`: one page of the task list selected in SQL, with each filter, the
//! totals, empty pages and pages past the end, checked against the whole-document
//! computation the task list used before (every task, every report of the round, then
//! filtered and paged in Rust); and the page cache across writes, also by another
//! `Store` on the same file (another process).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use duban_domain::{
    Document, Notice, ReportAction, ReportState, RichText, Role, TaskAction, TaskDraft, TaskState,
    UnitDirectory,
};
use duban_store::{
    DocumentId, ReportChange, ReportFilter, ReportId, RoundId, Store, StoreError, TaskPage,
    TaskPageQuery, User,
};

use crate::common::{TempDb, connect, open_round, report_of, save_notice, temp_db, user};

pub(crate) fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 10, 1, hour, minute, 0).unwrap()
}

fn due() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 10, 10).unwrap()
}

/// Twelve tasks: 区城管局 leads 1, 4, 7, 10; 区教育局 leads 2, 5, 8, 11 with 区卫健局
/// co-operating; 3, 6, 9, 12 are led by 区发改局 and 区财政局, except 6, whose sub-items
/// are led by 区城管局 and the 区委文明办 (also called 区创城办).
fn first_notice() -> Notice {
    let drafts = (1..=12)
        .map(|number| {
            let (lead, cooperating) = match number % 3 {
                1 => ("区城管局", ""),
                2 => ("区教育局", "区卫健局"),
                _ if number == 6 => ("第①项区城管局牵头，第②项区委文明办 (区创城办)牵头", ""),
                _ => ("区发改局、区财政局", ""),
            };
            let content = if number == 6 {
                "①整治占道经营；②深化文明城市创建。".to_string()
            } else {
                format!("任务{number}")
            };
            TaskDraft {
                number,
                content: RichText::plain(&content),
                lead_units: lead.into(),
                cooperating_units: cooperating.into(),
                progress: Some(RichText::plain("已推进。")),
                ..TaskDraft::default()
            }
        })
        .collect();
    Notice::assemble(Document::default(), drafts, &UnitDirectory::default())
}

/// Three tasks of another document, one led by 区城管局.
pub(crate) fn second_notice(known: &UnitDirectory) -> Notice {
    let drafts = (1..=3)
        .map(|number| TaskDraft {
            number,
            content: RichText::plain(&format!("第二份通报任务{number}")),
            lead_units: if number == 2 {
                "区城管局"
            } else {
                "区司法局"
            }
            .into(),
            ..TaskDraft::default()
        })
        .collect();
    Notice::assemble(Document::default(), drafts, known)
}

pub(crate) struct Fixture {
    pub(crate) db: TempDb,
    pub(crate) store: Store,
    pub(crate) doc: DocumentId,
    pub(crate) doc2: DocumentId,
    pub(crate) office: User,
    /// 区城管局's reporter.
    pub(crate) cgj: User,
    /// 区教育局's reporter.
    pub(crate) jyj: User,
}

pub(crate) async fn fixture() -> Fixture {
    let db = temp_db().await;
    let store = connect(&db).await;
    let doc = save_notice(&store, &first_notice(), "通报一.docx").await;
    let directory = store.directory().await.unwrap();
    let doc2 = save_notice(&store, &second_notice(&directory), "通报二.docx").await;
    let office = user(&store, "duchashi", Role::Supervisor, None).await;
    let cgj = user(&store, "cgj.lly", Role::Reporter, Some("区城管局")).await;
    let jyj = user(&store, "jyj.lly", Role::Reporter, Some("区教育局")).await;
    Fixture {
        db,
        store,
        doc,
        doc2,
        office,
        cgj,
        jyj,
    }
}

impl Fixture {
    pub(crate) async fn open(
        &self,
        document: DocumentId,
        label: &str,
        now: DateTime<Utc>,
    ) -> RoundId {
        open_round(
            &self.store,
            document,
            label,
            due(),
            None,
            self.office.id,
            now,
        )
        .await
    }

    pub(crate) async fn report_of(&self, round: RoundId, task: u32, unit: &str) -> ReportId {
        report_of(&self.store, round, task, unit).await
    }

    pub(crate) async fn act(
        &self,
        id: ReportId,
        actor: &User,
        action: ReportAction,
        now: DateTime<Utc>,
    ) {
        self.store
            .act_on_report(
                id,
                actor,
                ReportChange {
                    action,
                    text: Some(RichText::plain("已完成。")),
                    percent: None,
                    comment: None,
                },
                now,
            )
            .await
            .unwrap();
    }

    async fn page(&self, query: &TaskPageQuery) -> TaskPage {
        (*self.store.task_page(query).await.unwrap()).clone()
    }
}

pub(crate) fn query(document: Option<DocumentId>) -> TaskPageQuery {
    TaskPageQuery {
        document,
        unit: None,
        round: None,
        report_state: None,
        task_state: None,
        source: None,
        source_kind: None,
        reading: None,
        page: 1,
        per_page: 5,
    }
}

/// (document, number) of each row.
fn numbers(page: &TaskPage) -> Vec<(i64, u32)> {
    page.rows
        .iter()
        .map(|r| (r.task.document.0, r.task.number))
        .collect()
}

/// One row as comparable values: task, units, state, reports (id, unit, state).
type Flat = (
    i64,
    u32,
    String,
    Vec<String>,
    Vec<String>,
    TaskState,
    Vec<(i64, String, ReportState)>,
);

fn flat(page: &TaskPage) -> Vec<Flat> {
    page.rows
        .iter()
        .map(|r| {
            (
                r.task.document.0,
                r.task.number,
                r.task.content.clone(),
                r.task.lead_units.clone(),
                r.task.cooperating_units.clone(),
                r.state,
                r.reports
                    .iter()
                    .map(|p| (p.id.0, p.unit.clone(), p.state))
                    .collect(),
            )
        })
        .collect()
}

/// The task list as it was computed before `task_page`: the whole document, every
/// report of the round and every task's state, filtered and paged in Rust. Returns
/// (round, rows, total, page, pages).
async fn reference(
    store: &Store,
    q: &TaskPageQuery,
) -> Result<(Option<RoundId>, Vec<Flat>, usize, usize, usize), StoreError> {
    let rounds = store.rounds(None).await?;
    let round = match q.round {
        Some(id) => Some(
            rounds
                .iter()
                .find(|r| r.id == id)
                .cloned()
                .ok_or(StoreError::RoundNotFound(id))?,
        ),
        // By default the document's latest round the office opened, not an imported
        // notice's; of all documents, each task's own document's.
        None => q.document.and_then(|d| {
            rounds
                .iter()
                .find(|r| !r.imported && r.document == d)
                .cloned()
        }),
    };
    let tasks = store.tasks(q.document, q.unit.as_deref()).await?;
    let shown: Vec<RoundId> = match (&round, q.round, q.document) {
        (Some(r), _, _) => vec![r.id],
        (None, None, None) => {
            let mut latest: BTreeMap<i64, RoundId> = BTreeMap::new();
            for r in rounds.iter().filter(|r| !r.imported) {
                latest.entry(r.document.0).or_insert(r.id);
            }
            latest.into_values().collect()
        }
        (None, _, _) => Vec::new(),
    };
    let mut reports = Vec::new();
    for id in shown {
        reports.extend(
            store
                .reports(&ReportFilter {
                    round: Some(id),
                    ..ReportFilter::default()
                })
                .await?,
        );
    }
    let states: BTreeMap<(i64, u32), TaskState> = store
        .task_states(q.document)
        .await?
        .into_iter()
        .map(|(d, n, s)| ((d.0, n), s))
        .collect();
    /// (report id, unit, state) of each (document, task number).
    type ReportsByTask = BTreeMap<(i64, u32), Vec<(i64, String, ReportState)>>;
    let mut by_task = ReportsByTask::new();
    for r in reports {
        by_task
            .entry((r.document.0, r.task))
            .or_default()
            .push((r.id.0, r.unit, r.state));
    }
    let mut rows: Vec<Flat> = tasks
        .into_iter()
        .map(|t| {
            (
                t.document.0,
                t.number,
                t.content,
                t.lead_units,
                t.cooperating_units,
                states
                    .get(&(t.document.0, t.number))
                    .copied()
                    .unwrap_or(TaskState::Open),
                by_task
                    .remove(&(t.document.0, t.number))
                    .unwrap_or_default(),
            )
        })
        .collect();
    if let Some(wanted) = q.report_state {
        rows.retain(|row| row.6.iter().any(|r| r.2 == wanted));
    }
    if let Some(wanted) = q.task_state {
        rows.retain(|row| row.5 == wanted);
    }
    let total = rows.len();
    let pages = total.div_ceil(q.per_page).max(1);
    let page = q.page.clamp(1, pages);
    let rows = rows
        .into_iter()
        .skip((page - 1) * q.per_page)
        .take(q.per_page)
        .collect();
    Ok((round.map(|r| r.id), rows, total, page, pages))
}

/// `task_page` gives what the old computation gives, for this query.
pub(crate) async fn check(store: &Store, q: &TaskPageQuery) {
    let expected = match reference(store, q).await {
        Ok(expected) => expected,
        Err(StoreError::RoundNotFound(id)) => {
            assert!(
                matches!(store.task_page(q).await, Err(StoreError::RoundNotFound(r)) if r == id),
                "{q:?}"
            );
            return;
        }
        Err(e) => panic!("{e}"),
    };
    let page = store.task_page(q).await.unwrap();
    let got = (
        page.round.as_ref().map(|r| r.id),
        flat(&page),
        page.total,
        page.page,
        page.pages,
    );
    assert_eq!(got, expected, "{q:?}");
    if let Some(round) = &page.round {
        let summary = store.round(round.id).await.unwrap().unwrap();
        assert_eq!(round, &summary, "{q:?}");
    }
}

/// Every combination of the filters, on several pages, against the old computation.
async fn check_all(f: &Fixture, rounds: &[RoundId]) {
    let documents = [None, Some(f.doc), Some(f.doc2)];
    let units = [
        None,
        Some("区城管局"),
        Some("区创城办"),
        Some("区卫健局"),
        Some("没有这个单位"),
    ];
    let mut round_choices = vec![None];
    round_choices.extend(rounds.iter().copied().map(Some));
    let report_states = [
        None,
        Some(ReportState::NotStarted),
        Some(ReportState::Draft),
        Some(ReportState::Submitted),
    ];
    let task_states = [None, Some(TaskState::Open), Some(TaskState::Closed)];
    for document in documents {
        for unit in units {
            for &round in &round_choices {
                for report_state in report_states {
                    for task_state in task_states {
                        for page in [1, 3, 9] {
                            let q = TaskPageQuery {
                                document,
                                unit: unit.map(str::to_string),
                                round,
                                report_state,
                                task_state,
                                source: None,
                                source_kind: None,
                                reading: None,
                                page,
                                per_page: 4,
                            };
                            check(&f.store, &q).await;
                        }
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn pages_in_number_order_with_totals() {
    let f = fixture().await;
    let q = query(Some(f.doc));
    let first = f.page(&q).await;
    assert_eq!((first.total, first.page, first.pages), (12, 1, 3));
    assert_eq!(
        numbers(&first),
        (1..=5).map(|n| (f.doc.0, n)).collect::<Vec<_>>()
    );
    assert!(first.round.is_none());
    assert!(first.rows.iter().all(|r| r.reports.is_empty()));
    assert!(first.rows.iter().all(|r| r.state == TaskState::Open));

    let third = f
        .page(&TaskPageQuery {
            page: 3,
            ..q.clone()
        })
        .await;
    assert_eq!(
        numbers(&third),
        vec![(f.doc.0, 11), (f.doc.0, 12)],
        "the last page holds the rest"
    );
    // Page 0 is the first, a page past the end the last.
    let zero = f
        .page(&TaskPageQuery {
            page: 0,
            ..q.clone()
        })
        .await;
    assert_eq!((zero.page, numbers(&zero)), (1, numbers(&first)));
    let past = f
        .page(&TaskPageQuery {
            page: 1_000_000,
            ..q.clone()
        })
        .await;
    assert_eq!((past.page, past.pages, past.total), (3, 3, 12));
    assert_eq!(numbers(&past), numbers(&third));
    let huge = f
        .page(&TaskPageQuery {
            page: usize::MAX,
            ..q.clone()
        })
        .await;
    assert_eq!(huge.page, 3);

    // Units, content and the 文号 of the rows.
    let row2 = &first.rows[1].task;
    assert_eq!(row2.content, "任务2");
    assert_eq!(row2.lead_units, vec!["区教育局".to_string()]);
    assert_eq!(row2.cooperating_units, vec!["区卫健局".to_string()]);
    let row3 = &first.rows[2].task;
    assert_eq!(
        row3.lead_units,
        vec!["区发改局".to_string(), "区财政局".to_string()]
    );

    // All documents: by document, then number.
    let all = f
        .page(&TaskPageQuery {
            per_page: 20,
            ..query(None)
        })
        .await;
    assert_eq!(all.total, 15);
    let mut expected: Vec<(i64, u32)> = (1..=12).map(|n| (f.doc.0, n)).collect();
    expected.extend((1..=3).map(|n| (f.doc2.0, n)));
    assert_eq!(numbers(&all), expected);

    // One per page, and a page size of 0 counts as 1.
    let single = f
        .page(&TaskPageQuery {
            per_page: 0,
            page: 2,
            ..q.clone()
        })
        .await;
    assert_eq!((single.pages, numbers(&single)), (12, vec![(f.doc.0, 2)]));
}

#[tokio::test]
async fn empty_results_have_one_empty_page() {
    let f = fixture().await;
    for q in [
        TaskPageQuery {
            unit: Some("没有这个单位".into()),
            ..query(Some(f.doc))
        },
        // No round yet: no task has a report in any state.
        TaskPageQuery {
            report_state: Some(ReportState::NotStarted),
            ..query(Some(f.doc))
        },
        TaskPageQuery {
            task_state: Some(TaskState::Closed),
            source: None,
            source_kind: None,
            page: 4,
            ..query(Some(f.doc))
        },
        // A document without tasks (there is none with this id).
        query(Some(DocumentId(999))),
    ] {
        let page = f.page(&q).await;
        assert_eq!((page.total, page.page, page.pages), (0, 1, 1), "{q:?}");
        assert!(page.rows.is_empty(), "{q:?}");
    }
}

#[tokio::test]
async fn the_latest_round_of_the_document_and_its_reports() {
    let f = fixture().await;
    let r1 = f.open(f.doc, "1-9月", at(8, 0)).await;
    let r2 = f.open(f.doc, "1-10月", at(8, 30)).await;
    // The latest round of another document is not this document's.
    let other = f.open(f.doc2, "二号文1-9月", at(9, 0)).await;

    let page = f.page(&query(Some(f.doc))).await;
    let round = page.round.clone().unwrap();
    assert_eq!(round.id, r2);
    assert_eq!(round.label, "1-10月");
    // 12 tasks: 4 × 1 + 4 × 1 + 3 × 2 (区发改局, 区财政局) + task 6's two sub-item leads.
    assert_eq!((round.reports, round.reported, round.accepted), (16, 0, 0));
    let reports: Vec<Vec<(String, ReportState)>> = page
        .rows
        .iter()
        .map(|r| {
            r.reports
                .iter()
                .map(|p| (p.unit.clone(), p.state))
                .collect()
        })
        .collect();
    assert_eq!(
        reports[0],
        vec![("区城管局".to_string(), ReportState::NotStarted)]
    );
    assert_eq!(
        reports[2],
        vec![
            ("区发改局".to_string(), ReportState::NotStarted),
            ("区财政局".to_string(), ReportState::NotStarted)
        ]
    );
    assert_eq!(
        page.rows[0].reports[0].id,
        f.report_of(r2, 1, "区城管局").await
    );

    // Without a document: each task's own document's latest round, so the round just
    // opened on the other document does not hide this one's reports.
    let all = f
        .page(&TaskPageQuery {
            per_page: 1000,
            ..query(None)
        })
        .await;
    assert_eq!(all.round, None);
    let first = all
        .rows
        .iter()
        .find(|r| r.task.document == f.doc && r.task.number == 1)
        .unwrap();
    assert_eq!(first.reports[0].id, f.report_of(r2, 1, "区城管局").await);
    let theirs = all.rows.iter().find(|r| r.task.document == f.doc2).unwrap();
    assert_eq!(
        theirs.reports[0].id,
        f.report_of(other, theirs.task.number, &theirs.reports[0].unit)
            .await
    );
    assert_eq!(f.store.latest_round(None).await.unwrap().unwrap().id, other);
    assert_eq!(
        f.store.latest_round(Some(f.doc)).await.unwrap().unwrap().id,
        r2
    );
    assert!(
        f.store
            .latest_round(Some(DocumentId(999)))
            .await
            .unwrap()
            .is_none()
    );

    // An earlier round, chosen.
    let chosen = f
        .page(&TaskPageQuery {
            round: Some(r1),
            ..query(Some(f.doc))
        })
        .await;
    assert_eq!(chosen.round.unwrap().id, r1);
    assert_eq!(
        chosen.rows[0].reports[0].id,
        f.report_of(r1, 1, "区城管局").await
    );

    // A round that is not there.
    assert!(matches!(
        f.store
            .task_page(&TaskPageQuery {
                round: Some(RoundId(9999)),
                ..query(Some(f.doc))
            })
            .await,
        Err(StoreError::RoundNotFound(RoundId(9999)))
    ));
}

#[tokio::test]
async fn filters_by_unit_report_state_and_task_state() {
    let f = fixture().await;
    let round = f.open(f.doc, "1-9月", at(8, 0)).await;
    let cgj4 = f.report_of(round, 4, "区城管局").await;
    f.act(cgj4, &f.cgj, ReportAction::SaveDraft, at(9, 0)).await;
    let jyj5 = f.report_of(round, 5, "区教育局").await;
    f.act(jyj5, &f.jyj, ReportAction::SaveDraft, at(9, 1)).await;
    f.act(jyj5, &f.jyj, ReportAction::Submit, at(9, 2)).await;
    f.store
        .act_on_task(
            f.doc,
            7,
            &f.office,
            TaskAction::Close,
            Some("经核实已完成"),
            at(10, 0),
        )
        .await
        .unwrap();

    // A unit: the tasks it leads, on the task or a sub-item (6), across documents.
    let cgj = f
        .page(&TaskPageQuery {
            unit: Some("区城管局".into()),
            per_page: 50,
            ..query(None)
        })
        .await;
    assert_eq!(
        numbers(&cgj),
        vec![
            (f.doc.0, 1),
            (f.doc.0, 4),
            (f.doc.0, 6),
            (f.doc.0, 7),
            (f.doc.0, 10),
            (f.doc2.0, 2)
        ]
    );
    // Its alias; a co-operating unit.
    let alias = f
        .page(&TaskPageQuery {
            unit: Some(" 区创城办 ".into()),
            ..query(Some(f.doc))
        })
        .await;
    assert_eq!(numbers(&alias), vec![(f.doc.0, 6)]);
    let cooperating = f
        .page(&TaskPageQuery {
            unit: Some("区卫健局".into()),
            ..query(Some(f.doc))
        })
        .await;
    assert_eq!(cooperating.total, 4);
    // A unit's filter still shows every unit's report on its tasks.
    let six = f
        .page(&TaskPageQuery {
            unit: Some("区创城办".into()),
            ..query(Some(f.doc))
        })
        .await;
    assert_eq!(six.rows[0].reports.len(), 2);

    // Report states in the round shown.
    let drafts = f
        .page(&TaskPageQuery {
            report_state: Some(ReportState::Draft),
            ..query(Some(f.doc))
        })
        .await;
    assert_eq!(numbers(&drafts), vec![(f.doc.0, 4)]);
    let submitted = f
        .page(&TaskPageQuery {
            report_state: Some(ReportState::Submitted),
            ..query(Some(f.doc))
        })
        .await;
    assert_eq!(numbers(&submitted), vec![(f.doc.0, 5)]);
    assert_eq!(submitted.round.unwrap().reported, 1);
    let not_started = f
        .page(&TaskPageQuery {
            report_state: Some(ReportState::NotStarted),
            ..query(Some(f.doc))
        })
        .await;
    // Every task but 4 and 5 has a report not started.
    assert_eq!(not_started.total, 10);

    // Task states.
    let closed = f
        .page(&TaskPageQuery {
            task_state: Some(TaskState::Closed),
            ..query(Some(f.doc))
        })
        .await;
    assert_eq!(numbers(&closed), vec![(f.doc.0, 7)]);
    assert_eq!(closed.rows[0].state, TaskState::Closed);
    let open = f
        .page(&TaskPageQuery {
            task_state: Some(TaskState::Open),
            ..query(Some(f.doc))
        })
        .await;
    assert_eq!(open.total, 11);

    // Combined, and paged.
    let combined = f
        .page(&TaskPageQuery {
            unit: Some("区城管局".into()),
            report_state: Some(ReportState::NotStarted),
            task_state: Some(TaskState::Open),
            per_page: 2,
            page: 2,
            ..query(Some(f.doc))
        })
        .await;
    // 区城管局's tasks 1, 6, 10 (4 has a draft, 7 is closed); the second page is 10.
    assert_eq!((combined.total, combined.pages), (3, 2));
    assert_eq!(numbers(&combined), vec![(f.doc.0, 10)]);
}

#[tokio::test]
async fn every_filter_combination_matches_the_whole_document_computation() {
    let f = fixture().await;
    check_all(&f, &[]).await;
    let r1 = f.open(f.doc, "1-9月", at(8, 0)).await;
    let r2 = f.open(f.doc, "1-10月", at(8, 30)).await;
    let r3 = f.open(f.doc2, "二号文1-9月", at(9, 0)).await;
    let id = f.report_of(r1, 4, "区城管局").await;
    f.act(id, &f.cgj, ReportAction::SaveDraft, at(9, 0)).await;
    let id = f.report_of(r2, 5, "区教育局").await;
    f.act(id, &f.jyj, ReportAction::SaveDraft, at(9, 1)).await;
    f.act(id, &f.jyj, ReportAction::Submit, at(9, 2)).await;
    let id = f.report_of(r3, 2, "区城管局").await;
    f.act(id, &f.cgj, ReportAction::Submit, at(9, 3)).await;
    f.store
        .act_on_task(
            f.doc,
            7,
            &f.office,
            TaskAction::Close,
            Some("经核实已完成"),
            at(10, 0),
        )
        .await
        .unwrap();
    f.store
        .act_on_task(
            f.doc2,
            2,
            &f.office,
            TaskAction::Close,
            Some("经核实已完成"),
            at(10, 0),
        )
        .await
        .unwrap();
    check_all(&f, &[r1, r2, r3, RoundId(9999)]).await;
}

#[tokio::test]
async fn cached_pages_follow_every_write_also_from_another_store() {
    let f = fixture().await;
    let q = query(Some(f.doc));
    let before = f.store.task_page(&q).await.unwrap();
    // Unchanged: the same page, from the cache.
    let again = f.store.task_page(&q).await.unwrap();
    assert!(std::sync::Arc::ptr_eq(&before, &again));

    // A round opened: the page shows it.
    let round = f.open(f.doc, "1-9月", at(8, 0)).await;
    let opened = f.store.task_page(&q).await.unwrap();
    assert_eq!(opened.round.as_ref().unwrap().id, round);
    assert_eq!(opened.rows[0].reports.len(), 1);

    // A report's state changed.
    let id = f.report_of(round, 1, "区城管局").await;
    f.act(id, &f.cgj, ReportAction::SaveDraft, at(9, 0)).await;
    let drafted = f.store.task_page(&q).await.unwrap();
    assert_eq!(drafted.rows[0].reports[0].state, ReportState::Draft);
    // Saving the draft's text again changes nothing the page shows: still cached.
    f.act(id, &f.cgj, ReportAction::SaveDraft, at(9, 5)).await;
    assert!(std::sync::Arc::ptr_eq(
        &drafted,
        &f.store.task_page(&q).await.unwrap()
    ));

    // Another process (another Store on the same file) takes steps: seen at once.
    let other = Store::connect(&f.db.url).await.unwrap();
    other
        .act_on_report(
            id,
            &f.cgj,
            ReportChange {
                action: ReportAction::Submit,
                text: None,
                percent: None,
                comment: None,
            },
            at(9, 10),
        )
        .await
        .unwrap();
    let submitted = f.store.task_page(&q).await.unwrap();
    assert_eq!(submitted.rows[0].reports[0].state, ReportState::Submitted);
    assert_eq!(submitted.round.as_ref().unwrap().reported, 1);
    other
        .act_on_task(
            f.doc,
            2,
            &f.office,
            TaskAction::Close,
            Some("经核实已完成"),
            at(10, 0),
        )
        .await
        .unwrap();
    let closed = f.store.task_page(&q).await.unwrap();
    assert_eq!(closed.rows[1].state, TaskState::Closed);
    other.close_round(round, at(11, 0)).await.unwrap();
    assert!(
        f.store
            .task_page(&q)
            .await
            .unwrap()
            .round
            .as_ref()
            .unwrap()
            .closed
    );
    other.close().await;
}

#[tokio::test]
async fn round_counts_follow_report_steps() {
    let f = fixture().await;
    let round = f.open(f.doc, "1-9月", at(8, 0)).await;
    let summary = f.store.round(round).await.unwrap().unwrap();
    assert_eq!(
        (summary.reports, summary.reported, summary.accepted),
        (16, 0, 0)
    );
    let id = f.report_of(round, 2, "区教育局").await;
    f.act(id, &f.jyj, ReportAction::Submit, at(9, 0)).await;
    let summary = f.store.round(round).await.unwrap().unwrap();
    assert_eq!(
        (summary.reports, summary.reported, summary.accepted),
        (16, 1, 0)
    );
    // Besides the round the imported notice is the output of.
    let opened = |rounds: Vec<duban_store::RoundSummary>| -> Vec<duban_store::RoundSummary> {
        rounds.into_iter().filter(|r| !r.imported).collect()
    };
    let listed = opened(f.store.rounds(Some(f.doc)).await.unwrap());
    assert_eq!(listed, vec![summary.clone()]);
    assert_eq!(opened(f.store.rounds(None).await.unwrap()), vec![summary]);
    assert!(f.store.rounds(Some(f.doc2)).await.unwrap().is_empty());
}
