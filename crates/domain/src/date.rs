use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// China Standard Time: every office using duban is in UTC+8, without daylight saving.
pub const CHINA: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// A date as 公文 write it: `2020年10月15日` (no padding).
pub fn chinese_date_text(date: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// The office's calendar day at `at`: deadlines and periods are China dates.
pub fn china_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&CHINA).date_naive()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("无法识别日期“{0}”：应写作“2020年10月15日”或“二〇二〇年十月十五日”")]
pub struct DateError(pub String);

/// Parses a 成文日期 as written in notices: `2020年10月15日`, `2020-10-15`,
/// `2020.10.15`, or in Chinese numerals `二〇二〇年十月十五日`.
pub fn parse_chinese_date(text: &str) -> Result<NaiveDate, DateError> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let err = || DateError(text.trim().to_string());
    let parts: Vec<String> = if t.contains('年') {
        let t = t.trim_end_matches('日').trim_end_matches('号');
        let (y, rest) = t.split_once('年').ok_or_else(err)?;
        let (m, d) = rest.split_once('月').ok_or_else(err)?;
        vec![y.to_string(), m.to_string(), d.to_string()]
    } else {
        t.split(['-', '.', '/']).map(str::to_string).collect()
    };
    if parts.len() != 3 {
        return Err(err());
    }
    let year = year_number(&parts[0]).ok_or_else(err)?;
    let month = small_number(&parts[1]).ok_or_else(err)?;
    let day = small_number(&parts[2]).ok_or_else(err)?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(err)
}

fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '〇' | '零' | 'О' | 'O' | '○' => Some(0),
        '一' => Some(1),
        '二' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        '六' => Some(6),
        '七' => Some(7),
        '八' => Some(8),
        '九' => Some(9),
        _ => None,
    }
}

/// A year is written digit by digit (`2020`, `二〇二〇`).
fn year_number(s: &str) -> Option<i32> {
    if s.chars().count() != 4 {
        return None;
    }
    s.chars()
        .try_fold(0u32, |acc, c| Some(acc * 10 + digit(c)?))
        .map(|y| y as i32)
}

/// Month and day: Arabic digits or Chinese numerals up to 三十一 (`十`, `十五`, `二十`).
fn small_number(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok();
    }
    let chars: Vec<char> = s.chars().collect();
    match chars.iter().position(|&c| c == '十') {
        None if chars.len() == 1 => digit(chars[0]),
        None => None,
        Some(pos) => {
            let tens = match pos {
                0 => 1,
                1 => digit(chars[0])?,
                _ => return None,
            };
            let units = match &chars[pos + 1..] {
                [] => 0,
                [c] => digit(*c)?,
                _ => return None,
            };
            Some(tens * 10 + units)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_china_date_turns_at_16_00_utc() {
        use chrono::TimeZone;
        let at = |h| Utc.with_ymd_and_hms(2020, 10, 14, h, 0, 0).unwrap();
        assert_eq!(
            china_date(at(15)),
            NaiveDate::from_ymd_opt(2020, 10, 14).unwrap()
        );
        assert_eq!(
            china_date(at(16)),
            NaiveDate::from_ymd_opt(2020, 10, 15).unwrap()
        );
    }

    #[test]
    fn arabic_and_chinese_forms() {
        let d = NaiveDate::from_ymd_opt(2020, 10, 15).unwrap();
        assert_eq!(parse_chinese_date("2020年10月15日"), Ok(d));
        assert_eq!(parse_chinese_date("二〇二〇年十月十五日"), Ok(d));
        assert_eq!(parse_chinese_date("2020-10-15"), Ok(d));
        assert_eq!(parse_chinese_date(" 2020 年 10 月 15 日 "), Ok(d));
        assert_eq!(
            parse_chinese_date("二〇二三年三月二十八日"),
            Ok(NaiveDate::from_ymd_opt(2023, 3, 28).unwrap())
        );
    }

    #[test]
    fn rejects_impossible_dates() {
        assert!(parse_chinese_date("2020年13月1日").is_err());
        assert!(parse_chinese_date("2020年2月30日").is_err());
        assert!(parse_chinese_date("十月十五日").is_err());
        assert!(parse_chinese_date("").is_err());
    }
}
