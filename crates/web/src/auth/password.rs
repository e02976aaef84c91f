//! Changing one's own password: the page (where a user whose password must be changed
//! is sent, and can go nowhere else until done) and its API twin. The new password
//! must meet the deployment's `PasswordPolicy`; the old one is checked (and counted
//! against the login limits, so a left-open session cannot be used to guess it). Every
//! session of the account ends, and this one is replaced by a fresh one.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use axum_extra::extract::CookieJar;
use chrono::Utc;
use duban_domain::login::throttle_keys;
use minijinja::context;
use serde::Deserialize;

use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::templates::{render, v};

use super::{Client, SignedIn};

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    /// The password now.
    pub current: String,
    /// The new one.
    pub new: String,
    /// The new one again (the page asks twice; the API may leave it out).
    #[serde(default)]
    pub confirm: Option<String>,
}

/// Changes the password of the signed-in account; the new session's token.
async fn change(
    state: &AppState,
    signed_in: &SignedIn,
    form: &PasswordForm,
    client: &Client,
) -> Result<String, AppError> {
    if signed_in.session.second_factor_pending {
        return Err(AppError::SecondFactorRequired { api: false });
    }
    duban_domain::limits::LOGIN_FIELD.check(&form.current)?;
    duban_domain::limits::LOGIN_FIELD.check(&form.new)?;
    let user = &signed_in.session.user;
    if form.confirm.as_ref().is_some_and(|c| *c != form.new) {
        return Err(AppError::BadRequest(
            "两次输入的新密码不一致，请重新输入".into(),
        ));
    }
    let now = Utc::now();
    let keys = throttle_keys(user.username.as_str(), &client.address);
    let counts = super::reserve(state, &keys, now).await?;
    let credentials = state
        .store
        .user_credentials(user.username.as_str())
        .await?
        .ok_or(AppError::NotFound("账户"))?;
    if !super::verify_password(&form.current, &credentials.password_hash) {
        super::failed(state, &keys, &counts, now).await?;
        let policy = &state.settings.security.login;
        return Err(AppError::BadLogin(policy.bad_login(counts[0]).replacen(
            "用户名或密码不正确",
            "原密码不正确",
            1,
        )));
    }
    state.store.release_login_attempt(&keys).await?;
    state.settings.security.password.check_password(
        &form.new,
        user.username.as_str(),
        Some(&form.current),
    )?;
    let hash = super::hash_password(&form.new).map_err(|e| AppError::BadRequest(e.to_string()))?;
    state.store.set_password(user.id, &hash, false, now).await?;
    state.sessions.forget(&signed_in.token_hash);
    let (token, token_hash) = super::new_token();
    state
        .store
        .create_session(
            &token_hash,
            user.id,
            now + state.settings.security.session.lifetime,
            now,
            false,
        )
        .await?;
    tracing::info!(account = %user.username, "密码已修改");
    Ok(token)
}

fn page_with(
    state: &AppState,
    signed_in: &SignedIn,
    error: Option<String>,
    done: bool,
) -> Result<axum::response::Html<String>, AppError> {
    render(
        state,
        "password.html",
        context! {
            user => v(&signed_in.session.user),
            reason => v(signed_in.password_change_due(state)),
            rule => state.settings.security.password.describe(),
            error => v(error),
            done => done,
        },
    )
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    axum::extract::Query(q): axum::extract::Query<Done>,
) -> Result<Response, AppError> {
    if signed_in.session.second_factor_pending {
        return Err(AppError::SecondFactorRequired { api: false });
    }
    Ok(page_with(&state, &signed_in, None, q.done.is_some())?.into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct Done {
    pub done: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    client: Client,
    signed_in: SignedIn,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    match change(&state, &signed_in, &form, &client).await {
        Ok(token) => {
            let jar = jar.add(super::session_cookie(
                token,
                client.secure_cookies(&state.settings),
            ));
            Ok((jar, Redirect::to("/password?done=1")).into_response())
        }
        Err(e)
            if e.is_refusal()
                || matches!(e, AppError::BadLogin(_) | AppError::TooManyAttempts(_)) =>
        {
            let status = e.status();
            Ok((
                status,
                page_with(&state, &signed_in, Some(e.to_string()), false)?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn api(
    State(state): State<AppState>,
    jar: CookieJar,
    client: Client,
    signed_in: SignedIn,
    Json(form): Json<PasswordForm>,
) -> Result<impl IntoResponse, ApiError> {
    let token = change(&state, &signed_in, &form, &client)
        .await
        .map_err(|e| match e {
            AppError::SecondFactorRequired { .. } => AppError::SecondFactorRequired { api: true },
            e => e,
        })?;
    let jar = jar.add(super::session_cookie(
        token,
        client.secure_cookies(&state.settings),
    ));
    Ok((jar, Json(&signed_in.session.user).into_response()))
}
