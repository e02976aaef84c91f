//! The login page, logging out, and the home page that sends each role where it works.

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::Cookie;
use duban_domain::Role;
use minijinja::context;
use serde::Deserialize;

use crate::AppState;
use crate::error::AppError;
use crate::templates::{render, v};

use super::{MaybeUser, SESSION_COOKIE};

pub async fn home(MaybeUser(user): MaybeUser) -> Redirect {
    match user.map(|u| u.role) {
        None => Redirect::to("/login"),
        Some(Role::Reporter | Role::UnitHead) => Redirect::to("/my"),
        Some(Role::Leader) => Redirect::to("/dashboard"),
        Some(Role::Admin | Role::Supervisor) => Redirect::to("/tasks"),
        Some(Role::SystemAdmin) => Redirect::to("/admin/accounts"),
        Some(Role::SecurityAdmin) => Redirect::to("/admin/security"),
        Some(Role::AuditAdmin) => Redirect::to("/account"),
    }
}

/// The signed-in user's own account: who they are, the password and second factor.
pub async fn account(
    State(state): State<AppState>,
    super::CurrentUser(user): super::CurrentUser,
) -> Result<Response, AppError> {
    let second_factor = state
        .store
        .user_credentials(user.username.as_str())
        .await?
        .is_some_and(|c| c.totp_secret.is_some());
    let security = &state.settings.security;
    Ok(render(
        &state,
        "account.html",
        context! {
            user => v(&user),
            second_factor => second_factor,
            password_rule => security.password.describe(),
            idle_minutes => security.session.idle.num_minutes(),
            idle_seconds => security.session.idle.num_seconds(),
            lifetime_hours => security.session.lifetime.num_hours(),
        },
    )?
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct Next {
    pub next: Option<String>,
}

/// Where to go after logging in: a page of this site only (a path, never another
/// host: `//host` and `/\host` are refused), else the home page; anything outside
/// visible ASCII percent-encoded, as a `Location` header must be.
pub(super) fn local_page(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => {
            const OUTSIDE_ASCII: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
                .add(b' ')
                .add(b'"')
                .add(b'<')
                .add(b'>');
            percent_encoding::utf8_percent_encode(n, OUTSIDE_ASCII).to_string()
        }
        _ => "/".to_string(),
    }
}

pub async fn login_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    axum::extract::Query(next): axum::extract::Query<Next>,
) -> Result<Response, AppError> {
    let next = local_page(next.next.as_deref());
    if user.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    Ok(render(
        &state,
        "login.html",
        context! { user => v(None::<()>), error => v(None::<String>), username => v(None::<String>), next => next },
    )?
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
    /// The page to return to.
    #[serde(default)]
    pub next: Option<String>,
}

pub async fn login_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    client: super::Client,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    match super::login(&state, &form.username, &form.password, &client).await {
        Ok(logged_in) => {
            let jar = jar.add(super::session_cookie(
                logged_in.token,
                client.secure_cookies(&state.settings),
            ));
            let next = local_page(form.next.as_deref());
            let to = if logged_in.second_factor_pending {
                format!(
                    "/login/totp?next={}",
                    form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                )
            } else {
                next
            };
            Ok((jar, Redirect::to(&to)).into_response())
        }
        Err(e @ (AppError::BadLogin(_) | AppError::TooManyAttempts(_) | AppError::TooLong(_))) => {
            let status = e.status();
            let page = render(
                &state,
                "login.html",
                context! { user => v(None::<()>), error => v(e.to_string()), username => v(form.username), next => local_page(form.next.as_deref()) },
            )?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn logout(State(state): State<AppState>, jar: CookieJar) -> Result<Response, AppError> {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        super::end_session(&state, cookie.value()).await?;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/login")).into_response())
}
