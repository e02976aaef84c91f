//! Scheduled reporting rounds against the real app: `duban serve` with a one-second
//! schedule tick, the seed and one account per role. Also the vendored htmx and the
//! pages that use it (which must keep working as plain forms).

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{Datelike, FixedOffset, NaiveDate, Utc};
use duban_domain::schedule::{Cadence, Schedule};
use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::{Value, json};

use super::support::{PASSWORD, Sandbox, Server};

/// (username, role, unit)
const ACCOUNTS: &[(&str, &str, Option<&str>)] = &[
    ("adm", "admin", None),
    ("sup", "supervisor", None),
    ("ldr", "leader", None),
    ("fgj.lly", "reporter", Some("区发改局")),
    ("fgj.fzr", "unit_head", Some("区发改局")),
];

/// `duban serve` with `DUBAN_SCHEDULE_INTERVAL=1`; everything it prints is kept.
struct App {
    _sandbox: Sandbox,
    child: Child,
    base: String,
    output: Arc<Mutex<String>>,
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl App {
    fn start() -> App {
        let sandbox = Sandbox::seeded(ACCOUNTS);
        let mut child = sandbox
            .duban()
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env_remove("DUBAN_BIND")
            .env("DUBAN_SCHEDULE_INTERVAL", "1")
            .env("DUBAN_FORCE_PASSWORD_CHANGE", "false")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start duban");
        let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        let mut base = None;
        let deadline = Instant::now() + Duration::from_secs(30);
        while base.is_none() && Instant::now() < deadline {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            if let Some(rest) = line.split("http://").nth(1) {
                base = Some(format!(
                    "http://{}",
                    rest.split('/').next().unwrap_or_default()
                ));
            }
        }
        let output = Arc::new(Mutex::new(String::new()));
        let sink = output.clone();
        std::thread::spawn(move || {
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                sink.lock().expect("output").push_str(&line);
                line.clear();
            }
        });
        App {
            _sandbox: sandbox,
            child,
            base: base.expect("server did not start"),
            output,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn login(&self, username: &str) -> Client {
        let client = Server::client();
        let response = client
            .post(self.url("/api/login"))
            .json(&json!({ "username": username, "password": PASSWORD }))
            .send()
            .expect("login");
        assert_eq!(response.status(), 200, "login as {username}");
        client
    }

    fn get(&self, client: &Client, path: &str) -> (StatusCode, Value) {
        let response = client.get(self.url(path)).send().expect("request");
        let status = response.status();
        (status, response.json().unwrap_or(Value::Null))
    }

    fn post(&self, client: &Client, path: &str, body: Value) -> (StatusCode, Value) {
        let response = client
            .post(self.url(path))
            .json(&body)
            .send()
            .expect("request");
        let status = response.status();
        (status, response.json().unwrap_or(Value::Null))
    }

    fn page(&self, client: &Client, path: &str) -> (StatusCode, String) {
        let response = client.get(self.url(path)).send().expect("page");
        let status = response.status();
        (status, response.text().unwrap_or_default())
    }

    /// Posts a form as a browser does (same origin).
    fn form(&self, client: &Client, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let response = client
            .post(self.url(path))
            .header("Sec-Fetch-Site", "same-origin")
            .form(fields)
            .send()
            .expect("form");
        let status = response.status();
        let location = response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(str::to_string);
        let body = response.text().unwrap_or_default();
        (status, location.unwrap_or(body))
    }
}

fn today() -> NaiveDate {
    let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    Utc::now().with_timezone(&china).date_naive()
}

/// A weekly schedule whose current week is due today: opens on Monday, due on Sunday.
fn this_week() -> Schedule {
    let today = today();
    Schedule {
        cadence: Cadence::Weekly,
        year: today.iso_week().year(),
        start: today.week(chrono::Weekday::Mon).first_day(),
        lead_days: 6,
        due_days: 0,
    }
}

#[test]
fn the_tick_opens_each_due_round_once() {
    let app = App::start();
    let sup = app.login("sup");
    let schedule = this_week();
    let expected = schedule.due_periods(today());
    assert_eq!(expected.len(), 1, "{expected:?}");
    let label = expected[0].label.clone();

    let (status, created) = app.post(
        &sup,
        "/api/schedules",
        json!({
            "document": 1, "cadence": "weekly", "year": schedule.year,
            "start": schedule.start, "lead_days": 6, "due_days": 0, "tasks": "1-3",
        }),
    );
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["cadence"], "weekly");
    assert_eq!(created["cadence_label"], "每周");
    assert_eq!(created["tasks"], json!([1, 2, 3]));
    assert_eq!(created["due_now"][0]["label"], label);
    let id = created["id"].as_i64().expect("id");

    // The server's own tick (every second here) opens the week's round.
    let deadline = Instant::now() + Duration::from_secs(20);
    let round = loop {
        let (_, rounds) = app.get(&sup, "/api/rounds");
        if let Some(r) = rounds
            .as_array()
            .expect("rounds")
            .iter()
            .find(|r| r["label"] == label.as_str())
        {
            break r.clone();
        }
        assert!(Instant::now() < deadline, "the tick opened no round");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(round["due"], json!(expected[0].due));
    assert_eq!(round["document"], 1);
    // Ticks go on; the round is still there once.
    std::thread::sleep(Duration::from_millis(2500));
    let (_, rounds) = app.get(&sup, "/api/rounds");
    let same: Vec<&Value> = rounds
        .as_array()
        .expect("rounds")
        .iter()
        .filter(|r| r["label"] == label.as_str())
        .collect();
    assert_eq!(same.len(), 1, "{rounds}");
    let (status, outcome) = app.post(&sup, "/api/schedules/run", Value::Null);
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(outcome["opened"], json!([]));

    let (_, schedule) = app.get(&sup, &format!("/api/schedules/{id}"));
    assert_eq!(schedule["periods"][0]["state"], "opened");
    assert_eq!(schedule["periods"][0]["round"], round["id"]);
    // The server said what it opened.
    let printed = app.output.lock().expect("output").clone();
    assert!(
        printed.contains(&format!("已开启填报轮次“{label}”")),
        "{printed}"
    );

    // Paused, resumed, deleted: the round stays.
    let (status, paused) = app.post(&sup, &format!("/api/schedules/{id}/pause"), Value::Null);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(paused["paused"], true);
    let (_, resumed) = app.post(&sup, &format!("/api/schedules/{id}/resume"), Value::Null);
    assert_eq!(resumed["paused"], false);
    let response = sup
        .delete(app.url(&format!("/api/schedules/{id}")))
        .send()
        .expect("delete");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _) = app.get(&sup, &format!("/api/schedules/{id}"));
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get(&sup, &format!("/api/rounds/{}", round["id"]));
    assert_eq!(status, StatusCode::OK);
}

#[test]
fn schedules_are_checked_and_only_the_office_writes() {
    let app = App::start();
    let sup = app.login("sup");
    for (body, expect) in [
        (
            json!({"document": 1, "cadence": "weekly", "lead_days": 7}),
            "0 至 6 天",
        ),
        (
            json!({"document": 1, "cadence": "monthly", "tasks": "999"}),
            "999",
        ),
        (
            json!({"document": 1, "cadence": "monthly", "due_days": 61}),
            "60 天",
        ),
        (json!({"document": 77, "cadence": "monthly"}), "找不到"),
    ] {
        let (status, error) = app.post(&sup, "/api/schedules", body.clone());
        assert!(status.is_client_error(), "{body}: {status}");
        let message = error["error"].as_str().unwrap_or_default();
        assert!(message.contains(expect), "{body}: {message}");
    }
    let (_, list) = app.get(&sup, "/api/schedules");
    assert_eq!(list, json!([]));

    let body = json!({"document": 1, "cadence": "quarterly", "lead_days": 10, "due_days": 5});
    let (status, created) = app.post(&sup, "/api/schedules", body.clone());
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let ldr = app.login("ldr");
    let (status, list) = app.get(&ldr, "/api/schedules");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    let (status, _) = app.post(&ldr, "/api/schedules", body.clone());
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.post(&ldr, "/api/schedules/run", Value::Null);
    assert_eq!(status, StatusCode::FORBIDDEN);
    for unit in ["fgj.lly", "fgj.fzr"] {
        let client = app.login(unit);
        let (status, _) = app.get(&client, "/api/schedules");
        assert_eq!(status, StatusCode::FORBIDDEN, "{unit}");
        let (status, _) = app.page(&client, "/schedules");
        assert_eq!(status, StatusCode::FORBIDDEN, "{unit}");
    }
    let (status, _) = app.get(&Server::client(), "/api/schedules");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[test]
fn the_schedule_page_works_as_plain_forms() {
    let app = App::start();
    let sup = app.login("sup");
    // The rounds page loads the schedule section with htmx, and links to it without.
    let (status, html) = app.page(&sup, "/rounds");
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(r#"hx-get="/schedules""#)
            && html.contains(r##"href="/schedules#schedules""##),
        "{html}"
    );
    let (status, html) = app.page(&sup, "/schedules");
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("新建定期计划") && html.contains("还没有定期计划。"));
    assert!(
        html.contains("开启新一轮填报"),
        "the rest of the rounds page is there"
    );

    // A mistake comes back on the form, with what was typed.
    let (status, html) = app.form(
        &sup,
        "/schedules",
        &[
            ("document", "1"),
            ("cadence", "weekly"),
            ("year", "2020"),
            ("start", "2020-01-01"),
            ("lead_days", "9"),
            ("due_days", "0"),
            ("tasks", "1,2"),
        ],
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("每周填报应在期末前 0 至 6 天内开启")
            && html.contains(r#"name="lead_days" type="number" min="0" max="89" value="9""#),
        "{html}"
    );

    let (status, location) = app.form(
        &sup,
        "/schedules",
        &[
            ("document", "1"),
            ("cadence", "monthly"),
            ("year", "2020"),
            ("start", "2020-01-01"),
            ("lead_days", "5"),
            ("due_days", "-2"),
            ("tasks", ""),
        ],
    );
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert_eq!(location, "/schedules#schedules");
    let (_, html) = app.page(&sup, "/schedules");
    assert!(
        html.contains("每月") && html.contains("2020年；期末前 5 天开启，期末前 2 天截止"),
        "{html}"
    );
    let (_, list) = app.get(&sup, "/api/schedules");
    let id = list[0]["id"].as_i64().expect("id");
    assert_eq!(list[0]["due_days"], -2);
    assert_eq!(list[0]["tasks"], Value::Null);

    let (status, _) = app.form(&sup, &format!("/schedules/{id}/pause"), &[]);
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = app.page(&sup, "/schedules");
    assert!(html.contains("已暂停") && html.contains(">恢复</button>"));
    let (status, _) = app.form(&sup, &format!("/schedules/{id}/resume"), &[]);
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = app.form(&sup, "/schedules/run", &[]);
    assert_eq!(status, StatusCode::SEE_OTHER);

    // A leader reads, without the forms.
    let ldr = app.login("ldr");
    let (status, html) = app.page(&ldr, "/schedules");
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("每月") && !html.contains("新建定期计划") && !html.contains(">暂停<"));
    let (status, _) = app.form(&ldr, &format!("/schedules/{id}/pause"), &[]);
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Cross-site posts are refused, like every form of the app.
    let response = sup
        .post(app.url(&format!("/schedules/{id}/delete")))
        .header("Sec-Fetch-Site", "cross-site")
        .send()
        .expect("post");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (status, _) = app.form(&sup, &format!("/schedules/{id}/delete"), &[]);
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, list) = app.get(&sup, "/api/schedules");
    assert_eq!(list, json!([]));
}

#[test]
fn htmx_is_served_from_the_binary_and_used_by_the_pages() {
    let app = App::start();
    let response = Server::client()
        .get(app.url("/static/vendor/htmx.min.js"))
        .send()
        .expect("htmx");
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(header("content-type"), "text/javascript; charset=utf-8");
    assert_eq!(header("cache-control"), "public, max-age=86400");
    let js = response.text().expect("js");
    assert!(js.starts_with("var htmx=") && js.contains(r#"version:"2."#));

    let sup = app.login("sup");
    let (_, html) = app.page(&sup, "/tasks?document=1");
    assert!(html.contains(r#"<script src="/static/vendor/htmx.min.js" defer></script>"#));
    // The filter form is a plain GET form that htmx upgrades: the table is swapped in
    // place and the address keeps the filters.
    assert!(
        html.contains(r#"<form method="get" action="/tasks" class="filters" hx-get="/tasks""#)
            && html.contains(r#"hx-push-url="true""#)
            && html.contains(r#"<div id="task-results">"#),
        "{html}"
    );
    assert!(html.contains("共 35 项"));
    // htmx may not add inline styles or evaluate code: the pages' CSP forbids both.
    assert!(html.contains(r#""includeIndicatorStyles":false,"allowEval":false"#));
    // The public pages load it too, harmlessly.
    let (status, _) = app.page(&Server::client(), "/public");
    assert_eq!(status, StatusCode::OK);
}
