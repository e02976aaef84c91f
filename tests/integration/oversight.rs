//! Escalation and the dashboard's rankings over HTTP: figures from two rounds whose
//! every count is known, ties, the ladder and steps (by the rule and by hand), the
//! tables exported to XLSX and read back, and who may do what.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::{NaiveDate, Utc};
use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::{Value, json};

use crate::integration::support::App;

const ACCOUNTS: &[(&str, &str, Option<&str>)] = &[
    ("sup", "supervisor", None),
    ("ldr", "leader", None),
    ("fgj.lly", "reporter", Some("区发改局")),
    ("fgj.fzr", "unit_head", Some("区发改局")),
    ("czj.lly", "reporter", Some("区财政局")),
];

fn open_round(app: &App, sup: &Client, label: &str, due: &str) -> i64 {
    let (status, round) = app.post(
        sup,
        "/api/rounds",
        json!({"document": 1, "label": label, "due": due, "tasks": "1-3"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{round}");
    round["id"].as_i64().expect("round id")
}

fn act(app: &App, client: &Client, round: i64, task: u64, body: Value) {
    let (_, reports) = app.get(client, &format!("/api/reports?round={round}"));
    let id = reports
        .as_array()
        .expect("reports")
        .iter()
        .find(|r| r["task"] == task)
        .and_then(|r| r["id"].as_i64())
        .unwrap_or_else(|| panic!("no report on task {task}: {reports}"));
    let (status, answer) = app.post(client, &format!("/api/reports/{id}/actions"), body);
    assert!(status.is_success(), "{answer}");
}

/// The seed's tasks 1–3: 1 led by 区发改局; 2 by 区财政局, 区工信局, 区发改局; 3 by
/// 区发改局, 区商务局, 区工信局, 区招商办. Round 1-10月 (due 2020-11-10, long past): 区发改局
/// reports task 1 now (late, 90%) and its head sends it back (its 完成进度 then no
/// longer counts for the pace); nothing else is reported. Round 1-11月 (due 2099-12-31): 区发改局 reports task 1 (50%: behind
/// the year-end pace of 100%), 区财政局 task 2 (100%), both on time.
fn two_rounds(app: &App) -> (i64, i64) {
    let sup = app.login("sup");
    let past = open_round(app, &sup, "1-10月", "2020-11-10");
    let future = open_round(app, &sup, "1-11月", "2099-12-31");
    let (fgj, fzr, czj) = (
        app.login("fgj.lly"),
        app.login("fgj.fzr"),
        app.login("czj.lly"),
    );
    act(
        app,
        &fgj,
        past,
        1,
        json!({"action": "submit", "text": "已下达指标。", "percent": "90"}),
    );
    act(
        app,
        &fzr,
        past,
        1,
        json!({"action": "send_back", "comment": "请补充数据"}),
    );
    act(
        app,
        &fgj,
        future,
        1,
        json!({"action": "submit", "text": "推进中。", "percent": "50"}),
    );
    act(
        app,
        &czj,
        future,
        2,
        json!({"action": "submit", "text": "已完成。", "percent": "100"}),
    );
    (past, future)
}

fn category<'a>(d: &'a Value, unit: &str) -> &'a Value {
    d["rankings"]["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| {
            c["units"]
                .as_array()
                .expect("units")
                .iter()
                .any(|u| u["unit"] == unit)
        })
        .unwrap_or_else(|| panic!("no category with {unit}: {d}"))
}

fn unit<'a>(d: &'a Value, name: &str) -> &'a Value {
    category(d, name)["units"]
        .as_array()
        .expect("units")
        .iter()
        .find(|u| u["unit"] == name)
        .expect("unit")
}

#[test]
fn rankings_are_counted_from_the_rounds_ranked_within_categories_and_exported() {
    let app = App::start(ACCOUNTS);
    two_rounds(&app);
    let ldr = app.login("ldr");
    let (status, d) = app.get(&ldr, "/api/dashboard/rankings");
    assert_eq!(status, StatusCode::OK, "{d}");
    let today = Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("offset"))
        .date_naive();
    let late_days = (today - NaiveDate::from_ymd_opt(2020, 11, 10).expect("date")).num_days();

    // Tasks led: as the task list counts them.
    let (_, list) = app.get(&ldr, "/api/tasks");
    let led = |name: &str| -> i64 {
        list["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .filter(|t| {
                t["lead_units"]
                    .as_array()
                    .is_some_and(|u| u.iter().any(|u| u == name))
            })
            .count() as i64
    };
    assert!(led("区发改局") >= 3);
    let fgj = unit(&d, "区发改局");
    let figures = |u: &Value| -> Vec<i64> {
        [
            "tasks_led",
            "expected",
            "on_time",
            "late",
            "missing",
            "returned",
            "judged",
            "on_pace",
        ]
        .iter()
        .map(|k| u[*k].as_i64().unwrap_or(-1))
        .collect()
    };
    assert_eq!(
        figures(fgj),
        [led("区发改局"), 6, 1, 1, 2, 1, 1, 0],
        "{fgj}"
    );
    assert_eq!(fgj["delay_days"].as_i64(), Some(late_days));
    assert_eq!(fgj["average_delay"].as_f64(), Some(late_days as f64));
    assert_eq!(fgj["on_time_rate"].as_f64(), Some(25.0));
    assert_eq!(fgj["on_pace_share"].as_f64(), Some(0.0));
    let czj = unit(&d, "区财政局");
    assert_eq!(
        figures(czj),
        [led("区财政局"), 2, 1, 0, 1, 0, 1, 1],
        "{czj}"
    );
    assert_eq!(figures(unit(&d, "区工信局"))[1..5], [4, 0, 0, 2]);

    // Within 区直部门: 区财政局 (50%) first, 区发改局 (25%) second, 区工信局, 区商务局
    // and 区招商办 (0%, nothing else to tell them apart) tied third; units with no
    // report due are not ranked.
    let c = category(&d, "区发改局");
    assert_eq!(c["label"], "区直部门");
    let ranked: Vec<(String, String)> = c["units"]
        .as_array()
        .expect("units")
        .iter()
        .filter(|u| !u["rank"].is_null())
        .map(|u| {
            (
                u["unit"].as_str().unwrap_or_default().to_string(),
                u["rank_text"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        ranked,
        [
            ("区财政局".to_string(), "第1名".to_string()),
            ("区发改局".to_string(), "第2名".to_string()),
            ("区工信局".to_string(), "第3名（并列）".to_string()),
            ("区商务局".to_string(), "第3名（并列）".to_string()),
            ("区招商办".to_string(), "第3名（并列）".to_string()),
        ]
    );

    // The trend: one point per round period, in due order.
    let rounds: Vec<(&str, Option<f64>)> = d["rankings"]["rounds"]
        .as_array()
        .expect("rounds")
        .iter()
        .map(|r| {
            (
                r["round"].as_str().unwrap_or_default(),
                r["on_time_rate"].as_f64(),
            )
        })
        .collect();
    // 1-10月: one late of eight due; 1-11月: two on time, none due yet otherwise.
    assert_eq!(rounds, [("1-10月", Some(0.0)), ("1-11月", Some(100.0))]);

    // Not yet reported in the open rounds: 区发改局 has 1-10月's three (one sent back)
    // and 1-11月's two; 区财政局 only 1-10月's.
    let open: Vec<(String, String, i64, bool)> = d["unreported"]
        .as_array()
        .expect("unreported")
        .iter()
        .filter(|u| u["unit"] == "区发改局" || u["unit"] == "区财政局")
        .map(|u| {
            (
                u["unit"].as_str().unwrap_or_default().to_string(),
                u["round"].as_str().unwrap_or_default().to_string(),
                u["reports"].as_i64().unwrap_or_default(),
                u["overdue"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        open,
        [
            ("区发改局".to_string(), "1-10月".to_string(), 3, true),
            ("区财政局".to_string(), "1-10月".to_string(), 1, true),
            ("区发改局".to_string(), "1-11月".to_string(), 2, false),
        ]
    );

    // The dashboard carries the same figures, its page the tables and their exports.
    let (_, dash) = app.get(&ldr, "/api/dashboard");
    assert_eq!(dash["rankings"]["rankings"], d["rankings"]);
    let (status, html) = app.page(&ldr, "/dashboard");
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("chart-ranking-0") && html.contains("第3名（并列）"),
        "{html}"
    );
    assert!(
        html.contains("ranking.xlsx?category=%E5%8C%BA%E7%9B%B4%E9%83%A8%E9%97%A8"),
        "{html}"
    );

    // The ranking exported: title, header, and the rows as the API has them.
    let response = ldr
        .get(
            app.server
                .url("/dashboard/tables/ranking.xlsx?category=区直部门"),
        )
        .send()
        .expect("xlsx");
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response
        .headers()
        .get("content-disposition")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        disposition.contains("attachment") && disposition.contains(".xlsx"),
        "{disposition}"
    );
    let bytes = response.bytes().expect("bytes").to_vec();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("workbook");
    let sheet = book.worksheet_range("区直部门排名").expect("sheet");
    let cell = |r: u32, c: u32| sheet.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert!(matches!(cell(0, 0), Data::String(ref s) if s.starts_with("区直部门督办落实情况排名")));
    assert_eq!(cell(2, 1), Data::String("单位".into()));
    assert_eq!(cell(2, 9), Data::String("按时报送率（%）".into()));
    assert_eq!(cell(3, 0), Data::String("第1名".into()));
    assert_eq!(cell(3, 1), Data::String("区财政局".into()));
    assert_eq!(cell(3, 9), Data::Float(50.0));
    assert_eq!(cell(4, 1), Data::String("区发改局".into()));
    assert_eq!(cell(4, 4), Data::Float(1.0), "on time");
    assert_eq!(cell(4, 6), Data::Float(2.0), "missing");
    assert_eq!(cell(4, 8), Data::Float(late_days as f64), "average delay");
    assert_eq!(cell(5, 0), Data::String("第3名（并列）".into()));
    let rows = c["units"].as_array().expect("units").len();
    assert_eq!(
        sheet.height(),
        rows + 3,
        "title, note, header and every unit"
    );

    // The trend and the unreported list export too; an unknown table or category does not.
    for file in ["trend.xlsx", "unreported.xlsx"] {
        let response = ldr
            .get(app.server.url(&format!("/dashboard/tables/{file}")))
            .send()
            .expect("xlsx");
        assert_eq!(response.status(), StatusCode::OK, "{file}");
        let mut book: Xlsx<_> =
            Xlsx::new(Cursor::new(response.bytes().expect("bytes").to_vec())).expect("workbook");
        let names = book.sheet_names();
        let sheet = book.worksheet_range(&names[0]).expect("sheet");
        assert!(sheet.height() > 3, "{file}");
    }
    let (status, _) = app.page(&ldr, "/dashboard/tables/ranking.xlsx?category=不存在");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app.page(&ldr, "/dashboard/tables/other.xlsx");
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A unit's account reads none of it.
    let fgj = app.login("fgj.lly");
    for path in ["/dashboard/tables/trend.xlsx", "/oversight"] {
        assert_eq!(app.page(&fgj, path).0, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        app.get(&fgj, "/api/dashboard/rankings").0,
        StatusCode::FORBIDDEN
    );
}

#[test]
fn the_office_escalates_units_by_rule_and_by_hand_and_leaders_read() {
    let app = App::start(ACCOUNTS);
    two_rounds(&app);
    let (sup, ldr) = (app.login("sup"), app.login("ldr"));
    let (_, o) = app.get(&ldr, "/api/oversight");
    assert_eq!(
        o["ladder"]["steps"],
        json!(["提醒", "通报点名", "约谈", "挂牌督办"])
    );
    assert_eq!(o["can_edit"], false);

    // Only 1-10月 is due: one lapsed round each, short of the default 2 in 3.
    let (status, steps) = app.post(&sup, "/api/oversight/apply", Value::Null);
    assert_eq!(status, StatusCode::OK, "{steps}");
    assert_eq!(steps, json!([]));

    // Leaders cannot change anything.
    let ladder = json!({"steps": ["提醒", "约谈", "挂牌督办"], "lapses": 1, "within": 1});
    for (path, body) in [
        ("/api/oversight/apply", Value::Null),
        ("/api/oversight/ladder", ladder.clone()),
        (
            "/api/oversight/steps",
            json!({"unit": "区发改局", "level": 1, "reason": "x"}),
        ),
    ] {
        assert_eq!(
            app.post(&ldr, path, body).0,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    // A ladder refused says what to correct.
    let (status, e) = app.post(
        &sup,
        "/api/oversight/ladder",
        json!({"steps": ["提醒"], "lapses": 3, "within": 2}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        e["error"]
            .as_str()
            .unwrap_or_default()
            .contains("不能多于统计的轮数"),
        "{e}"
    );

    // One lapsed round now moves a unit: the five with a lapse in 1-10月 go to 提醒.
    let (status, body) = app.post(&sup, "/api/oversight/ladder", ladder);
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, steps) = app.post(&sup, "/api/oversight/apply", Value::Null);
    let mut moved: Vec<&str> = steps
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["unit"].as_str().unwrap_or_default())
        .collect();
    moved.sort();
    assert_eq!(
        moved,
        ["区发改局", "区商务局", "区工信局", "区招商办", "区财政局"]
    );
    assert!(
        steps
            .as_array()
            .expect("steps")
            .iter()
            .all(|s| s["step"] == "提醒" && s["on"] == "2020-11-10" && s["automatic"] == true)
    );

    // By hand, with a reason; without one it is refused on the page with the reason.
    let (status, step) = app.post(
        &sup,
        "/api/oversight/steps",
        json!({"unit": "区发改局", "level": 3, "reason": "连续逾期，挂牌督办"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{step}");
    assert_eq!(step["step"], "挂牌督办");
    let (status, html) = app.form(
        &sup,
        "/oversight/steps",
        &[("unit", "区财政局"), ("level", "2"), ("reason", " ")],
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请填写调整督办档次的理由"), "{html}");
    let (status, _) = app.form(
        &sup,
        "/oversight/steps",
        &[("unit", "区财政局"), ("level", "0"), ("reason", "已整改")],
    );
    assert_eq!(status, StatusCode::SEE_OTHER);

    // The leader sees every unit's step and the history, without the forms.
    let (_, o) = app.get(&ldr, "/api/oversight");
    let standing = |name: &str| {
        o["units"]
            .as_array()
            .expect("units")
            .iter()
            .find(|u| u["unit"] == name)
            .map(|u| {
                (
                    u["level"].as_i64().unwrap_or(-1),
                    u["step"].as_str().unwrap_or_default().to_string(),
                )
            })
            .expect("unit")
    };
    assert_eq!(standing("区发改局"), (3, "挂牌督办".to_string()));
    assert_eq!(standing("区工信局"), (1, "提醒".to_string()));
    assert_eq!(standing("区财政局"), (0, "未升级".to_string()));
    assert_eq!(o["history"].as_array().expect("history").len(), 7);
    assert_eq!(o["history"][0]["reason"], "已整改");
    let (status, html) = app.page(&ldr, "/oversight");
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("连续逾期，挂牌督办") && !html.contains("记录调整"),
        "{html}"
    );
    let (_, html) = app.page(&sup, "/oversight");
    assert!(html.contains("记录调整") && html.contains("按升级规则评定"));
}

#[test]
fn every_server_applies_the_rule_once_a_day_by_itself() {
    use crate::integration::support::{PASSWORD, Sandbox, Server};
    let sandbox = Sandbox::seeded(ACCOUNTS);
    {
        // A round long past its due date that nobody reported on, and a ladder that
        // moves a unit after one lapsed round.
        let server = Server::start(&sandbox, &["serve"]);
        let sup = server.login("sup", PASSWORD);
        let post = |path: &str, body: Value| {
            let response = sup
                .post(server.url(path))
                .json(&body)
                .send()
                .expect("request");
            assert!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
        };
        post(
            "/api/rounds",
            json!({"document": 1, "label": "1-10月", "due": "2020-11-10", "tasks": "1-3"}),
        );
        post(
            "/api/oversight/ladder",
            json!({"steps": ["提醒", "约谈", "挂牌督办"], "lapses": 1, "within": 1}),
        );
    }
    // The next server to start applies the rule on its first tick, without a click.
    let server = Server::start(&sandbox, &["serve"]);
    let ldr = server.login("ldr", PASSWORD);
    let mut moved: Vec<String> = Vec::new();
    for _ in 0..50 {
        let o: Value = ldr
            .get(server.url("/api/oversight"))
            .send()
            .expect("oversight")
            .json()
            .expect("json");
        moved = o["history"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["automatic"] == true && s["step"] == "提醒")
            .map(|s| s["unit"].as_str().unwrap_or_default().to_string())
            .collect();
        if !moved.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    moved.sort();
    assert_eq!(
        moved,
        ["区发改局", "区商务局", "区工信局", "区招商办", "区财政局"]
    );
}
