//! Who may do what to a progress report, and the states a report moves through.
//! Pure rules: the store records, the web layer asks these functions first.

use serde::{Deserialize, Serialize};

/// An account's role. Accountability is per unit: reporters and unit heads belong to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 管理员: the office's administrator of the work itself (everything a supervisor
    /// does). Accounts, security and the audit log belong to the three administrators
    /// below (三员分立), never to this role.
    Admin,
    /// 督查室: opens rounds, reviews and accepts or returns reports.
    Supervisor,
    /// 联络员: writes and submits their unit's reports.
    Reporter,
    /// 单位负责人: signs off the unit's report before it reaches the office.
    UnitHead,
    /// 领导: reads dashboards and task pages.
    Leader,
    /// 系统管理员: accounts (create, reset a password) and the system's configuration;
    /// sees no supervision data and no audit log.
    SystemAdmin,
    /// 安全管理员: roles, the security policies, lockouts and second factors; sees no
    /// supervision data and no audit log.
    SecurityAdmin,
    /// 审计管理员: reads and exports the audit log, nothing else.
    AuditAdmin,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Admin,
        Role::Supervisor,
        Role::Reporter,
        Role::UnitHead,
        Role::Leader,
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::AuditAdmin,
    ];

    /// The three administrators kept apart (三员分立, GB/T 22239-2019 §8.1.4.2).
    pub const ADMINISTRATORS: [Role; 3] =
        [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin];

    /// The roles of the work itself, which the system and security administrators may
    /// give an account; the three administrators' roles are given only from the
    /// server's command line (`duban user add`, `duban user role`).
    pub const WORK_ROLES: [Role; 5] = [
        Role::Admin,
        Role::Supervisor,
        Role::Reporter,
        Role::UnitHead,
        Role::Leader,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Supervisor => "督查室",
            Role::Reporter => "联络员",
            Role::UnitHead => "单位负责人",
            Role::Leader => "领导",
            Role::SystemAdmin => "系统管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::AuditAdmin => "审计管理员",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Reporter => "reporter",
            Role::UnitHead => "unit_head",
            Role::Leader => "leader",
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::AuditAdmin => "audit_admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Reporters and unit heads act for one unit.
    pub fn needs_unit(self) -> bool {
        matches!(self, Role::Reporter | Role::UnitHead)
    }

    /// The office: supervisors and admins.
    pub fn is_office(self) -> bool {
        matches!(self, Role::Admin | Role::Supervisor)
    }

    /// One of the three administrators (系统管理员, 安全管理员, 审计管理员).
    pub fn is_administrator(self) -> bool {
        Role::ADMINISTRATORS.contains(&self)
    }
}

/// A role change refused by the separation of duties.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleError {
    /// One account would hold two of the three administrators' roles.
    #[error(
        "账户“{account}”已是{held}，不能再担任{wanted}：系统管理员、安全管理员、审计管理员须由三个不同的账户担任（三员分立），请另建账户"
    )]
    TwoAdministrators {
        account: String,
        held: &'static str,
        wanted: &'static str,
    },
    /// An administrator's role given or taken away other than from the command line.
    #[error("{role}的角色只能在服务器上用 duban user 命令设置或撤销，不能在网页中修改")]
    AdministratorOnlyFromCli { role: &'static str },
    /// An administrator's password reset other than from the command line: the system
    /// administrator would otherwise know the security or audit administrator's password.
    #[error("{role}的密码只能在服务器上用 duban user passwd 重置，不能在网页中重置")]
    AdministratorPasswordOnlyFromCli { role: &'static str },
}

/// Whether an account of `role` may be made (or have its password reset) this way:
/// on the web (by the system administrator) only accounts of the work.
pub fn check_account_role(role: Role, from_cli: bool, reset: bool) -> Result<(), RoleError> {
    if from_cli || !role.is_administrator() {
        Ok(())
    } else if reset {
        Err(RoleError::AdministratorPasswordOnlyFromCli { role: role.label() })
    } else {
        Err(RoleError::AdministratorOnlyFromCli { role: role.label() })
    }
}

/// Whether the account `account`, now `current`, may become `new`. From the command
/// line (`from_cli`) any role may be given, except a second administrator's role to an
/// administrator; on the web (by the security administrator) only the roles of the
/// work, to an account that is not an administrator.
pub fn check_role_change(
    account: &str,
    current: Role,
    new: Role,
    from_cli: bool,
) -> Result<(), RoleError> {
    if current.is_administrator() && new.is_administrator() && current != new {
        return Err(RoleError::TwoAdministrators {
            account: account.to_string(),
            held: current.label(),
            wanted: new.label(),
        });
    }
    if !from_cli {
        for role in [current, new] {
            if role.is_administrator() {
                return Err(RoleError::AdministratorOnlyFromCli { role: role.label() });
            }
        }
    }
    Ok(())
}

/// Where a unit's report for one task in one round stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    /// Nothing written yet.
    NotStarted,
    /// Being written by the unit's reporter.
    Draft,
    /// Submitted; waiting for the unit head's sign-off.
    Submitted,
    /// Signed off by the unit head; waiting for the office.
    UnitApproved,
    /// Sent back (by the unit head or the office) with a comment; the reporter reworks it.
    Returned,
    /// Accepted by the office.
    Accepted,
}

impl ReportState {
    pub const ALL: [ReportState; 6] = [
        ReportState::NotStarted,
        ReportState::Draft,
        ReportState::Submitted,
        ReportState::UnitApproved,
        ReportState::Returned,
        ReportState::Accepted,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ReportState::NotStarted => "未填报",
            ReportState::Draft => "草稿",
            ReportState::Submitted => "待单位审核",
            ReportState::UnitApproved => "待督查室审核",
            ReportState::Returned => "已退回",
            ReportState::Accepted => "已采纳",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ReportState::NotStarted => "not_started",
            ReportState::Draft => "draft",
            ReportState::Submitted => "submitted",
            ReportState::UnitApproved => "unit_approved",
            ReportState::Returned => "returned",
            ReportState::Accepted => "accepted",
        }
    }

    pub fn from_code(code: &str) -> Option<ReportState> {
        ReportState::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether people outside the unit (the office, leaders) may read the report's
    /// text, percent and evidence in this state: once the unit head has signed it off.
    /// Drafts, reports waiting for the unit head and reports sent back for rework stay
    /// inside the unit; the state itself and the steps taken are visible to all.
    pub fn readable_outside_unit(self) -> bool {
        matches!(self, ReportState::UnitApproved | ReportState::Accepted)
    }

    /// Reported, as the office counts it: submitted at least once and not sent back.
    pub fn is_reported(self) -> bool {
        matches!(
            self,
            ReportState::Submitted | ReportState::UnitApproved | ReportState::Accepted
        )
    }
}

/// A step in the review of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportAction {
    /// 保存草稿.
    SaveDraft,
    /// 提交 (to the unit head).
    Submit,
    /// 审核通过 by the unit head (on to the office).
    Approve,
    /// 退回 by the unit head.
    SendBack,
    /// 采纳 by the office.
    Accept,
    /// 驳回重办 by the office.
    Return,
}

impl ReportAction {
    pub const ALL: [ReportAction; 6] = [
        ReportAction::SaveDraft,
        ReportAction::Submit,
        ReportAction::Approve,
        ReportAction::SendBack,
        ReportAction::Accept,
        ReportAction::Return,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ReportAction::SaveDraft => "保存草稿",
            ReportAction::Submit => "提交",
            ReportAction::Approve => "审核通过",
            ReportAction::SendBack => "退回修改",
            ReportAction::Accept => "采纳",
            ReportAction::Return => "驳回重办",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ReportAction::SaveDraft => "save_draft",
            ReportAction::Submit => "submit",
            ReportAction::Approve => "approve",
            ReportAction::SendBack => "send_back",
            ReportAction::Accept => "accept",
            ReportAction::Return => "return",
        }
    }

    pub fn from_code(code: &str) -> Option<ReportAction> {
        ReportAction::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The role that takes this step (admins act as the office).
    fn allowed_role(self, role: Role) -> bool {
        match self {
            ReportAction::SaveDraft | ReportAction::Submit => role == Role::Reporter,
            ReportAction::Approve | ReportAction::SendBack => role == Role::UnitHead,
            ReportAction::Accept | ReportAction::Return => role.is_office(),
        }
    }

    /// Sending a report back needs a reason the unit can act on.
    pub fn needs_comment(self) -> bool {
        matches!(self, ReportAction::SendBack | ReportAction::Return)
    }

    /// Whether the step acts on the unit's own report (so the actor's unit must match).
    pub fn is_unit_step(self) -> bool {
        !matches!(self, ReportAction::Accept | ReportAction::Return)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("{role}无权执行“{action}”")]
    RoleNotAllowed {
        role: &'static str,
        action: &'static str,
    },
    #[error("只能处理本单位的填报")]
    OtherUnit,
    #[error("当前状态为“{state}”，不能“{action}”")]
    WrongState {
        state: &'static str,
        action: &'static str,
    },
    #[error("“{0}”须填写理由，告诉单位需要修改什么")]
    CommentRequired(&'static str),
    #[error("“{0}”须填写说明：申请办结写明完成情况，办结销号写明核实情况，退回或重新开启写明理由")]
    ExplanationRequired(&'static str),
    #[error("填报内容为空，不能提交")]
    EmptyReport,
    #[error("本轮填报已截止关闭，不能再修改")]
    RoundClosed,
}

/// The state after `action`, or why it may not happen. `same_unit` says whether the actor
/// belongs to the report's unit; `comment` is the reason given, if any.
pub fn next_state(
    state: ReportState,
    action: ReportAction,
    role: Role,
    same_unit: bool,
    comment: Option<&str>,
) -> Result<ReportState, WorkflowError> {
    if !action.allowed_role(role) {
        return Err(WorkflowError::RoleNotAllowed {
            role: role.label(),
            action: action.label(),
        });
    }
    if action.is_unit_step() && !same_unit {
        return Err(WorkflowError::OtherUnit);
    }
    if action.needs_comment() && comment.is_none_or(|c| c.trim().is_empty()) {
        return Err(WorkflowError::CommentRequired(action.label()));
    }
    use ReportState as S;
    let next = match (action, state) {
        (ReportAction::SaveDraft, S::NotStarted | S::Draft | S::Returned) => S::Draft,
        (ReportAction::Submit, S::NotStarted | S::Draft | S::Returned) => S::Submitted,
        (ReportAction::Approve, S::Submitted) => S::UnitApproved,
        (ReportAction::SendBack, S::Submitted) => S::Returned,
        (ReportAction::Accept, S::UnitApproved) => S::Accepted,
        (ReportAction::Return, S::UnitApproved | S::Accepted) => S::Returned,
        _ => {
            return Err(WorkflowError::WrongState {
                state: state.label(),
                action: action.label(),
            });
        }
    };
    Ok(next)
}

/// Where a task stands between 交办 and 销号. Reports flow inside `Open`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// 办理中: assigned and being worked on.
    Open,
    /// 申请办结: a lead unit says it is done; the office has to verify.
    ClaimedDone,
    /// 已办结: verified and closed by the office (销号).
    Closed,
}

impl TaskState {
    pub const ALL: [TaskState; 3] = [TaskState::Open, TaskState::ClaimedDone, TaskState::Closed];

    pub fn label(self) -> &'static str {
        match self {
            TaskState::Open => "办理中",
            TaskState::ClaimedDone => "申请办结",
            TaskState::Closed => "已办结",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            TaskState::Open => "open",
            TaskState::ClaimedDone => "claimed_done",
            TaskState::Closed => "closed",
        }
    }

    pub fn from_code(code: &str) -> Option<TaskState> {
        TaskState::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// A step in a task's life after it is assigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskAction {
    /// 申请办结, by a lead unit.
    ClaimDone,
    /// 办结销号, by the office (after verifying, or directly).
    Close,
    /// 退回办结申请, by the office: not done yet.
    RejectClaim,
    /// 重新开启 (再批示), by the office, on a closed task.
    Reopen,
}

impl TaskAction {
    pub const ALL: [TaskAction; 4] = [
        TaskAction::ClaimDone,
        TaskAction::Close,
        TaskAction::RejectClaim,
        TaskAction::Reopen,
    ];

    pub fn label(self) -> &'static str {
        match self {
            TaskAction::ClaimDone => "申请办结",
            TaskAction::Close => "办结销号",
            TaskAction::RejectClaim => "退回办结申请",
            TaskAction::Reopen => "重新开启",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            TaskAction::ClaimDone => "claim_done",
            TaskAction::Close => "close",
            TaskAction::RejectClaim => "reject_claim",
            TaskAction::Reopen => "reopen",
        }
    }

    pub fn from_code(code: &str) -> Option<TaskAction> {
        TaskAction::ALL.into_iter().find(|a| a.code() == code)
    }

    /// Every step says why: the unit's account of the work, the office's 办结说明
    /// (what it verified before 销号: the record must say why a task left supervision),
    /// or its reason for refusing or reopening (the leader's further instruction).
    pub fn needs_comment(self) -> bool {
        true
    }
}

/// The task state after `action`. `leads_task` says whether the actor's unit leads it.
pub fn next_task_state(
    state: TaskState,
    action: TaskAction,
    role: Role,
    leads_task: bool,
    comment: Option<&str>,
) -> Result<TaskState, WorkflowError> {
    let allowed = match action {
        TaskAction::ClaimDone => role.needs_unit(),
        TaskAction::Close | TaskAction::RejectClaim | TaskAction::Reopen => role.is_office(),
    };
    if !allowed {
        return Err(WorkflowError::RoleNotAllowed {
            role: role.label(),
            action: action.label(),
        });
    }
    if action == TaskAction::ClaimDone && !leads_task {
        return Err(WorkflowError::OtherUnit);
    }
    if action.needs_comment() && comment.is_none_or(|c| c.trim().is_empty()) {
        return Err(WorkflowError::ExplanationRequired(action.label()));
    }
    use TaskState as S;
    match (action, state) {
        (TaskAction::ClaimDone, S::Open) => Ok(S::ClaimedDone),
        (TaskAction::Close, S::Open | S::ClaimedDone) => Ok(S::Closed),
        (TaskAction::RejectClaim, S::ClaimedDone) => Ok(S::Open),
        (TaskAction::Reopen, S::Closed) => Ok(S::Open),
        _ => Err(WorkflowError::WrongState {
            state: state.label(),
            action: action.label(),
        }),
    }
}

/// A login name: 3–32 of `a-z 0-9 _ . -`, lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("用户名应为 3 至 32 个小写字母、数字或 _ . -")]
    BadUsername,
    #[error("{0}须指定所属单位")]
    UnitRequired(&'static str),
}

impl Username {
    pub fn parse(text: &str) -> Result<Username, AccountError> {
        let t = text.trim();
        let ok = (3..=32).contains(&t.len())
            && t.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-')
            });
        if ok {
            Ok(Username(t.to_string()))
        } else {
            Err(AccountError::BadUsername)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Kinds of lapse the office tracks separately (两个时钟: acknowledge by T1, report by T2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LapseKind {
    /// Acknowledged after the acknowledgement deadline.
    LateAcknowledgement,
    /// Not acknowledged and the deadline has passed.
    NotAcknowledged,
    /// Submitted after the round's due date.
    LateReport,
    /// Not submitted and the round's due date has passed.
    NotReported,
}

impl LapseKind {
    pub const ALL: [LapseKind; 4] = [
        LapseKind::LateAcknowledgement,
        LapseKind::NotAcknowledged,
        LapseKind::LateReport,
        LapseKind::NotReported,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LapseKind::LateAcknowledgement => "late_acknowledgement",
            LapseKind::NotAcknowledged => "not_acknowledged",
            LapseKind::LateReport => "late_report",
            LapseKind::NotReported => "not_reported",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LapseKind::LateAcknowledgement => "逾期签收",
            LapseKind::NotAcknowledged => "未签收",
            LapseKind::LateReport => "逾期报送",
            LapseKind::NotReported => "未报送",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReportAction as A;
    use ReportState as S;

    #[test]
    fn the_full_review_loop() {
        let s = next_state(S::NotStarted, A::SaveDraft, Role::Reporter, true, None).unwrap();
        let s = next_state(s, A::Submit, Role::Reporter, true, None).unwrap();
        let s = next_state(s, A::Approve, Role::UnitHead, true, None).unwrap();
        let s = next_state(s, A::Return, Role::Supervisor, false, Some("请补充数据")).unwrap();
        assert_eq!(s, S::Returned);
        let s = next_state(s, A::Submit, Role::Reporter, true, None).unwrap();
        let s = next_state(s, A::Approve, Role::UnitHead, true, None).unwrap();
        assert_eq!(
            next_state(s, A::Accept, Role::Admin, false, None),
            Ok(S::Accepted)
        );
    }

    #[test]
    fn every_step_checks_role_unit_state_and_comment() {
        assert!(matches!(
            next_state(S::Draft, A::Submit, Role::Supervisor, true, None),
            Err(WorkflowError::RoleNotAllowed { .. })
        ));
        assert_eq!(
            next_state(S::Draft, A::Submit, Role::Reporter, false, None),
            Err(WorkflowError::OtherUnit)
        );
        assert!(matches!(
            next_state(S::Draft, A::Accept, Role::Supervisor, false, None),
            Err(WorkflowError::WrongState { .. })
        ));
        assert!(matches!(
            next_state(S::Submitted, A::SendBack, Role::UnitHead, true, Some("  ")),
            Err(WorkflowError::CommentRequired(_))
        ));
        assert!(matches!(
            next_state(S::Accepted, A::SaveDraft, Role::Reporter, true, None),
            Err(WorkflowError::WrongState { .. })
        ));
        assert!(matches!(
            next_state(S::Submitted, A::Approve, Role::Leader, true, None),
            Err(WorkflowError::RoleNotAllowed { .. })
        ));
    }

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
        for s in ReportState::ALL {
            assert_eq!(ReportState::from_code(s.code()), Some(s));
        }
        for a in ReportAction::ALL {
            assert_eq!(ReportAction::from_code(a.code()), Some(a));
        }
    }

    #[test]
    fn task_closure_is_verified_by_the_office() {
        use TaskAction as T;
        use TaskState as S;
        let s = next_task_state(
            S::Open,
            T::ClaimDone,
            Role::Reporter,
            true,
            Some("已建成投产"),
        )
        .unwrap();
        assert_eq!(s, S::ClaimedDone);
        assert!(matches!(
            next_task_state(s, T::Close, Role::UnitHead, true, None),
            Err(WorkflowError::RoleNotAllowed { .. })
        ));
        assert_eq!(
            next_task_state(s, T::RejectClaim, Role::Supervisor, false, Some("尚未验收")),
            Ok(S::Open)
        );
        // 办结销号 says what was verified; an empty or blank explanation is refused.
        for blank in [None, Some(""), Some("  ")] {
            assert_eq!(
                next_task_state(s, T::Close, Role::Supervisor, false, blank),
                Err(WorkflowError::ExplanationRequired(T::Close.label()))
            );
        }
        let closed = next_task_state(
            s,
            T::Close,
            Role::Supervisor,
            false,
            Some("经实地核查已建成投产"),
        )
        .unwrap();
        assert_eq!(closed, S::Closed);
        assert!(matches!(
            next_task_state(closed, T::Reopen, Role::Supervisor, false, None),
            Err(WorkflowError::ExplanationRequired(_))
        ));
        assert_eq!(
            next_task_state(closed, T::Reopen, Role::Admin, false, Some("区长再批示")),
            Ok(S::Open)
        );
        assert_eq!(
            next_task_state(S::Open, T::ClaimDone, Role::Reporter, false, Some("x")),
            Err(WorkflowError::OtherUnit)
        );
        assert!(matches!(
            next_task_state(closed, T::ClaimDone, Role::Reporter, true, Some("x")),
            Err(WorkflowError::WrongState { .. })
        ));
        for a in TaskAction::ALL {
            assert_eq!(TaskAction::from_code(a.code()), Some(a));
        }
    }

    #[test]
    fn usernames_and_passwords() {
        assert!(Username::parse("liaison.fgj").is_ok());
        assert_eq!(Username::parse("Ab"), Err(AccountError::BadUsername));
        assert_eq!(Username::parse("张三"), Err(AccountError::BadUsername));
    }

    #[test]
    fn no_account_holds_two_of_the_three_administrators() {
        assert!(Role::ADMINISTRATORS.iter().all(|r| r.is_administrator()));
        assert!(Role::WORK_ROLES.iter().all(|r| !r.is_administrator()));
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        let e = check_role_change("aq", Role::SecurityAdmin, Role::AuditAdmin, true).unwrap_err();
        assert!(
            e.to_string()
                .contains("已是安全管理员，不能再担任审计管理员"),
            "{e}"
        );
        assert!(check_role_change("aq", Role::SecurityAdmin, Role::SecurityAdmin, true).is_ok());
        assert!(check_role_change("x", Role::Leader, Role::SystemAdmin, true).is_ok());
        assert_eq!(
            check_role_change("x", Role::Leader, Role::AuditAdmin, false),
            Err(RoleError::AdministratorOnlyFromCli {
                role: "审计管理员"
            })
        );
        assert!(check_role_change("x", Role::SystemAdmin, Role::Leader, false).is_err());
        assert!(check_role_change("x", Role::Reporter, Role::Supervisor, false).is_ok());
        assert!(check_account_role(Role::Leader, false, false).is_ok());
        assert!(check_account_role(Role::AuditAdmin, true, false).is_ok());
        assert!(check_account_role(Role::AuditAdmin, false, false).is_err());
        let e = check_account_role(Role::SecurityAdmin, false, true).unwrap_err();
        assert!(
            e.to_string().contains("安全管理员的密码只能在服务器上"),
            "{e}"
        );
    }
}
