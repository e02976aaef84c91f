//! Positions and segments in a progress text. Everything here works on byte offsets into
//! the text being analysed; offsets that leave the module are turned into both byte and
//! character offsets by `Evidence` (see `mod.rs`).

/// A byte range in the analysed text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// Ends a sentence: full stops, semicolons (one project per `；` is how cells list work),
/// question and exclamation marks, line breaks.
pub(crate) fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?' | '；' | ';' | '\n')
}

/// Ends a clause: a sentence end, a comma or a colon.
pub(crate) fn is_clause_end(c: char) -> bool {
    is_sentence_end(c) || matches!(c, '，' | ',' | '：' | ':')
}

/// Sentences of `text` inside `within`, each without surrounding whitespace and with its
/// terminator; empty sentences are skipped.
pub(crate) fn sentences(text: &str, within: Span) -> Vec<Span> {
    let mut out = Vec::new();
    let Some(slice) = text.get(within.start..within.end) else {
        return out;
    };
    let mut start = within.start;
    for (i, c) in slice.char_indices() {
        if is_sentence_end(c) {
            let end = within.start + i + c.len_utf8();
            push_trimmed(text, Span::new(start, end), &mut out);
            start = end;
        }
    }
    push_trimmed(text, Span::new(start, within.end), &mut out);
    out
}

fn push_trimmed(text: &str, span: Span, out: &mut Vec<Span>) {
    let trimmed = trim_span(text, span);
    let body = &text[trimmed.start..trimmed.end];
    // A sentence of nothing but its terminator is not a sentence.
    if body
        .chars()
        .any(|c| !is_sentence_end(c) && !c.is_whitespace())
    {
        out.push(trimmed);
    }
}

/// `span` without leading and trailing whitespace.
pub(crate) fn trim_span(text: &str, span: Span) -> Span {
    let slice = &text[span.start..span.end];
    let lead = slice.len() - slice.trim_start().len();
    let trail = slice.len() - slice.trim_end().len();
    if lead + trail >= slice.len() {
        return Span::new(span.start, span.start);
    }
    Span::new(span.start + lead, span.end - trail)
}

/// Start of the clause that contains byte `at`, not before `floor`.
pub(crate) fn clause_start(text: &str, at: usize, floor: usize) -> usize {
    text[floor..at]
        .char_indices()
        .rev()
        .find(|&(_, c)| is_clause_end(c))
        .map_or(floor, |(i, c)| floor + i + c.len_utf8())
}

/// End of the clause that contains byte `at` (exclusive, before its delimiter).
pub(crate) fn clause_end(text: &str, at: usize, ceiling: usize) -> usize {
    text[at..ceiling]
        .char_indices()
        .find(|&(_, c)| is_clause_end(c))
        .map_or(ceiling, |(i, _)| at + i)
}

/// Start of the sentence containing `at`, not before `floor`.
pub(crate) fn sentence_start(text: &str, at: usize, floor: usize) -> usize {
    text[floor..at]
        .char_indices()
        .rev()
        .find(|&(_, c)| is_sentence_end(c))
        .map_or(floor, |(i, c)| floor + i + c.len_utf8())
}

/// Byte spans of book titles 《…》 and quotations “…” / 「…」: cue words inside a document's
/// title (`《…实施计划》`) or a project's quoted name say nothing about progress.
pub(crate) fn quoted_spans(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    if !text.contains(['《', '“', '「', '〈']) {
        return spans;
    }
    let mut open: Vec<(char, usize)> = Vec::new();
    for (i, c) in text.char_indices() {
        match c {
            '《' | '“' | '「' | '〈' => open.push((c, i)),
            '》' | '”' | '」' | '〉' => {
                let want = match c {
                    '》' => '《',
                    '”' => '“',
                    '」' => '「',
                    _ => '〈',
                };
                if let Some(pos) = open.iter().rposition(|(o, _)| *o == want) {
                    let (_, start) = open[pos];
                    open.truncate(pos);
                    if open.is_empty() {
                        spans.push(Span::new(start, i + c.len_utf8()));
                    }
                }
            }
            '\n' => open.clear(),
            _ => {}
        }
    }
    spans
}

pub(crate) fn inside_any(spans: &[Span], at: usize) -> bool {
    spans.iter().any(|s| s.start < at && at < s.end)
}

pub(crate) fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// ASCII and full-width digits.
pub(crate) fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// Chinese numerals as used for small counts and ranks: 一 … 十, 两, 零/〇.
pub(crate) fn chinese_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        '十' => 10,
        _ => return None,
    })
}

/// Reads a Chinese numeral of up to three characters (`三`, `十`, `十二`, `二十`, `二十三`)
/// at the start of `chars`; returns the value and how many characters it used.
pub(crate) fn chinese_number(chars: &[char]) -> Option<(u32, usize)> {
    let first = chinese_digit(*chars.first()?)?;
    let second = chars.get(1).copied().and_then(chinese_digit);
    let third = chars.get(2).copied().and_then(chinese_digit);
    match (first, second, third) {
        (10, Some(u), _) if u < 10 && u > 0 => Some((10 + u, 2)),
        (10, _, _) => Some((10, 1)),
        (t, Some(10), Some(u)) if t < 10 && u < 10 && u > 0 => Some((t * 10 + u, 3)),
        (t, Some(10), _) if t < 10 => Some((t * 10, 2)),
        (v, None, _) => Some((v, 1)),
        // Digit runs such as 一二 (一二三产业) are not numbers.
        _ => None,
    }
}

/// The characters of `text[span]` with their byte offsets.
pub(crate) fn indexed(text: &str, span: Span) -> Vec<(usize, char)> {
    text[span.start..span.end]
        .char_indices()
        .map(|(i, c)| (span.start + i, c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sentences_on_full_stops_and_semicolons() {
        let t = "甲已完成。乙正在推进；丙\n丁";
        let s = sentences(t, Span::new(0, t.len()));
        let texts: Vec<&str> = s.iter().map(|s| &t[s.start..s.end]).collect();
        assert_eq!(
            texts,
            ["甲已完成。", "乙正在推进；", "丙\n", "丁"].map(str::trim)
        );
    }

    #[test]
    fn finds_titles_and_quotes() {
        let t = "印发《关于“甲”的计划》并推进“乙”";
        let spans = quoted_spans(t);
        assert_eq!(spans.len(), 2);
        assert_eq!(&t[spans[0].start..spans[0].end], "《关于“甲”的计划》");
    }

    #[test]
    fn reads_chinese_numbers() {
        let n = |s: &str| chinese_number(&s.chars().collect::<Vec<_>>());
        assert_eq!(n("两个"), Some((2, 1)));
        assert_eq!(n("十二月"), Some((12, 2)));
        assert_eq!(n("二十三"), Some((23, 3)));
        assert_eq!(n("一二三"), None);
    }
}
