//! Scheduled reporting rounds (周调度、月通报、季度报送): which periods of a document's
//! year a schedule opens a round for, under what label, from which day and due when.
//!
//! A period is a week (ISO week, Monday to Sunday, of the document's year), a month or
//! a quarter. Labels follow how offices name a round on a year's tasks: months are
//! cumulative (`1月`, `1-9月`), quarters name the quarter and its cumulative months
//! (`第三季度（1-9月）`), weeks their number and days (`第12周（3月16日-3月22日）`).
//!
//! The round for a period opens `lead_days` before the period's last day and is due
//! `due_days` after it (negative: before it, but never before the round opens).

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// How often a schedule opens a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// 每周 (周调度).
    Weekly,
    /// 每月 (月通报).
    Monthly,
    /// 每季度.
    Quarterly,
}

impl Cadence {
    pub const ALL: [Cadence; 3] = [Cadence::Weekly, Cadence::Monthly, Cadence::Quarterly];

    pub fn code(self) -> &'static str {
        match self {
            Cadence::Weekly => "weekly",
            Cadence::Monthly => "monthly",
            Cadence::Quarterly => "quarterly",
        }
    }

    pub fn from_code(code: &str) -> Option<Cadence> {
        Cadence::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Chinese: 每周 / 每月 / 每季度.
    pub fn label(self) -> &'static str {
        match self {
            Cadence::Weekly => "每周",
            Cadence::Monthly => "每月",
            Cadence::Quarterly => "每季度",
        }
    }

    /// The shortest period of this cadence, in days: a round must open within it.
    pub fn min_days(self) -> u32 {
        match self {
            Cadence::Weekly => 7,
            Cadence::Monthly => 28,
            Cadence::Quarterly => 90,
        }
    }
}

/// The latest due date after a period's end, in days.
pub const MAX_DUE_DAYS: i32 = 60;

/// Years a schedule may be for.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// When a schedule opens rounds. The document and tasks it opens them on are the
/// store's business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub cadence: Cadence,
    /// The document's year: the periods are this year's weeks, months or quarters.
    pub year: i32,
    /// The first period is the one not yet over on this day (earlier ones are skipped);
    /// it must not be after the year's last period.
    pub start: NaiveDate,
    /// The round opens this many days before the period's last day (0: on that day).
    pub lead_days: u32,
    /// Reports are due this many days after the period's last day (negative: before).
    pub due_days: i32,
}

/// One period of a schedule and its round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    /// Stable identity within the year: `2024-W12`, `2024-M09`, `2024-Q3`.
    pub key: String,
    /// The round's label: `第12周（3月16日-3月22日）`, `1-9月`, `第三季度（1-9月）`.
    pub label: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// The day the round opens.
    pub opens: NaiveDate,
    /// The round's due date.
    pub due: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("年度 {0} 不在 2000 至 2100 之间")]
    YearOutOfRange(i32),
    #[error("开始日期 {start} 晚于 {year} 年的最后一期，该年度没有可开启的期次")]
    StartAfterYear { start: NaiveDate, year: i32 },
    #[error("{cadence}填报应在期末前 0 至 {max} 天内开启")]
    LeadTooLong { cadence: &'static str, max: u32 },
    #[error("截止日期最晚为期末后 {MAX_DUE_DAYS} 天")]
    DueTooLate,
    #[error("截止日期不能早于开启日期（期末前 {lead} 天开启，截止不能早于期末前 {lead} 天）")]
    DueBeforeOpen { lead: u32 },
}

impl Schedule {
    /// Whether the schedule makes sense: a year in range, a start not after it, a round
    /// that opens within its period and is due after it opens.
    pub fn check(&self) -> Result<(), ScheduleError> {
        if !YEARS.contains(&self.year) {
            return Err(ScheduleError::YearOutOfRange(self.year));
        }
        let max = self.cadence.min_days() - 1;
        if self.lead_days > max {
            return Err(ScheduleError::LeadTooLong {
                cadence: self.cadence.label(),
                max,
            });
        }
        if self.due_days > MAX_DUE_DAYS {
            return Err(ScheduleError::DueTooLate);
        }
        if i64::from(self.due_days) < -i64::from(self.lead_days) {
            return Err(ScheduleError::DueBeforeOpen {
                lead: self.lead_days,
            });
        }
        if self.spans().last().is_none_or(|s| s.last_day < self.start) {
            return Err(ScheduleError::StartAfterYear {
                start: self.start,
                year: self.year,
            });
        }
        Ok(())
    }

    /// The year's weeks, months or quarters.
    fn spans(&self) -> Vec<Span> {
        match self.cadence {
            Cadence::Weekly => weeks(self.year),
            Cadence::Monthly => months(self.year),
            Cadence::Quarterly => quarters(self.year),
        }
    }

    /// Every period of the year from the one not over on `start`, in order. Empty for
    /// a schedule that fails [`Schedule::check`].
    pub fn periods(&self) -> Vec<Period> {
        if self.check().is_err() {
            return Vec::new();
        }
        self.spans()
            .into_iter()
            .filter(|s| s.last_day >= self.start)
            .filter_map(|s| {
                let opens = s
                    .last_day
                    .checked_sub_days(Days::new(self.lead_days.into()))?;
                let due = shift(s.last_day, self.due_days)?;
                Some(Period {
                    key: s.key,
                    label: s.label,
                    first_day: s.first_day,
                    last_day: s.last_day,
                    opens,
                    due,
                })
            })
            .collect()
    }

    /// The periods whose round should be open on `today`: opened on or before it and
    /// not yet past due. A period whose due date has passed is not opened any more (the
    /// office opens such a round by hand if it still wants one). Oldest first.
    pub fn due_periods(&self, today: NaiveDate) -> Vec<Period> {
        self.periods()
            .into_iter()
            .filter(|p| p.opens <= today && today <= p.due)
            .collect()
    }

    /// The first period whose round opens after `today`, if the year has one.
    pub fn next_period(&self, today: NaiveDate) -> Option<Period> {
        self.periods().into_iter().find(|p| p.opens > today)
    }
}

fn shift(day: NaiveDate, days: i32) -> Option<NaiveDate> {
    let n = Days::new(u64::from(days.unsigned_abs()));
    if days >= 0 {
        day.checked_add_days(n)
    } else {
        day.checked_sub_days(n)
    }
}

struct Span {
    key: String,
    label: String,
    first_day: NaiveDate,
    last_day: NaiveDate,
}

/// The last day of `month` (1–12) of `year`.
pub fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

/// `1月`, `1-9月`: the months from January to `month`.
pub fn cumulative_months(month: u32) -> String {
    if month == 1 {
        "1月".to_string()
    } else {
        format!("1-{month}月")
    }
}

fn months(year: i32) -> Vec<Span> {
    (1..=12)
        .filter_map(|m| {
            Some(Span {
                key: format!("{year}-M{m:02}"),
                label: cumulative_months(m),
                first_day: NaiveDate::from_ymd_opt(year, m, 1)?,
                last_day: last_day_of_month(year, m)?,
            })
        })
        .collect()
}

const QUARTER_NAMES: [&str; 4] = ["一", "二", "三", "四"];

fn quarters(year: i32) -> Vec<Span> {
    (1..=4u32)
        .zip(QUARTER_NAMES)
        .filter_map(|(q, name)| {
            let last_month = q * 3;
            Some(Span {
                key: format!("{year}-Q{q}"),
                label: format!("第{name}季度（{}）", cumulative_months(last_month)),
                first_day: NaiveDate::from_ymd_opt(year, last_month - 2, 1)?,
                last_day: last_day_of_month(year, last_month)?,
            })
        })
        .collect()
}

/// The ISO weeks of `year` (Monday to Sunday; week 1 holds the year's first Thursday),
/// so a week at the turn of the year belongs to one year only.
fn weeks(year: i32) -> Vec<Span> {
    let mut out = Vec::new();
    for week in 1..=53 {
        let Some(monday) = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon) else {
            break;
        };
        let Some(sunday) = monday.checked_add_days(Days::new(6)) else {
            break;
        };
        let day = |d: NaiveDate| {
            if d.year() == year {
                format!("{}月{}日", d.month(), d.day())
            } else {
                format!("{}年{}月{}日", d.year(), d.month(), d.day())
            }
        };
        out.push(Span {
            key: format!("{year}-W{week:02}"),
            label: format!("第{week}周（{}-{}）", day(monday), day(sunday)),
            first_day: monday,
            last_day: sunday,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    fn schedule(cadence: Cadence, year: i32, lead_days: u32, due_days: i32) -> Schedule {
        Schedule {
            cadence,
            year,
            start: d(year, 1, 1),
            lead_days,
            due_days,
        }
    }

    #[test]
    fn monthly_labels_are_cumulative_and_end_on_the_months_last_day() {
        let periods = schedule(Cadence::Monthly, 2023, 0, 5).periods();
        assert_eq!(periods.len(), 12);
        assert_eq!(periods[0].label, "1月");
        assert_eq!(periods[0].key, "2023-M01");
        assert_eq!(periods[8].label, "1-9月");
        assert_eq!(periods[9].label, "1-10月");
        assert_eq!(periods[1].last_day, d(2023, 2, 28));
        assert_eq!(periods[3].last_day, d(2023, 4, 30));
        assert_eq!(periods[0].last_day, d(2023, 1, 31));
        assert_eq!(periods[1].due, d(2023, 3, 5));
    }

    #[test]
    fn february_of_a_leap_year_has_29_days() {
        let s = schedule(Cadence::Monthly, 2024, 3, 0);
        let feb = &s.periods()[1];
        assert_eq!(feb.last_day, d(2024, 2, 29));
        assert_eq!(feb.opens, d(2024, 2, 26));
        assert_eq!(feb.due, d(2024, 2, 29));
        // 1900-style century rule: 2100 is not a leap year.
        let feb = &schedule(Cadence::Monthly, 2100, 0, 0).periods()[1];
        assert_eq!(feb.last_day, d(2100, 2, 28));
        let feb = &schedule(Cadence::Monthly, 2000, 0, 0).periods()[1];
        assert_eq!(feb.last_day, d(2000, 2, 29));
    }

    #[test]
    fn december_is_due_in_the_next_year() {
        let s = schedule(Cadence::Monthly, 2024, 5, 10);
        let dec = s.periods().pop().expect("december");
        assert_eq!(dec.label, "1-12月");
        assert_eq!(dec.opens, d(2024, 12, 26));
        assert_eq!(dec.due, d(2025, 1, 10));
        assert_eq!(s.due_periods(d(2025, 1, 10)), vec![dec.clone()]);
        assert!(s.due_periods(d(2025, 1, 11)).is_empty());
        assert_eq!(s.next_period(d(2024, 12, 27)), None);
    }

    #[test]
    fn quarters_name_the_quarter_and_its_cumulative_months() {
        let periods = schedule(Cadence::Quarterly, 2024, 10, 5).periods();
        let labels: Vec<&str> = periods.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "第一季度（1-3月）",
                "第二季度（1-6月）",
                "第三季度（1-9月）",
                "第四季度（1-12月）"
            ]
        );
        assert_eq!(periods[2].key, "2024-Q3");
        assert_eq!(periods[2].first_day, d(2024, 7, 1));
        assert_eq!(periods[2].last_day, d(2024, 9, 30));
        assert_eq!(periods[2].opens, d(2024, 9, 20));
        assert_eq!(periods[2].due, d(2024, 10, 5));
        assert_eq!(periods[0].last_day, d(2024, 3, 31));
        assert_eq!(periods[1].last_day, d(2024, 6, 30));
    }

    #[test]
    fn weeks_are_iso_weeks_of_the_year() {
        let periods = schedule(Cadence::Weekly, 2026, 0, 0).periods();
        // 2026 has 53 ISO weeks (it starts on a Thursday).
        assert_eq!(periods.len(), 53);
        assert_eq!(periods[11].label, "第12周（3月16日-3月22日）");
        assert_eq!(periods[11].key, "2026-W12");
        // Week 1 of 2025 starts in 2024; the other year is written out.
        let w1 = &schedule(Cadence::Weekly, 2025, 0, 0).periods()[0];
        assert_eq!(w1.label, "第1周（2024年12月30日-1月5日）");
        assert_eq!(w1.first_day, d(2024, 12, 30));
        let last = schedule(Cadence::Weekly, 2020, 0, 0).periods().pop();
        let last = last.expect("a last week");
        assert_eq!(last.label, "第53周（12月28日-2021年1月3日）");
        assert_eq!(schedule(Cadence::Weekly, 2024, 0, 0).periods().len(), 52);
        // Leap day inside a week.
        let w9 = &schedule(Cadence::Weekly, 2024, 0, 0).periods()[8];
        assert_eq!(w9.label, "第9周（2月26日-3月3日）");
    }

    #[test]
    fn weekly_round_opening_on_monday_due_on_friday() {
        // Opens 6 days before Sunday (Monday), due 2 days before Sunday (Friday).
        let s = schedule(Cadence::Weekly, 2026, 6, -2);
        let due = s.due_periods(d(2026, 3, 18));
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].label, "第12周（3月16日-3月22日）");
        assert_eq!(due[0].opens, d(2026, 3, 16));
        assert_eq!(due[0].due, d(2026, 3, 20));
        // Saturday: past due, the next week not open yet.
        assert!(s.due_periods(d(2026, 3, 21)).is_empty());
        let next = s.next_period(d(2026, 3, 21)).expect("next week");
        assert_eq!(next.key, "2026-W13");
    }

    #[test]
    fn due_periods_overlap_when_a_round_runs_into_the_next_period() {
        let s = schedule(Cadence::Monthly, 2024, 5, 30);
        let due = s.due_periods(d(2024, 10, 27));
        let labels: Vec<&str> = due.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["1-9月", "1-10月"]);
    }

    #[test]
    fn start_skips_periods_already_over() {
        let mut s = schedule(Cadence::Monthly, 2024, 0, 10);
        s.start = d(2024, 9, 30);
        assert_eq!(s.periods()[0].label, "1-9月");
        s.start = d(2024, 10, 1);
        assert_eq!(s.periods()[0].label, "1-10月");
        assert_eq!(s.periods().len(), 3);
        // A start in an earlier year takes the whole year.
        s.start = d(2023, 6, 1);
        assert_eq!(s.periods().len(), 12);
        // Nothing opens before its day.
        s.start = d(2024, 1, 1);
        assert!(s.due_periods(d(2024, 1, 30)).is_empty());
        assert_eq!(s.due_periods(d(2024, 1, 31))[0].label, "1月");
    }

    #[test]
    fn checks_reject_what_cannot_work() {
        let ok = schedule(Cadence::Weekly, 2024, 6, -6);
        assert_eq!(ok.check(), Ok(()));
        assert!(matches!(
            schedule(Cadence::Weekly, 2024, 7, 0).check(),
            Err(ScheduleError::LeadTooLong { max: 6, .. })
        ));
        assert!(schedule(Cadence::Monthly, 2024, 27, 0).check().is_ok());
        assert!(schedule(Cadence::Monthly, 2024, 28, 0).check().is_err());
        assert!(schedule(Cadence::Quarterly, 2024, 89, 0).check().is_ok());
        assert_eq!(
            schedule(Cadence::Weekly, 2024, 2, -3).check(),
            Err(ScheduleError::DueBeforeOpen { lead: 2 })
        );
        assert_eq!(
            schedule(Cadence::Monthly, 2024, 0, 61).check(),
            Err(ScheduleError::DueTooLate)
        );
        assert_eq!(
            schedule(Cadence::Monthly, 1999, 0, 0).check(),
            Err(ScheduleError::YearOutOfRange(1999))
        );
        let mut late = schedule(Cadence::Monthly, 2024, 0, 0);
        late.start = d(2025, 1, 1);
        assert!(matches!(
            late.check(),
            Err(ScheduleError::StartAfterYear { .. })
        ));
        assert!(late.periods().is_empty());
        // The last ISO week of 2026 ends on 2027-01-03: a start on 01-02 still has it.
        let mut turn = schedule(Cadence::Weekly, 2026, 0, 0);
        turn.start = d(2027, 1, 2);
        assert_eq!(turn.check(), Ok(()));
        assert_eq!(turn.periods().len(), 1);
        turn.start = d(2027, 1, 4);
        assert!(turn.check().is_err());
        assert!(
            ScheduleError::LeadTooLong {
                cadence: "每周",
                max: 6
            }
            .to_string()
            .contains("每周填报")
        );
    }

    #[test]
    fn cadence_codes_round_trip() {
        for c in Cadence::ALL {
            assert_eq!(Cadence::from_code(c.code()), Some(c));
        }
        assert_eq!(Cadence::from_code("daily"), None);
        assert_eq!(Cadence::Quarterly.label(), "每季度");
    }

    #[test]
    fn last_days_of_months() {
        assert_eq!(last_day_of_month(2024, 12), Some(d(2024, 12, 31)));
        assert_eq!(last_day_of_month(2023, 2), Some(d(2023, 2, 28)));
        assert_eq!(last_day_of_month(2024, 2), Some(d(2024, 2, 29)));
        assert_eq!(last_day_of_month(2024, 13), None);
    }
}
