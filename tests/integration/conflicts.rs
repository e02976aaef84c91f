//! Edit conflicts over HTTP (issue 12 §4): two reporters of one unit editing one
//! report. The second save, made from the version both opened, is refused with 409 and
//! nothing is lost: the API answers with the saved text, the page shows the saved text
//! beside the editor that still holds what was typed. The same for two supervisors
//! editing one task of a draft decomposition notice (the API's 409 carries the saved
//! task, the editor shows it above the form that keeps what was typed).

use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::json;

use crate::integration::support::App;

const ACCOUNTS: &[(&str, &str, Option<&str>)] = &[
    ("sup", "supervisor", None),
    ("fgj.lly", "reporter", Some("区发改局")),
    ("fgj.lly2", "reporter", Some("区发改局")),
];

/// Opens a round on tasks 1-3 and gives 区发改局's report on task 1.
fn report(app: &App) -> i64 {
    let sup = app.login("sup");
    let (status, round) = app.post(
        &sup,
        "/api/rounds",
        json!({"document": 1, "label": "1-10月", "due": "2099-12-31", "tasks": "1-3"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let round = round["id"].as_i64().expect("round id");
    let (_, reports) = app.get(&sup, &format!("/api/reports?round={round}"));
    reports
        .as_array()
        .expect("reports")
        .iter()
        .find(|r| r["task"] == 1 && r["unit"] == "区发改局")
        .and_then(|r| r["id"].as_i64())
        .unwrap_or_else(|| panic!("no report of 区发改局 on task 1: {reports}"))
}

fn etag(app: &App, client: &Client, id: i64) -> String {
    let response = client
        .get(app.server.url(&format!("/api/reports/{id}")))
        .send()
        .expect("report");
    assert_eq!(response.status(), StatusCode::OK);
    response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("an ETag")
        .to_string()
}

fn save(
    app: &App,
    client: &Client,
    id: i64,
    tag: &str,
    text: &str,
) -> (StatusCode, serde_json::Value) {
    let response = client
        .post(app.server.url(&format!("/api/reports/{id}/actions")))
        .header("If-Match", tag)
        .json(&json!({"action": "save_draft", "text": text, "percent": "30"}))
        .send()
        .expect("save");
    let status = response.status();
    (status, response.json().unwrap_or_default())
}

/// The hidden version field of the report page's editor.
fn form_version(html: &str) -> String {
    let marker = "name=\"version\" value=\"";
    let start = html.find(marker).expect("a version field") + marker.len();
    let end = start + html[start..].find('"').expect("end of the value");
    html[start..end].to_string()
}

#[test]
fn the_second_save_through_the_api_is_refused_with_409_and_the_saved_text() {
    let app = App::start(ACCOUNTS);
    let id = report(&app);
    let (a, b) = (app.login("fgj.lly"), app.login("fgj.lly2"));
    let (tag_a, tag_b) = (etag(&app, &a, id), etag(&app, &b, id));
    assert_eq!(tag_a, tag_b);

    let (status, body) = save(&app, &a, id, &tag_a, "甲：已完成立项 3 个");
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = save(&app, &b, id, &tag_b, "乙：已开工 2 个");
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"].as_str().unwrap_or("").contains("保存冲突"),
        "{body}"
    );
    assert_eq!(body["saved_text"], "甲：已完成立项 3 个", "{body}");
    assert_eq!(body["saved_version"], 1, "{body}");
    // The first save stands.
    let (_, view) = app.get(&a, &format!("/api/reports/{id}"));
    assert_eq!(view["summary"]["version"], 1, "{view}");
    assert!(view.to_string().contains("甲：已完成立项 3 个"), "{view}");
    assert!(!view.to_string().contains("乙：已开工 2 个"), "{view}");

    // From the new ETag, the merge goes through.
    let tag = etag(&app, &b, id);
    assert_eq!(tag, "\"1\"");
    let (status, body) = save(&app, &b, id, &tag, "甲：已完成立项 3 个；乙：已开工 2 个");
    assert_eq!(status, StatusCode::OK, "{body}");
    // A malformed If-Match is a clear 422, not a blind overwrite.
    let (status, body) = save(&app, &a, id, "\"abc\"", "覆盖");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"].as_str().unwrap_or("").contains("版本号"),
        "{body}"
    );
}

#[test]
fn the_second_save_through_the_form_shows_both_texts_and_keeps_what_was_typed() {
    let app = App::start(ACCOUNTS);
    let id = report(&app);
    let (a, b) = (app.login("fgj.lly"), app.login("fgj.lly2"));
    let path = format!("/reports/{id}");
    let (_, page_a) = app.page(&a, &path);
    let (_, page_b) = app.page(&b, &path);
    let (version_a, version_b) = (form_version(&page_a), form_version(&page_b));
    assert_eq!(version_a, "0");

    let (status, _) = app.form(
        &a,
        &path,
        &[
            ("action", "save_draft"),
            ("seen_state", "not_started"),
            ("version", &version_a),
            ("text", "甲：**已完成**立项 3 个"),
            ("percent", "30"),
        ],
    );
    assert!(status.is_success() || status.is_redirection(), "{status}");
    let (status, html) = app.form(
        &b,
        &path,
        &[
            ("action", "save_draft"),
            ("seen_state", "not_started"),
            ("version", &version_b),
            ("text", "乙：已开工 2 个"),
            ("percent", "50"),
        ],
    );
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("保存冲突"), "{html}");
    // Both versions on the page: the saved one in the conflict card, the typed one
    // still in the editor (and its 完成进度), which now carries the saved version.
    let card = &html[html.find("id=\"conflict\"").expect("a conflict card")..];
    assert!(card.contains("<strong>已完成</strong>立项 3 个"), "{html}");
    assert!(html.contains(">乙：已开工 2 个</textarea>"), "{html}");
    assert!(html.contains("value=\"50\""), "{html}");
    assert_eq!(form_version(&html), "1");
    let (_, saved) = app.page(&a, &path);
    assert!(saved.contains("甲：**已完成**立项 3 个"), "{saved}");
    assert!(!saved.contains("乙：已开工 2 个"), "{saved}");
}

// Two supervisors editing one task of a draft decomposition notice.

const OFFICE: &[(&str, &str, Option<&str>)] =
    &[("sup", "supervisor", None), ("sup2", "supervisor", None)];

/// A draft decomposition notice with two tasks; its id.
fn draft(app: &App) -> i64 {
    let sup = app.login("sup");
    let (status, source) = app.post(
        &sup,
        "/api/sources",
        json!({"kind": "speech", "title": "区长在全体会上的讲话", "date": "2020-04-20",
               "leader": "区长", "meeting": "区政府全体会议", "original": "抓紧落实。"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{source}");
    let source = source["summary"]["id"].as_i64().expect("source id");
    let (status, d) = app.post(
        &sup,
        &format!("/api/sources/{source}/decompositions"),
        json!({"issuer": "泉州市鲤城区人民政府办公室"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{d}");
    let doc = d["id"].as_i64().expect("draft id");
    let (status, added) = app.post(
        &sup,
        &format!("/api/decompositions/{doc}/tasks"),
        json!({"tasks": [
            {"content": "加快老旧小区改造", "lead_units": ["区住建局"]},
            {"content": "常态化做好企业服务", "lead_units": ["区工信局"]},
        ]}),
    );
    assert_eq!(status, StatusCode::CREATED, "{added}");
    doc
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn save_task(
    app: &App,
    client: &Client,
    doc: i64,
    tag: &str,
    content: &str,
) -> (StatusCode, serde_json::Value) {
    let response = client
        .post(
            app.server
                .url(&format!("/api/decompositions/{doc}/tasks/1")),
        )
        .header("If-Match", tag)
        .json(&json!({"content": content, "lead_units": ["区住建局"]}))
        .send()
        .expect("save");
    let status = response.status();
    (status, response.json().unwrap_or_default())
}

#[test]
fn the_second_task_save_through_the_api_is_refused_with_409_and_the_saved_task() {
    let app = App::start(OFFICE);
    let doc = draft(&app);
    let (a, b) = (app.login("sup"), app.login("sup2"));
    let version = |client: &Client| {
        let (_, d) = app.get(client, &format!("/api/decompositions/{doc}"));
        d["tasks"][0]["version"].as_i64().expect("a task version")
    };
    let (seen_a, seen_b) = (version(&a), version(&b));
    assert_eq!(seen_a, seen_b);

    let (status, body) = save_task(
        &app,
        &a,
        doc,
        &format!("\"{seen_a}\""),
        "甲：改造 10 个小区",
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = save_task(
        &app,
        &b,
        doc,
        &format!("\"{seen_b}\""),
        "乙：改造 12 个小区",
    );
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let error = body["error"].as_str().unwrap_or("");
    assert!(
        error.contains("保存冲突") && error.contains("第 1 项任务"),
        "{body}"
    );
    assert_eq!(body["saved_task"]["intro"], "甲：改造 10 个小区", "{body}");
    assert_eq!(body["saved_version"], version(&a), "{body}");
    // The first save stands; the second, from the saved version, goes through.
    let (_, d) = app.get(&a, &format!("/api/decompositions/{doc}"));
    assert!(
        d.to_string().contains("甲：改造 10 个小区") && !d.to_string().contains("乙："),
        "{d}"
    );
    let tag = body["saved_version"].to_string();
    let (status, body) = save_task(&app, &b, doc, &tag, "甲乙合并：改造 12 个小区");
    assert_eq!(status, StatusCode::OK, "{body}");
    // A malformed If-Match is a clear 422, not a blind overwrite.
    let (status, body) = save_task(&app, &a, doc, "\"v1\"", "覆盖");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"].as_str().unwrap_or("").contains("任务版本号"),
        "{body}"
    );
}

#[test]
fn the_second_task_save_through_the_editor_shows_both_and_keeps_what_was_typed() {
    let app = App::start(OFFICE);
    let doc = draft(&app);
    let (a, b) = (app.login("sup"), app.login("sup2"));
    let page = format!("/decompositions/{doc}?edit=1");
    let (_, page_a) = app.page(&a, &page);
    let (_, page_b) = app.page(&b, &page);
    let (version_a, version_b) = (form_version(&page_a), form_version(&page_b));
    assert_eq!(version_a, version_b);

    let path = format!("/decompositions/{doc}/tasks/1");
    let fields = |version: &str, content: &str, leader: &str| {
        vec![
            ("version".to_string(), version.to_string()),
            ("content".to_string(), content.to_string()),
            ("lead_main".to_string(), "区住建局".to_string()),
            ("leader".to_string(), leader.to_string()),
        ]
    };

    let first = fields(&version_a, "甲：改造 10 个小区", "王副区长");
    let (status, _) = app.form(&a, &path, &pairs(&first));
    assert_eq!(status, StatusCode::SEE_OTHER);
    let second = fields(&version_b, "乙：改造 12 个小区", "李副区长");
    let (status, html) = app.form(&b, &path, &pairs(&second));
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("保存冲突"), "{html}");
    // Both on the page: the saved task in the conflict card, what was typed still in
    // the form, which now carries the saved version.
    let card_start = html.find("id=\"conflict\"").expect("a conflict card");
    let card =
        &html[card_start..card_start + html[card_start..].find("</section>").expect("card end")];
    assert!(
        card.contains("甲：改造 10 个小区") && card.contains("王副区长"),
        "{card}"
    );
    assert!(html.contains(">乙：改造 12 个小区</textarea>"), "{html}");
    assert!(html.contains("value=\"李副区长\""), "{html}");
    let newer = form_version(&html);
    assert_ne!(newer, version_b);
    // Saving again (after merging) from the page as shown replaces what is saved.
    let merged = fields(&newer, "甲乙合并：改造 12 个小区", "王副区长");
    let (status, _) = app.form(&b, &path, &pairs(&merged));
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, d) = app.get(&a, &format!("/api/decompositions/{doc}"));
    assert_eq!(d["tasks"][0]["intro"], "甲乙合并：改造 12 个小区", "{d}");
}
