//! `duban user`: the accounts, from the server's command line (the host operator,
//! who may also give the three administrators' roles), and the identity policies
//! (`SecurityOptions`) that `serve` enforces and `user` applies to passwords it sets.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, Result, anyhow, bail};
use chrono::{Duration, Utc};
use duban_domain::security::{LoginPolicy, PasswordPolicy, SecurityPolicy, SessionPolicy};
use duban_domain::{Role, Username};
use duban_store::{NewUser, Store};

/// The identity policies (等保 身份鉴别). Every option also reads its environment
/// variable, so `serve` and `user` on one host share them.
#[derive(clap::Args, Debug, Clone)]
pub struct SecurityOptions {
    /// 密码最小长度（6–64）
    #[arg(long, env = "DUBAN_PASSWORD_MIN_LENGTH", default_value_t = 8)]
    pub password_min_length: usize,
    /// 密码须包含大写字母、小写字母、数字、符号中的几类（1–4）
    #[arg(long, env = "DUBAN_PASSWORD_MIN_CLASSES", default_value_t = 3)]
    pub password_min_classes: usize,
    /// 密码有效期（天），到期须修改；0 为不设有效期
    #[arg(long, env = "DUBAN_PASSWORD_EXPIRY_DAYS", default_value_t = 0)]
    pub password_expiry_days: u32,
    /// 管理员设置的密码（新建账户、重置密码）须由用户首次登录时修改：true 或 false
    #[arg(
        long,
        env = "DUBAN_FORCE_PASSWORD_CHANGE",
        default_value_t = true,
        action = clap::ArgAction::Set
    )]
    pub force_password_change: bool,
    /// 连续登录失败几次锁定账号（1–100）
    #[arg(long, env = "DUBAN_LOGIN_MAX_FAILURES", default_value_t = 5)]
    pub login_max_failures: u32,
    /// 锁定时长（分钟，1–1440）
    #[arg(long, env = "DUBAN_LOGIN_LOCKOUT_MINUTES", default_value_t = 15)]
    pub login_lockout_minutes: u32,
    /// 会话空闲超时（秒）：无操作超过此时间自动退出登录
    #[arg(long, env = "DUBAN_SESSION_IDLE_SECONDS", default_value_t = 1800)]
    pub session_idle_seconds: i64,
    /// 每次登录最长有效时间（小时，1–168）
    #[arg(long, env = "DUBAN_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: i64,
}

impl SecurityOptions {
    /// The policies the options describe, checked.
    pub fn policy(&self) -> Result<SecurityPolicy> {
        let policy = SecurityPolicy {
            password: PasswordPolicy {
                min_length: self.password_min_length,
                min_classes: self.password_min_classes,
                expiry_days: (self.password_expiry_days > 0).then_some(self.password_expiry_days),
                change_after_admin_set: self.force_password_change,
            },
            login: LoginPolicy {
                max_failures: self.login_max_failures,
                lockout_minutes: self.login_lockout_minutes,
            },
            session: SessionPolicy {
                lifetime: Duration::hours(self.session_hours),
                idle: Duration::seconds(self.session_idle_seconds),
            },
        };
        policy.check()?;
        Ok(policy)
    }
}

#[derive(clap::Subcommand, Debug)]
pub enum UserCommand {
    /// 新建账户（密码从终端输入，或用 --password-stdin 从标准输入读取一行）
    Add {
        /// 用户名：3 至 32 个小写字母、数字或 _ . -
        username: String,
        /// 角色：admin（管理员）、supervisor（督查室）、reporter（联络员）、unit_head（单位负责人）、leader（领导）、
        /// system_admin（系统管理员）、security_admin（安全管理员）、audit_admin（审计管理员）
        #[arg(long)]
        role: String,
        /// 所属单位（联络员和单位负责人必填；可写简称或别名）
        #[arg(long)]
        unit: Option<String>,
        /// 显示名称，缺省为用户名
        #[arg(long)]
        name: Option<String>,
        /// 从标准输入读取密码
        #[arg(long)]
        password_stdin: bool,
    },
    /// 重置密码（同时注销该账户的所有会话；用户下次登录须先修改密码）
    Passwd {
        username: String,
        /// 从标准输入读取密码
        #[arg(long)]
        password_stdin: bool,
    },
    /// 设置账户接收催办邮件的邮箱（留空则清除）
    Email {
        username: String,
        /// 电子邮箱，如 name@example.gov.cn；写 "" 清除
        email: String,
    },
    /// 列出账户
    List,
    /// 修改账户的角色（同时注销其所有会话）；三员（系统管理员、安全管理员、审计管理员）须由不同账户担任
    Role {
        username: String,
        /// 新角色，同 add 的 --role
        role: String,
        /// 所属单位（新角色为联络员或单位负责人时必填）
        #[arg(long)]
        unit: Option<String>,
    },
    /// 解除账户的动态口令绑定（用户手机丢失时）
    TotpReset { username: String },
    /// 解除账户因登录失败过多而被锁定的状态（并列出近 24 小时的锁定记录）
    Unlock { username: String },
    /// 列出近期的登录锁定记录（何时、哪个账号、哪个地址）
    Lockouts {
        /// 查看最近多少小时
        #[arg(long, default_value_t = 24)]
        hours: i64,
    },
}

fn parse_role(role: &str) -> Result<Role> {
    Role::from_code(role.trim()).ok_or_else(|| {
        anyhow!(
            "未知角色“{role}”：应为 admin、supervisor、reporter、unit_head、leader、system_admin、security_admin 或 audit_admin"
        )
    })
}

async fn canonical_unit(store: &Store, unit: Option<String>) -> Result<Option<String>> {
    match unit {
        Some(written) => {
            let directory = store.directory().await?;
            let found = directory
                .resolve(written.trim())
                .index()
                .and_then(|i| directory.units.get(i));
            Ok(Some(found.map(|u| u.name.clone()).ok_or_else(|| {
                anyhow!(
                    "单位名录中没有“{written}”，请先导入含该单位的通报，或用 duban units 查看名称"
                )
            })?))
        }
        None => Ok(None),
    }
}

fn read_password(from_stdin: bool, policy: &PasswordPolicy, username: &str) -> Result<String> {
    let password = if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("无法从标准输入读取密码")?;
        line.trim_end_matches(['\n', '\r']).to_string()
    } else {
        let first = rpassword::prompt_password("密码：").context("无法读取密码")?;
        let second = rpassword::prompt_password("再输入一次：").context("无法读取密码")?;
        if first != second {
            bail!("两次输入的密码不一致");
        }
        first
    };
    policy.check_password(&password, username, None)?;
    Ok(password)
}

pub async fn user(
    store: &Store,
    command: UserCommand,
    security: &SecurityOptions,
) -> Result<String> {
    let policy = security.policy()?.password;
    match command {
        UserCommand::Add {
            username,
            role,
            unit,
            name,
            password_stdin,
        } => {
            let username = Username::parse(&username)?;
            let role = parse_role(&role)?;
            let unit = canonical_unit(store, unit).await?;
            let password = read_password(password_stdin, &policy, username.as_str())?;
            let user = store
                .create_user(NewUser {
                    display_name: name.unwrap_or_else(|| username.to_string()),
                    username,
                    role,
                    unit,
                    password_hash: duban_web::auth::hash_password(&password)?,
                    must_change_password: true,
                })
                .await?;
            Ok(format!(
                "已新建账户 {}（{}{}）{}",
                user.username,
                user.role.label(),
                user.unit.map(|u| format!("，{u}")).unwrap_or_default(),
                if policy.change_after_admin_set {
                    "；首次登录须修改密码"
                } else {
                    ""
                }
            ))
        }
        UserCommand::Passwd {
            username,
            password_stdin,
        } => {
            let credentials = store
                .user_credentials(username.trim())
                .await?
                .ok_or_else(|| anyhow!("没有账户“{username}”，用 duban user list 查看"))?;
            let password =
                read_password(password_stdin, &policy, credentials.user.username.as_str())?;
            store
                .set_password(
                    credentials.user.id,
                    &duban_web::auth::hash_password(&password)?,
                    true,
                    Utc::now(),
                )
                .await?;
            Ok(format!(
                "已重置 {} 的密码，原有登录已失效{}",
                credentials.user.username,
                if policy.change_after_admin_set {
                    "；下次登录须修改密码"
                } else {
                    ""
                }
            ))
        }
        UserCommand::Email { username, email } => {
            let credentials = store
                .user_credentials(username.trim())
                .await?
                .ok_or_else(|| anyhow!("没有账户“{username}”，用 duban user list 查看"))?;
            let email = match email.trim() {
                "" => None,
                text => Some(duban_domain::reminder::check_email(text)?),
            };
            store
                .set_user_email(credentials.user.id, email.as_deref())
                .await?;
            Ok(match email {
                Some(e) => format!("已设置 {} 的催办邮箱：{e}", credentials.user.username),
                None => format!("已清除 {} 的催办邮箱", credentials.user.username),
            })
        }
        UserCommand::List => {
            let accounts = store.accounts().await?;
            if accounts.is_empty() {
                return Ok("还没有账户。用 duban user add 新建。".into());
            }
            let mut out = String::from("用户名\t显示名称\t角色\t单位\t状态\n");
            for a in accounts {
                let mut state = Vec::new();
                if a.must_change_password {
                    state.push("待修改密码");
                }
                if policy.expired(a.password_changed_at, Utc::now()) {
                    state.push("密码已过期");
                }
                if a.second_factor {
                    state.push("已启用动态口令");
                }
                out.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\n",
                    a.user.username,
                    a.user.display_name,
                    a.user.role.label(),
                    a.user.unit.unwrap_or_else(|| "—".into()),
                    if state.is_empty() {
                        "正常".to_string()
                    } else {
                        state.join("、")
                    }
                ));
            }
            Ok(out.trim_end().to_string())
        }
        UserCommand::Role {
            username,
            role,
            unit,
        } => {
            let credentials = store
                .user_credentials(username.trim())
                .await?
                .ok_or_else(|| anyhow!("没有账户“{username}”，用 duban user list 查看"))?;
            let role = parse_role(&role)?;
            let unit = canonical_unit(store, unit).await?;
            let user = store
                .set_role(credentials.user.id, role, unit.as_deref(), true)
                .await?;
            Ok(format!(
                "已将 {} 的角色改为{}{}，原有登录已失效",
                user.username,
                user.role.label(),
                user.unit.map(|u| format!("（{u}）")).unwrap_or_default()
            ))
        }
        UserCommand::TotpReset { username } => {
            let credentials = store
                .user_credentials(username.trim())
                .await?
                .ok_or_else(|| anyhow!("没有账户“{username}”，用 duban user list 查看"))?;
            if credentials.totp_secret.is_none() {
                return Ok(format!("账户 {} 未启用动态口令", credentials.user.username));
            }
            store.set_totp_secret(credentials.user.id, None).await?;
            Ok(format!(
                "已解除 {} 的动态口令绑定，该账户下次登录只需密码，可在“本人账户”中重新绑定",
                credentials.user.username
            ))
        }
        UserCommand::Unlock { username } => {
            let cleared = store.unlock_account(&username).await?;
            Ok(if cleared == 0 {
                format!("账户“{}”当前没有被锁定", username.trim())
            } else {
                format!("已解除账户“{}”的登录锁定", username.trim())
            })
        }
        UserCommand::Lockouts { hours } => {
            let since = Utc::now() - Duration::hours(hours.max(0));
            let lockouts = store.lockouts_since(since).await?;
            if lockouts.is_empty() {
                return Ok(format!("近 {hours} 小时没有登录锁定"));
            }
            let mut out = String::from("开始时间（UTC）\t范围\t账号\t地址\n");
            for l in lockouts {
                let scope = match l.scope {
                    duban_domain::login::ThrottleScope::AccountFromAddress => "账号+地址",
                    duban_domain::login::ThrottleScope::Address => "地址",
                    duban_domain::login::ThrottleScope::Account => "账号",
                };
                out.push_str(&format!(
                    "{}\t{scope}\t{}\t{}\n",
                    l.at.format("%Y-%m-%d %H:%M:%S"),
                    if l.account.is_empty() {
                        "—"
                    } else {
                        &l.account
                    },
                    if l.address.is_empty() {
                        "—"
                    } else {
                        &l.address
                    },
                ));
            }
            Ok(out.trim_end().to_string())
        }
    }
}
