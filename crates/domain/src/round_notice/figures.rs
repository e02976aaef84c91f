//! The figures a notice's body states, read back from its text and compared with the
//! attachment table: the generated wording states them from the table, and wording the
//! office edits is checked before issuing, figure by figure.

use serde::{Deserialize, Serialize};

use crate::analysis::{Status, StatusCounts};

/// What a figure in the body counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureName {
    Total,
    Status(Status),
    /// Reports the round expected.
    Expected,
    /// Reports submitted by the due date.
    OnTime,
    /// Reports submitted after the due date.
    Late,
    /// Reports not submitted (or sent back and not resubmitted).
    Missing,
}

impl FigureName {
    /// How the figure is written in a notice: the words around the number.
    fn phrases(self) -> &'static [(&'static str, &'static str)] {
        match self {
            FigureName::Total => &[("共", "项任务"), ("共", "项重点任务")],
            FigureName::Status(Status::Done) => &[("已完成", "项"), ("已办结", "项")],
            FigureName::Status(Status::InProgress) => &[("推进中", "项"), ("正在推进", "项")],
            FigureName::Status(Status::Lagging) => &[("滞后", "项"), ("进度滞后", "项")],
            FigureName::Status(Status::Blocked) => &[("受阻", "项")],
            FigureName::Status(Status::NotStarted) => &[("未启动", "项"), ("尚未启动", "项")],
            FigureName::Status(Status::Unknown) => &[("无法判断", "项")],
            FigureName::Expected => &[("应报送", "份")],
            FigureName::OnTime => &[("按时报送", "份")],
            FigureName::Late => &[("逾期报送", "份")],
            FigureName::Missing => &[("未报送", "份")],
        }
    }

    /// The figure's name in a message.
    pub fn label(self) -> &'static str {
        match self {
            FigureName::Total => "任务总数",
            FigureName::Status(s) => s.label(),
            FigureName::Expected => "应报送",
            FigureName::OnTime => "按时报送",
            FigureName::Late => "逾期报送",
            FigureName::Missing => "未报送",
        }
    }

    pub const ALL: [FigureName; 11] = [
        FigureName::Total,
        FigureName::Status(Status::Done),
        FigureName::Status(Status::InProgress),
        FigureName::Status(Status::Lagging),
        FigureName::Status(Status::Blocked),
        FigureName::Status(Status::NotStarted),
        FigureName::Status(Status::Unknown),
        FigureName::Expected,
        FigureName::OnTime,
        FigureName::Late,
        FigureName::Missing,
    ];
}

/// How the round's reports came in, counted per report (task × unit).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportingCounts {
    pub expected: usize,
    pub on_time: usize,
    pub late: usize,
    pub missing: usize,
}

/// The true value of a figure, from the table and the round.
pub fn table_value(name: FigureName, summary: &StatusCounts, reporting: &ReportingCounts) -> usize {
    match name {
        FigureName::Total => summary.total,
        FigureName::Status(s) => summary.of(s),
        FigureName::Expected => reporting.expected,
        FigureName::OnTime => reporting.on_time,
        FigureName::Late => reporting.late,
        FigureName::Missing => reporting.missing,
    }
}

/// A figure as the text states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatedFigure {
    pub name: FigureName,
    pub value: usize,
    /// The phrase as written (`滞后3项`).
    pub phrase: String,
}

/// A figure the text states differently from the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("正文中“{phrase}”与附件表不符：{label}应为 {table} {unit}，正文写的是 {text} {unit}")]
pub struct FigureMismatch {
    pub name: FigureName,
    pub label: String,
    pub phrase: String,
    pub text: usize,
    pub table: usize,
    /// 项 or 份.
    pub unit: String,
}

/// Every figure `text` states, in text order. Numbers may be written in Arabic or
/// Chinese numerals (`3项`, `三项`, `十二项`, `0项`, `零项`).
pub fn stated_figures(text: &str) -> Vec<StatedFigure> {
    let mut found: Vec<(usize, usize, FigureName, usize)> = Vec::new();
    for name in FigureName::ALL {
        for (before, after) in name.phrases() {
            for (start, _) in text.match_indices(before) {
                let number_at = start + before.len();
                let Some((value, len)) = leading_number(&text[number_at..]) else {
                    continue;
                };
                if text[number_at + len..].starts_with(after) {
                    found.push((start, number_at + len + after.len(), name, value));
                }
            }
        }
    }
    // Where phrases overlap (`进度滞后3项` holds `滞后3项`, `尚未启动` holds `未启动`),
    // the one starting first, the longer, is the figure.
    found.sort_by_key(|&(start, end, _, _)| (start, std::cmp::Reverse(end)));
    let mut out: Vec<StatedFigure> = Vec::new();
    let mut covered = 0;
    for (start, end, name, value) in found {
        if start < covered {
            continue;
        }
        covered = end;
        out.push(StatedFigure {
            name,
            value,
            phrase: text[start..end].to_string(),
        });
    }
    out
}

/// The figures of `text` that the table contradicts (none: the text may be issued).
pub fn check_figures(
    text: &str,
    summary: &StatusCounts,
    reporting: &ReportingCounts,
) -> Vec<FigureMismatch> {
    stated_figures(text)
        .into_iter()
        .filter_map(|f| {
            let table = table_value(f.name, summary, reporting);
            (table != f.value).then(|| FigureMismatch {
                name: f.name,
                label: f.name.label().to_string(),
                unit: match f.name {
                    FigureName::Expected
                    | FigureName::OnTime
                    | FigureName::Late
                    | FigureName::Missing => "份",
                    _ => "项",
                }
                .to_string(),
                phrase: f.phrase,
                text: f.value,
                table,
            })
        })
        .collect()
}

/// A number at the start of `text`, Arabic or Chinese, and its length in bytes.
fn leading_number(text: &str) -> Option<(usize, usize)> {
    let digits: usize = text
        .char_indices()
        .take_while(|(_, c)| c.is_ascii_digit())
        .map(|(i, c)| i + c.len_utf8())
        .last()
        .unwrap_or(0);
    if digits > 0 {
        return text[..digits].parse().ok().map(|n| (n, digits));
    }
    let len: usize = text
        .char_indices()
        .take_while(|(_, c)| "零〇一二两三四五六七八九十百千".contains(*c))
        .map(|(i, c)| i + c.len_utf8())
        .last()?;
    chinese_number(&text[..len]).map(|n| (n, len))
}

/// 零 … 九千九百九十九 (as notices write counts).
fn chinese_number(text: &str) -> Option<usize> {
    let digit = |c: char| {
        "零一二三四五六七八九".find(c).map(|i| i / 3).or(match c {
            '〇' => Some(0),
            '两' => Some(2),
            _ => None,
        })
    };
    let mut total = 0usize;
    let mut current: Option<usize> = None;
    for c in text.chars() {
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => {
                current = Some(digit(c)?);
                continue;
            }
        };
        total += current.take().unwrap_or(1) * unit;
    }
    Some(total + current.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_figures_in_both_numerals() {
        let text = "共35项任务，已完成2项，推进中二十九项，滞后两项，受阻2项。本轮应报送40份，按时报送38份，未报送2份。";
        let figures = stated_figures(text);
        let values: Vec<(FigureName, usize)> = figures.iter().map(|f| (f.name, f.value)).collect();
        assert_eq!(
            values,
            [
                (FigureName::Total, 35),
                (FigureName::Status(Status::Done), 2),
                (FigureName::Status(Status::InProgress), 29),
                (FigureName::Status(Status::Lagging), 2),
                (FigureName::Status(Status::Blocked), 2),
                (FigureName::Expected, 40),
                (FigureName::OnTime, 38),
                (FigureName::Missing, 2),
            ]
        );
        assert_eq!(figures[3].phrase, "滞后两项");
        assert_eq!(chinese_number("十二"), Some(12));
        assert_eq!(chinese_number("一百零五"), Some(105));
        assert_eq!(chinese_number("零"), Some(0));
    }

    #[test]
    fn a_wrong_figure_is_named_with_both_values() {
        let summary = StatusCounts {
            total: 35,
            done: 2,
            in_progress: 29,
            lagging: 2,
            blocked: 2,
            ..StatusCounts::default()
        };
        let reporting = ReportingCounts::default();
        assert!(check_figures("共35项任务，已完成2项，滞后2项。", &summary, &reporting).is_empty());
        let wrong = check_figures("共35项任务，已完成2项，进度滞后3项。", &summary, &reporting);
        assert_eq!(wrong.len(), 1);
        assert_eq!(
            wrong[0].to_string(),
            "正文中“进度滞后3项”与附件表不符：滞后应为 2 项，正文写的是 3 项"
        );
        // Text without figures has nothing to check.
        assert!(check_figures("请各单位抓好落实。", &summary, &reporting).is_empty());
    }
}
