//! The period a notice covers (统计期间), read the way a supervisor reads a header:
//! `截至10月31日`, `1-10月`, `一季度`, `上半年`, `前三季度`, `截至2023年11月底` in the title,
//! else in the table's title, else in the header block and body; else the reporting
//! round's label (`1-9月`, `第三季度（1-9月）`, `第12周（3月16日-3月22日）`); else a date
//! the caller gives; else the notice's 成文日期. The phrase it was read from is kept, so
//! every judgment against 序时进度 can say where its period came from.
//!
//! A phrase without a year takes the notice's: its 成文日期's year (the year before when
//! that would put the period's end more than a quarter after the notice, as for
//! `截至12月31日` in a notice dated 8 January), else the year of its 文号.

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::text::digit_value;
use crate::document::Document;

/// The period a notice's figures stand at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// Its last day.
    pub end: NaiveDate,
    /// As written (`截至10月31日`, `1-10月`, `上半年`), or `截至2020年10月15日` for a
    /// date that was not written as a phrase (a given date, the 成文日期).
    pub phrase: String,
    pub source: PeriodSource,
}

/// Where a period was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodSource {
    /// The notice's title.
    Title,
    /// The attachment table's own title (or the 附件 line naming it).
    TableTitle,
    /// The header block and body paragraphs.
    Header,
    /// The reporting round's label.
    Round,
    /// A date given by the caller (`--as-of`).
    Given,
    /// The notice's 成文日期.
    DocumentDate,
}

impl PeriodSource {
    /// Chinese, for explanations: `据表题`.
    pub fn label(self) -> &'static str {
        match self {
            PeriodSource::Title => "据标题",
            PeriodSource::TableTitle => "据表题",
            PeriodSource::Header => "据正文",
            PeriodSource::Round => "据填报轮次",
            PeriodSource::Given => "据指定日期",
            PeriodSource::DocumentDate => "据成文日期",
        }
    }
}

impl Period {
    /// `截至10月31日，据表题`: the phrase and where it came from.
    pub fn described(&self) -> String {
        format!("{}，{}", self.phrase, self.source.label())
    }

    /// A period that is just a date (`截至2020年10月15日`).
    pub fn at_date(end: NaiveDate, source: PeriodSource) -> Self {
        Period {
            end,
            phrase: format!("截至{}", end.format("%Y年%-m月%-d日")),
            source,
        }
    }
}

/// A reporting round, as far as its period goes.
#[derive(Debug, Clone, Copy)]
pub struct RoundPeriod<'a> {
    /// `1-9月`, `第三季度（1-9月）`, `第12周（3月16日-3月22日）`.
    pub label: &'a str,
    /// Its due date: the year of a label without one.
    pub due: NaiveDate,
}

/// What the period is read from. Everything is optional; the first source that names
/// a period wins, in the order of the fields.
#[derive(Debug, Clone, Copy, Default)]
pub struct PeriodInput<'a> {
    pub title: Option<&'a str>,
    pub table_title: Option<&'a str>,
    /// Header block and body paragraphs, in order (the first that names a period wins).
    pub lines: &'a [String],
    pub round: Option<RoundPeriod<'a>>,
    /// A date the caller gives (`--as-of`): used when no text or round names a period.
    pub given: Option<NaiveDate>,
    /// 成文日期: the last resort, and the year of phrases written without one.
    pub date: Option<NaiveDate>,
    /// The notice's year (its 文号's) when it has no 成文日期.
    pub year: Option<i32>,
}

/// The period a notice covers, with the phrase and the place it was read from; `None`
/// when nothing names one (no period phrase, no round, no date).
pub fn read_period(input: &PeriodInput) -> Option<Period> {
    let reference = Reference {
        date: input.date,
        year: input.year.or(input.date.map(|d| d.year())),
    };
    let texts = [
        (input.title, PeriodSource::Title),
        (input.table_title, PeriodSource::TableTitle),
    ];
    for (text, source) in texts {
        if let Some((end, phrase)) = text.and_then(|t| first_phrase(t, Forms::TITLE, &reference)) {
            return Some(Period {
                end,
                phrase,
                source,
            });
        }
    }
    for line in input.lines {
        if let Some((end, phrase)) = first_phrase(line, Forms::BODY, &reference) {
            return Some(Period {
                end,
                phrase,
                source: PeriodSource::Header,
            });
        }
    }
    if let Some(round) = input.round {
        let reference = Reference {
            date: Some(round.due),
            year: Some(round.due.year()),
        };
        if let Some((end, phrase)) = first_phrase(round.label, Forms::ROUND, &reference) {
            return Some(Period {
                end,
                phrase,
                source: PeriodSource::Round,
            });
        }
    }
    if let Some(given) = input.given {
        return Some(Period::at_date(given, PeriodSource::Given));
    }
    input
        .date
        .map(|d| Period::at_date(d, PeriodSource::DocumentDate))
}

/// The period of a stored or imported notice: its title, its table's title (or the
/// 附件 line naming the table), its body, then `round`, then `given`, then its 成文日期.
pub fn notice_period(
    document: &Document,
    round: Option<RoundPeriod>,
    given: Option<NaiveDate>,
) -> Option<Period> {
    let date = document.date;
    let year = date
        .map(|d| d.year())
        .or_else(|| document.doc_number.as_ref().map(|n| i32::from(n.year)));
    let reference = Reference { date, year };
    let names_period = |t: &&String| first_phrase(t, Forms::TITLE, &reference).is_some();
    let table_title = document
        .table_title
        .iter()
        .chain(&document.attachment)
        .find(names_period)
        .or(document.table_title.as_ref());
    read_period(&PeriodInput {
        title: document.title.as_deref(),
        table_title: table_title.map(String::as_str),
        lines: &document.body,
        round,
        given,
        date,
        year,
    })
}

/// How a year-less phrase gets its year.
struct Reference {
    date: Option<NaiveDate>,
    year: Option<i32>,
}

/// A period ends at most this many days after the notice or due date that reports on
/// it; later, and a phrase without a year means last year's (`截至12月31日` in January).
const MAX_DAYS_AFTER_REFERENCE: u64 = 92;

impl Reference {
    fn resolve(&self, written_year: Option<i32>, end: End) -> Option<NaiveDate> {
        if let Some(y) = written_year {
            return end.in_year(y);
        }
        let year = self.year?;
        let date = end.in_year(year)?;
        match self.date {
            Some(d) if date > d.checked_add_days(Days::new(MAX_DAYS_AFTER_REFERENCE))? => {
                end.in_year(year - 1)
            }
            _ => Some(date),
        }
    }
}

/// The last day a phrase names, without its year.
#[derive(Debug, Clone, Copy)]
enum End {
    Day(u32, u32),
    MonthEnd(u32),
}

impl End {
    fn in_year(self, year: i32) -> Option<NaiveDate> {
        match self {
            End::Day(m, d) => NaiveDate::from_ymd_opt(year, m, d),
            End::MonthEnd(m) => crate::schedule::last_day_of_month(year, m),
        }
    }
}

/// Which forms a kind of text may use. Titles and round labels name their period
/// plainly; a body mentions months for other reasons, so only explicit period phrases
/// count there.
#[derive(Debug, Clone, Copy)]
struct Forms {
    /// `10月份` (a monthly notice's title).
    month_with_fen: bool,
    /// `2023年度` in a notice dated after 2023: the whole year.
    whole_year: bool,
    /// `3月22日`, `1月`: a round label's dates and months.
    round_dates: bool,
}

impl Forms {
    const TITLE: Forms = Forms {
        month_with_fen: true,
        whole_year: true,
        round_dates: false,
    };
    const BODY: Forms = Forms {
        month_with_fen: false,
        whole_year: false,
        round_dates: false,
    };
    const ROUND: Forms = Forms {
        month_with_fen: true,
        whole_year: false,
        round_dates: true,
    };
}

/// The first period phrase of `text`, resolved, with the phrase as written.
fn first_phrase(text: &str, forms: Forms, reference: &Reference) -> Option<(NaiveDate, String)> {
    let chars: Vec<char> = text.chars().collect();
    let found = (0..chars.len())
        .find_map(|i| phrase_at(&chars, i, forms, reference).map(|(date, end)| (i, date, end)))
        .or_else(|| {
            // A round label without a period phrase: its last date or month
            // (`第12周（3月16日-3月22日）` → 3月22日, `1月` → January).
            if !forms.round_dates {
                return None;
            }
            (0..chars.len())
                .rev()
                .find_map(|i| round_date_at(&chars, i, reference).map(|(d, e)| (i, d, e)))
        })?;
    let (start, date, end) = found;
    let phrase: String = chars[start..end].iter().collect();
    Some((date, phrase.split_whitespace().collect::<String>()))
}

fn starts(chars: &[char], i: usize, word: &str) -> bool {
    (i..)
        .zip(word.chars())
        .all(|(k, w)| chars.get(k) == Some(&w))
}

fn skip_spaces(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| *c == ' ' || *c == '\u{3000}') {
        i += 1;
    }
    i
}

/// A number of `min..=max` digits at `i`, not part of a longer number.
fn number(chars: &[char], i: usize, min: usize, max: usize) -> Option<(u32, usize)> {
    if i > 0 && chars.get(i - 1).is_some_and(|c| digit_value(*c).is_some()) {
        return None;
    }
    let mut v = 0u32;
    let mut k = i;
    while let Some(d) = chars.get(k).and_then(|c| digit_value(*c)) {
        v = v.saturating_mul(10).saturating_add(d);
        k += 1;
    }
    (min..=max).contains(&(k - i)).then_some((v, k))
}

/// `2023年` at `i`: the year and the index after it.
fn year_at(chars: &[char], i: usize) -> Option<(i32, usize)> {
    let (y, k) = number(chars, i, 4, 4)?;
    let k = skip_spaces(chars, k);
    if chars.get(k) != Some(&'年') {
        return None;
    }
    Some((i32::try_from(y).ok()?, skip_spaces(chars, k + 1)))
}

/// `10月` at `i` (1–12): the month and the index after `月`.
fn month_at(chars: &[char], i: usize) -> Option<(u32, usize)> {
    let (m, k) = number(chars, i, 1, 2)?;
    let k = skip_spaces(chars, k);
    (chars.get(k) == Some(&'月') && (1..=12).contains(&m)).then_some((m, k + 1))
}

/// `31日` / `31号` at `i`: the day and the index after it.
fn day_at(chars: &[char], i: usize) -> Option<(u32, usize)> {
    let i = skip_spaces(chars, i);
    let (d, k) = number(chars, i, 1, 2)?;
    let k = skip_spaces(chars, k);
    matches!(chars.get(k), Some('日' | '号')).then_some((d, k + 1))
}

const RANGE_MARKS: &[char] = &['-', '—', '–', '－', '~', '～', '至', '到'];

/// A period phrase starting at `i`: its resolved end and the index after the phrase.
fn phrase_at(
    chars: &[char],
    i: usize,
    forms: Forms,
    reference: &Reference,
) -> Option<(NaiveDate, usize)> {
    let c = chars[i];
    // 截至 / 截止 / 截止到 [2023年] 10月31日 | 11月底 | 9月 | 年底
    if c == '截' {
        let lead = ["截止到", "截至到", "截止至", "截至", "截止"]
            .into_iter()
            .find(|w| starts(chars, i, w))?;
        let mut k = skip_spaces(chars, i + lead.chars().count());
        let mut year = None;
        if let Some((y, after)) = year_at(chars, k) {
            year = Some(y);
            k = after;
            if starts(chars, k, "底") || starts(chars, k, "末") {
                return Some((NaiveDate::from_ymd_opt(y, 12, 31)?, k + 1));
            }
        }
        let (month, k) = month_at(chars, k)?;
        let k = skip_spaces(chars, k);
        if let Some((day, after)) = day_at(chars, k) {
            return Some((reference.resolve(year, End::Day(month, day))?, after));
        }
        let after = if matches!(chars.get(k), Some('底' | '末' | '份')) {
            k + 1
        } else {
            k
        };
        return Some((reference.resolve(year, End::MonthEnd(month))?, after));
    }
    // An optional year before the other forms.
    let (year, k) = match year_at(chars, i) {
        Some((y, k)) => (Some(y), k),
        // A year-less form must not start inside a year or a range (`2020年` → `0年`).
        None if i > 0
            && chars
                .get(i - 1)
                .is_some_and(|p| digit_value(*p).is_some() || RANGE_MARKS.contains(p)) =>
        {
            return None;
        }
        None => (None, i),
    };
    // 上半年, 前三季度, 前两季度.
    for (word, month) in [
        ("上半年", 6),
        ("前三季度", 9),
        ("前两季度", 6),
        ("前二季度", 6),
    ] {
        if starts(chars, k, word) {
            let end = k + word.chars().count();
            return Some((reference.resolve(year, End::MonthEnd(month))?, end));
        }
    }
    // 一季度 / 第一季度 / 1季度 (not 前三季度's 三季度).
    let q_at = if chars.get(k) == Some(&'第') {
        k + 1
    } else {
        k
    };
    if let Some(q) = chars.get(q_at).and_then(|c| match c {
        '一' | '1' => Some(1),
        '二' | '2' => Some(2),
        '三' | '3' => Some(3),
        '四' | '4' => Some(4),
        _ => None,
    }) && starts(chars, q_at + 1, "季度")
        && !(q_at == i && i > 0 && matches!(chars[i - 1], '前' | '第'))
    {
        let mut end = q_at + 3;
        if matches!(chars.get(end), Some('末' | '底')) {
            end += 1;
        }
        return Some((reference.resolve(year, End::MonthEnd(q * 3))?, end));
    }
    // 1-10月 / 1月-10月 / 1至10月份 / 7-9月.
    if let Some((from, after_from)) = number(chars, k, 1, 2) {
        let mut j = skip_spaces(chars, after_from);
        if chars.get(j) == Some(&'月') {
            j = skip_spaces(chars, j + 1);
        }
        if chars.get(j).is_some_and(|c| RANGE_MARKS.contains(c)) {
            let j = skip_spaces(chars, j + 1);
            if let Some((to, mut end)) = month_at(chars, j)
                && (1..=to).contains(&from)
                && chars.get(end).is_none_or(|c| digit_value(*c).is_none())
            {
                if chars.get(end) == Some(&'份') {
                    end += 1;
                }
                // `1-10月15日` is not a month range.
                if day_at(chars, end).is_none() {
                    return Some((reference.resolve(year, End::MonthEnd(to))?, end));
                }
            }
        }
    }
    // 10月份 in a title; a round label's months (`1月`) are read later, last first.
    if forms.month_with_fen
        && let Some((month, end)) = month_at(chars, k)
        && chars.get(end) == Some(&'份')
    {
        return Some((reference.resolve(year, End::MonthEnd(month))?, end + 1));
    }
    // 2023年度 / 2023年全年 in a notice written after that year: the whole year.
    if forms.whole_year
        && let Some(y) = year
        && reference.date.is_some_and(|d| d.year() > y)
    {
        let end = if starts(chars, k, "度") {
            k + 1
        } else if starts(chars, k, "全年") {
            k + 2
        } else {
            return None;
        };
        return Some((NaiveDate::from_ymd_opt(y, 12, 31)?, end));
    }
    None
}

/// A round label's date (`3月22日`) or month (`1月`) at `i`.
fn round_date_at(chars: &[char], i: usize, reference: &Reference) -> Option<(NaiveDate, usize)> {
    let (year, k) = match year_at(chars, i) {
        Some((y, k)) => (Some(y), k),
        None if i > 0 && chars.get(i - 1).is_some_and(|p| digit_value(*p).is_some()) => {
            return None;
        }
        None => (None, i),
    };
    let (month, k) = month_at(chars, k)?;
    if let Some((day, end)) = day_at(chars, k) {
        return Some((reference.resolve(year, End::Day(month, day))?, end));
    }
    let end = if chars.get(k) == Some(&'份') {
        k + 1
    } else {
        k
    };
    Some((reference.resolve(year, End::MonthEnd(month))?, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    fn title(t: &str, date: &str) -> Option<(String, String)> {
        read_period(&PeriodInput {
            title: Some(t),
            date: Some(d(date)),
            ..PeriodInput::default()
        })
        .filter(|p| p.source == PeriodSource::Title)
        .map(|p| (p.end.to_string(), p.phrase))
    }

    fn pair(end: &str, phrase: &str) -> Option<(String, String)> {
        Some((end.to_string(), phrase.to_string()))
    }

    #[test]
    fn title_phrases() {
        let t = |s| title(s, "2020-11-05");
        assert_eq!(
            t("关于截至10月31日重点工作落实情况的通报"),
            pair("2020-10-31", "截至10月31日")
        );
        assert_eq!(
            t("关于2020年1-10月重点项目推进情况的通报"),
            pair("2020-10-31", "2020年1-10月")
        );
        assert_eq!(t("1月—10月重点工作"), pair("2020-10-31", "1月—10月"));
        assert_eq!(t("1至9月份落实情况"), pair("2020-09-30", "1至9月份"));
        assert_eq!(t("一季度重点工作"), pair("2020-03-31", "一季度"));
        assert_eq!(
            t("2020年第三季度重点工作"),
            pair("2020-09-30", "2020年第三季度")
        );
        assert_eq!(t("上半年重点工作"), pair("2020-06-30", "上半年"));
        assert_eq!(t("前三季度为民办实事"), pair("2020-09-30", "前三季度"));
        assert_eq!(
            title("截至2023年11月底任务推进情况", "2023-12-06"),
            pair("2023-11-30", "截至2023年11月底")
        );
        assert_eq!(t("截止到9月底"), pair("2020-09-30", "截止到9月底"));
        assert_eq!(t("关于10月份重点工作的通报"), pair("2020-10-31", "10月份"));
        // No period: a year of a plan, a meeting's month without 份, a 文号.
        assert_eq!(t("关于2020年度重点工作任务落实情况的通报"), None);
        assert_eq!(t("关于落实2020年3月常务会议议定事项情况的通报"), None);
        assert_eq!(t("泉鲤政办〔2020〕48号"), None);
        assert_eq!(
            t("关于黄辉灿区长在区政府第一次全体会上的讲话部署落实情况的通报"),
            None
        );
    }

    #[test]
    fn year_less_phrases_take_the_notices_year() {
        assert_eq!(
            title("截至12月31日落实情况", "2021-01-08"),
            pair("2020-12-31", "截至12月31日")
        );
        assert_eq!(
            title("关于2020年度重点工作完成情况的通报", "2021-01-20"),
            pair("2020-12-31", "2020年度")
        );
        let p = read_period(&PeriodInput {
            title: Some("1-9月落实情况"),
            year: Some(2019),
            ..PeriodInput::default()
        });
        assert_eq!(p.map(|p| p.end), Some(d("2019-09-30")));
        // Without any year a year-less phrase cannot be placed.
        let p = read_period(&PeriodInput {
            title: Some("1-9月落实情况"),
            ..PeriodInput::default()
        });
        assert_eq!(p, None);
    }

    #[test]
    fn sources_in_order() {
        let body = vec!["现将截至10月31日落实情况通报如下。".to_string()];
        let input = PeriodInput {
            title: Some("关于重点工作落实情况的通报"),
            table_title: Some("重点工作落实情况表（截至2020年9月30日）"),
            lines: &body,
            round: Some(RoundPeriod {
                label: "第二季度（1-6月）",
                due: d("2020-07-10"),
            }),
            given: Some(d("2020-12-01")),
            date: Some(d("2020-11-05")),
            year: Some(2020),
        };
        let p = read_period(&input).expect("period");
        assert_eq!(
            (p.end, p.phrase.as_str(), p.source),
            (
                d("2020-09-30"),
                "截至2020年9月30日",
                PeriodSource::TableTitle
            )
        );
        let p = read_period(&PeriodInput {
            table_title: None,
            ..input
        })
        .expect("period");
        assert_eq!((p.end, p.source), (d("2020-10-31"), PeriodSource::Header));
        assert_eq!(p.described(), "截至10月31日，据正文");
        let p = read_period(&PeriodInput {
            table_title: None,
            lines: &[],
            ..input
        })
        .expect("period");
        assert_eq!(
            (p.end, p.phrase.as_str(), p.source),
            (d("2020-06-30"), "第二季度", PeriodSource::Round)
        );
        let p = read_period(&PeriodInput {
            table_title: None,
            lines: &[],
            round: None,
            ..input
        })
        .expect("period");
        assert_eq!(
            (p.end, p.phrase.as_str(), p.source),
            (d("2020-12-01"), "截至2020年12月1日", PeriodSource::Given)
        );
        let p = read_period(&PeriodInput {
            table_title: None,
            lines: &[],
            round: None,
            given: None,
            ..input
        })
        .expect("period");
        assert_eq!(
            (p.end, p.source),
            (d("2020-11-05"), PeriodSource::DocumentDate)
        );
        assert_eq!(read_period(&PeriodInput::default()), None);
    }

    #[test]
    fn body_lines_only_count_period_phrases() {
        let lines = vec![
            "区政府于9月22日召开专题会议。".to_string(),
            "现将一季度落实情况通报如下。".to_string(),
        ];
        let p = read_period(&PeriodInput {
            lines: &lines,
            date: Some(d("2020-04-08")),
            ..PeriodInput::default()
        })
        .expect("period");
        assert_eq!((p.end, p.phrase.as_str()), (d("2020-03-31"), "一季度"));
    }

    #[test]
    fn round_labels() {
        let round = |label, due| {
            read_period(&PeriodInput {
                round: Some(RoundPeriod { label, due: d(due) }),
                ..PeriodInput::default()
            })
            .map(|p| (p.end.to_string(), p.phrase))
        };
        assert_eq!(round("1-9月", "2020-10-15"), pair("2020-09-30", "1-9月"));
        assert_eq!(
            round("第三季度（1-9月）", "2020-10-10"),
            pair("2020-09-30", "第三季度")
        );
        assert_eq!(
            round("第四季度（1-12月）", "2021-01-10"),
            pair("2020-12-31", "第四季度")
        );
        assert_eq!(
            round("第12周（3月16日-3月22日）", "2020-03-25"),
            pair("2020-03-22", "3月22日")
        );
        assert_eq!(round("1月", "2020-02-05"), pair("2020-01-31", "1月"));
        assert_eq!(round("第二轮督查", "2020-02-05"), None);
    }
}
