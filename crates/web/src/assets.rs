//! What the app serves as files: the style sheet, the scripts (with the vendored
//! ECharts and htmx) and the OpenAPI description of the JSON API.

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/static/style.css", get(style))
        .route("/static/dashboard.js", get(dashboard_js))
        .route("/static/forms.js", get(forms_js))
        .route("/static/vendor/echarts.common.min.js", get(echarts_js))
        .route("/static/vendor/htmx.min.js", get(htmx_js))
}

/// The JSON API's description; a test checks the router serves every path in it.
const OPENAPI: &str = include_str!("../openapi.json");

pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

const STYLE: &str = include_str!("../static/style.css");
const DASHBOARD_JS: &str = include_str!("../static/dashboard.js");
/// Form checks in Chinese (the browser's own messages are in its interface language).
const FORMS_JS: &str = include_str!("../static/forms.js");
/// Apache ECharts 5.6.0 (Apache-2.0), see static/vendor/README.md.
const ECHARTS_JS: &str = include_str!("../static/vendor/echarts.common.min.js");
/// htmx 2.0.11 (Zero-Clause BSD), see static/vendor/README.md.
const HTMX_JS: &str = include_str!("../static/vendor/htmx.min.js");

/// A static file with its type and how long browsers may keep it.
fn file(
    content_type: &'static str,
    max_age: &'static str,
    body: &'static str,
) -> impl IntoResponse + use<> {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, max_age),
        ],
        body,
    )
}

const JS: &str = "text/javascript; charset=utf-8";
const DAY: &str = "public, max-age=86400";
const HOUR: &str = "public, max-age=3600";

async fn htmx_js() -> impl IntoResponse {
    file(JS, DAY, HTMX_JS)
}

async fn dashboard_js() -> impl IntoResponse {
    file(JS, HOUR, DASHBOARD_JS)
}

async fn forms_js() -> impl IntoResponse {
    file(JS, HOUR, FORMS_JS)
}

async fn echarts_js() -> impl IntoResponse {
    file(JS, DAY, ECHARTS_JS)
}

async fn style() -> impl IntoResponse {
    file("text/css; charset=utf-8", HOUR, STYLE)
}
