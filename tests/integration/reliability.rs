//! Issue 12: the audit log through the app and the CLI (logins, changes, downloads,
//! its pages and exports, who may read it, `duban audit verify`), and a backup taken
//! while reports are being saved, restored into a new store and compared.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::{Value, json};

use crate::integration::support::{PASSWORD, Run, Sandbox, Server};

const ACCOUNTS: &[(&str, &str, Option<&str>)] = &[
    ("adm", "admin", None),
    ("sjgly", "audit_admin", None),
    ("sup", "supervisor", None),
    ("fgj.lly", "reporter", Some("区发改局")),
    ("czj.lly", "reporter", Some("区财政局")),
];

fn get(server: &Server, client: &Client, path: &str) -> (StatusCode, String) {
    let response = client.get(server.url(path)).send().expect("get");
    (response.status(), response.text().unwrap_or_default())
}

fn post(server: &Server, client: &Client, path: &str, body: Value) -> (StatusCode, Value) {
    let response = client
        .post(server.url(path))
        .json(&body)
        .send()
        .expect("post");
    let status = response.status();
    (status, response.json().unwrap_or(Value::Null))
}

/// Opens a round on tasks 1–8 as the office; its id.
fn open_round(server: &Server) -> i64 {
    let sup = server.login("sup", PASSWORD);
    let (status, round) = post(
        server,
        &sup,
        "/api/rounds",
        json!({"document": 1, "label": "1-10月", "due": "2020-11-10", "tasks": "1-8"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{round}");
    round["id"].as_i64().expect("round id")
}

/// The ids of `client`'s unit's reports.
fn my_reports(server: &Server, client: &Client) -> Vec<i64> {
    let (_, body) = get(server, client, "/api/reports/mine");
    let reports: Value = serde_json::from_str(&body).expect("reports");
    reports
        .as_array()
        .expect("reports")
        .iter()
        .filter_map(|r| r["id"].as_i64())
        .collect()
}

#[test]
fn the_audit_log_records_logins_changes_and_downloads_for_its_readers_only() {
    let sandbox = Sandbox::seeded(ACCOUNTS);
    let server = Server::start(&sandbox, &["serve"]);
    // A failed login, then the office at work.
    let stranger = Server::client();
    let refused = stranger
        .post(server.url("/api/login"))
        .json(&json!({"username": "sup", "password": "wrong-password-1"}))
        .send()
        .expect("login");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    open_round(&server);
    let reporter = server.login("fgj.lly", PASSWORD);
    let report = my_reports(&server, &reporter)[0];
    let (status, body) = post(
        &server,
        &reporter,
        &format!("/api/reports/{report}/actions"),
        json!({"action": "save_draft", "text": "已完成年度目标的八成", "percent": "80"}),
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    let sup = server.login("sup", PASSWORD);
    let (status, _) = get(&server, &sup, "/dashboard/tables/trend.xlsx");
    assert_eq!(status, StatusCode::OK);
    let (status, _) = post(&server, &sup, "/api/logout", json!({}));
    assert!(status.is_success(), "{status}");

    // Only the 审计管理员 sees it (三员分立): not the office, a unit or the administrator.
    let sup = server.login("sup", PASSWORD);
    let adm = server.login("adm", PASSWORD);
    for path in [
        "/audit",
        "/audit/export.csv",
        "/audit/users/1",
        "/documents/1/tasks/1/history",
    ] {
        assert_eq!(get(&server, &sup, path).0, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(get(&server, &adm, path).0, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(
            get(&server, &reporter, path).0,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let auditor = server.login("sjgly", PASSWORD);
    let (status, page) = get(&server, &auditor, "/audit");
    assert_eq!(status, StatusCode::OK);
    for shown in [
        "登录失败",
        "登录成功",
        "退出登录",
        "导出",
        "各轮填报趋势",
        "已完成年度目标的八成",
        "127.0.0.1",
        "fgj.lly",
    ] {
        assert!(page.contains(shown), "{shown} missing from the log page");
    }
    // An entry about a task links to that task's history.
    assert!(
        page.contains("href=\"/documents/1/tasks/1/history\">任务变更记录</a>"),
        "{page}"
    );
    // The task's history shows the draft; the user's history shows the user's steps.
    let (status, task) = get(&server, &auditor, "/documents/1/tasks/1/history");
    assert_eq!(status, StatusCode::OK);
    assert!(task.contains("已完成年度目标的八成"), "{task}");
    // Fields are named in Chinese: the draft's 完成进度 and state, not their columns.
    assert!(
        task.contains("完成进度：") && task.contains("状态："),
        "{task}"
    );
    assert!(
        !task.contains("percent：") && !task.contains("state："),
        "{task}"
    );
    let (_, users) = get(&server, &auditor, "/api/me");
    assert!(users.contains("sjgly"));
    let (status, csv) = get(&server, &auditor, "/audit/export.csv?action=login_failed");
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].contains("本条哈希"), "{csv}");
    assert_eq!(lines.len(), 2, "one failed login: {csv}");
    assert!(
        lines[1].contains("bad_credentials") && lines[1].contains("127.0.0.1"),
        "{csv}"
    );
    let xlsx = auditor
        .get(server.url("/audit/export.xlsx"))
        .send()
        .expect("xlsx")
        .bytes()
        .expect("bytes");
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx.to_vec())).expect("xlsx");
    let sheet = book.worksheet_range("审计日志").expect("sheet");
    assert!(sheet.rows().count() > 10);

    // The chain holds, and the CLI says so with exit 0.
    let verified = sandbox.run(["audit", "verify", "--json"]).ok();
    assert_eq!(verified.json()["tampering"], Value::Null);
    drop(server);
}

/// Each table's row count and checksum as `backup` or `restore` prints them.
fn checksums(run: &Run) -> BTreeMap<String, (u64, String)> {
    run.stdout
        .lines()
        .filter_map(|line| {
            let parts: Vec<&str> = line.split_whitespace().collect();
            match parts.as_slice() {
                [table, rows, "行", "校验和", sum] => Some((
                    (*table).to_string(),
                    (rows.parse().ok()?, (*sum).to_string()),
                )),
                _ => None,
            }
        })
        .collect()
}

#[test]
fn a_backup_taken_while_reports_are_saved_restores_to_an_equal_store() {
    let sandbox = Sandbox::seeded(ACCOUNTS);
    let server = Server::start(&sandbox, &["serve"]);
    open_round(&server);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let saved = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let writers: Vec<_> = ["fgj.lly", "czj.lly"]
        .into_iter()
        .map(|who| {
            let client = server.login(who, PASSWORD);
            let reports = my_reports(&server, &client);
            let url = server.url("");
            let stop = stop.clone();
            let saved = saved.clone();
            std::thread::spawn(move || {
                let mut n = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) || n < 10 {
                    let report = reports[(n as usize) % reports.len()];
                    let answer = client
                        .post(format!("{url}/api/reports/{report}/actions"))
                        .json(&json!({"action": "save_draft", "text": format!("{who} 第 {n} 次保存"), "percent": (n % 100).to_string()}))
                        .send()
                        .expect("save");
                    assert_eq!(answer.status(), StatusCode::OK);
                    saved.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    n += 1;
                }
            })
        })
        .collect();
    while saved.load(std::sync::atomic::Ordering::Relaxed) < 10 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let file = sandbox.path("snapshot.backup");
    let backup = sandbox.run(["backup", file.to_str().expect("path")]).ok();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in writers {
        w.join().expect("writer");
    }
    drop(server);
    assert!(saved.load(std::sync::atomic::Ordering::Relaxed) >= 20);
    let taken = checksums(&backup);
    assert!(taken.len() >= 30, "{}", backup.stdout);
    assert!(taken["report_events"].0 > 0);
    assert!(taken["audit_log"].0 > 0);

    // A backup is never written over, and its own chain verifies (one snapshot).
    sandbox
        .run(["backup", file.to_str().expect("path")])
        .failed();
    let as_store = |run: &[&str]| {
        let mut command = sandbox.duban();
        command
            .env("DATABASE_URL", format!("sqlite://{}", file.display()))
            .args(run);
        let output = command.output().expect("run");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let in_backup = [
        as_store(&["export", "1", "--format", "json"]),
        as_store(&["rounds", "--format", "json"]),
    ];
    as_store(&["audit", "verify"]);

    // Restored into a new store of the backend under test: the same exports and, table
    // by table, the same rows (the audit log gains the restore's own entry).
    let target = Sandbox::new();
    let restored = target.run(["restore", file.to_str().expect("path")]).ok();
    assert_eq!(checksums(&restored), taken);
    let shown = [
        target.run(["export", "1", "--format", "json"]).ok().stdout,
        target.run(["rounds", "--format", "json"]).ok().stdout,
    ];
    assert_eq!(shown, in_backup);
    let again = target.path("again.backup");
    let second = target.run(["backup", again.to_str().expect("path")]).ok();
    let second = checksums(&second);
    for (table, sums) in &taken {
        if table != "audit_log" && table != "audit_head" {
            assert_eq!(&second[table], sums, "{table}");
        }
    }
    assert_eq!(second["audit_log"].0, taken["audit_log"].0 + 1);
    let verified = target.run(["audit", "verify", "--json"]).ok().json();
    assert_eq!(verified["tampering"], Value::Null);

    // A store holding data is replaced only when told.
    let refused = target
        .run(["restore", file.to_str().expect("path")])
        .failed();
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    target
        .run(["restore", file.to_str().expect("path"), "--force"])
        .ok();
    assert_eq!(
        target.run(["export", "1", "--format", "json"]).ok().stdout,
        in_backup[0]
    );
}

/// Runs `statements` on the sandbox's database behind duban's back.
fn behind_the_back(sandbox: &Sandbox, statements: &[&str]) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let url = sandbox.database_url();
        if sandbox.is_sqlite() {
            let pool = sqlx::SqlitePool::connect(&url).await.expect("sqlite");
            for s in statements {
                sqlx::query(sqlx::AssertSqlSafe(*s))
                    .execute(&pool)
                    .await
                    .expect(s);
            }
            pool.close().await;
        } else {
            let pool = sqlx::PgPool::connect(&url).await.expect("postgres");
            for s in statements {
                sqlx::query(sqlx::AssertSqlSafe(*s))
                    .execute(&pool)
                    .await
                    .expect(s);
            }
            pool.close().await;
        }
    });
}

#[test]
fn audit_verify_names_an_edited_entry_and_exits_non_zero() {
    let sandbox = Sandbox::seeded(&[("adm", "admin", None)]);
    let verified = sandbox.run(["audit", "verify"]).ok();
    assert!(
        verified.stdout.contains("审计日志完整"),
        "{}",
        verified.stdout
    );
    // Through the database the log refuses changes …
    let protection = if sandbox.is_sqlite() {
        "DROP TRIGGER audit_log_append_only"
    } else {
        "ALTER TABLE audit_log DISABLE TRIGGER USER"
    };
    // … and once its protection is dropped, verify finds the change.
    behind_the_back(
        &sandbox,
        &[
            protection,
            "UPDATE audit_log SET actor = '别人' WHERE id = 7",
        ],
    );
    let found = sandbox.run(["audit", "verify"]).failed();
    assert!(
        found.stdout.contains("第 7 条记录") && found.stdout.contains("被修改"),
        "{}",
        found.stdout
    );
    let json = sandbox.run(["audit", "verify", "--json"]).failed().json();
    assert_eq!(json["tampering"]["kind"], "edited");
    assert_eq!(json["tampering"]["id"], 7);
}
