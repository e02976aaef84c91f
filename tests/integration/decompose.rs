//! Sources and decomposition (立项/分解), run for real: `duban serve` with the seed, a
//! source registered, a decomposition notice drafted, tasks and sub-items added with
//! units and progress kinds, issued with its 文号, listed and rendered — and refused
//! to the accounts and input that must be refused.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::support::{App, Server};

/// (username, role, unit)
const ACCOUNTS: &[(&str, &str, Option<&str>)] = &[
    ("sup", "supervisor", None),
    ("ldr", "leader", None),
    ("fgj.lly", "reporter", Some("区发改局")),
];

fn speech() -> Value {
    json!({
        "kind": "speech",
        "title": "黄辉灿区长在区政府第一次全体会上的讲话",
        "date": "2020-04-20",
        "leader": "黄辉灿区长",
        "meeting": "区政府第一次全体会议",
        "original": "抓紧把 GDP 增长 2.5% 等一揽子指标下达到各街道、各部门。",
    })
}

fn tasks() -> Value {
    json!({"tasks": [
        {
            "content": "抓紧把 GDP 增长 2.5% 等一揽子指标下达到各街道、各部门",
            "lead_units": ["区发改局"],
            "cooperating_units": ["区财政局", "区工信局"],
            "leader": "王副区长",
            "deadline": "2020年12月底前",
            "plan": {"kind": "indicator", "target": "2.5", "unit": "%"},
        },
        {
            "content": "尽快启动以下项目前期工作：",
            "subitems": [
                {"content": "江南新区水系、管网连接循环整治工程", "lead_units": ["区城管局"]},
                {"content": "晋江南岸景观提升工程", "lead_units": ["区住建局"]},
                {"content": "内环路建设"},
            ],
            "lead_units": ["区自然资源局"],
            "deadline": "2020年12月31日",
            "plan": {"kind": "project", "milestones": [
                {"due": "2020-06-30", "description": "完成规划研究"},
                {"due": "2020-12-31", "description": "完成前期工作"},
            ]},
        },
        {
            "content": "常态化做好企业服务",
            "lead_units": ["区工信局"],
            "plan": {"kind": "ongoing"},
        },
    ]})
}

#[test]
fn source_to_issued_notice_and_its_docx() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");

    // 立项, with a bad one first.
    let mut bad = speech();
    bad["leader"] = json!("");
    let (status, body) = app.post(&sup, "/api/sources", bad);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "leader", "{body}");
    assert!(body["error"].as_str().unwrap_or_default().contains("领导"));
    let (status, body) = app.post(&sup, "/api/sources", json!({"kind": "传闻", "title": "甲"}));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "kind");
    let (status, body) = app.post(
        &sup,
        "/api/sources",
        json!({"kind": "speech", "date": "昨天"}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "date");

    let (status, source) = app.post(&sup, "/api/sources", speech());
    assert_eq!(status, StatusCode::CREATED, "{source}");
    let source_id = source["summary"]["id"].as_i64().expect("source id");
    let (_, list) = app.get(&sup, "/api/sources?kind=speech");
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    let (_, list) = app.get(&sup, "/api/sources?kind=instruction");
    assert_eq!(list.as_array().map(Vec::len), Some(0), "{list}");

    // 分解: draft, tasks with sub-items, units and progress kinds.
    let (status, draft) = app.post(
        &sup,
        &format!("/api/sources/{source_id}/decompositions"),
        json!({"issuer": "泉州市鲤城区人民政府办公室"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    assert_eq!(draft["status"], "draft");
    assert_eq!(
        draft["document"]["title"],
        "泉州市鲤城区人民政府办公室关于对黄辉灿区长在区政府第一次全体会上的讲话部署进行责任分解的通知"
    );
    let doc = draft["id"].as_i64().expect("document id");
    let tasks_path = format!("/api/decompositions/{doc}/tasks");
    let (status, added) = app.post(&sup, &tasks_path, tasks());
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["numbers"], json!([1, 2, 3]));

    // A batch with one bad task stores nothing, and says which task and field.
    let (status, body) = app.post(
        &sup,
        &tasks_path,
        json!({"tasks": [
            {"content": "甲", "lead_units": ["区发改局"]},
            {"content": "乙", "lead_units": ["区城关局"]},
        ]}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "lead_units");
    let error = body["error"].as_str().unwrap_or_default();
    assert!(
        error.starts_with("第 2 项任务：") && error.contains("区城关局"),
        "{error}"
    );
    let (status, body) = app.post(
        &sup,
        &tasks_path,
        json!({"tasks": [{"content": "甲", "lead_units": ["区发改局"],
                          "plan": {"kind": "indicator", "target": "十亿", "unit": "元"}}]}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "target");
    let (status, body) = app.post(&sup, &tasks_path, json!("不是对象"));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "body");

    let (_, d) = app.get(&sup, &format!("/api/decompositions/{doc}"));
    let tasks = d["tasks"].as_array().expect("tasks");
    assert_eq!(tasks.len(), 3, "{d}");
    assert_eq!(
        tasks[1]["task"]["content"]["paragraphs"][0]["runs"][0]["text"],
        "尽快启动以下项目前期工作：①江南新区水系、管网连接循环整治工程；②晋江南岸景观提升工程；③内环路建设"
    );
    assert_eq!(
        tasks[1]["task"]["lead_units_text"],
        "区自然资源局；第①项区城管局牵头；第②项区住建局牵头"
    );
    assert_eq!(tasks[0]["plan_summary"], "年度目标：2.5%");
    assert_eq!(tasks[2]["plan"]["kind"], "ongoing");

    // Renumbering.
    let (status, moved) = app.post(
        &sup,
        &format!("/api/decompositions/{doc}/tasks/3/move"),
        json!({"to": 1}),
    );
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["tasks"][0]["intro"], "常态化做好企业服务");
    let (status, _) = app.post(
        &sup,
        &format!("/api/decompositions/{doc}/tasks/1/move"),
        json!({"to": 3}),
    );
    assert_eq!(status, StatusCode::OK);

    // 印发: bad and taken numbers, then the real one.
    let issue = format!("/api/decompositions/{doc}/issue");
    let (status, body) = app.post(
        &sup,
        &issue,
        json!({"doc_number": "泉鲤政办2020年44号", "date": "2020-05-06"}),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "doc_number");
    let (status, body) = app.post(&sup, &issue, json!({"doc_number": "泉鲤政办〔2020〕44号"}));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "date");
    let (status, body) = app.post(
        &sup,
        &issue,
        json!({"doc_number": "泉鲤政办〔2020〕48号", "date": "2020-05-06"}),
    );
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["field"], "doc_number");
    let (status, issued) = app.post(
        &sup,
        &issue,
        json!({"doc_number": "泉鲤政办〔2020〕44号", "date": "2020-05-06"}),
    );
    assert_eq!(status, StatusCode::OK, "{issued}");
    assert_eq!(issued["status"], "issued");

    // Issued: the editor refuses changes.
    let (status, body) = app.post(
        &sup,
        &tasks_path,
        json!({"tasks": [{"content": "再加一项", "lead_units": ["区发改局"]}]}),
    );
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("已印发")
    );
    let (status, _) = app.form(&sup, &format!("/decompositions/{doc}/tasks/1/delete"), &[]);
    assert_eq!(status, StatusCode::CONFLICT);

    // Listed with its 文号, linked from its source, and rendered.
    let (_, documents) = app.get(&sup, "/api/documents");
    assert!(
        documents
            .as_array()
            .expect("documents")
            .iter()
            .any(|d| d["id"] == doc
                && d["doc_number"] == "泉鲤政办〔2020〕44号"
                && d["tasks"] == 3),
        "{documents}"
    );
    let (_, detail) = app.get(&sup, &format!("/api/sources/{source_id}"));
    assert_eq!(detail["documents"][0]["status"], "issued", "{detail}");

    let response = sup
        .get(app.server.url(&format!("/decompositions/{doc}/file/docx")))
        .send()
        .expect("docx");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.contains("wordprocessingml")),
    );
    let bytes = response.bytes().expect("bytes");
    assert!(bytes.starts_with(b"PK"), "a DOCX is a ZIP");
    let docx = docx_rs::read_docx(&bytes).expect("a readable DOCX");
    let text = docx.json();
    for expected in [
        "泉鲤政办〔2020〕44号",
        "配合单位",
        "责任领导",
        "完成时限",
        "区工信局",
    ] {
        assert!(text.contains(expected), "DOCX lacks {expected}");
    }
    let (status, _) = app.get(&sup, &format!("/api/decompositions/{doc}/file/odt"));
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Pages.
    let (status, html) = app.page(&sup, &format!("/decompositions/{doc}"));
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("已印发") && html.contains("下载Word 文档（DOCX）"),
        "{html}"
    );
    assert!(
        !html.contains("添加任务"),
        "an issued notice has no task form"
    );
    let (status, html) = app.page(&sup, "/sources");
    assert!(
        status == StatusCode::OK && html.contains("登记任务来源"),
        "{html}"
    );
    let ldr = app.login("ldr");
    let (status, html) = app.page(&ldr, "/sources");
    assert!(
        status == StatusCode::OK && !html.contains("登记任务来源"),
        "{html}"
    );
    let (status, html) = app.page(&ldr, &format!("/sources/{source_id}"));
    assert!(
        status == StatusCode::OK && !html.contains("起草责任分解通知"),
        "{html}"
    );
    let (status, _) = app.post(&ldr, "/api/sources", speech());
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get(&ldr, &format!("/api/decompositions/{doc}/file/xlsx"));
    assert_eq!(status, StatusCode::OK);

    // Issued, it takes rounds like an imported notice; each report shows its task's plan.
    let (status, round) = app.post(
        &sup,
        "/api/rounds",
        json!({"document": doc, "label": "1-6月", "due": "2020-07-05"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let (_, reports) = app.get(&sup, &format!("/api/reports?round={}", round["id"]));
    let plans: Vec<(u64, Value)> = reports
        .as_array()
        .expect("reports")
        .iter()
        .map(|r| {
            let id = r["id"].as_i64().expect("report id");
            let (_, report) = app.get(&sup, &format!("/api/reports/{id}"));
            (r["task"].as_u64().expect("task"), report["plan"].clone())
        })
        .collect();
    assert!(plans.contains(&(1, json!("年度目标：2.5%"))), "{plans:?}");
    assert!(
        plans.contains(&(3, json!("常态化推进，无完成时限"))),
        "{plans:?}"
    );
}

#[test]
fn the_editor_pages_work_as_forms() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");
    // A refused form shows the page again with the message and what was typed.
    let (status, html) = app.form(
        &sup,
        "/sources",
        &[("kind", "instruction"), ("title", "关于老旧小区改造的批示")],
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("须填写讲话或批示的领导") && html.contains("关于老旧小区改造的批示"),
        "{html}"
    );
    let (status, _) = app.form(
        &sup,
        "/sources",
        &[
            ("kind", "instruction"),
            ("title", "关于老旧小区改造的批示"),
            ("leader", "区长"),
            ("date", "2020-06-01"),
        ],
    );
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, list) = app.get(&sup, "/api/sources");
    let source = list[0]["id"].as_i64().expect("source");
    let (status, _) = app.form(
        &sup,
        &format!("/sources/{source}/decompositions"),
        &[("issuer", "")],
    );
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, detail) = app.get(&sup, &format!("/api/sources/{source}"));
    let doc = detail["documents"][0]["id"].as_i64().expect("draft");
    let (_, d) = app.get(&sup, &format!("/api/decompositions/{doc}"));
    // A blank issuer takes the office's name from its stored notice.
    assert_eq!(d["document"]["issuer"], "泉州市鲤城区人民政府办公室", "{d}");

    let path = format!("/decompositions/{doc}/tasks");
    let (status, html) = app.form(
        &sup,
        &path,
        &[
            ("content", "加快老旧小区改造："),
            ("lead_main", "区住建局"),
            ("cooperating_units", "区财政局"),
            ("subitem_content", "完成10个小区改造"),
            ("subitem_units", "区住建局"),
            ("subitem_content", "同步完善配套设施"),
            ("subitem_units", "区城管局"),
            ("plan_kind", "project"),
            ("milestone_due", "2020-12-31"),
            ("milestone_text", "完成改造"),
            ("milestone_due", "2020-06-30"),
            ("milestone_text", "完成设计"),
        ],
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("时间节点须按日期先后排列") && html.contains("完成10个小区改造"),
        "{html}"
    );
    let (status, _) = app.form(
        &sup,
        &path,
        &[
            ("content", "加快老旧小区改造："),
            ("lead_main", "区住建局"),
            ("cooperating_units", "区财政局"),
            ("subitem_content", "完成10个小区改造"),
            ("subitem_units", "区住建局"),
            ("subitem_content", "同步完善配套设施"),
            ("subitem_units", "区城管局"),
            ("subitem_content", ""),
            ("subitem_units", ""),
            ("plan_kind", "project"),
            ("milestone_due", "2020-06-30"),
            ("milestone_text", "完成设计"),
            ("milestone_due", "2020-12-31"),
            ("milestone_text", "完成改造"),
            ("milestone_due", ""),
            ("milestone_text", ""),
        ],
    );
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, html) = app.page(&sup, &format!("/decompositions/{doc}?edit=1"));
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("修改第 1 项任务") && html.contains("完成10个小区改造"),
        "{html}"
    );
    let (_, d) = app.get(&sup, &format!("/api/decompositions/{doc}"));
    assert_eq!(
        d["tasks"][0]["plan_summary"],
        "节点：2020-06-30 完成设计；2020-12-31 完成改造"
    );
    // Issuing from the page asks for the 确认印发 box; without it nothing is issued.
    let (status, page) = app.form(
        &sup,
        &format!("/decompositions/{doc}/issue"),
        &[
            ("doc_number", "泉鲤政办〔2020〕60号"),
            ("date", "2020-06-10"),
        ],
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("确认印发"), "{page}");
    let (_, still) = app.get(&sup, &format!("/api/decompositions/{doc}"));
    assert_eq!(still["status"], "draft");
    let (status, _) = app.form(
        &sup,
        &format!("/decompositions/{doc}/issue"),
        &[
            ("doc_number", "泉鲤政办〔2020〕60号"),
            ("date", "2020-06-10"),
            ("confirm", "yes"),
        ],
    );
    assert_eq!(status, StatusCode::SEE_OTHER);
    // An imported notice can be linked to a source afterwards.
    let (status, _) = app.form(
        &sup,
        &format!("/sources/{source}/documents"),
        &[("document", "泉鲤政办〔2020〕48号")],
    );
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, detail) = app.get(&sup, &format!("/api/sources/{source}"));
    assert_eq!(detail["documents"].as_array().map(Vec::len), Some(2));
}

#[test]
fn unit_accounts_and_strangers_reach_none_of_it() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");
    let (_, source) = app.post(&sup, "/api/sources", speech());
    let source = source["summary"]["id"].as_i64().expect("source");
    let (_, draft) = app.post(
        &sup,
        &format!("/api/sources/{source}/decompositions"),
        json!({}),
    );
    let doc = draft["id"].as_i64().expect("draft");
    let reporter = app.login("fgj.lly");
    let anonymous = Server::client();
    let gets = [
        "/sources".to_string(),
        format!("/sources/{source}"),
        format!("/decompositions/{doc}"),
        format!("/decompositions/{doc}/file/docx"),
        "/api/sources".to_string(),
        format!("/api/sources/{source}"),
        format!("/api/decompositions/{doc}"),
        format!("/api/decompositions/{doc}/file/docx"),
    ];
    for path in &gets {
        let (status, _) = app.page(&reporter, path);
        assert_eq!(status, StatusCode::FORBIDDEN, "reporter GET {path}");
        let (status, _) = app.page(&anonymous, path);
        let expected = if path.starts_with("/api/") {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::SEE_OTHER
        };
        assert_eq!(status, expected, "anonymous GET {path}");
    }
    let posts = [
        ("/api/sources".to_string(), speech()),
        (format!("/api/sources/{source}/decompositions"), json!({})),
        (format!("/api/decompositions/{doc}/tasks"), tasks()),
        (
            format!("/api/decompositions/{doc}/issue"),
            json!({"doc_number": "泉鲤政办〔2020〕44号", "date": "2020-05-06"}),
        ),
        (
            "/api/documents/1/source".to_string(),
            json!({"source": source}),
        ),
    ];
    for (path, body) in &posts {
        let (status, _) = app.post(&reporter, path, body.clone());
        assert_eq!(status, StatusCode::FORBIDDEN, "reporter POST {path}");
        let (status, _) = app.post(&anonymous, path, body.clone());
        assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous POST {path}");
    }
    let (status, _) = app.form(&reporter, "/sources", &[("kind", "speech")]);
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Nothing changed.
    let (_, d) = app.get(&sup, &format!("/api/decompositions/{doc}"));
    assert_eq!(d["status"], "draft");
    assert_eq!(d["tasks"].as_array().map(Vec::len), Some(0));
    let (_, detail) = app.get(&sup, &format!("/api/sources/{source}"));
    assert_eq!(detail["documents"].as_array().map(Vec::len), Some(1));
}

/// A source named after its kind (`…议定事项`) gives its title, body and attachment
/// heading the word once, and the office can rename the attachment heading.
#[test]
fn the_kind_s_word_appears_once_and_the_attachment_heading_is_editable() {
    let app = App::start(ACCOUNTS);
    let sup = app.login("sup");
    let (status, source) = app.post(
        &sup,
        "/api/sources",
        json!({"kind": "executive_meeting", "title": "区政府第12次常务会议议定事项",
               "date": "2020-06-01", "meeting": "区政府第12次常务会议"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{source}");
    let id = source["summary"]["id"].as_i64().expect("source");
    let (status, draft) = app.post(
        &sup,
        &format!("/api/sources/{id}/decompositions"),
        json!({"issuer": "泉州市鲤城区人民政府办公室"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    let text = draft.to_string();
    assert!(!text.contains("议定事项议定事项"), "{text}");
    assert_eq!(
        draft["document"]["title"],
        "泉州市鲤城区人民政府办公室关于对区政府第12次常务会议议定事项进行责任分解的通知"
    );
    assert_eq!(
        draft["document"]["attachment"],
        "区政府第12次常务会议议定事项责任分解表"
    );
    let doc = draft["id"].as_i64().expect("draft");
    let document = &draft["document"];
    let (status, edited) = app.post(
        &sup,
        &format!("/api/decompositions/{doc}"),
        json!({
            "issuer": document["issuer"], "title": document["title"],
            "recipients": ["各街道办事处"], "body": document["body"],
            "disclosure": "主动公开", "attachment": "第12次常务会议议定事项分工表",
        }),
    );
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(
        edited["document"]["attachment"],
        "第12次常务会议议定事项分工表"
    );
    assert_eq!(
        edited["document"]["table_title"],
        "第12次常务会议议定事项分工表"
    );
}
