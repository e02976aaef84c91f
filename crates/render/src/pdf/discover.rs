//! Finding the 公文 fonts on the machine, and saying which font stood in for which.
//!
//! Order: a fonts folder given by the office (`--fonts-dir`), then the system's fonts
//! as fontconfig lists them (仿宋_GB2312 / FangSong / STFangsong, 方正小标宋简体, 黑体,
//! 楷体_GB2312 and the other names of [`super::fonts`]), then the open 仿宋 FandolFang
//! (from fontconfig, or where Debian's texlive-lang-chinese puts it), then the bundled
//! open fonts. Only fonts whose family or file names a role are read, so a machine
//! with hundreds of fonts does not load them all.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use super::fonts::{FontKind, Fonts, OPEN_FANGSONG, ROLES, family_names, file_stems};
use crate::RenderError;
use crate::layout::FontRole;

/// Where Debian's texlive-lang-chinese installs FandolFang (not indexed by fontconfig).
const TEXLIVE_FANDOL: &str =
    "/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/FandolFang-Regular.otf";

/// Font folders searched when fontconfig's `fc-list` is not available.
const SYSTEM_DIRS: [&str; 3] = [
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "/Library/Fonts",
];

static SYSTEM: LazyLock<Fonts> =
    LazyLock::new(|| Fonts::discover(None).unwrap_or_else(|_| Fonts::default()));

impl Fonts {
    /// The fonts found on this machine (once per process; the bundled set if none).
    pub fn system() -> Fonts {
        SYSTEM.clone()
    }

    /// The fonts of `dir` (every file must be a font), then the system's fonts that
    /// serve a role, then the bundled ones. See the module documentation.
    pub fn discover(dir: Option<&Path>) -> Result<Fonts, RenderError> {
        let mut files = Vec::new();
        if let Some(dir) = dir {
            super::fonts::collect_font_files(dir, &mut files, 0)?;
            files.sort();
        }
        let mut optional = system_role_files();
        optional.retain(|f| !files.contains(f));
        Fonts::load_files(&files, &optional)
    }

    /// Which font serves each role when it is not the font the standard's templates
    /// name, in Chinese: for `duban render` and the download pages.
    pub fn substitutions(&self) -> Vec<String> {
        ROLES
            .iter()
            .filter_map(|role| {
                let used = self.families(*role).first()?;
                let wanted = role.windows_name();
                match (self.kind(*role), role) {
                    (FontKind::Licensed, _) => None,
                    (FontKind::OpenFangSong, _) => Some(format!(
                        "{wanted}：未找到，以开源仿宋 {used} 代替"
                    )),
                    (FontKind::Bundled, FontRole::FangSong) => Some(format!(
                        "{wanted}：未找到任何仿宋字体，正文暂以 {used}（宋体字形）代替，不符合“仿宋体”要求；请安装仿宋_GB2312，或运行 scripts/install-fonts.sh 安装开源仿宋 {OPEN_FANGSONG}"
                    )),
                    (FontKind::Bundled, _) => {
                        Some(format!("{wanted}：未找到，以开源字体 {used} 代替"))
                    }
                }
            })
            .collect()
    }
}

/// System font files whose family or file name serves a role.
fn system_role_files() -> Vec<PathBuf> {
    let mut out = match fc_list() {
        Some(list) => list
            .into_iter()
            .filter(|(families, path)| {
                families.iter().any(|f| names_a_role(f)) || stem_names_a_role(path)
            })
            .map(|(_, path)| path)
            .collect(),
        None => {
            let mut files = Vec::new();
            for dir in SYSTEM_DIRS {
                let _ = super::fonts::collect_font_files(Path::new(dir), &mut files, 0);
            }
            files.retain(|p| stem_names_a_role(p));
            files
        }
    };
    let fandol = PathBuf::from(TEXLIVE_FANDOL);
    if fandol.is_file() {
        out.push(fandol);
    }
    out.sort();
    out.dedup();
    out
}

/// `fc-list`'s fonts: family names and file. `None` when fontconfig is not installed.
fn fc_list() -> Option<Vec<(Vec<String>, PathBuf)>> {
    let output = Command::new("fc-list")
        .args(["--format", "%{family}\t%{file}\n"])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let text = String::from_utf8_lossy(&output.stdout);
    Some(
        text.lines()
            .filter_map(|line| {
                let (families, file) = line.split_once('\t')?;
                let families = families.split(',').map(|f| f.trim().to_string()).collect();
                Some((families, PathBuf::from(file)))
            })
            .collect(),
    )
}

fn names_a_role(family: &str) -> bool {
    ROLES.iter().any(|role| {
        family_names(*role)
            .iter()
            .any(|known| family.trim().eq_ignore_ascii_case(known))
    })
}

fn stem_names_a_role(path: &Path) -> bool {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    ROLES
        .iter()
        .any(|role| file_stems(*role).contains(&stem.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_set_reports_every_stand_in() {
        let report = Fonts::default().substitutions();
        assert_eq!(report.len(), 5, "{report:?}");
        assert!(
            report[1].starts_with(
                "仿宋_GB2312：未找到任何仿宋字体，正文暂以 Noto Serif CJK SC（宋体字形）代替"
            ),
            "{report:?}"
        );
        assert_eq!(
            report[0],
            "方正小标宋简体：未找到，以开源字体 Noto Serif CJK SC 代替"
        );
    }

    #[test]
    fn the_open_fangsong_is_reported_as_such_and_a_licensed_font_not_at_all() {
        let bundled = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/NotoSansCJKsc-Regular-GB2312.otf"
        ))
        .unwrap();
        // Filed under FandolFang's name: the open 仿宋.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("FandolFang-Regular.otf"), &bundled).unwrap();
        // (load_dir: the folder alone, whatever this machine has installed.)
        let fonts = Fonts::load_dir(dir.path()).unwrap();
        assert_eq!(fonts.kind(FontRole::FangSong), FontKind::OpenFangSong);
        assert!(
            fonts
                .substitutions()
                .contains(&"仿宋_GB2312：未找到，以开源仿宋 Noto Sans CJK SC 代替".to_string()),
            "{:?}",
            fonts.substitutions()
        );
        // Filed as 仿宋: the office's own font, nothing to report for 仿宋.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("仿宋.otf"), &bundled).unwrap();
        let fonts = Fonts::discover(Some(dir.path())).unwrap();
        assert_eq!(fonts.families(FontRole::FangSong)[0], "Noto Sans CJK SC");
        assert_eq!(fonts.kind(FontRole::FangSong), FontKind::Licensed);
        assert!(
            !fonts
                .substitutions()
                .iter()
                .any(|s| s.starts_with("仿宋_GB2312")),
            "{:?}",
            fonts.substitutions()
        );
    }

    #[test]
    fn system_fonts_are_read_only_when_they_serve_a_role() {
        assert!(names_a_role("FangSong"));
        assert!(names_a_role("仿宋_GB2312"));
        assert!(names_a_role("FandolFang"));
        assert!(!names_a_role("DejaVu Sans"));
        assert!(stem_names_a_role(Path::new("/x/simfang.ttf")));
        assert!(!stem_names_a_role(Path::new("/x/DejaVuSans.ttf")));
    }
}
