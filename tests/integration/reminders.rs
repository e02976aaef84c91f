//! Reminders (催办, issue 13.2) end to end: `duban serve` makes the automatic reminders
//! due and sends them by e-mail to a real SMTP server the test starts (Python's
//! aiosmtpd, Debian's python3-aiosmtpd), to a work-app robot's webhook (a local HTTP
//! receiver) and in the app, with read receipts; two servers on one store send each
//! once; an unreachable SMTP server is retried with backoff and the failure shown to
//! the office until the e-mail gets through.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{FixedOffset, NaiveDate, Utc};
use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::{Value, json};

use super::support::{PASSWORD, Sandbox, Server};

const ACCOUNTS: &[(&str, &str, Option<&str>)] = &[
    ("sup", "supervisor", None),
    ("fgj.lly", "reporter", Some("区发改局")),
    ("fgj.fzr", "unit_head", Some("区发改局")),
    ("czj.lly", "reporter", Some("区财政局")),
];

/// An SMTP server that writes each message it receives to `DIR` as JSON: envelope,
/// decoded headers and body.
const SMTP_SINK: &str = r#"
import email, email.policy, json, os, pathlib, signal, sys
from aiosmtpd.controller import Controller
out, port = pathlib.Path(sys.argv[1]), int(sys.argv[2])
class Sink:
    count = 0
    async def handle_DATA(self, server, session, envelope):
        Sink.count += 1
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        record = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                  "to": str(msg["to"]), "from": str(msg["from"]), "subject": str(msg["subject"]),
                  "body": msg.get_content()}
        name = f"{os.getpid()}-{Sink.count}.json"
        (out / ("." + name)).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        (out / ("." + name)).rename(out / name)
        return "250 OK"
controller = Controller(Sink(), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
signal.pause()
"#;

/// A Python with aiosmtpd: Debian's (`/usr/bin/python3`, python3-aiosmtpd) or the one
/// on `PATH`. `None` skips the test, naming the package, unless `CI` is set.
fn python_with_aiosmtpd() -> Option<&'static str> {
    let found = ["/usr/bin/python3", "python3"].into_iter().find(|python| {
        Command::new(python)
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "aiosmtpd is missing: install python3-aiosmtpd (scripts/install-test-deps.sh)"
        );
        eprintln!("skipped: aiosmtpd is missing (Debian package python3-aiosmtpd)");
    }
    found
}

struct SmtpSink {
    child: Child,
    dir: PathBuf,
}

impl SmtpSink {
    fn start(python: &str, dir: &Path, port: u16) -> SmtpSink {
        std::fs::create_dir_all(dir).expect("mail dir");
        let script = dir.with_extension("py");
        std::fs::write(&script, SMTP_SINK).expect("sink script");
        let mut child = Command::new(python)
            .arg(&script)
            .arg(dir)
            .arg(port.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start aiosmtpd");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("sink output");
        assert_eq!(line.trim(), "ready", "the SMTP server did not start");
        SmtpSink {
            child,
            dir: dir.to_path_buf(),
        }
    }

    /// Every message received so far.
    fn messages(&self) -> Vec<Value> {
        let mut found: Vec<Value> = std::fs::read_dir(&self.dir)
            .expect("mail dir")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| serde_json::from_slice(&std::fs::read(e.path()).expect("mail")).expect("json"))
            .collect();
        found.sort_by_key(|m| m["to"].as_str().unwrap_or_default().to_string());
        found
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A group robot's webhook: answers every POST as 钉钉 does and keeps the JSON bodies.
fn webhook_receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!(
        "http://{}/robot/send?access_token=test",
        listener.local_addr().expect("addr")
    );
    let received = Arc::new(Mutex::new(Vec::new()));
    let keep = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("stream"));
            let mut length = 0;
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_ok()
                && let Ok(json) = serde_json::from_slice::<Value>(&body)
            {
                keep.lock().expect("lock").push(json);
            }
            let answer = r#"{"errcode":0,"errmsg":"ok"}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    (url, received)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

fn today_in_china() -> NaiveDate {
    let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    Utc::now().with_timezone(&china).date_naive()
}

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

/// Waits until `done` holds, for at most `limit`.
fn wait_for(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Opens a round on task 1 due tomorrow: the 1-day 报送 reminder is due at once.
fn open_round_due_tomorrow(server: &Server, sup: &Client) -> (i64, NaiveDate) {
    let due = today_in_china() + chrono::Duration::days(1);
    let (status, round) = post(
        server,
        sup,
        "/api/rounds",
        json!({"document": 1, "label": "1-10月", "due": due, "tasks": "1"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{round}");
    (round["id"].as_i64().expect("round id"), due)
}

fn chinese(date: NaiveDate) -> String {
    duban_domain::reminder::chinese_date(date)
}

#[test]
fn reminders_go_out_once_by_email_webhook_and_app_from_two_servers() {
    let Some(python) = python_with_aiosmtpd() else {
        return;
    };
    let sandbox = Sandbox::seeded(ACCOUNTS);
    for (user, email) in [
        ("fgj.lly", "fgj.lly@example.gov.cn"),
        ("fgj.fzr", "fgj.fzr@example.gov.cn"),
        ("czj.lly", "czj.lly@example.gov.cn"),
    ] {
        sandbox.run(["user", "email", user, email]).ok();
    }
    let port = free_port();
    let sink = SmtpSink::start(python, &sandbox.path("mail"), port);
    let (webhook, robot) = webhook_receiver();
    let port_text = port.to_string();
    let env = [
        ("DUBAN_SCHEDULE_INTERVAL", "1"),
        ("DUBAN_SMTP_HOST", "127.0.0.1"),
        ("DUBAN_SMTP_PORT", port_text.as_str()),
        ("DUBAN_SMTP_FROM", "区政府督查室 <duchashi@example.gov.cn>"),
        ("DUBAN_WEBHOOK_URL", webhook.as_str()),
    ];
    let a = Server::start_with_env(&sandbox, &["serve"], &env);
    let b = Server::start_with_env(&sandbox, &["serve"], &env);
    let sup = a.login("sup", PASSWORD);
    let (round, due) = open_round_due_tomorrow(&a, &sup);

    // Every unit of task 1 gets one reminder; 区发改局's two accounts one e-mail each.
    let reminders = || get(&b, &sup, &format!("/api/reminders?round={round}")).1;
    wait_for(Duration::from_secs(30), "the reminders to be sent", || {
        let list = reminders();
        let deliveries: Vec<&Value> = list
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["deliveries"].as_array().into_iter().flatten())
            .filter(|d| d["channel"] != "app")
            .collect();
        !deliveries.is_empty() && deliveries.iter().all(|d| d["state"] == "sent")
    });
    // Both servers kept ticking meanwhile; give them time to send anything twice.
    std::thread::sleep(Duration::from_secs(3));
    let list = reminders();
    let list = list.as_array().expect("reminders");
    let units: Vec<&str> = list
        .iter()
        .map(|r| r["unit"].as_str().expect("unit"))
        .collect();
    assert!(units.contains(&"区发改局"), "{units:?}");
    let mut unique = units.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        unique.len(),
        units.len(),
        "one reminder per unit: {units:?}"
    );
    let fgj = list
        .iter()
        .find(|r| r["unit"] == "区发改局")
        .expect("区发改局");
    assert_eq!(fgj["kind"], "report_due");
    let subject = fgj["subject"].as_str().expect("subject");
    assert!(
        subject.starts_with("【报送提醒】")
            && subject.contains(&format!("请于{}前报送", chinese(due))),
        "{subject}"
    );

    // E-mail: once per recipient, to the right addresses, with subject and body.
    let mail = sink.messages();
    let to_fgj: Vec<&Value> = mail.iter().filter(|m| m["subject"] == subject).collect();
    let recipients: Vec<&str> = to_fgj
        .iter()
        .map(|m| m["to"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        recipients,
        ["fgj.fzr@example.gov.cn", "fgj.lly@example.gov.cn"],
        "{mail:?}"
    );
    for m in &to_fgj {
        assert_eq!(m["rcpt_tos"], json!([m["to"]]));
        assert_eq!(m["mail_from"], "duchashi@example.gov.cn");
        assert!(
            m["from"]
                .as_str()
                .is_some_and(|f| f.contains("区政府督查室")),
            "{m}"
        );
        let body = m["body"].as_str().expect("body");
        assert!(
            body.starts_with("区发改局：") && body.contains("“1-10月”填报轮次"),
            "{body}"
        );
        assert!(
            body.contains(&format!("{}（还有1天）", chinese(due))),
            "{body}"
        );
    }
    let e_mails: usize = list
        .iter()
        .flat_map(|r| r["deliveries"].as_array().into_iter().flatten())
        .filter(|d| d["channel"] == "email")
        .count();
    assert_eq!(mail.len(), e_mails, "each e-mail once: {mail:?}");
    assert!(
        list.iter()
            .flat_map(|r| r["deliveries"].as_array().into_iter().flatten())
            .filter(|d| d["channel"] != "app")
            .all(|d| d["attempts"] == 1),
        "{list:?}"
    );

    // The robot: one text message per reminder, in its format.
    let robot = robot.lock().expect("lock").clone();
    assert_eq!(robot.len(), list.len(), "{robot:?}");
    let message = robot
        .iter()
        .find(|m| {
            m["text"]["content"]
                .as_str()
                .is_some_and(|c| c.starts_with(subject))
        })
        .unwrap_or_else(|| panic!("no robot message for 区发改局: {robot:?}"));
    assert_eq!(message["msgtype"], "text");
    assert!(
        message["text"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("区发改局："))
    );

    // In the app, with read receipts the office sees.
    let reporter = b.login("fgj.lly", PASSWORD);
    let (status, inbox) = get(&a, &reporter, "/api/notifications");
    assert_eq!(status, StatusCode::OK, "{inbox}");
    assert_eq!(inbox["unread"], 1, "{inbox}");
    assert_eq!(inbox["email"], "fgj.lly@example.gov.cn");
    let notification = inbox["notifications"][0]["id"].as_i64().expect("id");
    assert_eq!(inbox["notifications"][0]["subject"], subject);
    let count = reporter
        .get(a.url("/notifications/count"))
        .send()
        .and_then(|r| r.text())
        .expect("count");
    assert!(count.contains(">1</span>"), "{count}");
    // Another unit's account cannot read or mark it.
    let other = a.login("czj.lly", PASSWORD);
    let (_, theirs) = get(&a, &other, "/api/notifications");
    assert!(
        theirs["notifications"]
            .as_array()
            .expect("notifications")
            .iter()
            .all(|n| n["id"] != notification && n["subject"] != subject),
        "{theirs}"
    );
    let (status, _) = post(
        &a,
        &other,
        &format!("/api/notifications/{notification}/read"),
        json!({}),
    );
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(get(&a, &other, "/api/reminders").0, StatusCode::FORBIDDEN);
    let (status, read) = post(
        &b,
        &reporter,
        &format!("/api/notifications/{notification}/read"),
        json!({}),
    );
    assert_eq!(
        (status, &read["read"]),
        (StatusCode::OK, &json!(1)),
        "{read}"
    );
    let list = reminders();
    let app: Vec<&Value> = list
        .as_array()
        .expect("reminders")
        .iter()
        .filter(|r| r["unit"] == "区发改局")
        .flat_map(|r| r["deliveries"].as_array().into_iter().flatten())
        .filter(|d| d["channel"] == "app")
        .collect();
    let read_by: Vec<(&str, bool)> = app
        .iter()
        .map(|d| {
            (
                d["recipient"].as_str().unwrap_or_default(),
                d["read_at"].is_string(),
            )
        })
        .collect();
    assert_eq!(read_by.len(), 2, "{app:?}");
    assert!(
        read_by.contains(&("fgj.lly", true)) && read_by.contains(&("fgj.fzr", false)),
        "{read_by:?}"
    );
    let page = sup
        .get(a.url(&format!("/reminders?round={round}")))
        .send()
        .and_then(|r| r.text())
        .expect("page");
    assert!(
        page.contains("催办记录") && page.contains(subject) && page.contains("已读"),
        "{page}"
    );

    // A manual reminder from the round page's form goes out too, once.
    let response = sup
        .post(a.url(&format!("/rounds/{round}/remind")))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!(
            "note={}",
            super::support::form_encode("请今日下班前报送")
        ))
        .send()
        .expect("remind");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    wait_for(
        Duration::from_secs(30),
        "the manual reminder's e-mails",
        || {
            sink.messages()
                .iter()
                .filter(|m| {
                    m["body"]
                        .as_str()
                        .is_some_and(|b| b.contains("督查室附言：请今日下班前报送"))
                })
                .count()
                >= 2
        },
    );
    std::thread::sleep(Duration::from_secs(2));
    let manual: Vec<Value> = sink
        .messages()
        .into_iter()
        .filter(|m| m["body"].as_str().is_some_and(|b| b.contains("督查室附言")))
        .collect();
    assert_eq!(
        manual.len(),
        mail.len(),
        "the same recipients, once each: {manual:?}"
    );
    assert!(manual.iter().all(|m| {
        m["subject"]
            .as_str()
            .is_some_and(|s| s.starts_with("【催办】"))
    }));
}

#[test]
fn an_unreachable_smtp_server_is_retried_and_the_failure_shown_until_delivered() {
    let Some(python) = python_with_aiosmtpd() else {
        return;
    };
    let sandbox = Sandbox::seeded(ACCOUNTS);
    sandbox
        .run(["user", "email", "fgj.lly", "fgj.lly@example.gov.cn"])
        .ok();
    // Nothing listens on this port yet.
    let port = free_port();
    let port_text = port.to_string();
    let server = Server::start_with_env(
        &sandbox,
        &["serve"],
        &[
            ("DUBAN_SCHEDULE_INTERVAL", "1"),
            ("DUBAN_SMTP_HOST", "127.0.0.1"),
            ("DUBAN_SMTP_PORT", port_text.as_str()),
            ("DUBAN_SMTP_FROM", "duchashi@example.gov.cn"),
        ],
    );
    let sup = server.login("sup", PASSWORD);
    let (round, _) = open_round_due_tomorrow(&server, &sup);
    let email = || -> Value {
        let (_, list) = get(&server, &sup, &format!("/api/reminders?round={round}"));
        list.as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["deliveries"].as_array().cloned().unwrap_or_default())
            .find(|d| d["channel"] == "email")
            .unwrap_or(Value::Null)
    };
    wait_for(Duration::from_secs(30), "the first attempt to fail", || {
        email()["last_error"].is_string()
    });
    let failed = email();
    assert_eq!(failed["state"], "pending", "{failed}");
    assert_eq!(failed["attempts"], 1);
    assert_eq!(failed["address"], "fgj.lly@example.gov.cn");
    let error = failed["last_error"].as_str().expect("error").to_string();
    assert!(error.contains(&format!("127.0.0.1:{port}")), "{error}");
    // Not tried again before its backoff (1 minute).
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(email()["attempts"], 1);
    let page = sup
        .get(server.url("/reminders"))
        .send()
        .and_then(|r| r.text())
        .expect("page");
    assert!(page.contains(&error) && page.contains("待发送"), "{page}");

    // The SMTP server comes up: the retry delivers it, once.
    let sink = SmtpSink::start(python, &sandbox.path("mail"), port);
    wait_for(Duration::from_secs(90), "the retry to deliver", || {
        email()["state"] == "sent"
    });
    let sent = email();
    assert_eq!(sent["attempts"], 2, "{sent}");
    assert_eq!(
        sent["last_error"],
        error.as_str(),
        "the last error is kept: {sent}"
    );
    let mail = sink.messages();
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0]["to"], "fgj.lly@example.gov.cn");
    assert!(
        mail[0]["subject"]
            .as_str()
            .is_some_and(|s| s.starts_with("【报送提醒】"))
    );
}
