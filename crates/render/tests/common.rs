//! Shared by the render tests: the seed notice and a folder for artifacts to look at.
#![allow(dead_code)]

use std::path::PathBuf;

use duban_domain::{Notice, RichText};

/// The real notice the project started from (35 tasks).
pub fn seed() -> Notice {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/seed/000_5b3cae3e93885f9f.txt"
    ))
    .expect("seed file");
    duban_formats::import(&bytes, None, &Default::default()).expect("seed imports")
}

/// `target/render-artifacts/`, created: rendered files and page images for review.
pub fn artifacts_dir() -> PathBuf {
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .to_path_buf();
    let dir = target.join("render-artifacts");
    std::fs::create_dir_all(&dir).expect("artifact dir");
    dir
}

/// Whether `program` can be run (on PATH).
pub fn has_program(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Every non-whitespace character of `text`, in order.
pub fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Asserts that every task's content, unit cell and 落实情况 of `notice` appears in
/// `text` (whitespace ignored on both sides): nothing of a cell was lost on the way.
pub fn assert_every_cell_in(notice: &Notice, text: &str) {
    let text = squeeze(text);
    for task in &notice.tasks {
        for cell in [
            Some(task.content.plain_text()),
            Some(task.lead_units_text.clone()),
            task.progress.as_ref().map(RichText::plain_text),
        ]
        .into_iter()
        .flatten()
        {
            let cell = squeeze(&cell);
            assert!(
                text.contains(&cell),
                "task {}: “{cell}” missing",
                task.number
            );
        }
    }
}
