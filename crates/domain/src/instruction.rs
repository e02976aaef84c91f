//! 领导批示: a leader's written instruction on a task. A leader writes it on the task's
//! page (or the office records a paper 批示 on the leader's behalf, naming the leader);
//! it goes into the task's history, the lead units see it, and it can do two things
//! beyond being read (再批示, see `reference/domain.md`):
//! - **reopen** a closed task (重新开启): the task is back in supervision;
//! - **mark it for 督办** (领导督办): the task carries the mark on every list until it is
//!   closed again.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::TaskState;
use crate::limits::{TextLimit, TooLong};
use crate::workflow::Role;

/// The 批示's text.
pub const TEXT: TextLimit = TextLimit {
    field: "批示内容",
    max_chars: 2_000,
};
/// The leader's name and title (黄辉灿区长).
pub const LEADER: TextLimit = TextLimit {
    field: "批示领导",
    max_chars: 50,
};

/// A 批示 that may be recorded: built only through [`Instruction::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instruction {
    leader: String,
    text: String,
    signed_on: NaiveDate,
    reopen: bool,
    supervise: bool,
}

/// What was asked for, as typed (form or API), before it is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstructionDraft {
    /// The leader, when the office records a 批示 on their behalf; a leader's own 批示
    /// carries the leader's name from the account.
    #[serde(default)]
    pub leader: String,
    #[serde(default)]
    pub text: String,
    /// 批示日期; empty: today.
    #[serde(default)]
    pub signed_on: Option<NaiveDate>,
    /// 重新开启 a closed task.
    #[serde(default)]
    pub reopen: bool,
    /// 列为领导督办.
    #[serde(default)]
    pub supervise: bool,
}

/// Why a 批示 cannot be recorded; each message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstructionError {
    #[error("{role}不能录入领导批示：领导本人或督查室（代录）方可录入")]
    RoleNotAllowed { role: &'static str },
    #[error("请填写批示内容")]
    EmptyText,
    #[error("督查室代录批示时须填写批示领导，如“黄辉灿区长”")]
    LeaderRequired,
    #[error(transparent)]
    TooLong(#[from] TooLong),
    #[error("批示日期 {signed_on} 晚于今天（{today}），请填写领导签批的日期")]
    FutureDate {
        signed_on: NaiveDate,
        today: NaiveDate,
    },
    #[error("该任务当前为“{state}”，未办结，无需重新开启：请取消“重新开启”后再提交")]
    NotClosed { state: &'static str },
    #[error("该任务已办结：列为领导督办须同时勾选“重新开启本任务”，或取消“列为领导督办”")]
    SuperviseClosed,
}

impl Instruction {
    /// Checks a draft by `role` (whose account is called `account_name`) on `today`
    /// (the date in China). A leader signs with their own name; the office must name the
    /// leader it records for; nobody else may record a 批示. Text and name are trimmed.
    pub fn new(
        draft: &InstructionDraft,
        role: Role,
        account_name: &str,
        today: NaiveDate,
    ) -> Result<Instruction, InstructionError> {
        check_author(role)?;
        let leader = if role == Role::Leader {
            account_name.trim().to_string()
        } else {
            let named = draft.leader.trim();
            if named.is_empty() {
                return Err(InstructionError::LeaderRequired);
            }
            named.to_string()
        };
        LEADER.check(&leader)?;
        let text = draft.text.trim();
        if text.is_empty() {
            return Err(InstructionError::EmptyText);
        }
        TEXT.check(text)?;
        let signed_on = draft.signed_on.unwrap_or(today);
        if signed_on > today {
            return Err(InstructionError::FutureDate { signed_on, today });
        }
        Ok(Instruction {
            leader,
            text: text.to_string(),
            signed_on,
            reopen: draft.reopen,
            supervise: draft.supervise,
        })
    }

    /// The state the task moves to, if the 批示 moves it: a reopening 批示 on a closed
    /// task opens it; asked of a task that is not closed it is refused, so the leader
    /// is not told a task was reopened that never left supervision.
    /// Marking a closed task for 领导督办 needs it reopened: a closed task is out of
    /// supervision.
    pub fn moves_task(&self, state: TaskState) -> Result<Option<TaskState>, InstructionError> {
        if self.supervise && !self.reopen && state == TaskState::Closed {
            return Err(InstructionError::SuperviseClosed);
        }
        match (self.reopen, state) {
            (false, _) => Ok(None),
            (true, TaskState::Closed) => Ok(Some(TaskState::Open)),
            (true, other) => Err(InstructionError::NotClosed {
                state: other.label(),
            }),
        }
    }

    /// The history's line for a reopening: the comment of the 重新开启 step.
    pub fn reopen_comment(&self) -> String {
        format!("{}再批示：{}", self.leader, self.text)
    }

    pub fn leader(&self) -> &str {
        &self.leader
    }
    pub fn text(&self) -> &str {
        &self.text
    }
    pub fn signed_on(&self) -> NaiveDate {
        self.signed_on
    }
    pub fn reopen(&self) -> bool {
        self.reopen
    }
    pub fn supervise(&self) -> bool {
        self.supervise
    }
}

/// Who may record a 批示: a leader (their own) and the office (a leader's, on paper).
pub fn check_author(role: Role) -> Result<(), InstructionError> {
    match role {
        Role::Leader | Role::Admin | Role::Supervisor => Ok(()),
        other => Err(InstructionError::RoleNotAllowed {
            role: other.label(),
        }),
    }
}

/// Whether a task is under 领导督办: some 批示 marked it, and it has not been closed
/// since (closing ends the mark; a later marking 批示, e.g. one that reopens the task,
/// sets it again). `marks` are the recorded-at order keys of the marking 批示, `closed_at`
/// that of the task's latest closure, if it is closed now.
pub fn under_supervision<K: Ord>(marks: impl IntoIterator<Item = K>, closed_at: Option<K>) -> bool {
    let latest = marks.into_iter().max();
    match (latest, closed_at) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(mark), Some(closed)) => mark > closed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn draft(text: &str) -> InstructionDraft {
        InstructionDraft {
            text: text.into(),
            ..InstructionDraft::default()
        }
    }

    #[test]
    fn a_leader_signs_with_the_account_name_and_today_by_default() {
        let i = Instruction::new(
            &draft("  请加快进度  "),
            Role::Leader,
            "黄辉灿区长",
            day("2026-12-04"),
        )
        .unwrap();
        assert_eq!(i.leader(), "黄辉灿区长");
        assert_eq!(i.text(), "请加快进度");
        assert_eq!(i.signed_on(), day("2026-12-04"));
    }

    #[test]
    fn the_office_records_on_a_named_leaders_behalf() {
        let mut d = draft("请区住建局牵头推进");
        assert_eq!(
            Instruction::new(&d, Role::Supervisor, "督查室", day("2026-12-04")),
            Err(InstructionError::LeaderRequired)
        );
        d.leader = "黄辉灿区长".into();
        d.signed_on = Some(day("2026-12-01"));
        let i = Instruction::new(&d, Role::Supervisor, "督查室", day("2026-12-04")).unwrap();
        assert_eq!(i.leader(), "黄辉灿区长");
        assert_eq!(i.signed_on(), day("2026-12-01"));
    }

    #[test]
    fn units_and_administrators_may_not_record() {
        for role in [
            Role::Reporter,
            Role::UnitHead,
            Role::SystemAdmin,
            Role::AuditAdmin,
        ] {
            assert!(matches!(
                Instruction::new(&draft("x"), role, "某人", day("2026-12-04")),
                Err(InstructionError::RoleNotAllowed { .. })
            ));
        }
    }

    #[test]
    fn empty_long_and_future_instructions_are_refused() {
        let today = day("2026-12-04");
        assert_eq!(
            Instruction::new(&draft(" \n "), Role::Leader, "区长", today),
            Err(InstructionError::EmptyText)
        );
        let long = "批".repeat(TEXT.max_chars + 1);
        assert!(matches!(
            Instruction::new(&draft(&long), Role::Leader, "区长", today),
            Err(InstructionError::TooLong(_))
        ));
        let mut d = draft("请办理");
        d.signed_on = Some(day("2026-12-05"));
        assert_eq!(
            Instruction::new(&d, Role::Leader, "区长", today),
            Err(InstructionError::FutureDate {
                signed_on: day("2026-12-05"),
                today
            })
        );
    }

    #[test]
    fn reopening_applies_to_closed_tasks_only() {
        let mut d = draft("此事尚未落实到位，请重新办理");
        d.reopen = true;
        let i = Instruction::new(&d, Role::Leader, "区长", day("2026-12-04")).unwrap();
        assert_eq!(i.moves_task(TaskState::Closed), Ok(Some(TaskState::Open)));
        assert_eq!(
            i.moves_task(TaskState::Open),
            Err(InstructionError::NotClosed { state: "办理中" })
        );
        assert_eq!(
            i.moves_task(TaskState::ClaimedDone),
            Err(InstructionError::NotClosed {
                state: "申请办结"
            })
        );
        let plain =
            Instruction::new(&draft("阅"), Role::Leader, "区长", day("2026-12-04")).unwrap();
        assert_eq!(plain.moves_task(TaskState::Closed), Ok(None));
        assert_eq!(
            i.reopen_comment(),
            "区长再批示：此事尚未落实到位，请重新办理"
        );
    }

    #[test]
    fn a_closed_task_is_marked_for_supervision_only_when_reopened() {
        let mut d = draft("请继续督办");
        d.supervise = true;
        let mark = Instruction::new(&d, Role::Leader, "区长", day("2026-12-04")).unwrap();
        assert_eq!(
            mark.moves_task(TaskState::Closed),
            Err(InstructionError::SuperviseClosed)
        );
        assert_eq!(mark.moves_task(TaskState::Open), Ok(None));
        d.reopen = true;
        let both = Instruction::new(&d, Role::Leader, "区长", day("2026-12-04")).unwrap();
        assert_eq!(
            both.moves_task(TaskState::Closed),
            Ok(Some(TaskState::Open))
        );
    }

    #[test]
    fn supervision_lasts_until_the_task_is_closed_after_the_mark() {
        assert!(!under_supervision(Vec::<u32>::new(), None));
        assert!(under_supervision([3], None));
        assert!(!under_supervision([3], Some(5)));
        assert!(under_supervision([3, 7], Some(5)));
    }
}
