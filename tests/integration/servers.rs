//! Several app servers on one database (issue 11): two `duban serve` processes share
//! the store (a SQLite file or a PostgreSQL database), and nothing a user sees depends
//! on which one answers. A login on one works on the other; a logout on one ends the
//! session on the other within its session cache's time; a report submitted through
//! one shows through the other at once; a scheduled round opens once, however many
//! servers tick.

use std::time::{Duration, Instant};

use chrono::{Datelike, FixedOffset, NaiveDate, Utc};
use duban_domain::schedule::{Cadence, Schedule};
use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::{Value, json};

use super::support::{PASSWORD, Sandbox, Server};

const ACCOUNTS: &[(&str, &str, Option<&str>)] = &[
    ("sup", "supervisor", None),
    ("fgj.lly", "reporter", Some("区发改局")),
];

/// How long a server trusts a session it looked up (`duban_web::auth::SESSION_CACHE_TTL`).
const SESSION_CACHE_TTL: Duration = Duration::from_secs(3);

fn get(server: &Server, client: &Client, path: &str) -> (StatusCode, Value) {
    let response = client.get(server.url(path)).send().expect("request");
    let status = response.status();
    (status, response.json().unwrap_or(Value::Null))
}

fn post(server: &Server, client: &Client, path: &str, body: Value) -> (StatusCode, Value) {
    let response = client
        .post(server.url(path))
        .json(&body)
        .send()
        .expect("request");
    let status = response.status();
    (status, response.json().unwrap_or(Value::Null))
}

/// The state of `report`'s cell on the first page of document 1's task list, as `server`
/// shows it.
fn state_on_task_list(server: &Server, client: &Client, report: i64) -> String {
    let (status, list) = get(server, client, "/api/tasks?document=1");
    assert_eq!(status, StatusCode::OK, "{list}");
    list["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .flat_map(|row| row["reports"].as_array().cloned().unwrap_or_default())
        .find(|cell| cell["id"] == report)
        .and_then(|cell| cell["state"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("report {report} is not on the page: {list}"))
}

fn today_in_china() -> NaiveDate {
    let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    Utc::now().with_timezone(&china).date_naive()
}

#[test]
fn two_servers_on_one_database_act_as_one() {
    let sandbox = Sandbox::seeded(ACCOUNTS);
    // Both tick every second, so both try to open every due round.
    let tick = [("DUBAN_SCHEDULE_INTERVAL", "1")];
    let a = Server::start_with_env(&sandbox, &["serve"], &tick);
    let b = Server::start_with_env(&sandbox, &["serve"], &tick);

    // A login on one works on the other (cookies go to either port of 127.0.0.1).
    let reporter = a.login("fgj.lly", PASSWORD);
    let (status, me) = get(&b, &reporter, "/api/me");
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["username"], "fgj.lly");
    let sup = b.login("sup", PASSWORD);
    assert_eq!(get(&a, &sup, "/api/me").0, StatusCode::OK);

    // A report submitted through one shows through the other at once, though the other
    // had the page cached.
    let (status, round) = post(
        &a,
        &sup,
        "/api/rounds",
        json!({"document": 1, "label": "1-10月", "due": "2030-11-10", "tasks": "1-3"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let round = round["id"].as_i64().expect("round id");
    let (_, mine) = get(&b, &reporter, "/api/reports/mine");
    let report = mine
        .as_array()
        .expect("mine")
        .iter()
        .find(|r| r["round"] == round && r["task"] == 1)
        .and_then(|r| r["id"].as_i64())
        .unwrap_or_else(|| panic!("no report on task 1 in round {round}: {mine}"));
    assert_eq!(state_on_task_list(&b, &sup, report), "not_started");
    assert_eq!(state_on_task_list(&b, &sup, report), "not_started");
    let (status, body) = post(
        &a,
        &reporter,
        &format!("/api/reports/{report}/actions"),
        json!({"action": "submit", "text": "已分解下达年度指标。"}),
    );
    assert_eq!(
        (status, &body["state"]),
        (StatusCode::OK, &json!("submitted"))
    );
    assert_eq!(state_on_task_list(&b, &sup, report), "submitted");
    let (_, detail) = get(&b, &sup, &format!("/api/reports/{report}"));
    assert_eq!(detail["summary"]["state"], "submitted", "{detail}");
    let (_, summary) = get(&b, &sup, &format!("/api/rounds/{round}"));
    assert_eq!(summary["round"]["reported"], 1, "{summary}");

    // A scheduled round opens once, though both servers tick every second: the week's
    // round of a weekly schedule due today.
    let today = today_in_china();
    let schedule = Schedule {
        cadence: Cadence::Weekly,
        year: today.iso_week().year(),
        start: today.week(chrono::Weekday::Mon).first_day(),
        lead_days: 6,
        due_days: 0,
    };
    let due = schedule.due_periods(today);
    assert_eq!(due.len(), 1, "{due:?}");
    let label = due[0].label.clone();
    let (status, created) = post(
        &b,
        &sup,
        "/api/schedules",
        json!({
            "document": 1, "cadence": "weekly", "year": schedule.year,
            "start": schedule.start, "lead_days": 6, "due_days": 0, "tasks": "1-3",
        }),
    );
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let rounds_named = |server: &Server| -> usize {
        let (_, rounds) = get(server, &sup, "/api/rounds");
        rounds
            .as_array()
            .expect("rounds")
            .iter()
            .filter(|r| r["label"] == label.as_str())
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while rounds_named(&a) == 0 {
        assert!(Instant::now() < deadline, "neither server opened the round");
        std::thread::sleep(Duration::from_millis(200));
    }
    // Several more ticks on each.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(rounds_named(&a), 1, "one round for the week");
    assert_eq!(rounds_named(&b), 1, "one round for the week");

    // A logout on one ends the session on the other within the session cache's time
    // (the other looked the session up a moment ago, so it is cached there).
    assert_eq!(get(&b, &reporter, "/api/me").0, StatusCode::OK);
    let (status, _) = post(&a, &reporter, "/api/logout", json!({}));
    assert!(status.is_success(), "{status}");
    let logged_out = Instant::now();
    assert_eq!(get(&a, &reporter, "/api/me").0, StatusCode::UNAUTHORIZED);
    while get(&b, &reporter, "/api/me").0 != StatusCode::UNAUTHORIZED {
        assert!(
            logged_out.elapsed() < SESSION_CACHE_TTL + Duration::from_secs(2),
            "the other server still accepts the session {:?} after the logout",
            logged_out.elapsed()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
