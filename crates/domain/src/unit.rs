use serde::{Deserialize, Serialize};

/// A unit's key in the store. The domain itself names units by their canonical name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UnitId(pub i64);

/// Category a unit is ranked in (区直部门, 街道 …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnitKind {
    #[serde(rename = "区直部门")]
    Department,
    #[serde(rename = "街道")]
    Subdistrict,
    #[serde(rename = "管委会")]
    AdminCommittee,
    #[serde(rename = "指挥部")]
    Headquarters,
    #[serde(rename = "领导小组办公室")]
    LeadingGroupOffice,
    #[serde(rename = "国有企业")]
    StateEnterprise,
    #[serde(rename = "垂直管理单位")]
    VerticalAgency,
    /// 各街道、各相关单位: a group, not one accountable unit.
    #[serde(rename = "泛指")]
    Group,
    #[serde(rename = "其他")]
    Other,
}

impl UnitKind {
    pub const ALL: [UnitKind; 9] = [
        UnitKind::Department,
        UnitKind::Subdistrict,
        UnitKind::AdminCommittee,
        UnitKind::Headquarters,
        UnitKind::LeadingGroupOffice,
        UnitKind::StateEnterprise,
        UnitKind::VerticalAgency,
        UnitKind::Group,
        UnitKind::Other,
    ];

    pub fn label(self) -> &'static str {
        match self {
            UnitKind::Department => "区直部门",
            UnitKind::Subdistrict => "街道",
            UnitKind::AdminCommittee => "管委会",
            UnitKind::Headquarters => "指挥部",
            UnitKind::LeadingGroupOffice => "领导小组办公室",
            UnitKind::StateEnterprise => "国有企业",
            UnitKind::VerticalAgency => "垂直管理单位",
            UnitKind::Group => "泛指",
            UnitKind::Other => "其他",
        }
    }

    pub fn from_label(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.label() == label)
    }

    /// Guesses the category from the name's form; the office can correct it.
    pub fn infer(name: &str) -> Self {
        let ends = |s: &str| name.ends_with(s);
        if name.starts_with('各') || name.contains("有关") || name.contains("相关") {
            UnitKind::Group
        } else if ends("街道办事处") || ends("街道") {
            UnitKind::Subdistrict
        } else if ends("管委会") || ends("管理委员会") {
            UnitKind::AdminCommittee
        } else if ends("指挥部") {
            UnitKind::Headquarters
        } else if ends("领导小组办公室") {
            UnitKind::LeadingGroupOffice
        } else if ends("集团") || ends("公司") {
            UnitKind::StateEnterprise
        } else if ends("分局") || ends("大队") || ends("支队") || ends("税务局") {
            UnitKind::VerticalAgency
        } else if has_unit_suffix(name) {
            UnitKind::Department
        } else {
            UnitKind::Other
        }
    }
}

/// Endings that mark a phrase as the name of an organisation.
const UNIT_SUFFIXES: &[&str] = &[
    "局",
    "办",
    "委",
    "委员会",
    "办公室",
    "办事处",
    "街道",
    "管委会",
    "指挥部",
    "集团",
    "公司",
    "大队",
    "支队",
    "中心",
    "院",
    "部",
    "会",
    "所",
    "站",
    "队",
    "厅",
    "处",
];

pub fn has_unit_suffix(name: &str) -> bool {
    UNIT_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// The longest unit name accepted (the longest real ones, such as
/// `泉州市鲤城区人民政府江南街道办事处`, are about 20 characters).
pub const MAX_UNIT_NAME_CHARS: usize = 50;

/// Why a text cannot be a unit's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitNameError {
    #[error("单位名称不能为空")]
    Empty,
    #[error("单位名称“{0}”过长（最多 50 字）")]
    TooLong(String),
    #[error(
        "单位名称“{name}”中有“{found}”：一个单位的名称里不能有空格、顿号、逗号、分号、斜杠或括号（这些符号用来分隔多个单位或注明分工），请分开填写各单位"
    )]
    Separator { name: String, found: char },
}

/// What separates units in a cell or notes a role (`unit_cell`): a name holding one
/// would be read back as two units, or as a unit and a role.
const NAME_BREAKERS: &[char] = &[
    '、', '/', '／', '，', ',', '；', ';', '。', '(', ')', '（', '）',
];

/// Checks that `name` can be a unit's name: what a unit cell would read back as one
/// unit. Every path that records a unit name asks this (imports of every format, the
/// decomposition editor), so a name accepted on one path is never refused, or
/// misread, on another.
pub fn check_unit_name(name: &str) -> Result<(), UnitNameError> {
    if name.trim().is_empty() {
        return Err(UnitNameError::Empty);
    }
    if name.chars().count() > MAX_UNIT_NAME_CHARS {
        return Err(UnitNameError::TooLong(
            name.chars().take(20).collect::<String>() + "…",
        ));
    }
    if let Some(found) = name
        .chars()
        .find(|c| c.is_whitespace() || NAME_BREAKERS.contains(c))
    {
        return Err(UnitNameError::Separator {
            name: name.to_string(),
            found: if found.is_whitespace() { ' ' } else { found },
        });
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// Canonical name, e.g. `区委文明办`.
    pub name: String,
    pub kind: UnitKind,
    /// Other names it goes by, e.g. `区创城办` (its role as the 创城 office).
    #[serde(default)]
    pub aliases: Vec<String>,
}

impl Unit {
    pub fn new(name: &str) -> Self {
        Unit {
            name: name.to_string(),
            kind: UnitKind::infer(name),
            aliases: Vec::new(),
        }
    }
}

/// How a written name matched the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// The canonical name itself.
    Exact(usize),
    /// A recorded alias of the unit.
    Alias(usize),
    /// A short form such as `文旅局` for `区文旅局` (unique match after an administrative prefix).
    ShortForm(usize),
    Unknown,
}

impl Resolution {
    pub fn index(self) -> Option<usize> {
        match self {
            Resolution::Exact(i) | Resolution::Alias(i) | Resolution::ShortForm(i) => Some(i),
            Resolution::Unknown => None,
        }
    }
}

/// A name that is probably a mistyped unit, shown to the supervisor, never applied silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitFlag {
    /// 序号 of the task where it was seen.
    pub task: u32,
    /// Which field (`落实情况`, `牵头责任单位` …).
    pub field: String,
    /// As written, e.g. `区域管局`.
    pub written: String,
    /// The unit it probably means, e.g. `区城管局`.
    pub probable: String,
}

/// The units an office deals with, with their aliases. Order is first appearance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitDirectory {
    pub units: Vec<Unit>,
}

/// Longest prefix a short form may drop (`鲤城公安分局` → `公安分局` drops 2 chars;
/// `泉州市鲤城区` style prefixes are at most this long).
const MAX_SHORT_FORM_PREFIX: usize = 6;

impl UnitDirectory {
    pub fn get(&self, name: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.name == name)
    }

    pub fn resolve(&self, written: &str) -> Resolution {
        if let Some(i) = self.units.iter().position(|u| u.name == written) {
            return Resolution::Exact(i);
        }
        if let Some(i) = self
            .units
            .iter()
            .position(|u| u.aliases.iter().any(|a| a == written))
        {
            return Resolution::Alias(i);
        }
        self.short_form_of(written)
            .map_or(Resolution::Unknown, Resolution::ShortForm)
    }

    /// The one unit whose name is `written` with an administrative prefix added
    /// (`区`, `市`, `鲤城` …). Two candidates mean ambiguity: no match.
    fn short_form_of(&self, written: &str) -> Option<usize> {
        let len = written.chars().count();
        if len < 2 || !has_unit_suffix(written) {
            return None;
        }
        let mut found = None;
        for (i, unit) in self.units.iter().enumerate() {
            let candidates = std::iter::once(&unit.name).chain(&unit.aliases);
            for name in candidates {
                let extra = name.chars().count().saturating_sub(len);
                if name.ends_with(written) && (1..=MAX_SHORT_FORM_PREFIX).contains(&extra) {
                    if found.is_some_and(|f| f != i) {
                        return None;
                    }
                    found = Some(i);
                }
            }
        }
        found
    }

    /// Adds the unit if unknown; returns its index.
    pub fn insert(&mut self, name: &str) -> usize {
        if let Some(i) = self.units.iter().position(|u| u.name == name) {
            return i;
        }
        self.units.push(Unit::new(name));
        self.units.len() - 1
    }

    /// Records `alias` for the unit at `index` unless it already names some unit.
    pub fn add_alias(&mut self, index: usize, alias: &str) {
        if alias.is_empty() || self.resolve_exactly(alias) {
            return;
        }
        if let Some(unit) = self.units.get_mut(index) {
            unit.aliases.push(alias.to_string());
        }
    }

    fn resolve_exactly(&self, name: &str) -> bool {
        self.units
            .iter()
            .any(|u| u.name == name || u.aliases.iter().any(|a| a == name))
    }

    /// Another unit that `written` differs from by one character (same length, or one
    /// character more or less): `区域管局` → `区城管局`.
    pub fn probable_typo(&self, written: &str) -> Option<&Unit> {
        if written.chars().count() < 3 {
            return None;
        }
        let mut matches = self.units.iter().filter(|u| u.name != written).filter(|u| {
            std::iter::once(&u.name)
                .chain(&u.aliases)
                .any(|name| edit_distance_is_one(written, name))
        });
        let first = matches.next()?;
        // Two equally close units: we cannot say which was meant.
        matches.next().is_none().then_some(first)
    }
}

fn edit_distance_is_one(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    match long.len() - short.len() {
        0 => {
            short
                .iter()
                .zip(long.iter())
                .filter(|(x, y)| x != y)
                .count()
                == 1
        }
        1 => {
            let prefix = short
                .iter()
                .zip(long.iter())
                .take_while(|(x, y)| x == y)
                .count();
            short[prefix..] == long[prefix + 1..]
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directory(names: &[&str]) -> UnitDirectory {
        let mut d = UnitDirectory::default();
        for n in names {
            d.insert(n);
        }
        d
    }

    #[test]
    fn infers_kinds() {
        assert_eq!(UnitKind::infer("区发改局"), UnitKind::Department);
        assert_eq!(UnitKind::infer("浮桥街道办事处"), UnitKind::Subdistrict);
        assert_eq!(UnitKind::infer("高新区管委会"), UnitKind::AdminCommittee);
        assert_eq!(UnitKind::infer("区疫情防控指挥部"), UnitKind::Headquarters);
        assert_eq!(UnitKind::infer("区文旅集团"), UnitKind::StateEnterprise);
        assert_eq!(UnitKind::infer("鲤城公安分局"), UnitKind::VerticalAgency);
        assert_eq!(UnitKind::infer("各街道"), UnitKind::Group);
        assert_eq!(
            UnitKind::infer("中山路及周边商圈业态提升工作领导小组办公室"),
            UnitKind::LeadingGroupOffice
        );
    }

    #[test]
    fn resolves_short_forms_uniquely() {
        let d = directory(&["区文旅局", "区文旅集团", "区发改局"]);
        assert_eq!(d.resolve("文旅局"), Resolution::ShortForm(0));
        assert_eq!(d.resolve("区发改局"), Resolution::Exact(2));
        assert_eq!(d.resolve("商务局"), Resolution::Unknown);
        let ambiguous = directory(&["区教育局", "市教育局"]);
        assert_eq!(ambiguous.resolve("教育局"), Resolution::Unknown);
    }

    #[test]
    fn aliases_resolve() {
        let mut d = directory(&["区委文明办"]);
        d.add_alias(0, "区创城办");
        assert_eq!(d.resolve("区创城办"), Resolution::Alias(0));
    }

    #[test]
    fn flags_one_character_typos_only() {
        let d = directory(&["区城管局", "区住建局"]);
        assert_eq!(
            d.probable_typo("区域管局").map(|u| u.name.as_str()),
            Some("区城管局")
        );
        assert_eq!(
            d.probable_typo("区城管局"),
            None,
            "a unit is not its own typo"
        );
        assert_eq!(d.probable_typo("区财政局"), None);
        assert_eq!(
            d.probable_typo("区城管理局").map(|u| u.name.as_str()),
            Some("区城管局")
        );
    }
}
