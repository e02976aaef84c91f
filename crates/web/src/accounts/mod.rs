//! The three administrators' pages (三员分立): the system administrator's accounts
//! (create, reset a password) and the security administrator's roles, lockouts,
//! second factors and the policies in force. The audit administrator's pages are the
//! audit log's. Each function here checks its own role list, so a page and its API
//! twin cannot disagree; the rules (which roles may be given on the web, no account
//! holding two administrators' roles) are `duban_domain::check_role_change` and
//! `check_account_role`, applied by the store in the transaction that writes.

mod api;
mod pages;

use axum::Router;
use axum::routing::{get, post};
use chrono::{Duration, Utc};
use duban_domain::{Role, Username, check_account_role};
use duban_store::{Account, Lockout, NewUser, StoreError, User, UserId};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::{SECURITY_ADMINS, SYSTEM_ADMINS, hash_password, require};
use crate::error::AppError;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/accounts", get(pages::accounts).post(pages::create))
        .route("/admin/accounts/{id}/password", post(pages::reset))
        .route("/admin/security", get(pages::security))
        .route("/admin/accounts/{id}/role", post(pages::role))
        .route("/admin/accounts/{id}/unlock", post(pages::unlock))
        .route("/admin/accounts/{id}/totp/remove", post(pages::totp_remove))
}

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/admin/accounts", get(api::accounts).post(api::create))
        .route("/admin/accounts/{id}/password", post(api::reset))
        .route("/admin/security", get(api::security))
        .route("/admin/accounts/{id}/role", post(api::role))
        .route("/admin/accounts/{id}/unlock", post(api::unlock))
        .route("/admin/accounts/{id}/totp/remove", post(api::totp_remove))
}

/// The accounts, for the system and the security administrator.
pub(crate) async fn accounts(state: &AppState, actor: &User) -> Result<Vec<Account>, AppError> {
    require(actor, &[Role::SystemAdmin, Role::SecurityAdmin])?;
    Ok(state.store.accounts().await?)
}

#[derive(Debug, Deserialize)]
pub struct NewAccountForm {
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    pub role: String,
    #[serde(default)]
    pub unit: Option<String>,
    /// The first password, which the user must change at the first login.
    pub password: String,
}

fn role_of(code: &str) -> Result<Role, AppError> {
    Role::from_code(code.trim())
        .ok_or_else(|| AppError::BadRequest(format!("未知角色“{code}”，请从列表中选择")))
}

/// A new account of the work (the system administrator's).
pub(crate) async fn create(
    state: &AppState,
    actor: &User,
    form: &NewAccountForm,
) -> Result<User, AppError> {
    require(actor, SYSTEM_ADMINS)?;
    let username = Username::parse(&form.username).map_err(StoreError::from)?;
    let role = role_of(&form.role)?;
    check_account_role(role, false, false).map_err(StoreError::from)?;
    duban_domain::limits::LOGIN_FIELD.check(&form.password)?;
    state
        .settings
        .security
        .password
        .check_password(&form.password, username.as_str(), None)?;
    let hash = hash_password(&form.password).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let user = state
        .store
        .create_user(NewUser {
            username,
            display_name: form.display_name.trim().to_string(),
            role,
            unit: form.unit.clone().filter(|u| !u.trim().is_empty()),
            password_hash: hash,
            must_change_password: true,
        })
        .await?;
    tracing::info!(by = %actor.username, account = %user.username, role = role.code(), "新建账户");
    Ok(user)
}

async fn target(state: &AppState, id: i64) -> Result<User, AppError> {
    state
        .store
        .user(UserId(id))
        .await?
        .ok_or(AppError::NotFound("账户"))
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    pub password: String,
}

/// Resets an account's password (the system administrator's); the user must change it
/// at the next login. Administrators' passwords only from the command line.
pub(crate) async fn reset(
    state: &AppState,
    actor: &User,
    id: i64,
    form: &ResetForm,
) -> Result<User, AppError> {
    require(actor, SYSTEM_ADMINS)?;
    let user = target(state, id).await?;
    check_account_role(user.role, false, true).map_err(StoreError::from)?;
    duban_domain::limits::LOGIN_FIELD.check(&form.password)?;
    state.settings.security.password.check_password(
        &form.password,
        user.username.as_str(),
        None,
    )?;
    let hash = hash_password(&form.password).map_err(|e| AppError::BadRequest(e.to_string()))?;
    state
        .store
        .set_password(user.id, &hash, true, Utc::now())
        .await?;
    tracing::info!(by = %actor.username, account = %user.username, "重置密码");
    Ok(user)
}

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    pub role: String,
    #[serde(default)]
    pub unit: Option<String>,
}

/// Gives an account another role of the work (the security administrator's).
pub(crate) async fn set_role(
    state: &AppState,
    actor: &User,
    id: i64,
    form: &RoleForm,
) -> Result<User, AppError> {
    require(actor, SECURITY_ADMINS)?;
    let role = role_of(&form.role)?;
    let unit = form.unit.as_deref().filter(|u| !u.trim().is_empty());
    let user = state.store.set_role(UserId(id), role, unit, false).await?;
    tracing::info!(by = %actor.username, account = %user.username, role = role.code(), "修改角色");
    Ok(user)
}

/// Lifts an account's login lockout (the security administrator's); how many counts.
pub(crate) async fn unlock(state: &AppState, actor: &User, id: i64) -> Result<u64, AppError> {
    require(actor, SECURITY_ADMINS)?;
    let user = target(state, id).await?;
    let cleared = state.store.unlock_account(user.username.as_str()).await?;
    tracing::info!(by = %actor.username, account = %user.username, "解除登录锁定");
    Ok(cleared)
}

/// Removes an account's second factor (a lost phone; the security administrator's).
pub(crate) async fn totp_remove(state: &AppState, actor: &User, id: i64) -> Result<User, AppError> {
    require(actor, SECURITY_ADMINS)?;
    let user = target(state, id).await?;
    state.store.set_totp_secret(user.id, None).await?;
    tracing::info!(by = %actor.username, account = %user.username, "解除动态口令");
    Ok(user)
}

/// What the security administrator's page shows: the policies in force, the accounts
/// and the lockouts of the last day.
#[derive(Debug, Serialize)]
pub struct SecurityView {
    pub password_rule: String,
    pub password_expiry_days: Option<u32>,
    pub change_after_admin_set: bool,
    pub max_failures: u32,
    pub lockout_minutes: u32,
    pub idle_seconds: i64,
    /// The idle timeout as users read it ("30 分钟", "45 秒").
    pub idle_text: String,
    pub lifetime_hours: i64,
    pub accounts: Vec<Account>,
    pub lockouts: Vec<Lockout>,
}

pub(crate) async fn security(state: &AppState, actor: &User) -> Result<SecurityView, AppError> {
    require(actor, SECURITY_ADMINS)?;
    let policy = &state.settings.security;
    Ok(SecurityView {
        password_rule: policy.password.describe(),
        password_expiry_days: policy.password.expiry_days,
        change_after_admin_set: policy.password.change_after_admin_set,
        max_failures: policy.login.max_failures,
        lockout_minutes: policy.login.lockout_minutes,
        idle_seconds: policy.session.idle.num_seconds(),
        idle_text: match policy.session.idle.num_seconds() {
            s if s % 60 == 0 => format!("{} 分钟", s / 60),
            s => format!("{s} 秒"),
        },
        lifetime_hours: policy.session.lifetime.num_hours(),
        accounts: state.store.accounts().await?,
        lockouts: state
            .store
            .lockouts_since(Utc::now() - Duration::hours(24))
            .await?,
    })
}

/// The roles the web may give, as (code, label) for the forms.
pub(crate) fn work_roles() -> Vec<minijinja::Value> {
    Role::WORK_ROLES
        .iter()
        .map(|r| crate::templates::choice(r.code(), r.label()))
        .collect()
}
