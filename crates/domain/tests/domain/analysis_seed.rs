//! The seed notice read end to end: the JSON form the issue specifies, overdue against
//! ongoing work, and the cases the issue names (task 6's blocked part, task 20's typo,
//! task 2's pace).

use crate::analysis_support;

use duban_domain::TaskNumber;
use duban_domain::analysis::{NaiveDate, PaceJudgement, Status, analyse_notice};

fn task(
    a: &duban_domain::analysis::NoticeAnalysis,
    n: u32,
) -> &duban_domain::analysis::TaskAnalysis {
    a.tasks
        .iter()
        .find(|t| t.number == TaskNumber(n))
        .expect("task")
}

#[test]
fn json_has_the_fields_of_the_issue() {
    let a = analyse_notice(&analysis_support::seed(), None);
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["format"], "duban.analysis");
    assert_eq!(json["as_of"], "2020-10-15");
    let tasks = json["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 35);
    let codes = [
        "done",
        "in_progress",
        "lagging",
        "blocked",
        "not_started",
        "unknown",
    ];
    for t in tasks {
        assert!(t["number"].is_u64());
        assert!(codes.contains(&t["status"].as_str().unwrap()));
        for key in ["evidence", "subitems", "deadlines", "figures", "unit_parts"] {
            assert!(t[key].is_array(), "{key}");
        }
        for e in t["evidence"].as_array().unwrap() {
            for key in ["text", "start", "end", "byte_start", "byte_end", "label"] {
                assert!(!e[key].is_null(), "{key}");
            }
        }
    }
    let t6 = &tasks[5];
    assert_eq!(t6["subitems"][4]["label"], "⑤");
    assert_eq!(t6["subitems"][4]["status"], "blocked");
    assert!(t6["subitems"][4]["evidence"].is_array());
    let t17 = &tasks[16];
    assert_eq!(t17["deadlines"][0]["date"], "2020-12-31");
    assert_eq!(t17["deadlines"][0]["phrase"], "12月底前");
    let t2 = &tasks[1];
    assert_eq!(t2["figures"][4]["value"], 420543.0);
    assert_eq!(t2["figures"][4]["unit"], "万元");
    assert!(
        t2["figures"][4]["phrase"]
            .as_str()
            .unwrap()
            .contains("420543")
    );
    let t20 = &tasks[19];
    assert_eq!(t20["unit_parts"][0]["unit"], "区域管局");
    assert_eq!(t20["unit_parts"][0]["written_as"], "区域管局");
    assert_eq!(t20["unit_parts"][0]["probable"], "区城管局");
    assert!(
        t20["unit_parts"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("林荫大道")
    );
}

#[test]
fn overdue_only_with_an_end_date_and_not_done() {
    let notice = analysis_support::seed();
    let later = NaiveDate::from_ymd_opt(2021, 1, 10);
    let a = analyse_notice(&notice, later);
    assert_eq!(
        a.year,
        Some(2020),
        "relative dates stay in the notice's year"
    );
    let t17 = task(&a, 17);
    assert_eq!(t17.due, NaiveDate::from_ymd_opt(2020, 12, 31));
    assert!(t17.overdue && !t17.ongoing);
    // Routine work without an end date is never overdue.
    let t26 = task(&a, 26);
    assert!(t26.ongoing && !t26.overdue);
    assert_eq!(a.summary.overdue, 1);
    // At the document's date nothing is overdue yet.
    let on_time = analyse_notice(&notice, None);
    assert!(!task(&on_time, 17).overdue);
}

#[test]
fn pace_follows_the_stated_period() {
    let a = analyse_notice(&analysis_support::seed(), None);
    let pace = task(&a, 2).pace.as_ref().unwrap();
    assert_eq!(pace.judgement, PaceJudgement::Behind);
    assert!(
        pace.checks.iter().all(|c| c.expected == 75.0),
        "1-9月 → 9/12"
    );
    assert_eq!(task(&a, 25).status, Status::Lagging);
    assert!(task(&a, 24).pace.is_none(), "falling crime is not a target");
}

#[test]
fn evidence_offsets_point_into_the_progress_text() {
    let notice = analysis_support::seed();
    let a = analyse_notice(&notice, None);
    for (t, src) in a.tasks.iter().zip(&notice.tasks) {
        let text = src.progress.as_ref().unwrap().plain_text();
        for e in t
            .evidence
            .iter()
            .chain(t.subitems.iter().flat_map(|s| &s.evidence))
        {
            assert_eq!(&text[e.at.byte_start..e.at.byte_end], e.text);
            let by_chars: String = text
                .chars()
                .skip(e.at.start)
                .take(e.at.end - e.at.start)
                .collect();
            assert_eq!(by_chars, e.text);
        }
    }
}
