//! Shared by the analysis tests and benchmark: the seed notice, read from its JSON
//! interchange export (`tests/fixtures/analysis/seed_notice.json`, written by
//! `duban export 泉鲤政办〔2020〕48号 --format json` from `data/seed/`). The domain crate
//! cannot depend on the importer, so this reads the interchange form back into a `Notice`.

#![allow(dead_code)]

use duban_domain::{
    DocNumber, Document, Notice, RichText, SubItem, SubItemLabel, Task, TaskNumber, Unit,
    UnitAssignment, UnitDirectory, UnitFlag, UnitKind,
};
use serde::Deserialize;

pub const SEED_JSON: &str = include_str!("../fixtures/analysis/seed_notice.json");

#[derive(Deserialize)]
struct NoticeJson {
    document: DocumentJson,
    tasks: Vec<TaskJson>,
    units: Vec<UnitJson>,
    unit_flags: Vec<UnitFlag>,
}

#[derive(Deserialize)]
struct DocumentJson {
    doc_number: Option<String>,
    title: Option<String>,
    date: Option<chrono::NaiveDate>,
}

#[derive(Deserialize)]
struct SubItemJson {
    label: SubItemLabel,
    content: String,
    lead_units: Vec<String>,
    lead_units_assigned: bool,
}

#[derive(Deserialize)]
struct TaskJson {
    number: u32,
    content_rich: RichText,
    lead_units_detail: Vec<UnitAssignment>,
    lead_units_text: String,
    cooperating_units_detail: Vec<UnitAssignment>,
    cooperating_units_text: String,
    leader: Option<String>,
    deadline: Option<String>,
    notes_rich: Option<RichText>,
    progress_rich: Option<RichText>,
    subitems: Vec<SubItemJson>,
}

#[derive(Deserialize)]
struct UnitJson {
    name: String,
    kind: UnitKind,
    aliases: Vec<String>,
}

pub fn notice_from_interchange(json: &str) -> Notice {
    let n: NoticeJson = serde_json::from_str(json).expect("interchange JSON");
    Notice {
        document: Document {
            doc_number: n
                .document
                .doc_number
                .as_deref()
                .map(|d| DocNumber::parse(d).expect("doc number")),
            title: n.document.title,
            date: n.document.date,
            ..Document::default()
        },
        tasks: n
            .tasks
            .into_iter()
            .map(|t| Task {
                number: TaskNumber(t.number),
                content: t.content_rich,
                lead_units: t.lead_units_detail,
                lead_units_text: t.lead_units_text,
                cooperating_units: t.cooperating_units_detail,
                cooperating_units_text: t.cooperating_units_text,
                leader: t.leader,
                deadline: t.deadline,
                notes: t.notes_rich,
                subitems: t
                    .subitems
                    .into_iter()
                    .map(|s| SubItem {
                        label: s.label,
                        content: s.content,
                        lead_units: if s.lead_units_assigned {
                            s.lead_units
                        } else {
                            Vec::new()
                        },
                    })
                    .collect(),
                progress: t.progress_rich,
                extra: Vec::new(),
            })
            .collect(),
        units: UnitDirectory {
            units: n
                .units
                .into_iter()
                .map(|u| Unit {
                    name: u.name,
                    kind: u.kind,
                    aliases: u.aliases,
                })
                .collect(),
        },
        unit_flags: n.unit_flags,
    }
}

pub fn seed() -> Notice {
    notice_from_interchange(SEED_JSON)
}
