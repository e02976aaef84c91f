//! The audit log for the office's auditors: the whole log filtered, a task's history
//! and a user's history, each read from the log (`duban_store::audit`), and exports of
//! what a filter selects as XLSX and CSV. Who may read it is [`AUDIT_READERS`].
//!
//! Also the middleware that names who acts for every write a request makes
//! ([`context`]) and logs every download the app serves as an `export` event.

mod pages;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use chrono::NaiveDate;
use duban_domain::Role;
use duban_store::audit::{Actor, AuditFilter, Entry};
use duban_store::{User, UserId};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::require;
use crate::error::AppError;

/// Who may read and export the audit log: the 审计管理员 alone (三员分立).
pub const AUDIT_READERS: &[Role] = crate::auth::AUDIT_ADMINS;

/// Whether `role` may read the audit log (for the navigation and links).
pub fn may_read(role: Role) -> bool {
    AUDIT_READERS.contains(&role)
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(pages::log))
        .route("/audit/export.csv", get(pages::export_csv))
        .route("/audit/export.xlsx", get(pages::export_xlsx))
        .route("/audit/users/{id}", get(pages::user_history))
        .route(
            "/documents/{document}/tasks/{number}/history",
            get(pages::task_history),
        )
}

/// Runs the request with who acts named for the store: the client's address and the
/// request at first, the account once the login extractor has found it
/// (`duban_store::audit::identify`). A successful download (a response with
/// `Content-Disposition`) is then logged as an `export` event.
pub(crate) async fn context(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let client = crate::auth::client_of(&parts, &state.settings);
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_string(), ToString::to_string);
    let actor = Actor::anonymous(client.address, format!("{} {target}", parts.method));
    let request = Request::from_parts(parts, body);
    duban_store::audit::scope(actor, async {
        let response = next.run(request).await;
        if response.status().is_success()
            && let Some(disposition) = response
                .headers()
                .get(header::CONTENT_DISPOSITION)
                .and_then(|v| v.to_str().ok())
        {
            let file = download_name(disposition);
            let logged = state
                .store
                .record_event("export", Some(&target), serde_json::json!({ "file": file }))
                .await;
            if let Err(e) = logged {
                // The download has been made; a log that cannot be written is an error
                // the operator must see, but the user's file is not withheld for it.
                tracing::error!(error = %e, "下载未能记入审计日志");
            }
        }
        response
    })
    .await
}

/// The file name a `Content-Disposition` value gives (its `filename*`, decoded, else
/// its `filename`).
fn download_name(disposition: &str) -> String {
    for part in disposition.split(';').map(str::trim) {
        if let Some(encoded) = part.strip_prefix("filename*=UTF-8''") {
            return percent_encoding::percent_decode_str(encoded)
                .decode_utf8_lossy()
                .into_owned();
        }
    }
    disposition
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("filename="))
        .map(|f| f.trim_matches('"').to_string())
        .unwrap_or_default()
}

/// The filter a page or export is asked for.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Query {
    pub user: Option<i64>,
    pub table: Option<String>,
    pub action: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub before: Option<i64>,
}

impl Query {
    fn date(field: &str, value: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| {
                    AppError::BadRequest(format!("{field}“{v}”不是日期，请写成 2026-01-31 的形式"))
                }),
        }
    }

    fn filter(&self, limit: u32) -> Result<AuditFilter, AppError> {
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        Ok(AuditFilter {
            user: self.user.map(UserId),
            task: None,
            table: text(&self.table),
            action: text(&self.action),
            from: Query::date("起始日期", self.from.as_deref())?,
            to: Query::date("截止日期", self.to.as_deref())?,
            before_id: self.before,
            limit,
        })
    }

    /// The query string of this filter without paging (for the export links).
    fn without_paging(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if let Some(u) = self.user {
            out.append_pair("user", &u.to_string());
        }
        for (key, value) in [
            ("table", &self.table),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
                out.append_pair(key, v);
            }
        }
        out.finish()
    }
}

/// Entries on one page.
const PAGE: u32 = 100;
/// Entries in one export at most.
const EXPORT_LIMIT: u32 = 100_000;

/// An entry as a page and an export show it.
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    pub id: i64,
    /// China time.
    pub at: String,
    pub actor: String,
    pub actor_id: Option<i64>,
    pub address: String,
    pub request: String,
    pub action: String,
    pub object: String,
    pub task_id: Option<i64>,
    /// The task's document and number, when the entry belongs to a task still stored
    /// (its history page is linked).
    pub task_place: Option<(i64, u32)>,
    /// What changed: `field: before → after`, one per changed field (inserts and
    /// deletes: the fields as they were), or an event's details.
    pub changes: Vec<String>,
    pub hash: String,
}

fn china_time(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| {
            t.with_timezone(&duban_domain::CHINA)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|_| at.to_string())
}

/// Characters of a value a page shows (the export has them all).
const SHOWN_CHARS: usize = 40;
/// Fields of a new or removed row a page shows.
const SHOWN_FIELDS: usize = 4;

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "（空）".into(),
        serde_json::Value::String(s) if s.is_empty() => "（空）".into(),
        serde_json::Value::String(s) => {
            let mut out: String = s.chars().take(SHOWN_CHARS).collect();
            if s.chars().count() > SHOWN_CHARS {
                out.push('…');
            }
            out
        }
        other => other.to_string(),
    }
}

fn object(text: Option<&str>) -> serde_json::Map<String, serde_json::Value> {
    match text.and_then(|t| serde_json::from_str(t).ok()) {
        Some(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    }
}

/// A new or removed row's first fields (the export has them all).
fn fields(row: &serde_json::Map<String, serde_json::Value>) -> Vec<String> {
    if row.is_empty() {
        return Vec::new();
    }
    let mut line = row
        .iter()
        .take(SHOWN_FIELDS)
        .map(|(k, v)| format!("{}：{}", duban_domain::audit::field_label(k), value_text(v)))
        .collect::<Vec<_>>()
        .join("；");
    if row.len() > SHOWN_FIELDS {
        line.push_str(&format!("；……共 {} 项，全部内容见导出", row.len()));
    }
    vec![line]
}

/// The changed fields of an entry, as `field: before → after`.
fn changes(entry: &Entry) -> Vec<String> {
    let before = object(entry.before_json.as_deref());
    let after = object(entry.after_json.as_deref());
    match (entry.before_json.is_some(), entry.after_json.is_some()) {
        (true, true) => after
            .iter()
            .filter(|(k, v)| before.get(*k) != Some(*v))
            .map(|(k, v)| {
                let old = before.get(k).map_or("（无）".into(), value_text);
                format!(
                    "{}：{old} → {}",
                    duban_domain::audit::field_label(k),
                    value_text(v)
                )
            })
            .collect(),
        (false, true) => fields(&after),
        (true, false) => fields(&before),
        (false, false) => Vec::new(),
    }
}

pub fn shown(entry: &Entry) -> Shown {
    let object = match (&entry.object_table, &entry.object_key) {
        (Some(t), Some(k)) => format!("{}（{k}）", duban_domain::audit::table_label(t)),
        (Some(t), None) => duban_domain::audit::table_label(t).to_string(),
        (None, Some(k)) => k.clone(),
        (None, None) => String::new(),
    };
    Shown {
        id: entry.id,
        at: china_time(&entry.at),
        actor: entry.actor.clone(),
        actor_id: entry.actor_id,
        address: entry.address.clone().unwrap_or_default(),
        request: entry.request.clone().unwrap_or_default(),
        action: duban_domain::audit::action_label(&entry.action).to_string(),
        object,
        task_id: entry.task_id,
        task_place: None,
        changes: changes(entry),
        hash: entry.hash.clone(),
    }
}

/// A page of the log as `query` filters it, for an auditor.
pub struct LogPage {
    pub entries: Vec<Shown>,
    pub next: Option<i64>,
    pub users: Vec<User>,
}

pub async fn log_page(
    state: &AppState,
    user: &User,
    query: &Query,
    task: Option<i64>,
) -> Result<LogPage, AppError> {
    require(user, AUDIT_READERS)?;
    let mut filter = query.filter(PAGE)?;
    filter.task = task;
    let page = state.store.audit_entries(&filter).await?;
    let mut tasks: Vec<i64> = page.entries.iter().filter_map(|e| e.task_id).collect();
    tasks.sort_unstable();
    tasks.dedup();
    let places = state.store.task_places(&tasks).await?;
    Ok(LogPage {
        entries: page
            .entries
            .iter()
            .map(|e| Shown {
                task_place: e
                    .task_id
                    .and_then(|t| places.get(&t))
                    .map(|(d, n)| (d.0, *n)),
                ..shown(e)
            })
            .collect(),
        next: page.next,
        users: state.store.users().await?,
    })
}

/// What an export holds: every entry the filter selects (up to [`EXPORT_LIMIT`]),
/// oldest first, with its hash, so an auditor can check the chain outside duban.
pub async fn export_entries(
    state: &AppState,
    user: &User,
    query: &Query,
) -> Result<Vec<Entry>, AppError> {
    require(user, AUDIT_READERS)?;
    let mut filter = query.filter(EXPORT_LIMIT)?;
    filter.before_id = None;
    let mut entries = state.store.audit_entries(&filter).await?.entries;
    entries.reverse();
    Ok(entries)
}

/// The columns of an export.
pub const EXPORT_HEADER: &[&str] = &[
    "序号",
    "时间",
    "操作人",
    "操作人编号",
    "地址",
    "请求",
    "操作",
    "数据表",
    "记录",
    "任务编号",
    "修改前",
    "修改后",
    "哈希算法",
    "前一条哈希",
    "本条哈希",
];

pub fn export_row(e: &Entry) -> Vec<String> {
    vec![
        e.id.to_string(),
        china_time(&e.at),
        e.at.clone(),
        e.actor.clone(),
        e.actor_id.map(|n| n.to_string()).unwrap_or_default(),
        e.address.clone().unwrap_or_default(),
        e.request.clone().unwrap_or_default(),
        duban_domain::audit::action_label(&e.action).to_string(),
        e.object_table
            .as_deref()
            .map(|t| duban_domain::audit::table_label(t).to_string())
            .unwrap_or_default(),
        e.object_key.clone().unwrap_or_default(),
        e.task_id.map(|n| n.to_string()).unwrap_or_default(),
        e.before_json.clone().unwrap_or_default(),
        e.after_json.clone().unwrap_or_default(),
        e.algorithm.clone(),
        e.prev_hash.clone(),
        e.hash.clone(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_are_read_back() {
        let d = crate::download::content_disposition("通报 2024.pdf", "notice");
        assert_eq!(download_name(&d), "通报 2024.pdf");
        assert_eq!(download_name("attachment; filename=\"a.xlsx\""), "a.xlsx");
    }
}
