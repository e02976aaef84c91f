//! The notice as typst values (`sys.inputs`): strings stay strings, so no text from a
//! notice is ever parsed as typst markup.

use duban_domain::RichText;
use typst::foundations::{Array, Dict, Str, Value};

use super::fonts::{Fonts, ROLES};
use crate::layout::{self, ColumnKind, FontRole, HeadingLevel, NoticeView, Orientation, TableView};

fn s(text: &str) -> Value {
    Value::Str(Str::from(text))
}

fn opt(text: &Option<String>) -> Value {
    text.as_deref().map_or(Value::None, s)
}

fn arr(values: impl IntoIterator<Item = Value>) -> Value {
    Value::Array(values.into_iter().collect::<Array>())
}

fn dict<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::Dict(
        pairs
            .into_iter()
            .map(|(k, v)| (Str::from(k), v))
            .collect::<Dict>(),
    )
}

/// `((t: "区住建局：", b: true), (t: "已完成。", b: false))` per paragraph.
fn rich(text: &RichText) -> Value {
    arr(text.paragraphs.iter().map(|p| {
        arr(p
            .runs
            .iter()
            .map(|r| dict([("t", s(&r.text)), ("b", Value::Bool(r.bold))])))
    }))
}

fn role_key(role: FontRole) -> &'static str {
    match role {
        FontRole::XiaoBiaoSong => "xbs",
        FontRole::FangSong => "fs",
        FontRole::HeiTi => "ht",
        FontRole::KaiTi => "kt",
        FontRole::SongTi => "st",
    }
}

fn level_key(level: Option<HeadingLevel>) -> Value {
    match level {
        Some(HeadingLevel::First) => s("ht"),
        Some(HeadingLevel::Second) => s("kt"),
        Some(HeadingLevel::Third | HeadingLevel::Fourth) => s("fs"),
        None => Value::None,
    }
}

fn table(t: &TableView) -> Value {
    let columns = t.columns.iter().map(|c| {
        // Short columns (序号, units, leader, deadline) read best centred.
        let centered = c.centered
            || matches!(
                c.kind,
                ColumnKind::LeadUnits
                    | ColumnKind::CooperatingUnits
                    | ColumnKind::Leader
                    | ColumnKind::Deadline
            );
        dict([
            ("header", s(&c.header)),
            ("width", Value::Float(c.width_mm)),
            ("centered", Value::Bool(centered)),
        ])
    });
    dict([
        (
            "landscape",
            Value::Bool(t.orientation == Orientation::Landscape),
        ),
        ("columns", arr(columns)),
        (
            "rows",
            arr(t.rows.iter().map(|row| arr(row.iter().map(rich)))),
        ),
        ("keep", arr(keep_rows(t).into_iter().map(Value::Bool))),
    ])
}

/// Whether each row is kept on one page: when its estimated height is clearly less
/// than a page of the table. Rows near or over a page may break across pages.
///
/// An estimate, not a measurement: measuring rows in typst (`measure`) cost more than
/// a third of the render time. The estimate counts lines per paragraph (full-width
/// characters 1 字 of 四号, ASCII 0.6 字) and keeps a row only below 85 % of the page
/// less the repeated header and two lines, so a kept row can never overflow a page.
fn keep_rows(t: &TableView) -> Vec<bool> {
    let page_mm = match t.orientation {
        Orientation::Landscape => layout::TEXT_WIDTH_MM,
        Orientation::Portrait => layout::TEXT_HEIGHT_MM,
    };
    let line_mm = layout::TABLE_LINE_PT / layout::PT_PER_MM;
    let em_mm = layout::TABLE_FONT_PT / layout::PT_PER_MM;
    // A cell of `lines` lines: line pitch × lines, plus the cell's top and bottom inset.
    let cell_mm = |lines: f64| lines * line_mm + 3.0;
    let lines = |text: &RichText, width_mm: f64| -> f64 {
        let per_line = ((width_mm - layout::TABLE_CELL_PADDING_MM) / em_mm)
            .floor()
            .max(1.0);
        text.paragraphs
            .iter()
            .map(|p| {
                let em: f64 = p
                    .text()
                    .chars()
                    .map(|c| if c.is_ascii() { 0.6 } else { 1.0 })
                    .sum();
                (em / per_line).ceil().max(1.0)
            })
            .sum()
    };
    let header = t
        .columns
        .iter()
        .map(|c| lines(&RichText::plain(&c.header), c.width_mm))
        .fold(1.0, f64::max);
    let room = page_mm - cell_mm(header) - 2.0 * layout::LINE_PITCH_PT / layout::PT_PER_MM;
    t.rows
        .iter()
        .map(|row| {
            let height = row
                .iter()
                .zip(&t.columns)
                .map(|(cell, col)| cell_mm(lines(cell, col.width_mm)))
                .fold(0.0, f64::max);
            height < 0.85 * room
        })
        .collect()
}

/// The attachment table's title in balanced lines (2号, as many 字 per line as its
/// page's 版心 holds), broken like the notice's title.
fn table_title_lines(view: &NoticeView) -> Vec<String> {
    let Some(title) = view.table_title.as_deref() else {
        return Vec::new();
    };
    let width_mm = match view.table.orientation {
        Orientation::Landscape => layout::TEXT_HEIGHT_MM,
        Orientation::Portrait => layout::TEXT_WIDTH_MM,
    };
    let per_line = (width_mm * layout::PT_PER_MM / layout::SIZE_2).floor() as usize;
    layout::title_lines(title, per_line)
}

/// The closing block's spacing and the 署名/成文日期 placement, in lines and 字 as the
/// layout decided them.
fn closing(view: &NoticeView) -> Value {
    let c = &view.closing;
    dict([
        ("attachment_drop", Value::Float(c.attachment_drop_pt)),
        ("signature_drop", Value::Float(c.signature_drop_pt)),
        ("line_pitch", Value::Float(c.line_pitch_pt)),
        (
            "attachment_tracking",
            Value::Float(c.attachment_tracking_em),
        ),
        (
            "signatory_right",
            Value::Float(view.signature.signatory_right_em),
        ),
        ("date_right", Value::Float(view.signature.date_right_em)),
        (
            "sealed",
            Value::Bool(view.layout == duban_domain::SignatureLayout::Sealed),
        ),
    ])
}

/// `sys.inputs` for the template: `notice` (what to print), `fonts` (families per
/// role), `figures` (the GB/T 9704 numbers from [`layout`]).
pub(super) fn inputs(view: &NoticeView, fonts: &Fonts) -> Dict {
    let body = view.body.iter().map(|p| {
        dict([
            ("level", level_key(p.level)),
            ("heading", s(&p.heading)),
            ("text", s(&p.text)),
        ])
    });
    let notice = dict([
        ("issuer_mark", opt(&view.issuer_mark)),
        ("doc_number", opt(&view.doc_number)),
        ("title", s(&view.title_text())),
        ("title_lines", arr(view.title_lines.iter().map(|l| s(l)))),
        ("recipients", opt(&view.recipients)),
        ("body", arr(body)),
        ("attachment_note", opt(&view.attachment_note)),
        ("signatory", opt(&view.signatory)),
        ("date", opt(&view.date)),
        ("note", opt(&view.note)),
        ("closing", closing(view)),
        ("attachment_label", s(view.attachment_label)),
        ("table_title", opt(&view.table_title)),
        (
            "table_title_lines",
            arr(table_title_lines(view).iter().map(|l| s(l))),
        ),
        ("table", table(&view.table)),
        ("copy_to", opt(&view.copy_to)),
        ("printed_by", opt(&view.printed_by)),
        ("printed_on", opt(&view.printed_on)),
    ]);
    let fonts = fonts_value(fonts);
    let figures = figures_value();
    [
        (Str::from("notice"), notice),
        (Str::from("fonts"), fonts),
        (Str::from("figures"), figures),
    ]
    .into_iter()
    .collect()
}

/// A 督办单 as `sys.inputs.sheet`, its rows those of the DOCX.
pub(super) fn sheet_inputs(sheet: &duban_domain::sheet::SupervisionSheet, fonts: &Fonts) -> Dict {
    let rows = crate::sheet::rows(sheet)
        .into_iter()
        .map(|(label, text)| dict([("label", s(label)), ("text", s(&text))]));
    let value = dict([
        ("title", s(crate::sheet::TITLE)),
        ("office", s(&sheet.office)),
        ("reference", s(&sheet.reference)),
        ("rows", arr(rows)),
        ("date", s(&duban_domain::sheet::date_text(sheet.date))),
    ]);
    [
        (Str::from("sheet"), value),
        (Str::from("fonts"), fonts_value(fonts)),
        (Str::from("figures"), figures_value()),
    ]
    .into_iter()
    .collect()
}

/// Each font role's families and whether it has a real bold face.
fn fonts_value(fonts: &Fonts) -> Value {
    let set = &fonts.inner;
    let families = ROLES
        .iter()
        .zip(&set.families)
        .map(|(role, list)| (Str::from(role_key(*role)), arr(list.iter().map(|f| s(f)))));
    let bold = ROLES
        .iter()
        .zip(&set.real_bold)
        .map(|(role, b)| (Str::from(role_key(*role)), Value::Bool(*b)));
    dict([
        ("family", Value::Dict(families.collect())),
        ("real_bold", Value::Dict(bold.collect())),
    ])
}

/// The page's figures from `layout`.
fn figures_value() -> Value {
    dict([
        ("margin_top", Value::Float(layout::MARGIN_TOP_MM)),
        ("margin_left", Value::Float(layout::MARGIN_LEFT_MM)),
        ("text_width", Value::Float(layout::TEXT_WIDTH_MM)),
        ("text_height", Value::Float(layout::TEXT_HEIGHT_MM)),
        (
            "chars_per_line",
            Value::Int(i64::from(layout::CHARS_PER_LINE)),
        ),
        ("line_pitch", Value::Float(layout::LINE_PITCH_PT)),
        ("size_mark", Value::Float(layout::SIZE_CHUHAO)),
        ("size_title", Value::Float(layout::SIZE_2)),
        ("title_leading", Value::Float(layout::TITLE_LEADING_EM)),
        ("size_body", Value::Float(layout::SIZE_3)),
        ("size_small", Value::Float(layout::SIZE_4)),
        ("mark_drop", Value::Float(layout::ISSUER_MARK_DROP_MM)),
        ("red_rule_gap", Value::Float(layout::RED_RULE_GAP_MM)),
        ("red_rule", Value::Float(layout::RED_RULE_PT)),
        (
            "page_number_drop",
            Value::Float(layout::PAGE_NUMBER_DROP_MM),
        ),
        ("imprint_thick", Value::Float(layout::IMPRINT_THICK_RULE_PT)),
        ("imprint_thin", Value::Float(layout::IMPRINT_THIN_RULE_PT)),
        (
            "l_margin_top",
            Value::Float(layout::LANDSCAPE_MARGIN_TOP_MM),
        ),
        (
            "l_margin_left",
            Value::Float(layout::LANDSCAPE_MARGIN_LEFT_MM),
        ),
        ("table_size", Value::Float(layout::TABLE_FONT_PT)),
        ("table_line", Value::Float(layout::TABLE_LINE_PT)),
        ("table_padding", Value::Float(layout::TABLE_CELL_PADDING_MM)),
        ("table_rule", Value::Float(layout::TABLE_RULE_PT)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_rows_shorter_than_a_page_are_kept() {
        let bytes = include_bytes!("../../../../data/seed/000_5b3cae3e93885f9f.txt");
        let notice = duban_formats::import(bytes, None, &Default::default()).unwrap();
        let view = NoticeView::new(&notice);
        let keep = keep_rows(&view.table);
        assert_eq!(keep.len(), 35);
        // Task 1 is short; task 3 (about 800 characters of 落实情况) is longer than a
        // landscape page.
        assert!(keep[0] && !keep[2], "{keep:?}");
        let kept = keep.iter().filter(|k| **k).count();
        assert!((15..35).contains(&kept), "{keep:?}");
    }
}
