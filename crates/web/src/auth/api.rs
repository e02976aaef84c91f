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
    let logged_in = super::login(&state, &form.username, &form.password, &client).await?;
    let jar = jar.add(super::session_cookie(
        logged_in.token,
        client.secure_cookies(&state.settings),
    ));
    Ok((
        jar,
        Json(LoginAnswer {
            user: logged_in.user,
            second_factor_required: logged_in.second_factor_pending,
        }),
    ))
}

/// The account, and whether the TOTP code is still to come (`POST /api/login/totp`).
#[derive(Debug, serde::Serialize)]
pub struct LoginAnswer {
    #[serde(flatten)]
    pub user: User,
    pub second_factor_required: bool,
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
