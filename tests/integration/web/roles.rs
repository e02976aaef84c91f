//! Every API route as every role, against the documented authorisation matrix.

use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::{Value, json};

use super::{ACCOUNTS, PDF};
use crate::integration::support::{App, Server};

/// Every API route as every role: the set of roles allowed is exactly the documented one.
#[test]
fn every_route_as_every_role() {
    let app = App::start(ACCOUNTS);
    let round = app.open_round();
    let sup = app.login("sup");
    let fgj_report = app.report_id(&sup, 1, "区发改局");
    // Two files on the unit's report: one to download, one to delete.
    let fgj = app.login("fgj.lly");
    let mut evidence = Vec::new();
    for name in ["甲.pdf", "乙.pdf"] {
        let (status, file) = app.upload_api(&fgj, fgj_report, name, PDF);
        assert_eq!(status, StatusCode::CREATED, "{file}");
        evidence.push(file["id"].as_i64().expect("attachment id"));
    }
    let roles = ["anonymous", "adm", "sup", "ldr", "fgj.lly", "fgj.fzr"];
    // (method, path, body, roles that get a 2xx)
    let routes: Vec<(&str, String, Value, &[&str])> = vec![
        (
            "GET",
            "/api/assignments".into(),
            Value::Null,
            &["adm", "sup", "ldr", "fgj.lly", "fgj.fzr"],
        ),
        (
            "GET",
            "/api/lapses".into(),
            Value::Null,
            &["adm", "sup", "ldr"],
        ),
        (
            "GET",
            "/api/dashboard".into(),
            Value::Null,
            &["adm", "sup", "ldr"],
        ),
        (
            "GET",
            "/api/dashboard/rankings".into(),
            Value::Null,
            &["adm", "sup", "ldr"],
        ),
        (
            "GET",
            "/api/oversight".into(),
            Value::Null,
            &["adm", "sup", "ldr"],
        ),
        (
            "POST",
            "/api/oversight/steps".into(),
            json!({"unit": "区发改局", "level": 1, "reason": "逾期未报送"}),
            &["adm", "sup"],
        ),
        (
            "POST",
            "/api/oversight/ladder".into(),
            json!({"steps": ["提醒", "通报点名", "约谈", "挂牌督办"], "lapses": 2, "within": 3}),
            &["adm", "sup"],
        ),
        (
            "POST",
            "/api/oversight/apply".into(),
            Value::Null,
            &["adm", "sup"],
        ),
        (
            "POST",
            "/api/documents/1/assign".into(),
            json!({"ack_due": "2020-11-01"}),
            &["adm", "sup"],
        ),
        // Roles run in order: once the reporter has acknowledged or claimed, the unit head
        // meets a task already acknowledged or claimed (a 409/422, not a 2xx).
        (
            "POST",
            "/api/documents/1/tasks/4/acknowledge".into(),
            Value::Null,
            &["fgj.lly"],
        ),
        (
            "POST",
            "/api/documents/1/tasks/5/actions".into(),
            json!({"action": "claim_done", "comment": "已完成"}),
            &["fgj.lly"],
        ),
        (
            "GET",
            "/api/me".into(),
            Value::Null,
            &["adm", "sup", "ldr", "fgj.lly", "fgj.fzr"],
        ),
        (
            "GET",
            "/api/documents".into(),
            Value::Null,
            &["adm", "sup", "ldr"],
        ),
        (
            "GET",
            "/api/tasks".into(),
            Value::Null,
            &["adm", "sup", "ldr"],
        ),
        (
            "GET",
            "/api/documents/1/tasks/1".into(),
            Value::Null,
            &["adm", "sup", "ldr", "fgj.lly", "fgj.fzr"],
        ),
        (
            "GET",
            "/api/documents/1/tasks/17".into(),
            Value::Null,
            &["adm", "sup", "ldr"],
        ),
        (
            "GET",
            "/api/rounds".into(),
            Value::Null,
            &["adm", "sup", "ldr"],
        ),
        (
            "GET",
            format!("/api/rounds/{round}"),
            Value::Null,
            &["adm", "sup", "ldr"],
        ),
        (
            "GET",
            "/api/reports".into(),
            Value::Null,
            &["adm", "sup", "ldr", "fgj.lly", "fgj.fzr"],
        ),
        (
            "GET",
            "/api/reports/review".into(),
            Value::Null,
            &["adm", "sup", "fgj.fzr"],
        ),
        (
            "GET",
            "/api/reports/mine".into(),
            Value::Null,
            &["fgj.lly", "fgj.fzr"],
        ),
        (
            "GET",
            format!("/api/reports/{fgj_report}"),
            Value::Null,
            &["adm", "sup", "ldr", "fgj.lly", "fgj.fzr"],
        ),
        (
            "POST",
            "/api/rounds".into(),
            json!({"document": 1, "label": "矩阵", "due": "2020-12-01", "tasks": "30"}),
            &["adm", "sup"],
        ),
        (
            "POST",
            format!("/api/reports/{fgj_report}/actions"),
            json!({"action": "save_draft", "text": "草稿"}),
            &["fgj.lly"],
        ),
        (
            "GET",
            format!("/api/reports/{fgj_report}/attachments"),
            Value::Null,
            &["adm", "sup", "ldr", "fgj.lly", "fgj.fzr"],
        ),
        // UPLOAD: a POST of a small PDF as multipart/form-data.
        (
            "UPLOAD",
            format!("/api/reports/{fgj_report}/attachments"),
            Value::Null,
            &["fgj.lly"],
        ),
        // The report is a draft: its files stay inside the unit (404 to the office
        // and leaders until the unit head signs it off).
        (
            "GET",
            format!("/api/attachments/{}", evidence[0]),
            Value::Null,
            &["fgj.lly", "fgj.fzr"],
        ),
        // Once the reporter has deleted it, the unit head meets a file not found.
        (
            "DELETE",
            format!("/api/attachments/{}", evidence[1]),
            Value::Null,
            &["fgj.lly"],
        ),
        (
            "POST",
            format!("/api/rounds/{round}/close"),
            Value::Null,
            &["adm", "sup"],
        ),
        // Sources and decomposition: adm creates source 1 and draft 2 (sup source 2,
        // draft 3); the seed is document 1.
        (
            "POST",
            "/api/sources".into(),
            json!({"kind": "instruction", "title": "矩阵批示", "leader": "区长"}),
            &["adm", "sup"],
        ),
        (
            "GET",
            "/api/sources".into(),
            Value::Null,
            &["adm", "sup", "ldr"],
        ),
        (
            "GET",
            "/api/sources/1".into(),
            Value::Null,
            &["adm", "sup", "ldr"],
        ),
        (
            "POST",
            "/api/sources/1".into(),
            json!({"kind": "instruction", "title": "矩阵批示（修改）", "leader": "区长"}),
            &["adm", "sup"],
        ),
        (
            "POST",
            "/api/sources/1/decompositions".into(),
            json!({"issuer": "泉州市鲤城区人民政府办公室"}),
            &["adm", "sup"],
        ),
        (
            "GET",
            "/api/decompositions/2".into(),
            Value::Null,
            &["adm", "sup", "ldr"],
        ),
        (
            "POST",
            "/api/decompositions/2".into(),
            json!({"issuer": "泉州市鲤城区人民政府办公室", "title": "矩阵通知",
                   "recipients": ["各街道办事处"], "disclosure": "主动公开"}),
            &["adm", "sup"],
        ),
        (
            "POST",
            "/api/decompositions/2/tasks".into(),
            json!({"tasks": [{"content": "矩阵任务", "lead_units": ["区发改局"]}]}),
            &["adm", "sup"],
        ),
        (
            "POST",
            "/api/decompositions/2/tasks/1".into(),
            json!({"content": "矩阵任务（修改）", "lead_units": ["区发改局"]}),
            &["adm", "sup"],
        ),
        (
            "POST",
            "/api/decompositions/2/tasks/2/move".into(),
            json!({"to": 1}),
            &["adm", "sup"],
        ),
        // adm removes task 2 (sup then meets a task not found).
        (
            "DELETE",
            "/api/decompositions/2/tasks/2".into(),
            Value::Null,
            &["adm"],
        ),
        (
            "GET",
            "/api/decompositions/2/file/docx".into(),
            Value::Null,
            &["adm", "sup", "ldr"],
        ),
        (
            "POST",
            "/api/documents/1/source".into(),
            json!({"source": 1}),
            &["adm", "sup"],
        ),
        // adm issues draft 2 (sup then meets an issued notice: 409).
        (
            "POST",
            "/api/decompositions/2/issue".into(),
            json!({"doc_number": "泉鲤政办〔2020〕44号", "date": "2020-05-06"}),
            &["adm"],
        ),
        // adm deletes draft 3 (sup then meets a document not found).
        (
            "DELETE",
            "/api/decompositions/3".into(),
            Value::Null,
            &["adm"],
        ),
        // Schedules: the office writes, leaders read. Roles run in order: the admin's
        // schedule is 1, the supervisor's 2; once the admin has deleted 2, it is gone.
        (
            "POST",
            "/api/schedules".into(),
            json!({"document": 1, "cadence": "monthly", "lead_days": 5, "due_days": 5}),
            &["adm", "sup"],
        ),
        (
            "GET",
            "/api/schedules".into(),
            Value::Null,
            &["adm", "sup", "ldr"],
        ),
        (
            "GET",
            "/api/schedules/1".into(),
            Value::Null,
            &["adm", "sup", "ldr"],
        ),
        (
            "POST",
            "/api/schedules/1/pause".into(),
            Value::Null,
            &["adm", "sup"],
        ),
        (
            "POST",
            "/api/schedules/1/resume".into(),
            Value::Null,
            &["adm", "sup"],
        ),
        (
            "POST",
            "/api/schedules/run".into(),
            Value::Null,
            &["adm", "sup"],
        ),
        ("DELETE", "/api/schedules/2".into(), Value::Null, &["adm"]),
    ];
    let clients: Vec<(&str, Client)> = roles
        .iter()
        .map(|role| {
            (
                *role,
                if *role == "anonymous" {
                    Server::client()
                } else {
                    app.login(role)
                },
            )
        })
        .collect();
    for (method, path, body, allowed) in &routes {
        for (role, client) in &clients {
            let role = *role;
            let (status, response) = match *method {
                "GET" => app.get(client, path),
                "DELETE" => app.delete(client, path),
                "UPLOAD" => app.upload_api(client, fgj_report, "矩阵.pdf", PDF),
                _ => app.post(client, path, body.clone()),
            };
            let expected = allowed.contains(&role);
            assert_eq!(
                status.is_success(),
                expected,
                "{method} {path} as {role}: {status} {response}"
            );
            if !expected {
                let want: &[u16] = if role == "anonymous" {
                    &[401]
                } else {
                    &[403, 404, 409, 422]
                };
                assert!(
                    want.contains(&status.as_u16()),
                    "{method} {path} as {role}: {status}"
                );
            }
        }
    }
}
