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
