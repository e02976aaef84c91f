//! Per-unit figures and their ranking within each unit category (区直部门, 街道 …):
//! tasks led, reports on time and late, not reported, returned, the average delay, the
//! share on pace (序时进度), and the same per round for the trend.
//!
//! Units rank by, in order: 按时报送率 (reports submitted by the due date over reports
//! due), 序时达标率 (reported reports whose 完成进度 is at or above 序时进度 at the
//! round's due date over reported reports with a 完成进度), 退回率 (lower first), 平均迟报天数 (lower first).
//! Units equal on all four share a rank (1, 2, 2, 4) and are marked tied; units with no
//! report due yet are listed after the ranked ones, unranked.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::analysis::expected_share;
use crate::unit::UnitKind;

/// How the ranking is decided, in words, for the page and the exported table.
pub const RANKING_RULE: &str = "依次按按时报送率、序时达标率（高者在前）、退回率、平均迟报天数（低者在前）排名；\
     各项均相同的并列，尚无到期填报的单位不参与排名";

/// The 完成进度 (whole percent) at or above which a report in a round due on `due` is
/// on pace: 序时进度 rounded up.
pub fn pace_threshold(due: NaiveDate) -> i64 {
    (expected_share(due) - 1e-9).ceil().clamp(0.0, 100.0) as i64
}

/// One unit's reports in one round period (rounds of several documents with the same
/// label count as one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RoundCounts {
    /// The period (empty in a unit's totals over all rounds).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub round: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<NaiveDate>,
    /// Reports asked of the unit.
    pub expected: u32,
    /// Submitted by the end of the due date (China time).
    pub on_time: u32,
    /// Submitted after it.
    pub late: u32,
    /// Not submitted, and the due date has passed.
    pub missing: u32,
    /// Sent back (退回) at least once, by the unit head or the office.
    pub returned: u32,
    /// Days late, summed over the late reports.
    pub delay_days: u32,
    /// Reports reported (submitted and not sent back) with a 完成进度 …
    pub judged: u32,
    /// … of which at or above 序时进度.
    pub on_pace: u32,
}

impl RoundCounts {
    /// Reports whose due date has passed or that were submitted.
    fn due(&self) -> u32 {
        self.on_time + self.late + self.missing
    }

    /// Adds `o`'s counts to these (the period is this one's).
    pub fn add(&mut self, o: &RoundCounts) {
        self.expected += o.expected;
        self.on_time += o.on_time;
        self.late += o.late;
        self.missing += o.missing;
        self.returned += o.returned;
        self.delay_days += o.delay_days;
        self.judged += o.judged;
        self.on_pace += o.on_pace;
    }
}

/// What the store reads for one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRounds {
    pub unit: String,
    pub kind: UnitKind,
    pub tasks_led: u32,
    pub rounds: Vec<RoundCounts>,
}

/// A unit's figures in one round of its trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitTrendPoint {
    pub round: String,
    pub on_time_rate: Option<f64>,
    pub on_pace_share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankedUnit {
    pub unit: String,
    pub tasks_led: u32,
    #[serde(flatten)]
    pub totals: RoundCounts,
    /// Percent, one decimal; `None` without a report due.
    pub on_time_rate: Option<f64>,
    /// Percent, one decimal; `None` without a 完成进度 given.
    pub on_pace_share: Option<f64>,
    /// Days, one decimal; `None` without a late report.
    pub average_delay: Option<f64>,
    /// 1 = best; `None`: not ranked (no report due yet).
    pub rank: Option<u32>,
    pub tied: bool,
    /// `第2名（并列）`, `第1名`, `不参与排名（尚无到期填报）`.
    pub rank_text: String,
    pub trend: Vec<UnitTrendPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryRanking {
    pub kind: UnitKind,
    pub label: &'static str,
    /// Ranked units best first, then the unranked ones.
    pub units: Vec<RankedUnit>,
}

/// Every unit's figures in one round, all units together and per category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundTotals {
    #[serde(flatten)]
    pub totals: RoundCounts,
    pub on_time_rate: Option<f64>,
    pub on_pace_share: Option<f64>,
    /// 按时报送率 per category (same order as [`Rankings::categories`]).
    pub by_category: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rankings {
    pub rule: &'static str,
    /// Categories that have units, in [`UnitKind::ALL`] order (泛指 left out).
    pub categories: Vec<CategoryRanking>,
    /// Round periods by due date, then label.
    pub rounds: Vec<RoundTotals>,
}

/// A ratio compared exactly (no float ties that should not be, or missed ones).
#[derive(Debug, Clone, Copy)]
struct Ratio {
    num: u64,
    den: u64,
}

impl Ratio {
    fn new(num: u32, den: u32) -> Option<Ratio> {
        (den > 0).then_some(Ratio {
            num: u64::from(num),
            den: u64::from(den),
        })
    }

    fn cmp(self, o: Ratio) -> Ordering {
        (self.num * o.den).cmp(&(o.num * self.den))
    }

    fn percent(self) -> f64 {
        round1(self.num as f64 * 100.0 / self.den as f64)
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Higher is better; `None` (nothing to judge) after any value.
fn higher_first(a: Option<Ratio>, b: Option<Ratio>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => b.cmp(a),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Lower is better; `None` (nothing to count) counts as zero.
fn lower_first(a: Option<Ratio>, b: Option<Ratio>) -> Ordering {
    let zero = Ratio { num: 0, den: 1 };
    a.unwrap_or(zero).cmp(b.unwrap_or(zero))
}

fn compare(a: &RoundCounts, b: &RoundCounts) -> Ordering {
    let on_time = |c: &RoundCounts| Ratio::new(c.on_time, c.due());
    let pace = |c: &RoundCounts| Ratio::new(c.on_pace, c.judged);
    let returned = |c: &RoundCounts| Ratio::new(c.returned, c.expected);
    let delay = |c: &RoundCounts| Ratio::new(c.delay_days, c.late);
    higher_first(on_time(a), on_time(b))
        .then_with(|| higher_first(pace(a), pace(b)))
        .then_with(|| lower_first(returned(a), returned(b)))
        .then_with(|| lower_first(delay(a), delay(b)))
}

fn by_round(a: &RoundCounts, b: &RoundCounts) -> Ordering {
    a.due.cmp(&b.due).then_with(|| a.round.cmp(&b.round))
}

/// Ranks `units` within their categories and adds up the rounds. Units keep their
/// given order (the directory's) among equals.
pub fn rank(units: Vec<UnitRounds>) -> Rankings {
    let kinds: Vec<UnitKind> = UnitKind::ALL
        .into_iter()
        .filter(|k| *k != UnitKind::Group && units.iter().any(|u| u.kind == *k))
        .collect();
    // Every round period any unit has, in order.
    let mut rounds: Vec<RoundCounts> = Vec::new();
    let mut per_kind: Vec<Vec<RoundCounts>> = Vec::new();
    let mut seen: HashSet<(&str, Option<NaiveDate>)> = HashSet::new();
    for u in units.iter().filter(|u| u.kind != UnitKind::Group) {
        for r in &u.rounds {
            if seen.insert((r.round.as_str(), r.due)) {
                rounds.push(RoundCounts {
                    round: r.round.clone(),
                    due: r.due,
                    ..RoundCounts::default()
                });
            }
        }
    }
    rounds.sort_by(by_round);
    let index: HashMap<(String, Option<NaiveDate>), usize> = rounds
        .iter()
        .enumerate()
        .map(|(i, r)| ((r.round.clone(), r.due), i))
        .collect();
    for _ in &kinds {
        per_kind.push(rounds.clone());
    }
    let mut categories: Vec<CategoryRanking> = kinds
        .iter()
        .map(|k| CategoryRanking {
            kind: *k,
            label: k.label(),
            units: Vec::new(),
        })
        .collect();
    for mut u in units {
        let Some(k) = kinds.iter().position(|k| *k == u.kind) else {
            continue;
        };
        u.rounds.sort_by(by_round);
        let mut totals = RoundCounts::default();
        let mut trend = Vec::new();
        for r in &u.rounds {
            totals.add(r);
            if let Some(&i) = index.get(&(r.round.clone(), r.due)) {
                rounds[i].add(r);
                per_kind[k][i].add(r);
            }
            trend.push(UnitTrendPoint {
                round: r.round.clone(),
                on_time_rate: Ratio::new(r.on_time, r.due()).map(Ratio::percent),
                on_pace_share: Ratio::new(r.on_pace, r.judged).map(Ratio::percent),
            });
        }
        categories[k].units.push(RankedUnit {
            unit: u.unit,
            tasks_led: u.tasks_led,
            on_time_rate: Ratio::new(totals.on_time, totals.due()).map(Ratio::percent),
            on_pace_share: Ratio::new(totals.on_pace, totals.judged).map(Ratio::percent),
            average_delay: Ratio::new(totals.delay_days, totals.late)
                .map(|r| round1(r.num as f64 / r.den as f64)),
            totals,
            rank: None,
            tied: false,
            rank_text: String::new(),
            trend,
        });
    }
    for c in &mut categories {
        let (mut ranked, unranked): (Vec<RankedUnit>, Vec<RankedUnit>) =
            c.units.drain(..).partition(|u| u.totals.due() > 0);
        ranked.sort_by(|a, b| compare(&a.totals, &b.totals));
        for i in 0..ranked.len() {
            let rank = if i > 0 && compare(&ranked[i - 1].totals, &ranked[i].totals).is_eq() {
                ranked[i - 1].rank
            } else {
                Some(i as u32 + 1)
            };
            ranked[i].rank = rank;
        }
        for i in 0..ranked.len() {
            let tied = ranked.iter().filter(|u| u.rank == ranked[i].rank).count() > 1;
            let u = &mut ranked[i];
            u.tied = tied;
            u.rank_text = match (u.rank, tied) {
                (Some(r), true) => format!("第{r}名（并列）"),
                (Some(r), false) => format!("第{r}名"),
                (None, _) => String::new(),
            };
        }
        c.units = ranked;
        c.units.extend(unranked.into_iter().map(|mut u| {
            u.rank_text = "不参与排名（尚无到期填报）".to_string();
            u
        }));
    }
    let rounds = rounds
        .into_iter()
        .enumerate()
        .map(|(i, totals)| RoundTotals {
            on_time_rate: Ratio::new(totals.on_time, totals.due()).map(Ratio::percent),
            on_pace_share: Ratio::new(totals.on_pace, totals.judged).map(Ratio::percent),
            by_category: per_kind
                .iter()
                .map(|k| Ratio::new(k[i].on_time, k[i].due()).map(Ratio::percent))
                .collect(),
            totals,
        })
        .collect();
    Rankings {
        rule: RANKING_RULE,
        categories,
        rounds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2025, m, d)
    }

    fn round(label: &str, due: Option<NaiveDate>, c: [u32; 5]) -> RoundCounts {
        // expected, on_time, late, missing, returned
        RoundCounts {
            round: label.into(),
            due,
            expected: c[0],
            on_time: c[1],
            late: c[2],
            missing: c[3],
            returned: c[4],
            ..RoundCounts::default()
        }
    }

    fn unit(name: &str, kind: UnitKind, rounds: Vec<RoundCounts>) -> UnitRounds {
        UnitRounds {
            unit: name.into(),
            kind,
            tasks_led: rounds.iter().map(|r| r.expected).max().unwrap_or(0),
            rounds,
        }
    }

    fn order(r: &Rankings, kind: UnitKind) -> Vec<(String, Option<u32>, bool)> {
        r.categories
            .iter()
            .find(|c| c.kind == kind)
            .expect("category")
            .units
            .iter()
            .map(|u| (u.unit.clone(), u.rank, u.tied))
            .collect()
    }

    #[test]
    fn pace_thresholds_follow_elapsed_months() {
        // 30 Sep: 9 months → 75%; 15 Oct: (9 + 15/31)/12 = 79.03% → 80.
        assert_eq!(pace_threshold(date(9, 30).expect("d")), 75);
        assert_eq!(pace_threshold(date(10, 15).expect("d")), 80);
        assert_eq!(pace_threshold(date(12, 31).expect("d")), 100);
    }

    #[test]
    fn units_rank_within_their_category_with_ties_stated() {
        let s = UnitKind::Subdistrict;
        let d = UnitKind::Department;
        let r = rank(vec![
            unit("甲局", d, vec![round("1月", date(1, 25), [2, 1, 1, 0, 0])]),
            unit(
                "海滨街道",
                s,
                vec![round("1月", date(1, 25), [2, 2, 0, 0, 0])],
            ),
            unit("乙局", d, vec![round("1月", date(1, 25), [2, 2, 0, 0, 1])]),
            unit("丙局", d, vec![round("1月", date(1, 25), [4, 4, 0, 0, 2])]),
            unit("丁局", d, vec![]),
            unit(
                "临江街道",
                s,
                vec![round("1月", date(1, 25), [1, 0, 0, 1, 0])],
            ),
            unit(
                "各街道",
                UnitKind::Group,
                vec![round("1月", date(1, 25), [1, 0, 0, 1, 0])],
            ),
        ]);
        // 乙局 and 丙局: all on time, one in two returned: tied first; 甲局 third;
        // 丁局 has no tasks: unranked, last.
        assert_eq!(
            order(&r, d),
            [
                ("乙局".into(), Some(1), true),
                ("丙局".into(), Some(1), true),
                ("甲局".into(), Some(3), false),
                ("丁局".into(), None, false),
            ]
        );
        assert_eq!(
            order(&r, s),
            [
                ("海滨街道".into(), Some(1), false),
                ("临江街道".into(), Some(2), false)
            ]
        );
        let labels: Vec<&str> = r.categories.iter().map(|c| c.label).collect();
        assert_eq!(labels, ["区直部门", "街道"], "泛指 is no category");
        let dept = &r.categories[0].units;
        assert_eq!(dept[0].rank_text, "第1名（并列）");
        assert_eq!(dept[2].rank_text, "第3名");
        assert_eq!(dept[3].rank_text, "不参与排名（尚无到期填报）");
        assert_eq!(dept[3].on_time_rate, None);
        assert_eq!(dept[2].on_time_rate, Some(50.0));
    }

    #[test]
    fn delay_and_pace_break_ties_and_average_per_late_report() {
        let d = UnitKind::Department;
        let mut a = round("1月", date(1, 25), [3, 1, 2, 0, 0]);
        a.delay_days = 5;
        let mut b = round("1月", date(1, 25), [3, 1, 2, 0, 0]);
        b.delay_days = 3;
        let mut c = round("1月", date(1, 25), [3, 1, 2, 0, 0]);
        c.delay_days = 9;
        c.judged = 2;
        c.on_pace = 1;
        let r = rank(vec![
            unit("甲", d, vec![a]),
            unit("乙", d, vec![b]),
            unit("丙", d, vec![c]),
        ]);
        let units = &r.categories[0].units;
        // 丙 has a share on pace (50%), the others none: first despite its delay.
        let names: Vec<&str> = units.iter().map(|u| u.unit.as_str()).collect();
        assert_eq!(names, ["丙", "乙", "甲"]);
        assert_eq!(units[2].average_delay, Some(2.5));
        assert_eq!(units[0].on_pace_share, Some(50.0));
        assert!(units.iter().all(|u| !u.tied));
    }

    #[test]
    fn the_trend_adds_up_each_round_and_keeps_empty_rounds() {
        let d = UnitKind::Department;
        let s = UnitKind::Subdistrict;
        let r = rank(vec![
            unit(
                "甲",
                d,
                vec![
                    // Given out of order: sorted by due date.
                    round("1-2月", date(2, 25), [1, 0, 1, 0, 0]),
                    round("1月", date(1, 25), [2, 2, 0, 0, 0]),
                ],
            ),
            // A round nobody reported in yet (not due): counted, no rate.
            unit(
                "海滨街道",
                s,
                vec![round("1-3月", date(3, 25), [1, 0, 0, 0, 0])],
            ),
        ]);
        let labels: Vec<&str> = r.rounds.iter().map(|t| t.totals.round.as_str()).collect();
        assert_eq!(labels, ["1月", "1-2月", "1-3月"]);
        assert_eq!(r.rounds[0].on_time_rate, Some(100.0));
        assert_eq!(r.rounds[1].on_time_rate, Some(0.0));
        assert_eq!(r.rounds[2].on_time_rate, None);
        assert_eq!(r.rounds[2].totals.expected, 1);
        assert_eq!(r.rounds[0].by_category, [Some(100.0), None]);
        let trend: Vec<Option<f64>> = r.categories[0].units[0]
            .trend
            .iter()
            .map(|t| t.on_time_rate)
            .collect();
        assert_eq!(trend, [Some(100.0), Some(0.0)]);
        assert_eq!(r.categories[1].units[0].rank, None);
    }

    #[test]
    fn nothing_to_rank() {
        let r = rank(Vec::new());
        assert!(r.categories.is_empty() && r.rounds.is_empty());
    }
}
