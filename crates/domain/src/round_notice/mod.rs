//! The round's own 通报: the notice an office issues from the reports it collected in
//! one round, like 泉鲤政办〔2020〕48号. Pure: the store hands over the round, its
//! reports and the office's status decisions; this module decides the table, every
//! figure and the default wording, and checks edited wording against the table.
//!
//! - The table: one row per task of the round, with the decomposition notice's
//!   content, units and sub-items, and a 落实情况 cell made of the accepted reports
//!   ([`cell`]).
//! - The status each row counts as: the office's 审定 decision in this round where
//!   made, else the reading of the cell (`analysis`).
//! - The body: paragraphs whose every figure is computed from the table and the
//!   round ([`body`]); the office may reword them, and [`figures::check_figures`]
//!   refuses wording whose figures differ from the table.

pub mod body;
pub mod cell;
pub mod figures;
pub mod imported;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::Disclosure;
use crate::analysis::{
    AnalysisContext, PeriodInput, RoundPeriod, Status, StatusCounts, analyse_task, read_period,
};
use crate::document::{DocReference, Document, Notice};
use crate::rich_text::RichText;
use crate::task::{Task, TaskNumber};
use crate::workflow::ReportState;

pub use body::BodyParagraph;
pub use figures::{FigureMismatch, ReportingCounts, check_figures};

/// What the office issues its notices as (per office, in its settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeSettings {
    /// 发文机关 (`泉州市鲤城区人民政府办公室`).
    pub issuer: String,
    /// Who did the 督查, as the body names it (`区政府督查室`).
    pub office: String,
    /// 署名; the issuer when not set.
    pub signatory: Option<String>,
    /// 主送; when empty, the decomposition notice's, else the round's lead units.
    pub recipients: Vec<String>,
    /// 公开属性 a new notice starts with.
    pub disclosure: Disclosure,
    /// 署名 and 成文日期 for a sealed notice (the default) or one without a seal.
    #[serde(default)]
    pub signature_layout: crate::SignatureLayout,
}

/// The office's 文号 series: its 机关代字 (`泉鲤政办`), the year it is at and the next
/// serial.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocSeries {
    pub agency: String,
    pub year: i32,
    pub next_serial: u32,
}

impl DocSeries {
    /// The 文号 a notice dated `date` gets, and the series after it: serials run per
    /// year, so the first notice of a new year is 1号.
    pub fn issue(&self, date: NaiveDate) -> (crate::DocNumber, DocSeries) {
        let year = chrono::Datelike::year(&date);
        let serial = if year > self.year {
            1
        } else {
            self.next_serial
        };
        let year = year.max(self.year);
        let number = crate::DocNumber {
            agency: self.agency.clone(),
            year: u16::try_from(year).unwrap_or(u16::MAX),
            serial,
            original: String::new(),
        };
        let number = crate::DocNumber {
            original: number.to_string(),
            ..number
        };
        let next = DocSeries {
            agency: self.agency.clone(),
            year,
            next_serial: serial.saturating_add(1),
        };
        (number, next)
    }
}

/// The round as the notice needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundFacts {
    /// `1-10月`, `第三季度（1-9月）` …
    pub label: String,
    pub due: NaiveDate,
    /// The day the progress is as of (the period's end), for pace and overdue.
    pub as_of: Option<NaiveDate>,
    /// Taken from an imported notice: its reports are slices of the notice's cells.
    pub imported: bool,
}

/// One unit's report on one task in the round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundReport {
    pub task: u32,
    pub unit: String,
    /// Order of the unit's part in the task's cell.
    pub position: u32,
    pub state: ReportState,
    pub text: RichText,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Of a report taken from an imported cell: it was cut from the middle of a
    /// paragraph and continues it ([`cell::split_at`]).
    #[serde(default)]
    pub continues_paragraph: bool,
}

/// A row's status and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskLine {
    pub number: u32,
    pub status: Status,
    /// The office decided it (审定) rather than the reading.
    pub decided: bool,
    /// The task's lead units (for naming lagging and blocked tasks).
    pub lead_units: Vec<String>,
    /// Units of the task whose report the office has not accepted: their part of the
    /// cell is missing.
    pub without_report: Vec<String>,
}

/// A unit and the task numbers concerned (逾期报送, 未报送).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitTasks {
    pub unit: String,
    pub tasks: Vec<u32>,
}

/// How the round's reports came in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reporting {
    pub counts: ReportingCounts,
    pub late: Vec<UnitTasks>,
    pub missing: Vec<UnitTasks>,
}

/// A round's notice before it is issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundNotice {
    /// The document (its body the default wording) and the table.
    pub notice: Notice,
    pub lines: Vec<TaskLine>,
    pub summary: StatusCounts,
    pub reporting: Reporting,
    /// The default wording, figures from the table.
    pub body: Vec<BodyParagraph>,
}

/// Offices work in China Standard Time: a report is on time if submitted by the end
/// of its due date there.
fn office_date(at: DateTime<Utc>) -> NaiveDate {
    let cst = FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset");
    at.with_timezone(&cst).date_naive()
}

/// The notice of a round of `source`'s tasks: `reports` are the round's (every state),
/// `decisions` the office's status per task number made in this round, `date` the
/// 成文日期 to show.
pub fn compose(
    source: &Notice,
    round: &RoundFacts,
    reports: &[RoundReport],
    decisions: &HashMap<u32, Status>,
    settings: &NoticeSettings,
    date: NaiveDate,
) -> RoundNotice {
    let mut by_task: BTreeMap<u32, Vec<&RoundReport>> = BTreeMap::new();
    for r in reports {
        by_task.entry(r.task).or_default().push(r);
    }
    // Percentages and shares of yearly targets are judged at the period the round's
    // label names (`1-10月`), else at its `as_of`, else at the notice's date.
    let period = read_period(&PeriodInput {
        round: Some(RoundPeriod {
            label: &round.label,
            due: round.due,
        }),
        given: round.as_of,
        date: Some(date),
        ..PeriodInput::default()
    });
    let context = AnalysisContext {
        units: &source.units,
        year: period
            .as_ref()
            .map(|p| chrono::Datelike::year(&p.end))
            .or(Some(chrono::Datelike::year(&date))),
        as_of: round.as_of.or(Some(date)),
        period,
    };
    let mut tasks = Vec::new();
    let mut lines = Vec::new();
    for (number, mut task_reports) in by_task {
        let Some(source_task) = source.tasks.iter().find(|t| t.number == TaskNumber(number)) else {
            continue;
        };
        task_reports.sort_by_key(|r| r.position);
        let accepted: Vec<&RoundReport> = task_reports
            .iter()
            .copied()
            .filter(|r| r.state == ReportState::Accepted)
            .collect();
        let pieces: Vec<cell::CellPiece> = accepted
            .iter()
            .map(|r| cell::CellPiece {
                unit: &r.unit,
                text: &r.text,
                verbatim: round.imported,
                continues_paragraph: r.continues_paragraph,
            })
            .collect();
        let task = Task {
            progress: cell::compose_cell(&pieces),
            notes: None,
            extra: Vec::new(),
            ..source_task.clone()
        };
        let status = match decisions.get(&number) {
            Some(s) => *s,
            None => analyse_task(&task, &context).status,
        };
        lines.push(TaskLine {
            number,
            status,
            decided: decisions.contains_key(&number),
            lead_units: task.lead_units.iter().map(|a| a.unit.clone()).collect(),
            without_report: task_reports
                .iter()
                .filter(|r| r.state != ReportState::Accepted)
                .map(|r| r.unit.clone())
                .collect(),
        });
        tasks.push(task);
    }
    let mut summary = StatusCounts {
        total: lines.len(),
        ..StatusCounts::default()
    };
    for line in &lines {
        match line.status {
            Status::Done => summary.done += 1,
            Status::InProgress => summary.in_progress += 1,
            Status::Lagging => summary.lagging += 1,
            Status::Blocked => summary.blocked += 1,
            Status::NotStarted => summary.not_started += 1,
            Status::Unknown => summary.unknown += 1,
        }
    }
    let reporting = reporting(reports, round.due);
    let matter = body::matter(source);
    let body = body::default_body(
        source,
        &settings.office,
        &matter,
        round,
        &lines,
        &summary,
        &reporting,
    );
    let recipients = if !settings.recipients.is_empty() {
        settings.recipients.clone()
    } else if !source.document.recipients.is_empty() {
        source.document.recipients.clone()
    } else {
        let mut units: Vec<String> = Vec::new();
        for line in &lines {
            for u in &line.lead_units {
                if !units.contains(u) {
                    units.push(u.clone());
                }
            }
        }
        units
    };
    let attachment = format!("{matter}落实情况表");
    let document = Document {
        issuer: Some(settings.issuer.clone()),
        doc_number: None,
        title: Some(format!("{}关于{matter}落实情况的通报", settings.issuer)),
        recipients,
        body: body.iter().map(|p| p.text.clone()).collect(),
        references: match body::cited_document(source) {
            (title, Some(number)) => crate::DocNumber::parse(&number)
                .ok()
                .map(|doc_number| DocReference { doc_number, title })
                .into_iter()
                .collect(),
            _ => Vec::new(),
        },
        attachment: Some(attachment.clone()),
        signatory: Some(
            settings
                .signatory
                .clone()
                .unwrap_or_else(|| settings.issuer.clone()),
        ),
        date: Some(date),
        disclosure: Some(settings.disclosure),
        table_title: Some(attachment),
        copy_to: Vec::new(),
        printed_by: None,
        printed_on: None,
    };
    RoundNotice {
        notice: Notice {
            document,
            tasks,
            units: source.units.clone(),
            unit_flags: Vec::new(),
        },
        lines,
        summary,
        reporting,
        body,
    }
}

/// Counts the round's reports: a report counts as 报送 once it reached the office
/// (the unit head signed it off), on time if it was submitted by the due date.
fn reporting(reports: &[RoundReport], due: NaiveDate) -> Reporting {
    let mut counts = ReportingCounts {
        expected: reports.len(),
        ..ReportingCounts::default()
    };
    let mut late: Vec<UnitTasks> = Vec::new();
    let mut missing: Vec<UnitTasks> = Vec::new();
    let add = |list: &mut Vec<UnitTasks>, r: &RoundReport| match list
        .iter_mut()
        .find(|u| u.unit == r.unit)
    {
        Some(u) => u.tasks.push(r.task),
        None => list.push(UnitTasks {
            unit: r.unit.clone(),
            tasks: vec![r.task],
        }),
    };
    let mut ordered: Vec<&RoundReport> = reports.iter().collect();
    ordered.sort_by_key(|r| (r.task, r.position));
    for r in ordered {
        if !r.state.readable_outside_unit() {
            counts.missing += 1;
            add(&mut missing, r);
        } else if r.submitted_at.is_some_and(|at| office_date(at) > due) {
            counts.late += 1;
            add(&mut late, r);
        } else {
            counts.on_time += 1;
        }
    }
    Reporting {
        counts,
        late,
        missing,
    }
}

/// The notice as issued: the wording the office settled on, without the paragraphs
/// marked internal when it is the public variant.
pub fn with_body(mut notice: Notice, body: &[BodyParagraph], public: bool) -> Notice {
    notice.document.body = body
        .iter()
        .filter(|p| !(public && p.internal))
        .map(|p| p.text.clone())
        .collect();
    notice
}

/// Checks the office's wording against the table: every mismatching figure, in text
/// order (none: it may be issued).
pub fn check_body(body: &[BodyParagraph], notice: &RoundNotice) -> Vec<FigureMismatch> {
    body.iter()
        .flat_map(|p| check_figures(&p.text, &notice.summary, &notice.reporting.counts))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::UnitAssignment;
    use chrono::TimeZone;
    use proptest::prelude::*;

    const UNITS: [&str; 4] = ["区发改局", "区财政局", "区住建局", "区城管局"];
    const TEXTS: [&str; 6] = [
        "已完成全部建设内容，通过验收。",
        "正在加快推进，已完成主体工程。",
        "受资金影响，进度滞后于计划。",
        "因用地手续未办结，项目推进受阻。",
        "尚未启动。",
        "",
    ];

    fn source(tasks: &[Vec<usize>]) -> Notice {
        Notice {
            document: Document {
                issuer: Some("泉州市鲤城区人民政府办公室".into()),
                title: Some(
                    "泉州市鲤城区人民政府办公室关于对区长讲话部署进行责任分解的通知".into(),
                ),
                doc_number: crate::DocNumber::parse("泉鲤政办〔2020〕44号").ok(),
                ..Document::default()
            },
            tasks: tasks
                .iter()
                .enumerate()
                .map(|(i, units)| Task {
                    number: TaskNumber(i as u32 + 1),
                    content: RichText::plain(&format!("任务{}", i + 1)),
                    lead_units: units
                        .iter()
                        .map(|&u| UnitAssignment {
                            unit: UNITS[u].into(),
                            written_as: UNITS[u].into(),
                            role: None,
                        })
                        .collect(),
                    lead_units_text: units
                        .iter()
                        .map(|&u| UNITS[u])
                        .collect::<Vec<_>>()
                        .join(" "),
                    cooperating_units: Vec::new(),
                    cooperating_units_text: String::new(),
                    leader: None,
                    deadline: None,
                    notes: None,
                    subitems: Vec::new(),
                    progress: None,
                    extra: Vec::new(),
                })
                .collect(),
            ..Notice::default()
        }
    }

    fn settings() -> NoticeSettings {
        NoticeSettings {
            signature_layout: crate::SignatureLayout::Sealed,
            issuer: "泉州市鲤城区人民政府办公室".into(),
            office: "区政府督查室".into(),
            signatory: None,
            recipients: Vec::new(),
            disclosure: Disclosure::Active,
        }
    }

    /// A task: its lead units (distinct), and per unit (state, text, days late).
    fn task_strategy() -> impl Strategy<Value = Vec<(usize, usize, usize, i64)>> {
        proptest::sample::subsequence(vec![0usize, 1, 2, 3], 1..=3).prop_flat_map(|units| {
            let n = units.len();
            (
                Just(units),
                proptest::collection::vec((0usize..6, 0usize..6, -2i64..3), n),
            )
                .prop_map(|(units, rest)| {
                    units
                        .into_iter()
                        .zip(rest)
                        .map(|(u, (s, t, d))| (u, s, t, d))
                        .collect()
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Every figure the generated wording states equals the count over the table
        /// and the round, and a changed figure is caught.
        #[test]
        fn every_figure_in_the_body_is_the_table_s(
            tasks in proptest::collection::vec(task_strategy(), 1..30),
            decided in proptest::collection::vec(proptest::option::of(0usize..6), 30),
        ) {
            let due = NaiveDate::from_ymd_opt(2020, 11, 10).expect("date");
            let units: Vec<Vec<usize>> = tasks.iter().map(|t| t.iter().map(|r| r.0).collect()).collect();
            let source = source(&units);
            let mut reports = Vec::new();
            for (i, task) in tasks.iter().enumerate() {
                for (position, &(unit, state, text, late)) in task.iter().enumerate() {
                    reports.push(RoundReport {
                        task: i as u32 + 1,
                        unit: UNITS[unit].into(),
                        position: position as u32,
                        state: ReportState::ALL[state],
                        text: RichText::plain(TEXTS[text]),
                        submitted_at: Some(
                            chrono::Utc.from_utc_datetime(&(due + chrono::Duration::days(late)).and_hms_opt(3, 0, 0).expect("time")),
                        ),
                        continues_paragraph: false,
                    });
                }
            }
            let decisions: HashMap<u32, Status> = decided
                .iter()
                .take(tasks.len())
                .enumerate()
                .filter_map(|(i, d)| d.map(|s| (i as u32 + 1, Status::ALL[s])))
                .collect();
            let round = RoundFacts { label: "1-10月".into(), due, as_of: Some(due), imported: false };
            let notice = compose(&source, &round, &reports, &decisions, &settings(), due);

            // The summary is the count over the table's rows.
            prop_assert_eq!(notice.summary.total, notice.notice.tasks.len());
            for status in Status::ALL {
                let n = notice.lines.iter().filter(|l| l.status == status).count();
                prop_assert_eq!(notice.summary.of(status), n);
            }
            let c = &notice.reporting.counts;
            prop_assert_eq!(c.expected, reports.len());
            prop_assert_eq!(c.on_time + c.late + c.missing, c.expected);
            // Every figure stated is the table's, and the main ones are all stated.
            prop_assert!(check_body(&notice.body, &notice).is_empty());
            let stated: Vec<figures::StatedFigure> = notice.body.iter().flat_map(|p| figures::stated_figures(&p.text)).collect();
            for name in [figures::FigureName::Total, figures::FigureName::Status(Status::Done), figures::FigureName::Status(Status::InProgress), figures::FigureName::Status(Status::Lagging), figures::FigureName::Status(Status::Blocked), figures::FigureName::Expected, figures::FigureName::OnTime] {
                prop_assert!(stated.iter().any(|f| f.name == name), "{:?} not stated", name);
            }
            // A figure changed by hand is refused, naming both values.
            let first = &stated[1];
            let wrong = first.phrase.replacen(&first.value.to_string(), &(first.value + 1).to_string(), 1);
            let edited: Vec<BodyParagraph> = notice.body.iter().map(|p| BodyParagraph { text: p.text.replacen(&first.phrase, &wrong, 1), internal: p.internal }).collect();
            let mismatches = check_body(&edited, &notice);
            prop_assert_eq!(mismatches.len(), 1);
            prop_assert_eq!(mismatches[0].text, first.value + 1);
            prop_assert_eq!(mismatches[0].table, first.value);
        }
    }

    #[test]
    fn a_series_numbers_notices_per_year() {
        let series = DocSeries {
            agency: "泉鲤政办".into(),
            year: 2020,
            next_serial: 49,
        };
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        let (number, next) = series.issue(day(2020, 11, 20));
        assert_eq!(number.to_string(), "泉鲤政办〔2020〕49号");
        assert_eq!(number.original, "泉鲤政办〔2020〕49号");
        assert_eq!(next.next_serial, 50);
        let (number, next) = next.issue(day(2021, 1, 8));
        assert_eq!(number.to_string(), "泉鲤政办〔2021〕1号");
        assert_eq!((next.year, next.next_serial), (2021, 2));
    }

    #[test]
    fn the_table_takes_accepted_reports_only_and_statuses_from_the_office_first() {
        let source = source(&[vec![0, 2], vec![1]]);
        let due = NaiveDate::from_ymd_opt(2020, 11, 10).expect("date");
        let report = |task, unit: &str, position, state, text: &str| RoundReport {
            task,
            unit: unit.into(),
            position,
            state,
            text: RichText::plain(text),
            submitted_at: None,
            continues_paragraph: false,
        };
        let reports = vec![
            report(1, "区发改局", 0, ReportState::Accepted, "已完成方案编制。"),
            report(1, "区住建局", 1, ReportState::Accepted, "正在推进改造。"),
            report(2, "区财政局", 0, ReportState::Draft, "草稿，不应出现。"),
        ];
        let round = RoundFacts {
            label: "1-10月".into(),
            due,
            as_of: Some(due),
            imported: false,
        };
        let decisions = HashMap::from([(1, Status::Lagging)]);
        let n = compose(&source, &round, &reports, &decisions, &settings(), due);
        let cell = n.notice.tasks[0]
            .progress
            .as_ref()
            .expect("cell")
            .plain_text();
        assert_eq!(cell, "区发改局：已完成方案编制。区住建局：正在推进改造。");
        assert_eq!(n.notice.tasks[1].progress, None);
        assert_eq!(n.lines[0].status, Status::Lagging);
        assert!(n.lines[0].decided);
        assert_eq!(n.lines[1].without_report, ["区财政局"]);
        assert_eq!(
            n.notice.document.title.as_deref(),
            Some("泉州市鲤城区人民政府办公室关于区长讲话部署落实情况的通报")
        );
        assert_eq!(
            n.body[0].text,
            "根据《泉州市鲤城区人民政府办公室关于对区长讲话部署进行责任分解的通知》（泉鲤政办〔2020〕44号）文件要求，区政府督查室对各有关单位落实区长讲话部署情况进行跟踪督查，现将1-10月落实情况通报如下。"
        );
        assert!(
            n.body[2].text.contains("第1项（区发改局、区住建局）"),
            "{}",
            n.body[2].text
        );
        assert!(
            n.body[3]
                .text
                .ends_with("未报送1份。未报送的单位：区财政局（第2项）。"),
            "{}",
            n.body[3].text
        );
        // The public variant leaves internal paragraphs out.
        let mut body = n.body.clone();
        body.push(BodyParagraph {
            text: "约谈区财政局主要负责人。".into(),
            internal: true,
        });
        let public = with_body(n.notice.clone(), &body, true);
        let internal = with_body(n.notice.clone(), &body, false);
        assert_eq!(public.document.body.len() + 1, internal.document.body.len());
    }
}
