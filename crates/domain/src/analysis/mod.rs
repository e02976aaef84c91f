//! Reading the 落实情况 (progress) text the way a supervisor does, and showing why:
//! a status per task, per sub-item ①… and per unit part, each decided by phrases whose
//! offsets are given so a UI can highlight them; pace (序时进度) against yearly targets;
//! deadlines and dates; key figures; round-over-round copy detection; and the
//! supervisor's override beside the system's suggestion.
//!
//! Rule-based: cue tables (`cues`), a three-step vote (`status`), and small readers for
//! dates, figures and pace. No dictionary, no model: every judgment names the phrases it
//! rests on. The JSON form is documented in `docs/analysis.md`.

mod compare;
mod cues;
mod dates;
mod figures;
mod model;
mod pace;
pub(crate) mod parts;
mod percent;
mod period;
mod quality;
mod review;
mod status;
mod text;

use std::borrow::Cow;

use chrono::Datelike;
use serde::{Deserialize, Serialize};

pub use chrono::NaiveDate;
pub use compare::{DiffOp, NEAR_COPY_SIMILARITY, ReportComparison, compare_reports};
pub use dates::{DateKind, Precision};
pub use figures::FigureKind;
pub use model::*;
pub use pace::{PaceJudgement, PaceKind};
pub use parts::PartResolution;
pub use period::{Period, PeriodInput, PeriodSource, RoundPeriod, notice_period, read_period};
pub use quality::{MAX_CHARS, ReasonCode, UnknownReason};
pub use review::{ReviewedStatus, StatusOverride, review_status};

use crate::document::Notice;
use crate::rich_text::RichText;
use crate::subitem::SubItemLabel;
use crate::task::Task;
use crate::unit::UnitDirectory;
use cues::{Hit, Signal, Strength};
use text::{Span, quoted_spans};

/// `format` of the analysis JSON.
pub const FORMAT_NAME: &str = "duban.analysis";
/// `version` of the analysis JSON; fields are only ever added.
pub const FORMAT_VERSION: u32 = 1;

/// Byte → character offsets of one text, computed once.
struct CharIndex {
    /// Byte offset of each character.
    starts: Vec<usize>,
}

impl CharIndex {
    fn new(text: &str) -> Self {
        CharIndex {
            starts: text.char_indices().map(|(i, _)| i).collect(),
        }
    }

    fn offsets(&self, span: Span) -> Offsets {
        Offsets {
            start: self.starts.partition_point(|&b| b < span.start),
            end: self.starts.partition_point(|&b| b < span.end),
            byte_start: span.start,
            byte_end: span.end,
        }
    }
}

/// What the analysis of one task needs besides the task.
#[derive(Debug, Clone)]
pub struct AnalysisContext<'a> {
    /// Units for resolving names in progress text (the notice's directory).
    pub units: &'a UnitDirectory,
    /// The year `12月底前` means; defaults to `as_of`'s year.
    pub year: Option<i32>,
    /// The round's date, for pace and overdue.
    pub as_of: Option<NaiveDate>,
    /// The period the progress stands at (序时进度); `None`: `as_of`, if given.
    pub period: Option<Period>,
}

impl<'a> AnalysisContext<'a> {
    pub fn new(units: &'a UnitDirectory) -> Self {
        AnalysisContext {
            units,
            year: None,
            as_of: None,
            period: None,
        }
    }

    /// The notice's directory; `as_of` or else the document's date; the period its
    /// title, table title or body names ([`notice_period`]), else `as_of`, else the
    /// document's date. Relative dates are read in the year of a period the notice
    /// names, else the document's date's, else its number's, else `as_of`'s (so
    /// `12月底前` in a 2020 notice stays 2020-12-31 when analysed later).
    pub fn for_notice(notice: &'a Notice, as_of: Option<NaiveDate>) -> Self {
        Self::in_round(notice, None, as_of)
    }

    /// As [`AnalysisContext::for_notice`], for the reports of a reporting round: the
    /// round's label names the period when the notice's text does not.
    pub fn for_round(notice: &'a Notice, round: RoundPeriod, as_of: Option<NaiveDate>) -> Self {
        Self::in_round(notice, Some(round), as_of)
    }

    fn in_round(notice: &'a Notice, round: Option<RoundPeriod>, as_of: Option<NaiveDate>) -> Self {
        let period = notice_period(&notice.document, round, as_of);
        let written_period = period
            .as_ref()
            .filter(|p| !matches!(p.source, PeriodSource::Given | PeriodSource::DocumentDate));
        let year = written_period
            .map(|p| p.end.year())
            .or_else(|| notice.document.date.map(|d| d.year()))
            .or_else(|| {
                notice
                    .document
                    .doc_number
                    .as_ref()
                    .map(|n| i32::from(n.year))
            })
            .or_else(|| as_of.map(|d| d.year()));
        let as_of = as_of.or(notice.document.date);
        AnalysisContext {
            units: &notice.units,
            year,
            as_of,
            period,
        }
    }

    fn year(&self) -> Option<i32> {
        self.year.or_else(|| self.as_of.map(|d| d.year()))
    }

    /// The period to judge pace against: the one given, else `as_of`.
    fn period(&self) -> Option<Cow<'_, Period>> {
        match &self.period {
            Some(p) => Some(Cow::Borrowed(p)),
            None => self
                .as_of
                .map(|d| Cow::Owned(Period::at_date(d, PeriodSource::Given))),
        }
    }
}

/// 序时进度 at `date`, in percent: the share of a yearly target that should be done by
/// then, elapsed months / 12 (`2020-10-15` → (9 + 15/31) / 12 = 79.0%).
pub fn expected_share(date: NaiveDate) -> f64 {
    dates::elapsed_months(date) / 12.0 * 100.0
}

/// Analyses every task of a notice at the round's date (`as_of`, or the document's date),
/// against the period the notice names (see [`AnalysisContext::for_notice`]).
pub fn analyse_notice(notice: &Notice, as_of: Option<NaiveDate>) -> NoticeAnalysis {
    analyse_notice_in(notice, &AnalysisContext::for_notice(notice, as_of))
}

/// Analyses every task of a notice in a context of the caller's (a reporting round's:
/// [`AnalysisContext::for_round`]).
pub fn analyse_notice_in(notice: &Notice, context: &AnalysisContext) -> NoticeAnalysis {
    let tasks: Vec<TaskAnalysis> = notice
        .tasks
        .iter()
        .map(|t| analyse_task(t, context))
        .collect();
    let mut summary = StatusCounts {
        total: tasks.len(),
        ..StatusCounts::default()
    };
    for t in &tasks {
        match t.status {
            Status::Done => summary.done += 1,
            Status::InProgress => summary.in_progress += 1,
            Status::Lagging => summary.lagging += 1,
            Status::Blocked => summary.blocked += 1,
            Status::NotStarted => summary.not_started += 1,
            Status::Unknown => summary.unknown += 1,
        }
        summary.mixed += usize::from(t.mixed);
        summary.overdue += usize::from(t.overdue);
        summary.behind_pace += usize::from(
            t.pace
                .as_ref()
                .is_some_and(|p| p.judgement == PaceJudgement::Behind),
        );
    }
    NoticeAnalysis {
        format: FORMAT_NAME.to_string(),
        version: FORMAT_VERSION,
        doc_number: notice.document.doc_number.as_ref().map(ToString::to_string),
        title: notice.document.title.clone(),
        as_of: context.as_of,
        as_of_source: match context.as_of {
            None => AsOfSource::None,
            Some(d) if Some(d) == notice.document.date => AsOfSource::DocumentDate,
            Some(_) => AsOfSource::Given,
        },
        year: context.year(),
        period: context.period.clone(),
        summary,
        tasks,
    }
}

/// Most evidence items listed for one status.
const MAX_EVIDENCE: usize = 12;
/// A cell is read by sub-item when its text before ① is at most this long.
const MAX_SUBITEM_INTRO_CHARS: usize = 30;

/// Analyses one task: its progress text, with its task text for targets and deadlines.
pub fn analyse_task(task: &Task, context: &AnalysisContext) -> TaskAnalysis {
    let content = task.content.plain_text();
    let mut deadlines = Vec::new();
    if let Some(d) = &task.deadline {
        deadlines.extend(date_phrases(d, TextSource::Deadline, context));
    }
    deadlines.extend(date_phrases(&content, TextSource::Content, context));
    let due = deadlines
        .iter()
        .filter(|d| matches!(d.kind, DateKind::Due | DateKind::Target))
        .filter_map(|d| d.date)
        .min();
    let text = task
        .progress
        .as_ref()
        .map(RichText::plain_text)
        .unwrap_or_default();
    let mut out = TaskAnalysis {
        number: task.number,
        status: Status::Unknown,
        status_label: Status::Unknown.label().to_string(),
        evidence: Vec::new(),
        explanation: String::new(),
        reason: None,
        mixed: false,
        subitems: Vec::new(),
        unit_parts: Vec::new(),
        deadlines,
        figures: Vec::new(),
        pace: None,
        due,
        overdue: false,
        ongoing: due.is_none(),
        progress_chars: text.chars().count(),
    };
    // A bare percentage is read against the period below, not refused as numbers only.
    let percent_cell = percent::read_cell(&text);
    if percent_cell.is_none()
        && let Some(reason) = quality::check(&text)
    {
        out.explanation = reason.message.clone();
        out.reason = Some(reason);
        out.subitems = unreported_subitems(task, &[]);
        return out;
    }
    let whole = Span::new(0, text.len());
    let index = CharIndex::new(&text);
    let quoted = quoted_spans(&text);
    let raw_figures = figures::extract(&text, whole, &quoted);
    let task_figures = figures::extract(
        &content,
        Span::new(0, content.len()),
        &quoted_spans(&content),
    );
    let all_sentences = text::sentences(&text, whole);
    let period = context.period();
    let paces = pace::checks(&pace::PaceInput {
        text: &text,
        within: whole,
        sentences: &all_sentences,
        figures: &raw_figures,
        task_text: &content,
        task_figures: &task_figures,
        period: period.as_deref(),
        year: context.year(),
    });
    let mut hits = cues::scan(&text, whole, &quoted);
    hits.extend(paces.iter().map(|p| pace_hit(&text, p)));
    hits.sort_by_key(|h| (h.span.start, h.span.end));
    let cell = Cell {
        text: &text,
        hits,
        index: &index,
        quoted: &quoted,
    };

    out.deadlines
        .extend(date_phrases(&text, TextSource::Progress, context));
    out.figures = raw_figures
        .iter()
        .map(|f| figure(&text, &index, f))
        .collect();
    // A percentage cell: its status against the period, and the pace check it makes.
    let percent_reading = percent_cell.as_ref().map(|pc| {
        let task_words = format!("{content}{}", task.deadline.as_deref().unwrap_or(""));
        let basis = percent::Basis {
            period: period.as_deref(),
            due,
            yearly: percent::is_yearly(&task_words),
        };
        percent::judge(pc, &text, &index, &basis, pc.remark.map(|r| cell.judge(r)))
    });
    let mut checks: Vec<PaceCheck> = paces
        .iter()
        .map(|p| PaceCheck {
            judgement: p.judgement,
            kind: p.kind,
            actual: p.actual,
            expected: p.expected,
            basis: p.basis.clone(),
            phrase: text[p.span.start..p.span.end].to_string(),
            at: index.offsets(p.span),
        })
        .collect();
    checks.extend(percent_reading.as_ref().and_then(|(_, c)| c.clone()));
    if !checks.is_empty() {
        let judgement = if checks.iter().any(|c| c.judgement == PaceJudgement::Behind) {
            PaceJudgement::Behind
        } else if checks.iter().all(|c| c.judgement == PaceJudgement::Ahead) {
            PaceJudgement::Ahead
        } else {
            PaceJudgement::OnPace
        };
        out.pace = Some(Pace { judgement, checks });
    }

    // Sub-items marked in the progress text.
    let raw_subs = parts::subitems(&text);
    out.subitems = raw_subs
        .iter()
        .map(|s| {
            let (status, evidence, explanation, reason, mixed) = cell.judge(s.span);
            SubItemAnalysis {
                label: s.label,
                status,
                status_label: status.label().to_string(),
                evidence,
                explanation,
                reason,
                mixed,
                at: Some(index.offsets(s.span)),
            }
        })
        .collect();
    let reported: Vec<SubItemLabel> = raw_subs.iter().map(|s| s.label).collect();
    out.subitems.extend(unreported_subitems(task, &reported));
    out.subitems.sort_by_key(|s| s.label);

    // Unit parts.
    let empty = RichText::default();
    let rich = task.progress.as_ref().unwrap_or(&empty);
    out.unit_parts = parts::unit_parts(rich, &text, context.units)
        .into_iter()
        .map(|p| {
            let (status, evidence, explanation, _, _) = cell.judge(p.span);
            UnitPart {
                unit: p.unit,
                written_as: p.written,
                resolution: p.resolution,
                probable: p.probable,
                text: text[p.span.start..p.span.end].to_string(),
                status,
                status_label: status.label().to_string(),
                evidence,
                explanation,
                at: index.offsets(p.span),
            }
        })
        .collect();

    // The task: by sub-item, by unit, or as one text.
    let intro_chars = raw_subs.first().map_or(usize::MAX, |s| {
        text[..s.marker.start].trim().chars().count()
    });
    let by_parts: Option<(Vec<PartVote>, &str)> =
        if raw_subs.len() >= 2 && intro_chars <= MAX_SUBITEM_INTRO_CHARS {
            Some((
                out.subitems
                    .iter()
                    .filter(|s| s.at.is_some())
                    .map(|s| (s.status, s.evidence.as_slice()))
                    .collect(),
                "分项",
            ))
        } else if out.unit_parts.len() >= 2 {
            Some((
                out.unit_parts
                    .iter()
                    .map(|p| (p.status, p.evidence.as_slice()))
                    .collect(),
                "单位部分",
            ))
        } else {
            None
        };
    let decided = by_parts.and_then(|(parts, noun)| {
        let statuses: Vec<Status> = parts.iter().map(|(s, _)| *s).collect();
        let (status, explanation, mixed) = status::read_parts(&statuses, noun)?;
        let mut evidence: Vec<Evidence> = parts
            .iter()
            .filter(|(s, _)| *s == status)
            .flat_map(|(_, e)| e.iter().cloned())
            .collect();
        evidence.sort_by_key(|e| e.at.byte_start);
        evidence.dedup();
        evidence.truncate(MAX_EVIDENCE);
        Some((status, evidence, explanation, None, mixed))
    });
    let (status, evidence, explanation, reason, mixed) = match percent_reading {
        Some((judged, _)) => judged,
        None => decided.unwrap_or_else(|| cell.judge(whole)),
    };
    out.status = status;
    out.status_label = status.label().to_string();
    out.evidence = evidence;
    out.explanation = explanation;
    out.reason = reason;
    out.mixed = mixed;
    out.overdue =
        status != Status::Done && matches!((due, context.as_of), (Some(d), Some(a)) if d < a);
    out
}

type Judgement = (Status, Vec<Evidence>, String, Option<UnknownReason>, bool);
/// A part's status and the evidence behind it, as the task's parts vote.
type PartVote<'a> = (Status, &'a [Evidence]);

/// A progress text with its cues, read part by part.
struct Cell<'a> {
    text: &'a str,
    hits: Vec<Hit>,
    index: &'a CharIndex,
    quoted: &'a [Span],
}

impl Cell<'_> {
    fn judge(&self, span: Span) -> Judgement {
        let sentences: Vec<(Span, Vec<usize>)> = text::sentences(self.text, span)
            .into_iter()
            .map(|s| {
                let idx = self
                    .hits
                    .iter()
                    .enumerate()
                    .filter(|(_, h)| s.start <= h.span.start && h.span.start < s.end)
                    .map(|(i, _)| i)
                    .collect();
                (s, idx)
            })
            .collect();
        match status::read_part(&self.hits, &sentences) {
            Some(reading) => {
                let mut evidence: Vec<Evidence> = reading
                    .deciding
                    .iter()
                    .map(|&i| evidence(self.text, self.index, &self.hits[i]))
                    .collect();
                evidence.dedup();
                evidence.truncate(MAX_EVIDENCE);
                (
                    reading.status,
                    evidence,
                    reading.explanation,
                    None,
                    reading.mixed,
                )
            }
            None => {
                let body = &self.text[span.start..span.end];
                let reason = if body.trim().is_empty() {
                    UnknownReason::new(ReasonCode::NotReported, "该部分没有内容")
                } else if figures::extract(self.text, span, self.quoted).is_empty() {
                    UnknownReason::new(
                        ReasonCode::NoCues,
                        "未见可判断进展的表述（如已完成、正在推进、滞后、未启动）",
                    )
                } else {
                    UnknownReason::new(ReasonCode::FiguresOnly, "只有数据，未见进展表述")
                };
                (
                    Status::Unknown,
                    Vec::new(),
                    reason.message.clone(),
                    Some(reason),
                    false,
                )
            }
        }
    }
}

fn signal_status(signal: Signal) -> Status {
    match signal {
        Signal::Done => Status::Done,
        Signal::InProgress | Signal::Plan | Signal::Activity => Status::InProgress,
        Signal::Lagging => Status::Lagging,
        Signal::Blocked => Status::Blocked,
        Signal::NotStarted => Status::NotStarted,
    }
}

fn evidence(text: &str, index: &CharIndex, hit: &Hit) -> Evidence {
    Evidence {
        text: text[hit.span.start..hit.span.end].to_string(),
        signal: signal_status(hit.signal),
        label: hit.label.clone(),
        at: index.offsets(hit.span),
    }
}

fn pace_hit(text: &str, p: &pace::RawPace) -> Hit {
    let (signal, strength) = match p.judgement {
        PaceJudgement::Behind => (Signal::Lagging, Strength::Strong),
        PaceJudgement::Ahead if p.kind == PaceKind::ShareOfTarget && p.actual >= 100.0 => {
            (Signal::Done, Strength::Medium)
        }
        _ => (Signal::InProgress, Strength::Medium),
    };
    let word = match (p.kind, p.judgement) {
        (PaceKind::ShareOfTarget, j) => j.label(),
        (PaceKind::GrowthVsTarget, PaceJudgement::Behind) => "增速低于目标",
        (PaceKind::GrowthVsTarget, PaceJudgement::OnPace) => "增速达到目标",
        (PaceKind::GrowthVsTarget, PaceJudgement::Ahead) => "增速超过目标",
    };
    Hit {
        span: p.span,
        signal,
        strength,
        label: format!("{word}（{}）", p.basis),
        quote: text[p.span.start..p.span.end].to_string(),
        note: Some(format!("{word}：{}", p.basis)),
    }
}

fn figure(text: &str, index: &CharIndex, f: &figures::RawFigure) -> Figure {
    Figure {
        value: f.value,
        unit: f.unit.clone(),
        kind: f.kind,
        measure: f.measure.clone(),
        written: text[f.span.start..f.span.end].to_string(),
        phrase: text[f.clause.start..f.clause.end].trim().to_string(),
        approx: f.approx,
        at: index.offsets(f.span),
    }
}

fn date_phrases(text: &str, source: TextSource, context: &AnalysisContext) -> Vec<DatePhrase> {
    let year = context.year();
    let kind_source = match source {
        TextSource::Progress => dates::Source::Progress,
        TextSource::Content | TextSource::Deadline => dates::Source::Task,
    };
    let mut out: Vec<DatePhrase> = Vec::new();
    let found = dates::extract(
        text,
        Span::new(0, text.len()),
        year.unwrap_or(2000),
        context.as_of,
        kind_source,
        &quoted_spans(text),
    );
    if found.is_empty() {
        return out;
    }
    let index = CharIndex::new(text);
    for d in found {
        let phrase = text[d.span.start..d.span.end].to_string();
        // Without a known year only dates that write their year can be resolved.
        let date = if year.is_some() || has_written_year(&phrase) {
            d.date
        } else {
            None
        };
        if out
            .iter()
            .any(|o| o.phrase == phrase && o.date == date && o.kind == d.kind)
        {
            continue;
        }
        out.push(DatePhrase {
            date,
            phrase,
            kind: d.kind,
            precision: d.precision,
            source,
            at: index.offsets(d.span),
        });
    }
    out
}

fn has_written_year(phrase: &str) -> bool {
    let digits: Vec<bool> = phrase.chars().map(|c| c.is_ascii_digit()).collect();
    digits.windows(4).any(|w| w.iter().all(|d| *d))
}

/// Sub-items of the task text that the progress text does not report on.
fn unreported_subitems(task: &Task, reported: &[SubItemLabel]) -> Vec<SubItemAnalysis> {
    task.subitems
        .iter()
        .filter(|s| !reported.contains(&s.label))
        .map(|s| {
            let reason = UnknownReason::new(
                ReasonCode::NotReported,
                if reported.is_empty() {
                    "落实情况未按分项填写，无法逐项判断"
                } else {
                    "落实情况未写到该分项"
                },
            );
            SubItemAnalysis {
                label: s.label,
                status: Status::Unknown,
                status_label: Status::Unknown.label().to_string(),
                evidence: Vec::new(),
                explanation: reason.message.clone(),
                reason: Some(reason),
                mixed: false,
                at: None,
            }
        })
        .collect()
}

/// One comparison of a task's report with the previous round's: the whole cell
/// (`unit` absent) or one unit's part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartComparison {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(flatten)]
    pub comparison: ReportComparison,
}

/// Compares a task's progress with the previous round's: the whole cell, and each unit
/// part that both rounds have (matched by canonical unit name), so a unit that copied
/// its own part forward is flagged even when the others rewrote theirs.
pub fn compare_task_rounds(
    previous: &Task,
    current: &Task,
    units: &UnitDirectory,
) -> Vec<PartComparison> {
    let empty = RichText::default();
    let prev_rich = previous.progress.as_ref().unwrap_or(&empty);
    let cur_rich = current.progress.as_ref().unwrap_or(&empty);
    let prev_text = prev_rich.plain_text();
    let cur_text = cur_rich.plain_text();
    let mut out = vec![PartComparison {
        unit: None,
        comparison: compare_reports(&prev_text, &cur_text),
    }];
    let prev_parts = parts::unit_parts(prev_rich, &prev_text, units);
    for part in parts::unit_parts(cur_rich, &cur_text, units) {
        if let Some(before) = prev_parts.iter().find(|p| p.unit == part.unit) {
            out.push(PartComparison {
                unit: Some(part.unit.clone()),
                comparison: compare_reports(
                    &prev_text[before.span.start..before.span.end],
                    &cur_text[part.span.start..part.span.end],
                ),
            });
        }
    }
    out
}
