//! Which tasks of a notice a round or a schedule covers, as the office writes it:
//! `1,2,5-8` (also with `，` `、` and `至`/`~`).
//!
//! Read as ranges and checked against the notice's task count before anything is
//! expanded, so a selection like `1-10001,` repeated many times costs a few bytes, not
//! gigabytes.

use std::ops::RangeInclusive;

/// The longest selection text accepted, in characters: ample for a list of every task
/// of a long notice written one by one.
pub const SELECTION_MAX_CHARS: usize = 2_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    #[error("任务序号“{0}”无法识别，请写成 1,2,5-8 的形式")]
    Unreadable(String),
    #[error("任务范围“{0}”起止颠倒，请写成由小到大，如 5-8")]
    Reversed(String),
    #[error("任务序号列表过长（{chars} 字，最多 {max} 字），请用范围表示，如 1-35")]
    TooLong { chars: usize, max: usize },
    #[error("任务序号 {number} 超出本文件的任务数（共 {count} 项）")]
    Beyond { number: u32, count: u32 },
}

/// A parsed selection: sorted, merged ranges of task numbers (from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskSelection {
    ranges: Vec<RangeInclusive<u32>>,
}

impl TaskSelection {
    /// Reads a selection; blank means every task (`None`).
    pub fn parse(text: &str) -> Result<Option<TaskSelection>, SelectionError> {
        let chars = text.chars().count();
        if chars > SELECTION_MAX_CHARS {
            return Err(SelectionError::TooLong {
                chars,
                max: SELECTION_MAX_CHARS,
            });
        }
        let number = |part: &str, text: &str| -> Result<u32, SelectionError> {
            match text.trim().parse::<u32>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(SelectionError::Unreadable(part.to_string())),
            }
        };
        let mut ranges = Vec::new();
        for part in text
            .split([',', '，', '、', ' ', '\u{3000}'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let range = match part.split_once(['-', '至', '~', '－']) {
                Some((a, b)) => {
                    let (a, b) = (number(part, a)?, number(part, b)?);
                    if a > b {
                        return Err(SelectionError::Reversed(part.to_string()));
                    }
                    a..=b
                }
                None => {
                    let n = number(part, part)?;
                    n..=n
                }
            };
            ranges.push(range);
        }
        if ranges.is_empty() {
            return Ok(None);
        }
        ranges.sort_by_key(|r| *r.start());
        let mut merged: Vec<RangeInclusive<u32>> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match merged.last_mut() {
                Some(last) if *r.start() <= last.end().saturating_add(1) => {
                    *last = *last.start()..=(*last.end()).max(*r.end());
                }
                _ => merged.push(r),
            }
        }
        Ok(Some(TaskSelection { ranges: merged }))
    }

    /// The highest number selected.
    pub fn max(&self) -> u32 {
        self.ranges.last().map_or(0, |r| *r.end())
    }

    /// The numbers, in order, once none is above `count` (the notice's number of
    /// tasks); at most `count` of them.
    pub fn numbers_within(&self, count: u32) -> Result<Vec<u32>, SelectionError> {
        if self.max() > count {
            return Err(SelectionError::Beyond {
                number: self.max(),
                count,
            });
        }
        Ok(self.ranges.iter().cloned().flatten().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(text: &str, count: u32) -> Result<Option<Vec<u32>>, SelectionError> {
        TaskSelection::parse(text)?
            .map(|s| s.numbers_within(count))
            .transpose()
    }

    #[test]
    fn reads_lists_and_ranges() {
        assert_eq!(numbers("1,2，5-7、9", 35), Ok(Some(vec![1, 2, 5, 6, 7, 9])));
        assert_eq!(numbers(" 3至4 ", 35), Ok(Some(vec![3, 4])));
        assert_eq!(numbers("5-8,1-6,2", 35), Ok(Some((1..=8).collect())));
        assert_eq!(numbers("  ", 35), Ok(None));
        assert_eq!(numbers("", 35), Ok(None));
    }

    #[test]
    fn refuses_nonsense_before_expanding_anything() {
        assert_eq!(
            numbers("1,a", 35),
            Err(SelectionError::Unreadable("a".into()))
        );
        assert_eq!(
            numbers("0", 35),
            Err(SelectionError::Unreadable("0".into()))
        );
        assert_eq!(
            numbers("7-3", 35),
            Err(SelectionError::Reversed("7-3".into()))
        );
        assert_eq!(
            numbers("1-36", 35),
            Err(SelectionError::Beyond {
                number: 36,
                count: 35
            })
        );
        // The probe's request: 20,000 copies of `1-10001,` (156 KB).
        let flood = "1-10001,".repeat(20_000);
        assert!(matches!(
            TaskSelection::parse(&flood),
            Err(SelectionError::TooLong { .. })
        ));
        // Within the length limit, repeats merge into one range and are then capped.
        let repeated = "1-4294967295,".repeat(150);
        let selection = TaskSelection::parse(&repeated).unwrap().unwrap();
        assert_eq!(selection.ranges.len(), 1);
        assert!(matches!(
            selection.numbers_within(35),
            Err(SelectionError::Beyond { count: 35, .. })
        ));
    }
}
