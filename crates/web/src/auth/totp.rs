//! The optional second factor: a TOTP code (RFC 6238: HMAC-SHA1, 6 digits, 30-second
//! steps, one step of clock drift either way) from an authenticator app. A user enrols
//! on `/account/totp` (the page shows the secret and its `otpauth://` URI to scan or
//! type, and takes a first code to confirm); from then on logging in asks for a code
//! after the password (`/login/totp`), and a code is accepted once. Wrong codes count
//! against the same login limits as wrong passwords.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::Utc;
use duban_domain::login::throttle_keys;
use minijinja::context;
use rand::RngExt;
use serde::{Deserialize, Serialize};
use totp_rs::{Builder, Secret, Totp};

use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::templates::{render, v};

use super::{Client, CurrentUser, SignedIn};

/// The issuer an authenticator app shows beside the account.
pub const ISSUER: &str = "督办";

/// A new random secret (160 bits), base32 as authenticator apps take it.
pub fn new_secret() -> String {
    let bytes: [u8; 20] = rand::rng().random();
    Secret::from(bytes).to_base32()
}

fn totp(secret: &str) -> Result<Totp, AppError> {
    let secret = Secret::try_from_base32(secret.trim())
        .map_err(|_| AppError::BadRequest("动态口令密钥无效，请刷新页面重新绑定".into()))?;
    Builder::new()
        .with_secret(secret)
        .build()
        .map_err(|_| AppError::BadRequest("动态口令密钥无效，请刷新页面重新绑定".into()))
}

/// The URI an authenticator app scans or takes: `otpauth://totp/督办:username?…`.
pub fn otpauth_uri(secret: &str, username: &str) -> String {
    let enc = |t: &str| {
        percent_encoding::utf8_percent_encode(t, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(ISSUER),
        enc(username),
        secret,
        enc(ISSUER)
    )
}

/// The time step `code` is right for under `secret` now, if any.
fn matching_step(secret: &str, code: &str) -> Result<Option<i64>, AppError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::BadSecondFactor(
            "动态口令应为身份验证器中显示的 6 位数字",
        ));
    }
    let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
    Ok(totp(secret)?
        .check(&code, now)
        .and_then(|step| i64::try_from(step).ok()))
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    pub code: String,
    /// The page to return to (login).
    #[serde(default)]
    pub next: Option<String>,
}

/// The login's second step: checks the code for the session's account (counted
/// against the login limits) and makes the session a full one.
async fn verify(
    state: &AppState,
    signed_in: &SignedIn,
    code: &str,
    client: &Client,
) -> Result<(), AppError> {
    if !signed_in.session.second_factor_pending {
        return Ok(());
    }
    let user = &signed_in.session.user;
    let now = Utc::now();
    let keys = throttle_keys(user.username.as_str(), &client.address);
    let counts = super::reserve(state, &keys, now).await?;
    let secret = state
        .store
        .user_credentials(user.username.as_str())
        .await?
        .and_then(|c| c.totp_secret);
    let step = match &secret {
        Some(secret) => matching_step(secret, code)?,
        None => None,
    };
    let accepted = match step {
        Some(step) => state.store.use_totp_step(user.id, step).await?,
        None => false,
    };
    if !accepted {
        super::failed(state, &keys, &counts, now).await?;
        return Err(AppError::BadRequest(super::attempts_left(state, &counts)));
    }
    state.store.release_login_attempt(&keys).await?;
    state
        .store
        .complete_second_factor(&signed_in.token_hash)
        .await?;
    state.sessions.forget(&signed_in.token_hash);
    Ok(())
}

pub async fn verify_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    axum::extract::Query(next): axum::extract::Query<super::pages::Next>,
) -> Result<Response, AppError> {
    if !signed_in.session.second_factor_pending {
        return Ok(Redirect::to("/").into_response());
    }
    let next = super::pages::local_page(next.next.as_deref());
    Ok(render(
        &state,
        "totp_verify.html",
        context! { user => v(None::<()>), error => v(None::<String>), next => next },
    )?
    .into_response())
}

pub async fn verify_submit(
    State(state): State<AppState>,
    client: Client,
    signed_in: SignedIn,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let next = super::pages::local_page(form.next.as_deref());
    match verify(&state, &signed_in, &form.code, &client).await {
        Ok(()) => Ok(Redirect::to(&next).into_response()),
        Err(
            e @ (AppError::BadRequest(_)
            | AppError::BadSecondFactor(_)
            | AppError::TooManyAttempts(_)),
        ) => {
            let status = match e {
                AppError::TooManyAttempts(_) => e.status(),
                _ => axum::http::StatusCode::UNAUTHORIZED,
            };
            let page = render(
                &state,
                "totp_verify.html",
                context! { user => v(None::<()>), error => v(e.to_string()), next => next },
            )?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn verify_api(
    State(state): State<AppState>,
    client: Client,
    signed_in: SignedIn,
    Json(form): Json<CodeForm>,
) -> Result<Json<duban_store::User>, ApiError> {
    verify(&state, &signed_in, &form.code, &client)
        .await
        .map_err(|e| match e {
            AppError::BadRequest(m) => AppError::BadLogin(m),
            e => e,
        })?;
    Ok(Json(signed_in.session.user))
}

/// What the enrol page and its API show: whether the account has a second factor, and
/// if not a fresh secret to bind.
#[derive(Debug, Serialize)]
pub struct Enrolment {
    pub enabled: bool,
    pub secret: Option<String>,
    pub uri: Option<String>,
}

async fn enrolment(state: &AppState, user: &duban_store::User) -> Result<Enrolment, AppError> {
    let enabled = state
        .store
        .user_credentials(user.username.as_str())
        .await?
        .is_some_and(|c| c.totp_secret.is_some());
    if enabled {
        return Ok(Enrolment {
            enabled,
            secret: None,
            uri: None,
        });
    }
    let secret = new_secret();
    Ok(Enrolment {
        enabled,
        uri: Some(otpauth_uri(&secret, user.username.as_str())),
        secret: Some(secret),
    })
}

#[derive(Debug, Deserialize)]
pub struct EnrolForm {
    pub secret: String,
    pub code: String,
}

/// Binds `secret` to the account once `code` proves the app has it.
async fn enrol(
    state: &AppState,
    user: &duban_store::User,
    form: &EnrolForm,
) -> Result<(), AppError> {
    let step = matching_step(&form.secret, &form.code)?.ok_or(AppError::BadSecondFactor(
        "动态口令不正确：请确认身份验证器已添加此密钥、手机时间准确，再输入当前显示的 6 位数字",
    ))?;
    state
        .store
        .set_totp_secret(user.id, Some(form.secret.trim()))
        .await?;
    state.store.use_totp_step(user.id, step).await?;
    tracing::info!(account = %user.username, "已启用动态口令");
    Ok(())
}

/// Removes the account's second factor once a current code proves the user holds it.
async fn remove(state: &AppState, user: &duban_store::User, code: &str) -> Result<(), AppError> {
    let secret = state
        .store
        .user_credentials(user.username.as_str())
        .await?
        .and_then(|c| c.totp_secret)
        .ok_or_else(|| AppError::BadRequest("本账户未启用动态口令".into()))?;
    let step = matching_step(&secret, code)?
        .ok_or(AppError::BadSecondFactor("动态口令不正确，未解除绑定"))?;
    if !state.store.use_totp_step(user.id, step).await? {
        return Err(AppError::BadSecondFactor(
            "该动态口令已使用过，请等下一个口令",
        ));
    }
    state.store.set_totp_secret(user.id, None).await?;
    tracing::info!(account = %user.username, "已解除动态口令");
    Ok(())
}

fn enrol_view(
    state: &AppState,
    user: &duban_store::User,
    enrolment: &Enrolment,
    error: Option<String>,
) -> Result<axum::response::Html<String>, AppError> {
    render(
        state,
        "totp_enrol.html",
        context! { user => v(user), enrolment => v(enrolment), error => v(error) },
    )
}

pub async fn enrol_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response, AppError> {
    let enrolment = enrolment(&state, &user).await?;
    Ok(enrol_view(&state, &user, &enrolment, None)?.into_response())
}

pub async fn enrol_submit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<EnrolForm>,
) -> Result<Response, AppError> {
    match enrol(&state, &user, &form).await {
        Ok(()) => Ok(Redirect::to("/account/totp").into_response()),
        Err(e) if e.is_refusal() => {
            // The same secret again, so the app the user already set up still fits.
            let enrolment = Enrolment {
                enabled: false,
                uri: Some(otpauth_uri(form.secret.trim(), user.username.as_str())),
                secret: Some(form.secret.trim().to_string()),
            };
            let status = e.status();
            Ok((
                status,
                enrol_view(&state, &user, &enrolment, Some(e.to_string()))?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn remove_submit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    match remove(&state, &user, &form.code).await {
        Ok(()) => Ok(Redirect::to("/account/totp").into_response()),
        Err(e) if e.is_refusal() => {
            let enrolment = enrolment(&state, &user).await?;
            let status = e.status();
            Ok((
                status,
                enrol_view(&state, &user, &enrolment, Some(e.to_string()))?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn enrol_api_start(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Enrolment>, ApiError> {
    Ok(Json(enrolment(&state, &user).await?))
}

pub async fn enrol_api(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Json(form): Json<EnrolForm>,
) -> Result<Json<Enrolment>, ApiError> {
    enrol(&state, &user, &form).await?;
    Ok(Json(enrolment(&state, &user).await?))
}

pub async fn remove_api(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Json(form): Json<CodeForm>,
) -> Result<Json<Enrolment>, ApiError> {
    remove(&state, &user, &form.code).await?;
    Ok(Json(enrolment(&state, &user).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_uris_and_codes() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32, "160 bits in base32");
        assert_ne!(new_secret(), secret);
        let uri = otpauth_uri(&secret, "fgj.lly");
        assert!(uri.starts_with("otpauth://totp/%E7%9D%A3%E5%8A%9E:fgj%2Elly?secret="));
        assert!(uri.contains(&secret));
        let now = u64::try_from(Utc::now().timestamp()).unwrap();
        let code = totp(&secret).unwrap().generate(now).to_string();
        assert!(matching_step(&secret, &code).unwrap().is_some());
        assert!(matching_step(&secret, "12345").is_err());
        assert!(matching_step("not base32!", "123456").is_err());
    }
}
