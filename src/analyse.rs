//! `duban analyse DOC_NUMBER --format json|text`: the progress-text analysis of a stored
//! notice (`duban_domain::analysis`), as the JSON of `docs/analysis.md` or as a Chinese
//! report for reading in a terminal.

use std::fmt::Write as _;

use anyhow::{Context, Result};
use duban_domain::Notice;
use duban_domain::analysis::{
    AsOfSource, NaiveDate, NoticeAnalysis, PaceJudgement, PartResolution, Status, TaskAnalysis,
    analyse_notice,
};

/// The analysis as a serialisable value; `as_of` defaults to the notice's 成文日期.
pub fn analyse_report(notice: &Notice, as_of: Option<NaiveDate>) -> NoticeAnalysis {
    analyse_notice(notice, as_of)
}

/// The analysis as pretty-printed JSON (`docs/analysis.md`).
pub fn analyse_json(notice: &Notice, as_of: Option<NaiveDate>) -> Result<String> {
    serde_json::to_string_pretty(&analyse_report(notice, as_of)).context("分析结果无法写成 JSON")
}

/// Reads `--as-of`: `2020-10-15`, `2020年10月15日`, `二〇二〇年十月十五日`.
pub fn parse_as_of(text: &str) -> Result<NaiveDate> {
    duban_domain::parse_chinese_date(text)
        .with_context(|| format!("--as-of 的日期“{}”无法识别，应写作 2020-10-15", text.trim()))
}

/// Most figures listed per task in the text form.
const MAX_FIGURES: usize = 8;
/// Most evidence phrases quoted per task in the text form.
const MAX_QUOTES: usize = 5;

/// The analysis as a Chinese report: totals, the tasks that need attention, then every
/// task with its judgment, evidence, parts, dates, figures and pace.
pub fn analyse_text(notice: &Notice, as_of: Option<NaiveDate>) -> String {
    render_text(&analyse_report(notice, as_of))
}

fn render_text(a: &NoticeAnalysis) -> String {
    let mut out = String::new();
    let doc = a.doc_number.as_deref().unwrap_or("（无文号）");
    let _ = writeln!(out, "{doc} 落实情况分析");
    if let Some(title) = &a.title {
        let _ = writeln!(out, "{title}");
    }
    match (a.as_of, a.as_of_source) {
        (Some(d), AsOfSource::Given) => {
            let _ = writeln!(out, "分析日期：{}（指定）", date(d));
        }
        (Some(d), _) => {
            let _ = writeln!(out, "分析日期：{}（文档成文日期）", date(d));
        }
        (None, _) => {
            let _ = writeln!(
                out,
                "分析日期：未知（文档无成文日期，未判断序时进度和逾期）"
            );
        }
    }
    match &a.period {
        Some(p) => {
            let _ = writeln!(out, "统计期间：{}（至{}）", p.described(), date(p.end));
        }
        None => {
            let _ = writeln!(
                out,
                "统计期间：未能确定（只填百分比的任务无法按序时进度判断）"
            );
        }
    }
    let s = &a.summary;
    let _ = writeln!(
        out,
        "共{}项：已完成{}项，推进中{}项，滞后{}项，受阻{}项，未启动{}项，无法判断{}项；内部情况不一{}项，逾期{}项，欠序时{}项。",
        s.total,
        s.done,
        s.in_progress,
        s.lagging,
        s.blocked,
        s.not_started,
        s.unknown,
        s.mixed,
        s.overdue,
        s.behind_pace
    );
    let _ = writeln!(
        out,
        "以下判断由系统根据落实情况文字自动给出，请督查人员核实。"
    );

    let attention: Vec<&TaskAnalysis> = a.tasks.iter().filter(|t| needs_attention(t)).collect();
    if !attention.is_empty() {
        let _ = writeln!(out, "\n【需关注】");
        for t in attention {
            let _ = writeln!(out, "任务{}：{}", t.number, attention_line(t));
        }
    }

    let _ = writeln!(out, "\n【逐项】");
    for t in &a.tasks {
        task_text(&mut out, t);
    }
    out
}

fn date(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

fn is_bad(status: Status) -> bool {
    matches!(
        status,
        Status::Lagging | Status::Blocked | Status::NotStarted | Status::Unknown
    )
}

fn needs_attention(t: &TaskAnalysis) -> bool {
    is_bad(t.status)
        || t.overdue
        || t.pace
            .as_ref()
            .is_some_and(|p| p.judgement == PaceJudgement::Behind)
        || t.subitems
            .iter()
            .any(|s| is_bad(s.status) && s.at.is_some())
        || t.unit_parts.iter().any(|p| is_bad(p.status))
        || t.unit_parts
            .iter()
            .any(|p| p.resolution == PartResolution::ProbableTypo)
}

fn attention_line(t: &TaskAnalysis) -> String {
    let mut notes = vec![t.status_label.clone()];
    if t.overdue
        && let Some(due) = t.due
    {
        notes.push(format!("已过截止时限{}", date(due)));
    }
    if let Some(p) = &t.pace
        && p.judgement == PaceJudgement::Behind
    {
        notes.push("欠序时".to_string());
    }
    for s in t
        .subitems
        .iter()
        .filter(|s| is_bad(s.status) && s.at.is_some())
    {
        notes.push(format!("分项{}{}", s.label, s.status_label));
    }
    for p in t.unit_parts.iter().filter(|p| is_bad(p.status)) {
        notes.push(format!("{}部分{}", p.unit, p.status_label));
    }
    for p in t
        .unit_parts
        .iter()
        .filter(|p| p.resolution == PartResolution::ProbableTypo)
    {
        if let Some(probable) = &p.probable {
            notes.push(format!("“{}”疑为“{probable}”笔误", p.written_as));
        }
    }
    notes.join("；")
}

fn task_text(out: &mut String, t: &TaskAnalysis) {
    let mixed = if t.mixed {
        "（内部情况不一）"
    } else {
        ""
    };
    let _ = writeln!(out, "\n任务{}  {}{mixed}", t.number, t.status_label);
    let _ = writeln!(out, "  判断：{}", t.explanation);
    if !t.evidence.is_empty() {
        let quotes: Vec<String> = t
            .evidence
            .iter()
            .take(MAX_QUOTES)
            .map(|e| format!("“{}”〔{}〕", e.text, e.label))
            .collect();
        let more = t.evidence.len().saturating_sub(MAX_QUOTES);
        let tail = if more > 0 {
            format!(" 等{}处", t.evidence.len())
        } else {
            String::new()
        };
        let _ = writeln!(out, "  依据：{}{tail}", quotes.join("、"));
    }
    for s in &t.subitems {
        let _ = writeln!(
            out,
            "  分项{} {}：{}",
            s.label, s.status_label, s.explanation
        );
    }
    for p in &t.unit_parts {
        let name = match (&p.probable, p.resolution) {
            (Some(probable), _) => format!("{}（疑为“{probable}”笔误，未改动）", p.written_as),
            (None, PartResolution::Exact) => p.unit.clone(),
            (None, PartResolution::Unknown) => format!("{}（单位名录中没有）", p.written_as),
            (None, r) => format!("{}（原文“{}”，{}）", p.unit, p.written_as, r.label()),
        };
        let _ = writeln!(out, "  单位 {name}：{}，{}", p.status_label, p.explanation);
    }
    if !t.deadlines.is_empty() {
        let dates: Vec<String> = t
            .deadlines
            .iter()
            .map(|d| {
                let when = d.date.map_or("日期不明".to_string(), date);
                format!("“{}”→{when}（{}）", d.phrase, d.kind.label())
            })
            .collect();
        let _ = writeln!(out, "  时间：{}", dates.join("；"));
    }
    match (t.due, t.overdue, t.ongoing) {
        (Some(due), true, _) => {
            let _ = writeln!(out, "  时限：{}，已逾期", date(due));
        }
        (Some(due), false, _) => {
            let _ = writeln!(out, "  时限：{}", date(due));
        }
        (None, _, true) => {
            let _ = writeln!(out, "  时限：无截止日期（常态化或持续性工作，不判逾期）");
        }
        (None, _, false) => {}
    }
    if !t.figures.is_empty() {
        let figures: Vec<String> = t
            .figures
            .iter()
            .take(MAX_FIGURES)
            .map(|f| {
                if f.measure.is_empty() {
                    f.written.clone()
                } else {
                    format!("{}（{}）", f.written, f.measure)
                }
            })
            .collect();
        let more = if t.figures.len() > MAX_FIGURES {
            format!(" 等{}个", t.figures.len())
        } else {
            String::new()
        };
        let _ = writeln!(out, "  数字：{}{more}", figures.join("；"));
    }
    if let Some(p) = &t.pace {
        let checks: Vec<String> = p
            .checks
            .iter()
            .map(|c| format!("“{}”{}（{}）", c.phrase, c.judgement.label(), c.basis))
            .collect();
        let _ = writeln!(
            out,
            "  序时进度：{}；{}",
            p.judgement.label(),
            checks.join("；")
        );
    }
}
