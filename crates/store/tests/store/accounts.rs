//! Accounts, sessions and login throttling in the store, each test on a fresh
//! database (the workflow's fixture).

use chrono::Duration;
use duban_domain::{AccountError, Role};
use duban_store::{NewUser, StoreError};

use crate::common::new_user;
use crate::workflow::{at, fixture};

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
        .create_session("a1", f.reporter.id, later)
        .await
        .unwrap();
    store
        .create_session("a2", f.reporter.id, later)
        .await
        .unwrap();
    store.create_session("b1", f.head.id, later).await.unwrap();

    store
        .set_password(f.reporter.id, "$argon2id$new")
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
    assert!(store.session_user("a1", at(8, 0)).await.unwrap().is_none());
    assert!(store.session_user("a2", at(8, 0)).await.unwrap().is_none());
    // Other accounts stay logged in.
    assert_eq!(
        store.session_user("b1", at(8, 0)).await.unwrap(),
        Some(f.head.clone())
    );

    let err = store
        .set_password(duban_store::UserId(999), "x")
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
        .create_session("valid", f.reporter.id, expires)
        .await
        .unwrap();
    store
        .create_session("old", f.head.id, at(9, 0))
        .await
        .unwrap();
    store
        .create_session("older", f.head.id, at(8, 0))
        .await
        .unwrap();

    assert_eq!(
        store.session_user("valid", at(9, 59)).await.unwrap(),
        Some(f.reporter.clone())
    );
    // Expired at the instant of expiry and after.
    assert!(
        store
            .session_user("valid", expires)
            .await
            .unwrap()
            .is_none()
    );
    // Sub-second precision counts.
    let just_before = expires - Duration::milliseconds(1);
    assert!(
        store
            .session_user("valid", just_before)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .session_user("unknown", at(8, 0))
            .await
            .unwrap()
            .is_none()
    );

    store.delete_session("valid").await.unwrap();
    assert!(
        store
            .session_user("valid", at(8, 0))
            .await
            .unwrap()
            .is_none()
    );
    // Logging out twice is fine.
    store.delete_session("valid").await.unwrap();

    assert_eq!(store.purge_sessions(at(8, 30)).await.unwrap(), 1);
    assert!(
        store
            .session_user("old", at(8, 30))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(store.purge_sessions(at(9, 0)).await.unwrap(), 1);
    assert_eq!(store.purge_sessions(at(23, 0)).await.unwrap(), 0);

    let err = store
        .create_session("ghost", duban_store::UserId(999), expires)
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
            .reserve_login_attempt(&from_a, at(9, n))
            .await
            .unwrap()
        {
            Reservation::Granted(counts) => assert_eq!(counts, [n as i64, n as i64, n as i64]),
            other => panic!("attempt {n}: {other:?}"),
        }
    }
    assert_eq!(
        store
            .reserve_login_attempt(&from_a, at(9, 6))
            .await
            .unwrap(),
        Reservation::Refused(ThrottleScope::AccountFromAddress)
    );
    // Typed differently, the same account; from another address, not locked.
    let from_b = throttle_keys(" CGJ.lly ", "10.0.0.2");
    assert_eq!(
        store
            .reserve_login_attempt(&from_b, at(9, 7))
            .await
            .unwrap(),
        Reservation::Granted(vec![1, 1, 6]),
        "the account's own count saw the five from A, not the refused sixth"
    );
    // A right password gives the attempt back.
    store.release_login_attempt(&from_b).await.unwrap();
    assert_eq!(
        store
            .reserve_login_attempt(&from_b, at(9, 8))
            .await
            .unwrap(),
        Reservation::Granted(vec![1, 1, 6])
    );
    // The window ends 15 minutes after the first failure in it.
    assert!(matches!(
        store
            .reserve_login_attempt(&from_a, at(9, 17))
            .await
            .unwrap(),
        Reservation::Granted(_)
    ));
    // The security administrator's unlock clears the account's counts, not others'.
    let other = throttle_keys("guess", "10.0.0.1");
    store
        .reserve_login_attempt(&other, at(9, 18))
        .await
        .unwrap();
    assert_eq!(store.unlock_account("CGJ.LLY").await.unwrap(), 3);
    assert_eq!(store.unlock_account("cgj.lly").await.unwrap(), 0);
    // Housekeeping forgets windows that are over.
    assert_eq!(store.purge_login_throttle(at(9, 0)).await.unwrap(), 0);
    assert!(store.purge_login_throttle(at(12, 0)).await.unwrap() >= 2);
    // Lockouts are recorded for the administrator.
    store.record_lockout(&from_a[0], at(9, 5)).await.unwrap();
    let lockouts = store.lockouts_since(at(9, 0)).await.unwrap();
    assert_eq!(lockouts.len(), 1);
    assert_eq!(lockouts[0].scope, ThrottleScope::AccountFromAddress);
    assert_eq!(lockouts[0].account, "cgj.lly");
    assert_eq!(lockouts[0].address, "10.0.0.1");
}
