//! The authorization matrix (issue 12 §2): every route the web crate serves × every
//! role, with the expected outcome, exercised against a running server. The routes are
//! read from the web crate's sources (every `.route(…)` in a feature's `routes()` or
//! `api_routes()`), so a route added without a row here fails the test, as does a row
//! for a route that no longer exists. Object-level checks follow: unit B's reporter
//! guessing unit A's report, attachment and task ids, and a leader trying to write.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use serde_json::{Value, json};

use super::support::{App, Server};

mod rows;
use rows::MATRIX;

const ACCOUNTS: &[(&str, &str, Option<&str>)] = &[
    ("fgj.lly", "reporter", Some("区发改局")),
    ("czj.lly", "reporter", Some("区财政局")),
    ("fgj.fzr", "unit_head", Some("区发改局")),
    ("ldr", "leader", None),
    ("sup", "supervisor", None),
    ("adm", "admin", None),
    ("xtgly", "system_admin", None),
    ("aqgly", "security_admin", None),
    ("sjgly", "audit_admin", None),
];

/// The matrix's roles, in its column order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum R {
    Anonymous,
    ReporterA,
    ReporterB,
    HeadA,
    Leader,
    Supervisor,
    Admin,
    SystemAdmin,
    SecurityAdmin,
    AuditAdmin,
}

const ROLES: [R; 10] = [
    R::Anonymous,
    R::ReporterA,
    R::ReporterB,
    R::HeadA,
    R::Leader,
    R::Supervisor,
    R::Admin,
    R::SystemAdmin,
    R::SecurityAdmin,
    R::AuditAdmin,
];

impl R {
    fn username(self) -> Option<&'static str> {
        match self {
            R::Anonymous => None,
            R::ReporterA => Some("fgj.lly"),
            R::ReporterB => Some("czj.lly"),
            R::HeadA => Some("fgj.fzr"),
            R::Leader => Some("ldr"),
            R::Supervisor => Some("sup"),
            R::Admin => Some("adm"),
            R::SystemAdmin => Some("xtgly"),
            R::SecurityAdmin => Some("aqgly"),
            R::AuditAdmin => Some("sjgly"),
        }
    }
}

/// Who a row allows.
#[derive(Debug, Clone, Copy)]
pub(super) enum Who {
    /// Everyone, signed in or not.
    Anyone,
    /// Any signed-in account.
    Signed,
    /// 督查室 and 管理员.
    Office,
    /// The office and leaders.
    Readers,
    /// Reporters and unit heads.
    Unit,
    /// The office and unit heads (review queues).
    Review,
    /// Every role of the work (not the three administrators).
    Work,
    /// Unit A's task or report: the readers and unit A's accounts.
    ObjectA,
    /// Acting on unit A's report or task: the office and unit A's accounts.
    ActA,
    /// Unit A's reporter alone (its report's evidence).
    ReporterA,
    /// Unit A's accounts alone (evidence not yet signed off).
    UnitA,
    SystemAdmin,
    SecurityAdmin,
    /// The system or the security administrator (the account list).
    AccountAdmins,
    /// 审计管理员 alone (the audit log).
    AuditAdmin,
}

impl Who {
    fn allows(self, role: R) -> bool {
        use R::*;
        let office = matches!(role, Supervisor | Admin);
        let readers = office || role == Leader;
        let unit = matches!(role, ReporterA | ReporterB | HeadA);
        let unit_a = matches!(role, ReporterA | HeadA);
        match self {
            Who::Anyone => true,
            Who::Signed => role != Anonymous,
            Who::Office => office,
            Who::Readers => readers,
            Who::Unit => unit,
            Who::Review => office || role == HeadA,
            Who::Work => readers || unit,
            Who::ObjectA => readers || unit_a,
            Who::ActA => office || unit_a,
            Who::ReporterA => role == ReporterA,
            Who::UnitA => unit_a,
            Who::SystemAdmin => role == SystemAdmin,
            Who::SecurityAdmin => role == SecurityAdmin,
            Who::AccountAdmins => matches!(role, SystemAdmin | SecurityAdmin),
            Who::AuditAdmin => role == AuditAdmin,
        }
    }
}

/// Every (method, path) the web crate routes, read from its sources: each `.route(`
/// inside a `fn routes()` (pages), `fn api_routes()` (under `/api`) or lib.rs's
/// `fn router` (where `/openapi.json` is the API's). A `.route(` anywhere else fails,
/// so no route escapes the list.
fn routed() -> BTreeSet<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/web/src");
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).expect("web sources") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut routes = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source");
        let mut counted = 0;
        for (kind, api) in [
            ("fn routes(", false),
            ("fn api_routes(", true),
            ("fn router(", false),
        ] {
            let Some(start) = text.find(kind) else {
                continue;
            };
            let end = text[start..]
                .find("\n}\n")
                .map_or(text.len(), |e| start + e);
            let body = &text[start..end];
            let mut rest = body;
            while let Some(at) = rest.find(".route(") {
                counted += 1;
                let call = &rest[at + ".route(".len()..];
                let mut depth = 1;
                let mut close = 0;
                for (i, c) in call.char_indices() {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    if depth == 0 {
                        close = i;
                        break;
                    }
                }
                let expr = &call[..close];
                let path = expr.split('"').nth(1).unwrap_or_else(|| {
                    panic!("{}: a route without a literal path", file.display())
                });
                let under_api = api || path == "/openapi.json";
                let full = if under_api {
                    format!("/api{path}")
                } else {
                    path.to_string()
                };
                for (method, token) in [
                    ("GET", "get("),
                    ("POST", "post("),
                    ("DELETE", "delete("),
                    ("PUT", "put("),
                    ("PATCH", "patch("),
                ] {
                    let found = expr.match_indices(token).any(|(i, _)| {
                        i == 0 || !expr[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                    });
                    if found {
                        routes.insert((method.to_string(), full.clone()));
                    }
                }
                rest = &call[close..];
            }
        }
        assert_eq!(
            counted,
            text.matches(".route(").count(),
            "{}: a .route( outside routes(), api_routes() or router()",
            file.display()
        );
    }
    routes
}

#[test]
fn every_route_has_a_row() {
    let routed = routed();
    assert!(routed.len() > 150, "{}", routed.len());
    let rows: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _)| ((*m).to_string(), (*p).to_string()))
        .collect();
    assert_eq!(rows.len(), MATRIX.len(), "a route has two rows");
    let missing: Vec<_> = routed.difference(&rows).collect();
    let stale: Vec<_> = rows.difference(&routed).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "routes without a row in the matrix: {missing:?}\nrows for no route: {stale:?}"
    );
}

/// The ids the matrix's paths are filled with.
struct Ids {
    round: i64,
    report_a: i64,
    attachment_a: i64,
    source: i64,
    draft: i64,
    schedule: i64,
    user_a: i64,
}

fn json_of(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    (status, response.json().unwrap_or(Value::Null))
}

fn upload(app: &App, client: &Client, report: i64, path_prefix: &str) -> Response {
    let boundary = "----dubanMatrix7d2";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
         filename=\"说明.txt\"\r\nContent-Type: text/plain\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice("佐证材料".as_bytes());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    client
        .post(
            app.server
                .url(&format!("{path_prefix}/reports/{report}/attachments")),
        )
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .expect("upload")
}

fn prepare(app: &App) -> Ids {
    let sup = app.login("sup");
    let (status, round) = app.post(
        &sup,
        "/api/rounds",
        json!({"document": 1, "label": "1-10月", "due": "2030-11-10", "tasks": "4"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let round = round["id"].as_i64().expect("round");
    let fgj = app.login("fgj.lly");
    let (_, mine) = app.get(&fgj, "/api/reports/mine");
    let report_a = mine
        .as_array()
        .and_then(|r| r.first())
        .and_then(|r| r["id"].as_i64())
        .unwrap_or_else(|| panic!("{mine}"));
    let (status, _) = app.post(
        &fgj,
        &format!("/api/reports/{report_a}/actions"),
        json!({"action": "save_draft", "text": "已完成项目库初稿。"}),
    );
    assert!(status.is_success());
    let (status, attachment) = json_of(upload(app, &fgj, report_a, "/api"));
    assert_eq!(status, StatusCode::CREATED, "{attachment}");
    let attachment_a = attachment["id"].as_i64().expect("attachment");
    let (status, source) = app.post(
        &sup,
        "/api/sources",
        json!({"kind": "speech", "title": "区长讲话", "date": "2020-04-20",
               "leader": "区长", "meeting": "区政府全体会议", "original": "抓紧推进。"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{source}");
    let source = source["summary"]["id"].as_i64().expect("source");
    let (status, draft) = app.post(
        &sup,
        &format!("/api/sources/{source}/decompositions"),
        json!({"issuer": "泉州市鲤城区人民政府办公室"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    let draft = draft["id"].as_i64().expect("draft");
    let (status, schedule) = app.post(
        &sup,
        "/api/schedules",
        json!({"document": 1, "cadence": "monthly", "lead_days": 7}),
    );
    assert_eq!(status, StatusCode::CREATED, "{schedule}");
    let schedule = schedule["id"].as_i64().expect("schedule");
    let (_, accounts) = app.get(&app.login("xtgly"), "/api/admin/accounts");
    let user_a = accounts
        .as_array()
        .and_then(|a| a.iter().find(|a| a["username"] == "fgj.lly"))
        .and_then(|a| a["id"].as_i64())
        .expect("user id");
    Ids {
        round,
        report_a,
        attachment_a,
        source,
        draft,
        schedule,
        user_a,
    }
}

/// The path with its ids: a report's and attachment's are unit A's, a document in the
/// decomposition editor is the draft.
fn concrete(path: &str, ids: &Ids) -> String {
    let id = if path.contains("/reports/") {
        ids.report_a
    } else if path.contains("/rounds/") {
        ids.round
    } else if path.contains("/sources/") {
        ids.source
    } else if path.contains("/schedules/") {
        ids.schedule
    } else if path.contains("/admin/accounts/") || path.contains("/audit/users/") {
        ids.user_a
    } else if path.contains("/public/") {
        1
    } else {
        999_999
    };
    let document = if path.contains("/decompositions/") {
        ids.draft
    } else {
        1
    };
    path.replace("{id}", &id.to_string())
        .replace("{document}", &document.to_string())
        .replace("{number}", "4")
        .replace("{attachment}", &ids.attachment_a.to_string())
        .replace("{format}", "docx")
        .replace("{file}", "trend.xlsx")
}

/// Whether an answer let the request through (as opposed to refusing it: 401, 403,
/// 404 for another unit's object, a redirect to the login or to a step of it, or a
/// 4xx for the body before the handler could act).
fn went_through(status: StatusCode, location: Option<&str>) -> bool {
    if status.is_redirection() {
        return !location.is_some_and(|l| l.starts_with("/login") || l.starts_with("/password"));
    }
    status.is_success()
}

fn refused(status: StatusCode, location: Option<&str>) -> bool {
    matches!(
        status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ) || (status.is_redirection() && location.is_some_and(|l| l.starts_with("/login")))
}

#[test]
fn every_route_and_role_gets_the_expected_answer() {
    let app = App::start(ACCOUNTS);
    let ids = prepare(&app);
    let clients: Vec<(R, Client)> = ROLES
        .iter()
        .map(|&r| {
            (
                r,
                match r.username() {
                    Some(u) => app.login(u),
                    None => Server::client(),
                },
            )
        })
        .collect();
    let mut cells = 0;
    let mut unexpected_successes = Vec::new();
    let mut unexpected_refusals = Vec::new();
    // Reads first, then writes (so a write that goes through changes nothing a read
    // row relies on); logging out last, each on a session of its own.
    let mut rows: Vec<&(&str, &str, Who)> = MATRIX.iter().collect();
    rows.sort_by_key(|(m, p, _)| (*m != "GET", p.ends_with("/logout")));
    for (method, path, who) in rows {
        let url = app.server.url(&concrete(path, &ids));
        for (role, client) in &clients {
            let fresh;
            let client = if path.ends_with("/logout") {
                fresh = role
                    .username()
                    .map_or_else(Server::client, |u| app.login(u));
                &fresh
            } else {
                client
            };
            let request = match *method {
                "GET" => client.get(&url),
                "POST" if path.starts_with("/api/") => client.post(&url).json(&json!({})),
                "POST" => client
                    .post(&url)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(""),
                "DELETE" => client.delete(&url),
                other => panic!("method {other}"),
            };
            let response = request.send().expect("request");
            cells += 1;
            let status = response.status();
            let location = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .map(str::to_string);
            let allowed = who.allows(*role);
            if !allowed && went_through(status, location.as_deref()) {
                unexpected_successes
                    .push(format!("{role:?} {method} {path}: {status} {location:?}"));
            }
            // A read the role may do must not be refused (a write with an empty body
            // may fail on the body first; those are checked below with real bodies).
            if allowed && *method == "GET" && refused(status, location.as_deref()) {
                unexpected_refusals
                    .push(format!("{role:?} {method} {path}: {status} {location:?}"));
            }
        }
    }
    let objects = object_checks(&app, &ids, &clients);
    cells += objects.0;
    unexpected_successes.extend(objects.1);
    println!(
        "authorization matrix: {} routes × {} roles + object checks = {cells} cells; {} unexpected successes, {} unexpected refusals",
        MATRIX.len(),
        ROLES.len(),
        unexpected_successes.len(),
        unexpected_refusals.len()
    );
    assert!(
        unexpected_successes.is_empty() && unexpected_refusals.is_empty(),
        "unexpected successes:\n{}\nunexpected refusals:\n{}",
        unexpected_successes.join("\n"),
        unexpected_refusals.join("\n")
    );
}

/// Requests with real bodies that must be refused: unit B's reporter guessing unit A's
/// ids, a leader and the three administrators writing. (count, unexpected successes)
fn object_checks(app: &App, ids: &Ids, clients: &[(R, Client)]) -> (usize, Vec<String>) {
    let client = |role: R| &clients.iter().find(|(r, _)| *r == role).expect("role").1;
    let report = ids.report_a;
    let attachment = ids.attachment_a;
    let save = json!({"action": "save_draft", "text": "冒名修改"});
    let submit = json!({"action": "submit", "text": "冒名报送"});
    let mut checks: Vec<(R, &str, String, Option<Value>)> = Vec::new();
    for role in [
        R::ReporterB,
        R::Leader,
        R::SystemAdmin,
        R::SecurityAdmin,
        R::AuditAdmin,
    ] {
        checks.extend([
            (role, "GET", format!("/api/reports/{report}"), None),
            (
                role,
                "POST",
                format!("/api/reports/{report}/actions"),
                Some(save.clone()),
            ),
            (
                role,
                "POST",
                format!("/api/reports/{report}/actions"),
                Some(submit.clone()),
            ),
            (role, "GET", format!("/api/attachments/{attachment}"), None),
            (
                role,
                "DELETE",
                format!("/api/attachments/{attachment}"),
                None,
            ),
            (role, "GET", "/api/documents/1/tasks/4".to_string(), None),
            (
                role,
                "POST",
                "/api/documents/1/tasks/4/actions".to_string(),
                Some(json!({"action": "claim_done", "comment": "已完成"})),
            ),
            (
                role,
                "POST",
                "/api/rounds".to_string(),
                Some(json!({"document": 1, "label": "冒开", "due": "2030-12-01", "tasks": "1"})),
            ),
            (
                role,
                "POST",
                "/api/sources".to_string(),
                Some(
                    json!({"kind": "speech", "title": "冒名", "date": "2020-04-20",
                            "leader": "区长", "meeting": "会议", "original": "x"}),
                ),
            ),
            (
                role,
                "POST",
                format!("/api/rounds/{}/close", ids.round),
                Some(json!({})),
            ),
        ]);
    }
    // A unit may read a 批示 on its task but never write one, in its own name or a
    // leader's: A's reporter and unit head (refused), B's reporter (not found).
    for role in [R::ReporterA, R::HeadA, R::ReporterB] {
        checks.push((
            role,
            "POST",
            "/api/documents/1/tasks/4/instructions".to_string(),
            Some(json!({"leader": "区长", "text": "冒名批示", "supervise": true})),
        ));
    }
    // The leader reads A's report and task (readers may); that is not a write.
    checks.retain(|(role, method, path, _)| {
        !(*role == R::Leader && *method == "GET" && !path.contains("/attachments/"))
    });
    let mut successes = Vec::new();
    for (role, method, path, body) in &checks {
        let url = app.server.url(path);
        let c = client(*role);
        let request = match *method {
            "GET" => c.get(&url),
            "DELETE" => c.delete(&url),
            _ => c.post(&url).json(body.as_ref().unwrap_or(&Value::Null)),
        };
        let status = request.send().expect("request").status();
        if status.is_success() {
            successes.push(format!("{role:?} {method} {path} (object check): {status}"));
        }
    }
    // B's reporter attaching to A's report, as a page form and through the API.
    let mut count = checks.len();
    for prefix in ["", "/api"] {
        let status = upload(app, client(R::ReporterB), report, prefix).status();
        count += 1;
        if status.is_success() || status.is_redirection() {
            successes.push(format!("ReporterB upload{prefix} to A's report: {status}"));
        }
    }
    // A's report is still A's draft with A's text.
    let (_, after) = app.get(client(R::ReporterA), &format!("/api/reports/{report}"));
    assert_eq!(after["summary"]["state"], "draft", "{after}");
    (count, successes)
}
