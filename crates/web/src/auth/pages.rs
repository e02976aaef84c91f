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
        Some(_) => Redirect::to("/tasks"),
    }
}

pub async fn login_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
) -> Result<Response, AppError> {
    if user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    Ok(render(
        &state,
        "login.html",
        context! { user => v(None::<()>), error => v(None::<String>), username => v(None::<String>) },
    )?
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    client: super::Client,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    match super::login(&state, &form.username, &form.password, &client).await {
        Ok((_, token)) => {
            let jar = jar.add(super::session_cookie(
                token,
                client.secure_cookies(&state.settings),
            ));
            Ok((jar, Redirect::to("/")).into_response())
        }
        Err(e @ (AppError::BadLogin | AppError::TooManyAttempts(_) | AppError::TooLong(_))) => {
            let status = e.status();
            let page = render(
                &state,
                "login.html",
                context! { user => v(None::<()>), error => v(e.to_string()), username => v(form.username) },
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
