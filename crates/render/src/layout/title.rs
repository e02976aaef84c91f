//! Title line breaking: the 2号 title in lines of at most 20 characters, broken where
//! the phrase allows and balanced (GB/T 9704 §7.3.1: 回行时要做到词意完整，排列对称).

use super::*;

/// Characters of 2号 title per line: 156 mm / 22 pt, rounded down (20).
pub fn title_chars_per_line() -> usize {
    (mm_to_pt(TEXT_WIDTH_MM) / SIZE_2).floor() as usize
}

/// Breaks a title into balanced lines of at most `max_em` ems each (GB/T 9704 §7.3.1:
/// “梯形或菱形”, words not split).
///
/// Without a dictionary, words are protected by allowing breaks only at places that
/// are boundaries in 公文 titles: where the source had a space (the original's line
/// break); after 关于, 和/及/与/、/，, words that end phrases (讲话, 部署, 工作 …) or 的;
/// before 关于, 的通报/的通知 …, words that open phrases (进一步, 落实 …) or 在; never
/// inside 《》, （）, digits or Latin words. Among those, the choice is the
/// one with the most even line lengths, no line filling the width edge to edge, no
/// hourglass shape (a line shorter than both
/// neighbours) and no one-character last line; a break anywhere else is used only when
/// the preferred places cannot fit the width.
///
/// `泉州市鲤城区人民政府办公室关于黄辉灿区长 在区政府第一次全体会上的讲话 部署落实情况的通报`
/// with 20 ems per line gives `泉州市鲤城区人民政府办公室关于` / `黄辉灿区长在区政府第一次全体会上的讲话` /
/// `部署落实情况的通报` (15 / 19 / 9, a diamond).
pub fn title_lines(title: &str, max_em: usize) -> Vec<String> {
    let (chars, quality) = break_candidates(title);
    if chars.is_empty() {
        return Vec::new();
    }
    let max = max_em.max(1) as f64;
    let total = text_width_em(&chars.iter().collect::<String>());
    if total <= max {
        return vec![chars.iter().collect()];
    }
    let n = chars.len();
    // prefix widths
    let mut prefix = vec![0.0; n + 1];
    for (i, c) in chars.iter().enumerate() {
        prefix[i + 1] = prefix[i] + if is_half_width(*c) { 0.5 } else { 1.0 };
    }
    let min_lines = (total / max).ceil() as usize;
    if min_lines > MAX_BALANCED_LINES {
        // Not a title but running text: the search would explode; fill lines instead.
        return split_at(&chars, greedy_breaks(&prefix, max));
    }
    let mut best: Option<(f64, Vec<usize>)> = None;
    // Try the fewest lines first, then one more (a better shape may need it).
    for lines in min_lines..=min_lines + 1 {
        for allow_any in [false, true] {
            if let Some(found) = best_breaks(&prefix, &quality, lines, max, allow_any) {
                let better = best.as_ref().is_none_or(|(cost, _)| found.0 < *cost);
                if better {
                    best = Some(found);
                }
                break;
            }
        }
        if best.is_some() {
            break;
        }
    }
    let breaks = match best {
        Some((_, b)) => b,
        None => greedy_breaks(&prefix, max),
    };
    split_at(&chars, breaks)
}

/// Titles longer than this many lines are filled greedily, not balanced.
const MAX_BALANCED_LINES: usize = 5;

fn split_at(chars: &[char], breaks: Vec<usize>) -> Vec<String> {
    let mut out = Vec::with_capacity(breaks.len() + 1);
    let mut start = 0;
    for b in breaks.into_iter().chain(std::iter::once(chars.len())) {
        out.push(chars[start..b].iter().collect());
        start = b;
    }
    out
}

/// Words that often end a phrase in 公文 titles: a line may break after them.
const PHRASE_ENDS: &[&str] = &[
    "讲话", "会议", "会上", "工作", "精神", "部署", "意见", "方案", "规划", "通知", "决定", "要求",
    "情况", "任务",
];

/// Words that often open a phrase in 公文 titles: a line may break before them.
const PHRASE_STARTS: &[&str] = &[
    "进一步",
    "加快",
    "加强",
    "做好",
    "开展",
    "推进",
    "落实",
    "印发",
    "转发",
];

/// The title's characters without spaces, and for each position `i` (break before
/// `chars[i]`) a penalty: `None` forbids the break, smaller is better.
fn break_candidates(title: &str) -> (Vec<char>, Vec<Option<f64>>) {
    let mut chars = Vec::new();
    let mut spaced_before = Vec::new();
    let mut pending_space = false;
    for c in title.trim().chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        chars.push(c);
        spaced_before.push(std::mem::take(&mut pending_space));
    }
    let n = chars.len();
    let text: String = chars.iter().collect();
    let byte_at: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    let mut quality = vec![None; n + 1];
    let mut depth = 0i32;
    for i in 1..n {
        let prev = chars[i - 1];
        let next = chars[i];
        if matches!(prev, '《' | '（' | '(' | '“' | '〔') {
            depth += 1;
        }
        if i >= 2 && matches!(chars[i - 2], '》' | '）' | ')' | '”' | '〕') {
            // closing handled below
        }
        if matches!(prev, '》' | '）' | ')' | '”' | '〕') {
            depth = (depth - 1).max(0);
        }
        let rest = &text[byte_at[i]..];
        let before = &text[..byte_at[i]];
        let forbidden = depth > 0
            || matches!(
                next,
                '》' | '）' | ')' | '”' | '〕' | '，' | '、' | '。' | '；' | '：' | '的'
            ) && !rest.starts_with("的通")
                && !rest.starts_with("的意见")
                && !rest.starts_with("的决定")
            || matches!(prev, '《' | '（' | '(' | '“' | '〔')
            || (prev.is_ascii_alphanumeric() && next.is_ascii_alphanumeric())
            || (prev.is_ascii_digit() && matches!(next, '年' | '月' | '日' | '号' | '%' | '．'))
            || (prev == '第' && next.is_ascii_digit());
        quality[i] = if forbidden {
            None
        } else if spaced_before[i] {
            Some(0.0)
        } else if before.ends_with("关于") {
            Some(2.0)
        } else if ["和", "及", "与", "、", "，"]
            .iter()
            .any(|w| before.ends_with(w))
            || [
                "关于",
                "的通报",
                "的通知",
                "的意见",
                "的决定",
                "的报告",
                "的函",
            ]
            .iter()
            .any(|w| rest.starts_with(w))
        {
            Some(3.0)
        } else if PHRASE_ENDS.iter().any(|w| before.ends_with(w))
            || PHRASE_STARTS.iter().any(|w| rest.starts_with(w))
        {
            Some(5.0)
        } else if before.ends_with('在') || rest.starts_with('在') {
            // “在” opens a place phrase (在区政府…); rarely part of a title's words.
            Some(if rest.starts_with('在') { 6.0 } else { 1000.0 })
        } else if before.ends_with('的') {
            Some(10.0)
        } else {
            Some(1000.0)
        };
    }
    (chars, quality)
}

/// Best `lines`-line split by dynamic programming over break positions; `allow_any`
/// admits the expensive breaks. Returns (cost, break positions).
fn best_breaks(
    prefix: &[f64],
    quality: &[Option<f64>],
    lines: usize,
    max: f64,
    allow_any: bool,
) -> Option<(f64, Vec<usize>)> {
    let n = prefix.len() - 1;
    if lines == 0 || lines > n {
        return None;
    }
    let total = prefix[n];
    let mean = total / lines as f64;
    let usable = |i: usize| -> Option<f64> {
        let q = quality.get(i).copied().flatten()?;
        (allow_any || q < 1000.0).then_some(q)
    };
    // Enumerate: titles are short (< 100 chars, ≤ 5 lines), so recursion is cheap
    // enough; prune on width.
    fn walk(
        start: usize,
        left: usize,
        acc: &mut Vec<usize>,
        best: &mut Option<(f64, Vec<usize>)>,
        ctx: &Ctx<'_>,
    ) {
        let n = ctx.prefix.len() - 1;
        if left == 1 {
            if ctx.prefix[n] - ctx.prefix[start] <= ctx.max + 1e-9 {
                let cost = ctx.cost(acc);
                if best.as_ref().is_none_or(|(c, _)| cost < *c) {
                    *best = Some((cost, acc.clone()));
                }
            }
            return;
        }
        for end in start + 1..n {
            let width = ctx.prefix[end] - ctx.prefix[start];
            if width > ctx.max + 1e-9 {
                break;
            }
            if (ctx.usable)(end).is_none() {
                continue;
            }
            acc.push(end);
            walk(end, left - 1, acc, best, ctx);
            acc.pop();
        }
    }
    struct Ctx<'a> {
        prefix: &'a [f64],
        max: f64,
        mean: f64,
        usable: &'a dyn Fn(usize) -> Option<f64>,
    }
    impl Ctx<'_> {
        fn cost(&self, breaks: &[usize]) -> f64 {
            let n = self.prefix.len() - 1;
            let mut widths = Vec::with_capacity(breaks.len() + 1);
            let mut start = 0;
            let mut cost = 0.0;
            for &b in breaks {
                widths.push(self.prefix[b] - self.prefix[start]);
                cost += (self.usable)(b).unwrap_or(1000.0);
                start = b;
            }
            widths.push(self.prefix[n] - self.prefix[start]);
            for w in &widths {
                cost += (w - self.mean).abs();
                // A title line filling the 版心 edge to edge looks crowded.
                if *w > self.max - 1.0 {
                    cost += 3.0;
                }
            }
            // No hourglass: an inner line shorter than both neighbours.
            for k in 1..widths.len().saturating_sub(1) {
                if widths[k] + 1.0 < widths[k - 1] && widths[k] + 1.0 < widths[k + 1] {
                    cost += 20.0;
                }
            }
            if widths.last().is_some_and(|w| *w < 2.0) {
                cost += 50.0;
            }
            cost
        }
    }
    let ctx = Ctx {
        prefix,
        max,
        mean,
        usable: &usable,
    };
    let mut best = None;
    walk(0, lines, &mut Vec::new(), &mut best, &ctx);
    best
}

/// Fill lines to the width, for titles that admit no better split.
fn greedy_breaks(prefix: &[f64], max: f64) -> Vec<usize> {
    let n = prefix.len() - 1;
    let mut breaks = Vec::new();
    let mut start = 0;
    for i in 1..n {
        if prefix[i + 1] - prefix[start] > max {
            breaks.push(i);
            start = i;
        }
    }
    breaks
}
