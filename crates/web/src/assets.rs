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
/// Apache ECharts 5.6.0 (Apache-2.0), see static/vendor/README.md.
const ECHARTS_JS: &str = include_str!("../static/vendor/echarts.common.min.js");
/// htmx 2.0.11 (Zero-Clause BSD), see static/vendor/README.md.
const HTMX_JS: &str = include_str!("../static/vendor/htmx.min.js");

async fn htmx_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        HTMX_JS,
    )
}

async fn dashboard_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        DASHBOARD_JS,
    )
}

async fn echarts_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        ECHARTS_JS,
    )
}

async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
}
