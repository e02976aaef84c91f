//! Passwords (argon2id), session tokens (random, only their SHA-256 stored), the
//! current-user extractor, and login throttling.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::{Duration, Utc};
use duban_domain::Role;
use duban_store::User;
use rand::RngExt;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::AppError;

pub const SESSION_COOKIE: &str = "duban_session";
/// How long a login lasts.
pub const SESSION_HOURS: i64 = 12;
/// Failed logins per user name allowed in `THROTTLE_MINUTES` before logins pause.
pub const MAX_FAILURES: i64 = 5;
pub const THROTTLE_MINUTES: i64 = 15;

#[derive(Debug, thiserror::Error)]
#[error("密码处理失败：{0}")]
pub struct PasswordError(String);

/// An argon2id PHC string with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| PasswordError(e.to_string()))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// A new session token (256 random bits, hex) and the hash the store keeps.
pub fn new_token() -> (String, String) {
    let bytes: [u8; 32] = rand::rng().random();
    let token = hex(&bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The session cookie: HttpOnly, SameSite=Strict, Secure when served over TLS. It ends
/// with the browser session; the server ends it after `SESSION_HOURS` in any case.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .build()
}

/// Checks the password and opens a session; the token to set as cookie, or why not.
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
) -> Result<(User, String), AppError> {
    let username = username.trim();
    let now = Utc::now();
    let since = now - Duration::minutes(THROTTLE_MINUTES);
    if state.store.login_failures_since(username, since).await? >= MAX_FAILURES {
        return Err(AppError::TooManyAttempts);
    }
    let credentials = state.store.user_credentials(username).await?;
    let verified = match &credentials {
        Some(c) => verify_password(password, &c.password_hash),
        None => {
            // Spend the same time as a real check so timing does not reveal names.
            let _ = verify_password(password, &DUMMY_HASH);
            false
        }
    };
    let Some(credentials) = credentials.filter(|_| verified) else {
        state.store.record_login_failure(username, now).await?;
        return Err(AppError::BadLogin);
    };
    state.store.clear_login_failures(username).await?;
    let (token, hash) = new_token();
    state
        .store
        .create_session(
            &hash,
            credentials.user.id,
            now + Duration::hours(SESSION_HOURS),
        )
        .await?;
    Ok((credentials.user, token))
}

/// A valid hash of a random string, checked when the user name is unknown.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password(&new_token().0).unwrap_or_default());

/// The signed-in user. Pages redirect to the login page without one; the API answers 401.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub User);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        // Nested routers see a shortened path; the original one says whether this is the API.
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or_else(|| parts.uri.path().to_string(), |u| u.path().to_string());
        let api = path.starts_with("/api/");
        let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else {
            return Err(AppError::NotSignedIn { api });
        };
        match state
            .store
            .session_user(&token_hash(&token), Utc::now())
            .await?
        {
            Some(user) => Ok(CurrentUser(user)),
            None => Err(AppError::NotSignedIn { api }),
        }
    }
}

/// The signed-in user, if any (public pages).
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<User>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match CurrentUser::from_request_parts(parts, state).await {
            Ok(CurrentUser(user)) => Ok(MaybeUser(Some(user))),
            Err(AppError::NotSignedIn { .. }) => Ok(MaybeUser(None)),
            Err(e) => Err(e),
        }
    }
}

/// Allows the listed roles; everyone else gets 403.
pub fn require(user: &User, roles: &[Role]) -> Result<(), AppError> {
    if roles.contains(&user.role) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub const OFFICE: &[Role] = &[Role::Admin, Role::Supervisor];
pub const READERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Leader];
pub const UNIT_ROLES: &[Role] = &[Role::Reporter, Role::UnitHead];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_tokens() {
        let hash = hash_password("正确的密码abc123").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("正确的密码abc123", &hash));
        assert!(!verify_password("错误的密码", &hash));
        assert!(!verify_password("x", &DUMMY_HASH));
        assert!(DUMMY_HASH.starts_with("$argon2id$"));
        let (token, hash) = new_token();
        assert_eq!(token.len(), 64);
        assert_eq!(token_hash(&token), hash);
        assert_ne!(new_token().0, token);
    }
}
