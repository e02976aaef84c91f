//! The identity controls a 等级保护 level-3 review checks (GB/T 22239-2019 §8.1.4.1,
//! 身份鉴别): password complexity and expiry, forced change, lockout after repeated
//! failures, and a session's absolute lifetime and idle timeout. Each is a policy the
//! deployment configures (the defaults are the usual level-3 values); the web app and
//! the CLI enforce them, the store only records.
//!
//! The separation of the three administrators (三员分立) is in `workflow`
//! ([`crate::Role::is_administrator`], [`crate::check_role_change`]).

use chrono::{DateTime, Duration, Utc};

use crate::login::ThrottleScope;

/// Longest password accepted (the login form's field limit is longer).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// The four kinds of character a password's complexity counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CharClass {
    Upper,
    Lower,
    Digit,
    /// Everything else: punctuation, spaces, and non-ASCII characters such as 汉字.
    Symbol,
}

impl CharClass {
    pub const ALL: [CharClass; 4] = [
        CharClass::Upper,
        CharClass::Lower,
        CharClass::Digit,
        CharClass::Symbol,
    ];

    pub fn of(c: char) -> CharClass {
        if c.is_ascii_uppercase() {
            CharClass::Upper
        } else if c.is_ascii_lowercase() {
            CharClass::Lower
        } else if c.is_ascii_digit() {
            CharClass::Digit
        } else {
            CharClass::Symbol
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CharClass::Upper => "大写字母",
            CharClass::Lower => "小写字母",
            CharClass::Digit => "数字",
            CharClass::Symbol => "符号",
        }
    }
}

fn class_count_label(n: usize) -> &'static str {
    match n {
        1 => "一",
        2 => "两",
        3 => "三",
        _ => "四",
    }
}

/// A policy setting out of its range: which, and the range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("安全策略设置“{setting}”为 {value}，超出允许范围 {min}–{max}")]
pub struct PolicyError {
    pub setting: &'static str,
    pub value: i64,
    pub min: i64,
    pub max: i64,
}

fn in_range(setting: &'static str, value: i64, min: i64, max: i64) -> Result<(), PolicyError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(PolicyError {
            setting,
            value,
            min,
            max,
        })
    }
}

/// What a password must be, and when it must be changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Characters at least.
    pub min_length: usize,
    /// Of the four [`CharClass`]es, how many a password must contain.
    pub min_classes: usize,
    /// Days after which a password must be changed; `None`: never.
    pub expiry_days: Option<u32>,
    /// Whether a password set by an administrator (a new account, a reset) must be
    /// changed by its user at the next login.
    pub change_after_admin_set: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 8,
            min_classes: 3,
            expiry_days: None,
            change_after_admin_set: true,
        }
    }
}

/// Why a password was refused: every requirement it misses, so one message says all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct PasswordRejected {
    /// (characters it has, characters needed) when too short.
    pub too_short: Option<(usize, usize)>,
    pub too_long: bool,
    /// The classes it has, when fewer than needed, and how many are needed.
    pub classes: Option<(Vec<CharClass>, usize)>,
    pub same_as_username: bool,
    pub same_as_before: bool,
}

impl PasswordRejected {
    fn message(&self) -> String {
        let mut parts = Vec::new();
        if let Some((has, needed)) = self.too_short {
            parts.push(format!("长度只有 {has} 个字符，至少需要 {needed} 个"));
        }
        if self.too_long {
            parts.push(format!("长度超过 {MAX_PASSWORD_CHARS} 个字符"));
        }
        if let Some((has, needed)) = &self.classes {
            let missing: Vec<&str> = CharClass::ALL
                .iter()
                .filter(|c| !has.contains(c))
                .map(|c| c.label())
                .collect();
            let has_labels: Vec<&str> = CharClass::ALL
                .iter()
                .filter(|c| has.contains(c))
                .map(|c| c.label())
                .collect();
            let short = needed - has.len();
            parts.push(format!(
                "须包含大写字母、小写字母、数字、符号中的至少{}类，现只有{}，还缺{}中的{} 类",
                class_count_label(*needed),
                if has_labels.is_empty() {
                    "（无）".to_string()
                } else {
                    has_labels.join("、")
                },
                missing.join("、"),
                short
            ));
        }
        if self.same_as_username {
            parts.push("不能与用户名相同".to_string());
        }
        if self.same_as_before {
            parts.push("不能与原密码相同".to_string());
        }
        format!("密码不符合要求：{}。请换一个密码。", parts.join("；"))
    }
}

impl PasswordPolicy {
    /// Whether the settings are in range: 6–64 characters, 1–4 classes, 1–3650 days.
    pub fn check(&self) -> Result<(), PolicyError> {
        in_range("密码最小长度", self.min_length as i64, 6, 64)?;
        in_range("密码字符类别数", self.min_classes as i64, 1, 4)?;
        if let Some(days) = self.expiry_days {
            in_range("密码有效期（天）", i64::from(days), 1, 3650)?;
        }
        Ok(())
    }

    /// The rule as users read it, e.g. "至少 8 个字符，须包含大写字母、小写字母、数字、符号中的至少三类".
    pub fn describe(&self) -> String {
        let mut text = format!("至少 {} 个字符", self.min_length);
        if self.min_classes > 1 {
            text.push_str(&format!(
                "，须包含大写字母、小写字母、数字、符号中的至少{}类",
                class_count_label(self.min_classes)
            ));
        }
        text.push_str("，不能与用户名相同");
        if let Some(days) = self.expiry_days {
            text.push_str(&format!("；每 {days} 天须更换一次"));
        }
        text
    }

    /// Checks a new password for the account `username` (the old password, when the
    /// user changes their own, may not be reused).
    pub fn check_password(
        &self,
        password: &str,
        username: &str,
        old_password: Option<&str>,
    ) -> Result<(), PasswordRejected> {
        let length = password.chars().count();
        let mut has: Vec<CharClass> = Vec::new();
        for class in password.chars().map(CharClass::of) {
            if !has.contains(&class) {
                has.push(class);
            }
        }
        has.sort_by_key(|c| CharClass::ALL.iter().position(|a| a == c));
        let rejected = PasswordRejected {
            too_short: (length < self.min_length).then_some((length, self.min_length)),
            too_long: length > MAX_PASSWORD_CHARS,
            classes: (has.len() < self.min_classes).then_some((has, self.min_classes)),
            same_as_username: !username.is_empty()
                && password.trim().eq_ignore_ascii_case(username.trim()),
            same_as_before: old_password.is_some_and(|old| old == password),
        };
        if rejected.too_short.is_none()
            && !rejected.too_long
            && rejected.classes.is_none()
            && !rejected.same_as_username
            && !rejected.same_as_before
        {
            Ok(())
        } else {
            Err(rejected)
        }
    }

    /// Whether a password set at `changed_at` must be changed at `now`.
    pub fn expired(&self, changed_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        self.expiry_days
            .is_some_and(|days| now - changed_at >= Duration::days(i64::from(days)))
    }
}

/// Why a user must change their password before anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeReason {
    /// An administrator set it (a new account, or a reset).
    SetByAdministrator,
    /// Older than the policy's expiry.
    Expired,
}

impl ChangeReason {
    pub fn message(self) -> &'static str {
        match self {
            ChangeReason::SetByAdministrator => {
                "您的密码由管理员设置（新建账户或重置密码），请先修改密码后再使用系统"
            }
            ChangeReason::Expired => "您的密码已超过有效期，请先修改密码后再使用系统",
        }
    }
}

/// Whether (and why) an account must change its password before anything else.
pub fn password_change_due(
    policy: &PasswordPolicy,
    set_by_administrator: bool,
    changed_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<ChangeReason> {
    if policy.change_after_admin_set && set_by_administrator {
        Some(ChangeReason::SetByAdministrator)
    } else if policy.expired(changed_at, now) {
        Some(ChangeReason::Expired)
    } else {
        None
    }
}

/// How many failed logins lock an account out, and for how long.
///
/// The tight count is the account from one address: `max_failures` failures in a row
/// (a successful login starts it again) lock it for `lockout_minutes` from the failure
/// that reached the limit. The wider counts (`domain::login`) allow more, so one
/// machine spraying many names, or many machines guessing one, are stopped too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginPolicy {
    pub max_failures: u32,
    pub lockout_minutes: u32,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        LoginPolicy {
            max_failures: 5,
            lockout_minutes: 15,
        }
    }
}

impl LoginPolicy {
    pub fn check(&self) -> Result<(), PolicyError> {
        in_range("登录失败锁定次数", i64::from(self.max_failures), 1, 100)?;
        in_range("锁定时长（分钟）", i64::from(self.lockout_minutes), 1, 1440)
    }

    /// Failed logins a count allows before it refuses.
    pub fn limit(&self, scope: ThrottleScope) -> i64 {
        let n = i64::from(self.max_failures);
        match scope {
            ThrottleScope::AccountFromAddress => n,
            ThrottleScope::Address => n * 4,
            ThrottleScope::Account => n * 10,
        }
    }

    /// How long failures count, and how long a lockout lasts.
    pub fn window(&self) -> Duration {
        Duration::minutes(i64::from(self.lockout_minutes))
    }

    /// The start of the window a failure at `now` still counts in.
    pub fn window_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.window()
    }

    /// What a refused user is told: which count, and when they may try again.
    pub fn refusal(&self, scope: ThrottleScope, until: DateTime<Utc>) -> String {
        let at = until.with_timezone(&crate::CHINA).format("%H:%M");
        match scope {
            ThrottleScope::AccountFromAddress => format!(
                "该账号在本机连续登录失败 {} 次，已锁定 {} 分钟，请于 {at} 后再试，或联系安全管理员解锁",
                self.limit(scope),
                self.lockout_minutes
            ),
            ThrottleScope::Address => {
                format!("本机登录失败次数过多，已暂停登录，请于 {at} 后再试")
            }
            ThrottleScope::Account => {
                format!("该账号登录失败次数过多，已暂时锁定，请于 {at} 后再试或联系安全管理员解锁")
            }
        }
    }

    /// What a user who typed a wrong password is told, with `failures` counted so far
    /// for the account from this address.
    pub fn bad_login(&self, failures: i64) -> String {
        let left = self.limit(ThrottleScope::AccountFromAddress) - failures;
        if left > 0 {
            format!(
                "用户名或密码不正确，还可尝试 {left} 次，之后账号将被锁定 {} 分钟",
                self.lockout_minutes
            )
        } else {
            format!(
                "用户名或密码不正确。连续失败已达 {} 次，账号已锁定 {} 分钟",
                self.limit(ThrottleScope::AccountFromAddress),
                self.lockout_minutes
            )
        }
    }
}

/// How long a login lasts: at most `lifetime` from signing in, and ended by `idle`
/// without a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub lifetime: Duration,
    pub idle: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            lifetime: Duration::hours(12),
            idle: Duration::minutes(30),
        }
    }
}

impl SessionPolicy {
    pub fn check(&self) -> Result<(), PolicyError> {
        in_range("会话最长时间（小时）", self.lifetime.num_hours(), 1, 168)?;
        in_range(
            "会话空闲超时（秒）",
            self.idle.num_seconds(),
            5,
            self.lifetime.num_seconds(),
        )
    }

    /// How stale a session's last-seen time may be before a request records it again:
    /// a tenth of the idle timeout, at most a minute. So a busy session costs a write a
    /// minute, and an idle one still ends within a tenth of its timeout of the limit.
    pub fn touch_interval(&self) -> Duration {
        (self.idle / 10).min(Duration::minutes(1))
    }

    /// Whether a session last seen at `last_seen` has been idle too long at `now`.
    pub fn idle_expired(&self, last_seen: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now - last_seen >= self.idle
    }
}

/// Every identity policy of a deployment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecurityPolicy {
    pub password: PasswordPolicy,
    pub login: LoginPolicy,
    pub session: SessionPolicy,
}

impl SecurityPolicy {
    pub fn check(&self) -> Result<(), PolicyError> {
        self.password.check()?;
        self.login.check()?;
        self.session.check()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_wants_eight_characters_of_three_classes() {
        let p = PasswordPolicy::default();
        assert!(p.check().is_ok());
        assert!(p.check_password("Abcdef12", "zhangsan", None).is_ok());
        assert!(p.check_password("abcdef1!", "zhangsan", None).is_ok());
        assert!(p.check_password("督办abc123", "zhangsan", None).is_ok());
        // Two classes only: says which it has and which it lacks.
        let e = p.check_password("abcdefgh1", "zhangsan", None).unwrap_err();
        assert_eq!(
            e.classes,
            Some((vec![CharClass::Lower, CharClass::Digit], 3))
        );
        let text = e.to_string();
        assert!(
            text.contains("现只有小写字母、数字") && text.contains("还缺大写字母、符号中的1 类"),
            "{text}"
        );
        // Too short and one class: both said at once.
        let e = p.check_password("abc", "zhangsan", None).unwrap_err();
        assert_eq!(e.too_short, Some((3, 8)));
        let text = e.to_string();
        assert!(text.contains("长度只有 3 个字符，至少需要 8 个"), "{text}");
        assert!(text.contains("还缺大写字母、数字、符号中的2 类"), "{text}");
        // Not the username, not the old one, not endless.
        let e = p
            .check_password("Zhang.San1", "zhang.san1", None)
            .unwrap_err();
        assert!(e.same_as_username && e.to_string().contains("不能与用户名相同"));
        let e = p
            .check_password("Old-pass1", "zhangsan", Some("Old-pass1"))
            .unwrap_err();
        assert!(e.same_as_before && e.to_string().contains("不能与原密码相同"));
        assert!(
            p.check_password(&"Aa1".repeat(50), "zhangsan", None)
                .unwrap_err()
                .too_long
        );
    }

    #[test]
    fn the_policy_is_configurable_and_checked() {
        let strict = PasswordPolicy {
            min_length: 12,
            min_classes: 4,
            ..PasswordPolicy::default()
        };
        assert!(strict.check_password("Abcdef12", "u", None).is_err());
        assert!(strict.check_password("Abcdef12!xyz", "u", None).is_ok());
        assert!(
            strict
                .describe()
                .contains("至少 12 个字符，须包含大写字母、小写字母、数字、符号中的至少四类")
        );
        let lax = PasswordPolicy {
            min_length: 6,
            min_classes: 1,
            ..PasswordPolicy::default()
        };
        assert!(lax.check_password("abcdef", "u", None).is_ok());
        let bad = PasswordPolicy {
            min_length: 4,
            ..PasswordPolicy::default()
        };
        assert_eq!(bad.check().unwrap_err().setting, "密码最小长度");
        let bad = PasswordPolicy {
            min_classes: 5,
            ..PasswordPolicy::default()
        };
        assert!(bad.check().is_err());
    }

    #[test]
    fn expiry_is_off_by_default_and_counts_days() {
        let now = Utc::now();
        let p = PasswordPolicy::default();
        assert!(!p.expired(now - Duration::days(3650), now));
        let p = PasswordPolicy {
            expiry_days: Some(90),
            ..PasswordPolicy::default()
        };
        assert!(!p.expired(now - Duration::days(89), now));
        assert!(p.expired(now - Duration::days(90), now));
        assert!(p.describe().contains("每 90 天须更换一次"));
        assert_eq!(
            password_change_due(&p, false, now - Duration::days(91), now),
            Some(ChangeReason::Expired)
        );
        assert_eq!(
            password_change_due(&p, true, now, now),
            Some(ChangeReason::SetByAdministrator)
        );
        assert_eq!(password_change_due(&p, false, now, now), None);
        let off = PasswordPolicy {
            change_after_admin_set: false,
            ..PasswordPolicy::default()
        };
        assert_eq!(password_change_due(&off, true, now, now), None);
    }

    #[test]
    fn lockout_counts_and_messages_follow_the_policy() {
        let p = LoginPolicy {
            max_failures: 3,
            lockout_minutes: 10,
        };
        assert!(p.check().is_ok());
        assert_eq!(p.limit(ThrottleScope::AccountFromAddress), 3);
        assert!(
            p.limit(ThrottleScope::AccountFromAddress) < p.limit(ThrottleScope::Address)
                && p.limit(ThrottleScope::Address) < p.limit(ThrottleScope::Account)
        );
        assert_eq!(p.window(), Duration::minutes(10));
        assert!(p.bad_login(1).contains("还可尝试 2 次"));
        assert!(p.bad_login(3).contains("已锁定 10 分钟"));
        let until = DateTime::parse_from_rfc3339("2026-03-01T02:05:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let text = p.refusal(ThrottleScope::AccountFromAddress, until);
        assert!(
            text.contains("连续登录失败 3 次") && text.contains("请于 10:05 后再试"),
            "{text}"
        );
        assert!(
            LoginPolicy {
                max_failures: 0,
                lockout_minutes: 10
            }
            .check()
            .is_err()
        );
    }

    #[test]
    fn sessions_end_when_idle_and_touch_sparingly() {
        let p = SessionPolicy::default();
        assert!(p.check().is_ok());
        assert_eq!(p.touch_interval(), Duration::minutes(1));
        let now = Utc::now();
        assert!(!p.idle_expired(now - Duration::minutes(29), now));
        assert!(p.idle_expired(now - Duration::minutes(30), now));
        let short = SessionPolicy {
            idle: Duration::seconds(6),
            ..p
        };
        assert_eq!(short.touch_interval(), Duration::milliseconds(600));
        let bad = SessionPolicy {
            idle: Duration::hours(13),
            ..p
        };
        assert!(bad.check().is_err());
    }
}
