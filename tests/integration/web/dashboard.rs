//! The dashboard's figures, the analysis page and the office's 审定, as leaders and the
//! office see them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::ACCOUNTS;
use crate::integration::support::{App, Server};

#[test]
fn the_dashboard_shows_the_analysis_pages_reading_and_links_to_its_tasks() {
    let app = App::start(ACCOUNTS);
    // An open round does not change the reading: the notice's own progress is read.
    let round = app.open_round();
    let ldr = app.login("ldr");
    let sup = app.login("sup");
    let figures = |d: &Value| -> Vec<(String, u64)> {
        d["reading"]["counts"]
            .as_array()
            .expect("counts")
            .iter()
            .map(|c| {
                (
                    c["code"].as_str().unwrap_or_default().to_string(),
                    c["count"].as_u64().unwrap_or_default(),
                )
            })
            .collect()
    };
    let (status, d) = app.get(&ldr, "/api/dashboard");
    assert_eq!(status, StatusCode::OK, "{d}");
    let (_, reading) = app.get(&ldr, "/api/documents/1/analysis");
    let summary = &reading["analysis"]["summary"];
    for (code, count) in figures(&d) {
        assert_eq!(Some(count), summary[code.as_str()].as_u64(), "{code}: {d}");
    }
    assert_eq!(
        figures(&d)[..4],
        [
            ("done".to_string(), 2),
            ("in_progress".to_string(), 29),
            ("lagging".to_string(), 2),
            ("blocked".to_string(), 2)
        ]
    );
    // Each figure is the number of tasks its link lists.
    for (code, count) in figures(&d) {
        let (status, list) = app.get(&ldr, &format!("/api/tasks?reading={code}"));
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["total"].as_u64(), Some(count), "{code}");
    }
    let (_, lagging) = app.get(&ldr, "/api/tasks?reading=lagging");
    let numbers: Vec<u64> = lagging["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["number"].as_u64())
        .collect();
    let analysed: Vec<u64> = reading["analysis"]["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .filter(|t| t["status"] == "lagging")
        .filter_map(|t| t["number"].as_u64())
        .collect();
    assert_eq!(numbers, analysed);
    assert_eq!(
        app.get(&ldr, "/api/tasks?reading=late").0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let html = ldr
        .get(app.server.url("/dashboard"))
        .send()
        .expect("page")
        .text()
        .expect("html");
    assert!(
        html.contains("落实情况判断")
            && html.contains("href=\"/tasks?reading=lagging\"")
            && html.contains("href=\"/tasks?reading=behind_pace\"")
            && html.contains("href=\"/tasks?status=open\"")
            && html.contains("href=\"/lapses\""),
        "every count card links to its list: {html}"
    );
    let (_, open) = app.page(&ldr, "/tasks?status=open");
    assert!(
        open.contains("共 35 项"),
        "the card's count is the list's: {open}"
    );
    let html = ldr
        .get(app.server.url("/tasks?reading=blocked"))
        .send()
        .expect("page")
        .text()
        .expect("html");
    assert!(
        html.contains("共 2 项") && html.contains("<option value=\"blocked\" selected>"),
        "{html}"
    );

    // The office's 审定 counts on both pages, at once.
    let (status, decided) = app.post(
        &sup,
        "/api/documents/1/tasks/15/status",
        json!({"status": "lagging", "reason": "两宗用地已有进展，判为滞后"}),
    );
    assert_eq!(status, StatusCode::OK, "{decided}");
    let (_, d) = app.get(&ldr, "/api/dashboard");
    assert_eq!(
        figures(&d)[2..4],
        [("lagging".to_string(), 3), ("blocked".to_string(), 1)]
    );
    assert_eq!(d["reading"]["decided"], 1);
    let (_, reading) = app.get(&ldr, "/api/documents/1/analysis");
    let effective: Vec<(String, u64)> = reading["effective"]
        .as_array()
        .expect("effective")
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap_or_default().to_string(),
                c["count"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(effective[..], figures(&d)[..6]);
    assert_eq!(app.get(&ldr, "/api/tasks?reading=lagging").1["total"], 3);

    // Once the round is closed its accepted reports are read, against its period
    // (1-10月), on the dashboard, the analysis page and the task page alike; tasks 1
    // and 3 have none.
    let fgj = app.login("fgj.lly");
    let id = app.report_id(&fgj, 2, "区发改局");
    let actions = format!("/api/reports/{id}/actions");
    for (client, step) in [
        (&fgj, json!({"action": "submit", "text": "100%"})),
        (&app.login("fgj.fzr"), json!({"action": "approve"})),
        (&sup, json!({"action": "accept"})),
    ] {
        let (status, body) = app.post(client, &actions, step);
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, closed) = app.post(&sup, &format!("/api/rounds/{round}/close"), json!({}));
    assert_eq!(status, StatusCode::OK, "{closed}");
    let (_, d) = app.get(&ldr, "/api/dashboard");
    assert_eq!(d["reading"]["from_rounds"], 1);
    let (_, reading) = app.get(&ldr, "/api/documents/1/analysis");
    assert_eq!(reading["round"]["label"], "1-10月");
    assert_eq!(reading["analysis"]["period"]["phrase"], "1-10月");
    let tasks = &reading["analysis"]["tasks"];
    assert_eq!(
        (
            tasks[0]["status"].as_str(),
            tasks[1]["status"].as_str(),
            tasks[2]["status"].as_str()
        ),
        (Some("unknown"), Some("done"), Some("unknown"))
    );
    let effective: Vec<(String, u64)> = reading["effective"]
        .as_array()
        .expect("effective")
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap_or_default().to_string(),
                c["count"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(effective[..], figures(&d)[..6]);
    let html = ldr
        .get(app.server.url("/documents/1/tasks/2"))
        .send()
        .expect("page")
        .text()
        .expect("html");
    assert!(
        html.contains("填报轮次“1-10月”各单位报送的落实情况"),
        "{html}"
    );
}

#[test]
fn the_dashboard_counts_from_the_data() {
    let app = App::start(ACCOUNTS);
    app.open_round();
    let sup = app.login("sup");
    let fgj = app.login("fgj.lly");
    let id = app.report_id(&fgj, 2, "区发改局");
    app.post(
        &fgj,
        &format!("/api/reports/{id}/actions"),
        json!({"action": "submit", "text": "已完成。"}),
    );
    app.post(
        &fgj,
        "/api/documents/1/tasks/1/actions",
        json!({"action": "claim_done", "comment": "完成"}),
    );
    app.post(
        &sup,
        "/api/documents/1/tasks/1/actions",
        json!({"action": "close", "comment": "经核实已完成"}),
    );
    let (status, d) = app.get(&app.login("ldr"), "/api/dashboard");
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["tasks"], 35);
    assert_eq!(d["task_states"][2]["code"], "closed");
    assert_eq!(d["task_states"][2]["count"], 1);
    assert_eq!(d["completion_rate"], "2.9%");
    let fgj_figures = unit_figures(&d, "区发改局");
    // Tasks 1-3 in the round: 区发改局 leads all three and has submitted one.
    assert_eq!(
        (
            fgj_figures["reports"].as_u64(),
            fgj_figures["reported"].as_u64()
        ),
        (Some(3), Some(1)),
        "{d}"
    );
    let html = app
        .login("ldr")
        .get(app.server.url("/dashboard"))
        .send()
        .expect("page")
        .text()
        .expect("html");
    assert!(
        html.contains("id=\"dashboard-data\"")
            && html.contains("/static/vendor/echarts.common.min.js"),
        "{html}"
    );
    let js = Server::client()
        .get(app.server.url("/static/vendor/echarts.common.min.js"))
        .send()
        .expect("echarts");
    assert_eq!(js.status(), 200);
    assert!(
        js.text().expect("js").len() > 500_000,
        "the real library is served, from the binary"
    );
}

#[test]
fn the_analysis_is_shown_and_the_office_decides() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");
    let (status, reading) = app.get(&sup, "/api/documents/1/analysis");
    assert_eq!(status, StatusCode::OK, "{reading}");
    assert_eq!(
        reading["analysis"]["tasks"][5]["subitems"][4]["status"], "blocked",
        "task 6 ⑤"
    );
    assert_eq!(
        reading["reviewed"][22]["suggested"], "done",
        "task 23: 已成立"
    );
    // The seed names no period in its text: its 成文日期 is the period's end.
    assert_eq!(
        reading["analysis"]["period"],
        json!({"end": "2020-10-15", "phrase": "截至2020年10月15日", "source": "document_date"})
    );
    assert_eq!(reading["period"], "截至2020年10月15日，据成文日期");
    // Leaders read it; units do not get the office's analysis.
    assert_eq!(
        app.get(&app.login("ldr"), "/api/documents/1/analysis").0,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&app.login("fgj.lly"), "/api/documents/1/analysis")
            .0,
        StatusCode::FORBIDDEN
    );
    // The office overrides with a reason; the suggestion stays visible.
    let (status, _) = app.post(
        &sup,
        "/api/documents/1/tasks/15/status",
        json!({"status": "lagging", "reason": ""}),
    );
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required"
    );
    let (status, decided) = app.post(
        &sup,
        "/api/documents/1/tasks/15/status",
        json!({"status": "lagging", "reason": "两宗用地已有进展，判为滞后"}),
    );
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(
        app.post(
            &app.login("ldr"),
            "/api/documents/1/tasks/15/status",
            json!({"status": "done", "reason": "x"})
        )
        .0,
        StatusCode::FORBIDDEN
    );
    let (_, reading) = app.get(&sup, "/api/documents/1/analysis");
    let task15 = &reading["reviewed"][14];
    assert_eq!(
        (task15["effective"].as_str(), task15["suggested"].as_str()),
        (Some("lagging"), Some("blocked")),
        "{task15}"
    );
    assert_eq!(task15["override"]["author"], "sup");
    // The task page marks the deciding phrases; the analysis page lists every task.
    let html = sup
        .get(app.server.url("/documents/1/tasks/6"))
        .send()
        .expect("page")
        .text()
        .expect("html");
    assert!(
        html.contains("<mark class=\"signal blocked\"") && html.contains("协调无果"),
        "{html}"
    );
    let html = sup
        .get(app.server.url("/documents/1/analysis"))
        .send()
        .expect("page")
        .text()
        .expect("html");
    assert!(
        html.contains("落实情况分析")
            && html.contains("待核实")
            && html.contains("统计期间：截至2020年10月15日，据成文日期"),
        "{html}"
    );
}

/// A small round opened after a big one hides nothing: by default the dashboard counts
/// every round still open, and a selector narrows it to one round.
#[test]
fn the_dashboard_counts_every_open_round_and_can_show_one() {
    let app = App::start(ACCOUNTS);
    let big = app.open_round();
    let sup = app.login("sup");
    let (status, small) = app.post(
        &sup,
        "/api/rounds",
        json!({"document": 1, "label": "专项调度", "due": "2030-12-20", "tasks": "7"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{small}");
    let small = small["id"].as_i64().expect("round id");
    let ldr = app.login("ldr");
    let expected = |round: i64| {
        app.get(&sup, &format!("/api/rounds/{round}")).1["round"]["reports"]
            .as_u64()
            .expect("reports")
    };
    let (big_reports, small_reports) = (expected(big), expected(small));
    assert!(big_reports > small_reports, "{big_reports} {small_reports}");
    let total = |d: &Value| {
        d["report_states"]
            .as_array()
            .expect("states")
            .iter()
            .map(|c| c["count"].as_u64().unwrap_or(0))
            .sum::<u64>()
    };
    let shown = |d: &Value| -> Vec<i64> {
        d["rounds_shown"]
            .as_array()
            .expect("shown")
            .iter()
            .filter_map(|s| s["round"]["id"].as_i64())
            .collect()
    };

    let (status, d) = app.get(&ldr, "/api/dashboard");
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(shown(&d), [small, big], "both open rounds, newest first");
    assert_eq!(total(&d), big_reports + small_reports);
    assert_eq!(d["round_label"], "正在填报的 2 个轮次");

    let (_, d) = app.get(&ldr, &format!("/api/dashboard?round={big}"));
    assert_eq!(shown(&d), [big]);
    assert_eq!(total(&d), big_reports);
    assert_eq!(d["round_label"], "1-10月");
    let fgj = unit_figures(&d, "区发改局");
    assert_eq!(fgj["reports"], 3, "{d}");

    // Closed, a round leaves the default; with none open the last one is shown.
    let (status, _) = app.post(&sup, &format!("/api/rounds/{small}/close"), json!({}));
    assert!(status.is_success());
    let (_, d) = app.get(&ldr, "/api/dashboard?round=");
    assert_eq!(shown(&d), [big]);
    let (status, _) = app.get(&ldr, "/api/dashboard?round=999999");
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The page: the selector, and each state's count linking to the round's reports.
    let (status, html) = app.page(&ldr, &format!("/dashboard?round={small}"));
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"round\""), "{html}");
    assert!(
        html.contains(&format!(
            "href=\"/rounds/{small}?state=not_started#reports\""
        )),
        "{html}"
    );
}

/// One unit's row of the dashboard's per-unit figures.
fn unit_figures(d: &Value, unit: &str) -> Value {
    d["units"]
        .as_array()
        .expect("units")
        .iter()
        .find(|u| u["unit"] == unit)
        .cloned()
        .unwrap_or_else(|| panic!("no figures for {unit}: {d}"))
}
