//! The escalation ladder, units' steps (by the rule and by hand) and the figures the
//! rankings are computed from, against rounds whose every count is known.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use duban_domain::escalation::{Ladder, LadderError, RoundCounts};
use duban_domain::{
    Document, Notice, ReportAction, ReportState, RichText, Role, TaskDraft, UnitDirectory, UnitKind,
};
use duban_store::{BulkEvent, BulkReport, BulkRound, DocumentId, Store, StoreError, User};

use crate::common::{TempDb, connect, save_notice, temp_db, user};

fn date(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, month, day).unwrap()
}

/// `month`-`day` at `hour`:`minute` UTC (China is eight hours ahead).
fn utc(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, month, day, hour, minute, 0)
        .unwrap()
}

fn task(number: u32, lead: &str, cooperating: &str) -> TaskDraft {
    TaskDraft {
        number,
        content: RichText::plain(&format!("第{number}项任务。")),
        lead_units: lead.into(),
        cooperating_units: cooperating.into(),
        ..TaskDraft::default()
    }
}

/// Tasks 1–2 led by 区发改局 (2 with 区财政局), 3 by 区财政局, 4 by 海滨街道, 5 by
/// 临江街道 with 区统计局 cooperating (a unit that leads nothing).
fn notice() -> Notice {
    Notice::assemble(
        Document::default(),
        vec![
            task(1, "区发改局", ""),
            task(2, "区发改局、区财政局", ""),
            task(3, "区财政局", ""),
            task(4, "海滨街道", ""),
            task(5, "临江街道", "区统计局"),
        ],
        &UnitDirectory::default(),
    )
}

struct Fixture {
    _db: TempDb,
    store: Store,
    doc: DocumentId,
    office: User,
}

async fn fixture() -> Fixture {
    let db = temp_db().await;
    let store = connect(&db).await;
    let doc = save_notice(&store, &notice(), "通报.docx").await;
    let office = user(&store, "duchashi", Role::Supervisor, None).await;
    Fixture {
        _db: db,
        store,
        doc,
        office,
    }
}

/// A report as it stands: submitted at `submitted` (if ever), with `percent`, sent back
/// once if `returned`.
fn report(
    f: &Fixture,
    task: u32,
    unit: &str,
    state: ReportState,
    submitted: Option<DateTime<Utc>>,
    percent: Option<u8>,
    returned: bool,
) -> BulkReport {
    let mut events = Vec::new();
    if returned {
        let at = submitted.unwrap_or(utc(1, 1, 0, 0));
        events.push(BulkEvent {
            at,
            actor: f.office.id,
            actor_role: Role::Supervisor,
            action: ReportAction::Return,
            from: ReportState::UnitApproved,
            to: ReportState::Returned,
            comment: Some("请补充数据".into()),
        });
    }
    BulkReport {
        task,
        unit: unit.into(),
        state,
        text: RichText::plain("已推进。"),
        percent,
        updated_at: submitted,
        submitted_at: submitted,
        events,
    }
}

async fn round(f: &Fixture, label: &str, due: NaiveDate, closed: bool, reports: Vec<BulkReport>) {
    f.store
        .write_round_whole(&BulkRound {
            document: f.doc,
            label: label.into(),
            due,
            opened_by: f.office.id,
            opened_at: utc(1, 1, 0, 0),
            closed_at: closed.then(|| utc(3, 1, 0, 0)),
            reports,
        })
        .await
        .unwrap();
}

use ReportState::{Accepted, Draft, NotStarted, Returned, Submitted};

/// Two rounds with every count known (see each line).
async fn two_rounds(f: &Fixture) {
    // Due 25 January: 序时进度 (25/31)/12 = 6.7%, so 7% is on pace.
    round(
        f,
        "1月",
        date(1, 25),
        true,
        vec![
            // On time, on pace.
            report(
                f,
                1,
                "区发改局",
                Accepted,
                Some(utc(1, 24, 2, 0)),
                Some(10),
                false,
            ),
            // China 27 January: two days late, behind pace.
            report(
                f,
                2,
                "区发改局",
                Accepted,
                Some(utc(1, 27, 3, 0)),
                Some(5),
                false,
            ),
            // On time, returned once, on pace.
            report(
                f,
                2,
                "区财政局",
                Accepted,
                Some(utc(1, 24, 0, 0)),
                Some(50),
                true,
            ),
            // 23:59 on the due date in China: on time; no 完成进度.
            report(
                f,
                3,
                "区财政局",
                Accepted,
                Some(utc(1, 25, 15, 59)),
                None,
                false,
            ),
            // Never submitted.
            report(f, 4, "海滨街道", NotStarted, None, None, false),
            report(
                f,
                5,
                "临江街道",
                Accepted,
                Some(utc(1, 20, 0, 0)),
                None,
                false,
            ),
        ],
    )
    .await;
    // Due 25 February, still open.
    round(
        f,
        "1-2月",
        date(2, 25),
        false,
        vec![
            report(f, 1, "区发改局", Draft, None, None, false),
            report(f, 2, "区发改局", NotStarted, None, None, false),
            report(
                f,
                2,
                "区财政局",
                Submitted,
                Some(utc(2, 20, 0, 0)),
                Some(20),
                false,
            ),
            // Midnight in China: one day late.
            report(
                f,
                3,
                "区财政局",
                Submitted,
                Some(utc(2, 25, 16, 0)),
                None,
                false,
            ),
            // China 1 March: four days late.
            report(
                f,
                4,
                "海滨街道",
                Submitted,
                Some(utc(3, 1, 1, 0)),
                None,
                false,
            ),
            // Submitted on time, then returned: on time, but not reported now.
            report(
                f,
                5,
                "临江街道",
                Returned,
                Some(utc(2, 24, 0, 0)),
                None,
                true,
            ),
        ],
    )
    .await;
}

fn totals(rounds: &[RoundCounts]) -> [u32; 8] {
    let mut t = [0; 8];
    for r in rounds {
        for (i, n) in [
            r.expected,
            r.on_time,
            r.late,
            r.missing,
            r.returned,
            r.delay_days,
            r.judged,
            r.on_pace,
        ]
        .into_iter()
        .enumerate()
        {
            t[i] += n;
        }
    }
    t
}

#[tokio::test]
async fn the_figures_per_unit_and_round_are_counted_from_the_reports() {
    let f = fixture().await;
    let today = date(3, 10);
    // Nothing reported yet: every unit, no rounds, nothing unreported.
    let empty = f.store.ranking_source(today).await.unwrap();
    assert_eq!(empty.units.len(), 5);
    assert!(empty.units.iter().all(|u| u.rounds.is_empty()));
    assert!(empty.unreported.is_empty());

    two_rounds(&f).await;
    let source = f.store.ranking_source(today).await.unwrap();
    let unit = |name: &str| {
        source
            .units
            .iter()
            .find(|u| u.unit == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    // expected, on time, late, missing, returned, delay days, judged, on pace
    assert_eq!(totals(&unit("区发改局").rounds), [4, 1, 1, 2, 0, 2, 2, 1]);
    assert_eq!(totals(&unit("区财政局").rounds), [4, 3, 1, 0, 1, 1, 2, 2]);
    assert_eq!(totals(&unit("海滨街道").rounds), [2, 0, 1, 1, 0, 4, 0, 0]);
    assert_eq!(totals(&unit("临江街道").rounds), [2, 2, 0, 0, 1, 0, 0, 0]);
    assert_eq!(totals(&unit("区统计局").rounds), [0; 8]);
    assert_eq!(
        [
            unit("区发改局").tasks_led,
            unit("区财政局").tasks_led,
            unit("区统计局").tasks_led
        ],
        [2, 2, 0]
    );
    assert_eq!(unit("海滨街道").kind, UnitKind::Subdistrict);
    let fgj = &unit("区发改局").rounds;
    let january = fgj.iter().find(|r| r.round == "1月").unwrap();
    assert_eq!(
        (january.due, january.on_time, january.late),
        (Some(date(1, 25)), 1, 1)
    );

    // The open round waits for 区发改局 (a draft and one not started) and 临江街道
    // (sent back); 海滨街道 reported, late.
    let mut open: Vec<(String, u32, bool)> = source
        .unreported
        .iter()
        .map(|u| (u.unit.clone(), u.reports, u.overdue))
        .collect();
    open.sort();
    assert_eq!(
        open,
        [
            ("临江街道".to_string(), 1, true),
            ("区发改局".to_string(), 2, true)
        ]
    );
    assert!(source.unreported.iter().all(|u| u.round == "1-2月"));
    // Before the due date nothing is missing yet, and the open round is not overdue.
    let early = f.store.ranking_source(date(2, 20)).await.unwrap();
    let fgj = early.units.iter().find(|u| u.unit == "区发改局").unwrap();
    assert_eq!(totals(&fgj.rounds)[3], 0);
    assert!(early.unreported.iter().all(|u| !u.overdue));

    // Ranked within categories.
    let ranked = duban_domain::escalation::rank(source.units.clone());
    let order = |kind: UnitKind| -> Vec<(String, Option<u32>)> {
        ranked
            .categories
            .iter()
            .find(|c| c.kind == kind)
            .unwrap()
            .units
            .iter()
            .map(|u| (u.unit.clone(), u.rank))
            .collect()
    };
    assert_eq!(
        order(UnitKind::Department),
        [
            ("区财政局".to_string(), Some(1)),
            ("区发改局".to_string(), Some(2)),
            ("区统计局".to_string(), None)
        ]
    );
    assert_eq!(
        order(UnitKind::Subdistrict),
        [
            ("临江街道".to_string(), Some(1)),
            ("海滨街道".to_string(), Some(2))
        ]
    );
}

#[tokio::test]
async fn lapses_move_units_up_the_ladder_once_and_the_office_sets_steps_by_hand() {
    let f = fixture().await;
    two_rounds(&f).await;
    let (ladder, standings) = f.store.escalation_standings().await.unwrap();
    assert_eq!(ladder, Ladder::default());
    assert!(standings.iter().all(|s| s.level == 0 && s.step == "未升级"));

    // Two rounds due with a lapse in each for 区发改局 and 海滨街道 (2 of 3): one step.
    let at = utc(3, 10, 1, 0);
    let steps = f
        .store
        .apply_escalation_rule(date(3, 10), at)
        .await
        .unwrap();
    let mut moved: Vec<(&str, usize, &str, NaiveDate)> = steps
        .iter()
        .map(|s| (s.unit.as_str(), s.level, s.step.as_str(), s.on))
        .collect();
    moved.sort();
    assert_eq!(
        moved,
        [
            ("区发改局", 1, "提醒", date(2, 25)),
            ("海滨街道", 1, "提醒", date(2, 25))
        ]
    );
    assert!(steps.iter().all(|s| s.automatic && s.set_by.is_none()));
    assert!(
        steps[0].reason.contains("1月、1-2月共 2 轮"),
        "{}",
        steps[0].reason
    );
    assert_eq!(steps[0].round.as_deref(), Some("1-2月"));
    // Applying again records nothing more.
    assert!(
        f.store
            .apply_escalation_rule(date(3, 10), at)
            .await
            .unwrap()
            .is_empty()
    );

    // The office sets a step by hand, with a reason.
    let manual = f
        .store
        .set_escalation_step(
            "区发改局",
            3,
            "连续两轮未按时报送，约谈主要负责人",
            &f.office,
            at,
        )
        .await
        .unwrap();
    assert_eq!((manual.level, manual.step.as_str()), (3, "约谈"));
    assert_eq!(manual.set_by.as_deref(), Some("duchashi 姓名"));
    assert!(!manual.automatic);
    assert_eq!(manual.on, date(3, 10));
    let refused = f
        .store
        .set_escalation_step("区发改局", 5, "原因", &f.office, at)
        .await;
    assert!(matches!(
        refused,
        Err(StoreError::Ladder(LadderError::UnknownLevel {
            level: 5,
            top: 4
        }))
    ));
    let refused = f
        .store
        .set_escalation_step("区发改局", 1, " ", &f.office, at)
        .await;
    assert!(matches!(
        refused,
        Err(StoreError::Ladder(LadderError::ReasonRequired))
    ));
    let refused = f
        .store
        .set_escalation_step("区不存在局", 1, "原因", &f.office, at)
        .await;
    assert!(matches!(refused, Err(StoreError::UnknownUnit(_))));

    let history = f.store.escalation_history(Some("区发改局")).await.unwrap();
    let levels: Vec<(usize, bool)> = history.iter().map(|s| (s.level, s.automatic)).collect();
    assert_eq!(levels, [(3, false), (1, true)], "newest first");
    assert_eq!(f.store.escalation_history(None).await.unwrap().len(), 3);

    // A ladder without the level held is refused; one with it replaces the default.
    let short = Ladder::new(&["提醒".into(), "约谈".into()], 1, 1).unwrap();
    let refused = f.store.set_escalation_ladder(&short, &f.office, at).await;
    assert!(matches!(
        refused,
        Err(StoreError::Ladder(LadderError::LevelHeld { level: 3, .. }))
    ));
    let three = Ladder::new(&["提醒".into(), "约谈".into(), "挂牌督办".into()], 1, 1).unwrap();
    f.store
        .set_escalation_ladder(&three, &f.office, at)
        .await
        .unwrap();
    assert_eq!(f.store.escalation_ladder().await.unwrap(), three);
    let (_, standings) = f.store.escalation_standings().await.unwrap();
    let step = |name: &str| {
        let s = standings.iter().find(|s| s.unit == name).unwrap();
        (s.level, s.step.clone())
    };
    assert_eq!(step("区发改局"), (3, "挂牌督办".to_string()));
    assert_eq!(step("海滨街道"), (1, "提醒".to_string()));
    assert_eq!(step("区财政局"), (0, "未升级".to_string()));

    // A third round due 25 March; now one lapse moves a unit. 海滨街道 misses it: up to
    // 约谈. 区发改局 misses it too but stands at the top already. 区财政局, never moved,
    // now moves for its one late report of 1-2月.
    round(
        &f,
        "1-3月",
        date(3, 25),
        false,
        vec![
            report(&f, 1, "区发改局", NotStarted, None, None, false),
            report(&f, 4, "海滨街道", NotStarted, None, None, false),
        ],
    )
    .await;
    let steps = f
        .store
        .apply_escalation_rule(date(3, 26), utc(3, 26, 1, 0))
        .await
        .unwrap();
    let moved: Vec<(&str, usize, &str)> = steps
        .iter()
        .map(|s| (s.unit.as_str(), s.level, s.step.as_str()))
        .collect();
    assert_eq!(moved, [("区财政局", 1, "提醒"), ("海滨街道", 2, "约谈")]);
    assert_eq!(steps[0].on, date(2, 25));
}
