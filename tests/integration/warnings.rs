//! 预警 (红黄绿灯) over HTTP on the seed: every open task has one light, the editor's
//! preview counts are what saving then colours, a refused rule set says what to fix and
//! changes nothing, and only the office edits the rules.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::support::App;

const ACCOUNTS: &[(&str, &str, Option<&str>)] = &[
    ("sup", "supervisor", None),
    ("ldr", "leader", None),
    ("fgj.lly", "reporter", Some("区发改局")),
];

fn counts(lights: &Value) -> Vec<u64> {
    lights
        .as_array()
        .expect("lights")
        .iter()
        .map(|l| l["count"].as_u64().expect("count"))
        .collect()
}

#[test]
fn every_open_task_has_one_light_and_the_preview_is_what_saving_colours() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");
    let (status, w) = app.get(&sup, "/api/warnings");
    assert_eq!(status, StatusCode::OK, "{w}");
    let names: Vec<&str> = w["lights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["绿灯", "蓝灯", "黄灯", "红灯"]);
    let tasks = w["tasks"].as_array().unwrap();
    let total: u64 = counts(&w["lights"]).iter().sum();
    assert_eq!(total as usize, tasks.len());
    let (_, list) = app.get(&sup, "/api/tasks?per_page=500");
    assert_eq!(
        total + w["closed"].as_u64().unwrap(),
        list["total"].as_u64().unwrap(),
        "every listed task is lit or closed"
    );
    for t in tasks {
        let light = t["light"].as_u64().unwrap();
        assert_eq!(t["light_name"], names[light as usize]);
        assert_eq!(
            light == 0,
            t["reasons"].as_array().unwrap().is_empty(),
            "a light above the mildest says why: {t}"
        );
    }
    // Most severe first.
    let order: Vec<u64> = tasks.iter().map(|t| t["light"].as_u64().unwrap()).collect();
    assert!(order.windows(2).all(|p| p[0] >= p[1]), "{order:?}");

    // A three-colour office: every task with an end date within a year is 黄色, overdue 红色.
    let rules = json!({
        "lights": [
            {"name": "蓝色", "colour": "#1565c0"},
            {"name": "黄色", "colour": "#F9A825"},
            {"name": "红色", "colour": "#C62828"}
        ],
        "rules": [
            {"when": "due_within", "days": 365, "light": "黄色"},
            {"when": "overdue", "light": "红色"},
            {"when": "blocked", "light": "红色"}
        ]
    });
    let (status, preview) = app.post(&sup, "/api/settings/warnings/preview", rules.clone());
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(counts(&preview["current"]), counts(&w["lights"]));
    assert_eq!(preview["rules"]["lights"][0]["colour"], "#1565C0");
    let proposed = counts(&preview["proposed"]);
    assert_eq!(proposed.iter().sum::<u64>(), total);
    let (_, still) = app.get(&sup, "/api/warnings");
    assert_eq!(
        still["lights"][0]["name"], "绿灯",
        "a preview saves nothing"
    );

    let (_, dashboard) = app.get(&sup, "/api/dashboard");
    assert_eq!(
        dashboard["warnings"], w["lights"],
        "the dashboard counts the same lights"
    );
    let (status, saved) = app.post(&sup, "/api/settings/warnings", rules);
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, dashboard) = app.get(&sup, "/api/dashboard");
    assert_eq!(
        dashboard["warnings"][2]["name"], "红色",
        "the cached dashboard moved with the saved rules"
    );
    let (_, after) = app.get(&sup, "/api/warnings");
    assert_eq!(
        counts(&after["lights"]),
        proposed,
        "the preview was what saving colours"
    );
    let (_, red) = app.get(&sup, "/api/warnings?light=红色");
    assert_eq!(red["tasks"].as_array().unwrap().len() as u64, proposed[2]);
    assert_eq!(red["shown"], "红色");

    // A refused set says which rule to fix and changes nothing.
    let (status, refused) = app.post(
        &sup,
        "/api/settings/warnings",
        json!({"lights": [{"name": "绿灯", "colour": "#2E7D32"}, {"name": "红灯", "colour": "red"}], "rules": []}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused["error"].as_str().unwrap().contains("红灯"),
        "{refused}"
    );
    let (status, refused) = app.post(
        &sup,
        "/api/settings/warnings",
        json!({"lights": [{"name": "绿灯", "colour": "#2E7D32"}, {"name": "红灯", "colour": "#C62828"}],
               "rules": [{"when": "overdue", "light": "紫灯"}]}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused["error"].as_str().unwrap().contains("第 1 条规则"),
        "{refused}"
    );
    let (_, rules_now) = app.get(&sup, "/api/settings/warnings");
    assert_eq!(rules_now["lights"][0]["name"], "蓝色");
    let (status, _) = app.get(&sup, "/api/warnings?light=紫灯");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[test]
fn leaders_read_the_lights_only_the_office_sets_the_rules_units_see_neither() {
    let app = App::start(ACCOUNTS);
    let ldr = app.login("ldr");
    assert_eq!(app.get(&ldr, "/api/warnings").0, StatusCode::OK);
    assert_eq!(
        app.get(&ldr, "/api/settings/warnings").0,
        StatusCode::FORBIDDEN
    );
    let (status, _) = app.post(
        &ldr,
        "/api/settings/warnings",
        json!({"lights": [], "rules": []}),
    );
    assert_eq!(status, StatusCode::FORBIDDEN);
    let reporter = app.login("fgj.lly");
    assert_eq!(app.get(&reporter, "/api/warnings").0, StatusCode::FORBIDDEN);
    assert_eq!(
        app.post(
            &reporter,
            "/api/settings/warnings/preview",
            json!({"lights": [], "rules": []})
        )
        .0,
        StatusCode::FORBIDDEN
    );
}

#[test]
fn the_pages_show_the_lights_and_the_editor_keeps_what_was_typed() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");
    let (status, page) = app.page(&sup, "/warnings");
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("预警（红黄绿灯）") && page.contains("class=\"light light-"),
        "{page}"
    );
    let (_, css) = app.page(&sup, "/warnings.css");
    assert!(css.contains(".light-3{background-color:#C62828"), "{css}");
    let (_, tasks) = app.page(&sup, "/tasks");
    assert!(
        tasks.contains("<th scope=\"col\">预警</th>") && tasks.contains("class=\"light light-")
    );
    let (_, task) = app.page(&sup, "/documents/1/tasks/1");
    assert!(task.contains("预警："), "{task}");
    let (_, dashboard) = app.page(&sup, "/dashboard");
    assert!(dashboard.contains("id=\"warnings-title\""));

    let form = |action: &'static str, second: &'static str| {
        vec![
            ("light_name", "绿灯"),
            ("light_colour", "#2E7D32"),
            ("light_name", second),
            ("light_colour", "#C62828"),
            ("rule_when", "due_within"),
            ("rule_n", "30"),
            ("rule_light", second),
            ("action", action),
        ]
    };
    let (status, preview) = app.form(&sup, "/settings/warnings", &form("preview", "红灯"));
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert!(
        preview.contains("预览") && preview.contains("尚未保存"),
        "{preview}"
    );
    // Refused (the rule names a light the set does not have after a typo): the form
    // comes back with the reason and what was typed.
    let mut typo = form("save", "红灯");
    typo[6] = ("rule_light", "红丁");
    let (status, refused) = app.form(&sup, "/settings/warnings", &typo);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.contains("红丁") && refused.contains("不存在"),
        "{refused}"
    );
    let (status, _) = app.form(&sup, "/settings/warnings", &form("save", "橙灯"));
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, saved) = app.get(&sup, "/api/settings/warnings");
    assert_eq!(saved["lights"][1]["name"], "橙灯");
    assert_eq!(saved["rules"][0]["days"], 30);
}

#[test]
fn a_supervision_sheet_downloads_as_docx_and_pdf_for_the_office() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");
    let url = "/documents/1/tasks/17/sheet/docx?requirement=%E8%AF%B7%E4%BA%8E%E6%9C%AC%E5%91%A8%E5%86%85%E5%8F%8D%E9%A6%88%E3%80%82&reply_by=2026-12-10";
    let response = sup.get(app.server.url(url)).send().expect("docx");
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.contains(".docx"), "{disposition}");
    let bytes = response.bytes().unwrap();
    let docx = docx_rs::read_docx(&bytes).expect("a DOCX Word opens");
    let text = serde_json::to_string(&docx.document).unwrap();
    for expected in [
        "督办事项",
        "承办单位",
        "办理时限",
        "请于本周内反馈。",
        "2026年12月10日",
        "中医院代征地",
    ] {
        assert!(text.contains(expected), "{expected} missing");
    }
    let response = sup
        .get(app.server.url("/documents/1/tasks/17/sheet/pdf"))
        .send()
        .expect("pdf");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.bytes().unwrap().starts_with(b"%PDF"));

    let (status, page) = app.page(&sup, "/documents/1/tasks/17/sheet/xlsx");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("docx 或 pdf"), "{page}");
    let (status, page) = app.page(
        &sup,
        "/documents/1/tasks/17/sheet/docx?reply_by=12%E6%9C%8810%E6%97%A5",
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("反馈时限"), "{page}");
    assert_eq!(
        app.page(&sup, "/documents/1/tasks/999/sheet/docx").0,
        StatusCode::NOT_FOUND
    );
    let reporter = app.login("fgj.lly");
    assert_eq!(
        app.page(&reporter, "/documents/1/tasks/17/sheet/docx").0,
        StatusCode::FORBIDDEN
    );
}

#[test]
fn the_round_notice_prints_the_lights_only_when_the_office_asks() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");
    let (status, round) = app.post(
        &sup,
        "/api/rounds",
        json!({"document": 1, "label": "1-11月", "due": "2030-11-10", "tasks": "17"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let round = round["id"].as_i64().unwrap();
    let notice = |app: &App| {
        let (status, view) = app.get(&sup, &format!("/api/rounds/{round}/notice"));
        assert_eq!(status, StatusCode::OK, "{view}");
        view["notice"]["tasks"][0].to_string()
    };
    assert!(!notice(&app).contains("预警"), "off by default");
    let mut rules = app.get(&sup, "/api/settings/warnings").1;
    rules["in_notice"] = json!(true);
    let (status, body) = app.post(&sup, "/api/settings/warnings", rules);
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, lit) = app.get(&sup, "/api/warnings");
    let light = lit["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["number"] == 17)
        .map(|t| t["light_name"].as_str().unwrap().to_string())
        .unwrap();
    let task = notice(&app);
    assert!(task.contains("预警") && task.contains(&light), "{task}");
}
