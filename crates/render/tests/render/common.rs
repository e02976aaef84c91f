//! Shared by the render tests: the seed notice, a folder for artifacts to look at, and
//! the outside tools that check rendered files the way a reader sees them (poppler,
//! LibreOffice).

use std::path::{Path, PathBuf};
use std::process::Command;

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

/// Writes `bytes` to `target/render-artifacts/NAME` and returns the path.
pub fn artifact(name: &str, bytes: &[u8]) -> PathBuf {
    let path = artifacts_dir().join(name);
    std::fs::write(&path, bytes).expect("write artifact");
    path
}

/// Whether `program` (from the Debian package `package`) is installed. Without it a
/// check is skipped with a note, so that a developer's first `cargo test` passes; with
/// the `CI` variable set it fails instead, since CI installs the tools
/// (`scripts/install-test-deps.sh`) and a skipped check there would be a silent gap.
pub fn tool(program: &str, package: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()));
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{program} is not installed (CI is set): install the Debian package {package}, \
             as scripts/install-test-deps.sh does"
        );
        eprintln!(
            "skipped: {program} is not installed (Debian package {package}; \
             scripts/install-test-deps.sh installs it)"
        );
    }
    found
}

/// poppler's tools (`pdftotext`, `pdfinfo`, `pdffonts`, `pdftoppm`).
pub fn poppler(program: &str) -> bool {
    tool(program, "poppler-utils")
}

/// Runs `program` with `args` and returns its standard output; fails the test when it
/// fails.
pub fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} does not run: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// The text of every page of `pdf` (`pdftotext -layout`), in order.
pub fn page_texts(pdf: &Path) -> Vec<String> {
    let text = run("pdftotext", &["-layout", pdf.to_str().expect("path"), "-"]);
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    // pdftotext ends every page with a form feed: the last piece is empty.
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// Converts `docx` files with LibreOffice into PDFs in `out_dir`, all in one run;
/// `None` when LibreOffice is not installed (see [`tool`]).
pub fn soffice_to_pdf(docx: &[PathBuf], out_dir: &Path) -> Option<Vec<PathBuf>> {
    if !tool("soffice", "libreoffice-writer-nogui") {
        return None;
    }
    // A private profile: parallel soffice runs on one profile fail to load files.
    let profile = tempfile::tempdir().expect("temp dir");
    let profile_url = format!("-env:UserInstallation=file://{}", profile.path().display());
    let pdfs: Vec<PathBuf> = docx
        .iter()
        .map(|d| out_dir.join(d.with_extension("pdf").file_name().expect("file name")))
        .collect();
    for pdf in &pdfs {
        let _ = std::fs::remove_file(pdf);
    }
    // A first start on a new profile (and the first run after LibreOffice is installed)
    // sometimes ends before converting, with or without an error: tried three times.
    let mut last = String::new();
    for _attempt in 0..3 {
        let output = Command::new("soffice")
            .arg(&profile_url)
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(out_dir)
            .args(docx)
            .output()
            .expect("soffice runs");
        last = format!(
            "exit {}: {}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        if output.status.success() && pdfs.iter().all(|p| p.is_file()) {
            return Some(pdfs);
        }
    }
    panic!("soffice did not convert every file in three attempts: {last}");
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
