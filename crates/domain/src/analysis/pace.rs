//! 序时进度: is a yearly target on pace at the round's date?
//!
//! Two checks, both explainable with the figures in the text:
//!
//! - **Share of a yearly target** (`完成年预算 209750 万元的 67.9%`): expected is
//!   elapsed months / 12, where the months are the period the sentence states (`1-9 月`
//!   → 9, `上半年` → 6, `截至9月底` → 9; a sentence after `；` keeps the period of the one
//!   before) or else the round's date (`2020-10-15` → 9 + 15/31). Below expected is
//!   behind (欠序时); ten points or more above is ahead (超序时); otherwise on pace (达序时).
//! - **Growth against a growth target** (`地区生产总值…同比下降 1%` against the task's
//!   `地区生产总值增长 2.5%`): the target comes from the task text, or from the progress
//!   text where it is called a target (`…增长 3.5% 的年度目标`); the two must measure the
//!   same thing (four or more characters in common after `GDP` → `地区生产总值`, `固投` →
//!   `固定资产投资`, `三产` → `第三产业`). Below target is behind; five points above is ahead.
//!
//! Forecasts (`预计`, `力争`, `争取`) are not actuals.

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use super::dates::elapsed_months;
use super::figures::{FigureKind, RawFigure};
use super::period::Period;
use super::text::{Span, digit_value, sentence_start, trim_span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaceJudgement {
    OnPace,
    Behind,
    Ahead,
}

impl PaceJudgement {
    pub fn label(self) -> &'static str {
        match self {
            PaceJudgement::OnPace => "达序时",
            PaceJudgement::Behind => "欠序时",
            PaceJudgement::Ahead => "超序时",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaceKind {
    /// A share of a yearly target against elapsed months / 12.
    ShareOfTarget,
    /// A growth rate against a growth target.
    GrowthVsTarget,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawPace {
    pub judgement: PaceJudgement,
    pub kind: PaceKind,
    pub actual: f64,
    pub expected: f64,
    /// Chinese: `1-9月，应达75.0%` / `目标增长2.5%`.
    pub basis: String,
    pub span: Span,
}

/// Words that make a percentage a share of a yearly target.
const YEARLY_TARGETS: &[&str] = &[
    "年预算",
    "年度预算",
    "年初预算",
    "年度目标",
    "全年目标",
    "年度任务",
    "全年任务",
    "年度计划",
    "全年计划",
    "年计划",
    "目标任务",
];
const SHARE_VERBS: &[&str] = &["完成", "占", "达到", "达"];
const FORECAST: &[&str] = &["预计", "力争", "争取", "确保", "目标", "计划", "预期"];

const AHEAD_SHARE_POINTS: f64 = 10.0;
const AHEAD_GROWTH_POINTS: f64 = 5.0;

pub(crate) struct PaceInput<'a> {
    pub text: &'a str,
    pub within: Span,
    pub sentences: &'a [Span],
    pub figures: &'a [RawFigure],
    /// Growth figures of the task text (targets), with the task text.
    pub task_text: &'a str,
    pub task_figures: &'a [RawFigure],
    /// The period the progress stands at, for sentences that state none.
    pub period: Option<&'a Period>,
    /// The round's year: a period ending in a later year means the whole year has elapsed.
    pub year: Option<i32>,
}

pub(crate) fn checks(input: &PaceInput) -> Vec<RawPace> {
    let mut out = Vec::new();
    let periods = sentence_periods(input.text, input.sentences);
    let period_of = |at: usize| -> Option<(f64, String)> {
        input
            .sentences
            .iter()
            .position(|s| s.start <= at && at < s.end)
            .and_then(|i| periods[i].clone())
    };
    for f in input
        .figures
        .iter()
        .filter(|f| f.kind == FigureKind::Percent)
    {
        let lead = &input.text[f.clause.start..f.span.start];
        if !YEARLY_TARGETS.iter().any(|w| lead.contains(w))
            || !SHARE_VERBS.iter().any(|w| lead.contains(w))
        {
            continue;
        }
        // The sentence's own period, or the notice's (`截至10月31日` then `，据标题`).
        let (months, basis, source) = match period_of(f.span.start) {
            Some((months, words)) => (months, words, None),
            None => match input.period {
                Some(p) => (
                    match input.year {
                        Some(y) if p.end.year() > y => 12.0,
                        Some(y) if p.end.year() < y => 0.0,
                        _ => elapsed_months(p.end),
                    },
                    p.phrase.clone(),
                    Some(p.source.label()),
                ),
                None => continue,
            },
        };
        let expected = (months / 12.0 * 1000.0).round() / 10.0;
        let judgement = if f.value < expected {
            PaceJudgement::Behind
        } else if f.value >= expected + AHEAD_SHARE_POINTS || f.value >= 100.0 {
            PaceJudgement::Ahead
        } else {
            PaceJudgement::OnPace
        };
        out.push(RawPace {
            judgement,
            kind: PaceKind::ShareOfTarget,
            actual: f.value,
            expected,
            basis: match source {
                Some(source) => format!("{basis}，应达{expected:.1}%，{source}"),
                None => format!("{basis}，应达{expected:.1}%"),
            },
            span: trim_span(input.text, Span::new(f.clause.start, f.span.end)),
        });
    }
    // Growth against targets.
    let mut targets: Vec<(&RawFigure, &str)> = input
        .task_figures
        .iter()
        .filter(|f| f.kind == FigureKind::Growth && f.unit != "个百分点")
        .map(|f| (f, input.task_text))
        .collect();
    let mut actuals: Vec<&RawFigure> = Vec::new();
    for f in input
        .figures
        .iter()
        .filter(|f| f.kind == FigureKind::Growth && f.unit != "个百分点")
    {
        let sentence = sentence_start(input.text, f.span.start, input.within.start);
        let lead = &input.text[sentence..f.span.start];
        let after = &input.text[f.span.end..f.clause.end];
        if after.contains("目标") || lead.contains("确保") {
            targets.push((f, input.text));
        } else if !FORECAST.iter().any(|w| lead.contains(w)) {
            actuals.push(f);
        }
    }
    for actual in actuals {
        let Some((target, _)) = targets
            .iter()
            .find(|(t, _)| same_measure(&t.measure, &actual.measure))
        else {
            continue;
        };
        let (a, t) = (actual.value, target.value);
        // A reduction target (能耗下降 3%) is met by falling at least as much.
        let behind = if t < 0.0 { a > t } else { a < t };
        let judgement = if behind {
            PaceJudgement::Behind
        } else if (a - t).abs() >= AHEAD_GROWTH_POINTS {
            PaceJudgement::Ahead
        } else {
            PaceJudgement::OnPace
        };
        let target_words = if t < 0.0 {
            format!("目标下降{}%", fmt_num(-t))
        } else {
            format!("目标增长{}%", fmt_num(t))
        };
        out.push(RawPace {
            judgement,
            kind: PaceKind::GrowthVsTarget,
            actual: a,
            expected: t,
            basis: format!("{}{target_words}", target.measure_for_basis()),
            span: trim_span(input.text, Span::new(actual.clause.start, actual.span.end)),
        });
    }
    out.sort_by_key(|p| p.span.start);
    out
}

impl RawFigure {
    fn measure_for_basis(&self) -> String {
        normalise_measure(&self.measure)
    }
}

pub(crate) fn fmt_num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

const SYNONYMS: &[(&str, &str)] = &[
    ("GDP", "地区生产总值"),
    ("gdp", "地区生产总值"),
    ("固投", "固定资产投资"),
    ("三产", "第三产业"),
    ("规上", "规模以上"),
];

fn normalise_measure(m: &str) -> String {
    let mut s = m.to_string();
    for (from, to) in SYNONYMS {
        if s.contains(from) && !s.contains(to) {
            s = s.replace(from, to);
        }
    }
    // Drop qualifiers in brackets (季度反馈) and leading scope words.
    let mut out = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth -= 1,
            _ if depth == 0 && !c.is_whitespace() => out.push(c),
            _ => {}
        }
    }
    for lead in [
        "要咬住",
        "咬住",
        "全年",
        "全区",
        "我区",
        "上半年",
        "支撑",
        "抓紧把",
    ] {
        if let Some(rest) = out.strip_prefix(lead) {
            out = rest.to_string();
        }
    }
    out
}

fn same_measure(a: &str, b: &str) -> bool {
    let (a, b) = (normalise_measure(a), normalise_measure(b));
    longest_common_substring(&a, &b) >= 4
}

fn longest_common_substring(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut best = 0;
    let mut prev = vec![0usize; b.len() + 1];
    for x in &a {
        let mut cur = vec![0usize; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            if x == y {
                cur[j + 1] = prev[j] + 1;
                best = best.max(cur[j + 1]);
            }
        }
        prev = cur;
    }
    best
}

/// The reporting period each sentence states, in months, with its words.
fn sentence_periods(text: &str, sentences: &[Span]) -> Vec<Option<(f64, String)>> {
    let mut out: Vec<Option<(f64, String)>> = Vec::with_capacity(sentences.len());
    for (i, s) in sentences.iter().enumerate() {
        // The period opens the sentence or one of its clauses (按计划推进中，1-9月完成…).
        let body = &text[s.start..s.end];
        let own = std::iter::once(0)
            .chain(
                body.char_indices()
                    .filter(|(_, c)| matches!(c, '，' | ','))
                    .map(|(i, c)| i + c.len_utf8()),
            )
            .find_map(|at| period_at_start(&body[at..]));
        let inherited = if own.is_none() && i > 0 {
            let prev = sentences[i - 1];
            let continues = text[prev.start..prev.end].ends_with(['；', ';'])
                && !text[prev.end..s.start].contains('\n');
            if continues { out[i - 1].clone() } else { None }
        } else {
            None
        };
        out.push(own.or(inherited));
    }
    out
}

fn period_at_start(sentence: &str) -> Option<(f64, String)> {
    // Cheap test first: every period phrase starts with one of these.
    let first = sentence.trim_start().chars().next()?;
    if !matches!(first, '上' | '前' | '一' | '第' | '1' | '截') {
        return None;
    }
    let compact: String = sentence
        .chars()
        .take(20)
        .filter(|c| !c.is_whitespace())
        .collect();
    let unprefixed = compact.strip_prefix('第').unwrap_or(&compact);
    for (word, months) in [("上半年", 6.0), ("前三季度", 9.0), ("一季度", 3.0)] {
        if unprefixed.starts_with(word) {
            return Some((months, word.to_string()));
        }
    }
    let chars: Vec<char> = compact.chars().collect();
    // 1-9月 / 1—9月 / 1至9月 / 1~9月份
    if chars.first() == Some(&'1')
        && chars
            .get(1)
            .is_some_and(|c| matches!(c, '-' | '—' | '–' | '至' | '~' | '～' | '到'))
    {
        let (n, used) = small_int(&chars[2..])?;
        if chars.get(2 + used) == Some(&'月') && (1..=12).contains(&n) {
            return Some((f64::from(n), format!("1-{n}月")));
        }
    }
    // 截至9月底 / 截止9月末
    for lead in ["截至", "截止"] {
        if let Some(rest) = compact.strip_prefix(lead) {
            let rest: Vec<char> = rest.chars().collect();
            let (n, used) = small_int(&rest)?;
            if rest.get(used) == Some(&'月')
                && matches!(rest.get(used + 1), Some('底' | '末'))
                && (1..=12).contains(&n)
            {
                return Some((f64::from(n), format!("截至{n}月底")));
            }
        }
    }
    None
}

fn small_int(chars: &[char]) -> Option<(u32, usize)> {
    let mut v = 0u32;
    let mut used = 0;
    while let Some(d) = chars.get(used).and_then(|c| digit_value(*c)) {
        v = v.saturating_mul(10).saturating_add(d);
        used += 1;
    }
    (used > 0 && used <= 2).then_some((v, used))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::figures;
    use crate::analysis::text::{quoted_spans, sentences};

    fn run(progress: &str, task: &str, as_of: &str) -> Vec<(PaceJudgement, f64, f64, String)> {
        let whole = Span::new(0, progress.len());
        let figs = figures::extract(progress, whole, &quoted_spans(progress));
        let task_figs = figures::extract(task, Span::new(0, task.len()), &quoted_spans(task));
        let sents = sentences(progress, whole);
        checks(&PaceInput {
            text: progress,
            within: whole,
            sentences: &sents,
            figures: &figs,
            task_text: task,
            task_figures: &task_figs,
            period: as_of
                .parse()
                .ok()
                .map(|d| Period::at_date(d, crate::analysis::PeriodSource::Given))
                .as_ref(),
            year: None,
        })
        .into_iter()
        .map(|p| (p.judgement, p.actual, p.expected, p.basis))
        .collect()
    }

    #[test]
    fn share_of_budget_behind_with_inherited_period() {
        let p = run(
            "1-9 月一般公共预算总收入 142396 万元，完成年预算 209750 万元的 67.9%，比降 10.5%；一般公共预算收入 84470 万元，完成年预算 120310 万元的 70.2%，比降 11%。",
            "",
            "2020-10-15",
        );
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].0, PaceJudgement::Behind);
        assert_eq!(p[0].2, 75.0);
        assert_eq!(p[1].2, 75.0);
    }

    #[test]
    fn share_against_round_date() {
        let p = run("整体进度已完成年度目标任务的55%", "", "2014-07-15");
        assert_eq!(p[0].0, PaceJudgement::OnPace);
        let p = run("完成年度目标任务的67.9%", "", "2020-10-15");
        assert_eq!((p[0].0, p[0].2), (PaceJudgement::Behind, 79.0));
    }

    #[test]
    fn growth_below_task_target() {
        let p = run(
            "上半年，地区生产总值（季度反馈）实现 238.24 亿元，同比下降 1%，较第一季度回升 13.1 个百分点。",
            "要咬住全年地区生产总值增长 2.5% 的目标不动摇",
            "2020-10-15",
        );
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!((p[0].0, p[0].1, p[0].2), (PaceJudgement::Behind, -1.0, 2.5));
        // Falling crime is not measured against anything.
        assert!(run("破获涉赌刑事案件8起，同比下降50%", "", "2020-10-15").is_empty());
    }
}
