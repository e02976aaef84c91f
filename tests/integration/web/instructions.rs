//! 领导批示: a leader's written instruction on a task, what it may do (reopen a closed
//! task, mark it for 领导督办), who sees it, and what is refused.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::ACCOUNTS;
use crate::integration::support::App;

const TASK: &str = "/api/documents/1/tasks/1";
const INSTRUCTIONS: &str = "/api/documents/1/tasks/1/instructions";

#[test]
fn a_leaders_instruction_reopens_a_closed_task_marks_it_and_reaches_the_lead_unit() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");
    let ldr = app.login("ldr");
    let fgj = app.login("fgj.lly");
    let czj = app.login("czj.lly");
    let (_, me) = app.get(&ldr, "/api/me");
    let leader_name = me["display_name"].as_str().expect("name").to_string();
    let count = |app: &App| {
        app.get(&app.login("sup"), INSTRUCTIONS)
            .1
            .as_array()
            .map_or(0, Vec::len)
    };

    // On an open task a reopening 批示 is refused, and nothing is written.
    let reopen =
        json!({"text": "此项工作尚未完全落实，请继续推进", "reopen": true, "supervise": true});
    let (status, refused) = app.post(&ldr, INSTRUCTIONS, reopen.clone());
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["error"].as_str().unwrap_or("").contains("未办结"),
        "{refused}"
    );
    assert_eq!(count(&app), 0);

    // The office closes the task; the leader's 再批示 reopens it and marks it.
    let (status, closed) = app.post(
        &sup,
        &format!("{TASK}/actions"),
        json!({"action": "close", "comment": "经核实已完成"}),
    );
    assert!(status.is_success(), "{closed}");
    // Marked for 督办 without reopening, a closed task is refused: it is out of supervision.
    let (status, refused) = app.post(
        &ldr,
        INSTRUCTIONS,
        json!({"text": "请继续督办", "supervise": true}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(count(&app), 0);
    let (status, recorded) = app.post(&ldr, INSTRUCTIONS, reopen);
    assert_eq!(status, StatusCode::OK, "{recorded}");
    assert_eq!(recorded["leader"], leader_name.as_str());
    assert_eq!(recorded["reopened"], true);
    assert_eq!(recorded["supervise"], true);
    let (_, task) = app.get(&sup, TASK);
    assert_eq!(task["status"]["state"], "open", "{task}");
    assert_eq!(task["supervised"], true);
    let last = task["status"]["events"]
        .as_array()
        .and_then(|e| e.last())
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(last["action"], "reopen", "{last}");
    assert_eq!(last["actor_role"], "leader");
    assert_eq!(
        last["comment"],
        format!("{leader_name}再批示：此项工作尚未完全落实，请继续推进").as_str()
    );

    // The lead unit sees it on the task and on 本单位任务; the list carries the mark.
    let (_, seen) = app.get(&fgj, TASK);
    assert_eq!(
        seen["instructions"][0]["text"],
        "此项工作尚未完全落实，请继续推进"
    );
    assert_eq!(seen["can_instruct"], false);
    let (_, my) = app.page(&fgj, "/my");
    assert!(my.contains("此项工作尚未完全落实，请继续推进"), "{my}");
    let (_, list) = app.page(&sup, "/tasks?document=1");
    assert!(list.contains("领导批示列为督办"), "the list marks the task");
    // A unit not on the task sees neither the task nor its 批示.
    assert_eq!(app.get(&czj, INSTRUCTIONS).0, StatusCode::NOT_FOUND);
    let (_, other_my) = app.page(&czj, "/my");
    assert!(!other_my.contains("此项工作尚未完全落实"));

    // Units may not write one, in their own name or a leader's.
    let forged = json!({"leader": "区长", "text": "冒名批示"});
    assert_eq!(
        app.post(&fgj, INSTRUCTIONS, forged.clone()).0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&czj, INSTRUCTIONS, forged).0,
        StatusCode::NOT_FOUND
    );

    // The office records a paper 批示 only naming the leader; its date is not future.
    let (status, answer) = app.post(&sup, INSTRUCTIONS, json!({"text": "请抓紧办理"}));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let (status, answer) = app.post(
        &sup,
        INSTRUCTIONS,
        json!({"leader": "黄辉灿区长", "text": "请抓紧办理", "signed_on": "2099-01-01"}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(
        app.post(&ldr, INSTRUCTIONS, json!({"text": "  "})).0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(count(&app), 1, "refused 批示 write nothing");
    let (status, paper) = app.post(
        &sup,
        INSTRUCTIONS,
        json!({"leader": "黄辉灿区长", "text": "请抓紧办理", "signed_on": "2020-10-20"}),
    );
    assert_eq!(status, StatusCode::OK, "{paper}");
    assert_eq!(paper["leader"], "黄辉灿区长");
    assert_eq!(paper["signed_on"], "2020-10-20");
    assert_eq!(paper["reopened"], false);

    // Closing the task again ends 领导督办.
    let (status, _) = app.post(
        &sup,
        &format!("{TASK}/actions"),
        json!({"action": "close", "comment": "再次核实已完成"}),
    );
    assert!(status.is_success());
    let (_, task) = app.get(&sup, TASK);
    assert_eq!(task["supervised"], false);
    assert_eq!(task["instructions"].as_array().map(Vec::len), Some(2));
}

#[test]
fn a_refused_instruction_form_keeps_what_the_leader_typed() {
    let app = App::start(ACCOUNTS);
    let ldr = app.login("ldr");
    let typed = "请区发改局会同区财政局于月底前拿出方案";
    let (status, page) = app.form(
        &ldr,
        "/documents/1/tasks/1/instructions",
        &[("text", typed), ("reopen", "1"), ("supervise", "1")],
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("未办结，无需重新开启"), "the reason is shown");
    assert!(
        page.contains(&format!(">{typed}</textarea>")),
        "the text is still in the form"
    );
    // A date that is not a date is refused the same way.
    let (status, page) = app.form(
        &ldr,
        "/documents/1/tasks/1/instructions",
        &[("text", typed), ("signed_on", "10月20日")],
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("批示日期"), "{page}");
    assert!(page.contains(&format!(">{typed}</textarea>")));
    // Accepted, it goes back to the task page.
    let (status, _) = app.form(
        &ldr,
        "/documents/1/tasks/1/instructions",
        &[("text", typed), ("supervise", "1")],
    );
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = app.page(&ldr, "/documents/1/tasks/1");
    assert!(page.contains(typed) && page.contains("领导督办"));
}
