//! Writes a notice as markdown: the header block as the seed lays it out, then the table
//! as a pipe table whose cells use the inline subset the importer reads. Re-importing
//! the result gives the same notice.

use duban_domain::{Notice, RichText, Task};

use crate::columns::{Column, canonical_name};
use crate::inline::write_inline;

fn date_text(date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

pub fn to_markdown(notice: &Notice) -> String {
    let d = &notice.document;
    let mut blocks: Vec<String> = Vec::new();
    if let Some(issuer) = &d.issuer {
        blocks.push(format!("# {issuer}文件"));
    }
    if let Some(n) = &d.doc_number {
        blocks.push(n.to_string());
    }
    if let Some(title) = &d.title {
        blocks.push("---".into());
        blocks.push(format!("## {title}"));
    }
    if !d.recipients.is_empty() {
        blocks.push(format!("{}：", d.recipients.join("，")));
    }
    blocks.extend(d.body.iter().cloned());
    let closing = d.attachment.is_some() || d.signatory.is_some() || d.date.is_some();
    if closing {
        blocks.push("---".into());
    }
    if let Some(att) = &d.attachment {
        blocks.push(format!("附件：{att}"));
    }
    if let Some(s) = &d.signatory {
        blocks.push(s.clone());
    }
    if let Some(date) = d.date {
        blocks.push(date_text(date));
    }
    if let Some(disclosure) = d.disclosure {
        blocks.push(format!("（此件{}）", disclosure.label()));
    }
    if let Some(t) = &d.table_title {
        if closing || d.title.is_some() {
            blocks.push("## 附件".into());
        }
        blocks.push(t.clone());
    }
    blocks.push(table(notice));
    if !d.copy_to.is_empty() {
        blocks.push(format!("抄送：{}。", d.copy_to.join("，")));
    }
    if d.printed_by.is_some() || d.printed_on.is_some() {
        let by = d.printed_by.clone().unwrap_or_default();
        let on = d.printed_on.map(date_text).unwrap_or_default();
        blocks.push(format!("{by} {on}印发").trim().to_string());
    }
    let mut out = blocks.join("\n\n");
    out.push('\n');
    out
}

type Cell = fn(&Task) -> Option<RichText>;
/// A column of the written table: its header and how to fill a task's cell.
type TableColumn = (String, Box<dyn Fn(&Task) -> Option<RichText>>);

fn table(notice: &Notice) -> String {
    let plain = |s: &str| (!s.is_empty()).then(|| RichText::plain(s));
    let mut columns: Vec<TableColumn> = vec![
        (
            canonical_name(Column::Number).into(),
            Box::new(|t: &Task| Some(RichText::plain(&t.number.to_string()))),
        ),
        (
            canonical_name(Column::Content).into(),
            Box::new(|t: &Task| Some(t.content.clone())),
        ),
        (
            canonical_name(Column::LeadUnits).into(),
            Box::new(move |t: &Task| plain(&t.lead_units_text)),
        ),
    ];
    let optional: [(Column, Cell); 5] = [
        (Column::CooperatingUnits, |t| {
            (!t.cooperating_units_text.is_empty())
                .then(|| RichText::plain(&t.cooperating_units_text))
        }),
        (Column::Leader, |t| t.leader.as_deref().map(RichText::plain)),
        (Column::Deadline, |t| {
            t.deadline.as_deref().map(RichText::plain)
        }),
        (Column::Progress, |t| t.progress.clone()),
        (Column::Notes, |t| t.notes.clone()),
    ];
    for (column, cell) in optional {
        if notice.tasks.iter().any(|t| cell(t).is_some()) {
            columns.push((canonical_name(column).into(), Box::new(cell)));
        }
    }
    let mut extra_names: Vec<String> = Vec::new();
    for t in &notice.tasks {
        for e in &t.extra {
            if !extra_names.contains(&e.column) {
                extra_names.push(e.column.clone());
            }
        }
    }
    for name in extra_names {
        let key = name.clone();
        columns.push((
            name,
            Box::new(move |t: &Task| {
                t.extra
                    .iter()
                    .find(|e| e.column == key)
                    .map(|e| e.text.clone())
            }),
        ));
    }
    let mut lines = Vec::with_capacity(notice.tasks.len() + 2);
    let header: Vec<String> = columns
        .iter()
        .map(|(name, _)| write_inline(&RichText::plain(name)))
        .collect();
    lines.push(format!("| {} |", header.join(" | ")));
    lines.push(format!("|{}", " --- |".repeat(columns.len())));
    for task in &notice.tasks {
        let cells: Vec<String> = columns
            .iter()
            .map(|(_, cell)| cell(task).map(|r| write_inline(&r)).unwrap_or_default())
            .collect();
        lines.push(format!("| {} |", cells.join(" | ")));
    }
    lines.join("\n")
}
