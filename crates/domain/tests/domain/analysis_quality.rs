//! Quality of the progress-text analysis against labelled sets:
//!
//! - `fixtures/analysis/seed_labels.json`: the seed notice's 35 tasks, labelled by reading
//!   each cell (status per task, sub-item and unit part; deadlines; figures for the tasks
//!   that list them; pace). The cue tables were written with these cells in view, so this
//!   set measures fit.
//! - `fixtures/analysis/constructed.json`: 59 cells in other localities' wording (the
//!   shared samples) and bad input, labelled before the analysis first ran on them (first
//!   run: 0.913 over 69 status items); its misses led to rule fixes, so it is now fit too.
//! - `fixtures/analysis/holdout.json`: 34 further cells written after those fixes and
//!   labelled before their first run (first run: 0.878 over 41 status items).
//!
//! `cargo test -p duban-domain --test analysis_quality -- --nocapture` prints the tables.

use crate::analysis_support;

use std::collections::BTreeMap;

use duban_domain::analysis::{
    AnalysisContext, NaiveDate, NoticeAnalysis, PeriodSource, RoundPeriod, Status, TaskAnalysis,
    analyse_notice, analyse_task,
};
use duban_domain::{
    Document, Notice, RichText, SubItem, SubItemLabel, Task, TaskNumber, UnitDirectory,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct SeedLabels {
    as_of: NaiveDate,
    tasks: Vec<TaskLabel>,
}

#[derive(Deserialize)]
struct TaskLabel {
    number: u32,
    status: Status,
    #[serde(default)]
    pace: Option<String>,
    #[serde(default)]
    subitems: Vec<StatusLabel>,
    #[serde(default)]
    unit_parts: Vec<UnitLabel>,
    #[serde(default)]
    deadlines: Vec<DateLabel>,
    #[serde(default)]
    figures: Option<Vec<FigureLabel>>,
}

#[derive(Deserialize)]
struct StatusLabel {
    label: SubItemLabel,
    status: Status,
}

#[derive(Deserialize)]
struct UnitLabel {
    unit: String,
    written_as: String,
    status: Status,
    #[serde(default)]
    probable: Option<String>,
}

#[derive(Deserialize)]
struct DateLabel {
    date: Option<NaiveDate>,
    phrase: String,
}

#[derive(Deserialize)]
struct FigureLabel {
    value: f64,
    unit: String,
}

#[derive(Deserialize)]
struct Constructed {
    default_as_of: NaiveDate,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    progress: String,
    status: Status,
    #[serde(default)]
    task: String,
    #[serde(default)]
    as_of: Option<NaiveDate>,
    #[serde(default)]
    repeat: Option<usize>,
    #[serde(default)]
    units: Vec<String>,
    #[serde(default)]
    pace: Option<String>,
    #[serde(default)]
    subitems: Vec<StatusLabel>,
    #[serde(default)]
    unit_parts: Option<Vec<UnitLabel>>,
    #[serde(default)]
    deadlines: Option<Vec<DateLabel>>,
    #[serde(default)]
    figures: Option<Vec<FigureLabel>>,
    #[serde(default)]
    reason_code: Option<String>,
}

/// Expected/predicted pairs for one status set.
#[derive(Default)]
struct Confusion {
    pairs: Vec<(Status, Status, String)>,
}

struct ClassScore {
    support: usize,
    predicted: usize,
    correct: usize,
}

impl ClassScore {
    fn precision(&self) -> Option<f64> {
        (self.predicted > 0).then(|| self.correct as f64 / self.predicted as f64)
    }
    fn recall(&self) -> Option<f64> {
        (self.support > 0).then(|| self.correct as f64 / self.support as f64)
    }
}

impl Confusion {
    fn add(&mut self, expected: Status, got: Status, what: impl Into<String>) {
        self.pairs.push((expected, got, what.into()));
    }

    fn score(&self, class: Status) -> ClassScore {
        ClassScore {
            support: self.pairs.iter().filter(|(e, _, _)| *e == class).count(),
            predicted: self.pairs.iter().filter(|(_, g, _)| *g == class).count(),
            correct: self
                .pairs
                .iter()
                .filter(|(e, g, _)| *e == class && *g == class)
                .count(),
        }
    }

    fn accuracy(&self) -> f64 {
        let right = self.pairs.iter().filter(|(e, g, _)| e == g).count();
        right as f64 / self.pairs.len().max(1) as f64
    }

    fn table(&self, title: &str) -> String {
        let fmt = |v: Option<f64>| v.map_or("   -".to_string(), |v| format!("{v:.2}"));
        let mut out = format!(
            "\n{title}（{}项，准确率 {:.3}）\n| class | support | predicted | correct | precision | recall |\n|---|---|---|---|---|---|\n",
            self.pairs.len(),
            self.accuracy()
        );
        for class in Status::ALL {
            let s = self.score(class);
            if s.support == 0 && s.predicted == 0 {
                continue;
            }
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                class.code(),
                s.support,
                s.predicted,
                s.correct,
                fmt(s.precision()),
                fmt(s.recall())
            ));
        }
        let misses: Vec<String> = self
            .pairs
            .iter()
            .filter(|(e, g, _)| e != g)
            .map(|(e, g, w)| format!("  {w}: 标注 {}，判为 {}", e.code(), g.code()))
            .collect();
        if !misses.is_empty() {
            out.push_str("不一致：\n");
            out.push_str(&misses.join("\n"));
            out.push('\n');
        }
        out
    }

    /// Every class with at least `min_support` labels reaches the bounds.
    fn assert_bounds(&self, name: &str, min_support: usize, precision: f64, recall: f64) {
        for class in Status::ALL {
            let s = self.score(class);
            if s.support < min_support {
                continue;
            }
            let (p, r) = (s.precision().unwrap_or(0.0), s.recall().unwrap_or(0.0));
            assert!(
                p >= precision && r >= recall,
                "{name}: {} precision {p:.2} (≥{precision}) recall {r:.2} (≥{recall})\n{}",
                class.code(),
                self.table(name)
            );
        }
    }
}

/// Precision and recall of extracted items against labels (multiset matching).
#[derive(Default)]
struct Extraction {
    expected: usize,
    found: usize,
    matched: usize,
    misses: Vec<String>,
}

impl Extraction {
    fn precision(&self) -> f64 {
        self.matched as f64 / self.found.max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.matched as f64 / self.expected.max(1) as f64
    }
    fn line(&self, name: &str) -> String {
        format!(
            "| {name} | {} | {} | {} | {:.2} | {:.2} |",
            self.expected,
            self.found,
            self.matched,
            self.precision(),
            self.recall()
        )
    }
}

fn score_figures(e: &mut Extraction, labels: &[FigureLabel], got: &TaskAnalysis, what: &str) {
    let mut pool: Vec<(f64, &str)> = got
        .figures
        .iter()
        .map(|f| (f.value, f.unit.as_str()))
        .collect();
    e.expected += labels.len();
    e.found += pool.len();
    for l in labels {
        match pool
            .iter()
            .position(|(v, u)| (v - l.value).abs() < 1e-9 && *u == l.unit)
        {
            Some(i) => {
                pool.remove(i);
                e.matched += 1;
            }
            None => e
                .misses
                .push(format!("  {what}: 漏 {} {}", l.value, l.unit)),
        }
    }
    for (v, u) in pool {
        e.misses.push(format!("  {what}: 多 {v} {u}"));
    }
}

fn score_dates(e: &mut Extraction, labels: &[DateLabel], got: &TaskAnalysis, what: &str) {
    let mut pool: Vec<(Option<NaiveDate>, &str)> = got
        .deadlines
        .iter()
        .map(|d| (d.date, d.phrase.as_str()))
        .collect();
    e.expected += labels.len();
    e.found += pool.len();
    for l in labels {
        let hit = pool.iter().position(|(date, phrase)| {
            *date == l.date && (phrase.contains(&l.phrase) || l.phrase.contains(*phrase))
        });
        match hit {
            Some(i) => {
                pool.remove(i);
                e.matched += 1;
            }
            None => e
                .misses
                .push(format!("  {what}: 漏 {:?} {}", l.date, l.phrase)),
        }
    }
    for (d, p) in pool {
        e.misses.push(format!("  {what}: 多 {d:?} {p}"));
    }
}

fn score_units(
    e: &mut Extraction,
    c: &mut Confusion,
    labels: &[UnitLabel],
    got: &TaskAnalysis,
    what: &str,
) {
    e.expected += labels.len();
    e.found += got.unit_parts.len();
    for l in labels {
        let hit = got
            .unit_parts
            .iter()
            .find(|p| p.unit == l.unit && p.written_as == l.written_as && p.probable == l.probable);
        match hit {
            Some(p) => {
                e.matched += 1;
                c.add(l.status, p.status, format!("{what} {}", l.unit));
            }
            None => e
                .misses
                .push(format!("  {what}: 漏 {}（{}）", l.unit, l.written_as)),
        }
    }
    for p in &got.unit_parts {
        if !labels
            .iter()
            .any(|l| p.unit == l.unit && p.written_as == l.written_as)
        {
            e.misses
                .push(format!("  {what}: 多 {}（{}）", p.unit, p.written_as));
        }
    }
}

fn pace_code(t: &TaskAnalysis) -> Option<String> {
    t.pace.as_ref().map(|p| {
        serde_json::to_value(p.judgement)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    })
}

struct Report {
    tasks: Confusion,
    items: Confusion,
    units: Extraction,
    dates: Extraction,
    figures: Extraction,
    pace: Extraction,
}

fn evaluate_seed() -> (Report, NoticeAnalysis) {
    let labels: SeedLabels =
        serde_json::from_str(include_str!("../fixtures/analysis/seed_labels.json"))
            .expect("seed_labels.json");
    let notice = analysis_support::seed();
    let analysis = analyse_notice(&notice, Some(labels.as_of));
    let mut r = Report {
        tasks: Confusion::default(),
        items: Confusion::default(),
        units: Extraction::default(),
        dates: Extraction::default(),
        figures: Extraction::default(),
        pace: Extraction::default(),
    };
    assert_eq!(labels.tasks.len(), 35);
    for l in &labels.tasks {
        let t = analysis
            .tasks
            .iter()
            .find(|t| t.number == TaskNumber(l.number))
            .expect("every labelled task is analysed");
        let what = format!("任务{}", l.number);
        r.tasks.add(l.status, t.status, &what);
        r.items.add(l.status, t.status, &what);
        assert_eq!(
            t.subitems.len(),
            l.subitems.len(),
            "{what}: sub-items {:?}",
            t.subitems.iter().map(|s| s.label).collect::<Vec<_>>()
        );
        for s in &l.subitems {
            let got = t
                .subitems
                .iter()
                .find(|g| g.label == s.label)
                .expect("labelled sub-item is analysed");
            r.items
                .add(s.status, got.status, format!("{what}{}", s.label));
        }
        score_units(&mut r.units, &mut r.items, &l.unit_parts, t, &what);
        score_dates(&mut r.dates, &l.deadlines, t, &what);
        if let Some(figures) = &l.figures {
            score_figures(&mut r.figures, figures, t, &what);
        }
        score_pace(&mut r.pace, l.pace.as_deref(), t, &what);
    }
    (r, analysis)
}

fn score_pace(e: &mut Extraction, label: Option<&str>, t: &TaskAnalysis, what: &str) {
    let got = pace_code(t);
    e.expected += usize::from(label.is_some());
    e.found += usize::from(got.is_some());
    if label.is_some() && label == got.as_deref() {
        e.matched += 1;
    } else if label != got.as_deref() {
        e.misses
            .push(format!("  {what}: 序时标注 {label:?}，判为 {got:?}"));
    }
}

fn case_task(case: &Case) -> Task {
    let progress = match case.repeat {
        Some(n) => case.progress.repeat(n),
        None => case.progress.clone(),
    };
    let content = RichText::plain(&case.task);
    let subitems = duban_domain::split_subitems(&case.task)
        .map(|s| {
            s.items
                .into_iter()
                .map(|(label, content)| SubItem {
                    label,
                    content,
                    lead_units: Vec::new(),
                })
                .collect()
        })
        .unwrap_or_default();
    Task {
        number: TaskNumber(1),
        content,
        lead_units: Vec::new(),
        lead_units_text: String::new(),
        cooperating_units: Vec::new(),
        cooperating_units_text: String::new(),
        leader: None,
        deadline: None,
        notes: None,
        subitems,
        progress: (!progress.is_empty()).then(|| RichText::plain(&progress)),
        extra: Vec::new(),
    }
}

fn evaluate_cases(json: &str) -> (Report, Vec<String>) {
    let set: Constructed = serde_json::from_str(json).expect("labelled cases");
    let mut r = Report {
        tasks: Confusion::default(),
        items: Confusion::default(),
        units: Extraction::default(),
        dates: Extraction::default(),
        figures: Extraction::default(),
        pace: Extraction::default(),
    };
    let mut reason_misses = Vec::new();
    for case in &set.cases {
        let mut units = UnitDirectory::default();
        for u in &case.units {
            units.insert(u);
        }
        let context = AnalysisContext {
            as_of: Some(case.as_of.unwrap_or(set.default_as_of)),
            ..AnalysisContext::new(&units)
        };
        let t = analyse_task(&case_task(case), &context);
        r.tasks.add(case.status, t.status, &case.id);
        r.items.add(case.status, t.status, &case.id);
        for s in &case.subitems {
            let got = t
                .subitems
                .iter()
                .find(|g| g.label == s.label)
                .expect("labelled sub-item is analysed");
            r.items
                .add(s.status, got.status, format!("{}{}", case.id, s.label));
        }
        if let Some(labels) = &case.unit_parts {
            score_units(&mut r.units, &mut r.items, labels, &t, &case.id);
        }
        if let Some(labels) = &case.deadlines {
            score_dates(&mut r.dates, labels, &t, &case.id);
        }
        if let Some(labels) = &case.figures {
            score_figures(&mut r.figures, labels, &t, &case.id);
        }
        score_pace(&mut r.pace, case.pace.as_deref(), &t, &case.id);
        if let Some(code) = &case.reason_code {
            let got = t
                .reason
                .as_ref()
                .and_then(|r| serde_json::to_value(r.code).ok())
                .and_then(|v| v.as_str().map(str::to_string));
            if got.as_deref() != Some(code.as_str()) {
                reason_misses.push(format!("{}: 原因 {code}，得到 {got:?}", case.id));
            }
        }
    }
    (r, reason_misses)
}

fn extraction_table(title: &str, rows: &[(&str, &Extraction)]) -> String {
    let mut out = format!(
        "\n{title}\n| what | labelled | found | matched | precision | recall |\n|---|---|---|---|---|---|\n"
    );
    for (name, e) in rows {
        out.push_str(&e.line(name));
        out.push('\n');
    }
    let misses: Vec<&String> = rows.iter().flat_map(|(_, e)| &e.misses).collect();
    if !misses.is_empty() {
        out.push_str("不一致：\n");
        for m in misses {
            out.push_str(m);
            out.push('\n');
        }
    }
    out
}

#[test]
fn seed_labels() {
    let (r, analysis) = evaluate_seed();
    println!("{}", r.tasks.table("种子通报：任务状态"));
    println!("{}", r.items.table("种子通报：任务、分项、单位部分的状态"));
    println!(
        "{}",
        extraction_table(
            "种子通报：抽取",
            &[
                ("单位部分", &r.units),
                ("日期", &r.dates),
                ("数字（已标注的任务）", &r.figures),
                ("序时进度", &r.pace),
            ]
        )
    );
    let counts: BTreeMap<&str, usize> = Status::ALL
        .iter()
        .map(|s| (s.code(), analysis.summary.of(*s)))
        .collect();
    println!("汇总：{counts:?}");
    // The fit set: every status item and every class right but at most one item.
    assert!(r.items.accuracy() >= 0.97, "{}", r.items.table("seed"));
    r.items.assert_bounds("seed", 2, 0.75, 0.75);
    assert!(r.units.precision() >= 0.95 && r.units.recall() >= 0.95);
    assert!(r.dates.precision() >= 0.9 && r.dates.recall() >= 0.9);
    assert!(r.figures.precision() >= 0.95 && r.figures.recall() >= 0.95);
    assert_eq!(r.pace.matched, r.pace.expected);
    assert_eq!(r.pace.found, r.pace.expected);
}

#[test]
fn constructed_labels() {
    let (r, reason_misses) = evaluate_cases(include_str!("../fixtures/analysis/constructed.json"));
    println!("{}", r.tasks.table("构造样例：任务状态"));
    println!("{}", r.items.table("构造样例：任务、分项、单位部分的状态"));
    println!(
        "{}",
        extraction_table(
            "构造样例：抽取",
            &[
                ("单位部分", &r.units),
                ("日期", &r.dates),
                ("数字", &r.figures),
                ("序时进度", &r.pace),
            ]
        )
    );
    // Held out: most cells right, and no class of five or more labels badly served.
    // Lagging and blocked recall matter most (a missed lag is a task nobody chases).
    assert!(
        r.items.accuracy() >= 0.85,
        "{}",
        r.items.table("constructed")
    );
    r.items.assert_bounds("constructed", 5, 0.8, 0.8);
    for class in [Status::Lagging, Status::Blocked] {
        let s = r.items.score(class);
        assert!(s.recall().unwrap_or(0.0) >= 0.85, "{} recall", class.code());
    }
    assert!(reason_misses.is_empty(), "{reason_misses:#?}");
    assert!(r.dates.recall() >= 0.8 && r.dates.precision() >= 0.8);
    assert!(r.figures.recall() >= 0.9 && r.figures.precision() >= 0.9);
    assert!(r.units.recall() >= 0.9 && r.units.precision() >= 0.9);
}

#[test]
fn holdout_labels() {
    let (r, reason_misses) = evaluate_cases(include_str!("../fixtures/analysis/holdout.json"));
    println!("{}", r.items.table("留出样例：任务、分项、单位部分的状态"));
    println!(
        "{}",
        extraction_table(
            "留出样例：抽取",
            &[
                ("单位部分", &r.units),
                ("日期", &r.dates),
                ("数字", &r.figures),
                ("序时进度", &r.pace),
            ]
        )
    );
    println!("原因不一致：{reason_misses:?}");
    // First run (before the fixes it prompted) was 0.878; guard what was reached since,
    // leaving room for one or two misses (deferral wording is a known one).
    assert!(r.items.accuracy() >= 0.9, "{}", r.items.table("holdout"));
    for class in [Status::Lagging, Status::Blocked] {
        let s = r.items.score(class);
        assert!(s.recall().unwrap_or(0.0) >= 0.8, "{} recall", class.code());
    }
    assert!(reason_misses.is_empty(), "{reason_misses:#?}");
}

/// A labelled percentage cell with the notice head its period is read from.
#[derive(Deserialize)]
struct PercentCase {
    id: String,
    notice: NoticeHead,
    task: String,
    #[serde(default)]
    deadline: Option<String>,
    progress: String,
    status: Status,
    #[serde(default)]
    period: Option<PeriodLabel>,
    #[serde(default)]
    reason_code: Option<String>,
    #[serde(default)]
    pace: Option<String>,
}

#[derive(Deserialize)]
struct NoticeHead {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    table_title: Option<String>,
    #[serde(default)]
    body: Vec<String>,
    #[serde(default)]
    date: Option<NaiveDate>,
    #[serde(default)]
    round: Option<RoundLabel>,
}

#[derive(Deserialize)]
struct RoundLabel {
    label: String,
    due: NaiveDate,
}

#[derive(Deserialize)]
struct PeriodLabel {
    end: NaiveDate,
    source: PeriodSource,
}

#[derive(Deserialize)]
struct PercentSet {
    cases: Vec<PercentCase>,
}

/// Status per cell, plus every other disagreement (period, reason, pace, explanation).
fn evaluate_percent_cases(json: &str) -> (Confusion, Vec<String>) {
    let set: PercentSet = serde_json::from_str(json).expect("labelled percentage cases");
    let mut confusion = Confusion::default();
    let mut misses = Vec::new();
    for case in &set.cases {
        let mut task = case_task(&Case {
            id: case.id.clone(),
            progress: case.progress.clone(),
            status: case.status,
            task: case.task.clone(),
            as_of: None,
            repeat: None,
            units: Vec::new(),
            pace: None,
            subitems: Vec::new(),
            unit_parts: None,
            deadlines: None,
            figures: None,
            reason_code: None,
        });
        task.deadline = case.deadline.clone();
        let notice = Notice {
            document: Document {
                title: case.notice.title.clone(),
                table_title: case.notice.table_title.clone(),
                body: case.notice.body.clone(),
                date: case.notice.date,
                ..Document::default()
            },
            tasks: vec![task],
            ..Notice::default()
        };
        let context = match &case.notice.round {
            Some(r) => AnalysisContext::for_round(
                &notice,
                RoundPeriod {
                    label: &r.label,
                    due: r.due,
                },
                None,
            ),
            None => AnalysisContext::for_notice(&notice, None),
        };
        let t = analyse_task(&notice.tasks[0], &context);
        let id = &case.id;
        confusion.add(case.status, t.status, id);
        let got_period = context.period.as_ref().map(|p| (p.end, p.source));
        let want_period = case.period.as_ref().map(|p| (p.end, p.source));
        if want_period.is_some() && got_period != want_period {
            misses.push(format!(
                "{id}: 期间标注 {want_period:?}，得到 {got_period:?}"
            ));
        }
        let got_reason = t
            .reason
            .as_ref()
            .and_then(|r| serde_json::to_value(r.code).ok())
            .and_then(|v| v.as_str().map(str::to_string));
        if case.reason_code.is_some() && got_reason != case.reason_code {
            misses.push(format!(
                "{id}: 原因 {:?}，得到 {got_reason:?}",
                case.reason_code
            ));
        }
        if case.pace.is_some() && pace_code(&t) != case.pace {
            misses.push(format!(
                "{id}: 序时 {:?}，得到 {:?}",
                case.pace,
                pace_code(&t)
            ));
        }
        // Judged against a period: the explanation names the share and the period's source.
        if let (Some(pace), Some(period)) = (t.pace.as_ref(), context.period.as_ref()) {
            let source = period.source.label();
            for check in &pace.checks {
                let percent_cell = check
                    .phrase
                    .starts_with(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c));
                let share = if percent_cell {
                    format!("序时进度 {:.1}%", check.expected)
                } else {
                    format!("应达{:.1}%", check.expected)
                };
                let decided = percent_cell || t.status == Status::Lagging;
                let uses_period = percent_cell || check.basis.contains(source);
                if decided
                    && uses_period
                    && !(t.explanation.contains(&share) && t.explanation.contains(source))
                {
                    misses.push(format!(
                        "{id}: 说明未写明“{share}”和“{source}”：{}",
                        t.explanation
                    ));
                }
            }
        }
    }
    (confusion, misses)
}

#[test]
fn percent_labels() {
    let (c, misses) = evaluate_percent_cases(include_str!("../fixtures/analysis/percent.json"));
    println!("{}", c.table("百分比样例：任务状态"));
    println!("其他不一致：{misses:#?}");
    assert!(c.accuracy() >= 0.95, "{}", c.table("percent"));
    c.assert_bounds("percent", 3, 0.9, 0.9);
    assert!(misses.is_empty(), "{misses:#?}");
}

#[test]
fn percent_holdout_labels() {
    let (c, misses) =
        evaluate_percent_cases(include_str!("../fixtures/analysis/percent_holdout.json"));
    println!("{}", c.table("百分比留出样例：任务状态"));
    println!("其他不一致：{misses:#?}");
    // First run 0.895 (34 of 38: `95%。`, `约90%`, `完成95%`, `90%以上` were not read as
    // percentages); guard what was reached since, with room for a miss or two.
    assert!(c.accuracy() >= 0.9, "{}", c.table("percent holdout"));
    c.assert_bounds("percent holdout", 3, 0.85, 0.85);
    assert!(misses.is_empty(), "{misses:#?}");
}
