//! `duban render`: a stored notice as DOCX, PDF, XLSX or HTML.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use duban_domain::{Notice, SignatureLayout};
use duban_render::{OutputFormat, RenderOptions, render};

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum RenderFormat {
    /// Word 文档（GB/T 9704 版式）
    Docx,
    /// PDF（GB/T 9704 版式，嵌入字体）
    Pdf,
    /// Excel 工作簿（落实情况表 + 文件信息）
    Xlsx,
    /// 网页（政务公开页面）
    Html,
}

impl RenderFormat {
    fn output(self) -> OutputFormat {
        match self {
            RenderFormat::Docx => OutputFormat::Docx,
            RenderFormat::Pdf => OutputFormat::Pdf,
            RenderFormat::Xlsx => OutputFormat::Xlsx,
            RenderFormat::Html => OutputFormat::Html,
        }
    }
}

/// Renders and writes the file; returns where it went. Without `output` the file is
/// named after the 文号 (or the document id) in the working directory.
pub fn render_to_file(
    notice: &Notice,
    id: impl std::fmt::Display,
    format: RenderFormat,
    output: Option<PathBuf>,
    fonts_dir: Option<&Path>,
    layout: SignatureLayout,
) -> Result<PathBuf> {
    let format = format.output();
    let mut options = options(fonts_dir, format == OutputFormat::Pdf)?;
    options.layout = layout;
    if format == OutputFormat::Pdf {
        for line in font_report(&options) {
            eprintln!("字体替代：{line}");
        }
    }
    let bytes = render(notice, format, &options).map_err(|e| anyhow!(e))?;
    let path = output.unwrap_or_else(|| {
        let stem = notice
            .document
            .doc_number
            .as_ref()
            .map_or_else(|| format!("文档{id}"), ToString::to_string);
        PathBuf::from(format!("{stem}.{}", format.name()))
    });
    std::fs::write(&path, bytes).with_context(|| format!("无法写入 {}", path.display()))?;
    Ok(path)
}

/// For a PDF: the fonts of `fonts_dir`, then the system's, then the bundled ones.
#[cfg(feature = "pdf")]
fn options(fonts_dir: Option<&Path>, pdf: bool) -> Result<RenderOptions> {
    use duban_render::pdf::Fonts;
    let fonts = match (pdf, fonts_dir) {
        (false, _) => None,
        (true, None) => Some(Fonts::system()),
        (true, Some(dir)) => Some(Fonts::discover(Some(dir)).map_err(|e| anyhow!(e))?),
    };
    Ok(RenderOptions {
        fonts,
        ..RenderOptions::default()
    })
}

#[cfg(feature = "pdf")]
fn font_report(options: &RenderOptions) -> Vec<String> {
    options
        .fonts
        .as_ref()
        .map(|f| f.substitutions())
        .unwrap_or_default()
}

#[cfg(not(feature = "pdf"))]
fn options(fonts_dir: Option<&Path>, _pdf: bool) -> Result<RenderOptions> {
    if fonts_dir.is_some() {
        return Err(anyhow!("此版本未包含 PDF 输出功能，--fonts-dir 不起作用"));
    }
    Ok(RenderOptions::default())
}

#[cfg(not(feature = "pdf"))]
fn font_report(_: &RenderOptions) -> Vec<String> {
    Vec::new()
}
