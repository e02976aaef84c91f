//! Round over round: is this report the last one again?
//!
//! - `similarity` is 2·LCS / (|a| + |b|) over the texts' characters with whitespace and
//!   punctuation dropped (bit-parallel LCS, O(|a|·|b|/64));
//! - `unchanged` when those characters are identical;
//! - `near_copy` when not identical but similarity ≥ 0.9, or when only the numbers
//!   changed (the usual way a copied report is freshened up);
//! - `diff` is sentence by sentence (LCS over sentences), so a supervisor sees what was
//!   added and what was dropped.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::text::{Span, digit_value, sentences};

pub const NEAR_COPY_SIMILARITY: f64 = 0.9;

/// Above this many sentence pairs the diff is one delete and one insert.
const MAX_SENTENCE_PAIRS: usize = 250_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportComparison {
    /// 0 (nothing in common) … 1 (same characters).
    pub similarity: f64,
    pub unchanged: bool,
    pub near_copy: bool,
    /// Only figures differ.
    pub figures_only: bool,
    pub diff: Vec<DiffOp>,
    /// Chinese verdict for the supervisor.
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", content = "text", rename_all = "snake_case")]
pub enum DiffOp {
    Equal(String),
    Insert(String),
    Delete(String),
}

pub fn compare_reports(previous: &str, current: &str) -> ReportComparison {
    let a = significant(previous);
    let b = significant(current);
    let unchanged = a == b;
    let similarity = if a.is_empty() && b.is_empty() {
        1.0
    } else {
        let lcs = lcs_len(&a, &b);
        (2.0 * lcs as f64 / (a.len() + b.len()) as f64 * 1000.0).round() / 1000.0
    };
    let figures_only = !unchanged && !a.is_empty() && mask_digits(&a) == mask_digits(&b);
    let near_copy = !unchanged && (similarity >= NEAR_COPY_SIMILARITY || figures_only);
    let summary = if a.is_empty() && b.is_empty() {
        "两轮均未填写".to_string()
    } else if unchanged {
        "与上一轮完全相同，疑似照抄上轮报告".to_string()
    } else if figures_only {
        format!(
            "与上一轮相比仅数字有变化（相似度{:.0}%），疑似照抄上轮报告",
            similarity * 100.0
        )
    } else if near_copy {
        format!(
            "与上一轮高度相似（相似度{:.0}%），疑似照抄上轮报告",
            similarity * 100.0
        )
    } else {
        format!("与上一轮相似度{:.0}%", similarity * 100.0)
    };
    ReportComparison {
        similarity,
        unchanged,
        near_copy,
        figures_only,
        diff: sentence_diff(previous, current),
        summary,
    }
}

/// Characters that carry content: no whitespace, no punctuation.
fn significant(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| !c.is_whitespace() && !is_punctuation(*c))
        .collect()
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c as u32, 0x3000..=0x303F | 0xFF00..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65 | 0x2010..=0x2027)
}

fn mask_digits(chars: &[char]) -> Vec<char> {
    let mut out = Vec::with_capacity(chars.len());
    for &c in chars {
        let d = digit_value(c).is_some();
        if d {
            // A run of digits (and its decimal point, already dropped) becomes one '#'.
            if out.last() != Some(&'#') {
                out.push('#');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Length of the longest common subsequence, bit-parallel (Hyyrö 2004).
fn lcs_len(a: &[char], b: &[char]) -> usize {
    if a.is_empty() || b.is_empty() {
        return 0;
    }
    let words = a.len().div_ceil(64);
    let mut masks: HashMap<char, Vec<u64>> = HashMap::new();
    for (i, &c) in a.iter().enumerate() {
        masks.entry(c).or_insert_with(|| vec![0; words])[i / 64] |= 1u64 << (i % 64);
    }
    let mut v = vec![u64::MAX; words];
    for c in b {
        let Some(m) = masks.get(c) else {
            continue;
        };
        let mut carry = 0u64;
        for k in 0..words {
            let u = v[k] & m[k];
            let (s1, c1) = v[k].overflowing_add(u);
            let (s2, c2) = s1.overflowing_add(carry);
            carry = u64::from(c1 || c2);
            v[k] = s2 | (v[k] & !u);
        }
    }
    let mut zeros = 0;
    for (k, word) in v.iter().enumerate() {
        let bits = if k + 1 == words && !a.len().is_multiple_of(64) {
            a.len() % 64
        } else {
            64
        };
        let mask = if bits == 64 {
            u64::MAX
        } else {
            (1u64 << bits) - 1
        };
        zeros += (!word & mask).count_ones() as usize;
    }
    zeros
}

fn sentence_texts(text: &str) -> Vec<&str> {
    sentences(text, Span::new(0, text.len()))
        .into_iter()
        .map(|s| &text[s.start..s.end])
        .collect()
}

fn sentence_diff(previous: &str, current: &str) -> Vec<DiffOp> {
    let a = sentence_texts(previous);
    let b = sentence_texts(current);
    let key = |s: &str| significant(s);
    let ka: Vec<Vec<char>> = a.iter().map(|s| key(s)).collect();
    let kb: Vec<Vec<char>> = b.iter().map(|s| key(s)).collect();
    let mut ops = Vec::new();
    if a.len().saturating_mul(b.len()) > MAX_SENTENCE_PAIRS {
        ops.extend(a.iter().map(|s| DiffOp::Delete(s.to_string())));
        ops.extend(b.iter().map(|s| DiffOp::Insert(s.to_string())));
        return ops;
    }
    // table[i][j]: LCS of a[i..] and b[j..].
    let (n, m) = (a.len(), b.len());
    let mut table = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[at(i, j)] = if ka[i] == kb[j] {
                table[at(i + 1, j + 1)] + 1
            } else {
                table[at(i + 1, j)].max(table[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && ka[i] == kb[j] {
            ops.push(DiffOp::Equal(b[j].to_string()));
            i += 1;
            j += 1;
        } else if i < n && (j == m || table[at(i + 1, j)] >= table[at(i, j + 1)]) {
            ops.push(DiffOp::Delete(a[i].to_string()));
            i += 1;
        } else {
            ops.push(DiffOp::Insert(b[j].to_string()));
            j += 1;
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_lcs(a: &[char], b: &[char]) -> usize {
        let mut t = vec![vec![0; b.len() + 1]; a.len() + 1];
        for i in 0..a.len() {
            for j in 0..b.len() {
                t[i + 1][j + 1] = if a[i] == b[j] {
                    t[i][j] + 1
                } else {
                    t[i][j + 1].max(t[i + 1][j])
                };
            }
        }
        t[a.len()][b.len()]
    }

    #[test]
    fn bit_parallel_lcs_matches_naive() {
        let texts = [
            "已委托市规划院开展江南新区污、雨及防洪修编规划研究工作",
            "已委托市规划院开展研究工作，经多次沟通对接，已初步完成研究大纲",
            "",
            "甲",
        ];
        let long_a: String = "甲乙丙丁".repeat(50);
        let long_b: String = "乙丙甲丁戊".repeat(40);
        for x in texts.iter().chain([&long_a.as_str(), &long_b.as_str()]) {
            for y in texts.iter().chain([&long_a.as_str(), &long_b.as_str()]) {
                let (a, b): (Vec<char>, Vec<char>) = (x.chars().collect(), y.chars().collect());
                assert_eq!(lcs_len(&a, &b), naive_lcs(&a, &b), "{x} / {y}");
            }
        }
    }

    #[test]
    fn flags_copies() {
        let prev = "已初步完成研究大纲。正在组织整治的项目有3个。";
        let same = compare_reports(prev, "已初步完成研究大纲。 正在组织整治的项目有3个。");
        assert!(same.unchanged && !same.near_copy);
        let numbers = compare_reports(prev, "已初步完成研究大纲。正在组织整治的项目有5个。");
        assert!(numbers.near_copy && numbers.figures_only);
        let new = compare_reports(prev, "研究大纲已通过评审，4个积水点整治全部完工。");
        assert!(!new.near_copy && !new.unchanged);
        assert!(new.similarity < 0.6);
    }

    #[test]
    fn sentence_diff_shows_changes() {
        let c = compare_reports("甲已完成。乙正在推进。", "甲已完成。乙已完成。丙已启动。");
        assert_eq!(
            c.diff,
            [
                DiffOp::Equal("甲已完成。".into()),
                DiffOp::Delete("乙正在推进。".into()),
                DiffOp::Insert("乙已完成。".into()),
                DiffOp::Insert("丙已启动。".into()),
            ]
        );
        let json = serde_json::to_value(&c.diff[0]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"op": "equal", "text": "甲已完成。"})
        );
    }
}
