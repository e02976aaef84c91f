//! Escalation (督办升级): units that keep missing deadlines climb a ladder the office
//! configures (by default 提醒 → 通报点名 → 约谈 → 挂牌督办), and per-unit figures ranked
//! within unit categories (`ranking`).
//!
//! The rule: a unit moves up one step when, among the rounds due since its last step
//! (automatic or set by the office), `lapses` of `within` consecutive rounds had a lapse
//! (a report submitted after the round's due date, or not submitted by it). Counting
//! starts again after each step, so every step needs its own lapses; at the top step
//! the unit stays. Level 0 is no step at all (未升级).

mod ranking;

pub use ranking::{
    CategoryRanking, RANKING_RULE, RankedUnit, Rankings, RoundCounts, RoundTotals, UnitRounds,
    UnitTrendPoint, pace_threshold, rank,
};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What level 0 (no step) is called.
pub const NO_STEP: &str = "未升级";
/// The default ladder.
pub const DEFAULT_STEPS: [&str; 4] = ["提醒", "通报点名", "约谈", "挂牌督办"];
/// Most steps a ladder may have.
pub const MAX_STEPS: usize = 8;
/// Longest step name, in characters.
pub const MAX_STEP_CHARS: usize = 12;
/// Most rounds the rule may look back over.
pub const MAX_WITHIN: u32 = 24;

/// The office's ladder and the rule that moves units up it. Built only through
/// [`Ladder::new`], so a ladder in hand is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ladder {
    steps: Vec<String>,
    lapses: u32,
    within: u32,
}

impl Default for Ladder {
    fn default() -> Self {
        Ladder {
            steps: DEFAULT_STEPS.iter().map(|s| s.to_string()).collect(),
            lapses: 2,
            within: 3,
        }
    }
}

/// A ladder or a step the office may not set; each message says what to correct.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LadderError {
    #[error("督办档次不能为空：请至少填写一个档次（如“提醒”）")]
    NoSteps,
    #[error("督办档次过多：共 {count} 个，最多 {MAX_STEPS} 个，请合并或删减")]
    TooManySteps { count: usize },
    #[error("第 {position} 个督办档次名称为空：请填写名称或删去该档")]
    EmptyStep { position: usize },
    #[error("第 {position} 个督办档次“{name}”过长：最多 {MAX_STEP_CHARS} 字")]
    StepTooLong { position: usize, name: String },
    #[error("督办档次“{name}”重复：每个档次名称只能出现一次")]
    DuplicateStep { name: String },
    #[error("升级规则的轮数须为 1 至 {MAX_WITHIN} 之间的整数，现为 {within}")]
    Within { within: u32 },
    #[error("升级规则的逾期轮数须为 1 至 {within} 之间的整数（不能多于统计的轮数），现为 {lapses}")]
    Lapses { lapses: u32, within: u32 },
    #[error(
        "有单位处于第 {level} 档（{step}），督办档次不能少于 {level} 个：请先调整这些单位的档次再删减档次"
    )]
    LevelHeld { level: usize, step: String },
    #[error("督办档次须为 0（{NO_STEP}）至 {top} 之间，现为 {level}")]
    UnknownLevel { level: usize, top: usize },
    #[error("请填写调整督办档次的理由")]
    ReasonRequired,
}

impl Ladder {
    /// A ladder from the office's form: step names (trimmed; blank ones at the end are
    /// dropped), and the rule "`lapses` rounds with a lapse within `within` rounds".
    pub fn new(steps: &[String], lapses: u32, within: u32) -> Result<Ladder, LadderError> {
        let mut names: Vec<String> = steps.iter().map(|s| s.trim().to_string()).collect();
        while names.last().is_some_and(String::is_empty) {
            names.pop();
        }
        if names.is_empty() {
            return Err(LadderError::NoSteps);
        }
        if names.len() > MAX_STEPS {
            return Err(LadderError::TooManySteps { count: names.len() });
        }
        for (i, name) in names.iter().enumerate() {
            if name.is_empty() {
                return Err(LadderError::EmptyStep { position: i + 1 });
            }
            if name.chars().count() > MAX_STEP_CHARS {
                return Err(LadderError::StepTooLong {
                    position: i + 1,
                    name: name.clone(),
                });
            }
            if name == NO_STEP || names[..i].contains(name) {
                return Err(LadderError::DuplicateStep { name: name.clone() });
            }
        }
        if within == 0 || within > MAX_WITHIN {
            return Err(LadderError::Within { within });
        }
        if lapses == 0 || lapses > within {
            return Err(LadderError::Lapses { lapses, within });
        }
        Ok(Ladder {
            steps: names,
            lapses,
            within,
        })
    }

    pub fn steps(&self) -> &[String] {
        &self.steps
    }

    /// Rounds with a lapse that move a unit up a step …
    pub fn lapses(&self) -> u32 {
        self.lapses
    }

    /// … within this many consecutive rounds.
    pub fn within(&self) -> u32 {
        self.within
    }

    /// The highest level.
    pub fn top(&self) -> usize {
        self.steps.len()
    }

    /// The name of `level` (0: [`NO_STEP`]); a level above the ladder (held before the
    /// ladder was changed) is its top step.
    pub fn label(&self, level: usize) -> &str {
        match level {
            0 => NO_STEP,
            l => self
                .steps
                .get(l - 1)
                .or(self.steps.last())
                .map_or(NO_STEP, String::as_str),
        }
    }

    /// The rule in words: `近3轮中有2轮逾期报送或未报送即升一档`.
    pub fn rule_text(&self) -> String {
        format!(
            "连续 {} 轮中有 {} 轮逾期报送或未报送即升一档",
            self.within, self.lapses
        )
    }

    /// Whether this ladder may replace the one in force while a unit holds `highest`.
    pub fn check_held(&self, highest: usize, held_step: &str) -> Result<(), LadderError> {
        if highest > self.top() {
            return Err(LadderError::LevelHeld {
                level: highest,
                step: held_step.to_string(),
            });
        }
        Ok(())
    }

    /// Whether the office may set a unit to `level` with `reason`.
    pub fn check_manual(&self, level: usize, reason: &str) -> Result<(), LadderError> {
        if level > self.top() {
            return Err(LadderError::UnknownLevel {
                level,
                top: self.top(),
            });
        }
        if reason.trim().is_empty() {
            return Err(LadderError::ReasonRequired);
        }
        Ok(())
    }
}

/// One unit's lapses in one round (rounds of the same period across documents count
/// as one): reports submitted late or not submitted by the due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundLapses {
    pub round: String,
    pub due: NaiveDate,
    pub lapses: u32,
}

/// A step the rule takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AutoStep {
    pub level: usize,
    /// The due date of the round that completed the count.
    pub on: NaiveDate,
    pub round: String,
    /// `1-8月、1-9月两轮逾期报送或未报送（连续 3 轮中有 2 轮），由提醒升至通报点名`.
    pub reason: String,
}

/// The steps the rule takes for a unit at `current`, given the rounds due since its
/// last step, oldest first. Empty when the unit is at the top already or the rounds
/// do not complete a count.
pub fn automatic_steps(ladder: &Ladder, current: usize, rounds: &[RoundLapses]) -> Vec<AutoStep> {
    let mut steps = Vec::new();
    let mut level = current;
    // Rounds counted towards the next step (since the last one).
    let mut start = 0;
    for i in 0..rounds.len() {
        if level >= ladder.top() {
            break;
        }
        let from = start.max((i + 1).saturating_sub(ladder.within as usize));
        let window = &rounds[from..=i];
        let lapsed: Vec<&RoundLapses> = window.iter().filter(|r| r.lapses > 0).collect();
        if rounds[i].lapses > 0 && lapsed.len() >= ladder.lapses as usize {
            let names: Vec<&str> = lapsed.iter().map(|r| r.round.as_str()).collect();
            let reason = format!(
                "{}共 {} 轮逾期报送或未报送（{}），由{}升至{}",
                names.join("、"),
                lapsed.len(),
                ladder.rule_text(),
                ladder.label(level),
                ladder.label(level + 1)
            );
            level += 1;
            steps.push(AutoStep {
                level,
                on: rounds[i].due,
                round: rounds[i].round.clone(),
                reason,
            });
            start = i + 1;
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rounds(lapses: &[u32]) -> Vec<RoundLapses> {
        lapses
            .iter()
            .enumerate()
            .map(|(i, &l)| RoundLapses {
                round: format!("1-{}月", i + 1),
                due: NaiveDate::from_ymd_opt(2025, i as u32 + 1, 25).expect("date"),
                lapses: l,
            })
            .collect()
    }

    fn levels(ladder: &Ladder, current: usize, lapses: &[u32]) -> Vec<usize> {
        automatic_steps(ladder, current, &rounds(lapses))
            .iter()
            .map(|s| s.level)
            .collect()
    }

    #[test]
    fn the_default_ladder_and_rule() {
        let l = Ladder::default();
        assert_eq!(l.steps(), ["提醒", "通报点名", "约谈", "挂牌督办"]);
        assert_eq!((l.lapses(), l.within()), (2, 3));
        assert_eq!(l.label(0), "未升级");
        assert_eq!(l.label(4), "挂牌督办");
        assert_eq!(l.label(9), "挂牌督办", "above the ladder: its top");
    }

    #[test]
    fn two_lapsed_rounds_in_three_move_a_unit_up_once_each() {
        let l = Ladder::default();
        assert!(levels(&l, 0, &[]).is_empty(), "no rounds");
        assert!(levels(&l, 0, &[0, 0, 0, 0]).is_empty(), "never late");
        assert!(
            levels(&l, 0, &[1, 0, 0, 1]).is_empty(),
            "lapses 3 rounds apart"
        );
        assert_eq!(levels(&l, 0, &[1, 0, 3]), [1]);
        // The count starts again after a step: four lapsed rounds are two steps.
        assert_eq!(levels(&l, 0, &[1, 1, 1, 1]), [1, 2]);
        assert_eq!(
            levels(&l, 2, &[1, 1, 1, 1, 1, 1]),
            [3, 4],
            "stops at the top"
        );
        assert!(levels(&l, 4, &[1, 1, 1]).is_empty(), "at the top already");
    }

    #[test]
    fn the_step_is_dated_by_its_round_and_says_why() {
        let steps = automatic_steps(&Ladder::default(), 1, &rounds(&[2, 0, 1]));
        assert_eq!(steps.len(), 1);
        let s = &steps[0];
        assert_eq!((s.level, s.round.as_str()), (2, "1-3月"));
        assert_eq!(s.on, NaiveDate::from_ymd_opt(2025, 3, 25).expect("date"));
        assert_eq!(
            s.reason,
            "1-1月、1-3月共 2 轮逾期报送或未报送（连续 3 轮中有 2 轮逾期报送或未报送即升一档），由提醒升至通报点名"
        );
    }

    #[test]
    fn one_lapse_per_step_when_configured() {
        let l = Ladder::new(&["约谈".into(), "挂牌督办".into()], 1, 1).expect("ladder");
        assert_eq!(levels(&l, 0, &[0, 1, 1, 1]), [1, 2]);
    }

    #[test]
    fn ladders_are_checked_with_what_to_correct() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(Ladder::new(&s(&[" ", ""]), 1, 1), Err(LadderError::NoSteps));
        assert_eq!(
            Ladder::new(&s(&["提醒", "", "约谈"]), 1, 1),
            Err(LadderError::EmptyStep { position: 2 })
        );
        assert_eq!(
            Ladder::new(&s(&["提醒", "提醒"]), 1, 1),
            Err(LadderError::DuplicateStep {
                name: "提醒".into()
            })
        );
        assert!(matches!(
            Ladder::new(&s(&["一二三四五六七八九十一二三"]), 1, 1),
            Err(LadderError::StepTooLong { position: 1, .. })
        ));
        assert_eq!(
            Ladder::new(&s(&["a"; 9]), 1, 1),
            Err(LadderError::TooManySteps { count: 9 })
        );
        let e = Ladder::new(&s(&["提醒"]), 3, 2).expect_err("more lapses than rounds");
        assert_eq!(
            e.to_string(),
            "升级规则的逾期轮数须为 1 至 2 之间的整数（不能多于统计的轮数），现为 3"
        );
        assert_eq!(
            Ladder::new(&s(&["提醒"]), 0, 2),
            Err(LadderError::Lapses {
                lapses: 0,
                within: 2
            })
        );
        assert_eq!(
            Ladder::new(&s(&["提醒"]), 1, 0),
            Err(LadderError::Within { within: 0 })
        );
        assert_eq!(
            Ladder::new(&s(&["提醒"]), 1, 25),
            Err(LadderError::Within { within: 25 })
        );
        // Trailing blanks are dropped, names trimmed.
        let l = Ladder::new(&s(&[" 提醒 ", "约谈", ""]), 1, 2).expect("ladder");
        assert_eq!(l.steps(), ["提醒", "约谈"]);
        // Shortening below a level held is refused.
        let e = l.check_held(3, "约谈").expect_err("held");
        assert!(e.to_string().contains("第 3 档（约谈）"), "{e}");
        assert!(l.check_held(2, "约谈").is_ok());
    }

    #[test]
    fn manual_steps_need_a_level_on_the_ladder_and_a_reason() {
        let l = Ladder::default();
        assert!(l.check_manual(0, "整改到位，解除").is_ok());
        assert_eq!(l.check_manual(3, "  "), Err(LadderError::ReasonRequired));
        assert_eq!(
            l.check_manual(5, "x"),
            Err(LadderError::UnknownLevel { level: 5, top: 4 })
        );
    }
}
