use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A 发文字号 such as `泉鲤政办〔2020〕48号`: agency code (机关代字), year and serial.
/// Brackets written as `[2020]`, `(2020)`, `（2020）`, `【2020】` or `〔2020〕` are accepted;
/// the normal form uses 〔〕 (GB/T 9704 §7.2.5) and the original spelling is kept.
#[derive(Debug, Clone)]
pub struct DocNumber {
    pub agency: String,
    pub year: u16,
    pub serial: u32,
    /// As written in the source, trimmed.
    pub original: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocNumberError {
    #[error("文号“{0}”缺少年份括号：应写作“机关代字〔年份〕序号号”，如“泉鲤政办〔2020〕48号”")]
    NoYear(String),
    #[error("文号“{0}”缺少机关代字（年份前的部分），如“泉鲤政办”")]
    NoAgency(String),
    #[error("文号“{0}”的年份不是四位数字")]
    BadYear(String),
    #[error("文号“{0}”的序号不是数字（年份括号后应为序号，如“48号”）")]
    BadSerial(String),
}

const OPEN: [char; 6] = ['〔', '[', '(', '（', '【', '［'];
const CLOSE: [char; 6] = ['〕', ']', ')', '）', '】', '］'];

impl DocNumber {
    pub fn parse(text: &str) -> Result<Self, DocNumberError> {
        let original = text.trim().to_string();
        let compact: String = original.chars().filter(|c| !c.is_whitespace()).collect();
        let open = compact
            .find(OPEN)
            .ok_or_else(|| DocNumberError::NoYear(original.clone()))?;
        let agency = compact[..open].to_string();
        if agency.is_empty() {
            return Err(DocNumberError::NoAgency(original));
        }
        let after_open = &compact[open..];
        let after_open = &after_open[after_open.chars().next().map_or(0, char::len_utf8)..];
        let close = after_open
            .find(CLOSE)
            .ok_or_else(|| DocNumberError::NoYear(original.clone()))?;
        let year_text = &after_open[..close];
        // Four digits, the first not 0: `〔0997〕` would read as 997 and print as a
        // number that no longer parses (found by the `doc_number` fuzz target).
        let year = (year_text.len() == 4
            && year_text.chars().all(|c| c.is_ascii_digit())
            && !year_text.starts_with('0'))
        .then(|| year_text.parse::<u16>().ok())
        .flatten()
        .ok_or_else(|| DocNumberError::BadYear(original.clone()))?;
        let rest = &after_open[close..];
        let rest = &rest[rest.chars().next().map_or(0, char::len_utf8)..];
        let serial_text = rest.trim_start_matches('第').trim_end_matches('号');
        let serial = (!serial_text.is_empty() && serial_text.chars().all(|c| c.is_ascii_digit()))
            .then(|| serial_text.parse::<u32>().ok())
            .flatten()
            .ok_or_else(|| DocNumberError::BadSerial(original.clone()))?;
        Ok(DocNumber {
            agency,
            year,
            serial,
            original,
        })
    }

    /// Finds every 文号 inside running text (e.g. the 44号 a notice cites).
    pub fn find_all(text: &str) -> Vec<(std::ops::Range<usize>, DocNumber)> {
        let mut found = Vec::new();
        for (open_at, _) in text.match_indices(OPEN) {
            // Agency: the run of CJK/ASCII letters right before the bracket.
            let start = text[..open_at]
                .char_indices()
                .rev()
                .take_while(|(_, c)| is_agency_char(*c))
                .last()
                .map(|(i, _)| i);
            let Some(start) = start else { continue };
            // End: digits then 号 after the closing bracket.
            let tail = &text[open_at..];
            let Some(close_rel) = tail.find(CLOSE) else {
                continue;
            };
            let after_close =
                open_at + close_rel + tail[close_rel..].chars().next().map_or(0, char::len_utf8);
            let digits: usize = text[after_close..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .map(char::len_utf8)
                .sum();
            if digits == 0 || !text[after_close + digits..].starts_with('号') {
                continue;
            }
            let end = after_close + digits + '号'.len_utf8();
            if let Ok(n) = DocNumber::parse(&text[start..end]) {
                found.push((start..end, n));
            }
        }
        found
    }
}

/// Two spellings of one number are the same number.
impl PartialEq for DocNumber {
    fn eq(&self, other: &Self) -> bool {
        (self.agency.as_str(), self.year, self.serial)
            == (other.agency.as_str(), other.year, other.serial)
    }
}

impl Eq for DocNumber {}

impl std::hash::Hash for DocNumber {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.agency.as_str(), self.year, self.serial).hash(state);
    }
}

fn is_agency_char(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || c.is_ascii_alphabetic()
}

impl fmt::Display for DocNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}〔{}〕{}号", self.agency, self.year, self.serial)
    }
}

impl std::str::FromStr for DocNumber {
    type Err = DocNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DocNumber::parse(s)
    }
}

/// Serialised in its normal form; the original spelling is the source's business.
impl Serialize for DocNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DocNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DocNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_every_bracket_style() {
        for written in [
            "泉鲤政办〔2020〕48号",
            "泉鲤政办[2020]48号",
            "泉鲤政办(2020)48号",
            "泉鲤政办（2020）48号",
            "泉鲤政办【2020】第48号",
            " 泉鲤政办 〔2020〕 48 号 ",
        ] {
            let n = DocNumber::parse(written).unwrap();
            assert_eq!(n.agency, "泉鲤政办");
            assert_eq!(n.year, 2020);
            assert_eq!(n.serial, 48);
            assert_eq!(n.to_string(), "泉鲤政办〔2020〕48号");
            assert_eq!(n.original, written.trim());
        }
    }

    #[test]
    fn says_what_is_wrong() {
        assert!(matches!(
            DocNumber::parse("泉鲤政办2020"),
            Err(DocNumberError::NoYear(_))
        ));
        assert!(matches!(
            DocNumber::parse("〔2020〕48号"),
            Err(DocNumberError::NoAgency(_))
        ));
        assert!(matches!(
            DocNumber::parse("泉鲤政办〔20〕48号"),
            Err(DocNumberError::BadYear(_))
        ));
        // Found by the `doc_number` fuzz target: `〔0997〕` was read as the year 997,
        // which printed as `〔997〕` and no longer parsed.
        assert!(matches!(
            DocNumber::parse("泉鲤政办〔0997〕48号"),
            Err(DocNumberError::BadYear(_))
        ));
        assert!(matches!(
            DocNumber::parse("泉鲤政办〔2020〕号"),
            Err(DocNumberError::BadSerial(_))
        ));
        // 宣城's real typo: the closing bracket is missing.
        assert!(DocNumber::parse("宣政秘〔20208号").is_err());
    }

    #[test]
    fn finds_cited_numbers_in_text() {
        let text = "根据《关于……的通知》（泉鲤政办〔2020〕44号）文件要求";
        let found = DocNumber::find_all(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1.to_string(), "泉鲤政办〔2020〕44号");
        assert_eq!(&text[found[0].0.clone()], "泉鲤政办〔2020〕44号");
    }

    proptest! {
        #[test]
        fn normal_form_round_trips(agency in "[\u{4e00}-\u{9fa5}]{1,6}", year in 1949u16..2100, serial in 1u32..100000) {
            let text = format!("{agency}〔{year}〕{serial}号");
            let n = DocNumber::parse(&text).unwrap();
            prop_assert_eq!(n.to_string(), text);
        }

        #[test]
        fn never_panics(s in "\\PC{0,30}") {
            let _ = DocNumber::parse(&s);
            let _ = DocNumber::find_all(&s);
        }
    }
}
