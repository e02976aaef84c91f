//! The real notice the project started from, read end to end.

use duban_formats::interchange::{from_json, to_json};
use duban_formats::{Format, import, to_markdown};

fn seed_bytes() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/seed/000_5b3cae3e93885f9f.txt"
    ))
    .expect("seed file")
}

#[test]
fn markdown_export_reimports_to_the_same_json() {
    let notice = import(&seed_bytes(), None, &Default::default()).unwrap();
    let md = to_markdown(&notice);
    let again =
        import(md.as_bytes(), None, &Default::default()).unwrap_or_else(|e| panic!("{e}\n{md}"));
    let (a, b) = (to_json(&notice), to_json(&again));
    assert_eq!(a.document, b.document);
    for (x, y) in a.tasks.iter().zip(&b.tasks) {
        assert_eq!(x, y);
    }
    assert_eq!(a, b);
    assert_eq!(
        duban_formats::detect(md.as_bytes()).unwrap(),
        Format::Markdown
    );
}

#[test]
fn json_reads_back_to_the_same_notice() {
    let notice = import(&seed_bytes(), None, &Default::default()).unwrap();
    let text = serde_json::to_string_pretty(&to_json(&notice)).unwrap();
    assert_eq!(from_json(&text).unwrap(), notice);
    // The interchange JSON is recognised by its content, like the table formats.
    let bom_and_space = format!("\u{feff}\n  {text}");
    assert_eq!(
        duban_formats::detect(bom_and_space.as_bytes()).unwrap(),
        Format::Json
    );
    assert_eq!(
        import(bom_and_space.as_bytes(), None, &Default::default()).unwrap(),
        notice
    );
    let e = import(br#"{"format": "other"}"#, None, &Default::default()).unwrap_err();
    assert!(e.to_string().contains("JSON"), "{e}");
}
