//! The default wording of a round's notice, modelled on 泉鲤政办〔2020〕48号 and the
//! 通报 the samples show: what was done (the figures, from the table), what lags,
//! who reported late or not at all, and what is required next. Every number in it
//! comes from the table or the round; the office may reword any paragraph.

use serde::{Deserialize, Serialize};

use super::{Reporting, RoundFacts, TaskLine, UnitTasks};
use crate::analysis::{Status, StatusCounts};
use crate::document::Notice;

/// One paragraph of the body, and whether it stays out of the public variant (a
/// paragraph naming units called in for a talk (约谈), internal remarks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyParagraph {
    pub text: String,
    #[serde(default)]
    pub internal: bool,
}

impl BodyParagraph {
    fn public(text: String) -> Self {
        BodyParagraph {
            text,
            internal: false,
        }
    }
}

/// What the decomposition notice decomposed, as a notice names it:
/// `黄辉灿区长在区政府第一次全体会上的讲话部署` from
/// `…关于对黄辉灿区长在区政府第一次全体会上的讲话部署进行责任分解的通知`, or from an
/// earlier `…关于…落实情况的通报`.
pub fn matter(source: &Notice) -> String {
    let title = source.document.title.as_deref().unwrap_or_default();
    let title = join_broken_lines(title);
    let mut m = title.as_str();
    if let Some(issuer) = source.document.issuer.as_deref() {
        m = m.strip_prefix(issuer).unwrap_or(m);
    }
    if let Some(i) = m.find("关于") {
        m = &m[i + "关于".len()..];
    }
    m = m.strip_prefix("对").unwrap_or(m);
    m = m.strip_prefix("印发").unwrap_or(m);
    for suffix in [
        "进行责任分解的通知",
        "责任分解的通知",
        "责任分解方案的通知",
        "落实情况的通报",
        "的通知",
        "的通报",
    ] {
        if let Some(rest) = m.strip_suffix(suffix) {
            m = rest;
            break;
        }
    }
    let m = m.trim();
    if m.is_empty() {
        "有关工作部署".to_string()
    } else {
        m.to_string()
    }
}

/// Titles broken over lines keep spaces where the lines met (`黄辉灿区长 在区政府…`):
/// a space between two Chinese characters is dropped.
fn join_broken_lines(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            let before = i.checked_sub(1).and_then(|j| chars.get(j));
            let after = chars.get(i + 1);
            if before.is_some_and(|b| !b.is_ascii()) && after.is_some_and(|a| !a.is_ascii()) {
                continue;
            }
        }
        out.push(*c);
    }
    out
}

/// The document the round's tasks were assigned by, as the body cites it: the source
/// itself when it is the decomposition notice; when it is an earlier 落实情况通报 (as
/// the seed is), the decomposition notice that one cites (泉鲤政办〔2020〕44号).
pub fn cited_document(source: &Notice) -> (Option<String>, Option<String>) {
    let d = &source.document;
    let is_report = d
        .title
        .as_deref()
        .is_some_and(|t| t.trim_end().ends_with("通报"));
    match d.references.first() {
        Some(reference) if is_report => (
            reference.title.as_deref().map(join_broken_lines),
            Some(reference.doc_number.to_string()),
        ),
        _ => (
            d.title.as_deref().map(join_broken_lines),
            d.doc_number.as_ref().map(ToString::to_string),
        ),
    }
}

/// `第3项（区发改局）、第7项（区住建局、区财政局）`.
fn task_list(lines: &[&TaskLine]) -> String {
    lines
        .iter()
        .map(|l| format!("第{}项（{}）", l.number, l.lead_units.join("、")))
        .collect::<Vec<_>>()
        .join("、")
}

/// `区发改局（第3、5项）、区住建局（第7项）`.
fn unit_list(units: &[UnitTasks]) -> String {
    units
        .iter()
        .map(|u| {
            let tasks: Vec<String> = u.tasks.iter().map(u32::to_string).collect();
            format!("{}（第{}项）", u.unit, tasks.join("、"))
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// The default paragraphs.
pub fn default_body(
    source: &Notice,
    office: &str,
    matter: &str,
    round: &RoundFacts,
    lines: &[TaskLine],
    summary: &StatusCounts,
    reporting: &Reporting,
) -> Vec<BodyParagraph> {
    let mut body = Vec::new();
    let cited = match cited_document(source) {
        (Some(title), Some(number)) => format!("根据《{title}》（{number}）文件要求，"),
        (None, Some(number)) => format!("根据{number}文件要求，"),
        _ => String::new(),
    };
    let period = if round.imported {
        String::new()
    } else {
        round.label.clone()
    };
    body.push(BodyParagraph::public(format!(
        "{cited}{office}对各有关单位落实{matter}情况进行跟踪督查，现将{period}落实情况通报如下。"
    )));

    let mut overall = format!(
        "一、总体情况。{matter}共{}项任务，已完成{}项，推进中{}项，滞后{}项，受阻{}项",
        summary.total, summary.done, summary.in_progress, summary.lagging, summary.blocked
    );
    if summary.not_started > 0 {
        overall.push_str(&format!("，未启动{}项", summary.not_started));
    }
    if summary.unknown > 0 {
        overall.push_str(&format!("，无法判断{}项", summary.unknown));
    }
    overall.push('。');
    body.push(BodyParagraph::public(overall));

    let of = |status: Status| -> Vec<&TaskLine> {
        lines.iter().filter(|l| l.status == status).collect()
    };
    let (lagging, blocked) = (of(Status::Lagging), of(Status::Blocked));
    let problems = match (lagging.is_empty(), blocked.is_empty()) {
        (true, true) => "二、存在问题。本轮未发现进度滞后或推进受阻的任务。".to_string(),
        (false, true) => format!(
            "二、存在问题。进度滞后的任务：{}。请相关单位认真分析原因，制定有效措施，加快推进。",
            task_list(&lagging)
        ),
        (true, false) => format!(
            "二、存在问题。推进受阻的任务：{}。请相关单位主动协调，提出解决办法，必要时提请区政府研究。",
            task_list(&blocked)
        ),
        (false, false) => format!(
            "二、存在问题。进度滞后的任务：{}；推进受阻的任务：{}。请相关单位认真分析原因，制定有效措施，加快推进；需要协调解决的问题，必要时提请区政府研究。",
            task_list(&lagging),
            task_list(&blocked)
        ),
    };
    body.push(BodyParagraph::public(problems));

    let c = &reporting.counts;
    let mut reported = format!(
        "三、报送情况。本轮应报送{}份，按时报送{}份",
        c.expected, c.on_time
    );
    if c.late > 0 {
        reported.push_str(&format!("，逾期报送{}份", c.late));
    }
    if c.missing > 0 {
        reported.push_str(&format!("，未报送{}份", c.missing));
    }
    reported.push('。');
    if c.late > 0 {
        reported.push_str(&format!("逾期报送的单位：{}。", unit_list(&reporting.late)));
    }
    if c.missing > 0 {
        reported.push_str(&format!(
            "未报送的单位：{}。",
            unit_list(&reporting.missing)
        ));
    }
    body.push(BodyParagraph::public(reported));

    body.push(BodyParagraph::public(format!(
        "四、下一步工作要求。各有关单位要对照任务分工，紧盯时间节点，对滞后、受阻的任务逐项分析原因、落实措施，确保按期保质完成。{office}将持续跟踪督查，适时通报进展情况。"
    )));
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;

    fn notice(title: &str) -> Notice {
        Notice {
            document: Document {
                issuer: Some("泉州市鲤城区人民政府办公室".into()),
                title: Some(title.into()),
                ..Document::default()
            },
            ..Notice::default()
        }
    }

    #[test]
    fn the_matter_comes_from_the_source_title_once() {
        assert_eq!(
            matter(&notice(
                "泉州市鲤城区人民政府办公室关于对黄辉灿区长在区政府第一次全体会上的讲话部署进行责任分解的通知"
            )),
            "黄辉灿区长在区政府第一次全体会上的讲话部署"
        );
        assert_eq!(
            matter(&notice(
                "泉州市鲤城区人民政府办公室关于黄辉灿区长 在区政府第一次全体会上的讲话 部署落实情况的通报"
            )),
            "黄辉灿区长在区政府第一次全体会上的讲话部署"
        );
        assert_eq!(
            matter(&notice(
                "泉州市鲤城区人民政府办公室关于对区政府第12次常务会议议定事项进行责任分解的通知"
            )),
            "区政府第12次常务会议议定事项",
            "议定事项 once"
        );
        assert_eq!(
            matter(&notice(
                "关于印发《2021年政府工作报告》重点工作任务责任分解的通知"
            )),
            "《2021年政府工作报告》重点工作任务"
        );
    }
}
