//! The supervision office's web app and JSON API: the only crate that speaks HTTP.
//!
//! One folder per feature (`tasks`, `reports`, `rounds`, `sources`, `schedules`,
//! `evidence`, `public`, `auth`, `dashboard`): its `mod.rs` holds the data and the
//! authorisation that its pages (`pages.rs`) and JSON API (`api.rs`) both use, so a page
//! and its API twin cannot disagree on who sees what; each exports its routes. All of
//! them answer failures with the one [`AppError`]. The app is stateless apart from the
//! store, so several servers can run behind one address.

mod accounts;
mod assets;
pub mod audit;
pub mod auth;
mod dashboard;
mod download;
mod error;
mod evidence;
mod html;
mod instructions;
pub mod notices;
mod oversight;
mod public;
pub mod reminders;
mod reports;
mod rounds;
pub mod schedules;
mod sources;
mod tasks;
mod templates;
mod warnings;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use duban_store::Store;
use tower_http::csrf::CsrfLayer;
use tower_http::set_header::SetResponseHeaderLayer;

pub use axum::http::HeaderName;
pub use error::AppError;

#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Mark cookies `Secure` always (when served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Behind a reverse proxy: the header in which it passes the client's address
    /// (`X-Forwarded-For`, `X-Real-IP`). Only when set are that header and
    /// `X-Forwarded-Proto` believed (for login throttling and `Secure` cookies); a
    /// client reaching the app directly could otherwise claim any address.
    pub client_address_header: Option<axum::http::HeaderName>,
    /// When automatic reminders fall due and how they are sent (e-mail, webhook).
    pub reminders: reminders::ReminderSettings,
    /// Passwords, lockout, session lifetime and idle timeout (等保 身份鉴别).
    pub security: duban_domain::security::SecurityPolicy,
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub templates: Arc<minijinja::Environment<'static>>,
    pub settings: Settings,
    /// `GET /api/tasks` answers, serialised once per cached store page.
    pub task_json: tasks::TaskJsonCache,
    /// Sessions looked up in the last few seconds.
    pub sessions: auth::SessionCache,
    /// The dashboard while nothing it shows has changed.
    pub dashboard: dashboard::DashboardCache,
}

impl AppState {
    pub fn new(store: Store, settings: Settings) -> Result<AppState, minijinja::Error> {
        Ok(AppState {
            store,
            templates: Arc::new(templates::environment()?),
            settings,
            task_json: tasks::TaskJsonCache::default(),
            sessions: auth::SessionCache::default(),
            dashboard: dashboard::DashboardCache::default(),
        })
    }
}

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    match state.store.list_documents().await {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "store unreachable"),
    }
}

/// The app: every feature's pages, and its JSON API under `/api` (which the OpenAPI test
/// checks against `openapi.json`), behind CSRF protection and the security headers.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/openapi.json", get(assets::openapi))
        .merge(auth::api_routes())
        .merge(tasks::api_routes())
        .merge(instructions::api_routes())
        .merge(rounds::api_routes())
        .merge(reports::api_routes())
        .merge(sources::api_routes())
        .merge(schedules::api_routes())
        .merge(evidence::api_routes())
        .merge(public::api_routes())
        .merge(dashboard::api_routes())
        .merge(warnings::api_routes())
        .merge(reminders::api_routes())
        .merge(oversight::api_routes())
        .merge(accounts::api_routes());
    Router::new()
        .route("/healthz", get(healthz))
        .merge(assets::routes())
        .merge(auth::routes())
        .merge(tasks::routes())
        .merge(instructions::routes())
        .merge(rounds::routes())
        .merge(reports::routes())
        .merge(sources::routes())
        .merge(schedules::routes())
        .merge(evidence::routes())
        .merge(public::routes())
        .merge(dashboard::routes())
        .merge(warnings::routes())
        .merge(oversight::routes())
        .merge(notices::routes())
        .merge(reminders::routes())
        .merge(accounts::routes())
        .merge(audit::routes())
        .nest("/api", api.merge(notices::api_routes()))
        // Who acts, for every write a request makes; downloads logged (`audit`).
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            audit::context,
        ))
        // Every route's body is capped; the evidence uploads raise it for themselves.
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(chinese_rejections))
        .layer(CsrfLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        // No address of ours (report ids, filters) leaves in a Referer to other sites.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        // Pages, JSON and downloads are per user and change: no cache (a shared
        // computer's browser, a proxy) keeps them. The static files say otherwise.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
            ),
        ))
        .with_state(state)
}

/// The largest request body any route but an evidence upload takes (1 MiB): far more
/// than the longest form or JSON the app expects (`domain::limits`), little enough that
/// a flood of large bodies costs nothing.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// A request the extractors refused before a handler ran (malformed, too large or too
/// deeply nested JSON, a form that does not parse, the wrong content type) is answered
/// by axum in English plain text; this gives it the app's Chinese error instead (JSON
/// for the API, the error page for pages), keeping the status and the detail.
async fn chinese_rejections(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    let message = match status {
        _ if !plain => return response,
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "请求内容过大：超过 {} MB 的上限。佐证材料请用“上传附件”提交",
            BODY_LIMIT / (1024 * 1024)
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "请求内容类型不对：接口须以 Content-Type: application/json 提交 JSON，网页表单以 application/x-www-form-urlencoded 提交".to_string(),
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
            "请求内容无法解析：不是有效的 JSON 或表单，或缺少必填字段、字段类型不符、嵌套层数过多，请检查后重试".to_string()
        }
        _ => return response,
    };
    let (_, body) = response.into_parts();
    let detail = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = if detail.is_empty() {
        message
    } else {
        format!("{message}（详情：{detail}）")
    };
    if api {
        (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
    } else {
        (
            status,
            axum::response::Html(html::error_page("操作未完成", &message)),
        )
            .into_response()
    }
}

/// Serves the app until Ctrl-C.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
