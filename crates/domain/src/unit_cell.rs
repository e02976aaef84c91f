//! Reading a 牵头责任单位 cell as people write it.

use crate::subitem::SubItemLabel;

/// One unit as written in a cell, before it is looked up in the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenUnit {
    pub name: String,
    /// A parenthesised role or alias: `区委文明办 (区创城办)` → `区创城办`.
    pub role: Option<String>,
}

/// A parsed unit cell: the units for the whole task, and any per-sub-item assignments
/// (`第①项区城管局、鲤城公安分局牵头，第②项区发改局牵头`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitCell {
    /// Every unit in order of first appearance (the first is the main lead).
    pub units: Vec<WrittenUnit>,
    /// Sub-item labels with the units assigned to them, in the order written.
    pub per_subitem: Vec<(Vec<SubItemLabel>, Vec<WrittenUnit>)>,
}

/// Verbs that end a per-sub-item clause; longest first so `共同负责` wins over `负责`.
const CLAUSE_VERBS: &[&str] = &[
    "牵头负责",
    "共同负责",
    "共同牵头",
    "牵头",
    "负责",
    "主责",
    "承办",
];

pub fn parse_unit_cell(cell: &str) -> UnitCell {
    let mut out = UnitCell::default();
    for clause in split_clauses(cell) {
        match per_subitem_clause(&clause) {
            Some((labels, units)) => {
                for u in &units {
                    push_unique(&mut out.units, u);
                }
                out.per_subitem.push((labels, units));
            }
            None => {
                for u in split_units(&clause) {
                    push_unique(&mut out.units, &u);
                }
            }
        }
    }
    out
}

fn push_unique(list: &mut Vec<WrittenUnit>, unit: &WrittenUnit) {
    if !list.iter().any(|u| u.name == unit.name) {
        list.push(unit.clone());
    }
}

/// Clauses are separated by `，` `；` `。` outside parentheses.
fn split_clauses(cell: &str) -> Vec<String> {
    split_outside_parens(cell, &['，', ',', '；', ';', '。'])
}

fn split_outside_parens(text: &str, separators: &[char]) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 && separators.contains(&c) {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    parts.retain(|p| !p.trim().is_empty());
    parts
}

/// `第②、③项由区教育局、区住建局共同负责` → ([②, ③], [区教育局, 区住建局]).
fn per_subitem_clause(clause: &str) -> Option<(Vec<SubItemLabel>, Vec<WrittenUnit>)> {
    let clause = clause.trim();
    let rest = clause.strip_prefix('第')?;
    let (labels_text, rest) = rest.split_once('项')?;
    let labels = parse_label_list(labels_text)?;
    let mut rest = rest.trim();
    rest = rest.strip_prefix('由').unwrap_or(rest).trim();
    for verb in CLAUSE_VERBS {
        if let Some(stripped) = rest.strip_suffix(verb) {
            rest = stripped.trim();
            break;
        }
    }
    let units = split_units(rest);
    (!units.is_empty()).then_some((labels, units))
}

/// `①、②` / `①②` / `①-③` / `1、2` → labels. None when anything else is in there.
fn parse_label_list(text: &str) -> Option<Vec<SubItemLabel>> {
    let mut labels: Vec<SubItemLabel> = Vec::new();
    let mut range_from: Option<SubItemLabel> = None;
    let mut number = String::new();
    let flush_number = |number: &mut String, labels: &mut Vec<SubItemLabel>| -> Option<()> {
        if !number.is_empty() {
            labels.push(SubItemLabel::new(number.parse().ok()?)?);
            number.clear();
        }
        Some(())
    };
    for c in text.chars() {
        if let Some(label) = SubItemLabel::from_char(c) {
            match range_from.take() {
                Some(from) => {
                    for n in from.number() + 1..=label.number() {
                        labels.push(SubItemLabel::new(n)?);
                    }
                }
                None => labels.push(label),
            }
        } else if c.is_ascii_digit() {
            number.push(c);
        } else if matches!(c, '、' | ',' | '，' | '和' | '及' | ' ') {
            flush_number(&mut number, &mut labels)?;
        } else if matches!(c, '-' | '—' | '~' | '～' | '至') {
            flush_number(&mut number, &mut labels)?;
            range_from = Some(*labels.last()?);
        } else {
            return None;
        }
    }
    flush_number(&mut number, &mut labels)?;
    (!labels.is_empty()).then_some(labels)
}

/// `区委文明办 (区创城办) 区城管局 (区创卫办)` / `区城管局、鲤城公安分局` → units with roles.
fn split_units(text: &str) -> Vec<WrittenUnit> {
    let mut units: Vec<WrittenUnit> = Vec::new();
    for piece in split_outside_parens(text, &['、', '/', '／', ' ', '\u{3000}', '\t', '\n']) {
        let piece = piece.trim();
        // A piece may be `name(role)`, `(role)` alone, or `name`.
        let (name, role) = match piece.find(['(', '（']) {
            Some(open) => {
                let inner = piece[open..]
                    .trim_start_matches(['(', '（'])
                    .trim_end_matches([')', '）'])
                    .trim();
                (piece[..open].trim(), Some(inner))
            }
            None => (piece, None),
        };
        let role = role.filter(|r| !r.is_empty()).map(str::to_string);
        if name.is_empty() {
            // A bracket standing alone belongs to the unit before it.
            match (units.last_mut(), role) {
                (Some(last), Some(role)) if last.role.is_none() => last.role = Some(role),
                (_, Some(role)) => units.push(WrittenUnit {
                    name: role,
                    role: None,
                }),
                _ => {}
            }
        } else {
            units.push(WrittenUnit {
                name: name.to_string(),
                role,
            });
        }
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(cell: &UnitCell) -> Vec<&str> {
        cell.units.iter().map(|u| u.name.as_str()).collect()
    }

    fn labels(l: &[SubItemLabel]) -> Vec<u8> {
        l.iter().map(|l| l.number()).collect()
    }

    #[test]
    fn space_and_enumeration_comma_lists() {
        assert_eq!(
            names(&parse_unit_cell("区财政局 区工信局 区发改局")),
            ["区财政局", "区工信局", "区发改局"]
        );
        assert_eq!(
            names(&parse_unit_cell("区城管局、鲤城公安分局")),
            ["区城管局", "鲤城公安分局"]
        );
        assert_eq!(names(&parse_unit_cell("区发改局")), ["区发改局"]);
    }

    #[test]
    fn parenthesised_roles_attach_to_the_unit_before() {
        let cell = parse_unit_cell("区委文明办 (区创城办) 区城管局 (区创卫办)");
        assert_eq!(names(&cell), ["区委文明办", "区城管局"]);
        assert_eq!(cell.units[0].role.as_deref(), Some("区创城办"));
        assert_eq!(cell.units[1].role.as_deref(), Some("区创卫办"));
        let cell =
            parse_unit_cell("区文旅局 区商务局 (中山路及周边商圈业态提升工作领导小组办公室)");
        assert_eq!(names(&cell), ["区文旅局", "区商务局"]);
        assert_eq!(
            cell.units[1].role.as_deref(),
            Some("中山路及周边商圈业态提升工作领导小组办公室")
        );
        let cell = parse_unit_cell("区应急局（区安办）、区住建局");
        assert_eq!(names(&cell), ["区应急局", "区住建局"]);
        assert_eq!(cell.units[0].role.as_deref(), Some("区安办"));
    }

    #[test]
    fn per_subitem_phrasing() {
        let cell = parse_unit_cell(
            "第①项区城管局、鲤城公安分局牵头，第②项区发改局牵头，第③项高新区管委会牵头",
        );
        assert_eq!(
            names(&cell),
            ["区城管局", "鲤城公安分局", "区发改局", "高新区管委会"]
        );
        assert_eq!(cell.per_subitem.len(), 3);
        assert_eq!(labels(&cell.per_subitem[0].0), [1]);
        assert_eq!(cell.per_subitem[0].1.len(), 2);

        let cell = parse_unit_cell(
            "第①项由区教育局牵头，第②、③项由区教育局、区住建局、区文旅集团共同负责",
        );
        assert_eq!(names(&cell), ["区教育局", "区住建局", "区文旅集团"]);
        assert_eq!(labels(&cell.per_subitem[1].0), [2, 3]);
        assert_eq!(cell.per_subitem[1].1.len(), 3);

        let cell = parse_unit_cell("第①、②项由区财政局牵头，第③项由文旅局牵头");
        assert_eq!(names(&cell), ["区财政局", "文旅局"]);
        assert_eq!(labels(&cell.per_subitem[0].0), [1, 2]);

        let cell = parse_unit_cell("第①-③项由区发改局牵头");
        assert_eq!(labels(&cell.per_subitem[0].0), [1, 2, 3]);
    }

    #[test]
    fn nothing_is_dropped_from_odd_cells() {
        let cell = parse_unit_cell("（区安办）");
        assert_eq!(names(&cell), ["区安办"]);
        assert!(parse_unit_cell("  ").units.is_empty());
    }
}
