//! The 等保 identity controls (issue 12): password policy everywhere a password is
//! set, forced change after an administrator set it, lockout as configured and told,
//! the idle timeout across two servers on one database, the TOTP second factor, and
//! 国密 (PBKDF2-HMAC-SM3) password hashes beside argon2id.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::{Value, json};

use super::support::{App, PASSWORD, Sandbox, Server};

const ACCOUNTS: &[(&str, &str, Option<&str>)] = &[
    ("sup", "supervisor", None),
    ("fgj.lly", "reporter", Some("区发改局")),
];

fn app_with(env: &[(&str, &str)]) -> App {
    let sandbox = Sandbox::seeded(ACCOUNTS);
    let server = Server::start_with_env(&sandbox, &["serve"], env);
    App::from_server(sandbox, server)
}

fn login(app: &App, username: &str, password: &str) -> (Client, StatusCode, Value) {
    let client = Server::client();
    let response = client
        .post(app.server.url("/api/login"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .expect("login");
    let status = response.status();
    (client, status, response.json().unwrap_or(Value::Null))
}

#[test]
fn every_password_set_meets_the_policy_with_a_message_saying_what_is_missing() {
    let sandbox = Sandbox::seeded(&[]);
    let run = sandbox
        .run_with_stdin(
            &["user", "add", "ldr", "--role", "leader", "--password-stdin"],
            "abcdefgh\n",
        )
        .failed();
    assert!(
        run.stderr.contains("现只有小写字母") && run.stderr.contains("中的2 类"),
        "{}",
        run.stderr
    );
    // Configurable: twelve characters.
    let run = sandbox.run_with_stdin(
        &[
            "user",
            "--password-min-length",
            "12",
            "add",
            "ldr",
            "--role",
            "leader",
            "--password-stdin",
        ],
        "Abc-12345\n",
    );
    let run = run.failed();
    assert!(
        run.stderr.contains("长度只有 9 个字符，至少需要 12 个"),
        "{}",
        run.stderr
    );
    sandbox
        .run_with_stdin(
            &["user", "add", "ldr", "--role", "leader", "--password-stdin"],
            "Abc-12345\n",
        )
        .ok();
    // The admin reset too.
    let run = sandbox
        .run_with_stdin(&["user", "passwd", "ldr", "--password-stdin"], "12345678\n")
        .failed();
    assert!(run.stderr.contains("密码不符合要求"), "{}", run.stderr);
}

#[test]
fn a_password_set_by_an_administrator_must_be_changed_before_anything_else() {
    let app = app_with(&[("DUBAN_FORCE_PASSWORD_CHANGE", "true")]);
    let (client, status, me) = login(&app, "fgj.lly", PASSWORD);
    assert_eq!(status, StatusCode::OK, "{me}");
    // Nothing but the change-password page: pages go there, the API says why.
    let (status, body) = app.get(&client, "/api/me");
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("请先修改密码"),
        "{body}"
    );
    for page in ["/my", "/tasks", "/", "/account", "/account/totp"] {
        let response = client.get(app.server.url(page)).send().expect("page");
        assert_eq!(
            response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok()),
            Some("/password"),
            "{page}"
        );
    }
    let (status, html) = app.page(&client, "/password");
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("由管理员设置") && html.contains("至少 8 个字符"),
        "{html}"
    );
    // A weak new password is refused, saying what is missing; the old one is checked.
    let (status, body) = app.post(
        &client,
        "/api/password",
        json!({"current": PASSWORD, "new": "onlylowercase"}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("还缺大写字母、数字、符号中的2 类"),
        "{body}"
    );
    let (status, _) = app.post(
        &client,
        "/api/password",
        json!({"current": "wrong-Password1", "new": "New-pass-2024"}),
    );
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, html) = app.form(
        &client,
        "/password",
        &[
            ("current", PASSWORD),
            ("new", "New-pass-2024"),
            ("confirm", "New-pass-2024"),
        ],
    );
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let (status, body) = app.get(&client, "/api/me");
    assert_eq!(status, StatusCode::OK, "changed: free to work {body}");
    // An administrator's reset makes it due again, and ends the session.
    let sandbox_run = |args: &[&str], input: &str| {
        let mut command = app_sandbox_duban(&app);
        command.args(args);
        run_with(command, input)
    };
    sandbox_run(
        &["user", "passwd", "fgj.lly", "--password-stdin"],
        "Reset-pass-1\n",
    );
    std::thread::sleep(Duration::from_secs(4));
    let (status, _) = app.get(&client, "/api/me");
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the reset ended the session"
    );
    let (client, status, _) = login(&app, "fgj.lly", "Reset-pass-1");
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get(&client, "/api/me");
    assert_eq!(status, StatusCode::FORBIDDEN, "due again after the reset");
}

/// `duban` on the app's store.
fn app_sandbox_duban(app: &App) -> std::process::Command {
    app.sandbox().duban()
}

fn run_with(mut command: std::process::Command, input: &str) {
    use std::io::Write;
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("duban");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("stdin");
    let output = child.wait_with_output().expect("duban");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn lockout_follows_the_configured_count_and_time_and_says_so() {
    let app = app_with(&[
        ("DUBAN_LOGIN_MAX_FAILURES", "3"),
        ("DUBAN_LOGIN_LOCKOUT_MINUTES", "7"),
    ]);
    let (_, status, body) = login(&app, "fgj.lly", "Wrong-pass-1");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("还可尝试 2 次"),
        "{body}"
    );
    let (_, _, body) = login(&app, "fgj.lly", "Wrong-pass-1");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("还可尝试 1 次"),
        "{body}"
    );
    let (_, status, body) = login(&app, "fgj.lly", "Wrong-pass-1");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("已锁定 7 分钟"),
        "{body}"
    );
    // Locked: even the right password is refused, with the time to come back.
    let (_, status, body) = login(&app, "fgj.lly", PASSWORD);
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let text = body["error"].as_str().unwrap_or_default();
    assert!(
        text.contains("连续登录失败 3 次")
            && text.contains("已锁定 7 分钟")
            && text.contains("后再试"),
        "{text}"
    );
    // The page tells it too.
    let response = Server::client()
        .post(app.server.url("/login"))
        .form(&[("username", "fgj.lly"), ("password", PASSWORD)])
        .send()
        .expect("login page");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        response
            .text()
            .unwrap_or_default()
            .contains("连续登录失败 3 次")
    );
    // The security administrator's unlock lifts it.
    app.sandbox().run(["user", "unlock", "fgj.lly"]).ok();
    let (_, status, _) = login(&app, "fgj.lly", PASSWORD);
    assert_eq!(status, StatusCode::OK);
}

#[test]
fn an_idle_session_ends_on_every_server_while_a_used_one_lives() {
    let sandbox = Sandbox::seeded(ACCOUNTS);
    let env = [("DUBAN_SESSION_IDLE_SECONDS", "5")];
    let a = Server::start_with_env(&sandbox, &["serve"], &env);
    let b = Server::start_with_env(&sandbox, &["serve"], &env);
    let client = a.login("fgj.lly", PASSWORD);
    // Used on A every second for 8 s (longer than the timeout): alive on A, and on B,
    // which sees the use in the database.
    for _ in 0..8 {
        std::thread::sleep(Duration::from_secs(1));
        let status = client.get(a.url("/api/me")).send().expect("me").status();
        assert_eq!(status, StatusCode::OK);
    }
    let status = client.get(b.url("/api/me")).send().expect("me").status();
    assert_eq!(status, StatusCode::OK, "B sees the session A kept in use");
    // Then 7 s without a request: ended everywhere.
    std::thread::sleep(Duration::from_secs(7));
    for server in [&a, &b] {
        let status = client
            .get(server.url("/api/me"))
            .send()
            .expect("me")
            .status();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let response = client.get(a.url("/my")).send().expect("page");
    assert!(
        response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .is_some_and(|l| l.starts_with("/login")),
        "a page goes to the login"
    );
}

fn code(secret: &str, offset_seconds: i64) -> String {
    let totp = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).expect("base32"))
        .build()
        .expect("totp");
    let now = chrono::Utc::now().timestamp() + offset_seconds;
    totp.generate(u64::try_from(now).expect("time")).to_string()
}

#[test]
fn a_totp_second_factor_is_enrolled_asked_for_at_login_and_good_once() {
    let app = app_with(&[]);
    let client = app.login("fgj.lly");
    let (status, start) = app.get(&client, "/api/account/totp");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(start["enabled"], false);
    let secret = start["secret"].as_str().expect("secret").to_string();
    assert!(
        start["uri"]
            .as_str()
            .unwrap_or_default()
            .starts_with("otpauth://totp/"),
        "{start}"
    );
    // The page shows the secret too.
    let (_, html) = app.page(&client, "/account/totp");
    assert!(
        html.contains("otpauth:") && html.contains("确认绑定"),
        "{html}"
    );
    // A wrong code binds nothing; a right one does.
    let (status, _) = app.post(
        &client,
        "/api/account/totp",
        json!({"secret": secret, "code": "000000"}),
    );
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, done) = app.post(
        &client,
        "/api/account/totp",
        json!({"secret": secret, "code": code(&secret, 0)}),
    );
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["enabled"], true);

    // Logging in now takes a code after the password.
    let (second, status, answer) = login(&app, "fgj.lly", PASSWORD);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["second_factor_required"], true, "{answer}");
    let (status, _) = app.get(&second, "/api/me");
    assert_eq!(status, StatusCode::UNAUTHORIZED, "nothing before the code");
    let response = second.get(app.server.url("/my")).send().expect("page");
    assert_eq!(
        response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok()),
        Some("/login/totp")
    );
    let (status, body) = app.post(&second, "/api/login/totp", json!({"code": "123456"}));
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("还可尝试"),
        "{body}"
    );
    // The enrolment's code was used; the next step's is good, once.
    let next = code(&secret, 30);
    let (status, body) = app.post(&second, "/api/login/totp", json!({"code": next}));
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app.get(&second, "/api/me");
    assert_eq!(status, StatusCode::OK);
    let (third, _, _) = login(&app, "fgj.lly", PASSWORD);
    let (status, _) = app.post(&third, "/api/login/totp", json!({"code": next}));
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a code is good once");
    // The security administrator removes it when the phone is lost.
    app.sandbox().run(["user", "totp-reset", "fgj.lly"]).ok();
    let (_, _, answer) = login(&app, "fgj.lly", PASSWORD);
    assert_eq!(answer["second_factor_required"], false, "{answer}");
}

/// Sets the account's password change time far in the past, as if it had aged.
fn age_password(sandbox: &Sandbox, username: &str) {
    let url = sandbox.database_url();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let sql = "UPDATE users SET password_changed_at = '2020-01-01T00:00:00.000000000Z' \
                   WHERE username = $1";
        let changed = if sandbox.is_sqlite() {
            let pool = sqlx::SqlitePool::connect(&url).await.expect("sqlite");
            let n = sqlx::query(sql)
                .bind(username)
                .execute(&pool)
                .await
                .expect("update");
            pool.close().await;
            n.rows_affected()
        } else {
            let pool = sqlx::PgPool::connect(&url).await.expect("postgres");
            let n = sqlx::query(sql)
                .bind(username)
                .execute(&pool)
                .await
                .expect("update");
            pool.close().await;
            n.rows_affected()
        };
        assert_eq!(changed, 1);
    });
}

#[test]
fn an_expired_password_must_be_changed_when_expiry_is_on() {
    let sandbox = Sandbox::seeded(ACCOUNTS);
    age_password(&sandbox, "fgj.lly");
    // Off by default: an old password is fine.
    let server = Server::start(&sandbox, &["serve"]);
    let client = server.login("fgj.lly", PASSWORD);
    let status = client
        .get(server.url("/api/me"))
        .send()
        .expect("me")
        .status();
    assert_eq!(status, StatusCode::OK);
    drop(server);
    // 90 days: the password of 2020 has expired.
    let server = Server::start_with_env(
        &sandbox,
        &["serve"],
        &[("DUBAN_PASSWORD_EXPIRY_DAYS", "90")],
    );
    let app = App::from_server(sandbox, server);
    let (client, status, _) = login(&app, "fgj.lly", PASSWORD);
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.get(&client, "/api/me");
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("已超过有效期"),
        "{body}"
    );
    let (status, _) = app.post(
        &client,
        "/api/password",
        json!({"current": PASSWORD, "new": "Fresh-pass-2026"}),
    );
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get(&client, "/api/me");
    assert_eq!(status, StatusCode::OK, "changed today: not expired");
}

/// Every account's stored password hash, by user name.
fn password_hashes(sandbox: &Sandbox) -> std::collections::BTreeMap<String, String> {
    let url = sandbox.database_url();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let sql = "SELECT username, password_hash FROM users";
        let rows: Vec<(String, String)> = if sandbox.is_sqlite() {
            let pool = sqlx::SqlitePool::connect(&url).await.expect("sqlite");
            let rows = sqlx::query_as(sql).fetch_all(&pool).await.expect("users");
            pool.close().await;
            rows
        } else {
            let pool = sqlx::PgPool::connect(&url).await.expect("postgres");
            let rows = sqlx::query_as(sql).fetch_all(&pool).await.expect("users");
            pool.close().await;
            rows
        };
        rows.into_iter().collect()
    })
}

#[test]
fn sm3_password_hashes_are_made_when_chosen_and_both_kinds_verify() {
    // Accounts made before the switch keep their argon2id hashes.
    let sandbox = Sandbox::seeded(ACCOUNTS);
    // An account added with the 国密 option gets a PBKDF2-HMAC-SM3 hash.
    sandbox
        .run_with_stdin(
            &[
                "user",
                "add",
                "gm.admin",
                "--role",
                "supervisor",
                "--password-stdin",
                "--password-hash",
                "sm3",
            ],
            &format!("{PASSWORD}\n"),
        )
        .ok();
    let hashes = password_hashes(&sandbox);
    assert!(hashes["sup"].starts_with("$argon2id$"), "{hashes:?}");
    assert!(
        hashes["gm.admin"].starts_with("$pbkdf2-sm3$i=200000$"),
        "{hashes:?}"
    );

    // A server that makes SM3 hashes still lets both kinds in, and refuses a wrong one.
    let server = Server::start_with_env(&sandbox, &["serve"], &[("DUBAN_PASSWORD_HASH", "sm3")]);
    let app = App::from_server(sandbox, server);
    for user in ["sup", "gm.admin"] {
        let (_, status, answer) = login(&app, user, PASSWORD);
        assert_eq!(status, StatusCode::OK, "{user}: {answer}");
        let (_, status, _) = login(&app, user, "wrong-horse-1");
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{user}");
    }
    // A password changed there is hashed with SM3 from then on, and works.
    let (client, _, _) = login(&app, "sup", PASSWORD);
    let response = client
        .post(app.server.url("/api/password"))
        .json(&json!({ "current": PASSWORD, "new": "Sm3-horse-2024" }))
        .send()
        .expect("change");
    assert!(response.status().is_success(), "{:?}", response.text());
    let hashes = password_hashes(app.sandbox());
    assert!(hashes["sup"].starts_with("$pbkdf2-sm3$"), "{hashes:?}");
    let (_, status, _) = login(&app, "sup", "Sm3-horse-2024");
    assert_eq!(status, StatusCode::OK);
    let (_, status, _) = login(&app, "sup", PASSWORD);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
