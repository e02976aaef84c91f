//! The round's own 通报 (issue 10), run for real: a round reported, reviewed and
//! closed, its notice generated from the accepted reports, reworded, refused with a
//! wrong figure, issued with the next 文号 and published with its files.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::support::{App, Server};

/// (username, role, unit)
const ACCOUNTS: &[(&str, &str, Option<&str>)] = &[
    ("sup", "supervisor", None),
    ("ldr", "leader", None),
    ("fgj.lly", "reporter", Some("区发改局")),
    ("fgj.fzr", "unit_head", Some("区发改局")),
    ("czj.lly", "reporter", Some("区财政局")),
    ("czj.fzr", "unit_head", Some("区财政局")),
];

fn settings() -> Value {
    json!({
        "issuer": "泉州市鲤城区人民政府办公室",
        "office": "区政府督查室",
        "disclosure": "主动公开",
        "agency": "泉鲤政办",
        "year": 2020,
        "next_serial": 49,
    })
}

/// Reports `text` for `unit`'s report on `task` and has it signed off by the head.
fn report(app: &App, round: i64, task: u64, unit: (&str, &str), text: &str) -> i64 {
    let (reporter, head) = (app.login(unit.0), app.login(unit.1));
    let (_, reports) = app.get(&reporter, &format!("/api/reports?round={round}"));
    let id = reports
        .as_array()
        .expect("reports")
        .iter()
        .find(|r| r["task"] == task)
        .and_then(|r| r["id"].as_i64())
        .unwrap_or_else(|| panic!("no report on task {task}: {reports}"));
    let (status, body) = app.post(
        &reporter,
        &format!("/api/reports/{id}/actions"),
        json!({"action": "submit", "text": text}),
    );
    assert!(status.is_success(), "{body}");
    let (status, body) = app.post(
        &head,
        &format!("/api/reports/{id}/actions"),
        json!({"action": "approve"}),
    );
    assert!(status.is_success(), "{body}");
    id
}

#[test]
fn a_round_s_notice_from_its_reports_to_the_public_page() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");
    let (status, body) = app.post(&sup, "/api/settings/notices", settings());
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, round) = app.post(
        &sup,
        "/api/rounds",
        json!({"document": 1, "label": "1-10月", "due": "2030-11-10", "tasks": "1-2"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let round = round["id"].as_i64().expect("round");

    // Two units report; the office accepts one and returns the other.
    let fgj = report(
        &app,
        round,
        1,
        ("fgj.lly", "fgj.fzr"),
        "已逐月分解下达经济指标，全部完成。",
    );
    let czj = report(
        &app,
        round,
        2,
        ("czj.lly", "czj.fzr"),
        "一般公共预算收入进度滞后，正在加紧组织收入。",
    );
    let (status, body) = app.post(
        &sup,
        &format!("/api/reports/{fgj}/actions"),
        json!({"action": "accept"}),
    );
    assert!(status.is_success(), "{body}");
    let (status, body) = app.post(
        &sup,
        &format!("/api/reports/{czj}/actions"),
        json!({"action": "return", "comment": "请补充全年预计完成情况"}),
    );
    assert!(status.is_success(), "{body}");

    // The notice: the table is the accepted report, every figure from it.
    let (status, view) = app.get(&sup, &format!("/api/rounds/{round}/notice"));
    assert_eq!(status, StatusCode::OK, "{view}");
    let notice = &view["notice"];
    assert_eq!(notice["summary"]["total"], 2, "{notice}");
    let tasks = notice["tasks"].as_array().expect("tasks");
    assert_eq!(tasks[0]["progress"], "已逐月分解下达经济指标，全部完成。");
    assert_eq!(tasks[0]["status"], "done");
    assert_eq!(
        tasks[1]["progress"],
        Value::Null,
        "the returned report is not in the table"
    );
    let statuses: Vec<&str> = tasks.iter().filter_map(|t| t["status"].as_str()).collect();
    let count = |code: &str| statuses.iter().filter(|s| **s == code).count();
    assert_eq!(notice["summary"]["done"], count("done"));
    assert_eq!(notice["summary"]["unknown"], count("unknown"));
    assert_eq!(
        notice["reporting"]["expected"], 4,
        "task 1: 1 unit, task 2: 3 units"
    );
    assert_eq!(notice["reporting"]["missing"], 3);
    let body: Vec<String> = view["body"]
        .as_array()
        .expect("body")
        .iter()
        .filter_map(|p| p["text"].as_str().map(str::to_string))
        .collect();
    assert!(
        body[0].contains("区政府督查室") && body[0].contains("1-10月"),
        "{body:?}"
    );
    assert!(body[1].contains("共2项任务，已完成1项"), "{body:?}");
    assert!(body[3].contains("未报送3份"), "{body:?}");
    assert_eq!(view["mismatches"], json!([]));
    assert_eq!(
        notice["document"]["title"],
        "泉州市鲤城区人民政府办公室关于黄辉灿区长在区政府第一次全体会上的讲话部署落实情况的通报"
    );
    // Leaders read it; units do not.
    assert_eq!(
        app.get(&app.login("ldr"), &format!("/api/rounds/{round}/notice"))
            .0,
        StatusCode::OK
    );
    assert_eq!(
        app.get(
            &app.login("fgj.lly"),
            &format!("/api/rounds/{round}/notice")
        )
        .0,
        StatusCode::FORBIDDEN
    );

    // Reworded with a wrong figure: kept, flagged, and issuing is refused naming it.
    let mut wording: Vec<Value> = view["body"].as_array().expect("body").clone();
    wording[1]["text"] = json!(body[1].replace("已完成1项", "已完成2项"));
    wording.push(json!({"text": "对区财政局进行约谈提醒。", "internal": true}));
    let (status, saved) = app.post(
        &sup,
        &format!("/api/rounds/{round}/notice"),
        json!({"body": wording}),
    );
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(
        saved["mismatches"].as_array().map(Vec::len),
        Some(1),
        "{saved}"
    );
    let (status, refused) = app.post(
        &sup,
        &format!("/api/rounds/{round}/notice/issue"),
        json!({"date": "2030-11-20"}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let message = refused["error"].as_str().unwrap_or_default();
    assert!(
        message.contains("已完成2项")
            && message.contains("应为 1 项")
            && message.contains("写的是 2 项"),
        "{message}"
    );
    // Fixed, then issued with the next 文号 of the series.
    wording[1]["text"] = json!(body[1]);
    let (status, saved) = app.post(
        &sup,
        &format!("/api/rounds/{round}/notice"),
        json!({"body": wording}),
    );
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["mismatches"], json!([]));
    let (status, issued) = app.post(
        &sup,
        &format!("/api/rounds/{round}/notice/issue"),
        json!({"date": "2030-11-20"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    assert_eq!(
        issued["doc_number"], "泉鲤政办〔2030〕1号",
        "a new year starts at 1"
    );
    let document = issued["document"].as_i64().expect("document");
    let (status, again) = app.post(
        &sup,
        &format!("/api/rounds/{round}/notice/issue"),
        json!({}),
    );
    assert_eq!(status, StatusCode::CONFLICT, "{again}");

    // Published: the public list and page, without the internal paragraph, and files.
    let anonymous = Server::client();
    let (_, list) = app.get(&anonymous, "/api/public");
    assert!(
        list.as_array()
            .expect("list")
            .iter()
            .any(|d| d["id"] == document),
        "{list}"
    );
    let (status, page) = app.page(&anonymous, &format!("/public/{document}"));
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("泉鲤政办〔2030〕1号") && page.contains("共2项任务"),
        "{page}"
    );
    assert!(
        !page.contains("约谈"),
        "the internal paragraph stays out of the public page"
    );
    for format in ["pdf", "docx", "xlsx"] {
        let response = anonymous
            .get(app.server.url(&format!("/public/{document}/file/{format}")))
            .send()
            .expect("file");
        assert_eq!(response.status(), StatusCode::OK, "{format}");
        assert!(response.bytes().expect("bytes").len() > 1000, "{format}");
    }
    // The office's copy keeps it; the task list does not list the notice's rows.
    let (_, internal) = app.get(&sup, &format!("/api/rounds/{round}/notice"));
    assert!(
        internal["notice"]["document"]["body"]
            .to_string()
            .contains("约谈")
    );
    let (_, all) = app.get(&sup, "/api/tasks");
    assert_eq!(all["total"], 35, "{}", all["total"]);
}

/// An imported 落实情况通报 is the output of a round: its cells are that round's
/// reports, and the round's notice gives the notice's table back, cell by cell.
#[test]
fn the_seed_is_a_closed_round_whose_notice_is_the_seed_s_table() {
    let sandbox = super::support::Sandbox::seeded(&[]);
    let rounds = sandbox.run(["rounds", "--format", "json"]).ok().json();
    let rounds = rounds.as_array().expect("rounds");
    assert_eq!(rounds.len(), 1, "{rounds:?}");
    let round = &rounds[0];
    assert_eq!(round["imported"], true);
    assert_eq!(round["closed"], true);
    assert_eq!(round["doc_number"], "泉鲤政办〔2020〕48号");
    assert_eq!(round["accepted"], round["reports"]);
    let id = round["id"].as_i64().expect("id").to_string();

    let seed = sandbox.run(["export", "1", "--format", "json"]).ok().json();
    let notice = sandbox
        .run(["notice", id.as_str(), "--format", "json"])
        .ok()
        .json();
    let (seed_tasks, tasks) = (
        seed["tasks"].as_array().expect("seed tasks"),
        notice["tasks"].as_array().expect("tasks"),
    );
    assert_eq!(tasks.len(), 35);
    for (expected, got) in seed_tasks.iter().zip(tasks) {
        let number = &expected["number"];
        assert_eq!(got["number"], *number);
        for field in [
            "content_rich",
            "progress_rich",
            "lead_units",
            "lead_units_text",
            "subitems",
        ] {
            assert_eq!(got[field], expected[field], "task {number}: {field}");
        }
    }
    // Task 20 is written per unit: one report per lead unit, 区域管局's part for 区城管局.
    let summary = &notice["summary"];
    for code in [
        "done",
        "in_progress",
        "lagging",
        "blocked",
        "not_started",
        "unknown",
    ] {
        let n = tasks.iter().filter(|t| t["status"] == code).count();
        assert_eq!(summary[code], n, "{code}");
    }
    assert_eq!(summary["total"], 35);
    // Every part came in with the notice: none late, none missing.
    assert_eq!(
        notice["reporting"],
        json!({"expected": 44, "on_time": 44, "late": 0, "missing": 0})
    );

    // Its DOCX and PDF render.
    for format in ["docx", "pdf"] {
        let out = sandbox.path(&format!("notice.{format}"));
        sandbox
            .run(["notice", id.as_str(), "--format", format, "--output"])
            .failed();
        sandbox
            .run([
                "notice",
                id.as_str(),
                "--format",
                format,
                "--output",
                out.to_str().expect("path"),
            ])
            .ok();
        assert!(
            std::fs::metadata(&out).expect("file").len() > 10_000,
            "{format}"
        );
    }
}

/// An imported notice's files are linked from the task list and its round's page.
#[test]
fn a_notice_s_files_are_linked_where_it_is_read() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");
    let (_, rounds) = app.get(&sup, "/api/rounds");
    let round = rounds[0]["id"].as_i64().expect("the seed's round");
    for page in ["/tasks?document=1".to_string(), format!("/rounds/{round}")] {
        let (status, html) = app.page(&sup, &page);
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(html.contains("/documents/1/file/pdf"), "{page}:\n{html}");
    }
    // The notice page offering the PDF says which fonts stand in for which.
    let (status, html) = app.page(&sup, &format!("/rounds/{round}/notice"));
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("/notice/file/pdf"), "{html}");
    assert!(
        html.contains("PDF 字体替代：方正小标宋简体：未找到，以开源字体 Noto Serif CJK SC 代替"),
        "{html}"
    );
    let response = sup
        .get(app.server.url("/documents/1/file/docx"))
        .send()
        .expect("docx");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.bytes().expect("bytes").starts_with(b"PK"));
    let unit = app.login("fgj.lly");
    let response = unit
        .get(app.server.url("/documents/1/file/docx"))
        .send()
        .expect("docx");
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "units read their tasks, not the file"
    );
}

/// The office's 署名 layout (notice settings): sealed by default, unsealed when set, and
/// the round's notice PDF follows it (GB/T 9704 §7.3.5.1 / §7.3.5.2).
#[test]
fn the_signature_layout_is_an_office_setting_the_pdf_follows() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");
    let (status, body) = app.post(&sup, "/api/settings/notices", settings());
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, read) = app.get(&sup, "/api/settings/notices");
    assert_eq!(read["signature_layout"], "sealed", "{read}");
    let (_, rounds) = app.get(&sup, "/api/rounds");
    let round = rounds[0]["id"].as_i64().expect("the seed's round");
    let positions = |what: &str| {
        let pdf = sup
            .get(app.server.url(&format!("/rounds/{round}/notice/file/pdf")))
            .send()
            .expect("pdf")
            .bytes()
            .expect("bytes");
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("notice.pdf");
        std::fs::write(&path, &pdf).expect("write");
        let out = std::process::Command::new("pdftotext")
            .args(["-bbox", "-f", "2", "-l", "2"])
            .arg(&path)
            .arg("-")
            .output();
        let Ok(out) = out else { return None };
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let words: Vec<&str> = text
            .lines()
            .filter(|l| l.trim_start().starts_with("<word"))
            .collect();
        // The 署名, and the 成文日期 on the line after it.
        let at = words
            .iter()
            .position(|l| l.contains(">泉州市鲤城区人民政府办公室</word>"))
            .unwrap_or_else(|| panic!("{what}: no 署名 on page 2:\n{text}"));
        let x = |line: &str, attr: &str| -> f64 {
            line.split(&format!("{attr}=\""))
                .nth(1)
                .and_then(|r| r.split('"').next())
                .and_then(|v| v.parse::<f64>().ok())
                .expect("coordinate")
                * 25.4
                / 72.0
        };
        let date = words[at + 1];
        assert!(date.contains("日</word>"), "{what}: {date}");
        Some((
            x(words[at], "xMin"),
            x(words[at], "xMax"),
            x(date, "xMin"),
            x(date, "xMax"),
        ))
    };
    let zi = 16.0 * 25.4 / 72.0;
    if let Some((sign_min, sign_max, date_min, date_max)) = positions("sealed") {
        // 右空四字 at least (a long 署名 keeps one 字 at the edge and takes the date
        // left with it), the 署名 centred on the date.
        assert!(date_max < 184.0 - 4.0 * zi + 0.6, "{date_max}");
        assert!(sign_max < 184.0 - zi + 0.1, "{sign_max}");
        let centres = ((sign_min + sign_max) - (date_min + date_max)) / 2.0;
        assert!(centres.abs() < 0.3, "{centres}");
    }
    let mut unsealed = settings();
    unsealed["signature_layout"] = json!("unsealed");
    let (status, body) = app.post(&sup, "/api/settings/notices", unsealed);
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, read) = app.get(&sup, "/api/settings/notices");
    assert_eq!(read["signature_layout"], "unsealed", "{read}");
    let (_, page) = app.page(&sup, "/settings/notices");
    assert!(
        page.contains(r#"<option value="unsealed" selected>"#),
        "{page}"
    );
    if let Some((sign_min, sign_max, date_min, _)) = positions("unsealed") {
        assert!((sign_max - (184.0 - 2.0 * zi)).abs() < 0.6, "{sign_max}");
        assert!(
            (date_min - (sign_min + 2.0 * zi)).abs() < 0.6,
            "{date_min} {sign_min}"
        );
    }
}
