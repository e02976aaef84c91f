//! The review loop through the API, and units kept apart.

use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::{Value, json};

use super::ACCOUNTS;
use crate::integration::support::App;

#[test]
fn the_review_loop_through_the_api() {
    let app = App::start(ACCOUNTS);
    let round = app.open_round();
    let reporter = app.login("fgj.lly");
    let head = app.login("fgj.fzr");
    let sup = app.login("sup");
    let (_, mine) = app.get(&reporter, "/api/reports/mine");
    let tasks: Vec<u64> = mine
        .as_array()
        .expect("mine")
        .iter()
        .filter_map(|r| r["task"].as_u64())
        .collect();
    assert_eq!(tasks, [1, 2, 3], "区发改局 leads tasks 1, 2 and 3");
    let id = app.report_id(&reporter, 1, "区发改局");
    let act = |client: &Client, body: Value| {
        app.post(client, &format!("/api/reports/{id}/actions"), body)
    };

    // A percent outside 0–100 is refused with the value, and nothing is saved.
    for bad in ["101", "八十"] {
        let (status, body) = act(
            &reporter,
            json!({"action": "save_draft", "text": "不应保存", "percent": bad}),
        );
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let error = body["error"].as_str().unwrap_or_default();
        assert!(error.contains(bad) && error.contains("0 至 100"), "{body}");
    }
    let (_, report) = app.get(&reporter, &format!("/api/reports/{id}"));
    assert_eq!(report["summary"]["state"], "not_started", "{report}");
    let (status, body) = act(
        &reporter,
        json!({"action": "save_draft", "text": "**区发改局：**已分解下达<script>x</script>指标。", "percent": "80"}),
    );
    assert_eq!(
        (status, &body["state"]),
        (StatusCode::OK, &json!("draft")),
        "{body}"
    );
    assert_eq!(
        act(&reporter, json!({"action": "submit"})).1["state"],
        "submitted"
    );
    // The office cannot accept before the unit head signs off.
    let (status, body) = act(&sup, json!({"action": "accept"}));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("待单位审核"),
        "{body}"
    );
    assert_eq!(
        act(&head, json!({"action": "approve"})).1["state"],
        "unit_approved"
    );
    // Returning needs a reason.
    assert_eq!(
        act(&sup, json!({"action": "return"})).0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        act(
            &sup,
            json!({"action": "return", "comment": "请补充下达的具体指标"})
        )
        .1["state"],
        "returned"
    );
    let page = reporter
        .get(app.server.url(&format!("/reports/{id}")))
        .send()
        .expect("page")
        .text()
        .expect("html");
    assert!(
        page.contains("已退回，请修改后重新提交") && page.contains("请补充下达的具体指标"),
        "{page}"
    );
    assert_eq!(
        act(
            &reporter,
            json!({"action": "submit", "text": "已分解下达 GDP 增长 2.5% 等指标。"})
        )
        .1["state"],
        "submitted"
    );
    assert_eq!(
        act(&head, json!({"action": "approve"})).1["state"],
        "unit_approved"
    );
    assert_eq!(
        act(&sup, json!({"action": "accept"})).1["state"],
        "accepted"
    );

    let (_, detail) = app.get(&sup, &format!("/api/reports/{id}"));
    let actions: Vec<&str> = detail["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "save_draft",
            "submit",
            "approve",
            "return",
            "submit",
            "approve",
            "accept"
        ]
    );
    assert_eq!(detail["events"][3]["comment"], "请补充下达的具体指标");
    assert_eq!(detail["events"][3]["actor_role"], "supervisor");
    assert_eq!(
        detail["text"]["paragraphs"][0]["runs"][0]["text"],
        "已分解下达 GDP 增长 2.5% 等指标。"
    );
    // The previous text to compare with is the notice's own progress for task 1.
    assert!(detail["previous"][1]["paragraphs"].is_array(), "{detail}");

    // The task's current 落实情况 is now this accepted report, labelled by unit and round.
    let (_, task) = app.get(&sup, "/api/documents/1/tasks/1");
    let current = task["current"].as_array().expect("current");
    assert_eq!(current.len(), 1, "{task}");
    assert_eq!(current[0]["unit"], "区发改局");
    assert_eq!(current[0]["text"], "已分解下达 GDP 增长 2.5% 等指标。");
    assert_eq!(current[0]["report"], json!(id));
    assert_ne!(
        current[0]["round_label"], "截至2020年10月15日",
        "not the notice's own"
    );
    let (_, page) = app.page(&sup, "/documents/1/tasks/1");
    assert!(page.contains("当前落实情况") && page.contains("已分解下达 GDP 增长 2.5% 等指标。"));
    // Task 2: nothing accepted in the new round, so each unit's part of the notice's
    // own progress (the imported round) stands.
    let (_, other) = app.get(&sup, "/api/documents/1/tasks/2");
    let current = other["current"].as_array().expect("current");
    assert!(!current.is_empty(), "{other}");
    assert!(
        current
            .iter()
            .all(|c| c["round_label"] == "截至2020年10月15日"),
        "{other}"
    );

    let (_, summary) = app.get(&sup, &format!("/api/rounds/{round}"));
    assert_eq!(summary["round"]["accepted"], 1);
    let not_reported: Vec<&str> = summary["not_reported"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|u| u["unit"].as_str())
        .collect();
    assert!(
        not_reported.contains(&"区财政局") && not_reported.contains(&"区发改局"),
        "{summary}"
    );
}

#[test]
fn a_unit_never_sees_another_units_report() {
    let app = App::start(ACCOUNTS);
    app.open_round();
    let fgj = app.login("fgj.lly");
    let czj = app.login("czj.lly");
    let sup = app.login("sup");
    let theirs = app.report_id(&sup, 2, "区财政局");
    let (status, body) = app.get(&fgj, &format!("/api/reports/{theirs}"));
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body.get("summary").is_none());
    let (status, _) = app.post(
        &fgj,
        &format!("/api/reports/{theirs}/actions"),
        json!({"action": "save_draft", "text": "篡改"}),
    );
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, detail) = app.get(&czj, &format!("/api/reports/{theirs}"));
    assert_eq!(detail["summary"]["state"], "not_started", "untouched");
    // Listing is scoped to the unit whatever the query says.
    let (_, listed) = app.get(&fgj, "/api/reports?unit=区财政局");
    assert!(
        listed
            .as_array()
            .expect("list")
            .iter()
            .all(|r| r["unit"] == "区发改局"),
        "{listed}"
    );
    // Task pages: only tasks the unit is on.
    assert_eq!(app.get(&fgj, "/api/documents/1/tasks/1").0, StatusCode::OK);
    assert_eq!(
        app.get(&fgj, "/api/documents/1/tasks/17").0,
        StatusCode::NOT_FOUND
    );
}

/// A returned report in a round that was then closed is read-only, says so, and a
/// refused submission keeps every word the reporter typed on the page.
#[test]
fn a_closed_round_s_report_is_read_only_and_typed_text_is_never_lost() {
    let app = App::start(ACCOUNTS);
    let round = app.open_round();
    let (reporter, head, sup) = (app.login("fgj.lly"), app.login("fgj.fzr"), app.login("sup"));
    let id = app.report_id(&reporter, 1, "区发改局");
    let act = |client: &Client, body: Value| {
        let (status, answer) = app.post(client, &format!("/api/reports/{id}/actions"), body);
        assert!(status.is_success(), "{answer}");
    };
    act(
        &reporter,
        json!({"action": "submit", "text": "已分解下达指标。"}),
    );
    act(&head, json!({"action": "approve"}));
    act(
        &sup,
        json!({"action": "return", "comment": "请补充各街道数字"}),
    );
    let (status, closed) = app.post(&sup, &format!("/api/rounds/{round}/close"), json!({}));
    assert!(status.is_success(), "{closed}");

    let (status, page) = app.page(&reporter, &format!("/reports/{id}"));
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("本轮填报已关闭"), "{page}");
    assert!(
        !page.contains("name=\"text\""),
        "no editor on a closed round"
    );
    assert!(!page.contains("请修改后重新提交"), "{page}");

    // A submission from a page opened before the round closed: refused, text kept.
    let typed = "已分解下达指标，其中开元街道3.1%、海滨街道2.8%。";
    let (status, page) = app.form(
        &reporter,
        &format!("/reports/{id}"),
        &[
            ("action", "submit"),
            ("seen_state", "returned"),
            ("text", typed),
            ("percent", "60"),
        ],
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains(typed),
        "the typed text is on the page:\n{page}"
    );
    assert!(page.contains("未保存"), "{page}");
}

/// "与上一轮相比" compares a unit's report with that unit's own part of the previous
/// cell (the imported notice's cell cut by unit), not with the whole five-unit cell.
#[test]
fn a_report_is_compared_with_its_own_unit_s_previous_part() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");
    let (status, round) = app.post(
        &sup,
        "/api/rounds",
        json!({"document": 1, "label": "1-11月", "due": "2020-12-10", "tasks": "20"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let reporter = app.login("fgj.lly");
    let id = app.report_id(&reporter, 20, "区发改局");
    let (_, report) = app.get(&reporter, &format!("/api/reports/{id}"));
    let previous = report["previous"][1]["paragraphs"].to_string();
    assert!(
        previous.contains("区发改局：") && previous.contains("生态文明建设"),
        "{previous}"
    );
    for other in ["区住建局", "区财政局", "鲤城生态环境局", "林荫大道"] {
        assert!(!previous.contains(other), "{other} in {previous}");
    }
}

/// 批量审核通过 and 批量采纳 from the review queue: each report takes its own step and
/// event; one that cannot be taken is named, the others go through.
#[test]
fn batch_approval_and_acceptance_from_the_queue() {
    let app = App::start(ACCOUNTS);
    app.open_round();
    let (reporter, head, sup) = (app.login("fgj.lly"), app.login("fgj.fzr"), app.login("sup"));
    let ids: Vec<i64> = [1, 2, 3]
        .iter()
        .map(|task| app.report_id(&reporter, *task, "区发改局"))
        .collect();
    for id in &ids {
        let (status, body) = app.post(
            &reporter,
            &format!("/api/reports/{id}/actions"),
            json!({"action": "submit", "text": "已推进。"}),
        );
        assert!(status.is_success(), "{body}");
    }
    // The unit head approves all three from the queue page.
    let mut pairs: Vec<(&str, String)> = ids.iter().map(|id| ("ids", id.to_string())).collect();
    pairs.push(("action", "approve".into()));
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, page) = app.form(&head, "/review/batch", &pairs);
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("已审核通过 3 份填报。"), "{page}");
    // The office accepts them through the API, with one id that is not a report.
    let (status, outcome) = app.post(
        &sup,
        "/api/reports/batch",
        json!({"ids": [ids[0], ids[1], ids[2], 999_999], "action": "accept"}),
    );
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(outcome["done"], json!(ids));
    assert_eq!(outcome["refused"][0]["id"], 999_999);
    for id in &ids {
        let (_, r) = app.get(&sup, &format!("/api/reports/{id}"));
        assert_eq!(r["summary"]["state"], "accepted");
        let steps: Vec<&str> = r["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert_eq!(
            steps,
            ["submit", "approve", "accept"],
            "each its own events"
        );
    }
    // Only the two steps that need no comment are batched; a unit's reporter gets none.
    let (status, _) = app.post(
        &sup,
        "/api/reports/batch",
        json!({"ids": [ids[0]], "action": "return"}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, outcome) = app.post(
        &reporter,
        "/api/reports/batch",
        json!({"ids": [ids[0]], "action": "accept"}),
    );
    assert_eq!(outcome["done"], json!([]), "{outcome}");
}

/// The round on one page: every report's text once its unit head signed it off (a
/// draft stays with its unit), filtered by unit and state, and the same rows as XLSX.
#[test]
fn the_round_reads_on_one_page_and_exports_to_xlsx() {
    use calamine::{Data, Reader, Xlsx};

    let app = App::start(ACCOUNTS);
    let round = app.open_round();
    let (fgj, head, czj, sup) = (
        app.login("fgj.lly"),
        app.login("fgj.fzr"),
        app.login("czj.lly"),
        app.login("sup"),
    );
    let signed_off = app.report_id(&fgj, 1, "区发改局");
    for (client, body) in [
        (
            &fgj,
            json!({"action": "submit", "text": "已分解下达GDP增长指标。", "percent": "60"}),
        ),
        (&head, json!({"action": "approve"})),
    ] {
        let (status, answer) =
            app.post(client, &format!("/api/reports/{signed_off}/actions"), body);
        assert!(status.is_success(), "{answer}");
    }
    let draft = app.report_id(&czj, 2, "区财政局");
    let (status, answer) = app.post(
        &czj,
        &format!("/api/reports/{draft}/actions"),
        json!({"action": "save_draft", "text": "草稿内容不外传"}),
    );
    assert!(status.is_success(), "{answer}");

    let (_, all) = app.get(&sup, &format!("/api/rounds/{round}"));
    let reports = all["reports"].as_array().expect("reports");
    let of = |id: &Value| reports.iter().find(|r| r["id"] == *id).expect("listed");
    assert_eq!(of(&json!(signed_off))["text"], "已分解下达GDP增长指标。");
    assert_eq!(
        of(&json!(draft))["text"],
        Value::Null,
        "a draft is withheld"
    );
    assert!(all["units"].as_array().expect("units").len() >= 2, "{all}");

    let (_, one_unit) = app.get(&sup, &format!("/api/rounds/{round}?unit=区发改局"));
    let listed = one_unit["reports"].as_array().expect("reports");
    assert!(!listed.is_empty() && listed.iter().all(|r| r["unit"] == "区发改局"));
    let (_, approved) = app.get(&sup, &format!("/api/rounds/{round}?state=unit_approved"));
    assert_eq!(approved["reports"].as_array().expect("reports").len(), 1);
    let (status, body) = app.get(&sup, &format!("/api/rounds/{round}?state=lost"));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let (status, page) = app.page(&sup, &format!("/rounds/{round}?unit=区发改局"));
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("已分解下达GDP增长指标。"), "{page}");
    assert!(!page.contains("草稿内容不外传"));
    assert!(
        page.contains(&format!("/rounds/{round}/table.xlsx?unit=%E5%8C%BA")),
        "{page}"
    );

    let response = sup
        .get(
            app.server
                .url(&format!("/rounds/{round}/table.xlsx?state=unit_approved")),
        )
        .send()
        .expect("xlsx");
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().expect("bytes").to_vec();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("workbook");
    let sheet = book.worksheet_range("填报情况").expect("sheet");
    let cell = |r: u32, c: u32| sheet.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(cell(2, 4), Data::String("落实情况".into()));
    assert_eq!(cell(3, 2), Data::String("区发改局".into()));
    assert_eq!(cell(3, 3), Data::String("待督查室审核".into()));
    assert_eq!(cell(3, 4), Data::String("已分解下达GDP增长指标。".into()));
    assert_eq!(cell(3, 5), Data::String("60%".into()));
    assert_eq!(sheet.height(), 4, "title, note, header and the one report");
    // A reporter cannot read the round's table at all.
    let response = fgj
        .get(app.server.url(&format!("/rounds/{round}/table.xlsx")))
        .send()
        .expect("answer");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

/// Opening a round on the page with a due date already past is asked about first: the
/// form comes back, as typed, with a box to tick; ticked, the round opens.
#[test]
fn a_past_due_date_is_confirmed_before_a_round_opens() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");
    let typed = [
        ("document", "1"),
        ("label", "补录1-9月"),
        ("due", "2020-10-10"),
        ("tasks", "1-3"),
    ];
    let (status, page) = app.form(&sup, "/rounds", &typed);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("截止日期 2020-10-10 已过"), "{page}");
    assert!(page.contains("name=\"past_due_confirmed\""), "{page}");
    assert!(page.contains("value=\"补录1-9月\"") && page.contains("value=\"1-3\""));
    let (_, rounds) = app.get(&sup, "/api/rounds");
    assert!(
        !rounds.to_string().contains("补录1-9月"),
        "nothing opened before the confirmation"
    );

    let mut confirmed = typed.to_vec();
    confirmed.push(("past_due_confirmed", "1"));
    let (status, _) = app.form(&sup, "/rounds", &confirmed);
    assert!(status.is_success() || status.is_redirection(), "{status}");
    let (_, rounds) = app.get(&sup, "/api/rounds");
    assert!(rounds.to_string().contains("补录1-9月"), "{rounds}");
}

/// 交办 on the page with a 签收期限 already past is asked about the same way: the form
/// comes back as typed with a box to tick, and nothing is assigned until it is ticked.
#[test]
fn a_past_acknowledgement_deadline_is_confirmed_before_assigning() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");
    let typed = [("document", "1"), ("ack_due", "2020-10-20")];
    let (status, page) = app.form(&sup, "/assign", &typed);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("签收期限 2020-10-20 已过"), "{page}");
    assert!(page.contains("签收期限已过，仍然交办"), "{page}");
    assert!(page.contains("value=\"2020-10-20\""), "the date is kept");
    let (_, assigned) = app.get(&sup, "/api/assignments?document=1");
    assert_eq!(assigned.as_array().map(Vec::len), Some(0), "{assigned}");
    // A unit cannot be asked: the question is the office's.
    let (status, _) = app.form(&app.login("fgj.lly"), "/assign", &typed);
    assert_eq!(status, StatusCode::FORBIDDEN);

    let mut confirmed = typed.to_vec();
    confirmed.push(("past_due_confirmed", "1"));
    let (status, _) = app.form(&sup, "/assign", &confirmed);
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, assigned) = app.get(&sup, "/api/assignments?document=1");
    assert!(
        assigned.as_array().is_some_and(|a| !a.is_empty()),
        "{assigned}"
    );
}
