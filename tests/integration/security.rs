//! The defects found by probing the running app (issue 15), each with the test that
//! failed before its fix: drafts served to the public, the login limit beaten in
//! parallel or used to lock others out, memory exhausted by one request, a 500 for bad
//! input, missing headers, and the office reading units' unsubmitted drafts.

use reqwest::StatusCode;
use serde_json::json;

use super::support::{App, SEED, Sandbox, Server};

/// (username, role, unit)
const ACCOUNTS: &[(&str, &str, Option<&str>)] = &[
    ("sup", "supervisor", None),
    ("ldr", "leader", None),
    ("fgj.lly", "reporter", Some("区发改局")),
    ("fgj.fzr", "unit_head", Some("区发改局")),
];

/// The seed under another 文号 and 公开属性.
fn seed_variant(sandbox: &Sandbox, serial: u32, note: &str) {
    let text = std::fs::read_to_string(SEED)
        .expect("seed")
        .replace(
            "泉鲤政办〔2020〕48号",
            &format!("泉鲤政办〔2020〕{serial}号"),
        )
        .replace("（此件主动公开）", note);
    sandbox
        .import(&sandbox.write(&format!("{serial}.txt"), text))
        .ok();
}

#[test]
fn only_issued_notices_disclosed_on_the_office_s_initiative_are_public() {
    // 1: the seed (imported, 主动公开); 2: 依申请公开; 3: 不予公开.
    let sandbox = Sandbox::seeded(ACCOUNTS);
    seed_variant(&sandbox, 49, "（此件依申请公开）");
    seed_variant(&sandbox, 50, "（此件不予公开）");
    let server = Server::start(&sandbox, &["serve"]);
    let app = App::from_server(sandbox, server);
    let sup = app.login("sup");
    let (status, source) = app.post(
        &sup,
        "/api/sources",
        json!({"kind": "speech", "title": "区长在区政府全体会议上的讲话", "date": "2020-04-20",
               "leader": "区长", "meeting": "区政府全体会议", "original": "抓紧推进重点工作。"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{source}");
    let source = source["summary"]["id"].as_i64().expect("source id");
    // 4 and 5: drafts, 主动公开 by default; 5 is then issued and so published.
    let mut drafts = Vec::new();
    for _ in 0..2 {
        let (status, draft) = app.post(
            &sup,
            &format!("/api/sources/{source}/decompositions"),
            json!({"issuer": "泉州市鲤城区人民政府办公室"}),
        );
        assert_eq!(status, StatusCode::CREATED, "{draft}");
        assert_eq!(draft["document"]["disclosure"], "主动公开", "{draft}");
        let id = draft["id"].as_i64().expect("draft id");
        let (status, added) = app.post(
            &sup,
            &format!("/api/decompositions/{id}/tasks"),
            json!({"tasks": [{"content": "抓紧推进重点工作", "lead_units": ["区发改局"]}]}),
        );
        assert_eq!(status, StatusCode::CREATED, "{added}");
        drafts.push(id);
    }
    let (status, issued) = app.post(
        &sup,
        &format!("/api/decompositions/{}/issue", drafts[1]),
        json!({"doc_number": "泉鲤政办〔2020〕51号", "date": "2020-05-06"}),
    );
    assert!(status.is_success(), "{status} {issued}");
    let published = [1, drafts[1]];

    let anonymous = Server::client();
    for id in 1..=drafts[1] + 3 {
        let expected = if published.contains(&id) {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        for path in [
            format!("/public/{id}"),
            format!("/public/{id}/file/docx"),
            format!("/public/{id}/file/xlsx"),
            format!("/api/public/{id}"),
        ] {
            let response = anonymous.get(app.server.url(&path)).send().expect("get");
            assert_eq!(response.status(), expected, "GET {path} anonymously");
        }
    }
    // The lists name exactly the published ones.
    let (_, list) = app.get(&anonymous, "/api/public");
    let ids: Vec<i64> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["id"].as_i64())
        .collect();
    assert_eq!(ids, published, "{list}");
    let (_, html) = app.page(&anonymous, "/public");
    for id in 1..=drafts[1] + 3 {
        assert_eq!(
            html.contains(&format!("href=\"/public/{id}\"")),
            published.contains(&id),
            "/public/{id} on the list:\n{html}"
        );
    }
    // A published notice's page links its files, and they are what they say.
    let (_, page) = app.page(&anonymous, "/public/1");
    assert!(page.contains("/public/1/file/pdf"), "{page}");
    let docx = anonymous
        .get(app.server.url("/public/1/file/docx"))
        .send()
        .expect("docx");
    assert_eq!(
        docx.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    assert!(docx.bytes().expect("bytes").starts_with(b"PK"));
    let (status, notice) = app.get(&anonymous, "/api/public/1");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(notice["tasks"].as_array().map(Vec::len), Some(35));
}

/// A login attempt: the status, from `address` when the server trusts X-Forwarded-For.
fn attempt(app: &App, username: &str, password: &str, address: &str) -> (StatusCode, String) {
    let response = Server::client()
        .post(app.server.url("/api/login"))
        .header("X-Forwarded-For", address)
        .json(&json!({ "username": username, "password": password }))
        .send()
        .expect("login");
    let status = response.status();
    (status, response.text().unwrap_or_default())
}

/// The seed and its accounts behind a (pretend) reverse proxy that passes the client's
/// address in X-Forwarded-For.
fn behind_proxy() -> App {
    let sandbox = Sandbox::seeded(ACCOUNTS);
    let server = Server::start(
        &sandbox,
        &["serve", "--client-address-header", "X-Forwarded-For"],
    );
    App::from_server(sandbox, server)
}

#[test]
fn the_login_limit_holds_under_parallel_attempts() {
    let app = App::start(ACCOUNTS);
    let attempts = 60;
    let statuses: Vec<StatusCode> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..attempts)
            .map(|_| scope.spawn(|| attempt(&app, "ldr", "wrong-password-1", "").0))
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("thread"))
            .collect()
    });
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        (checked, refused),
        (5, attempts - 5),
        "{attempts} parallel attempts: {statuses:?}"
    );
    let (status, body) = attempt(&app, "ldr", super::support::PASSWORD, "");
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
}

#[test]
fn guessing_from_one_address_does_not_lock_the_real_user_out() {
    let app = behind_proxy();
    let password = super::support::PASSWORD;
    let attacker = "203.0.113.9";
    for _ in 0..5 {
        assert_eq!(
            attempt(&app, "ldr", "wrong-password-1", attacker).0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, body) = attempt(&app, "ldr", password, attacker);
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body.contains("该账号在本机"), "{body}");
    // The real user, from their own address, is not locked out.
    assert_eq!(attempt(&app, "ldr", password, "10.1.2.3").0, StatusCode::OK);

    // Spraying over other names from the same address meets the address's own limit
    // (20, five of which were spent on ldr).
    for i in 0..15 {
        let (status, body) = attempt(&app, &format!("guess{i}"), "wrong-password-1", attacker);
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}: {body}");
    }
    let (status, body) = attempt(&app, "sup", password, attacker);
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body.contains("本机登录失败次数过多"), "{body}");
    assert_eq!(attempt(&app, "sup", password, "10.1.2.4").0, StatusCode::OK);
}

#[test]
fn many_addresses_lock_the_account_until_the_administrator_unlocks_it() {
    let sandbox = Sandbox::seeded(ACCOUNTS);
    let server = Server::start(
        &sandbox,
        &["serve", "--client-address-header", "X-Forwarded-For"],
    );
    let app = App::from_server(Sandbox::new(), server);
    let password = super::support::PASSWORD;
    // Fifty guesses from ten addresses, five each: each pair stays within its limit.
    for address in 0..10 {
        for _ in 0..5 {
            let (status, body) = attempt(
                &app,
                "ldr",
                "wrong-password-1",
                &format!("198.51.100.{address}"),
            );
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        }
    }
    // Now the account is locked from everywhere …
    let (status, body) = attempt(&app, "ldr", password, "10.1.2.3");
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body.contains("安全管理员"), "{body}");
    // … every lockout that began is on record …
    let lockouts = sandbox.run(["user", "lockouts"]).ok().stdout;
    assert!(
        lockouts.contains("198.51.100.0") && lockouts.contains("198.51.100.9"),
        "{lockouts}"
    );
    assert!(
        lockouts.lines().any(|l| l.contains("\t账号\tldr\t")),
        "{lockouts}"
    );
    // … and the security administrator's unlock lets the real user in at once.
    let unlocked = sandbox.run(["user", "unlock", "ldr"]).ok().stdout;
    assert!(unlocked.contains("已解除"), "{unlocked}");
    assert_eq!(attempt(&app, "ldr", password, "10.1.2.3").0, StatusCode::OK);
}

#[test]
fn the_client_address_comes_from_a_proxy_header_only_when_configured() {
    // Without --client-address-header, X-Forwarded-For is the client's own claim and
    // changing it does not buy more guesses.
    let app = App::start(ACCOUNTS);
    for i in 0..5 {
        assert_eq!(
            attempt(&app, "ldr", "wrong-password-1", &format!("192.0.2.{i}")).0,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        attempt(&app, "ldr", "wrong-password-1", "192.0.2.200").0,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Nor does it make cookies Secure.
    let response = Server::client()
        .post(app.server.url("/api/login"))
        .header("X-Forwarded-Proto", "https")
        .json(&json!({ "username": "sup", "password": super::support::PASSWORD }))
        .send()
        .expect("login");
    let cookie = response.headers()["set-cookie"].to_str().expect("cookie");
    assert!(!cookie.contains("Secure"), "{cookie}");

    // Behind a configured proxy that says the request came over HTTPS, it does.
    let app = behind_proxy();
    let response = Server::client()
        .post(app.server.url("/api/login"))
        .header("X-Forwarded-For", "10.1.2.3")
        .header("X-Forwarded-Proto", "https")
        .json(&json!({ "username": "sup", "password": super::support::PASSWORD }))
        .send()
        .expect("login");
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()["set-cookie"].to_str().expect("cookie");
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
}

#[test]
fn one_request_cannot_exhaust_memory_and_every_text_has_a_limit() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");
    // The probe's selection: `1-10001,` 20,000 times (156 KB), to rounds, schedules
    // and the page form; refused before anything is expanded.
    let flood = "1-10001,".repeat(20_000);
    let (status, body) = app.post(
        &sup,
        "/api/rounds",
        json!({"document": 1, "label": "1-10月", "due": "2020-11-10", "tasks": flood}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("最多 2000 字"),
        "{body}"
    );
    let (status, body) = app.post(
        &sup,
        "/api/schedules",
        json!({"document": 1, "cadence": "monthly", "lead_days": 5, "due_days": 5, "tasks": flood}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, page) = app.form(
        &sup,
        "/rounds",
        &[
            ("document", "1"),
            ("label", "1-10月"),
            ("due", "2020-11-10"),
            ("tasks", &flood),
            ("past_due_confirmed", "1"),
        ],
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("最多"),
        "the tasks' limit, not the date: {page}"
    );
    // Within the length limit, a range beyond the notice's 35 tasks.
    for tasks in ["1-36", "1-4294967295", &"1-100000,".repeat(200)] {
        let (status, body) = app.post(
            &sup,
            "/api/rounds",
            json!({"document": 1, "label": "1-10月", "due": "2020-11-10", "tasks": tasks}),
        );
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{tasks}: {body}");
        assert!(
            body["error"]
                .as_str()
                .unwrap_or_default()
                .contains("共 35 项"),
            "{body}"
        );
    }
    let rss = app.server.rss_kib();
    assert!(rss < 200 * 1024, "the server grew to {rss} KiB");

    // Free text: a round label of 100,000 characters, a report of ~1.9 MB and one
    // just over its limit.
    let (status, body) = app.post(
        &sup,
        "/api/rounds",
        json!({"document": 1, "label": "月".repeat(100_000), "due": "2020-11-10", "tasks": "1-3"}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("填报期间过长")
            && body["error"]
                .as_str()
                .unwrap_or_default()
                .contains("最多 40 字"),
        "{body}"
    );
    let (status, round) = app.post(
        &sup,
        "/api/rounds",
        json!({"document": 1, "label": "1-10月", "due": "2020-11-10", "tasks": "1-3"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let fgj = app.login("fgj.lly");
    let (_, reports) = app.get(&fgj, "/api/reports");
    let report = reports[0]["id"].as_i64().expect("report id");
    // ~1.9 MB is over the body limit (issue 12): refused before it is read whole. The
    // server answers 413 at the limit and may close the connection while the client is
    // still sending; when the answer arrives, it says why.
    let sent = fgj
        .post(app.server.url(&format!("/api/reports/{report}/actions")))
        .json(&json!({"action": "save_draft", "text": "已推进。".repeat(160_000)}))
        .send();
    if let Ok(response) = sent {
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let body: serde_json::Value = response.json().unwrap_or_default();
        assert!(
            body["error"]
                .as_str()
                .unwrap_or_default()
                .contains("请求内容过大"),
            "{body}"
        );
    }
    // Within the body limit, over the text's own limit (once more on a fresh
    // connection if the pooled one was the one the refused body closed).
    let over = json!({"action": "save_draft", "text": "推".repeat(10_001)});
    let response = fgj
        .post(app.server.url(&format!("/api/reports/{report}/actions")))
        .json(&over)
        .send()
        .or_else(|_| {
            fgj.post(app.server.url(&format!("/api/reports/{report}/actions")))
                .json(&over)
                .send()
        })
        .expect("request");
    let status = response.status();
    let body: serde_json::Value = response.json().unwrap_or_default();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("落实情况过长")
            && body["error"]
                .as_str()
                .unwrap_or_default()
                .contains("最多 10000 字"),
        "{body}"
    );
    let (_, stored) = app.get(&fgj, &format!("/api/reports/{report}"));
    assert_eq!(
        stored["summary"]["state"], "not_started",
        "nothing was written: {stored}"
    );
    // A comment, and a source's original text.
    let (status, body) = app.post(
        &fgj,
        &format!("/api/reports/{report}/actions"),
        json!({"action": "save_draft", "text": "已推进。", "comment": "理".repeat(1_001)}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app.post(
        &sup,
        "/api/sources",
        json!({"kind": "other", "title": "某讲话", "original": "讲".repeat(100_001)}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "original", "{body}");
}

#[test]
fn a_unit_name_is_checked_the_same_way_on_every_path() {
    let sandbox = Sandbox::seeded(ACCOUNTS);
    // The CLI took a unit name with a space from JSON; the editor then failed on it
    // with a 500 ("数据库中的数据已损坏"). Now the import refuses it, saying where.
    let json = sandbox.run(["export", "1", "--format", "json"]).ok().stdout;
    let spaced = json
        .replace("泉鲤政办〔2020〕48号", "泉鲤政办〔2020〕52号")
        .replace("\"区发改局\"", "\"区发改 局\"");
    let run = sandbox.import(&sandbox.write("52.json", spaced)).failed();
    assert!(
        run.stderr.contains("区发改 局") && run.stderr.contains("不能有空格"),
        "{}",
        run.stderr
    );
    let list = sandbox.run(["list", "--format", "json"]).ok().json();
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(1),
        "nothing stored: {list}"
    );

    // The editor refuses such a name with a 422 and the reason, never a 500.
    let server = Server::start(&sandbox, &["serve"]);
    let app = App::from_server(Sandbox::new(), server);
    let sup = app.login("sup");
    let (_, source) = app.post(
        &sup,
        "/api/sources",
        json!({"kind": "other", "title": "某讲话"}),
    );
    let source = source["summary"]["id"].as_i64().expect("source");
    let (_, draft) = app.post(
        &sup,
        &format!("/api/sources/{source}/decompositions"),
        json!({"issuer": "泉州市鲤城区人民政府办公室"}),
    );
    let id = draft["id"].as_i64().expect("draft");
    for name in ["区发改 局", "区发改局 区财政局", "区发改局、区财政局"] {
        let (status, body) = app.post(
            &sup,
            &format!("/api/decompositions/{id}/tasks"),
            json!({"tasks": [{"content": "甲", "lead_units": [name]}]}),
        );
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {body}");
        assert_eq!(body["field"], "lead_units", "{body}");
    }
}

/// A small PDF, as far as the upload checks are concerned.
const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

#[test]
fn a_unit_s_draft_stays_inside_the_unit_until_its_head_signs_it_off() {
    let app = App::start(ACCOUNTS);
    let (sup, ldr, fgj, head) = (
        app.login("sup"),
        app.login("ldr"),
        app.login("fgj.lly"),
        app.login("fgj.fzr"),
    );
    let (status, round) = app.post(
        &sup,
        "/api/rounds",
        json!({"document": 1, "label": "1-10月", "due": "2020-11-10", "tasks": "1"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let (_, mine) = app.get(&fgj, "/api/reports");
    let report = mine[0]["id"].as_i64().expect("report");
    let secret = "草稿：指标分解方案尚在内部讨论";
    let (status, body) = app.post(
        &fgj,
        &format!("/api/reports/{report}/actions"),
        json!({"action": "save_draft", "text": secret, "percent": "40"}),
    );
    assert!(status.is_success(), "{body}");
    let boundary = "----dubanTestBoundary5f3a9c";
    let mut upload = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
         filename=\"方案.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    upload.extend_from_slice(PDF);
    upload.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let file: serde_json::Value = fgj
        .post(
            app.server
                .url(&format!("/api/reports/{report}/attachments")),
        )
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(upload)
        .send()
        .expect("upload")
        .json()
        .expect("json");
    let file = file["id"].as_i64().expect("attachment id");

    let withheld = |stage: &str| {
        for (who, client) in [("sup", &sup), ("ldr", &ldr)] {
            let (status, r) = app.get(client, &format!("/api/reports/{report}"));
            assert_eq!(status, StatusCode::OK, "{stage}, {who}");
            assert_eq!(r["withheld"], true, "{stage}, {who}: {r}");
            assert!(
                !r.to_string().contains("指标分解方案"),
                "{stage}, {who}: {r}"
            );
            assert_eq!(
                r["summary"]["percent"],
                serde_json::Value::Null,
                "{stage}, {who}"
            );
            let (_, list) = app.get(client, "/api/reports");
            assert!(
                !list.to_string().contains("\"percent\":40"),
                "{stage}, {who}"
            );
            let (_, files) = app.get(client, &format!("/api/reports/{report}/attachments"));
            assert_eq!(files, json!([]), "{stage}, {who}");
            let (status, _) = app.get(client, &format!("/api/attachments/{file}"));
            assert_eq!(status, StatusCode::NOT_FOUND, "{stage}, {who}");
            let (_, page) = app.page(client, &format!("/reports/{report}"));
            assert!(
                !page.contains("指标分解方案") && !page.contains("方案.pdf"),
                "{stage}, {who}"
            );
            assert!(
                page.contains("单位负责人审核通过并报送后"),
                "{stage}, {who}"
            );
        }
        // Inside the unit, all of it.
        for client in [&fgj, &head] {
            let (_, r) = app.get(client, &format!("/api/reports/{report}"));
            assert_eq!(r["withheld"], false);
            assert!(r.to_string().contains("指标分解方案"), "{stage}: {r}");
        }
    };
    withheld("a draft");
    let (status, body) = app.post(
        &fgj,
        &format!("/api/reports/{report}/actions"),
        json!({"action": "submit", "text": secret, "percent": "40"}),
    );
    assert!(status.is_success(), "{body}");
    withheld("waiting for the unit head");

    let (status, body) = app.post(
        &head,
        &format!("/api/reports/{report}/actions"),
        json!({"action": "approve"}),
    );
    assert!(status.is_success(), "{body}");
    for client in [&sup, &ldr] {
        let (_, r) = app.get(client, &format!("/api/reports/{report}"));
        assert_eq!(r["withheld"], false, "{r}");
        assert_eq!(r["summary"]["percent"], 40);
        assert!(r.to_string().contains("指标分解方案"));
        let (status, _) = app.get(client, &format!("/api/attachments/{file}"));
        assert_eq!(status, StatusCode::OK);
    }
}

#[test]
fn responses_keep_addresses_and_pages_to_themselves() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");
    let anonymous = Server::client();
    for (client, path, no_store) in [
        (&sup, "/tasks", true),
        (&sup, "/api/tasks", true),
        (&sup, "/api/me", true),
        (&sup, "/documents/1/tasks/1", true),
        (&sup, "/api/dashboard", true),
        (&anonymous, "/login", true),
        (&anonymous, "/public", true),
        (&anonymous, "/api/public/1", true),
        (&anonymous, "/static/style.css", false),
    ] {
        let response = client.get(app.server.url(path)).send().expect("get");
        let headers = response.headers();
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        let cache = headers["cache-control"].to_str().expect("ascii");
        assert_eq!(cache == "no-store", no_store, "{path}: {cache}");
    }
}
