//! 三员分立 (issue 12): the system, security and audit administrators each reach their
//! own work only, none reaches the supervision data, and no account holds two of
//! their roles.

use reqwest::StatusCode;
use serde_json::json;

use super::support::App;

const ACCOUNTS: &[(&str, &str, Option<&str>)] = &[
    ("sup", "supervisor", None),
    ("fgj.lly", "reporter", Some("区发改局")),
    ("xtgly", "system_admin", None),
    ("aqgly", "security_admin", None),
    ("sjgly", "audit_admin", None),
];

#[test]
fn the_three_administrators_are_kept_apart_with_least_privilege() {
    let app = App::start(ACCOUNTS);
    // No account holds two of the roles: refused with the reason.
    let run = app
        .sandbox()
        .run(["user", "role", "aqgly", "audit_admin"])
        .failed();
    assert!(
        run.stderr.contains("已是安全管理员，不能再担任审计管理员")
            && run.stderr.contains("三个不同的账户"),
        "{}",
        run.stderr
    );
    let xt = app.login("xtgly");
    let aq = app.login("aqgly");
    let sj = app.login("sjgly");
    let sup = app.login("sup");
    let fgj = app
        .sandbox()
        .run(["user", "list"])
        .ok()
        .stdout
        .lines()
        .count();
    assert!(fgj > 5);
    let (_, accounts) = app.get(&xt, "/api/admin/accounts");
    let id = |name: &str| {
        accounts
            .as_array()
            .expect("accounts")
            .iter()
            .find(|a| a["username"] == name)
            .and_then(|a| a["id"].as_i64())
            .expect("id")
    };
    let (reporter, security) = (id("fgj.lly"), id("aqgly"));

    // The system administrator: accounts of the work, nothing else.
    let (status, made) = app.post(
        &xt,
        "/api/admin/accounts",
        json!({"username": "ldr2", "display_name": "领导二", "role": "leader", "password": "Lead-er-2024"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let (status, body) = app.post(
        &xt,
        "/api/admin/accounts",
        json!({"username": "sj2", "role": "audit_admin", "password": "Audit-er-2024"}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app.post(
        &xt,
        &format!("/api/admin/accounts/{security}/password"),
        json!({"password": "Take-over-2024"}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("只能在服务器上"),
        "{body}"
    );
    let (status, _) = app.post(
        &xt,
        &format!("/api/admin/accounts/{reporter}/password"),
        json!({"password": "weak"}),
    );
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the policy applies"
    );
    let (status, _) = app.post(
        &xt,
        &format!("/api/admin/accounts/{reporter}/password"),
        json!({"password": "Reset-by-xt-1"}),
    );
    assert_eq!(status, StatusCode::OK);

    // The security administrator: roles, lockouts, second factors.
    let (status, view) = app.get(&aq, "/api/admin/security");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["max_failures"], 5, "{view}");
    let (status, changed) = app.post(
        &aq,
        &format!("/api/admin/accounts/{reporter}/role"),
        json!({"role": "unit_head", "unit": "区发改局"}),
    );
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["role"], "unit_head");
    let (status, body) = app.post(
        &aq,
        &format!("/api/admin/accounts/{}/role", id("xtgly")),
        json!({"role": "supervisor"}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = app.post(
        &aq,
        &format!("/api/admin/accounts/{reporter}/unlock"),
        json!({}),
    );
    assert_eq!(status, StatusCode::OK);

    // Least privilege: each reaches nothing of the others' or of the work.
    for (who, client, path) in [
        ("xtgly", &xt, "/api/admin/security"),
        ("aqgly", &aq, "/api/tasks"),
        ("sjgly", &sj, "/api/admin/accounts"),
        ("sjgly", &sj, "/api/admin/security"),
        ("sjgly", &sj, "/api/tasks"),
        ("sjgly", &sj, "/api/dashboard"),
        ("xtgly", &xt, "/api/reports/review"),
        ("sup", &sup, "/api/admin/accounts"),
        ("sup", &sup, "/api/admin/security"),
    ] {
        let (status, _) = app.get(client, path);
        assert_eq!(status, StatusCode::FORBIDDEN, "{who} {path}");
    }
    let (status, _) = app.post(
        &aq,
        "/api/admin/accounts",
        json!({"username": "x9", "role": "leader", "password": "Lead-er-2024"}),
    );
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "accounts are the system administrator's"
    );
    let (status, _) = app.post(
        &xt,
        &format!("/api/admin/accounts/{reporter}/role"),
        json!({"role": "supervisor"}),
    );
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "roles are the security administrator's"
    );
    // Their pages, and each goes home to its own.
    for (client, path, text) in [
        (&xt, "/admin/accounts", "新建账户"),
        (&aq, "/admin/security", "现行安全策略"),
        (&sj, "/account", "本人账户"),
    ] {
        let (status, html) = app.page(client, path);
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains(text), "{path}: {html}");
    }
    let response = xt.get(app.server.url("/")).send().expect("home");
    assert_eq!(
        response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok()),
        Some("/admin/accounts")
    );
}
