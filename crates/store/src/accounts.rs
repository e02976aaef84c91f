//! Accounts, login sessions and login throttling.
//!
//! The store never sees a password or a session token: the web layer hands it an
//! argon2id hash and the SHA-256 (hex) of the token.

use chrono::{DateTime, Utc};
use duban_domain::login::{ThrottleKey, ThrottleScope, throttle_account};
use duban_domain::security::LoginPolicy;
use duban_domain::{AccountError, Role, Username, check_role_change};
use serde::Serialize;

use crate::codec::{parse_timestamp, role_from_code, timestamp_text};
use crate::db::{Tx, execute, with_conn};
use crate::query::unit_named;
use crate::{Credentials, NewUser, Store, StoreError, User, UserId, finish};

/// The columns [`UserRow`] reads; `FROM users u LEFT JOIN units n ON n.id = u.unit_id`.
const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.role, n.name AS unit";

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    unit: Option<String>,
}

impl UserRow {
    fn into_user(self) -> Result<User, StoreError> {
        let username = Username::parse(&self.username)
            .map_err(|_| StoreError::Corrupt(format!("用户名“{}”不合规", self.username)))?;
        Ok(User {
            id: UserId(self.id),
            username,
            display_name: self.display_name,
            role: role_from_code(&self.role)?,
            unit: self.unit,
        })
    }
}

/// A lockout as recorded: when it began, which count, for which account and address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lockout {
    pub at: DateTime<Utc>,
    #[serde(serialize_with = "scope_code")]
    pub scope: ThrottleScope,
    pub account: String,
    pub address: String,
}

fn scope_code<S: serde::Serializer>(scope: &ThrottleScope, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(scope.code())
}

/// What became of a login attempt's reservation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reservation {
    /// The attempt may be checked; each key's count with it, in the order given.
    Granted(Vec<i64>),
    /// This count is full: the attempt is refused unchecked, and counted nowhere; it
    /// frees itself at `until`.
    Refused {
        scope: ThrottleScope,
        until: DateTime<Utc>,
    },
}

/// A login session as a request sees it.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    /// The password was set by an administrator: it must be changed first.
    pub must_change_password: bool,
    pub password_changed_at: DateTime<Utc>,
    /// The password was right but the TOTP code is still to come.
    pub second_factor_pending: bool,
}

/// An account as its administrators see it.
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    #[serde(flatten)]
    pub user: User,
    pub email: Option<String>,
    pub must_change_password: bool,
    pub password_changed_at: DateTime<Utc>,
    /// Whether the account has a TOTP second factor.
    pub second_factor: bool,
    pub created_at: DateTime<Utc>,
}

async fn reserve(
    tx: &mut Tx,
    keys: &[ThrottleKey],
    policy: &LoginPolicy,
    now: DateTime<Utc>,
) -> Result<Reservation, StoreError> {
    let mut counts = Vec::with_capacity(keys.len());
    let now_text = timestamp_text(now);
    let since = timestamp_text(policy.window_start(now));
    for key in keys {
        // A window that began before `since` is over: the count starts again at 1.
        // Otherwise it goes up, but only while below the limit; at the limit the
        // conflict's UPDATE does nothing and no row comes back.
        let counted: Option<i64> = with_conn!(tx, c => sqlx::query_scalar(
            "INSERT INTO login_throttle (scope, account, address, window_start, failures) \
             VALUES ($1, $2, $3, $4, 1) \
             ON CONFLICT (scope, account, address) DO UPDATE SET \
                 failures = CASE WHEN login_throttle.window_start < $5 THEN 1 \
                                 ELSE login_throttle.failures + 1 END, \
                 window_start = CASE WHEN login_throttle.window_start < $5 THEN $4 \
                                     ELSE login_throttle.window_start END \
             WHERE login_throttle.window_start < $5 OR login_throttle.failures < $6 \
             RETURNING failures",
        )
        .bind(key.scope.code())
        .bind(&key.account)
        .bind(&key.address)
        .bind(&now_text)
        .bind(&since)
        .bind(policy.limit(key.scope))
        .fetch_optional(c)
        .await)?;
        match counted {
            Some(n) => counts.push(n),
            None => {
                let began: String = with_conn!(tx, c => sqlx::query_scalar(
                    "SELECT window_start FROM login_throttle \
                     WHERE scope = $1 AND account = $2 AND address = $3",
                )
                .bind(key.scope.code())
                .bind(&key.account)
                .bind(&key.address)
                .fetch_one(c)
                .await)?;
                return Ok(Reservation::Refused {
                    scope: key.scope,
                    until: parse_timestamp("锁定开始时间", &began)? + policy.window(),
                });
            }
        }
    }
    Ok(Reservation::Granted(counts))
}

async fn release(tx: &mut Tx, keys: &[ThrottleKey]) -> Result<(), StoreError> {
    for key in keys {
        let sql = match key.scope {
            ThrottleScope::AccountFromAddress => {
                "DELETE FROM login_throttle WHERE scope = $1 AND account = $2 AND address = $3"
            }
            ThrottleScope::Address | ThrottleScope::Account => {
                "UPDATE login_throttle SET failures = failures - 1 \
                 WHERE scope = $1 AND account = $2 AND address = $3 AND failures > 0"
            }
        };
        execute!(
            tx,
            sqlx::query(sql)
                .bind(key.scope.code())
                .bind(&key.account)
                .bind(&key.address)
        )?;
    }
    Ok(())
}

pub(crate) async fn user(tx: &mut Tx, id: UserId) -> Result<Option<User>, StoreError> {
    let row: Option<UserRow> = with_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users u LEFT JOIN units n ON n.id = u.unit_id \
         WHERE u.id = $1"
    )))
    .bind(id.0)
    .fetch_optional(c)
    .await)?;
    row.map(UserRow::into_user).transpose()
}

pub(crate) async fn create_user(tx: &mut Tx, new: NewUser) -> Result<User, StoreError> {
    let unit = new.unit.as_deref().map(str::trim).filter(|u| !u.is_empty());
    let unit_id = match (new.role.needs_unit(), unit) {
        (true, None) => return Err(AccountError::UnitRequired(new.role.label()).into()),
        (false, Some(unit)) => {
            return Err(StoreError::UnitNotAllowed {
                role: new.role.label(),
                unit: unit.to_string(),
            });
        }
        (false, None) => None,
        (true, Some(unit)) => Some(
            unit_named(tx, unit)
                .await?
                .ok_or_else(|| StoreError::UnknownUnit(unit.to_string()))?,
        ),
    };
    let display_name = match new.display_name.trim() {
        "" => new.username.as_str(),
        name => name,
    };
    let inserted = with_conn!(tx, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO users (username, display_name, role, unit_id, password_hash, created_at, \
                            must_change_password, password_changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $6) RETURNING id",
    )
    .bind(new.username.as_str())
    .bind(display_name)
    .bind(new.role.code())
    .bind(unit_id)
    .bind(&new.password_hash)
    .bind(timestamp_text(Utc::now()))
    .bind(i64::from(new.must_change_password))
    .fetch_one(c)
    .await);
    let id = match inserted {
        Ok(id) => id,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(StoreError::UsernameTaken(new.username.to_string()));
        }
        Err(e) => return Err(e.into()),
    };
    user(tx, UserId(id))
        .await?
        .ok_or(StoreError::UserNotFound(UserId(id)))
}

impl Store {
    /// Adds an account. `unit` may be a unit's canonical name or an alias; the account
    /// stores the canonical name. Reporters and unit heads need a unit
    /// ([`StoreError::Account`] with `UnitRequired`); the office's accounts and leaders
    /// take none ([`StoreError::UnitNotAllowed`]: a unit given for them is refused, not
    /// dropped). An empty display name becomes the username.
    pub async fn create_user(&self, new: NewUser) -> Result<User, StoreError> {
        let mut tx = self.db.write().await?;
        let created = create_user(&mut tx, new).await;
        finish(tx, created).await
    }

    pub async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let mut tx = self.db.read().await?;
        let found = user(&mut tx, id).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// The account called `username` (exactly, after trimming) with its password hash.
    pub async fn user_credentials(
        &self,
        username: &str,
    ) -> Result<Option<Credentials>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: UserRow,
            password_hash: String,
            totp_secret: Option<String>,
        }
        let mut tx = self.db.read().await?;
        let row: Option<Row> = with_conn!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(
            format!(
                "SELECT {USER_COLUMNS}, u.password_hash, u.totp_secret \
                 FROM users u LEFT JOIN units n ON n.id = u.unit_id \
                 WHERE u.username = $1"
            )
        ))
        .bind(username.trim())
        .fetch_optional(c)
        .await)?;
        tx.commit().await?;
        row.map(|r| {
            Ok(Credentials {
                user: r.user.into_user()?,
                password_hash: r.password_hash,
                totp_secret: r.totp_secret,
            })
        })
        .transpose()
    }

    /// Every account, by username.
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let mut tx = self.db.read().await?;
        let rows: Vec<UserRow> = with_conn!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(
            format!(
                "SELECT {USER_COLUMNS} FROM users u LEFT JOIN units n ON n.id = u.unit_id \
                 ORDER BY u.username"
            )
        ))
        .fetch_all(c)
        .await)?;
        tx.commit().await?;
        rows.into_iter().map(UserRow::into_user).collect()
    }

    /// Replaces the account's password hash and ends all its sessions (everywhere it
    /// was logged in), in one transaction. `by_administrator`: an administrator set it
    /// (a reset), so the user must change it at the next login; otherwise the user
    /// changed their own.
    pub async fn set_password(
        &self,
        id: UserId,
        password_hash: &str,
        by_administrator: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let result = async {
            let updated = execute!(
                &mut tx,
                sqlx::query(
                    "UPDATE users SET password_hash = $2, must_change_password = $3, \
                     password_changed_at = $4 WHERE id = $1",
                )
                .bind(id.0)
                .bind(password_hash)
                .bind(i64::from(by_administrator))
                .bind(timestamp_text(now))
            )?;
            if updated == 0 {
                return Err(StoreError::UserNotFound(id));
            }
            execute!(
                &mut tx,
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id.0)
            )?;
            Ok(())
        }
        .await;
        finish(tx, result).await
    }

    /// Records a session begun at `now`: `token_hash` is the SHA-256 (hex) of the
    /// cookie's token. `second_factor_pending`: the TOTP code is still to come.
    pub async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
        second_factor_pending: bool,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let result = async {
            let exists = with_conn!(&mut tx, c => sqlx::query_scalar::<_, i64>(
                "SELECT id FROM users WHERE id = $1",
            )
            .bind(user.0)
            .fetch_optional(c)
            .await)?;
            if exists.is_none() {
                return Err(StoreError::UserNotFound(user));
            }
            execute!(
                &mut tx,
                sqlx::query(
                    "INSERT INTO sessions (token_hash, user_id, expires_at, last_seen_at, \
                                       second_factor_pending) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(token_hash)
                .bind(user.0)
                .bind(timestamp_text(expires_at))
                .bind(timestamp_text(now))
                .bind(i64::from(second_factor_pending))
            )?;
            Ok(())
        }
        .await;
        finish(tx, result).await
    }

    /// The session with this token hash, if it exists, expires after `now` and was
    /// last seen after `idle_since` (the idle timeout). A session last seen before
    /// `touch_before` is marked seen at `now`, so every app server on the database sees
    /// it in use; more recent ones are not written again (a write per request would
    /// cost more than the timeout's precision is worth).
    pub async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        idle_since: DateTime<Utc>,
        touch_before: DateTime<Utc>,
    ) -> Result<Option<Session>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: UserRow,
            must_change_password: i64,
            password_changed_at: String,
            second_factor_pending: i64,
            last_seen_at: String,
        }
        let mut tx = self.db.read().await?;
        let row: Option<Row> = with_conn!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(
            format!(
                "SELECT {USER_COLUMNS}, u.must_change_password, u.password_changed_at, \
                        s.second_factor_pending, s.last_seen_at \
                 FROM sessions s \
                 JOIN users u ON u.id = s.user_id \
                 LEFT JOIN units n ON n.id = u.unit_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3"
            )
        ))
        .bind(token_hash)
        .bind(timestamp_text(now))
        .bind(timestamp_text(idle_since))
        .fetch_optional(c)
        .await)?;
        tx.commit().await?;
        let Some(row) = row else {
            return Ok(None);
        };
        if row.last_seen_at < timestamp_text(touch_before) {
            let mut tx = self.db.write().await?;
            let result = execute!(
                &mut tx,
                sqlx::query(
                    "UPDATE sessions SET last_seen_at = $2 \
                     WHERE token_hash = $1 AND last_seen_at < $2"
                )
                .bind(token_hash)
                .bind(timestamp_text(now))
            )
            .map_err(StoreError::from);
            finish(tx, result).await?;
        }
        Ok(Some(Session {
            user: row.user.into_user()?,
            must_change_password: row.must_change_password != 0,
            password_changed_at: parse_changed_at(&row.password_changed_at)?,
            second_factor_pending: row.second_factor_pending != 0,
        }))
    }

    /// The TOTP code was right: the session is a full one from now on. `false` if the
    /// session is gone.
    pub async fn complete_second_factor(&self, token_hash: &str) -> Result<bool, StoreError> {
        let mut tx = self.db.write().await?;
        let result = execute!(
            &mut tx,
            sqlx::query("UPDATE sessions SET second_factor_pending = 0 WHERE token_hash = $1")
                .bind(token_hash)
        )
        .map(|n| n == 1)
        .map_err(StoreError::from);
        finish(tx, result).await
    }

    /// Sets (or with `None` removes) the account's TOTP secret; the last used step is
    /// forgotten. `false` if there is no such account.
    pub async fn set_totp_secret(
        &self,
        user: UserId,
        secret: Option<&str>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.db.write().await?;
        let result = execute!(
            &mut tx,
            sqlx::query("UPDATE users SET totp_secret = $2, totp_last_step = NULL WHERE id = $1")
                .bind(user.0)
                .bind(secret)
        )
        .map(|n| n == 1)
        .map_err(StoreError::from);
        finish(tx, result).await
    }

    /// Records that the TOTP code of time step `step` was used by the account: `false`
    /// if that step or a later one was used already (a code is good once).
    pub async fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool, StoreError> {
        let mut tx = self.db.write().await?;
        let result = execute!(
            &mut tx,
            sqlx::query(
                "UPDATE users SET totp_last_step = $2 \
                 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)"
            )
            .bind(user.0)
            .bind(step)
        )
        .map(|n| n == 1)
        .map_err(StoreError::from);
        finish(tx, result).await
    }

    /// Gives the account `id` the role `role` (and the unit a reporter or unit head
    /// needs; `None` for the others), after `duban_domain::check_role_change` accepts it
    /// against the role it holds now, in the same transaction. Its sessions end.
    pub async fn set_role(
        &self,
        id: UserId,
        role: Role,
        unit: Option<&str>,
        from_cli: bool,
    ) -> Result<User, StoreError> {
        let mut tx = self.db.write().await?;
        let result = async {
            let current = user(&mut tx, id)
                .await?
                .ok_or(StoreError::UserNotFound(id))?;
            check_role_change(current.username.as_str(), current.role, role, from_cli)?;
            let unit = unit.map(str::trim).filter(|u| !u.is_empty());
            let unit_id = match (role.needs_unit(), unit) {
                (true, None) => return Err(AccountError::UnitRequired(role.label()).into()),
                (false, Some(unit)) => {
                    return Err(StoreError::UnitNotAllowed {
                        role: role.label(),
                        unit: unit.to_string(),
                    });
                }
                (false, None) => None,
                (true, Some(unit)) => Some(
                    unit_named(&mut tx, unit)
                        .await?
                        .ok_or_else(|| StoreError::UnknownUnit(unit.to_string()))?,
                ),
            };
            execute!(
                &mut tx,
                sqlx::query("UPDATE users SET role = $2, unit_id = $3 WHERE id = $1")
                    .bind(id.0)
                    .bind(role.code())
                    .bind(unit_id)
            )?;
            execute!(
                &mut tx,
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id.0)
            )?;
            user(&mut tx, id).await?.ok_or(StoreError::UserNotFound(id))
        }
        .await;
        finish(tx, result).await
    }

    /// Every account with what its administrators see of it, by username.
    pub async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: UserRow,
            email: Option<String>,
            must_change_password: i64,
            password_changed_at: String,
            second_factor: i64,
            created_at: String,
        }
        let mut tx = self.db.read().await?;
        let rows: Vec<Row> = with_conn!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(
            format!(
                "SELECT {USER_COLUMNS}, u.email, u.must_change_password, u.password_changed_at, \
                        CAST(CASE WHEN u.totp_secret IS NULL THEN 0 ELSE 1 END AS BIGINT) AS second_factor, \
                        u.created_at \
                 FROM users u LEFT JOIN units n ON n.id = u.unit_id ORDER BY u.username"
            )
        ))
        .fetch_all(c)
        .await)?;
        tx.commit().await?;
        rows.into_iter()
            .map(|r| {
                Ok(Account {
                    user: r.user.into_user()?,
                    email: r.email,
                    must_change_password: r.must_change_password != 0,
                    password_changed_at: parse_changed_at(&r.password_changed_at)?,
                    second_factor: r.second_factor != 0,
                    created_at: parse_timestamp("账户创建时间", &r.created_at)?,
                })
            })
            .collect()
    }

    /// Ends a session (logout). An unknown session is not an error.
    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let result = execute!(
            &mut tx,
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1",).bind(token_hash)
        )
        .map(|_| ())
        .map_err(StoreError::from);
        finish(tx, result).await
    }

    /// Deletes the sessions expired at `now` or last seen at or before `idle_since`;
    /// returns how many.
    pub async fn purge_sessions(
        &self,
        now: DateTime<Utc>,
        idle_since: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.db.write().await?;
        let result = execute!(
            &mut tx,
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
                .bind(timestamp_text(now))
                .bind(timestamp_text(idle_since))
        )
        .map_err(StoreError::from);
        finish(tx, result).await
    }

    /// Reserves one login attempt against every count in `keys`, before the password is
    /// checked: each count goes up by one unless it has reached its limit in the window
    /// (`domain::login`). Atomic per count (a conditional upsert, which holds the row
    /// while it decides), and all or nothing: if one count is full, none moves and its
    /// scope is returned. So however many attempts run in parallel, no more than the
    /// limit are ever checked. A successful login gives the reservation back
    /// ([`Store::release_login_attempt`]); a failed one leaves it counted.
    pub async fn reserve_login_attempt(
        &self,
        keys: &[ThrottleKey],
        policy: &LoginPolicy,
        now: DateTime<Utc>,
    ) -> Result<Reservation, StoreError> {
        let mut tx = self.db.write().await?;
        match reserve(&mut tx, keys, policy, now).await {
            // Nothing of a refused attempt is kept.
            Ok(refused @ Reservation::Refused { .. }) => {
                tx.rollback().await?;
                Ok(refused)
            }
            result => finish(tx, result).await,
        }
    }

    /// Gives back a reservation after the password was right: the account-from-address
    /// count starts again, the wider counts go down by the one attempt.
    pub async fn release_login_attempt(&self, keys: &[ThrottleKey]) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let result = release(&mut tx, keys).await;
        finish(tx, result).await
    }

    /// Records that a lockout began: a failed attempt brought `key`'s count to its
    /// limit. The count's window starts again at `at`, so the lockout lasts the
    /// policy's full time from the failure that began it.
    pub async fn record_lockout(
        &self,
        key: &ThrottleKey,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let result = async {
            execute!(&mut tx, sqlx::query(
                "INSERT INTO login_lockouts (at, scope, account, address) VALUES ($1, $2, $3, $4)",
            )
            .bind(timestamp_text(at))
            .bind(key.scope.code())
            .bind(&key.account)
            .bind(&key.address))?;
            execute!(
                &mut tx,
                sqlx::query(
                    "UPDATE login_throttle SET window_start = $4 \
                 WHERE scope = $1 AND account = $2 AND address = $3",
                )
                .bind(key.scope.code())
                .bind(&key.account)
                .bind(&key.address)
                .bind(timestamp_text(at))
            )?;
            Ok(())
        }
        .await;
        finish(tx, result).await
    }

    /// Lockouts that began at or after `since`, newest first.
    pub async fn lockouts_since(&self, since: DateTime<Utc>) -> Result<Vec<Lockout>, StoreError> {
        let mut tx = self.db.read().await?;
        let rows: Vec<(String, String, String, String)> = with_conn!(&mut tx, c => sqlx::query_as(
            "SELECT at, scope, account, address FROM login_lockouts \
             WHERE at >= $1 ORDER BY id DESC",
        )
        .bind(timestamp_text(since))
        .fetch_all(c)
        .await)?;
        tx.commit().await?;
        rows.into_iter()
            .map(|(at, scope, account, address)| {
                Ok(Lockout {
                    at: parse_timestamp("锁定时间", &at)?,
                    scope: ThrottleScope::ALL
                        .into_iter()
                        .find(|s| s.code() == scope)
                        .ok_or_else(|| StoreError::Corrupt(format!("未知的锁定范围“{scope}”")))?,
                    account,
                    address,
                })
            })
            .collect()
    }

    /// Lifts every lock on the account `username` (the security administrator's
    /// unlock): its own count and its counts from each address. Returns how many
    /// counts were cleared.
    pub async fn unlock_account(&self, username: &str) -> Result<u64, StoreError> {
        let mut tx = self.db.write().await?;
        let result = execute!(
            &mut tx,
            sqlx::query(
                "DELETE FROM login_throttle \
             WHERE account = $1 AND scope IN ('account', 'account_address')",
            )
            .bind(throttle_account(username))
        )
        .map_err(StoreError::from);
        finish(tx, result).await
    }

    /// Forgets counts whose window ended before `before` (housekeeping: the table
    /// otherwise keeps every mistyped name). Returns how many.
    pub async fn purge_login_throttle(
        &self,
        before: DateTime<Utc>,
        policy: &LoginPolicy,
    ) -> Result<u64, StoreError> {
        let mut tx = self.db.write().await?;
        let result = execute!(
            &mut tx,
            sqlx::query("DELETE FROM login_throttle WHERE window_start < $1",)
                .bind(timestamp_text(policy.window_start(before)))
        )
        .map_err(StoreError::from);
        finish(tx, result).await
    }
}

/// A password's change time; accounts from before migration 0018 have their creation time.
fn parse_changed_at(text: &str) -> Result<DateTime<Utc>, StoreError> {
    parse_timestamp("密码修改时间", text)
}
