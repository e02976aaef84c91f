//! The commands a user runs: import, list, tasks, units, export, and the round trips.

use super::support::{SEED, Sandbox, fixture};

#[test]
fn reimporting_the_same_file_is_a_no_op_that_says_so() {
    let sandbox = Sandbox::new();
    let first = sandbox.import(SEED.as_ref()).ok();
    assert!(
        first.stderr.contains("已导入 泉鲤政办〔2020〕48号"),
        "{}",
        first.stderr
    );
    let before = sandbox.snapshot();
    let again = sandbox.import(SEED.as_ref()).ok();
    assert!(again.stderr.contains("未变化"), "{}", again.stderr);
    assert_eq!(sandbox.snapshot(), before);
}

#[test]
fn markdown_export_reimports_to_identical_json() {
    let a = Sandbox::new();
    a.import(SEED.as_ref()).ok();
    let json = a.run(["export", "1", "--format", "json"]).ok().stdout;
    a.run(["export", "1", "--format", "md", "--output", "notice.md"])
        .ok();
    let b = Sandbox::new();
    b.import(&a.path("notice.md")).ok();
    assert_eq!(b.run(["export", "1", "--format", "json"]).ok().stdout, json);
    // And the JSON itself imports back to the same notice.
    let c = Sandbox::new();
    let path = c.write("notice.json", &json);
    c.import(&path).ok();
    assert_eq!(c.run(["export", "1", "--format", "json"]).ok().stdout, json);
}

#[test]
fn list_tasks_and_units() {
    let sandbox = Sandbox::new();
    sandbox.import(SEED.as_ref()).ok();
    let list = sandbox.run(["list", "--format", "json"]).ok().json();
    assert_eq!(
        list,
        serde_json::json!([{
            "id": 1, "doc_number": "泉鲤政办〔2020〕48号",
            "title": "泉州市鲤城区人民政府办公室关于黄辉灿区长在区政府第一次全体会上的讲话部署落实情况的通报",
            "tasks": 35
        }])
    );
    // A short form finds the unit; tasks it leads on a sub-item count too.
    let tasks = sandbox
        .run(["tasks", "--unit", "文旅局", "--format", "json"])
        .ok()
        .json();
    let numbers: Vec<u64> = tasks
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|t| t["number"].as_u64())
        .collect();
    assert_eq!(numbers, [11, 29, 35]);
    let text = sandbox
        .run(["tasks", "泉鲤政办[2020]48号", "--unit", "区创城办"])
        .ok()
        .stdout;
    assert!(text.contains("28. 【区委文明办、区城管局】"), "{text}");
    let units = sandbox.run(["units"]).ok().stdout;
    assert!(
        units.contains("区委文明办\t区直部门\t1\t区创城办"),
        "{units}"
    );
    assert!(units.contains("“区域管局”疑为“区城管局”"), "{units}");
    let unknown = sandbox.run(["tasks", "--unit", "区域管局"]).failed();
    assert!(
        unknown.stderr.contains("是否要找“区城管局”"),
        "{}",
        unknown.stderr
    );
    let missing = sandbox.run(["export", "泉鲤政办〔2020〕99号"]).failed();
    assert!(missing.stderr.contains("duban list"), "{}", missing.stderr);
}

#[test]
fn a_document_without_a_number_gets_an_id() {
    let sandbox = Sandbox::new();
    sandbox.import(&fixture("shapes/markdown.md")).ok();
    let list = sandbox.run(["list", "--format", "json"]).ok().json();
    assert_eq!(list[0]["doc_number"], serde_json::Value::Null);
    assert_eq!(list[0]["tasks"], 3);
    let json = sandbox.run(["export", "1"]).ok().json();
    assert_eq!(
        json["document"]["issuer"],
        serde_json::Value::Null,
        "nothing invented"
    );
    assert_eq!(json["document"]["title"], serde_json::Value::Null);
    assert_eq!(json["document"]["table_title"], "重点工作落实情况表");
    // The same file again is recognised by its content.
    assert!(
        sandbox
            .import(&fixture("shapes/markdown.md"))
            .ok()
            .stderr
            .contains("未变化")
    );
}

#[test]
fn a_changed_notice_with_a_known_number_is_refused_unless_replaced() {
    let sandbox = Sandbox::new();
    sandbox.import(SEED.as_ref()).ok();
    let before = sandbox.snapshot();
    let changed = std::fs::read_to_string(SEED)
        .expect("seed")
        .replace("已成立鲤城区教育发展基金会。", "基金会筹备中。");
    let path = sandbox.write("changed.txt", changed);
    let refused = sandbox.import(&path).failed();
    assert!(
        refused.stderr.contains("泉鲤政办〔2020〕48号") && refused.stderr.contains("--replace"),
        "{}",
        refused.stderr
    );
    assert_eq!(sandbox.snapshot(), before, "the store is left as it was");
    sandbox
        .run([
            std::path::Path::new("import"),
            std::path::Path::new("--replace"),
            &path,
        ])
        .ok();
    let json = sandbox.run(["export", "1"]).ok().json();
    assert_eq!(json["tasks"][22]["progress"], "基金会筹备中。");
}

#[test]
fn several_files_one_bad_the_rest_land() {
    let sandbox = Sandbox::new();
    let bad = sandbox.write("bad.txt", "序号\t任务内容\n1\t甲\n1\t乙\n");
    let run = sandbox.run([
        std::path::Path::new("import"),
        SEED.as_ref(),
        &bad,
        &fixture("shapes/pipe.txt"),
    ]);
    let run = run.failed();
    assert!(
        run.stderr.contains("导入失败") && run.stderr.contains("bad.txt"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("3 个文件中 1 个导入失败"),
        "{}",
        run.stderr
    );
    let list = sandbox.run(["list", "--format", "json"]).ok().json();
    assert_eq!(list.as_array().map(Vec::len), Some(2));
}

#[test]
fn help_is_in_chinese_on_every_command() {
    let sandbox = Sandbox::new();
    for cmd in [
        "import", "export", "list", "tasks", "units", "demo", "serve", "user",
    ] {
        let help = sandbox.run([cmd, "--help"]).ok().stdout;
        assert!(
            help.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{cmd}: {help}"
        );
    }
    // Nothing of clap's English is left, at any depth: choices of values, the
    // environment variable and the default are said in Chinese.
    for args in [
        &["notice", "--help"][..],
        &["render", "--help"],
        &["export", "--help"],
        &["analyse", "--help"],
        &["serve", "--help"],
        &["demo-data", "--help"],
        &["user", "add", "--help"],
        &["user", "unlock", "--help"],
    ] {
        let help = sandbox.run(args.iter().copied()).ok().stdout;
        for english in [
            "Possible values",
            "[env:",
            "[default:",
            "Usage:",
            "Options:",
        ] {
            assert!(!help.contains(english), "{args:?} says {english}: {help}");
        }
    }
    let serve = sandbox.run(["serve", "--help"]).ok().stdout;
    assert!(
        serve.contains("（环境变量 DATABASE_URL；默认 sqlite://duban.db）"),
        "{serve}"
    );
    let notice = sandbox.run(["notice", "--help"]).ok().stdout;
    assert!(
        notice.contains("可选值：") && notice.contains("pdf：PDF（GB/T 9704 版式，嵌入字体）"),
        "{notice}"
    );
}

#[test]
fn analyse_reads_the_progress_text_with_its_reasons() {
    let sandbox = Sandbox::new();
    sandbox.import(SEED.as_ref()).ok();
    let json = sandbox
        .run(["analyse", "泉鲤政办〔2020〕48号", "--format", "json"])
        .ok()
        .json();
    assert_eq!(json["tasks"].as_array().map(Vec::len), Some(35));
    let task6 = &json["tasks"][5];
    assert_eq!(task6["status"], "in_progress");
    let fifth = task6["subitems"]
        .as_array()
        .expect("subitems")
        .iter()
        .find(|s| s["label"] == "⑤")
        .cloned()
        .expect("⑤");
    assert_eq!(fifth["status"], "blocked");
    assert!(
        fifth["evidence"].as_array().is_some_and(|e| !e.is_empty()),
        "a judgment comes with its evidence"
    );
    let text = sandbox.run(["analyse", "1"]).ok().stdout;
    assert!(
        text.contains("需关注")
            && text.contains("“区域管局”疑为“区城管局”")
            && text.contains("统计期间：截至2020年10月15日，据成文日期"),
        "{text}"
    );
    let bad = sandbox.run(["analyse", "1", "--as-of", "明天"]).failed();
    assert!(bad.stderr.contains("--as-of"), "{}", bad.stderr);
}

#[test]
fn render_writes_every_format_deterministically() {
    let sandbox = Sandbox::new();
    sandbox.import(SEED.as_ref()).ok();
    for (format, magic) in [
        ("docx", &b"PK"[..]),
        ("xlsx", b"PK"),
        ("html", b"<!DOCTYPE html"),
        ("pdf", b"%PDF"),
    ] {
        let first = sandbox.path(&format!("a.{format}"));
        let second = sandbox.path(&format!("b.{format}"));
        for path in [&first, &second] {
            let run = sandbox.run([
                std::path::Path::new("render"),
                std::path::Path::new("泉鲤政办〔2020〕48号"),
                std::path::Path::new("--format"),
                std::path::Path::new(format),
                std::path::Path::new("--output"),
                path,
            ]);
            run.ok();
        }
        let bytes = std::fs::read(&first).expect("rendered");
        assert!(
            bytes.starts_with(magic),
            "{format} starts with its signature"
        );
        assert_eq!(
            bytes,
            std::fs::read(&second).expect("rendered"),
            "{format} is deterministic"
        );
    }
    // Without --output the file is named after the 文号.
    sandbox.run(["render", "1", "--format", "html"]).ok();
    assert!(sandbox.path("泉鲤政办〔2020〕48号.html").exists());
    let missing = sandbox.run(["render", "9", "--format", "pdf"]).failed();
    assert!(missing.stderr.contains("duban list"), "{}", missing.stderr);
}

#[test]
fn after_a_command_the_database_file_alone_holds_everything() {
    let sandbox = Sandbox::new();
    if !sandbox.is_sqlite() {
        // A SQLite file's write-ahead log; PostgreSQL has no file to copy.
        return;
    }
    sandbox.import(SEED.as_ref()).ok();
    // The write-ahead log was folded in and removed when the command closed the store,
    // so a copy of duban.db alone (a backup) has the import.
    let log = sandbox.path("duban.db-wal");
    assert!(
        !log.exists() || std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0) == 0,
        "the import left its writes in {}",
        log.display()
    );
    let copy = Sandbox::new();
    std::fs::copy(sandbox.path("duban.db"), copy.path("duban.db")).expect("copy the file");
    let list = copy.run(["list", "--format", "json"]).ok().json();
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
}

#[test]
fn migrate_data_copies_into_an_empty_database_only() {
    let sandbox = Sandbox::new();
    sandbox.import(SEED.as_ref()).ok();
    let copy = format!("sqlite://{}", sandbox.path("copy.db").display());
    let from = sandbox.database_url();
    let run = sandbox
        .run([
            "migrate-data",
            "--from",
            from.as_str(),
            "--to",
            copy.as_str(),
        ])
        .ok();
    assert!(
        run.stdout.contains("各表行数和校验和两边一致"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("tasks"), "{}", run.stdout);
    let exported = |url: &str| {
        sandbox
            .run(["--database-url", url, "export", "1"])
            .ok()
            .stdout
    };
    assert_eq!(exported(&copy), exported(&from));
    // A second copy into the same (no longer empty) database is refused.
    let again = sandbox
        .run([
            "migrate-data",
            "--from",
            from.as_str(),
            "--to",
            copy.as_str(),
        ])
        .failed();
    assert!(
        again.stderr.contains("目标数据库不是空的"),
        "{}",
        again.stderr
    );
    if !sandbox.is_sqlite() {
        // The command opens its two databases only, not the default duban.db.
        assert!(!sandbox.path("duban.db").exists());
    }
}

#[test]
fn demo_data_is_the_same_for_the_same_seed() {
    let generate = |seed: &str| {
        let sandbox = Sandbox::new();
        let run = sandbox
            .run([
                "demo-data",
                "--units",
                "60",
                "--tasks",
                "150",
                "--reports",
                "600",
                "--seed",
                seed,
            ])
            .ok();
        assert!(run.stdout.contains("600 条填报"), "{}", run.stdout);
        let rounds = sandbox.run(["rounds"]).ok().stdout;
        let notice = sandbox.run(["export", "2"]).ok().stdout;
        let units = sandbox.run(["units", "--format", "json"]).ok().json();
        assert_eq!(units.as_array().map(Vec::len), Some(60), "{units}");
        // A second run into the same database is refused.
        let again = sandbox
            .run([
                "demo-data",
                "--units",
                "60",
                "--tasks",
                "150",
                "--reports",
                "600",
            ])
            .failed();
        assert!(again.stderr.contains("已有数据"), "{}", again.stderr);
        (rounds, notice)
    };
    let first = generate("7");
    assert_eq!(generate("7"), first);
    assert_ne!(generate("8").1, first.1, "another seed, other tasks");
    // Rounds across the months, the last still open.
    assert!(
        first.0.contains("1-1月") && first.0.contains("进行中"),
        "{}",
        first.0
    );
}
