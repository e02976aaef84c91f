//! Passwords (argon2id, or PBKDF2-HMAC-SM3 where 国密 is required: `hashing`), session tokens (random, only their SHA-256 stored), the
//! current-user extractor, login throttling, and the roles each feature requires. The
//! login and logout pages and API are in `pages` and `api`.

mod api;
pub mod hashing;
mod pages;
mod password;
pub mod totp;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::{Duration, Utc};
use duban_domain::Role;
use duban_domain::login::{ThrottleScope, throttle_keys};
use duban_domain::security::password_change_due;
use duban_store::{Reservation, Session, User};
use rand::RngExt;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;
use crate::error::AppError;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/login", get(pages::login_page).post(pages::login_submit))
        .route(
            "/login/totp",
            get(totp::verify_page).post(totp::verify_submit),
        )
        .route("/logout", post(pages::logout))
        .route("/account", get(pages::account))
        .route("/password", get(password::page).post(password::submit))
        .route(
            "/account/totp",
            get(totp::enrol_page).post(totp::enrol_submit),
        )
        .route("/account/totp/remove", post(totp::remove_submit))
}

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/login", post(api::login))
        .route("/login/totp", post(totp::verify_api))
        .route("/logout", post(api::logout))
        .route("/me", get(api::me))
        .route("/password", post(password::api))
        .route(
            "/account/totp",
            get(totp::enrol_api_start).post(totp::enrol_api),
        )
        .route("/account/totp/remove", post(totp::remove_api))
}

pub const SESSION_COOKIE: &str = "duban_session";

#[derive(Debug, thiserror::Error)]
#[error("密码处理失败：{0}")]
pub struct PasswordError(String);

/// A PHC string with a fresh random salt, made with the process's choice of algorithm
/// (argon2id unless [`hashing::set_password_hashing`] chose SM3).
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    hashing::hash_with(hashing::password_hashing(), password)
}

/// Whether `password` matches the stored `hash`, whichever algorithm made it.
pub fn verify_password(password: &str, hash: &str) -> bool {
    hashing::verify(password, hash)
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

/// Who is on the other end of a request: the client's address, and whether the
/// request reached us over HTTPS. Behind a reverse proxy both come from the headers the
/// proxy sets, and only when the operator named them ([`crate::Settings`]); otherwise
/// from the connection itself, so a client cannot choose its own address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub address: String,
    pub https: bool,
}

impl Client {
    /// Whether cookies set in answer to this request get the `Secure` flag.
    pub fn secure_cookies(&self, settings: &crate::Settings) -> bool {
        settings.secure_cookies || self.https
    }
}

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(client_of(parts, &state.settings))
    }
}

pub(crate) fn client_of(parts: &Parts, settings: &crate::Settings) -> Client {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip());
    let Some(header) = &settings.client_address_header else {
        return Client {
            address: peer.map_or_else(|| "unknown".to_string(), |ip| ip.to_string()),
            https: false,
        };
    };
    // The proxy appends the address it saw to what the client sent: only the last
    // entry is the proxy's own; if that is not an address, the connection's is used.
    let forwarded = parts
        .headers
        .get_all(header)
        .iter()
        .next_back()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|a| a.trim().parse::<std::net::IpAddr>().ok());
    let https = parts
        .headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    Client {
        address: forwarded
            .or(peer)
            .map_or_else(|| "unknown".to_string(), |ip| ip.to_string()),
        https,
    }
}

/// A login that got past the password: the account, the session token to set as
/// cookie, and whether the TOTP code is still to come.
pub struct LoggedIn {
    pub user: User,
    pub token: String,
    pub second_factor_pending: bool,
}

/// Checks the password and opens a session; the token to set as cookie, or why not.
///
/// The attempt is reserved against the limits of the deployment's `LoginPolicy` before
/// the password is checked, so parallel attempts cannot get more checks than the limit;
/// a right password gives the reservation back. A failure that brings a count to its
/// limit begins a lockout, which is logged and recorded. An account with a second
/// factor gets a session that reaches only the TOTP page until the code is given.
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
    client: &Client,
) -> Result<LoggedIn, AppError> {
    let username = username.trim();
    duban_domain::limits::LOGIN_FIELD.check(username)?;
    duban_domain::limits::LOGIN_FIELD.check(password)?;
    let policy = &state.settings.security;
    let now = Utc::now();
    let keys = throttle_keys(username, &client.address);
    let counts = match reserve(state, &keys, now).await {
        Ok(counts) => counts,
        Err(refused) => {
            login_failed(state, username, "locked").await?;
            return Err(refused);
        }
    };
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
        failed(state, &keys, &counts, now).await?;
        login_failed(state, username, "bad_credentials").await?;
        return Err(AppError::BadLogin(policy.login.bad_login(counts[0])));
    };
    state.store.release_login_attempt(&keys).await?;
    duban_store::audit::identify(credentials.user.id.0, credentials.user.username.as_str());
    let pending = credentials.totp_secret.is_some();
    let (token, hash) = new_token();
    let expires = if pending {
        now + SECOND_FACTOR_TIME
    } else {
        now + policy.session.lifetime
    };
    state
        .store
        .create_session(&hash, credentials.user.id, expires, now, pending)
        .await?;
    state
        .store
        .record_event(
            "login",
            Some(credentials.user.username.as_str()),
            serde_json::json!({}),
        )
        .await?;
    Ok(LoggedIn {
        user: credentials.user,
        token,
        second_factor_pending: pending,
    })
}

/// How long the password step of a login with a second factor waits for the code.
pub const SECOND_FACTOR_TIME: Duration = Duration::minutes(5);

/// Reserves one attempt (a password or a TOTP code) against every count; the counts,
/// or the refusal with when to try again.
async fn reserve(
    state: &AppState,
    keys: &[duban_domain::login::ThrottleKey],
    now: chrono::DateTime<Utc>,
) -> Result<Vec<i64>, AppError> {
    let policy = &state.settings.security.login;
    match state.store.reserve_login_attempt(keys, policy, now).await? {
        Reservation::Granted(counts) => Ok(counts),
        Reservation::Refused { scope, until } => {
            Err(AppError::TooManyAttempts(policy.refusal(scope, until)))
        }
    }
}

/// A failed attempt: each count it brought to its limit begins a lockout.
async fn failed(
    state: &AppState,
    keys: &[duban_domain::login::ThrottleKey],
    counts: &[i64],
    now: chrono::DateTime<Utc>,
) -> Result<(), AppError> {
    let policy = &state.settings.security.login;
    for (key, count) in keys.iter().zip(counts) {
        if *count == policy.limit(key.scope) {
            tracing::warn!(
                scope = key.scope.code(),
                account = %key.account,
                address = %key.address,
                "登录失败次数达到上限，开始锁定"
            );
            state.store.record_lockout(key, now).await?;
        }
    }
    Ok(())
}

/// The attempts left to the account from this address, as a user reads them.
fn attempts_left(state: &AppState, counts: &[i64]) -> String {
    let policy = &state.settings.security.login;
    let left = policy.limit(ThrottleScope::AccountFromAddress) - counts[0];
    if left > 0 {
        format!("动态口令不正确或已使用过，还可尝试 {left} 次")
    } else {
        format!(
            "动态口令不正确或已使用过，失败次数已达上限，账号已锁定 {} 分钟",
            policy.lockout_minutes
        )
    }
}

/// Logs a refused login: the name tried (whether or not such an account exists) and
/// why (`bad_credentials`, or the throttle's count that refused it unchecked).
async fn login_failed(state: &AppState, username: &str, reason: &str) -> Result<(), AppError> {
    state
        .store
        .record_event(
            "login_failed",
            Some(username),
            serde_json::json!({ "username": username, "reason": reason }),
        )
        .await?;
    Ok(())
}

/// A valid hash of a random string, checked when the user name is unknown.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password(&new_token().0).unwrap_or_default());

/// A request's session, whatever stage it is at (password change due, TOTP code
/// still to come), with its token's hash. Only the pages that finish those stages take
/// this; every other handler takes [`CurrentUser`].
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session: Session,
    pub token_hash: String,
}

/// Whether the request is for the JSON API (nested routers see a shortened path; the
/// original one says), and the page to return to after logging in (a GET page).
fn request_target(parts: &Parts) -> (bool, Option<String>) {
    let uri = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| parts.uri.clone(), |u| u.0.clone());
    let api = uri.path().starts_with("/api/");
    let wanted = (!api && parts.method == axum::http::Method::GET)
        .then(|| uri.path_and_query().map(ToString::to_string))
        .flatten();
    (api, wanted)
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (api, wanted) = request_target(parts);
        let not_signed_in = || AppError::NotSignedIn {
            api,
            wanted: wanted.clone(),
        };
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else {
            return Err(not_signed_in());
        };
        let token_hash = token_hash(&token);
        match session(state, &token_hash).await? {
            Some(session) => Ok(SignedIn {
                session,
                token_hash,
            }),
            None => Err(not_signed_in()),
        }
    }
}

impl SignedIn {
    /// Why the password must be changed first, if it must.
    pub fn password_change_due(&self, state: &AppState) -> Option<&'static str> {
        password_change_due(
            &state.settings.security.password,
            self.session.must_change_password,
            self.session.password_changed_at,
            Utc::now(),
        )
        .map(|r| r.message())
    }
}

/// The signed-in user, past every stage of logging in. Pages redirect to the login page
/// without one (to the TOTP page while the code is still to come, to the
/// change-password page while the password must be changed); the API answers 401 (403
/// for the password).
#[derive(Debug, Clone)]
pub struct CurrentUser(pub User);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let signed_in = SignedIn::from_request_parts(parts, state).await?;
        let (api, _) = request_target(parts);
        if signed_in.session.second_factor_pending {
            return Err(AppError::SecondFactorRequired { api });
        }
        if let Some(reason) = signed_in.password_change_due(state) {
            return Err(AppError::PasswordChangeRequired { api, reason });
        }
        // Whatever this request writes is logged in this account's name.
        let user = signed_in.session.user;
        duban_store::audit::identify(user.id.0, user.username.as_str());
        Ok(CurrentUser(user))
    }
}

/// The session with this token hash: from the app's [`SessionCache`] if looked up
/// recently, else from the store (and then remembered). The store applies the idle
/// timeout and records the session as seen, so every app server on the database agrees
/// on when it has been idle too long.
async fn session(state: &AppState, hash: &str) -> Result<Option<Session>, AppError> {
    let policy = &state.settings.security.session;
    let now = Instant::now();
    let ttl = cache_ttl(policy);
    if let Some(session) = state.sessions.get(hash, now, ttl) {
        return Ok(Some(session));
    }
    let at = Utc::now();
    let session = state
        .store
        .session(hash, at, at - policy.idle, at - policy.touch_interval())
        .await?;
    if let Some(session) = &session {
        state.sessions.put(hash, session.clone(), now, ttl);
    }
    Ok(session)
}

/// How long a session looked up in the store is trusted here: [`SESSION_CACHE_TTL`],
/// or less when the idle timeout's touch interval is shorter, so the cache never keeps a
/// session alive past its idle timeout by more than that interval.
fn cache_ttl(policy: &duban_domain::security::SessionPolicy) -> std::time::Duration {
    policy
        .touch_interval()
        .to_std()
        .map_or(SESSION_CACHE_TTL, |t| t.min(SESSION_CACHE_TTL))
}

/// Ends the session with this cookie token: deletes it from the store and forgets it
/// here at once. Logging out must go through this, not `Store::delete_session` alone,
/// or the token keeps working in this process for up to [`SESSION_CACHE_TTL`].
pub async fn end_session(state: &AppState, token: &str) -> Result<(), AppError> {
    let hash = token_hash(token);
    let user = session(state, &hash).await?.map(|s| s.user);
    state.sessions.forget(&hash);
    state.store.delete_session(&hash).await?;
    if let Some(user) = user {
        duban_store::audit::identify(user.id.0, user.username.as_str());
        state
            .store
            .record_event(
                "logout",
                Some(user.username.as_str()),
                serde_json::json!({}),
            )
            .await?;
    }
    // Again: a request that read the session before the delete may have cached it.
    state.sessions.forget(&hash);
    Ok(())
}

/// How long a session looked up in the store is trusted without asking again (at
/// most; see [`cache_ttl`]).
///
/// The cache is per process. Logging out ([`end_session`]) acts on this process's
/// cache at once; but several app servers may run against one database,
/// and the CLI (`duban user passwd`) writes to it directly, so a session ended, a
/// password changed or a role changed elsewhere is seen here only once the entry is
/// older than this. The TTL bounds that staleness; keep it to a few seconds.
pub const SESSION_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(3);

/// More entries than this and the expired ones are swept (and, if all are fresh, all).
const SESSION_CACHE_ENTRIES: usize = 10_000;

/// Sessions looked up recently, per app: token hash → (session, when looked up).
/// Clones share the cache.
#[derive(Debug, Clone, Default)]
pub struct SessionCache {
    entries: Arc<Mutex<HashMap<String, CachedSession>>>,
}

#[derive(Debug)]
struct CachedSession {
    session: Session,
    at: Instant,
}

impl SessionCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, CachedSession>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, hash: &str, now: Instant, ttl: std::time::Duration) -> Option<Session> {
        let entries = self.lock();
        let entry = entries.get(hash)?;
        (now.duration_since(entry.at) < ttl).then(|| entry.session.clone())
    }

    fn put(&self, hash: &str, session: Session, now: Instant, ttl: std::time::Duration) {
        let mut entries = self.lock();
        if entries.len() >= SESSION_CACHE_ENTRIES {
            entries.retain(|_, e| now.duration_since(e.at) < ttl);
            if entries.len() >= SESSION_CACHE_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(hash.to_string(), CachedSession { session, at: now });
    }

    fn forget(&self, hash: &str) {
        self.lock().remove(hash);
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
/// 系统管理员: accounts (create, reset passwords) and configuration.
pub const SYSTEM_ADMINS: &[Role] = &[Role::SystemAdmin];
/// 安全管理员: roles, policies, lockouts, second factors.
pub const SECURITY_ADMINS: &[Role] = &[Role::SecurityAdmin];
/// 审计管理员: reads and exports the audit log, nothing else.
pub const AUDIT_ADMINS: &[Role] = &[Role::AuditAdmin];

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
