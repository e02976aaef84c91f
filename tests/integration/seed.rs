//! The real notice: every task, every lead unit, every character.

use serde_json::Value;

use super::support::{SEED, Sandbox};

/// Lead units of all 35 tasks, read by hand from the seed (canonical names, main lead first).
const LEADS: [&[&str]; 35] = [
    &["区发改局"],
    &["区财政局", "区工信局", "区发改局"],
    &["区发改局", "区商务局", "区工信局", "区招商办"],
    &["区发改局"],
    &["区发改局"],
    &["区城管局", "区住建局", "区自然资源局"],
    &["区招商办"],
    &["区工信局"],
    &["区工信局"],
    &["区商务局", "区工信局", "区发改局"],
    &["区文旅局", "区商务局"],
    &["高新区管委会"],
    &["区财政局"],
    &["区财政局"],
    &["区自然资源局"],
    &[
        "高新区管委会",
        "站前大道西侧棚户区改造项目指挥部",
        "繁荣片区棚户区改造项目指挥部",
    ],
    &[
        "浮桥街道办事处",
        "金龙街道办事处",
        "开元街道办事处",
        "鲤中街道办事处",
    ],
    &["区住建局", "区自然资源局"],
    &["区发改局"],
    &[
        "区城管局",
        "区发改局",
        "区住建局",
        "鲤城生态环境局",
        "区财政局",
    ],
    &["区城管局"],
    &["区教育局"],
    &["区教育局"],
    &["鲤城公安分局"],
    &["区发改局"],
    &["区疫情防控指挥部"],
    &["区疫情防控指挥部", "区教育局"],
    &["区委文明办", "区城管局"],
    &["区应急局", "区住建局", "区文旅局", "消防救援大队"],
    &["区应急局"],
    &["区发改局"],
    &["区城管局", "鲤城公安分局", "区发改局", "高新区管委会"],
    &["区教育局", "区住建局", "区文旅集团"],
    &["区招商办"],
    &["区财政局", "区文旅局"],
];

/// The seed's data rows, cells as written (an oracle independent of the importer).
fn seed_rows() -> Vec<Vec<String>> {
    std::fs::read_to_string(SEED)
        .expect("seed")
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()) && l.contains('\t'))
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// A cell's text as plain paragraphs: `<p>` boundaries become `\n`, tags go.
fn plain(cell: &str) -> String {
    cell.replace("</p><p>", "\n")
        .replace("<p>", "")
        .replace("</p>", "")
        .replace("<b>", "")
        .replace("</b>", "")
        .split('\n')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn non_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string").to_string())
        .collect()
}

fn seed_export() -> Value {
    let sandbox = Sandbox::new();
    sandbox.import(SEED.as_ref()).ok();
    sandbox
        .run(["export", "泉鲤政办〔2020〕48号", "--format", "json"])
        .ok()
        .json()
}

#[test]
fn every_task_has_its_exact_text_and_lead_units() {
    let json = seed_export();
    let tasks = json["tasks"].as_array().expect("tasks");
    let rows = seed_rows();
    assert_eq!(rows.len(), 35);
    assert_eq!(tasks.len(), 35);
    for ((task, row), leads) in tasks.iter().zip(&rows).zip(LEADS) {
        let n = task["number"].as_u64().expect("number");
        assert_eq!(n.to_string(), row[0], "task order");
        assert_eq!(task["content"], plain(&row[1]), "content of task {n}");
        assert_eq!(
            task["lead_units_text"],
            plain(&row[2]),
            "unit cell of task {n}"
        );
        assert_eq!(task["progress"], plain(&row[3]), "progress of task {n}");
        assert_eq!(
            strings(&task["lead_units"]),
            leads,
            "lead units of task {n}"
        );
        // Nothing lost: every non-whitespace character of the row is in the model.
        let model = format!(
            "{}{}{}{}",
            task["number"],
            task["content"].as_str().unwrap_or_default(),
            task["lead_units_text"].as_str().unwrap_or_default(),
            task["progress"].as_str().unwrap_or_default()
        );
        let source: String = row.iter().map(|c| plain(c)).collect();
        assert_eq!(
            non_whitespace(&model),
            non_whitespace(&source),
            "characters of task {n}"
        );
    }
}

#[test]
fn bold_runs_are_kept() {
    let json = seed_export();
    let bold: Vec<String> = json["tasks"][15]["progress_rich"]["paragraphs"][0]["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .filter(|r| r["bold"] == true)
        .map(|r| r["text"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(bold[0], "原均石能源研究院用地：");
    assert_eq!(bold.len(), 5);
    let runs20 = &json["tasks"][19]["progress_rich"]["paragraphs"][0]["runs"];
    assert_eq!(runs20[0]["text"], "区域管局：");
    assert_eq!(runs20[0]["bold"], true);
}

#[test]
fn sub_item_leads_of_tasks_32_33_35() {
    let json = seed_export();
    let leads = |task: usize| -> Vec<(String, Vec<String>)> {
        json["tasks"][task - 1]["subitems"]
            .as_array()
            .expect("subitems")
            .iter()
            .map(|s| {
                (
                    s["label"].as_str().unwrap_or_default().to_string(),
                    strings(&s["lead_units"]),
                )
            })
            .collect()
    };
    let v = |items: &[(&str, &[&str])]| -> Vec<(String, Vec<String>)> {
        items
            .iter()
            .map(|(l, u)| (l.to_string(), u.iter().map(|s| s.to_string()).collect()))
            .collect()
    };
    assert_eq!(
        leads(32),
        v(&[
            ("①", &["区城管局", "鲤城公安分局"]),
            ("②", &["区发改局"]),
            ("③", &["高新区管委会"])
        ])
    );
    assert_eq!(
        leads(33),
        v(&[
            ("①", &["区教育局"]),
            ("②", &["区教育局", "区住建局", "区文旅集团"]),
            ("③", &["区教育局", "区住建局", "区文旅集团"])
        ])
    );
    assert_eq!(
        leads(35),
        v(&[
            ("①", &["区财政局"]),
            ("②", &["区财政局"]),
            ("③", &["区文旅局"])
        ])
    );
    // 文旅局 is written short and resolved, not invented as a unit of its own.
    assert_eq!(
        json["tasks"][34]["lead_units_detail"][1]["written_as"],
        "文旅局"
    );
    assert!(
        json["units"]
            .as_array()
            .expect("units")
            .iter()
            .all(|u| u["name"] != "文旅局")
    );
}

#[test]
fn document_fields_roles_and_typo_flag() {
    let json = seed_export();
    let d = &json["document"];
    assert_eq!(d["issuer"], "泉州市鲤城区人民政府办公室");
    assert_eq!(d["doc_number"], "泉鲤政办〔2020〕48号");
    assert_eq!(d["doc_number_parts"]["serial"], 48);
    assert_eq!(
        d["title"],
        "泉州市鲤城区人民政府办公室关于黄辉灿区长在区政府第一次全体会上的讲话部署落实情况的通报"
    );
    assert_eq!(
        strings(&d["recipients"]),
        ["高新区管委会", "各街道办事处", "区直有关单位"]
    );
    assert_eq!(d["references"][0]["doc_number"], "泉鲤政办〔2020〕44号");
    assert_eq!(d["date"], "2020-10-15");
    assert_eq!(d["disclosure"], "主动公开");
    assert_eq!(d["signatory"], "泉州市鲤城区人民政府办公室");
    assert_eq!(
        d["table_title"],
        "黄区长在区政府第一次全体会议上的讲话部署落实情况表"
    );
    let roles = &json["tasks"][27]["lead_units_detail"];
    assert_eq!(roles[0]["role"], "区创城办");
    assert_eq!(roles[1]["role"], "区创卫办");
    assert_eq!(
        json["tasks"][10]["lead_units_detail"][1]["role"],
        "中山路及周边商圈业态提升工作领导小组办公室"
    );
    let flags = json["unit_flags"].as_array().expect("flags");
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0]["task"], 20);
    assert_eq!(flags[0]["written"], "区域管局");
    assert_eq!(flags[0]["probable"], "区城管局");
}

#[test]
fn export_conforms_to_the_published_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/interchange/notice.schema.json"
        ))
        .expect("schema"),
    )
    .expect("schema json");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let json = seed_export();
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let example: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/interchange/example.json"
        ))
        .expect("example"),
    )
    .expect("example json");
    assert!(
        validator.is_valid(&example),
        "docs/interchange/example.json must follow the schema"
    );
    // A broken document must fail, or the check above proves nothing.
    let mut broken = json.clone();
    broken["tasks"][0]["number"] = Value::from("一");
    assert!(!validator.is_valid(&broken));
}
