//! Sending reminders: e-mail over SMTP (lettre) and the group robots of 政务钉钉 /
//! 企业微信 (a JSON POST to their webhook), and the tick every `duban serve` runs each
//! minute: make the automatic reminders due now, then send what is due, each delivery
//! claimed by one server ([`duban_store::Store::claim_deliveries`]). A failure is
//! recorded with its error and tried again later with backoff, never dropped.

use std::time::Duration;

use chrono::Utc;
use duban_domain::reminder::{Channel, ReminderPolicy};
use duban_store::{ClaimedDelivery, ReminderChannels, Store, StoreError};
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;

/// Where e-mail goes out: an SMTP server reached without TLS (an office's relay on its
/// own network), as `--smtp-host` and the options beside it say.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    /// `督查室 <duchashi@example.gov.cn>` or a bare address.
    pub from: Mailbox,
    /// User name and password, when the server asks for them.
    pub credentials: Option<(String, String)>,
}

impl std::fmt::Debug for SmtpSettings {
    /// Without the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from)
            .field("user", &self.credentials.as_ref().map(|c| &c.0))
            .finish()
    }
}

/// The message format a robot's webhook takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WebhookFormat {
    /// `{"msgtype":"text","text":{"content":…}}`: 钉钉 / 政务钉钉 and 企业微信 alike.
    #[default]
    Text,
    /// 钉钉's markdown: `{"msgtype":"markdown","markdown":{"title":…,"text":…}}`.
    DingTalkMarkdown,
    /// 企业微信's markdown: `{"msgtype":"markdown","markdown":{"content":…}}`.
    WeComMarkdown,
}

impl WebhookFormat {
    pub fn from_code(code: &str) -> Option<WebhookFormat> {
        match code {
            "text" => Some(WebhookFormat::Text),
            "dingtalk-markdown" => Some(WebhookFormat::DingTalkMarkdown),
            "wecom-markdown" => Some(WebhookFormat::WeComMarkdown),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct WebhookSettings {
    pub url: String,
    pub format: WebhookFormat,
}

/// How this server reminds: when (the policy) and through which channels besides
/// the app.
#[derive(Debug, Clone, Default)]
pub struct ReminderSettings {
    pub policy: ReminderPolicy,
    pub smtp: Option<SmtpSettings>,
    pub webhook: Option<WebhookSettings>,
}

impl ReminderSettings {
    /// The channels new reminders go out on.
    pub fn channels(&self) -> ReminderChannels {
        ReminderChannels {
            email: self.smtp.is_some(),
            webhook: self.webhook.is_some(),
        }
    }
}

/// What one tick did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReminderTick {
    /// Automatic reminders made.
    pub made: usize,
    pub sent: usize,
    /// Attempts that failed (each recorded, and retried or shown as failed).
    pub failed: Vec<String>,
}

/// How long one SMTP conversation or webhook request may take.
const SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// Deliveries claimed at once; a tick claims again until nothing is due (at most
/// [`MAX_PER_TICK`]).
const BATCH: u32 = 20;
const MAX_PER_TICK: usize = 500;

/// The robot's JSON for `text` in `format`.
pub fn webhook_body(format: WebhookFormat, subject: &str, body: &str) -> serde_json::Value {
    match format {
        WebhookFormat::Text => serde_json::json!({
            "msgtype": "text",
            "text": { "content": format!("{subject}\n{body}") },
        }),
        WebhookFormat::DingTalkMarkdown => serde_json::json!({
            "msgtype": "markdown",
            "markdown": { "title": subject, "text": format!("#### {subject}\n\n{body}") },
        }),
        WebhookFormat::WeComMarkdown => serde_json::json!({
            "msgtype": "markdown",
            "markdown": { "content": format!("**{subject}**\n{body}") },
        }),
    }
}

/// Sends one e-mail; the error as the office reads it.
async fn send_email(
    smtp: &SmtpSettings,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    delivery: &ClaimedDelivery,
) -> Result<(), String> {
    let address = delivery.address.as_deref().unwrap_or_default();
    let to: Mailbox = address
        .parse()
        .map_err(|e| format!("收件地址“{address}”无效：{e}"))?;
    let message = Message::builder()
        .from(smtp.from.clone())
        .to(to)
        .subject(&delivery.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(delivery.body.clone())
        .map_err(|e| format!("邮件无法生成：{e}"))?;
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| format!("经 SMTP 服务器 {}:{} 发送失败：{e}", smtp.host, smtp.port))
}

/// Posts one robot message. A robot answers 200 with `{"errcode":0}` when it took the
/// message; any other status or `errcode` is a failure.
async fn send_webhook(
    webhook: &WebhookSettings,
    client: &reqwest::Client,
    delivery: &ClaimedDelivery,
) -> Result<(), String> {
    let body = webhook_body(webhook.format, &delivery.subject, &delivery.body);
    let response = client
        .post(&webhook.url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        )
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| format!("工作群机器人地址无法访问：{}", without_url(&e)))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(format!(
            "工作群机器人拒收（HTTP {status}）：{}",
            snippet(&text)
        ));
    }
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(answer) => match answer.get("errcode").and_then(serde_json::Value::as_i64) {
            None | Some(0) => Ok(()),
            Some(code) => Err(format!(
                "工作群机器人拒收（errcode {code}）：{}",
                answer
                    .get("errmsg")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
            )),
        },
        // Not JSON but 2xx: taken.
        Err(_) => Ok(()),
    }
}

/// A request error without the URL (a robot's URL carries its access token).
fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text.replace(url.as_str(), "（机器人地址）");
    }
    text
}

fn snippet(text: &str) -> String {
    text.chars().take(200).collect()
}

/// Sends every delivery due now that this server claims, recording each outcome.
pub async fn send_due(
    store: &Store,
    settings: &ReminderSettings,
) -> Result<ReminderTick, StoreError> {
    let mut tick = ReminderTick::default();
    let transport = settings.smtp.as_ref().map(|smtp| {
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
            .port(smtp.port)
            .timeout(Some(SEND_TIMEOUT));
        if let Some((user, password)) = &smtp.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        builder.build()
    });
    let client = reqwest::Client::builder()
        .timeout(SEND_TIMEOUT)
        .build()
        .map_err(|e| StoreError::Corrupt(format!("HTTP 客户端无法创建：{e}")))?;
    let mut handled = 0;
    while handled < MAX_PER_TICK {
        let claimed = store.claim_deliveries(Utc::now(), BATCH).await?;
        if claimed.is_empty() {
            break;
        }
        handled += claimed.len();
        for delivery in claimed {
            let result = match (
                delivery.channel,
                &settings.smtp,
                &transport,
                &settings.webhook,
            ) {
                (Channel::Email, Some(smtp), Some(transport), _) => {
                    send_email(smtp, transport, &delivery).await
                }
                (Channel::Webhook, _, _, Some(webhook)) => {
                    send_webhook(webhook, &client, &delivery).await
                }
                (Channel::Email, ..) => {
                    Err("本服务器未配置 SMTP 服务器（--smtp-host），无法发送邮件".into())
                }
                (Channel::Webhook, ..) => {
                    Err("本服务器未配置工作群机器人地址（--webhook-url），无法发送".into())
                }
                (Channel::App, ..) => Ok(()),
            };
            match &result {
                Ok(()) => tick.sent += 1,
                Err(e) => {
                    tracing::warn!(
                        delivery = delivery.id.0,
                        attempt = delivery.attempt,
                        "催办发送失败：{e}"
                    );
                    tick.failed.push(e.clone());
                }
            }
            store.record_delivery(&delivery, result, Utc::now()).await?;
        }
    }
    Ok(tick)
}

/// One tick: makes the automatic reminders due now, then sends what is due.
pub async fn tick(store: &Store, settings: &ReminderSettings) -> Result<ReminderTick, StoreError> {
    let made = store
        .create_due_reminders(&settings.policy, settings.channels(), Utc::now())
        .await?;
    let mut tick = send_due(store, settings).await?;
    tick.made = made.len();
    Ok(tick)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robot_messages_are_in_the_robots_format() {
        let text = webhook_body(WebhookFormat::Text, "【催办】主题", "正文");
        assert_eq!(
            text,
            serde_json::json!({"msgtype": "text", "text": {"content": "【催办】主题\n正文"}})
        );
        let ding = webhook_body(WebhookFormat::DingTalkMarkdown, "主题", "正文");
        assert_eq!(ding["markdown"]["title"], "主题");
        assert!(
            ding["markdown"]["text"]
                .as_str()
                .is_some_and(|t| t.ends_with("正文"))
        );
        let wecom = webhook_body(WebhookFormat::WeComMarkdown, "主题", "正文");
        assert_eq!(wecom["markdown"]["content"], "**主题**\n正文");
        assert_eq!(
            WebhookFormat::from_code("wecom-markdown"),
            Some(WebhookFormat::WeComMarkdown)
        );
        assert_eq!(WebhookFormat::from_code("sms"), None);
    }
}
