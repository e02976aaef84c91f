//! Cells the rules cannot read: they get `unknown` with a reason instead of a guess.

use serde::{Deserialize, Serialize};

use super::text::{digit_value, is_han};

/// Longest cell read, in characters. The seed's longest is under 1,000; a cell of
/// 5,000 characters is a pasted report, not a progress note.
pub const MAX_CHARS: usize = 5000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// No progress text.
    Empty,
    /// `无`, `/`, `——`, `同上` …
    Placeholder,
    /// Only digits and symbols.
    NumbersOnly,
    /// Only symbols or emoji.
    NoText,
    TooLong,
    /// Replacement characters from a wrong encoding.
    Garbled,
    /// No Chinese at all.
    Foreign,
    /// Chinese mixed with a large share of another script.
    MixedScripts,
    /// Text without any cue of progress.
    NoCues,
    /// Figures without any cue of progress.
    FiguresOnly,
    /// A sub-item the progress text does not report on.
    NotReported,
    /// Only a percentage, and no period to judge it against (no period phrase, round
    /// or date).
    NoPeriod,
    /// Only a percentage, for a task with neither a yearly target nor a deadline.
    NoTarget,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownReason {
    pub code: ReasonCode,
    /// Chinese, for the supervisor.
    pub message: String,
}

impl UnknownReason {
    pub fn new(code: ReasonCode, message: impl Into<String>) -> Self {
        UnknownReason {
            code,
            message: message.into(),
        }
    }
}

const PLACEHOLDERS: &[&str] = &[
    "无",
    "暂无",
    "/",
    "／",
    "-",
    "—",
    "——",
    "－",
    "…",
    "……",
    "...",
    "空",
    "略",
    "同上",
    "见上",
    "待填报",
    "未填报",
    "未报送",
    "未反馈",
    "无进展情况",
    "N/A",
    "n/a",
    "NA",
    "null",
    "NULL",
];

pub(crate) fn check(text: &str) -> Option<UnknownReason> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Some(UnknownReason::new(ReasonCode::Empty, "落实情况为空"));
    }
    if PLACEHOLDERS.contains(&trimmed) {
        return Some(UnknownReason::new(
            ReasonCode::Placeholder,
            format!("落实情况未填写实际内容（“{trimmed}”）"),
        ));
    }
    let total = trimmed.chars().count();
    if total > MAX_CHARS {
        return Some(UnknownReason::new(
            ReasonCode::TooLong,
            format!("落实情况过长（{total}字，超过{MAX_CHARS}字），请人工阅读或分段填报"),
        ));
    }
    let mut han = 0usize;
    let mut latin = 0usize;
    let mut digits = 0usize;
    let mut garbled = 0usize;
    let mut other = 0usize;
    let mut scripts: Vec<&'static str> = Vec::new();
    for c in trimmed.chars() {
        if is_han(c) {
            han += 1;
        } else if c.is_ascii_alphabetic() || (('Ａ'..='ｚ').contains(&c) && c.is_alphabetic()) {
            latin += 1;
        } else if digit_value(c).is_some() {
            digits += 1;
        } else if c == '\u{FFFD}' {
            garbled += 1;
        } else if c.is_alphabetic() {
            other += 1;
            let name = script_name(c);
            if !scripts.contains(&name) {
                scripts.push(name);
            }
        }
    }
    if garbled >= 3 || (garbled > 0 && garbled * 50 >= total) {
        return Some(UnknownReason::new(
            ReasonCode::Garbled,
            "含乱码字符（�），可能是编码错误，请核对原文",
        ));
    }
    if han == 0 && latin == 0 && other == 0 {
        return Some(if digits > 0 {
            UnknownReason::new(ReasonCode::NumbersOnly, "只有数字，没有文字说明")
        } else {
            UnknownReason::new(ReasonCode::NoText, "没有可读的文字（只有符号或表情）")
        });
    }
    if han == 0 {
        return Some(UnknownReason::new(
            ReasonCode::Foreign,
            "没有中文内容，无法按中文表述判断",
        ));
    }
    if other > 0 && other * 5 >= han {
        return Some(UnknownReason::new(
            ReasonCode::MixedScripts,
            format!("中文与{}混杂，无法可靠判断", scripts.join("、")),
        ));
    }
    if latin > 2 * han && han < 20 {
        return Some(UnknownReason::new(
            ReasonCode::MixedScripts,
            "以外文为主，中文很少，无法可靠判断",
        ));
    }
    None
}

fn script_name(c: char) -> &'static str {
    match c as u32 {
        0x0370..=0x03FF => "希腊字母",
        0x0400..=0x052F => "西里尔字母",
        0x0590..=0x05FF => "希伯来字母",
        0x0600..=0x06FF | 0x0750..=0x077F => "阿拉伯字母",
        0x0E00..=0x0E7F => "泰文",
        0x1100..=0x11FF | 0xAC00..=0xD7AF | 0x3130..=0x318F => "韩文",
        0x3040..=0x30FF => "日文假名",
        0x0F00..=0x0FFF => "藏文",
        0x1800..=0x18AF => "蒙古文",
        0x00C0..=0x024F => "拉丁扩展字母",
        _ => "其他文字",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> Option<ReasonCode> {
        check(text).map(|r| r.code)
    }

    #[test]
    fn reasons() {
        assert_eq!(code(""), Some(ReasonCode::Empty));
        assert_eq!(code("  \n "), Some(ReasonCode::Empty));
        assert_eq!(code("无"), Some(ReasonCode::Placeholder));
        assert_eq!(code("12345 67.9%"), Some(ReasonCode::NumbersOnly));
        assert_eq!(code("👍👍"), Some(ReasonCode::NoText));
        assert_eq!(code("Work in progress"), Some(ReasonCode::Foreign));
        assert_eq!(code("работа идёт 正在推进"), Some(ReasonCode::MixedScripts));
        assert_eq!(
            code("工事は進行中です。完了しました"),
            Some(ReasonCode::MixedScripts)
        );
        assert_eq!(code(&"正在推进。".repeat(1200)), Some(ReasonCode::TooLong));
        assert_eq!(
            code("已完成\u{FFFD}\u{FFFD}\u{FFFD}"),
            Some(ReasonCode::Garbled)
        );
        assert_eq!(code("5G网络已建成，AA评级已通过 👍"), None);
    }
}
