//! The cue tables: phrases that say how far a piece of work has got, as offices write
//! them. Matching is literal, longest phrase first at each position, so `尚未启动` wins
//! over `启动` and `初步投入使用` over `初步`. Two context rules adjust a match:
//!
//! - negation: a completion phrase right after `未`/`没`/`不`/`无` (`未建成投产`) says the
//!   opposite and counts as lagging;
//! - intention: a completion or start phrase after `力争`/`预计`/`计划`/`拟`/`将`/`待` … in the
//!   same clause (`力争2021年建成投产`, `预计近期启动`) is a plan, not a fact: completion becomes
//!   a plan (in progress), a start becomes not started.
//!
//! Phrases inside 《titles》 and “quoted names” are ignored.

use std::sync::LazyLock;

use super::text::{Span, clause_start, inside_any, is_han};

/// What a cue points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Signal {
    Done,
    InProgress,
    /// An intention or expectation (`拟`, `计划`, `预计`): work not finished, counted as in progress.
    Plan,
    /// A working verb (`开展`, `组织`): only decides when nothing stronger is said.
    Activity,
    Lagging,
    Blocked,
    NotStarted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Strength {
    Weak,
    Medium,
    /// Decides its part on its own (`协调无果`, `严重滞后`, behind 序时进度).
    Strong,
}

/// A cue found in the text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Hit {
    pub span: Span,
    pub signal: Signal,
    pub strength: Strength,
    /// Chinese label shown with the highlighted phrase.
    pub label: String,
    /// The phrase as written.
    pub quote: String,
    /// What a computed cue found, quoted after the phrase in explanations
    /// (`欠序时：1-9月，应达75.0%`).
    pub note: Option<String>,
}

struct Cue {
    phrase: &'static str,
    signal: Signal,
    strength: Strength,
}

const DONE_STRONG: &[&str] = &[
    "已完成",
    "已经完成",
    "已全部完成",
    "全部完成",
    "全面完成",
    "圆满完成",
    "提前完成",
    "如期完成",
    "按期完成",
    "已完工",
    "已全部完工",
    "全部完工",
    "已竣工",
    "竣工验收",
    "已建成",
    "建成投产",
    "建成投用",
    "已投产",
    "已投用",
    "已投入使用",
    "投入使用",
    "初步投入使用",
    "已成立",
    "已组建",
    "已设立",
    "已挂牌",
    "已出台",
    "制定出台",
    "印发出台",
    "正式出台",
    "已印发",
    "已制定",
    "已到位",
    "已办结",
    "已验收",
    "通过验收",
    "已通车",
    "通车试运营",
    "已落地",
    "已解决",
    "已实现",
    "已签订",
    "已上线",
    "已开通",
    "已交付",
    "已达到",
    "已落实",
    "整改到位",
    "整改完成",
    "已批复",
    "已获批",
    "已通过",
    "已拨付",
    "拨付到位",
    "完毕",
    "已结束",
    "已经结束",
];

const DONE_WEAK: &[&str] = &["已于", "到位"];

const IN_PROGRESS_MEDIUM: &[&str] = &[
    "正在",
    "正抓紧",
    "正加快",
    "正积极",
    "正办理",
    "正开展",
    "正进行",
    "正推进",
    "正组织",
    "正着手",
    "推进中",
    "进行中",
    "办理中",
    "实施中",
    "建设中",
    "施工中",
    "审核中",
    "审批中",
    "审查中",
    "完善中",
    "编制中",
    "对接中",
    "洽谈中",
    "协调中",
    "招标中",
    "筹备中",
    "已启动",
    "已开工",
    "开工建设",
    "进场施工",
    "已进场",
    "开始",
    "启动",
    "初稿",
    "征求意见稿",
    "送审稿",
    "修改稿",
    "初步",
    "基本完成",
    "基本敲定",
    "部分投产",
    "部分完成",
    "部分已",
    "持续推进",
    "稳步推进",
    "加快推进",
    "有序推进",
    "扎实推进",
    "全力推进",
    "积极推进",
    "深入推进",
    "顺利推进",
    "按序时",
    "序时推进",
    "按计划推进",
    "按期推进",
    "进展顺利",
    "进展良好",
    "正常推进",
    "稳步实施",
    "继续",
    "持续",
    "跟踪",
    "着手",
    "筹备",
    "准备",
    "起草",
    "草拟",
    "拟定",
    "尚在",
];

const PLAN_MEDIUM: &[&str] = &[
    "拟",
    "计划",
    "预计",
    "力争",
    "争取",
    "将",
    "下周",
    "近期",
    "有望",
    "待",
    "即将",
    "下一步",
    "下阶段",
];

const ACTIVITY: &[&str] = &[
    "开展", "组织", "推进", "加强", "落实", "实施", "引导", "征集", "推荐", "指导", "督促", "督导",
    "完善", "建立", "制定", "召开", "部署", "谋划", "策划", "协调", "对接", "排查", "整治", "申报",
    "引进", "引入", "优化", "深化", "强化", "做好", "抓好", "加大", "提高", "提升", "推动", "安排",
    "梳理", "调度", "巡查", "检查", "培训", "宣传", "印发", "转发", "走访", "摸排", "编制", "研究",
    "分解", "下达", "通报", "监测", "推行", "取消", "打掉", "抓获", "破获", "查封", "整改", "发布",
    "攻坚", "洽谈", "沟通", "咨询", "理顺", "调整", "配齐", "建设", "改造", "聘请", "征迁", "签订",
    "申请", "争创", "创建", "落细", "开通",
];

const LAGGING_STRONG: &[&str] = &[
    "严重滞后",
    "滞后",
    "偏慢",
    "进度慢",
    "进展缓慢",
    "进度缓慢",
    "推进缓慢",
    "缓慢",
    "慢于序时",
    "慢序时",
    "未达序时",
    "未达到序时",
    "欠序时",
    "欠进度",
    "落后于序时",
    "进度落后",
    "未按期完成",
    "未按时完成",
    "逾期",
    "超期",
    "拖期",
    "进度不理想",
    "差距较大",
];

const LAGGING_MEDIUM: &[&str] = &[
    "未动工",
    "未开工",
    "尚未开工",
    "未完成",
    "尚未完成",
    "仍未",
    "未达到",
    "未达标",
    "未按期",
    "未按时",
    "需要加快推进",
    "亟待加快",
    "有待加快",
];

const BLOCKED_STRONG: &[&str] = &[
    "受阻",
    "协调无果",
    "无果",
    "无法按计划推进",
    "无法推进",
    "难以推进",
    "停滞",
    "搁置",
    "卡壳",
    "暂停实施",
    "暂停",
    "停工",
    "陷入停顿",
    "推进困难",
    "阻力较大",
    "存在阻力",
    "无法开展",
    "无法实施",
    "无法落实",
    "无法完成",
];

const BLOCKED_MEDIUM: &[&str] = &[
    "无法",
    "尚无法",
    "难以",
    "停止执行",
    "无此项职能",
    "不具备条件",
    "未获批",
    "不予",
    "未能",
    "困难较大",
    "需上级协调",
    "需区政府协调",
    "提请区政府协调",
    "亟需协调",
    "阻工",
    "瓶颈",
    "暂缓",
];

const NOT_STARTED: &[&str] = &[
    "未启动",
    "尚未启动",
    "暂未启动",
    "还未启动",
    "未开始",
    "尚未开始",
    "暂未开始",
    "尚未开展",
    "未开展",
    "暂未开展",
    "尚未实施",
    "未实施",
    "待启动",
    "尚未着手",
    "未着手",
    "暂无进展",
    "尚无进展",
    "无进展",
    "未进场",
    "尚未进场",
];

/// Words of intention that turn a following completion or start into a plan.
const INTENTIONS: &[&str] = &[
    "力争", "争取", "计划", "预计", "拟", "将", "准备", "确保", "待", "即将", "有望", "目标",
    "尽快", "努力", "决定",
];

/// Phrases that mean a start: after an intention they mean "not started yet".
const STARTS: &[&str] = &["启动", "开始", "开工建设", "进场施工", "开工"];

/// Cues by first character, sorted by that character (binary search beats hashing here).
static INDEX: LazyLock<Vec<(char, Vec<Cue>)>> = LazyLock::new(|| {
    let tables: [(&[&str], Signal, Strength); 10] = [
        (DONE_STRONG, Signal::Done, Strength::Medium),
        (DONE_WEAK, Signal::Done, Strength::Weak),
        (IN_PROGRESS_MEDIUM, Signal::InProgress, Strength::Medium),
        (PLAN_MEDIUM, Signal::Plan, Strength::Medium),
        (ACTIVITY, Signal::Activity, Strength::Weak),
        (LAGGING_STRONG, Signal::Lagging, Strength::Strong),
        (LAGGING_MEDIUM, Signal::Lagging, Strength::Medium),
        (BLOCKED_STRONG, Signal::Blocked, Strength::Strong),
        (BLOCKED_MEDIUM, Signal::Blocked, Strength::Medium),
        (NOT_STARTED, Signal::NotStarted, Strength::Medium),
    ];
    let mut index: Vec<(char, Vec<Cue>)> = Vec::new();
    for (phrases, signal, strength) in tables {
        for &phrase in phrases {
            let Some(first) = phrase.chars().next() else {
                continue;
            };
            let pos = match index.iter().position(|(c, _)| *c == first) {
                Some(pos) => pos,
                None => {
                    index.push((first, Vec::new()));
                    index.len() - 1
                }
            };
            let bucket = &mut index[pos].1;
            // The first table to list a phrase owns it.
            if !bucket.iter().any(|c| c.phrase == phrase) {
                bucket.push(Cue {
                    phrase,
                    signal,
                    strength,
                });
            }
        }
    }
    for (_, bucket) in index.iter_mut() {
        bucket.sort_by_key(|c| std::cmp::Reverse(c.phrase.len()));
    }
    index.sort_by_key(|(c, _)| *c);
    index
});

pub(crate) fn label(signal: Signal) -> &'static str {
    match signal {
        Signal::Done => "完成表述",
        Signal::InProgress => "推进表述",
        Signal::Plan => "计划或预期表述",
        Signal::Activity => "工作措施表述",
        Signal::Lagging => "滞后表述",
        Signal::Blocked => "受阻表述",
        Signal::NotStarted => "未启动表述",
    }
}

/// All cues in `text[within]`, in order, non-overlapping.
pub(crate) fn scan(text: &str, within: Span, quoted: &[Span]) -> Vec<Hit> {
    let mut hits = Vec::new();
    let mut at = within.start;
    while at < within.end {
        let Some(c) = text[at..].chars().next() else {
            break;
        };
        let rest = &text[at..within.end];
        let bucket = INDEX
            .binary_search_by_key(&c, |(first, _)| *first)
            .ok()
            .map(|i| &INDEX[i].1);
        let found = bucket.and_then(|bucket| {
            bucket
                .iter()
                .find(|cue| rest.starts_with(cue.phrase) && !excluded(text, at, cue.phrase))
        });
        let matched = match found {
            Some(cue) => Some((cue.phrase.len(), cue.signal, cue.strength)),
            None if c == '正' => {
                zheng_zhong(rest).map(|len| (len, Signal::InProgress, Strength::Medium))
            }
            None => None,
        };
        match matched {
            Some((len, signal, strength)) if !inside_any(quoted, at) => {
                let span = Span::new(at, at + len);
                hits.push(adjust(text, within, span, signal, strength));
                at += len;
            }
            Some((len, _, _)) => at += len,
            None => at += c.len_utf8(),
        }
    }
    hits
}

/// `正选址中`, `正征求意见中`: 正, one to six Han characters, 中.
fn zheng_zhong(rest: &str) -> Option<usize> {
    let mut chars = rest.char_indices().skip(1);
    let (_, next) = chars.next()?;
    if matches!(
        next,
        '常' | '式' | '确' | '面' | '向' | '规' | '当' | '好' | '义' | '直' | '中'
    ) || !is_han(next)
    {
        return None;
    }
    for (count, (i, c)) in chars.enumerate() {
        if c == '中' {
            return Some(i + c.len_utf8());
        }
        if !is_han(c) || count >= 5 {
            return None;
        }
    }
    None
}

/// Words that contain a cue but mean something else.
fn excluded(text: &str, at: usize, phrase: &str) -> bool {
    let before = text[..at].chars().next_back();
    let after = text[at + phrase.len()..].chars().next();
    match phrase {
        "待" => {
            matches!(
                before,
                Some('接' | '期' | '对' | '看' | '款' | '优' | '善' | '招' | '亟' | '有')
            ) || matches!(after, Some('遇' | '人' | '客' | '命' | '业'))
        }
        "将" => matches!(before, Some('已' | '即')) || matches!(after, Some('近' | '军' | '来')),
        "拟" => matches!(after, Some('定')),
        "开始" | "启动" => matches!(before, Some('已')),
        "初步" => false,
        "计划" => matches!(after, Some('书' | '》')),
        "无果" | "无法" => false,
        "继续" | "持续" => false,
        _ => false,
    }
}

/// Applies negation and intention to a literal match.
fn adjust(text: &str, within: Span, span: Span, signal: Signal, strength: Strength) -> Hit {
    let phrase = &text[span.start..span.end];
    let make = |signal, strength, label: &str| Hit {
        span,
        signal,
        strength,
        label: label.to_string(),
        quote: phrase.to_string(),
        note: None,
    };
    let before = text[..span.start].chars().next_back();
    if signal == Signal::Done && matches!(before, Some('未' | '没' | '不' | '无' | '尚')) {
        return make(Signal::Lagging, Strength::Medium, "否定的完成表述");
    }
    if signal == Signal::Done {
        let clause = clause_start(text, span.start, within.start);
        // 其中1家已签订: a part of the whole is done.
        if text[clause..span.start].trim_start().starts_with("其中") {
            return make(Signal::InProgress, Strength::Medium, "部分完成（其中…）");
        }
        // 已完成12条, 已完成签约30幢: completion counted in items is a running tally
        // (but 全部完成 / 全面完成 … 32个 says all of them).
        let total = phrase.contains("全部") || phrase.contains("全面");
        if !total && counted_after(text, span.end, within.end) {
            return make(
                Signal::InProgress,
                Strength::Medium,
                "按数量报告的阶段性完成",
            );
        }
    }
    let is_start = STARTS.contains(&phrase);
    if (signal == Signal::Done && !phrase.starts_with('已')) || is_start {
        let clause = clause_start(text, span.start, within.start);
        let lead = &text[clause..span.start];
        if has_intention(lead) {
            return if is_start {
                make(Signal::NotStarted, Strength::Medium, "计划启动（尚未开始）")
            } else {
                make(Signal::Plan, Strength::Medium, "计划完成（尚未完成）")
            };
        }
    }
    make(signal, strength, label(signal))
}

/// Count units: a completion followed by a number in these reports a tally.
const COUNT_UNITS: &[char] = &[
    '个', '条', '处', '家', '户', '幢', '宗', '项', '座', '件', '名', '人', '所', '套', '场', '艘',
    '台', '间', '栋', '批', '次',
];

/// A number with a count unit within six characters after `at`, in the same clause.
fn counted_after(text: &str, at: usize, end: usize) -> bool {
    let mut chars = text[at..end].chars().peekable();
    let mut seen = 0;
    while let Some(c) = chars.next() {
        if super::text::is_clause_end(c) || seen > 6 {
            return false;
        }
        if super::text::digit_value(c).is_some() {
            while chars
                .peek()
                .is_some_and(|n| super::text::digit_value(*n).is_some() || *n == '.')
            {
                chars.next();
            }
            while chars.peek() == Some(&' ') {
                chars.next();
            }
            return chars.peek().is_some_and(|u| COUNT_UNITS.contains(u));
        }
        seen += 1;
    }
    false
}

fn has_intention(lead: &str) -> bool {
    INTENTIONS.iter().any(|w| {
        lead.match_indices(w).any(|(i, _)| {
            // 已将 is a past action, not an intention.
            !(*w == "将" && lead[..i].ends_with('已'))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(text: &str) -> Vec<(String, Signal)> {
        scan(
            text,
            Span::new(0, text.len()),
            &super::super::text::quoted_spans(text),
        )
        .into_iter()
        .map(|h| (text[h.span.start..h.span.end].to_string(), h.signal))
        .collect()
    }

    #[test]
    fn longest_phrase_wins() {
        assert_eq!(
            signals("项目尚未启动"),
            [("尚未启动".to_string(), Signal::NotStarted)]
        );
        assert_eq!(
            signals("已初步投入使用"),
            [("初步投入使用".to_string(), Signal::Done)]
        );
    }

    #[test]
    fn intention_turns_completion_into_plan() {
        let s = signals("力争嘉亨家化生产车间2021年建成投产");
        assert!(s.contains(&("建成投产".to_string(), Signal::Plan)), "{s:?}");
        let s = signals("预计近期启动编制工作");
        assert!(
            s.contains(&("启动".to_string(), Signal::NotStarted)),
            "{s:?}"
        );
        let s = signals("生产线建成投产");
        assert_eq!(s, [("建成投产".to_string(), Signal::Done)]);
    }

    #[test]
    fn negated_completion_lags() {
        let s = signals("资金未到位");
        assert_eq!(s, [("到位".to_string(), Signal::Lagging)]);
    }

    #[test]
    fn titles_are_not_read() {
        assert!(signals("《年度实施计划》").is_empty());
        assert_eq!(
            signals("正选址中"),
            [("正选址中".to_string(), Signal::InProgress)]
        );
        assert!(signals("正向激励").is_empty());
    }
}
