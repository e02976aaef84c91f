//! The attachment table: its columns (kinds, headers, widths by content), rows and
//! orientation.

use super::*;

/// What a column of the attachment table holds (order as written: 序号, 具体目标任务,
/// 牵头责任单位, 配合单位, 责任领导, 完成时限, 落实情况, 备注, then unknown columns).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ColumnKind {
    Number,
    Content,
    LeadUnits,
    CooperatingUnits,
    Leader,
    Deadline,
    Progress,
    Notes,
    /// A column the importer kept as `extra`, by its header.
    Extra(String),
}

/// Page orientation of the attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Orientation {
    Portrait,
    Landscape,
}

/// A column: header, kind, width, alignment.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnView {
    pub kind: ColumnKind,
    pub header: String,
    /// Width in mm; the widths of a table add up to its page's 版心 width.
    pub width_mm: f64,
    /// Centre the cells (序号); otherwise left/justified.
    pub centered: bool,
}

/// The attachment table, ready to typeset: columns with widths, and for every task one
/// row of cells in column order. Cells are [`RichText`]: paragraphs and bold runs as
/// imported (sub-item labels ①… are part of the text).
#[derive(Debug, Clone, PartialEq)]
pub struct TableView {
    pub orientation: Orientation,
    pub columns: Vec<ColumnView>,
    pub rows: Vec<Vec<RichText>>,
}

impl TableView {
    /// Builds the table of `tasks`: the fixed columns, the optional ones any task fills,
    /// then extra columns in order of first appearance. Landscape when it has four or
    /// more columns.
    pub fn new(tasks: &[Task]) -> Self {
        type Cell = fn(&Task) -> Option<RichText>;
        let fixed: [(ColumnKind, &str, Cell); 3] = [
            (ColumnKind::Number, "序号", |t| {
                Some(RichText::plain(&t.number.to_string()))
            }),
            (ColumnKind::Content, "具体目标任务", |t| {
                Some(t.content.clone())
            }),
            (ColumnKind::LeadUnits, "牵头责任单位", |t| {
                Some(unit_cell(&t.lead_units_text))
            }),
        ];
        let optional: [(ColumnKind, &str, Cell); 5] = [
            (ColumnKind::CooperatingUnits, "配合单位", |t| {
                (!t.cooperating_units_text.trim().is_empty())
                    .then(|| unit_cell(&t.cooperating_units_text))
            }),
            (ColumnKind::Leader, "责任领导", |t| {
                t.leader.as_deref().map(RichText::plain)
            }),
            (ColumnKind::Deadline, "完成时限", |t| {
                t.deadline.as_deref().map(RichText::plain)
            }),
            (ColumnKind::Progress, "落实情况", |t| t.progress.clone()),
            (ColumnKind::Notes, "备注", |t| t.notes.clone()),
        ];
        let mut kinds: Vec<(ColumnKind, String)> = Vec::new();
        let mut cells: Vec<Vec<RichText>> = vec![Vec::new(); tasks.len()];
        for (kind, header, cell) in fixed {
            kinds.push((kind, header.to_string()));
            for (row, t) in cells.iter_mut().zip(tasks) {
                row.push(cell(t).unwrap_or_default());
            }
        }
        for (kind, header, cell) in optional {
            if tasks.iter().any(|t| cell(t).is_some_and(|c| !c.is_empty())) {
                kinds.push((kind, header.to_string()));
                for (row, t) in cells.iter_mut().zip(tasks) {
                    row.push(cell(t).unwrap_or_default());
                }
            }
        }
        let mut extra: Vec<&str> = Vec::new();
        for t in tasks {
            for e in &t.extra {
                if !extra.contains(&e.column.as_str()) {
                    extra.push(&e.column);
                }
            }
        }
        for name in extra {
            kinds.push((ColumnKind::Extra(name.to_string()), name.to_string()));
            for (row, t) in cells.iter_mut().zip(tasks) {
                let text = t.extra.iter().find(|e| e.column == name);
                row.push(text.map(|e| e.text.clone()).unwrap_or_default());
            }
        }
        let orientation = if kinds.len() >= 4 {
            Orientation::Landscape
        } else {
            Orientation::Portrait
        };
        let width = match orientation {
            Orientation::Portrait => TEXT_WIDTH_MM,
            Orientation::Landscape => TEXT_HEIGHT_MM,
        };
        let headers: Vec<&str> = kinds.iter().map(|(_, h)| h.as_str()).collect();
        let widths = column_widths(&headers, &cells, width);
        let columns = kinds
            .into_iter()
            .zip(widths)
            .map(|((kind, header), width_mm)| ColumnView {
                centered: kind == ColumnKind::Number,
                kind,
                header,
                width_mm,
            })
            .collect();
        TableView {
            orientation,
            columns,
            rows: cells,
        }
    }

    /// Width of the table, mm (the 版心 width of its page).
    pub fn width_mm(&self) -> f64 {
        self.columns.iter().map(|c| c.width_mm).sum()
    }
}

/// A units cell: units the source separated by spaces (one per line in the original)
/// go one per line, a bracketed alias or role (`(中山路及周边商圈业态提升工作领导小组办公室)`)
/// on a line of its own under its unit, so that no line breaks inside a unit's name;
/// anything else stays one paragraph as written.
fn unit_cell(text: &str) -> RichText {
    let text = text.trim();
    if text.is_empty() {
        return RichText::default();
    }
    // Tokens, a bracket's words kept together.
    let mut tokens: Vec<String> = Vec::new();
    let mut open = false;
    for word in text.split_whitespace() {
        if open && let Some(last) = tokens.last_mut() {
            last.push(' ');
            last.push_str(word);
        } else {
            tokens.push(word.to_string());
        }
        let opens = word.matches(['(', '（']).count();
        let closes = word.matches([')', '）']).count();
        open = if open {
            closes < opens + 1
        } else {
            opens > closes
        };
    }
    let bracketed = |t: &str| t.starts_with(['(', '（']) && t.ends_with([')', '）']);
    let listy = tokens.len() > 1
        && tokens.iter().all(|t| {
            bracketed(t) || (!t.contains(['，', '。', '；', ',', ';']) && t.chars().count() <= 16)
        })
        && !tokens.iter().all(|t| bracketed(t));
    if listy {
        RichText::plain(&tokens.join("\n"))
    } else {
        RichText::plain(text)
    }
}

/// Column widths (mm) adding up to `total_mm`, proportional to content.
///
/// Each column first gets a minimum: its longest unbreakable piece (a line, capped at
/// 6 字) or its header capped at 4 字, in table 字 (四号 = 4.94 mm) plus cell padding. A
/// column whose longest line fits in that minimum (序号, short dates) keeps it. The rest
/// of the width goes to the other columns in proportion to (characters in the
/// column)^0.75, so long columns get more room without starving the short ones. For the
/// seed on a landscape page (225 mm): 序号 14.7, 具体目标任务 ≈ 62, 牵头责任单位 ≈ 42,
/// 落实情况 ≈ 106 mm.
pub fn column_widths(headers: &[&str], rows: &[Vec<RichText>], total_mm: f64) -> Vec<f64> {
    let em = TABLE_FONT_PT / PT_PER_MM;
    // Cell padding plus 1 mm so that a line of exactly that many characters never wraps
    // on rounding (序号 in two characters).
    let pad = TABLE_CELL_PADDING_MM + 1.0;
    let n = headers.len();
    if n == 0 {
        return Vec::new();
    }
    let mut min = vec![0.0f64; n];
    let mut weight = vec![0.0f64; n];
    let mut fixed = vec![false; n];
    for (i, header) in headers.iter().enumerate() {
        let mut longest_line: f64 = 0.0;
        let mut chars = 0.0;
        for row in rows {
            if let Some(cell) = row.get(i) {
                for p in &cell.paragraphs {
                    let w = text_width_em(&p.text());
                    longest_line = longest_line.max(w);
                    chars += w;
                }
            }
        }
        let header_em = text_width_em(header).min(4.0);
        if longest_line <= header_em.max(2.0) {
            // Short values (序号, dates): as wide as the wider of header and values.
            min[i] = header_em.max(longest_line).max(2.0) * em + pad;
            fixed[i] = true;
        } else {
            min[i] = header_em.max(longest_line.min(6.0)) * em + pad;
            weight[i] = chars.powf(0.75);
        }
    }
    let used: f64 = min.iter().sum();
    let spare = total_mm - used;
    if spare <= 0.0 {
        // Too many columns: scale the minimums down to fit.
        return min.iter().map(|w| w * total_mm / used).collect();
    }
    let weight_sum: f64 = weight.iter().sum();
    if weight_sum <= 0.0 {
        let flexible = fixed.iter().filter(|f| !**f).count();
        return min
            .iter()
            .zip(&fixed)
            .map(|(w, f)| {
                if flexible == 0 {
                    w * total_mm / used
                } else if *f {
                    *w
                } else {
                    w + spare / flexible as f64
                }
            })
            .collect();
    }
    min.iter()
        .zip(&weight)
        .map(|(w, k)| w + spare * k / weight_sum)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bracketed_alias_goes_on_its_own_line_under_its_unit() {
        let cell = unit_cell("区文旅局 区商务局 (中山路及周边商圈业态提升工作领导小组办公室)");
        assert_eq!(
            cell.plain_text(),
            "区文旅局\n区商务局\n(中山路及周边商圈业态提升工作领导小组办公室)"
        );
        let cell = unit_cell("区委文明办 （区创城办 牵头） 区城管局");
        assert_eq!(cell.plain_text(), "区委文明办\n（区创城办 牵头）\n区城管局");
        assert_eq!(
            unit_cell("区发改局，区财政局").plain_text(),
            "区发改局，区财政局"
        );
    }
}
