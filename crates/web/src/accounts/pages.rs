//! The system administrator's accounts page and the security administrator's page.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::templates::{render, v};

use super::{NewAccountForm, ResetForm, RoleForm};

fn accounts_page(
    state: &AppState,
    user: &duban_store::User,
    accounts: &[duban_store::Account],
    error: Option<String>,
) -> Result<axum::response::Html<String>, AppError> {
    render(
        state,
        "admin_accounts.html",
        context! {
            user => v(user),
            accounts => v(accounts),
            roles => super::work_roles(),
            rule => state.settings.security.password.describe(),
            error => v(error),
        },
    )
}

pub async fn accounts(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response, AppError> {
    crate::auth::require(&user, crate::auth::SYSTEM_ADMINS)?;
    let accounts = super::accounts(&state, &user).await?;
    Ok(accounts_page(&state, &user, &accounts, None)?.into_response())
}

/// A refused form shows the page again with the reason; anything else is an error.
async fn or_again(
    state: &AppState,
    user: &duban_store::User,
    result: Result<(), AppError>,
    back: &str,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(Redirect::to(back).into_response()),
        Err(e) if e.is_refusal() => {
            let status = e.status();
            let page = if back == "/admin/security" {
                security_page(state, user, Some(e.to_string())).await?
            } else {
                let accounts = super::accounts(state, user).await?;
                accounts_page(state, user, &accounts, Some(e.to_string()))?
            };
            Ok((status, page).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<NewAccountForm>,
) -> Result<Response, AppError> {
    let result = super::create(&state, &user, &form).await.map(|_| ());
    or_again(&state, &user, result, "/admin/accounts").await
}

pub async fn reset(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ResetForm>,
) -> Result<Response, AppError> {
    let result = super::reset(&state, &user, id, &form).await.map(|_| ());
    or_again(&state, &user, result, "/admin/accounts").await
}

async fn security_page(
    state: &AppState,
    user: &duban_store::User,
    error: Option<String>,
) -> Result<axum::response::Html<String>, AppError> {
    let view = super::security(state, user).await?;
    render(
        state,
        "admin_security.html",
        context! { user => v(user), view => v(view), roles => super::work_roles(), error => v(error) },
    )
}

pub async fn security(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response, AppError> {
    Ok(security_page(&state, &user, None).await?.into_response())
}

pub async fn role(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<RoleForm>,
) -> Result<Response, AppError> {
    let result = super::set_role(&state, &user, id, &form).await.map(|_| ());
    or_again(&state, &user, result, "/admin/security").await
}

pub async fn unlock(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let result = super::unlock(&state, &user, id).await.map(|_| ());
    or_again(&state, &user, result, "/admin/security").await
}

pub async fn totp_remove(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let result = super::totp_remove(&state, &user, id).await.map(|_| ());
    or_again(&state, &user, result, "/admin/security").await
}
