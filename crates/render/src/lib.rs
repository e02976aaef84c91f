//! A stored notice rendered as the documents an office issues: DOCX and PDF in the
//! GB/T 9704-2012 layout, XLSX, and an HTML page for public disclosure.
//!
//! Every function here is pure and deterministic: the same notice gives the same bytes
//! (fixed timestamps inside the files), so tests can hash or snapshot them.
//!
//! [`layout`] holds the format-independent decisions (dates, title lines, column
//! widths, the 署名 placement) that every renderer shares through [`layout::NoticeView`].

pub mod docx;
pub mod html;
pub mod layout;
mod markup;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod sheet;
pub mod table;
pub mod xlsx;

use duban_domain::{Notice, SignatureLayout};

/// The formats a notice is rendered into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    Docx,
    Pdf,
    Xlsx,
    Html,
}

impl OutputFormat {
    pub const ALL: [OutputFormat; 4] = [
        OutputFormat::Docx,
        OutputFormat::Pdf,
        OutputFormat::Xlsx,
        OutputFormat::Html,
    ];

    /// The name used on the command line and as the file extension: `docx`, `pdf`,
    /// `xlsx`, `html`.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Docx => "docx",
            OutputFormat::Pdf => "pdf",
            OutputFormat::Xlsx => "xlsx",
            OutputFormat::Html => "html",
        }
    }

    /// The format named `name` (case-insensitive; `htm` is HTML).
    pub fn from_name(name: &str) -> Option<OutputFormat> {
        let name = name.trim().to_ascii_lowercase();
        if name == "htm" {
            return Some(OutputFormat::Html);
        }
        OutputFormat::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The MIME type of the rendered bytes.
    pub fn mime_type(self) -> &'static str {
        match self {
            OutputFormat::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            OutputFormat::Pdf => "application/pdf",
            OutputFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            OutputFormat::Html => "text/html; charset=utf-8",
        }
    }
}

impl std::fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a notice could not be rendered. Messages are for users, in Chinese.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("此版本未包含 PDF 输出功能（编译时未启用 pdf 特性），请改用 docx、xlsx 或 html 格式")]
    PdfUnavailable,
    #[error("生成 PDF 失败：{0}")]
    Pdf(String),
    #[error("生成 Word 文档（DOCX）失败：{0}")]
    Docx(String),
    #[error("生成 Excel 工作簿（XLSX）失败：{0}")]
    Xlsx(String),
    #[error("生成网页（HTML）失败：{0}")]
    Html(String),
    #[error("督办单只能生成 docx 或 pdf，不能生成 {0}")]
    Unsupported(OutputFormat),
    /// Past a limit of `duban_domain::limits`: the message names it.
    #[error("{0}")]
    TooLarge(String),
}

/// Settings that are not part of the notice itself.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// The fonts the PDF embeds; `None` is the bundled open set
    /// ([`pdf::Fonts::default`]), loaded only when a PDF is rendered so the other
    /// formats never pay for parsing fonts.
    #[cfg(feature = "pdf")]
    pub fonts: Option<pdf::Fonts>,
    /// 署名 and 成文日期 for a sealed notice (the default) or one without a seal.
    pub layout: SignatureLayout,
}

impl RenderOptions {
    /// PDFs in the fonts found on this machine (`pdf::Fonts::system`: licensed 公文
    /// fonts, else the open 仿宋, else the bundled set).
    pub fn system() -> Self {
        RenderOptions {
            #[cfg(feature = "pdf")]
            fonts: Some(pdf::Fonts::system()),
            layout: SignatureLayout::Sealed,
        }
    }
}

/// Which font stands in for which in PDFs rendered with [`RenderOptions::system`], in
/// Chinese, for the pages that offer them; empty when every 公文 font is present (or
/// PDF output is not built in).
pub fn system_font_substitutions() -> Vec<String> {
    #[cfg(feature = "pdf")]
    {
        pdf::Fonts::system().substitutions()
    }
    #[cfg(not(feature = "pdf"))]
    {
        Vec::new()
    }
}

/// Renders `notice` as `format`. Deterministic: the same notice gives the same bytes.
pub fn render(
    notice: &Notice,
    format: OutputFormat,
    options: &RenderOptions,
) -> Result<Vec<u8>, RenderError> {
    let tasks = notice.tasks.len();
    if tasks > duban_domain::limits::NOTICE_TASKS {
        return Err(RenderError::TooLarge(format!(
            "通报有 {tasks} 项任务，超过每份通报最多 {} 项的限制，无法生成文件。请拆分为几份通报。",
            duban_domain::limits::NOTICE_TASKS
        )));
    }
    match format {
        OutputFormat::Docx => docx::render_docx_with(notice, options.layout),
        OutputFormat::Xlsx => xlsx::render_xlsx(notice),
        OutputFormat::Html => html::render_html(notice),
        #[cfg(feature = "pdf")]
        OutputFormat::Pdf => match &options.fonts {
            Some(fonts) => pdf::render_pdf_with(notice, fonts, options.layout),
            None => pdf::render_pdf_with(notice, &pdf::Fonts::default(), options.layout),
        },
        #[cfg(not(feature = "pdf"))]
        OutputFormat::Pdf => {
            let _ = options;
            Err(RenderError::PdfUnavailable)
        }
    }
}

/// Renders a 督办单 as DOCX or PDF (`Xlsx` and `Html` are not forms a 督办单 takes:
/// [`RenderError::Unsupported`]).
pub fn render_sheet(
    sheet: &duban_domain::sheet::SupervisionSheet,
    format: OutputFormat,
    options: &RenderOptions,
) -> Result<Vec<u8>, RenderError> {
    match format {
        OutputFormat::Docx => sheet::render_sheet_docx(sheet),
        #[cfg(feature = "pdf")]
        OutputFormat::Pdf => match &options.fonts {
            Some(fonts) => pdf::render_sheet_pdf(sheet, fonts),
            None => pdf::render_sheet_pdf(sheet, &pdf::Fonts::default()),
        },
        #[cfg(not(feature = "pdf"))]
        OutputFormat::Pdf => {
            let _ = options;
            Err(RenderError::PdfUnavailable)
        }
        OutputFormat::Xlsx | OutputFormat::Html => Err(RenderError::Unsupported(format)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for f in OutputFormat::ALL {
            assert_eq!(OutputFormat::from_name(f.name()), Some(f));
        }
        assert_eq!(OutputFormat::from_name("HTM"), Some(OutputFormat::Html));
        assert_eq!(OutputFormat::from_name("odt"), None);
    }
}
