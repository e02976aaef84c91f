//! From cues to a status, in three steps that a supervisor can retrace.
//!
//! 1. **Sentence.** A sentence takes the most serious signal it contains: 受阻 over 滞后
//!    over 推进中 over 未启动 over a plan (`拟`, `预计`, `待`) over 已完成: completion and a
//!    not-yet-started item together read as in progress, a plan to start reads as not
//!    started, a plan beside a completion as in progress; a working verb alone (`开展`,
//!    `组织`) reads as in progress.
//! 2. **Part** (a cell without marked parts, one sub-item ①…, one unit's part). A strong
//!    cue (`协调无果`, `严重滞后`, behind 序时进度) decides the part alone. Otherwise the
//!    sentences vote: lagging or blocked when they make at least half of the sentences
//!    that say something (blocked when blocked sentences are at least as many as lagging
//!    ones); done when every such sentence says done; not started when all say so;
//!    in progress otherwise.
//! 3. **Task with parts** (①… when the cell is written by sub-item, or two or more
//!    unit parts): the parts vote the same way, without the strong-cue shortcut, so one
//!    blocked part out of five leaves the task in progress (and the part shows blocked).

use super::Status;
use super::cues::{Hit, Signal, Strength};
use super::text::Span;

/// How one sentence reads.
#[derive(Debug, Clone)]
pub(crate) struct SentenceReading {
    pub status: Status,
    pub strength: Strength,
    /// Indices into the hits that decided it.
    pub deciding: Vec<usize>,
}

/// How a part (or a whole cell) reads.
#[derive(Debug, Clone)]
pub(crate) struct Reading {
    pub status: Status,
    /// Indices into the hits that decided it.
    pub deciding: Vec<usize>,
    /// Chinese explanation of the decision.
    pub explanation: String,
    /// More than one status among the sentences or parts.
    pub mixed: bool,
}

/// How serious a status is: blocked, lagging, in progress, not started, done, unknown.
pub(crate) fn rank(status: Status) -> u8 {
    match status {
        Status::Blocked => 5,
        Status::Lagging => 4,
        Status::InProgress => 3,
        Status::NotStarted => 2,
        Status::Done => 1,
        Status::Unknown => 0,
    }
}

pub(crate) fn read_sentence(hits: &[Hit], indices: &[usize]) -> Option<SentenceReading> {
    let of = |pred: &dyn Fn(&Hit) -> bool| -> Vec<usize> {
        indices
            .iter()
            .copied()
            .filter(|&i| pred(&hits[i]))
            .collect()
    };
    let strongest = |idx: &[usize]| {
        idx.iter()
            .map(|&i| hits[i].strength)
            .max()
            .unwrap_or(Strength::Weak)
    };
    let blocked = of(&|h| h.signal == Signal::Blocked);
    let lagging = of(&|h| h.signal == Signal::Lagging);
    let progress = of(&|h| h.signal == Signal::InProgress);
    let plan = of(&|h| h.signal == Signal::Plan);
    let done = of(&|h| h.signal == Signal::Done);
    let not_started = of(&|h| h.signal == Signal::NotStarted);
    let activity = of(&|h| h.signal == Signal::Activity);
    let (status, deciding) = if !blocked.is_empty() {
        (Status::Blocked, blocked)
    } else if !lagging.is_empty() {
        (Status::Lagging, lagging)
    } else if !progress.is_empty() {
        (Status::InProgress, progress)
    } else if !done.is_empty() && !not_started.is_empty() {
        let mut both = done;
        both.extend(not_started);
        both.sort_unstable();
        (Status::InProgress, both)
    } else if !not_started.is_empty() {
        // A plan to start (计划于四季度开展, 待资金落实后启动) is still not started.
        (Status::NotStarted, not_started)
    } else if !plan.is_empty() {
        (Status::InProgress, plan)
    } else if !done.is_empty() {
        (Status::Done, done)
    } else if !activity.is_empty() {
        (Status::InProgress, activity)
    } else {
        return None;
    };
    Some(SentenceReading {
        strength: strongest(&deciding),
        status,
        deciding,
    })
}

/// Reads a part from its sentences. `hits` are all hits of the cell; `sentences` the
/// part's sentences with the indices of the hits in each.
pub(crate) fn read_part(hits: &[Hit], sentences: &[(Span, Vec<usize>)]) -> Option<Reading> {
    let readings: Vec<SentenceReading> = sentences
        .iter()
        .filter_map(|(_, idx)| read_sentence(hits, idx))
        .collect();
    if readings.is_empty() {
        return None;
    }
    // A strong lagging or blocked cue decides the part.
    let strong: Vec<&SentenceReading> = readings
        .iter()
        .filter(|r| {
            r.strength == Strength::Strong && matches!(r.status, Status::Blocked | Status::Lagging)
        })
        .collect();
    if let Some(worst) = strong.iter().max_by_key(|r| rank(r.status)) {
        let status = worst.status;
        let deciding: Vec<usize> = strong
            .iter()
            .filter(|r| r.status == status)
            .flat_map(|r| r.deciding.iter().copied())
            .filter(|&i| hits[i].strength == Strength::Strong)
            .collect();
        let phrases = quote_all(hits, &deciding);
        return Some(Reading {
            status,
            explanation: format!(
                "含{}{phrases}，直接判为{}",
                strong_name(status),
                status.label()
            ),
            mixed: readings.iter().any(|r| r.status != status),
            deciding,
        });
    }
    let statuses: Vec<Status> = readings.iter().map(|r| r.status).collect();
    let status = vote(&statuses);
    let only_activity = readings.iter().all(|r| {
        r.deciding
            .iter()
            .all(|&i| hits[i].signal == Signal::Activity)
    });
    let mut deciding: Vec<usize> = readings
        .iter()
        .filter(|r| r.status == status)
        .flat_map(|r| r.deciding.iter().copied())
        .collect();
    // Activity verbs back a decision only when nothing more specific does.
    if deciding.iter().any(|&i| hits[i].signal != Signal::Activity) {
        deciding.retain(|&i| hits[i].signal != Signal::Activity);
    }
    let explanation = if only_activity {
        "未见完成、滞后或受阻表述，据所述工作措施判为推进中".to_string()
    } else if readings.len() == 1 {
        format!("据{}判为{}", quote_all(hits, &deciding), status.label())
    } else {
        format!(
            "{}句有进展表述：{}；{}",
            readings.len(),
            tally(&statuses, "句"),
            vote_rule(&statuses, status)
        )
    };
    Some(Reading {
        status,
        deciding,
        explanation,
        mixed: statuses.iter().any(|s| *s != status),
    })
}

/// Reads a task from its parts' statuses (unknown parts do not vote).
pub(crate) fn read_parts(statuses: &[Status], noun: &str) -> Option<(Status, String, bool)> {
    let known: Vec<Status> = statuses
        .iter()
        .copied()
        .filter(|s| *s != Status::Unknown)
        .collect();
    if known.is_empty() {
        return None;
    }
    let status = vote(&known);
    let unknown = statuses.len() - known.len();
    let mut explanation = format!("{}个{noun}中：{}", statuses.len(), tally(statuses, "个"));
    if unknown > 0 {
        explanation.push_str("（无法判断的不计）");
    }
    explanation.push('；');
    explanation.push_str(&vote_rule(&known, status));
    Some((status, explanation, known.iter().any(|s| *s != status)))
}

fn vote(statuses: &[Status]) -> Status {
    let count = |s: Status| statuses.iter().filter(|x| **x == s).count();
    let (blocked, lagging) = (count(Status::Blocked), count(Status::Lagging));
    let n = statuses.len();
    if blocked + lagging > 0 && 2 * (blocked + lagging) >= n {
        if blocked >= lagging {
            Status::Blocked
        } else {
            Status::Lagging
        }
    } else if count(Status::Done) == n {
        Status::Done
    } else if count(Status::NotStarted) == n {
        Status::NotStarted
    } else {
        Status::InProgress
    }
}

fn vote_rule(statuses: &[Status], status: Status) -> String {
    let bad = statuses
        .iter()
        .filter(|s| matches!(s, Status::Blocked | Status::Lagging))
        .count();
    match status {
        Status::Blocked | Status::Lagging => format!("滞后、受阻达半数，判为{}", status.label()),
        Status::Done => "均为已完成，判为已完成".to_string(),
        Status::NotStarted => "均未启动，判为未启动".to_string(),
        _ if bad > 0 => "滞后、受阻不足半数，判为推进中".to_string(),
        _ => "未全部完成，判为推进中".to_string(),
    }
}

fn tally(statuses: &[Status], measure: &str) -> String {
    let mut parts = Vec::new();
    for s in Status::ALL {
        let n = statuses.iter().filter(|x| **x == s).count();
        if n > 0 {
            parts.push(format!("{}{n}{measure}", s.label()));
        }
    }
    parts.join("、")
}

fn strong_name(status: Status) -> &'static str {
    match status {
        Status::Blocked => "受阻表述",
        _ => "滞后表述",
    }
}

/// The first three distinct phrases, quoted, each with its note (`“…67.9%”（欠序时：…）`).
fn quote_all(hits: &[Hit], idx: &[usize]) -> String {
    let mut seen: Vec<&Hit> = Vec::new();
    for &i in idx {
        if !seen.iter().any(|h| h.quote == hits[i].quote) {
            seen.push(&hits[i]);
        }
        if seen.len() == 3 {
            break;
        }
    }
    seen.iter()
        .map(|h| match &h.note {
            Some(note) => format!("“{}”（{note}）", h.quote),
            None => format!("“{}”", h.quote),
        })
        .collect::<Vec<_>>()
        .join("、")
}
