//! Logging in and out through the API, and who is signed in.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::Cookie;
use duban_store::User;

use crate::AppState;
use crate::error::ApiError;

use super::pages::LoginForm;
use super::{CurrentUser, SESSION_COOKIE};

pub async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    client: super::Client,
    Json(form): Json<LoginForm>,
) -> Result<impl IntoResponse, ApiError> {
    let (user, token) = super::login(&state, &form.username, &form.password, &client).await?;
    let jar = jar.add(super::session_cookie(
        token,
        client.secure_cookies(&state.settings),
    ));
    Ok((jar, Json(user)))
}

pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<impl IntoResponse, ApiError> {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        super::end_session(&state, cookie.value()).await?;
    }
    Ok((
        jar.remove(Cookie::build(SESSION_COOKIE).path("/")),
        StatusCode::NO_CONTENT,
    ))
}

pub async fn me(CurrentUser(user): CurrentUser) -> Json<User> {
    Json(user)
}
