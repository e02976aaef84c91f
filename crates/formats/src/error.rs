use crate::source::Location;

/// Why a file could not be imported. Messages are for the office's staff: what is
/// wrong, where, and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("文件为空，没有可导入的内容。请确认选择了正确的文件。")]
    Empty,
    #[error("无法识别的文件内容（{0}）。请另存为 .txt、.md、.html、.docx 或 .xlsx 后再导入。")]
    Binary(String),
    #[error("{location}：{message}")]
    At { location: Location, message: String },
    #[error("{0}")]
    Table(String),
    /// A JSON file that is not a notice in duban's interchange format.
    #[error(transparent)]
    Interchange(#[from] crate::interchange::InterchangeError),
    #[error(
        "无法读取{}：{detail}。文件可能已损坏或不完整（例如下载、复制未完成），请用办公软件打开并另存后重试。",
        describe(format)
    )]
    Corrupt {
        format: &'static str,
        detail: String,
    },
}

impl ImportError {
    pub fn at(location: Location, message: impl Into<String>) -> Self {
        ImportError::At {
            location,
            message: message.into(),
        }
    }

    pub fn corrupt(format: &'static str, detail: impl std::fmt::Display) -> Self {
        ImportError::Corrupt {
            format,
            detail: detail.to_string(),
        }
    }
}

/// The kind of file in a corrupt-file message, in Chinese.
fn describe(format: &str) -> &'static str {
    match format {
        "DOCX" => "Word 文档（.docx）",
        "XLSX" => "Excel 工作簿（.xlsx）",
        _ => "Office 文档（.docx 或 .xlsx）",
    }
}

/// What went wrong inside a ZIP package, in Chinese (the library's own words are
/// English and mean nothing to the office).
pub(crate) fn zip_problem(e: &zip::result::ZipError) -> &'static str {
    use zip::result::ZipError;
    match e {
        ZipError::InvalidArchive(_) => "压缩包结构不完整，文件末尾缺失或已损坏",
        ZipError::UnsupportedArchive(_) => "压缩包使用了不支持的压缩或加密方式（如设置了打开密码）",
        ZipError::FileNotFound => "压缩包中缺少必需的部分",
        ZipError::Io(_) => "压缩包内容读取中断，数据不完整",
        _ => "压缩包已损坏",
    }
}
