//! The parts of a progress cell: sub-items ①…⑳ and the parts written by each unit.
//!
//! Unit parts are found in this order; the first way that finds any is used:
//!
//! 1. labels: bold runs ending in `：` (`<b>区住建局：</b>`) and `名称：` at the start of a
//!    paragraph or sentence, when the name resolves in the directory, is one character
//!    from a unit (a probable typo, flagged and not applied), or ends like a unit name
//!    (`局`, `办`, `中心` …);
//! 2. unit names at sentence starts (`区工信局依托…。区发改局申报…`), when the cell's first
//!    sentence starts with one; only names the directory resolves (exactly, by alias or
//!    as a short form) count, and a sentence naming the same unit continues its part.

use serde::{Deserialize, Serialize};

use super::text::{Span, sentences, trim_span};
use crate::rich_text::RichText;
use crate::subitem::SubItemLabel;
use crate::unit::{Resolution, UnitDirectory, has_unit_suffix};

/// How a unit part's written name matched the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartResolution {
    Exact,
    Alias,
    ShortForm,
    /// A directory name written with an administrative prefix (`区消防救援大队`).
    Prefixed,
    /// Not a known unit but one character from one (`区域管局` → `区城管局`): kept as
    /// written, the probable unit shown for the supervisor to confirm.
    ProbableTypo,
    Unknown,
}

impl PartResolution {
    pub fn label(self) -> &'static str {
        match self {
            PartResolution::Exact => "规范名称",
            PartResolution::Alias => "别名",
            PartResolution::ShortForm => "简称",
            PartResolution::Prefixed => "加前缀的全称",
            PartResolution::ProbableTypo => "疑似笔误",
            PartResolution::Unknown => "名录中没有",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawSubItem {
    pub label: SubItemLabel,
    /// The marker itself.
    pub marker: Span,
    /// The text after the marker up to the next marker.
    pub span: Span,
}

/// Sub-item markers in order (①, ②, ③ …); a marker out of order is text.
pub(crate) fn subitems(text: &str) -> Vec<RawSubItem> {
    let mut markers: Vec<(usize, SubItemLabel)> = Vec::new();
    for (at, c) in text.char_indices() {
        if let Some(label) = SubItemLabel::from_char(c) {
            let expected = markers.last().map_or(1, |(_, l)| l.number() + 1);
            if label.number() == expected {
                markers.push((at, label));
            }
        }
    }
    let mut out = Vec::with_capacity(markers.len());
    for (i, &(at, label)) in markers.iter().enumerate() {
        let start = at + label.as_char().len_utf8();
        let end = markers.get(i + 1).map_or(text.len(), |(next, _)| *next);
        out.push(RawSubItem {
            label,
            marker: Span::new(at, start),
            span: trim_span(text, Span::new(start, end)),
        });
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawUnitPart {
    pub written: String,
    pub unit: String,
    pub resolution: PartResolution,
    pub probable: Option<String>,
    /// The part's text (after a label's colon; including the name for sentence starts).
    pub span: Span,
    /// Where the part begins in the text, its label included.
    pub start: usize,
}

struct Label {
    name: Span,
    /// Where the part's text starts.
    body: usize,
}

pub(crate) fn unit_parts(rich: &RichText, text: &str, units: &UnitDirectory) -> Vec<RawUnitPart> {
    let mut labels = bold_labels(rich, text, units);
    for l in colon_labels(text, units) {
        if !labels.iter().any(|x| x.name.start == l.name.start) {
            labels.push(l);
        }
    }
    labels.sort_by_key(|l| l.name.start);
    if labels.is_empty() {
        return sentence_start_parts(text, units);
    }
    let mut out = Vec::new();
    for (i, label) in labels.iter().enumerate() {
        let end = labels.get(i + 1).map_or(text.len(), |n| n.name.start);
        let written = text[label.name.start..label.name.end].to_string();
        let (unit, resolution, probable) = resolve(&written, units);
        out.push(RawUnitPart {
            written,
            unit,
            resolution,
            probable,
            span: trim_span(text, Span::new(label.body.min(end), end)),
            start: label.name.start,
        });
    }
    out
}

fn resolve(written: &str, units: &UnitDirectory) -> (String, PartResolution, Option<String>) {
    let name_of = |i: usize| units.units.get(i).map(|u| u.name.clone());
    match units.resolve(written) {
        Resolution::Exact(i) => (
            name_of(i).unwrap_or_else(|| written.to_string()),
            PartResolution::Exact,
            None,
        ),
        Resolution::Alias(i) => (
            name_of(i).unwrap_or_else(|| written.to_string()),
            PartResolution::Alias,
            None,
        ),
        Resolution::ShortForm(i) => (
            name_of(i).unwrap_or_else(|| written.to_string()),
            PartResolution::ShortForm,
            None,
        ),
        // 区消防救援大队 for 消防救援大队: the directory name with an administrative prefix.
        Resolution::Unknown => match (prefixed(written, units), units.probable_typo(written)) {
            (Some(unit), _) => (unit, PartResolution::Prefixed, None),
            (None, Some(u)) => (
                written.to_string(),
                PartResolution::ProbableTypo,
                Some(u.name.clone()),
            ),
            (None, None) => (written.to_string(), PartResolution::Unknown, None),
        },
    }
}

/// Administrative prefixes a writer may add to a unit's directory name.
const PREFIXES: &[&str] = &["区", "市", "县", "鲤城区", "鲤城"];

fn prefixed(written: &str, units: &UnitDirectory) -> Option<String> {
    PREFIXES.iter().find_map(|p| {
        let rest = written.strip_prefix(p)?;
        match units.resolve(rest) {
            Resolution::Exact(i) | Resolution::Alias(i) => {
                units.units.get(i).map(|u| u.name.clone())
            }
            _ => None,
        }
    })
}

fn acceptable_label(name: &str, units: &UnitDirectory) -> bool {
    let n = name.chars().count();
    (2..=20).contains(&n)
        && !name.contains(['，', ',', '、', '。', '；'])
        && !name.starts_with(|c| SubItemLabel::from_char(c).is_some())
        && (units.resolve(name) != Resolution::Unknown
            || units.probable_typo(name).is_some()
            || has_unit_suffix(name))
}

fn bold_labels(rich: &RichText, text: &str, units: &UnitDirectory) -> Vec<Label> {
    let mut out = Vec::new();
    let mut offset = 0usize;
    for (k, paragraph) in rich.paragraphs.iter().enumerate() {
        if k > 0 {
            offset += 1;
        }
        for run in &paragraph.runs {
            let start = offset;
            offset += run.text.len();
            if !run.bold {
                continue;
            }
            let Some(raw) = text.get(start..offset) else {
                continue;
            };
            let trimmed_end = raw.trim_end();
            let Some(name) = trimmed_end
                .strip_suffix('：')
                .or_else(|| trimmed_end.strip_suffix(':'))
            else {
                continue;
            };
            let lead = name.len() - name.trim_start().len();
            let name = name.trim();
            if acceptable_label(name, units) {
                out.push(Label {
                    name: Span::new(start + lead, start + lead + name.len()),
                    body: start + trimmed_end.len(),
                });
            }
        }
    }
    out
}

fn colon_labels(text: &str, units: &UnitDirectory) -> Vec<Label> {
    let mut out = Vec::new();
    for s in sentences(text, Span::new(0, text.len())) {
        let body = &text[s.start..s.end];
        let Some((pos, colon)) = body
            .char_indices()
            .take(17)
            .find(|(_, c)| matches!(c, '：' | ':'))
        else {
            continue;
        };
        let name = body[..pos].trim();
        if acceptable_label(name, units) {
            let lead = body[..pos].len() - body[..pos].trim_start().len();
            out.push(Label {
                name: Span::new(s.start + lead, s.start + lead + name.len()),
                body: s.start + pos + colon.len_utf8(),
            });
        }
    }
    out
}

/// The directory name (or alias, or short form) that `rest` starts with.
fn unit_prefix(rest: &str, units: &UnitDirectory) -> Option<usize> {
    let mut best: Option<usize> = None;
    for unit in &units.units {
        for name in std::iter::once(&unit.name).chain(&unit.aliases) {
            if rest.starts_with(name.as_str()) && best.is_none_or(|b| name.len() > b) {
                best = Some(name.len());
            }
        }
    }
    if best.is_some() {
        return best;
    }
    let ends: Vec<usize> = rest
        .char_indices()
        .skip(1)
        .take(12)
        .map(|(i, c)| i + c.len_utf8())
        .collect();
    ends.into_iter().rev().find(|&end| {
        let candidate = &rest[..end];
        has_unit_suffix(candidate) && matches!(units.resolve(candidate), Resolution::ShortForm(_))
    })
}

fn sentence_start_parts(text: &str, units: &UnitDirectory) -> Vec<RawUnitPart> {
    let all = sentences(text, Span::new(0, text.len()));
    let starts: Vec<(usize, usize)> = all
        .iter()
        .filter_map(|s| unit_prefix(&text[s.start..s.end], units).map(|len| (s.start, len)))
        .collect();
    match (all.first(), starts.first()) {
        (Some(first), Some((at, _))) if first.start == *at => {}
        _ => return Vec::new(),
    }
    let mut out: Vec<RawUnitPart> = Vec::new();
    for (i, &(at, len)) in starts.iter().enumerate() {
        let written = text[at..at + len].to_string();
        let (unit, resolution, probable) = resolve(&written, units);
        let end = starts.get(i + 1).map_or(text.len(), |(next, _)| *next);
        if let Some(last) = out.last_mut()
            && last.unit == unit
        {
            last.span = trim_span(text, Span::new(last.span.start, end));
            continue;
        }
        out.push(RawUnitPart {
            written,
            unit,
            resolution,
            probable,
            span: trim_span(text, Span::new(at, end)),
            start: at,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rich_text::Run;

    fn directory(names: &[&str]) -> UnitDirectory {
        let mut d = UnitDirectory::default();
        for n in names {
            d.insert(n);
        }
        d
    }

    #[test]
    fn subitems_with_offsets() {
        let t = "①甲已完成。②乙正在推进；③丙";
        let s = subitems(t);
        assert_eq!(s.len(), 3);
        assert_eq!(&t[s[1].span.start..s[1].span.end], "乙正在推进；");
    }

    #[test]
    fn bold_labels_with_typo() {
        let mut rich = RichText::default();
        rich.push_paragraph(vec![
            Run {
                text: "区域管局：".into(),
                bold: true,
            },
            Run {
                text: "正在推进。".into(),
                bold: false,
            },
            Run {
                text: "区住建局：".into(),
                bold: true,
            },
            Run {
                text: "已完成。".into(),
                bold: false,
            },
        ]);
        let text = rich.plain_text();
        let d = directory(&["区城管局", "区住建局"]);
        let parts = unit_parts(&rich, &text, &d);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].unit, "区域管局");
        assert_eq!(parts[0].resolution, PartResolution::ProbableTypo);
        assert_eq!(parts[0].probable.as_deref(), Some("区城管局"));
        assert_eq!(&text[parts[1].span.start..parts[1].span.end], "已完成。");
    }

    #[test]
    fn sentence_start_names_and_short_forms() {
        let text = "区工信局依托平台开展工作。共获得授信。商务局指导企业申报。区工信局另行推进。";
        let rich = RichText::plain(text);
        let d = directory(&["区工信局", "区商务局"]);
        let parts = unit_parts(&rich, text, &d);
        let units: Vec<(&str, &str)> = parts
            .iter()
            .map(|p| (p.unit.as_str(), p.written.as_str()))
            .collect();
        assert_eq!(
            units,
            [
                ("区工信局", "区工信局"),
                ("区商务局", "商务局"),
                ("区工信局", "区工信局")
            ]
        );
        // Not when the cell does not start with a unit.
        let text = "①江南新区：已委托。区住建局将督促业主单位。";
        assert!(unit_parts(&RichText::plain(text), text, &d).is_empty());
    }
}
