use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A sub-item label ① … ⑳.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SubItemLabel(u8);

impl SubItemLabel {
    pub const MAX: u8 = 20;

    pub fn new(number: u8) -> Option<Self> {
        (1..=Self::MAX)
            .contains(&number)
            .then_some(SubItemLabel(number))
    }

    /// ① … ⑳ in order.
    pub fn all() -> impl Iterator<Item = SubItemLabel> {
        (1..=Self::MAX).map(SubItemLabel)
    }

    pub fn from_char(c: char) -> Option<Self> {
        let code = c as u32;
        (0x2460..=0x2473)
            .contains(&code)
            .then(|| SubItemLabel((code - 0x2460 + 1) as u8))
    }

    pub fn number(self) -> u8 {
        self.0
    }

    pub fn as_char(self) -> char {
        char::from_u32(0x2460 + u32::from(self.0) - 1).unwrap_or('?')
    }
}

impl std::fmt::Display for SubItemLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.as_char())
    }
}

impl Serialize for SubItemLabel {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SubItemLabel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let mut chars = s.chars();
        match (chars.next().and_then(SubItemLabel::from_char), chars.next()) {
            (Some(label), None) => Ok(label),
            _ => Err(serde::de::Error::custom(format!(
                "分项标号应为①至⑳之一，而不是“{s}”"
            ))),
        }
    }
}

/// Whether the text has a sub-item marker ①…⑳ anywhere in it.
pub fn has_subitem_marker(text: &str) -> bool {
    text.chars().any(|c| SubItemLabel::from_char(c).is_some())
}

/// A task text split at its sub-item markers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubItemSplit {
    /// Text before ① (e.g. `加快设立：`), possibly empty.
    pub intro: String,
    pub items: Vec<(SubItemLabel, String)>,
}

/// Splits `…：①教育基金；②崇德培训中心；③教育投资公司。` into its sub-items. Markers
/// count only when they run ①, ②, ③ … in order; a stray ② quoted in running text does
/// not make sub-items. Each item's text loses its trailing separator (`；`, `，`).
pub fn split_subitems(text: &str) -> Option<SubItemSplit> {
    let mut markers: Vec<(usize, SubItemLabel)> = Vec::new();
    for (at, c) in text.char_indices() {
        if let Some(label) = SubItemLabel::from_char(c) {
            let expected = markers.last().map_or(1, |(_, l)| l.number() + 1);
            if label.number() == expected {
                markers.push((at, label));
            }
        }
    }
    if markers.is_empty() {
        return None;
    }
    let intro = text[..markers[0].0].trim().to_string();
    let mut items = Vec::with_capacity(markers.len());
    for (i, (at, label)) in markers.iter().enumerate() {
        let start = at + label.as_char().len_utf8();
        let end = markers.get(i + 1).map_or(text.len(), |(next, _)| *next);
        let body = text[start..end]
            .trim()
            .trim_end_matches(['；', ';', '，', ',', '、'])
            .trim()
            .to_string();
        items.push((*label, body));
    }
    Some(SubItemSplit { intro, items })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip() {
        for n in 1..=20 {
            let l = SubItemLabel::new(n).unwrap();
            assert_eq!(SubItemLabel::from_char(l.as_char()), Some(l));
        }
        assert_eq!(SubItemLabel::new(0), None);
        assert_eq!(SubItemLabel::new(21), None);
        assert_eq!(SubItemLabel::from_char('㉑'), None);
        let all: String = SubItemLabel::all().map(SubItemLabel::as_char).collect();
        assert_eq!(all, "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳");
        assert!(has_subitem_marker("含⑳标号"));
        assert!(!has_subitem_marker("含㉑与1."));
    }

    #[test]
    fn splits_task_33() {
        let s = split_subitems("教育资源整合，擦亮鲤城教育资源品牌，加快设立：①教育基金；②崇德培训中心；③教育投资公司。").unwrap();
        assert_eq!(s.intro, "教育资源整合，擦亮鲤城教育资源品牌，加快设立：");
        let texts: Vec<_> = s.items.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(texts, ["教育基金", "崇德培训中心", "教育投资公司。"]);
    }

    #[test]
    fn out_of_order_markers_are_text() {
        assert_eq!(split_subitems("见第②项说明"), None);
        let s = split_subitems("①甲，参照②；②乙").unwrap();
        assert_eq!(s.items.len(), 2);
        assert_eq!(s.items[0].1, "甲，参照");
    }
}
