//! Property: any notice written as markdown reads back to the same JSON.

use duban_domain::{
    Disclosure, DocNumber, Document, ExtraField, Notice, RichText, Run, TaskDraft, UnitDirectory,
};
use duban_formats::interchange::to_json;
use duban_formats::{Format, import, to_markdown};
use proptest::prelude::*;

/// Text with the characters markdown and HTML care about mixed into Chinese.
fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        "[甲乙丙丁区局办①②③“”（）：；。，a-z0-9 |<>&*\\\\#_`~\\-\\[\\]]{1,12}",
    )
    .expect("regex")
    .prop_filter("needs a visible character", |s| !s.trim().is_empty())
}

fn rich() -> impl Strategy<Value = RichText> {
    prop::collection::vec(prop::collection::vec((text(), any::<bool>()), 1..4), 1..3)
        .prop_map(|paragraphs| {
            let mut rich = RichText::default();
            for runs in paragraphs {
                rich.push_paragraph(
                    runs.into_iter()
                        .map(|(text, bold)| Run { text, bold })
                        .collect(),
                );
            }
            rich
        })
        .prop_filter("not empty", |r| !r.is_empty())
}

const UNITS: &[&str] = &[
    "区发改局",
    "区财政局",
    "文旅局",
    "区文旅局",
    "区委文明办 (区创城办)",
    "浮桥街道办事处",
    "区创城办",
];

fn unit_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(UNITS), 1..4).prop_map(|u| u.join("、")),
        prop::collection::vec(prop::sample::select(UNITS), 1..4).prop_map(|u| u.join(" ")),
        (prop::sample::select(UNITS), prop::sample::select(UNITS))
            .prop_map(|(a, b)| format!("第①项由{a}牵头，第②、③项由{b}负责")),
    ]
}

fn draft() -> impl Strategy<Value = TaskDraft> {
    (
        rich(),
        unit_cell(),
        prop::option::of(unit_cell()),
        prop::option::of(rich()),
        prop::option::of(rich()),
        prop::option::of("[0-9]{1,2}月底前"),
        prop::option::of(rich()),
    )
        .prop_map(
            |(content, lead, coop, progress, notes, deadline, extra)| TaskDraft {
                number: 0,
                content,
                lead_units: lead,
                cooperating_units: coop.unwrap_or_default(),
                leader: None,
                deadline,
                notes,
                progress,
                extra: extra
                    .into_iter()
                    .map(|text| ExtraField {
                        column: "附加说明".into(),
                        text,
                    })
                    .collect(),
            },
        )
}

fn document() -> impl Strategy<Value = Document> {
    (
        any::<bool>(),
        1u32..200,
        prop::sample::select(vec![
            Disclosure::Active,
            Disclosure::OnRequest,
            Disclosure::NotDisclosed,
        ]),
    )
        .prop_map(|(full, serial, disclosure)| {
            if !full {
                return Document {
                    table_title: Some("重点工作落实情况表".into()),
                    ..Document::default()
                };
            }
            Document {
                issuer: Some("某某区人民政府办公室".into()),
                doc_number: DocNumber::parse(&format!("某政办〔2024〕{serial}号")).ok(),
                title: Some("某某区人民政府办公室关于重点工作落实情况的通报".into()),
                recipients: vec!["各街道办事处".into(), "区直有关单位".into()],
                body: vec!["现将有关情况通报如下。".into()],
                attachment: Some("重点工作落实情况表".into()),
                signatory: Some("某某区人民政府办公室".into()),
                date: chrono::NaiveDate::from_ymd_opt(2024, 6, 18),
                disclosure: Some(disclosure),
                table_title: Some("重点工作落实情况表".into()),
                copy_to: vec!["区委办".into()],
                ..Document::default()
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn markdown_round_trip(document in document(), drafts in prop::collection::vec(draft(), 1..6)) {
        let drafts: Vec<TaskDraft> = drafts
            .into_iter()
            .enumerate()
            .map(|(i, d)| TaskDraft { number: i as u32 + 1, ..d })
            .collect();
        let notice = Notice::assemble(document, drafts, &UnitDirectory::default());
        let md = to_markdown(&notice);
        let again = import(md.as_bytes(), Some(Format::Markdown), &UnitDirectory::default())
            .map_err(|e| TestCaseError::fail(format!("{e}\n{md}")))?;
        prop_assert_eq!(to_json(&again), to_json(&notice), "{}", md);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever the bytes, the importer answers with a notice or an error, never a panic.
    #[test]
    fn arbitrary_input_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = import(&bytes, None, &UnitDirectory::default());
    }

    #[test]
    fn arbitrary_tables_never_panic(
        cells in prop::collection::vec("[序号具体目标任务牵头单位落实情况0-9甲乙|\\t\\n<>pb/ ]{0,8}", 0..40),
        format in prop::sample::select(Format::ALL.to_vec()),
    ) {
        let text = format!("序号\t具体目标任务\n{}", cells.join("\t"));
        let _ = import(text.as_bytes(), Some(format), &UnitDirectory::default());
    }
}
