//! Progress written as a bare percentage (`95%`, `98.4%`), or a percentage followed by a
//! remark in brackets, closed or not (`88%(两条路推进缓慢)`, `88%（两条路推进缓慢`), read
//! against 序时进度 (the pro-rata share) at the end of the notice's period:
//!
//! - 100 % or more → done;
//! - at or above the share → in progress (on pace);
//! - below → lagging, and the explanation names the share and where the period came
//!   from: `70% 低于序时进度 83.3%（截至10月31日，据标题）`.
//!
//! The share is elapsed months / 12 for a yearly target (the task text says 年度, 全年,
//! 年内 …), or elapsed months from January of the period's year over the months to the
//! task's deadline when it has one (a deadline already past asks for 100 %). A task
//! with neither, or a notice with no period, cannot be judged by its percentage: the
//! status is unknown with that reason. A remark's own reading (`严重滞后`, `偏慢`,
//! `未开工`, `协调无果`) decides when it is more serious than the percentage's.

use chrono::{Datelike, NaiveDate};

use super::dates::elapsed_months;
use super::pace::{PaceJudgement, PaceKind, fmt_num};
use super::period::Period;
use super::quality::{ReasonCode, UnknownReason};
use super::status::rank;
use super::text::{Span, digit_value, trim_span};
use super::{CharIndex, Evidence, Judgement, PaceCheck, Status};

/// A cell that is a percentage, with an optional remark.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PercentCell {
    pub value: f64,
    /// The number and its percent sign as written.
    pub number: Span,
    /// The remark's text inside its brackets (without them), if any.
    pub remark: Option<Span>,
}

/// Points above the share that make a percentage ahead of pace (超序时), as for shares
/// of yearly targets written in words.
const AHEAD_POINTS: f64 = 10.0;

/// Words of the task text that make it a yearly target.
const YEARLY_WORDS: &[&str] = &["年度", "全年", "年内", "本年", "今年", "当年"];

/// Words that may stand before the number (`约90%`, `完成95%`), longest first.
const LEADS: &[&str] = &[
    "累计完成",
    "完成进度",
    "已完成",
    "总进度",
    "约为",
    "完成",
    "进度",
    "达到",
    "约",
    "达",
];
/// Words that may follow the percent sign (`90%以上`).
const QUALIFIERS: &[&str] = &["以上", "左右", "多"];

/// Reads `text` as a percentage cell, or `None` when it is anything else. Besides the
/// number, the cell may hold a word of approximation or progress before it (`约`,
/// `完成`), one after it (`以上`, `左右`), and a closing full stop.
pub(crate) fn read_cell(text: &str) -> Option<PercentCell> {
    let trimmed = trim_span(text, Span::new(0, text.len()));
    let cell = text[trimmed.start..trimmed.end].trim_end_matches(['。', '.', '；', ';']);
    let lead = LEADS
        .iter()
        .find(|w| cell.starts_with(*w))
        .map_or(0, |w| w.len());
    let whole = Span::new(trimmed.start + lead, trimmed.start + cell.len());
    let body = &text[whole.start..whole.end];
    let mut chars = body.char_indices().peekable();
    let mut number = String::new();
    while let Some(&(_, c)) = chars.peek() {
        if let Some(d) = digit_value(c) {
            number.push(char::from_digit(d, 10)?);
        } else if matches!(c, '.' | '．') && !number.is_empty() && !number.contains('.') {
            number.push('.');
        } else {
            break;
        }
        chars.next();
    }
    if number.is_empty() || number.ends_with('.') {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
    let (sign_at, sign) = chars.next()?;
    if !matches!(sign, '%' | '％') {
        return None;
    }
    let number_span = Span::new(whole.start, whole.start + sign_at + sign.len_utf8());
    if let Some(q) = QUALIFIERS
        .iter()
        .find(|q| body[sign_at + sign.len_utf8()..].starts_with(*q))
    {
        for _ in 0..q.chars().count() {
            chars.next();
        }
    }
    while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
    let Some((open_at, open)) = chars.next() else {
        return Some(PercentCell {
            value,
            number: number_span,
            remark: None,
        });
    };
    if !matches!(open, '(' | '（' | '【' | '[') {
        return None;
    }
    // The remark runs to the end; a closing bracket may end it, and only at the end.
    let inner_start = open_at + open.len_utf8();
    let mut depth = 1usize;
    let mut inner_end = body.len();
    for (i, c) in body[inner_start..].char_indices() {
        match c {
            '(' | '（' | '【' | '[' => depth += 1,
            ')' | '）' | '】' | ']' => {
                depth -= 1;
                if depth == 0 {
                    if inner_start + i + c.len_utf8() != body.len() {
                        return None;
                    }
                    inner_end = inner_start + i;
                }
            }
            _ => {}
        }
    }
    let remark = trim_span(
        text,
        Span::new(whole.start + inner_start, whole.start + inner_end),
    );
    Some(PercentCell {
        value,
        number: number_span,
        remark: (remark.start < remark.end).then_some(remark),
    })
}

/// Whether the task text (具体目标任务 and 完成时限) sets a yearly target.
pub(crate) fn is_yearly(task_text: &str) -> bool {
    YEARLY_WORDS.iter().any(|w| task_text.contains(w))
}

/// 序时进度 in % (one decimal) at the end of `period`: elapsed months from January of
/// the period's year over the months to `due`, or to December for a yearly target.
/// `None` when the task has neither.
pub(crate) fn expected_share(period: &Period, due: Option<NaiveDate>, yearly: bool) -> Option<f64> {
    let start_year = period.end.year();
    let target_end = due.or_else(|| {
        yearly
            .then(|| NaiveDate::from_ymd_opt(start_year, 12, 31))
            .flatten()
    })?;
    let months = |d: NaiveDate| f64::from(d.year() - start_year) * 12.0 + elapsed_months(d);
    let total = months(target_end);
    let share = if total <= 0.0 {
        100.0
    } else {
        (months(period.end) / total * 100.0).clamp(0.0, 100.0)
    };
    Some((share * 10.0).round() / 10.0)
}

/// What the task and notice say, for judging a percentage.
pub(crate) struct Basis<'a> {
    pub period: Option<&'a Period>,
    /// The task's own end date.
    pub due: Option<NaiveDate>,
    pub yearly: bool,
}

/// The percentage's own reading.
struct Reading {
    status: Status,
    /// `70% 低于序时进度 83.3%（截至10月31日，据标题）`.
    explanation: String,
    evidence: Evidence,
    check: Option<PaceCheck>,
}

/// The status of a percentage cell, with the pace check it amounts to. `remark` is the
/// reading of the remark's text (unknown when it has no cue).
pub(crate) fn judge(
    cell: &PercentCell,
    text: &str,
    index: &CharIndex,
    basis: &Basis,
    remark: Option<Judgement>,
) -> (Judgement, Option<PaceCheck>) {
    let remark = remark.filter(|r| r.0 != Status::Unknown);
    let own = read_percentage(cell, text, index, basis);
    match (own, remark) {
        (Ok(own), Some((status, mut evidence, explanation, _, _)))
            if rank(status) > rank(own.status) =>
        {
            evidence.push(own.evidence);
            evidence.sort_by_key(|e| e.at.byte_start);
            let explanation = format!("{}；备注{explanation}，以备注为准", own.explanation);
            ((status, evidence, explanation, None, true), own.check)
        }
        (Ok(own), remark) => {
            let mut explanation = format!("{}，判为{}", own.explanation, own.status.label());
            let mixed = remark.as_ref().is_some_and(|r| r.0 != own.status);
            if let Some(r) = remark.filter(|r| r.0 != own.status) {
                explanation.push_str(&format!("；备注所述（{}）不改变判断", r.0.label()));
            }
            (
                (own.status, vec![own.evidence], explanation, None, mixed),
                own.check,
            )
        }
        (Err(reason), Some((status, evidence, explanation, _, mixed))) => {
            let explanation = format!("{}；备注{explanation}", reason.message);
            ((status, evidence, explanation, None, mixed), None)
        }
        (Err(reason), None) => (
            (
                Status::Unknown,
                Vec::new(),
                reason.message.clone(),
                Some(reason),
                false,
            ),
            None,
        ),
    }
}

fn read_percentage(
    cell: &PercentCell,
    text: &str,
    index: &CharIndex,
    basis: &Basis,
) -> Result<Reading, UnknownReason> {
    let written = &text[cell.number.start..cell.number.end];
    let share = basis
        .period
        .and_then(|p| Some((p, expected_share(p, basis.due, basis.yearly)?)));
    let evidence = |signal: Status, label: String| Evidence {
        text: written.to_string(),
        signal,
        label,
        at: index.offsets(cell.number),
    };
    let Some((period, expected)) = share else {
        if cell.value >= 100.0 {
            return Ok(Reading {
                status: Status::Done,
                explanation: format!("填报{written}"),
                evidence: evidence(Status::Done, format!("完成{written}")),
                check: None,
            });
        }
        return Err(match basis.period {
            None => UnknownReason::new(
                ReasonCode::NoPeriod,
                format!(
                    "百分比（{written}）无法按序时进度判断：未能确定统计期间（标题、表题、正文未写明，也无填报轮次或成文日期）"
                ),
            ),
            Some(p) => UnknownReason::new(
                ReasonCode::NoTarget,
                format!(
                    "百分比（{written}）无法按序时进度判断：任务未写年度目标或完成时限（统计期间：{}）",
                    p.described()
                ),
            ),
        });
    };
    let due_note = match basis.due {
        Some(d) if d != NaiveDate::from_ymd_opt(period.end.year(), 12, 31).unwrap_or(d) => {
            format!("；按完成时限{}计", d.format("%Y年%-m月%-d日"))
        }
        _ => String::new(),
    };
    let share_text = format!(
        "序时进度 {expected:.1}%（{}{due_note}）",
        period.described()
    );
    let judgement = if cell.value < expected {
        PaceJudgement::Behind
    } else if cell.value >= expected + AHEAD_POINTS || cell.value >= 100.0 {
        PaceJudgement::Ahead
    } else {
        PaceJudgement::OnPace
    };
    let (status, explanation) = if cell.value >= 100.0 {
        (Status::Done, format!("{written} 已全部完成，{share_text}"))
    } else if judgement == PaceJudgement::Behind {
        (Status::Lagging, format!("{written} 低于{share_text}"))
    } else {
        (Status::InProgress, format!("{written} 达到{share_text}"))
    };
    let basis_words = format!(
        "{}，应达{}%，{}",
        period.phrase,
        fmt_share(expected),
        period.source.label()
    );
    Ok(Reading {
        status,
        explanation,
        evidence: evidence(status, format!("{}（{basis_words}）", judgement.label())),
        check: Some(PaceCheck {
            judgement,
            kind: PaceKind::ShareOfTarget,
            actual: cell.value,
            expected,
            basis: basis_words,
            phrase: written.to_string(),
            at: index.offsets(cell.number),
        }),
    })
}

fn fmt_share(v: f64) -> String {
    let s = fmt_num(v);
    if s.contains('.') { s } else { format!("{s}.0") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::period::PeriodSource;

    fn cell(text: &str) -> Option<(f64, String, Option<String>)> {
        read_cell(text).map(|c| {
            (
                c.value,
                text[c.number.start..c.number.end].to_string(),
                c.remark.map(|r| text[r.start..r.end].to_string()),
            )
        })
    }

    #[test]
    fn percentage_cells() {
        assert_eq!(cell(" 95% "), Some((95.0, "95%".into(), None)));
        assert_eq!(cell("98.4%"), Some((98.4, "98.4%".into(), None)));
        assert_eq!(cell("９５％"), Some((95.0, "９５％".into(), None)));
        assert_eq!(cell("95 %"), Some((95.0, "95 %".into(), None)));
        assert_eq!(
            cell("88%(两条路推进缓慢)"),
            Some((88.0, "88%".into(), Some("两条路推进缓慢".into())))
        );
        assert_eq!(
            cell("88%（两条路推进缓慢"),
            Some((88.0, "88%".into(), Some("两条路推进缓慢".into())))
        );
        assert_eq!(
            cell("80%【资金未到位】"),
            Some((80.0, "80%".into(), Some("资金未到位".into())))
        );
        assert_eq!(
            cell("50%（因（征地）问题暂停）"),
            Some((50.0, "50%".into(), Some("因（征地）问题暂停".into())))
        );
        assert_eq!(cell("88%()"), Some((88.0, "88%".into(), None)));
        assert_eq!(cell("95%。"), Some((95.0, "95%".into(), None)));
        assert_eq!(cell("约90%"), Some((90.0, "90%".into(), None)));
        assert_eq!(cell("完成95%"), Some((95.0, "95%".into(), None)));
        assert_eq!(cell("90%以上"), Some((90.0, "90%".into(), None)));
        assert_eq!(
            cell("已完成80%（资金已到位）。"),
            Some((80.0, "80%".into(), Some("资金已到位".into())))
        );
        // Not a percentage cell: other words before or after, a bracket closed mid-way.
        assert_eq!(cell("完成年度任务的95%"), None);
        assert_eq!(cell("95%，正在推进"), None);
        assert_eq!(cell("95%以上完成"), None);
        assert_eq!(cell("88%（甲）乙"), None);
        assert_eq!(cell("95"), None);
        assert_eq!(cell("95.%"), None);
        assert_eq!(cell("%"), None);
    }

    fn period(end: &str) -> Period {
        Period {
            end: end.parse().expect("test date"),
            phrase: "截至".into(),
            source: PeriodSource::Title,
        }
    }

    #[test]
    fn shares() {
        let d = |s: &str| s.parse::<NaiveDate>().ok();
        let p = period("2020-10-31");
        assert_eq!(expected_share(&p, None, true), Some(83.3));
        assert_eq!(expected_share(&p, d("2020-12-31"), false), Some(83.3));
        assert_eq!(expected_share(&p, d("2021-06-30"), false), Some(55.6));
        assert_eq!(expected_share(&p, d("2020-09-30"), false), Some(100.0));
        assert_eq!(expected_share(&p, d("2019-12-31"), false), Some(100.0));
        assert_eq!(expected_share(&p, None, false), None);
        assert_eq!(
            expected_share(&period("2020-10-15"), None, true),
            Some(79.0)
        );
        assert_eq!(
            expected_share(&period("2020-03-31"), None, true),
            Some(25.0)
        );
    }
}
