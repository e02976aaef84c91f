//! `duban serve`, `duban demo` and `duban user`: the web app and its accounts.

use std::net::SocketAddr;

use anyhow::{Context, Result, anyhow, bail};
use chrono::{Duration, Utc};
use duban_domain::reminder::ReminderPolicy;
use duban_domain::{Role, Username};
use duban_store::{NewRound, NewUser, SaveOutcome, Store};
use duban_web::reminders::{ReminderSettings, SmtpSettings, WebhookFormat, WebhookSettings};
use duban_web::{AppState, Settings};

/// Options shared by `serve` and `demo`.
#[derive(clap::Args, Debug, Clone)]
pub struct ServeOptions {
    /// 监听地址
    #[arg(long, env = "DUBAN_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// 经 HTTPS 提供服务时加上，Cookie 将带 Secure 标记
    #[arg(long, env = "DUBAN_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// 部署在反向代理之后时，代理传递客户端地址所用的请求头（如 X-Forwarded-For、X-Real-IP）。
    /// 设置后才信任该请求头和 X-Forwarded-Proto（为 https 时 Cookie 自动带 Secure 标记）
    #[arg(long, env = "DUBAN_CLIENT_ADDRESS_HEADER", value_parser = parse_header_name)]
    pub client_address_header: Option<duban_web::HeaderName>,
    /// 每隔多少秒检查一次定期计划、开启到期的填报轮次（启动时先检查一次）
    #[arg(
        long,
        env = "DUBAN_SCHEDULE_INTERVAL",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(1..=86_400)
    )]
    pub schedule_interval: u64,
    #[command(flatten)]
    pub reminders: ReminderOptions,
    #[command(flatten)]
    pub security: crate::user_cmd::SecurityOptions,
}

/// When reminders (催办) fall due and how they go out, besides the in-app notification.
#[derive(clap::Args, Debug, Clone)]
pub struct ReminderOptions {
    /// 签收期限前几天提醒（逗号分隔，如 1；留空不提醒）
    #[arg(long, env = "DUBAN_REMIND_ACK_DAYS", default_value = "1")]
    pub remind_ack_days: String,
    /// 报送截止前几天提醒（逗号分隔，如 3,1；留空不提醒）
    #[arg(long, env = "DUBAN_REMIND_REPORT_DAYS", default_value = "3,1")]
    pub remind_report_days: String,
    /// 逾期后第几天催办（1 为截止日期次日）
    #[arg(long, env = "DUBAN_REMIND_LAPSE_DAYS", default_value_t = 1)]
    pub remind_lapse_days: u32,
    /// 发送催办邮件的 SMTP 服务器（不设则不发邮件）；以明文 SMTP 连接，适用于单位内网邮件中继
    #[arg(long, env = "DUBAN_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// SMTP 端口
    #[arg(long, env = "DUBAN_SMTP_PORT", default_value_t = 25)]
    pub smtp_port: u16,
    /// 发件人，如 "区政府督查室 <duchashi@example.gov.cn>"（设了 SMTP 服务器时必填）
    #[arg(long, env = "DUBAN_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// SMTP 登录用户名（服务器要求认证时）
    #[arg(long, env = "DUBAN_SMTP_USER")]
    pub smtp_user: Option<String>,
    /// SMTP 登录密码（建议用环境变量 DUBAN_SMTP_PASSWORD 传入）
    #[arg(long, env = "DUBAN_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// 政务钉钉、企业微信群机器人的 Webhook 地址（不设则不发）
    #[arg(long, env = "DUBAN_WEBHOOK_URL", hide_env_values = true)]
    pub webhook_url: Option<String>,
    /// 群机器人消息格式：text（钉钉、企业微信通用）、dingtalk-markdown 或 wecom-markdown
    #[arg(long, env = "DUBAN_WEBHOOK_FORMAT", default_value = "text")]
    pub webhook_format: String,
}

fn days_list(text: &str, option: &str) -> Result<Vec<u32>> {
    text.split([',', '，'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse()
                .map_err(|_| anyhow!("{option} 中的“{t}”应为天数（非负整数），如 3,1"))
        })
        .collect()
}

impl ReminderOptions {
    /// The settings the options describe, checked.
    pub fn settings(&self) -> Result<ReminderSettings> {
        let policy = ReminderPolicy {
            ack_days_before: days_list(&self.remind_ack_days, "--remind-ack-days")?,
            report_days_before: days_list(&self.remind_report_days, "--remind-report-days")?,
            lapse_days_after: self.remind_lapse_days,
        };
        policy.check()?;
        let smtp = match &self.smtp_host {
            None => None,
            Some(host) => {
                let from = self.smtp_from.as_deref().ok_or_else(|| {
                    anyhow!("设了 --smtp-host 时还须用 --smtp-from 指定发件人，如 \"区政府督查室 <duchashi@example.gov.cn>\"")
                })?;
                let from = from.parse().map_err(|e| {
                    anyhow!("--smtp-from“{from}”不是有效的发件人：{e}；应形如 \"区政府督查室 <duchashi@example.gov.cn>\"")
                })?;
                let credentials = match (&self.smtp_user, &self.smtp_password) {
                    (Some(user), Some(password)) => Some((user.clone(), password.clone())),
                    (None, None) => None,
                    _ => bail!("--smtp-user 和 --smtp-password 须同时设置"),
                };
                Some(SmtpSettings {
                    host: host.trim().to_string(),
                    port: self.smtp_port,
                    from,
                    credentials,
                })
            }
        };
        let webhook = match &self.webhook_url {
            None => None,
            Some(url) => {
                let url = url.trim();
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    bail!("--webhook-url 应以 http:// 或 https:// 开头");
                }
                let format = WebhookFormat::from_code(self.webhook_format.trim()).ok_or_else(|| {
                    anyhow!(
                        "--webhook-format“{}”未知：应为 text、dingtalk-markdown 或 wecom-markdown",
                        self.webhook_format
                    )
                })?;
                Some(WebhookSettings {
                    url: url.to_string(),
                    format,
                })
            }
        };
        Ok(ReminderSettings {
            policy,
            smtp,
            webhook,
        })
    }
}

fn parse_header_name(text: &str) -> Result<duban_web::HeaderName, String> {
    duban_web::HeaderName::from_bytes(text.trim().as_bytes())
        .map_err(|_| format!("“{text}”不是有效的 HTTP 请求头名称，例如 X-Forwarded-For"))
}

/// The schedule tick: opens the reporting rounds due now at start and then every
/// `interval`, printing what it opened. Several servers on one database may tick at
/// once; the store opens each round once. A failed tick is logged and the next one
/// tries again: it never stops the server.
fn spawn_schedule_tick(
    store: Store,
    interval: std::time::Duration,
    reminders: ReminderSettings,
    security: duban_domain::security::SecurityPolicy,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The China date the escalation rule was last applied on by this process.
        let mut escalated_on = None;
        loop {
            ticks.tick().await;
            // Each tick in a task of its own, so even a panic in it is only logged.
            let once = store.clone();
            let tick =
                tokio::spawn(async move { duban_web::schedules::open_due_rounds(&once).await });
            match tick.await {
                Ok(Ok(outcome)) => {
                    for o in &outcome.opened {
                        println!(
                            "定期计划 {} 已开启填报轮次“{}”（文件 {}，截止 {}）：/rounds/{}",
                            o.schedule, o.label, o.document, o.due, o.round
                        );
                    }
                    if !outcome.opened.is_empty() {
                        use std::io::Write;
                        let _ = std::io::stdout().flush();
                    }
                }
                Ok(Err(e)) => eprintln!("定期计划检查失败（下次再试）：{e}"),
                Err(e) => eprintln!("定期计划检查异常中止（下次再试）：{e}"),
            }
            // Then the reminders due now, and what is to be sent (each claimed once).
            let (once, settings) = (store.clone(), reminders.clone());
            let sent =
                tokio::spawn(
                    async move { duban_web::reminders::deliver::tick(&once, &settings).await },
                );
            match sent.await {
                Ok(Ok(tick)) => {
                    if tick.made + tick.sent > 0 || !tick.failed.is_empty() {
                        println!(
                            "催办：新建 {} 条，发出 {} 条，失败 {} 条（稍后重试）",
                            tick.made,
                            tick.sent,
                            tick.failed.len()
                        );
                        use std::io::Write;
                        let _ = std::io::stdout().flush();
                    }
                }
                Ok(Err(e)) => eprintln!("催办发送失败（下次再试）：{e}"),
                Err(e) => eprintln!("催办发送异常中止（下次再试）：{e}"),
            }
            // Housekeeping: sessions ended by their lifetime or idle timeout, and login
            // counts whose window is over, are deleted (they no longer let anyone in).
            let now = Utc::now();
            if let Err(e) = store.purge_sessions(now, now - security.session.idle).await {
                eprintln!("清理过期会话失败（下次再试）：{e}");
            }
            if let Err(e) = store.purge_login_throttle(now, &security.login).await {
                eprintln!("清理登录计数失败（下次再试）：{e}");
            }
            // Audit entries committed but not yet chained (a server stopped between a
            // commit and its link): chained now.
            if let Err(e) = store.link_audit().await {
                eprintln!("审计记录链接失败（下次再试）：{e}");
            }
            // Once a day, the escalation ladder's rule over the rounds due so far (it
            // records each step once, whichever server or click applies it first).
            let today = duban_domain::china_date(Utc::now());
            if escalated_on != Some(today) {
                match store.apply_escalation_rule(today, Utc::now()).await {
                    Ok(steps) => {
                        escalated_on = Some(today);
                        for s in &steps {
                            println!("督办升级：{} 升为“{}”（{}）", s.unit, s.step, s.reason);
                        }
                    }
                    Err(e) => eprintln!("督办升级评定失败（下次再试）：{e}"),
                }
            }
        }
    })
}

pub async fn serve(store: Store, options: &ServeOptions, banner: Option<String>) -> Result<()> {
    let state = AppState::new(
        store,
        Settings {
            secure_cookies: options.secure_cookies,
            client_address_header: options.client_address_header.clone(),
            reminders: options.reminders.settings()?,
            security: options.security.policy()?,
        },
    )
    .context("页面模板加载失败")?;
    let listener = tokio::net::TcpListener::bind(options.bind)
        .await
        .with_context(|| {
            format!(
                "无法监听 {}：端口可能已被占用，请用 --bind 换一个地址",
                options.bind
            )
        })?;
    let address = listener.local_addr().context("无法读取监听地址")?;
    println!("督办已启动：http://{address}/  （按 Ctrl-C 停止）");
    if let Some(banner) = banner {
        println!("{banner}");
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    // After the banner, so what the first tick prints comes below it.
    let tick = spawn_schedule_tick(
        state.store.clone(),
        std::time::Duration::from_secs(options.schedule_interval),
        state.settings.reminders.clone(),
        state.settings.security.clone(),
    );
    let store = state.store.clone();
    let served = duban_web::serve(state, listener)
        .await
        .context("服务异常退出");
    tick.abort();
    // Lets the group-commit writer finish and answer what is queued, then closes the
    // connections (a checkpoint of the WAL).
    store.close().await;
    served
}

/// Demo accounts: (username, display name, role, unit).
const DEMO_ACCOUNTS: &[(&str, &str, Role, Option<&str>)] = &[
    ("admin", "督查室管理员", Role::Admin, None),
    ("xtgly", "系统管理员", Role::SystemAdmin, None),
    ("aqgly", "安全管理员", Role::SecurityAdmin, None),
    ("sjgly", "审计管理员", Role::AuditAdmin, None),
    ("duchashi", "区政府督查室", Role::Supervisor, None),
    ("lingdao", "区政府领导", Role::Leader, None),
    (
        "fgj.lly",
        "区发改局联络员",
        Role::Reporter,
        Some("区发改局"),
    ),
    (
        "fgj.fzr",
        "区发改局负责人",
        Role::UnitHead,
        Some("区发改局"),
    ),
    (
        "czj.lly",
        "区财政局联络员",
        Role::Reporter,
        Some("区财政局"),
    ),
    (
        "czj.fzr",
        "区财政局负责人",
        Role::UnitHead,
        Some("区财政局"),
    ),
];

/// Loads the seed, opens a reporting round and creates the demo accounts with fresh
/// random passwords (so none survives a restart as a known default). Returns the
/// banner listing the accounts.
pub async fn prepare_demo(store: &Store, seed: &str, seed_name: &str) -> Result<String> {
    let directory = store.directory().await?;
    let notice = duban_formats::import(seed.as_bytes(), None, &directory)
        .map_err(|e| anyhow!("示例通报：{e}"))?;
    let outcome = store.save_notice(&notice, seed_name, false).await?;
    let document = outcome.id();
    let mut banner = String::from(
        "示例通报 泉鲤政办〔2020〕48号 已导入：它本身就是一轮已关闭的填报（通报所载进展），\n\
         另已开启下一轮“1-11月”填报。建议先用 duchashi（督查室）登录，查看“填报轮次”和“本轮通报”。\n\
         未指定 --database-url 时数据只保存在内存中，退出即清除；如需保留，请加 --database-url sqlite://demo.db。\n\
         演示账户（密码每次启动随机生成）：\n",
    );
    let mut supervisor = None;
    for (username, name, role, unit) in DEMO_ACCOUNTS {
        let password = duban_web::auth::new_token().0[..12].to_string();
        let hash = duban_web::auth::hash_password(&password)?;
        let user = match store.user_credentials(username).await? {
            Some(existing) => {
                // Demo passwords are printed for the person trying it: no forced change.
                store
                    .set_password(existing.user.id, &hash, false, Utc::now())
                    .await?;
                existing.user
            }
            None => {
                store
                    .create_user(NewUser {
                        username: Username::parse(username)?,
                        display_name: (*name).to_string(),
                        role: *role,
                        unit: unit.map(str::to_string),
                        password_hash: hash,
                        must_change_password: false,
                    })
                    .await?
            }
        };
        if *role == Role::Supervisor {
            supervisor = Some(user.id);
        }
        banner.push_str(&format!(
            "  {:<10} {:<14} {}{}\n",
            username,
            password,
            role.label(),
            unit.map(|u| format!("（{u}）")).unwrap_or_default()
        ));
    }
    // The seed is a closed round of its own (its cells are the units' reports); the
    // demo opens the next one.
    if matches!(outcome, SaveOutcome::Created(_))
        && store.latest_round(Some(document)).await?.is_none()
    {
        let by = supervisor.ok_or_else(|| anyhow!("演示账户缺少督查室"))?;
        // The office issues its notices as the seed was issued: the next is 49号.
        if store.notice_setup().await?.is_none()
            && let (Some(issuer), Some(number)) =
                (&notice.document.issuer, &notice.document.doc_number)
        {
            let setup = duban_store::NoticeSetup {
                settings: duban_domain::round_notice::NoticeSettings {
                    issuer: issuer.clone(),
                    office: "区政府督查室".into(),
                    signatory: None,
                    recipients: Vec::new(),
                    disclosure: duban_domain::Disclosure::Active,
                    signature_layout: duban_domain::SignatureLayout::Sealed,
                },
                series: duban_domain::round_notice::DocSeries {
                    agency: number.agency.clone(),
                    year: i32::from(number.year),
                    next_serial: number.serial + 1,
                },
            };
            store.set_notice_setup(&setup, by, Utc::now()).await?;
        }
        let due = (Utc::now() + Duration::days(14)).date_naive();
        store
            .open_round(
                NewRound {
                    document,
                    label: "1-11月".into(),
                    due,
                    tasks: None,
                },
                by,
                Utc::now(),
            )
            .await?;
        // 交办 too, so the units have something to acknowledge (签收) in the demo.
        let ack_due = (Utc::now() + Duration::days(3)).date_naive();
        store
            .assign_document(document, ack_due, by, Utc::now())
            .await?;
    }
    Ok(banner)
}
