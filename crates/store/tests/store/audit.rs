//! The audit log: every change is an entry with who, when, from where, before and
//! after; the chain verifies, and an edited, removed or reordered entry is named; the
//! log cannot be updated or deleted from except by the retention job; appends from
//! concurrent writers (two stores on one database) keep one unbroken chain.

use chrono::{NaiveDate, Utc};
use duban_domain::Role;
use duban_store::audit::{self, Actor, AuditFilter, Entry, GENESIS, HashAlgorithm, Tampering};
use duban_store::{NewAttachment, Store, StoreError};

use crate::common::{Backend, TempDb, connect, raw, sql, temp_db, user};
use crate::copy::fill;

fn clerk(user_id: Option<i64>, name: &str) -> Actor {
    Actor {
        user_id,
        name: name.into(),
        address: Some("10.0.0.7".into()),
        request: Some("POST /test".into()),
    }
}

async fn all(store: &Store) -> Vec<Entry> {
    let mut page = store
        .audit_entries(&AuditFilter {
            limit: 100_000,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    page.entries.reverse();
    page.entries
}

/// Runs `statement` on the log behind the store's back, with its protection off (as
/// someone with the database's files or its owner's password could).
async fn tamper(db: &TempDb, statements: &[&str]) {
    let mut all = Vec::new();
    match db.backend {
        Backend::Sqlite => {
            all.push("DROP TRIGGER audit_log_append_only".to_string());
            all.push("DROP TRIGGER audit_log_retention".to_string());
        }
        Backend::Postgres => all.push("ALTER TABLE audit_log DISABLE TRIGGER USER".to_string()),
    }
    all.extend(statements.iter().map(|s| (*s).to_string()));
    for s in all {
        sql(db, &s).await;
    }
}

#[tokio::test]
async fn every_change_is_an_entry_with_who_where_before_and_after() {
    let db = temp_db().await;
    let store = connect(&db).await;
    let doc = audit::scope(clerk(Some(1), "duchashi"), fill(&store)).await;
    let entries = all(&store).await;
    assert!(entries.len() > 20, "{}", entries.len());
    for e in &entries {
        assert_eq!(e.actor, "duchashi");
        assert_eq!(e.address.as_deref(), Some("10.0.0.7"));
        assert_eq!(e.request.as_deref(), Some("POST /test"));
    }
    let of = |table: &str, action: &str| {
        entries
            .iter()
            .filter(|e| e.object_table.as_deref() == Some(table) && e.action == action)
            .collect::<Vec<_>>()
    };
    // A report's text: before and after, and the task it belongs to.
    let report_updates = of("reports", "update");
    let submitted = report_updates
        .iter()
        .find(|e| e.after_json.as_deref().unwrap().contains("\"submitted\""))
        .expect("the submission is logged");
    assert!(
        submitted
            .before_json
            .as_deref()
            .unwrap()
            .contains("\"draft\"")
    );
    assert!(
        submitted
            .after_json
            .as_deref()
            .unwrap()
            .contains("已清理占道摊点23处")
    );
    let task_id = store.task_key(doc, 1).await.unwrap().unwrap();
    assert_eq!(submitted.task_id, Some(task_id));
    // A file's bytes by their length, under its report's task.
    let file = of("report_attachments", "insert");
    assert_eq!(file.len(), 1);
    let after: serde_json::Value =
        serde_json::from_str(file[0].after_json.as_deref().unwrap()).unwrap();
    assert_eq!(after["data"], serde_json::json!({ "bytes": 7 }));
    assert_eq!(after["filename"], "照片.png");
    assert_eq!(file[0].task_id, Some(task_id));
    // Accounts, without their password hashes; sessions not at all.
    let accounts = of("users", "insert");
    assert_eq!(accounts.len(), 2);
    for a in accounts {
        let after: serde_json::Value =
            serde_json::from_str(a.after_json.as_deref().unwrap()).unwrap();
        assert_eq!(after["password_hash"], "***");
    }
    assert!(of("sessions", "insert").is_empty());
    // The task's history holds its own changes only.
    let history = store
        .audit_entries(&AuditFilter {
            task: Some(task_id),
            limit: 1000,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(history.entries.iter().all(|e| e.task_id == Some(task_id)));
    assert!(
        history
            .entries
            .iter()
            .any(|e| e.object_table.as_deref() == Some("task_events"))
    );

    // A password change shows as changed, never as the hash.
    let reporter = store
        .user_credentials("cgj.lly")
        .await
        .unwrap()
        .unwrap()
        .user;
    audit::scope(
        clerk(None, "管理员"),
        store.set_password(reporter.id, "$argon2id$new", true, Utc::now()),
    )
    .await
    .unwrap();
    let last = all(&store)
        .await
        .into_iter()
        .rev()
        .find(|e| e.object_table.as_deref() == Some("users"))
        .unwrap();
    assert_eq!(last.action, "update");
    assert!(
        last.after_json
            .as_deref()
            .unwrap()
            .contains("***（已修改）")
    );
    assert!(!last.after_json.as_deref().unwrap().contains("argon2id"));
    // A user's history: what they did and what was done to their account.
    let mine = store
        .audit_entries(&AuditFilter {
            user: Some(reporter.id),
            limit: 1000,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(mine.entries.iter().any(|e| e.id == last.id));

    let verified = store.verify_audit().await.unwrap();
    assert_eq!(verified.tampering, None);
    assert_eq!(verified.entries as usize, all(&store).await.len());
}

#[tokio::test]
async fn a_refused_step_leaves_no_entry_and_outside_a_scope_the_system_acts() {
    let db = temp_db().await;
    let store = connect(&db).await;
    let office = user(&store, "duchashi", Role::Supervisor, None).await;
    assert_eq!(all(&store).await[0].actor, "系统");
    let before = all(&store).await.len();
    // A second account with the same name is refused: nothing is logged.
    let again = audit::scope(
        clerk(Some(office.id.0), "duchashi"),
        store.create_user(crate::common::new_user("duchashi", Role::Supervisor, None)),
    )
    .await;
    assert!(
        matches!(again, Err(StoreError::UsernameTaken(_))),
        "{again:?}"
    );
    assert_eq!(all(&store).await.len(), before);
    // An event.
    audit::scope(clerk(Some(office.id.0), "duchashi"), async {
        audit::identify(office.id.0, "duchashi");
        store
            .record_event(
                "export",
                Some("/documents/1/render.pdf"),
                serde_json::json!({"file": "通报.pdf"}),
            )
            .await
    })
    .await
    .unwrap();
    let last = all(&store).await.pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.actor_id),
        ("export", Some(office.id.0))
    );
    assert_eq!(store.verify_audit().await.unwrap().tampering, None);
}

#[tokio::test]
async fn the_log_cannot_be_changed_or_deleted_through_the_database() {
    let db = temp_db().await;
    let store = connect(&db).await;
    user(&store, "duchashi", Role::Supervisor, None).await;
    assert_eq!(all(&store).await.len(), 1);
    let pool = raw(&db).await;
    for statement in [
        "UPDATE audit_log SET actor = '别人'",
        "DELETE FROM audit_log",
    ] {
        let refused = sqlx::query(statement).execute(&pool).await.unwrap_err();
        assert!(refused.to_string().contains("审计日志"), "{refused}");
    }
    pool.close().await;
    assert_eq!(all(&store).await.len(), 1);
}

/// A store with a few entries: a user created, and five events.
async fn logged(db: &TempDb) -> Store {
    let store = connect(db).await;
    user(&store, "duchashi", Role::Supervisor, None).await;
    for n in 0..5 {
        store
            .record_event(
                "export",
                Some(&format!("file{n}")),
                serde_json::json!({ "n": n }),
            )
            .await
            .unwrap();
    }
    assert_eq!(all(&store).await.len(), 6);
    assert_eq!(store.verify_audit().await.unwrap().tampering, None);
    store
}

#[tokio::test]
async fn an_edited_entry_is_named() {
    let db = temp_db().await;
    let store = logged(&db).await;
    tamper(
        &db,
        &["UPDATE audit_log SET after_json = '{\"n\": 9}' WHERE id = 4"],
    )
    .await;
    let found = store.verify_audit().await.unwrap().tampering;
    assert!(
        matches!(found, Some(Tampering::Edited { id: 4, .. })),
        "{found:?}"
    );
    assert!(found.unwrap().to_string().contains("第 4 条记录"));
}

#[tokio::test]
async fn a_removed_entry_is_named() {
    let db = temp_db().await;
    let store = logged(&db).await;
    tamper(&db, &["DELETE FROM audit_log WHERE id = 3"]).await;
    let found = store.verify_audit().await.unwrap().tampering;
    assert!(
        matches!(
            found,
            Some(Tampering::Removed {
                from: 3,
                to: 3,
                next: Some((4, _))
            })
        ),
        "{found:?}"
    );
    // The last ones removed, too.
    let db = temp_db().await;
    let store = logged(&db).await;
    tamper(&db, &["DELETE FROM audit_log WHERE id >= 5"]).await;
    let found = store.verify_audit().await.unwrap().tampering;
    assert!(
        matches!(
            found,
            Some(Tampering::Removed {
                from: 5,
                to: 6,
                next: None
            })
        ),
        "{found:?}"
    );
}

#[tokio::test]
async fn a_reordered_entry_is_named() {
    let db = temp_db().await;
    let store = logged(&db).await;
    tamper(
        &db,
        &[
            "UPDATE audit_log SET id = 100 WHERE id = 3",
            "UPDATE audit_log SET id = 3 WHERE id = 4",
            "UPDATE audit_log SET id = 4 WHERE id = 100",
        ],
    )
    .await;
    let found = store.verify_audit().await.unwrap().tampering;
    assert!(
        matches!(
            found,
            Some(Tampering::Reordered {
                id: 3,
                follows: 4,
                ..
            })
        ),
        "{found:?}"
    );
}

#[tokio::test]
async fn concurrent_writers_on_two_stores_keep_one_chain() {
    let db = temp_db().await;
    let one = connect(&db).await;
    let two = connect(&db).await;
    let mut tasks = Vec::new();
    for n in 0..40 {
        let store = if n % 2 == 0 { one.clone() } else { two.clone() };
        tasks.push(tokio::spawn(async move {
            let name = format!("user{n}");
            audit::scope(clerk(None, &name), async {
                store
                    .create_user(crate::common::new_user(&name, Role::Leader, None))
                    .await
                    .unwrap();
                store
                    .record_event("export", Some(&name), serde_json::json!({}))
                    .await
                    .unwrap();
            })
            .await
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // Every write's entries are chained by the time the last writer is answered: on
    // PostgreSQL a writer that found the head held left its rows to the holder, which
    // looked again once it let go.
    let entries = all(&one).await;
    assert_eq!(entries.len(), 80);
    let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
    assert_eq!(ids, (1..=80).collect::<Vec<_>>());
    let verified = two.verify_audit().await.unwrap();
    assert_eq!(verified.tampering, None);
    assert_eq!(verified.entries, 80);
    assert_eq!(verified.waiting, 0);
    // Each user's creation was logged in its own actor's name.
    for e in entries.iter().filter(|e| e.action == "insert") {
        let after: serde_json::Value =
            serde_json::from_str(e.after_json.as_deref().unwrap()).unwrap();
        assert_eq!(after["username"].as_str(), Some(e.actor.as_str()));
    }
}

#[tokio::test]
async fn sm3_chains_new_entries_and_is_verified() {
    let db = temp_db().await;
    let store = logged(&db).await;
    assert_eq!(
        store.audit_algorithm().await.unwrap(),
        HashAlgorithm::Sha256
    );
    store.set_audit_algorithm(HashAlgorithm::Sm3).await.unwrap();
    store
        .record_event("export", None, serde_json::json!({}))
        .await
        .unwrap();
    let entries = all(&store).await;
    assert_eq!(entries[0].algorithm, "sha256");
    assert_eq!(entries.last().unwrap().algorithm, "sm3");
    assert_eq!(entries.last().unwrap().hash.len(), 64);
    assert_eq!(store.verify_audit().await.unwrap().tampering, None);
    tamper(&db, &["UPDATE audit_log SET actor = '别人' WHERE id = 8"]).await;
    let found = store.verify_audit().await.unwrap().tampering;
    assert!(
        matches!(found, Some(Tampering::Edited { id: 8, .. })),
        "{found:?}"
    );
}

/// Entries dated `at`, chained from the start, written behind the store's back (as an
/// old log would be).
async fn old_entries(db: &TempDb, at: &str, n: i64) {
    let mut prev = GENESIS.to_string();
    let mut statements = Vec::new();
    for id in 1..=n {
        let mut e = Entry {
            id,
            at: at.into(),
            actor_id: None,
            actor: "系统".into(),
            address: None,
            request: None,
            action: "export".into(),
            object_table: None,
            object_key: None,
            task_id: None,
            before_json: None,
            after_json: Some("{}".into()),
            algorithm: "sha256".into(),
            prev_hash: prev.clone(),
            hash: String::new(),
        };
        e.hash = e.hash_with(&prev).unwrap();
        statements.push(format!(
            "INSERT INTO audit_log (id, at, actor, action, after_json, algorithm, prev_hash, hash) \
             VALUES ({id}, '{at}', '系统', 'export', '{{}}', 'sha256', '{}', '{}')",
            e.prev_hash, e.hash
        ));
        prev = e.hash;
    }
    statements.push(format!(
        "UPDATE audit_head SET last_id = {n}, last_hash = '{prev}' WHERE id = 1"
    ));
    for s in statements {
        sql(db, &s).await;
    }
}

#[tokio::test]
async fn the_retention_job_removes_only_old_entries_and_logs_itself() {
    let db = temp_db().await;
    let store = connect(&db).await;
    old_entries(&db, "2024-01-05T00:00:00.000000000Z", 3).await;
    user(&store, "duchashi", Role::Supervisor, None).await;
    assert_eq!(store.verify_audit().await.unwrap().tampering, None);

    let today = duban_domain::china_date(Utc::now());
    let too_recent = store.prune_audit(today - chrono::Duration::days(10)).await;
    assert!(
        matches!(too_recent, Err(StoreError::Retention(_))),
        "{too_recent:?}"
    );
    assert!(too_recent.unwrap_err().to_string().contains("180"));

    let pruned = store
        .prune_audit(NaiveDate::from_ymd_opt(2025, 1, 1).unwrap())
        .await
        .unwrap();
    assert_eq!((pruned.removed, pruned.through), (3, 3));
    let entries = all(&store).await;
    assert_eq!(entries.first().unwrap().id, 4);
    assert_eq!(entries.last().unwrap().action, "prune");
    let verified = store.verify_audit().await.unwrap();
    assert_eq!(verified.tampering, None, "{verified:?}");
    assert_eq!(verified.pruned_through, 3);

    // Removing the first entries and moving the head, without the job: found.
    tamper(
        &db,
        &[
            "UPDATE audit_head SET pruned_through = 4, \
             pruned_hash = (SELECT hash FROM audit_log WHERE id = 4) WHERE id = 1",
            "DELETE FROM audit_log WHERE id = 4",
        ],
    )
    .await;
    let found = store.verify_audit().await.unwrap().tampering;
    assert!(matches!(found, Some(Tampering::Head { .. })), "{found:?}");
}

#[tokio::test]
async fn a_copy_keeps_the_chain_and_logs_itself_in_the_target() {
    let db = temp_db().await;
    let store = connect(&db).await;
    fill(&store).await;
    let source_entries = all(&store).await;
    let target_db = crate::common::sqlite_db();
    let target = connect(&target_db).await;
    store
        .copy_logged(
            &target,
            duban_store::CopyOptions {
                replace: false,
                event: Some(("restore".into(), serde_json::json!({ "file": "backup.db" }))),
            },
            |_| {},
        )
        .await
        .unwrap();
    let copied = all(&target).await;
    assert_eq!(copied.len(), source_entries.len() + 1);
    assert_eq!(&copied[..source_entries.len()], &source_entries[..]);
    assert_eq!(copied.last().unwrap().action, "restore");
    assert_eq!(target.verify_audit().await.unwrap().tampering, None);
    // Copying captured nothing row by row.
    assert!(
        copied[source_entries.len()..]
            .iter()
            .all(|e| e.object_table.is_none())
    );
    // The target goes on logging its own changes.
    user(&target, "newcomer", Role::Leader, None).await;
    assert_eq!(target.verify_audit().await.unwrap().tampering, None);
}

#[tokio::test]
async fn attachments_bytes_never_enter_the_log() {
    let db = temp_db().await;
    let store = connect(&db).await;
    fill(&store).await;
    let reporter = store
        .user_credentials("cgj.lly")
        .await
        .unwrap()
        .unwrap()
        .user;
    let report = store
        .reports(&duban_store::ReportFilter::default())
        .await
        .unwrap()[0]
        .id;
    let big = vec![b'x'; 4096];
    let _ = store
        .add_attachment(
            report,
            &reporter,
            NewAttachment {
                filename: "说明.txt".into(),
                content_type: "text/plain".into(),
                data: big,
            },
            Utc::now(),
        )
        .await;
    for e in all(&store).await {
        assert!(!e.after_json.unwrap_or_default().contains("xxxxxxxx"));
    }
}

#[tokio::test]
async fn a_change_made_behind_the_stores_back_is_logged_as_such() {
    let db = temp_db().await;
    let store = connect(&db).await;
    user(&store, "duchashi", Role::Supervisor, None).await;
    sql(
        &db,
        "UPDATE users SET display_name = '改过的名字' WHERE username = 'duchashi'",
    )
    .await;
    audit::scope(
        clerk(Some(1), "duchashi"),
        store.record_event("export", None, serde_json::json!({})),
    )
    .await
    .unwrap();
    let entries = all(&store).await;
    let outside = &entries[entries.len() - 2];
    assert_eq!(outside.action, "update");
    assert_eq!(outside.actor, "（数据库外部修改）");
    assert!(
        outside
            .after_json
            .as_deref()
            .unwrap()
            .contains("改过的名字")
    );
    assert_eq!(outside.address, None);
    let event = entries.last().unwrap();
    assert_eq!(
        (event.action.as_str(), event.actor.as_str()),
        ("export", "duchashi")
    );
    assert_eq!(store.verify_audit().await.unwrap().tampering, None);
}

/// Two servers writing and linking at once, with linkers that wait for the head
/// (`link_audit`, as `audit verify` and the tick run it) beside the writers' own: every
/// change is chained exactly once.
#[tokio::test]
async fn two_servers_linking_at_once_lose_and_duplicate_nothing() {
    let db = temp_db().await;
    let one = connect(&db).await;
    let two = connect(&db).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut linkers = Vec::new();
    for store in [one.clone(), two.clone()] {
        let stop = std::sync::Arc::clone(&stop);
        linkers.push(tokio::spawn(async move {
            let mut linked = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                linked += store.link_audit().await.unwrap();
                tokio::task::yield_now().await;
            }
            linked
        }));
    }
    let mut writers = Vec::new();
    for w in 0..8 {
        let store = if w % 2 == 0 { one.clone() } else { two.clone() };
        writers.push(tokio::spawn(async move {
            for n in 0..10 {
                let name = format!("w{w}n{n}");
                audit::scope(
                    clerk(None, &name),
                    store.record_event("export", Some(&name), serde_json::json!({ "n": n })),
                )
                .await
                .unwrap();
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for l in linkers {
        l.await.unwrap();
    }
    one.link_audit().await.unwrap();
    let entries = all(&two).await;
    let mut about: Vec<String> = entries
        .iter()
        .map(|e| e.object_key.clone().unwrap())
        .collect();
    about.sort();
    let mut expected: Vec<String> = (0..8)
        .flat_map(|w| (0..10).map(move |n| format!("w{w}n{n}")))
        .collect();
    expected.sort();
    assert_eq!(about, expected, "each event chained exactly once");
    for e in &entries {
        assert_eq!(
            e.actor,
            e.object_key.clone().unwrap(),
            "sealed in its writer's name"
        );
    }
    let verified = one.verify_audit().await.unwrap();
    assert_eq!(verified.tampering, None);
    assert_eq!((verified.entries, verified.waiting), (80, 0));
}

/// Rows sealed and committed but never linked (a server killed right after a commit)
/// are chained by the next link in their own writer's name, and a copy of a store
/// holding such rows chains them in the target.
#[tokio::test]
async fn sealed_rows_left_unlinked_are_chained_later_and_by_a_copy() {
    let db = temp_db().await;
    let store = connect(&db).await;
    audit::scope(
        clerk(Some(3), "duchashi"),
        store.record_event("export", Some("first"), serde_json::json!({})),
    )
    .await
    .unwrap();
    // Linked (PostgreSQL links right after the commit, on a task of its own).
    assert_eq!(all(&store).await.len(), 1);
    sql(
        &db,
        "INSERT INTO audit_pending (table_name, op, row_key, before_json, after_json, at, \
                                    actor_id, actor, address, request, task_id) \
         VALUES (NULL, 'export', 'left', NULL, '{}', '2026-12-05T01:02:03Z', 9, 'fgj.lly', \
                 '10.0.0.9', 'GET /left', NULL)",
    )
    .await;
    let before = store.verify_audit().await.unwrap();
    assert_eq!((before.entries, before.waiting), (1, 1));
    assert_eq!(before.tampering, None);

    // A copy made now carries the row and chains it in the target.
    let target_db = crate::common::sqlite_db();
    let target = connect(&target_db).await;
    store.copy_into(&target, |_| {}).await.unwrap();
    let copied = all(&target).await;
    assert_eq!(copied.len(), 2);
    let left = &copied[1];
    assert_eq!(
        (
            left.action.as_str(),
            left.object_key.as_deref(),
            left.actor.as_str()
        ),
        ("export", Some("left"), "fgj.lly")
    );
    assert_eq!(
        (left.at.as_str(), left.actor_id, left.address.as_deref()),
        ("2026-12-05T01:02:03Z", Some(9), Some("10.0.0.9"))
    );
    let verified = target.verify_audit().await.unwrap();
    assert_eq!((verified.tampering, verified.waiting), (None, 0));

    // In the source, the next link chains it.
    assert_eq!(store.link_audit().await.unwrap(), 1);
    let entries = all(&store).await;
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].actor, "fgj.lly");
    let verified = store.verify_audit().await.unwrap();
    assert_eq!(
        (verified.tampering, verified.entries, verified.waiting),
        (None, 2, 0)
    );
}
