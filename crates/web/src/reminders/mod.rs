//! Reminders (催办): every account's in-app notifications (unread count in the header,
//! mark as read), the office's view of every reminder with its deliveries, read
//! receipts and failures, manual reminders from a task or round page, and the tick
//! that makes and sends the automatic ones (`deliver`).
//!
//! Pages (`pages`) and API (`api`) share the functions below (data + authorisation):
//! an account sees only its own notifications (so a unit only its own); the office
//! (admin, supervisor) sees every reminder and sends manual ones.

mod api;
pub mod deliver;
mod pages;

use axum::Router;
use axum::routing::{get, post};
use chrono::Utc;
use duban_domain::limits;
use duban_domain::reminder::check_email;
use duban_store::{
    DeliveryId, DocumentId, Notification, ReminderId, ReminderTarget, ReminderView, RoundId, User,
};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::{OFFICE, require};
use crate::error::AppError;

pub use deliver::{ReminderSettings, ReminderTick, SmtpSettings, WebhookFormat, WebhookSettings};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(pages::notifications))
        .route("/notifications/count", get(pages::count))
        .route("/notifications/read", post(pages::read_all))
        .route("/notifications/{id}/read", post(pages::read))
        .route("/notifications/email", post(pages::email))
        .route("/reminders", get(pages::reminders))
        .route("/reminders/deliveries/{id}/retry", post(pages::retry))
        .route("/rounds/{id}/remind", post(pages::remind_round))
        .route(
            "/documents/{document}/tasks/{number}/remind",
            post(pages::remind_task),
        )
}

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(api::notifications))
        .route("/notifications/read", post(api::read_all))
        .route("/notifications/{id}/read", post(api::read))
        .route("/notifications/email", post(api::email))
        .route("/reminders", get(api::reminders).post(api::remind))
        .route("/reminders/deliveries/{id}/retry", post(api::retry))
}

/// Notifications shown at once.
const NOTIFICATIONS: u32 = 200;
/// Reminders the office's page and API show at once.
const REMINDERS: u32 = 300;

/// An account's notifications, newest first, with how many are unread.
#[derive(Debug, Clone, Serialize)]
pub struct Inbox {
    pub unread: u64,
    pub notifications: Vec<Notification>,
    /// The account's address for e-mail reminders.
    pub email: Option<String>,
}

/// The signed-in account's own notifications. Every account.
pub async fn inbox(state: &AppState, user: &User) -> Result<Inbox, AppError> {
    Ok(Inbox {
        unread: state.store.unread_notifications(user.id).await?,
        notifications: state.store.notifications(user.id, NOTIFICATIONS).await?,
        email: state.store.user_email(user.id).await?,
    })
}

/// Marks one of the account's own notifications read (`None`: all). Another
/// account's notification is not found, whoever asks.
pub async fn mark_read(state: &AppState, user: &User, id: Option<i64>) -> Result<u64, AppError> {
    let changed = state
        .store
        .mark_notifications_read(user.id, id.map(DeliveryId), Utc::now())
        .await?;
    if let Some(id) = id
        && changed == 0
    {
        let own = state.store.notifications(user.id, u32::MAX).await?;
        if !own.iter().any(|n| n.id.0 == id) {
            return Err(AppError::NotFound("该通知"));
        }
    }
    Ok(changed)
}

/// Sets (or with an empty text clears) the account's own e-mail address.
pub async fn set_email(
    state: &AppState,
    user: &User,
    email: &str,
) -> Result<Option<String>, AppError> {
    let email = match email.trim() {
        "" => None,
        text => Some(check_email(text).map_err(|e| AppError::BadRequest(e.to_string()))?),
    };
    state
        .store
        .set_user_email(user.id, email.as_deref())
        .await?;
    Ok(email)
}

/// Which reminders to list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReminderQuery {
    #[serde(default)]
    pub round: Option<i64>,
    #[serde(default)]
    pub document: Option<i64>,
}

/// Every reminder (of one round or document), newest first, with deliveries, read
/// receipts and errors. Office only.
pub async fn list(
    state: &AppState,
    user: &User,
    query: &ReminderQuery,
) -> Result<Vec<ReminderView>, AppError> {
    require(user, OFFICE)?;
    Ok(state
        .store
        .reminders(
            query.round.map(RoundId),
            query.document.map(DocumentId),
            REMINDERS,
        )
        .await?)
}

/// A manual reminder, as the API takes it: a round, or a task of a document.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RemindRequest {
    #[serde(default)]
    pub round: Option<i64>,
    #[serde(default)]
    pub document: Option<i64>,
    #[serde(default)]
    pub task: Option<u32>,
    /// 附言, added to the message.
    #[serde(default)]
    pub note: Option<String>,
}

impl RemindRequest {
    fn target(&self) -> Result<ReminderTarget, AppError> {
        match (self.round, self.document, self.task) {
            (Some(round), None, None) => Ok(ReminderTarget::Round(RoundId(round))),
            (None, Some(document), Some(task)) => {
                Ok(ReminderTarget::Task(DocumentId(document), task))
            }
            _ => Err(AppError::BadRequest(
                "请指定催办对象：填报轮次（round），或文件及任务序号（document 和 task）".into(),
            )),
        }
    }
}

/// Sends manual reminders (人工催办) to every unit that still owes what the request
/// names; returns them. Office only. None is an error saying nobody owes anything.
pub async fn remind(
    state: &AppState,
    user: &User,
    request: &RemindRequest,
) -> Result<Vec<ReminderId>, AppError> {
    require(user, OFFICE)?;
    let target = request.target()?;
    let note = request
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if let Some(note) = note {
        limits::COMMENT.check(note)?;
    }
    let made = state
        .store
        .create_manual_reminders(
            target,
            note,
            state.settings.reminders.channels(),
            user.id,
            Utc::now(),
        )
        .await?;
    if made.is_empty() {
        return Err(AppError::BadRequest(match target {
            ReminderTarget::Round(_) => "本轮各单位均已报送（或轮次已关闭），无需催办".into(),
            ReminderTarget::Task(..) => {
                "该任务的各单位均已签收并报送（或没有进行中的填报轮次），无需催办".into()
            }
        }));
    }
    Ok(made)
}

/// Sends a failed delivery again from its first attempt. Office only.
pub async fn retry(state: &AppState, user: &User, id: i64) -> Result<(), AppError> {
    require(user, OFFICE)?;
    if state
        .store
        .retry_delivery(DeliveryId(id), Utc::now())
        .await?
    {
        Ok(())
    } else {
        Err(AppError::NotFound("该发送失败的催办"))
    }
}
