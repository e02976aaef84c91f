//! Word's automatic numbering (`word/numbering.xml`): the labels Word shows in front
//! of a numbered paragraph (①, 一、, （一）, 1.), which are not in the text.
//!
//! A paragraph is numbered by its own `w:numPr` (numId, ilvl) or by its style's
//! (`word/styles.xml`, following `w:basedOn`). `w:num` points at a `w:abstractNum`
//! whose levels give the format (`w:numFmt`), the pattern (`w:lvlText`, `%1` …) and
//! the first value (`w:start`, or the num's `w:startOverride`). Counters run per
//! abstract list, as Word continues a list across paragraphs and table cells; using
//! a level restarts the levels below it.

use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::{attribute, symbol};

/// Levels 0–8, as Word allows.
const LEVELS: usize = 9;

#[derive(Debug, Clone, Default)]
struct Level {
    start: u32,
    format: String,
    text: String,
    /// What follows the label: a tab (default), a space or nothing.
    suffix: String,
    font: Option<String>,
}

#[derive(Debug, Clone, Default)]
struct Num {
    abstract_id: String,
    /// `w:lvlOverride/w:startOverride` per level.
    start_overrides: HashMap<usize, u32>,
}

/// The numbering definitions of a document and the counters while reading it.
#[derive(Debug, Default)]
pub struct Numbering {
    abstracts: HashMap<String, Vec<Level>>,
    nums: HashMap<String, Num>,
    /// styleId → the style's numbering and parent.
    styles: HashMap<String, StyleNumbering>,
    /// Per abstract list: the current value of each level, `None` until used.
    counters: HashMap<String, [Option<u32>; LEVELS]>,
    /// Nums whose start override has been applied.
    started: Vec<String>,
}

/// A paragraph style's `w:numPr` and `w:basedOn`.
#[derive(Debug, Clone, Default)]
struct StyleNumbering {
    num_id: Option<String>,
    level: Option<usize>,
    based_on: Option<String>,
}

/// A paragraph's numbering as written in its `w:pPr`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParaNumbering {
    pub num_id: Option<String>,
    pub level: Option<usize>,
    pub style: Option<String>,
}

impl Numbering {
    /// Reads `numbering.xml` and `styles.xml` (either may be missing). Malformed
    /// definitions are skipped: numbering is never a reason to refuse a document.
    pub fn parse(numbering: Option<&[u8]>, styles: Option<&[u8]>) -> Self {
        let mut out = Numbering::default();
        if let Some(xml) = numbering {
            out.read_numbering(xml);
        }
        if let Some(xml) = styles {
            out.read_styles(xml);
        }
        out
    }

    fn read_numbering(&mut self, xml: &[u8]) {
        let mut reader = Reader::from_reader(xml);
        let mut buf = Vec::new();
        let mut abstract_id: Option<String> = None;
        let mut levels: Vec<Level> = Vec::new();
        let mut level: Option<(usize, Level)> = None;
        let mut num: Option<(String, Num)> = None;
        let mut override_level: Option<usize> = None;
        loop {
            let event = match reader.read_event_into(&mut buf) {
                Ok(Event::Eof) | Err(_) => break,
                Ok(e) => e,
            };
            match event {
                Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                    b"abstractNum" => {
                        abstract_id = attribute(&e, b"abstractNumId");
                        levels = vec![Level::default(); LEVELS];
                    }
                    b"lvl" if abstract_id.is_some() => {
                        let ilvl = attribute(&e, b"ilvl")
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .filter(|l| *l < LEVELS);
                        level = ilvl.map(|l| {
                            (
                                l,
                                Level {
                                    start: 1,
                                    suffix: "tab".into(),
                                    ..Level::default()
                                },
                            )
                        });
                    }
                    b"start" => {
                        if let Some((_, l)) = level.as_mut() {
                            l.start = number(&e).unwrap_or(1);
                        }
                    }
                    b"numFmt" => {
                        if let Some((_, l)) = level.as_mut() {
                            l.format = attribute(&e, b"val").unwrap_or_default();
                        }
                    }
                    b"lvlText" => {
                        if let Some((_, l)) = level.as_mut() {
                            l.text = attribute(&e, b"val").unwrap_or_default();
                        }
                    }
                    b"suff" => {
                        if let Some((_, l)) = level.as_mut() {
                            l.suffix = attribute(&e, b"val").unwrap_or_default();
                        }
                    }
                    b"rFonts" => {
                        if let Some((_, l)) = level.as_mut() {
                            l.font = attribute(&e, b"ascii").or_else(|| attribute(&e, b"hAnsi"));
                        }
                    }
                    b"num" => {
                        num = attribute(&e, b"numId").map(|id| (id, Num::default()));
                    }
                    b"abstractNumId" => {
                        if let Some((_, n)) = num.as_mut() {
                            n.abstract_id = attribute(&e, b"val").unwrap_or_default();
                        }
                    }
                    b"lvlOverride" => {
                        override_level =
                            attribute(&e, b"ilvl").and_then(|v| v.trim().parse::<usize>().ok());
                    }
                    b"startOverride" => {
                        if let (Some((_, n)), Some(l)) = (num.as_mut(), override_level) {
                            n.start_overrides.insert(l, number(&e).unwrap_or(1));
                        }
                    }
                    _ => {}
                },
                Event::End(e) => match e.local_name().as_ref() {
                    b"lvl" => {
                        if let Some((l, def)) = level.take() {
                            levels[l] = def;
                        }
                    }
                    b"abstractNum" => {
                        if let Some(id) = abstract_id.take() {
                            self.abstracts.insert(id, std::mem::take(&mut levels));
                        }
                    }
                    b"num" => {
                        if let Some((id, n)) = num.take() {
                            self.nums.insert(id, n);
                        }
                    }
                    b"lvlOverride" => override_level = None,
                    _ => {}
                },
                _ => {}
            }
            buf.clear();
        }
    }

    fn read_styles(&mut self, xml: &[u8]) {
        let mut reader = Reader::from_reader(xml);
        let mut buf = Vec::new();
        let mut style: Option<(String, StyleNumbering)> = None;
        loop {
            let event = match reader.read_event_into(&mut buf) {
                Ok(Event::Eof) | Err(_) => break,
                Ok(e) => e,
            };
            match event {
                Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                    b"style" => {
                        style = attribute(&e, b"styleId").map(|id| (id, StyleNumbering::default()));
                    }
                    b"numId" => {
                        if let Some((_, s)) = style.as_mut() {
                            s.num_id = attribute(&e, b"val");
                        }
                    }
                    b"ilvl" => {
                        if let Some((_, s)) = style.as_mut() {
                            s.level = number(&e).map(|n| n as usize);
                        }
                    }
                    b"basedOn" => {
                        if let Some((_, s)) = style.as_mut() {
                            s.based_on = attribute(&e, b"val");
                        }
                    }
                    _ => {}
                },
                Event::End(e) if e.local_name().as_ref() == b"style" => {
                    if let Some((id, numbering)) = style.take() {
                        self.styles.insert(id, numbering);
                    }
                }
                _ => {}
            }
            buf.clear();
        }
    }

    /// The paragraph's (numId, ilvl): its own, else its style's (through `basedOn`).
    fn resolve(&self, para: &ParaNumbering) -> Option<(String, usize)> {
        let mut num_id = para.num_id.clone();
        let mut level = para.level;
        let mut style = para.style.clone();
        for _ in 0..10 {
            if num_id.is_some() {
                break;
            }
            let Some(found) = style.as_ref().and_then(|s| self.styles.get(s)) else {
                break;
            };
            num_id = found.num_id.clone();
            level = level.or(found.level);
            style = found.based_on.clone();
        }
        let num_id = num_id?;
        // numId 0 switches numbering off.
        (num_id.trim() != "0").then_some((num_id, level.unwrap_or(0).min(LEVELS - 1)))
    }

    /// The label Word shows for this paragraph, advancing the counters; `None` when
    /// the paragraph is not numbered or its list draws no label (bullets, `none`).
    pub fn label(&mut self, para: &ParaNumbering) -> Option<String> {
        let (num_id, level) = self.resolve(para)?;
        let num = self.nums.get(&num_id)?.clone();
        let levels = self.abstracts.get(&num.abstract_id)?.clone();
        let def = levels.get(level)?;
        let counters = self
            .counters
            .entry(num.abstract_id.clone())
            .or_insert([None; LEVELS]);
        if !self.started.contains(&num_id) {
            self.started.push(num_id.clone());
            for (l, start) in &num.start_overrides {
                if let Some(c) = counters.get_mut(*l) {
                    // The next use of the level shows `start`.
                    *c = Some(start.saturating_sub(1));
                    if *start == 0 {
                        *c = None;
                    }
                }
            }
        }
        counters[level] = Some(match counters[level] {
            Some(value) => value + 1,
            None => def.start,
        });
        for deeper in counters.iter_mut().skip(level + 1) {
            *deeper = None;
        }
        if def.format == "bullet" {
            let mut chars = def.text.chars();
            let label = match (chars.next(), chars.next()) {
                (Some(c), None) => symbol(def.font.as_deref(), &format!("{:X}", c as u32))
                    .filter(|c| !('\u{E000}'..='\u{F8FF}').contains(c))
                    .unwrap_or('•'),
                _ => '•',
            };
            return Some(label.to_string());
        }
        if def.format == "none" && !def.text.contains('%') {
            return (!def.text.is_empty()).then(|| def.text.clone());
        }
        let mut out = String::new();
        let mut chars = def.text.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek().and_then(|d| d.to_digit(10))) {
                ('%', Some(d)) if (1..=9).contains(&d) => {
                    chars.next();
                    let l = d as usize - 1;
                    let value = counters[l].unwrap_or_else(|| levels[l].start);
                    out.push_str(&format_number(value, &levels[l].format));
                }
                _ => out.push(c),
            }
        }
        if def.suffix == "space" {
            out.push(' ');
        }
        (!out.trim().is_empty()).then_some(out)
    }
}

fn number(e: &BytesStart<'_>) -> Option<u32> {
    attribute(e, b"val").and_then(|v| v.trim().parse().ok())
}

/// A counter value in one of Word's number formats.
pub fn format_number(value: u32, format: &str) -> String {
    let enclosed = |first: u32, max: u32| {
        (1..=max)
            .contains(&value)
            .then(|| char::from_u32(first + value - 1))
            .flatten()
            .map(String::from)
    };
    let formatted = match format {
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" => enclosed(0x2460, 20),
        "decimalEnclosedParen" => enclosed(0x2474, 20),
        "decimalEnclosedFullstop" => enclosed(0x2488, 20),
        "chineseCounting"
        | "chineseCountingThousand"
        | "taiwaneseCounting"
        | "taiwaneseCountingThousand"
        | "ideographTraditional" => Some(chinese(value)),
        "chineseLegalSimplified" => Some(chinese_legal(value)),
        "ideographDigital" | "taiwaneseDigital" => Some(
            value
                .to_string()
                .chars()
                .map(|d| DIGITS[d.to_digit(10).unwrap_or(0) as usize])
                .collect(),
        ),
        "decimalFullWidth" | "decimalFullWidth2" => Some(
            value
                .to_string()
                .chars()
                .filter_map(|d| char::from_u32(d as u32 - '0' as u32 + 0xFF10))
                .collect(),
        ),
        "decimalZero" => Some(format!("{value:02}")),
        "lowerLetter" => Some(letters(value).to_ascii_lowercase()),
        "upperLetter" => Some(letters(value)),
        "lowerRoman" => Some(roman(value).to_ascii_lowercase()),
        "upperRoman" => Some(roman(value)),
        _ => None,
    };
    formatted.unwrap_or_else(|| value.to_string())
}

const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五.
fn chinese(value: u32) -> String {
    if value == 0 {
        return "〇".into();
    }
    if value >= 10_000 {
        return value.to_string();
    }
    let units = [(1000, '千'), (100, '百'), (10, '十')];
    let mut out = String::new();
    let mut rest = value;
    let mut zero = false;
    for (size, name) in units {
        let digit = rest / size;
        rest %= size;
        if digit > 0 {
            if zero {
                out.push('零');
                zero = false;
            }
            if !(size == 10 && digit == 1 && out.is_empty()) {
                out.push(DIGITS[digit as usize]);
            }
            out.push(name);
        } else if !out.is_empty() {
            zero = true;
        }
    }
    if rest > 0 {
        if zero {
            out.push('零');
        }
        out.push(DIGITS[rest as usize]);
    }
    out
}

fn chinese_legal(value: u32) -> String {
    chinese(value)
        .chars()
        .map(|c| match c {
            '一' => '壹',
            '二' => '贰',
            '三' => '叁',
            '四' => '肆',
            '五' => '伍',
            '六' => '陆',
            '七' => '柒',
            '八' => '捌',
            '九' => '玖',
            '十' => '拾',
            '百' => '佰',
            '千' => '仟',
            other => other,
        })
        .collect()
}

fn letters(value: u32) -> String {
    // Word repeats the letter: 27 → AA, 28 → BB.
    if value == 0 {
        return String::new();
    }
    let letter = char::from(b'A' + ((value - 1) % 26) as u8);
    std::iter::repeat_n(letter, ((value - 1) / 26 + 1) as usize).collect()
}

fn roman(mut value: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (size, text) in TABLE {
        while value >= size {
            out.push_str(text);
            value -= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats_as_word_shows_them() {
        assert_eq!(format_number(1, "decimalEnclosedCircleChinese"), "①");
        assert_eq!(format_number(20, "decimalEnclosedCircle"), "⑳");
        assert_eq!(format_number(21, "decimalEnclosedCircle"), "21");
        assert_eq!(format_number(1, "chineseCounting"), "一");
        assert_eq!(format_number(10, "chineseCounting"), "十");
        assert_eq!(format_number(12, "chineseCountingThousand"), "十二");
        assert_eq!(format_number(20, "chineseCounting"), "二十");
        assert_eq!(format_number(35, "chineseCounting"), "三十五");
        assert_eq!(format_number(105, "chineseCounting"), "一百零五");
        assert_eq!(format_number(110, "chineseCounting"), "一百一十");
        assert_eq!(format_number(3, "chineseLegalSimplified"), "叁");
        assert_eq!(format_number(7, "decimal"), "7");
        assert_eq!(format_number(4, "upperRoman"), "IV");
        assert_eq!(format_number(28, "lowerLetter"), "bb");
        assert_eq!(format_number(2, "decimalFullWidth"), "２");
    }

    const NUMBERING: &str = r#"<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="0">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="1">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimalEnclosedCircleChinese"/><w:lvlText w:val="%1"/><w:suff w:val="nothing"/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="2">
  <w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="&#xF0B7;"/><w:rPr><w:rFonts w:ascii="Symbol" w:hAnsi="Symbol"/></w:rPr></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
<w:num w:numId="4"><w:abstractNumId w:val="2"/></w:num>
</w:numbering>"#;

    const STYLES: &str = r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:style w:type="paragraph" w:styleId="ListNumber"><w:pPr><w:numPr><w:numId w:val="2"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="MyList"><w:basedOn w:val="ListNumber"/></w:style>
</w:styles>"#;

    fn para(num: &str, level: usize) -> ParaNumbering {
        ParaNumbering {
            num_id: Some(num.into()),
            level: Some(level),
            style: None,
        }
    }

    #[test]
    fn levels_counters_overrides_and_styles() {
        let mut n = Numbering::parse(Some(NUMBERING.as_bytes()), Some(STYLES.as_bytes()));
        let labels: Vec<Option<String>> = [
            para("1", 0),
            para("1", 1),
            para("1", 1),
            para("1", 2),
            para("1", 0),
            para("1", 1),
        ]
        .iter()
        .map(|p| n.label(p))
        .collect();
        assert_eq!(
            labels,
            ["一、", "（一）", "（二）", "1.", "二、", "（一）"].map(|s| Some(s.to_string()))
        );
        assert_eq!(n.label(&para("2", 0)).as_deref(), Some("①"));
        assert_eq!(n.label(&para("2", 0)).as_deref(), Some("②"));
        // A style's numbering, through basedOn, continues the same list.
        let styled = ParaNumbering {
            style: Some("MyList".into()),
            ..ParaNumbering::default()
        };
        assert_eq!(n.label(&styled).as_deref(), Some("③"));
        // A num that overrides the start restarts the shared list once.
        assert_eq!(n.label(&para("3", 0)).as_deref(), Some("①"));
        assert_eq!(n.label(&para("3", 0)).as_deref(), Some("②"));
        assert_eq!(n.label(&para("4", 0)).as_deref(), Some("•"));
        assert_eq!(n.label(&para("0", 0)), None);
        assert_eq!(n.label(&para("99", 0)), None);
        assert_eq!(n.label(&ParaNumbering::default()), None);
    }
}
