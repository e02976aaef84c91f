//! Arbitrary text never makes the analysis panic, and what it reports points into the
//! text it read.

use duban_domain::analysis::{
    AnalysisContext, ReasonCode, Status, TaskAnalysis, analyse_task, compare_reports,
};
use duban_domain::{Paragraph, RichText, Run, Task, TaskNumber, UnitDirectory};
use proptest::prelude::*;

/// Pieces real cells are made of, so random cells hit the rules and not only the
/// "no cue" path.
const TOKENS: &[&str] = &[
    "已完成",
    "正在",
    "推进中",
    "滞后",
    "协调无果",
    "无法",
    "未启动",
    "尚未",
    "预计",
    "力争",
    "拟",
    "待",
    "其中",
    "已于",
    "12月底前",
    "1-9月",
    "年底前",
    "2021年建成投产",
    "全年",
    "三季度末",
    "完成年预算",
    "的",
    "67.9%",
    "同比下降",
    "增长",
    "2.5%",
    "比降",
    "个百分点",
    "420543 万元",
    "40幢/宗",
    "两个",
    "排名全市第",
    "4",
    "位",
    "第一",
    "区住建局：",
    "区域管局：",
    "区工信局",
    "文旅局",
    "①",
    "②",
    "③",
    "⑤",
    "。",
    "；",
    "，",
    "：",
    "\n",
    "《",
    "》",
    "“",
    "”",
    "（",
    "）",
    "-",
    ".",
    " ",
    "👍",
    "\u{FFFD}",
    "работа",
    "A",
    "5G",
    "正",
    "中",
    "已",
    "未",
    "万",
    "亿元",
    "%",
    "第",
    "前",
    "年",
    "月",
    "日",
    "底",
];

fn tokens() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..60).prop_map(|v| v.concat())
}

fn rich(paragraphs: Vec<Vec<(String, bool)>>) -> RichText {
    RichText {
        paragraphs: paragraphs
            .into_iter()
            .map(|runs| Paragraph {
                runs: runs
                    .into_iter()
                    .map(|(text, bold)| Run { text, bold })
                    .collect(),
            })
            .collect(),
    }
}

fn task(content: &str, progress: RichText) -> Task {
    Task {
        number: TaskNumber(1),
        content: RichText::plain(content),
        lead_units: Vec::new(),
        lead_units_text: String::new(),
        cooperating_units: Vec::new(),
        cooperating_units_text: String::new(),
        leader: None,
        deadline: Some(content.chars().take(12).collect()),
        notes: None,
        subitems: Vec::new(),
        progress: Some(progress),
        extra: Vec::new(),
    }
}

fn check_offsets(text: &str, a: &TaskAnalysis) {
    let evidence = a
        .evidence
        .iter()
        .chain(a.subitems.iter().flat_map(|s| &s.evidence))
        .chain(a.unit_parts.iter().flat_map(|p| &p.evidence));
    for e in evidence {
        assert_eq!(&text[e.at.byte_start..e.at.byte_end], e.text);
        let chars: String = text
            .chars()
            .skip(e.at.start)
            .take(e.at.end - e.at.start)
            .collect();
        assert_eq!(chars, e.text);
    }
    for f in &a.figures {
        assert_eq!(&text[f.at.byte_start..f.at.byte_end], f.written);
    }
    for p in &a.unit_parts {
        assert_eq!(&text[p.at.byte_start..p.at.byte_end], p.text);
    }
    assert_eq!(
        a.status == Status::Unknown,
        a.reason.is_some(),
        "a reason exactly when unknown"
    );
}

fn directory() -> UnitDirectory {
    let mut d = UnitDirectory::default();
    for n in ["区城管局", "区住建局", "区工信局", "区文旅局", "区文旅集团"] {
        d.insert(n);
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_text_never_panics(
        content in any::<String>(),
        paragraphs in prop::collection::vec(prop::collection::vec((any::<String>(), any::<bool>()), 0..4), 0..4),
        year in prop::option::of(1900i32..2100),
    ) {
        let units = directory();
        let progress = rich(paragraphs);
        let text = progress.plain_text();
        let context = AnalysisContext { year, ..AnalysisContext::new(&units) };
        let a = analyse_task(&task(&content, progress), &context);
        check_offsets(&text, &a);
    }

    #[test]
    fn cue_soup_never_panics(
        content in tokens(),
        paragraphs in prop::collection::vec(prop::collection::vec((tokens(), any::<bool>()), 0..4), 0..4),
        day in 0u32..3000,
    ) {
        let units = directory();
        let progress = rich(paragraphs);
        let text = progress.plain_text();
        let as_of = chrono::NaiveDate::from_ymd_opt(2019, 1, 1)
            .and_then(|d| d.checked_add_days(chrono::Days::new(u64::from(day))));
        let context = AnalysisContext { as_of, ..AnalysisContext::new(&units) };
        let a = analyse_task(&task(&content, progress), &context);
        check_offsets(&text, &a);
        serde_json::to_string(&a).unwrap();
    }

    #[test]
    fn comparisons_are_bounded(a in tokens(), b in any::<String>()) {
        let c = compare_reports(&a, &b);
        prop_assert!((0.0..=1.0).contains(&c.similarity));
        let same = compare_reports(&a, &a);
        prop_assert!(same.unchanged && !same.near_copy);
        prop_assert!((same.similarity - 1.0).abs() < 1e-9);
    }
}

#[test]
fn bad_cells_are_unknown_with_a_reason() {
    let units = UnitDirectory::default();
    let context = AnalysisContext::new(&units);
    let cases: [(String, ReasonCode); 7] = [
        (String::new(), ReasonCode::Empty),
        ("  ".into(), ReasonCode::Empty),
        ("2020 67.9% 420543".into(), ReasonCode::NumbersOnly),
        ("正在推进，已完成。".repeat(2300), ReasonCode::TooLong),
        (
            "работа идёт, всё хорошо 已完成".into(),
            ReasonCode::MixedScripts,
        ),
        ("🎉🎉🎉".into(), ReasonCode::NoText),
        ("The work is done.".into(), ReasonCode::Foreign),
    ];
    for (text, code) in cases {
        let a = analyse_task(&task("", RichText::plain(&text)), &context);
        assert_eq!(a.status, Status::Unknown, "{text:.40}");
        assert_eq!(a.reason.map(|r| r.code), Some(code), "{text:.40}");
    }
    let a = analyse_task(
        &Task {
            progress: None,
            ..task("", RichText::default())
        },
        &context,
    );
    assert_eq!(a.reason.map(|r| r.code), Some(ReasonCode::Empty));
}

#[test]
fn a_unit_that_copied_its_part_is_flagged() {
    use duban_domain::analysis::compare_task_rounds;
    let units = directory();
    let before = task(
        "",
        RichText::plain("区住建局：正在招标，完成设计方案。区城管局：已完成7条街巷测量。"),
    );
    let after = task(
        "",
        RichText::plain(
            "区住建局：正在招标，完成设计方案。区城管局：12条街巷已完工，其余正在施工。",
        ),
    );
    let c = compare_task_rounds(&before, &after, &units);
    assert_eq!(c.len(), 3);
    assert!(!c[0].comparison.unchanged);
    let zj = c
        .iter()
        .find(|p| p.unit.as_deref() == Some("区住建局"))
        .unwrap();
    assert!(zj.comparison.unchanged);
    let cg = c
        .iter()
        .find(|p| p.unit.as_deref() == Some("区城管局"))
        .unwrap();
    assert!(!cg.comparison.near_copy && !cg.comparison.unchanged);
    let json = serde_json::to_value(zj).unwrap();
    assert_eq!(json["unit"], "区住建局");
    assert_eq!(json["unchanged"], true);
}
