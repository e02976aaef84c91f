//! The web app and API, run for real: `duban serve` on a loopback port against a fresh
//! store with the seed and one account per role.

use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::{Value, json};

use super::support::{App, PASSWORD, SEED, Sandbox, Server};

mod dashboard;
mod evidence;
mod instructions;
mod reports;
mod roles;

/// A small PDF, as far as the upload checks are concerned.
const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

/// (username, role, unit)
const ACCOUNTS: &[(&str, &str, Option<&str>)] = &[
    ("adm", "admin", None),
    ("sup", "supervisor", None),
    ("ldr", "leader", None),
    ("fgj.lly", "reporter", Some("区发改局")),
    ("fgj.fzr", "unit_head", Some("区发改局")),
    ("czj.lly", "reporter", Some("区财政局")),
    ("czj.fzr", "unit_head", Some("区财政局")),
];

/// What only these tests need of the app.
impl App {
    /// Posts one file as `multipart/form-data` (field `file`), as a browser's form does.
    fn upload(
        &self,
        client: &Client,
        path: &str,
        filename: &str,
        bytes: &[u8],
    ) -> reqwest::blocking::Response {
        let boundary = "----dubanTestBoundary5f3a9c";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        client
            .post(self.server.url(path))
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .expect("upload")
    }

    /// [`App::upload`] to the API: the status and the JSON answer.
    fn upload_api(
        &self,
        client: &Client,
        report: i64,
        filename: &str,
        bytes: &[u8],
    ) -> (StatusCode, Value) {
        let response = self.upload(
            client,
            &format!("/api/reports/{report}/attachments"),
            filename,
            bytes,
        );
        let status = response.status();
        (status, response.json().unwrap_or(Value::Null))
    }

    /// Opens a round on the seed with tasks 1-3 as the supervisor; its id.
    fn open_round(&self) -> i64 {
        let sup = self.login("sup");
        let (status, round) = self.post(
            &sup,
            "/api/rounds",
            json!({"document": 1, "label": "1-10月", "due": "2020-11-10", "tasks": "1-3"}),
        );
        assert_eq!(status, StatusCode::CREATED, "{round}");
        round["id"].as_i64().expect("round id")
    }

    fn report_id(&self, client: &Client, task: u64, unit: &str) -> i64 {
        let (_, reports) = self.get(client, "/api/reports");
        reports
            .as_array()
            .expect("reports")
            .iter()
            .find(|r| r["task"] == task && r["unit"] == unit)
            .and_then(|r| r["id"].as_i64())
            .unwrap_or_else(|| panic!("no report for task {task} of {unit}: {reports}"))
    }
}

#[test]
fn health_and_login() {
    let app = App::start(ACCOUNTS);
    let anonymous = Server::client();
    let login_page = anonymous
        .get(app.server.url("/login"))
        .send()
        .expect("login page");
    assert_eq!(login_page.status(), 200);
    let html = login_page.text().expect("html");
    assert!(
        html.contains("name=\"username\"") && html.contains("登录"),
        "{html}"
    );
    assert_eq!(
        anonymous
            .get(app.server.url("/healthz"))
            .send()
            .expect("healthz")
            .status(),
        200
    );
    let (status, body) = app.get(&anonymous, "/api/me");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "请先登录");
    // A page without a session redirects to the login page.
    let response = anonymous
        .get(app.server.url("/tasks"))
        .send()
        .expect("tasks");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, body) = app.post(
        &anonymous,
        "/api/login",
        json!({"username": "sup", "password": "wrong-password"}),
    );
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body["error"],
        "用户名或密码不正确，还可尝试 4 次，之后账号将被锁定 15 分钟"
    );
    let sup = app.login("sup");
    let (status, me) = app.get(&sup, "/api/me");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["role"], "supervisor");
    // The cookie is HttpOnly and SameSite=Strict.
    let response = Server::client()
        .post(app.server.url("/api/login"))
        .json(&json!({"username": "sup", "password": PASSWORD}))
        .send()
        .expect("login");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    // Logging out ends the session.
    let (status, _) = app.post(&sup, "/api/logout", json!({}));
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&sup, "/api/me").0, StatusCode::UNAUTHORIZED);

    // A token replayed right after its logout is refused too, although the session was
    // just used (and so cached).
    let token = cookie.split(';').next().expect("name=value").to_string();
    let with_token = |method: reqwest::Method, path: &str| {
        Server::client()
            .request(method, app.server.url(path))
            .header("Cookie", &token)
            .header("Origin", app.server.url(""))
            .send()
            .expect("request")
            .status()
    };
    assert_eq!(with_token(reqwest::Method::GET, "/api/me"), StatusCode::OK);
    assert_eq!(
        with_token(reqwest::Method::POST, "/api/logout"),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        with_token(reqwest::Method::GET, "/api/me"),
        StatusCode::UNAUTHORIZED
    );
}

#[test]
fn login_is_throttled_after_repeated_failures() {
    let app = App::start(ACCOUNTS);
    let client = Server::client();
    for _ in 0..5 {
        let (status, _) = app.post(
            &client,
            "/api/login",
            json!({"username": "ldr", "password": "nope-nope-nope"}),
        );
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Now even the right password waits.
    let (status, body) = app.post(
        &client,
        "/api/login",
        json!({"username": "ldr", "password": PASSWORD}),
    );
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
}

#[test]
fn cross_site_posts_are_refused() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");
    let response = sup
        .post(app.server.url("/api/rounds"))
        .header("Origin", "http://evil.example")
        .header("Sec-Fetch-Site", "cross-site")
        .json(&json!({"document": 1, "label": "x", "due": "2020-11-10"}))
        .send()
        .expect("post");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (_, rounds) = app.get(&sup, "/api/rounds");
    let opened: Vec<&Value> = rounds
        .as_array()
        .expect("rounds")
        .iter()
        .filter(|r| r["imported"] == false)
        .collect();
    assert!(opened.is_empty(), "nothing was created: {rounds}");
}

#[test]
fn the_openapi_document_matches_the_router() {
    let app = App::start(ACCOUNTS);
    let anonymous = Server::client();
    let (status, spec) = app.get(&anonymous, "/api/openapi.json");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(spec["openapi"], "3.1.0");
    let adm = app.login("adm");
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("methods").keys() {
            let url = path
                .replace("{document}", "1")
                .replace("{number}", "1")
                .replace("{id}", "999999")
                .replace("{attachment}", "999999");
            let request = match method.as_str() {
                "get" => adm.get(app.server.url(&url)),
                "post" => adm.post(app.server.url(&url)).json(&json!({})),
                "delete" => adm.delete(app.server.url(&url)),
                other => panic!("unexpected method {other}"),
            };
            let response = request.send().expect("request");
            let status = response.status();
            // A route that exists answers JSON (data or {"error": …}); a missing one is an empty 404/405.
            let body = response.text().unwrap_or_default();
            assert!(
                status != StatusCode::METHOD_NOT_ALLOWED
                    && (status != StatusCode::NOT_FOUND || body.contains("error")),
                "{method} {path} is in the spec but not served: {status} {body}"
            );
        }
    }
}

#[test]
fn pages_render_in_chinese_for_each_role() {
    let app = App::start(ACCOUNTS);
    let round = format!("/rounds/{}", app.open_round());
    for (user, path, expect) in [
        ("sup", "/tasks", "具体目标任务"),
        ("sup", "/rounds", "开启新一轮填报"),
        ("sup", round.as_str(), "未报送单位"),
        ("sup", "/documents/1/tasks/16", "原均石能源研究院用地"),
        ("ldr", "/tasks", "牵头责任单位"),
        ("ldr", "/dashboard", "督办总览"),
        ("fgj.lly", "/my", "本单位任务"),
        ("fgj.fzr", "/review", "待审核"),
    ] {
        let client = app.login(user);
        let response = client.get(app.server.url(path)).send().expect("page");
        assert_eq!(response.status(), 200, "{user} {path}");
        let html = response.text().expect("html");
        assert!(
            html.contains(expect) && html.contains("lang=\"zh-CN\""),
            "{user} {path}: {html}"
        );
    }
    // A task with no closure steps says so in a sentence, not as a one-item list.
    let (_, task) = app.page(&app.login("sup"), "/documents/1/tasks/16");
    assert!(
        task.contains("<p class=\"meta\">办理中，暂无办结记录。</p>")
            && !task.contains("<li>办理中"),
        "{task}"
    );
    // A leader reads but cannot open rounds.
    let ld = app.login("ldr");
    let html = ld
        .get(app.server.url("/rounds"))
        .send()
        .expect("page")
        .text()
        .expect("html");
    assert!(!html.contains("开启新一轮填报"));
    // Public pages need no login and show only 主动公开 notices.
    let html = Server::client()
        .get(app.server.url("/public/1"))
        .send()
        .expect("public")
        .text()
        .expect("html");
    assert!(
        html.contains("泉鲤政办〔2020〕48号") && html.contains("区域管局"),
        "{html}"
    );
}

#[test]
fn the_demo_starts_with_accounts_for_every_role() {
    let sandbox = Sandbox::new();
    let server = Server::start(&sandbox, &["demo"]);
    let password_of = |user: &str| -> String {
        server
            .banner
            .lines()
            .find(|l| l.split_whitespace().next() == Some(user))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or_else(|| panic!("{user} not in banner:\n{}", server.banner))
            .to_string()
    };
    for user in ["admin", "duchashi", "lingdao", "fgj.lly", "fgj.fzr"] {
        server.login(user, &password_of(user));
    }
    let reporter = server.login("fgj.lly", &password_of("fgj.lly"));
    let mine: Value = reporter
        .get(server.url("/api/reports/mine"))
        .send()
        .expect("mine")
        .json()
        .expect("json");
    assert!(
        mine.as_array().is_some_and(|m| !m.is_empty()),
        "the demo opens a round: {mine}"
    );
    assert!(
        !sandbox.path("duban.db").exists(),
        "the demo keeps nothing on disk"
    );
}

#[test]
fn assignment_acknowledgement_closure_and_lapses() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");
    let fgj = app.login("fgj.lly");
    let czj = app.login("czj.lly");
    // 交办 with a deadline already past, so lapses show.
    let (status, body) = app.post(
        &sup,
        "/api/documents/1/assign",
        json!({"ack_due": "2020-11-01"}),
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["created"].as_u64().unwrap_or(0) > 35, "{body}");
    assert_eq!(
        app.post(
            &sup,
            "/api/documents/1/assign",
            json!({"ack_due": "2020-11-01"})
        )
        .1["created"],
        0,
        "idempotent"
    );
    let (_, pending) = app.get(&fgj, "/api/assignments?pending=true");
    let pending = pending.as_array().expect("pending").clone();
    assert!(pending.iter().all(|a| a["unit"] == "区发改局"));
    assert!(pending.iter().any(|a| a["task"] == 1));
    // 签收, once; another unit cannot, and does not even see the task.
    let (status, ack) = app.post(&fgj, "/api/documents/1/tasks/1/acknowledge", Value::Null);
    assert_eq!(status, StatusCode::OK, "{ack}");
    assert!(ack["acknowledged_at"].is_string());
    assert!(
        app.post(&fgj, "/api/documents/1/tasks/1/acknowledge", Value::Null)
            .0
            .is_client_error()
    );
    assert_eq!(
        app.post(&czj, "/api/documents/1/tasks/1/acknowledge", Value::Null)
            .0,
        StatusCode::NOT_FOUND
    );
    // Closure: the unit claims, the office verifies and closes; reopening needs a reason.
    let act =
        |client: &Client, body: Value| app.post(client, "/api/documents/1/tasks/1/actions", body);
    assert_eq!(
        act(&fgj, json!({"action": "close", "comment": "经核实已完成"})).0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a unit cannot close"
    );
    assert_eq!(
        act(
            &fgj,
            json!({"action": "claim_done", "comment": "指标已全部下达"})
        )
        .1["state"],
        "claimed_done"
    );
    assert_eq!(
        act(&sup, json!({"action": "close", "comment": "经核实已完成"})).1["state"],
        "closed"
    );
    assert_eq!(
        act(&sup, json!({"action": "reopen"})).0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        act(
            &sup,
            json!({"action": "reopen", "comment": "区长再批示：继续跟踪"})
        )
        .1["state"],
        "open"
    );
    let (_, task) = app.get(&sup, "/api/documents/1/tasks/1");
    let actions: Vec<&str> = task["status"]["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["claim_done", "close", "reopen"]);
    assert_eq!(
        task["status"]["events"][2]["comment"],
        "区长再批示：继续跟踪"
    );
    // The task list filters by 办理状态.
    act(&fgj, json!({"action": "claim_done", "comment": "再次申请"}));
    let (_, list) = app.get(&sup, "/api/tasks?status=claimed_done");
    assert_eq!(list["total"], 1, "{list}");
    // Lapses: acknowledged late by 区发改局, never by the others.
    let (_, lapses) = app.get(&sup, "/api/lapses");
    let lapses = lapses.as_array().expect("lapses");
    assert!(
        lapses.iter().any(|l| l["kind"] == "late_acknowledgement"
            && l["unit"] == "区发改局"
            && l["task"] == 1),
        "{lapses:?}"
    );
    assert!(
        lapses
            .iter()
            .any(|l| l["kind"] == "not_acknowledged" && l["unit"] == "区财政局")
    );
    // The pages show it.
    let html = sup
        .get(app.server.url("/lapses"))
        .send()
        .expect("page")
        .text()
        .expect("html");
    assert!(
        html.contains("逾期签收") && html.contains("未签收"),
        "{html}"
    );
    let html = fgj
        .get(app.server.url("/my"))
        .send()
        .expect("page")
        .text()
        .expect("html");
    assert!(html.contains("待签收"), "{html}");
}

#[test]
fn a_report_copied_from_last_round_is_flagged() {
    let app = App::start(ACCOUNTS);
    app.open_round();
    let fgj = app.login("fgj.lly");
    let (_, task) = app.get(&fgj, "/api/documents/1/tasks/1");
    let last_round = task["task"]["progress"]
        .as_str()
        .expect("imported progress")
        .to_string();
    let id = app.report_id(&fgj, 1, "区发改局");
    app.post(
        &fgj,
        &format!("/api/reports/{id}/actions"),
        json!({"action": "save_draft", "text": last_round}),
    );
    let (_, report) = app.get(&fgj, &format!("/api/reports/{id}"));
    assert_eq!(report["comparison"]["unchanged"], true, "{report}");
    assert!(
        report["summary"]["state"].is_string(),
        "the report's own fields stay at the top level"
    );
    let html = fgj
        .get(app.server.url(&format!("/reports/{id}")))
        .send()
        .expect("page")
        .text()
        .expect("html");
    assert!(html.contains("疑似照搬上一轮"), "{html}");
    // A real update is not flagged.
    app.post(
        &fgj,
        &format!("/api/reports/{id}/actions"),
        json!({"action": "save_draft", "text": "10月已召开经济运行分析会，下达四季度指标。"}),
    );
    let (_, report) = app.get(&fgj, &format!("/api/reports/{id}"));
    assert_eq!(report["comparison"]["near_copy"], false, "{report}");
}

#[test]
fn public_pages_list_only_notices_disclosed_on_the_office_s_initiative() {
    let sandbox = Sandbox::new();
    sandbox.import(SEED.as_ref()).ok();
    let on_request = std::fs::read_to_string(SEED)
        .expect("seed")
        .replace("泉鲤政办〔2020〕48号", "泉鲤政办〔2020〕49号")
        .replace("（此件主动公开）", "（此件依申请公开）");
    sandbox.import(&sandbox.write("49.txt", on_request)).ok();
    let server = Server::start(&sandbox, &["serve"]);
    let anonymous = Server::client();
    let html = anonymous
        .get(server.url("/public"))
        .send()
        .expect("list")
        .text()
        .expect("html");
    assert!(
        html.contains("/public/1") && !html.contains("/public/2"),
        "{html}"
    );
    assert_eq!(
        anonymous
            .get(server.url("/public/2"))
            .send()
            .expect("notice")
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[test]
fn task_filters_from_the_form_and_by_source() {
    let app = App::start(ACCOUNTS);
    let office = app.login("sup");
    // The filter form sends every field, empty ones as "" ("全部", "最近一轮").
    let form = "/api/tasks?document=&unit=&round=&source=&source_kind=&status=&state=&page=";
    let (status, all) = app.get(&office, form);
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["total"], 35);
    let page = office
        .get(app.server.url(&form.replacen("/api", "", 1)))
        .send()
        .expect("request");
    assert_eq!(page.status(), StatusCode::OK);
    let (status, _) = app.get(&office, "/api/tasks?document=abc");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = app.get(&office, "/api/tasks?source_kind=nonsense");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("nonsense")),
        "{body}"
    );

    // The seed has no source until the office links one.
    let (status, source) = app.post(
        &office,
        "/api/sources",
        json!({
            "kind": "speech",
            "title": "区长在区政府第一次全体会议上的讲话",
            "date": "2020-04-20",
            "leader": "区长",
            "meeting": "区政府第一次全体会议",
            "original": "抓紧推进各项重点工作。"
        }),
    );
    assert_eq!(status, StatusCode::CREATED, "{source}");
    let id = source["summary"]["id"].as_i64().expect("source id");
    let (_, none) = app.get(&office, &format!("/api/tasks?source={id}"));
    assert_eq!(none["total"], 0);
    let (status, linked) = app.post(&office, "/api/documents/1/source", json!({ "source": id }));
    assert!(status.is_success(), "{status} {linked}");
    let (_, by_source) = app.get(&office, &format!("/api/tasks?source={id}"));
    assert_eq!(by_source["total"], 35);
    let (_, by_kind) = app.get(&office, "/api/tasks?source_kind=speech");
    assert_eq!(by_kind["total"], 35);
    let (_, other_kind) = app.get(&office, "/api/tasks?source_kind=instruction");
    assert_eq!(other_kind["total"], 0);
}

/// After logging in, the user lands on the page they asked for, never on another site.
#[test]
fn login_returns_to_the_page_asked_for() {
    let app = App::start(ACCOUNTS);
    let anonymous = Server::client();
    let response = anonymous
        .get(app.server.url("/tasks?document=1&unit=区发改局"))
        .send()
        .expect("page");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(
        to.starts_with("/login?next=%2Ftasks%3Fdocument%3D1%26unit%3D"),
        "{to}"
    );
    let (_, page) = app.page(&anonymous, &to);
    assert!(
        page.contains("name=\"next\" value=\"&#x2f;tasks?document=1&amp;unit="),
        "{page}"
    );
    for (next, lands) in [
        (
            "/tasks?document=1&unit=区发改局",
            "/tasks?document=1&unit=区发改局",
        ),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
    ] {
        let (status, _) = app.form(
            &Server::client(),
            "/login",
            &[("username", "sup"), ("password", PASSWORD), ("next", next)],
        );
        assert_eq!(status, StatusCode::SEE_OTHER, "{next}");
        let response = Server::client()
            .post(app.server.url("/login"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(format!(
                "username=sup&password={PASSWORD}&next={}",
                super::support::form_encode(next)
            ))
            .send()
            .expect("login");
        let location = response.headers()["location"].to_str().expect("ascii");
        let decoded = percent_decode(location);
        assert_eq!(decoded, lands, "{next}");
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn a_unit_acknowledges_all_its_tasks_at_once_each_recorded() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");
    let (status, body) = app.post(
        &sup,
        "/api/documents/1/assign",
        json!({"ack_due": "2030-11-01"}),
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    let fgj = app.login("fgj.lly");
    let (_, pending) = app.get(&fgj, "/api/assignments?pending=true");
    let owed = pending.as_array().expect("pending").len();
    assert!(owed > 1, "区发改局 leads several tasks: {pending}");
    let (_, page) = app.page(&fgj, "/my");
    assert!(page.contains(&format!("全部签收（{owed} 项）")), "{page}");

    let (status, done) = app.post(&fgj, "/api/assignments/acknowledge", json!({}));
    assert_eq!(status, StatusCode::OK, "{done}");
    let done = done.as_array().expect("acknowledged");
    assert_eq!(done.len(), owed);
    assert!(
        done.iter()
            .all(|a| a["unit"] == "区发改局" && a["acknowledged_at"].is_string())
    );
    let (_, left) = app.get(&fgj, "/api/assignments?pending=true");
    assert_eq!(left, json!([]));
    // Each 签收 is its own record; another unit's tasks are untouched.
    let czj = app.login("czj.lly");
    let (_, theirs) = app.get(&czj, "/api/assignments?pending=true");
    assert!(!theirs.as_array().expect("pending").is_empty());
    // Nothing left: an empty list, not an error; the office has nothing to acknowledge.
    assert_eq!(
        app.post(&fgj, "/api/assignments/acknowledge", json!({})).1,
        json!([])
    );
    assert_eq!(
        app.post(&sup, "/api/assignments/acknowledge", json!({})).0,
        StatusCode::FORBIDDEN
    );
}
