//! Accounts, login sessions and login throttling.
//!
//! The store never sees a password or a session token: the web layer hands it an
//! argon2id hash and the SHA-256 (hex) of the token.

use chrono::{DateTime, Utc};
use duban_domain::login::{ThrottleKey, ThrottleScope, throttle_account, window_start};
use duban_domain::{AccountError, Username};
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
    /// This count is full: the attempt is refused unchecked, and counted nowhere.
    Refused(ThrottleScope),
}

async fn reserve(
    tx: &mut Tx,
    keys: &[ThrottleKey],
    now: DateTime<Utc>,
) -> Result<Reservation, StoreError> {
    let mut counts = Vec::with_capacity(keys.len());
    let now_text = timestamp_text(now);
    let since = timestamp_text(window_start(now));
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
        .bind(key.scope.limit())
        .fetch_optional(c)
        .await)?;
        match counted {
            Some(n) => counts.push(n),
            None => return Ok(Reservation::Refused(key.scope)),
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
        "INSERT INTO users (username, display_name, role, unit_id, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(new.username.as_str())
    .bind(display_name)
    .bind(new.role.code())
    .bind(unit_id)
    .bind(&new.password_hash)
    .bind(timestamp_text(Utc::now()))
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
        }
        let mut tx = self.db.read().await?;
        let row: Option<Row> = with_conn!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(
            format!(
                "SELECT {USER_COLUMNS}, u.password_hash \
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
    /// was logged in), in one transaction.
    pub async fn set_password(&self, id: UserId, password_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let result = async {
            let updated = execute!(
                &mut tx,
                sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1",)
                    .bind(id.0)
                    .bind(password_hash)
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

    /// Records a session: `token_hash` is the SHA-256 (hex) of the cookie's token.
    pub async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let result =
            async {
                let exists = with_conn!(&mut tx, c => sqlx::query_scalar::<_, i64>(
                "SELECT id FROM users WHERE id = $1",
            )
            .bind(user.0)
            .fetch_optional(c)
            .await)?;
                if exists.is_none() {
                    return Err(StoreError::UserNotFound(user));
                }
                execute!(&mut tx, sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
            )
            .bind(token_hash)
            .bind(user.0)
            .bind(timestamp_text(expires_at)))?;
                Ok(())
            }
            .await;
        finish(tx, result).await
    }

    /// The account logged in with this session, if the session exists and expires
    /// after `now`.
    pub async fn session_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        let mut tx = self.db.read().await?;
        let row: Option<UserRow> = with_conn!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(
            format!(
                "SELECT {USER_COLUMNS} FROM sessions s \
                 JOIN users u ON u.id = s.user_id \
                 LEFT JOIN units n ON n.id = u.unit_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2"
            )
        ))
        .bind(token_hash)
        .bind(timestamp_text(now))
        .fetch_optional(c)
        .await)?;
        tx.commit().await?;
        row.map(UserRow::into_user).transpose()
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

    /// Deletes the sessions expired at `now`; returns how many.
    pub async fn purge_sessions(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut tx = self.db.write().await?;
        let result = execute!(
            &mut tx,
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1",).bind(timestamp_text(now))
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
        now: DateTime<Utc>,
    ) -> Result<Reservation, StoreError> {
        let mut tx = self.db.write().await?;
        match reserve(&mut tx, keys, now).await {
            // Nothing of a refused attempt is kept.
            Ok(refused @ Reservation::Refused(_)) => {
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

    /// Records that a lockout began: a failed attempt brought `key`'s count to its limit.
    pub async fn record_lockout(
        &self,
        key: &ThrottleKey,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let result =
            execute!(&mut tx, sqlx::query(
            "INSERT INTO login_lockouts (at, scope, account, address) VALUES ($1, $2, $3, $4)",
        )
        .bind(timestamp_text(at))
        .bind(key.scope.code())
        .bind(&key.account)
        .bind(&key.address))
            .map(|_| ())
            .map_err(StoreError::from);
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
    pub async fn purge_login_throttle(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut tx = self.db.write().await?;
        let result = execute!(
            &mut tx,
            sqlx::query("DELETE FROM login_throttle WHERE window_start < $1",)
                .bind(timestamp_text(window_start(before)))
        )
        .map_err(StoreError::from);
        finish(tx, result).await
    }
}
