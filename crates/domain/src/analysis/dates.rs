//! Dates and deadlines as offices write them, resolved against the round's year:
//! `12月底前` → 12-31, `11月底`, `年底前`, `9月22日`, `2021年建成投产` → 2021-12-31, `全年`,
//! `三季度末`, `上半年`, `预计…`, `下周`. Each keeps its phrase.

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

#[cfg(test)]
use super::text::quoted_spans;
use super::text::{Span, clause_start, digit_value, indexed, inside_any};

/// What a date says about the work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateKind {
    /// A deadline: `12月底前`, `年底前`, or any date in the task text.
    Due,
    /// An aim: `力争2021年建成投产`, `计划…`.
    Target,
    /// An expectation: `预计11月底`, `下周将`.
    Expected,
    /// Something that happened: `已于9月27日`.
    Event,
    /// The date a figure stands at: `截止9月29日`.
    AsOf,
    /// A span of the year: `全年`, `上半年`, `四季度`.
    Period,
}

impl DateKind {
    pub fn label(self) -> &'static str {
        match self {
            DateKind::Due => "截止时限",
            DateKind::Target => "目标时间",
            DateKind::Expected => "预计时间",
            DateKind::Event => "已发生",
            DateKind::AsOf => "统计截止",
            DateKind::Period => "期间",
        }
    }
}

/// How exact the date is; `date` is the last day of the month, quarter or year written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    Day,
    Month,
    Quarter,
    HalfYear,
    Year,
    /// `近期`: no date can be given.
    Vague,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawDate {
    pub date: Option<NaiveDate>,
    pub precision: Precision,
    pub kind: DateKind,
    pub span: Span,
}

/// Completion verbs that make a bare year a target: `2021年建成投产`.
const YEAR_VERBS: &[&str] = &[
    "建成", "投产", "完成", "竣工", "完工", "开工", "投用", "交付", "实现", "全面",
];
const EXPECT_WORDS: &[&str] = &["预计", "有望", "将于"];
const TARGET_WORDS: &[&str] = &["力争", "争取", "计划", "确保", "拟", "目标", "要在", "要"];
const EVENT_WORDS: &[&str] = &["已于", "已在", "于"];
const AS_OF_WORDS: &[&str] = &["截止到", "截至", "截止", "到"];

/// Where a text comes from decides what an unqualified date means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// 具体目标任务 or 完成时限: dates there are deadlines.
    Task,
    /// 落实情况: dates there are events unless qualified.
    Progress,
}

pub(crate) fn extract(
    text: &str,
    within: Span,
    year: i32,
    as_of: Option<NaiveDate>,
    source: Source,
    quoted: &[Span],
) -> Vec<RawDate> {
    let chars = indexed(text, within);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if inside_any(quoted, chars[i].0) {
            i += 1;
            continue;
        }
        match date_at(&chars, i, year, as_of) {
            Some(found) => {
                let end_byte = chars.get(found.end).map_or(within.end, |(b, _)| *b);
                let span = Span::new(chars[i].0, end_byte);
                if let Some(raw) = qualify(text, within, span, found, source) {
                    out.push(raw);
                }
                i = found.end.max(i + 1);
            }
            None => i += 1,
        }
    }
    out
}

#[derive(Debug, Clone, Copy)]
struct Found {
    date: Option<NaiveDate>,
    precision: Precision,
    /// Char index after the phrase.
    end: usize,
    /// `前`, `底前`, `之前`, `以内` followed the date.
    before: bool,
    /// A period word (全年, 上半年, 季度).
    period: bool,
    /// A bare year followed by a completion verb.
    year_target: bool,
    /// `下周`, `近期`: expectations by nature.
    relative: bool,
}

fn starts(chars: &[(usize, char)], i: usize, word: &str) -> bool {
    let mut k = i;
    for w in word.chars() {
        match chars.get(k) {
            Some((_, c)) if *c == w => k += 1,
            _ => return false,
        }
    }
    true
}

fn skip_spaces(chars: &[(usize, char)], mut i: usize) -> usize {
    while chars
        .get(i)
        .is_some_and(|(_, c)| *c == ' ' || *c == '\u{3000}')
    {
        i += 1;
    }
    i
}

/// Reads up to `max` digits; returns the number and the index after it.
fn digits(chars: &[(usize, char)], i: usize, max: usize) -> Option<(u32, usize)> {
    let mut v = 0u32;
    let mut k = i;
    while k - i < max
        && let Some(d) = chars.get(k).and_then(|(_, c)| digit_value(*c))
    {
        v = v * 10 + d;
        k += 1;
    }
    // More digits than allowed: not this kind of number.
    if k == i || chars.get(k).is_some_and(|(_, c)| digit_value(*c).is_some()) {
        return None;
    }
    Some((v, k))
}

fn last_day(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

/// Suffixes after a month or day, longest first. Returns (day override, before, end).
fn suffix(chars: &[(usize, char)], i: usize) -> (Option<u32>, bool, usize) {
    let j = skip_spaces(chars, i);
    for (word, day, before) in [
        ("底前", None, true),
        ("末前", None, true),
        ("底之前", None, true),
        ("中旬前", Some(15), true),
        ("上旬前", Some(10), true),
        ("下旬前", None, true),
        ("之前", None, true),
        ("以前", None, true),
        ("以内", None, true),
        ("底", None, false),
        ("末", None, false),
        ("中旬", Some(15), false),
        ("上旬", Some(10), false),
        ("下旬", None, false),
        ("初", Some(5), false),
        ("前", None, true),
    ] {
        if starts(chars, j, word) {
            return (day, before, j + word.chars().count());
        }
    }
    (None, false, i)
}

fn date_at(
    chars: &[(usize, char)],
    i: usize,
    year: i32,
    as_of: Option<NaiveDate>,
) -> Option<Found> {
    let c = chars[i].1;
    let prev = i.checked_sub(1).map(|p| chars[p].1);
    let found = |date, precision, end, before| Found {
        date,
        precision,
        end,
        before,
        period: false,
        year_target: false,
        relative: false,
    };
    if digit_value(c).is_some() {
        // Inside a bigger number or a range (1-9月, 2017-2019年): not a date.
        if prev.is_some_and(|p| {
            digit_value(p).is_some()
                || p.is_ascii_alphabetic()
                || matches!(p, '-' | '—' | '～' | '~' | '至' | '.')
        }) {
            return None;
        }
        // Year?
        if let Some((y, k)) = digits(chars, i, 4)
            && k - i == 4
        {
            let k = skip_spaces(chars, k);
            if !starts(chars, k, "年") || starts(chars, k, "年度") {
                return None;
            }
            let y = y as i32;
            let after_year = skip_spaces(chars, k + 1);
            if let Some(month) = month_day(chars, after_year, y) {
                return Some(month);
            }
            if starts(chars, after_year, "底前") || starts(chars, after_year, "年底前") {
                let n = if starts(chars, after_year, "年底前") {
                    3
                } else {
                    2
                };
                return Some(found(
                    NaiveDate::from_ymd_opt(y, 12, 31),
                    Precision::Year,
                    after_year + n,
                    true,
                ));
            }
            if starts(chars, after_year, "底") || starts(chars, after_year, "末") {
                return Some(found(
                    NaiveDate::from_ymd_opt(y, 12, 31),
                    Precision::Year,
                    after_year + 1,
                    false,
                ));
            }
            // 2021年建成投产: a verb within four characters.
            for skip in 0..=4 {
                let at = after_year + skip;
                if chars
                    .get(at)
                    .is_none_or(|(_, c)| super::text::is_clause_end(*c))
                {
                    break;
                }
                if let Some(verb) = YEAR_VERBS.iter().find(|v| starts(chars, at, v)) {
                    let mut f = found(
                        NaiveDate::from_ymd_opt(y, 12, 31),
                        Precision::Year,
                        at + verb.chars().count(),
                        false,
                    );
                    // Keep the whole verb phrase: 建成投产.
                    if *verb == "建成" && starts(chars, f.end, "投产") {
                        f.end += 2;
                    }
                    f.year_target = true;
                    return Some(f);
                }
            }
            return None;
        }
        return month_day(chars, i, year);
    }
    // (word, month of the date, years after `year`, precision, before, period)
    const WORDS: [(&str, u32, i32, Precision, bool, bool); 15] = [
        ("今年年底前", 12, 0, Precision::Year, true, false),
        ("今年底前", 12, 0, Precision::Year, true, false),
        ("年底前", 12, 0, Precision::Year, true, false),
        ("年末前", 12, 0, Precision::Year, true, false),
        ("今年年底", 12, 0, Precision::Year, false, false),
        ("今年底", 12, 0, Precision::Year, false, false),
        ("年底", 12, 0, Precision::Year, false, false),
        ("年末", 12, 0, Precision::Year, false, false),
        ("年内", 12, 0, Precision::Year, true, false),
        ("本年度内", 12, 0, Precision::Year, true, false),
        ("明年", 12, 1, Precision::Year, false, false),
        ("全年", 12, 0, Precision::Year, false, true),
        ("上半年", 6, 0, Precision::HalfYear, false, true),
        ("下半年", 12, 0, Precision::HalfYear, false, true),
        ("前三季度", 9, 0, Precision::Quarter, false, true),
    ];
    if !matches!(
        c,
        '今' | '年'
            | '明'
            | '本'
            | '全'
            | '上'
            | '下'
            | '前'
            | '第'
            | '一'
            | '二'
            | '三'
            | '四'
            | '近'
    ) {
        return None;
    }
    for (word, month, years, precision, before, period) in WORDS {
        if starts(chars, i, word) {
            // 年底 inside 2021年底 was read with the year.
            if word.starts_with('年')
                && prev.is_some_and(|p| digit_value(p).is_some() || p == '今' || p == '明')
            {
                return None;
            }
            let mut f = found(
                last_day(year + years, month),
                precision,
                i + word.chars().count(),
                before,
            );
            f.period = period;
            return Some(f);
        }
    }
    // 三季度末, 第四季度, 一季度.
    let (q_start, has_di) = if c == '第' {
        (i + 1, true)
    } else {
        (i, false)
    };
    let quarter = chars.get(q_start).and_then(|(_, q)| match q {
        '一' | '1' => Some(1),
        '二' | '2' => Some(2),
        '三' | '3' => Some(3),
        '四' | '4' => Some(4),
        _ => None,
    });
    if let Some(q) = quarter
        && starts(chars, q_start + 1, "季度")
        && (has_di || !prev.is_some_and(|p| p == '第' || p == '前'))
    {
        let mut end = q_start + 3;
        let mut before = false;
        let mut period = true;
        for (word, b) in [
            ("末前", true),
            ("底前", true),
            ("末", false),
            ("底", false),
            ("前", true),
        ] {
            if starts(chars, end, word) {
                end += word.chars().count();
                before = b;
                period = false;
                break;
            }
        }
        let mut f = found(last_day(year, q * 3), Precision::Quarter, end, before);
        f.period = period;
        return Some(f);
    }
    if starts(chars, i, "下周") {
        let mut f = found(
            as_of.and_then(|d| d.checked_add_days(Days::new(7))),
            Precision::Day,
            i + 2,
            false,
        );
        f.relative = true;
        return Some(f);
    }
    if starts(chars, i, "近期") {
        let mut f = found(None, Precision::Vague, i + 2, false);
        f.relative = true;
        return Some(f);
    }
    None
}

/// `9月22日`, `11月底前`, `9月份`, `12月中旬` at `i`.
fn month_day(chars: &[(usize, char)], i: usize, year: i32) -> Option<Found> {
    let (month, k) = digits(chars, i, 2)?;
    let k = skip_spaces(chars, k);
    if !starts(chars, k, "月") || !(1..=12).contains(&month) {
        return None;
    }
    let mut k = k + 1;
    if starts(chars, k, "份") {
        k += 1;
    }
    let after_month = skip_spaces(chars, k);
    if let Some((day, d_end)) = digits(chars, after_month, 2) {
        let d_end = skip_spaces(chars, d_end);
        if starts(chars, d_end, "日") || starts(chars, d_end, "号") {
            let date = NaiveDate::from_ymd_opt(year, month, day)?;
            let (_, before, end) = suffix(chars, d_end + 1);
            return Some(Found {
                date: Some(date),
                precision: Precision::Day,
                end,
                before,
                period: false,
                year_target: false,
                relative: false,
            });
        }
    }
    let (day, before, end) = suffix(chars, k);
    let date = match day {
        Some(d) => NaiveDate::from_ymd_opt(year, month, d),
        None => last_day(year, month),
    };
    Some(Found {
        date,
        precision: if day.is_some() {
            Precision::Day
        } else {
            Precision::Month
        },
        end,
        before,
        period: false,
        year_target: false,
        relative: false,
    })
}

/// Decides the kind from the words before the date in its clause, and widens the span to
/// take those words in (`预计11月底`, `已于9月27日`).
fn qualify(text: &str, within: Span, span: Span, found: Found, source: Source) -> Option<RawDate> {
    let clause = clause_start(text, span.start, within.start);
    let lead = &text[clause..span.start];
    let lead_trim = lead.trim_end();
    // 较第一季度回升: a comparison, not a date of the work.
    if ["较", "比", "与", "同"]
        .iter()
        .any(|w| lead_trim.ends_with(w))
    {
        return None;
    }
    let find = |words: &[&str]| -> Option<usize> {
        words
            .iter()
            .filter_map(|w| lead.rfind(w).map(|p| (p, *w)))
            .max_by_key(|(p, _)| *p)
            .map(|(p, _)| clause + p)
    };
    let near = |words: &[&str]| -> Option<usize> {
        // Within eight characters before the date.
        find(words).filter(|&p| text[p..span.start].chars().count() <= 8)
    };
    let mut start = span.start;
    let kind = if let Some(p) = AS_OF_WORDS
        .iter()
        .find(|w| lead_trim.ends_with(*w))
        .map(|w| clause + lead_trim.len() - w.len())
    {
        start = p;
        DateKind::AsOf
    } else if let Some(p) = EVENT_WORDS
        .iter()
        .find(|w| lead_trim.ends_with(*w))
        .map(|w| clause + lead_trim.len() - w.len())
    {
        start = p;
        DateKind::Event
    } else if let Some(p) = near(EXPECT_WORDS) {
        start = p;
        DateKind::Expected
    } else if found.period {
        // 全年, 上半年, 四季度 name a span; 要咬住全年 is not a deadline.
        DateKind::Period
    } else if let Some(p) = near(TARGET_WORDS) {
        start = p;
        DateKind::Target
    } else if found.relative {
        // 近期 without 预计 (近期雨季) is not about the work's timing.
        found.date?;
        DateKind::Expected
    } else if found.before {
        DateKind::Due
    } else if found.year_target {
        DateKind::Target
    } else if source == Source::Task {
        DateKind::Due
    } else {
        DateKind::Event
    };
    // Dates without a day are months of the past in progress text only when qualified.
    Some(RawDate {
        date: found.date,
        precision: found.precision,
        kind,
        span: Span::new(start, span.end),
    })
}

/// The months elapsed in the year at `date`: `2020-10-15` → 9 + 15/31.
pub(crate) fn elapsed_months(date: NaiveDate) -> f64 {
    let days = last_day(date.year(), date.month()).map_or(30, |d| d.day());
    f64::from(date.month() - 1) + f64::from(date.day()) / f64::from(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(text: &str, source: Source) -> Vec<(Option<String>, DateKind, String)> {
        let as_of = NaiveDate::from_ymd_opt(2020, 10, 15);
        extract(
            text,
            Span::new(0, text.len()),
            2020,
            as_of,
            source,
            &quoted_spans(text),
        )
        .into_iter()
        .map(|d| {
            (
                d.date.map(|d| d.to_string()),
                d.kind,
                text[d.span.start..d.span.end].to_string(),
            )
        })
        .collect()
    }

    fn one(text: &str, source: Source) -> (String, DateKind, String) {
        let d = dates(text, source);
        assert_eq!(d.len(), 1, "{text}: {d:?}");
        let (date, kind, phrase) = d[0].clone();
        (date.unwrap_or_default(), kind, phrase)
    }

    #[test]
    fn deadlines_in_task_text() {
        assert_eq!(
            one("12月底前解决中医院代征地", Source::Task),
            ("2020-12-31".into(), DateKind::Due, "12月底前".into())
        );
        assert_eq!(one("年底前完成", Source::Task).0, "2020-12-31");
        assert_eq!(one("三季度末前完成", Source::Task).0, "2020-09-30");
    }

    #[test]
    fn dates_in_progress_text() {
        assert_eq!(
            one("评级报告预计11月底", Source::Progress),
            ("2020-11-30".into(), DateKind::Expected, "预计11月底".into())
        );
        assert_eq!(
            one("已于 2020 年 9 月 22 日到位", Source::Progress),
            (
                "2020-09-22".into(),
                DateKind::Event,
                "已于 2020 年 9 月 22 日".into()
            )
        );
        assert_eq!(
            one(
                "力争嘉亨家化粉类全自动混合灌装生产车间2021年建成投产",
                Source::Progress
            ),
            (
                "2021-12-31".into(),
                DateKind::Target,
                "2021年建成投产".into()
            )
        );
        assert_eq!(
            one("截止9月29日，计划征收", Source::Progress).1,
            DateKind::AsOf
        );
        assert_eq!(
            one("预计全年全区工业投资增速", Source::Progress).1,
            DateKind::Expected
        );
    }

    #[test]
    fn not_dates() {
        assert!(dates("1-8 月，规上增加值", Source::Progress).is_empty());
        assert!(dates("2017-2019年审计报告", Source::Progress).is_empty());
        assert!(dates("2020年新增债券资金", Source::Progress).is_empty());
        assert!(dates("较第一季度回升7.2个百分点", Source::Progress).is_empty());
        assert!(dates("《2020年度实施计划》", Source::Progress).is_empty());
    }

    #[test]
    fn elapsed() {
        let d = NaiveDate::from_ymd_opt(2020, 10, 15).unwrap();
        assert!((elapsed_months(d) - 9.4839).abs() < 0.001);
    }
}
