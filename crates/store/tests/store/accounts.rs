//! Accounts, sessions and login throttling in the store, each test on a fresh
//! database (the workflow's fixture).

use chrono::Duration;
use duban_domain::{AccountError, Role};
use duban_store::{NewUser, StoreError};

use crate::common::new_user;
use crate::workflow::{at, fixture};

/// The account of a session at `now`, the idle timeout out of the way.
async fn session_user(
    store: &duban_store::Store,
    hash: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<duban_store::User> {
    let epoch = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
    store
        .session(hash, now, epoch, epoch)
        .await
        .unwrap()
        .map(|s| s.user)
}

#[tokio::test]
async fn idle_sessions_end_and_used_ones_are_seen() {
    let f = fixture().await;
    let store = &f.store;
    store
        .create_session("s", f.reporter.id, at(20, 0), at(8, 0), false)
        .await
        .unwrap();
    // Used at 8:20 with a 30-minute timeout: alive, and recorded as seen (older than
    // the touch interval).
    let s = store
        .session("s", at(8, 20), at(7, 50), at(8, 19))
        .await
        .unwrap()
        .expect("alive");
    assert!(!s.second_factor_pending && !s.must_change_password);
    // So at 8:45 it is still alive (seen 25 minutes ago), where 8:00 would be idle.
    assert!(
        store
            .session("s", at(8, 45), at(8, 15), at(8, 44))
            .await
            .unwrap()
            .is_some()
    );
    // 30 minutes without a request: gone.
    assert!(
        store
            .session("s", at(9, 20), at(8, 50), at(9, 19))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.purge_sessions(at(9, 20), at(8, 50)).await.unwrap(), 1);
    // A second factor pending, then completed.
    store
        .create_session("t", f.reporter.id, at(20, 0), at(8, 0), true)
        .await
        .unwrap();
    let pending = |at_: chrono::DateTime<chrono::Utc>| async move {
        store
            .session("t", at_, at(7, 0), at(7, 0))
            .await
            .unwrap()
            .expect("alive")
            .second_factor_pending
    };
    assert!(pending(at(8, 1)).await);
    assert!(store.complete_second_factor("t").await.unwrap());
    assert!(!pending(at(8, 2)).await);
    // A TOTP step is good once, and only going forward.
    assert!(store.use_totp_step(f.reporter.id, 100).await.unwrap());
    assert!(!store.use_totp_step(f.reporter.id, 100).await.unwrap());
    assert!(!store.use_totp_step(f.reporter.id, 99).await.unwrap());
    assert!(store.use_totp_step(f.reporter.id, 101).await.unwrap());
}

#[tokio::test]
async fn roles_change_within_the_separation_of_duties() {
    let f = fixture().await;
    let store = &f.store;
    let security = store
        .create_user(new_user("aqgly", Role::SecurityAdmin, None))
        .await
        .unwrap();
    let err = store
        .set_role(security.id, Role::AuditAdmin, None, true)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("已是安全管理员，不能再担任审计管理员"),
        "{err}"
    );
    // On the web, no administrator's role is given or taken.
    assert!(matches!(
        store
            .set_role(f.reporter.id, Role::AuditAdmin, None, false)
            .await,
        Err(StoreError::Role(_))
    ));
    // A reporter becomes a leader (no unit) and back (a unit needed).
    let leader = store
        .set_role(f.reporter.id, Role::Leader, None, false)
        .await
        .unwrap();
    assert_eq!((leader.role, leader.unit), (Role::Leader, None));
    assert!(matches!(
        store
            .set_role(f.reporter.id, Role::Reporter, None, false)
            .await,
        Err(StoreError::Account(AccountError::UnitRequired(_)))
    ));
    let accounts = store.accounts().await.unwrap();
    assert!(accounts.iter().any(|a| a.user.username.as_str() == "aqgly"));
}

#[tokio::test]
async fn accounts_are_created_and_checked() {
    let f = fixture().await;
    let store = &f.store;

    // An alias resolves to the canonical name.
    let wmb = store
        .create_user(new_user("wmb.lly", Role::Reporter, Some(" 区创城办 ")))
        .await
        .unwrap();
    assert_eq!(wmb.unit.as_deref(), Some("区委文明办"));
    assert_eq!(wmb.role, Role::Reporter);
    assert_eq!(wmb.display_name, "wmb.lly 姓名");
    assert_eq!(store.user(wmb.id).await.unwrap(), Some(wmb.clone()));
    assert_eq!(f.office.unit, None);

    let err = store
        .create_user(new_user("cgj.lly", Role::Reporter, Some("区发改局")))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::UsernameTaken(name) if name == "cgj.lly"),
        "{err:?}"
    );
    assert!(err.to_string().contains("“cgj.lly”已被使用"), "{err}");

    let err = store
        .create_user(new_user("nobody", Role::Reporter, Some("区不存在局")))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::UnknownUnit(u) if u == "区不存在局"),
        "{err:?}"
    );
    assert!(err.to_string().contains("不在单位名录中"), "{err}");

    for role in [Role::Reporter, Role::UnitHead] {
        for unit in [None, Some("  ")] {
            let err = store
                .create_user(new_user("nounit", role, unit))
                .await
                .unwrap_err();
            assert!(
                matches!(err, StoreError::Account(AccountError::UnitRequired(_))),
                "{err:?}"
            );
            assert!(err.to_string().contains("须指定所属单位"), "{err}");
        }
    }

    let err = store
        .create_user(new_user("office2", Role::Supervisor, Some("区城管局")))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::UnitNotAllowed { .. }), "{err:?}");
    assert!(
        err.to_string().contains("督查室账号不属于任何单位"),
        "{err}"
    );

    // An empty display name becomes the username.
    let admin = store
        .create_user(NewUser {
            display_name: "  ".into(),
            ..new_user("admin", Role::Admin, None)
        })
        .await
        .unwrap();
    assert_eq!(admin.display_name, "admin");

    let names: Vec<String> = store
        .users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username.to_string())
        .collect();
    assert_eq!(
        names,
        [
            "admin", "cgj.head", "cgj.lly", "duchashi", "gaj.lly", "lingdao", "wmb.lly"
        ]
    );

    let credentials = store.user_credentials("cgj.lly").await.unwrap().unwrap();
    assert_eq!(credentials.user, f.reporter);
    assert_eq!(
        credentials.password_hash,
        "$argon2id$v=19$m=19456,t=2,p=1$salt$cgj.lly"
    );
    assert!(store.user_credentials("nobody").await.unwrap().is_none());
    assert!(
        store
            .user(duban_store::UserId(999))
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_new_password_ends_every_session() {
    let f = fixture().await;
    let store = &f.store;
    let later = at(12, 0);
    store
        .create_session("a1", f.reporter.id, later, at(7, 0), false)
        .await
        .unwrap();
    store
        .create_session("a2", f.reporter.id, later, at(7, 0), false)
        .await
        .unwrap();
    store
        .create_session("b1", f.head.id, later, at(7, 0), false)
        .await
        .unwrap();

    store
        .set_password(f.reporter.id, "$argon2id$new", false, at(8, 0))
        .await
        .unwrap();
    assert_eq!(
        store
            .user_credentials("cgj.lly")
            .await
            .unwrap()
            .unwrap()
            .password_hash,
        "$argon2id$new"
    );
    assert!(session_user(store, "a1", at(8, 0)).await.is_none());
    assert!(session_user(store, "a2", at(8, 0)).await.is_none());
    // Other accounts stay logged in.
    assert_eq!(
        session_user(store, "b1", at(8, 0)).await,
        Some(f.head.clone())
    );

    let err = store
        .set_password(duban_store::UserId(999), "x", false, at(8, 0))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::UserNotFound(_)), "{err:?}");
}

#[tokio::test]
async fn sessions_expire_end_and_are_purged() {
    let f = fixture().await;
    let store = &f.store;
    let expires = at(10, 0);
    store
        .create_session("valid", f.reporter.id, expires, at(7, 0), false)
        .await
        .unwrap();
    store
        .create_session("old", f.head.id, at(9, 0), at(7, 0), false)
        .await
        .unwrap();
    store
        .create_session("older", f.head.id, at(8, 0), at(7, 0), false)
        .await
        .unwrap();

    assert_eq!(
        session_user(store, "valid", at(9, 59)).await,
        Some(f.reporter.clone())
    );
    // Expired at the instant of expiry and after.
    assert!(session_user(store, "valid", expires).await.is_none());
    // Sub-second precision counts.
    let just_before = expires - Duration::milliseconds(1);
    assert!(session_user(store, "valid", just_before).await.is_some());
    assert!(session_user(store, "unknown", at(8, 0)).await.is_none());

    store.delete_session("valid").await.unwrap();
    assert!(session_user(store, "valid", at(8, 0)).await.is_none());
    // Logging out twice is fine.
    store.delete_session("valid").await.unwrap();

    assert_eq!(
        store
            .purge_sessions(at(8, 30), chrono::DateTime::<chrono::Utc>::UNIX_EPOCH)
            .await
            .unwrap(),
        1
    );
    assert!(session_user(store, "old", at(8, 30)).await.is_some());
    assert_eq!(
        store
            .purge_sessions(at(9, 0), chrono::DateTime::<chrono::Utc>::UNIX_EPOCH)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .purge_sessions(at(23, 0), chrono::DateTime::<chrono::Utc>::UNIX_EPOCH)
            .await
            .unwrap(),
        0
    );

    let err = store
        .create_session("ghost", duban_store::UserId(999), expires, at(7, 0), false)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::UserNotFound(_)), "{err:?}");
}

#[tokio::test]
async fn login_attempts_are_reserved_per_account_address_and_both() {
    use duban_domain::login::{ThrottleScope, throttle_keys};
    use duban_store::Reservation;
    let f = fixture().await;
    let store = &f.store;
    let from_a = throttle_keys("cgj.lly", "10.0.0.1");
    // The account from one address: five attempts, then refused, and a refused one
    // moves no count.
    for n in 1..=5 {
        match store
            .reserve_login_attempt(
                &from_a,
                &duban_domain::security::LoginPolicy::default(),
                at(9, n),
            )
            .await
            .unwrap()
        {
            Reservation::Granted(counts) => assert_eq!(counts, [n as i64, n as i64, n as i64]),
            other => panic!("attempt {n}: {other:?}"),
        }
    }
    assert_eq!(
        store
            .reserve_login_attempt(
                &from_a,
                &duban_domain::security::LoginPolicy::default(),
                at(9, 6)
            )
            .await
            .unwrap(),
        Reservation::Refused {
            scope: ThrottleScope::AccountFromAddress,
            until: at(9, 16)
        }
    );
    // Typed differently, the same account; from another address, not locked.
    let from_b = throttle_keys(" CGJ.lly ", "10.0.0.2");
    assert_eq!(
        store
            .reserve_login_attempt(
                &from_b,
                &duban_domain::security::LoginPolicy::default(),
                at(9, 7)
            )
            .await
            .unwrap(),
        Reservation::Granted(vec![1, 1, 6]),
        "the account's own count saw the five from A, not the refused sixth"
    );
    // A right password gives the attempt back.
    store.release_login_attempt(&from_b).await.unwrap();
    assert_eq!(
        store
            .reserve_login_attempt(
                &from_b,
                &duban_domain::security::LoginPolicy::default(),
                at(9, 8)
            )
            .await
            .unwrap(),
        Reservation::Granted(vec![1, 1, 6])
    );
    // The window ends 15 minutes after the first failure in it.
    assert!(matches!(
        store
            .reserve_login_attempt(
                &from_a,
                &duban_domain::security::LoginPolicy::default(),
                at(9, 17)
            )
            .await
            .unwrap(),
        Reservation::Granted(_)
    ));
    // The security administrator's unlock clears the account's counts, not others'.
    let other = throttle_keys("guess", "10.0.0.1");
    store
        .reserve_login_attempt(
            &other,
            &duban_domain::security::LoginPolicy::default(),
            at(9, 18),
        )
        .await
        .unwrap();
    assert_eq!(store.unlock_account("CGJ.LLY").await.unwrap(), 3);
    assert_eq!(store.unlock_account("cgj.lly").await.unwrap(), 0);
    // Housekeeping forgets windows that are over.
    assert_eq!(
        store
            .purge_login_throttle(at(9, 0), &duban_domain::security::LoginPolicy::default())
            .await
            .unwrap(),
        0
    );
    assert!(
        store
            .purge_login_throttle(at(12, 0), &duban_domain::security::LoginPolicy::default())
            .await
            .unwrap()
            >= 2
    );
    // Lockouts are recorded for the administrator.
    store.record_lockout(&from_a[0], at(9, 5)).await.unwrap();
    let lockouts = store.lockouts_since(at(9, 0)).await.unwrap();
    assert_eq!(lockouts.len(), 1);
    assert_eq!(lockouts[0].scope, ThrottleScope::AccountFromAddress);
    assert_eq!(lockouts[0].account, "cgj.lly");
    assert_eq!(lockouts[0].address, "10.0.0.1");
}
