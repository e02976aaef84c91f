//! Percentage cells read against the notice's period: each way a percentage and its
//! remark combine, and what the notice's analysis JSON says about the period.

use duban_domain::analysis::{
    AnalysisContext, NaiveDate, PaceJudgement, PeriodSource, ReasonCode, RoundPeriod, Status,
    TaskAnalysis, analyse_notice, analyse_task,
};
use duban_domain::{Document, Notice, RichText, Task, TaskNumber};

fn task(number: u32, content: &str, deadline: Option<&str>, progress: &str) -> Task {
    Task {
        number: TaskNumber(number),
        content: RichText::plain(content),
        lead_units: Vec::new(),
        lead_units_text: String::new(),
        cooperating_units: Vec::new(),
        cooperating_units_text: String::new(),
        leader: None,
        deadline: deadline.map(str::to_string),
        notes: None,
        subitems: Vec::new(),
        progress: Some(RichText::plain(progress)),
        extra: Vec::new(),
    }
}

fn notice(title: &str, date: Option<&str>, tasks: Vec<Task>) -> Notice {
    Notice {
        document: Document {
            title: Some(title.to_string()),
            date: date.map(|d| d.parse().expect("test date")),
            ..Document::default()
        },
        tasks,
        ..Notice::default()
    }
}

const YEARLY: &str = "全年完成固定资产投资50亿元。";
const TITLE: &str = "关于截至10月31日重点工作落实情况的通报";

fn read(title: &str, content: &str, progress: &str) -> TaskAnalysis {
    let n = notice(
        title,
        Some("2020-11-05"),
        vec![task(1, content, None, progress)],
    );
    analyse_task(&n.tasks[0], &AnalysisContext::for_notice(&n, None))
}

#[test]
fn a_percentage_alone_against_the_share() {
    let t = read(TITLE, YEARLY, "70%");
    assert_eq!(t.status, Status::Lagging);
    assert_eq!(
        t.explanation,
        "70% 低于序时进度 83.3%（截至10月31日，据标题），判为滞后"
    );
    assert!(!t.mixed);
    assert_eq!(t.evidence.len(), 1);
    assert_eq!(
        (t.evidence[0].text.as_str(), t.evidence[0].at.start),
        ("70%", 0)
    );
    let pace = t.pace.expect("a percentage is a pace check");
    assert_eq!(pace.judgement, PaceJudgement::Behind);
    assert_eq!(
        (pace.checks[0].actual, pace.checks[0].expected),
        (70.0, 83.3)
    );
    assert_eq!(pace.checks[0].basis, "截至10月31日，应达83.3%，据标题");

    let t = read(TITLE, YEARLY, "95%");
    assert_eq!(t.status, Status::InProgress);
    assert_eq!(t.pace.map(|p| p.judgement), Some(PaceJudgement::Ahead));
    assert_eq!(read(TITLE, YEARLY, "100%").status, Status::Done);
}

#[test]
fn a_remark_decides_only_when_more_serious() {
    // More serious: the remark decides, and the percentage's share is still named.
    let t = read(TITLE, YEARLY, "88%(两条路推进缓慢)");
    assert_eq!(t.status, Status::Lagging);
    assert!(t.mixed);
    assert!(
        t.explanation
            .starts_with("88% 达到序时进度 83.3%（截至10月31日，据标题）；备注"),
        "{}",
        t.explanation
    );
    assert!(t.explanation.ends_with("以备注为准"), "{}", t.explanation);
    assert!(t.evidence.iter().any(|e| e.text == "推进缓慢"));
    // Less serious: the percentage decides, the disagreement is said.
    let t = read(TITLE, YEARLY, "60%（进展顺利）");
    assert_eq!(t.status, Status::Lagging);
    assert!(t.mixed);
    assert!(t.explanation.ends_with("备注所述（推进中）不改变判断"));
    // The same, or no cue at all: the percentage decides, nothing mixed.
    let t = read(TITLE, YEARLY, "20%（尚未开工");
    assert_eq!((t.status, t.mixed), (Status::Lagging, false));
    let t = read(TITLE, YEARLY, "95%（详见附件）");
    assert_eq!((t.status, t.mixed), (Status::InProgress, false));
}

#[test]
fn without_a_period_or_a_target_the_status_is_unknown_with_the_reason() {
    let n = notice(
        "关于重点工作落实情况的通报",
        None,
        vec![
            task(1, YEARLY, None, "95%"),
            task(2, YEARLY, None, "88%（两条路推进缓慢）"),
            task(3, YEARLY, None, "100%"),
        ],
    );
    let a = analyse_notice(&n, None);
    assert_eq!(a.period, None);
    let t = &a.tasks[0];
    assert_eq!(t.status, Status::Unknown);
    assert_eq!(
        t.reason.as_ref().map(|r| r.code),
        Some(ReasonCode::NoPeriod)
    );
    assert!(t.explanation.contains("未能确定统计期间"));
    // A remark with a cue still reads; the reason is kept in the explanation.
    let t = &a.tasks[1];
    assert_eq!((t.status, t.reason.is_none()), (Status::Lagging, true));
    assert!(t.explanation.starts_with("百分比（88%）无法按序时进度判断"));
    // 100% needs no period.
    assert_eq!(a.tasks[2].status, Status::Done);

    let t = read(TITLE, "持续推进城市精细化管理。", "95%");
    assert_eq!(t.reason.map(|r| r.code), Some(ReasonCode::NoTarget));
    assert!(t.explanation.contains("统计期间：截至10月31日，据标题"));
    let t = read(TITLE, "持续推进城市精细化管理。", "95%（正在推进）");
    assert_eq!(t.status, Status::InProgress);
}

#[test]
fn a_deadline_sets_the_share() {
    let n = notice(
        TITLE,
        Some("2020-11-05"),
        vec![task(1, "完成滨江路改造。", Some("2021年6月底前"), "50%")],
    );
    let t = analyse_task(&n.tasks[0], &AnalysisContext::for_notice(&n, None));
    assert_eq!(t.status, Status::Lagging);
    assert!(
        t.explanation
            .contains("序时进度 55.6%（截至10月31日，据标题；按完成时限2021年6月30日计）"),
        "{}",
        t.explanation
    );
}

#[test]
fn the_period_is_in_the_analysis_json_and_lags_are_counted() {
    let n = notice(
        "关于重点工作落实情况的通报",
        Some("2020-10-15"),
        vec![task(1, YEARLY, None, "70%"), task(2, YEARLY, None, "95%")],
    );
    let a = analyse_notice(&n, None);
    let json = serde_json::to_value(&a).expect("json");
    assert_eq!(
        json["period"],
        serde_json::json!({"end": "2020-10-15", "phrase": "截至2020年10月15日", "source": "document_date"})
    );
    assert_eq!((a.summary.lagging, a.summary.behind_pace), (1, 1));
    assert_eq!(a.summary.in_progress, 1);

    // A round's label names the period when the notice's text does not.
    let context = AnalysisContext::for_round(
        &n,
        RoundPeriod {
            label: "第三季度（1-9月）",
            due: NaiveDate::from_ymd_opt(2020, 10, 10).expect("date"),
        },
        None,
    );
    let period = context.period.clone().expect("period");
    assert_eq!(
        (period.phrase.as_str(), period.source),
        ("第三季度", PeriodSource::Round)
    );
    let t = analyse_task(&n.tasks[0], &context);
    assert_eq!(t.status, Status::Lagging);
    assert!(
        t.explanation
            .contains("序时进度 75.0%（第三季度，据填报轮次）")
    );
}
