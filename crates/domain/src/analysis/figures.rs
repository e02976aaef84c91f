//! Key figures: numbers with a unit of measure, rankings and growth rates, each with the
//! clause it stands in and a best-effort name of what it measures.

use serde::{Deserialize, Serialize};

use super::text::{
    Span, chinese_digit, chinese_number, clause_end, clause_start, digit_value, indexed,
    inside_any, is_han, sentence_start,
};

/// What kind of quantity a figure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureKind {
    /// 元, 万元, 亿元.
    Amount,
    /// A share or rate in %, not a growth rate.
    Percent,
    /// 同比增长 / 下降 / 比降 / 回升 … in % or 个百分点; negative for a fall.
    Growth,
    /// 排名全市第4位, 全市第一, 前三.
    Rank,
    /// 家, 个, 宗, 户, 幢, 项, 人 …
    Count,
    /// 亩, ㎡, 平方米, 公顷.
    Area,
    /// 公里, 米.
    Length,
    /// 吨, 千瓦 and other physical units.
    Other,
}

impl FigureKind {
    pub fn label(self) -> &'static str {
        match self {
            FigureKind::Amount => "金额",
            FigureKind::Percent => "比例",
            FigureKind::Growth => "增减",
            FigureKind::Rank => "排名",
            FigureKind::Count => "数量",
            FigureKind::Area => "面积",
            FigureKind::Length => "长度",
            FigureKind::Other => "其他",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawFigure {
    pub value: f64,
    pub unit: String,
    pub kind: FigureKind,
    /// The number and its unit.
    pub span: Span,
    /// The clause around it.
    pub clause: Span,
    pub measure: String,
    pub approx: bool,
}

/// Units, longest first within each group so `万平方米` wins over `平方米`.
const UNITS: &[(&str, FigureKind)] = &[
    ("个百分点", FigureKind::Growth),
    ("万平方米", FigureKind::Area),
    ("平方公里", FigureKind::Area),
    ("平方米", FigureKind::Area),
    ("万元", FigureKind::Amount),
    ("亿元", FigureKind::Amount),
    ("元", FigureKind::Amount),
    ("万亩", FigureKind::Area),
    ("亩", FigureKind::Area),
    ("公顷", FigureKind::Area),
    ("㎡", FigureKind::Area),
    ("m²", FigureKind::Area),
    ("公里", FigureKind::Length),
    ("千米", FigureKind::Length),
    ("米", FigureKind::Length),
    ("%", FigureKind::Percent),
    ("％", FigureKind::Percent),
    ("人次", FigureKind::Count),
    ("万户", FigureKind::Count),
    ("万人", FigureKind::Count),
    ("家", FigureKind::Count),
    ("个", FigureKind::Count),
    ("宗", FigureKind::Count),
    ("户", FigureKind::Count),
    ("幢", FigureKind::Count),
    ("栋", FigureKind::Count),
    ("项", FigureKind::Count),
    ("人", FigureKind::Count),
    ("名", FigureKind::Count),
    ("起", FigureKind::Count),
    ("处", FigureKind::Count),
    ("份", FigureKind::Count),
    ("座", FigureKind::Count),
    ("艘", FigureKind::Count),
    ("场", FigureKind::Count),
    ("条", FigureKind::Count),
    ("所", FigureKind::Count),
    ("套", FigureKind::Count),
    ("辆", FigureKind::Count),
    ("件", FigureKind::Count),
    ("台", FigureKind::Count),
    ("间", FigureKind::Count),
    ("批", FigureKind::Count),
    ("次", FigureKind::Count),
    ("万吨", FigureKind::Other),
    ("吨", FigureKind::Other),
    ("千瓦", FigureKind::Other),
    ("兆瓦", FigureKind::Other),
    ("万", FigureKind::Amount),
    ("亿", FigureKind::Amount),
];

/// Count units a Chinese numeral may carry (`两个央企项目`, `一宗坟墓`).
const CHINESE_COUNT_UNITS: &[&str] = &["个", "家", "宗", "项", "户", "幢", "名", "条", "座", "所"];

/// Words right before a rate that make it a growth rate; the negative ones flip its sign.
const GROWTH_UP: &[&str] = &[
    "同比增长",
    "增长",
    "增速",
    "增幅",
    "上升",
    "提高",
    "回升",
    "比增",
    "增加",
    "同比",
    "环比",
];
const GROWTH_DOWN: &[&str] = &[
    "同比下降",
    "下降",
    "减少",
    "比降",
    "回落",
    "降低",
    "下滑",
    "同比减少",
];

/// Leading words that are not part of what a figure measures.
const MEASURE_LEADS: &[&str] = &[
    "一是",
    "二是",
    "三是",
    "四是",
    "五是",
    "其中",
    "今年来",
    "今年以来",
    "目前",
    "现有",
    "共",
    "累计",
    "全年",
    "预计",
    "上半年",
    "前三季度",
    "完成",
    "实现",
    "提出",
    "确保",
    "为确保",
    "力争",
    "争取",
    "要",
    "我区",
    "截至目前",
    "已",
];
/// Trailing words that are not part of what a figure measures.
const MEASURE_TAILS: &[&str] = &[
    "完成",
    "实现",
    "达到",
    "为",
    "共",
    "累计",
    "总计",
    "共计",
    "金额",
    "计",
    "是",
    "同比增长",
    "同比下降",
    "同比上升",
    "同比",
    "增长",
    "下降",
    "上升",
    "提高",
    "减少",
    "回落",
    "下滑",
    "降低",
    "增速",
    "增幅",
    "比降",
    "回升",
    "超",
    "近",
    "逾",
    "的",
    "已",
];

pub(crate) fn extract(text: &str, within: Span, quoted: &[Span]) -> Vec<RawFigure> {
    let chars = indexed(text, within);
    let mut out: Vec<RawFigure> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if inside_any(quoted, at) {
            i += 1;
            continue;
        }
        let found = if c == '第' || c == '前' {
            rank_at(text, &chars, i, within)
        } else if digit_value(c).is_some() {
            number_at(text, &chars, i, within)
        } else if chinese_digit(c).is_some() {
            chinese_count_at(text, &chars, i, within)
        } else {
            None
        };
        match found {
            Some((mut figure, next)) => {
                figure.measure = measure(text, &figure, &out, within);
                out.push(figure);
                i = next;
            }
            None => i += 1,
        }
    }
    out
}

fn byte_end(chars: &[(usize, char)], i: usize, within: Span) -> usize {
    chars.get(i).map_or(within.end, |(b, _)| *b)
}

fn skip_spaces(chars: &[(usize, char)], mut i: usize) -> usize {
    while chars
        .get(i)
        .is_some_and(|(_, c)| *c == ' ' || *c == '\u{3000}' || *c == '\u{a0}')
    {
        i += 1;
    }
    i
}

fn starts_with_at(chars: &[(usize, char)], i: usize, word: &str) -> bool {
    let mut k = i;
    for w in word.chars() {
        match chars.get(k) {
            Some((_, c)) if *c == w => k += 1,
            _ => return false,
        }
    }
    true
}

/// An Arabic number with its unit: `420543 万元`, `67.9%`, `500余万元`, `40幢/宗`, `同比-2%`.
fn number_at(
    text: &str,
    chars: &[(usize, char)],
    start: usize,
    within: Span,
) -> Option<(RawFigure, usize)> {
    let prev = start.checked_sub(1).map(|p| chars[p].1);
    // Part of a code, a range or a bigger number: C12, 5G, 1-8月, 2017-2019年.
    if prev.is_some_and(|p| p.is_ascii_alphanumeric() || p == '.' || digit_value(p).is_some()) {
        return None;
    }
    let mut negative = false;
    if matches!(prev, Some('-' | '－' | '—' | '~' | '～')) {
        let before = start.checked_sub(2).map(|p| chars[p].1);
        if before.is_some_and(|b| digit_value(b).is_some() || b == ' ' || b == '月') {
            return None;
        }
        negative = true;
    }
    let mut i = start;
    let mut digits = String::new();
    while let Some(&(_, c)) = chars.get(i) {
        if let Some(d) = digit_value(c) {
            digits.push(char::from_digit(d, 10).unwrap_or('0'));
            i += 1;
        } else if c == ',' && thousands_follow(chars, i + 1) {
            i += 1;
        } else if (c == '.' || c == '．')
            && chars
                .get(i + 1)
                .is_some_and(|(_, n)| digit_value(*n).is_some())
        {
            digits.push('.');
            i += 1;
        } else {
            break;
        }
    }
    // A range start (1-8 月) is not a figure.
    if chars
        .get(i)
        .is_some_and(|(_, c)| matches!(c, '-' | '－' | '—' | '~' | '～' | '至'))
        && chars
            .get(i + 1)
            .is_some_and(|(_, n)| digit_value(*n).is_some())
    {
        return None;
    }
    let mut value: f64 = digits.parse().ok()?;
    let mut approx = false;
    let mut j = skip_spaces(chars, i);
    if chars.get(j).is_some_and(|(_, c)| matches!(c, '余' | '多')) {
        approx = true;
        j += 1;
    }
    let (unit, kind, after) = unit_at(chars, j)?;
    let mut unit = unit.to_string();
    let mut end = after;
    // 40幢/宗: two units for one count.
    if chars.get(end).is_some_and(|(_, c)| *c == '/')
        && let Some((second, _, after2)) = unit_at(chars, end + 1)
    {
        unit = format!("{unit}/{second}");
        end = after2;
    }
    // Durations and technical specs are not key figures: 6个月, 0.5个工作日.
    if unit == "个"
        && (starts_with_at(chars, end, "月")
            || starts_with_at(chars, end, "工作日")
            || starts_with_at(chars, end, "小时"))
    {
        return None;
    }
    if unit == "次" && starts_with_at(chars, end, "性") {
        return None;
    }
    let k = skip_spaces(chars, end);
    if starts_with_at(chars, k, "左右") || starts_with_at(chars, k, "以上") {
        approx = true;
    }
    let lead_start = clause_start(text, chars[start].0, within.start);
    let lead = &text[lead_start..chars[start].0];
    if lead.ends_with('约') || lead.ends_with('近') || lead.ends_with('超') || lead.ends_with('逾')
    {
        approx = true;
    }
    let mut kind = kind;
    if kind == FigureKind::Percent || (kind == FigureKind::Growth && unit == "个百分点") {
        let lead_trim = lead.trim_end_matches([' ', '了']);
        if GROWTH_DOWN.iter().any(|w| lead_trim.ends_with(w)) {
            kind = FigureKind::Growth;
            negative = !negative;
        } else if GROWTH_UP.iter().any(|w| lead_trim.ends_with(w))
            || negative
            || lead_trim.contains("增速")
            || lead_trim.contains("增幅")
        {
            kind = FigureKind::Growth;
        }
    }
    if negative {
        value = -value;
    }
    let span_start = if negative && prev.is_some_and(|p| matches!(p, '-' | '－')) {
        chars[start - 1].0
    } else {
        chars[start].0
    };
    let span = Span::new(span_start, byte_end(chars, end, within));
    Some((
        RawFigure {
            value,
            unit,
            kind,
            span,
            clause: clause_of(text, span, within),
            measure: String::new(),
            approx,
        },
        end,
    ))
}

fn thousands_follow(chars: &[(usize, char)], i: usize) -> bool {
    (0..3).all(|k| chars.get(i + k).is_some_and(|(_, c)| c.is_ascii_digit()))
        && !chars.get(i + 3).is_some_and(|(_, c)| c.is_ascii_digit())
}

fn unit_at(chars: &[(usize, char)], i: usize) -> Option<(&'static str, FigureKind, usize)> {
    UNITS
        .iter()
        .find(|(u, _)| starts_with_at(chars, i, u))
        .map(|(u, k)| (*u, *k, i + u.chars().count()))
}

/// `两个央企项目`, `一宗坟墓`, `三个工作小组`.
fn chinese_count_at(
    text: &str,
    chars: &[(usize, char)],
    start: usize,
    within: Span,
) -> Option<(RawFigure, usize)> {
    let prev = start.checked_sub(1).map(|p| chars[p].1);
    if prev.is_some_and(|p| {
        matches!(
            p,
            '第' | '初' | '每' | '某' | '哪' | '这' | '那' | '同' | '唯' | '统' | '单' | '逐'
        ) || chinese_digit(p).is_some()
    }) {
        return None;
    }
    let window: Vec<char> = chars[start..chars.len().min(start + 3)]
        .iter()
        .map(|x| x.1)
        .collect();
    let (value, used) = chinese_number(&window)?;
    let unit = CHINESE_COUNT_UNITS
        .iter()
        .find(|u| starts_with_at(chars, start + used, u))?;
    let end = start + used + unit.chars().count();
    // 一是, 一个月: not counts.
    if starts_with_at(chars, end, "月") || starts_with_at(chars, end, "是") {
        return None;
    }
    let span = Span::new(chars[start].0, byte_end(chars, end, within));
    Some((
        RawFigure {
            value: f64::from(value),
            unit: (*unit).to_string(),
            kind: FigureKind::Count,
            span,
            clause: clause_of(text, span, within),
            measure: String::new(),
            approx: false,
        },
        end,
    ))
}

/// `排名全市第 4 位`, `全市第一`, `排名全市前三`.
fn rank_at(
    text: &str,
    chars: &[(usize, char)],
    start: usize,
    within: Span,
) -> Option<(RawFigure, usize)> {
    let lead_start = clause_start(text, chars[start].0, within.start);
    let lead = &text[lead_start..chars[start].0];
    let scope = [
        "全市", "全省", "全区", "全国", "排名", "位居", "位列", "全县",
    ];
    if !scope.iter().any(|s| lead.trim_end().ends_with(s)) {
        return None;
    }
    let top = chars[start].1 == '前';
    let mut i = skip_spaces(chars, start + 1);
    let value = if chars.get(i).is_some_and(|(_, c)| digit_value(*c).is_some()) {
        let mut v = 0u32;
        while let Some(d) = chars.get(i).and_then(|(_, c)| digit_value(*c)) {
            v = v.saturating_mul(10).saturating_add(d);
            i += 1;
        }
        v
    } else {
        let window: Vec<char> = chars[i..chars.len().min(i + 3)]
            .iter()
            .map(|x| x.1)
            .collect();
        let (v, used) = chinese_number(&window)?;
        i += used;
        v
    };
    if value == 0 {
        return None;
    }
    let j = skip_spaces(chars, i);
    let mut unit = if top {
        "前".to_string()
    } else {
        "位".to_string()
    };
    let end = if chars.get(j).is_some_and(|(_, c)| matches!(c, '位' | '名')) {
        if !top {
            unit = chars[j].1.to_string();
        }
        j + 1
    } else {
        i
    };
    let span = Span::new(chars[start].0, byte_end(chars, end, within));
    Some((
        RawFigure {
            value: f64::from(value),
            unit,
            kind: FigureKind::Rank,
            span,
            clause: clause_of(text, span, within),
            measure: String::new(),
            approx: false,
        },
        end,
    ))
}

fn clause_of(text: &str, span: Span, within: Span) -> Span {
    Span::new(
        clause_start(text, span.start, within.start),
        clause_end(text, span.end, within.end),
    )
}

/// What a figure measures: for counts the noun after the unit (`171 家重点扶持企业`), else
/// the words before the number in its clause (`全区固投完成 420543 万元`); a bare rate
/// (`增长 11.4%`) takes the measure of the figure before it in the same sentence.
fn measure(text: &str, figure: &RawFigure, earlier: &[RawFigure], within: Span) -> String {
    if figure.kind == FigureKind::Count {
        let noun = following_noun(&text[figure.span.end..figure.clause.end]);
        if noun.chars().filter(|c| is_han(*c)).count() >= 2 {
            return noun;
        }
    }
    // Words since the previous figure in the clause, or since the clause start.
    let mut lead_start = figure.clause.start;
    if let Some(prev) = earlier.last()
        && prev.span.end > lead_start
        && prev.span.end <= figure.span.start
    {
        lead_start = prev.span.end;
    }
    let raw_lead = text[lead_start..figure.span.start].trim();
    let mut lead = clean_measure(raw_lead);
    if figure.kind == FigureKind::Rank {
        // 排名全市: where it ranks, not what.
        let mut s = lead.as_str();
        loop {
            let before = s;
            for w in [
                "全市", "全省", "全区", "全国", "全县", "排名", "位居", "位列", "继续", "争取",
            ] {
                s = s.strip_suffix(w).unwrap_or(s);
            }
            if s == before {
                break;
            }
        }
        lead = s.to_string();
    }
    // 较第一季度回升: a comparison basis, not what is measured.
    let comparison = lead.starts_with('较') || lead.starts_with('比');
    if !comparison
        && lead
            .chars()
            .filter(|c| is_han(*c) || c.is_ascii_alphabetic())
            .count()
            >= 2
    {
        return lead;
    }
    let sentence = sentence_start(text, figure.span.start, within.start);
    earlier
        .iter()
        .rev()
        .find(|f| f.span.start >= sentence && !f.measure.is_empty())
        .map(|f| f.measure.clone())
        .unwrap_or_else(|| {
            if lead.is_empty() && !comparison {
                raw_lead
                    .trim_matches(['，', '、', '；', '：', ' '])
                    .to_string()
            } else {
                lead
            }
        })
}

/// Verbs that end the noun after a count (`14个项目列入…` → `项目`).
const NOUN_STOPS: &[&str] = &[
    "列入", "入库", "获得", "申报", "完成", "开展", "进行", "实现", "建成", "投产", "通过", "入驻",
    "纳入", "已", "的", "均", "共", "为", "在", "将", "经", "等",
];

fn following_noun(after: &str) -> String {
    let mut noun = String::new();
    for (i, c) in after.char_indices() {
        if matches!(
            c,
            '（' | '(' | '）' | ')' | '，' | '：' | '。' | '；' | '“' | '《'
        ) || c.is_ascii_digit()
            || (c == '、' && noun.chars().count() >= 2)
            || (noun.chars().count() >= 2 && NOUN_STOPS.iter().any(|w| after[i..].starts_with(w)))
            || noun.chars().count() >= 12
        {
            break;
        }
        noun.push(c);
    }
    noun.trim().to_string()
}

fn clean_measure(raw: &str) -> String {
    let mut s = raw.trim().trim_start_matches(['，', '、', '；', '：', ' ']);
    // A leading period (1-9 月, 上半年) is when, not what.
    if let Some(pos) = s.find('月')
        && s[..pos]
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '—' | ' ' | '～' | '~' | '至'))
    {
        s = &s[pos + '月'.len_utf8()..];
    }
    loop {
        let before = s;
        s = s.trim();
        for w in MEASURE_LEADS {
            if let Some(rest) = s.strip_prefix(w) {
                s = rest;
            }
        }
        for w in MEASURE_TAILS {
            if let Some(rest) = s.strip_suffix(w) {
                s = rest;
            }
        }
        // 约 before a number is 'about' (总投约); in 签约 it is part of the word.
        if let Some(rest) = s.strip_suffix('约')
            && !["签", "合", "预", "节", "制", "公", "条", "契"]
                .iter()
                .any(|w| rest.ends_with(w))
        {
            s = rest;
        }
        s = s.trim_start_matches(['，', '、', ',']);
        if s == before {
            break;
        }
    }
    // A long lead is mostly the sentence's story: keep what follows its last 完成/已,
    // and at most the last sixteen characters.
    let mut s = s.trim();
    if s.chars().count() > 12
        && let Some(pos) = ["已完成", "完成", "已"]
            .iter()
            .filter_map(|w| s.rfind(w).map(|p| p + w.len()))
            .max()
        && s[pos..].chars().count() >= 2
    {
        s = &s[pos..];
    }
    let n = s.chars().count();
    if n > MAX_MEASURE_CHARS {
        let cut = s
            .char_indices()
            .nth(n - MAX_MEASURE_CHARS)
            .map_or(0, |(i, _)| i);
        s = &s[cut..];
    }
    s.to_string()
}

const MAX_MEASURE_CHARS: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(text: &str) -> Vec<(f64, String, FigureKind, String)> {
        extract(
            text,
            Span::new(0, text.len()),
            &crate::analysis::text::quoted_spans(text),
        )
        .into_iter()
        .map(|f| (f.value, f.unit, f.kind, f.measure))
        .collect()
    }

    #[test]
    fn amounts_rates_and_growth() {
        let f = figures("全区固投完成 420543 万元，增长 11.4%，排名全市第一。");
        assert_eq!(f[0].0, 420543.0);
        assert_eq!(f[0].1, "万元");
        assert_eq!(f[0].3, "全区固投");
        assert_eq!(f[1].2, FigureKind::Growth);
        assert_eq!(f[1].3, "全区固投");
        assert_eq!(
            f[2],
            (
                1.0,
                "位".to_string(),
                FigureKind::Rank,
                "全区固投".to_string()
            )
        );
    }

    #[test]
    fn signs_and_ranges() {
        let f = figures("1-8 月，我区规上增加值同比-2%，比降 10.5%，较第一季度回升 7.2 个百分点");
        assert_eq!(f.len(), 3, "{f:?}");
        assert_eq!(f[0].0, -2.0);
        assert_eq!(f[0].2, FigureKind::Growth);
        assert_eq!(f[0].3, "规上增加值");
        assert_eq!(f[1].0, -10.5);
        assert_eq!((f[2].0, f[2].1.as_str()), (7.2, "个百分点"));
    }

    #[test]
    fn counts_with_nouns() {
        let f = figures(
            "明确 171 家重点扶持企业（含 98 家省、市重点扶持企业），今年成功引进两个央企项目，计划征收房屋等40幢/宗",
        );
        assert_eq!(f[0].3, "重点扶持企业");
        assert_eq!(f[1].0, 98.0);
        assert_eq!((f[2].0, f[2].1.as_str()), (2.0, "个"));
        assert_eq!(f[3].1, "幢/宗");
    }

    #[test]
    fn skips_codes_and_specs() {
        assert!(figures("5G网络、C12地块、110千伏坂头变电站、2020年").is_empty());
        assert!(figures("0.5个工作日完成").is_empty());
    }
}
