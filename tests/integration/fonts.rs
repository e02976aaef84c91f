//! The PDF's fonts: an office's own 仿宋 when given, else the open 仿宋 on the machine,
//! else the bundled stand-in, and `duban render` says which font stood in for which.

use super::support::{SEED, Sandbox};

fn render_pdf(sandbox: &Sandbox, extra: &[&str]) -> (Vec<u8>, String) {
    let out = sandbox.path("notice.pdf");
    let mut args = vec!["render", "1", "--format", "pdf", "-o"];
    let out_text = out.display().to_string();
    args.push(&out_text);
    args.extend_from_slice(extra);
    let run = sandbox.run(&args).ok();
    (std::fs::read(&out).expect("pdf written"), run.stderr)
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn an_offices_own_fangsong_is_used_and_nothing_reported_for_it() {
    let sandbox = Sandbox::new();
    sandbox.import(SEED.as_ref()).ok();
    let dir = sandbox.path("fonts");
    std::fs::create_dir_all(&dir).expect("fonts dir");
    // Any face filed as 仿宋 takes the role: here the bundled Noto Sans.
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/crates/render/fonts/NotoSansCJKsc-Regular-GB2312.otf"
        ),
        dir.join("仿宋.otf"),
    )
    .expect("copy font");
    let (pdf, printed) = render_pdf(&sandbox, &["--fonts-dir", &dir.display().to_string()]);
    assert!(contains(&pdf, "NotoSansCJKsc-Regular"), "embedded");
    assert!(!printed.contains("仿宋_GB2312："), "{printed}");
    assert!(
        printed.contains("字体替代：方正小标宋简体：未找到，以开源字体 Noto Serif CJK SC 代替"),
        "{printed}"
    );
}

#[test]
fn without_one_the_substitute_is_named() {
    let sandbox = Sandbox::new();
    sandbox.import(SEED.as_ref()).ok();
    let (pdf, printed) = render_pdf(&sandbox, &[]);
    // FandolFang where installed (scripts/install-fonts.sh), else the loud warning.
    let fandol = std::process::Command::new("fc-list")
        .arg("FandolFang")
        .output()
        .map(|o| !o.stdout.is_empty())
        .unwrap_or(false)
        || std::path::Path::new(
            "/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/FandolFang-Regular.otf",
        )
        .is_file();
    if fandol {
        assert!(
            printed.contains("字体替代：仿宋_GB2312：未找到，以开源仿宋 FandolFang"),
            "{printed}"
        );
        assert!(contains(&pdf, "FandolFang"), "FandolFang embedded");
    } else {
        assert!(
            printed.contains("字体替代：仿宋_GB2312：未找到任何仿宋字体"),
            "{printed}"
        );
    }
}
